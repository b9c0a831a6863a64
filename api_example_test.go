package stashpay_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"

	"github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/stashpaytest"
)

// Runnable examples of the rest of Stash's server API (plans, subscription
// links, price conversion, the Managed Catalog and loyalty), each against
// the fake Stash of stashpaytest, which checks the v1 signature as Stash
// does.

// fakeClient returns a client signing with srv's credentials and talking to
// srv.
func fakeClient(srv *stashpaytest.Server) *stashpay.Client {
	client, err := stashpay.NewClient(stashpay.Credentials{ShopID: srv.ShopID(), IngressKey: srv.IngressKey()},
		stashpay.WithBaseURL(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	return client
}

// examplePlan is the plan the subscription and plan examples configure.
var examplePlan = stashpay.Plan{
	ID: "plan-vip-monthly", Code: "vip", SegmentID: "all-players", Name: "VIP",
	BillingPeriodValue: 1, BillingPeriodUnit: "MONTH",
	Prices: []stashpay.PlanPrice{{Currency: "USD", AmountCents: 999}, {Currency: "EUR", AmountCents: 899}},
}

// A subscription checkout link for a plan, by its code, against the fake
// Stash; a plan Stash does not know matches ErrNotFound.
func ExampleClient_CreateSubscriptionCheckoutLink() {
	srv := stashpaytest.NewServer()
	defer srv.Close()
	srv.SetPlans(examplePlan)
	client := fakeClient(srv)

	link, err := client.CreateSubscriptionCheckoutLink(context.Background(), &stashpay.SubscriptionCheckoutParams{
		Plan:        "vip", // the plan's ID or code
		Currency:    "USD",
		User:        stashpay.SubscriptionUser{ID: "player-42"},
		ReferenceID: "sub-order-7",
		Metadata:    map[string]string{"campaign": "spring"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("link ID set:", link.ID != "")
	fmt.Println("send the player to the link:", strings.HasSuffix(link.URL, "/subscribe/"+link.ID))

	_, err = client.CreateSubscriptionCheckoutLink(context.Background(), &stashpay.SubscriptionCheckoutParams{
		Plan: "no-such-plan", Currency: "USD", User: stashpay.SubscriptionUser{ID: "player-42"},
	})
	fmt.Println("unknown plan:", errors.Is(err, stashpay.ErrNotFound))
	// Output:
	// link ID set: true
	// send the player to the link: true
	// unknown plan: true
}

// A link that moves an existing subscription to another plan, against the
// fake Stash.
func ExampleClient_CreateSubscriptionChangeCheckoutLink() {
	srv := stashpaytest.NewServer()
	defer srv.Close()
	srv.SetPlans(examplePlan)
	client := fakeClient(srv)

	link, err := client.CreateSubscriptionChangeCheckoutLink(context.Background(), "sub-1234", &stashpay.SubscriptionChangeParams{
		NewPlan:             "plan-vip-monthly",
		UpdatePaymentMethod: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("send the subscriber to the link:", strings.HasSuffix(link.URL, "/subscribe/"+link.ID))

	_, err = client.CreateSubscriptionChangeCheckoutLink(context.Background(), "sub-1234", &stashpay.SubscriptionChangeParams{})
	fmt.Println(err)
	// Output:
	// send the subscriber to the link: true
	// stashpay: invalid params: set NewPlan or UpdatePaymentMethod (or both)
}

// The active plans, then one plan by ID and by code within a segment,
// against the fake Stash.
func ExampleClient_ListPlans() {
	srv := stashpaytest.NewServer()
	defer srv.Close()
	srv.SetPlans(examplePlan)
	client := fakeClient(srv)
	ctx := context.Background()

	plans, err := client.ListPlans(ctx, nil) // nil: the active plans
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range plans {
		fmt.Printf("%s (%s): every %d %s\n", p.Name, p.Code, p.BillingPeriodValue, p.BillingPeriodUnit)
		for _, price := range p.Prices {
			a, _ := stashpay.FormatMinor(price.AmountCents, 2)
			fmt.Println(" ", a, price.Currency)
		}
	}
	byID, err := client.GetPlan(ctx, "plan-vip-monthly")
	if err != nil {
		log.Fatal(err)
	}
	byCode, err := client.GetPlanByCode(ctx, "vip", "all-players")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(byID.Name, byCode.ID)
	_, err = client.GetPlanByCode(ctx, "vip", "other-segment")
	fmt.Println("other segment:", errors.Is(err, stashpay.ErrNotFound))
	// Output:
	// VIP (vip): every 1 MONTH
	//   9.99 USD
	//   8.99 EUR
	// VIP plan-vip-monthly
	// other segment: true
}

// USD prices converted for a destination country, against the fake Stash;
// a SKU Stash has no price for is listed as missing.
func ExampleClient_ConvertPrices() {
	srv := stashpaytest.NewServer()
	defer srv.Close()
	srv.SetPriceConversions("FR", stashpay.PriceConversions{
		SourceCurrency: "USD", DestinationCurrency: "EUR", DestinationCountry: "FR", TaxRate: "0.2", TaxInclusive: true,
		Conversions: []stashpay.PriceConversion{
			{SKU: "gems_100", SourceAmount: 199, DestinationAmount: 189, DisplayPrice: "1,89 €", DecimalPlaces: 2},
		},
	})
	client := fakeClient(srv)

	conv, err := client.ConvertPrices(context.Background(), &stashpay.ConvertPricesParams{
		SourceCurrency: "USD", DestinationCountry: "FR", SKUs: []string{"gems_100", "gems_500"},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range conv.Conversions {
		fmt.Printf("%s: %d -> %d %s (%s)\n", c.SKU, c.SourceAmount, c.DestinationAmount, conv.DestinationCurrency, c.DisplayPrice)
	}
	fmt.Println("missing:", conv.MissingSKUs)
	fmt.Println("tax:", conv.TaxRate, "inclusive:", conv.TaxInclusive)
	// Output:
	// gems_100: 199 -> 189 EUR (1,89 €)
	// missing: [gems_500]
	// tax: 0.2 inclusive: true
}

// The shop's active loyalty campaign with its tiers and milestones, against
// the fake Stash.
func ExampleClient_GetLoyalty() {
	srv := stashpaytest.NewServer()
	defer srv.Close()
	srv.SetLoyalty(&stashpay.LoyaltyCampaign{CampaignID: "season-3", Tiers: []stashpay.LoyaltyTier{
		{TierID: "bronze", Name: "Bronze", StartPoints: 0, PointsPerDollar: 10, PointsMultiplierPermille: 1000},
		{TierID: "gold", Name: "Gold", StartPoints: 500, PointsPerDollar: 10, PointsMultiplierPermille: 1500,
			Milestones: []stashpay.CampaignMilestone{{MilestoneID: "m-700", Name: "Gold chest", PointsNeeded: 700,
				Rewards: []stashpay.LoyaltyReward{{ItemID: "gems", Quantity: 50, Type: stashpay.LoyaltyRewardTypeInGameCurrency}}}}},
	}})
	client := fakeClient(srv)

	campaign, err := client.GetLoyalty(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("campaign:", campaign.CampaignID)
	for _, t := range campaign.Tiers {
		fmt.Printf("tier %s from %d points, x%d/1000\n", t.Name, t.StartPoints, t.PointsMultiplierPermille)
		for _, m := range t.Milestones {
			fmt.Printf("  %s at %d: %d %s\n", m.Name, m.PointsNeeded, m.Rewards[0].Quantity, m.Rewards[0].ItemID)
		}
	}
	// Output:
	// campaign: season-3
	// tier Bronze from 0 points, x1000/1000
	// tier Gold from 500 points, x1500/1000
	//   Gold chest at 700: 50 gems
}

// A player's standing in the active loyalty campaign, against the fake
// Stash; without an active campaign the read matches ErrNotFound.
func ExampleClient_GetPlayerLoyalty() {
	srv := stashpaytest.NewServer()
	defer srv.Close()
	client := fakeClient(srv)
	ctx := context.Background()

	_, err := client.GetPlayerLoyalty(ctx, "player-42")
	fmt.Println("no campaign:", errors.Is(err, stashpay.ErrNotFound))

	srv.SetLoyalty(&stashpay.LoyaltyCampaign{CampaignID: "season-3"})
	toNext := int64(120)
	srv.SetPlayerLoyalty("player-42", stashpay.PlayerLoyaltyState{
		CampaignID: "season-3", TotalPoints: 580, CurrentTierID: "gold", PointsToNextMilestone: &toNext,
	})
	st, err := client.GetPlayerLoyalty(ctx, "player-42")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d points, tier %s, %d to the next milestone\n", st.CampaignID, st.TotalPoints, st.CurrentTierID, *st.PointsToNextMilestone)
	// Output:
	// no campaign: true
	// season-3: 580 points, tier gold, 120 to the next milestone
}

// One page of the Managed Catalog at a time, following NextOffset, against
// the fake Stash ([Client.Products] iterates over every page for you).
func ExampleClient_ListProducts() {
	srv := stashpaytest.NewServer()
	defer srv.Close()
	srv.SetProducts(stashpay.Product{ProductID: "gems_100"}, stashpay.Product{ProductID: "gems_500"}, stashpay.Product{ProductID: "starter_pack"})
	client := fakeClient(srv)

	params := &stashpay.ListProductsParams{Limit: 2}
	for {
		page, err := client.ListProducts(context.Background(), params)
		if err != nil {
			log.Fatal(err)
		}
		for _, p := range page.Products {
			fmt.Println(p.ProductID)
		}
		if page.NextOffset == 0 {
			break
		}
		fmt.Println("next offset:", page.NextOffset)
		params.Offset = page.NextOffset
	}
	// Output:
	// gems_100
	// gems_500
	// next offset: 2
	// starter_pack
}

// One Managed Catalog product by its ID, against the fake Stash.
func ExampleClient_GetProduct() {
	srv := stashpaytest.NewServer()
	defer srv.Close()
	srv.SetProducts(stashpay.Product{
		ProductID:   "gems_100",
		DisplayName: stashpay.LocalizableText{DefaultText: "100 gems"},
		Prices:      []stashpay.ProductPrice{{Currency: "USD", Cents: 199, DecimalPlaces: 2}},
	})
	client := fakeClient(srv)

	p, err := client.GetProduct(context.Background(), "gems_100")
	if err != nil {
		log.Fatal(err)
	}
	price, err := p.Prices[0].Amount() // exact, never a float
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.DisplayName.DefaultText, price, p.Prices[0].Currency)
	_, err = client.GetProduct(context.Background(), "gone")
	fmt.Println("unknown product:", errors.Is(err, stashpay.ErrNotFound))
	// Output:
	// 100 gems 1.99 USD
	// unknown product: true
}
