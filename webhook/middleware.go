package webhook

import (
	"bytes"
	"io"
	"net/http"

	"github.com/stashpay/stashpay-go/internal/inbound"
)

// Middleware returns an http.Handler that lets only authentic webhook
// deliveries reach next. For those who want their own decoding and
// acknowledgement instead of [NewHandler]. It answers, without calling next:
//
//   - 405 (with an Allow: POST header) to any method but POST;
//   - 413 to a body over [DefaultMaxBodyBytes];
//   - 400 to a body that cannot be read;
//   - 401 to a missing or invalid [SignatureHeader], or one sent twice.
//
// Otherwise it calls next with the body restored (readable again from the
// start, ContentLength set) and the retry count on the request's context
// ([RetryCount]). next must answer 200 with a non-empty body for Stash to
// count the delivery as received, and must itself deduplicate events.
// The returned handler is safe for concurrent use.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !inbound.AllowMethod(w, r, http.MethodPost) {
			return
		}
		body, err := inbound.ReadBody(w, r, DefaultMaxBodyBytes)
		if err != nil {
			inbound.ReadError(w, err)
			return
		}
		if err := v.verifyHeader(body, r.Header); err != nil {
			inbound.Error(w, http.StatusUnauthorized, "invalid or missing signature")
			return
		}
		r2 := r.WithContext(withRetryCount(r.Context(), r))
		r2.Body = io.NopCloser(bytes.NewReader(body))
		r2.ContentLength = int64(len(body))
		r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		next.ServeHTTP(w, r2)
	})
}
