package server

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
	"go.uber.org/zap"
)

// startAOFServer starts a server whose files live in dir, with the AOF
// opened as Start opens it; open, if not nil, replaces how incremental
// files are opened. It returns the server and its address.
func startAOFServer(t testing.TB, dir string, open aofOpener, args ...string) (*Server, string) {
	t.Helper()
	cfg, err := loadTestConfig(append([]string{"--save", "", "--dir", dir}, args...))
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(cfg, zap.NewNop())
	if open != nil {
		srv.aof.open = open
	}
	if err := srv.startAOF(); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Shutdown(context.Background())
		<-done
	})
	return srv, ln.Addr().String()
}

// aofWorkload writes every kind of value, expiries, transactions, several
// databases, scripts and functions: what the AOF must carry.
func aofWorkload(c *rawConn, round string) {
	k := func(name string) string { return name + ":" + round }
	c.do("SET", k("str"), "v\x00\r\nbinary")
	c.do("SET", k("ex"), "1", "EX", "1000")
	c.do("SET", k("px"), "2", "PX", "900000")
	c.do("SETEX", k("setex"), "800", "3")
	c.do("SET", k("gone"), "x")
	c.do("EXPIRE", k("gone"), "-1") // deletes it
	c.do("SET", k("persist"), "p", "EX", "100")
	c.do("PERSIST", k("persist"))
	c.do("SET", k("getex"), "g")
	c.do("GETEX", k("getex"), "PX", "700000")
	c.do("INCR", k("counter"))
	c.do("INCRBY", k("counter"), "41")
	c.do("INCRBYFLOAT", k("float"), "1.5")
	c.do("INCRBYFLOAT", k("float"), "0.25")
	c.do("APPEND", k("str"), "+more")
	c.do("RPUSH", k("list"), "a", "b", "c", "d")
	c.do("LPOP", k("list"))
	c.do("LPUSH", k("list"), "z")
	for i := 0; i < 150; i++ { // several commands' worth in a rewrite
		c.do("RPUSH", k("biglist"), fmt.Sprint(i))
		c.do("SADD", k("bigset"), fmt.Sprint("m", i))
		c.do("HSET", k("bighash"), fmt.Sprint("f", i), fmt.Sprint(i))
		c.do("ZADD", k("bigzset"), fmt.Sprint(i), fmt.Sprint("m", i))
	}
	c.do("SADD", k("intset"), "1", "2", "3")
	c.do("SREM", k("intset"), "2")
	c.do("ZADD", k("zset"), "1.5", "a", "-inf", "b", "+inf", "c", "0.1", "d")
	c.do("ZINCRBY", k("zset"), "2", "a")
	c.do("HSET", k("hash"), "f1", "v1", "f2", "v2")
	c.do("HDEL", k("hash"), "f1")
	c.do("HINCRBYFLOAT", k("hash"), "n", "2.5")
	c.do("PEXPIRE", k("hash"), "600000")
	c.do("XADD", k("stream"), "1-1", "f", "v")
	c.do("XADD", k("stream"), "2-1", "f", "w", "g", "x")
	c.do("XADD", k("stream"), "3-1", "f", "y")
	c.do("XDEL", k("stream"), "2-1")
	c.do("XGROUP", "CREATE", k("stream"), "grp", "0")
	c.do("XREADGROUP", "GROUP", "grp", "alice", "COUNT", "1", "STREAMS", k("stream"), ">")
	c.do("XGROUP", "CREATECONSUMER", k("stream"), "grp", "bob")
	c.do("XADD", k("empty-stream"), "MAXLEN", "0", "5-5", "f", "v")
	c.do("MULTI")
	c.do("INCR", k("tx"))
	c.do("SET", k("tx2"), "in-tx", "EX", "500")
	c.do("SELECT", "5")
	c.do("SET", k("tx-db5"), "five")
	c.do("EXEC")
	c.do("SELECT", "0")
	c.do("EVAL", "redis.call('SET', KEYS[1], 'from-script'); redis.call('RPUSH', KEYS[2], 'e'); return 1",
		"2", k("script"), k("scriptlist"))
	c.do("SELECT", "3")
	c.do("SET", k("db3"), "three")
	c.do("HSET", k("db3hash"), "a", "1")
	c.do("SELECT", "9")
	c.do("SET", k("swapped"), "nine")
	c.do("SWAPDB", "9", "10")
	c.do("SELECT", "0")
	c.do("SET", k("deleted"), "x")
	c.do("DEL", k("deleted"))
}

// streamCounters picks from an XINFO STREAM reply the stream's IDs and
// counters.
func streamCounters(reply string) string {
	lines := strings.Split(reply, "\r\n")
	var out []string
	for i, l := range lines {
		switch l {
		case "length", "last-generated-id", "max-deleted-entry-id", "entries-added", "recorded-first-entry-id":
			if i+2 < len(lines) {
				out = append(out, l+"="+lines[i+2])
			}
		}
	}
	return strings.Join(out, ",")
}

