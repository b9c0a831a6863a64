package redisstore_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest"
	"github.com/stashpay/stashpay-go/dedup/redisstore"
)

// The scripts of version 1 of this package, verbatim: one hash per key.
var (
	v1Claim = redis.NewScript(`
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
	v1Complete = redis.NewScript(`
local r = redis.call('HMGET', KEYS[1], 's', 't')
if r[2] ~= ARGV[1] then return 0 end
if r[1] == 'd' then return 1 end
redis.call('HSET', KEYS[1], 's', 'd')
redis.call('HDEL', KEYS[1], 'u')
local keep = tonumber(ARGV[2])
if keep > 0 then redis.call('PEXPIRE', KEYS[1], keep) else redis.call('PERSIST', KEYS[1]) end
return 1
`)
)

// TestReadsVersion1Keys writes keys the way version 1 did (a hash per key,
// with its scripts verbatim) and reads them with this version, with and
// without SET ... NX GET: an upgrade in place keeps every done key done and
// every live lease busy, and a lease that ran out is taken over into the new
// layout.
func TestReadsVersion1Keys(t *testing.T) {
	t.Parallel()
	client := newClient(t)
	for name, opts := range map[string][]redisstore.Option{"SET NX GET": nil, "script only": {redisstore.WithoutSetGet()}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, err := redisstore.New(client, opts...)
			require.NoError(t, err)
			deduptest.ReadsPrevious(t, s, func(t *testing.T, key string, lease time.Duration, done bool) {
				ctx := t.Context()
				k := redisstore.DefaultPrefix + key
				token := uuid.NewString()
				n, err := v1Claim.Run(ctx, client, []string{k}, token, lease.Milliseconds(), time.Minute.Milliseconds()).Int()
				require.NoError(t, err)
				require.Equal(t, 1, n, "version 1 claim")
				if done {
					n, err := v1Complete.Run(ctx, client, []string{k}, token, time.Hour.Milliseconds()).Int()
					require.NoError(t, err)
					require.Equal(t, 1, n, "version 1 complete")
				}
			})
		})
	}
}

// commandLog records the name of every command a client sends, and can make
// SET ... GET fail the way Redis 6 refuses it.
type commandLog struct {
	mu       sync.Mutex
	names    []string
	noSetGet bool
}

// redis6Error is the error Redis before 7 answers to SET ... NX GET.
type redis6Error string

func (e redis6Error) Error() string { return string(e) }
func (redis6Error) RedisError()     {}

func (l *commandLog) DialHook(next redis.DialHook) redis.DialHook { return next }

func (l *commandLog) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		l.mu.Lock()
		l.names = append(l.names, cmd.Name())
		l.mu.Unlock()
		if l.noSetGet && cmd.Name() == "set" && slices.Contains(cmd.Args(), any("get")) {
			cmd.SetErr(redis6Error("ERR syntax error"))
			return cmd.Err()
		}
		return next(ctx, cmd)
	}
}

func (l *commandLog) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// take returns the commands logged since the last call.
func (l *commandLog) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := strings.Join(l.names, " ")
	l.names = nil
	return out
}

// loggedStore returns a store on a client of its own whose commands log
// records.
func loggedStore(t *testing.T, log *commandLog, opts ...redisstore.Option) *redisstore.Store {
	t.Helper()
	client := newClient(t)
	client.AddHook(log)
	s, err := redisstore.New(client, opts...)
	require.NoError(t, err)
	return s
}

// TestCommandsPerStep pins the cost of each step: a free key and a done key
// are one bare SET; only a key held by someone else runs the claim script.
func TestCommandsPerStep(t *testing.T) {
	t.Parallel()
	log := &commandLog{}
	s := loggedStore(t, log)
	ctx := t.Context()
	key := "stashpay-test:commands:" + uuid.NewString()
	// Load the scripts first (an unknown script's EVALSHA is followed by an
	// EVAL, once per server).
	for _, step := range []func() error{
		func() error { _, err := s.Claim(ctx, key+":warm", time.Minute); return err },
		func() error { _, err := s.Claim(ctx, key+":warm", time.Minute); return err },
		func() error { return s.Complete(ctx, key+":warm", "not-the-token") },
	} {
		if err := step(); err != nil && !errors.Is(err, dedup.ErrLeaseLost) {
			require.NoError(t, err)
		}
	}
	log.take()

	c, err := s.Claim(ctx, key, time.Minute)
	require.NoError(t, err)
	require.Equal(t, dedup.Claimed, c.Outcome)
	assert.Equal(t, "set", log.take(), "claiming a free key")

	_, err = s.Claim(ctx, key, time.Minute)
	require.NoError(t, err)
	assert.Equal(t, "set evalsha", log.take(), "claiming a held key")

	require.NoError(t, s.Complete(ctx, key, c.Token))
	assert.Equal(t, "evalsha", log.take(), "completing")

	c, err = s.Claim(ctx, key, time.Minute)
	require.NoError(t, err)
	require.Equal(t, dedup.Done, c.Outcome)
	assert.Equal(t, "set", log.take(), "claiming a done key")
}

// TestFallsBackWithoutSetGet runs the conformance suite on clients whose
// server refuses SET ... NX GET as Redis 6 does: each store asks once, then
// claims through the script alone.
func TestFallsBackWithoutSetGet(t *testing.T) {
	t.Parallel()
	newClient(t)
	var mu sync.Mutex
	var logs []*commandLog
	deduptest.Run(t, func(t *testing.T) dedup.Store {
		log := &commandLog{noSetGet: true}
		mu.Lock()
		logs = append(logs, log)
		mu.Unlock()
		return loggedStore(t, log)
	}, deduptest.WithSharedState())
	mu.Lock()
	defer mu.Unlock()
	for _, log := range logs {
		names := strings.Fields(log.take())
		sets := 0
		for _, n := range names {
			if n == "set" {
				sets++
			}
		}
		assert.LessOrEqual(t, sets, 1, "SET ... NX GET attempts of one store: %v", names)
	}
}

// TestMixedVersionsNeverGrantTwice: while an upgrade rolls out, an instance
// of version 1 that meets a key this version wrote fails (a store error, so
// its handler answers 503 and Stash retries) instead of taking it.
func TestMixedVersionsNeverGrantTwice(t *testing.T) {
	t.Parallel()
	client := newClient(t)
	s, err := redisstore.New(client)
	require.NoError(t, err)
	ctx := t.Context()
	key := "stashpay-test:mixed:" + uuid.NewString()
	c, err := s.Claim(ctx, key, time.Minute)
	require.NoError(t, err)
	require.Equal(t, dedup.Claimed, c.Outcome)
	for _, done := range []bool{false, true} {
		if done {
			require.NoError(t, s.Complete(ctx, key, c.Token))
		}
		_, err = v1Claim.Run(ctx, client, []string{redisstore.DefaultPrefix + key}, uuid.NewString(), 60000, 60000).Int()
		var rerr redis.Error
		assert.True(t, errors.As(err, &rerr) && strings.Contains(err.Error(), "WRONGTYPE"), "version 1 claim on a new key: %v", err)
	}
}
