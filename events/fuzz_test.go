package events_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"regexp"
	"testing"
	"unicode/utf8"

	"github.com/stashpay/stashpay-go/events"
)

func FuzzParse(f *testing.F) {
	events.AddSeedPayloads(f)
	for _, s := range []string{
		``, `null`, `[]`, `{}`, `{"type":""}`, `{"type":5}`,
		`{"type":"PURCHASE_SUCCEEDED"}`,
		`{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{"timeMillis":"1753993257000","items":[{"quantity":-1}]}}`,
		`{"type":"VIEW_ITEM","eventData":{"userId":"u"}}`,
		`{"type":"NEW_THING","purchaseSucceeded":{"items":"x"},"other":{}}`,
		`{"type":"subscription.renewed","data":{"subscriptionId":"s","cancelledAt":1,"period":{"value":"2"}}}`,
		"{\"type\":\"PURCHASE_SUCCEEDED\",\"purchaseSucceeded\":{\"orderId\":\"ord-\xff-1\"}}",
		`{"type":"PURCHASE_SUCCEEDED","purchase_succeeded":{"order_id":"o","items":[{"quantity":"2"}]}}`,
		`{"type":"subscription.created","event_data":{"subscription_id":"s","status":3,"period":{"value":1}}}`,
		`{"type":"VIEW_ITEM","viewItem":{"userId":"\ud800"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		input := bytes.Clone(payload)
		ev, err := events.Parse(payload)
		if !bytes.Equal(input, payload) {
			t.Fatal("Parse modified its input")
		}
		if err != nil {
			if ev != nil {
				t.Fatalf("non-nil event %T with error %v", ev, err)
			}
			if !errors.Is(err, events.ErrMalformed) {
				t.Fatalf("error %v does not match ErrMalformed", err)
			}
			return
		}
		if ev == nil {
			t.Fatal("nil event without error")
		}
		if ev.Type() == "" {
			t.Fatal("empty Type without error")
		}
		if !bytes.Equal(ev.Raw(), payload) {
			t.Fatal("Raw differs from the input")
		}
		if f := ev.Format(); f != events.FormatV1 && f != events.FormatV2 {
			t.Fatalf("Format %d", f)
		}
		// Deterministic: a second parse agrees.
		again, err := events.Parse(payload)
		if err != nil {
			t.Fatalf("second Parse failed: %v", err)
		}
		if again.Type() != ev.Type() || again.IdempotencyKey() != ev.IdempotencyKey() ||
			again.Environment() != ev.Environment() {
			t.Fatal("Parse is not deterministic")
		}
	})
}

// decimalRE is the documented decimal syntax of an Amount in major units:
// an optional '-', ASCII digits, and an optional '.' followed by digits.
var decimalRE = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// integerRE is the syntax of an Amount already in minor units.
var integerRE = regexp.MustCompile(`^-?[0-9]+$`)

// amountMessages are the only texts an amount error may have: a sentinel
// and the cause, never the amount itself.
var amountMessages = map[string]error{
	"events: invalid amount: amount is empty":                                                        events.ErrInvalidAmount,
	"events: invalid amount: amount is not a decimal number":                                         events.ErrInvalidAmount,
	"events: invalid amount: scale must be between 0 and 18":                                         events.ErrInvalidAmount,
	"events: amount not exactly representable: amount has more decimal places than the scale allows": events.ErrInexactAmount,
	"events: amount not exactly representable: amount is out of range":                               events.ErrInexactAmount,
}

// checkAmountError fails unless err is one of the documented errors and
// matches want.
func checkAmountError(t *testing.T, a events.Amount, err, want error) {
	t.Helper()
	sentinel, ok := amountMessages[err.Error()]
	if !ok {
		t.Fatalf("%q: unexpected error text %q", a, err.Error())
	}
	if !errors.Is(err, sentinel) || !errors.Is(err, want) {
		t.Fatalf("%q: error %q does not match %v", a, err.Error(), want)
	}
	other := events.ErrInvalidAmount
	if want == events.ErrInvalidAmount {
		other = events.ErrInexactAmount
	}
	if errors.Is(err, other) {
		t.Fatalf("%q: error %q matches both sentinels", a, err.Error())
	}
}

// referenceMinor is the exact value of the decimal s at scale with
// math/big: the minor units, or the sentinel the conversion must fail with.
func referenceMinor(s string, scale int) (int64, error) {
	if scale < 0 || scale > 18 || !decimalRE.MatchString(s) {
		return 0, events.ErrInvalidAmount
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("reference cannot parse " + s)
	}
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
	if !r.IsInt() || !r.Num().IsInt64() {
		return 0, events.ErrInexactAmount
	}
	return r.Num().Int64(), nil
}

// FuzzAmountMinorUnits: MinorUnits agrees exactly with a math/big
// reference (value, or which sentinel the error matches), its errors never
// quote the amount, an accepted value formats back with FormatMinor to an
// amount of the same value, and IsZero agrees with the reference.
func FuzzAmountMinorUnits(f *testing.F) {
	for _, s := range []string{
		"9.99", "21.48", "199", "0", "-0", "0.00", "1.990", "1.991", "", "-", ".5", "5.", "+1",
		"1e3", "1,000", " 1", "1 ", "\u0661", "92233720368547758.07", "92233720368547758.08",
		"-92233720368547758.08", "-92233720368547758.09", "9223372036854775807",
		"0.000000000000000000001", "00000000000000000000000001.5", "1.2.3", "--1", "NaN",
	} {
		f.Add(s, 2)
	}
	f.Add("9223372036854775807", 0)
	f.Add("-9.223372036854775808", 18)
	f.Add("1", 19)
	f.Add("1", -1)
	f.Fuzz(func(t *testing.T, s string, scale int) {
		a := events.Amount(s)
		got, err := a.MinorUnits(scale)
		want, werr := referenceMinor(s, scale)
		if werr != nil {
			if err == nil {
				t.Fatalf("%q at scale %d: got %d, want an error matching %v", s, scale, got, werr)
			}
			if got != 0 {
				t.Fatalf("%q: value %d with error", s, got)
			}
			checkAmountError(t, a, err, werr)
		} else {
			if err != nil {
				t.Fatalf("%q at scale %d: %v, want %d", s, scale, err, want)
			}
			if got != want {
				t.Fatalf("%q at scale %d: got %d, want %d", s, scale, got, want)
			}
			back, ferr := events.FormatMinor(got, scale)
			if ferr != nil {
				t.Fatalf("FormatMinor(%d, %d): %v", got, scale, ferr)
			}
			if again, err := back.MinorUnits(scale); err != nil || again != got {
				t.Fatalf("%q -> %d -> %q -> %d (%v)", s, got, back, again, err)
			}
		}
		// IsZero: empty, or a well-formed decimal whose value is zero.
		zero := s == ""
		if decimalRE.MatchString(s) {
			r, _ := new(big.Rat).SetString(s)
			zero = r.Sign() == 0
		}
		if a.IsZero() != zero {
			t.Fatalf("IsZero(%q) = %v, want %v", s, a.IsZero(), zero)
		}
	})
}

// FuzzAmountParseMinor: ParseMinor agrees exactly with a math/big
// reference; text that is not an integer matches ErrInvalidAmount, an
// integer out of the int64 range ErrInexactAmount; errors never quote the
// amount; an accepted value equals MinorUnits(0).
func FuzzAmountParseMinor(f *testing.F) {
	for _, s := range []string{
		"199", "0", "-0", "007", "", "-", "+1", "1.00", "1e2", " 1", "0x10", "1_000",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"-9223372036854775809", "99999999999999999999999999", "\u0661\u0662",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := events.Amount(s)
		got, err := a.ParseMinor()
		var want error
		var wantV int64
		if !integerRE.MatchString(s) {
			want = events.ErrInvalidAmount
		} else if n, _ := new(big.Int).SetString(s, 10); !n.IsInt64() {
			want = events.ErrInexactAmount
		} else {
			wantV = n.Int64()
		}
		if want != nil {
			if err == nil {
				t.Fatalf("ParseMinor(%q) = %d, want an error matching %v", s, got, want)
			}
			checkAmountError(t, a, err, want)
			return
		}
		if err != nil || got != wantV {
			t.Fatalf("ParseMinor(%q) = %d, %v, want %d", s, got, err, wantV)
		}
		if m, err := a.MinorUnits(0); err != nil || m != got {
			t.Fatalf("MinorUnits(0) of %q = %d, %v, want %d", s, m, err, got)
		}
	})
}

// FuzzAmountUnmarshalJSON: decoding any JSON document into an Amount never
// panics; a JSON string decodes to what encoding/json gives a string (and
// is refused when not valid UTF-8), a JSON number keeps its literal text,
// null leaves the value unchanged, and any other value is refused and
// leaves it unchanged. Calling UnmarshalJSON directly on any bytes never
// panics and leaves the value unchanged on error.
func FuzzAmountUnmarshalJSON(f *testing.F) {
	for _, s := range []string{
		`"9.99"`, `199`, `-0.5e3`, `null`, `true`, `{}`, `[]`, `""`, `"\u0031\u0039\u0039"`,
		`"a\"b"`, "\"\xff\"", `"\ud800"`, ` "1" `, `1.0`, `nul`, `"1`, `"`, ``, `-`, `01`,
		`"1\n"`, "\"1\t\"", `{"amount":"1"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const prev = events.Amount("prev")
		// Direct call: any bytes.
		direct := prev
		if err := direct.UnmarshalJSON(data); err != nil && direct != prev {
			t.Fatalf("UnmarshalJSON(%q) failed (%v) but changed the value to %q", data, err, direct)
		}
		if !json.Valid(data) {
			return
		}
		a := prev
		err := json.Unmarshal(data, &a)
		tok := bytes.TrimSpace(data)
		switch c := tok[0]; {
		case c == '"':
			var want string
			if jerr := json.Unmarshal(data, &want); jerr != nil {
				t.Fatalf("encoding/json refuses %q: %v", data, jerr)
			}
			if !utf8.Valid(tok) {
				if err == nil {
					t.Fatalf("invalid UTF-8 %q accepted as %q", data, a)
				}
				return
			}
			if err != nil || string(a) != want {
				t.Fatalf("%q decoded to %q, %v, want %q", data, a, err, want)
			}
		case c == '-' || c >= '0' && c <= '9':
			if err != nil || string(a) != string(tok) {
				t.Fatalf("number %q decoded to %q, %v", data, a, err)
			}
		case c == 'n':
			if err != nil || a != prev {
				t.Fatalf("null decoded to %q, %v, want unchanged", a, err)
			}
		default:
			if err == nil {
				t.Fatalf("%q accepted as %q", data, a)
			}
			if a != prev {
				t.Fatalf("refused %q but changed the value to %q", data, a)
			}
		}
	})
}
