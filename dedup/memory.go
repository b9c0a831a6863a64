package dedup

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// DefaultRetention is how long stores remember a completed key unless told
// otherwise: 72 hours, three times the roughly 24 hours over which Stash
// retries a webhook, so that late redeliveries still find the key done.
const DefaultRetention = 72 * time.Hour

// defaultSweepInterval is how often, at most, a MemoryStore scans for records
// to forget.
const defaultSweepInterval = time.Minute

// minLateGrace is the least time a lease that ran out is remembered, so that
// its holder can still Complete or Release while nobody took the key over.
const minLateGrace = time.Minute

// MemoryOption configures a [MemoryStore].
type MemoryOption func(*MemoryStore)

// WithRetention sets how long a completed key is remembered (reported as
// [Done]); after that a Claim of the key succeeds again. The default is
// [DefaultRetention]. A retention <= 0 remembers completed keys for the
// store's whole life, so memory then grows with every key.
func WithRetention(d time.Duration) MemoryOption {
	return func(s *MemoryStore) { s.retention = d }
}

// WithClock sets the function the store reads the time from, for tests that
// move time by hand. If nil, or by default, time.Now is used.
func WithClock(now func() time.Time) MemoryOption {
	return func(s *MemoryStore) {
		if now != nil {
			s.now = now
		}
	}
}

// WithSweepInterval sets how often, at most, the store scans all its records
// to forget expired leases and completed keys past their retention. The scan
// runs lazily inside a call, never in the background. The default is one
// minute; d <= 0 scans on every Claim (for tests).
func WithSweepInterval(d time.Duration) MemoryOption {
	return func(s *MemoryStore) { s.sweepEvery = d }
}

// MemoryStore is a [Store] held in the memory of one process. It protects a
// single instance only: a game backend that runs several replicas needs a
// shared store such as the Redis or PostgreSQL stores (nested modules
// dedup/redisstore and dedup/pgstore).
//
// Records of expired leases and of completed keys past their retention are
// forgotten by a scan that runs at most once per sweep interval inside a call,
// so memory stays bounded by the keys seen during one retention period.
//
// A MemoryStore is safe for concurrent use by many goroutines. The zero value
// is not usable; call [NewMemoryStore].
type MemoryStore struct {
	retention  time.Duration
	sweepEvery time.Duration
	now        func() time.Time

	mu        sync.Mutex
	records   map[string]memRecord
	lastSweep time.Time
	seq       uint64 // claim tokens: unique within this store, under mu
}

// memRecord is the state of one key. A key with no record is free.
type memRecord struct {
	token string
	done  bool
	// until is the end of the lease while the key is held, or the end of the
	// retention once it is done (zero: kept for ever).
	until time.Time
	// forget is when a sweep may drop the record of a lease that ran out:
	// one more lease, and at least a minute, after until.
	forget time.Time
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty in-memory store. Completed keys are
// remembered for [DefaultRetention] unless [WithRetention] says otherwise.
func NewMemoryStore(opts ...MemoryOption) *MemoryStore {
	s := &MemoryStore{
		retention:  DefaultRetention,
		sweepEvery: defaultSweepInterval,
		now:        time.Now,
		records:    make(map[string]memRecord),
	}
	for _, opt := range opts {
		if opt != nil {
			opt(s)
		}
	}
	s.lastSweep = s.now()
	return s
}

// Claim tries to take key for lease. It returns [Claimed] with a fresh token
// when the key is free, its previous lease ran out, or its completion is
// older than the retention; [Done] when it was completed; [Busy] while
// another claim's lease runs. It returns [ErrInvalidKey] for an empty key,
// [ErrInvalidLease] for a lease <= 0, and ctx.Err() when ctx is done, without
// changing anything.
func (s *MemoryStore) Claim(ctx context.Context, key string, lease time.Duration) (Claim, error) {
	if err := CheckArgs(ctx, key); err != nil {
		return Claim{}, err
	}
	if lease <= 0 {
		return Claim{}, ErrInvalidLease
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.maybeSweep(now)
	if r, ok := s.records[key]; ok && s.live(r, now) {
		if r.done {
			return Claim{Outcome: Done}, nil
		}
		return Claim{Outcome: Busy}, nil
	}
	// A counter is enough for tokens: they only need to be unique within
	// this store, and it is much cheaper than a random UUID.
	s.seq++
	token := strconv.FormatUint(s.seq, 36)
	until := now.Add(lease)
	s.records[key] = memRecord{token: token, until: until, forget: until.Add(max(lease, minLateGrace))}
	return Claim{Outcome: Claimed, Token: token}, nil
}

// Complete marks key done for the retention time; completing again with the
// same token is a no-op. It returns [ErrLeaseLost] when token does not hold
// key: the key was released or completed by another claim, or its lease ran
// out and another Claim took it. A holder whose lease ran out may still
// complete until another Claim takes the key or a sweep forgets the record,
// which happens no sooner than one more lease, and at least a minute, after
// the lease ended.
func (s *MemoryStore) Complete(ctx context.Context, key, token string) error {
	if err := CheckArgs(ctx, key); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.records[key]
	if !ok || token == "" || r.token != token {
		return ErrLeaseLost
	}
	if r.done {
		return nil
	}
	r.done = true
	r.until = time.Time{}
	if s.retention > 0 {
		r.until = s.now().Add(s.retention)
	}
	s.records[key] = r
	return nil
}

// Release frees key so that the next Claim runs the work again. It returns
// [ErrLeaseLost] when token does not hold key (see [MemoryStore.Complete]).
func (s *MemoryStore) Release(ctx context.Context, key, token string) error {
	if err := CheckArgs(ctx, key); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.records[key]
	if !ok || r.done || token == "" || r.token != token {
		return ErrLeaseLost
	}
	delete(s.records, key)
	return nil
}

// Len reports how many records the store holds: keys held under a lease,
// completed keys, and expired records that the next sweep will forget. It is
// meant for tests and metrics.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.records)
}

// live reports whether r still counts at now: a lease that has not run out, or
// a completion within the retention.
func (s *MemoryStore) live(r memRecord, now time.Time) bool {
	if r.done && r.until.IsZero() {
		return true
	}
	return now.Before(r.until)
}

// maybeSweep forgets dead records when the sweep interval has passed. A dead
// lease's record is kept until its forget time, so that a holder whose lease
// just ran out can still complete. s.mu must be held.
func (s *MemoryStore) maybeSweep(now time.Time) {
	if s.sweepEvery > 0 && now.Sub(s.lastSweep) < s.sweepEvery {
		return
	}
	s.lastSweep = now
	for k, r := range s.records {
		if s.live(r, now) {
			continue
		}
		if !r.done && now.Before(r.forget) {
			continue
		}
		delete(s.records, k)
	}
}
