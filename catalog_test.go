package stashpay_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/internal/wire"
	"github.com/stashpay/stashpay-go/webhook"
)

// signedGet is an egress GET signed as Stash signs it: v1 over an empty body.
func signedGet(t *testing.T, target string) *http.Request {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set(stashpay.EgressSignatureHeader, mustKey(t, egressTestKey).SignV1(egressTestShop, time.Now(), nil))
	return req
}

// The webshop's three egress calls: every query parameter is read (camel or
// snake case, enums by name or number), and every response field of
// swagger.v1.json survives the handler's encoding.
func TestFullPayloadWebshopEgress(t *testing.T) {
	t.Parallel()
	var catalog stashpay.CatalogResponse
	var offer stashpay.OfferDetailsResponse
	var player stashpay.PlayerResponse
	for name, v := range map[string]any{"catalog": &catalog, "offer_details": &offer, "player": &player} {
		require.NoError(t, wire.Unmarshal(fullPayload(t, name), v), name)
	}
	var gotCatalog *stashpay.CatalogRequest
	var gotOffer *stashpay.OfferDetailsRequest
	var gotPlayer *stashpay.PlayerRequest
	h := stashpay.EgressHandler(egressConfig(), stashpay.EgressFuncs{
		Catalog: func(_ context.Context, r *stashpay.CatalogRequest) (*stashpay.CatalogResponse, error) {
			gotCatalog = r
			return &catalog, nil
		},
		OfferDetails: func(_ context.Context, r *stashpay.OfferDetailsRequest) (*stashpay.OfferDetailsResponse, error) {
			gotOffer = r
			return &offer, nil
		},
		Player: func(_ context.Context, r *stashpay.PlayerRequest) (*stashpay.PlayerResponse, error) {
			gotPlayer = r
			return &player, nil
		},
	})
	tests := []struct{ target, payload string }{
		{"/api/v1/catalog?platform=2&region=FR&language=fr&player_id=p1&shopId=" + egressTestShop +
			"&environment=PAYMENT_ENVIRONMENT_TEST&currentTierId=t1&next_tier_id=t2", "catalog"},
		{"/api/v1/catalog/offer?guid=g1&productId=sku1&platform=CATALOG_PLATFORM_IOS&region=US&language=en&playerId=p2&environment=2", "offer_details"},
		{"/api/v1/player?playerId=p3&environment=1", "player"},
	}
	for _, tt := range tests {
		rec := egressServe(h, signedGet(t, tt.target))
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		assert.JSONEq(t, string(fullPayload(t, tt.payload)), rec.Body.String(), tt.target)
	}
	assert.Equal(t, &stashpay.CatalogRequest{Platform: stashpay.CatalogPlatformAndroid, Region: "FR", Language: "fr", PlayerID: "p1",
		ShopID: egressTestShop, Environment: stashpay.PaymentEnvironmentTest, CurrentTierID: "t1", NextTierID: "t2"}, gotCatalog)
	assert.Equal(t, &stashpay.OfferDetailsRequest{GUID: "g1", ProductID: "sku1", Platform: stashpay.CatalogPlatformIOS, Region: "US",
		Language: "en", PlayerID: "p2", Environment: stashpay.PaymentEnvironmentProduction}, gotOffer)
	assert.Equal(t, &stashpay.PlayerRequest{PlayerID: "p3", Environment: stashpay.PaymentEnvironmentTest}, gotPlayer)
}

func TestWebshopEgressRefusals(t *testing.T) {
	t.Parallel()
	calls := 0
	h := stashpay.EgressHandler(egressConfig(), stashpay.EgressFuncs{
		OfferDetails: func(context.Context, *stashpay.OfferDetailsRequest) (*stashpay.OfferDetailsResponse, error) {
			calls++
			return nil, nil
		},
		Player: func(context.Context, *stashpay.PlayerRequest) (*stashpay.PlayerResponse, error) {
			calls++
			return nil, nil
		},
	})
	unsigned := httptest.NewRequest(http.MethodGet, "/api/v1/player?playerId=p", nil)
	post := signedGet(t, "/api/v1/player?playerId=p")
	post.Method = http.MethodPost
	tests := []struct {
		name string
		req  *http.Request
		code int
		msg  string
		runs bool
	}{
		{"unsigned", unsigned, http.StatusUnauthorized, "missing signature", false},
		{"POST", post, http.StatusMethodNotAllowed, "", false},
		{"no player ID", signedGet(t, "/api/v1/player"), http.StatusBadRequest, "playerId", false},
		{"player ID twice", signedGet(t, "/api/v1/player?playerId=a&player_id=b"), http.StatusBadRequest, "playerId: given more than once", false},
		{"invalid UTF-8", signedGet(t, "/api/v1/player?playerId=a%FF"), http.StatusBadRequest, "playerId: not valid UTF-8", false},
		{"other shop", signedGet(t, "/api/v1/player?playerId=a&shopId=other"), http.StatusBadRequest, "shopId", false},
		{"malformed query pair", signedGet(t, "/api/v1/player?playerId=a;b"), http.StatusBadRequest, "malformed query", false},
		{"malformed escape", signedGet(t, "/api/v1/player?playerId=%zz"), http.StatusBadRequest, "malformed query", false},
		{"offer without guid", signedGet(t, "/api/v1/catalog/offer?productId=x"), http.StatusBadRequest, "guid", false},
		{"no catalog function", signedGet(t, "/api/v1/catalog"), http.StatusNotFound, "", false},
		{"unknown player", signedGet(t, "/api/v1/player?playerId=a"), http.StatusNotFound, "", true},
	}
	for _, tt := range tests {
		before := calls
		rec := egressServe(h, tt.req)
		assert.Equal(t, tt.code, rec.Code, tt.name)
		assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"), "%s: a player's answer is never cached", tt.name)
		if tt.msg != "" {
			var st struct{ Message string }
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &st))
			assert.Contains(t, st.Message, tt.msg, tt.name)
		}
		assert.Equal(t, tt.runs, calls > before, tt.name)
	}
	assert.Panics(t, func() { stashpay.PlayerHandler(egressConfig(), nil) })
}

