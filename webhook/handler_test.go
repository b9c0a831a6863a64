package webhook_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/internal/inbound"
	"github.com/stashpay/stashpay-go/webhook"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHandlerAnswers(t *testing.T) {
	t.Parallel()
	valid := purchase("order-answers")
	big := purchase(strings.Repeat("x", 2048))
	tests := []struct {
		name      string
		method    string
		body      []byte
		sig       string // "" = no header; "sign" = a valid signature
		extraSig  string // a second header value; "sign" = a valid signature
		opts      []webhook.HandlerOption
		chunked   bool // hide the length (no Content-Length)
		wantCode  int
		wantCalls int
	}{
		{name: "valid", method: http.MethodPost, body: valid, sig: "sign", wantCode: 200, wantCalls: 1},
		{name: "valid, padded header", method: http.MethodPost, body: valid, sig: " sign\t", wantCode: 200, wantCalls: 1},
		{name: "GET", method: http.MethodGet, body: nil, sig: "sign", wantCode: 405},
		{name: "PUT signed", method: http.MethodPut, body: valid, sig: "sign", wantCode: 405},
		{name: "HEAD", method: http.MethodHead, wantCode: 405},
		{name: "missing signature", method: http.MethodPost, body: valid, wantCode: 401},
		{name: "whitespace signature", method: http.MethodPost, body: valid, sig: "   ", wantCode: 401},
		{name: "a second, forged signature header", method: http.MethodPost, body: valid, sig: "sign", extraSig: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", wantCode: 401},
		{name: "a forged signature header first", method: http.MethodPost, body: valid, sig: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", extraSig: "sign", wantCode: 401},
		{name: "the valid signature twice", method: http.MethodPost, body: valid, sig: "sign", extraSig: "sign", wantCode: 401},
		{name: "wrong secret", method: http.MethodPost, body: valid, sig: webhook.Sign(valid, "wrong"), wantCode: 401},
		{name: "tampered", method: http.MethodPost, body: purchase("order-answerz"), sig: webhook.Sign(valid, testSecret), wantCode: 401},
		{name: "malformed JSON, valid signature", method: http.MethodPost, body: []byte(`{"type":"PURCHASE_`), sig: "sign", wantCode: 400},
		{name: "no type, valid signature", method: http.MethodPost, body: []byte(`{"foo":1}`), sig: "sign", wantCode: 400},
		{name: "empty body, valid signature", method: http.MethodPost, body: []byte{}, sig: "sign", wantCode: 400},
		{name: "string quantity and opt-in, valid signature", method: http.MethodPost, body: []byte(`{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{"orderId":"o-str","items":[{"id":"gem","quantity":"2"}],"emailMarketingOptIn":"true"}}`), sig: "sign", wantCode: 200, wantCalls: 1},
		{name: "inexact quantity, valid signature", method: http.MethodPost, body: []byte(`{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{"orderId":"o-bad","items":[{"id":"gem","quantity":"2.5"}]}}`), sig: "sign", wantCode: 400},
		{name: "unknown type acknowledged", method: http.MethodPost, body: []byte(`{"type":"LOYALTY_TIER_CHANGED","loyalty":{}}`), sig: "sign", wantCode: 200, wantCalls: 1},
		{name: "oversize", method: http.MethodPost, body: big, sig: "sign", opts: []webhook.HandlerOption{webhook.WithMaxBodyBytes(1024)}, wantCode: 413},
		{name: "oversize, no length", method: http.MethodPost, body: big, sig: "sign", chunked: true, opts: []webhook.HandlerOption{webhook.WithMaxBodyBytes(1024)}, wantCode: 413},
		{name: "at the limit", method: http.MethodPost, body: valid, sig: "sign", opts: []webhook.HandlerOption{webhook.WithMaxBodyBytes(int64(len(valid)))}, wantCode: 200, wantCalls: 1},
		{name: "unsigned oversize is 413 first", method: http.MethodPost, body: big, opts: []webhook.HandlerOption{webhook.WithMaxBodyBytes(1024)}, wantCode: 413},
		{name: "default limit", method: http.MethodPost, body: bytes.Repeat([]byte(" "), int(webhook.DefaultMaxBodyBytes)+1), sig: "sign", wantCode: 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			h := webhook.NewHandler(newVerifier(t), rec.fn, tt.opts...)
			var body io.Reader = bytes.NewReader(tt.body)
			if tt.chunked {
				body = io.MultiReader(body) // hides the length from httptest
			}
			req := httptest.NewRequestWithContext(t.Context(), tt.method, "/webhook", body)
			switch {
			case tt.sig == "":
			case strings.TrimSpace(tt.sig) == "sign":
				req.Header.Set(webhook.SignatureHeader, strings.Replace(tt.sig, "sign", webhook.Sign(tt.body, testSecret), 1))
			default:
				req.Header.Set(webhook.SignatureHeader, tt.sig)
			}
			switch tt.extraSig {
			case "":
			case "sign":
				req.Header.Add(webhook.SignatureHeader, webhook.Sign(tt.body, testSecret))
			default:
				req.Header.Add(webhook.SignatureHeader, tt.extraSig)
			}
			resp := serve(h, req)
			assert.Equal(t, tt.wantCode, resp.Code, resp.Body.String())
			assert.Equal(t, tt.wantCalls, rec.calls())
			assert.Equal(t, "application/json", resp.Header().Get("Content-Type"))
			if tt.wantCode == 200 {
				assert.Equal(t, "{}", resp.Body.String())
			} else {
				assert.Contains(t, resp.Body.String(), `"message"`)
			}
			if tt.wantCode == 405 {
				assert.Equal(t, http.MethodPost, resp.Header().Get("Allow"))
			}
		})
	}
}

func TestHandlerSeeds(t *testing.T) {
	t.Parallel()
	for _, name := range seedFiles(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			h := webhook.NewHandler(newVerifier(t), rec.fn)
			body := readSeed(t, name)
			resp := serve(h, signedRequest(t.Context(), t, "/webhook", body, testSecret))
			require.Equal(t, 200, resp.Code)
			require.Equal(t, 1, rec.calls())
			want := strings.ToUpper(strings.TrimSuffix(name, ".json"))
			assert.Equal(t, events.Type(want), rec.events[0].Type())
		})
	}
}