// waitRewriteDone waits for the AOF rewrite in progress to finish.
func waitRewriteDone(t *testing.T, c *rawConn) {
	t.Helper()
	waitFor(t, func() bool {
		info := c.do("INFO", "persistence")
		return strings.Contains(info, "aof_rewrite_in_progress:0") && strings.Contains(info, "aof_rewrite_scheduled:0")
	})
}

// checkAOF runs redis-check-aof on the manifest in dir and fails the test
// unless it accepts every file.
func checkAOF(t *testing.T, dir string) {
	t.Helper()
	bin := redistest.Require(t, "redis-check-aof")
	out, err := exec.Command(bin, filepath.Join(dir, "appendonly.aof.manifest")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "All AOF files and manifest are valid") {
		t.Fatalf("redis-check-aof refuses %s (%v):\n%s", dir, err, out)
	}
}

// copyToTemp copies the files of dir (one level) to a new temporary
// directory's subdirectory name, and returns the new parent directory.
func copyToTemp(t *testing.T, dir, name string) string {
	t.Helper()
	parent := t.TempDir()
	copyDir(t, dir, filepath.Join(parent, name))
	return parent
}

// Redis 7 loads the AOF directory this server writes, with an RDB or a
// commands base, under each fsync policy, and holds the same data; and
// redis-check-aof accepts it. Writes go before, during and after a
// rewrite, so the base, the incremental files and the manifest's swap
// all take part.
func TestRedisLoadsOurAOF(t *testing.T) {
	redistest.Require(t, "redis-server")
	for _, tc := range []struct {
		name     string
		preamble string
		fsync    string
	}{
		{"rdb-preamble/everysec", "yes", "everysec"},
		{"commands-base/always", "no", "always"},
		{"commands-base/no", "no", "no"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			srv, addr := startAOFServer(t, dir, nil, "--appendonly", "yes",
				"--aof-use-rdb-preamble", tc.preamble, "--appendfsync", tc.fsync, "--aof-timestamp-enabled", "yes")
			c := dialRaw(t, addr)
			c.do("FUNCTION", "LOAD", "#!lua name=aoflib\nredis.register_function('aofset', function(keys, args) return redis.call('SET', keys[1], args[1]) end)")
			aofWorkload(c, "1")
			if got := c.do("BGREWRITEAOF"); got != "+Background append only file rewriting started\r\n" {
				t.Fatalf("BGREWRITEAOF = %q", got)
			}
			aofWorkload(c, "2") // during the rewrite, or just after
			waitRewriteDone(t, c)
			aofWorkload(c, "3")
			c.do("FCALL", "aofset", "1", "fcall-key", "fv")
			c.do("DEL", "str:1")
			want := describeAll(t, c)
			wantFuncs := c.do("FUNCTION", "LIST")
			srv.Shutdown(context.Background())

			aofDir := filepath.Join(dir, "appendonlydir")
			checkAOF(t, aofDir)
			man, err := os.ReadFile(filepath.Join(aofDir, "appendonly.aof.manifest"))
			if err != nil {
				t.Fatal(err)
			}
			ext := map[string]string{"yes": ".base.rdb", "no": ".base.aof"}[tc.preamble]
			if !strings.Contains(string(man), "appendonly.aof.2"+ext+" seq 2 type b\n") ||
				!strings.Contains(string(man), "appendonly.aof.2.incr.aof seq 2 type i\n") || strings.Count(string(man), "\n") != 2 {
				t.Errorf("manifest after one rewrite:\n%s", man)
			}
			redis := redistest.Start(t, "dir", copyToTemp(t, aofDir, "appendonlydir"), "appendonly", "yes")
			rc := dialRaw(t, redis.Addr)
			if got := describeAll(t, rc); got != want {
				t.Errorf("redis loaded from our AOF:\n%s\nours:\n%s", got, want)
			}
			if got := rc.do("FUNCTION", "LIST"); got != wantFuncs {
				t.Errorf("redis's functions: %q, ours %q", got, wantFuncs)
			}
		})
	}
}

// A server started with appendonly yes and no AOF creates the base and the
// first incremental file as Redis does, and CONFIG SET appendonly yes at
// run time writes a base by a rewrite: both load into Redis.
func TestAOFTurnedOnAtRunTimeLoadsIntoRedis(t *testing.T) {
	redistest.Require(t, "redis-server")
	dir := t.TempDir()
	srv, addr := startAOFServer(t, dir, nil)
	c := dialRaw(t, addr)
	aofWorkload(c, "before")
	if got := c.do("CONFIG", "SET", "appendonly", "yes"); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET appendonly yes = %q", got)
	}
	waitFor(t, func() bool {
		info := c.do("INFO", "persistence")
		return strings.Contains(info, "aof_rewrites:1") && strings.Contains(info, "aof_rewrite_in_progress:0")
	})
	aofWorkload(c, "after")
	want := describeAll(t, c)
	srv.Shutdown(context.Background())
	aofDir := filepath.Join(dir, "appendonlydir")
	checkAOF(t, aofDir)
	redis := redistest.Start(t, "dir", copyToTemp(t, aofDir, "appendonlydir"), "appendonly", "yes")
	if got := describeAll(t, dialRaw(t, redis.Addr)); got != want {
		t.Errorf("redis loaded from our AOF:\n%s\nours:\n%s", got, want)
	}
}

