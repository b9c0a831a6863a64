package stashpay_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/stashpaytest"
)

// egressEndpoint builds one of the three handlers around a counting
// function that succeeds.
type egressEndpoint struct {
	name string
	path string
	body string // testdata file
	make func(cfg stashpay.EgressConfig, calls *atomic.Int64) http.Handler
}

func egressEndpoints() []egressEndpoint {
	return []egressEndpoint{
		{"confirm", stashpay.ConfirmPaymentPath, "egress_confirm.json", func(cfg stashpay.EgressConfig, calls *atomic.Int64) http.Handler {
			return stashpay.ConfirmPaymentHandler(cfg, func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
				calls.Add(1)
				return nil, nil
			})
		}},
		{"register", stashpay.RegisterPaymentPath, "egress_register.json", func(cfg stashpay.EgressConfig, calls *atomic.Int64) http.Handler {
			return stashpay.RegisterPaymentHandler(cfg, func(context.Context, *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
				calls.Add(1)
				return nil, nil
			})
		}},
		{"cancel", stashpay.CancelPaymentPath, "egress_cancel.json", func(cfg stashpay.EgressConfig, calls *atomic.Int64) http.Handler {
			return stashpay.CancelPaymentHandler(cfg, func(context.Context, *stashpay.CancelPaymentRequest) (*stashpay.CancelPaymentResponse, error) {
				calls.Add(1)
				return nil, nil
			})
		}},
	}
}

