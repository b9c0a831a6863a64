package stashpay_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
)

func egressPtr[T any](v T) *T { return &v }

// egressWantConfirm is what testdata/egress_confirm.json holds.
func egressWantConfirm() stashpay.ConfirmPaymentRequest {
	return stashpay.ConfirmPaymentRequest{
		PlayerID:          "player-42",
		TransactionID:     "tx-7f3a9c",
		CheckoutLinkID:    "0b7c6d2e-8f41-4f5a-9c3e-2d1b0a9f8e7d",
		ShopID:            "7c1e3f5a-2b4d-4e6f-8a9b-0c1d2e3f4a5b",
		Environment:       stashpay.PaymentEnvironmentTest,
		Currency:          "USD",
		DecimalPlaces:     2,
		Tax:               99,
		Total:             1098,
		Time:              time.Date(2025, 7, 31, 20, 20, 57, 0, time.UTC),
		PaymentMethodType: stashpay.PaymentMethodTypeApplePay,
		Items: []stashpay.PurchaseItem{{
			GUID: "5d6a3c1e-9b8f-4e2d-a1c0-7f6e5d4c3b2a", ProductID: "gems_500",
			Quantity: 1, Cents: 999, Metadata: map[string]string{"tier": "gold"},
		}},
		Platform:            stashpay.PurchasePlatformIOS,
		Browser:             "Safari/17.1",
		DeviceID:            "device-1",
		Source:              stashpay.PurchaseSourceDirect,
		IPAddress:           "203.0.113.7",
		Region:              "US",
		UserEmail:           "player@example.com",
		EmailMarketingOptIn: egressPtr(true),
		BonusItems:          []stashpay.ConfirmBonusItem{{ID: "bonus_coins", Quantity: 50}},
		Loyalty: &stashpay.PlayerLoyaltyState{
			CampaignID: "season-3", TotalPoints: 1200, PointsDelta: 100,
			CurrentTierID: "silver", PreviousTierID: "bronze",
			PointsToNextTier: egressPtr[int64](300), PointsToNextMilestone: egressPtr[int64](50),
			NextMilestone: &stashpay.LoyaltyMilestone{
				MilestoneID: "m-5",
				Rewards: []stashpay.LoyaltyReward{{
					ItemID: "coins", Quantity: 25, Type: stashpay.LoyaltyRewardTypeInGameCurrency,
				}},
			},
			PointsMultiplierPermille: 1500,
		},
	}
}

func TestConfirmPaymentRequestDecodesBothNamings(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"egress_confirm.json", "egress_confirm_snake.json"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			var got stashpay.ConfirmPaymentRequest
			require.NoError(t, json.Unmarshal(egressTestdata(t, file), &got))
			assert.Equal(t, egressWantConfirm(), got)
			assert.NoError(t, got.Validate())
		})
	}
}

func TestConfirmPaymentRequestRoundTrip(t *testing.T) {
	t.Parallel()
	want := egressWantConfirm()
	b, err := json.Marshal(want)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	assert.Equal(t, "1753993257000", m["timeMillis"], "int64 is written as a string")
	assert.Equal(t, "PURCHASE_PLATFORM_IOS", m["platform"], "enums are written as names")
	var got stashpay.ConfirmPaymentRequest
	require.NoError(t, json.Unmarshal(b, &got))
	assert.Equal(t, want, got)
}

func TestRegisterAndCancelRequestsDecode(t *testing.T) {
	t.Parallel()
	var reg stashpay.RegisterPaymentRequest
	require.NoError(t, json.Unmarshal(egressTestdata(t, "egress_register.json"), &reg))
	assert.Equal(t, stashpay.RegisterPaymentRequest{
		PlayerID: "player-42", TransactionID: "tx-7f3a9c",
		CheckoutLinkID: "0b7c6d2e-8f41-4f5a-9c3e-2d1b0a9f8e7d", ShopID: "7c1e3f5a-2b4d-4e6f-8a9b-0c1d2e3f4a5b",
		Environment: stashpay.PaymentEnvironmentProduction, Currency: "JPY", DecimalPlaces: 0,
		Registrations: []stashpay.PurchaseItem{
			{GUID: "5d6a3c1e-9b8f-4e2d-a1c0-7f6e5d4c3b2a", ProductID: "gems_500", Cents: 1200, Quantity: 1, Metadata: map[string]string{}},
			{GUID: "6e7b4d2f-0c9a-4f3e-b2d1-8a7f6e5d4c3b", ProductID: "sword", Cents: 300, Quantity: 2},
		},
		Platform: stashpay.PurchasePlatformWebstore, Browser: "Chrome/120.0", DeviceID: "device-1",
		Source: stashpay.PurchaseSourceCart, IPAddress: "203.0.113.7", Region: "JP",
	}, reg)
	require.NoError(t, reg.Validate())
	amt, err := reg.Registrations[0].UnitAmount(reg.DecimalPlaces)
	require.NoError(t, err)
	assert.Equal(t, stashpay.Amount("1200"), amt)

	var cancel stashpay.CancelPaymentRequest
	require.NoError(t, json.Unmarshal(egressTestdata(t, "egress_cancel.json"), &cancel))
	assert.Equal(t, stashpay.CancelPaymentRequest{
		PlayerID: "player-42", TransactionID: "tx-7f3a9c",
		CheckoutLinkID: "0b7c6d2e-8f41-4f5a-9c3e-2d1b0a9f8e7d", ShopID: "7c1e3f5a-2b4d-4e6f-8a9b-0c1d2e3f4a5b",
		Environment: stashpay.PaymentEnvironmentTest, Currency: "USD", DecimalPlaces: 2,
		Items: []stashpay.PurchaseItem{{GUID: "5d6a3c1e-9b8f-4e2d-a1c0-7f6e5d4c3b2a", ProductID: "gems_500", Quantity: 1, Cents: 999}},
	}, cancel)
	require.NoError(t, cancel.Validate())

	for name, v := range map[string]any{"register": reg, "cancel": cancel} {
		b, err := json.Marshal(v)
		require.NoError(t, err, name)
		switch v.(type) {
		case stashpay.RegisterPaymentRequest:
			var again stashpay.RegisterPaymentRequest
			require.NoError(t, json.Unmarshal(b, &again))
			reg.Registrations[0].Metadata = nil // {} is omitted when written
			assert.Equal(t, reg, again)
		case stashpay.CancelPaymentRequest:
			var again stashpay.CancelPaymentRequest
			require.NoError(t, json.Unmarshal(b, &again))
			assert.Equal(t, cancel, again)
		}
	}
}

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

