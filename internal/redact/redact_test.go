package redact_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/internal/redact"
)

func TestSecretAndValue(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, secret, value string }{
		{"", `""`, ""},
		{"k", "[redacted]", "[redacted]"},
		{"a long key with \"quotes\"", "[redacted]", "[redacted]"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.secret, redact.Secret(tt.in), "%q", tt.in)
		assert.Equal(t, tt.value, redact.Value(tt.in), "%q", tt.in)
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	const key = "ak_S3CR3T+key/value=="
	tests := []struct {
		name    string
		in      string
		secrets []string
		want    string
	}{
		{"raw", "got " + key + " twice " + key, []string{key}, "got [redacted] twice [redacted]"},
		{"Go-quoted form", fmt.Sprintf("bad %q", `q"k\ey-long`), []string{`q"k\ey-long`}, `bad "[redacted]"`},
		{"longest first", "h=v1;shop;1;" + key, []string{key, "v1;shop;1;" + key}, "h=[redacted]"},
		{"empty secrets ignored", "text", []string{"", ""}, "text"},
		{"no secrets", "text", nil, "text"},
		{"inside a word, long", "abc" + key + "def", []string{key}, "abc[redacted]def"},
		{"short alone", `code "x" rejected`, []string{"x"}, `code "[redacted]" rejected`},
		{"short after '='", "key=stash;", []string{"stash"}, "key=[redacted];"},
		{"short inside a header name", "sign requests with x-stash-hmac-signature", []string{"x"}, "sign requests with x-stash-hmac-signature"},
		{"short inside a header name 2", "x-stash-hmac-signature", []string{"stash"}, "x-stash-hmac-signature"},
		{"short inside a version", "HTTP/1.x transport", []string{"1"}, "HTTP/1.x transport"},
		{"short at both ends", "POST x POST", []string{"POST"}, "[redacted] x [redacted]"},
		{"short inside UTF-8", "éxé", []string{"x"}, "éxé"},
		{"short overlapping an occurrence inside a word", "x!!!", []string{"!!"}, "x![redacted]"},
		{"short overlapping twice", "a==== b", []string{"=="}, "a=[redacted]= b"},
		{"percent-encoded", "auth=ak_S3CR3T%2Bkey%2Fvalue%3D%3D", []string{key}, "[redacted]"},
		{"JSON escapes outside JSON", `{"k":"ak_S3CR3T\u002bkey\/value=="} {}`, []string{key}, "[redacted]"},
		{"percent-encoded JSON escape", `ak_S3CR3T%5Cu002bkey/value==`, []string{key}, "[redacted]"},
		{"escapes without a secret kept", `100% sure: a\/b %41`, []string{key}, `100% sure: a\/b %41`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, redact.Text(tt.in, tt.secrets))
			assert.Equal(t, tt.want != tt.in, redact.Contains(tt.in, tt.secrets))
		})
	}
}

// spellings returns s written as a JSON string (quotes included) in every
// way a JSON encoder may write it: raw, as encoding/json escapes it, with
// "\/", with Gson's \u003d and \u002b, and wholly as \uXXXX escapes, in
// both hex cases.
func spellings(s string) []string {
	enc, _ := json.Marshal(s)
	inner := string(enc[1 : len(enc)-1])
	var all, allUpper strings.Builder
	for _, r := range s {
		fmt.Fprintf(&all, `\u%04x`, r)
		fmt.Fprintf(&allUpper, `\u%04X`, r)
	}
	gson := strings.NewReplacer("=", `\u003d`, "+", `\u002b`, "<", `\u003c`, ">", `\u003e`).Replace(inner)
	return []string{
		`"` + inner + `"`,
		`"` + strings.ReplaceAll(inner, "/", `\/`) + `"`,
		`"` + gson + `"`,
		`"` + strings.ReplaceAll(gson, "/", `\/`) + `"`,
		`"` + strings.ReplaceAll(gson, `\u`, `\U`) + `"`, // not an escape: rejected by the decoder
		`"` + all.String() + `"`,
		`"` + allUpper.String() + `"`,
	}
}

