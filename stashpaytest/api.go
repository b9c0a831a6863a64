package stashpaytest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	stashpay "github.com/stashpay/stashpay-go"
)

// The rest of Stash's server API, served with the same authentication,
// fault injection and call recording as the checkout endpoints: the
// authenticated webshop URL, subscription checkout and change links, plans,
// price conversion, the Managed Catalog products and the loyalty reads. The
// data they answer is set per test with the Set methods below; the fake
// answers NOT_FOUND for what was not set, as Stash does.

// apiState is what the tests set for these endpoints; guarded by Server.mu.
type apiState struct {
	plans         []stashpay.Plan
	products      []stashpay.Product
	loyalty       *stashpay.LoyaltyCampaign
	playerLoyalty map[string]stashpay.PlayerLoyaltyState
	conversions   map[string]stashpay.PriceConversions // by destination country
}

// SetPlans replaces the subscription plans the fake serves.
func (s *Server) SetPlans(plans ...stashpay.Plan) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.api.plans = slices.Clone(plans)
}

// SetProducts replaces the Managed Catalog products the fake serves, in
// list order. As Stash does, ListProducts and GetProduct serve only those
// on offer: published (or without a status) and, by the fake's clock
// ([WithClock]), inside their offer window (OfferStartTime, when set, not
// after now; OfferEndTime, when set, after now).
func (s *Server) SetProducts(products ...stashpay.Product) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.api.products = slices.Clone(products)
}

// SetLoyalty sets the shop's active loyalty campaign; nil means none (the
// loyalty reads answer NOT_FOUND). While a campaign is set, the register
// and confirm calls carry the player's loyalty state ([Server.SetPlayerLoyalty],
// or an empty standing in the campaign), as Stash's do.
func (s *Server) SetLoyalty(c *stashpay.LoyaltyCampaign) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.api.loyalty = c
}

// SetPlayerLoyalty sets playerID's loyalty state.
func (s *Server) SetPlayerLoyalty(playerID string, st stashpay.PlayerLoyaltyState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	put(&s.api.playerLoyalty, playerID, st)
}

// SetPriceConversions sets the answer of a price conversion to country (an
// ISO 3166-1 alpha-2 code). The fake keeps the conversions of the SKUs asked
// for and lists the others as missing.
func (s *Server) SetPriceConversions(country string, c stashpay.PriceConversions) {
	s.mu.Lock()
	defer s.mu.Unlock()
	put(&s.api.conversions, country, c)
}

// put sets (*m)[k] to v, making the map first when it is nil.
func put[K comparable, V any](m *map[K]V, k K, v V) {
	if *m == nil {
		*m = make(map[K]V)
	}
	(*m)[k] = v
}

// apiRoutes adds the endpoints of this file to mux.
func (s *Server) apiRoutes(mux *http.ServeMux) {
	mux.HandleFunc("/sdk/server/generate_url", s.ingress(http.MethodPost, s.handleWebshopURL))
	mux.HandleFunc("/sdk/subscriptions/checkout-links", s.ingress(http.MethodPost, s.handleSubscriptionLink))
	mux.HandleFunc("/sdk/subscriptions/{id}/change-checkout-links", s.ingress(http.MethodPost, s.handleSubscriptionChange))
	mux.HandleFunc("/sdk/plans", s.ingress(http.MethodGet, s.handlePlans))
	mux.HandleFunc("/sdk/plans/{id}", s.ingress(http.MethodGet, s.handlePlan))
	mux.HandleFunc("/sdk/plans/code/{code}", s.ingress(http.MethodGet, s.handlePlanByCode))
	mux.HandleFunc("/sdk/server/prices/convert", s.ingress(http.MethodPost, s.handleConvertPrices))
	mux.HandleFunc("/sdk/studio/{shop}/products", s.ingress(http.MethodGet, s.studio(s.handleProducts)))
	mux.HandleFunc("/sdk/studio/{shop}/products/{id}", s.ingress(http.MethodGet, s.studio(s.handleProduct)))
	mux.HandleFunc("/sdk/studio/{shop}/loyalty", s.ingress(http.MethodGet, s.studio(s.handleLoyalty)))
	mux.HandleFunc("/sdk/studio/{shop}/loyalty/players/{id}", s.ingress(http.MethodGet, s.studio(s.handlePlayerLoyalty)))
}

