package redisstore_test

import (
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
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
	"github.com/stashpay/stashpay-go/dedup/deduptest/replicas"
	"github.com/stashpay/stashpay-go/dedup/redisstore"
	"github.com/stashpay/stashpay-go/grant/granttest"
)

// urlEnv names the variable that points the tests at a disposable Redis.
const urlEnv = "STASHPAY_TEST_REDIS_URL"

// inCI reports whether the tests run in CI, where a missing server is a
// failure rather than a reason to skip.
func inCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}

// newClient connects to the Redis of STASHPAY_TEST_REDIS_URL. Without one it
// skips the test, except in CI, where it fails it.
func newClient(t testing.TB) *redis.Client {
	t.Helper()
	url := os.Getenv(urlEnv)
	if url == "" {
		if inCI() {
			t.Fatalf("%s is not set but CI is: the Redis store tests must run in CI (.ci/stores.sh starts a server)", urlEnv)
		}
		t.Skipf("%s is not set: skipping the Redis store tests (run .ci/stores.sh, or set it to a disposable Redis, e.g. redis://127.0.0.1:6379/15)", urlEnv)
	}
	opts, err := redis.ParseURL(url)
	require.NoError(t, err, "parsing %s", urlEnv)
	client := redis.NewClient(opts)
	t.Cleanup(func() { _ = client.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, client.Ping(ctx).Err(), "Redis at %s does not answer", opts.Addr)
	return client
}

func newStore(t testing.TB, opts ...redisstore.Option) *redisstore.Store {
	t.Helper()
	s, err := redisstore.New(newClient(t), opts...)
	require.NoError(t, err)
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	newClient(t) // skip or fail once, up front
	// Each store has a client, and so a connection pool, of its own: the
	// suite's concurrent claims come from separate connections.
	deduptest.Run(t, func(t *testing.T) dedup.Store { return newStore(t) },
		deduptest.WithSharedState(), deduptest.WithShortLease(100*time.Millisecond))
}

func TestConformanceWithoutSetGet(t *testing.T) {
	t.Parallel()
	newClient(t)
	deduptest.Run(t, func(t *testing.T) dedup.Store { return newStore(t, redisstore.WithoutSetGet()) },
		deduptest.WithSharedState(), deduptest.WithShortLease(100*time.Millisecond))
}

func TestConformanceWithPrefixAndNoRetention(t *testing.T) {
	t.Parallel()
	newClient(t)
	deduptest.Run(t, func(t *testing.T) dedup.Store {
		return newStore(t, redisstore.WithPrefix("stashpay-test:"), redisstore.WithRetention(0))
	}, deduptest.WithSharedState())
}

func TestKeysLayout(t *testing.T) {
	t.Parallel()
	client := newClient(t)
	ctx := t.Context()
	prefix := "stashpay-test:" + t.Name() + ":" + time.Now().Format(time.RFC3339Nano) + ":"
	tests := []struct {
		name      string
		retention time.Duration
		wantTTL   func(t *testing.T, ttl time.Duration)
	}{
		{"retention sets the TTL of a done key", time.Hour, func(t *testing.T, ttl time.Duration) {
			assert.Greater(t, ttl, 59*time.Minute)
			assert.LessOrEqual(t, ttl, time.Hour)
		}},
		{"no retention keeps a done key", 0, func(t *testing.T, ttl time.Duration) {
			assert.Equal(t, time.Duration(-1), ttl, "PTTL -1: no expiry")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := redisstore.New(client, redisstore.WithPrefix(prefix), redisstore.WithRetention(tt.retention))
			require.NoError(t, err)
			key := t.Name()
			c, err := s.Claim(ctx, key, 10*time.Second)
			require.NoError(t, err)
			require.Equal(t, dedup.Claimed, c.Outcome)
			ttl, err := client.PTTL(ctx, prefix+key).Result()
			require.NoError(t, err)
			assert.Greater(t, ttl, 10*time.Second, "a held key outlives its lease by the late grace")
			require.NoError(t, s.Complete(ctx, key, c.Token))
			ttl, err = client.PTTL(ctx, prefix+key).Result()
			require.NoError(t, err)
			tt.wantTTL(t, ttl)
			require.NoError(t, client.Del(ctx, prefix+key).Err())
		})
	}
}

func TestNewRejectsNilClient(t *testing.T) {
	t.Parallel()
	s, err := redisstore.New(nil)
	assert.Nil(t, s)
	assert.ErrorIs(t, err, redisstore.ErrNilClient)
}

// TestUnreachable runs against a port nothing listens on, so it needs no
// server: every operation fails with dedup.ErrStore and Do runs nothing.
func TestUnreachable(t *testing.T) {
	t.Parallel()
	client := redis.NewClient(&redis.Options{Addr: deduptest.DeadAddr(t), DialTimeout: time.Second, MaxRetries: -1})
	t.Cleanup(func() { _ = client.Close() })
	s, err := redisstore.New(client)
	require.NoError(t, err)
	ctx := t.Context()

	_, err = s.Claim(ctx, "k", time.Minute)
	assert.ErrorIs(t, err, dedup.ErrStore)
	assert.ErrorIs(t, s.Complete(ctx, "k", "token"), dedup.ErrStore)
	assert.ErrorIs(t, s.Release(ctx, "k", "token"), dedup.ErrStore)

	ran := false
	res, err := dedup.Do(ctx, s, "k", time.Minute, func(context.Context) error { ran = true; return nil })
	assert.Equal(t, dedup.Skipped, res)
	assert.ErrorIs(t, err, dedup.ErrStore)
	assert.False(t, ran, "nothing may run while the store is down")
}

// TestHandlersWhileUnreachable puts the webhook and confirm handlers on a
// Redis that does not answer: they answer 503 and grant nothing; the
// redelivery to a replica whose Redis answers then grants once.
func TestHandlersWhileUnreachable(t *testing.T) {
	t.Parallel()
	client := redis.NewClient(&redis.Options{Addr: deduptest.DeadAddr(t), DialTimeout: time.Second, MaxRetries: -1})
	t.Cleanup(func() { _ = client.Close() })
	down, err := redisstore.New(client)
	require.NoError(t, err)
	replicas.StoreDown(t, down, func(t *testing.T) dedup.Store { return newStore(t) })
}

// startFullRedis starts a Redis server of its own, on a Unix socket in a
// temporary directory, whose memory is full from the start (maxmemory of one
// byte, the default noeviction policy), and returns a client of it. Without
// redis-server on PATH it skips the test, except in CI.
func startFullRedis(t *testing.T) *redis.Client {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if inCI() {
			t.Fatal("redis-server is not on PATH but CI is (.ci/stores.sh installs it)")
		}
		t.Skip("redis-server is not on PATH")
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "redis.sock")
	cmd := exec.Command(bin, "--port", "0", "--unixsocket", sock, "--save", "", "--appendonly", "no",
		"--dir", dir, "--maxmemory", "1", "--maxmemory-policy", "noeviction")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	client := redis.NewClient(&redis.Options{Network: "unix", Addr: sock, MaxRetries: -1})
	t.Cleanup(func() { _ = client.Close() })
	require.Eventually(t, func() bool { return client.Ping(t.Context()).Err() == nil }, 10*time.Second, 10*time.Millisecond,
		"the full Redis does not answer")
	return client
}

