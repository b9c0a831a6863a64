// Command webhook is a small game backend that grants purchases when Stash
// sends the PURCHASE_SUCCEEDED webhook: the async post-purchase flow.
//
//  1. The game client asks this backend for a checkout: POST /checkout
//     {"playerId": "alice", "sku": "gems_100"}; the backend creates it with
//     Stash and answers the checkout URL to show to the player.
//  2. The player pays on Stash's page.
//  3. Stash POSTs PURCHASE_SUCCEEDED to /webhooks/stash (set this URL, and
//     its secret, in Studio under Settings, Webhooks). The backend verifies
//     the signature, grants the items exactly once however often Stash
//     delivers the event, and answers 200.
//
// GET /inventory?player=alice shows what a player owns.
//
// Configuration, from the environment:
//
//	STASH_SHOP_ID         the shop ID (Studio's App ID)           required
//	STASH_INGRESS_KEY     the Ingress API key                      required
//	STASH_WEBHOOK_SECRET  the webhook's secret                     required
//	STASH_ENV             test (default) or production
//	STASH_BASE_URL        overrides the API base URL (e.g. a stashpaytest fake)
//	ADDR                  listen address, default localhost:8080
//
// Stash must reach the webhook URL over HTTPS; during development expose the
// local port with a tunnel of your choice.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/examples/internal/inventory"
	"github.com/stashpay/stashpay-go/webhook"
)

// config is what the backend needs to know, read from the environment by
// loadConfig.
type config struct {
	ShopID        string
	IngressKey    string
	WebhookSecret string
	Env           stashpay.Environment
	BaseURL       string // optional override of the environment's base URL
	Addr          string
}

// loadConfig reads the configuration through getenv (os.Getenv in main).
func loadConfig(getenv func(string) string) (config, error) {
	cfg := config{
		ShopID:        getenv("STASH_SHOP_ID"),
		IngressKey:    getenv("STASH_INGRESS_KEY"),
		WebhookSecret: getenv("STASH_WEBHOOK_SECRET"),
		BaseURL:       getenv("STASH_BASE_URL"),
		Addr:          getenv("ADDR"),
	}
	var missing []error
	for name, v := range map[string]string{
		"STASH_SHOP_ID": cfg.ShopID, "STASH_INGRESS_KEY": cfg.IngressKey, "STASH_WEBHOOK_SECRET": cfg.WebhookSecret,
	} {
		if v == "" {
			missing = append(missing, fmt.Errorf("%s is not set", name))
		}
	}
	if err := errors.Join(missing...); err != nil {
		return config{}, err
	}
	switch getenv("STASH_ENV") {
	case "", "test":
		cfg.Env = stashpay.Test
	case "production":
		cfg.Env = stashpay.Production
	default:
		return config{}, errors.New("STASH_ENV must be test or production")
	}
	if cfg.Addr == "" {
		cfg.Addr = "localhost:8080"
	}
	return cfg, nil
}

// price returns the price of a SKU the game sells, in dollars.
func price(sku string) (string, bool) {
	switch sku {
	case "gems_100":
		return "1.99", true
	case "gems_500":
		return "8.99", true
	case "sword":
		return "4.99", true
	default:
		return "", false
	}
}

// backend is the game backend: an http.Handler over the Stash client, the
// webhook handler and the inventory.
type backend struct {
	http.Handler
	client *stashpay.Client
	inv    *inventory.Inventory
	env    string // the webhook environment accepted: "test" or "production"
	log    *slog.Logger
}

