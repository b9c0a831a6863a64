package deduptest

import (
	"bytes"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// LoseFirstReply starts a TCP proxy on loopback in front of target (a store
// server's host:port) and returns its address. It forwards every
// connection both ways, except once: after the client sends bytes that
// contain marker (a key unique to the test), the server's reply on that
// connection is dropped, and the connection is closed shortly after, once
// the server has had time to finish the command. The server ran the
// command; the client never heard. A store whose client library resends
// the command, or that asks again after the error, must then find its own
// claim, not report the key Busy for a whole lease.
//
// The proxy stops when the test ends.
func LoseFirstReply(tb testing.TB, target string, marker []byte) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("deduptest: LoseFirstReply: %v", err)
	}
	tb.Cleanup(func() { _ = ln.Close() })
	var used atomic.Bool
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				_ = client.Close()
				continue
			}
			go relay(client, server, marker, &used)
		}
	}()
	return ln.Addr().String()
}

// relay forwards one connection (see LoseFirstReply).
func relay(client, server net.Conn, marker []byte, used *atomic.Bool) {
	var drop atomic.Bool
	go func() { // client to server
		defer server.Close()
		buf := make([]byte, 64<<10)
		for {
			n, err := client.Read(buf)
			if n > 0 && bytes.Contains(buf[:n], marker) && used.CompareAndSwap(false, true) {
				drop.Store(true)
			}
			if n > 0 {
				if _, werr := server.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	defer client.Close()
	buf := make([]byte, 64<<10)
	for {
		n, err := server.Read(buf)
		if n > 0 && drop.Load() {
			// Let the server finish the command (a transaction's commit
			// follows its first reply), then hang up on the client.
			time.Sleep(50 * time.Millisecond)
			return
		}
		if n > 0 {
			if _, werr := client.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
