package stashpay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/internal/benchturns"
	"github.com/stashpay/stashpay-go/internal/signing"
)

// egressBenchLoopback sends b.N signed confirm requests, each for a new
// transaction, to h over loopback. The client side (building and signing
// the body) is the same for every handler, so results compare as ratios.
func egressBenchLoopback(b *testing.B, h http.Handler) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := srv.Client()
	var compact bytes.Buffer
	if err := json.Compact(&compact, egressTestdata(b, "egress_confirm.json")); err != nil {
		b.Fatal(err)
	}
	before, after, ok := bytes.Cut(compact.Bytes(), []byte("tx-7f3a9c"))
	if !ok {
		b.Fatal("template lacks the transaction ID")
	}
	key, err := signing.NewKey([]byte(egressTestKey))
	if err != nil {
		b.Fatal(err)
	}
	url := srv.URL + stashpay.ConfirmPaymentPath
	body := make([]byte, 0, compact.Len()+32)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		body = append(append(append(append(body[:0], before...), "tx-"...), strconv.Itoa(i)...), after...)
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(stashpay.EgressSignatureHeader, key.SignV1(egressTestShop, time.Now(), body))
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// BenchmarkEgressConfirmLoopback is a confirm end to end: read, verify,
// decode, validate, claim and complete in the memory store, call the
// function, encode the default results.
func BenchmarkEgressConfirmLoopback(b *testing.B) {
	egressBenchLoopback(b, stashpay.ConfirmPaymentHandler(egressConfig(),
		func(context.Context, *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			return nil, nil
		}))
}

// BenchmarkEgressBaselineLoopback is the baseline: the same server and
// requests, a handler that reads the body and answers 200 with a fixed
// results body.
func BenchmarkEgressBaselineLoopback(b *testing.B) {
	answer := []byte(`{"results":[{"guid":"5d6a3c1e-9b8f-4e2d-a1c0-7f6e5d4c3b2a","productId":"gems_500"}]}`)
	egressBenchLoopback(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	}))
}

