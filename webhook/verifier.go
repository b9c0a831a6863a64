package webhook

import (
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/internal/signing"
)

// SignatureHeader is the request header that carries the webhook signature:
// standard, padded base64 of HMAC-SHA256(webhook secret, raw request body).
// HTTP header names are case-insensitive; [http.Header.Get] finds it in any
// case.
const SignatureHeader = "Stash-Hmac-Signature"

// RetryCountHeader is the request header in which Stash sends how many times
// it has retried a delivery. Whether the first attempt sends 0 or omits the
// header is not documented; [RetryCount] reports both cases.
const RetryCountHeader = "Stash-Retry-Count"

// Verifier checks webhook signatures. Build one with [NewVerifier] at start-up
// and share it: a Verifier is immutable and safe for concurrent use, and its
// keyed HMAC state is computed once. Its String, GoString and Format methods
// never reveal a secret.
type Verifier struct {
	keys    []verifierKey
	secrets int
}

// verifierKey is one key a signature is checked against.
type verifierKey struct {
	key     *signing.Key
	index   int  // position of the secret: 0 primary, i the i-th additional
	decoded bool // key is the base64-decoded form of the secret
}

// Verification tells which secret a signature matched.
type Verification struct {
	// Index is the position of the matching secret: 0 is the secret given to
	// [NewVerifier], i (1, 2, ...) is the i-th secret given to
	// [WithAdditionalSecrets].
	Index int
	// Decoded is true when the match used the base64-decoded bytes of the
	// secret rather than its raw bytes (see [WithDecodedSecret]).
	Decoded bool
}

// Option configures a [Verifier].
type Option func(*verifierConfig)

type verifierConfig struct {
	additional []string
	decoded    bool
}

// WithAdditionalSecrets adds secrets that are accepted besides the primary
// one, for rotation: configure the new secret next to the old one, switch it
// in Studio, then drop the old one. Every secret is checked on every call, so
// the time taken does not tell which one matched; [Verifier.VerifyDetailed]
// tells it. An empty secret makes [NewVerifier] fail with [ErrEmptySecret].
func WithAdditionalSecrets(secrets ...string) Option {
	return func(c *verifierConfig) { c.additional = append(c.additional, secrets...) }
}

// WithDecodedSecret makes the verifier also accept signatures made with the
// base64-decoded bytes of each secret. Stash's documentation does not say
// whether the webhook secret is used as the raw bytes of the string Studio
// shows or as the bytes it encodes in base64. By default only the raw bytes
// are used (that is what Stash's other HMAC schemes do); with this option the
// raw bytes are tried first, then the decoded bytes (standard or URL
// alphabet, padded or not). A secret that is not valid base64 is used raw
// only.
func WithDecodedSecret() Option {
	return func(c *verifierConfig) { c.decoded = true }
}

// NewVerifier returns a Verifier for the webhook secret shown in Stash Studio
// (Settings -> Webhooks). An empty secret returns [ErrEmptySecret].
func NewVerifier(secret string, opts ...Option) (*Verifier, error) {
	var cfg verifierConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	secrets := make([]string, 0, 1+len(cfg.additional))
	secrets = append(secrets, secret)
	secrets = append(secrets, cfg.additional...)
	v := &Verifier{secrets: len(secrets)}
	for i, s := range secrets {
		if s == "" {
			if i == 0 {
				return nil, ErrEmptySecret
			}
			return nil, fmt.Errorf("%w (additional secret %d)", ErrEmptySecret, i)
		}
		k, err := signing.NewKey([]byte(s))
		if err != nil {
			return nil, ErrEmptySecret
		}
		v.keys = append(v.keys, verifierKey{key: k, index: i})
		if !cfg.decoded {
			continue
		}
		if raw, ok := decodeSecret(s); ok {
			dk, err := signing.NewKey(raw)
			if err != nil {
				continue
			}
			v.keys = append(v.keys, verifierKey{key: dk, index: i, decoded: true})
		}
	}
	return v, nil
}

// decodeSecret returns the bytes s encodes in base64, trying the standard
// and URL alphabets, padded and unpadded.
func decodeSecret(s string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		if b, err := enc.DecodeString(s); err == nil && len(b) > 0 {
			return b, true
		}
	}
	return nil, false
}

// Verify checks that signature (the value of the [SignatureHeader] header) is
// the base64 HMAC-SHA256 of payload, the raw request body exactly as
// received, under one of the verifier's secrets. Call it before decoding the
// payload. Surrounding whitespace in signature is ignored; the comparison is
// constant time and Verify does not allocate.
//
// It returns nil, [ErrMissingSignature] or [ErrInvalidSignature].
func (v *Verifier) Verify(payload []byte, signature string) error {
	_, err := v.VerifyDetailed(payload, signature)
	return err
}

// VerifyDetailed is [Verifier.Verify] that also tells which secret matched,
// for instance to log when the old secret stops being used during rotation.
// Every secret is checked whatever the outcome.
func (v *Verifier) VerifyDetailed(payload []byte, signature string) (Verification, error) {
	if v == nil || len(v.keys) == 0 {
		return Verification{}, ErrInvalidSignature
	}
	signature = strings.TrimSpace(signature)
	if signature == "" {
		return Verification{}, ErrMissingSignature
	}
	match := -1
	for i := range v.keys {
		ok := v.keys[i].key.VerifyBody(payload, signature) == nil
		if ok && match < 0 {
			match = i
		}
	}
	if match < 0 {
		return Verification{}, ErrInvalidSignature
	}
	k := v.keys[match]
	return Verification{Index: k.index, Decoded: k.decoded}, nil
}

// Parse verifies payload against signature like [Verifier.Verify] and, only
// if it is authentic, decodes it with [events.Parse]. A payload that is
// authentic but cannot be decoded returns an error wrapping both
// [ErrMalformedPayload] and the decoder's error. Unknown event types are not
// an error: they decode to [*events.Unknown].
func (v *Verifier) Parse(payload []byte, signature string) (events.Event, error) {
	if err := v.Verify(payload, signature); err != nil {
		return nil, err
	}
	e, err := events.Parse(payload)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedPayload, err)
	}
	return e, nil
}

// String describes the verifier without revealing any secret.
func (v *Verifier) String() string {
	if v == nil {
		return "webhook.Verifier(nil)"
	}
	return "webhook.Verifier{secrets: " + strconv.Itoa(v.secrets) + ", redacted}"
}

// GoString is [Verifier.String]; it keeps %#v from printing the keys.
func (v *Verifier) GoString() string { return v.String() }

// Format implements [fmt.Formatter] so that every verb (%v, %+v, %s, %q,
// %x, ...) prints [Verifier.String] and nothing else.
func (v *Verifier) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, v.String()) }

// Sign returns the value Stash would send in the [SignatureHeader] header for
// payload signed with secret: standard, padded base64 of
// HMAC-SHA256(secret, payload). It is meant for tests and local tools that
// send webhooks to a handler. It returns "" for an empty secret.
func Sign(payload []byte, secret string) string {
	k, err := signing.NewKey([]byte(secret))
	if err != nil {
		return ""
	}
	return k.SignBody(payload)
}
