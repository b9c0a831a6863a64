package stashpay

import (
	"github.com/stashpay/stashpay-go/internal/wire"

	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/stashpay/stashpay-go/dedup"
)

// CancelPaymentRequest is the body of Stash's POST /api/v1/purchase/cancel
// call, step 2B of the pre-purchase flow: the purchase registered earlier
// will not complete, so the game should release what it reserved. Decoding
// is as tolerant as for [ConfirmPaymentRequest].
type CancelPaymentRequest struct {
	// PlayerID is the player whose purchase is cancelled. Required.
	PlayerID string `json:"playerId"`
	// TransactionID is the purchase session to cancel. Required.
	TransactionID string `json:"transactionId"`
	// CheckoutLinkID is set when the purchase went through a checkout link.
	CheckoutLinkID string `json:"checkoutLinkId,omitempty"`
	// ShopID is the originating Stash shop.
	ShopID string `json:"shopId,omitempty"`
	// Environment is the Stash environment; empty when not sent.
	Environment PaymentEnvironment `json:"environment,omitempty"`
	// Currency is the ISO 4217 code. Required.
	Currency string `json:"currency"`
	// DecimalPlaces is the currency's CLDR fraction digits; it scales every
	// item's Cents.
	// It is [NoDecimalPlaces] when the body did not carry it, which
	// Validate refuses (Stash always sends it).
	DecimalPlaces int `json:"decimalPlaces"`
	// Items are the cancelled items. At least one.
	Items []PurchaseItem `json:"items"`
}

// CancelPaymentResponse is the game's answer to a cancel call. Stash
// expects HTTP 200 whatever the outcome.
type CancelPaymentResponse struct {
	// Status is the cancellation outcome; empty is answered as
	// [PurchaseCancellationStatusSuccessCancelled].
	Status PurchaseCancellationStatus `json:"status"`
	// Message is an optional human-readable note; keep secrets out of it.
	Message string `json:"message,omitempty"`
}

// CancelPaymentFunc handles a verified, valid cancel call. Return nil (or a
// response with an empty Status) for
// [PurchaseCancellationStatusSuccessCancelled]; return a response to choose
// the status; return an error made with [RejectCancellation] to answer its
// status (for instance [PurchaseCancellationStatusFailedAlreadyCompleted]
// when the transaction was confirmed already). Any other error, or a panic,
// answers [PurchaseCancellationStatusUnspecified], Stash's "unknown
// cancellation error" status, with a generic message.
//
// Never take back items of a transaction that was already granted on
// confirm: answer FAILED_ALREADY_COMPLETED instead. The handler does so
// itself, without calling the function, when it shares the confirm
// handler's store (see [CancelPaymentHandler]); a game that grants
// elsewhere must check its own records. Release only what this purchase
// session (req.TransactionID) reserved: the function is also called for the
// cancel of another session of a checkout link whose earlier session was
// granted, which must not take that grant back (a game that keeps
// reservations per checkout link, as the SDK's examples do, finds the link
// granted and has nothing to release). Stash may send a cancel more than
// once; releasing twice must be harmless. Stash's signature
// covers the body and a timestamp but not the path, so a signed request
// can be replayed to another purchase path within the 5-minute window; a
// cancel that releases only reservations, never grants, cannot be abused
// that way.
type CancelPaymentFunc func(ctx context.Context, req *CancelPaymentRequest) (*CancelPaymentResponse, error)

// Validate checks the rules Stash documents for a cancel request: PlayerID
// and TransactionID set, Currency of 3 letters, DecimalPlaces in 0..18, at
// least one item and each with a GUID, a product ID, Quantity > 0 and Cents
// >= 0. Errors wrap [ErrInvalidEgressRequest].
func (r *CancelPaymentRequest) Validate() error {
	if err := validateEgressCommon(r.PlayerID, r.TransactionID, r.Currency, r.DecimalPlaces, ""); err != nil {
		return err
	}
	return validateEgressItems(r.Items, "items", true)
}

// cancelJSON is the request's shadow (see itemJSON).
type cancelJSON struct {
	plainCancel
	DecimalPlaces wire.Int   `json:"decimalPlaces"`
	Items         []itemJSON `json:"items"`
}

type plainCancel CancelPaymentRequest

