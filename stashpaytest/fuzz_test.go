package stashpaytest

import (
	"math"
	"testing"
)

// FuzzCheckoutRequest feeds arbitrary bodies to the fake's
// generate_quick_pay_url decoding and validation: it must never panic, must
// answer every refusal as a 4xx google.rpc.Status, and every checkout it
// accepts must be one Stash would accept.
func FuzzCheckoutRequest(f *testing.F) {
	for _, seed := range []string{
		`{"item":{"id":"gems","pricePerItem":"1.99","quantity":2},"user":{"id":"p"}}`,
		`{"catalogItems":[{"id":"sword","quantity":"3"}],"user":{"id":"p"},"currency":"jpy"}`,
		`{"item":{"id":"a","price_per_item":"0.5","quantity":1},"user":{"id":"p","platform":2},"bonus_items":[{"id":"b","quantity":1}]}`,
		`{"item":{"id":"a","pricePerItem":"99999999999","quantity":9223372036854775807},"user":{"id":"p"}}`,
		`{"item":null,"catalogItems":[],"user":{}}`,
		`[]`, `{}`, `{"item":{"id":"a","pricePerItem":"1e3","quantity":1},"user":{"id":"p"}}`,
	} {
		f.Add([]byte(seed))
	}
	s := NewServer(WithCatalogProduct(Product{ID: "sword", PricePerItem: "499"}), WithTax(825))
	f.Cleanup(s.Close)
	f.Fuzz(func(t *testing.T, body []byte) {
		var req wireCheckoutRequest
		if err := decodeObject(body, &req); err != nil {
			return
		}
		c, rerr := s.newCheckout(&req)
		if rerr != nil {
			if rerr.status < 400 || rerr.status > 499 || rerr.code == 0 || rerr.message == "" {
				t.Fatalf("refusal %d/%d %q", rerr.status, rerr.code, rerr.message)
			}
			return
		}
		if (req.Item == nil) == (len(req.CatalogItems) == 0) {
			t.Fatal("accepted without exactly one of item and catalogItems")
		}
		if c.User.ID == "" || len(c.Items) == 0 || c.TransactionID == "" || len(c.Currency) != 3 {
			t.Fatalf("accepted an incomplete checkout: %+v", c)
		}
		var sum int64
		for _, it := range c.Items {
			if it.Quantity <= 0 || it.UnitMinor <= 0 {
				t.Fatalf("accepted item %+v", it)
			}
			sum += it.UnitMinor * it.Quantity
		}
		if sum != c.Subtotal || c.Total != c.Subtotal+c.Tax || c.Tax < 0 || c.Total > math.MaxUint32 {
			t.Fatalf("amounts: sum %d subtotal %d tax %d total %d", sum, c.Subtotal, c.Tax, c.Total)
		}
	})
}
