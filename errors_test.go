package stashpay_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go"
)

func TestAPIErrorDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		body    string
		header  []string
		code    int
		message string
		details int
		reqID   string
	}{
		{"google.rpc.Status", 400, `{"code":3,"message":"item.id is required","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"item.id"}]}]}`,
			nil, 3, "item.id is required", 1, ""},
		{"code as a name", 403, `{"code":"PERMISSION_DENIED","message":"no"}`, nil, 7, "no", 0, ""},
		{"old gateway error field", 401, `{"error":"bad signature","code":16}`, nil, 16, "bad signature", 0, ""},
		{"null details skipped", 400, `{"code":3,"message":"m","details":[null]}`, nil, 3, "m", 0, ""},
		{"HTML", 502, "<html><body>Bad Gateway</body></html>\n", nil, 0, "<html><body>Bad Gateway</body></html>", 0, ""},
		{"empty body", 503, "", nil, 0, "", 0, ""},
		{"JSON array", 400, `[1,2]`, nil, 0, "[1,2]", 0, ""},
		{"control characters", 400, "line1\r\nline2\x00end", nil, 0, "line1  line2 end", 0, ""},
		{"invalid UTF-8", 400, "bad \xff\xfe bytes", nil, 0, "bad \uFFFD bytes", 0, ""},
		{"request ID", 404, `{"code":5}`, []string{"X-Request-Id", "abc-123"}, 5, "", 0, "abc-123"},
		{"gateway request ID", 404, `{"code":5}`, []string{"Grpc-Metadata-X-Request-Id", "g-9"}, 5, "", 0, "g-9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _, _ := newFake(t, v1Creds(), []httpmock.Responder{jsonResponder(tt.status, tt.body, tt.header...)}, stashpay.WithMaxRetries(0))
			_, err := c.GetPaymentEvent(t.Context(), "p")
			var apiErr *stashpay.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, tt.code, apiErr.Code)
			assert.Equal(t, tt.message, apiErr.Message)
			assert.Len(t, apiErr.Details, tt.details)
			assert.Equal(t, tt.reqID, apiErr.RequestID)
		})
	}
}

func TestAPIErrorOversizedBody(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("é", 1<<20) // 2 MiB of two-byte runes
	mt := httpmock.NewMockTransport()
	resp := httpmock.NewStringResponder(500, huge)
	mt.RegisterNoResponder(resp)
	c, err := stashpay.NewClient(v1Creds(), stashpay.WithHTTPClient(&http.Client{Transport: mt}), stashpay.WithMaxRetries(0))
	require.NoError(t, err)
	_, err = c.GetPaymentEvent(t.Context(), "p")
	var apiErr *stashpay.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.LessOrEqual(t, len(apiErr.Message), 256)
	assert.True(t, utf8.ValidString(apiErr.Message), "cut on a rune boundary")
	assert.True(t, strings.HasSuffix(apiErr.Message, "..."))
	assert.Less(t, len(err.Error()), 400)
}

func TestAPIErrorIs(t *testing.T) {
	t.Parallel()
	kinds := []error{
		stashpay.ErrInvalidArgument, stashpay.ErrUnauthenticated, stashpay.ErrPermissionDenied,
		stashpay.ErrNotFound, stashpay.ErrRateLimited, stashpay.ErrUnavailable,
	}
	tests := []struct {
		name string
		err  *stashpay.APIError
		want error // nil: matches none
	}{
		{"code 3", &stashpay.APIError{StatusCode: 400, Code: 3}, stashpay.ErrInvalidArgument},
		{"code 16", &stashpay.APIError{StatusCode: 401, Code: 16}, stashpay.ErrUnauthenticated},
		{"code 7", &stashpay.APIError{StatusCode: 403, Code: 7}, stashpay.ErrPermissionDenied},
		{"code 5", &stashpay.APIError{StatusCode: 404, Code: 5}, stashpay.ErrNotFound},
		{"code 8", &stashpay.APIError{StatusCode: 429, Code: 8}, stashpay.ErrRateLimited},
		{"code 14", &stashpay.APIError{StatusCode: 503, Code: 14}, stashpay.ErrUnavailable},
		{"status only 404", &stashpay.APIError{StatusCode: 404}, stashpay.ErrNotFound},
		{"status only 401", &stashpay.APIError{StatusCode: 401}, stashpay.ErrUnauthenticated},
		{"code wins over status", &stashpay.APIError{StatusCode: 404, Code: 16}, stashpay.ErrUnauthenticated},
		{"internal", &stashpay.APIError{StatusCode: 500, Code: 13}, nil},
		{"teapot", &stashpay.APIError{StatusCode: 418}, nil},
		{"gateway code 404", &stashpay.APIError{StatusCode: 404, Code: 404}, stashpay.ErrNotFound},
		{"gateway code 503", &stashpay.APIError{StatusCode: 503, Code: 503}, stashpay.ErrUnavailable},
		{"negative code", &stashpay.APIError{StatusCode: 429, Code: -1}, stashpay.ErrRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, k := range kinds {
				assert.Equal(t, k == tt.want, errors.Is(tt.err, k), "%v", k)
			}
			assert.False(t, errors.Is(tt.err, stashpay.ErrInvalidParams))
		})
	}
}

