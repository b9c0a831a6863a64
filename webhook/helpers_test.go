package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/webhook"
)

// testSecret is the webhook secret of most tests. It is long and distinctive
// so that a leak into an error or a log is easy to spot.
const testSecret = "whsec_test_3f9a1c7e5b2d4086aa11"

// readSeed returns testdata/name.
func readSeed(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// seedFiles lists the v1 example payloads copied from the Stash docs.
func seedFiles(t testing.TB) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, m)
	names := make([]string, len(m))
	for i, p := range m {
		names[i] = filepath.Base(p)
	}
	return names
}

// purchase returns a PURCHASE_SUCCEEDED payload for orderID.
func purchase(orderID string) []byte {
	return fmt.Appendf(nil, `{"type":"PURCHASE_SUCCEEDED","environment":"test","purchaseSucceeded":{`+
		`"timeMillis":1640995200000,"orderId":%q,"checkoutLinkId":"cl-%s","currency":"USD",`+
		`"userId":"user_123","items":[{"id":"item_456","quantity":2,"price":"9.99"}],`+
		`"tax":"1.50","total":"21.48","regionCode":"US","source":"StashPay"}}`, orderID, orderID)
}

// newVerifier builds a verifier for testSecret.
func newVerifier(t testing.TB, opts ...webhook.Option) *webhook.Verifier {
	t.Helper()
	v, err := webhook.NewVerifier(testSecret, opts...)
	require.NoError(t, err)
	return v
}

// signedRequest builds a POST of body signed with secret (no header when
// secret is "").
func signedRequest(ctx context.Context, t testing.TB, url string, body []byte, secret string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(webhook.SignatureHeader, webhook.Sign(body, secret))
	}
	return req
}

// serve sends req to h through a recorder.
func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// recorder counts calls of a handler function and keeps the events.
type recorder struct {
	mu     sync.Mutex
	events []events.Event
	err    error // returned by every call
}

func (r *recorder) fn(_ context.Context, e events.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	return r.err
}

func (r *recorder) calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

func (r *recorder) setErr(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.err = err
}

// flakyStore wraps a MemoryStore and fails the operations it is told to.
type flakyStore struct {
	inner       *dedup.MemoryStore
	claimErr    error
	completeErr error
	claims      int
	mu          sync.Mutex
}

func newFlakyStore() *flakyStore { return &flakyStore{inner: dedup.NewMemoryStore()} }

func (s *flakyStore) Claim(ctx context.Context, key string, lease time.Duration) (dedup.Claim, error) {
	s.mu.Lock()
	s.claims++
	err := s.claimErr
	s.mu.Unlock()
	if err != nil {
		return dedup.Claim{}, err
	}
	return s.inner.Claim(ctx, key, lease)
}

func (s *flakyStore) Complete(ctx context.Context, key, token string) error {
	s.mu.Lock()
	err := s.completeErr
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.inner.Complete(ctx, key, token)
}

func (s *flakyStore) Release(ctx context.Context, key, token string) error {
	return s.inner.Release(ctx, key, token)
}

func (s *flakyStore) setClaimErr(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.claimErr = err
}

var errStoreDown = fmt.Errorf("%w: connection refused", dedup.ErrStore)

// errGrant is a failure of the user's function.
var errGrant = errors.New("grant failed: inventory service down")

// syncBuffer is a bytes.Buffer safe for concurrent writes (log output).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
