package stashpaytest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stashpay/stashpay-go/internal/signing"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stretchr/testify/require"
)

const (
	checkoutPath = "/sdk/server/checkout_links/generate_quick_pay_url"
	paymentPath  = "/sdk/server/payment/"
)

// rpcStatus is the google.rpc.Status error body.
type rpcStatus struct {
	Code    int               `json:"code"`
	Message string            `json:"message"`
	Details []json.RawMessage `json:"details"`
}

// auth decorates a request with some authentication.
type auth func(t *testing.T, r *http.Request, body []byte)

// v1 signs with key for shop at time at (over body, or over nothing when
// signEmpty).
func v1(key, shop string, at time.Time, signEmpty bool) auth {
	return func(t *testing.T, r *http.Request, body []byte) {
		k, err := signing.NewKey([]byte(key))
		require.NoError(t, err)
		if signEmpty {
			body = nil
		}
		r.Header.Set("x-stash-hmac-signature", k.SignV1(shop, at, body))
	}
}

// validV1 signs as a correct client of s would.
func validV1(s *stashpaytest.Server) auth {
	return func(t *testing.T, r *http.Request, body []byte) {
		signed := body
		if r.Method == http.MethodGet {
			signed = nil
		}
		k, err := signing.NewKey([]byte(s.IngressKey()))
		require.NoError(t, err)
		r.Header.Set("x-stash-hmac-signature", k.SignV1(s.ShopID(), s.Now(), signed))
	}
}

func apiKey(k string) auth {
	return func(_ *testing.T, r *http.Request, _ []byte) { r.Header.Set("X-Stash-Api-Key", k) }
}

func rawHeader(name, value string) auth {
	return func(_ *testing.T, r *http.Request, _ []byte) { r.Header.Set(name, value) }
}

// call makes one API request to s and returns the status and body.
func call(t *testing.T, s *stashpaytest.Server, method, path string, body []byte, a auth) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, s.URL()+path, bytes.NewReader(body))
	require.NoError(t, err)
	if a != nil {
		a(t, req, body)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, out
}

// createCheckout creates a checkout through the API and returns its ID.
func createCheckout(t *testing.T, s *stashpaytest.Server, body string) string {
	t.Helper()
	code, out := call(t, s, http.MethodPost, checkoutPath, []byte(body), validV1(s))
	require.Equal(t, http.StatusOK, code, string(out))
	var resp struct{ ID, URL, RegionCode string }
	require.NoError(t, json.Unmarshal(out, &resp))
	require.NotEmpty(t, resp.ID)
	return resp.ID
}

const gemsCheckout = `{"item":{"id":"gems_100","pricePerItem":"1.99","quantity":2,"name":"100 Gems"},"user":{"id":"player-1"}}`

func decodeStatus(t *testing.T, body []byte) rpcStatus {
	t.Helper()
	var st rpcStatus
	require.NoError(t, json.Unmarshal(body, &st), string(body))
	require.NotNil(t, st.Details, "details must be present as an array")
	return st
}

// received is one request a fake game endpoint received.
type received struct {
	Path    string
	Header  http.Header
	Body    []byte
	Arrival int
}

// recorder is a fake game endpoint answering from a script.
type recorder struct {
	mu     sync.Mutex
	reqs   []received
	answer func(n int, r *http.Request, body []byte) (int, string)
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	n := len(rc.reqs)
	rc.reqs = append(rc.reqs, received{Path: r.URL.Path, Header: r.Header.Clone(), Body: body, Arrival: n})
	rc.mu.Unlock()
	code, out := http.StatusOK, "{}"
	if rc.answer != nil {
		code, out = rc.answer(n, r, body)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, out)
}

func (rc *recorder) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.reqs...)
}

func startRecorder(t *testing.T, answer func(n int, r *http.Request, body []byte) (int, string)) (*recorder, string) {
	t.Helper()
	rc := &recorder{answer: answer}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	return rc, srv.URL
}

// verifyWebhook checks a webhook request's body signature with secret.
func verifyWebhook(t *testing.T, secret string, rq received) error {
	t.Helper()
	k, err := signing.NewKey([]byte(secret))
	require.NoError(t, err)
	return k.VerifyBody(rq.Body, rq.Header.Get("Stash-Hmac-Signature"))
}
