package webhook_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/internal/benchturns"
	"github.com/stashpay/stashpay-go/webhook"
)

// benchPayload returns a PURCHASE_SUCCEEDED payload of about size bytes for
// orderID (padded with item metadata).
func benchPayload(orderID string, size int) []byte {
	base := purchase(orderID)
	if pad := size - len(base) - len(`,"metadata":{"note":""}`); pad > 0 {
		meta := fmt.Sprintf(`,"metadata":{"note":%q}`, bytes.Repeat([]byte("n"), pad))
		return bytes.Replace(base, []byte(`"price":"9.99"`), []byte(`"price":"9.99"`+meta), 1)
	}
	return base
}

// BenchmarkVerify1KiB measures Verifier.Verify of a 1 KiB body. Compare with
// BenchmarkBaselineHMAC1KiB.
func BenchmarkVerify1KiB(b *testing.B) {
	v, err := webhook.NewVerifier(testSecret)
	if err != nil {
		b.Fatal(err)
	}
	body := benchPayload("order-bench", 1024)
	sig := webhook.Sign(body, testSecret)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Verify(body, sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselineHMAC1KiB is the naive verification a user would write:
// hmac.New per call, Write, Sum, base64-decode the header, hmac.Equal.
func BenchmarkBaselineHMAC1KiB(b *testing.B) {
	key := []byte(testSecret)
	body := benchPayload("order-bench", 1024)
	sig := webhook.Sign(body, testSecret)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		m := hmac.New(sha256.New, key)
		m.Write(body)
		sum := m.Sum(nil)
		got, err := base64.StdEncoding.DecodeString(sig)
		if err != nil || !hmac.Equal(sum, got) {
			b.Fatal("baseline mismatch")
		}
	}
}

// loopbackPoster serves h on a loopback HTTP server and returns a function
// that posts a fresh signed ~1 KiB PURCHASE_SUCCEEDED to it (a new orderId
// each call, so the dedup store claims and completes a new key) with a
// keep-alive client, failing unless the answer is 200.
func loopbackPoster(b *testing.B, h http.Handler) func() error {
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	client := srv.Client()
	i := 0
	return func() error {
		i++
		body := benchPayload("order-"+strconv.Itoa(i), 1024)
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(webhook.SignatureHeader, webhook.Sign(body, testSecret))
		req.Header.Set(webhook.RetryCountHeader, "0")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
}

// benchLoopback measures posting to h through loopbackPoster.
func benchLoopback(b *testing.B, h http.Handler) {
	post := loopbackPoster(b, h)
	b.ReportAllocs()
	for b.Loop() {
		if err := post(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandlerLoopback measures NewHandler end to end: read, verify,
// parse, dedup (memory store) and the user's function. Compare with
// BenchmarkBaselineHandlerLoopback.
func BenchmarkHandlerLoopback(b *testing.B) {
	h, granted := sdkBenchHandler(b)
	benchLoopback(b, h)
	if granted.Load() != int64(b.N) {
		b.Fatalf("granted %d of %d", granted.Load(), b.N)
	}
}

// sdkBenchHandler is NewHandler with a memory store, counting the purchases
// it granted.
func sdkBenchHandler(b *testing.B) (http.Handler, *atomic.Int64) {
	v, err := webhook.NewVerifier(testSecret)
	if err != nil {
		b.Fatal(err)
	}
	granted := new(atomic.Int64)
	return webhook.NewHandler(v, func(_ context.Context, e events.Event) error {
		if _, ok := e.(*events.PurchaseSucceeded); ok {
			granted.Add(1)
		}
		return nil
	}), granted
}

// BenchmarkBaselineHandlerLoopback is a bare handler that reads the body and
// answers 200 {}.
func BenchmarkBaselineHandlerLoopback(b *testing.B) { benchLoopback(b, bareHandler) }

// bareHandler reads the body and answers 200 {}.
var bareHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if _, err := io.ReadAll(r.Body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte("{}"))
})

// BenchmarkHandlerLoopbackVsBare posts to NewHandler and to the bare
// handler over loopback in alternating turns in the same process, and
// reports the bare handler's time as a ratio of NewHandler's
// ("bare-per-sdk"): the share of a bare handler's throughput the SDK's
// handler keeps (1 would be no cost at all).
func BenchmarkHandlerLoopbackVsBare(b *testing.B) {
	h, _ := sdkBenchHandler(b)
	sdk, bare := loopbackPoster(b, h), loopbackPoster(b, bareHandler)
	b.ReportMetric(1/benchturns.Ratio(b, 50, sdk, bare), "bare-per-sdk")
}
