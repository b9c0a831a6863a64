package stashpay

import (
	"context"
	"encoding/json"
	"net/http"
)

// RegisterPaymentRequest is the body of Stash's POST
// /api/v1/purchase/register call, step 1 of the pre-purchase flow: the game
// should reserve the items (inventory, purchase limits) before the player
// pays. Decoding is as tolerant as for [ConfirmPaymentRequest].
type RegisterPaymentRequest struct {
	// PlayerID is the player making the purchase. Required.
	PlayerID string
	// TransactionID identifies the purchase session; the confirm or cancel
	// call that follows carries the same ID. Required.
	TransactionID string
	// CheckoutLinkID is set when the purchase goes through a checkout link.
	CheckoutLinkID string
	// ShopID is the originating Stash shop.
	ShopID string
	// Environment is the Stash environment; empty when not sent.
	Environment PaymentEnvironment
	// Currency is the ISO 4217 code. Required.
	Currency string
	// DecimalPlaces is the currency's CLDR fraction digits; it scales every
	// registration's Cents. Always sent, 0 included.
	DecimalPlaces int
	// Registrations are the items to reserve. At least one.
	Registrations []PurchaseItem
	// Platform is where the player buys; empty when not sent.
	Platform PurchasePlatform
	// Browser describes the browser of a web purchase.
	Browser string
	// DeviceID identifies the device, for fraud prevention.
	DeviceID string
	// Source tells where the purchase started; empty when not sent.
	Source PurchaseSource
	// IPAddress is the customer's IP address.
	IPAddress string
	// Region is the ISO 3166-1 alpha-2 country code.
	Region string
	// Loyalty is the player's loyalty standing; nil without an active
	// loyalty campaign.
	Loyalty *PlayerLoyaltyState
}

// RegisterPaymentResponse is the game's answer to a register call: one
// status per registration. Stash expects HTTP 200 whatever the outcome.
type RegisterPaymentResponse struct {
	// Statuses holds one status per registration; when empty, the handler
	// answers every registration with
	// [PurchaseRegistrationStatusSuccessRegistered].
	Statuses []OfferStatus `json:"statuses"`
}

// OfferStatus is the registration status of one item, identified by GUID or
// product ID (at least one of the two).
type OfferStatus struct {
	// GUID is the registration's GUID (a UUID); may be empty when ProductID
	// is set.
	GUID string `json:"guid,omitempty"`
	// ProductID is the registration's SKU; may be empty when GUID is set.
	ProductID string `json:"productId,omitempty"`
	// Status is the item's registration outcome; empty is answered as
	// [PurchaseRegistrationStatusSuccessRegistered].
	Status PurchaseRegistrationStatus `json:"status"`
	// Message is an optional human-readable note for debugging; Stash may
	// show or log it, so keep secrets out of it.
	Message string `json:"message,omitempty"`
}

// RegisterPaymentFunc handles a verified, valid register call. Return nil
// (or a response without statuses) to register every item; return statuses
// to answer per item (an empty Status then reads as success); return an
// error made with [RejectRegistration] to give every item that status. Any
// other error, or a panic, answers every item with
// [PurchaseRegistrationStatusUnspecified], Stash's "unknown registration
// error" status, with a generic message.
type RegisterPaymentFunc func(ctx context.Context, req *RegisterPaymentRequest) (*RegisterPaymentResponse, error)

// Validate checks the rules Stash documents for a register request:
// PlayerID and TransactionID set, Currency of 3 letters, DecimalPlaces in
// 0..18, at least one registration and each with a GUID, a product ID,
// Quantity > 0 and Cents > 0, Region empty or of 2-3 letters. Errors wrap
// [ErrInvalidEgressRequest].
func (r *RegisterPaymentRequest) Validate() error {
	if err := validateEgressCommon(r.PlayerID, r.TransactionID, r.Currency, r.DecimalPlaces, r.Region); err != nil {
		return err
	}
	return validateEgressItems(r.Registrations, "registrations", false)
}

// UnmarshalJSON decodes a register request tolerantly. It does not
// validate; call Validate.
func (r *RegisterPaymentRequest) UnmarshalJSON(data []byte) error {
	return egressUnmarshal(data, r.decode)
}

func (r *RegisterPaymentRequest) decode(data []byte, path string) error {
	*r = RegisterPaymentRequest{}
	shared := egressSharedFields{
		playerID: &r.PlayerID, transactionID: &r.TransactionID,
		checkoutLinkID: &r.CheckoutLinkID, shopID: &r.ShopID, currency: &r.Currency,
		environment: &r.Environment, decimalPlaces: &r.DecimalPlaces,
		platform: &r.Platform, source: &r.Source, browser: &r.Browser,
		deviceID: &r.DeviceID, ipAddress: &r.IPAddress, region: &r.Region,
		loyalty: &r.Loyalty,
	}
	return egressObject(data, path, func(k, raw []byte) (bool, error) {
		if string(k) == "registrations" {
			return true, decodeEgressItems(raw, "registrations", &r.Registrations)
		}
		return shared.decode(k, raw)
	})
}

