package stashpay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stashpay/stashpay-go"
)

// benchServer answers every request like generate_quick_pay_url, without
// checking anything, so that the server's cost is the same for the SDK and
// for the baseline.
func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	resp := []byte(checkoutOK)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(resp)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func benchParams() *stashpay.CheckoutParams {
	p := minimalCheckout()
	p.TransactionID = "0b6f3a52-7d3c-4f5e-9a51-3c2e8f1d9b70"
	p.Currency = "USD"
	p.Item.ImageURL = "https://cdn.example/gems.png"
	return p
}

// BenchmarkCreateCheckout is the SDK's cost of one checkout: validation,
// JSON encoding, v1 signing, the request, the response decoding.
func BenchmarkCreateCheckout(b *testing.B) {
	srv := benchServer(b)
	c, err := stashpay.NewClient(v1Creds(), stashpay.WithBaseURL(srv.URL), stashpay.WithHTTPClient(srv.Client()))
	if err != nil {
		b.Fatal(err)
	}
	p := benchParams()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.CreateCheckout(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateCheckoutGeneratedID adds the generation of a UUID
// transaction ID.
func BenchmarkCreateCheckoutGeneratedID(b *testing.B) {
	srv := benchServer(b)
	c, err := stashpay.NewClient(v1Creds(), stashpay.WithBaseURL(srv.URL), stashpay.WithHTTPClient(srv.Client()))
	if err != nil {
		b.Fatal(err)
	}
	p := benchParams()
	p.TransactionID = ""
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.CreateCheckout(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselinePost is a bare net/http POST of the same body to the same
// server through the same transport: the floor BenchmarkCreateCheckout is
// compared with.
func BenchmarkBaselinePost(b *testing.B) {
	srv := benchServer(b)
	hc := srv.Client()
	body, err := json.Marshal(benchParams())
	if err != nil {
		b.Fatal(err)
	}
	url := srv.URL + "/sdk/server/checkout_links/generate_quick_pay_url"
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatal(resp.Status)
		}
	}
}

// cannedTransport answers every request with the same checkout response,
// without any network or server, so that the allocations counted are the
// client side's alone.
type cannedTransport struct{ body []byte }

func (t cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(t.body)),
		ContentLength: int64(len(t.body)),
		Request:       r,
	}, nil
}

// BenchmarkCreateCheckoutNoNetwork measures the SDK's own work and
// allocations per checkout (validation, encoding, signing, decoding) over
// a transport that answers at once. Compare with
// BenchmarkBaselinePostNoNetwork, the same bare POST through the same
// transport.
func BenchmarkCreateCheckoutNoNetwork(b *testing.B) {
	hc := &http.Client{Transport: cannedTransport{body: []byte(checkoutOK)}}
	c, err := stashpay.NewClient(v1Creds(), stashpay.WithBaseURL("https://stash.invalid"), stashpay.WithHTTPClient(hc))
	if err != nil {
		b.Fatal(err)
	}
	p := benchParams()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.CreateCheckout(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselinePostNoNetwork is the bare net/http POST through the
// canned transport.
func BenchmarkBaselinePostNoNetwork(b *testing.B) {
	hc := &http.Client{Transport: cannedTransport{body: []byte(checkoutOK)}}
	body, err := json.Marshal(benchParams())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://stash.invalid/sdk/server/checkout_links/generate_quick_pay_url", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
}
