package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stashpay/stashpay-go/internal/httpx"
)

const (
	// maxInputBytes caps a payload read from a file or stdin. Stash's
	// handlers refuse bodies over 1 MiB by default; 8 MiB leaves room to
	// test that limit.
	maxInputBytes = 8 << 20
	// maxResponseBytes caps how much of an answer is read and printed.
	maxResponseBytes = 64 << 10
	// defaultTimeout bounds each request; Stash itself waits 30 seconds.
	defaultTimeout = 30 * time.Second
)

// readInput returns the bytes of path, of stdin when path is "-" or empty,
// exactly as stored: signatures cover the raw bytes, trailing newline
// included.
func (c *cli) readInput(path string) ([]byte, error) {
	var r io.Reader
	name := path
	if path == "" || path == "-" {
		r, name = c.stdin, "stdin"
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, usagef("%v", err)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxInputBytes+1))
	if err != nil {
		return nil, usagef("reading %s: %v", name, err)
	}
	if len(b) > maxInputBytes {
		return nil, usagef("%s is larger than %d bytes", name, maxInputBytes)
	}
	return b, nil
}

// checkURL accepts an absolute http or https URL with a host, which is the
// only place the command sends anything.
func checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// Not echoed: it may hold a password or a token in its query.
		return nil, usagef("-url must be an absolute http:// or https:// URL")
	}
	if u.User != nil {
		return nil, usagef("-url must not contain credentials")
	}
	return u, nil
}

// newHTTPClient returns a client that sends only to the URL it is given: no
// proxy from the environment and no redirects (a signed payload is never
// forwarded elsewhere), with a timeout per request.
func newHTTPClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout:   timeout,
		Transport: &http.Transport{Proxy: nil, ResponseHeaderTimeout: timeout, MaxIdleConns: 2, IdleConnTimeout: 5 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// answer is what an endpoint replied.
type answer struct {
	status    int
	statusTxt string
	body      []byte
	truncated bool
	elapsed   time.Duration
}

// post sends body to target with the given headers and reads at most
// maxResponseBytes of the answer, discarding (up to a bound) the rest.
func post(ctx context.Context, hc *http.Client, target string, body []byte, header http.Header) (*answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	return exchange(hc, req)
}

// exchange sends req and reads at most maxResponseBytes of the answer,
// discarding (up to a bound) the rest.
func exchange(hc *http.Client, req *http.Request) (*answer, error) {
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		return nil, httpx.WithoutQuery(err) // a webhook URL's query may hold a token
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	a := &answer{status: resp.StatusCode, statusTxt: resp.Status, elapsed: time.Since(start)}
	if len(b) > maxResponseBytes {
		b, a.truncated = b[:maxResponseBytes], true
	}
	a.body = b
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	if err != nil {
		return a, fmt.Errorf("reading the answer: %w", err)
	}
	return a, nil
}

// printAnswer writes the status line and the body of a, made safe for a
// terminal.
func printAnswer(w io.Writer, prefix string, a *answer) {
	fmt.Fprintf(w, "%sHTTP %s (%s)\n", prefix, a.statusTxt, a.elapsed.Round(time.Millisecond))
	if len(a.body) > 0 {
		fmt.Fprintln(w, printable(a.body))
	}
	if a.truncated {
		fmt.Fprintf(w, "(answer truncated to %d bytes)\n", maxResponseBytes)
	}
}

// printable returns b as text, quoted when it holds invalid UTF-8 or control
// characters other than newlines and tabs, so that an answer cannot drive
// the terminal.
func printable(b []byte) string {
	s := strings.TrimRight(string(b), "\r\n")
	if !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && r != '\n' && r != '\t'
	}) >= 0 {
		return strconv.Quote(s)
	}
	return s
}