// MarshalJSON writes the request as Stash sends it.
func (r RegisterPaymentRequest) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		egressWireCommon
		Registrations []PurchaseItem      `json:"registrations"`
		Platform      PurchasePlatform    `json:"platform,omitempty"`
		Browser       string              `json:"browser,omitempty"`
		DeviceID      string              `json:"deviceId,omitempty"`
		Source        PurchaseSource      `json:"source,omitempty"`
		IPAddress     string              `json:"ipAddress,omitempty"`
		Region        string              `json:"region,omitempty"`
		Loyalty       *PlayerLoyaltyState `json:"loyalty,omitempty"`
	}{
		egressWireCommon{r.PlayerID, r.TransactionID, r.CheckoutLinkID, r.ShopID, r.Environment, r.Currency, r.DecimalPlaces},
		r.Registrations, r.Platform, r.Browser, r.DeviceID, r.Source, r.IPAddress, r.Region, r.Loyalty,
	})
}

// UnmarshalJSON decodes a register response tolerantly.
func (r *RegisterPaymentResponse) UnmarshalJSON(data []byte) error {
	return egressUnmarshal(data, func(data []byte, path string) error {
		*r = RegisterPaymentResponse{}
		return egressObject(data, path, func(k, raw []byte) (bool, error) {
			if string(k) != "statuses" {
				return false, nil
			}
			return true, egressArray(raw, "statuses", func(i int, elem []byte) error {
				var s OfferStatus
				p := egressIndex("statuses", i)
				err := egressObject(elem, p, func(k, raw []byte) (bool, error) {
					switch string(k) {
					case "status":
						return true, egressEnumField(raw, p, "status", egressRegistrationNames, &s.Status)
					case "message":
						return true, egressString(raw, p, "message", &s.Message)
					}
					return egressItemRef(k, raw, p, &s.GUID, &s.ProductID)
				})
				r.Statuses = append(r.Statuses, s)
				return err
			})
		})
	})
}

// RegisterPaymentHandler returns the http.Handler for Stash's POST
// /api/v1/purchase/register. It checks the method, caps and verifies the
// body as [ConfirmPaymentHandler] does (405, 413, 401 and 400 answers, fn
// not called), then calls fn and always answers 200 with one status per
// registration, as Stash requires; see [RegisterPaymentFunc] for how fn's
// result maps to statuses. Statuses are written as their names
// ("PURCHASE_REGISTRATION_STATUS_SUCCESS_REGISTERED"); Stash accepts names
// and numbers. An invalid cfg or a nil fn makes every call
// answer 500 (see [EgressConfig.Validate]).
func RegisterPaymentHandler(cfg EgressConfig, fn RegisterPaymentFunc) http.Handler {
	h := newEgressHandler(cfg, fn == nil)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, ok := egressReadRequest[RegisterPaymentRequest](h, w, r)
		if !ok {
			return
		}
		resp, err := egressCall(h, r, "register", func() (*RegisterPaymentResponse, error) {
			return fn(r.Context(), req)
		})
		h.writeJSON(w, http.StatusOK, egressRegisterAnswer(req, resp, err))
	})
}

// egressRegisterAnswer builds the register response from fn's result.
func egressRegisterAnswer(req *RegisterPaymentRequest, resp *RegisterPaymentResponse, err error) *RegisterPaymentResponse {
	if err == nil && resp != nil && len(resp.Statuses) > 0 {
		out := &RegisterPaymentResponse{Statuses: make([]OfferStatus, len(resp.Statuses))}
		copy(out.Statuses, resp.Statuses)
		for i := range out.Statuses {
			if out.Statuses[i].Status == "" {
				out.Statuses[i].Status = PurchaseRegistrationStatusSuccessRegistered
			}
		}
		return out
	}
	status, msg := PurchaseRegistrationStatusSuccessRegistered, ""
	if err != nil {
		status, msg = egressRegistrationFailure(err)
	}
	out := &RegisterPaymentResponse{Statuses: make([]OfferStatus, len(req.Registrations))}
	for i, it := range req.Registrations {
		out.Statuses[i] = OfferStatus{GUID: it.GUID, ProductID: it.ProductID, Status: status, Message: msg}
	}
	return out
}
