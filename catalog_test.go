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
