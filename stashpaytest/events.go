package stashpaytest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	stashpay "github.com/stashpay/stashpay-go"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/stashpay/stashpay-go/events"
)

type wireWebhookItem struct {
	ID       string            `json:"id"`
	Quantity int64             `json:"quantity"`
	Price    string            `json:"price"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

type wireTaxItem struct {
	Label       string `json:"label"`
	IsInclusive bool   `json:"isInclusive"`
	Amount      string `json:"amount"`
	Percentage  string `json:"percentage"`
	Country     string `json:"country"`
}

type wireTaxDetails struct {
	Items []wireTaxItem `json:"items"`
}

type wirePurchaseSucceeded struct {
	TimeMillis          int64             `json:"timeMillis"`
	OrderID             string            `json:"orderId"`
	CheckoutLinkID      string            `json:"checkoutLinkId"`
	ShopID              string            `json:"shopId"`
	Currency            string            `json:"currency"`
	UserID              string            `json:"userId"`
	Items               []wireWebhookItem `json:"items"`
	Tax                 string            `json:"tax"`
	Total               string            `json:"total"`
	TaxDetails          wireTaxDetails    `json:"taxDetails"`
	EmailMarketingOptIn bool              `json:"emailMarketingOptIn"`
	RegionCode          string            `json:"regionCode"`
	Source              string            `json:"source"`
	IPAddress           string            `json:"ipAddress"`
}

type wirePurchaseRefunded struct {
	RefundID       string            `json:"refundId"`
	OrderID        string            `json:"orderId"`
	CheckoutLinkID string            `json:"checkoutLinkId"`
	ShopID         string            `json:"shopId"`
	UserID         string            `json:"userId"`
	Currency       string            `json:"currency"`
	Items          []wireWebhookItem `json:"items"`
	Amount         string            `json:"amount"`
	Tax            string            `json:"tax"`
	Total          string            `json:"total"`
	Reason         string            `json:"reason,omitempty"`
	RegionCode     string            `json:"regionCode"`
	Source         string            `json:"source"`
	TimeMillis     int64             `json:"timeMillis"`
}

// amount renders minor units in the configured webhook amount format.
func (s *Server) amount(minor int64, scale int) string {
	if s.cfg.amountFormat == MinorUnitAmounts {
		return strconv.FormatInt(minor, 10)
	}
	return formatAmount(minor, scale)
}

func (s *Server) webhookItems(c *Checkout) []wireWebhookItem {
	items := make([]wireWebhookItem, 0, len(c.Items))
	for _, it := range c.Items {
		items = append(items, wireWebhookItem{ID: it.ID, Quantity: it.Quantity, Price: s.amount(it.UnitMinor, c.DecimalPlaces)})
	}
	return items
}

// v1Envelope marshals {"type": typ, "environment": env, key: data}, members
// in that order.
func (s *Server) v1Envelope(typ events.Type, key string, data any) ([]byte, error) {
	inner, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	t, _ := json.Marshal(typ)
	e, _ := json.Marshal(s.cfg.environment)
	k, _ := json.Marshal(key)
	var b bytes.Buffer
	b.WriteString(`{"type":`)
	b.Write(t)
	b.WriteString(`,"environment":`)
	b.Write(e)
	b.WriteByte(',')
	b.Write(k)
	b.WriteByte(':')
	b.Write(inner)
	b.WriteByte('}')
	return b.Bytes(), nil
}

// purchaseSucceededPayload builds the PURCHASE_SUCCEEDED v1 webhook of a
// paid checkout. The caller holds s.mu or owns c.
func (s *Server) purchaseSucceededPayload(c *Checkout) ([]byte, error) {
	p := wirePurchaseSucceeded{
		TimeMillis: c.PaidAt.UnixMilli(), OrderID: c.OrderID, CheckoutLinkID: c.ID, ShopID: s.cfg.shopID,
		Currency: c.Currency, UserID: c.User.ID, Items: s.webhookItems(c),
		Tax: s.amount(c.Tax, c.DecimalPlaces), Total: s.amount(c.Total, c.DecimalPlaces),
		TaxDetails: wireTaxDetails{Items: []wireTaxItem{}},
		RegionCode: c.RegionCode, Source: string(events.SourceStashPay), IPAddress: "127.0.0.1",
	}
	if c.Tax > 0 {
		p.TaxDetails.Items = append(p.TaxDetails.Items, wireTaxItem{
			Label: "Sales Tax", Amount: s.amount(c.Tax, c.DecimalPlaces),
			Percentage: formatAmount(s.cfg.taxBasisPts, 2), Country: c.RegionCode,
		})
	}
	return s.v1Envelope(events.TypePurchaseSucceeded, "purchaseSucceeded", p)
}

// Refund refunds a paid checkout in full: GetPaymentEvent then reports
// [stashpay.PaymentStatusRefunded], and a PURCHASE_REFUNDED v1 webhook (wrapper key
// "purchaseRefunded"; Stash has not published this payload, so its fields
// mirror PURCHASE_SUCCEEDED plus refundId, amount and reason) is delivered.
// Like [Server.SendEvent] it returns when the delivery ended; without a
// webhook URL it returns a nil Delivery and no error.
func (s *Server) Refund(ctx context.Context, checkoutID string, opts ...DeliveryOption) (*Delivery, error) {
	d, err := s.startRefund(checkoutID, opts)
	if err != nil || d == nil || s.isHeld(d) {
		return d, err
	}
	return d, d.Wait(ctx)
}

// startRefund refunds a checkout and starts the PURCHASE_REFUNDED delivery
// without waiting for it; nil without a webhook URL.
func (s *Server) startRefund(checkoutID string, opts []DeliveryOption) (*Delivery, error) {
	s.mu.Lock()
	c, ok := s.checkouts[checkoutID]
	if !ok {
		s.mu.Unlock()
		return nil, ErrUnknownCheckout
	}
	if c.Status != stashpay.PaymentStatusSucceeded {
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: %s", ErrNotPaid, c.Status)
	}
	c.Status, c.RefundedAt = stashpay.PaymentStatusRefunded, s.cfg.now()
	p := wirePurchaseRefunded{
		RefundID: "rf_" + randomID(), OrderID: c.OrderID, CheckoutLinkID: c.ID, ShopID: s.cfg.shopID,
		UserID: c.User.ID, Currency: c.Currency, Items: s.webhookItems(c),
		Amount: s.amount(c.Total, c.DecimalPlaces), Tax: s.amount(c.Tax, c.DecimalPlaces),
		Total: s.amount(c.Total, c.DecimalPlaces), Reason: "requested_by_customer",
		RegionCode: c.RegionCode, Source: string(events.SourceStashPay), TimeMillis: c.RefundedAt.UnixMilli(),
	}
	s.mu.Unlock()
	if s.webhookURL() == "" {
		return nil, nil
	}
	payload, err := s.v1Envelope(events.TypePurchaseRefunded, "purchaseRefunded", p)
	if err != nil {
		return nil, err
	}
	return s.newDelivery(payload, opts)
}

// SendEvent delivers any webhook payload to the game, signed like Stash signs
// webhooks and retried on the configured schedule until the game answers 200.
// payload is sent as is when it is a []byte or json.RawMessage, and
// JSON-encoded otherwise (a map or struct holding a v1 or v2 envelope).
//
// SendEvent returns when the delivery ended: the error is nil when every copy
// was answered 200 and matches [ErrNotDelivered] when retries ran out. While
// deliveries are held ([Server.HoldDeliveries]) it returns at once with the
// held delivery and a nil error. The returned Delivery is non-nil whenever a
// delivery was made.
func (s *Server) SendEvent(ctx context.Context, payload any, opts ...DeliveryOption) (*Delivery, error) {
	var body []byte
	switch p := payload.(type) {
	case []byte:
		body = p
	case json.RawMessage:
		body = p
	default:
		b, err := json.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("stashpaytest: encoding payload: %w", err)
		}
		body = b
	}
	return s.send(ctx, body, opts)
}

func (s *Server) send(ctx context.Context, body []byte, opts []DeliveryOption) (*Delivery, error) {
	d, err := s.newDelivery(body, opts)
	if err != nil {
		return nil, err
	}
	if s.isHeld(d) {
		return d, nil
	}
	return d, d.Wait(ctx)
}

// Subscription describes the subscription a v2 event is about, see
// [Server.SendSubscriptionEvent]. Zero fields are left out of the payload.
type Subscription struct {
	ID                   string            // generated when empty
	ExternalAccountID    string            // the player
	PlanID               string            // the plan's ID; omitted when empty
	Status               string            // defaults by event type: active, past_due, canceled, expired
	PeriodValue          int64             // e.g. 1
	PeriodUnit           string            // e.g. "month"
	CancelAtPeriodEnd    bool              // access lasts until the period ends; set for canceled events when Status is empty
	CurrentPeriodStart   time.Time         // sent as RFC 3339 in UTC; omitted when zero
	CurrentPeriodEnd     time.Time         // RFC 3339 in UTC; omitted when zero
	NextBillingDate      time.Time         // RFC 3339 in UTC; omitted when zero
	TrialEnd             time.Time         // RFC 3339 in UTC; omitted when zero
	AccessEndDate        time.Time         // RFC 3339 in UTC; omitted when zero
	CanceledAt           time.Time         // RFC 3339 in UTC; omitted when zero
	CreatedAt            time.Time         // defaults to now
	CheckoutLinkMetadata map[string]string // the checkout link's metadata; omitted when empty
	// Payment is sent as the "payment" member (payment events).
	Payment *SubscriptionPayment
}

// SubscriptionPayment is a subscription charge attempt in a v2 event.
type SubscriptionPayment struct {
	PaymentID   string // generated when empty
	AmountCents int64  // the amount in minor units of Currency; sent as a string
	Currency    string // ISO 4217 code, e.g. "USD"; sent even when empty
	Succeeded   bool   // whether the charge went through
}

// SendSubscriptionEvent delivers a v2 subscription event {"id", "type",
// "data"} (the envelope "id" is this fake's assumption) of type typ, e.g.
// events.TypeSubscriptionCreated, describing sub. It behaves like
// [Server.SendEvent].
func (s *Server) SendSubscriptionEvent(ctx context.Context, typ events.Type, sub Subscription, opts ...DeliveryOption) (*Delivery, error) {
	payload, err := s.subscriptionPayload(typ, sub)
	if err != nil {
		return nil, err
	}
	return s.send(ctx, payload, opts)
}

func (s *Server) subscriptionPayload(typ events.Type, sub Subscription) ([]byte, error) {
	if sub.ID == "" {
		sub.ID = "sub_" + randomID()
	}
	if sub.CreatedAt.IsZero() {
		sub.CreatedAt = s.cfg.now()
	}
	if sub.Status == "" {
		switch typ {
		case events.TypeSubscriptionPaymentFailed:
			sub.Status = string(events.SubscriptionStatusPastDue)
		case events.TypeSubscriptionCanceled:
			sub.Status = string(events.SubscriptionStatusCanceled)
			sub.CancelAtPeriodEnd = true
		case events.TypeSubscriptionExpired:
			sub.Status = string(events.SubscriptionStatusExpired)
		default:
			sub.Status = string(events.SubscriptionStatusActive)
		}
	}
	data := map[string]any{
		"id": sub.ID, "status": sub.Status, "cancelAtPeriodEnd": sub.CancelAtPeriodEnd,
		"createdAt": sub.CreatedAt.UTC().Format(time.RFC3339),
	}
	setIf := func(k, v string) {
		if v != "" {
			data[k] = v
		}
	}
	setIf("externalAccountId", sub.ExternalAccountID)
	setIf("planId", sub.PlanID)
	if sub.PeriodValue != 0 || sub.PeriodUnit != "" {
		data["period"] = map[string]any{"value": sub.PeriodValue, "unit": sub.PeriodUnit}
	}
	for k, t := range map[string]time.Time{
		"currentPeriodStart": sub.CurrentPeriodStart, "currentPeriodEnd": sub.CurrentPeriodEnd,
		"nextBillingDate": sub.NextBillingDate, "trialEnd": sub.TrialEnd,
		"accessEndDate": sub.AccessEndDate, "canceledAt": sub.CanceledAt,
	} {
		if !t.IsZero() {
			data[k] = t.UTC().Format(time.RFC3339)
		}
	}
	if len(sub.CheckoutLinkMetadata) > 0 {
		data["checkoutLinkMetadata"] = sub.CheckoutLinkMetadata
	}
	if p := sub.Payment; p != nil {
		id := p.PaymentID
		if id == "" {
			id = "pay_" + randomID()
		}
		data["payment"] = map[string]any{
			"paymentId": id, "amountCents": strconv.FormatInt(p.AmountCents, 10), "currency": p.Currency,
			"succeeded": p.Succeeded, "createdAt": s.cfg.now().UTC().Format(time.RFC3339),
		}
	}
	return json.Marshal(map[string]any{"id": "evt_" + uuid.NewString(), "type": typ, "data": data})
}

// randomID returns 27 random base-62 characters, the shape of Stash's order
// IDs (e.g. "8ZVBabLrnCMm9zPdu9QpfCWzNaA").
func randomID() string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var b [27]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}

// SendEventsOutOfOrder delivers payloads (each as [Server.SendEvent] takes
// it) in one call, in the reverse of the order given: the last first, each
// delivery ended before the next starts. Use it to check that the game copes
// with, say, a refund or a cancellation arriving before the event it
// follows. The deliveries are returned in the order given. For events the
// fake sends by itself (from [Server.Pay]), use [Server.HoldDeliveries] and
// [Server.ReleaseDeliveries] with [Reversed] instead.
func (s *Server) SendEventsOutOfOrder(ctx context.Context, payloads []any, opts ...DeliveryOption) ([]*Delivery, error) {
	out := make([]*Delivery, len(payloads))
	for i := len(payloads) - 1; i >= 0; i-- {
		d, err := s.SendEvent(ctx, payloads[i], opts...)
		out[i] = d
		if err != nil {
			return out, err
		}
	}
	return out, nil
}
