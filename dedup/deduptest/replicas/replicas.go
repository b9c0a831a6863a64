// Package replicas runs a [dedup.Store] behind the SDK's real handlers (the
// webhook handler and the confirm handler), the way the replicas of a game
// backend share one store. It is the end-to-end half of the conformance suite
// in [deduptest], for store authors: a store that passes [deduptest.Run] and
// the checks here keeps grants exactly-once through the handlers users run.
//
// It lives apart from deduptest because it imports the root package and
// webhook, whose own tests may import deduptest. Nested store modules import
// it instead of any internal package of the core module.
package replicas

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stashpay/stashpay-go/webhook"
)

// The credentials the handlers and requests of this package share.
const (
	webhookSecret = "replicas-webhook-secret"
	shopID        = "replicas-shop"
	egressKey     = "replicas-egress-key"
)

// GrantBook is the game's record of grants, per order or transaction ID.
// Its zero value is ready to use and safe for concurrent use.
type GrantBook struct {
	mu sync.Mutex
	m  map[string]int
}

// Grant records one grant of id.
func (g *GrantBook) Grant(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m == nil {
		g.m = make(map[string]int)
	}
	g.m[id]++
}

// Count returns how many times id was granted.
func (g *GrantBook) Count(id string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.m[id]
}

// Kind is one of the SDK's handlers that grant under a store, with the
// signed request that delivers one purchase to it.
type Kind struct {
	// Name is "webhook" or "confirm".
	Name string
	// Handler returns one replica's handler on store, granting into book.
	Handler func(tb testing.TB, store dedup.Store, book *GrantBook) http.Handler
	// Request returns a fresh signed delivery of the purchase id (an order
	// ID for the webhook, a transaction ID for confirm).
	Request func(ctx context.Context, id string) (*http.Request, error)
}

// Kinds returns every kind of handler: the webhook, then confirm.
func Kinds() []Kind {
	return []Kind{
		{"webhook", WebhookHandler, WebhookRequest},
		{"confirm", ConfirmHandler, ConfirmRequest},
	}
}

// WebhookHandler is one replica's webhook handler on store, granting each
// PURCHASE_SUCCEEDED order into book. It fails tb if the handler cannot be
// built.
func WebhookHandler(tb testing.TB, store dedup.Store, book *GrantBook) http.Handler {
	tb.Helper()
	v, err := webhook.NewVerifier(webhookSecret)
	if err != nil {
		tb.Fatalf("replicas: webhook verifier: %v", err)
	}
	return webhook.NewHandler(v, func(_ context.Context, e events.Event) error {
		if p, ok := e.(*events.PurchaseSucceeded); ok {
			book.Grant(p.OrderID)
		}
		return nil
	}, webhook.WithStore(store))
}

// WebhookRequest returns a signed PURCHASE_SUCCEEDED delivery of orderID for
// [WebhookHandler].
func WebhookRequest(ctx context.Context, orderID string) (*http.Request, error) {
	body := fmt.Appendf(nil, `{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{"orderId":%q,"userId":"player-1","currency":"USD","total":"9.99","items":[{"id":"gems-100","quantity":"1","price":"9.99"}]}}`, orderID)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "/stash/webhook", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webhook.SignatureHeader, webhook.Sign(body, webhookSecret))
	return req, nil
}

// ConfirmHandler is one replica's confirm handler on store, granting each
// confirmed transaction into book.
func ConfirmHandler(_ testing.TB, store dedup.Store, book *GrantBook) http.Handler {
	return stashpay.ConfirmPaymentHandler(stashpay.EgressConfig{ShopID: shopID, EgressKey: egressKey, Store: store},
		func(_ context.Context, req *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			book.Grant(req.TransactionID)
			return nil, nil
		})
}

