package stashpay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/stashpay/stashpay-go/internal/money"
)

// pathCheckout is the endpoint of [Client.CreateCheckout].
const pathCheckout = "/sdk/server/checkout_links/generate_quick_pay_url"

// CheckoutParams describe a checkout link to create with
// [Client.CreateCheckout]. Set exactly one of Item and CatalogItems. The
// JSON tags are Stash's field names; the zero value of an optional field is
// not sent.
type CheckoutParams struct {
	// Item is one inline-priced item. Exactly one of Item and CatalogItems.
	Item *CheckoutItem `json:"item,omitempty"`
	// CatalogItems are Managed Catalog SKUs that Stash prices itself (the
	// shop must have Managed Catalog enabled). Exactly one of Item and
	// CatalogItems.
	CatalogItems []CatalogItem `json:"catalogItems,omitempty"`
	// BonusItems are free items granted alongside.
	BonusItems []BonusItem `json:"bonusItems,omitempty"`
	// User is the player. User.ID is required.
	User CheckoutUser `json:"user"`
	// TransactionID is the game's own identifier of this purchase, which
	// Stash uses for idempotency. If empty, CreateCheckout generates a UUID
	// and returns it in [Checkout.TransactionID]; the params are not
	// modified, so a call that failed takes its generated ID with it: set
	// your own when you retry failed calls yourself.
	TransactionID string `json:"transactionId,omitempty"`
	// RegionCode is the player's country code. Stash's docs say 2-3
	// letters and default to US; its samples send both "US" and "USA".
	RegionCode string `json:"regionCode,omitempty"`
	// Currency is an ISO 4217 code; Stash documents only "USD" as supported.
	Currency string `json:"currency,omitempty"`
	// CheckoutSessionID is an optional per-tab analytics session ID, shared
	// with telemetry and the funnel webhooks and stored on the order.
	CheckoutSessionID string `json:"checkoutSessionId,omitempty"`
	// CreatePaymentIntent asks Stash to create the payment intent with the
	// link. It is sent by Stash's current samples but not documented; false
	// leaves it out.
	CreatePaymentIntent bool `json:"createPaymentIntent,omitempty"`
}

// CheckoutItem is an inline-priced item of a checkout.
type CheckoutItem struct {
	// ID is the game's SKU or item ID. Required.
	ID string `json:"id"`
	// PricePerItem is the unit price as a decimal string. Stash's samples
	// send major units ("1.99"); one guide says minor units ("199"). It is
	// sent exactly as given; it must be a non-negative decimal number.
	PricePerItem Amount `json:"pricePerItem"`
	// Quantity must be positive.
	Quantity int `json:"quantity"`
	// ImageURL is shown on the checkout page. Stash's Link Generator treats
	// it as required.
	ImageURL string `json:"imageUrl,omitempty"`
	// Name is the display name.
	Name string `json:"name,omitempty"`
	// Description is the display description.
	Description string `json:"description,omitempty"`
}

// CatalogItem is a Managed Catalog SKU with a quantity.
type CatalogItem struct {
	// ID is the catalog SKU. Required.
	ID string `json:"id"`
	// Quantity must be positive.
	Quantity int `json:"quantity"`
}

// BonusItem is a free item granted with a checkout. Stash documents only a
// sample of this element; Description is sent when set.
type BonusItem struct {
	// ID is the item ID. Required.
	ID string `json:"id"`
	// Name is the display name.
	Name string `json:"name,omitempty"`
	// ImageURL is the item's image.
	ImageURL string `json:"imageUrl,omitempty"`
	// Quantity must be positive.
	Quantity int `json:"quantity"`
	// Description is the display description.
	Description string `json:"description,omitempty"`
}

