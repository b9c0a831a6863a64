package stashpay

import (
	"context"
	"encoding/json"
	"time"
)

// Endpoints of the subscription checkout links.
const (
	pathSubscriptionCheckout = "/sdk/subscriptions/checkout-links"
	pathSubscriptions        = "/sdk/subscriptions/"
)

// SubscriptionCheckoutParams describe a subscription checkout link to
// create with [Client.CreateSubscriptionCheckoutLink]. The JSON tags are
// Stash's field names; an empty optional field is not sent.
type SubscriptionCheckoutParams struct {
	// Plan is the plan's ID or code. Required.
	Plan string `json:"plan"`
	// Currency is an ISO 4217 code. Required.
	Currency string `json:"currency"`
	// User is the subscriber. User.ID is required.
	User SubscriptionUser `json:"user"`
	// ReferenceID is the game's own reference for the subscription.
	ReferenceID string `json:"referenceId,omitempty"`
	// RegionCode is the subscriber's country code.
	RegionCode string `json:"regionCode,omitempty"`
	// PaymentMethod selects the payment method; Stash documents the field,
	// not its values, so it is sent as given.
	PaymentMethod string `json:"paymentMethod,omitempty"`
	// Metadata is copied onto the subscription (the checkoutLinkMetadata of
	// the subscription webhooks).
	Metadata map[string]string `json:"metadata,omitempty"`
	// InitialPayment is Stash's pie.sdk.checkout_links.InitialPayment, sent
	// as given: Stash names the message but does not publish its fields, so
	// this SDK does not guess them. It must be a JSON object when set.
	InitialPayment json.RawMessage `json:"initialPayment,omitempty"`
}

// SubscriptionUser is the subscriber of a subscription checkout link
// (Stash's pie.sdk.checkout_links.SubscriptionCheckoutLinkUser, of which the
// docs show the ID only).
type SubscriptionUser struct {
	// ID is the game's player ID. Required.
	ID string `json:"id"`
}

// SubscriptionChangeParams describe a plan change link to create with
// [Client.CreateSubscriptionChangeCheckoutLink].
type SubscriptionChangeParams struct {
	// NewPlan is the new plan's ID or code; empty keeps the plan. At least
	// one of NewPlan and UpdatePaymentMethod must be set.
	NewPlan string `json:"newPlan,omitempty"`
	// UpdatePaymentMethod makes the subscriber enter a new payment method
	// during checkout (alone, a link that only replaces the card).
	UpdatePaymentMethod bool `json:"updatePaymentMethod,omitempty"`
	// ReferenceID is the game's own reference for the change.
	ReferenceID string `json:"referenceId,omitempty"`
	// Metadata is copied onto the subscription.
	Metadata map[string]string `json:"metadata,omitempty"`
	// BillingAnchor, when set, resets the billing cycle to start at this
	// time, which must be within the current billing period (Stash's
	// "billingAnchor", a date-time). It is sent as RFC 3339 in UTC; zero is
	// not sent.
	BillingAnchor time.Time `json:"billingAnchor,omitzero"`
}

// SubscriptionCheckoutLink is a created subscription (or plan change)
// checkout link.
type SubscriptionCheckoutLink struct {
	// ID is the checkout link's ID.
	ID string `json:"id"`
	// URL is the checkout page to show to the subscriber.
	URL string `json:"url"`
}

// CreateSubscriptionCheckoutLink creates a checkout link that starts a
// subscription (POST /sdk/subscriptions/checkout-links). Stash documents
// this endpoint with X-Stash-Api-Key only; the client signs it as it is
// configured (v1 HMAC or the legacy key). p is validated first (Plan,
// Currency and User.ID set, InitialPayment a JSON object when set, every
// string valid UTF-8); a failure wraps [ErrInvalidParams], names the field,
// and nothing is sent.
func (c *Client) CreateSubscriptionCheckoutLink(ctx context.Context, p *SubscriptionCheckoutParams) (*SubscriptionCheckoutLink, error) {
	switch {
	case p == nil:
		return nil, invalidParamsError("subscription checkout params are nil")
	case p.Plan == "":
		return nil, invalidParamsError("Plan is empty")
	case p.Currency == "":
		return nil, invalidParamsError("Currency is empty")
	case p.User.ID == "":
		return nil, invalidParamsError("User.ID is empty")
	case len(p.InitialPayment) > 0 && (!json.Valid(p.InitialPayment) || p.InitialPayment[0] != '{'):
		return nil, invalidParamsError("InitialPayment is not a JSON object")
	}
	if err := checkText("", p); err != nil {
		return nil, err
	}
	return c.subscriptionLink(ctx, pathSubscriptionCheckout, p)
}

// CreateSubscriptionChangeCheckoutLink creates a checkout link that moves
// subscription subscriptionID to another plan (POST
// /sdk/subscriptions/{subscriptionId}/change-checkout-links); Stash allows it
// for active, trialing, or cancelled but still paid subscriptions. Stash
// documents it with X-Stash-Api-Key only; the client signs it as it is
// configured. subscriptionID is path-escaped; it and p are validated as in
// [Client.CreateSubscriptionCheckoutLink] (at least one of NewPlan and
// UpdatePaymentMethod set, as Stash requires).
func (c *Client) CreateSubscriptionChangeCheckoutLink(ctx context.Context, subscriptionID string, p *SubscriptionChangeParams) (*SubscriptionCheckoutLink, error) {
	seg, err := pathSegment("subscription ID", subscriptionID)
	if err != nil {
		return nil, err
	}
	switch {
	case p == nil:
		return nil, invalidParamsError("subscription change params are nil")
	case p.NewPlan == "" && !p.UpdatePaymentMethod:
		return nil, invalidParamsError("set NewPlan or UpdatePaymentMethod (or both)")
	}
	if err := checkText("", p); err != nil {
		return nil, err
	}
	q := *p
	q.BillingAnchor = q.BillingAnchor.UTC()
	return c.subscriptionLink(ctx, pathSubscriptions+seg+"/change-checkout-links", &q)
}

func (c *Client) subscriptionLink(ctx context.Context, path string, p any) (*SubscriptionCheckoutLink, error) {
	out := &SubscriptionCheckoutLink{}
	if _, err := c.postJSON(ctx, path, p, out); err != nil {
		return nil, err
	}
	if out.URL == "" {
		return nil, malformed("subscription checkout link: no url in the response")
	}
	return out, nil
}
