package stashpay

import (
	"slices"

	"github.com/stashpay/stashpay-go/internal/wire"
)

// The open enums of the webshop catalog (see [PaymentEnvironment] for how an
// open enum decodes and encodes).

// CatalogPlatform is an open enum, see [PaymentEnvironment].
type CatalogPlatform string

// The documented CatalogPlatform values.
const (
	CatalogPlatformUnspecified CatalogPlatform = "CATALOG_PLATFORM_UNSPECIFIED"
	CatalogPlatformIOS         CatalogPlatform = "CATALOG_PLATFORM_IOS"
	CatalogPlatformAndroid     CatalogPlatform = "CATALOG_PLATFORM_ANDROID"
	CatalogPlatformWebstore    CatalogPlatform = "CATALOG_PLATFORM_WEBSTORE"
)

var catalogPlatformNames = wire.EnumNames(CatalogPlatformUnspecified, CatalogPlatformIOS, CatalogPlatformAndroid, CatalogPlatformWebstore)

// PurchasableItemType is an open enum, see [PaymentEnvironment].
type PurchasableItemType string

// The documented PurchasableItemType values.
const (
	PurchasableItemTypeUnspecified   PurchasableItemType = "PURCHASABLE_ITEM_TYPE_UNSPECIFIED"
	PurchasableItemTypeStandardOffer PurchasableItemType = "PURCHASABLE_ITEM_TYPE_STANDARD_OFFER"
	PurchasableItemTypeBundleOffer   PurchasableItemType = "PURCHASABLE_ITEM_TYPE_BUNDLE_OFFER"
)

var purchasableItemTypeNames = wire.EnumNames(PurchasableItemTypeUnspecified, PurchasableItemTypeStandardOffer, PurchasableItemTypeBundleOffer)

// BadgeAction is an open enum, see [PaymentEnvironment].
type BadgeAction string

// The documented BadgeAction values.
const (
	BadgeActionUnspecified      BadgeAction = "BADGE_ACTION_UNSPECIFIED"
	BadgeActionShowOfferDetails BadgeAction = "BADGE_ACTION_SHOW_OFFER_DETAILS"
)

var badgeActionNames = wire.EnumNames(BadgeActionUnspecified, BadgeActionShowOfferDetails)

// CatalogBorderType is an open enum, see [PaymentEnvironment].
type CatalogBorderType string

// The documented CatalogBorderType values.
const (
	CatalogBorderTypeUnspecified CatalogBorderType = "CATALOG_BORDER_TYPE_UNSPECIFIED"
	CatalogBorderTypeGradient    CatalogBorderType = "CATALOG_BORDER_TYPE_GRADIENT"
)

var catalogBorderTypeNames = wire.EnumNames(CatalogBorderTypeUnspecified, CatalogBorderTypeGradient)

// ContentItemType is an open enum, see [PaymentEnvironment].
type ContentItemType string

// The documented ContentItemType values.
const (
	ContentItemTypeUnspecified   ContentItemType = "CONTENT_ITEM_TYPE_UNSPECIFIED"
	ContentItemTypeWebStoreBonus ContentItemType = "CONTENT_ITEM_TYPE_WEB_STORE_BONUS"
)

var contentItemTypeNames = wire.EnumNames(ContentItemTypeUnspecified, ContentItemTypeWebStoreBonus)

// RewardBuffType is an open enum, see [PaymentEnvironment].
type RewardBuffType string

// The documented RewardBuffType values.
const (
	RewardBuffTypeUnspecified RewardBuffType = "REWARD_BUFF_TYPE_UNSPECIFIED"
	RewardBuffTypeAdditive    RewardBuffType = "REWARD_BUFF_TYPE_ADDITIVE"
	RewardBuffTypeMultiplier  RewardBuffType = "REWARD_BUFF_TYPE_MULTIPLIER"
)

var rewardBuffTypeNames = wire.EnumNames(RewardBuffTypeUnspecified, RewardBuffTypeAdditive, RewardBuffTypeMultiplier)

