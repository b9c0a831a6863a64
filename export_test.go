package stashpay

import (
	"context"
	"net/http"
	"time"
)

// Test-only options, visible to the external test package.

// WithSleepForTest replaces the wait between retries.
func WithSleepForTest(f func(ctx context.Context, d time.Duration) error) Option {
	return func(o *clientOptions) { o.sleep = f }
}

// WithClockForTest replaces the clock used for signing and for Retry-After
// dates.
func WithClockForTest(now func() time.Time) Option {
	return func(o *clientOptions) { o.now = now }
}

// HTTPClientForTest exposes the client's http.Client.
func HTTPClientForTest(c *Client) *http.Client { return c.hc }
