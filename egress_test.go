package stashpay_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/internal/signing"
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
		{name: "legacy only, not allowed", opts: legacyOnly, wantCode: http.StatusUnauthorized,
			wantMsg: "missing x-stash-hmac-signature header; a legacy stash-hmac-signature header was received, " +
				"which EgressConfig.AllowLegacySignature accepts (off by default: the legacy signature can be replayed)"},
		{name: "legacy only, allowed", cfg: func(c *stashpay.EgressConfig) { c.AllowLegacySignature = true }, opts: legacyOnly, wantCode: http.StatusOK},
		{name: "legacy wrong key, allowed", cfg: func(c *stashpay.EgressConfig) { c.AllowLegacySignature = true }, key: "another-key", opts: legacyOnly, wantCode: http.StatusUnauthorized, wantMsg: "invalid signature"},
		{name: "v1 header twice", mutate: func(r *http.Request) {
			r.Header.Add(stashpay.EgressSignatureHeader, r.Header.Get(stashpay.EgressSignatureHeader))
		}, wantCode: http.StatusUnauthorized, wantMsg: "malformed signature header"},
		{name: "a second, forged legacy header, allowed", cfg: func(c *stashpay.EgressConfig) { c.AllowLegacySignature = true }, opts: legacyOnly,
			mutate: func(r *http.Request) {
				r.Header.Add(stashpay.EgressLegacySignatureHeader, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
			}, wantCode: http.StatusUnauthorized, wantMsg: "malformed signature header"},
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

// An invalid config stops the game when its handlers are built, as a nil
// function does, instead of failing every purchase at run time (a key with
// a trailing newline used to answer every call 500). The panic names the
// setting, never the key.
func TestEgressHandlersInvalidConfig(t *testing.T) {
	t.Parallel()
	bad := map[string]struct {
		cfg     stashpay.EgressConfig
		setting string
	}{
		"no shop":           {stashpay.EgressConfig{EgressKey: egressTestKey}, "EgressConfig.ShopID"},
		"no key":            {stashpay.EgressConfig{ShopID: egressTestShop}, "EgressConfig.EgressKey"},
		"trailing newline":  {stashpay.EgressConfig{ShopID: egressTestShop, EgressKey: egressTestKey + "\n"}, "EgressConfig.EgressKey"},
		"control character": {stashpay.EgressConfig{ShopID: egressTestShop, EgressKey: "key\x00" + egressTestKey}, "EgressConfig.EgressKey"},
		"bad base64":        {stashpay.EgressConfig{ShopID: egressTestShop, EgressKey: "not base64 !!", Base64Key: true}, "EgressConfig.EgressKey"},
		"empty old key":     {stashpay.EgressConfig{ShopID: egressTestShop, EgressKey: egressTestKey, PreviousEgressKeys: []string{""}}, "EgressConfig.PreviousEgressKeys[0]"},
	}
	constructors := map[string]func(cfg stashpay.EgressConfig){
		"confirm": func(cfg stashpay.EgressConfig) {
			stashpay.ConfirmPaymentHandler(cfg, func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
				return nil, nil
			})
		},
		"register": func(cfg stashpay.EgressConfig) {
			stashpay.RegisterPaymentHandler(cfg, func(context.Context, *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
				return nil, nil
			})
		},
		"cancel": func(cfg stashpay.EgressConfig) {
			stashpay.CancelPaymentHandler(cfg, func(context.Context, *stashpay.CancelPaymentRequest) (*stashpay.CancelPaymentResponse, error) {
				return nil, nil
			})
		},
		"catalog": func(cfg stashpay.EgressConfig) {
			stashpay.CatalogHandler(cfg, func(context.Context, *stashpay.CatalogRequest) (*stashpay.CatalogResponse, error) { return nil, nil })
		},
		"purchase handler, no function": func(cfg stashpay.EgressConfig) { stashpay.PurchaseHandler(cfg, stashpay.PurchaseFuncs{}) },
		"egress handler, no function":   func(cfg stashpay.EgressConfig) { stashpay.EgressHandler(cfg, stashpay.EgressFuncs{}) },
	}
	for name, tc := range bad {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			require.ErrorIs(t, tc.cfg.Validate(), stashpay.ErrInvalidEgressConfig)
			for cname, build := range constructors {
				var got any
				func() {
					defer func() { got = recover() }()
					build(tc.cfg)
				}()
				err, ok := got.(error)
				require.True(t, ok, "%s: want a panic with an error, got %v", cname, got)
				assert.ErrorIs(t, err, stashpay.ErrInvalidEgressConfig, cname)
				assert.Contains(t, err.Error(), tc.setting, cname)
				if tc.cfg.EgressKey != "" {
					assert.NotContains(t, err.Error(), strings.TrimSpace(tc.cfg.EgressKey), cname)
				}
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

	// Under a prefix, with or without its trailing slash in StripPrefix.
	for _, prefix := range []string{"/stash", "/stash/"} {
		mounted := httptest.NewServer(http.StripPrefix(prefix, h))
		req := egressRequest(t, mounted.URL+"/stash"+stashpay.RegisterPaymentPath, egressTestdata(t, "egress_register.json"))
		resp, err := mounted.Client().Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		require.NoError(t, resp.Body.Close())
		mounted.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, "StripPrefix(%q)", prefix)
	}
	assert.Equal(t, int64(3), reg.Load())
}

// A nil function is a programming error: the constructors panic, as
// http.Handle does for a nil handler.
func TestEgressHandlersPanicOnNilFunc(t *testing.T) {
	t.Parallel()
	assert.PanicsWithValue(t, "stashpay: ConfirmPaymentHandler called with a nil function", func() {
		stashpay.ConfirmPaymentHandler(egressConfig(), nil)
	})
	assert.PanicsWithValue(t, "stashpay: RegisterPaymentHandler called with a nil function", func() {
		stashpay.RegisterPaymentHandler(egressConfig(), nil)
	})
	assert.PanicsWithValue(t, "stashpay: CancelPaymentHandler called with a nil function", func() {
		stashpay.CancelPaymentHandler(egressConfig(), nil)
	})
}

// With AllowLegacySignature, a request that carries the v1 header is judged
// by it alone, even when it is blank.
func TestEgressBlankV1HeaderDoesNotFallBackToLegacy(t *testing.T) {
	t.Parallel()
	for _, blank := range []string{"", " ", "\t"} {
		for _, ep := range egressEndpoints() {
			cfg := egressConfig()
			cfg.AllowLegacySignature = true
			var calls atomic.Int64
			req := egressRequest(t, ep.path, egressTestdata(t, ep.body), stashpaytest.EgressLegacySignature())
			req.Header.Set(stashpay.EgressSignatureHeader, blank)
			rec := egressServe(ep.make(cfg, &calls), req)
			assert.Equal(t, http.StatusUnauthorized, rec.Code, "%s %q", ep.name, blank)
			assert.Zero(t, calls.Load())
		}
	}
}

// One signature has one accepted spelling: an unpadded legacy signature and
// a v1 signature whose padding bits are not zero are refused.
func TestEgressNonCanonicalSignaturesRefused(t *testing.T) {
	t.Parallel()
	key, err := signing.NewKey([]byte(egressTestKey))
	require.NoError(t, err)
	body := egressTestdata(t, "egress_confirm.json")
	cfg := egressConfig()
	cfg.AllowLegacySignature = true
	var calls atomic.Int64
	h := egressEndpoints()[0].make(cfg, &calls)

	legacy := egressRequest(t, "/", body, stashpaytest.EgressWithoutV1Signature())
	legacy.Header.Set(stashpay.EgressLegacySignatureHeader, strings.TrimRight(key.SignBody(body), "="))
	assert.Equal(t, http.StatusUnauthorized, egressServe(h, legacy).Code, "unpadded legacy")

	v1 := egressRequest(t, "/", body)
	hdr := v1.Header.Get(stashpay.EgressSignatureHeader)
	i := strings.LastIndexByte(hdr, ';')
	sig := hdr[i+1:]
	raw, err := base64.StdEncoding.DecodeString(sig)
	require.NoError(t, err)
	// 32 bytes are 43 characters and one '='; the last character carries
	// 2 padding bits, zero in the canonical spelling: set one.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	alt := []byte(sig)
	alt[42] = alphabet[strings.IndexByte(alphabet, alt[42])|1]
	dec, err := base64.StdEncoding.DecodeString(string(alt))
	require.NoError(t, err, "the altered spelling decodes leniently")
	require.Equal(t, raw, dec, "to the same MAC")
	v1.Header.Set(stashpay.EgressSignatureHeader, hdr[:i+1]+string(alt))
	assert.Equal(t, http.StatusUnauthorized, egressServe(h, v1).Code, "non-zero padding bits")
	assert.Zero(t, calls.Load())
}

// Two authentic calls whose transaction IDs differ only in invalid UTF-8
// bytes must not share one exactly-once key: both are refused 400, the field
// named, before anything is claimed or called (issue 14, defect 3).
func TestEgressInvalidUTF8IdentifierRefused(t *testing.T) {
	t.Parallel()
	for _, ep := range egressEndpoints() {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int64
			store := &egressStore{inner: dedup.NewMemoryStore()}
			cfg := egressConfig()
			cfg.Store = store
			h := ep.make(cfg, &calls)
			for _, tx := range []string{"tx-\xff-1", "tx-\xfe-1"} {
				body := bytes.Replace(egressTestdata(t, ep.body), []byte("tx-7f3a9c"), []byte(tx), 1)
				rec := egressServe(h, egressRequest(t, ep.path, body))
				require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
				st := egressErrorBody(t, rec)
				assert.Contains(t, st.Message, "transactionId")
				assert.Contains(t, st.Message, "UTF-8")
				assert.NotContains(t, st.Message, "tx-")
			}
			assert.Zero(t, calls.Load(), "fn must not run")
			assert.Zero(t, store.claimCount(), "nothing claimed")
		})
	}
}

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

