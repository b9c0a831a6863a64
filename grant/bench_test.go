package grant_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/grant"
	"github.com/stashpay/stashpay-go/webhook"
)

// BenchmarkWebhookGrants compares grants per second through a Granter's
// webhook handler with the bare webhook handler, on the same kind of store
// (a fresh MemoryStore each) and the same deliveries: every purchase is
// delivered 3 times, from parallel goroutines. Each run fails on a double
// or lost grant. Read the two results as a ratio (grant/bare).
func BenchmarkWebhookGrants(b *testing.B) {
	const secret = "bench-webhook-secret"
	const copies = 3
	v, err := webhook.NewVerifier(secret)
	if err != nil {
		b.Fatal(err)
	}
	bodies := make([][]byte, 4096)
	sigs := make([]string, len(bodies))
	for i := range bodies {
		bodies[i] = fmt.Appendf(nil, `{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{"orderId":"o-%d","checkoutLinkId":"cl-%d",`+
			`"userId":"p","currency":"USD","items":[{"id":"gems","quantity":1,"price":"1.99"}],"tax":"0","total":"1.99"}}`, i, i)
		sigs[i] = webhook.Sign(bodies[i], secret)
	}
	handlers := []struct {
		name string
		new  func(store dedup.Store, grant func(key string)) http.Handler
	}{
		{"bare", func(store dedup.Store, count func(string)) http.Handler {
			return webhook.NewHandler(v, func(_ context.Context, e events.Event) error {
				if p, ok := e.(*events.PurchaseSucceeded); ok {
					count(p.IdempotencyKey())
				}
				return nil
			}, webhook.WithStore(store))
		}},
		{"grant", func(store dedup.Store, count func(string)) http.Handler {
			g, err := grant.New(store, func(_ context.Context, p *grant.Purchase) error {
				count(p.Key)
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			return g.WebhookHandler(v)
		}},
	}
	for _, h := range handlers {
		b.Run(h.name, func(b *testing.B) {
			var mu sync.Mutex
			counts := map[string]int{}
			handler := h.new(dedup.NewMemoryStore(), func(key string) {
				mu.Lock()
				counts[key]++
				mu.Unlock()
			})
			var next, refused atomic.Int64
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := next.Add(1) - 1
					i := int(n/copies) % len(bodies) // past the last purchase, duplicates again
					req := httptest.NewRequest(http.MethodPost, "/webhooks/stash", strings.NewReader(string(bodies[i])))
					req.Header.Set(webhook.SignatureHeader, sigs[i])
					rec := httptest.NewRecorder()
					handler.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						refused.Add(1) // 409 while a copy is granted: Stash retries
					}
				}
			})
			b.StopTimer()
			// The copies that were answered 409 are retried, as Stash would.
			for i := range min(int(next.Load()+copies-1)/copies, len(bodies)) {
				req := httptest.NewRequest(http.MethodPost, "/webhooks/stash", strings.NewReader(string(bodies[i])))
				req.Header.Set(webhook.SignatureHeader, sigs[i])
				rec := httptest.NewRecorder()
				handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("retry of purchase %d answered %d", i, rec.Code)
				}
			}
			delivered := min(int(next.Load()+copies-1)/copies, len(bodies))
			double, lost := 0, 0
			for i := range delivered {
				switch counts[events.CheckoutKey(fmt.Sprintf("cl-%d", i))] {
				case 1:
				case 0:
					lost++
				default:
					double++
				}
			}
			if double != 0 || lost != 0 || len(counts) != delivered {
				b.Fatalf("%d double and %d lost grants over %d purchases (%d keys)", double, lost, delivered, len(counts))
			}
			b.ReportMetric(float64(double), "double")
			b.ReportMetric(float64(lost), "lost")
			b.ReportMetric(float64(refused.Load())/float64(b.N), "409/op")
		})
	}
}
