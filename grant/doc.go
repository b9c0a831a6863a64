// Package grant makes a game grant each Stash purchase exactly once,
// whichever route reports it: the egress confirm call (pre-purchase flow),
// the PURCHASE_SUCCEEDED webhook (async flow) or a GetPaymentEvent poll
// (sync flow), any number of times, on any number of instances that share
// one [dedup.Store].
//
// The game writes one [Func]. A [Granter] calls it with a [Purchase], the
// same shape on every route, under the purchase's exactly-once key:
//
//	g, err := grant.New(store, func(ctx context.Context, p *grant.Purchase) error {
//		return inventory.Grant(ctx, p.Key, p.PlayerID, p.Items) // one DB transaction
//	})
//	mux.Handle("/webhooks/stash", g.WebhookHandler(verifier))
//	mux.Handle("/api/v1/purchase/", g.PurchaseHandler(egressCfg, stashpay.PurchaseFuncs{Register: reserve}))
//	granted, err := g.Poll(ctx, client, checkoutID, playerID) // the player is back
//	report, err := g.Reconcile(ctx, client, pendingCheckouts) // from a periodic job
//
// # The key
//
// The checkout link ID (the ID [stashpay.Client.CreateCheckout] returns) is
// the identity the three routes share, so the key is
// [events.CheckoutKey](checkoutLinkID), "checkout:" + the ID: the confirm
// call's checkoutLinkId, the webhook's checkoutLinkId, and the checkout ID
// a poll is given. These are the default keys of the root package's
// confirm handler and of package webhook, so a Granter agrees with
// handlers built without it.
//
// # Webshop cart purchases
//
// A purchase without a checkout link ID (a Webshop cart purchase) has no
// identity that Stash documents on both the confirm call and the webhook:
// confirm knows its transactionId, the webhook its orderId. Its key falls
// back to each route's own: [events.TransactionKey](transactionId),
// "purchase-tx:" + the ID, on confirm, and on the webhook the same key when
// the event carries a transaction ID (undocumented), else "purchase:" +
// orderId. Each route's deliveries are then granted once, but a game that
// mounts both routes grants such a purchase twice, once per route, and its
// own unique constraint on [Purchase.Key] cannot catch it: the keys differ.
// A game that serves the confirm call for every purchase (the pre-purchase
// flow: a Game Backend URL set in Studio, so that Stash completes no
// purchase the game did not confirm) passes [WithCartPurchasesOnConfirm]:
// the webhook of such a purchase is then acknowledged without granting.
// Without it, the Granter logs a warning for each one it grants on the
// webhook while it serves the confirm call too.
//
// # What is granted when
//
// fn runs at most once to success per key: a call of the key that finds it
// done does not call fn, and one that finds it held by another call waits
// for that one, up to the busy wait ([WithBusyWait]), on every route: a
// webhook delivery still busy after it is answered 409 so that Stash
// retries. A failed
// fn grants nothing and releases the key: the next delivery, poll or
// reconcile runs fn again. A poll grants only a status that
// [stashpay.PaymentStatus.Paid] says is paid; a status the SDK does not
// know is never granted, it is logged with its value and checkout ID, and
// reported by Reconcile.
//
// # Lost webhooks
//
// Stash retries a webhook for about a day and then gives up. A game that
// stores its pending checkouts (checkout ID and player, as Stash's flow
// guide asks) runs [Granter.Reconcile] over them from a periodic job: it
// polls each at a bounded rate, grants the paid ones once, and reports the
// rest.
package grant