// ContentItemClickAction is an open enum, see [PaymentEnvironment].
type ContentItemClickAction string

// The documented ContentItemClickAction values.
const (
	ContentItemClickActionUnspecified     ContentItemClickAction = "CONTENT_ITEM_CLICK_ACTION_UNSPECIFIED"
	ContentItemClickActionShowDetailsByID ContentItemClickAction = "CONTENT_ITEM_CLICK_ACTION_SHOW_DETAILS_BY_ID"
)

var contentItemClickActionNames = wire.EnumNames(ContentItemClickActionUnspecified, ContentItemClickActionShowDetailsByID)

// ChainLinkStatus is an open enum, see [PaymentEnvironment].
type ChainLinkStatus string

// The documented ChainLinkStatus values.
const (
	ChainLinkStatusUnspecified ChainLinkStatus = "CHAIN_LINK_STATUS_UNSPECIFIED"
	ChainLinkStatusClaimed     ChainLinkStatus = "CHAIN_LINK_STATUS_CLAIMED"
	ChainLinkStatusUnlocked    ChainLinkStatus = "CHAIN_LINK_STATUS_UNLOCKED"
	ChainLinkStatusLocked      ChainLinkStatus = "CHAIN_LINK_STATUS_LOCKED"
)

var chainLinkStatusNames = wire.EnumNames(ChainLinkStatusUnspecified, ChainLinkStatusClaimed, ChainLinkStatusUnlocked, ChainLinkStatusLocked)

// NonPurchasableItemType is an open enum, see [PaymentEnvironment].
type NonPurchasableItemType string

// The documented NonPurchasableItemType values.
const (
	NonPurchasableItemTypeUnspecified NonPurchasableItemType = "NON_PURCHASABLE_ITEM_TYPE_UNSPECIFIED"
	NonPurchasableItemTypeBanner      NonPurchasableItemType = "NON_PURCHASABLE_ITEM_TYPE_BANNER"
)

var nonPurchasableItemTypeNames = wire.EnumNames(NonPurchasableItemTypeUnspecified, NonPurchasableItemTypeBanner)

// FreeItemStatus is an open enum, see [PaymentEnvironment].
type FreeItemStatus string

// The documented FreeItemStatus values.
const (
	FreeItemStatusUnspecified FreeItemStatus = "FREE_ITEM_STATUS_UNSPECIFIED"
	FreeItemStatusAvailable   FreeItemStatus = "FREE_ITEM_STATUS_AVAILABLE"
	FreeItemStatusClaimed     FreeItemStatus = "FREE_ITEM_STATUS_CLAIMED"
	FreeItemStatusLocked      FreeItemStatus = "FREE_ITEM_STATUS_LOCKED"
)

var freeItemStatusNames = wire.EnumNames(FreeItemStatusUnspecified, FreeItemStatusAvailable, FreeItemStatusClaimed, FreeItemStatusLocked)

// FreeBonusItemType is an open enum, see [PaymentEnvironment].
type FreeBonusItemType string

// The documented FreeBonusItemType values.
const (
	FreeBonusItemTypeUnspecified   FreeBonusItemType = "FREE_BONUS_ITEM_TYPE_UNSPECIFIED"
	FreeBonusItemTypeLoyaltyPoints FreeBonusItemType = "FREE_BONUS_ITEM_TYPE_LOYALTY_POINTS"
)

var freeBonusItemTypeNames = wire.EnumNames(FreeBonusItemTypeUnspecified, FreeBonusItemTypeLoyaltyPoints)

// CatalogSectionDisplayType is an open enum, see [PaymentEnvironment].
type CatalogSectionDisplayType string

// The documented CatalogSectionDisplayType values.
const (
	CatalogSectionDisplayTypeUnspecified CatalogSectionDisplayType = "CATALOG_SECTION_DISPLAY_TYPE_UNSPECIFIED"
	CatalogSectionDisplayTypeCarousel    CatalogSectionDisplayType = "CATALOG_SECTION_DISPLAY_TYPE_CAROUSEL"
	CatalogSectionDisplayTypePopup       CatalogSectionDisplayType = "CATALOG_SECTION_DISPLAY_TYPE_POPUP"
)

