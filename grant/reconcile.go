package grant

import (
	"context"
	"log/slog"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/internal/wait"
)

// PendingCheckout is a checkout the game created and has not seen granted:
// what it stores at checkout creation.
type PendingCheckout struct {
	// ID is the checkout link ID CreateCheckout returned.
	ID string
	// PlayerID is the player the checkout is for (its user.id).
	PlayerID string
}

// Checked is what [Granter.Reconcile] found for one pending checkout.
type Checked struct {
	PendingCheckout
	// Status is the payment's status as Stash sent it; empty when the
	// lookup failed.
	Status stashpay.PaymentStatus
	// Err is why the checkout is in [Report.Failed] or [Report.Unknown].
	Err error
}

// Report is the outcome of [Granter.Reconcile], each checkout in exactly
// one list, in the order given.
type Report struct {
	// Granted were paid and granted by this run: their webhooks were lost
	// (or are still to come) and no other route granted them.
	Granted []Checked
	// AlreadyGranted were paid and granted earlier by some route. The game
	// may drop them from its pending list, as it may Granted.
	AlreadyGranted []Checked
	// Pending have a known status that is not paid (pending, failed,
	// refunded, authorised but not captured...): see Status.
	Pending []Checked
	// Unknown have a status this SDK does not know, by value in Status:
	// never granted. Look at them: it may be a paid purchase under a name
	// the SDK has not learnt.
	Unknown []Checked
	// Failed could not be looked up or granted (Err): the next run tries
	// again.
	Failed []Checked
}

// Reconcile polls each of pending, one every reconcile interval
// ([WithReconcileInterval], at most 10 a second by default), and grants the
// paid ones through fn, once across every route, as [Granter.Poll] does.
// It is for the purchases whose every webhook was lost: Stash stops
// retrying after about a day. Run it from a periodic job over the game's
// pending checkouts, then drop the granted ones from the list.
//
// It returns the report of every checkout it looked at; when ctx ends
// before Reconcile returns (also while the last checkout is looked up or
// granted, which is then reported as Failed), the report so far and ctx's
// error, so a job shut down mid-run never takes the run as finished. Unknown statuses are logged
// as Poll logs them, and a summary of the run at info level.
func (g *Granter) Reconcile(ctx context.Context, client *stashpay.Client, pending []PendingCheckout) (*Report, error) {
	r := &Report{}
	for i, pc := range pending {
		if i > 0 {
			if err := wait.Sleep(ctx, g.interval); err != nil {
				return r, err
			}
		}
		if err := ctx.Err(); err != nil {
			return r, err
		}
		o, status, err := g.poll(ctx, client, pc.ID, pc.PlayerID)
		c := Checked{PendingCheckout: pc, Status: status, Err: err}
		switch o {
		case outGranted:
			r.Granted = append(r.Granted, c)
		case outAlready:
			r.AlreadyGranted = append(r.AlreadyGranted, c)
		case outNotPaid:
			r.Pending = append(r.Pending, c)
		case outUnknown:
			r.Unknown = append(r.Unknown, c)
		default:
			r.Failed = append(r.Failed, c)
		}
	}
	g.log(ctx, slog.LevelInfo, "grant: reconcile done", slog.Int("checked", len(pending)),
		slog.Int("granted", len(r.Granted)), slog.Int("already_granted", len(r.AlreadyGranted)),
		slog.Int("pending", len(r.Pending)), slog.Int("unknown", len(r.Unknown)), slog.Int("failed", len(r.Failed)))
	// A context that ended during the last poll ended the run too: its
	// lookup or grant may have been cut short (reported as failed).
	return r, ctx.Err()
}
