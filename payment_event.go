package stashpay

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/internal/redact"
	"github.com/stashpay/stashpay-go/internal/wire"
)

// pathPaymentEvent is the endpoint of [Client.GetPaymentEvent], without the ID.
const pathPaymentEvent = "/sdk/server/payment/"

// PaymentStatus is the status of a payment event. It is an open enum: a
// value this SDK does not know is kept as sent. Whether a status means
// "paid" is decided in one place, [PaymentStatus.Paid]; compare statuses
// with it rather than with ==.
type PaymentStatus string

// Payment statuses. Stash publishes only PaymentStatusUnspecified for
// GetPaymentEvent. The names marked "SDK" follow Stash's naming pattern and
// are this SDK's assumption; the names marked "Stash Unity" are the ones
// Stash's own Unity client code (StashExternalPaymentResolver.cs, for a
// client-side payment status endpoint) uses. Neither is a published
// contract, which is why [PaymentStatus.Known] and [PaymentStatus.Paid]
// exist: a status outside this list is never treated as paid, and the
// client logs it (see [Client.GetPaymentEvent]).
const (
	PaymentStatusUnspecified PaymentStatus = "PAYMENT_STATUS_UNSPECIFIED" // published by Stash
	PaymentStatusPending     PaymentStatus = "PAYMENT_STATUS_PENDING"     // SDK
	PaymentStatusSucceeded   PaymentStatus = "PAYMENT_STATUS_SUCCEEDED"   // SDK; paid
	PaymentStatusFailed      PaymentStatus = "PAYMENT_STATUS_FAILED"      // SDK
	PaymentStatusRefunded    PaymentStatus = "PAYMENT_STATUS_REFUNDED"    // SDK

	// PaymentStatusCaptureSucceeded is a captured (charged) payment; paid.
	PaymentStatusCaptureSucceeded PaymentStatus = "PAYMENT_STATUS_CAPTURE_SUCCEEDED" // Stash Unity
	// PaymentStatusAuthorizationSucceeded is an authorised payment not yet
	// captured. Stash's Unity code counts it as a success, but an
	// authorisation can still be voided, so it is NOT paid here: the
	// purchase stays pending until the capture is reported (or confirm,
	// which Stash calls before capturing, grants it).
	PaymentStatusAuthorizationSucceeded PaymentStatus = "PAYMENT_STATUS_AUTHORIZATION_SUCCEEDED" // Stash Unity
	// PaymentStatusAuthorizationFailed is a payment whose authorisation
	// failed; not paid.
	PaymentStatusAuthorizationFailed PaymentStatus = "PAYMENT_STATUS_AUTHORIZATION_FAILED" // Stash Unity
	// PaymentStatusCaptureFailed is a payment whose capture failed; not
	// paid.
	PaymentStatusCaptureFailed PaymentStatus = "PAYMENT_STATUS_CAPTURE_FAILED" // Stash Unity
)

// paymentStatusPaid tells, for every status the SDK knows, whether it is
// paid. It is the one place that decides.
var paymentStatusPaid = map[PaymentStatus]bool{
	PaymentStatusUnspecified:            false,
	PaymentStatusPending:                false,
	PaymentStatusSucceeded:              true,
	PaymentStatusFailed:                 false,
	PaymentStatusRefunded:               false,
	PaymentStatusCaptureSucceeded:       true,
	PaymentStatusAuthorizationSucceeded: false,
	PaymentStatusAuthorizationFailed:    false,
	PaymentStatusCaptureFailed:          false,
}

// Known reports whether s is one of the statuses listed above. A game
// that grants on GetPaymentEvent should alert on an unknown status: it may
// be a paid purchase under a name this SDK has not learnt yet.
func (s PaymentStatus) Known() bool {
	_, ok := paymentStatusPaid[s]
	return ok
}

// Paid reports whether s means the payment was charged and its items may be
// granted: [PaymentStatusSucceeded] or [PaymentStatusCaptureSucceeded].
// Every other status, and every status the SDK does not know, is not paid.
func (s PaymentStatus) Paid() bool { return paymentStatusPaid[s] }

