package events

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stashpay/stashpay-go/internal/benchturns"
	"github.com/stretchr/testify/require"
)

// A compact PURCHASE_SUCCEEDED in the documented shape, and one edit of it
// per test case below.
const fastBase = `{"type":"PURCHASE_SUCCEEDED","environment":"test","purchaseSucceeded":{` +
	`"timeMillis":1753993257000,"orderId":"o-1","checkoutLinkId":"cl","transactionId":"tx","shopId":"shop",` +
	`"userId":"u-1","currency":"usd","items":[{"id":"gem","quantity":2,"price":"199","metadata":{"k":"v"}}],` +
	`"tax":"0","total":"398","taxDetails":{"items":[{"label":"VAT","isInclusive":true,"amount":"12",` +
	`"percentage":"7.5","country":"DE","state":""}]},"emailMarketingOptIn":false,"regionCode":"US",` +
	`"source":"StashPay","ipAddress":"203.0.113.7"}}`

// The items and taxDetails values of fastBase.
const (
	fastItems    = `[{"id":"gem","quantity":2,"price":"199","metadata":{"k":"v"}}]`
	fastTaxItems = `{"items":[{"label":"VAT","isInclusive":true,"amount":"12",` +
		`"percentage":"7.5","country":"DE","state":""}]}`
)

// edit returns fastBase with the first old replaced by new; it panics when
// old is absent, so a stale case cannot silently test fastBase itself.
func edit(old, new string) string {
	if !strings.Contains(fastBase, old) {
		panic("fastBase has no " + old)
	}
	return strings.Replace(fastBase, old, new, 1)
}

// fastHandled are payloads the fast path must decode itself.
var fastHandled = map[string]string{
	"base":                  fastBase,
	"whitespace":            " \t\r\n" + strings.ReplaceAll(fastBase, ",", " ,\n\t") + "\n ",
	"string timeMillis":     edit(`1753993257000`, `"1753993257000"`),
	"negative timeMillis":   edit(`1753993257000`, `-5`),
	"quoted leading zeros":  edit(`1753993257000`, `"007"`),
	"zero timeMillis":       edit(`1753993257000`, `0`),
	"number amounts":        edit(`"tax":"0","total":"398"`, `"tax":-0.5e+3,"total":1E2`),
	"negative quantity":     edit(`"quantity":2`, `"quantity":-2`),
	"minus zero quantity":   edit(`"quantity":2`, `"quantity":-0`),
	"max quantity":          edit(`"quantity":2`, `"quantity":9223372036854775807`),
	"string quantity":       edit(`"quantity":2`, `"quantity":"2"`),
	"negative string qty":   edit(`"quantity":2`, `"quantity":"-3"`),
	"max string quantity":   edit(`"quantity":2`, `"quantity":"9223372036854775807"`),
	"string bools":          edit(`"isInclusive":true`, `"isInclusive":"true"`),
	"string opt-in":         edit(`"emailMarketingOptIn":false`, `"emailMarketingOptIn":"true"`),
	"min quantity":          edit(`"quantity":2`, `"quantity":-9223372036854775808`),
	"unicode strings":       edit(`"u-1"`, "\"ü-€-😀-\uFFFD\""),
	"empty items":           edit(fastItems, `[]`),
	"empty metadata":        edit(`{"k":"v"}`, `{}`),
	"repeated metadata key": edit(`{"k":"v"}`, `{"k":"v","k":"w","":"empty"}`),
	"empty tax details":     edit(fastTaxItems, `{}`),
	"empty tax items":       edit(fastTaxItems, `{"items":[]}`),
	"two items":             edit(`"items":[{`, `"items":[{"id":"a"},{`),
	"empty payload":         `{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{}}`,
	"type last":             `{"purchaseSucceeded":{"orderId":"o"},"id":"evt","type":"PURCHASE_SUCCEEDED"}`,
	"eventData":             `{"type":"PURCHASE_SUCCEEDED","eventData":{"orderId":"o","timeMillis":"1"}}`,
	"data":                  `{"type":"PURCHASE_SUCCEEDED","data":{"orderId":"o"}}`,
	"refund": `{"type":"PURCHASE_REFUNDED","purchaseRefunded":{"refundId":"r","orderId":"o","checkoutLinkId":"c",` +
		`"transactionId":"t","shopId":"s","userId":"u","currency":"USD","items":[{"id":"i","quantity":1,"price":1}],` +
		`"amount":"1","total":"1","tax":"0","reason":"x","regionCode":"US","source":"Cart","timeMillis":"17"}}`,
}

