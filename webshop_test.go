package stashpay_test

import (
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go"
)

// The webshop URL against the fake, which checks the signature and the
// required fields.
func TestWebshopURLAgainstTheFake(t *testing.T) {
	t.Parallel()
	c, _ := apiFake(t)
	u, err := c.GenerateWebshopURL(t.Context(), &stashpay.WebshopURLParams{User: stashpay.CheckoutUser{ID: "p1"}, Target: stashpay.WebshopTargetLoyalty})
	require.NoError(t, err)
	assert.NotEmpty(t, u.URL)
}

// Bad input is refused with the field named, and nothing is sent.
func TestWebshopURLValidation(t *testing.T) {
	t.Parallel()
	c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, `{}`)})
	ctx := t.Context()
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"webshop nil", func() error { _, err := c.GenerateWebshopURL(ctx, nil); return err }, "nil"},
		{"webshop user", func() error { _, err := c.GenerateWebshopURL(ctx, &stashpay.WebshopURLParams{}); return err }, "User.ID"},
		{"webshop colon", func() error {
			_, err := c.GenerateWebshopURL(ctx, &stashpay.WebshopURLParams{User: stashpay.CheckoutUser{ID: "a:b"}})
			return err
		}, "User.ID"},
		{"webshop UTF-8", func() error {
			_, err := c.GenerateWebshopURL(ctx, &stashpay.WebshopURLParams{User: stashpay.CheckoutUser{ID: "a", DisplayName: "\xff"}})
			return err
		}, "User.DisplayName is not valid UTF-8"},
	}
	for _, tt := range tests {
		err := tt.call()
		require.ErrorIs(t, err, stashpay.ErrInvalidParams, tt.name)
		assert.Contains(t, err.Error(), tt.want, tt.name)
	}
	assert.Empty(t, f.requests())
}
