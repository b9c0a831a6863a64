package stashpay

import "time"

// The types of the answers to the webshop's egress calls (GET /api/v1/catalog,
// /api/v1/catalog/offer and /api/v1/player), field for field as Stash's
// swagger.v1.json lists them, with its descriptions. The game builds them and
// the handlers encode them with encoding/json: lowerCamelCase names, enums as
// names, int64 values as JSON numbers, times in RFC 3339; an empty or zero
// optional member is left out.

// CatalogResponse is the answer to GET /api/v1/catalog: the webshop catalog for the player and filters
// of a [CatalogRequest].
type CatalogResponse struct {
	// The product catalog organized in sections. Required: it is always
	// sent, as {"catalog":{}} when empty.
	Catalog Catalog `json:"catalog"`
}

// Catalog is the product catalog, organized in sections.
type Catalog struct {
	// List of catalog sections to be displayed in the order they are provided.
	Sections []CatalogSection `json:"sections,omitempty"`
	// Optional UI triggers (e.g. floating buttons) that open catalog sections by guid.
	Triggers []CatalogTrigger `json:"triggers,omitempty"`
}

// CatalogSection is one row (or popup) of the catalog.
type CatalogSection struct {
	// Optional section identifier (UUID); referenced by catalog triggers to open this section (e.g.
	// popup).
	GUID string `json:"guid,omitempty"`
	// Row header text.
	Header LocalizableText `json:"header,omitzero"`
	// Catalog items for this section in display order. Used when groups is empty, and may also be
	// populated alongside groups.
	Items []CatalogEntry `json:"items,omitempty"`
	// How the section should be displayed on the screen.
	DisplayType CatalogSectionDisplayType `json:"displayType,omitzero"`
	// Optional offer groups within this section; array order is display order.
	Groups []SectionGroup `json:"groups,omitempty"`
	// Optional background styling for this section.
	Background Background `json:"background,omitzero"`
	// Optional timestamp for display-only section UI such as a countdown (e.g., 'Offers expire in 7d
	// 19h'). Does not change purchase rules; only each offer's own expiration is enforced at purchase
	// time.
	DisplayExpiration time.Time `json:"displayExpiration,omitzero"`
}

// LocalizableText is a text of the webshop: a default text, and a localization key or a server-
// resolved localized text (set at most one of LocalizationKey and LocalizedText: a protobuf oneof).
type LocalizableText struct {
	// Default text content, usually in English (fallback if no localized text is provided or if
	// region/language is not supported or cannot be determined).
	DefaultText string `json:"defaultText,omitempty"`
	// The unique key used to identify the localized text content for a specific language.
	LocalizationKey string `json:"localizationKey,omitempty"`
	// Localized text content for the language specified by the code sent in the request filters.
	LocalizedText string `json:"localizedText,omitempty"`
}

// CatalogEntry is one entry of a catalog section or group: set exactly one of Product, Chain, Info and
// Free (a protobuf oneof).
type CatalogEntry struct {
	// Represents a purchasable product.
	Product *PurchasableItem `json:"product,omitempty"`
	// Represents a chain of both purchasable and free-to-claim item links, where each link may represent
	// a bundle of in-game items.
	Chain *OfferChain `json:"chain,omitempty"`
	// Represents a non-purchasable item (banner, etc.).
	Info *NonPurchasableItem `json:"info,omitempty"`
	// Free-to-claim catalog item.
	Free *FreeItem `json:"free,omitempty"`
}

// PurchasableItem is a purchasable product of the catalog.
type PurchasableItem struct {
	// Optional unique identifier (UUID v4 if provided, otherwise generated).
	GUID string `json:"guid,omitempty"`
	// Required unique SKU/product identifier. Required.
	ProductID string `json:"productId"`
	// Type of purchasable item.
	Type PurchasableItemType `json:"type,omitzero"`
	// Display name of the item.
	Name LocalizableText `json:"name,omitzero"`
	// Description of the item.
	Description LocalizableText `json:"description,omitzero"`
	// URL to item image.
	Image string `json:"image,omitempty"`
	// Maximum number of times this item can be purchased.
	MaxPurchasable int64 `json:"maxPurchasable,omitempty"`
	// Optional description of the maximum number of times this item can be purchased.
	MaxPurchasableDescription LocalizableText `json:"maxPurchasableDescription,omitzero"`
	// Price of the item. Required.
	Price CatalogPrice `json:"price,omitzero"`
	// Optional expiration time when this product is no longer available for purchase, for display
	// purposes.
	Expiration time.Time `json:"expiration,omitzero"`
	// Optional key-value pairs to be included in webhook events related to this item. Not to be displayed
	// or used for business logic. Use attributes for customizing the display.
	Metadata map[string]string `json:"metadata,omitempty"`
	// Optional visual and behavioral attributes.
	Attributes PurchasableAttributes `json:"attributes,omitzero"`
	// Contents of the item if it's a bundle.
	Contents []PurchasableContentItem `json:"contents,omitempty"`
}

