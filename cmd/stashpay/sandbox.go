package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/stashpay/stashpay-go/internal/signing"
	"github.com/stashpay/stashpay-go/stashpaytest"
)

// Environment variables the sandbox reads besides the secrets'.
const (
	envIngressKey      = "STASH_INGRESS_KEY"
	envBaseURL         = "STASH_BASE_URL"
	envWebhookURL      = "STASH_WEBHOOK_URL"
	envGameBackendURL  = "STASH_GAME_BACKEND_URL"
	defaultSandboxPort = 4242
)

// sandboxFlags are the settings of "stashpay sandbox".
type sandboxFlags struct {
	host, publicURL, webhookURL, backendURL, shopID, retry string
	port, duplicates, failIngress, failStatus              int
	tax                                                    int64
	allowRemote                                            bool
	ingressDelay                                           time.Duration
}

// sandboxKey is one key of the sandbox: from the environment, or generated.
type sandboxKey struct {
	env       string
	value     string
	generated bool
}

// sandbox runs stashpaytest's fake Stash as a long-lived process until ctx
// is done (SIGINT or SIGTERM): the API on a loopback address, the hosted
// checkout page at every checkout's URL, and the dashboard at /.
func (c *cli) sandbox(ctx context.Context, args []string) error {
	started := time.Now()
	fs := c.newFlagSet("sandbox", "[-port N] [-host ADDR -allow-remote] [-webhook-url URL] [-game-backend-url URL] [-shop-id ID] [fault flags]")
	var f sandboxFlags
	fs.StringVar(&f.host, "host", "127.0.0.1", "`address` to listen on; anything but loopback needs -allow-remote")
	fs.IntVar(&f.port, "port", defaultSandboxPort, "TCP `port` to listen on (0 picks a free one)")
	fs.BoolVar(&f.allowRemote, "allow-remote", false, "allow a -host other than loopback, e.g. for a phone on the local network (anyone who reaches it can pay, refund and read the dashboard)")
	fs.StringVar(&f.publicURL, "public-url", "", "base `URL` to print and to build checkout URLs on (default http:// and the listen address), e.g. http://192.168.1.20:4242 with -allow-remote; the pages answer only to an IP address, localhost or this URL's host")
	fs.StringVar(&f.webhookURL, "webhook-url", c.env(envWebhookURL), "the game's full webhook `URL`, e.g. http://127.0.0.1:8080/webhooks/stash (default $"+envWebhookURL+"; none: no webhooks)")
	fs.StringVar(&f.backendURL, "game-backend-url", c.env(envGameBackendURL), "the game's Game Backend base `URL`, e.g. http://127.0.0.1:8080: /api/v1/purchase/register, /confirm and /cancel are called under it (default $"+envGameBackendURL+"; none: no egress calls)")
	fs.StringVar(&f.shopID, "shop-id", c.env(envShopID), "the shop `ID` (default $"+envShopID+", else a new UUID)")
	fs.StringVar(&f.retry, "webhook-retry", "stash", "webhook retry `schedule`: stash (1, 2, 4, ... minutes, ten attempts), none (one attempt), or delays such as 1s,5s,30s")
	fs.IntVar(&f.duplicates, "duplicates", 1, "deliver every webhook `N` times, as Stash may redeliver an event the game acknowledged")
	fs.DurationVar(&f.ingressDelay, "ingress-delay", 0, "delay every API answer by `D`, e.g. 2s")
	fs.IntVar(&f.failIngress, "fail-ingress", 0, "answer the first `N` API calls with -fail-status")
	fs.IntVar(&f.failStatus, "fail-status", 503, "HTTP `status` of -fail-ingress (429 or a 5xx)")
	fs.Int64Var(&f.tax, "tax", 0, "tax added to every checkout, in basis `points` of the subtotal (750 = 7.5%)")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	opts, err := f.options()
	if err != nil {
		return err
	}
	keys, err := c.sandboxKeys()
	if err != nil {
		return err
	}
	if f.shopID == "" {
		f.shopID = uuid.NewString()
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(f.host, strconv.Itoa(f.port)))
	if err != nil {
		return usagef("listening on %s: %v", net.JoinHostPort(f.host, strconv.Itoa(f.port)), err)
	}
	opts = append(opts, stashpaytest.WithListener(ln), stashpaytest.WithShopID(f.shopID),
		stashpaytest.WithIngressKey(keys[0].value), stashpaytest.WithEgressKey(keys[1].value),
		stashpaytest.WithWebhookSecret(keys[2].value))
	fake := stashpaytest.NewServer(opts...)
	defer fake.Close()
	if f.ingressDelay > 0 {
		fake.SetIngressDelay(f.ingressDelay)
	}
	if f.failIngress > 0 {
		fake.FailIngress(f.failIngress, f.failStatus, 0)
	}
	c.printSandbox(fake, &f, keys)
	fmt.Fprintf(c.stderr, "%s sandbox: ready in %s; stop with Ctrl-C\n", programName, time.Since(started).Round(time.Millisecond))
	<-ctx.Done()
	fake.Close()
	fmt.Fprintf(c.stderr, "%s sandbox: stopped; its state is gone\n", programName)
	return nil
}

