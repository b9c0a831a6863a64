// Package dedup makes granting exactly-once: a Store records, per key (an
// order ID, a transaction ID, ...), whether the work for that key is done, in
// progress under a lease, or free to run.
//
// The protocol, which [Do] implements for callers, is:
//
//  1. Claim(key, lease). The answer is one of:
//     - [Claimed]: the caller now holds the key until Complete, Release or
//     the lease runs out, and must do the work;
//     - [Done]: the work for key was completed earlier; do nothing;
//     - [Busy]: another holder has a live lease; try again later.
//  2. After the work succeeded: Complete(key, token). The key is Done for
//     good (or, for stores with retention, for at least the retention time).
//  3. After the work failed: Release(key, token). The key is free and the next
//     Claim runs the work again.
//
// When a holder dies without Complete or Release, its lease expires and the
// next Claim of the key succeeds; the work may then run again, so a lease must
// be longer than the work takes. Complete and Release take the token returned
// by Claim so that a holder whose lease expired and was taken over cannot
// complete or release the new holder's claim ([ErrLeaseLost]).
//
// Stores are safe for concurrent use by many goroutines and, for the Redis and
// PostgreSQL stores, many processes. dedup knows nothing of HTTP or events.
package dedup

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stashpay/stashpay-go/internal/wait"
)

// Outcome is the answer to a Claim.
type Outcome int

// The outcomes of a Claim.
const (
	// Claimed means the caller holds the key and must Complete or Release it.
	Claimed Outcome = iota + 1
	// Done means the work for the key was completed earlier.
	Done
	// Busy means another holder has a live lease on the key.
	Busy
)

// String returns the outcome's name.
func (o Outcome) String() string { return name("Outcome", int(o), "claimed", "done", "busy") }

// name returns the name of v, a constant numbered from 1 in the order of
// names, or "typ(v)" for a value that has none.
func name(typ string, v int, names ...string) string {
	if v >= 1 && v <= len(names) {
		return names[v-1]
	}
	return fmt.Sprintf("%s(%d)", typ, v)
}

// Claim is the result of [Store.Claim].
type Claim struct {
	// Outcome tells whether the caller now holds the key.
	Outcome Outcome
	// Token identifies this claim; it is set only when Outcome is Claimed and
	// must be passed to Complete or Release.
	Token string
}

// Store is the exactly-once contract. Implementations must be safe for
// concurrent use and must make Claim atomic: of any number of concurrent
// Claims of one free key, exactly one returns Claimed.
type Store interface {
	// Claim tries to take key for lease (which must be > 0).
	Claim(ctx context.Context, key string, lease time.Duration) (Claim, error)
	// Complete marks key done. It returns ErrLeaseLost when token no longer
	// holds the key (the lease expired and another claim took it, or it was
	// released).
	Complete(ctx context.Context, key, token string) error
	// Release frees key so that the next Claim runs the work again. It returns
	// ErrLeaseLost when token no longer holds the key.
	Release(ctx context.Context, key, token string) error
}

// CheckArgs validates what every Store method checks first, so that every
// store answers alike: a done ctx gives ctx.Err(), an empty key
// [ErrInvalidKey]. Store implementations call it before any work.
func CheckArgs(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if key == "" {
		return ErrInvalidKey
	}
	return nil
}

// Errors of the dedup protocol.
var (
	// ErrLeaseLost is returned by Complete and Release when the token does not
	// hold the key any more.
	ErrLeaseLost = errors.New("dedup: lease lost")
	// ErrBusy is returned by Do when another holder is running the work for
	// the key right now. The caller should answer so that the sender retries
	// later (the webhook handler answers 409).
	ErrBusy = errors.New("dedup: key is being processed by another holder")
	// ErrInvalidKey is returned for an empty key.
	ErrInvalidKey = errors.New("dedup: empty key")
	// ErrInvalidLease is returned for a lease <= 0.
	ErrInvalidLease = errors.New("dedup: lease must be positive")
	// ErrStore wraps failures of the store itself (unreachable, timeouts).
	ErrStore = errors.New("dedup: store failure")
)

// Result tells what [Do] did.
type Result int

// The results of Do.
const (
	// Ran means fn ran (successfully if Do returned a nil error).
	Ran Result = iota + 1
	// AlreadyDone means fn did not run because the key was done earlier.
	AlreadyDone
	// Skipped means fn did not run because of an error (store failure or
	// ErrBusy).
	Skipped
)

