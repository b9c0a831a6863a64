package stashpay_test

import (
	"context"
	"encoding/json"
	"errors"
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
	"github.com/stashpay/stashpay-go/dedup/deduptest"
)

func TestCancelPaymentHandler(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fn   stashpay.CancelPaymentFunc
		want stashpay.CancelPaymentResponse
	}{
		{"nil means cancelled", func(context.Context, *stashpay.CancelPaymentRequest) (*stashpay.CancelPaymentResponse, error) {
			return nil, nil
		}, stashpay.CancelPaymentResponse{Status: stashpay.PurchaseCancellationStatusSuccessCancelled}},
		{"empty status means cancelled", func(context.Context, *stashpay.CancelPaymentRequest) (*stashpay.CancelPaymentResponse, error) {
			return &stashpay.CancelPaymentResponse{Message: "released 1 item"}, nil
		}, stashpay.CancelPaymentResponse{Status: stashpay.PurchaseCancellationStatusSuccessCancelled, Message: "released 1 item"}},
		{"own status", func(context.Context, *stashpay.CancelPaymentRequest) (*stashpay.CancelPaymentResponse, error) {
			return &stashpay.CancelPaymentResponse{Status: stashpay.PurchaseCancellationStatusFailedTransactionNotFound}, nil
		}, stashpay.CancelPaymentResponse{Status: stashpay.PurchaseCancellationStatusFailedTransactionNotFound}},
		{"typed rejection", func(context.Context, *stashpay.CancelPaymentRequest) (*stashpay.CancelPaymentResponse, error) {
			return nil, stashpay.RejectCancellation(stashpay.PurchaseCancellationStatusFailedAlreadyCompleted, "granted already")
		}, stashpay.CancelPaymentResponse{Status: stashpay.PurchaseCancellationStatusFailedAlreadyCompleted, Message: "granted already"}},
		{"rejection without status", func(context.Context, *stashpay.CancelPaymentRequest) (*stashpay.CancelPaymentResponse, error) {
			return nil, &stashpay.CancellationError{Message: "?"}
		}, stashpay.CancelPaymentResponse{Status: stashpay.PurchaseCancellationStatusUnspecified, Message: "?"}},
		{"unexpected error", func(context.Context, *stashpay.CancelPaymentRequest) (*stashpay.CancelPaymentResponse, error) {
			return nil, errors.New("redis: auth failed with token abc")
		}, stashpay.CancelPaymentResponse{Status: stashpay.PurchaseCancellationStatusUnspecified, Message: "internal error"}},
		{"panic", func(context.Context, *stashpay.CancelPaymentRequest) (*stashpay.CancelPaymentResponse, error) {
			panic("cancel exploded")
		}, stashpay.CancelPaymentResponse{Status: stashpay.PurchaseCancellationStatusUnspecified, Message: "internal error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := egressServe(stashpay.CancelPaymentHandler(egressConfig(), tt.fn),
				egressRequest(t, stashpay.CancelPaymentPath, egressTestdata(t, "egress_cancel.json")))
			require.Equal(t, http.StatusOK, rec.Code, "cancel always answers 200")
			var resp stashpay.CancelPaymentResponse
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp))
			assert.Equal(t, tt.want, resp)
			var raw map[string]any
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &raw))
			assert.Equal(t, string(tt.want.Status), raw["status"], "status written as its name")
		})
	}
}

