// Package app holds the plumbing the example game backends share: reading
// their configuration from the environment, the Stash client, the game's
// price list, the checkout and inventory endpoints, and (in server.go) the
// main function and the HTTP server with its timeouts. What differs between the examples, how each granting flow
// grants, stays in each example's main.go.
package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/examples/internal/inventory"
	"github.com/stashpay/stashpay-go/grant"
)

// DefaultAddr is the listen address when ADDR is not set: loopback only.
const DefaultAddr = "localhost:8080"

// Config is the configuration every example reads from the environment.
type Config struct {
	ShopID     string               // STASH_SHOP_ID, required: Studio's App ID
	IngressKey Secret               // STASH_INGRESS_KEY, required: the Ingress API key
	Env        stashpay.Environment // STASH_ENV: test (default) or production
	BaseURL    string               // STASH_BASE_URL: overrides the API base URL (e.g. a stashpaytest fake)
	Addr       string               // ADDR: listen address, default DefaultAddr
}

// LoadConfig reads Config through getenv (os.Getenv in main). The error
// names every required variable that is missing; it never contains a value.
func LoadConfig(getenv func(string) string) (Config, error) {
	cfg := Config{BaseURL: getenv("STASH_BASE_URL"), Addr: getenv("ADDR")}
	var errs []error
	cfg.ShopID, errs = required(getenv, "STASH_SHOP_ID", errs)
	var key string
	key, errs = required(getenv, "STASH_INGRESS_KEY", errs)
	cfg.IngressKey = Secret(key)
	switch getenv("STASH_ENV") {
	case "", "test":
		cfg.Env = stashpay.Test
	case "production":
		cfg.Env = stashpay.Production
	default:
		errs = append(errs, errors.New("STASH_ENV must be test or production"))
	}
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	return cfg, errors.Join(errs...)
}

// Secret is a key read from the environment. It prints (with any fmt verb),
// logs (slog) and marshals as "[redacted]", so that a configuration printed
// or logged whole shows no key; Reveal returns the value, for the SDK.
type Secret string

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// String returns "[redacted]", or "" for an empty secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// Format implements fmt.Formatter: every verb prints [Secret.String].
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText implements encoding.TextMarshaler (and so JSON).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Required returns the value of the environment variable name, or an error
// saying it is not set.
func Required(getenv func(string) string, name string) (string, error) {
	v, errs := required(getenv, name, nil)
	return v, errors.Join(errs...)
}

func required(getenv func(string) string, name string, errs []error) (string, []error) {
	v := getenv(name)
	if v == "" {
		errs = append(errs, errors.New(name+" is not set"))
	}
	return v, errs
}

// NewClient returns a Stash client for cfg that logs to log. opts are applied
// after cfg's (a test adds stashpay.WithHTTPClient, for instance).
func NewClient(cfg Config, log *slog.Logger, opts ...stashpay.Option) (*stashpay.Client, error) {
	all := []stashpay.Option{stashpay.WithEnvironment(cfg.Env), stashpay.WithLogger(log)}
	if cfg.BaseURL != "" {
		all = append(all, stashpay.WithBaseURL(cfg.BaseURL))
	}
	return stashpay.NewClient(stashpay.Credentials{ShopID: cfg.ShopID, IngressKey: cfg.IngressKey.Reveal()}, append(all, opts...)...)
}

// Price returns the price of a SKU the game sells, in dollars.
func Price(sku string) (stashpay.Amount, bool) {
	switch sku {
	case "gems_100":
		return "1.99", true
	case "gems_500":
		return "8.99", true
	case "sword":
		return "4.99", true
	default:
		return "", false
	}
}

// CheckoutHandler serves POST /checkout {"playerId": "alice", "sku":
// "gems_100"}: it creates a Stash checkout for one unit of the SKU and
// answers {"checkoutId", "url", "transactionId"}. created, when not nil, is
// called with the checkout before the answer is written.
func CheckoutHandler(client *stashpay.Client, log *slog.Logger, created func(co *stashpay.Checkout, player, sku string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			PlayerID string `json:"playerId"`
			SKU      string `json:"sku"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil || req.PlayerID == "" {
			http.Error(w, `want {"playerId", "sku"}`, http.StatusBadRequest)
			return
		}
		p, ok := Price(req.SKU)
		if !ok {
			http.Error(w, "unknown sku", http.StatusBadRequest)
			return
		}
		co, err := client.CreateCheckout(r.Context(), &stashpay.CheckoutParams{
			Item: &stashpay.CheckoutItem{ID: req.SKU, PricePerItem: p, Quantity: 1, Name: req.SKU},
			User: stashpay.CheckoutUser{ID: req.PlayerID},
		})
		if err != nil {
			log.Error("create checkout", "error", err)
			http.Error(w, "checkout failed", http.StatusBadGateway)
			return
		}
		if created != nil {
			created(co, req.PlayerID, req.SKU)
		}
		WriteJSON(w, http.StatusOK, map[string]string{"checkoutId": co.ID, "url": co.URL, "transactionId": co.TransactionID})
	}
}

// InventoryHandler serves GET /inventory?player=alice: what a player owns.
func InventoryHandler(inv *inventory.Inventory) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		player := r.URL.Query().Get("player")
		WriteJSON(w, http.StatusOK, map[string]any{"player": player, "items": inv.Items(player)})
	}
}

// WriteJSON answers v as JSON with status code.
func WriteJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// Items returns the items of a purchase, on whichever route it came, as
// inventory items.
func Items(p *grant.Purchase) []inventory.Item {
	items := make([]inventory.Item, 0, len(p.Items))
	for _, it := range p.Items {
		items = append(items, inventory.Item{SKU: it.ID, Quantity: it.Quantity})
	}
	return items
}

// OtherEnvironment reports whether a webhook event's environment field names
// the Stash environment other than want. Stash sends "test" or a production
// value whose exact spelling public sources do not settle ("production" or
// "prod"), so anything starting with "prod" counts as production. An empty
// or unrecognised value is not treated as the other environment: the event
// is processed rather than silently dropped.
func OtherEnvironment(eventEnv string, want stashpay.Environment) bool {
	env := strings.ToLower(strings.TrimSpace(eventEnv))
	switch {
	case env == "test":
		return want != stashpay.Test
	case strings.HasPrefix(env, "prod"):
		return want != stashpay.Production
	default:
		return false
	}
}

// EgressItems returns the lines of an egress purchase call (register or
// confirm) as inventory items.
func EgressItems(lines []stashpay.PurchaseItem) []inventory.Item {
	out := make([]inventory.Item, 0, len(lines))
	for _, l := range lines {
		out = append(out, inventory.Item{SKU: l.ProductID, Quantity: l.Quantity})
	}
	return out
}
