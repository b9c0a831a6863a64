package stashpay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/internal/inbound"
	"github.com/stashpay/stashpay-go/internal/redact"
	"github.com/stashpay/stashpay-go/internal/signing"
)

// Paths and headers of Stash's egress purchase calls.
const (
	RegisterPaymentPath = "/api/v1/purchase/register"
	ConfirmPaymentPath  = "/api/v1/purchase/confirm"
	CancelPaymentPath   = "/api/v1/purchase/cancel"

	// EgressSignatureHeader carries the v1 signature,
	// "v1;{shopId};{unixMillis};{base64 HMAC-SHA256(egressKey, millis + "." + body)}".
	EgressSignatureHeader = "X-Stash-Hmac-Signature"
	// EgressLegacySignatureHeader carries the deprecated body-only
	// signature, base64 HMAC-SHA256(egressKey, body); see
	// [EgressConfig.AllowLegacySignature].
	EgressLegacySignatureHeader = "Stash-Hmac-Signature"
)

// Defaults of [EgressConfig], the same as the webhook package's.
const (
	// DefaultMaxBodyBytes is the largest request body read by default:
	// 1 MiB. Larger bodies are answered 413 without verification.
	DefaultMaxBodyBytes = inbound.DefaultMaxBodyBytes
	// DefaultLease is how long a confirm call, or a cancel call on a key
	// no route completed, holds the purchase's exactly-once key while the
	// game's function runs, by default. It must outlast either function:
	// after it, a retry may run the function again. The confirm function's
	// context ends shortly before the lease does (see [dedup.Do]).
	DefaultLease = inbound.DefaultLease
	// DefaultBusyWait is how long, by default, a confirm call for a
	// transaction whose confirmation is running elsewhere waits for that one
	// to finish before answering 503.
	DefaultBusyWait = inbound.DefaultBusyWait
)

// EgressConfig configures the handlers Stash calls on the game backend:
// [ConfirmPaymentHandler], [RegisterPaymentHandler], [CancelPaymentHandler]
// and [PurchaseHandler]. ShopID and EgressKey are required; everything else
// has a default. The handlers copy the config; changing it afterwards has no
// effect. String, GoString, Format, LogValue and MarshalJSON never reveal the
// keys. fmt cannot call them for an unexported field, so a struct of yours
// holding an EgressConfig in an unexported field prints the keys with %v:
// export the field, hold a pointer, or give your struct a String method.
//
// The handlers cannot bound a slow sender: an http.Handler sees the request
// only once its headers arrived, and reads the body as it trickles in. The
// http.Server that serves them must set ReadHeaderTimeout, ReadTimeout and
// IdleTimeout (for instance 5 s, 30 s and 2 min), or anyone can hold its
// connections open.
type EgressConfig struct {
	// ShopID is the shop's ID (Studio's "App ID"). The v1 signature's shop
	// field must equal it. Required; no ';', whitespace or control
	// characters.
	ShopID string
	// EgressKey is the Egress API key from Studio (Project Settings, API
	// Secrets), used as the raw bytes of the string unless Base64Key is set.
	// Required; empty, surrounding whitespace (a trailing newline from a
	// file) and control characters are refused.
	EgressKey string
	// PreviousEgressKeys are also accepted, for a key rotation: add the old
	// key here when you put the new one in EgressKey, remove it once Stash
	// signs with the new one. Each is checked as EgressKey is.
	PreviousEgressKeys []string
	// Base64Key makes the handlers base64-decode every key (standard or
	// URL-safe alphabet, padded or not) and use the decoded bytes, as some
	// older Stash samples did. Off by default: Stash signs with the raw
	// string.
	Base64Key bool
	// AllowLegacySignature accepts the deprecated "stash-hmac-signature"
	// header (a body-only HMAC, without timestamp or shop ID, so replayable)
	// on requests that carry no v1 "x-stash-hmac-signature" header. A request
	// with a v1 header, even a blank one, is judged by it alone; either
	// header sent twice is refused (401), as an ambiguous signature. Off by
	// default; a call that carries only the legacy header is then answered
	// 401 with a message (and a log record) saying so and naming this
	// setting. It applies to the purchase calls (register, confirm,
	// cancel) only: the GET calls ([CatalogHandler], [OfferDetailsHandler],
	// [PlayerHandler]) sign an empty body, whose legacy signature is one
	// fixed value that would let anyone who saw it once call them with any
	// query, forever, so they require the v1 header.
	AllowLegacySignature bool
	// Tolerance is how far the v1 signature's timestamp may be from the
	// handler's clock, either way. 0 means 5 minutes, Stash's window.
	Tolerance time.Duration
	// Store makes confirm exactly-once per purchase (its key, by default
	// the checkout link's; see KeyFunc), and remembers the
	// refusals and the granted items of each (see [ConfirmPaymentHandler]).
	// If nil, a confirm handler gets its own [dedup.MemoryStore]
	// ([EgressHandler] and [PurchaseHandler]: one, shared by confirm and
	// cancel; a [CancelPaymentHandler] built alone gets none and checks
	// nothing, since a store of its own would hold no confirm), which
	// protects one process only: a backend with several replicas must share
	// a store (Redis, PostgreSQL), ideally the one its webhook handler
	// uses. The cancel handler reads it too, and holds the confirm key
	// while the cancel function runs (see [CancelPaymentHandler]).
	Store dedup.Store
	// Lease is how long a confirm call (or a cancel call, see
	// [DefaultLease]) holds its key; 0 means [DefaultLease].
	Lease time.Duration
	// BusyWait is how long a confirm call waits while another call for the
	// same key is running, before answering 503; 0 means
	// [DefaultBusyWait], a negative value answers 503 at once. A call
	// running in this process (on the same Store) is waited for
	// in-process; one on another instance, by asking the Store again with
	// back-off.
	BusyWait time.Duration
	// KeyFunc derives the exactly-once key of a confirm call. The default,
	// also used when KeyFunc returns "", is [DefaultConfirmKey]
	// ("checkout:" + CheckoutLinkID, the default key of the webhook
	// handler for the PURCHASE_SUCCEEDED of the same purchase): a game
	// that gives its webhook handler and this handler one Store, and no
	// key functions, grants a purchase once whichever route comes first.
	// The cancel handler calls it too, with only the fields a cancel
	// carries (the IDs, currency and items): derive the key from those
	// alone.
	KeyFunc func(req *ConfirmPaymentRequest) string
	// MaxBodyBytes caps the request body; 0 or less means
	// [DefaultMaxBodyBytes].
	MaxBodyBytes int64
	// Logger receives rejected calls, failures, panics and duplicates.
	// Records never contain a key or a signature. If nil, nothing is logged.
	Logger *slog.Logger
}