// The legacy signature of a GET signs the empty body: one fixed value that
// would authorize every catalog, offer and player call, any query, forever.
// It is refused on the GET routes even with AllowLegacySignature, which
// still accepts it on the purchase calls (found by review).
func TestWebshopEgressRefusesLegacySignature(t *testing.T) {
	t.Parallel()
	for _, allow := range []bool{false, true} {
		cfg := egressConfig()
		cfg.AllowLegacySignature = allow
		var calls atomic.Int64
		h := stashpay.EgressHandler(cfg, stashpay.EgressFuncs{
			Player: func(context.Context, *stashpay.PlayerRequest) (*stashpay.PlayerResponse, error) {
				calls.Add(1)
				return &stashpay.PlayerResponse{}, nil
			},
		})
		for _, player := range []string{"victim-1", "victim-2"} {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/player?playerId="+player, nil)
			req.Header.Set(stashpay.EgressLegacySignatureHeader, webhook.Sign(nil, egressTestKey))
			rec := egressServe(h, req)
			assert.Equal(t, http.StatusUnauthorized, rec.Code, "allow=%t", allow)
			var st struct{ Message string }
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &st))
			assert.Contains(t, st.Message, "not accepted on GET calls")
		}
		assert.Zero(t, calls.Load(), "allow=%t", allow)
	}
}

// swagger.v1.json lines 2805-2807: GetCatalogResponse lists "catalog" as
// required. CatalogFunc documents a nil response as "an empty catalog", and
// a game may return the zero CatalogResponse; both must still carry the
// catalog member ({"catalog":{}}), not answer {}.
func TestCatalogHandlerSendsRequiredCatalogMember(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		resp *stashpay.CatalogResponse
	}{
		{"nil response (documented empty catalog)", nil},
		{"zero response", &stashpay.CatalogResponse{}},
		{"no sections", &stashpay.CatalogResponse{Catalog: stashpay.Catalog{Sections: []stashpay.CatalogSection{}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := stashpay.CatalogHandler(egressConfig(), func(context.Context, *stashpay.CatalogRequest) (*stashpay.CatalogResponse, error) {
				return tt.resp, nil
			})
			rec := egressServe(h, signedGet(t, "/api/v1/catalog"))
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			var body map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
			assert.Contains(t, body, "catalog", "the required catalog member is missing: %s", rec.Body.String())
		})
	}
}

