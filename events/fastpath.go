package events

import (
	"bytes"
	"iter"
)

// This file is a hand-written decoder for the hot path: a v1
// PURCHASE_SUCCEEDED (or PURCHASE_REFUNDED) payload in its documented shape.
// It never decides anything encoding/json would decide differently: whenever
// the input strays from the shape it handles, parseFast reports "not handled"
// and Parse falls back to the encoding/json path (parseStd), so results are
// the same by construction. Bail-outs include any member it does not know
// (including case variants, which encoding/json would match), a duplicate
// member, null, a string with an escape, a control byte or invalid UTF-8, a
// number not valid for its field, and anything after the top-level object
// other than whitespace. It never returns an error: errors come from parseStd.

// parseFast decodes payload, or returns ok=false when it does not handle it.
func parseFast(payload []byte) (ev Event, ok bool) {
	s := scanner{b: payload}
	var (
		typ, payloadType Type
		b                base
		e                decoded
		seen             uint32
	)
	for k := range s.members() {
		switch string(k) {
		case "type":
			s.once(&seen, 1<<0)
			typ = s.typ()
		case "environment":
			s.once(&seen, 1<<1)
			b.env = s.common()
		case "id":
			s.once(&seen, 1<<2)
			b.eventID = s.str()
		case "purchaseSucceeded", "purchaseRefunded", "eventData", "data":
			// Parse takes the type's own wrapper key, then "eventData", then
			// "data"; with only one of them present each is the payload.
			s.once(&seen, 1<<3)
			payloadType = wrapperType(string(k), typ)
			e = s.payload(payloadType)
		default:
			s.fail()
		}
	}
	s.ws()
	if s.bad || s.i != len(s.b) || e == nil || typ == "" || typ != payloadType {
		return nil, false
	}
	b.typ, b.format, b.raw = typ, formatOf(typ), bytes.Clone(payload)
	e.init(b)
	return e, true
}

// wrapperType returns the event type whose payload sits under key, given the
// type seen so far ("" when the type member has not come yet).
func wrapperType(key string, typ Type) Type {
	switch key {
	case "purchaseSucceeded":
		return TypePurchaseSucceeded
	case "purchaseRefunded":
		return TypePurchaseRefunded
	}
	return typ // "eventData" or "data": only when the type came first.
}

// payload decodes the payload object of event type t.
func (s *scanner) payload(t Type) decoded {
	switch t {
	case TypePurchaseSucceeded:
		e := new(PurchaseSucceeded)
		s.purchase(&purchaseMembers{
			timeMillis: &e.TimeMillis, orderID: &e.OrderID, checkoutLinkID: &e.CheckoutLinkID,
			transactionID: &e.TransactionID, shopID: &e.ShopID, userID: &e.UserID,
			currency: &e.Currency, items: &e.Items, tax: &e.Tax, total: &e.Total,
			regionCode: &e.RegionCode, source: &e.Source,
			taxDetails: &e.TaxDetails, emailMarketingOptIn: &e.EmailMarketingOptIn, ipAddress: &e.IPAddress,
		})
		return e
	case TypePurchaseRefunded:
		e := new(PurchaseRefunded)
		s.purchase(&purchaseMembers{
			timeMillis: &e.TimeMillis, orderID: &e.OrderID, checkoutLinkID: &e.CheckoutLinkID,
			transactionID: &e.TransactionID, shopID: &e.ShopID, userID: &e.UserID,
			currency: &e.Currency, items: &e.Items, tax: &e.Tax, total: &e.Total,
			regionCode: &e.RegionCode, source: &e.Source,
			refundID: &e.RefundID, amount: &e.Amount, reason: &e.Reason,
		})
		return e
	}
	s.fail()
	return nil
}

// purchaseMembers points at the fields of a [PurchaseSucceeded] or a
// [PurchaseRefunded], one per member of its payload object; a member whose
// pointer is nil is not one of that event's members.
type purchaseMembers struct {
	timeMillis                                             *Millis
	orderID, checkoutLinkID, transactionID, shopID, userID *string
	currency                                               *Currency
	items                                                  *[]Item
	tax, total                                             *Amount
	regionCode                                             *string
	source                                                 *Source

	taxDetails          *TaxDetails // PURCHASE_SUCCEEDED only
	emailMarketingOptIn *bool
	ipAddress           *string

	refundID *string // PURCHASE_REFUNDED only
	amount   *Amount
	reason   *string
}

// purchase decodes the payload object of a purchase or a refund into the
// fields m points at. It is the one scanner of both events' members.
func (s *scanner) purchase(m *purchaseMembers) {
	var seen uint32
	for key := range s.members() {
		s.purchaseMember(m, key, &seen)
	}
}

