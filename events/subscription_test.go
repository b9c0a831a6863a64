package events_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/events"
)

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseSubscriptionCreated(t *testing.T) {
	t.Parallel()
	payload := load(t, "subscription_created.json")
	e := parseAs[*events.SubscriptionCreated](t, payload)

	assert.Equal(t, events.TypeSubscriptionCreated, e.Type())
	assert.Equal(t, events.FormatV2, e.Format())
	assert.Equal(t, "test", e.Environment())
	assert.Equal(t, payload, []byte(e.Raw()))
	assert.Equal(t, "sub_01J8ZQ4M7W", e.ID)
	assert.Equal(t, "sub_01J8ZQ4M7W", e.EffectiveID())
	assert.Equal(t, "player-42", e.ExternalAccountID)
	assert.Equal(t, "vip_monthly", e.PlanID)
	assert.Equal(t, events.SubscriptionStatusActive, e.Status)
	assert.Equal(t, events.Period{Value: 1, Unit: "month"}, e.Period)
	assert.True(t, e.TrialEnd.IsZero())
	assert.True(t, e.CurrentPeriodEnd.Equal(date("2026-08-01T12:00:00Z")))
	assert.True(t, e.NextBillingDate.Equal(date("2026-08-01T12:00:00Z")))
	assert.True(t, e.CreatedAt.Equal(date("2026-07-01T12:00:00Z")))
	assert.False(t, e.CancelAtPeriodEnd)
	assert.Equal(t, map[string]string{"campaign": "summer", "source": "in_game_store"}, e.CheckoutLinkMetadata)
	assert.Nil(t, e.Payment)
	assert.Equal(t, "subscription.created:sub_01J8ZQ4M7W", e.IdempotencyKey())
}

func TestParseSubscriptionPaymentSucceeded(t *testing.T) {
	t.Parallel()
	e := parseAs[*events.SubscriptionPaymentSucceeded](t, load(t, "subscription_payment_succeeded.json"))
	assert.Equal(t, events.TypeSubscriptionPaymentSucceeded, e.Type())
	require.NotNil(t, e.Payment)
	assert.Equal(t, "pay_7f3a91", e.Payment.PaymentID)
	cents, err := e.Payment.AmountCents.ParseMinor()
	require.NoError(t, err)
	assert.Equal(t, int64(999), cents)
	assert.Equal(t, events.Amount("75"), e.Payment.TotalTaxAmountCents)
	assert.True(t, e.Payment.Succeeded)
	assert.False(t, e.Payment.TaxInclusive)
	assert.True(t, e.Payment.CreatedAt.Equal(date("2026-08-01T12:00:03.25Z")))
	assert.True(t, e.CurrentPeriodEnd.Equal(date("2026-09-01T12:00:00Z")))
	assert.Equal(t, "subscription.payment_succeeded:sub_01J8ZQ4M7W:period:2026-09-01T12:00:00Z", e.IdempotencyKey(),
		"a renewal is keyed by its period, which every announcement of it carries")
}

func TestParseSubscriptionRenewedVariant(t *testing.T) {
	t.Parallel()
	e := parseAs[*events.SubscriptionPaymentSucceeded](t, load(t, "subscription_renewed.json"))
	assert.Equal(t, events.TypeSubscriptionRenewed, e.Type(), "Type reports the type actually sent")
	assert.Equal(t, events.FormatV2, e.Format())
	assert.Equal(t, "production", e.Environment())
	assert.Empty(t, e.ID)
	assert.Equal(t, "sub_01J8ZQ4M7W", e.SubscriptionID)
	assert.Equal(t, "sub_01J8ZQ4M7W", e.EffectiveID())
	assert.Equal(t, "seg_eu", e.SegmentID)
	assert.Equal(t, events.Period{Value: 1, Unit: "month"}, e.Period, "string period value")
	assert.Equal(t, events.Amount("999"), e.LockedAmountCents)
	assert.True(t, e.LockedCurrency.Equal("EUR"))
	assert.Equal(t, int64(1), e.OriginalBillingDay)
	assert.True(t, e.CurrentPeriodStart.Equal(date("2026-08-01T12:00:00Z")))
	assert.True(t, e.UpdatedAt.Equal(date("2026-08-01T10:00:04Z")))
	// Same prefix as payment_succeeded, discriminated by the period.
	assert.Equal(t, "subscription.payment_succeeded:sub_01J8ZQ4M7W:period:2026-09-01T12:00:00Z", e.IdempotencyKey())
}