func TestAPIErrorMessageAndTemporary(t *testing.T) {
	t.Parallel()
	e := &stashpay.APIError{StatusCode: 404, Code: 5, Message: "no such payment", RequestID: "r1", Method: "GET", Path: "/sdk/server/payment/x"}
	assert.Equal(t, "stashpay: GET /sdk/server/payment/x: HTTP 404 Not Found (NOT_FOUND): no such payment [request ID r1]", e.Error())
	assert.False(t, e.Temporary())
	assert.Equal(t, "stashpay: HTTP 503 Service Unavailable (code 99)", (&stashpay.APIError{StatusCode: 503, Code: 99}).Error())
	assert.True(t, (&stashpay.APIError{StatusCode: 503}).Temporary())
}

// TestAPIErrorScrubsEchoedSecrets: a proxy that echoes request headers into
// its error body or its response headers must not make the key or the
// signature reach the error, however the error is printed.
func TestAPIErrorScrubsEchoedSecrets(t *testing.T) {
	t.Parallel()
	// authOf returns the value of the authentication header sent, and the
	// bare signature of a v1 header (the whole value otherwise).
	authOf := func(req *http.Request) (string, string) {
		v := req.Header.Get("X-Stash-Hmac-Signature") + req.Header.Get("X-Stash-Api-Key")
		return v, v[strings.LastIndexByte(v, ';')+1:]
	}
	echoes := map[string]func(req *http.Request) (*http.Response, error){
		"all headers in the message and details": func(req *http.Request) (*http.Response, error) {
			var b strings.Builder
			b.WriteString(`{"code":16,"message":"rejected headers: `)
			for k, v := range req.Header {
				b.WriteString(k + "=" + strings.Join(v, ",") + " ")
			}
			full, _ := authOf(req)
			b.WriteString(`","details":[{"@type":"x","sig":"` + full + `"}]}`)
			return httpmock.NewStringResponse(401, b.String()), nil
		},
		"bare signature, slashes escaped": func(req *http.Request) (*http.Response, error) {
			_, sig := authOf(req)
			esc := strings.ReplaceAll(sig, "/", `\/`)
			body := `{"code":16,"message":"bad signature ` + esc + `","details":[{"@type":"x","got":"` + esc + `","raw":"` + sig + `"}]}`
			return httpmock.NewStringResponse(401, body), nil
		},
		"bare signature in a non-JSON body": func(req *http.Request) (*http.Response, error) {
			_, sig := authOf(req)
			return httpmock.NewStringResponse(401, "<html>denied: "+sig+"</html>"), nil
		},
		"whole header percent-encoded in a non-JSON body": func(req *http.Request) (*http.Response, error) {
			full, _ := authOf(req)
			return httpmock.NewStringResponse(401, "denied: auth="+url.QueryEscape(full)), nil
		},
		"escaped signature in a body of two JSON values": func(req *http.Request) (*http.Response, error) {
			_, sig := authOf(req)
			return httpmock.NewStringResponse(401, `{"message":"bad","got":"`+gsonEscape(sig)+`"} {"trailer":1}`), nil
		},
		"signature as the request ID": func(req *http.Request) (*http.Response, error) {
			full, sig := authOf(req)
			resp := httpmock.NewStringResponse(401, `{"code":16,"message":"no"}`)
			resp.Header.Set("X-Request-Id", sig+" "+full)
			return resp, nil
		},
	}
	creds := map[string]stashpay.Credentials{"v1": v1Creds(), "legacy": {APIKey: testAPIKey}}
	// A fixed clock at which the v1 signature of the GET contains a '/', so
	// that the escaped form is really exercised.
	clock := time.Now()
	for key := mustKey(t, testIngressKey); !strings.Contains(key.SignV1(testShopID, clock, nil), "/"); {
		clock = clock.Add(time.Millisecond)
	}
	for echoName, echo := range echoes {
		for credName, cr := range creds {
			t.Run(echoName+"/"+credName, func(t *testing.T) {
				t.Parallel()
				c, f, _ := newFake(t, cr, []httpmock.Responder{echo}, stashpay.WithClockForTest(func() time.Time { return clock }))
				_, err := c.GetPaymentEvent(t.Context(), "p")
				require.ErrorIs(t, err, stashpay.ErrUnauthenticated)
				var apiErr *stashpay.APIError
				require.ErrorAs(t, err, &apiErr)
				reqs := f.requests()
				require.Len(t, reqs, 1)
				full, sig := authOf(&http.Request{Header: reqs[0].Header})
				require.NotEmpty(t, sig)
				printed := []string{err.Error(), apiErr.Message, apiErr.RequestID}
				for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
					printed = append(printed, fmt.Sprintf(verb, err), fmt.Sprintf(verb, apiErr), fmt.Sprintf(verb, *apiErr))
				}
				for _, d := range apiErr.Details {
					printed = append(printed, string(d))
				}
				for _, out := range printed {
					for _, secret := range []string{testAPIKey, testIngressKey, full, sig, strings.ReplaceAll(sig, "/", `\/`),
						url.QueryEscape(full), url.QueryEscape(sig), gsonEscape(sig)} {
						assert.NotContains(t, out, secret)
					}
				}
				assert.Contains(t, strings.Join(printed, " "), "[redacted]", "the echo is visible as redacted")
			})
		}
	}
}

