package stashpay

import (
	"errors"
	"fmt"

	"github.com/stashpay/stashpay-go/internal/money"
)

// Errors of amount conversion, usable with errors.Is.
var (
	// ErrInvalidAmount is returned for an amount string that is not a
	// number, or a scale outside 0..18.
	ErrInvalidAmount = errors.New("stashpay: invalid amount")
	// ErrInexactAmount is returned when an amount cannot be represented
	// exactly at the requested scale, or does not fit in an int64.
	ErrInexactAmount = errors.New("stashpay: amount not exactly representable")
)

func amountError(err error) error {
	switch {
	case errors.Is(err, money.ErrInexact), errors.Is(err, money.ErrRange):
		return fmt.Errorf("%w: %w", ErrInexactAmount, err)
	default:
		return fmt.Errorf("%w: %w", ErrInvalidAmount, err)
	}
}
