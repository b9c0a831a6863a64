package stashpay_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go"
)

func fullCheckout() *stashpay.CheckoutParams {
	return &stashpay.CheckoutParams{
		Item: &stashpay.CheckoutItem{
			ID: "gems_100", PricePerItem: "1.99", Quantity: 2, ImageURL: "https://cdn.example/gems.png",
			Name: "100 gems", Description: "A pile of gems",
		},
		BonusItems: []stashpay.BonusItem{{
			ID: "bonus_coin", Name: "Coin", ImageURL: "https://cdn.example/coin.png", Quantity: 5, Description: "Shiny",
		}},
		User: stashpay.CheckoutUser{
			ID: "player-42", ValidatedEmail: "p42@example.com", ProfileImageURL: "https://cdn.example/p42.png",
			DisplayName: "Player 42", RegionCode: "US", Platform: stashpay.UserPlatformIOS,
		},
		TransactionID:       "txn-0001",
		RegionCode:          "USA",
		Currency:            "USD",
		CheckoutSessionID:   "sess-9",
		CreatePaymentIntent: true,
	}
}

func catalogCheckout() *stashpay.CheckoutParams {
	return &stashpay.CheckoutParams{
		CatalogItems:  []stashpay.CatalogItem{{ID: "sku_starter_pack", Quantity: 1}, {ID: "sku_gems_500", Quantity: 3}},
		User:          stashpay.CheckoutUser{ID: "player-42"},
		TransactionID: "txn-0002",
		Currency:      "USD",
	}
}

func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return bytes.TrimSpace(b)
}

func TestCreateCheckoutRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		params *stashpay.CheckoutParams
		golden string
	}{
		{"inline item, every field", fullCheckout(), "ingress_checkout_request.json"},
		{"catalog items", catalogCheckout(), "ingress_checkout_catalog_request.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, string(readGolden(t, "ingress_checkout_response.json")))})
			got, err := c.CreateCheckout(t.Context(), tt.params)
			require.NoError(t, err)
			assert.Equal(t, &stashpay.Checkout{
				ID:            "4b1f0c2e-9a57-4e0b-9f7e-2f1c7c5d1a10",
				URL:           "https://pay.stash.gg/pay/4b1f0c2e-9a57-4e0b-9f7e-2f1c7c5d1a10",
				RegionCode:    "US",
				TransactionID: tt.params.TransactionID,
			}, got)

			reqs := f.requests()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, "/sdk/server/checkout_links/generate_quick_pay_url", r.EscapedPath)
			assert.Equal(t, string(readGolden(t, tt.golden)), string(r.Body), "body bytes")
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			assert.True(t, strings.HasPrefix(r.Header.Get("User-Agent"), "stashpay-go/"+stashpay.Version+" "), r.Header.Get("User-Agent"))
			assert.Empty(t, r.Header.Get("X-Stash-Api-Key"))
			h := verifyV1(t, r)
			assert.Equal(t, testShopID, h.ShopID)
		})
	}
}

func TestCreateCheckoutLegacyAPIKey(t *testing.T) {
	t.Parallel()
	c, f, _ := newFake(t, stashpay.Credentials{APIKey: testAPIKey}, []httpmock.Responder{jsonResponder(200, checkoutOK)},
		stashpay.WithUserAgent("mygame/1.4"))
	_, err := c.CreateCheckout(t.Context(), minimalCheckout())
	require.NoError(t, err)
	r := f.requests()[0]
	assert.Equal(t, testAPIKey, r.Header.Get("X-Stash-Api-Key"))
	assert.Empty(t, r.Header.Get("X-Stash-Hmac-Signature"), "no v1 header with an API key")
	assert.True(t, strings.HasPrefix(r.Header.Get("User-Agent"), "mygame/1.4 stashpay-go/"), r.Header.Get("User-Agent"))
}

