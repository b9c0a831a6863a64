package webhook

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/stashpay/stashpay-go/events"
)

// DefaultKey is the exactly-once key [NewHandler] uses unless [WithKeyFunc]
// says otherwise: the event's own idempotency key ([events.Event]'s
// IdempotencyKey; for PURCHASE_SUCCEEDED "checkout:" + checkout link ID,
// the default key of the root package's confirm handler for the same
// purchase, so that one store shared by both grants it once; without a
// checkout link ID, see [events.PurchaseSucceeded.IdempotencyKey]) or,
// for events that carry no identity, the event type followed by the
// SHA-256 of the raw payload, as "TYPE:sha256:<hex>". The hash makes
// byte-identical redeliveries of one event collapse; two events that
// differ in any byte are distinct. Two genuine events that are the same
// bytes collapse too (a second FREE_ITEM_REDEEMED of one item by one
// player, when Stash sends no timeMillis): key such events with
// [WithKeyFunc] where each one matters.
func DefaultKey(e events.Event) string {
	if k := e.IdempotencyKey(); k != "" {
		return k
	}
	sum := sha256.Sum256(e.Raw())
	return string(e.Type()) + ":sha256:" + hex.EncodeToString(sum[:])
}
