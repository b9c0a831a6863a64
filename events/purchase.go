package events

import "time"

// Source is the Stash product an event came from. The set is open: a
// name is kept as sent, and a number (should Stash send the enum's number)
// as its decimal digits, so that an unexpected spelling never fails the
// event.
type Source string

// UnmarshalJSON reads a name or a number; null leaves s unchanged.
func (s *Source) UnmarshalJSON(b []byte) error {
	return (*openEnum)(s).UnmarshalJSON(b)
}

// Known sources.
const (
	// SourceStashPay marks events from Stash Pay checkout links.
	SourceStashPay Source = "StashPay"
	// SourceCart marks events from the Stash Webshop cart.
	SourceCart Source = "Cart"
)

// Item is one line of a purchase or cart.
type Item struct {
	// ID is the item (SKU) identifier; a JSON number is kept as its text.
	ID string `json:"id"`
	// Quantity is the number of units; cart mutations may be negative. It
	// decodes from a JSON number or a string holding an integer.
	Quantity int64 `json:"quantity"`
	// Price is the per-item price as sent (see [Amount] for its unit);
	// absent in cart and payment-intent events.
	Price Amount `json:"price,omitempty"`
	// Metadata is the item metadata set at checkout, if any; a number,
	// boolean or null value is kept as its JSON text ("7", "true", "").
	Metadata map[string]string `json:"metadata,omitempty"`
}

// BonusItem is a free item granted with a purchase.
type BonusItem struct {
	// ID identifies the bonus item. It decodes from a JSON string, or from
	// a number as its text ("7").
	ID string `json:"id"`
	// Quantity is the number of units to grant. It decodes from a JSON
	// number or a string holding an integer.
	Quantity int64 `json:"quantity"`
	// Name and Description describe the item, when sent as strings (a
	// number is kept as its text); another kind, such as a localized
	// object, is left empty and never drops the item.
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
}

// TaxDetails breaks down the tax of a purchase.
type TaxDetails struct {
	// Items lists each tax applied.
	Items []TaxItem `json:"items,omitempty"`
}

// TaxItem is one tax applied to a purchase.
type TaxItem struct {
	// Label names the tax, e.g. "Sales Tax".
	Label string `json:"label"`
	// IsInclusive reports whether the tax is included in the prices (a JSON
	// boolean or "true"/"false").
	IsInclusive bool `json:"isInclusive"`
	// Amount is the tax amount as sent (see [Amount] for its unit).
	Amount Amount `json:"amount"`
	// Percentage is the rate as a decimal string, e.g. "7.5" (a JSON
	// number is kept as its text).
	Percentage string `json:"percentage"`
	// Country is the taxing country, e.g. "US".
	Country string `json:"country"`
	// State is the taxing state or region, e.g. "CA", if any.
	State string `json:"state"`
}

// PurchaseSucceeded is the PURCHASE_SUCCEEDED event (wrapper key
// "purchaseSucceeded"): a purchase completed and its items should be granted
// exactly once.
type PurchaseSucceeded struct {
	base
	// OrderID identifies the order; it is the basis of [PurchaseSucceeded.IdempotencyKey].
	OrderID string `json:"orderId"`
	// CheckoutLinkID is the checkout link the purchase was made through.
	CheckoutLinkID string `json:"checkoutLinkId"`
	// TransactionID is the checkout's transaction id when Stash includes it
	// (not documented for webhooks; egress requests carry it); a JSON
	// number is kept as its text.
	TransactionID string `json:"transactionId,omitempty"`
	// ShopID is the originating shop, when sent; a JSON number is kept as
	// its text.
	ShopID string `json:"shopId,omitempty"`
	// UserID is the external user id given at checkout (user.id); a JSON
	// number is kept as its digits.
	UserID string `json:"userId"`
	// Currency is the ISO 4217 code; Stash sends both "usd" and "USD".
	Currency Currency `json:"currency"`
	// Items are the purchased items.
	Items []Item `json:"items"`
	// BonusItems are free items to grant with the purchase, such as the
	// in-game currency of a loyalty tier, which Stash says is "delivered
	// as bonus items on the purchase webhook". Their member name on the
	// webhook is not documented (UNCERTAIN): it is read as "bonusItems",
	// the name the confirm call and GetPaymentEvent use, in their shape
	// ([{"id", "quantity"}]), keeping each element of that shape with an
	// ID and a quantity > 0. Any other shape, of the member or of an
	// element, is left out rather than failing the purchase; Raw keeps it.
	BonusItems []BonusItem `json:"bonusItems,omitempty"`
	// Tax is the tax amount as sent (see [Amount] for its unit).
	Tax Amount `json:"tax"`
	// Total is the amount paid as sent (see [Amount] for its unit).
	Total Amount `json:"total"`
	// TaxDetails breaks the tax down, when sent.
	TaxDetails TaxDetails `json:"taxDetails"`
	// EmailMarketingOptIn reports the player's marketing consent (a JSON
	// boolean or "true"/"false").
	EmailMarketingOptIn bool `json:"emailMarketingOptIn"`
	// RegionCode is the player's CLDR region, e.g. "US".
	RegionCode string `json:"regionCode"`
	// Source is the product the purchase came from.
	Source Source `json:"source"`
	// IPAddress is the player's IP address at purchase time.
	IPAddress string `json:"ipAddress"`
	// TimeMillis is the purchase time as sent.
	TimeMillis Millis `json:"timeMillis"`
	// Time is TimeMillis as a UTC time; zero when absent.
	Time time.Time `json:"-"`
}

