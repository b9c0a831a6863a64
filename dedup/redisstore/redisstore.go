// Package redisstore is a [dedup.Store] kept in Redis, so that several
// instances of a game backend grant each purchase exactly once between them.
//
// It is a module of its own (github.com/stashpay/stashpay-go/dedup/redisstore)
// so that the core SDK does not depend on a Redis client. It works with any
// [redis.UniversalClient] of github.com/redis/go-redis/v9: a single server, a
// Sentinel failover client, or a Cluster (every operation touches one key).
// It needs Redis 5 or later (or a compatible server such as Valkey).
//
// Each key is one Redis hash, written only by Lua scripts, so Claim, Complete
// and Release are atomic on the server. Leases and retention are measured by
// the Redis server's clock, in milliseconds, so the instances' own clocks do
// not matter.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
//	store, err := redisstore.New(rdb)
//	...
//	res, err := dedup.Do(ctx, store, orderID, time.Minute, grant)
//
// Redis is as durable as it is configured to be: with the default snapshots,
// a crash can forget the keys completed since the last snapshot, and a
// redelivery of those purchases would grant them again. Run Redis with
// appendonly yes (appendfsync everysec or always) when that matters, or use
// the PostgreSQL store's transaction pattern (dedup/pgstore), which records
// the key in the same transaction as the grant.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/stashpay/stashpay-go/dedup"
)

// DefaultPrefix is prepended to every key unless [WithPrefix] says otherwise.
const DefaultPrefix = "stashpay:dedup:"

// minLateGrace is the least time a lease that ran out is remembered, so that
// its holder can still Complete or Release while nobody took the key over.
const minLateGrace = time.Minute

// ErrNilClient is returned by [New] for a nil client.
var ErrNilClient = errors.New("redisstore: nil client")

// Option configures a [Store].
type Option func(*Store)

// WithPrefix sets the prefix of the Redis keys the store writes. The default
// is [DefaultPrefix]. Give each application sharing a Redis its own prefix;
// in a Cluster, a prefix may not contain a hash tag ("{...}") unless all keys
// are meant to live on one node.
func WithPrefix(p string) Option {
	return func(s *Store) { s.prefix = p }
}

// WithRetention sets how long a completed key is remembered (reported as
// [dedup.Done]); after that a Claim of the key succeeds again. The default is
// [dedup.DefaultRetention] (72h; Stash retries a webhook for about 24h). A
// retention <= 0 keeps completed keys for ever.
func WithRetention(d time.Duration) Option {
	return func(s *Store) { s.retention = d }
}

// Store is a [dedup.Store] in Redis. It is safe for concurrent use by many
// goroutines and by many processes sharing one Redis.
//
// A lease that ran out is remembered for one more lease, and at least a
// minute, so that its holder can still Complete or Release while no other
// Claim took the key over. Errors from Redis wrap [dedup.ErrStore]; a context
// that is already done fails with ctx.Err() before Redis is asked.
type Store struct {
	client    redis.UniversalClient
	prefix    string
	retention time.Duration
}

var _ dedup.Store = (*Store)(nil)

// New returns a store that keeps its keys in the Redis that client talks to.
// The client stays the caller's to configure (timeouts, pool size, TLS) and to
// close.
func New(client redis.UniversalClient, opts ...Option) (*Store, error) {
	if client == nil {
		return nil, ErrNilClient
	}
	s := &Store{client: client, prefix: DefaultPrefix, retention: dedup.DefaultRetention}
	for _, opt := range opts {
		if opt != nil {
			opt(s)
		}
	}
	return s, nil
}

