package app_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/examples/internal/app"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewServerTimeouts(t *testing.T) {
	t.Parallel()
	h := http.NotFoundHandler()
	srv := app.NewServer(h)
	assert.NotNil(t, srv.Handler)
	tests := []struct {
		name      string
		got, want time.Duration
	}{
		{"ReadHeaderTimeout", srv.ReadHeaderTimeout, app.ReadHeaderTimeout},
		{"ReadTimeout", srv.ReadTimeout, app.ReadTimeout},
		{"WriteTimeout", srv.WriteTimeout, app.WriteTimeout},
		{"IdleTimeout", srv.IdleTimeout, app.IdleTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Positive(t, tc.got, "a slow client could hold the connection forever")
			assert.Equal(t, tc.want, tc.got)
		})
	}
	assert.LessOrEqual(t, srv.ReadHeaderTimeout, srv.ReadTimeout)
	assert.Greater(t, srv.WriteTimeout, 70*time.Second, "longer than the payment-event claim's longest wait")
}

// freeAddr returns a loopback address nothing listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func TestServe(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- app.Serve(ctx, addr, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			app.WriteJSON(w, http.StatusTeapot, map[string]int{"n": 1})
		}), slog.New(slog.DiscardHandler))
	}()
	var resp *http.Response
	var err error
	require.Eventually(t, func() bool {
		resp, err = http.Get("http://" + addr + "/") //nolint:noctx // test
		return err == nil
	}, 5*time.Second, 10*time.Millisecond)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusTeapot, resp.StatusCode)
	assert.JSONEq(t, `{"n":1}`, string(body))

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err, "a cancelled context is a clean stop")
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after ctx was cancelled")
	}

	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	assert.Error(t, app.Serve(t.Context(), busy.Addr().String(), http.NotFoundHandler(), slog.New(slog.DiscardHandler)), "address in use")
}

// TestServeDrainsRequestsInFlight: stopping the server (SIGINT or SIGTERM
// in an example's main) lets a request already running, such as a grant,
// finish and be answered.
func TestServeDrainsRequestsInFlight(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(t.Context())
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- app.Serve(ctx, addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/slow" {
				close(started)
				<-release
			}
			app.WriteJSON(w, http.StatusOK, map[string]string{"granted": r.URL.Path})
		}), slog.New(slog.DiscardHandler))
	}()
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + addr + "/ready") //nolint:noctx // test
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	}, 5*time.Second, 10*time.Millisecond)

	type answer struct {
		status int
		body   string
		err    error
	}
	slow := make(chan answer, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/slow") //nolint:noctx // test
		if err != nil {
			slow <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		slow <- answer{resp.StatusCode, string(b), err}
	}()
	<-started
	cancel() // the signal arrives while the grant runs
	select {
	case err := <-done:
		t.Fatalf("Serve returned (%v) while a request was in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	a := <-slow
	require.NoError(t, a.err, "the request in flight must be answered, not cut")
	assert.Equal(t, http.StatusOK, a.status)
	assert.JSONEq(t, `{"granted":"/slow"}`, a.body)
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after the request in flight finished")
	}
}

// testConfig is an example's configuration: app.Config and its own fields.
type testConfig struct {
	app.Config
	Extra string
}

func loadTestConfig(getenv func(string) string) (testConfig, error) {
	base, err := app.LoadConfig(getenv)
	return testConfig{Config: base, Extra: getenv("EXTRA")}, err
}

// syncBuffer is a bytes.Buffer safe for the server's and the test's
// goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestExampleRun(t *testing.T) {
	t.Parallel()
	valid := map[string]string{"STASH_SHOP_ID": "shop", "STASH_INGRESS_KEY": "very-secret-ingress", "EXTRA": "x"}
	errBuild := errors.New("cannot build")
	tests := []struct {
		name     string
		env      map[string]string
		buildErr error
		busyAddr bool
		wantCode int
		wantLog  string
	}{
		{"missing configuration", map[string]string{"STASH_INGRESS_KEY": "very-secret-ingress"}, nil, false, 2, "STASH_SHOP_ID is not set"},
		{"startup error", valid, errBuild, false, 2, "cannot build"},
		{"address in use", valid, nil, true, 1, "server"},
		{"serves until cancelled", valid, nil, false, 0, "listening"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			envs := map[string]string{}
			for k, v := range tc.env {
				envs[k] = v
			}
			envs["ADDR"] = freeAddr(t)
			if tc.busyAddr {
				busy, err := net.Listen("tcp", "127.0.0.1:0")
				require.NoError(t, err)
				defer busy.Close()
				envs["ADDR"] = busy.Addr().String()
			}
			var built testConfig
			background := make(chan context.Context, 1)
			ex := app.Example[testConfig, http.Handler]{
				Name: "test example",
				Load: loadTestConfig,
				Build: func(cfg testConfig, _ *slog.Logger, _ ...stashpay.Option) (http.Handler, error) {
					built = cfg
					return http.NotFoundHandler(), tc.buildErr
				},
				Background: func(ctx context.Context, _ http.Handler) { background <- ctx },
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var stderr syncBuffer
			done := make(chan int, 1)
			go func() { done <- ex.Run(ctx, env(envs), &stderr) }()
			if tc.wantCode == 0 {
				require.Eventually(t, func() bool {
					resp, err := http.Get("http://" + envs["ADDR"] + "/") //nolint:noctx // test
					if err == nil {
						resp.Body.Close()
					}
					return err == nil && resp.StatusCode == http.StatusNotFound
				}, 5*time.Second, 10*time.Millisecond, "the backend is served on ADDR")
				assert.Equal(t, "x", built.Extra, "the example's own configuration reaches Build")
				cancel()
			}
			select {
			case code := <-done:
				assert.Equal(t, tc.wantCode, code)
			case <-time.After(10 * time.Second):
				t.Fatal("Run did not return")
			}
			assert.Contains(t, stderr.String(), tc.wantLog)
			assert.NotContains(t, stderr.String(), "very-secret")
			if tc.wantCode == 0 {
				select {
				case bctx := <-background:
					assert.Error(t, bctx.Err(), "the background work is stopped with the server")
				case <-time.After(5 * time.Second):
					t.Fatal("Background did not run")
				}
			}
		})
	}
}
