package dedup_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// blipStore passes calls on to a MemoryStore, except that its first
// failCompletes Completes and first failReleases Releases fail with err
// (after, when applied is set, passing the call on: the store did it, but the
// reply was lost).
type blipStore struct {
	*dedup.MemoryStore
	err                         error
	applied                     bool
	failCompletes, failReleases int64
	completes, releases         atomic.Int64
}

func (s *blipStore) Complete(ctx context.Context, key, token string) error {
	if s.completes.Add(1) <= s.failCompletes {
		if s.applied {
			_ = s.MemoryStore.Complete(ctx, key, token)
		}
		return s.err
	}
	return s.MemoryStore.Complete(ctx, key, token)
}

func (s *blipStore) Release(ctx context.Context, key, token string) error {
	if s.releases.Add(1) <= s.failReleases {
		return s.err
	}
	return s.MemoryStore.Release(ctx, key, token)
}

func TestDoRetriesComplete(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		failCompletes int64
		err           error
		applied       bool
		wantErr       error
		wantCompletes int64
		wantAfter     dedup.Outcome
	}{
		{"first attempt succeeds", 0, deduptest.ErrUnreachable, false, nil, 1, dedup.Done},
		{"a blip is retried", 1, deduptest.ErrUnreachable, false, nil, 2, dedup.Done},
		{"two blips are retried", 2, deduptest.ErrUnreachable, false, nil, 3, dedup.Done},
		{"a lost reply is retried with the same token", 1, deduptest.ErrUnreachable, true, nil, 2, dedup.Done},
		{"three failures continue in the background", 3, deduptest.ErrUnreachable, false, deduptest.ErrUnreachable, 4, dedup.Done},
		{"a lost lease is not retried", 5, dedup.ErrLeaseLost, false, dedup.ErrLeaseLost, 1, dedup.Busy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &blipStore{MemoryStore: dedup.NewMemoryStore(), err: tt.err, applied: tt.applied, failCompletes: tt.failCompletes}
			res, err := dedup.Do(t.Context(), s, "k", time.Minute, func(context.Context) error { return nil })
			assert.Equal(t, dedup.Ran, res)
			if tt.wantErr == nil {
				require.NoError(t, err)
			} else {
				var cerr *dedup.CompleteError
				require.ErrorAs(t, err, &cerr)
				assert.ErrorIs(t, err, tt.wantErr)
				_ = cerr.Wait(t.Context())
			}
			assert.Equal(t, tt.wantCompletes, s.completes.Load(), "Complete attempts")
			assert.Zero(t, s.releases.Load(), "a successful run is never released")
			c, err := s.Claim(t.Context(), "k", time.Minute)
			require.NoError(t, err)
			assert.Equal(t, tt.wantAfter, c.Outcome)
		})
	}
}

func TestDoReleaseRetry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		err          error
		wantReleases int64
		wantAfter    dedup.Outcome
	}{
		{"a blip is retried once", deduptest.ErrUnreachable, 2, dedup.Claimed},
		{"a lost lease is not retried", dedup.ErrLeaseLost, 1, dedup.Busy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &blipStore{MemoryStore: dedup.NewMemoryStore(), err: tt.err, failReleases: 1}
			_, err := dedup.Do(t.Context(), s, "k", time.Minute, func(context.Context) error { return errGrant })
			require.ErrorIs(t, err, errGrant)
			assert.Equal(t, tt.wantReleases, s.releases.Load(), "Release attempts")
			c, err := s.Claim(t.Context(), "k", time.Minute)
			require.NoError(t, err)
			assert.Equal(t, tt.wantAfter, c.Outcome)
		})
	}
}

// flakyStore passes calls on to a MemoryStore, except that Complete fails
// with deduptest.ErrUnreachable while down is set, and answers
// dedup.ErrLeaseLost from its lostFrom-th call on when lostFrom > 0. It
// records each Complete call.
type flakyStore struct {
	*dedup.MemoryStore
	lostFrom int
	down     atomic.Bool

	mu        sync.Mutex
	completes []completeCall
}

