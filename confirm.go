package stashpay

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/internal/inbound"
	"github.com/stashpay/stashpay-go/internal/wire"
)

// ConfirmPaymentRequest is the body of Stash's POST /api/v1/purchase/confirm
// call: the player paid (the charge is pre-authorised) and the game must now
// grant the items.
//
// Decoding is tolerant, as Stash's API README asks: field names in
// lowerCamelCase (any letter case) or snake_case (exactly: "transaction_id"
// is transactionId), enums as names or integers, int64 values as JSON
// strings or numbers, a numeric playerId as its digits, unknown fields and
// unknown enum values accepted. A body that is not valid UTF-8 is refused.
// A field given twice keeps its last value (a snake_case spelling does not
// override the lowerCamelCase one). Amounts are integer minor units at
// DecimalPlaces; use [ConfirmPaymentRequest.TotalAmount] and friends for
// exact decimal [Amount]s.
type ConfirmPaymentRequest struct {
	// PlayerID is the player confirming the purchase. Required.
	PlayerID string `json:"playerId"`
	// TransactionID identifies the purchase session. Required; it is the
	// default exactly-once key of [ConfirmPaymentHandler] for a call
	// without a CheckoutLinkID (see [DefaultConfirmKey]).
	TransactionID string `json:"transactionId"`
	// CheckoutLinkID is set when the purchase went through a checkout link;
	// it is then the default exactly-once key (see [DefaultConfirmKey]).
	CheckoutLinkID string `json:"checkoutLinkId,omitempty"`
	// ShopID is the originating Stash shop (the shopId of webhooks).
	ShopID string `json:"shopId,omitempty"`
	// Environment is the Stash environment of the purchase; empty when not
	// sent.
	Environment PaymentEnvironment `json:"environment,omitempty"`
	// Currency is the ISO 4217 code, e.g. "USD". Required.
	Currency string `json:"currency"`
	// DecimalPlaces is the currency's CLDR fraction digits (2 for USD, 0 for
	// JPY); it scales Tax, Total and every item's Cents.
	// It is [NoDecimalPlaces] when the body did not carry it, which
	// Validate refuses (Stash always sends it).
	DecimalPlaces int `json:"decimalPlaces"`
	// Tax is the tax in minor units (may be 0).
	Tax int64 `json:"tax"`
	// Total is the amount charged, tax included, in minor units; > 0.
	Total int64 `json:"total"`
	// Time is when the purchase completed (Stash's timeMillis), in UTC.
	// Required.
	Time time.Time `json:"-"`
	// PaymentMethodType is how the player paid; empty when not sent.
	PaymentMethodType PaymentMethodType `json:"paymentMethodType,omitempty"`
	// Items are the purchased items. At least one.
	Items []PurchaseItem `json:"items"`
	// Platform is where the player bought; empty when not sent.
	Platform PurchasePlatform `json:"platform,omitempty"`
	// Browser describes the browser of a web purchase ("Chrome/91.0").
	Browser string `json:"browser,omitempty"`
	// DeviceID identifies the device, for fraud prevention.
	DeviceID string `json:"deviceId,omitempty"`
	// Source tells where the purchase started; empty when not sent.
	Source PurchaseSource `json:"source,omitempty"`
	// IPAddress is the customer's IP address.
	IPAddress string `json:"ipAddress,omitempty"`
	// Region is the ISO 3166-1 alpha-2 country code ("US"). Stash's field is
	// "region", not "regionCode".
	Region string `json:"region,omitempty"`
	// UserEmail is the customer's email.
	UserEmail string `json:"userEmail,omitempty"`
	// EmailMarketingOptIn tells whether the customer opted in to email
	// marketing; nil when not sent.
	EmailMarketingOptIn *bool `json:"emailMarketingOptIn,omitempty"`
	// BonusItems are extra items to grant with the purchase.
	BonusItems []ConfirmBonusItem `json:"bonusItems,omitempty"`
	// Loyalty is the player's loyalty standing; nil for shops without an
	// active loyalty campaign.
	Loyalty *PlayerLoyaltyState `json:"loyalty,omitempty"`
}

// ConfirmBonusItem is a bonus item to grant with a confirmed purchase.
type ConfirmBonusItem struct {
	// ID identifies the bonus item. Required.
	ID string `json:"id"`
	// Quantity is the number to grant, > 0.
	Quantity int64 `json:"quantity"`
}

