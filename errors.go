package stashpay

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stashpay/stashpay-go/internal/httpx"
	"github.com/stashpay/stashpay-go/internal/redact"
	"github.com/stashpay/stashpay-go/internal/signing"
	"github.com/stashpay/stashpay-go/internal/wire"
)

// Local failures, detected before or without an answer from Stash. They are
// wrapped with details; test for them with errors.Is.
var (
	// ErrMissingCredentials: [NewClient] got neither ShopID+IngressKey nor
	// APIKey, or only one of ShopID and IngressKey.
	ErrMissingCredentials = errors.New("stashpay: missing credentials")
	// ErrAmbiguousCredentials: [NewClient] got both ShopID+IngressKey and
	// APIKey; choose one scheme.
	ErrAmbiguousCredentials = errors.New("stashpay: ambiguous credentials")
	// ErrInvalidCredentials: a credential cannot be used as given (a shop ID
	// with ';' or whitespace, a key with surrounding whitespace or control
	// characters, a key that is not base64 under [WithBase64Key]).
	ErrInvalidCredentials = errors.New("stashpay: invalid credentials")
	// ErrInvalidOption: an [Option] passed to [NewClient] has a bad value.
	ErrInvalidOption = errors.New("stashpay: invalid option")
	// ErrInvalidParams: a method's parameters failed validation; nothing was
	// sent.
	ErrInvalidParams = errors.New("stashpay: invalid params")
	// ErrMalformedResponse: Stash answered 2xx with a body that does not
	// decode into the expected shape.
	ErrMalformedResponse = errors.New("stashpay: malformed response")
	// ErrResponseTooLarge: a 2xx body exceeded the client's read limit.
	ErrResponseTooLarge = errors.New("stashpay: response too large")
)

// Kinds of API errors. An [*APIError] matches one of these with errors.Is
// when its google.rpc code (or, when the body carried none, its HTTP status)
// is the one listed; these values are never returned themselves.
var (
	// ErrInvalidArgument matches code 3 INVALID_ARGUMENT, or HTTP 400.
	ErrInvalidArgument = errors.New("stashpay: invalid argument")
	// ErrUnauthenticated matches code 16 UNAUTHENTICATED, or HTTP 401: a
	// wrong key, shop ID, or a clock more than 5 minutes off.
	ErrUnauthenticated = errors.New("stashpay: unauthenticated")
	// ErrPermissionDenied matches code 7 PERMISSION_DENIED, or HTTP 403.
	ErrPermissionDenied = errors.New("stashpay: permission denied")
	// ErrNotFound matches code 5 NOT_FOUND, or HTTP 404.
	ErrNotFound = errors.New("stashpay: not found")
	// ErrRateLimited matches code 8 RESOURCE_EXHAUSTED, or HTTP 429.
	ErrRateLimited = errors.New("stashpay: rate limited")
	// ErrUnavailable matches code 14 UNAVAILABLE, or HTTP 503.
	ErrUnavailable = errors.New("stashpay: service unavailable")
)

// apiErrorKinds maps each kind to its google.rpc code and HTTP status.
var apiErrorKinds = [...]struct {
	kind   error
	code   int
	status int
}{
	{ErrInvalidArgument, 3, http.StatusBadRequest},
	{ErrUnauthenticated, 16, http.StatusUnauthorized},
	{ErrPermissionDenied, 7, http.StatusForbidden},
	{ErrNotFound, 5, http.StatusNotFound},
	{ErrRateLimited, 8, http.StatusTooManyRequests},
	{ErrUnavailable, 14, http.StatusServiceUnavailable},
}

// rpcCodeNames are the names of the google.rpc.Code values, by number.
var rpcCodeNames = [...]string{
	"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
	"ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
	"ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
	"UNAUTHENTICATED",
}

