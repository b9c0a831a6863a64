package stashpay

import (
	"slices"

	"github.com/stashpay/stashpay-go/internal/wire"
)

// The types the three egress calls share: the items, the loyalty state and
// the enums. A request's UnmarshalJSON decodes the whole body through
// internal/wire, as for every body Stash sends, which gives every member in
// them its tolerance (names in lowerCamelCase, any letter case, or
// snake_case; integers as JSON numbers or digit strings; a metadata value
// of another kind as its text; unknown fields accepted); the enums decode
// themselves (a name or a number, unknown values kept). Decode a request,
// not one of these types alone: plain encoding/json gives them no
// tolerance.

// PurchaseItem is one line of an egress purchase call: an entry of
// ConfirmPaymentRequest.Items, RegisterPaymentRequest.Registrations or
// CancelPaymentRequest.Items.
type PurchaseItem struct {
	// GUID identifies the offer or product (a UUID; Stash may generate a v5
	// UUID when the catalog gave none).
	GUID string `json:"guid"`
	// ProductID is the game's SKU.
	ProductID string `json:"productId"`
	// Quantity is the number of units, > 0.
	Quantity int64 `json:"quantity"`
	// Cents is the price of ONE unit in integer minor units of the
	// request's currency at the request's DecimalPlaces (999 for 9.99 USD).
	// Use [PurchaseItem.UnitAmount] for a decimal [Amount].
	Cents int64 `json:"cents"`
	// Metadata holds the item's key-value pairs, as sent; a number, boolean
	// or null value is kept as its JSON text ("7", "true", "").
	Metadata map[string]string `json:"metadata,omitempty"`
}

// UnitAmount returns the price of one unit as a decimal [Amount] at
// decimalPlaces (pass the request's DecimalPlaces): Cents 999 at 2 is "9.99".
func (it PurchaseItem) UnitAmount(decimalPlaces int) (Amount, error) {
	return FormatMinor(it.Cents, decimalPlaces)
}

// PlayerLoyaltyState is the player's standing in the shop's active loyalty
// campaign that applied to a purchase (the egress "loyalty" field). Stash
// sends it only for shops with an active loyalty campaign.
type PlayerLoyaltyState struct {
	// CampaignID identifies the live loyalty campaign (season).
	CampaignID string `json:"campaignId,omitempty"`
	// TotalPoints is the player's points balance in the campaign.
	TotalPoints int64 `json:"totalPoints"`
	// PointsDelta is the signed change of the balance caused by the
	// purchase; negative on a refund reversal.
	PointsDelta int64 `json:"pointsDelta"`
	// CurrentTierID is the player's tier; empty when no tier matches.
	CurrentTierID string `json:"currentTierId,omitempty"`
	// PreviousTierID is the prior tier, set only when the purchase changed
	// the tier.
	PreviousTierID string `json:"previousTierId,omitempty"`
	// PointsToNextTier is nil when the player is at the top tier.
	PointsToNextTier *int64 `json:"pointsToNextTier,omitempty"`
	// PointsToNextMilestone is nil when no milestone is left.
	PointsToNextMilestone *int64 `json:"pointsToNextMilestone,omitempty"`
	// NextMilestone is the milestone the player progresses toward, nil when
	// none is left.
	NextMilestone *LoyaltyMilestone `json:"nextMilestone,omitempty"`
	// PointsMultiplierPermille is the tier's points multiplier in permille
	// (1500 is 1.5x; the base tier is 1000).
	PointsMultiplierPermille int64 `json:"pointsMultiplierPermille,omitempty"`
	// UnlockedMilestones are the milestones the points of this event
	// crossed; the player claims their rewards later, they are not granted
	// automatically. (Added by a public-api commit after swagger.v1.json.)
	UnlockedMilestones []LoyaltyMilestone `json:"unlockedMilestones,omitempty"`
}

