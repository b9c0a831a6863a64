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
// then what names the occurrence, as described per type: the billing
// period for a renewal (a period is paid once, whichever event name
// announces it), the envelope id for a failure, the envelope id or the time
// for a cancellation.

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
// discriminator (payment id, else "period:" + CurrentPeriodEnd, else
// CurrentPeriodStart, else "event:" + the envelope id), or "" without one.
// The period comes before the envelope id because it names the renewal,
// while an envelope id names one announcement of it: subscription.renewed
// uses the same prefix, so one renewal announced under both names, each
// with its own envelope id, is granted once.
func (e *SubscriptionPaymentSucceeded) IdempotencyKey() string {
	return subscriptionKey(TypeSubscriptionPaymentSucceeded, &e.Subscription,
		stamp("period:", e.CurrentPeriodEnd), stamp("period:", e.CurrentPeriodStart), tagged("event:", e.eventID))
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
	return subscriptionKey(TypeSubscriptionPaymentFailed, &e.Subscription, tagged("event:", e.eventID))
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
	return subscriptionKey(TypeSubscriptionCanceled, &e.Subscription, tagged("event:", e.eventID), stamp("at:", e.CanceledAt))
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

// subscriptionKey builds type:id:discriminator from the payment id, else
// the first non-empty of discriminators (made with [tagged] and [stamp]);
// "" when none is set.
func subscriptionKey(t Type, s *Subscription, discriminators ...string) string {
	prefix := onceKey(t, s)
	if prefix == "" {
		return ""
	}
	if s.Payment != nil && s.Payment.PaymentID != "" {
		return prefix + ":payment:" + s.Payment.PaymentID
	}
	for _, d := range discriminators {
		if d != "" {
			return prefix + ":" + d
		}
	}
	return ""
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
