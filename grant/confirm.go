package grant

import (
	"context"
	"net/http"

	stashpay "github.com/stashpay/stashpay-go"
)

// PurchaseHandler returns the handler of Stash's egress calls, as
// [stashpay.PurchaseHandler] serves them (register, confirm and cancel;
// mount it at the root of the game backend's URL), where confirm grants
// through fn under the purchase's key, once across every route.
//
// funcs.Confirm, when set, runs first, as a check that may refuse the
// purchase (for instance [stashpay.RejectPurchase] when the item sold out);
// it must not grant. When it returns nil (its results, if any, are the
// answer's), fn grants. funcs.Register and funcs.Cancel are served as
// given, except that a cancel of the transaction a confirm granted, or of
// any transaction of a purchase the webhook or a poll granted, is answered
// FAILED_ALREADY_COMPLETED without calling funcs.Cancel; a cancel of
// another transaction of a checkout link a confirm granted reaches it (see
// stashpay.CancelPaymentHandler).
//
// cfg.Store and cfg.KeyFunc are replaced by the Granter's store and the
// purchase key; a zero cfg.Lease or cfg.BusyWait takes the Granter's.
func (g *Granter) PurchaseHandler(cfg stashpay.EgressConfig, funcs stashpay.PurchaseFuncs) http.Handler {
	cfg.Store, cfg.KeyFunc = g.store, nil
	g.confirms.Store(true)
	if cfg.Lease <= 0 {
		cfg.Lease = g.lease
	}
	if cfg.BusyWait == 0 {
		cfg.BusyWait = g.busyWait
	}
	check := funcs.Confirm
	funcs.Confirm = func(ctx context.Context, req *stashpay.ConfirmPaymentRequest) (*stashpay.ConfirmPaymentResponse, error) {
		var out *stashpay.ConfirmPaymentResponse
		if check != nil {
			var err error
			if out, err = check(ctx, req); err != nil {
				return nil, err
			}
		}
		p, err := fromConfirm(req)
		if err != nil {
			return nil, err
		}
		if err := g.fn(ctx, p); err != nil {
			return nil, err
		}
		return out, nil
	}
	return stashpay.PurchaseHandler(cfg, funcs)
}