// fastFallback are payloads the fast path must leave to encoding/json, each
// for one reason.
var fastFallback = map[string]string{
	"empty":                      ``,
	"not an object":              `[]`,
	"empty object":               `{}`,
	"truncated":                  fastBase[:len(fastBase)-1],
	"trailing garbage":           fastBase + `x`,
	"second object":              fastBase + `{}`,
	"trailing comma":             edit(`"ipAddress":"203.0.113.7"}`, `"ipAddress":"203.0.113.7",}`),
	"unknown envelope member":    edit(`"environment"`, `"extra":1,"environment"`),
	"unknown payload member":     edit(`"orderId"`, `"newField":"x","orderId"`),
	"unknown item member":        edit(`"quantity":2`, `"quantity":2,"sku":"x"`),
	"unknown tax item member":    edit(`"state":""`, `"state":"","zip":"1"`),
	"unknown tax details":        edit(`{"items":[{"label"`, `{"total":"1","items":[{"label"`),
	"case variant key":           edit(`"orderId"`, `"OrderID"`),
	"case variant type key":      edit(`"type"`, `"Type"`),
	"duplicate type":             edit(`"environment"`, `"type":"PURCHASE_SUCCEEDED","environment"`),
	"duplicate payload member":   edit(`"orderId":"o-1"`, `"orderId":"o-1","orderId":"o-2"`),
	"duplicate item member":      edit(`"quantity":2`, `"quantity":2,"quantity":3`),
	"duplicate wrapper":          fastBase[:len(fastBase)-1] + `,"purchaseSucceeded":{"orderId":"o-2"}}`,
	"wrapper and eventData":      fastBase[:len(fastBase)-1] + `,"eventData":{"orderId":"o-2"}}`,
	"eventData before type":      `{"eventData":{"orderId":"o"},"type":"PURCHASE_SUCCEEDED"}`,
	"wrapper of another type":    `{"type":"PURCHASE_SUCCEEDED","purchaseRefunded":{"orderId":"o"}}`,
	"missing type":               `{"purchaseSucceeded":{"orderId":"o"}}`,
	"missing payload":            `{"type":"PURCHASE_SUCCEEDED"}`,
	"other v1 type":              `{"type":"VIEW_ITEM","viewItem":{"userId":"u"}}`,
	"v2 type":                    `{"type":"subscription.created","data":{"subscriptionId":"s"}}`,
	"type not a string":          edit(`"PURCHASE_SUCCEEDED"`, `1`),
	"null type":                  edit(`"PURCHASE_SUCCEEDED"`, `null`),
	"null environment":           edit(`"test"`, `null`),
	"null payload":               `{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":null,"eventData":{"orderId":"o"}}`,
	"null string member":         edit(`"o-1"`, `null`),
	"null amount":                edit(`"398"`, `null`),
	"null timeMillis":            edit(`1753993257000`, `null`),
	"null items":                 edit(fastItems, `null`),
	"null item":                  edit(`"items":[{`, `"items":[null,{`),
	"null metadata value":        edit(`{"k":"v"}`, `{"k":null}`),
	"source as a number string":  edit(`"source":"StashPay"`, `"source":"007"`),
	"source negative":            edit(`"source":"StashPay"`, `"source":"-0"`),
	"escape in string":           edit(`"o-1"`, `"o\n1"`),
	"unicode escape":             edit(`"o-1"`, `"o\u00e91"`),
	"escape in key":              edit(`"orderId"`, `"order\u0049d"`),
	"escaped metadata key":       edit(`{"k":"v"}`, `{"\u006b":"v"}`),
	"invalid UTF-8":              edit(`"u-1"`, "\"u\xff1\""),
	"surrogate bytes":            edit(`"u-1"`, "\"u\xed\xa0\x801\""),
	"invalid UTF-8 in amount":    edit(`"398"`, "\"3\xff\""),
	"control byte":               edit(`"u-1"`, "\"u\t1\""),
	"fractional quantity":        edit(`"quantity":2`, `"quantity":2.0`),
	"exponent quantity":          edit(`"quantity":2`, `"quantity":2e0`),
	"quantity overflow":          edit(`"quantity":2`, `"quantity":9223372036854775808`),
	"fractional string quantity": edit(`"quantity":2`, `"quantity":"2.0"`),
	"empty string quantity":      edit(`"quantity":2`, `"quantity":""`),
	"spaced string quantity":     edit(`"quantity":2`, `"quantity":" 2"`),
	"string quantity overflow":   edit(`"quantity":2`, `"quantity":"9223372036854775808"`),
	"escaped string quantity":    edit(`"quantity":2`, `"quantity":"\u0032"`),
	"null quantity":              edit(`"quantity":2`, `"quantity":null`),
	"bool quantity":              edit(`"quantity":2`, `"quantity":true`),
	"leading zero":               edit(`"quantity":2`, `"quantity":02`),
	"lone minus":                 edit(`"quantity":2`, `"quantity":-`),
	"plus sign":                  edit(`"quantity":2`, `"quantity":+2`),
	"fractional timeMillis":      edit(`1753993257000`, `1.5`),
	"empty string timeMillis":    edit(`1753993257000`, `""`),
	"timeMillis overflow":        edit(`1753993257000`, `"9223372036854775808"`),
	"spaced string timeMillis":   edit(`1753993257000`, `" 1"`),
	"bool timeMillis":            edit(`1753993257000`, `true`),
	"bare dot amount":            edit(`"398"`, `1.`),
	"bool amount":                edit(`"398"`, `false`),
	"object amount":              edit(`"398"`, `{}`),
	"upper-case string bool":     edit(`"emailMarketingOptIn":false`, `"emailMarketingOptIn":"FALSE"`),
	"string bool typo":           edit(`"emailMarketingOptIn":false`, `"emailMarketingOptIn":"fals"`),
	"string bool with suffix":    edit(`"emailMarketingOptIn":false`, `"emailMarketingOptIn":"falsey"`),
	"unterminated string bool":   edit(`"emailMarketingOptIn":false`, `"emailMarketingOptIn":"false`),
	"numeric bool":               edit(`"emailMarketingOptIn":false`, `"emailMarketingOptIn":0`),
	"null bool":                  edit(`"emailMarketingOptIn":false`, `"emailMarketingOptIn":null`),
	"bool typo":                  edit(`"emailMarketingOptIn":false`, `"emailMarketingOptIn":fals`),
	"bool with suffix":           edit(`"emailMarketingOptIn":false`, `"emailMarketingOptIn":falsey`),
	"items not an array":         edit(fastItems, `{}`),
	"metadata number value":      edit(`{"k":"v"}`, `{"k":1}`),
	"missing colon":              edit(`"orderId":`, `"orderId" `),
	"missing comma":              edit(`,"checkoutLinkId"`, ` "checkoutLinkId"`),
	"unterminated string":        `{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{"orderId":"o`,
	"vertical tab as space":      edit(`"orderId":`, "\v\"orderId\":"),
	"non-breaking space":         edit(`"orderId":`, "\u00a0\"orderId\":"),
	"byte order mark":            "\ufeff" + fastBase,
	"eventData not object type":  `{"type":"PURCHASE_SUCCEEDED","eventData":[]}`,
	"refund member in purchase":  edit(`"orderId"`, `"refundId":"r","orderId"`),
	"purchase member in refund":  `{"type":"PURCHASE_REFUNDED","purchaseRefunded":{"orderId":"o","ipAddress":"x"}}`,
	"duplicate refund member":    `{"type":"PURCHASE_REFUNDED","purchaseRefunded":{"amount":"1","amount":"2"}}`,
}