func TestEgressConfigNeverRevealsKeys(t *testing.T) {
	t.Parallel()
	cfg := egressConfig()
	cfg.PreviousEgressKeys = []string{"previous-key-0123456789"}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v"} {
		outs = append(outs, fmt.Sprintf(verb, cfg))
		outs = append(outs, fmt.Sprintf(verb, &cfg))
	}
	outs = append(outs, cfg.String(), cfg.GoString(), fmt.Sprint([]stashpay.EgressConfig{cfg}))
	b, err := json.Marshal(cfg)
	require.NoError(t, err)
	outs = append(outs, string(b))
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "cfg", cfg)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "cfg", cfg)
	outs = append(outs, buf.String())
	for i, s := range outs {
		assert.NotContains(t, s, egressTestKey, "output %d: %s", i, s)
		assert.NotContains(t, s, "previous-key-0123456789", "output %d", i)
		assert.NotContains(t, s, fmt.Sprintf("%x", egressTestKey), "output %d", i)
	}
	assert.Contains(t, cfg.String(), egressTestShop, "the shop ID is not secret")
	assert.Contains(t, cfg.String(), "[redacted]")
}

func TestEgressErrorsMatch(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("wrapped: %w", stashpay.RejectPurchase("gone"))
	assert.ErrorIs(t, err, stashpay.ErrPurchaseRejected)
	var rej *stashpay.PurchaseRejectedError
	require.ErrorAs(t, err, &rej)
	assert.Equal(t, "gone", rej.Reason)
	assert.Equal(t, stashpay.DefaultRejectStatus, rej.StatusCode)
	assert.Equal(t, "stashpay: purchase rejected: gone", rej.Error())
	assert.False(t, errors.Is(errors.New("other"), stashpay.ErrPurchaseRejected))

	var re *stashpay.RegistrationError
	require.ErrorAs(t, stashpay.RejectRegistration(stashpay.PurchaseRegistrationStatusFailedInvalidPrice, "stale price"), &re)
	assert.Equal(t, "stashpay: registration rejected: PURCHASE_REGISTRATION_STATUS_FAILED_INVALID_PRICE: stale price", re.Error())
	var ce *stashpay.CancellationError
	require.ErrorAs(t, stashpay.RejectCancellation(stashpay.PurchaseCancellationStatusFailedAlreadyCancelled, ""), &ce)
	assert.Equal(t, "stashpay: cancellation rejected: PURCHASE_CANCELLATION_STATUS_FAILED_ALREADY_CANCELLED", ce.Error())
}

