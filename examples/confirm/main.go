// Command confirm is a small game backend for the pre-purchase validation
// flow: Stash calls the game before it completes a charge, and the game
// reserves, grants or refuses.
//
//  1. The game client asks for a checkout: POST /checkout
//     {"playerId": "alice", "sku": "sword"}; the backend answers its URL.
//  2. When the player pays, Stash calls POST /api/v1/purchase/register: the
//     backend checks the offer (known SKU, right price) and reserves stock;
//     a sold-out item is refused per item, and Stash does not charge.
//  3. Stash then calls POST /api/v1/purchase/confirm: the backend grants the
//     items exactly once and answers 200 with results, which completes the
//     charge; refusing (RejectPurchase, a non-2xx answer) fails it. Or Stash
//     calls POST /api/v1/purchase/cancel (the payment was declined) and the
//     backend releases the reservation.
//
// Set this backend's base URL in Studio under Project Settings, Game Backend.
// With STASH_WEBHOOK_SECRET set, /webhooks/stash also grants on
// PURCHASE_SUCCEEDED, keyed on the same checkout link ID as confirm and
// through one shared exactly-once store, so a purchase that arrives by both
// routes is granted once.
//
// GET /inventory?player=alice shows what a player owns.
//
// Configuration, from the environment:
//
//	STASH_SHOP_ID         the shop ID (Studio's App ID)   required
//	STASH_INGRESS_KEY     the Ingress API key              required (checkouts)
//	STASH_EGRESS_KEY      the Egress API key               required (Stash's calls)
//	STASH_WEBHOOK_SECRET  the webhook's secret             optional
//	STASH_ENV             test (default) or production
//	STASH_BASE_URL        overrides the API base URL (e.g. a stashpaytest fake)
//	ADDR                  listen address, default localhost:8080
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

// config is what the backend needs, read from the environment by loadConfig.
type config struct {
	app.Config
	EgressKey     app.Secret
	WebhookSecret app.Secret // optional
}

// loadConfig reads the configuration through getenv (os.Getenv in main).
func loadConfig(getenv func(string) string) (config, error) {
	base, err := app.LoadConfig(getenv)
	egressKey, err2 := app.Required(getenv, "STASH_EGRESS_KEY")
	return config{Config: base, EgressKey: app.Secret(egressKey), WebhookSecret: app.Secret(getenv("STASH_WEBHOOK_SECRET"))}, errors.Join(err, err2)
}

// swordStock is how many swords the shop has: a limited item, to show a
// refused registration.
const swordStock = 3

// backend is the game backend.
type backend struct {
	http.Handler
	inv *inventory.Inventory
	env stashpay.Environment
	log *slog.Logger
}

// newBackend builds the backend; opts go to stashpay.NewClient.
func newBackend(cfg config, log *slog.Logger, opts ...stashpay.Option) (*backend, error) {
	client, err := app.NewClient(cfg.Config, log, opts...)
	if err != nil {
		return nil, err
	}
	b := &backend{inv: inventory.New(), env: cfg.Env, log: log}
	b.inv.SetStock("sword", swordStock)

	// One Granter, one grant function, for both routes (confirm and, when
	// configured, the webhook). One process here; replicas share a Redis
	// or PostgreSQL store instead.
	// This backend serves confirm, which Stash calls for every purchase, so
	// the confirm call grants the purchases that no key joins across the
	// two routes (Webshop cart purchases: no checkout link ID); their
	// webhook is acknowledged without granting them again.
	g, err := grant.New(dedup.NewMemoryStore(), b.grant, grant.WithLogger(log), grant.WithCartPurchasesOnConfirm())
	if err != nil {
		return nil, err
	}
	egress := stashpay.EgressConfig{ShopID: cfg.ShopID, EgressKey: cfg.EgressKey.Reveal(), Logger: log}
	if err := egress.Validate(); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /checkout", app.CheckoutHandler(client, log, nil))
	mux.HandleFunc("GET /inventory", app.InventoryHandler(b.inv))
	mux.Handle("/api/v1/purchase/", g.PurchaseHandler(egress, stashpay.PurchaseFuncs{
		Register: b.register, Confirm: b.check, Cancel: b.cancel,
	}))
	if cfg.WebhookSecret != "" {
		v, err := webhook.NewVerifier(cfg.WebhookSecret.Reveal())
		if err != nil {
			return nil, err
		}
		mux.Handle("/webhooks/stash", g.WebhookHandler(v, webhook.WithLogger(log)))
	}
	b.Handler = mux
	return b, nil
}

