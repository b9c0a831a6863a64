package grant_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	stashpay "github.com/stashpay/stashpay-go"
	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest"
	"github.com/stashpay/stashpay-go/events"
	"github.com/stashpay/stashpay-go/grant"
	"github.com/stashpay/stashpay-go/stashpaytest"
	"github.com/stashpay/stashpay-go/webhook"
)

// A failed grant function is answered so that Stash redelivers, also when
// its error wraps a *dedup.CompleteError of a dedup.Do of the game's own,
// which is not the Granter's record.
func TestWebhookFnFailingThenSucceeding(t *testing.T) {
	t.Parallel()
	for name, failWith := range map[string]error{
		"plain error":              nil,
		"wrapping a CompleteError": fmt.Errorf("reserve: %w", &dedup.CompleteError{Err: errors.New("game's redis down")}),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{failures: 1, failWith: failWith}
			e := newEnv(t, rec, nil)
			e.serveGame(t, nil)
			e.fake.SetEgressBaseURL("")
			id := e.checkout(t, "p1")
			p, err := e.fake.Pay(t.Context(), id)
			require.NoError(t, err)
			require.NoError(t, p.Webhook.Wait(t.Context()), "the redelivery is acknowledged")
			attempts := p.Webhook.Attempts()
			require.Len(t, attempts, 2)
			assert.Equal(t, http.StatusInternalServerError, attempts[0].StatusCode, "a failed fn is answered so that Stash redelivers")
			assert.Equal(t, http.StatusOK, attempts[1].StatusCode)
			assert.Equal(t, 2, rec.callCount())
			assert.Len(t, rec.granted(), 1)
		})
	}
}

func TestWebhookDuplicatesGrantOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []webhook.HandlerOption
	}{
		{"defaults", nil},
		{"a WithoutDedup given by the game has no effect", []webhook.HandlerOption{webhook.WithoutDedup()}},
		{"a key function given by the game has no effect", []webhook.HandlerOption{webhook.WithKeyFunc(func(events.Event) string { return "mine" })}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			e := newEnv(t, rec, nil)
			e.serveGame(t, nil, tt.opts...)
			e.fake.SetEgressBaseURL("")
			id := e.checkout(t, "p1")
			p, err := e.fake.Pay(t.Context(), id, stashpaytest.Times(4), stashpaytest.Concurrently())
			require.NoError(t, err)
			require.NoError(t, p.Webhook.Wait(t.Context()))
			assert.Len(t, rec.granted(), 1)
		})
	}
}

func TestWebhookOtherEvents(t *testing.T) {
	t.Parallel()
	refund := []byte(`{"type":"PURCHASE_REFUNDED","purchaseRefunded":{"refundId":"r-1","orderId":"o-1"}}`)
	tests := []struct {
		name      string
		withOther bool
		want      int32
	}{
		{"given once per event", true, 1},
		{"acknowledged and dropped without a function", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var others atomic.Int32
			var opts []grant.Option
			if tt.withOther {
				opts = append(opts, grant.WithOtherEvents(func(_ context.Context, ev events.Event) error {
					if _, ok := ev.(*events.PurchaseRefunded); ok {
						others.Add(1)
					}
					return nil
				}))
			}
			rec := &recorder{}
			e := newEnv(t, rec, nil, opts...)
			e.serveGame(t, nil)
			d, err := e.fake.SendEvent(t.Context(), refund, stashpaytest.Times(3))
			require.NoError(t, err)
			require.NoError(t, d.Wait(t.Context()))
			assert.Equal(t, tt.want, others.Load())
			assert.Empty(t, rec.granted(), "a refund is not a purchase")
		})
	}
}