func TestParseSubscriptionPaymentFailed(t *testing.T) {
	t.Parallel()
	e := parseAs[*events.SubscriptionPaymentFailed](t, load(t, "subscription_payment_failed.json"))
	assert.Equal(t, events.SubscriptionStatusPastDue, e.Status)
	assert.True(t, e.Status.GrantsAccess())
	assert.True(t, e.GracePeriodEnd.Equal(date("2026-09-03T12:00:00Z")))
	require.NotNil(t, e.Payment)
	assert.False(t, e.Payment.Succeeded)
	assert.True(t, e.Payment.Currency.Equal("USD"))
	assert.Equal(t, "subscription.payment_failed:sub_01J8ZQ4M7W:payment:pay_8c01d2", e.IdempotencyKey())
}

func TestParseSubscriptionCanceledAndExpired(t *testing.T) {
	t.Parallel()
	c := parseAs[*events.SubscriptionCanceled](t, load(t, "subscription_canceled.json"))
	assert.Equal(t, events.SubscriptionStatusCanceled, c.Status)
	assert.True(t, c.CancelAtPeriodEnd)
	assert.True(t, c.CanceledAt.Equal(date("2026-08-15T09:30:00Z")))
	assert.True(t, c.AccessEndDate.Equal(date("2026-09-01T12:00:00Z")))
	assert.Equal(t, "subscription.canceled:sub_01J8ZQ4M7W:at:2026-08-15T09:30:00Z", c.IdempotencyKey())

	x := parseAs[*events.SubscriptionExpired](t, load(t, "subscription_expired.json"))
	assert.Equal(t, events.SubscriptionStatusExpired, x.Status)
	assert.False(t, x.Status.GrantsAccess())
	assert.True(t, x.CanceledAt.Equal(date("2026-09-03T12:00:00Z")), "cancelledAt spelling")
	assert.Equal(t, "subscription.expired:sub_01J8ZQ4M7W", x.IdempotencyKey())
}

func TestSubscriptionTolerantDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data string
		check      func(t *testing.T, s *events.SubscriptionCreated)
	}{
		{"unknown status", `{"id":"s","status":"paused"}`, func(t *testing.T, s *events.SubscriptionCreated) {
			assert.Equal(t, events.SubscriptionStatus("paused"), s.Status)
			assert.False(t, s.Status.GrantsAccess())
		}},
		{"numeric status kept as text", `{"id":"s","status":2}`, func(t *testing.T, s *events.SubscriptionCreated) {
			assert.Equal(t, events.SubscriptionStatus("2"), s.Status)
		}},
		{"empty and null times", `{"id":"s","trialEnd":"","canceledAt":null}`, func(t *testing.T, s *events.SubscriptionCreated) {
			assert.True(t, s.TrialEnd.IsZero())
			assert.True(t, s.CanceledAt.IsZero())
		}},
		{"millis times", `{"id":"s","createdAt":1753993257000,"updatedAt":"1753993257000"}`, func(t *testing.T, s *events.SubscriptionCreated) {
			assert.Equal(t, time.UnixMilli(1753993257000).UTC(), s.CreatedAt)
			assert.Equal(t, time.UnixMilli(1753993257000).UTC(), s.UpdatedAt)
		}},
		{"canceledAt preferred over cancelledAt", `{"id":"s","canceledAt":"2026-01-01T00:00:00Z","cancelledAt":"2027-01-01T00:00:00Z"}`,
			func(t *testing.T, s *events.SubscriptionCreated) {
				assert.True(t, s.CanceledAt.Equal(date("2026-01-01T00:00:00Z")))
			}},
		{"subscriptionId preferred", `{"id":"a","subscriptionId":"b"}`, func(t *testing.T, s *events.SubscriptionCreated) {
			assert.Equal(t, "b", s.EffectiveID())
			assert.Equal(t, "subscription.created:b", s.IdempotencyKey())
		}},
		{"extra members", `{"id":"s","future":{"x":[1,2]},"payment":{"paymentId":"p","extra":true}}`, func(t *testing.T, s *events.SubscriptionCreated) {
			assert.Equal(t, "p", s.Payment.PaymentID)
		}},
		// Stash has not published the data object: a member of another kind
		// than modelled must not refuse the event (400 for a day, the
		// renewal never granted). What cannot be read is left empty; Raw
		// keeps it.
		{"period of another kind", `{"id":"s","period":"P1M","status":"active"}`, func(t *testing.T, s *events.SubscriptionCreated) {
			assert.Equal(t, events.Period{}, s.Period)
			assert.Equal(t, events.SubscriptionStatusActive, s.Status)
		}},
		{"period with a unit of another kind", `{"id":"s","period":{"value":1,"unit":{"name":"month"}}}`, func(t *testing.T, s *events.SubscriptionCreated) {
			assert.Equal(t, events.Period{}, s.Period)
		}},
		{"locked amount as an object", `{"id":"s","lockedAmountCents":{"currency":"USD","amount":"999"},"lockedCurrency":"USD"}`,
			func(t *testing.T, s *events.SubscriptionCreated) {
				assert.Empty(t, s.LockedAmountCents)
				assert.Equal(t, events.Currency("USD"), s.LockedCurrency)
			}},
		{"metadata values of other kinds", `{"id":"s","checkoutLinkMetadata":{"n":7,"b":true,"z":null,"s":"x"}}`,
			func(t *testing.T, s *events.SubscriptionCreated) {
				assert.Equal(t, map[string]string{"n": "7", "b": "true", "z": "", "s": "x"}, s.CheckoutLinkMetadata)
			}},
		{"time without a zone is UTC", `{"id":"s","currentPeriodEnd":"2026-02-01T00:00:00","trialEnd":"2026-01-08T10:30:00.5"}`,
			func(t *testing.T, s *events.SubscriptionCreated) {
				assert.Equal(t, date("2026-02-01T00:00:00Z"), s.CurrentPeriodEnd)
				assert.Equal(t, date("2026-01-08T10:30:00.5Z"), s.TrialEnd)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := parseAs[*events.SubscriptionCreated](t, []byte(`{"type":"subscription.created","data":`+tt.data+`}`))
			tt.check(t, s)
		})
	}
}

