package stashpay

import (
	"context"
	"encoding/json"
	"net/http"
)

// CancelPaymentRequest is the body of Stash's POST /api/v1/purchase/cancel
// call, step 2B of the pre-purchase flow: the purchase registered earlier
// will not complete, so the game should release what it reserved. Decoding
// is as tolerant as for [ConfirmPaymentRequest].
type CancelPaymentRequest struct {
	// PlayerID is the player whose purchase is cancelled. Required.
	PlayerID string
	// TransactionID is the purchase session to cancel. Required.
	TransactionID string
	// CheckoutLinkID is set when the purchase went through a checkout link.
	CheckoutLinkID string
	// ShopID is the originating Stash shop.
	ShopID string
	// Environment is the Stash environment; empty when not sent.
	Environment PaymentEnvironment
	// Currency is the ISO 4217 code. Required.
	Currency string
	// DecimalPlaces is the currency's CLDR fraction digits; it scales every
	// item's Cents.
	DecimalPlaces int
	// Items are the cancelled items. At least one.
	Items []PurchaseItem
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
// confirm: answer FAILED_ALREADY_COMPLETED instead. Stash's signature covers
// the body and a timestamp but not the path, so a signed request can be
// replayed to another purchase path within the 5-minute window; a cancel
// that releases only reservations, never grants, cannot be abused that way.
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

// UnmarshalJSON decodes a cancel request tolerantly. It does not validate;
// call Validate.
func (r *CancelPaymentRequest) UnmarshalJSON(data []byte) error {
	return egressUnmarshal(data, r.decode)
}

func (r *CancelPaymentRequest) decode(data []byte, path string) error {
	*r = CancelPaymentRequest{}
	shared := egressSharedFields{
		playerID: &r.PlayerID, transactionID: &r.TransactionID,
		checkoutLinkID: &r.CheckoutLinkID, shopID: &r.ShopID, currency: &r.Currency,
		environment: &r.Environment, decimalPlaces: &r.DecimalPlaces,
	}
	return egressObject(data, path, func(k, raw []byte) (bool, error) {
		if string(k) == "items" {
			return true, decodeEgressItems(raw, "items", &r.Items)
		}
		return shared.decode(k, raw)
	})
}

// MarshalJSON writes the request as Stash sends it.
func (r CancelPaymentRequest) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		egressWireCommon
		Items []PurchaseItem `json:"items"`
	}{
		egressWireCommon{r.PlayerID, r.TransactionID, r.CheckoutLinkID, r.ShopID, r.Environment, r.Currency, r.DecimalPlaces},
		r.Items,
	})
}

// UnmarshalJSON decodes a cancel response tolerantly.
func (r *CancelPaymentResponse) UnmarshalJSON(data []byte) error {
	return egressUnmarshal(data, func(data []byte, path string) error {
		*r = CancelPaymentResponse{}
		return egressObject(data, path, func(k, raw []byte) (bool, error) {
			switch string(k) {
			case "status":
				return true, egressEnumField(raw, path, "status", egressCancellationNames, &r.Status)
			case "message":
				return true, egressString(raw, path, "message", &r.Message)
			}
			return false, nil
		})
	})
}

// CancelPaymentHandler returns the http.Handler for Stash's POST
// /api/v1/purchase/cancel. It checks the method, caps and verifies the body
// as [ConfirmPaymentHandler] does (405, 413, 401 and 400 answers, fn not
// called), then calls fn and always answers 200 with a status, as Stash
// requires; see [CancelPaymentFunc] for how fn's result maps to the status.
// The status is written as its name; Stash accepts names and numbers.
// An invalid cfg or a nil fn makes every call answer 500.
func CancelPaymentHandler(cfg EgressConfig, fn CancelPaymentFunc) http.Handler {
	h := newEgressHandler(cfg, fn == nil)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, ok := egressReadRequest[CancelPaymentRequest](h, w, r)
		if !ok {
			return
		}
		resp, err := egressCall(h, r, "cancel", func() (*CancelPaymentResponse, error) {
			return fn(r.Context(), req)
		})
		h.writeJSON(w, http.StatusOK, egressCancelAnswer(resp, err))
	})
}

// egressCancelAnswer builds the cancel response from fn's result.
func egressCancelAnswer(resp *CancelPaymentResponse, err error) *CancelPaymentResponse {
	if err != nil {
		status, msg := egressCancellationFailure(err)
		return &CancelPaymentResponse{Status: status, Message: msg}
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
