package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
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

// runningSandbox is "stashpay sandbox" running in-process.
type runningSandbox struct {
	stdout, stderr *syncBuffer
	stop           context.CancelFunc
	done           chan int
	env            map[string]string // the printed export lines
}

// startSandbox runs the sandbox with args until the test ends and waits for
// its export lines.
func startSandbox(t *testing.T, env map[string]string, args ...string) *runningSandbox {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	r := &runningSandbox{stdout: &syncBuffer{}, stderr: &syncBuffer{}, stop: cancel, done: make(chan int, 1)}
	go func() {
		r.done <- run(ctx, append([]string{"sandbox", "-port", "0"}, args...), mapEnv(env), r.stdout, r.stderr)
	}()
	t.Cleanup(func() {
		cancel()
		<-r.done
	})
	exports := regexp.MustCompile(`(?m)^export ([A-Z_]+)=(\S+)$`)
	require.Eventually(t, func() bool {
		return strings.Contains(r.stdout.String(), "In Go:")
	}, 10*time.Second, 5*time.Millisecond, "stderr: %s", r.stderr)
	r.env = map[string]string{}
	for _, m := range exports.FindAllStringSubmatch(r.stdout.String(), -1) {
		r.env[m[1]] = m[2]
	}
	return r
}

func TestSandboxServesCheckoutsUntilStopped(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t, nil, "-webhook-retry", "none")
	for _, name := range []string{envBaseURL, envShopID, envIngressKey, envEgressKey, envWebhookSecret} {
		require.NotEmpty(t, sb.env[name], "the export lines give %s", name)
	}
	base := sb.env[envBaseURL]
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, base)
	assert.Contains(t, sb.stdout.String(), `stashpay.WithBaseURL("`+base+`")`)

	client, err := stashpay.NewClient(stashpay.Credentials{ShopID: sb.env[envShopID], IngressKey: sb.env[envIngressKey]},
		stashpay.WithBaseURL(base))
	require.NoError(t, err)
	co, err := client.CreateCheckout(t.Context(), &stashpay.CheckoutParams{
		Item: &stashpay.CheckoutItem{ID: "gems_100", Name: "100 Gems", PricePerItem: "1.99", Quantity: 3},
		User: stashpay.CheckoutUser{ID: "player-1"},
	})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(co.URL, base+"/pay/"), co.URL)
	for _, u := range []string{co.URL, base + "/"} {
		resp, err := http.Get(u)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, u)
		assert.Contains(t, string(body), "5.97 USD", u)
	}
	for _, secret := range []string{sb.env[envIngressKey], sb.env[envEgressKey], sb.env[envWebhookSecret]} {
		assert.Equal(t, 1, strings.Count(sb.stdout.String(), secret), "each key is printed once")
		assert.NotContains(t, sb.stderr.String(), secret)
	}

	sb.stop()
	select {
	case code := <-sb.done:
		sb.done <- code
		assert.Equal(t, exitOK, code, sb.stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("the sandbox did not stop")
	}
	assert.Contains(t, sb.stderr.String(), "stopped")
	_, err = http.Get(base + "/")
	assert.Error(t, err, "the port is closed")
}

func TestSandboxKeysFromTheEnvironmentAreNotPrinted(t *testing.T) {
	t.Parallel()
	env := map[string]string{envIngressKey: "env-ingress-key-123", envEgressKey: "env-egress-key-456", envShopID: testShopID}
	sb := startSandbox(t, env)
	out := sb.stdout.String() + sb.stderr.String()
	assert.NotContains(t, out, "env-ingress-key-123")
	assert.NotContains(t, out, "env-egress-key-456")
	assert.Contains(t, out, "# "+envIngressKey+": taken from your environment")
	assert.Equal(t, testShopID, sb.env[envShopID])
	assert.NotEmpty(t, sb.env[envWebhookSecret], "the unset one is generated")

	client, err := stashpay.NewClient(stashpay.Credentials{ShopID: testShopID, IngressKey: "env-ingress-key-123"},
		stashpay.WithBaseURL(sb.env[envBaseURL]))
	require.NoError(t, err)
	_, err = client.CreateCheckout(t.Context(), &stashpay.CheckoutParams{
		Item: &stashpay.CheckoutItem{ID: "x", PricePerItem: "1.00", Quantity: 1}, User: stashpay.CheckoutUser{ID: "p"},
	})
	assert.NoError(t, err, "the sandbox verifies with the key from the environment")
}

