package stashpay_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stashpay/stashpay-go/webhook"
)

func egressConfirmResults(t *testing.T, rec *httptest.ResponseRecorder) []stashpay.ConfirmPaymentResult {
	t.Helper()
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	var resp stashpay.ConfirmPaymentResponse
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp))
	return resp.Results
}

func TestConfirmPaymentHandlerOutcomes(t *testing.T) {
	t.Parallel()
	defaultResults := []stashpay.ConfirmPaymentResult{{GUID: "5d6a3c1e-9b8f-4e2d-a1c0-7f6e5d4c3b2a", ProductID: "gems_500"}}
	tests := []struct {
		name        string
		fn          stashpay.ConfirmPaymentFunc
		wantCode    int
		wantResults []stashpay.ConfirmPaymentResult
		wantErrCode int
		wantMsg     string
	}{
		{name: "nil response", fn: func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			return nil, nil
		}, wantCode: 200, wantResults: defaultResults},
		{name: "empty results", fn: func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			return &stashpay.ConfirmPaymentResponse{}, nil
		}, wantCode: 200, wantResults: defaultResults},
		{name: "own results", fn: func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			return &stashpay.ConfirmPaymentResponse{Results: []stashpay.ConfirmPaymentResult{{ProductID: "gems_500"}}}, nil
		}, wantCode: 200, wantResults: []stashpay.ConfirmPaymentResult{{ProductID: "gems_500"}}},
		{name: "rejected", fn: func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			return nil, stashpay.RejectPurchase("item sold out")
		}, wantCode: 422, wantErrCode: 9, wantMsg: "item sold out"},
		{name: "rejected, wrapped", fn: func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			return nil, fmt.Errorf("checking limits: %w", stashpay.RejectPurchase("limit reached"))
		}, wantCode: 422, wantErrCode: 9, wantMsg: "limit reached"},
		{name: "rejected with 409", fn: func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			return nil, &stashpay.PurchaseRejectedError{Reason: "banned", StatusCode: http.StatusConflict}
		}, wantCode: 409, wantErrCode: 9, wantMsg: "banned"},
		{name: "rejected with a 2xx code is 422", fn: func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			return nil, &stashpay.PurchaseRejectedError{Reason: "no", StatusCode: http.StatusOK}
		}, wantCode: 422, wantErrCode: 9, wantMsg: "no"},
		{name: "other error", fn: func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			return nil, errors.New("db: connection refused to 10.0.0.5 password=hunter2")
		}, wantCode: 500, wantErrCode: 13, wantMsg: "internal error"},
		{name: "panic", fn: func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			panic("boom")
		}, wantCode: 500, wantErrCode: 13, wantMsg: "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var log egressLog
			cfg := egressConfig()
			cfg.Logger = log.logger()
			h := stashpay.ConfirmPaymentHandler(cfg, tt.fn)
			rec := egressServe(h, egressRequest(t, stashpay.ConfirmPaymentPath, egressTestdata(t, "egress_confirm.json")))
			require.Equal(t, tt.wantCode, rec.Code, rec.Body.String())
			if tt.wantCode == 200 {
				assert.Equal(t, tt.wantResults, egressConfirmResults(t, rec))
				return
			}
			st := egressErrorBody(t, rec)
			assert.Equal(t, tt.wantErrCode, st.Code)
			assert.Equal(t, tt.wantMsg, st.Message)
			assert.NotContains(t, rec.Body.String(), "hunter2", "internal errors stay in the log")
		})
	}
}

// The answer holds only results Stash accepts: each names a product ID or
// a GUID, a GUID being a UUID. Stash would refuse the others after the
// grant, failing a purchase the player already has.
func TestConfirmPaymentHandlerAnswersOnlyValidResults(t *testing.T) {
	t.Parallel()
	defaults := []stashpay.ConfirmPaymentResult{{GUID: "5d6a3c1e-9b8f-4e2d-a1c0-7f6e5d4c3b2a", ProductID: "gems_500"}}
	const guid = "0b7c6d2e-8f41-4f5a-9c3e-2d1b0a9f8e7d"
	tests := []struct {
		name string
		got  []stashpay.ConfirmPaymentResult
		want []stashpay.ConfirmPaymentResult
	}{
		{"valid kept", []stashpay.ConfirmPaymentResult{{ProductID: "gems_500"}, {GUID: guid}}, []stashpay.ConfirmPaymentResult{{ProductID: "gems_500"}, {GUID: guid}}},
		{"empty result dropped", []stashpay.ConfirmPaymentResult{{}, {ProductID: "gems_500"}}, []stashpay.ConfirmPaymentResult{{ProductID: "gems_500"}}},
		{"GUID not a UUID dropped", []stashpay.ConfirmPaymentResult{{GUID: "sku1", ProductID: "gems_500"}, {ProductID: "p"}}, []stashpay.ConfirmPaymentResult{{ProductID: "p"}}},
		{"GUID in another form dropped", []stashpay.ConfirmPaymentResult{{GUID: "{" + guid + "}"}}, defaults},
		{"none left: one per item", []stashpay.ConfirmPaymentResult{{GUID: "sku1"}}, defaults},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var c egressCounter
			h := stashpay.ConfirmPaymentHandler(egressConfig(), c.confirm(&stashpay.ConfirmPaymentResponse{Results: tt.got}, nil))
			got := egressConfirmResults(t, egressServe(h, egressRequest(t, "/", egressConfirmBody(t, "tx-results"))))
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestConfirmPaymentResultValid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		r    stashpay.ConfirmPaymentResult
		want bool
	}{
		{stashpay.ConfirmPaymentResult{ProductID: "gems_500"}, true},
		{stashpay.ConfirmPaymentResult{GUID: "0b7c6d2e-8f41-4f5a-9c3e-2d1b0a9f8e7d"}, true},
		{stashpay.ConfirmPaymentResult{GUID: "0B7C6D2E-8F41-4F5A-9C3E-2D1B0A9F8E7D", ProductID: "p"}, true},
		{stashpay.ConfirmPaymentResult{}, false},
		{stashpay.ConfirmPaymentResult{GUID: "sku1", ProductID: "gems_500"}, false},
		{stashpay.ConfirmPaymentResult{GUID: "0b7c6d2e8f414f5a9c3e2d1b0a9f8e7d"}, false},
		{stashpay.ConfirmPaymentResult{GUID: "urn:uuid:0b7c6d2e-8f41-4f5a-9c3e-2d1b0a9f8e7d"}, false},
	} {
		assert.Equal(t, tc.want, tc.r.Valid(), "%+v", tc.r)
	}
}

func TestConfirmPaymentHandlerPanicKeepsServing(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	var log egressLog
	cfg := egressConfig()
	cfg.Logger = log.logger()
	srv := httptest.NewServer(stashpay.ConfirmPaymentHandler(cfg, func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
		if n.Add(1) == 1 {
			panic("first call explodes")
		}
		return nil, nil
	}))
	t.Cleanup(srv.Close)
	for i, want := range []int{500, 200} {
		// Same transaction twice: the panic released the key, so the retry
		// runs the function again.
		resp, err := srv.Client().Do(egressRequest(t, srv.URL, egressConfirmBody(t, "tx-panic")))
		require.NoError(t, err, i)
		require.NoError(t, resp.Body.Close())
		assert.Equal(t, want, resp.StatusCode, i)
	}
	assert.Equal(t, int64(2), n.Load())
	assert.Contains(t, log.String(), "first call explodes")
	assert.Contains(t, log.String(), "goroutine", "the stack is logged")
}

