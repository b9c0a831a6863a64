package inbound

import (
	"context"
	"reflect"
	"sync"
	"time"

	"github.com/stashpay/stashpay-go/dedup"
)

// The keys this process is running under [Once], by store and key. A second
// call for one of them waits here for the first instead of polling the
// store with back-off: when the first recorded its work as done, the second
// answers as for a done key without asking the store (the store would say
// the same); otherwise it takes its turn and asks the store. That saves the
// store its polls and the caller the back-off's sleeps whenever copies of
// one delivery reach the same instance, and it holds across every handler
// of the process that shares a store (the webhook and confirm routes of one
// grant.Granter, say). Other instances still learn of the key from the
// store.
var flights = struct {
	mu sync.Mutex
	m  map[flightKey]*flight
}{m: make(map[flightKey]*flight)}

// flightKey names a key of one store. The store is known by its address
// (stores are pointers in practice; another kind of store is not waited for
// here), which stays valid while a call uses the store.
type flightKey struct {
	store uintptr
	key   string
}

// flight is one call's turn at a key.
type flight struct {
	over     chan struct{} // closed when the call is over
	recorded bool          // the call left the key done in the store; set before over is closed
}

// enter waits while another call of this process runs key on s, until
// deadline or until ctx is done. It returns done when that call left the
// key done in the store. Otherwise it takes key's turn, and the caller must
// call leave when its call is over, saying whether the key is then done in
// the store. When the wait runs out it returns without a turn (leave does
// nothing), and the caller asks the store, which says how busy the key is.
func enter(ctx context.Context, s dedup.Store, key string, deadline time.Time) (leave func(recorded bool), done bool) {
	v := reflect.ValueOf(s)
	if v.Kind() != reflect.Pointer {
		return func(bool) {}, false
	}
	fk := flightKey{store: v.Pointer(), key: key}
	var timeout <-chan time.Time
	for {
		flights.mu.Lock()
		running, busy := flights.m[fk]
		if !busy {
			mine := &flight{over: make(chan struct{})}
			flights.m[fk] = mine
			flights.mu.Unlock()
			return func(recorded bool) {
				flights.mu.Lock()
				delete(flights.m, fk)
				flights.mu.Unlock()
				mine.recorded = recorded
				close(mine.over)
			}, false
		}
		flights.mu.Unlock()
		if timeout == nil {
			t := time.NewTimer(time.Until(deadline))
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-running.over:
			if running.recorded {
				return nil, true
			}
		case <-timeout:
			return func(bool) {}, false
		case <-ctx.Done():
			return func(bool) {}, false
		}
	}
}
