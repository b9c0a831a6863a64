package stashpay

import (
	"context"
)

// pathConvertPrices is the endpoint of [Client.ConvertPrices].
const pathConvertPrices = "/sdk/server/prices/convert"

// ConvertPricesParams describe a price conversion for [Client.ConvertPrices].
type ConvertPricesParams struct {
	// SourceCurrency is the currency of the catalog prices; Stash accepts
	// only "USD". Required.
	SourceCurrency string `json:"sourceCurrency"`
	// DestinationCountry is the ISO 3166-1 alpha-2 country to price for.
	// Required.
	DestinationCountry string `json:"destinationCountry"`
	// SKUs are the products to convert. At least one.
	SKUs []string `json:"skus"`
	// Rounding selects a rounding scheme ("hg" in Stash's docs); empty for
	// none.
	Rounding string `json:"rounding,omitempty"`
}

// PriceConversions is the answer of [Client.ConvertPrices].
type PriceConversions struct {
	// SourceCurrency is the currency converted from.
	SourceCurrency string `json:"sourceCurrency"`
	// DestinationCurrency is the destination country's currency.
	DestinationCurrency string `json:"destinationCurrency"`
	// DestinationCountry is the country priced for.
	DestinationCountry string `json:"destinationCountry"`
	// Conversions are the converted prices, one per known SKU.
	Conversions []PriceConversion `json:"conversions"`
	// MissingSKUs are the requested SKUs Stash has no price for.
	MissingSKUs []string `json:"missingSkus,omitempty"`
	// TaxRate is the destination's tax rate, as sent (a decimal string).
	TaxRate string `json:"taxRate,omitempty"`
	// TaxInclusive tells whether the destination amounts include tax.
	TaxInclusive bool `json:"taxInclusive,omitempty"`
}

// PriceConversion is the converted price of one SKU. DestinationAmount and
// PreRoundingAmount are integer minor units of the destination currency at
// DecimalPlaces (use [FormatMinor] for a decimal [Amount]); SourceAmount is
// in minor units of the source currency (USD: 2 decimal places), not at
// DecimalPlaces.
type PriceConversion struct {
	// SKU is the product converted.
	SKU string `json:"sku"`
	// SourceAmount is the price in the source currency, in minor units.
	SourceAmount int64 `json:"sourceAmount"`
	// DestinationAmount is the converted, rounded price, in minor units of
	// the destination currency.
	DestinationAmount int64 `json:"destinationAmount"`
	// PreRoundingAmount is the converted price before rounding, as sent
	// (it may have a fraction).
	PreRoundingAmount Amount `json:"preRoundingAmount,omitempty"`
	// DisplayPrice is the price formatted for display ("€4,99").
	DisplayPrice string `json:"displayPrice,omitempty"`
	// DecimalPlaces is the destination currency's minor-unit digits. It is
	// [NoDecimalPlaces] when the answer did not carry it (Stash marks it
	// required), which [FormatMinor] refuses: reading its absence as 0
	// would scale the amounts wrongly.
	DecimalPlaces int `json:"decimalPlaces"`
}

// UnmarshalJSON decodes a conversion tolerantly (integers as numbers or
// digit strings, snake_case names), through internal/wire, with
// DecimalPlaces [NoDecimalPlaces] unless the answer sends decimalPlaces.
func (p *PriceConversion) UnmarshalJSON(data []byte) error {
	type plain PriceConversion // without this method
	return decodePlain(data, (*plain)(p), plain{DecimalPlaces: NoDecimalPlaces})
}

// ConvertPrices converts catalog prices to a country's currency (POST
// /sdk/server/prices/convert). Stash documents it with X-Stash-Api-Key only;
// the client signs it as it is configured. p is validated first
// (SourceCurrency, DestinationCountry and at least one non-empty SKU, every
// string valid UTF-8); a failure wraps [ErrInvalidParams], names the field,
// and nothing is sent.
func (c *Client) ConvertPrices(ctx context.Context, p *ConvertPricesParams) (*PriceConversions, error) {
	switch {
	case p == nil:
		return nil, invalidParamsError("price conversion params are nil")
	case p.SourceCurrency == "":
		return nil, invalidParamsError("SourceCurrency is empty")
	case p.DestinationCountry == "":
		return nil, invalidParamsError("DestinationCountry is empty")
	case len(p.SKUs) == 0:
		return nil, invalidParamsError("SKUs is empty")
	}
	for _, s := range p.SKUs {
		if s == "" {
			return nil, invalidParamsError("SKUs has an empty SKU")
		}
	}
	if err := checkText("", p); err != nil {
		return nil, err
	}
	out := &PriceConversions{}
	if _, err := c.postJSON(ctx, pathConvertPrices, p, out); err != nil {
		return nil, err
	}
	return out, nil
}
