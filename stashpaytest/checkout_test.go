package stashpaytest_test

import (
	"encoding/json"
	stashpay "github.com/stashpay/stashpay-go"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckoutValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		body     string
		wantHTTP int
		wantCode int
		wantMsg  string
	}{
		{"item", gemsCheckout, 200, 0, ""},
		{"snake_case names", `{"item":{"id":"a","price_per_item":"1.00","quantity":1},"user":{"id":"p"},"transaction_id":"tx-snake"}`, 200, 0, ""},
		{"quantity as string", `{"item":{"id":"a","pricePerItem":"1.00","quantity":"3"},"user":{"id":"p"}}`, 200, 0, ""},
		{"unknown members ignored", `{"item":{"id":"a","pricePerItem":"1","quantity":1},"user":{"id":"p","platform":"IOS"},"createPaymentIntent":true,"future":{"x":1}}`, 200, 0, ""},
		{"platform as number", `{"item":{"id":"a","pricePerItem":"1","quantity":1},"user":{"id":"p","platform":2}}`, 200, 0, ""},
		{"neither item nor catalog", `{"user":{"id":"p"}}`, 400, 3, "exactly one"},
		{"both item and catalog", `{"item":{"id":"a","pricePerItem":"1","quantity":1},"catalogItems":[{"id":"a","quantity":1}],"user":{"id":"p"}}`, 400, 3, "exactly one"},
		{"no user", `{"item":{"id":"a","pricePerItem":"1","quantity":1}}`, 400, 3, "user.id"},
		{"empty user id", `{"item":{"id":"a","pricePerItem":"1","quantity":1},"user":{"id":""}}`, 400, 3, "user.id"},
		{"no item id", `{"item":{"pricePerItem":"1","quantity":1},"user":{"id":"p"}}`, 400, 3, "item.id"},
		{"no price", `{"item":{"id":"a","quantity":1},"user":{"id":"p"}}`, 400, 3, "pricePerItem"},
		{"price as number", `{"item":{"id":"a","pricePerItem":1.99,"quantity":1},"user":{"id":"p"}}`, 400, 3, "invalid request body"},
		{"price not decimal", `{"item":{"id":"a","pricePerItem":"1,99","quantity":1},"user":{"id":"p"}}`, 400, 3, "pricePerItem"},
		{"price too precise", `{"item":{"id":"a","pricePerItem":"1.999","quantity":1},"user":{"id":"p"}}`, 400, 3, "pricePerItem"},
		{"price zero", `{"item":{"id":"a","pricePerItem":"0.00","quantity":1},"user":{"id":"p"}}`, 400, 3, "positive"},
		{"quantity zero", `{"item":{"id":"a","pricePerItem":"1","quantity":0},"user":{"id":"p"}}`, 400, 3, "quantity"},
		{"quantity fractional", `{"item":{"id":"a","pricePerItem":"1","quantity":1.5},"user":{"id":"p"}}`, 400, 3, "invalid request body"},
		{"bad currency", `{"item":{"id":"a","pricePerItem":"1","quantity":1},"user":{"id":"p"},"currency":"US"}`, 400, 3, "currency"},
		{"bad region", `{"item":{"id":"a","pricePerItem":"1","quantity":1},"user":{"id":"p"},"regionCode":"U1"}`, 400, 3, "regionCode"},
		{"bonus without quantity", `{"item":{"id":"a","pricePerItem":"1","quantity":1},"user":{"id":"p"},"bonusItems":[{"id":"b"}]}`, 400, 3, "bonusItems[0].quantity"},
		{"catalog without catalog", `{"catalogItems":[{"id":"sku","quantity":1}],"user":{"id":"p"}}`, 400, 9, "catalog"},
		{"not an object", `[1,2]`, 400, 3, "JSON object"},
		{"trailing data", gemsCheckout + `{}`, 400, 3, "invalid JSON"},
		{"empty body", ``, 400, 3, "JSON object"},
		{"invalid UTF-8 in an identifier", `{"item":{"id":"a","pricePerItem":"1","quantity":1},"user":{"id":"p"},"transactionId":"tx-` + "\xff" + `-1"}`, 400, 3, "transactionId: invalid UTF-8"},
		{"quantity with a plus sign", `{"item":{"id":"a","pricePerItem":"1","quantity":"+1"},"user":{"id":"p"}}`, 400, 3, "item.quantity"},
		{"loose snake_case name", `{"item":{"id":"a","pricePerItem":"1","quantity":1},"user":{"id":"p"},"_transaction_id_":"tx-x"}`, 200, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := stashpaytest.Start(t)
			code, out := call(t, s, http.MethodPost, checkoutPath, []byte(tc.body), validV1(s))
			require.Equal(t, tc.wantHTTP, code, string(out))
			if tc.wantHTTP == 200 {
				require.Len(t, s.Checkouts(), 1)
				return
			}
			st := decodeStatus(t, out)
			assert.Equal(t, tc.wantCode, st.Code)
			assert.Contains(t, st.Message, tc.wantMsg)
			assert.Empty(t, s.Checkouts())
		})
	}
}