// TestHandlerTolerantKinds checks that an int64 or boolean sent as a string
// (as Stash does in its proto-JSON payloads) reaches fn with its exact value
// instead of a 400 that Stash would redeliver for a day.
func TestHandlerTolerantKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, qty, optIn string
		wantQty          int64
		wantOptIn        bool
	}{
		{"numbers", `3`, `true`, 3, true},
		{"strings", `"3"`, `"true"`, 3, true},
		{"string false", `"12"`, `"false"`, 12, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			h := webhook.NewHandler(newVerifier(t), rec.fn)
			body := []byte(`{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{"orderId":"o-` + tt.name +
				`","items":[{"id":"gem","quantity":` + tt.qty + `}],"emailMarketingOptIn":` + tt.optIn + `}}`)
			resp := serve(h, signedRequest(t.Context(), t, "/webhook", body, testSecret))
			require.Equal(t, 200, resp.Code, resp.Body.String())
			require.Equal(t, 1, rec.calls())
			e, ok := rec.events[0].(*events.PurchaseSucceeded)
			require.True(t, ok)
			require.Len(t, e.Items, 1)
			assert.Equal(t, tt.wantQty, e.Items[0].Quantity)
			assert.Equal(t, tt.wantOptIn, e.EmailMarketingOptIn)
		})
	}
}

func TestHandlerNilFuncPanics(t *testing.T) {
	t.Parallel()
	// A nil function would acknowledge every purchase without granting it.
	assert.PanicsWithValue(t, "webhook: NewHandler called with a nil function", func() {
		webhook.NewHandler(newVerifier(t), nil)
	})
}

func TestHandlerRedeliveryAfterFailure(t *testing.T) {
	t.Parallel()
	rec := &recorder{err: errGrant}
	h := webhook.NewHandler(newVerifier(t), rec.fn)
	body := purchase("order-retry")

	resp := serve(h, signedRequest(t.Context(), t, "/", body, testSecret))
	require.Equal(t, 500, resp.Code)
	assert.NotContains(t, resp.Body.String(), errGrant.Error(), "internal errors stay internal")
	require.Equal(t, 1, rec.calls())

	rec.setErr(nil)
	resp = serve(h, signedRequest(t.Context(), t, "/", body, testSecret))
	require.Equal(t, 200, resp.Code, "the redelivery must run fn again")
	require.Equal(t, 2, rec.calls())

	resp = serve(h, signedRequest(t.Context(), t, "/", body, testSecret))
	require.Equal(t, 200, resp.Code)
	assert.Equal(t, 2, rec.calls(), "a duplicate after success must not run fn")
}

