package browser

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	stashpay "github.com/stashpay/stashpay-go"
)

var docsScreenshot = flag.String("docs-screenshot", "", "save a screenshot of a pending checkout page to this PNG `path`")

// browser is the Chromium every test opens its tabs in; nil without one.
var browser context.Context

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "stashpay-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if err := buildAll(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if path := chromiumPath(); path != "" {
		profile, err := os.MkdirTemp("", "stashpay-e2e-profile")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(profile)
		// The flags Chromium needs here: headless as root, no GPU, and no
		// background connections (the machine's network is closed).
		opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
			chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(profile),
			chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true), chromedp.Flag("disable-background-networking", true),
		)
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		defer cancelAlloc()
		bctx, cancel := chromedp.NewContext(actx)
		defer cancel()
		if err := chromedp.Do(bctx); err != nil {
			fmt.Fprintln(os.Stderr, "starting chromium:", err)
			return 1
		}
		browser = bctx
	}
	return m.Run()
}

// chromiumPath finds the browser: $CHROMIUM, else chromium on PATH.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// tab opens a new browser tab for t. When t fails, the checkout page it is
// on and the sandbox's dashboard are saved as screenshots.
func tab(t *testing.T, sb *sandbox) context.Context {
	t.Helper()
	if browser == nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no chromium found (set CHROMIUM): CI runs the browser test")
		}
		t.Skip("no chromium found (set CHROMIUM)")
	}
	ctx, cancel := chromedp.NewContext(browser)
	// A phone's screen, as in a game's in-app browser.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
		cancel()
		t.Fatal(err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() {
		if t.Failed() {
			saveScreenshots(t, ctx, sb)
		}
		cancelTimeout()
		cancel()
	})
	return ctx
}

// saveScreenshots saves the current page and the dashboard under
// E2E_OUTPUT_DIR.
func saveScreenshots(t *testing.T, ctx context.Context, sb *sandbox) {
	dir := os.Getenv("E2E_OUTPUT_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "stashpay-e2e")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Log(err)
		return
	}
	name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	shots := []struct {
		file string
		url  string
	}{{name + "-page.png", ""}, {name + "-dashboard.png", sb.url + "/"}}
	for _, s := range shots {
		var err error
		if s.url != "" {
			err = chromedp.Do(ctx, chromedp.Navigate(s.url))
		}
		var png []byte
		if err == nil {
			png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		}
		if err != nil {
			t.Logf("screenshot %s: %v", s.file, err)
			continue
		}
		p := filepath.Join(dir, s.file)
		if err := os.WriteFile(p, png, 0o644); err == nil {
			t.Logf("screenshot saved: %s", p)
		}
	}
}

// attr returns the attribute of the first element matching sel, "" when
// there is none.
func attr(ctx context.Context, sel, name string) (string, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[string](
		fmt.Sprintf(`(document.querySelector(%q) || {getAttribute: () => ""}).getAttribute(%q) || ""`, sel, name)))
}

// has reports whether an element matches sel.
func has(ctx context.Context, sel string) (bool, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`!!document.querySelector(%q)`, sel)))
}

// waitOnPage reloads u until an element matches sel.
func waitOnPage(t *testing.T, ctx context.Context, u, sel string) {
	t.Helper()
	err := eventually(ctx, 20*time.Second, func() (bool, error) {
		if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
			return false, err
		}
		return has(ctx, sel)
	})
	if err != nil {
		t.Fatalf("%s never showed %s: %v", u, sel, err)
	}
}

// text returns the text of the element matching sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// clickAndWait clicks sel and waits for the page it leads to.
func clickAndWait(t *testing.T, ctx context.Context, sel, then string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel)), chromedp.WaitVisible(chromedp.CSS(then))); err != nil {
		t.Fatalf("click %s, then %s: %v", sel, then, err)
	}
}

