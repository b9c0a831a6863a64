package deduptest

import (
	"context"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stashpay/stashpay-go/dedup"
)

func (s *suite) testInvalidArguments(t *testing.T) {
	st := s.store(t)
	ctx := context.Background()
	key := newKey(t)
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"claim empty key", func() error { _, err := st.Claim(ctx, "", LongLease); return err }, dedup.ErrInvalidKey},
		{"claim zero lease", func() error { _, err := st.Claim(ctx, key, 0); return err }, dedup.ErrInvalidLease},
		{"claim negative lease", func() error { _, err := st.Claim(ctx, key, -time.Second); return err }, dedup.ErrInvalidLease},
		{"complete empty key", func() error { return st.Complete(ctx, "", "token") }, dedup.ErrInvalidKey},
		{"release empty key", func() error { return st.Release(ctx, "", "token") }, dedup.ErrInvalidKey},
	}
	for _, tt := range tests {
		wantErr(t, tt.name, tt.call(), tt.want)
	}
	// None of the refused calls took the key.
	claim(t, st, key, LongLease, dedup.Claimed)
}

func (s *suite) testOutcomes(t *testing.T) {
	st := s.store(t)
	ctx := context.Background()
	tests := []struct {
		name string
		// finish ends the first claim: Complete, Release, or nothing.
		finish     func(key, token string) error
		wantSecond dedup.Outcome
	}{
		{"held key is busy", nil, dedup.Busy},
		{"completed key is done", func(k, tok string) error { return st.Complete(ctx, k, tok) }, dedup.Done},
		{"released key is claimed again", func(k, tok string) error { return st.Release(ctx, k, tok) }, dedup.Claimed},
	}
	// The longest lease must not overflow into a short one, nor into one
	// that never expires while the key still reads as free.
	leases := []struct {
		name  string
		lease time.Duration
	}{{"", LongLease}, {" (longest lease)", math.MaxInt64}}
	for _, tt := range tests {
		for _, l := range leases {
			t.Run(tt.name+l.name, func(t *testing.T) {
				key := newKey(t)
				first := claim(t, st, key, l.lease, dedup.Claimed)
				if tt.finish != nil {
					wantErr(t, "finishing the first claim", tt.finish(key, first.Token), nil)
				}
				second := claim(t, st, key, l.lease, tt.wantSecond)
				if second.Outcome == dedup.Claimed && second.Token == first.Token {
					t.Fatal("a new claim reused the previous claim's token")
				}
				// The answer is stable: asking again changes nothing.
				if tt.wantSecond != dedup.Claimed {
					claim(t, st, key, l.lease, tt.wantSecond)
				}
			})
		}
	}
}

func (s *suite) testKeysAreIndependent(t *testing.T) {
	st := s.store(t)
	ctx := context.Background()
	base := newKey(t)
	keys := []string{
		base + ":a",
		base + ":b",
		base + ":unicode-é-漢字 with spaces",
		base + ":" + strings.Repeat("k", 400),
		base + ":*?[]{}%_'\"\\",
	}
	tokens := make([]string, len(keys))
	for i, k := range keys {
		tokens[i] = claim(t, st, k, LongLease, dedup.Claimed).Token
	}
	wantErr(t, "Complete(keys[0])", st.Complete(ctx, keys[0], tokens[0]), nil)
	wantErr(t, "Release(keys[1])", st.Release(ctx, keys[1], tokens[1]), nil)
	claim(t, st, keys[0], LongLease, dedup.Done)
	claim(t, st, keys[1], LongLease, dedup.Claimed)
	for i := 2; i < len(keys); i++ {
		claim(t, st, keys[i], LongLease, dedup.Busy)
		wantErr(t, "Complete(other key)", st.Complete(ctx, keys[i], tokens[i]), nil)
		claim(t, st, keys[i], LongLease, dedup.Done)
	}
}

