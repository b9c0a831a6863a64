package stashpaytest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/stashpay/stashpay-go/events"
)

// SampleParams are the values a sample event is built from, see
// [SampleEvent].
type SampleParams struct {
	UserID string    // the player; "player-1" when empty
	ItemID string    // the item, or the plan of a subscription event; "gems_100" when empty
	ShopID string    // sent as shopId where the event has one; may be empty
	Now    time.Time // the event's time; time.Now() when zero
}

// ErrNoSample is returned by [SampleEvent] for a type it has no sample of.
var ErrNoSample = errors.New("stashpaytest: no sample for this event type")

// v1Samples maps each v1 event type to its wrapper key and a builder of the
// wrapped object, following the examples of Stash's webhook list.
var v1Samples = map[events.Type]struct {
	key   string
	build func(p SampleParams) any
}{
	events.TypePurchaseSucceeded: {"purchaseSucceeded", func(p SampleParams) any {
		return map[string]any{
			"timeMillis": p.Now.UnixMilli(), "orderId": "order_" + shortID(), "checkoutLinkId": uuid.NewString(),
			"shopId": p.ShopID, "currency": "USD", "userId": p.UserID,
			"items": []any{map[string]any{"id": p.ItemID, "quantity": 2, "price": "9.99",
				"metadata": map[string]string{"source": "stashpay-cli"}}},
			"tax": "1.50", "total": "21.48",
			"taxDetails": map[string]any{"items": []any{map[string]any{
				"label": "Sales Tax", "isInclusive": false, "amount": "1.50", "percentage": "7.5", "country": "US", "state": "CA",
			}}},
			"emailMarketingOptIn": false, "regionCode": "US", "source": string(events.SourceStashPay), "ipAddress": "127.0.0.1",
		}
	}},
	events.TypePurchaseRefunded: {"purchaseRefunded", func(p SampleParams) any {
		return map[string]any{
			"refundId": "rf_" + shortID(), "orderId": "order_" + shortID(), "checkoutLinkId": uuid.NewString(),
			"shopId": p.ShopID, "userId": p.UserID, "currency": "USD",
			"items":  []any{map[string]any{"id": p.ItemID, "quantity": 2, "price": "9.99"}},
			"amount": "21.48", "tax": "1.50", "total": "21.48", "reason": "requested_by_customer",
			"regionCode": "US", "source": string(events.SourceStashPay), "timeMillis": p.Now.UnixMilli(),
		}
	}},
	events.TypeCreatePaymentIntent: {"openPayment", func(p SampleParams) any {
		return map[string]any{"cartId": "cart_" + shortID(), "userId": p.UserID,
			"items": []any{map[string]any{"id": p.ItemID, "quantity": 2}}, "source": string(events.SourceStashPay)}
	}},
	events.TypeFreeItemRedeemed: {"freeItemRedeemed", func(p SampleParams) any {
		return map[string]any{"userId": p.UserID, "itemId": p.ItemID, "ipAddress": "127.0.0.1",
			"metadata": map[string]string{"promotionId": "summer_promo", "redeemCode": "SUMMER2024"}}
	}},
	events.TypeMutateCart: {"mutateCart", func(p SampleParams) any {
		return map[string]any{"cartId": "cart_" + shortID(), "timeMillis": p.Now.UnixMilli(), "userId": p.UserID,
			"items": []any{map[string]any{"id": p.ItemID, "quantity": 3}}, "regionCode": "US", "source": "Cart", "ipAddress": "127.0.0.1"}
	}},
	events.TypeViewItem: {"viewItem", func(p SampleParams) any {
		return map[string]any{"userId": p.UserID, "itemId": p.ItemID, "regionCode": "US"}
	}},
	events.TypeViewCheckoutPage: {"viewCheckoutPage", func(p SampleParams) any {
		return map[string]any{"userId": p.UserID, "regionCode": "US"}
	}},
	events.TypeViewProductDetailPage: {"viewProductDetailsPage", func(p SampleParams) any {
		return map[string]any{"userId": p.UserID, "itemId": p.ItemID, "regionCode": "US"}
	}},
	events.TypeCartButtonClick: {"sendCartButtonClick", func(p SampleParams) any {
		return map[string]any{"userId": p.UserID, "regionCode": "US"}
	}},
}

// v2Types are the v2 (dot-notation) event types a sample can be built for.
var v2Types = []events.Type{
	events.TypeSubscriptionCreated, events.TypeSubscriptionPaymentSucceeded, events.TypeSubscriptionRenewed,
	events.TypeSubscriptionPaymentFailed, events.TypeSubscriptionCanceled, events.TypeSubscriptionExpired,
}

