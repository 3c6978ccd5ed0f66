package server

import (
	"bytes"
	"context"
	"errors"
	"net"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
)

// TestShutdownLeavesNoGoroutines stops a server while it has clients in
// every state a client can be in, and checks that none of the goroutines
// the server started outlive it.
func TestShutdownLeavesNoGoroutines(t *testing.T) {
	before := serverGoroutineIDs() // other tests' servers may still be stopping
	cfg, _ := testConfig(t, "--enable-debug-command", "yes", "--timeout", "300")
	srv := newServer(cfg, zap.NewNop())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	ts := &testServer{Server: srv, addr: ln.Addr().String()}

	plain := ts.dial(t)
	plain.do("SET", "k", strings.Repeat("v", 1<<16))

	subscriber := ts.dial(t)
	subscriber.do("SUBSCRIBE", "news")
	resp3 := ts.dial(t)
	resp3.do("HELLO", "3")
	resp3.do("PSUBSCRIBE", "n*")
	plain.do("PUBLISH", "news", "hello")

	inMulti := ts.dial(t)
	inMulti.do("MULTI")
	inMulti.do("SET", "queued", "1")

	watching := ts.dial(t)
	watching.do("WATCH", "k")

	// Half a command: the client's goroutine waits in the middle of a read.
	partial := ts.dial(t)
	partial.sendRaw("*3\r\n$3\r\nSET\r\n")

	// A client that sends and never reads: 128 MB of replies fill the
	// socket buffers, and the rest waits with its writer goroutine, stuck
	// writing.
	stuck := ts.dial(t)
	var pipeline bytes.Buffer
	for range 2000 {
		pipeline.WriteString("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
	}
	go stuck.Write(pipeline.Bytes()) // may block until the server closes it
	// Its replies must be waiting before Shutdown, more of them than the
	// socket buffers take (a few MB on loopback), or Shutdown would write
	// them all and close it instead of waiting on it.
	waitFor(t, func() bool {
		for _, line := range strings.Split(plain.do("CLIENT", "LIST"), "\n") {
			if !strings.Contains(line, " cmd=get ") {
				continue
			}
			for _, field := range strings.Fields(line) {
				if omem, ok := strings.CutPrefix(field, "omem="); ok {
					n, _ := strconv.Atoi(omem)
					return n >= 32<<20
				}
			}
		}
		return false
	})

	// A client blocked on an empty list: its goroutine waits, and another
	// watches its connection.
	blocked := ts.dial(t)
	blocked.Send("BLPOP", "nothing", "0")
	waitFor(t, func() bool { return strings.Contains(plain.do("INFO", "clients"), "blocked_clients:1\r\n") })

	sleeper := ts.dial(t)
	sleeper.Send("DEBUG", "SLEEP", "0.5")
	// Shutdown closes a client whose request it has not read yet; this one
	// must have started its command.
	waitFor(t, func() bool { return strings.Contains(plain.do("CLIENT", "LIST"), " cmd=debug ") })

	plain.do("BGSAVE")

	// The check below must see the server's goroutines while they run.
	if n := len(serverGoroutines(before)); n < 8 {
		t.Fatalf("found %d goroutines of the server before Shutdown, want one per client and more", n)
	}

	// The stuck client cannot take its replies, so draining ends with the
	// context, and Shutdown closes what is left.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown with a client that does not read: %v, want %v", err, context.DeadlineExceeded)
	}
	if err := <-done; !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve returned %v", err)
	}
	if got := sleeper.readReply(); got != "+OK\r\n" {
		t.Errorf("DEBUG SLEEP in flight at shutdown replied %q, want +OK", got)
	}

	waitNoServerGoroutines(t, "Shutdown", before)
}

// A server that cannot start (its port is taken) stops the goroutines it
// started before it returns.
func TestListenAndServeThatCannotStartLeavesNoGoroutines(t *testing.T) {
	before := serverGoroutineIDs() // other tests' servers may still be stopping
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	_, port, _ := net.SplitHostPort(taken.Addr().String())
	srv, err := New([]string{"--save", "", "--dir", t.TempDir(), "--bind", "127.0.0.1", "--port", port, "--admin-port", "0"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.ListenAndServe(context.Background()); err == nil {
		t.Fatal("ListenAndServe on a taken port succeeded")
	}
	waitNoServerGoroutines(t, "ListenAndServe's failure", before)
}

// waitNoServerGoroutines fails t if goroutines of the server outlive what
// stopped it. They end a little after it returns (the last instructions of
// a client's goroutine run after it is counted out), so it waits for them,
// with a bound that only a real leak reaches. Goroutines in before (see
// serverGoroutineIDs), there when the test began, are another test's
// business.
func waitNoServerGoroutines(t *testing.T, after string, before map[string]bool) {
	t.Helper()
	deadline := time.Now().Add(hangTimeout)
	for {
		leaked := serverGoroutines(before)
		if len(leaked) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines of the server outlive %s:\n\n%s", len(leaked), after, strings.Join(leaked, "\n\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// serverGoroutineIDs returns the IDs of the goroutines running mini-redis
// code now, for waitNoServerGoroutines to leave out.
func serverGoroutineIDs() map[string]bool {
	ids := make(map[string]bool)
	for _, g := range serverGoroutines(nil) {
		ids[goroutineID(g)] = true
	}
	return ids
}

// goroutineID returns the N of a stack's "goroutine N [state]:" line.
func goroutineID(stack string) string {
	f := strings.Fields(stack)
	if len(f) < 2 {
		return ""
	}
	return f[1]
}

// serverGoroutines returns the stacks of the goroutines running
// mini-redis code that tests did not start, except those in before.
func serverGoroutines(before map[string]bool) []string {
	var buf bytes.Buffer
	pprof.Lookup("goroutine").WriteTo(&buf, 2)
	var found []string
	for _, g := range strings.Split(buf.String(), "\n\n") {
		if strings.Contains(g, "github.com/mini-redis/mini-redis/") && !strings.Contains(g, "_test.go") && !before[goroutineID(g)] {
			found = append(found, g)
		}
	}
	return found
}