// DefaultConfirmKey returns the default exactly-once key of a confirm call:
// [events.CheckoutKey](req.CheckoutLinkID), "checkout:" + the checkout
// link ID, which is also the default key of the PURCHASE_SUCCEEDED webhook
// of the purchase ([events.PurchaseSucceeded.IdempotencyKey]), or, for a
// call without a checkout link ID, [events.TransactionKey](req.TransactionID),
// "purchase-tx:" + the transaction ID.
func DefaultConfirmKey(req *ConfirmPaymentRequest) string {
	if req.CheckoutLinkID != "" {
		return events.CheckoutKey(req.CheckoutLinkID)
	}
	return events.TransactionKey(req.TransactionID)
}

// Validate reports whether the config can serve requests: ShopID set,
// without ';', whitespace or control characters; EgressKey and every
// PreviousEgressKeys entry set, without surrounding whitespace or control
// characters, and base64 when Base64Key is set. Errors wrap
// [ErrInvalidEgressConfig], name the setting ("EgressConfig.EgressKey",
// "EgressConfig.PreviousEgressKeys[1]") and never contain a key. The handler
// constructors panic with this error on an invalid config, as they do for a
// nil function, so that a key with a trailing newline stops the game at
// start-up instead of failing every purchase; call Validate first to handle
// it as an error.
func (c EgressConfig) Validate() error {
	_, err := c.keys()
	return err
}

// keys builds the signing keys, EgressKey first.
func (c EgressConfig) keys() (signing.Ring, error) {
	if err := signing.CheckShopID("EgressConfig.ShopID", c.ShopID); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidEgressConfig, err)
	}
	keys, err := signing.NewRing(append([]string{c.EgressKey}, c.PreviousEgressKeys...), c.Base64Key, func(i int) string {
		if i == 0 {
			return "EgressConfig.EgressKey"
		}
		return "EgressConfig.PreviousEgressKeys[" + strconv.Itoa(i-1) + "]"
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidEgressConfig, err)
	}
	return keys, nil
}

