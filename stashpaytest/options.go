package stashpaytest

import (
	"net"
	"net/http"
	"time"

	stashpay "github.com/stashpay/stashpay-go"
)

// Default credentials of a [Server] built without the matching options. They
// are test values, never valid against the real Stash.
const (
	DefaultShopID        = "7c1e3f5a-2b4d-4e6f-8a9b-0c1d2e3f4a5b"
	DefaultIngressKey    = "test-ingress-key"
	DefaultEgressKey     = "test-egress-key"
	DefaultWebhookSecret = "test-webhook-secret"
)

// DefaultRetrySchedule returns the webhook retry schedule of a [Server] built
// without [WithRetrySchedule]: the delays between attempts (5, 10, 20 and 40
// ms), so a delivery is tried at most five times. It is fast on purpose, for
// tests; [StashRetrySchedule] returns the real service's pace.
func DefaultRetrySchedule() []time.Duration {
	return []time.Duration{5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond}
}

// StashRetrySchedule returns the schedule Stash documents for webhook
// redelivery: exponential backoff starting at about one minute (1, 2, 4, 8,
// ... minutes), ten attempts in all. Use it with [WithRetrySchedule] only in
// long-running manual tests.
func StashRetrySchedule() []time.Duration {
	d := make([]time.Duration, 9)
	for i := range d {
		d[i] = time.Minute << i
	}
	return d
}

// AmountFormat selects how the fake writes amounts in webhook payloads.
// Public sources disagree (see the stashpay package's Amount), so both
// readings can be tested.
type AmountFormat int

const (
	// DecimalAmounts writes amounts as decimal strings in major units,
	// "1.99", as the webhook list's example does. This is the default.
	DecimalAmounts AmountFormat = iota
	// MinorUnitAmounts writes amounts as strings of integer minor units,
	// "199", as the webhook listener guide's example does.
	MinorUnitAmounts
)

// Option configures a [Server].
type Option func(*config)

type config struct {
	shopID         string
	ingressKey     string
	apiKey         string
	webhookURL     string
	webhookSecret  string
	egressURL      string
	egressKey      string
	legacyEgress   bool
	retry          []time.Duration
	now            func() time.Time
	httpClient     *http.Client
	taxBasisPts    int64
	catalog        map[string]Product
	deliveryOpts   []DeliveryOption
	amountFormat   AmountFormat
	environment    string
	attemptTimeout time.Duration
	listener       net.Listener
	publicURL      string
	paidStatus     stashpay.PaymentStatus // see WithPaidStatus
}

func defaultConfig() config {
	return config{
		shopID:         DefaultShopID,
		ingressKey:     DefaultIngressKey,
		webhookSecret:  DefaultWebhookSecret,
		egressKey:      DefaultEgressKey,
		retry:          DefaultRetrySchedule(),
		now:            time.Now,
		environment:    "test",
		attemptTimeout: 30 * time.Second,
	}
}

// WithShopID sets the shop ID the fake expects in v1 signatures and sends in
// egress requests and webhooks. Default [DefaultShopID].
func WithShopID(id string) Option { return func(c *config) { c.shopID = id } }

// WithIngressKey sets the ingress key the fake verifies v1 signatures with.
// Default [DefaultIngressKey].
func WithIngressKey(key string) Option { return func(c *config) { c.ingressKey = key } }

// WithAPIKey enables the legacy X-Stash-Api-Key authentication and sets the
// key it accepts. Without it, a request carrying only X-Stash-Api-Key is
// rejected, as Stash does for new shops. v1 signatures are accepted either way.
func WithAPIKey(key string) Option { return func(c *config) { c.apiKey = key } }

// WithWebhookURL sets the full URL of the game's webhook endpoint (e.g.
// "http://127.0.0.1:8080/webhooks/stash"), posted to as is. Without it, [Server.Pay] sends no
// webhook and [Server.SendEvent] fails with [ErrNoWebhookURL].
func WithWebhookURL(u string) Option { return func(c *config) { c.webhookURL = u } }

// WithWebhookSecret sets the secret webhooks are signed with. Default
// [DefaultWebhookSecret]. See also [Server.RotateWebhookSecret].
func WithWebhookSecret(secret string) Option { return func(c *config) { c.webhookSecret = secret } }

