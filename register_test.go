package stashpay_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
)

const (
	egressGUID1 = "5d6a3c1e-9b8f-4e2d-a1c0-7f6e5d4c3b2a"
	egressGUID2 = "6e7b4d2f-0c9a-4f3e-b2d1-8a7f6e5d4c3b"
)

func TestRegisterPaymentHandler(t *testing.T) {
	t.Parallel()
	all := func(s stashpay.PurchaseRegistrationStatus, msg string) []stashpay.OfferStatus {
		return []stashpay.OfferStatus{
			{GUID: egressGUID1, ProductID: "gems_500", Status: s, Message: msg},
			{GUID: egressGUID2, ProductID: "sword", Status: s, Message: msg},
		}
	}
	tests := []struct {
		name string
		fn   stashpay.RegisterPaymentFunc
		want []stashpay.OfferStatus
	}{
		{"nil means registered", func(context.Context, *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
			return nil, nil
		}, all(stashpay.PurchaseRegistrationStatusSuccessRegistered, "")},
		{"per item statuses", func(_ context.Context, r *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
			return &stashpay.RegisterPaymentResponse{Statuses: []stashpay.OfferStatus{
				{GUID: r.Registrations[0].GUID},
				{GUID: r.Registrations[1].GUID, Status: stashpay.PurchaseRegistrationStatusFailedPurchaseLimitExceeded, Message: "max 1 per day"},
			}}, nil
		}, []stashpay.OfferStatus{
			{GUID: egressGUID1, ProductID: "gems_500", Status: stashpay.PurchaseRegistrationStatusSuccessRegistered},
			{GUID: egressGUID2, ProductID: "sword", Status: stashpay.PurchaseRegistrationStatusFailedPurchaseLimitExceeded, Message: "max 1 per day"},
		}},
		{"statuses by product ID, in another order", func(_ context.Context, r *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
			return &stashpay.RegisterPaymentResponse{Statuses: []stashpay.OfferStatus{
				{ProductID: "sword", Status: stashpay.PurchaseRegistrationStatusFailedInsufficientInventory},
				{ProductID: "gems_500"},
			}}, nil
		}, []stashpay.OfferStatus{
			{GUID: egressGUID1, ProductID: "gems_500", Status: stashpay.PurchaseRegistrationStatusSuccessRegistered},
			{GUID: egressGUID2, ProductID: "sword", Status: stashpay.PurchaseRegistrationStatusFailedInsufficientInventory},
		}},
		// A registration the game gave no status is not reserved: the
		// purchase fails rather than going ahead unreserved. Statuses that
		// name no registration (a typo, an internal ID) are dropped.
		{"a registration without status", func(_ context.Context, r *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
			return &stashpay.RegisterPaymentResponse{Statuses: []stashpay.OfferStatus{
				{GUID: r.Registrations[0].GUID}, {GUID: "not-in-request"}, {Status: stashpay.PurchaseRegistrationStatusFailedInvalidOffer},
			}}, nil
		}, []stashpay.OfferStatus{
			{GUID: egressGUID1, ProductID: "gems_500", Status: stashpay.PurchaseRegistrationStatusSuccessRegistered},
			{GUID: egressGUID2, ProductID: "sword", Status: stashpay.PurchaseRegistrationStatusUnspecified, Message: "no status from the game"},
		}},
		{"typed rejection", func(context.Context, *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
			return nil, fmt.Errorf("reserve: %w", stashpay.RejectRegistration(stashpay.PurchaseRegistrationStatusFailedInsufficientInventory, "sold out"))
		}, all(stashpay.PurchaseRegistrationStatusFailedInsufficientInventory, "sold out")},
		{"rejection with a success status", func(context.Context, *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
			return nil, stashpay.RejectRegistration(stashpay.PurchaseRegistrationStatusSuccessRegistered, "confused")
		}, all(stashpay.PurchaseRegistrationStatusUnspecified, "confused")},
		{"unexpected error", func(context.Context, *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
			return &stashpay.RegisterPaymentResponse{Statuses: []stashpay.OfferStatus{{GUID: "ignored"}}}, errors.New("db secret=xyz")
		}, all(stashpay.PurchaseRegistrationStatusUnspecified, "internal error")},
		{"panic", func(context.Context, *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
			panic(errors.New("nil map"))
		}, all(stashpay.PurchaseRegistrationStatusUnspecified, "internal error")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var log egressLog
			cfg := egressConfig()
			cfg.Logger = log.logger()
			rec := egressServe(stashpay.RegisterPaymentHandler(cfg, tt.fn),
				egressRequest(t, stashpay.RegisterPaymentPath, egressTestdata(t, "egress_register.json")))
			require.Equal(t, http.StatusOK, rec.Code, "register always answers 200")
			var resp stashpay.RegisterPaymentResponse
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp))
			assert.Equal(t, tt.want, resp.Statuses)
			assert.NotContains(t, rec.Body.String(), "secret=xyz")

			// Enums go out as names.
			var raw struct {
				Statuses []struct {
					Status any `json:"status"`
				} `json:"statuses"`
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &raw))
			for _, s := range raw.Statuses {
				assert.IsType(t, "", s.Status)
			}
		})
	}
}