// SampleEventTypes returns every event type [SampleEvent] has a sample of,
// sorted.
func SampleEventTypes() []events.Type {
	out := make([]events.Type, 0, len(v1Samples)+len(v2Types))
	for t := range v1Samples {
		out = append(out, t)
	}
	out = append(out, v2Types...)
	slices.Sort(out)
	return out
}

// SampleEvent returns a realistic, unsigned webhook payload of type t,
// following the examples of Stash's webhook list: any v1 type
// (PURCHASE_SUCCEEDED, PURCHASE_REFUNDED, CREATE_PAYMENT_INTENT, ...) in its
// {"type", "environment": "test", wrapper} envelope, or a v2 subscription
// type in its {"id", "type", "data"} envelope, indented and ending in a
// newline. A type without a sample is an error matching [ErrNoSample]. The
// "stashpay webhook sample" command and the fake's dashboard print and send
// these payloads.
func SampleEvent(t events.Type, p SampleParams) ([]byte, error) {
	if p.UserID == "" {
		p.UserID = "player-1"
	}
	if p.ItemID == "" {
		p.ItemID = "gems_100"
	}
	if p.Now.IsZero() {
		p.Now = time.Now()
	}
	if s, ok := v1Samples[t]; ok {
		// Members in Stash's order: type, environment, wrapper.
		return envelope([]member{{"type", t}, {"environment", "test"}, {s.key, s.build(p)}})
	}
	for _, v2 := range v2Types {
		if v2 == t {
			return envelope([]member{{"id", "evt_" + shortID()}, {"type", t}, {"data", subscriptionData(t, p)}})
		}
	}
	return nil, ErrNoSample
}

// subscriptionData is the data object of a v2 subscription event.
func subscriptionData(t events.Type, p SampleParams) map[string]any {
	start := p.Now.UTC().Truncate(time.Second)
	end := start.AddDate(0, 1, 0)
	status, cancelAtEnd := events.SubscriptionStatusActive, false
	switch t {
	case events.TypeSubscriptionPaymentFailed:
		status = events.SubscriptionStatusPastDue
	case events.TypeSubscriptionCanceled:
		status, cancelAtEnd = events.SubscriptionStatusCanceled, true
	case events.TypeSubscriptionExpired:
		status = events.SubscriptionStatusExpired
	}
	d := map[string]any{
		"id": "sub_" + shortID(), "externalAccountId": p.UserID, "planId": p.ItemID, "status": status,
		"period": map[string]any{"value": 1, "unit": "month"}, "cancelAtPeriodEnd": cancelAtEnd,
		"currentPeriodStart": start.Format(time.RFC3339), "currentPeriodEnd": end.Format(time.RFC3339),
		"createdAt": start.Format(time.RFC3339), "updatedAt": start.Format(time.RFC3339),
	}
	switch t {
	case events.TypeSubscriptionCreated, events.TypeSubscriptionPaymentSucceeded, events.TypeSubscriptionRenewed:
		d["nextBillingDate"] = end.Format(time.RFC3339)
	case events.TypeSubscriptionCanceled:
		d["canceledAt"] = start.Format(time.RFC3339)
		d["accessEndDate"] = end.Format(time.RFC3339)
	case events.TypeSubscriptionExpired:
		d["accessEndDate"] = start.Format(time.RFC3339)
	}
	if t == events.TypeSubscriptionPaymentSucceeded || t == events.TypeSubscriptionRenewed || t == events.TypeSubscriptionPaymentFailed {
		ok := t != events.TypeSubscriptionPaymentFailed
		d["payment"] = map[string]any{
			"paymentId": "pay_" + shortID(), "amountCents": "499", "currency": "USD", "totalTaxAmountCents": "0",
			"taxInclusive": false, "succeeded": ok, "createdAt": start.Format(time.RFC3339), "updatedAt": start.Format(time.RFC3339),
		}
	}
	return d
}

type member struct {
	key   string
	value any
}

// envelope encodes members as a JSON object in the given order, indented
// for reading (the signature covers these exact bytes).
func envelope(members []member) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("{")
	for i, m := range members {
		if i > 0 {
			b.WriteString(",")
		}
		k, err := json.Marshal(m.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(m.value)
		if err != nil {
			return nil, fmt.Errorf("encoding %s: %w", m.key, err)
		}
		b.Write(k)
		b.WriteString(":")
		b.Write(v)
	}
	b.WriteString("}")
	var out bytes.Buffer
	if err := json.Indent(&out, b.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// shortID returns a random identifier suffix.
func shortID() string {
	return strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
}
