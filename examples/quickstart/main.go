// Command quickstart shows Stash Pay's three granting flows end to end in
// one process, with no Stash account and no network: it starts a fake Stash
// (package stashpaytest) and a sample game backend on loopback, then
//
//  1. async: a checkout is paid and the PURCHASE_SUCCEEDED webhook grants it;
//  2. sync: the game asks GetPaymentEvent and grants once the payment
//     succeeded;
//  3. pre-purchase: Stash calls the game's register and confirm endpoints,
//     confirm grants, and the webhook that follows is recognised as a
//     duplicate;
//  4. a webhook redelivered twice is ignored;
//  5. a forged webhook (signed without the secret) is rejected;
//  6. a purchase whose every webhook is lost is granted by the reconciler.
//
// The game writes one grant function; a grant.Granter calls it once per
// purchase, whichever route (confirm, webhook, poll) reports it.
//
// It prints one line per step and exits 0 when every check passed, 1
// otherwise:
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/examples/internal/app"
	"github.com/stashpay/stashpay-go/stashpaytest"
)

func main() { os.Exit(realMain(os.Stdout, os.Stderr, faults{}, timeout)) }

// timeout bounds the whole run: every step takes milliseconds, so a step
// that hangs fails the run within seconds instead of blocking it.
const timeout = 10 * time.Second

// realMain runs the quickstart with the game misbehaving as f says (main
// passes none) and returns the process exit status: 0 when every check
// passed, 1 when a check failed, a step could not run, or the run took longer
// than limit.
func realMain(stdout, stderr io.Writer, f faults, limit time.Duration) int {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	if err := run(ctx, stdout, f); err != nil {
		fmt.Fprintln(stderr, "quickstart:", err)
		return 1
	}
	return 0
}

// transcript prints the steps and collects failed checks. It is safe for
// concurrent use.
type transcript struct {
	mu       sync.Mutex
	w        io.Writer
	checks   int
	failures []string
}

func (t *transcript) printf(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, format, args...)
}

// section starts a flow.
func (t *transcript) section(title string) { t.printf("\n%s\n", title) }

// line prints one step: who did what.
func (t *transcript) line(actor, step, format string, args ...any) {
	t.printf("   %-5s  %-17s  %s\n", actor, step, fmt.Sprintf(format, args...))
}

// check prints and records the outcome of a verification.
func (t *transcript) check(ok bool, format string, args ...any) {
	what := fmt.Sprintf(format, args...)
	t.mu.Lock()
	t.checks++
	if !ok {
		t.failures = append(t.failures, what)
	}
	t.mu.Unlock()
	verdict := "ok"
	if !ok {
		verdict = "FAIL"
	}
	t.line("check", verdict, "%s", what)
}

// run plays every flow against a fresh fake Stash and game, writing the
// transcript to out. It returns an error when a check failed or a step could
// not run.
func run(ctx context.Context, out io.Writer, f faults) error {
	start := time.Now()
	t := &transcript{w: out}
	fake := stashpaytest.NewServer(stashpaytest.WithRetrySchedule(5*time.Millisecond, 10*time.Millisecond))
	defer fake.Close()
	g, err := newGame(gameConfig{
		ShopID: fake.ShopID(), IngressKey: fake.IngressKey(), EgressKey: fake.EgressKey(),
		WebhookSecret: fake.WebhookSecret(), BaseURL: fake.URL(),
	}, t, f)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := app.NewServer(g)
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	gameURL := "http://" + ln.Addr().String()
	hookURL := gameURL + "/webhooks/stash"
	t.printf("stashpay quickstart: fake Stash on %s, game backend on %s\n", fake.URL(), gameURL)

	steps := []func(context.Context, *transcript, *stashpaytest.Server, *game, string, string) error{
		asyncFlow, syncFlow, prePurchaseFlow, duplicateWebhook, forgedWebhook, lostWebhooks,
	}
	for _, step := range steps {
		if err := step(ctx, t, fake, g, gameURL, hookURL); err != nil {
			if len(t.failures) > 0 { // say what failed before the step that could not run
				return fmt.Errorf("%w, after %d failed check(s): %s", err, len(t.failures), strings.Join(t.failures, "; "))
			}
			return err
		}
	}

	if len(t.failures) > 0 {
		t.printf("\n%d of %d checks FAILED\n", len(t.failures), t.checks)
		return fmt.Errorf("%d check(s) failed: %s", len(t.failures), strings.Join(t.failures, "; "))
	}
	t.printf("\nall %d checks passed in %s\n", t.checks, time.Since(start).Round(time.Millisecond))
	return nil
}

// paid narrates the fake's side of a payment.
func paid(t *transcript, p *stashpaytest.Payment) {
	t.line("stash", "paid", "order %s, payment %s", short(p.OrderID), p.Status)
}

func asyncFlow(ctx context.Context, t *transcript, fake *stashpaytest.Server, g *game, _, hookURL string) error {
	t.section("1. async: PURCHASE_SUCCEEDED webhook -> grant once")
	fake.SetWebhookURL(hookURL)
	co, err := g.createCheckout(ctx, "alice", "gems_100")
	if err != nil {
		return err
	}
	fake.HoldDeliveries() // so the transcript shows "paid" before the webhook
	p, err := fake.Pay(ctx, co.ID)
	if err != nil {
		return err
	}
	paid(t, p)
	err = fake.ReleaseDeliveries(ctx, stashpaytest.InOrder)
	t.check(err == nil && g.inv.Count("alice", "gems_100") == 1, "alice owns gems_100 x%d", g.inv.Count("alice", "gems_100"))
	return nil
}

