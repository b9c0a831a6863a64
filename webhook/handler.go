package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/internal/inbound"
)

// handler is the http.Handler built by NewHandler.
type handler struct {
	v   *Verifier
	fn  func(ctx context.Context, e events.Event) error
	cfg handlerConfig
	log *slog.Logger
}

// NewHandler returns an http.Handler that receives Stash webhooks: it
// verifies each delivery with v, decodes it with [events.Parse] and calls fn
// once per event, answering Stash as the package documentation's table says
// (200 {} only after fn returned nil; every failure non-200 so Stash
// redelivers). fn runs at most once to success per event key (see
// [DefaultKey], [WithStore], [WithoutDedup]). Its context carries the
// delivery's retry count ([RetryCount]) and is cancelled when Stash hangs up
// (Stash waits about 30 s), which is before the event's lease ([WithLease])
// runs out; fn must honour it.
//
// A panic in fn is recovered and answered 500, except [http.ErrAbortHandler],
// which is raised again after the event's key is released.
//
// NewHandler panics if v or fn is nil, as [http.Handle] does for a nil
// handler: both are programming errors, and a handler that acknowledged
// every event without granting anything would lose purchases silently.
// The handler is safe for concurrent use.
//
// The server that mounts it must set ReadHeaderTimeout, ReadTimeout and
// IdleTimeout: an http.Handler cannot bound how slowly a sender delivers
// its body, so without them one slow connection holds a goroutine and a
// buffer for as long as it likes.
func NewHandler(v *Verifier, fn func(ctx context.Context, e events.Event) error, opts ...HandlerOption) http.Handler {
	if v == nil {
		panic("webhook: NewHandler called with a nil *Verifier")
	}
	if fn == nil {
		panic("webhook: NewHandler called with a nil function")
	}
	cfg := handlerConfig{maxBody: DefaultMaxBodyBytes, lease: DefaultLease, wait: DefaultBusyWait, keyFunc: DefaultKey}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.store == nil && !cfg.noDedup {
		cfg.store = dedup.NewMemoryStore()
	}
	log := cfg.logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &handler{v: v, fn: fn, cfg: cfg, log: log}
}

// ServeHTTP implements http.Handler.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !inbound.AllowMethod(w, r, http.MethodPost) {
		return
	}
	ctx := r.Context()
	body, err := inbound.ReadBody(w, r, h.cfg.maxBody)
	if err != nil {
		code := inbound.ReadError(w, err)
		h.log.LogAttrs(ctx, slog.LevelWarn, "webhook: rejected body",
			slog.Int("status", code), slog.Int64("limit", h.cfg.maxBody))
		return
	}
	if err := h.v.verifyHeader(body, r.Header); err != nil {
		inbound.Error(w, http.StatusUnauthorized, "invalid or missing signature")
		h.log.LogAttrs(ctx, slog.LevelWarn, "webhook: rejected delivery", slog.String("reason", err.Error()))
		return
	}
	ctx = withRetryCount(ctx, r)
	e, err := events.Parse(body)
	if err != nil {
		h.undecodable(ctx, w, body, err)
		return
	}
	if h.cfg.noDedup {
		err := inbound.Call(func() error { return h.fn(ctx, e) })
		// The default key still names the event in the logs.
		// A *dedup.CompleteError from fn is then its route's own record
		// (grant.Granter claims keys itself): the event was handled.
		h.finish(w, r, e, DefaultKey(e), dedup.Ran, err)
		return
	}
	key := h.cfg.keyFunc(e)
	if key == "" {
		key = DefaultKey(e)
	}
	// No extra deadline is put on fn's context: it is cancelled when Stash
	// hangs up (after about 30 s), which comes before the lease (default
	// 2 min) runs out, so a redelivery cannot take the key while fn still
	// works, as long as fn honours its context. A delivery whose event is
	// under way elsewhere waits up to the busy wait for that one, then is
	// answered as a duplicate, or runs fn if that one failed, or 409.
	// A *dedup.CompleteError in err is then the key's record: inbound.Once
	// hides one that an error of fn wraps (a step of the game's failed).
	res, err := inbound.Once(ctx, h.cfg.store, key, h.cfg.lease, h.cfg.wait, func(ctx context.Context) error {
		return h.fn(ctx, e)
	})
	h.finish(w, r, e, key, res, err)
}

