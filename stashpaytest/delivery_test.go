package stashpaytest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testEvent = `{"type":"VIEW_ITEM","environment":"test","viewItem":{"userId":"u","itemId":"i","regionCode":"US"}}`

// answers returns a script answering the given statuses in turn, then 200.
func answers(codes ...int) func(int, *http.Request, []byte) (int, string) {
	return func(n int, _ *http.Request, _ []byte) (int, string) {
		if n < len(codes) {
			return codes[n], `{"error":"try later"}`
		}
		return 200, `{}`
	}
}

func TestDeliveryRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		codes        []int
		schedule     []time.Duration
		wantAttempts int
		wantOK       bool
	}{
		{"first try", nil, nil, 1, true},
		{"only 200 is success", []int{201, 204, 500}, []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}, 4, true},
		{"redirects and 4xx retried", []int{301, 400, 401}, []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}, 4, true},
		{"exhausted", []int{500, 500, 500, 500}, []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}, 4, false},
		{"single attempt schedule", []int{503}, []time.Duration{}, 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hooks, hookURL := startRecorder(t, answers(tc.codes...))
			opts := []stashpaytest.Option{stashpaytest.WithWebhookURL(hookURL)}
			if tc.schedule != nil {
				opts = append(opts, stashpaytest.WithRetrySchedule(tc.schedule...))
			}
			s := stashpaytest.Start(t, opts...)
			d, err := s.SendEvent(t.Context(), []byte(testEvent))
			require.NotNil(t, d)
			if tc.wantOK {
				require.NoError(t, err)
				assert.True(t, d.Delivered())
			} else {
				require.ErrorIs(t, err, stashpaytest.ErrNotDelivered)
				assert.False(t, d.Delivered())
			}
			assert.Equal(t, "VIEW_ITEM", d.Type)
			reqs := hooks.requests()
			require.Len(t, reqs, tc.wantAttempts)
			attempts := d.Attempts()
			require.Len(t, attempts, tc.wantAttempts)
			for i, rq := range reqs {
				assert.Equal(t, strconv.Itoa(i), rq.Header.Get("Stash-Retry-Count"), "0-based retry counter")
				assert.Equal(t, "application/json", rq.Header.Get("Content-Type"))
				assert.NoError(t, verifyWebhook(t, s.WebhookSecret(), rq), "every attempt is signed")
				assert.Equal(t, testEvent, string(rq.Body), "the exact bytes, every time")
				assert.Equal(t, i, attempts[i].RetryCount)
				want := 200
				if i < len(tc.codes) {
					want = tc.codes[i]
				}
				assert.Equal(t, want, attempts[i].StatusCode)
			}
			assert.Len(t, s.Deliveries(), 1)
		})
	}
}

func TestDeliveryMaxAttempts(t *testing.T) {
	t.Parallel()
	hooks, hookURL := startRecorder(t, answers(500, 500, 500, 500, 500))
	s := stashpaytest.Start(t, stashpaytest.WithWebhookURL(hookURL), stashpaytest.WithRetrySchedule(time.Millisecond, time.Millisecond))
	d, err := s.SendEvent(t.Context(), []byte(testEvent), stashpaytest.MaxAttempts(1))
	require.ErrorIs(t, err, stashpaytest.ErrNotDelivered)
	assert.Len(t, d.Attempts(), 1)
	d, err = s.SendEvent(t.Context(), []byte(testEvent), stashpaytest.MaxAttempts(10))
	require.ErrorIs(t, err, stashpaytest.ErrNotDelivered)
	assert.Len(t, d.Attempts(), 3, "capped by the schedule")
	assert.Len(t, hooks.requests(), 4)
}

func TestDeliveryFollowsSchedule(t *testing.T) {
	t.Parallel()
	hooks, hookURL := startRecorder(t, answers(500, 500))
	s := stashpaytest.Start(t, stashpaytest.WithWebhookURL(hookURL), stashpaytest.WithRetrySchedule(30*time.Millisecond, 60*time.Millisecond))
	_, err := s.SendEvent(t.Context(), []byte(testEvent))
	require.NoError(t, err)
	require.Len(t, hooks.requests(), 3)
	// The waits are lower bounds (timers never fire early); no upper bound is
	// asserted.
	at := func(i int) time.Time { return s.Deliveries()[0].Attempts()[i].At }
	assert.GreaterOrEqual(t, at(1).Sub(at(0)), 30*time.Millisecond)
	assert.GreaterOrEqual(t, at(2).Sub(at(1)), 60*time.Millisecond)
}

func TestDeliveryTransportError(t *testing.T) {
	t.Parallel()
	// A URL nothing listens on: every attempt fails before an answer.
	_, dead := startRecorder(t, nil)
	s := stashpaytest.Start(t, stashpaytest.WithWebhookURL(dead+"/x?token=tok-SECRET"), stashpaytest.WithRetrySchedule(time.Millisecond),
		stashpaytest.WithHTTPClient(&http.Client{Transport: failingTransport{}}))
	d, err := s.SendEvent(t.Context(), []byte(testEvent))
	require.ErrorIs(t, err, stashpaytest.ErrNotDelivered)
	for _, a := range d.Attempts() {
		assert.Zero(t, a.StatusCode)
		assert.Contains(t, a.Err, "/x?...")
		assert.NotContains(t, a.Err, "tok-SECRET", "a token in the webhook URL's query stays out of the attempt's error")
	}
}

