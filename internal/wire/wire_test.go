package wire_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/internal/wire"
)

type item struct {
	ID       string            `json:"id"`
	Quantity wire.Int64        `json:"quantity"`
	Metadata map[string]string `json:"metadata"`
}

type doc struct {
	TransactionID string      `json:"transactionId"`
	PlayerID      string      `json:"playerId"`
	DecimalPlaces int32       `json:"decimalPlaces"`
	OptIn         bool        `json:"emailMarketingOptIn"`
	Time          wire.Millis `json:"timeMillis"`
	Items         []item      `json:"items"`
	Nested        *struct {
		CampaignID string `json:"campaignId"`
	} `json:"loyalty"`
	Raw       json.RawMessage      `json:"raw"`
	CreatedAt time.Time            `json:"createdAt"`
	Expiries  map[string]time.Time `json:"expiries"`
}

func TestUnmarshalNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     doc
	}{
		{"camel", `{"transactionId":"tx","playerId":"p"}`, doc{TransactionID: "tx", PlayerID: "p"}},
		{"snake", `{"transaction_id":"tx","player_id":"p"}`, doc{TransactionID: "tx", PlayerID: "p"}},
		{"any case, as encoding/json", `{"TRANSACTIONID":"tx"}`, doc{TransactionID: "tx"}},
		{"snake nested and in arrays", `{"items":[{"id":"a","quantity":"2"}],"loyalty":{"campaign_id":"c"}}`,
			doc{Items: []item{{ID: "a", Quantity: 2}}, Nested: &struct {
				CampaignID string `json:"campaignId"`
			}{"c"}}},
		{"map keys are never rewritten", `{"player_id":"p","items":[{"id":"a","metadata":{"item_color":"red"}}]}`,
			doc{PlayerID: "p", Items: []item{{ID: "a", Metadata: map[string]string{"item_color": "red"}}}}},
		{"underscores around are not snake_case", `{"_t_r_a_n_s_a_c_t_i_o_n_i_d_":"x","_transaction_id":"y","transaction_id_":"z"}`, doc{}},
		{"one-letter words do not fold into a field", `{"t_r_a_n_s_a_c_t_i_o_n_i_d":"x"}`, doc{}},
		{"double underscore", `{"transaction__id":"x"}`, doc{}},
		{"camel wins over snake", `{"transaction_id":"snake","transactionId":"camel"}`, doc{TransactionID: "camel"}},
		{"camel in another letter case wins over snake", `{"TransactionId":"camel","transaction_id":"snake"}`, doc{TransactionID: "camel"}},
		{"camel in capitals wins over snake, either order", `{"transaction_id":"snake","TRANSACTIONID":"camel"}`, doc{TransactionID: "camel"}},
		{"underscores in values only", `{"transactionId":"tx_1","playerId":"PURCHASE_PLATFORM_IOS"}`, doc{TransactionID: "tx_1", PlayerID: "PURCHASE_PLATFORM_IOS"}},
		{"escaped quote before a name-like run", `{"playerId":"a\"user_id\":"}`, doc{PlayerID: `a"user_id":`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got doc
			require.NoError(t, wire.Unmarshal([]byte(tt.in), &got))
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestUnmarshalSnakeKeepsRawAndNumbers(t *testing.T) {
	t.Parallel()
	var got doc
	in := `{"player_id":"p","timeMillis":"1700000000123","raw":{"big":12345678901234567890.5}}`
	require.NoError(t, wire.Unmarshal([]byte(in), &got))
	assert.Equal(t, wire.Millis(1700000000123), got.Time)
	assert.JSONEq(t, `{"big":12345678901234567890.5}`, string(got.Raw))
}

func TestUnmarshalScalars(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want doc
	}{
		{`{"decimalPlaces":2,"emailMarketingOptIn":true,"timeMillis":1700000000000}`, doc{DecimalPlaces: 2, OptIn: true, Time: 1700000000000}},
		{`{"decimalPlaces":"2","emailMarketingOptIn":"true","timeMillis":"1700000000000"}`, doc{DecimalPlaces: 2, OptIn: true, Time: 1700000000000}},
		{`{"decimalPlaces":null,"emailMarketingOptIn":null,"timeMillis":null}`, doc{}},
		{`{"items":[{"quantity":-3},{"quantity":"-4"}]}`, doc{Items: []item{{Quantity: -3}, {Quantity: -4}}}},
	}
	for _, tt := range tests {
		var got doc
		require.NoError(t, wire.Unmarshal([]byte(tt.in), &got), tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
	assert.Equal(t, "2023-11-14T22:13:20Z", wire.Millis(1700000000000).Time().Format("2006-01-02T15:04:05Z07:00"))
	assert.True(t, wire.Millis(0).Time().IsZero())
}

// Plain Go types get the scalar tolerances without a wire type: a digit
// string into an integer of any width (in its range), "true"/"false" into a
// boolean, a boolean into a string map value, nested and in slices; what
// stays wrong is refused, naming the member.
func TestUnmarshalScalarsIntoPlainTypes(t *testing.T) {
	t.Parallel()
	type reward struct {
		Quantity int64 `json:"quantity"`
	}
	type target struct {
		Cents    int64             `json:"cents"`
		Places   *int              `json:"decimalPlaces"`
		Small    int32             `json:"small"`
		Count    uint16            `json:"count"`
		OptIn    *bool             `json:"emailMarketingOptIn"`
		Metadata map[string]string `json:"metadata"`
		Rewards  []reward          `json:"rewards"`
		Name     string            `json:"name"`
	}
	two, yes := 2, true
	tests := []struct {
		name, in string
		want     target
	}{
		{"digit strings", `{"cents":"-999","decimalPlaces":"2","small":"05","count":"7"}`,
			target{Cents: -999, Places: &two, Small: 5, Count: 7}},
		{"nested and in slices", `{"rewards":[{"quantity":"3"},{"quantity":4}]}`,
			target{Rewards: []reward{{3}, {4}}}},
		{"boolean strings", `{"emailMarketingOptIn":"true"}`, target{OptIn: &yes}},
		{"metadata of other kinds", `{"metadata":{"a":true,"b":7,"c":null,"d":"x"}}`,
			target{Metadata: map[string]string{"a": "true", "b": "7", "c": "", "d": "x"}}},
		{"snake_case and digits", `{"decimal_places":"2","cents":"1"}`, target{Cents: 1, Places: &two}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got target
			require.NoError(t, wire.Unmarshal([]byte(tt.in), &got))
			assert.Equal(t, tt.want, got)
		})
	}
	refused := []struct{ in, field string }{
		{`{"cents":"+5"}`, "cents"},
		{`{"cents":" 5"}`, "cents"},
		{`{"cents":"5.0"}`, "cents"},
		{`{"cents":"1e3"}`, "cents"},
		{`{"cents":""}`, "cents"},
		{`{"cents":"\u0035"}`, "cents"},
		{`{"cents":"99999999999999999999"}`, "cents"},
		{`{"small":"2147483648"}`, "small"},
		{`{"count":"-1"}`, "count"},
		{`{"emailMarketingOptIn":"yes"}`, "emailMarketingOptIn"},
		{`{"name":true}`, "name"},
		{`{"rewards":[{"quantity":"x"}]}`, "rewards.quantity"},
		{`{"cents":"1","rewards":[{"quantity":{}}]}`, "rewards.quantity"},
	}
	for _, tt := range refused {
		var got target
		err := wire.Unmarshal([]byte(tt.in), &got)
		var werr *wire.Error
		if assert.ErrorAs(t, err, &werr, tt.in) {
			assert.Equal(t, tt.field, werr.Field, tt.in)
		}
	}
	// The strict reader reads digit strings as protobuf's JSON parser does,
	// and refuses the lenient rest.
	var got target
	require.NoError(t, wire.UnmarshalStrictStrings([]byte(`{"cents":"12","small":"3"}`), &got))
	assert.Equal(t, target{Cents: 12, Small: 3}, got)
	for _, in := range []string{`{"emailMarketingOptIn":"true"}`, `{"metadata":{"a":true}}`, `{"name":1}`} {
		assert.ErrorIs(t, wire.UnmarshalStrictStrings([]byte(in), &target{}), wire.ErrMalformed, in)
	}
}

// A JSON number where a Go string is decoded is read as its exact text,
// wherever the string is (a field, nested, a slice element, a map value),
// also on the snake_case path; json.Number and the tolerant types keep their
// own rules, and other kinds are still refused.
func TestUnmarshalNumbersIntoStrings(t *testing.T) {
	t.Parallel()
	type target struct {
		TransactionID string            `json:"transactionId"`
		Tags          []string          `json:"tags"`
		Metadata      map[string]string `json:"metadata"`
		Items         []item            `json:"items"`
		Count         wire.Int64        `json:"count"`
		Number        json.Number       `json:"number"`
		Nested        *struct {
			CampaignID string `json:"campaignId"`
		} `json:"loyalty"`
	}
	tests := []struct {
		name, in string
		check    func(t *testing.T, got target)
	}{
		{"field, exact text", `{"transactionId":-12.50e3}`, func(t *testing.T, got target) {
			assert.Equal(t, "-12.50e3", got.TransactionID)
		}},
		{"big integer, exact", `{"transactionId":123456789012345678901234567890}`, func(t *testing.T, got target) {
			assert.Equal(t, "123456789012345678901234567890", got.TransactionID)
		}},
		{"slice element and map value", `{"tags":["a",2],"metadata":{"k":3,"s":"x"}}`, func(t *testing.T, got target) {
			assert.Equal(t, []string{"a", "2"}, got.Tags)
			assert.Equal(t, map[string]string{"k": "3", "s": "x"}, got.Metadata)
		}},
		{"nested, others kept", `{"count":"4","number":5,"loyalty":{"campaignId":9},"items":[{"id":7,"quantity":2}]}`, func(t *testing.T, got target) {
			assert.Equal(t, wire.Int64(4), got.Count)
			assert.Equal(t, json.Number("5"), got.Number)
			require.NotNil(t, got.Nested)
			assert.Equal(t, "9", got.Nested.CampaignID)
			assert.Equal(t, []item{{ID: "7", Quantity: 2}}, got.Items)
		}},
		{"snake_case path", `{"transaction_id":42,"loyalty":{"campaign_id":1}}`, func(t *testing.T, got target) {
			assert.Equal(t, "42", got.TransactionID)
			require.NotNil(t, got.Nested)
			assert.Equal(t, "1", got.Nested.CampaignID)
		}},
		{"last of two wins, as on the plain path", `{"transactionId":1,"transactionId":"b"}`, func(t *testing.T, got target) {
			assert.Equal(t, "b", got.TransactionID)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got target
			require.NoError(t, wire.Unmarshal([]byte(tt.in), &got))
			tt.check(t, got)
		})
	}
	for _, in := range []string{`{"transactionId":true}`, `{"tags":[{}]}`, `{"transactionId":1,"count":"x"}`} {
		var got target
		assert.ErrorIs(t, wire.Unmarshal([]byte(in), &got), wire.ErrMalformed, in)
	}
	var whole string
	assert.ErrorIs(t, wire.Unmarshal([]byte(`5`), &whole), wire.ErrMalformed, "a document that is a number is not a string member")
}

func TestUnmarshalStrictStringsRefusesNumbers(t *testing.T) {
	t.Parallel()
	type target struct {
		Item *struct {
			ID           string     `json:"id"`
			PricePerItem string     `json:"pricePerItem"`
			Quantity     wire.Int64 `json:"quantity"`
		} `json:"item"`
	}
	tests := []struct {
		name, in, field string
	}{
		{"number for a string", `{"item":{"pricePerItem":1.99}}`, "item.pricePerItem"},
		{"snake_case name", `{"item":{"price_per_item":1.99}}`, "item.pricePerItem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got target
			err := wire.UnmarshalStrictStrings([]byte(tt.in), &got)
			require.ErrorIs(t, err, wire.ErrMalformed)
			assert.Contains(t, err.Error(), tt.field)
			assert.NotContains(t, err.Error(), "1.99")
			require.NoError(t, wire.Unmarshal([]byte(tt.in), &got), "Unmarshal reads it as text")
			assert.Equal(t, "1.99", got.Item.PricePerItem)
		})
	}
	var got target
	require.NoError(t, wire.UnmarshalStrictStrings([]byte(`{"item":{"id":"a","price_per_item":"1.99","quantity":"2"}}`), &got),
		"the other tolerances stay")
	assert.Equal(t, "1.99", got.Item.PricePerItem)
	assert.Equal(t, wire.Int64(2), got.Item.Quantity)
}

func TestUnmarshalErrorsNameTheFieldNotTheValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, field, secret string
	}{
		{"fraction", `{"items":[{"quantity":2.5}]}`, "items.quantity", "2.5"},
		{"digits out of range", `{"items":[{"quantity":"99999999999999999999"}]}`, "items.quantity", "99999999999999999999"},
		{"int32 range", `{"decimalPlaces":"3000000000"}`, "decimalPlaces", "3000000000"},
		{"plus sign", `{"decimalPlaces":"+2"}`, "decimalPlaces", "+2"},
		{"spaces", `{"decimalPlaces":" 2"}`, "decimalPlaces", " 2"},
		{"underscores", `{"decimalPlaces":"1_0"}`, "decimalPlaces", "1_0"},
		{"hex", `{"decimalPlaces":"0x10"}`, "decimalPlaces", "0x10"},
		{"exponent", `{"items":[{"quantity":"1e3"}]}`, "items.quantity", "1e3"},
		{"bool word", `{"emailMarketingOptIn":"yes"}`, "emailMarketingOptIn", "yes"},
		{"string kind", `{"transactionId":{"secret":1}}`, "transactionId", "secret"},
		{"string kind after a number into a string", `{"playerId":7,"transactionId":["secret"]}`, "transactionId", "secret"},
		{"invalid UTF-8 value", "{\"transactionId\":\"tx-\xff-secret\"}", "transactionId", "secret"},
		{"invalid UTF-8 nested", "{\"items\":[{\"id\":\"ok\"},{\"id\":\"a\xfe-secret\"}]}", "items.id", "secret"},
		{"invalid UTF-8 in a key", "{\"item\xffs\":[]}", "item\ufffds", "\xff"},
		{"invalid UTF-8 under a map key", "{\"items\":[{\"metadata\":{\"secret-key\":\"\xff\"}}]}", "items.metadata", "secret-key"},
		{"lone surrogate under a map key", `{"items":[{"metadata":{"secret-key":"\udc00"}}]}`, "items.metadata", "secret-key"},
		{"map key with a wrong kind", `{"items":[{"metadata":{"secret-key":{}}}]}`, "items.metadata", "secret-key"},
		{"invalid UTF-8 in an unknown member", "{\"extra\":{\"note\":\"\xff\"}}", "extra.note", "\xff"},
		{"lone high surrogate", `{"transactionId":"tx-\ud800-secret"}`, "transactionId", "secret"},
		{"lone low surrogate", `{"playerId":"\udfff-secret"}`, "playerId", "secret"},
		{"a type that decodes itself", `{"transactionId":"tx","createdAt":"yesterday-secret"}`, "createdAt", "secret"},
		{"a type that decodes itself, snake_case", `{"created_at":"yesterday-secret"}`, "createdAt", "secret"},
		{"a type that decodes itself, after a number into a string", `{"playerId":7,"createdAt":"yesterday-secret"}`, "createdAt", "secret"},
		{"a type that decodes itself under a map key", `{"expiries":{"secret-key":"yesterday"}}`, "expiries", "secret-key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got doc
			err := wire.Unmarshal([]byte(tt.in), &got)
			require.Error(t, err)
			assert.ErrorIs(t, err, wire.ErrMalformed)
			var we *wire.Error
			require.True(t, errors.As(err, &we))
			assert.Equal(t, tt.field, we.Field)
			assert.NotContains(t, err.Error(), tt.secret)
		})
	}
}

