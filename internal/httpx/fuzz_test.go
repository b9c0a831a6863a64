package httpx_test

import (
	"errors"
	"math"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stashpay/stashpay-go/internal/httpx"
)

// Tokens that stand in for a URL's query and password: WithoutQuery's
// output must not depend on either, so it can never contain them.
const (
	queryToken    = "QTOKEN4f9c2a"
	passwordToken = "PTOKEN7d1e5b"
)

// FuzzWithoutQueryHides: for any URL in a *url.Error, WithoutQuery never
// panics, keeps the Op and the wrapped cause (errors.Is), returns an error
// without query or user info as it is, shows an unparsable URL as
// "(unparsable URL)", and never shows the query or the password: with
// both replaced by marker tokens, the tokens never reach the text.
func FuzzWithoutQueryHides(f *testing.F) {
	for _, s := range []string{
		"http://127.0.0.1:9/hooks?token=tok-SECRET",
		"https://game:pw-SECRET@example.com/hooks",
		"https://game:pw%40SECRET@example.com/hooks?a=b#frag",
		"http://127.0.0.1:9/hooks", "http://h/p?", "http://h/p?#f", "mailto:a@b?subject=x",
		"http://[::1]:80/?q", "http://user@h/?q", "http://:pw@h/", "%zz", "http://h/%zz?q",
		"//u:p@h/p?q", "?q", "http://h/p#frag?notquery", "http://h/a%3Fb",
	} {
		f.Add(s, "connection refused")
	}
	f.Fuzz(func(t *testing.T, raw, cause string) {
		refused := errors.New(cause)
		in := &url.Error{Op: "Post", URL: raw, Err: refused}
		got := httpx.WithoutQuery(in)
		var ue *url.Error
		if !errors.As(got, &ue) {
			t.Fatalf("%T is not a *url.Error", got)
		}
		if ue.Op != "Post" || ue.Err != refused || !errors.Is(got, refused) {
			t.Fatalf("cause or op lost: %#v", ue)
		}
		u, perr := url.Parse(raw)
		if perr != nil {
			if ue.URL != "(unparsable URL)" {
				t.Fatalf("unparsable %q shown as %q", raw, ue.URL)
			}
			return
		}
		if u.RawQuery == "" && u.User == nil {
			if got != in {
				t.Fatalf("%q has nothing to hide but was replaced by %q", raw, ue.URL)
			}
			return
		}
		if got == in {
			t.Fatalf("%q returned as is", raw)
		}
		// The same URL with its query and password replaced by tokens.
		marked := *u
		if u.RawQuery != "" {
			marked.RawQuery = queryToken
		}
		if _, ok := u.User.Password(); ok {
			marked.User = url.UserPassword(u.User.Username(), passwordToken)
		}
		markedRaw := marked.String()
		if strings.Contains(raw+cause, queryToken) || strings.Contains(raw+cause, passwordToken) {
			return
		}
		text := httpx.WithoutQuery(&url.Error{Op: "Post", URL: markedRaw, Err: refused}).Error()
		if strings.Contains(text, queryToken) || strings.Contains(text, passwordToken) {
			t.Fatalf("%q (from %q) shown as %q", markedRaw, raw, text)
		}
	})
}

// referenceRetryAfter is RFC 9110's Retry-After, as ParseRetryAfter
// documents it: a non-negative decimal number of seconds (1*DIGIT,
// saturated at the largest time.Duration), or an HTTP date relative to
// now (0 when in the past). Anything else is not ok.
func referenceRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if strings.Trim(v, "0123456789") == "" {
		n, _ := new(big.Int).SetString(v, 10)
		limit := big.NewInt(int64(math.MaxInt64 / time.Second))
		if n.Cmp(limit) > 0 {
			return time.Duration(math.MaxInt64), true
		}
		return time.Duration(n.Int64()) * time.Second, true
	}
	if v[0] >= '0' && v[0] <= '9' {
		return 0, false // a number with something else: not a date either
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(0, t.Sub(now)), true
}

// FuzzParseRetryAfterReference: ParseRetryAfter never panics, never
// returns a negative wait, returns 0 when not ok, and agrees with the
// reference: whole seconds for a decimal number (bounded by the largest
// Duration), the distance to an HTTP date in the future, 0 for one in the
// past.
func FuzzParseRetryAfterReference(f *testing.F) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC).Unix()
	for _, s := range []string{
		"", "0", "120", " 30 ", "-3", "+3", "1e3", "1.5", "007", "9223372036", "9223372037",
		"9223372036854775807", "Wed, 21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2037 07:28:00 GMT",
		"Wednesday, 21-Oct-37 07:28:00 GMT", "Wed Oct 21 07:28:00 2037", "\u00a030",
		"Fri, 31 Dec 9999 23:59:59 GMT", "30s",
	} {
		f.Add(s, now)
	}
	f.Fuzz(func(t *testing.T, v string, nowUnix int64) {
		now := time.Unix(nowUnix, 0)
		d, ok := httpx.ParseRetryAfter(v, now)
		if d < 0 {
			t.Fatalf("negative wait %v for %q", d, v)
		}
		if !ok && d != 0 {
			t.Fatalf("not ok but %v for %q", d, v)
		}
		wd, wok := referenceRetryAfter(v, now)
		if d != wd || ok != wok {
			t.Fatalf("ParseRetryAfter(%q) = %v, %v; want %v, %v", v, d, ok, wd, wok)
		}
	})
}
