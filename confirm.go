package stashpay

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/stashpay/stashpay-go/dedup"
)

// Pre-purchase validation, as the game backend sees it (STASH-API.md 4.1):
//
//   - register: reserve the items; always answer 200 with per-item statuses
//     ([RegisterPaymentHandler]).
//   - confirm: grant the items. 200 with results completes the purchase and
//     captures the charge; any 3xx, 4xx or 5xx fails it, so the player is
//     not charged ([ConfirmPaymentHandler]).
//   - cancel: release the reservation; always answer 200 with a status
//     ([CancelPaymentHandler]).
//
// Grant order for confirm (the full text is on [ConfirmPaymentFunc]): record
// the transaction ID and grant the items in one database transaction of
// the game's own, answering success without granting when it is recorded
// already; after the commit never return an error; refuse with
// [RejectPurchase] or fail with another error only while nothing is
// committed. A failure answered after a grant would leave the player with
// the items and no charge.

// ConfirmPaymentFunc grants a confirmed purchase. The handler calls it with
// a request whose signature was verified and which passed
// [ConfirmPaymentRequest.Validate]; ctx is the request's context.
//
// What the answer means to Stash: HTTP 200 with results completes the
// purchase (the pre-authorised charge is captured); any 3xx, 4xx or 5xx
// answer fails it (the player is not charged). So the function must follow
// this order:
//
//  1. In ONE transaction of the game's own database: look the transaction ID
//     up in a table of granted purchases (with a unique constraint on it);
//     if it is there already, commit nothing and return success (nil); if
//     not, insert it and grant the items (and req.BonusItems); commit.
//  2. After the commit, return nil (optionally with results). Never return
//     an error, nor panic, once the grant is committed: if a later step
//     fails (a notification, a cache), log it and still return nil, or the
//     player keeps the items without paying.
//  3. To refuse (item gone, limit reached, player banned), return
//     [RejectPurchase] before granting anything: the handler answers 422
//     and Stash fails the purchase.
//  4. Return any other error only when nothing was committed (the
//     transaction rolled back); the handler answers 500.
//
// The handler's exactly-once store keeps duplicates of a confirmed
// transaction from reaching the function, but the game's own record in step
// 1 is what keeps the grant single if the process dies between its commit
// and the store's record: a retry then reaches the function again and must
// find the transaction already granted.
type ConfirmPaymentFunc func(ctx context.Context, req *ConfirmPaymentRequest) (*ConfirmPaymentResponse, error)

// confirmHandler serves POST /api/v1/purchase/confirm.
type confirmHandler struct {
	h        *egressHandler
	fn       ConfirmPaymentFunc
	store    dedup.Store
	lease    time.Duration
	busyWait time.Duration
	keyFunc  func(*ConfirmPaymentRequest) string
}

// ConfirmPaymentHandler returns the http.Handler for Stash's POST
// /api/v1/purchase/confirm, step 2A of the pre-purchase flow. fn must follow
// the grant order documented on [ConfirmPaymentFunc]: grant and record the
// transaction in one commit, and return an error only when nothing was
// committed. In order, the handler answers:
//
//   - 500 when cfg is invalid or fn is nil (see [EgressConfig.Validate]);
//   - 405 with "Allow: POST" for any other method;
//   - 413 for a body over cfg.MaxBodyBytes;
//   - 401 when the v1 signature (or, if allowed and no v1 header is
//     present, the legacy one) is missing or wrong, for another shop, or
//     more than cfg.Tolerance away from now;
//   - 400 for a body that is not a valid confirm request;
//   - 200 {"results": [...]} after fn returned a nil error: fn's results,
//     or one result (GUID and product ID) per item when it returned none;
//   - 200 with one result per item, without calling fn, when the
//     transaction's key was already confirmed (a retry or duplicate);
//   - the [PurchaseRejectedError]'s status (422 by default) when fn
//     rejected the purchase;
//   - 500 when fn returned another error or panicked (the panic is
//     recovered and logged, and the server keeps serving);
//   - 503 when the exactly-once store failed (fn not called), or when the
//     same key stayed busy for cfg.BusyWait (see below).
//
// Error answers carry a google.rpc.Status-like body {"code", "message"}
// without secrets.
//
// Exactly-once: the call runs under [dedup.Do] with cfg.Store and the key
// from cfg.KeyFunc (default [DefaultConfirmKey]). A confirm that arrives
// while another one for the same key is running waits, up to cfg.BusyWait,
// for that one to finish and then answers as a duplicate (200) if it
// succeeded, or runs fn itself if it failed; it never answers a failure
// while a grant may be under way, unless the wait runs out (503). When fn
// succeeded but the store could not record it, the answer is still 200,
// because the items were granted, and the failure is logged.
//
// The handler is safe for concurrent use.
func ConfirmPaymentHandler(cfg EgressConfig, fn ConfirmPaymentFunc) http.Handler {
	c := &confirmHandler{
		h:        newEgressHandler(cfg, fn == nil),
		fn:       fn,
		store:    cfg.Store,
		lease:    cfg.Lease,
		busyWait: cfg.BusyWait,
		keyFunc:  cfg.KeyFunc,
	}
	if c.store == nil {
		c.store = dedup.NewMemoryStore()
	}
	if c.lease <= 0 {
		c.lease = DefaultEgressLease
	}
	if c.busyWait == 0 {
		c.busyWait = DefaultEgressBusyWait
	}
	return c
}

