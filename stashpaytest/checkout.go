package stashpaytest

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/internal/money"
)

type wireCheckoutItem struct {
	ID           string  `json:"id"`
	PricePerItem *string `json:"pricePerItem"`
	Quantity     int64   `json:"quantity"`
	ImageURL     string  `json:"imageUrl"`
	Name         string  `json:"name"`
	Description  string  `json:"description"`
}

type wireCatalogItem struct {
	ID       string `json:"id"`
	Quantity int64  `json:"quantity"`
}

type wireBonusItem struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	ImageURL    string `json:"imageUrl"`
	Quantity    int64  `json:"quantity"`
}

type wireUser struct {
	ID              string   `json:"id"`
	ValidatedEmail  string   `json:"validatedEmail"`
	ProfileImageURL string   `json:"profileImageUrl"`
	DisplayName     string   `json:"displayName"`
	RegionCode      string   `json:"regionCode"`
	Platform        enumText `json:"platform"`
}

type wireCheckoutRequest struct {
	Item                *wireCheckoutItem `json:"item"`
	CatalogItems        []wireCatalogItem `json:"catalogItems"`
	BonusItems          []wireBonusItem   `json:"bonusItems"`
	User                *wireUser         `json:"user"`
	TransactionID       string            `json:"transactionId"`
	RegionCode          string            `json:"regionCode"`
	Currency            string            `json:"currency"`
	CheckoutSessionID   string            `json:"checkoutSessionId"`
	CreatePaymentIntent bool              `json:"createPaymentIntent"`
}

// currencyScale returns the CLDR fraction-digit count of an ISO 4217 code
// (CLDR supplemental currencyData "digits"), which is what Stash sends as
// decimalPlaces; it differs from ISO 4217's minor unit for IQD, ALL, RSD ...
func currencyScale(cur string) int {
	switch cur {
	case "AFN", "ALL", "BIF", "CLP", "DJF", "GNF", "IQD", "IRR", "ISK", "JPY", "KMF", "KPW", "KRW", "LAK", "LBP",
		"MGA", "MMK", "PYG", "RSD", "RWF", "SLL", "SOS", "SYP", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF", "YER":
		return 0
	case "BHD", "JOD", "KWD", "LYD", "OMR", "TND":
		return 3
	case "CLF", "UYW":
		return 4
	default:
		return 2
	}
}

