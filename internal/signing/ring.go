package signing

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"time"
)

// Ring is the set of keys one verifier accepts: the current key first, then
// the previous ones while a rotation is under way. The webhook verifier and
// the egress handlers both verify through a Ring, so that rotation works the
// same way on every route.
//
// A Ring checks a signature against every one of its keys, whatever the
// outcome, so that the time a check takes does not tell which key matched.
type Ring []*Key

// NewRing builds the ring of secrets, in order, each decoded by
// [DecodeKey] under the setting name setting(i) (for instance
// "EgressConfig.PreviousEgressKeys[0]"), which is all an error shows of it.
func NewRing(secrets []string, base64Key bool, setting func(i int) string) (Ring, error) {
	ring := make(Ring, 0, len(secrets))
	for i, s := range secrets {
		raw, err := DecodeKey(setting(i), s, base64Key)
		if err != nil {
			return nil, err
		}
		k, err := NewKey(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrInvalidSecret, setting(i), err)
		}
		ring = append(ring, k)
	}
	return ring, nil
}

// VerifyBody checks a legacy body signature (standard, padded base64 of
// HMAC-SHA256(key, body); surrounding whitespace ignored) against every key
// and returns the index of the first key that matched. It fails with
// [ErrMissingSignature] for an empty sig and [ErrInvalidSignature] when no
// key matches or the ring is empty.
func (r Ring) VerifyBody(body []byte, sig string) (int, error) {
	sig = strings.TrimSpace(sig)
	if sig == "" {
		return -1, ErrMissingSignature
	}
	return r.match(-1, body, sig)
}

// VerifyV1 parses a v1 header and checks, in order: the version, that the
// shop ID equals shopID (skipped when shopID is empty), that the timestamp
// is within tolerance of now in either direction (a tolerance <= 0 means
// [DefaultTolerance]), and the HMAC over "{millis}." + body against every
// key. It returns the parsed header and the index of the first key that
// matched.
func (r Ring) VerifyV1(header string, body []byte, shopID string, now time.Time, tolerance time.Duration) (V1Header, int, error) {
	h, err := ParseV1(header)
	if err != nil {
		return V1Header{}, -1, err
	}
	if shopID != "" && !Equal(h.ShopID, shopID) {
		return V1Header{}, -1, ErrShopMismatch
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	skew := now.UnixMilli() - h.Millis
	if skew < 0 {
		skew = -skew
	}
	if skew > tolerance.Milliseconds() {
		return V1Header{}, -1, ErrTimestampSkew
	}
	i, err := r.match(h.Millis, body, h.Signature)
	if err != nil {
		return V1Header{}, -1, err
	}
	return h, i, nil
}

// match compares sig with the MAC of every key (over "{millis}." + body, or
// body alone when millis < 0) and returns the first index that matched.
func (r Ring) match(millis int64, body []byte, sig string) (int, error) {
	found := -1
	for i, k := range r {
		var want [sha256.Size]byte
		k.mac(&want, millis, body)
		if equalB64(want[:], sig) && found < 0 {
			found = i
		}
	}
	if found < 0 {
		return -1, ErrInvalidSignature
	}
	return found, nil
}