func TestHandlerDuplicatesAfterSuccess(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	h := webhook.NewHandler(newVerifier(t), rec.fn)
	a, b := purchase("order-A"), purchase("order-B")
	for range 3 {
		for _, body := range [][]byte{a, b} {
			resp := serve(h, signedRequest(t.Context(), t, "/", body, testSecret))
			require.Equal(t, 200, resp.Code)
			assert.Equal(t, "{}", resp.Body.String())
		}
	}
	require.Equal(t, 2, rec.calls(), "each order granted once")
	got := []string{rec.events[0].(*events.PurchaseSucceeded).OrderID, rec.events[1].(*events.PurchaseSucceeded).OrderID}
	assert.Equal(t, []string{"order-A", "order-B"}, got)

	// The same purchase re-serialised (other bytes, same checkout link) is a duplicate too.
	reordered := []byte(`{"purchaseSucceeded":{"checkoutLinkId":"cl-order-A","orderId":"order-A","total":"21.48"},"type":"PURCHASE_SUCCEEDED"}`)
	require.Equal(t, 200, serve(h, signedRequest(t.Context(), t, "/", reordered, testSecret)).Code)
	assert.Equal(t, 2, rec.calls())
}

func TestHandlerPanic(t *testing.T) {
	t.Parallel()
	var calls, panics atomic.Int32
	fn := func(_ context.Context, e events.Event) error {
		if calls.Add(1) == 1 {
			panics.Add(1)
			panic("inventory exploded")
		}
		return nil
	}
	logs := &syncBuffer{}
	srv := httptest.NewServer(webhook.NewHandler(newVerifier(t), fn, webhook.WithLogger(newJSONLogger(logs))))
	t.Cleanup(srv.Close)
	body := purchase("order-panic")
	for i, want := range []int{500, 200, 200} {
		resp, err := srv.Client().Do(signedRequest(t.Context(), t, srv.URL, body, testSecret))
		require.NoError(t, err, "request %d: the server must keep serving", i)
		_, _ = io.Copy(io.Discard, resp.Body)
		require.NoError(t, resp.Body.Close())
		assert.Equal(t, want, resp.StatusCode, "request %d", i)
	}
	assert.Equal(t, int32(2), calls.Load(), "the redelivery after the panic runs fn again, the next is a duplicate")
	assert.Equal(t, int32(1), panics.Load())
	assert.Contains(t, logs.String(), "inventory exploded")
}

func TestHandlerAbortHandlerPanicPropagates(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	first := true
	fn := func(ctx context.Context, e events.Event) error {
		if first {
			first = false
			panic(http.ErrAbortHandler)
		}
		return rec.fn(ctx, e)
	}
	h := webhook.NewHandler(newVerifier(t), fn)
	body := purchase("order-abort")
	assert.PanicsWithValue(t, http.ErrAbortHandler, func() {
		serve(h, signedRequest(t.Context(), t, "/", body, testSecret))
	})
	resp := serve(h, signedRequest(t.Context(), t, "/", body, testSecret))
	assert.Equal(t, 200, resp.Code, "the key was released after the abort")
	assert.Equal(t, 1, rec.calls())
}

func TestHandlerKeyFunc(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	byUser := func(e events.Event) string {
		if p, ok := e.(*events.PurchaseSucceeded); ok {
			return "user:" + p.UserID
		}
		return "" // falls back to DefaultKey
	}
	h := webhook.NewHandler(newVerifier(t), rec.fn, webhook.WithKeyFunc(byUser))
	for _, body := range [][]byte{purchase("order-1"), purchase("order-2")} {
		require.Equal(t, 200, serve(h, signedRequest(t.Context(), t, "/", body, testSecret)).Code)
	}
	assert.Equal(t, 1, rec.calls(), "both orders share the custom key")

	view := readSeed(t, "view_item.json")
	for range 2 {
		require.Equal(t, 200, serve(h, signedRequest(t.Context(), t, "/", view, testSecret)).Code)
	}
	assert.Equal(t, 2, rec.calls(), "the fallback key dedupes identical view events")
}

