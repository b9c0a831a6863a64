// Package signing is the single implementation of every HMAC scheme Stash
// uses. Everything else in the module (the ingress client, the egress
// purchase handlers, the webhook verifier and the fake Stash in stashpaytest)
// signs and verifies through this package.
//
// Schemes:
//
//   - v1 ("x-stash-hmac-signature"): "v1;{shopId};{unixMillis};{sig}" where
//     sig is standard, padded base64 of HMAC-SHA256(key, "{unixMillis}." + body).
//     Used for ingress (game -> Stash, ingress key) and egress (Stash -> game,
//     egress key). GET requests sign an empty body.
//   - legacy body HMAC ("stash-hmac-signature", and the webhook
//     "Stash-Hmac-Signature"): standard base64 of HMAC-SHA256(key, body).
//
// Keys are the raw bytes of the secret string as Studio shows it, or, where
// a setting says so, the bytes it encodes in base64 ([DecodeKey]). Every
// secret setting is checked by [CheckSecret] when a client, verifier or
// handler is built. A verifier that accepts several keys during a rotation
// (the webhook verifier, the egress handlers) holds them in a [Ring]
// (ring.go), which checks a signature against every key.
package signing

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// DefaultTolerance is the maximum distance, in either direction, between a v1
// signature's timestamp and the verifier's clock.
const DefaultTolerance = 5 * time.Minute

// v1Version is the only version prefix of the versioned header.
const v1Version = "v1"

// Errors returned by this package. They never contain key material or the
// expected signature.
var (
	ErrEmptyKey          = errors.New("signing: empty key")
	ErrMissingSignature  = errors.New("signing: missing signature")
	ErrMalformedHeader   = errors.New("signing: malformed signature header")
	ErrUnsupportedScheme = errors.New("signing: unsupported signature version")
	ErrShopMismatch      = errors.New("signing: shop ID does not match")
	ErrTimestampSkew     = errors.New("signing: timestamp outside the allowed window")
	ErrInvalidSignature  = errors.New("signing: signature mismatch")
)

// Key is an HMAC-SHA256 key with its keyed state precomputed. Signing and
// verifying with a Key does not allocate for the MAC itself. A Key is safe for
// concurrent use; its zero value is not usable, build one with NewKey.
type Key struct {
	pool sync.Pool
}

// NewKey returns a Key for secret. An empty secret is rejected.
func NewKey(secret []byte) (*Key, error) {
	if len(secret) == 0 {
		return nil, ErrEmptyKey
	}
	k := make([]byte, len(secret))
	copy(k, secret)
	key := &Key{}
	key.pool.New = func() any { return &macState{h: hmac.New(sha256.New, k)} }
	return key, nil
}

// String never reveals the key.
func (k *Key) String() string { return "signing.Key(redacted)" }

// GoString never reveals the key.
func (k *Key) GoString() string { return k.String() }

// macState is a pooled keyed HMAC with scratch space, so that buffers
// passed through the hash.Hash interface (which makes them escape) live in
// the pooled object instead of being allocated per call.
type macState struct {
	h   hash.Hash
	pfx [24]byte
	sum [sha256.Size]byte
}

// mac computes HMAC-SHA256(key, "{millis}." || body) into out, or of body
// alone when millis < 0.
func (k *Key) mac(out *[sha256.Size]byte, millis int64, body []byte) {
	st := k.pool.Get().(*macState)
	st.h.Reset()
	if millis >= 0 {
		p := strconv.AppendInt(st.pfx[:0], millis, 10)
		p = append(p, '.')
		st.h.Write(p)
	}
	st.h.Write(body)
	st.h.Sum(st.sum[:0])
	*out = st.sum
	k.pool.Put(st)
}

