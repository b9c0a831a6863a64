package wire

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
)

// The open enums of Stash's API are string types holding the protobuf name
// ("PURCHASE_PLATFORM_IOS"). Each enum type's UnmarshalJSON, MarshalJSON and
// Number methods are one line over the helpers below, given the enum's
// names in protobuf number order.

// Enum decodes an open enum value: a name string is kept as sent; an
// integer (a JSON number, or a string of digits) i is names[i], or its
// decimal digits when i is outside names; null is "". Any other JSON kind
// is an error. The result never fails for a value this SDK does not know.
func Enum(b []byte, names []string) (string, error) {
	if isNull(b) {
		return "", nil
	}
	if v, ok := parseInt(b, 32); ok {
		if v >= 0 && v < int64(len(names)) {
			return names[v], nil
		}
		return strconv.FormatInt(v, 10), nil
	}
	if len(b) == 0 || b[0] != '"' {
		return "", KindError(b, reflect.TypeFor[string]())
	}
	if bytes.IndexByte(b, '\\') < 0 {
		return string(b[1 : len(b)-1]), nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return "", KindError(b, reflect.TypeFor[string]())
	}
	return s, nil
}

// EnumNames lists an enum's names in protobuf number order.
func EnumNames[E ~string](names ...E) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = string(n)
	}
	return out
}

// DecodeEnum is the UnmarshalJSON of an open enum type E, over [Enum]. Its error
// is a *json.UnmarshalTypeError, which encoding/json names the member in.
func DecodeEnum[E ~string](b []byte, names []string, dst *E) error {
	if len(b) > 2 && b[0] == '"' {
		for _, n := range names { // a known name, without allocating
			if string(b[1:len(b)-1]) == n {
				*dst = E(n)
				return nil
			}
		}
	}
	s, err := Enum(b, names)
	if err == nil {
		*dst = E(s)
	}
	return err
}

// EncodeEnum is the MarshalJSON of an open enum type: it writes "" as names[0], a kept number as a JSON number, anything
// else as a JSON string.
func EncodeEnum[E ~string](e E, names []string) ([]byte, error) {
	s := string(e)
	if s == "" {
		s = names[0]
	}
	if n, err := strconv.ParseInt(s, 10, 32); err == nil {
		return strconv.AppendInt(nil, n, 10), nil
	}
	return json.Marshal(s)
}

// EnumNumber returns the protobuf number of e; "" is 0.
func EnumNumber[E ~string](e E, names []string) (int32, bool) {
	if e == "" {
		return 0, true
	}
	if i := slices.Index(names, string(e)); i >= 0 {
		return int32(i), true
	}
	n, err := strconv.ParseInt(string(e), 10, 32)
	return int32(n), err == nil
}

// NumericText is a string that may be sent as a JSON number, kept as its
// text (a numeric player ID); null is "".
type NumericText string

// UnmarshalJSON implements json.Unmarshaler.
func (t *NumericText) UnmarshalJSON(b []byte) error {
	switch c := b[0]; {
	case c == '"' && bytes.IndexByte(b, '\\') < 0:
		*t = NumericText(b[1 : len(b)-1]) // wire checked the UTF-8
	case c == '"':
		return json.Unmarshal(b, (*string)(t))
	case c == 'n':
		*t = ""
	case c == '-' || c >= '0' && c <= '9':
		*t = NumericText(b)
	default:
		return &json.UnmarshalTypeError{Value: "non-string", Type: reflect.TypeFor[string]()}
	}
	return nil
}
