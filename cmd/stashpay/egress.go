package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/google/uuid"
	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/internal/signing"
	"github.com/stashpay/stashpay-go/internal/wire"
	"github.com/stashpay/stashpay-go/stashpaytest"
)

// defaultEgressHost is the game backend egress send calls by default.
const defaultEgressHost = "http://localhost:8080"

const defaultEgressURL = defaultEgressHost + stashpay.ConfirmPaymentPath

// egressFlags are the flags that build an egress body.
type egressFlags struct {
	kind, shopID, user, item, transaction string
	guid, region, language                string // query values of the webshop's GET calls (send only)
}

func (c *cli) addEgressFlags(fs *flag.FlagSet, f *egressFlags, withURL bool) {
	kindDefault := "confirm"
	if withURL {
		kindDefault = "the -url path's last element, else confirm"
	}
	kinds := "`confirm`, register or cancel"
	if withURL {
		kinds = "`confirm`, register, cancel, or the webshop's GET calls catalog, offer or player"
	}
	fs.StringVar(&f.kind, "kind", "", "which call to play: "+kinds+" (default: "+kindDefault+")")
	fs.StringVar(&f.shopID, "shop-id", "", "the shop `ID` (default $"+envShopID+")")
	fs.StringVar(&f.user, "user", "player-1", "player `ID` in the sample body (the playerId of catalog, offer and player)")
	fs.StringVar(&f.item, "item", "gems_100", "product `ID` (SKU) in the sample body (the productId of offer)")
	fs.StringVar(&f.transaction, "transaction", "", "transaction `ID` in the sample body (default: a new UUID); reuse it to play register then confirm, or to replay a call: the checkout link ID and item GUIDs are derived from it")
}

// resolve fills the defaults of f: the shop ID from the environment and the
// kind from target's path.
func (c *cli) resolve(f *egressFlags, target string) error {
	if f.shopID == "" {
		f.shopID = c.env(envShopID)
	}
	if f.shopID == "" {
		return usagef("no shop ID: pass -shop-id or set %s", envShopID)
	}
	if f.kind == "" {
		f.kind = "confirm"
		if u, err := checkURL(target); err == nil {
			switch k := path.Base(u.Path); k {
			case "register", "confirm", "cancel", "catalog", "offer", "player":
				f.kind = k
			}
		}
	}
	if f.user == "" || f.item == "" {
		return usagef("-user and -item cannot be empty")
	}
	if f.transaction == "" {
		f.transaction = uuid.NewString()
	}
	return nil
}

// identityNamespace is the UUID namespace the sample bodies' checkout link
// ID and item GUIDs are derived in (UUID v5) from the transaction ID.
var identityNamespace = uuid.MustParse("5f0c2a1e-7d1b-4c55-9a5e-2f4c8b7e6d30")

