package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
	"go.uber.org/zap"
)

// Tests of the replication stream itself, read by a hand-made replica
// that speaks the protocol: PSYNC, the RDB payload, the stream, ACKs.

// replStream is the replica's end of a replication link.
type replStream struct {
	t      testing.TB
	nc     net.Conn
	r      *bufio.Reader
	id     string
	offset int64 // the stream bytes read so far, from the sync's offset
}

// dialReplStream connects to the master at addr as a replica that
// announced capa eof and psync2, and reads the full sync's answer and
// payload (EOF-marked or with its length).
func dialReplStream(t testing.TB, addr string, psync ...string) *replStream {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	rs := &replStream{t: t, nc: nc, r: bufio.NewReader(nc)}
	nc.SetDeadline(time.Now().Add(15 * time.Second))
	rs.send("REPLCONF", "listening-port", "7399", "capa", "eof", "capa", "psync2")
	if got := rs.line(); got != "+OK" {
		t.Fatalf("REPLCONF: %q", got)
	}
	if len(psync) == 0 {
		psync = []string{"?", "-1"}
	}
	rs.send(append([]string{"PSYNC"}, psync...)...)
	line := rs.line()
	if id, ok := strings.CutPrefix(line, "+CONTINUE "); ok {
		rs.id = id
		return rs
	}
	f := strings.Fields(line)
	if len(f) != 3 || f[0] != "+FULLRESYNC" {
		t.Fatalf("PSYNC answered %q", line)
	}
	rs.id = f[1]
	rs.offset, _ = strconv.ParseInt(f[2], 10, 64)
	rs.readPayload()
	rs.ack()
	return rs
}

func (rs *replStream) send(args ...string) {
	rs.t.Helper()
	if _, err := rs.nc.Write(appendRESPCommand(nil, stringArgs(args))); err != nil {
		rs.t.Fatal(err)
	}
}

func stringArgs(args []string) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = []byte(a)
	}
	return out
}

// line reads one line, without its CRLF, skipping the newlines a master
// sends while it prepares the payload.
func (rs *replStream) line() string {
	rs.t.Helper()
	for {
		l, err := rs.r.ReadString('\n')
		if err != nil {
			rs.t.Fatalf("reading from the master: %v", err)
		}
		if l = strings.TrimRight(l, "\r\n"); l != "" {
			return l
		}
	}
}

// readPayload reads the RDB and returns it.
func (rs *replStream) readPayload() []byte {
	rs.t.Helper()
	head := rs.line()
	if mark, ok := strings.CutPrefix(head, "$EOF:"); ok {
		var buf []byte
		for !bytes.HasSuffix(buf, []byte(mark)) {
			b, err := rs.r.ReadByte()
			if err != nil {
				rs.t.Fatalf("reading the payload: %v", err)
			}
			buf = append(buf, b)
		}
		return buf[:len(buf)-len(mark)]
	}
	n, err := strconv.Atoi(strings.TrimPrefix(head, "$"))
	if err != nil {
		rs.t.Fatalf("payload header %q", head)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(rs.r, buf); err != nil {
		rs.t.Fatalf("reading the payload: %v", err)
	}
	return buf
}

// ack tells the master the offset read so far.
func (rs *replStream) ack() {
	rs.send("REPLCONF", "ACK", strconv.FormatInt(rs.offset, 10))
}

// commands reads the stream until the master is quiet for a moment and
// returns its commands, without the PINGs and GETACKs, times in
// milliseconds replaced by "<ms>".
func (rs *replStream) commands() []string {
	rs.t.Helper()
	var raw []byte
	buf := make([]byte, 64<<10)
	for {
		rs.nc.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		n, err := rs.r.Read(buf)
		raw = append(raw, buf[:n]...)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				break
			}
			rs.t.Fatalf("reading the stream: %v", err)
		}
	}
	rs.offset += int64(len(raw))
	rs.nc.SetDeadline(time.Now().Add(15 * time.Second))
	rs.ack()
	r := newAOFReader(bufio.NewReader(bytes.NewReader(raw)), 0, int64(len(raw)))
	var out []string
	for _, cmd := range maskedCommands(r) {
		if strings.EqualFold(cmd, "ping") || cmd == "REPLCONF GETACK *" {
			continue
		}
		out = append(out, cmd)
	}
	return out
}

// await waits until the stream flows: after an EOF-marked payload Redis
// starts it at an ACK that comes once it has put the replica online,
// which it learns a moment after the transfer. c is a client of the
// master, whose write is looked for in the stream.
func (rs *replStream) await(c *rawConn) {
	rs.t.Helper()
	c.do("SET", "stream-flows", "1")
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); {
		for _, cmd := range rs.commands() { // each read ends with an ACK
			if cmd == "SET stream-flows 1" {
				return
			}
		}
	}
	rs.t.Fatal("the stream did not start")
}