// TestAPIErrorDetailsScrubbedWhateverTheEscapes: a server that echoes the
// key, the whole v1 header or the bare signature into a detail, spelled
// with any JSON escapes (Gson's \u003d for '=', \u002b for '+', "\/", every
// character as \uXXXX), gives details whose meaning never holds them.
func TestAPIErrorDetailsScrubbedWhateverTheEscapes(t *testing.T) {
	t.Parallel()
	const apiKey = "ak_S3CR3T+legacy/APIKEY=fedcba98"
	spell := map[string]func(s string) string{
		"raw":   func(s string) string { return s },
		"slash": func(s string) string { return strings.ReplaceAll(s, "/", `\/`) },
		"gson":  strings.NewReplacer("=", `\u003d`, "+", `\u002b`).Replace,
		"gson and slash": func(s string) string {
			return strings.NewReplacer("=", `\u003d`, "+", `\u002b`, "/", `\/`).Replace(s)
		},
		"all escaped": func(s string) string {
			var b strings.Builder
			for _, r := range s {
				fmt.Fprintf(&b, `\u%04X`, r)
			}
			return b.String()
		},
	}
	// A fixed clock at which the v1 signature of the GET holds '+', '/'
	// and '=', so that every escape is really exercised.
	clock := time.Now()
	for key := mustKey(t, testIngressKey); !strings.ContainsAny(key.SignV1(testShopID, clock, nil), "+") ||
		!strings.Contains(key.SignV1(testShopID, clock, nil), "/"); {
		clock = clock.Add(time.Millisecond)
	}
	creds := map[string]stashpay.Credentials{"v1": v1Creds(), "legacy": {APIKey: apiKey}}
	for credName, cr := range creds {
		for spellName, sp := range spell {
			t.Run(credName+"/"+spellName, func(t *testing.T) {
				t.Parallel()
				echo := func(req *http.Request) (*http.Response, error) {
					full := req.Header.Get("X-Stash-Hmac-Signature") + req.Header.Get("X-Stash-Api-Key")
					sig := full[strings.LastIndexByte(full, ';')+1:]
					var details []string
					for _, s := range []string{full, sig, cr.IngressKey + cr.APIKey} {
						details = append(details,
							`{"@type":"x","value":"`+sp(s)+`"}`,
							`{"@type":"x","`+sp(s)+`":{"in":["`+sp(s)+` and more"]}}`)
					}
					body := `{"code":16,"message":"no","details":[` + strings.Join(details, ",") + `]}`
					return httpmock.NewStringResponse(401, body), nil
				}
				c, f, _ := newFake(t, cr, []httpmock.Responder{echo}, stashpay.WithClockForTest(func() time.Time { return clock }))
				_, err := c.GetPaymentEvent(t.Context(), "p")
				var apiErr *stashpay.APIError
				require.ErrorAs(t, err, &apiErr)
				require.Len(t, apiErr.Details, 6)
				reqs := f.requests()
				require.Len(t, reqs, 1)
				full := reqs[0].Header.Get("X-Stash-Hmac-Signature") + reqs[0].Header.Get("X-Stash-Api-Key")
				secrets := []string{cr.IngressKey + cr.APIKey, full, full[strings.LastIndexByte(full, ';')+1:]}
				for _, d := range apiErr.Details {
					var v any
					require.NoError(t, json.Unmarshal(d, &v), "%s", d)
					decoded := fmt.Sprintf("%v", v) // every member name and value, unescaped
					for _, s := range secrets {
						assert.NotContains(t, decoded, s, "decoded from %s", d)
						assert.NotContains(t, string(d), s)
					}
					assert.Contains(t, decoded, "[redacted]")
				}
			})
		}
	}
}

