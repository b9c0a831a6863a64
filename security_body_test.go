package stashpay_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	stashpay "github.com/stashpay/stashpay-go"
)

// An unauthenticated caller must not make an egress handler allocate the
// whole body limit by announcing a large Content-Length and sending almost
// nothing: memory spent before verification must follow the bytes received.
func TestSecurityEgressContentLengthLieDoesNotPreallocate(t *testing.T) {
	h := stashpay.ConfirmPaymentHandler(egressConfig(),
		func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			t.Error("function called for an unsigned request")
			return nil, nil
		})
	mk := func() *http.Request {
		r := httptest.NewRequest(http.MethodPost, stashpay.ConfirmPaymentPath, strings.NewReader("{}"))
		r.ContentLength = stashpay.DefaultMaxBodyBytes // a lie: 2 bytes follow
		r.Header.Set(stashpay.EgressSignatureHeader, "v1;"+egressTestShop+";1;AAAA")
		return r
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, mk())
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", rec.Code)
	}
	const n = 20
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
	if got := (after.TotalAlloc - before.TotalAlloc) / n; got > 128<<10 {
		t.Fatalf("%d bytes allocated per forged 2-byte request announcing %d bytes; want <= 128 KiB",
			got, stashpay.DefaultMaxBodyBytes)
	}
}

// With MaxBodyBytes at the maximum, a Content-Length of MaxInt64 must be
// answered, not crash the request on an overflowing allocation size.
func TestSecurityEgressHugeContentLengthNoPanic(t *testing.T) {
	cfg := egressConfig()
	cfg.MaxBodyBytes = 1<<63 - 1
	h := stashpay.ConfirmPaymentHandler(cfg,
		func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			return nil, nil
		})
	r := httptest.NewRequest(http.MethodPost, stashpay.ConfirmPaymentPath, strings.NewReader("{}"))
	r.ContentLength = 1<<63 - 1
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", rec.Code)
	}
}