func TestCreateCheckoutBase64Key(t *testing.T) {
	t.Parallel()
	// With WithBase64Key the HMAC key is the decoded bytes of the secret.
	c, f, _ := newFake(t, stashpay.Credentials{ShopID: testShopID, IngressKey: "c2VjcmV0LWtleQ"},
		[]httpmock.Responder{jsonResponder(200, checkoutOK)}, stashpay.WithBase64Key())
	_, err := c.CreateCheckout(t.Context(), minimalCheckout())
	require.NoError(t, err)
	r := f.requests()[0]
	decoded := mustKey(t, "secret-key")
	_, err = decoded.VerifyV1(r.Header.Get("X-Stash-Hmac-Signature"), r.Body, testShopID, r.Received, 0)
	require.NoError(t, err)
	raw := mustKey(t, "c2VjcmV0LWtleQ")
	_, err = raw.VerifyV1(r.Header.Get("X-Stash-Hmac-Signature"), r.Body, testShopID, r.Received, 0)
	require.Error(t, err, "the raw string must not be the key")
}

func TestCreateCheckoutGeneratesTransactionID(t *testing.T) {
	t.Parallel()
	c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, checkoutOK)})
	p := minimalCheckout()
	snapshot := *p
	snapshotItem := *p.Item

	got, err := c.CreateCheckout(t.Context(), p)
	require.NoError(t, err)
	_, err = uuid.Parse(got.TransactionID)
	require.NoError(t, err, "a UUID is generated")
	assert.Equal(t, snapshot, *p, "the caller's params are not modified")
	assert.Equal(t, snapshotItem, *p.Item)

	var sent map[string]any
	require.NoError(t, json.Unmarshal(f.requests()[0].Body, &sent))
	assert.Equal(t, got.TransactionID, sent["transactionId"], "the returned ID is the one sent")

	again, err := c.CreateCheckout(t.Context(), p)
	require.NoError(t, err)
	assert.NotEqual(t, got.TransactionID, again.TransactionID, "each call generates a new ID")
}

func TestCreateCheckoutValidation(t *testing.T) {
	t.Parallel()
	mod := func(f func(p *stashpay.CheckoutParams)) *stashpay.CheckoutParams {
		p := minimalCheckout()
		f(p)
		return p
	}
	tests := []struct {
		name   string
		params *stashpay.CheckoutParams
		detail string
	}{
		{"nil params", nil, "nil"},
		{"no items", mod(func(p *stashpay.CheckoutParams) { p.Item = nil }), "Item or CatalogItems"},
		{"both kinds", mod(func(p *stashpay.CheckoutParams) { p.CatalogItems = []stashpay.CatalogItem{{ID: "x", Quantity: 1}} }), "only one"},
		{"empty user ID", mod(func(p *stashpay.CheckoutParams) { p.User.ID = "" }), "User.ID"},
		{"colon in user ID", mod(func(p *stashpay.CheckoutParams) { p.User.ID = "shop:player" }), "':'"},
		{"zero quantity", mod(func(p *stashpay.CheckoutParams) { p.Item.Quantity = 0 }), "Item.Quantity"},
		{"negative quantity", mod(func(p *stashpay.CheckoutParams) { p.Item.Quantity = -1 }), "Item.Quantity"},
		{"huge quantity", mod(func(p *stashpay.CheckoutParams) { p.Item.Quantity = 1 << 40 }), "Item.Quantity"},
		{"empty item ID", mod(func(p *stashpay.CheckoutParams) { p.Item.ID = "" }), "Item.ID"},
		{"empty price", mod(func(p *stashpay.CheckoutParams) { p.Item.PricePerItem = "" }), "PricePerItem"},
		{"float-like price", mod(func(p *stashpay.CheckoutParams) { p.Item.PricePerItem = "1e3" }), "PricePerItem"},
		{"negative price", mod(func(p *stashpay.CheckoutParams) { p.Item.PricePerItem = "-1.00" }), "PricePerItem"},
		{"catalog item without ID", mod(func(p *stashpay.CheckoutParams) {
			p.Item = nil
			p.CatalogItems = []stashpay.CatalogItem{{ID: "a", Quantity: 1}, {Quantity: 1}}
		}), "CatalogItems[1].ID"},
		{"catalog item zero quantity", mod(func(p *stashpay.CheckoutParams) {
			p.Item = nil
			p.CatalogItems = []stashpay.CatalogItem{{ID: "a"}}
		}), "CatalogItems[0].Quantity"},
		{"bonus item without ID", mod(func(p *stashpay.CheckoutParams) { p.BonusItems = []stashpay.BonusItem{{Quantity: 1}} }), "BonusItems[0].ID"},
		{"bonus item zero quantity", mod(func(p *stashpay.CheckoutParams) { p.BonusItems = []stashpay.BonusItem{{ID: "b"}} }), "BonusItems[0].Quantity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, checkoutOK)})
			got, err := c.CreateCheckout(t.Context(), tt.params)
			require.ErrorIs(t, err, stashpay.ErrInvalidParams)
			assert.Contains(t, err.Error(), tt.detail)
			assert.Nil(t, got)
			assert.Empty(t, f.requests(), "nothing is sent")
			assert.Zero(t, f.mt.GetTotalCallCount(), "the transport is never called")
		})
	}
}

