package events_test

import (
	"encoding/json"
	"testing"

	"github.com/stashpay/stashpay-go/events"
)

// baselinePurchase is what a hand-written decoder of the same payload would
// use: the same members, standard types, no flexibility.
type baselinePurchase struct {
	Type              string `json:"type"`
	Environment       string `json:"environment"`
	PurchaseSucceeded *struct {
		TimeMillis     int64  `json:"timeMillis"`
		OrderID        string `json:"orderId"`
		CheckoutLinkID string `json:"checkoutLinkId"`
		TransactionID  string `json:"transactionId"`
		ShopID         string `json:"shopId"`
		Currency       string `json:"currency"`
		UserID         string `json:"userId"`
		Items          []struct {
			ID       string            `json:"id"`
			Quantity int64             `json:"quantity"`
			Price    string            `json:"price"`
			Metadata map[string]string `json:"metadata"`
		} `json:"items"`
		Tax        string `json:"tax"`
		Total      string `json:"total"`
		TaxDetails struct {
			Items []struct {
				Label       string `json:"label"`
				IsInclusive bool   `json:"isInclusive"`
				Amount      string `json:"amount"`
				Percentage  string `json:"percentage"`
				Country     string `json:"country"`
				State       string `json:"state"`
			} `json:"items"`
		} `json:"taxDetails"`
		EmailMarketingOptIn bool   `json:"emailMarketingOptIn"`
		RegionCode          string `json:"regionCode"`
		Source              string `json:"source"`
		IPAddress           string `json:"ipAddress"`
	} `json:"purchaseSucceeded"`
}

func BenchmarkParsePurchaseSucceeded(b *testing.B) {
	payload := load(b, "purchase_succeeded.json")
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		ev, err := events.Parse(payload)
		if err != nil || ev.(*events.PurchaseSucceeded).OrderID == "" {
			b.Fatal(err)
		}
	}
}

func BenchmarkBaselineUnmarshalPurchaseSucceeded(b *testing.B) {
	payload := load(b, "purchase_succeeded.json")
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		var v baselinePurchase
		if err := json.Unmarshal(payload, &v); err != nil || v.PurchaseSucceeded.OrderID == "" {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSubscriptionPaymentSucceeded(b *testing.B) {
	payload := load(b, "subscription_payment_succeeded.json")
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := events.Parse(payload); err != nil {
			b.Fatal(err)
		}
	}
}