// APIError is a non-2xx answer from Stash. Stash's error bodies are
// google.rpc.Status ({"code", "message", "details"}); a body that is not
// JSON is kept, shortened, as Message. Use errors.As to get one, and
// errors.Is with [ErrNotFound] and its siblings to test its kind. An APIError
// never holds a key or a signature.
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is the google.rpc.Code of the body (5 NOT_FOUND, 16
	// UNAUTHENTICATED, ...), or 0 when the body carried none; a body's
	// code that is no google.rpc code (a gateway's 404) is kept as sent.
	Code int
	// Message is the body's message, or the start of a non-JSON body.
	Message string
	// Details are the body's details entries, each a JSON object with an
	// "@type" key, as sent; an entry that echoed a secret is re-encoded
	// with the secret replaced by "[redacted]" (its member order may then
	// differ).
	Details []json.RawMessage
	// RequestID is the request identifier a response header carried
	// (X-Request-Id and similar), for Stash support; empty if none.
	RequestID string
	// RetryAfter is the wait the server asked for with a Retry-After header
	// (or a google.rpc.RetryInfo detail); 0 if none.
	RetryAfter time.Duration
	// Method and Path identify the request (the path has no query).
	Method, Path string
}

// Error returns a one-line description such as
// "stashpay: GET /sdk/server/payment/x: HTTP 404 Not Found (NOT_FOUND): no
// such payment [request ID abc]".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("stashpay: ")
	if e.Method != "" {
		b.WriteString(e.Method + " " + e.Path + ": ")
	}
	b.WriteString("HTTP " + strconv.Itoa(e.StatusCode))
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	if e.Code != 0 {
		b.WriteString(" (" + rpcCodeName(e.Code) + ")")
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" [request ID " + e.RequestID + "]")
	}
	return b.String()
}

// Is reports whether e is of the kind target, one of [ErrInvalidArgument],
// [ErrUnauthenticated], [ErrPermissionDenied], [ErrNotFound],
// [ErrRateLimited] and [ErrUnavailable]. The google.rpc code decides when
// present, the HTTP status otherwise, also when the body's code is no
// google.rpc code (a gateway's {"code":404}).
func (e *APIError) Is(target error) bool {
	for _, k := range apiErrorKinds {
		if k.kind != target {
			continue
		}
		if e.Code > 0 && e.Code < len(rpcCodeNames) {
			return e.Code == k.code
		}
		return e.StatusCode == k.status
	}
	return false
}

// Temporary reports whether the same request may succeed later: the status
// is one the client retries (408, 409, 429, 5xx except 501), unless the
// body's google.rpc code is 6 ALREADY_EXISTS. grpc-gateway answers both
// ABORTED (a transient conflict) and ALREADY_EXISTS (a permanent one, such
// as a transaction ID already used for another purchase) with 409; only the
// first may succeed when sent again.
func (e *APIError) Temporary() bool {
	return httpx.RetryableStatus(e.StatusCode) && e.Code != codeAlreadyExists
}

// codeAlreadyExists is google.rpc.Code ALREADY_EXISTS.
const codeAlreadyExists = 6

func rpcCodeName(code int) string {
	if code >= 0 && code < len(rpcCodeNames) {
		return rpcCodeNames[code]
	}
	return "code " + strconv.Itoa(code)
}

// checkResponse turns a non-2xx response into an *APIError: it reads at most
// maxErrorBody bytes of the body, drains a bounded remainder and closes it,
// decodes the body, and removes any echo of secrets (see [Client.secretsOf]).
func (c *Client) checkResponse(resp *http.Response, method, path string, secrets []string) *APIError {
	body, truncated, err := httpx.ReadLimited(resp.Body, maxErrorBody, min(resp.ContentLength, maxErrorBody))
	if truncated || err == nil {
		_ = resp.Body.Close() // at EOF, or too much left to be worth draining
	} else {
		httpx.DrainAndClose(resp.Body, drainLimit)
	}
	e := decodeAPIError(resp.StatusCode, resp.Header, body, c.now(), secrets)
	e.Method = method
	e.Path, _, _ = strings.Cut(path, "?")
	return e
}

// secretsOf returns the texts that must never reach an error or a log line
// after an attempt that sent the authentication header value sentAuth: the
// keys, sentAuth itself and, for a v1 header, its bare signature.
func (c *Client) secretsOf(sentAuth string) []string {
	keys := c.auth.secrets()
	secrets := append(keys[:len(keys):len(keys)], sentAuth)
	if i := strings.LastIndexByte(sentAuth, ';'); i >= 0 {
		secrets = append(secrets, sentAuth[i+1:])
	}
	return secrets
}

// Limits of the text an APIError keeps.
const (
	maxMessageLen   = 1024
	maxSnippetLen   = 256
	maxRequestIDLen = 128
	maxStatusLen    = 128 // an unknown PaymentEvent.Status
)

