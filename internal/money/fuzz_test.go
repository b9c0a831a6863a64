package money_test

import (
	"errors"
	"math/big"
	"regexp"
	"testing"

	"github.com/stashpay/stashpay-go/internal/money"
)

var (
	integerRE = regexp.MustCompile(`^-?[0-9]+$`)
	decimalRE = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
)

// FuzzParseMinorBig: ParseMinor agrees exactly with a math/big reference:
// the value of an ASCII integer in the int64 range; ErrEmpty for "",
// ErrSyntax for anything but an optional '-' and ASCII digits, ErrRange
// for an integer out of range, and 0 with every error.
func FuzzParseMinorBig(f *testing.F) {
	for _, s := range []string{
		"199", "0", "-0", "", "-", "+1", "1.0", " 1", "1_0", "0x1f", "\u0661",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"-9223372036854775809", "000000000000000000000000000001",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := money.ParseMinor(s)
		var want error
		var wantV int64
		switch {
		case s == "":
			want = money.ErrEmpty
		case !integerRE.MatchString(s):
			want = money.ErrSyntax
		default:
			n, _ := new(big.Int).SetString(s, 10)
			if n.IsInt64() {
				wantV = n.Int64()
			} else {
				want = money.ErrRange
			}
		}
		if !errors.Is(err, want) || (want == nil) != (err == nil) {
			t.Fatalf("ParseMinor(%q) error %v, want %v", s, err, want)
		}
		if got != wantV {
			t.Fatalf("ParseMinor(%q) = %d, want %d", s, got, wantV)
		}
	})
}

// FuzzToMinorBig: ToMinor agrees exactly with a math/big reference: the
// value times 10^scale when that is an integer in the int64 range;
// otherwise ErrScale, ErrEmpty, ErrSyntax, ErrInexact (more significant
// decimals than scale) or ErrRange, checked in that order of precedence.
func FuzzToMinorBig(f *testing.F) {
	for _, s := range []string{
		"1.99", "-0.05", "1.990", "1.991", "", "-", ".5", "5.", "-.5", "1e2", "+1",
		"92233720368547758.07", "92233720368547758.08", "-92233720368547758.08",
		"-92233720368547758.09", "99999999999999999999.001", "0.0000000000000000000",
	} {
		f.Add(s, 2)
	}
	f.Add("1", 18)
	f.Add("10", 18)
	f.Add("1", 19)
	f.Add("1", -1)
	f.Fuzz(func(t *testing.T, s string, scale int) {
		got, err := money.ToMinor(s, scale)
		var want error
		var wantV int64
		switch {
		case scale < 0 || scale > money.MaxScale:
			want = money.ErrScale
		case s == "":
			want = money.ErrEmpty
		case !decimalRE.MatchString(s):
			want = money.ErrSyntax
		default:
			r, _ := new(big.Rat).SetString(s)
			p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)
			r.Mul(r, new(big.Rat).SetInt(p))
			switch {
			case !r.IsInt():
				want = money.ErrInexact
			case !r.Num().IsInt64():
				want = money.ErrRange
			default:
				wantV = r.Num().Int64()
			}
		}
		if !errors.Is(err, want) || (want == nil) != (err == nil) {
			t.Fatalf("ToMinor(%q, %d) error %v, want %v", s, scale, err, want)
		}
		if got != wantV {
			t.Fatalf("ToMinor(%q, %d) = %d, want %d", s, scale, got, wantV)
		}
	})
}