// confirmSetup is the sandbox with the pre-purchase validation example
// (register, confirm, cancel, and the webhook on the same store).
func confirmSetup(t *testing.T) (*sandbox, *game) {
	t.Helper()
	port := freePort(t)
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	sb := startSandbox(t, "-game-backend-url", base, "-webhook-url", base+"/webhooks/stash", "-webhook-retry", "50ms,100ms,200ms")
	return sb, startGame(t, bins.confirm, sb, port)
}

func TestPayGrantsOnceAndTheDashboardShowsIt(t *testing.T) {
	sb, g := confirmSetup(t)
	ctx := tab(t, sb)
	t.Logf("figure: sandbox start to first page served: %s", sb.boot.Round(100*time.Microsecond))

	id, u := g.checkout(t, "alice", "gems_100")
	if err := chromedp.Do(ctx, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("#pay"))); err != nil {
		t.Fatal(err)
	}
	for sel, want := range map[string]string{"#player": "alice", "#total": "1.99 USD", ".line .unit": "1.99 USD", ".line .qty": "1", ".line .name": "gems_100", "#pay": "Pay 1.99 USD"} {
		if got := text(t, ctx, sel); got != want {
			t.Errorf("%s shows %q, want %q", sel, got, want)
		}
	}
	widths, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
	if err != nil || len(widths) != 2 || widths[1] > 400 || widths[0] > widths[1] {
		t.Errorf("the page does not fit a phone-sized viewport: [content width, viewport width] = %v (err %v)", widths, err)
	}
	if *docsScreenshot != "" {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(*docsScreenshot, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	clickAndWait(t, ctx, "#pay", "#outcome")
	if got, _ := attr(ctx, "#outcome", "data-state"); got != "paid" {
		t.Fatalf("outcome %q, want paid: %s", got, text(t, ctx, "#outcome"))
	}
	waitOnPage(t, ctx, u, `#webhook[data-state="delivered"]`)
	// The game's other route, the SDK's GetPaymentEvent, agrees.
	client, err := stashpay.NewClient(stashpay.Credentials{ShopID: sb.value("STASH_SHOP_ID"), IngressKey: sb.value("STASH_INGRESS_KEY")},
		stashpay.WithBaseURL(sb.url))
	if err != nil {
		t.Fatal(err)
	}
	if ev, err := client.GetPaymentEvent(ctx, id); err != nil || ev.Status != stashpay.PaymentStatusSucceeded {
		t.Errorf("GetPaymentEvent: %v, %v; want %s", ev, err, stashpay.PaymentStatusSucceeded)
	}
	if n := g.owned(t, "alice", "gems_100"); n != 1 {
		t.Errorf("alice owns %d gems_100, want 1 (granted on confirm, the webhook a duplicate)", n)
	}
	if ok, _ := has(ctx, "#pay"); ok {
		t.Error("a paid checkout still offers Pay")
	}
	if got := payPlain(t, u); !strings.HasPrefix(got, "409 ") {
		t.Errorf("paying again answered %q, want 409", got)
	}

	waitOnPage(t, ctx, sb.url+"/", `tr.delivery[data-type="PURCHASE_SUCCEEDED"][data-state="delivered"] .attempt[data-status="200"]`)
	for _, sel := range []string{
		`tr.checkout[data-checkout="` + id + `"][data-status="PAYMENT_STATUS_SUCCEEDED"]`,
		`tr.checkout[data-checkout="` + id + `"] .call[data-endpoint="register"][data-status="200"]`,
		`tr.checkout[data-checkout="` + id + `"] .call[data-endpoint="confirm"][data-status="200"]`,
	} {
		if ok, err := has(ctx, sel); !ok {
			t.Errorf("the dashboard does not show %s (%v)", sel, err)
		}
	}
	if n := g.owned(t, "alice", "gems_100"); n != 1 {
		t.Errorf("alice owns %d gems_100 in the end, want 1", n)
	}
}

func TestDeclineGrantsNothing(t *testing.T) {
	sb, g := confirmSetup(t)
	ctx := tab(t, sb)
	id, u := g.checkout(t, "bob", "sword")
	if err := chromedp.Do(ctx, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("#decline"))); err != nil {
		t.Fatal(err)
	}
	clickAndWait(t, ctx, "#decline", "#outcome")
	if got, _ := attr(ctx, "#outcome", "data-state"); got != "declined" {
		t.Fatalf("outcome %q, want declined: %s", got, text(t, ctx, "#outcome"))
	}
	if n := g.owned(t, "bob", "sword"); n != 0 {
		t.Errorf("bob owns %d swords after a decline", n)
	}
	waitOnPage(t, ctx, sb.url+"/", `tr.checkout[data-checkout="`+id+`"][data-status="PAYMENT_STATUS_FAILED"] .call[data-endpoint="cancel"][data-status="200"]`)
	if ok, _ := has(ctx, `tr.delivery`); ok {
		t.Error("a declined payment sent a webhook")
	}
}

