package stashpay_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
)

// TestEgressRequestsOwnTheirFields checks, for each request, that a field of
// its own decodes in snake_case (given twice, the value is read once), while
// a field only another request has is ignored.
func TestEgressRequestsOwnTheirFields(t *testing.T) {
	t.Parallel()
	type decoded struct {
		register stashpay.RegisterPaymentRequest
		confirm  stashpay.ConfirmPaymentRequest
		cancel   stashpay.CancelPaymentRequest
	}
	tests := []struct {
		name, body string
		register   bool // true: the register request has the field
		confirm    bool
		cancel     bool
		check      func(t *testing.T, d *decoded)
	}{
		{
			name: "checkout link id", body: `{"checkout_link_id":"cl-1"}`, register: true, confirm: true, cancel: true,
			check: func(t *testing.T, d *decoded) {
				assert.Equal(t, "cl-1", d.register.CheckoutLinkID)
				assert.Equal(t, "cl-1", d.confirm.CheckoutLinkID)
				assert.Equal(t, "cl-1", d.cancel.CheckoutLinkID)
			},
		},
		{
			name: "environment as number", body: `{"environment":2}`, register: true, confirm: true, cancel: true,
			check: func(t *testing.T, d *decoded) {
				assert.Equal(t, stashpay.PaymentEnvironmentProduction, d.register.Environment)
				assert.Equal(t, stashpay.PaymentEnvironmentProduction, d.confirm.Environment)
				assert.Equal(t, stashpay.PaymentEnvironmentProduction, d.cancel.Environment)
			},
		},
		{
			name: "decimal places", body: `{"decimal_places":3}`, register: true, confirm: true, cancel: true,
			check: func(t *testing.T, d *decoded) {
				assert.Equal(t, 3, d.register.DecimalPlaces)
				assert.Equal(t, 3, d.confirm.DecimalPlaces)
				assert.Equal(t, 3, d.cancel.DecimalPlaces)
			},
		},
		{
			name: "platform", body: `{"platform":"PURCHASE_PLATFORM_ANDROID"}`, register: true, confirm: true,
			check: func(t *testing.T, d *decoded) {
				assert.Equal(t, stashpay.PurchasePlatformAndroid, d.register.Platform)
				assert.Equal(t, stashpay.PurchasePlatformAndroid, d.confirm.Platform)
			},
		},
		{
			name: "ip address", body: `{"ip_address":"192.0.2.1"}`, register: true, confirm: true,
			check: func(t *testing.T, d *decoded) {
				assert.Equal(t, "192.0.2.1", d.register.IPAddress)
				assert.Equal(t, "192.0.2.1", d.confirm.IPAddress)
			},
		},
		{
			name: "loyalty", body: `{"loyalty":{"campaign_id":"c-1"}}`, register: true, confirm: true,
			check: func(t *testing.T, d *decoded) {
				require.NotNil(t, d.register.Loyalty)
				assert.Equal(t, "c-1", d.register.Loyalty.CampaignID)
				require.NotNil(t, d.confirm.Loyalty)
				assert.Equal(t, "c-1", d.confirm.Loyalty.CampaignID)
			},
		},
		{
			name: "user email", body: `{"user_email":"p@example.com"}`, confirm: true,
			check: func(t *testing.T, d *decoded) {
				assert.Equal(t, "p@example.com", d.confirm.UserEmail)
			},
		},
		{
			name: "payment method type", body: `{"payment_method_type":4}`, confirm: true,
			check: func(t *testing.T, d *decoded) {
				assert.Equal(t, stashpay.PaymentMethodTypePayPal, d.confirm.PaymentMethodType)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var d decoded
			targets := []struct {
				name string
				dst  json.Unmarshaler
			}{
				{"register", &d.register},
				{"confirm", &d.confirm},
				{"cancel", &d.cancel},
			}
			// The body's only member, given twice.
			member := tc.body[1 : len(tc.body)-1]
			twice := []byte("{" + member + "," + member + "}")
			for _, tg := range targets {
				require.NoError(t, tg.dst.UnmarshalJSON([]byte(tc.body)), tg.name)
				assert.NoError(t, tg.dst.UnmarshalJSON(twice), "%s: the last value is kept", tg.name)
			}
			for _, tg := range targets {
				require.NoError(t, tg.dst.UnmarshalJSON([]byte(tc.body)), tg.name)
			}
			tc.check(t, &d)
			if !tc.register {
				assert.Equal(t, stashpay.RegisterPaymentRequest{}, d.register)
			}
			if !tc.cancel {
				assert.Equal(t, stashpay.CancelPaymentRequest{}, d.cancel)
			}
		})
	}
}
