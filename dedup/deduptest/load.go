package deduptest

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stashpay/stashpay-go/dedup"
)

// LoadConfig describes a redelivery load for [Load]: Purchases distinct keys,
// each delivered Deliveries times at once, spread over Instances the way a
// load balancer spreads a sender's retries over handler replicas.
type LoadConfig struct {
	// Instances are the handler instances; they must share one backing state
	// (several clients of one Redis or PostgreSQL server, or one MemoryStore
	// listed several times). Required.
	Instances []dedup.Store
	// Purchases is the number of distinct keys. If <= 0, 1000.
	Purchases int
	// Deliveries is how many times each purchase is delivered, all at once.
	// If <= 0, 3.
	Deliveries int
	// Workers is how many deliveries are in flight at a time. If <= 0, 64.
	Workers int
	// Lease is the lease of each claim. If <= 0, [LongLease].
	Lease time.Duration
	// FailEvery makes the first run of every FailEvery-th purchase fail, so
	// that its key is released and a redelivery must grant it. If <= 0, no
	// run fails.
	FailEvery int
	// Grant, if not nil, is called by each run that FailEvery does not fail,
	// as the game's own grant would be; an error fails the run, which is then
	// redelivered.
	Grant func(ctx context.Context, key string) error
}

// LoadResult is what [Load] observed.
type LoadResult struct {
	Purchases int           // distinct keys
	Calls     int           // dedup.Do calls, including redeliveries
	Grants    int           // successful runs of the work
	Busy      int           // calls answered dedup.ErrBusy, then redelivered
	Failed    int           // runs that failed, then redelivered
	Double    int           // keys granted more than once
	Lost      int           // keys never granted
	Elapsed   time.Duration // wall time of the whole load
}

// GrantsPerSecond is Grants divided by Elapsed.
func (r LoadResult) GrantsPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Grants) / r.Elapsed.Seconds()
}

// Load runs cfg's deliveries through [dedup.Do], redelivering every delivery
// answered [dedup.ErrBusy] or failed until it reports success (Ran or
// AlreadyDone), as Stash redelivers a webhook that was not answered 200. It
// reports a test error for any double or lost grant, or any other error, and
// returns what it saw. Load gives up after two minutes.
func Load(tb testing.TB, cfg LoadConfig) LoadResult {
	tb.Helper()
	if len(cfg.Instances) == 0 {
		tb.Fatal("deduptest.Load: no instances")
	}
	loadDefaults(&cfg.Purchases, &cfg.Deliveries, &cfg.Workers)
	if cfg.Lease <= 0 {
		cfg.Lease = LongLease
	}
	prefix := "deduptest:load:" + uuid.NewString() + ":"
	keys := make([]string, cfg.Purchases)
	for i := range keys {
		keys[i] = prefix + strconv.Itoa(i)
	}
	l := &loader{cfg: cfg, keys: keys, grants: make([]atomic.Int64, cfg.Purchases), tries: make([]atomic.Int64, cfg.Purchases)}
	return l.run(tb, "deduptest.Load", cfg.Purchases, cfg.Deliveries, cfg.Workers, l.deliver,
		func(p int) int { return int(l.grants[p].Load()) })
}

type loader struct {
	loadRun
	cfg    LoadConfig
	keys   []string
	grants []atomic.Int64 // successful runs per key
	tries  []atomic.Int64 // runs per key
}

// deliver delivers job j until it succeeds or ctx ends.
func (l *loader) deliver(ctx context.Context, j int) {
	i := j / l.cfg.Deliveries
	key := l.keys[i]
	work := func(ctx context.Context) error {
		if l.tries[i].Add(1) == 1 && l.cfg.FailEvery > 0 && i%l.cfg.FailEvery == 0 {
			return errWork
		}
		if l.cfg.Grant != nil {
			if err := l.cfg.Grant(ctx, key); err != nil {
				return err
			}
		}
		l.grants[i].Add(1)
		return nil
	}
	for attempt := 0; ctx.Err() == nil; attempt++ {
		st := l.cfg.Instances[(j+attempt)%len(l.cfg.Instances)]
		l.calls.Add(1)
		res, err := dedup.Do(ctx, st, key, l.cfg.Lease, work)
		var cerr *dedup.CompleteError
		switch {
		case err == nil:
			return
		case errors.Is(err, dedup.ErrBusy):
			l.busy.Add(1)
			time.Sleep(200 * time.Microsecond)
		case res == dedup.Ran && !errors.As(err, &cerr):
			l.failed.Add(1) // the work failed and its key was released
		default:
			l.errs.add(err)
			return
		}
	}
}