func TestEgressHandlersAuthenticate(t *testing.T) {
	t.Parallel()
	now := time.Now()
	legacyOnly := []stashpaytest.EgressRequestOption{stashpaytest.EgressWithoutV1Signature(), stashpaytest.EgressLegacySignature()}
	tests := []struct {
		name     string
		cfg      func(*stashpay.EgressConfig)
		key      string // signing key; egressTestKey when empty
		shop     string // signing shop; egressTestShop when empty
		opts     []stashpaytest.EgressRequestOption
		mutate   func(*http.Request)
		wantCode int
		wantMsg  string
	}{
		{name: "valid v1", wantCode: http.StatusOK},
		{name: "v1 4 minutes old", opts: []stashpaytest.EgressRequestOption{stashpaytest.EgressSignedAt(now.Add(-4 * time.Minute))}, wantCode: http.StatusOK},
		{name: "v1 4 minutes ahead", opts: []stashpaytest.EgressRequestOption{stashpaytest.EgressSignedAt(now.Add(4 * time.Minute))}, wantCode: http.StatusOK},
		{name: "missing", opts: []stashpaytest.EgressRequestOption{stashpaytest.EgressWithoutV1Signature()}, wantCode: http.StatusUnauthorized, wantMsg: "missing signature"},
		{name: "garbled", mutate: func(r *http.Request) { r.Header.Set(stashpay.EgressSignatureHeader, "v1;;garbage") }, wantCode: http.StatusUnauthorized, wantMsg: "malformed signature header"},
		{name: "unknown version", mutate: func(r *http.Request) {
			r.Header.Set(stashpay.EgressSignatureHeader, strings.Replace(r.Header.Get(stashpay.EgressSignatureHeader), "v1;", "v2;", 1))
		}, wantCode: http.StatusUnauthorized, wantMsg: "malformed signature header"},
		{name: "wrong key", key: "another-key", wantCode: http.StatusUnauthorized, wantMsg: "invalid signature"},
		{name: "wrong shop", shop: "other-shop", wantCode: http.StatusUnauthorized, wantMsg: "signature is for another shop"},
		{name: "6 minutes old", opts: []stashpaytest.EgressRequestOption{stashpaytest.EgressSignedAt(now.Add(-6 * time.Minute))}, wantCode: http.StatusUnauthorized, wantMsg: "signature timestamp outside the allowed window"},
		{name: "6 minutes ahead", opts: []stashpaytest.EgressRequestOption{stashpaytest.EgressSignedAt(now.Add(6 * time.Minute))}, wantCode: http.StatusUnauthorized, wantMsg: "signature timestamp outside the allowed window"},
		{name: "tampered body", mutate: func(r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			b = bytes.Replace(b, []byte("player-42"), []byte("player-43"), 1)
			r.Body = io.NopCloser(bytes.NewReader(b))
			r.ContentLength = int64(len(b))
		}, wantCode: http.StatusUnauthorized, wantMsg: "invalid signature"},
		{name: "legacy only, not allowed", opts: legacyOnly, wantCode: http.StatusUnauthorized, wantMsg: "missing signature"},
		{name: "legacy only, allowed", cfg: func(c *stashpay.EgressConfig) { c.AllowLegacySignature = true }, opts: legacyOnly, wantCode: http.StatusOK},
		{name: "legacy wrong key, allowed", cfg: func(c *stashpay.EgressConfig) { c.AllowLegacySignature = true }, key: "another-key", opts: legacyOnly, wantCode: http.StatusUnauthorized, wantMsg: "invalid signature"},
		{name: "bad v1 with good legacy, allowed", cfg: func(c *stashpay.EgressConfig) { c.AllowLegacySignature = true },
			opts:   []stashpaytest.EgressRequestOption{stashpaytest.EgressLegacySignature()},
			mutate: func(r *http.Request) { r.Header.Set(stashpay.EgressSignatureHeader, "v1;x;1;AAAA") }, wantCode: http.StatusUnauthorized, wantMsg: "signature is for another shop"},
		{name: "previous key during rotation", key: "old-key", cfg: func(c *stashpay.EgressConfig) {
			c.EgressKey, c.PreviousEgressKeys = "new-key", []string{"old-key"}
		}, wantCode: http.StatusOK},
		{name: "base64 key", key: "raw key bytes", cfg: func(c *stashpay.EgressConfig) {
			c.EgressKey, c.Base64Key = base64.RawURLEncoding.EncodeToString([]byte("raw key bytes")), true
		}, wantCode: http.StatusOK},
		{name: "wider tolerance", cfg: func(c *stashpay.EgressConfig) { c.Tolerance = 10 * time.Minute },
			opts: []stashpaytest.EgressRequestOption{stashpaytest.EgressSignedAt(now.Add(-6 * time.Minute))}, wantCode: http.StatusOK},
	}
	for _, ep := range egressEndpoints() {
		for _, tt := range tests {
			t.Run(ep.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				cfg := egressConfig()
				if tt.cfg != nil {
					tt.cfg(&cfg)
				}
				var log egressLog
				cfg.Logger = log.logger()
				var calls atomic.Int64
				h := ep.make(cfg, &calls)
				key, shop := tt.key, tt.shop
				if key == "" {
					key = egressTestKey
				}
				if shop == "" {
					shop = egressTestShop
				}
				req, err := stashpaytest.NewEgressRequest(t.Context(), shop, key, ep.path, egressTestdata(t, ep.body), tt.opts...)
				require.NoError(t, err)
				if tt.mutate != nil {
					tt.mutate(req)
				}
				rec := egressServe(h, req)
				require.Equal(t, tt.wantCode, rec.Code, rec.Body.String())
				if tt.wantCode != http.StatusOK {
					assert.Zero(t, calls.Load(), "fn must not run")
					st := egressErrorBody(t, rec)
					assert.Equal(t, 16, st.Code)
					assert.Equal(t, tt.wantMsg, st.Message)
					sig := req.Header.Get(stashpay.EgressSignatureHeader)
					for _, s := range []string{rec.Body.String(), log.String()} {
						assert.NotContains(t, s, key)
						assert.NotContains(t, s, cfg.EgressKey)
						if i := strings.LastIndexByte(sig, ';'); i >= 0 && len(sig)-i > 8 {
							assert.NotContains(t, s, sig[i+1:], "signature leaked")
						}
					}
				} else {
					assert.Equal(t, int64(1), calls.Load())
				}
			})
		}
	}
}

