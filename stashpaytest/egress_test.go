package stashpaytest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/internal/signing"
	"github.com/stashpay/stashpay-go/stashpaytest"
)

func TestNewEgressRequestSigns(t *testing.T) {
	t.Parallel()
	const shop, secret = "shop-1", "egress-key"
	key, err := signing.NewKey([]byte(secret))
	require.NoError(t, err)
	at := time.UnixMilli(1_753_993_257_000)
	type payload struct {
		PlayerID string `json:"playerId"`
	}
	tests := []struct {
		name     string
		body     any
		wantBody string
	}{
		{"bytes", []byte(`{"a":1}`), `{"a":1}`},
		{"raw message", json.RawMessage(`{"b":2}`), `{"b":2}`},
		{"string", `{"c":3}`, `{"c":3}`},
		{"value", payload{PlayerID: "p"}, `{"playerId":"p"}`},
		{"nil", nil, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := stashpaytest.NewEgressRequest(t.Context(), shop, secret, "http://127.0.0.1:1/api/v1/purchase/confirm", tt.body,
				stashpaytest.EgressSignedAt(at))
			require.NoError(t, err)
			assert.Equal(t, http.MethodPost, req.Method)
			assert.Equal(t, "/api/v1/purchase/confirm", req.URL.Path)
			assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
			body, err := io.ReadAll(req.Body)
			require.NoError(t, err)
			assert.Equal(t, tt.wantBody, string(body))
			h, err := key.VerifyV1(req.Header.Get(stashpaytest.V1SignatureHeader), body, shop, at, time.Second)
			require.NoError(t, err)
			assert.Equal(t, at.UnixMilli(), h.Millis)
			assert.Empty(t, req.Header.Get(stashpaytest.LegacyHMACSignatureHeader))
		})
	}
}

func TestNewEgressRequestOptions(t *testing.T) {
	t.Parallel()
	key, err := signing.NewKey([]byte("k"))
	require.NoError(t, err)
	body := []byte(`{"x":1}`)

	req, err := stashpaytest.NewEgressRequest(t.Context(), "s", "k", "/p", body, stashpaytest.EgressLegacySignature())
	require.NoError(t, err)
	assert.NotEmpty(t, req.Header.Get(stashpaytest.V1SignatureHeader))
	require.NoError(t, key.VerifyBody(body, req.Header.Get(stashpaytest.LegacyHMACSignatureHeader)))
	_, err = key.VerifyV1(req.Header.Get(stashpaytest.V1SignatureHeader), body, "s", time.Now(), 0)
	require.NoError(t, err, "the default timestamp is now")

	req, err = stashpaytest.NewEgressRequest(t.Context(), "s", "k", "/p", body,
		stashpaytest.EgressWithoutV1Signature(), stashpaytest.EgressLegacySignature(), nil)
	require.NoError(t, err)
	assert.Empty(t, req.Header.Get(stashpaytest.V1SignatureHeader))
	require.NoError(t, key.VerifyBody(body, req.Header.Get(stashpaytest.LegacyHMACSignatureHeader)))

	req, err = stashpaytest.NewEgressRequest(t.Context(), "s", "k", "/p", body, stashpaytest.EgressWithoutV1Signature())
	require.NoError(t, err)
	assert.Empty(t, req.Header.Get(stashpaytest.V1SignatureHeader))
	assert.Empty(t, req.Header.Get(stashpaytest.LegacyHMACSignatureHeader))
}

func TestNewEgressRequestErrors(t *testing.T) {
	t.Parallel()
	_, err := stashpaytest.NewEgressRequest(t.Context(), "s", "", "/p", nil)
	require.ErrorIs(t, err, signing.ErrEmptyKey)
	_, err = stashpaytest.NewEgressRequest(t.Context(), "s", "k", "/p", make(chan int))
	require.Error(t, err)
	_, err = stashpaytest.NewEgressRequest(t.Context(), "s", "k", "://bad", nil)
	require.Error(t, err)
	//nolint:staticcheck // a nil context is the error under test
	_, err = stashpaytest.NewEgressRequest(nilContext(), "s", "k", "/p", nil)
	require.Error(t, err)
}

func nilContext() context.Context { return nil }
