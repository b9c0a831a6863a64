package stashpay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/stashpay/stashpay-go/internal/httpx"
	"github.com/stashpay/stashpay-go/internal/redact"
	"github.com/stashpay/stashpay-go/internal/wire"
)

// Header names of the two ingress authentication schemes.
const (
	headerSignature = "X-Stash-Hmac-Signature" // x-stash-hmac-signature, canonical form
	headerAPIKey    = "X-Stash-Api-Key"
)

// Body size limits. Stash's responses are a few hundred bytes; the limits
// only stop a misbehaving peer from making the client read without bound.
const (
	maxSuccessBody = 1 << 20  // a 2xx body larger than this is ErrResponseTooLarge
	maxErrorBody   = 64 << 10 // an error body is read up to this size
	drainLimit     = 64 << 10 // at most this much is discarded before closing
)

// doRequest sends method path with body (nil for a GET, which then signs an
// empty body) and decodes the body of the 2xx response into out. It retries
// as the package documentation describes: every attempt is a new request
// with the same body bytes and a fresh signature. A non-2xx answer that is
// not retried is returned as an *APIError. It returns the 2xx body.
//
// Every text that came from the network and reaches an error or the log
// (a transport error, a body read error, a decoding error, the request ID)
// goes through the redaction helper; the SDK's own wording around it is
// composed afterwards and never scrubbed.
func (c *Client) doRequest(ctx context.Context, method, path string, body []byte, out any) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("stashpay: %s %s: %w", method, path, err)
	}
	target := c.baseURL + path
	for attempt := 1; ; attempt++ {
		start := time.Now()
		var (
			data       []byte
			result     error
			retry      bool
			status     int
			requestID  string
			retryAfter time.Duration
		)
		// auth is the authentication header value sent; c.secretsOf(auth),
		// what must not reach an error or the log, is built only when needed.
		resp, auth, err := c.send(ctx, method, target, body)
		switch {
		case err != nil:
			result = transportError(method, path, target, err, c.secretsOf(auth))
			// A timeout of this attempt alone (http.Client.Timeout) is
			// retried like any network error while ctx is still live.
			retry = httpx.RetryableAttempt(ctx, err)
		case resp.StatusCode >= 200 && resp.StatusCode <= 299:
			status = resp.StatusCode
			if c.logger != nil {
				requestID = apiErrorText(redact.Text(requestIDFrom(resp.Header), c.secretsOf(auth)), maxRequestIDLen)
			}
			data, retry, result = c.readSuccess(ctx, resp, method, path, auth)
			if result == nil {
				if err := decodeResponse(data, out); err != nil {
					result = fmt.Errorf("%w: %s %s: %w", ErrMalformedResponse, method, path, redact.Error(err, c.secretsOf(auth)))
				}
			}
		default:
			status = resp.StatusCode
			apiErr := c.checkResponse(resp, method, path, c.secretsOf(auth))
			result, requestID, retryAfter = apiErr, apiErr.RequestID, apiErr.RetryAfter
			retry = apiErr.Temporary()
		}
		var wait time.Duration
		if retry && attempt <= c.maxRetries && ctx.Err() == nil {
			wait, retry = c.retryWait(ctx, attempt, retryAfter)
		} else {
			retry = false
		}
		c.logAttempt(ctx, method, path, attempt, status, time.Since(start), requestID, result, retry, wait)
		if !retry {
			if result != nil {
				return nil, result
			}
			return data, nil
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("stashpay: %s %s: retry abandoned: %w; last attempt: %w", method, path, err, result)
		}
	}
}

// decodeResponse decodes a 2xx body into out, a pointer to the response's
// wire type, with the SDK's one tolerant reader of Stash's JSON.
func decodeResponse(data []byte, out any) error { return wire.Unmarshal(data, out) }

// decodePlain is the UnmarshalJSON of an ingress type T, called with p
// converted to T's method-less alias (type plain T): it decodes data
// through internal/wire into a copy of v (the members an answer may leave
// out, as Stash means them) and replaces *p with it, leaving *p unchanged
// on an error.
func decodePlain[P any](data []byte, p *P, v P) error {
	if err := wire.Unmarshal(data, &v); err != nil {
		return err
	}
	*p = v
	return nil
}

// transportError wraps err, the failure of an attempt to send to target,
// in the SDK's wording. net/http's text may quote what the peer sent (a
// Location, a status or header line), so it is scrubbed: a *url.Error about
// target keeps its Op and URL, the SDK's own, and has its cause scrubbed;
// any other error (a redirect's URL came from the peer) is scrubbed whole.
func transportError(method, path, target string, err error, secrets []string) error {
	if ue, ok := err.(*url.Error); ok && ue.URL == target {
		if redact.Contains(ue.Err.Error(), secrets) {
			err = &url.Error{Op: ue.Op, URL: ue.URL, Err: redact.Error(ue.Err, secrets)}
		}
	} else {
		err = redact.Error(err, secrets)
	}
	return fmt.Errorf("stashpay: %s %s: %w", method, path, err)
}

// send builds, signs and sends one attempt. It returns the authentication
// header value it sent, for scrubbing from an error body.
func (c *Client) send(ctx context.Context, method, target string, body []byte) (*http.Response, string, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return nil, "", err
	}
	// One allocation holds every header value of the attempt; each value
	// slice has its capacity clipped so that an Add elsewhere copies.
	vals := &[3]string{"application/json", c.userAgent}
	if c.auth.key != nil {
		vals[2] = c.auth.key.SignV1(c.auth.shopID, c.now(), body)
	} else {
		vals[2] = c.auth.apiKey()
	}
	h := req.Header
	if body != nil {
		h["Content-Type"] = vals[0:1:1]
	}
	h["User-Agent"] = vals[1:2:2]
	if c.auth.key != nil {
		h[headerSignature] = vals[2:3:3]
	} else {
		h[headerAPIKey] = vals[2:3:3]
	}
	resp, err := c.hc.Do(req)
	return resp, vals[2], err
}

