// Package stashpaytest is a fake Stash for testing a game backend's Stash Pay
// integration locally, in unit tests and in CI, with no Stash account and no
// network.
//
// A [Server] listens on loopback and plays three parts:
//
//   - The ingress API the game calls: POST
//     /sdk/server/checkout_links/generate_quick_pay_url and GET
//     /sdk/server/payment/{id}, with Stash's authentication enforced exactly
//     (a v1 x-stash-hmac-signature with the shop ID, a timestamp within 5
//     minutes either way and an HMAC over the raw body, an empty body for GET;
//     the deprecated body-only stash-hmac-signature; X-Stash-Api-Key only
//     when [WithAPIKey] enables it), request bodies
//     validated as Stash documents them (exactly one of item and
//     catalogItems, a user ID, positive quantities and prices, ...), and
//     errors answered as google.rpc.Status JSON with the matching HTTP
//     status. Point the game's client at it with [Server.NewClient] or
//     stashpay.WithBaseURL([Server.URL]).
//   - The player and Stash's back office: [Server.Pay] completes a checkout.
//     With [WithEgressBaseURL] it first calls the game's
//     /api/v1/purchase/register and /confirm endpoints, signed with the
//     egress key; a confirm the game refuses (any non-2xx answer) fails the
//     purchase. It then marks the payment succeeded for GetPaymentEvent and,
//     with [WithWebhookURL], delivers a signed PURCHASE_SUCCEEDED webhook.
//     [Server.Decline] plays a declined payment (register, then cancel),
//     [Server.Refund] a refund, [Server.SendSubscriptionEvent] and
//     [Server.SendEvent] any v1 or v2 event.
//   - Stash's webhook delivery: the body signed with the webhook secret in
//     Stash-Hmac-Signature, only HTTP 200 with a body (even {}) counts as
//     delivered, anything else (an empty 200, a redirect, which is not
//     followed) is retried on a schedule (fast by default, see [WithRetrySchedule]),
//     each attempt carrying a Stash-Retry-Count header: "0" on the first
//     attempt, then 1, 2, ... (Stash does not document whether its first
//     attempt sends 0 or omits the header; the fake sends 0). Every delivery
//     is recorded ([Server.Deliveries]) and can be waited for
//     ([Delivery.Wait], [Server.WaitDeliveries]).
//
// # Pages for a person
//
// The fake also serves two HTML pages, embedded in the package (no
// JavaScript, nothing loaded from the internet, usable on a phone-sized
// screen), so that a person can play the player by hand, for example with
// the "stashpay sandbox" command, which runs a fake as a long-lived process:
//
//   - the hosted checkout page at each checkout's URL (/pay/{id}): the shop,
//     the player, the items with quantities and exact prices, the tax and the
//     total, and Pay and Decline buttons that run [Server.Pay] and
//     [Server.Decline]; afterwards it shows the outcome (paid, refused by the
//     game's register or confirm, declined) and the webhook's delivery;
//   - the dashboard at /: every checkout with its payment status and egress
//     calls, every webhook delivery with each attempt's Stash-Retry-Count and
//     answer, the game's API calls, and forms to redeliver a webhook
//     ([Server.Redeliver]), refund a purchase ([Server.Refund]) and send any
//     event type ([SampleEvent]) or payload.
//
// Their forms refuse cross-site posts (an Origin other than the fake's own),
// so that another site open in the same browser cannot drive them.
//
// # Fault injection
//
// Each fault is one option or call:
//
//   - duplicates: [Times](n) (add [Concurrently] for simultaneous copies),
//     per call or for every delivery with [WithDeliveryOptions];
//   - out-of-order delivery: [Server.HoldDeliveries], then
//     [Server.ReleaseDeliveries] with [Reversed];
//   - a forged or stale signature: [SignedWith](secret), [Unsigned] (with
//     [MaxAttempts](1) to skip the retries of a refused delivery), and
//     [Server.RotateWebhookSecret] to test key rotation;
//   - ingress failures: [Server.FailIngress](n, 429 or 5xx, retryAfter);
//     slow answers: [Server.SetIngressDelay];
//   - a refused confirm: make the game's handler answer non-2xx; [Server.Pay]
//     then returns an error matching [ErrConfirmRefused] and sends no webhook;
//   - refunds and subscription lifecycles: [Server.Refund],
//     [Server.SendSubscriptionEvent].
//
// # Testing your integration
//
// Start a fake per test, point the game's client, webhook handler and
// purchase handlers at it, let it pay, then check what the game granted:
//
//	func TestPurchaseIsGrantedOnce(t *testing.T) {
//		fake := stashpaytest.Start(t) // closed when the test ends
//
//		// The game under test, built from the fake's credentials.
//		game := newGameBackend(gameConfig{
//			ShopID: fake.ShopID(), IngressKey: fake.IngressKey(),
//			EgressKey: fake.EgressKey(), WebhookSecret: fake.WebhookSecret(),
//			StashBaseURL: fake.URL(),
//		})
//		srv := httptest.NewServer(game)
//		defer srv.Close()
//		fake.SetWebhookURL(srv.URL + "/webhooks/stash")
//		fake.SetEgressBaseURL(srv.URL) // only if the game serves /api/v1/purchase/*
//
//		checkoutID := game.StartPurchase(t.Context(), "player-1", "gems_100")
//		p, err := fake.Pay(t.Context(), checkoutID, stashpaytest.Times(3)) // webhook sent 3 times
//		require.NoError(t, err)
//		require.NoError(t, p.Webhook.Wait(t.Context()))
//
//		assert.Equal(t, 1, game.Owned("player-1", "gems_100"))
//	}
//
// The runnable examples of this package and the programs under examples/
// in the module repository show complete games tested this way.
//
// The fake's payloads follow Stash's public documentation; where that is
// silent (payment status names, the refund payload, the v2 envelope's id,
// whether a reused transactionId is refused) the fake makes the assumption
// stated on the method, and the stashpay package reads the same way.
//
// A Server is safe for concurrent use. It holds test keys (see
// [DefaultIngressKey] and friends); its String method never prints them.
package stashpaytest
