package stashpay

import (
	"context"
	"slices"

	"github.com/stashpay/stashpay-go/internal/wire"
)

// LoyaltyCampaign is the shop's active loyalty campaign (season): its tiers,
// each with its milestones (swagger.ingress.v1.json, GetLoyaltyResponse).
type LoyaltyCampaign struct {
	// CampaignID identifies the campaign. Always set.
	CampaignID string `json:"campaignId"`
	// Tiers are ordered by StartPoints ascending; may be empty.
	Tiers []LoyaltyTier `json:"tiers,omitempty"`
}

// LoyaltyTier is a tier of a [LoyaltyCampaign].
type LoyaltyTier struct {
	// TierID is the partner-facing tier identifier, unique within the
	// campaign. Always set.
	TierID string `json:"tierId"`
	// Name is the tier's display name.
	Name string `json:"name,omitempty"`
	// StartPoints is the points balance at which the tier begins.
	StartPoints int64 `json:"startPoints,omitempty"`
	// PointsPerDollar is the points earned per US dollar spent in the tier.
	PointsPerDollar int64 `json:"pointsPerDollar,omitempty"`
	// PointsMultiplierPermille is the tier's earning rate relative to the
	// base tier, in permille (1500 is 1.5x; the base tier is 1000).
	PointsMultiplierPermille int64 `json:"pointsMultiplierPermille,omitempty"`
	// IconURL is the tier icon; empty when none is configured.
	IconURL string `json:"iconUrl,omitempty"`
	// Milestones are ordered by PointsNeeded ascending; may be empty.
	Milestones []CampaignMilestone `json:"milestones,omitempty"`
}

// CampaignMilestone is a milestone of a [LoyaltyTier], with its name and
// threshold ([LoyaltyMilestone] is the same milestone as a player's state
// carries it).
type CampaignMilestone struct {
	// MilestoneID identifies the milestone within the campaign. Always set.
	MilestoneID string `json:"milestoneId"`
	// Name is the milestone's display name.
	Name string `json:"name,omitempty"`
	// PointsNeeded is the points balance that reaches the milestone.
	PointsNeeded int64 `json:"pointsNeeded,omitempty"`
	// Rewards are every reward granted at the milestone; may be empty.
	Rewards []LoyaltyReward `json:"rewards,omitempty"`
}

// UnmarshalJSON decodes a tier tolerantly (integers as numbers or digit
// strings, snake_case names), through internal/wire.
func (t *LoyaltyTier) UnmarshalJSON(data []byte) error {
	type plain LoyaltyTier // without this method
	return decodePlain(data, (*plain)(t), plain{})
}

// UnmarshalJSON decodes a milestone tolerantly, through internal/wire.
func (m *CampaignMilestone) UnmarshalJSON(data []byte) error {
	type plain CampaignMilestone // without this method
	return decodePlain(data, (*plain)(m), plain{})
}

// GetLoyalty returns the shop's active loyalty campaign (GET
// /sdk/studio/{shopId}/loyalty). The shop is the credentials' ShopID, so the
// call needs v1 credentials; Stash documents it with the v1 HMAC signature.
// A shop without an active campaign is an [*APIError] matching
// [ErrNotFound].
func (c *Client) GetLoyalty(ctx context.Context) (*LoyaltyCampaign, error) {
	var out struct {
		ActiveCampaign *LoyaltyCampaign `json:"activeCampaign"`
	}
	if err := c.studioGet(ctx, "/loyalty", &out); err != nil {
		return nil, err
	}
	return required(out.ActiveCampaign, "loyalty", "activeCampaign")
}

// GetPlayerLoyalty returns playerID's standing in the shop's active loyalty
// campaign (GET /sdk/studio/{shopId}/loyalty/players/{playerId}); playerID
// is path-escaped and validated as in [Client.GetPlan]. Auth and a missing
// campaign as for [Client.GetLoyalty].
func (c *Client) GetPlayerLoyalty(ctx context.Context, playerID string) (*PlayerLoyaltyState, error) {
	seg, err := pathSegment("player ID", playerID)
	if err != nil {
		return nil, err
	}
	var out struct {
		Loyalty *PlayerLoyaltyState `json:"loyalty"`
	}
	if err := c.studioGet(ctx, "/loyalty/players/"+seg, &out); err != nil {
		return nil, err
	}
	return required(out.Loyalty, "player loyalty", "loyalty")
}

// The newer loyalty enums of Stash's loyalty service (enums.proto, after
// the published swagger): no field of the documented answers carries them
// yet; they are declared for the campaign and reward configuration Stash is
// adding.

// BonusType is the kind of a loyalty bonus (an open enum, see
// [PaymentEnvironment]).
type BonusType string

