package stashpay

import "github.com/stashpay/stashpay-go/events"

// Amount is a money amount exactly as Stash sent it, as a string. Amounts are
// never floats in this SDK. It is the same type as [events.Amount], so an
// amount from a webhook and one from the client or an egress call compare,
// convert and report errors alike.
//
// Public sources disagree on the unit of Stash's amount strings: checkout
// samples send decimal major units ("1.99"), a webhook example sends minor
// units ("199" for $1.99), and GetPaymentEvent does not say. Amount therefore
// keeps the string untouched and makes the caller choose the reading
// explicitly: [events.Amount.MinorUnits] for decimal major units,
// [events.Amount.ParseMinor] for strings that already hold minor units.
type Amount = events.Amount

// Errors of amount conversion, usable with errors.Is. They are the very
// values of package events, so errors.Is matches either name.
var (
	// ErrInvalidAmount is returned for an amount string that is not a
	// number, or a scale outside 0..18. It is [events.ErrInvalidAmount].
	ErrInvalidAmount = events.ErrInvalidAmount
	// ErrInexactAmount is returned when an amount cannot be represented
	// exactly at the requested scale, or does not fit in an int64. It is
	// [events.ErrInexactAmount].
	ErrInexactAmount = events.ErrInexactAmount
)

// FormatMinor renders minor units at decimalPlaces as a decimal [Amount]:
// FormatMinor(199, 2) is "1.99". It is the exact inverse of
// [events.Amount.MinorUnits]; see [events.FormatMinor].
func FormatMinor(minor int64, decimalPlaces int) (Amount, error) {
	return events.FormatMinor(minor, decimalPlaces)
}