// ConfirmRequest returns a signed confirm call of transactionID for
// [ConfirmHandler], with the body Stash sends. Its items are the same for
// every call of one transaction, as Stash's retries are: a confirm with
// other items under a confirmed transaction is answered 409.
func ConfirmRequest(ctx context.Context, transactionID string) (*http.Request, error) {
	body := fmt.Appendf(nil, `{"playerId":"player-1","transactionId":%q,"currency":"USD","decimalPlaces":2,"tax":0,"total":999,"timeMillis":"%d","items":[{"guid":%q,"productId":"gems-100","quantity":1,"cents":999}]}`,
		transactionID, time.Now().UnixMilli(), uuid.NewSHA1(uuid.NameSpaceOID, []byte(transactionID)).String())
	return stashpaytest.NewEgressRequest(ctx, shopID, egressKey, "/api/v1/purchase/confirm", body)
}

// serve delivers one request to h and returns the answer's status.
func serve(t testing.TB, h http.Handler, req *http.Request, err error) int {
	t.Helper()
	if err != nil {
		t.Fatalf("replicas: building the request: %v", err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// StoreDown delivers one purchase three times to each kind of handler on the
// unreachable store down: every answer must be 503 (Stash retries) and
// nothing granted. With up returning a reachable store that shares the state
// the real replicas use (nil to skip that part), the redelivery to a replica
// on it then grants once and a later one is a duplicate: nothing lost,
// nothing doubled. Each kind runs as a parallel subtest.
func StoreDown(t *testing.T, down dedup.Store, up func(t *testing.T) dedup.Store) {
	for _, k := range Kinds() {
		t.Run(k.Name, func(t *testing.T) {
			t.Parallel()
			book := &GrantBook{}
			id := "purchase-" + uuid.NewString()
			h := k.Handler(t, down, book)
			for range 3 {
				req, err := k.Request(t.Context(), id)
				if code := serve(t, h, req, err); code != http.StatusServiceUnavailable {
					t.Fatalf("store down: answered %d, want 503 so that Stash retries", code)
				}
			}
			if n := book.Count(id); n != 0 {
				t.Fatalf("store down: granted %d times, want nothing", n)
			}
			if up == nil {
				return
			}
			h = k.Handler(t, up(t), book)
			for i := range 2 {
				req, err := k.Request(t.Context(), id)
				if code := serve(t, h, req, err); code != http.StatusOK {
					t.Fatalf("store back: delivery %d answered %d, want 200", i+1, code)
				}
			}
			if n := book.Count(id); n != 1 {
				t.Fatalf("store back: granted %d times, want exactly once", n)
			}
		})
	}
}

// BenchmarkWebhookGrants runs the standard load once per iteration through
// two webhook handler instances, each behind a loopback HTTP server (instances returns their two stores, which
// must share state): 1,000 purchases, each delivered 3 times at once, by
// workers goroutines. It reports grants per second and fails the benchmark on
// any double or lost grant.
func BenchmarkWebhookGrants(b *testing.B, workers int, instances func(b *testing.B) [2]dedup.Store) {
	var grants int
	var secs float64
	for b.Loop() {
		res := webhookLoad(b, workers, instances(b))
		grants += res.Grants
		secs += res.Elapsed.Seconds()
	}
	b.ReportMetric(float64(grants)/secs, "grants/s")
}

// BenchmarkWebhookGrantsAgainstMemory is [BenchmarkWebhookGrants] side by
// side with its baseline in one process: each iteration runs the load once on
// instances' stores and once on one [dedup.MemoryStore] shared by both
// handlers, taking turns to go first. It reports the store's "grants/s", the
// memory store's "memory-grants/s", their ratio "x-memory", and how many
// HTTP deliveries each made per grant (the 3 of each purchase, and the
// redeliveries of those answered 409 while another one held the key), and
// how many store calls (Claim, Complete, Release) per grant.
func BenchmarkWebhookGrantsAgainstMemory(b *testing.B, workers int, instances func(b *testing.B) [2]dedup.Store) {
	var secs [2]float64
	var calls [2]int
	var storeCalls [2]int64
	var grants, rounds int
	for b.Loop() {
		for turn := range 2 {
			s := (rounds + turn) % 2
			stores := instances(b)
			if s == 0 {
				m := dedup.NewMemoryStore()
				stores = [2]dedup.Store{m, m}
			}
			stores, counted := countCalls(stores)
			res := webhookLoad(b, workers, stores)
			secs[s] += res.Elapsed.Seconds()
			calls[s] += res.Calls
			storeCalls[s] += counted()
			if s == 1 {
				grants += res.Grants
			}
		}
		rounds++
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(grants)/secs[1], "grants/s")
	b.ReportMetric(float64(grants)/secs[0], "memory-grants/s")
	b.ReportMetric(secs[0]/secs[1], "x-memory")
	b.ReportMetric(float64(calls[1])/float64(grants), "deliveries/grant")
	b.ReportMetric(float64(calls[0])/float64(grants), "memory-deliveries/grant")
	b.ReportMetric(float64(storeCalls[1])/float64(grants), "store-calls/grant")
	b.ReportMetric(float64(storeCalls[0])/float64(grants), "memory-store-calls/grant")
}

// countCalls wraps each of the two stores in a pass-through that counts its
// calls, one wrapper for a store both instances share (so that they still
// share one store value, as the handlers see it), and returns a function
// that sums the calls made so far.
func countCalls(stores [2]dedup.Store) ([2]dedup.Store, func() int64) {
	first := &deduptest.FailingStore{Store: stores[0]}
	out := [2]dedup.Store{first, first}
	counted := []*deduptest.FailingStore{first}
	if !sameStore(stores[0], stores[1]) {
		second := &deduptest.FailingStore{Store: stores[1]}
		out[1] = second
		counted = append(counted, second)
	}
	return out, func() int64 {
		var n int64
		for _, f := range counted {
			claims, completes, releases := f.Calls()
			n += claims + completes + releases
		}
		return n
	}
}

// sameStore reports whether a and b are one store value (never true for a
// store type that cannot be compared).
func sameStore(a, b dedup.Store) bool {
	t := reflect.TypeOf(a)
	return t != nil && t == reflect.TypeOf(b) && t.Comparable() && a == b
}

// webhookLoad runs the standard load once through two webhook handlers on
// stores, each a replica behind its own loopback HTTP server as in
// production, and fails b on any double or lost grant.
func webhookLoad(b *testing.B, workers int, stores [2]dedup.Store) deduptest.LoadResult {
	b.Helper()
	book := &GrantBook{}
	run := uuid.NewString()
	order := func(p int) string { return fmt.Sprintf("order-%s-%d", run, p) }
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	defer client.CloseIdleConnections()
	var handlers []http.Handler
	for _, st := range stores {
		srv := httptest.NewServer(WebhookHandler(b, st, book))
		defer srv.Close()
		handlers = append(handlers, loopback(client, srv.URL))
	}
	res := deduptest.LoadHandlers(b, deduptest.HandlerLoadConfig{
		Handlers: handlers,
		Request:  func(ctx context.Context, p int) (*http.Request, error) { return WebhookRequest(ctx, order(p)) },
		Granted:  func(p int) int { return book.Count(order(p)) },
		Workers:  workers,
	})
	if res.Double != 0 || res.Lost != 0 || res.Grants != res.Purchases {
		b.Fatalf("%d double and %d lost grants, %d grants for %d purchases", res.Double, res.Lost, res.Grants, res.Purchases)
	}
	return res
}

// loopback is a handler that sends each request on to the server at base
// over HTTP and answers with the server's status and body.
func loopback(client *http.Client, base string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := http.NewRequestWithContext(r.Context(), r.Method, base+r.URL.Path, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		out.Header = r.Header.Clone()
		resp, err := client.Do(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	})
}
