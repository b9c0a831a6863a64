package stashpaytest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/stashpay/stashpay-go/internal/signing"
)

// EgressRequestOption configures [NewEgressRequest].
type EgressRequestOption func(*egressRequestConfig)

type egressRequestConfig struct {
	at     time.Time
	legacy bool
	noV1   bool
}

// EgressSignedAt signs the v1 header with timestamp t instead of the current
// time, to test the handler's time window (Stash allows 5 minutes either
// way).
func EgressSignedAt(t time.Time) EgressRequestOption {
	return func(c *egressRequestConfig) { c.at = t }
}

// EgressLegacySignature also sets the deprecated body-only
// "Stash-Hmac-Signature" header.
func EgressLegacySignature() EgressRequestOption {
	return func(c *egressRequestConfig) { c.legacy = true }
}

// EgressWithoutV1Signature leaves out the v1 "X-Stash-Hmac-Signature"
// header: with [EgressLegacySignature] the request carries the legacy
// signature only, without it the request is unsigned.
func EgressWithoutV1Signature() EgressRequestOption {
	return func(c *egressRequestConfig) { c.noV1 = true }
}

// NewEgressRequest returns a POST request to target signed as Stash signs
// its egress calls (register, confirm, cancel) to a game backend: header
// X-Stash-Hmac-Signature "v1;{shopID};{unixMillis};{base64 HMAC-SHA256}"
// with egressKey over "{unixMillis}." + body, and Content-Type
// application/json.
//
// target is a full URL (for an httptest.Server) or a path such as
// "/api/v1/purchase/confirm" (for calling a handler's ServeHTTP with an
// httptest.ResponseRecorder). body is sent as is when it is []byte,
// json.RawMessage or string, empty when nil, and JSON-encoded otherwise: the
// stashpay request types (ConfirmPaymentRequest and the others) encode as
// Stash sends them. The key is used as the raw bytes of the string, as
// Stash does.
func NewEgressRequest(ctx context.Context, shopID, egressKey, target string, body any, opts ...EgressRequestOption) (*http.Request, error) {
	cfg := egressRequestConfig{at: time.Now()}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	key, err := signing.NewKey([]byte(egressKey))
	if err != nil {
		return nil, fmt.Errorf("stashpaytest: egress key: %w", err)
	}
	raw, err := egressRequestBody(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("stashpaytest: egress request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if !cfg.noV1 {
		req.Header.Set(V1SignatureHeader, key.SignV1(shopID, cfg.at, raw))
	}
	if cfg.legacy {
		req.Header.Set(LegacyHMACSignatureHeader, key.SignBody(raw))
	}
	return req, nil
}

// egressRequestBody returns the bytes to send for body.
func egressRequestBody(body any) ([]byte, error) {
	switch b := body.(type) {
	case nil:
		return nil, nil
	case []byte:
		return b, nil
	case json.RawMessage:
		return b, nil
	case string:
		return []byte(b), nil
	default:
		raw, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("stashpaytest: encoding egress body: %w", err)
		}
		return raw, nil
	}
}
