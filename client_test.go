package stashpay_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stashpay/stashpay-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewClientCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		creds stashpay.Credentials
		opts  []stashpay.Option
		want  error // nil: accepted
	}{
		{"v1", v1Creds(), nil, nil},
		{"legacy", stashpay.Credentials{APIKey: testAPIKey}, nil, nil},
		{"neither", stashpay.Credentials{}, nil, stashpay.ErrMissingCredentials},
		{"both", stashpay.Credentials{ShopID: testShopID, IngressKey: testIngressKey, APIKey: testAPIKey}, nil, stashpay.ErrAmbiguousCredentials},
		{"shop and api key", stashpay.Credentials{ShopID: testShopID, APIKey: testAPIKey}, nil, stashpay.ErrAmbiguousCredentials},
		{"key without shop", stashpay.Credentials{IngressKey: testIngressKey}, nil, stashpay.ErrMissingCredentials},
		{"shop without key", stashpay.Credentials{ShopID: testShopID}, nil, stashpay.ErrMissingCredentials},
		{"shop with semicolon", stashpay.Credentials{ShopID: "a;b", IngressKey: testIngressKey}, nil, stashpay.ErrInvalidCredentials},
		{"shop with space", stashpay.Credentials{ShopID: "a b", IngressKey: testIngressKey}, nil, stashpay.ErrInvalidCredentials},
		{"key with newline", stashpay.Credentials{ShopID: testShopID, IngressKey: testIngressKey + "\n"}, nil, stashpay.ErrInvalidCredentials},
		{"api key with CR", stashpay.Credentials{APIKey: "ab\rcd"}, nil, stashpay.ErrInvalidCredentials},
		{"base64 key", stashpay.Credentials{ShopID: testShopID, IngressKey: "c2VjcmV0LWtleQ"}, []stashpay.Option{stashpay.WithBase64Key()}, nil},
		{"url-safe base64 key", stashpay.Credentials{ShopID: testShopID, IngressKey: "-_-_"}, []stashpay.Option{stashpay.WithBase64Key()}, nil},
		{"not base64", stashpay.Credentials{ShopID: testShopID, IngressKey: "not*base64"}, []stashpay.Option{stashpay.WithBase64Key()}, stashpay.ErrInvalidCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := stashpay.NewClient(tt.creds, tt.opts...)
			if tt.want == nil {
				require.NoError(t, err)
				require.NotNil(t, c)
				return
			}
			require.ErrorIs(t, err, tt.want)
			assert.Nil(t, c)
			for _, secret := range []string{testIngressKey, testAPIKey, "c2VjcmV0LWtleQ", "not*base64"} {
				assert.NotContains(t, err.Error(), secret)
			}
		})
	}
}

// TestNewClientNamesTheSetting: a refused key is reported by the name of
// its setting, as everywhere in the SDK (signing.CheckSecret), never by its
// value.
func TestNewClientNamesTheSetting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		creds   stashpay.Credentials
		opts    []stashpay.Option
		setting string
	}{
		{stashpay.Credentials{ShopID: testShopID, IngressKey: testIngressKey + "\n"}, nil, "Credentials.IngressKey has whitespace"},
		{stashpay.Credentials{ShopID: testShopID, IngressKey: " " + testIngressKey}, nil, "Credentials.IngressKey has whitespace"},
		{stashpay.Credentials{ShopID: testShopID, IngressKey: "ik\x00" + testIngressKey}, nil, "Credentials.IngressKey contains control"},
		{stashpay.Credentials{APIKey: testAPIKey + "\r\n"}, nil, "Credentials.APIKey has whitespace"},
		{stashpay.Credentials{APIKey: "ak\x7f" + testAPIKey}, nil, "Credentials.APIKey contains control"},
		{stashpay.Credentials{ShopID: testShopID, IngressKey: testIngressKey + "*"}, []stashpay.Option{stashpay.WithBase64Key()}, "Credentials.IngressKey is not base64"},
		{stashpay.Credentials{ShopID: testShopID, IngressKey: "===="}, []stashpay.Option{stashpay.WithBase64Key()}, "Credentials.IngressKey is not base64"},
	}
	for _, tt := range tests {
		_, err := stashpay.NewClient(tt.creds, tt.opts...)
		require.ErrorIs(t, err, stashpay.ErrInvalidCredentials)
		assert.Contains(t, err.Error(), tt.setting)
		assertNoSecret(t, err.Error(), tt.setting)
	}
}

func TestNewClientOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    []stashpay.Option
		wantURL string
		wantErr bool
	}{
		{"default is production", nil, "https://api.stash.gg", false},
		{"production", []stashpay.Option{stashpay.WithEnvironment(stashpay.Production)}, "https://api.stash.gg", false},
		{"test", []stashpay.Option{stashpay.WithEnvironment(stashpay.Test)}, "https://test-api.stash.gg", false},
		{"unknown environment", []stashpay.Option{stashpay.WithEnvironment(stashpay.Environment(9))}, "", true},
		{"base URL wins", []stashpay.Option{stashpay.WithBaseURL("http://127.0.0.1:8080/"), stashpay.WithEnvironment(stashpay.Test)}, "http://127.0.0.1:8080", false},
		{"base URL with prefix", []stashpay.Option{stashpay.WithBaseURL("https://proxy.example/stash/")}, "https://proxy.example/stash", false},
		{"relative URL", []stashpay.Option{stashpay.WithBaseURL("/stash")}, "", true},
		{"ftp URL", []stashpay.Option{stashpay.WithBaseURL("ftp://example.com")}, "", true},
		{"http to a remote host", []stashpay.Option{stashpay.WithBaseURL("http://proxy.example/stash")}, "", true},
		{"http to a private address", []stashpay.Option{stashpay.WithBaseURL("http://10.0.0.7:8080")}, "", true},
		{"http to localhost", []stashpay.Option{stashpay.WithBaseURL("http://LocalHost:4242")}, "http://LocalHost:4242", false},
		{"http to IPv6 loopback", []stashpay.Option{stashpay.WithBaseURL("http://[::1]:4242/")}, "http://[::1]:4242", false},
		{"http to 127.0.0.0/8", []stashpay.Option{stashpay.WithBaseURL("http://127.1.2.3")}, "http://127.1.2.3", false},
		{"http to a name that ends in localhost", []stashpay.Option{stashpay.WithBaseURL("http://localhost.example")}, "", true},
		{"URL with user info", []stashpay.Option{stashpay.WithBaseURL("https://user:hunter2@example.com")}, "", true},
		{"URL with query", []stashpay.Option{stashpay.WithBaseURL("https://example.com/?a=b")}, "", true},
		{"URL that does not parse", []stashpay.Option{stashpay.WithBaseURL("https://exa mple.com:x")}, "", true},
		{"negative retries", []stashpay.Option{stashpay.WithMaxRetries(-1)}, "", true},
		{"zero retries", []stashpay.Option{stashpay.WithMaxRetries(0)}, "https://api.stash.gg", false},
		{"user agent with newline", []stashpay.Option{stashpay.WithUserAgent("game\r\nX-Evil: 1")}, "", true},
		{"nil options are skipped", []stashpay.Option{nil, stashpay.WithHTTPClient(nil), stashpay.WithLogger(nil)}, "https://api.stash.gg", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := stashpay.NewClient(v1Creds(), tt.opts...)
			if tt.wantErr {
				require.ErrorIs(t, err, stashpay.ErrInvalidOption)
				assert.NotContains(t, err.Error(), "hunter2")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantURL, c.BaseURL())
		})
	}
}

// TestEnvironmentHosts checks where requests actually go.
func TestEnvironmentHosts(t *testing.T) {
	t.Parallel()
	for env, host := range map[stashpay.Environment]string{stashpay.Production: "api.stash.gg", stashpay.Test: "test-api.stash.gg"} {
		c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, checkoutOK)}, stashpay.WithEnvironment(env))
		_, err := c.CreateCheckout(t.Context(), minimalCheckout())
		require.NoError(t, err)
		reqs := f.requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, host, reqs[0].Host, env.String())
	}
	assert.Equal(t, "Environment(7)", stashpay.Environment(7).String())
}

func TestWithHTTPClientIsCopied(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(jsonResponder(200, checkoutOK))
	hc := &http.Client{
		Transport:     mt,
		Timeout:       7 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return nil },
	}
	before := *hc
	c, err := stashpay.NewClient(v1Creds(), stashpay.WithHTTPClient(hc))
	require.NoError(t, err)
	_, err = c.CreateCheckout(t.Context(), minimalCheckout())
	require.NoError(t, err)

	assert.Equal(t, 1, mt.GetTotalCallCount(), "the caller's transport is used")
	assert.Same(t, before.Transport, hc.Transport)
	assert.Equal(t, before.Timeout, hc.Timeout)
	assert.Equal(t, fmt.Sprintf("%p", before.CheckRedirect), fmt.Sprintf("%p", hc.CheckRedirect), "the caller's client is not modified")
	inner := stashpay.HTTPClientForTest(c)
	assert.NotSame(t, hc, inner)
	assert.Equal(t, 7*time.Second, inner.Timeout)

	def, err := stashpay.NewClient(v1Creds())
	require.NoError(t, err)
	defHC := stashpay.HTTPClientForTest(def)
	assert.NotSame(t, http.DefaultClient, defHC)
	assert.Equal(t, stashpay.DefaultTimeout, defHC.Timeout, "the default client has a timeout")
}

