package stashpay

import "github.com/stashpay/stashpay-go/internal/money"

// Amount is a money amount exactly as Stash sent it, as a string. Amounts are
// never floats in this SDK.
//
// Public sources disagree on the unit of Stash's amount strings: checkout
// samples send decimal major units ("1.99"), a webhook example sends minor
// units ("199" for $1.99), and GetPaymentEvent does not say. Amount therefore
// keeps the string untouched and makes the caller choose the reading
// explicitly: [Amount.MinorUnits] for decimal major units, [Amount.ParseMinor]
// for strings that already hold minor units.
type Amount string

// String returns the amount as sent.
func (a Amount) String() string { return string(a) }

// IsZero reports whether the amount is empty.
func (a Amount) IsZero() bool { return a == "" }

// MinorUnits reads a as a decimal amount in major units ("1.99") and returns
// it in minor units at scale decimal places (199 for scale 2). It fails with
// an error wrapping [ErrInexactAmount] when a has more non-zero decimals than
// scale allows, instead of rounding.
func (a Amount) MinorUnits(scale int) (int64, error) {
	v, err := money.ToMinor(string(a), scale)
	if err != nil {
		return 0, amountError(err)
	}
	return v, nil
}

// ParseMinor reads a as a whole number of minor units ("199").
func (a Amount) ParseMinor() (int64, error) {
	v, err := money.ParseMinor(string(a))
	if err != nil {
		return 0, amountError(err)
	}
	return v, nil
}

// FormatMinor renders minor units at decimalPlaces as a decimal [Amount]:
// FormatMinor(199, 2) is "1.99". It is the exact inverse of
// [Amount.MinorUnits].
func FormatMinor(minor int64, decimalPlaces int) (Amount, error) {
	s, err := money.Format(minor, decimalPlaces)
	if err != nil {
		return "", amountError(err)
	}
	return Amount(s), nil
}
