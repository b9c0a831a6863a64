package webhook_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/webhook"
)

// exampleSecret stands for the webhook secret a real server reads from its
// environment (e.g. STASH_WEBHOOK_SECRET).
const exampleSecret = "whsec_example"

// examplePayload reads a documented PURCHASE_SUCCEEDED webhook body.
func examplePayload() []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "purchase_succeeded.json"))
	if err != nil {
		log.Fatal(err)
	}
	return b
}

// Verify a delivery's signature on the raw body, then decode the event.
func ExampleVerifier_Parse() {
	v, err := webhook.NewVerifier(exampleSecret)
	if err != nil {
		log.Fatal(err)
	}
	body := examplePayload()                       // the raw request body
	signature := webhook.Sign(body, exampleSecret) // r.Header.Get(webhook.SignatureHeader)

	e, err := v.Parse(body, signature)
	if err != nil {
		log.Fatal(err)
	}
	switch e := e.(type) {
	case *events.PurchaseSucceeded:
		fmt.Println(e.Type(), e.OrderID, e.UserID, e.Total, e.Currency.Code())
	default:
		fmt.Println("other event:", e.Type())
	}

	// A single changed byte is rejected before anything is decoded.
	tampered := bytes.Replace(body, []byte(`"21.48"`), []byte(`"21.49"`), 1)
	_, err = v.Parse(tampered, signature)
	fmt.Println(err)
	// Output:
	// PURCHASE_SUCCEEDED order_abc123 user_123 21.48 USD
	// webhook: signature mismatch
}

// Rotate the webhook secret without dropping deliveries: accept both, and
// watch which one Stash still uses.
func ExampleVerifier_VerifyDetailed() {
	const oldSecret, newSecret = "whsec_old", "whsec_new"
	v, err := webhook.NewVerifier(newSecret, webhook.WithPreviousSecrets(oldSecret))
	if err != nil {
		log.Fatal(err)
	}
	body := examplePayload()
	for _, secret := range []string{newSecret, oldSecret, "whsec_unknown"} {
		m, err := v.VerifyDetailed(body, webhook.Sign(body, secret))
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println("matched secret", m.Index)
	}
	// Output:
	// matched secret 0
	// matched secret 1
	// webhook: signature mismatch
}

// Serve webhooks: grant each purchase once, however often Stash delivers it.
func ExampleNewHandler() {
	v, err := webhook.NewVerifier(exampleSecret)
	if err != nil {
		log.Fatal(err)
	}
	grant := func(ctx context.Context, e events.Event) error {
		switch e := e.(type) {
		case *events.PurchaseSucceeded:
			n, _ := webhook.RetryCount(ctx)
			fmt.Printf("granting order %s to %s (retry %d)\n", e.OrderID, e.UserID, n)
			// Grant the items here; return an error to have Stash redeliver.
		}
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("/stash/webhook", webhook.NewHandler(v, grant))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// What Stash does: POST the signed body; it redelivers until it gets 200.
	body := examplePayload()
	send := func(signature string) {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/stash/webhook", bytes.NewReader(body))
		if err != nil {
			log.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(webhook.SignatureHeader, signature)
		req.Header.Set(webhook.RetryCountHeader, "0")
		resp, err := srv.Client().Do(req)
		if err != nil {
			log.Fatal(err)
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		fmt.Println(resp.StatusCode, string(answer))
	}
	send(webhook.Sign(body, "not-the-secret")) // forged
	send(webhook.Sign(body, exampleSecret))    // first delivery
	send(webhook.Sign(body, exampleSecret))    // duplicate
	// Output:
	// 401 {"code":16,"message":"invalid or missing signature"}
	// granting order order_abc123 to user_123 (retry 0)
	// 200 {}
	// 200 {}
}

// Use the middleware to verify deliveries in front of your own handler.
func ExampleVerifier_Middleware() {
	v, err := webhook.NewVerifier(exampleSecret)
	if err != nil {
		log.Fatal(err)
	}
	body := examplePayload()
	mine := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ := io.ReadAll(r.Body) // authentic, and readable again
		fmt.Println("body restored:", bytes.Equal(got, body))
		_, _ = w.Write([]byte("{}"))
	})
	h := v.Middleware(mine)

	req := httptest.NewRequest(http.MethodPost, "/stash/webhook", bytes.NewReader(body))
	req.Header.Set(webhook.SignatureHeader, webhook.Sign(body, exampleSecret))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// body restored: true
	// 200 {}
}
