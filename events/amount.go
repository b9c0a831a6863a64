package events

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/stashpay/stashpay-go/internal/money"
	"github.com/stashpay/stashpay-go/internal/wire"
)

// Amount is a money amount exactly as Stash sent it, kept as text. It is never
// converted through a float. The root package's stashpay.Amount is this type.
//
// The unit is NOT the same across Stash's examples, and the payload does not
// say which one it uses:
//   - the webhook-listener example sends minor units: "199" for $1.99, "0";
//   - the webhook-list example and checkout samples send decimal major units:
//     "9.99", "21.48".
//
// The caller therefore picks the interpretation explicitly: [Amount.ParseMinor]
// when the string already holds minor units, [Amount.MinorUnits] with the
// currency's scale (e.g. 2 for USD) when it holds a decimal in major units.
// Both fail rather than round. An Amount decodes from a JSON string or a JSON
// number; a number keeps its literal text.
type Amount string

// Errors of amount conversion, usable with [errors.Is]. The root package's
// stashpay.ErrInvalidAmount and stashpay.ErrInexactAmount are these values.
// Their messages describe the problem and never quote the amount.
var (
	// ErrInvalidAmount is returned for an amount string that is not a
	// decimal number, or a scale outside 0..18.
	ErrInvalidAmount = errors.New("events: invalid amount")
	// ErrInexactAmount is returned when an amount cannot be represented
	// exactly at the requested scale, or does not fit in an int64.
	ErrInexactAmount = errors.New("events: amount not exactly representable")
)

// amountError wraps an error of package money in the matching sentinel.
func amountError(err error) error {
	if errors.Is(err, money.ErrInexact) || errors.Is(err, money.ErrRange) {
		return fmt.Errorf("%w: %w", ErrInexactAmount, err)
	}
	return fmt.Errorf("%w: %w", ErrInvalidAmount, err)
}

// String returns the amount as sent.
func (a Amount) String() string { return string(a) }

// IsZero reports whether a is empty or a decimal zero such as "0", "0.00",
// "000" or "-0". Any other text, including malformed text, is not zero.
func (a Amount) IsZero() bool {
	if a == "" {
		return true
	}
	v, err := money.ToMinor(string(a), money.MaxScale)
	return err == nil && v == 0
}

// MinorUnits interprets a as a decimal in major units and returns it in minor
// units at scale decimal places: Amount("9.99").MinorUnits(2) == 999. A value
// with more significant decimals than scale, or out of the int64 range, is an
// error matching [ErrInexactAmount], never a rounding; text that is not a
// decimal number, or a scale outside 0..18, matches [ErrInvalidAmount].
func (a Amount) MinorUnits(scale int) (int64, error) {
	v, err := money.ToMinor(string(a), scale)
	if err != nil {
		return 0, amountError(err)
	}
	return v, nil
}

// ParseMinor interprets a as an integer already in minor units:
// Amount("199").ParseMinor() == 199. Text with a decimal point matches
// [ErrInvalidAmount]; a value out of the int64 range [ErrInexactAmount].
func (a Amount) ParseMinor() (int64, error) {
	v, err := money.ParseMinor(string(a))
	if err != nil {
		return 0, amountError(err)
	}
	return v, nil
}

// FormatMinor renders minor units at decimalPlaces as a decimal [Amount]:
// FormatMinor(199, 2) is "1.99". It is the exact inverse of
// [Amount.MinorUnits]. A decimalPlaces outside 0..18 matches
// [ErrInvalidAmount].
func FormatMinor(minor int64, decimalPlaces int) (Amount, error) {
	s, err := money.Format(minor, decimalPlaces)
	if err != nil {
		return "", amountError(err)
	}
	return Amount(s), nil
}

// errAmountUTF8 is returned for an amount string that is not valid UTF-8.
var errAmountUTF8 = errors.New("events: amount is not valid UTF-8")

// UnmarshalJSON accepts a JSON string, a JSON number (kept as its literal
// text) or null (leaves a unchanged). A string that is not valid UTF-8 is an
// error, not a replacement character.
func (a *Amount) UnmarshalJSON(b []byte) error {
	if len(b) == 0 {
		return wire.KindError(b, reflect.TypeFor[Amount]())
	}
	switch c := b[0]; {
	case c == '"':
		if !utf8.Valid(b) {
			return errAmountUTF8
		}
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
		return wire.KindError(b, reflect.TypeFor[Amount]())
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