// Secrets are checked as every key of the SDK is: empty, surrounding
// whitespace and control characters are refused, the setting named and the
// value never shown. The shop ID is a field of the v1 header.
func TestEgressConfigValidateChecksSecrets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		mutate  func(c *stashpay.EgressConfig)
		setting string
		secret  string
	}{
		{"key with a trailing newline", func(c *stashpay.EgressConfig) { c.EgressKey = "s3cr3t-value\n" }, "EgressConfig.EgressKey", "s3cr3t-value"},
		{"key with a leading space", func(c *stashpay.EgressConfig) { c.EgressKey = " s3cr3t-value" }, "EgressConfig.EgressKey", "s3cr3t-value"},
		{"key with a NUL", func(c *stashpay.EgressConfig) { c.EgressKey = "s3cr3t\x00value" }, "EgressConfig.EgressKey", "s3cr3t"},
		{"empty key", func(c *stashpay.EgressConfig) { c.EgressKey = "" }, "EgressConfig.EgressKey", ""},
		{"empty previous key", func(c *stashpay.EgressConfig) { c.PreviousEgressKeys = []string{"old-key-1", ""} }, "EgressConfig.PreviousEgressKeys[1]", ""},
		{"previous key with CR", func(c *stashpay.EgressConfig) { c.PreviousEgressKeys = []string{"old-s3cr3t\r"} }, "EgressConfig.PreviousEgressKeys[0]", "old-s3cr3t"},
		{"base64 key not base64", func(c *stashpay.EgressConfig) { c.EgressKey, c.Base64Key = "not base64 !!", true }, "EgressConfig.EgressKey", "!!"},
		{"empty shop", func(c *stashpay.EgressConfig) { c.ShopID = "" }, "EgressConfig.ShopID", ""},
		{"shop with ';'", func(c *stashpay.EgressConfig) { c.ShopID = "shop;1" }, "EgressConfig.ShopID", "shop;1"},
		{"shop with a space", func(c *stashpay.EgressConfig) { c.ShopID = "my shop" }, "EgressConfig.ShopID", "my shop"},
		{"shop with a newline", func(c *stashpay.EgressConfig) { c.ShopID = "shop\n" }, "EgressConfig.ShopID", "shop\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := egressConfig()
			tt.mutate(&cfg)
			err := cfg.Validate()
			require.ErrorIs(t, err, stashpay.ErrInvalidEgressConfig)
			assert.Contains(t, err.Error(), tt.setting)
			if tt.secret != "" {
				assert.NotContains(t, err.Error(), tt.secret)
			}
		})
	}
}