func (s *suite) testTokenFencing(t *testing.T) {
	st := s.store(t)
	other := claim(t, st, newKey(t), LongLease, dedup.Claimed).Token

	// Each arrange leaves key in a state and returns the token that the call
	// under test presents.
	held := func(token func(holder string) string) func(t *testing.T, key string) string {
		return func(t *testing.T, key string) string {
			return token(claim(t, st, key, LongLease, dedup.Claimed).Token)
		}
	}
	finished := func(finish func(key, token string) error) func(t *testing.T, key string) string {
		return func(t *testing.T, key string) string {
			tok := claim(t, st, key, LongLease, dedup.Claimed).Token
			wantErr(t, "finishing the claim", finish(key, tok), nil)
			return tok
		}
	}
	tests := []struct {
		name    string
		arrange func(t *testing.T, key string) string
		call    func(key, token string) error
		// after is the outcome of a Claim once the call was refused.
		after dedup.Outcome
	}{
		{"complete with a wrong token", held(func(h string) string { return h + "-wrong" }), s.complete(st), dedup.Busy},
		{"release with a wrong token", held(func(h string) string { return h + "-wrong" }), s.release(st), dedup.Busy},
		{"complete with an empty token", held(func(string) string { return "" }), s.complete(st), dedup.Busy},
		{"release with an empty token", held(func(string) string { return "" }), s.release(st), dedup.Busy},
		{"complete with another key's token", held(func(string) string { return other }), s.complete(st), dedup.Busy},
		{"complete a key never claimed", func(*testing.T, string) string { return other }, s.complete(st), dedup.Claimed},
		{"release a key never claimed", func(*testing.T, string) string { return other }, s.release(st), dedup.Claimed},
		{"release after release", finished(s.release(st)), s.release(st), dedup.Claimed},
		{"complete after release", finished(s.release(st)), s.complete(st), dedup.Claimed},
		{"release after complete", finished(s.complete(st)), s.release(st), dedup.Done},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := newKey(t)
			token := tt.arrange(t, key)
			wantErr(t, tt.name, tt.call(key, token), dedup.ErrLeaseLost)
			claim(t, st, key, LongLease, tt.after)
		})
	}
}

func (s *suite) complete(st dedup.Store) func(key, token string) error {
	return func(key, token string) error { return st.Complete(context.Background(), key, token) }
}

func (s *suite) release(st dedup.Store) func(key, token string) error {
	return func(key, token string) error { return st.Release(context.Background(), key, token) }
}

func (s *suite) testCompleteIsIdempotent(t *testing.T) {
	st := s.store(t)
	ctx := context.Background()
	key := newKey(t)
	c := claim(t, st, key, LongLease, dedup.Claimed)
	wantErr(t, "first Complete", st.Complete(ctx, key, c.Token), nil)
	wantErr(t, "second Complete with the same token", st.Complete(ctx, key, c.Token), nil)
	wantErr(t, "Complete with another token", st.Complete(ctx, key, c.Token+"-other"), dedup.ErrLeaseLost)
	claim(t, st, key, LongLease, dedup.Done)
}

func (s *suite) testExpiredLeaseIsReclaimed(t *testing.T) {
	stores := s.stores(t)
	ctx := context.Background()
	key := newKey(t)
	old := claim(t, stores[0], key, s.cfg.shortLease, dedup.Claimed)
	time.Sleep(2 * s.cfg.shortLease)
	last := stores[len(stores)-1]
	taken := claim(t, last, key, LongLease, dedup.Claimed)
	if taken.Token == old.Token {
		t.Fatal("the reclaim reused the expired claim's token")
	}
	wantErr(t, "Complete by the expired holder", stores[0].Complete(ctx, key, old.Token), dedup.ErrLeaseLost)
	wantErr(t, "Release by the expired holder", stores[0].Release(ctx, key, old.Token), dedup.ErrLeaseLost)
	claim(t, stores[0], key, LongLease, dedup.Busy)
	wantErr(t, "Complete by the new holder", last.Complete(ctx, key, taken.Token), nil)
	claim(t, stores[0], key, LongLease, dedup.Done)
}

func (s *suite) testExpiredHolderMayFinish(t *testing.T) {
	st := s.store(t)
	tests := []struct {
		name string
		call func(key, token string) error
		want dedup.Outcome
	}{
		{"complete", s.complete(st), dedup.Done},
		{"release", s.release(st), dedup.Claimed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			key := newKey(t)
			c := claim(t, st, key, s.cfg.shortLease, dedup.Claimed)
			time.Sleep(2 * s.cfg.shortLease)
			wantErr(t, "late "+tt.name, tt.call(key, c.Token), nil)
			claim(t, st, key, LongLease, tt.want)
		})
	}
}

