package webhook

import (
	"errors"
	"fmt"
	"io"
	"net/http"
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
	keys signing.Ring // the secret given to NewVerifier first, then the previous ones
}

// Verification tells which secret a signature matched.
type Verification struct {
	// Index is the position of the matching secret: 0 is the secret given to
	// [NewVerifier], i (1, 2, ...) is the i-th secret given to
	// [WithPreviousSecrets].
	Index int
}

// Option configures a [Verifier].
type Option func(*verifierConfig)

type verifierConfig struct {
	previous  []string
	base64Key bool
}

// WithPreviousSecrets adds secrets that are accepted besides the current
// one, for a rotation: put the new secret first and the old one here,
// switch the secret in Studio, then drop the old one. (The egress handlers
// call the same idea [stashpay.EgressConfig.PreviousEgressKeys].) Every
// secret is checked on every call, so the time taken does not tell which one
// matched; [Verifier.VerifyDetailed] tells it.
//
// [stashpay.EgressConfig.PreviousEgressKeys]: https://pkg.go.dev/github.com/stashpay/stashpay-go#EgressConfig
func WithPreviousSecrets(secrets ...string) Option {
	return func(c *verifierConfig) { c.previous = append(c.previous, secrets...) }
}

// WithBase64Secret makes the verifier base64-decode every secret (standard
// or URL-safe alphabet, padded or not) and use the decoded bytes as the HMAC
// key, as [stashpay.EgressConfig.Base64Key] and stashpay.WithBase64Key do
// for the other keys. Stash's documentation does not say how the webhook
// secret is used; by default (what Stash's other HMAC schemes do) it is the
// raw bytes of the string Studio shows. A secret that is not base64 makes
// [NewVerifier] fail.
//
// [stashpay.EgressConfig.Base64Key]: https://pkg.go.dev/github.com/stashpay/stashpay-go#EgressConfig
func WithBase64Secret() Option {
	return func(c *verifierConfig) { c.base64Key = true }
}

// NewVerifier returns a Verifier for the webhook secret shown in Stash Studio
// (Settings -> Webhooks). Every secret is checked as the SDK checks every key:
// an empty one fails with an error matching [ErrEmptySecret] and
// [ErrInvalidSecret]; one with whitespace at either end (a trailing newline
// from a file or an environment variable) or control characters fails with
// [ErrInvalidSecret], instead of refusing every delivery with 401 later. The
// error names the secret ("secret", "previous secret 1") and never shows it.
func NewVerifier(secret string, opts ...Option) (*Verifier, error) {
	var cfg verifierConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	secrets := append([]string{secret}, cfg.previous...)
	for i, s := range secrets {
		if s == "" {
			return nil, fmt.Errorf("%w: %w: %s is empty", ErrInvalidSecret, ErrEmptySecret, secretSetting(i))
		}
	}
	keys, err := signing.NewRing(secrets, cfg.base64Key, secretSetting)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidSecret, strings.TrimPrefix(err.Error(), signing.ErrInvalidSecret.Error()+": "))
	}
	return &Verifier{keys: keys}, nil
}

// secretSetting names the i-th secret of a verifier in errors.
func secretSetting(i int) string {
	if i == 0 {
		return "secret"
	}
	return "previous secret " + strconv.Itoa(i)
}

// Verify checks that signature (the value of the [SignatureHeader] header) is
// the base64 HMAC-SHA256 of payload, the raw request body exactly as
// received, under one of the verifier's secrets. Call it before decoding the
// payload. Only the canonical spelling (standard, padded base64) matches;
// surrounding whitespace in signature is ignored; the comparison is
// constant time and Verify does not allocate.
//
// It returns nil, [ErrMissingSignature] or [ErrInvalidSignature].
func (v *Verifier) Verify(payload []byte, signature string) error {
	_, err := v.VerifyDetailed(payload, signature)
	return err
}

// VerifyDetailed is [Verifier.Verify] that also tells which secret matched,
// for instance to log when the previous secret stops being used during
// rotation. Every secret is checked whatever the outcome.
func (v *Verifier) VerifyDetailed(payload []byte, signature string) (Verification, error) {
	if v == nil {
		return Verification{}, ErrInvalidSignature
	}
	match, err := v.keys.VerifyBody(payload, signature)
	switch {
	case errors.Is(err, signing.ErrMissingSignature):
		return Verification{}, ErrMissingSignature
	case err != nil:
		return Verification{}, ErrInvalidSignature
	}
	return Verification{Index: match}, nil
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
	return "webhook.Verifier{secrets: " + strconv.Itoa(len(v.keys)) + ", redacted}"
}

// GoString is [Verifier.String]; it keeps %#v from printing the keys.
func (v *Verifier) GoString() string { return v.String() }

// Format implements [fmt.Formatter] so that every verb (%v, %+v, %s, %q,
// %x, ...) prints [Verifier.String] and nothing else.
func (v *Verifier) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, v.String()) }

// verifyHeader verifies the one SignatureHeader value of h ("" (a missing
// signature) when the header is absent); repeated copies are ambiguous and
// are refused as an invalid signature.
func (v *Verifier) verifyHeader(payload []byte, h http.Header) error {
	vals := h.Values(SignatureHeader)
	if len(vals) > 1 {
		return ErrInvalidSignature
	}
	sig := ""
	if len(vals) == 1 {
		sig = vals[0]
	}
	return v.Verify(payload, sig)
}

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
