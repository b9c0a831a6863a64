// Command stashpay is a small helper for game developers integrating Stash
// Pay locally: it signs and verifies webhook payloads, plays Stash's calls
// (signed webhooks, signed register / confirm / cancel purchase calls)
// against a game backend running on the developer's machine, and runs a
// local Stash sandbox with a hosted checkout page to click through by hand.
//
// Install it from a clone of the module, or with go install:
//
//	go install github.com/stashpay/stashpay-go/cmd/stashpay@latest
//
// Usage:
//
//	stashpay webhook sign   [-secret-env NAME] [-header] [file|-]
//	stashpay webhook verify -signature SIG [-secret-env NAME] [file|-]
//	stashpay webhook send   [-url URL] [-type TYPE] [-file payload.json] [-user ID] [-item ID] [-times N] [-timeout D]
//	stashpay webhook sample [-type TYPE] [-user ID] [-item ID]
//	stashpay egress send    [-url URL] [-kind confirm|register|cancel|catalog|offer|player] [-shop-id ID]
//	                        [-file body.json] [-user ID] [-item ID] [-transaction ID] [-guid ID]
//	                        [-region CC] [-language LL] [-key-env NAME] [-timeout D]
//	stashpay egress sample  [-kind confirm|register|cancel] [-shop-id ID] [-user ID] [-item ID] [-transaction ID]
//	stashpay sandbox        [-port N] [-host ADDR -allow-remote] [-public-url URL] [-webhook-url URL]
//	                        [-game-backend-url URL] [-shop-id ID] [-webhook-retry SCHEDULE] [-duplicates N]
//	                        [-ingress-delay D] [-fail-ingress N -fail-status S] [-tax BP]
//	stashpay version
//
// Every command and subcommand answers -h with its usage.
//
// # Secrets
//
// Secrets are read only from environment variables, never from flags: a
// flag's value is kept in shell history, shown by ps to every user of the
// machine and copied into CI logs. The variables are:
//
//	STASH_WEBHOOK_SECRET  the webhook secret (Studio: Settings -> Webhooks)
//	STASH_EGRESS_KEY      the egress key (Studio: Project Settings -> API Secrets)
//	STASH_SHOP_ID         the shop ID, the default of -shop-id (not a secret)
//
// -secret-env and -key-env name a different variable, for instance to keep
// the keys of several projects side by side. No command prints a secret or,
// for verify, the expected MAC.
//
// # Webhooks
//
// "webhook sign" prints the Stash-Hmac-Signature of a payload: standard
// base64 of HMAC-SHA256(secret, raw bytes). The bytes are signed exactly as
// read from the file or stdin, trailing newline included, as Stash signs the
// exact body it sends.
//
// "webhook verify" checks a signature against a payload and prints "valid"
// (exit 0) or "invalid" (exit 1).
//
// "webhook send" POSTs a signed event to the game's webhook URL (default
// http://localhost:8080/webhooks/stash) the way Stash delivers it: Content-Type
// application/json, Stash-Hmac-Signature, and Stash-Retry-Count (0, then 1, 2,
// ... for the copies of -times, which replay Stash's redeliveries of one event).
// Without -file it builds a realistic sample event of -type: any v1 type
// (PURCHASE_SUCCEEDED, PURCHASE_REFUNDED, CREATE_PAYMENT_INTENT,
// FREE_ITEM_REDEEMED, MUTATE_CART, VIEW_ITEM, VIEW_CHECKOUT_PAGE,
// VIEW_PRODUCT_DETAIL_PAGE, CART_BUTTON_CLICK) or v2 type
// (subscription.created, subscription.payment_succeeded,
// subscription.renewed, subscription.payment_failed, subscription.canceled,
// subscription.expired). It prints each answer's status and body and exits
// non-zero unless every answer is exactly HTTP 200 with a body (even {}):
// Stash counts nothing else (not an empty 200, not 201 or 204) as delivered
// and would retry.
//
// "webhook sample" prints the sample event without signing or sending it,
// for editing and later use with -file.
//
// # Purchase calls (egress)
//
// "egress send" plays Stash's pre-purchase calls to the game backend
// (default URL http://localhost:8080/api/v1/purchase/confirm): a sample
// register, confirm or cancel body (-kind, by default the last element of
// the URL's path), or the body of -file, signed with the v1 scheme
// ("X-Stash-Hmac-Signature: v1;{shopId};{unixMillis};{signature}") with the
// egress key and the current time. It exits non-zero unless the answer is
// HTTP 200 (Stash fails the purchase on any non-2xx answer, register and
// cancel must answer 200, and the SDK's handlers answer 200), and, for a
// register, unless every item's status is SUCCESS_REGISTERED (Stash expects
// 200 whatever the outcome, with a status per item; the command names each
// refused item). Use the same -transaction for a register and the confirm or
// cancel that follows it: the sample's checkout link ID and item GUIDs are
// derived from the transaction ID, so the calls of one transaction, and any
// replay of them, carry the same identities.
//
// With -kind catalog, offer or player (or a -url ending in that element),
// "egress send" plays the webshop's calls instead: a GET of
// /api/v1/catalog, /api/v1/catalog/offer or /api/v1/player (under
// http://localhost:8080 unless -url is given), signed with the v1 header
// over an empty body (the query is not covered, as with Stash), with the
// query shopId and playerId (-user), plus guid (-guid, by default derived
// from -item) and productId (-item) for offer, and the region and language
// filters (-region, -language) for catalog and offer. It prints the status
// and the body, and exits non-zero unless the answer is 200.
//
// "egress sample" prints the sample body without signing or sending it.
//
// # Sandbox
//
// "sandbox" runs the SDK's fake Stash (package stashpaytest) as a process on
// 127.0.0.1:4242 until SIGINT or SIGTERM. Its state is in memory only. It
// serves the ingress API (create checkouts, get payment events, with Stash's
// authentication), a hosted checkout page at every checkout's URL with Pay and
// Decline buttons, and a dashboard at / (checkouts, egress calls, webhook
// deliveries with every attempt; redeliver, refund, send any event). Pay
// calls the game's register and confirm endpoints under -game-backend-url,
// then delivers the signed PURCHASE_SUCCEEDED webhook to -webhook-url with
// Stash's retry schedule (-webhook-retry). The pages are embedded: nothing is
// loaded from the internet.
//
// A -host other than loopback is refused unless -allow-remote is given.
// STASH_INGRESS_KEY, STASH_EGRESS_KEY and STASH_WEBHOOK_SECRET are used when
// set and generated otherwise; STASH_SHOP_ID likewise. At start, and only
// then, the command prints the lines to paste into the game (export
// STASH_BASE_URL=..., the shop ID and the generated keys; keys taken from the
// environment are not printed). This is the one place a command prints a
// secret, on purpose: they are sandbox keys, never valid at Stash.
//
// # Network
//
// The commands send only to the URL given with -url (default: localhost);
// the sandbox sends only to its -webhook-url and -game-backend-url. They
// ignore proxy settings, never follow redirects (a signed payload is not
// forwarded elsewhere), time out each request (-timeout, default 30s, Stash's
// own limit) and read at most 64 KiB of an answer.
//
// # Exit status
//
// 0 on success; 1 when the check or the delivery failed (an invalid
// signature, a non-200 webhook answer, a purchase answer other than HTTP 200,
// a confirm answer without results, a register answer that refuses an item,
// a network error); 2 when the command could not run as given (bad flags, a missing
// environment variable, an unreadable file).
package main
