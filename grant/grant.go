package grant

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/internal/inbound"
)

// Func grants one paid purchase. It is called at most once to success per
// [Purchase.Key], whichever route reported the purchase, with a context
// that is cancelled when the route's caller goes away.
//
// It must grant p.Items (and p.BonusItems) to p.PlayerID and record p.Key
// in one transaction of the game's own database, with a unique constraint
// on the key: the exactly-once store keeps duplicates away, but only that
// record keeps the grant single if the process dies between the commit and
// the store's record. If the key is already recorded, return nil without
// granting. Return an error only when nothing was committed: the purchase
// is then left to the next delivery, poll or reconcile. On the confirm
// route, returning [stashpay.RejectPurchase] refuses the purchase (Stash
// fails it and the player is not charged). With pgstore, that record can
// be pgstore's ClaimTx, on a table other than the Granter's store's: the
// Granter holds p.Key's lease in its own store while fn runs, so a ClaimTx
// on that same table would be Busy every time.
type Func func(ctx context.Context, p *Purchase) error

// ErrInvalidConfig is wrapped by the errors of [New].
var ErrInvalidConfig = errors.New("grant: invalid configuration")

// Defaults of a [Granter].
const (
	// DefaultLease is how long a call holds a purchase's key while fn
	// runs; it must outlast fn, whose context ends shortly before the lease
	// does (see [dedup.Do]). It is the confirm and webhook handlers'.
	DefaultLease = stashpay.DefaultLease
	// DefaultBusyWait is how long a confirm call, a webhook delivery or a
	// poll waits while another route holds the purchase's key.
	DefaultBusyWait = stashpay.DefaultBusyWait
	// DefaultReconcileInterval is the time between two polls of
	// [Granter.Reconcile]: at most 10 requests a second.
	DefaultReconcileInterval = 100 * time.Millisecond
)

// Granter grants purchases exactly once across routes. It is safe for
// concurrent use; build one per process, on the store every instance of
// the game shares.
type Granter struct {
	store    dedup.Store
	fn       Func
	lease    time.Duration
	busyWait time.Duration
	interval time.Duration
	logger   *slog.Logger
	other    func(ctx context.Context, e events.Event) error
	// cartOnConfirm: the webhook acknowledges, without granting, a
	// purchase it cannot join to its confirm call.
	cartOnConfirm bool
	// confirms is set once the Granter serves the confirm call.
	confirms atomic.Bool
}

// Option configures a [Granter].
type Option func(*Granter)

// WithLease sets how long a call holds a purchase's key while fn runs;
// d <= 0 keeps [DefaultLease].
func WithLease(d time.Duration) Option {
	return func(g *Granter) {
		if d > 0 {
			g.lease = d
		}
	}
}

// WithBusyWait sets how long a poll, a webhook delivery (and a confirm
// call, when its [stashpay.EgressConfig.BusyWait] is 0) waits while
// another route holds the purchase's key, or, for an event other than a
// purchase, while another copy of it is being handled; d <= 0 keeps
// [DefaultBusyWait].
func WithBusyWait(d time.Duration) Option {
	return func(g *Granter) {
		if d > 0 {
			g.busyWait = d
		}
	}
}

// WithReconcileInterval sets the time between two polls of
// [Granter.Reconcile]; d <= 0 keeps [DefaultReconcileInterval].
func WithReconcileInterval(d time.Duration) Option {
	return func(g *Granter) {
		if d > 0 {
			g.interval = d
		}
	}
}

// WithLogger sets where the Granter reports unknown payment statuses, and
// reconcile runs. If nil, or by default, nothing is logged.
func WithLogger(l *slog.Logger) Option { return func(g *Granter) { g.logger = l } }

// WithOtherEvents sets the function [Granter.WebhookHandler] calls for
// every event other than PURCHASE_SUCCEEDED (refunds, subscriptions,
// analytics), once per event key ([webhook.DefaultKey]) on the Granter's
// store. Without it such events are acknowledged and dropped: Stash does
// not send them again, so a game that grants free items or subscription
// renewals, or takes back refunds, needs it. A dropped event other than an
// analytics event is logged at warning level ([WithLogger]).
func WithOtherEvents(fn func(ctx context.Context, e events.Event) error) Option {
	return func(g *Granter) { g.other = fn }
}

// WithCartPurchasesOnConfirm grants purchases that the webhook cannot join
// to their confirm call (no checkout link ID and no transaction ID: Webshop
// cart purchases) on the confirm route only: [Granter.WebhookHandler]
// acknowledges their PURCHASE_SUCCEEDED without calling fn, and logs it.
// Use it only when Stash calls the game's confirm endpoint for every
// purchase (a Game Backend URL is set in Studio and the Granter's
// [Granter.PurchaseHandler] serves it): Stash then completes no purchase
// the game did not confirm, so the confirm call granted it. Without a
// confirm endpoint, such purchases would never be granted. See "Webshop
// cart purchases" in the package documentation.
func WithCartPurchasesOnConfirm() Option { return func(g *Granter) { g.cartOnConfirm = true } }

// New returns a Granter that grants through fn under store. store must be
// shared by every instance of the game (a [dedup.MemoryStore] protects one
// process only). A nil store or fn is an error wrapping
// [ErrInvalidConfig].
func New(store dedup.Store, fn Func, opts ...Option) (*Granter, error) {
	switch {
	case store == nil:
		return nil, errors.Join(ErrInvalidConfig, errors.New("grant: New: store is nil"))
	case fn == nil:
		return nil, errors.Join(ErrInvalidConfig, errors.New("grant: New: fn is nil"))
	}
	g := &Granter{store: store, fn: fn, lease: DefaultLease, busyWait: DefaultBusyWait, interval: DefaultReconcileInterval}
	for _, o := range opts {
		if o != nil {
			o(g)
		}
	}
	return g, nil
}

// once runs work under key on the Granter's store, waiting up to wait
// while another call holds it. A *dedup.CompleteError in its error is the
// Granter's own record of work that succeeded: inbound.Once hides one that
// work's own error wraps, so that no route takes a failed grant for a
// recorded one.
func (g *Granter) once(ctx context.Context, key string, wait time.Duration, work func(ctx context.Context) error) (dedup.Result, error) {
	return inbound.Once(ctx, g.store, key, g.lease, wait, work)
}

// grant runs fn for p under p.Key.
func (g *Granter) grant(ctx context.Context, p *Purchase, wait time.Duration) (dedup.Result, error) {
	return g.once(ctx, p.Key, wait, func(ctx context.Context) error { return g.fn(ctx, p) })
}

// log writes a record when the Granter has a logger.
func (g *Granter) log(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if g.logger != nil {
		g.logger.LogAttrs(ctx, level, msg, attrs...)
	}
}