// BenchmarkEgressDecodeConfirm measures the tolerant decoder alone, called
// as the handler calls it (UnmarshalJSON on the verified body).
func BenchmarkEgressDecodeConfirm(b *testing.B) {
	data := egressTestdata(b, "egress_confirm.json")
	b.ReportAllocs()
	for b.Loop() {
		var r stashpay.ConfirmPaymentRequest
		if err := r.UnmarshalJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}

// plainConfirm is the baseline's target: plain tagged structs
// (lowerCamelCase only, no tolerance) holding every member the confirm
// decoder reads, the loyalty state included.
type plainConfirm struct {
	PlayerID            string             `json:"playerId"`
	TransactionID       string             `json:"transactionId"`
	CheckoutLinkID      string             `json:"checkoutLinkId"`
	ShopID              string             `json:"shopId"`
	Environment         string             `json:"environment"`
	Currency            string             `json:"currency"`
	DecimalPlaces       int                `json:"decimalPlaces"`
	Tax                 int64              `json:"tax"`
	Total               int64              `json:"total"`
	TimeMillis          int64              `json:"timeMillis,string"`
	PaymentMethodType   string             `json:"paymentMethodType"`
	Items               []plainItem        `json:"items"`
	Platform            string             `json:"platform"`
	Browser             string             `json:"browser"`
	DeviceID            string             `json:"deviceId"`
	Source              string             `json:"source"`
	IPAddress           string             `json:"ipAddress"`
	Region              string             `json:"region"`
	UserEmail           string             `json:"userEmail"`
	EmailMarketingOptIn *bool              `json:"emailMarketingOptIn"`
	BonusItems          []plainBonus       `json:"bonusItems"`
	Loyalty             *plainLoyaltyState `json:"loyalty"`
}

type plainItem struct {
	GUID      string            `json:"guid"`
	ProductID string            `json:"productId"`
	Quantity  int64             `json:"quantity"`
	Cents     int64             `json:"cents"`
	Metadata  map[string]string `json:"metadata"`
}

type plainBonus struct {
	ID       string `json:"id"`
	Quantity int64  `json:"quantity"`
}

type plainLoyaltyState struct {
	CampaignID               string          `json:"campaignId"`
	TotalPoints              int64           `json:"totalPoints"`
	PointsDelta              int64           `json:"pointsDelta"`
	CurrentTierID            string          `json:"currentTierId"`
	PreviousTierID           string          `json:"previousTierId"`
	PointsToNextTier         *int64          `json:"pointsToNextTier"`
	PointsToNextMilestone    *int64          `json:"pointsToNextMilestone"`
	NextMilestone            *plainMilestone `json:"nextMilestone"`
	PointsMultiplierPermille int64           `json:"pointsMultiplierPermille"`
}

type plainMilestone struct {
	MilestoneID string `json:"milestoneId"`
	Rewards     []struct {
		ItemID   string `json:"itemId"`
		Quantity int64  `json:"quantity"`
		Type     string `json:"type"`
	} `json:"rewards"`
}

// BenchmarkEgressDecodeBaselineStdlib decodes the same body with
// encoding/json into plainConfirm.
func BenchmarkEgressDecodeBaselineStdlib(b *testing.B) {
	data := egressTestdata(b, "egress_confirm.json")
	b.ReportAllocs()
	for b.Loop() {
		var r plainConfirm
		if err := json.Unmarshal(data, &r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEgressDecodeConfirmVsStdlib reports the confirm decoder's time
// as a ratio of the baseline's ("x-stdlib"), the two run in turns of a
// hundred decodes in the same process, so that a shared machine's noise
// falls on both alike. The baseline always decodes the body with its
// integers as JSON numbers; the decoder decodes that body ("numbers") and
// the same body with every int64 member as a digit string, protobuf's JSON
// form of int64, which Stash's gateway may send ("int64 strings").
func BenchmarkEgressDecodeConfirmVsStdlib(b *testing.B) {
	base := egressTestdata(b, "egress_confirm.json")
	for _, bc := range []struct{ name, file string }{
		{"numbers", "egress_confirm.json"},
		{"int64 strings", "egress_confirm_int64_strings.json"},
	} {
		data := egressTestdata(b, bc.file)
		b.Run(bc.name, func(b *testing.B) {
			ours := func() error {
				var r stashpay.ConfirmPaymentRequest
				return r.UnmarshalJSON(data)
			}
			std := func() error {
				var r plainConfirm
				return json.Unmarshal(base, &r)
			}
			b.ReportMetric(benchturns.Ratio(b, 100, ours, std), "x-stdlib")
		})
	}
}

// BenchmarkEgressDecodeBaselineStdlibRawLoyalty is the baseline of the
// first measurement (issue 10): as BenchmarkEgressDecodeBaselineStdlib,
// with untagged names and the loyalty state kept as raw JSON, not decoded.
func BenchmarkEgressDecodeBaselineStdlibRawLoyalty(b *testing.B) {
	type item struct {
		GUID      string            `json:"guid"`
		ProductID string            `json:"productId"`
		Quantity  int64             `json:"quantity"`
		Cents     int64             `json:"cents"`
		Metadata  map[string]string `json:"metadata"`
	}
	type plain struct {
		PlayerID, TransactionID, CheckoutLinkID, ShopID, Environment, Currency string
		DecimalPlaces                                                          int
		Tax, Total                                                             int64
		TimeMillis                                                             int64 `json:"timeMillis,string"`
		PaymentMethodType                                                      string
		Items                                                                  []item
		Platform, Browser, DeviceID, Source, IPAddress, Region, UserEmail      string
		EmailMarketingOptIn                                                    *bool
		BonusItems                                                             []struct {
			ID       string
			Quantity int64
		}
		Loyalty json.RawMessage
	}
	data := egressTestdata(b, "egress_confirm.json")
	b.ReportAllocs()
	for b.Loop() {
		var r plain
		if err := json.Unmarshal(data, &r); err != nil {
			b.Fatal(err)
		}
	}
}
