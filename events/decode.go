package events

import (
	"encoding/json"

	"github.com/stashpay/stashpay-go/internal/wire"
)

// Stash sends int64 values as JSON numbers in some payloads and as JSON
// strings in others (proto JSON encodes int64 as a string), booleans as
// booleans or strings, identifiers as strings or numbers, and metadata values
// of any scalar kind, so every payload decodes through internal/wire, which
// reads each of these into the plain Go type (a number into a string as its
// text) rather than failing a delivery that Stash would then redeliver,
// failing again, for a day. The conversion stays exact: a string that is
// not a plain integer, or a value out of range, is still an error. So the
// event types are plain tagged structs; the targets below add only what a
// plain struct cannot say: members no Stash source fixes the shape of,
// which never fail the event (see [lenient]).

// purchaseSucceededJSON decodes a [PurchaseSucceeded]. The identifiers
// Stash's example does not show (shopId, transactionId) and userId may come
// as JSON numbers, kept as their text (internal/wire reads every number
// into a string so): refusing one would refuse the purchase, redelivered
// and refused for a day.
type purchaseSucceededJSON struct {
	*PurchaseSucceeded
	Items      []itemJSON      `json:"items"`
	BonusItems json.RawMessage `json:"bonusItems"`
}

// itemJSON decodes an [Item] of a purchase or a refund, the events that
// grant and revoke, with its quantity read as a number or a digit string in
// the one pass (protobuf's JSON form of int64): through wire's
// rewrite-and-decode-again, which would read it too, a purchase with
// digit-string quantities that misses the fast path cost about four times
// as much.
type itemJSON struct {
	Item
	Quantity wire.Int64 `json:"quantity"`
}

// items converts decoded items; nil stays nil.
func items(in []itemJSON) []Item {
	if in == nil {
		return nil
	}
	out := make([]Item, len(in))
	for i, it := range in {
		out[i] = it.Item
		out[i].Quantity = int64(it.Quantity)
	}
	return out
}

// bonusItems reads the bonus items of a purchase, whose member on the
// webhook Stash does not document, as well as it can: when raw is an array,
// each element that is an {id, quantity} object (the confirm call's shape)
// with an ID (a string, or a number read as its text) and a quantity > 0,
// whatever the kind of its descriptive members (a name or description
// that is not a string or number is left empty); anything else is left
// out. Their shape never fails the purchase, which would then be
// redelivered, and refused, for a day; raw stays in the event's Raw.
func bonusItems(raw json.RawMessage) []BonusItem {
	var elems []json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &elems) != nil {
		return nil
	}
	var out []BonusItem
	for _, elem := range elems {
		var b bonusItemJSON
		if wire.Unmarshal(elem, &b) == nil && b.ID != "" && b.Quantity > 0 {
			it := b.BonusItem
			it.Name, it.Description = string(b.Name.v), string(b.Description.v)
			out = append(out, it)
		}
	}
	return out
}

// bonusItemJSON decodes a [BonusItem].
type bonusItemJSON struct {
	BonusItem
	Name        lenientText `json:"name"`
	Description lenientText `json:"description"`
}

// lenient is a member whose kind or shape no Stash source fixes (a refund's
// amount, a bonus item's name, a subscription's period): it is read as T
// reads itself, and left zero when T refuses it, rather than failing the
// event (redelivered, and refused, for a day), whose Raw keeps it.
type lenient[T any, P interface {
	*T
	json.Unmarshaler
}] struct{ v T }

// UnmarshalJSON implements json.Unmarshaler.
func (l *lenient[T, P]) UnmarshalJSON(b []byte) error {
	if P(&l.v).UnmarshalJSON(b) != nil {
		var zero T
		l.v = zero
	}
	return nil
}

// lenientText is a descriptive text: a string, or a number kept as its
// text; another kind (an object such as a localized text) is left empty.
type lenientText = lenient[wire.NumericText, *wire.NumericText]

// lenientAmount is an [Amount] of a kind no Stash source shows: a string
// or number is read as Amount reads it; another kind is left empty.
type lenientAmount = lenient[Amount, *Amount]

func (w *purchaseSucceededJSON) result() decoded {
	e := w.PurchaseSucceeded
	if e == nil {
		// encoding/json allocates an embedded pointer only when it sets a
		// member through it.
		e = new(PurchaseSucceeded)
	}
	e.Items, e.BonusItems = items(w.Items), bonusItems(w.BonusItems)
	return e
}

// purchaseRefundedJSON decodes a [PurchaseRefunded]: a numeric userId,
// shopId or transactionId is kept as its text, as on the purchase; the
// members no Stash source shows never fail the refund, which would then
// never be revoked: a numeric refundId or reason (an enum number) is kept
// as its text, an amount of another kind than a string or number is left
// empty.
type purchaseRefundedJSON struct {
	*PurchaseRefunded
	Items  []itemJSON    `json:"items"`
	Reason lenientText   `json:"reason"`
	Amount lenientAmount `json:"amount"`
	Total  lenientAmount `json:"total"`
	Tax    lenientAmount `json:"tax"`
}

func (w *purchaseRefundedJSON) result() decoded {
	e := w.PurchaseRefunded
	if e == nil {
		e = new(PurchaseRefunded)
	}
	e.Reason, e.Amount, e.Total, e.Tax = string(w.Reason.v), w.Amount.v, w.Total.v, w.Tax.v
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
	default:
		return ev, wire.Unmarshal(data, ev)
	}
	if err := wire.Unmarshal(data, target); err != nil {
		return nil, err
	}
	return target.result(), nil
}