// String describes the config with the keys redacted.
func (c EgressConfig) String() string {
	return fmt.Sprintf("stashpay.EgressConfig{ShopID: %q, EgressKey: %s, PreviousEgressKeys: %d redacted, Base64Key: %t, AllowLegacySignature: %t, Tolerance: %s, Lease: %s, BusyWait: %s, MaxBodyBytes: %d}",
		c.ShopID, redact.Secret(c.EgressKey), len(c.PreviousEgressKeys), c.Base64Key, c.AllowLegacySignature,
		c.Tolerance, c.Lease, c.BusyWait, c.MaxBodyBytes)
}

// GoString is String, so that %#v does not reveal the keys either.
func (c EgressConfig) GoString() string { return c.String() }

// Format writes String for every verb, so that no verb (%v, %+v, %#v, %s,
// %d, %x, ...) prints the keys.
func (c EgressConfig) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// LogValue makes slog log the config with the keys redacted.
func (c EgressConfig) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("shop_id", c.ShopID),
		slog.String("egress_key", redact.Secret(c.EgressKey)),
		slog.Bool("allow_legacy_signature", c.AllowLegacySignature),
	)
}

// MarshalJSON writes the redacted description, never the keys.
func (c EgressConfig) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// Errors of the egress handlers and request types, usable with errors.Is.
var (
	// ErrInvalidEgressRequest is wrapped by the Validate methods of the
	// egress requests; the handlers answer such requests 400.
	ErrInvalidEgressRequest = errors.New("stashpay: invalid egress request")
	// ErrMalformedEgressJSON is wrapped by the errors the egress request and
	// response decoders return for JSON that cannot be read: bad syntax,
	// invalid UTF-8, a value of the wrong kind, an integer out of range. The
	// error names the member, never its value; the handlers answer 400.
	ErrMalformedEgressJSON = errors.New("stashpay: malformed egress JSON")
	// ErrPurchaseRejected matches every [PurchaseRejectedError].
	ErrPurchaseRejected = errors.New("stashpay: purchase rejected")
	// ErrInvalidEgressConfig is wrapped by [EgressConfig.Validate].
	ErrInvalidEgressConfig = errors.New("stashpay: invalid egress config")
)

// DefaultRejectStatus is the HTTP status [ConfirmPaymentHandler] answers for
// a [PurchaseRejectedError] without a valid StatusCode: 422 Unprocessable
// Entity. Any non-2xx answer fails the purchase; 422 keeps a refusal by the
// game apart from malformed (400), unauthenticated (401) and failed (5xx)
// calls in Stash's and the game's logs.
const DefaultRejectStatus = http.StatusUnprocessableEntity

// PurchaseRejectedError is the error a [ConfirmPaymentFunc] returns to refuse
// a purchase on purpose (the item is gone, the player is banned, a limit is
// reached) without having granted anything. The confirm handler answers it
// with StatusCode and a google.rpc.Status body whose message is Reason, so
// Stash fails the purchase and does not capture the charge.
type PurchaseRejectedError struct {
	// Reason is sent to Stash as the error message; keep secrets out of it.
	Reason string
	// StatusCode is the HTTP status to answer, 400..499;
	// [DefaultRejectStatus] when 0 or outside that range.
	StatusCode int
}

// RejectPurchase returns a [*PurchaseRejectedError] with reason and
// [DefaultRejectStatus]. Return it from a [ConfirmPaymentFunc] (wrapping it
// with %w is fine) only when nothing was granted.
func RejectPurchase(reason string) error {
	return &PurchaseRejectedError{Reason: reason, StatusCode: DefaultRejectStatus}
}

// Error implements error.
func (e *PurchaseRejectedError) Error() string {
	return ErrPurchaseRejected.Error() + egressSuffix(e.Reason)
}

// Is reports whether target is [ErrPurchaseRejected].
func (e *PurchaseRejectedError) Is(target error) bool { return target == ErrPurchaseRejected }

// status returns the HTTP status to answer.
func (e *PurchaseRejectedError) status() int {
	if e.StatusCode >= 400 && e.StatusCode <= 499 {
		return e.StatusCode
	}
	return DefaultRejectStatus
}

// RegistrationError is the error a [RegisterPaymentFunc] returns to answer
// every registration of the call with one failure status.
type RegistrationError struct {
	// Status is the status to answer; a success or empty status is answered
	// as [PurchaseRegistrationStatusUnspecified].
	Status PurchaseRegistrationStatus
	// Message is sent to Stash with each status; keep secrets out of it.
	Message string
}

