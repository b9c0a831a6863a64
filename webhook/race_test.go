//go:build race

package webhook_test

// raceEnabled reports whether the race detector is on.
const raceEnabled = true