func TestConfirmPaymentHandlerIsIdempotent(t *testing.T) {
	t.Parallel()
	var c egressCounter
	h := stashpay.ConfirmPaymentHandler(egressConfig(), c.confirm(&stashpay.ConfirmPaymentResponse{
		Results: []stashpay.ConfirmPaymentResult{{ProductID: "custom"}},
	}, nil))
	first := egressConfirmResults(t, egressServe(h, egressRequest(t, "/", egressConfirmBody(t, "tx-1"))))
	assert.Equal(t, []stashpay.ConfirmPaymentResult{{ProductID: "custom"}}, first)
	for range 3 {
		again := egressConfirmResults(t, egressServe(h, egressRequest(t, "/", egressConfirmBody(t, "tx-1"))))
		assert.Equal(t, []stashpay.ConfirmPaymentResult{{GUID: "5d6a3c1e-9b8f-4e2d-a1c0-7f6e5d4c3b2a", ProductID: "gems_500"}}, again,
			"a repeat answers the default results")
	}
	assert.Equal(t, int64(1), c.n.Load())
	other := bytes.Replace(egressConfirmBody(t, "tx-2"), []byte("0b7c6d2e-8f41"), []byte("1b7c6d2e-8f41"), 1)
	egressConfirmResults(t, egressServe(h, egressRequest(t, "/", other)))
	assert.Equal(t, int64(2), c.n.Load(), "another purchase (checkout link) runs")
}

func TestConfirmPaymentHandlerRetriesAfterFailure(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	h := stashpay.ConfirmPaymentHandler(egressConfig(), func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
		switch n.Add(1) {
		case 1:
			return nil, stashpay.RejectPurchase("try later")
		case 2:
			return nil, errors.New("transient")
		}
		return nil, nil
	})
	// Each call is signed at its own time, as Stash's retries are (the
	// same signed request replayed after a refusal is refused again).
	now := time.Now()
	for i, want := range []int{422, 500, 200, 200} {
		at := stashpaytest.EgressSignedAt(now.Add(time.Duration(i) * time.Millisecond))
		rec := egressServe(h, egressRequest(t, "/", egressConfirmBody(t, "tx-r"), at))
		assert.Equal(t, want, rec.Code)
	}
	assert.Equal(t, int64(3), n.Load(), "failures release the key; success completes it")
}

func TestConfirmPaymentHandlerKeyFunc(t *testing.T) {
	t.Parallel()
	var c egressCounter
	store := dedup.NewMemoryStore()
	cfg := egressConfig()
	cfg.Store = store
	cfg.KeyFunc = func(r *stashpay.ConfirmPaymentRequest) string {
		if r.CheckoutLinkID == "" {
			return ""
		}
		return "checkout:" + r.CheckoutLinkID
	}
	h := stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil))
	// Two transaction IDs, one checkout link: granted once.
	egressConfirmResults(t, egressServe(h, egressRequest(t, "/", egressConfirmBody(t, "tx-a"))))
	egressConfirmResults(t, egressServe(h, egressRequest(t, "/", egressConfirmBody(t, "tx-b"))))
	assert.Equal(t, int64(1), c.n.Load())

	// The key is in the shared store, where a webhook handler keyed the
	// same way finds it done.
	claim, err := store.Claim(t.Context(), "checkout:0b7c6d2e-8f41-4f5a-9c3e-2d1b0a9f8e7d", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, dedup.Done, claim.Outcome)

	// An empty key falls back to the transaction ID.
	var req stashpay.ConfirmPaymentRequest
	require.NoError(t, json.Unmarshal(egressConfirmBody(t, "tx-c"), &req))
	req.CheckoutLinkID = ""
	for range 2 {
		egressConfirmResults(t, egressServe(h, egressRequest(t, "/", req)))
	}
	assert.Equal(t, int64(2), c.n.Load())
	claim, err = store.Claim(t.Context(), stashpay.DefaultConfirmKey(&req), time.Minute)
	require.NoError(t, err)
	assert.Equal(t, dedup.Done, claim.Outcome)
}

func TestConfirmPaymentHandlerConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	const dup = 8
	var n atomic.Int64
	release := make(chan struct{})
	entered := make(chan struct{}, dup)
	h := stashpay.ConfirmPaymentHandler(egressConfig(), func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
		n.Add(1)
		entered <- struct{}{}
		<-release
		return nil, nil
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	body := egressConfirmBody(t, "tx-concurrent")
	var wg sync.WaitGroup
	codes := make([]int, dup)
	for i := range dup {
		wg.Go(func() {
			resp, err := srv.Client().Do(egressRequest(t, srv.URL, body))
			if !assert.NoError(t, err) {
				return
			}
			codes[i] = resp.StatusCode
			assert.NoError(t, resp.Body.Close())
		})
	}
	<-entered // one call is inside fn; the others wait on the busy key
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	assert.Equal(t, int64(1), n.Load(), "fn runs once")
	for i, c := range codes {
		assert.Equal(t, http.StatusOK, c, "call %d", i)
	}
}

