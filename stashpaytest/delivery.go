package stashpaytest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/stashpay/stashpay-go/internal/httpx"
	"github.com/stashpay/stashpay-go/internal/signing"
	"github.com/stashpay/stashpay-go/internal/wait"
)

// DeliveryOption changes how one webhook is delivered. Options given to
// [WithDeliveryOptions] apply to every delivery, before a call's own.
type DeliveryOption func(*deliverySettings)

type deliverySettings struct {
	times      int
	concurrent bool
	secret     string // overrides the server's secret when set
	unsigned   bool
	attempts   int  // overrides the schedule's attempt count when > 0
	lost       bool // see Lost
}

// Times delivers the event n times (n >= 1), each copy a separate delivery
// with its own retries, as Stash may redeliver an event the game already
// acknowledged. Copies go one after another unless [Concurrently] is given.
func Times(n int) DeliveryOption {
	return func(s *deliverySettings) {
		if n >= 1 {
			s.times = n
		}
	}
}

// Concurrently sends the copies of [Times] at the same time, to test that
// simultaneous duplicates grant once.
func Concurrently() DeliveryOption { return func(s *deliverySettings) { s.concurrent = true } }

// SignedWith signs the delivery with secret instead of the server's webhook
// secret: a forged event, or one signed with a rotated-out secret.
func SignedWith(secret string) DeliveryOption { return func(s *deliverySettings) { s.secret = secret } }

// Unsigned sends the delivery without a Stash-Hmac-Signature header.
func Unsigned() DeliveryOption { return func(s *deliverySettings) { s.unsigned = true } }

// MaxAttempts limits this delivery to n attempts (n >= 1) instead of the
// retry schedule's len+1, for example MaxAttempts(1) for a forged event that
// is expected to be refused. It cannot raise the count above the schedule's.
func MaxAttempts(n int) DeliveryOption {
	return func(s *deliverySettings) {
		if n >= 1 {
			s.attempts = n
		}
	}
}

// Order is the order in which [Server.ReleaseDeliveries] sends held
// deliveries.
type Order int

const (
	// InOrder sends held deliveries in the order they were made.
	InOrder Order = iota
	// Reversed sends them newest first: out of order.
	Reversed
)

// Attempt is one HTTP request of a delivery.
type Attempt struct {
	Copy       int           // which copy of a duplicated delivery, from 0
	RetryCount int           // the Stash-Retry-Count header sent: 0 on the first try
	StatusCode int           // the game's answer; 0 when the request failed
	Body       string        // the start of the game's answer (at most 1 KiB)
	Err        string        // the transport error, if any
	At         time.Time     // when the request was sent (server clock)
	Duration   time.Duration // how long the game took to answer
}

// Delivery is one webhook event sent to the game: a handle to wait on and the
// record of its attempts. Its methods are safe for concurrent use.
type Delivery struct {
	ID      int    // 1-based, in creation order
	Type    string // the event's "type" member, "" if it has none
	Payload []byte // the exact bytes sent; do not modify

	s    *Server
	set  deliverySettings
	done chan struct{}

	mu       sync.Mutex
	attempts []Attempt
	err      error
	finished bool
}

// String describes the delivery (ID, event type, attempts so far, outcome)
// without revealing the secret it is signed with.
func (d *Delivery) String() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	state := "running"
	switch {
	case d.finished && d.err == nil:
		state = "delivered"
	case d.finished:
		state = "failed"
	}
	return fmt.Sprintf("stashpaytest.Delivery{ID:%d Type:%q Attempts:%d State:%s}", d.ID, d.Type, len(d.attempts), state)
}

// GoString is like [Delivery.String]; it makes %#v safe too.
func (d *Delivery) GoString() string { return d.String() }

// Format makes every fmt verb print [Delivery.String], never a secret.
func (d *Delivery) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, d.String()) }