// RejectRegistration returns a [*RegistrationError] with status and message,
// for example RejectRegistration(PurchaseRegistrationStatusFailedInsufficientInventory, "sold out").
func RejectRegistration(status PurchaseRegistrationStatus, message string) error {
	return &RegistrationError{Status: status, Message: message}
}

// Error implements error.
func (e *RegistrationError) Error() string {
	return "stashpay: registration rejected: " + string(e.Status) + egressSuffix(e.Message)
}

// CancellationError is the error a [CancelPaymentFunc] returns to answer a
// cancel call with a failure status.
type CancellationError struct {
	// Status is the status to answer; a success or empty status is answered
	// as [PurchaseCancellationStatusUnspecified].
	Status PurchaseCancellationStatus
	// Message is sent to Stash; keep secrets out of it.
	Message string
}

// RejectCancellation returns a [*CancellationError] with status and message,
// for example RejectCancellation(PurchaseCancellationStatusFailedAlreadyCompleted, "").
func RejectCancellation(status PurchaseCancellationStatus, message string) error {
	return &CancellationError{Status: status, Message: message}
}

// Error implements error.
func (e *CancellationError) Error() string {
	return "stashpay: cancellation rejected: " + string(e.Status) + egressSuffix(e.Message)
}

func egressSuffix(msg string) string {
	if msg == "" {
		return ""
	}
	return ": " + msg
}

// egressInternalMessage is what Stash is told about an unexpected failure of
// the game's function; the details go to the log only.
const egressInternalMessage = "internal error"

// egressInvalid builds a validation error naming field, never its value.
func egressInvalid(field, why string) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidEgressRequest, field, why)
}

// unmarshalEgress is the UnmarshalJSON of an egress type, called with p
// converted to its method-less alias: [decodePlain], with errors wrapping
// [ErrMalformedEgressJSON]. v holds what a body may leave out
// (DecimalPlaces [NoDecimalPlaces]).
func unmarshalEgress[P any](data []byte, p *P, v P) error {
	if err := decodePlain(data, p, v); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformedEgressJSON, err)
	}
	return nil
}

// NoDecimalPlaces is the DecimalPlaces of a decoded egress request, or of
// an ingress price ([ProductPrice], [PriceConversion]), that did not carry
// decimalPlaces. Stash always sends it (swagger.v1.json marks it required,
// "always sent, even when 0"); reading its absence as 0 would scale every
// amount wrongly (4.99 read as 499 units), so the egress Validate methods,
// and therefore the handlers, refuse it (400, naming the field), and
// [ProductPrice.Amount] and [FormatMinor] refuse it.
const NoDecimalPlaces = -1

// validateEgressCommon holds the checks every egress request shares.
func validateEgressCommon(playerID, transactionID, currency string, decimalPlaces int, region string) error {
	switch {
	case playerID == "":
		return egressInvalid("playerId", "required")
	case transactionID == "":
		return egressInvalid("transactionId", "required")
	case len(currency) != 3:
		return egressInvalid("currency", "must be a 3-letter ISO 4217 code")
	case decimalPlaces == NoDecimalPlaces:
		return egressInvalid("decimalPlaces", "required (the amounts' scale); Stash always sends it")
	case decimalPlaces < 0 || decimalPlaces > 18:
		return egressInvalid("decimalPlaces", "must be between 0 and 18")
	case region != "" && (len(region) < 2 || len(region) > 3):
		return egressInvalid("region", "must be an ISO 3166-1 code of 2 or 3 letters")
	}
	return nil
}

// validateEgressItems checks the documented rules for items: at least one;
// each with a GUID, a product ID, a positive quantity, and cents > 0 (or
// >= 0 when zeroCents is allowed).
func validateEgressItems(items []PurchaseItem, path string, zeroCents bool) error {
	if len(items) == 0 {
		return egressInvalid(path, "at least one item is required")
	}
	for i, it := range items {
		p := path + "[" + strconv.Itoa(i) + "]"
		switch {
		case it.GUID == "":
			return egressInvalid(p+".guid", "required")
		case it.ProductID == "":
			return egressInvalid(p+".productId", "required")
		case it.Quantity <= 0:
			return egressInvalid(p+".quantity", "must be > 0")
		case it.Cents < 0:
			return egressInvalid(p+".cents", "must be >= 0")
		case it.Cents == 0 && !zeroCents:
			return egressInvalid(p+".cents", "must be > 0")
		}
	}
	return nil
}

