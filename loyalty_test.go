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