func TestSoldOutIsRefusedOnThePage(t *testing.T) {
	sb, g := confirmSetup(t)
	ctx := tab(t, sb)
	for i := range 3 { // the example's whole sword stock
		_, u := g.checkout(t, "carol-"+strconv.Itoa(i), "sword")
		if got := payPlain(t, u); !strings.HasPrefix(got, "200 paid") {
			t.Fatalf("buying sword %d: %s", i, got)
		}
	}
	_, u := g.checkout(t, "dave", "sword")
	if err := chromedp.Do(ctx, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("#pay"))); err != nil {
		t.Fatal(err)
	}
	clickAndWait(t, ctx, "#pay", "#outcome")
	if got, _ := attr(ctx, "#outcome", "data-state"); got != "refused" {
		t.Fatalf("outcome %q, want refused", got)
	}
	if out := text(t, ctx, "#outcome"); !strings.Contains(out, "FAILED_INSUFFICIENT_INVENTORY") || !strings.Contains(out, "sold out") {
		t.Errorf("the page does not say the item is sold out: %q", out)
	}
	if n := g.owned(t, "dave", "sword"); n != 0 {
		t.Errorf("dave owns %d swords", n)
	}
}

func TestFailingWebhookRecoversAfterRedelivery(t *testing.T) {
	// The async flow: the webhook is the only route that grants.
	port := freePort(t)
	target, _ := url.Parse("http://127.0.0.1:" + strconv.Itoa(port))
	var failing atomic.Bool
	failing.Store(true)
	proxy := httputil.NewSingleHostReverseProxy(target)
	frontPort := startFront(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			http.Error(w, `{"error":"deploying"}`, http.StatusInternalServerError)
			return
		}
		proxy.ServeHTTP(w, r)
	}))

	sb := startSandbox(t, "-webhook-url", "http://127.0.0.1:"+strconv.Itoa(frontPort)+"/webhooks/stash", "-webhook-retry", "20ms,40ms")
	g := startGame(t, bins.webhook, sb, port)
	ctx := tab(t, sb)

	_, u := g.checkout(t, "erin", "gems_500")
	if err := chromedp.Do(ctx, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("#pay"))); err != nil {
		t.Fatal(err)
	}
	clickAndWait(t, ctx, "#pay", "#outcome")
	waitOnPage(t, ctx, u, `#webhook[data-state="failed"]`)
	if n := g.owned(t, "erin", "gems_500"); n != 0 {
		t.Fatalf("erin owns %d before the webhook got through", n)
	}
	waitOnPage(t, ctx, sb.url+"/", `tr.delivery[data-delivery="1"][data-state="failed"]`)
	attempts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('tr.delivery[data-delivery="1"] .attempt[data-status="500"]').length`))
	if err != nil || attempts != 3 {
		t.Errorf("the dashboard shows %d failed attempts, want 3 (err %v)", attempts, err)
	}

	failing.Store(false)
	for round, id := range []string{"2", "3"} { // the redelivery, then a duplicate of it
		clickAndWait(t, ctx, `tr.delivery[data-delivery="1"] button.redeliver`, "#notice")
		waitOnPage(t, ctx, sb.url+"/", `tr.delivery[data-delivery="`+id+`"][data-state="delivered"]`)
		if n := g.owned(t, "erin", "gems_500"); n != 1 {
			t.Errorf("after redelivery %d erin owns %d gems_500, want 1", round+1, n)
		}
	}
}

func TestPayClickToGrant(t *testing.T) {
	sb, g := confirmSetup(t)
	ctx := tab(t, sb)
	const runs = 20
	var took []time.Duration
	for i := range runs {
		player := "frank-" + strconv.Itoa(i)
		_, u := g.checkout(t, player, "gems_100")
		if err := chromedp.Do(ctx, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("#pay"))); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#pay"))); err != nil {
			t.Fatal(err)
		}
		for g.owned(t, player, "gems_100") == 0 {
			if time.Since(start) > 10*time.Second {
				t.Fatalf("run %d: no grant 10s after the click", i)
			}
			time.Sleep(time.Millisecond)
		}
		took = append(took, time.Since(start))
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#outcome"))); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(took)
	t.Logf("figure: Pay click to the game's grant, median of %d: %s (min %s, max %s)",
		runs, ((took[runs/2-1] + took[runs/2]) / 2).Round(100*time.Microsecond), took[0].Round(100*time.Microsecond), took[runs-1].Round(100*time.Microsecond))
}

// A second tab opened while the first tab's payment runs (the game is still
// answering register) shows the payment in progress, with neither Pay nor
// Decline to click, and then its outcome; the player is granted once.
func TestSecondTabShowsAPaymentInProgress(t *testing.T) {
	port := freePort(t)
	target, _ := url.Parse("http://127.0.0.1:" + strconv.Itoa(port))
	proxy := httputil.NewSingleHostReverseProxy(target)
	arrived, release := make(chan struct{}), make(chan struct{})
	var arrivedOnce, releaseOnce sync.Once
	frontPort := startFront(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/purchase/register") {
			arrivedOnce.Do(func() { close(arrived) })
			select { // a game slow to register
			case <-release:
			case <-r.Context().Done():
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { releaseOnce.Do(func() { close(release) }) }) // runs before the server closes

	sb := startSandbox(t, "-game-backend-url", "http://127.0.0.1:"+strconv.Itoa(frontPort),
		"-webhook-url", "http://127.0.0.1:"+strconv.Itoa(port)+"/webhooks/stash", "-webhook-retry", "50ms,100ms")
	g := startGame(t, bins.confirm, sb, port)
	tabA, tabB := tab(t, sb), tab(t, sb)
	_, u := g.checkout(t, "erin", "gems_100")
	if err := chromedp.Do(tabA, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("#pay"))); err != nil {
		t.Fatal(err)
	}
	// Tab A clicks Pay; its page waits for the answer.
	if _, err := chromedp.Run(tabA, chromedp.Evaluate[bool](`document.querySelector('#pay').click(), true`)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(20 * time.Second):
		t.Fatal("the sandbox never called the game's register")
	}
	if err := chromedp.Do(tabB, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("#outcome"))); err != nil {
		t.Fatal(err)
	}
	if got, _ := attr(tabB, "#outcome", "data-state"); got != "processing" {
		t.Errorf("tab B's outcome %q, want processing: %s", got, text(t, tabB, "#outcome"))
	}
	for _, sel := range []string{"#pay", "#decline"} {
		if ok, _ := has(tabB, sel); ok {
			t.Errorf("tab B offers %s while tab A's payment of the checkout runs", sel)
		}
	}
	releaseOnce.Do(func() { close(release) })
	waitOnPage(t, tabB, u, `#outcome[data-state="paid"]`)
	if n := g.owned(t, "erin", "gems_100"); n != 1 {
		t.Errorf("erin owns %d gems_100, want 1", n)
	}
}
