package events

import "bytes"

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
	for more := s.open('{', '}'); more; more = s.next('}') {
		switch k := s.key(); string(k) {
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
		s.purchaseSucceeded(e)
		return e
	case TypePurchaseRefunded:
		e := new(PurchaseRefunded)
		s.purchaseRefunded(e)
		return e
	}
	s.fail()
	return nil
}

func (s *scanner) purchaseSucceeded(e *PurchaseSucceeded) {
	var seen uint32
	for more := s.open('{', '}'); more; more = s.next('}') {
		switch string(s.key()) {
		case "timeMillis":
			s.once(&seen, 1<<0)
			e.TimeMillis = s.millis()
		case "orderId":
			s.once(&seen, 1<<1)
			e.OrderID = s.str()
		case "checkoutLinkId":
			s.once(&seen, 1<<2)
			e.CheckoutLinkID = s.str()
		case "transactionId":
			s.once(&seen, 1<<3)
			e.TransactionID = s.str()
		case "shopId":
			s.once(&seen, 1<<4)
			e.ShopID = s.str()
		case "userId":
			s.once(&seen, 1<<5)
			e.UserID = s.str()
		case "currency":
			s.once(&seen, 1<<6)
			e.Currency = Currency(s.common())
		case "items":
			s.once(&seen, 1<<7)
			e.Items = s.items()
		case "tax":
			s.once(&seen, 1<<8)
			e.Tax = s.amount()
		case "total":
			s.once(&seen, 1<<9)
			e.Total = s.amount()
		case "taxDetails":
			s.once(&seen, 1<<10)
			s.taxDetails(&e.TaxDetails)
		case "emailMarketingOptIn":
			s.once(&seen, 1<<11)
			e.EmailMarketingOptIn = s.boolean()
		case "regionCode":
			s.once(&seen, 1<<12)
			e.RegionCode = s.str()
		case "source":
			s.once(&seen, 1<<13)
			e.Source = Source(s.common())
		case "ipAddress":
			s.once(&seen, 1<<14)
			e.IPAddress = s.str()
		default:
			s.fail()
		}
	}
}

func (s *scanner) purchaseRefunded(e *PurchaseRefunded) {
	var seen uint32
	for more := s.open('{', '}'); more; more = s.next('}') {
		switch string(s.key()) {
		case "refundId":
			s.once(&seen, 1<<0)
			e.RefundID = s.str()
		case "orderId":
			s.once(&seen, 1<<1)
			e.OrderID = s.str()
		case "checkoutLinkId":
			s.once(&seen, 1<<2)
			e.CheckoutLinkID = s.str()
		case "transactionId":
			s.once(&seen, 1<<3)
			e.TransactionID = s.str()
		case "shopId":
			s.once(&seen, 1<<4)
			e.ShopID = s.str()
		case "userId":
			s.once(&seen, 1<<5)
			e.UserID = s.str()
		case "currency":
			s.once(&seen, 1<<6)
			e.Currency = Currency(s.common())
		case "items":
			s.once(&seen, 1<<7)
			e.Items = s.items()
		case "amount":
			s.once(&seen, 1<<8)
			e.Amount = s.amount()
		case "total":
			s.once(&seen, 1<<9)
			e.Total = s.amount()
		case "tax":
			s.once(&seen, 1<<10)
			e.Tax = s.amount()
		case "reason":
			s.once(&seen, 1<<11)
			e.Reason = s.str()
		case "regionCode":
			s.once(&seen, 1<<12)
			e.RegionCode = s.str()
		case "source":
			s.once(&seen, 1<<13)
			e.Source = Source(s.common())
		case "timeMillis":
			s.once(&seen, 1<<14)
			e.TimeMillis = s.millis()
		default:
			s.fail()
		}
	}
}

// items decodes an array of items. Like encoding/json, an empty array gives
// an empty, non-nil slice.
func (s *scanner) items() []Item {
	items := []Item{}
	for more := s.open('[', ']'); more; more = s.next(']') {
		var it Item
		var seen uint32
		for more := s.open('{', '}'); more; more = s.next('}') {
			switch string(s.key()) {
			case "id":
				s.once(&seen, 1<<0)
				it.ID = s.str()
			case "quantity":
				s.once(&seen, 1<<1)
				it.Quantity = s.flexInt()
			case "price":
				s.once(&seen, 1<<2)
				it.Price = s.amount()
			case "metadata":
				s.once(&seen, 1<<3)
				it.Metadata = s.stringMap()
			default:
				s.fail()
			}
		}
		items = append(items, it)
	}
	return items
}

func (s *scanner) taxDetails(td *TaxDetails) {
	var seen uint32
	for more := s.open('{', '}'); more; more = s.next('}') {
		switch string(s.key()) {
		case "items":
			s.once(&seen, 1<<0)
			td.Items = s.taxItems()
		default:
			s.fail()
		}
	}
}

func (s *scanner) taxItems() []TaxItem {
	items := []TaxItem{}
	for more := s.open('[', ']'); more; more = s.next(']') {
		var it TaxItem
		var seen uint32
		for more := s.open('{', '}'); more; more = s.next('}') {
			switch string(s.key()) {
			case "label":
				s.once(&seen, 1<<0)
				it.Label = s.str()
			case "isInclusive":
				s.once(&seen, 1<<1)
				it.IsInclusive = s.boolean()
			case "amount":
				s.once(&seen, 1<<2)
				it.Amount = s.amount()
			case "percentage":
				s.once(&seen, 1<<3)
				it.Percentage = s.str()
			case "country":
				s.once(&seen, 1<<4)
				it.Country = s.str()
			case "state":
				s.once(&seen, 1<<5)
				it.State = s.str()
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
	for more := s.open('{', '}'); more; more = s.next('}') {
		k := s.key()
		m[string(k)] = s.str()
	}
	return m
}