func TestCancelPaymentHandlerValidation(t *testing.T) {
	t.Parallel()
	tests := map[string]func(r *stashpay.CancelPaymentRequest){
		"no player":      func(r *stashpay.CancelPaymentRequest) { r.PlayerID = "" },
		"no transaction": func(r *stashpay.CancelPaymentRequest) { r.TransactionID = "" },
		"no items":       func(r *stashpay.CancelPaymentRequest) { r.Items = nil },
		"quantity 0":     func(r *stashpay.CancelPaymentRequest) { r.Items[0].Quantity = 0 },
		"negative cents": func(r *stashpay.CancelPaymentRequest) { r.Items[0].Cents = -1 },
		"no guid":        func(r *stashpay.CancelPaymentRequest) { r.Items[0].GUID = "" },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var req stashpay.CancelPaymentRequest
			require.NoError(t, json.Unmarshal(egressTestdata(t, "egress_cancel.json"), &req))
			mutate(&req)
			called := false
			h := stashpay.CancelPaymentHandler(egressConfig(), func(context.Context, *stashpay.CancelPaymentRequest) (*stashpay.CancelPaymentResponse, error) {
				called = true
				return nil, nil
			})
			rec := egressServe(h, egressRequest(t, "/", req))
			assert.Equal(t, http.StatusBadRequest, rec.Code)
			assert.False(t, called)
		})
	}
	// Cents 0 is allowed on cancel (Stash does not require > 0 there).
	var req stashpay.CancelPaymentRequest
	require.NoError(t, json.Unmarshal(egressTestdata(t, "egress_cancel.json"), &req))
	req.Items[0].Cents = 0
	assert.NoError(t, req.Validate())
}

// A cancel of a transaction whose confirm granted it does not reach the
// game's cancel function: a signed confirm body replayed to the cancel
// path (the signature does not cover the path) must not release what was
// granted. Stash's answer for it is FAILED_ALREADY_COMPLETED.
func TestCancelAfterConfirm(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		store      func() dedup.Store
		prepare    func(t *testing.T, h http.Handler, store dedup.Store, confirm []byte)
		wantStatus stashpay.PurchaseCancellationStatus
		wantCalled bool
	}{
		{"confirm granted it", nil, func(t *testing.T, h http.Handler, _ dedup.Store, confirm []byte) {
			egressConfirmResults(t, egressServe(h, egressRequest(t, stashpay.ConfirmPaymentPath, confirm)))
		}, stashpay.PurchaseCancellationStatusFailedAlreadyCompleted, false},
		{"a confirm is running", nil, func(t *testing.T, _ http.Handler, store dedup.Store, confirm []byte) {
			var req stashpay.ConfirmPaymentRequest
			require.NoError(t, json.Unmarshal(confirm, &req))
			c, err := store.Claim(t.Context(), stashpay.DefaultConfirmKey(&req), time.Minute)
			require.NoError(t, err)
			require.Equal(t, dedup.Claimed, c.Outcome)
		}, stashpay.PurchaseCancellationStatusUnspecified, false},
		{"not confirmed", nil, func(*testing.T, http.Handler, dedup.Store, []byte) {},
			stashpay.PurchaseCancellationStatusSuccessCancelled, true},
		// A new purchase session through the same checkout link, which the
		// player abandoned: its reservation must be released.
		{"another transaction of the link was confirmed", nil, func(t *testing.T, h http.Handler, _ dedup.Store, _ []byte) {
			egressConfirmResults(t, egressServe(h, egressRequest(t, stashpay.ConfirmPaymentPath, egressConfirmBody(t, "tx-earlier"))))
		}, stashpay.PurchaseCancellationStatusSuccessCancelled, true},
		{"another route completed the key", nil, func(t *testing.T, _ http.Handler, store dedup.Store, confirm []byte) {
			var req stashpay.ConfirmPaymentRequest
			require.NoError(t, json.Unmarshal(confirm, &req))
			_, err := dedup.Do(t.Context(), store, stashpay.DefaultConfirmKey(&req), time.Minute, func(context.Context) error { return nil })
			require.NoError(t, err)
		}, stashpay.PurchaseCancellationStatusFailedAlreadyCompleted, false},
		{"confirmed, then the record cannot be read", func() dedup.Store { return &markersDown{Store: dedup.NewMemoryStore()} },
			func(t *testing.T, h http.Handler, store dedup.Store, confirm []byte) {
				egressConfirmResults(t, egressServe(h, egressRequest(t, stashpay.ConfirmPaymentPath, confirm)))
				store.(*markersDown).down.Store(true)
			}, stashpay.PurchaseCancellationStatusUnspecified, false},
		// Whether the transaction was granted is unknown: keeping a
		// reservation is better than releasing a granted purchase.
		{"store down: UNSPECIFIED, the function not called", func() dedup.Store { return deduptest.Unreachable() }, func(*testing.T, http.Handler, dedup.Store, []byte) {},
			stashpay.PurchaseCancellationStatusUnspecified, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store := dedup.Store(dedup.NewMemoryStore())
			if tt.store != nil {
				store = tt.store()
			}
			cfg := egressConfig()
			cfg.Store = store
			var cancels egressCounter
			h := stashpay.EgressHandler(cfg, stashpay.EgressFuncs{
				Confirm: func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
					return nil, nil
				},
				Cancel: func(context.Context, *stashpay.CancelPaymentRequest) (*stashpay.CancelPaymentResponse, error) {
					cancels.n.Add(1)
					return nil, nil
				},
			})
			confirm := egressConfirmBody(t, "tx-cancel-after")
			tt.prepare(t, h, store, confirm)
			rec := egressServe(h, egressRequest(t, stashpay.CancelPaymentPath, confirm)) // the confirm body, replayed
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			var resp stashpay.CancelPaymentResponse
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp))
			assert.Equal(t, tt.wantStatus, resp.Status)
			assert.Equal(t, tt.wantCalled, cancels.n.Load() == 1)
		})
	}
}