// CatalogPrice is the price of an offer: set one of Amount and PriceID (a protobuf oneof).
type CatalogPrice struct {
	// Price amount for the offer.
	Amount *PriceAmount `json:"amount,omitempty"`
	// Price ID identifier.
	PriceID *string `json:"priceId,omitempty"`
}

// PriceAmount is a price in integer minor units of a currency.
type PriceAmount struct {
	// ISO 4217 currency code (e.g., 'USD', 'EUR'). Required.
	Currency string `json:"currency"`
	// Amount in CLDR minor units for this ISO 4217 currency (integer smallest subdivision per CLDR for
	// this code). Display scaling comes from public CLDR data for the currency, not from a separate
	// field. Required.
	Cents int64 `json:"cents,omitempty"`
}

// PurchasableAttributes are the visual and behavioral attributes of a [PurchasableItem].
type PurchasableAttributes struct {
	// Optional banner for the item.
	Banner Banner `json:"banner,omitzero"`
	// Optional badge for the item.
	Badge Badge `json:"badge,omitzero"`
	// Optional background styling for the item.
	Background Background `json:"background,omitzero"`
	// Optional tooltip for the item.
	Tooltip Tooltip `json:"tooltip,omitzero"`
	// Optional buy button for the item.
	BuyButton Button `json:"buyButton,omitzero"`
	// Optional border decoration type for this offer card.
	BorderType CatalogBorderType `json:"borderType,omitzero"`
}

// Banner is an emphasized title of a catalog item.
type Banner struct {
	// Banner text content for emphasized title or heading.
	Text LocalizableText `json:"text,omitzero"`
}

// Badge is a status or label badge of a catalog item.
type Badge struct {
	// Badge text for status or label (e.g., 'New', 'Bonus', 'Free').
	Text LocalizableText `json:"text,omitzero"`
	// Optional action associated with the badge.
	Action BadgeAction `json:"action,omitzero"`
	// Optional strikethrough text for the badge, e.g. '24%' will be displayed as '~24%~'.
	StrikethroughText LocalizableText `json:"strikethroughText,omitzero"`
}

// Background is the background styling of a catalog or offer element.
type Background struct {
	// URL to background image.
	ImageURL string `json:"imageUrl,omitempty"`
	// CSS-style background styling information.
	BackgroundStyle string `json:"backgroundStyle,omitempty"`
}

// Tooltip is a popup with additional information.
type Tooltip struct {
	// Tooltip text providing additional information.
	Text LocalizableText `json:"text,omitzero"`
}

// Button is an action button of the catalog.
type Button struct {
	// Button text for action (e.g., 'Buy Now', 'View Details').
	Text LocalizableText `json:"text,omitzero"`
	// Optional URL to button icon image.
	IconImageURL string `json:"iconImageUrl,omitempty"`
	// Optional CSS-style background styling information for button.
	BackgroundStyle string `json:"backgroundStyle,omitempty"`
	// Optional popup tooltip for additional information.
	Tooltip Tooltip `json:"tooltip,omitzero"`
}

