package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/examples/internal/app"
	"github.com/stashpay/stashpay-go/examples/internal/inventory"
	"github.com/stashpay/stashpay-go/grant"
	"github.com/stashpay/stashpay-go/webhook"
)

// faults make the sample game misbehave, so that the quickstart's own test
// can show that run notices. The real program never sets them.
type faults struct {
	grantTwice     bool // no exactly-once protection at all
	acceptForgery  bool // webhooks are not verified
	refuseConfirms bool // confirm always answers an error
	hangConfirms   bool // confirm never answers (until Stash gives up)
}

// game is the sample game backend: all three granting flows in one server,
// granting through one grant.Granter (one grant function, one exactly-once
// store, one key per purchase on every route) into one inventory.
type game struct {
	http.Handler
	client *stashpay.Client
	g      *grant.Granter
	inv    *inventory.Inventory
	t      *transcript
	faults faults

	mu      sync.Mutex
	pending map[string]sale // checkout ID -> what was sold
	nonce   atomic.Int64
}

// sale is a checkout the game created.
type sale struct {
	Player string
	SKU    string
}

// gameConfig is the subset of the examples' configuration the game needs.
type gameConfig struct {
	ShopID, IngressKey, EgressKey, WebhookSecret, BaseURL string
}

func newGame(cfg gameConfig, t *transcript, f faults) (*game, error) {
	client, err := stashpay.NewClient(stashpay.Credentials{ShopID: cfg.ShopID, IngressKey: cfg.IngressKey},
		stashpay.WithBaseURL(cfg.BaseURL))
	if err != nil {
		return nil, err
	}
	g := &game{client: client, inv: inventory.New(), t: t, faults: f, pending: map[string]sale{}}
	var store dedup.Store = dedup.NewMemoryStore()
	if f.grantTwice {
		store = forgetful{}
	}
	// Some flows here run without the confirm call (webhook only), so
	// Webshop cart purchases, which no key joins across the routes, are
	// left to the webhook. A backend whose confirm endpoint Stash calls for
	// every purchase adds grant.WithCartPurchasesOnConfirm(), as
	// examples/confirm does, or such a purchase is granted by both routes.
	if g.g, err = grant.New(store, g.grant, grant.WithReconcileInterval(time.Millisecond)); err != nil {
		return nil, err
	}
	quiet := slog.New(slog.DiscardHandler)
	egress := stashpay.EgressConfig{ShopID: cfg.ShopID, EgressKey: cfg.EgressKey, Logger: quiet}
	v, err := webhook.NewVerifier(cfg.WebhookSecret)
	if err != nil {
		return nil, err
	}
	hooks := g.g.WebhookHandler(v, webhook.WithLogger(quiet))
	if f.acceptForgery {
		hooks = unverified(hooks, cfg.WebhookSecret)
	}
	mux := http.NewServeMux()
	mux.Handle("/webhooks/stash", g.watchWebhooks(hooks))
	mux.Handle("/api/v1/purchase/", g.g.PurchaseHandler(egress, stashpay.PurchaseFuncs{
		Register: g.register, Confirm: g.confirm,
	}))
	g.Handler = mux
	return g, nil
}

// forgetful is the grantTwice fault's store: it never remembers a grant.
type forgetful struct{}

func (forgetful) Claim(context.Context, string, time.Duration) (dedup.Claim, error) {
	return dedup.Claim{Outcome: dedup.Claimed, Token: "t"}, nil
}
func (forgetful) Complete(context.Context, string, string) error { return nil }
func (forgetful) Release(context.Context, string, string) error  { return nil }

// key is the inventory's record of a purchase: the Granter's key. With the
// grantTwice fault every grant gets a fresh one, so that the inventory does
// not catch what the store let through.
func (g *game) key(p *grant.Purchase) string {
	if g.faults.grantTwice {
		return fmt.Sprintf("%s#%d", p.Key, g.nonce.Add(1))
	}
	return p.Key
}

// createCheckout asks Stash for a checkout for one unit of sku, at the
// price every example charges.
func (g *game) createCheckout(ctx context.Context, player, sku string) (*stashpay.Checkout, error) {
	price, ok := app.Price(sku)
	if !ok {
		return nil, fmt.Errorf("unknown sku %q", sku)
	}
	co, err := g.client.CreateCheckout(ctx, &stashpay.CheckoutParams{
		Item: &stashpay.CheckoutItem{ID: sku, PricePerItem: price, Quantity: 1, Name: sku},
		User: stashpay.CheckoutUser{ID: player},
	})
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	g.pending[co.ID] = sale{Player: player, SKU: sku}
	g.mu.Unlock()
	g.t.line("game", "checkout created", "%s: %s x1 for %s USD (checkout %s)", player, sku, price, short(co.ID))
	return co, nil
}

