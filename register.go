package stashpay

import (
	"github.com/stashpay/stashpay-go/internal/wire"

	"context"
	"errors"
	"net/http"
	"strings"
)

// RegisterPaymentRequest is the body of Stash's POST
// /api/v1/purchase/register call, step 1 of the pre-purchase flow: the game
// should reserve the items (inventory, purchase limits) before the player
// pays. Decoding is as tolerant as for [ConfirmPaymentRequest].
type RegisterPaymentRequest struct {
	// PlayerID is the player making the purchase. Required.
	PlayerID string `json:"playerId"`
	// TransactionID identifies the purchase session; the confirm or cancel
	// call that follows carries the same ID. Required.
	TransactionID string `json:"transactionId"`
	// CheckoutLinkID is set when the purchase goes through a checkout link.
	CheckoutLinkID string `json:"checkoutLinkId,omitempty"`
	// ShopID is the originating Stash shop.
	ShopID string `json:"shopId,omitempty"`
	// Environment is the Stash environment; empty when not sent.
	Environment PaymentEnvironment `json:"environment,omitempty"`
	// Currency is the ISO 4217 code. Required.
	Currency string `json:"currency"`
	// DecimalPlaces is the currency's CLDR fraction digits; it scales every
	// registration's Cents. Always sent, 0 included.
	// It is [NoDecimalPlaces] when the body did not carry it, which
	// Validate refuses (Stash always sends it).
	DecimalPlaces int `json:"decimalPlaces"`
	// Registrations are the items to reserve. At least one.
	Registrations []PurchaseItem `json:"registrations"`
	// Platform is where the player buys; empty when not sent.
	Platform PurchasePlatform `json:"platform,omitempty"`
	// Browser describes the browser of a web purchase.
	Browser string `json:"browser,omitempty"`
	// DeviceID identifies the device, for fraud prevention.
	DeviceID string `json:"deviceId,omitempty"`
	// Source tells where the purchase started; empty when not sent.
	Source PurchaseSource `json:"source,omitempty"`
	// IPAddress is the customer's IP address.
	IPAddress string `json:"ipAddress,omitempty"`
	// Region is the ISO 3166-1 alpha-2 country code.
	Region string `json:"region,omitempty"`
	// Loyalty is the player's loyalty standing; nil without an active
	// loyalty campaign.
	Loyalty *PlayerLoyaltyState `json:"loyalty,omitempty"`
}

