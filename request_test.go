package stashpay_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echoServer is a raw TCP server on 127.0.0.1 that reads one HTTP request per
// connection and answers it with reply(authHeader), a response that net/http
// refuses with an error quoting the offending text. It records the
// authentication header values it received.
type echoServer struct {
	ln    net.Listener
	reply func(auth, requestLine string) string
	mu    sync.Mutex
	auths []string
}

func newEchoServer(t *testing.T, reply func(auth, requestLine string) string) *echoServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &echoServer{ln: ln, reply: reply}
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.serve(conn)
			}()
		}
	}()
	return s
}

func (s *echoServer) serve(conn net.Conn) {
	defer conn.Close()
	tp := textproto.NewReader(bufio.NewReader(conn))
	line, err := tp.ReadLine()
	if err != nil {
		return
	}
	h, err := tp.ReadMIMEHeader()
	if err != nil {
		return
	}
	if n, _ := strconv.Atoi(h.Get("Content-Length")); n > 0 {
		_, _ = io.CopyN(io.Discard, tp.R, int64(n))
	}
	auth := h.Get("X-Stash-Hmac-Signature") + h.Get("X-Stash-Api-Key")
	s.mu.Lock()
	s.auths = append(s.auths, auth)
	s.mu.Unlock()
	_, _ = io.WriteString(conn, s.reply(auth, line))
}

func (s *echoServer) received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auths...)
}

// errorTree returns err and every error its Unwrap methods reach.
func errorTree(err error) []error {
	if err == nil {
		return nil
	}
	out := []error{err}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		out = append(out, errorTree(u.Unwrap())...)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			out = append(out, errorTree(e)...)
		}
	}
	return out
}

// TestTransportErrorsNeverLeakSecrets: a peer that answers with a malformed
// Location, status line, header line or Content-Length quoting the
// authentication header makes net/http fail with an error holding that text.
// Neither the returned error (however printed, and whatever its Unwrap chain
// reaches) nor the debug log may then contain a key, a whole v1 header or a
// bare v1 signature.
func TestTransportErrorsNeverLeakSecrets(t *testing.T) {
	t.Parallel()
	// echo picks what the peer repeats: the whole header value, or the part
	// after the last ';' (the bare signature of a v1 header).
	echoes := map[string]func(auth string) string{
		"whole header": func(auth string) string { return auth },
		"bare signature": func(auth string) string {
			return auth[strings.LastIndexByte(auth, ';')+1:]
		},
	}
	replies := map[string]func(echo string) string{
		"bad Location": func(e string) string {
			return "HTTP/1.1 302 Found\r\nLocation: http://[::1%zz]/" + e + "\r\nContent-Length: 0\r\n\r\n"
		},
		"bad status code": func(e string) string { return "HTTP/1.1 " + e + " OK\r\nContent-Length: 0\r\n\r\n" },
		"bad status line": func(e string) string { return "HTTP/1.1" + e + "\r\nContent-Length: 0\r\n\r\n" },
		"bad header line": func(e string) string { return "HTTP/1.1 200 OK\r\n" + e + "\r\nContent-Length: 0\r\n\r\n" },
		"bad Content-Length": func(e string) string {
			return "HTTP/1.1 200 OK\r\nContent-Length: " + e + "\r\n\r\n"
		},
	}
	creds := map[string]stashpay.Credentials{"v1": v1Creds(), "legacy": {APIKey: testAPIKey}}
	for credName, cr := range creds {
		for echoName, echo := range echoes {
			if credName == "legacy" && echoName == "bare signature" {
				continue // the legacy header is the key itself
			}
			for replyName, reply := range replies {
				t.Run(credName+"/"+echoName+"/"+replyName, func(t *testing.T) {
					t.Parallel()
					srv := newEchoServer(t, func(auth, _ string) string { return reply(echo(auth)) })
					var logs bytes.Buffer
					logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
					c, err := stashpay.NewClient(cr, stashpay.WithBaseURL("http://"+srv.ln.Addr().String()),
						stashpay.WithMaxRetries(0), stashpay.WithLogger(logger))
					require.NoError(t, err)

					_, err = c.CreateCheckout(t.Context(), minimalCheckout())
					require.Error(t, err)
					auths := srv.received()
					require.Len(t, auths, 1)
					full := auths[0]
					secrets := []string{testIngressKey, testAPIKey, full, full[strings.LastIndexByte(full, ';')+1:]}

					printed := []string{logs.String()}
					for _, e := range errorTree(err) {
						printed = append(printed, e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e))
					}
					for _, out := range printed {
						for _, s := range secrets {
							assert.NotContains(t, out, s)
						}
					}
					assert.Contains(t, err.Error(), "[redacted]", "the echo is visible as redacted: %v", err)
					assert.True(t, strings.HasPrefix(err.Error(),
						"stashpay: POST /sdk/server/checkout_links/generate_quick_pay_url: "), err.Error())
				})
			}
		}
	}
}

