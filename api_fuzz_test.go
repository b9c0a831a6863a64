package stashpay_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/internal/wire"
)

// fuzzDecoder checks that a decoder of Stash's answers never panics and that
// whatever it accepts encodes again. Seeds: the full payloads.
func fuzzDecoder[T any](f *testing.F, seeds ...string) {
	for _, s := range seeds {
		b, err := os.ReadFile(filepath.Join("testdata", "full", s+".json"))
		if err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"nextOffset":"1","products":[{"prices":[{"cents":"x"}]}]}`))
	f.Add([]byte("{\"plan\":{\"id\":\"\xff\"}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v T
		if wire.Unmarshal(data, &v) != nil {
			return
		}
		if _, err := json.Marshal(&v); err != nil {
			t.Fatalf("accepted but does not encode: %v", err)
		}
	})
}

func FuzzProductPage(f *testing.F) { fuzzDecoder[stashpay.ProductPage](f, "products") }

func FuzzProduct(f *testing.F) { fuzzDecoder[stashpay.Product](f, "product") }

func FuzzLoyaltyCampaign(f *testing.F) { fuzzDecoder[stashpay.LoyaltyCampaign](f, "loyalty") }

func FuzzPlayerLoyaltyState(f *testing.F) {
	fuzzDecoder[stashpay.PlayerLoyaltyState](f, "player_loyalty")
}

func FuzzPlan(f *testing.F) { fuzzDecoder[stashpay.Plan](f) }

func FuzzPriceConversions(f *testing.F) { fuzzDecoder[stashpay.PriceConversions](f) }

func FuzzCatalogResponse(f *testing.F) {
	fuzzDecoder[stashpay.CatalogResponse](f, "catalog", "offer_details", "player")
}

// FuzzEgressQuery checks the webshop's GET handlers on any query: never a
// panic, and never a call of the game's function with a parameter that is
// not valid UTF-8.
func FuzzEgressQuery(f *testing.F) {
	f.Add("playerId=p&environment=2&platform=CATALOG_PLATFORM_IOS")
	f.Add("player_id=a&playerId=b")
	f.Add("guid=%FF&productId=x")
	h := stashpay.EgressHandler(egressConfig(), stashpay.EgressFuncs{
		Player: func(_ context.Context, r *stashpay.PlayerRequest) (*stashpay.PlayerResponse, error) {
			return &stashpay.PlayerResponse{Player: stashpay.Player{PlayerID: r.PlayerID}}, nil
		},
	})
	f.Fuzz(func(t *testing.T, raw string) {
		if _, err := url.ParseQuery(raw); err != nil {
			return
		}
		req := signedGet(t, "/api/v1/player")
		req.URL.RawQuery = raw
		rec := egressServe(h, req)
		if rec.Code == http.StatusOK && !json.Valid(rec.Body.Bytes()) {
			t.Fatal("invalid JSON answered")
		}
	})
}
