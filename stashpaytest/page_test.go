package stashpaytest_test

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/stashpaytest"
)

// noRedirect is a client that returns redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// get fetches u and returns the status and body.
func get(t *testing.T, u string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

// postForm posts form to u as a browser on the page's origin would, and
// returns the status and the Location header.
func postForm(t *testing.T, u string, form url.Values, origin string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, u, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := noRedirect.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Location")
}

func TestCheckoutPageShowsExactAmounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		tax  int64
		body string
		want []string
	}{
		{
			// 3 x 0.10 is 0.30000000000000004 in floats; 7.5% of 0.30 is 0.0225, half up 0.02.
			name: "cents with tax", tax: 750,
			body: `{"item":{"id":"coin","pricePerItem":"0.10","quantity":3,"name":"Coin"},"user":{"id":"p-1","displayName":"Ada"}}`,
			want: []string{"Ada", "Coin", ">3<", "0.10 USD", ">0.30 USD<", "0.02 USD", ">0.32 USD<", "Pay 0.32 USD"},
		},
		{
			name: "no minor unit",
			body: `{"item":{"id":"pack","pricePerItem":"500","quantity":3},"user":{"id":"p-2"},"currency":"JPY"}`,
			want: []string{"p-2", "500 JPY", "1500 JPY", "0 JPY"},
		},
		{
			name: "three decimals and a large total",
			body: `{"item":{"id":"gold","pricePerItem":"999999.999","quantity":4},"user":{"id":"p-3"},"currency":"KWD"}`,
			want: []string{"999999.999 KWD", "3999999.996 KWD"},
		},
		{
			name: "bonus items",
			body: `{"item":{"id":"gems_100","pricePerItem":"1.99","quantity":1},"user":{"id":"p-4"},"bonusItems":[{"id":"badge","name":"Gold badge","quantity":2}]}`,
			want: []string{"Gold badge", "bonus", "1.99 USD"},
		},
		{
			name: "names are escaped",
			body: `{"item":{"id":"x","pricePerItem":"1.00","quantity":1,"name":"<script>alert(1)</script>"},"user":{"id":"<b>p</b>"}}`,
			want: []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;b&gt;p&lt;/b&gt;"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := stashpaytest.Start(t, stashpaytest.WithTax(tt.tax))
			id := createCheckout(t, s, tt.body)
			c, _ := s.Checkout(id)
			code, page := get(t, c.URL)
			require.Equal(t, http.StatusOK, code)
			for _, w := range tt.want {
				assert.Contains(t, page, w)
			}
			assert.NotContains(t, page, "<script>")
			assert.Contains(t, page, `id="pay"`)
			assert.Contains(t, page, `id="decline"`)
			assert.Contains(t, page, `name="viewport"`)
			assert.NotContains(t, page, "http://", "nothing is loaded from elsewhere")
			assert.NotContains(t, page, "https://")
		})
	}
}

