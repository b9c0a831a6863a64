package stashpay_test

import (
	"encoding/json"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go"
)

// The webshop URL, the subscription links, plans and price conversion
// against the fake, which checks the signature and the required fields.
func TestServerAPIAgainstTheFake(t *testing.T) {
	t.Parallel()
	c, srv := apiFake(t)
	srv.SetPlans(stashpay.Plan{ID: "plan-1", Code: "vip", SegmentID: "seg", Name: "VIP", BillingPeriodValue: 1, BillingPeriodUnit: "MONTH",
		Prices: []stashpay.PlanPrice{{Currency: "USD", AmountCents: 999}}, BenefitsJSON: json.RawMessage(`{"gems":10}`)})
	srv.SetPriceConversions("FR", stashpay.PriceConversions{SourceCurrency: "USD", DestinationCurrency: "EUR", DestinationCountry: "FR",
		Conversions: []stashpay.PriceConversion{{SKU: "gems", SourceAmount: 199, DestinationAmount: 189, DecimalPlaces: 2}}, TaxRate: "0.2"})

	u, err := c.GenerateWebshopURL(t.Context(), &stashpay.WebshopURLParams{User: stashpay.CheckoutUser{ID: "p1"}, Target: stashpay.WebshopTargetLoyalty})
	require.NoError(t, err)
	assert.NotEmpty(t, u.URL)

	link, err := c.CreateSubscriptionCheckoutLink(t.Context(), &stashpay.SubscriptionCheckoutParams{Plan: "vip", Currency: "USD",
		User: stashpay.SubscriptionUser{ID: "p1"}, Metadata: map[string]string{"k": "v"}, InitialPayment: json.RawMessage(`{}`)})
	require.NoError(t, err)
	assert.NotEmpty(t, link.ID)
	change, err := c.CreateSubscriptionChangeCheckoutLink(t.Context(), "sub/1", &stashpay.SubscriptionChangeParams{NewPlan: "plan-1"})
	require.NoError(t, err)
	assert.NotEmpty(t, change.URL)
	_, err = c.CreateSubscriptionCheckoutLink(t.Context(), &stashpay.SubscriptionCheckoutParams{Plan: "gone", Currency: "USD", User: stashpay.SubscriptionUser{ID: "p"}})
	assert.ErrorIs(t, err, stashpay.ErrNotFound)

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

	conv, err := c.ConvertPrices(t.Context(), &stashpay.ConvertPricesParams{SourceCurrency: "USD", DestinationCountry: "FR", SKUs: []string{"gems", "nope"}})
	require.NoError(t, err)
	require.Len(t, conv.Conversions, 1)
	assert.Equal(t, int64(189), conv.Conversions[0].DestinationAmount)
	assert.Equal(t, []string{"nope"}, conv.MissingSKUs)
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

// Every ConvertPrices answer field (the ConvertPrices page) is held.
func TestFullPayloadConvertPrices(t *testing.T) {
	t.Parallel()
	body := `{"sourceCurrency":"USD","destinationCurrency":"EUR","destinationCountry":"FR","conversions":[{"sku":"s1","sourceAmount":"199",
		"destinationAmount":"189","preRoundingAmount":"187.33","displayPrice":"1,89 €","decimalPlaces":2}],"missingSkus":["s2"],"taxRate":"0.2","taxInclusive":true}`
	c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, body)})
	got, err := c.ConvertPrices(t.Context(), &stashpay.ConvertPricesParams{SourceCurrency: "USD", DestinationCountry: "FR", SKUs: []string{"s1", "s2"}, Rounding: "hg"})
	require.NoError(t, err)
	assertHeld(t, []byte(`{"sourceCurrency":"USD","destinationCurrency":"EUR","destinationCountry":"FR","conversions":[{"sku":"s1","sourceAmount":199,
		"destinationAmount":189,"preRoundingAmount":"187.33","displayPrice":"1,89 €","decimalPlaces":2}],"missingSkus":["s2"],"taxRate":"0.2","taxInclusive":true}`), got)
	r := f.requests()[0]
	verifyV1(t, r)
	assert.JSONEq(t, `{"sourceCurrency":"USD","destinationCountry":"FR","skus":["s1","s2"],"rounding":"hg"}`, string(r.Body))
}

// Bad input is refused with the field named, and nothing is sent.
func TestServerAPIValidation(t *testing.T) {
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
		{"webshop nil", func() error { _, err := c.GenerateWebshopURL(ctx, nil); return err }, "nil"},
		{"webshop user", func() error { _, err := c.GenerateWebshopURL(ctx, &stashpay.WebshopURLParams{}); return err }, "User.ID"},
		{"webshop colon", func() error {
			_, err := c.GenerateWebshopURL(ctx, &stashpay.WebshopURLParams{User: stashpay.CheckoutUser{ID: "a:b"}})
			return err
		}, "User.ID"},
		{"webshop UTF-8", func() error {
			_, err := c.GenerateWebshopURL(ctx, &stashpay.WebshopURLParams{User: stashpay.CheckoutUser{ID: "a", DisplayName: "\xff"}})
			return err
		}, "User.DisplayName is not valid UTF-8"},
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
		{"plan ID", func() error { _, err := c.GetPlan(ctx, "\xff"); return err }, "plan ID"},
		{"plan code", func() error { _, err := c.GetPlanByCode(ctx, "", ""); return err }, "plan code"},
		{"segment", func() error { _, err := c.GetPlanByCode(ctx, "c", "\xff"); return err }, "segment ID"},
		{"plan status", func() error { _, err := c.ListPlans(ctx, &stashpay.ListPlansParams{Status: "\xff"}); return err }, "Status"},
		{"prices SKUs", func() error {
			_, err := c.ConvertPrices(ctx, &stashpay.ConvertPricesParams{SourceCurrency: "USD", DestinationCountry: "FR"})
			return err
		}, "SKUs"},
		{"prices empty SKU", func() error {
			_, err := c.ConvertPrices(ctx, &stashpay.ConvertPricesParams{SourceCurrency: "USD", DestinationCountry: "FR", SKUs: []string{""}})
			return err
		}, "SKUs"},
		{"prices SKU UTF-8", func() error {
			_, err := c.ConvertPrices(ctx, &stashpay.ConvertPricesParams{SourceCurrency: "USD", DestinationCountry: "FR", SKUs: []string{"\xff"}})
			return err
		}, "SKUs[0] is not valid UTF-8"},
	}
	for _, tt := range tests {
		err := tt.call()
		require.ErrorIs(t, err, stashpay.ErrInvalidParams, tt.name)
		assert.Contains(t, err.Error(), tt.want, tt.name)
	}
	assert.Empty(t, f.requests())
}
