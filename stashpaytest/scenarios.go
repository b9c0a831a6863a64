package stashpaytest

import (
	stashpay "github.com/stashpay/stashpay-go"
)

// Lost makes every attempt of the delivery fail before it reaches the game,
// as when the game's webhook endpoint was unreachable for the whole of
// Stash's retry window (about a day): the delivery ends with
// [ErrNotDelivered] and each [Attempt] carries an Err. Given to
// [Server.Pay], it plays a purchase whose webhooks are all lost, so that
// only a poll of GetPaymentEvent (a reconciler) can grant it:
//
//	p, _ := fake.Pay(ctx, checkoutID, stashpaytest.Lost())
//	_ = p.Webhook.Wait(ctx) // ErrNotDelivered
func Lost() DeliveryOption { return func(s *deliverySettings) { s.lost = true } }

// errLost is the transport error of a lost attempt.
const errLost = "stashpaytest: delivery lost (Lost): the game's endpoint was not reached"

// lostAttempt completes the record of an attempt that [Lost] drops.
func lostAttempt(a Attempt) Attempt {
	a.Err = errLost
	return a
}

// WithPaidStatus sets the status GetPaymentEvent reports for a paid
// checkout, instead of [stashpay.PaymentStatusSucceeded]. Stash publishes
// no paid status, so a test can play one the SDK does not know, such as
// "PAYMENT_STATUS_SETTLED" (which a game must never grant, and must
// notice), or another name the SDK knows, such as
// [stashpay.PaymentStatusCaptureSucceeded]. The checkout's own Status, as
// the inspection methods return it, stays PaymentStatusSucceeded. An empty
// status keeps the default.
func WithPaidStatus(status stashpay.PaymentStatus) Option {
	return func(c *config) { c.paidStatus = status }
}

// reportedStatus is the status GetPaymentEvent reports for a checkout in
// status.
func (s *Server) reportedStatus(status stashpay.PaymentStatus) stashpay.PaymentStatus {
	if status == stashpay.PaymentStatusSucceeded && s.cfg.paidStatus != "" {
		return s.cfg.paidStatus
	}
	return status
}
