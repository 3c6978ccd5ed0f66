package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// TestMain lets the test binary run as a server process: a test that needs
// one (signals, a kill in the middle of a save, exit codes) starts this
// binary again with redistest.ReexecEnv=1 and the server's arguments, and
// it serves as the mini-redis binary does, on the library alone.
func TestMain(m *testing.M) {
	if os.Getenv(redistest.ReexecEnv) == "1" {
		os.Exit(runProcess(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// runProcess serves until SIGTERM or SHUTDOWN, logging to stderr.
func runProcess(args []string) int {
	level := zap.NewAtomicLevel()
	log := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), os.Stderr, level))
	srv, err := New(args, Options{Logger: log, LogLevel: &level})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := srv.ListenAndServe(ctx); err != nil {
		log.Error("server failed", zap.Error(err))
		return 1
	}
	return 0
}

func TestMaxClients(t *testing.T) {
	ts := startServer(t, "--maxclients", "2")
	a, b := ts.dial(t), ts.dial(t)
	a.do("PING")
	b.do("PING")
	// Past the limit every new client gets the error and is closed, and
	// the accept loop keeps going.
	for i := 0; i < 5; i++ {
		c := dialRaw(t, ts.addr)
		got, _ := c.readUntilClose()
		c.NetConn().Close()
		if got != "-ERR max number of clients reached\r\n" {
			t.Fatalf("client %d over the limit got %q", i+3, got)
		}
	}
	if got := a.do("PING"); got != "+PONG\r\n" {
		t.Errorf("an admitted client stopped working: %q", got)
	}
	if !strings.Contains(a.do("INFO", "stats"), "rejected_connections:5") {
		t.Error("INFO does not count the rejected connections")
	}
}

func TestIdleTimeout(t *testing.T) {
	ts := startServer(t, "--timeout", "1")
	idle, sub := ts.dial(t), ts.dial(t)
	sub.do("SUBSCRIBE", "ch")
	start := time.Now()
	got, err := idle.readUntilClose()
	if err != nil || len(got) != 0 {
		t.Fatalf("idle client: %q, %v", got, err)
	}
	if d := time.Since(start); d < 900*time.Millisecond || d > hangTimeout {
		t.Errorf("idle client closed after %v, want about 1s", d)
	}
	// Subscribers wait for messages: the timeout does not apply to them.
	if got := sub.do("PING"); !strings.Contains(got, "pong") {
		t.Errorf("subscriber was closed: %q", got)
	}
}

// exchangeFrom sends input to addr from the local address src and returns
// what comes back before it goes quiet for 300 ms. Linux routes all of 127.0.0.0/8 to the
// loopback interface, so 127.0.0.2 is a remote client to Redis's protected
// mode on every host, with no other interface needed.
func exchangeFrom(t *testing.T, src, addr string, input string) string {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	nc, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s from %s: %v", addr, src, err)
	}
	defer nc.Close()
	if _, err := nc.Write([]byte(input)); err != nil {
		t.Fatal(err)
	}
	var out []byte
	buf := make([]byte, 4096)
	for {
		nc.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		n, err := nc.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			return string(out)
		}
	}
}

// Protected mode refuses clients from anywhere but 127.0.0.1, ::1 and Unix
// sockets while the default user has no password, word for word as
// redis-server, and lets them in with a password or with protected mode off.
func TestProtectedModeAgainstRedis(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"no password", nil},
		{"with password", []string{"requirepass", "secret"}},
		{"protected mode off", []string{"protected-mode", "no"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref := redistest.Start(t, append([]string{"protected-mode", "yes"}, tc.args...)...)
			var flags []string
			for i := 0; i < len(tc.args); i += 2 {
				flags = append(flags, "--"+tc.args[i], tc.args[i+1])
			}
			cfg, _ := testConfig(t, flags...)
			srv := newServer(cfg, zap.NewNop())
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			go srv.Serve(ln)
			defer srv.Shutdown(context.Background())
			for _, src := range []string{"127.0.0.1", "127.0.0.2"} {
				want := exchangeFrom(t, src, ref.Addr, "PING\r\n")
				got := exchangeFrom(t, src, ln.Addr().String(), "PING\r\n")
				if got != want {
					t.Errorf("PING from %s: redis says\n%q\nwe say\n%q", src, want, got)
				}
				if tc.args == nil && src != "127.0.0.1" && got != "-"+protectedModeMessage+"\r\n" {
					t.Errorf("PING from %s was not refused: %q", src, got)
				}
			}
		})
	}
}