var catalogSectionDisplayTypeNames = wire.EnumNames(CatalogSectionDisplayTypeUnspecified, CatalogSectionDisplayTypeCarousel, CatalogSectionDisplayTypePopup)

// CatalogGroupDisplayType is an open enum, see [PaymentEnvironment].
type CatalogGroupDisplayType string

// The documented CatalogGroupDisplayType values.
const (
	CatalogGroupDisplayTypeUnspecified   CatalogGroupDisplayType = "CATALOG_GROUP_DISPLAY_TYPE_UNSPECIFIED"
	CatalogGroupDisplayTypeSlidingWindow CatalogGroupDisplayType = "CATALOG_GROUP_DISPLAY_TYPE_SLIDING_WINDOW"
	CatalogGroupDisplayTypeCarousel      CatalogGroupDisplayType = "CATALOG_GROUP_DISPLAY_TYPE_CAROUSEL"
)

var catalogGroupDisplayTypeNames = wire.EnumNames(CatalogGroupDisplayTypeUnspecified, CatalogGroupDisplayTypeSlidingWindow, CatalogGroupDisplayTypeCarousel)

// CatalogOfferDisplaySize is an open enum, see [PaymentEnvironment].
type CatalogOfferDisplaySize string

// The documented CatalogOfferDisplaySize values.
const (
	CatalogOfferDisplaySizeUnspecified CatalogOfferDisplaySize = "CATALOG_OFFER_DISPLAY_SIZE_UNSPECIFIED"
	CatalogOfferDisplaySizeSmall       CatalogOfferDisplaySize = "CATALOG_OFFER_DISPLAY_SIZE_SMALL"
	CatalogOfferDisplaySizeMedium      CatalogOfferDisplaySize = "CATALOG_OFFER_DISPLAY_SIZE_MEDIUM"
	CatalogOfferDisplaySizeLarge       CatalogOfferDisplaySize = "CATALOG_OFFER_DISPLAY_SIZE_LARGE"
)

var catalogOfferDisplaySizeNames = wire.EnumNames(CatalogOfferDisplaySizeUnspecified, CatalogOfferDisplaySizeSmall, CatalogOfferDisplaySizeMedium, CatalogOfferDisplaySizeLarge)

// CatalogTriggerDisplayType is an open enum, see [PaymentEnvironment].
type CatalogTriggerDisplayType string

// The documented CatalogTriggerDisplayType values.
const (
	CatalogTriggerDisplayTypeUnspecified CatalogTriggerDisplayType = "CATALOG_TRIGGER_DISPLAY_TYPE_UNSPECIFIED"
	CatalogTriggerDisplayTypeFloating    CatalogTriggerDisplayType = "CATALOG_TRIGGER_DISPLAY_TYPE_FLOATING"
)

var catalogTriggerDisplayTypeNames = wire.EnumNames(CatalogTriggerDisplayTypeUnspecified, CatalogTriggerDisplayTypeFloating)

// CellAlignment is an open enum, see [PaymentEnvironment].
type CellAlignment string

// The documented CellAlignment values.
const (
	CellAlignmentUnspecified CellAlignment = "CELL_ALIGNMENT_UNSPECIFIED"
	CellAlignmentStart       CellAlignment = "CELL_ALIGNMENT_START"
	CellAlignmentCenter      CellAlignment = "CELL_ALIGNMENT_CENTER"
	CellAlignmentEnd         CellAlignment = "CELL_ALIGNMENT_END"
)

var cellAlignmentNames = wire.EnumNames(CellAlignmentUnspecified, CellAlignmentStart, CellAlignmentCenter, CellAlignmentEnd)

// UnmarshalJSON implements json.Unmarshaler.
func (e *CatalogPlatform) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, catalogPlatformNames, e)
}

