package stashpay_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go"
)

// The subscription links against the fake, which checks the signature and
// the required fields.
func TestSubscriptionLinksAgainstTheFake(t *testing.T) {
	t.Parallel()
	c, srv := apiFake(t)
	srv.SetPlans(stashpay.Plan{ID: "plan-1", Code: "vip", SegmentID: "seg", Name: "VIP", BillingPeriodValue: 1, BillingPeriodUnit: "MONTH",
		Prices: []stashpay.PlanPrice{{Currency: "USD", AmountCents: 999}}, BenefitsJSON: json.RawMessage(`{"gems":10}`)})
	link, err := c.CreateSubscriptionCheckoutLink(t.Context(), &stashpay.SubscriptionCheckoutParams{Plan: "vip", Currency: "USD",
		User: stashpay.SubscriptionUser{ID: "p1"}, Metadata: map[string]string{"k": "v"}, InitialPayment: json.RawMessage(`{}`)})
	require.NoError(t, err)
	assert.NotEmpty(t, link.ID)
	change, err := c.CreateSubscriptionChangeCheckoutLink(t.Context(), "sub/1", &stashpay.SubscriptionChangeParams{NewPlan: "plan-1"})
	require.NoError(t, err)
	assert.NotEmpty(t, change.URL)
	_, err = c.CreateSubscriptionCheckoutLink(t.Context(), &stashpay.SubscriptionCheckoutParams{Plan: "gone", Currency: "USD", User: stashpay.SubscriptionUser{ID: "p"}})
	assert.ErrorIs(t, err, stashpay.ErrNotFound)
}

// Bad input is refused with the field named, and nothing is sent.
func TestSubscriptionLinksValidation(t *testing.T) {
	t.Parallel()
	c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, `{}`)})
	ctx := t.Context()
	sub := func(p stashpay.SubscriptionCheckoutParams) func() error {
		return func() error { _, err := c.CreateSubscriptionCheckoutLink(ctx, &p); return err }
	}
	ok := stashpay.SubscriptionCheckoutParams{Plan: "p", Currency: "USD", User: stashpay.SubscriptionUser{ID: "u"}}
	with := func(edit func(*stashpay.SubscriptionCheckoutParams)) stashpay.SubscriptionCheckoutParams {
		p := ok
		edit(&p)
		return p
	}
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"sub plan", sub(with(func(p *stashpay.SubscriptionCheckoutParams) { p.Plan = "" })), "Plan"},
		{"sub currency", sub(with(func(p *stashpay.SubscriptionCheckoutParams) { p.Currency = "" })), "Currency"},
		{"sub user", sub(with(func(p *stashpay.SubscriptionCheckoutParams) { p.User.ID = "" })), "User.ID"},
		{"sub initial payment", sub(with(func(p *stashpay.SubscriptionCheckoutParams) { p.InitialPayment = json.RawMessage(`[1]`) })), "InitialPayment"},
		{"sub metadata key", sub(with(func(p *stashpay.SubscriptionCheckoutParams) { p.Metadata = map[string]string{"\xfe": "v"} })), "Metadata"},
		{"sub metadata value", sub(with(func(p *stashpay.SubscriptionCheckoutParams) { p.Metadata = map[string]string{"k": "\xfe"} })), "Metadata[key] is not valid UTF-8"},
		{"change ID", func() error {
			_, err := c.CreateSubscriptionChangeCheckoutLink(ctx, "", &stashpay.SubscriptionChangeParams{NewPlan: "p"})
			return err
		}, "subscription ID"},
		{"change plan", func() error {
			_, err := c.CreateSubscriptionChangeCheckoutLink(ctx, "s", &stashpay.SubscriptionChangeParams{})
			return err
		}, "NewPlan"},
	}
	for _, tt := range tests {
		err := tt.call()
		require.ErrorIs(t, err, stashpay.ErrInvalidParams, tt.name)
		assert.Contains(t, err.Error(), tt.want, tt.name)
	}
	assert.Empty(t, f.requests())
}

// Stash's CreateSubscriptionChangeCheckoutLink takes newPlan,
// updatePaymentMethod, or both ("At least one of new_plan or
// update_payment_method must be set"; newPlan is optional): a link that only
// asks the subscriber for a new payment method (a past_due card) is valid
// and must be sent. Neither set is still refused locally, naming both.
func TestSubscriptionChangePaymentMethodOnly(t *testing.T) {
	t.Parallel()
	c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, `{"id":"l1","url":"https://pay.stash.gg/s/l1"}`)})
	link, err := c.CreateSubscriptionChangeCheckoutLink(t.Context(), "sub-1", &stashpay.SubscriptionChangeParams{UpdatePaymentMethod: true})
	require.NoError(t, err, "a payment-method-only change is a valid Stash request")
	assert.Equal(t, "l1", link.ID)
	reqs := f.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/sdk/subscriptions/sub-1/change-checkout-links", reqs[0].EscapedPath)
	assert.JSONEq(t, `{"updatePaymentMethod":true}`, string(reqs[0].Body))

	_, err = c.CreateSubscriptionChangeCheckoutLink(t.Context(), "sub-1", &stashpay.SubscriptionChangeParams{})
	require.ErrorIs(t, err, stashpay.ErrInvalidParams)
	assert.Contains(t, err.Error(), "NewPlan")
	assert.Contains(t, err.Error(), "UpdatePaymentMethod")
	assert.Len(t, f.requests(), 1, "nothing sent for an empty change")
}

// Stash's CreateSubscriptionChangeCheckoutLink types billingAnchor as a
// date-time ("Optional new billing anchor timestamp ... Must be within the
// current billing period"): it is sent as an RFC 3339 time in UTC, whatever
// the location of the value, and left out when zero.
func TestSubscriptionChangeBillingAnchor(t *testing.T) {
	t.Parallel()
	paris := time.FixedZone("CET", 3600)
	tests := []struct {
		name   string
		anchor time.Time
		want   string
	}{
		{"UTC", time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), `{"newPlan":"p","billingAnchor":"2026-03-01T10:00:00Z"}`},
		{"another zone is sent in UTC", time.Date(2026, 3, 1, 11, 0, 0, 500, paris), `{"newPlan":"p","billingAnchor":"2026-03-01T10:00:00.0000005Z"}`},
		{"zero is left out", time.Time{}, `{"newPlan":"p"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, `{"id":"l1","url":"https://pay.stash.gg/s/l1"}`)})
			p := &stashpay.SubscriptionChangeParams{NewPlan: "p", BillingAnchor: tt.anchor}
			_, err := c.CreateSubscriptionChangeCheckoutLink(t.Context(), "sub-1", p)
			require.NoError(t, err)
			reqs := f.requests()
			require.Len(t, reqs, 1)
			assert.JSONEq(t, tt.want, string(reqs[0].Body))
			assert.Equal(t, tt.anchor, p.BillingAnchor, "the caller's params are not changed")
		})
	}
}