func TestRequirePass(t *testing.T) {
	ts := startServer(t, "--requirepass", "secret")
	c := ts.dial(t)
	for _, tc := range []struct{ cmd, want string }{
		{"PING", "-NOAUTH Authentication required.\r\n"},
		{"AUTH wrong", "-WRONGPASS invalid username-password pair or user is disabled.\r\n"},
		{"AUTH other secret", "-WRONGPASS invalid username-password pair or user is disabled.\r\n"},
		{"AUTH secret", "+OK\r\n"},
		{"PING", "+PONG\r\n"},
		{"RESET", "+RESET\r\n"},
		{"PING", "-NOAUTH Authentication required.\r\n"},
		{"AUTH default secret", "+OK\r\n"},
	} {
		if got := c.do(strings.Fields(tc.cmd)...); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.cmd, got, tc.want)
		}
	}
	// Before AUTH, only small requests are accepted (as Redis).
	c2 := ts.dial(t)
	c2.sendRaw("*1\r\n$16385\r\n")
	if got, _ := c2.readUntilClose(); string(got) != "-ERR Protocol error: unauthenticated bulk length\r\n" {
		t.Errorf("large unauthenticated request: %q", got)
	}
}

func TestClientKill(t *testing.T) {
	ts := startServer(t)
	killer, victim := ts.dial(t), ts.dial(t)
	victim.do("CLIENT", "SETNAME", "victim")
	id := strings.TrimSpace(strings.TrimPrefix(victim.do("CLIENT", "ID"), ":"))
	if got := killer.do("CLIENT", "KILL", "ID", id); got != ":1\r\n" {
		t.Fatalf("CLIENT KILL ID = %q", got)
	}
	if got, err := victim.readUntilClose(); err != nil || len(got) != 0 {
		t.Errorf("victim after the kill: %q, %v; want EOF", got, err)
	}
	if strings.Contains(killer.do("CLIENT", "LIST"), "victim") {
		t.Error("killed client still listed")
	}
	// Killing oneself (SKIPME no) replies first, then closes.
	if got := killer.do("CLIENT", "KILL", "ID", strings.TrimSpace(strings.TrimPrefix(killer.do("CLIENT", "ID"), ":")), "SKIPME", "no"); got != ":1\r\n" {
		t.Errorf("self kill = %q", got)
	}
	if got, _ := killer.readUntilClose(); len(got) != 0 {
		t.Errorf("self-killed client got %q after its reply", got)
	}
}

func TestClientPause(t *testing.T) {
	ts := startServer(t)
	admin, writer, reader := ts.dial(t), ts.dial(t), ts.dial(t)
	reader.do("SET", "k", "v")
	if got := admin.do("CLIENT", "PAUSE", "10000", "WRITE"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	writer.Send("SET", "k", "w")
	if got := reader.do("GET", "k"); got != "$1\r\nv\r\n" {
		t.Errorf("a read during a WRITE pause: %q", got)
	}
	if got := writer.readReplyWithin(200 * time.Millisecond); got != "(nothing)" {
		t.Fatalf("a write went through during the pause: %q", got)
	}
	admin.do("CLIENT", "UNPAUSE")
	if got := writer.readReplyWithin(hangTimeout); got != "+OK\r\n" {
		t.Fatalf("paused write after UNPAUSE: %q", got)
	}
	// A pause ends by itself after its timeout.
	admin.do("CLIENT", "PAUSE", "100")
	start := time.Now()
	if got := reader.do("GET", "k"); got != "$1\r\nw\r\n" {
		t.Errorf("GET after the pause: %q", got)
	}
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("an ALL pause let a read through after %v", d)
	}
}

