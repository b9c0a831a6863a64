package stashpay

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/internal/signing"
)

// Defaults of [EgressConfig].
const (
	// DefaultEgressMaxBodyBytes is the largest egress request body read by
	// default: 1 MiB. Larger bodies are answered 413 without verification.
	DefaultEgressMaxBodyBytes int64 = 1 << 20
	// DefaultEgressLease is how long a confirm call holds its transaction's
	// exactly-once key while the game's function runs, by default. It must
	// outlast the function: after it, a retry may run the function again.
	DefaultEgressLease = 2 * time.Minute
	// DefaultEgressBusyWait is how long, by default, a confirm call for a
	// transaction whose confirmation is running elsewhere waits for that one
	// to finish before answering 503.
	DefaultEgressBusyWait = 10 * time.Second
)

// EgressConfig configures the handlers Stash calls on the game backend:
// [ConfirmPaymentHandler], [RegisterPaymentHandler], [CancelPaymentHandler]
// and [PurchaseHandler]. ShopID and EgressKey are required; everything else
// has a default. The handlers copy the config; changing it afterwards has no
// effect. String, GoString, Format, LogValue and MarshalJSON never reveal the
// keys.
type EgressConfig struct {
	// ShopID is the shop's ID (Studio's "App ID"). The v1 signature's shop
	// field must equal it. Required.
	ShopID string
	// EgressKey is the Egress API key from Studio (Project Settings, API
	// Secrets), used as the raw bytes of the string unless Base64Key is set.
	// Required.
	EgressKey string
	// PreviousEgressKeys are also accepted, for a key rotation: add the old
	// key here when you put the new one in EgressKey, remove it once Stash
	// signs with the new one.
	PreviousEgressKeys []string
	// Base64Key makes the handlers base64-decode every key (standard or
	// URL-safe alphabet, padded or not) and use the decoded bytes, as some
	// older Stash samples did. Off by default: Stash signs with the raw
	// string.
	Base64Key bool
	// AllowLegacySignature accepts the deprecated "stash-hmac-signature"
	// header (a body-only HMAC, without timestamp or shop ID, so replayable)
	// on requests that carry no v1 "x-stash-hmac-signature" header. A request
	// with a v1 header is judged by it alone. Off by default.
	AllowLegacySignature bool
	// Tolerance is how far the v1 signature's timestamp may be from the
	// handler's clock, either way. 0 means 5 minutes, Stash's window.
	Tolerance time.Duration
	// Store makes confirm exactly-once per transaction. If nil, each handler
	// gets its own [dedup.MemoryStore], which protects one process only: a
	// backend with several replicas must share a store (Redis, PostgreSQL),
	// ideally the one its webhook handler uses.
	Store dedup.Store
	// Lease is how long a confirm call holds its key; 0 means
	// [DefaultEgressLease].
	Lease time.Duration
	// BusyWait is how long a confirm call waits while another call for the
	// same key is running, before answering 503; 0 means
	// [DefaultEgressBusyWait], a negative value answers 503 at once.
	BusyWait time.Duration
	// KeyFunc derives the exactly-once key of a confirm call. The default,
	// also used when KeyFunc returns "", is [DefaultConfirmKey]
	// ("purchase-tx:" + TransactionID). A game that also grants on the
	// PURCHASE_SUCCEEDED webhook (which carries checkoutLinkId and orderId,
	// not transactionId) keys both paths on the same identity, for instance
	// "checkout:" + CheckoutLinkID here and in the webhook handler's key
	// function, with one shared Store, so that a purchase is granted once.
	KeyFunc func(req *ConfirmPaymentRequest) string
	// MaxBodyBytes caps the request body; 0 or less means
	// [DefaultEgressMaxBodyBytes].
	MaxBodyBytes int64
	// Logger receives rejected calls, failures, panics and duplicates.
	// Records never contain a key or a signature. If nil, nothing is logged.
	Logger *slog.Logger
}

// DefaultConfirmKey returns the default exactly-once key of a confirm call:
// "purchase-tx:" + req.TransactionID.
func DefaultConfirmKey(req *ConfirmPaymentRequest) string {
	return "purchase-tx:" + req.TransactionID
}

// Validate reports whether the config can serve requests: ShopID and
// EgressKey set, and every key decodable when Base64Key is set. Errors wrap
// [ErrInvalidEgressConfig] and never contain a key. The handler constructors
// do not fail; with an invalid config they return a handler that answers
// every call 500 and logs why, so call Validate at startup to fail early.
func (c EgressConfig) Validate() error {
	_, err := c.keys()
	return err
}

// keys builds the signing keys, EgressKey first.
func (c EgressConfig) keys() ([]*signing.Key, error) {
	if strings.TrimSpace(c.ShopID) == "" {
		return nil, fmt.Errorf("%w: empty ShopID", ErrInvalidEgressConfig)
	}
	if c.EgressKey == "" {
		return nil, fmt.Errorf("%w: empty EgressKey", ErrInvalidEgressConfig)
	}
	secrets := append([]string{c.EgressKey}, c.PreviousEgressKeys...)
	keys := make([]*signing.Key, 0, len(secrets))
	for i, s := range secrets {
		raw := []byte(s)
		if c.Base64Key {
			var ok bool
			if raw, ok = egressDecodeKey(s); !ok {
				return nil, fmt.Errorf("%w: key %d is not base64", ErrInvalidEgressConfig, i)
			}
		}
		k, err := signing.NewKey(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: key %d is empty", ErrInvalidEgressConfig, i)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// egressDecodeKey decodes a key in any base64 variant.
func egressDecodeKey(s string) ([]byte, bool) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) > 0 {
			return b, true
		}
	}
	return nil, false
}

// String describes the config with the keys redacted.
func (c EgressConfig) String() string {
	return fmt.Sprintf("stashpay.EgressConfig{ShopID: %q, EgressKey: %s, PreviousEgressKeys: %d redacted, Base64Key: %t, AllowLegacySignature: %t, Tolerance: %s, Lease: %s, BusyWait: %s, MaxBodyBytes: %d}",
		c.ShopID, egressRedacted(c.EgressKey), len(c.PreviousEgressKeys), c.Base64Key, c.AllowLegacySignature,
		c.Tolerance, c.Lease, c.BusyWait, c.MaxBodyBytes)
}

// GoString is String, so that %#v does not reveal the keys either.
func (c EgressConfig) GoString() string { return c.String() }

// Format writes String for every verb, so that no verb (%v, %+v, %#v, %s,
// %d, %x, ...) prints the keys.
func (c EgressConfig) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(c.String())) }

// LogValue makes slog log the config with the keys redacted.
func (c EgressConfig) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("shop_id", c.ShopID),
		slog.String("egress_key", egressRedacted(c.EgressKey)),
		slog.Bool("allow_legacy_signature", c.AllowLegacySignature),
	)
}

// MarshalJSON writes the redacted description, never the keys.
func (c EgressConfig) MarshalJSON() ([]byte, error) {
	return json.Marshal(c.String())
}

func egressRedacted(key string) string {
	if key == "" {
		return `""`
	}
	return "[redacted]"
}
