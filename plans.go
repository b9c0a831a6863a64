package stashpay

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/stashpay/stashpay-go/internal/wire"
)

// pathPlans is the endpoint of the plan reads.
const pathPlans = "/sdk/plans"

// PlanStatus is the status of a subscription plan, kept as Stash sends it.
// Stash documents the status filter of [Client.ListPlans] but not its
// values, so this SDK declares no constants.
type PlanStatus string

// Plan is a subscription plan. Fields Stash did not send are zero; Stash
// sends the int64 values as JSON strings, which are read as numbers.
type Plan struct {
	// ID is the plan's ID.
	ID string `json:"id"`
	// SegmentID is the player segment the plan is for.
	SegmentID string `json:"segmentId,omitempty"`
	// Code is the plan's code, unique within its segment.
	Code string `json:"code,omitempty"`
	// Name is the display name.
	Name string `json:"name,omitempty"`
	// Description is the display description.
	Description string `json:"description,omitempty"`
	// BillingPeriodValue is the length of a billing period, in
	// BillingPeriodUnit units.
	BillingPeriodValue int64 `json:"billingPeriodValue,omitempty"`
	// BillingPeriodUnit is the unit of BillingPeriodValue, as sent.
	BillingPeriodUnit string `json:"billingPeriodUnit,omitempty"`
	// Prices are the plan's prices, one per currency.
	Prices []PlanPrice `json:"prices,omitempty"`
	// TrialPeriodValue is the length of the free trial, in TrialPeriodUnit
	// units; 0 for none.
	TrialPeriodValue int64 `json:"trialPeriodValue,omitempty"`
	// TrialPeriodUnit is the unit of TrialPeriodValue, as sent.
	TrialPeriodUnit string `json:"trialPeriodUnit,omitempty"`
	// BenefitsJSON is the plan's benefits document, as sent (Stash's
	// benefitsJson: a JSON string holding JSON, or JSON itself).
	BenefitsJSON json.RawMessage `json:"benefitsJson,omitempty"`
	// Status is the plan's status, as sent.
	Status PlanStatus `json:"status,omitempty"`
	// AvailableFrom and AvailableUntil bound when the plan can be bought;
	// zero when not sent.
	AvailableFrom  time.Time `json:"availableFrom,omitzero"`
	AvailableUntil time.Time `json:"availableUntil,omitzero"`
	// CreatedAt and UpdatedAt are the plan's creation and last change.
	CreatedAt time.Time `json:"createdAt,omitzero"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
}

// PlanPrice is the price of a plan in one currency.
type PlanPrice struct {
	// Currency is the ISO 4217 code.
	Currency string `json:"currency"`
	// AmountCents is the price of one billing period in minor units.
	AmountCents int64 `json:"amountCents"`
}

// UnmarshalJSON decodes a plan tolerantly (integers as numbers or digit
// strings, snake_case names), through internal/wire.
func (p *Plan) UnmarshalJSON(data []byte) error {
	type plain Plan // without this method
	return decodePlain(data, (*plain)(p), plain{})
}

// UnmarshalJSON decodes a price tolerantly, through internal/wire.
func (p *PlanPrice) UnmarshalJSON(data []byte) error {
	type plain PlanPrice // without this method
	return decodePlain(data, (*plain)(p), plain{})
}

// ListPlansParams filter [Client.ListPlans].
type ListPlansParams struct {
	// Status lists the plans of this status; empty lists Stash's default,
	// the active plans.
	Status PlanStatus
}

// ListPlans lists the shop's subscription plans (GET /sdk/plans), the active
// ones unless p sets a status. p may be nil. Stash documents the plan
// endpoints with X-Stash-Api-Key only; the client signs them as it is
// configured (a GET signs an empty body).
func (c *Client) ListPlans(ctx context.Context, p *ListPlansParams) ([]Plan, error) {
	path := pathPlans
	if p != nil && p.Status != "" {
		if err := checkText("Status", string(p.Status)); err != nil {
			return nil, err
		}
		path += "?" + url.Values{"status": {string(p.Status)}}.Encode()
	}
	var out struct {
		Plans []Plan `json:"plans"`
	}
	if _, err := c.doRequest(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, err
	}
	return out.Plans, nil
}

// GetPlan returns the plan of ID id (GET /sdk/plans/{id}); id is
// path-escaped, and an empty one or one that is not valid UTF-8 is an error
// wrapping [ErrInvalidParams], with nothing sent. An unknown plan is an
// [*APIError] matching [ErrNotFound]. A 2xx answer without the plan's id
// is an error wrapping [ErrMalformedResponse]. Auth as for [Client.ListPlans].
func (c *Client) GetPlan(ctx context.Context, id string) (*Plan, error) {
	seg, err := pathSegment("plan ID", id)
	if err != nil {
		return nil, err
	}
	return c.getPlan(ctx, pathPlans+"/"+seg)
}

// GetPlanByCode returns the plan of code (GET
// /sdk/plans/code/{code}?segmentId=), in segmentID when it is not empty.
// Validation and errors as for [Client.GetPlan].
func (c *Client) GetPlanByCode(ctx context.Context, code, segmentID string) (*Plan, error) {
	seg, err := pathSegment("plan code", code)
	if err != nil {
		return nil, err
	}
	path := pathPlans + "/code/" + seg
	if segmentID != "" {
		if err := checkText("segment ID", segmentID); err != nil {
			return nil, err
		}
		path += "?" + url.Values{"segmentId": {segmentID}}.Encode()
	}
	return c.getPlan(ctx, path)
}

// getPlan reads one plan: Stash's docs show the plan's fields, so the
// answer is read as {"plan": {...}} when it has that member, else as the
// plan itself.
func (c *Client) getPlan(ctx context.Context, path string) (*Plan, error) {
	var out planAnswer
	if _, err := c.doRequest(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, err
	}
	if out.plan.ID == "" {
		return nil, malformed("plan: no id in the response")
	}
	return &out.plan, nil
}

// planAnswer is a plan, wrapped in {"plan": ...} or not.
type planAnswer struct{ plan Plan }

// UnmarshalJSON implements json.Unmarshaler.
func (a *planAnswer) UnmarshalJSON(data []byte) error {
	var wrapped struct {
		Plan json.RawMessage `json:"plan"`
	}
	if err := wire.Unmarshal(data, &wrapped); err != nil {
		return err
	}
	if len(wrapped.Plan) > 0 && wrapped.Plan[0] == '{' {
		data = wrapped.Plan
	}
	return wire.Unmarshal(data, &a.plan)
}