// LoyaltyMilestone is a loyalty milestone and every reward it grants.
type LoyaltyMilestone struct {
	// MilestoneID identifies the milestone within the campaign.
	MilestoneID string `json:"milestoneId,omitempty"`
	// Rewards are what reaching the milestone grants.
	Rewards []LoyaltyReward `json:"rewards,omitempty"`
}

// LoyaltyReward is one reward of a loyalty milestone.
type LoyaltyReward struct {
	// ItemID is a shop bonus identifier for currency or points rewards, or
	// the product's SKU for product rewards.
	ItemID string `json:"itemId,omitempty"`
	// Quantity is the number of units granted.
	Quantity int64 `json:"quantity"`
	// Type is the kind of reward, one of the LoyaltyRewardType* values;
	// empty when not sent.
	Type LoyaltyRewardType `json:"type"`
}

// The shadows the requests decode through. Stash types every integer of
// the egress calls as int64, which protobuf's JSON writes as a digit
// string ("999"), so these members decode through wire.Int64, which reads a
// string or a number in the one pass: wire's rewrite-and-decode-again, which
// would also read them, costs about seven times as much and is for the
// rarer shapes. Each shadow embeds the public type under a method-less
// alias, by value (a pointer costs encoding/json a few percent more), and
// value() copies the shadowed members back.
type (
	plainItem PurchaseItem
	itemJSON  struct {
		plainItem
		Quantity wire.Int64 `json:"quantity"`
		Cents    wire.Int64 `json:"cents"`
	}
	plainBonus ConfirmBonusItem
	bonusJSON  struct {
		plainBonus
		Quantity wire.Int64 `json:"quantity"`
	}
	plainLoyalty PlayerLoyaltyState
	loyaltyJSON  struct {
		plainLoyalty
		TotalPoints              wire.Int64      `json:"totalPoints"`
		PointsDelta              wire.Int64      `json:"pointsDelta"`
		PointsToNextTier         *wire.Int64     `json:"pointsToNextTier"`
		PointsToNextMilestone    *wire.Int64     `json:"pointsToNextMilestone"`
		NextMilestone            *milestoneJSON  `json:"nextMilestone"`
		PointsMultiplierPermille wire.Int64      `json:"pointsMultiplierPermille"`
		UnlockedMilestones       []milestoneJSON `json:"unlockedMilestones"`
	}
	plainMilestone LoyaltyMilestone
	milestoneJSON  struct {
		plainMilestone
		Rewards []rewardJSON `json:"rewards"`
	}
	plainReward LoyaltyReward
	rewardJSON  struct {
		plainReward
		Quantity wire.Int64 `json:"quantity"`
	}
)

func (s *itemJSON) value() PurchaseItem {
	it := PurchaseItem(s.plainItem)
	it.Quantity, it.Cents = int64(s.Quantity), int64(s.Cents)
	return it
}

func (s *bonusJSON) value() ConfirmBonusItem {
	b := ConfirmBonusItem(s.plainBonus)
	b.Quantity = int64(s.Quantity)
	return b
}

func (s *loyaltyJSON) value() PlayerLoyaltyState {
	v := PlayerLoyaltyState(s.plainLoyalty)
	v.TotalPoints, v.PointsDelta = int64(s.TotalPoints), int64(s.PointsDelta)
	v.PointsMultiplierPermille = int64(s.PointsMultiplierPermille)
	v.PointsToNextTier, v.PointsToNextMilestone = (*int64)(s.PointsToNextTier), (*int64)(s.PointsToNextMilestone)
	v.NextMilestone = optional[LoyaltyMilestone](s.NextMilestone)
	v.UnlockedMilestones = values[LoyaltyMilestone](s.UnlockedMilestones)
	return v
}

func (s *milestoneJSON) value() LoyaltyMilestone {
	m := LoyaltyMilestone(s.plainMilestone)
	m.Rewards = values[LoyaltyReward](s.Rewards)
	return m
}

