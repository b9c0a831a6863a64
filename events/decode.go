package events

import (
	"encoding/json"

	"github.com/stashpay/stashpay-go/internal/wire"
)

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
// encoding/json prefers because it is less deeply nested. Their result method
// copies the shadowed values in. The one exception is [Item], which many
// events carry: it decodes itself (see [Item.UnmarshalJSON]), which costs
// encoding/json a second scan of each item's bytes but spares every event
// with items a target of its own.

// UnmarshalJSON decodes an item: its quantity as a JSON number or a string
// holding an integer, a metadata value that is a number, boolean or null as
// its JSON text ("7", "true", ""), as the egress calls read item metadata;
// null leaves it unchanged. The member names are matched as encoding/json
// matches them (none has a snake_case form).
func (it *Item) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	s := struct {
		ID       wire.NumericText     `json:"id"`
		Quantity wire.Int64           `json:"quantity"`
		Price    Amount               `json:"price"`
		Metadata map[string]wire.Text `json:"metadata"`
	}{ID: wire.NumericText(it.ID), Quantity: wire.Int64(it.Quantity), Price: it.Price}
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	it.ID, it.Quantity, it.Price = string(s.ID), int64(s.Quantity), s.Price
	if s.Metadata != nil {
		it.Metadata = texts(s.Metadata)
	}
	return nil
}

// taxItemJSON decodes a [TaxItem]; the percentage may come as a JSON
// number (the tax details are not documented), kept as its text, as
// internal/wire reads every number into a string.
type taxItemJSON struct {
	TaxItem
	IsInclusive wire.Bool `json:"isInclusive"`
}

// taxDetailsJSON decodes [TaxDetails].
type taxDetailsJSON struct {
	Items []taxItemJSON `json:"items"`
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

// purchaseSucceededJSON decodes a [PurchaseSucceeded]. The identifiers
// Stash's example does not show (shopId, transactionId) and userId may come
// as JSON numbers, kept as their text (internal/wire reads every number
// into a string so): refusing one would refuse the purchase, redelivered
// and refused for a day.
type purchaseSucceededJSON struct {
	*PurchaseSucceeded
	TaxDetails          taxDetailsJSON  `json:"taxDetails"`
	EmailMarketingOptIn wire.Bool       `json:"emailMarketingOptIn"`
	BonusItems          json.RawMessage `json:"bonusItems"`
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
			it.Quantity = int64(b.Quantity)
			it.Name, it.Description = string(b.Name.v), string(b.Description.v)
			out = append(out, it)
		}
	}
	return out
}

// bonusItemJSON decodes a [BonusItem].
type bonusItemJSON struct {
	BonusItem
	Quantity    wire.Int64  `json:"quantity"`
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

// texts returns the metadata m holds, its values as their text (see
// [wire.Text]); nil for a nil m.
func texts(m map[string]wire.Text) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = string(v)
	}
	return out
}

func (w *purchaseSucceededJSON) result() decoded {
	e := w.PurchaseSucceeded
	if e == nil {
		// encoding/json allocates an embedded pointer only when it sets a
		// member through it.
		e = new(PurchaseSucceeded)
	}
	e.TaxDetails = w.TaxDetails.result()
	e.EmailMarketingOptIn = bool(w.EmailMarketingOptIn)
	e.BonusItems = bonusItems(w.BonusItems)
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
	return e
}

// freeItemRedeemedJSON decodes a [FreeItemRedeemed], an event games grant
// on, as tolerantly as a purchase: a numeric userId or itemId is kept as
// its text, a number, boolean or null metadata value as its JSON text.
type freeItemRedeemedJSON struct {
	*FreeItemRedeemed
	Metadata map[string]wire.Text `json:"metadata"`
}

func (w *freeItemRedeemedJSON) result() decoded {
	e := w.FreeItemRedeemed
	if e == nil {
		e = new(FreeItemRedeemed)
	}
	e.Metadata = texts(w.Metadata)
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
	case *FreeItemRedeemed:
		target = &freeItemRedeemedJSON{FreeItemRedeemed: e}
	default:
		return ev, wire.Unmarshal(data, ev)
	}
	if err := wire.Unmarshal(data, target); err != nil {
		return nil, err
	}
	return target.result(), nil
}
