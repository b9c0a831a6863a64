package stashpay

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/internal/wire"
)

// pathPaymentEvent is the endpoint of [Client.GetPaymentEvent], without the ID.
const pathPaymentEvent = "/sdk/server/payment/"

// PaymentStatus is the status of a payment event. It is an open enum: a
// value this SDK does not know is kept as sent. Stash documents only
// [PaymentStatusUnspecified]; the other constants follow Stash's naming
// pattern and are unconfirmed.
type PaymentStatus string

// Payment statuses. Only PaymentStatusUnspecified appears in Stash's
// documentation; the others are plausible names that are NOT confirmed by
// any public source. Compare against them with care, and treat any status
// you do not recognise as "not paid yet".
const (
	PaymentStatusUnspecified PaymentStatus = "PAYMENT_STATUS_UNSPECIFIED"
	PaymentStatusPending     PaymentStatus = "PAYMENT_STATUS_PENDING"   // unconfirmed
	PaymentStatusSucceeded   PaymentStatus = "PAYMENT_STATUS_SUCCEEDED" // unconfirmed
	PaymentStatusFailed      PaymentStatus = "PAYMENT_STATUS_FAILED"    // unconfirmed
	PaymentStatusRefunded    PaymentStatus = "PAYMENT_STATUS_REFUNDED"  // unconfirmed
)

// PaymentEvent is the state of a payment, as returned by
// [Client.GetPaymentEvent]. Fields Stash did not send are zero.
type PaymentEvent struct {
	// Status is the payment's status (an open enum).
	Status PaymentStatus
	// Currency is the ISO 4217 currency of the amounts.
	Currency string
	// Items are the purchased items.
	Items []PaymentEventItem
	// BonusItems are the free items granted with the purchase.
	BonusItems []PaymentEventBonusItem
	// Total is the amount charged, tax included, as sent.
	Total Amount
	// Tax is the tax part of Total, as sent.
	Tax Amount
	// Time is the time of the event (Stash's timeMillis), in UTC; zero if
	// absent.
	Time time.Time
	// Raw is the response body as received, for fields this SDK does not
	// decode yet.
	Raw json.RawMessage
}

// PaymentEventItem is a purchased item of a [PaymentEvent].
type PaymentEventItem struct {
	// ID is the item's SKU or ID, as given at checkout.
	ID string
	// PricePerItem is the unit price, as sent.
	PricePerItem Amount
	// Quantity is the number of units bought.
	Quantity int64
	// Name is the display name.
	Name string
	// Description is the display description.
	Description string
}

// PaymentEventBonusItem is a free item of a [PaymentEvent].
type PaymentEventBonusItem struct {
	// ID is the item's ID, as given at checkout.
	ID string
	// Name is the display name.
	Name string
	// Quantity is the number of units granted.
	Quantity int64
	// Description is the display description.
	Description string
}

// GetPaymentEvent returns the payment event of id (GET
// /sdk/server/payment/{id}), the checkout link ID returned by
// [Client.CreateCheckout]. An empty id (or "." or ".."), or one that is not
// valid UTF-8, is an error wrapping [ErrInvalidParams] and nothing is sent. id is path-escaped. A payment
// Stash does not know is an [*APIError] matching [ErrNotFound].
func (c *Client) GetPaymentEvent(ctx context.Context, id string) (*PaymentEvent, error) {
	if id == "" || id == "." || id == ".." {
		return nil, fmt.Errorf("%w: payment event ID is empty or a dot segment", ErrInvalidParams)
	}
	if !utf8.ValidString(id) {
		return nil, fmt.Errorf("%w: payment event ID is not valid UTF-8", ErrInvalidParams)
	}
	var w paymentEventWire
	data, err := c.doRequest(ctx, http.MethodGet, pathPaymentEvent+url.PathEscape(id), nil, &w)
	if err != nil {
		return nil, err
	}
	return w.event(data), nil
}

// paymentEventWire is the JSON of a payment event, read by wire.Unmarshal:
// amounts are JSON strings or numbers (their text kept), integers numbers or
// digit strings, the status a name or a number; unknown fields are ignored.
type paymentEventWire struct {
	Status   paymentStatusWire `json:"status"`
	Currency string            `json:"currency"`
	Items    []struct {
		ID           string        `json:"id"`
		PricePerItem events.Amount `json:"pricePerItem"`
		Quantity     wire.Int64    `json:"quantity"`
		Name         string        `json:"name"`
		Description  string        `json:"description"`
	} `json:"items"`
	BonusItems []struct {
		ID          string     `json:"id"`
		Name        string     `json:"name"`
		Quantity    wire.Int64 `json:"quantity"`
		Description string     `json:"description"`
	} `json:"bonusItems"`
	Total      events.Amount `json:"total"`
	Tax        events.Amount `json:"tax"`
	TimeMillis wire.Millis   `json:"timeMillis"`
}

// paymentStatusNames are the PaymentStatus values by number, as far as
// Stash has published them.
var paymentStatusNames = []string{string(PaymentStatusUnspecified)}

// paymentStatusWire reads a status sent as a name or as a number.
type paymentStatusWire PaymentStatus

// UnmarshalJSON keeps a name as sent and maps a known number to its name.
func (s *paymentStatusWire) UnmarshalJSON(b []byte) error {
	v, err := wire.Enum(b, paymentStatusNames)
	*s = paymentStatusWire(v)
	return err
}

// event returns the PaymentEvent w decodes, with Raw set to data, the
// body it was decoded from.
func (w *paymentEventWire) event(data []byte) *PaymentEvent {
	ev := &PaymentEvent{
		Status:   PaymentStatus(w.Status),
		Currency: w.Currency,
		Total:    Amount(w.Total),
		Tax:      Amount(w.Tax),
		Time:     w.TimeMillis.Time(),
		Raw:      data,
	}
	if len(w.Items) > 0 {
		ev.Items = make([]PaymentEventItem, len(w.Items))
		for i, it := range w.Items {
			ev.Items[i] = PaymentEventItem{
				ID: it.ID, PricePerItem: Amount(it.PricePerItem), Quantity: int64(it.Quantity),
				Name: it.Name, Description: it.Description,
			}
		}
	}
	if len(w.BonusItems) > 0 {
		ev.BonusItems = make([]PaymentEventBonusItem, len(w.BonusItems))
		for i, it := range w.BonusItems {
			ev.BonusItems[i] = PaymentEventBonusItem{
				ID: it.ID, Name: it.Name, Quantity: int64(it.Quantity), Description: it.Description,
			}
		}
	}
	return ev
}
