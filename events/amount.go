package events

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/stashpay/stashpay-go/internal/money"
)

// Amount is a money amount exactly as Stash sent it, kept as text. It is never
// converted through a float.
//
// The unit is NOT the same across Stash's examples, and the payload does not
// say which one it uses:
//   - the webhook-listener example sends minor units: "199" for $1.99, "0";
//   - the webhook-list example sends decimal major units: "9.99", "21.48".
//
// The caller therefore picks the interpretation explicitly: [Amount.ParseMinor]
// when the string already holds minor units, [Amount.MinorUnits] with the
// currency's scale (e.g. 2 for USD) when it holds a decimal in major units.
// Both fail rather than round. An Amount decodes from a JSON string or a JSON
// number; a number keeps its literal text.
type Amount string

// String returns the amount as sent.
func (a Amount) String() string { return string(a) }

// IsZero reports whether a is empty or a decimal zero such as "0", "0.00" or
// "-0". Any other text, including malformed text, is not zero.
func (a Amount) IsZero() bool {
	s := string(a)
	if s == "" {
		return true
	}
	if s[0] == '-' {
		s = s[1:]
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '0':
			digits++
		case s[i] == '.' && i > 0 && i < len(s)-1:
		default:
			return false
		}
	}
	return digits > 0
}

// MinorUnits interprets a as a decimal in major units and returns it in minor
// units at scale decimal places: Amount("9.99").MinorUnits(2) == 999. A value
// with more significant decimals than scale is an error matching
// money's ErrInexact, never a rounding.
func (a Amount) MinorUnits(scale int) (int64, error) {
	v, err := money.ToMinor(string(a), scale)
	if err != nil {
		return 0, fmt.Errorf("events: amount %q at scale %d: %w", truncate(string(a)), scale, err)
	}
	return v, nil
}

// ParseMinor interprets a as an integer already in minor units:
// Amount("199").ParseMinor() == 199. Text with a decimal point is an error.
func (a Amount) ParseMinor() (int64, error) {
	v, err := money.ParseMinor(string(a))
	if err != nil {
		return 0, fmt.Errorf("events: amount %q as minor units: %w", truncate(string(a)), err)
	}
	return v, nil
}

// errAmountKind is returned when an amount is neither a string nor a number.
var errAmountKind = errors.New("events: amount must be a JSON string or number")

// UnmarshalJSON accepts a JSON string, a JSON number (kept as its literal
// text) or null (leaves a unchanged).
func (a *Amount) UnmarshalJSON(b []byte) error {
	if len(b) == 0 {
		return errAmountKind
	}
	switch c := b[0]; {
	case c == '"':
		if s, ok := unquoteSimple(b); ok {
			*a = Amount(s)
			return nil
		}
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = Amount(s)
		return nil
	case c == '-' || (c >= '0' && c <= '9'):
		*a = Amount(b)
		return nil
	case c == 'n' && string(b) == "null":
		return nil
	default:
		return errAmountKind
	}
}

// unquoteSimple returns the contents of a JSON string literal that has no
// escapes, without the allocation-heavy general decoder.
func unquoteSimple(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	inner := b[1 : len(b)-1]
	for _, c := range inner {
		if c == '\\' || c == '"' || c < 0x20 {
			return "", false
		}
	}
	return string(inner), true
}

// Currency is an ISO 4217 currency code as Stash sent it. Stash's examples
// use both "usd" and "USD"; compare with [Currency.Equal] or use
// [Currency.Code].
type Currency string

// Code returns the code in upper case ("usd" -> "USD"), ASCII only.
func (c Currency) Code() string {
	s := string(c)
	for i := 0; i < len(s); i++ {
		if s[i] >= 'a' && s[i] <= 'z' {
			return asciiUpper(s)
		}
	}
	return s
}

// Equal reports whether c and o name the same currency, ignoring ASCII case.
func (c Currency) Equal(o Currency) bool {
	if len(c) != len(o) {
		return false
	}
	for i := 0; i < len(c); i++ {
		if upper(c[i]) != upper(o[i]) {
			return false
		}
	}
	return true
}

// String returns the code as sent.
func (c Currency) String() string { return string(c) }

func upper(b byte) byte {
	if b >= 'a' && b <= 'z' {
		return b - ('a' - 'A')
	}
	return b
}

func asciiUpper(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	for i := 0; i < len(s); i++ {
		sb.WriteByte(upper(s[i]))
	}
	return sb.String()
}

// truncate bounds attacker-influenced text quoted in error messages.
func truncate(s string) string {
	const maxLen = 64
	if len(s) > maxLen {
		return s[:maxLen] + "..."
	}
	return s
}