// purchaseKey is the key package grant gives the purchase of a register,
// confirm or cancel call (Purchase.Key): the checkout link's, else the
// transaction's. The reservation is kept under it, so that the grant
// consumes it.
func purchaseKey(checkoutLinkID, transactionID string) string {
	if checkoutLinkID != "" {
		return events.CheckoutKey(checkoutLinkID)
	}
	return "purchase-tx:" + transactionID
}

// wrongEnvironment reports a call from the other Stash environment.
func (b *backend) wrongEnvironment(env stashpay.PaymentEnvironment) bool {
	switch env {
	case stashpay.PaymentEnvironmentTest:
		return b.env != stashpay.Test
	case stashpay.PaymentEnvironmentProduction:
		return b.env != stashpay.Production
	default:
		return false
	}
}

// register checks the offer and reserves stock (step 1).
func (b *backend) register(_ context.Context, req *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
	if b.wrongEnvironment(req.Environment) {
		return nil, stashpay.RejectRegistration(stashpay.PurchaseRegistrationStatusFailedPurchaseLocked, "wrong environment")
	}
	for _, it := range req.Registrations {
		p, ok := app.Price(it.ProductID)
		if !ok {
			return nil, stashpay.RejectRegistration(stashpay.PurchaseRegistrationStatusFailedInvalidOffer, "unknown product")
		}
		if want, err := p.MinorUnits(req.DecimalPlaces); err != nil || want != it.Cents {
			return nil, stashpay.RejectRegistration(stashpay.PurchaseRegistrationStatusFailedInvalidPrice, "price changed")
		}
	}
	key := purchaseKey(req.CheckoutLinkID, req.TransactionID)
	if err := b.inv.Reserve(key, app.EgressItems(req.Registrations)); errors.Is(err, inventory.ErrOutOfStock) {
		return nil, stashpay.RejectRegistration(stashpay.PurchaseRegistrationStatusFailedInsufficientInventory, "sold out")
	} else if err != nil {
		return nil, err
	}
	b.log.Info("purchase registered", "key", key, "player", req.PlayerID)
	return nil, nil // every item registered
}

// check runs before the grant of a confirm call (step 2A): it refuses the
// purchase, before anything is granted, from the other environment or
// when the stock is gone.
func (b *backend) check(_ context.Context, req *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
	if b.wrongEnvironment(req.Environment) {
		return nil, stashpay.RejectPurchase("wrong environment")
	}
	// A confirm without a register (or after a restart lost it) reserves
	// now, and refuses if the stock is gone: nothing granted, no charge.
	if err := b.inv.Reserve(purchaseKey(req.CheckoutLinkID, req.TransactionID), app.EgressItems(req.Items)); err != nil {
		return nil, stashpay.RejectPurchase("sold out")
	}
	return nil, nil // one result per item: the purchase completes
}

// grant grants a purchase once, whether confirm or the webhook brought it.
func (b *backend) grant(_ context.Context, p *grant.Purchase) error {
	if p.Webhook != nil && app.OtherEnvironment(p.Webhook.Environment(), b.env) {
		return nil
	}
	lines := app.Items(p)
	for _, bonus := range p.BonusItems {
		lines = append(lines, inventory.Item{SKU: bonus.ID, Quantity: bonus.Quantity})
	}
	if b.inv.Grant(p.Key, p.PlayerID, lines) {
		b.log.Info("purchase granted", "key", p.Key, "route", p.Route, "player", p.PlayerID)
	}
	return nil
}

// cancel releases a reservation (step 2B). The handler answers a cancel of
// a transaction it granted itself; one of another session of a checkout
// link granted earlier still reaches this function, and finds the link
// granted: its register reserved nothing (reservations are kept per
// purchase key), so there is nothing to release.
func (b *backend) cancel(_ context.Context, req *stashpay.CancelPaymentRequest) (*stashpay.CancelPaymentResponse, error) {
	key := purchaseKey(req.CheckoutLinkID, req.TransactionID)
	switch {
	case b.inv.Granted(key):
		return nil, stashpay.RejectCancellation(stashpay.PurchaseCancellationStatusFailedAlreadyCompleted, "")
	case !b.inv.Release(key):
		return nil, stashpay.RejectCancellation(stashpay.PurchaseCancellationStatusFailedTransactionNotFound, "")
	}
	b.log.Info("purchase cancelled", "key", key)
	return nil, nil
}

func main() {
	app.Example[config, *backend]{Name: "confirm example", Load: loadConfig, Build: newBackend}.Main()
}
