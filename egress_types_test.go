package stashpay_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
)

func TestEgressEnumDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, json string
		want       stashpay.PurchasePlatform
	}{
		{"name", `"PURCHASE_PLATFORM_ANDROID"`, stashpay.PurchasePlatformAndroid},
		{"integer", `2`, stashpay.PurchasePlatformAndroid},
		{"integer zero", `0`, stashpay.PurchasePlatformUnspecified},
		{"digits in a string", `"3"`, stashpay.PurchasePlatformWebstore},
		{"unknown integer kept", `42`, "42"},
		{"unknown negative integer kept", `-1`, "-1"},
		{"unknown name kept", `"PURCHASE_PLATFORM_CONSOLE"`, "PURCHASE_PLATFORM_CONSOLE"},
		{"null", `null`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var req stashpay.ConfirmPaymentRequest
			require.NoError(t, json.Unmarshal([]byte(`{"platform":`+tt.json+`}`), &req))
			assert.Equal(t, tt.want, req.Platform)
			var direct stashpay.PurchasePlatform
			require.NoError(t, json.Unmarshal([]byte(tt.json), &direct))
			assert.Equal(t, tt.want, direct)
		})
	}
	for _, bad := range []string{`true`, `1.5`, `{}`, `[]`, `4294967296`} {
		// Alone, an enum fails as encoding/json types do; in a request the
		// error wraps ErrMalformedEgressJSON and names the member.
		var p stashpay.PurchasePlatform
		var typeErr *json.UnmarshalTypeError
		assert.ErrorAs(t, json.Unmarshal([]byte(bad), &p), &typeErr, bad)
		var req stashpay.ConfirmPaymentRequest
		err := json.Unmarshal([]byte(`{"platform":`+bad+`}`), &req)
		assert.ErrorIs(t, err, stashpay.ErrMalformedEgressJSON, bad)
		assert.ErrorContains(t, err, "platform", bad)
	}
}

func TestEgressEnumEncodingAndNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       stashpay.PurchaseRegistrationStatus
		json     string
		num      int32
		numOK    bool
		knownSet bool
	}{
		{stashpay.PurchaseRegistrationStatusSuccessRegistered, `"PURCHASE_REGISTRATION_STATUS_SUCCESS_REGISTERED"`, 1, true, true},
		{stashpay.PurchaseRegistrationStatusFailedPurchaseLocked, `"PURCHASE_REGISTRATION_STATUS_FAILED_PURCHASE_LOCKED"`, 6, true, true},
		{"", `"PURCHASE_REGISTRATION_STATUS_UNSPECIFIED"`, 0, true, false},
		{"9", `9`, 9, true, false},
		{"SOMETHING_NEW", `"SOMETHING_NEW"`, 0, false, false},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.in)
		require.NoError(t, err)
		assert.JSONEq(t, tt.json, string(b), string(tt.in))
		n, ok := tt.in.Number()
		assert.Equal(t, tt.numOK, ok, string(tt.in))
		assert.Equal(t, tt.num, n, string(tt.in))
		assert.Equal(t, tt.knownSet, tt.in.Known(), string(tt.in))
	}
	// Every documented constant of every enum survives a round trip by
	// number.
	all := map[string][]string{
		"environment": {string(stashpay.PaymentEnvironmentUnspecified), string(stashpay.PaymentEnvironmentTest), string(stashpay.PaymentEnvironmentProduction)},
		"platform":    {string(stashpay.PurchasePlatformUnspecified), string(stashpay.PurchasePlatformIOS), string(stashpay.PurchasePlatformAndroid), string(stashpay.PurchasePlatformWebstore)},
		"source":      {string(stashpay.PurchaseSourceUnspecified), string(stashpay.PurchaseSourceCart), string(stashpay.PurchaseSourceDirect), string(stashpay.PurchaseSourceBuyNow)},
		"paymentMethodType": {string(stashpay.PaymentMethodTypeUnspecified), string(stashpay.PaymentMethodTypeCard), string(stashpay.PaymentMethodTypeApplePay),
			string(stashpay.PaymentMethodTypeGooglePay), string(stashpay.PaymentMethodTypePayPal), string(stashpay.PaymentMethodTypeKlarna)},
	}
	for field, names := range all {
		for i, name := range names {
			var byNum, byName stashpay.ConfirmPaymentRequest
			require.NoError(t, json.Unmarshal([]byte(`{"`+field+`":`+itoa(i)+`}`), &byNum))
			require.NoError(t, json.Unmarshal([]byte(`{"`+field+`":"`+name+`"}`), &byName))
			assert.Equal(t, byName, byNum, "%s %d", field, i)
			assert.NotEqual(t, stashpay.ConfirmPaymentRequest{}, byNum, "%s %d decoded to nothing", field, i)
		}
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// A later public-api commit adds repeated Milestone unlocked_milestones to
// PlayerLoyaltyState, sent on register and confirm: both spellings decode.
func TestPlayerLoyaltyStateUnlockedMilestones(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"loyalty":{"unlockedMilestones":[{"milestoneId":"m1","rewards":[{"itemId":"gems","quantity":"5","type":4}]},{"milestoneId":"m2"}]}}`,
		`{"loyalty":{"unlocked_milestones":[{"milestone_id":"m1","rewards":[{"item_id":"gems","quantity":5,"type":"LOYALTY_REWARD_TYPE_SKU_ITEM"}]},{"milestone_id":"m2"}]}}`,
	} {
		var confirm stashpay.ConfirmPaymentRequest
		require.NoError(t, json.Unmarshal([]byte(body), &confirm))
		var register stashpay.RegisterPaymentRequest
		require.NoError(t, json.Unmarshal([]byte(body), &register))
		want := []stashpay.LoyaltyMilestone{
			{MilestoneID: "m1", Rewards: []stashpay.LoyaltyReward{{ItemID: "gems", Quantity: 5, Type: stashpay.LoyaltyRewardTypeSKUItem}}},
			{MilestoneID: "m2"},
		}
		for _, l := range []*stashpay.PlayerLoyaltyState{confirm.Loyalty, register.Loyalty} {
			require.NotNil(t, l)
			assert.Equal(t, want, l.UnlockedMilestones)
		}
	}
}
