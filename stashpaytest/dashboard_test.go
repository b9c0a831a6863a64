package stashpaytest_test

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/stashpaytest"
)

// dashboardFake is a fake whose game answers egress calls and whose webhook
// endpoint answers 500 while failing is set.
func dashboardFake(t *testing.T) (*stashpaytest.Server, *recorder, *atomic.Bool) {
	t.Helper()
	var failing atomic.Bool
	_, egressURL := startRecorder(t, game(200))
	hooks, hookURL := startRecorder(t, func(int, *http.Request, []byte) (int, string) {
		if failing.Load() {
			return 500, `{"error":"down"}`
		}
		return 200, "{}"
	})
	s := stashpaytest.Start(t, stashpaytest.WithEgressBaseURL(egressURL), stashpaytest.WithWebhookURL(hookURL))
	return s, hooks, &failing
}

// paidWithFailedWebhook pays a checkout on a dashboardFake whose webhook
// endpoint refuses every attempt, so delivery 1 fails.
func paidWithFailedWebhook(t *testing.T) (*stashpaytest.Server, *stashpaytest.Payment, *atomic.Bool) {
	t.Helper()
	s, _, failing := dashboardFake(t)
	failing.Store(true)
	p, err := s.Pay(t.Context(), createCheckout(t, s, gemsCheckout))
	require.NoError(t, err)
	require.ErrorIs(t, p.Webhook.Wait(t.Context()), stashpaytest.ErrNotDelivered)
	return s, p, failing
}

func TestDashboardShowsCheckoutsCallsAndAttempts(t *testing.T) {
	t.Parallel()
	s, p, _ := paidWithFailedWebhook(t)
	id := p.CheckoutID

	code, page := get(t, s.URL()+"/")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, `data-checkout="`+id+`" data-status="PAYMENT_STATUS_SUCCEEDED"`)
	assert.Contains(t, page, p.OrderID)
	assert.Contains(t, page, "3.98 USD")
	assert.Contains(t, page, `data-endpoint="register" data-status="200"`)
	assert.Contains(t, page, `data-endpoint="confirm" data-status="200"`)
	assert.Contains(t, page, `data-delivery="1" data-state="failed" data-type="PURCHASE_SUCCEEDED"`)
	for retry := range 5 {
		assert.Contains(t, page, "#"+strconv.Itoa(retry)+": HTTP 500", "each attempt with its Stash-Retry-Count and answer")
	}
	assert.Contains(t, page, "/sdk/server/checkout_links/generate_quick_pay_url")
	assert.NotContains(t, page, s.IngressKey())
	assert.NotContains(t, page, s.EgressKey())
	assert.NotContains(t, page, s.WebhookSecret())
}

func TestDashboardActions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// act posts the dashboard form for a paid checkout whose
		// webhook (delivery 1) failed, and returns the form's path.
		path   string
		form   func(checkoutID string) url.Values
		check  func(t *testing.T, s *stashpaytest.Server, checkoutID string)
		notice string
	}{
		{
			name: "redeliver", path: "/dashboard/redeliver",
			form: func(string) url.Values { return url.Values{"delivery": {"1"}} },
			check: func(t *testing.T, s *stashpaytest.Server, _ string) {
				ds := s.Deliveries()
				require.Len(t, ds, 2)
				assert.Equal(t, ds[0].Payload, ds[1].Payload, "the same event, sent again")
				assert.True(t, ds[1].Delivered())
			},
			notice: "sent again as delivery 2",
		},
		{
			name: "refund", path: "/dashboard/refund",
			form: func(id string) url.Values { return url.Values{"checkout": {id}} },
			check: func(t *testing.T, s *stashpaytest.Server, id string) {
				c, _ := s.Checkout(id)
				assert.Equal(t, stashpay.PaymentStatusRefunded, c.Status)
				ds := s.Deliveries()
				require.Len(t, ds, 2)
				assert.Equal(t, string(events.TypePurchaseRefunded), ds[1].Type)
			},
			notice: "PURCHASE_REFUNDED is delivery 2",
		},
		{
			name: "send a sample event", path: "/dashboard/send",
			form: func(string) url.Values {
				return url.Values{"type": {"subscription.canceled"}, "user": {"player-7"}, "item": {"plan-7"}}
			},
			check: func(t *testing.T, s *stashpaytest.Server, _ string) {
				ds := s.Deliveries()
				require.Len(t, ds, 2)
				e, err := events.Parse(ds[1].Payload)
				require.NoError(t, err)
				assert.Equal(t, events.TypeSubscriptionCanceled, e.Type())
				assert.Contains(t, string(ds[1].Payload), "player-7")
			},
			notice: "Event subscription.canceled is delivery 2",
		},
		{
			name: "send a payload", path: "/dashboard/send",
			form: func(string) url.Values { return url.Values{"payload": {`{"type":"CUSTOM_EVENT","x":1}`}} },
			check: func(t *testing.T, s *stashpaytest.Server, _ string) {
				ds := s.Deliveries()
				require.Len(t, ds, 2)
				assert.JSONEq(t, `{"type":"CUSTOM_EVENT","x":1}`, string(ds[1].Payload))
			},
			notice: "Event CUSTOM_EVENT is delivery 2",
		},
		{
			name: "unknown delivery", path: "/dashboard/redeliver",
			form:   func(string) url.Values { return url.Values{"delivery": {"9"}} },
			check:  func(t *testing.T, s *stashpaytest.Server, _ string) { assert.Len(t, s.Deliveries(), 1) },
			notice: "Failed: stashpaytest: unknown delivery",
		},
		{
			name: "invalid payload", path: "/dashboard/send",
			form:   func(string) url.Values { return url.Values{"payload": {`{"type":`}} },
			check:  func(t *testing.T, s *stashpaytest.Server, _ string) { assert.Len(t, s.Deliveries(), 1) },
			notice: "Failed: the payload is not valid JSON",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, p, failing := paidWithFailedWebhook(t)
			id := p.CheckoutID
			failing.Store(false)

			code, loc := postForm(t, s.URL()+tt.path, tt.form(id), s.URL())
			require.Equal(t, http.StatusSeeOther, code)
			for _, d := range s.Deliveries()[1:] {
				require.NoError(t, d.Wait(t.Context()), "the new delivery reaches the recovered endpoint")
			}
			tt.check(t, s, id)
			code, page := get(t, s.URL()+loc)
			require.Equal(t, http.StatusOK, code)
			assert.Contains(t, page, tt.notice)
		})
	}
}