// requireSameAsStd checks that Parse and the encoding/json-only path agree.
func requireSameAsStd(t *testing.T, payload []byte) {
	t.Helper()
	want, wantErr := parseStd(payload)
	got, gotErr := Parse(payload)
	if wantErr != nil {
		require.Error(t, gotErr)
		require.Equal(t, wantErr.Error(), gotErr.Error())
		require.Nil(t, got)
		return
	}
	require.NoError(t, gotErr)
	requireSameEvent(t, want, got)
}

func requireSameEvent(t *testing.T, want, got Event) {
	t.Helper()
	require.IsType(t, want, got)
	require.Equal(t, want.Type(), got.Type())
	require.Equal(t, want.Format(), got.Format())
	require.Equal(t, want.Environment(), got.Environment())
	require.Equal(t, want.IdempotencyKey(), got.IdempotencyKey())
	require.Equal(t, want.Raw(), got.Raw())
	require.Equal(t, want, got)
	require.True(t, reflect.DeepEqual(want, got), "not deeply equal:\nwant %#v\ngot  %#v", want, got)
}

func TestFastPathHandles(t *testing.T) {
	t.Parallel()
	cases := map[string]string{}
	for name, p := range fastHandled {
		cases[name] = p
	}
	for _, file := range []string{"purchase_succeeded.json", "purchase_succeeded_listener.json",
		"event_data_purchase.json", "purchase_refunded.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		require.NoError(t, err)
		cases[file] = string(b)
	}
	for name, payload := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in := []byte(payload)
			ev, ok := parseFast(in)
			require.True(t, ok, "fast path did not handle it")
			require.Equal(t, payload, string(in), "input modified")
			want, err := parseStd(in)
			require.NoError(t, err)
			requireSameEvent(t, want, ev)
			requireSameAsStd(t, in)
		})
	}
}