// WithEgressBaseURL sets the base URL of the game's egress endpoints (Studio's
// "Game Backend" URL, e.g. "http://127.0.0.1:8080"): the fake calls base +
// "/api/v1/purchase/register", ".../confirm" and ".../cancel". Without it,
// [Server.Pay] skips the pre-purchase calls. Compare [WithWebhookURL], which
// takes the full URL of one endpoint.
func WithEgressBaseURL(base string) Option { return func(c *config) { c.egressURL = base } }

// WithEgressKey sets the egress key the fake signs its calls to the game with.
// Default [DefaultEgressKey].
func WithEgressKey(key string) Option { return func(c *config) { c.egressKey = key } }

// WithLegacyEgressSignature makes egress calls also carry the deprecated
// body-only "stash-hmac-signature" header next to the v1 header.
func WithLegacyEgressSignature() Option { return func(c *config) { c.legacyEgress = true } }

// WithRetrySchedule sets the delays between webhook delivery attempts: a
// delivery is tried at most len(delays)+1 times. An empty schedule means a
// single attempt. Default [DefaultRetrySchedule].
func WithRetrySchedule(delays ...time.Duration) Option {
	return func(c *config) { c.retry = append([]time.Duration(nil), delays...) }
}

// WithClock sets the fake's clock, used to check request timestamps, to sign
// egress calls and to stamp payments and events. Default time.Now.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithHTTPClient sets the client the fake uses to call the game (webhooks and
// egress). Default: a client with a 30 second timeout. A client without a
// CheckRedirect follows no redirect, as Stash does not: the 3xx is the
// answer.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.httpClient = hc } }

// WithAttemptTimeout bounds each webhook delivery attempt, like Stash's 30
// second response limit. Default 30 seconds.
func WithAttemptTimeout(d time.Duration) Option { return func(c *config) { c.attemptTimeout = d } }

// WithTax sets the tax the fake adds to every checkout, in basis points of the
// subtotal (750 = 7.5%), rounded half up to the currency's minor unit.
// Default 0.
func WithTax(basisPoints int64) Option { return func(c *config) { c.taxBasisPts = basisPoints } }

// WithCatalogProduct adds a product to the fake's managed catalog, enabling
// checkouts that use catalogItems. Without any, such checkouts fail with
// FAILED_PRECONDITION, as for a shop without Managed Catalog.
func WithCatalogProduct(p Product) Option {
	return func(c *config) {
		if c.catalog == nil {
			c.catalog = map[string]Product{}
		}
		c.catalog[p.ID] = p
	}
}

// WithDeliveryOptions applies opts to every webhook the fake sends, before the
// options given to an individual call; for example WithDeliveryOptions(Times(2))
// duplicates every delivery.
func WithDeliveryOptions(opts ...DeliveryOption) Option {
	return func(c *config) { c.deliveryOpts = append(c.deliveryOpts, opts...) }
}

// WithAmountFormat selects how amounts are written in webhook payloads.
// Default [DecimalAmounts].
func WithAmountFormat(f AmountFormat) Option { return func(c *config) { c.amountFormat = f } }

// WithProductionEnvironment makes the fake label its webhooks "production" and
// its egress calls PAYMENT_ENVIRONMENT_PRODUCTION, to test that a game refuses
// events from the wrong environment. The default is "test".
func WithProductionEnvironment() Option { return func(c *config) { c.environment = "production" } }

// WithListener makes the fake serve on l instead of a new loopback port, for
// a fake that runs as a long-lived process on a chosen address (the
// "stashpay sandbox" command). The fake closes l when it is closed.
func WithListener(l net.Listener) Option { return func(c *config) { c.listener = l } }

// WithPublicURL sets the base URL the fake reports ([Server.URL]) and builds
// checkout URLs on, for a fake listening on every interface that a phone on
// the local network reaches by another address. Default: http:// and the
// listener's address. The checkout page and the dashboard answer only
// requests addressed to an IP address, localhost or this URL's host (403
// otherwise), so that a site whose DNS name is made to point at the fake
// cannot use them.
func WithPublicURL(u string) Option { return func(c *config) { c.publicURL = u } }
