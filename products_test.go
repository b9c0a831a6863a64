package stashpay_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go"
)

// Every field of ListProducts and GetProduct (swagger.ingress.v1.json) is
// held; the requests are signed GETs on the credentials' shop.
func TestFullPayloadProducts(t *testing.T) {
	t.Parallel()
	list, one := fullPayload(t, "products"), fullPayload(t, "product")
	c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, string(list)), jsonResponder(200, string(one))})
	page, err := c.ListProducts(t.Context(), &stashpay.ListProductsParams{Limit: 10, Offset: 20})
	require.NoError(t, err)
	assertHeld(t, list, page)
	p, err := c.GetProduct(t.Context(), "sku/1")
	require.NoError(t, err)
	assertHeld(t, one, map[string]any{"product": p})
	reqs := f.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/sdk/studio/"+testShopID+"/products", reqs[0].EscapedPath)
	assert.Equal(t, "/sdk/studio/"+testShopID+"/products/sku%2F1", reqs[1].EscapedPath)
	for _, r := range reqs {
		assert.Equal(t, "GET", r.Method)
		verifyV1(t, r)
	}
}

// int64 members arrive as JSON strings (grpc-gateway's encoding): read as
// numbers.
func TestProductsInt64AsStrings(t *testing.T) {
	t.Parallel()
	c, _, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200,
		`{"products":[{"productId":"a","prices":[{"currency":"USD","cents":"499","decimal_places":"2","platform":1}]}],"nextOffset":"50"}`)})
	page, err := c.ListProducts(t.Context(), nil)
	require.NoError(t, err)
	assert.Equal(t, int64(50), page.NextOffset)
	require.Len(t, page.Products[0].Prices, 1)
	pr := page.Products[0].Prices[0]
	assert.Equal(t, int64(499), pr.Cents)
	assert.Equal(t, stashpay.ProductPricePlatformUniversal, pr.Platform)
	a, err := pr.Amount()
	require.NoError(t, err)
	assert.Equal(t, stashpay.Amount("4.99"), a)
}

// The iterator walks every page of the fake, and stops with an error on a
// page whose nextOffset does not advance.
func TestProductsIterator(t *testing.T) {
	t.Parallel()
	c, srv := apiFake(t)
	var all []stashpay.Product
	for i := range 7 {
		all = append(all, stashpay.Product{ProductID: "sku-" + string(rune('a'+i))})
	}
	srv.SetProducts(all...)
	var got []string
	for p, err := range c.Products(t.Context(), 3) {
		require.NoError(t, err)
		got = append(got, p.ProductID)
	}
	assert.Equal(t, []string{"sku-a", "sku-b", "sku-c", "sku-d", "sku-e", "sku-f", "sku-g"}, got)

	stuck, _, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, `{"products":[{"productId":"x"}],"nextOffset":"1"}`)})
	n, errs := 0, 0
	for _, err := range stuck.Products(t.Context(), 0) {
		if err != nil {
			errs++
			assert.ErrorIs(t, err, stashpay.ErrMalformedResponse)
			continue
		}
		n++
	}
	assert.Equal(t, 2, n)
	assert.Equal(t, 1, errs, "a nextOffset that does not advance ends the loop")

	// Empty pages whose offset creeps up one at a time end it too.
	var asked atomic.Int64
	creeping := func(req *http.Request) (*http.Response, error) {
		next := asked.Add(1)
		if next > 100 {
			return httpmock.NewStringResponse(400, `{"code":3,"message":"enough"}`), nil // a test that fails, never hangs
		}
		return httpmock.NewStringResponse(200, `{"products":[],"nextOffset":"`+strconv.FormatInt(next, 10)+`"}`), nil
	}
	empty, _, _ := newFake(t, v1Creds(), []httpmock.Responder{creeping})
	errs = 0
	for p, err := range empty.Products(t.Context(), 0) {
		require.Nil(t, p)
		require.ErrorIs(t, err, stashpay.ErrMalformedResponse)
		errs++
	}
	assert.Equal(t, 1, errs)
	assert.Equal(t, int64(1), asked.Load(), "one empty page is enough")
}

func TestProductsAgainstTheFake(t *testing.T) {
	t.Parallel()
	c, srv := apiFake(t)
	srv.SetProducts(stashpay.Product{ProductID: "gems", Prices: []stashpay.ProductPrice{{Currency: "USD", Cents: 199, DecimalPlaces: 2}}})
	p, err := c.GetProduct(t.Context(), "gems")
	require.NoError(t, err)
	assert.Equal(t, int64(199), p.Prices[0].Cents)
	_, err = c.GetProduct(t.Context(), "nope")
	assert.ErrorIs(t, err, stashpay.ErrNotFound)
}

// Bad input is refused with the field named, and nothing is sent.
func TestProductsValidation(t *testing.T) {
	t.Parallel()
	c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, `{}`)})
	legacy, lf, _ := newFake(t, stashpay.Credentials{APIKey: testAPIKey}, []httpmock.Responder{jsonResponder(200, `{}`)})
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"empty product ID", func() error { _, err := c.GetProduct(t.Context(), ""); return err }, "product ID"},
		{"dot product ID", func() error { _, err := c.GetProduct(t.Context(), ".."); return err }, "product ID"},
		{"invalid UTF-8", func() error { _, err := c.GetProduct(t.Context(), "a\xff"); return err }, "product ID is not valid UTF-8"},
		{"limit too big", func() error {
			_, err := c.ListProducts(t.Context(), &stashpay.ListProductsParams{Limit: 101})
			return err
		}, "Limit"},
		{"negative offset", func() error {
			_, err := c.ListProducts(t.Context(), &stashpay.ListProductsParams{Offset: -1})
			return err
		}, "Offset"},
		{"legacy credentials name no shop", func() error { _, err := legacy.ListProducts(t.Context(), nil); return err }, "Credentials.ShopID"},
	}
	for _, tt := range tests {
		err := tt.call()
		require.ErrorIs(t, err, stashpay.ErrInvalidParams, tt.name)
		assert.Contains(t, err.Error(), tt.want, tt.name)
	}
	assert.Empty(t, f.requests())
	assert.Empty(t, lf.requests())
}

