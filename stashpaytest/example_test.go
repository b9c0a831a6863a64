package stashpaytest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"sync"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stashpay/stashpay-go/webhook"
)

// Example tests a game backend that grants on PURCHASE_SUCCEEDED: the fake
// pays a checkout and delivers the webhook three times, the game grants once,
// and a forged webhook is refused.
func Example() {
	ctx := context.Background()

	// The game: a webhook handler that adds the purchased items to an
	// inventory. webhook.NewHandler verifies the signature and runs the
	// function once per order, however often Stash delivers it.
	var mu sync.Mutex
	inventory := map[string]int64{}
	verifier, err := webhook.NewVerifier("whsec-test")
	if err != nil {
		panic(err)
	}
	game := httptest.NewServer(webhook.NewHandler(verifier, func(_ context.Context, e events.Event) error {
		if p, ok := e.(*events.PurchaseSucceeded); ok {
			mu.Lock()
			defer mu.Unlock()
			for _, it := range p.Items {
				inventory[p.UserID+"/"+it.ID] += it.Quantity
			}
		}
		return nil
	}))
	defer game.Close()

	// The fake Stash, delivering webhooks to the game.
	fake := stashpaytest.NewServer(
		stashpaytest.WithWebhookURL(game.URL),
		stashpaytest.WithWebhookSecret("whsec-test"),
	)
	defer fake.Close()

	// The game's backend creates a checkout with the SDK's client...
	client, err := fake.NewClient()
	if err != nil {
		panic(err)
	}
	co, err := client.CreateCheckout(ctx, &stashpay.CheckoutParams{
		Item: &stashpay.CheckoutItem{ID: "gems_100", PricePerItem: "1.99", Quantity: 1},
		User: stashpay.CheckoutUser{ID: "player-1"},
	})
	if err != nil {
		panic(err)
	}

	// ...the player pays, and Stash delivers the webhook three times.
	p, err := fake.Pay(ctx, co.ID, stashpaytest.Times(3))
	if err != nil {
		panic(err)
	}
	if err := p.Webhook.Wait(ctx); err != nil {
		panic(err)
	}
	fmt.Println("deliveries answered:", len(p.Webhook.Attempts()))
	mu.Lock()
	fmt.Println("player-1 owns gems_100 x", inventory["player-1/gems_100"])
	mu.Unlock()

	// A forged copy is refused, so the fake gives up after its retries.
	_, err = fake.SendEvent(ctx, p.Webhook.Payload, stashpaytest.SignedWith("not-the-secret"))
	fmt.Println("forged webhook delivered:", !errors.Is(err, stashpaytest.ErrNotDelivered))

	ev, err := client.GetPaymentEvent(ctx, co.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println("payment status:", ev.Status)
	// Output:
	// deliveries answered: 3
	// player-1 owns gems_100 x 1
	// forged webhook delivered: false
	// payment status: PAYMENT_STATUS_SUCCEEDED
}

// ExampleServer_Pay_confirm shows the pre-purchase flow: the fake calls the
// game's register and confirm endpoints, and a refused confirm fails the
// purchase.
func ExampleServer_Pay_confirm() {
	ctx := context.Background()
	fake := stashpaytest.NewServer()
	defer fake.Close()

	// The game: purchase handlers with a stock of one sword.
	stock := 1
	var mu sync.Mutex
	game := httptest.NewServer(stashpay.PurchaseHandler(fake.EgressConfig(), stashpay.PurchaseFuncs{
		Register: func(context.Context, *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
			return nil, nil // reserve nothing, register every item
		},
		Confirm: func(_ context.Context, req *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			mu.Lock()
			defer mu.Unlock()
			if stock == 0 {
				return nil, stashpay.RejectPurchase("sold out")
			}
			stock--
			return nil, nil
		},
	}))
	defer game.Close()
	fake.SetEgressBaseURL(game.URL)

	client, err := fake.NewClient()
	if err != nil {
		panic(err)
	}
	for _, player := range []string{"player-1", "player-2"} {
		co, err := client.CreateCheckout(ctx, &stashpay.CheckoutParams{
			Item: &stashpay.CheckoutItem{ID: "sword", PricePerItem: "4.99", Quantity: 1},
			User: stashpay.CheckoutUser{ID: player},
		})
		if err != nil {
			panic(err)
		}
		p, err := fake.Pay(ctx, co.ID)
		switch {
		case errors.Is(err, stashpaytest.ErrConfirmRefused):
			fmt.Printf("%s: confirm refused with HTTP %d, status %s\n", player, p.Confirm.StatusCode, p.Status)
		case err != nil:
			panic(err)
		default:
			fmt.Printf("%s: confirmed, status %s\n", player, p.Status)
		}
	}
	// Output:
	// player-1: confirmed, status PAYMENT_STATUS_SUCCEEDED
	// player-2: confirm refused with HTTP 422, status PAYMENT_STATUS_FAILED
}