func (s *suite) testConcurrentClaims(t *testing.T) {
	stores := s.stores(t)
	ctx := context.Background()
	key := newKey(t)
	n := s.cfg.goroutines
	outcomes := make([]dedup.Claim, n)
	errs := make([]error, n)
	race(n, func(i int) {
		outcomes[i], errs[i] = stores[i%len(stores)].Claim(ctx, key, LongLease)
	})
	var holder dedup.Claim
	var claimed int
	for i := range n {
		wantErr(t, "concurrent Claim", errs[i], nil)
		switch outcomes[i].Outcome {
		case dedup.Claimed:
			claimed++
			holder = outcomes[i]
		case dedup.Busy:
		default:
			t.Fatalf("concurrent Claim of a free key = %v, want Claimed or Busy", outcomes[i].Outcome)
		}
	}
	if claimed != 1 {
		t.Fatalf("%d of %d concurrent Claims of one key returned Claimed, want exactly 1", claimed, n)
	}
	wantErr(t, "Complete", stores[0].Complete(ctx, key, holder.Token), nil)

	var done atomic.Int64
	race(n, func(i int) {
		c, err := stores[i%len(stores)].Claim(ctx, key, LongLease)
		if err == nil && c.Outcome == dedup.Done {
			done.Add(1)
		}
	})
	if got := done.Load(); got != int64(n) {
		t.Fatalf("%d of %d concurrent Claims of a completed key returned Done, want all", got, n)
	}
}

func (s *suite) testConcurrentReclaim(t *testing.T) {
	stores := s.stores(t)
	ctx := context.Background()
	key := newKey(t)
	claim(t, stores[0], key, s.cfg.shortLease, dedup.Claimed)
	time.Sleep(2 * s.cfg.shortLease)
	n := s.cfg.goroutines
	var claimed, busy, failed atomic.Int64
	race(n, func(i int) {
		c, err := stores[i%len(stores)].Claim(ctx, key, LongLease)
		switch {
		case err != nil:
			failed.Add(1)
		case c.Outcome == dedup.Claimed:
			claimed.Add(1)
		case c.Outcome == dedup.Busy:
			busy.Add(1)
		}
	})
	if failed.Load() != 0 || claimed.Load() != 1 || busy.Load() != int64(n-1) {
		t.Fatalf("concurrent reclaims of an expired lease: %d claimed, %d busy, %d failed; want 1, %d, 0",
			claimed.Load(), busy.Load(), failed.Load(), n-1)
	}
}

func (s *suite) testCancelledContext(t *testing.T) {
	st := s.store(t)
	bg := context.Background()
	cancelled, cancel := context.WithCancel(bg)
	cancel()

	t.Run("claim", func(t *testing.T) {
		key := newKey(t)
		_, err := st.Claim(cancelled, key, LongLease)
		wantErr(t, "Claim with a cancelled context", err, context.Canceled)
		claim(t, st, key, LongLease, dedup.Claimed)
	})
	// Complete and Release with a cancelled context change nothing: the key
	// stays claimed, and the same call afterwards succeeds.
	for _, end := range []struct {
		name string
		call func(ctx context.Context, key, token string) error
	}{
		{"Complete", st.Complete},
		{"Release", st.Release},
	} {
		t.Run(strings.ToLower(end.name), func(t *testing.T) {
			key := newKey(t)
			c := claim(t, st, key, LongLease, dedup.Claimed)
			wantErr(t, end.name+" with a cancelled context", end.call(cancelled, key, c.Token), context.Canceled)
			claim(t, st, key, LongLease, dedup.Busy)
			wantErr(t, end.name+" afterwards", end.call(bg, key, c.Token), nil)
		})
	}
	t.Run("deadline", func(t *testing.T) {
		key := newKey(t)
		expired, cancel := context.WithDeadline(bg, time.Unix(1, 0))
		defer cancel()
		_, err := st.Claim(expired, key, LongLease)
		wantErr(t, "Claim past the deadline", err, context.DeadlineExceeded)
		claim(t, st, key, LongLease, dedup.Claimed)
	})
}