// TestTransportErrorAfterRedirectNeverLeaksSecrets: after a same-origin
// redirect to a path holding the echoed header, net/http's error names the
// redirected URL, which came from the peer.
func TestTransportErrorAfterRedirectNeverLeaksSecrets(t *testing.T) {
	t.Parallel()
	for name, cr := range map[string]stashpay.Credentials{"v1": v1Creds(), "legacy": {APIKey: testAPIKey}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newEchoServer(t, func(auth, line string) string {
				if strings.Contains(line, "/echo/") {
					return "HTTP/1.1 2x0 OK\r\n\r\n"
				}
				return "HTTP/1.1 307 Temporary Redirect\r\nLocation: /echo/" + auth + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
			})
			var logs bytes.Buffer
			c, err := stashpay.NewClient(cr, stashpay.WithBaseURL("http://"+srv.ln.Addr().String()), stashpay.WithMaxRetries(0),
				stashpay.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			require.NoError(t, err)
			_, err = c.CreateCheckout(t.Context(), minimalCheckout())
			require.Error(t, err)
			auths := srv.received()
			require.Len(t, auths, 2, "the redirect was followed")
			full := auths[0]
			printed := []string{logs.String()}
			for _, e := range errorTree(err) {
				printed = append(printed, e.Error(), fmt.Sprintf("%+v", e))
			}
			for _, out := range printed {
				for _, s := range []string{testIngressKey, testAPIKey, full, full[strings.LastIndexByte(full, ';')+1:]} {
					assert.NotContains(t, out, s)
				}
			}
			assert.Contains(t, err.Error(), "malformed HTTP status code")
		})
	}
}

// TestTransportErrorKeepsContextAndTimeout: an error whose text had to be
// scrubbed still answers errors.Is for the context's error and Timeout().
func TestTransportErrorKeepsContextAndTimeout(t *testing.T) {
	t.Parallel()
	srv := newEchoServer(t, func(auth, _ string) string { return "HTTP/1.1 " + auth + " OK\r\n\r\n" })
	c, err := stashpay.NewClient(stashpay.Credentials{APIKey: testAPIKey},
		stashpay.WithBaseURL("http://"+srv.ln.Addr().String()), stashpay.WithMaxRetries(0))
	require.NoError(t, err)
	_, err = c.CreateCheckout(t.Context(), minimalCheckout())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testAPIKey)
	assert.False(t, errors.Is(err, http.ErrUseLastResponse))
	var timeout interface{ Timeout() bool }
	require.ErrorAs(t, err, &timeout, "a net/http error keeps its Timeout method")
	assert.False(t, timeout.Timeout())
}

const rpcUnavailable = `{"code":14,"message":"try later"}`

func TestRetryCountsPerStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status   int
		attempts int
	}{
		{400, 1}, {401, 1}, {403, 1}, {404, 1}, {422, 1}, {501, 1},
		{408, 3}, {409, 3}, {429, 3}, {500, 3}, {502, 3}, {503, 3}, {504, 3},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			t.Parallel()
			c, f, sr := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(tt.status, `{"code":2,"message":"m"}`)})
			_, err := c.CreateCheckout(t.Context(), minimalCheckout())
			var apiErr *stashpay.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Len(t, f.requests(), tt.attempts)
			assert.Len(t, sr.recorded(), tt.attempts-1, "one wait between attempts")
		})
	}
}

func TestRetryMaxRetriesOption(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 5} {
		c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(503, rpcUnavailable)}, stashpay.WithMaxRetries(n))
		_, err := c.GetPaymentEvent(t.Context(), "p")
		require.ErrorIs(t, err, stashpay.ErrUnavailable)
		assert.Len(t, f.requests(), n+1, "max retries %d", n)
	}
}