func letters(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// handleCheckout serves POST /sdk/server/checkout_links/generate_quick_pay_url.
func (s *Server) handleCheckout(_ *http.Request, body []byte) (any, *rpcError) {
	var req wireCheckoutRequest
	if err := decodeObject(body, &req); err != nil {
		return nil, errInvalid("invalid request body: " + err.Error())
	}
	c, rerr := s.newCheckout(&req)
	if rerr != nil {
		return nil, rerr
	}
	c.Body = bytes.Clone(body)

	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.byTx[c.TransactionID]; ok {
		prev := s.checkouts[id]
		// A replay of the same request (a client retry) returns the same
		// checkout; another request reusing the transaction ID is refused.
		if !sameCheckout(prev, c) {
			return nil, &rpcError{status: http.StatusConflict, code: codeAlreadyExists, message: "transactionId is already used by another checkout"}
		}
		c = prev
	} else {
		s.checkouts[c.ID] = c
		s.order = append(s.order, c.ID)
		s.byTx[c.TransactionID] = c.ID
	}
	return map[string]string{"url": c.URL, "id": c.ID, "regionCode": c.RegionCode}, nil
}

// sameCheckout reports whether b asks for the same purchase as a.
func sameCheckout(a, b *Checkout) bool {
	if a.User.ID != b.User.ID || a.Currency != b.Currency || a.Total != b.Total || len(a.Items) != len(b.Items) {
		return false
	}
	for i := range a.Items {
		if a.Items[i].ID != b.Items[i].ID || a.Items[i].Quantity != b.Items[i].Quantity || a.Items[i].UnitMinor != b.Items[i].UnitMinor {
			return false
		}
	}
	return true
}

// newCheckout validates a request as Stash documents it and prices it.
func (s *Server) newCheckout(req *wireCheckoutRequest) (*Checkout, *rpcError) {
	if (req.Item == nil) == (len(req.CatalogItems) == 0) {
		return nil, errInvalid("exactly one of item and catalogItems must be set")
	}
	if req.User == nil || req.User.ID == "" {
		return nil, errInvalid("user.id is required")
	}
	cur := strings.ToUpper(req.Currency)
	if cur == "" {
		cur = "USD"
	}
	if !letters(cur, 3, 3) {
		return nil, errInvalid("currency must be an ISO 4217 code")
	}
	region := req.RegionCode
	if region == "" {
		region = "US"
	}
	if !letters(region, 2, 3) {
		return nil, errInvalid("regionCode must be a 2 or 3 letter country code")
	}
	scale := currencyScale(cur)
	c := &Checkout{
		ID:                uuid.NewString(),
		TransactionID:     req.TransactionID,
		RegionCode:        region,
		Currency:          cur,
		DecimalPlaces:     scale,
		CheckoutSessionID: req.CheckoutSessionID,
		Status:            stashpay.PaymentStatusPending,
		CreatedAt:         s.cfg.now(),
		User: User{
			ID: req.User.ID, ValidatedEmail: req.User.ValidatedEmail, ProfileImageURL: req.User.ProfileImageURL,
			DisplayName: req.User.DisplayName, RegionCode: req.User.RegionCode, Platform: string(req.User.Platform),
		},
	}
	if c.TransactionID == "" {
		c.TransactionID = uuid.NewString()
	}
	c.URL = s.url + "/pay/" + c.ID
	if req.Item != nil {
		it := req.Item
		if it.ID == "" {
			return nil, errInvalid("item.id is required")
		}
		if it.PricePerItem == nil || *it.PricePerItem == "" {
			return nil, errInvalid("item.pricePerItem is required")
		}
		item := Item{ID: it.ID, Name: it.Name, Description: it.Description, ImageURL: it.ImageURL,
			PricePerItem: *it.PricePerItem, Quantity: it.Quantity}
		if rerr := priceItem(&item, scale, "item"); rerr != nil {
			return nil, rerr
		}
		c.Items = []Item{item}
	} else {
		c.FromCatalog = true
		if len(s.cfg.catalog) == 0 {
			return nil, &rpcError{status: http.StatusBadRequest, code: codeFailedPrecondition, message: "managed catalog is not enabled for this shop"}
		}
		for i, ci := range req.CatalogItems {
			field := "catalogItems[" + strconv.Itoa(i) + "]"
			if ci.ID == "" {
				return nil, errInvalid(field + ".id is required")
			}
			p, ok := s.cfg.catalog[ci.ID]
			if !ok {
				return nil, &rpcError{status: http.StatusNotFound, code: codeNotFound, message: fmt.Sprintf("catalog item %q not found", ci.ID)}
			}
			item := Item{ID: p.ID, Name: p.Name, Description: p.Description, ImageURL: p.ImageURL,
				PricePerItem: p.PricePerItem, Quantity: ci.Quantity}
			if rerr := priceItem(&item, scale, field); rerr != nil {
				return nil, rerr
			}
			c.Items = append(c.Items, item)
		}
	}
	for i, b := range req.BonusItems {
		field := "bonusItems[" + strconv.Itoa(i) + "]"
		if b.ID == "" {
			return nil, errInvalid(field + ".id is required")
		}
		if b.Quantity <= 0 {
			return nil, errInvalid(field + ".quantity must be positive")
		}
		c.BonusItems = append(c.BonusItems, BonusItem(b))
	}
	for _, it := range c.Items {
		line, ok := mulInt(it.UnitMinor, it.Quantity)
		if !ok || c.Subtotal > math.MaxInt64-line {
			return nil, errInvalid("checkout total is out of range")
		}
		c.Subtotal += line
	}
	tax, ok := mulInt(c.Subtotal, s.cfg.taxBasisPts)
	if !ok {
		return nil, errInvalid("checkout total is out of range")
	}
	c.Tax = (tax + 5000) / 10000
	c.Total = c.Subtotal + c.Tax
	if c.Total > math.MaxUint32 {
		// Egress carries amounts as uint32 minor units.
		return nil, errInvalid("checkout total is out of range")
	}
	return c, nil
}

func priceItem(it *Item, scale int, field string) *rpcError {
	if it.Quantity <= 0 {
		return errInvalid(field + ".quantity must be positive")
	}
	minor, err := money.ToMinor(it.PricePerItem, scale)
	if err != nil {
		return errInvalid(field + ".pricePerItem is not a valid amount: " + err.Error())
	}
	if minor <= 0 {
		return errInvalid(field + ".pricePerItem must be positive")
	}
	it.UnitMinor = minor
	return nil
}

func mulInt(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	if a < 0 || b < 0 || a > math.MaxInt64/b {
		return 0, false
	}
	return a * b, true
}

// formatAmount renders minor units as a decimal string at scale.
func formatAmount(minor int64, scale int) string {
	s, err := money.Format(minor, scale)
	if err != nil {
		return strconv.FormatInt(minor, 10)
	}
	return s
}

type wirePaymentItem struct {
	ID           string `json:"id"`
	PricePerItem string `json:"pricePerItem"`
	Quantity     int64  `json:"quantity"`
	Name         string `json:"name,omitempty"`
	Description  string `json:"description,omitempty"`
}

type wirePaymentBonus struct {
	ID          string `json:"id"`
	Name        string `json:"name,omitempty"`
	Quantity    int64  `json:"quantity"`
	Description string `json:"description,omitempty"`
}

type wirePaymentEvent struct {
	Status     stashpay.PaymentStatus `json:"status"`
	Items      []wirePaymentItem      `json:"items"`
	TimeMillis string                 `json:"timeMillis"`
	Currency   string                 `json:"currency"`
	Total      string                 `json:"total"`
	Tax        string                 `json:"tax"`
	BonusItems []wirePaymentBonus     `json:"bonusItems"`
}

// handlePaymentEvent serves GET /sdk/server/payment/{id}. The ID is the
// checkout ID returned by generate_quick_pay_url; once paid, the order ID of
// the webhook is accepted as well.
func (s *Server) handlePaymentEvent(r *http.Request, _ []byte) (any, *rpcError) {
	id := r.PathValue("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.checkouts[id]
	if !ok {
		if cid, found := s.byOrder[id]; found {
			c, ok = s.checkouts[cid], true
		}
	}
	if !ok {
		return nil, &rpcError{status: http.StatusNotFound, code: codeNotFound, message: "payment not found"}
	}
	at := c.CreatedAt
	if !c.PaidAt.IsZero() {
		at = c.PaidAt
	}
	ev := wirePaymentEvent{
		Status:     s.reportedStatus(c.Status),
		Items:      make([]wirePaymentItem, 0, len(c.Items)),
		TimeMillis: strconv.FormatInt(at.UnixMilli(), 10),
		Currency:   c.Currency,
		Total:      formatAmount(c.Total, c.DecimalPlaces),
		Tax:        formatAmount(c.Tax, c.DecimalPlaces),
		BonusItems: make([]wirePaymentBonus, 0, len(c.BonusItems)),
	}
	for _, it := range c.Items {
		ev.Items = append(ev.Items, wirePaymentItem{ID: it.ID, PricePerItem: formatAmount(it.UnitMinor, c.DecimalPlaces),
			Quantity: it.Quantity, Name: it.Name, Description: it.Description})
	}
	for _, b := range c.BonusItems {
		ev.BonusItems = append(ev.BonusItems, wirePaymentBonus{ID: b.ID, Name: b.Name, Quantity: b.Quantity, Description: b.Description})
	}
	return ev, nil
}
