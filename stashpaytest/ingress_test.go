package stashpaytest_test

import (
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/internal/signing"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stashpay/stashpay-go/webhook"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHeaderNames pins each header constant to its scheme and to the SDK's
// constant for the same header, so a fake and the SDK cannot drift apart.
func TestHeaderNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		got, sdk string
		want     string
	}{
		{"v1", stashpaytest.V1SignatureHeader, stashpay.EgressSignatureHeader, "X-Stash-Hmac-Signature"},
		{"legacy hmac", stashpaytest.LegacyHMACSignatureHeader, stashpay.EgressLegacySignatureHeader, "Stash-Hmac-Signature"},
		{"webhook", stashpaytest.WebhookSignatureHeader, webhook.SignatureHeader, "Stash-Hmac-Signature"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, tc.got)
			assert.Equal(t, tc.sdk, tc.got)
		})
	}
}

func TestIngressAuth(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	const shop, key = "shop-a", "ingress-secret"
	tests := []struct {
		name     string
		apiKey   string // legacy key configured on the fake
		method   string
		auth     auth
		wantCode int
		wantMsg  string
	}{
		{"v1 POST", "", http.MethodPost, v1(key, shop, now, false), 200, ""},
		{"v1 GET signs empty body", "", http.MethodGet, v1(key, shop, now, true), 200, ""},
		{"v1 timestamp 4m59s old", "", http.MethodPost, v1(key, shop, now.Add(-4*time.Minute-59*time.Second), false), 200, ""},
		{"v1 timestamp 4m59s ahead", "", http.MethodPost, v1(key, shop, now.Add(4*time.Minute+59*time.Second), false), 200, ""},
		{"v1 timestamp exactly 5m old", "", http.MethodPost, v1(key, shop, now.Add(-5*time.Minute), false), 200, ""},
		{"v1 timestamp exactly 5m ahead", "", http.MethodPost, v1(key, shop, now.Add(5*time.Minute), false), 200, ""},
		{"v1 timestamp 5m+1ms old", "", http.MethodPost, v1(key, shop, now.Add(-5*time.Minute-time.Millisecond), false), 401, "5 minutes"},
		{"v1 timestamp 5m+1ms ahead", "", http.MethodPost, v1(key, shop, now.Add(5*time.Minute+time.Millisecond), false), 401, "5 minutes"},
		{"v1 timestamp 5m01s old", "", http.MethodPost, v1(key, shop, now.Add(-5*time.Minute-time.Second), false), 401, "5 minutes"},
		{"v1 timestamp 5m01s ahead", "", http.MethodPost, v1(key, shop, now.Add(5*time.Minute+time.Second), false), 401, "5 minutes"},
		{"v1 wrong shop", "", http.MethodPost, v1(key, "shop-b", now, false), 401, "shop ID"},
		{"v1 wrong key", "", http.MethodPost, v1("other-secret", shop, now, false), 401, "invalid signature"},
		{"v1 GET signed over a body", "", http.MethodGet, signGETWithBody(key, shop, now), 401, "invalid signature"},
		{"v1 POST signed over empty body", "", http.MethodPost, v1(key, shop, now, true), 401, "invalid signature"},
		{"v1 garbage signature", "", http.MethodPost, rawHeader("X-Stash-Hmac-Signature", "v1;shop-a;1772366400000;AAAA"), 401, "invalid signature"},
		{"malformed header", "", http.MethodPost, rawHeader("X-Stash-Hmac-Signature", "v1;shop-a"), 401, "malformed"},
		{"unsupported version", "", http.MethodPost, rawHeader("X-Stash-Hmac-Signature", "v2;shop-a;1772366400000;AAAA"), 401, "version"},
		{"no auth", "", http.MethodPost, nil, 401, "missing"},
		{"v1 signed with the key base64-decoded", "", http.MethodPost, v1Decoded(key, shop, now), 401, "invalid signature"},
		{"legacy hmac POST", "", http.MethodPost, legacyHMAC(key, false), 200, ""},
		{"legacy hmac GET signs empty body", "", http.MethodGet, legacyHMAC(key, true), 200, ""},
		{"legacy hmac GET signed over a body", "", http.MethodGet, legacyHMACOver(key, []byte("{}")), 401, "stash-hmac-signature"},
		{"legacy hmac wrong key", "", http.MethodPost, legacyHMAC("other-secret", false), 401, "stash-hmac-signature"},
		{"legacy hmac POST signed over empty body", "", http.MethodPost, legacyHMAC(key, true), 401, "stash-hmac-signature"},
		{"bad v1 wins over good legacy hmac", "", http.MethodPost, both(v1("nope", shop, now, false), legacyHMAC(key, false)), 401, "invalid signature"},
		{"good v1 wins over bad legacy hmac", "", http.MethodPost, both(v1(key, shop, now, false), legacyHMAC("nope", false)), 200, ""},
		{"bad legacy hmac wins over good api key", "legacy", http.MethodPost, both(legacyHMAC("nope", false), apiKey("legacy")), 401, "stash-hmac-signature"},
		{"api key while legacy auth is off", "", http.MethodPost, apiKey("legacy"), 401, "not supported"},
		{"api key", "legacy", http.MethodPost, apiKey("legacy"), 200, ""},
		{"api key GET", "legacy", http.MethodGet, apiKey("legacy"), 200, ""},
		{"wrong api key", "legacy", http.MethodPost, apiKey("legacy2"), 401, "invalid API key"},
		{"bad v1 wins over good api key", "legacy", http.MethodPost, both(v1("nope", shop, now, false), apiKey("legacy")), 401, "invalid signature"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := []stashpaytest.Option{
				stashpaytest.WithShopID(shop), stashpaytest.WithIngressKey(key),
				stashpaytest.WithClock(func() time.Time { return now }),
			}
			if tc.apiKey != "" {
				opts = append(opts, stashpaytest.WithAPIKey(tc.apiKey))
			}
			s := stashpaytest.Start(t, opts...)
			var id string
			if tc.method == http.MethodGet {
				// A checkout to look up, created with a valid signature.
				code, out := call(t, s, http.MethodPost, checkoutPath, []byte(gemsCheckout), v1(key, shop, now, false))
				require.Equal(t, 200, code, string(out))
				id = s.Checkouts()[0].ID
			}
			path, body := checkoutPath, []byte(gemsCheckout)
			if tc.method == http.MethodGet {
				path, body = paymentPath+id, nil
			}
			code, out := call(t, s, tc.method, path, body, tc.auth)
			require.Equal(t, tc.wantCode, code, string(out))
			calls := s.IngressCalls()
			last := calls[len(calls)-1]
			assert.Equal(t, tc.wantCode, last.StatusCode)
			if tc.wantCode == 200 {
				return
			}
			st := decodeStatus(t, out)
			assert.Equal(t, 16, st.Code, "UNAUTHENTICATED")
			assert.Contains(t, st.Message, tc.wantMsg)
			assert.NotContains(t, st.Message, key)
			assert.Equal(t, 16, last.Code)
			if tc.method == http.MethodPost {
				assert.Empty(t, s.Checkouts(), "a rejected request creates nothing")
			}
		})
	}
}