func TestConfirmPaymentHandlerStoreFailures(t *testing.T) {
	t.Parallel()
	t.Run("claim fails", func(t *testing.T) {
		t.Parallel()
		var c egressCounter
		var log egressLog
		cfg := egressConfig()
		cfg.Logger = log.logger()
		cfg.Store = &egressStore{claimErr: fmt.Errorf("%w: redis down", dedup.ErrStore)}
		rec := egressServe(stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil)), egressRequest(t, "/", egressConfirmBody(t, "tx-s")))
		assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
		assert.Equal(t, 14, egressErrorBody(t, rec).Code)
		assert.Zero(t, c.n.Load())
		assert.Contains(t, log.String(), "redis down")
	})
	t.Run("complete fails after the grant", func(t *testing.T) {
		t.Parallel()
		var c egressCounter
		var log egressLog
		cfg := egressConfig()
		cfg.Logger = log.logger()
		cfg.Store = &egressStore{inner: dedup.NewMemoryStore(), completeErr: errors.New("write timeout")}
		rec := egressServe(stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil)), egressRequest(t, "/", egressConfirmBody(t, "tx-s")))
		assert.Len(t, egressConfirmResults(t, rec), 1, "granted, so success")
		assert.Equal(t, int64(1), c.n.Load())
		assert.Contains(t, log.String(), "did not record")
	})
	t.Run("complete never lands before the lease ends", func(t *testing.T) {
		t.Parallel()
		var c egressCounter
		var log egressLog
		cfg := egressConfig()
		cfg.Logger = log.logger()
		cfg.Lease = 600 * time.Millisecond
		cfg.Store = &egressStore{inner: dedup.NewMemoryStore(), completeErr: errors.New("write timeout")}
		rec := egressServe(stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil)), egressRequest(t, "/", egressConfirmBody(t, "tx-never")))
		assert.Len(t, egressConfirmResults(t, rec), 1, "granted, so success")
		assert.Eventually(t, func() bool {
			return strings.Contains(log.String(), "still not recorded when its lease ended")
		}, 5*time.Second, 20*time.Millisecond, "an operator must learn that a retry may grant again")
	})
	t.Run("busy, no wait", func(t *testing.T) {
		t.Parallel()
		var c egressCounter
		cfg := egressConfig()
		cfg.BusyWait = -1
		store := &egressStore{outcomes: []dedup.Outcome{dedup.Busy}}
		cfg.Store = store
		rec := egressServe(stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil)), egressRequest(t, "/", egressConfirmBody(t, "tx-s")))
		assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
		assert.Equal(t, "1", rec.Header().Get("Retry-After"))
		assert.Zero(t, c.n.Load())
		assert.Equal(t, 1, store.claimCount())
	})
	t.Run("busy until the wait runs out", func(t *testing.T) {
		t.Parallel()
		var c egressCounter
		cfg := egressConfig()
		cfg.BusyWait = 100 * time.Millisecond
		store := &egressStore{outcomes: []dedup.Outcome{dedup.Busy}}
		cfg.Store = store
		rec := egressServe(stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil)), egressRequest(t, "/", egressConfirmBody(t, "tx-s")))
		assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
		assert.Zero(t, c.n.Load())
		assert.Greater(t, store.claimCount(), 1, "it asked again while waiting")
	})
	t.Run("busy, then done elsewhere", func(t *testing.T) {
		t.Parallel()
		var c egressCounter
		cfg := egressConfig()
		cfg.Store = &egressStore{outcomes: []dedup.Outcome{dedup.Busy, dedup.Busy, dedup.Done}}
		rec := egressServe(stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil)), egressRequest(t, "/", egressConfirmBody(t, "tx-s")))
		assert.Len(t, egressConfirmResults(t, rec), 1)
		assert.Zero(t, c.n.Load())
	})
	t.Run("busy, then the other failed", func(t *testing.T) {
		t.Parallel()
		var c egressCounter
		cfg := egressConfig()
		cfg.Store = &egressStore{outcomes: []dedup.Outcome{dedup.Busy, dedup.Claimed}}
		rec := egressServe(stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil)), egressRequest(t, "/", egressConfirmBody(t, "tx-s")))
		assert.Len(t, egressConfirmResults(t, rec), 1)
		assert.Equal(t, int64(1), c.n.Load(), "this call does the work")
	})
	t.Run("busy and the caller gives up", func(t *testing.T) {
		t.Parallel()
		var c egressCounter
		cfg := egressConfig()
		cfg.Store = &egressStore{outcomes: []dedup.Outcome{dedup.Busy}}
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
		defer cancel()
		req := egressRequest(t, "/", egressConfirmBody(t, "tx-s")).WithContext(ctx)
		rec := egressServe(stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil)), req)
		assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
		assert.Zero(t, c.n.Load())
	})
}

func TestConfirmPaymentHandlerValidation(t *testing.T) {
	t.Parallel()
	tests := map[string]func(r *stashpay.ConfirmPaymentRequest){
		"no player":            func(r *stashpay.ConfirmPaymentRequest) { r.PlayerID = "" },
		"no transaction":       func(r *stashpay.ConfirmPaymentRequest) { r.TransactionID = "" },
		"bad currency":         func(r *stashpay.ConfirmPaymentRequest) { r.Currency = "US" },
		"decimal places 19":    func(r *stashpay.ConfirmPaymentRequest) { r.DecimalPlaces = 19 },
		"decimal places huge":  func(r *stashpay.ConfirmPaymentRequest) { r.DecimalPlaces = 1 << 30 },
		"negative tax":         func(r *stashpay.ConfirmPaymentRequest) { r.Tax = -1 },
		"zero total":           func(r *stashpay.ConfirmPaymentRequest) { r.Total = 0 },
		"no time":              func(r *stashpay.ConfirmPaymentRequest) { r.Time = time.Time{} },
		"no items":             func(r *stashpay.ConfirmPaymentRequest) { r.Items = nil },
		"item without guid":    func(r *stashpay.ConfirmPaymentRequest) { r.Items[0].GUID = "" },
		"item without product": func(r *stashpay.ConfirmPaymentRequest) { r.Items[0].ProductID = "" },
		"quantity 0":           func(r *stashpay.ConfirmPaymentRequest) { r.Items[0].Quantity = 0 },
		"cents 0":              func(r *stashpay.ConfirmPaymentRequest) { r.Items[0].Cents = 0 },
		"bonus without id":     func(r *stashpay.ConfirmPaymentRequest) { r.BonusItems[0].ID = "" },
		"bonus quantity 0":     func(r *stashpay.ConfirmPaymentRequest) { r.BonusItems[0].Quantity = 0 },
		"region too long":      func(r *stashpay.ConfirmPaymentRequest) { r.Region = "USAX" },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req := egressWantConfirm()
			mutate(&req)
			require.ErrorIs(t, req.Validate(), stashpay.ErrInvalidEgressRequest)
			var c egressCounter
			rec := egressServe(stashpay.ConfirmPaymentHandler(egressConfig(), c.confirm(nil, nil)), egressRequest(t, "/", req))
			assert.Equal(t, http.StatusBadRequest, rec.Code)
			st := egressErrorBody(t, rec)
			assert.Equal(t, 3, st.Code)
			assert.Contains(t, st.Message, "invalid egress request")
			assert.Zero(t, c.n.Load())
		})
	}
}

func TestConfirmPaymentRequestDecodesBothNamings(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"egress_confirm.json", "egress_confirm_snake.json"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			var got stashpay.ConfirmPaymentRequest
			require.NoError(t, json.Unmarshal(egressTestdata(t, file), &got))
			assert.Equal(t, egressWantConfirm(), got)
			assert.NoError(t, got.Validate())
		})
	}
}

func TestConfirmPaymentRequestRoundTrip(t *testing.T) {
	t.Parallel()
	want := egressWantConfirm()
	b, err := json.Marshal(want)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	assert.Equal(t, "1753993257000", m["timeMillis"], "int64 is written as a string")
	assert.Equal(t, "PURCHASE_PLATFORM_IOS", m["platform"], "enums are written as names")
	var got stashpay.ConfirmPaymentRequest
	require.NoError(t, json.Unmarshal(b, &got))
	assert.Equal(t, want, got)
}

