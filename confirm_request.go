package stashpay

import (
	"encoding/json"
	"strconv"
	"time"
)

// ConfirmPaymentRequest is the body of Stash's POST /api/v1/purchase/confirm
// call: the player paid (the charge is pre-authorised) and the game must now
// grant the items.
//
// Decoding is tolerant, as Stash's API README asks: field names in
// lowerCamelCase or snake_case (any letter case), enums as names or
// integers, int64 values (timeMillis) as JSON strings or numbers, unknown
// fields and unknown enum values accepted. A known field given twice is an
// error. Amounts are integer minor units at DecimalPlaces; use
// [ConfirmPaymentRequest.TotalAmount] and friends for exact decimal
// [Amount]s.
type ConfirmPaymentRequest struct {
	// PlayerID is the player confirming the purchase. Required.
	PlayerID string
	// TransactionID identifies the purchase session. Required; it is the
	// default exactly-once key of [ConfirmPaymentHandler].
	TransactionID string
	// CheckoutLinkID is set when the purchase went through a checkout link.
	CheckoutLinkID string
	// ShopID is the originating Stash shop (the shopId of webhooks).
	ShopID string
	// Environment is the Stash environment of the purchase; empty when not
	// sent.
	Environment PaymentEnvironment
	// Currency is the ISO 4217 code, e.g. "USD". Required.
	Currency string
	// DecimalPlaces is the currency's CLDR fraction digits (2 for USD, 0 for
	// JPY); it scales Tax, Total and every item's Cents.
	DecimalPlaces int
	// Tax is the tax in minor units (may be 0).
	Tax int64
	// Total is the amount charged, tax included, in minor units; > 0.
	Total int64
	// Time is when the purchase completed (Stash's timeMillis), in UTC.
	// Required.
	Time time.Time
	// PaymentMethodType is how the player paid; empty when not sent.
	PaymentMethodType PaymentMethodType
	// Items are the purchased items. At least one.
	Items []PurchaseItem
	// Platform is where the player bought; empty when not sent.
	Platform PurchasePlatform
	// Browser describes the browser of a web purchase ("Chrome/91.0").
	Browser string
	// DeviceID identifies the device, for fraud prevention.
	DeviceID string
	// Source tells where the purchase started; empty when not sent.
	Source PurchaseSource
	// IPAddress is the customer's IP address.
	IPAddress string
	// Region is the ISO 3166-1 alpha-2 country code ("US"). Stash's field is
	// "region", not "regionCode".
	Region string
	// UserEmail is the customer's email.
	UserEmail string
	// EmailMarketingOptIn tells whether the customer opted in to email
	// marketing; nil when not sent.
	EmailMarketingOptIn *bool
	// BonusItems are extra items to grant with the purchase.
	BonusItems []ConfirmBonusItem
	// Loyalty is the player's loyalty standing; nil for shops without an
	// active loyalty campaign.
	Loyalty *PlayerLoyaltyState
}

// ConfirmBonusItem is a bonus item to grant with a confirmed purchase.
type ConfirmBonusItem struct {
	// ID identifies the bonus item. Required.
	ID string
	// Quantity is the number to grant, > 0.
	Quantity int64
}

// ConfirmPaymentResponse is the game's answer to a confirm call. The
// presence of Results (at least one) tells Stash the purchase succeeded.
type ConfirmPaymentResponse struct {
	// Results names the confirmed items; when empty, the handler answers
	// one result per request item.
	Results []ConfirmPaymentResult `json:"results"`
}

// ConfirmPaymentResult names one confirmed item, by GUID or product ID (at
// least one of the two).
type ConfirmPaymentResult struct {
	// GUID is the confirmed item's GUID (a UUID); may be empty when
	// ProductID is set.
	GUID string `json:"guid,omitempty"`
	// ProductID is the confirmed item's SKU; may be empty when GUID is set.
	ProductID string `json:"productId,omitempty"`
}

