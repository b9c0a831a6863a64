package webhook_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/webhook"
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