// UnmarshalJSON decodes a cancel request tolerantly. It does not validate;
// call Validate.
func (r *CancelPaymentRequest) UnmarshalJSON(data []byte) error {
	var s cancelJSON
	if err := unmarshalEgress(data, &s, cancelJSON{DecimalPlaces: NoDecimalPlaces}); err != nil {
		return err
	}
	*r = CancelPaymentRequest(s.plainCancel)
	r.DecimalPlaces, r.Items = int(s.DecimalPlaces), values[PurchaseItem](s.Items)
	return nil
}

// UnmarshalJSON decodes a cancel response tolerantly.
func (r *CancelPaymentResponse) UnmarshalJSON(data []byte) error {
	type plain CancelPaymentResponse // without this method
	return unmarshalEgress(data, (*plain)(r), plain{})
}

// CancelPaymentHandler returns the http.Handler for Stash's POST
// /api/v1/purchase/cancel. It checks the method, caps and verifies the body
// as [ConfirmPaymentHandler] does (405, 413, 401 and 400 answers, fn not
// called), then calls fn and always answers 200 with a
// status, as Stash requires; see [CancelPaymentFunc] for how fn's result
// maps to the status. The status is written as its name; Stash accepts names
// and numbers. A nil fn or an invalid cfg panics. The server must set read timeouts (see
// [EgressConfig]).
//
// With a cfg.Store (the confirm handler's: [EgressHandler] and
// [PurchaseHandler] share one between them, a memory store when cfg has
// none), the cancel is checked against the confirm key of its transaction:
// cfg.KeyFunc's (or [DefaultConfirmKey]) of a ConfirmPaymentRequest holding
// the cancel's fields, so a KeyFunc must derive the key only from fields a
// cancel carries too (the IDs, currency and items; not Total or
// BonusItems). A cancel of a transaction a confirm granted (once the store
// recorded the key or the transaction's marker), or of one whose key
// another route (the webhook, a poll) or a build before v0.1.0 completed,
// is answered [PurchaseCancellationStatusFailedAlreadyCompleted] without
// calling fn; one whose key a running call holds right now (a confirm, or
// another cancel under the key), or whose record cannot be read,
// [PurchaseCancellationStatusUnspecified]. A cancel of another transaction
// of a checkout link a confirm granted (a new purchase session the player
// started and abandoned) reaches fn, once the confirm's record landed
// (until then it is refused). While fn runs on a key no one
// completed, the handler holds the key for cfg.Lease (or [DefaultLease]),
// so a confirm of the transaction arriving meanwhile waits until fn
// returned (a confirm arriving after a cancel, which Stash does not send,
// is not refused). So a signed confirm body replayed to the cancel path,
// which the signature does not cover, cannot release what was granted.
// A cancel that finds the key free although a confirm granted under it
// (the key's own record was lost) records the key, as the confirm meant to,
// so routes sharing the key (the webhook) see the purchase as granted.
// When the store fails, fn is not called and the answer is
// [PurchaseCancellationStatusUnspecified]: releasing a purchase that may
// have been granted is worse than keeping a reservation.
func CancelPaymentHandler(cfg EgressConfig, fn CancelPaymentFunc) http.Handler {
	h := newEgressHandler(cfg, "CancelPaymentHandler", fn == nil)
	if cfg.Store != nil {
		fn = unlessConfirmed(h, cfg, fn)
	}
	return serveEgress[CancelPaymentRequest](h, "cancel", fn, cancelAnswer)
}

