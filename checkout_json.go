package stashpay

import (
	"encoding/json"
	"strconv"
)

// appendCheckoutJSON appends p as compact JSON, byte for byte what
// json.Marshal(p) produces (tests hold the two together), without
// reflection: the request body is the SDK's main cost per checkout.
func appendCheckoutJSON(b []byte, p *CheckoutParams) []byte {
	start := len(b)
	b = append(b, '{')
	// key appends a top-level key, with a comma unless it is the first.
	key := func(b []byte, name string) []byte {
		if len(b) > start+1 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, name...)
		return append(b, '"', ':')
	}
	if it := p.Item; it != nil {
		b = key(b, "item")
		b = append(b, `{"id":`...)
		b = appendJSONString(b, it.ID)
		b = append(b, `,"pricePerItem":`...)
		b = appendJSONString(b, string(it.PricePerItem))
		b = append(b, `,"quantity":`...)
		b = strconv.AppendInt(b, int64(it.Quantity), 10)
		b = appendOptionalField(b, "imageUrl", it.ImageURL)
		b = appendOptionalField(b, "name", it.Name)
		b = appendOptionalField(b, "description", it.Description)
		b = append(b, '}')
	}
	if len(p.CatalogItems) > 0 {
		b = key(b, "catalogItems")
		for i, it := range p.CatalogItems {
			if i > 0 {
				b = append(b, ',')
			} else {
				b = append(b, '[')
			}
			b = append(b, `{"id":`...)
			b = appendJSONString(b, it.ID)
			b = append(b, `,"quantity":`...)
			b = strconv.AppendInt(b, int64(it.Quantity), 10)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(p.BonusItems) > 0 {
		b = key(b, "bonusItems")
		for i, it := range p.BonusItems {
			if i > 0 {
				b = append(b, ',')
			} else {
				b = append(b, '[')
			}
			b = append(b, `{"id":`...)
			b = appendJSONString(b, it.ID)
			b = appendOptionalField(b, "name", it.Name)
			b = appendOptionalField(b, "imageUrl", it.ImageURL)
			b = append(b, `,"quantity":`...)
			b = strconv.AppendInt(b, int64(it.Quantity), 10)
			b = appendOptionalField(b, "description", it.Description)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	u := &p.User
	b = key(b, "user")
	b = append(b, `{"id":`...)
	b = appendJSONString(b, u.ID)
	b = appendOptionalField(b, "validatedEmail", u.ValidatedEmail)
	b = appendOptionalField(b, "profileImageUrl", u.ProfileImageURL)
	b = appendOptionalField(b, "displayName", u.DisplayName)
	b = appendOptionalField(b, "regionCode", u.RegionCode)
	b = appendOptionalField(b, "platform", string(u.Platform))
	b = append(b, '}')
	b = appendOptionalField(b, "transactionId", p.TransactionID)
	b = appendOptionalField(b, "regionCode", p.RegionCode)
	b = appendOptionalField(b, "currency", p.Currency)
	b = appendOptionalField(b, "checkoutSessionId", p.CheckoutSessionID)
	if p.CreatePaymentIntent {
		b = append(b, `,"createPaymentIntent":true`...)
	}
	return append(b, '}')
}

// appendOptionalField appends `,"name":"v"` unless v is empty (omitempty).
func appendOptionalField(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendJSONString(b, v)
}

// appendJSONString appends s as a JSON string exactly as encoding/json does:
// printable ASCII other than '"', '\\', '<', '>' and '&' is copied as is;
// any other string goes through encoding/json itself.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			enc, _ := json.Marshal(s) // a string always encodes
			return append(b, enc...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
