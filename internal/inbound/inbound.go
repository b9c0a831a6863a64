// Package inbound is what every handler Stash calls shares: the egress
// purchase handlers of the root package and the webhook handler. It checks
// the method, reads the body with a cap (never trusting Content-Length for
// an allocation), writes JSON error bodies, runs the game's function with
// panic recovery, and runs it exactly once per key, waiting a bounded time
// while another delivery of the same key is under way.
//
// Read and write timeouts are not set here: an http.Handler cannot set
// them. The servers that mount the handlers must set ReadHeaderTimeout,
// ReadTimeout and IdleTimeout, or a slow sender can hold a connection open.
package inbound

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/stashpay/stashpay-go/dedup"
	"github.com/stashpay/stashpay-go/internal/wait"
)

// Defaults shared by the egress handlers and the webhook handler; the
// public packages export them under the same names.
const (
	// DefaultMaxBodyBytes is the largest body read: 1 MiB, far above any
	// documented call. Larger bodies are answered 413 without verification.
	DefaultMaxBodyBytes int64 = 1 << 20
	// DefaultLease is how long a call holds its exactly-once key while the
	// game's function runs. Stash waits about 30 s for an answer; the lease
	// must outlast the function, or a retry arriving after it may run the
	// function a second time.
	DefaultLease = 2 * time.Minute
	// DefaultBusyWait is how long a call whose key is held by another call
	// waits for that one to finish before answering "busy".
	DefaultBusyWait = 10 * time.Second
)

// initialBodyCap bounds the buffer allocated from an announced
// Content-Length before any byte has arrived: the sender is not
// authenticated yet and Content-Length may lie.
const initialBodyCap int64 = 64 << 10

// ErrTooLarge is returned by [ReadBody] for a body over the limit.
var ErrTooLarge = errors.New("request body too large")

// AllowMethod answers 405 with "Allow: " + method and reports false unless
// r's method is method: POST for the calls with a body, GET for the
// webshop's queries.
func AllowMethod(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method == method {
		return true
	}
	w.Header().Set("Allow", method)
	Error(w, http.StatusMethodNotAllowed, "method not allowed")
	return false
}

// ReadBody reads r's body, at most limit bytes. It returns [ErrTooLarge]
// for a larger body (announced or not) and the reader's error otherwise.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, ErrTooLarge
	}
	if r.Body == nil || r.Body == http.NoBody {
		return []byte{}, nil
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	defer body.Close()
	size := 512
	if r.ContentLength >= 0 {
		// One byte more than announced, so that EOF is seen without
		// growing, but never more than initialBodyCap up front.
		size = int(min(r.ContentLength, initialBodyCap-1)) + 1
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, ErrTooLarge
			}
			return nil, err
		}
	}
}

// ReadError answers a [ReadBody] error: 413 for [ErrTooLarge], 400
// otherwise. It returns the status.
func ReadError(w http.ResponseWriter, err error) int {
	if errors.Is(err, ErrTooLarge) {
		Error(w, http.StatusRequestEntityTooLarge, "request body too large")
		return http.StatusRequestEntityTooLarge
	}
	Error(w, http.StatusBadRequest, "request body could not be read")
	return http.StatusBadRequest
}

// JSON answers status with v encoded as JSON.
func JSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		Error(w, http.StatusInternalServerError, "internal error")
		return
	}
	write(w, status, b)
}

// EmptyObject answers status with the body {}, as [JSON] does for an empty
// struct, without encoding it on every call.
func EmptyObject(w http.ResponseWriter, status int) { write(w, status, emptyObject) }

// emptyObject is the body of [EmptyObject]; nothing writes to it.
var emptyObject = []byte("{}")

// Error answers status with a google.rpc.Status-like body, {"code": the
// google.rpc code of status, "message": msg}. msg must hold no secret and
// no value from the request.
func Error(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{rpcCode(status), msg})
	write(w, status, b)
}

