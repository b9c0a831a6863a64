package stashpay

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// Environment selects which Stash deployment a [Client] talks to. Test and
// production use separate hosts and separate keys.
type Environment int

const (
	// Production is https://api.stash.gg, the default.
	Production Environment = iota
	// Test is https://test-api.stash.gg, Stash's sandbox.
	Test
)

// Base URLs of the environments.
const (
	ProductionBaseURL = "https://api.stash.gg"
	TestBaseURL       = "https://test-api.stash.gg"
)

// String returns "production", "test", or "Environment(n)" for other values.
func (e Environment) String() string {
	switch e {
	case Production:
		return "production"
	case Test:
		return "test"
	}
	return "Environment(" + strconv.Itoa(int(e)) + ")"
}

// baseURL returns the environment's base URL, or "" for an unknown value.
func (e Environment) baseURL() string {
	switch e {
	case Production:
		return ProductionBaseURL
	case Test:
		return TestBaseURL
	}
	return ""
}

// Defaults of a [Client].
const (
	// DefaultMaxRetries is the number of retries after a first failed
	// attempt, unless [WithMaxRetries] says otherwise.
	DefaultMaxRetries = 2
	// DefaultTimeout is the timeout of the http.Client a [Client] makes for
	// itself when [WithHTTPClient] is not given.
	DefaultTimeout = 30 * time.Second
)

// Option configures a [Client]. Options only record a setting; [NewClient]
// validates all of them at once and reports the first problem.
type Option func(*clientOptions)

// clientOptions is what the options record, before validation.
type clientOptions struct {
	env        Environment
	baseURL    string
	baseURLSet bool
	httpClient *http.Client
	maxRetries int
	logger     *slog.Logger
	userAgent  string
	base64Key  bool

	// Test hooks, set only by this package's tests.
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time
}

// WithEnvironment selects [Production] (the default) or [Test]. Any other
// value makes [NewClient] fail with [ErrInvalidOption]. [WithBaseURL], when
// also given, takes precedence.
func WithEnvironment(env Environment) Option {
	return func(o *clientOptions) { o.env = env }
}

// WithBaseURL sends requests to u instead of the environment's host, for
// example to a proxy or to a fake Stash in tests. u must be an absolute https
// URL without user info, query or fragment; it may carry a path prefix.
// Plain http is accepted only for a loopback host ("localhost",
// 127.0.0.0/8, ::1), such as a [stashpaytest] server or the CLI's sandbox,
// so that requests (and the legacy API key) never cross a network
// unencrypted. A bad URL makes [NewClient] fail with [ErrInvalidOption].
//
// [stashpaytest]: https://pkg.go.dev/github.com/stashpay/stashpay-go/stashpaytest
func WithBaseURL(u string) Option {
	return func(o *clientOptions) { o.baseURL, o.baseURLSet = u, true }
}

// WithHTTPClient makes the [Client] send requests through a copy of hc, so
// its Transport (proxies, TLS, test doubles such as httpmock) and Timeout
// apply. hc itself is never modified. Give hc a Timeout: a zero Timeout
// leaves only the request context to bound a request. If hc is nil, the
// default is used: a fresh http.Client with [DefaultTimeout].
//
// The copy refuses redirects that leave the original scheme and host, so
// that credentials in headers are never sent elsewhere; the 3xx response is
// then returned as an [*APIError]. Other redirects go through hc's own
// CheckRedirect.
func WithHTTPClient(hc *http.Client) Option {
	return func(o *clientOptions) { o.httpClient = hc }
}

// WithMaxRetries sets how many times a failed request is retried (see the
// package documentation, "Retries and idempotency"). The default is
// [DefaultMaxRetries]; 0 disables retries; a negative n makes [NewClient]
// fail with [ErrInvalidOption].
func WithMaxRetries(n int) Option {
	return func(o *clientOptions) { o.maxRetries = n }
}

// WithLogger makes the [Client] write one debug-level line per HTTP attempt
// to l, with the method, path, status, attempt number, duration, request ID
// and, when a retry follows, the wait. Keys and signatures are never logged.
// If l is nil (the default), nothing is logged.
func WithLogger(l *slog.Logger) Option {
	return func(o *clientOptions) { o.logger = l }
}

// WithUserAgent puts product (for example "mygame-backend/1.4") in front of
// the SDK's own "stashpay-go/<Version>" in the User-Agent header. A product
// with control characters makes [NewClient] fail with [ErrInvalidOption].
func WithUserAgent(product string) Option {
	return func(o *clientOptions) { o.userAgent = product }
}

// WithBase64Key makes the [Client] base64-decode [Credentials.IngressKey]
// and use the decoded bytes as the HMAC key. By default the key is used as
// the raw bytes of the string as Studio shows it, which is what Stash
// verifies today; some older Stash samples decoded it first. Standard and
// URL-safe alphabets, padded or not, are accepted. A key that is not base64
// makes [NewClient] fail with [ErrInvalidCredentials].
func WithBase64Key() Option {
	return func(o *clientOptions) { o.base64Key = true }
}