func TestClientReply(t *testing.T) {
	ts := startServer(t)
	c := ts.dial(t)
	c.Send("CLIENT", "REPLY", "OFF")
	c.Send("SET", "a", "1")
	c.Send("CLIENT", "REPLY", "SKIP") // no effect while OFF
	c.Send("INCR", "a")
	if got := c.do("CLIENT", "REPLY", "ON"); got != "+OK\r\n" {
		t.Fatalf("first reply after REPLY ON: %q", got)
	}
	c.Send("CLIENT", "REPLY", "SKIP")
	c.Send("INCR", "a")
	if got := c.do("GET", "a"); got != "$1\r\n3\r\n" {
		t.Errorf("after SKIP, the next reply is GET's: %q", got)
	}
}

func TestShutdownCommandStopsTheServer(t *testing.T) {
	ts := startServer(t)
	requested := ts.ShutdownRequested()
	c := ts.dial(t)
	for _, tc := range []struct{ cmd, want string }{
		{"SHUTDOWN BOGUS", "-ERR syntax error\r\n"},
		{"SHUTDOWN SAVE NOSAVE", "-ERR syntax error\r\n"},
		{"SHUTDOWN ABORT NOW", "-ERR syntax error\r\n"},
		{"SHUTDOWN ABORT", "-ERR No shutdown in progress.\r\n"},
	} {
		if got := c.do(strings.Fields(tc.cmd)...); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.cmd, got, tc.want)
		}
	}
	c.Send("SHUTDOWN", "NOSAVE")
	select {
	case <-requested:
	case <-time.After(hangTimeout):
		t.Fatal("SHUTDOWN did not ask the process to stop")
	}
	if got, _ := c.readUntilClose(); len(got) != 0 {
		t.Errorf("SHUTDOWN replied %q; Redis closes without a reply", got)
	}
}

// serverProcess runs the program (this test binary, see TestMain) with
// args, on spare ports, and returns it with the client port.
func serverProcess(t *testing.T, args ...string) (*exec.Cmd, string, *strings.Builder) {
	t.Helper()
	return redistest.StartSelf(t, args...)
}

// A subscriber that stops reading is disconnected once its pending output
// passes client-output-buffer-limit pubsub, and never slows the publisher
// or the other subscribers.
func TestSlowSubscriberIsDisconnected(t *testing.T) {
	ts := startServer(t, "--client-output-buffer-limit", "pubsub 4mb 2mb 60")
	slow, pub := ts.dial(t), ts.dial(t)
	slow.do("SUBSCRIBE", "news")
	fast := ts.dial(t)
	fast.do("SUBSCRIBE", "news")
	payload := strings.Repeat("x", 16<<10)
	const messages = 2000 // 32 MB, far past the slow one's limit
	received := make(chan int, 1)
	go func() { // the fast subscriber reads everything, as it arrives
		n := 0
		for n < messages {
			// Receive, which does not end the test, in this goroutine.
			f, _, err := fast.Receive(hangTimeout)
			if err != nil || len(f.Elems) != 3 || f.Elems[0].Text() != "message" {
				break
			}
			n++
		}
		received <- n
	}()
	// A publisher held back by the slow subscriber would hang here, until
	// the reply timeout fails the test.
	receivers := map[string]int{}
	for i := 0; i < messages; i++ {
		receivers[pub.do("PUBLISH", "news", payload)]++
	}
	// The slow subscriber was dropped along the way: later publishes reach
	// one receiver.
	if receivers[":1\r\n"] == 0 {
		t.Errorf("PUBLISH receiver counts %v: the slow subscriber was never dropped", receivers)
	}
	if n := <-received; n != messages {
		t.Errorf("the fast subscriber got %d of %d messages", n, messages)
	}
	// Its connection is closed.
	if _, err := slow.readUntilClose(); err != nil {
		t.Errorf("slow subscriber's connection: %v, want a close", err)
	}
	if got := pub.do("PUBSUB", "NUMSUB", "news"); got != "*2\r\n$4\r\nnews\r\n:1\r\n" {
		t.Errorf("NUMSUB after the disconnect: %q", got)
	}
}