// egressHandler is what the three handlers share: verification, body
// reading and decoding, logging.
type egressHandler struct {
	keys      signing.Ring
	shopID    string
	legacy    bool
	tolerance time.Duration
	maxBody   int64
	logger    *slog.Logger
}

// newEgressHandler builds the shared part of the handler constructor
// called name. A nil function or an invalid cfg panics, as http.Handle does
// for its programming errors: both would fail every call Stash makes. The
// panic value is an error wrapping [ErrInvalidEgressConfig] for a bad cfg;
// it names the setting, never a key.
func newEgressHandler(cfg EgressConfig, name string, nilFn bool) *egressHandler {
	if nilFn {
		panic("stashpay: " + name + " called with a nil function")
	}
	keys, err := cfg.keys()
	if err != nil {
		panic(fmt.Errorf("stashpay: %s: %w", name, err))
	}
	h := &egressHandler{
		keys: keys, shopID: cfg.ShopID, legacy: cfg.AllowLegacySignature, tolerance: cfg.Tolerance,
		maxBody: cfg.MaxBodyBytes, logger: cfg.Logger,
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	return h
}

func (h *egressHandler) log(r *http.Request, level slog.Level, msg string, args ...any) {
	if h.logger != nil {
		h.logger.Log(r.Context(), level, msg, append(args, "path", r.URL.Path)...)
	}
}

// logContext is log for code that has the request's context only.
func (h *egressHandler) logContext(ctx context.Context, level slog.Level, msg string, args ...any) {
	if h.logger != nil {
		h.logger.Log(ctx, level, msg, args...)
	}
}

// egressRequest is a decodable, checkable egress request.
type egressRequest interface {
	json.Unmarshaler
	Validate() error
}

// decodeEgress answers everything that can go wrong before the game's
// function runs: method (405), size (413),
// signature (401), then a body that does not decode or validate (400). It
// returns the authentic, valid request, its body and the v1 header that
// authenticated it ("" for a legacy signature).
func decodeEgress[T any, P interface {
	*T
	egressRequest
}](h *egressHandler, w http.ResponseWriter, r *http.Request) (req *T, body []byte, sig string, ok bool) {
	if !inbound.AllowMethod(w, r, http.MethodPost) {
		return nil, nil, "", false
	}
	body, err := inbound.ReadBody(w, r, h.maxBody)
	if err != nil {
		if inbound.ReadError(w, err) == http.StatusRequestEntityTooLarge {
			h.log(r, slog.LevelWarn, "stashpay: egress body too large", "limit", h.maxBody)
		}
		return nil, nil, "", false
	}
	if sig, err = h.verify(r.Header, body, h.legacyRule()); err != nil {
		h.rejectSignature(w, r, err)
		return nil, nil, "", false
	}
	req = new(T)
	if err = P(req).UnmarshalJSON(body); err == nil {
		err = P(req).Validate()
	}
	if err != nil {
		inbound.Error(w, http.StatusBadRequest, err.Error())
		return nil, nil, "", false
	}
	return req, body, sig, true
}

// verify checks the v1 signature against every key or, when the request
// has no v1 header at all, the legacy one, unless refuseLegacy is set: it
// is then the error of a request that carries the legacy header only. It
// returns the v1 header as verified.
func (h *egressHandler) verify(hdr http.Header, body []byte, refuseLegacy error) (string, error) {
	if v1 := hdr.Values(EgressSignatureHeader); len(v1) > 0 {
		if len(v1) > 1 {
			return "", signing.ErrMalformedHeader
		}
		_, _, err := h.keys.VerifyV1(v1[0], body, h.shopID, time.Now(), h.tolerance)
		return strings.TrimSpace(v1[0]), err
	}
	if refuseLegacy != nil {
		if hdr.Get(EgressLegacySignatureHeader) != "" {
			return "", refuseLegacy
		}
		return "", signing.ErrMissingSignature
	}
	legacy := hdr.Values(EgressLegacySignatureHeader)
	if len(legacy) > 1 {
		return "", signing.ErrMalformedHeader
	}
	_, err := h.keys.VerifyBody(body, hdr.Get(EgressLegacySignatureHeader))
	return "", err
}

// legacyRule is verify's refuseLegacy for the purchase calls: nil (accept)
// when the config allows the legacy signature.
func (h *egressHandler) legacyRule() error {
	if h.legacy {
		return nil
	}
	return errLegacyOnly
}

// errLegacyOnly is the failure of a call that carries only the legacy
// signature header while [EgressConfig.AllowLegacySignature] is off.
var errLegacyOnly = fmt.Errorf("%w; a legacy stash-hmac-signature header was received, which "+
	"EgressConfig.AllowLegacySignature accepts", signing.ErrMissingSignature)

// errLegacyOnGet is the failure of a GET call that carries only the legacy
// signature header: it signs the empty body, one fixed value, so it is
// never accepted there, whatever the config.
var errLegacyOnGet = fmt.Errorf("%w; a legacy stash-hmac-signature header was received, which "+
	"is never accepted on GET calls (it signs an empty body: one value for every call)", signing.ErrMissingSignature)

// rejectSignature logs a signature failure and answers it 401.
func (h *egressHandler) rejectSignature(w http.ResponseWriter, r *http.Request, err error) {
	h.log(r, slog.LevelWarn, "stashpay: egress signature rejected", "reason", err.Error(), "remote", r.RemoteAddr)
	inbound.Error(w, http.StatusUnauthorized, egressSignatureMessage(err))
}

// egressSignatureMessage is the 401 message: the kind of failure, nothing
// of the signature or the key.
func egressSignatureMessage(err error) string {
	switch {
	case errors.Is(err, errLegacyOnGet):
		return "missing x-stash-hmac-signature header; the legacy stash-hmac-signature is not accepted on GET calls, " +
			"whose empty body it would sign with one value for every call"
	case errors.Is(err, errLegacyOnly):
		return "missing x-stash-hmac-signature header; a legacy stash-hmac-signature header was received, " +
			"which EgressConfig.AllowLegacySignature accepts (off by default: the legacy signature can be replayed)"
	case errors.Is(err, signing.ErrMissingSignature):
		return "missing signature"
	case errors.Is(err, signing.ErrMalformedHeader), errors.Is(err, signing.ErrUnsupportedScheme):
		return "malformed signature header"
	case errors.Is(err, signing.ErrShopMismatch):
		return "signature is for another shop"
	case errors.Is(err, signing.ErrTimestampSkew):
		return "signature timestamp outside the allowed window"
	default:
		return "invalid signature"
	}
}

// call runs the game's function op with panic recovery and logs how it
// failed: a refusal at Info, anything else at Error, a panic with its
// stack. A panic comes back as a *inbound.PanicError; the caller re-raises
// http.ErrAbortHandler once it released what it holds.
func (h *egressHandler) call(r *http.Request, op string, fn func() error) error {
	err := inbound.Call(fn)
	var pe *inbound.PanicError
	var rej *PurchaseRejectedError
	var re *RegistrationError
	var ce *CancellationError
	switch {
	case err == nil:
	case errors.As(err, &pe):
		h.log(r, slog.LevelError, "stashpay: egress function panicked", "op", op, "panic", fmt.Sprint(pe.Value), "stack", string(pe.Stack))
	case errors.As(err, &rej), errors.As(err, &re), errors.As(err, &ce):
		h.log(r, slog.LevelInfo, "stashpay: egress call refused by the game", "op", op, "error", err.Error())
	default:
		h.log(r, slog.LevelError, "stashpay: egress function failed", "op", op, "error", err.Error())
	}
	return err
}

// serveEgress is the register and cancel handler: answer what decodeEgress
// refuses, call fn, and always answer 200 with answer's response.
func serveEgress[T any, P interface {
	*T
	egressRequest
}, R any](h *egressHandler, op string, fn func(context.Context, *T) (R, error), answer func(*T, R, error, func(msg string, args ...any)) R) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, _, _, ok := decodeEgress[T, P](h, w, r)
		if !ok {
			return
		}
		var resp R
		err := h.call(r, op, func() (err error) {
			resp, err = fn(r.Context(), req)
			return err
		})
		reraiseAbort(err)
		warn := func(msg string, args ...any) { h.log(r, slog.LevelWarn, msg, args...) }
		inbound.JSON(w, http.StatusOK, answer(req, resp, err, warn))
	})
}