// TestProductTypesDecodeTolerantly: int64 members as numbers or digit
// strings, snake_case names, null members left zero, an absent or null
// decimalPlaces kept apart from 0.
func TestProductTypesDecodeTolerantly(t *testing.T) {
	t.Parallel()
	runDecodeCases(t, stashpay.ProductPrice{Currency: "old", Cents: 1}, []decodeCase[stashpay.ProductPrice]{
		{name: "strings", in: `{"currency":"USD","cents":"499","decimalPlaces":"2"}`, want: stashpay.ProductPrice{Currency: "USD", Cents: 499, DecimalPlaces: 2}},
		{name: "numbers, snake_case", in: `{"cents":499,"decimal_places":2}`, want: stashpay.ProductPrice{Cents: 499, DecimalPlaces: 2}},
		{name: "nulls", in: `{"cents":null,"decimalPlaces":null}`, want: stashpay.ProductPrice{DecimalPlaces: stashpay.NoDecimalPlaces}},
		{name: "null", in: `null`, want: stashpay.ProductPrice{DecimalPlaces: stashpay.NoDecimalPlaces}},
		{name: "no decimal places", in: `{"currency":"USD","cents":"499"}`, want: stashpay.ProductPrice{Currency: "USD", Cents: 499, DecimalPlaces: stashpay.NoDecimalPlaces}},
		{name: "zero decimal places", in: `{"currency":"JPY","cents":"500","decimalPlaces":0}`, want: stashpay.ProductPrice{Currency: "JPY", Cents: 500}},
		{name: "bad cents", in: `{"cents":"x9"}`, wantErr: "cents"},
		{name: "decimal places out of int64", in: `{"decimalPlaces":"99999999999999999999"}`, wantErr: "decimalPlaces"},
	})
	runDecodeCases(t, stashpay.ProductPage{NextOffset: 7}, []decodeCase[stashpay.ProductPage]{
		{name: "string offset", in: `{"products":[],"nextOffset":"50"}`, want: stashpay.ProductPage{Products: []stashpay.Product{}, NextOffset: 50}},
		{name: "snake_case offset", in: `{"next_offset":50}`, want: stashpay.ProductPage{NextOffset: 50}},
		{name: "last page", in: `{}`, want: stashpay.ProductPage{}},
		{name: "bad offset", in: `{"nextOffset":"x9"}`, wantErr: "nextOffset"},
	})
}

// A price without decimalPlaces has no amount: reading its absence as 0
// would turn 4.99 USD into "499", and a checkout built from it would
// charge 100 times the price (found by review).
func TestProductPriceAmountNeedsDecimalPlaces(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want   string
		err, scale bool // scale: refused as a scale, not as missing
	}{
		{in: `{"currency":"USD","cents":"499","decimalPlaces":2}`, want: "4.99"},
		{in: `{"currency":"JPY","cents":"500","decimalPlaces":0}`, want: "500"},
		{in: `{"currency":"USD","cents":"499"}`, err: true},
		{in: `{"currency":"USD","cents":"499","decimalPlaces":null}`, err: true},
		{in: `{"currency":"USD","cents":"499","decimalPlaces":"9999999999"}`, err: true, scale: true},
	} {
		var p stashpay.ProductPrice
		require.NoError(t, json.Unmarshal([]byte(tc.in), &p))
		got, err := p.Amount()
		if tc.err {
			require.ErrorIs(t, err, stashpay.ErrInvalidAmount, tc.in)
			if !tc.scale {
				assert.Contains(t, err.Error(), "decimalPlaces", tc.in)
			}
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, stashpay.Amount(tc.want), got, tc.in)
	}
}

// A malformed answer is an ErrMalformedResponse that names the member (the
// internal/wire contract: "they name the member path ... and say what was
// wrong"). A timestamp Go cannot read is reported as "cannot decode", with
// no member, so nothing tells the studio which of a product's five
// timestamps Stash sent in a form the SDK refuses.
func TestProductMalformedTimestampNamesTheMember(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, body, member string }{
		{"space for T", `{"product":{"productId":"sku1","createdAt":"2026-01-15 10:30:00"}}`, "createdAt"},
		{"seconds as a number", `{"product":{"productId":"sku1","offerEndTime":1768473000}}`, "offerEndTime"},
		{"a price's word", `{"product":{"productId":"sku1","prices":[{"currency":"USD","cents":1,"decimalPlaces":2,"updatedAt":"yesterday"}]}}`, "updatedAt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, tt.body)})
			_, err := c.GetProduct(t.Context(), "sku1")
			require.ErrorIs(t, err, stashpay.ErrMalformedResponse)
			assert.Contains(t, err.Error(), tt.member, "the error names the member")
			assert.NotContains(t, err.Error(), "yesterday", "never the value")
			assert.NotContains(t, err.Error(), "10:30", "never the value")
		})
	}
}
