package events

import "github.com/stashpay/stashpay-go/internal/wire"

// Stash sends int64 values as JSON numbers in some payloads and as JSON
// strings in others (proto JSON encodes int64 as a string), and booleans as
// booleans or strings, so members that decide what is granted read both
// forms through internal/wire's tolerant scalars rather than failing a
// delivery that Stash would then redeliver, failing again, for a day. The
// conversion stays exact: a string that is not a plain integer, or a value
// out of range, is still an error.

// The types below are decoding targets that read such members tolerantly in
// the same single pass as the rest of the payload: each embeds the public type
// and shadows the tolerant members with a field of the same JSON name, which
// encoding/json prefers because it is less deeply nested. (An UnmarshalJSON
// method on the public types would make encoding/json scan those bytes again
// for every object.) Their result method copies the shadowed values in.

// itemJSON decodes an [Item].
type itemJSON struct {
	Item
	Quantity wire.Int64 `json:"quantity"`
}

// taxItemJSON decodes a [TaxItem].
type taxItemJSON struct {
	TaxItem
	IsInclusive wire.Bool `json:"isInclusive"`
}

// taxDetailsJSON decodes [TaxDetails].
type taxDetailsJSON struct {
	Items []taxItemJSON `json:"items"`
}

// items converts decoded items; nil stays nil and empty stays empty, as
// encoding/json leaves them.
func items(in []itemJSON) []Item {
	if in == nil {
		return nil
	}
	out := make([]Item, len(in))
	for i := range in {
		out[i] = in[i].Item
		out[i].Quantity = int64(in[i].Quantity)
	}
	return out
}

// taxDetails converts decoded tax details.
func (td *taxDetailsJSON) result() TaxDetails {
	if td.Items == nil {
		return TaxDetails{}
	}
	out := make([]TaxItem, len(td.Items))
	for i := range td.Items {
		out[i] = td.Items[i].TaxItem
		out[i].IsInclusive = bool(td.Items[i].IsInclusive)
	}
	return TaxDetails{Items: out}
}

// purchaseSucceededJSON decodes a [PurchaseSucceeded].
type purchaseSucceededJSON struct {
	*PurchaseSucceeded
	Items               []itemJSON     `json:"items"`
	TaxDetails          taxDetailsJSON `json:"taxDetails"`
	EmailMarketingOptIn wire.Bool      `json:"emailMarketingOptIn"`
}

func (w *purchaseSucceededJSON) result() decoded {
	e := w.PurchaseSucceeded
	if e == nil {
		// encoding/json allocates an embedded pointer only when it sets a
		// member through it.
		e = new(PurchaseSucceeded)
	}
	e.Items, e.TaxDetails = items(w.Items), w.TaxDetails.result()
	e.EmailMarketingOptIn = bool(w.EmailMarketingOptIn)
	return e
}

// purchaseRefundedJSON decodes a [PurchaseRefunded].
type purchaseRefundedJSON struct {
	*PurchaseRefunded
	Items []itemJSON `json:"items"`
}

func (w *purchaseRefundedJSON) result() decoded {
	e := w.PurchaseRefunded
	if e == nil {
		e = new(PurchaseRefunded)
	}
	e.Items = items(w.Items)
	return e
}

// createPaymentIntentJSON decodes a [CreatePaymentIntent].
type createPaymentIntentJSON struct {
	*CreatePaymentIntent
	Items []itemJSON `json:"items"`
}

func (w *createPaymentIntentJSON) result() decoded {
	e := w.CreatePaymentIntent
	if e == nil {
		e = new(CreatePaymentIntent)
	}
	e.Items = items(w.Items)
	return e
}

// mutateCartJSON decodes a [MutateCart].
type mutateCartJSON struct {
	*MutateCart
	Items []itemJSON `json:"items"`
}

func (w *mutateCartJSON) result() decoded {
	e := w.MutateCart
	if e == nil {
		e = new(MutateCart)
	}
	e.Items = items(w.Items)
	return e
}

// unmarshalPayload decodes a payload object into ev, a new event from
// newEvent, through its tolerant decoding target when it has one.
func unmarshalPayload(data []byte, ev decoded) (decoded, error) {
	var target interface{ result() decoded }
	switch e := ev.(type) {
	case *PurchaseSucceeded:
		target = &purchaseSucceededJSON{PurchaseSucceeded: e}
	case *PurchaseRefunded:
		target = &purchaseRefundedJSON{PurchaseRefunded: e}
	case *CreatePaymentIntent:
		target = &createPaymentIntentJSON{CreatePaymentIntent: e}
	case *MutateCart:
		target = &mutateCartJSON{MutateCart: e}
	default:
		return ev, wire.Unmarshal(data, ev)
	}
	if err := wire.Unmarshal(data, target); err != nil {
		return nil, err
	}
	return target.result(), nil
}
