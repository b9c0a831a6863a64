// Package httpx holds the HTTP plumbing of the ingress client that does not
// belong in the public API: which failures are worth retrying, exponential
// backoff with jitter, Retry-After parsing, a context-aware sleep and bounded
// body reads.
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
	"strconv"
	"strings"
	"time"
)

// RetryableStatus reports whether an HTTP status is worth another attempt:
// 408 (request timeout), 409 (conflict), 429 (too many requests) and every
// 5xx except 501 (not implemented), which no retry can fix.
func RetryableStatus(code int) bool {
	switch {
	case code == http.StatusRequestTimeout,
		code == http.StatusConflict,
		code == http.StatusTooManyRequests:
		return true
	case code == http.StatusNotImplemented:
		return false
	case code >= 500 && code <= 599:
		return true
	}
	return false
}

// RetryableError reports whether a transport error (an error returned by
// [http.Client.Do]) is worth another attempt. Connection failures, resets and
// timeouts are; context cancellation, malformed URLs, unsupported schemes
// and certificate failures are not.
func RetryableError(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	if errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &invalid) {
		return false
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		msg := ue.Err.Error()
		if strings.Contains(msg, "unsupported protocol scheme") ||
			strings.Contains(msg, "stopped after") || // too many redirects
			strings.Contains(msg, "invalid header") {
			return false
		}
	}
	return true
}

// RetryableAttempt reports whether an attempt that failed with err (from
// [http.Client.Do], or from reading the answer's body) is worth another
// attempt, ctx being the caller's context: a [RetryableError], or a timeout
// of this attempt alone, such as one that exceeded [http.Client.Timeout],
// while ctx is still live (a timeout of ctx itself looks the same).
func RetryableAttempt(ctx context.Context, err error) bool {
	var ne net.Error
	return RetryableError(err) || ctx.Err() == nil && errors.As(err, &ne) && ne.Timeout()
}

// Backoff returns the wait before retry number retry (0 for the first
// retry): base*2^retry capped at max, with "equal jitter": the result lies in
// [d/2, d]. jitter(n) must return a value in [0, n); nil means no jitter
// (the result is d).
func Backoff(retry int, base, max time.Duration, jitter func(n int64) int64) time.Duration {
	if base <= 0 {
		return 0
	}
	if retry < 0 {
		retry = 0
	}
	d := max
	if retry < 62 {
		if m := float64(base) * math.Exp2(float64(retry)); m < float64(max) {
			d = time.Duration(m)
		}
	}
	if d <= 0 {
		return 0
	}
	half := d / 2
	if jitter == nil || half <= 0 {
		return d
	}
	return d - half + time.Duration(jitter(int64(half)+1))
}

// ParseRetryAfter reads a Retry-After header value: either a non-negative
// number of seconds or an HTTP date, taken relative to now. ok is false for
// an absent or malformed value. A date in the past gives 0 with ok true.
func ParseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if v[0] >= '0' && v[0] <= '9' {
		secs, err := strconv.ParseInt(v, 10, 64)
		if errors.Is(err, strconv.ErrRange) && strings.Trim(v, "0123456789") == "" {
			return time.Duration(math.MaxInt64), true // more seconds than int64 holds: as long as can be
		}
		if err != nil || secs < 0 {
			return 0, false
		}
		if secs > int64(math.MaxInt64/time.Second) {
			return time.Duration(math.MaxInt64), true
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if d := t.Sub(now); d > 0 {
		return d, true
	}
	return 0, true
}

// ReadLimited reads r to the end but keeps at most limit bytes. It reports
// whether r held more than limit bytes; in that case it stops reading after
// limit+1 bytes, so a hostile peer cannot make it consume unbounded input.
func ReadLimited(r io.Reader, limit int64, sizeHint int64) (data []byte, truncated bool, err error) {
	size := int64(512)
	if sizeHint > 0 {
		size = sizeHint + 1 // +1 so that reaching EOF needs no growth
	}
	if size > limit+1 {
		size = limit + 1
	}
	buf := make([]byte, 0, size)
	lr := io.LimitedReader{R: r, N: limit + 1}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, rerr := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return buf, false, rerr
		}
	}
	if int64(len(buf)) > limit {
		return buf[:limit], true, nil
	}
	return buf, false, nil
}

// DrainAndClose discards at most limit further bytes of body, so that a small
// remainder lets the connection be reused, and then closes it.
func DrainAndClose(body io.ReadCloser, limit int64) {
	_, _ = io.CopyN(io.Discard, body, limit)
	_ = body.Close()
}
