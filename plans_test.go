package stashpay_test

import (
	"encoding/json"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go"
)

// Plans against the fake, which checks the signature and the required
// fields.
func TestPlansAgainstTheFake(t *testing.T) {
	t.Parallel()
	c, srv := apiFake(t)
	srv.SetPlans(stashpay.Plan{ID: "plan-1", Code: "vip", SegmentID: "seg", Name: "VIP", BillingPeriodValue: 1, BillingPeriodUnit: "MONTH",
		Prices: []stashpay.PlanPrice{{Currency: "USD", AmountCents: 999}}, BenefitsJSON: json.RawMessage(`{"gems":10}`)})
	plans, err := c.ListPlans(t.Context(), nil)
	require.NoError(t, err)
	require.Len(t, plans, 1)
	assert.Equal(t, int64(999), plans[0].Prices[0].AmountCents)
	p, err := c.GetPlan(t.Context(), "plan-1")
	require.NoError(t, err)
	assert.Equal(t, "VIP", p.Name)
	p, err = c.GetPlanByCode(t.Context(), "vip", "seg")
	require.NoError(t, err)
	assert.JSONEq(t, `{"gems":10}`, string(p.BenefitsJSON))
	_, err = c.GetPlanByCode(t.Context(), "vip", "other")
	assert.ErrorIs(t, err, stashpay.ErrNotFound)
}

// Plan fields, as GetPlanByCode's page lists them, with the int64 values as
// strings, are all held; the answer is read wrapped in {"plan"} or not.
func TestFullPayloadPlan(t *testing.T) {
	t.Parallel()
	plan := `{"id":"p1","segmentId":"s1","code":"c1","name":"n1","description":"d1","billingPeriodValue":"3","billingPeriodUnit":"MONTH",
		"prices":[{"currency":"EUR","amountCents":"1299"}],"trialPeriodValue":"7","trialPeriodUnit":"DAY","benefitsJson":"{\"a\":1}",
		"status":"PLAN_STATUS_ACTIVE","availableFrom":"2026-01-01T00:00:00Z","availableUntil":"2026-02-01T00:00:00Z",
		"createdAt":"2025-12-01T00:00:00Z","updatedAt":"2025-12-02T00:00:00Z"}`
	c, _, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, `{"plan":`+plan+`}`), jsonResponder(200, plan)})
	for range 2 {
		p, err := c.GetPlan(t.Context(), "p1")
		require.NoError(t, err)
		want := `{"id":"p1","segmentId":"s1","code":"c1","name":"n1","description":"d1","billingPeriodValue":3,"billingPeriodUnit":"MONTH",
			"prices":[{"currency":"EUR","amountCents":1299}],"trialPeriodValue":7,"trialPeriodUnit":"DAY","benefitsJson":"{\"a\":1}",
			"status":"PLAN_STATUS_ACTIVE","availableFrom":"2026-01-01T00:00:00Z","availableUntil":"2026-02-01T00:00:00Z",
			"createdAt":"2025-12-01T00:00:00Z","updatedAt":"2025-12-02T00:00:00Z"}`
		assertHeld(t, []byte(want), p)
	}
}

// Bad input is refused with the field named, and nothing is sent.
func TestPlansValidation(t *testing.T) {
	t.Parallel()
	c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, `{}`)})
	ctx := t.Context()
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"plan ID", func() error { _, err := c.GetPlan(ctx, "\xff"); return err }, "plan ID"},
		{"plan code", func() error { _, err := c.GetPlanByCode(ctx, "", ""); return err }, "plan code"},
		{"segment", func() error { _, err := c.GetPlanByCode(ctx, "c", "\xff"); return err }, "segment ID"},
		{"plan status", func() error { _, err := c.ListPlans(ctx, &stashpay.ListPlansParams{Status: "\xff"}); return err }, "Status"},
	}
	for _, tt := range tests {
		err := tt.call()
		require.ErrorIs(t, err, stashpay.ErrInvalidParams, tt.name)
		assert.Contains(t, err.Error(), tt.want, tt.name)
	}
	assert.Empty(t, f.requests())
}

// A 200 that holds no plan (a proxy's "{}") is not an empty plan.
func TestGetPlanRefusesAnAnswerWithoutAPlan(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{}`, `null`, `{"plan":{}}`, `{"name":"Gold"}`} {
		c, _, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, body), jsonResponder(200, body)})
		p, err := c.GetPlan(t.Context(), "plan-1")
		require.ErrorIs(t, err, stashpay.ErrMalformedResponse, body)
		assert.Nil(t, p)
		_, err = c.GetPlanByCode(t.Context(), "gold", "")
		require.ErrorIs(t, err, stashpay.ErrMalformedResponse, body)
	}
}

// TestPlanTypesDecodeTolerantly: int64 members as numbers or digit strings,
// snake_case names, null members left zero.
func TestPlanTypesDecodeTolerantly(t *testing.T) {
	t.Parallel()
	runDecodeCases(t, stashpay.Plan{ID: "old", TrialPeriodValue: 3}, []decodeCase[stashpay.Plan]{
		{name: "strings", in: `{"id":"p","billingPeriodValue":"1","trialPeriodValue":"7"}`, want: stashpay.Plan{ID: "p", BillingPeriodValue: 1, TrialPeriodValue: 7}},
		{name: "numbers, snake_case", in: `{"billing_period_value":1,"trial_period_value":7}`, want: stashpay.Plan{BillingPeriodValue: 1, TrialPeriodValue: 7}},
		{name: "nulls", in: `{"billingPeriodValue":null,"trialPeriodValue":null}`, want: stashpay.Plan{}},
		{name: "bad trial", in: `{"trialPeriodValue":"x9"}`, wantErr: "trialPeriodValue"},
	})
	runDecodeCases(t, stashpay.PlanPrice{Currency: "old", AmountCents: 1}, []decodeCase[stashpay.PlanPrice]{
		{name: "string", in: `{"currency":"EUR","amountCents":"1299"}`, want: stashpay.PlanPrice{Currency: "EUR", AmountCents: 1299}},
		{name: "snake_case number", in: `{"amount_cents":1299}`, want: stashpay.PlanPrice{AmountCents: 1299}},
		{name: "bad amount", in: `{"amountCents":"x9"}`, wantErr: "amountCents"},
	})
}

// An APIError's Path is the path alone, as documented: the query (a
// segment ID, a status filter) is not part of it.
func TestPlanErrorPathHasNoQuery(t *testing.T) {
	t.Parallel()
	c, _, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(404, `{"code":5,"message":"not found"}`)})
	_, err := c.GetPlanByCode(t.Context(), "gold", "segment-1")
	var ae *stashpay.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "/sdk/plans/code/gold", ae.Path)
}
