// Package webhook receives Stash webhooks safely: it verifies their
// signature, decodes them into the typed events of package
// [github.com/stashpay/stashpay-go/events], and runs the game's function once
// per event however many times Stash delivers it.
//
// Quick start:
//
//	v, err := webhook.NewVerifier(os.Getenv("STASH_WEBHOOK_SECRET"))
//	if err != nil {
//		log.Fatal(err)
//	}
//	http.Handle("/stash/webhook", webhook.NewHandler(v, func(ctx context.Context, e events.Event) error {
//		switch e := e.(type) {
//		case *events.PurchaseSucceeded:
//			return grant(ctx, e.UserID, e.Items) // nil only once the items are granted
//		}
//		return nil // acknowledge every other event
//	}))
//
// # Verification
//
// Stash signs every delivery with the webhook secret set in Studio (Settings
// -> Webhooks; not the ingress or egress key) and sends the signature in the
// [SignatureHeader] header: standard, padded base64 of HMAC-SHA256(secret,
// body), over the raw body exactly as received, with no timestamp or version
// prefix. [Verifier.Verify] follows these rules:
//
//   - the MAC is computed over the raw bytes before anything is decoded, and
//     compared in constant time;
//   - surrounding whitespace in the header value is ignored; an empty or
//     absent header is [ErrMissingSignature], anything else that does not
//     match is [ErrInvalidSignature];
//   - the secret is used as the raw bytes of the string; [WithDecodedSecret]
//     also tries its base64-decoded bytes, since Stash's documentation leaves
//     this open;
//   - several secrets may be configured for rotation ([WithAdditionalSecrets]);
//     every one is checked, and [Verifier.VerifyDetailed] tells which matched;
//   - secrets, received signatures and expected MACs never appear in errors,
//     logs or a Verifier's printed form.
//
// The scheme has no timestamp, so a captured delivery can be replayed; the
// exactly-once store below makes a replay of a handled event harmless.
//
// # Answers
//
// Stash counts only HTTP 200 as received and redelivers on anything else
// (with exponential backoff, for about a day), and expects an answer within
// 30 seconds. The handler built by [NewHandler] answers:
//
//	request                                        status  fn called
//	method other than POST                          405     no (Allow: POST)
//	body over the limit (1 MiB, WithMaxBodyBytes)   413     no
//	body unreadable                                 400     no
//	signature missing or invalid                    401     no
//	signature valid, payload not an event           400     no
//	event already handled (a duplicate)             200 {}  no
//	same event being handled by another delivery    409     no (Stash retries later)
//	exactly-once store failed                       503     no (Stash retries later)
//	fn returned nil                                 200 {}  yes
//	fn returned nil but the store failed to record  200 {}  yes (logged as an error)
//	fn returned an error                            500     yes (key released)
//	fn panicked                                     500     yes (key released)
//
// Every answer has a JSON body and Content-Type application/json; error
// bodies say what went wrong in general terms only. Unknown event types are
// not an error: fn receives them as [*events.Unknown] and should return nil.
// Integers and booleans that Stash may send as JSON strings ("quantity": "2")
// decode exactly (see [events.Parse]); only a payload that is not JSON, has
// no type, or holds a value that cannot be converted exactly is answered 400.
// Stash keeps redelivering such a delivery, so watch the handler's log
// ([WithLogger]) for "malformed event".
//
// # Exactly once
//
// Each authentic event is given a key ([DefaultKey]: the event's own
// idempotency key, "purchase:" + order ID for PURCHASE_SUCCEEDED, or, for
// events without one, the type and the SHA-256 of the raw body; change it
// with [WithKeyFunc]). fn runs through [dedup.Do] on a [dedup.Store]:
//
//   - the key is claimed for a lease ([WithLease], default [DefaultLease])
//     before fn runs; of concurrent deliveries of one event, one runs fn and
//     the others are answered 409;
//   - when fn returns nil the key is recorded as done, and later deliveries
//     are answered 200 without running fn;
//   - when fn fails or panics the key is released, so Stash's redelivery
//     runs fn again;
//   - when the process dies while fn runs, the lease expires and a
//     redelivery runs fn again: keep fn shorter than the lease, and make the
//     grant itself transactional.
//
// The default store is one [dedup.MemoryStore] per handler, which protects a
// single process. Backends with several replicas must pass a shared store
// with [WithStore] (see dedup/redisstore and dedup/pgstore), best the same one
// their purchase-confirmation endpoint uses, so that a purchase granted on
// confirm is not granted again by its webhook. [WithoutDedup] turns the store
// off for functions that deduplicate by themselves.
//
// fn's context carries the delivery's retry count ([RetryCount]) and is
// cancelled when Stash disconnects (Stash waits about 30 s for an answer).
// The lease (default 2 min) must be longer than fn can take: past it, a
// redelivery may take the key and run fn again. fn should therefore honour
// its context and stop when it is cancelled.
//
// [Verifier.Middleware] is the lower-level alternative: it verifies and
// passes the request, body restored, to any http.Handler, which then answers
// and deduplicates by itself.
package webhook
