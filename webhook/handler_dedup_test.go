package webhook_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/webhook"
)

// newJSONLogger logs everything, at debug level and above, to w.
func newJSONLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// post sends a signed body to srv and returns the status code.
func post(t *testing.T, srv *httptest.Server, body []byte) int {
	t.Helper()
	resp, err := srv.Client().Do(signedRequest(t.Context(), t, srv.URL, body, testSecret))
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	require.NoError(t, resp.Body.Close())
	return resp.StatusCode
}

func TestHandlerConcurrentDuplicatesRunOnce(t *testing.T) {
	t.Parallel()
	const n = 32
	var calls atomic.Int32
	fn := func(context.Context, events.Event) error {
		calls.Add(1)
		return nil
	}
	srv := httptest.NewServer(webhook.NewHandler(newVerifier(t), fn))
	t.Cleanup(srv.Close)
	body := purchase("order-concurrent")

	codes := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			codes[i] = post(t, srv, body)
		})
	}
	close(start)
	wg.Wait()

	require.Equal(t, int32(1), calls.Load(), "fn must run exactly once")
	ok := 0
	for _, c := range codes {
		require.Contains(t, []int{200, 409}, c)
		if c == 200 {
			ok++
		}
	}
	assert.GreaterOrEqual(t, ok, 1)
	// Stash retries the 409s later: they are acknowledged without running fn.
	for _, c := range codes {
		if c == 409 {
			assert.Equal(t, 200, post(t, srv, body))
		}
	}
	assert.Equal(t, int32(1), calls.Load())
}

func TestHandlerBusyWhileRunning(t *testing.T) {
	t.Parallel()
	entered := make(chan struct{})
	release := make(chan struct{})
	var calls atomic.Int32
	fn := func(context.Context, events.Event) error {
		if calls.Add(1) == 1 {
			close(entered)
			<-release
		}
		return nil
	}
	srv := httptest.NewServer(webhook.NewHandler(newVerifier(t), fn))
	t.Cleanup(srv.Close)
	body := purchase("order-busy")

	first := make(chan int, 1)
	go func() { first <- post(t, srv, body) }()
	<-entered

	const n = 8
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { codes[i] = post(t, srv, body) })
	}
	wg.Wait()
	for i, c := range codes {
		assert.Equal(t, http.StatusConflict, c, "duplicate %d while the first runs", i)
	}
	// Another order is not blocked by the busy one.
	assert.Equal(t, 200, post(t, srv, purchase("order-other")))

	close(release)
	assert.Equal(t, 200, <-first)
	assert.Equal(t, 200, post(t, srv, body))
	assert.Equal(t, int32(2), calls.Load(), "order-busy once, order-other once")
}

func TestHandlerStoreFailure(t *testing.T) {
	t.Parallel()
	store := newFlakyStore()
	store.setClaimErr(errStoreDown)
	rec := &recorder{}
	logs := &syncBuffer{}
	h := webhook.NewHandler(newVerifier(t), rec.fn, webhook.WithStore(store), webhook.WithLogger(newJSONLogger(logs)))
	body := purchase("order-store-down")

	resp := serve(h, signedRequest(t.Context(), t, "/", body, testSecret))
	assert.Equal(t, http.StatusServiceUnavailable, resp.Code)
	assert.Equal(t, 0, rec.calls(), "fn must not run without a claim")
	assert.Contains(t, logs.String(), "connection refused")
	assert.NotContains(t, resp.Body.String(), "connection refused")

	store.setClaimErr(nil)
	resp = serve(h, signedRequest(t.Context(), t, "/", body, testSecret))
	assert.Equal(t, 200, resp.Code, "nothing is lost: the redelivery runs fn")
	assert.Equal(t, 1, rec.calls())
}

func TestHandlerCompleteFailureAcknowledges(t *testing.T) {
	t.Parallel()
	store := newFlakyStore()
	store.completeErr = errStoreDown
	rec := &recorder{}
	logs := &syncBuffer{}
	h := webhook.NewHandler(newVerifier(t), rec.fn, webhook.WithStore(store), webhook.WithLogger(newJSONLogger(logs)))
	body := purchase("order-complete-fails")

	resp := serve(h, signedRequest(t.Context(), t, "/", body, testSecret))
	assert.Equal(t, 200, resp.Code, "fn succeeded, so the grant must be acknowledged")
	assert.Equal(t, "{}", resp.Body.String())
	assert.Equal(t, 1, rec.calls())
	assert.Contains(t, logs.String(), "not recorded")
	assert.Contains(t, logs.String(), `"level":"ERROR"`)

	// The key is still claimed (lease not expired): a redelivery now is busy, not run.
	assert.Equal(t, http.StatusConflict, serve(h, signedRequest(t.Context(), t, "/", body, testSecret)).Code)
	assert.Equal(t, 1, rec.calls())
}

func TestHandlerStoreAndLeaseOptions(t *testing.T) {
	t.Parallel()
	store := newFlakyStore()
	rec := &recorder{}
	shared := []webhook.HandlerOption{webhook.WithStore(store), webhook.WithLease(0), webhook.WithStore(nil)}
	h1 := webhook.NewHandler(newVerifier(t), rec.fn, shared...)
	h2 := webhook.NewHandler(newVerifier(t), rec.fn, shared...)
	body := purchase("order-shared-store")
	assert.Equal(t, 200, serve(h1, signedRequest(t.Context(), t, "/", body, testSecret)).Code)
	assert.Equal(t, 200, serve(h2, signedRequest(t.Context(), t, "/", body, testSecret)).Code)
	assert.Equal(t, 1, rec.calls(), "two handlers (replicas) sharing a store grant once")
	assert.Equal(t, 2, store.claims)
}

