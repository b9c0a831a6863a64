package stashpaytest

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/google/uuid"

	stashpay "github.com/stashpay/stashpay-go"
)

// The JSON bodies the fake sends to the game's purchase endpoints, field for
// field as STASH-API section 4.1 lists them: lowerCamelCase names, enums as
// name strings, timeMillis (int64) as a string, amounts as integer minor units
// with decimalPlaces. They are written with the fake's own types on purpose,
// not with the root package's request types: the fake is an independent
// rendering of Stash's format, so a wrong member name or encoding in the SDK
// fails the tests that run the SDK's handlers against it instead of being
// mirrored by it.

type wireEgressItem struct {
	GUID      string            `json:"guid"`
	ProductID string            `json:"productId"`
	Quantity  int64             `json:"quantity"`
	Cents     int64             `json:"cents"`
	Metadata  map[string]string `json:"metadata"`
}

type wireEgressCommon struct {
	PlayerID       string `json:"playerId"`
	TransactionID  string `json:"transactionId"`
	CheckoutLinkID string `json:"checkoutLinkId"`
	ShopID         string `json:"shopId"`
	Environment    string `json:"environment"`
	Currency       string `json:"currency"`
	DecimalPlaces  int    `json:"decimalPlaces"`
}

type wireEgressContext struct {
	Platform  string `json:"platform"`
	Source    string `json:"source"`
	Region    string `json:"region"`
	IPAddress string `json:"ipAddress"`
	Browser   string `json:"browser"`
	DeviceID  string `json:"deviceId"`
}

type wireRegisterRequest struct {
	wireEgressCommon
	Registrations []wireEgressItem `json:"registrations"`
	wireEgressContext
	Loyalty *wireLoyalty `json:"loyalty,omitempty"`
}

// wireLoyalty is PlayerLoyaltyState (swagger.v1.json v1PlayerLoyaltyState),
// sent on register and confirm only while the shop has an active campaign.
type wireLoyalty struct {
	CampaignID               string          `json:"campaignId"`
	TotalPoints              int64           `json:"totalPoints"`
	PointsDelta              int64           `json:"pointsDelta"`
	CurrentTierID            string          `json:"currentTierId,omitempty"`
	PreviousTierID           string          `json:"previousTierId,omitempty"`
	PointsToNextTier         *int64          `json:"pointsToNextTier,omitempty"`
	PointsToNextMilestone    *int64          `json:"pointsToNextMilestone,omitempty"`
	NextMilestone            *wireMilestone  `json:"nextMilestone,omitempty"`
	PointsMultiplierPermille int64           `json:"pointsMultiplierPermille"`
	UnlockedMilestones       []wireMilestone `json:"unlockedMilestones,omitempty"`
}

type wireMilestone struct {
	MilestoneID string              `json:"milestoneId"`
	Rewards     []wireMilestoneItem `json:"rewards,omitempty"`
}

type wireMilestoneItem struct {
	ItemID   string `json:"itemId"`
	Quantity int64  `json:"quantity"`
	Type     string `json:"type"`
}

func wireMilestoneOf(m stashpay.LoyaltyMilestone) wireMilestone {
	w := wireMilestone{MilestoneID: m.MilestoneID}
	for _, r := range m.Rewards {
		typ := string(r.Type)
		if typ == "" {
			typ = "LOYALTY_REWARD_TYPE_UNSPECIFIED"
		}
		w.Rewards = append(w.Rewards, wireMilestoneItem{ItemID: r.ItemID, Quantity: r.Quantity, Type: typ})
	}
	return w
}

