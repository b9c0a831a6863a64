package stashpay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/internal/signing"
)

// egressFuzzSeeds adds the egress testdata files and some edge cases.
func egressFuzzSeeds(f *testing.F) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "egress_*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{}`, `null`, `[]`, `{"items":[null]}`, `{"timeMillis":"-62135596800000"}`,
		`{"platform":"7","source":-3,"environment":"PAYMENT_ENVIRONMENT_X"}`,
		`{"registrations":[{"metadata":{"a":1.5e3}}]}`, `{"playerId":1e5}`,
	} {
		f.Add([]byte(s))
	}
}

// egressRoundTrip checks that decoding what was encoded gives back the same
// encoding: the writer and the tolerant reader agree.
func egressRoundTrip[T any, P interface {
	*T
	json.Unmarshaler
	Validate() error
}](t *testing.T, data []byte) {
	var v T
	if err := json.Unmarshal(data, P(&v)); err != nil {
		var se *json.SyntaxError
		if !errors.As(err, &se) && !errors.Is(err, stashpay.ErrMalformedEgressJSON) {
			t.Fatalf("decode error of an unexpected kind: %v", err)
		}
		return
	}
	_ = P(&v).Validate()
	enc1, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	var w T
	if err := json.Unmarshal(enc1, P(&w)); err != nil {
		t.Fatalf("decode of own encoding %s: %v", enc1, err)
	}
	enc2, err := json.Marshal(w)
	if err != nil {
		t.Fatalf("encode again: %v", err)
	}
	if !bytes.Equal(enc1, enc2) {
		t.Fatalf("round trip differs:\n%s\n%s", enc1, enc2)
	}
}

func FuzzConfirmPaymentRequest(f *testing.F) {
	egressFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		egressRoundTrip[stashpay.ConfirmPaymentRequest](t, data)
		var r stashpay.ConfirmPaymentRequest
		if json.Unmarshal(data, &r) != nil {
			return
		}
		_, _ = r.TotalAmount()
		_, _ = r.TaxAmount()
		// Differential check against encoding/json: a member spelled once,
		// in any letter case of its lowerCamelCase name or exactly in
		// snake_case (written without escapes), reads the same.
		var m map[string]any
		if json.Unmarshal(data, &m) != nil {
			return
		}
		one := func(camel, snake string) (any, bool) {
			var v any
			n := 0
			for k, x := range m {
				if strings.EqualFold(k, camel) || k == snake && bytes.Contains(data, []byte(`"`+snake+`"`)) {
					v, n = x, n+1
				}
			}
			return v, n == 1
		}
		if v, ok := one("playerId", "player_id"); ok {
			if s, isStr := v.(string); isStr && s != r.PlayerID {
				t.Fatalf("playerId %q, encoding/json reads %q", r.PlayerID, s)
			}
		}
		if v, ok := one("items", "items"); ok {
			if a, isArr := v.([]any); isArr && len(a) != len(r.Items) {
				t.Fatalf("%d items, encoding/json reads %d", len(r.Items), len(a))
			}
		}
	})
}

func FuzzRegisterPaymentRequest(f *testing.F) {
	egressFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		egressRoundTrip[stashpay.RegisterPaymentRequest](t, data)
	})
}

func FuzzCancelPaymentRequest(f *testing.F) {
	egressFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		egressRoundTrip[stashpay.CancelPaymentRequest](t, data)
	})
}

// FuzzConfirmPaymentHandler sends any body, correctly signed, through a new
// handler: the answer is 200 or 400, never a crash or a 5xx.
func FuzzConfirmPaymentHandler(f *testing.F) {
	egressFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		h := stashpay.ConfirmPaymentHandler(egressConfig(), func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			return nil, nil
		})
		rec := egressServe(h, egressRequest(t, stashpay.ConfirmPaymentPath, data))
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
			t.Fatalf("status %d for %q: %s", rec.Code, data, rec.Body.String())
		}
		if rec.Code == http.StatusOK {
			var resp stashpay.ConfirmPaymentResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || len(resp.Results) == 0 {
				t.Fatalf("200 without results: %s", rec.Body.String())
			}
		}
	})
}

// FuzzEgressV1Header fuzzes the v1 header parser the egress handlers rely
// on: it never panics, and what it accepts it can rebuild exactly.
func FuzzEgressV1Header(f *testing.F) {
	key, err := signing.NewKey([]byte(egressTestKey))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		key.SignV1(egressTestShop, time.UnixMilli(1753993257000), []byte(`{}`)),
		"v1;shop;1;sig", "v1;;1;sig", "v1;shop;-1;sig", "v1;shop;+1;sig", "v2;shop;1;sig",
		"v1;shop;1;a;b", "v1;shop;99999999999999999999;sig", " v1;shop;1;sig \t", "", ";;;",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		h, err := signing.ParseV1(header)
		if err != nil {
			if h != (signing.V1Header{}) {
				t.Fatalf("fields returned with an error: %+v", h)
			}
			return
		}
		if h.ShopID == "" || h.Millis <= 0 || h.Signature == "" || strings.Contains(h.Signature, ";") || strings.Contains(h.ShopID, ";") {
			t.Fatalf("accepted a bad header %q as %+v", header, h)
		}
		again, err := signing.ParseV1("v1;" + h.ShopID + ";" + strconv.FormatInt(h.Millis, 10) + ";" + h.Signature)
		if err != nil || again != h {
			t.Fatalf("rebuilt header parses differently: %+v vs %+v (%v)", again, h, err)
		}
		// The handler's verification of any parsed header against this key
		// never panics; it fails for a signature the key did not make.
		_, _ = key.VerifyV1(header, []byte("body"), h.ShopID, h.Time(), 0)
	})
}

// FuzzEgressSignVerify checks that whatever the shop, time and body, a
// signature made by the client helper's signer verifies, and fails once the
// body changes.
func FuzzEgressSignVerify(f *testing.F) {
	f.Add("7c1e3f5a-2b4d-4e6f-8a9b-0c1d2e3f4a5b", int64(1753993257000), []byte(`{"playerId":"p"}`))
	f.Add("s", int64(1), []byte{})
	key, err := signing.NewKey([]byte(egressTestKey))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, shop string, ms int64, body []byte) {
		if shop == "" || strings.Contains(shop, ";") || ms <= 0 {
			return
		}
		at := time.UnixMilli(ms)
		hdr := key.SignV1(shop, at, body)
		if _, err := key.VerifyV1(hdr, body, shop, at, 0); err != nil {
			t.Fatalf("own signature rejected: %v", err)
		}
		tampered := append(bytes.Clone(body), 'x')
		if _, err := key.VerifyV1(hdr, tampered, shop, at, 0); !errors.Is(err, signing.ErrInvalidSignature) {
			t.Fatalf("tampered body: %v", err)
		}
	})
}
