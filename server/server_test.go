package server

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/internal/redistest/redisconn"
	"go.uber.org/zap"
)

// hangTimeout is how long a test waits for a reply, or for something to
// happen, before it calls the server hung. It bounds a hang and measures
// nothing, so it is generous: CI runs the race-enabled tests of several
// packages at once on a small machine.
const hangTimeout = 30 * time.Second

// testServer is a Server listening on a loopback port.
type testServer struct {
	*Server
	addr  string
	clock *db.ManualClock
	done  chan error
}

// loadTestConfig is loadConfig with no standard input and a log level of
// its own.
func loadTestConfig(args []string) (serverConfig, error) {
	return loadConfig(args, strings.NewReader(""), zap.NewAtomicLevel())
}

// testConfig loads a configuration from redis-server style arguments, with
// saving off unless the arguments turn it on, and a fake clock.
func testConfig(t testing.TB, args ...string) (serverConfig, *db.ManualClock) {
	t.Helper()
	cfg, err := loadTestConfig(append([]string{"--save", "", "--dir", t.TempDir()}, args...))
	if err != nil {
		t.Fatal(err)
	}
	clock := db.NewManualClock(time.UnixMilli(1_700_000_000_000))
	cfg.Clock = clock
	return cfg, clock
}

// startServer starts a server with a fake clock, configured by args.
func startServer(t *testing.T, args ...string) *testServer {
	t.Helper()
	cfg, clock := testConfig(t, args...)
	return startServerConfig(t, cfg, clock)
}

// startServerConfig starts a server of configuration cfg, whose fake clock
// is clock, stopped when the test ends.
func startServerConfig(t testing.TB, cfg serverConfig, clock *db.ManualClock) *testServer {
	t.Helper()
	srv := newServer(cfg, zap.NewNop())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{Server: srv, addr: ln.Addr().String(), clock: clock, done: make(chan error, 1)}
	go func() { ts.done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-ts.done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v", err)
		}
	})
	return ts
}

// rawConn is a connection whose replies are strings of the bytes the
// server sent, for tests that compare them byte for byte. The wire
// handling is redisconn's; these methods only keep call sites short.
type rawConn struct {
	*redisconn.Conn
	t testing.TB
}

func (ts *testServer) dial(t testing.TB) *rawConn {
	t.Helper()
	return dialRaw(t, ts.addr)
}

// dialPipe connects to ts in-process: over net.Pipe, with no socket, to
// the server's own client loop. A pipe holds no bytes: a write waits until
// the other side has read it all, and the server writes its replies before
// it reads on. So a test sends a request, or a few small ones at once, and
// reads the replies before it sends more; a write longer than the
// server's read buffer, or a pipeline whose replies fill its output
// buffer, would leave both sides waiting (until redisconn.Timeout).
func (ts *testServer) dialPipe(t testing.TB) *rawConn {
	t.Helper()
	ours, theirs := net.Pipe()
	ts.startClient(theirs)
	return &rawConn{Conn: redisconn.New(t, ours), t: t}
}

// dialRaw connects to the server at addr, until the test ends.
func dialRaw(t testing.TB, addr string) *rawConn {
	t.Helper()
	return &rawConn{Conn: redisconn.Dial(t, addr), t: t}
}

// do sends a command and returns its reply, encoded as RESP.
func (c *rawConn) do(args ...string) string {
	c.t.Helper()
	return string(c.DoRaw(args...))
}

// sendRaw sends s as it is: requests inline, pipelined or malformed.
func (c *rawConn) sendRaw(s string) {
	c.t.Helper()
	c.SendRaw([]byte(s))
}

// readReply reads exactly one reply frame and returns its bytes.
func (c *rawConn) readReply() string {
	c.t.Helper()
	return string(c.ReadRaw())
}

// readReplyWithin reads one frame, or returns "(nothing)" if none arrives
// within d, or what did arrive marked "(cut)".
func (c *rawConn) readReplyWithin(d time.Duration) string {
	c.t.Helper()
	_, raw, err := c.Receive(d)
	switch {
	case err == nil:
		return string(raw)
	case len(c.Pending()) == 0:
		return "(nothing)"
	}
	return string(c.Pending()) + "(cut)"
}

// readUntilClose returns what the server sends until it closes the
// connection, and nil if it closed it cleanly.
func (c *rawConn) readUntilClose() (string, error) {
	c.t.Helper()
	b, err := c.ReadUntilClose()
	return string(b), err
}

