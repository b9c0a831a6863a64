package inbound_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/dedup/deduptest"
	"github.com/stashpay/stashpay-go/internal/inbound"
)

func TestAllowMethod(t *testing.T) {
	t.Parallel()
	for _, allowed := range []string{http.MethodPost, http.MethodGet} {
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodHead} {
			if m == allowed {
				continue
			}
			w := httptest.NewRecorder()
			assert.False(t, inbound.AllowMethod(w, httptest.NewRequest(m, "/", nil), allowed))
			assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
			assert.Equal(t, allowed, w.Header().Get("Allow"))
			assert.JSONEq(t, `{"code":12,"message":"method not allowed"}`, w.Body.String())
		}
		w := httptest.NewRecorder()
		assert.True(t, inbound.AllowMethod(w, httptest.NewRequest(allowed, "/", nil), allowed))
		assert.Equal(t, 0, w.Body.Len())
	}
}

// lyingBody announces one length and delivers another.
type lyingBody struct{ io.Reader }

func (lyingBody) Close() error { return nil }

func TestReadBody(t *testing.T) {
	t.Parallel()
	const limit = 100
	tests := []struct {
		name    string
		body    string
		length  int64 // -1: unknown (chunked)
		wantErr error
	}{
		{"empty", "", 0, nil},
		{"exactly the limit", strings.Repeat("a", limit), limit, nil},
		{"one over, announced", strings.Repeat("a", limit+1), limit + 1, inbound.ErrTooLarge},
		{"one over, chunked", strings.Repeat("a", limit+1), -1, inbound.ErrTooLarge},
		{"announced small, sends more", strings.Repeat("a", limit+1), 10, inbound.ErrTooLarge},
		{"announced huge, rejected before reading", "x", 1 << 40, inbound.ErrTooLarge},
		{"chunked within the limit", strings.Repeat("b", 70), -1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			r.Body = lyingBody{strings.NewReader(tt.body)}
			r.ContentLength = tt.length
			got, err := inbound.ReadBody(httptest.NewRecorder(), r, limit)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.body, string(got))
		})
	}
}

func TestReadBodyLyingContentLengthAllocatesLittle(t *testing.T) {
	// Announcing 1 MiB and sending 3 bytes must not reserve the megabyte.
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Body = lyingBody{strings.NewReader("abc")}
	r.ContentLength = 1 << 20
	got, err := inbound.ReadBody(httptest.NewRecorder(), r, 1<<20)
	require.NoError(t, err)
	assert.Equal(t, "abc", string(got))
	assert.LessOrEqual(t, cap(got), 64<<10+1)
}

func TestReadError(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	assert.Equal(t, http.StatusRequestEntityTooLarge, inbound.ReadError(w, inbound.ErrTooLarge))
	assert.JSONEq(t, `{"code":8,"message":"request body too large"}`, w.Body.String())
	w = httptest.NewRecorder()
	assert.Equal(t, http.StatusBadRequest, inbound.ReadError(w, io.ErrUnexpectedEOF))
	assert.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"))
}

// EmptyObject answers as JSON does for an empty struct, headers included,
// and its shared body stays {} across answers.
func TestEmptyObjectAnswersAsJSON(t *testing.T) {
	t.Parallel()
	for range 2 {
		want, got := httptest.NewRecorder(), httptest.NewRecorder()
		inbound.JSON(want, http.StatusOK, struct{}{})
		inbound.EmptyObject(got, http.StatusOK)
		assert.Equal(t, want.Code, got.Code)
		assert.Equal(t, want.Header(), got.Header())
		assert.Equal(t, "{}", got.Body.String())
		got.Body.Bytes()[0] = 'x' // a recorder copies what it is given
	}
}

func TestErrorCodes(t *testing.T) {
	t.Parallel()
	for status, code := range map[int]string{400: "3", 401: "16", 404: "5", 409: "10", 422: "9", 500: "13", 503: "14", 418: "2"} {
		w := httptest.NewRecorder()
		inbound.Error(w, status, "m")
		assert.Equal(t, status, w.Code)
		assert.JSONEq(t, `{"code":`+code+`,"message":"m"}`, w.Body.String())
		assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
	}
}

