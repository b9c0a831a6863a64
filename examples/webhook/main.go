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
	"errors"
	"log/slog"
	"net/http"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/examples/internal/app"
	"github.com/stashpay/stashpay-go/examples/internal/inventory"
	"github.com/stashpay/stashpay-go/grant"
	"github.com/stashpay/stashpay-go/webhook"
)

// config is what the backend needs to know, read from the environment by
// loadConfig.
type config struct {
	app.Config
	WebhookSecret app.Secret
}

// loadConfig reads the configuration through getenv (os.Getenv in main).
func loadConfig(getenv func(string) string) (config, error) {
	base, err := app.LoadConfig(getenv)
	secret, err2 := app.Required(getenv, "STASH_WEBHOOK_SECRET")
	if err := errors.Join(err, err2); err != nil {
		return config{}, err
	}
	return config{Config: base, WebhookSecret: app.Secret(secret)}, nil
}

// backend is the game backend: an http.Handler over the Stash client, the
// webhook handler and the inventory.
type backend struct {
	http.Handler
	inv *inventory.Inventory
	env stashpay.Environment // the environment whose webhooks are accepted
	log *slog.Logger
}

// newBackend builds the backend. opts are passed to stashpay.NewClient after
// the backend's own (a test adds stashpay.WithHTTPClient, for instance).
func newBackend(cfg config, log *slog.Logger, opts ...stashpay.Option) (*backend, error) {
	client, err := app.NewClient(cfg.Config, log, opts...)
	if err != nil {
		return nil, err
	}
	verifier, err := webhook.NewVerifier(cfg.WebhookSecret.Reveal())
	if err != nil {
		return nil, err
	}
	b := &backend{inv: inventory.New(), env: cfg.Env, log: log}
	// One process here; replicas share a Redis or PostgreSQL store instead.
	g, err := grant.New(dedup.NewMemoryStore(), b.grant, grant.WithLogger(log), grant.WithOtherEvents(b.onOther))
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /checkout", app.CheckoutHandler(client, log, nil))
	mux.Handle("/webhooks/stash", g.WebhookHandler(verifier, webhook.WithLogger(log)))
	mux.HandleFunc("GET /inventory", app.InventoryHandler(b.inv))
	b.Handler = mux
	return b, nil
}

// grant grants one purchase, called once per purchase however often Stash
// delivers it. It returns nil once the items are granted (the handler then
// answers 200); an error makes Stash redeliver.
func (b *backend) grant(_ context.Context, p *grant.Purchase) error {
	if env := p.Webhook.Environment(); app.OtherEnvironment(env, b.env) {
		// Test and production are configured separately in Studio; an event
		// from the other environment is acknowledged and ignored.
		b.log.Warn("webhook from another environment ignored", "environment", env)
		return nil
	}
	if b.inv.Grant(p.Key, p.PlayerID, app.Items(p)) {
		b.log.Info("purchase granted", "order", p.OrderID, "player", p.PlayerID)
	} else {
		b.log.Info("purchase already granted", "order", p.OrderID)
	}
	return nil
}

// onOther handles the verified events that are not purchases.
func (b *backend) onOther(_ context.Context, e events.Event) error {
	if r, ok := e.(*events.PurchaseRefunded); ok {
		// A real game would revoke or flag the items here.
		b.log.Info("purchase refunded", "order", r.OrderID, "player", r.UserID)
	}
	// Analytics and subscription events: acknowledge.
	return nil
}

func main() {
	app.Example[config, *backend]{Name: "webhook example", Load: loadConfig, Build: newBackend}.Main()
}