// TestRedirectToOtherHostNotFollowed makes sure the legacy API key header is
// never carried to another host by a redirect.
func TestRedirectToOtherHostNotFollowed(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodGet, "https://api.stash.gg/sdk/server/payment/p1",
		httpmock.NewStringResponder(http.StatusTemporaryRedirect, "").HeaderSet(http.Header{"Location": {"https://evil.example/steal"}}))
	mt.RegisterResponder(http.MethodGet, "https://evil.example/steal", jsonResponder(200, `{}`))
	c, err := stashpay.NewClient(stashpay.Credentials{APIKey: testAPIKey}, stashpay.WithHTTPClient(&http.Client{Transport: mt}))
	require.NoError(t, err)

	_, err = c.GetPaymentEvent(t.Context(), "p1")
	var apiErr *stashpay.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusTemporaryRedirect, apiErr.StatusCode)
	assert.Equal(t, map[string]int{"GET https://api.stash.gg/sdk/server/payment/p1": 1}, nonZero(mt.GetCallCountInfo()))
}

// TestRedirectPolicy: a redirect within Stash's origin goes through the
// caller's own CheckRedirect (with the auth header carried along), one to
// another origin is never followed nor shown to the caller's policy, and
// the caller's client is shared by two Clients without either changing it.
func TestRedirectPolicy(t *testing.T) {
	t.Parallel()
	const from = "https://api.stash.gg/sdk/server/payment/p1"
	tests := []struct {
		name        string
		location    string
		callerAllow bool
		wantStatus  int // 0: success
		wantPolicy  int // calls of the caller's CheckRedirect
		wantCalls   map[string]int
	}{
		{"same origin, allowed", "/sdk/server/payment/p2", true, 0, 1,
			map[string]int{"GET " + from: 1, "NO_RESPONDER": 1}}, // the redirect target
		{"same origin, refused by the caller", "/sdk/server/payment/p2", false, http.StatusTemporaryRedirect, 1,
			map[string]int{"GET " + from: 1}},
		{"other host", "https://evil.example/steal", true, http.StatusTemporaryRedirect, 0,
			map[string]int{"GET " + from: 1}},
		{"other scheme", "http://api.stash.gg/sdk/server/payment/p2", true, http.StatusTemporaryRedirect, 0,
			map[string]int{"GET " + from: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mt := httpmock.NewMockTransport()
			mt.RegisterResponder(http.MethodGet, from,
				httpmock.NewStringResponder(http.StatusTemporaryRedirect, "").HeaderSet(http.Header{"Location": {tt.location}}))
			var mu sync.Mutex
			var forwarded []string
			mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
				mu.Lock()
				forwarded = append(forwarded, req.Header.Get("X-Stash-Hmac-Signature"))
				mu.Unlock()
				return jsonResponder(200, `{"status":"PAYMENT_STATUS_SUCCEEDED"}`)(req)
			})
			policyCalls := 0
			policy := func(*http.Request, []*http.Request) error {
				policyCalls++
				if tt.callerAllow {
					return nil
				}
				return http.ErrUseLastResponse
			}
			hc := &http.Client{Transport: mt, CheckRedirect: policy}
			before := fmt.Sprintf("%p", hc.CheckRedirect)
			other, err := stashpay.NewClient(v1Creds(), stashpay.WithHTTPClient(hc))
			require.NoError(t, err)
			c, err := stashpay.NewClient(v1Creds(), stashpay.WithHTTPClient(hc))
			require.NoError(t, err)

			_, err = c.GetPaymentEvent(t.Context(), "p1")
			if tt.wantStatus == 0 {
				require.NoError(t, err)
				require.Len(t, forwarded, 1)
				assert.True(t, strings.HasPrefix(forwarded[0], "v1;"+testShopID+";"), "the signature is carried within the origin")
			} else {
				var apiErr *stashpay.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, tt.wantStatus, apiErr.StatusCode)
				assert.Empty(t, forwarded)
			}
			assert.Equal(t, tt.wantPolicy, policyCalls)
			assert.Equal(t, tt.wantCalls, nonZero(mt.GetCallCountInfo()))
			assert.Equal(t, before, fmt.Sprintf("%p", hc.CheckRedirect), "the caller's client is not modified")
			assert.NotSame(t, stashpay.HTTPClientForTest(c), stashpay.HTTPClientForTest(other))
		})
	}
}