// options checks the flags and returns the fake's options for them.
func (f *sandboxFlags) options() ([]stashpaytest.Option, error) {
	if f.port < 0 || f.port > 65535 {
		return nil, usagef("-port must be between 0 and 65535")
	}
	if !f.allowRemote && !isLoopback(f.host) {
		return nil, usagef("-host %q is not a loopback address: the sandbox pays, refunds and shows its dashboard to anyone who reaches it; add -allow-remote to listen there anyway", f.host)
	}
	var opts []stashpaytest.Option
	for _, u := range []struct{ flag, value string }{{"-public-url", f.publicURL}, {"-webhook-url", f.webhookURL}, {"-game-backend-url", f.backendURL}} {
		if u.value == "" {
			continue
		}
		if _, err := checkURL(u.value); err != nil {
			return nil, usagef("%s must be an absolute http:// or https:// URL without credentials", u.flag)
		}
	}
	if f.publicURL != "" {
		opts = append(opts, stashpaytest.WithPublicURL(f.publicURL))
	}
	if f.webhookURL != "" {
		opts = append(opts, stashpaytest.WithWebhookURL(f.webhookURL))
	}
	if f.backendURL != "" {
		opts = append(opts, stashpaytest.WithEgressBaseURL(f.backendURL))
	}
	// The CLI's own client: no proxy, no redirect (a signed payload goes
	// only to the URLs given), Stash's 30 second limit per call.
	opts = append(opts, stashpaytest.WithHTTPClient(newHTTPClient(30*time.Second)))
	schedule, err := retrySchedule(f.retry)
	if err != nil {
		return nil, err
	}
	opts = append(opts, stashpaytest.WithRetrySchedule(schedule...))
	if f.duplicates < 1 || f.duplicates > maxTimes {
		return nil, usagef("-duplicates must be between 1 and %d", maxTimes)
	}
	if f.duplicates > 1 {
		opts = append(opts, stashpaytest.WithDeliveryOptions(stashpaytest.Times(f.duplicates)))
	}
	if f.ingressDelay < 0 {
		return nil, usagef("-ingress-delay cannot be negative")
	}
	if f.failIngress < 0 {
		return nil, usagef("-fail-ingress cannot be negative")
	}
	if f.failStatus != 429 && (f.failStatus < 500 || f.failStatus > 599) {
		return nil, usagef("-fail-status must be 429 or a 5xx status")
	}
	if f.tax < 0 || f.tax > 10000 {
		return nil, usagef("-tax must be between 0 and 10000 basis points")
	}
	if f.tax > 0 {
		opts = append(opts, stashpaytest.WithTax(f.tax))
	}
	return opts, nil
}

// isLoopback reports whether host names only this machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// retrySchedule parses -webhook-retry.
func retrySchedule(s string) ([]time.Duration, error) {
	switch s {
	case "stash":
		return stashpaytest.StashRetrySchedule(), nil
	case "none":
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) > 20 {
		return nil, usagef("-webhook-retry takes at most 20 delays")
	}
	out := make([]time.Duration, 0, len(parts))
	for _, p := range parts {
		d, err := time.ParseDuration(strings.TrimSpace(p))
		if err != nil || d <= 0 {
			return nil, usagef("-webhook-retry must be stash, none, or positive delays such as 1s,5s,30s")
		}
		out = append(out, d)
	}
	return out, nil
}

// sandboxKeys returns the ingress key, the egress key and the webhook
// secret: each from its environment variable, or generated.
func (c *cli) sandboxKeys() ([]sandboxKey, error) {
	keys := []sandboxKey{{env: envIngressKey}, {env: envEgressKey}, {env: envWebhookSecret}}
	for i := range keys {
		k := &keys[i]
		if k.value = c.env(k.env); k.value != "" {
			if err := signing.CheckSecret(k.env, k.value); err != nil {
				return nil, usagef("%v", err)
			}
			continue
		}
		// 32 random bytes in URL-safe base64, the shape of Studio's keys.
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		k.value, k.generated = base64.RawURLEncoding.EncodeToString(b[:]), true
	}
	return keys, nil
}

// printSandbox prints, once, where the sandbox listens and the lines to
// paste into the game. This is the one place the command prints secrets:
// the keys it generated, which are valid only against this sandbox. Keys
// taken from the environment are not printed.
func (c *cli) printSandbox(fake *stashpaytest.Server, f *sandboxFlags, keys []sandboxKey) {
	w := c.stdout
	u := fake.URL()
	fmt.Fprintf(w, "Stash sandbox on %s (state in memory only: gone when it stops)\n", u)
	fmt.Fprintf(w, "  dashboard:         %s/\n", u)
	if f.webhookURL != "" {
		fmt.Fprintf(w, "  webhooks go to:    %s\n", f.webhookURL)
	} else {
		fmt.Fprintf(w, "  webhooks go to:    nowhere (set -webhook-url)\n")
	}
	if f.backendURL != "" {
		fmt.Fprintf(w, "  Game Backend:      %s (register, confirm, cancel)\n", f.backendURL)
	} else {
		fmt.Fprintf(w, "  Game Backend:      none (set -game-backend-url for register, confirm, cancel)\n")
	}
	fmt.Fprintf(w, "\nConfigure the game with these lines (printed once; sandbox keys, never valid at Stash):\n\n")
	fmt.Fprintf(w, "export %s=%s\n", envBaseURL, u)
	fmt.Fprintf(w, "export %s=%s\n", envShopID, f.shopID)
	for _, k := range keys {
		if k.generated {
			fmt.Fprintf(w, "export %s=%s\n", k.env, k.value)
		} else {
			fmt.Fprintf(w, "# %s: taken from your environment, not printed\n", k.env)
		}
	}
	fmt.Fprintf(w, "\nIn Go: stashpay.NewClient(stashpay.Credentials{ShopID: os.Getenv(%q), IngressKey: os.Getenv(%q)}, stashpay.WithBaseURL(%q))\n\n",
		envShopID, envIngressKey, u)
}
