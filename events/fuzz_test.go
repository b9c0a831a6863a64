package events_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stashpay/stashpay-go/events"
)

func FuzzParse(f *testing.F) {
	events.AddSeedPayloads(f)
	for _, s := range []string{
		``, `null`, `[]`, `{}`, `{"type":""}`, `{"type":5}`,
		`{"type":"PURCHASE_SUCCEEDED"}`,
		`{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{"timeMillis":"1753993257000","items":[{"quantity":-1}]}}`,
		`{"type":"VIEW_ITEM","eventData":{"userId":"u"}}`,
		`{"type":"NEW_THING","purchaseSucceeded":{"items":"x"},"other":{}}`,
		`{"type":"subscription.renewed","data":{"subscriptionId":"s","cancelledAt":1,"period":{"value":"2"}}}`,
		"{\"type\":\"PURCHASE_SUCCEEDED\",\"purchaseSucceeded\":{\"orderId\":\"ord-\xff-1\"}}",
		`{"type":"PURCHASE_SUCCEEDED","purchase_succeeded":{"order_id":"o","items":[{"quantity":"2"}]}}`,
		`{"type":"subscription.created","event_data":{"subscription_id":"s","status":3,"period":{"value":1}}}`,
		`{"type":"VIEW_ITEM","viewItem":{"userId":"\ud800"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		input := bytes.Clone(payload)
		ev, err := events.Parse(payload)
		if !bytes.Equal(input, payload) {
			t.Fatal("Parse modified its input")
		}
		if err != nil {
			if ev != nil {
				t.Fatalf("non-nil event %T with error %v", ev, err)
			}
			if !errors.Is(err, events.ErrMalformed) {
				t.Fatalf("error %v does not match ErrMalformed", err)
			}
			return
		}
		if ev == nil {
			t.Fatal("nil event without error")
		}
		if ev.Type() == "" {
			t.Fatal("empty Type without error")
		}
		if !bytes.Equal(ev.Raw(), payload) {
			t.Fatal("Raw differs from the input")
		}
		if f := ev.Format(); f != events.FormatV1 && f != events.FormatV2 {
			t.Fatalf("Format %d", f)
		}
		// Deterministic: a second parse agrees.
		again, err := events.Parse(payload)
		if err != nil {
			t.Fatalf("second Parse failed: %v", err)
		}
		if again.Type() != ev.Type() || again.IdempotencyKey() != ev.IdempotencyKey() ||
			again.Environment() != ev.Environment() {
			t.Fatal("Parse is not deterministic")
		}
	})
}