// ConfirmPaymentResponse is the game's answer to a confirm call. The
// presence of Results (at least one) tells Stash the purchase succeeded.
type ConfirmPaymentResponse struct {
	// Results names the confirmed items; when empty, the handler answers
	// one result per request item. The handler drops a result that names
	// neither a product ID nor a GUID, or whose GUID is not a UUID (Stash
	// would refuse the answer after the grant), and logs it.
	Results []ConfirmPaymentResult `json:"results"`
}

// ConfirmPaymentResult names one confirmed item, by GUID or product ID (at
// least one of the two).
type ConfirmPaymentResult struct {
	// GUID is the confirmed item's GUID (a UUID); may be empty when
	// ProductID is set.
	GUID string `json:"guid,omitempty"`
	// ProductID is the confirmed item's SKU; may be empty when GUID is set.
	ProductID string `json:"productId,omitempty"`
}

// TotalAmount returns Total as a decimal [Amount] at DecimalPlaces (1098 at 2
// is "10.98").
func (r *ConfirmPaymentRequest) TotalAmount() (Amount, error) {
	return FormatMinor(r.Total, r.DecimalPlaces)
}

// TaxAmount returns Tax as a decimal [Amount] at DecimalPlaces.
func (r *ConfirmPaymentRequest) TaxAmount() (Amount, error) {
	return FormatMinor(r.Tax, r.DecimalPlaces)
}

// Validate checks the rules Stash documents for a confirm request: PlayerID
// and TransactionID set, Currency of 3 letters, DecimalPlaces in 0..18, Tax
// >= 0, Total > 0, Time set (timeMillis > 0), at least one item and every
// item with a GUID, a product ID, Quantity > 0 and Cents > 0, every bonus
// item with an ID and Quantity > 0, Region empty or of 2-3 letters. Errors
// wrap [ErrInvalidEgressRequest] and name the field, never its value.
func (r *ConfirmPaymentRequest) Validate() error {
	if err := validateEgressCommon(r.PlayerID, r.TransactionID, r.Currency, r.DecimalPlaces, r.Region); err != nil {
		return err
	}
	switch {
	case r.Tax < 0:
		return egressInvalid("tax", "must be >= 0")
	case r.Total <= 0:
		return egressInvalid("total", "must be > 0")
	case r.Time.UnixMilli() <= 0:
		return egressInvalid("timeMillis", "required")
	}
	if err := validateEgressItems(r.Items, "items", false); err != nil {
		return err
	}
	for i, b := range r.BonusItems {
		p := "bonusItems[" + strconv.Itoa(i) + "]"
		if b.ID == "" {
			return egressInvalid(p+".id", "required")
		}
		if b.Quantity <= 0 {
			return egressInvalid(p+".quantity", "must be > 0")
		}
	}
	return nil
}

type (
	plainConfirm ConfirmPaymentRequest
	// confirmJSON is the request's shadow (see itemJSON), with timeMillis,
	// which the public type holds as a time.Time.
	confirmJSON struct {
		plainConfirm
		DecimalPlaces wire.Int     `json:"decimalPlaces"`
		Tax           wire.Int64   `json:"tax"`
		Total         wire.Int64   `json:"total"`
		TimeMillis    wire.Millis  `json:"timeMillis"`
		Items         []itemJSON   `json:"items"`
		BonusItems    []bonusJSON  `json:"bonusItems"`
		Loyalty       *loyaltyJSON `json:"loyalty"`
	}
)

// UnmarshalJSON decodes a confirm request tolerantly; see
// [ConfirmPaymentRequest]. It does not validate; call Validate.
func (r *ConfirmPaymentRequest) UnmarshalJSON(data []byte) error {
	var s confirmJSON
	if err := unmarshalEgress(data, &s, confirmJSON{DecimalPlaces: NoDecimalPlaces}); err != nil {
		return err
	}
	*r = ConfirmPaymentRequest(s.plainConfirm)
	r.DecimalPlaces, r.Tax, r.Total, r.Time = int(s.DecimalPlaces), int64(s.Tax), int64(s.Total), s.TimeMillis.Time()
	r.Items, r.BonusItems = values[PurchaseItem](s.Items), values[ConfirmBonusItem](s.BonusItems)
	r.Loyalty = optional[PlayerLoyaltyState](s.Loyalty)
	return nil
}

// MarshalJSON writes the request as Stash sends it: lowerCamelCase names,
// enums as names (omitted when empty), timeMillis as a string, so that a
// test can pass a ConfirmPaymentRequest to stashpaytest.NewEgressRequest.
// (The fake's own checkout flow writes its bodies with its own types, an
// independent rendering of Stash's format, so that a mistake in this
// package's JSON cannot hide itself in the tests.)
func (r ConfirmPaymentRequest) MarshalJSON() ([]byte, error) {
	var ms string
	if !r.Time.IsZero() {
		ms = strconv.FormatInt(r.Time.UnixMilli(), 10)
	}
	return json.Marshal(struct {
		plainConfirm
		TimeMillis string `json:"timeMillis,omitempty"`
	}{plainConfirm(r), ms})
}

