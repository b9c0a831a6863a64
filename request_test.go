package stashpay_test

import (
	"bufio"
	"bytes"
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
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go"
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
				return "HTTP/1.1 307 Temporary Redirect\r\nLocation: /echo/" + auth + "\r\nContent-Length: 0\r\n\r\n"
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