// undecodable answers an authentic delivery that events.Parse refuses (see
// the package documentation, "Poison deliveries").
func (h *handler) undecodable(ctx context.Context, w http.ResponseWriter, body []byte, perr error) {
	if h.cfg.onUndecodable == nil {
		inbound.Error(w, http.StatusBadRequest, "malformed event")
		h.log.LogAttrs(ctx, slog.LevelError, "webhook: malformed event: the delivery is authentic but cannot be decoded; Stash will redeliver it for about a day (see WithUndecodable)",
			slog.String("error", perr.Error()), slog.Int("bytes", len(body)))
		return
	}
	err := inbound.Call(func() error { return h.cfg.onUndecodable(ctx, body, perr) })
	var pe *inbound.PanicError
	if errors.As(err, &pe) && pe.Aborted() {
		panic(http.ErrAbortHandler)
	}
	if err != nil {
		inbound.Error(w, http.StatusInternalServerError, "undecodable event not stored")
		h.log.LogAttrs(ctx, slog.LevelError, "webhook: undecodable delivery not stored by WithUndecodable's function",
			slog.String("decode_error", perr.Error()), slog.String("error", err.Error()))
		return
	}
	h.log.LogAttrs(ctx, slog.LevelWarn, "webhook: undecodable delivery stored and acknowledged",
		slog.String("error", perr.Error()))
	respondOK(w)
}

// respondOK is the only answer Stash counts as received: 200 {}.
func respondOK(w http.ResponseWriter) { inbound.EmptyObject(w, http.StatusOK) }

// finish answers a delivery after fn ran or was skipped.
func (h *handler) finish(w http.ResponseWriter, r *http.Request, e events.Event, key string, res dedup.Result, err error) {
	ctx := r.Context()
	attrs := func(extra ...slog.Attr) []slog.Attr {
		return append([]slog.Attr{slog.String("type", string(e.Type())), slog.String("key", key)}, extra...)
	}
	var pe *inbound.PanicError
	var ce *dedup.CompleteError
	switch {
	case err == nil:
		if res == dedup.AlreadyDone {
			h.log.LogAttrs(ctx, slog.LevelDebug, "webhook: duplicate event acknowledged", attrs()...)
		}
		respondOK(w)
	case errors.As(err, &ce):
		// fn succeeded: acknowledge, or Stash would redeliver a granted event.
		h.log.LogAttrs(ctx, slog.LevelError, "webhook: event handled but not recorded as done",
			attrs(slog.String("error", ce.Error()))...)
		inbound.AfterComplete(ce, func(err error) {
			h.log.LogAttrs(context.WithoutCancel(ctx), slog.LevelError,
				"webhook: event handled but still not recorded when its lease ended; a redelivery may run the function again",
				attrs(slog.String("error", err.Error()))...)
		})
		respondOK(w)
	case errors.Is(err, dedup.ErrBusy):
		h.log.LogAttrs(ctx, slog.LevelWarn, "webhook: event busy in another delivery", attrs()...)
		inbound.Error(w, http.StatusConflict, "event is being processed by another delivery")
	case res != dedup.Ran || errors.Is(err, dedup.ErrStore):
		// Also a store failure inside fn: the store of a route that claims
		// keys itself (grant.Granter, with WithoutDedup here).
		h.log.LogAttrs(ctx, slog.LevelError, "webhook: exactly-once store failed",
			attrs(slog.String("error", err.Error()))...)
		inbound.Error(w, http.StatusServiceUnavailable, "exactly-once store unavailable")
	case errors.As(err, &pe):
		h.log.LogAttrs(ctx, slog.LevelError, "webhook: event handler panicked",
			attrs(slog.String("panic", fmt.Sprint(pe.Value)), slog.String("stack", string(pe.Stack)))...)
		if pe.Aborted() {
			panic(http.ErrAbortHandler)
		}
		inbound.Error(w, http.StatusInternalServerError, "event handler failed")
	default:
		h.log.LogAttrs(ctx, slog.LevelError, "webhook: event handler failed",
			attrs(slog.String("error", err.Error()))...)
		inbound.Error(w, http.StatusInternalServerError, "event handler failed")
	}
}
