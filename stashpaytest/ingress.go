package stashpaytest

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/stashpay/stashpay-go/internal/signing"
)

// Header names of Stash's authentication, each named for the scheme it
// carries.
const (
	// V1SignatureHeader carries the versioned v1 signature
	// ("v1;{shopId};{unixMillis};{base64Sig}") on ingress and egress calls;
	// stashpay.EgressSignatureHeader is the same header.
	V1SignatureHeader = "X-Stash-Hmac-Signature"
	// LegacyHMACSignatureHeader carries the deprecated body-only signature
	// (Stash's "legacyHmac"): base64 HMAC-SHA256 of the raw body (an empty
	// body for GET) with the ingress key on ingress calls and the egress key
	// on egress calls; stashpay.EgressLegacySignatureHeader is the same header.
	LegacyHMACSignatureHeader = "Stash-Hmac-Signature"
	// WebhookSignatureHeader carries a webhook's body signature, signed with
	// the webhook secret; webhook.SignatureHeader is the same header. Its name
	// is the legacy HMAC one, used here for another key.
	WebhookSignatureHeader = "Stash-Hmac-Signature"
	// APIKeyHeader carries the legacy ingress API key.
	APIKeyHeader = "X-Stash-Api-Key"
	// RetryCountHeader carries the webhook retry counter.
	RetryCountHeader = "Stash-Retry-Count"
)

// maxIngressBody bounds request bodies the fake reads.
const maxIngressBody = 1 << 20

// ingressFunc handles an authenticated API call whose body was read.
type ingressFunc func(r *http.Request, body []byte) (any, *rpcError)

// ingress wraps an API endpoint: it records the call, applies the injected
// delay and failures, checks the method, reads the body (bounded),
// authenticates exactly as Stash does, then runs fn. A nil fn answers 404.
func (s *Server) ingress(method string, fn ingressFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		call := IngressCall{Method: r.Method, Path: r.URL.Path, At: s.cfg.now(), Auth: authScheme(r)}
		res, rerr := s.serveIngress(w, r, method, fn)
		if rerr != nil {
			call.StatusCode, call.Code, call.Message = rerr.status, rerr.code, rerr.message
		} else {
			call.StatusCode = http.StatusOK
		}
		s.mu.Lock()
		s.calls = append(s.calls, call)
		s.mu.Unlock()
		if rerr != nil {
			writeStatus(w, rerr)
			return
		}
		writeJSON(w, res)
	}
}

func (s *Server) serveIngress(w http.ResponseWriter, r *http.Request, method string, fn ingressFunc) (any, *rpcError) {
	s.mu.Lock()
	delay := s.delay
	var injected *rpcError
	if s.failLeft > 0 {
		s.failLeft--
		injected = &rpcError{status: s.failStatus, code: codeForStatus(s.failStatus), message: "injected failure"}
		if s.failAfter > 0 {
			w.Header().Set("Retry-After", retryAfterSeconds(s.failAfter))
		}
	}
	s.mu.Unlock()
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return nil, &rpcError{status: http.StatusServiceUnavailable, code: codeUnavailable, message: "client went away"}
		case <-s.ctx.Done():
			t.Stop()
			return nil, &rpcError{status: http.StatusServiceUnavailable, code: codeUnavailable, message: "server closing"}
		}
	}
	if injected != nil {
		return nil, injected
	}
	if fn == nil {
		return nil, &rpcError{status: http.StatusNotFound, code: codeNotFound, message: "Not Found"}
	}
	if r.Method != method {
		w.Header().Set("Allow", method)
		return nil, &rpcError{status: http.StatusMethodNotAllowed, code: codeUnimplemented, message: "Method Not Allowed"}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxIngressBody+1))
	if err != nil {
		return nil, errInvalid("reading request body")
	}
	if len(body) > maxIngressBody {
		return nil, &rpcError{status: http.StatusRequestEntityTooLarge, code: codeResourceExhausted, message: "request body too large"}
	}
	if rerr := s.authenticate(r, body); rerr != nil {
		return nil, rerr
	}
	return fn(r, body)
}

// authScheme names the authentication a request presents.
func authScheme(r *http.Request) string {
	switch {
	case r.Header.Get(V1SignatureHeader) != "":
		return "v1"
	case r.Header.Get(LegacyHMACSignatureHeader) != "":
		return "legacy-hmac"
	case r.Header.Get(APIKeyHeader) != "":
		return "api-key"
	default:
		return ""
	}
}

func unauthenticated(msg string) *rpcError {
	return &rpcError{status: http.StatusUnauthorized, code: codeUnauthenticated, message: msg}
}

// authenticate enforces Stash's ingress authentication (STASH-API.md 1.2,
// 1.3), the first header present deciding alone:
//
//  1. x-stash-hmac-signature, v1: the shop ID, a timestamp within 5 minutes
//     either way, and an HMAC with the ingress key over "{ms}." + the raw
//     body (an empty body for GET);
//  2. stash-hmac-signature, the deprecated legacyHmac: an HMAC with the
//     ingress key over the raw body alone (an empty body for GET);
//  3. X-Stash-Api-Key, only when legacy API-key auth is configured: Stash
//     no longer accepts it from new shops.
func (s *Server) authenticate(r *http.Request, body []byte) *rpcError {
	signed := body
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		signed = nil
	}
	if h := r.Header.Get(V1SignatureHeader); h != "" {
		_, err := s.ingressKey.VerifyV1(h, signed, s.cfg.shopID, s.cfg.now(), signing.DefaultTolerance)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, signing.ErrShopMismatch):
			return unauthenticated("signature shop ID does not match this shop")
		case errors.Is(err, signing.ErrTimestampSkew):
			return unauthenticated("signature timestamp is more than 5 minutes from server time")
		case errors.Is(err, signing.ErrUnsupportedScheme):
			return unauthenticated("unsupported signature version")
		case errors.Is(err, signing.ErrMalformedHeader):
			return unauthenticated("malformed x-stash-hmac-signature header")
		default:
			return unauthenticated("invalid signature")
		}
	}
	if sig := r.Header.Get(LegacyHMACSignatureHeader); sig != "" {
		if err := s.ingressKey.VerifyBody(signed, sig); err != nil {
			return unauthenticated("invalid stash-hmac-signature")
		}
		return nil
	}
	if k := r.Header.Get(APIKeyHeader); k != "" {
		if s.cfg.apiKey == "" {
			return unauthenticated("X-Stash-Api-Key is not supported for this shop; sign requests with x-stash-hmac-signature")
		}
		if !signing.Equal(k, s.cfg.apiKey) {
			return unauthenticated("invalid API key")
		}
		return nil
	}
	return unauthenticated("missing x-stash-hmac-signature header")
}
