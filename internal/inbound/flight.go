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

// flightKey names a key of one store. The store is known by its dynamic
// type and its address (stores are pointers in practice; another kind of
// store is not waited for here), which stays valid while a call uses the
// store. The type keeps apart two stores at one address: a wrapper whose
// first field is the store it wraps, or two values of a zero-size type
// (which behave as one, so that sharing is harmless).
type flightKey struct {
	typ   reflect.Type
	store uintptr
	key   string
}

// flight is one call's turn at a key.
type flight struct {
	over     chan struct{} // closed when the call is over
	recorded bool          // the call left the key done in the store; set before over is closed
	waiters  int           // calls waiting for this one; guarded by flights.mu
}

// turn is how [enter] ends.
type turn int

const (
	myTurn     turn = iota // the caller runs key and must call leave
	doneByPeer             // the call waited for left the key done in the store
	waitedOut              // the deadline passed while another call ran key
	gaveUp                 // ctx was done while another call ran key
)

// keyOf returns the flights key of key on s, and false for a store that is
// not a pointer.
func keyOf(s dedup.Store, key string) (flightKey, bool) {
	v := reflect.ValueOf(s)
	if v.Kind() != reflect.Pointer {
		return flightKey{}, false
	}
	return flightKey{typ: v.Type(), store: v.Pointer(), key: key}, true
}

// Waiting reports how many calls of this process wait in [Once] for another
// one running key on s. Tests use it to know that a copy is waiting.
func Waiting(s dedup.Store, key string) int {
	fk, ok := keyOf(s, key)
	if !ok {
		return 0
	}
	flights.mu.Lock()
	defer flights.mu.Unlock()
	if f := flights.m[fk]; f != nil {
		return f.waiters
	}
	return 0
}

// enter waits while another call of this process runs key on s, until
// deadline or until ctx is done, and says how the wait ended. On myTurn the
// caller runs key, and must call leave when its call is over, saying whether
// the key is then done in the store; on every other outcome leave does
// nothing. A store that is not a pointer is never waited for here (myTurn at
// once): the caller asks the store, which says how busy the key is.
func enter(ctx context.Context, s dedup.Store, key string, deadline time.Time) (leave func(recorded bool), t turn) {
	fk, ok := keyOf(s, key)
	if !ok {
		return func(bool) {}, myTurn
	}
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
			}, myTurn
		}
		running.waiters++
		flights.mu.Unlock()
		if timeout == nil {
			t := time.NewTimer(time.Until(deadline))
			defer t.Stop()
			timeout = t.C
		}
		var end turn = myTurn
		select {
		case <-running.over:
			if running.recorded {
				end = doneByPeer
			}
		case <-timeout:
			end = waitedOut
		case <-ctx.Done():
			end = gaveUp
		}
		flights.mu.Lock()
		running.waiters--
		flights.mu.Unlock()
		if end != myTurn {
			return func(bool) {}, end
		}
	}
}
