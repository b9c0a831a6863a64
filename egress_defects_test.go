package stashpay_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/internal/signing"
	"github.com/stashpay/stashpay-go/stashpaytest"
)

// Two authentic calls whose transaction IDs differ only in invalid UTF-8
// bytes must not share one exactly-once key: both are refused 400, the field
// named, before anything is claimed or called (issue 14, defect 3).
func TestEgressInvalidUTF8IdentifierRefused(t *testing.T) {
	t.Parallel()
	for _, ep := range egressEndpoints() {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int64
			store := &egressStore{inner: dedup.NewMemoryStore()}
			cfg := egressConfig()
			cfg.Store = store
			h := ep.make(cfg, &calls)
			for _, tx := range []string{"tx-\xff-1", "tx-\xfe-1"} {
				body := bytes.Replace(egressTestdata(t, ep.body), []byte("tx-7f3a9c"), []byte(tx), 1)
				rec := egressServe(h, egressRequest(t, ep.path, body))
				require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
				st := egressErrorBody(t, rec)
				assert.Contains(t, st.Message, "transactionId")
				assert.Contains(t, st.Message, "UTF-8")
				assert.NotContains(t, st.Message, "tx-")
			}
			assert.Zero(t, calls.Load(), "fn must not run")
			assert.Zero(t, store.claimCount(), "nothing claimed")
		})
	}
}

// A refused confirm replayed (the same signed request, within the window)
// is refused again without calling fn; a request Stash signed again (a
// retry carries a new timestamp) reaches fn.
func TestConfirmRefusalIsRemembered(t *testing.T) {
	t.Parallel()
	for _, legacy := range []bool{false, true} {
		name := "v1"
		if legacy {
			name = "legacy"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int64
			cfg := egressConfig()
			cfg.AllowLegacySignature = legacy
			h := stashpay.ConfirmPaymentHandler(cfg, func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
				n.Add(1)
				return nil, stashpay.RejectPurchase("sold out")
			})
			body := egressConfirmBody(t, "tx-refused")
			var opts []stashpaytest.EgressRequestOption
			if legacy {
				opts = []stashpaytest.EgressRequestOption{stashpaytest.EgressWithoutV1Signature(), stashpaytest.EgressLegacySignature()}
			}
			first := egressRequest(t, "/", body, append(opts, stashpaytest.EgressSignedAt(time.Now().Add(-time.Second)))...)
			replay := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
			replay.Header = first.Header.Clone()

			rec := egressServe(h, first)
			require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
			rec = egressServe(h, replay)
			require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
			assert.Equal(t, int64(1), n.Load(), "the replay does not reach fn")

			if !legacy {
				resigned := egressRequest(t, "/", body)
				rec = egressServe(h, resigned)
				require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
				assert.Equal(t, int64(2), n.Load(), "a re-signed retry reaches fn")
			}
		})
	}
}

