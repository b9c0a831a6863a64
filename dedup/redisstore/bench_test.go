package redisstore_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest"
	"github.com/stashpay/stashpay-go/dedup/deduptest/replicas"
	"github.com/stashpay/stashpay-go/dedup/redisstore"
)

// BenchmarkWebhookGrantsMemory is the same-process baseline: two webhook
// handler instances sharing one MemoryStore (only possible inside one
// process).
func BenchmarkWebhookGrantsMemory(b *testing.B) {
	replicas.BenchmarkWebhookGrants(b, 64, func(*testing.B) [2]dedup.Store {
		s := dedup.NewMemoryStore()
		return [2]dedup.Store{s, s}
	})
}

// BenchmarkWebhookGrantsRedis runs two webhook handler instances, each with
// its own Redis client (and so connection pool), against one Redis, side by
// side with the memory baseline ("x-memory").
func BenchmarkWebhookGrantsRedis(b *testing.B) {
	s1, s2 := newStore(b), newStore(b)
	replicas.BenchmarkWebhookGrantsAgainstMemory(b, 64, func(*testing.B) [2]dedup.Store { return [2]dedup.Store{s1, s2} })
}

// benchLease is the lease of the benchmarks' claims.
const benchLease = time.Minute

// roundTrips counts the commands and pipelines a client sends: one round
// trip each.
type roundTrips struct{ n atomic.Int64 }

func (h *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}

func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmds)
	}
}

// floorCounters returns the round trips client sends and the calls the
// server runs (INFO commandstats, which counts the commands scripts run too,
// read on a client of its own, without INFO itself).
func floorCounters(b *testing.B, client *redis.Client) []deduptest.FloorCounter {
	rt := &roundTrips{}
	client.AddHook(rt)
	info := newClient(b)
	return []deduptest.FloorCounter{
		{Name: "round-trips", Read: func() (int64, error) { return rt.n.Load(), nil }},
		{Name: "server-calls", Read: func() (int64, error) { return serverCalls(info) }},
	}
}

// serverCalls sums the calls of every command in INFO commandstats but INFO.
func serverCalls(client *redis.Client) (int64, error) {
	text, err := client.Info(context.Background(), "commandstats").Result()
	if err != nil {
		return 0, err
	}
	var total int64
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		name, stats, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "cmdstat_"), ":")
		if !ok || name == "info" || !strings.HasPrefix(stats, "calls=") {
			continue
		}
		calls, _, _ := strings.Cut(strings.TrimPrefix(stats, "calls="), ",")
		n, err := strconv.ParseInt(calls, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("commandstats %s: %w", name, err)
		}
		total += n
	}
	return total, sc.Err()
}

// floorGrant is the raw floor of a first grant: claim the key with a bare
// SET NX, then mark it done with a bare SET XX.
func floorGrant(client *redis.Client) func(ctx context.Context, key string) error {
	return func(ctx context.Context, key string) error {
		ok, err := client.SetNX(ctx, key, uuid.NewString(), benchLease).Result()
		if err != nil || !ok {
			return errors.Join(err, errors.New("floor: SET NX did not take a fresh key"))
		}
		return client.SetXX(ctx, key, "done", dedup.DefaultRetention).Err()
	}
}

// doGrant is a first delivery through dedup.Do on s.
func doGrant(s dedup.Store, want dedup.Result) func(ctx context.Context, key string) error {
	return func(ctx context.Context, key string) error {
		res, err := dedup.Do(ctx, s, key, benchLease, func(context.Context) error { return nil })
		if err == nil && res != want {
			err = fmt.Errorf("Do = %v, want %v", res, want)
		}
		return err
	}
}

// BenchmarkDoRedis is a first delivery (fresh key) through dedup.Do on Redis
// against the raw floor (SET NX, then SET XX) on the same client, 16 at a
// time. "x-floor" is the store's grants/s over the floor's.
func BenchmarkDoRedis(b *testing.B) {
	client := newClient(b)
	s, err := redisstore.New(client)
	if err != nil {
		b.Fatal(err)
	}
	deduptest.BenchmarkAgainstFloor(b, deduptest.FloorConfig{
		Store:    deduptest.FloorSide{Grant: doGrant(s, dedup.Ran)},
		Floor:    deduptest.FloorSide{Grant: floorGrant(client)},
		Counters: floorCounters(b, client),
	})
}

// BenchmarkDoRedisDuplicate is a redelivery of a completed key through
// dedup.Do (AlreadyDone) against the raw floor of a redelivery: one SET NX
// that finds the key.
func BenchmarkDoRedisDuplicate(b *testing.B) {
	client := newClient(b)
	s, err := redisstore.New(client)
	if err != nil {
		b.Fatal(err)
	}
	deduptest.BenchmarkAgainstFloor(b, deduptest.FloorConfig{
		Store: deduptest.FloorSide{Prepare: doGrant(s, dedup.Ran), Grant: doGrant(s, dedup.AlreadyDone)},
		Floor: deduptest.FloorSide{Prepare: floorGrant(client), Grant: func(ctx context.Context, key string) error {
			ok, err := client.SetNX(ctx, key, uuid.NewString(), benchLease).Result()
			if err == nil && ok {
				err = errors.New("floor: SET NX took a done key")
			}
			return err
		}},
		Counters: floorCounters(b, client),
	})
}
