package events

import "encoding/json"

// envelope holds the top-level members of a payload, each undecoded, so
// that a member of an unexpected kind matters only when the event type uses
// it. It is decoded through wire.Unmarshal, so its member names match as
// every Stash name does in this SDK (lowerCamelCase as encoding/json matches
// it, or exact snake_case).
type envelope struct {
	Type        json.RawMessage `json:"type"`
	Environment json.RawMessage `json:"environment"`
	ID          json.RawMessage `json:"id"`

	PurchaseSucceeded      json.RawMessage `json:"purchaseSucceeded"`
	PurchaseRefunded       json.RawMessage `json:"purchaseRefunded"`
	OpenPayment            json.RawMessage `json:"openPayment"`
	FreeItemRedeemed       json.RawMessage `json:"freeItemRedeemed"`
	MutateCart             json.RawMessage `json:"mutateCart"`
	ViewItem               json.RawMessage `json:"viewItem"`
	ViewCheckoutPage       json.RawMessage `json:"viewCheckoutPage"`
	ViewProductDetailsPage json.RawMessage `json:"viewProductDetailsPage"`
	SendCartButtonClick    json.RawMessage `json:"sendCartButtonClick"`

	EventData json.RawMessage `json:"eventData"`
	Data      json.RawMessage `json:"data"`
}

// decoded is an event that can receive its envelope after its payload was
// decoded.
type decoded interface {
	Event
	init(b base)
}

// newEvent returns a zero event of type t and the member of its own v1
// wrapper key (nil for v2 types, which use "data"), or nil and nil for an
// unknown type.
func (env *envelope) newEvent(t Type) (decoded, *json.RawMessage) {
	switch t {
	case TypePurchaseSucceeded:
		return new(PurchaseSucceeded), &env.PurchaseSucceeded
	case TypePurchaseRefunded:
		return new(PurchaseRefunded), &env.PurchaseRefunded
	case TypeCreatePaymentIntent:
		return new(CreatePaymentIntent), &env.OpenPayment
	case TypeFreeItemRedeemed:
		return new(FreeItemRedeemed), &env.FreeItemRedeemed
	case TypeMutateCart:
		return new(MutateCart), &env.MutateCart
	case TypeViewItem:
		return new(ViewItem), &env.ViewItem
	case TypeViewCheckoutPage:
		return new(ViewCheckoutPage), &env.ViewCheckoutPage
	case TypeViewProductDetailPage:
		return new(ViewProductDetailPage), &env.ViewProductDetailsPage
	case TypeCartButtonClick:
		return new(CartButtonClick), &env.SendCartButtonClick
	case TypeSubscriptionCreated:
		return new(SubscriptionCreated), nil
	case TypeSubscriptionPaymentSucceeded, TypeSubscriptionRenewed:
		return new(SubscriptionPaymentSucceeded), nil
	case TypeSubscriptionPaymentFailed:
		return new(SubscriptionPaymentFailed), nil
	case TypeSubscriptionCanceled:
		return new(SubscriptionCanceled), nil
	case TypeSubscriptionExpired:
		return new(SubscriptionExpired), nil
	}
	return nil, nil
}

// payload returns the payload of an event and the member it sits in, best
// first: the type's own wrapper key (own, nil for v2 and unknown types), then
// "eventData", then "data"; v2 and unknown types take "data" before
// "eventData". It returns nil and "" when none is present.
func (env *envelope) payload(own *json.RawMessage) (json.RawMessage, string) {
	switch {
	case own != nil && present(*own):
		return *own, "" // the key is reported for Unknown only, which has none
	case own != nil && present(env.EventData):
		return env.EventData, "eventData"
	case present(env.Data):
		return env.Data, "data"
	case present(env.EventData):
		return env.EventData, "eventData"
	}
	return nil, ""
}

func (e *PurchaseSucceeded) init(b base)     { e.base = b; e.Time = e.TimeMillis.Time() }
func (e *PurchaseRefunded) init(b base)      { e.base = b; e.Time = e.TimeMillis.Time() }
func (e *CreatePaymentIntent) init(b base)   { e.base = b; e.Time = e.TimeMillis.Time() }
func (e *FreeItemRedeemed) init(b base)      { e.base = b; e.Time = e.TimeMillis.Time() }
func (e *MutateCart) init(b base)            { e.base = b; e.Time = e.TimeMillis.Time() }
func (e *ViewItem) init(b base)              { e.base = b; e.Time = e.TimeMillis.Time() }
func (e *ViewCheckoutPage) init(b base)      { e.base = b; e.Time = e.TimeMillis.Time() }
func (e *ViewProductDetailPage) init(b base) { e.base = b; e.Time = e.TimeMillis.Time() }
func (e *CartButtonClick) init(b base)       { e.base = b; e.Time = e.TimeMillis.Time() }

func (e *SubscriptionCreated) init(b base)          { e.base = b }
func (e *SubscriptionPaymentSucceeded) init(b base) { e.base = b }
func (e *SubscriptionPaymentFailed) init(b base)    { e.base = b }
func (e *SubscriptionCanceled) init(b base)         { e.base = b }
func (e *SubscriptionExpired) init(b base)          { e.base = b }
