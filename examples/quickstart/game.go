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
	"strings"
	"sync"
	"sync/atomic"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/examples/internal/app"
	"github.com/stashpay/stashpay-go/examples/internal/inventory"
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
// with one inventory and one exactly-once store, keyed on the checkout link
// ID on every route.
type game struct {
	http.Handler
	client *stashpay.Client
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
	store := dedup.NewMemoryStore()
	quiet := slog.New(slog.DiscardHandler)
	egress := stashpay.EgressConfig{
		ShopID: cfg.ShopID, EgressKey: cfg.EgressKey, Store: store, Logger: quiet,
		KeyFunc: func(req *stashpay.ConfirmPaymentRequest) string { return g.key(req.CheckoutLinkID) },
	}
	v, err := webhook.NewVerifier(cfg.WebhookSecret)
	if err != nil {
		return nil, err
	}
	hookOpts := []webhook.HandlerOption{webhook.WithStore(store), webhook.WithLogger(quiet),
		webhook.WithKeyFunc(func(e events.Event) string {
			if p, ok := e.(*events.PurchaseSucceeded); ok {
				return g.key(p.CheckoutLinkID)
			}
			return webhook.DefaultKey(e)
		})}
	if f.grantTwice {
		hookOpts = append(hookOpts, webhook.WithoutDedup())
	}
	var hooks http.Handler = webhook.NewHandler(v, g.onEvent, hookOpts...)
	if f.acceptForgery {
		hooks = unverified(g.onEvent)
	}
	mux := http.NewServeMux()
	mux.Handle("/webhooks/stash", g.watchWebhooks(hooks))
	mux.Handle("/api/v1/purchase/", stashpay.PurchaseHandler(egress, stashpay.PurchaseFuncs{
		Register: g.register, Confirm: g.confirm,
	}))
	g.Handler = mux
	return g, nil
}

// key is the purchase's identity on every route. With the grantTwice fault
// every call gets a fresh key, so nothing is ever recognised as a duplicate.
func (g *game) key(checkoutLinkID string) string {
	if g.faults.grantTwice {
		return fmt.Sprintf("checkout:%s#%d", checkoutLinkID, g.nonce.Add(1))
	}
	return "checkout:" + checkoutLinkID
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

// grant records a purchase in the inventory once and says so.
func (g *game) grant(key, player string, items []inventory.Item) {
	if g.inv.Grant(key, player, items) {
		for _, it := range items {
			g.t.line("game", "item granted", "%s +%d %s", player, it.Quantity, it.SKU)
		}
		return
	}
	g.t.line("game", "duplicate ignored", "checkout %s already granted", short(strings.TrimPrefix(key, "checkout:")))
}

// claim is the sync flow: the player is back, ask Stash how the payment went.
func (g *game) claim(ctx context.Context, checkoutID string) (stashpay.PaymentStatus, error) {
	g.mu.Lock()
	s, ok := g.pending[checkoutID]
	g.mu.Unlock()
	if !ok {
		return "", errors.New("unknown checkout")
	}
	ev, err := g.client.GetPaymentEvent(ctx, checkoutID)
	if err != nil {
		return "", err
	}
	g.t.line("game", "payment event", "%s for checkout %s", ev.Status, short(checkoutID))
	if ev.Status == stashpay.PaymentStatusSucceeded {
		g.grant(g.key(checkoutID), s.Player, []inventory.Item{{SKU: s.SKU, Quantity: 1}})
	}
	return ev.Status, nil
}

// register reserves the items of a purchase (pre-purchase flow, step 1).
func (g *game) register(_ context.Context, req *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
	items := app.EgressItems(req.Registrations)
	if err := g.inv.Reserve(g.key(req.CheckoutLinkID), items); err != nil {
		g.t.line("game", "register called", "%s: refused, %v", req.PlayerID, err)
		return nil, stashpay.RejectRegistration(stashpay.PurchaseRegistrationStatusFailedInsufficientInventory, "sold out")
	}
	g.t.line("game", "register called", "%s: reserved %s", req.PlayerID, describe(items))
	return nil, nil
}

// confirm grants a purchase (pre-purchase flow, step 2).
func (g *game) confirm(ctx context.Context, req *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
	g.t.line("game", "confirm called", "%s: transaction %s, total %d cents", req.PlayerID, short(req.TransactionID), req.Total)
	if g.faults.hangConfirms {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if g.faults.refuseConfirms {
		return nil, stashpay.RejectPurchase("refused by fault injection")
	}
	g.grant(g.key(req.CheckoutLinkID), req.PlayerID, app.EgressItems(req.Items))
	return nil, nil
}

// onEvent is the async flow: a verified webhook event.
func (g *game) onEvent(ctx context.Context, e events.Event) error {
	markCalled(ctx)
	p, ok := e.(*events.PurchaseSucceeded)
	if !ok {
		return nil
	}
	g.t.line("game", "webhook received", "%s order %s", e.Type(), short(p.OrderID))
	g.grant(g.key(p.CheckoutLinkID), p.UserID, app.PurchasedItems(p))
	return nil
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

// unverified is the acceptForgery fault: events are parsed and handled
// without checking their signature.
func unverified(fn func(context.Context, events.Event) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		e, err := events.Parse(body)
		if err != nil {
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		if err := fn(r.Context(), e); err != nil {
			http.Error(w, "failed", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, "{}")
	})
}

// short abbreviates an ID for the transcript.
func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
