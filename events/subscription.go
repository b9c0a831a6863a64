package events

import (
	"time"

	"github.com/stashpay/stashpay-go/internal/wire"
)

// SubscriptionStatus is a subscription's state. The set is open: unknown
// values decode without error.
type SubscriptionStatus string

// Known subscription states.
const (
	// SubscriptionStatusTrialing is a subscription in its free trial.
	SubscriptionStatusTrialing SubscriptionStatus = "trialing"
	// SubscriptionStatusActive is a paid, current subscription.
	SubscriptionStatusActive SubscriptionStatus = "active"
	// SubscriptionStatusPastDue is a subscription whose renewal failed and
	// that is in its grace period.
	SubscriptionStatusPastDue SubscriptionStatus = "past_due"
	// SubscriptionStatusCanceled is a subscription cancelled by the player;
	// access continues until the current period ends.
	SubscriptionStatusCanceled SubscriptionStatus = "canceled"
	// SubscriptionStatusExpired is a subscription whose access has ended.
	SubscriptionStatusExpired SubscriptionStatus = "expired"
)

// GrantsAccess reports whether the status entitles the player to the
// subscription: every known status except expired does. Unknown statuses
// report false; decide for them explicitly.
func (s SubscriptionStatus) GrantsAccess() bool {
	switch s {
	case SubscriptionStatusTrialing, SubscriptionStatusActive,
		SubscriptionStatusPastDue, SubscriptionStatusCanceled:
		return true
	default:
		return false
	}
}

// openEnum decodes an open enum that Stash may send as a name or a number:
// a name is kept as sent, a number as its decimal digits (wire.Enum).
type openEnum string

// UnmarshalJSON implements [json.Unmarshaler].
func (e *openEnum) UnmarshalJSON(b []byte) error {
	s, err := wire.Enum(b, nil)
	if err != nil {
		return err
	}
	if s != "" {
		*e = openEnum(s)
	}
	return nil
}

// Period is a billing period such as {Value: 1, Unit: "month"}.
type Period struct {
	// Value is the number of units.
	Value int64 `json:"value"`
	// Unit is the unit as sent, e.g. "month".
	Unit string `json:"unit"`
}

// UnmarshalJSON accepts Value as a JSON number or string.
func (p *Period) UnmarshalJSON(b []byte) error {
	var aux struct {
		Value int64    `json:"value"`
		Unit  openEnum `json:"unit"`
	}
	if err := wire.Unmarshal(b, &aux); err != nil {
		return err
	}
	p.Value, p.Unit = aux.Value, string(aux.Unit)
	return nil
}

// SubscriptionPayment is a subscription charge attempt.
type SubscriptionPayment struct {
	// PaymentID identifies the charge attempt.
	PaymentID string `json:"paymentId"`
	// AmountCents is the charged amount in minor units (use
	// [Amount.ParseMinor]).
	AmountCents Amount `json:"amountCents"`
	// Currency is the ISO 4217 code.
	Currency Currency `json:"currency"`
	// TotalTaxAmountCents is the tax in minor units.
	TotalTaxAmountCents Amount `json:"totalTaxAmountCents"`
	// TaxInclusive reports whether AmountCents includes the tax.
	TaxInclusive bool `json:"taxInclusive"`
	// Succeeded reports whether the charge succeeded.
	Succeeded bool `json:"succeeded"`
	// Status is the attempt's status (SUBSCRIPTION_PAYMENT_STATUS_*, shown
	// by Stash's newer docs without the list of values); empty when not
	// sent. Succeeded remains the documented success flag.
	Status SubscriptionPaymentStatus `json:"status,omitempty"`
	// CreatedAt is when the attempt was made; zero when absent.
	CreatedAt time.Time `json:"createdAt"`
	// UpdatedAt is when the attempt last changed; zero when absent.
	UpdatedAt time.Time `json:"updatedAt"`
}

// SubscriptionPaymentStatus is the status of a subscription charge attempt,
// an open enum kept as sent: a name as is, a number as its decimal digits
// (Stash has not published the names' numbers).
type SubscriptionPaymentStatus string

// UnmarshalJSON implements json.Unmarshaler.
func (s *SubscriptionPaymentStatus) UnmarshalJSON(b []byte) error {
	v, err := wire.Enum(b, nil)
	if err == nil {
		*s = SubscriptionPaymentStatus(v)
	}
	return err
}

// UnmarshalJSON accepts timestamps as RFC 3339 strings, empty strings, null
// or Unix milliseconds, and booleans as JSON booleans or "true"/"false".
func (p *SubscriptionPayment) UnmarshalJSON(b []byte) error {
	type plain SubscriptionPayment
	aux := struct {
		*plain
		CreatedAt timestamp `json:"createdAt"`
		UpdatedAt timestamp `json:"updatedAt"`
	}{plain: (*plain)(p)}
	if err := wire.Unmarshal(b, &aux); err != nil {
		return err
	}
	p.CreatedAt, p.UpdatedAt = time.Time(aux.CreatedAt), time.Time(aux.UpdatedAt)
	return nil
}

