package stashpay

// Decoding pieces the three egress requests (register, confirm, cancel) and
// their nested types share, so that each request's decoder lists only the
// fields that are its own.

// egressUnmarshal is how every exported egress UnmarshalJSON starts: JSON
// null leaves the value alone, as encoding/json does; otherwise the syntax
// is checked once (the walkers rely on it) and decode reads the value.
func egressUnmarshal(data []byte, decode func(data []byte, path string) error) error {
	if egressIsNull(data) {
		return nil
	}
	if err := egressValid(data); err != nil {
		return err
	}
	return decode(data, "")
}

// egressEnumField decodes the enum member name at path into dst (see
// egressEnumDecode for the accepted forms).
func egressEnumField[E ~string](raw []byte, path, name string, names []string, dst *E) error {
	v, err := egressEnumDecode(raw, path, name, names)
	if err != nil {
		return err
	}
	*dst = E(v)
	return nil
}

// egressEnumUnmarshal is the UnmarshalJSON of every egress enum.
func egressEnumUnmarshal[E ~string](data []byte, names []string, dst *E) error {
	return egressUnmarshal(data, func(data []byte, _ string) error {
		return egressEnumField(data, "", "", names, dst)
	})
}

// egressSharedFields points at the top-level fields of one egress request
// that the three requests have in common. A nil pointer is a field the
// request does not have: its member is then unknown and ignored.
type egressSharedFields struct {
	// All three requests.
	playerID, transactionID, checkoutLinkID, shopID, currency *string
	environment                                               *PaymentEnvironment
	decimalPlaces                                             *int
	// Register and confirm.
	platform                             *PurchasePlatform
	source                               *PurchaseSource
	browser, deviceID, ipAddress, region *string
	loyalty                              **PlayerLoyaltyState
	// Confirm only.
	userEmail *string
}

// decode decodes member k (canonical name, see egressCanonKey) when it is
// one of f's fields; it reports whether it was.
func (f *egressSharedFields) decode(k, raw []byte) (bool, error) {
	var str *string
	var name string
	switch string(k) {
	case "playerid":
		str, name = f.playerID, "playerId"
	case "transactionid":
		str, name = f.transactionID, "transactionId"
	case "checkoutlinkid":
		str, name = f.checkoutLinkID, "checkoutLinkId"
	case "shopid":
		str, name = f.shopID, "shopId"
	case "currency":
		str, name = f.currency, "currency"
	case "browser":
		str, name = f.browser, "browser"
	case "deviceid":
		str, name = f.deviceID, "deviceId"
	case "ipaddress":
		str, name = f.ipAddress, "ipAddress"
	case "region":
		str, name = f.region, "region"
	case "useremail":
		str, name = f.userEmail, "userEmail"
	case "environment":
		return f.environment != nil, egressEnumFieldIf(raw, "environment", egressEnvironmentNames, f.environment)
	case "platform":
		return f.platform != nil, egressEnumFieldIf(raw, "platform", egressPlatformNames, f.platform)
	case "source":
		return f.source != nil, egressEnumFieldIf(raw, "source", egressSourceNames, f.source)
	case "decimalplaces":
		if f.decimalPlaces == nil {
			return false, nil
		}
		return true, egressSmallInt(raw, "", "decimalPlaces", f.decimalPlaces)
	case "loyalty":
		if f.loyalty == nil {
			return false, nil
		}
		if egressIsNull(raw) {
			return true, nil
		}
		*f.loyalty = new(PlayerLoyaltyState)
		return true, (*f.loyalty).decode(raw, "loyalty")
	}
	if str == nil {
		return false, nil
	}
	return true, egressString(raw, "", name, str)
}

// egressEnumFieldIf is egressEnumField for a top-level member, doing nothing
// when dst is nil (a field the request does not have).
func egressEnumFieldIf[E ~string](raw []byte, name string, names []string, dst *E) error {
	if dst == nil {
		return nil
	}
	return egressEnumField(raw, "", name, names, dst)
}

// egressItemRef decodes the guid and productId members that name an item in
// the register and confirm responses.
func egressItemRef(k, raw []byte, path string, guid, productID *string) (bool, error) {
	switch string(k) {
	case "guid":
		return true, egressString(raw, path, "guid", guid)
	case "productid":
		return true, egressString(raw, path, "productId", productID)
	}
	return false, nil
}

// egressWireCommon holds the members every egress request writes first, in
// Stash's order; the MarshalJSON methods embed it.
type egressWireCommon struct {
	PlayerID       string             `json:"playerId"`
	TransactionID  string             `json:"transactionId"`
	CheckoutLinkID string             `json:"checkoutLinkId,omitempty"`
	ShopID         string             `json:"shopId,omitempty"`
	Environment    PaymentEnvironment `json:"environment,omitempty"`
	Currency       string             `json:"currency"`
	DecimalPlaces  int                `json:"decimalPlaces"`
}