func TestSandboxGeneratesNewKeysEachRun(t *testing.T) {
	t.Parallel()
	a, b := startSandbox(t, nil), startSandbox(t, nil)
	for _, name := range []string{envShopID, envIngressKey, envEgressKey, envWebhookSecret} {
		assert.NotEqual(t, a.env[name], b.env[name], name)
	}
}

func TestSandboxUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"remote host", []string{"-host", "0.0.0.0"}, nil, "-allow-remote"},
		{"remote name", []string{"-host", "example.com"}, nil, "-allow-remote"},
		{"bad port", []string{"-port", "70000"}, nil, "-port"},
		{"relative webhook url", []string{"-webhook-url", "/webhooks/stash"}, nil, "-webhook-url"},
		{"backend url with credentials", []string{"-game-backend-url", "http://u:p@127.0.0.1:8080"}, nil, "-game-backend-url"},
		{"bad retry", []string{"-webhook-retry", "soon"}, nil, "-webhook-retry"},
		{"zero duplicates", []string{"-duplicates", "0"}, nil, "-duplicates"},
		{"bad fail status", []string{"-fail-ingress", "2", "-fail-status", "404"}, nil, "-fail-status"},
		{"key with whitespace", nil, map[string]string{envIngressKey: " key-with-space "}, envIngressKey},
		{"positional", []string{"extra"}, nil, "too many arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, tt.env, nil, append([]string{"sandbox", "-port", "0"}, tt.args...)...)
			assert.Equal(t, exitUsage, r.code, r.all())
			assert.Contains(t, r.stderr, tt.want)
			assert.NotContains(t, r.all(), "key-with-space")
		})
	}
}

func TestRetrySchedule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int
	}{{"stash", 9}, {"none", 0}, {"1s", 1}, {"50ms, 100ms,1s", 3}}
	for _, tt := range tests {
		got, err := retrySchedule(tt.in)
		require.NoError(t, err, tt.in)
		assert.Len(t, got, tt.want, tt.in)
	}
}

// doc.go, "# Network": the sandbox sends only to its -webhook-url and
// -game-backend-url and follows no redirect, so a webhook URL that answers
// 307 does not make it send the signed payload to the redirect's target.
func TestSandboxDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		elsewhere.Add(1)
		_, _ = w.Write([]byte("{}"))
	}))
	t.Cleanup(other.Close)
	hit := make(chan struct{}, 1)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case hit <- struct{}{}:
		default:
		}
		http.Redirect(w, r, other.URL+"/collect", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirector.Close)
	sb := startSandbox(t, nil, "-webhook-retry", "none", "-webhook-url", redirector.URL+"/webhooks/stash")
	base := sb.env[envBaseURL]
	client, err := stashpay.NewClient(stashpay.Credentials{ShopID: sb.env[envShopID], IngressKey: sb.env[envIngressKey]},
		stashpay.WithBaseURL(base))
	require.NoError(t, err)
	co, err := client.CreateCheckout(t.Context(), &stashpay.CheckoutParams{
		Item: &stashpay.CheckoutItem{ID: "gems_100", PricePerItem: "1.99", Quantity: 1},
		User: stashpay.CheckoutUser{ID: "player-1"},
	})
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, co.URL, strings.NewReader(url.Values{"action": {"pay"}}.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "text/plain") // the plain-text answer, no redirect
	req.Header.Set("Origin", base)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	select {
	case <-hit:
	case <-time.After(10 * time.Second):
		t.Fatal("the webhook never reached -webhook-url")
	}
	assert.Never(t, func() bool { return elsewhere.Load() > 0 }, 300*time.Millisecond, 10*time.Millisecond,
		"the signed webhook was forwarded to a URL the sandbox was not given")
}