// TotalAmount returns Total as a decimal [Amount] at DecimalPlaces (1098 at 2
// is "10.98").
func (r *ConfirmPaymentRequest) TotalAmount() (Amount, error) {
	return FormatMinor(r.Total, r.DecimalPlaces)
}

// TaxAmount returns Tax as a decimal [Amount] at DecimalPlaces.
func (r *ConfirmPaymentRequest) TaxAmount() (Amount, error) {
	return FormatMinor(r.Tax, r.DecimalPlaces)
}

// Validate checks the rules Stash documents for a confirm request: PlayerID
// and TransactionID set, Currency of 3 letters, DecimalPlaces in 0..18, Tax
// >= 0, Total > 0, Time set (timeMillis > 0), at least one item and every
// item with a GUID, a product ID, Quantity > 0 and Cents > 0, every bonus
// item with an ID and Quantity > 0, Region empty or of 2-3 letters. Errors
// wrap [ErrInvalidEgressRequest] and name the field, never its value.
func (r *ConfirmPaymentRequest) Validate() error {
	if err := validateEgressCommon(r.PlayerID, r.TransactionID, r.Currency, r.DecimalPlaces, r.Region); err != nil {
		return err
	}
	switch {
	case r.Tax < 0:
		return egressInvalid("tax", "must be >= 0")
	case r.Total <= 0:
		return egressInvalid("total", "must be > 0")
	case r.Time.IsZero() || r.Time.UnixMilli() <= 0:
		return egressInvalid("timeMillis", "required")
	}
	if err := validateEgressItems(r.Items, "items", false); err != nil {
		return err
	}
	for i, b := range r.BonusItems {
		p := egressIndex("bonusItems", i)
		if b.ID == "" {
			return egressInvalid(p+".id", "required")
		}
		if b.Quantity <= 0 {
			return egressInvalid(p+".quantity", "must be > 0")
		}
	}
	return nil
}

// UnmarshalJSON decodes a confirm request tolerantly; see
// [ConfirmPaymentRequest]. It does not validate; call Validate.
func (r *ConfirmPaymentRequest) UnmarshalJSON(data []byte) error {
	return egressUnmarshal(data, r.decode)
}

func (r *ConfirmPaymentRequest) decode(data []byte, path string) error {
	*r = ConfirmPaymentRequest{}
	shared := egressSharedFields{
		playerID: &r.PlayerID, transactionID: &r.TransactionID,
		checkoutLinkID: &r.CheckoutLinkID, shopID: &r.ShopID, currency: &r.Currency,
		environment: &r.Environment, decimalPlaces: &r.DecimalPlaces,
		platform: &r.Platform, source: &r.Source, browser: &r.Browser,
		deviceID: &r.DeviceID, ipAddress: &r.IPAddress, region: &r.Region,
		loyalty: &r.Loyalty, userEmail: &r.UserEmail,
	}
	return egressObject(data, path, func(k, raw []byte) (bool, error) {
		switch string(k) {
		case "tax":
			return true, egressInt(raw, path, "tax", &r.Tax)
		case "total":
			return true, egressInt(raw, path, "total", &r.Total)
		case "timemillis":
			return true, egressTime(raw, path, "timeMillis", &r.Time)
		case "paymentmethodtype":
			return true, egressEnumField(raw, path, "paymentMethodType", egressPaymentMethodNames, &r.PaymentMethodType)
		case "items":
			return true, decodeEgressItems(raw, "items", &r.Items)
		case "emailmarketingoptin":
			return true, egressOptBool(raw, path, "emailMarketingOptIn", &r.EmailMarketingOptIn)
		case "bonusitems":
			return true, egressArray(raw, "bonusItems", func(i int, elem []byte) error {
				var b ConfirmBonusItem
				if err := b.decode(elem, egressIndex("bonusItems", i)); err != nil {
					return err
				}
				r.BonusItems = append(r.BonusItems, b)
				return nil
			})
		}
		return shared.decode(k, raw)
	})
}

