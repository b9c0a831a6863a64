package webhook

import (
	"context"
	"net/http"
	"strconv"
	"strings"
)

// retryCountKey is the context key of the retry count.
type retryCountKey struct{}

// RetryCount returns the value of the [RetryCountHeader] header of the
// delivery being handled, as set by [NewHandler] and [Verifier.Middleware] on
// the context they pass on. ok is false when the header was absent or not a
// non-negative integer. Whether Stash sends 0 on the first attempt or omits
// the header is not documented, so treat "absent" like 0.
func RetryCount(ctx context.Context) (n int, ok bool) {
	n, ok = ctx.Value(retryCountKey{}).(int)
	return n, ok
}

// withRetryCount returns ctx carrying r's retry count, or ctx itself when r
// has none.
func withRetryCount(ctx context.Context, r *http.Request) context.Context {
	s := strings.TrimSpace(r.Header.Get(RetryCountHeader))
	if s == "" {
		return ctx
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return ctx
	}
	return context.WithValue(ctx, retryCountKey{}, n)
}
