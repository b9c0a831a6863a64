// Package granttest runs package grant's exactly-once checks on a
// [dedup.Store], for store authors and the store modules' CI: every pair
// of routes (confirm, webhook, poll) racing for the same purchases on two
// game instances that share the store, and two instances reconciling the
// same purchases whose webhooks were lost. Each purchase must be granted
// exactly once.
//
// A store module calls it from a test, with two stores on one backend (two
// clients, as two replicas would have):
//
//	func TestGrantRoutes(t *testing.T) {
//		granttest.Run(t, func(t *testing.T) [2]dedup.Store { return [2]dedup.Store{newStore(t), newStore(t)} })
//	}
package granttest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/grant"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stashpay/stashpay-go/webhook"
)

// Purchases is how many purchases each check races for.
const Purchases = 8

// Book is a game's record of grants, per purchase key. It is safe for
// concurrent use; its zero value is ready.
type Book struct {
	mu     sync.Mutex
	counts map[string]int
	routes map[string]grant.Route
}

// Grant is a [grant.Func] that records p.
func (b *Book) Grant(_ context.Context, p *grant.Purchase) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.counts == nil {
		b.counts, b.routes = map[string]int{}, map[string]grant.Route{}
	}
	b.counts[p.Key]++
	b.routes[p.Key] = p.Route
	return nil
}

// Count returns how many times key was granted.
func (b *Book) Count(key string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.counts[key]
}

// Route returns the route that granted key, "" if none did.
func (b *Book) Route(key string) grant.Route {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.routes[key]
}

// Instance is one replica of a game backend: its Granter and its server.
type Instance struct {
	// Granter grants into the world's Book through this instance's store.
	Granter *grant.Granter
	// Server serves the instance's webhook and egress handlers on loopback.
	Server *httptest.Server
	// Client calls the world's fake Stash, for Poll and Reconcile.
	Client *stashpay.Client
}

// World is a fake Stash and two game instances granting into one Book.
type World struct {
	// Fake is the fake Stash every instance talks to.
	Fake *stashpaytest.Server
	// Instances are the two replicas; they share the stores given to Run.
	Instances [2]*Instance
	// Book records every grant, so that doubles and losses can be counted.
	Book *Book
}

// NewWorld starts a fake Stash and, on stores (one per instance, sharing a
// backend), two game instances that grant into a fresh Book. Everything
// is closed when t ends.
func NewWorld(t testing.TB, stores [2]dedup.Store, opts ...grant.Option) *World {
	t.Helper()
	w := &World{Fake: stashpaytest.Start(t, stashpaytest.WithRetrySchedule(time.Millisecond, time.Millisecond)), Book: &Book{}}
	v, err := webhook.NewVerifier(w.Fake.WebhookSecret())
	if err != nil {
		t.Fatalf("granttest: verifier: %v", err)
	}
	for i, store := range stores {
		g, err := grant.New(store, w.Book.Grant, append([]grant.Option{grant.WithReconcileInterval(time.Millisecond)}, opts...)...)
		if err != nil {
			t.Fatalf("granttest: grant.New: %v", err)
		}
		client, err := stashpay.NewClient(stashpay.Credentials{ShopID: w.Fake.ShopID(), IngressKey: w.Fake.IngressKey()},
			stashpay.WithBaseURL(w.Fake.URL()))
		if err != nil {
			t.Fatalf("granttest: client: %v", err)
		}
		mux := http.NewServeMux()
		mux.Handle("/webhooks/stash", g.WebhookHandler(v))
		mux.Handle("/", g.PurchaseHandler(stashpay.EgressConfig{ShopID: w.Fake.ShopID(), EgressKey: w.Fake.EgressKey()}, stashpay.PurchaseFuncs{
			Register: func(context.Context, *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
				return nil, nil
			},
		}))
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		w.Instances[i] = &Instance{Granter: g, Server: srv, Client: client}
	}
	return w
}

// Paid creates a checkout for player and pays it on the fake, with no
// egress or webhook call: the routes are then played by [World.Confirm],
// [World.Webhook] and [World.Poll]. It returns the checkout.
func (w *World) Paid(t testing.TB, player string) stashpaytest.Checkout {
	t.Helper()
	co, err := w.Instances[0].Client.CreateCheckout(context.Background(), checkoutParams(player))
	if err != nil {
		t.Fatalf("granttest: CreateCheckout: %v", err)
	}
	if _, err := w.Fake.Pay(context.Background(), co.ID); err != nil {
		t.Fatalf("granttest: Pay: %v", err)
	}
	c, _ := w.Fake.Checkout(co.ID)
	return c
}

