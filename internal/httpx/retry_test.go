package httpx

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRetryableStatus(t *testing.T) {
	t.Parallel()
	retry := map[int]bool{
		200: false, 301: false, 400: false, 401: false, 403: false, 404: false, 422: false,
		408: true, 409: true, 429: true, 500: true, 501: false, 502: true, 503: true, 504: true, 599: true,
	}
	for code, want := range retry {
		assert.Equal(t, want, RetryableStatus(code), "status %d", code)
	}
}

func TestRetryableError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"canceled", &url.Error{Op: "Post", URL: "u", Err: context.Canceled}, false},
		{"deadline", &url.Error{Op: "Post", URL: "u", Err: context.DeadlineExceeded}, false},
		{"conn refused", &url.Error{Op: "Post", URL: "u", Err: &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}}, true},
		{"reset", &url.Error{Op: "Post", URL: "u", Err: syscall.ECONNRESET}, true},
		{"eof", &url.Error{Op: "Post", URL: "u", Err: io.ErrUnexpectedEOF}, true},
		{"unknown CA", &url.Error{Op: "Post", URL: "u", Err: x509.UnknownAuthorityError{}}, false},
		{"scheme", &url.Error{Op: "Post", URL: "u", Err: errors.New("unsupported protocol scheme \"ftp\"")}, false},
		{"redirects", &url.Error{Op: "Post", URL: "u", Err: errors.New("stopped after 10 redirects")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, RetryableError(tt.err))
		})
	}
}

func TestRetryableAttempt(t *testing.T) {
	t.Parallel()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name           string
		err            error
		live, whenDone bool
	}{
		{"nil", nil, false, false},
		{"deadline", &url.Error{Op: "Get", URL: "u", Err: context.DeadlineExceeded}, true, false},
		{"dial timeout", &url.Error{Op: "Get", URL: "u", Err: &net.OpError{Op: "dial", Err: os.ErrDeadlineExceeded}}, true, true},
		{"body read timeout", timeoutError{}, true, false},
		{"reset", &url.Error{Op: "Get", URL: "u", Err: syscall.ECONNRESET}, true, true},
		{"canceled", &url.Error{Op: "Get", URL: "u", Err: context.Canceled}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.live, RetryableAttempt(context.Background(), tt.err), "caller's context live")
			assert.Equal(t, tt.whenDone, RetryableAttempt(done, tt.err), "caller's context done")
		})
	}
}

// timeoutError is what net/http returns when http.Client.Timeout ends the
// reading of a body: a timeout that is also context.DeadlineExceeded.
type timeoutError struct{}

func (timeoutError) Error() string {
	return "context deadline exceeded (Client.Timeout or context cancellation while reading body)"
}
func (timeoutError) Timeout() bool        { return true }
func (timeoutError) Temporary() bool      { return true }
func (timeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

func TestBackoff(t *testing.T) {
	t.Parallel()
	base, maxWait := 500*time.Millisecond, 8*time.Second
	noJitter := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
	for i, want := range noJitter {
		assert.Equal(t, want, Backoff(i, base, maxWait, nil), "retry %d", i)
	}
	assert.Equal(t, maxWait, Backoff(1000, base, maxWait, nil), "huge retry numbers saturate")
	assert.Equal(t, time.Duration(0), Backoff(3, 0, maxWait, nil))

	// The jitter keeps the wait within [d/2, d] at both extremes.
	low := func(int64) int64 { return 0 }
	high := func(n int64) int64 { return n - 1 }
	for i, d := range noJitter {
		assert.Equal(t, d-d/2, Backoff(i, base, maxWait, low), "retry %d low", i)
		assert.Equal(t, d, Backoff(i, base, maxWait, high), "retry %d high", i)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 12 ", 12 * time.Second, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"abc", 0, false},
		{"99999999999999999999", time.Duration(math.MaxInt64), true}, // beyond int64: as long as can be, as for any huge value
		{"9223372036", 9223372036 * time.Second, true},
		{"9223372037", time.Duration(1<<63 - 1), true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"Sun, 06 Nov 1994 08:49:37 GMT", 0, true},
		{"Monday, 32-Nov-94 08:49:37 GMT", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.in, now)
		assert.Equal(t, tt.wantOK, ok, "%q", tt.in)
		assert.Equal(t, tt.want, got, "%q", tt.in)
	}
}

func TestReadLimited(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		body      string
		limit     int64
		hint      int64
		want      string
		truncated bool
	}{
		{"empty", "", 10, 0, "", false},
		{"fits", "hello", 10, 0, "hello", false},
		{"exact", "0123456789", 10, 10, "0123456789", false},
		{"over", "0123456789A", 10, 0, "0123456789", true},
		{"far over", strings.Repeat("x", 5000), 100, 5000, strings.Repeat("x", 100), true},
		{"wrong hint", strings.Repeat("y", 2000), 4096, 3, strings.Repeat("y", 2000), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, truncated, err := ReadLimited(iotest.OneByteReader(strings.NewReader(tt.body)), tt.limit, tt.hint)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
			assert.Equal(t, tt.truncated, truncated)
		})
	}
	_, _, err := ReadLimited(iotest.ErrReader(io.ErrUnexpectedEOF), 10, 0)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

type countingBody struct {
	r      io.Reader
	read   int
	closed bool
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read += n
	return n, err
}

func (b *countingBody) Close() error { b.closed = true; return nil }

func TestDrainAndClose(t *testing.T) {
	t.Parallel()
	b := &countingBody{r: strings.NewReader(strings.Repeat("z", 1000))}
	DrainAndClose(b, 100)
	assert.True(t, b.closed)
	assert.Equal(t, 100, b.read, "drains no more than the limit")
}

func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, s := range []string{"", "0", "120", "-3", "Wed, 21 Oct 2015 07:28:00 GMT", "1e3", " 5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseRetryAfter(s, now)
		if !ok && d != 0 {
			t.Fatalf("not ok but %v", d)
		}
		if d < 0 {
			t.Fatalf("negative wait %v for %q", d, s)
		}
	})
}
