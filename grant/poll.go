package grant

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/dedup"
)

// Errors of [Granter.Poll].
var (
	// ErrUnknownStatus is matched by the error of a poll whose payment
	// status the SDK does not know ([stashpay.PaymentStatus.Known]): the
	// purchase is not granted. See [UnknownStatusError].
	ErrUnknownStatus = errors.New("grant: payment status unknown to this SDK; not granted")
	// ErrPlayerMismatch is returned when Stash names the payment's player
	// (userId) and it is not the player Poll was given: nothing is granted.
	ErrPlayerMismatch = errors.New("grant: the payment's user is not the given player; not granted")
)

// UnknownStatusError is the error of a poll whose payment status the SDK
// does not know. It matches [ErrUnknownStatus].
type UnknownStatusError struct {
	// CheckoutID is the checkout polled.
	CheckoutID string
	// Status is the status Stash sent.
	Status stashpay.PaymentStatus
}

// Error names the status and the checkout.
func (e *UnknownStatusError) Error() string {
	return fmt.Sprintf("grant: payment status %q of checkout %q unknown to this SDK; not granted", string(e.Status), e.CheckoutID)
}

// Is matches ErrUnknownStatus.
func (e *UnknownStatusError) Is(target error) bool { return target == ErrUnknownStatus }

// outcome is what a poll found.
type outcome int

const (
	outFailed  outcome = iota // the lookup or the grant failed
	outGranted                // paid, and fn granted it now
	outAlready                // paid, granted earlier by some route
	outNotPaid                // a known status that is not paid
	outUnknown                // a status the SDK does not know
)

// Poll looks the payment of checkoutID (the ID CreateCheckout returned) up
// with client and, when its status is paid ([stashpay.PaymentStatus.Paid]),
// grants it to playerID (the user.id of the checkout) through fn, once
// across every route. Take both from the game's own record of the checkout
// it created for that player, never from what a player sends: Stash's
// published answer does not name the payment's user, so Poll cannot tell
// whose payment it is, and would grant a checkout another player paid for
// to whoever names its ID. granted reports whether the purchase is granted now,
// by this call or earlier by any route; (false, nil) means not paid yet.
//
// A status the SDK does not know is never granted: it is logged (status and
// checkout ID, at warning level) and answered (false,
// [*UnknownStatusError]). When Stash names the payment's user and it is
// not playerID, the answer is (false, [ErrPlayerMismatch]). While another
// route grants the purchase, Poll waits for it, up to the busy wait
// ([WithBusyWait]); a wait that ctx ends is answered with an error matching
// both [dedup.ErrBusy] and ctx's error. The purchase's key is that of the checkout link Stash's
// answer names (checkoutLinkId), when it names one, else of checkoutID, so
// that polling another ID of the same payment never grants it again.
func (g *Granter) Poll(ctx context.Context, client *stashpay.Client, checkoutID, playerID string) (granted bool, err error) {
	o, _, err := g.poll(ctx, client, checkoutID, playerID)
	return o == outGranted || o == outAlready, err
}

// poll is Poll with the status found and the detailed outcome.
func (g *Granter) poll(ctx context.Context, client *stashpay.Client, checkoutID, playerID string) (outcome, stashpay.PaymentStatus, error) {
	if client == nil {
		return outFailed, "", errors.Join(ErrInvalidConfig, errors.New("grant: Poll: client is nil"))
	}
	if playerID == "" {
		return outFailed, "", errors.Join(ErrInvalidConfig, errors.New("grant: Poll: playerID is empty"))
	}
	ev, err := client.GetPaymentEvent(ctx, checkoutID)
	if err != nil {
		return outFailed, "", err
	}
	switch {
	case !ev.Status.Known():
		g.log(ctx, slog.LevelWarn, "grant: payment status unknown to this SDK; not granted",
			slog.String("status", string(ev.Status)), slog.String("checkout_id", checkoutID))
		return outUnknown, ev.Status, &UnknownStatusError{CheckoutID: checkoutID, Status: ev.Status}
	case !ev.Status.Paid():
		return outNotPaid, ev.Status, nil
	case ev.UserID != "" && ev.UserID != playerID:
		return outFailed, ev.Status, ErrPlayerMismatch
	}
	res, err := g.grant(ctx, fromPayment(ev, checkoutID, playerID), g.busyWait)
	switch {
	case res == dedup.AlreadyDone:
		return outAlready, ev.Status, nil
	case res == dedup.Ran && err == nil:
		return outGranted, ev.Status, nil
	case res == dedup.Ran && errors.As(err, new(*dedup.CompleteError)):
		// Granted; the store records it in the background.
		g.log(ctx, slog.LevelError, "grant: purchase granted but not yet recorded as done",
			slog.String("checkout_id", checkoutID), slog.String("error", err.Error()))
		return outGranted, ev.Status, nil
	default:
		return outFailed, ev.Status, err
	}
}