func TestFastPathFallback(t *testing.T) {
	t.Parallel()
	for name, payload := range fastFallback {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ev, ok := parseFast([]byte(payload))
			require.False(t, ok, "fast path handled it")
			require.Nil(t, ev)
			requireSameAsStd(t, []byte(payload))
		})
	}
}

// TestFastPathEventsAreIndependent checks that decoded strings do not share
// memory with the input or with each other's events.
func TestFastPathEventsAreIndependent(t *testing.T) {
	t.Parallel()
	in := []byte(fastBase)
	ev, ok := parseFast(in)
	require.True(t, ok)
	for i := range in {
		in[i] = 'X'
	}
	ps := ev.(*PurchaseSucceeded)
	require.Equal(t, "o-1", ps.OrderID)
	require.Equal(t, map[string]string{"k": "v"}, ps.Items[0].Metadata)
	require.Equal(t, fastBase, string(ps.Raw()))
}

// TestPlain8 checks the word-at-a-time string check against the byte table,
// for every byte value at every position and for random words.
func TestPlain8(t *testing.T) {
	t.Parallel()
	check := func(w [8]byte) {
		want := true
		for _, c := range w {
			want = want && plain[c]
		}
		require.Equal(t, want, plain8(binary.LittleEndian.Uint64(w[:])), "% x", w)
	}
	for pos := range 8 {
		for c := range 256 {
			w := [8]byte{'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'}
			w[pos] = byte(c)
			check(w)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], rng.Uint64()&0x7f7f7f7f7f7f7f7f)
		check(w)
	}
}

