package stashpay_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/internal/signing"
	"github.com/stashpay/stashpay-go/stashpaytest"
)

// Example credentials of the fake Stash below.
const (
	exampleShopID = "4f6c0b1e-example-shop"
	exampleKey    = "example-ingress-key"
)

// exampleServer starts a fake Stash on loopback that checks the v1
// signature of every request, as Stash does, and answers from testdata.
func exampleServer() *httptest.Server {
	key, err := signing.NewKey([]byte(exampleKey))
	if err != nil {
		log.Fatal(err)
	}
	file := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			log.Fatal(err)
		}
		return b
	}
	reply := func(w http.ResponseWriter, status int, body []byte) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req-8e21")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /sdk/server/checkout_links/generate_quick_pay_url", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusOK, file("ingress_checkout_response.json"))
	})
	mux.HandleFunc("GET /sdk/server/payment/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") != "4b1f0c2e-9a57-4e0b-9f7e-2f1c7c5d1a10" {
			reply(w, http.StatusNotFound, file("ingress_error_not_found.json"))
			return
		}
		reply(w, http.StatusOK, file("ingress_payment_event.json"))
	})
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if _, err := key.VerifyV1(r.Header.Get("X-Stash-Hmac-Signature"), body, exampleShopID, time.Now(), 0); err != nil {
			reply(w, http.StatusUnauthorized, []byte(`{"code":16,"message":"invalid signature"}`))
			return
		}
		mux.ServeHTTP(w, r)
	}))
}

func exampleClient(baseURL string) *stashpay.Client {
	client, err := stashpay.NewClient(
		stashpay.Credentials{ShopID: exampleShopID, IngressKey: exampleKey},
		stashpay.WithBaseURL(baseURL), // omit to use production; or stashpay.WithEnvironment(stashpay.Test)
	)
	if err != nil {
		log.Fatal(err)
	}
	return client
}

func ExampleClient_CreateCheckout() {
	srv := exampleServer()
	defer srv.Close()
	client := exampleClient(srv.URL)

	checkout, err := client.CreateCheckout(context.Background(), &stashpay.CheckoutParams{
		Item: &stashpay.CheckoutItem{
			ID:           "gems_100",
			Name:         "100 gems",
			PricePerItem: "1.99",
			Quantity:     2,
			ImageURL:     "https://cdn.example/gems.png",
		},
		User:          stashpay.CheckoutUser{ID: "player-42", Platform: stashpay.UserPlatformIOS},
		TransactionID: "order-1001", // your purchase ID; generated when empty
		Currency:      "USD",
	})
	if err != nil {
		log.Fatal(err)
	}
	// Store the checkout ID with the pending order, then redirect the player.
	fmt.Println("checkout:", checkout.ID)
	fmt.Println("transaction:", checkout.TransactionID)
	fmt.Println("send the player to:", checkout.URL)
	// Output:
	// checkout: 4b1f0c2e-9a57-4e0b-9f7e-2f1c7c5d1a10
	// transaction: order-1001
	// send the player to: https://pay.stash.gg/pay/4b1f0c2e-9a57-4e0b-9f7e-2f1c7c5d1a10
}

func ExampleClient_GetPaymentEvent() {
	srv := exampleServer()
	defer srv.Close()
	client := exampleClient(srv.URL)

	ev, err := client.GetPaymentEvent(context.Background(), "4b1f0c2e-9a57-4e0b-9f7e-2f1c7c5d1a10")
	if err != nil {
		log.Fatal(err)
	}
	total, err := ev.Total.MinorUnits(2) // exact, never a float
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("status:", ev.Status)
	fmt.Println("time:", ev.Time.Format(time.RFC3339))
	for _, it := range ev.Items {
		fmt.Printf("item: %s x%d at %s %s\n", it.ID, it.Quantity, it.PricePerItem, ev.Currency)
	}
	for _, it := range ev.BonusItems {
		fmt.Printf("bonus: %s x%d\n", it.ID, it.Quantity)
	}
	fmt.Printf("total: %s (%d cents, tax %s)\n", ev.Total, total, ev.Tax)
	// Output:
	// status: PAYMENT_STATUS_UNSPECIFIED
	// time: 2025-11-23T12:00:00Z
	// item: gems_100 x2 at 1.99 USD
	// bonus: bonus_coin x5
	// total: 4.30 (430 cents, tax 0.32)
}