// MarshalJSON implements json.Marshaler.
func (e CatalogPlatform) MarshalJSON() ([]byte, error) {
	return wire.EncodeEnum(e, catalogPlatformNames)
}

// Number returns the protobuf number of e.
func (e CatalogPlatform) Number() (int32, bool) { return wire.EnumNumber(e, catalogPlatformNames) }

// Known reports whether e is a documented name.
func (e CatalogPlatform) Known() bool { return slices.Contains(catalogPlatformNames, string(e)) }

// String returns e as held.
func (e CatalogPlatform) String() string { return string(e) }

// UnmarshalJSON implements json.Unmarshaler.
func (e *PurchasableItemType) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, purchasableItemTypeNames, e)
}

// MarshalJSON implements json.Marshaler.
func (e PurchasableItemType) MarshalJSON() ([]byte, error) {
	return wire.EncodeEnum(e, purchasableItemTypeNames)
}

// Number returns the protobuf number of e.
func (e PurchasableItemType) Number() (int32, bool) {
	return wire.EnumNumber(e, purchasableItemTypeNames)
}

// Known reports whether e is a documented name.
func (e PurchasableItemType) Known() bool {
	return slices.Contains(purchasableItemTypeNames, string(e))
}

// String returns e as held.
func (e PurchasableItemType) String() string { return string(e) }

// UnmarshalJSON implements json.Unmarshaler.
func (e *BadgeAction) UnmarshalJSON(b []byte) error { return wire.DecodeEnum(b, badgeActionNames, e) }

// MarshalJSON implements json.Marshaler.
func (e BadgeAction) MarshalJSON() ([]byte, error) { return wire.EncodeEnum(e, badgeActionNames) }

// Number returns the protobuf number of e.
func (e BadgeAction) Number() (int32, bool) { return wire.EnumNumber(e, badgeActionNames) }

// Known reports whether e is a documented name.
func (e BadgeAction) Known() bool { return slices.Contains(badgeActionNames, string(e)) }

// String returns e as held.
func (e BadgeAction) String() string { return string(e) }

// UnmarshalJSON implements json.Unmarshaler.
func (e *CatalogBorderType) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, catalogBorderTypeNames, e)
}

// MarshalJSON implements json.Marshaler.
func (e CatalogBorderType) MarshalJSON() ([]byte, error) {
	return wire.EncodeEnum(e, catalogBorderTypeNames)
}

// Number returns the protobuf number of e.
func (e CatalogBorderType) Number() (int32, bool) { return wire.EnumNumber(e, catalogBorderTypeNames) }

// Known reports whether e is a documented name.
func (e CatalogBorderType) Known() bool { return slices.Contains(catalogBorderTypeNames, string(e)) }

// String returns e as held.
func (e CatalogBorderType) String() string { return string(e) }

// UnmarshalJSON implements json.Unmarshaler.
func (e *ContentItemType) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, contentItemTypeNames, e)
}

// MarshalJSON implements json.Marshaler.
func (e ContentItemType) MarshalJSON() ([]byte, error) {
	return wire.EncodeEnum(e, contentItemTypeNames)
}

// Number returns the protobuf number of e.
func (e ContentItemType) Number() (int32, bool) { return wire.EnumNumber(e, contentItemTypeNames) }

// Known reports whether e is a documented name.
func (e ContentItemType) Known() bool { return slices.Contains(contentItemTypeNames, string(e)) }

// String returns e as held.
func (e ContentItemType) String() string { return string(e) }

// UnmarshalJSON implements json.Unmarshaler.
func (e *RewardBuffType) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, rewardBuffTypeNames, e)
}

// MarshalJSON implements json.Marshaler.
func (e RewardBuffType) MarshalJSON() ([]byte, error) { return wire.EncodeEnum(e, rewardBuffTypeNames) }

// Number returns the protobuf number of e.
func (e RewardBuffType) Number() (int32, bool) { return wire.EnumNumber(e, rewardBuffTypeNames) }

// Known reports whether e is a documented name.
func (e RewardBuffType) Known() bool { return slices.Contains(rewardBuffTypeNames, string(e)) }