// completeCall is one Complete a store received: until when its context
// allowed it to run (a store refuses work past that deadline).
type completeCall struct {
	deadline time.Time
}

func (s *flakyStore) Complete(ctx context.Context, key, token string) error {
	deadline, _ := ctx.Deadline()
	s.mu.Lock()
	s.completes = append(s.completes, completeCall{deadline: deadline})
	n := len(s.completes)
	s.mu.Unlock()
	switch {
	case s.lostFrom > 0 && n >= s.lostFrom:
		return dedup.ErrLeaseLost
	case s.down.Load():
		return deduptest.ErrUnreachable
	}
	return s.MemoryStore.Complete(ctx, key, token)
}

// completeCalls returns the Complete calls so far.
func (s *flakyStore) completeCalls() []completeCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.completes)
}

// doGrant runs dedup.Do with a work function that succeeds, and returns
// when the claim was made (at the latest) and Do's CompleteError.
func doGrant(t *testing.T, s dedup.Store, lease time.Duration) (time.Time, *dedup.CompleteError) {
	t.Helper()
	start := time.Now()
	res, err := dedup.Do(t.Context(), s, "k", lease, func(context.Context) error { return nil })
	require.Equal(t, dedup.Ran, res)
	var cerr *dedup.CompleteError
	require.ErrorAs(t, err, &cerr)
	return start, cerr
}

// TestDoKeepsCompletingUntilTheLeaseEnds: a store that is down for longer
// than the synchronous attempts, and back within the lease, ends up with the
// key done, so a redelivery after the lease does not grant again.
func TestDoKeepsCompletingUntilTheLeaseEnds(t *testing.T) {
	t.Parallel()
	const lease = 1500 * time.Millisecond
	s := &flakyStore{MemoryStore: dedup.NewMemoryStore()}
	s.down.Store(true)
	start, cerr := doGrant(t, s, lease)
	assert.ErrorIs(t, cerr, deduptest.ErrUnreachable)
	assert.Contains(t, cerr.Error(), "retrying in the background")
	s.down.Store(false) // the store recovers while the key is still claimed
	// Redeliveries keep arriving; none may run the work again.
	for time.Since(start) < lease+200*time.Millisecond {
		c, err := s.Claim(t.Context(), "k", lease)
		require.NoError(t, err)
		require.NotEqual(t, dedup.Claimed, c.Outcome, "the lease ended with the grant unrecorded: a redelivery grants again")
		if c.Outcome == dedup.Done {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	c, err := s.Claim(t.Context(), "k", lease)
	require.NoError(t, err)
	assert.Equal(t, dedup.Done, c.Outcome)
}

// TestDoBackgroundCompleteStops: the background retries stop at a lost lease
// and, when the store never recovers, shortly before the lease ends (no call
// after it: no goroutine outlives the lease).
func TestDoBackgroundCompleteStops(t *testing.T) {
	t.Parallel()
	const lease = 1500 * time.Millisecond
	tests := []struct {
		name      string
		lostFrom  int
		wantErr   error
		wantCalls int // 0: any number above the synchronous attempts
	}{
		{"the lease is lost after the synchronous attempts", 4, dedup.ErrLeaseLost, 4},
		{"the store never recovers", 0, deduptest.ErrUnreachable, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &flakyStore{MemoryStore: dedup.NewMemoryStore(), lostFrom: tt.lostFrom}
			s.down.Store(true)
			start, cerr := doGrant(t, s, lease)
			deadline := start.Add(lease)
			require.True(t, cerr.Retrying, "retries continue in the background")
			ctx, cancel := context.WithTimeout(t.Context(), lease+5*time.Second)
			defer cancel()
			err := cerr.Wait(ctx)
			require.NoError(t, ctx.Err(), "the background retries end (by the lease deadline, give or take scheduling)")
			assert.ErrorIs(t, err, tt.wantErr)
			calls := s.completeCalls()
			if tt.wantCalls > 0 {
				assert.Len(t, calls, tt.wantCalls, "nothing is retried after a lost lease")
			} else {
				assert.Greater(t, len(calls), 3, "retried after the synchronous attempts")
			}
			for i, c := range calls[3:] { // the background calls
				assert.False(t, c.deadline.IsZero(), "background call %d is unbounded", i)
				assert.True(t, c.deadline.Before(deadline), "background call %d may run until %v, after the lease ended", i, c.deadline.Sub(start))
			}
			time.Sleep(time.Until(deadline) + 100*time.Millisecond)
			assert.Len(t, s.completeCalls(), len(calls), "no call after the retries ended")
		})
	}
}

// TestDoEndsFnsContextBeforeItsLease: fn's context ends shortly before the
// lease does, even though the caller's context is live, so that a fn that
// honours it fails (and frees the key) before another holder may claim the
// key; the next Do runs fn again.
func TestDoEndsFnsContextBeforeItsLease(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lease, atMost time.Duration // atMost: the latest deadline after start
	}{
		// The margin is a tenth of the lease, at most a second; half of it is
		// left for the time between start and Do's claim.
		{300 * time.Millisecond, 285 * time.Millisecond},
		{20 * time.Second, 19500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.lease.String(), func(t *testing.T) {
			t.Parallel()
			s := dedup.NewMemoryStore()
			start := time.Now()
			var deadline time.Time
			done := make(chan error, 1)
			go func() {
				_, err := dedup.Do(t.Context(), s, "k", tt.lease, func(ctx context.Context) error {
					deadline, _ = ctx.Deadline()
					if tt.lease > time.Second {
						return errGrant // only the deadline is checked
					}
					<-ctx.Done()
					return ctx.Err()
				})
				done <- err
			}()
			select {
			case err := <-done:
				require.False(t, deadline.IsZero(), "fn's context has a deadline")
				assert.LessOrEqual(t, deadline.Sub(start), tt.atMost)
				if tt.lease < time.Second {
					assert.ErrorIs(t, err, context.DeadlineExceeded)
				}
			case <-time.After(tt.lease + 10*time.Second):
				t.Fatal("fn's context still live long after its lease ended")
			}
			res, err := dedup.Do(t.Context(), s, "k", tt.lease, func(context.Context) error { return nil })
			assert.Equal(t, dedup.Ran, res, "the failed run freed the key")
			assert.NoError(t, err)
		})
	}
}

