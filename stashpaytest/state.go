package stashpaytest

import (
	"encoding/json"
	"errors"
	stashpay "github.com/stashpay/stashpay-go"
	"slices"
	"time"
)

// Errors of the fake's back-office methods.
var (
	ErrUnknownCheckout = errors.New("stashpaytest: unknown checkout")
	ErrNotPending      = errors.New("stashpaytest: checkout is not pending")
	ErrNotPaid         = errors.New("stashpaytest: checkout is not paid")
	ErrNoWebhookURL    = errors.New("stashpaytest: no webhook URL configured")
	ErrNoEgressURL     = errors.New("stashpaytest: no egress URL configured")
	ErrRegisterRefused = errors.New("stashpaytest: game refused register")
	ErrConfirmRefused  = errors.New("stashpaytest: game refused confirm")
	ErrNotDelivered    = errors.New("stashpaytest: webhook not delivered")
	ErrClosed          = errors.New("stashpaytest: server closed")
)

// Product is an entry of the fake's managed catalog, see [WithCatalogProduct].
type Product struct {
	ID           string // the catalog SKU that catalogItems refer to
	Name         string // copied to the checkout's Item; may be empty
	Description  string // copied to the checkout's Item; may be empty
	ImageURL     string // copied to the checkout's Item; may be empty
	PricePerItem string // decimal major units, e.g. "4.99"
}

// Item is one line of a checkout, with its price as the game sent it (or as
// the catalog holds it) and in minor units.
type Item struct {
	ID           string // the item's SKU; the productId of egress calls
	Name         string // as sent or from the catalog; may be empty
	Description  string // as sent or from the catalog; may be empty
	ImageURL     string // as sent or from the catalog; may be empty
	PricePerItem string // as sent: decimal major units
	Quantity     int64  // > 0
	UnitMinor    int64  // PricePerItem in minor units at the checkout's DecimalPlaces
}

// BonusItem is a free item granted with a checkout.
type BonusItem struct {
	ID          string // the bonus item's ID; never empty
	Name        string // as sent; may be empty
	Description string // as sent; may be empty
	ImageURL    string // as sent; may be empty
	Quantity    int64  // > 0
}

// User is the player a checkout was created for.
type User struct {
	ID              string // the player ID (user.id); never empty
	ValidatedEmail  string // as sent; may be empty
	ProfileImageURL string // as sent; may be empty
	DisplayName     string // as sent; may be empty
	RegionCode      string // as sent, not defaulted; may be empty
	Platform        string // as sent: "IOS", "ANDROID", "UNDEFINED", a number, or empty
}

// Checkout is the fake's record of one generate_quick_pay_url call and of what
// happened to its payment since. Values returned by the inspection methods are
// copies.
type Checkout struct {
	ID                string      // the checkout link ID, a UUID
	URL               string      // the checkout page, on the fake's own host
	TransactionID     string      // as sent, or a generated UUID when empty
	RegionCode        string      // as sent, "US" when empty
	Currency          string      // ISO 4217 code, upper-cased; "USD" when empty
	DecimalPlaces     int         // the currency's fraction digits (2 for USD, 0 for JPY)
	CheckoutSessionID string      // as sent; may be empty
	FromCatalog       bool        // created with catalogItems
	Items             []Item      // at least one
	BonusItems        []BonusItem // may be empty
	User              User        // the player the checkout is for
	Subtotal          int64       // minor units
	Tax               int64       // minor units
	Total             int64       // minor units, tax included
	// Status is the payment's status as GetPaymentEvent reports it, with
	// the stashpay package's values (Stash documents only
	// PAYMENT_STATUS_UNSPECIFIED; the others are both packages' assumption):
	// PaymentStatusPending until paid, PaymentStatusSucceeded once paid,
	// PaymentStatusFailed when the game refused or the payment was declined,
	// PaymentStatusRefunded after [Server.Refund].
	Status     stashpay.PaymentStatus
	OrderID    string          // set when paid
	CreatedAt  time.Time       // when the checkout was created
	PaidAt     time.Time       // when paid; zero until the payment succeeds
	RefundedAt time.Time       // zero until [Server.Refund]
	Body       json.RawMessage // the request body as received
}

func (c *Checkout) clone() Checkout {
	out := *c
	out.Items = slices.Clone(c.Items)
	out.BonusItems = slices.Clone(c.BonusItems)
	out.Body = slices.Clone(c.Body)
	return out
}

// IngressCall records one request the game made to the fake's API.
type IngressCall struct {
	Method     string    // the HTTP method, e.g. "POST"
	Path       string    // the URL path, without the query
	Auth       string    // "v1", "legacy-hmac", "api-key", or "" when the request carried none
	StatusCode int       // the HTTP status answered
	Code       int       // the google.rpc.Status code answered, 0 on success
	Message    string    // the error message answered, if any
	At         time.Time // when the request arrived
}

// Checkouts returns every checkout created so far, oldest first.
func (s *Server) Checkouts() []Checkout {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Checkout, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.checkouts[id].clone())
	}
	return out
}

// Checkout returns the checkout with the given ID.
func (s *Server) Checkout(id string) (Checkout, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.checkouts[id]
	if !ok {
		return Checkout{}, false
	}
	return c.clone(), true
}

// CheckoutByTransaction returns the checkout created with transactionID.
func (s *Server) CheckoutByTransaction(transactionID string) (Checkout, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.byTx[transactionID]
	if !ok {
		return Checkout{}, false
	}
	return s.checkouts[id].clone(), true
}

// SetPaymentStatus overrides a checkout's status, for tests of states the
// back-office methods do not reach. It sends nothing to the game.
func (s *Server) SetPaymentStatus(checkoutID string, status stashpay.PaymentStatus) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.checkouts[checkoutID]
	if !ok {
		return ErrUnknownCheckout
	}
	c.Status = status
	return nil
}

// IngressCalls returns every request made to the fake's API so far, oldest
// first, including rejected ones.
func (s *Server) IngressCalls() []IngressCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}