func (s *rewardJSON) value() LoyaltyReward {
	r := LoyaltyReward(s.plainReward)
	r.Quantity = int64(s.Quantity)
	return r
}

// values converts decoded shadows; nil stays nil, as encoding/json leaves it.
func values[T, S any, P interface {
	*S
	value() T
}](in []S) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(in))
	for i := range in {
		out[i] = P(&in[i]).value()
	}
	return out
}

// optional converts a decoded optional shadow; nil stays nil.
func optional[T, S any, P interface {
	*S
	value() T
}](s P) *T {
	if s == nil {
		return nil
	}
	v := s.value()
	return &v
}

// The enums of Stash's egress API are open: each is a string type holding
// the protobuf name ("PURCHASE_PLATFORM_IOS"). Decoding accepts the name or
// its integer number (Stash recommends integers); a known number becomes its
// name, and a value this SDK does not know is kept as sent (a name as is, a
// number as its decimal digits, "7"), never an error. Encoding writes the
// name as a JSON string, a kept number as a JSON number, and the empty value
// as the enum's UNSPECIFIED name. Number returns the protobuf number.

// PaymentEnvironment is the Stash environment a purchase ran in. It is an
// open enum, as every egress enum: it decodes from the name or the number,
// keeps a value this SDK does not know, and encodes as the name.
type PaymentEnvironment string

// The documented payment environments.
const (
	PaymentEnvironmentUnspecified PaymentEnvironment = "PAYMENT_ENVIRONMENT_UNSPECIFIED"
	PaymentEnvironmentTest        PaymentEnvironment = "PAYMENT_ENVIRONMENT_TEST"
	PaymentEnvironmentProduction  PaymentEnvironment = "PAYMENT_ENVIRONMENT_PRODUCTION"
)

var environmentNames = wire.EnumNames(PaymentEnvironmentUnspecified, PaymentEnvironmentTest, PaymentEnvironmentProduction)

// PurchasePlatform is the platform the player bought on (an open enum, see
// [PaymentEnvironment]).
type PurchasePlatform string

// The documented purchase platforms.
const (
	PurchasePlatformUnspecified PurchasePlatform = "PURCHASE_PLATFORM_UNSPECIFIED"
	PurchasePlatformIOS         PurchasePlatform = "PURCHASE_PLATFORM_IOS"
	PurchasePlatformAndroid     PurchasePlatform = "PURCHASE_PLATFORM_ANDROID"
	PurchasePlatformWebstore    PurchasePlatform = "PURCHASE_PLATFORM_WEBSTORE"
)

var platformNames = wire.EnumNames(PurchasePlatformUnspecified, PurchasePlatformIOS, PurchasePlatformAndroid, PurchasePlatformWebstore)

// PurchaseSource tells where a purchase was started, for analytics (an open
// enum, see [PaymentEnvironment]).
type PurchaseSource string

// The documented purchase sources.
const (
	PurchaseSourceUnspecified PurchaseSource = "PURCHASE_SOURCE_UNSPECIFIED"
	// PurchaseSourceCart: started from the cart in the webstore.
	PurchaseSourceCart PurchaseSource = "PURCHASE_SOURCE_CART"
	// PurchaseSourceDirect: started from a Stash Pay checkout link.
	PurchaseSourceDirect PurchaseSource = "PURCHASE_SOURCE_DIRECT"
	// PurchaseSourceBuyNow: started from the webshop, skipping the cart.
	PurchaseSourceBuyNow PurchaseSource = "PURCHASE_SOURCE_BUY_NOW"
)

var sourceNames = wire.EnumNames(PurchaseSourceUnspecified, PurchaseSourceCart, PurchaseSourceDirect, PurchaseSourceBuyNow)

// PaymentMethodType is the payment method a purchase was paid with (an open
// enum, see [PaymentEnvironment]).
type PaymentMethodType string

