package dedup_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest"
)

var errGrant = errors.New("grant failed")

// outcomeStore answers every Claim with one outcome and records nothing.
type outcomeStore struct{ outcome dedup.Outcome }

func (s outcomeStore) Claim(context.Context, string, time.Duration) (dedup.Claim, error) {
	return dedup.Claim{Outcome: s.outcome, Token: "t"}, nil
}
func (outcomeStore) Complete(context.Context, string, string) error { return nil }
func (outcomeStore) Release(context.Context, string, string) error  { return nil }

func TestDo(t *testing.T) {
	t.Parallel()
	const key = "order-1"
	tests := []struct {
		name string
		// arrange builds the store under test around a fresh memory store.
		arrange func(t *testing.T, mem *dedup.MemoryStore) dedup.Store
		key     string
		lease   time.Duration
		ctx     func(t *testing.T) context.Context
		fn      func(ctx context.Context) error
		want    dedup.Result
		wantErr error
		// wantCalls is how often fn must have run.
		wantCalls int
		// wantAfter is the outcome of a Claim of key on the memory store
		// afterwards (0: not checked).
		wantAfter dedup.Outcome
	}{
		{name: "runs and completes", want: dedup.Ran, wantCalls: 1, wantAfter: dedup.Done},
		{name: "already done", arrange: func(t *testing.T, m *dedup.MemoryStore) dedup.Store {
			c, err := m.Claim(t.Context(), key, time.Minute)
			require.NoError(t, err)
			require.NoError(t, m.Complete(t.Context(), key, c.Token))
			return m
		}, want: dedup.AlreadyDone, wantAfter: dedup.Done},
		{name: "busy", arrange: func(t *testing.T, m *dedup.MemoryStore) dedup.Store {
			_, err := m.Claim(t.Context(), key, time.Minute)
			require.NoError(t, err)
			return m
		}, want: dedup.Skipped, wantErr: dedup.ErrBusy, wantAfter: dedup.Busy},
		{name: "work fails: released", fn: func(context.Context) error { return errGrant },
			want: dedup.Ran, wantErr: errGrant, wantCalls: 1, wantAfter: dedup.Claimed},
		{name: "empty key", key: "-", want: dedup.Skipped, wantErr: dedup.ErrInvalidKey},
		{name: "zero lease", lease: -1, want: dedup.Skipped, wantErr: dedup.ErrInvalidLease, wantAfter: dedup.Claimed},
		{name: "store unreachable", arrange: func(*testing.T, *dedup.MemoryStore) dedup.Store {
			return deduptest.Unreachable()
		}, want: dedup.Skipped, wantErr: dedup.ErrStore, wantAfter: dedup.Claimed},
		{name: "complete fails: work done, key stays held", arrange: func(_ *testing.T, m *dedup.MemoryStore) dedup.Store {
			return &deduptest.FailingStore{Store: m, FailComplete: true}
		}, want: dedup.Ran, wantErr: deduptest.ErrUnreachable, wantCalls: 1, wantAfter: dedup.Busy},
		{name: "release fails: key stays held", arrange: func(_ *testing.T, m *dedup.MemoryStore) dedup.Store {
			return &deduptest.FailingStore{Store: m, FailRelease: true}
		}, fn: func(context.Context) error { return errGrant },
			want: dedup.Ran, wantErr: errGrant, wantCalls: 1, wantAfter: dedup.Busy},
		{name: "unknown outcome", arrange: func(*testing.T, *dedup.MemoryStore) dedup.Store {
			return outcomeStore{outcome: 0}
		}, want: dedup.Skipped, wantErr: dedup.ErrStore},
		{name: "context cancelled before", ctx: func(*testing.T) context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, want: dedup.Skipped, wantErr: context.Canceled, wantAfter: dedup.Claimed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mem := dedup.NewMemoryStore()
			var store dedup.Store = mem
			if tt.arrange != nil {
				store = tt.arrange(t, mem)
			}
			k := key
			if tt.key == "-" {
				k = ""
			}
			lease := time.Minute
			if tt.lease != 0 {
				lease = tt.lease
			}
			ctx := t.Context()
			if tt.ctx != nil {
				ctx = tt.ctx(t)
			}
			calls := 0
			fn := func(ctx context.Context) error {
				calls++
				if tt.fn != nil {
					return tt.fn(ctx)
				}
				return nil
			}

			res, err := dedup.Do(ctx, store, k, lease, fn)

			assert.Equal(t, tt.want, res)
			if tt.wantErr == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tt.wantErr)
			}
			assert.Equal(t, tt.wantCalls, calls, "runs of fn")
			if tt.wantAfter != 0 {
				c, err := mem.Claim(t.Context(), key, time.Minute)
				require.NoError(t, err)
				assert.Equal(t, tt.wantAfter, c.Outcome, "state of the key afterwards")
			}
		})
	}
}

