package wire_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/stashpay/stashpay-go/internal/wire"
)

// plainDoc has no tolerant fields, so that wire and encoding/json must agree
// on it whenever the input has no snake_case name and is valid UTF-8, but
// for wire's reading of scalars of another kind.
type plainDoc struct {
	TransactionID string            `json:"transactionId"`
	Quantity      int64             `json:"quantity"`
	Items         []map[string]any  `json:"items"`
	Metadata      map[string]string `json:"metadata"`
}

// FuzzUnmarshal checks that Unmarshal never panics, refuses every input
// with invalid UTF-8, and otherwise agrees with encoding/json when it
// accepts an input without snake_case names; what it accepts and
// encoding/json refuses, encoding/json refuses for a scalar of another kind
// that wire reads (a number in a string, a digit string in an integer).
func FuzzUnmarshal(f *testing.F) {
	for _, s := range []string{
		`{"transactionId":"tx","quantity":2}`,
		`{"transaction_id":"tx","items":[{"a_b":1}],"metadata":{"k_v":"x"}}`,
		`{"_t_r_a_n_s_a_c_t_i_o_n_i_d_":"x"}`,
		"{\"transactionId\":\"tx-\xff\"}",
		`{"transactionId":"\ud800\udc00 \udc00"}`,
		`{"quantity":"12"}`, `[1,2]`, `null`, `{"a":"\\u00"}`,
		`{"transactionId":12,"metadata":{"k":-1.5}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got plainDoc
		err := wire.Unmarshal(data, &got)
		if !utf8.Valid(data) {
			assert.Error(t, err)
			return
		}
		if err != nil {
			assert.ErrorIs(t, err, wire.ErrMalformed)
			return
		}
		var want plainDoc
		jerr := json.Unmarshal(data, &want)
		if jerr != nil {
			// The tolerances on plainDoc: a number read into a string, a
			// digit string into an integer, a boolean into a metadata value.
			var typ *json.UnmarshalTypeError
			if assert.ErrorAs(t, jerr, &typ, "wire accepted what encoding/json refuses") {
				got := typ.Value + " into " + typ.Type.Kind().String()
				assert.Contains(t, []string{"number into string", "string into int64", "bool into string"}, got,
					"wire accepted what encoding/json refuses")
			}
			return
		}
		if !hasSnakeCase(data) {
			assert.Equal(t, want, got)
		}
	})
}

// FuzzSnakePathAgrees checks that the snake_case rewriting path decodes an
// object exactly as the plain path does: the same object with one more,
// unknown, snake_case member first must decode to the same value (member
// order, duplicates and numbers kept).
func FuzzSnakePathAgrees(f *testing.F) {
	for _, s := range []string{
		`{"transactionId":"tx","quantity":2}`,
		`{"transactionId":"A","TransactionID":"B"}`,
		`{"quantity":1,"QUANTITY":2,"items":[{"x":1},{"x":2,"X":3}],"metadata":{"k":"v","k":"w"}}`,
		`{"transactionId":"\u0041\n"}`, `{}`, ` { "quantity" : 12345678901234567 } `,
		`{"transaction\u005fid":"x"}`, `{"transaction_i\u0064":"x"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var plain plainDoc
		if bytes.IndexByte(data, '_') >= 0 || wire.Unmarshal(data, &plain) != nil {
			return
		}
		obj := bytes.TrimSpace(data)
		if len(obj) < 2 || obj[0] != '{' {
			return
		}
		rest := bytes.TrimSpace(obj[1:])
		snake := append([]byte(`{"promo_code":0`), ',')
		if rest[0] == '}' {
			snake = snake[:len(snake)-1]
		}
		snake = append(snake, rest...)
		var got plainDoc
		if assert.NoError(t, wire.Unmarshal(snake, &got), "%q", snake) {
			assert.Equal(t, plain, got, "%q", snake)
		}
	})
}

// hasSnakeCase is a coarse stand-in: any underscore at all.
func hasSnakeCase(data []byte) bool {
	for _, c := range data {
		if c == '_' {
			return true
		}
	}
	return false
}
