package stashpay_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
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
