package stashpay

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkoutJSONCases are params whose hand-written encoding must equal
// encoding/json's, including every field, empty optionals and strings that
// need escaping.
func checkoutJSONCases() map[string]*CheckoutParams {
	return map[string]*CheckoutParams{
		"minimal": {Item: &CheckoutItem{ID: "a", PricePerItem: "1", Quantity: 1}, User: CheckoutUser{ID: "u"}},
		"every field": {
			Item:                &CheckoutItem{ID: "gems", PricePerItem: "1.99", Quantity: 2, ImageURL: "https://i", Name: "n", Description: "d"},
			BonusItems:          []BonusItem{{ID: "b1", Name: "B", ImageURL: "https://b", Quantity: 3, Description: "x"}, {ID: "b2", Quantity: 1}},
			User:                CheckoutUser{ID: "u", ValidatedEmail: "e@x", ProfileImageURL: "https://p", DisplayName: "D", RegionCode: "US", Platform: UserPlatformAndroid},
			TransactionID:       "t",
			RegionCode:          "USA",
			Currency:            "USD",
			CheckoutSessionID:   "s",
			CreatePaymentIntent: true,
		},
		"catalog":         {CatalogItems: []CatalogItem{{ID: "c1", Quantity: 1}, {ID: "c2", Quantity: 2147483647}}, User: CheckoutUser{ID: "u"}},
		"no items at all": {User: CheckoutUser{}},
		"escapes": {
			Item: &CheckoutItem{ID: "q\"b\\s", PricePerItem: "1", Quantity: -5, Name: "<b>&amp;</b>", Description: "line\nbreak\ttab\x00nul\u2028ls é 日本 \xff"},
			User: CheckoutUser{ID: "ü", DisplayName: "\x7f"},
		},
	}
}

func TestAppendCheckoutJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for name, p := range checkoutJSONCases() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want, err := json.Marshal(p)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(appendCheckoutJSON(nil, p)))
			assert.Equal(t, "prefix"+string(want), string(appendCheckoutJSON([]byte("prefix"), p)))
		})
	}
}

// FuzzCheckoutJSON checks the hand-written encoder against encoding/json
// for arbitrary strings and numbers in every position.
func FuzzCheckoutJSON(f *testing.F) {
	f.Add("gems", "1.99", 2, "n", "u", "t", "USD", false, true)
	f.Add("q\"<>&", "\xff", -1, "\u2028", "ü", "", "", true, false)
	f.Fuzz(func(t *testing.T, id, price string, qty int, name, user, txn, currency string, intent, catalog bool) {
		p := &CheckoutParams{
			BonusItems:          []BonusItem{{ID: name, Name: id, Quantity: qty, Description: price}},
			User:                CheckoutUser{ID: user, DisplayName: name, Platform: UserPlatform(currency)},
			TransactionID:       txn,
			Currency:            currency,
			CheckoutSessionID:   id,
			CreatePaymentIntent: intent,
		}
		if catalog {
			p.CatalogItems = []CatalogItem{{ID: id, Quantity: qty}, {ID: name, Quantity: -qty}}
		} else {
			p.Item = &CheckoutItem{ID: id, PricePerItem: Amount(price), Quantity: qty, Name: name, ImageURL: txn}
		}
		want, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendCheckoutJSON(nil, p); string(got) != string(want) {
			t.Fatalf("encoders differ:\n got %s\nwant %s", got, want)
		}
	})
}

func TestDecodeCheckoutResponseMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, body := range checkoutResponseSeeds {
		t.Run(body, func(t *testing.T) {
			t.Parallel()
			checkDecodeCheckoutResponse(t, []byte(body))
		})
	}
}

var checkoutResponseSeeds = []string{
	`{"url":"https://pay.stash.gg/pay/4b1f","id":"4b1f","regionCode":"US"}`,
	" {\n \"url\" : \"u\" ,\t\"id\":\"i\"\r\n}\n",
	`{}`,
	`{"url":"a","url":"b"}`,
	`{"URL":"upper","id":"i"}`,
	`{"url":"a\u0062","id":"é"}`,
	`{"url":"u","extra":5,"nested":{"a":[1]}}`,
	`{"url":"u",}`,
	`{"url":"u"} x`,
	`{"url":null}`,
	`{"url":5}`,
	`[]`,
	`"url"`,
	``,
	`{"url":"u"`,
	`{"Id":"x","REGIONCODE":"y"}`,
}

func checkDecodeCheckoutResponse(t *testing.T, data []byte) {
	t.Helper()
	var got, want Checkout
	gotErr := decodeCheckoutResponse(data, &got)
	wantErr := json.Unmarshal(data, (*checkoutResponse)(&want))
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("errors differ for %q: got %v, want %v", data, gotErr, wantErr)
	}
	if wantErr == nil && got != want {
		t.Fatalf("results differ for %q: got %+v, want %+v", data, got, want)
	}
}

// FuzzCheckoutResponseDecode checks the fast response decoder against
// encoding/json on arbitrary bodies.
func FuzzCheckoutResponseDecode(f *testing.F) {
	for _, s := range checkoutResponseSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(checkDecodeCheckoutResponse)
}