func nonZero(m map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

// TestSecretsNeverFormatted formats credentials and clients every way fmt
// and slog allow and looks for the keys.
func TestSecretsNeverFormatted(t *testing.T) {
	t.Parallel()
	v1 := v1Creds()
	legacy := stashpay.Credentials{APIKey: testAPIKey}
	cV1, err := stashpay.NewClient(v1)
	require.NoError(t, err)
	cLegacy, err := stashpay.NewClient(legacy)
	require.NoError(t, err)

	values := map[string]any{
		"v1 creds": v1, "legacy creds": legacy, "v1 creds ptr": &v1,
		"v1 client": cV1, "legacy client": cLegacy, "client value": *cLegacy,
		"in a struct": struct {
			C stashpay.Credentials
			K *stashpay.Client
		}{v1, cV1},
	}
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%T", "%10.3v"}
	for name, v := range values {
		for _, verb := range verbs {
			out := fmt.Sprintf(verb, v)
			assertNoSecret(t, out, name+" "+verb)
		}
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "value", v)
		slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "value", v)
		assertNoSecret(t, buf.String(), name+" slog")
	}
	assert.Contains(t, fmt.Sprint(v1), testShopID, "the shop ID is not a secret and helps debugging")
	assert.Contains(t, fmt.Sprint(v1), "[redacted]")
	assert.Contains(t, cV1.String(), "api.stash.gg")
}

func assertNoSecret(t *testing.T, s, context string) {
	t.Helper()
	for _, secret := range []string{testIngressKey, testAPIKey, "S3CR3T"} {
		if strings.Contains(s, secret) {
			t.Errorf("%s leaks a secret: %s", context, s)
		}
	}
}

func TestSentinelErrorsArePrefixed(t *testing.T) {
	t.Parallel()
	for _, err := range []error{
		stashpay.ErrMissingCredentials, stashpay.ErrAmbiguousCredentials, stashpay.ErrInvalidCredentials,
		stashpay.ErrInvalidOption, stashpay.ErrInvalidParams, stashpay.ErrMalformedResponse,
		stashpay.ErrResponseTooLarge, stashpay.ErrNotFound, stashpay.ErrUnauthenticated,
		stashpay.ErrPermissionDenied, stashpay.ErrRateLimited, stashpay.ErrInvalidArgument, stashpay.ErrUnavailable,
	} {
		assert.True(t, strings.HasPrefix(err.Error(), "stashpay: "), err.Error())
	}
}

// TestConcurrentUse shares one client between many goroutines against a
// real loopback server that verifies every signature (run with -race).
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	key := mustKey(t, testIngressKey)
	var bad, served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if _, err := key.VerifyV1(r.Header.Get("X-Stash-Hmac-Signature"), body, testShopID, time.Now(), 0); err != nil {
			bad.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		served.Add(1)
		if r.Method == http.MethodGet {
			_, _ = io.WriteString(w, `{"status":"PAYMENT_STATUS_UNSPECIFIED","timeMillis":"1"}`)
			return
		}
		var p struct {
			TransactionID string `json:"transactionId"`
		}
		_ = json.Unmarshal(body, &p)
		_, _ = io.WriteString(w, `{"url":"https://pay/`+p.TransactionID+`","id":"`+p.TransactionID+`"}`)
	}))
	t.Cleanup(srv.Close)

	c, err := stashpay.NewClient(v1Creds(), stashpay.WithBaseURL(srv.URL), stashpay.WithHTTPClient(srv.Client()))
	require.NoError(t, err)

	const workers, each = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*2)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				p := minimalCheckout()
				p.TransactionID = "txn-" + strconv.Itoa(w) + "-" + strconv.Itoa(i)
				got, err := c.CreateCheckout(t.Context(), p)
				if err != nil {
					errs <- err
					continue
				}
				if got.ID != p.TransactionID {
					errs <- assert.AnError
				}
				if _, err := c.GetPaymentEvent(t.Context(), got.ID); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Zero(t, bad.Load(), "every signature verifies")
	assert.EqualValues(t, workers*each*2, served.Load())
}