// TestReplicationStreamMatchesRedis runs the propagation cases of the AOF
// tests on redis-server and on this server, each a master with a replica
// that reads its stream, and compares the two streams: the same commands,
// with SELECT placed as Redis places it (before a transaction's MULTI).
func TestReplicationStreamMatchesRedis(t *testing.T) {
	ref := redistest.Start(t, "repl-diskless-sync-delay", "0", "repl-ping-replica-period", "3600", "hz", "100")
	ours := startReplMaster(t, "--repl-ping-replica-period", "3600", "--hz", "100")
	refRepl, gotRepl := dialReplStream(t, ref.Addr), dialReplStream(t, ours.addr)
	refA, refB := dialRaw(t, ref.Addr), dialRaw(t, ref.Addr)
	gotA, gotB := dialRaw(t, ours.addr), dialRaw(t, ours.addr)
	refRepl.await(refA)
	gotRepl.await(gotA)
	extra := []struct {
		name  string
		lines []string
	}{
		{"select-multi", []string{"SET a 1", "SELECT 3", "MULTI", "SET b 2", "SELECT 0", "SET c 3", "EXEC", "SELECT 0"}},
		{"select-plain", []string{"SELECT 5", "SET x 1", "SELECT 0", "SET y 1"}},
	}
	for _, tc := range append(extra, propagationCases...) {
		t.Run(tc.name, func(t *testing.T) {
			for _, side := range []struct{ a, b *rawConn }{{refA, refB}, {gotA, gotB}} {
				for _, l := range tc.lines {
					runPropagationLine(t, side.a, side.b, l)
				}
			}
			want, got := refRepl.commands(), gotRepl.commands()
			if tc.name == "spop" {
				for _, l := range [][]string{want, got} {
					for i := range l {
						l[i] = sremMember.ReplaceAllString(l[i], "SREM s <member>")
					}
				}
			}
			if strings.Join(want, "\n") != strings.Join(got, "\n") {
				t.Errorf("replication stream:\nredis: %q\nours:  %q", want, got)
			}
		})
	}
}

// TestReplicaLinkGoroutines: a replica's goroutines end when it
// disconnects, a partial resync picks up where it left, an offset outside
// the backlog gets a full sync, and shutdown with a replica connected
// leaves no goroutine.
func TestReplicaLinkGoroutines(t *testing.T) {
	before := serverGoroutineIDs() // other tests' servers may still be stopping
	cfg, _ := testConfig(t, "--repl-diskless-sync-delay", "0", "--repl-backlog-size", "16384")
	cfg.Clock = nil
	srv := newServer(cfg, zap.NewNop())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	ts := &testServer{Server: srv, addr: ln.Addr().String()}
	c := ts.dial(t)
	feeders := func() int {
		n := 0
		for _, g := range serverGoroutines(before) {
			if strings.Contains(g, "startFeeder") {
				n++
			}
		}
		return n
	}

	rs := dialReplStream(t, ts.addr)
	c.do("SET", "k", "v")
	if got := strings.Join(rs.commands(), "|"); got != "SELECT 0|SET k v" {
		t.Errorf("stream = %q", got)
	}
	if n := feeders(); n != 1 {
		t.Errorf("%d feeders with one replica", n)
	}
	rs.nc.Close()
	waitFor(t, func() bool { return infoField(t, c, "replication", "connected_slaves") == "0" && feeders() == 0 })

	// Partial resync from where it left.
	c.do("SET", "k2", "v2")
	rs2 := dialReplStream(t, ts.addr, rs.id, strconv.FormatInt(rs.offset+1, 10))
	if got := strings.Join(rs2.commands(), "|"); got != "SET k2 v2" {
		t.Errorf("stream after the partial resync = %q", got)
	}
	if got := infoField(t, c, "stats", "sync_partial_ok"); got != "1" {
		t.Errorf("sync_partial_ok = %s", got)
	}
	rs2.nc.Close()
	waitFor(t, func() bool { return infoField(t, c, "replication", "connected_slaves") == "0" })

	// Past the backlog (16 KB): a full sync, counted as a failed partial.
	c.do("SET", "big", strings.Repeat("x", 40000))
	rs3 := dialReplStream(t, ts.addr, rs.id, strconv.FormatInt(rs.offset+1, 10))
	if rs3.offset == rs.offset {
		t.Errorf("an offset out of the backlog was served from it")
	}
	if got := infoField(t, c, "stats", "sync_partial_err"); got != "1" {
		t.Errorf("sync_partial_err = %s", got)
	}
	if got := infoField(t, c, "replication", "repl_backlog_histlen"); got == "0" {
		t.Errorf("repl_backlog_histlen = %s", got)
	}

	// Old-style SYNC: the payload with its length, then the stream.
	old, err := net.DialTimeout("tcp", ts.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	rsOld := &replStream{t: t, nc: old, r: bufio.NewReader(old)}
	old.SetDeadline(time.Now().Add(15 * time.Second))
	rsOld.send("SYNC")
	rsOld.readPayload()
	c.do("SET", "k3", "v3")
	if got := strings.Join(rsOld.commands(), "|"); got != "SELECT 0|SET k3 v3" {
		t.Errorf("SYNC's stream = %q", got)
	}

	// client-output-buffer-limit replica: a write bigger than the hard
	// limit closes the replicas at once.
	c.do("CONFIG", "SET", "client-output-buffer-limit", "replica 10000 0 0")
	c.do("SET", "huge", strings.Repeat("y", 50000))
	waitFor(t, func() bool { return infoField(t, c, "replication", "connected_slaves") == "0" })
	c.do("CONFIG", "SET", "client-output-buffer-limit", "replica 256mb 64mb 60")
	rs4 := dialReplStream(t, ts.addr)
	c.do("SET", "k4", "v4")
	if got := strings.Join(rs4.commands(), "|"); got != "SELECT 0|SET k4 v4" {
		t.Errorf("stream after the limits were raised = %q", got)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown with replicas connected: %v", err)
	}
	if err := <-done; !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve returned %v", err)
	}
	waitNoServerGoroutines(t, "Shutdown with replicas", before)
}