// readSuccess reads a 2xx body to its end, with a limit, and closes it. A
// failed read is worth a retry as a failed send is (a timeout of the
// attempt included, while ctx is live; the same body and transaction ID are
// sent again); an oversized body is not.
func (c *Client) readSuccess(ctx context.Context, resp *http.Response, method, path, auth string) (data []byte, retry bool, err error) {
	data, truncated, rerr := httpx.ReadLimited(resp.Body, maxSuccessBody, min(resp.ContentLength, drainLimit))
	if truncated {
		_ = resp.Body.Close()
		return nil, false, fmt.Errorf("%w: %s %s: more than %d bytes", ErrResponseTooLarge, method, path, maxSuccessBody)
	}
	if rerr != nil {
		httpx.DrainAndClose(resp.Body, drainLimit)
		return nil, httpx.RetryableAttempt(ctx, rerr), fmt.Errorf("stashpay: %s %s: reading response: %w", method, path, redact.Error(rerr, c.secretsOf(auth)))
	}
	_ = resp.Body.Close() // read to EOF: nothing left to drain
	return data, false, nil
}

// retryWait returns how long to wait before the next attempt, or false when
// no retry should happen: the server asked for a longer wait than the cap,
// or the wait would outlast the context's deadline.
func (c *Client) retryWait(ctx context.Context, attempt int, retryAfter time.Duration) (time.Duration, bool) {
	wait := httpx.Backoff(attempt-1, c.backoffBase, c.backoffMax, c.jitter)
	if retryAfter > c.maxRetryAfter {
		return 0, false
	}
	wait = max(wait, retryAfter)
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
		return 0, false
	}
	return wait, true
}

// logAttempt writes the one debug line of an attempt. It never logs headers
// or bodies, so no key or signature can reach the log.
func (c *Client) logAttempt(ctx context.Context, method, path string, attempt, status int, d time.Duration,
	requestID string, err error, retry bool, wait time.Duration) {
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := make([]slog.Attr, 0, 9)
	attrs = append(attrs,
		slog.String("method", method),
		slog.String("path", path),
		slog.Int("status", status),
		slog.Int("attempt", attempt),
		slog.Duration("duration", d),
	)
	if requestID != "" {
		attrs = append(attrs, slog.String("request_id", requestID))
	}
	if err != nil {
		var apiErr *APIError
		if !errors.As(err, &apiErr) { // the status already tells an API error
			attrs = append(attrs, slog.String("error", err.Error()))
		}
	}
	if retry {
		attrs = append(attrs, slog.Duration("retry_in", wait))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "stashpay: request", attrs...)
}

// pathSegment returns v escaped as one path segment, or an error naming
// field (wrapping [ErrInvalidParams]) when v is empty, a dot segment, or not
// valid UTF-8; nothing is sent then.
func pathSegment(field, v string) (string, error) {
	switch {
	case v == "" || v == "." || v == "..":
		return "", invalidParamsError(field + " is empty or a dot segment")
	case !utf8.ValidString(v):
		return "", invalidParamsError(field + " is not valid UTF-8")
	}
	return url.PathEscape(v), nil
}

// shopPath returns "/sdk/studio/{shopId}" for the credentials' shop ID: the
// Studio endpoints name the shop in the path, so they need v1 credentials.
func (c *Client) shopPath() (string, error) {
	if c.auth.shopID == "" {
		return "", invalidParamsError("Credentials.ShopID is required for this call (the legacy Credentials.APIKey names no shop)")
	}
	return "/sdk/studio/" + url.PathEscape(c.auth.shopID), nil
}

// checkText refuses any string reachable from v (struct fields, slices,
// map keys and values, pointers) that is not valid UTF-8: json.Marshal would
// send U+FFFD in place of the bad bytes, so two distinct identifiers could
// reach Stash as one. The error names the Go field path under prefix, never
// the value. json.RawMessage values are checked as JSON.
func checkText(prefix string, v any) error {
	return checkValue(prefix, reflect.ValueOf(v))
}

func checkValue(path string, v reflect.Value) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return checkValue(path, v.Elem())
	case reflect.String:
		if !utf8.ValidString(v.String()) {
			return invalidParamsError(path + " is not valid UTF-8")
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				if err := checkValue(join(path, f.Name), v.Field(i)); err != nil {
					return err
				}
			}
		}
	case reflect.Slice:
		if raw, ok := v.Interface().(json.RawMessage); ok {
			if len(raw) > 0 && (!json.Valid(raw) || !utf8.Valid(raw)) {
				return invalidParamsError(path + " is not valid JSON")
			}
			return nil
		}
		for i := range v.Len() {
			if err := checkValue(path+"["+strconv.Itoa(i)+"]", v.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if k := it.Key(); k.Kind() == reflect.String && !utf8.ValidString(k.String()) {
				return invalidParamsError(path + " has a key that is not valid UTF-8")
			}
			if err := checkValue(path+"[key]", it.Value()); err != nil {
				return err
			}
		}
	}
	return nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// postJSON validates nothing: it encodes params once and sends them with
// doRequest, decoding the answer into out.
func (c *Client) postJSON(ctx context.Context, path string, params, out any) ([]byte, error) {
	body, err := json.Marshal(params)
	if err != nil {
		return nil, invalidParamsError("params do not encode")
	}
	return c.doRequest(ctx, http.MethodPost, path, body, out)
}

// malformed is an error wrapping [ErrMalformedResponse] with detail.
func malformed(detail string) error { return fmt.Errorf("%w: %s", ErrMalformedResponse, detail) }