// ServeHTTP implements http.Handler.
func (c *confirmHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req, ok := egressReadRequest[ConfirmPaymentRequest](c.h, w, r)
	if !ok {
		return
	}
	key := ""
	if c.keyFunc != nil {
		key = c.keyFunc(req)
	}
	if key == "" {
		key = DefaultConfirmKey(req)
	}
	c.confirm(w, r, key, req)
}

// Back-off of a confirm waiting for a busy key.
const (
	egressBusyFirstDelay = 20 * time.Millisecond
	egressBusyMaxDelay   = 500 * time.Millisecond
)

// confirm runs fn once for key and answers.
func (c *confirmHandler) confirm(w http.ResponseWriter, r *http.Request, key string, req *ConfirmPaymentRequest) {
	ctx := r.Context()
	var deadline time.Time
	delay := egressBusyFirstDelay
	for {
		var out *ConfirmPaymentResponse
		res, err := dedup.Do(ctx, c.store, key, c.lease, func(ctx context.Context) error {
			var ferr error
			out, ferr = egressCall(c.h, r, "confirm", func() (*ConfirmPaymentResponse, error) {
				return c.fn(ctx, req)
			})
			return ferr
		})
		var completeErr *dedup.CompleteError
		switch {
		case res == dedup.AlreadyDone:
			c.h.log(ctx, slog.LevelInfo, "stashpay: duplicate confirm answered without calling the function", "transaction_id", req.TransactionID)
			c.h.writeJSON(w, http.StatusOK, &ConfirmPaymentResponse{Results: egressItemsResults(req.Items)})
		case res == dedup.Ran && (err == nil || errors.As(err, &completeErr)):
			if err != nil {
				c.h.log(ctx, slog.LevelError, "stashpay: confirm granted but the exactly-once store did not record it", "transaction_id", req.TransactionID, "error", err.Error())
			}
			c.h.writeJSON(w, http.StatusOK, egressConfirmAnswer(req, out))
		case res == dedup.Ran:
			var rej *PurchaseRejectedError
			if errors.As(err, &rej) {
				c.h.log(ctx, slog.LevelInfo, "stashpay: confirm rejected by the game", "transaction_id", req.TransactionID, "reason", rej.Reason)
				c.h.writeError(w, rej.status(), egressCodeFailedPrecondition, rej.Reason)
				return
			}
			c.h.writeError(w, http.StatusInternalServerError, egressCodeInternal, egressInternalMessage)
		case errors.Is(err, dedup.ErrBusy):
			if deadline.IsZero() {
				deadline = time.Now().Add(c.busyWait)
			}
			if c.busyWait < 0 || time.Now().Add(delay).After(deadline) || !egressSleep(ctx, delay) {
				c.h.log(ctx, slog.LevelWarn, "stashpay: confirm still running elsewhere; answering 503", "transaction_id", req.TransactionID)
				w.Header().Set("Retry-After", "1")
				c.h.writeError(w, http.StatusServiceUnavailable, egressCodeUnavailable, "confirmation in progress")
				return
			}
			delay = min(2*delay, egressBusyMaxDelay)
			continue
		default:
			c.h.log(ctx, slog.LevelError, "stashpay: exactly-once store failed; function not called", "transaction_id", req.TransactionID, "error", err.Error())
			c.h.writeError(w, http.StatusServiceUnavailable, egressCodeUnavailable, "exactly-once store unavailable")
		}
		return
	}
}

// egressSleep waits d or until ctx is done; it reports whether d passed.
func egressSleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// egressConfirmAnswer is fn's response, or one result per item when it gave
// none.
func egressConfirmAnswer(req *ConfirmPaymentRequest, out *ConfirmPaymentResponse) *ConfirmPaymentResponse {
	if out != nil && len(out.Results) > 0 {
		return out
	}
	return &ConfirmPaymentResponse{Results: egressItemsResults(req.Items)}
}
