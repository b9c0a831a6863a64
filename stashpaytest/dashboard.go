package stashpaytest

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/events"
)

// dashboardView is what the dashboard shows.
type dashboardView struct {
	Style      string
	URL        string
	Shop       string
	WebhookURL string
	EgressURL  string
	Notice     string
	Checkouts  []dashCheckout
	Deliveries []dashDelivery
	Calls      []IngressCall
	Types      []events.Type
}

type dashCheckout struct {
	C         Checkout
	Items     string
	Total     string
	Calls     []*EgressCall
	Error     string
	CanRefund bool
}

type dashDelivery struct {
	D        *Delivery
	State    string
	Attempts []Attempt
}

// maxDashboardCalls is how many ingress calls the dashboard lists.
const maxDashboardCalls = 50

// handleDashboard serves GET /: every checkout with its payment status and
// egress calls, every webhook delivery with each attempt's status code and
// retry count, the latest API calls, and forms to redeliver a webhook,
// refund a purchase and send any event type.
func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	v := dashboardView{
		Style: stylePath, URL: s.url, Shop: s.cfg.shopID, WebhookURL: s.webhookURL(), EgressURL: s.egressURL(),
		Notice: s.noticeOf(r.URL.Query().Get("notice")), Types: SampleEventTypes(),
	}
	for _, c := range slices.Backward(s.Checkouts()) {
		dc := dashCheckout{C: c, Total: priceText(c.Total, &c), CanRefund: c.Status == stashpay.PaymentStatusSucceeded}
		var items []string
		for _, it := range c.Items {
			items = append(items, strconv.FormatInt(it.Quantity, 10)+" × "+it.ID)
		}
		dc.Items = strings.Join(items, ", ")
		if o, ok := s.outcomeOf(c.ID); ok {
			for _, call := range []*EgressCall{o.p.Register, o.p.Confirm, o.p.Cancel} {
				if call != nil {
					dc.Calls = append(dc.Calls, call)
				}
			}
			if o.err != nil {
				dc.Error = o.err.Error()
			}
		}
		v.Checkouts = append(v.Checkouts, dc)
	}
	for _, d := range slices.Backward(s.Deliveries()) {
		state, _ := describeDelivery(d)
		v.Deliveries = append(v.Deliveries, dashDelivery{D: d, State: state, Attempts: d.Attempts()})
	}
	calls := s.IngressCalls()
	if len(calls) > maxDashboardCalls {
		calls = calls[len(calls)-maxDashboardCalls:]
	}
	slices.Reverse(calls)
	v.Calls = calls
	renderPage(w, http.StatusOK, "dashboard.html", v)
}

// dashboardAction serves a dashboard form: fn does the work and returns the
// notice shown after the redirect back to the dashboard.
func (s *Server) dashboardAction(fn func(form url.Values) (string, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !readForm(w, r) {
			return
		}
		notice, err := fn(r.PostForm)
		if err != nil {
			notice = "Failed: " + err.Error()
		}
		http.Redirect(w, r, "/?notice="+url.QueryEscape(s.keepNotice(notice)), http.StatusSeeOther)
	}
}

// redeliverForm redelivers the webhook named by the form's "delivery".
func (s *Server) redeliverForm(form url.Values) (string, error) {
	id, err := strconv.Atoi(form.Get("delivery"))
	if err != nil {
		return "", errors.New("delivery must be a delivery number")
	}
	d, err := s.Redeliver(id)
	if err != nil {
		return "", err
	}
	return "Delivery " + strconv.Itoa(id) + " sent again as delivery " + strconv.Itoa(d.ID) + ".", nil
}

// refundForm refunds the checkout named by the form's "checkout".
func (s *Server) refundForm(form url.Values) (string, error) {
	id := form.Get("checkout")
	d, err := s.startRefund(id, nil)
	if err != nil {
		return "", err
	}
	if d == nil {
		return "Checkout " + id + " refunded; no webhook URL is set, so no PURCHASE_REFUNDED was sent.", nil
	}
	return "Checkout " + id + " refunded; PURCHASE_REFUNDED is delivery " + strconv.Itoa(d.ID) + ".", nil
}

// sendForm sends the form's "payload", or else a sample event of "type" for
// "user" and "item".
func (s *Server) sendForm(form url.Values) (string, error) {
	payload := []byte(strings.TrimSpace(form.Get("payload")))
	if len(payload) == 0 {
		b, err := SampleEvent(events.Type(form.Get("type")), SampleParams{
			UserID: form.Get("user"), ItemID: form.Get("item"), ShopID: s.cfg.shopID, Now: s.cfg.now(),
		})
		if err != nil {
			return "", err
		}
		payload = b
	} else if !json.Valid(payload) {
		return "", errors.New("the payload is not valid JSON")
	}
	d, err := s.newDelivery(payload, nil)
	if err != nil {
		return "", err
	}
	return "Event " + d.Type + " is delivery " + strconv.Itoa(d.ID) + ".", nil
}

// maxNotices bounds the notices kept for the redirect back to the dashboard.
const maxNotices = 64

// keepNotice stores a notice the dashboard made and returns its random key:
// the dashboard shows only notices of its own, never text from a link.
func (s *Server) keepNotice(notice string) string {
	key := randomID()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.notices == nil || len(s.notices) >= maxNotices {
		s.notices = map[string]string{}
	}
	s.notices[key] = notice
	return key
}

func (s *Server) noticeOf(key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.notices[key]
}
