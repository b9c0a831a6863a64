package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/webhook"
)

// deepPayload is an authentic-looking purchase with an unknown member nested
// deeper than encoding/json's limit: it can never decode.
func deepPayload() []byte {
	return []byte(`{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{"orderId":"o-deep","x":` +
		strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}}`)
}

func TestHandlerUndecodableDeliveries(t *testing.T) {
	t.Parallel()
	stored := errors.New("database down")
	tests := []struct {
		name     string
		body     []byte
		onBad    func(ctx context.Context, payload []byte, err error) error
		wantCode int
		wantLog  string
	}{
		{"default: 400 and an error log", deepPayload(), nil, http.StatusBadRequest, `"level":"ERROR","msg":"webhook: malformed event`},
		{"stored: acknowledged", deepPayload(), func(context.Context, []byte, error) error { return nil }, http.StatusOK, "stored and acknowledged"},
		{"not stored: 500, Stash redelivers", deepPayload(), func(context.Context, []byte, error) error { return stored }, http.StatusInternalServerError, "database down"},
		{"not JSON at all, stored", []byte(`{"type":`), func(context.Context, []byte, error) error { return nil }, http.StatusOK, "stored and acknowledged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			var gotPayload []byte
			var gotErr error
			opts := []webhook.HandlerOption{webhook.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil)))}
			if tt.onBad != nil {
				opts = append(opts, webhook.WithUndecodable(func(ctx context.Context, payload []byte, err error) error {
					gotPayload, gotErr = payload, err
					return tt.onBad(ctx, payload, err)
				}))
			}
			rec := &recorder{}
			h := webhook.NewHandler(newVerifier(t), rec.fn, opts...)
			resp := serve(h, signedRequest(t.Context(), t, "/", tt.body, testSecret))
			assert.Equal(t, tt.wantCode, resp.Code, resp.Body.String())
			assert.Zero(t, rec.calls(), "the event function never sees an undecodable delivery")
			assert.Contains(t, logs.String(), tt.wantLog)
			if tt.onBad != nil {
				assert.Equal(t, tt.body, gotPayload)
				assert.ErrorIs(t, gotErr, events.ErrMalformed)
			}
		})
	}
}

func TestHandlerUndecodableForgeryNeverReachesTheFunction(t *testing.T) {
	t.Parallel()
	called := false
	h := webhook.NewHandler(newVerifier(t), (&recorder{}).fn, webhook.WithUndecodable(func(context.Context, []byte, error) error {
		called = true
		return nil
	}))
	resp := serve(h, signedRequest(t.Context(), t, "/", deepPayload(), "not-the-secret"))
	require.Equal(t, http.StatusUnauthorized, resp.Code)
	assert.False(t, called)
}
