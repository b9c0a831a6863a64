package wire

import (
	"encoding/json"
	"reflect"
	"strconv"
	"time"
)

// Int64 is an integer Stash may send as a JSON number or as a string of
// digits (protobuf's JSON form of int64): 5, "5", -3, "-3". A fraction, an
// exponent, a sign '+', surrounding spaces or a value outside int64 are
// errors; null leaves the value unchanged. It encodes as a JSON number.
type Int64 int64

// UnmarshalJSON implements json.Unmarshaler.
func (n *Int64) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	v, ok := parseInt(b, 64)
	if !ok {
		return KindError(b, reflect.TypeFor[int64]())
	}
	*n = Int64(v)
	return nil
}

// Int is [Int64] for values in the int32 range (decimal places), so that
// a value out of range is an error rather than a surprise on 32-bit
// platforms.
type Int int

// UnmarshalJSON implements json.Unmarshaler.
func (n *Int) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	v, ok := parseInt(b, 32)
	if !ok {
		return KindError(b, reflect.TypeFor[int32]())
	}
	*n = Int(v)
	return nil
}

// Millis is a time in Unix milliseconds, sent as a JSON number or a digit
// string. 0, null and an absent member are the zero time.
type Millis int64

// UnmarshalJSON implements json.Unmarshaler.
func (m *Millis) UnmarshalJSON(b []byte) error {
	return (*Int64)(m).UnmarshalJSON(b)
}

// Time returns m as a UTC time, or the zero time for 0.
func (m Millis) Time() time.Time {
	if m == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(m)).UTC()
}

func isNull(b []byte) bool { return string(b) == "null" }

// parseInt reads a JSON number without fraction or exponent, or a string
// holding one, as a signed integer of bits bits.
func parseInt(b []byte, bits int) (int64, bool) {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	// strconv refuses spaces, fractions, exponents and underscores in base
	// 10; only a '+' sign is left to refuse.
	if len(b) == 0 || b[0] == '+' {
		return 0, false
	}
	v, err := strconv.ParseInt(string(b), 10, bits)
	return v, err == nil
}

// KindError is the error an UnmarshalJSON method returns for a value of a
// JSON kind it does not take (b is the value, t the Go type it wants).
// encoding/json fills in its member path and [Unmarshal] reports it as
// "member: wrong JSON kind, want ..."; it names the kind, never the value.
func KindError(b []byte, t reflect.Type) error {
	kind := "value"
	if len(b) > 0 {
		switch c := b[0]; {
		case c == '"':
			kind = "string"
		case c == '{':
			kind = "object"
		case c == '[':
			kind = "array"
		case c == 't' || c == 'f':
			kind = "boolean"
		default:
			kind = "number"
		}
	}
	return &json.UnmarshalTypeError{Value: kind, Type: t}
}