func TestConfirmPaymentRequestTolerance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		json  string
		check func(t *testing.T, r stashpay.ConfirmPaymentRequest)
	}{
		{"timeMillis as string", `{"timeMillis":"1000"}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Equal(t, time.UnixMilli(1000).UTC(), r.Time)
		}},
		{"timeMillis as number", `{"timeMillis":1000}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Equal(t, time.UnixMilli(1000).UTC(), r.Time)
		}},
		{"timeMillis null", `{"timeMillis":null}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.True(t, r.Time.IsZero())
		}},
		{"mixed case names", `{"PlayerID":"p","TRANSACTIONID":"t"}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Equal(t, "p", r.PlayerID)
			assert.Equal(t, "t", r.TransactionID)
		}},
		{"upper snake case is not snake_case", `{"TRANSACTION_ID":"t","Player_Id":"p"}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Empty(t, r.TransactionID)
			assert.Empty(t, r.PlayerID)
		}},
		{"a field given twice keeps the last value", `{"total":1,"total":2}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Equal(t, int64(2), r.Total)
		}},
		{"snake_case does not override lowerCamelCase", `{"playerId":"a","player_id":"b"}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Equal(t, "a", r.PlayerID)
		}},
		{"escapes in names and values", `{"player\u0049d":"a\"b\u00e9","transaction_id":"\ud83d\ude00"}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Equal(t, "a\"bé", r.PlayerID)
			assert.Equal(t, "😀", r.TransactionID)
		}},
		{"whitespace everywhere", " \n{ \"playerId\" :\t\"p\" , \"items\" : [ { \"quantity\" : \"2\" } , null ] }\r\n", func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Equal(t, "p", r.PlayerID)
			require.Len(t, r.Items, 2)
			assert.Equal(t, int64(2), r.Items[0].Quantity)
		}},
		{"numeric player ID", `{"playerId":12345}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Equal(t, "12345", r.PlayerID)
		}},
		{"unknown fields of any kind", `{"x":1,"y":[{"z":null}],"w":{"playerId":"nested"},"playerId":"p"}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Equal(t, "p", r.PlayerID)
		}},
		{"opt-in false and as string", `{"emailMarketingOptIn":"false"}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			require.NotNil(t, r.EmailMarketingOptIn)
			assert.False(t, *r.EmailMarketingOptIn)
		}},
		{"opt-in absent", `{}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Nil(t, r.EmailMarketingOptIn)
			assert.Nil(t, r.Loyalty)
		}},
		{"metadata scalars", `{"items":[{"metadata":{"a":"x","b":7,"c":true,"d":null}}]}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			require.Len(t, r.Items, 1)
			assert.Equal(t, map[string]string{"a": "x", "b": "7", "c": "true", "d": ""}, r.Items[0].Metadata)
		}},
		{"loyalty optional pointers", `{"loyalty":{"totalPoints":"5","pointsToNextTier":null,"nextMilestone":null}}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			require.NotNil(t, r.Loyalty)
			assert.Equal(t, int64(5), r.Loyalty.TotalPoints)
			assert.Nil(t, r.Loyalty.PointsToNextTier)
			assert.Nil(t, r.Loyalty.NextMilestone)
		}},
		{"null object", `null`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Equal(t, stashpay.ConfirmPaymentRequest{}, r)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var r stashpay.ConfirmPaymentRequest
			require.NoError(t, json.Unmarshal([]byte(tt.json), &r))
			tt.check(t, r)
		})
	}
}

