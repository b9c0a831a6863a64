package stashpay

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/stashpay/stashpay-go/internal/wire"
)

// Product is a published Managed Catalog product with an active offer, as
// Stash Studio holds it (swagger.ingress.v1.json, v1Product).
type Product struct {
	// ProductID is the partner-defined product identifier (SKU), unique
	// within the shop. Always set.
	ProductID string `json:"productId"`
	// Name is the product's name.
	Name LocalizableText `json:"name,omitzero"`
	// Description is the product's description; always set for published
	// products.
	Description LocalizableText `json:"description,omitzero"`
	// DisplayName is the human-readable display name; always set for
	// published products.
	DisplayName LocalizableText `json:"displayName,omitzero"`
	// Images are the product's images.
	Images ProductImages `json:"images,omitzero"`
	// Status is always [ProductStatusPublished] for this API.
	Status ProductStatus `json:"status,omitzero"`
	// CreatedAt and UpdatedAt are the product's creation and last change.
	CreatedAt time.Time `json:"createdAt,omitzero"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
	// OfferStartTime and OfferEndTime bound the offer; zero when no bound
	// is configured.
	OfferStartTime time.Time `json:"offerStartTime,omitzero"`
	OfferEndTime   time.Time `json:"offerEndTime,omitzero"`
	// Prices are the product's prices. A paid product has at least a
	// USD/UNIVERSAL/US entry; a free product has none.
	Prices []ProductPrice `json:"prices,omitempty"`
	// Items are the in-game items the product contains; may be empty.
	Items []ProductItem `json:"items,omitempty"`
	// Bonuses are granted when the product is purchased; may be empty.
	Bonuses []ProductBonus `json:"bonuses,omitempty"`
}

// ProductImages are the images of a [Product].
type ProductImages struct {
	// MainImage is the primary image URL; always set for published products.
	MainImage string `json:"mainImage,omitempty"`
	// BackgroundImage is the background image URL.
	BackgroundImage string `json:"backgroundImage,omitempty"`
}

// ProductPrice is one price entry of a [Product].
type ProductPrice struct {
	// Currency is the ISO 4217 code ("USD").
	Currency string `json:"currency"`
	// Platform is the platform the price applies to.
	Platform ProductPricePlatform `json:"platform"`
	// Region is the ISO 3166-1 alpha-2 region code ("US").
	Region string `json:"region"`
	// Cents is the price in integer minor units at DecimalPlaces (499 for
	// 4.99 USD).
	Cents int64 `json:"cents"`
	// DecimalPlaces is the currency's CLDR fraction digits; it scales
	// Cents. It is [NoDecimalPlaces] when the answer did not carry it
	// (Stash marks it required), and Amount then fails: reading its absence
	// as 0 would turn 4.99 into 499.
	DecimalPlaces int `json:"decimalPlaces"`
	// UpdatedAt is when the price last changed.
	UpdatedAt time.Time `json:"updatedAt"`
}

// Amount returns the price as a decimal [Amount]: Cents 499 at 2 is "4.99".
// It fails with [ErrInvalidAmount] when DecimalPlaces is [NoDecimalPlaces].
func (p ProductPrice) Amount() (Amount, error) {
	if p.DecimalPlaces == NoDecimalPlaces {
		return "", fmt.Errorf("%w: the price's decimalPlaces was not sent", ErrInvalidAmount)
	}
	return FormatMinor(p.Cents, p.DecimalPlaces)
}

// ProductItem is an in-game item of a [Product].
type ProductItem struct {
	// Image is the item's image URL; always set for published products.
	Image string `json:"image,omitempty"`
	// Quantity is the in-game quantity as a string of digits (Stash allows
	// integers beyond int64); always > 0 for published products.
	Quantity string `json:"quantity,omitempty"`
	// DisplayName is the item's optional display name (at most 50
	// characters).
	DisplayName LocalizableText `json:"displayName,omitzero"`
}

// ProductBonus is a bonus granted with a [Product].
type ProductBonus struct {
	// BonusID identifies the bonus configured for the shop. Always set.
	BonusID string `json:"bonusId"`
	// Name is the bonus's display name.
	Name LocalizableText `json:"name,omitzero"`
	// Quantity is the amount granted, a string of digits; always > 0.
	Quantity string `json:"quantity,omitempty"`
	// IconImageURL is the bonus icon; empty when none is configured.
	IconImageURL string `json:"iconImageUrl,omitempty"`
}

// UnmarshalJSON decodes a price tolerantly, through internal/wire, with
// DecimalPlaces [NoDecimalPlaces] unless the answer sends decimalPlaces.
func (p *ProductPrice) UnmarshalJSON(data []byte) error {
	type plain ProductPrice // without this method
	return decodePlain(data, (*plain)(p), plain{DecimalPlaces: NoDecimalPlaces})
}

// ListProductsParams page [Client.ListProducts].
type ListProductsParams struct {
	// Limit is the page size, 1..100; 0 means Stash's default, 50.
	Limit int
	// Offset is where the page starts: 0, or a previous page's NextOffset.
	Offset int64
}

// ProductPage is one page of [Client.ListProducts].
type ProductPage struct {
	// Products are the page's products, most recently created first.
	Products []Product `json:"products"`
	// NextOffset is the Offset of the next page; 0 on the last page (Stash
	// leaves it out).
	NextOffset int64 `json:"nextOffset,omitempty"`
}

// UnmarshalJSON decodes a page tolerantly, through internal/wire.
func (p *ProductPage) UnmarshalJSON(data []byte) error {
	type plain ProductPage // without this method
	return decodePlain(data, (*plain)(p), plain{})
}

// maxProductsLimit is the largest page Stash serves.
const maxProductsLimit = 100

// ListProducts returns one page of the shop's published products with an
// active offer (GET /sdk/studio/{shopId}/products?limit=&offset=). The shop
// is the credentials' ShopID, so the call needs v1 credentials; Stash
// documents it with the v1 HMAC signature (a GET signs an empty body). p may
// be nil for the first page of 50. A Limit outside 0..100 or a negative
// Offset wraps [ErrInvalidParams] and nothing is sent. See [Client.Products]
// for every page.
func (c *Client) ListProducts(ctx context.Context, p *ListProductsParams) (*ProductPage, error) {
	q := url.Values{}
	if p != nil {
		switch {
		case p.Limit < 0 || p.Limit > maxProductsLimit:
			return nil, invalidParamsError("Limit must be between 0 and " + strconv.Itoa(maxProductsLimit))
		case p.Offset < 0:
			return nil, invalidParamsError("Offset must not be negative")
		}
		if p.Limit > 0 {
			q.Set("limit", strconv.Itoa(p.Limit))
		}
		if p.Offset > 0 {
			q.Set("offset", strconv.FormatInt(p.Offset, 10))
		}
	}
	path := "/products"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	out := &ProductPage{}
	if err := c.studioGet(ctx, path, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Products returns an iterator over every product of the shop, fetching
// pages of pageSize (0 for Stash's default of 50) with [Client.ListProducts]
// as the loop advances. An error ends the iteration: it is yielded once,
// with a nil product. A page whose NextOffset does not advance, or an empty
// page with a NextOffset, also ends it, with an error wrapping
// [ErrMalformedResponse], so that a misbehaving server cannot make the loop
// spin.
func (c *Client) Products(ctx context.Context, pageSize int) iter.Seq2[*Product, error] {
	return func(yield func(*Product, error) bool) {
		var offset int64
		for {
			page, err := c.ListProducts(ctx, &ListProductsParams{Limit: pageSize, Offset: offset})
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range page.Products {
				if !yield(&page.Products[i], nil) {
					return
				}
			}
			if page.NextOffset == 0 {
				return
			}
			if page.NextOffset <= offset || len(page.Products) == 0 {
				// An empty page with a next offset would let a misbehaving
				// server keep the loop asking, one offset at a time.
				yield(nil, malformed("products: nextOffset does not advance, or a page is empty"))
				return
			}
			offset = page.NextOffset
		}
	}
}

// GetProduct returns the published product productID (GET
// /sdk/studio/{shopId}/products/{productId}); productID is path-escaped and
// validated as in [Client.GetPlan]. A product that does not exist, is not
// published or is outside its offer window is an [*APIError] matching
// [ErrNotFound]. Auth as for [Client.ListProducts].
func (c *Client) GetProduct(ctx context.Context, productID string) (*Product, error) {
	seg, err := pathSegment("product ID", productID)
	if err != nil {
		return nil, err
	}
	var out struct {
		Product *Product `json:"product"`
	}
	if err := c.studioGet(ctx, "/products/"+seg, &out); err != nil {
		return nil, err
	}
	return required(out.Product, "product", "product")
}

// studioGet GETs path below the shop's Studio path, /sdk/studio/{shopId}
// (see [Client.ListProducts] for the shop and the auth), into out.
func (c *Client) studioGet(ctx context.Context, path string, out any) error {
	base, err := c.shopPath()
	if err != nil {
		return err
	}
	_, err = c.doRequest(ctx, http.MethodGet, base+path, nil, out)
	return err
}

// required returns v, the member an answer must hold, or an error wrapping
// [ErrMalformedResponse] when the answer of call had no member.
func required[T any](v *T, call, member string) (*T, error) {
	if v == nil {
		return nil, malformed(call + ": no " + member + " in the response")
	}
	return v, nil
}

// ProductStatus is the status of a Managed Catalog product (an open enum,
// see [PaymentEnvironment]).
type ProductStatus string

// The documented product statuses.
const (
	ProductStatusUnspecified ProductStatus = "PRODUCT_STATUS_UNSPECIFIED"
	ProductStatusPublished   ProductStatus = "PRODUCT_STATUS_PUBLISHED"
)

var productStatusNames = wire.EnumNames(ProductStatusUnspecified, ProductStatusPublished)

// ProductPricePlatform is the platform a product price applies to (an open
// enum, see [PaymentEnvironment]).
type ProductPricePlatform string

// The documented product price platforms.
const (
	ProductPricePlatformUnspecified ProductPricePlatform = "PRODUCT_PRICE_PLATFORM_UNSPECIFIED"
	ProductPricePlatformUniversal   ProductPricePlatform = "PRODUCT_PRICE_PLATFORM_UNIVERSAL"
)

var productPricePlatformNames = wire.EnumNames(ProductPricePlatformUnspecified, ProductPricePlatformUniversal)

// The methods of the enums above, as for [PaymentEnvironment].

// UnmarshalJSON implements json.Unmarshaler.
func (e *ProductStatus) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, productStatusNames, e)
}

// MarshalJSON implements json.Marshaler.
func (e ProductStatus) MarshalJSON() ([]byte, error) { return wire.EncodeEnum(e, productStatusNames) }

// Number returns the protobuf number of e.
func (e ProductStatus) Number() (int32, bool) { return wire.EnumNumber(e, productStatusNames) }

// Known reports whether e is a documented name.
func (e ProductStatus) Known() bool { return slices.Contains(productStatusNames, string(e)) }

// String returns e as held.
func (e ProductStatus) String() string { return string(e) }

// UnmarshalJSON implements json.Unmarshaler.
func (e *ProductPricePlatform) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, productPricePlatformNames, e)
}

// MarshalJSON implements json.Marshaler.
func (e ProductPricePlatform) MarshalJSON() ([]byte, error) {
	return wire.EncodeEnum(e, productPricePlatformNames)
}

// Number returns the protobuf number of e.
func (e ProductPricePlatform) Number() (int32, bool) {
	return wire.EnumNumber(e, productPricePlatformNames)
}

// Known reports whether e is a documented name.
func (e ProductPricePlatform) Known() bool {
	return slices.Contains(productPricePlatformNames, string(e))
}

// String returns e as held.
func (e ProductPricePlatform) String() string { return string(e) }