func TestConfirmPaymentRequestTolerance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		json  string
		check func(t *testing.T, r stashpay.ConfirmPaymentRequest)
	}{
		{"timeMillis as string", `{"timeMillis":"1000"}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Equal(t, time.UnixMilli(1000).UTC(), r.Time)
		}},
		{"timeMillis as number", `{"timeMillis":1000}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Equal(t, time.UnixMilli(1000).UTC(), r.Time)
		}},
		{"timeMillis null", `{"timeMillis":null}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.True(t, r.Time.IsZero())
		}},
		{"mixed case names", `{"PlayerID":"p","TRANSACTIONID":"t"}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Equal(t, "p", r.PlayerID)
			assert.Equal(t, "t", r.TransactionID)
		}},
		{"upper snake case is not snake_case", `{"TRANSACTION_ID":"t","Player_Id":"p"}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Empty(t, r.TransactionID)
			assert.Empty(t, r.PlayerID)
		}},
		{"a field given twice keeps the last value", `{"total":1,"total":2}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Equal(t, int64(2), r.Total)
		}},
		{"snake_case does not override lowerCamelCase", `{"playerId":"a","player_id":"b"}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Equal(t, "a", r.PlayerID)
		}},
		{"escapes in names and values", `{"player\u0049d":"a\"b\u00e9","transaction_id":"\ud83d\ude00"}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Equal(t, "a\"bé", r.PlayerID)
			assert.Equal(t, "😀", r.TransactionID)
		}},
		{"whitespace everywhere", " \n{ \"playerId\" :\t\"p\" , \"items\" : [ { \"quantity\" : \"2\" } , null ] }\r\n", func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Equal(t, "p", r.PlayerID)
			require.Len(t, r.Items, 2)
			assert.Equal(t, int64(2), r.Items[0].Quantity)
		}},
		{"numeric player ID", `{"playerId":12345}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Equal(t, "12345", r.PlayerID)
		}},
		{"unknown fields of any kind", `{"x":1,"y":[{"z":null}],"w":{"playerId":"nested"},"playerId":"p"}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Equal(t, "p", r.PlayerID)
		}},
		{"opt-in false and as string", `{"emailMarketingOptIn":"false"}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			require.NotNil(t, r.EmailMarketingOptIn)
			assert.False(t, *r.EmailMarketingOptIn)
		}},
		{"opt-in absent", `{}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Nil(t, r.EmailMarketingOptIn)
			assert.Nil(t, r.Loyalty)
		}},
		{"metadata scalars", `{"items":[{"metadata":{"a":"x","b":7,"c":true,"d":null}}]}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			require.Len(t, r.Items, 1)
			assert.Equal(t, map[string]string{"a": "x", "b": "7", "c": "true", "d": ""}, r.Items[0].Metadata)
		}},
		{"loyalty optional pointers", `{"loyalty":{"totalPoints":"5","pointsToNextTier":null,"nextMilestone":null}}`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			require.NotNil(t, r.Loyalty)
			assert.Equal(t, int64(5), r.Loyalty.TotalPoints)
			assert.Nil(t, r.Loyalty.PointsToNextTier)
			assert.Nil(t, r.Loyalty.NextMilestone)
		}},
		{"null object", `null`, func(t *testing.T, r stashpay.ConfirmPaymentRequest) {
			assert.Equal(t, stashpay.ConfirmPaymentRequest{DecimalPlaces: stashpay.NoDecimalPlaces}, r)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var r stashpay.ConfirmPaymentRequest
			require.NoError(t, json.Unmarshal([]byte(tt.json), &r))
			tt.check(t, r)
		})
	}
}

// A request that fails to decode leaves the value it was decoded into as
// it was, for each of the three egress requests.
func TestEgressRequestFailedDecodeChangesNothing(t *testing.T) {
	t.Parallel()
	bad := []byte(`{"playerId":"other","items":[{"quantity":"x"}],"registrations":[{"quantity":"x"}]}`)
	tests := []struct {
		name string
		file string
		v    json.Unmarshaler
	}{
		{"confirm", "egress_confirm.json", &stashpay.ConfirmPaymentRequest{}},
		{"register", "egress_register.json", &stashpay.RegisterPaymentRequest{}},
		{"cancel", "egress_cancel.json", &stashpay.CancelPaymentRequest{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, tt.v.UnmarshalJSON(egressTestdata(t, tt.file)))
			before, err := json.Marshal(tt.v)
			require.NoError(t, err)
			require.ErrorIs(t, tt.v.UnmarshalJSON(bad), stashpay.ErrMalformedEgressJSON)
			after, err := json.Marshal(tt.v)
			require.NoError(t, err)
			assert.JSONEq(t, string(before), string(after))
		})
	}
}

func TestConfirmPaymentRequestMalformed(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"not an object":             `[1,2]`,
		"invalid UTF-8":             "{\"playerId\":\"p\xff\"}",
		"escaped lone surrogate":    `{"transactionId":"tx-\ud800-1"}`,
		"string field is a bool":    `{"playerId":true}`,
		"fractional quantity":       `{"items":[{"quantity":1.5}]}`,
		"quantity not digits":       `{"items":[{"quantity":"one"}]}`,
		"timeMillis overflows":      `{"timeMillis":"99999999999999999999"}`,
		"timeMillis exponent":       `{"timeMillis":1e3}`,
		"empty int string":          `{"tax":""}`,
		"items not an array":        `{"items":{}}`,
		"item not an object":        `{"items":[1]}`,
		"metadata not an object":    `{"items":[{"metadata":[]}]}`,
		"metadata nested object":    `{"items":[{"metadata":{"a":{}}}]}`,
		"opt-in is a number":        `{"emailMarketingOptIn":1}`,
		"enum is a bool":            `{"source":false}`,
		"decimalPlaces beyond int":  `{"decimalPlaces":99999999999999999999}`,
		"loyalty reward type bad":   `{"loyalty":{"nextMilestone":{"rewards":[{"type":[]}]}}}`,
		"bonus item quantity float": `{"bonusItems":[{"id":"x","quantity":0.5}]}`,
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var r stashpay.ConfirmPaymentRequest
			err := json.Unmarshal([]byte(in), &r)
			require.Error(t, err)
			assert.ErrorIs(t, err, stashpay.ErrMalformedEgressJSON)
		})
	}
	// Invalid JSON is rejected by encoding/json before the decoder runs;
	// calling UnmarshalJSON directly reports it as malformed too.
	// Errors name the member, never its value.
	var r stashpay.ConfirmPaymentRequest
	err := json.Unmarshal([]byte(`{"items":[{"quantity":"seven"}]}`), &r)
	assert.ErrorContains(t, err, "items.quantity")
	assert.NotContains(t, err.Error(), "seven")
	err = r.UnmarshalJSON([]byte("{\"transactionId\":\"tx-\xff-secret\"}"))
	assert.ErrorContains(t, err, "transactionId: invalid UTF-8")
	assert.NotContains(t, err.Error(), "secret")
	assert.ErrorIs(t, r.UnmarshalJSON([]byte(`{"playerId":"a"} x`)), stashpay.ErrMalformedEgressJSON)
	assert.ErrorIs(t, r.UnmarshalJSON([]byte(`{"playerId":`)), stashpay.ErrMalformedEgressJSON)
}

func TestConfirmPaymentRequestAmounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		total, tax int64
		places     int
		wantTotal  stashpay.Amount
		wantTax    stashpay.Amount
		wantErr    error
	}{
		{"USD", 1098, 99, 2, "10.98", "0.99", nil},
		{"JPY", 1500, 0, 0, "1500", "0", nil},
		{"three places", 12345, 5, 3, "12.345", "0.005", nil},
		{"bad scale", 1, 0, 19, "", "", stashpay.ErrInvalidAmount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := &stashpay.ConfirmPaymentRequest{Total: tt.total, Tax: tt.tax, DecimalPlaces: tt.places}
			total, err := r.TotalAmount()
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			tax, err := r.TaxAmount()
			require.NoError(t, err)
			assert.Equal(t, tt.wantTotal, total)
			assert.Equal(t, tt.wantTax, tax)
			back, err := total.MinorUnits(tt.places)
			require.NoError(t, err)
			assert.Equal(t, tt.total, back, "FormatMinor and MinorUnits are inverses")
		})
	}
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

// A retry of a granted confirm (its 200 lost) that lists the items and
// bonus items in another order is the same purchase: 200, fn not called
// again (409 would fail a purchase whose items the player already has).
func TestConfirmRetryInAnotherOrderIsTheSamePurchase(t *testing.T) {
	t.Parallel()
	var c egressCounter
	h := stashpay.ConfirmPaymentHandler(egressConfig(), c.confirm(nil, nil))
	var req stashpay.ConfirmPaymentRequest
	require.NoError(t, json.Unmarshal(egressConfirmBody(t, "tx-order"), &req))
	sword := req.Items[0]
	sword.GUID, sword.ProductID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "sword"
	req.Items = append(req.Items, sword)
	req.BonusItems = append(req.BonusItems, stashpay.ConfirmBonusItem{ID: "bonus_gems", Quantity: 5})
	req.Total += sword.Cents
	egressConfirmResults(t, egressServe(h, egressRequest(t, "/", req)))

	retry := req
	retry.Items = []stashpay.PurchaseItem{req.Items[1], req.Items[0]}
	retry.BonusItems = []stashpay.ConfirmBonusItem{req.BonusItems[1], req.BonusItems[0]}
	egressConfirmResults(t, egressServe(h, egressRequest(t, "/", retry)))
	assert.Equal(t, int64(1), c.n.Load(), "the retry does not reach fn")

	twice := req
	twice.Items = []stashpay.PurchaseItem{req.Items[0], req.Items[0]}
	assert.Equal(t, http.StatusConflict, egressServe(h, egressRequest(t, "/", twice)).Code, "a repeated line is another purchase")
}

// A build before v0.1.0 fingerprinted the lines in the order sent; the
// retry of a confirm it granted (its 200 lost) reaching an upgraded instance
// is the same purchase: 200, not 409, and fn is not called.
func TestConfirmRetryOfAConfirmGrantedByAnOlderBuild(t *testing.T) {
	t.Parallel()
	store := dedup.NewMemoryStore()
	body := egressConfirmBody(t, "tx-upgrade")
	var req stashpay.ConfirmPaymentRequest
	require.NoError(t, json.Unmarshal(body, &req))
	key := stashpay.DefaultConfirmKey(&req)
	for _, k := range []string{key, key + "#granted:" + olderFingerprint(&req), key + "#confirmed"} {
		c, err := store.Claim(t.Context(), k, time.Minute)
		require.NoError(t, err)
		require.NoError(t, store.Complete(t.Context(), k, c.Token))
	}
	var c egressCounter
	cfg := egressConfig()
	cfg.Store = store
	handler := stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil))
	egressConfirmResults(t, egressServe(handler, egressRequest(t, "/", json.RawMessage(body))))
	assert.Zero(t, c.n.Load())
	req.Items[0].Quantity++
	assert.Equal(t, http.StatusConflict, egressServe(handler, egressRequest(t, "/", req)).Code, "other items are still refused")
}

// olderFingerprint is the fingerprint builds before v0.1.0 wrote, written
// out here independently of the handler's code.
func olderFingerprint(req *stashpay.ConfirmPaymentRequest) string {
	h := sha256.New()
	fmt.Fprintf(h, "%q %d\n", req.Currency, req.Total)
	for _, it := range req.Items {
		fmt.Fprintf(h, "item %q %q %d %d\n", it.GUID, it.ProductID, it.Quantity, it.Cents)
	}
	for _, b := range req.BonusItems {
		fmt.Fprintf(h, "bonus %q %d\n", b.ID, b.Quantity)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// The other way of a rolling upgrade: a confirm granted by this build is
// also recorded in the older builds' form, so that a retry reaching one of
// them is answered 200, not 409 (it reads only that form).
func TestConfirmGrantedIsReadableByAnOlderBuild(t *testing.T) {
	t.Parallel()
	store := dedup.NewMemoryStore()
	cfg := egressConfig()
	cfg.Store = store
	var c egressCounter
	body := egressConfirmBody(t, "tx-downgrade") // one item and one bonus item: the two forms differ
	egressConfirmResults(t, egressServe(stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil)), egressRequest(t, "/", body)))
	var req stashpay.ConfirmPaymentRequest
	require.NoError(t, json.Unmarshal(body, &req))
	claim, err := store.Claim(t.Context(), stashpay.DefaultConfirmKey(&req)+"#granted:"+olderFingerprint(&req), time.Minute)
	require.NoError(t, err)
	assert.Equal(t, dedup.Done, claim.Outcome)
}

// markerStore misbehaves on the keys that contain marker, once armed: it
// answers their first busyClaims Claims Busy (another copy checking the
// marker right now), fails their first failCompletes Completes (a record
// that lands only through dedup.Do's background retries), and, with
// failRelease, every Release (a check that cannot free its claim).
type markerStore struct {
	dedup.Store
	marker                    string
	busyClaims, failCompletes atomic.Int32
	failRelease               bool
	armed                     atomic.Bool
}

func (s *markerStore) hit(key string) bool { return s.armed.Load() && strings.Contains(key, s.marker) }

func (s *markerStore) Claim(ctx context.Context, key string, lease time.Duration) (dedup.Claim, error) {
	if s.hit(key) && s.busyClaims.Add(-1) >= 0 {
		return dedup.Claim{Outcome: dedup.Busy}, nil
	}
	return s.Store.Claim(ctx, key, lease)
}

func (s *markerStore) Complete(ctx context.Context, key, token string) error {
	if s.hit(key) && s.failCompletes.Add(-1) >= 0 {
		return errors.New("store unreachable")
	}
	return s.Store.Complete(ctx, key, token)
}

func (s *markerStore) Release(ctx context.Context, key, token string) error {
	if s.hit(key) && s.failRelease {
		return errors.New("store unreachable")
	}
	return s.Store.Release(ctx, key, token)
}

// A duplicate confirm answers from settled markers only: one that another
// copy is checking, or whose record is still being retried, is waited for;
// one that stays busy is answered 503, never with a guess (200 for other
// items charges the player for what the game never granted; 409 for a
// purchase another route granted fails it).
func TestConfirmDuplicateWaitsForSettledMarkers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		marker        string
		busyClaims    int32
		failCompletes int32
		failRelease   bool
		armFirst      bool // arm before the first confirm, so that its own records misbehave
		otherRoute    bool // the key was completed by another route, not a confirm
		sameItems     bool // the later confirms are of the same items
		eventually    bool // the answer comes once a background record landed
		busyWait      time.Duration
		wantCodes     []int // the answers to a confirm of other items (or, otherRoute, of the purchase), in turn
		wantFnCalls   int64
	}{
		{name: "other items while another copy checks their fingerprint", marker: "#granted:", busyClaims: 2,
			wantCodes: []int{http.StatusConflict}, wantFnCalls: 1},
		{name: "another route's purchase while another copy checks #confirmed", marker: "#confirmed", busyClaims: 2,
			otherRoute: true, wantCodes: []int{http.StatusOK}, wantFnCalls: 0},
		{name: "other items while #confirmed is still being recorded", marker: "#confirmed", failCompletes: 3,
			armFirst: true, wantCodes: []int{http.StatusConflict}, wantFnCalls: 1},
		{name: "the same items while another copy checks their fingerprint", marker: "#granted:", busyClaims: 2,
			sameItems: true, wantCodes: []int{http.StatusOK}, wantFnCalls: 1},
		{name: "other items once the fingerprint's record landed late", marker: "#granted:", failCompletes: 3,
			armFirst: true, eventually: true, wantCodes: []int{http.StatusConflict}, wantFnCalls: 1},
		{name: "other items once the transaction marker's record landed late", marker: "#transaction:", failCompletes: 3,
			armFirst: true, eventually: true, wantCodes: []int{http.StatusConflict}, wantFnCalls: 1},
		{name: "busy wait off: another route's purchase while another copy checks #confirmed", marker: "#confirmed", busyClaims: 2,
			otherRoute: true, busyWait: -1, wantCodes: []int{http.StatusOK}, wantFnCalls: 0},
		{name: "a check that cannot release its claim", marker: "#granted:", failRelease: true,
			busyWait: 50 * time.Millisecond, wantCodes: []int{http.StatusConflict, http.StatusServiceUnavailable}, wantFnCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store := &markerStore{Store: dedup.NewMemoryStore(), marker: tt.marker, failRelease: tt.failRelease}
			store.busyClaims.Store(tt.busyClaims)
			store.failCompletes.Store(tt.failCompletes)
			store.armed.Store(tt.armFirst)
			cfg := egressConfig()
			cfg.Store, cfg.BusyWait = store, tt.busyWait
			var c egressCounter
			h := stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil))
			body := egressConfirmBody(t, "tx-markers")
			var req stashpay.ConfirmPaymentRequest
			require.NoError(t, json.Unmarshal(body, &req))
			if tt.otherRoute {
				res, err := dedup.Do(t.Context(), store, stashpay.DefaultConfirmKey(&req), time.Minute, func(context.Context) error { return nil })
				require.NoError(t, err)
				require.Equal(t, dedup.Ran, res)
			} else {
				egressConfirmResults(t, egressServe(h, egressRequest(t, "/", body)))
				if !tt.sameItems {
					req.Items[0].Quantity++
				}
			}
			store.armed.Store(true)
			if tt.eventually {
				// Until the record lands, a confirm of other items is never
				// answered 200 (charged for what was never granted).
				rec := egressServe(h, egressRequest(t, "/", req))
				assert.Contains(t, []int{http.StatusConflict, http.StatusServiceUnavailable}, rec.Code, rec.Body.String())
				assert.Eventually(t, func() bool {
					return egressServe(h, egressRequest(t, "/", req)).Code == tt.wantCodes[0]
				}, 10*time.Second, 20*time.Millisecond)
			}
			for i, want := range tt.wantCodes {
				rec := egressServe(h, egressRequest(t, "/", req))
				assert.Equal(t, want, rec.Code, "call %d: %s", i, rec.Body.String())
			}
			assert.Equal(t, tt.wantFnCalls, c.n.Load(), "fn calls")
		})
	}
}

// failMarkerStore fails the first Claim of a key that contains marker.
type failMarkerStore struct {
	dedup.Store
	marker string
	failed atomic.Bool
}

func (s *failMarkerStore) Claim(ctx context.Context, key string, lease time.Duration) (dedup.Claim, error) {
	if strings.Contains(key, s.marker) && s.failed.CompareAndSwap(false, true) {
		return dedup.Claim{}, errors.New("store unreachable")
	}
	return s.Store.Claim(ctx, key, lease)
}

// A store failure while recording what a confirm granted must not turn
// Stash's retry of that granted confirm (its 200 lost) into a 409, which
// fails a purchase whose items the player already has.
func TestConfirmRetryAfterMarkerFailureIsAnswered200(t *testing.T) {
	t.Parallel()
	tests := []struct {
		marker    string
		wantFirst int
	}{
		// The fingerprint is claimed before fn runs: its failure is a
		// store failure before the grant (503, nothing granted).
		{"#granted:", http.StatusServiceUnavailable},
		{"#confirmed", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.marker, func(t *testing.T) {
			t.Parallel()
			var c egressCounter
			cfg := egressConfig()
			cfg.Store = &failMarkerStore{Store: dedup.NewMemoryStore(), marker: tt.marker}
			h := stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil))
			body := egressConfirmBody(t, "tx-marker")
			first := egressServe(h, egressRequest(t, "/", body))
			require.Equal(t, tt.wantFirst, first.Code, first.Body.String())
			if first.Code != http.StatusOK {
				assert.Zero(t, c.n.Load(), "nothing granted on a 503")
				egressConfirmResults(t, egressServe(h, egressRequest(t, "/", body)))
			}
			rec := egressServe(h, egressRequest(t, "/", body))
			require.Equal(t, http.StatusOK, rec.Code, "retry of a granted confirm: "+rec.Body.String())
			assert.Equal(t, int64(1), c.n.Load(), "granted once")
		})
	}
}

// TestDefaultKeysGrantOnceAcrossRoutes is issue 11's first finding: one
// store given to the webhook handler and the purchase handler, default
// keys, and a purchase that arrives on both routes is granted once, in
// either order, because both default keys are the checkout link ID's.
func TestDefaultKeysGrantOnceAcrossRoutes(t *testing.T) {
	t.Parallel()
	const secret = "default-keys-webhook-secret"
	newGame := func(t *testing.T, store dedup.Store, grants *atomic.Int64) http.Handler {
		v, err := webhook.NewVerifier(secret)
		require.NoError(t, err)
		mux := http.NewServeMux()
		mux.Handle("/webhook", webhook.NewHandler(v, func(_ context.Context, e events.Event) error {
			if _, ok := e.(*events.PurchaseSucceeded); ok {
				grants.Add(1)
			}
			return nil
		}, webhook.WithStore(store)))
		cfg := egressConfig()
		cfg.Store = store
		mux.Handle("/api/v1/purchase/", stashpay.PurchaseHandler(cfg, stashpay.PurchaseFuncs{
			Register: func(context.Context, *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
				return nil, nil
			},
			Confirm: func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
				grants.Add(1)
				return nil, nil
			},
		}))
		return mux
	}

	t.Run("confirm then webhook, through the fake", func(t *testing.T) {
		t.Parallel()
		var grants atomic.Int64
		fake := stashpaytest.Start(t, stashpaytest.WithShopID(egressConfig().ShopID), stashpaytest.WithEgressKey(egressConfig().EgressKey),
			stashpaytest.WithWebhookSecret(secret))
		game := httptest.NewServer(newGame(t, dedup.NewMemoryStore(), &grants))
		t.Cleanup(game.Close)
		fake.SetEgressBaseURL(game.URL)
		fake.SetWebhookURL(game.URL + "/webhook")
		client, err := stashpay.NewClient(stashpay.Credentials{ShopID: fake.ShopID(), IngressKey: fake.IngressKey()}, stashpay.WithBaseURL(fake.URL()))
		require.NoError(t, err)
		co, err := client.CreateCheckout(t.Context(), &stashpay.CheckoutParams{
			Item: &stashpay.CheckoutItem{ID: "gems_100", PricePerItem: "1.99", Quantity: 1}, User: stashpay.CheckoutUser{ID: "p1"},
		})
		require.NoError(t, err)
		p, err := fake.Pay(t.Context(), co.ID, stashpaytest.Times(3), stashpaytest.Concurrently())
		require.NoError(t, err)
		require.NoError(t, p.Webhook.Wait(t.Context()))
		assert.Equal(t, int64(1), grants.Load(), "granted once across confirm and 3 webhooks")
	})

	t.Run("webhook then confirm", func(t *testing.T) {
		t.Parallel()
		var grants atomic.Int64
		game := newGame(t, dedup.NewMemoryStore(), &grants)
		body := []byte(`{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{"orderId":"ord-1",` +
			`"checkoutLinkId":"0b7c6d2e-8f41-4f5a-9c3e-2d1b0a9f8e7d","userId":"player-42","currency":"USD","total":"10.98",` +
			`"items":[{"id":"gems_500","quantity":1,"price":"9.99"}]}}`)
		req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
		req.Header.Set(webhook.SignatureHeader, webhook.Sign(body, secret))
		require.Equal(t, http.StatusOK, egressServe(game, req).Code)
		rec := egressServe(game, egressRequest(t, stashpay.ConfirmPaymentPath, egressConfirmBody(t, "tx-after-webhook")))
		assert.NotEmpty(t, egressConfirmResults(t, rec), "a confirm of a purchase the webhook granted succeeds")
		assert.Equal(t, int64(1), grants.Load())
	})
}

// busyOnce answers Busy to the first claim of a key holding marker, as a
// duplicate checking that marker at the instant it is written does.
type busyOnce struct {
	dedup.Store
	marker string
	done   atomic.Bool
}

func (s *busyOnce) Claim(ctx context.Context, key string, lease time.Duration) (dedup.Claim, error) {
	if strings.Contains(key, s.marker) && s.done.CompareAndSwap(false, true) {
		return dedup.Claim{Outcome: dedup.Busy}, nil
	}
	return s.Store.Claim(ctx, key, lease)
}

// What a confirm granted stays recorded, and a confirm of other items under
// the key is answered 409, when the store fails to write the transaction
// marker once, or when the writer meets a marker another call is checking.
func TestConfirmOtherItemsAfterAMarkerWriteWentWrong(t *testing.T) {
	t.Parallel()
	tests := map[string]func(dedup.Store) dedup.Store{
		"the transaction marker failed":      func(s dedup.Store) dedup.Store { return &failMarkerStore{Store: s, marker: "#transaction:"} },
		"the transaction marker was checked": func(s dedup.Store) dedup.Store { return &busyOnce{Store: s, marker: "#transaction:"} },
		"the fingerprint was checked":        func(s dedup.Store) dedup.Store { return &busyOnce{Store: s, marker: "#granted:"} },
		"the confirmed marker was checked":   func(s dedup.Store) dedup.Store { return &busyOnce{Store: s, marker: "#confirmed"} },
		"the confirmed marker failed":        func(s dedup.Store) dedup.Store { return claimsFailOn{s, "#confirmed:v2"} },
	}
	for name, wrap := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			store := dedup.NewMemoryStore()
			var c egressCounter
			cfg := egressConfig()
			cfg.Store = wrap(store)
			egressConfirmResults(t, egressServe(stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil)),
				egressRequest(t, "/", egressConfirmBody(t, "tx-1"))))

			var other stashpay.ConfirmPaymentRequest
			require.NoError(t, json.Unmarshal(egressConfirmBody(t, "tx-2"), &other))
			other.Items[0].Quantity++ // other items, the same checkout link
			cfg.Store = store
			rec := egressServe(stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil)), egressRequest(t, "/", other))
			assert.Equal(t, http.StatusConflict, rec.Code, rec.Body.String())
			assert.Equal(t, int64(1), c.n.Load())
		})
	}
}

// When the transaction marker's background retries give up (the
// fingerprint landed), the confirmed marker of earlier builds is recorded
// instead of the held one, and a confirm of other items under the key is
// still answered 409.
func TestConfirmOtherItemsAfterTheTransactionMarkerGaveUp(t *testing.T) {
	t.Parallel()
	store := dedup.NewMemoryStore()
	var c egressCounter
	cfg := egressConfig()
	cfg.Store, cfg.Lease = completeFails{store, "#transaction:"}, 300*time.Millisecond
	egressConfirmResults(t, egressServe(stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil)),
		egressRequest(t, "/", egressConfirmBody(t, "tx-1"))))

	var other stashpay.ConfirmPaymentRequest
	require.NoError(t, json.Unmarshal(egressConfirmBody(t, "tx-2"), &other))
	other.Items[0].Quantity++ // other items, the same checkout link
	cfg.Store, cfg.Lease, cfg.BusyWait = store, 0, -1
	h := stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil))
	var rec *httptest.ResponseRecorder
	require.Eventually(t, func() bool {
		rec = egressServe(h, egressRequest(t, "/", other))
		return rec.Code != http.StatusServiceUnavailable // 503 while the confirmed marker is held
	}, 10*time.Second, 50*time.Millisecond)
	assert.Equal(t, http.StatusConflict, rec.Code, rec.Body.String())
	assert.Equal(t, int64(1), c.n.Load())
}

// A store that hangs after the grant (on the markers, on the record of the
// items' fingerprint, or on the key's own record) holds back the 200 of the
// granted purchase only for a bounded time, even when the caller's context
// has no deadline, as a server request's has not.
func TestConfirmAnswersDespiteAHangingStore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		store deduptest.HangingStore
	}{
		{"transaction marker claim", deduptest.HangingStore{HangClaim: true, Keys: func(k string) bool { return strings.Contains(k, "#transaction:") }}},
		{"fingerprint record", deduptest.HangingStore{HangComplete: true, Keys: func(k string) bool { return strings.Contains(k, "#granted:") }}},
		{"key record", deduptest.HangingStore{HangComplete: true, Keys: func(k string) bool { return !strings.Contains(k, "#") }}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var c egressCounter
			cfg := egressConfig()
			tt.store.Store = dedup.NewMemoryStore()
			cfg.Store = tt.store
			done := make(chan *httptest.ResponseRecorder, 1)
			go func() {
				done <- egressServe(stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil)), egressRequest(t, "/", egressConfirmBody(t, "tx-hang")))
			}()
			select {
			case rec := <-done:
				egressConfirmResults(t, rec)
			case <-time.After(20 * time.Second):
				t.Fatal("no answer 20 s after a granted confirm")
			}
			assert.Equal(t, int64(1), c.n.Load())
		})
	}
}

// When a granted confirm's key record was lost (the store took the grant's
// markers but not the key), a new session of the link with the same items,
// or a retry, is answered as a duplicate without granting again, and the
// key is recorded then: a confirm of other items is answered 409.
func TestConfirmAfterTheKeyRecordWasLost(t *testing.T) {
	t.Parallel()
	store := dedup.NewMemoryStore()
	var c egressCounter
	cfg := egressConfig()
	cfg.Store = completeLost{store}
	egressConfirmResults(t, egressServe(stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil)),
		egressRequest(t, "/", egressConfirmBody(t, "tx-1"))))
	require.Equal(t, int64(1), c.n.Load())

	cfg.Store = store
	h := stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil))
	egressConfirmResults(t, egressServe(h, egressRequest(t, "/", egressConfirmBody(t, "tx-2"))))
	egressConfirmResults(t, egressServe(h, egressRequest(t, "/", egressConfirmBody(t, "tx-1"))))
	assert.Equal(t, int64(1), c.n.Load(), "the link's purchase granted once")

	var other stashpay.ConfirmPaymentRequest
	require.NoError(t, json.Unmarshal(egressConfirmBody(t, "tx-3"), &other))
	other.Items[0].Quantity++
	assert.Equal(t, http.StatusConflict, egressServe(h, egressRequest(t, "/", other)).Code)
	assert.Equal(t, int64(1), c.n.Load())
}

// completeBlips fails the first n Completes, whatever the key.
type completeBlips struct {
	dedup.Store
	n atomic.Int32
}

func (s *completeBlips) Complete(ctx context.Context, key, token string) error {
	if s.n.Add(-1) >= 0 {
		return errors.New("store unreachable")
	}
	return s.Store.Complete(ctx, key, token)
}

// A game function that returns an error of its own, even one that wraps a
// *dedup.CompleteError (a game using dedup.Do for its own idempotency), is
// a failed call: 500, nothing recorded, so the signed body replayed to the
// cancel path is the game's to decide, and Stash's retry reaches the
// function again (whose own record then answers it), never a 409.
func TestConfirmFunctionErrorWrappingACompleteError(t *testing.T) {
	t.Parallel()
	game := &completeBlips{Store: dedup.NewMemoryStore()}
	game.n.Store(3) // dedup.Do's attempts fail: it returns a retrying CompleteError
	var grants, calls atomic.Int64
	cfg := egressConfig()
	cfg.Store = dedup.NewMemoryStore()
	h := stashpay.ConfirmPaymentHandler(cfg, func(ctx context.Context, req *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
		calls.Add(1)
		_, err := dedup.Do(ctx, game, "game-grant:"+req.TransactionID, time.Minute, func(context.Context) error {
			grants.Add(1)
			return nil
		})
		return nil, err
	})
	body := egressConfirmBody(t, "tx-own-error")
	assert.Equal(t, http.StatusInternalServerError, egressServe(h, egressRequest(t, "/", body)).Code)
	require.Eventually(t, func() bool { // the game's own record lands through its retries
		c, err := game.Claim(t.Context(), "game-grant:tx-own-error", time.Minute)
		return err == nil && c.Outcome == dedup.Done
	}, 5*time.Second, 20*time.Millisecond)
	egressConfirmResults(t, egressServe(h, egressRequest(t, "/", body)))
	egressConfirmResults(t, egressServe(h, egressRequest(t, "/", body)))
	assert.Equal(t, int64(2), calls.Load(), "the retry after the 500 reached the function, the next one did not")
	assert.Equal(t, int64(1), grants.Load())
}

// A fingerprint or refusal marker that stays busy is answered as a busy
// key: 503 with Retry-After, the function not called; once it is free, the
// call grants.
func TestConfirmMarkerBusyBeforeTheGrant(t *testing.T) {
	t.Parallel()
	for _, marker := range []string{"#granted:", "#refused:"} {
		t.Run(marker, func(t *testing.T) {
			t.Parallel()
			store := &markerStore{Store: dedup.NewMemoryStore(), marker: marker}
			store.busyClaims.Store(1 << 20)
			store.armed.Store(true)
			cfg := egressConfig()
			cfg.Store = store
			var c egressCounter
			h := stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil))
			rec := egressServe(h, egressRequest(t, "/", egressConfirmBody(t, "tx-busy")))
			assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
			assert.Equal(t, "1", rec.Header().Get("Retry-After"))
			assert.Zero(t, c.n.Load())
			store.armed.Store(false)
			egressConfirmResults(t, egressServe(h, egressRequest(t, "/", egressConfirmBody(t, "tx-busy"))))
			assert.Equal(t, int64(1), c.n.Load())
		})
	}
}

// When a granted confirm's key and its transaction and confirmed markers
// were all lost (the process died after the fingerprint), Stash's retry is
// answered as a duplicate and records a confirmed marker: a confirm of
// other items is still answered 409.
func TestConfirmAfterTheKeyAndMarkersWereLost(t *testing.T) {
	t.Parallel()
	store := dedup.NewMemoryStore()
	var c egressCounter
	cfg := egressConfig()
	cfg.Store = completeLost{claimsFailOn{claimsFailOn{store, "#transaction:"}, "#confirmed"}}
	egressConfirmResults(t, egressServe(stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil)),
		egressRequest(t, "/", egressConfirmBody(t, "tx-1"))))
	cfg.Store = store
	h := stashpay.ConfirmPaymentHandler(cfg, c.confirm(nil, nil))
	egressConfirmResults(t, egressServe(h, egressRequest(t, "/", egressConfirmBody(t, "tx-1")))) // Stash's retry
	var other stashpay.ConfirmPaymentRequest
	require.NoError(t, json.Unmarshal(egressConfirmBody(t, "tx-1"), &other))
	other.Items[0].Quantity++
	assert.Equal(t, http.StatusConflict, egressServe(h, egressRequest(t, "/", other)).Code)
	assert.Equal(t, int64(1), c.n.Load())
}

// With AllowLegacySignature on, a call that carries both headers is judged by
// its v1 header, and a refusal is remembered under the digest of that header
// and the body. The same signed call replayed with the v1 header stripped is
// judged by its (still valid, timeless) legacy header instead, and its
// digest (body only) was never recorded: the replay reaches fn again,
// although ConfirmPaymentHandler promises a refused signed call cannot. When
// fn now grants (the item is back in stock), the player has it while Stash
// failed the charge after the first 422.
func TestConfirmRefusalIsRememberedWhenTheV1HeaderIsStripped(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	cfg := egressConfig()
	cfg.AllowLegacySignature = true
	h := stashpay.ConfirmPaymentHandler(cfg, func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
		if n.Add(1) == 1 {
			return nil, stashpay.RejectPurchase("sold out")
		}
		return nil, nil // restocked: a call that reaches fn now grants
	})
	body := egressConfirmBody(t, "tx-refused-both-headers")
	first := egressRequest(t, "/", body, stashpaytest.EgressLegacySignature()) // v1 and legacy, as Stash may send both
	replay := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	replay.Header = first.Header.Clone()
	replay.Header.Del(stashpay.EgressSignatureHeader)

	rec := egressServe(h, first)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
	rec = egressServe(h, replay)
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, "the replayed refused call must be refused again: %s", rec.Body.String())
	assert.Equal(t, int64(1), n.Load(), "the replay of a refused signed call reached fn")
}

// Stash types every egress integer as int64, which protobuf's JSON writes
// as a digit string: a body in that form must decode in one pass, not
// through wire's rewrite-and-decode-again (which allocated 17 times as
// much). Allocations, not time, so that the check is exact.
func TestConfirmInt64StringsDecodeInOnePass(t *testing.T) {
	numbers := egressTestdata(t, "egress_confirm.json")
	strs := egressTestdata(t, "egress_confirm_int64_strings.json")
	var a, b stashpay.ConfirmPaymentRequest
	require.NoError(t, a.UnmarshalJSON(numbers))
	require.NoError(t, b.UnmarshalJSON(strs))
	require.Equal(t, a, b, "the two forms decode alike")
	allocs := func(data []byte) float64 {
		return testing.AllocsPerRun(100, func() {
			var r stashpay.ConfirmPaymentRequest
			if err := r.UnmarshalJSON(data); err != nil {
				t.Fatal(err)
			}
		})
	}
	n, s := allocs(numbers), allocs(strs)
	assert.LessOrEqual(t, s, n*1.2, "allocations: numbers %v, int64 strings %v", n, s)
}
