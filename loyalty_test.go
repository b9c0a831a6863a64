package stashpay_test

import (
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go"
)

// Every field of GetLoyalty and GetPlayerLoyalty (swagger.ingress.v1.json)
// is held.
func TestFullPayloadLoyalty(t *testing.T) {
	t.Parallel()
	camp, player := fullPayload(t, "loyalty"), fullPayload(t, "player_loyalty")
	c, f, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(200, string(camp)), jsonResponder(200, string(player))})
	got, err := c.GetLoyalty(t.Context())
	require.NoError(t, err)
	assertHeld(t, camp, map[string]any{"activeCampaign": got})
	st, err := c.GetPlayerLoyalty(t.Context(), "p 1")
	require.NoError(t, err)
	assertHeld(t, player, map[string]any{"loyalty": st})
	reqs := f.requests()
	assert.Equal(t, "/sdk/studio/"+testShopID+"/loyalty", reqs[0].EscapedPath)
	assert.Equal(t, "/sdk/studio/"+testShopID+"/loyalty/players/p%201", reqs[1].EscapedPath)
	for _, r := range reqs {
		verifyV1(t, r)
	}
}

func TestLoyaltyAgainstTheFake(t *testing.T) {
	t.Parallel()
	c, srv := apiFake(t)
	_, err := c.GetLoyalty(t.Context())
	require.ErrorIs(t, err, stashpay.ErrNotFound, "no active campaign")
	srv.SetLoyalty(&stashpay.LoyaltyCampaign{CampaignID: "s1", Tiers: []stashpay.LoyaltyTier{{TierID: "gold", StartPoints: 1000,
		Milestones: []stashpay.CampaignMilestone{{MilestoneID: "m1", PointsNeeded: 1500}}}}})
	srv.SetPlayerLoyalty("p1", stashpay.PlayerLoyaltyState{CampaignID: "s1", TotalPoints: 1200, CurrentTierID: "gold"})
	camp, err := c.GetLoyalty(t.Context())
	require.NoError(t, err)
	assert.Equal(t, int64(1500), camp.Tiers[0].Milestones[0].PointsNeeded)
	st, err := c.GetPlayerLoyalty(t.Context(), "p1")
	require.NoError(t, err)
	assert.Equal(t, int64(1200), st.TotalPoints)
	_, err = c.GetPlayerLoyalty(t.Context(), "")
	assert.ErrorIs(t, err, stashpay.ErrInvalidParams)
}

// TestLoyaltyTypesDecodeTolerantly: int64 members as numbers or digit
// strings, snake_case names, null members left zero.
func TestLoyaltyTypesDecodeTolerantly(t *testing.T) {
	t.Parallel()
	runDecodeCases(t, stashpay.LoyaltyTier{TierID: "old", StartPoints: 5}, []decodeCase[stashpay.LoyaltyTier]{
		{name: "strings", in: `{"tierId":"gold","startPoints":"100","pointsPerDollar":"2","pointsMultiplierPermille":"1500"}`,
			want: stashpay.LoyaltyTier{TierID: "gold", StartPoints: 100, PointsPerDollar: 2, PointsMultiplierPermille: 1500}},
		{name: "numbers, snake_case", in: `{"start_points":100,"points_per_dollar":2,"points_multiplier_permille":1500}`,
			want: stashpay.LoyaltyTier{StartPoints: 100, PointsPerDollar: 2, PointsMultiplierPermille: 1500}},
		{name: "nulls", in: `{"startPoints":null}`, want: stashpay.LoyaltyTier{}},
		{name: "bad points", in: `{"pointsPerDollar":"x9"}`, wantErr: "pointsPerDollar"},
	})
	runDecodeCases(t, stashpay.CampaignMilestone{PointsNeeded: 5}, []decodeCase[stashpay.CampaignMilestone]{
		{name: "string", in: `{"pointsNeeded":"250"}`, want: stashpay.CampaignMilestone{PointsNeeded: 250}},
		{name: "snake_case number", in: `{"points_needed":250}`, want: stashpay.CampaignMilestone{PointsNeeded: 250}},
		{name: "bad points", in: `{"pointsNeeded":"x9"}`, wantErr: "pointsNeeded"},
	})
}