// TestEgressRequestsOwnTheirFields checks, for each request, that a field of
// its own decodes in snake_case (given twice, the value is read once), while
// a field only another request has is ignored.
func TestEgressRequestsOwnTheirFields(t *testing.T) {
	t.Parallel()
	type decoded struct {
		register stashpay.RegisterPaymentRequest
		confirm  stashpay.ConfirmPaymentRequest
		cancel   stashpay.CancelPaymentRequest
	}
	tests := []struct {
		name, body string
		register   bool // true: the register request has the field
		confirm    bool
		cancel     bool
		check      func(t *testing.T, d *decoded)
	}{
		{
			name: "checkout link id", body: `{"checkout_link_id":"cl-1"}`, register: true, confirm: true, cancel: true,
			check: func(t *testing.T, d *decoded) {
				assert.Equal(t, "cl-1", d.register.CheckoutLinkID)
				assert.Equal(t, "cl-1", d.confirm.CheckoutLinkID)
				assert.Equal(t, "cl-1", d.cancel.CheckoutLinkID)
			},
		},
		{
			name: "environment as number", body: `{"environment":2}`, register: true, confirm: true, cancel: true,
			check: func(t *testing.T, d *decoded) {
				assert.Equal(t, stashpay.PaymentEnvironmentProduction, d.register.Environment)
				assert.Equal(t, stashpay.PaymentEnvironmentProduction, d.confirm.Environment)
				assert.Equal(t, stashpay.PaymentEnvironmentProduction, d.cancel.Environment)
			},
		},
		{
			name: "decimal places", body: `{"decimal_places":3}`, register: true, confirm: true, cancel: true,
			check: func(t *testing.T, d *decoded) {
				assert.Equal(t, 3, d.register.DecimalPlaces)
				assert.Equal(t, 3, d.confirm.DecimalPlaces)
				assert.Equal(t, 3, d.cancel.DecimalPlaces)
			},
		},
		{
			name: "platform", body: `{"platform":"PURCHASE_PLATFORM_ANDROID"}`, register: true, confirm: true,
			check: func(t *testing.T, d *decoded) {
				assert.Equal(t, stashpay.PurchasePlatformAndroid, d.register.Platform)
				assert.Equal(t, stashpay.PurchasePlatformAndroid, d.confirm.Platform)
			},
		},
		{
			name: "ip address", body: `{"ip_address":"192.0.2.1"}`, register: true, confirm: true,
			check: func(t *testing.T, d *decoded) {
				assert.Equal(t, "192.0.2.1", d.register.IPAddress)
				assert.Equal(t, "192.0.2.1", d.confirm.IPAddress)
			},
		},
		{
			name: "loyalty", body: `{"loyalty":{"campaign_id":"c-1"}}`, register: true, confirm: true,
			check: func(t *testing.T, d *decoded) {
				require.NotNil(t, d.register.Loyalty)
				assert.Equal(t, "c-1", d.register.Loyalty.CampaignID)
				require.NotNil(t, d.confirm.Loyalty)
				assert.Equal(t, "c-1", d.confirm.Loyalty.CampaignID)
			},
		},
		{
			name: "user email", body: `{"user_email":"p@example.com"}`, confirm: true,
			check: func(t *testing.T, d *decoded) {
				assert.Equal(t, "p@example.com", d.confirm.UserEmail)
			},
		},
		{
			name: "payment method type", body: `{"payment_method_type":4}`, confirm: true,
			check: func(t *testing.T, d *decoded) {
				assert.Equal(t, stashpay.PaymentMethodTypePayPal, d.confirm.PaymentMethodType)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var d decoded
			targets := []struct {
				name string
				dst  json.Unmarshaler
			}{
				{"register", &d.register},
				{"confirm", &d.confirm},
				{"cancel", &d.cancel},
			}
			// The body's only member, given twice.
			member := tc.body[1 : len(tc.body)-1]
			twice := []byte("{" + member + "," + member + "}")
			for _, tg := range targets {
				require.NoError(t, tg.dst.UnmarshalJSON([]byte(tc.body)), tg.name)
				assert.NoError(t, tg.dst.UnmarshalJSON(twice), "%s: the last value is kept", tg.name)
			}
			for _, tg := range targets {
				require.NoError(t, tg.dst.UnmarshalJSON([]byte(tc.body)), tg.name)
			}
			tc.check(t, &d)
			if !tc.register {
				assert.Equal(t, stashpay.RegisterPaymentRequest{DecimalPlaces: stashpay.NoDecimalPlaces}, d.register)
			}
			if !tc.cancel {
				assert.Equal(t, stashpay.CancelPaymentRequest{DecimalPlaces: stashpay.NoDecimalPlaces}, d.cancel)
			}
		})
	}
}