// UnmarshalJSON decodes a confirm response tolerantly (snake_case names
// accepted).
func (r *ConfirmPaymentResponse) UnmarshalJSON(data []byte) error {
	type plain ConfirmPaymentResponse // without this method
	return unmarshalEgress(data, (*plain)(r), plain{})
}

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
//     transaction rolled back); the handler answers 500 and records
//     nothing. An error that wraps a [*dedup.CompleteError] is no
//     exception: when a [dedup.Do] of your own returns one after the
//     grant, its work ran, so return nil, not its error.
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
// committed. A nil fn or an invalid cfg panics (programming errors, as in
// http.Handle; see [EgressConfig.Validate]). In order, the handler answers:
//
//   - 405 with "Allow: POST" for any other method;
//   - 413 for a body over cfg.MaxBodyBytes;
//   - 401 when the v1 signature (or, if allowed and no v1 header is
//     present, the legacy one) is missing or wrong, for another shop, or
//     more than cfg.Tolerance away from now;
//   - 400 for a body that is not a valid confirm request, such as one that
//     is not valid UTF-8 (nothing is claimed);
//   - 200 {"results": [...]} after fn returned a nil error: fn's results
//     (those Stash accepts; see [ConfirmPaymentResponse]), or one result
//     (GUID and product ID) per item when it returned none;
//   - 200 with one result per item, without calling fn, when the
//     transaction's key was already confirmed with the same items (a retry
//     or duplicate) or granted by another route under the same key (the
//     webhook; see [DefaultConfirmKey]), and 409 when it was confirmed
//     with other items, currency or total (items listed in another order
//     are the same items);
//   - the [PurchaseRejectedError]'s status (422 by default) when fn
//     rejected the purchase, and 422 without calling fn for the same
//     signed request replayed later;
//   - 500 when fn returned another error or panicked (the panic is
//     recovered and logged, and the server keeps serving);
//   - 503 when the exactly-once store failed (fn not called), or when the
//     same key stayed busy for cfg.BusyWait, or the items' fingerprint for
//     a second (see below).
//
// Error answers carry a google.rpc.Status-like body {"code", "message"}
// without secrets. The server must set read timeouts (see [EgressConfig]).
//
// Exactly-once: the call runs under cfg.Store with the key from cfg.KeyFunc
// (default [DefaultConfirmKey]). A confirm that arrives while another one
// for the same key is running waits, up to cfg.BusyWait, for that one to
// finish and then answers as a duplicate if it succeeded, or runs fn itself
// if it failed; it never answers a failure while a grant may be under way,
// unless the wait runs out (503). When fn succeeded but the store could not
// record it, the answer is still 200, because the items were granted, and
// the failure is logged. Beside the key, the store keeps four kinds of
// markers: key + "#transaction:" + the transaction ID that fn granted (so
// that [CancelPaymentHandler] answers a cancel of that transaction itself,
// yet passes a cancel of another transaction under the same key to the
// game's function), key + "#granted:" + a digest of the items and bonus
// items (in any order), currency and total that fn granted (claimed
// before fn runs, like the key: a fingerprint already recorded under a key
// whose own record was lost answers the call as a duplicate, without
// calling fn, and records key + "#confirmed"; a store that cannot claim it
// answers 503), and key +
// "#confirmed:v2", written only once the other two landed (so that a later
// call under the key is answered 200 only for the same purchase, or when
// the key was completed by another route, such as the PURCHASE_SUCCEEDED
// webhook, sharing the key and store, which granted the purchase already;
// the cancel handler reads it too; when the transaction marker could not
// be recorded, key + "#confirmed", the marker of builds before v0.1.0, is
// written instead, which keeps the 409 and which a cancel of another
// transaction does not pass), and key + "#refused:" + a digest of the
// signature header and body of a call fn refused (and, with
// AllowLegacySignature, of the body alone when the call carried the legacy
// header too, so that stripping its v1 header does not make it new; so
// that replaying that signed call, which Stash's signature allows for 5
// minutes, cannot reach fn again; Stash's own retries are signed anew and
// do reach it, except under
// the legacy signature, which has no timestamp: a retry of a refused call
// is then the same signed call, and is refused again without calling fn). A later call
// reads the markers only once settled: one that another call is checking,
// or whose record is still being retried, is waited for up to what is left
// of cfg.BusyWait (at least a second), and is answered 503 if it stays busy.
//
// The handler is safe for concurrent use.
func ConfirmPaymentHandler(cfg EgressConfig, fn ConfirmPaymentFunc) http.Handler {
	c := &confirmHandler{
		h:  newEgressHandler(cfg, "ConfirmPaymentHandler", fn == nil),
		fn: fn, store: cfg.Store, lease: cfg.Lease, busyWait: cfg.BusyWait, keyFunc: cfg.KeyFunc,
	}
	if c.store == nil {
		c.store = dedup.NewMemoryStore()
	}
	if c.lease <= 0 {
		c.lease = DefaultLease
	}
	if c.busyWait == 0 {
		c.busyWait = DefaultBusyWait
	}
	return c
}