type failingTransport struct{}

func (failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, context.DeadlineExceeded
}

func TestDeliveryDuplicates(t *testing.T) {
	t.Parallel()
	for _, concurrent := range []bool{false, true} {
		t.Run("concurrent="+strconv.FormatBool(concurrent), func(t *testing.T) {
			t.Parallel()
			hooks, hookURL := startRecorder(t, nil)
			s := stashpaytest.Start(t, stashpaytest.WithWebhookURL(hookURL))
			opts := []stashpaytest.DeliveryOption{stashpaytest.Times(3)}
			if concurrent {
				opts = append(opts, stashpaytest.Concurrently())
			}
			d, err := s.SendEvent(t.Context(), []byte(testEvent), opts...)
			require.NoError(t, err)
			reqs := hooks.requests()
			require.Len(t, reqs, 3)
			copies := map[int]bool{}
			for _, a := range d.Attempts() {
				copies[a.Copy] = true
				assert.Equal(t, 0, a.RetryCount, "each copy is a first delivery")
			}
			assert.Len(t, copies, 3)
			for _, rq := range reqs {
				assert.Equal(t, testEvent, string(rq.Body))
			}
		})
	}
}

func TestDeliveryDuplicatesByDefault(t *testing.T) {
	t.Parallel()
	hooks, hookURL := startRecorder(t, nil)
	s := stashpaytest.Start(t, stashpaytest.WithWebhookURL(hookURL), stashpaytest.WithDeliveryOptions(stashpaytest.Times(2)))
	id := createCheckout(t, s, gemsCheckout)
	p, err := s.Pay(t.Context(), id)
	require.NoError(t, err)
	require.NoError(t, p.Webhook.Wait(t.Context()))
	reqs := hooks.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, reqs[0].Body, reqs[1].Body)
}