// TestRetryResignsSameBody checks that every attempt carries the same body
// (so the same transactionId) and a signature made afresh at its own time.
func TestRetryResignsSameBody(t *testing.T) {
	t.Parallel()
	var clock time.Time = time.Now()
	c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{
		jsonResponder(503, rpcUnavailable),
		httpmock.NewErrorResponder(syscall.ECONNRESET),
		jsonResponder(200, checkoutOK),
	},
		stashpay.WithClockForTest(func() time.Time { return clock }),
		stashpay.WithSleepForTest(func(_ context.Context, d time.Duration) error { clock = clock.Add(d + time.Second); return nil }),
	)
	got, err := c.CreateCheckout(t.Context(), minimalCheckout())
	require.NoError(t, err)

	reqs := f.requests()
	require.Len(t, reqs, 3)
	seen := map[string]bool{}
	for i, r := range reqs {
		assert.Equal(t, string(reqs[0].Body), string(r.Body), "attempt %d body", i+1)
		key := mustKey(t, testIngressKey)
		h, err := key.VerifyV1(r.Header.Get("X-Stash-Hmac-Signature"), r.Body, testShopID, clock, time.Minute)
		require.NoError(t, err, "attempt %d signature", i+1)
		assert.False(t, seen[r.Header.Get("X-Stash-Hmac-Signature")], "attempt %d reuses a signature", i+1)
		seen[r.Header.Get("X-Stash-Hmac-Signature")] = true
		if i > 0 {
			prev, _ := key.VerifyV1(reqs[i-1].Header.Get("X-Stash-Hmac-Signature"), r.Body, testShopID, clock, time.Minute)
			assert.Greater(t, h.Millis, prev.Millis, "attempt %d has a later timestamp", i+1)
		}
	}
	assert.Contains(t, string(reqs[0].Body), `"transactionId":"`+got.TransactionID+`"`)
}

func TestRetryNetworkErrors(t *testing.T) {
	t.Parallel()
	c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{httpmock.NewErrorResponder(syscall.ECONNREFUSED)})
	_, err := c.GetPaymentEvent(t.Context(), "p")
	require.ErrorIs(t, err, syscall.ECONNREFUSED)
	assert.Contains(t, err.Error(), "GET /sdk/server/payment/p")
	assert.Len(t, f.requests(), 3)
}

// TestRetryAttemptTimeout: an attempt cut by the http.Client's Timeout,
// before the answer's headers or while its body is read, is retried like a
// network error, but the expiry of the caller's own context ends the call.
func TestRetryAttemptTimeout(t *testing.T) {
	t.Parallel()
	// hang answers only when the request is abandoned.
	hang := func(req *http.Request) (*http.Response, error) {
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	// hangBody answers 200 at once with a body that stops after a few bytes
	// until the request is abandoned.
	hangBody := func(req *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(200, "")
		resp.Header.Set("Content-Type", "application/json")
		resp.Body = io.NopCloser(io.MultiReader(strings.NewReader(`{"status":`), stalledReader{req.Context()}))
		return resp, nil
	}
	tests := []struct {
		name          string
		first         httpmock.Responder
		clientTimeout time.Duration
		ctxTimeout    time.Duration
		wantRequests  int
		wantErr       error // nil: success
	}{
		{"client timeout retried", hang, 50 * time.Millisecond, 0, 2, nil},
		{"caller deadline not retried", hang, 0, 50 * time.Millisecond, 1, context.DeadlineExceeded},
		{"client timeout while reading the body retried", hangBody, 50 * time.Millisecond, 0, 2, nil},
		{"caller deadline while reading the body not retried", hangBody, 0, 50 * time.Millisecond, 1, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeStash{script: []httpmock.Responder{tt.first, jsonResponder(200, `{"status":"PAYMENT_STATUS_SUCCEEDED"}`)}}
			mt := httpmock.NewMockTransport()
			mt.RegisterNoResponder(f.respond)
			sr := &sleepRecorder{}
			c, err := stashpay.NewClient(v1Creds(),
				stashpay.WithHTTPClient(&http.Client{Transport: mt, Timeout: tt.clientTimeout}),
				stashpay.WithSleepForTest(sr.sleep))
			require.NoError(t, err)
			ctx := t.Context()
			if tt.ctxTimeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctxTimeout)
				defer cancel()
			}
			ev, err := c.GetPaymentEvent(ctx, "p")
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, stashpay.PaymentStatusSucceeded, ev.Status)
			} else {
				require.ErrorIs(t, err, tt.wantErr)
			}
			assert.Len(t, f.requests(), tt.wantRequests)
			assert.Len(t, sr.recorded(), tt.wantRequests-1)
		})
	}
}

// stalledReader blocks until ctx ends, then fails with its error.
type stalledReader struct{ ctx context.Context }

func (r stalledReader) Read([]byte) (int, error) {
	<-r.ctx.Done()
	return 0, r.ctx.Err()
}

