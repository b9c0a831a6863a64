package stashpaytest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	stashpay "github.com/stashpay/stashpay-go"
)

// checkoutView is what the checkout page shows.
type checkoutView struct {
	Style        string
	Shop         string
	C            Checkout
	Player       string
	Lines        []lineView
	Bonus        []BonusItem
	Subtotal     string
	Tax          string
	Total        string
	Pending      bool
	Paying       bool // a Pay or Decline of this checkout is running
	Outcome      *outcomeView
	Refresh      bool // reload while the webhook is still being delivered
	DashboardURL string
}

type lineView struct {
	Name     string
	ID       string
	Quantity int64
	Unit     string
	Line     string
}

// outcomeView says what became of a payment: State is one of "paid",
// "refused", "declined", "failed" or "refunded"; Webhook is "delivered",
// "sending", "held", "failed" or "none".
type outcomeView struct {
	State   string
	Title   string
	Details []string
	Webhook string
	Hook    string
}

// handlePayPage serves the checkout URL. GET shows the hosted checkout page:
// the shop, the player, every item with its quantity, unit price and line
// total, the tax and the total, exactly as the checkout holds them in minor
// units; then Pay and Decline buttons, or what became of the payment. POST
// pays (the default, see [Server.Pay]) or, with action=decline, declines
// ([Server.Decline]). A form posted from the page is redirected back to it
// (303); any other POST, from curl for instance, is answered in plain text.
func (s *Server) handlePayPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c, ok := s.Checkout(id)
	if !ok {
		http.Error(w, "unknown checkout", http.StatusNotFound)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		renderPage(w, http.StatusOK, "checkout.html", s.checkoutView(&c))
	case http.MethodPost:
		s.postPayPage(w, r, id)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (s *Server) postPayPage(w http.ResponseWriter, r *http.Request, id string) {
	if !readForm(w, r) {
		return
	}
	ctx := context.WithoutCancel(r.Context())
	var p *Payment
	var err error
	switch action := r.PostForm.Get("action"); action {
	case "", "pay":
		p, err = s.Pay(ctx, id)
	case "decline":
		p, err = s.Decline(ctx, id)
	default:
		http.Error(w, "action must be pay or decline", http.StatusBadRequest)
		return
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		http.Redirect(w, r, "/pay/"+url.PathEscape(id), http.StatusSeeOther)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err != nil {
		w.WriteHeader(http.StatusConflict)
		fmt.Fprintln(w, err.Error())
		return
	}
	if p.Declined {
		fmt.Fprintf(w, "declined: status %s\n", p.Status)
		return
	}
	fmt.Fprintf(w, "paid: order %s, status %s\n", p.OrderID, p.Status)
}

func (s *Server) checkoutView(c *Checkout) checkoutView {
	v := checkoutView{
		Style: stylePath, Shop: s.cfg.shopID, C: *c, Player: c.User.DisplayName, Bonus: c.BonusItems,
		Subtotal: priceText(c.Subtotal, c), Tax: priceText(c.Tax, c), Total: priceText(c.Total, c),
		Pending: c.Status == stashpay.PaymentStatusPending, DashboardURL: "/",
	}
	if v.Player == "" {
		v.Player = c.User.ID
	}
	for _, it := range c.Items {
		name := it.Name
		if name == "" {
			name = it.ID
		}
		v.Lines = append(v.Lines, lineView{Name: name, ID: it.ID, Quantity: it.Quantity,
			Unit: priceText(it.UnitMinor, c), Line: priceText(it.UnitMinor*it.Quantity, c)})
	}
	s.mu.Lock()
	v.Paying = v.Pending && s.paying[c.ID]
	s.mu.Unlock()
	if v.Paying {
		v.Pending, v.Refresh = false, true
		v.Outcome = &outcomeView{State: "processing", Title: "Payment in progress", Webhook: "none",
			Details: []string{"Stash is calling the game's register and confirm endpoints; this page reloads until it is done."}}
		return v
	}
	if o, ok := s.outcomeOf(c.ID); ok && !v.Pending {
		v.Outcome = describeOutcome(c, o)
		v.Refresh = v.Outcome.Webhook == "sending"
	} else if !v.Pending && c.Status.Paid() {
		// No outcome recorded (a status set with SetPaymentStatus, or the
		// instant between a payment's end and its record): the status says.
		v.Outcome = &outcomeView{State: "paid", Title: "Payment complete", Webhook: "none"}
	} else if !v.Pending {
		v.Outcome = &outcomeView{State: "failed", Title: "Payment " + string(c.Status), Webhook: "none"}
	}
	return v
}

// describeOutcome puts a payment's outcome in words for the player.
func describeOutcome(c *Checkout, o outcome) *outcomeView {
	v := &outcomeView{Webhook: "none"}
	p := o.p
	switch {
	case p.Declined:
		v.State, v.Title = "declined", "Payment declined"
		v.Details = append(v.Details, "No money was taken.")
		if p.Cancel != nil {
			v.Details = append(v.Details, "The game's cancel endpoint answered "+callResult(p.Cancel)+".")
		}
		if o.err != nil {
			v.Details = append(v.Details, o.err.Error())
		}
	case errors.Is(o.err, ErrRegisterRefused), errors.Is(o.err, ErrConfirmRefused):
		v.State, v.Title = "refused", "The game refused the purchase"
		v.Details = append(v.Details, "No money was taken.", refusal(o.err))
	case o.err != nil && p.Status != stashpay.PaymentStatusSucceeded:
		v.State, v.Title = "failed", "Payment failed"
		v.Details = append(v.Details, o.err.Error())
	default:
		v.State, v.Title = "paid", "Payment complete"
		if p.Confirm != nil {
			v.Details = append(v.Details, "The game confirmed the purchase ("+callResult(p.Confirm)+").")
		}
		v.Details = append(v.Details, "Order "+p.OrderID+".")
		if o.err != nil {
			v.Details = append(v.Details, o.err.Error())
		}
	}
	if c.Status == stashpay.PaymentStatusRefunded {
		v.State, v.Title = "refunded", "Payment refunded"
	}
	if p.Webhook != nil {
		v.Webhook, v.Hook = describeDelivery(p.Webhook)
	} else if v.State == "paid" {
		v.Hook = "No webhook URL is set: no webhook was sent."
	}
	return v
}

// refusal is the game's refusal without the package's prefix.
func refusal(err error) string {
	msg := err.Error()
	for _, prefix := range []string{ErrRegisterRefused.Error() + ": ", ErrConfirmRefused.Error() + ": "} {
		if rest, ok := strings.CutPrefix(msg, prefix); ok {
			which := "register"
			if prefix == ErrConfirmRefused.Error()+": " {
				which = "confirm"
			}
			return "The game's " + which + " endpoint refused: " + rest
		}
	}
	return msg
}

// callResult describes the answer to an egress call.
func callResult(c *EgressCall) string {
	if c.Err != "" {
		return "with an error: " + c.Err
	}
	return "HTTP " + strconv.Itoa(c.StatusCode)
}

// describeDelivery returns a delivery's state ("delivered", "sending",
// "held" or "failed") and a sentence about it.
func describeDelivery(d *Delivery) (state, text string) {
	attempts := d.Attempts()
	last := "no answer yet"
	if n := len(attempts); n > 0 {
		a := attempts[n-1]
		if a.Err != "" {
			last = "error " + a.Err
		} else {
			last = "HTTP " + strconv.Itoa(a.StatusCode)
		}
	}
	n := strconv.Itoa(len(attempts))
	select {
	case <-d.Done():
		if d.Err() == nil {
			return "delivered", "Webhook " + d.Type + " delivered: the game answered " + last + " (attempts: " + n + ")."
		}
		return "failed", "Webhook " + d.Type + " not delivered after " + n + " attempts; last answer " + last + ". Redeliver it from the dashboard."
	default:
	}
	if d.s != nil && d.s.isHeld(d) {
		return "held", "Webhook " + d.Type + " is held (HoldDeliveries)."
	}
	if len(attempts) == 0 {
		return "sending", "Webhook " + d.Type + " is being sent."
	}
	return "sending", "Webhook " + d.Type + ": attempt " + n + " answered " + last + "; Stash retries."
}