func write(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	// An answer belongs to one signed call (a player's profile or catalog
	// on a GET): a cache in front of the game must not serve it to others.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// rpcCode maps an HTTP status to the google.rpc code grpc-gateway would
// send with it.
func rpcCode(status int) int {
	switch status {
	case http.StatusBadRequest:
		return 3 // INVALID_ARGUMENT
	case http.StatusUnauthorized:
		return 16 // UNAUTHENTICATED
	case http.StatusForbidden:
		return 7 // PERMISSION_DENIED
	case http.StatusNotFound:
		return 5 // NOT_FOUND
	case http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return 12 // UNIMPLEMENTED
	case http.StatusConflict:
		return 10 // ABORTED
	case http.StatusRequestEntityTooLarge, http.StatusTooManyRequests:
		return 8 // RESOURCE_EXHAUSTED
	case http.StatusUnprocessableEntity, http.StatusPreconditionFailed:
		return 9 // FAILED_PRECONDITION
	case http.StatusServiceUnavailable:
		return 14 // UNAVAILABLE
	case http.StatusGatewayTimeout:
		return 4 // DEADLINE_EXCEEDED
	}
	if status >= 500 {
		return 13 // INTERNAL
	}
	return 2 // UNKNOWN
}

// PanicError is a recovered panic of the game's function.
type PanicError struct {
	// Value is what the function panicked with.
	Value any
	// Stack is the goroutine's stack at the panic.
	Stack []byte
}

// Error describes the panic without its stack.
func (p *PanicError) Error() string { return fmt.Sprintf("function panicked: %v", p.Value) }

// Aborted reports whether the panic was [http.ErrAbortHandler], which the
// handler must raise again (after releasing its key) as net/http expects.
func (p *PanicError) Aborted() bool {
	return p.Value == http.ErrAbortHandler //nolint:errorlint // identity of the panic value
}

// Call runs fn and turns a panic into a [*PanicError], so that the key is
// released and the server answers.
func Call(fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return fn()
}

// Back-off of a call waiting for a busy key.
const (
	busyFirstDelay = 2 * time.Millisecond
	busyMaxDelay   = 500 * time.Millisecond
)

// Once runs fn under [dedup.Do] for key, with panic recovery ([Call]).
// While another holder has the key, it waits up to busyWait (0 or less: not
// at all) for that one to finish: then it answers as dedup.Do does for a
// done key, or runs fn itself if the other one failed. When the wait runs
// out, it returns (dedup.Skipped, dedup.ErrBusy); when ctx ends it, an error
// matching both dedup.ErrBusy and ctx's error. A holder in this process
// is waited for in-process (see flights); one elsewhere, by asking the store
// again with back-off.
func Once(ctx context.Context, s dedup.Store, key string, lease, busyWait time.Duration, fn func(ctx context.Context) error) (res dedup.Result, err error) {
	if busyWait <= 0 {
		return once(ctx, s, key, lease, fn)
	}
	deadline := time.Now().Add(busyWait)
	leave, t := enter(ctx, s, key, deadline)
	switch t {
	case doneByPeer:
		return dedup.AlreadyDone, nil
	case gaveUp:
		// As when the caller gives up between two looks at the store: the
		// key was busy all along.
		return dedup.Skipped, gaveUpBusy(ctx, dedup.ErrBusy)
	}
	recorded := false
	defer func() { leave(recorded) }()
	delay := busyFirstDelay
	for {
		res, err = once(ctx, s, key, lease, fn)
		recorded = err == nil && (res == dedup.Ran || res == dedup.AlreadyDone)
		// Only the store's Busy is waited on: an error of fn that wraps
		// ErrBusy (fn's own store was busy) is fn's failure, as any other.
		if res != dedup.Skipped || !errors.Is(err, dedup.ErrBusy) {
			return res, err
		}
		if time.Now().Add(delay).After(deadline) {
			return res, err
		}
		if wait.Sleep(ctx, delay) != nil {
			return res, gaveUpBusy(ctx, err)
		}
		delay = min(2*delay, busyMaxDelay)
	}
}

// gaveUpBusy is the error of a wait on a busy key that ctx ended: busy
// (it still matches dedup.ErrBusy) joined with ctx's error, so that a
// caller shutting down (a reconcile job) sees why it stopped waiting.
func gaveUpBusy(ctx context.Context, busy error) error {
	if cerr := ctx.Err(); cerr != nil {
		return errors.Join(busy, cerr)
	}
	return busy
}

// once is one try of [Once]: fn under dedup.Do, with panic recovery.
func once(ctx context.Context, s dedup.Store, key string, lease time.Duration, fn func(ctx context.Context) error) (dedup.Result, error) {
	return dedup.Do(ctx, s, key, lease, func(ctx context.Context) error {
		err := Call(func() error { return fn(ctx) })
		if err != nil && errors.As(err, new(*dedup.CompleteError)) {
			return &FuncError{Err: err}
		}
		return err
	})
}

// FuncError is an error of the function [Once] ran that wraps a
// [*dedup.CompleteError] (a dedup.Do of the function's own, in a step that
// failed). It does not unwrap: a *dedup.CompleteError found in Once's error
// is always Once's own record of a function that succeeded, never a failed
// function taken for a recorded one.
type FuncError struct{ Err error }

func (e *FuncError) Error() string { return e.Err.Error() }

// AfterComplete watches a [*dedup.CompleteError] whose Complete is still
// being retried in the background (the handler has already answered, since
// the work was done) and calls failed with the last store error if the
// retries end without recording it, so that the handler can log it loudly:
// from the lease's end, a redelivery may run the work again. It does
// nothing for any other error.
func AfterComplete(err error, failed func(err error)) {
	var ce *dedup.CompleteError
	if !errors.As(err, &ce) || !ce.Retrying {
		return
	}
	go func() {
		if werr := ce.Wait(context.Background()); werr != nil {
			failed(werr)
		}
	}()
}