func TestDeliverySignatures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		opts       []stashpaytest.DeliveryOption
		rotateTo   string
		verifyWith string
		wantValid  bool
		wantHeader bool
	}{
		{"server secret", nil, "", "hook-secret", true, true},
		{"wrong secret", []stashpaytest.DeliveryOption{stashpaytest.SignedWith("attacker")}, "", "hook-secret", false, true},
		{"signed with the old secret", []stashpaytest.DeliveryOption{stashpaytest.SignedWith("hook-secret")}, "hook-secret-2", "hook-secret-2", false, true},
		{"rotated secret", nil, "hook-secret-2", "hook-secret-2", true, true},
		{"rotated secret fails the old one", nil, "hook-secret-2", "hook-secret", false, true},
		{"unsigned", []stashpaytest.DeliveryOption{stashpaytest.Unsigned()}, "", "hook-secret", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hooks, hookURL := startRecorder(t, nil)
			s := stashpaytest.Start(t, stashpaytest.WithWebhookURL(hookURL), stashpaytest.WithWebhookSecret("hook-secret"))
			if tc.rotateTo != "" {
				assert.Equal(t, "hook-secret", s.RotateWebhookSecret(tc.rotateTo))
				assert.Equal(t, tc.rotateTo, s.WebhookSecret())
			}
			_, err := s.SendEvent(t.Context(), []byte(testEvent), tc.opts...)
			require.NoError(t, err)
			reqs := hooks.requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, tc.wantHeader, reqs[0].Header.Get("Stash-Hmac-Signature") != "")
			err = verifyWebhook(t, tc.verifyWith, reqs[0])
			if tc.wantValid {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

func TestDeliveryOutOfOrder(t *testing.T) {
	t.Parallel()
	for _, order := range []stashpaytest.Order{stashpaytest.InOrder, stashpaytest.Reversed} {
		t.Run(strconv.Itoa(int(order)), func(t *testing.T) {
			t.Parallel()
			hooks, hookURL := startRecorder(t, nil)
			s := stashpaytest.Start(t, stashpaytest.WithWebhookURL(hookURL))
			s.HoldDeliveries()
			var sent []string
			for _, typ := range []events.Type{events.TypeSubscriptionCreated, events.TypeSubscriptionPaymentSucceeded, events.TypeSubscriptionCanceled} {
				d, err := s.SendSubscriptionEvent(t.Context(), typ, stashpaytest.Subscription{ID: "sub_1"})
				require.NoError(t, err, "held deliveries return at once")
				assert.False(t, d.Delivered())
				sent = append(sent, string(typ))
			}
			require.NoError(t, s.WaitDeliveries(t.Context()), "held deliveries are not waited for")
			assert.Empty(t, hooks.requests())
			require.NoError(t, s.ReleaseDeliveries(t.Context(), order))
			var got []string
			for _, rq := range hooks.requests() {
				var env struct{ Type string }
				require.NoError(t, json.Unmarshal(rq.Body, &env))
				got = append(got, env.Type)
			}
			if order == stashpaytest.Reversed {
				sent[0], sent[2] = sent[2], sent[0]
			}
			assert.Equal(t, sent, got)
		})
	}
}

func TestCloseAbandonsRetries(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	first := make(chan struct{})
	_, hookURL := startRecorder(t, func(int, *http.Request, []byte) (int, string) {
		if hits.Add(1) == 1 {
			close(first)
		}
		return 500, ""
	})
	s := stashpaytest.NewServer(stashpaytest.WithWebhookURL(hookURL), stashpaytest.WithRetrySchedule(time.Hour))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	// A delivery waiting for an hour-long retry, and a held one.
	done := make(chan error, 1)
	go func() {
		_, err := s.SendEvent(ctx, []byte(testEvent))
		done <- err
	}()
	<-first
	s.HoldDeliveries()
	held, err := s.SendEvent(ctx, []byte(testEvent))
	require.NoError(t, err)

	s.Close()
	s.Close() // idempotent
	assert.ErrorIs(t, <-done, stashpaytest.ErrClosed)
	assert.ErrorIs(t, held.Wait(ctx), stashpaytest.ErrClosed)
	assert.Equal(t, int32(1), hits.Load())
	_, err = s.SendEvent(ctx, []byte(testEvent))
	assert.ErrorIs(t, err, stashpaytest.ErrClosed)
	_, err = s.Pay(ctx, "x")
	assert.ErrorIs(t, err, stashpaytest.ErrClosed)
}

func TestSendEventsOutOfOrder(t *testing.T) {
	t.Parallel()
	hooks, hookURL := startRecorder(t, nil)
	s := stashpaytest.Start(t, stashpaytest.WithWebhookURL(hookURL))
	first := []byte(`{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{"orderId":"o1"}}`)
	second := []byte(`{"type":"PURCHASE_REFUNDED","purchaseRefunded":{"orderId":"o1","refundId":"r1"}}`)
	ds, err := s.SendEventsOutOfOrder(t.Context(), []any{first, second})
	require.NoError(t, err)
	require.Len(t, ds, 2)
	assert.True(t, ds[0].Delivered())
	assert.True(t, ds[1].Delivered())
	var got []string
	for _, rq := range hooks.requests() {
		var env struct{ Type string }
		require.NoError(t, json.Unmarshal(rq.Body, &env))
		got = append(got, env.Type)
	}
	assert.Equal(t, []string{"PURCHASE_REFUNDED", "PURCHASE_SUCCEEDED"}, got, "the refund arrives first")
}

func TestDeliveryFormatHidesSecrets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []stashpaytest.DeliveryOption
	}{
		{"server secret", nil},
		{"signed with another secret", []stashpaytest.DeliveryOption{stashpaytest.SignedWith("very-secret-forged")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, hookURL := startRecorder(t, nil)
			s := stashpaytest.Start(t, stashpaytest.WithWebhookURL(hookURL), stashpaytest.WithWebhookSecret("very-secret-hook"))
			d, err := s.SendEvent(t.Context(), []byte(testEvent), tc.opts...)
			require.NoError(t, err)
			assertHidesSecrets(t, d, "very-secret")
			for _, verb := range []string{"%v", "%s", "%d", "%+v", "%#v"} {
				assert.Contains(t, fmt.Sprintf(verb, d), "VIEW_ITEM", verb)
			}
		})
	}
}

// Stash counts a webhook delivered only on HTTP 200 with a body ("return 200
// with a body, even {}"; an empty 200 is retried), and does not follow a
// redirect: the 3xx is the answer. The fake retries both, and a redirect
// never reaches its target.
func TestDeliveryOnlyA200WithABody(t *testing.T) {
	t.Parallel()
	target, targetURL := startRecorder(t, nil) // 200 {}
	redirect := httptest.NewServer(http.RedirectHandler(targetURL+"/new", http.StatusPermanentRedirect))
	t.Cleanup(redirect.Close)
	tests := []struct {
		name   string
		url    func(t *testing.T) string
		status int
	}{
		{"empty 200", func(t *testing.T) string {
			_, u := startRecorder(t, func(int, *http.Request, []byte) (int, string) { return http.StatusOK, "" })
			return u
		}, http.StatusOK},
		{"200 of white space", func(t *testing.T) string {
			_, u := startRecorder(t, func(int, *http.Request, []byte) (int, string) { return http.StatusOK, " \n" })
			return u
		}, http.StatusOK},
		{"308 to a handler answering 200", func(*testing.T) string { return redirect.URL + "/old" }, http.StatusPermanentRedirect},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := stashpaytest.Start(t, stashpaytest.WithWebhookURL(tt.url(t)), stashpaytest.WithRetrySchedule(time.Millisecond))
			d, err := s.SendEvent(t.Context(), []byte(testEvent))
			require.ErrorIs(t, err, stashpaytest.ErrNotDelivered)
			require.Len(t, d.Attempts(), 2, "retried")
			assert.Equal(t, tt.status, d.Attempts()[0].StatusCode)
		})
	}
	assert.Empty(t, target.requests(), "a redirect is not followed")
}