// reraiseAbort panics with http.ErrAbortHandler when err is that panic.
func reraiseAbort(err error) {
	var pe *inbound.PanicError
	if errors.As(err, &pe) && pe.Aborted() {
		panic(http.ErrAbortHandler)
	}
}

// EgressFuncs are the game's functions for [EgressHandler], one per egress
// call Stash makes. A nil function leaves its path unserved (404).
type EgressFuncs struct {
	Register     RegisterPaymentFunc // serves [RegisterPaymentPath]
	Confirm      ConfirmPaymentFunc  // serves [ConfirmPaymentPath]
	Cancel       CancelPaymentFunc   // serves [CancelPaymentPath]
	Catalog      CatalogFunc         // serves [CatalogPath]
	OfferDetails OfferDetailsFunc    // serves [OfferDetailsPath]
	Player       PlayerFunc          // serves [PlayerPath]
}

// EgressHandler returns one http.Handler for the whole egress surface: the
// purchase calls as [PurchaseHandler] serves them and the webshop's calls
// ([CatalogHandler], [OfferDetailsHandler], [PlayerHandler]), each path
// served by the handler of its function and 404 for every other path. Mount
// it at the root of the Game Backend URL configured in Studio (or under a
// prefix with http.StripPrefix), on a server with read timeouts (see
// [EgressConfig]). An invalid cfg panics, as for each handler, even when
// fns has no function.
func EgressHandler(cfg EgressConfig, fns EgressFuncs) http.Handler {
	if _, err := cfg.keys(); err != nil {
		panic(fmt.Errorf("stashpay: EgressHandler: %w", err))
	}
	if cfg.Store == nil {
		// One store for confirm and cancel, so that cancel knows what
		// confirm granted (see CancelPaymentHandler).
		cfg.Store = dedup.NewMemoryStore()
	}
	routes := map[string]http.Handler{}
	add := func(path string, set bool, h func() http.Handler) {
		if set {
			routes[path] = h()
		}
	}
	add(RegisterPaymentPath, fns.Register != nil, func() http.Handler { return RegisterPaymentHandler(cfg, fns.Register) })
	add(ConfirmPaymentPath, fns.Confirm != nil, func() http.Handler { return ConfirmPaymentHandler(cfg, fns.Confirm) })
	add(CancelPaymentPath, fns.Cancel != nil, func() http.Handler { return CancelPaymentHandler(cfg, fns.Cancel) })
	add(CatalogPath, fns.Catalog != nil, func() http.Handler { return CatalogHandler(cfg, fns.Catalog) })
	add(OfferDetailsPath, fns.OfferDetails != nil, func() http.Handler { return OfferDetailsHandler(cfg, fns.OfferDetails) })
	add(PlayerPath, fns.Player != nil, func() http.Handler { return PlayerHandler(cfg, fns.Player) })
	return routeEgress(routes)
}

