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
// Discriminators, first available wins: "payment:" + Payment.PaymentID,
// "event:" + the envelope id, then a period or time as described per type.

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
// discriminator (payment id, envelope id, or "period:" + CurrentPeriodEnd,
// else CurrentPeriodStart), or "" without one. subscription.renewed uses the
// same prefix, so one renewal announced under both names is granted once.
func (e *SubscriptionPaymentSucceeded) IdempotencyKey() string {
	return subscriptionKey(TypeSubscriptionPaymentSucceeded, &e.Subscription, e.eventID,
		e.CurrentPeriodEnd, e.CurrentPeriodStart)
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
	return subscriptionKey(TypeSubscriptionPaymentFailed, &e.Subscription, e.eventID)
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
	return subscriptionKey(TypeSubscriptionCanceled, &e.Subscription, e.eventID, e.CanceledAt)
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

// subscriptionKey builds type:id:discriminator from the first available of
// payment id, envelope event id and the given times; "" when none is set.
func subscriptionKey(t Type, s *Subscription, eventID string, times ...time.Time) string {
	prefix := onceKey(t, s)
	if prefix == "" {
		return ""
	}
	prefix += ":"
	if s.Payment != nil && s.Payment.PaymentID != "" {
		return prefix + "payment:" + s.Payment.PaymentID
	}
	if eventID != "" {
		return prefix + "event:" + eventID
	}
	label := "period:"
	if t == TypeSubscriptionCanceled {
		label = "at:"
	}
	for _, tm := range times {
		if !tm.IsZero() {
			return prefix + label + tm.UTC().Format(time.RFC3339Nano)
		}
	}
	return ""
}
