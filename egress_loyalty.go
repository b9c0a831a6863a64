package stashpay

import "encoding/json"

// PlayerLoyaltyState is the player's standing in the shop's active loyalty
// campaign that applied to a purchase (the egress "loyalty" field). Stash
// sends it only for shops with an active loyalty campaign.
type PlayerLoyaltyState struct {
	// CampaignID identifies the live loyalty campaign (season).
	CampaignID string
	// TotalPoints is the player's points balance in the campaign.
	TotalPoints int64
	// PointsDelta is the signed change of the balance caused by the
	// purchase; negative on a refund reversal.
	PointsDelta int64
	// CurrentTierID is the player's tier; empty when no tier matches.
	CurrentTierID string
	// PreviousTierID is the prior tier, set only when the purchase changed
	// the tier.
	PreviousTierID string
	// PointsToNextTier is nil when the player is at the top tier.
	PointsToNextTier *int64
	// PointsToNextMilestone is nil when no milestone is left.
	PointsToNextMilestone *int64
	// NextMilestone is the milestone the player progresses toward, nil when
	// none is left.
	NextMilestone *LoyaltyMilestone
	// PointsMultiplierPermille is the tier's points multiplier in permille
	// (1500 is 1.5x; the base tier is 1000).
	PointsMultiplierPermille int64
}

// LoyaltyMilestone is a loyalty milestone and every reward it grants.
type LoyaltyMilestone struct {
	// MilestoneID identifies the milestone within the campaign.
	MilestoneID string
	// Rewards are what reaching the milestone grants.
	Rewards []LoyaltyReward
}

// LoyaltyReward is one reward of a loyalty milestone.
type LoyaltyReward struct {
	// ItemID is a shop bonus identifier for currency or points rewards, or
	// the product's SKU for product rewards.
	ItemID string
	// Quantity is the number of units granted.
	Quantity int64
	// Type is the kind of reward, one of the LoyaltyRewardType* values;
	// empty when not sent.
	Type LoyaltyRewardType
}

// UnmarshalJSON decodes the state tolerantly (see [ConfirmPaymentRequest]).
func (s *PlayerLoyaltyState) UnmarshalJSON(data []byte) error {
	return egressUnmarshal(data, s.decode)
}

func (s *PlayerLoyaltyState) decode(data []byte, path string) error {
	*s = PlayerLoyaltyState{}
	return egressObject(data, path, func(k, raw []byte) (bool, error) {
		switch string(k) {
		case "campaignid":
			return true, egressString(raw, path, "campaignId", &s.CampaignID)
		case "totalpoints":
			return true, egressInt(raw, path, "totalPoints", &s.TotalPoints)
		case "pointsdelta":
			return true, egressInt(raw, path, "pointsDelta", &s.PointsDelta)
		case "currenttierid":
			return true, egressString(raw, path, "currentTierId", &s.CurrentTierID)
		case "previoustierid":
			return true, egressString(raw, path, "previousTierId", &s.PreviousTierID)
		case "pointstonexttier":
			return true, egressOptInt(raw, path, "pointsToNextTier", &s.PointsToNextTier)
		case "pointstonextmilestone":
			return true, egressOptInt(raw, path, "pointsToNextMilestone", &s.PointsToNextMilestone)
		case "nextmilestone":
			if egressIsNull(raw) {
				return true, nil
			}
			s.NextMilestone = new(LoyaltyMilestone)
			return true, s.NextMilestone.decode(raw, egressJoin(path, "nextMilestone"))
		case "pointsmultiplierpermille":
			return true, egressInt(raw, path, "pointsMultiplierPermille", &s.PointsMultiplierPermille)
		}
		return false, nil
	})
}

// UnmarshalJSON decodes the milestone tolerantly.
func (m *LoyaltyMilestone) UnmarshalJSON(data []byte) error {
	return egressUnmarshal(data, m.decode)
}

func (m *LoyaltyMilestone) decode(data []byte, path string) error {
	*m = LoyaltyMilestone{}
	return egressObject(data, path, func(k, raw []byte) (bool, error) {
		switch string(k) {
		case "milestoneid":
			return true, egressString(raw, path, "milestoneId", &m.MilestoneID)
		case "rewards":
			rp := egressJoin(path, "rewards")
			return true, egressArray(raw, rp, func(i int, elem []byte) error {
				var r LoyaltyReward
				if err := r.decode(elem, egressIndex(rp, i)); err != nil {
					return err
				}
				m.Rewards = append(m.Rewards, r)
				return nil
			})
		}
		return false, nil
	})
}

// UnmarshalJSON decodes the reward tolerantly.
func (r *LoyaltyReward) UnmarshalJSON(data []byte) error {
	return egressUnmarshal(data, r.decode)
}

func (r *LoyaltyReward) decode(data []byte, path string) error {
	*r = LoyaltyReward{}
	return egressObject(data, path, func(k, raw []byte) (bool, error) {
		switch string(k) {
		case "itemid":
			return true, egressString(raw, path, "itemId", &r.ItemID)
		case "quantity":
			return true, egressInt(raw, path, "quantity", &r.Quantity)
		case "type":
			return true, egressEnumField(raw, path, "type", egressRewardTypeNames, &r.Type)
		}
		return false, nil
	})
}

// egressLoyaltyWire is the JSON form of PlayerLoyaltyState.
type egressLoyaltyWire struct {
	CampaignID               string            `json:"campaignId,omitempty"`
	TotalPoints              int64             `json:"totalPoints"`
	PointsDelta              int64             `json:"pointsDelta"`
	CurrentTierID            string            `json:"currentTierId,omitempty"`
	PreviousTierID           string            `json:"previousTierId,omitempty"`
	PointsToNextTier         *int64            `json:"pointsToNextTier,omitempty"`
	PointsToNextMilestone    *int64            `json:"pointsToNextMilestone,omitempty"`
	NextMilestone            *LoyaltyMilestone `json:"nextMilestone,omitempty"`
	PointsMultiplierPermille int64             `json:"pointsMultiplierPermille,omitempty"`
}

// MarshalJSON writes the state as Stash sends it.
func (s PlayerLoyaltyState) MarshalJSON() ([]byte, error) {
	return json.Marshal(egressLoyaltyWire(s))
}

// MarshalJSON writes the milestone as Stash sends it.
func (m LoyaltyMilestone) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		MilestoneID string          `json:"milestoneId,omitempty"`
		Rewards     []LoyaltyReward `json:"rewards,omitempty"`
	}{m.MilestoneID, m.Rewards})
}

// MarshalJSON writes the reward as Stash sends it.
func (r LoyaltyReward) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ItemID   string            `json:"itemId,omitempty"`
		Quantity int64             `json:"quantity"`
		Type     LoyaltyRewardType `json:"type"`
	}{r.ItemID, r.Quantity, r.Type})
}
