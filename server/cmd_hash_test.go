package server

import (
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/frame"
	"go.uber.org/zap"
)

// Tests of the hash commands that a comparison with redis-server cannot
// make: randomness, replies Redis would take the machine down building,
// and the encoding parameters reaching the keyspace.

// TestHRandFieldCoversTheHash checks that the random choices reach every
// field: with repeats, without, and one at a time, in both encodings.
func TestHRandFieldCoversTheHash(t *testing.T) {
	cfg, clock := testConfig(t)
	c := startServerConfig(t, cfg, clock).dial(t)
	c.do("HSET", "lp", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5")
	c.do("HSET", "ht", "a", "1", "b", "2", "c", "3", "d", "4", "e", strings.Repeat("5", 65))
	for _, key := range []string{"lp", "ht"} {
		for _, args := range [][]string{{"-200"}, {"2"}, {"1"}, {}, {"-3", "WITHVALUES"}, {"3", "WITHVALUES"}} {
			seen := map[string]int{}
			for range 200 {
				f, _, err := frame.Parse([]byte(c.do(append([]string{"HRANDFIELD", key}, args...)...)))
				if err != nil {
					t.Fatal(err)
				}
				if f.Type == frame.BulkString {
					seen[f.Text()]++
					continue
				}
				step := 1
				if len(args) == 2 {
					step = 2 // RESP2: field, value, field, value
				}
				for i := 0; i < len(f.Elems); i += step {
					seen[f.Elems[i].Text()]++
				}
			}
			if len(seen) != 5 {
				t.Errorf("HRANDFIELD %s %q, 200 times, returned only %v", key, args, seen)
			}
		}
	}
}

// TestHRandFieldHugeCount asks for more repeated fields than any machine
// could hold (Redis would build the reply in memory, and never finish):
// the reply streams out with the hash's lock released, and stops when
// the client goes away.
func TestHRandFieldHugeCount(t *testing.T) {
	cfg, clock := testConfig(t)
	ts := startServerConfig(t, cfg, clock)
	c := ts.dial(t)
	c.do("HSET", "h", "a", "1", "b", "2")
	nc := ts.dial(t).NetConn()
	if got, want := c.do("HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES"), "-ERR value is out of range\r\n"; got != want {
		t.Fatalf("WITHVALUES: %q, want %q", got, want)
	}
	if _, err := nc.Write(appendRequest(nil, []string{"HRANDFIELD", "h", "-9223372036854775807"})); err != nil {
		t.Fatal(err)
	}
	nc.SetReadDeadline(time.Now().Add(hangTimeout))
	buf := make([]byte, 8<<20)
	if _, err := io.ReadFull(nc, buf); err != nil {
		t.Fatal(err)
	}
	head := "*9223372036854775807\r\n$1\r\n"
	if !strings.HasPrefix(string(buf), head) {
		t.Fatalf("reply begins %q", buf[:64])
	}
	// Each field is "$1\r\nX\r\n".
	for i := len(head) - 4; i+7 <= len(buf); i += 7 {
		if e := string(buf[i : i+7]); e != "$1\r\na\r\n" && e != "$1\r\nb\r\n" {
			t.Fatalf("at byte %d: %q", i, e)
		}
	}
	// Neither the hash nor the keyspace is locked while the reply goes
	// out: other clients change the hash, and commands that run alone run.
	if got := c.do("HSET", "h", "c", "3"); got != ":1\r\n" {
		t.Errorf("HSET while the reply streams: %q", got)
	}
	if got := c.do("FLUSHALL"); got != "+OK\r\n" {
		t.Errorf("FLUSHALL while the reply streams: %q", got)
	}
	nc.Close()
	// The server stops writing to the client that went away.
	waitFor(t, func() bool { return strings.Count(c.do("CLIENT", "LIST"), "id=") == 1 })
}

// TestHRandFieldHugeCountNoReply: with CLIENT REPLY OFF, such a reply is
// not built at all.
func TestHRandFieldHugeCountNoReply(t *testing.T) {
	cfg, clock := testConfig(t)
	c := startServerConfig(t, cfg, clock).dial(t)
	c.do("HSET", "h", "a", "1")
	c.Send("CLIENT", "REPLY", "OFF")
	c.Send("HRANDFIELD", "h", "-9223372036854775807")
	if got := c.do("CLIENT", "REPLY", "ON"); got != "+OK\r\n" {
		t.Fatalf("CLIENT REPLY ON: %q", got)
	}
	c.Send("CLIENT", "REPLY", "SKIP")
	c.Send("HRANDFIELD", "h", "-9223372036854775807")
	if got := c.do("PING"); got != "+PONG\r\n" {
		t.Fatalf("PING: %q", got)
	}
}

// TestHRandFieldHugeCountAtShutdown: a shutdown stops such a reply too,
// for a client that reads it, and so never fails a write.
func TestHRandFieldHugeCountAtShutdown(t *testing.T) {
	cfg, _ := testConfig(t)
	s := newServer(cfg, zap.NewNop())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	c := dialRaw(t, ln.Addr().String())
	c.do("HSET", "h", "a", "1")
	c.Send("HRANDFIELD", "h", "-9223372036854775807")
	nc := c.NetConn()
	nc.SetReadDeadline(time.Now().Add(hangTimeout))
	if _, err := io.ReadFull(nc, make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	read := make(chan int64)
	go func() {
		n, _ := io.Copy(io.Discard, nc)
		read <- n
	}()
	// Shutdown lets clients finish the commands they sent; this one
	// stops, so it returns before its deadline.
	ctx, cancel := context.WithTimeout(t.Context(), hangTimeout)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	<-read // the server closed the connection
}

// TestEncodingLimitsReachTheKeyspace: the encoding parameters, set at
// start, by CONFIG SET under their names and aliases, or restored after a
// failed CONFIG SET, are the keyspace's limits.
func TestEncodingLimitsReachTheKeyspace(t *testing.T) {
	cfg, err := loadTestConfig([]string{"--save", "", "--dir", t.TempDir(), "--hash-max-ziplist-entries", "7",
		"--set-max-intset-entries", "9"})
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(cfg, zap.NewNop())
	defer s.Shutdown(t.Context())
	want := db.DefaultEncodingLimits()
	want.HashMaxListpackEntries, want.SetMaxIntsetEntries = 7, 9
	if got := s.store.EncodingLimits(); got != want {
		t.Errorf("at start: %+v, want %+v", got, want)
	}
	if err := s.settings.conf.Set("hash-max-listpack-value", "1kb", "list-max-ziplist-size", "-5",
		"hash-max-listpack-entries", "100", "list-compress-depth", "3", "zset-max-ziplist-entries", "5",
		"zset-max-listpack-value", "2kb"); err != nil {
		t.Fatal(err)
	}
	want = db.EncodingLimits{ListMaxListpackSize: -5, HashMaxListpackEntries: 100, HashMaxListpackValue: 1024, SetMaxIntsetEntries: 9,
		ZSetMaxListpackEntries: 5, ZSetMaxListpackValue: 2048,
		StreamNodeMaxBytes: want.StreamNodeMaxBytes, StreamNodeMaxEntries: want.StreamNodeMaxEntries}
	if got := s.store.EncodingLimits(); got != want {
		t.Errorf("after CONFIG SET: %+v, want %+v", got, want)
	}
	if err := s.settings.conf.Set("hash-max-listpack-entries", "1", "maxmemory-policy", "lru"); err == nil {
		t.Fatal("CONFIG SET maxmemory-policy lru accepted")
	}
	if got := s.store.EncodingLimits(); got != want {
		t.Errorf("after a failed CONFIG SET: %+v, want %+v", got, want)
	}
}

// TestHScanWalk walks a hashtable with this server's own cursors: every
// field once, about COUNT at a time.
func TestHScanWalk(t *testing.T) {
	cfg, clock := testConfig(t)
	c := startServerConfig(t, cfg, clock).dial(t)
	args := []string{"HSET", "h"}
	for i := range 1000 {
		args = append(args, "f"+strconv.Itoa(i), strconv.Itoa(i))
	}
	c.do(args...)
	seen := map[string]bool{}
	cursor, calls := "0", 0
	for {
		f, _, _ := frame.Parse([]byte(c.do("HSCAN", "h", cursor, "COUNT", "100")))
		calls++
		for i := 0; i < len(f.Elems[1].Elems); i += 2 {
			field, value := f.Elems[1].Elems[i].Text(), f.Elems[1].Elems[i+1].Text()
			if "f"+value != field {
				t.Fatalf("%s=%s", field, value)
			}
			seen[field] = true
		}
		if cursor = f.Elems[0].Text(); cursor == "0" {
			break
		}
	}
	if len(seen) != 1000 || calls != 10 {
		t.Errorf("%d fields in %d calls", len(seen), calls)
	}
}