// Subscription is the "data" object of v2 subscription events. Stash has not
// published its schema; it is modelled on the GetSubscription object and on
// the second subscription service variant, so most fields may be empty.
// Timestamps decode from RFC 3339 strings (or Unix milliseconds) and are zero
// when absent.
type Subscription struct {
	// ID is the "id" member (GetSubscription form).
	ID string `json:"id,omitempty"`
	// SubscriptionID is the "subscriptionId" member (service-variant form).
	// [Subscription.EffectiveID] picks whichever is set.
	SubscriptionID string `json:"subscriptionId,omitempty"`
	// ExternalAccountID is the player's external account id.
	ExternalAccountID string `json:"externalAccountId,omitempty"`
	// PlanID is the subscribed plan.
	PlanID string `json:"planId,omitempty"`
	// SegmentID is the pricing segment, when sent.
	SegmentID string `json:"segmentId,omitempty"`
	// Status is the subscription state after the event.
	Status SubscriptionStatus `json:"status,omitempty"`
	// Period is the billing period.
	Period Period `json:"period"`
	// LockedAmountCents is the locked-in price in minor units, when sent.
	LockedAmountCents Amount `json:"lockedAmountCents,omitempty"`
	// LockedCurrency is the currency of LockedAmountCents.
	LockedCurrency Currency `json:"lockedCurrency,omitempty"`
	// OriginalBillingDay is the day of month billing started on, when sent.
	OriginalBillingDay int64 `json:"originalBillingDay,omitempty"`
	// CancelAtPeriodEnd reports a cancellation effective at period end.
	CancelAtPeriodEnd bool `json:"cancelAtPeriodEnd"`
	// TrialEnd is when the trial ends.
	TrialEnd time.Time `json:"trialEnd"`
	// AccessEndDate is when access ends.
	AccessEndDate time.Time `json:"accessEndDate"`
	// CurrentPeriodStart is when the current period started.
	CurrentPeriodStart time.Time `json:"currentPeriodStart"`
	// CurrentPeriodEnd is when the current period ends.
	CurrentPeriodEnd time.Time `json:"currentPeriodEnd"`
	// NextBillingDate is the next charge date.
	NextBillingDate time.Time `json:"nextBillingDate"`
	// GracePeriodEnd is when the grace period of a past_due subscription ends.
	GracePeriodEnd time.Time `json:"gracePeriodEnd"`
	// CanceledAt is when the subscription was cancelled, decoded from either
	// spelling Stash uses: "canceledAt" (preferred) or "cancelledAt".
	CanceledAt time.Time `json:"canceledAt"`
	// CreatedAt is when the subscription was created.
	CreatedAt time.Time `json:"createdAt"`
	// UpdatedAt is when the subscription last changed.
	UpdatedAt time.Time `json:"updatedAt"`
	// CheckoutLinkMetadata is the metadata of the checkout link that created
	// the subscription.
	CheckoutLinkMetadata map[string]string `json:"checkoutLinkMetadata,omitempty"`
	// Payment is the charge attempt the event is about, when sent.
	Payment *SubscriptionPayment `json:"payment,omitempty"`
}

// EffectiveID returns SubscriptionID when set, else ID.
func (s *Subscription) EffectiveID() string {
	if s.SubscriptionID != "" {
		return s.SubscriptionID
	}
	return s.ID
}

// UnmarshalJSON decodes a subscription tolerantly: timestamps as RFC 3339
// strings (one without a zone as UTC), empty strings, null or Unix
// milliseconds; integers as numbers or strings; booleans as JSON booleans
// or "true"/"false"; status as a string or a number (kept as text); both
// spellings of the cancellation time; metadata values that are numbers,
// booleans or null as their JSON text. Stash has not published the object,
// so a period or locked amount of another shape than modelled is left
// empty rather than refusing the event (Raw keeps it).
func (s *Subscription) UnmarshalJSON(b []byte) error {
	type plain Subscription
	aux := struct {
		*plain
		Status             openEnum                 `json:"status"`
		Period             lenient[Period, *Period] `json:"period"`
		LockedAmountCents  lenientAmount            `json:"lockedAmountCents"`
		TrialEnd           timestamp                `json:"trialEnd"`
		AccessEndDate      timestamp                `json:"accessEndDate"`
		CurrentPeriodStart timestamp                `json:"currentPeriodStart"`
		CurrentPeriodEnd   timestamp                `json:"currentPeriodEnd"`
		NextBillingDate    timestamp                `json:"nextBillingDate"`
		GracePeriodEnd     timestamp                `json:"gracePeriodEnd"`
		CanceledAt         timestamp                `json:"canceledAt"`
		CancelledAt        timestamp                `json:"cancelledAt"`
		CreatedAt          timestamp                `json:"createdAt"`
		UpdatedAt          timestamp                `json:"updatedAt"`
	}{plain: (*plain)(s)}
	if err := wire.Unmarshal(b, &aux); err != nil {
		return err
	}
	s.Status = SubscriptionStatus(aux.Status)
	s.Period, s.LockedAmountCents = aux.Period.v, aux.LockedAmountCents.v
	s.TrialEnd = time.Time(aux.TrialEnd)
	s.AccessEndDate = time.Time(aux.AccessEndDate)
	s.CurrentPeriodStart = time.Time(aux.CurrentPeriodStart)
	s.CurrentPeriodEnd = time.Time(aux.CurrentPeriodEnd)
	s.NextBillingDate = time.Time(aux.NextBillingDate)
	s.GracePeriodEnd = time.Time(aux.GracePeriodEnd)
	s.CanceledAt = time.Time(aux.CanceledAt)
	if s.CanceledAt.IsZero() {
		s.CanceledAt = time.Time(aux.CancelledAt)
	}
	s.CreatedAt = time.Time(aux.CreatedAt)
	s.UpdatedAt = time.Time(aux.UpdatedAt)
	return nil
}