func TestCall(t *testing.T) {
	t.Parallel()
	assert.NoError(t, inbound.Call(func() error { return nil }))
	boom := errors.New("boom")
	assert.ErrorIs(t, inbound.Call(func() error { return boom }), boom)
	err := inbound.Call(func() error { panic("kaput") })
	var pe *inbound.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "kaput", pe.Value)
	assert.False(t, pe.Aborted())
	assert.Contains(t, string(pe.Stack), "inbound_test")
	err = inbound.Call(func() error { panic(http.ErrAbortHandler) })
	require.ErrorAs(t, err, &pe)
	assert.True(t, pe.Aborted())
}

func TestOnceWaitsForABusyKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		first   error // what the first holder's function returns
		wantRes dedup.Result
		wantRan int32
	}{
		{"first succeeds: the waiter answers as a duplicate", nil, dedup.AlreadyDone, 1},
		{"first fails: the waiter runs the function", errors.New("failed"), dedup.Ran, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store := dedup.NewMemoryStore()
			var ran atomic.Int32
			started, release := make(chan struct{}), make(chan struct{})
			done := make(chan struct{})
			go func() {
				defer close(done)
				_, _ = inbound.Once(context.Background(), store, "k", time.Minute, 0, func(context.Context) error {
					ran.Add(1)
					close(started)
					<-release
					return tt.first
				})
			}()
			<-started
			time.AfterFunc(50*time.Millisecond, func() { close(release) })
			res, err := inbound.Once(context.Background(), store, "k", time.Minute, 5*time.Second, func(context.Context) error {
				ran.Add(1)
				return nil
			})
			<-done
			require.NoError(t, err)
			assert.Equal(t, tt.wantRes, res)
			assert.Equal(t, tt.wantRan, ran.Load())
		})
	}
}

// countingStore counts the claims made of a store.
type countingStore struct {
	dedup.Store
	claims atomic.Int32
}

func (s *countingStore) Claim(ctx context.Context, key string, lease time.Duration) (dedup.Claim, error) {
	s.claims.Add(1)
	return s.Store.Claim(ctx, key, lease)
}

// valueStore is a store that is not a pointer: calls on it are not waited
// for in-process, only through the store.
type valueStore struct{ *countingStore }

func TestOnceWaitsInProcess(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		first   error         // what the first holder's function returns
		wait    time.Duration // the waiter's busy wait
		outlast bool          // the first holds the key until the waiter returned
		cancel  bool          // the waiter's caller gives up while waiting
		value   bool          // the store is not a pointer
		wantRes dedup.Result
		wantErr error
		wantRan int32
		// The waiter's own claims of the store: exactly, or (value) more
		// than this.
		wantClaims int32
	}{
		{name: "first succeeds: answered without asking the store", wait: time.Minute, wantRes: dedup.AlreadyDone, wantRan: 1, wantClaims: 0},
		{name: "first fails: the waiter asks the store once and runs", first: errors.New("failed"), wait: time.Minute, wantRes: dedup.Ran, wantRan: 2, wantClaims: 1},
		{name: "first outlasts the wait: busy", wait: 30 * time.Millisecond, outlast: true, wantRes: dedup.Skipped, wantErr: dedup.ErrBusy, wantRan: 1, wantClaims: 1},
		{name: "caller gives up while waiting: busy", wait: time.Minute, cancel: true, wantRes: dedup.Skipped, wantErr: dedup.ErrBusy, wantRan: 1, wantClaims: 0},
		{name: "a store that is not a pointer is polled", wait: time.Minute, value: true, wantRes: dedup.AlreadyDone, wantRan: 1, wantClaims: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			counting := &countingStore{Store: dedup.NewMemoryStore()}
			var store dedup.Store = counting
			if tt.value {
				store = valueStore{counting}
			}
			var ran atomic.Int32
			started, release, firstDone := make(chan struct{}), make(chan struct{}), make(chan struct{})
			go func() {
				defer close(firstDone)
				_, _ = inbound.Once(context.Background(), store, "k", time.Minute, time.Minute, func(context.Context) error {
					ran.Add(1)
					close(started)
					<-release
					return tt.first
				})
			}()
			<-started
			before := counting.claims.Load()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			type result struct {
				res dedup.Result
				err error
			}
			waiter := make(chan result, 1)
			go func() {
				res, err := inbound.Once(ctx, store, "k", time.Minute, tt.wait, func(context.Context) error {
					ran.Add(1)
					return nil
				})
				waiter <- result{res, err}
			}()
			var got result
			switch {
			case tt.outlast:
				got = <-waiter
				close(release)
			case tt.value:
				require.Eventually(t, func() bool { return counting.claims.Load()-before >= 2 }, 10*time.Second, time.Millisecond, "the waiter polls the store")
				close(release)
				got = <-waiter
			default:
				require.Eventually(t, func() bool { return inbound.Waiting(store, "k") == 1 }, 10*time.Second, time.Millisecond, "the waiter waits in-process")
				if tt.cancel {
					cancel()
					got = <-waiter
					close(release)
				} else {
					close(release)
					got = <-waiter
				}
			}
			<-firstDone
			own := counting.claims.Load() - before
			if tt.wantErr == nil {
				require.NoError(t, got.err)
			}
			assert.ErrorIs(t, got.err, tt.wantErr)
			assert.Equal(t, tt.wantRes, got.res)
			assert.Equal(t, tt.wantRan, ran.Load())
			if tt.value {
				assert.Greater(t, own, tt.wantClaims, "a store that is not a pointer is polled")
			} else {
				assert.Equal(t, tt.wantClaims, own, "the waiter's claims")
			}
			assert.Zero(t, inbound.Waiting(store, "k"), "no waiter is left")
		})
	}
}