func TestIdempotencyKeys(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, payload, want string }{
		{"purchase", `{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{"orderId":"o1","checkoutLinkId":"cl1"}}`, "checkout:cl1"},
		{"purchase without checkout link", `{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{"orderId":"o1"}}`, "purchase:o1"},
		{"purchase with only a checkout link", `{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{"checkoutLinkId":"cl1"}}`, "checkout:cl1"},
		{"purchase without order", `{"type":"PURCHASE_SUCCEEDED","purchaseSucceeded":{"userId":"u"}}`, ""},
		{"refund with id", `{"type":"PURCHASE_REFUNDED","purchaseRefunded":{"refundId":"r1","orderId":"o1"}}`, "refund:r1"},
		{"refund without id", `{"type":"PURCHASE_REFUNDED","purchaseRefunded":{"orderId":"o1"}}`, ""},
		{"analytics", `{"type":"MUTATE_CART","mutateCart":{"cartId":"c"}}`, ""},
		{"free item", `{"type":"FREE_ITEM_REDEEMED","freeItemRedeemed":{"userId":"u","itemId":"i"}}`, ""},
		{"created without id", `{"type":"subscription.created","data":{"planId":"p"}}`, ""},
		{"renewal without discriminator", `{"type":"subscription.payment_succeeded","data":{"id":"s"}}`, ""},
		{"renewal with envelope id", `{"type":"subscription.payment_succeeded","id":"evt_1","data":{"id":"s"}}`,
			"subscription.payment_succeeded:s:event:evt_1"},
		{"renewal with envelope id and period", `{"type":"subscription.payment_succeeded","id":"evt_1","data":{"id":"s","currentPeriodEnd":"2026-09-01T00:00:00Z"}}`,
			"subscription.payment_succeeded:s:period:2026-09-01T00:00:00Z"},
		{"renewed with another envelope id, same period", `{"type":"subscription.renewed","id":"evt_2","data":{"id":"s","currentPeriodEnd":"2026-09-01T00:00:00Z"}}`,
			"subscription.payment_succeeded:s:period:2026-09-01T00:00:00Z"},
		{"renewal with payment id and period", `{"type":"subscription.payment_succeeded","id":"evt_1","data":{"id":"s","currentPeriodEnd":"2026-09-01T00:00:00Z","payment":{"paymentId":"pay_1"}}}`,
			"subscription.payment_succeeded:s:period:2026-09-01T00:00:00Z"},
		{"renewal with payment id only", `{"type":"subscription.payment_succeeded","id":"evt_1","data":{"id":"s","payment":{"paymentId":"pay_1"}}}`,
			"subscription.payment_succeeded:s:payment:pay_1"},
		{"failure with payment id", `{"type":"subscription.payment_failed","id":"evt_3","data":{"id":"s","currentPeriodEnd":"2026-09-01T00:00:00Z","payment":{"paymentId":"pay_2"}}}`,
			"subscription.payment_failed:s:payment:pay_2"},
		{"failure with envelope id", `{"type":"subscription.payment_failed","id":"evt_3","data":{"id":"s","currentPeriodEnd":"2026-09-01T00:00:00Z"}}`,
			"subscription.payment_failed:s:event:evt_3"},
		{"canceled with time", `{"type":"subscription.canceled","data":{"id":"s","canceledAt":"2026-08-15T00:00:00Z"}}`,
			"subscription.canceled:s:at:2026-08-15T00:00:00Z"},
		{"renewal by period start", `{"type":"subscription.renewed","data":{"id":"s","currentPeriodStart":"2026-08-01T14:00:00+02:00"}}`,
			"subscription.payment_succeeded:s:periodStart:2026-08-01T12:00:00Z"},
		{"failure without payment id ignores period", `{"type":"subscription.payment_failed","data":{"id":"s","currentPeriodEnd":"2026-09-01T00:00:00Z"}}`, ""},
		{"canceled without time", `{"type":"subscription.canceled","data":{"id":"s"}}`, ""},
		{"expired", `{"type":"subscription.expired","data":{"id":"s"}}`, "subscription.expired:s"},
		{"expired without id", `{"type":"subscription.expired","data":{}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev, err := events.Parse([]byte(tt.payload))
			require.NoError(t, err)
			assert.Equal(t, tt.want, ev.IdempotencyKey())
		})
	}
}

// The newer GetPaymentsBySubscriptionId page shows a payment status
// (SUBSCRIPTION_PAYMENT_STATUS_*): it is kept, by name or number, and an
// unknown value is kept as sent.
func TestSubscriptionPaymentStatus(t *testing.T) {
	t.Parallel()
	tests := []struct{ json, want string }{
		{`"SUBSCRIPTION_PAYMENT_STATUS_SUCCEEDED"`, "SUBSCRIPTION_PAYMENT_STATUS_SUCCEEDED"},
		{`"SUBSCRIPTION_PAYMENT_STATUS_NEW_ONE"`, "SUBSCRIPTION_PAYMENT_STATUS_NEW_ONE"},
		{`7`, "7"},
		{`null`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.json, func(t *testing.T) {
			t.Parallel()
			var p events.SubscriptionPayment
			require.NoError(t, json.Unmarshal([]byte(`{"paymentId":"p1","status":`+tt.json+`}`), &p))
			assert.Equal(t, events.SubscriptionPaymentStatus(tt.want), p.Status)
			assert.Equal(t, "p1", p.PaymentID)
		})
	}
}

// TestRenewalKeyIdentifiesTheRenewal checks that the exactly-once key of a
// renewal names the renewal: one renewal announced twice (as
// subscription.payment_succeeded with its payment object and as
// subscription.renewed without one, the two fixtures of this package) must
// share one key, or the game grants the renewal twice; two different
// renewals must not share one, or the second is never granted.
func TestRenewalKeyIdentifiesTheRenewal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		a, b   []byte
		sameOK bool // whether a and b are the same renewal
	}{
		{
			name:   "fixtures: one renewal, with and without its payment object",
			a:      load(t, "subscription_payment_succeeded.json"),
			b:      load(t, "subscription_renewed.json"),
			sameOK: true,
		},
		{
			name: "one renewal, payment_succeeded with payment id and renewed with the same period",
			a: []byte(`{"type":"subscription.payment_succeeded","data":{"id":"s","currentPeriodEnd":"2026-09-01T00:00:00Z",` +
				`"payment":{"paymentId":"pay_1"}}}`),
			b:      []byte(`{"type":"subscription.renewed","data":{"id":"s","currentPeriodEnd":"2026-09-01T00:00:00Z"}}`),
			sameOK: true,
		},
		{
			name: "two renewals: the Aug-Sep one keyed by its end, the Sep-Oct one by its start",
			a:    []byte(`{"type":"subscription.payment_succeeded","data":{"id":"s","currentPeriodEnd":"2026-09-01T00:00:00Z"}}`),
			b:    []byte(`{"type":"subscription.renewed","data":{"id":"s","currentPeriodStart":"2026-09-01T00:00:00Z"}}`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := events.Parse(tt.a)
			require.NoError(t, err)
			b, err := events.Parse(tt.b)
			require.NoError(t, err)
			require.NotEmpty(t, a.IdempotencyKey())
			require.NotEmpty(t, b.IdempotencyKey())
			if tt.sameOK {
				assert.Equal(t, a.IdempotencyKey(), b.IdempotencyKey(), "one renewal, two keys: granted twice")
			} else {
				assert.NotEqual(t, a.IdempotencyKey(), b.IdempotencyKey(), "two renewals, one key: the second is lost")
			}
		})
	}
}

// The envelope id is an identifier like any other: sent as a JSON number, it
// is read as its text, as every other identifier is since internal/wire reads
// a number where a string is expected as its text, so that both spellings
// of one event share its exactly-once key.
func TestEnvelopeIDSentAsANumber(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, str, num, want string }{
		{"renewal",
			`{"type":"subscription.payment_succeeded","id":"9001","data":{"id":"s"}}`,
			`{"type":"subscription.payment_succeeded","id":9001,"data":{"id":"s"}}`,
			"subscription.payment_succeeded:s:event:9001"},
		{"failure",
			`{"type":"subscription.payment_failed","id":"9002","data":{"id":"s"}}`,
			`{"type":"subscription.payment_failed","id":9002,"data":{"id":"s"}}`,
			"subscription.payment_failed:s:event:9002"},
		{"cancellation",
			`{"type":"subscription.canceled","id":"9003","data":{"id":"s"}}`,
			`{"type":"subscription.canceled","id":9003,"data":{"id":"s"}}`,
			"subscription.canceled:s:event:9003"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := events.Parse([]byte(tt.str))
			require.NoError(t, err)
			n, err := events.Parse([]byte(tt.num))
			require.NoError(t, err)
			require.Equal(t, tt.want, s.IdempotencyKey())
			assert.Equal(t, s.IdempotencyKey(), n.IdempotencyKey(), "numeric envelope id lost")
		})
	}
}
