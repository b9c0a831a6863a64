// Command paymentevent is a small game backend that grants purchases by
// asking Stash for the payment's status: the sync post-purchase flow, for
// games that show rewards as soon as the player returns, without webhooks.
//
//  1. The game client asks for a checkout: POST /checkout
//     {"playerId": "alice", "sku": "gems_100"}. The backend creates it with
//     Stash, remembers it as pending and answers the checkout URL.
//  2. The player pays on Stash's page and returns to the game.
//  3. The client calls POST /checkout/{checkoutId}/claim (add ?wait=10s to
//     poll until the payment settles). The backend calls GetPaymentEvent and,
//     once the payment succeeded, grants the items exactly once: a second
//     claim, a retry or the reconciler finds them granted already.
//
// A reconciler polls every pending checkout once a minute, so a purchase is
// granted even when the player never comes back to claim it.
//
// GET /inventory?player=alice shows what a player owns.
//
// Configuration, from the environment:
//
//	STASH_SHOP_ID      the shop ID (Studio's App ID)   required
//	STASH_INGRESS_KEY  the Ingress API key              required
//	STASH_ENV          test (default) or production
//	STASH_BASE_URL     overrides the API base URL (e.g. a stashpaytest fake)
//	ADDR               listen address, default localhost:8080
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/examples/internal/app"
	"github.com/stashpay/stashpay-go/examples/internal/inventory"
	"github.com/stashpay/stashpay-go/grant"
)

// config is what the backend needs, read from the environment by loadConfig.
type config struct {
	app.Config
	// PollEvery is the pause between two GetPaymentEvent calls of a claim
	// that waits; 0 means 500ms.
	PollEvery time.Duration
}

// loadConfig reads the configuration through getenv (os.Getenv in main).
func loadConfig(getenv func(string) string) (config, error) {
	base, err := app.LoadConfig(getenv)
	return config{Config: base}, err
}

// pending is a checkout the backend created and has not granted yet.
type pending struct {
	Player string
	SKU    string
}

// backend is the game backend.
type backend struct {
	http.Handler
	client    *stashpay.Client
	g         *grant.Granter
	inv       *inventory.Inventory
	log       *slog.Logger
	pollEvery time.Duration

	mu      sync.Mutex
	pending map[string]pending // checkout ID -> what was sold
}

// newBackend builds the backend; opts go to stashpay.NewClient.
func newBackend(cfg config, log *slog.Logger, opts ...stashpay.Option) (*backend, error) {
	client, err := app.NewClient(cfg.Config, log, opts...)
	if err != nil {
		return nil, err
	}
	b := &backend{client: client, inv: inventory.New(), log: log, pollEvery: cfg.PollEvery, pending: map[string]pending{}}
	if b.pollEvery <= 0 {
		b.pollEvery = 500 * time.Millisecond
	}
	// One process here; replicas share a Redis or PostgreSQL store instead.
	if b.g, err = grant.New(dedup.NewMemoryStore(), b.grant, grant.WithLogger(log)); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /checkout", app.CheckoutHandler(client, log, b.remember))
	mux.HandleFunc("POST /checkout/{id}/claim", b.claim)
	mux.HandleFunc("GET /inventory", app.InventoryHandler(b.inv))
	b.Handler = mux
	return b, nil
}

// remember records a new checkout as pending.
func (b *backend) remember(co *stashpay.Checkout, player, sku string) {
	b.mu.Lock()
	b.pending[co.ID] = pending{Player: player, SKU: sku}
	b.mu.Unlock()
}

// claimResult is the answer of a claim.
type claimResult struct {
	Status  stashpay.PaymentStatus `json:"status"`
	Granted bool                   `json:"granted"` // the items are the player's (now or earlier)
	New     bool                   `json:"new"`     // this call granted them
}

// claim checks a checkout's payment and grants it once it succeeded.
func (b *backend) claim(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	b.mu.Lock()
	p, ok := b.pending[id]
	b.mu.Unlock()
	if !ok && !b.inv.Granted(events.CheckoutKey(id)) {
		http.Error(w, "unknown checkout", http.StatusNotFound)
		return
	}
	wait, _ := time.ParseDuration(r.URL.Query().Get("wait"))
	ctx, cancel := context.WithTimeout(r.Context(), min(max(wait, 0), time.Minute)+10*time.Second)
	defer cancel()
	deadline := time.Now().Add(wait)
	for {
		res, err := b.settle(ctx, id, p)
		if err != nil {
			b.log.Error("claim", "checkout", id, "error", err)
			http.Error(w, "payment check failed", http.StatusBadGateway)
			return
		}
		if res.Granted || res.Status != stashpay.PaymentStatusPending || !time.Now().Before(deadline) {
			code := http.StatusOK
			if !res.Granted && !final(res.Status) {
				code = http.StatusAccepted // still pending: ask again later
			}
			app.WriteJSON(w, code, res)
			return
		}
		select {
		case <-time.After(b.pollEvery):
		case <-ctx.Done():
			app.WriteJSON(w, http.StatusAccepted, res)
			return
		}
	}
}

