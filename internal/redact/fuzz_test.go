package redact_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stashpay/stashpay-go/internal/redact"
)

// wordByte is the documented set of bytes that continue a word: ASCII
// letters and digits, "-_+/." and any byte of a multi-byte character.
func wordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("-_+/.", c) >= 0 || c >= 0x80
}

func wordOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if !wordByte(s[i]) {
			return false
		}
	}
	return true
}

// standalone reports whether sec occurs in s with no word byte on either
// side.
func standalone(s, sec string) bool {
	for from := 0; ; {
		i := strings.Index(s[from:], sec)
		if i < 0 {
			return false
		}
		start, end := from+i, from+i+len(sec)
		if (start == 0 || !wordByte(s[start-1])) && (end == len(s) || !wordByte(s[end])) {
			return true
		}
		from = start + 1
	}
}

// quoted is sec as Go's %q writes it, without the quotes.
func quoted(sec string) string {
	q := strconv.Quote(sec)
	return q[1 : len(q)-1]
}

// checkScrubbed fails if out shows a secret: a secret of MinAnywhere bytes
// or more anywhere, as written or as %q writes it, or a shorter secret of
// word bytes standing alone. Secrets with '[' or ']' are skipped: the
// marker itself could then complete them. The short-secret check is
// skipped when a short secret has a %q form of MinAnywhere bytes or more:
// that form is removed anywhere, at the short secret's turn rather than
// the long ones', and can leave another short secret standing alone.
func checkScrubbed(t *testing.T, in, out string, secrets []string) {
	t.Helper()
	checkShort := true
	for _, sec := range secrets {
		if len(sec) < redact.MinAnywhere && len(quoted(sec)) >= redact.MinAnywhere {
			checkShort = false
		}
	}
	for _, sec := range secrets {
		if sec == "" || strings.ContainsAny(sec, "[]") {
			continue
		}
		if len(sec) >= redact.MinAnywhere {
			if strings.Contains(out, sec) || strings.Contains(out, quoted(sec)) {
				t.Fatalf("secret %q in %q (from %q)", sec, out, in)
			}
			for _, v := range views(out) {
				if strings.Contains(v, sec) {
					t.Fatalf("secret %q readable from %q once unescaped (from %q)", sec, out, in)
				}
			}
		} else if checkShort && wordOnly(sec) && standalone(out, sec) {
			t.Fatalf("short secret %q stands alone in %q (from %q)", sec, out, in)
		}
	}
}

// shows reports whether s contains any non-empty secret, as written or as
// %q writes it.
func shows(s string, secrets []string) bool {
	for _, sec := range secrets {
		if sec != "" && (strings.Contains(s, sec) || strings.Contains(s, quoted(sec))) {
			return true
		}
		for _, v := range views(s) {
			if sec != "" && strings.Contains(v, sec) {
				return true
			}
		}
	}
	return false
}

var (
	percentEscape = regexp.MustCompile(`%[0-9A-Fa-f]{2}`)
	jsonEscape    = regexp.MustCompile(`\\(["\\/bfnrt]|u[0-9A-Fa-f]{4})`)
)