func TestRegisterAndCancelRequestsDecode(t *testing.T) {
	t.Parallel()
	var reg stashpay.RegisterPaymentRequest
	require.NoError(t, json.Unmarshal(egressTestdata(t, "egress_register.json"), &reg))
	assert.Equal(t, stashpay.RegisterPaymentRequest{
		PlayerID: "player-42", TransactionID: "tx-7f3a9c",
		CheckoutLinkID: "0b7c6d2e-8f41-4f5a-9c3e-2d1b0a9f8e7d", ShopID: "7c1e3f5a-2b4d-4e6f-8a9b-0c1d2e3f4a5b",
		Environment: stashpay.PaymentEnvironmentProduction, Currency: "JPY", DecimalPlaces: 0,
		Registrations: []stashpay.PurchaseItem{
			{GUID: "5d6a3c1e-9b8f-4e2d-a1c0-7f6e5d4c3b2a", ProductID: "gems_500", Cents: 1200, Quantity: 1, Metadata: map[string]string{}},
			{GUID: "6e7b4d2f-0c9a-4f3e-b2d1-8a7f6e5d4c3b", ProductID: "sword", Cents: 300, Quantity: 2},
		},
		Platform: stashpay.PurchasePlatformWebstore, Browser: "Chrome/120.0", DeviceID: "device-1",
		Source: stashpay.PurchaseSourceCart, IPAddress: "203.0.113.7", Region: "JP",
	}, reg)
	require.NoError(t, reg.Validate())
	amt, err := reg.Registrations[0].UnitAmount(reg.DecimalPlaces)
	require.NoError(t, err)
	assert.Equal(t, stashpay.Amount("1200"), amt)

	var cancel stashpay.CancelPaymentRequest
	require.NoError(t, json.Unmarshal(egressTestdata(t, "egress_cancel.json"), &cancel))
	assert.Equal(t, stashpay.CancelPaymentRequest{
		PlayerID: "player-42", TransactionID: "tx-7f3a9c",
		CheckoutLinkID: "0b7c6d2e-8f41-4f5a-9c3e-2d1b0a9f8e7d", ShopID: "7c1e3f5a-2b4d-4e6f-8a9b-0c1d2e3f4a5b",
		Environment: stashpay.PaymentEnvironmentTest, Currency: "USD", DecimalPlaces: 2,
		Items: []stashpay.PurchaseItem{{GUID: "5d6a3c1e-9b8f-4e2d-a1c0-7f6e5d4c3b2a", ProductID: "gems_500", Quantity: 1, Cents: 999}},
	}, cancel)
	require.NoError(t, cancel.Validate())

	for name, v := range map[string]any{"register": reg, "cancel": cancel} {
		b, err := json.Marshal(v)
		require.NoError(t, err, name)
		switch v.(type) {
		case stashpay.RegisterPaymentRequest:
			var again stashpay.RegisterPaymentRequest
			require.NoError(t, json.Unmarshal(b, &again))
			reg.Registrations[0].Metadata = nil // {} is omitted when written
			assert.Equal(t, reg, again)
		case stashpay.CancelPaymentRequest:
			var again stashpay.CancelPaymentRequest
			require.NoError(t, json.Unmarshal(b, &again))
			assert.Equal(t, cancel, again)
		}
	}
}