func TestDashboardRefusesCrossSitePosts(t *testing.T) {
	t.Parallel()
	s, _, _ := dashboardFake(t)
	id := createCheckout(t, s, gemsCheckout)
	_, err := s.Pay(t.Context(), id)
	require.NoError(t, err)
	require.NoError(t, s.WaitDeliveries(t.Context()))
	for _, path := range []string{"/dashboard/redeliver", "/dashboard/refund", "/dashboard/send"} {
		code, _ := postForm(t, s.URL()+path, url.Values{"delivery": {"1"}, "checkout": {id}, "type": {"VIEW_ITEM"}}, "http://evil.example")
		assert.Equal(t, http.StatusForbidden, code, path)
	}
	assert.Len(t, s.Deliveries(), 1)
	c, _ := s.Checkout(id)
	assert.Equal(t, stashpay.PaymentStatusSucceeded, c.Status)
}

// DNS rebinding: a site whose name resolves to 127.0.0.1 sends its own name
// as Host and as Origin, which agree; the fake's pages answer only to
// names of its own (an IP address, localhost, its public URL's host).
func TestPagesRefuseForeignHosts(t *testing.T) {
	t.Parallel()
	s, _, _ := dashboardFake(t)
	id := createCheckout(t, s, gemsCheckout)
	_, port, err := net.SplitHostPort(strings.TrimPrefix(s.URL(), "http://"))
	require.NoError(t, err)
	send := func(method, path, host string) int {
		var body io.Reader
		if method == http.MethodPost {
			body = strings.NewReader(url.Values{"type": {"VIEW_ITEM"}, "checkout": {id}}.Encode())
		}
		req, err := http.NewRequestWithContext(t.Context(), method, s.URL()+path, body)
		require.NoError(t, err)
		req.Host = host
		req.Header.Set("Origin", "http://"+host)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := noRedirect.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode
	}
	for _, path := range []string{"/", "/pay/" + id} {
		assert.Equal(t, http.StatusForbidden, send(http.MethodGet, path, "rebind.evil.example:"+port), path)
		assert.Equal(t, http.StatusOK, send(http.MethodGet, path, "localhost:"+port), path)
		assert.Equal(t, http.StatusOK, send(http.MethodGet, path, "127.0.0.1:"+port), path)
	}
	for _, path := range []string{"/dashboard/send", "/dashboard/refund", "/pay/" + id} {
		assert.Equal(t, http.StatusForbidden, send(http.MethodPost, path, "rebind.evil.example:"+port), path)
	}
	assert.Empty(t, s.Deliveries(), "nothing was sent")
	c, _ := s.Checkout(id)
	assert.NotEqual(t, stashpay.PaymentStatusSucceeded, c.Status, "nothing was paid")
}

// A link from anywhere (a chat message, another site) puts any text in the
// dashboard's notice box, styled as the sandbox's own message: the notice
// should only be one the sandbox made after a form of its own.
func TestDashboardNoticeIsNotALinksText(t *testing.T) {
	t.Parallel()
	s := stashpaytest.Start(t)
	spoof := "Failed: your webhook secret expired. Paste STASH_WEBHOOK_SECRET at https://evil.example/renew"
	code, page := get(t, s.URL()+"/?notice="+url.QueryEscape(spoof))
	require.Equal(t, http.StatusOK, code)
	assert.NotContains(t, page, "https://evil.example/renew", "the dashboard shows a notice written by whoever made the link")
}