// claimScript takes KEYS[1] for a lease unless it is done or held by a live
// lease. ARGV: token, lease ms, time an expired lease is remembered in ms.
// It returns 1 (claimed), 2 (done) or 3 (busy).
var claimScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local r = redis.call('HMGET', KEYS[1], 's', 'u')
if r[1] == 'd' then return 2 end
if r[1] == 'h' and tonumber(r[2]) > now then return 3 end
local lease = tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 's', 'h', 't', ARGV[1], 'u', now + lease)
redis.call('PEXPIRE', KEYS[1], lease + tonumber(ARGV[3]))
return 1
`)

// completeScript marks KEYS[1] done if ARGV[1] is its token. ARGV[2] is the
// retention in ms (0: for ever). It returns 1, or 0 when the token lost.
var completeScript = redis.NewScript(`
local r = redis.call('HMGET', KEYS[1], 's', 't')
if r[2] ~= ARGV[1] then return 0 end
if r[1] == 'd' then return 1 end
redis.call('HSET', KEYS[1], 's', 'd')
redis.call('HDEL', KEYS[1], 'u')
local keep = tonumber(ARGV[2])
if keep > 0 then redis.call('PEXPIRE', KEYS[1], keep) else redis.call('PERSIST', KEYS[1]) end
return 1
`)

// releaseScript deletes KEYS[1] if it is held with token ARGV[1]. It returns
// 1, or 0 when the token lost.
var releaseScript = redis.NewScript(`
local r = redis.call('HMGET', KEYS[1], 's', 't')
if r[1] ~= 'h' or r[2] ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`)

// Claim tries to take key for lease (rounded up to a whole millisecond). See
// [dedup.Store]. It returns [dedup.ErrInvalidKey] for an empty key and
// [dedup.ErrInvalidLease] for a lease <= 0.
func (s *Store) Claim(ctx context.Context, key string, lease time.Duration) (dedup.Claim, error) {
	if err := dedup.CheckArgs(ctx, key); err != nil {
		return dedup.Claim{}, err
	}
	if lease <= 0 {
		return dedup.Claim{}, dedup.ErrInvalidLease
	}
	leaseMS := millis(lease)
	token := uuid.NewString()
	n, err := claimScript.Run(ctx, s.client, []string{s.prefix + key},
		token, leaseMS, millis(max(lease, minLateGrace))).Int()
	if err != nil {
		return dedup.Claim{}, storeErr("claim", err)
	}
	switch n {
	case 1:
		return dedup.Claim{Outcome: dedup.Claimed, Token: token}, nil
	case 2:
		return dedup.Claim{Outcome: dedup.Done}, nil
	case 3:
		return dedup.Claim{Outcome: dedup.Busy}, nil
	default:
		return dedup.Claim{}, fmt.Errorf("%w: redisstore: claim: unexpected reply %d", dedup.ErrStore, n)
	}
}

// Complete marks key done for the retention time; completing again with the
// same token is a no-op. It returns [dedup.ErrLeaseLost] when token does not
// hold key.
func (s *Store) Complete(ctx context.Context, key, token string) error {
	var keep int64
	if s.retention > 0 {
		keep = millis(s.retention)
	}
	return s.fenced(ctx, "complete", completeScript, key, token, keep)
}

// Release frees key so that the next Claim runs the work again. It returns
// [dedup.ErrLeaseLost] when token does not hold key.
func (s *Store) Release(ctx context.Context, key, token string) error {
	return s.fenced(ctx, "release", releaseScript, key, token)
}

// fenced runs a script that acts only if token holds key.
func (s *Store) fenced(ctx context.Context, op string, script *redis.Script, key, token string, args ...any) error {
	if err := dedup.CheckArgs(ctx, key); err != nil {
		return err
	}
	if token == "" {
		return dedup.ErrLeaseLost
	}
	n, err := script.Run(ctx, s.client, []string{s.prefix + key}, append([]any{token}, args...)...).Int()
	if err != nil {
		return storeErr(op, err)
	}
	if n != 1 {
		return dedup.ErrLeaseLost
	}
	return nil
}

// millis is d in whole milliseconds, rounded up.
func millis(d time.Duration) int64 {
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}

// storeErr wraps a Redis failure in dedup.ErrStore, keeping err for errors.Is.
func storeErr(op string, err error) error {
	return fmt.Errorf("%w: redisstore: %s: %w", dedup.ErrStore, op, err)
}
