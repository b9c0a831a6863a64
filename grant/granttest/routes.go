package granttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/grant"
	"github.com/stashpay/stashpay-go/stashpaytest"
)

// route is one way a purchase reaches an instance; it returns an error
// for an answer that is not a grant, nor, unless strict, "retry later".
type route struct {
	name string
	send func(ctx context.Context, w *World, i int, c stashpaytest.Checkout, strict bool) error
}

var routes = []route{
	{"confirm", func(ctx context.Context, w *World, i int, c stashpaytest.Checkout, strict bool) error {
		return status(strict)(w.Confirm(ctx, i, c))
	}},
	{"webhook", func(ctx context.Context, w *World, i int, c stashpaytest.Checkout, strict bool) error {
		return status(strict)(w.Webhook(ctx, i, c))
	}},
	{"3 webhooks", func(ctx context.Context, w *World, i int, c stashpaytest.Checkout, strict bool) error {
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for k := range errs {
			wg.Go(func() { errs[k] = status(strict)(w.Webhook(ctx, (i+k)%2, c)) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
		return nil
	}},
	{"poll", func(ctx context.Context, w *World, i int, c stashpaytest.Checkout, strict bool) error {
		granted, err := w.Poll(ctx, i, c)
		switch {
		case err != nil && (strict || !isBusy(err)):
			return err
		case err == nil && !granted:
			return errors.New("a paid purchase is not granted")
		}
		return nil
	}},
}

// RunRoutes races every pair of routes (confirm, webhook, 3 concurrent
// webhooks, poll), and all of them together, for [Purchases] purchases,
// each route on another instance, and checks that each purchase is granted
// exactly once. Answers that ask Stash to retry (409, 503) are allowed;
// any other failure fails t.
func RunRoutes(t *testing.T, instances func(t *testing.T) [2]dedup.Store) {
	var sets [][]route
	for a := range routes {
		for b := a + 1; b < len(routes); b++ {
			sets = append(sets, []route{routes[a], routes[b]})
		}
	}
	sets = append(sets, routes)
	for _, set := range sets {
		name := ""
		for i, r := range set {
			if i > 0 {
				name += "+"
			}
			name += r.name
		}
		t.Run(name, func(t *testing.T) {
			w := NewWorld(t, instances(t))
			ctx := t.Context()
			var wg sync.WaitGroup
			bought := make([]stashpaytest.Checkout, Purchases)
			for n := range bought {
				bought[n] = w.Paid(t, fmt.Sprintf("player-%d", n))
			}
			start := make(chan struct{})
			for n, c := range bought {
				for i, r := range set {
					wg.Go(func() {
						<-start
						if err := r.send(ctx, w, (n+i)%2, c, false); err != nil {
							t.Errorf("%s of purchase %d: %v", r.name, n, err)
						}
					})
				}
			}
			close(start)
			wg.Wait()
			// Whatever was told to retry is retried once, as Stash and
			// the player would: now every route must answer "granted".
			for _, c := range bought {
				for i, r := range set {
					if err := r.send(ctx, w, i%2, c, true); err != nil {
						t.Errorf("%s retry: %v", r.name, err)
					}
				}
			}
			for n, c := range bought {
				if got := w.Book.Count(Key(c)); got != 1 {
					t.Errorf("purchase %d granted %d times, want exactly once", n, got)
				}
			}
		})
	}
}

// RunReconcile plays purchases whose webhooks are all lost, and two
// instances reconciling the same pending list at once: each purchase is
// granted exactly once, and the two reports together say so.
func RunReconcile(t *testing.T, instances func(t *testing.T) [2]dedup.Store) {
	w := NewWorld(t, instances(t))
	w.Fake.SetWebhookURL(w.Instances[0].Server.URL + "/webhooks/stash")
	ctx := t.Context()
	var pending []grant.PendingCheckout
	for n := range Purchases {
		co, err := w.Instances[0].Client.CreateCheckout(ctx, checkoutParams(fmt.Sprintf("lost-%d", n)))
		if err != nil {
			t.Fatalf("CreateCheckout: %v", err)
		}
		p, err := w.Fake.Pay(ctx, co.ID, stashpaytest.Lost())
		if err != nil {
			t.Fatalf("Pay: %v", err)
		}
		if err := p.Webhook.Wait(ctx); err == nil {
			t.Fatal("a lost webhook was delivered")
		}
		pending = append(pending, grant.PendingCheckout{ID: co.ID, PlayerID: fmt.Sprintf("lost-%d", n)})
	}
	for _, pc := range pending {
		if got := w.Book.Count("checkout:" + pc.ID); got != 0 {
			t.Fatalf("granted %d times before reconcile", got)
		}
	}
	var wg sync.WaitGroup
	var reports [2]*grant.Report
	for i, in := range w.Instances {
		wg.Go(func() {
			r, err := in.Granter.Reconcile(ctx, in.Client, pending)
			if err != nil {
				t.Errorf("Reconcile: %v", err)
			}
			reports[i] = r
		})
	}
	wg.Wait()
	// A checkout one instance found busy is left to the next run.
	r, err := w.Instances[0].Granter.Reconcile(ctx, w.Instances[0].Client, pending)
	if err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	if len(r.Granted)+len(r.AlreadyGranted) != len(pending) {
		t.Errorf("last run: %d granted + %d already granted, want %d in all (report %+v)", len(r.Granted), len(r.AlreadyGranted), len(pending), r)
	}
	granted := len(r.Granted)
	for _, rep := range reports {
		if rep != nil {
			granted += len(rep.Granted)
		}
	}
	if granted != len(pending) {
		t.Errorf("reports say %d granted, want %d", granted, len(pending))
	}
	for _, pc := range pending {
		if got := w.Book.Count("checkout:" + pc.ID); got != 1 {
			t.Errorf("lost purchase granted %d times, want once", got)
		}
	}
}

// do sends req and returns the answer's status.
func do(req *http.Request) (int, error) {
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// status accepts 200 and, unless strict, the answers that ask Stash to
// retry (409, 503).
func status(strict bool) func(code int, err error) error {
	return func(code int, err error) error {
		switch {
		case err != nil:
			return err
		case code == http.StatusOK, !strict && (code == http.StatusConflict || code == http.StatusServiceUnavailable):
			return nil
		default:
			return fmt.Errorf("HTTP %d", code)
		}
	}
}

func isBusy(err error) bool { return errors.Is(err, dedup.ErrBusy) }

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// httpClient sends the test's requests; loopback answers take milliseconds.
var httpClient = &http.Client{Timeout: 30 * time.Second}