// TestDoBoundsAHangingStore: a store that hangs after fn returned holds Do
// back for a few seconds at most, even though the caller's context is live
// and has no deadline (a server request's context), so that the caller can
// still answer; a grant not recorded then is a CompleteError.
func TestDoBoundsAHangingStore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		hang    string
		store   deduptest.HangingStore
		fnErr   error
		lease   time.Duration
		wantRes dedup.Result
		wantErr func(t *testing.T, err error)
	}{
		{"Claim", deduptest.HangingStore{HangClaim: true}, nil, 200 * time.Millisecond, dedup.Skipped, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, dedup.ErrStore)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
		}},
		{"Complete", deduptest.HangingStore{HangComplete: true}, nil, time.Minute, dedup.Ran, func(t *testing.T, err error) {
			var cerr *dedup.CompleteError
			require.ErrorAs(t, err, &cerr)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
		}},
		{"Release", deduptest.HangingStore{HangRelease: true}, errGrant, time.Minute, dedup.Ran, func(t *testing.T, err error) { assert.ErrorIs(t, err, errGrant) }},
	}
	for _, tt := range tests {
		t.Run(tt.hang, func(t *testing.T) {
			t.Parallel()
			s := tt.store
			s.Store = dedup.NewMemoryStore()
			type result struct {
				res dedup.Result
				err error
			}
			done := make(chan result, 1)
			go func() {
				// A context that never ends, as a poll or reconcile job's may.
				res, err := dedup.Do(context.Background(), s, "k", tt.lease, func(context.Context) error { return tt.fnErr })
				done <- result{res, err}
			}()
			select {
			case r := <-done:
				assert.Equal(t, tt.wantRes, r.res)
				tt.wantErr(t, r.err)
			case <-time.After(15 * time.Second):
				t.Fatalf("Do still waiting on a hanging %s after 15 s", tt.hang)
			}
		})
	}
}
