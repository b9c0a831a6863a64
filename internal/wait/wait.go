// Package wait holds the SDK's one context-aware sleep, used wherever the
// SDK waits between attempts: the client's retries, the handlers' busy
// wait, the exactly-once store's background retries, the reconciler's
// pacing and the fake Stash's redeliveries. It imports nothing of HTTP,
// so that package dedup may use it.
package wait

import (
	"context"
	"time"
)

// Sleep waits for d or until ctx is done, whichever comes first, and
// returns ctx.Err() in the latter case (at once for d <= 0 when ctx is
// already done).
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
