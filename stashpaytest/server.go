package stashpaytest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stashpay/stashpay-go/internal/httpx"
	"github.com/stashpay/stashpay-go/internal/signing"
)

// Server is a fake Stash on loopback: the ingress API a game backend calls,
// plus the player and back office that pay checkouts, call the game's egress
// endpoints and deliver signed webhooks. Build one with [NewServer] or
// [Start]. A Server is safe for concurrent use.
type Server struct {
	cfg        config
	ts         *httptest.Server
	url        string // the base URL reported and put in checkout URLs
	ingressKey *signing.Key
	hc         *http.Client

	ctx    context.Context // cancelled by Close; bounds deliveries
	cancel context.CancelFunc
	wg     sync.WaitGroup // running deliveries

	mu            sync.Mutex
	webhookSecret string
	checkouts     map[string]*Checkout
	order         []string
	byTx          map[string]string
	byOrder       map[string]string
	calls         []IngressCall
	deliveries    []*Delivery
	holding       bool
	held          []*Delivery
	failLeft      int
	failStatus    int
	failAfter     time.Duration
	delay         time.Duration
	closed        bool
	paying        map[string]bool
	outcomes      map[string]outcome
	notices       map[string]string // dashboard notices by key, see keepNotice
	api           apiState          // the endpoints of api.go
}

// The timeouts of the fake's HTTP server, as the examples' servers set them: a
// client trickling its headers or body cannot hold a connection for long.
const (
	// ReadHeaderTimeout bounds reading a request's headers.
	ReadHeaderTimeout = 5 * time.Second
	// ReadTimeout bounds reading a whole request, body included.
	ReadTimeout = 15 * time.Second
	// WriteTimeout bounds a request from the end of its headers to the end of
	// the answer; it exceeds the 30 second egress timeout, since a Pay from
	// the checkout page waits for the game's register and confirm.
	WriteTimeout = 90 * time.Second
	// IdleTimeout bounds how long a kept-alive connection waits for its next
	// request.
	IdleTimeout = 60 * time.Second
)

// NewServer starts a fake Stash on a loopback port (or on [WithListener]'s). Call [Server.Close] when
// done. It panics when an option is invalid (an empty key or shop ID), as
// httptest.NewServer panics when it cannot listen.
func NewServer(opts ...Option) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.shopID == "" {
		panic("stashpaytest: empty shop ID")
	}
	ik, err := signing.NewKey([]byte(cfg.ingressKey))
	if err != nil {
		panic("stashpaytest: empty ingress key")
	}
	if cfg.egressKey == "" {
		panic("stashpaytest: empty egress key")
	}
	if cfg.webhookSecret == "" {
		panic("stashpaytest: empty webhook secret")
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	hc := cfg.httpClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	if hc.CheckRedirect == nil {
		// Stash does not follow redirects: a 3xx is the answer (a failed
		// confirm, an undelivered webhook).
		c := *hc
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		hc = &c
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg:           cfg,
		ingressKey:    ik,
		hc:            hc,
		ctx:           ctx,
		cancel:        cancel,
		webhookSecret: cfg.webhookSecret,
		checkouts:     map[string]*Checkout{},
		byTx:          map[string]string{},
		byOrder:       map[string]string{},
	}
	s.ts = httptest.NewUnstartedServer(s.routes())
	if cfg.listener != nil {
		_ = s.ts.Listener.Close()
		s.ts.Listener = cfg.listener
	}
	s.ts.Config.ReadHeaderTimeout = ReadHeaderTimeout
	s.ts.Config.ReadTimeout = ReadTimeout
	s.ts.Config.WriteTimeout = WriteTimeout
	s.ts.Config.IdleTimeout = IdleTimeout
	s.ts.Start()
	s.url = s.ts.URL
	if cfg.publicURL != "" {
		s.url = strings.TrimRight(cfg.publicURL, "/")
	}
	return s
}

// Start is [NewServer] for tests: the server is closed when tb's test ends.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := NewServer(opts...)
	tb.Cleanup(s.Close)
	return s
}

// URL returns the fake's base URL (http://127.0.0.1:port, or
// [WithPublicURL]'s), to pass to the client's WithBaseURL option.
func (s *Server) URL() string { return s.url }

// ShopID returns the shop ID the fake expects and sends.
func (s *Server) ShopID() string { return s.cfg.shopID }

// IngressKey returns the ingress key the fake verifies with, to build the
// game's client in tests.
func (s *Server) IngressKey() string { return s.cfg.ingressKey }

// APIKey returns the legacy API key the fake accepts, "" when legacy
// authentication is off.
func (s *Server) APIKey() string { return s.cfg.apiKey }

// EgressKey returns the key the fake signs egress calls with.
func (s *Server) EgressKey() string { return s.cfg.egressKey }

// WebhookSecret returns the secret webhooks are currently signed with.
func (s *Server) WebhookSecret() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookSecret
}

// RotateWebhookSecret makes every later delivery signed with secret, as after
// rotating the secret in Studio. It returns the previous secret.
func (s *Server) RotateWebhookSecret(secret string) (previous string) {
	if secret == "" {
		panic("stashpaytest: empty webhook secret")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	previous, s.webhookSecret = s.webhookSecret, secret
	return previous
}

// SetWebhookURL changes the full URL of the game's webhook endpoint (see
// [WithWebhookURL]) for later deliveries and retries, for a game server
// started after the fake.
func (s *Server) SetWebhookURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.webhookURL = u
}

