package stashpaytest_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stashpay/stashpay-go/internal/signing"
	"github.com/stashpay/stashpay-go/stashpaytest"
)

// BenchmarkFakeCheckout measures one signed generate_quick_pay_url call
// through the fake (auth, validation, state) over loopback. Compare with
// BenchmarkBaselineBareHandler, the same request to a handler that only
// reads the body and answers a fixed JSON.
func BenchmarkFakeCheckout(b *testing.B) {
	s := stashpaytest.NewServer()
	defer s.Close()
	key, _ := signing.NewKey([]byte(s.IngressKey()))
	benchPost(b, s.URL()+"/sdk/server/checkout_links/generate_quick_pay_url", func(r *http.Request, body []byte) {
		r.Header.Set("X-Stash-Hmac-Signature", key.SignV1(s.ShopID(), time.Now(), body))
	})
}

// BenchmarkBaselineBareHandler is the baseline of BenchmarkFakeCheckout.
func BenchmarkBaselineBareHandler(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"url":"http://x/pay/1","id":"1","regionCode":"US"}`)
	}))
	defer srv.Close()
	key, _ := signing.NewKey([]byte("k"))
	benchPost(b, srv.URL, func(r *http.Request, body []byte) {
		r.Header.Set("X-Stash-Hmac-Signature", key.SignV1("shop", time.Now(), body))
	})
}

func benchPost(b *testing.B, url string, sign func(*http.Request, []byte)) {
	body := []byte(gemsCheckout)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	b.ReportAllocs()
	for b.Loop() {
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		sign(req, body)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
