package stashpay

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzPaymentEventDecode feeds arbitrary bodies to the GetPaymentEvent
// decoder: it must never panic, and what it accepts must be consistent.
func FuzzPaymentEventDecode(f *testing.F) {
	for _, s := range []string{
		`{"status":"PAYMENT_STATUS_UNSPECIFIED","items":[{"id":"a","pricePerItem":"1.99","quantity":2}],"timeMillis":"1763899200000","currency":"USD","total":"4.30","tax":"0.32","bonusItems":[{"id":"b","quantity":"1"}]}`,
		`{"timeMillis":1763899200000,"total":12.5}`,
		`{"timeMillis":"-1"}`,
		`{"items":[null,{}]}`,
		`null`,
		`[]`,
		`{"timeMillis":"9223372036854775808"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var w paymentEventWire
		if decodeResponse(data, &w) != nil {
			return
		}
		ev := w.event("id", data)
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		if string(ev.Raw) != string(data) {
			t.Fatal("Raw differs from the body")
		}
		var probe struct {
			Items      []json.RawMessage `json:"items"`
			BonusItems []json.RawMessage `json:"bonusItems"`
		}
		if json.Unmarshal(data, &probe) == nil {
			if len(probe.Items) != len(ev.Items) || len(probe.BonusItems) != len(ev.BonusItems) {
				t.Fatalf("item counts differ: %d/%d, %d/%d", len(probe.Items), len(ev.Items), len(probe.BonusItems), len(ev.BonusItems))
			}
		}
	})
}

// FuzzCheckoutResponseDecode feeds arbitrary bodies to the checkout
// response decoder: it must never panic, must accept only valid JSON, and
// must agree with encoding/json on bodies it has no reason to read
// differently (valid UTF-8, no snake_case member names, no number where a
// string member is).
func FuzzCheckoutResponseDecode(f *testing.F) {
	for _, s := range []string{
		`{"url":"https://pay.stash.gg/pay/4b1f","id":"4b1f","regionCode":"US"}`,
		" {\n \"url\" : \"u\" ,\t\"id\":\"i\"\r\n}\n",
		`{"URL":"upper","region_code":"snake"}`,
		`{"url":"a\u0062","id":"\ud800"}`,
		`{"url":5}`,
		`[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got checkoutResponse
		err := decodeResponse(data, &got)
		if err == nil && !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		if !utf8.Valid(data) || strings.Contains(string(data), "_") || strings.Contains(string(data), `\u`) {
			return
		}
		var want checkoutResponse
		wantErr := json.Unmarshal(data, &want)
		var typ *json.UnmarshalTypeError
		if err == nil && errors.As(wantErr, &typ) && typ.Value == "number" && typ.Type.Kind() == reflect.String {
			return // the one tolerance here: a number read as its text
		}
		if (err == nil) != (wantErr == nil) || err == nil && got != want {
			t.Fatalf("differs from encoding/json on %q: %+v %v, want %+v %v", data, got, err, want, wantErr)
		}
	})
}

// FuzzAPIErrorDecode feeds arbitrary error bodies and headers to the error
// decoder: it must never panic, must keep its text short and printable, and
// must never let a secret through.
func FuzzAPIErrorDecode(f *testing.F) {
	const secret = "sk_fuzz_SECRET_value"
	for _, s := range []struct {
		status     int
		body, rid  string
		retryAfter string
	}{
		{404, `{"code":5,"message":"not found","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"X"}]}`, "r-1", ""},
		{429, `{"code":8,"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1.5s"}]}`, "", "3"},
		{502, "<html>bad gateway</html>", "", "Wed, 21 Oct 2015 07:28:00 GMT"},
		{401, `{"code":"UNAUTHENTICATED","message":"key ` + secret + ` rejected"}`, secret, ""},
		{400, `{"code":1e99}`, "", ""},
		{500, "\xff\xfe\x00", "\n", "-1"},
	} {
		f.Add(s.status, []byte(s.body), s.rid, s.retryAfter)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, status int, body []byte, rid, retryAfter string) {
		h := http.Header{}
		h.Set("X-Request-Id", rid)
		h.Set("Retry-After", retryAfter)
		e := decodeAPIError(status, h, body, now, []string{secret})
		if e == nil || e.StatusCode != status {
			t.Fatal("status lost")
		}
		for _, s := range []string{e.Message, e.RequestID} {
			if !utf8.ValidString(s) || strings.ContainsAny(s, "\r\n\x00") {
				t.Fatalf("unprintable text %q", s)
			}
		}
		if len(e.Message) > maxMessageLen || len(e.RequestID) > maxRequestIDLen {
			t.Fatalf("text too long: %d %d", len(e.Message), len(e.RequestID))
		}
		if e.RetryAfter < 0 {
			t.Fatalf("negative RetryAfter %v", e.RetryAfter)
		}
		msg := e.Error()
		if strings.Contains(msg, secret) {
			t.Fatalf("secret in %q", msg)
		}
		for _, d := range e.Details {
			if strings.Contains(string(d), secret) {
				t.Fatalf("secret in detail %s", d)
			}
		}
	})
}