// purchaseMember reads one member of a purchase or a refund (see purchase).
func (s *scanner) purchaseMember(m *purchaseMembers, key []byte, seen *uint32) {
	switch string(key) {
	case "timeMillis":
		if member(s, seen, 1<<0, m.timeMillis) {
			*m.timeMillis = s.millis()
		}
	case "orderId":
		s.strMember(seen, 1<<1, m.orderID)
	case "checkoutLinkId":
		s.strMember(seen, 1<<2, m.checkoutLinkID)
	case "transactionId":
		s.strMember(seen, 1<<3, m.transactionID)
	case "shopId":
		s.strMember(seen, 1<<4, m.shopID)
	case "userId":
		s.strMember(seen, 1<<5, m.userID)
	case "currency":
		if member(s, seen, 1<<6, m.currency) {
			*m.currency = Currency(s.common())
		}
	case "items":
		if member(s, seen, 1<<7, m.items) {
			*m.items = s.items()
		}
	case "tax":
		s.amountMember(seen, 1<<8, m.tax)
	case "total":
		s.amountMember(seen, 1<<9, m.total)
	case "regionCode":
		s.strMember(seen, 1<<10, m.regionCode)
	case "source":
		if member(s, seen, 1<<11, m.source) {
			v := s.common()
			if v != "" && (v[0] == '-' || v[0] >= '0' && v[0] <= '9') {
				s.fail() // maybe a number as a string: the standard path's rule reads it
			}
			*m.source = Source(v)
		}
	case "taxDetails":
		if member(s, seen, 1<<12, m.taxDetails) {
			s.taxDetails(m.taxDetails)
		}
	case "emailMarketingOptIn":
		if member(s, seen, 1<<13, m.emailMarketingOptIn) {
			*m.emailMarketingOptIn = s.boolean()
		}
	case "ipAddress":
		s.strMember(seen, 1<<14, m.ipAddress)
	case "refundId":
		s.strMember(seen, 1<<15, m.refundID)
	case "amount":
		s.amountMember(seen, 1<<16, m.amount)
	case "reason":
		s.strMember(seen, 1<<17, m.reason)
	default:
		s.fail()
	}
}

// member reports whether the value that follows may be read into p: p is
// not nil (the member belongs to this event) and the member came for the
// first time (bit of *seen). Otherwise it fails the scan.
func member[T any](s *scanner, seen *uint32, bit uint32, p *T) bool {
	if p == nil {
		s.fail()
		return false
	}
	s.once(seen, bit)
	return !s.bad
}

// strMember reads a string member into p (see [member]).
func (s *scanner) strMember(seen *uint32, bit uint32, p *string) {
	if member(s, seen, bit, p) {
		*p = s.str()
	}
}

// amountMember reads an amount member into p (see [member]).
func (s *scanner) amountMember(seen *uint32, bit uint32, p *Amount) {
	if member(s, seen, bit, p) {
		*p = s.amount()
	}
}

// members yields the key of each member of an object; the loop body reads
// the member's value. Breaking out of the loop fails the scan.
func (s *scanner) members() iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for more := s.open('{', '}'); more; more = s.next('}') {
			if !yield(s.key()) {
				s.fail()
				return
			}
		}
	}
}

// elements yields once per element of an array; the loop body reads the
// element. Breaking out of the loop fails the scan.
func (s *scanner) elements() iter.Seq[int] {
	return func(yield func(int) bool) {
		for i, more := 0, s.open('[', ']'); more; i, more = i+1, s.next(']') {
			if !yield(i) {
				s.fail()
				return
			}
		}
	}
}

// items decodes an array of items. Like encoding/json, an empty array gives
// an empty, non-nil slice.
func (s *scanner) items() []Item {
	items := []Item{}
	for range s.elements() {
		var it Item
		var seen uint32
		for key := range s.members() {
			switch string(key) {
			case "id":
				s.strMember(&seen, 1<<0, &it.ID)
			case "quantity":
				if member(s, &seen, 1<<1, &it.Quantity) {
					it.Quantity = s.flexInt()
				}
			case "price":
				s.amountMember(&seen, 1<<2, &it.Price)
			case "metadata":
				if member(s, &seen, 1<<3, &it.Metadata) {
					it.Metadata = s.stringMap()
				}
			default:
				s.fail()
			}
		}
		items = append(items, it)
	}
	return items
}

// taxDetails decodes a [TaxDetails] object.
func (s *scanner) taxDetails(td *TaxDetails) {
	var seen uint32
	for key := range s.members() {
		if string(key) == "items" && member(s, &seen, 1<<0, &td.Items) {
			td.Items = s.taxItems()
		} else {
			s.fail()
		}
	}
}

// taxItems decodes an array of tax items, empty and non-nil when empty.
func (s *scanner) taxItems() []TaxItem {
	items := []TaxItem{}
	for range s.elements() {
		var it TaxItem
		var seen uint32
		for key := range s.members() {
			switch string(key) {
			case "label":
				s.strMember(&seen, 1<<0, &it.Label)
			case "isInclusive":
				if member(s, &seen, 1<<1, &it.IsInclusive) {
					it.IsInclusive = s.boolean()
				}
			case "amount":
				s.amountMember(&seen, 1<<2, &it.Amount)
			case "percentage":
				s.strMember(&seen, 1<<3, &it.Percentage)
			case "country":
				s.strMember(&seen, 1<<4, &it.Country)
			case "state":
				s.strMember(&seen, 1<<5, &it.State)
			default:
				s.fail()
			}
		}
		items = append(items, it)
	}
	return items
}

// stringMap decodes an object of strings. Like encoding/json, an empty
// object gives an empty, non-nil map and a repeated key keeps its last value.
func (s *scanner) stringMap() map[string]string {
	m := make(map[string]string)
	for key := range s.members() {
		m[string(key)] = s.str()
	}
	return m
}