func notFound(what string) *rpcError {
	return &rpcError{status: http.StatusNotFound, code: codeNotFound, message: what + " not found"}
}

// studio refuses a Studio call for another shop than the authenticated one.
func (s *Server) studio(fn ingressFunc) ingressFunc {
	return func(r *http.Request, body []byte) (any, *rpcError) {
		if r.PathValue("shop") != s.cfg.shopID {
			return nil, &rpcError{status: http.StatusForbidden, code: 7, message: "shopId does not match the credentials"}
		}
		return fn(r, body)
	}
}

func (s *Server) handleWebshopURL(_ *http.Request, body []byte) (any, *rpcError) {
	var req struct {
		User *struct {
			ID string `json:"id"`
		} `json:"user"`
		Target enumText `json:"target"`
	}
	if err := decodeObject(body, &req); err != nil {
		return nil, errInvalid(err.Error())
	}
	if req.User == nil || req.User.ID == "" {
		return nil, errInvalid("user.id is required")
	}
	switch req.Target {
	case "", "DEFAULT", "HOME", "LOYALTY", "ROOT", "STORE", "DAILY_STREAK", "0", "1", "2", "3", "4", "5":
	default:
		return nil, errInvalid("target is not a known target")
	}
	return map[string]string{"url": s.ts.URL + "/webshop/" + uuid.NewString()}, nil
}

func (s *Server) handleSubscriptionLink(_ *http.Request, body []byte) (any, *rpcError) {
	var req struct {
		Plan     string `json:"plan"`
		Currency string `json:"currency"`
		User     *struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	if err := decodeObject(body, &req); err != nil {
		return nil, errInvalid(err.Error())
	}
	switch {
	case req.Plan == "":
		return nil, errInvalid("plan is required")
	case len(req.Currency) != 3:
		return nil, errInvalid("currency must be an ISO 4217 code")
	case req.User == nil || req.User.ID == "":
		return nil, errInvalid("user.id is required")
	}
	return s.subscriptionLink(req.Plan)
}

func (s *Server) handleSubscriptionChange(_ *http.Request, body []byte) (any, *rpcError) {
	var req struct {
		NewPlan             string `json:"newPlan"`
		UpdatePaymentMethod bool   `json:"updatePaymentMethod"`
	}
	if err := decodeObject(body, &req); err != nil {
		return nil, errInvalid(err.Error())
	}
	switch {
	case req.NewPlan == "" && !req.UpdatePaymentMethod:
		return nil, errInvalid("at least one of newPlan or updatePaymentMethod must be set")
	case req.NewPlan == "":
		return s.newLink("/subscribe/") // a payment method change keeps the plan
	}
	return s.subscriptionLink(req.NewPlan)
}

// subscriptionLink answers a new subscription checkout link to plan (a
// plan's ID or code), or NOT_FOUND for a plan that was not set.
func (s *Server) subscriptionLink(plan string) (any, *rpcError) {
	if _, ok := s.findPlan(func(p stashpay.Plan) bool { return p.ID == plan || p.Code == plan }); !ok {
		return nil, notFound("plan")
	}
	return s.newLink("/subscribe/")
}

// newLink answers a new checkout link under prefix.
func (s *Server) newLink(prefix string) (any, *rpcError) {
	id := uuid.NewString()
	return map[string]string{"id": id, "url": s.ts.URL + prefix + id}, nil
}

func (s *Server) findPlan(match func(stashpay.Plan) bool) (stashpay.Plan, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.api.plans {
		if match(p) {
			return p, true
		}
	}
	return stashpay.Plan{}, false
}

// handlePlans lists the plans of the status asked for, the active ones by
// default (a plan without a status counts as active).
func (s *Server) handlePlans(r *http.Request, _ []byte) (any, *rpcError) {
	status := r.URL.Query().Get("status")
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []stashpay.Plan{}
	for _, p := range s.api.plans {
		st := string(p.Status)
		if status == "" && (st == "" || strings.HasSuffix(st, "ACTIVE")) || status != "" && st == status {
			out = append(out, p)
		}
	}
	return map[string]any{"plans": out}, nil
}

func (s *Server) handlePlan(r *http.Request, _ []byte) (any, *rpcError) {
	id := r.PathValue("id")
	p, ok := s.findPlan(func(p stashpay.Plan) bool { return p.ID == id })
	if !ok {
		return nil, notFound("plan")
	}
	return map[string]any{"plan": p}, nil
}

func (s *Server) handlePlanByCode(r *http.Request, _ []byte) (any, *rpcError) {
	code, segment := r.PathValue("code"), r.URL.Query().Get("segmentId")
	p, ok := s.findPlan(func(p stashpay.Plan) bool { return p.Code == code && (segment == "" || p.SegmentID == segment) })
	if !ok {
		return nil, notFound("plan")
	}
	return map[string]any{"plan": p}, nil
}

func (s *Server) handleConvertPrices(_ *http.Request, body []byte) (any, *rpcError) {
	var req struct {
		SourceCurrency     string   `json:"sourceCurrency"`
		DestinationCountry string   `json:"destinationCountry"`
		SKUs               []string `json:"skus"`
	}
	if err := decodeObject(body, &req); err != nil {
		return nil, errInvalid(err.Error())
	}
	switch {
	case req.SourceCurrency != "USD":
		return nil, errInvalid("sourceCurrency must be USD")
	case !letters(req.DestinationCountry, 2, 2):
		return nil, errInvalid("destinationCountry must be an ISO 3166-1 alpha-2 code")
	case len(req.SKUs) == 0:
		return nil, errInvalid("skus is required")
	}
	s.mu.Lock()
	c, ok := s.api.conversions[req.DestinationCountry]
	s.mu.Unlock()
	if !ok {
		return nil, notFound("prices for destinationCountry")
	}
	out := c
	out.Conversions, out.MissingSKUs = nil, nil
	for _, sku := range req.SKUs {
		i := slices.IndexFunc(c.Conversions, func(p stashpay.PriceConversion) bool { return p.SKU == sku })
		if i < 0 {
			out.MissingSKUs = append(out.MissingSKUs, sku)
			continue
		}
		out.Conversions = append(out.Conversions, c.Conversions[i])
	}
	return out, nil
}

// handleProducts pages the products: limit 1..100 (default 50), offset from
// 0, nextOffset left out on the last page.
func (s *Server) handleProducts(r *http.Request, _ []byte) (any, *rpcError) {
	q := r.URL.Query()
	limit, offset := 50, 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return nil, errInvalid("limit must be between 1 and 100")
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, errInvalid("offset must not be negative")
		}
		offset = n
	}
	products := s.offered()
	page := struct {
		Products   []stashpay.Product `json:"products"`
		NextOffset int                `json:"nextOffset,omitempty"` // a uint32: a JSON number, as Stash sends it
	}{Products: []stashpay.Product{}}
	if offset < len(products) {
		end := min(offset+limit, len(products))
		page.Products = products[offset:end]
		if end < len(products) {
			page.NextOffset = end
		}
	}
	return page, nil
}

