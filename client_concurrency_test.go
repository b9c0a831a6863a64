package stashpay_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go"
)

// TestConcurrentUse shares one client between many goroutines against a
// real loopback server that verifies every signature (run with -race).
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	key := mustKey(t, testIngressKey)
	var bad, served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if _, err := key.VerifyV1(r.Header.Get("X-Stash-Hmac-Signature"), body, testShopID, time.Now(), 0); err != nil {
			bad.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		served.Add(1)
		if r.Method == http.MethodGet {
			_, _ = io.WriteString(w, `{"status":"PAYMENT_STATUS_UNSPECIFIED","timeMillis":"1"}`)
			return
		}
		var p struct {
			TransactionID string `json:"transactionId"`
		}
		_ = json.Unmarshal(body, &p)
		_, _ = io.WriteString(w, `{"url":"https://pay/`+p.TransactionID+`","id":"`+p.TransactionID+`"}`)
	}))
	t.Cleanup(srv.Close)

	c, err := stashpay.NewClient(v1Creds(), stashpay.WithBaseURL(srv.URL), stashpay.WithHTTPClient(srv.Client()))
	require.NoError(t, err)

	const workers, each = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*2)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				p := minimalCheckout()
				p.TransactionID = "txn-" + strconv.Itoa(w) + "-" + strconv.Itoa(i)
				got, err := c.CreateCheckout(t.Context(), p)
				if err != nil {
					errs <- err
					continue
				}
				if got.ID != p.TransactionID {
					errs <- assert.AnError
				}
				if _, err := c.GetPaymentEvent(t.Context(), got.ID); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Zero(t, bad.Load(), "every signature verifies")
	assert.EqualValues(t, workers*each*2, served.Load())
}