func TestDefaultKey(t *testing.T) {
	t.Parallel()
	v := newVerifier(t)
	parse := func(body []byte) events.Event {
		e, err := v.Parse(body, webhook.Sign(body, testSecret))
		require.NoError(t, err)
		return e
	}
	view := readSeed(t, "view_item.json")
	sum := sha256.Sum256(view)
	assert.Equal(t, "checkout:checkout_xyz789", webhook.DefaultKey(parse(readSeed(t, "purchase_succeeded.json"))),
		"a purchase is keyed on its checkout link ID, as confirm is")
	noLink := []byte(`{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{"orderId":"order_cart_1","source":"Cart"}}`)
	assert.Equal(t, "purchase:order_cart_1", webhook.DefaultKey(parse(noLink)), "without a checkout link ID, the order ID")
	assert.Equal(t, "VIEW_ITEM:sha256:"+hex.EncodeToString(sum[:]), webhook.DefaultKey(parse(view)))
	other := bytes.Replace(view, []byte("item_456"), []byte("item_457"), 1)
	assert.NotEqual(t, webhook.DefaultKey(parse(view)), webhook.DefaultKey(parse(other)))
}

func TestHandlerWithoutDedup(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	h := webhook.NewHandler(newVerifier(t), rec.fn, webhook.WithoutDedup())
	body := purchase("order-nodedup")
	for range 3 {
		require.Equal(t, 200, serve(h, signedRequest(t.Context(), t, "/", body, testSecret)).Code)
	}
	assert.Equal(t, 3, rec.calls())
	rec.setErr(errGrant)
	assert.Equal(t, 500, serve(h, signedRequest(t.Context(), t, "/", body, testSecret)).Code)
}

func TestHandlerRetryCount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header string // "-" = absent
		wantN  int
		wantOK bool
	}{
		{name: "absent", header: "-"},
		{name: "zero", header: "0", wantN: 0, wantOK: true},
		{name: "three", header: "3", wantN: 3, wantOK: true},
		{name: "spaces", header: " 7 ", wantN: 7, wantOK: true},
		{name: "negative", header: "-1"},
		{name: "not a number", header: "abc"},
		{name: "empty", header: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var gotN int
			var gotOK, called bool
			fn := func(ctx context.Context, _ events.Event) error {
				called = true
				gotN, gotOK = webhook.RetryCount(ctx)
				return nil
			}
			h := webhook.NewHandler(newVerifier(t), fn)
			req := signedRequest(t.Context(), t, "/", purchase("order-retry-count"), testSecret)
			if tt.header != "-" {
				req.Header.Set("stash-retry-count", tt.header) // lower case as Stash documents it
			}
			require.Equal(t, 200, serve(h, req).Code)
			require.True(t, called)
			assert.Equal(t, tt.wantOK, gotOK)
			assert.Equal(t, tt.wantN, gotN)
		})
	}
	n, ok := webhook.RetryCount(context.Background())
	assert.False(t, ok)
	assert.Zero(t, n)
}

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

// firstBlocks is a handler function whose first call blocks until release
// is closed and then returns firstErr; later calls return nil at once.
// entered is closed when the first call starts.
type firstBlocks struct {
	entered, release chan struct{}
	firstErr         error
	calls            atomic.Int32
}

func newFirstBlocks(firstErr error) *firstBlocks {
	return &firstBlocks{entered: make(chan struct{}), release: make(chan struct{}), firstErr: firstErr}
}

func (f *firstBlocks) fn(context.Context, events.Event) error {
	if f.calls.Add(1) == 1 {
		close(f.entered)
		<-f.release
		return f.firstErr
	}
	return nil
}

// One renewal announced under both of Stash's names, each with its own
// envelope id, is granted once; the next period's renewal is granted too.
func TestHandlerRenewalUnderBothNamesGrantedOnce(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	h := webhook.NewHandler(newVerifier(t), rec.fn)
	for _, body := range []string{
		`{"id":"evt_1","type":"subscription.payment_succeeded","data":{"id":"sub_1","status":"active","currentPeriodEnd":"2026-02-01T00:00:00Z"}}`,
		`{"id":"evt_2","type":"subscription.renewed","data":{"id":"sub_1","status":"active","currentPeriodEnd":"2026-02-01T00:00:00Z"}}`,
		`{"id":"evt_3","type":"subscription.payment_succeeded","data":{"id":"sub_1","status":"active","currentPeriodEnd":"2026-03-01T00:00:00Z"}}`,
	} {
		require.Equal(t, 200, serve(h, signedRequest(t.Context(), t, "/", []byte(body), testSecret)).Code)
	}
	assert.Equal(t, 2, rec.calls(), "one grant per paid period")
}