// PaymentEvent is the state of a payment, as returned by
// [Client.GetPaymentEvent]. Fields Stash did not send are zero.
type PaymentEvent struct {
	// ID is the ID the event was looked up by (GetPaymentEvent's argument,
	// the checkout link ID).
	ID string
	// Status is the payment's status (an open enum); see
	// [PaymentStatus.Paid]. A status the SDK does not know is kept as sent
	// when it is at most 128 bytes and holds none of the client's keys;
	// else it is cut to 128 bytes, the keys redacted, and quoted (so that it
	// never reads as a known status).
	Status PaymentStatus
	// CheckoutLinkID, OrderID, TransactionID and UserID are the
	// identifiers of the purchase when Stash sends them ("checkoutLinkId",
	// "orderId", "transactionId", "userId"). Stash's published response
	// has none of them, so each may be empty; Raw keeps whatever was sent.
	CheckoutLinkID, OrderID, TransactionID, UserID string
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
// [Client.CreateCheckout]. A status the SDK does not know
// ([PaymentStatus.Known]) is logged at warning level, with the status and
// id, to the client's logger ([WithLogger]), so that a paid purchase under
// an unlearnt name is seen on the first day. An empty id (or "." or ".."), or one that is not
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
	ev := w.event(id, data)
	if !ev.Status.Known() {
		ev.Status = unknownStatus(ev.Status, c.auth.secrets())
		if c.logger != nil {
			c.logger.LogAttrs(ctx, slog.LevelWarn, "stashpay: payment status unknown to this SDK; not treated as paid",
				slog.String("status", string(ev.Status)), slog.String("checkout_id", id))
		}
	}
	return ev, nil
}

// unknownStatus returns a status the SDK does not know as it may be shown
// in a log line or an error: as sent when it is short and holds none of
// secrets; else cut to maxStatusLen bytes, redacted, and quoted, so that
// what is left can never read as a known status ("PAYMENT_STATUS_SUCCEEDED
// " trimmed would be one).
func unknownStatus(s PaymentStatus, secrets []string) PaymentStatus {
	t := redact.Text(string(s), secrets)
	if len(t) > maxStatusLen {
		cut := maxStatusLen
		for cut > 0 && !utf8.RuneStart(t[cut]) {
			cut--
		}
		t = t[:cut] + "..."
	}
	if t == string(s) {
		return s
	}
	return PaymentStatus(strconv.Quote(t))
}

// paymentEventWire is the JSON of a payment event, read by wire.Unmarshal:
// amounts are JSON strings or numbers (their text kept), integers numbers or
// digit strings, the status a name or a number; unknown fields are ignored.
type paymentEventWire struct {
	Status         paymentStatusWire `json:"status"`
	CheckoutLinkID string            `json:"checkoutLinkId"`
	OrderID        string            `json:"orderId"`
	TransactionID  string            `json:"transactionId"`
	UserID         string            `json:"userId"`
	Currency       string            `json:"currency"`
	Items          []struct {
		ID           string        `json:"id"`
		PricePerItem events.Amount `json:"pricePerItem"`
		Quantity     int64         `json:"quantity"`
		Name         string        `json:"name"`
		Description  string        `json:"description"`
	} `json:"items"`
	BonusItems []struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Quantity    int64  `json:"quantity"`
		Description string `json:"description"`
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

// event returns the PaymentEvent w decodes, looked up by id, with Raw set
// to data, the body it was decoded from.
func (w *paymentEventWire) event(id string, data []byte) *PaymentEvent {
	ev := &PaymentEvent{
		ID: id, Status: PaymentStatus(w.Status), CheckoutLinkID: w.CheckoutLinkID, OrderID: w.OrderID,
		TransactionID: w.TransactionID, UserID: w.UserID,
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
				ID: it.ID, PricePerItem: Amount(it.PricePerItem), Quantity: it.Quantity,
				Name: it.Name, Description: it.Description,
			}
		}
	}
	if len(w.BonusItems) > 0 {
		ev.BonusItems = make([]PaymentEventBonusItem, len(w.BonusItems))
		for i, it := range w.BonusItems {
			ev.BonusItems[i] = PaymentEventBonusItem{
				ID: it.ID, Name: it.Name, Quantity: it.Quantity, Description: it.Description,
			}
		}
	}
	return ev
}