// PurchasableContentItem is an item of a [PurchasableItem] bundle.
type PurchasableContentItem struct {
	// Optional unique identifier (UUID v4 if provided, otherwise generated). Note that product_id is not
	// used b/c only the bundle is purchasable.
	GUID string `json:"guid,omitempty"`
	// Optional type of content item.
	Type ContentItemType `json:"type,omitzero"`
	// Item name.
	Name LocalizableText `json:"name,omitzero"`
	// Optional item description.
	Description LocalizableText `json:"description,omitzero"`
	// URL to item image (used to display multiple of this item, or always used if unit_image is not
	// provided).
	Image string `json:"image,omitempty"`
	// In-game item quantity as string for big integer support (no decimals allowed). Required.
	Quantity string `json:"quantity"`
	// Optional bonus quantity for the item.
	BonusQuantity int64 `json:"bonusQuantity,omitempty"`
	// Optional URL to unit image (used to display a single item).
	UnitImage string `json:"unitImage,omitempty"`
	// Optional info button for additional item details.
	InfoButton Button `json:"infoButton,omitzero"`
	// Optional callout highlighting special features.
	Callout Callout `json:"callout,omitzero"`
	// Optional primary background styling for item.
	PrimaryBackground Background `json:"primaryBackground,omitzero"`
	// Optional secondary background styling for item, layered on top of the primary background.
	SecondaryBackground Background `json:"secondaryBackground,omitzero"`
	// Optional special indicator for e.g. an in-game capability unlocked by this item.
	SpecialIndicator SpecialIndicatorTag `json:"specialIndicator,omitzero"`
	// Optional reward buff applied to this item.
	RewardBuff RewardBuff `json:"rewardBuff,omitzero"`
	// Whether this item should be displayed prominently above the other items within the offer bundle.
	Featured bool `json:"featured,omitempty"`
	// Optional action associated with clicking this content item. When set to
	// CONTENT_ITEM_CLICK_ACTION_SHOW_DETAILS_BY_ID, the guid field must be set in order to view details
	// for the relevant item in the OfferDetails response.
	ClickAction ContentItemClickAction `json:"clickAction,omitzero"`
	// Optional badge to display text next to the quantity.
	Badge SimpleBadge `json:"badge,omitzero"`
}

// Callout highlights a special feature of a content item.
type Callout struct {
	// Callout text (e.g., 'Guaranteed Featured Asset').
	Text LocalizableText `json:"text,omitzero"`
	// Optional URL to callout icon image.
	IconImageURL string `json:"iconImageUrl,omitempty"`
}

// SpecialIndicatorTag marks, for instance, an in-game capability unlocked by an item.
type SpecialIndicatorTag struct {
	// URL to special capability tag icon image.
	IconImageURL string `json:"iconImageUrl,omitempty"`
	// Optional popup tooltip for additional information.
	Tooltip Tooltip `json:"tooltip,omitzero"`
}

// RewardBuff is a reward buff applied to a content item. Percentage is a display value, not an amount
// of money.
type RewardBuff struct {
	// Buff percentage (e.g. 3.5 for +3.5% additive, 300 for 3X multiplier).
	Percentage float64 `json:"percentage,omitempty"`
	// Buff type (additive or multiplier).
	Type RewardBuffType `json:"type,omitzero"`
	// URL to buff icon image.
	IconImageURL string `json:"iconImageUrl,omitempty"`
	// Optional CSS-style background styling information for buff.
	BackgroundStyle string `json:"backgroundStyle,omitempty"`
	// Optional pre-formatted display string for the buff percentage (e.g. '+3.5%', '3X'). If set, takes
	// priority over the numeric percentage field for display purposes.
	DisplayPercentage string `json:"displayPercentage,omitempty"`
}

// SimpleBadge is a badge shown next to a content item's quantity.
type SimpleBadge struct {
	// Secondary badge text for status or label (e.g., 'New', 'Bonus', 'Free').
	Text LocalizableText `json:"text,omitzero"`
}

// OfferChain is a chain of purchasable and free-to-claim links, each possibly a bundle of in-game
// items.
type OfferChain struct {
	// The chain's unique identifier (UUID v4 if provided, otherwise generated). Note that product_id is
	// not used for the chain itself (the chain is not purchasable), but rather for the individual links
	// in the chain.
	GUID string `json:"guid,omitempty"`
	// Chain name.
	Name LocalizableText `json:"name,omitzero"`
	// Optional chain description.
	Description LocalizableText `json:"description,omitzero"`
	// Optional expiration time for the chain.
	Expiration time.Time `json:"expiration,omitzero"`
	// Whether this chain can be repeated after completion.
	Repeatable bool `json:"repeatable,omitempty"`
	// Sequential links in the offer chain.
	Links []OfferChainLink `json:"links,omitempty"`
	// Optional visual banner for the chain.
	Banner ChainBanner `json:"banner,omitzero"`
}