func TestConfirmPaymentRequestMalformed(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"not an object":             `[1,2]`,
		"invalid UTF-8":             "{\"playerId\":\"p\xff\"}",
		"escaped lone surrogate":    `{"transactionId":"tx-\ud800-1"}`,
		"string field is a bool":    `{"playerId":true}`,
		"fractional quantity":       `{"items":[{"quantity":1.5}]}`,
		"quantity not digits":       `{"items":[{"quantity":"one"}]}`,
		"timeMillis overflows":      `{"timeMillis":"99999999999999999999"}`,
		"timeMillis exponent":       `{"timeMillis":1e3}`,
		"empty int string":          `{"tax":""}`,
		"items not an array":        `{"items":{}}`,
		"item not an object":        `{"items":[1]}`,
		"metadata not an object":    `{"items":[{"metadata":[]}]}`,
		"metadata nested object":    `{"items":[{"metadata":{"a":{}}}]}`,
		"opt-in is a number":        `{"emailMarketingOptIn":1}`,
		"enum is a bool":            `{"source":false}`,
		"decimalPlaces huge":        `{"decimalPlaces":9999999999}`,
		"loyalty reward type bad":   `{"loyalty":{"nextMilestone":{"rewards":[{"type":[]}]}}}`,
		"bonus item quantity float": `{"bonusItems":[{"id":"x","quantity":0.5}]}`,
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var r stashpay.ConfirmPaymentRequest
			err := json.Unmarshal([]byte(in), &r)
			require.Error(t, err)
			assert.ErrorIs(t, err, stashpay.ErrMalformedEgressJSON)
		})
	}
	// Invalid JSON is rejected by encoding/json before the decoder runs;
	// calling UnmarshalJSON directly reports it as malformed too.
	// Errors name the member, never its value.
	var r stashpay.ConfirmPaymentRequest
	err := json.Unmarshal([]byte(`{"items":[{"quantity":"seven"}]}`), &r)
	assert.ErrorContains(t, err, "items.quantity")
	assert.NotContains(t, err.Error(), "seven")
	err = r.UnmarshalJSON([]byte("{\"transactionId\":\"tx-\xff-secret\"}"))
	assert.ErrorContains(t, err, "transactionId: invalid UTF-8")
	assert.NotContains(t, err.Error(), "secret")
	assert.ErrorIs(t, r.UnmarshalJSON([]byte(`{"playerId":"a"} x`)), stashpay.ErrMalformedEgressJSON)
	assert.ErrorIs(t, r.UnmarshalJSON([]byte(`{"playerId":`)), stashpay.ErrMalformedEgressJSON)
}

func TestResponsesDecodeTolerantly(t *testing.T) {
	t.Parallel()
	var c stashpay.ConfirmPaymentResponse
	require.NoError(t, json.Unmarshal([]byte(`{"results":[{"guid":"g","product_id":"p"}],"extra":1}`), &c))
	assert.Equal(t, []stashpay.ConfirmPaymentResult{{GUID: "g", ProductID: "p"}}, c.Results)

	var r stashpay.RegisterPaymentResponse
	require.NoError(t, json.Unmarshal([]byte(`{"statuses":[{"productId":"p","status":3,"message":"m"}]}`), &r))
	assert.Equal(t, []stashpay.OfferStatus{{ProductID: "p", Status: stashpay.PurchaseRegistrationStatusFailedInsufficientInventory, Message: "m"}}, r.Statuses)

	var x stashpay.CancelPaymentResponse
	require.NoError(t, json.Unmarshal([]byte(`{"status":"PURCHASE_CANCELLATION_STATUS_FAILED_ALREADY_CANCELLED"}`), &x))
	assert.Equal(t, stashpay.PurchaseCancellationStatusFailedAlreadyCancelled, x.Status)
	require.NoError(t, json.Unmarshal([]byte(`{"status":2}`), &x))
	assert.Equal(t, stashpay.PurchaseCancellationStatusFailedTransactionNotFound, x.Status)
}

func TestConfirmPaymentRequestAmounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		total, tax int64
		places     int
		wantTotal  stashpay.Amount
		wantTax    stashpay.Amount
		wantErr    error
	}{
		{"USD", 1098, 99, 2, "10.98", "0.99", nil},
		{"JPY", 1500, 0, 0, "1500", "0", nil},
		{"three places", 12345, 5, 3, "12.345", "0.005", nil},
		{"bad scale", 1, 0, 19, "", "", stashpay.ErrInvalidAmount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := &stashpay.ConfirmPaymentRequest{Total: tt.total, Tax: tt.tax, DecimalPlaces: tt.places}
			total, err := r.TotalAmount()
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			tax, err := r.TaxAmount()
			require.NoError(t, err)
			assert.Equal(t, tt.wantTotal, total)
			assert.Equal(t, tt.wantTax, tax)
			back, err := total.MinorUnits(tt.places)
			require.NoError(t, err)
			assert.Equal(t, tt.total, back, "FormatMinor and MinorUnits are inverses")
		})
	}
}