// final reports whether a status will not change to succeeded any more.
func final(s stashpay.PaymentStatus) bool {
	return s == stashpay.PaymentStatusFailed || s == stashpay.PaymentStatusRefunded
}

// settle asks Stash for checkout id's payment and grants p once it is
// paid, through the Granter: a claim, its retries and the reconciler grant
// it once between them. Already granted checkouts are answered without
// calling Stash.
func (b *backend) settle(ctx context.Context, id string, p pending) (claimResult, error) {
	if b.inv.Granted(events.CheckoutKey(id)) {
		return claimResult{Status: stashpay.PaymentStatusSucceeded, Granted: true}, nil
	}
	r, err := b.g.Reconcile(ctx, b.client, []grant.PendingCheckout{{ID: id, PlayerID: p.Player}})
	if err != nil {
		return claimResult{}, err
	}
	switch {
	case len(r.Granted) == 1:
		b.forget(id)
		return claimResult{Status: r.Granted[0].Status, Granted: true, New: true}, nil
	case len(r.AlreadyGranted) == 1:
		b.forget(id)
		return claimResult{Status: r.AlreadyGranted[0].Status, Granted: true}, nil
	case len(r.Pending) == 1:
		if final(r.Pending[0].Status) {
			b.forget(id)
		}
		return claimResult{Status: r.Pending[0].Status}, nil
	case len(r.Unknown) == 1: // logged by the Granter; never granted
		return claimResult{Status: r.Unknown[0].Status}, nil
	default:
		return claimResult{}, r.Failed[0].Err
	}
}

// grant grants a paid checkout once, whichever of a claim and the
// reconciler gets there first, after checking that the payment is for what
// the game sold.
func (b *backend) grant(_ context.Context, p *grant.Purchase) error {
	b.mu.Lock()
	sold, ok := b.pending[p.CheckoutLinkID]
	b.mu.Unlock()
	if !ok {
		return fmt.Errorf("checkout %s is not pending", p.CheckoutLinkID)
	}
	if !paidFor(p, sold.SKU) {
		return fmt.Errorf("payment of checkout %s does not include %s", p.CheckoutLinkID, sold.SKU)
	}
	if b.inv.Grant(p.Key, p.PlayerID, []inventory.Item{{SKU: sold.SKU, Quantity: 1}}) {
		b.log.Info("purchase granted", "checkout", p.CheckoutLinkID, "player", p.PlayerID, "sku", sold.SKU)
	}
	return nil
}

// paidFor reports whether the payment lists sku (or lists no items).
func paidFor(p *grant.Purchase, sku string) bool {
	if len(p.Items) == 0 {
		return true
	}
	for _, it := range p.Items {
		if it.ID == sku {
			return true
		}
	}
	return false
}

func (b *backend) forget(id string) {
	b.mu.Lock()
	delete(b.pending, id)
	b.mu.Unlock()
}

// reconcile checks every pending checkout once, granting those that were
// paid (their player never claimed them, or claimed while Stash was
// unreachable). It returns how many it granted.
func (b *backend) reconcile(ctx context.Context) int {
	b.mu.Lock()
	todo := make([]grant.PendingCheckout, 0, len(b.pending))
	for id, p := range b.pending {
		todo = append(todo, grant.PendingCheckout{ID: id, PlayerID: p.Player})
	}
	b.mu.Unlock()
	r, err := b.g.Reconcile(ctx, b.client, todo)
	if err != nil {
		b.log.Warn("reconcile interrupted", "error", err)
	}
	for _, c := range append(r.Granted, r.AlreadyGranted...) {
		b.forget(c.ID)
	}
	for _, c := range r.Pending {
		if final(c.Status) {
			b.forget(c.ID)
		}
	}
	for _, c := range r.Failed {
		b.log.Warn("reconcile", "checkout", c.ID, "error", c.Err)
	}
	return len(r.Granted)
}

// reconcileEvery runs reconcile once a minute until ctx is done.
func (b *backend) reconcileEvery(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			b.reconcile(ctx)
		case <-ctx.Done():
			return
		}
	}
}

func main() {
	app.Example[config, *backend]{
		Name:       "paymentevent example",
		Load:       loadConfig,
		Build:      newBackend,
		Background: func(ctx context.Context, b *backend) { b.reconcileEvery(ctx) },
	}.Main()
}
