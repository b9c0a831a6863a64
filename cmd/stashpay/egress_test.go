package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
)

// egressGame is a game backend serving the SDK's purchase handlers,
// recording the requests its functions received.
type egressGame struct {
	srv *httptest.Server

	mu       sync.Mutex
	calls    []string // "register", "confirm", "cancel"
	players  []string
	products []string
	txs      []string
}

func newEgressGame(t *testing.T, shopID, key string) *egressGame {
	t.Helper()
	g := &egressGame{}
	record := func(kind, player, tx string, items []stashpay.PurchaseItem) {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.calls = append(g.calls, kind)
		g.players = append(g.players, player)
		g.txs = append(g.txs, tx)
		for _, it := range items {
			g.products = append(g.products, it.ProductID)
		}
	}
	cfg := stashpay.EgressConfig{ShopID: shopID, EgressKey: key}
	g.srv = httptest.NewServer(stashpay.PurchaseHandler(cfg, stashpay.PurchaseFuncs{
		Register: func(_ context.Context, r *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
			record("register", r.PlayerID, r.TransactionID, r.Registrations)
			return nil, nil
		},
		Confirm: func(_ context.Context, r *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			record("confirm", r.PlayerID, r.TransactionID, r.Items)
			if r.PlayerID == "banned-player" {
				return nil, stashpay.RejectPurchase("player is banned")
			}
			return nil, nil
		},
		Cancel: func(_ context.Context, r *stashpay.CancelPaymentRequest) (*stashpay.CancelPaymentResponse, error) {
			record("cancel", r.PlayerID, r.TransactionID, r.Items)
			return nil, nil
		},
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *egressGame) snapshot() (calls, players, products, txs []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.calls...), append([]string(nil), g.players...),
		append([]string(nil), g.products...), append([]string(nil), g.txs...)
}

func TestEgressSend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		path     string
		extra    []string
		wantCall string
	}{
		{"confirm by path", stashpay.ConfirmPaymentPath, nil, "confirm"},
		{"register by path", stashpay.RegisterPaymentPath, nil, "register"},
		{"cancel by path", stashpay.CancelPaymentPath, nil, "cancel"},
		{"kind flag wins over path", stashpay.ConfirmPaymentPath, []string{"-kind", "confirm"}, "confirm"},
		{"shop flag", stashpay.ConfirmPaymentPath, []string{"-shop-id", testShopID}, "confirm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			game := newEgressGame(t, testShopID, testEgressKey)
			env := testEnv()
			if strings.Contains(tt.name, "shop flag") {
				delete(env, envShopID)
			}
			args := append([]string{"egress", "send", "-url", game.srv.URL + tt.path, "-user", "player-9", "-item", "gems_500"}, tt.extra...)
			r := runCLI(t, env, nil, args...)
			require.Equal(t, exitOK, r.code, r.all())
			assert.True(t, strings.HasPrefix(r.stdout, "HTTP 200 OK"), r.stdout)
			calls, players, products, _ := game.snapshot()
			assert.Equal(t, []string{tt.wantCall}, calls)
			assert.Equal(t, []string{"player-9"}, players)
			assert.Equal(t, []string{"gems_500"}, products)
			assertNoSecrets(t, r)
		})
	}
}

func TestEgressSendRegisterThenConfirm(t *testing.T) {
	t.Parallel()
	game := newEgressGame(t, testShopID, testEgressKey)
	const tx = "3b0e7f43-6f3c-4ad9-9a43-1f1e0b8a2c55"
	for _, path := range []string{stashpay.RegisterPaymentPath, stashpay.ConfirmPaymentPath} {
		r := runCLI(t, testEnv(), nil, "egress", "send", "-url", game.srv.URL+path, "-transaction", tx)
		require.Equal(t, exitOK, r.code, r.all())
	}
	calls, _, _, txs := game.snapshot()
	assert.Equal(t, []string{"register", "confirm"}, calls)
	assert.Equal(t, []string{tx, tx}, txs)
}

