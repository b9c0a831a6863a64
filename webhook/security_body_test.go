package webhook_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/webhook"
)

// allocPerRequest returns the average number of bytes allocated by serving
// mk() with h, over n unauthenticated requests.
func allocPerRequest(h http.Handler, n int, mk func() *http.Request) uint64 {
	reqs := make([]*http.Request, n)
	for i := range reqs {
		reqs[i] = mk()
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for _, r := range reqs {
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(n)
}

// An unauthenticated sender must not make the handler allocate the whole
// body limit by announcing a large Content-Length and sending (almost)
// nothing: memory spent before verification must follow the bytes received.
func TestSecurityContentLengthLieDoesNotPreallocate(t *testing.T) {
	v, err := webhook.NewVerifier(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	mk := func() *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader("{}"))
		r.ContentLength = webhook.DefaultMaxBodyBytes // a lie: 2 bytes follow
		r.Header.Set(webhook.SignatureHeader, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
		return r
	}
	handlers := map[string]http.Handler{
		"NewHandler": webhook.NewHandler(v, func(context.Context, events.Event) error { return nil }),
		"Middleware": v.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})),
	}
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, mk())
			if rec.Code != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", rec.Code)
			}
			if got := allocPerRequest(h, 20, mk); got > 128<<10 {
				t.Fatalf("%d bytes allocated per forged 2-byte request announcing %d bytes; want <= 128 KiB",
					got, webhook.DefaultMaxBodyBytes)
			}
		})
	}
}

// With the limit raised to the maximum, a Content-Length of MaxInt64 must
// be answered, not crash the request on an overflowing allocation size.
func TestSecurityHugeContentLengthNoPanic(t *testing.T) {
	v, err := webhook.NewVerifier(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	h := webhook.NewHandler(v, func(context.Context, events.Event) error { return nil }, webhook.WithMaxBodyBytes(1<<63-1))
	r := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader("{}"))
	r.ContentLength = 1<<63 - 1
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", rec.Code)
	}
}
