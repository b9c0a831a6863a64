// Package redisstore is a [dedup.Store] kept in Redis, so that several
// instances of a game backend grant each purchase exactly once between them.
//
// It is a module of its own (github.com/stashpay/stashpay-go/dedup/redisstore)
// so that the core SDK does not depend on a Redis client. It works with any
// [redis.UniversalClient] of github.com/redis/go-redis/v9: a single server, a
// Sentinel failover client, or a Cluster (every operation touches one key).
//
// # Supported servers
//
// Redis 7 or later (or a compatible server such as Valkey 7+) takes the fast
// path: claiming a free key, and answering a redelivery of a done one, is a
// single SET ... NX GET; completing and releasing are short compare-and-set
// scripts. Redis 5 and 6 refuse SET ... NX GET; the store notices on the
// first Claim and from then on claims through a script (one round trip still,
// a few more server calls). Redis older than 5 is not supported.
//
// Each key is one Redis string, changed atomically on the server. Leases and
// retention are the key's own TTL, measured by the Redis server's clock, so
// the instances' own clocks do not matter.
//
// # Upgrading from version 1
//
// Version 1 of this package kept each key as a hash. This version still reads
// those keys (a done key stays done, a live lease stays busy), so it can
// replace version 1 in place. While both run side by side, a version 1
// instance that meets a key this version wrote fails with a store error: its
// handler answers 503 and Stash retries, so nothing is granted twice.
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
// the key in the same transaction as the grant. Keep the server's default
// maxmemory-policy, noeviction: every key the store writes has a TTL, so
// any eviction policy (volatile-* included) may drop a completed key before
// its retention ends, and its redelivery would be granted again. With
// noeviction a full Redis refuses the store's writes, which fail with
// [dedup.ErrStore]: a Claim then grants nothing, and a Complete refused
// after the work ran is reported as any failed Complete is.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
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
// retention <= 0 keeps completed keys for ever; one of 100 years or more
// counts as 100 years.
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
	noSetGet  atomic.Bool // the server refused SET ... NX GET (Redis < 7)
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

// The layout of a key: one Redis string, so that a first Claim is one bare
// SET. While held it is "h:" + token, where the token is "<grace ms>:<uuid>"
// and the key's TTL is the lease plus that grace: the lease is live while the
// TTL exceeds the grace, and in the grace that follows, the holder may still
// Complete or Release until another Claim takes the key over. Once done it is
// "d:" + token, with the retention as its TTL (none: for ever).
//
// Version 1 of this package kept a hash instead (fields s = "h" or "d", t =
// token, u = lease end in Unix ms); claimScript still reads it, so that keys
// written before an upgrade keep their meaning.
const (
	heldPrefix = "h:"
	donePrefix = "d:"
)

// claimScript takes KEYS[1] for a lease unless it is done or held by a live
// lease, in either layout. ARGV: the held value, its TTL in ms. It returns 1
// (claimed, also when the key already holds ARGV[1]: a resend of this very
// claim), 2 (done) or 3 (busy).
var claimScript = redis.NewScript(`
local kind = redis.call('TYPE', KEYS[1])['ok']
if kind == 'string' then
  local v = redis.call('GET', KEYS[1])
  if v == ARGV[1] then return 1 end
  if string.sub(v, 1, 2) == 'd:' then return 2 end
  local grace = tonumber(string.match(v, '^h:(%d+):'))
  if grace and redis.call('PTTL', KEYS[1]) > grace then return 3 end
elseif kind == 'hash' then
  local r = redis.call('HMGET', KEYS[1], 's', 'u')
  if r[1] == 'd' then return 2 end
  local t = redis.call('TIME')
  if r[1] == 'h' and tonumber(r[2]) > tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) then return 3 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`)

// completeScript replaces the held value ARGV[1] of KEYS[1] with the done
// value ARGV[2], kept for ARGV[3] ms (0: for ever). It returns 1 (also when
// the key is already done with this token), or 0 when the token lost.
var completeScript = redis.NewScript(`
local v = redis.pcall('GET', KEYS[1])
if v == ARGV[2] then return 1 end
if v ~= ARGV[1] then return 0 end
if ARGV[3] == '0' then redis.call('SET', KEYS[1], ARGV[2]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1
`)

// releaseScript deletes KEYS[1] if its value is the held value ARGV[1]. It
// returns 1, or 0 when the token lost.
var releaseScript = redis.NewScript(`
if redis.pcall('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`)

// Claim tries to take key for lease (rounded up to a whole millisecond; a
// lease of 100 years or more counts as 100 years). See [dedup.Store]. It
// returns [dedup.ErrInvalidKey] for an empty key and [dedup.ErrInvalidLease]
// for a lease <= 0.
//
// A free key costs one SET ... NX GET, which also answers a done key; only a
// key held by someone else (or written by version 1, or on a Redis older than
// 7) runs a script.
func (s *Store) Claim(ctx context.Context, key string, lease time.Duration) (dedup.Claim, error) {
	if err := dedup.CheckArgs(ctx, key); err != nil {
		return dedup.Claim{}, err
	}
	if lease <= 0 {
		return dedup.Claim{}, dedup.ErrInvalidLease
	}
	grace := millis(max(lease, minLateGrace))
	ttl := millis(lease) + grace
	token := strconv.FormatInt(grace, 10) + ":" + uuid.NewString()
	held := heldPrefix + token
	k := s.prefix + key
	if !s.noSetGet.Load() {
		prev, err := s.client.SetArgs(ctx, k, held, redis.SetArgs{Mode: "NX", Get: true, TTL: time.Duration(ttl) * time.Millisecond}).Result()
		switch {
		case errors.Is(err, redis.Nil), err == nil && prev == held:
			// Free; or this very call's value, found by go-redis's resend
			// of a command whose reply was lost (the token is new to this
			// call, so no one else can hold it).
			return dedup.Claim{Outcome: dedup.Claimed, Token: token}, nil
		case err == nil && strings.HasPrefix(prev, donePrefix):
			return dedup.Claim{Outcome: dedup.Done}, nil
		case err == nil, redis.HasErrorPrefix(err, "WRONGTYPE"):
			// Held, or a version 1 hash: the script decides.
		case redis.HasErrorPrefix(err, "syntax error"):
			s.noSetGet.Store(true) // Redis < 7 has no SET ... NX GET
		default:
			return dedup.Claim{}, storeErr("claim", err)
		}
	}
	n, err := claimScript.Run(ctx, s.client, []string{k}, held, ttl).Int()
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
	return s.fenced(ctx, "complete", completeScript, key, token, donePrefix+token, keep)
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
	n, err := script.Run(ctx, s.client, []string{s.prefix + key}, append([]any{heldPrefix + token}, args...)...).Int()
	if err != nil {
		return storeErr(op, err)
	}
	if n != 1 {
		return dedup.ErrLeaseLost
	}
	return nil
}

// maxDuration caps leases and retentions: one of 100 years or more counts
// as 100 years, so that a lease plus its grace, in milliseconds, stays far
// from overflowing (time.Duration's 292 years, or Redis's expiry times).
const maxDuration = 100 * 365 * 24 * time.Hour

// millis is d in whole milliseconds, rounded up, d capped at maxDuration.
func millis(d time.Duration) int64 {
	d = min(d, maxDuration)
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}

// storeErr wraps a Redis failure in dedup.ErrStore, keeping err for errors.Is.
func storeErr(op string, err error) error {
	return fmt.Errorf("%w: redisstore: %s: %w", dedup.ErrStore, op, err)
}