// LogValue makes log/slog print [Delivery.String], never a secret.
func (d *Delivery) LogValue() slog.Value { return slog.StringValue(d.String()) }

// Done is closed when the delivery has ended.
func (d *Delivery) Done() <-chan struct{} { return d.done }

// Wait blocks until the delivery ended or ctx is done. It returns nil when
// every copy was answered HTTP 200, an error matching [ErrNotDelivered] when
// the retries ran out, [ErrClosed] when the server closed first, or ctx's
// error.
func (d *Delivery) Wait(ctx context.Context) error {
	select {
	case <-d.done:
		return d.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Err returns the outcome of an ended delivery (see [Delivery.Wait]); nil
// while it is still running.
func (d *Delivery) Err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

// Delivered reports whether the delivery ended with every copy answered 200.
func (d *Delivery) Delivered() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.finished && d.err == nil
}

// Attempts returns the attempts made so far, in the order they ended.
func (d *Delivery) Attempts() []Attempt {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.attempts)
}

func (d *Delivery) finish(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.finished {
		return
	}
	d.finished, d.err = true, err
	close(d.done)
}

func (d *Delivery) record(a Attempt) {
	d.mu.Lock()
	d.attempts = append(d.attempts, a)
	d.mu.Unlock()
}

// Deliveries returns every delivery made so far, oldest first.
func (s *Server) Deliveries() []*Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}

// ErrUnknownDelivery is returned by [Server.Redeliver] for an ID no delivery
// has.
var ErrUnknownDelivery = errors.New("stashpaytest: unknown delivery")

// Redeliver sends the payload of delivery id (its [Delivery.ID]) again as a
// new delivery, signed with the current secret and retried on the schedule,
// as Stash's "resend" does for an event the game failed to take. It returns
// the new delivery once started, without waiting for it (see
// [Delivery.Wait]).
func (s *Server) Redeliver(id int, opts ...DeliveryOption) (*Delivery, error) {
	s.mu.Lock()
	if id < 1 || id > len(s.deliveries) {
		s.mu.Unlock()
		return nil, ErrUnknownDelivery
	}
	payload := s.deliveries[id-1].Payload
	s.mu.Unlock()
	return s.newDelivery(payload, opts)
}

// WaitDeliveries waits until every delivery started so far has ended (held
// deliveries are not waited for) or ctx is done. It returns the errors of the
// deliveries that were not delivered, joined, or ctx's error.
func (s *Server) WaitDeliveries(ctx context.Context) error {
	var errs []error
	for _, d := range s.Deliveries() {
		if s.isHeld(d) {
			continue
		}
		if err := d.Wait(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs = append(errs, fmt.Errorf("delivery %d (%s): %w", d.ID, d.Type, err))
		}
	}
	return errors.Join(errs...)
}

// HoldDeliveries makes later deliveries wait, unsent, until
// [Server.ReleaseDeliveries]; with [Reversed] they then arrive out of order.
func (s *Server) HoldDeliveries() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.holding = true
}

// ReleaseDeliveries stops holding and sends the held deliveries one after
// another in the given order, each one ended (delivered or retries exhausted)
// before the next starts. It returns when all have ended, with the errors of
// those not delivered joined, or when ctx is done.
func (s *Server) ReleaseDeliveries(ctx context.Context, order Order) error {
	s.mu.Lock()
	held := s.held
	s.held, s.holding = nil, false
	s.mu.Unlock()
	if order == Reversed {
		slices.Reverse(held)
	}
	var errs []error
	for i, d := range held {
		if !s.launch(d) {
			for _, rest := range held[i:] {
				rest.finish(ErrClosed)
			}
			return ErrClosed
		}
		if err := d.Wait(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs = append(errs, fmt.Errorf("delivery %d (%s): %w", d.ID, d.Type, err))
		}
	}
	return errors.Join(errs...)
}

func (s *Server) isHeld(d *Delivery) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.held, d)
}