// sampleEgressBody returns a realistic body of Stash's register, confirm or
// cancel call. Its checkout link ID and item GUIDs are derived from the
// transaction ID, as Stash keeps them for one purchase: register, confirm
// and cancel of one transaction, and a replay of any of them, carry the same
// identities, so a game that keys on either sees the replay as a duplicate.
func sampleEgressBody(f *egressFlags, now time.Time) ([]byte, error) {
	items := []stashpay.PurchaseItem{{
		GUID:      uuid.NewSHA1(identityNamespace, []byte("item\x00"+f.transaction+"\x00"+f.item)).String(),
		ProductID: f.item, Quantity: 2, Cents: 999,
		Metadata: map[string]string{"source": "stashpay-cli"},
	}}
	checkoutLinkID := uuid.NewSHA1(identityNamespace, []byte("checkout-link\x00"+f.transaction)).String()
	var body any
	switch f.kind {
	case "register":
		body = stashpay.RegisterPaymentRequest{
			PlayerID: f.user, TransactionID: f.transaction, CheckoutLinkID: checkoutLinkID, ShopID: f.shopID,
			Environment: stashpay.PaymentEnvironmentTest, Currency: "USD", DecimalPlaces: 2, Registrations: items,
			Platform: stashpay.PurchasePlatformWebstore, Source: stashpay.PurchaseSourceDirect,
			IPAddress: "127.0.0.1", Region: "US",
		}
	case "confirm":
		body = stashpay.ConfirmPaymentRequest{
			PlayerID: f.user, TransactionID: f.transaction, CheckoutLinkID: checkoutLinkID, ShopID: f.shopID,
			Environment: stashpay.PaymentEnvironmentTest, Currency: "USD", DecimalPlaces: 2,
			Tax: 150, Total: 2*999 + 150, Time: now.UTC(), PaymentMethodType: stashpay.PaymentMethodTypeCard,
			Items: items, Platform: stashpay.PurchasePlatformWebstore, Source: stashpay.PurchaseSourceDirect,
			IPAddress: "127.0.0.1", Region: "US",
		}
	case "cancel":
		body = stashpay.CancelPaymentRequest{
			PlayerID: f.user, TransactionID: f.transaction, CheckoutLinkID: checkoutLinkID, ShopID: f.shopID,
			Environment: stashpay.PaymentEnvironmentTest, Currency: "USD", DecimalPlaces: 2, Items: items,
		}
	default:
		return nil, usagef("-kind must be register, confirm or cancel (egress send also plays catalog, offer and player), got %q", f.kind)
	}
	b, err := json.MarshalIndent(body, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// egressGetPaths are the paths of the webshop's GET calls to the game, by
// -kind.
var egressGetPaths = map[string]string{
	"catalog": stashpay.CatalogPath,
	"offer":   stashpay.OfferDetailsPath,
	"player":  stashpay.PlayerPath,
}

// egressQuery returns the query of a webshop GET call of kind f.kind: the
// shop ID and player ID always, the offer's guid and productId for offer,
// and the region and language filters when set (player takes neither).
func egressQuery(f *egressFlags) url.Values {
	q := url.Values{"shopId": {f.shopID}, "playerId": {f.user}}
	if f.kind == "offer" {
		guid := f.guid
		if guid == "" {
			guid = uuid.NewSHA1(identityNamespace, []byte("offer\x00"+f.item)).String()
		}
		q.Set("guid", guid)
		q.Set("productId", f.item)
	}
	if f.kind != "player" {
		for name, v := range map[string]string{"region": f.region, "language": f.language} {
			if v != "" {
				q.Set(name, v)
			}
		}
	}
	return q
}

// egressGet plays the webshop's GET call of kind f.kind (catalog, offer or
// player): signed as Stash signs it, with the v1 header over an empty body
// (the query is not covered), then prints the answer. It fails unless the
// answer is 200, which is all the webshop accepts.
func (c *cli) egressGet(ctx context.Context, f *egressFlags, target, secret string, timeout time.Duration) error {
	if _, err := signing.NewKey([]byte(secret)); err != nil {
		return usagef("%v", err)
	}
	req, err := stashpaytest.NewEgressGetRequest(ctx, f.shopID, secret, target, egressQuery(f), time.Now())
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "stashpay-cli")
	hc := newHTTPClient(timeout)
	defer hc.CloseIdleConnections()
	a, err := exchange(hc, req)
	if a != nil {
		printAnswer(c.stdout, "", a)
	}
	if err != nil {
		return err
	}
	if a.status != http.StatusOK {
		fmt.Fprintf(c.stderr, "%s: a non-200 answer makes the webshop fail the %s call\n", programName, f.kind)
		return errFailed
	}
	return nil
}

// egressSample prints a sample egress body, unsigned.
func (c *cli) egressSample(_ context.Context, args []string) error {
	fs := c.newFlagSet("egress sample", "[-kind confirm|register|cancel] [-shop-id ID] [-user ID] [-item ID] [-transaction ID]")
	var f egressFlags
	c.addEgressFlags(fs, &f, false)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if err := c.resolve(&f, ""); err != nil {
		return err
	}
	b, err := sampleEgressBody(&f, time.Now())
	if err != nil {
		return err
	}
	_, err = c.stdout.Write(b)
	return err
}

// egressSend signs a body with the v1 scheme and the egress key, as Stash
// signs its register / confirm / cancel calls, and POSTs it. It fails
// unless the answer is HTTP 200 (see the package documentation). The
// kinds catalog, offer and player play the webshop's GET calls instead (see
// [cli.egressGet]); their default URL is the default host with the call's
// path.
func (c *cli) egressSend(ctx context.Context, args []string) error {
	fs := c.newFlagSet("egress send", "[-url URL] [-kind confirm|register|cancel|catalog|offer|player] [-shop-id ID] [-file body.json] [-user ID] [-item ID] [-transaction ID] [-guid ID] [-region CC] [-language LL] [-key-env NAME] [-timeout D]")
	keyEnv := fs.String("key-env", envEgressKey, "`NAME` of the environment variable holding the egress key (secrets are never taken from flags)")
	target := fs.String("url", defaultEgressURL, "the game backend's egress endpoint `URL`")
	file := fs.String("file", "", "send this body `file` (\"-\" for stdin) instead of a sample")
	timeout := fs.Duration("timeout", defaultTimeout, "timeout of the request")
	var f egressFlags
	c.addEgressFlags(fs, &f, true)
	fs.StringVar(&f.guid, "guid", "", "the offer's `UUID` (guid) for -kind offer (default: derived from -item)")
	fs.StringVar(&f.region, "region", "", "region filter (ISO 3166-1 alpha-2 `code`) for -kind catalog and offer")
	fs.StringVar(&f.language, "language", "", "language filter (ISO 639-1 `code`) for -kind catalog and offer")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	urlSet := false
	fs.Visit(func(fl *flag.Flag) { urlSet = urlSet || fl.Name == "url" })
	if p, ok := egressGetPaths[f.kind]; ok && !urlSet {
		*target = defaultEgressHost + p
	}
	if *timeout <= 0 {
		return usagef("-timeout must be positive")
	}
	if _, err := checkURL(*target); err != nil {
		return err
	}
	if err := c.resolve(&f, *target); err != nil {
		return err
	}
	secret, err := c.secret(*keyEnv, "egress key")
	if err != nil {
		return err
	}
	if _, ok := egressGetPaths[f.kind]; ok {
		if *file != "" {
			return usagef("-file does not apply to -kind %s: the webshop's GET calls have no body", f.kind)
		}
		return c.egressGet(ctx, &f, *target, secret, *timeout)
	}
	key, err := signing.NewKey([]byte(secret))
	if err != nil {
		return usagef("%v", err)
	}
	var body []byte
	if *file != "" {
		body, err = c.readInput(*file)
	} else {
		body, err = sampleEgressBody(&f, time.Now())
	}
	if err != nil {
		return err
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "stashpay-cli")
	h.Set(stashpay.EgressSignatureHeader, key.SignV1(f.shopID, time.Now(), body))
	hc := newHTTPClient(*timeout)
	defer hc.CloseIdleConnections()
	a, err := post(ctx, hc, *target, body, h)
	if a != nil {
		printAnswer(c.stdout, "", a)
	}
	if err != nil {
		return err
	}
	if a.status != http.StatusOK {
		fmt.Fprintf(c.stderr, "%s: answer HTTP 200: Stash fails the purchase on a non-2xx answer, and register and cancel must always answer 200\n", programName)
		return errFailed
	}
	switch f.kind {
	case "register":
		return c.checkRegistration(a.body)
	case "confirm":
		return c.checkConfirmation(a.body)
	}
	return nil
}

// checkConfirmation reads a confirm answer: Stash takes it as a success
// (and captures the charge) only when it holds at least one result.
func (c *cli) checkConfirmation(body []byte) error {
	var resp stashpay.ConfirmPaymentResponse
	if err := strictAnswer(body); err != nil {
		fmt.Fprintf(c.stderr, "%s: the confirm answer has a member of another kind than Stash reads (%v): Stash fails the purchase\n", programName, err)
		return errFailed
	}
	if err := resp.UnmarshalJSON(body); err != nil {
		fmt.Fprintf(c.stderr, "%s: the confirm answer is not a results object (%v): Stash fails the purchase\n", programName, err)
		return errFailed
	}
	if len(resp.Results) == 0 {
		fmt.Fprintf(c.stderr, "%s: the confirm answer has no results: Stash fails the purchase\n", programName)
		return errFailed
	}
	for i, res := range resp.Results {
		if !res.Valid() {
			fmt.Fprintf(c.stderr, "%s: confirm result %d names neither a product ID nor a GUID that is a UUID: Stash refuses the answer\n", programName, i)
			return errFailed
		}
	}
	return nil
}

// checkRegistration reads a register answer, which Stash expects as HTTP 200
// whatever the outcome, with one status per item: any status other than
// SUCCESS_REGISTERED refuses the purchase. It names each refused item.
func (c *cli) checkRegistration(body []byte) error {
	var resp stashpay.RegisterPaymentResponse
	if err := strictAnswer(body); err != nil {
		fmt.Fprintf(c.stderr, "%s: the register answer has a member of another kind than Stash reads (%v): Stash fails the purchase\n", programName, err)
		return errFailed
	}
	if err := resp.UnmarshalJSON(body); err != nil {
		fmt.Fprintf(c.stderr, "%s: the register answer is not a statuses object (%v): Stash fails the purchase\n", programName, err)
		return errFailed
	}
	if len(resp.Statuses) == 0 {
		fmt.Fprintf(c.stderr, "%s: the register answer has no statuses: Stash fails the purchase\n", programName)
		return errFailed
	}
	refused := 0
	for i, st := range resp.Statuses {
		if st.GUID == "" && st.ProductID == "" {
			fmt.Fprintf(c.stderr, "%s: register status %d names neither a product ID nor a GUID: Stash refuses the answer\n", programName, i)
			return errFailed
		}
		if st.Status == stashpay.PurchaseRegistrationStatusSuccessRegistered {
			continue
		}
		refused++
		item := st.ProductID
		if st.GUID != "" {
			item = strings.TrimSpace(st.GUID + " " + st.ProductID)
		}
		msg := ""
		if st.Message != "" {
			msg = ": " + printable([]byte(st.Message))
		}
		fmt.Fprintf(c.stderr, "%s: item %s refused: %s%s\n", programName, printable([]byte(item)), printable([]byte(st.Status)), msg)
	}
	if refused > 0 {
		fmt.Fprintf(c.stderr, "%s: a refused registration makes Stash fail the purchase\n", programName)
		return errFailed
	}
	return nil
}

// strictAnswer refuses a register or confirm answer with a JSON number
// where Stash reads a string (a productId of 100), as Stash's protobuf
// parser does, and as the fake Stash does: the SDK's own reader, which the
// checks above use, would read it as its text.
func strictAnswer(body []byte) error {
	var probe struct {
		Results []struct {
			GUID      string `json:"guid"`
			ProductID string `json:"productId"`
		} `json:"results"`
		Statuses []struct {
			GUID      string          `json:"guid"`
			ProductID string          `json:"productId"`
			Message   string          `json:"message"`
			Status    json.RawMessage `json:"status"`
		} `json:"statuses"`
	}
	return wire.UnmarshalStrictStrings(body, &probe)
}
