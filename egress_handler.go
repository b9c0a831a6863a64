package stashpay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

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

// egressHandler is what the three handlers share: verification, body
// reading, logging and error answers.
type egressHandler struct {
	keys      []*signing.Key
	shopID    string
	legacy    bool
	tolerance time.Duration
	maxBody   int64
	logger    *slog.Logger
	broken    error // non-nil: answer every call 500
}

func newEgressHandler(cfg EgressConfig, nilFn bool) *egressHandler {
	h := &egressHandler{
		shopID:    cfg.ShopID,
		legacy:    cfg.AllowLegacySignature,
		tolerance: cfg.Tolerance,
		maxBody:   cfg.MaxBodyBytes,
		logger:    cfg.Logger,
	}
	if h.tolerance <= 0 {
		h.tolerance = signing.DefaultTolerance
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultEgressMaxBodyBytes
	}
	h.keys, h.broken = cfg.keys()
	if h.broken == nil && nilFn {
		h.broken = fmt.Errorf("%w: nil handler function", ErrInvalidEgressConfig)
	}
	return h
}

func (h *egressHandler) log(ctx context.Context, level slog.Level, msg string, args ...any) {
	if h.logger != nil {
		h.logger.Log(ctx, level, msg, args...)
	}
}

// readVerified answers everything that can go wrong before decoding:
// misconfiguration (500), method (405), size (413), signature (401). It
// returns the raw body once it is authentic.
func (h *egressHandler) readVerified(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	ctx := r.Context()
	if h.broken != nil {
		h.log(ctx, slog.LevelError, "stashpay: egress handler misconfigured", "path", r.URL.Path, "error", h.broken)
		h.writeError(w, http.StatusInternalServerError, egressCodeInternal, "egress handler misconfigured")
		return nil, false
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.writeError(w, http.StatusMethodNotAllowed, egressCodeUnimplemented, "method not allowed")
		return nil, false
	}
	body, err := h.readBody(w, r)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.log(ctx, slog.LevelWarn, "stashpay: egress body too large", "path", r.URL.Path, "limit", h.maxBody)
			h.writeError(w, http.StatusRequestEntityTooLarge, egressCodeResourceExhausted, "request body too large")
			return nil, false
		}
		h.writeError(w, http.StatusBadRequest, egressCodeInvalidArgument, "cannot read request body")
		return nil, false
	}
	if err := h.verify(r.Header, body); err != nil {
		h.log(ctx, slog.LevelWarn, "stashpay: egress signature rejected", "path", r.URL.Path, "reason", err.Error(), "remote", r.RemoteAddr)
		h.writeError(w, http.StatusUnauthorized, egressCodeUnauthenticated, egressSignatureMessage(err))
		return nil, false
	}
	return body, true
}

// egressInitialBodyCap bounds the buffer allocated from an announced
// Content-Length before any byte of the body is read.
const egressInitialBodyCap int64 = 64 << 10

// readBody reads at most maxBody bytes.
func (h *egressHandler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > h.maxBody {
		return nil, &http.MaxBytesError{Limit: h.maxBody}
	}
	rd := http.MaxBytesReader(w, r.Body, h.maxBody)
	if r.ContentLength > 0 {
		// The caller is not authenticated yet and Content-Length may lie:
		// allocate at most egressInitialBodyCap up front and grow with the
		// bytes that actually arrive.
		buf := bytes.NewBuffer(make([]byte, 0, min(r.ContentLength, egressInitialBodyCap)+bytes.MinRead))
		_, err := buf.ReadFrom(rd)
		return buf.Bytes(), err
	}
	return io.ReadAll(rd)
}

// verify checks the v1 signature or, when there is none and the config
// allows it, the legacy one, against every configured key.
func (h *egressHandler) verify(hdr http.Header, body []byte) error {
	if v1 := strings.TrimSpace(hdr.Get(EgressSignatureHeader)); v1 != "" {
		now := time.Now()
		var err error
		for _, k := range h.keys {
			if _, err = k.VerifyV1(v1, body, h.shopID, now, h.tolerance); !errors.Is(err, signing.ErrInvalidSignature) {
				return err // nil, or a failure no other key can fix
			}
		}
		return err
	}
	if !h.legacy {
		return signing.ErrMissingSignature
	}
	sig := strings.TrimSpace(hdr.Get(EgressLegacySignatureHeader))
	if sig == "" {
		return signing.ErrMissingSignature
	}
	var err error
	for _, k := range h.keys {
		if err = k.VerifyBody(body, sig); err == nil {
			return nil
		}
	}
	return err
}

