package grant_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/grant"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stashpay/stashpay-go/webhook"
)

// Example wires one grant function to the webhook route and the
// reconciler, against a fake Stash: a purchase whose every webhook is lost
// is granted by the reconciler, once.
func Example() {
	ctx := context.Background()
	fake := stashpaytest.NewServer()
	defer fake.Close()

	g, _ := grant.New(dedup.NewMemoryStore(), func(_ context.Context, p *grant.Purchase) error {
		// In a game: one DB transaction granting p.Items to p.PlayerID and
		// recording p.Key under a unique constraint.
		fmt.Printf("grant %s x%d to %s (%s)\n", p.Items[0].ID, p.Items[0].Quantity, p.PlayerID, p.Route)
		return nil
	})
	v, _ := webhook.NewVerifier(fake.WebhookSecret())
	game := httptest.NewServer(g.WebhookHandler(v))
	defer game.Close()
	fake.SetWebhookURL(game.URL)

	client, _ := stashpay.NewClient(stashpay.Credentials{ShopID: fake.ShopID(), IngressKey: fake.IngressKey()},
		stashpay.WithBaseURL(fake.URL()))
	co, _ := client.CreateCheckout(ctx, &stashpay.CheckoutParams{
		Item: &stashpay.CheckoutItem{ID: "gems_100", PricePerItem: "1.99", Quantity: 1}, User: stashpay.CheckoutUser{ID: "alice"},
	})
	p, _ := fake.Pay(ctx, co.ID, stashpaytest.Lost(), stashpaytest.MaxAttempts(1))
	fmt.Println("webhook delivered:", p.Webhook.Wait(ctx) == nil)

	pending := []grant.PendingCheckout{{ID: co.ID, PlayerID: "alice"}}
	for range 2 { // the periodic job runs twice
		r, _ := g.Reconcile(ctx, client, pending)
		fmt.Printf("reconciled: %d granted, %d already granted\n", len(r.Granted), len(r.AlreadyGranted))
	}
	// Output:
	// webhook delivered: false
	// grant gems_100 x1 to alice (poll)
	// reconciled: 1 granted, 0 already granted
	// reconciled: 0 granted, 1 already granted
}