// OfferChainLink is one link of an [OfferChain].
type OfferChainLink struct {
	// Optional unique identifier (UUID v4 if provided, otherwise generated).
	GUID string `json:"guid,omitempty"`
	// Required unique SKU/product identifier. Required.
	ProductID string `json:"productId"`
	// Price for this link (if not provided, the price is free).
	Price CatalogPrice `json:"price,omitzero"`
	// Maximum number of times this link can be purchased.
	MaxPurchasable int64 `json:"maxPurchasable,omitempty"`
	// In-game items obtained from this chain link as a bundle.
	Items []ObtainableItem `json:"items,omitempty"`
	// Current status of this chain link.
	Status ChainLinkStatus `json:"status,omitzero"`
	// Optional image representing the bundle of items obtained from this chain link. If not provided, an
	// individual item image will be displayed to represent the bundle in the user's cart.
	BundleImage string `json:"bundleImage,omitempty"`
}

// ObtainableItem is an in-game item obtained from an [OfferChainLink].
type ObtainableItem struct {
	// Optional unique identifier (UUID v4 if provided, otherwise generated). Note that product_id is not
	// used b/c the obtainable items are only for display purposes, and only the link is purchasable.
	GUID string `json:"guid,omitempty"`
	// Item name.
	Name LocalizableText `json:"name,omitzero"`
	// Optional item description.
	Description LocalizableText `json:"description,omitzero"`
	// URL to item image (used to display multiple of this item, or always used if unit_image is not
	// provided).
	Image string `json:"image,omitempty"`
	// In-game item quantity as string for big integer support (no decimals allowed). Required.
	Quantity string `json:"quantity"`
	// Optional URL to unit image (used to display a single item).
	UnitImage string `json:"unitImage,omitempty"`
}

// ChainBanner is the visual banner of an [OfferChain].
type ChainBanner struct {
	// Background styling.
	Background Background `json:"background,omitzero"`
	// Button to reveal chain rewards.
	RevealButton Button `json:"revealButton,omitzero"`
	// Optional left decal.
	LeftDecal Decal `json:"leftDecal,omitzero"`
	// Optional right decal.
	RightDecal Decal `json:"rightDecal,omitzero"`
}

// Decal is an image shown beside a main element.
type Decal struct {
	// URL to decal image displayed beside the main element.
	ImageURL string `json:"imageUrl,omitempty"`
}

// NonPurchasableItem is a catalog entry that cannot be bought (a banner).
type NonPurchasableItem struct {
	// Optional unique identifier (UUID v4 if provided, otherwise generated).
	GUID string `json:"guid,omitempty"`
	// Required unique SKU/product identifier for the non-purchasable item. Required.
	ItemID string `json:"itemId"`
	// Type of non-purchasable item. Required.
	Type NonPurchasableItemType `json:"type,omitzero"`
	// Item title.
	Title LocalizableText `json:"title,omitzero"`
	// Item body content.
	Body LocalizableText `json:"body,omitzero"`
	// Optional visual attributes.
	Attributes NonPurchasableAttributes `json:"attributes,omitzero"`
	// Content items within a non-purchasable item bundle.
	Contents []NonPurchasableContentItem `json:"contents,omitempty"`
}

// NonPurchasableAttributes are the visual attributes of a [NonPurchasableItem].
type NonPurchasableAttributes struct {
	// Optional background styling.
	Background Background `json:"background,omitzero"`
}

// NonPurchasableContentItem is a content item of a [NonPurchasableItem] bundle.
type NonPurchasableContentItem struct {
	// Optional unique identifier (UUID v4 if provided, otherwise generated). Note that item_id is not
	// used b/c the in-game items are only for display purposes.
	GUID string `json:"guid,omitempty"`
	// Item name.
	Name LocalizableText `json:"name,omitzero"`
	// Optional item description.
	Description LocalizableText `json:"description,omitzero"`
	// URL to item image (used to display multiple of this item, or always used if unit_image is not
	// provided).
	Image string `json:"image,omitempty"`
	// In-game item quantity as string for big integer support (no decimals allowed). Required.
	Quantity string `json:"quantity"`
	// Optional URL to unit image (used to display a single item).
	UnitImage string `json:"unitImage,omitempty"`
}

