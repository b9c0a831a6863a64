package webhook

import "errors"

// Errors returned by this package. They are sentinels for [errors.Is]; errors
// returned by [Verifier] and its methods may wrap them with more context, but
// never with a secret, a received signature or an expected MAC.
var (
	// ErrInvalidSecret is returned by [NewVerifier] when a secret (the
	// current one or one passed to [WithPreviousSecrets]) cannot be used:
	// empty, whitespace at either end, control characters, or not base64
	// under [WithBase64Secret].
	ErrInvalidSecret = errors.New("webhook: invalid secret")
	// ErrEmptySecret is matched, besides [ErrInvalidSecret], when the
	// secret is empty.
	ErrEmptySecret = errors.New("webhook: empty secret")
	// ErrMissingSignature is returned when the signature header is absent or
	// holds only whitespace.
	ErrMissingSignature = errors.New("webhook: missing signature")
	// ErrInvalidSignature is returned when the signature does not match the
	// payload under any of the verifier's secrets (a tampered body, a wrong
	// secret, or a value that is not base64 of a 32-byte MAC).
	ErrInvalidSignature = errors.New("webhook: signature mismatch")
	// ErrMalformedPayload is returned by [Verifier.Parse] when the signature
	// is valid but the payload is not a webhook event (not JSON, or no
	// event type). The decoder's error is wrapped as well.
	ErrMalformedPayload = errors.New("webhook: malformed payload")
)
