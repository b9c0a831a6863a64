package stashpaytest

import (
	"bytes"
	"errors"

	"github.com/stashpay/stashpay-go/internal/wire"
)

// decodeObject decodes a JSON object body into v through the SDK's one
// tolerant reader of Stash JSON (internal/wire): lowerCamelCase or snake_case
// member names, integers as numbers or digit strings, invalid UTF-8 refused.
// A number where Stash expects a string (a pricePerItem of 1.99) is refused,
// as Stash's own parser refuses it, though the SDK reads one in what Stash
// sends. Errors name the member, never a value.
func decodeObject(body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errors.New("request body must be a JSON object")
	}
	return wire.UnmarshalStrictStrings(trimmed, v)
}

// enumText is an open enum kept as text ([wire.Enum] without names): a name
// as sent, a number as its decimal digits, null as "".
type enumText string

// UnmarshalJSON implements json.Unmarshaler.
func (e *enumText) UnmarshalJSON(b []byte) error {
	s, err := wire.Enum(b, nil)
	if err != nil {
		return err
	}
	*e = enumText(s)
	return nil
}