// newDelivery registers a delivery of payload and starts it, unless
// deliveries are held.
func (s *Server) newDelivery(payload []byte, opts []DeliveryOption) (*Delivery, error) {
	if s.webhookURL() == "" {
		return nil, ErrNoWebhookURL
	}
	set := deliverySettings{times: 1}
	for _, o := range s.cfg.deliveryOpts {
		o(&set)
	}
	for _, o := range opts {
		o(&set)
	}
	var head struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(payload, &head)
	d := &Delivery{Type: head.Type, Payload: bytes.Clone(payload), s: s, set: set, done: make(chan struct{})}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	s.deliveries = append(s.deliveries, d)
	d.ID = len(s.deliveries)
	if s.holding {
		s.held = append(s.held, d)
		s.mu.Unlock()
		return d, nil
	}
	s.mu.Unlock()
	if !s.launch(d) {
		return nil, ErrClosed
	}
	return d, nil
}

// launch runs d in the background; false when the server is closed.
func (s *Server) launch(d *Delivery) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		d.finish(ErrClosed)
		return false
	}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		d.finish(s.run(d))
	}()
	return true
}

// run sends every copy of d with retries and returns the outcome.
func (s *Server) run(d *Delivery) error {
	errs := make([]error, d.set.times)
	if d.set.concurrent {
		var wg sync.WaitGroup
		for c := range d.set.times {
			wg.Go(func() { errs[c] = s.runCopy(d, c) })
		}
		wg.Wait()
	} else {
		for c := range d.set.times {
			errs[c] = s.runCopy(d, c)
		}
	}
	return errors.Join(errs...)
}

// runCopy delivers one copy, retrying on the schedule until the game answers
// exactly 200.
func (s *Server) runCopy(d *Delivery, copyNo int) error {
	last := "no attempt"
	attempts := len(s.cfg.retry) + 1
	if d.set.attempts > 0 && d.set.attempts < attempts {
		attempts = d.set.attempts
	}
	for n := 0; n < attempts; n++ {
		if n > 0 {
			if wait.Sleep(s.ctx, s.cfg.retry[n-1]) != nil {
				return ErrClosed
			}
		}
		a := s.attempt(d, copyNo, n)
		d.record(a)
		if a.StatusCode == http.StatusOK && len(bytes.TrimSpace([]byte(a.Body))) > 0 {
			return nil // Stash counts only 200 with a body ("even {}")
		}
		if s.ctx.Err() != nil {
			return ErrClosed
		}
		if a.Err != "" {
			last = a.Err
		} else if a.StatusCode == http.StatusOK {
			last = "HTTP 200 without a body"
		} else {
			last = "HTTP " + strconv.Itoa(a.StatusCode)
		}
	}
	return fmt.Errorf("%w: %d attempts, last: %s", ErrNotDelivered, attempts, last)
}

// attempt makes one signed POST of d's payload to the webhook URL.
func (s *Server) attempt(d *Delivery, copyNo, retry int) Attempt {
	a := Attempt{Copy: copyNo, RetryCount: retry, At: s.cfg.now()}
	if d.set.lost {
		return lostAttempt(a)
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.attemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.webhookURL(), bytes.NewReader(d.Payload))
	if err != nil {
		a.Err = httpx.WithoutQuery(err).Error()
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "stashpaytest")
	req.Header.Set(RetryCountHeader, strconv.Itoa(retry))
	if !d.set.unsigned {
		secret := d.set.secret
		if secret == "" {
			secret = s.WebhookSecret()
		}
		key, err := signing.NewKey([]byte(secret))
		if err == nil {
			req.Header.Set(WebhookSignatureHeader, key.SignBody(d.Payload))
		}
	}
	status, body, took, err := s.exchange(req, 1<<10)
	a.Duration = took
	if err != nil {
		a.Err = err.Error()
		return a
	}
	a.StatusCode, a.Body = status, string(body)
	return a
}
