// Package redact is the one place where secrets are kept out of text: the
// formatting of values holding a secret (String, GoString, Format, LogValue,
// MarshalJSON) and the scrubbing of text that came from the network (an
// error body, a response header, a transport error) before it reaches an
// error or a log line.
//
// Only text from the network is scrubbed; callers compose their own wording
// around the scrubbed parts, so that a short key can never rewrite the SDK's
// own messages.
package redact

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Marker is what replaces a secret.
const Marker = "[redacted]"

// MinAnywhere is the length from which a secret is removed wherever it
// occurs. A shorter secret (no real key is that short, but nothing forbids
// one) is removed only where it stands alone, not inside a longer run of
// letters, digits and "-_+/." (the characters of keys, signatures, header
// names, URLs and version numbers), so that a key such as "x", "stash" or
// "1" does not rewrite "x-stash-hmac-signature" or "HTTP/1.x".
const MinAnywhere = 8

// Secret is how a secret is shown by String, GoString, Format and LogValue
// methods: `""` when it is empty (so that a missing key is visible), Marker
// otherwise.
func Secret(s string) string {
	if s == "" {
		return `""`
	}
	return Marker
}

// Value is how a secret is written by a MarshalJSON method: "" when it is
// empty, Marker otherwise.
func Value(s string) string {
	if s == "" {
		return ""
	}
	return Marker
}

// Text returns s with every occurrence of each secret replaced by Marker,
// both as written and as Go's %q writes it (net/http quotes the text it
// refuses that way). Longer secrets are replaced first, so that a whole
// header goes before the signature inside it. Text whose percent escapes
// or JSON string escapes, once undone, still show a secret (a proxy's
// percent-encoded echo, JSON that is not one value) is replaced whole by
// Marker.
func Text(s string, secrets []string) string {
	ord := ordered(secrets)
	for _, sec := range ord {
		s = replace(s, sec)
		if q := strconv.Quote(sec); q[1:len(q)-1] != sec {
			s = replace(s, q[1:len(q)-1])
		}
	}
	// A secret may still be spelled with escapes a reader undoes: percent-
	// encoding (a proxy echoing a header or URL) or JSON string escapes in
	// text that is not valid JSON (a cut-off or concatenated body). Such
	// text is not worth keeping: it is replaced whole.
	if strings.ContainsAny(s, `%\`) {
		for _, v := range []string{percentDecode(s), jsonUnescape(s), jsonUnescape(percentDecode(s)), percentDecode(jsonUnescape(s))} {
			if v == s {
				continue
			}
			for _, sec := range ord {
				if replace(v, sec) != v {
					return Marker
				}
			}
		}
	}
	return s
}

// percentDecode undoes every well-formed %XX escape of s, leaving the rest.
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// jsonUnescape undoes the JSON string escapes of s, leaving anything
// malformed as it is.
func jsonUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch c := s[i+1]; c {
		case '"', '\\', '/':
			b.WriteByte(c)
			i++
		case 'b', 'f', 'n', 'r', 't':
			b.WriteByte("\b\f\n\r\t"[strings.IndexByte("bfnrt", c)])
			i++
		case 'u':
			if i+5 < len(s) {
				if n, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
					b.WriteRune(rune(n))
					i += 5
					continue
				}
			}
			b.WriteByte(s[i])
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// ordered returns the non-empty secrets, longest first.
func ordered(secrets []string) []string {
	out := make([]string, 0, len(secrets))
	for _, s := range secrets {
		if s != "" {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return out
}

func replace(s, sec string) string {
	if !strings.Contains(s, sec) {
		return s
	}
	if len(sec) >= MinAnywhere {
		return strings.ReplaceAll(s, sec, Marker)
	}
	var b strings.Builder
	done := 0 // s[:done] is written
	for from := 0; ; {
		i := strings.Index(s[from:], sec)
		if i < 0 {
			break
		}
		start, end := from+i, from+i+len(sec)
		if (start == 0 || !isWordByte(s[start-1])) && (end == len(s) || !isWordByte(s[end])) {
			b.WriteString(s[done:start])
			b.WriteString(Marker)
			done = end
			from = end
			continue
		}
		from = start + 1 // an overlapping occurrence may stand alone
	}
	b.WriteString(s[done:])
	return b.String()
}

// isWordByte reports whether c continues a word: an ASCII letter or digit,
// one of "-_+/.", or any byte of a multi-byte character.
func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("-_+/.", c) >= 0 || c >= utf8.RuneSelf
}

// Contains reports whether s shows a secret, that is whether [Text] would
// change it.
func Contains(s string, secrets []string) bool { return Text(s, secrets) != s }

// JSON returns the JSON value b with every secret removed from what it
// means, whatever its spelling: b is decoded (numbers kept as written), each
// string value, member name and number is scrubbed with [Text], and the
// result is encoded again without HTML escaping. When nothing had to change,
// b is returned as is. A b that is not exactly one JSON value, or whose
// bytes would still show a secret, is replaced by the JSON string
// "[redacted]".
func JSON(b []byte, secrets []string) []byte {
	marker := []byte(strconv.Quote(Marker))
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return marker
	}
	if _, err := dec.Token(); err != io.EOF {
		return marker // trailing data
	}
	v, changed := scrubValue(v, secrets)
	if !changed && utf8.Valid(b) && !Contains(string(b), secrets) {
		return b
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return marker
	}
	res := bytes.TrimSuffix(out.Bytes(), []byte("\n"))
	if Contains(string(res), secrets) {
		return marker // a secret spelled across tokens
	}
	return res
}

// scrubValue scrubs a value decoded by encoding/json with UseNumber, and
// reports whether anything changed.
func scrubValue(v any, secrets []string) (any, bool) {
	switch x := v.(type) {
	case string:
		s := Text(x, secrets)
		return s, s != x
	case json.Number:
		if s := Text(string(x), secrets); s != string(x) {
			return s, true // no longer a number
		}
		return x, false
	case []any:
		changed := false
		for i, e := range x {
			var c bool
			x[i], c = scrubValue(e, secrets)
			changed = changed || c
		}
		return x, changed
	case map[string]any:
		changed := false
		out := make(map[string]any, len(x))
		for k, e := range x {
			nk := Text(k, secrets)
			ne, c := scrubValue(e, secrets)
			changed = changed || c || nk != k
			out[nk] = ne
		}
		return out, changed
	}
	return v, false
}

// Error returns err when its text holds no secret. Otherwise it returns an
// error whose text is err's, scrubbed with [Text], and which keeps what
// callers test an error for: errors.Is still matches context.Canceled and
// context.DeadlineExceeded when err did, and Timeout reports what err's
// did. Its Unwrap chain stops there, so the original text is not
// reachable through it.
func Error(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := Text(msg, secrets)
	if clean == msg {
		return err
	}
	e := &scrubbedError{msg: clean}
	switch {
	case errors.Is(err, context.Canceled):
		e.cause = context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		e.cause = context.DeadlineExceeded
	}
	var t interface{ Timeout() bool }
	if errors.As(err, &t) {
		e.timeout = t.Timeout()
	}
	return e
}

// scrubbedError is an error whose text had a secret removed.
type scrubbedError struct {
	msg     string
	cause   error // context.Canceled, context.DeadlineExceeded or nil
	timeout bool
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.cause }

// Timeout reports whether the original error was a timeout.
func (e *scrubbedError) Timeout() bool { return e.timeout }

// Temporary is false; it makes the error a net.Error, as the transport
// errors it replaces are.
func (e *scrubbedError) Temporary() bool { return false }