// The documented payment method types.
const (
	PaymentMethodTypeUnspecified PaymentMethodType = "PAYMENT_METHOD_TYPE_UNSPECIFIED"
	PaymentMethodTypeCard        PaymentMethodType = "PAYMENT_METHOD_TYPE_CARD"
	PaymentMethodTypeApplePay    PaymentMethodType = "PAYMENT_METHOD_TYPE_APPLE_PAY"
	PaymentMethodTypeGooglePay   PaymentMethodType = "PAYMENT_METHOD_TYPE_GOOGLE_PAY"
	PaymentMethodTypePayPal      PaymentMethodType = "PAYMENT_METHOD_TYPE_PAYPAL"
	PaymentMethodTypeKlarna      PaymentMethodType = "PAYMENT_METHOD_TYPE_KLARNA"
)

var paymentMethodNames = wire.EnumNames(PaymentMethodTypeUnspecified, PaymentMethodTypeCard, PaymentMethodTypeApplePay,
	PaymentMethodTypeGooglePay, PaymentMethodTypePayPal, PaymentMethodTypeKlarna)

// PurchaseRegistrationStatus is the game's answer for one item of a
// register call (an open enum, see [PaymentEnvironment]). Only
// [PurchaseRegistrationStatusSuccessRegistered] lets the purchase go on;
// Stash describes UNSPECIFIED as the default "unknown registration error".
type PurchaseRegistrationStatus string

// The documented registration statuses.
const (
	PurchaseRegistrationStatusUnspecified                 PurchaseRegistrationStatus = "PURCHASE_REGISTRATION_STATUS_UNSPECIFIED"
	PurchaseRegistrationStatusSuccessRegistered           PurchaseRegistrationStatus = "PURCHASE_REGISTRATION_STATUS_SUCCESS_REGISTERED"
	PurchaseRegistrationStatusFailedInvalidOffer          PurchaseRegistrationStatus = "PURCHASE_REGISTRATION_STATUS_FAILED_INVALID_OFFER"
	PurchaseRegistrationStatusFailedInsufficientInventory PurchaseRegistrationStatus = "PURCHASE_REGISTRATION_STATUS_FAILED_INSUFFICIENT_INVENTORY"
	PurchaseRegistrationStatusFailedPurchaseLimitExceeded PurchaseRegistrationStatus = "PURCHASE_REGISTRATION_STATUS_FAILED_PURCHASE_LIMIT_EXCEEDED"
	PurchaseRegistrationStatusFailedInvalidPrice          PurchaseRegistrationStatus = "PURCHASE_REGISTRATION_STATUS_FAILED_INVALID_PRICE"
	PurchaseRegistrationStatusFailedPurchaseLocked        PurchaseRegistrationStatus = "PURCHASE_REGISTRATION_STATUS_FAILED_PURCHASE_LOCKED"
)

var registrationNames = wire.EnumNames(PurchaseRegistrationStatusUnspecified, PurchaseRegistrationStatusSuccessRegistered,
	PurchaseRegistrationStatusFailedInvalidOffer, PurchaseRegistrationStatusFailedInsufficientInventory,
	PurchaseRegistrationStatusFailedPurchaseLimitExceeded, PurchaseRegistrationStatusFailedInvalidPrice,
	PurchaseRegistrationStatusFailedPurchaseLocked)

// PurchaseCancellationStatus is the game's answer to a cancel call (an open
// enum, see [PaymentEnvironment]). Stash describes UNSPECIFIED as the
// default "unknown cancellation error" status.
type PurchaseCancellationStatus string

