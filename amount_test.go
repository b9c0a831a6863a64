package stashpay_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/events"
)

func TestAmount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		amount    stashpay.Amount
		scale     int
		wantMinor int64
		wantErr   error
	}{
		{"decimal", "21.48", 2, 2148, nil},
		{"whole", "3", 2, 300, nil},
		{"trailing zero", "1.50", 1, 15, nil},
		{"inexact", "1.999", 2, 0, stashpay.ErrInexactAmount},
		{"overflow", "99999999999999999999", 0, 0, stashpay.ErrInexactAmount},
		{"garbage", "1,99", 2, 0, stashpay.ErrInvalidAmount},
		{"empty", "", 2, 0, stashpay.ErrInvalidAmount},
		{"bad scale", "1", 40, 0, stashpay.ErrInvalidAmount},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.amount.MinorUnits(tc.scale)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantMinor, got)
			back, err := stashpay.FormatMinor(got, tc.scale)
			require.NoError(t, err)
			again, err := back.MinorUnits(tc.scale)
			require.NoError(t, err)
			assert.Equal(t, got, again)
		})
	}
}

func TestAmountParseMinor(t *testing.T) {
	t.Parallel()
	v, err := stashpay.Amount("199").ParseMinor()
	require.NoError(t, err)
	assert.Equal(t, int64(199), v)
	_, err = stashpay.Amount("1.99").ParseMinor()
	assert.ErrorIs(t, err, stashpay.ErrInvalidAmount)
	assert.True(t, stashpay.Amount("").IsZero())
	assert.Equal(t, "1.99", stashpay.Amount("1.99").String())
}

// TestAmountIsEventsAmount checks that the root package and package events
// agree on every amount: one IsZero, one conversion, one set of errors that
// errors.Is matches under either package's name.
func TestAmountIsEventsAmount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text     string
		zero     bool
		sentinel error // of MinorUnits(2)
	}{
		{"", true, stashpay.ErrInvalidAmount},
		{"0", true, nil},
		{"0.00", true, nil},
		{"-0", true, nil},
		{"0.01", false, nil},
		{"1.999", false, stashpay.ErrInexactAmount},
		{"abc", false, stashpay.ErrInvalidAmount},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			root, ev := stashpay.Amount(tt.text), events.Amount(tt.text)
			assert.Equal(t, tt.zero, root.IsZero(), "stashpay.Amount.IsZero")
			assert.Equal(t, tt.zero, ev.IsZero(), "events.Amount.IsZero")
			_, rootErr := root.MinorUnits(2)
			_, evErr := ev.MinorUnits(2)
			if tt.sentinel == nil {
				require.NoError(t, rootErr)
				require.NoError(t, evErr)
				return
			}
			for _, err := range []error{rootErr, evErr} {
				require.ErrorIs(t, err, tt.sentinel)
			}
			assert.Equal(t, rootErr.Error(), evErr.Error())
		})
	}
	assert.Same(t, stashpay.ErrInvalidAmount, events.ErrInvalidAmount)
	assert.Same(t, stashpay.ErrInexactAmount, events.ErrInexactAmount)
	_, err := events.FormatMinor(1, 19)
	require.ErrorIs(t, err, stashpay.ErrInvalidAmount)
}
