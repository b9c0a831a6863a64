package events_test

import (
	"encoding/json"
	"testing"

	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/internal/benchturns"
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

// BenchmarkParsePurchaseSucceededVsStdlib reports Parse's time on
// testdata/purchase_succeeded.json as a ratio of json.Unmarshal's into
// baselinePurchase ("x-stdlib"), the two run in alternating turns in the
// same process.
func BenchmarkParsePurchaseSucceededVsStdlib(b *testing.B) {
	payload := load(b, "purchase_succeeded.json")
	parse := func() error {
		_, err := events.Parse(payload)
		return err
	}
	std := func() error {
		var v baselinePurchase
		return json.Unmarshal(payload, &v)
	}
	b.ReportMetric(benchturns.Ratio(b, 100, parse, std), "x-stdlib")
}