func (s *Server) handleProduct(r *http.Request, _ []byte) (any, *rpcError) {
	id := r.PathValue("id")
	for _, p := range s.offered() {
		if p.ProductID == id {
			return map[string]any{"product": p}, nil
		}
	}
	return nil, notFound("product")
}

// offered returns the products on offer now: published (or without a
// status) and inside their offer window by the fake's clock.
func (s *Server) offered() []stashpay.Product {
	now := s.cfg.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []stashpay.Product
	for _, p := range s.api.products {
		if (p.Status == "" || p.Status == stashpay.ProductStatusPublished) &&
			(p.OfferStartTime.IsZero() || !p.OfferStartTime.After(now)) &&
			(p.OfferEndTime.IsZero() || p.OfferEndTime.After(now)) {
			out = append(out, p)
		}
	}
	return out
}

func (s *Server) handleLoyalty(_ *http.Request, _ []byte) (any, *rpcError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.api.loyalty == nil {
		return nil, notFound("active loyalty campaign")
	}
	return map[string]any{"activeCampaign": s.api.loyalty}, nil
}

func (s *Server) handlePlayerLoyalty(r *http.Request, _ []byte) (any, *rpcError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.api.loyalty == nil {
		return nil, notFound("active loyalty campaign")
	}
	st, ok := s.api.playerLoyalty[r.PathValue("id")]
	if !ok {
		st = stashpay.PlayerLoyaltyState{CampaignID: s.api.loyalty.CampaignID}
	}
	return map[string]any{"loyalty": st}, nil
}
