package stashpaytest

import (
	"context"
	"fmt"
	stashpay "github.com/stashpay/stashpay-go"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// EgressCall records one call the fake made to the game's egress endpoints.
type EgressCall struct {
	Endpoint   string        // "register", "confirm" or "cancel"
	URL        string        // the full URL called
	Request    []byte        // the exact body sent
	StatusCode int           // the game's answer; 0 when the request failed
	Response   []byte        // the game's answer body (at most 64 KiB)
	Err        string        // the transport error, if any
	Duration   time.Duration // how long the game took to answer
}

// Payment is the outcome of [Server.Pay] or [Server.Decline].
type Payment struct {
	CheckoutID    string                 // the paid checkout's ID (Checkout.ID)
	TransactionID string                 // the checkout's transaction ID, as sent to the egress calls
	OrderID       string                 // set when the payment completed
	Status        stashpay.PaymentStatus // PaymentStatusSucceeded or PaymentStatusFailed
	Register      *EgressCall            // nil without an egress URL
	Confirm       *EgressCall            // nil without an egress URL, or when register failed
	Cancel        *EgressCall            // set by Decline
	Webhook       *Delivery              // the PURCHASE_SUCCEEDED delivery; nil without a webhook URL
	Declined      bool                   // made by Decline
}

// outcome is what the last Pay or Decline of a checkout did, for the
// checkout page and the dashboard.
type outcome struct {
	p   *Payment
	err error
}

// recordOutcome keeps the outcome of a payment that started.
func (s *Server) recordOutcome(checkoutID string, p *Payment, err error) {
	if p == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.outcomes == nil {
		s.outcomes = map[string]outcome{}
	}
	s.outcomes[checkoutID] = outcome{p: p, err: err}
}

// outcomeOf returns the recorded outcome of a checkout's payment.
func (s *Server) outcomeOf(checkoutID string) (outcome, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.outcomes[checkoutID]
	return o, ok
}

// Pay plays the player completing checkoutID's payment, then Stash's back
// office:
//
//  1. With an egress URL ([WithEgressBaseURL]), it calls the game's register,
//     then confirm endpoint, signed with the egress key. A register answer
//     other than 200 with every item SUCCESS_REGISTERED fails the payment
//     ([ErrRegisterRefused]); a confirm answer other than 2xx with a
//     non-empty "results" fails it too ([ErrConfirmRefused]). A failed
//     payment is [stashpay.PaymentStatusFailed] and sends no webhook.
//  2. The payment becomes [stashpay.PaymentStatusSucceeded] for GetPaymentEvent, with a new
//     order ID.
//  3. With a webhook URL, a signed PURCHASE_SUCCEEDED v1 webhook is delivered
//     in the background, with opts; Payment.Webhook is its handle (call its
//     Wait, or [Server.WaitDeliveries], before checking what the game did).
//
// Pay returns the Payment also when it returns an error after the payment
// started, so that tests can inspect the egress calls. A checkout can be paid
// once: paying it again fails with [ErrNotPending].
func (s *Server) Pay(ctx context.Context, checkoutID string, opts ...DeliveryOption) (*Payment, error) {
	p, err := s.pay(ctx, checkoutID, opts)
	s.recordOutcome(checkoutID, p, err)
	return p, err
}

func (s *Server) pay(ctx context.Context, checkoutID string, opts []DeliveryOption) (*Payment, error) {
	c, err := s.startPayment(checkoutID)
	if err != nil {
		return nil, err
	}
	p := &Payment{CheckoutID: c.ID, TransactionID: c.TransactionID, Status: stashpay.PaymentStatusPending}
	if s.egressURL() != "" {
		guids := itemGUIDs(&c)
		p.Register, err = s.register(ctx, &c, guids)
		if err == nil {
			p.Confirm, err = s.confirm(ctx, &c, guids)
		}
		if err != nil {
			p.Status = s.endPayment(checkoutID, stashpay.PaymentStatusFailed, "")
			return p, err
		}
	}
	p.OrderID = randomID()
	p.Status = s.endPayment(checkoutID, stashpay.PaymentStatusSucceeded, p.OrderID)
	if s.webhookURL() == "" {
		return p, nil
	}
	s.mu.Lock()
	payload, err := s.purchaseSucceededPayload(s.checkouts[checkoutID])
	s.mu.Unlock()
	if err != nil {
		return p, err
	}
	p.Webhook, err = s.newDelivery(payload, opts)
	return p, err
}

// Decline plays a payment the player's bank declines after the game reserved
// the items: with an egress URL, the fake calls register, then cancel. The
// checkout becomes [stashpay.PaymentStatusFailed] and no webhook is sent. The error is about
// the calls (a refused register), not the decline itself.
func (s *Server) Decline(ctx context.Context, checkoutID string) (p *Payment, err error) {
	c, err := s.startPayment(checkoutID)
	if err != nil {
		return nil, err
	}
	defer func() { s.recordOutcome(checkoutID, p, err) }()
	p = &Payment{CheckoutID: c.ID, TransactionID: c.TransactionID, Declined: true}
	if s.egressURL() != "" {
		guids := itemGUIDs(&c)
		p.Register, err = s.register(ctx, &c, guids)
		if err == nil {
			p.Cancel, err = s.cancelPurchase(ctx, &c, guids)
		}
	}
	p.Status = s.endPayment(checkoutID, stashpay.PaymentStatusFailed, "")
	return p, err
}

// startPayment takes a pending checkout for payment, so that concurrent Pay
// calls for one checkout run once.
func (s *Server) startPayment(id string) (Checkout, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return Checkout{}, ErrClosed
	}
	c, ok := s.checkouts[id]
	if !ok {
		return Checkout{}, ErrUnknownCheckout
	}
	if c.Status != stashpay.PaymentStatusPending || s.paying[id] {
		return Checkout{}, fmt.Errorf("%w: %s", ErrNotPending, c.Status)
	}
	if s.paying == nil {
		s.paying = map[string]bool{}
	}
	s.paying[id] = true
	return c.clone(), nil
}