func TestHandlerLogsNoSecrets(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	store := newFlakyStore()
	var mode atomic.Int32 // 0 ok, 1 error, 2 panic
	fn := func(context.Context, events.Event) error {
		switch mode.Load() {
		case 1:
			return errGrant
		case 2:
			panic("boom")
		}
		return nil
	}
	v, err := webhook.NewVerifier(testSecret, webhook.WithPreviousSecrets("whsec_old_value_1234"))
	require.NoError(t, err)
	h := webhook.NewHandler(v, fn, webhook.WithStore(store), webhook.WithLogger(newJSONLogger(logs)))

	var sigs []string
	send := func(body []byte, sig string) int {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/", bytes.NewReader(body))
		if sig != "" {
			req.Header.Set(webhook.SignatureHeader, sig)
			sigs = append(sigs, sig)
		}
		return serve(h, req).Code
	}
	good := func(b []byte) string { return webhook.Sign(b, testSecret) }
	p := func(i int) []byte { return purchase(fmt.Sprintf("order-logs-%d", i)) }

	assert.Equal(t, 401, send(p(0), webhook.Sign(p(0), "attacker")))
	assert.Equal(t, 401, send(p(0), ""))
	assert.Equal(t, 401, send(p(1), good(p(0))))
	assert.Equal(t, 400, send([]byte("{"), good([]byte("{"))))
	mode.Store(1)
	assert.Equal(t, 500, send(p(2), good(p(2))))
	mode.Store(2)
	assert.Equal(t, 500, send(p(3), good(p(3))))
	mode.Store(0)
	assert.Equal(t, 200, send(p(4), good(p(4))))
	assert.Equal(t, 200, send(p(4), good(p(4))))
	store.setClaimErr(errStoreDown)
	assert.Equal(t, 503, send(p(5), good(p(5))))

	out := logs.String()
	require.NotEmpty(t, out)
	for _, s := range append(sigs, testSecret, "whsec_old_value_1234", good(p(1)), good(p(0))) {
		assert.NotContains(t, out, s)
	}
	for _, want := range []string{"rejected delivery", "malformed event", "handler failed", "panicked", "duplicate", "store failed"} {
		assert.Contains(t, out, want)
	}
}

var _ dedup.Store = (*flakyStore)(nil)

func TestHandlerContextCancelledWhenStashHangsUp(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	started := make(chan struct{})
	fn := func(ctx context.Context, _ events.Event) error {
		if calls.Add(1) == 1 {
			close(started)
			<-ctx.Done() // the first delivery waits until Stash hangs up
			return ctx.Err()
		}
		return nil
	}
	h := webhook.NewHandler(newVerifier(t), fn)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	go func() { done <- serve(h, signedRequest(ctx, t, "/", purchase("order-hangup"), testSecret)).Code }()
	<-started
	cancel()
	assert.Equal(t, 500, <-done)
	// The key was released, so the redelivery runs fn again and succeeds.
	assert.Equal(t, 200, serve(h, signedRequest(t.Context(), t, "/", purchase("order-hangup"), testSecret)).Code)
	assert.Equal(t, int32(2), calls.Load())
}

// Two authentic deliveries whose order IDs differ only in bytes that are not
// valid UTF-8 used to decode to one "ord-\uFFFD-1", share one exactly-once
// key, and grant once: the second player paid and got nothing. Both are now
// refused before anything is claimed.
func TestHandlerRefusesInvalidUTF8Identifiers(t *testing.T) {
	t.Parallel()
	store := dedup.NewMemoryStore()
	rec := &recorder{}
	h := webhook.NewHandler(newVerifier(t), rec.fn, webhook.WithStore(store))
	for _, id := range []string{"ord-\xff-1", "ord-\xfe-1"} {
		body := []byte(`{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{"orderId":"` + id + `","userId":"u","items":[{"id":"gem","quantity":1}]}}`)
		resp := serve(h, signedRequest(t.Context(), t, "/", body, testSecret))
		assert.Equal(t, http.StatusBadRequest, resp.Code)
		assert.NotContains(t, resp.Body.String(), "ord-")
	}
	assert.Zero(t, rec.calls())
	c, err := store.Claim(t.Context(), "purchase:ord-\uFFFD-1", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, dedup.Claimed, c.Outcome, "no key was claimed for the refused deliveries")
}

// A grant whose record never lands, even after the background retries, is
// logged again at error level when the lease ends: from then on a
// redelivery may grant it a second time, and an operator must know.
func TestHandlerLogsACompleteThatNeverLanded(t *testing.T) {
	t.Parallel()
	store := newFlakyStore()
	store.completeErr = errStoreDown
	logs := &syncBuffer{}
	h := webhook.NewHandler(newVerifier(t), (&recorder{}).fn, webhook.WithStore(store),
		webhook.WithLease(600*time.Millisecond), webhook.WithLogger(newJSONLogger(logs)))
	resp := serve(h, signedRequest(t.Context(), t, "/", purchase("order-never-recorded"), testSecret))
	require.Equal(t, http.StatusOK, resp.Code, "the grant happened: acknowledge it")
	assert.Eventually(t, func() bool {
		return strings.Contains(logs.String(), "still not recorded when its lease ended")
	}, 5*time.Second, 20*time.Millisecond)
}
