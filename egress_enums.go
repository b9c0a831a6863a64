package stashpay

import (
	"encoding/json"
	"strconv"
)

// The enums of Stash's egress API are open: each is a string type holding the
// protobuf name ("PURCHASE_PLATFORM_IOS"). Decoding accepts the name or its
// integer number (Stash recommends integers); a known number is turned into
// its name, and a value this SDK does not know is kept as sent (a name as is,
// a number as its decimal digits, "7"), never an error. Encoding writes the
// name as a JSON string, a kept number as a JSON number, and the empty value
// as the enum's UNSPECIFIED name. Number returns the protobuf number.

// PaymentEnvironment is the Stash environment a purchase ran in.
//
// Like every egress enum it is open: it decodes from the name or the
// protobuf number, keeps a value this SDK does not know (a number as its
// digits, "7") instead of failing, and encodes as the name, which Stash
// accepts as well as the number.
type PaymentEnvironment string

// The documented payment environments.
const (
	PaymentEnvironmentUnspecified PaymentEnvironment = "PAYMENT_ENVIRONMENT_UNSPECIFIED"
	PaymentEnvironmentTest        PaymentEnvironment = "PAYMENT_ENVIRONMENT_TEST"
	PaymentEnvironmentProduction  PaymentEnvironment = "PAYMENT_ENVIRONMENT_PRODUCTION"
)

var egressEnvironmentNames = []string{
	string(PaymentEnvironmentUnspecified),
	string(PaymentEnvironmentTest),
	string(PaymentEnvironmentProduction),
}

// PurchasePlatform is the platform the player bought on.
//
// Like every egress enum it is open: it decodes from the name or the
// protobuf number, keeps a value this SDK does not know (a number as its
// digits, "7") instead of failing, and encodes as the name, which Stash
// accepts as well as the number.
type PurchasePlatform string

// The documented purchase platforms.
const (
	PurchasePlatformUnspecified PurchasePlatform = "PURCHASE_PLATFORM_UNSPECIFIED"
	PurchasePlatformIOS         PurchasePlatform = "PURCHASE_PLATFORM_IOS"
	PurchasePlatformAndroid     PurchasePlatform = "PURCHASE_PLATFORM_ANDROID"
	PurchasePlatformWebstore    PurchasePlatform = "PURCHASE_PLATFORM_WEBSTORE"
)

var egressPlatformNames = []string{
	string(PurchasePlatformUnspecified),
	string(PurchasePlatformIOS),
	string(PurchasePlatformAndroid),
	string(PurchasePlatformWebstore),
}

// PurchaseSource tells where a purchase was started, for analytics.
//
// Like every egress enum it is open: it decodes from the name or the
// protobuf number, keeps a value this SDK does not know (a number as its
// digits, "7") instead of failing, and encodes as the name, which Stash
// accepts as well as the number.
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

var egressSourceNames = []string{
	string(PurchaseSourceUnspecified),
	string(PurchaseSourceCart),
	string(PurchaseSourceDirect),
	string(PurchaseSourceBuyNow),
}

// PaymentMethodType is the payment method a purchase was paid with.
//
// Like every egress enum it is open: it decodes from the name or the
// protobuf number, keeps a value this SDK does not know (a number as its
// digits, "7") instead of failing, and encodes as the name, which Stash
// accepts as well as the number.
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

var egressPaymentMethodNames = []string{
	string(PaymentMethodTypeUnspecified),
	string(PaymentMethodTypeCard),
	string(PaymentMethodTypeApplePay),
	string(PaymentMethodTypeGooglePay),
	string(PaymentMethodTypePayPal),
	string(PaymentMethodTypeKlarna),
}

// PurchaseRegistrationStatus is the game's answer for one item of a
// register call. Only [PurchaseRegistrationStatusSuccessRegistered] lets the
// purchase go on; Stash describes UNSPECIFIED as the default "unknown
// registration error" status.
//
// Like every egress enum it is open: it decodes from the name or the
// protobuf number, keeps a value this SDK does not know (a number as its
// digits, "7") instead of failing, and encodes as the name, which Stash
// accepts as well as the number.
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

var egressRegistrationNames = []string{
	string(PurchaseRegistrationStatusUnspecified),
	string(PurchaseRegistrationStatusSuccessRegistered),
	string(PurchaseRegistrationStatusFailedInvalidOffer),
	string(PurchaseRegistrationStatusFailedInsufficientInventory),
	string(PurchaseRegistrationStatusFailedPurchaseLimitExceeded),
	string(PurchaseRegistrationStatusFailedInvalidPrice),
	string(PurchaseRegistrationStatusFailedPurchaseLocked),
}

// PurchaseCancellationStatus is the game's answer to a cancel call. Stash
// describes UNSPECIFIED as the default "unknown cancellation error" status.
//
// Like every egress enum it is open: it decodes from the name or the
// protobuf number, keeps a value this SDK does not know (a number as its
// digits, "7") instead of failing, and encodes as the name, which Stash
// accepts as well as the number.
type PurchaseCancellationStatus string