// SetEgressBaseURL changes the base URL of the game's egress endpoints (see
// [WithEgressBaseURL]: the fake appends "/api/v1/purchase/confirm" and the
// others) for later payments, for a game server started after the fake.
func (s *Server) SetEgressBaseURL(base string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.egressURL = base
}

func (s *Server) webhookURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.webhookURL
}

func (s *Server) egressURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.egressURL
}

// Now returns the fake's current time (see [WithClock]).
func (s *Server) Now() time.Time { return s.cfg.now() }

// String describes the server without revealing any key.
func (s *Server) String() string { return "stashpaytest.Server(" + s.url + ")" }

// GoString describes the server without revealing any key.
func (s *Server) GoString() string { return s.String() }

// Format makes every fmt verb (%v, %+v, %#v, %s, %d, %x, %q...) print
// [Server.String], never a key.
func (s *Server) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// LogValue makes log/slog print the server's URL and shop ID, never a key.
func (s *Server) LogValue() slog.Value {
	return slog.GroupValue(slog.String("url", s.url), slog.String("shop_id", s.cfg.shopID))
}

// Close stops the server, abandons pending webhook retries and held
// deliveries, and waits for running deliveries to end. It is safe to call more
// than once.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	held := s.held
	s.held = nil
	s.mu.Unlock()
	s.cancel()
	for _, d := range held {
		d.finish(ErrClosed)
	}
	s.wg.Wait()
	s.ts.Close()
}

// FailIngress makes the next n API calls answer status (429 or a 5xx,
// typically) with a google.rpc.Status body, before authentication is checked.
// A retryAfter > 0 is sent as a Retry-After header in whole seconds, rounded
// up. FailIngress(0, 0, 0) clears the fault.
func (s *Server) FailIngress(n, status int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failLeft, s.failStatus, s.failAfter = n, status, retryAfter
}

// SetIngressDelay delays every later API answer by d (0 turns it off). The
// delay ends early when the caller gives up on the request.
func (s *Server) SetIngressDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/sdk/server/checkout_links/generate_quick_pay_url", s.ingress(http.MethodPost, s.handleCheckout))
	mux.HandleFunc("/sdk/server/payment/{id}", s.ingress(http.MethodGet, s.handlePaymentEvent))
	s.apiRoutes(mux)
	mux.HandleFunc("/sdk/", s.ingress("", nil))
	mux.HandleFunc("/pay/{id}", s.page(s.handlePayPage))
	mux.HandleFunc("GET /{$}", s.page(s.handleDashboard))
	mux.HandleFunc("GET "+stylePath, serveStyle)
	mux.HandleFunc("POST /dashboard/redeliver", s.page(s.dashboardAction(s.redeliverForm)))
	mux.HandleFunc("POST /dashboard/refund", s.page(s.dashboardAction(s.refundForm)))
	mux.HandleFunc("POST /dashboard/send", s.page(s.dashboardAction(s.sendForm)))
	return mux
}

// The google.rpc.Code values the fake answers with.
const (
	codeInvalidArgument    = 3
	codeNotFound           = 5
	codeAlreadyExists      = 6
	codeResourceExhausted  = 8
	codeFailedPrecondition = 9
	codeUnimplemented      = 12
	codeInternal           = 13
	codeUnavailable        = 14
	codeUnauthenticated    = 16
)

// codeForStatus maps an HTTP status to the google.rpc.Code grpc-gateway would
// have produced it from.
func codeForStatus(status int) int {
	switch {
	case status == http.StatusTooManyRequests:
		return codeResourceExhausted
	case status == http.StatusServiceUnavailable:
		return codeUnavailable
	case status == http.StatusUnauthorized:
		return codeUnauthenticated
	case status == http.StatusNotFound:
		return codeNotFound
	case status == http.StatusConflict:
		return codeAlreadyExists
	case status >= 500:
		return codeInternal
	default:
		return codeInvalidArgument
	}
}

// rpcError is an error answered as a google.rpc.Status body.
type rpcError struct {
	status  int
	code    int
	message string
}

func (e *rpcError) Error() string { return e.message }

func errInvalid(msg string) *rpcError {
	return &rpcError{status: http.StatusBadRequest, code: codeInvalidArgument, message: msg}
}

// writeStatus answers a google.rpc.Status body.
func writeStatus(w http.ResponseWriter, e *rpcError) {
	body, _ := json.Marshal(struct {
		Code    int               `json:"code"`
		Message string            `json:"message"`
		Details []json.RawMessage `json:"details"`
	}{e.code, e.message, []json.RawMessage{}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	_, _ = w.Write(body)
}

func writeJSON(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeStatus(w, &rpcError{status: http.StatusInternalServerError, code: codeInternal, message: "encoding response"})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// exchange sends req to the game and returns the answer's status and at most
// limit bytes of its body, and how long the game took. The rest of the body
// (up to 1 MiB) is drained so that the connection can be reused.
func (s *Server) exchange(req *http.Request, limit int64) (status int, body []byte, took time.Duration, err error) {
	start := time.Now()
	resp, err := s.hc.Do(req)
	took = time.Since(start)
	if err != nil {
		return 0, nil, took, httpx.WithoutQuery(err) // a webhook URL's query may hold a token
	}
	defer resp.Body.Close()
	body, _ = io.ReadAll(io.LimitReader(resp.Body, limit))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, body, took, nil
}

func retryAfterSeconds(d time.Duration) string {
	secs := int64((d + time.Second - 1) / time.Second)
	return strconv.FormatInt(secs, 10)
}