func TestResponsesDecodeTolerantly(t *testing.T) {
	t.Parallel()
	var c stashpay.ConfirmPaymentResponse
	require.NoError(t, json.Unmarshal([]byte(`{"results":[{"guid":"g","product_id":"p"}],"extra":1}`), &c))
	assert.Equal(t, []stashpay.ConfirmPaymentResult{{GUID: "g", ProductID: "p"}}, c.Results)

	var r stashpay.RegisterPaymentResponse
	require.NoError(t, json.Unmarshal([]byte(`{"statuses":[{"productId":"p","status":3,"message":"m"}]}`), &r))
	assert.Equal(t, []stashpay.OfferStatus{{ProductID: "p", Status: stashpay.PurchaseRegistrationStatusFailedInsufficientInventory, Message: "m"}}, r.Statuses)

	var x stashpay.CancelPaymentResponse
	require.NoError(t, json.Unmarshal([]byte(`{"status":"PURCHASE_CANCELLATION_STATUS_FAILED_ALREADY_CANCELLED"}`), &x))
	assert.Equal(t, stashpay.PurchaseCancellationStatusFailedAlreadyCancelled, x.Status)
	require.NoError(t, json.Unmarshal([]byte(`{"status":2}`), &x))
	assert.Equal(t, stashpay.PurchaseCancellationStatusFailedTransactionNotFound, x.Status)
}