// The documented cancellation statuses.
const (
	PurchaseCancellationStatusUnspecified               PurchaseCancellationStatus = "PURCHASE_CANCELLATION_STATUS_UNSPECIFIED"
	PurchaseCancellationStatusSuccessCancelled          PurchaseCancellationStatus = "PURCHASE_CANCELLATION_STATUS_SUCCESS_CANCELLED"
	PurchaseCancellationStatusFailedTransactionNotFound PurchaseCancellationStatus = "PURCHASE_CANCELLATION_STATUS_FAILED_TRANSACTION_NOT_FOUND"
	PurchaseCancellationStatusFailedAlreadyCompleted    PurchaseCancellationStatus = "PURCHASE_CANCELLATION_STATUS_FAILED_ALREADY_COMPLETED"
	PurchaseCancellationStatusFailedAlreadyCancelled    PurchaseCancellationStatus = "PURCHASE_CANCELLATION_STATUS_FAILED_ALREADY_CANCELLED"
)

var cancellationNames = wire.EnumNames(PurchaseCancellationStatusUnspecified, PurchaseCancellationStatusSuccessCancelled,
	PurchaseCancellationStatusFailedTransactionNotFound, PurchaseCancellationStatusFailedAlreadyCompleted,
	PurchaseCancellationStatusFailedAlreadyCancelled)

// LoyaltyRewardType is the kind of a loyalty milestone reward (an open enum,
// see [PaymentEnvironment]).
type LoyaltyRewardType string

// The documented loyalty reward types.
const (
	LoyaltyRewardTypeUnspecified     LoyaltyRewardType = "LOYALTY_REWARD_TYPE_UNSPECIFIED"
	LoyaltyRewardTypeInGameCurrency  LoyaltyRewardType = "LOYALTY_REWARD_TYPE_IN_GAME_CURRENCY"
	LoyaltyRewardTypeLoyaltyCurrency LoyaltyRewardType = "LOYALTY_REWARD_TYPE_LOYALTY_CURRENCY"
	LoyaltyRewardTypeLoyaltyPoints   LoyaltyRewardType = "LOYALTY_REWARD_TYPE_LOYALTY_POINTS"
	LoyaltyRewardTypeSKUItem         LoyaltyRewardType = "LOYALTY_REWARD_TYPE_SKU_ITEM"
)

var rewardTypeNames = wire.EnumNames(LoyaltyRewardTypeUnspecified, LoyaltyRewardTypeInGameCurrency,
	LoyaltyRewardTypeLoyaltyCurrency, LoyaltyRewardTypeLoyaltyPoints, LoyaltyRewardTypeSKUItem)

// The methods of every enum: UnmarshalJSON accepts the name or the protobuf
// number and keeps an unknown value; MarshalJSON writes the name (the
// UNSPECIFIED name for the empty value) or a kept number as a JSON number;
// Number returns the protobuf number and whether it is known or numeric (the
// empty value is 0); Known reports whether the value is a documented name;
// String returns the value as held.

// UnmarshalJSON implements json.Unmarshaler.
func (e *PaymentEnvironment) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, environmentNames, e)
}

// MarshalJSON implements json.Marshaler.
func (e PaymentEnvironment) MarshalJSON() ([]byte, error) {
	return wire.EncodeEnum(e, environmentNames)
}

// Number returns the protobuf number of e.
func (e PaymentEnvironment) Number() (int32, bool) { return wire.EnumNumber(e, environmentNames) }

// Known reports whether e is a documented name.
func (e PaymentEnvironment) Known() bool { return slices.Contains(environmentNames, string(e)) }

// String returns e as held.
func (e PaymentEnvironment) String() string { return string(e) }

// UnmarshalJSON implements json.Unmarshaler.
func (p *PurchasePlatform) UnmarshalJSON(b []byte) error { return wire.DecodeEnum(b, platformNames, p) }

// MarshalJSON implements json.Marshaler.
func (p PurchasePlatform) MarshalJSON() ([]byte, error) { return wire.EncodeEnum(p, platformNames) }

// Number returns the protobuf number of p.
func (p PurchasePlatform) Number() (int32, bool) { return wire.EnumNumber(p, platformNames) }

