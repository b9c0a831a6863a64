package deduptest_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest"
)

// recorder is a testing.TB that records errors instead of failing, so that
// the helpers' own failure reports can be checked.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// leakyStore forgets that keys are held or done: every Claim succeeds. It is
// the store that grants twice.
type leakyStore struct{}

func (leakyStore) Claim(context.Context, string, time.Duration) (dedup.Claim, error) {
	return dedup.Claim{Outcome: dedup.Claimed, Token: "t"}, nil
}
func (leakyStore) Complete(context.Context, string, string) error { return nil }
func (leakyStore) Release(context.Context, string, string) error  { return nil }

func TestLoadReportsDoubleGrants(t *testing.T) {
	t.Parallel()
	rec := &recorder{TB: t}
	st := leakyStore{}
	res := deduptest.Load(rec, deduptest.LoadConfig{
		Instances: []dedup.Store{st, st},
		Purchases: 50,
		Grant: func(context.Context, string) error {
			time.Sleep(time.Millisecond) // let the deliveries overlap
			return nil
		},
	})
	assert.Positive(t, res.Double, "a store that always claims must grant twice")
	assert.Zero(t, res.Lost)
	require.NotEmpty(t, rec.errs)
	assert.Contains(t, rec.errs[len(rec.errs)-1], "granted twice or more")
}

func TestLoadReportsStoreErrorsAsLostGrants(t *testing.T) {
	t.Parallel()
	rec := &recorder{TB: t}
	st := deduptest.Unreachable()
	res := deduptest.Load(rec, deduptest.LoadConfig{Instances: []dedup.Store{st}, Purchases: 10})
	assert.Equal(t, 10, res.Lost)
	assert.Zero(t, res.Grants)
	require.Len(t, rec.errs, 2)
	assert.Contains(t, rec.errs[0], "unexpected errors")
	assert.Contains(t, rec.errs[0], deduptest.ErrUnreachable.Error())
}

func TestLoadRedeliversFailedGrants(t *testing.T) {
	t.Parallel()
	st := dedup.NewMemoryStore()
	var calls atomic.Int64
	errFlaky := errors.New("inventory service hiccup")
	res := deduptest.Load(t, deduptest.LoadConfig{
		Instances: []dedup.Store{st, st},
		Purchases: 200,
		Grant: func(context.Context, string) error {
			if calls.Add(1)%5 == 0 {
				return errFlaky
			}
			return nil
		},
	})
	assert.Equal(t, 200, res.Grants)
	assert.Positive(t, res.Failed)
	assert.Positive(t, res.GrantsPerSecond())
}