// A shop that still receives only the legacy header gets 401 by default; the
// answer and the log record say that a legacy header was received and which
// setting accepts it, so that the cause is found without guessing.
func TestEgressLegacyOnlyNamesTheSetting(t *testing.T) {
	t.Parallel()
	for _, ep := range egressEndpoints() {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel()
			cfg := egressConfig()
			var log egressLog
			cfg.Logger = log.logger()
			var calls atomic.Int64
			h := ep.make(cfg, &calls)
			req := egressRequest(t, ep.path, egressTestdata(t, ep.body),
				stashpaytest.EgressWithoutV1Signature(), stashpaytest.EgressLegacySignature())
			rec := egressServe(h, req)
			require.Equal(t, http.StatusUnauthorized, rec.Code)
			assert.Zero(t, calls.Load())
			msg := egressErrorBody(t, rec).Message
			for _, s := range []string{msg, log.String()} {
				assert.Contains(t, s, "legacy stash-hmac-signature header")
				assert.Contains(t, s, "EgressConfig.AllowLegacySignature")
			}
		})
	}
}

// Stash always sends decimalPlaces (swagger.v1.json marks it required); a
// call without it is refused with the field named, never read as 0 decimal
// places (which would turn 4.99 into 499 units).
func TestEgressMissingDecimalPlacesIsRefused(t *testing.T) {
	t.Parallel()
	for _, ep := range egressEndpoints() {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel()
			var doc map[string]any
			require.NoError(t, json.Unmarshal(egressTestdata(t, ep.body), &doc))
			require.Contains(t, doc, "decimalPlaces")
			delete(doc, "decimalPlaces")
			body, err := json.Marshal(doc)
			require.NoError(t, err)
			var calls atomic.Int64
			rec := egressServe(ep.make(egressConfig(), &calls), egressRequest(t, ep.path, body))
			require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
			assert.Zero(t, calls.Load())
			assert.Contains(t, egressErrorBody(t, rec).Message, "decimalPlaces")
		})
	}
}

// The client and the egress handlers apply one shop ID rule: a shop ID one
// of them refuses, the other refuses too (a no-break space was accepted by
// NewClient and refused by EgressConfig; found by review).
func TestShopIDRuleIsTheClientsAndTheHandlers(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"shop\u00a0x", "shop\u2028x", "shop\u0085x", "shop;x", "shop x", "shop\x7fx", ".", "..", "7c1e3f5a-2b4d-4e6f-8a9b-0c1d2e3f4a5b"} {
		_, clientErr := stashpay.NewClient(stashpay.Credentials{ShopID: id, IngressKey: "ingress-key-0123"})
		egressErr := stashpay.EgressConfig{ShopID: id, EgressKey: egressTestKey}.Validate()
		assert.Equal(t, clientErr == nil, egressErr == nil, "%q: client %v, egress %v", id, clientErr, egressErr)
	}
}