// EgressHandler without a store still shares one between confirm and
// cancel.
func TestEgressHandlerSharesItsStoreWithCancel(t *testing.T) {
	t.Parallel()
	var cancels egressCounter
	h := stashpay.EgressHandler(egressConfig(), stashpay.EgressFuncs{
		Confirm: func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			return nil, nil
		},
		Cancel: func(context.Context, *stashpay.CancelPaymentRequest) (*stashpay.CancelPaymentResponse, error) {
			cancels.n.Add(1)
			return nil, nil
		},
	})
	confirm := egressConfirmBody(t, "tx-shared")
	egressConfirmResults(t, egressServe(h, egressRequest(t, stashpay.ConfirmPaymentPath, confirm)))
	rec := egressServe(h, egressRequest(t, stashpay.CancelPaymentPath, confirm))
	var resp stashpay.CancelPaymentResponse
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp))
	assert.Equal(t, stashpay.PurchaseCancellationStatusFailedAlreadyCompleted, resp.Status)
	assert.Zero(t, cancels.n.Load())
}

// markersDown passes calls to Store until down is set, and then fails the
// claims of marker keys (those holding '#'), as a store that went down
// between two calls.
type markersDown struct {
	dedup.Store
	down atomic.Bool
}

func (m *markersDown) Claim(ctx context.Context, key string, lease time.Duration) (dedup.Claim, error) {
	if m.down.Load() && strings.Contains(key, "#") {
		return dedup.Claim{}, deduptest.ErrUnreachable
	}
	return m.Store.Claim(ctx, key, lease)
}

// A confirm arriving while the game's cancel function runs waits for it:
// it cannot grant what the function is releasing. Once the cancel is
// answered, the confirm goes ahead.
func TestCancelHoldsTheConfirmKey(t *testing.T) {
	t.Parallel()
	cfg := egressConfig()
	cfg.BusyWait = -1 // answer 503 at once instead of waiting
	entered, release := make(chan struct{}), make(chan struct{})
	var confirms egressCounter
	h := stashpay.EgressHandler(cfg, stashpay.EgressFuncs{
		Confirm: confirms.confirm(nil, nil),
		Cancel: func(context.Context, *stashpay.CancelPaymentRequest) (*stashpay.CancelPaymentResponse, error) {
			close(entered)
			<-release
			return nil, nil
		},
	})
	body := egressConfirmBody(t, "tx-race")
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- egressServe(h, egressRequest(t, stashpay.CancelPaymentPath, body)) }()
	<-entered
	rec := egressServe(h, egressRequest(t, stashpay.ConfirmPaymentPath, body))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code, rec.Body.String())
	assert.Zero(t, confirms.n.Load(), "no grant while the cancel runs")
	close(release)
	var resp stashpay.CancelPaymentResponse
	require.NoError(t, json.Unmarshal((<-done).Body.Bytes(), &resp))
	assert.Equal(t, stashpay.PurchaseCancellationStatusSuccessCancelled, resp.Status)

	egressConfirmResults(t, egressServe(h, egressRequest(t, stashpay.ConfirmPaymentPath, body)))
	assert.Equal(t, int64(1), confirms.n.Load())
}

