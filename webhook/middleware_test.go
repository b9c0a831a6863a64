package webhook_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/webhook"
)

func TestMiddleware(t *testing.T) {
	t.Parallel()
	body := purchase("order-middleware")
	big := bytes.Repeat([]byte("a"), int(webhook.DefaultMaxBodyBytes)+1)
	tests := []struct {
		name     string
		method   string
		body     []byte
		sig      string
		extraSig string // a second header value
		retry    string
		wantCode int
		wantNext bool
	}{
		{name: "valid", method: http.MethodPost, body: body, sig: webhook.Sign(body, testSecret), retry: "2", wantCode: 202, wantNext: true},
		{name: "valid, header spaces", method: http.MethodPost, body: body, sig: " " + webhook.Sign(body, testSecret) + " ", wantCode: 202, wantNext: true},
		{name: "GET", method: http.MethodGet, wantCode: 405},
		{name: "missing signature", method: http.MethodPost, body: body, wantCode: 401},
		{name: "a second, forged signature header", method: http.MethodPost, body: body, sig: webhook.Sign(body, testSecret), extraSig: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", wantCode: 401},
		{name: "the valid signature twice", method: http.MethodPost, body: body, sig: webhook.Sign(body, testSecret), extraSig: webhook.Sign(body, testSecret), wantCode: 401},
		{name: "wrong secret", method: http.MethodPost, body: body, sig: webhook.Sign(body, "nope"), wantCode: 401},
		{name: "tampered", method: http.MethodPost, body: append([]byte(" "), body...), sig: webhook.Sign(body, testSecret), wantCode: 401},
		{name: "oversize", method: http.MethodPost, body: big, sig: webhook.Sign(big, testSecret), wantCode: 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var called bool
			var gotBody []byte
			var gotRetry int
			var gotLen int64
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called = true
				gotLen = r.ContentLength
				var err error
				gotBody, err = io.ReadAll(r.Body)
				require.NoError(t, err)
				gotRetry, _ = webhook.RetryCount(r.Context())
				w.WriteHeader(http.StatusAccepted)
			})
			h := newVerifier(t).Middleware(next)
			req := httptest.NewRequestWithContext(t.Context(), tt.method, "/", bytes.NewReader(tt.body))
			if tt.sig != "" {
				req.Header.Set(webhook.SignatureHeader, tt.sig)
			}
			if tt.extraSig != "" {
				req.Header.Add(webhook.SignatureHeader, tt.extraSig)
			}
			if tt.retry != "" {
				req.Header.Set(webhook.RetryCountHeader, tt.retry)
			}
			resp := serve(h, req)
			assert.Equal(t, tt.wantCode, resp.Code)
			assert.Equal(t, tt.wantNext, called)
			if tt.wantCode == 405 {
				assert.Equal(t, http.MethodPost, resp.Header().Get("Allow"))
			}
			if tt.wantNext {
				assert.Equal(t, tt.body, gotBody, "body restored for next")
				assert.Equal(t, int64(len(tt.body)), gotLen)
			}
			if tt.retry != "" {
				assert.Equal(t, 2, gotRetry)
			}
		})
	}
}
