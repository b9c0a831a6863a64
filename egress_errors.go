package stashpay

import (
	"errors"
	"fmt"
	"net/http"
)

// Errors of the egress handlers and request types, usable with errors.Is.
var (
	// ErrInvalidEgressRequest is wrapped by the Validate methods of the
	// egress requests; the handlers answer such requests 400.
	ErrInvalidEgressRequest = errors.New("stashpay: invalid egress request")
	// ErrPurchaseRejected matches every [PurchaseRejectedError].
	ErrPurchaseRejected = errors.New("stashpay: purchase rejected")
	// ErrInvalidEgressConfig is wrapped by [EgressConfig.Validate].
	ErrInvalidEgressConfig = errors.New("stashpay: invalid egress config")
)

// egressInvalid builds a validation error naming field, never its value.
func egressInvalid(field, why string) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidEgressRequest, field, why)
}

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
	if e.Reason == "" {
		return ErrPurchaseRejected.Error()
	}
	return ErrPurchaseRejected.Error() + ": " + e.Reason
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

// egressRegistrationFailure maps an error of a RegisterPaymentFunc to the
// status and message answered for each item.
func egressRegistrationFailure(err error) (PurchaseRegistrationStatus, string) {
	var re *RegistrationError
	if errors.As(err, &re) {
		s := re.Status
		if s == "" || s == PurchaseRegistrationStatusSuccessRegistered {
			s = PurchaseRegistrationStatusUnspecified
		}
		return s, re.Message
	}
	return PurchaseRegistrationStatusUnspecified, egressInternalMessage
}

// egressCancellationFailure maps an error of a CancelPaymentFunc.
func egressCancellationFailure(err error) (PurchaseCancellationStatus, string) {
	var ce *CancellationError
	if errors.As(err, &ce) {
		s := ce.Status
		if s == "" || s == PurchaseCancellationStatusSuccessCancelled {
			s = PurchaseCancellationStatusUnspecified
		}
		return s, ce.Message
	}
	return PurchaseCancellationStatusUnspecified, egressInternalMessage
}

// egressPanicError carries a recovered panic of the game's function.
type egressPanicError struct{ value any }

func (e *egressPanicError) Error() string {
	return fmt.Sprintf("stashpay: handler function panicked: %v", e.value)
}

// egressStatusBody is the google.rpc.Status-shaped error body the handlers
// answer with. It never carries a secret or a signature.
type egressStatusBody struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// gRPC codes used in error bodies, as grpc-gateway maps them to HTTP.
const (
	egressCodeInvalidArgument    = 3
	egressCodeNotFound           = 5
	egressCodeResourceExhausted  = 8
	egressCodeFailedPrecondition = 9
	egressCodeUnimplemented      = 12
	egressCodeInternal           = 13
	egressCodeUnavailable        = 14
	egressCodeUnauthenticated    = 16
)
