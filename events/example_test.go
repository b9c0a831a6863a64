package events_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/stashpay/stashpay-go/events"
)

// Example shows the usual handler body: parse the verified payload and
// switch on the concrete event type.
func Example() {
	for _, name := range []string{
		"purchase_succeeded.json",
		"subscription_canceled.json",
		"view_item.json",
	} {
		payload, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			fmt.Println(err)
			return
		}
		ev, err := events.Parse(payload)
		if err != nil {
			fmt.Println("reject:", err)
			continue
		}
		switch e := ev.(type) {
		case *events.PurchaseSucceeded:
			fmt.Printf("grant %d item(s) to %s, key %s\n", len(e.Items), e.UserID, e.IdempotencyKey())
		case *events.SubscriptionCanceled:
			fmt.Printf("subscription %s ends %s\n", e.EffectiveID(), e.AccessEndDate.Format("2006-01-02"))
		case *events.Unknown:
			fmt.Println("ignore unknown", e.Type())
		default:
			fmt.Printf("analytics %s (%s)\n", ev.Type(), ev.Format())
		}
	}
	// Output:
	// grant 1 item(s) to user_123, key checkout:checkout_xyz789
	// subscription sub_01J8ZQ4M7W ends 2026-09-01
	// analytics VIEW_ITEM (v1)
}

// ExampleParse shows that a new event type is not an error while a payload
// without a type is.
func ExampleParse() {
	ev, err := events.Parse([]byte(`{"type":"subscription.reactivated","data":{"id":"sub_1"}}`))
	if err == nil {
		u := ev.(*events.Unknown)
		fmt.Println(u.Type(), u.Format(), u.PayloadKey, string(u.Data))
	}

	_, err = events.Parse([]byte(`{"purchaseSucceeded":{}}`))
	fmt.Println(errors.Is(err, events.ErrMissingType), errors.Is(err, events.ErrMalformed))
	// Output:
	// subscription.reactivated v2 data {"id":"sub_1"}
	// true true
}

// ExampleAmount shows the explicit choice of unit: Stash's examples send
// both decimal major units and minor units.
func ExampleAmount() {
	decimal := events.Amount("21.48") // webhook-list example
	minor := events.Amount("199")     // webhook-listener example

	a, _ := decimal.MinorUnits(2)
	b, _ := minor.ParseMinor()
	_, err := events.Amount("1.999").MinorUnits(2)
	fmt.Println(a, b, err != nil)
	// Output: 2148 199 true
}

// ExampleCurrency_Equal compares currency codes sent in different cases.
func ExampleCurrency_Equal() {
	c := events.Currency("usd")
	fmt.Println(c.Equal("USD"), c.Code())
	// Output: true USD
}
