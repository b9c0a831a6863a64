package events

import (
	"encoding/json"
	"errors"
)

// Type is the value of an event's "type" member, for example
// "PURCHASE_SUCCEEDED" (v1) or "subscription.created" (v2). The set is open:
// a value without a constant below decodes as [*Unknown].
type Type string

// Known event types. v1 types are upper-case with underscores; v2 types are
// lower-case dot notation.
const (
	// TypePurchaseSucceeded is sent when a purchase completes; grant items on it.
	TypePurchaseSucceeded Type = "PURCHASE_SUCCEEDED"
	// TypePurchaseRefunded is sent on a full or partial refund.
	TypePurchaseRefunded Type = "PURCHASE_REFUNDED"
	// TypeCreatePaymentIntent is sent when a player opens the payment flow.
	TypeCreatePaymentIntent Type = "CREATE_PAYMENT_INTENT"
	// TypeFreeItemRedeemed is sent when a player redeems a free item.
	TypeFreeItemRedeemed Type = "FREE_ITEM_REDEEMED"
	// TypeMutateCart is sent when webshop cart contents change.
	TypeMutateCart Type = "MUTATE_CART"
	// TypeViewItem is sent when a player views a webshop item.
	TypeViewItem Type = "VIEW_ITEM"
	// TypeViewCheckoutPage is sent when a player views the checkout page.
	TypeViewCheckoutPage Type = "VIEW_CHECKOUT_PAGE"
	// TypeViewProductDetailPage is sent when a player views a product detail page.
	TypeViewProductDetailPage Type = "VIEW_PRODUCT_DETAIL_PAGE"
	// TypeCartButtonClick is sent when a player clicks the cart button.
	TypeCartButtonClick Type = "CART_BUTTON_CLICK"

	// TypeSubscriptionCreated is sent when a subscription starts.
	TypeSubscriptionCreated Type = "subscription.created"
	// TypeSubscriptionPaymentSucceeded is sent on a successful renewal or a
	// recovery during the grace period.
	TypeSubscriptionPaymentSucceeded Type = "subscription.payment_succeeded"
	// TypeSubscriptionRenewed is an alternative name for a renewal mentioned
	// in Stash's prose; it decodes as [*SubscriptionPaymentSucceeded].
	TypeSubscriptionRenewed Type = "subscription.renewed"
	// TypeSubscriptionPaymentFailed is sent when a renewal charge fails; the
	// subscription becomes past_due.
	TypeSubscriptionPaymentFailed Type = "subscription.payment_failed"
	// TypeSubscriptionCanceled is sent when the player cancels; access
	// continues until the period ends.
	TypeSubscriptionCanceled Type = "subscription.canceled"
	// TypeSubscriptionExpired is sent when access ends for good.
	TypeSubscriptionExpired Type = "subscription.expired"
)

// Format is the payload format an event arrived in.
type Format int

const (
	// FormatV1 is {"type": "UPPER_CASE", "<wrapperKey>": {...}}.
	FormatV1 Format = 1
	// FormatV2 is {"type": "dot.notation", "data": {...}}.
	FormatV2 Format = 2
)

// String returns "v1", "v2" or "v?" for other values.
func (f Format) String() string {
	switch f {
	case FormatV1:
		return "v1"
	case FormatV2:
		return "v2"
	default:
		return "v?"
	}
}

// Event is one decoded webhook event. The concrete value is always one of the
// pointer types of this package ([*PurchaseSucceeded], [*SubscriptionCreated],
// ..., or [*Unknown]); use a type switch. The interface is sealed: only this
// package implements it.
type Event interface {
	// Type returns the event's "type" string as received.
	Type() Type
	// Format reports v1 (upper-case type with a wrapper key) or v2
	// (dot-notation type with "data"). It is decided by the type string: a
	// type containing '.' is v2.
	Format() Format
	// Environment returns the envelope's "environment" ("test", and probably
	// "production"), or "" when absent or not a string.
	Environment() string
	// Raw returns the whole payload exactly as passed to [Parse]. It is a
	// copy owned by the event; callers may keep it but should not modify it.
	Raw() json.RawMessage
	// IdempotencyKey returns a stable identity of the business event for
	// de-duplication, or "" when the payload carries none (callers then
	// typically hash [Event.Raw]). See each type for its rule.
	IdempotencyKey() string

	sealed()
}

// Errors returned by [Parse]. All of them match [ErrMalformed] with
// [errors.Is].
var (
	// ErrMalformed reports a payload that is not a JSON object, is not valid
	// JSON, or whose known members have the wrong JSON kinds.
	ErrMalformed = errors.New("events: malformed payload")
	// ErrMissingType reports a payload without a non-empty string "type".
	ErrMissingType = wrapSentinel("missing event type")
	// ErrMissingPayload reports a known event type whose payload object (its
	// wrapper key, "eventData" or "data") is absent.
	ErrMissingPayload = wrapSentinel("missing event payload")
)

type sentinel struct{ msg string }

func (s *sentinel) Error() string { return "events: malformed payload: " + s.msg }
func (s *sentinel) Unwrap() error { return ErrMalformed }

func wrapSentinel(msg string) error { return &sentinel{msg: msg} }

// base holds the envelope data shared by every event type. Its fields are
// unexported, so encoding/json ignores them when decoding a payload object
// into a concrete event.
type base struct {
	typ     Type
	format  Format
	env     string
	eventID string
	raw     json.RawMessage
}

// Type implements [Event].
func (b *base) Type() Type { return b.typ }

// Format implements [Event].
func (b *base) Format() Format { return b.format }

// Environment implements [Event].
func (b *base) Environment() string { return b.env }

// Raw implements [Event].
func (b *base) Raw() json.RawMessage { return b.raw }

// EventID returns the envelope's top-level "id" when Stash sends one as a
// string or a number (its text; not documented so far), else "".
func (b *base) EventID() string { return b.eventID }

func (b *base) sealed() {}

// Unknown is an event whose type this version of the package does not know.
// Decoding one is never an error; inspect [Event.Type] and Data, or ignore it.
type Unknown struct {
	base
	noIdentity
	// Data is the payload object: the "data" member, else "eventData", else
	// the only other top-level member holding an object; nil if none.
	Data json.RawMessage
	// PayloadKey is the top-level member Data was taken from, or "".
	PayloadKey string
}

// formatOf decides the format from the type string.
func formatOf(t Type) Format {
	for i := 0; i < len(t); i++ {
		if t[i] == '.' {
			return FormatV2
		}
	}
	return FormatV1
}
