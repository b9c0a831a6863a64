package deduptest

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stashpay/stashpay-go/dedup"
)

// errWork is the failure the suite's work functions return.
var errWork = errors.New("deduptest: work failed")

// testDoOnce races many deliveries of one key through dedup.Do, each retrying
// on ErrBusy as a webhook sender would, and checks that the work ran once.
func (s *suite) testDoOnce(t *testing.T) {
	stores := s.stores(t)
	key := newKey(t)
	n := s.cfg.goroutines
	var runs atomic.Int64
	results := make([]dedup.Result, n)
	errs := make([]error, n)
	work := func(ctx context.Context) error {
		runs.Add(1)
		time.Sleep(5 * time.Millisecond) // long enough for the others to see Busy
		return nil
	}
	race(n, func(i int) {
		st := stores[i%len(stores)]
		deadline := time.Now().Add(30 * time.Second)
		for {
			results[i], errs[i] = dedup.Do(context.Background(), st, key, LongLease, work)
			if !errors.Is(errs[i], dedup.ErrBusy) || time.Now().After(deadline) {
				return
			}
			time.Sleep(time.Millisecond)
		}
	})
	var ran int
	for i := range n {
		wantErr(t, "Do", errs[i], nil)
		switch results[i] {
		case dedup.Ran:
			ran++
		case dedup.AlreadyDone:
		default:
			t.Fatalf("Do = %v, want Ran or AlreadyDone", results[i])
		}
	}
	if ran != 1 || runs.Load() != 1 {
		t.Fatalf("work ran %d times (%d Do calls reported Ran) across %d deliveries, want once", runs.Load(), ran, n)
	}
}

// testDoRerunsAfterError checks that a failed run frees the key, so that the
// next delivery runs the work again, and that success then sticks.
func (s *suite) testDoRerunsAfterError(t *testing.T) {
	st := s.store(t)
	key := newKey(t)
	ctx := context.Background()
	var runs atomic.Int64
	steps := []struct {
		fail     bool
		want     dedup.Result
		wantErr  error
		wantRuns int64
	}{
		{fail: true, want: dedup.Ran, wantErr: errWork, wantRuns: 1},
		{fail: true, want: dedup.Ran, wantErr: errWork, wantRuns: 2},
		{fail: false, want: dedup.Ran, wantErr: nil, wantRuns: 3},
		{fail: false, want: dedup.AlreadyDone, wantErr: nil, wantRuns: 3},
		{fail: true, want: dedup.AlreadyDone, wantErr: nil, wantRuns: 3},
	}
	for i, step := range steps {
		res, err := dedup.Do(ctx, st, key, LongLease, func(context.Context) error {
			runs.Add(1)
			if step.fail {
				return errWork
			}
			return nil
		})
		if res != step.want || !errors.Is(err, step.wantErr) {
			t.Fatalf("delivery %d: Do = (%v, %v), want (%v, %v)", i+1, res, err, step.want, step.wantErr)
		}
		if got := runs.Load(); got != step.wantRuns {
			t.Fatalf("delivery %d: work ran %d times in all, want %d", i+1, got, step.wantRuns)
		}
	}
}

// testDoReleasesOnPanic checks that a panicking run frees the key and that
// the panic reaches the caller.
func (s *suite) testDoReleasesOnPanic(t *testing.T) {
	st := s.store(t)
	key := newKey(t)
	ctx := context.Background()
	recovered := func() (r any) {
		defer func() { r = recover() }()
		_, _ = dedup.Do(ctx, st, key, LongLease, func(context.Context) error { panic("deduptest: boom") })
		return nil
	}()
	if recovered != "deduptest: boom" {
		t.Fatalf("Do with a panicking function: recovered %v, want the panic value", recovered)
	}
	var runs atomic.Int64
	res, err := dedup.Do(ctx, st, key, LongLease, func(context.Context) error { runs.Add(1); return nil })
	if res != dedup.Ran || err != nil || runs.Load() != 1 {
		t.Fatalf("Do after a panic = (%v, %v) with %d runs, want (ran, nil) with 1", res, err, runs.Load())
	}
	claim(t, st, key, LongLease, dedup.Done)
}
