package stashpay_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"syscall"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go"
)

func TestLoggerOneLinePerAttempt(t *testing.T) {
	t.Parallel()
	for name, creds := range map[string]stashpay.Credentials{"v1": v1Creds(), "legacy": {APIKey: testAPIKey}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c, f, _ := newFake(t, creds, []httpmock.Responder{
				jsonResponder(503, rpcUnavailable, "X-Request-Id", "rid-1"),
				httpmock.NewErrorResponder(syscall.ECONNRESET),
				jsonResponder(200, checkoutOK, "X-Request-Id", "rid-ok"),
			}, stashpay.WithLogger(logger))
			_, err := c.CreateCheckout(t.Context(), minimalCheckout())
			require.NoError(t, err)

			var lines []map[string]any
			sc := bufio.NewScanner(&buf)
			for sc.Scan() {
				var m map[string]any
				require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
				lines = append(lines, m)
			}
			require.Len(t, lines, 3, "one line per attempt")
			for i, m := range lines {
				assert.Equal(t, "DEBUG", m["level"])
				assert.Equal(t, "POST", m["method"])
				assert.Equal(t, "/sdk/server/checkout_links/generate_quick_pay_url", m["path"])
				assert.EqualValues(t, i+1, m["attempt"])
				assert.Contains(t, m, "duration")
			}
			assert.EqualValues(t, 503, lines[0]["status"])
			assert.Equal(t, "rid-1", lines[0]["request_id"])
			assert.Contains(t, lines[0], "retry_in")
			assert.EqualValues(t, 0, lines[1]["status"])
			assert.Contains(t, lines[1]["error"], "connection reset")
			assert.EqualValues(t, 200, lines[2]["status"])
			assert.Equal(t, "rid-ok", lines[2]["request_id"], "the request ID of a success is logged too")
			assert.NotContains(t, lines[2], "retry_in")

			out := buf.String()
			assertNoSecret(t, out, "log output")
			for _, r := range f.requests() {
				if sig := r.Header.Get("X-Stash-Hmac-Signature"); sig != "" {
					assert.NotContains(t, out, sig)
				}
			}
		})
	}
}

func TestLoggerQuietAboveDebug(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	c, _, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, checkoutOK)}, stashpay.WithLogger(logger))
	_, err := c.CreateCheckout(t.Context(), minimalCheckout())
	require.NoError(t, err)
	assert.Empty(t, buf.String())
}
