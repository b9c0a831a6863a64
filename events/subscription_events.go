package events

import "time"

// The v2 subscription events. Each embeds the [Subscription] decoded from the
// envelope's "data" object, so its fields read directly: e.Status, e.PlanID.
//
// Their IdempotencyKey is built as
//
//	<type> ":" <subscription id> [":" <discriminator>]
//
// and is "" when the subscription id is absent, or when the event type can
// repeat for one subscription and no discriminator was sent (the caller then
// falls back to hashing the raw body, which never merges distinct events).
// Discriminators, first available wins, as described per type: for a
// renewal the billing period (a period is paid once, whichever event name
// announces it, with or without its payment object), then "payment:" +
// Payment.PaymentID, then the envelope id; for a failure or a cancellation
// the payment id, then the envelope id (or the time of a cancellation).

// SubscriptionCreated is the subscription.created event: a subscription
// started from a checkout link.
type SubscriptionCreated struct {
	base
	Subscription
}

// IdempotencyKey returns "subscription.created:" + the subscription id; a
// subscription is created once, so no discriminator is needed.
func (e *SubscriptionCreated) IdempotencyKey() string {
	return onceKey(TypeSubscriptionCreated, &e.Subscription)
}

// SubscriptionPaymentSucceeded is the subscription.payment_succeeded event (a
// renewal, or a recovery during the grace period). It is also returned for
// subscription.renewed; [Event.Type] then reports that type.
type SubscriptionPaymentSucceeded struct {
	base
	Subscription
}

// IdempotencyKey returns "subscription.payment_succeeded:" + id + ":" +
// discriminator ("period:" + CurrentPeriodEnd, else "periodStart:" +
// CurrentPeriodStart, else "payment:" + the payment id, else "event:" + the
// envelope id), or "" without one. The period comes first because it names
// the renewal, while a payment object or an envelope id may come with one
// announcement of it and not another: subscription.renewed uses the same
// prefix, so one renewal announced under both names is granted once. A
// period's start is labelled apart from its end, since the end of one
// period is the start of the next.
func (e *SubscriptionPaymentSucceeded) IdempotencyKey() string {
	return subscriptionKey(TypeSubscriptionPaymentSucceeded, &e.Subscription,
		stamp("period:", e.CurrentPeriodEnd), stamp("periodStart:", e.CurrentPeriodStart), payment(&e.Subscription), tagged("event:", e.eventID))
}

// SubscriptionPaymentFailed is the subscription.payment_failed event: a
// renewal charge failed and the subscription is past_due.
type SubscriptionPaymentFailed struct {
	base
	Subscription
}

// IdempotencyKey returns "subscription.payment_failed:" + id + ":" +
// (payment id or envelope id), or "" without one. The period is not used:
// one period can see several failed retries.
func (e *SubscriptionPaymentFailed) IdempotencyKey() string {
	return subscriptionKey(TypeSubscriptionPaymentFailed, &e.Subscription, payment(&e.Subscription), tagged("event:", e.eventID))
}

// SubscriptionCanceled is the subscription.canceled event: the player
// cancelled; CancelAtPeriodEnd is true and access lasts until the period ends.
type SubscriptionCanceled struct {
	base
	Subscription
}

// IdempotencyKey returns "subscription.canceled:" + id + ":" + (payment id,
// envelope id, or "at:" + CanceledAt), or "" without one.
func (e *SubscriptionCanceled) IdempotencyKey() string {
	return subscriptionKey(TypeSubscriptionCanceled, &e.Subscription, payment(&e.Subscription), tagged("event:", e.eventID), stamp("at:", e.CanceledAt))
}

// SubscriptionExpired is the subscription.expired event: access has ended.
type SubscriptionExpired struct {
	base
	Subscription
}

// IdempotencyKey returns "subscription.expired:" + the subscription id; a
// subscription expires once.
func (e *SubscriptionExpired) IdempotencyKey() string {
	return onceKey(TypeSubscriptionExpired, &e.Subscription)
}

// onceKey is type:id, the key of an event type that comes once per
// subscription and the start of every [subscriptionKey]; "" when the
// subscription id is absent.
func onceKey(t Type, s *Subscription) string {
	id := s.EffectiveID()
	if id == "" {
		return ""
	}
	return string(t) + ":" + id
}

// subscriptionKey builds type:id:discriminator from the first non-empty of
// discriminators (made with [payment], [tagged] and [stamp]); "" when none
// is set.
func subscriptionKey(t Type, s *Subscription, discriminators ...string) string {
	prefix := onceKey(t, s)
	if prefix == "" {
		return ""
	}
	for _, d := range discriminators {
		if d != "" {
			return prefix + ":" + d
		}
	}
	return ""
}

// payment returns "payment:" + the id of s's payment object, or "".
func payment(s *Subscription) string {
	if s.Payment == nil {
		return ""
	}
	return tagged("payment:", s.Payment.PaymentID)
}

// tagged returns label + v, or "" when v is empty.
func tagged(label, v string) string {
	if v == "" {
		return ""
	}
	return label + v
}

// stamp returns label + tm in UTC as RFC 3339, or "" when tm is zero.
func stamp(label string, tm time.Time) string {
	if tm.IsZero() {
		return ""
	}
	return label + tm.UTC().Format(time.RFC3339Nano)
}
