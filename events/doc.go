// Package events decodes the webhook payloads Stash sends into typed Go
// values.
//
//	ev, err := events.Parse(body) // body already verified, see package webhook
//	if err != nil {
//		return err // errors.Is(err, events.ErrMalformed)
//	}
//	switch e := ev.(type) {
//	case *events.PurchaseSucceeded:
//		return grant(e.UserID, e.Items, e.IdempotencyKey())
//	case *events.SubscriptionCanceled:
//		return scheduleEnd(e.EffectiveID(), e.CurrentPeriodEnd)
//	case *events.Unknown:
//		return nil // a type newer than this package: acknowledge it
//	}
//
// # Formats
//
// Stash uses two shapes. v1 (purchase and webshop events) has an upper-case
// type and a per-type camelCase wrapper key:
//
//	{"type": "PURCHASE_SUCCEEDED", "environment": "test", "purchaseSucceeded": {...}}
//
// Its generic description names the wrapper "eventData", which [Parse] also
// accepts. v2 (subscription events, and every new event) has a dot-notation
// type and a "data" object:
//
//	{"type": "subscription.created", "data": {...}}
//
// [Parse] returns one concrete pointer type per known event type and
// [*Unknown] for any other, so a new event type never fails a webhook. Extra
// members and unknown enum values decode without error; open enumerations are
// typed strings with constants ([Source], [SubscriptionStatus]). Since Stash
// sends int64 values as JSON numbers in some payloads and as strings in
// others, integers (quantities, timeMillis) and booleans decode from either
// kind, exactly; only a value that cannot be converted exactly is an error.
//
// # Amounts and currencies
//
// Amounts are [Amount] strings exactly as sent, never floats. Stash's
// examples disagree on their unit (minor units "199" versus decimal "9.99"),
// so conversion is explicit: [Amount.ParseMinor] or [Amount.MinorUnits] with
// a scale; both fail instead of rounding. Currency codes arrive in either
// case; compare them with [Currency.Equal] or [Currency.Code].
//
// # Idempotency
//
// Stash documents no delivery id and redelivers until it gets HTTP 200, so a
// handler must be idempotent. [Event.IdempotencyKey] gives a stable key for
// events that carry one ("checkout:" + checkout link id for
// PURCHASE_SUCCEEDED, see [CheckoutKey]) and
// "" otherwise; package webhook then falls back to a hash of the raw body.
//
// Values returned by [Parse] are not shared; the package has no global state
// and is safe for concurrent use.
package events