// TestRedactionKeepsSDKWording: with keys so short that they occur in the
// SDK's own messages, the SDK's wording stays intact; only what the network
// sent is scrubbed.
func TestRedactionKeepsSDKWording(t *testing.T) {
	t.Parallel()
	const stashMessage = "X-Stash-Api-Key is not supported for this shop; sign requests with x-stash-hmac-signature"
	for _, key := range []string{"x", "stash", "POST", "1", "Post", "sdk"} {
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			c, _, _ := newFake(t, stashpay.Credentials{APIKey: key},
				[]httpmock.Responder{jsonResponder(401, `{"code":16,"message":"`+stashMessage+`"}`, "X-Request-Id", "req-1.x")},
				stashpay.WithMaxRetries(0))
			_, err := c.CreateCheckout(t.Context(), minimalCheckout())
			require.Error(t, err)
			assert.Equal(t, "stashpay: POST /sdk/server/checkout_links/generate_quick_pay_url: HTTP 401 Unauthorized (UNAUTHENTICATED): "+
				stashMessage+" [request ID req-1.x]", err.Error())

			// A transport error: the SDK's prefix, the operation and the URL
			// are the SDK's own; net/http's wording survives too.
			srv := newEchoServer(t, func(string, string) string { return "HTTP/1.1 abc OK\r\n\r\n" })
			base := "http://" + srv.ln.Addr().String()
			c, err = stashpay.NewClient(stashpay.Credentials{APIKey: key}, stashpay.WithBaseURL(base), stashpay.WithMaxRetries(0))
			require.NoError(t, err)
			_, err = c.CreateCheckout(t.Context(), minimalCheckout())
			require.Error(t, err)
			assert.Equal(t, `stashpay: POST /sdk/server/checkout_links/generate_quick_pay_url: Post "`+base+
				`/sdk/server/checkout_links/generate_quick_pay_url": net/http: HTTP/1.x transport connection broken: malformed HTTP status code "abc"`,
				err.Error())
		})
	}
}

// TestAPIErrorRefusedJSONBodyScrubbed: an error body that is JSON but that
// the SDK's reader refuses (invalid UTF-8, an escaped lone surrogate) is kept
// as a snippet; a secret spelled with JSON escapes in it is scrubbed too.
func TestAPIErrorRefusedJSONBodyScrubbed(t *testing.T) {
	t.Parallel()
	const apiKey = "ak_S3CR3T+legacy/APIKEY=fedcba98"
	gson := strings.NewReplacer("=", `\u003d`, "+", `\u002b`, "/", `\/`).Replace(apiKey)
	for name, tail := range map[string]string{"invalid UTF-8": "\xff", "lone surrogate": `\ud800`} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body := `{"code":16,"message":"bad key ` + gson + `","x":"` + tail + `"}`
			c, _, _ := newFake(t, stashpay.Credentials{APIKey: apiKey}, []httpmock.Responder{jsonResponder(401, body)})
			_, err := c.GetPaymentEvent(t.Context(), "p")
			var apiErr *stashpay.APIError
			require.ErrorAs(t, err, &apiErr)
			for _, s := range []string{apiKey, gson, `ak_S3CR3T\u002b`} {
				assert.NotContains(t, err.Error(), s)
			}
			assert.Contains(t, apiErr.Message, "[redacted]")
		})
	}
}

// gsonEscape writes s as Gson's JSON string escapes do: '/' as "\/", '+'
// as \u002b and '=' as \u003d.
func gsonEscape(s string) string {
	return strings.NewReplacer("/", `\/`, "+", `\u002b`, "=", `\u003d`).Replace(s)
}