// requestIDHeaders are the headers a request ID is taken from, in order.
var requestIDHeaders = [...]string{
	"X-Request-Id", "Request-Id", "X-Correlation-Id", "Grpc-Metadata-X-Request-Id", "X-Amzn-Requestid",
}

// requestIDFrom returns the first request ID header value of h, as sent.
func requestIDFrom(h http.Header) string {
	for _, name := range requestIDHeaders {
		if v := h.Get(name); v != "" {
			return v
		}
	}
	return ""
}

// rpcStatus is google.rpc.Status as grpc-gateway writes it. Code is raw so
// that a code name ("NOT_FOUND") is accepted as well as a number; Error is
// the extra field of older grpc-gateway versions.
type rpcStatus struct {
	Code    json.RawMessage   `json:"code"`
	Message string            `json:"message"`
	Error   string            `json:"error"`
	Details []json.RawMessage `json:"details"`
}

// decodeAPIError builds an APIError from a status, headers and a bounded
// body. It accepts any body: JSON that is not a google.rpc.Status, or no
// JSON at all, leaves a shortened, printable copy of the body as Message.
// Every secret is removed from the texts taken from the network (message,
// details, request ID) before any text is shortened, in case a proxy or
// server echoed a request header back; the SDK's own wording is composed
// around them by [APIError.Error] and never scrubbed.
func decodeAPIError(status int, h http.Header, body []byte, now time.Time, secrets []string) *APIError {
	e := &APIError{StatusCode: status}
	if v := requestIDFrom(h); v != "" {
		e.RequestID = apiErrorText(redact.Text(v, secrets), maxRequestIDLen)
	}
	if d, ok := httpx.ParseRetryAfter(h.Get("Retry-After"), now); ok {
		e.RetryAfter = d
	}
	var s rpcStatus
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' && wire.Unmarshal(trimmed, &s) == nil {
		e.Code = parseRPCCode(s.Code)
		e.Message = apiErrorText(redact.Text(s.Message, secrets), maxMessageLen)
		if e.Message == "" {
			e.Message = apiErrorText(redact.Text(s.Error, secrets), maxMessageLen)
		}
		for _, d := range s.Details {
			if len(d) > 0 && !bytes.Equal(d, []byte("null")) {
				e.Details = append(e.Details, redact.JSON(d, secrets))
			}
		}
		if e.RetryAfter == 0 {
			e.RetryAfter = retryInfoDelay(e.Details)
		}
		return e
	}
	snippet := trimmed
	if json.Valid(trimmed) {
		// JSON the reader refused (invalid UTF-8, a lone surrogate): its
		// meaning is scrubbed too, whatever escapes spell a secret.
		snippet = redact.JSON(trimmed, secrets)
	}
	e.Message = apiErrorText(redact.Text(string(snippet), secrets), maxSnippetLen)
	return e
}

// parseRPCCode reads a code given as a number (or digit string) or as its
// name, in any case; anything else is 0.
func parseRPCCode(raw json.RawMessage) int {
	name, err := wire.Enum(raw, rpcCodeNames[:])
	if err != nil {
		return 0
	}
	for i, v := range rpcCodeNames {
		if strings.EqualFold(v, name) {
			return i
		}
	}
	n, _ := strconv.ParseInt(name, 10, 32) // a number outside the names
	return int(n)
}

// retryInfoDelay returns the retryDelay of a google.rpc.RetryInfo detail.
func retryInfoDelay(details []json.RawMessage) time.Duration {
	for _, d := range details {
		var ri struct {
			Type       string `json:"@type"`
			RetryDelay string `json:"retryDelay"`
		}
		if wire.Unmarshal(d, &ri) != nil || !strings.HasSuffix(ri.Type, "google.rpc.RetryInfo") {
			continue
		}
		if v, err := time.ParseDuration(ri.RetryDelay); err == nil && v > 0 {
			return v
		}
	}
	return 0
}

// apiErrorText returns s as valid UTF-8 with control characters turned into
// spaces, trimmed, and cut to at most limit bytes (marked with "...").
func apiErrorText(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if signing.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if len(s) <= limit {
		return s
	}
	cut := limit - 3
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
