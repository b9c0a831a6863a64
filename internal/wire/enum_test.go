package wire_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/internal/wire"
)

func TestEnum(t *testing.T) {
	t.Parallel()
	names := []string{"X_UNSPECIFIED", "X_ONE", "X_TWO"}
	tests := []struct{ in, want string }{
		{`"X_ONE"`, "X_ONE"}, {`1`, "X_ONE"}, {`"2"`, "X_TWO"}, {`7`, "7"}, {`-1`, "-1"},
		{`"X_NEW"`, "X_NEW"}, {`null`, ""}, {`"X_\u004fNE"`, "X_ONE"},
	}
	for _, tt := range tests {
		got, err := wire.Enum([]byte(tt.in), names)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
	for _, bad := range []string{`true`, `{}`, `[]`, `1.5`} {
		_, err := wire.Enum([]byte(bad), names)
		assert.Error(t, err, bad)
	}
}

type color string

var colorNames = wire.EnumNames[color]("COLOR_UNSPECIFIED", "COLOR_RED", "COLOR_BLUE")

func TestDecodeEncodeEnum(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want, out string
		number        int32
		ok            bool
	}{
		{`"COLOR_RED"`, "COLOR_RED", `"COLOR_RED"`, 1, true},
		{`2`, "COLOR_BLUE", `"COLOR_BLUE"`, 2, true},
		{`"9"`, "9", `9`, 9, true},
		{`"COLOR_NEW"`, "COLOR_NEW", `"COLOR_NEW"`, 0, false},
		{`null`, "", `"COLOR_UNSPECIFIED"`, 0, true},
	}
	for _, tt := range tests {
		var c color
		require.NoError(t, wire.DecodeEnum([]byte(tt.in), colorNames, &c), tt.in)
		assert.Equal(t, color(tt.want), c, tt.in)
		b, err := wire.EncodeEnum(c, colorNames)
		require.NoError(t, err)
		assert.Equal(t, tt.out, string(b), tt.in)
		n, ok := wire.EnumNumber(c, colorNames)
		assert.Equal(t, tt.ok, ok, tt.in)
		if ok {
			assert.Equal(t, tt.number, n, tt.in)
		}
	}
	var c color
	assert.Error(t, wire.DecodeEnum([]byte(`{}`), colorNames, &c))
}

func TestText(t *testing.T) {
	t.Parallel()
	var got map[string]string
	require.NoError(t, wire.Unmarshal([]byte(`{"a":"x","b":7,"c":true,"d":null,"e":"\u0041"}`), &got))
	assert.Equal(t, map[string]string{"a": "x", "b": "7", "c": "true", "d": "", "e": "A"}, got)
	var n struct {
		ID wire.NumericText `json:"id"`
	}
	require.NoError(t, wire.Unmarshal([]byte(`{"id":12345}`), &n))
	assert.Equal(t, wire.NumericText("12345"), n.ID)
	assert.Error(t, json.Unmarshal([]byte(`{"id":true}`), &n))
	assert.Error(t, json.Unmarshal([]byte(`{"id":[]}`), &n))
}