// errRefusedBefore answers a replay of a refused call.
var errRefusedBefore = &PurchaseRejectedError{Reason: "purchase rejected earlier"}

// markerError is a failure of the store on a marker key, before fn ran.
type markerError struct{ err error }

func (e *markerError) Error() string {
	return "exactly-once store failed on a marker: " + e.err.Error()
}

// Unwrap returns the store's error: a marker still busy is answered as a
// busy key (503 with Retry-After).
func (e *markerError) Unwrap() error { return e.err }

// ServeHTTP implements http.Handler.
func (c *confirmHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req, body, sig, ok := decodeEgress[ConfirmPaymentRequest](c.h, w, r)
	if !ok {
		return
	}
	key := confirmKey(c.keyFunc, req)
	digest := sha256.New()
	if sig != "" {
		digest.Write(append([]byte(sig), 0))
	}
	digest.Write(body)
	refused := key + "#refused:" + hex.EncodeToString(digest.Sum(nil))
	// A call that also carries the legacy header can be replayed with the v1
	// header stripped, and is then judged (and its refusal looked up) by
	// the body alone: a refusal is recorded under that digest too.
	var bodyRefused string
	if sig != "" && c.h.legacy && r.Header.Get(EgressLegacySignatureHeader) != "" {
		d := sha256.Sum256(body)
		bodyRefused = key + "#refused:" + hex.EncodeToString(d[:])
	}
	fingerprint := key + "#granted:" + confirmFingerprint(req)
	listed := key + "#granted:" + listedFingerprint(req)
	paid := paidMarker(key, req.TransactionID)

	var out *ConfirmPaymentResponse
	start := time.Now()
	res, err := inbound.Once(r.Context(), c.store, key, c.lease, max(c.busyWait, 0), func(ctx context.Context) error {
		var err error
		out, err = c.grant(ctx, r, req, key, refused, bodyRefused, fingerprint, listed, paid)
		return err
	})
	var rej *PurchaseRejectedError
	var completeErr *dedup.CompleteError
	var mErr *markerError
	tx := slog.String("transaction_id", req.TransactionID)
	switch {
	case res == dedup.AlreadyDone:
		c.duplicate(w, r, req, key, fingerprint, listed, start)
	case res == dedup.Ran && (err == nil || errors.As(err, &completeErr)):
		// A CompleteError here is the key's own record (inbound.Once hides
		// one that an error of fn wraps).
		if err != nil {
			c.h.log(r, slog.LevelError, "stashpay: confirm granted but the exactly-once store did not record it", tx, "error", err.Error())
			inbound.AfterComplete(err, func(err error) {
				c.h.log(r.WithContext(context.WithoutCancel(r.Context())), slog.LevelError,
					"stashpay: confirm granted but still not recorded when its lease ended; a retry may call the function again", tx, "error", err.Error())
			})
		}
		inbound.JSON(w, http.StatusOK, c.answer(r, req, out))
	case errors.As(err, &rej):
		if rej == errRefusedBefore {
			c.h.log(r, slog.LevelInfo, "stashpay: replay of a refused confirm answered without calling the function", tx)
		}
		inbound.JSON(w, rej.status(), struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		}{9, rej.Reason}) // FAILED_PRECONDITION, whatever the status
	case res == dedup.Ran && !errors.As(err, &mErr):
		reraiseAbort(err) // the key is released
		inbound.Error(w, http.StatusInternalServerError, egressInternalMessage)
	case errors.Is(err, dedup.ErrBusy):
		c.h.log(r, slog.LevelWarn, "stashpay: confirm still running elsewhere; answering 503", tx)
		w.Header().Set("Retry-After", "1")
		inbound.Error(w, http.StatusServiceUnavailable, "confirmation in progress")
	default:
		c.h.log(r, slog.LevelError, "stashpay: exactly-once store failed; function not called", tx, "error", err.Error())
		inbound.Error(w, http.StatusServiceUnavailable, "exactly-once store unavailable")
	}
}