// strings of a decoded JSON value: every string value, member name and
// number text.
func decodedTexts(t *testing.T, b []byte) []string {
	t.Helper()
	var v any
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&v), "%s", b)
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case json.Number:
			out = append(out, string(x))
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for k, e := range x {
				out = append(out, k)
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// TestJSONEverySpelling: whatever escapes spell a secret in a JSON value, as
// a value or as a member name, what the result means holds no secret, and
// neither do its bytes.
func TestJSONEverySpelling(t *testing.T) {
	t.Parallel()
	const key = "ik_S3CR3T+ingress/KEY=0123"
	const sig = "q+3/Tn7xYk0Zb4Jc9u2mWf8hLrA1sVdEoGiPyNtKXw4="
	header := "v1;shop-1;1763899200000;" + sig
	secrets := []string{key, header, sig}
	for _, sec := range secrets {
		for i, sp := range spellings(sec) {
			docs := []string{
				`{"@type":"x","value":` + sp + `}`,
				`{"@type":"x",` + sp + `:1}`,
				`{"@type":"x","nested":[{"deeper":[` + sp + `,2,true,null]}]}`,
				`{"@type":"x","msg":"before ` + strings.Trim(sp, `"`) + ` after"}`,
			}
			for j, doc := range docs {
				t.Run(fmt.Sprintf("%.8s/%d/%d", sec, i, j), func(t *testing.T) {
					t.Parallel()
					out := redact.JSON([]byte(doc), secrets)
					require.True(t, json.Valid(out), "%s", out)
					for _, s := range secrets {
						assert.NotContains(t, string(out), s)
						for _, txt := range decodedTexts(t, out) {
							assert.NotContains(t, txt, s, "decoded from %s", out)
						}
					}
				})
			}
		}
	}
}

func TestJSON(t *testing.T) {
	t.Parallel()
	secrets := []string{"sk_secret_value"}
	tests := []struct{ name, in, want string }{
		{"untouched as sent", `{ "b" : 1, "a":[1.50, "x"] }`, `{ "b" : 1, "a":[1.50, "x"] }`},
		{"scrubbed, numbers kept", `{"b":1.50,"a":"sk_secret_value"}`, `{"a":"[redacted]","b":1.50}`},
		{"no HTML escaping", `{"a":"<sk_secret_value>&"}`, `{"a":"<[redacted]>&"}`},
		{"member name", `{"sk_secret_value":true}`, `{"[redacted]":true}`},
		{"escaped spelling", `{"a":"sk\u005fsecret\u005fvalue"}`, `{"a":"[redacted]"}`},
		{"invalid UTF-8 re-encoded", "{\"a\":\"\xff\"}", `{"a":"` + "\uFFFD" + `"}`},
		{"not JSON", `{"a":`, `"[redacted]"`},
		{"trailing data", `{} {}`, `"[redacted]"`},
		{"empty", ``, `"[redacted]"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, string(redact.JSON([]byte(tt.in), secrets)))
		})
	}
	// A secret spelled across tokens is still refused.
	assert.Equal(t, `"[redacted]"`, string(redact.JSON([]byte(`{"a":1,"b":2}`), []string{`1,"b":2`})))
}

type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout reading sk_secret_value" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func TestError(t *testing.T) {
	t.Parallel()
	secrets := []string{"sk_secret_value"}
	clean := errors.New("connection refused")
	assert.Same(t, clean, redact.Error(clean, secrets), "an error without secrets is kept as is")
	assert.NoError(t, redact.Error(nil, secrets))

	tests := []struct {
		name    string
		err     error
		is      error
		timeout bool
	}{
		{"canceled", fmt.Errorf("op sk_secret_value: %w", context.Canceled), context.Canceled, false},
		{"deadline", fmt.Errorf("op sk_secret_value: %w", context.DeadlineExceeded), context.DeadlineExceeded, true},
		{"timeout", fmt.Errorf("read: %w", timeoutError{}), nil, true},
		{"plain", errors.New("bad sk_secret_value"), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := redact.Error(tt.err, secrets)
			assert.NotContains(t, got.Error(), "sk_secret_value")
			assert.NotContains(t, fmt.Sprintf("%+v %#v", got, got), "sk_secret_value")
			assert.Contains(t, got.Error(), "[redacted]")
			for e := errors.Unwrap(got); e != nil; e = errors.Unwrap(e) {
				assert.NotContains(t, e.Error(), "sk_secret_value", "the chain hides the original")
			}
			if tt.is != nil {
				assert.ErrorIs(t, got, tt.is)
			}
			var ne net.Error
			require.ErrorAs(t, got, &ne)
			assert.Equal(t, tt.timeout, ne.Timeout())
		})
	}
}

// FuzzJSON: for any input and any secret, the result is valid JSON whose
// bytes and meaning hold no secret of MinAnywhere bytes or more.
func FuzzJSON(f *testing.F) {
	f.Add([]byte(`{"@type":"x","v":"sk\u005fsecret=="}`), "sk_secret==")
	f.Add([]byte(`{"sk_secret==":[1,2.5e3,"a\/b"]}`), "sk_secret==")
	f.Add([]byte(`[1,"\u0031\u0032\u0033\u0034\u0035\u0036\u0037\u0038"]`), "12345678")
	f.Add([]byte("{\"a\":\"\xff\"}"), "\uFFFD\uFFFD\uFFFD")
	f.Fuzz(func(t *testing.T, b []byte, secret string) {
		if len(secret) < redact.MinAnywhere || strings.Contains(`"`+redact.Marker+`"`, secret) {
			return // too short to be removed everywhere, or part of the marker
		}
		secrets := []string{secret}
		out := redact.JSON(b, secrets)
		if !json.Valid(out) {
			t.Fatalf("invalid JSON %q", out)
		}
		if !utf8.ValidString(secret) {
			return // a decoded text is valid UTF-8 and cannot hold it
		}
		if strings.Contains(string(out), secret) {
			t.Fatalf("secret in %q", out)
		}
		for _, txt := range decodedTexts(t, out) {
			if strings.Contains(txt, secret) {
				t.Fatalf("secret decoded from %q", out)
			}
		}
	})
}
