package stashpay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/stashpaytest"
)

const (
	egressTestShop = "7c1e3f5a-2b4d-4e6f-8a9b-0c1d2e3f4a5b"
	egressTestKey  = "egress-secret-Zm9vYmFy_-key"
)

// egressConfig is a valid config with the test credentials.
func egressConfig() stashpay.EgressConfig {
	return stashpay.EgressConfig{ShopID: egressTestShop, EgressKey: egressTestKey}
}

// egressTestdata reads testdata/name.
func egressTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// egressRequest builds a request signed with the test credentials.
func egressRequest(t testing.TB, path string, body any, opts ...stashpaytest.EgressRequestOption) *http.Request {
	t.Helper()
	req, err := stashpaytest.NewEgressRequest(context.Background(), egressTestShop, egressTestKey, path, body, opts...)
	require.NoError(t, err)
	return req
}

// egressServe runs req through h.
func egressServe(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// egressStatus is the error body of the handlers.
type egressStatus struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func egressErrorBody(t testing.TB, rec *httptest.ResponseRecorder) egressStatus {
	t.Helper()
	require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	var st egressStatus
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &st), rec.Body.String())
	return st
}

// egressConfirmBody returns the confirm testdata with transaction ID tx.
func egressConfirmBody(t testing.TB, tx string) []byte {
	t.Helper()
	var req stashpay.ConfirmPaymentRequest
	require.NoError(t, json.Unmarshal(egressTestdata(t, "egress_confirm.json"), &req))
	req.TransactionID = tx
	b, err := json.Marshal(req)
	require.NoError(t, err)
	return b
}

// egressCounter counts calls of a handler function.
type egressCounter struct{ n atomic.Int64 }

func (c *egressCounter) confirm(resp *stashpay.ConfirmPaymentResponse, err error) stashpay.ConfirmPaymentFunc {
	return func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
		c.n.Add(1)
		return resp, err
	}
}

// egressLog is a concurrency-safe log sink.
type egressLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *egressLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *egressLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *egressLog) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// egressStore wraps a dedup.Store and can inject failures and outcomes.
type egressStore struct {
	inner       dedup.Store
	claimErr    error
	completeErr error
	// outcomes, when set, are returned by successive Claims instead of
	// asking inner (the last one repeats).
	mu       sync.Mutex
	outcomes []dedup.Outcome
	claims   int
}

func (s *egressStore) Claim(ctx context.Context, key string, lease time.Duration) (dedup.Claim, error) {
	s.mu.Lock()
	s.claims++
	if len(s.outcomes) > 0 {
		o := s.outcomes[0]
		if len(s.outcomes) > 1 {
			s.outcomes = s.outcomes[1:]
		}
		s.mu.Unlock()
		if o == dedup.Claimed {
			return dedup.Claim{Outcome: o, Token: "t"}, nil
		}
		return dedup.Claim{Outcome: o}, nil
	}
	s.mu.Unlock()
	if s.claimErr != nil {
		return dedup.Claim{}, s.claimErr
	}
	return s.inner.Claim(ctx, key, lease)
}

func (s *egressStore) Complete(ctx context.Context, key, token string) error {
	if s.completeErr != nil {
		return s.completeErr
	}
	if s.inner == nil {
		return nil
	}
	return s.inner.Complete(ctx, key, token)
}

func (s *egressStore) Release(ctx context.Context, key, token string) error {
	if s.inner == nil {
		return nil
	}
	return s.inner.Release(ctx, key, token)
}

func (s *egressStore) claimCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.claims
}

func egressPtr[T any](v T) *T { return &v }

// egressWantConfirm is what testdata/egress_confirm.json holds.
func egressWantConfirm() stashpay.ConfirmPaymentRequest {
	return stashpay.ConfirmPaymentRequest{
		PlayerID:          "player-42",
		TransactionID:     "tx-7f3a9c",
		CheckoutLinkID:    "0b7c6d2e-8f41-4f5a-9c3e-2d1b0a9f8e7d",
		ShopID:            "7c1e3f5a-2b4d-4e6f-8a9b-0c1d2e3f4a5b",
		Environment:       stashpay.PaymentEnvironmentTest,
		Currency:          "USD",
		DecimalPlaces:     2,
		Tax:               99,
		Total:             1098,
		Time:              time.Date(2025, 7, 31, 20, 20, 57, 0, time.UTC),
		PaymentMethodType: stashpay.PaymentMethodTypeApplePay,
		Items: []stashpay.PurchaseItem{{
			GUID: "5d6a3c1e-9b8f-4e2d-a1c0-7f6e5d4c3b2a", ProductID: "gems_500",
			Quantity: 1, Cents: 999, Metadata: map[string]string{"tier": "gold"},
		}},
		Platform:            stashpay.PurchasePlatformIOS,
		Browser:             "Safari/17.1",
		DeviceID:            "device-1",
		Source:              stashpay.PurchaseSourceDirect,
		IPAddress:           "203.0.113.7",
		Region:              "US",
		UserEmail:           "player@example.com",
		EmailMarketingOptIn: egressPtr(true),
		BonusItems:          []stashpay.ConfirmBonusItem{{ID: "bonus_coins", Quantity: 50}},
		Loyalty: &stashpay.PlayerLoyaltyState{
			CampaignID: "season-3", TotalPoints: 1200, PointsDelta: 100,
			CurrentTierID: "silver", PreviousTierID: "bronze",
			PointsToNextTier: egressPtr[int64](300), PointsToNextMilestone: egressPtr[int64](50),
			NextMilestone: &stashpay.LoyaltyMilestone{
				MilestoneID: "m-5",
				Rewards: []stashpay.LoyaltyReward{{
					ItemID: "coins", Quantity: 25, Type: stashpay.LoyaltyRewardTypeInGameCurrency,
				}},
			},
			PointsMultiplierPermille: 1500,
		},
	}
}

// serveLogged serves a signed GET of target to the handler h builds with
// the test config, and returns the answer and what the handler logged.
func serveLogged(t *testing.T, h func(cfg stashpay.EgressConfig) http.Handler, target string) (*httptest.ResponseRecorder, string) {
	t.Helper()
	var logs bytes.Buffer
	cfg := egressConfig()
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	rec := egressServe(h(cfg), signedGet(t, target))
	return rec, logs.String()
}