// String returns e as held.
func (e RewardBuffType) String() string { return string(e) }

// UnmarshalJSON implements json.Unmarshaler.
func (e *ContentItemClickAction) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, contentItemClickActionNames, e)
}

// MarshalJSON implements json.Marshaler.
func (e ContentItemClickAction) MarshalJSON() ([]byte, error) {
	return wire.EncodeEnum(e, contentItemClickActionNames)
}

// Number returns the protobuf number of e.
func (e ContentItemClickAction) Number() (int32, bool) {
	return wire.EnumNumber(e, contentItemClickActionNames)
}

// Known reports whether e is a documented name.
func (e ContentItemClickAction) Known() bool {
	return slices.Contains(contentItemClickActionNames, string(e))
}

// String returns e as held.
func (e ContentItemClickAction) String() string { return string(e) }

// UnmarshalJSON implements json.Unmarshaler.
func (e *ChainLinkStatus) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, chainLinkStatusNames, e)
}

// MarshalJSON implements json.Marshaler.
func (e ChainLinkStatus) MarshalJSON() ([]byte, error) {
	return wire.EncodeEnum(e, chainLinkStatusNames)
}

// Number returns the protobuf number of e.
func (e ChainLinkStatus) Number() (int32, bool) { return wire.EnumNumber(e, chainLinkStatusNames) }

// Known reports whether e is a documented name.
func (e ChainLinkStatus) Known() bool { return slices.Contains(chainLinkStatusNames, string(e)) }

// String returns e as held.
func (e ChainLinkStatus) String() string { return string(e) }

// UnmarshalJSON implements json.Unmarshaler.
func (e *NonPurchasableItemType) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, nonPurchasableItemTypeNames, e)
}

// MarshalJSON implements json.Marshaler.
func (e NonPurchasableItemType) MarshalJSON() ([]byte, error) {
	return wire.EncodeEnum(e, nonPurchasableItemTypeNames)
}

// Number returns the protobuf number of e.
func (e NonPurchasableItemType) Number() (int32, bool) {
	return wire.EnumNumber(e, nonPurchasableItemTypeNames)
}

// Known reports whether e is a documented name.
func (e NonPurchasableItemType) Known() bool {
	return slices.Contains(nonPurchasableItemTypeNames, string(e))
}

// String returns e as held.
func (e NonPurchasableItemType) String() string { return string(e) }

// UnmarshalJSON implements json.Unmarshaler.
func (e *FreeItemStatus) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, freeItemStatusNames, e)
}

// MarshalJSON implements json.Marshaler.
func (e FreeItemStatus) MarshalJSON() ([]byte, error) { return wire.EncodeEnum(e, freeItemStatusNames) }

// Number returns the protobuf number of e.
func (e FreeItemStatus) Number() (int32, bool) { return wire.EnumNumber(e, freeItemStatusNames) }

// Known reports whether e is a documented name.
func (e FreeItemStatus) Known() bool { return slices.Contains(freeItemStatusNames, string(e)) }

// String returns e as held.
func (e FreeItemStatus) String() string { return string(e) }

// UnmarshalJSON implements json.Unmarshaler.
func (e *FreeBonusItemType) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, freeBonusItemTypeNames, e)
}

// MarshalJSON implements json.Marshaler.
func (e FreeBonusItemType) MarshalJSON() ([]byte, error) {
	return wire.EncodeEnum(e, freeBonusItemTypeNames)
}

// Number returns the protobuf number of e.
func (e FreeBonusItemType) Number() (int32, bool) { return wire.EnumNumber(e, freeBonusItemTypeNames) }

// Known reports whether e is a documented name.
func (e FreeBonusItemType) Known() bool { return slices.Contains(freeBonusItemTypeNames, string(e)) }

// String returns e as held.
func (e FreeBonusItemType) String() string { return string(e) }

// UnmarshalJSON implements json.Unmarshaler.
func (e *CatalogSectionDisplayType) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, catalogSectionDisplayTypeNames, e)
}