func TestCheckoutPageOutcomes(t *testing.T) {
	t.Parallel()
	register := func(status string) string {
		return `{"statuses":[{"productId":"gems_100","status":"` + status + `"}]}`
	}
	tests := []struct {
		name        string
		action      string
		register    string
		confirm     int
		webhook     int
		wantState   string
		wantStatus  stashpay.PaymentStatus
		wantText    []string
		wantWebhook string
	}{
		{name: "paid, webhook delivered", action: "pay", confirm: 200, webhook: 200, wantState: "paid",
			wantStatus: stashpay.PaymentStatusSucceeded, wantText: []string{"Payment complete", "confirmed the purchase (HTTP 200)"}, wantWebhook: "delivered"},
		{name: "paid, webhook refused", action: "pay", confirm: 200, webhook: 500, wantState: "paid",
			wantStatus: stashpay.PaymentStatusSucceeded, wantText: []string{"Payment complete", "not delivered after 5 attempts", "HTTP 500"}, wantWebhook: "failed"},
		{name: "sold out at register", action: "pay", register: "PURCHASE_REGISTRATION_STATUS_FAILED_INSUFFICIENT_INVENTORY", confirm: 200, webhook: 200,
			wantState: "refused", wantStatus: stashpay.PaymentStatusFailed, wantText: []string{"refused the purchase", "register endpoint refused", "gems_100", "FAILED_INSUFFICIENT_INVENTORY"}},
		{name: "confirm refused", action: "pay", confirm: 409, webhook: 200, wantState: "refused",
			wantStatus: stashpay.PaymentStatusFailed, wantText: []string{"confirm endpoint refused", "HTTP 409", "sold out"}},
		{name: "declined", action: "decline", confirm: 200, webhook: 200, wantState: "declined",
			wantStatus: stashpay.PaymentStatusFailed, wantText: []string{"Payment declined", "cancel endpoint answered HTTP 200"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reg := tt.register
			if reg == "" {
				reg = "PURCHASE_REGISTRATION_STATUS_SUCCESS_REGISTERED"
			}
			_, egressURL := startRecorder(t, func(_ int, r *http.Request, _ []byte) (int, string) {
				switch r.URL.Path {
				case "/api/v1/purchase/register":
					return 200, register(reg)
				case "/api/v1/purchase/confirm":
					if tt.confirm != 200 {
						return tt.confirm, `{"code":9,"message":"sold out"}`
					}
					return 200, `{"results":[{"productId":"gems_100"}]}`
				default:
					return 200, `{"status":"PURCHASE_CANCELLATION_STATUS_SUCCESS_CANCELLED"}`
				}
			})
			_, hookURL := startRecorder(t, func(int, *http.Request, []byte) (int, string) { return tt.webhook, "{}" })
			s := stashpaytest.Start(t, stashpaytest.WithEgressBaseURL(egressURL), stashpaytest.WithWebhookURL(hookURL))
			id := createCheckout(t, s, gemsCheckout)
			c, _ := s.Checkout(id)

			code, loc := postForm(t, c.URL, url.Values{"action": {tt.action}}, s.URL())
			require.Equal(t, http.StatusSeeOther, code)
			assert.Equal(t, "/pay/"+id, loc)
			require.NoError(t, ignoreNotDelivered(s.WaitDeliveries(t.Context())))

			code, page := get(t, c.URL)
			require.Equal(t, http.StatusOK, code)
			assert.Contains(t, page, `data-state="`+tt.wantState+`"`)
			for _, w := range tt.wantText {
				assert.Contains(t, page, w)
			}
			if tt.wantWebhook != "" {
				assert.Contains(t, page, `id="webhook" data-state="`+tt.wantWebhook+`"`)
			}
			assert.NotContains(t, page, `id="pay"`, "a checkout is paid once")
			c, _ = s.Checkout(id)
			assert.Equal(t, tt.wantStatus, c.Status)
		})
	}
}

func TestCheckoutPageRefusesCrossSitePosts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		origin string
		site   string
	}{
		{"other origin", "http://evil.example", ""},
		{"opaque origin", "null", ""},
		{"cross-site fetch", "", "cross-site"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := stashpaytest.Start(t)
			id := createCheckout(t, s, gemsCheckout)
			c, _ := s.Checkout(id)
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, c.URL, strings.NewReader("action=pay"))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.site != "" {
				req.Header.Set("Sec-Fetch-Site", tt.site)
			}
			resp, err := noRedirect.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusForbidden, resp.StatusCode)
			c, _ = s.Checkout(id)
			assert.Equal(t, stashpay.PaymentStatusPending, c.Status)
		})
	}
}