// grant is the game's one grant function, whichever route the purchase
// came by: it records the purchase in the inventory and says so.
func (g *game) grant(ctx context.Context, p *grant.Purchase) error {
	if p.Route == grant.RouteWebhook {
		markCalled(ctx)
		g.t.line("game", "webhook received", "%s order %s", p.Webhook.Type(), short(p.OrderID))
	}
	if g.inv.Grant(g.key(p), p.PlayerID, app.Items(p)) {
		for _, it := range p.Items {
			g.t.line("game", "item granted", "%s +%d %s (%s)", p.PlayerID, it.Quantity, it.ID, p.Route)
		}
		return nil
	}
	g.t.line("game", "duplicate ignored", "checkout %s already granted", short(p.CheckoutLinkID))
	return nil
}

// claim is the sync flow: the player is back, ask Stash how the payment went
// and grant it if it is paid.
func (g *game) claim(ctx context.Context, checkoutID string) (stashpay.PaymentStatus, error) {
	g.mu.Lock()
	s, ok := g.pending[checkoutID]
	g.mu.Unlock()
	if !ok {
		return "", errors.New("unknown checkout")
	}
	r, err := g.g.Reconcile(ctx, g.client, []grant.PendingCheckout{{ID: checkoutID, PlayerID: s.Player}})
	if err != nil {
		return "", err
	}
	var c grant.Checked
	switch {
	case len(r.Failed) > 0:
		return "", r.Failed[0].Err
	case len(r.Granted) > 0:
		c = r.Granted[0]
	case len(r.AlreadyGranted) > 0:
		c = r.AlreadyGranted[0]
	case len(r.Pending) > 0:
		c = r.Pending[0]
	default:
		c = r.Unknown[0]
	}
	g.t.line("game", "payment event", "%s for checkout %s", c.Status, short(checkoutID))
	if len(r.AlreadyGranted) > 0 {
		g.t.line("game", "duplicate ignored", "checkout %s already granted", short(checkoutID))
	}
	return c.Status, nil
}

// reconcile is the job that grants the purchases whose webhooks were lost:
// it checks every checkout the game created.
func (g *game) reconcile(ctx context.Context) (*grant.Report, error) {
	g.mu.Lock()
	todo := make([]grant.PendingCheckout, 0, len(g.pending))
	for id, s := range g.pending {
		todo = append(todo, grant.PendingCheckout{ID: id, PlayerID: s.Player})
	}
	g.mu.Unlock()
	return g.g.Reconcile(ctx, g.client, todo)
}

// register reserves the items of a purchase (pre-purchase flow, step 1).
func (g *game) register(_ context.Context, req *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
	items := app.EgressItems(req.Registrations)
	if err := g.inv.Reserve(events.CheckoutKey(req.CheckoutLinkID), items); err != nil {
		g.t.line("game", "register called", "%s: refused, %v", req.PlayerID, err)
		return nil, stashpay.RejectRegistration(stashpay.PurchaseRegistrationStatusFailedInsufficientInventory, "sold out")
	}
	g.t.line("game", "register called", "%s: reserved %s", req.PlayerID, describe(items))
	return nil, nil
}

// confirm is the game's check before a confirm call grants (pre-purchase
// flow, step 2): the Granter grants after it returns nil.
func (g *game) confirm(ctx context.Context, req *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
	g.t.line("game", "confirm called", "%s: transaction %s, total %d cents", req.PlayerID, short(req.TransactionID), req.Total)
	if g.faults.hangConfirms {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if g.faults.refuseConfirms {
		return nil, stashpay.RejectPurchase("refused by fault injection")
	}
	return nil, nil
}

func describe(items []inventory.Item) string {
	var b bytes.Buffer
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s x%d", it.SKU, it.Quantity)
	}
	return b.String()
}

// calledKey marks, in a webhook request's context, whether onEvent ran.
type calledKey struct{}

func markCalled(ctx context.Context) {
	if p, ok := ctx.Value(calledKey{}).(*atomic.Bool); ok {
		p.Store(true)
	}
}

// watchWebhooks narrates what the webhook handler did with deliveries the
// game's function never saw: refused (a forgery) or acknowledged as already
// processed by the exactly-once store.
func (g *game) watchWebhooks(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		called := new(atomic.Bool)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), calledKey{}, called)))
		var head struct {
			Type string `json:"type"`
			P    struct {
				OrderID string `json:"orderId"`
			} `json:"purchaseSucceeded"`
		}
		_ = json.Unmarshal(body, &head)
		switch {
		case rec.status == http.StatusUnauthorized:
			g.t.line("game", "forgery rejected", "%s order %s: bad signature, answered 401", head.Type, short(head.P.OrderID))
		case rec.status == http.StatusOK && !called.Load():
			g.t.line("game", "webhook received", "%s order %s", head.Type, short(head.P.OrderID))
			g.t.line("game", "duplicate ignored", "already processed, answered 200")
		}
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// unverified is the acceptForgery fault: every delivery is signed anew
// with the real secret before the webhook handler sees it, as if it were
// never verified.
func unverified(next http.Handler, secret string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.Header.Set(webhook.SignatureHeader, webhook.Sign(body, secret))
		next.ServeHTTP(w, r)
	})
}

// short abbreviates an ID for the transcript.
func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