// grant runs under the purchase's key. It answers a replay of a refused
// call, and items already granted under the key (its own record lost),
// without calling fn; runs fn under the items' fingerprint; and records a
// refusal, or what was granted, before the key is completed.
func (c *confirmHandler) grant(ctx context.Context, r *http.Request, req *ConfirmPaymentRequest, key, refused, bodyRefused, granted, listed, paid string) (*ConfirmPaymentResponse, error) {
	mark, err := c.store.Claim(ctx, refused, c.lease)
	switch {
	case err != nil:
		return nil, &markerError{err}
	case mark.Outcome == dedup.Done:
		return nil, errRefusedBefore
	case mark.Outcome != dedup.Claimed:
		// Held by a holder that died while recording a refusal of this
		// very request: refuse to decide until its lease ends.
		return nil, &markerError{fmt.Errorf("refusal marker busy: %w", dedup.ErrBusy)}
	}
	// fn runs under the fingerprint too: what it grants is recorded as it
	// is for the key, and a fingerprint already recorded means these items
	// were granted under the key although its own record was lost (another
	// transaction of the link, or this one's retry): answered without
	// calling fn, and the key is recorded now.
	var out *ConfirmPaymentResponse
	fres, ferr := inbound.Once(ctx, c.store, granted, c.lease, minMarkerWait, func(ctx context.Context) error {
		return c.h.call(r, "confirm", func() (err error) {
			out, err = c.fn(ctx, req)
			return err
		})
	})
	switch {
	case fres == dedup.Ran && (ferr == nil || errors.As(ferr, new(*dedup.CompleteError))):
		err = nil // granted; ferr is the fingerprint's record, handled below
	case fres == dedup.Ran:
		// fn's own error, whatever it wraps (inbound.Once hides a
		// *dedup.CompleteError of the game's): the fingerprint was released.
		err, ferr = ferr, nil
	default: // the fingerprint's claim: fn not called
		err = ferr
	}
	// What follows fn runs even when the caller gave up, but within
	// markerWriteTimeout, so that a hung store cannot hold back the answer
	// to a purchase already granted.
	after, cancel := context.WithTimeout(context.WithoutCancel(ctx), markerWriteTimeout)
	defer cancel()
	switch {
	case fres == dedup.AlreadyDone:
		_ = c.store.Release(after, refused, mark.Token)
		c.h.log(r, slog.LevelInfo, "stashpay: confirm of items granted under the key, whose own record was lost, answered without calling the function", "transaction_id", req.TransactionID)
		// The confirmed marker may be lost with the key: the first name's
		// keeps the 409 for other items, and the cancel does not pass on it.
		c.recordConfirmed(after, r, req.TransactionID, key, key+legacyConfirmedSuffix)
		return nil, nil
	case fres == dedup.Skipped:
		_ = c.store.Release(after, refused, mark.Token)
		return nil, &markerError{err}
	}
	if errors.Is(err, ErrPurchaseRejected) {
		if cerr := c.store.Complete(after, refused, mark.Token); cerr != nil {
			c.h.log(r, slog.LevelError, "stashpay: confirm refused but the refusal was not recorded", "transaction_id", req.TransactionID, "error", cerr.Error())
		}
		if bodyRefused != "" {
			if rerr := c.record(after, bodyRefused); rerr != nil {
				c.h.log(r, slog.LevelError, "stashpay: confirm refused but the refusal was not recorded", "transaction_id", req.TransactionID, "error", rerr.Error())
			}
		}
		return nil, err
	}
	_ = c.store.Release(after, refused, mark.Token)
	if err != nil {
		return nil, err
	}
	// The fingerprint (recorded as fn returned) and the transaction's
	// marker, then the confirmed marker only once both landed: a later call under the key is answered
	// 409 only when the fingerprint and a confirmed marker say a confirm
	// granted other items (with neither it is answered 200, as for a
	// purchase another route granted), and a cancel reaches fn under a
	// confirmed key only when #confirmed:v2 says a confirm granted it and
	// the transaction's marker is not this transaction's. Without the
	// transaction's marker, the marker of earlier builds is written
	// instead, which keeps the 409 and which the cancel does not read.
	perr := c.record(after, paid)
	if ferr == nil && listed != granted {
		// Also in the form of builds before v0.1.0, which a retry reaching
		// one of them during a rolling upgrade reads; best effort.
		_ = c.record(after, listed)
	}
	confirmed := key + confirmedSuffix
	var paidRetry, fpRetry *dedup.CompleteError
	switch {
	case perr == nil:
	case errors.As(perr, &paidRetry) && paidRetry.Retrying:
	default:
		paidRetry = nil
		c.logUnmarked(r, req.TransactionID, perr)
		confirmed = key + legacyConfirmedSuffix
	}
	switch {
	case ferr == nil:
	case errors.As(ferr, &fpRetry) && fpRetry.Retrying:
	default:
		c.logUnmarked(r, req.TransactionID, ferr)
		return out, nil
	}
	if paidRetry == nil && fpRetry == nil {
		c.recordConfirmed(after, r, req.TransactionID, key, confirmed)
		return out, nil
	}
	// They land only through background retries, if at all. Hold the
	// confirmed marker meanwhile (a later call waits for it, or is
	// answered 503), and record it once they landed, without holding back
	// the answer, which would use up the key's lease.
	hold, herr := c.store.Claim(after, confirmed, c.lease)
	if herr != nil || hold.Outcome != dedup.Claimed {
		c.logUnmarked(r, req.TransactionID, errors.Join(perr, ferr, herr))
		return out, nil
	}
	go c.markAfter(r.WithContext(context.WithoutCancel(ctx)), req.TransactionID, key, paidRetry, fpRetry, confirmed, hold.Token)
	return out, nil
}