// The documented cancellation statuses.
const (
	PurchaseCancellationStatusUnspecified               PurchaseCancellationStatus = "PURCHASE_CANCELLATION_STATUS_UNSPECIFIED"
	PurchaseCancellationStatusSuccessCancelled          PurchaseCancellationStatus = "PURCHASE_CANCELLATION_STATUS_SUCCESS_CANCELLED"
	PurchaseCancellationStatusFailedTransactionNotFound PurchaseCancellationStatus = "PURCHASE_CANCELLATION_STATUS_FAILED_TRANSACTION_NOT_FOUND"
	PurchaseCancellationStatusFailedAlreadyCompleted    PurchaseCancellationStatus = "PURCHASE_CANCELLATION_STATUS_FAILED_ALREADY_COMPLETED"
	PurchaseCancellationStatusFailedAlreadyCancelled    PurchaseCancellationStatus = "PURCHASE_CANCELLATION_STATUS_FAILED_ALREADY_CANCELLED"
)

var egressCancellationNames = []string{
	string(PurchaseCancellationStatusUnspecified),
	string(PurchaseCancellationStatusSuccessCancelled),
	string(PurchaseCancellationStatusFailedTransactionNotFound),
	string(PurchaseCancellationStatusFailedAlreadyCompleted),
	string(PurchaseCancellationStatusFailedAlreadyCancelled),
}

// LoyaltyRewardType is the kind of a loyalty milestone reward.
//
// Like every egress enum it is open: it decodes from the name or the
// protobuf number, keeps a value this SDK does not know (a number as its
// digits, "7") instead of failing, and encodes as the name, which Stash
// accepts as well as the number.
type LoyaltyRewardType string

// The documented loyalty reward types.
const (
	LoyaltyRewardTypeUnspecified     LoyaltyRewardType = "LOYALTY_REWARD_TYPE_UNSPECIFIED"
	LoyaltyRewardTypeInGameCurrency  LoyaltyRewardType = "LOYALTY_REWARD_TYPE_IN_GAME_CURRENCY"
	LoyaltyRewardTypeLoyaltyCurrency LoyaltyRewardType = "LOYALTY_REWARD_TYPE_LOYALTY_CURRENCY"
	LoyaltyRewardTypeLoyaltyPoints   LoyaltyRewardType = "LOYALTY_REWARD_TYPE_LOYALTY_POINTS"
	LoyaltyRewardTypeSKUItem         LoyaltyRewardType = "LOYALTY_REWARD_TYPE_SKU_ITEM"
)

var egressRewardTypeNames = []string{
	string(LoyaltyRewardTypeUnspecified),
	string(LoyaltyRewardTypeInGameCurrency),
	string(LoyaltyRewardTypeLoyaltyCurrency),
	string(LoyaltyRewardTypeLoyaltyPoints),
	string(LoyaltyRewardTypeSKUItem),
}

// egressEnumDecode reads an enum given as a name string, a JSON integer or a
// string of decimal digits. null is "". Known numbers become their names;
// anything else is kept as sent (numbers as canonical decimal digits).
func egressEnumDecode(raw []byte, path, name string, names []string) (string, error) {
	text, quoted, plain := egressPlain(raw)
	if !plain { // a string with escapes: decode it, then read it as below
		s, _, err := egressText(raw, path, name)
		if err != nil {
			return "", err
		}
		text = []byte(s)
	}
	if !quoted && string(text) == "null" {
		return "", nil
	}
	if n, ok := egressEnumInt(text); ok {
		if n >= 0 && n < int64(len(names)) {
			return names[n], nil
		}
		return strconv.FormatInt(n, 10), nil
	}
	if !quoted {
		return "", egressMalformed(path, name, "not an enum name or integer")
	}
	for _, n := range names {
		if string(text) == n {
			return n, nil
		}
	}
	return string(text), nil
}

// egressEnumInt parses s as a protobuf enum number (an int32).
func egressEnumInt(s []byte) (int64, bool) {
	n, _, ok := egressParseInt(s)
	if !ok || n < -1<<31 || n > 1<<31-1 {
		return 0, false
	}
	return n, true
}

// egressEnumEncode writes an enum value: "" as names[0], a kept number as a
// JSON number, anything else as a JSON string.
func egressEnumEncode(s string, names []string) ([]byte, error) {
	if s == "" {
		s = names[0]
	}
	if n, ok := egressEnumInt([]byte(s)); ok {
		return strconv.AppendInt(nil, n, 10), nil
	}
	return json.Marshal(s)
}

// egressEnumNumber returns the protobuf number of s; "" is 0.
func egressEnumNumber(s string, names []string) (int32, bool) {
	if s == "" {
		return 0, true
	}
	for i, n := range names {
		if n == s {
			return int32(i), true
		}
	}
	if n, ok := egressEnumInt([]byte(s)); ok {
		return int32(n), true
	}
	return 0, false
}

// egressEnumKnown reports whether s is one of names.
func egressEnumKnown(s string, names []string) bool {
	for _, n := range names {
		if n == s {
			return true
		}
	}
	return false
}