func TestCommands(t *testing.T) {
	ts := startServer(t)
	c := ts.dial(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"PING"}, "+PONG\r\n"},
		{[]string{"ping", "hello"}, "$5\r\nhello\r\n"},
		{[]string{"PING", "a", "b"}, "-ERR wrong number of arguments for 'ping' command\r\n"},
		{[]string{"ECHO", "hi there"}, "$8\r\nhi there\r\n"},
		{[]string{"ECHO"}, "-ERR wrong number of arguments for 'echo' command\r\n"},
		{[]string{"GET", "k"}, "$-1\r\n"},
		{[]string{"SET", "k", "v"}, "+OK\r\n"},
		{[]string{"GET", "k"}, "$1\r\nv\r\n"},
		{[]string{"get"}, "-ERR wrong number of arguments for 'get' command\r\n"},
		{[]string{"SET", "k"}, "-ERR wrong number of arguments for 'set' command\r\n"},
		{[]string{"SET", "k", "v", "EX"}, "-ERR syntax error\r\n"},
		{[]string{"SET", "k", "v", "EX", "0"}, "-ERR invalid expire time in 'set' command\r\n"},
		{[]string{"SET", "k", "v", "PX", "-5"}, "-ERR invalid expire time in 'set' command\r\n"},
		{[]string{"SET", "k", "v", "EX", "abc"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"SET", "k", "v", "EX", "10", "PX", "10"}, "-ERR syntax error\r\n"},
		{[]string{"SET", "k", "v", "NOPE"}, "-ERR syntax error\r\n"},
		{[]string{"SET", "k", "v", "EX", "9223372036854775"}, "-ERR invalid expire time in 'set' command\r\n"},
		{[]string{"SET", "k2", "v2"}, "+OK\r\n"},
		{[]string{"EXISTS", "k", "k2", "nope", "k"}, ":3\r\n"},
		{[]string{"DEL", "k", "nope"}, ":1\r\n"},
		{[]string{"EXISTS", "k"}, ":0\r\n"},
		{[]string{"DEL"}, "-ERR wrong number of arguments for 'del' command\r\n"},
		{[]string{"FOO", "a", "b"}, "-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n"},
		{[]string{"FOO"}, "-ERR unknown command 'FOO', with args beginning with: \r\n"},
	} {
		if got := c.do(tc.args...); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.args, got, tc.want)
		}
	}
}

func TestUnknownCommandTruncatesLongArguments(t *testing.T) {
	c := startServer(t).dial(t)
	long := strings.Repeat("x", 200)
	got := c.do(long, long, "y")
	want := "-ERR unknown command '" + long[:128] + "', with args beginning with: '" + long[:128] + "' \r\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestSetWithExpiry(t *testing.T) {
	ts := startServer(t)
	c := ts.dial(t)
	c.do("SET", "s", "v", "EX", "10")
	c.do("SET", "p", "v", "px", "1500")
	ts.clock.Advance(1499 * time.Millisecond)
	if got := c.do("GET", "p"); got != "$1\r\nv\r\n" {
		t.Errorf("p before its expiry: %q", got)
	}
	ts.clock.Advance(time.Millisecond)
	if got := c.do("GET", "p"); got != "$-1\r\n" {
		t.Errorf("p after its expiry: %q", got)
	}
	ts.clock.Advance(8500 * time.Millisecond)
	if got := c.do("EXISTS", "s"); got != ":0\r\n" {
		t.Errorf("s after 10 s: %q", got)
	}
}

