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
//   - only the canonical spelling matches (standard, padded base64): an
//     unpadded or otherwise re-spelled signature is [ErrInvalidSignature];
//     surrounding whitespace in the header value is ignored; an empty or
//     absent header is [ErrMissingSignature];
//   - the secret is used as the raw bytes of the string; [WithBase64Secret]
//     uses its base64-decoded bytes instead (Stash's documentation leaves
//     this open for webhooks);
//   - a secret that is empty, has whitespace at either end or control
//     characters is refused by [NewVerifier], as every key of the SDK is;
//   - several secrets may be configured for rotation ([WithPreviousSecrets]);
//     every one is checked, and [Verifier.VerifyDetailed] tells which matched;
//   - secrets, received signatures and expected MACs never appear in errors,
//     logs or a Verifier's printed form.
//
// The scheme has no timestamp, so a captured delivery can be replayed,
// forever. The exactly-once store below makes a replay of a handled event
// harmless only while it remembers the event (its retention: 72 hours by
// default, [dedup.DefaultRetention]); after that, a replayed purchase is
// verified, claimed and run again. The game's own permanent record of each
// granted key (a unique constraint, as grant.Func and the examples keep)
// is what makes a late replay harmless: keep it.
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
//	signature missing, invalid or sent twice        401     no
//	signature valid, payload not an event           400     no (see "Poison deliveries")
//	event already handled (a duplicate)             200 {}  no
//	same event handled by another delivery, done    200 {}  no (after waiting for it, WithBusyWait)
//	same event still handled elsewhere after wait   409     no (Stash retries later)
//	exactly-once store failed                       503     no (Stash retries later)
//	fn returned nil                                 200 {}  yes
//	fn returned nil but the store failed to record  200 {}  yes (logged as an error)
//	fn returned an error wrapping dedup.ErrStore    503     yes (key released)
//	fn returned an error wrapping dedup.ErrBusy     409     yes (key released; a route that claims
//	                                                            keys itself, such as grant's, was busy)
//	fn returned another error                       500     yes (key released)
//	fn panicked                                     500     yes (key released)
//
// Every answer has a JSON body and Content-Type application/json; error
// bodies are {"code", "message"} (google.rpc-like, as the egress handlers
// answer) and say what went wrong in general terms only. Unknown event types
// are not an error: fn receives them as [*events.Unknown] and should return
// nil. Integers and booleans that Stash may send as JSON strings
// ("quantity": "2") decode exactly (see [events.Parse]).
//
// # Poison deliveries
//
// An authentic delivery that cannot be decoded (not JSON, no type, a value
// that cannot be converted exactly, a string that is not valid UTF-8, an
// unknown member nested deeper than the decoder allows) would fail the same
// way on every redelivery. Acknowledging it would lose what it says (it may
// be a purchase), so by default it is answered 400 and logged at error
// level with "malformed event": alert on that log line. Stash redelivers it
// for about a day and then gives up. To keep it instead, give
// [WithUndecodable] a function that stores the raw payload (it is
// authentic) for an operator: the delivery is then acknowledged 200.
//
// # Servers
//
// Mount the handler on an http.Server with ReadHeaderTimeout, ReadTimeout
// and IdleTimeout set (for instance 5 s, 15 s and 60 s): the handler caps
// the body's size, but only the server can bound how slowly it arrives.
//
// # Exactly once
//
// Each authentic event is given a key ([DefaultKey]: the event's own
// idempotency key, "checkout:" + checkout link ID for PURCHASE_SUCCEEDED
// (the confirm handler's default key for the same purchase), or, for
// events without one, the type and the SHA-256 of the raw body; change it
// with [WithKeyFunc]). fn runs through [dedup.Do] on a [dedup.Store]:
//
//   - the key is claimed for a lease ([WithLease], default [DefaultLease])
//     before fn runs; of concurrent deliveries of one event, one runs fn and
//     the others wait for it ([WithBusyWait], default [DefaultBusyWait]) and
//     are answered as duplicates (200), or run fn if it failed, or, when
//     the wait runs out, are answered 409;
//   - when fn returns nil the key is recorded as done, and later deliveries
//     are answered 200 without running fn;
//   - when fn fails or panics the key is released, so Stash's redelivery
//     runs fn again (also for an error that wraps a [*dedup.CompleteError],
//     which a dedup.Do of fn's own may return);
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
