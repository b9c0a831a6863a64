package stashpay_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/stashpaytest"
)

// egressExampleCall plays Stash: it sends testdata/file, signed with the
// egress key, to url and prints the answer.
func egressExampleCall(url, file string) {
	body, err := os.ReadFile("testdata/" + file)
	if err != nil {
		panic(err)
	}
	req, err := stashpaytest.NewEgressRequest(context.Background(), "my-shop-id", "my-egress-key", url, body)
	if err != nil {
		panic(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, strings.TrimSpace(string(answer)))
}

func ExampleConfirmPaymentHandler() {
	// In production, read these from the environment (Studio: Project
	// Settings, App details and API Secrets).
	cfg := stashpay.EgressConfig{ShopID: "my-shop-id", EgressKey: "my-egress-key"}

	// granted stands in for the game's database: a table of granted
	// transactions, written in the same transaction as the items.
	var mu sync.Mutex
	granted := map[string]bool{}

	confirm := stashpay.ConfirmPaymentHandler(cfg, func(ctx context.Context, req *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
		total, err := req.TotalAmount()
		if err != nil {
			return nil, stashpay.RejectPurchase("unexpected amount")
		}
		mu.Lock() // BEGIN
		defer mu.Unlock()
		if granted[req.TransactionID] {
			return nil, nil // granted earlier: success again, grant nothing
		}
		granted[req.TransactionID] = true
		for _, it := range req.Items {
			fmt.Printf("grant %d x %s to %s\n", it.Quantity, it.ProductID, req.PlayerID)
		}
		fmt.Println("paid", total, req.Currency) // COMMIT, then never fail
		return nil, nil                          // one result per item
	})

	mux := http.NewServeMux()
	mux.Handle(stashpay.ConfirmPaymentPath, confirm)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	egressExampleCall(srv.URL+stashpay.ConfirmPaymentPath, "egress_confirm.json")
	egressExampleCall(srv.URL+stashpay.ConfirmPaymentPath, "egress_confirm.json") // a retry
	// Output:
	// grant 1 x gems_500 to player-42
	// paid 10.98 USD
	// 200 {"results":[{"guid":"5d6a3c1e-9b8f-4e2d-a1c0-7f6e5d4c3b2a","productId":"gems_500"}]}
	// 200 {"results":[{"guid":"5d6a3c1e-9b8f-4e2d-a1c0-7f6e5d4c3b2a","productId":"gems_500"}]}
}

func ExampleRejectPurchase() {
	cfg := stashpay.EgressConfig{ShopID: "my-shop-id", EgressKey: "my-egress-key"}
	h := stashpay.ConfirmPaymentHandler(cfg, func(ctx context.Context, req *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
		// Refuse before granting anything: Stash fails the purchase and
		// does not charge the player.
		return nil, stashpay.RejectPurchase("offer expired")
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	egressExampleCall(srv.URL, "egress_confirm.json")
	// Output:
	// 422 {"code":9,"message":"offer expired"}
}

func ExampleRegisterPaymentHandler() {
	cfg := stashpay.EgressConfig{ShopID: "my-shop-id", EgressKey: "my-egress-key"}
	stock := map[string]int64{"gems_500": 10, "sword": 1}

	h := stashpay.RegisterPaymentHandler(cfg, func(ctx context.Context, req *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
		resp := &stashpay.RegisterPaymentResponse{}
		for _, it := range req.Registrations {
			st := stashpay.OfferStatus{GUID: it.GUID, ProductID: it.ProductID, Status: stashpay.PurchaseRegistrationStatusSuccessRegistered}
			if stock[it.ProductID] < it.Quantity {
				st.Status = stashpay.PurchaseRegistrationStatusFailedInsufficientInventory
				st.Message = "only " + fmt.Sprint(stock[it.ProductID]) + " left"
			}
			resp.Statuses = append(resp.Statuses, st)
		}
		return resp, nil
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	egressExampleCall(srv.URL, "egress_register.json")
	// Output:
	// 200 {"statuses":[{"guid":"5d6a3c1e-9b8f-4e2d-a1c0-7f6e5d4c3b2a","productId":"gems_500","status":"PURCHASE_REGISTRATION_STATUS_SUCCESS_REGISTERED"},{"guid":"6e7b4d2f-0c9a-4f3e-b2d1-8a7f6e5d4c3b","productId":"sword","status":"PURCHASE_REGISTRATION_STATUS_FAILED_INSUFFICIENT_INVENTORY","message":"only 1 left"}]}
}

func ExampleCancelPaymentHandler() {
	cfg := stashpay.EgressConfig{ShopID: "my-shop-id", EgressKey: "my-egress-key"}
	h := stashpay.CancelPaymentHandler(cfg, func(ctx context.Context, req *stashpay.CancelPaymentRequest) (*stashpay.CancelPaymentResponse, error) {
		fmt.Println("release reservation", req.TransactionID)
		return nil, nil // SUCCESS_CANCELLED
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	egressExampleCall(srv.URL, "egress_cancel.json")
	// Output:
	// release reservation tx-7f3a9c
	// 200 {"status":"PURCHASE_CANCELLATION_STATUS_SUCCESS_CANCELLED"}
}

func ExamplePurchaseHandler() {
	cfg := stashpay.EgressConfig{ShopID: "my-shop-id", EgressKey: "my-egress-key"}
	h := stashpay.PurchaseHandler(cfg, stashpay.PurchaseFuncs{
		Register: func(ctx context.Context, req *stashpay.RegisterPaymentRequest) (*stashpay.RegisterPaymentResponse, error) {
			return nil, stashpay.RejectRegistration(stashpay.PurchaseRegistrationStatusFailedPurchaseLocked, "maintenance")
		},
		Confirm: func(ctx context.Context, req *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
			return nil, nil
		},
		Cancel: func(ctx context.Context, req *stashpay.CancelPaymentRequest) (*stashpay.CancelPaymentResponse, error) {
			return nil, stashpay.RejectCancellation(stashpay.PurchaseCancellationStatusFailedAlreadyCompleted, "")
		},
	})
	// Mount it where the Game Backend URL configured in Studio points.
	srv := httptest.NewServer(h)
	defer srv.Close()

	egressExampleCall(srv.URL+stashpay.RegisterPaymentPath, "egress_register.json")
	egressExampleCall(srv.URL+stashpay.CancelPaymentPath, "egress_cancel.json")
	egressExampleCall(srv.URL+"/api/v1/player", "egress_cancel.json")
	// Output:
	// 200 {"statuses":[{"guid":"5d6a3c1e-9b8f-4e2d-a1c0-7f6e5d4c3b2a","productId":"gems_500","status":"PURCHASE_REGISTRATION_STATUS_FAILED_PURCHASE_LOCKED","message":"maintenance"},{"guid":"6e7b4d2f-0c9a-4f3e-b2d1-8a7f6e5d4c3b","productId":"sword","status":"PURCHASE_REGISTRATION_STATUS_FAILED_PURCHASE_LOCKED","message":"maintenance"}]}
	// 200 {"status":"PURCHASE_CANCELLATION_STATUS_FAILED_ALREADY_COMPLETED"}
	// 404 {"code":5,"message":"not found"}
}

func ExampleConfirmPaymentRequest_TotalAmount() {
	// Stash may send snake_case names, enums as numbers and int64 values
	// as numbers; all decode alike.
	body := []byte(`{"player_id":"p1","transaction_id":"t1","currency":"JPY","decimal_places":0,
		"tax":0,"total":1500,"time_millis":1753993257000,"platform":1,
		"items":[{"guid":"g1","product_id":"gems","quantity":3,"cents":500}]}`)
	var req stashpay.ConfirmPaymentRequest
	if err := json.Unmarshal(body, &req); err != nil {
		panic(err)
	}
	total, _ := req.TotalAmount()
	unit, _ := req.Items[0].UnitAmount(req.DecimalPlaces)
	fmt.Println(total, req.Currency, "=", req.Items[0].Quantity, "x", unit)
	fmt.Println(req.Platform, req.Time.Format("2006-01-02"), req.Validate())
	// Output:
	// 1500 JPY = 3 x 500
	// PURCHASE_PLATFORM_IOS 2025-07-31 <nil>
}

func ExampleEgressConfig_Validate() {
	cfg := stashpay.EgressConfig{ShopID: "my-shop-id", EgressKey: os.Getenv("STASH_EGRESS_KEY_THAT_IS_NOT_SET")}
	fmt.Println(cfg.Validate())
	cfg.EgressKey = "my-egress-key"
	fmt.Println(cfg.Validate())
	fmt.Println(cfg)
	// Output:
	// stashpay: invalid egress config: invalid secret: EgressConfig.EgressKey is empty
	// <nil>
	// stashpay.EgressConfig{ShopID: "my-shop-id", EgressKey: [redacted], PreviousEgressKeys: 0 redacted, Base64Key: false, AllowLegacySignature: false, Tolerance: 0s, Lease: 0s, BusyWait: 0s, MaxBodyBytes: 0}
}

// A game serves the whole egress surface from one handler: here the
// webshop's player call, played by the fake Stash.
func ExampleEgressHandler() {
	srv := stashpaytest.NewServer()
	defer srv.Close()
	h := stashpay.EgressHandler(stashpay.EgressConfig{ShopID: srv.ShopID(), EgressKey: srv.EgressKey()}, stashpay.EgressFuncs{
		Player: func(_ context.Context, req *stashpay.PlayerRequest) (*stashpay.PlayerResponse, error) {
			return &stashpay.PlayerResponse{Player: stashpay.Player{PlayerID: req.PlayerID, Name: "Ada", InGameLevel: 7}}, nil
		},
	})
	game := httptest.NewServer(h)
	defer game.Close()
	srv.SetEgressBaseURL(game.URL)
	resp, _, err := srv.GetPlayer(context.Background(), url.Values{"playerId": {"p-1"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Player.PlayerID, resp.Player.Name, resp.Player.InGameLevel)
	_, call, _ := srv.GetCatalog(context.Background(), nil)
	fmt.Println("catalog:", call.StatusCode)
	// Output:
	// p-1 Ada 7
	// catalog: 404
}
