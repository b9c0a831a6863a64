package deduptest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
)

// FloorConfig describes [BenchmarkAgainstFloor]: one grant through a store,
// and the raw floor of the same grant on the same server, with the same client
// library and concurrency (the bare commands a grant needs at least, without
// leases, tokens or retention).
type FloorConfig struct {
	// Store is one grant through the store, usually [dedup.Do]. Required.
	Store FloorSide
	// Floor is the same grant with the server's bare commands. Required.
	Floor FloorSide
	// Counters are read before and after each side's timed grants and
	// reported per grant: as "<Name>/grant" for the store and
	// "floor-<Name>/grant" for the floor.
	Counters []FloorCounter
	// Workers is how many grants are in flight at a time. If <= 0, 16.
	Workers int
	// Grants is how many grants each side makes per iteration, each with a
	// fresh key. If <= 0, 2000.
	Grants int
}

// FloorSide is one side of [BenchmarkAgainstFloor].
type FloorSide struct {
	// Grant grants key; an error fails the benchmark. Required.
	Grant func(ctx context.Context, key string) error
	// Prepare, if not nil, runs for every key before the timed grants (to
	// measure redeliveries, say, by granting each key once first).
	Prepare func(ctx context.Context, key string) error
}

// FloorCounter is a cumulative count read around each side's grants: the
// round trips a client hook counted, the calls a server reports, ...
type FloorCounter struct {
	// Name is the metric's name, e.g. "round-trips".
	Name string
	// Read returns the count so far.
	Read func() (int64, error)
}

// BenchmarkAgainstFloor measures a store against the raw floor of its server
// side by side in one process: each iteration makes cfg.Grants grants with
// each side on cfg.Workers goroutines, the sides taking turns to go first, so
// that a noisy machine weighs on both alike. It reports the store's
// "grants/s", the floor's "floor-grants/s", their ratio "x-floor" (store ÷
// floor, 1 is the floor itself) and every counter per grant.
func BenchmarkAgainstFloor(b *testing.B, cfg FloorConfig) {
	b.Helper()
	if cfg.Store.Grant == nil || cfg.Floor.Grant == nil {
		b.Fatal("deduptest.BenchmarkAgainstFloor: Store.Grant and Floor.Grant are required")
	}
	workers, grants := cfg.Workers, cfg.Grants
	if workers <= 0 {
		workers = 16
	}
	if grants <= 0 {
		grants = 2000
	}
	sides := [2]FloorSide{cfg.Floor, cfg.Store}
	var elapsed [2]time.Duration
	counts := [2][]int64{make([]int64, len(cfg.Counters)), make([]int64, len(cfg.Counters))}
	var errs errCounter
	read := func(into []int64, sign int64) {
		for i, c := range cfg.Counters {
			n, err := c.Read()
			if err != nil {
				errs.add(err)
			}
			into[i] += sign * n
		}
	}
	rounds := 0
	for b.Loop() {
		for turn := range 2 {
			s := (rounds + turn) % 2
			prefix := "deduptest:floor:" + uuid.NewString() + ":"
			keys := make([]string, grants)
			for i := range keys {
				keys[i] = prefix + strconv.Itoa(i)
			}
			run := func(fn func(ctx context.Context, key string) error) time.Duration {
				return runJobs(workers, grants, func(ctx context.Context, j int) {
					if err := fn(ctx, keys[j]); err != nil {
						errs.add(err)
					}
				})
			}
			if sides[s].Prepare != nil {
				run(sides[s].Prepare)
			}
			read(counts[s], -1)
			elapsed[s] += run(sides[s].Grant)
			read(counts[s], 1)
		}
		rounds++
	}
	errs.report(b, "deduptest.BenchmarkAgainstFloor")
	if b.Failed() {
		return
	}
	total := float64(rounds * grants)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(total/elapsed[1].Seconds(), "grants/s")
	b.ReportMetric(total/elapsed[0].Seconds(), "floor-grants/s")
	b.ReportMetric(elapsed[0].Seconds()/elapsed[1].Seconds(), "x-floor")
	for i, c := range cfg.Counters {
		b.ReportMetric(float64(counts[1][i])/total, c.Name+"/grant")
		b.ReportMetric(float64(counts[0][i])/total, "floor-"+c.Name+"/grant")
	}
}
