// Package stashpay is a Go SDK for game backends that sell through Stash Pay
// (https://stash.gg): create checkout links, check payments, answer Stash's
// purchase calls and receive its webhooks safely.
//
//	client, err := stashpay.NewClient(stashpay.Credentials{
//		ShopID:     os.Getenv("STASH_SHOP_ID"),
//		IngressKey: os.Getenv("STASH_INGRESS_KEY"),
//	}, stashpay.WithEnvironment(stashpay.Test))
//	if err != nil { /* missing or malformed credentials */ }
//	checkout, err := client.CreateCheckout(ctx, &stashpay.CheckoutParams{
//		Item: &stashpay.CheckoutItem{ID: "gems_100", Name: "100 gems", PricePerItem: "1.99", Quantity: 1},
//		User: stashpay.CheckoutUser{ID: playerID},
//	})
//	// Store checkout.ID and checkout.TransactionID, then send the player to checkout.URL.
//
// A [Client] is safe for concurrent use; create one and share it.
//
// # Authentication
//
// Stash authenticates server calls with the shop's ingress key. Give
// [Credentials.ShopID] and [Credentials.IngressKey] (Studio, Project
// Settings): every request then carries the versioned header
// x-stash-hmac-signature: v1;{shopId};{unixMillis};{signature}, an
// HMAC-SHA256 over "{unixMillis}." and the exact body bytes sent (an empty
// body for GET). Stash rejects timestamps more than 5 minutes from its clock,
// so keep the server's clock synchronised. The key is used as the raw bytes
// of the string Studio shows; [WithBase64Key] decodes it first instead.
// Shops on the deprecated scheme set only [Credentials.APIKey], sent as
// X-Stash-Api-Key. [NewClient] rejects a mix of both, or neither.
//
// Keys and signatures never appear in errors, in log lines, or when a
// [Client] or [Credentials] is formatted with fmt or log/slog, whatever the
// origin of the text: what Stash (or a proxy) echoes in an error body, its
// details (however its JSON escapes spell them), a response header, or a
// malformed response that net/http quotes in its error is scrubbed before
// it reaches an error or the log. Only text from the network is scrubbed;
// the SDK's own wording is never rewritten.
//
// # Errors
//
// A non-2xx answer from Stash is an [*APIError] carrying the HTTP status,
// the google.rpc code, message and details of the body, the request ID and
// any Retry-After. Get it with errors.As, or test its kind with errors.Is and
// [ErrNotFound], [ErrUnauthenticated], [ErrRateLimited] and their siblings.
// Failures detected locally are sentinel errors, wrapped with details:
// [ErrMissingCredentials], [ErrInvalidCredentials] (naming the setting, such
// as Credentials.IngressKey), [ErrInvalidOption], [ErrInvalidParams] (naming
// the field; nothing was sent, and a string that is not valid UTF-8 is
// refused here rather than sent altered), [ErrMalformedResponse]. Network
// failures wrap the net/http error; context cancellation is visible with
// errors.Is(err, context.Canceled). When net/http's text quotes a key or a
// signature the peer echoed, that text is scrubbed and the original error
// is no longer reachable with errors.Unwrap, but errors.Is with the
// context's errors and a Timeout method still answer as before.
//
// # Retries and idempotency
//
// A request is retried, by default twice ([WithMaxRetries]), after a network
// error (an attempt that exceeds the http.Client's Timeout included, while
// the context is still live) or an answer of 408, 409, 429 or 5xx (except
// 501), unless the body's google.rpc code is ALREADY_EXISTS (a 409 that no
// retry can change, such as a TransactionID already used for another
// purchase). Other statuses are final. Waits grow exponentially from 0.5 s
// to at most 8 s, with jitter; a Retry-After header (seconds or an HTTP date) is honoured, and
// when it asks for more than 30 s the client stops and returns the
// [*APIError] with RetryAfter set. A wait ends early when the context is
// done, and no retry starts when its wait would outlast the context's
// deadline.
//
// Every attempt is signed anew with a fresh timestamp and sends the same
// body bytes. For [Client.CreateCheckout] this means the same transactionId.
// An ID the client generates (when [CheckoutParams.TransactionID] is empty)
// lives for one call: it is returned in [Checkout.TransactionID] on success,
// and a failed call loses it, so your own retry of a failed call would name
// a new purchase. Set TransactionID to your own purchase ID when you retry
// failed calls yourself, so that every attempt names the same purchase.
// Stash documents no Idempotency-Key header. The other calls that create
// something ([Client.CreateSubscriptionCheckoutLink],
// [Client.CreateSubscriptionChangeCheckoutLink],
// [Client.GenerateWebshopURL]) carry no purchase ID: when an attempt's
// answer is lost (a 502 from a gateway after Stash created the link), the
// retry may create a second link, of which the player gets only the last.
// Set their ReferenceID where the call has one to tie the links to your own
// record, or pass [WithMaxRetries] 0 and retry them yourself. None of them
// charges anyone.
//
// # Amounts
//
// Amounts are never floats. [Amount] keeps the string Stash sent; convert it
// with [Amount.MinorUnits] (decimal major units, "1.99" -> 199 at scale 2) or
// [Amount.ParseMinor] (a string already in minor units), both of which fail
// instead of rounding. Stash's sources disagree on whether checkout prices
// are major or minor units; see [CheckoutItem.PricePerItem].
//
// # Webhooks
//
// Stash posts events (PURCHASE_SUCCEEDED and others) to a URL set in Studio,
// signed with the webhook secret. Package
// github.com/stashpay/stashpay-go/webhook verifies the signature on the raw
// body and offers an http.Handler that runs your function exactly once per
// event; package github.com/stashpay/stashpay-go/events holds the typed
// events.
//
// # Egress
//
// In the pre-purchase validation flow Stash calls your backend to register,
// confirm and cancel purchases, signed with the egress key.
// [ConfirmPaymentHandler] and its siblings ([RegisterPaymentHandler],
// [CancelPaymentHandler], or [PurchaseHandler] for all three paths) verify
// those calls, decode them and grant exactly once per purchase (its
// exactly-once key, by default the checkout link's).
//
// Grant on confirm in one commit that also records the transaction ID, then
// return nil; never return an error (or panic) after that commit, since any
// non-2xx answer fails the purchase (see [ConfirmPaymentFunc]). Share the
// [EgressConfig.Store] and key with the webhook handler so a purchase
// confirmed here and later delivered as PURCHASE_SUCCEEDED is granted once.
//
// # Testing
//
// [WithHTTPClient] accepts any *http.Client, so tests can plug in an
// http.RoundTripper such as httpmock's MockTransport, and [WithBaseURL]
// points a client at an httptest server. Package
// github.com/stashpay/stashpay-go/stashpaytest provides a fake Stash on
// loopback that enforces Stash's authentication, keeps checkouts and payment
// events, calls your register and confirm endpoints and delivers signed
// webhooks with Stash's retry rules and injectable faults.
//
// # Where things are
//
// This package, one file per concern:
//
//	client.go, options.go   Client, NewClient, Credentials, the options
//	request.go              the request plumbing: signing, retries, bounded reads, the debug log
//	errors.go               APIError and the sentinel errors
//	amount.go               Amount (the events package's type) and FormatMinor
//	checkout.go             CreateCheckout, CheckoutParams, Checkout
//	payment_event.go        GetPaymentEvent, PaymentEvent, PaymentStatus
//	webshop.go              GenerateWebshopURL (an authenticated webshop link)
//	subscriptions.go        the subscription checkout and change links
//	plans.go, prices.go     ListPlans, GetPlan, GetPlanByCode; ConvertPrices
//	products.go             ListProducts, GetProduct, Products (the managed catalog)
//	loyalty.go              GetLoyalty, GetPlayerLoyalty and the loyalty enums
//	egress.go               EgressConfig, the defaults, EgressHandler, PurchaseHandler, the egress errors
//	egress_types.go         what the egress calls share: PurchaseItem, loyalty, the open enums
//	register.go, confirm.go, cancel.go   one file per purchase call: its types and its handler
//	catalog.go, player.go   the webshop's GET calls: CatalogHandler, OfferDetailsHandler, PlayerHandler
//	catalog_types.go, catalog_enums.go   the catalog's types and enums
//
// Renamed and removed names (old -> new), release by release, are listed in
// CHANGELOG.md at the root of the repository, which the README links.
//
// Other packages of the module: events (typed webhook events), webhook
// (Verifier, NewHandler), grant (each purchase granted once whichever route
// reports it: confirm, webhook, poll, and the reconciler), dedup (the exactly-once store contract, the memory
// store, and the conformance suite in dedup/deduptest; Redis and PostgreSQL
// stores are the nested modules dedup/redisstore and dedup/pgstore),
// stashpaytest (the fake Stash), cmd/stashpay (the CLI) and examples/.
// Plumbing every part shares lives in internal/: wire (the one tolerant
// reader of Stash's JSON), inbound (what every handler Stash calls shares),
// signing (every HMAC scheme, the one key rule and the key ring of a
// rotation), redact (keeping secrets out of text), httpx (retry and body
// helpers), wait (the one context-aware sleep), money (exact amounts) and,
// for the benchmarks only, benchturns (speed as a ratio against a baseline
// timed in alternating turns in the same process).
package stashpay
