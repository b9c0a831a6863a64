package stashpaytest_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/stashpaytest"
)

// swagger.ingress.v1.json (lines 315-319) types ListProducts' nextOffset as
// {"type": "integer", "format": "int64"}, the form protoc-gen-openapiv2 gives
// a 32-bit unsigned field, which protojson writes as a JSON number (as it
// writes the price's cents, lines 178-182, example "cents": 499). A client
// written against the fake must see the kind Stash sends.
func TestFakeListProductsNextOffsetIsJSONNumber(t *testing.T) {
	t.Parallel()
	s := stashpaytest.Start(t)
	s.SetProducts(stashpay.Product{ProductID: "a"}, stashpay.Product{ProductID: "b"}, stashpay.Product{ProductID: "c"})
	code, body := call(t, s, http.MethodGet, "/sdk/studio/"+s.ShopID()+"/products?limit=1", nil, validV1(s))
	require.Equal(t, http.StatusOK, code, string(body))
	var page struct {
		NextOffset json.RawMessage `json:"nextOffset"`
	}
	require.NoError(t, json.Unmarshal(body, &page))
	require.NotEmpty(t, page.NextOffset, string(body))
	var n json.Number
	assert.NoError(t, json.Unmarshal(page.NextOffset, &n))
	assert.NotEqual(t, byte('"'), page.NextOffset[0], "nextOffset must be a JSON number, got %s", page.NextOffset)
}

// swagger.ingress.v1.json line 36 (ListProducts): "Only published products
// whose offer window contains the current time are returned"; line 391
// (GetProduct): "Returns NOT_FOUND if the product ... is not published, or
// its offer is outside the current schedule". The fake serves what was set
// regardless of its offer window.
func TestFakeProductsOutsideOfferWindow(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	s := stashpaytest.Start(t, stashpaytest.WithClock(func() time.Time { return now }))
	s.SetProducts(
		stashpay.Product{ProductID: "live", Status: stashpay.ProductStatusPublished},
		stashpay.Product{ProductID: "ended", Status: stashpay.ProductStatusPublished, OfferEndTime: now.Add(-time.Hour)},
		stashpay.Product{ProductID: "future", Status: stashpay.ProductStatusPublished, OfferStartTime: now.Add(time.Hour)},
	)
	code, body := call(t, s, http.MethodGet, "/sdk/studio/"+s.ShopID()+"/products", nil, validV1(s))
	require.Equal(t, http.StatusOK, code, string(body))
	var page struct {
		Products []struct {
			ProductID string `json:"productId"`
		} `json:"products"`
	}
	require.NoError(t, json.Unmarshal(body, &page))
	var ids []string
	for _, p := range page.Products {
		ids = append(ids, p.ProductID)
	}
	assert.Equal(t, []string{"live"}, ids, "ListProducts lists only offers whose window contains now")
	for _, id := range []string{"ended", "future"} {
		code, body := call(t, s, http.MethodGet, "/sdk/studio/"+s.ShopID()+"/products/"+id, nil, validV1(s))
		assert.Equal(t, http.StatusNotFound, code, "%s: %s", id, body)
	}
}

// Stash's CreateSubscriptionChangeCheckoutLink: "At least one of new_plan or
// update_payment_method must be set"; newPlan is optional. The fake answers
// a payment-method-only change with a link, a change to a plan it does not
// know with 404, and a change with neither with 400.
func TestFakeSubscriptionChangeLink(t *testing.T) {
	t.Parallel()
	s := stashpaytest.Start(t)
	s.SetPlans(stashpay.Plan{ID: "plan-1", Code: "monthly"})
	tests := []struct {
		name, body string
		want       int
	}{
		{"payment method only", `{"updatePaymentMethod":true}`, http.StatusOK},
		{"new plan", `{"newPlan":"monthly"}`, http.StatusOK},
		{"both", `{"newPlan":"plan-1","updatePaymentMethod":true}`, http.StatusOK},
		{"unknown plan", `{"newPlan":"yearly","updatePaymentMethod":true}`, http.StatusNotFound},
		{"neither", `{"referenceId":"r"}`, http.StatusBadRequest},
		{"payment method false", `{"updatePaymentMethod":false}`, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, body := call(t, s, http.MethodPost, "/sdk/subscriptions/sub-1/change-checkout-links", []byte(tt.body), validV1(s))
			require.Equal(t, tt.want, code, string(body))
			if code == http.StatusOK {
				var link struct{ ID, URL string }
				require.NoError(t, json.Unmarshal(body, &link))
				assert.NotEmpty(t, link.ID)
				assert.Contains(t, link.URL, link.ID)
			}
		})
	}
}
