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

// decodeCheckoutResponse decodes a generate_quick_pay_url body into out,
// with exactly the result of json.Unmarshal into a checkoutResponse (tests
// hold the two together). The usual body, a flat object of plain ASCII
// strings, is scanned directly; anything else goes to encoding/json.
func decodeCheckoutResponse(data []byte, out *Checkout) error {
	if scanFlatStrings(data, func(k, v []byte) bool {
		switch string(k) {
		case "url":
			out.URL = string(v)
		case "id":
			out.ID = string(v)
		case "regionCode":
			out.RegionCode = string(v)
		default:
			// Keys differing only in case would match in encoding/json.
			return !bytesEqualFold(k, "url") && !bytesEqualFold(k, "id") && !bytesEqualFold(k, "regionCode")
		}
		return true
	}) {
		return nil
	}
	*out = Checkout{}
	return json.Unmarshal(data, (*checkoutResponse)(out))
}

// scanFlatStrings walks a JSON object whose keys and values are all strings
// of printable ASCII without escapes, calling fn for each pair. It returns
// false, having possibly called fn, for any other input or when fn does.
func scanFlatStrings(data []byte, fn func(k, v []byte) bool) bool {
	i := skipJSONSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return false
	}
	i = skipJSONSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return skipJSONSpace(data, i+1) == len(data)
	}
	for {
		k, next, ok := scanPlainString(data, i)
		if !ok {
			return false
		}
		i = skipJSONSpace(data, next)
		if i >= len(data) || data[i] != ':' {
			return false
		}
		v, next, ok := scanPlainString(data, skipJSONSpace(data, i+1))
		if !ok || !fn(k, v) {
			return false
		}
		i = skipJSONSpace(data, next)
		if i >= len(data) {
			return false
		}
		switch data[i] {
		case ',':
			i = skipJSONSpace(data, i+1)
		case '}':
			return skipJSONSpace(data, i+1) == len(data)
		default:
			return false
		}
	}
}

// scanPlainString reads a string at data[i] made of printable ASCII with no
// backslash, returning its contents and the index after the closing quote.
func scanPlainString(data []byte, i int) (s []byte, next int, ok bool) {
	if i >= len(data) || data[i] != '"' {
		return nil, 0, false
	}
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == '"':
			return data[i+1 : j], j + 1, true
		case c < 0x20 || c > 0x7e || c == '\\':
			return nil, 0, false
		}
	}
	return nil, 0, false
}

func skipJSONSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// bytesEqualFold reports whether ASCII b equals s ignoring ASCII case.
func bytesEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i]|0x20, s[i]|0x20
		if x != y || (x < 'a' || x > 'z') && b[i] != s[i] {
			return false
		}
	}
	return true
}