// MarshalJSON implements json.Marshaler.
func (e CatalogSectionDisplayType) MarshalJSON() ([]byte, error) {
	return wire.EncodeEnum(e, catalogSectionDisplayTypeNames)
}

// Number returns the protobuf number of e.
func (e CatalogSectionDisplayType) Number() (int32, bool) {
	return wire.EnumNumber(e, catalogSectionDisplayTypeNames)
}

// Known reports whether e is a documented name.
func (e CatalogSectionDisplayType) Known() bool {
	return slices.Contains(catalogSectionDisplayTypeNames, string(e))
}

// String returns e as held.
func (e CatalogSectionDisplayType) String() string { return string(e) }

// UnmarshalJSON implements json.Unmarshaler.
func (e *CatalogGroupDisplayType) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, catalogGroupDisplayTypeNames, e)
}

// MarshalJSON implements json.Marshaler.
func (e CatalogGroupDisplayType) MarshalJSON() ([]byte, error) {
	return wire.EncodeEnum(e, catalogGroupDisplayTypeNames)
}

// Number returns the protobuf number of e.
func (e CatalogGroupDisplayType) Number() (int32, bool) {
	return wire.EnumNumber(e, catalogGroupDisplayTypeNames)
}

// Known reports whether e is a documented name.
func (e CatalogGroupDisplayType) Known() bool {
	return slices.Contains(catalogGroupDisplayTypeNames, string(e))
}

// String returns e as held.
func (e CatalogGroupDisplayType) String() string { return string(e) }

// UnmarshalJSON implements json.Unmarshaler.
func (e *CatalogOfferDisplaySize) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, catalogOfferDisplaySizeNames, e)
}

// MarshalJSON implements json.Marshaler.
func (e CatalogOfferDisplaySize) MarshalJSON() ([]byte, error) {
	return wire.EncodeEnum(e, catalogOfferDisplaySizeNames)
}

// Number returns the protobuf number of e.
func (e CatalogOfferDisplaySize) Number() (int32, bool) {
	return wire.EnumNumber(e, catalogOfferDisplaySizeNames)
}

// Known reports whether e is a documented name.
func (e CatalogOfferDisplaySize) Known() bool {
	return slices.Contains(catalogOfferDisplaySizeNames, string(e))
}

// String returns e as held.
func (e CatalogOfferDisplaySize) String() string { return string(e) }

// UnmarshalJSON implements json.Unmarshaler.
func (e *CatalogTriggerDisplayType) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, catalogTriggerDisplayTypeNames, e)
}

// MarshalJSON implements json.Marshaler.
func (e CatalogTriggerDisplayType) MarshalJSON() ([]byte, error) {
	return wire.EncodeEnum(e, catalogTriggerDisplayTypeNames)
}

// Number returns the protobuf number of e.
func (e CatalogTriggerDisplayType) Number() (int32, bool) {
	return wire.EnumNumber(e, catalogTriggerDisplayTypeNames)
}

// Known reports whether e is a documented name.
func (e CatalogTriggerDisplayType) Known() bool {
	return slices.Contains(catalogTriggerDisplayTypeNames, string(e))
}

// String returns e as held.
func (e CatalogTriggerDisplayType) String() string { return string(e) }

// UnmarshalJSON implements json.Unmarshaler.
func (e *CellAlignment) UnmarshalJSON(b []byte) error {
	return wire.DecodeEnum(b, cellAlignmentNames, e)
}

// MarshalJSON implements json.Marshaler.
func (e CellAlignment) MarshalJSON() ([]byte, error) { return wire.EncodeEnum(e, cellAlignmentNames) }

// Number returns the protobuf number of e.
func (e CellAlignment) Number() (int32, bool) { return wire.EnumNumber(e, cellAlignmentNames) }

// Known reports whether e is a documented name.
func (e CellAlignment) Known() bool { return slices.Contains(cellAlignmentNames, string(e)) }

// String returns e as held.
func (e CellAlignment) String() string { return string(e) }