// FreeItem is a free-to-claim catalog item.
type FreeItem struct {
	// Optional unique identifier (UUID v4 if provided).
	GUID string `json:"guid,omitempty"`
	// Required unique identifier for the free item. Required.
	ItemID string `json:"itemId"`
	// Display name of the item.
	Name LocalizableText `json:"name,omitzero"`
	// Current claim status. When multiple FreeItem entries appear in a section, items must be ordered
	// CLAIMED → AVAILABLE → LOCKED; day number is inferred from 0-indexed array position. Responses that
	// violate this ordering are considered invalid and the streak UI will be omitted.
	Status FreeItemStatus `json:"status,omitzero"`
	// Claims allowed in the current reset period. 0 = no claims remaining (already claimed); 1 = eligible
	// to claim now. Absent when no explicit claim limit applies.
	MaxClaimable int64 `json:"maxClaimable,omitempty"`
	// Optional timestamp when this item becomes claimable again.
	RefreshAt time.Time `json:"refreshAt,omitzero"`
	// In-game items included in this free item as a bundle.
	Contents []FreeContentItem `json:"contents,omitempty"`
	// Optional display attributes for the card.
	Attributes FreeItemAttributes `json:"attributes,omitzero"`
	// Optional identifier of the loyalty tier this free item targets. For a locked preview of the next
	// tier's reward, return the item with status LOCKED and the next tier's identifier.
	TargetTierID string `json:"targetTierId,omitempty"`
	// Optional bonus rewards granted when this free item is claimed (e.g. loyalty points).
	BonusItems []FreeBonusItem `json:"bonusItems,omitempty"`
	// Optional key-value pairs to be included in webhook events related to this item. Not to be displayed
	// or used for business logic. Use attributes for customizing the display.
	Metadata map[string]string `json:"metadata,omitempty"`
}

// FreeContentItem is an in-game item included in a [FreeItem].
type FreeContentItem struct {
	// Optional unique identifier (UUID v4 if provided).
	GUID string `json:"guid,omitempty"`
	// Item display name.
	Name LocalizableText `json:"name,omitzero"`
	// URL to item image.
	Image string `json:"image,omitempty"`
	// In-game item quantity as string for big integer support (no decimals allowed). Required.
	Quantity string `json:"quantity"`
	// Optional URL to unit image (used to display a single item).
	UnitImage string `json:"unitImage,omitempty"`
}

// FreeItemAttributes are the display attributes of a [FreeItem] card.
type FreeItemAttributes struct {
	// Optional per-card background styling.
	Background Background `json:"background,omitzero"`
}

// FreeBonusItem is a bonus reward granted when a [FreeItem] is claimed.
type FreeBonusItem struct {
	// Kind of bonus reward. Only LOYALTY_POINTS is granted today; other values are ignored by consumers.
	// Required.
	Type FreeBonusItemType `json:"type,omitzero"`
	// Identifier of the bonus/currency to grant. Required.
	ID string `json:"id"`
	// Amount to grant as string for big integer support (no decimals allowed). Required.
	Amount string `json:"amount"`
}

// SectionGroup is an offer group within a catalog section.
type SectionGroup struct {
	// Group title, e.g. a bundle name.
	Header LocalizableText `json:"header,omitzero"`
	// Offers in this group in display order. Required.
	Items []CatalogEntry `json:"items,omitempty"`
	// Optional per-group layout override.
	DisplayType CatalogGroupDisplayType `json:"displayType,omitzero"`
	// Optional display size for offer cards in this group.
	DisplaySize CatalogOfferDisplaySize `json:"displaySize,omitzero"`
}

// CatalogTrigger is a UI trigger (a floating button) that opens a catalog section.
type CatalogTrigger struct {
	// How the trigger should be displayed.
	DisplayType CatalogTriggerDisplayType `json:"displayType,omitzero"`
	// Optional URL to the icon image for the trigger (e.g. floating gift button); clients should use a
	// generic fallback when absent.
	IconImageURL string `json:"iconImageUrl,omitempty"`
	// Optional timestamp for countdown until next reset or claim availability.
	NextResetAt time.Time `json:"nextResetAt,omitzero"`
	// Optional UUID matching Section.guid of the popup section this trigger opens.
	LinkedSectionGUID string `json:"linkedSectionGuid,omitempty"`
}

// OfferDetailsResponse is the answer to GET /api/v1/catalog/offer: the details of one offer.
type OfferDetailsResponse struct {
	// Items contained in this offer. Required.
	Items []OfferContentItem `json:"items,omitempty"`
	// Header for the rewards section.
	RewardsHeader OfferSectionHeader `json:"rewardsHeader,omitzero"`
}