// String returns the result's name.
func (r Result) String() string { return name("Result", int(r), "ran", "already-done", "skipped") }

// CompleteError is returned by Do when fn succeeded but the store could not
// record it within Do's quick synchronous attempts. The work was done; the key
// stays claimed until it is recorded or its lease expires, after which a
// redelivery would run the work again.
//
// So that a store blip right after the work does not end in a second run, Do
// then keeps retrying Complete in a background goroutine (Retrying is true),
// with backoff, until shortly before the lease ends, measured from the Claim;
// it stops at once when the store answers ErrLeaseLost. Do returns without
// waiting for it. [CompleteError.Wait] waits for its outcome. The goroutine
// never outlives the lease.
//
// A function that calls Do and hands its error on, such as a confirm or
// grant function of the game's, should return nil for a CompleteError:
// the work ran. The SDK's handlers take an error of their function for a
// failure whatever it wraps (the key is released and the call answered
// so that Stash retries); only their own Do's CompleteError means done,
// and, with webhook.WithoutDedup, which has none, the function's.
type CompleteError struct {
	// Err is the store's last error of the synchronous attempts.
	Err error
	// Retrying reports that Complete is being retried in the background; see
	// [CompleteError.Wait] for the outcome.
	Retrying bool

	done  chan struct{} // closed when the background retries end; nil without them
	final error         // their outcome, set before done is closed
}

// Error implements error. It says when retries continue in the background.
func (e *CompleteError) Error() string {
	msg := "dedup: work done but not recorded: " + e.Err.Error()
	if e.Retrying {
		msg += " (retrying in the background until shortly before the lease ends)"
	}
	return msg
}

// Unwrap returns the store's error.
func (e *CompleteError) Unwrap() error { return e.Err }

