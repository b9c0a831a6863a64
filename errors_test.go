package stashpay_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go"
)

func TestAPIErrorDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		body    string
		header  []string
		code    int
		message string
		details int
		reqID   string
	}{
		{"google.rpc.Status", 400, `{"code":3,"message":"item.id is required","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"item.id"}]}]}`,
			nil, 3, "item.id is required", 1, ""},
		{"code as a name", 403, `{"code":"PERMISSION_DENIED","message":"no"}`, nil, 7, "no", 0, ""},
		{"old gateway error field", 401, `{"error":"bad signature","code":16}`, nil, 16, "bad signature", 0, ""},
		{"null details skipped", 400, `{"code":3,"message":"m","details":[null]}`, nil, 3, "m", 0, ""},
		{"HTML", 502, "<html><body>Bad Gateway</body></html>\n", nil, 0, "<html><body>Bad Gateway</body></html>", 0, ""},
		{"empty body", 503, "", nil, 0, "", 0, ""},
		{"JSON array", 400, `[1,2]`, nil, 0, "[1,2]", 0, ""},
		{"control characters", 400, "line1\r\nline2\x00end", nil, 0, "line1  line2 end", 0, ""},
		{"invalid UTF-8", 400, "bad \xff\xfe bytes", nil, 0, "bad \uFFFD bytes", 0, ""},
		{"request ID", 404, `{"code":5}`, []string{"X-Request-Id", "abc-123"}, 5, "", 0, "abc-123"},
		{"gateway request ID", 404, `{"code":5}`, []string{"Grpc-Metadata-X-Request-Id", "g-9"}, 5, "", 0, "g-9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(tt.status, tt.body, tt.header...)}, stashpay.WithMaxRetries(0))
			_, err := c.GetPaymentEvent(t.Context(), "p")
			var apiErr *stashpay.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, tt.code, apiErr.Code)
			assert.Equal(t, tt.message, apiErr.Message)
			assert.Len(t, apiErr.Details, tt.details)
			assert.Equal(t, tt.reqID, apiErr.RequestID)
		})
	}
}

func TestAPIErrorOversizedBody(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("é", 1<<20) // 2 MiB of two-byte runes
	mt := httpmock.NewMockTransport()
	resp := httpmock.NewStringResponder(500, huge)
	mt.RegisterNoResponder(resp)
	c, err := stashpay.NewClient(v1Creds(), stashpay.WithHTTPClient(&http.Client{Transport: mt}), stashpay.WithMaxRetries(0))
	require.NoError(t, err)
	_, err = c.GetPaymentEvent(t.Context(), "p")
	var apiErr *stashpay.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.LessOrEqual(t, len(apiErr.Message), 256)
	assert.True(t, utf8.ValidString(apiErr.Message), "cut on a rune boundary")
	assert.True(t, strings.HasSuffix(apiErr.Message, "..."))
	assert.Less(t, len(err.Error()), 400)
}

func TestAPIErrorIs(t *testing.T) {
	t.Parallel()
	kinds := []error{
		stashpay.ErrInvalidArgument, stashpay.ErrUnauthenticated, stashpay.ErrPermissionDenied,
		stashpay.ErrNotFound, stashpay.ErrRateLimited, stashpay.ErrUnavailable,
	}
	tests := []struct {
		name string
		err  *stashpay.APIError
		want error // nil: matches none
	}{
		{"code 3", &stashpay.APIError{StatusCode: 400, Code: 3}, stashpay.ErrInvalidArgument},
		{"code 16", &stashpay.APIError{StatusCode: 401, Code: 16}, stashpay.ErrUnauthenticated},
		{"code 7", &stashpay.APIError{StatusCode: 403, Code: 7}, stashpay.ErrPermissionDenied},
		{"code 5", &stashpay.APIError{StatusCode: 404, Code: 5}, stashpay.ErrNotFound},
		{"code 8", &stashpay.APIError{StatusCode: 429, Code: 8}, stashpay.ErrRateLimited},
		{"code 14", &stashpay.APIError{StatusCode: 503, Code: 14}, stashpay.ErrUnavailable},
		{"status only 404", &stashpay.APIError{StatusCode: 404}, stashpay.ErrNotFound},
		{"status only 401", &stashpay.APIError{StatusCode: 401}, stashpay.ErrUnauthenticated},
		{"code wins over status", &stashpay.APIError{StatusCode: 404, Code: 16}, stashpay.ErrUnauthenticated},
		{"internal", &stashpay.APIError{StatusCode: 500, Code: 13}, nil},
		{"teapot", &stashpay.APIError{StatusCode: 418}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, k := range kinds {
				assert.Equal(t, k == tt.want, errors.Is(tt.err, k), "%v", k)
			}
			assert.False(t, errors.Is(tt.err, stashpay.ErrInvalidParams))
		})
	}
}

func TestAPIErrorMessageAndTemporary(t *testing.T) {
	t.Parallel()
	e := &stashpay.APIError{StatusCode: 404, Code: 5, Message: "no such payment", RequestID: "r1", Method: "GET", Path: "/sdk/server/payment/x"}
	assert.Equal(t, "stashpay: GET /sdk/server/payment/x: HTTP 404 Not Found (NOT_FOUND): no such payment [request ID r1]", e.Error())
	assert.False(t, e.Temporary())
	assert.Equal(t, "stashpay: HTTP 503 Service Unavailable (code 99)", (&stashpay.APIError{StatusCode: 503, Code: 99}).Error())
	assert.True(t, (&stashpay.APIError{StatusCode: 503}).Temporary())
}

// TestAPIErrorScrubsEchoedSecrets: a proxy that echoes request headers into
// its error body must not make the key or signature reach the error.
func TestAPIErrorScrubsEchoedSecrets(t *testing.T) {
	t.Parallel()
	echo := func(req *http.Request) (*http.Response, error) {
		var b strings.Builder
		b.WriteString(`{"code":16,"message":"rejected headers: `)
		for k, v := range req.Header {
			b.WriteString(k + "=" + strings.Join(v, ",") + " ")
		}
		b.WriteString(`","details":[{"@type":"x","sig":"` + req.Header.Get("X-Stash-Hmac-Signature") + req.Header.Get("X-Stash-Api-Key") + `"}]}`)
		return httpmock.NewStringResponse(401, b.String()), nil
	}
	for name, creds := range map[string]stashpay.Credentials{"v1": v1Creds(), "legacy": {APIKey: testAPIKey}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, f, _ := newFake(t, creds, []httpmock.Responder{echo})
			_, err := c.GetPaymentEvent(t.Context(), "p")
			require.ErrorIs(t, err, stashpay.ErrUnauthenticated)
			var apiErr *stashpay.APIError
			require.ErrorAs(t, err, &apiErr)
			r := f.requests()[0]
			secrets := []string{testAPIKey, testIngressKey, r.Header.Get("X-Stash-Hmac-Signature")}
			for _, s := range secrets {
				if s == "" {
					continue
				}
				assert.NotContains(t, err.Error(), s)
				for _, d := range apiErr.Details {
					assert.NotContains(t, string(d), s)
				}
			}
			assert.Contains(t, apiErr.Message, "[redacted]")
		})
	}
}
