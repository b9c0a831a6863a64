package stashpay

import (
	"context"
	"strings"
)

// pathWebshopURL is the endpoint of [Client.GenerateWebshopURL].
const pathWebshopURL = "/sdk/server/generate_url"

// WebshopTarget is the page of the webshop an authenticated URL opens. It is
// an open enum: a value other than the constants is sent as given.
type WebshopTarget string

// The documented webshop targets; empty sends none, which Stash reads as
// [WebshopTargetDefault].
const (
	WebshopTargetDefault     WebshopTarget = "DEFAULT"
	WebshopTargetHome        WebshopTarget = "HOME"
	WebshopTargetLoyalty     WebshopTarget = "LOYALTY"
	WebshopTargetRoot        WebshopTarget = "ROOT"
	WebshopTargetStore       WebshopTarget = "STORE"
	WebshopTargetDailyStreak WebshopTarget = "DAILY_STREAK"
)

// WebshopURLParams describe an authenticated webshop URL to generate with
// [Client.GenerateWebshopURL]. The JSON tags are Stash's field names.
type WebshopURLParams struct {
	// User is the player the URL logs in. User.ID is required and must not
	// contain ':'.
	User CheckoutUser `json:"user"`
	// Target is the page to open; empty for Stash's default.
	Target WebshopTarget `json:"target,omitempty"`
}

// WebshopURL is a generated authenticated webshop URL.
type WebshopURL struct {
	// URL logs the player in to the webshop and opens the target page.
	URL string `json:"url"`
}

// GenerateWebshopURL returns a URL that logs the player in to the shop's
// webshop (POST /sdk/server/generate_url). Stash documents it with the v1
// HMAC signature (or the deprecated X-Stash-Api-Key); the client signs it as
// it is configured. p is validated first (User.ID set, without ':', every
// string valid UTF-8); a failure wraps [ErrInvalidParams], names the field,
// and nothing is sent. A non-2xx answer is an [*APIError].
func (c *Client) GenerateWebshopURL(ctx context.Context, p *WebshopURLParams) (*WebshopURL, error) {
	switch {
	case p == nil:
		return nil, invalidParamsError("webshop URL params are nil")
	case p.User.ID == "":
		return nil, invalidParamsError("User.ID is empty")
	case strings.Contains(p.User.ID, ":"):
		return nil, invalidParamsError("User.ID must not contain ':'")
	}
	if err := checkText("", p); err != nil {
		return nil, err
	}
	out := &WebshopURL{}
	if _, err := c.postJSON(ctx, pathWebshopURL, p, out); err != nil {
		return nil, err
	}
	if out.URL == "" {
		return nil, malformed("webshop URL: no url in the response")
	}
	return out, nil
}
