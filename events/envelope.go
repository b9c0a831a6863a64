package events

import "encoding/json"

// envelope is the fast-path decoding target: every documented v1 wrapper key
// is a typed pointer, so a v1 payload is decoded in a single pass.
type envelope struct {
	Type        Type   `json:"type"`
	Environment string `json:"environment"`
	ID          string `json:"id"`

	PurchaseSucceeded      *purchaseSucceededJSON   `json:"purchaseSucceeded"`
	PurchaseRefunded       *purchaseRefundedJSON    `json:"purchaseRefunded"`
	OpenPayment            *createPaymentIntentJSON `json:"openPayment"`
	FreeItemRedeemed       *FreeItemRedeemed        `json:"freeItemRedeemed"`
	MutateCart             *mutateCartJSON          `json:"mutateCart"`
	ViewItem               *ViewItem                `json:"viewItem"`
	ViewCheckoutPage       *ViewCheckoutPage        `json:"viewCheckoutPage"`
	ViewProductDetailsPage *ViewProductDetailPage   `json:"viewProductDetailsPage"`
	SendCartButtonClick    *CartButtonClick         `json:"sendCartButtonClick"`

	EventData json.RawMessage `json:"eventData"`
	Data      json.RawMessage `json:"data"`
}

// decoded is an event that can receive its envelope after its payload was
// decoded.
type decoded interface {
	Event
	init(b base)
}

// wrapped returns the payload decoded under t's own wrapper key, or nil.
// Each case checks for a nil pointer so no typed nil leaks into the interface.
func (env *envelope) wrapped(t Type) decoded {
	switch t {
	case TypePurchaseSucceeded:
		if env.PurchaseSucceeded != nil {
			return env.PurchaseSucceeded.result()
		}
	case TypePurchaseRefunded:
		if env.PurchaseRefunded != nil {
			return env.PurchaseRefunded.result()
		}
	case TypeCreatePaymentIntent:
		if env.OpenPayment != nil {
			return env.OpenPayment.result()
		}
	case TypeFreeItemRedeemed:
		if env.FreeItemRedeemed != nil {
			return env.FreeItemRedeemed
		}
	case TypeMutateCart:
		if env.MutateCart != nil {
			return env.MutateCart.result()
		}
	case TypeViewItem:
		if env.ViewItem != nil {
			return env.ViewItem
		}
	case TypeViewCheckoutPage:
		if env.ViewCheckoutPage != nil {
			return env.ViewCheckoutPage
		}
	case TypeViewProductDetailPage:
		if env.ViewProductDetailsPage != nil {
			return env.ViewProductDetailsPage
		}
	case TypeCartButtonClick:
		if env.SendCartButtonClick != nil {
			return env.SendCartButtonClick
		}
	}
	return nil
}

// rawFor returns the payload object kept as raw JSON for a type whose
// primary key is key, and the member it came from; nil when absent.
func (env *envelope) rawFor(key string) (json.RawMessage, string) {
	for _, k := range payloadKeys(key) {
		switch k {
		case "data":
			if present(env.Data) {
				return env.Data, k
			}
		case "eventData":
			if present(env.EventData) {
				return env.EventData, k
			}
		}
	}
	return nil, ""
}

// newEvent returns a zero event of type t and its primary payload key, or
// nil and "" for an unknown type.
func newEvent(t Type) (decoded, string) {
	switch t {
	case TypePurchaseSucceeded:
		return new(PurchaseSucceeded), "purchaseSucceeded"
	case TypePurchaseRefunded:
		return new(PurchaseRefunded), "purchaseRefunded"
	case TypeCreatePaymentIntent:
		return new(CreatePaymentIntent), "openPayment"
	case TypeFreeItemRedeemed:
		return new(FreeItemRedeemed), "freeItemRedeemed"
	case TypeMutateCart:
		return new(MutateCart), "mutateCart"
	case TypeViewItem:
		return new(ViewItem), "viewItem"
	case TypeViewCheckoutPage:
		return new(ViewCheckoutPage), "viewCheckoutPage"
	case TypeViewProductDetailPage:
		return new(ViewProductDetailPage), "viewProductDetailsPage"
	case TypeCartButtonClick:
		return new(CartButtonClick), "sendCartButtonClick"
	case TypeSubscriptionCreated:
		return new(SubscriptionCreated), "data"
	case TypeSubscriptionPaymentSucceeded, TypeSubscriptionRenewed:
		return new(SubscriptionPaymentSucceeded), "data"
	case TypeSubscriptionPaymentFailed:
		return new(SubscriptionPaymentFailed), "data"
	case TypeSubscriptionCanceled:
		return new(SubscriptionCanceled), "data"
	case TypeSubscriptionExpired:
		return new(SubscriptionExpired), "data"
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