// record records the marker key of a granted confirm. A marker another
// call is checking at this instant is waited for, briefly, as a duplicate
// waits (minMarkerWait).
func (c *confirmHandler) record(ctx context.Context, key string) error {
	_, err := inbound.Once(ctx, c.store, key, c.lease, minMarkerWait, func(context.Context) error { return nil })
	return err
}

// markAfter completes the held confirmed marker once the background
// retries of the transaction marker (paid, nil when it is not retried) and
// of the fingerprint (fp, likewise) recorded them, and releases it when the
// fingerprint's gave up. When only the transaction marker's gave up, the
// confirmed marker of earlier builds is recorded instead, before the held
// one is released, as grant does when that marker fails at once.
func (c *confirmHandler) markAfter(r *http.Request, transactionID, key string, paid, fp *dedup.CompleteError, confirmed, token string) {
	ctx := r.Context()
	var perr, ferr error
	if paid != nil {
		perr = paid.Wait(ctx)
	}
	if fp != nil {
		ferr = fp.Wait(ctx)
	}
	finish, cancel := context.WithTimeout(ctx, markerWriteTimeout)
	defer cancel()
	switch {
	case ferr != nil:
		c.logUnmarked(r, transactionID, errors.Join(perr, ferr))
	case perr != nil:
		c.logUnmarked(r, transactionID, perr)
		if err := c.record(finish, key+legacyConfirmedSuffix); err != nil {
			c.logUnmarked(r, transactionID, err)
		}
	default:
		if err := c.store.Complete(finish, confirmed, token); err != nil {
			c.logUnmarked(r, transactionID, err)
			if confirmed != key+legacyConfirmedSuffix {
				// The fallback first, then the held marker is freed: no
				// instant without either.
				if err := c.record(finish, key+legacyConfirmedSuffix); err != nil {
					c.logUnmarked(r, transactionID, err)
				}
				_ = c.store.Release(finish, confirmed, token)
			}
		}
		return
	}
	_ = c.store.Release(finish, confirmed, token)
}

// recordConfirmed records the confirmed marker (key + confirmedSuffix, or
// the legacy one). When #confirmed:v2 cannot be recorded, the legacy marker is
// recorded instead: it keeps the 409 for a confirm of other items, and a
// cancel of another transaction does not pass on it.
func (c *confirmHandler) recordConfirmed(ctx context.Context, r *http.Request, transactionID, key, confirmed string) {
	err := c.record(ctx, confirmed)
	if err != nil && confirmed != key+legacyConfirmedSuffix {
		c.logUnmarked(r, transactionID, err)
		err = c.record(ctx, key+legacyConfirmedSuffix)
	}
	if err != nil {
		c.logUnmarked(r, transactionID, err)
	}
}

// logUnmarked logs a marker of a granted confirm that could not be recorded.
func (c *confirmHandler) logUnmarked(r *http.Request, transactionID string, err error) {
	c.h.log(r, slog.LevelError, "stashpay: confirm granted but what it granted was not recorded; a later confirm under the key with other items is answered 200", "transaction_id", transactionID, "error", err.Error())
}