func (b *ConfirmBonusItem) decode(data []byte, path string) error {
	*b = ConfirmBonusItem{}
	return egressObject(data, path, func(k, raw []byte) (bool, error) {
		switch string(k) {
		case "id":
			return true, egressString(raw, path, "id", &b.ID)
		case "quantity":
			return true, egressInt(raw, path, "quantity", &b.Quantity)
		}
		return false, nil
	})
}

// UnmarshalJSON decodes a bonus item tolerantly.
func (b *ConfirmBonusItem) UnmarshalJSON(data []byte) error {
	return egressUnmarshal(data, b.decode)
}

// MarshalJSON writes the bonus item as Stash sends it.
func (b ConfirmBonusItem) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID       string `json:"id"`
		Quantity int64  `json:"quantity"`
	}{b.ID, b.Quantity})
}

// egressTime decodes Unix milliseconds (string or number) into a UTC time;
// 0 or null is the zero time.
func egressTime(raw []byte, path, name string, dst *time.Time) error {
	var ms int64
	if err := egressInt(raw, path, name, &ms); err != nil {
		return err
	}
	if ms == 0 {
		*dst = time.Time{}
		return nil
	}
	*dst = time.UnixMilli(ms).UTC()
	return nil
}

// egressMillis is the inverse of egressTime, as protobuf's int64 string.
func egressMillis(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.UnixMilli(), 10)
}

// MarshalJSON writes the request as Stash sends it: lowerCamelCase names,
// enums as names (omitted when empty), timeMillis as a string. It is what
// stashpaytest uses to build requests for tests.
func (r ConfirmPaymentRequest) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		egressWireCommon
		Tax                 int64               `json:"tax"`
		Total               int64               `json:"total"`
		TimeMillis          string              `json:"timeMillis,omitempty"`
		PaymentMethodType   PaymentMethodType   `json:"paymentMethodType,omitempty"`
		Items               []PurchaseItem      `json:"items"`
		Platform            PurchasePlatform    `json:"platform,omitempty"`
		Browser             string              `json:"browser,omitempty"`
		DeviceID            string              `json:"deviceId,omitempty"`
		Source              PurchaseSource      `json:"source,omitempty"`
		IPAddress           string              `json:"ipAddress,omitempty"`
		Region              string              `json:"region,omitempty"`
		UserEmail           string              `json:"userEmail,omitempty"`
		EmailMarketingOptIn *bool               `json:"emailMarketingOptIn,omitempty"`
		BonusItems          []ConfirmBonusItem  `json:"bonusItems,omitempty"`
		Loyalty             *PlayerLoyaltyState `json:"loyalty,omitempty"`
	}{
		egressWireCommon{r.PlayerID, r.TransactionID, r.CheckoutLinkID, r.ShopID, r.Environment, r.Currency, r.DecimalPlaces},
		r.Tax, r.Total, egressMillis(r.Time), r.PaymentMethodType, r.Items,
		r.Platform, r.Browser, r.DeviceID, r.Source, r.IPAddress, r.Region,
		r.UserEmail, r.EmailMarketingOptIn, r.BonusItems, r.Loyalty,
	})
}

// UnmarshalJSON decodes a confirm response tolerantly (snake_case names
// accepted).
func (r *ConfirmPaymentResponse) UnmarshalJSON(data []byte) error {
	return egressUnmarshal(data, func(data []byte, path string) error {
		*r = ConfirmPaymentResponse{}
		return egressObject(data, path, func(k, raw []byte) (bool, error) {
			if string(k) != "results" {
				return false, nil
			}
			return true, egressArray(raw, "results", func(i int, elem []byte) error {
				var res ConfirmPaymentResult
				p := egressIndex("results", i)
				err := egressObject(elem, p, func(k, raw []byte) (bool, error) {
					return egressItemRef(k, raw, p, &res.GUID, &res.ProductID)
				})
				r.Results = append(r.Results, res)
				return err
			})
		})
	})
}
