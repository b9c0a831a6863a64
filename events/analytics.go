package events

import "time"

// The events in this file are analytics signals. None of them carries an
// identity worth de-duplicating on, so their IdempotencyKey is "" (from the
// embedded noIdentity). Each also decodes the common "timeMillis" member when
// Stash sends it.

// noIdentity is embedded by the events that carry no identity.
type noIdentity struct{}

// IdempotencyKey returns "": the event carries no identity worth
// de-duplicating on (callers typically hash [Event.Raw] instead).
func (noIdentity) IdempotencyKey() string { return "" }

// CreatePaymentIntent is the CREATE_PAYMENT_INTENT event (wrapper key
// "openPayment"): a player started a checkout.
type CreatePaymentIntent struct {
	base
	noIdentity
	// CartID identifies the cart or checkout.
	CartID string `json:"cartId"`
	// UserID is the external user id.
	UserID string `json:"userId"`
	// Items are the items being paid for (no prices).
	Items []Item `json:"items"`
	// Source is the product the event came from.
	Source Source `json:"source"`
	// TimeMillis is the event time as sent, when sent.
	TimeMillis Millis `json:"timeMillis"`
	// Time is TimeMillis as a UTC time; zero when absent.
	Time time.Time `json:"-"`
}

// FreeItemRedeemed is the FREE_ITEM_REDEEMED event (wrapper key
// "freeItemRedeemed"). It carries no identity of its own: when Stash sends
// no timeMillis, two redemptions of one item by one player from one IP
// address are the same bytes, and a handler's default key
// (webhook.DefaultKey) counts them as one event for the store's retention.
// A game that grants on this event must key it itself (webhook.WithKeyFunc,
// or its own records).
type FreeItemRedeemed struct {
	base
	noIdentity
	// UserID is the external user id; a JSON number is kept as its text.
	UserID string `json:"userId"`
	// ItemID is the redeemed item; a JSON number is kept as its text.
	ItemID string `json:"itemId"`
	// IPAddress is the player's IP address.
	IPAddress string `json:"ipAddress"`
	// Metadata is free-form data such as a promotion id; a number, boolean
	// or null value is kept as its JSON text ("7", "true", "").
	Metadata map[string]string `json:"metadata"`
	// TimeMillis is the event time as sent, when sent.
	TimeMillis Millis `json:"timeMillis"`
	// Time is TimeMillis as a UTC time; zero when absent.
	Time time.Time `json:"-"`
}

// MutateCart is the MUTATE_CART event (wrapper key "mutateCart"): webshop
// cart contents changed.
type MutateCart struct {
	base
	noIdentity
	// CartID identifies the cart.
	CartID string `json:"cartId"`
	// UserID is the external user id.
	UserID string `json:"userId"`
	// Items are the changes; a negative Quantity removes units.
	Items []Item `json:"items"`
	// RegionCode is the player's CLDR region.
	RegionCode string `json:"regionCode"`
	// Source is the product the event came from.
	Source Source `json:"source"`
	// IPAddress is the player's IP address.
	IPAddress string `json:"ipAddress"`
	// TimeMillis is the event time as sent.
	TimeMillis Millis `json:"timeMillis"`
	// Time is TimeMillis as a UTC time; zero when absent.
	Time time.Time `json:"-"`
}

// ViewItem is the VIEW_ITEM event (wrapper key "viewItem"), debounced by
// Stash to once per 100 seconds per item.
type ViewItem struct {
	base
	noIdentity
	// UserID is the external user id.
	UserID string `json:"userId"`
	// ItemID is the viewed item.
	ItemID string `json:"itemId"`
	// RegionCode is the player's CLDR region.
	RegionCode string `json:"regionCode"`
	// TimeMillis is the event time as sent, when sent.
	TimeMillis Millis `json:"timeMillis"`
	// Time is TimeMillis as a UTC time; zero when absent.
	Time time.Time `json:"-"`
}

// ViewCheckoutPage is the VIEW_CHECKOUT_PAGE event (wrapper key
// "viewCheckoutPage").
type ViewCheckoutPage struct {
	base
	noIdentity
	// UserID is the external user id.
	UserID string `json:"userId"`
	// RegionCode is the player's CLDR region.
	RegionCode string `json:"regionCode"`
	// TimeMillis is the event time as sent, when sent.
	TimeMillis Millis `json:"timeMillis"`
	// Time is TimeMillis as a UTC time; zero when absent.
	Time time.Time `json:"-"`
}

// ViewProductDetailPage is the VIEW_PRODUCT_DETAIL_PAGE event (wrapper key
// "viewProductDetailsPage", with an s).
type ViewProductDetailPage struct {
	base
	noIdentity
	// UserID is the external user id.
	UserID string `json:"userId"`
	// ItemID is the viewed item.
	ItemID string `json:"itemId"`
	// RegionCode is the player's CLDR region.
	RegionCode string `json:"regionCode"`
	// TimeMillis is the event time as sent, when sent.
	TimeMillis Millis `json:"timeMillis"`
	// Time is TimeMillis as a UTC time; zero when absent.
	Time time.Time `json:"-"`
}

// CartButtonClick is the CART_BUTTON_CLICK event (wrapper key
// "sendCartButtonClick").
type CartButtonClick struct {
	base
	noIdentity
	// UserID is the external user id.
	UserID string `json:"userId"`
	// RegionCode is the player's CLDR region.
	RegionCode string `json:"regionCode"`
	// TimeMillis is the event time as sent, when sent.
	TimeMillis Millis `json:"timeMillis"`
	// Time is TimeMillis as a UTC time; zero when absent.
	Time time.Time `json:"-"`
}
