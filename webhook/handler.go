package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/events"
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
// which is raised again after the event's key is released. A nil fn
// acknowledges every authentic event without doing anything.
//
// NewHandler panics if v is nil. The handler is safe for concurrent use.
func NewHandler(v *Verifier, fn func(ctx context.Context, e events.Event) error, opts ...HandlerOption) http.Handler {
	if v == nil {
		panic("webhook: NewHandler called with a nil *Verifier")
	}
	cfg := handlerConfig{maxBody: DefaultMaxBodyBytes, lease: DefaultLease, keyFunc: DefaultKey}
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
	if r.Method != http.MethodPost {
		methodNotAllowed(w)
		return
	}
	ctx := r.Context()
	body, err := readBody(w, r, h.cfg.maxBody)
	if err != nil {
		code := rejectBody(w, err)
		h.log.LogAttrs(ctx, slog.LevelWarn, "webhook: rejected body",
			slog.Int("status", code), slog.Int64("limit", h.cfg.maxBody))
		return
	}
	if err := h.v.Verify(body, r.Header.Get(SignatureHeader)); err != nil {
		respond(w, http.StatusUnauthorized, bodyUnauthorized)
		h.log.LogAttrs(ctx, slog.LevelWarn, "webhook: rejected delivery", slog.String("reason", err.Error()))
		return
	}
	e, err := events.Parse(body)
	if err != nil {
		respond(w, http.StatusBadRequest, bodyMalformed)
		h.log.LogAttrs(ctx, slog.LevelWarn, "webhook: malformed event", slog.String("error", err.Error()))
		return
	}
	if h.fn == nil {
		respond(w, http.StatusOK, bodyOK)
		return
	}
	ctx = withRetryCount(ctx, r)
	if h.cfg.noDedup {
		h.finish(w, r, e, "", dedup.Ran, h.call(ctx, e))
		return
	}
	key := h.cfg.keyFunc(e)
	if key == "" {
		key = DefaultKey(e)
	}
	// No extra deadline is put on fn's context: it is cancelled when Stash
	// hangs up (after about 30 s), which comes before the lease (default
	// 2 min) runs out, so a redelivery cannot take the key while fn still
	// works, as long as fn honours its context.
	res, err := dedup.Do(ctx, h.cfg.store, key, h.cfg.lease, func(ctx context.Context) error {
		return h.call(ctx, e)
	})
	h.finish(w, r, e, key, res, err)
}

// finish answers a delivery after fn ran or was skipped.
func (h *handler) finish(w http.ResponseWriter, r *http.Request, e events.Event, key string, res dedup.Result, err error) {
	ctx := r.Context()
	attrs := func(extra ...slog.Attr) []slog.Attr {
		return append([]slog.Attr{slog.String("type", string(e.Type())), slog.String("key", key)}, extra...)
	}
	var pe *panicError
	var ce *dedup.CompleteError
	switch {
	case err == nil:
		if res == dedup.AlreadyDone {
			h.log.LogAttrs(ctx, slog.LevelDebug, "webhook: duplicate event acknowledged", attrs()...)
		}
		respond(w, http.StatusOK, bodyOK)
	case errors.As(err, &ce):
		// fn succeeded: acknowledge, or Stash would redeliver a granted event.
		h.log.LogAttrs(ctx, slog.LevelError, "webhook: event handled but not recorded as done",
			attrs(slog.String("error", ce.Err.Error()))...)
		respond(w, http.StatusOK, bodyOK)
	case errors.Is(err, dedup.ErrBusy):
		h.log.LogAttrs(ctx, slog.LevelWarn, "webhook: event busy in another delivery", attrs()...)
		respond(w, http.StatusConflict, bodyBusy)
	case res != dedup.Ran:
		h.log.LogAttrs(ctx, slog.LevelError, "webhook: exactly-once store failed",
			attrs(slog.String("error", err.Error()))...)
		respond(w, http.StatusServiceUnavailable, bodyStoreFailed)
	case errors.As(err, &pe):
		h.log.LogAttrs(ctx, slog.LevelError, "webhook: event handler panicked",
			attrs(slog.String("panic", fmt.Sprint(pe.value)), slog.String("stack", string(pe.stack)))...)
		if pe.value == http.ErrAbortHandler { //nolint:errorlint // identity of the panic value
			panic(http.ErrAbortHandler)
		}
		respond(w, http.StatusInternalServerError, bodyFailed)
	default:
		h.log.LogAttrs(ctx, slog.LevelError, "webhook: event handler failed",
			attrs(slog.String("error", err.Error()))...)
		respond(w, http.StatusInternalServerError, bodyFailed)
	}
}

// call runs fn, turning a panic into a *panicError so that the key is
// released and the server answers.
func (h *handler) call(ctx context.Context, e events.Event) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &panicError{value: p, stack: debug.Stack()}
		}
	}()
	return h.fn(ctx, e)
}

// panicError carries a recovered panic of the user's function.
type panicError struct {
	value any
	stack []byte
}

// Error implements error.
func (p *panicError) Error() string { return fmt.Sprintf("webhook: handler panicked: %v", p.value) }
