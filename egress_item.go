package stashpay

import "encoding/json"

// PurchaseItem is one line of an egress purchase call: an entry of
// ConfirmPaymentRequest.Items, RegisterPaymentRequest.Registrations or
// CancelPaymentRequest.Items.
type PurchaseItem struct {
	// GUID identifies the offer or product (a UUID; Stash may generate a v5
	// UUID when the catalog gave none).
	GUID string
	// ProductID is the game's SKU.
	ProductID string
	// Quantity is the number of units, > 0.
	Quantity int64
	// Cents is the price of ONE unit in integer minor units of the
	// request's currency at the request's DecimalPlaces (999 for 9.99 USD).
	// Use [PurchaseItem.UnitAmount] for a decimal [Amount].
	Cents int64
	// Metadata holds the item's key-value pairs, as sent.
	Metadata map[string]string
}

// UnitAmount returns the price of one unit as a decimal [Amount] at
// decimalPlaces (pass the request's DecimalPlaces): Cents 999 at 2 is "9.99".
func (it PurchaseItem) UnitAmount(decimalPlaces int) (Amount, error) {
	return FormatMinor(it.Cents, decimalPlaces)
}

// UnmarshalJSON decodes an item tolerantly (see [ConfirmPaymentRequest]).
func (it *PurchaseItem) UnmarshalJSON(data []byte) error {
	return egressUnmarshal(data, it.decode)
}

func (it *PurchaseItem) decode(data []byte, path string) error {
	*it = PurchaseItem{}
	return egressObject(data, path, func(k, raw []byte) (bool, error) {
		switch string(k) {
		case "guid":
			return true, egressString(raw, path, "guid", &it.GUID)
		case "productid":
			return true, egressString(raw, path, "productId", &it.ProductID)
		case "quantity":
			return true, egressInt(raw, path, "quantity", &it.Quantity)
		case "cents":
			return true, egressInt(raw, path, "cents", &it.Cents)
		case "metadata":
			return true, egressStringMap(raw, path, "metadata", &it.Metadata)
		}
		return false, nil
	})
}

// egressItemWire is the JSON form Stash sends for an item.
type egressItemWire struct {
	GUID      string            `json:"guid"`
	ProductID string            `json:"productId"`
	Quantity  int64             `json:"quantity"`
	Cents     int64             `json:"cents"`
	Metadata  map[string]string `json:"metadata,omitempty"`
}

// MarshalJSON writes the item as Stash sends it (lowerCamelCase).
func (it PurchaseItem) MarshalJSON() ([]byte, error) {
	return json.Marshal(egressItemWire(it))
}

// decodeEgressItems decodes an array of items.
func decodeEgressItems(raw []byte, path string, dst *[]PurchaseItem) error {
	*dst = nil
	return egressArray(raw, path, func(i int, elem []byte) error {
		var it PurchaseItem
		if err := it.decode(elem, egressIndex(path, i)); err != nil {
			return err
		}
		*dst = append(*dst, it)
		return nil
	})
}

// validateEgressItems checks the documented rules for items: at least one;
// each with a GUID, a product ID, a positive quantity, and cents > 0 (or
// >= 0 when zeroCents is allowed).
func validateEgressItems(items []PurchaseItem, path string, zeroCents bool) error {
	if len(items) == 0 {
		return egressInvalid(path, "at least one item is required")
	}
	for i, it := range items {
		p := egressIndex(path, i)
		switch {
		case it.GUID == "":
			return egressInvalid(p+".guid", "required")
		case it.ProductID == "":
			return egressInvalid(p+".productId", "required")
		case it.Quantity <= 0:
			return egressInvalid(p+".quantity", "must be > 0")
		case it.Cents < 0, it.Cents == 0 && !zeroCents:
			if zeroCents {
				return egressInvalid(p+".cents", "must be >= 0")
			}
			return egressInvalid(p+".cents", "must be > 0")
		}
	}
	return nil
}

// egressCommon holds the checks every egress request shares.
func validateEgressCommon(playerID, transactionID, currency string, decimalPlaces int, region string) error {
	switch {
	case playerID == "":
		return egressInvalid("playerId", "required")
	case transactionID == "":
		return egressInvalid("transactionId", "required")
	case len(currency) != 3:
		return egressInvalid("currency", "must be a 3-letter ISO 4217 code")
	case decimalPlaces < 0 || decimalPlaces > 18:
		return egressInvalid("decimalPlaces", "must be between 0 and 18")
	case region != "" && (len(region) < 2 || len(region) > 3):
		return egressInvalid("region", "must be an ISO 3166-1 code of 2 or 3 letters")
	}
	return nil
}

// egressItemsResults returns one confirm result per item.
func egressItemsResults(items []PurchaseItem) []ConfirmPaymentResult {
	out := make([]ConfirmPaymentResult, len(items))
	for i, it := range items {
		out[i] = ConfirmPaymentResult{GUID: it.GUID, ProductID: it.ProductID}
	}
	return out
}