func (s *Server) endPayment(id string, status stashpay.PaymentStatus, orderID string) stashpay.PaymentStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.paying, id)
	c := s.checkouts[id]
	c.Status = status
	if status == stashpay.PaymentStatusSucceeded {
		c.OrderID, c.PaidAt = orderID, s.cfg.now()
		s.byOrder[orderID] = id
	}
	return status
}

func itemGUIDs(c *Checkout) []string {
	g := make([]string, len(c.Items))
	for i := range g {
		g[i] = uuid.NewString()
	}
	return g
}

// callEgress POSTs body, signed with the egress key, to the game's endpoint.
func (s *Server) callEgress(ctx context.Context, endpoint string, body []byte) *EgressCall {
	call := &EgressCall{
		Endpoint: endpoint,
		URL:      strings.TrimRight(s.egressURL(), "/") + "/api/v1/purchase/" + endpoint,
		Request:  slices.Clone(body),
	}
	opts := []EgressRequestOption{EgressSignedAt(s.cfg.now())}
	if s.cfg.legacyEgress {
		opts = append(opts, EgressLegacySignature())
	}
	req, err := NewEgressRequest(ctx, s.cfg.shopID, s.cfg.egressKey, call.URL, body, opts...)
	if err != nil {
		call.Err = err.Error()
		return call
	}
	req.Header.Set("User-Agent", "stashpaytest")
	status, body, took, err := s.exchange(req, 64<<10)
	call.Duration = took
	if err != nil {
		call.Err = err.Error()
		return call
	}
	call.StatusCode, call.Response = status, body
	return call
}

// describe summarises a failed call for an error message.
func (c *EgressCall) describe() string {
	if c.Err != "" {
		return c.Err
	}
	body := string(c.Response)
	if len(body) > 200 {
		body = body[:200] + "..."
	}
	return "HTTP " + strconv.Itoa(c.StatusCode) + ": " + strings.TrimSpace(body)
}