func TestCheckoutState(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := stashpaytest.Start(t, stashpaytest.WithClock(func() time.Time { return at }), stashpaytest.WithTax(750))
	body := `{"item":{"id":"gems_100","pricePerItem":"1.99","quantity":2,"name":"100 Gems","description":"d","imageUrl":"https://img"},
		"bonusItems":[{"id":"badge","name":"Badge","quantity":1}],
		"user":{"id":"player-1","displayName":"P1","validatedEmail":"p1@example.com","platform":"ANDROID"},
		"transactionId":"tx-1","regionCode":"FR","currency":"eur","checkoutSessionId":"sess-9"}`
	code, out := call(t, s, http.MethodPost, checkoutPath, []byte(body), validV1(s))
	require.Equal(t, 200, code, string(out))
	var resp struct{ ID, URL, RegionCode string }
	require.NoError(t, json.Unmarshal(out, &resp))
	assert.Equal(t, "FR", resp.RegionCode)
	assert.Equal(t, s.URL()+"/pay/"+resp.ID, resp.URL)

	c, ok := s.Checkout(resp.ID)
	require.True(t, ok)
	assert.Equal(t, "tx-1", c.TransactionID)
	assert.Equal(t, "EUR", c.Currency)
	assert.Equal(t, 2, c.DecimalPlaces)
	assert.Equal(t, "sess-9", c.CheckoutSessionID)
	assert.Equal(t, stashpaytest.User{ID: "player-1", DisplayName: "P1", ValidatedEmail: "p1@example.com", Platform: "ANDROID"}, c.User)
	assert.Equal(t, []stashpaytest.Item{{ID: "gems_100", Name: "100 Gems", Description: "d", ImageURL: "https://img", PricePerItem: "1.99", Quantity: 2, UnitMinor: 199}}, c.Items)
	assert.Equal(t, []stashpaytest.BonusItem{{ID: "badge", Name: "Badge", Quantity: 1}}, c.BonusItems)
	assert.Equal(t, int64(398), c.Subtotal)
	assert.Equal(t, int64(30), c.Tax, "7.5% of 3.98 = 0.2985, rounded half up")
	assert.Equal(t, int64(428), c.Total)
	assert.Equal(t, stashpay.PaymentStatusPending, c.Status)
	assert.Equal(t, at, c.CreatedAt)
	assert.JSONEq(t, body, string(c.Body))

	byTx, ok := s.CheckoutByTransaction("tx-1")
	require.True(t, ok)
	assert.Equal(t, c.ID, byTx.ID)

	// The copy is independent of the server's state.
	c.Items[0].ID = "changed"
	again, _ := s.Checkout(resp.ID)
	assert.Equal(t, "gems_100", again.Items[0].ID)

	// GetPaymentEvent of a pending checkout.
	code, out = call(t, s, http.MethodGet, paymentPath+resp.ID, nil, validV1(s))
	require.Equal(t, 200, code, string(out))
	assert.JSONEq(t, `{"status":"PAYMENT_STATUS_PENDING","timeMillis":"`+millis(at)+`","currency":"EUR",
		"total":"4.28","tax":"0.30",
		"items":[{"id":"gems_100","pricePerItem":"1.99","quantity":2,"name":"100 Gems","description":"d"}],
		"bonusItems":[{"id":"badge","name":"Badge","quantity":1}]}`, string(out))
}

func millis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

func TestCheckoutTransactionID(t *testing.T) {
	t.Parallel()
	s := stashpaytest.Start(t)
	withTx := `{"item":{"id":"a","pricePerItem":"1.00","quantity":1},"user":{"id":"p"},"transactionId":"tx-same"}`
	first := createCheckout(t, s, withTx)
	// A client retry of the same request gets the same checkout.
	second := createCheckout(t, s, withTx)
	assert.Equal(t, first, second)
	assert.Len(t, s.Checkouts(), 1)

	// Reusing the transaction ID for another purchase is refused.
	other := `{"item":{"id":"a","pricePerItem":"2.00","quantity":1},"user":{"id":"p"},"transactionId":"tx-same"}`
	code, out := call(t, s, http.MethodPost, checkoutPath, []byte(other), validV1(s))
	require.Equal(t, http.StatusConflict, code)
	assert.Equal(t, 6, decodeStatus(t, out).Code, "ALREADY_EXISTS")

	// Without one, the fake generates a distinct transaction ID per checkout.
	a := createCheckout(t, s, gemsCheckout)
	b := createCheckout(t, s, gemsCheckout)
	ca, _ := s.Checkout(a)
	cb, _ := s.Checkout(b)
	assert.NotEmpty(t, ca.TransactionID)
	assert.NotEqual(t, ca.TransactionID, cb.TransactionID)
}