func TestHandlerBusyWhileRunning(t *testing.T) {
	t.Parallel()
	fb := newFirstBlocks(nil)
	entered, release, calls := fb.entered, fb.release, &fb.calls
	srv := httptest.NewServer(webhook.NewHandler(newVerifier(t), fb.fn, webhook.WithBusyWait(-1)))
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

// A copy of an event that arrives while another copy is being handled
// waits for it and is answered as a duplicate, instead of 409 (which costs
// Stash a redelivery); a copy whose running one fails runs fn itself.
func TestHandlerBusyWaitsForTheRunningDelivery(t *testing.T) {
	t.Parallel()
	for _, firstFails := range []bool{false, true} {
		var firstErr error
		if firstFails {
			firstErr = errors.New("inventory down")
		}
		fb := newFirstBlocks(firstErr)
		entered, release, calls := fb.entered, fb.release, &fb.calls
		store := newFlakyStore()
		srv := httptest.NewServer(webhook.NewHandler(newVerifier(t), fb.fn, webhook.WithStore(store)))
		body := purchase("order-wait")
		first := make(chan int, 1)
		go func() { first <- post(t, srv, body) }()
		<-entered
		const n = 4
		codes := make(chan int, n)
		for range n {
			go func() { codes <- post(t, srv, body) }()
		}
		e, err := events.Parse(body)
		require.NoError(t, err)
		require.Eventually(t, func() bool { return inbound.Waiting(store, webhook.DefaultKey(e)) == n },
			10*time.Second, time.Millisecond, "the copies wait for the running delivery")
		close(release)
		want := http.StatusOK
		if firstFails {
			want = http.StatusInternalServerError
		}
		assert.Equal(t, want, <-first)
		for range n {
			assert.Equal(t, http.StatusOK, <-codes, "firstFails=%t", firstFails)
		}
		wantCalls := int32(1)
		if firstFails {
			wantCalls = 2 // one waiting copy ran fn once the first failed
		}
		assert.Equal(t, wantCalls, calls.Load(), "firstFails=%t", firstFails)
		// The copies waited in the process, not by polling the store: after
		// a success they did not ask the store at all; after a failure each
		// asked it at most once (one of them took the key; the others waited
		// for that one, or asked the store once it had finished).
		wantClaims := 1
		if firstFails {
			wantClaims = 1 + n
		}
		store.mu.Lock()
		assert.LessOrEqual(t, store.claims, wantClaims, "store claims, firstFails=%t", firstFails)
		store.mu.Unlock()
		srv.Close()
	}
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
	h := webhook.NewHandler(newVerifier(t), rec.fn, webhook.WithStore(store), webhook.WithLogger(newJSONLogger(logs)), webhook.WithBusyWait(-1))
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

// An error of fn that wraps a *dedup.CompleteError (a step of the game's
// own that used dedup.Do) is a failure like any other: not acknowledged,
// the key released, and the redelivery runs fn again.
func TestHandlerFunctionErrorWrappingACompleteError(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	fn := func(context.Context, events.Event) error {
		if calls.Add(1) == 1 {
			return fmt.Errorf("reserve: %w", &dedup.CompleteError{Err: errStoreDown})
		}
		return nil
	}
	h := webhook.NewHandler(newVerifier(t), fn)
	body := purchase("order-own-complete-error")
	assert.NotEqual(t, http.StatusOK, serve(h, signedRequest(t.Context(), t, "/", body, testSecret)).Code)
	assert.Equal(t, http.StatusOK, serve(h, signedRequest(t.Context(), t, "/", body, testSecret)).Code)
	assert.Equal(t, int32(2), calls.Load(), "the redelivery ran fn")
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

// deepPayload is an authentic-looking purchase with an unknown member nested
// deeper than encoding/json's limit: it can never decode.
func deepPayload() []byte {
	return []byte(`{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{"orderId":"o-deep","x":` +
		strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}}`)
}

func TestHandlerUndecodableDeliveries(t *testing.T) {
	t.Parallel()
	stored := errors.New("database down")
	tests := []struct {
		name     string
		body     []byte
		onBad    func(ctx context.Context, payload []byte, err error) error
		wantCode int
		wantLog  string
	}{
		{"default: 400 and an error log", deepPayload(), nil, http.StatusBadRequest, `"level":"ERROR","msg":"webhook: malformed event`},
		{"stored: acknowledged", deepPayload(), func(context.Context, []byte, error) error { return nil }, http.StatusOK, "stored and acknowledged"},
		{"not stored: 500, Stash redelivers", deepPayload(), func(context.Context, []byte, error) error { return stored }, http.StatusInternalServerError, "database down"},
		{"not JSON at all, stored", []byte(`{"type":`), func(context.Context, []byte, error) error { return nil }, http.StatusOK, "stored and acknowledged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			var gotPayload []byte
			var gotErr error
			opts := []webhook.HandlerOption{webhook.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil)))}
			if tt.onBad != nil {
				opts = append(opts, webhook.WithUndecodable(func(ctx context.Context, payload []byte, err error) error {
					gotPayload, gotErr = payload, err
					return tt.onBad(ctx, payload, err)
				}))
			}
			rec := &recorder{}
			h := webhook.NewHandler(newVerifier(t), rec.fn, opts...)
			resp := serve(h, signedRequest(t.Context(), t, "/", tt.body, testSecret))
			assert.Equal(t, tt.wantCode, resp.Code, resp.Body.String())
			assert.Zero(t, rec.calls(), "the event function never sees an undecodable delivery")
			assert.Contains(t, logs.String(), tt.wantLog)
			if tt.onBad != nil {
				assert.Equal(t, tt.body, gotPayload)
				assert.ErrorIs(t, gotErr, events.ErrMalformed)
			}
		})
	}
}