// The documented bonus types.
const (
	BonusTypeUnspecified   BonusType = "BONUS_TYPE_UNSPECIFIED"
	BonusTypeLoyaltyPoints BonusType = "BONUS_TYPE_LOYALTY_POINTS"
	// BonusTypeInGameCurrency is delivered as bonus items on the purchase
	// webhook.
	BonusTypeInGameCurrency  BonusType = "BONUS_TYPE_IN_GAME_CURRENCY"
	BonusTypeLoyaltyCurrency BonusType = "BONUS_TYPE_LOYALTY_CURRENCY"
)

var bonusTypeNames = wire.EnumNames(BonusTypeUnspecified, BonusTypeLoyaltyPoints, BonusTypeInGameCurrency, BonusTypeLoyaltyCurrency)

// CampaignStatus is the status of a loyalty campaign (an open enum, see
// [PaymentEnvironment]).
type CampaignStatus string

// The documented campaign statuses.
const (
	CampaignStatusUnspecified CampaignStatus = "CAMPAIGN_STATUS_UNSPECIFIED"
	CampaignStatusDraft       CampaignStatus = "CAMPAIGN_STATUS_DRAFT"
	CampaignStatusScheduled   CampaignStatus = "CAMPAIGN_STATUS_SCHEDULED"
	CampaignStatusActive      CampaignStatus = "CAMPAIGN_STATUS_ACTIVE"
	CampaignStatusEnded       CampaignStatus = "CAMPAIGN_STATUS_ENDED"
)

var campaignStatusNames = wire.EnumNames(CampaignStatusUnspecified, CampaignStatusDraft, CampaignStatusScheduled,
	CampaignStatusActive, CampaignStatusEnded)

// RewardProductStatus is the status of a loyalty reward product (an open
// enum, see [PaymentEnvironment]).
type RewardProductStatus string

// The documented reward product statuses.
const (
	RewardProductStatusUnspecified RewardProductStatus = "REWARD_PRODUCT_STATUS_UNSPECIFIED"
	RewardProductStatusDraft       RewardProductStatus = "REWARD_PRODUCT_STATUS_DRAFT"
	RewardProductStatusPublished   RewardProductStatus = "REWARD_PRODUCT_STATUS_PUBLISHED"
)

var rewardProductStatusNames = wire.EnumNames(RewardProductStatusUnspecified, RewardProductStatusDraft, RewardProductStatusPublished)

// The methods of the enums above, as for [PaymentEnvironment].

// UnmarshalJSON implements json.Unmarshaler.
func (e *BonusType) UnmarshalJSON(b []byte) error { return wire.DecodeEnum(b, bonusTypeNames, e) }

// MarshalJSON implements json.Marshaler.
func (e BonusType) MarshalJSON() ([]byte, error) { return wire.EncodeEnum(e, bonusTypeNames) }

// Number returns the protobuf number of e.
func (e BonusType) Number() (int32, bool) { return wire.EnumNumber(e, bonusTypeNames) }

// Known reports whether e is a documented name.
func (e BonusType) Known() bool { return slices.Contains(bonusTypeNames, string(e)) }

// String returns e as held.
func (e BonusType) String() string { return string(e) }

// UnmarshalJSON implements json.Unmarshaler.
func (e *CampaignStatus) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, campaignStatusNames, e)
}

// MarshalJSON implements json.Marshaler.
func (e CampaignStatus) MarshalJSON() ([]byte, error) { return wire.EncodeEnum(e, campaignStatusNames) }

// Number returns the protobuf number of e.
func (e CampaignStatus) Number() (int32, bool) { return wire.EnumNumber(e, campaignStatusNames) }

// Known reports whether e is a documented name.
func (e CampaignStatus) Known() bool { return slices.Contains(campaignStatusNames, string(e)) }

// String returns e as held.
func (e CampaignStatus) String() string { return string(e) }

// UnmarshalJSON implements json.Unmarshaler.
func (e *RewardProductStatus) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, rewardProductStatusNames, e)
}

// MarshalJSON implements json.Marshaler.
func (e RewardProductStatus) MarshalJSON() ([]byte, error) {
	return wire.EncodeEnum(e, rewardProductStatusNames)
}

// Number returns the protobuf number of e.
func (e RewardProductStatus) Number() (int32, bool) {
	return wire.EnumNumber(e, rewardProductStatusNames)
}

// Known reports whether e is a documented name.
func (e RewardProductStatus) Known() bool {
	return slices.Contains(rewardProductStatusNames, string(e))
}

// String returns e as held.
func (e RewardProductStatus) String() string { return string(e) }
