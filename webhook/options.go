package webhook

import (
	"context"
	"log/slog"
	"time"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/internal/inbound"
)

// DefaultMaxBodyBytes is the largest request body [NewHandler] and
// [Verifier.Middleware] read by default: 1 MiB, far above any documented
// event. Larger bodies are answered 413 without being verified. The egress
// handlers of the root package use the same default under the same name.
const DefaultMaxBodyBytes = inbound.DefaultMaxBodyBytes

// DefaultLease is how long, by default, a delivery holds its event's key
// while the handler's function runs. Stash expects an answer within 30
// seconds; the lease must outlast the function, or a redelivery arriving
// after it expires may run the function a second time. The function's
// context ends shortly before the lease does (see [dedup.Do]). The confirm handler
// of the root package uses the same default under the same name.
const DefaultLease = inbound.DefaultLease

// DefaultBusyWait is how long, by default, a delivery whose event another
// delivery is handling right now waits for that one to finish: it then
// answers 200 if that one succeeded, or runs the function itself if it
// failed; only when the wait runs out does it answer 409 (Stash delivers
// again later). Stash sends an event's copies concurrently and retries
// failures, so without the wait every copy that meets a running one costs
// Stash a redelivery and the game a request. It is well within the 30
// seconds Stash waits for an answer. The confirm handler of the root
// package uses the same default under the same name.
const DefaultBusyWait = inbound.DefaultBusyWait

// HandlerOption configures the handler built by [NewHandler].
type HandlerOption func(*handlerConfig)

type handlerConfig struct {
	maxBody int64
	store   dedup.Store
	lease   time.Duration
	wait    time.Duration
	keyFunc func(events.Event) string
	logger  *slog.Logger
	noDedup bool

	onUndecodable func(ctx context.Context, payload []byte, err error) error
}

// WithMaxBodyBytes sets the largest request body the handler reads; larger
// bodies are answered 413 and the function is not called. The default is
// [DefaultMaxBodyBytes]; n <= 0 keeps the default.
func WithMaxBodyBytes(n int64) HandlerOption {
	return func(c *handlerConfig) {
		if n > 0 {
			c.maxBody = n
		}
	}
}

// WithStore sets the store that makes the handler run its function once per
// event. By default each handler has its own [dedup.MemoryStore], which
// protects one process only: a backend with several replicas must share a
// store (Redis, PostgreSQL, or its own implementation of [dedup.Store]),
// ideally the same one its purchase-confirmation path uses. A nil store
// keeps the default.
func WithStore(s dedup.Store) HandlerOption {
	return func(c *handlerConfig) {
		if s != nil {
			c.store = s
		}
	}
}

// WithLease sets how long a delivery holds its event's key while the
// function runs; see [DefaultLease], the default. d <= 0 keeps the default.
// Keep it longer than the function can take and than Stash's ~30 s answer
// timeout: once it runs out, a redelivery may take the key and run the
// function a second time.
func WithLease(d time.Duration) HandlerOption {
	return func(c *handlerConfig) {
		if d > 0 {
			c.lease = d
		}
	}
}

// WithBusyWait sets how long a delivery whose event another delivery is
// handling right now waits for that one (see [DefaultBusyWait]); 0 keeps
// the default, a negative d answers 409 at once. A delivery handled by this
// process is waited for in-process, and once it is recorded the copy is
// answered without asking the store; one handled by another instance is
// asked of the store again with back-off.
func WithBusyWait(d time.Duration) HandlerOption {
	return func(c *handlerConfig) {
		if d != 0 {
			c.wait = d
		}
	}
}

// WithKeyFunc sets how the handler derives an event's exactly-once key. The
// default is [DefaultKey]. When fn returns "" for an event, DefaultKey is
// used for it. A nil fn keeps the default.
func WithKeyFunc(fn func(events.Event) string) HandlerOption {
	return func(c *handlerConfig) {
		if fn != nil {
			c.keyFunc = fn
		}
	}
}

// WithLogger sets the logger the handler reports rejected deliveries,
// failures, panics and duplicates to. Records never contain a secret or a
// signature. If nil, or by default, nothing is logged.
func WithLogger(l *slog.Logger) HandlerOption {
	return func(c *handlerConfig) { c.logger = l }
}

// WithoutDedup turns the exactly-once store off: the function runs for every
// authentic delivery, duplicates included. Use it only when the function
// deduplicates by itself (for instance with a unique constraint on the order
// ID in the same transaction that grants the items). An error of the
// function that wraps a [*dedup.CompleteError] is then taken for its own
// record of a handled event, and acknowledged (grant.Granter's webhook
// route works so); with the store on, it is a failure like any other.
func WithoutDedup() HandlerOption {
	return func(c *handlerConfig) { c.noDedup = true }
}

// WithUndecodable sets what the handler does with an authentic delivery that
// [events.Parse] cannot decode (see the package documentation, "Poison
// deliveries"): fn receives the raw payload, as signed, and the decoder's
// error. When fn returns nil (it stored the payload, for instance in a table
// an operator looks at), the delivery is acknowledged 200 so that Stash
// stops redelivering it; when it returns an error, the answer is 500 and
// Stash redelivers. Without this option such a delivery is answered 400 and
// logged at error level, and Stash keeps redelivering it for about a day.
// The exactly-once store is not used for such deliveries. A nil fn keeps the
// default.
func WithUndecodable(fn func(ctx context.Context, payload []byte, err error) error) HandlerOption {
	return func(c *handlerConfig) { c.onUndecodable = fn }
}
