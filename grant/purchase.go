package grant

import (
	"strings"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/webhook"
)

// Route is how a purchase reached the game.
type Route string

// The routes.
const (
	// RouteConfirm is Stash's egress confirm call (pre-purchase flow).
	RouteConfirm Route = "confirm"
	// RouteWebhook is the PURCHASE_SUCCEEDED webhook (async flow).
	RouteWebhook Route = "webhook"
	// RoutePoll is a GetPaymentEvent lookup, by [Granter.Poll] or
	// [Granter.Reconcile] (sync flow).
	RoutePoll Route = "poll"
)

// Purchase is one paid purchase, the same shape whichever route reported
// it. A field the route does not know is empty: the webhook has no
// transaction ID, a poll no order or transaction ID unless Stash sends
// them. Exactly one of Confirm, Webhook and Payment is set, the route's own
// typed value, for everything else.
type Purchase struct {
	// Key is the purchase's exactly-once key (see the package
	// documentation): record it with the grant, under a unique constraint.
	Key string
	// Route is the route that reported the purchase.
	Route Route
	// PlayerID is the player to grant to: the confirm call's playerId, the
	// webhook's userId, or the player given to Poll (the user.id of the
	// checkout).
	PlayerID string
	// CheckoutLinkID is the checkout link (the ID CreateCheckout
	// returned); empty for a purchase without one.
	CheckoutLinkID string
	// TransactionID is the checkout's transaction ID, when the route has
	// it.
	TransactionID string
	// OrderID is Stash's order ID, when the route has it.
	OrderID string
	// Currency is the ISO 4217 code, upper-case.
	Currency string
	// Items are the purchased items.
	Items []Item
	// BonusItems are free items granted with the purchase: the confirm
	// call's and the payment event's bonusItems, and the webhook's (see
	// events.PurchaseSucceeded.BonusItems; their name there is not
	// documented).
	BonusItems []BonusItem
	// Total is the amount charged, tax included, and Tax its tax part,
	// exact decimal text: decimal major units for confirm (its minor units
	// at DecimalPlaces), as sent for the webhook and a poll (see
	// [events.Amount] for the webhook's unit).
	Total, Tax stashpay.Amount

	// Confirm is the confirm call, on RouteConfirm.
	Confirm *stashpay.ConfirmPaymentRequest
	// Webhook is the PURCHASE_SUCCEEDED event, on RouteWebhook.
	Webhook *events.PurchaseSucceeded
	// Payment is the payment event, on RoutePoll.
	Payment *stashpay.PaymentEvent
}

// Item is one purchased item.
type Item struct {
	// ID is the item's SKU (the confirm call's productId).
	ID string
	// Quantity is the number of units, > 0.
	Quantity int64
	// Price is the unit price, as [Purchase.Total] is written; empty when
	// the route does not send it.
	Price stashpay.Amount
}

// BonusItem is a free item granted with a purchase.
type BonusItem struct {
	// ID identifies the bonus item.
	ID string
	// Quantity is the number to grant.
	Quantity int64
}

// fromConfirm is the purchase of a validated confirm call.
func fromConfirm(req *stashpay.ConfirmPaymentRequest) (*Purchase, error) {
	p := &Purchase{
		Key: stashpay.DefaultConfirmKey(req), Route: RouteConfirm, PlayerID: req.PlayerID,
		CheckoutLinkID: req.CheckoutLinkID, TransactionID: req.TransactionID,
		Currency: strings.ToUpper(req.Currency), Confirm: req,
		Items: make([]Item, len(req.Items)),
	}
	var err error
	if p.Total, err = req.TotalAmount(); err != nil {
		return nil, err
	}
	if p.Tax, err = req.TaxAmount(); err != nil {
		return nil, err
	}
	for i, it := range req.Items {
		price, err := it.UnitAmount(req.DecimalPlaces)
		if err != nil {
			return nil, err
		}
		p.Items[i] = Item{ID: it.ProductID, Quantity: it.Quantity, Price: price}
	}
	for _, b := range req.BonusItems {
		p.BonusItems = append(p.BonusItems, BonusItem(b))
	}
	return p, nil
}

// fromWebhook is the purchase of a PURCHASE_SUCCEEDED event.
func fromWebhook(e *events.PurchaseSucceeded) *Purchase {
	p := &Purchase{
		Key: webhook.DefaultKey(e), Route: RouteWebhook, PlayerID: e.UserID,
		CheckoutLinkID: e.CheckoutLinkID, TransactionID: e.TransactionID, OrderID: e.OrderID,
		Currency: e.Currency.Code(), Total: e.Total, Tax: e.Tax, Webhook: e,
		Items: make([]Item, len(e.Items)),
	}
	for i, it := range e.Items {
		p.Items[i] = Item{ID: it.ID, Quantity: it.Quantity, Price: it.Price}
	}
	for _, b := range e.BonusItems {
		p.BonusItems = append(p.BonusItems, BonusItem{ID: b.ID, Quantity: b.Quantity})
	}
	return p
}

// fromPayment is the purchase of a paid payment event of checkoutID, for
// playerID. When Stash names the payment's checkout link, that is the
// checkout: the ID polled may be another spelling of it, or another ID
// Stash resolves, and the key must be the one the other routes use.
func fromPayment(ev *stashpay.PaymentEvent, checkoutID, playerID string) *Purchase {
	if ev.CheckoutLinkID != "" {
		checkoutID = ev.CheckoutLinkID
	}
	p := &Purchase{
		Key: events.CheckoutKey(checkoutID), Route: RoutePoll, PlayerID: playerID,
		CheckoutLinkID: checkoutID, TransactionID: ev.TransactionID, OrderID: ev.OrderID,
		Currency: strings.ToUpper(ev.Currency), Total: ev.Total, Tax: ev.Tax, Payment: ev,
		Items: make([]Item, len(ev.Items)),
	}
	for i, it := range ev.Items {
		p.Items[i] = Item{ID: it.ID, Quantity: it.Quantity, Price: it.PricePerItem}
	}
	for _, b := range ev.BonusItems {
		p.BonusItems = append(p.BonusItems, BonusItem{ID: b.ID, Quantity: b.Quantity})
	}
	return p
}
