package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/webhook"
)

const (
	testWebhookSecret = "whsec-cli-test-0123456789"
	testEgressKey     = "egress-cli-test-9876543210"
	testShopID        = "7c1e3f5a-2b4d-4e6f-8a9b-0c1d2e3f4a5b"
)

// result is the outcome of one in-process run of the command.
type result struct {
	code           int
	stdout, stderr string
}

// all returns stdout and stderr together, to check what was printed.
func (r result) all() string { return r.stdout + r.stderr }

// mapEnv returns an env function backed by m.
func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// testEnv is the environment with every secret set.
func testEnv() map[string]string {
	return map[string]string{
		envWebhookSecret: testWebhookSecret,
		envEgressKey:     testEgressKey,
		envShopID:        testShopID,
	}
}

// runCLI runs the command in-process, with stdin when it is non-nil.
func runCLI(t *testing.T, env map[string]string, stdin io.Reader, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	var code int
	if stdin == nil {
		code = run(t.Context(), args, mapEnv(env), &out, &errOut)
	} else {
		code = runStdin(t.Context(), args, mapEnv(env), stdin, &out, &errOut)
	}
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// assertNoSecrets checks that no secret of env, nor any extra value, was
// printed.
func assertNoSecrets(t *testing.T, r result, extra ...string) {
	t.Helper()
	for _, s := range append([]string{testWebhookSecret, testEgressKey}, extra...) {
		assert.NotContains(t, r.all(), s)
	}
}

// delivery is one request a webhook test server received.
type delivery struct {
	contentType, retryCount, signature string
	status                             int
}

// webhookGame is a game backend's webhook endpoint built with the SDK's
// verifier and handler, recording what it received and what it handled.
type webhookGame struct {
	srv *httptest.Server

	mu         sync.Mutex
	deliveries []delivery
	handled    []events.Event
}

// newWebhookGame starts a webhook endpoint verifying with secret.
func newWebhookGame(t *testing.T, secret string) *webhookGame {
	t.Helper()
	v, err := webhook.NewVerifier(secret)
	require.NoError(t, err)
	g := &webhookGame{}
	h := webhook.NewHandler(v, func(_ context.Context, e events.Event) error {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.handled = append(g.handled, e)
		return nil
	})
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		g.mu.Lock()
		defer g.mu.Unlock()
		g.deliveries = append(g.deliveries, delivery{
			contentType: r.Header.Get("Content-Type"), retryCount: r.Header.Get(webhook.RetryCountHeader),
			signature: r.Header.Get(webhook.SignatureHeader), status: rec.status,
		})
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *webhookGame) url() string { return g.srv.URL + "/webhooks/stash" }

func (g *webhookGame) snapshot() ([]delivery, []events.Event) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]delivery(nil), g.deliveries...), append([]events.Event(nil), g.handled...)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// fixedAnswer starts a server that answers every request with status and
// body, counting requests.
func fixedAnswer(t *testing.T, status int, body string) (*httptest.Server, func() int) {
	t.Helper()
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		n++
		mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, func() int { mu.Lock(); defer mu.Unlock(); return n }
}

// writeFile writes content to a new file in a temporary directory.
func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := t.TempDir() + "/payload.json"
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}