// TestCreateCheckoutRefusesInvalidUTF8: json.Marshal would send every
// string that is not valid UTF-8 with U+FFFD in place of the bad bytes, so
// that two distinct transaction IDs would reach Stash as one while the
// Checkout returned the original. Every string field is checked before
// anything is sent; the error names the field, never the value.
func TestCreateCheckoutRefusesInvalidUTF8(t *testing.T) {
	t.Parallel()
	const bad = "tx-\xff-abcdef"
	withBonus := func(p *stashpay.CheckoutParams) *stashpay.BonusItem {
		p.BonusItems = []stashpay.BonusItem{{ID: "ok", Quantity: 1}, {ID: "b", Quantity: 1}}
		return &p.BonusItems[1]
	}
	catalog := func(p *stashpay.CheckoutParams) *stashpay.CatalogItem {
		p.Item = nil
		p.CatalogItems = []stashpay.CatalogItem{{ID: "ok", Quantity: 1}, {ID: "c", Quantity: 1}}
		return &p.CatalogItems[1]
	}
	tests := []struct {
		field string
		set   func(p *stashpay.CheckoutParams, v string)
	}{
		{"TransactionID", func(p *stashpay.CheckoutParams, v string) { p.TransactionID = v }},
		{"RegionCode", func(p *stashpay.CheckoutParams, v string) { p.RegionCode = v }},
		{"Currency", func(p *stashpay.CheckoutParams, v string) { p.Currency = v }},
		{"CheckoutSessionID", func(p *stashpay.CheckoutParams, v string) { p.CheckoutSessionID = v }},
		{"Item.ID", func(p *stashpay.CheckoutParams, v string) { p.Item.ID = v }},
		{"Item.Name", func(p *stashpay.CheckoutParams, v string) { p.Item.Name = v }},
		{"Item.Description", func(p *stashpay.CheckoutParams, v string) { p.Item.Description = v }},
		{"Item.ImageURL", func(p *stashpay.CheckoutParams, v string) { p.Item.ImageURL = v }},
		{"Item.PricePerItem", func(p *stashpay.CheckoutParams, v string) { p.Item.PricePerItem = stashpay.Amount("1" + v) }},
		{"CatalogItems[1].ID", func(p *stashpay.CheckoutParams, v string) { catalog(p).ID = v }},
		{"BonusItems[1].ID", func(p *stashpay.CheckoutParams, v string) { withBonus(p).ID = v }},
		{"BonusItems[1].Name", func(p *stashpay.CheckoutParams, v string) { withBonus(p).Name = v }},
		{"BonusItems[1].ImageURL", func(p *stashpay.CheckoutParams, v string) { withBonus(p).ImageURL = v }},
		{"BonusItems[1].Description", func(p *stashpay.CheckoutParams, v string) { withBonus(p).Description = v }},
		{"User.ID", func(p *stashpay.CheckoutParams, v string) { p.User.ID = v }},
		{"User.ValidatedEmail", func(p *stashpay.CheckoutParams, v string) { p.User.ValidatedEmail = v }},
		{"User.ProfileImageURL", func(p *stashpay.CheckoutParams, v string) { p.User.ProfileImageURL = v }},
		{"User.DisplayName", func(p *stashpay.CheckoutParams, v string) { p.User.DisplayName = v }},
		{"User.RegionCode", func(p *stashpay.CheckoutParams, v string) { p.User.RegionCode = v }},
		{"User.Platform", func(p *stashpay.CheckoutParams, v string) { p.User.Platform = stashpay.UserPlatform(v) }},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			t.Parallel()
			c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, checkoutOK)})
			p := minimalCheckout()
			tt.set(p, bad)
			got, err := c.CreateCheckout(t.Context(), p)
			require.ErrorIs(t, err, stashpay.ErrInvalidParams)
			assert.Contains(t, err.Error(), tt.field+" is not valid UTF-8")
			assert.NotContains(t, err.Error(), "\xff")
			assert.NotContains(t, err.Error(), "abcdef", "the error never shows the value")
			assert.Nil(t, got)
			assert.Zero(t, f.mt.GetTotalCallCount(), "nothing is sent")

			ok := minimalCheckout() // the same field, valid, is sent
			tt.set(ok, "tx-\u00e9-abcdef")
			if tt.field == "Item.PricePerItem" {
				return // "1tx-..." is no price
			}
			_, err = c.CreateCheckout(t.Context(), ok)
			require.NoError(t, err)
		})
	}

	// The two transaction IDs of the issue: each is refused, none merged.
	c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, checkoutOK)})
	for _, id := range []string{"tx-\xff-abcdef", "tx-\xfe-abcdef"} {
		p := minimalCheckout()
		p.TransactionID = id
		_, err := c.CreateCheckout(t.Context(), p)
		require.ErrorIs(t, err, stashpay.ErrInvalidParams)
	}
	assert.Empty(t, f.requests())
}

