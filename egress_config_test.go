package stashpay_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
)

func TestEgressConfigNeverRevealsKeys(t *testing.T) {
	t.Parallel()
	cfg := egressConfig()
	cfg.PreviousEgressKeys = []string{"previous-key-0123456789"}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v"} {
		outs = append(outs, fmt.Sprintf(verb, cfg))
		outs = append(outs, fmt.Sprintf(verb, &cfg))
	}
	outs = append(outs, cfg.String(), cfg.GoString(), fmt.Sprint([]stashpay.EgressConfig{cfg}))
	b, err := json.Marshal(cfg)
	require.NoError(t, err)
	outs = append(outs, string(b))
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "cfg", cfg)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "cfg", cfg)
	outs = append(outs, buf.String())
	for i, s := range outs {
		assert.NotContains(t, s, egressTestKey, "output %d: %s", i, s)
		assert.NotContains(t, s, "previous-key-0123456789", "output %d", i)
		assert.NotContains(t, s, fmt.Sprintf("%x", egressTestKey), "output %d", i)
	}
	assert.Contains(t, cfg.String(), egressTestShop, "the shop ID is not secret")
	assert.Contains(t, cfg.String(), "[redacted]")
}

func TestEgressErrorsMatch(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("wrapped: %w", stashpay.RejectPurchase("gone"))
	assert.ErrorIs(t, err, stashpay.ErrPurchaseRejected)
	var rej *stashpay.PurchaseRejectedError
	require.ErrorAs(t, err, &rej)
	assert.Equal(t, "gone", rej.Reason)
	assert.Equal(t, stashpay.DefaultRejectStatus, rej.StatusCode)
	assert.Equal(t, "stashpay: purchase rejected: gone", rej.Error())
	assert.False(t, errors.Is(errors.New("other"), stashpay.ErrPurchaseRejected))

	var re *stashpay.RegistrationError
	require.ErrorAs(t, stashpay.RejectRegistration(stashpay.PurchaseRegistrationStatusFailedInvalidPrice, "stale price"), &re)
	assert.Equal(t, "stashpay: registration rejected: PURCHASE_REGISTRATION_STATUS_FAILED_INVALID_PRICE: stale price", re.Error())
	var ce *stashpay.CancellationError
	require.ErrorAs(t, stashpay.RejectCancellation(stashpay.PurchaseCancellationStatusFailedAlreadyCancelled, ""), &ce)
	assert.Equal(t, "stashpay: cancellation rejected: PURCHASE_CANCELLATION_STATUS_FAILED_ALREADY_CANCELLED", ce.Error())
}