func TestRetryBackoffGrowsWithJitter(t *testing.T) {
	t.Parallel()
	c, _, sr := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(500, `{}`)}, stashpay.WithMaxRetries(5))
	_, err := c.GetPaymentEvent(t.Context(), "p")
	require.Error(t, err)
	waits := sr.recorded()
	require.Len(t, waits, 5)
	full := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	for i, w := range waits {
		assert.GreaterOrEqual(t, w, full[i]/2, "wait %d", i)
		assert.LessOrEqual(t, w, full[i], "wait %d", i)
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		retryAfter string
		attempts   int
		wait       time.Duration // the first wait, when there is one
		errAfter   time.Duration // RetryAfter of the returned error
	}{
		{"seconds honoured", "12", 3, 12 * time.Second, 12 * time.Second},
		{"HTTP date honoured", now.Add(20 * time.Second).Format(http.TimeFormat), 3, 20 * time.Second, 20 * time.Second},
		{"shorter than backoff", "0", 3, 0, 0},
		{"at the cap: retried", "30", 3, 30 * time.Second, 30 * time.Second},
		{"just over the cap: no retry", "31", 1, 0, 31 * time.Second},
		{"over the cap: no retry", "3600", 1, 0, time.Hour},
		{"malformed ignored", "soon", 3, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, f, sr := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(429, `{"code":8,"message":"slow down"}`, "Retry-After", tt.retryAfter)},
				stashpay.WithClockForTest(func() time.Time { return now }))
			_, err := c.GetPaymentEvent(t.Context(), "p")
			require.ErrorIs(t, err, stashpay.ErrRateLimited)
			var apiErr *stashpay.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.errAfter, apiErr.RetryAfter)
			assert.Len(t, f.requests(), tt.attempts)
			waits := sr.recorded()
			require.Len(t, waits, tt.attempts-1)
			if tt.wait > 0 {
				assert.Equal(t, tt.wait, waits[0], "the server's wait wins over a shorter backoff")
			} else if len(waits) > 0 {
				assert.LessOrEqual(t, waits[0], 500*time.Millisecond, "plain backoff")
			}
		})
	}
}

func TestRetryInfoDetailHonoured(t *testing.T) {
	t.Parallel()
	body := `{"code":8,"message":"quota","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"7s"}]}`
	c, _, sr := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(429, body)}, stashpay.WithMaxRetries(1))
	_, err := c.GetPaymentEvent(t.Context(), "p")
	require.Error(t, err)
	assert.Equal(t, []time.Duration{7 * time.Second}, sr.recorded())
}

// TestRetryWaitAbortedByContext uses the real wait: the context is canceled
// while the client waits 29 s before a retry, and the call must return at
// once with both the cancellation and the last API error.
func TestRetryWaitAbortedByContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	mt := httpmock.NewMockTransport()
	calls := 0
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		calls++
		go func() { time.Sleep(10 * time.Millisecond); cancel() }()
		return jsonResponder(503, rpcUnavailable, "Retry-After", "29")(req)
	})
	c, err := stashpay.NewClient(v1Creds(), stashpay.WithHTTPClient(&http.Client{Transport: mt}))
	require.NoError(t, err)

	start := time.Now()
	_, err = c.GetPaymentEvent(ctx, "p")
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, stashpay.ErrUnavailable, "the last answer is kept")
	assert.Equal(t, 1, calls)
	assert.Less(t, time.Since(start), 25*time.Second, "the wait was cut short")
}

func TestRetrySkippedWhenDeadlineTooClose(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	c, f, sr := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(503, rpcUnavailable, "Retry-After", "20")})
	_, err := c.GetPaymentEvent(ctx, "p")
	var apiErr *stashpay.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.False(t, errors.Is(err, context.DeadlineExceeded), "the real cause is returned at once")
	assert.Len(t, f.requests(), 1)
	assert.Empty(t, sr.recorded())
}

func TestContextCanceledBeforeSend(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, checkoutOK)})
	_, err := c.CreateCheckout(ctx, minimalCheckout())
	require.ErrorIs(t, err, context.Canceled)
	assert.LessOrEqual(t, len(f.requests()), 1, "no retry after cancellation")
}

func TestRetrySucceedsEventually(t *testing.T) {
	t.Parallel()
	c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{
		jsonResponder(502, "<html>bad gateway</html>"),
		jsonResponder(200, checkoutOK),
	})
	got, err := c.CreateCheckout(t.Context(), minimalCheckout())
	require.NoError(t, err)
	assert.NotEmpty(t, got.URL)
	assert.Len(t, f.requests(), 2)
}