func TestCreateCheckoutAcceptsValidVariants(t *testing.T) {
	t.Parallel()
	for _, price := range []stashpay.Amount{"0", "3", "0.50", "499", "1.990"} {
		c, _, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, checkoutOK)})
		p := minimalCheckout()
		p.Item.PricePerItem = price
		_, err := c.CreateCheckout(t.Context(), p)
		assert.NoError(t, err, "price %q", price)
	}
}

func TestCreateCheckoutMalformedResponse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		resp httpmock.Responder
		want error
	}{
		{"not JSON", jsonResponder(200, "<html>ok</html>"), stashpay.ErrMalformedResponse},
		{"no url", jsonResponder(200, `{"id":"x"}`), stashpay.ErrMalformedResponse},
		{"no id", jsonResponder(200, `{"url":"https://pay.stash.gg/x"}`), stashpay.ErrMalformedResponse},
		{"wrong types", jsonResponder(200, `{"url":5}`), stashpay.ErrMalformedResponse},
		{"oversized", jsonResponder(200, `{"url":"`+strings.Repeat("a", 2<<20)+`"}`), stashpay.ErrResponseTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{tt.resp})
			_, err := c.CreateCheckout(t.Context(), minimalCheckout())
			require.ErrorIs(t, err, tt.want)
			assert.Len(t, f.requests(), 1, "not retried")
		})
	}
}

func TestCreateCheckoutUnknownResponseFields(t *testing.T) {
	t.Parallel()
	c, _, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(201, `{"url":"https://u","id":"i","regionCode":"DE","newField":{"a":[1,2]}}`)})
	got, err := c.CreateCheckout(t.Context(), minimalCheckout())
	require.NoError(t, err)
	assert.Equal(t, "https://u", got.URL)
	assert.Equal(t, "DE", got.RegionCode)
}