func TestUnmarshalDistinctInvalidIdentifiersDoNotCollide(t *testing.T) {
	t.Parallel()
	// Both would decode to "tx-\uFFFD-1" with encoding/json alone.
	for _, in := range []string{"{\"transactionId\":\"tx-\xff-1\"}", "{\"transactionId\":\"tx-\xfe-1\"}"} {
		var got doc
		assert.Error(t, wire.Unmarshal([]byte(in), &got))
	}
	var got doc
	require.NoError(t, wire.Unmarshal([]byte(`{"transactionId":"tx-\ud83d\ude00-\ufffd"}`), &got))
	assert.Equal(t, "tx-\U0001F600-\uFFFD", got.TransactionID)
	require.NoError(t, wire.Unmarshal([]byte(`{"transactionId":"a\\ud800"}`), &got), "an escaped backslash is not an escape")
	assert.Equal(t, `a\ud800`, got.TransactionID)
}

func TestUnmarshalSyntaxAndDepth(t *testing.T) {
	t.Parallel()
	var got doc
	err := wire.Unmarshal([]byte(`{"transactionId":"tx",}`), &got)
	require.ErrorIs(t, err, wire.ErrMalformed)
	assert.Contains(t, err.Error(), "invalid JSON at offset")

	deep := `{"raw":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`
	err = wire.Unmarshal([]byte(deep), &got)
	require.ErrorIs(t, err, wire.ErrMalformed)
	assert.Equal(t, "nested too deeply", err.Error())
}

