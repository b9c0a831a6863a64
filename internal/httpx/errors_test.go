package httpx_test

import (
	"errors"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/internal/httpx"
)

func TestWithoutQuery(t *testing.T) {
	t.Parallel()
	refused := errors.New("connection refused")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"query token", &url.Error{Op: "Post", URL: "http://127.0.0.1:9/hooks?token=tok-SECRET", Err: refused},
			`Post "http://127.0.0.1:9/hooks?...": connection refused`},
		{"password", &url.Error{Op: "Post", URL: "https://game:pw-SECRET@example.com/hooks", Err: refused},
			`Post "https://game:xxxxx@example.com/hooks": connection refused`},
		{"nothing to hide", &url.Error{Op: "Post", URL: "http://127.0.0.1:9/hooks", Err: refused},
			`Post "http://127.0.0.1:9/hooks": connection refused`},
		{"not a URL error", refused, "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := httpx.WithoutQuery(tt.err)
			require.Error(t, got)
			assert.Equal(t, tt.want, got.Error())
			assert.NotContains(t, got.Error(), "SECRET")
			assert.ErrorIs(t, got, refused, "the cause is kept")
		})
	}
}
