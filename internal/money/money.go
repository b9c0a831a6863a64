// Package money holds the one implementation of exact amount conversion used
// by the public Amount types of the root package and of events. Amounts are
// never floats: a decimal string is converted to integer minor units only when
// that is exact, otherwise an error is returned.
package money

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// MaxScale is the largest number of decimal places accepted (Stash documents
// decimalPlaces <= 18).
const MaxScale = 18

// Errors returned by this package.
var (
	ErrEmpty   = errors.New("amount is empty")
	ErrSyntax  = errors.New("amount is not a decimal number")
	ErrInexact = errors.New("amount has more decimal places than the scale allows")
	ErrRange   = errors.New("amount is out of range")
	ErrScale   = errors.New("scale must be between 0 and 18")
)

var pow10 = func() [MaxScale + 1]int64 {
	var p [MaxScale + 1]int64
	p[0] = 1
	for i := 1; i <= MaxScale; i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// Pow10 returns 10^scale for 0 <= scale <= MaxScale.
func Pow10(scale int) (int64, error) {
	if scale < 0 || scale > MaxScale {
		return 0, ErrScale
	}
	return pow10[scale], nil
}

// ToMinor converts a decimal string in major units ("1.99", "-0.5", "3",
// "1.990") to integer minor units at scale decimal places (199, -50, 300, 199
// for scale 2). Surrounding whitespace, a leading '+', exponents, thousands
// separators and non-ASCII digits are rejected. Trailing zero decimals beyond
// scale are allowed; any other extra digit is ErrInexact.
func ToMinor(s string, scale int) (int64, error) {
	if scale < 0 || scale > MaxScale {
		return 0, ErrScale
	}
	if s == "" {
		return 0, ErrEmpty
	}
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return 0, ErrSyntax
	}
	if hasDot && (intPart == "" || frac == "") {
		return 0, ErrSyntax
	}
	if !digits(intPart) || !digits(frac) {
		return 0, ErrSyntax
	}
	// Drop trailing zeros beyond the scale; anything else beyond is inexact.
	if len(frac) > scale {
		if strings.TrimRight(frac[scale:], "0") != "" {
			return 0, ErrInexact
		}
		frac = frac[:scale]
	}
	// Accumulate as a positive number in uint64 with overflow checks, then
	// apply the sign (allowing math.MinInt64).
	var acc uint64
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	add := func(d byte) bool {
		if acc > (limit-uint64(d-'0'))/10 {
			return false
		}
		acc = acc*10 + uint64(d-'0')
		return true
	}
	for i := 0; i < len(intPart); i++ {
		if !add(intPart[i]) {
			return 0, ErrRange
		}
	}
	for i := 0; i < scale; i++ {
		d := byte('0')
		if i < len(frac) {
			d = frac[i]
		}
		if !add(d) {
			return 0, ErrRange
		}
	}
	if neg {
		return int64(-acc), nil //nolint:gosec // acc <= 1<<63 checked above
	}
	return int64(acc), nil
}

// ParseMinor parses a string that already holds integer minor units ("199").
func ParseMinor(s string) (int64, error) {
	if s == "" {
		return 0, ErrEmpty
	}
	body := s
	if body[0] == '-' {
		body = body[1:]
	}
	if body == "" || !digits(body) {
		return 0, ErrSyntax
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, ErrRange
	}
	return v, nil
}

// Format renders minor units at scale decimal places as a decimal string:
// Format(199, 2) == "1.99", Format(-5, 2) == "-0.05", Format(7, 0) == "7".
func Format(minor int64, scale int) (string, error) {
	if scale < 0 || scale > MaxScale {
		return "", ErrScale
	}
	neg := minor < 0
	u := uint64(minor)
	if neg {
		u = uint64(-minor) //nolint:gosec // two's complement handles MinInt64
	}
	digitsStr := strconv.FormatUint(u, 10)
	if scale > 0 {
		if len(digitsStr) <= scale {
			digitsStr = strings.Repeat("0", scale-len(digitsStr)+1) + digitsStr
		}
		digitsStr = digitsStr[:len(digitsStr)-scale] + "." + digitsStr[len(digitsStr)-scale:]
	}
	if neg {
		return "-" + digitsStr, nil
	}
	return digitsStr, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