func TestCheckoutCatalog(t *testing.T) {
	t.Parallel()
	s := stashpaytest.Start(t,
		stashpaytest.WithCatalogProduct(stashpaytest.Product{ID: "sword", Name: "Sword", PricePerItem: "4.99"}),
		stashpaytest.WithCatalogProduct(stashpaytest.Product{ID: "shield", Name: "Shield", PricePerItem: "3"}),
	)
	id := createCheckout(t, s, `{"catalogItems":[{"id":"sword","quantity":2},{"id":"shield","quantity":1}],"user":{"id":"p"},"currency":"USD"}`)
	c, _ := s.Checkout(id)
	assert.True(t, c.FromCatalog)
	require.Len(t, c.Items, 2)
	assert.Equal(t, int64(499), c.Items[0].UnitMinor)
	assert.Equal(t, int64(300), c.Items[1].UnitMinor)
	assert.Equal(t, int64(1298), c.Total)

	code, out := call(t, s, http.MethodPost, checkoutPath, []byte(`{"catalogItems":[{"id":"bow","quantity":1}],"user":{"id":"p"}}`), validV1(s))
	require.Equal(t, http.StatusNotFound, code)
	assert.Equal(t, 5, decodeStatus(t, out).Code)
}

func TestCheckoutZeroDecimalCurrency(t *testing.T) {
	t.Parallel()
	s := stashpaytest.Start(t)
	id := createCheckout(t, s, `{"item":{"id":"a","pricePerItem":"150","quantity":1},"user":{"id":"p"},"currency":"JPY"}`)
	c, _ := s.Checkout(id)
	assert.Equal(t, 0, c.DecimalPlaces)
	assert.Equal(t, int64(150), c.Total)
	code, _ := call(t, s, http.MethodPost, checkoutPath, []byte(`{"item":{"id":"a","pricePerItem":"1.5","quantity":1},"user":{"id":"p"},"currency":"JPY"}`), validV1(s))
	assert.Equal(t, http.StatusBadRequest, code)
}

func TestSetPaymentStatus(t *testing.T) {
	t.Parallel()
	s := stashpaytest.Start(t)
	id := createCheckout(t, s, gemsCheckout)
	require.NoError(t, s.SetPaymentStatus(id, stashpay.PaymentStatusFailed))
	code, out := call(t, s, http.MethodGet, paymentPath+id, nil, validV1(s))
	require.Equal(t, 200, code)
	assert.Contains(t, string(out), `"status":"PAYMENT_STATUS_FAILED"`)
	assert.ErrorIs(t, s.SetPaymentStatus("nope", stashpay.PaymentStatusFailed), stashpaytest.ErrUnknownCheckout)
}

func TestCheckoutMemberNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, member string
		wantSent     bool // the transaction ID sent is the one kept
	}{
		{"lowerCamelCase", "transactionId", true},
		{"snake_case", "transaction_id", true},
		{"loose underscores", "_transaction_id_", false},
		{"letters apart", "t_r_a_n_s_a_c_t_i_o_n_i_d", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := stashpaytest.Start(t)
			body := `{"item":{"id":"a","pricePerItem":"1","quantity":1},"user":{"id":"p"},"` + tc.member + `":"tx-sent"}`
			code, out := call(t, s, http.MethodPost, checkoutPath, []byte(body), validV1(s))
			require.Equal(t, http.StatusOK, code, string(out))
			cs := s.Checkouts()
			require.Len(t, cs, 1)
			assert.Equal(t, tc.wantSent, cs[0].TransactionID == "tx-sent", cs[0].TransactionID)
		})
	}
}

// Stash's decimalPlaces is "CLDR fraction-digit count for this ISO 4217
// currency, from public CLDR supplemental data" (swagger.v1.json, register,
// confirm and cancel), not ISO 4217's minor unit: IQD, ALL, RSD and LBP have
// 0 digits in CLDR, CLF 4.
func TestCheckoutDecimalPlacesAreCLDR(t *testing.T) {
	t.Parallel()
	s := stashpaytest.Start(t)
	for cur, want := range map[string]int{"USD": 2, "EUR": 2, "JPY": 0, "KWD": 3, "IQD": 0, "ALL": 0, "RSD": 0, "LBP": 0, "CLF": 4} {
		t.Run(cur, func(t *testing.T) {
			t.Parallel()
			id := createCheckout(t, s, `{"currency":"`+cur+`","item":{"id":"x","pricePerItem":"1000","quantity":1},"user":{"id":"p"}}`)
			c, ok := s.Checkout(id)
			require.True(t, ok)
			assert.Equal(t, want, c.DecimalPlaces)
		})
	}
}