func TestLoggerOneLinePerAttempt(t *testing.T) {
	t.Parallel()
	for name, creds := range map[string]stashpay.Credentials{"v1": v1Creds(), "legacy": {APIKey: testAPIKey}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c, f, _ := newFake(t, creds, []httpmock.Responder{
				jsonResponder(503, rpcUnavailable, "X-Request-Id", "rid-1"),
				httpmock.NewErrorResponder(syscall.ECONNRESET),
				jsonResponder(200, checkoutOK, "X-Request-Id", "rid-ok"),
			}, stashpay.WithLogger(logger))
			_, err := c.CreateCheckout(t.Context(), minimalCheckout())
			require.NoError(t, err)

			var lines []map[string]any
			sc := bufio.NewScanner(&buf)
			for sc.Scan() {
				var m map[string]any
				require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
				lines = append(lines, m)
			}
			require.Len(t, lines, 3, "one line per attempt")
			for i, m := range lines {
				assert.Equal(t, "DEBUG", m["level"])
				assert.Equal(t, "POST", m["method"])
				assert.Equal(t, "/sdk/server/checkout_links/generate_quick_pay_url", m["path"])
				assert.EqualValues(t, i+1, m["attempt"])
				assert.Contains(t, m, "duration")
			}
			assert.EqualValues(t, 503, lines[0]["status"])
			assert.Equal(t, "rid-1", lines[0]["request_id"])
			assert.Contains(t, lines[0], "retry_in")
			assert.EqualValues(t, 0, lines[1]["status"])
			assert.Contains(t, lines[1]["error"], "connection reset")
			assert.EqualValues(t, 200, lines[2]["status"])
			assert.Equal(t, "rid-ok", lines[2]["request_id"], "the request ID of a success is logged too")
			assert.NotContains(t, lines[2], "retry_in")

			out := buf.String()
			assertNoSecret(t, out, "log output")
			for _, r := range f.requests() {
				if sig := r.Header.Get("X-Stash-Hmac-Signature"); sig != "" {
					assert.NotContains(t, out, sig)
				}
			}
		})
	}
}

func TestLoggerQuietAboveDebug(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	c, _, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, checkoutOK)}, stashpay.WithLogger(logger))
	_, err := c.CreateCheckout(t.Context(), minimalCheckout())
	require.NoError(t, err)
	assert.Empty(t, buf.String())
}

// A 409 is grpc-gateway's status for two codes: ABORTED (10), a transient
// conflict worth a retry, and ALREADY_EXISTS (6), a permanent one (the fake
// Stash answers it for a transaction ID reused for another purchase) that
// no retry can change. The client returns ALREADY_EXISTS at once and does
// not call it Temporary, so a caller's retry loop keyed on Temporary does
// not resend the conflicting purchase; ABORTED is still retried.
func TestConflictRetriedOnlyWhenTransient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		sends      int
		temporary  bool
	}{
		{"ALREADY_EXISTS as a number", `{"code":6,"message":"transaction exists"}`, 1, false},
		{"ALREADY_EXISTS as a name", `{"code":"ALREADY_EXISTS"}`, 1, false},
		{"ABORTED", `{"code":10,"message":"aborted"}`, 3, true},
		{"no code", `{}`, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(409, tt.body)})
			_, err := c.CreateCheckout(t.Context(), minimalCheckout())
			var apiErr *stashpay.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusConflict, apiErr.StatusCode)
			assert.Len(t, f.requests(), tt.sends)
			assert.Equal(t, tt.temporary, apiErr.Temporary())
		})
	}
}

// The fake Stash answers a transaction ID reused for another purchase with
// 409 ALREADY_EXISTS, which the client returns without a retry.
func TestConflictFromTheFakeIsNotTemporary(t *testing.T) {
	t.Parallel()
	srv := stashpaytest.Start(t)
	c, err := stashpay.NewClient(srv.Credentials(), stashpay.WithBaseURL(srv.URL()))
	require.NoError(t, err)
	first := minimalCheckout()
	first.TransactionID = "order-1001"
	_, err = c.CreateCheckout(t.Context(), first)
	require.NoError(t, err)
	other := minimalCheckout()
	other.TransactionID = "order-1001" // the same ID, another purchase
	other.Item.Quantity = 2
	_, err = c.CreateCheckout(t.Context(), other)
	var apiErr *stashpay.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusConflict, apiErr.StatusCode)
	assert.Equal(t, 6, apiErr.Code)
	assert.False(t, apiErr.Temporary())
}
