// Package benchturns times two pieces of work in alternating turns within
// one benchmark, so that the noise of a shared machine falls on both alike:
// the SDK's speed figures are ratios against a baseline measured this way,
// in the same process, never absolute times. Only benchmarks import it.
package benchturns

import (
	"testing"
	"time"
)

// Ratio runs ours and base in turns of n calls each, for as long as b.Loop
// says (one loop iteration is one turn of each), with each going first in
// every other turn, and returns ours' total time divided by base's. A
// failing call fails the benchmark.
func Ratio(b *testing.B, n int, ours, base func() error) float64 {
	b.Helper()
	timed := func(f func() error) time.Duration {
		start := time.Now()
		for range n {
			if err := f(); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	var o, s time.Duration
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			o += timed(ours)
			s += timed(base)
		} else {
			s += timed(base)
			o += timed(ours)
		}
	}
	if s == 0 {
		return 0
	}
	return float64(o) / float64(s)
}
