package grant

import (
	"context"
	"log/slog"
	"net/http"
	"slices"

	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/webhook"
)

// WebhookHandler returns the handler of Stash's webhooks: it verifies each
// delivery with v (as [webhook.NewHandler] does, with opts) and grants
// every PURCHASE_SUCCEEDED through fn under the purchase's key, once
// across every route. Other events go, once per event key, to the function
// of [WithOtherEvents], or are acknowledged and dropped without it (logged
// at warning level, through [WithLogger], unless they are analytics
// events).
//
// The exactly-once store and lease are the Granter's: a [webhook.WithStore],
// [webhook.WithLease], [webhook.WithKeyFunc] or [webhook.WithoutDedup] in
// opts has no effect. A delivery whose purchase is being granted by another
// route right now (or, for another event, whose copy is being handled)
// waits for it, up to the Granter's busy wait
// ([WithBusyWait]), and is then answered as a duplicate (200); when the
// wait runs out it is answered 409, and Stash retries it later.
func (g *Granter) WebhookHandler(v *webhook.Verifier, opts ...webhook.HandlerOption) http.Handler {
	// The Granter claims keys itself, so that the handler's own store
	// cannot be configured to differ from the other routes'.
	opts = append(slices.Clone(opts), webhook.WithoutDedup())
	return webhook.NewHandler(v, g.onEvent, opts...)
}

// onEvent handles one verified event.
func (g *Granter) onEvent(ctx context.Context, e events.Event) error {
	if p, ok := e.(*events.PurchaseSucceeded); ok {
		if p.CheckoutLinkID == "" && p.TransactionID == "" {
			return g.cartPurchase(ctx, p)
		}
		_, err := g.grant(ctx, fromWebhook(p), g.busyWait)
		return err
	}
	if g.other == nil {
		g.dropped(ctx, e)
		return nil
	}
	_, err := g.once(ctx, webhook.DefaultKey(e), g.busyWait, func(ctx context.Context) error { return g.other(ctx, e) })
	return err
}

// dropped logs, at warning level, an event acknowledged without a
// [WithOtherEvents] function: a refund, a subscription event, a free item,
// an event type this version does not know, whether or not it carries an
// identity (Stash's refund payload is undocumented, so its refundId may be
// missing). Stash does not deliver an acknowledged event again, so this
// log is the only trace. Analytics events are dropped silently: they come
// by the thousand and grant nothing.
func (g *Granter) dropped(ctx context.Context, e events.Event) {
	switch e.(type) {
	case *events.CreatePaymentIntent, *events.MutateCart, *events.ViewItem,
		*events.ViewCheckoutPage, *events.ViewProductDetailPage, *events.CartButtonClick:
		return // analytics: dropped silently
	}
	g.log(ctx, slog.LevelWarn, "grant: event acknowledged and dropped: the Granter has no WithOtherEvents function",
		slog.String("type", string(e.Type())))
}

// cartPurchase handles a PURCHASE_SUCCEEDED that no other route can join
// by key (see "Webshop cart purchases" in the package documentation).
func (g *Granter) cartPurchase(ctx context.Context, e *events.PurchaseSucceeded) error {
	order := slog.String("order_id", e.OrderID)
	if g.cartOnConfirm {
		g.log(ctx, slog.LevelInfo, "grant: webhook of a purchase without checkout link acknowledged without granting; the confirm call grants it (WithCartPurchasesOnConfirm)", order)
		return nil
	}
	if g.confirms.Load() {
		g.log(ctx, slog.LevelWarn, "grant: granting on the webhook a purchase without checkout link or transaction ID; "+
			"if the confirm call granted it too, it is granted twice (see WithCartPurchasesOnConfirm)", order)
	}
	_, err := g.grant(ctx, fromWebhook(e), g.busyWait)
	return err
}