func TestInlineAndPipelinedRequests(t *testing.T) {
	c := startServer(t).dial(t)
	c.sendRaw("SET a \"b c\"\r\nGET a\r\n*1\r\n$4\r\nPING\r\n")
	for _, want := range []string{"+OK\r\n", "$3\r\nb c\r\n", "+PONG\r\n"} {
		if got := c.readReply(); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestProtocolErrorClosesTheConnection(t *testing.T) {
	c := startServer(t).dial(t)
	c.sendRaw("*1\r\n$x\r\n")
	rest, err := c.readUntilClose()
	if err != nil {
		t.Fatal(err)
	}
	if want := "-ERR Protocol error: invalid bulk length\r\n"; string(rest) != want {
		t.Errorf("got %q, want %q and EOF", rest, want)
	}
}

func TestQuit(t *testing.T) {
	c := startServer(t).dial(t)
	c.sendRaw("QUIT\r\nPING\r\n")
	rest, err := c.readUntilClose()
	if err != nil {
		t.Fatal(err)
	}
	if string(rest) != "+OK\r\n" {
		t.Errorf("got %q, want +OK and EOF", rest)
	}
}

// A client that sends its last requests and shuts its side at once, as a
// script piping into nc -N does, gets the replies and then the close, even
// when the requests and the end are in the socket before the server's
// first read, so that one readiness edge announces both.
func TestRequestsThenHalfCloseGetRepliesThenClose(t *testing.T) {
	ts := startServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c := dialRaw(t, ln.Addr().String())
	theirs, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	c.sendRaw("SET a b\r\nGET a\r\n")
	if err := c.NetConn().(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // for both to arrive
	ts.startClient(theirs)
	rest, err := c.readUntilClose()
	if err != nil {
		t.Fatalf("%v after %q", err, rest)
	}
	if want := "+OK\r\n$1\r\nb\r\n"; rest != want {
		t.Errorf("got %q, want %q and EOF", rest, want)
	}
}

// Shutdown closes idle clients, lets a client's buffered commands finish,
// and makes Serve return.
func TestGracefulShutdown(t *testing.T) {
	ts := startServer(t)
	idle := ts.dial(t)
	busy := ts.dial(t)
	busy.do("PING") // both connections are registered before the shutdown
	idle.do("PING")
	if got := ts.Stats().ConnectedClients; got != 2 {
		t.Errorf("ConnectedClients = %d, want 2", got)
	}
	// Both commands arrive in one segment, so once the server has run the
	// first, the second is in its buffer: in flight.
	busy.sendRaw("SET k v\r\nGET k\r\n")
	for ts.Stats().TotalCommands < 3 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ts.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := busy.readUntilClose()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "+OK\r\n$1\r\nv\r\n" {
		t.Errorf("busy client got %q before the close", got)
	}
	if got, err := idle.readUntilClose(); err != nil || len(got) != 0 {
		t.Errorf("idle client: %q, %v; want a clean close", got, err)
	}
	if _, err := net.DialTimeout("tcp", ts.addr, time.Second); err == nil {
		t.Error("server still accepts after Shutdown")
	}
	if got := ts.Stats().ConnectedClients; got != 0 {
		t.Errorf("ConnectedClients after shutdown = %d", got)
	}
}

func TestStatsCountCommandsAndKeys(t *testing.T) {
	ts := startServer(t)
	c := ts.dial(t)
	c.do("SET", "a", "1")
	c.do("SET", "b", "2")
	c.do("GET", "a")
	c.do("NOSUCH")
	st := ts.Stats()
	if st.TotalCommands != 3 || st.Keys != 2 {
		t.Errorf("Stats = %+v, want 3 commands and 2 keys", st)
	}
}

// Clients may run INFO memory at once: the memory statistics they share
// are read under their lock (a race the race detector finds otherwise).
func TestConcurrentInfoMemory(t *testing.T) {
	ts := startServer(t)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Past 100 ms, so that the statistics are read again.
			for end := time.Now().Add(300 * time.Millisecond); time.Now().Before(end); {
				if got := ts.info([]string{"memory"}); !strings.Contains(got, "used_memory_peak:") {
					t.Errorf("INFO memory: %q", got)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// INFO memory shows maxmemory as configured, and as CONFIG SET changes it
// (the values are redis-server 7.0.15's).
func TestInfoShowsMaxmemory(t *testing.T) {
	ts := startServer(t, "--maxmemory", "100mb")
	c := ts.dial(t)
	for _, want := range []string{"maxmemory:104857600\r\nmaxmemory_human:100.00M\r\n", "maxmemory:1234567\r\nmaxmemory_human:1.18M\r\n"} {
		if got := c.do("INFO", "memory"); !strings.Contains(got, want) {
			t.Errorf("INFO memory lacks %q:\n%s", want, got)
		}
		c.do("CONFIG", "SET", "maxmemory", "1234567")
	}
}

// infoField returns the value of an INFO field, or fails the test.
func infoField(t *testing.T, c *rawConn, section, field string) string {
	t.Helper()
	for _, line := range strings.Split(c.do("INFO", section), "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	t.Fatalf("INFO %s has no %s", section, field)
	return ""
}

// CONFIG RESETSTAT clears the samples of instantaneous_ops_per_sec, as
// Redis does: the rate starts again from 0, and the next sample is not
// taken against the command count from before the reset (which made it
// negative).
func TestResetStatRestartsOpsPerSec(t *testing.T) {
	ts := startServer(t)
	c := ts.dial(t)
	c.sendRaw(strings.Repeat("PING\r\n", 1000))
	for range 1000 {
		c.readReply()
	}
	waitFor(t, func() bool { return infoField(t, c, "stats", "instantaneous_ops_per_sec") != "0" })
	c.do("CONFIG", "RESETSTAT")
	if got := infoField(t, c, "stats", "instantaneous_ops_per_sec"); got != "0" {
		t.Errorf("instantaneous_ops_per_sec right after CONFIG RESETSTAT = %s, want 0", got)
	}
	time.Sleep(250 * time.Millisecond) // samples taken after the reset
	if got := infoField(t, c, "stats", "instantaneous_ops_per_sec"); strings.HasPrefix(got, "-") {
		t.Errorf("instantaneous_ops_per_sec after CONFIG RESETSTAT = %s", got)
	}
}

// CONFIG RESETSTAT zeroes latest_fork_usec (here the pause of the last
// save's snapshot), as Redis does.
func TestResetStatClearsLatestForkUsec(t *testing.T) {
	ts := startServer(t)
	c := ts.dial(t)
	ts.persist.pauseMicros.Store(123)
	if got := infoField(t, c, "stats", "latest_fork_usec"); got != "123" {
		t.Fatalf("latest_fork_usec = %s, want 123", got)
	}
	c.do("CONFIG", "RESETSTAT")
	if got := infoField(t, c, "stats", "latest_fork_usec"); got != "0" {
		t.Errorf("latest_fork_usec after CONFIG RESETSTAT = %s, want 0", got)
	}
}