// innerStore and outerStore are two stores at one address: an outerStore's
// first field is an innerStore, while the outerStore keeps its keys in a
// store of its own.
type innerStore struct{ dedup.Store }

type outerStore struct {
	inner innerStore
	own   dedup.Store
}

func (s *outerStore) Claim(ctx context.Context, key string, lease time.Duration) (dedup.Claim, error) {
	return s.own.Claim(ctx, key, lease)
}

func (s *outerStore) Complete(ctx context.Context, key, token string) error {
	return s.own.Complete(ctx, key, token)
}

func (s *outerStore) Release(ctx context.Context, key, token string) error {
	return s.own.Release(ctx, key, token)
}

// A call on one store never waits for, nor is answered by, a call on
// another store at the same address: that would skip a grant the other
// store never recorded.
func TestOnceKeepsStoresAtOneAddressApart(t *testing.T) {
	t.Parallel()
	outer := &outerStore{inner: innerStore{dedup.NewMemoryStore()}, own: dedup.NewMemoryStore()}
	inner := &outer.inner
	started, release, firstDone := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(firstDone)
		_, _ = inbound.Once(context.Background(), inner, "k", time.Minute, time.Minute, func(context.Context) error {
			close(started)
			<-release
			return nil
		})
	}()
	<-started
	second := make(chan dedup.Result, 1)
	go func() {
		res, err := inbound.Once(context.Background(), outer, "k", time.Minute, time.Minute, func(context.Context) error { return nil })
		assert.NoError(t, err)
		second <- res
	}()
	select {
	case res := <-second:
		assert.Equal(t, dedup.Ran, res, "the other store's key is free: the function runs")
	case <-time.After(10 * time.Second):
		t.Error("a call on one store waited for a call on another store at the same address")
	}
	close(release)
	<-firstDone
}

func TestOnceBusyWithoutWait(t *testing.T) {
	t.Parallel()
	store := dedup.NewMemoryStore()
	c, err := store.Claim(context.Background(), "k", time.Minute)
	require.NoError(t, err)
	require.Equal(t, dedup.Claimed, c.Outcome)
	for _, wait := range []time.Duration{0, -1, 30 * time.Millisecond} {
		res, err := inbound.Once(context.Background(), store, "k", time.Minute, wait, func(context.Context) error {
			t.Error("function ran while the key was held")
			return nil
		})
		assert.ErrorIs(t, err, dedup.ErrBusy)
		assert.Equal(t, dedup.Skipped, res)
	}
}