// egressSignatureMessage is the 401 message: the kind of failure, nothing
// of the signature or the key.
func egressSignatureMessage(err error) string {
	switch {
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

// egressRequest is a decodable, checkable egress request.
type egressRequest interface {
	json.Unmarshaler
	Validate() error
}

// egressReadRequest answers everything that can go wrong before the game's
// function runs (500, 405, 413, 401, then 400 for a body that does not
// decode or validate) and returns the verified, valid request.
func egressReadRequest[T any, P interface {
	*T
	egressRequest
}](h *egressHandler, w http.ResponseWriter, r *http.Request) (*T, bool) {
	body, ok := h.readVerified(w, r)
	if !ok {
		return nil, false
	}
	req := new(T)
	if !h.decode(w, body, P(req)) {
		return nil, false
	}
	return req, true
}

// decode decodes and validates body into req, answering 400 on failure.
func (h *egressHandler) decode(w http.ResponseWriter, body []byte, req egressRequest) bool {
	err := req.UnmarshalJSON(body) // validates the syntax once, then decodes
	if err == nil {
		err = req.Validate()
	}
	if err != nil {
		h.writeError(w, http.StatusBadRequest, egressCodeInvalidArgument, err.Error())
		return false
	}
	return true
}

// writeJSON answers status with v as JSON.
func (h *egressHandler) writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		h.writeError(w, http.StatusInternalServerError, egressCodeInternal, egressInternalMessage)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError answers status with a google.rpc.Status-like body.
func (h *egressHandler) writeError(w http.ResponseWriter, status, code int, msg string) {
	egressWriteError(w, status, code, msg)
}

// egressWriteError answers status with a google.rpc.Status-like body.
func egressWriteError(w http.ResponseWriter, status, code int, msg string) {
	b, _ := json.Marshal(egressStatusBody{Code: code, Message: msg})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// egressCall runs the game's function, turning a panic into an error (and
// logging it with its stack) so that the server keeps serving.
// http.ErrAbortHandler is re-panicked, as net/http expects.
func egressCall[T any](h *egressHandler, r *http.Request, op string, fn func() (T, error)) (res T, err error) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler { //nolint:errorlint // sentinel panic value
				panic(v)
			}
			h.log(r.Context(), slog.LevelError, "stashpay: egress function panicked", "op", op, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			err = &egressPanicError{value: v}
		}
	}()
	res, err = fn()
	if err != nil && !errors.Is(err, ErrPurchaseRejected) {
		var re *RegistrationError
		var ce *CancellationError
		level := slog.LevelError
		if errors.As(err, &re) || errors.As(err, &ce) {
			level = slog.LevelInfo
		}
		h.log(r.Context(), level, "stashpay: egress function failed", "op", op, "error", err.Error())
	}
	return res, err
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
// with http.StripPrefix.
func PurchaseHandler(cfg EgressConfig, fns PurchaseFuncs) http.Handler {
	var register, confirm, cancel http.Handler
	if fns.Register != nil {
		register = RegisterPaymentHandler(cfg, fns.Register)
	}
	if fns.Confirm != nil {
		confirm = ConfirmPaymentHandler(cfg, fns.Confirm)
	}
	if fns.Cancel != nil {
		cancel = CancelPaymentHandler(cfg, fns.Cancel)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var next http.Handler
		switch strings.TrimSuffix(r.URL.Path, "/") {
		case RegisterPaymentPath:
			next = register
		case ConfirmPaymentPath:
			next = confirm
		case CancelPaymentPath:
			next = cancel
		}
		if next == nil {
			egressWriteError(w, http.StatusNotFound, egressCodeNotFound, "not found")
			return
		}
		next.ServeHTTP(w, r)
	})
}