// Known reports whether p is a documented name.
func (p PurchasePlatform) Known() bool { return slices.Contains(platformNames, string(p)) }

// String returns p as held.
func (p PurchasePlatform) String() string { return string(p) }

// UnmarshalJSON implements json.Unmarshaler.
func (s *PurchaseSource) UnmarshalJSON(b []byte) error { return wire.DecodeEnum(b, sourceNames, s) }

// MarshalJSON implements json.Marshaler.
func (s PurchaseSource) MarshalJSON() ([]byte, error) { return wire.EncodeEnum(s, sourceNames) }

// Number returns the protobuf number of s.
func (s PurchaseSource) Number() (int32, bool) { return wire.EnumNumber(s, sourceNames) }

// Known reports whether s is a documented name.
func (s PurchaseSource) Known() bool { return slices.Contains(sourceNames, string(s)) }

// String returns s as held.
func (s PurchaseSource) String() string { return string(s) }

// UnmarshalJSON implements json.Unmarshaler.
func (m *PaymentMethodType) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, paymentMethodNames, m)
}

// MarshalJSON implements json.Marshaler.
func (m PaymentMethodType) MarshalJSON() ([]byte, error) {
	return wire.EncodeEnum(m, paymentMethodNames)
}

// Number returns the protobuf number of m.
func (m PaymentMethodType) Number() (int32, bool) { return wire.EnumNumber(m, paymentMethodNames) }

// Known reports whether m is a documented name.
func (m PaymentMethodType) Known() bool { return slices.Contains(paymentMethodNames, string(m)) }

// String returns m as held.
func (m PaymentMethodType) String() string { return string(m) }

// UnmarshalJSON implements json.Unmarshaler.
func (s *PurchaseRegistrationStatus) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, registrationNames, s)
}

// MarshalJSON implements json.Marshaler.
func (s PurchaseRegistrationStatus) MarshalJSON() ([]byte, error) {
	return wire.EncodeEnum(s, registrationNames)
}

// Number returns the protobuf number of s.
func (s PurchaseRegistrationStatus) Number() (int32, bool) {
	return wire.EnumNumber(s, registrationNames)
}

// Known reports whether s is a documented name.
func (s PurchaseRegistrationStatus) Known() bool {
	return slices.Contains(registrationNames, string(s))
}

// String returns s as held.
func (s PurchaseRegistrationStatus) String() string { return string(s) }

// UnmarshalJSON implements json.Unmarshaler.
func (s *PurchaseCancellationStatus) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, cancellationNames, s)
}

// MarshalJSON implements json.Marshaler.
func (s PurchaseCancellationStatus) MarshalJSON() ([]byte, error) {
	return wire.EncodeEnum(s, cancellationNames)
}

// Number returns the protobuf number of s.
func (s PurchaseCancellationStatus) Number() (int32, bool) {
	return wire.EnumNumber(s, cancellationNames)
}

// Known reports whether s is a documented name.
func (s PurchaseCancellationStatus) Known() bool {
	return slices.Contains(cancellationNames, string(s))
}

// String returns s as held.
func (s PurchaseCancellationStatus) String() string { return string(s) }

// UnmarshalJSON implements json.Unmarshaler.
func (t *LoyaltyRewardType) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, rewardTypeNames, t)
}

// MarshalJSON implements json.Marshaler.
func (t LoyaltyRewardType) MarshalJSON() ([]byte, error) { return wire.EncodeEnum(t, rewardTypeNames) }

// Number returns the protobuf number of t.
func (t LoyaltyRewardType) Number() (int32, bool) { return wire.EnumNumber(t, rewardTypeNames) }

// Known reports whether t is a documented name.
func (t LoyaltyRewardType) Known() bool { return slices.Contains(rewardTypeNames, string(t)) }

// String returns t as held.
func (t LoyaltyRewardType) String() string { return string(t) }