func ExampleAPIError() {
	srv := exampleServer()
	defer srv.Close()
	client := exampleClient(srv.URL)

	_, err := client.GetPaymentEvent(context.Background(), "no-such-checkout")
	if errors.Is(err, stashpay.ErrNotFound) {
		fmt.Println("not found; do not grant")
	}
	var apiErr *stashpay.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("HTTP status:", apiErr.StatusCode)
		fmt.Println("google.rpc code:", apiErr.Code)
		fmt.Println("message:", apiErr.Message)
		fmt.Println("request ID:", apiErr.RequestID)
	}
	fmt.Println(err)
	// Output:
	// not found; do not grant
	// HTTP status: 404
	// google.rpc code: 5
	// message: payment event not found
	// request ID: req-8e21
	// stashpay: GET /sdk/server/payment/no-such-checkout: HTTP 404 Not Found (NOT_FOUND): payment event not found [request ID req-8e21]
}

func ExampleNewClient() {
	creds := stashpay.Credentials{ShopID: "4f6c0b1e-example-shop", IngressKey: "do-not-print-me"}
	client, err := stashpay.NewClient(creds, stashpay.WithEnvironment(stashpay.Test), stashpay.WithMaxRetries(3))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client)
	fmt.Printf("%+v\n", creds)

	_, err = stashpay.NewClient(stashpay.Credentials{ShopID: "4f6c0b1e-example-shop"})
	fmt.Println(errors.Is(err, stashpay.ErrMissingCredentials), err)
	// Output:
	// stashpay.Client{BaseURL:"https://test-api.stash.gg" Auth:v1-hmac ShopID:"4f6c0b1e-example-shop"}
	// stashpay.Credentials{ShopID:"4f6c0b1e-example-shop" IngressKey:[redacted] APIKey:""}
	// true stashpay: missing credentials: Credentials.ShopID is set but Credentials.IngressKey is empty
}

// The Managed Catalog, read page by page with the Products iterator, against
// the fake Stash.
func ExampleClient_Products() {
	srv := stashpaytest.NewServer()
	defer srv.Close()
	srv.SetProducts(
		stashpay.Product{ProductID: "gems_100", Prices: []stashpay.ProductPrice{{Currency: "USD", Cents: 199, DecimalPlaces: 2}}},
		stashpay.Product{ProductID: "gems_500", Prices: []stashpay.ProductPrice{{Currency: "USD", Cents: 799, DecimalPlaces: 2}}},
		stashpay.Product{ProductID: "starter_pack"},
	)
	client, err := stashpay.NewClient(stashpay.Credentials{ShopID: srv.ShopID(), IngressKey: srv.IngressKey()},
		stashpay.WithBaseURL(srv.URL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	for p, err := range client.Products(context.Background(), 2) {
		if err != nil {
			fmt.Println(err)
			return
		}
		price := "free"
		if len(p.Prices) > 0 {
			a, _ := p.Prices[0].Amount()
			price = string(a) + " " + p.Prices[0].Currency
		}
		fmt.Println(p.ProductID, price)
	}
	// Output:
	// gems_100 1.99 USD
	// gems_500 7.99 USD
	// starter_pack free
}

// An authenticated webshop URL for a player, against the fake Stash.
func ExampleClient_GenerateWebshopURL() {
	srv := stashpaytest.NewServer()
	defer srv.Close()
	client, _ := stashpay.NewClient(stashpay.Credentials{ShopID: srv.ShopID(), IngressKey: srv.IngressKey()},
		stashpay.WithBaseURL(srv.URL()))
	u, err := client.GenerateWebshopURL(context.Background(), &stashpay.WebshopURLParams{
		User: stashpay.CheckoutUser{ID: "player-42"}, Target: stashpay.WebshopTargetLoyalty,
	})
	fmt.Println(err == nil && strings.HasPrefix(u.URL, srv.URL()))
	// Output: true
}