// egressLoyalty is the loyalty member of playerID's register and confirm:
// nil without an active campaign, else the player's state as SetPlayerLoyalty
// set it (or an empty standing in the campaign).
func (s *Server) egressLoyalty(playerID string) *wireLoyalty {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.api.loyalty == nil {
		return nil
	}
	st, ok := s.api.playerLoyalty[playerID]
	if !ok {
		st = stashpay.PlayerLoyaltyState{CampaignID: s.api.loyalty.CampaignID}
	}
	w := &wireLoyalty{
		CampaignID: st.CampaignID, TotalPoints: st.TotalPoints, PointsDelta: st.PointsDelta,
		CurrentTierID: st.CurrentTierID, PreviousTierID: st.PreviousTierID,
		PointsToNextTier: st.PointsToNextTier, PointsToNextMilestone: st.PointsToNextMilestone,
		PointsMultiplierPermille: st.PointsMultiplierPermille,
	}
	if st.NextMilestone != nil {
		m := wireMilestoneOf(*st.NextMilestone)
		w.NextMilestone = &m
	}
	for _, m := range st.UnlockedMilestones {
		w.UnlockedMilestones = append(w.UnlockedMilestones, wireMilestoneOf(m))
	}
	return w
}

type wireBonus struct {
	ID       string `json:"id"`
	Quantity int64  `json:"quantity"`
}

type wireConfirmRequest struct {
	wireEgressCommon
	Tax                 int64            `json:"tax"`
	Total               int64            `json:"total"`
	TimeMillis          string           `json:"timeMillis"`
	Items               []wireEgressItem `json:"items"`
	PaymentMethodType   string           `json:"paymentMethodType"`
	UserEmail           string           `json:"userEmail,omitempty"`
	EmailMarketingOptIn bool             `json:"emailMarketingOptIn"`
	BonusItems          []wireBonus      `json:"bonusItems,omitempty"`
	wireEgressContext
	Loyalty *wireLoyalty `json:"loyalty,omitempty"`
}

type wireCancelRequest struct {
	wireEgressCommon
	Items []wireEgressItem `json:"items"`
}

func (s *Server) egressCommon(c *Checkout) wireEgressCommon {
	env := "PAYMENT_ENVIRONMENT_TEST"
	if s.cfg.environment == "production" {
		env = "PAYMENT_ENVIRONMENT_PRODUCTION"
	}
	return wireEgressCommon{
		PlayerID: c.User.ID, TransactionID: c.TransactionID, CheckoutLinkID: c.ID, ShopID: s.cfg.shopID,
		Environment: env, Currency: c.Currency, DecimalPlaces: c.DecimalPlaces,
	}
}

func egressContext(c *Checkout) wireEgressContext {
	platform := "PURCHASE_PLATFORM_UNSPECIFIED"
	switch c.User.Platform {
	case "IOS", "1":
		platform = "PURCHASE_PLATFORM_IOS"
	case "ANDROID", "2":
		platform = "PURCHASE_PLATFORM_ANDROID"
	}
	return wireEgressContext{
		Platform: platform, Source: "PURCHASE_SOURCE_DIRECT", Region: c.RegionCode,
		IPAddress: "127.0.0.1", Browser: "stashpaytest", DeviceID: "stashpaytest-device",
	}
}

func egressItems(c *Checkout, guids []string) []wireEgressItem {
	items := make([]wireEgressItem, len(c.Items))
	for i, it := range c.Items {
		items[i] = wireEgressItem{GUID: guids[i], ProductID: it.ID, Quantity: it.Quantity, Cents: it.UnitMinor, Metadata: map[string]string{}}
	}
	return items
}

