package signing_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stashpay/stashpay-go/internal/signing"
)

func FuzzParseV1(f *testing.F) {
	f.Add("v1;shop;1700000000000;abc=")
	f.Add("v1;;;")
	f.Add("v2;a;1;b")
	f.Add("")
	f.Add("v1;shop;99999999999999999999;x")
	f.Fuzz(func(t *testing.T, header string) {
		h, err := signing.ParseV1(header)
		if err != nil {
			return
		}
		if h.ShopID == "" || h.Signature == "" || h.Millis <= 0 {
			t.Fatalf("accepted incomplete header %q: %+v", header, h)
		}
	})
}

func FuzzVerifyV1(f *testing.F) {
	f.Add([]byte(`{"a":1}`), "shop", int64(1_700_000_000_000))
	f.Add([]byte{}, "", int64(1))
	f.Fuzz(func(t *testing.T, body []byte, shop string, ms int64) {
		k, err := signing.NewKey([]byte("fuzz-key"))
		if err != nil {
			t.Fatal(err)
		}
		now := time.UnixMilli(ms)
		h := k.SignV1(shop, now, body)
		_, verr := k.VerifyV1(h, body, shop, now, 0)
		parsed, perr := signing.ParseV1(h)
		if perr == nil && parsed.ShopID == shop && verr != nil {
			t.Fatalf("own signature rejected: %v", verr)
		}
		if verr == nil {
			// Any change of the body must be rejected.
			mutated := append(append([]byte(nil), body...), 'x')
			if _, err := k.VerifyV1(h, mutated, shop, now, 0); err == nil {
				t.Fatal("mutated body accepted")
			}
		}
	})
}

func FuzzVerifyBody(f *testing.F) {
	f.Add([]byte(`{"type":"PURCHASE_SUCCEEDED"}`), "myp5FsYU7FpC1R6Dk4MUMOdB+boKgeIrffqFBaim0Wo=")
	f.Add([]byte{}, "")
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		k, err := signing.NewKey([]byte("fuzz-key"))
		if err != nil {
			t.Fatal(err)
		}
		_ = k.VerifyBody(body, sig) // must not panic
		good := k.SignBody(body)
		if err := k.VerifyBody(body, good); err != nil {
			t.Fatalf("own signature rejected: %v", err)
		}
		if sig != good && k.VerifyBody(body, sig) == nil {
			// Only surrounding whitespace around the one canonical
			// spelling may pass.
			if strings.TrimSpace(sig) != good {
				t.Fatalf("signature %q accepted, want only %q", sig, good)
			}
		}
	})
}
