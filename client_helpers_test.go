package stashpay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/internal/signing"
	"github.com/stashpay/stashpay-go/stashpaytest"
)

// Test credentials. The keys are distinctive so that a leak is easy to spot.
const (
	testShopID     = "shop-7f3a9c"
	testIngressKey = "ik_S3CR3T-ingress-KEY_0123456789abcdef"
	testAPIKey     = "ak_S3CR3T-legacy-APIKEY_fedcba9876543210"
)

func v1Creds() stashpay.Credentials {
	return stashpay.Credentials{ShopID: testShopID, IngressKey: testIngressKey}
}

// seenRequest is one request as the fake server received it.
type seenRequest struct {
	Method      string
	Host        string
	EscapedPath string
	Header      http.Header
	Body        []byte
	Received    time.Time
}

// fakeStash answers the client through an httpmock MockTransport: it records
// every request and answers with the next responder of its script (the last
// one repeats).
type fakeStash struct {
	mt     *httpmock.MockTransport // every request of the client goes through it
	mu     sync.Mutex
	reqs   []seenRequest
	script []httpmock.Responder
}

func (f *fakeStash) respond(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		_ = req.Body.Close()
	}
	f.mu.Lock()
	n := len(f.reqs)
	f.reqs = append(f.reqs, seenRequest{
		Method: req.Method, Host: req.URL.Host, EscapedPath: req.URL.EscapedPath(),
		Header: req.Header.Clone(), Body: body, Received: time.Now(),
	})
	r := f.script[min(n, len(f.script)-1)]
	f.mu.Unlock()
	req.Body = io.NopCloser(bytes.NewReader(body))
	return r(req)
}

func (f *fakeStash) requests() []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seenRequest(nil), f.reqs...)
}

// newFake returns a client whose every request goes to a fake Stash playing
// script, with the sleep between retries replaced by a recorder.
func newFake(t *testing.T, creds stashpay.Credentials, script []httpmock.Responder, opts ...stashpay.Option) (*stashpay.Client, *fakeStash, *sleepRecorder) {
	t.Helper()
	require.NotEmpty(t, script)
	mt := httpmock.NewMockTransport()
	f := &fakeStash{mt: mt, script: script}
	mt.RegisterNoResponder(f.respond)
	sr := &sleepRecorder{}
	all := append([]stashpay.Option{
		stashpay.WithHTTPClient(&http.Client{Transport: mt}),
		stashpay.WithSleepForTest(sr.sleep),
	}, opts...)
	c, err := stashpay.NewClient(creds, all...)
	require.NoError(t, err)
	return c, f, sr
}

func jsonResponder(status int, body string, header ...string) httpmock.Responder {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return httpmock.NewStringResponder(status, body).HeaderSet(h)
}

// sleepRecorder replaces the client's wait between attempts: it records the
// wait and returns at once (or the context's error).
type sleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepRecorder) recorded() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// verifyV1 checks a request's v1 signature as Stash would, with the shop ID
// and ingress key, over exactly the bytes received.
func verifyV1(t *testing.T, r seenRequest) signing.V1Header {
	t.Helper()
	key, err := signing.NewKey([]byte(testIngressKey))
	require.NoError(t, err)
	h, err := key.VerifyV1(r.Header.Get("x-stash-hmac-signature"), r.Body, testShopID, time.Now(), signing.DefaultTolerance)
	require.NoError(t, err, "the server side must accept the signature")
	return h
}

const checkoutOK = `{"url":"https://pay.stash.gg/pay/4b1f","id":"4b1f0c2e-9a57-4e0b-9f7e-2f1c7c5d1a10","regionCode":"US"}`

func minimalCheckout() *stashpay.CheckoutParams {
	return &stashpay.CheckoutParams{
		Item: &stashpay.CheckoutItem{ID: "gems_100", PricePerItem: "1.99", Quantity: 1, Name: "100 gems"},
		User: stashpay.CheckoutUser{ID: "player-42"},
	}
}

func mustKey(t *testing.T, secret string) *signing.Key {
	t.Helper()
	k, err := signing.NewKey([]byte(secret))
	require.NoError(t, err)
	return k
}

// fullPayload reads testdata/full/name.json: a document of one of Stash's
// operations with every field of its OpenAPI schema set to a distinct value
// (testdata/full/generate.py).
func fullPayload(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "full", name+".json"))
	require.NoError(t, err)
	return b
}

// assertHeld asserts that v holds every value of doc: encoded back, v is
// the same JSON document, so a field the SDK does not model (or drops)
// fails.
func assertHeld(t *testing.T, doc []byte, v any) {
	t.Helper()
	got, err := json.Marshal(v)
	require.NoError(t, err)
	assert.JSONEq(t, string(doc), string(got))
}

// apiFake starts the fake Stash and a v1 client for it.
func apiFake(t *testing.T) (*stashpay.Client, *stashpaytest.Server) {
	t.Helper()
	srv := stashpaytest.Start(t)
	c, err := stashpay.NewClient(stashpay.Credentials{ShopID: srv.ShopID(), IngressKey: srv.IngressKey()},
		stashpay.WithBaseURL(srv.URL()))
	require.NoError(t, err)
	return c, srv
}