// register calls the game's register endpoint; the error matches
// ErrRegisterRefused unless the game answered 200 with every item
// registered.
func (s *Server) register(ctx context.Context, c *Checkout, guids []string) (*EgressCall, error) {
	body, err := json.Marshal(wireRegisterRequest{
		wireEgressCommon: s.egressCommon(c), Registrations: egressItems(c, guids), wireEgressContext: egressContext(c),
		Loyalty: s.egressLoyalty(c.User.ID),
	})
	if err != nil {
		return nil, err
	}
	call := s.callEgress(ctx, "register", body)
	if call.StatusCode != 200 {
		return call, fmt.Errorf("%w: %s", ErrRegisterRefused, call.describe())
	}
	var resp struct {
		Statuses []struct {
			GUID      string   `json:"guid"`
			ProductID string   `json:"productId"`
			Status    enumText `json:"status"`
			Message   string   `json:"message"`
		} `json:"statuses"`
	}
	if err := decodeObject(call.Response, &resp); err != nil {
		return call, fmt.Errorf("%w: undecodable answer: %v", ErrRegisterRefused, err)
	}
	if len(resp.Statuses) == 0 {
		return call, fmt.Errorf("%w: no statuses in the answer", ErrRegisterRefused)
	}
	for _, st := range resp.Statuses {
		if st.GUID == "" && st.ProductID == "" {
			return call, fmt.Errorf("%w: a status names neither guid nor productId", ErrRegisterRefused)
		}
		switch st.Status {
		case "PURCHASE_REGISTRATION_STATUS_SUCCESS_REGISTERED", "SUCCESS_REGISTERED", "1":
		default:
			return call, fmt.Errorf("%w: item %s%s: %s %s", ErrRegisterRefused, st.GUID, st.ProductID, st.Status, st.Message)
		}
	}
	return call, nil
}

// confirm calls the game's confirm endpoint; the error matches
// ErrConfirmRefused unless the game answered 2xx with results.
func (s *Server) confirm(ctx context.Context, c *Checkout, guids []string) (*EgressCall, error) {
	req := wireConfirmRequest{
		wireEgressCommon: s.egressCommon(c), Tax: c.Tax, Total: c.Total,
		TimeMillis: strconv.FormatInt(s.cfg.now().UnixMilli(), 10), Items: egressItems(c, guids),
		PaymentMethodType: "PAYMENT_METHOD_TYPE_CARD", UserEmail: c.User.ValidatedEmail,
		wireEgressContext: egressContext(c), Loyalty: s.egressLoyalty(c.User.ID),
	}
	for _, b := range c.BonusItems {
		req.BonusItems = append(req.BonusItems, wireBonus{ID: b.ID, Quantity: b.Quantity})
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	call := s.callEgress(ctx, "confirm", body)
	if call.StatusCode < 200 || call.StatusCode > 299 {
		return call, fmt.Errorf("%w: %s", ErrConfirmRefused, call.describe())
	}
	var resp struct {
		Results []struct {
			GUID      string `json:"guid"`
			ProductID string `json:"productId"`
		} `json:"results"`
	}
	if err := decodeObject(call.Response, &resp); err != nil {
		return call, fmt.Errorf("%w: undecodable answer: %v", ErrConfirmRefused, err)
	}
	if len(resp.Results) == 0 {
		return call, fmt.Errorf("%w: the answer has no results", ErrConfirmRefused)
	}
	for _, r := range resp.Results {
		if r.GUID == "" && r.ProductID == "" {
			return call, fmt.Errorf("%w: a result names neither guid nor productId", ErrConfirmRefused)
		}
		if _, err := uuid.Parse(r.GUID); r.GUID != "" && (err != nil || len(r.GUID) != 36) {
			return call, fmt.Errorf("%w: a result's guid is not a UUID", ErrConfirmRefused)
		}
	}
	return call, nil
}

// cancelPurchase calls the game's cancel endpoint. Stash expects 200 with an inline
// status; any answer is recorded, a transport failure is an error.
func (s *Server) cancelPurchase(ctx context.Context, c *Checkout, guids []string) (*EgressCall, error) {
	body, err := json.Marshal(wireCancelRequest{wireEgressCommon: s.egressCommon(c), Items: egressItems(c, guids)})
	if err != nil {
		return nil, err
	}
	call := s.callEgress(ctx, "cancel", body)
	if call.StatusCode != 200 {
		return call, fmt.Errorf("stashpaytest: cancel: %s", call.describe())
	}
	return call, nil
}
