package deduptest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// HandlerLoadConfig describes a redelivery load for [LoadHandlers]: Purchases
// distinct purchases, each delivered Deliveries times at once, spread round
// robin over Handlers the way a load balancer spreads a sender's retries over
// replicas. It knows nothing of the handlers' protocol: Request builds each
// delivery (a signed webhook, a signed confirm call) and Granted reads the
// game's own count of grants.
type HandlerLoadConfig struct {
	// Handlers are the handler instances; for exactly-once to hold they must
	// share one store. Required.
	Handlers []http.Handler
	// Request returns a fresh request delivering purchase p (0 <= p <
	// Purchases), signed as the handlers expect. Required.
	Request func(ctx context.Context, p int) (*http.Request, error)
	// Granted reports how many times the handlers' function granted purchase
	// p. Required.
	Granted func(p int) int
	// Purchases is the number of distinct purchases. If <= 0, 1000.
	Purchases int
	// Deliveries is how many times each purchase is delivered, all at once.
	// If <= 0, 3.
	Deliveries int
	// Workers is how many deliveries are in flight at a time. If <= 0, 64.
	Workers int
}

// LoadHandlers sends cfg's deliveries to the handlers' ServeHTTP, redelivering
// every delivery answered 409 (another delivery of the purchase is running,
// counted as Busy) or 5xx (counted as Failed) until one is answered 200, as
// Stash redelivers a webhook or a confirm call that was not answered 200. Any
// other answer is an unexpected error. It reports a test error for any
// unexpected error and any double or lost grant, and returns what it saw;
// Calls counts HTTP deliveries. LoadHandlers gives up after two minutes.
func LoadHandlers(tb testing.TB, cfg HandlerLoadConfig) LoadResult {
	tb.Helper()
	if len(cfg.Handlers) == 0 || cfg.Request == nil || cfg.Granted == nil {
		tb.Fatal("deduptest.LoadHandlers: Handlers, Request and Granted are required")
	}
	loadDefaults(&cfg.Purchases, &cfg.Deliveries, &cfg.Workers)
	var r loadRun
	deliver := func(ctx context.Context, j int) {
		p := j / cfg.Deliveries
		for attempt := 0; ctx.Err() == nil; attempt++ {
			r.calls.Add(1)
			req, err := cfg.Request(ctx, p)
			if err != nil {
				r.errs.add(err)
				return
			}
			rec := httptest.NewRecorder()
			cfg.Handlers[(j+attempt)%len(cfg.Handlers)].ServeHTTP(rec, req)
			switch code := rec.Code; {
			case code == http.StatusOK:
				return
			case code == http.StatusConflict:
				r.busy.Add(1)
				time.Sleep(200 * time.Microsecond)
			case code >= 500:
				r.failed.Add(1)
				time.Sleep(200 * time.Microsecond)
			default:
				r.errs.add(fmt.Errorf("purchase %d: answered %d: %s", p, code, rec.Body.String()))
				return
			}
		}
	}
	return r.run(tb, "deduptest.LoadHandlers", cfg.Purchases, cfg.Deliveries, cfg.Workers, deliver, cfg.Granted)
}

// loadDefaults fills in the defaults [Load] and [LoadHandlers] share.
func loadDefaults(purchases, deliveries, workers *int) {
	if *purchases <= 0 {
		*purchases = 1000
	}
	if *deliveries <= 0 {
		*deliveries = 3
	}
	if *workers <= 0 {
		*workers = 64
	}
}

// loadRun counts what a load saw while it runs.
type loadRun struct {
	calls, busy, failed atomic.Int64
	errs                errCounter
}

// run delivers every job of purchases x deliveries with [runJobs], then
// tallies granted and reports, as who, any unexpected error and any double
// or lost grant.
func (r *loadRun) run(tb testing.TB, who string, purchases, deliveries, workers int, deliver func(ctx context.Context, j int), granted func(p int) int) LoadResult {
	tb.Helper()
	elapsed := runJobs(workers, purchases*deliveries, deliver)
	res := LoadResult{
		Purchases: purchases,
		Calls:     int(r.calls.Load()),
		Busy:      int(r.busy.Load()),
		Failed:    int(r.failed.Load()),
		Elapsed:   elapsed,
	}
	res.tally(purchases, granted)
	r.errs.report(tb, who)
	res.reportGrants(tb, who)
	return res
}

// runJobs runs deliver for jobs 0..n-1 on workers goroutines, in order, so
// that the deliveries of one purchase (adjacent job numbers) run at once. It
// gives up after two minutes and returns how long it took.
func runJobs(workers, n int, deliver func(ctx context.Context, j int)) time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	jobs := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				deliver(ctx, j)
			}
		})
	}
	for j := range n {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	return time.Since(start)
}

// tally counts grants, double grants and lost grants of purchases 0..n-1.
func (r *LoadResult) tally(n int, granted func(p int) int) {
	for p := range n {
		g := granted(p)
		switch {
		case g == 0:
			r.Lost++
		case g > 1:
			r.Double++
		}
		r.Grants += g
	}
}

// reportGrants reports a test error for any double or lost grant.
func (r LoadResult) reportGrants(tb testing.TB, who string) {
	tb.Helper()
	if r.Double > 0 || r.Lost > 0 {
		tb.Errorf("%s: %d keys granted twice or more, %d never granted (of %d)", who, r.Double, r.Lost, r.Purchases)
	}
}

// errCounter counts events and keeps the first error it was given.
type errCounter struct {
	n     atomic.Int64
	first atomic.Value
}

func (c *errCounter) add(err error) {
	if c.n.Add(1) == 1 {
		c.first.Store(err)
	}
}

// report reports a test error when any error was counted.
func (c *errCounter) report(tb testing.TB, who string) {
	tb.Helper()
	if n := c.n.Load(); n > 0 {
		tb.Errorf("%s: %d unexpected errors, the first: %v", who, n, c.first.Load())
	}
}