// OfferContentItem is one item of an offer's details.
type OfferContentItem struct {
	// Optional unique identifier (UUID v4 format).
	GUID string `json:"guid,omitempty"`
	// Item title. Required.
	Title LocalizableText `json:"title,omitzero"`
	// Optional item subtitle.
	Subtitle LocalizableText `json:"subtitle,omitzero"`
	// Optional item description.
	Description LocalizableText `json:"description,omitzero"`
	// Item image URL.
	Image string `json:"image,omitempty"`
	// Optional URL to icon image representing the item, used to support additional rendering options.
	IconImageURL string `json:"iconImageUrl,omitempty"`
	// Item detail sections displayed in the item details view.
	DetailSections []ItemDetailSection `json:"detailSections,omitempty"`
	// Tabs containing tabbed content, displayed in the order provided.
	Tabs []OfferTab `json:"tabs,omitempty"`
	// Header text for the tabs section.
	TabsHeader LocalizableText `json:"tabsHeader,omitzero"`
	// Rewards contained in this item.
	Rewards []OfferReward `json:"rewards,omitempty"`
	// Optional timestamp of when this content item was last updated.
	LastUpdatedAt time.Time `json:"lastUpdatedAt,omitzero"`
}

// ItemDetailSection is a section of an item's details view.
type ItemDetailSection struct {
	// Section header text.
	Header LocalizableText `json:"header,omitzero"`
	// Optional section subheader text.
	Subheader LocalizableText `json:"subheader,omitzero"`
	// Rows within this section, displayed in the order provided.
	Rows []ItemDetailRow `json:"rows,omitempty"`
}

// ItemDetailRow is a row of an [ItemDetailSection].
type ItemDetailRow struct {
	// Optional CSS properties map for styling the detail row background, e.g. {"background-color":
	// "#ae36a7"}.
	BackgroundStyle map[string]string `json:"backgroundStyle,omitempty"`
	// Cells for the row. Required.
	Cells []ItemDetailCell `json:"cells,omitempty"`
}

// ItemDetailCell is a cell of an [ItemDetailRow].
type ItemDetailCell struct {
	// Text content for this cell.
	Text LocalizableText `json:"text,omitzero"`
	// Optional URL to icon image for the cell.
	IconImageURL string `json:"iconImageUrl,omitempty"`
	// Optional relative width representing CSS fr units for grid-template-columns. If not provided for
	// any column, the client will default to even distribution (1fr for each column).
	RelativeWidthFractionalUnits int64 `json:"relativeWidthFractionalUnits,omitempty"`
	// Optional CSS properties for styling the detail cell background, e.g. {"background-color":
	// "#ae36a7"}.
	BackgroundStyle map[string]string `json:"backgroundStyle,omitempty"`
	// Optional CSS properties map for styling the detail cell text (e.g., {"text-transform": "uppercase",
	// "color": "#ff6600"}).
	TextStyle map[string]string `json:"textStyle,omitempty"`
	// Optional horizontal alignment for the cell content.
	Align CellAlignment `json:"align,omitzero"`
}

// OfferTab is a tab of tabbed content in an offer's details.
type OfferTab struct {
	// Tab title text. Required.
	Title LocalizableText `json:"title,omitzero"`
	// Whether this tab should be selected by default.
	Default bool `json:"default,omitempty"`
	// Tables contained in this tab, displayed in the order provided. Required.
	Tables []OfferTable `json:"tables,omitempty"`
}

// OfferTable is a table of an [OfferTab].
type OfferTable struct {
	// Header cells for the table columns. Required.
	Headers []TableHeaderCell `json:"headers,omitempty"`
	// Rows in the table, displayed in the order provided. Required.
	Rows []TableRow `json:"rows,omitempty"`
}

// TableHeaderCell is a header cell of an [OfferTable].
type TableHeaderCell struct {
	// Header text content.
	Text LocalizableText `json:"text,omitzero"`
	// Optional relative width representing CSS fr units for grid-template-columns. If not provided for
	// any column, the client will default to even distribution (1fr for each column).
	RelativeWidthFractionalUnits int64 `json:"relativeWidthFractionalUnits,omitempty"`
	// Optional CSS properties for styling the header cell background, e.g. {"background-color":
	// "#ae36a7"}.
	BackgroundStyle map[string]string `json:"backgroundStyle,omitempty"`
	// Optional CSS properties map for styling the header text (e.g., {"text-transform": "uppercase",
	// "color": "#ff6600"}).
	TextStyle map[string]string `json:"textStyle,omitempty"`
}