// SignBody returns the legacy signature: standard base64 of
// HMAC-SHA256(key, body).
func (k *Key) SignBody(body []byte) string {
	var sum [sha256.Size]byte
	k.mac(&sum, -1, body)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// VerifyBody checks a legacy body signature in constant time. Surrounding
// whitespace in sig is ignored. It is [Ring.VerifyBody] with one key.
func (k *Key) VerifyBody(body []byte, sig string) error {
	_, err := Ring{k}.VerifyBody(body, sig)
	return err
}

// SignV1 returns a complete v1 header value for body at time ts.
func (k *Key) SignV1(shopID string, ts time.Time, body []byte) string {
	ms := ts.UnixMilli()
	var sum [sha256.Size]byte
	k.mac(&sum, ms, body)
	var tsBuf [20]byte
	tsText := strconv.AppendInt(tsBuf[:0], ms, 10)
	var b strings.Builder
	b.Grow(len(v1Version) + len(shopID) + len(tsText) + 3 + base64.StdEncoding.EncodedLen(sha256.Size))
	b.WriteString(v1Version)
	b.WriteByte(';')
	b.WriteString(shopID)
	b.WriteByte(';')
	b.Write(tsText)
	b.WriteByte(';')
	var enc [44]byte
	base64.StdEncoding.Encode(enc[:], sum[:])
	b.Write(enc[:])
	return b.String()
}

// V1Header is a parsed v1 signature header.
type V1Header struct {
	ShopID    string
	Millis    int64  // the signed timestamp, Unix milliseconds
	Signature string // the base64 signature as sent
}

// Time returns the signed timestamp.
func (h V1Header) Time() time.Time { return time.UnixMilli(h.Millis) }

// ParseV1 splits a v1 header value into its fields. It checks the shape only;
// use [Key.VerifyV1] to check the signature.
func ParseV1(header string) (V1Header, error) {
	header = strings.TrimSpace(header)
	if header == "" {
		return V1Header{}, ErrMissingSignature
	}
	version, rest, ok := strings.Cut(header, ";")
	if !ok {
		return V1Header{}, ErrMalformedHeader
	}
	if version != v1Version {
		return V1Header{}, ErrUnsupportedScheme
	}
	shop, rest, ok := strings.Cut(rest, ";")
	if !ok || shop == "" {
		return V1Header{}, ErrMalformedHeader
	}
	tsText, sig, ok := strings.Cut(rest, ";")
	if !ok || sig == "" || strings.Contains(sig, ";") {
		return V1Header{}, ErrMalformedHeader
	}
	// Canonical decimal only: no sign and no leading zero, so that one
	// signed header has exactly one accepted spelling of its timestamp.
	if tsText == "" || len(tsText) > 19 || tsText[0] < '1' || tsText[0] > '9' {
		return V1Header{}, ErrMalformedHeader
	}
	ms, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil || ms <= 0 {
		return V1Header{}, ErrMalformedHeader
	}
	return V1Header{ShopID: shop, Millis: ms, Signature: sig}, nil
}

// VerifyV1 parses header and checks it as [Ring.VerifyV1] does with k as
// the only key: version, shop ID (skipped when shopID is empty), timestamp
// within tolerance of now (<= 0 means DefaultTolerance), then the HMAC over
// "{millis}." + body, compared in constant time.
func (k *Key) VerifyV1(header string, body []byte, shopID string, now time.Time, tolerance time.Duration) (V1Header, error) {
	h, _, err := Ring{k}.VerifyV1(header, body, shopID, now, tolerance)
	return h, err
}

// equalB64 reports whether sig is the canonical encoding of want: standard,
// padded base64 with zero padding bits, so that one MAC has exactly one
// accepted spelling. The comparison is constant time with respect to the
// MAC's contents.
func equalB64(want []byte, sig string) bool {
	if len(sig) != base64.StdEncoding.EncodedLen(sha256.Size) {
		return false
	}
	// Copy into a stack buffer: converting a 44-byte string to []byte
	// would otherwise allocate.
	var src [44]byte
	var got [sha256.Size + 3]byte
	copy(src[:], sig)
	n, err := base64.StdEncoding.Strict().Decode(got[:], src[:])
	if err != nil || n != sha256.Size {
		return false
	}
	return hmac.Equal(got[:n], want)
}

// Equal compares two strings in constant time with respect to their
// contents (the lengths are not secret). It does not allocate.
func Equal(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	var v byte
	for i := 0; i < len(a); i++ {
		v |= a[i] ^ b[i]
	}
	return subtle.ConstantTimeByteEq(v, 0) == 1
}

// ErrInvalidSecret is wrapped by [CheckSecret] and [DecodeKey].
var ErrInvalidSecret = errors.New("invalid secret")

// CheckSecret reports whether s can be used as the secret of setting (a
// name such as "EgressConfig.EgressKey", used in the message): it must not
// be empty, have whitespace at either end (a trailing newline from a file
// or an environment variable would otherwise make every signature fail
// with 401, long after start-up) or contain control characters. The error
// names the setting and never shows the value.
func CheckSecret(setting, s string) error {
	switch {
	case s == "":
		return fmt.Errorf("%w: %s is empty", ErrInvalidSecret, setting)
	case strings.TrimSpace(s) != s:
		return fmt.Errorf("%w: %s has whitespace at either end", ErrInvalidSecret, setting)
	case strings.ContainsFunc(s, IsControl):
		return fmt.Errorf("%w: %s contains control characters", ErrInvalidSecret, setting)
	}
	return nil
}

// CheckShopID reports whether id can be the shop ID of setting (a name
// such as "Credentials.ShopID", used in the message): set, and without ';'
// (the v1 header's separator), whitespace or control characters, Unicode
// ones included, and not a dot segment ("." or ".."), which the client puts
// into URL paths (/sdk/studio/{shopId}/...). The client and the egress
// handlers apply this one rule.
func CheckShopID(setting, id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%s is empty", setting)
	case id == "." || id == "..":
		return fmt.Errorf("%s is a dot segment (\".\" or \"..\")", setting)
	case strings.ContainsFunc(id, func(r rune) bool { return r == ';' || unicode.IsSpace(r) || IsControl(r) }):
		return fmt.Errorf("%s contains ';', whitespace or control characters", setting)
	}
	return nil
}

// IsControl reports whether r is a control character: the C0 and C1
// controls and DEL. Secrets, shop IDs and header values refuse them.
func IsControl(r rune) bool { return unicode.IsControl(r) }

// DecodeKey returns the HMAC key bytes of the secret s of setting, after
// [CheckSecret]: the raw bytes of s, or, when base64Key is set, the bytes
// s encodes in base64 (standard or URL-safe alphabet, padded or not). A
// secret that is not base64, or decodes to nothing, is refused.
func DecodeKey(setting, s string, base64Key bool) ([]byte, error) {
	if err := CheckSecret(setting, s); err != nil {
		return nil, err
	}
	if !base64Key {
		return []byte(s), nil
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		if b, err := enc.DecodeString(s); err == nil && len(b) > 0 {
			return b, nil
		}
	}
	return nil, fmt.Errorf("%w: %s is not base64", ErrInvalidSecret, setting)
}
