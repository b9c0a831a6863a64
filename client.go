package stashpay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/stashpay/stashpay-go/internal/redact"
	"github.com/stashpay/stashpay-go/internal/signing"
	"github.com/stashpay/stashpay-go/internal/wait"
)

// Credentials authenticate a [Client] to Stash. Set either ShopID and
// IngressKey (the versioned HMAC scheme, preferred) or APIKey alone (the
// deprecated X-Stash-Api-Key header, which Stash no longer offers to new
// shops). Both are found in Studio: the shop ID is the App ID under Project
// Settings, the keys under Project Settings, API Secrets.
//
// Formatting Credentials with fmt (%v, %+v, %#v, %s, ...) or logging them
// with log/slog never shows the keys, except as an unexported field of
// another struct, where fmt cannot call their methods: export the field,
// hold a pointer, or give that struct a String method.
type Credentials struct {
	// ShopID, with IngressKey, selects v1 HMAC authentication: every request
	// carries x-stash-hmac-signature: v1;{ShopID};{unixMillis};{signature}.
	ShopID string
	// IngressKey is the ingress API secret, used as an HMAC-SHA256 key (the
	// raw bytes of the string, unless [WithBase64Key] is given).
	IngressKey string
	// APIKey, for shops that still use the legacy scheme, is sent as is in
	// the X-Stash-Api-Key header.
	APIKey string
}

// String returns the credentials with the keys replaced by "[redacted]".
func (c Credentials) String() string {
	return "stashpay.Credentials{ShopID:" + fmt.Sprintf("%q", c.ShopID) +
		" IngressKey:" + redact.Secret(c.IngressKey) +
		" APIKey:" + redact.Secret(c.APIKey) + "}"
}

// GoString is like [Credentials.String]; it makes %#v safe too.
func (c Credentials) GoString() string { return c.String() }

// Format makes every fmt verb print [Credentials.String], so no verb or flag
// can reveal a key.
func (c Credentials) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// MarshalJSON encodes the credentials with the keys replaced by
// "[redacted]", so that a JSON log handler given a value holding
// Credentials cannot write the keys. Keys are not meant to be stored as JSON.
func (c Credentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct{ ShopID, IngressKey, APIKey string }{
		c.ShopID, redact.Value(c.IngressKey), redact.Value(c.APIKey),
	})
}

// LogValue makes log/slog print the credentials with the keys redacted.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("shop_id", c.ShopID),
		slog.String("ingress_key", redact.Secret(c.IngressKey)),
		slog.String("api_key", redact.Secret(c.APIKey)),
	)
}

// Client calls Stash's server API (ingress). Build one with [NewClient] and
// share it: a Client is safe for concurrent use by many goroutines and holds
// no per-request state. Formatting or logging a Client never shows its keys.
type Client struct {
	baseURL       string // scheme://host[/prefix], no trailing slash
	hc            *http.Client
	auth          *clientAuth
	maxRetries    int
	logger        *slog.Logger
	userAgent     string
	backoffBase   time.Duration
	backoffMax    time.Duration
	maxRetryAfter time.Duration
	sleep         func(ctx context.Context, d time.Duration) error
	now           func() time.Time
	jitter        func(n int64) int64
}

// clientAuth holds the credentials. The secrets sit in closures, which fmt
// prints as addresses, so that not even printing a dereferenced Client with
// a mismatched verb (which fmt renders field by field) can show them.
type clientAuth struct {
	shopID  string
	key     *signing.Key    // v1 HMAC when non-nil
	apiKey  func() string   // legacy header otherwise
	secrets func() []string // scrubbed from error messages
}

func sealSecrets(apiKey string, secrets ...string) (func() string, func() []string) {
	return func() string { return apiKey }, func() []string { return secrets }
}

// Retry timing. Tests of this package shorten none of these; they replace
// the sleep function instead.
const (
	defaultBackoffBase   = 500 * time.Millisecond
	defaultBackoffMax    = 8 * time.Second
	defaultMaxRetryAfter = 30 * time.Second
)

// NewClient returns a Client for creds after applying opts. It fails with
// [ErrMissingCredentials], [ErrAmbiguousCredentials] or
// [ErrInvalidCredentials] when creds do not select exactly one usable
// scheme, and with [ErrInvalidOption] when an option is invalid. The error
// never contains a key.
func NewClient(creds Credentials, opts ...Option) (*Client, error) {
	o := clientOptions{maxRetries: DefaultMaxRetries}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	auth, err := newClientAuth(creds, o.base64Key)
	if err != nil {
		return nil, err
	}
	base, err := resolveBaseURL(o)
	if err != nil {
		return nil, err
	}
	if o.maxRetries < 0 {
		return nil, fmt.Errorf("%w: max retries must not be negative", ErrInvalidOption)
	}
	ua := "stashpay-go/" + Version + " (" + runtime.Version() + "; " + runtime.GOOS + "/" + runtime.GOARCH + ")"
	if o.userAgent != "" {
		if strings.ContainsFunc(o.userAgent, signing.IsControl) {
			return nil, fmt.Errorf("%w: user agent contains control characters", ErrInvalidOption)
		}
		ua = o.userAgent + " " + ua
	}
	c := &Client{
		baseURL:       base,
		hc:            copyHTTPClient(o.httpClient),
		auth:          auth,
		maxRetries:    o.maxRetries,
		logger:        o.logger,
		userAgent:     ua,
		backoffBase:   defaultBackoffBase,
		backoffMax:    defaultBackoffMax,
		maxRetryAfter: defaultMaxRetryAfter,
		sleep:         wait.Sleep,
		now:           time.Now,
		jitter:        rand.Int64N,
	}
	if o.sleep != nil {
		c.sleep = o.sleep
	}
	if o.now != nil {
		c.now = o.now
	}
	return c, nil
}