// CheckoutUser is the player a checkout is for.
type CheckoutUser struct {
	// ID is the game's player ID. Required; must not contain ':' (Stash
	// keys saved payment methods as "{shopId}:{userId}").
	ID string `json:"id"`
	// ValidatedEmail is an email address the game has verified.
	ValidatedEmail string `json:"validatedEmail,omitempty"`
	// ProfileImageURL is the player's avatar.
	ProfileImageURL string `json:"profileImageUrl,omitempty"`
	// DisplayName is the player's name as shown.
	DisplayName string `json:"displayName,omitempty"`
	// RegionCode is the player's country code.
	RegionCode string `json:"regionCode,omitempty"`
	// Platform is the player's device platform; leave it empty (or
	// [UserPlatformUndefined]) for desktop and web.
	Platform UserPlatform `json:"platform,omitempty"`
}

// UserPlatform is the platform of a checkout's player. It is an open enum:
// values other than the constants are sent as given.
type UserPlatform string

// Known user platforms.
const (
	UserPlatformUndefined UserPlatform = "UNDEFINED"
	UserPlatformIOS       UserPlatform = "IOS"
	UserPlatformAndroid   UserPlatform = "ANDROID"
)

// Checkout is a created checkout link.
type Checkout struct {
	// ID is the checkout link ID (a UUID). Store it with the pending
	// purchase; it is the ID to pass to [Client.GetPaymentEvent].
	ID string
	// URL is the checkout page to show to the player.
	URL string
	// RegionCode is the region Stash applied.
	RegionCode string
	// TransactionID is the transaction ID that was sent: the params' own,
	// or the one generated for them.
	TransactionID string
}

// checkoutResponse is the JSON shape of a successful generate_quick_pay_url
// body ({"url", "id", "regionCode"}), convertible from *Checkout so that
// the body decodes straight into the result.
type checkoutResponse struct {
	ID            string `json:"id"`
	URL           string `json:"url"`
	RegionCode    string `json:"regionCode"`
	TransactionID string `json:"-"`
}

// CreateCheckout creates a checkout link (POST
// /sdk/server/checkout_links/generate_quick_pay_url). p is validated first
// (required fields, quantities, the price, and every string valid UTF-8, so
// that what is sent is exactly what was given); a failure is an error
// wrapping [ErrInvalidParams] that names the field, and nothing is sent.
// When p.TransactionID is empty a UUID is generated; p is never modified.
// The body is serialized once and every attempt, retries included, sends
// those same bytes, so Stash sees one transaction ID however many times the
// request is sent. A non-2xx answer is an [*APIError]; a 2xx answer without
// the link's url or id is an error wrapping [ErrMalformedResponse].
func (c *Client) CreateCheckout(ctx context.Context, p *CheckoutParams) (*Checkout, error) {
	if err := validateCheckoutParams(p); err != nil {
		return nil, err
	}
	send := p
	if p.TransactionID == "" {
		cp := *p // the caller's params are never modified
		cp.TransactionID = uuid.NewString()
		send = &cp
	}
	body, err := json.Marshal(send)
	if err != nil {
		return nil, invalidParamsError("checkout params do not encode")
	}
	out := &Checkout{}
	if _, err := c.doRequest(ctx, http.MethodPost, pathCheckout, body, (*checkoutResponse)(out)); err != nil {
		return nil, err
	}
	switch {
	case out.URL == "":
		return nil, fmt.Errorf("%w: checkout: no url in the response", ErrMalformedResponse)
	case out.ID == "":
		// The ID is what the purchase is polled and keyed by.
		return nil, fmt.Errorf("%w: checkout: no id in the response", ErrMalformedResponse)
	}
	out.TransactionID = send.TransactionID
	return out, nil
}

// maxCheckoutQuantity is the largest quantity accepted: Stash's quantities are
// 32-bit integers.
const maxCheckoutQuantity = math.MaxInt32