func TestDoCompleteErrorType(t *testing.T) {
	t.Parallel()
	st := &deduptest.FailingStore{Store: dedup.NewMemoryStore(), FailComplete: true}
	res, err := dedup.Do(t.Context(), st, "k", 2*time.Second, func(context.Context) error { return nil })
	assert.Equal(t, dedup.Ran, res)
	var cerr *dedup.CompleteError
	require.ErrorAs(t, err, &cerr)
	assert.ErrorIs(t, cerr, dedup.ErrStore)
	assert.Contains(t, cerr.Error(), "work done but not recorded")
	assert.ErrorIs(t, cerr.Wait(t.Context()), dedup.ErrStore)
	claims, completes, releases := st.Calls()
	assert.Equal(t, [2]int64{1, 0}, [2]int64{claims, releases}, "no Release after a failed Complete")
	assert.GreaterOrEqual(t, completes, int64(3), "Complete retried")
}

func TestDoRecordsEvenIfContextEndsDuringWork(t *testing.T) {
	t.Parallel()
	st := dedup.NewMemoryStore()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	res, err := dedup.Do(ctx, st, "k", time.Minute, func(context.Context) error {
		cancel() // the request ends while the grant is being made
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, dedup.Ran, res)
	c, err := st.Claim(t.Context(), "k", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, dedup.Done, c.Outcome)
}

func TestDoPanicReleasesAndRepanics(t *testing.T) {
	t.Parallel()
	st := &deduptest.FailingStore{Store: dedup.NewMemoryStore()}
	assert.PanicsWithValue(t, "boom", func() {
		_, _ = dedup.Do(t.Context(), st, "k", time.Minute, func(context.Context) error { panic("boom") })
	})
	claims, completes, releases := st.Calls()
	assert.Equal(t, [3]int64{1, 0, 1}, [3]int64{claims, completes, releases})
	c, err := st.Claim(t.Context(), "k", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, dedup.Claimed, c.Outcome)
}

func TestOutcomeAndResultStrings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		got, want string
	}{
		{dedup.Claimed.String(), "claimed"},
		{dedup.Done.String(), "done"},
		{dedup.Busy.String(), "busy"},
		{dedup.Outcome(9).String(), "Outcome(9)"},
		{dedup.Outcome(0).String(), "Outcome(0)"},
		{dedup.Outcome(4).String(), "Outcome(4)"},
		{dedup.Outcome(-1).String(), "Outcome(-1)"},
		{dedup.Ran.String(), "ran"},
		{dedup.AlreadyDone.String(), "already-done"},
		{dedup.Skipped.String(), "skipped"},
		{dedup.Result(0).String(), "Result(0)"},
		{dedup.Result(4).String(), "Result(4)"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.got)
	}
}

func TestDoRecordsGrantWhenCallerHangsUp(t *testing.T) {
	t.Parallel()
	mem := dedup.NewMemoryStore()
	ctx, cancel := context.WithCancel(t.Context())
	res, err := dedup.Do(ctx, mem, "k", time.Minute, func(context.Context) error {
		cancel() // the caller goes away after the grant happened
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, dedup.Ran, res)
	c, err := mem.Claim(t.Context(), "k", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, dedup.Done, c.Outcome, "the grant must be recorded")
}

func TestDoReleasesWhenCallerHangsUpAfterFailure(t *testing.T) {
	t.Parallel()
	mem := dedup.NewMemoryStore()
	ctx, cancel := context.WithCancel(t.Context())
	_, err := dedup.Do(ctx, mem, "k", time.Minute, func(context.Context) error {
		cancel()
		return errors.New("grant failed")
	})
	require.Error(t, err)
	c, err := mem.Claim(t.Context(), "k", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, dedup.Claimed, c.Outcome, "a failed grant must be free to run again")
}

func TestCheckArgs(t *testing.T) {
	t.Parallel()
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		key     string
		wantErr error
	}{
		{"valid", t.Context(), "k", nil},
		{"empty key", t.Context(), "", dedup.ErrInvalidKey},
		{"done context first", cancelled, "", context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := dedup.CheckArgs(tc.ctx, tc.key)
			if tc.wantErr == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tc.wantErr)
		})
	}
}