// Confirm sends Stash's signed confirm call of c to instance i and returns
// the answer's status.
func (w *World) Confirm(ctx context.Context, i int, c stashpaytest.Checkout) (int, error) {
	req, err := ConfirmRequest(ctx, w.Fake, w.Instances[i].Server.URL, c)
	if err != nil {
		return 0, err
	}
	return do(req)
}

// Webhook sends the signed PURCHASE_SUCCEEDED of c to instance i and
// returns the answer's status.
func (w *World) Webhook(ctx context.Context, i int, c stashpaytest.Checkout) (int, error) {
	req, err := WebhookRequest(ctx, w.Fake, w.Instances[i].Server.URL+"/webhooks/stash", c)
	if err != nil {
		return 0, err
	}
	return do(req)
}

// ConfirmRequest returns the confirm call fake would make for the paid
// checkout c to the game at baseURL, signed with fake's egress key, as
// fake.Pay sends it (without the register before it).
func ConfirmRequest(ctx context.Context, fake *stashpaytest.Server, baseURL string, c stashpaytest.Checkout) (*http.Request, error) {
	body := fmt.Appendf(nil, `{"playerId":%q,"transactionId":%q,"checkoutLinkId":%q,"currency":%q,"decimalPlaces":%d,`+
		`"tax":%d,"total":%d,"timeMillis":"%d","items":[{"guid":"5d6a3c1e-9b8f-4e2d-a1c0-7f6e5d4c3b2a","productId":%q,"quantity":%d,"cents":%d}]}`,
		c.User.ID, c.TransactionID, c.ID, c.Currency, c.DecimalPlaces, c.Tax, c.Total, time.Now().UnixMilli(),
		c.Items[0].ID, c.Items[0].Quantity, c.Items[0].UnitMinor)
	return stashpaytest.NewEgressRequest(ctx, fake.ShopID(), fake.EgressKey(), baseURL+stashpay.ConfirmPaymentPath, body)
}

// WebhookRequest returns the PURCHASE_SUCCEEDED delivery of the paid
// checkout c to url, signed with fake's webhook secret.
func WebhookRequest(ctx context.Context, fake *stashpaytest.Server, url string, c stashpaytest.Checkout) (*http.Request, error) {
	total, err := stashpay.FormatMinor(c.Total, c.DecimalPlaces)
	if err != nil {
		return nil, err
	}
	tax, err := stashpay.FormatMinor(c.Tax, c.DecimalPlaces)
	if err != nil {
		return nil, err
	}
	body := fmt.Appendf(nil, `{"type":"PURCHASE_SUCCEEDED","environment":"test","purchaseSucceeded":{"timeMillis":%d,"orderId":%q,`+
		`"checkoutLinkId":%q,"currency":%q,"userId":%q,"items":[{"id":%q,"quantity":%d,"price":%q}],"tax":%q,"total":%q}}`,
		c.PaidAt.UnixMilli(), c.OrderID, c.ID, c.Currency, c.User.ID, c.Items[0].ID, c.Items[0].Quantity, c.Items[0].PricePerItem, tax, total)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytesReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set(webhook.SignatureHeader, webhook.Sign(body, fake.WebhookSecret()))
	return req, nil
}

// Do sends req with a bounded client and returns the answer's status.
func Do(req *http.Request) (int, error) { return do(req) }

// Poll polls c through instance i's Granter.
func (w *World) Poll(ctx context.Context, i int, c stashpaytest.Checkout) (bool, error) {
	in := w.Instances[i]
	return in.Granter.Poll(ctx, in.Client, c.ID, c.User.ID)
}

// Key is the exactly-once key of checkout c on every route.
func Key(c stashpaytest.Checkout) string { return "checkout:" + c.ID }

// Run runs every check on the stores instances returns, two per call
// (one per game instance, on one backend). See the package documentation.
func Run(t *testing.T, instances func(t *testing.T) [2]dedup.Store) {
	t.Run("routes race", func(t *testing.T) { RunRoutes(t, instances) })
	t.Run("reconcile lost webhooks", func(t *testing.T) { RunReconcile(t, instances) })
}

// checkoutParams is a checkout of 2 x gems_100 at 1.99 USD for player.
func checkoutParams(player string) *stashpay.CheckoutParams {
	return &stashpay.CheckoutParams{
		Item: &stashpay.CheckoutItem{ID: "gems_100", PricePerItem: "1.99", Quantity: 2}, User: stashpay.CheckoutUser{ID: player},
	}
}
