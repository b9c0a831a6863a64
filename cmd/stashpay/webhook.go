package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stashpay/stashpay-go/webhook"
)

const (
	defaultWebhookURL = "http://localhost:8080/webhooks/stash"
	maxTimes          = 100
)

// secretEnvFlag registers -secret-env on fs.
func secretEnvFlag(fs *flag.FlagSet) *string {
	return fs.String("secret-env", envWebhookSecret,
		"`NAME` of the environment variable holding the webhook secret (secrets are never taken from flags)")
}

// webhookSign prints the Stash-Hmac-Signature of a payload.
func (c *cli) webhookSign(_ context.Context, args []string) error {
	fs := c.newFlagSet("webhook sign", "[-secret-env NAME] [file|-]")
	secretEnv := secretEnvFlag(fs)
	header := fs.Bool("header", false, "print a full \"Stash-Hmac-Signature: ...\" header line")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	secret, payload, err := c.webhookInput(*secretEnv, fs.Arg(0))
	if err != nil {
		return err
	}
	sig := webhook.Sign(payload, secret)
	if *header {
		fmt.Fprintf(c.stdout, "%s: %s\n", webhook.SignatureHeader, sig)
	} else {
		fmt.Fprintln(c.stdout, sig)
	}
	return nil
}

// webhookInput reads what sign and verify work on: the webhook secret from
// the environment variable secretEnv, and the payload from path.
func (c *cli) webhookInput(secretEnv, path string) (secret string, payload []byte, err error) {
	if secret, err = c.secret(secretEnv, "webhook secret"); err != nil {
		return "", nil, err
	}
	if payload, err = c.readInput(path); err != nil {
		return "", nil, err
	}
	return secret, payload, nil
}

// webhookVerify checks a signature against a payload. It prints "valid" or
// "invalid" and never the secret or the expected MAC.
func (c *cli) webhookVerify(_ context.Context, args []string) error {
	fs := c.newFlagSet("webhook verify", "-signature SIG [-secret-env NAME] [file|-]")
	secretEnv := secretEnvFlag(fs)
	sig := fs.String("signature", "", "the Stash-Hmac-Signature header value to check (required)")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	if *sig == "" {
		fs.Usage()
		return usagef("-signature is required")
	}
	secret, payload, err := c.webhookInput(*secretEnv, fs.Arg(0))
	if err != nil {
		return err
	}
	v, err := webhook.NewVerifier(secret)
	if err != nil {
		return usagef("%v", err)
	}
	if err := v.Verify(payload, *sig); err != nil {
		msg := "the signature does not match this payload and secret"
		if errors.Is(err, webhook.ErrMissingSignature) {
			msg = "the signature is empty"
		}
		fmt.Fprintf(c.stdout, "invalid: %s (%d bytes checked)\n", msg, len(payload))
		return errFailed
	}
	fmt.Fprintf(c.stdout, "valid (%d bytes checked)\n", len(payload))
	return nil
}

// webhookFlags are the flags that pick or build a payload.
type webhookFlags struct {
	typ, file, user, item string
}

func (c *cli) addPayloadFlags(fs *flag.FlagSet, f *webhookFlags, withFile bool) {
	fs.StringVar(&f.typ, "type", string(events.TypePurchaseSucceeded), "`TYPE` of the sample event, v1 (PURCHASE_SUCCEEDED, ...) or v2 (subscription.created, ...)")
	fs.StringVar(&f.user, "user", "player-1", "player `ID` in the sample event")
	fs.StringVar(&f.item, "item", "gems_100", "item or plan `ID` in the sample event")
	if withFile {
		fs.StringVar(&f.file, "file", "", "send this payload `file` (\"-\" for stdin) instead of a sample; -type, -user and -item are then ignored")
	}
}

