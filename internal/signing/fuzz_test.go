package signing_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stashpay/stashpay-go/internal/signing"
)

func FuzzParseV1(f *testing.F) {
	f.Add("v1;shop;1700000000000;abc=")
	f.Add("v1;;;")
	f.Add("v2;a;1;b")
	f.Add("")
	f.Add("v1;shop;99999999999999999999;x")
	f.Fuzz(func(t *testing.T, header string) {
		h, err := signing.ParseV1(header)
		if err != nil {
			return
		}
		if h.ShopID == "" || h.Signature == "" || h.Millis <= 0 {
			t.Fatalf("accepted incomplete header %q: %+v", header, h)
		}
	})
}

func FuzzVerifyV1(f *testing.F) {
	f.Add([]byte(`{"a":1}`), "shop", int64(1_700_000_000_000))
	f.Add([]byte{}, "", int64(1))
	f.Fuzz(func(t *testing.T, body []byte, shop string, ms int64) {
		k, err := signing.NewKey([]byte("fuzz-key"))
		if err != nil {
			t.Fatal(err)
		}
		now := time.UnixMilli(ms)
		h := k.SignV1(shop, now, body)
		_, verr := k.VerifyV1(h, body, shop, now, 0)
		parsed, perr := signing.ParseV1(h)
		if perr == nil && parsed.ShopID == shop && verr != nil {
			t.Fatalf("own signature rejected: %v", verr)
		}
		if verr == nil {
			// Any change of the body must be rejected.
			mutated := append(append([]byte(nil), body...), 'x')
			if _, err := k.VerifyV1(h, mutated, shop, now, 0); err == nil {
				t.Fatal("mutated body accepted")
			}
		}
	})
}

func FuzzVerifyBody(f *testing.F) {
	f.Add([]byte(`{"type":"PURCHASE_SUCCEEDED"}`), "myp5FsYU7FpC1R6Dk4MUMOdB+boKgeIrffqFBaim0Wo=")
	f.Add([]byte{}, "")
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		k, err := signing.NewKey([]byte("fuzz-key"))
		if err != nil {
			t.Fatal(err)
		}
		_ = k.VerifyBody(body, sig) // must not panic
		good := k.SignBody(body)
		if err := k.VerifyBody(body, good); err != nil {
			t.Fatalf("own signature rejected: %v", err)
		}
		if sig != good && k.VerifyBody(body, sig) == nil {
			// Only surrounding whitespace around the one canonical
			// spelling may pass.
			if strings.TrimSpace(sig) != good {
				t.Fatalf("signature %q accepted, want only %q", sig, good)
			}
		}
	})
}

// secretErrors are the only messages CheckSecret and DecodeKey may return
// for setting: they name the setting and never show the value.
func secretErrors(setting string) []string {
	return []string{
		"invalid secret: " + setting + " is empty",
		"invalid secret: " + setting + " has whitespace at either end",
		"invalid secret: " + setting + " contains control characters",
		"invalid secret: " + setting + " is not base64",
	}
}

