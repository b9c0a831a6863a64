package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	stashpay "github.com/stashpay/stashpay-go"
)

// The timeouts of every server the examples start. The SDK's handlers cap
// how much of a body they read but not how slowly it arrives: a client that
// trickles its headers or body would otherwise hold a connection (and a
// goroutine) for as long as it likes. Only the server can bound that.
const (
	// ReadHeaderTimeout bounds reading a request's headers.
	ReadHeaderTimeout = 5 * time.Second
	// ReadTimeout bounds reading a whole request, body included; Stash's
	// bodies are a few KiB.
	ReadTimeout = 15 * time.Second
	// WriteTimeout bounds a request from the end of its headers to the end
	// of the answer. It must exceed the slowest handler: the payment-event
	// example's claim may wait up to 70 s (Stash itself waits 30 s for an
	// answer).
	WriteTimeout = 90 * time.Second
	// IdleTimeout bounds how long a kept-alive connection waits for its next
	// request.
	IdleTimeout = 60 * time.Second
)

// NewServer returns the http.Server the examples serve h with: every timeout
// above set.
func NewServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
	}
}

// ShutdownGrace bounds how long [Serve] waits, once told to stop, for the
// requests in flight to finish. Stash waits 30 s for an answer; a grant
// that is cut short is redelivered and granted once, but a clean stop
// answers it.
const ShutdownGrace = 30 * time.Second

// Serve serves h with [NewServer] on addr until ctx is done, then shuts
// the server down gracefully: it stops accepting connections and waits up
// to [ShutdownGrace] for the requests in flight (a grant among them) to be
// answered, then closes what is left. It returns nil after ctx is done and
// the listener's error otherwise.
func Serve(ctx context.Context, addr string, h http.Handler, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := NewServer(h)
	stopped := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(stopped)
		grace, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
		defer cancel()
		if err := srv.Shutdown(grace); err != nil {
			log.Warn("shutdown: requests still running after the grace period; closing them", "grace", ShutdownGrace)
			_ = srv.Close()
		}
	})
	defer stop()
	log.Info("listening", "addr", ln.Addr().String())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	<-stopped // Serve returns as soon as Shutdown starts; wait for the drain
	return nil
}

// settings is what [Run] needs of an example's configuration: every
// example's config type embeds [Config].
type settings interface{ common() Config }

func (c Config) common() Config { return c }

// Example is one example backend, as its main function runs it.
type Example[C settings, B http.Handler] struct {
	// Name is logged at start, e.g. "webhook example".
	Name string
	// Load reads the configuration through getenv.
	Load func(getenv func(string) string) (C, error)
	// Build returns the backend for the configuration.
	Build func(cfg C, log *slog.Logger, opts ...stashpay.Option) (B, error)
	// Background, when not nil, runs beside the server until ctx is done
	// (the payment-event example's reconciler).
	Background func(ctx context.Context, b B)
}

// Run reads the configuration, builds the backend and serves it on the
// configured address until ctx is done. It returns the process's exit
// status: 0 after ctx is done, 2 for a configuration or startup error (the
// message names the variable, never a value), 1 when serving failed.
func (e Example[C, B]) Run(ctx context.Context, getenv func(string) string, stderr io.Writer) int {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	cfg, err := e.Load(getenv)
	if err != nil {
		log.Error("configuration", "error", err)
		return 2
	}
	b, err := e.Build(cfg, log)
	if err != nil {
		log.Error("startup", "error", err)
		return 2
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if e.Background != nil {
		go e.Background(ctx, b)
	}
	common := cfg.common()
	log.Info(e.Name, "environment", common.Env)
	if err := Serve(ctx, common.Addr, b, log); err != nil {
		log.Error("server", "error", err)
		return 1
	}
	return 0
}

// Main is an example's main function: [Example.Run] with the process's
// environment and standard error, until SIGINT (Ctrl-C) or SIGTERM (what
// a container runtime or systemd sends to stop a service), then exit with
// its status. Either signal shuts the server down gracefully: requests in
// flight, a grant among them, finish before the process exits.
func (e Example[C, B]) Main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := e.Run(ctx, os.Getenv, os.Stderr)
	stop()
	os.Exit(code)
}