func TestEgressSendFile(t *testing.T) {
	t.Parallel()
	game := newEgressGame(t, testShopID, testEgressKey)
	body := `{"playerId":"file-player","transactionId":"tx-file-1","currency":"USD","decimalPlaces":2,` +
		`"total":"500","tax":"0","timeMillis":"1700000000000",` +
		`"items":[{"guid":"8d5f2a52-0d7e-4e33-9d43-0f1b6f1f3f11","productId":"from_file","quantity":1,"cents":500}]}`
	r := runCLI(t, testEnv(), nil, "egress", "send", "-url", game.srv.URL+stashpay.ConfirmPaymentPath, "-file", writeFile(t, body))
	require.Equal(t, exitOK, r.code, r.all())
	calls, players, products, _ := game.snapshot()
	assert.Equal(t, []string{"confirm"}, calls)
	assert.Equal(t, []string{"file-player"}, players)
	assert.Equal(t, []string{"from_file"}, products)
}

func TestEgressSendRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		gameShop   string
		gameKey    string
		user       string
		wantStatus string
		wantCalled bool
	}{
		{"wrong key", testShopID, "the-game-has-another-key", "player-1", "HTTP 401", false},
		{"wrong shop", "another-shop", testEgressKey, "player-1", "HTTP 401", false},
		{"game rejects", testShopID, testEgressKey, "banned-player", "HTTP 4", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			game := newEgressGame(t, tt.gameShop, tt.gameKey)
			r := runCLI(t, testEnv(), nil, "egress", "send", "-url", game.srv.URL+stashpay.ConfirmPaymentPath, "-user", tt.user)
			assert.Equal(t, exitFailed, r.code, r.all())
			assert.True(t, strings.HasPrefix(r.stdout, tt.wantStatus), r.stdout)
			assert.Contains(t, r.stderr, "answer HTTP 200")
			calls, _, _, _ := game.snapshot()
			assert.Equal(t, tt.wantCalled, len(calls) == 1)
			assertNoSecrets(t, r, tt.gameKey)
		})
	}
}

func TestEgressSendNon2xx(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusMovedPermanently, http.StatusBadRequest, http.StatusInternalServerError} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			srv, count := fixedAnswer(t, status, "nope")
			r := runCLI(t, testEnv(), nil, "egress", "send", "-url", srv.URL+stashpay.ConfirmPaymentPath)
			assert.Equal(t, exitFailed, r.code, r.all())
			assert.Equal(t, 1, count())
		})
	}
}

func TestEgressSample(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind   string
		decode func([]byte) (player string, err error)
	}{
		{"confirm", func(b []byte) (string, error) {
			var r stashpay.ConfirmPaymentRequest
			if err := r.UnmarshalJSON(b); err != nil {
				return "", err
			}
			return r.PlayerID, r.Validate()
		}},
		{"register", func(b []byte) (string, error) {
			var r stashpay.RegisterPaymentRequest
			if err := r.UnmarshalJSON(b); err != nil {
				return "", err
			}
			return r.PlayerID, r.Validate()
		}},
		{"cancel", func(b []byte) (string, error) {
			var r stashpay.CancelPaymentRequest
			if err := r.UnmarshalJSON(b); err != nil {
				return "", err
			}
			return r.PlayerID, r.Validate()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, testEnv(), nil, "egress", "sample", "-kind", tt.kind, "-user", "player-3")
			require.Equal(t, exitOK, r.code, r.stderr)
			player, err := tt.decode([]byte(r.stdout))
			require.NoError(t, err)
			assert.Equal(t, "player-3", player)
		})
	}
}

// identities are the request identities of an egress body.
type identities struct {
	CheckoutLinkID string `json:"checkoutLinkId"`
	Items          []struct {
		GUID string `json:"guid"`
	} `json:"items"`
	Registrations []struct {
		GUID string `json:"guid"`
	} `json:"registrations"`
}

func (id identities) guids() []string {
	var out []string
	for _, it := range append(id.Items, id.Registrations...) {
		out = append(out, it.GUID)
	}
	return out
}

