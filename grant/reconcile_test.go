package grant_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/grant"
	"github.com/stashpay/stashpay-go/stashpaytest"
)

// TestReconcileLostWebhooks: purchases whose every webhook was lost are
// granted by the reconciler alone, once; the rest is reported by kind.
func TestReconcileLostWebhooks(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	var logs logBuffer
	e := newEnv(t, rec, nil, grant.WithLogger(logs.logger()))
	e.serveGame(t, nil)
	e.fake.SetEgressBaseURL("")

	lost := e.checkout(t, "lost")
	p, err := e.fake.Pay(t.Context(), lost, stashpaytest.Lost())
	require.NoError(t, err)
	require.ErrorIs(t, p.Webhook.Wait(t.Context()), stashpaytest.ErrNotDelivered)
	require.Empty(t, rec.granted(), "nothing granted while the webhooks are lost")

	delivered := e.checkout(t, "delivered")
	p, err = e.fake.Pay(t.Context(), delivered)
	require.NoError(t, err)
	require.NoError(t, p.Webhook.Wait(t.Context()))

	unpaid := e.checkout(t, "unpaid")
	declined := e.checkout(t, "declined")
	_, err = e.fake.Decline(t.Context(), declined)
	require.NoError(t, err)
	settled := e.checkout(t, "settled")
	_, err = e.fake.Pay(t.Context(), settled, stashpaytest.Lost())
	require.NoError(t, err)
	require.NoError(t, e.fake.SetPaymentStatus(settled, "PAYMENT_STATUS_SETTLED"))

	pending := []grant.PendingCheckout{
		{ID: lost, PlayerID: "lost"}, {ID: delivered, PlayerID: "delivered"}, {ID: unpaid, PlayerID: "unpaid"},
		{ID: declined, PlayerID: "declined"}, {ID: settled, PlayerID: "settled"}, {ID: "no-such-checkout", PlayerID: "x"},
	}
	r, err := e.g.Reconcile(t.Context(), e.client, pending)
	require.NoError(t, err)
	ids := func(cs []grant.Checked) (out []string) {
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	assert.Equal(t, []string{lost}, ids(r.Granted))
	assert.Equal(t, []string{delivered}, ids(r.AlreadyGranted))
	assert.Equal(t, []string{unpaid, declined}, ids(r.Pending))
	assert.Equal(t, []stashpay.PaymentStatus{stashpay.PaymentStatusPending, stashpay.PaymentStatusFailed},
		[]stashpay.PaymentStatus{r.Pending[0].Status, r.Pending[1].Status})
	require.Len(t, r.Unknown, 1)
	assert.Equal(t, settled, r.Unknown[0].ID)
	assert.Equal(t, stashpay.PaymentStatus("PAYMENT_STATUS_SETTLED"), r.Unknown[0].Status, "reported by value")
	assert.ErrorIs(t, r.Unknown[0].Err, grant.ErrUnknownStatus)
	require.Len(t, r.Failed, 1)
	assert.ErrorIs(t, r.Failed[0].Err, stashpay.ErrNotFound)
	assert.Contains(t, logs.String(), "status=PAYMENT_STATUS_SETTLED")

	granted := map[string]int{}
	for _, p := range rec.granted() {
		granted[p.CheckoutLinkID]++
	}
	assert.Equal(t, map[string]int{lost: 1, delivered: 1}, granted, "the unknown status is never granted")

	again, err := e.g.Reconcile(t.Context(), e.client, pending[:1])
	require.NoError(t, err)
	assert.Equal(t, []string{lost}, ids(again.AlreadyGranted), "a second run grants nothing again")
}

func TestReconcileStopsWithItsContext(t *testing.T) {
	t.Parallel()
	e := newEnv(t, &recorder{}, nil)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var grants int
	g, err := grant.New(dedup.NewMemoryStore(), func(context.Context, *grant.Purchase) error {
		grants++
		cancel() // the job is being shut down
		return nil
	})
	require.NoError(t, err)
	var pending []grant.PendingCheckout
	for _, player := range []string{"p1", "p2"} {
		id := e.checkout(t, player)
		_, err := e.fake.Pay(t.Context(), id)
		require.NoError(t, err)
		pending = append(pending, grant.PendingCheckout{ID: id, PlayerID: player})
	}
	r, err := g.Reconcile(ctx, e.client, pending)
	require.ErrorIs(t, err, context.Canceled)
	require.NotNil(t, r)
	assert.Len(t, r.Granted, 1, "the report so far")
	assert.Equal(t, 1, grants, "nothing polled after the context ended")
}

// TestReconcileReportsContextEndingDuringLastPoll: Reconcile documents "when
// ctx ends first, the report so far and ctx's error". A context that ends
// while the last pending checkout is being polled must not be answered as a
// finished run (nil error).
func TestReconcileReportsContextEndingDuringLastPoll(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		players []string
	}{
		{"one pending checkout", []string{"p1"}},
		{"ends during the second of two", []string{"p1", "p2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, &recorder{}, nil)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var pending []grant.PendingCheckout
			for _, player := range tt.players {
				id := e.checkout(t, player)
				_, err := e.fake.Pay(t.Context(), id)
				require.NoError(t, err)
				pending = append(pending, grant.PendingCheckout{ID: id, PlayerID: player})
			}
			last := pending[len(pending)-1].PlayerID
			g, err := grant.New(dedup.NewMemoryStore(), func(ctx context.Context, p *grant.Purchase) error {
				if p.PlayerID == last {
					cancel() // the job is shut down while the last grant runs
					return ctx.Err()
				}
				return nil
			}, grant.WithReconcileInterval(time.Millisecond))
			require.NoError(t, err)
			r, err := g.Reconcile(ctx, e.client, pending)
			require.NotNil(t, r)
			require.Len(t, r.Failed, 1, "the interrupted grant is reported as failed")
			require.ErrorIs(t, err, context.Canceled, "ctx ended before the run finished: Reconcile must say so")
		})
	}
}