func TestPayPagePlainPost(t *testing.T) {
	t.Parallel()
	s := stashpaytest.Start(t)
	id := createCheckout(t, s, gemsCheckout)
	c, _ := s.Checkout(id)
	page := func(method, body string) (int, string) {
		req, err := http.NewRequestWithContext(t.Context(), method, c.URL, strings.NewReader(body))
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(out)
	}
	code, body := page(http.MethodPost, "")
	assert.Equal(t, 200, code)
	assert.Contains(t, body, "paid: order ")
	c, _ = s.Checkout(id)
	assert.Equal(t, stashpay.PaymentStatusSucceeded, c.Status)
	code, _ = page(http.MethodPost, "")
	assert.Equal(t, http.StatusConflict, code)
	code, _ = page(http.MethodDelete, "")
	assert.Equal(t, http.StatusMethodNotAllowed, code)
	code, _ = get(t, s.URL()+"/pay/no-such-checkout")
	assert.Equal(t, http.StatusNotFound, code)
}

func TestPayPageStyleIsEmbedded(t *testing.T) {
	t.Parallel()
	s := stashpaytest.Start(t)
	code, css := get(t, s.URL()+"/assets/style.css")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, css, ".card")
	assert.NotContains(t, css, "@import")
	assert.NotContains(t, css, "url(")
}

// ignoreNotDelivered drops the error of deliveries a test expects to fail.
func ignoreNotDelivered(err error) error {
	if errors.Is(err, stashpaytest.ErrNotDelivered) {
		return nil
	}
	return err
}

// Two tabs: while tab A's Pay waits on the game's register, tab B opens the
// checkout page. It must not offer Pay and Decline for a payment that is
// already running: a Decline clicked there is dropped without a word and
// the player is charged anyway.
func TestPageDuringAPaymentInProgress(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	_, egressURL := startRecorder(t, func(_ int, r *http.Request, _ []byte) (int, string) {
		if r.URL.Path == "/api/v1/purchase/register" {
			once.Do(func() { close(arrived) })
			<-release
		}
		return game(200)(0, r, nil)
	})
	s := stashpaytest.Start(t, stashpaytest.WithEgressBaseURL(egressURL))
	id := createCheckout(t, s, gemsCheckout)
	c, _ := s.Checkout(id)

	tabA := make(chan int, 1)
	go func() { // tab A clicks Pay
		code, _ := postForm(t, c.URL, url.Values{"action": {"pay"}}, s.URL())
		tabA <- code
	}()
	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("register never called")
	}

	// Tab B opens the page while the payment runs.
	_, page := get(t, c.URL)
	assert.NotContains(t, page, `id="pay"`, "the page offers Pay while a payment of this checkout is running")
	assert.NotContains(t, page, `id="decline"`, "the page offers Decline while a payment of this checkout is running")

	// Tab B clicks Decline: 303 back to the page, which shows nothing of it.
	code, loc := postForm(t, c.URL, url.Values{"action": {"decline"}}, s.URL())
	require.Equal(t, http.StatusSeeOther, code)
	_, after := get(t, s.URL()+loc)
	assert.NotContains(t, after, `id="decline"`, "after a refused Decline the page offers Decline again, as if nothing happened")

	close(release)
	require.Equal(t, http.StatusSeeOther, <-tabA)
	c, _ = s.Checkout(id)
	assert.Equal(t, stashpay.PaymentStatusSucceeded, c.Status, "tab A's payment went through")
}

// A checkout that is paid but whose payment outcome the fake has not
// recorded (its status set with SetPaymentStatus, or the instant between a
// payment's end and its record) shows as paid, and one of another status
// as failed with that status.
func TestPageWithoutARecordedOutcome(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status    stashpay.PaymentStatus
		wantState string
	}{
		{stashpay.PaymentStatusSucceeded, "paid"},
		{stashpay.PaymentStatusCaptureSucceeded, "paid"},
		{stashpay.PaymentStatusFailed, "failed"},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			t.Parallel()
			s := stashpaytest.Start(t)
			id := createCheckout(t, s, gemsCheckout)
			require.NoError(t, s.SetPaymentStatus(id, tt.status))
			c, _ := s.Checkout(id)
			code, page := get(t, c.URL)
			require.Equal(t, http.StatusOK, code)
			assert.Contains(t, page, `data-state="`+tt.wantState+`"`)
			assert.NotContains(t, page, `id="pay"`)
		})
	}
}