// duplicate answers a call whose key was done before: 200 for the same
// purchase, or for a purchase another route (the webhook, a poll) granted
// under the key without a confirm, and 409 for a confirm of other items.
//
// Its marker checks wait, together, for what is left of the busy wait since
// the call started, and at least minMarkerWait: a check takes an instant,
// so two duplicates checking at once must not answer 503 even when the busy
// wait is off.
func (c *confirmHandler) duplicate(w http.ResponseWriter, r *http.Request, req *ConfirmPaymentRequest, key, granted, listed string, start time.Time) {
	tx := slog.String("transaction_id", req.TransactionID)
	deadline := time.Now().Add(max(c.busyWait-time.Since(start), minMarkerWait))
	same, err := marked(r.Context(), c.store, granted, deadline)
	if err == nil && !same && listed != granted {
		// A confirm granted by a build before v0.1.0, whose fingerprint
		// kept the lines in the order sent (a retry across an upgrade).
		same, err = marked(r.Context(), c.store, listed, deadline)
	}
	if err == nil && !same {
		var confirmed bool
		confirmed, err = marked(r.Context(), c.store, key+confirmedSuffix, deadline)
		if err == nil && !confirmed {
			// Or under the marker's first name, which builds before v0.1.0
			// wrote and this one writes when the new one failed: read
			// second, as it is written before a held new one is freed.
			confirmed, err = marked(r.Context(), c.store, key+legacyConfirmedSuffix, deadline)
		}
		if err == nil && !confirmed {
			c.h.log(r, slog.LevelInfo, "stashpay: confirm of a purchase another route granted answered without calling the function", tx)
			inbound.JSON(w, http.StatusOK, &ConfirmPaymentResponse{Results: confirmResults(req.Items)})
			return
		}
	}
	switch {
	case errors.Is(err, dedup.ErrBusy):
		c.h.log(r, slog.LevelWarn, "stashpay: duplicate confirm whose record is still being checked or written; answering 503", tx)
		w.Header().Set("Retry-After", "1")
		inbound.Error(w, http.StatusServiceUnavailable, "confirmation in progress")
	case err != nil:
		c.h.log(r, slog.LevelError, "stashpay: exactly-once store failed on a duplicate confirm", tx, "error", err.Error())
		inbound.Error(w, http.StatusServiceUnavailable, "exactly-once store unavailable")
	case !same:
		c.h.log(r, slog.LevelWarn, "stashpay: confirm under a confirmed key with other items; answering 409", tx)
		inbound.Error(w, http.StatusConflict, "transaction already confirmed with other items")
	default:
		c.h.log(r, slog.LevelInfo, "stashpay: duplicate confirm answered without calling the function", tx)
		inbound.JSON(w, http.StatusOK, &ConfirmPaymentResponse{Results: confirmResults(req.Items)})
	}
}

// confirmedSuffix names the marker, key + confirmedSuffix, that a confirm
// granted under key (with whatever items), as opposed to another route, and
// that the transaction marker ([paidMarker]) of what it granted landed.
// Builds before v0.1.0 wrote key + legacyConfirmedSuffix instead, as this
// one does when its transaction marker failed: duplicate reads both, the
// cancel handler only the new one (so that it never takes such a confirm
// for another transaction's).
const (
	confirmedSuffix       = "#confirmed:v2"
	legacyConfirmedSuffix = "#confirmed"
)

// paidMarker names the marker that a confirm of the transaction
// transactionID granted under key: the cancel handler tells by it a cancel
// of that transaction (never released) from one of another transaction of
// the same checkout link.
func paidMarker(key, transactionID string) string {
	return key + "#transaction:" + transactionID
}

// confirmKey is the exactly-once key of a confirm call: keyFunc's, or
// [DefaultConfirmKey] when keyFunc is nil or returns "".
func confirmKey(keyFunc func(*ConfirmPaymentRequest) string, req *ConfirmPaymentRequest) string {
	if keyFunc != nil {
		if key := keyFunc(req); key != "" {
			return key
		}
	}
	return DefaultConfirmKey(req)
}

// errUnmarked ends the check of a marker that was not recorded: the
// check's claim of it is released.
var errUnmarked = errors.New("stashpay: marker not recorded")

const (
	// minMarkerWait is the least time a duplicate's or a cancel's marker
	// checks, and a granted confirm's marker writes, wait for a marker
	// another call is checking.
	minMarkerWait = time.Second
	// markerCheckLease is the lease of a marker check's claim: a check
	// that could not release its claim blocks the others at most this long.
	markerCheckLease = 10 * time.Second
	// markerWriteTimeout bounds what a granted confirm records after fn
	// (its markers), the store call that records or frees a held marker in
	// the background, and a cancel's freeing or recording of the key: well
	// under Stash's deadline, so that a hung store cannot hold back the
	// answer to a purchase already granted.
	markerWriteTimeout = 10 * time.Second
)