// TableRow is a row of an [OfferTable].
type TableRow struct {
	// Optional CSS properties map for styling the table row background, e.g. {"background-color":
	// "#ae36a7"}.
	BackgroundStyle map[string]string `json:"backgroundStyle,omitempty"`
	// Cells in this row, displayed in the order provided. Required.
	Cells []TableCell `json:"cells,omitempty"`
}

// TableCell is a cell of a [TableRow].
type TableCell struct {
	// Primary text content for the cell.
	Text LocalizableText `json:"text,omitzero"`
	// Optional secondary text content for the cell.
	SubText LocalizableText `json:"subText,omitzero"`
	// Optional URL to icon image for the cell. If not provided, a generic icon will be used.
	IconImageURL string `json:"iconImageUrl,omitempty"`
	// Optional CSS properties for styling the table cell background, e.g. {"background-color":
	// "#ae36a7"}.
	BackgroundStyle map[string]string `json:"backgroundStyle,omitempty"`
	// Optional CSS properties map for styling the cell text (e.g., {"text-transform": "uppercase",
	// "color": "#ff6600"}).
	TextStyle map[string]string `json:"textStyle,omitempty"`
	// Optional horizontal alignment for the cell content.
	Align CellAlignment `json:"align,omitzero"`
}

// OfferReward is a reward contained in an offer's item.
type OfferReward struct {
	// Reward title. Required.
	Title LocalizableText `json:"title,omitzero"`
	// Optional reward subtitle.
	Subtitle LocalizableText `json:"subtitle,omitzero"`
	// Optional reward description.
	Description LocalizableText `json:"description,omitzero"`
	// Reward image URL.
	Image string `json:"image,omitempty"`
	// Whether this reward should be displayed prominently.
	Featured bool `json:"featured,omitempty"`
	// Optional primary background styling for the featured reward item card.
	PrimaryBackground Background `json:"primaryBackground,omitzero"`
	// Optional secondary background styling for the featured reward item card, layered on top of the
	// primary background.
	SecondaryBackground Background `json:"secondaryBackground,omitzero"`
	// Statistics for this reward.
	Statistics RewardStatistics `json:"statistics,omitzero"`
}

// RewardStatistics is a statistic shown for an [OfferReward].
type RewardStatistics struct {
	// Text content for this statistic. Required.
	Text LocalizableText `json:"text,omitzero"`
	// Optional CSS properties map for styling the statistic text (e.g., {"text-transform": "uppercase",
	// "color": "#ff6600"}).
	TextStyle map[string]string `json:"textStyle,omitempty"`
	// Optional URL to icon image for the statistic. If not provided, a generic icon will be used.
	IconImageURL string `json:"iconImageUrl,omitempty"`
}

// OfferSectionHeader is the header of an offer's rewards section.
type OfferSectionHeader struct {
	// Title text for the section header.
	Title LocalizableText `json:"title,omitzero"`
	// Description text for the section header.
	Description LocalizableText `json:"description,omitzero"`
	// Icon image URL for the section header.
	IconImageURL string `json:"iconImageUrl,omitempty"`
}

// PlayerResponse is the answer to GET /api/v1/player.
type PlayerResponse struct {
	// Player information.
	Player Player `json:"player,omitzero"`
}

// Player is the player's profile as the game reports it to the webshop.
type Player struct {
	// Unique identifier for the player. Required.
	PlayerID string `json:"playerId"`
	// Player name.
	Name string `json:"name,omitempty"`
	// URL to player avatar image.
	AvatarURL string `json:"avatarUrl,omitempty"`
	// Player language preference using ISO 639-1 code (e.g., 'en', 'es', 'fr', 'de').
	Language string `json:"language,omitempty"`
	// Player in-game level (must be positive, default 1).
	InGameLevel int64 `json:"inGameLevel,omitempty"`
	// Amount of in-game currency owned by player (must be non-negative, default 0).
	InGameCurrency int64 `json:"inGameCurrency,omitempty"`
}