// referenceSecretOK is CheckSecret's documented rule, written out rune by
// rune: not empty, no whitespace first or last, no control character.
func referenceSecretOK(s string) bool {
	if s == "" {
		return false
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// FuzzCheckSecret: CheckSecret never panics, accepts exactly the secrets
// of its documented rule, and refuses the others with ErrInvalidSecret and
// a message that names the setting and never shows the value.
func FuzzCheckSecret(f *testing.F) {
	for _, s := range []string{
		"whsec_abc", "", " key", "key\n", "ke\x00y", "k\u0085", "\u00a0k", "k\u2028k",
		"k\x7fk", "\xff\xfe", "\u200bkey\u200b", "key\r\n", "\t",
	} {
		f.Add("EgressConfig.EgressKey", s)
	}
	f.Fuzz(func(t *testing.T, setting, s string) {
		err := signing.CheckSecret(setting, s)
		want := referenceSecretOK(s)
		if err == nil {
			if !want {
				t.Fatalf("accepted secret %q", s)
			}
			return
		}
		if want {
			t.Fatalf("refused secret %q: %v", s, err)
		}
		if !errors.Is(err, signing.ErrInvalidSecret) {
			t.Fatalf("error %v does not match ErrInvalidSecret", err)
		}
		if !slices.Contains(secretErrors(setting)[:3], err.Error()) {
			t.Fatalf("unexpected message %q for secret %q", err.Error(), s)
		}
	})
}

// FuzzDecodeKey: DecodeKey never panics; it refuses what CheckSecret
// refuses; raw keys are the secret's bytes; a base64 key encoded by any of
// the four encodings/base64 alphabets decodes to the bytes encoding/base64
// gives, and an accepted base64 key decodes, non-empty, under one of them;
// errors wrap ErrInvalidSecret and never show the secret.
func FuzzDecodeKey(f *testing.F) {
	f.Add("k", "c2VjcmV0", true)
	f.Add("k", "c2VjcmV0LWtleQ==", true)
	f.Add("k", "-_-_", true)
	f.Add("k", "+/+/", true)
	f.Add("k", "QR", true) // non-zero padding bits
	f.Add("k", "====", true)
	f.Add("k", "c2Vj\ncmV0", true)
	f.Add("k", "plain secret", false)
	f.Add("Webhook.Secret", "AA==", true)
	f.Fuzz(func(t *testing.T, setting, s string, base64Key bool) {
		key, err := signing.DecodeKey(setting, s, base64Key)
		cerr := signing.CheckSecret(setting, s)
		if cerr != nil {
			if err == nil || err.Error() != cerr.Error() {
				t.Fatalf("DecodeKey %v, CheckSecret %v", err, cerr)
			}
			return
		}
		if err != nil {
			if !base64Key {
				t.Fatalf("raw key %q refused: %v", s, err)
			}
			if !errors.Is(err, signing.ErrInvalidSecret) || err.Error() != secretErrors(setting)[3] {
				t.Fatalf("unexpected error %q", err.Error())
			}
			for _, enc := range allEncodings {
				if b, derr := enc.DecodeString(s); derr == nil && len(b) > 0 {
					t.Fatalf("refused %q, which decodes to %x", s, b)
				}
			}
			return
		}
		if len(key) == 0 {
			t.Fatal("empty key accepted")
		}
		if !base64Key {
			if string(key) != s {
				t.Fatalf("raw key %q became %q", s, key)
			}
			return
		}
		if !slices.ContainsFunc(allEncodings, func(enc *base64.Encoding) bool {
			b, derr := enc.DecodeString(s)
			return derr == nil && bytes.Equal(b, key)
		}) {
			t.Fatalf("%q decoded to %x, which no base64 encoding gives", s, key)
		}
	})
}

var allEncodings = []*base64.Encoding{
	base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
}

// FuzzDecodeKeyCanonical: the canonical encoding of any non-empty key, in
// each of the four alphabets and paddings, decodes back to exactly that
// key.
func FuzzDecodeKeyCanonical(f *testing.F) {
	f.Add([]byte("secret"))
	f.Add([]byte{0xfb, 0xff, 0xbf})
	f.Add([]byte{0})
	f.Add([]byte{0xf8})
	f.Add(bytes.Repeat([]byte{0xff}, 64))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) == 0 {
			return
		}
		for _, enc := range allEncodings {
			s := enc.EncodeToString(raw)
			got, err := signing.DecodeKey("k", s, true)
			if err != nil {
				t.Fatalf("canonical %q refused: %v", s, err)
			}
			if !bytes.Equal(got, raw) {
				t.Fatalf("%q decoded to %x, want %x", s, got, raw)
			}
		}
	})
}

// FuzzCheckShopID: CheckShopID never panics and accepts exactly the shop
// IDs of its documented rule: non-empty, not "." or "..", without ';',
// Unicode whitespace or control characters.
func FuzzCheckShopID(f *testing.F) {
	for _, s := range []string{
		"0b8e5d4c-1f2a-4c3b-9d8e-7f6a5b4c3d2e", "", ".", "..", "...", "a;b", "a b",
		"a\u00a0b", "a\u2028", "\u0085", "a\x00", "%2e%2e", "a/b", "\xff", "a\u3000b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		want := id != "" && id != "." && id != ".." &&
			!strings.ContainsFunc(id, func(r rune) bool {
				return r == ';' || unicode.IsSpace(r) || unicode.IsControl(r)
			})
		err := signing.CheckShopID("Credentials.ShopID", id)
		if (err == nil) != want {
			t.Fatalf("CheckShopID(%q) = %v, want accepted %v", id, err, want)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "Credentials.ShopID ") {
			t.Fatalf("message %q does not name the setting", err.Error())
		}
	})
}