// A wait on a busy key that the caller's context ends returns the busy
// error joined with the context's, whether the holder is another process
// (waited for through the store) or a call in this process (in-process).
func TestOnceWaitEndedByContextSaysWhy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		hold func(t *testing.T, store dedup.Store) (stop func())
	}{
		{"holder elsewhere", func(t *testing.T, store dedup.Store) func() {
			c, err := store.Claim(context.Background(), "k", time.Minute)
			require.NoError(t, err)
			require.Equal(t, dedup.Claimed, c.Outcome)
			return func() {}
		}},
		{"holder in this process", func(t *testing.T, store dedup.Store) func() {
			started, release, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
			go func() {
				defer close(done)
				_, _ = inbound.Once(context.Background(), store, "k", time.Minute, time.Minute, func(context.Context) error {
					close(started)
					<-release
					return nil
				})
			}()
			<-started
			return func() { close(release); <-done }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store := dedup.NewMemoryStore()
			stop := tt.hold(t, store)
			defer stop()
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			res, err := inbound.Once(ctx, store, "k", time.Minute, time.Minute, func(context.Context) error {
				t.Error("function ran while the key was held")
				return nil
			})
			assert.Equal(t, dedup.Skipped, res)
			assert.ErrorIs(t, err, dedup.ErrBusy)
			assert.ErrorIs(t, err, context.DeadlineExceeded, "the caller learns its context ended the wait")
		})
	}
}

func TestOnceDoesNotWaitOnTheFunctionsOwnBusy(t *testing.T) {
	t.Parallel()
	store := dedup.NewMemoryStore()
	var calls atomic.Int32
	res, err := inbound.Once(context.Background(), store, "k", time.Minute, time.Second, func(context.Context) error {
		calls.Add(1)
		return fmt.Errorf("game's own claim: %w", dedup.ErrBusy)
	})
	assert.ErrorIs(t, err, dedup.ErrBusy)
	assert.Equal(t, dedup.Ran, res, "fn ran and failed")
	assert.Equal(t, int32(1), calls.Load(), "a failing fn is not run again within one call")
}

func TestOncePanicReleasesTheKey(t *testing.T) {
	t.Parallel()
	store := dedup.NewMemoryStore()
	res, err := inbound.Once(context.Background(), store, "k", time.Minute, 0, func(context.Context) error { panic("x") })
	var pe *inbound.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, dedup.Ran, res)
	res, err = inbound.Once(context.Background(), store, "k", time.Minute, 0, func(context.Context) error { return nil })
	require.NoError(t, err)
	assert.Equal(t, dedup.Ran, res)
}

func TestAfterCompleteReportsARecordThatNeverLanded(t *testing.T) {
	t.Parallel()
	store := &deduptest.FailingStore{Store: dedup.NewMemoryStore(), FailComplete: true}
	_, err := inbound.Once(context.Background(), store, "k", 600*time.Millisecond, 0, func(context.Context) error { return nil })
	var ce *dedup.CompleteError
	require.ErrorAs(t, err, &ce)
	require.True(t, ce.Retrying, "the lease leaves time for background retries")
	failed := make(chan error, 1)
	inbound.AfterComplete(err, func(err error) { failed <- err })
	select {
	case got := <-failed:
		assert.ErrorIs(t, got, dedup.ErrStore)
	case <-time.After(5 * time.Second):
		t.Fatal("the failure at the lease's end was never reported")
	}
}

func TestAfterCompleteIgnoresOtherErrors(t *testing.T) {
	t.Parallel()
	called := make(chan struct{}, 3)
	for _, err := range []error{nil, errors.New("x"), &dedup.CompleteError{Err: dedup.ErrStore}} {
		inbound.AfterComplete(err, func(error) { called <- struct{}{} })
	}
	time.Sleep(20 * time.Millisecond)
	assert.Empty(t, called)
}

// A *dedup.CompleteError in Once's error is only Once's own record of a
// function that succeeded: one that the function's own error wraps is
// hidden, and the key is released.
func TestOnceHidesACompleteErrorOfTheFunction(t *testing.T) {
	t.Parallel()
	store := dedup.NewMemoryStore()
	own := fmt.Errorf("reserve: %w", &dedup.CompleteError{Err: errors.New("game's store down")})
	res, err := inbound.Once(t.Context(), store, "k", time.Minute, 0, func(context.Context) error { return own })
	assert.Equal(t, dedup.Ran, res)
	require.Error(t, err)
	assert.False(t, errors.As(err, new(*dedup.CompleteError)), "taken for Once's record")
	assert.Equal(t, own.Error(), err.Error(), "the message is kept")
	c, err := store.Claim(t.Context(), "k", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, dedup.Claimed, c.Outcome, "the key was released")

	_, err = inbound.Once(t.Context(), &deduptest.FailingStore{Store: dedup.NewMemoryStore(), FailComplete: true}, "k", time.Minute, 0,
		func(context.Context) error { return nil })
	assert.True(t, errors.As(err, new(*dedup.CompleteError)), "Once's own record still shows")
}
