package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// bins are the programs under test, built once by TestMain.
var bins struct{ stashpay, confirm, webhook string }

// buildAll builds the sandbox command and the example backends into dir.
func buildAll(dir string) error {
	for _, b := range []struct {
		out *string
		pkg string
	}{{&bins.stashpay, "./cmd/stashpay"}, {&bins.confirm, "./examples/confirm"}, {&bins.webhook, "./examples/webhook"}} {
		*b.out = filepath.Join(dir, filepath.Base(b.pkg))
		cmd := exec.Command("go", "build", "-C", "../..", "-o", *b.out, b.pkg)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", b.pkg, err, out)
		}
	}
	return nil
}

// syncBuffer collects a process's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// proc is a program under test, stopped with SIGTERM when the test ends.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	started        time.Time
	exited         chan error
}

// startProc runs bin with env (on top of the environment without any
// STASH_ variable) and args, and stops it with stop when the test ends.
func startProc(t *testing.T, bin string, stop os.Signal, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{stdout: &syncBuffer{}, stderr: &syncBuffer{}, exited: make(chan error, 1)}
	p.cmd = exec.Command(bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "STASH_") && !strings.HasPrefix(kv, "ADDR=") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	p.cmd.Env = append(p.cmd.Env, env...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	p.started = time.Now()
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(stop)
		select {
		case err := <-p.exited:
			if err != nil && !t.Failed() {
				t.Errorf("%s did not stop cleanly on %v: %v\n%s", filepath.Base(bin), stop, err, p.stderr)
			}
		case <-time.After(15 * time.Second):
			_ = p.cmd.Process.Kill()
			t.Errorf("%s did not stop within 15s of %v", filepath.Base(bin), stop)
		}
		if t.Failed() {
			t.Logf("%s stderr:\n%s", filepath.Base(bin), p.stderr)
		}
	})
	return p
}

// freePort returns a loopback port nobody listens on.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// sandbox is a running "stashpay sandbox".
type sandbox struct {
	*proc
	url  string
	env  []string      // the printed export lines, as KEY=VALUE
	boot time.Duration // from process start to the first page served
}

// value returns the printed value of the variable name.
func (sb *sandbox) value(name string) string {
	for _, kv := range sb.env {
		if k, v, _ := strings.Cut(kv, "="); k == name {
			return v
		}
	}
	return ""
}

var exportLine = regexp.MustCompile(`(?m)^export ([A-Z_]+)=(\S+)$`)

// startSandbox runs the sandbox with args and waits until it serves its
// dashboard.
func startSandbox(t *testing.T, args ...string) *sandbox {
	t.Helper()
	// The sandbox stops on SIGTERM as on Ctrl-C.
	p := startProc(t, bins.stashpay, syscall.SIGTERM, nil, append([]string{"sandbox", "-port", "0"}, args...)...)
	sb := &sandbox{proc: p}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := exportLine.FindAllStringSubmatch(p.stdout.String(), -1); len(m) >= 5 && strings.Contains(p.stdout.String(), "In Go:") {
			for _, kv := range m {
				sb.env = append(sb.env, kv[1]+"="+kv[2])
				if kv[1] == "STASH_BASE_URL" {
					sb.url = kv[2]
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sandbox printed no configuration:\n%s\n%s", p.stdout, p.stderr)
		}
		time.Sleep(time.Millisecond)
	}
	for {
		if resp, err := http.Get(sb.url + "/"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				sb.boot = time.Since(p.started)
				return sb
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sandbox serves no dashboard at %s", sb.url)
		}
		time.Sleep(time.Millisecond)
	}
}

// game is a running example backend.
type game struct {
	*proc
	url string
}

// startGame runs an example backend bin configured from the sandbox's
// printed lines, on port.
func startGame(t *testing.T, bin string, sb *sandbox, port int) *game {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	// The examples stop on Ctrl-C (SIGINT).
	g := &game{proc: startProc(t, bin, os.Interrupt, append(append([]string{}, sb.env...), "ADDR="+addr)), url: "http://" + addr}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if resp, err := http.Get(g.url + "/inventory?player=probe"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return g
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the game does not answer at %s:\n%s", g.url, g.stderr)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// checkout asks the game for a checkout (the game creates it with the SDK's
// CreateCheckout against the sandbox) and returns its ID and URL.
func (g *game) checkout(t *testing.T, player, sku string) (id, url string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"playerId": player, "sku": sku})
	resp, err := http.Post(g.url+"/checkout", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ CheckoutID, URL string }
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &out) != nil || out.URL == "" {
		t.Fatalf("POST /checkout: HTTP %d %s", resp.StatusCode, b)
	}
	return out.CheckoutID, out.URL
}

// owned returns how many units of sku the game granted player.
func (g *game) owned(t *testing.T, player, sku string) int64 {
	t.Helper()
	resp, err := http.Get(g.url + "/inventory?player=" + player)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var inv struct {
		Items []struct {
			SKU      string `json:"sku"`
			Quantity int64  `json:"quantity"`
		} `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&inv); err != nil {
		t.Fatal(err)
	}
	for _, it := range inv.Items {
		if it.SKU == sku {
			return it.Quantity
		}
	}
	return 0
}

// payPlain pays a checkout as curl would (POST without a form), for
// purchases that only set the scene.
func payPlain(t *testing.T, checkoutURL string) string {
	t.Helper()
	resp, err := http.Post(checkoutURL, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return strconv.Itoa(resp.StatusCode) + " " + string(b)
}

// eventually polls cond every few milliseconds until it holds or d passed.
func eventually(ctx context.Context, d time.Duration, cond func() (bool, error)) error {
	deadline := time.Now().Add(d)
	for {
		ok, err := cond()
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = errors.New("condition not met")
			}
			return fmt.Errorf("after %s: %w", d, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// startFront serves h on a free loopback port, in front of a game (a proxy
// that fails or delays some calls), until the test ends, and returns the port.
func startFront(t *testing.T, h http.Handler) int {
	t.Helper()
	front := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second, IdleTimeout: time.Minute}
	port := freePort(t)
	ln, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = front.Serve(ln) }()
	t.Cleanup(func() { _ = front.Close() })
	return port
}