// TestFastPathStringBytes puts one interesting byte sequence at every
// position of strings of 0 to 24 bytes (across the eight-byte steps of the
// string scanner) and compares with encoding/json.
func TestFastPathStringBytes(t *testing.T) {
	t.Parallel()
	specials := []string{"\\", "\\n", "\\u00e9", "\x00", "\x1f", "\x7f", "\x80", "\xff", "\xc3",
		"\xed\xa0\x80", "\xef\xbf\xbd", "é", "😀", "\xf0\x9f\x98"}
	for n := range 25 {
		for pos := 0; pos <= n; pos++ {
			for _, sp := range specials {
				str := strings.Repeat("a", pos) + sp + strings.Repeat("b", n-pos)
				payload := []byte(edit(`"o-1"`, `"`+str+`"`))
				requireSameAsStd(t, payload)
				_, ok := parseFast(payload)
				plainStr := utf8.ValidString(sp) && !strings.ContainsAny(sp, "\\\x00\x1f")
				require.Equal(t, plainStr, ok, "handled %q", str)
				requireSameAsStd(t, []byte(edit(`{"k":"v"}`, `{"`+str+`":"`+str+`"}`)))
			}
		}
	}
}

func FuzzFastPathEquivalence(f *testing.F) {
	AddSeedPayloads(f)
	for _, p := range fastHandled {
		f.Add([]byte(p))
	}
	for _, p := range fastFallback {
		f.Add([]byte(p))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		input := bytes.Clone(payload)
		fast, ok := parseFast(payload)
		if !bytes.Equal(input, payload) {
			t.Fatal("parseFast modified its input")
		}
		if ok {
			std, err := parseStd(payload)
			if err != nil {
				t.Fatalf("fast path decoded what encoding/json rejects (%v)", err)
			}
			requireSameEvent(t, std, fast)
		} else if fast != nil {
			t.Fatalf("not handled but returned %T", fast)
		}
		requireSameAsStd(t, payload)
	})
}

// paddedPurchase is testdata/purchase_succeeded.json with its first item's
// metadata padded to about size bytes (0: as is).
func paddedPurchase(b *testing.B, size int) []byte {
	b.Helper()
	payload, err := os.ReadFile(filepath.Join("testdata", "purchase_succeeded.json"))
	require.NoError(b, err)
	if pad := size - len(payload); pad > 0 {
		payload = bytes.Replace(payload, []byte(`"rarity": "legendary"`),
			[]byte(`"rarity": "legendary", "note": "`+strings.Repeat("n", pad)+`"`), 1)
	}
	return payload
}

// benchmarkParse measures parse on paddedPurchase(size).
func benchmarkParse(b *testing.B, parse func([]byte) (Event, error), size int) {
	payload := paddedPurchase(b, size)
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		ev, err := parse(payload)
		if err != nil || ev.(*PurchaseSucceeded).OrderID == "" {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseFast2KiB measures Parse (fast path) on a 2 KiB purchase.
// Compare with BenchmarkParseStd2KiB, the encoding/json path.
func BenchmarkParseFast2KiB(b *testing.B) { benchmarkParse(b, Parse, 2048) }

// BenchmarkParseStd2KiB measures the encoding/json path on the same payload.
func BenchmarkParseStd2KiB(b *testing.B) { benchmarkParse(b, parseStd, 2048) }

// BenchmarkParseStdPurchaseSucceeded measures the encoding/json path (taken
// when a payload strays from the documented shape, e.g. a new member) on
// testdata/purchase_succeeded.json; compare with
// BenchmarkBaselineUnmarshalPurchaseSucceeded.
func BenchmarkParseStdPurchaseSucceeded(b *testing.B) { benchmarkParse(b, parseStd, 0) }

// BenchmarkParseFastVsStd reports Parse's time (the fast path) as a ratio
// of the encoding/json path's ("x-std") on testdata/purchase_succeeded.json,
// as is and padded to 2 KiB, the two run in alternating turns in the same
// process. The fast path earns its place only while this stays at or under
// 1/3.
func BenchmarkParseFastVsStd(b *testing.B) {
	for _, size := range []int{0, 2048} {
		payload := paddedPurchase(b, size)
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			fast := func() error { _, err := Parse(payload); return err }
			std := func() error { _, err := parseStd(payload); return err }
			b.ReportMetric(benchturns.Ratio(b, 100, fast, std), "x-std")
		})
	}
}