func syncFlow(ctx context.Context, t *transcript, fake *stashpaytest.Server, g *game, _, _ string) error {
	t.section("2. sync: GetPaymentEvent -> grant once")
	fake.SetWebhookURL("") // this game relies on GetPaymentEvent alone
	co, err := g.createCheckout(ctx, "bob", "gems_500")
	if err != nil {
		return err
	}
	st, err := g.claim(ctx, co.ID)
	if err != nil {
		return err
	}
	t.check(st == stashpay.PaymentStatusPending && g.inv.Count("bob", "gems_500") == 0, "nothing granted before payment")
	p, err := fake.Pay(ctx, co.ID)
	if err != nil {
		return err
	}
	paid(t, p)
	for range 2 { // the player returns; then the client retries
		if _, err := g.claim(ctx, co.ID); err != nil {
			return err
		}
	}
	t.check(g.inv.Count("bob", "gems_500") == 1, "bob owns gems_500 x%d", g.inv.Count("bob", "gems_500"))
	return nil
}

func prePurchaseFlow(ctx context.Context, t *transcript, fake *stashpaytest.Server, g *game, gameURL, hookURL string) error {
	t.section("3. pre-purchase: register + confirm -> grant once, then the webhook")
	fake.SetWebhookURL(hookURL)
	fake.SetEgressBaseURL(gameURL)
	defer fake.SetEgressBaseURL("")
	co, err := g.createCheckout(ctx, "carol", "sword")
	if err != nil {
		return err
	}
	fake.HoldDeliveries()
	p, err := fake.Pay(ctx, co.ID)
	if errors.Is(err, stashpaytest.ErrConfirmRefused) {
		t.line("stash", "payment failed", "the game refused confirm (HTTP %d)", p.Confirm.StatusCode)
		t.check(false, "carol's purchase was confirmed")
		return fake.ReleaseDeliveries(ctx, stashpaytest.InOrder)
	}
	if err != nil {
		return err
	}
	paid(t, p)
	err = fake.ReleaseDeliveries(ctx, stashpaytest.InOrder)
	t.check(err == nil && g.inv.Count("carol", "sword") == 1, "carol owns sword x%d", g.inv.Count("carol", "sword"))
	return nil
}

func duplicateWebhook(ctx context.Context, t *transcript, fake *stashpaytest.Server, g *game, _, _ string) error {
	t.section("4. duplicate webhook: Stash redelivers alice's order twice")
	first := fake.Deliveries()[0]
	t.line("stash", "webhook resent", "%s x2", first.Type)
	_, err := fake.SendEvent(ctx, first.Payload, stashpaytest.Times(2))
	t.check(err == nil && g.inv.Count("alice", "gems_100") == 1, "both acknowledged, alice still owns gems_100 x%d", g.inv.Count("alice", "gems_100"))
	return nil
}

func forgedWebhook(ctx context.Context, t *transcript, fake *stashpaytest.Server, g *game, _, _ string) error {
	t.section("5. forged webhook: 1000 gems for mallory, signed without the secret")
	forged := []byte(`{"type":"PURCHASE_SUCCEEDED","environment":"test","purchaseSucceeded":{` +
		`"orderId":"F0RGED0RDER000000000000000","checkoutLinkId":"forged-checkout","userId":"mallory",` +
		`"currency":"USD","items":[{"id":"gems_500","quantity":1000,"price":"0.00"}],"tax":"0","total":"0"}}`)
	t.line("stash", "forged webhook", "signed with a guessed secret")
	d, err := fake.SendEvent(ctx, forged, stashpaytest.SignedWith("guessed-secret"), stashpaytest.MaxAttempts(1))
	refused := errors.Is(err, stashpaytest.ErrNotDelivered) && len(d.Attempts()) == 1 && d.Attempts()[0].StatusCode == http.StatusUnauthorized
	t.check(refused && g.inv.Count("mallory", "gems_500") == 0, "refused, mallory owns gems_500 x%d", g.inv.Count("mallory", "gems_500"))
	return nil
}

func lostWebhooks(ctx context.Context, t *transcript, fake *stashpaytest.Server, g *game, _, hookURL string) error {
	t.section("6. lost webhooks: every PURCHASE_SUCCEEDED delivery fails -> the reconciler grants once")
	fake.SetWebhookURL(hookURL)
	co, err := g.createCheckout(ctx, "dave", "gems_100")
	if err != nil {
		return err
	}
	p, err := fake.Pay(ctx, co.ID, stashpaytest.Lost())
	if err != nil {
		return err
	}
	paid(t, p)
	lost := p.Webhook.Wait(ctx)
	t.line("stash", "webhook lost", "%d attempts, none reached the game; Stash gives up", len(p.Webhook.Attempts()))
	t.check(errors.Is(lost, stashpaytest.ErrNotDelivered) && g.inv.Count("dave", "gems_100") == 0,
		"nothing granted while every webhook is lost")
	r, err := g.reconcile(ctx)
	if err != nil {
		return err
	}
	t.line("game", "reconciled", "%d granted, %d already granted, %d pending, %d unknown status, %d failed",
		len(r.Granted), len(r.AlreadyGranted), len(r.Pending), len(r.Unknown), len(r.Failed))
	t.check(len(r.Granted) == 1 && g.inv.Count("dave", "gems_100") == 1, "dave owns gems_100 x%d", g.inv.Count("dave", "gems_100"))
	return nil
}