// selfDecoding decodes itself through wire, as this module's public types do.
type selfDecoding struct{ TransactionID string }

func (s *selfDecoding) UnmarshalJSON(b []byte) error {
	var w struct {
		TransactionID string `json:"transactionId"`
	}
	if err := wire.Unmarshal(b, &w); err != nil {
		return err
	}
	s.TransactionID = w.TransactionID
	return nil
}

func TestUnmarshalSelfDecodingTypes(t *testing.T) {
	t.Parallel()
	var top selfDecoding
	require.NoError(t, wire.Unmarshal([]byte(`{"transaction_id":"a"}`), &top))
	assert.Equal(t, "a", top.TransactionID)
	var nested struct {
		Inner []selfDecoding `json:"inner"`
	}
	require.NoError(t, wire.Unmarshal([]byte(`{"inner":[{"transaction_id":"b"}]}`), &nested))
	assert.Equal(t, "b", nested.Inner[0].TransactionID)
}

// Errors name JSON members only: the Go names of the embedded structs a
// decoding target is built of (as this module's tolerant types are) never
// appear in a path (found by review: "plainConfirm.platform").
func TestErrorPathsNameMembersOnly(t *testing.T) {
	t.Parallel()
	type plainInner struct {
		CampaignID string `json:"campaignId"`
	}
	type inner struct {
		plainInner
		Points wire.Int64 `json:"points"`
	}
	type plainOuter struct {
		Platform string `json:"platform"`
		Loyalty  *inner `json:"loyalty"`
		Items    []inner
	}
	type outer struct {
		*plainOuter
		Total wire.Int64 `json:"total"`
	}
	for _, tc := range []struct{ in, want string }{
		{`{"platform":{}}`, "platform"},
		{`{"total":true}`, "total"},
		{`{"loyalty":{"campaignId":true}}`, "loyalty.campaignId"},
		{`{"loyalty":{"points":"x"}}`, "loyalty.points"},
		{`{"Items":[{"campaignId":[]}]}`, "Items.campaignId"},
		{`{"loyalty_x":1,"platform":false}`, "platform"},
	} {
		v := outer{plainOuter: &plainOuter{}}
		err := wire.Unmarshal([]byte(tc.in), &v)
		var we *wire.Error
		require.ErrorAs(t, err, &we, tc.in)
		assert.Equal(t, tc.want, we.Field, tc.in)
	}
}

