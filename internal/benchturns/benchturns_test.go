package benchturns_test

import (
	"testing"

	"github.com/stashpay/stashpay-go/internal/benchturns"
)

// Ratio runs both in turns of n calls, alternating which goes first, and
// returns a positive ratio.
func TestRatioAlternatesTurns(t *testing.T) {
	t.Parallel()
	var order []byte
	var ratio float64
	testing.Benchmark(func(b *testing.B) {
		order = order[:0] // testing.Benchmark runs the function more than once
		ratio = benchturns.Ratio(b, 3,
			func() error { order = append(order, 'o'); return nil },
			func() error { order = append(order, 'b'); return nil })
	})
	if len(order) < 12 || len(order)%6 != 0 {
		t.Fatalf("calls %q: want whole turns of 3 each, at least two", order)
	}
	for i := 0; i < len(order); i += 6 {
		want := "ooobbb"
		if i/6%2 == 1 {
			want = "bbbooo"
		}
		if got := string(order[i : i+6]); got != want {
			t.Fatalf("turn %d: %q, want %q", i/6, got, want)
		}
	}
	if !(ratio > 0) {
		t.Fatalf("ratio %v, want > 0", ratio)
	}
}