// A client that sends commands and never reads their replies holds up
// nobody: not the commands that wait for every command in progress
// (FLUSHALL, BGSAVE), not the other clients. As in Redis, its requests go
// on being read and run while the replies wait.
func TestClientThatDoesNotReadBlocksNobody(t *testing.T) {
	ts := startServer(t)
	c := ts.dial(t)
	c.do("SET", "big", strings.Repeat("x", 1<<20))
	stuck := ts.dial(t)
	stuck.sendRaw(strings.Repeat("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n", 64)) // 64 MB of replies

	// Every GET runs, though the sockets hold a fraction of the replies.
	waitFor(t, func() bool {
		return strings.Contains(c.do("INFO", "commandstats"), "cmdstat_get:calls=64,")
	})
	for _, cmd := range [][]string{{"FLUSHALL"}, {"BGSAVE"}, {"SET", "k", "v"}, {"KEYS", "*"}} {
		if got := c.do(cmd...); strings.HasPrefix(got, "-") {
			t.Errorf("%s: %q", cmd, got)
		}
	}
	// The replies are all delivered once it reads.
	want := "$1048576\r\n" + strings.Repeat("x", 1<<20) + "\r\n"
	for i := range 64 {
		if got := stuck.readReply(); got != want {
			t.Fatalf("reply %d to the GETs: %.20q", i, got)
		}
	}
}

// client-output-buffer-limit normal applies to clients already connected:
// one whose replies wait past it is disconnected.
func TestNormalOutputLimitDisconnects(t *testing.T) {
	tests := []struct {
		name  string
		setup []string // commands the stuck client runs, after the limit is set, while it still reads
	}{
		{"connected before the limit was set", nil},
		// Pub/sub limits apply only while the client is subscribed.
		{"unsubscribed", []string{"SUBSCRIBE ch", "UNSUBSCRIBE ch"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, clock := testConfig(t)
			cfg.WriteTimeout = 0 // so that only the limit can close the client
			ts := startServerConfig(t, cfg, clock)
			c, stuck := ts.dial(t), ts.dial(t)
			c.do("SET", "big", strings.Repeat("x", 1<<20))
			if got := c.do("CONFIG", "SET", "client-output-buffer-limit", "normal 4mb 0 0 pubsub 0 0 0"); got != "+OK\r\n" {
				t.Fatal(got)
			}
			for _, cmd := range tt.setup {
				stuck.do(strings.Fields(cmd)...)
			}
			stuck.sendRaw(strings.Repeat("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n", 64)) // 64 MB of replies
			waitFor(t, func() bool { return strings.Contains(c.do("INFO", "clients"), "connected_clients:1\r\n") })
			got, err := stuck.readUntilClose()
			// A reset is a close too: the server may close with some of
			// the pipeline unread (as Redis does past its 16 KB reads).
			if errors.Is(err, syscall.ECONNRESET) {
				err = nil
			}
			if n := len(got); err != nil || n >= 64<<20 {
				t.Errorf("the client read %d bytes, then %v; want fewer than all 64 MB, then a close", len(got), err)
			}
		})
	}
}

// CONFIG SET proto-max-bulk-len applies to clients already connected.
func TestProtoMaxBulkLenAppliesLive(t *testing.T) {
	ts := startServer(t)
	c := ts.dial(t)
	if got := c.do("CONFIG", "SET", "proto-max-bulk-len", "1mb"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	c.sendRaw(fmt.Sprintf("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n", 2<<20))
	if got, _ := c.readUntilClose(); string(got) != "-ERR Protocol error: invalid bulk length\r\n" {
		t.Errorf("2 MB value with a 1 MB limit: %q", got)
	}
}
