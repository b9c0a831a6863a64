package main

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzPrintable checks that an endpoint's answer, whatever its bytes, is
// printed as valid UTF-8 without control characters other than newline and
// tab, so that it cannot drive the terminal.
func FuzzPrintable(f *testing.F) {
	for _, s := range []string{"", "{}", "ok\n", "\x1b[2J", "caf\xc3\xa9", "\xff\xfe", "a\tb\r\nc\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		out := printable(b)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 in %q", out)
		}
		if i := strings.IndexFunc(out, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }); i >= 0 {
			t.Fatalf("control character at %d in %q", i, out)
		}
	})
}