// views returns s as a reader may undo its escapes: its well-formed %XX
// escapes undone, its JSON string escapes undone, and both in either order
// (written with regular expressions, apart from the package's loops).
func views(s string) []string {
	pct := func(s string) string {
		return percentEscape.ReplaceAllStringFunc(s, func(m string) string {
			n, _ := strconv.ParseUint(m[1:], 16, 8)
			return string([]byte{byte(n)})
		})
	}
	js := func(s string) string {
		return jsonEscape.ReplaceAllStringFunc(s, func(m string) string {
			if m[1] == 'u' {
				n, _ := strconv.ParseUint(m[2:], 16, 16)
				return string(rune(n))
			}
			return map[byte]string{'"': `"`, '\\': `\`, '/': "/", 'b': "\b", 'f': "\f", 'n': "\n", 'r': "\r", 't': "\t"}[m[1]]
		})
	}
	return []string{pct(s), js(s), js(pct(s)), pct(js(s))}
}

// FuzzText: the output of Text never shows a secret (see checkScrubbed),
// text that contains no secret is returned unchanged, text made only of
// markers and bytes around them is never grown by a second pass, and
// Contains agrees with Text.
func FuzzText(f *testing.F) {
	f.Add("x-stash-hmac-signature: v1;shop;1;sig", "stash", "sig", "")
	f.Add(`Post "http://h/?key=sk_secret_value": refused`, "sk_secret_value", "", "")
	f.Add("ab\ncdefghij", "ab\ncdefghij", "", "")
	f.Add(`bad header "ab\ncdefghij"`, "ab\ncdefghij", "", "")
	f.Add("HTTP/1.x 1 x", "1", "x", "")
	f.Add("outer-inner-secret-value", "inner-secret", "outer-inner-secret-value", "value")
	f.Add("aaaaaaaaaaaaaaaaa", "aaaaaaaa", "aaaaaaaaa", "a")
	f.Add("\xff\xfe key=\u00e9t\u00e9", "\u00e9t\u00e9", "\xff\xfe key", "")
	f.Add("key=sk%2Blive%2Fsecret%3D%3D", "sk+live/secret==", "", "")
	f.Add(`{"k":"sk\u002blive\/secret=="} {}`, "sk+live/secret==", "", "")
	f.Add(`a%5Cu0041b`, "aAb", "", "")
	f.Fuzz(func(t *testing.T, s, s1, s2, s3 string) {
		secrets := []string{s1, s2, s3}
		out := redact.Text(s, secrets)
		checkScrubbed(t, s, out, secrets)
		if !shows(s, secrets) && out != s {
			t.Fatalf("text %q without secrets became %q", s, out)
		}
		if redact.Contains(s, secrets) != (out != s) {
			t.Fatalf("Contains(%q) disagrees with Text", s)
		}
		if redact.Text(s, nil) != s {
			t.Fatal("no secrets, but the text changed")
		}
	})
}

// fuzzTimeoutError is a transport-like error with a Timeout method.
type fuzzTimeoutError struct {
	msg     string
	timeout bool
}

func (e *fuzzTimeoutError) Error() string { return e.msg }
func (e *fuzzTimeoutError) Timeout() bool { return e.timeout }

// FuzzError: the error Error returns shows no secret in its text, its %v,
// %+v and %s forms or anywhere along its Unwrap chain; an error without a
// secret is returned as is; errors.Is still matches context.Canceled and
// context.DeadlineExceeded, and Timeout reports what the original's did.
func FuzzError(f *testing.F) {
	f.Add("dial tcp: lookup sk_secret_value.example.com", "sk_secret_value", uint8(0), true)
	f.Add("no secret here", "sk_secret_value", uint8(1), false)
	f.Add("Get \"https://h/?k=sk_secret_value\"", "sk_secret_value", uint8(2), true)
	f.Add("short k", "k", uint8(3), false)
	f.Fuzz(func(t *testing.T, msg, secret string, kind uint8, timeout bool) {
		var base error = &fuzzTimeoutError{msg: msg, timeout: timeout}
		var cause error
		switch kind % 4 {
		case 1:
			cause = context.Canceled
		case 2:
			cause = context.DeadlineExceeded
		case 3:
			base = errors.New(msg)
		}
		if cause != nil {
			base = fmt.Errorf("%w: %w", base, cause)
			// The sentinels' own texts stay in the chain; a "secret"
			// that is part of them cannot be removed from it.
			if strings.Contains(cause.Error(), secret) {
				return
			}
		}
		secrets := []string{secret}
		got := redact.Error(base, secrets)
		if got == nil {
			t.Fatal("nil for a non-nil error")
		}
		if !shows(base.Error(), secrets) && got != base {
			t.Fatalf("error %q without secret was replaced", base.Error())
		}
		if want := redact.Text(base.Error(), secrets); got.Error() != want {
			t.Fatalf("text %q, want %q", got.Error(), want)
		}
		if got != base {
			// (%q and %#v quote the text once more, and quoting can
			// spell a secret that the text does not hold.)
			for _, form := range []string{"%v", "%+v", "%s"} {
				checkScrubbed(t, base.Error(), fmt.Sprintf(form, got), secrets)
			}
			for e := errors.Unwrap(got); e != nil; e = errors.Unwrap(e) {
				checkScrubbed(t, base.Error(), e.Error(), secrets)
			}
		}
		if cause != nil && !errors.Is(got, cause) {
			t.Fatalf("%v no longer matches %v", got, cause)
		}
		var te interface{ Timeout() bool }
		var orig interface{ Timeout() bool }
		if errors.As(base, &orig) {
			if !errors.As(got, &te) || te.Timeout() != orig.Timeout() {
				t.Fatalf("Timeout not kept for %q", got.Error())
			}
		}
	})
}