// A snake_case name anywhere (a metadata key) takes the document through
// the rewriting path; it must decode exactly as the same document without
// it: members in their order, so that a member given twice in two letter
// cases keeps its last value, as encoding/json does.
func TestUnmarshalSnakePathKeepsMemberOrder(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`{"transactionId":"tx-A","TransactionID":"tx-B","items":[{"id":"a","metadata":{"KEY":"x"}}]}`,
		`{"TransactionID":"tx-B","transactionId":"tx-A","items":[{"id":"a","metadata":{"KEY":"x"}}]}`,
		`{"transaction_id":"tx-A","TransactionID":"tx-B","items":[{"id":"a","metadata":{"KEY":"x"}}]}`,
		`{"items":[{"id":"a","quantity":1,"quantity":"2","metadata":{"KEY":"x"}}],"playerId":"p","PLAYERID":"q"}`,
		`{"transaction\u005fid":"x","items":[{"id":"a","metadata":{"KEY":"x"}}]}`,
		`{"transaction_i\u0064":"x","items":[{"id":"a","metadata":{"KEY":"x"}}]}`,
	} {
		var plain, snake doc
		require.NoError(t, wire.Unmarshal([]byte(in), &plain), in)
		require.NoError(t, wire.Unmarshal([]byte(strings.Replace(in, `"KEY"`, `"promo_code"`, 1)), &snake), in)
		plain.Items[0].Metadata = nil
		snake.Items[0].Metadata = nil
		assert.Equal(t, plain, snake, in)
	}
}

// The retry that rewrites scalars starts from the document as sent, so an
// escaped snake_case name stays unmatched there too, whatever the kind of
// another member: one body never decodes two ways.
func TestUnmarshalRetryKeepsEscapedNamesUnmatched(t *testing.T) {
	t.Parallel()
	type target struct {
		PlayerID      string `json:"playerId"`
		TransactionID string `json:"transactionId"`
		Quantity      int64  `json:"quantity"`
	}
	for _, q := range []string{`1`, `"1"`, `1,"x":2`} {
		var got target
		require.NoError(t, wire.Unmarshal([]byte(`{"player_id":"p","transaction\u005fid":"T","quantity":`+q+`}`), &got), q)
		assert.Equal(t, target{PlayerID: "p", Quantity: 1}, got, q)
	}
}