func TestEgressSameTransactionSameIdentities(t *testing.T) {
	t.Parallel()
	const tx = "tx-replayed-1"
	sample := func(t *testing.T, kind, transaction string) identities {
		t.Helper()
		args := []string{"egress", "sample", "-kind", kind}
		if transaction != "" {
			args = append(args, "-transaction", transaction)
		}
		r := runCLI(t, testEnv(), nil, args...)
		require.Equal(t, exitOK, r.code, r.all())
		var id identities
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &id))
		require.NotEmpty(t, id.CheckoutLinkID)
		require.Len(t, id.guids(), 1)
		return id
	}
	first, again := sample(t, "confirm", tx), sample(t, "confirm", tx)
	assert.Equal(t, first.CheckoutLinkID, again.CheckoutLinkID, "a replayed confirm has the same checkout link ID")
	assert.Equal(t, first.guids(), again.guids(), "and the same item GUIDs")
	for _, kind := range []string{"register", "cancel"} {
		other := sample(t, kind, tx)
		assert.Equal(t, first.CheckoutLinkID, other.CheckoutLinkID, "register, confirm and cancel of one transaction name one checkout link")
		assert.Equal(t, first.guids(), other.guids(), kind)
	}
	assert.NotEqual(t, first.CheckoutLinkID, sample(t, "confirm", "tx-other").CheckoutLinkID)
	assert.NotEqual(t, sample(t, "confirm", "").CheckoutLinkID, sample(t, "confirm", "").CheckoutLinkID,
		"without -transaction every call is a new purchase")

	// Sent to a game that keys on the checkout link ID, as the README
	// recommends, the replay is a duplicate.
	var mu sync.Mutex
	granted := 0
	cfg := stashpay.EgressConfig{ShopID: testShopID, EgressKey: testEgressKey,
		KeyFunc: func(r *stashpay.ConfirmPaymentRequest) string { return "checkout:" + r.CheckoutLinkID }}
	srv := httptest.NewServer(stashpay.ConfirmPaymentHandler(cfg, func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
		mu.Lock()
		defer mu.Unlock()
		granted++
		return nil, nil
	}))
	t.Cleanup(srv.Close)
	for range 2 {
		r := runCLI(t, testEnv(), nil, "egress", "send", "-url", srv.URL+stashpay.ConfirmPaymentPath, "-transaction", tx)
		require.Equal(t, exitOK, r.code, r.all())
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, 1, granted, "the game's exactly-once store took the second confirm as a replay")
}

func TestEgressSendRegisterRefusedPerItem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		answer   string
		wantCode int
		want     []string
	}{
		{"sold out", `{"statuses":[{"productId":"gems_100","status":"PURCHASE_REGISTRATION_STATUS_FAILED_INSUFFICIENT_INVENTORY","message":"sold out"}]}`,
			exitFailed, []string{"gems_100", "FAILED_INSUFFICIENT_INVENTORY", "sold out"}},
		{"by number", `{"statuses":[{"guid":"g-1","status":3}]}`, exitFailed, []string{"g-1", "FAILED_INSUFFICIENT_INVENTORY"}},
		{"no statuses", `{"statuses":[]}`, exitFailed, []string{"no statuses"}},
		{"registered", `{"statuses":[{"productId":"gems_100","status":"PURCHASE_REGISTRATION_STATUS_SUCCESS_REGISTERED"}]}`, exitOK, nil},
		{"registered by number", `{"statuses":[{"productId":"gems_100","status":1}]}`, exitOK, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := fixedAnswer(t, http.StatusOK, tt.answer)
			r := runCLI(t, testEnv(), nil, "egress", "send", "-url", srv.URL+stashpay.RegisterPaymentPath)
			assert.Equal(t, tt.wantCode, r.code, r.all())
			for _, w := range tt.want {
				assert.Contains(t, r.stderr, w)
			}
		})
	}
}

// webshopGame is a game backend serving the SDK's webshop handlers
// (catalog, offer details, player) through EgressHandler, recording the
// query each function received.
type webshopGame struct {
	srv *httptest.Server

	mu    sync.Mutex
	calls []string // "catalog", "offer", "player"
	seen  []any    // the *CatalogRequest, *OfferDetailsRequest or *PlayerRequest
}