// swagger.v1.json line 1371: a catalog item "Represents any type of catalog
// item using oneof for polymorphism" (product | chain | info | free), and the
// price is the oneof amount | priceId (GetCatalogResponsePriceAmountOrId).
// protojson refuses a body that sets two members of one oneof, so an entry
// with two set must not be answered 200 as it is: Stash would reject the
// whole catalog.
func TestCatalogHandlerOneofSetTwice(t *testing.T) {
	t.Parallel()
	priceID := "price-1"
	amount := &stashpay.PriceAmount{Currency: "USD", Cents: 199}
	product := &stashpay.PurchasableItem{ProductID: "sku", Price: stashpay.CatalogPrice{Amount: amount}}
	tests := []struct {
		name   string
		entry  stashpay.CatalogEntry
		member string // the path logged; "" for an answer sent as it is
	}{
		{"product and free", stashpay.CatalogEntry{Product: product, Free: &stashpay.FreeItem{ItemID: "gift"}},
			"catalog.sections[0].items[1]"},
		{"info and chain", stashpay.CatalogEntry{
			Info:  &stashpay.NonPurchasableItem{ItemID: "banner", Type: stashpay.NonPurchasableItemTypeBanner},
			Chain: &stashpay.OfferChain{GUID: "c"},
		}, "catalog.sections[0].items[1]"},
		{"price amount and priceId", stashpay.CatalogEntry{
			Product: &stashpay.PurchasableItem{ProductID: "sku", Price: stashpay.CatalogPrice{Amount: amount, PriceID: &priceID}},
		}, "catalog.sections[0].items[1].product.price"},
		{"chain link price set twice", stashpay.CatalogEntry{Chain: &stashpay.OfferChain{GUID: "c",
			Links: []stashpay.OfferChainLink{{ProductID: "l1"}, {ProductID: "l2", Price: stashpay.CatalogPrice{Amount: amount, PriceID: &priceID}}}}},
			"catalog.sections[0].items[1].chain.links[1].price"},
		{"one member set", stashpay.CatalogEntry{Free: &stashpay.FreeItem{ItemID: "gift"}}, ""},
		{"price by ID", stashpay.CatalogEntry{Product: &stashpay.PurchasableItem{ProductID: "sku", Price: stashpay.CatalogPrice{PriceID: &priceID}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, logs := serveLogged(t, func(cfg stashpay.EgressConfig) http.Handler {
				return stashpay.CatalogHandler(cfg, func(context.Context, *stashpay.CatalogRequest) (*stashpay.CatalogResponse, error) {
					return &stashpay.CatalogResponse{Catalog: stashpay.Catalog{Sections: []stashpay.CatalogSection{
						{Items: []stashpay.CatalogEntry{{Product: product}, tt.entry}}}}}, nil
				})
			}, "/api/v1/catalog")
			if tt.member == "" {
				require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
				return
			}
			require.Equal(t, http.StatusInternalServerError, rec.Code, "an answer Stash would refuse is not sent: %s", rec.Body.String())
			assert.NotContains(t, rec.Body.String(), "sku")
			assert.Contains(t, logs, "member="+tt.member)
		})
	}
}

// The catalog proto (stashgg/public-api server/egress/shop/catalog/v1/
// service.proto, message LocalizableText) declares
// "oneof localization { localization_key = 2; localized_text = 3; }", which
// STASH-API.md 4.3 writes as LocalizableText{defaultText, localizationKey |
// localizedText}. protojson refuses a body that sets both, so Stash drops the
// whole catalog (or offer) answer; the handler must treat it as it treats the
// other oneofs (500, the member logged), not answer it 200.
func TestWebshopHandlersLocalizableTextOneofSetTwice(t *testing.T) {
	t.Parallel()
	both := stashpay.LocalizableText{DefaultText: "Gems", LocalizationKey: "offer.gems", LocalizedText: "Gemmes"}
	amount := &stashpay.PriceAmount{Currency: "USD", Cents: 199}
	tests := []struct {
		name   string
		h      func(cfg stashpay.EgressConfig) http.Handler
		target string
		member string
	}{
		{"catalog product name", func(cfg stashpay.EgressConfig) http.Handler {
			return stashpay.CatalogHandler(cfg, func(context.Context, *stashpay.CatalogRequest) (*stashpay.CatalogResponse, error) {
				return &stashpay.CatalogResponse{Catalog: stashpay.Catalog{Sections: []stashpay.CatalogSection{{Items: []stashpay.CatalogEntry{
					{Product: &stashpay.PurchasableItem{ProductID: "sku", Name: both, Price: stashpay.CatalogPrice{Amount: amount}}}}}}}}, nil
			})
		}, "/api/v1/catalog", "catalog.sections[0].items[0].product.name"},
		{"catalog section header", func(cfg stashpay.EgressConfig) http.Handler {
			return stashpay.CatalogHandler(cfg, func(context.Context, *stashpay.CatalogRequest) (*stashpay.CatalogResponse, error) {
				return &stashpay.CatalogResponse{Catalog: stashpay.Catalog{Sections: []stashpay.CatalogSection{{Header: both}}}}, nil
			})
		}, "/api/v1/catalog", "catalog.sections[0].header"},
		{"offer item title", func(cfg stashpay.EgressConfig) http.Handler {
			return stashpay.OfferDetailsHandler(cfg, func(context.Context, *stashpay.OfferDetailsRequest) (*stashpay.OfferDetailsResponse, error) {
				return &stashpay.OfferDetailsResponse{Items: []stashpay.OfferContentItem{{Title: both}}}, nil
			})
		}, "/api/v1/catalog/offer?guid=5d6a3c1e-9b8f-4e2d-a1c0-7f6e5d4c3b2a&productId=sku", "items[0].title"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, logs := serveLogged(t, tt.h, tt.target)
			require.Equal(t, http.StatusInternalServerError, rec.Code,
				"an answer setting both members of LocalizableText's oneof is refused whole by Stash: %s", rec.Body.String())
			assert.Contains(t, logs, "member="+tt.member)
		})
	}
}