// completeLost frees the confirm key itself instead of completing it and
// reports a lost lease (its record never landed), and completes every
// marker key (those holding '#').
type completeLost struct{ dedup.Store }

func (s completeLost) Complete(ctx context.Context, key, token string) error {
	if !strings.Contains(key, "#") {
		_ = s.Store.Release(ctx, key, token)
		return dedup.ErrLeaseLost
	}
	return s.Store.Complete(ctx, key, token)
}

// claimsFailOn fails the claims of keys holding sub.
type claimsFailOn struct {
	dedup.Store
	sub string
}

func (s claimsFailOn) Claim(ctx context.Context, key string, lease time.Duration) (dedup.Claim, error) {
	if strings.Contains(key, s.sub) {
		return dedup.Claim{}, deduptest.ErrUnreachable
	}
	return s.Store.Claim(ctx, key, lease)
}

// Whatever part of a granted confirm's record is missing, a cancel of that
// transaction never reaches the game's function.
func TestCancelOfAGrantedTransactionWithPartRecords(t *testing.T) {
	t.Parallel()
	nop := func(context.Context) error { return nil }
	tests := []struct {
		name string
		// confirmStore is the store the confirm ran on, over the shared one.
		confirmStore func(dedup.Store) dedup.Store
		// prepare writes records itself instead of a confirm, when set.
		prepare func(t *testing.T, store dedup.Store, key string)
	}{
		{name: "the key's own record did not land", confirmStore: func(s dedup.Store) dedup.Store { return completeLost{s} }},
		{name: "the transaction marker did not land", confirmStore: func(s dedup.Store) dedup.Store { return claimsFailOn{s, "#transaction:"} }},
		{name: "neither the key's record nor the transaction marker landed", confirmStore: func(s dedup.Store) dedup.Store {
			return completeLost{claimsFailOn{s, "#transaction:"}}
		}},
		{name: "a confirm by a build before v0.1.0", prepare: func(t *testing.T, store dedup.Store, key string) {
			for _, k := range []string{key + "#granted:0123", key + "#confirmed", key} {
				_, err := dedup.Do(t.Context(), store, k, time.Minute, nop)
				require.NoError(t, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store := dedup.NewMemoryStore()
			body := egressConfirmBody(t, "tx-partly-recorded")
			var req stashpay.ConfirmPaymentRequest
			require.NoError(t, json.Unmarshal(body, &req))
			if tt.prepare != nil {
				tt.prepare(t, store, stashpay.DefaultConfirmKey(&req))
			} else {
				cfg := egressConfig()
				cfg.Store = tt.confirmStore(store)
				var confirms egressCounter
				egressConfirmResults(t, egressServe(stashpay.ConfirmPaymentHandler(cfg, confirms.confirm(nil, nil)),
					egressRequest(t, stashpay.ConfirmPaymentPath, body)))
				require.Equal(t, int64(1), confirms.n.Load())
			}
			cfg := egressConfig()
			cfg.Store = store
			var cancels egressCounter
			h := stashpay.CancelPaymentHandler(cfg, func(context.Context, *stashpay.CancelPaymentRequest) (*stashpay.CancelPaymentResponse, error) {
				cancels.n.Add(1)
				return nil, nil
			})
			var resp stashpay.CancelPaymentResponse
			require.NoError(t, json.Unmarshal(egressServe(h, egressRequest(t, stashpay.CancelPaymentPath, body)).Body.Bytes(), &resp))
			assert.Equal(t, stashpay.PurchaseCancellationStatusFailedAlreadyCompleted, resp.Status)
			assert.Zero(t, cancels.n.Load(), "a granted transaction was released")
		})
	}
}

// completeFails fails every Complete of keys holding marker.
type completeFails struct {
	dedup.Store
	marker string
}

func (s completeFails) Complete(ctx context.Context, key, token string) error {
	if strings.Contains(key, s.marker) {
		return deduptest.ErrUnreachable
	}
	return s.Store.Complete(ctx, key, token)
}

// A granted transaction whose transaction marker never landed (its
// background retries gave up with the lease) is still refused: the
// confirmed marker was held meanwhile and never recorded.
func TestCancelAfterTheTransactionMarkerGaveUp(t *testing.T) {
	t.Parallel()
	store := dedup.NewMemoryStore()
	cfg := egressConfig()
	cfg.Store, cfg.Lease = completeFails{store, "#transaction:"}, 300*time.Millisecond
	var confirms egressCounter
	body := egressConfirmBody(t, "tx-gave-up")
	egressConfirmResults(t, egressServe(stashpay.ConfirmPaymentHandler(cfg, confirms.confirm(nil, nil)),
		egressRequest(t, stashpay.ConfirmPaymentPath, body)))

	cfg.Store, cfg.Lease = store, 0
	var cancels egressCounter
	h := stashpay.CancelPaymentHandler(cfg, func(context.Context, *stashpay.CancelPaymentRequest) (*stashpay.CancelPaymentResponse, error) {
		cancels.n.Add(1)
		return nil, nil
	})
	require.Eventually(t, func() bool {
		var resp stashpay.CancelPaymentResponse
		require.NoError(t, json.Unmarshal(egressServe(h, egressRequest(t, stashpay.CancelPaymentPath, body)).Body.Bytes(), &resp))
		return resp.Status == stashpay.PurchaseCancellationStatusFailedAlreadyCompleted // UNSPECIFIED while held
	}, 5*time.Second, 50*time.Millisecond)
	time.Sleep(400 * time.Millisecond) // every lease of the first confirm has ended
	var resp stashpay.CancelPaymentResponse
	require.NoError(t, json.Unmarshal(egressServe(h, egressRequest(t, stashpay.CancelPaymentPath, body)).Body.Bytes(), &resp))
	assert.Equal(t, stashpay.PurchaseCancellationStatusFailedAlreadyCompleted, resp.Status)
	assert.Zero(t, cancels.n.Load(), "a granted transaction was released")
}

// A cancel that finds a granted transaction whose key's own record was
// lost records the key: a retry of the confirm is then answered as a
// duplicate, without granting again.
func TestCancelRecordsTheKeyOfAGrantedTransaction(t *testing.T) {
	t.Parallel()
	store := dedup.NewMemoryStore()
	cfg := egressConfig()
	cfg.Store = completeLost{store}
	var confirms egressCounter
	body := egressConfirmBody(t, "tx-repair")
	egressConfirmResults(t, egressServe(stashpay.ConfirmPaymentHandler(cfg, confirms.confirm(nil, nil)),
		egressRequest(t, stashpay.ConfirmPaymentPath, body)))

	cfg.Store = store
	h := stashpay.EgressHandler(cfg, stashpay.EgressFuncs{
		Confirm: confirms.confirm(nil, nil),
		Cancel: func(context.Context, *stashpay.CancelPaymentRequest) (*stashpay.CancelPaymentResponse, error) {
			t.Error("a granted transaction was released")
			return nil, nil
		},
	})
	var resp stashpay.CancelPaymentResponse
	require.NoError(t, json.Unmarshal(egressServe(h, egressRequest(t, stashpay.CancelPaymentPath, body)).Body.Bytes(), &resp))
	assert.Equal(t, stashpay.PurchaseCancellationStatusFailedAlreadyCompleted, resp.Status)
	egressConfirmResults(t, egressServe(h, egressRequest(t, stashpay.ConfirmPaymentPath, body)))
	assert.Equal(t, int64(1), confirms.n.Load(), "granted once")
}