// A second confirm under a confirmed transaction is answered 200 only when
// it is the same purchase; other items are refused 409 (issue 14).
func TestConfirmSameKeyOtherItemsConflict(t *testing.T) {
	t.Parallel()
	var c egressCounter
	h := stashpay.ConfirmPaymentHandler(egressConfig(), c.confirm(nil, nil))
	body := egressConfirmBody(t, "tx-fp")
	egressConfirmResults(t, egressServe(h, egressRequest(t, "/", body)))
	egressConfirmResults(t, egressServe(h, egressRequest(t, "/", body)))
	assert.Equal(t, int64(1), c.n.Load(), "the duplicate does not reach fn")

	mutations := map[string]func(r *stashpay.ConfirmPaymentRequest){
		"quantity":    func(r *stashpay.ConfirmPaymentRequest) { r.Items[0].Quantity = 2 },
		"product":     func(r *stashpay.ConfirmPaymentRequest) { r.Items[0].ProductID = "gems_5000" },
		"extra item":  func(r *stashpay.ConfirmPaymentRequest) { r.Items = append(r.Items, r.Items[0]) },
		"bonus":       func(r *stashpay.ConfirmPaymentRequest) { r.BonusItems[0].Quantity = 500 },
		"total":       func(r *stashpay.ConfirmPaymentRequest) { r.Total++ },
		"currency":    func(r *stashpay.ConfirmPaymentRequest) { r.Currency = "EUR" },
		"unit price":  func(r *stashpay.ConfirmPaymentRequest) { r.Items[0].Cents = 1 },
		"item's GUID": func(r *stashpay.ConfirmPaymentRequest) { r.Items[0].GUID = "6e7b4d2f-0c9a-4f3e-b2d1-8a7f6e5d4c3b" },
	}
	for name, mutate := range mutations {
		var req stashpay.ConfirmPaymentRequest
		require.NoError(t, json.Unmarshal(body, &req))
		mutate(&req)
		rec := egressServe(h, egressRequest(t, "/", req))
		require.Equal(t, http.StatusConflict, rec.Code, name+": "+rec.Body.String())
		assert.Equal(t, "transaction already confirmed with other items", egressErrorBody(t, rec).Message, name)
	}
	assert.Equal(t, int64(1), c.n.Load(), "fn ran once")
	egressConfirmResults(t, egressServe(h, egressRequest(t, "/", body)))
}

// With AllowLegacySignature, a request that carries the v1 header is judged
// by it alone, even when it is blank.
func TestEgressBlankV1HeaderDoesNotFallBackToLegacy(t *testing.T) {
	t.Parallel()
	for _, blank := range []string{"", " ", "\t"} {
		for _, ep := range egressEndpoints() {
			cfg := egressConfig()
			cfg.AllowLegacySignature = true
			var calls atomic.Int64
			req := egressRequest(t, ep.path, egressTestdata(t, ep.body), stashpaytest.EgressLegacySignature())
			req.Header.Set(stashpay.EgressSignatureHeader, blank)
			rec := egressServe(ep.make(cfg, &calls), req)
			assert.Equal(t, http.StatusUnauthorized, rec.Code, "%s %q", ep.name, blank)
			assert.Zero(t, calls.Load())
		}
	}
}

// One signature has one accepted spelling: an unpadded legacy signature and
// a v1 signature whose padding bits are not zero are refused.
func TestEgressNonCanonicalSignaturesRefused(t *testing.T) {
	t.Parallel()
	key, err := signing.NewKey([]byte(egressTestKey))
	require.NoError(t, err)
	body := egressTestdata(t, "egress_confirm.json")
	cfg := egressConfig()
	cfg.AllowLegacySignature = true
	var calls atomic.Int64
	h := egressEndpoints()[0].make(cfg, &calls)

	legacy := egressRequest(t, "/", body, stashpaytest.EgressWithoutV1Signature())
	legacy.Header.Set(stashpay.EgressLegacySignatureHeader, strings.TrimRight(key.SignBody(body), "="))
	assert.Equal(t, http.StatusUnauthorized, egressServe(h, legacy).Code, "unpadded legacy")

	v1 := egressRequest(t, "/", body)
	hdr := v1.Header.Get(stashpay.EgressSignatureHeader)
	i := strings.LastIndexByte(hdr, ';')
	sig := hdr[i+1:]
	raw, err := base64.StdEncoding.DecodeString(sig)
	require.NoError(t, err)
	// 32 bytes are 43 characters and one '='; the last character carries
	// 2 padding bits, zero in the canonical spelling: set one.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	alt := []byte(sig)
	alt[42] = alphabet[strings.IndexByte(alphabet, alt[42])|1]
	dec, err := base64.StdEncoding.DecodeString(string(alt))
	require.NoError(t, err, "the altered spelling decodes leniently")
	require.Equal(t, raw, dec, "to the same MAC")
	v1.Header.Set(stashpay.EgressSignatureHeader, hdr[:i+1]+string(alt))
	assert.Equal(t, http.StatusUnauthorized, egressServe(h, v1).Code, "non-zero padding bits")
	assert.Zero(t, calls.Load())
}