// IdempotencyKey returns the purchase's exactly-once key:
// [CheckoutKey](CheckoutLinkID), the key the confirm handler of the root
// package and package grant use for the same purchase. When the event
// carries no checkout link ID (a Webshop cart purchase) it is
// [TransactionKey](TransactionID) when Stash sends a transaction ID (it
// does not document one on webhooks; if it is the confirm call's, the
// two routes then share the key), else "purchase:" + OrderID, a key no
// other route knows (see package grant's WithCartPurchasesOnConfirm); ""
// when all three are empty.
func (e *PurchaseSucceeded) IdempotencyKey() string {
	switch {
	case e.CheckoutLinkID != "":
		return CheckoutKey(e.CheckoutLinkID)
	case e.TransactionID != "":
		return TransactionKey(e.TransactionID)
	case e.OrderID != "":
		return "purchase:" + e.OrderID
	default:
		return ""
	}
}

// CheckoutKey returns "checkout:" + checkoutLinkID, the exactly-once key of
// a purchase on every route that knows its checkout link ID: the
// PURCHASE_SUCCEEDED webhook ([PurchaseSucceeded.IdempotencyKey]), the
// egress confirm call (stashpay.DefaultConfirmKey) and GetPaymentEvent (the
// ID CreateCheckout returned). The checkout link ID is the identity those
// three share; order and transaction IDs are each known to one route only.
func CheckoutKey(checkoutLinkID string) string { return "checkout:" + checkoutLinkID }

// TransactionKey returns "purchase-tx:" + transactionID, the exactly-once
// key of a purchase without a checkout link ID on a route that knows its
// transaction ID: the egress confirm call (stashpay.DefaultConfirmKey) and
// a PURCHASE_SUCCEEDED that carries one.
func TransactionKey(transactionID string) string { return "purchase-tx:" + transactionID }

// PurchaseRefunded is the PURCHASE_REFUNDED event: a full or partial refund.
// Stash has not documented its payload (its webhook list names the event
// only), so every field is left empty when absent and [Event.Raw] keeps the
// whole body as received: read anything else from there.
//
// Modelled on PURCHASE_SUCCEEDED, whose members Stash documents: OrderID,
// CheckoutLinkID, ShopID, UserID, Currency, Items, Total, Tax, RegionCode,
// Source and TimeMillis carry the same names and types as there.
//
// Guesses, in no Stash source: RefundID, TransactionID, Amount and Reason.
// Because RefundID is a guess, [PurchaseRefunded.IdempotencyKey] may be
// empty; key refunds on something the game can trust when it is.
type PurchaseRefunded struct {
	base
	// RefundID identifies the refund, when sent; a JSON number is kept as
	// its text.
	RefundID string `json:"refundId,omitempty"`
	// OrderID identifies the refunded order.
	OrderID string `json:"orderId"`
	// CheckoutLinkID is the checkout link of the refunded purchase.
	CheckoutLinkID string `json:"checkoutLinkId,omitempty"`
	// TransactionID is the checkout's transaction id, when sent; a JSON
	// number is kept as its text.
	TransactionID string `json:"transactionId,omitempty"`
	// ShopID is the originating shop, when sent; a JSON number is kept as
	// its text.
	ShopID string `json:"shopId,omitempty"`
	// UserID is the external user id; a JSON number is kept as its digits.
	UserID string `json:"userId"`
	// Currency is the ISO 4217 code.
	Currency Currency `json:"currency"`
	// Items are the refunded items, when sent.
	Items []Item `json:"items,omitempty"`
	// Amount is the refunded amount ("amount"), when sent as a string or
	// number; another kind (an object) is left empty, not refused (Raw
	// keeps it).
	Amount Amount `json:"amount,omitempty"`
	// Total is the "total" member, when sent as a string or number; another
	// kind is left empty, as Amount's is.
	Total Amount `json:"total,omitempty"`
	// Tax is the refunded tax, when sent as a string or number; another
	// kind is left empty, as Amount's is.
	Tax Amount `json:"tax,omitempty"`
	// Reason is the refund reason, when sent; a number (an enum's) is kept
	// as its digits, another kind is left empty.
	Reason string `json:"reason,omitempty"`
	// RegionCode is the player's CLDR region, when sent.
	RegionCode string `json:"regionCode,omitempty"`
	// Source is the product the purchase came from, when sent.
	Source Source `json:"source,omitempty"`
	// TimeMillis is the refund time as sent.
	TimeMillis Millis `json:"timeMillis"`
	// Time is TimeMillis as a UTC time; zero when absent.
	Time time.Time `json:"-"`
}

// IdempotencyKey returns "refund:" + RefundID, or "" when no refund id was
// sent: one order may be partially refunded several times, so the order id
// alone is not a safe key.
func (e *PurchaseRefunded) IdempotencyKey() string {
	if e.RefundID == "" {
		return ""
	}
	return "refund:" + e.RefundID
}