func TestEgressHandlersMethodAndSize(t *testing.T) {
	t.Parallel()
	for _, ep := range egressEndpoints() {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int64
			cfg := egressConfig()
			cfg.MaxBodyBytes = 512
			h := ep.make(cfg, &calls)

			for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodHead} {
				req := egressRequest(t, ep.path, egressTestdata(t, ep.body))
				req.Method = m
				rec := egressServe(h, req)
				assert.Equal(t, http.StatusMethodNotAllowed, rec.Code, m)
				assert.Equal(t, http.MethodPost, rec.Header().Get("Allow"), m)
			}

			big := bytes.Repeat([]byte(" "), 600)
			big = append(big, egressTestdata(t, ep.body)...)
			rec := egressServe(h, egressRequest(t, ep.path, big))
			assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, "declared length")

			req := egressRequest(t, ep.path, big)
			req.ContentLength = -1 // chunked: the cap applies while reading
			rec = egressServe(h, req)
			assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, "unknown length")

			// Exactly at the limit is fine (the body is valid JSON padded
			// with leading spaces).
			body := egressTestdata(t, ep.body)
			compact := new(bytes.Buffer)
			require.NoError(t, json.Compact(compact, body))
			cfg.MaxBodyBytes = int64(compact.Len())
			rec = egressServe(ep.make(cfg, &calls), egressRequest(t, ep.path, compact.Bytes()))
			assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			assert.Equal(t, int64(1), calls.Load())
		})
	}
}

func TestEgressHandlersRejectBadBodies(t *testing.T) {
	t.Parallel()
	for _, ep := range egressEndpoints() {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int64
			h := ep.make(egressConfig(), &calls)
			for _, body := range []string{``, `{`, `[]`, `"x"`, `{"playerId":1,"player_id":2}`, `{}`, "{\"playerId\":\"p\xff\"}"} {
				rec := egressServe(h, egressRequest(t, ep.path, body))
				assert.Equal(t, http.StatusBadRequest, rec.Code, body)
				st := egressErrorBody(t, rec)
				assert.Equal(t, 3, st.Code)
				assert.NotEmpty(t, st.Message)
			}
			assert.Zero(t, calls.Load())
		})
	}
}

func TestEgressHandlersInvalidConfig(t *testing.T) {
	t.Parallel()
	bad := map[string]stashpay.EgressConfig{
		"no shop":       {EgressKey: egressTestKey},
		"no key":        {ShopID: egressTestShop},
		"bad base64":    {ShopID: egressTestShop, EgressKey: "not base64 !!", Base64Key: true},
		"empty old key": {ShopID: egressTestShop, EgressKey: egressTestKey, PreviousEgressKeys: []string{""}},
	}
	for name, cfg := range bad {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			require.ErrorIs(t, cfg.Validate(), stashpay.ErrInvalidEgressConfig)
			var log egressLog
			cfg.Logger = log.logger()
			for _, ep := range egressEndpoints() {
				var calls atomic.Int64
				rec := egressServe(ep.make(cfg, &calls), egressRequest(t, ep.path, egressTestdata(t, ep.body)))
				assert.Equal(t, http.StatusInternalServerError, rec.Code, ep.name)
				assert.Equal(t, 13, egressErrorBody(t, rec).Code)
				assert.Zero(t, calls.Load())
			}
			assert.Contains(t, log.String(), "misconfigured")
			if cfg.EgressKey != "" {
				assert.NotContains(t, log.String(), cfg.EgressKey)
			}
		})
	}
	require.NoError(t, egressConfig().Validate())
}

func TestPurchaseHandlerRoutes(t *testing.T) {
	t.Parallel()
	var reg, conf, canc atomic.Int64
	h := stashpay.PurchaseHandler(egressConfig(), stashpay.PurchaseFuncs{
		Register: func(context.Context, *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
			reg.Add(1)
			return nil, nil
		},
		Confirm: func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			conf.Add(1)
			return nil, nil
		},
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	do := func(path, file string) int {
		req := egressRequest(t, srv.URL+path, egressTestdata(t, file))
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		require.NoError(t, resp.Body.Close())
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusOK, do(stashpay.RegisterPaymentPath, "egress_register.json"))
	assert.Equal(t, http.StatusOK, do(stashpay.ConfirmPaymentPath+"/", "egress_confirm.json"))
	assert.Equal(t, http.StatusNotFound, do(stashpay.CancelPaymentPath, "egress_cancel.json"), "no cancel function")
	assert.Equal(t, http.StatusNotFound, do("/api/v1/purchase/refund", "egress_cancel.json"))
	assert.Equal(t, int64(1), reg.Load())
	assert.Equal(t, int64(1), conf.Load())
	assert.Zero(t, canc.Load())
}