// snake_case maps to lowerCamelCase exactly; looser spellings match nothing.
func TestEgressSnakeCaseMapsExactly(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"_t_r_a_n_s_a_c_t_i_o_n_i_d_", "t_r_a_n_s_a_c_t_i_o_n_i_d", "transaction__id", "_transaction_id"} {
		var r stashpay.ConfirmPaymentRequest
		require.NoError(t, json.Unmarshal([]byte(`{"`+name+`":"x","transaction_id_":"y"}`), &r), name)
		assert.Empty(t, r.TransactionID, name)
	}
	var r stashpay.ConfirmPaymentRequest
	require.NoError(t, json.Unmarshal([]byte(`{"transaction_id":"x"}`), &r))
	assert.Equal(t, "x", r.TransactionID)
}

// Secrets are checked as every key of the SDK is: empty, surrounding
// whitespace and control characters are refused, the setting named and the
// value never shown. The shop ID is a field of the v1 header.
func TestEgressConfigValidateChecksSecrets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		mutate  func(c *stashpay.EgressConfig)
		setting string
		secret  string
	}{
		{"key with a trailing newline", func(c *stashpay.EgressConfig) { c.EgressKey = "s3cr3t-value\n" }, "EgressConfig.EgressKey", "s3cr3t-value"},
		{"key with a leading space", func(c *stashpay.EgressConfig) { c.EgressKey = " s3cr3t-value" }, "EgressConfig.EgressKey", "s3cr3t-value"},
		{"key with a NUL", func(c *stashpay.EgressConfig) { c.EgressKey = "s3cr3t\x00value" }, "EgressConfig.EgressKey", "s3cr3t"},
		{"empty key", func(c *stashpay.EgressConfig) { c.EgressKey = "" }, "EgressConfig.EgressKey", ""},
		{"empty previous key", func(c *stashpay.EgressConfig) { c.PreviousEgressKeys = []string{"old-key-1", ""} }, "EgressConfig.PreviousEgressKeys[1]", ""},
		{"previous key with CR", func(c *stashpay.EgressConfig) { c.PreviousEgressKeys = []string{"old-s3cr3t\r"} }, "EgressConfig.PreviousEgressKeys[0]", "old-s3cr3t"},
		{"base64 key not base64", func(c *stashpay.EgressConfig) { c.EgressKey, c.Base64Key = "not base64 !!", true }, "EgressConfig.EgressKey", "!!"},
		{"empty shop", func(c *stashpay.EgressConfig) { c.ShopID = "" }, "EgressConfig.ShopID", ""},
		{"shop with ';'", func(c *stashpay.EgressConfig) { c.ShopID = "shop;1" }, "EgressConfig.ShopID", "shop;1"},
		{"shop with a space", func(c *stashpay.EgressConfig) { c.ShopID = "my shop" }, "EgressConfig.ShopID", "my shop"},
		{"shop with a newline", func(c *stashpay.EgressConfig) { c.ShopID = "shop\n" }, "EgressConfig.ShopID", "shop\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := egressConfig()
			tt.mutate(&cfg)
			err := cfg.Validate()
			require.ErrorIs(t, err, stashpay.ErrInvalidEgressConfig)
			assert.Contains(t, err.Error(), tt.setting)
			if tt.secret != "" {
				assert.NotContains(t, err.Error(), tt.secret)
			}
		})
	}
}

// A nil function is a programming error: the constructors panic, as
// http.Handle does for a nil handler.
func TestEgressHandlersPanicOnNilFunc(t *testing.T) {
	t.Parallel()
	assert.PanicsWithValue(t, "stashpay: ConfirmPaymentHandler called with a nil function", func() {
		stashpay.ConfirmPaymentHandler(egressConfig(), nil)
	})
	assert.PanicsWithValue(t, "stashpay: RegisterPaymentHandler called with a nil function", func() {
		stashpay.RegisterPaymentHandler(egressConfig(), nil)
	})
	assert.PanicsWithValue(t, "stashpay: CancelPaymentHandler called with a nil function", func() {
		stashpay.CancelPaymentHandler(egressConfig(), nil)
	})
}