func validateCheckoutParams(p *CheckoutParams) error {
	if p == nil {
		return invalidParamsError("checkout params are nil")
	}
	if err := validateCheckoutText(p); err != nil {
		return err
	}
	switch {
	case p.Item == nil && len(p.CatalogItems) == 0:
		return invalidParamsError("set Item or CatalogItems")
	case p.Item != nil && len(p.CatalogItems) > 0:
		return invalidParamsError("set only one of Item and CatalogItems")
	}
	if p.Item != nil {
		if err := validateCheckoutItem("Item", p.Item.ID, p.Item.Quantity); err != nil {
			return err
		}
		if err := validateCheckoutPrice(p.Item.PricePerItem); err != nil {
			return err
		}
	}
	for i, it := range p.CatalogItems {
		if err := validateCheckoutItem("CatalogItems["+strconv.Itoa(i)+"]", it.ID, it.Quantity); err != nil {
			return err
		}
	}
	for i, it := range p.BonusItems {
		if err := validateCheckoutItem("BonusItems["+strconv.Itoa(i)+"]", it.ID, it.Quantity); err != nil {
			return err
		}
	}
	switch {
	case p.User.ID == "":
		return invalidParamsError("User.ID is empty")
	case strings.Contains(p.User.ID, ":"):
		return invalidParamsError("User.ID must not contain ':'")
	}
	return nil
}

// textField is a string field of the params, by name.
type textField struct{ name, value string }

// validateCheckoutText refuses any string of p that is not valid UTF-8:
// json.Marshal would send it with U+FFFD in place of the bad bytes, so two
// distinct transaction IDs could reach Stash as one. The error names the
// field, never the value.
func validateCheckoutText(p *CheckoutParams) error {
	u := &p.User
	if err := validUTF8("", textField{"TransactionID", p.TransactionID}, textField{"RegionCode", p.RegionCode},
		textField{"Currency", p.Currency}, textField{"CheckoutSessionID", p.CheckoutSessionID},
		textField{"User.ID", u.ID}, textField{"User.ValidatedEmail", u.ValidatedEmail},
		textField{"User.ProfileImageURL", u.ProfileImageURL}, textField{"User.DisplayName", u.DisplayName},
		textField{"User.RegionCode", u.RegionCode}, textField{"User.Platform", string(u.Platform)}); err != nil {
		return err
	}
	if it := p.Item; it != nil {
		if err := validUTF8("Item.", textField{"ID", it.ID}, textField{"PricePerItem", string(it.PricePerItem)},
			textField{"Name", it.Name}, textField{"Description", it.Description}, textField{"ImageURL", it.ImageURL}); err != nil {
			return err
		}
	}
	for i, it := range p.CatalogItems {
		if !utf8.ValidString(it.ID) {
			return validUTF8("CatalogItems["+strconv.Itoa(i)+"].", textField{"ID", it.ID})
		}
	}
	for i, it := range p.BonusItems {
		fields := [...]textField{{"ID", it.ID}, {"Name", it.Name}, {"ImageURL", it.ImageURL}, {"Description", it.Description}}
		for _, f := range fields {
			if !utf8.ValidString(f.value) {
				return validUTF8("BonusItems["+strconv.Itoa(i)+"].", f)
			}
		}
	}
	return nil
}

// validUTF8 returns an error naming prefix+name of the first field that is
// not valid UTF-8, or nil.
func validUTF8(prefix string, fields ...textField) error {
	for _, f := range fields {
		if !utf8.ValidString(f.value) {
			return invalidParamsError(prefix + f.name + " is not valid UTF-8")
		}
	}
	return nil
}

func validateCheckoutItem(field, id string, quantity int) error {
	if id == "" {
		return invalidParamsError(field + ".ID is empty")
	}
	if quantity <= 0 || quantity > maxCheckoutQuantity {
		return invalidParamsError(field + ".Quantity must be between 1 and " + strconv.Itoa(maxCheckoutQuantity))
	}
	return nil
}

func validateCheckoutPrice(a Amount) error {
	if strings.HasPrefix(string(a), "-") {
		return invalidParamsError("Item.PricePerItem must not be negative")
	}
	if _, err := money.ToMinor(string(a), money.MaxScale); err != nil && !errors.Is(err, money.ErrRange) {
		return invalidParamsError("Item.PricePerItem must be a decimal number such as \"1.99\"")
	}
	return nil
}

func invalidParamsError(detail string) error {
	return fmt.Errorf("%w: %s", ErrInvalidParams, detail)
}
