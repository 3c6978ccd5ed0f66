package server

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// TestCommandPanicRecovered injects a panic into SET (while it holds its
// key's lock) and checks that only that client pays: it gets an error and
// is closed, the stack is logged, and other clients, the same key and
// whole-keyspace commands still work.
func TestCommandPanicRecovered(t *testing.T) {
	cfg, clock := testConfig(t)
	core, logs := observer.New(zapcore.ErrorLevel)
	srv := newServer(cfg, zap.New(core))
	// Test-only: the command table is the server's own, changed before
	// any client connects.
	srv.commands["set"].run = func(c *client, args [][]byte) {
		tx := c.db().Write(args[1])
		defer tx.Close()
		panic("injected failure")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{Server: srv, addr: ln.Addr().String(), clock: clock, done: make(chan error, 1)}
	go func() { ts.done <- srv.Serve(ln) }()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-ts.done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v", err)
		}
	}()

	other := ts.dial(t)
	other.do("LPUSH", "list", "a")
	victim := dialRaw(t, ts.addr)
	victim.sendRaw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\nboom\r\n")
	got, _ := victim.readUntilClose()
	if want := "-ERR internal error running 'set': see the server log\r\n"; got != want {
		t.Fatalf("reply to the panicking command = %q, want %q", got, want)
	}
	entries := logs.FilterMessage("panic running a command; closing its client").All()
	if len(entries) != 1 {
		t.Fatalf("%d panic log entries, want 1", len(entries))
	}
	stack, _ := entries[0].ContextMap()["stack"].(string)
	if !strings.Contains(stack, "panic_test.go") {
		t.Errorf("logged stack does not show the panicking handler:\n%s", stack)
	}
	// The key's lock was released, and so was the world lock: another
	// client reads the key and runs an exclusive command.
	for _, tc := range []struct {
		cmd  []string
		want string
	}{
		{[]string{"GET", "k"}, "$-1\r\n"},
		{[]string{"LRANGE", "list", "0", "-1"}, "*1\r\n$1\r\na\r\n"},
		{[]string{"FLUSHALL"}, "+OK\r\n"},
		{[]string{"DBSIZE"}, ":0\r\n"},
	} {
		if got := other.do(tc.cmd...); got != tc.want {
			t.Errorf("%q after the panic = %q, want %q", tc.cmd, got, tc.want)
		}
	}
}