func newWebshopGame(t *testing.T, shopID, key string) *webshopGame {
	t.Helper()
	g := &webshopGame{}
	record := func(kind string, req any) {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.calls = append(g.calls, kind)
		g.seen = append(g.seen, req)
	}
	cfg := stashpay.EgressConfig{ShopID: shopID, EgressKey: key}
	g.srv = httptest.NewServer(stashpay.EgressHandler(cfg, stashpay.EgressFuncs{
		Catalog: func(_ context.Context, r *stashpay.CatalogRequest) (*stashpay.CatalogResponse, error) {
			record("catalog", r)
			return nil, nil // an empty catalog
		},
		OfferDetails: func(_ context.Context, r *stashpay.OfferDetailsRequest) (*stashpay.OfferDetailsResponse, error) {
			record("offer", r)
			return &stashpay.OfferDetailsResponse{Items: []stashpay.OfferContentItem{
				{Title: stashpay.LocalizableText{DefaultText: "offer of " + r.ProductID}},
			}}, nil
		},
		Player: func(_ context.Context, r *stashpay.PlayerRequest) (*stashpay.PlayerResponse, error) {
			record("player", r)
			if r.PlayerID == "unknown-player" {
				return nil, nil // 404
			}
			return &stashpay.PlayerResponse{Player: stashpay.Player{PlayerID: r.PlayerID, Name: "Nine"}}, nil
		},
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *webshopGame) snapshot() ([]string, []any) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.calls...), append([]any(nil), g.seen...)
}

// egress send plays the webshop's GET calls, signed, with their query
// values from the flags; the kind comes from -kind or the URL's path.
func TestEgressSendWebshopCalls(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		path     string
		args     []string
		wantCall string
		want     any
		wantBody string
	}{
		{"catalog by path", stashpay.CatalogPath, []string{"-region", "FR", "-language", "fr"}, "catalog",
			&stashpay.CatalogRequest{Region: "FR", Language: "fr", PlayerID: "player-9", ShopID: testShopID}, "{}"},
		{"catalog by kind", stashpay.CatalogPath, []string{"-kind", "catalog"}, "catalog",
			&stashpay.CatalogRequest{PlayerID: "player-9", ShopID: testShopID}, "{}"},
		{"offer", stashpay.OfferDetailsPath, []string{"-kind", "offer", "-item", "gems_500", "-guid", "7f0c4e1a-2b3d-4c5e-8f90-a1b2c3d4e5f6", "-region", "US"}, "offer",
			&stashpay.OfferDetailsRequest{GUID: "7f0c4e1a-2b3d-4c5e-8f90-a1b2c3d4e5f6", ProductID: "gems_500", Region: "US", PlayerID: "player-9", ShopID: testShopID},
			`"offer of gems_500"`},
		{"player by path", stashpay.PlayerPath, []string{"-region", "US"}, "player",
			&stashpay.PlayerRequest{PlayerID: "player-9", ShopID: testShopID}, `"Nine"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			game := newWebshopGame(t, testShopID, testEgressKey)
			args := append([]string{"egress", "send", "-url", game.srv.URL + tt.path, "-user", "player-9"}, tt.args...)
			r := runCLI(t, testEnv(), nil, args...)
			require.Equal(t, exitOK, r.code, r.all())
			assert.True(t, strings.HasPrefix(r.stdout, "HTTP 200 OK"), r.stdout)
			assert.Contains(t, r.stdout, tt.wantBody)
			calls, seen := game.snapshot()
			require.Equal(t, []string{tt.wantCall}, calls)
			assert.Equal(t, tt.want, seen[0])
			assertNoSecrets(t, r)
		})
	}
}

// Without -guid, the offer's guid is derived from -item: the same on every
// call, so a replayed offer call carries the same identity.
func TestEgressSendOfferDefaultGUID(t *testing.T) {
	t.Parallel()
	game := newWebshopGame(t, testShopID, testEgressKey)
	for range 2 {
		r := runCLI(t, testEnv(), nil, "egress", "send", "-kind", "offer", "-url", game.srv.URL+stashpay.OfferDetailsPath, "-item", "gems_100")
		require.Equal(t, exitOK, r.code, r.all())
	}
	_, seen := game.snapshot()
	require.Len(t, seen, 2)
	first, second := seen[0].(*stashpay.OfferDetailsRequest), seen[1].(*stashpay.OfferDetailsRequest)
	assert.NotEmpty(t, first.GUID)
	assert.Equal(t, first.GUID, second.GUID)
	assert.Equal(t, "gems_100", first.ProductID)
}

// A non-200 answer to a webshop call, or a refused signature, exits
// non-zero with the status and body printed.
func TestEgressSendWebshopNon200(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		gameShop   string
		gameKey    string
		user       string
		wantStatus string
		wantCalled bool
	}{
		{"wrong key", testShopID, "the-game-has-another-key", "player-1", "HTTP 401", false},
		{"wrong shop", "another-shop", testEgressKey, "player-1", "HTTP 401", false},
		{"no such player", testShopID, testEgressKey, "unknown-player", "HTTP 404", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			game := newWebshopGame(t, tt.gameShop, tt.gameKey)
			r := runCLI(t, testEnv(), nil, "egress", "send", "-url", game.srv.URL+stashpay.PlayerPath, "-user", tt.user)
			assert.Equal(t, exitFailed, r.code, r.all())
			assert.True(t, strings.HasPrefix(r.stdout, tt.wantStatus), r.stdout)
			assert.Contains(t, r.stderr, "non-200")
			calls, _ := game.snapshot()
			assert.Equal(t, tt.wantCalled, len(calls) == 1)
			assertNoSecrets(t, r, tt.gameKey)
		})
	}
	// 2xx other than 200 is refused too: the webshop accepts only 200.
	for _, status := range []int{http.StatusNoContent, http.StatusBadRequest, http.StatusInternalServerError} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			srv, count := fixedAnswer(t, status, "nope")
			r := runCLI(t, testEnv(), nil, "egress", "send", "-kind", "catalog", "-url", srv.URL+"/anything")
			assert.Equal(t, exitFailed, r.code, r.all())
			assert.Equal(t, 1, count())
		})
	}
}

// The webshop calls take no body: -file with them is a usage error and
// nothing is sent.
func TestEgressSendWebshopRefusesFile(t *testing.T) {
	t.Parallel()
	game := newWebshopGame(t, testShopID, testEgressKey)
	r := runCLI(t, testEnv(), nil, "egress", "send", "-kind", "catalog", "-url", game.srv.URL+stashpay.CatalogPath, "-file", writeFile(t, "{}"))
	assert.Equal(t, exitUsage, r.code, r.all())
	assert.Contains(t, r.stderr, "-file")
	calls, _ := game.snapshot()
	assert.Empty(t, calls)
}

// Answers that Stash counts as a failed purchase fail the check, whatever
// their 2xx status says: only HTTP 200 counts, and a confirm answer must
// hold results.
func TestEgressSendAnswersStashFails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path string
		status     int
		body       string
		want       int
	}{
		{"confirm without results", stashpay.ConfirmPaymentPath, 200, `{}`, exitFailed},
		{"confirm with empty results", stashpay.ConfirmPaymentPath, 200, `{"results":[]}`, exitFailed},
		{"confirm not JSON", stashpay.ConfirmPaymentPath, 200, `ok`, exitFailed},
		{"confirm 201", stashpay.ConfirmPaymentPath, 201, `{"results":[{"productId":"p"}]}`, exitFailed},
		{"confirm with results", stashpay.ConfirmPaymentPath, 200, `{"results":[{"productId":"p"}]}`, exitOK},
		{"confirm with an empty result", stashpay.ConfirmPaymentPath, 200, `{"results":[{}]}`, exitFailed},
		{"confirm with a GUID that is no UUID", stashpay.ConfirmPaymentPath, 200, `{"results":[{"guid":"sku1"}]}`, exitFailed},
		{"register 201", stashpay.RegisterPaymentPath, 201,
			`{"statuses":[{"productId":"p","status":"PURCHASE_REGISTRATION_STATUS_SUCCESS_REGISTERED"}]}`, exitFailed},
		{"cancel 204", stashpay.CancelPaymentPath, 204, ``, exitFailed},
		{"register status naming no item", stashpay.RegisterPaymentPath, 200,
			`{"statuses":[{"status":"PURCHASE_REGISTRATION_STATUS_SUCCESS_REGISTERED"}]}`, exitFailed},
		// Stash's protobuf parser refuses a number for a string member,
		// though the SDK's reader would read it as its text.
		{"register productId as a number", stashpay.RegisterPaymentPath, 200,
			`{"statuses":[{"productId":100,"status":"PURCHASE_REGISTRATION_STATUS_SUCCESS_REGISTERED"}]}`, exitFailed},
		{"confirm productId as a number", stashpay.ConfirmPaymentPath, 200, `{"results":[{"productId":100}]}`, exitFailed},
		{"register status as a number", stashpay.RegisterPaymentPath, 200, `{"statuses":[{"productId":"p","status":1}]}`, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			t.Cleanup(srv.Close)
			r := runCLI(t, testEnv(), nil, "egress", "send", "-url", srv.URL+tt.path)
			assert.Equal(t, tt.want, r.code, r.all())
		})
	}
}
