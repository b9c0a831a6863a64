package events_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/internal/money"
)

func TestAmountMinorUnits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		amount            events.Amount
		scale             int
		want              int64
		wantErr, sentinel error
	}{
		{"9.99", 2, 999, nil, nil},
		{"21.48", 2, 2148, nil, nil},
		{"1.50", 2, 150, nil, nil},
		{"7", 0, 7, nil, nil},
		{"1.990", 2, 199, nil, nil},
		{"-0.5", 2, -50, nil, nil},
		{"199", 2, 19900, nil, nil},
		{"1.999", 2, 0, money.ErrInexact, events.ErrInexactAmount},
		{"", 2, 0, money.ErrEmpty, events.ErrInvalidAmount},
		{"1,99", 2, 0, money.ErrSyntax, events.ErrInvalidAmount},
		{"1e2", 2, 0, money.ErrSyntax, events.ErrInvalidAmount},
		{"1", 19, 0, money.ErrScale, events.ErrInvalidAmount},
		{"99999999999999999999", 2, 0, money.ErrRange, events.ErrInexactAmount},
	}
	for _, tt := range tests {
		t.Run(string(tt.amount), func(t *testing.T) {
			t.Parallel()
			got, err := tt.amount.MinorUnits(tt.scale)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				require.ErrorIs(t, err, tt.sentinel)
				assert.Contains(t, err.Error(), "events: ")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestAmountParseMinor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		amount            events.Amount
		want              int64
		wantErr, sentinel error
	}{
		{"199", 199, nil, nil},
		{"0", 0, nil, nil},
		{"-25", -25, nil, nil},
		{"1.99", 0, money.ErrSyntax, events.ErrInvalidAmount},
		{"", 0, money.ErrEmpty, events.ErrInvalidAmount},
		{"9223372036854775808", 0, money.ErrRange, events.ErrInexactAmount},
	}
	for _, tt := range tests {
		t.Run(string(tt.amount), func(t *testing.T) {
			t.Parallel()
			got, err := tt.amount.ParseMinor()
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				require.ErrorIs(t, err, tt.sentinel)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestAmountErrorsDoNotQuoteTheAmount checks that conversion errors describe
// the problem without repeating the amount's text.
func TestAmountErrorsDoNotQuoteTheAmount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		conv func(events.Amount) error
	}{
		{"MinorUnits", func(a events.Amount) error { _, err := a.MinorUnits(2); return err }},
		{"ParseMinor", func(a events.Amount) error { _, err := a.ParseMinor(); return err }},
	}
	for _, tt := range tests {
		for _, a := range []events.Amount{"12.345678", "777,77", "98765432109876543210", "4.2e7zz"} {
			err := tt.conv(a)
			require.Errorf(t, err, "%s(%q)", tt.name, a)
			assert.NotContainsf(t, err.Error(), string(a), "%s(%q)", tt.name, a)
		}
	}
}

func TestFormatMinor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		minor   int64
		places  int
		want    events.Amount
		wantErr error
	}{
		{199, 2, "1.99", nil},
		{-5, 2, "-0.05", nil},
		{7, 0, "7", nil},
		{1, 19, "", events.ErrInvalidAmount},
		{1, -1, "", events.ErrInvalidAmount},
	}
	for _, tt := range tests {
		got, err := events.FormatMinor(tt.minor, tt.places)
		if tt.wantErr != nil {
			require.ErrorIs(t, err, tt.wantErr)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tt.want, got)
		back, err := got.MinorUnits(tt.places)
		require.NoError(t, err)
		assert.Equal(t, tt.minor, back)
	}
}

func TestAmountIsZeroAndString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		amount events.Amount
		want   bool
	}{
		{"", true}, {"0", true}, {"0.00", true}, {"-0", true}, {"000", true},
		{"0.0000000000000000000000", true}, {"-0.000", true},
		{"0.01", false}, {"1", false}, {"-", false}, {".0", false}, {"0.", false}, {"abc", false}, {"0x0", false},
		{"0.0000000000000000001", false}, {"00000000000000000000001", false}, {" 0", false}, {"+0", false}, {"0e0", false},
	}
	for _, tt := range tests {
		assert.Equalf(t, tt.want, tt.amount.IsZero(), "IsZero(%q)", tt.amount)
		assert.Equal(t, string(tt.amount), tt.amount.String())
	}
}

func TestAmountUnmarshalJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     events.Amount
		wantErr  bool
	}{
		{"string", `"9.99"`, "9.99", false},
		{"escaped string", `"9\u002e99"`, "9.99", false},
		{"number keeps text", `21.48`, "21.48", false},
		{"negative number", `-5`, "-5", false},
		{"null leaves value", `null`, "keep", false},
		{"invalid UTF-8", "\"1\xff\"", "", true},
		{"invalid UTF-8 with escape", "\"1\\u0030\xfe\"", "", true},
		{"bool", `true`, "", true},
		{"object", `{"v":1}`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := events.Amount("keep")
			err := json.Unmarshal([]byte(tt.in), &a)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, a)
		})
	}
}

func TestCurrency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b  events.Currency
		equal bool
		code  string
	}{
		{"usd", "USD", true, "USD"},
		{"USD", "USD", true, "USD"},
		{"Eur", "eUR", true, "EUR"},
		{"usd", "usdt", false, "USD"},
		{"usd", "cad", false, "USD"},
		{"", "", true, ""},
	}
	for _, tt := range tests {
		assert.Equalf(t, tt.equal, tt.a.Equal(tt.b), "%q.Equal(%q)", tt.a, tt.b)
		assert.Equalf(t, tt.equal, tt.b.Equal(tt.a), "%q.Equal(%q)", tt.b, tt.a)
		assert.Equal(t, tt.code, tt.a.Code())
		assert.Equal(t, string(tt.a), tt.a.String())
	}
}

func TestMillisJSON(t *testing.T) {
	t.Parallel()
	var m events.Millis
	require.NoError(t, json.Unmarshal([]byte(`"1640995200000"`), &m))
	assert.Equal(t, events.Millis(1640995200000), m)
	require.NoError(t, json.Unmarshal([]byte(`-9223372036854775808`), &m))
	assert.Equal(t, events.Millis(-9223372036854775808), m)
	require.Error(t, json.Unmarshal([]byte(`9223372036854775808`), &m))
	require.Error(t, json.Unmarshal([]byte(`"-"`), &m))
	assert.True(t, events.Millis(0).Time().IsZero())
}

// An amount of the wrong JSON kind names its member, like every other
// decoding error (it used to read "payload: cannot decode").
func TestAmountWrongKindNamesTheMember(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`true`, `{}`, `[1]`} {
		_, err := events.Parse([]byte(`{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{"orderId":"o","total":` + in + `}}`))
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), "total: wrong JSON kind", in)
	}
}