func TestHandlerUndecodableForgeryNeverReachesTheFunction(t *testing.T) {
	t.Parallel()
	called := false
	h := webhook.NewHandler(newVerifier(t), (&recorder{}).fn, webhook.WithUndecodable(func(context.Context, []byte, error) error {
		called = true
		return nil
	}))
	resp := serve(h, signedRequest(t.Context(), t, "/", deepPayload(), "not-the-secret"))
	require.Equal(t, http.StatusUnauthorized, resp.Code)
	assert.False(t, called)
}

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

// TestHandlerGrantsRenewalOnce sends one renewal twice through one handler
// and store, as Stash may announce it: as subscription.payment_succeeded
// with its payment object and as subscription.renewed without one (the
// events package's two fixtures). The game's function must run once.
func TestHandlerGrantsRenewalOnce(t *testing.T) {
	t.Parallel()
	a := []byte(`{"type":"subscription.payment_succeeded","data":{"id":"sub_1","status":"active",` +
		`"currentPeriodEnd":"2026-09-01T12:00:00Z","payment":{"paymentId":"pay_1","amountCents":"999","succeeded":true}}}`)
	b := []byte(`{"type":"subscription.renewed","data":{"subscriptionId":"sub_1","status":"active",` +
		`"currentPeriodStart":"2026-08-01T12:00:00Z","currentPeriodEnd":"2026-09-01T12:00:00Z"}}`)
	var rec recorder
	h := webhook.NewHandler(newVerifier(t), rec.fn)
	for _, body := range [][]byte{a, b} {
		resp := serve(h, signedRequest(t.Context(), t, "/webhook", body, testSecret))
		require.Equal(t, http.StatusOK, resp.Code)
	}
	assert.Equal(t, 1, rec.calls(), "one renewal granted %d times", rec.calls())
}

// TestHandlerAcceptsFreeItemWithNumericUserID posts an authentic
// FREE_ITEM_REDEEMED whose userId is a JSON number (which the handler
// accepts on PURCHASE_SUCCEEDED): it must reach the game's function, not
// be answered 400 until Stash gives up.
func TestHandlerAcceptsFreeItemWithNumericUserID(t *testing.T) {
	t.Parallel()
	body := []byte(`{"type":"FREE_ITEM_REDEEMED","freeItemRedeemed":{"userId":42,"itemId":"item_free_001",` +
		`"metadata":{"promotionId":"summer_promo"}}}`)
	var rec recorder
	h := webhook.NewHandler(newVerifier(t), rec.fn)
	resp := serve(h, signedRequest(t.Context(), t, "/webhook", body, testSecret))
	assert.Equal(t, http.StatusOK, resp.Code, "body: %s", resp.Body.String())
	assert.Equal(t, 1, rec.calls())
}