func (c *cli) samplePayload(f *webhookFlags) ([]byte, error) {
	if f.user == "" || f.item == "" {
		return nil, usagef("-user and -item cannot be empty")
	}
	b, err := stashpaytest.SampleEvent(events.Type(f.typ), stashpaytest.SampleParams{UserID: f.user, ItemID: f.item, ShopID: c.env(envShopID), Now: time.Now()})
	if errors.Is(err, stashpaytest.ErrNoSample) {
		return nil, usagef("no sample for event type %q; use -file for a custom payload, or one of: %s", f.typ, sampleTypeList())
	}
	return b, err
}

// sampleTypeList lists the types a sample exists for, comma separated.
func sampleTypeList() string {
	var b strings.Builder
	for i, t := range stashpaytest.SampleEventTypes() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(t))
	}
	return b.String()
}

// webhookSample prints a sample event, unsigned.
func (c *cli) webhookSample(_ context.Context, args []string) error {
	fs := c.newFlagSet("webhook sample", "[-type TYPE] [-user ID] [-item ID]")
	var f webhookFlags
	c.addPayloadFlags(fs, &f, false)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	payload, err := c.samplePayload(&f)
	if err != nil {
		return err
	}
	_, err = c.stdout.Write(payload)
	return err
}

// webhookSend signs a payload and POSTs it the way Stash delivers webhooks.
// It fails unless every copy is answered exactly HTTP 200, which is the only
// answer Stash counts as delivered.
func (c *cli) webhookSend(ctx context.Context, args []string) error {
	fs := c.newFlagSet("webhook send", "[-url URL] [-type TYPE] [-file payload.json] [-user ID] [-item ID] [-times N]")
	secretEnv := secretEnvFlag(fs)
	target := fs.String("url", defaultWebhookURL, "the game backend's webhook `URL`")
	times := fs.Int("times", 1, "deliver the same payload `N` times, as Stash redelivers (Stash-Retry-Count 0, 1, ...)")
	timeout := fs.Duration("timeout", defaultTimeout, "timeout of each request")
	var f webhookFlags
	c.addPayloadFlags(fs, &f, true)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if *times < 1 || *times > maxTimes {
		return usagef("-times must be between 1 and %d", maxTimes)
	}
	if *timeout <= 0 {
		return usagef("-timeout must be positive")
	}
	if _, err := checkURL(*target); err != nil {
		return err
	}
	var payload []byte
	var err error
	if f.file != "" {
		payload, err = c.readInput(f.file)
	} else {
		payload, err = c.samplePayload(&f)
	}
	if err != nil {
		return err
	}
	secret, err := c.secret(*secretEnv, "webhook secret")
	if err != nil {
		return err
	}
	hc := newHTTPClient(*timeout)
	defer hc.CloseIdleConnections()
	sig := webhook.Sign(payload, secret)
	failed := 0
	for i := range *times {
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		h.Set("User-Agent", "stashpay-cli")
		h.Set(webhook.SignatureHeader, sig)
		h.Set(webhook.RetryCountHeader, strconv.Itoa(i))
		prefix := ""
		if *times > 1 {
			prefix = fmt.Sprintf("[%d/%d] ", i+1, *times)
		}
		a, err := post(ctx, hc, *target, payload, h)
		if a != nil {
			printAnswer(c.stdout, prefix, a)
		}
		switch {
		case err != nil:
			fmt.Fprintf(c.stderr, "%s%s: %v\n", prefix, programName, err)
			failed++
		case a.status != http.StatusOK:
			fmt.Fprintf(c.stderr, "%s%s: Stash counts only HTTP 200 as delivered and would retry this webhook\n", prefix, programName)
			failed++
		case len(strings.TrimSpace(string(a.body))) == 0:
			fmt.Fprintf(c.stderr, "%s%s: Stash counts only HTTP 200 with a body (even {}) as delivered and would retry this webhook\n", prefix, programName)
			failed++
		}
		if ctx.Err() != nil {
			break
		}
	}
	if failed > 0 {
		return errFailed
	}
	return nil
}