// Without WithOtherEvents, every dropped event but an analytics one is
// logged (Stash will not send it again), also when it carries no identity of
// its own: Stash's refund payload is undocumented (refundId is a guess), and
// a renewal or a failure may come without period, payment or envelope id.
// An analytics event is dropped silently.
func TestWebhookDroppedEventsAreLogged(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		body   string
		logged bool
	}{
		{"refund", `{"type":"PURCHASE_REFUNDED","purchaseRefunded":{"refundId":"r-9","orderId":"o-9"}}`, true},
		{"free item", `{"type":"FREE_ITEM_REDEEMED","freeItemRedeemed":{"userId":"p1","itemId":"gift"}}`, true},
		{"renewal", `{"type":"subscription.renewed","data":{"id":"sub-1","currentPeriodEnd":"2026-02-01T00:00:00Z"}}`, true},
		{"refund without refund id", `{"type":"PURCHASE_REFUNDED","purchaseRefunded":{"orderId":"o-9","checkoutLinkId":"c-9","userId":"p1","total":"1.99"}}`, true},
		{"renewal without period or payment", `{"type":"subscription.payment_succeeded","data":{"id":"sub-1","status":"active"}}`, true},
		{"payment failure without payment id", `{"type":"subscription.payment_failed","data":{"id":"sub-1","status":"past_due"}}`, true},
		{"event type this SDK does not know", `{"type":"PURCHASE_CHARGEBACK","purchaseChargeback":{"orderId":"o-9"}}`, true},
		{"analytics", `{"type":"VIEW_ITEM","viewItem":{"userId":"p1","itemId":"sword"}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logs := &logBuffer{}
			rec := &recorder{}
			e := newEnv(t, rec, nil, grant.WithLogger(logs.logger()))
			e.serveGame(t, nil)
			d, err := e.fake.SendEvent(t.Context(), []byte(tt.body))
			require.NoError(t, err)
			require.NoError(t, d.Wait(t.Context()))
			for _, a := range d.Attempts() {
				assert.Equal(t, http.StatusOK, a.StatusCode, "a dropped event is still acknowledged")
			}
			if tt.logged {
				assert.Contains(t, logs.String(), "level=WARN")
				assert.Contains(t, logs.String(), "has no WithOtherEvents function")
			} else {
				assert.NotContains(t, logs.String(), "WithOtherEvents")
			}
			assert.Empty(t, rec.granted())
		})
	}
}

// Concurrent copies of another event wait for the one being handled, as
// those of a purchase do, instead of failing (each failure costs Stash a
// redelivery).
func TestWebhookOtherEventCopiesWait(t *testing.T) {
	t.Parallel()
	refund := []byte(`{"type":"PURCHASE_REFUNDED","purchaseRefunded":{"refundId":"r-2","orderId":"o-2"}}`)
	var others atomic.Int32
	rec := &recorder{}
	e := newEnv(t, rec, nil, grant.WithOtherEvents(func(context.Context, events.Event) error {
		if others.Add(1) == 1 {
			time.Sleep(200 * time.Millisecond) // the copies arrive while this one runs
		}
		return nil
	}))
	e.serveGame(t, nil)
	d, err := e.fake.SendEvent(t.Context(), refund, stashpaytest.Times(3), stashpaytest.Concurrently())
	require.NoError(t, err)
	require.NoError(t, d.Wait(t.Context()))
	for i, a := range d.Attempts() {
		assert.Equal(t, http.StatusOK, a.StatusCode, "attempt %d", i)
	}
	assert.Equal(t, int32(1), others.Load(), "the event is handled once")
}

func TestWebhookStoreDownIsAnswered503(t *testing.T) {
	t.Parallel()
	fake := stashpaytest.Start(t, stashpaytest.WithRetrySchedule(time.Millisecond, time.Millisecond))
	rec := &recorder{}
	logs := &logBuffer{}
	g, err := grant.New(deduptest.Unreachable(), rec.grant, grant.WithLogger(logs.logger()))
	require.NoError(t, err)
	v, err := webhook.NewVerifier(fake.WebhookSecret())
	require.NoError(t, err)
	srv := httptest.NewServer(g.WebhookHandler(v, webhook.WithLogger(logs.logger())))
	t.Cleanup(srv.Close)
	fake.SetWebhookURL(srv.URL)
	client, err := stashpay.NewClient(stashpay.Credentials{ShopID: fake.ShopID(), IngressKey: fake.IngressKey()}, stashpay.WithBaseURL(fake.URL()))
	require.NoError(t, err)
	e := &env{fake: fake, client: client}
	id := e.checkout(t, "p1")
	p, err := fake.Pay(t.Context(), id)
	require.NoError(t, err)
	require.Error(t, p.Webhook.Wait(t.Context()), "no delivery can be acknowledged while the store is down")
	attempts := p.Webhook.Attempts()
	require.NotEmpty(t, attempts)
	for _, a := range attempts {
		assert.Equal(t, http.StatusServiceUnavailable, a.StatusCode, "a store failure is answered 503, as the handler's own store's is")
	}
	assert.Zero(t, rec.callCount(), "nothing is granted without a claim")
	assert.Contains(t, logs.String(), "exactly-once store failed")
	assert.Contains(t, logs.String(), `key=`+key(id), "the log names the purchase")
}

// The webhook's bonus items reach the grant function, as the confirm
// call's do: a purchase granted on the webhook route gets them too.
func TestWebhookGrantsBonusItems(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	e := newEnv(t, rec, nil)
	e.serveGame(t, nil)
	payload := []byte(`{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{"orderId":"o-1","checkoutLinkId":"link-1","userId":"p1",` +
		`"currency":"USD","items":[{"id":"sword","quantity":1,"price":"4.99"}],"total":"4.99","tax":"0",` +
		`"bonusItems":[{"id":"gems","quantity":"500"}]}}`)
	_, err := e.fake.SendEvent(t.Context(), payload, stashpaytest.MaxAttempts(1))
	require.NoError(t, err)
	granted := rec.granted()
	require.Len(t, granted, 1)
	assert.Equal(t, []grant.BonusItem{{ID: "gems", Quantity: 500}}, granted[0].BonusItems)
}

// One renewal sent twice by Stash as two serialisations (members in another
// order) with the same envelope id is handled once, whether the id is a JSON
// string or a JSON number.
func TestWebhookOtherEventResentWithNumericEnvelopeIDHandledOnce(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, id string }{
		{"string id", `"9001"`},
		{"numeric id", `9001`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var renewals atomic.Int32
			rec := &recorder{}
			e := newEnv(t, rec, nil, grant.WithOtherEvents(func(_ context.Context, ev events.Event) error {
				if _, ok := ev.(*events.SubscriptionPaymentSucceeded); ok {
					renewals.Add(1)
				}
				return nil
			}))
			e.serveGame(t, nil)
			copies := []string{
				`{"type":"subscription.payment_succeeded","id":` + tt.id + `,"data":{"id":"sub-7","status":"active"}}`,
				`{"id":` + tt.id + `,"type":"subscription.payment_succeeded","data":{"status":"active","id":"sub-7"}}`,
			}
			for _, c := range copies {
				d, err := e.fake.SendEvent(t.Context(), []byte(c))
				require.NoError(t, err)
				require.NoError(t, d.Wait(t.Context()))
			}
			assert.Equal(t, int32(1), renewals.Load(), "one renewal handled %d times", renewals.Load())
		})
	}
}

// A refund whose total comes in the money-object shape the SDK already
// tolerates for its amount reaches the refund function; refused, it is
// answered 400 on every attempt and the refund is never revoked.
func TestWebhookRefundWithObjectTotalReachesTheFunction(t *testing.T) {
	t.Parallel()
	var refunds atomic.Int32
	rec := &recorder{}
	e := newEnv(t, rec, nil, grant.WithOtherEvents(func(_ context.Context, ev events.Event) error {
		if _, ok := ev.(*events.PurchaseRefunded); ok {
			refunds.Add(1)
		}
		return nil
	}))
	e.serveGame(t, nil)
	refund := []byte(`{"type":"PURCHASE_REFUNDED","purchaseRefunded":{"refundId":"r-5","orderId":"o-5","checkoutLinkId":"cl-5",` +
		`"userId":"p1","currency":"USD","amount":{"currency":"USD","amount":"199"},"total":{"currency":"USD","amount":"199"}}}`)
	d, err := e.fake.SendEvent(t.Context(), refund, stashpaytest.MaxAttempts(3))
	if d != nil {
		for _, a := range d.Attempts() {
			t.Logf("attempt answered %d", a.StatusCode)
		}
	}
	require.NoError(t, err, "the refund was never acknowledged")
	assert.Equal(t, int32(1), refunds.Load(), "the refund function never ran")
}