// Wait blocks until the background retries of Complete ended or ctx is done.
// It returns nil when a retry recorded the work, the store's last error
// (ErrLeaseLost when the key was taken over, which no retry can change) when
// the retries gave up, or ctx's error. Without background retries it returns
// Err at once. The retries do not depend on anyone calling Wait.
func (e *CompleteError) Wait(ctx context.Context) error {
	if e.done == nil {
		return e.Err
	}
	select {
	case <-e.done:
		return e.final
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Do runs fn for key at most once to successful completion:
//
//   - key already done: fn is not called; (AlreadyDone, nil).
//   - key held by another live claim: fn is not called; (Skipped, ErrBusy).
//   - the store fails, or its Claim does not answer before fn's deadline
//     (below; a claim answered later would leave fn no time): fn is not
//     called; (Skipped, err), an ErrStore in the second case.
//   - fn returns nil: the key is completed; (Ran, nil), or (Ran,
//     *CompleteError) when a few quick attempts to record it failed; Do
//     then keeps trying in the background until shortly before the lease
//     ends (see [CompleteError]).
//   - fn returns an error or panics: the key is released so that a later
//     delivery runs fn again; (Ran, fn's error) or the panic continues.
//
// fn's context is ctx with a deadline shortly before the lease ends (a
// tenth of the lease, at most a second, early): a fn that honours it stops,
// and fails, before another holder may claim the key and run the work again,
// instead of running alongside that one. Give fn a lease it can finish in.
//
// Complete and Release run even if ctx was cancelled meanwhile, so that a
// grant is recorded once it happened, and never longer than 5 seconds
// together, even on a live ctx, so that a store that hangs after fn
// returned cannot hold back the caller's answer (a Complete that did not
// land by then is a CompleteError, retried in the background).
func Do(ctx context.Context, s Store, key string, lease time.Duration, fn func(ctx context.Context) error) (res Result, err error) {
	if key == "" {
		return Skipped, ErrInvalidKey
	}
	if lease <= 0 {
		return Skipped, ErrInvalidLease
	}
	claimed := time.Now() // the store's lease starts at this time or later
	// fn's context ends before its lease does, so that a fn that honours
	// it stops before another holder may claim the key and run it again.
	// The Claim runs under it too: a store that stopped answering must not
	// hold a caller whose context never ends (a poll or reconcile job) for
	// ever, and a Claim answered after it would leave fn no time.
	fctx, cancel := context.WithDeadline(ctx, claimed.Add(lease-leaseMargin(lease)))
	defer cancel()
	c, err := s.Claim(fctx, key, lease)
	if err != nil {
		if ctx.Err() == nil && fctx.Err() != nil && !errors.Is(err, ErrStore) {
			err = fmt.Errorf("%w: Claim did not answer within the lease (%v) less its margin: %w", ErrStore, lease, err)
		}
		return Skipped, err
	}
	switch c.Outcome {
	case Done:
		return AlreadyDone, nil
	case Busy:
		return Skipped, ErrBusy
	case Claimed:
	default:
		return Skipped, fmt.Errorf("%w: unknown claim outcome %d", ErrStore, int(c.Outcome))
	}
	finished := false
	defer func() {
		if !finished {
			// fn panicked: free the key for a redelivery, then re-panic.
			release(ctx, s, key, c.Token)
		}
	}()
	ferr := fn(fctx)
	finished = true
	if ferr != nil {
		release(ctx, s, key, c.Token)
		return Ran, ferr
	}
	if cerr := complete(ctx, s, key, c.Token); cerr != nil {
		return Ran, completeInBackground(ctx, s, key, c.Token, claimed.Add(lease-leaseMargin(lease)), cerr)
	}
	return Ran, nil
}

// finishTimeout bounds Complete and Release after fn returned, all their
// attempts together: they must run even when the caller's context is done,
// and never hold back the caller's answer for long (a grant that is not
// recorded by then is retried in the background, see [CompleteError]).
const finishTimeout = 5 * time.Second

// completeAttempts is how many times Do tries to record a success. Stores
// treat a repeated Complete with the same token as a no-op, so retrying
// after a lost reply is safe, and a store blip right after a grant does not
// leave the key claimed (and later re-runnable).
const completeAttempts = 3

// Background retries of Complete back off from backgroundFirstDelay,
// doubling up to backgroundMaxDelay.
const (
	backgroundFirstDelay = 200 * time.Millisecond
	backgroundMaxDelay   = 5 * time.Second
)

// leaseMargin is how long before the lease's end the background retries of
// Complete stop: a tenth of the lease, at most a second, so that no call is
// in flight when the lease ends and a redelivery may claim the key.
func leaseMargin(lease time.Duration) time.Duration { return min(lease/10, time.Second) }

// completeInBackground returns the CompleteError for err and, when time
// remains before stop and err is not a lost lease, starts retrying Complete
// in a goroutine that ends by stop.
func completeInBackground(ctx context.Context, s Store, key, token string, stop time.Time, err error) *CompleteError {
	ce := &CompleteError{Err: err}
	if errors.Is(err, ErrLeaseLost) || time.Until(stop) <= 0 {
		return ce
	}
	ce.Retrying, ce.done = true, make(chan struct{})
	go func() {
		defer close(ce.done)
		bctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), stop)
		defer cancel()
		last := err
		for delay := backgroundFirstDelay; ; delay = min(2*delay, backgroundMaxDelay) {
			if wait.Sleep(bctx, delay) != nil || bctx.Err() != nil {
				ce.final = last
				return
			}
			err := s.Complete(bctx, key, token)
			if err == nil || errors.Is(err, ErrLeaseLost) {
				ce.final = err
				return
			}
			if bctx.Err() == nil {
				last = err
			}
		}
	}()
	return ce
}

// detached returns a context that survives ctx's cancellation but is
// bounded by finishTimeout.
func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
}

// release frees key, with a detached, bounded context: once more when the
// first attempt fails for another reason than a lost lease (which a retry
// cannot change).
func release(ctx context.Context, s Store, key, token string) {
	dctx, cancel := detached(ctx)
	defer cancel()
	if err := s.Release(dctx, key, token); err == nil || errors.Is(err, ErrLeaseLost) || dctx.Err() != nil {
		return
	}
	_ = s.Release(dctx, key, token)
}

// complete records success, retrying a failed attempt up to
// completeAttempts times, all with one detached context bounded by
// finishTimeout: a caller hanging up right after the grant does not leave
// it unrecorded, and a store that hangs does not hold back the caller.
func complete(ctx context.Context, s Store, key, token string) error {
	recorded := func(err error) bool { return err == nil || errors.Is(err, ErrLeaseLost) }
	dctx, cancel := detached(ctx)
	defer cancel()
	var err error
	for attempts := 0; attempts < completeAttempts; attempts++ {
		if attempts > 0 && wait.Sleep(dctx, time.Duration(attempts)*50*time.Millisecond) != nil {
			return err
		}
		if err = s.Complete(dctx, key, token); recorded(err) {
			return err
		}
	}
	return err
}