// newBackend builds the backend. opts are passed to stashpay.NewClient after
// the backend's own (a test adds stashpay.WithHTTPClient, for instance).
func newBackend(cfg config, log *slog.Logger, opts ...stashpay.Option) (*backend, error) {
	clientOpts := []stashpay.Option{stashpay.WithEnvironment(cfg.Env), stashpay.WithLogger(log)}
	if cfg.BaseURL != "" {
		clientOpts = append(clientOpts, stashpay.WithBaseURL(cfg.BaseURL))
	}
	client, err := stashpay.NewClient(stashpay.Credentials{ShopID: cfg.ShopID, IngressKey: cfg.IngressKey}, append(clientOpts, opts...)...)
	if err != nil {
		return nil, err
	}
	verifier, err := webhook.NewVerifier(cfg.WebhookSecret)
	if err != nil {
		return nil, err
	}
	b := &backend{client: client, inv: inventory.New(), env: cfg.Env.String(), log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /checkout", b.createCheckout)
	mux.Handle("/webhooks/stash", webhook.NewHandler(verifier, b.onEvent, webhook.WithLogger(log)))
	mux.HandleFunc("GET /inventory", b.inventory)
	b.Handler = mux
	return b, nil
}

// createCheckout creates a Stash checkout for one unit of a SKU.
func (b *backend) createCheckout(w http.ResponseWriter, r *http.Request) {
	var req struct {
		PlayerID string `json:"playerId"`
		SKU      string `json:"sku"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil || req.PlayerID == "" {
		http.Error(w, "want {\"playerId\", \"sku\"}", http.StatusBadRequest)
		return
	}
	p, ok := price(req.SKU)
	if !ok {
		http.Error(w, "unknown sku", http.StatusBadRequest)
		return
	}
	co, err := b.client.CreateCheckout(r.Context(), &stashpay.CheckoutParams{
		Item: &stashpay.CheckoutItem{ID: req.SKU, PricePerItem: stashpay.Amount(p), Quantity: 1, Name: req.SKU},
		User: stashpay.CheckoutUser{ID: req.PlayerID},
	})
	if err != nil {
		b.log.Error("create checkout", "error", err)
		http.Error(w, "checkout failed", http.StatusBadGateway)
		return
	}
	writeJSON(w, map[string]string{"checkoutId": co.ID, "url": co.URL, "transactionId": co.TransactionID})
}

// onEvent handles one verified webhook event. It returns nil once the event
// is handled (the handler then answers 200); an error makes Stash redeliver.
func (b *backend) onEvent(_ context.Context, e events.Event) error {
	if env := e.Environment(); env != "" && env != b.env {
		// Test and production are configured separately in Studio; an event
		// from the other environment is acknowledged and ignored.
		b.log.Warn("webhook from another environment ignored", "environment", env)
		return nil
	}
	switch e := e.(type) {
	case *events.PurchaseSucceeded:
		items := make([]inventory.Item, 0, len(e.Items))
		for _, it := range e.Items {
			items = append(items, inventory.Item{SKU: it.ID, Quantity: it.Quantity})
		}
		if b.inv.Grant(grantKey(e), e.UserID, items) {
			b.log.Info("purchase granted", "order", e.OrderID, "player", e.UserID)
		} else {
			b.log.Info("purchase already granted", "order", e.OrderID)
		}
	case *events.PurchaseRefunded:
		// A real game would revoke or flag the items here.
		b.log.Info("purchase refunded", "order", e.OrderID, "player", e.UserID)
	default:
		// Analytics and subscription events: acknowledge.
	}
	return nil
}

// grantKey identifies a purchase the same way on every route it can reach
// the game by: the checkout link ID (webhook, GetPaymentEvent and confirm all
// carry it), else the order ID.
func grantKey(e *events.PurchaseSucceeded) string {
	if e.CheckoutLinkID != "" {
		return "checkout:" + e.CheckoutLinkID
	}
	return "order:" + e.OrderID
}

func (b *backend) inventory(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, map[string]any{"player": r.URL.Query().Get("player"), "items": b.inv.Items(r.URL.Query().Get("player"))})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		log.Error("configuration", "error", err)
		os.Exit(2)
	}
	b, err := newBackend(cfg, log)
	if err != nil {
		log.Error("startup", "error", err)
		os.Exit(2)
	}
	srv := &http.Server{Addr: cfg.Addr, Handler: b, ReadHeaderTimeout: 10 * time.Second}
	log.Info("listening", "addr", cfg.Addr, "environment", cfg.Env)
	if err := srv.ListenAndServe(); err != nil {
		log.Error("server", "error", err)
		os.Exit(1)
	}
}
