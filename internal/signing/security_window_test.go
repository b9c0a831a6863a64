package signing

import (
	"errors"
	"strconv"
	"testing"
	"time"
)

// The 5-minute window holds in both directions, and timestamps at the
// extremes of int64 neither overflow the skew computation nor pass.
func TestSecurityV1WindowAndOverflow(t *testing.T) {
	k, err := NewKey([]byte("egress-key"))
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"a":1}`)
	now := time.UnixMilli(1_750_000_000_000)
	for _, tc := range []struct {
		name string
		ts   int64
		want error
	}{
		{"now", now.UnixMilli(), nil},
		{"past edge", now.Add(-DefaultTolerance).UnixMilli(), nil},
		{"future edge", now.Add(DefaultTolerance).UnixMilli(), nil},
		{"past+1ms", now.Add(-DefaultTolerance).UnixMilli() - 1, ErrTimestampSkew},
		{"future+1ms", now.Add(DefaultTolerance).UnixMilli() + 1, ErrTimestampSkew},
		{"max int64", 1<<63 - 1, ErrTimestampSkew},
		{"one", 1, ErrTimestampSkew},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := k.SignV1("shop", time.UnixMilli(tc.ts), body)
			if want := "v1;shop;" + strconv.FormatInt(tc.ts, 10) + ";"; h[:len(want)] != want {
				t.Fatalf("header %q", h)
			}
			_, err := k.VerifyV1(h, body, "shop", now, 0)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	for _, h := range []string{
		"v1;shop;9223372036854775808;AAAA", // overflows int64
		"v1;shop;-1;AAAA",
		"v1;shop;+1750000000000;AAAA",
		"v1;shop;0;AAAA",
		"v1;shop;1e12;AAAA",
	} {
		if _, err := k.VerifyV1(h, body, "shop", now, 0); !errors.Is(err, ErrMalformedHeader) {
			t.Errorf("%q: err = %v, want ErrMalformedHeader", h, err)
		}
	}
	// Another shop's correctly signed header is refused.
	other := k.SignV1("other-shop", now, body)
	if _, err := k.VerifyV1(other, body, "shop", now, 0); !errors.Is(err, ErrShopMismatch) {
		t.Fatalf("other shop: err = %v", err)
	}
}