func newClientAuth(creds Credentials, base64Key bool) (*clientAuth, error) {
	hmacSet := creds.ShopID != "" || creds.IngressKey != ""
	switch {
	case hmacSet && creds.APIKey != "":
		return nil, fmt.Errorf("%w: set either Credentials.ShopID and Credentials.IngressKey, or Credentials.APIKey", ErrAmbiguousCredentials)
	case !hmacSet && creds.APIKey == "":
		return nil, fmt.Errorf("%w: set Credentials.ShopID and Credentials.IngressKey (or the legacy Credentials.APIKey)", ErrMissingCredentials)
	case creds.APIKey != "":
		if err := signing.CheckSecret("Credentials.APIKey", creds.APIKey); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidCredentials, err)
		}
		apiKey, secrets := sealSecrets(creds.APIKey, creds.APIKey)
		return &clientAuth{apiKey: apiKey, secrets: secrets}, nil
	case creds.ShopID == "":
		return nil, fmt.Errorf("%w: Credentials.IngressKey is set but Credentials.ShopID is empty", ErrMissingCredentials)
	case creds.IngressKey == "":
		return nil, fmt.Errorf("%w: Credentials.ShopID is set but Credentials.IngressKey is empty", ErrMissingCredentials)
	}
	if err := signing.CheckShopID("Credentials.ShopID", creds.ShopID); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidCredentials, err)
	}
	raw, err := signing.DecodeKey("Credentials.IngressKey", creds.IngressKey, base64Key)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidCredentials, err)
	}
	key, err := signing.NewKey(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: Credentials.IngressKey decodes to an empty key", ErrInvalidCredentials)
	}
	apiKey, secrets := sealSecrets("", creds.IngressKey)
	return &clientAuth{shopID: creds.ShopID, key: key, apiKey: apiKey, secrets: secrets}, nil
}

func resolveBaseURL(o clientOptions) (string, error) {
	if !o.baseURLSet {
		base := o.env.baseURL()
		if base == "" {
			return "", fmt.Errorf("%w: unknown environment %d", ErrInvalidOption, int(o.env))
		}
		return base, nil
	}
	u, err := url.Parse(o.baseURL)
	switch {
	case err != nil:
		// url.Error would repeat the URL, which may hold credentials.
		return "", fmt.Errorf("%w: base URL does not parse", ErrInvalidOption)
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("%w: base URL scheme must be http or https", ErrInvalidOption)
	case u.Host == "":
		return "", fmt.Errorf("%w: base URL has no host", ErrInvalidOption)
	case u.Scheme == "http" && !loopbackHost(u.Hostname()):
		return "", fmt.Errorf("%w: base URL must use https (http is allowed only for a loopback host: localhost, 127.0.0.0/8, ::1)", ErrInvalidOption)
	case u.User != nil:
		return "", fmt.Errorf("%w: base URL must not contain user info", ErrInvalidOption)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", fmt.Errorf("%w: base URL must not have a query or fragment", ErrInvalidOption)
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}

// loopbackHost reports whether host (a URL's host name, without port or
// brackets) names this machine: "localhost" or a loopback IP address. Only
// such a host may be reached over plain http, where nothing a request
// carries (the legacy API key, the player's data, the checkout URL) crosses
// a network.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// copyHTTPClient returns a copy of hc (or a fresh default client) whose
// redirect policy never carries the request's headers to another origin.
func copyHTTPClient(hc *http.Client) *http.Client {
	var cp http.Client
	if hc != nil {
		cp = *hc
	} else {
		cp.Timeout = DefaultTimeout
	}
	next := cp.CheckRedirect
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		first := via[0].URL
		if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
			return http.ErrUseLastResponse
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &cp
}

// BaseURL returns the URL requests are sent to, without a trailing slash.
func (c *Client) BaseURL() string { return c.baseURL }

func (c *Client) scheme() string {
	if c.auth.key != nil {
		return "v1-hmac"
	}
	return "api-key"
}

// String describes the client without its keys.
func (c *Client) String() string {
	if c == nil {
		return "stashpay.Client(nil)"
	}
	return fmt.Sprintf("stashpay.Client{BaseURL:%q Auth:%s ShopID:%q}", c.baseURL, c.scheme(), c.auth.shopID)
}

// GoString is like [Client.String]; it makes %#v safe too.
func (c *Client) GoString() string { return c.String() }

// Format makes every fmt verb print [Client.String].
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue makes log/slog print the client without its keys.
func (c *Client) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue("stashpay.Client(nil)")
	}
	return slog.GroupValue(
		slog.String("base_url", c.baseURL),
		slog.String("auth", c.scheme()),
		slog.String("shop_id", c.auth.shopID),
	)
}