func TestRegisterPaymentHandlerValidation(t *testing.T) {
	t.Parallel()
	tests := map[string]func(r *stashpay.RegisterPaymentRequest){
		"no player":        func(r *stashpay.RegisterPaymentRequest) { r.PlayerID = "" },
		"no transaction":   func(r *stashpay.RegisterPaymentRequest) { r.TransactionID = "" },
		"no currency":      func(r *stashpay.RegisterPaymentRequest) { r.Currency = "" },
		"negative places":  func(r *stashpay.RegisterPaymentRequest) { r.DecimalPlaces = -1 },
		"no registrations": func(r *stashpay.RegisterPaymentRequest) { r.Registrations = nil },
		"quantity 0":       func(r *stashpay.RegisterPaymentRequest) { r.Registrations[1].Quantity = 0 },
		"negative cents":   func(r *stashpay.RegisterPaymentRequest) { r.Registrations[0].Cents = -5 },
		"region 1 letter":  func(r *stashpay.RegisterPaymentRequest) { r.Region = "J" },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var req stashpay.RegisterPaymentRequest
			require.NoError(t, json.Unmarshal(egressTestdata(t, "egress_register.json"), &req))
			mutate(&req)
			called := false
			h := stashpay.RegisterPaymentHandler(egressConfig(), func(context.Context, *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
				called = true
				return nil, nil
			})
			rec := egressServe(h, egressRequest(t, "/", req))
			assert.Equal(t, http.StatusBadRequest, rec.Code)
			assert.False(t, called)
		})
	}
}

// Two registrations that one status could name (the same product twice, or
// the same GUID twice) each take their own status in order, and a refusal
// the game returned is never lost to a success.
func TestRegisterPaymentHandlerRepeatedNames(t *testing.T) {
	t.Parallel()
	ok, limit, stock := stashpay.PurchaseRegistrationStatusSuccessRegistered,
		stashpay.PurchaseRegistrationStatusFailedPurchaseLimitExceeded,
		stashpay.PurchaseRegistrationStatusFailedInsufficientInventory
	swords := []stashpay.PurchaseItem{
		{GUID: egressGUID1, ProductID: "sword", Cents: 300, Quantity: 1},
		{GUID: egressGUID2, ProductID: "sword", Cents: 300, Quantity: 1},
	}
	sameGUID := []stashpay.PurchaseItem{
		{GUID: egressGUID1, ProductID: "sword", Cents: 300, Quantity: 1},
		{GUID: egressGUID1, ProductID: "sword", Cents: 300, Quantity: 1},
	}
	tests := []struct {
		name     string
		items    []stashpay.PurchaseItem
		statuses []stashpay.OfferStatus
		want     []stashpay.PurchaseRegistrationStatus
	}{
		{"same product, success then refusal", swords,
			[]stashpay.OfferStatus{{ProductID: "sword"}, {ProductID: "sword", Status: limit}},
			[]stashpay.PurchaseRegistrationStatus{ok, limit}},
		{"same product, refusal then success", swords,
			[]stashpay.OfferStatus{{ProductID: "sword", Status: limit}, {ProductID: "sword"}},
			[]stashpay.PurchaseRegistrationStatus{limit, ok}},
		{"same product, one status for both", swords,
			[]stashpay.OfferStatus{{ProductID: "sword", Status: stock}},
			[]stashpay.PurchaseRegistrationStatus{stock, stock}},
		{"same GUID, success then refusal", sameGUID,
			[]stashpay.OfferStatus{{GUID: egressGUID1}, {GUID: egressGUID1, Status: stock}},
			[]stashpay.PurchaseRegistrationStatus{ok, stock}},
		{"same GUID, shared refusal wins", append(slices.Clone(sameGUID), sameGUID[0]),
			[]stashpay.OfferStatus{{GUID: egressGUID1}, {GUID: egressGUID1, Status: stock}},
			[]stashpay.PurchaseRegistrationStatus{ok, stock, stock}},
		{"one registration answered twice, refusal second", swords[:1],
			[]stashpay.OfferStatus{{ProductID: "sword"}, {ProductID: "sword", Status: limit}},
			[]stashpay.PurchaseRegistrationStatus{limit}},
		{"a leftover refusal overrides the success it names", swords,
			[]stashpay.OfferStatus{{GUID: egressGUID1, Status: stock}, {GUID: egressGUID2}, {ProductID: "sword", Status: stock}},
			[]stashpay.PurchaseRegistrationStatus{stock, stock}},
		{"GUID in another case", swords,
			[]stashpay.OfferStatus{{GUID: strings.ToUpper(egressGUID1), Status: limit}, {GUID: strings.ToUpper(egressGUID2)}},
			[]stashpay.PurchaseRegistrationStatus{limit, ok}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var req stashpay.RegisterPaymentRequest
			require.NoError(t, json.Unmarshal(egressTestdata(t, "egress_register.json"), &req))
			req.Registrations = tt.items
			h := stashpay.RegisterPaymentHandler(egressConfig(), func(context.Context, *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
				return &stashpay.RegisterPaymentResponse{Statuses: tt.statuses}, nil
			})
			rec := egressServe(h, egressRequest(t, stashpay.RegisterPaymentPath, req))
			require.Equal(t, http.StatusOK, rec.Code)
			var resp stashpay.RegisterPaymentResponse
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp))
			require.Len(t, resp.Statuses, len(tt.items))
			for i, st := range resp.Statuses {
				assert.Equal(t, tt.want[i], st.Status, "registration %d", i)
				assert.Equal(t, tt.items[i].GUID, st.GUID, "registration %d keeps its own GUID", i)
			}
		})
	}
}
