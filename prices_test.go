package stashpay_test

import (
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go"
)

// Price conversion against the fake, which checks the signature and the
// required fields.
func TestConvertPricesAgainstTheFake(t *testing.T) {
	t.Parallel()
	c, srv := apiFake(t)
	srv.SetPriceConversions("FR", stashpay.PriceConversions{SourceCurrency: "USD", DestinationCurrency: "EUR", DestinationCountry: "FR",
		Conversions: []stashpay.PriceConversion{{SKU: "gems", SourceAmount: 199, DestinationAmount: 189, DecimalPlaces: 2}}, TaxRate: "0.2"})
	conv, err := c.ConvertPrices(t.Context(), &stashpay.ConvertPricesParams{SourceCurrency: "USD", DestinationCountry: "FR", SKUs: []string{"gems", "nope"}})
	require.NoError(t, err)
	require.Len(t, conv.Conversions, 1)
	assert.Equal(t, int64(189), conv.Conversions[0].DestinationAmount)
	assert.Equal(t, []string{"nope"}, conv.MissingSKUs)
}

// Every ConvertPrices answer field (the ConvertPrices page) is held.
func TestFullPayloadConvertPrices(t *testing.T) {
	t.Parallel()
	body := `{"sourceCurrency":"USD","destinationCurrency":"EUR","destinationCountry":"FR","conversions":[{"sku":"s1","sourceAmount":"199",
		"destinationAmount":"189","preRoundingAmount":"187.33","displayPrice":"1,89 €","decimalPlaces":2}],"missingSkus":["s2"],"taxRate":"0.2","taxInclusive":true}`
	c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, body)})
	got, err := c.ConvertPrices(t.Context(), &stashpay.ConvertPricesParams{SourceCurrency: "USD", DestinationCountry: "FR", SKUs: []string{"s1", "s2"}, Rounding: "hg"})
	require.NoError(t, err)
	assertHeld(t, []byte(`{"sourceCurrency":"USD","destinationCurrency":"EUR","destinationCountry":"FR","conversions":[{"sku":"s1","sourceAmount":199,
		"destinationAmount":189,"preRoundingAmount":"187.33","displayPrice":"1,89 €","decimalPlaces":2}],"missingSkus":["s2"],"taxRate":"0.2","taxInclusive":true}`), got)
	r := f.requests()[0]
	verifyV1(t, r)
	assert.JSONEq(t, `{"sourceCurrency":"USD","destinationCountry":"FR","skus":["s1","s2"],"rounding":"hg"}`, string(r.Body))
}

// Bad input is refused with the field named, and nothing is sent.
func TestConvertPricesValidation(t *testing.T) {
	t.Parallel()
	c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, `{}`)})
	ctx := t.Context()
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"prices SKUs", func() error {
			_, err := c.ConvertPrices(ctx, &stashpay.ConvertPricesParams{SourceCurrency: "USD", DestinationCountry: "FR"})
			return err
		}, "SKUs"},
		{"prices empty SKU", func() error {
			_, err := c.ConvertPrices(ctx, &stashpay.ConvertPricesParams{SourceCurrency: "USD", DestinationCountry: "FR", SKUs: []string{""}})
			return err
		}, "SKUs"},
		{"prices SKU UTF-8", func() error {
			_, err := c.ConvertPrices(ctx, &stashpay.ConvertPricesParams{SourceCurrency: "USD", DestinationCountry: "FR", SKUs: []string{"\xff"}})
			return err
		}, "SKUs[0] is not valid UTF-8"},
	}
	for _, tt := range tests {
		err := tt.call()
		require.ErrorIs(t, err, stashpay.ErrInvalidParams, tt.name)
		assert.Contains(t, err.Error(), tt.want, tt.name)
	}
	assert.Empty(t, f.requests())
}

// TestPriceConversionDecodesTolerantly: integer members as numbers or digit
// strings, snake_case names, null members left zero.
func TestPriceConversionDecodesTolerantly(t *testing.T) {
	t.Parallel()
	runDecodeCases(t, stashpay.PriceConversion{SKU: "old", DecimalPlaces: 3}, []decodeCase[stashpay.PriceConversion]{
		{name: "strings", in: `{"sku":"s","sourceAmount":"499","destinationAmount":"459","decimalPlaces":"2"}`,
			want: stashpay.PriceConversion{SKU: "s", SourceAmount: 499, DestinationAmount: 459, DecimalPlaces: 2}},
		{name: "numbers, snake_case", in: `{"source_amount":499,"destination_amount":459,"decimal_places":2}`,
			want: stashpay.PriceConversion{SourceAmount: 499, DestinationAmount: 459, DecimalPlaces: 2}},
		{name: "nulls", in: `{"sourceAmount":null,"decimalPlaces":null}`, want: stashpay.PriceConversion{DecimalPlaces: stashpay.NoDecimalPlaces}},
		{name: "no decimal places", in: `{"sku":"s","destinationAmount":459}`, want: stashpay.PriceConversion{SKU: "s", DestinationAmount: 459, DecimalPlaces: stashpay.NoDecimalPlaces}},
		{name: "bad amount", in: `{"destinationAmount":"x9"}`, wantErr: "destinationAmount"},
	})
}