// The AOF's parameters and BGREWRITEAOF answer as Redis 7.0.15's, the AOF
// off on both.
func TestAOFConfigAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	ref, got := dialPair(t, redis.Addr, ours, "2")
	for _, st := range []step{
		s("CONFIG SET appendfsync foo"), s("CONFIG SET appendfsync ALWAYS"), s("CONFIG GET appendfsync"),
		s("CONFIG SET appendfsync no"), s("CONFIG GET appendfsync"), s("CONFIG SET appendfsync everysec"),
		s("CONFIG SET appendfilename other.aof"), s("CONFIG GET appendfilename"),
		s("CONFIG SET appenddirname other"), s("CONFIG GET appenddirname"),
		s("CONFIG SET auto-aof-rewrite-percentage -1"), s("CONFIG SET auto-aof-rewrite-percentage 2147483648"),
		s("CONFIG SET auto-aof-rewrite-percentage 50"), s("CONFIG GET auto-aof-rewrite-percentage"),
		s("CONFIG SET auto-aof-rewrite-min-size foo"), s("CONFIG SET auto-aof-rewrite-min-size 1gb"),
		s("CONFIG GET auto-aof-rewrite-min-size"), s("CONFIG SET auto-aof-rewrite-min-size -1"),
		s("CONFIG SET no-appendfsync-on-rewrite maybe"), s("CONFIG SET no-appendfsync-on-rewrite yes"),
		s("CONFIG GET no-appendfsync-on-rewrite"),
		s("CONFIG SET aof-use-rdb-preamble no"), s("CONFIG GET aof-use-rdb-preamble"), s("CONFIG SET aof-use-rdb-preamble x"),
		s("CONFIG SET aof-timestamp-enabled yes"), s("CONFIG GET aof-timestamp-enabled"),
		s("CONFIG SET aof-timestamp-enabled no"),
		s("CONFIG SET appendonly maybe"), s("CONFIG GET appendonly"),
		s("BGREWRITEAOF x"),
	} {
		compareStep(t, st, ref, got)
	}
}

// SIGKILL during a write load with appendfsync always loses no
// acknowledged write, also with a rewrite started during the load (the
// kill lands during or after it, as timing has it): Redis 7 loads the
// directory the killed process left and holds every acknowledged INCR
// (and at most the one in flight more).
func TestKilledWithAppendfsyncAlwaysLosesNoAcknowledgedWrite(t *testing.T) {
	redistest.Require(t, "redis-server")
	for round := 0; round < 4; round++ {
		rewrite := round%2 == 1
		t.Run(fmt.Sprintf("round%d/rewrite=%v", round, rewrite), func(t *testing.T) {
			dir := t.TempDir()
			cmd, addr, logs := serverProcess(t, "--dir", dir, "--save", "", "--appendonly", "yes", "--appendfsync", "always")
			c := dialRaw(t, addr)
			for i := 0; i < 2000; i++ { // something for a rewrite to write
				c.do("HSET", "bulk", fmt.Sprint(i), strings.Repeat("v", 50))
			}
			acked := 0
			stop := time.Now().Add(time.Duration(50+40*round) * time.Millisecond)
			if rewrite {
				c.do("BGREWRITEAOF")
			}
			for time.Now().Before(stop) {
				if got := c.do("INCR", "counter"); got != fmt.Sprintf(":%d\r\n", acked+1) {
					t.Fatalf("INCR = %q after %d\n%s", got, acked, logs)
				}
				acked++
			}
			if acked == 0 {
				t.Fatal("no write acknowledged before the kill")
			}
			c.Send("INCR", "counter") // in flight when the process dies
			cmd.Process.Kill()
			cmd.Wait()
			redis := redistest.Start(t, "dir", copyToTemp(t, filepath.Join(dir, "appendonlydir"), "appendonlydir"), "appendonly", "yes")
			rc := dialRaw(t, redis.Addr)
			got := rc.do("GET", "counter")
			want, next := fmt.Sprintf("$%d\r\n%d\r\n", len(fmt.Sprint(acked)), acked), fmt.Sprintf("$%d\r\n%d\r\n", len(fmt.Sprint(acked+1)), acked+1)
			if got != want && got != next {
				t.Errorf("counter after SIGKILL = %q, acknowledged %d", got, acked)
			}
			if n := rc.do("HLEN", "bulk"); n != ":2000\r\n" {
				t.Errorf("HLEN bulk = %q", n)
			}
		})
	}
}
