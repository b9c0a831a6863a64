package money_test

import (
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/internal/money"
)

func TestToMinor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		scale   int
		want    int64
		wantErr error
	}{
		{"1.99", 2, 199, nil},
		{"0.50", 2, 50, nil},
		{"3", 2, 300, nil},
		{"1.990", 2, 199, nil},
		{"1.9", 2, 190, nil},
		{"-0.05", 2, -5, nil},
		{"0", 0, 0, nil},
		{"499", 0, 499, nil},
		{"1.5", 0, 0, money.ErrInexact},
		{"1.999", 2, 0, money.ErrInexact},
		{"0.001", 2, 0, money.ErrInexact},
		{"1.5", 1, 15, nil},
		{"12.345678901234567", 15, 12345678901234567, nil},
		{"9223372036854775807", 0, math.MaxInt64, nil},
		{"-9223372036854775808", 0, math.MinInt64, nil},
		{"9223372036854775808", 0, 0, money.ErrRange},
		{"92233720368547758.08", 2, 0, money.ErrRange},
		{"", 2, 0, money.ErrEmpty},
		{"-", 2, 0, money.ErrSyntax},
		{".5", 2, 0, money.ErrSyntax},
		{"5.", 2, 0, money.ErrSyntax},
		{"1,99", 2, 0, money.ErrSyntax},
		{"+1", 2, 0, money.ErrSyntax},
		{" 1", 2, 0, money.ErrSyntax},
		{"1e2", 2, 0, money.ErrSyntax},
		{"1.2.3", 2, 0, money.ErrSyntax},
		{"--1", 2, 0, money.ErrSyntax},
		{"١", 0, 0, money.ErrSyntax},
		{"1", -1, 0, money.ErrScale},
		{"1", 19, 0, money.ErrScale},
	}
	for _, tc := range tests {
		t.Run(tc.in+"@"+strconv.Itoa(tc.scale), func(t *testing.T) {
			t.Parallel()
			got, err := money.ToMinor(tc.in, tc.scale)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseMinor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    int64
		wantErr error
	}{
		{"199", 199, nil},
		{"0", 0, nil},
		{"-25", -25, nil},
		{"", 0, money.ErrEmpty},
		{"1.99", 0, money.ErrSyntax},
		{"+1", 0, money.ErrSyntax},
		{"-", 0, money.ErrSyntax},
		{"99999999999999999999", 0, money.ErrRange},
	}
	for _, tc := range tests {
		got, err := money.ParseMinor(tc.in)
		if tc.wantErr != nil {
			assert.ErrorIs(t, err, tc.wantErr, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		minor int64
		scale int
		want  string
	}{
		{199, 2, "1.99"},
		{5, 2, "0.05"},
		{-5, 2, "-0.05"},
		{0, 2, "0.00"},
		{7, 0, "7"},
		{1000, 3, "1.000"},
		{math.MinInt64, 2, "-92233720368547758.08"},
	}
	for _, tc := range tests {
		got, err := money.Format(tc.minor, tc.scale)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got)
	}
	_, err := money.Format(1, 19)
	assert.ErrorIs(t, err, money.ErrScale)
}

func FuzzRoundTrip(f *testing.F) {
	f.Add(int64(199), 2)
	f.Add(int64(-1), 0)
	f.Add(int64(math.MinInt64), 18)
	f.Fuzz(func(t *testing.T, minor int64, scale int) {
		s, err := money.Format(minor, scale)
		if err != nil {
			return
		}
		back, err := money.ToMinor(s, scale)
		if err != nil {
			t.Fatalf("ToMinor(%q, %d): %v", s, scale, err)
		}
		if back != minor {
			t.Fatalf("round trip %d -> %q -> %d", minor, s, back)
		}
	})
}

func FuzzToMinor(f *testing.F) {
	for _, s := range []string{"1.99", "0", "-0.05", "1e5", "", "92233720368547758.08"} {
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, s string, scale int) {
		v, err := money.ToMinor(s, scale)
		if err != nil {
			return
		}
		// Whatever parses must format back to a string that parses to the
		// same value.
		out, ferr := money.Format(v, scale)
		if ferr != nil {
			t.Fatalf("Format(%d, %d): %v", v, scale, ferr)
		}
		again, err := money.ToMinor(out, scale)
		if err != nil || again != v {
			t.Fatalf("%q -> %d -> %q -> %d (%v)", s, v, out, again, err)
		}
	})
}