// legacyHMAC signs the body (or nothing, when signEmpty) with the
// deprecated body-only stash-hmac-signature.
func legacyHMAC(key string, signEmpty bool) auth {
	return func(t *testing.T, r *http.Request, body []byte) {
		if signEmpty {
			body = nil
		}
		legacyHMACOver(key, body)(t, r, nil)
	}
}

// legacyHMACOver signs signed, whatever the request's body is.
func legacyHMACOver(key string, signed []byte) auth {
	return func(t *testing.T, r *http.Request, _ []byte) {
		k, err := signing.NewKey([]byte(key))
		require.NoError(t, err)
		r.Header.Set("stash-hmac-signature", k.SignBody(signed))
	}
}

// v1Decoded signs with the key's base64url-decoded bytes: the fake, like
// Stash, keys the HMAC with the key string's raw UTF-8 bytes, so this fails.
func v1Decoded(key, shop string, at time.Time) auth {
	return func(t *testing.T, r *http.Request, body []byte) {
		raw, err := base64.RawURLEncoding.DecodeString(key)
		require.NoError(t, err)
		k, err := signing.NewKey(raw)
		require.NoError(t, err)
		r.Header.Set("x-stash-hmac-signature", k.SignV1(shop, at, body))
	}
}

func both(a, b auth) auth {
	return func(t *testing.T, r *http.Request, body []byte) { a(t, r, body); b(t, r, body) }
}

// signGETWithBody signs a GET over a non-empty body that is not sent.
func signGETWithBody(key, shop string, at time.Time) auth {
	return func(t *testing.T, r *http.Request, _ []byte) {
		v1(key, shop, at, false)(t, r, []byte("{}"))
	}
}

func TestIngressTamperedBody(t *testing.T) {
	t.Parallel()
	s := stashpaytest.Start(t)
	signed := []byte(gemsCheckout)
	tampered := []byte(`{"item":{"id":"gems_100","pricePerItem":"0.01","quantity":2},"user":{"id":"player-1"}}`)
	code, out := call(t, s, http.MethodPost, checkoutPath, tampered, func(t *testing.T, r *http.Request, _ []byte) {
		validV1(s)(t, r, signed)
	})
	require.Equal(t, http.StatusUnauthorized, code, string(out))
	assert.Empty(t, s.Checkouts())
}

func TestIngressRouting(t *testing.T) {
	t.Parallel()
	s := stashpaytest.Start(t)
	tests := []struct {
		name, method, path string
		wantStatus         int
		wantCode           int
	}{
		{"unknown path", http.MethodGet, "/sdk/server/nothing", 404, 5},
		{"GET on checkout", http.MethodGet, checkoutPath, 405, 12},
		{"POST on payment", http.MethodPost, paymentPath + "x", 405, 12},
		{"unknown payment", http.MethodGet, paymentPath + "no-such-id", 404, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out := call(t, s, tc.method, tc.path, nil, validV1(s))
			require.Equal(t, tc.wantStatus, code, string(out))
			assert.Equal(t, tc.wantCode, decodeStatus(t, out).Code)
		})
	}
}
