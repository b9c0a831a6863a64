package webhook

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/stashpay/stashpay-go/events"
)

// DefaultKey is the exactly-once key [NewHandler] uses unless [WithKeyFunc]
// says otherwise: the event's own idempotency key ([events.Event]'s
// IdempotencyKey, e.g. "purchase:" + order ID for PURCHASE_SUCCEEDED, the
// same key a purchase confirmed through another route can share) or, for
// events that carry no identity, the event type followed by the SHA-256 of
// the raw payload, as "TYPE:sha256:<hex>". The hash makes byte-identical redeliveries of one
// event collapse; two events that differ in any byte are distinct.
func DefaultKey(e events.Event) string {
	if k := e.IdempotencyKey(); k != "" {
		return k
	}
	sum := sha256.Sum256(e.Raw())
	return string(e.Type()) + ":sha256:" + hex.EncodeToString(sum[:])
}