// RegisterPaymentResponse is the game's answer to a register call: one
// status per registration. Stash expects HTTP 200 whatever the outcome.
type RegisterPaymentResponse struct {
	// Statuses holds one status per registration; when empty, the handler
	// answers every registration with
	// [PurchaseRegistrationStatusSuccessRegistered]. The handler answers
	// each registration with a status that names it (by GUID, in any case,
	// or by product ID for a status without a GUID), in order: two
	// registrations of one product answered by two statuses take one each,
	// (when all are taken, they share the first refusal among them, else
	// the first), and a refusal is never lost to a success. A registration
	// no status names is answered [PurchaseRegistrationStatusUnspecified],
	// so that the purchase fails rather than going ahead unreserved, and a
	// status left unused (naming no registration, or a success left over)
	// is dropped (both are logged).
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

// registerJSON is the request's shadow (see itemJSON).
type registerJSON struct {
	plainRegister
	DecimalPlaces wire.Int     `json:"decimalPlaces"`
	Registrations []itemJSON   `json:"registrations"`
	Loyalty       *loyaltyJSON `json:"loyalty"`
}

type plainRegister RegisterPaymentRequest

// UnmarshalJSON decodes a register request tolerantly. It does not validate;
// call Validate.
func (r *RegisterPaymentRequest) UnmarshalJSON(data []byte) error {
	var s registerJSON
	if err := unmarshalEgress(data, &s, registerJSON{DecimalPlaces: NoDecimalPlaces}); err != nil {
		return err
	}
	*r = RegisterPaymentRequest(s.plainRegister)
	r.DecimalPlaces, r.Registrations = int(s.DecimalPlaces), values[PurchaseItem](s.Registrations)
	r.Loyalty = optional[PlayerLoyaltyState](s.Loyalty)
	return nil
}

// UnmarshalJSON decodes a register response tolerantly.
func (r *RegisterPaymentResponse) UnmarshalJSON(data []byte) error {
	type plain RegisterPaymentResponse // without this method
	return unmarshalEgress(data, (*plain)(r), plain{})
}

// RegisterPaymentHandler returns the http.Handler for Stash's POST
// /api/v1/purchase/register. It checks the method, caps and verifies the
// body as [ConfirmPaymentHandler] does (405, 413, 401 and 400 answers, fn
// not called), then calls fn and always answers 200
// with one status per registration, as Stash requires; see
// [RegisterPaymentFunc] for how fn's result maps to statuses. Statuses are
// written as their names ("PURCHASE_REGISTRATION_STATUS_SUCCESS_REGISTERED");
// Stash accepts names and numbers. A nil fn or an invalid cfg panics. The server must set read
// timeouts (see [EgressConfig]).
func RegisterPaymentHandler(cfg EgressConfig, fn RegisterPaymentFunc) http.Handler {
	h := newEgressHandler(cfg, "RegisterPaymentHandler", fn == nil)
	return serveEgress[RegisterPaymentRequest](h, "register", fn, registerAnswer)
}

// registerAnswer builds the register response from fn's result: one
// status per registration (see matchStatuses), or one status for all.
func registerAnswer(req *RegisterPaymentRequest, resp *RegisterPaymentResponse, err error, warn func(string, ...any)) *RegisterPaymentResponse {
	if err == nil && resp != nil && len(resp.Statuses) > 0 {
		return matchStatuses(req, resp.Statuses, warn)
	}
	status, msg := PurchaseRegistrationStatusSuccessRegistered, ""
	if err != nil {
		status, msg = PurchaseRegistrationStatusUnspecified, egressInternalMessage
		var re *RegistrationError
		if errors.As(err, &re) {
			status, msg = re.Status, re.Message
			if status == "" || status == PurchaseRegistrationStatusSuccessRegistered {
				status = PurchaseRegistrationStatusUnspecified
			}
		}
	}
	out := &RegisterPaymentResponse{Statuses: make([]OfferStatus, len(req.Registrations))}
	for i, it := range req.Registrations {
		out.Statuses[i] = OfferStatus{GUID: it.GUID, ProductID: it.ProductID, Status: status, Message: msg}
	}
	return out
}

// matchStatuses answers each registration of req with a status of fn's that
// names it: by GUID (compared without regard to case), or, for a status
// without a GUID, by product ID. Registrations take statuses in order, each
// the first one no earlier registration took, so two registrations of one
// product answered by two statuses get one each; when every status naming a
// registration is taken, it shares the first refusal among them, else the
// first. A refusal is never lost: one left over (the game answered one
// registration twice) overrides the success of the first registration it
// names that has one. A registration no status names is answered
// [PurchaseRegistrationStatusUnspecified] (not reserved: the purchase fails,
// never goes ahead unreserved); a status that names no registration is
// dropped. Both are logged. An empty status is
// [PurchaseRegistrationStatusSuccessRegistered].
func matchStatuses(req *RegisterPaymentRequest, statuses []OfferStatus, warn func(string, ...any)) *RegisterPaymentResponse {
	names := func(st OfferStatus, it PurchaseItem) bool {
		if st.GUID != "" {
			return strings.EqualFold(st.GUID, it.GUID)
		}
		return st.ProductID != "" && st.ProductID == it.ProductID
	}
	refuses := func(st OfferStatus) bool {
		return st.Status != "" && st.Status != PurchaseRegistrationStatusSuccessRegistered
	}
	answer := func(it PurchaseItem, st OfferStatus) OfferStatus {
		if st.Status == "" {
			st.Status = PurchaseRegistrationStatusSuccessRegistered
		}
		return OfferStatus{GUID: it.GUID, ProductID: it.ProductID, Status: st.Status, Message: st.Message}
	}
	out := &RegisterPaymentResponse{Statuses: make([]OfferStatus, len(req.Registrations))}
	used := make([]bool, len(statuses))
	unanswered, dropped := 0, 0
	for i, it := range req.Registrations {
		pick, shared := -1, -1
		for j, st := range statuses {
			if !names(st, it) {
				continue
			}
			if !used[j] {
				pick = j
				break
			}
			if shared < 0 || (refuses(st) && !refuses(statuses[shared])) {
				shared = j
			}
		}
		if pick < 0 {
			pick = shared
		}
		if pick < 0 {
			unanswered++
			out.Statuses[i] = OfferStatus{GUID: it.GUID, ProductID: it.ProductID, Status: PurchaseRegistrationStatusUnspecified, Message: "no status from the game"}
			continue
		}
		used[pick] = true
		out.Statuses[i] = answer(it, statuses[pick])
	}
	for j, st := range statuses {
		if used[j] {
			continue
		}
		if refuses(st) {
			i := -1
			for k, it := range req.Registrations {
				if names(st, it) && out.Statuses[k].Status == PurchaseRegistrationStatusSuccessRegistered {
					i = k
					break
				}
			}
			if i >= 0 {
				out.Statuses[i] = answer(req.Registrations[i], st)
				continue
			}
		}
		dropped++
	}
	if unanswered > 0 || dropped > 0 {
		warn("stashpay: register statuses did not match the registrations: unmatched registrations answered UNSPECIFIED, statuses not used dropped",
			"transaction_id", req.TransactionID, "unanswered", unanswered, "dropped", dropped)
	}
	return out
}