// TestFullRedis checks what the README promises of a Redis that is out of
// memory under noeviction: it refuses the store's writes, every operation
// fails with dedup.ErrStore and nothing runs; the handlers answer 503 and
// grant nothing, and the redelivery to a replica whose Redis has room grants
// once.
func TestFullRedis(t *testing.T) {
	t.Parallel()
	full, err := redisstore.New(startFullRedis(t))
	require.NoError(t, err)
	ctx := t.Context()
	for _, opts := range [][]redisstore.Option{nil, {redisstore.WithoutSetGet()}} {
		s, err := redisstore.New(startFullRedis(t), opts...)
		require.NoError(t, err)
		_, err = s.Claim(ctx, "k", time.Minute)
		require.ErrorIs(t, err, dedup.ErrStore)
		assert.ErrorContains(t, err, "OOM")
		ran := false
		res, err := dedup.Do(ctx, s, "k", time.Minute, func(context.Context) error { ran = true; return nil })
		assert.Equal(t, dedup.Skipped, res)
		assert.ErrorIs(t, err, dedup.ErrStore)
		assert.False(t, ran, "nothing may run while Redis refuses writes")
	}
	replicas.StoreDown(t, full, func(t *testing.T) dedup.Store { return newStore(t) })
}

// The longest retention must not overflow into an expiry Redis refuses,
// which would fail every Complete and leave the key to be granted again.
func TestLongestRetention(t *testing.T) {
	t.Parallel()
	s := newStore(t, redisstore.WithRetention(math.MaxInt64))
	ctx := t.Context()
	key := "longest-retention:" + uuid.NewString()
	res, err := dedup.Do(ctx, s, key, time.Minute, func(context.Context) error { return nil })
	require.NoError(t, err)
	assert.Equal(t, dedup.Ran, res)
	c, err := s.Claim(ctx, key, time.Minute)
	require.NoError(t, err)
	assert.Equal(t, dedup.Done, c.Outcome)
}

