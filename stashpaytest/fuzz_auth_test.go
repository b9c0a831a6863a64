package stashpaytest

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stashpay/stashpay-go/internal/signing"
)

// FuzzIngressAuth feeds arbitrary authentication headers and bodies to the
// fake's ingress authentication. It must never panic; every refusal is a 401
// UNAUTHENTICATED whose message holds no key; the first header present
// decides alone (v1, then the legacy body signature, then the API key); and
// nothing is accepted that Stash would refuse: a v1 header only with this
// shop and a timestamp within 5 minutes, a legacy signature only when it is
// the HMAC of the signed body (empty for GET), an API key only when equal to
// the configured one. A correctly made v1 signature is always accepted.
func FuzzIngressAuth(f *testing.F) {
	const shop, ingressKey, apiKey = "shop-1", "fuzz-ingress-key", "fuzz-api-key"
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	key, err := signing.NewKey([]byte(ingressKey))
	if err != nil {
		f.Fatal(err)
	}
	good := key.SignV1(shop, now, []byte(`{"a":1}`))
	f.Add(false, true, "", "", "", []byte(`{"a":1}`))
	f.Add(true, true, "", "", "", []byte(`ignored`))
	f.Add(false, false, good, "", "", []byte(`{"a":1}`))
	f.Add(false, false, good, "", "", []byte(`{"a":2}`))
	f.Add(false, false, "v1;shop-1;1772366400000;AAAA", "", apiKey, []byte(`{}`))
	f.Add(false, false, "v2;shop-1;1772366400000;AAAA", "", "", []byte(`{}`))
	f.Add(false, false, "", key.SignBody([]byte(`{}`)), "", []byte(`{}`))
	f.Add(true, false, "", key.SignBody(nil), "", []byte(nil))
	f.Add(false, false, "", "bm9wZQ==", apiKey, []byte(`{}`))
	f.Add(false, false, "", "", apiKey, []byte(`{}`))
	f.Add(false, false, "", "", "wrong", []byte(`{}`))
	f.Add(false, false, ";;;", "", "", []byte(nil))
	s := NewServer(WithShopID(shop), WithIngressKey(ingressKey), WithAPIKey(apiKey), WithClock(func() time.Time { return now }))
	f.Cleanup(s.Close)
	f.Fuzz(func(t *testing.T, get, signV1 bool, v1, legacy, k string, body []byte) {
		method, signed := http.MethodPost, body
		if get {
			method, signed = http.MethodGet, nil
		}
		r := httptest.NewRequest(method, "/sdk/server/payment/x", bytes.NewReader(body))
		if signV1 {
			v1 = key.SignV1(shop, now, signed)
		}
		for name, v := range map[string]string{V1SignatureHeader: v1, LegacyHMACSignatureHeader: legacy, APIKeyHeader: k} {
			if v != "" {
				r.Header[http.CanonicalHeaderKey(name)] = []string{v}
			}
		}
		rerr := s.authenticate(r, body)
		if signV1 && rerr != nil {
			t.Fatalf("a correct v1 signature was refused: %s", rerr.message)
		}
		if rerr != nil {
			if rerr.status != http.StatusUnauthorized || rerr.code != codeUnauthenticated || rerr.message == "" {
				t.Fatalf("refusal %d/%d %q", rerr.status, rerr.code, rerr.message)
			}
			for _, secret := range []string{ingressKey, apiKey} {
				if strings.Contains(rerr.message, secret) {
					t.Fatal("a refusal names a key")
				}
			}
			return
		}
		switch {
		case v1 != "":
			h, err := signing.ParseV1(v1)
			if err != nil || h.ShopID != shop {
				t.Fatalf("accepted v1 header %q", v1)
			}
			if d := h.Time().Sub(now).Abs(); d > 5*time.Minute {
				t.Fatalf("accepted a timestamp %s away", d)
			}
		case legacy != "":
			// Accepted means the same MAC bytes, padded or not.
			got, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(strings.TrimSpace(legacy), "="))
			want, _ := base64.StdEncoding.DecodeString(key.SignBody(signed))
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("accepted legacy signature %q", legacy)
			}
		case k != apiKey:
			t.Fatalf("accepted API key %q", k)
		}
	})
}