// routeEgress serves each path by its handler, a trailing slash ignored, and
// 404 for the rest.
func routeEgress(routes map[string]http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		if !strings.HasPrefix(path, "/") {
			path = "/" + path // mounted with http.StripPrefix("/prefix/", ...)
		}
		if next := routes[strings.TrimSuffix(path, "/")]; next != nil {
			next.ServeHTTP(w, r)
			return
		}
		inbound.Error(w, http.StatusNotFound, "not found")
	})
}

// PurchaseFuncs are the game's functions for [PurchaseHandler]. A nil
// function leaves its path unserved (404).
type PurchaseFuncs struct {
	Register RegisterPaymentFunc // serves [RegisterPaymentPath]; nil for 404
	Confirm  ConfirmPaymentFunc  // serves [ConfirmPaymentPath]; nil for 404
	Cancel   CancelPaymentFunc   // serves [CancelPaymentPath]; nil for 404
}

// PurchaseHandler returns one http.Handler that serves all three egress
// paths, [RegisterPaymentPath], [ConfirmPaymentPath] and
// [CancelPaymentPath], exactly as the three handler constructors do, and
// answers 404 for any other path. Mount it at the root of the server URL
// configured in Studio (Project Settings, Game Backend), or under a prefix
// with http.StripPrefix, on a server with read timeouts (see
// [EgressConfig]). An invalid cfg panics, as for [EgressHandler].
func PurchaseHandler(cfg EgressConfig, fns PurchaseFuncs) http.Handler {
	return EgressHandler(cfg, EgressFuncs{Register: fns.Register, Confirm: fns.Confirm, Cancel: fns.Cancel})
}