// unlessConfirmed wraps fn: a cancel of a transaction granted under its
// confirm key in cfg.Store, or whose confirm is running, does not reach fn,
// and fn runs holding the key (see CancelPaymentHandler).
func unlessConfirmed(h *egressHandler, cfg EgressConfig, fn CancelPaymentFunc) CancelPaymentFunc {
	store, lease := cfg.Store, cfg.Lease
	if lease <= 0 {
		lease = DefaultLease
	}
	return func(ctx context.Context, req *CancelPaymentRequest) (*CancelPaymentResponse, error) {
		key := confirmKey(cfg.KeyFunc, &ConfirmPaymentRequest{
			PlayerID: req.PlayerID, TransactionID: req.TransactionID, CheckoutLinkID: req.CheckoutLinkID,
			ShopID: req.ShopID, Environment: req.Environment, Currency: req.Currency,
			DecimalPlaces: req.DecimalPlaces, Items: req.Items,
		})
		tx := slog.String("transaction_id", req.TransactionID)
		c, err := store.Claim(ctx, key, lease)
		repair := false
		switch {
		case err != nil:
			h.logContext(ctx, slog.LevelError, "stashpay: cancel: exactly-once store failed, so whether the transaction was confirmed is unknown; answering UNSPECIFIED",
				tx, "error", err.Error())
			return nil, RejectCancellation(PurchaseCancellationStatusUnspecified, "confirmation record unavailable")
		case c.Outcome == dedup.Claimed:
			defer func() {
				after, cancel := context.WithTimeout(context.WithoutCancel(ctx), markerWriteTimeout)
				defer cancel()
				if repair {
					// A confirm granted under the key but the key's own
					// record never landed: record it now, so that a later
					// confirm under the key is a duplicate.
					if err := store.Complete(after, key, c.Token); err != nil {
						h.logContext(ctx, slog.LevelWarn, "stashpay: cancel: could not record the key of a granted transaction", tx, "error", err.Error())
					}
				} else if err := store.Release(after, key, c.Token); err != nil {
					h.logContext(ctx, slog.LevelWarn, "stashpay: cancel: could not free the confirm key, or its lease ended while the function ran",
						tx, "error", err.Error())
				}
			}()
		case c.Outcome != dedup.Done:
			return nil, RejectCancellation(PurchaseCancellationStatusUnspecified, "confirmation in progress")
		}
		// The markers are read on a free key too: a confirm that granted
		// may have failed to record the key itself. The confirmed marker
		// of earlier builds, which this one writes when its transaction
		// marker failed, says a confirm granted under the key, not which
		// transaction: on a free key, it refuses.
		deadline := time.Now().Add(minMarkerWait)
		paid, err := marked(ctx, store, paidMarker(key, req.TransactionID), deadline)
		var confirmed, legacy bool
		if err == nil && !paid {
			confirmed, err = marked(ctx, store, key+confirmedSuffix, deadline)
		}
		if err == nil && !paid && !confirmed && c.Outcome == dedup.Claimed {
			legacy, err = marked(ctx, store, key+legacyConfirmedSuffix, deadline)
		}
		if err != nil {
			h.logContext(ctx, slog.LevelWarn, "stashpay: cancel: the confirm record could not be read; answering UNSPECIFIED",
				tx, "error", err.Error())
			return nil, RejectCancellation(PurchaseCancellationStatusUnspecified, "confirmation record unavailable")
		}
		repair = paid || confirmed || legacy
		switch {
		case paid:
		case confirmed:
			h.logContext(ctx, slog.LevelInfo, "stashpay: cancel of a transaction other than the one confirmed under its key; calling the function", tx)
			return fn(ctx, req)
		case c.Outcome == dedup.Claimed && !legacy:
			return fn(ctx, req)
		}
		h.logContext(ctx, slog.LevelInfo, "stashpay: cancel of a confirmed transaction answered FAILED_ALREADY_COMPLETED without calling the function", tx)
		return nil, RejectCancellation(PurchaseCancellationStatusFailedAlreadyCompleted, "transaction already confirmed")
	}
}

// cancelAnswer builds the cancel response from fn's result.
func cancelAnswer(_ *CancelPaymentRequest, resp *CancelPaymentResponse, err error, _ func(string, ...any)) *CancelPaymentResponse {
	var ce *CancellationError
	switch {
	case errors.As(err, &ce):
		out := &CancelPaymentResponse{Status: ce.Status, Message: ce.Message}
		if ce.Status == "" || ce.Status == PurchaseCancellationStatusSuccessCancelled {
			out.Status = PurchaseCancellationStatusUnspecified
		}
		return out
	case err != nil:
		return &CancelPaymentResponse{Status: PurchaseCancellationStatusUnspecified, Message: egressInternalMessage}
	}
	out := &CancelPaymentResponse{Status: PurchaseCancellationStatusSuccessCancelled}
	if resp != nil {
		out.Message = resp.Message
		if resp.Status != "" {
			out.Status = resp.Status
		}
	}
	return out
}
