package stashpay_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeCase is one decoding of a Stash answer's object with encoding/json
// (through the type's own UnmarshalJSON).
type decodeCase[T any] struct {
	name, in string
	want     T
	// wantErr is the member a failing decoding names; "" when it succeeds.
	wantErr string
}

// runDecodeCases decodes each case into a value that held used before, so
// that every case also checks that a decoding replaces the whole value, and
// that a failure names the member but not the value ("x9" in the inputs).
func runDecodeCases[T any](t *testing.T, used T, cases []decodeCase[T]) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := used
			err := json.Unmarshal([]byte(tt.in), &got)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.NotContains(t, err.Error(), "x9")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