func TestLoadTwoInstances(t *testing.T) {
	t.Parallel()
	res := deduptest.Load(t, deduptest.LoadConfig{
		Instances: []dedup.Store{newStore(t), newStore(t)},
		FailEvery: 10,
	})
	assert.Equal(t, res.Purchases, res.Grants)
	t.Logf("redis: %d grants from %d calls (%d busy, %d failed) in %v: %.0f grants/s",
		res.Grants, res.Calls, res.Busy, res.Failed, res.Elapsed, res.GrantsPerSecond())
}

// TestClaimWithLostReply: go-redis resends a command whose reply was lost;
// the resent claim finds its own value, and must still be Claimed, not Busy
// (which left the key held by a token no one had for a whole lease).
func TestClaimWithLostReply(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []redisstore.Option
	}{
		{"SET NX GET", nil},
		{"script (Redis 5 and 6)", []redisstore.Option{redisstore.WithoutSetGet()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			direct := newClient(t)
			key := "lost-reply:" + uuid.NewString()
			// Load the claim script first: on a cold script cache, the
			// first command is an EVALSHA answered NOSCRIPT, which never
			// ran, and the lost reply would prove nothing.
			warm, err := redisstore.New(direct, redisstore.WithoutSetGet())
			require.NoError(t, err)
			_, err = warm.Claim(t.Context(), "lost-reply-warm:"+uuid.NewString(), time.Second)
			require.NoError(t, err)
			opts := *direct.Options()
			opts.Addr = deduptest.LoseFirstReply(t, direct.Options().Addr, []byte(key))
			client := redis.NewClient(&opts)
			t.Cleanup(func() { _ = client.Close() })
			s, err := redisstore.New(client, tc.opts...)
			require.NoError(t, err)
			ctx := t.Context()

			c, err := s.Claim(ctx, key, time.Minute)
			require.NoError(t, err)
			require.Equal(t, dedup.Claimed, c.Outcome, "the resent claim is this call's own")
			require.NoError(t, s.Complete(ctx, key, c.Token))
			again, err := newStore(t).Claim(ctx, key, time.Minute)
			require.NoError(t, err)
			assert.Equal(t, dedup.Done, again.Outcome)
		})
	}
}

// TestGrantRoutes races confirm, webhook and poll for the same purchases on
// two game instances, each with its own client of one Redis, and runs two
// reconcilers over lost webhooks: each purchase is granted once.
func TestGrantRoutes(t *testing.T) {
	granttest.Run(t, func(t *testing.T) [2]dedup.Store {
		return [2]dedup.Store{newStore(t), newStore(t)}
	})
}

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