// marked reports whether the marker key was recorded (Done). It checks by
// claiming the marker and releasing it at once, and answers only from a
// settled marker: one that is Busy (another call checking it right now, or
// its own write whose Complete is still being retried) is waited for, up to
// deadline, like the key itself; when the wait runs out it returns
// dedup.ErrBusy.
func marked(ctx context.Context, store dedup.Store, key string, deadline time.Time) (bool, error) {
	wait := max(time.Until(deadline), time.Millisecond)
	res, err := inbound.Once(ctx, store, key, markerCheckLease, wait, func(context.Context) error { return errUnmarked })
	switch {
	case errors.Is(err, errUnmarked):
		return false, nil
	case err != nil:
		return false, err
	}
	return res == dedup.AlreadyDone, nil
}

// confirmFingerprint is the hex SHA-256 of what a confirm grants: currency,
// total, items (GUID, product ID, quantity, cents) and bonus items, the
// lines in any order (a retry that lists them in another order is the same
// purchase; a repeated line still counts). The transaction ID is left out on
// purpose: a new purchase session through a checkout link whose confirm was
// granted (its 200 lost, so Stash failed the charge) is the player paying
// for what they already have, and is answered 200 without granting again.
func confirmFingerprint(req *ConfirmPaymentRequest) string {
	lines := make([]string, 0, len(req.Items)+len(req.BonusItems))
	for _, it := range req.Items {
		lines = append(lines, fmt.Sprintf("item %q %q %d %d\n", it.GUID, it.ProductID, it.Quantity, it.Cents))
	}
	for _, b := range req.BonusItems {
		lines = append(lines, fmt.Sprintf("bonus %q %d\n", b.ID, b.Quantity))
	}
	slices.Sort(lines)
	h := sha256.New()
	fmt.Fprintf(h, "%q %d\n", req.Currency, req.Total)
	for _, l := range lines {
		h.Write([]byte(l))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// listedFingerprint is the fingerprint of builds before v0.1.0: as
// confirmFingerprint, with the lines in the order sent. A grant records it
// too (when it differs) and duplicates read it, so that during a rolling
// upgrade a retry is the same purchase whichever build granted it and
// whichever answers; it can go once no such build runs and no marker it
// wrote is left (their retention).
func listedFingerprint(req *ConfirmPaymentRequest) string {
	h := sha256.New()
	fmt.Fprintf(h, "%q %d\n", req.Currency, req.Total)
	for _, it := range req.Items {
		fmt.Fprintf(h, "item %q %q %d %d\n", it.GUID, it.ProductID, it.Quantity, it.Cents)
	}
	for _, b := range req.BonusItems {
		fmt.Fprintf(h, "bonus %q %d\n", b.ID, b.Quantity)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// answer is the 200 answer of a granted confirm: fn's results that Stash
// accepts (each names a product ID or a GUID, a GUID being a UUID), or one
// result per item when none is left. A result Stash would refuse after the
// grant, failing a purchase the player already has, is dropped and logged.
func (c *confirmHandler) answer(r *http.Request, req *ConfirmPaymentRequest, out *ConfirmPaymentResponse) *ConfirmPaymentResponse {
	var kept []ConfirmPaymentResult
	if out != nil {
		for _, res := range out.Results {
			if res.Valid() {
				kept = append(kept, res)
			}
		}
		if len(kept) < len(out.Results) {
			c.h.log(r, slog.LevelWarn, "stashpay: confirm results without a product ID or with a GUID that is not a UUID dropped from the answer",
				"transaction_id", req.TransactionID, "dropped", len(out.Results)-len(kept))
		}
	}
	if len(kept) == 0 {
		return &ConfirmPaymentResponse{Results: confirmResults(req.Items)}
	}
	return &ConfirmPaymentResponse{Results: kept}
}

// Valid reports whether Stash accepts the result: it names a product ID or
// a GUID, and a GUID it names is a UUID in its canonical 36-character form.
func (r ConfirmPaymentResult) Valid() bool {
	if r.GUID == "" {
		return r.ProductID != ""
	}
	_, err := uuid.Parse(r.GUID)
	return err == nil && len(r.GUID) == 36
}

// confirmResults returns one confirm result per item.
func confirmResults(items []PurchaseItem) []ConfirmPaymentResult {
	out := make([]ConfirmPaymentResult, len(items))
	for i, it := range items {
		out[i] = ConfirmPaymentResult{GUID: it.GUID, ProductID: it.ProductID}
	}
	return out
}
