package server

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/db/rdb"
	"github.com/mini-redis/mini-redis/internal/redistest"
)

// A propagation case is a command sequence run on connection A, except
// lines that start with "B:" (sent on connection B without waiting: a
// blocking command), "B<" (read B's reply), and "SLEEP ms".
var propagationCases = []struct {
	name  string
	lines []string
}{
	{"spop", []string{"SADD s a b c d e", "SPOP s", "SPOP s 2", "SPOP s 10", "SPOP s"}},
	{"srandmember", []string{"SADD r a b c", "SRANDMEMBER r 2"}},
	{"hincrbyfloat", []string{"HINCRBYFLOAT h f 1.5", "HINCRBYFLOAT h f 0.25", "HINCRBYFLOAT h f 1e3"}},
	{"incrbyfloat", []string{"SET f 1 PX 100000", "INCRBYFLOAT f 2.5", "INCRBYFLOAT g 3"}},
	{"blpop-served", []string{"B:BLPOP bl1 0", "SLEEP 50", "RPUSH bl1 x y", "B<"}},
	{"brpop-served", []string{"B:BRPOP bl2 0", "SLEEP 50", "RPUSH bl2 x y", "B<"}},
	{"blmove-served", []string{"B:BLMOVE bl3 dst3 LEFT RIGHT 0", "SLEEP 50", "RPUSH bl3 x", "B<"}},
	{"brpoplpush-served", []string{"B:BRPOPLPUSH bl4 dst4 0", "SLEEP 50", "RPUSH bl4 x", "B<"}},
	{"blmpop-served", []string{"B:BLMPOP 0 1 bl5 LEFT COUNT 2", "SLEEP 50", "RPUSH bl5 x y z", "B<"}},
	{"bzpopmin-served", []string{"B:BZPOPMIN bz1 0", "SLEEP 50", "ZADD bz1 1 a 2 b", "B<"}},
	{"bzpopmax-served", []string{"B:BZPOPMAX bz2 0", "SLEEP 50", "ZADD bz2 1 a 2 b", "B<"}},
	{"bzmpop-served", []string{"B:BZMPOP 0 1 bz3 MIN COUNT 5", "SLEEP 50", "ZADD bz3 1 a 2 b", "B<"}},
	{"blocking-immediate", []string{"RPUSH il a b c", "BLPOP il 0", "BRPOP il 0", "BLMOVE il ild LEFT LEFT 0",
		"ZADD iz 1 a 2 b 3 c", "BZPOPMIN iz 0", "BZPOPMAX iz 0", "BLMPOP 0 1 ild RIGHT", "BZMPOP 0 1 iz MAX"}},
	// A read-only lookup (GET) does not remove an expired key here, as
	// Redis's does: its DEL comes when the active sweep or a write meets it.
	{"lazy-expire", []string{"SET le v PX 20", "SLEEP 60", "APPEND le x", "SET le2 v PX 20", "SLEEP 60", "SET le2 w"}},
	{"active-expire", []string{"SET ae v PX 20", "SLEEP 400"}},
	{"expire-past", []string{"SET ep v", "EXPIRE ep -1", "SET ep2 v", "PEXPIREAT ep2 1", "SET ep3 v", "EXPIREAT ep3 100"}},
	{"set-get-keepttl", []string{"SET sg v EX 1000", "SET sg w GET", "SET sg x KEEPTTL", "SET sg y GET EX 500", "SET sg z KEEPTTL GET"}},
	{"getex-getdel", []string{"SET gx v", "GETEX gx EX 100", "GETEX gx PERSIST", "GETEX gx", "GETDEL gx", "GETDEL gx"}},
	{"restore-ttl", []string{"SET rs v", "DUMP rs"}}, // RESTORE built below from DUMP's reply
	{"eval-effects", []string{"EVAL \"redis.call('SET',KEYS[1],'1') redis.call('INCRBYFLOAT',KEYS[1],'1.5') redis.call('SPOP',KEYS[2]) return 1\" 2 ev1 ev2",
		"SADD ev2 a", "EVAL \"return redis.call('SPOP',KEYS[1])\" 1 ev2"}},
	{"xreadgroup", []string{"XADD xs 1-1 f v", "XADD xs 2-1 f w", "XGROUP CREATE xs g 0", "XREADGROUP GROUP g alice COUNT 1 STREAMS xs >",
		"XREADGROUP GROUP g bob NOACK STREAMS xs >", "XREADGROUP GROUP g alice STREAMS xs 0", "XAUTOCLAIM xs g carol 0 0-0", "XCLAIM xs g dave 0 1-1"}},
	{"xclaim-deleted", []string{"XADD xd 1-1 f v", "XADD xd 2-1 f w", "XADD xd 3-1 f x", "XGROUP CREATE xd g 0", "XREADGROUP GROUP g a STREAMS xd >",
		"XDEL xd 1-1", "XCLAIM xd g b 0 1-1 2-1", "XDEL xd 2-1", "XAUTOCLAIM xd g c 0 0-0", "XCLAIM xd g b 0 9-9 LASTID 9-9", "XCLAIM xd g b 0 3-1 IDLE 5 RETRYCOUNT 7"}},
	{"xreadgroup-noack-known", []string{"XADD xn 1-1 f v", "XGROUP CREATE xn g 0", "XGROUP CREATECONSUMER xn g bob", "XREADGROUP GROUP g bob NOACK STREAMS xn >", "XREADGROUP GROUP g bob STREAMS xn >"}},
	{"lazyfree-expire", []string{"CONFIG SET lazyfree-lazy-expire yes", "SET lu v PX 20", "SLEEP 60", "APPEND lu x", "CONFIG SET lazyfree-lazy-expire no"}},
	{"xreadgroup-served", []string{"XGROUP CREATE xb g $ MKSTREAM", "B:XREADGROUP GROUP g alice BLOCK 0 STREAMS xb >", "SLEEP 50", "XADD xb 5-1 f v", "B<"}},
}

// TestPropagationMatchesRedis runs each case on redis-server and on this
// server, both with appendonly yes, and compares the commands each wrote
// to its incremental AOF file, timestamps aside.
func TestPropagationMatchesRedis(t *testing.T) {
	ref := redistest.Start(t, "appendonly", "yes", "appendfsync", "always", "hz", "100")
	dir := t.TempDir()
	_, addr := startAOFServer(t, dir, nil, "--appendonly", "yes", "--appendfsync", "always", "--hz", "100")
	refFile := filepath.Join(ref.Dir, "appendonlydir", "appendonly.aof.1.incr.aof")
	gotFile := filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof")
	refA, refB := dialRaw(t, ref.Addr), dialRaw(t, ref.Addr)
	gotA, gotB := dialRaw(t, addr), dialRaw(t, addr)
	for _, tc := range propagationCases {
		t.Run(tc.name, func(t *testing.T) {
			refOff, gotOff := fileSize(t, refFile), fileSize(t, gotFile)
			lines := tc.lines
			for _, side := range []struct{ a, b *rawConn }{{refA, refB}, {gotA, gotB}} {
				for _, l := range lines {
					runPropagationLine(t, side.a, side.b, l)
				}
				if tc.name == "restore-ttl" {
					dump := side.a.do("DUMP", "rs")
					payload := dump[strings.Index(dump, "\r\n")+2 : len(dump)-2]
					side.a.do("RESTORE", "rs2", "100000", payload)
					side.a.do("RESTORE", "rs3", "0", payload)
					side.a.do("RESTORE", "rs3", "50000", payload, "REPLACE")
					side.a.do("RESTORE", "rs4", "4000000000000", payload, "ABSTTL")
					side.a.do("RESTORE", "rs5", "1", payload, "ABSTTL") // in the past: not kept
				}
			}
			want, got := aofCommandsFrom(t, refFile, refOff), aofCommandsFrom(t, gotFile, gotOff)
			if tc.name == "spop" { // random members: only the commands' shapes compare
				for _, l := range [][]string{want, got} {
					for i := range l {
						l[i] = sremMember.ReplaceAllString(l[i], "SREM s <member>")
					}
				}
			}
			if strings.Join(want, "\n") != strings.Join(got, "\n") {
				t.Errorf("propagated:\nredis: %q\nours:  %q", want, got)
			}
		})
	}
}

// runPropagationLine runs one line of a propagation case.
func runPropagationLine(t *testing.T, a, b *rawConn, l string) {
	t.Helper()
	switch {
	case strings.HasPrefix(l, "SLEEP "):
		d, _ := time.ParseDuration(strings.TrimPrefix(l, "SLEEP ") + "ms")
		time.Sleep(d)
	case strings.HasPrefix(l, "B:"):
		b.Send(splitQuoted(l[2:])...)
	case l == "B<":
		b.readReply()
	default:
		a.do(splitQuoted(l)...)
	}
}

// splitQuoted splits a line at spaces, keeping a double-quoted word whole.
func splitQuoted(l string) []string {
	var out []string
	for l = strings.TrimSpace(l); l != ""; l = strings.TrimSpace(l) {
		if l[0] == '"' {
			end := strings.IndexByte(l[1:], '"') + 1
			out = append(out, l[1:end])
			l = l[end+1:]
			continue
		}
		w, rest, _ := strings.Cut(l, " ")
		out = append(out, w)
		l = rest
	}
	return out
}

func fileSize(t *testing.T, name string) int64 {
	t.Helper()
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

var sremMember = regexp.MustCompile(`^SREM s [a-e]$`)

// aofCommandsFrom reads the commands of an AOF file from offset off, one
// string each, with times in milliseconds replaced by "<ms>".
func aofCommandsFrom(t *testing.T, name string, off int64) []string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	size := fileSize(t, name)
	if _, err := f.Seek(off, 0); err != nil {
		t.Fatal(err)
	}
	return maskedCommands(newAOFReader(bufio.NewReader(f), off, size))
}

// Evicted keys reach the AOF as DEL, as Redis's performEvictions
// propagates them (redis-server, evicting every key when maxmemory is 1
// byte, writes a DEL for each; the order is random and the moment of
// eviction differs here, so this checks the set of keys).
func TestEvictedKeysPropagateAsDel(t *testing.T) {
	for _, tc := range []struct{ lazy, want string }{{"no", "DEL"}, {"yes", "UNLINK"}} {
		t.Run("lazyfree-lazy-eviction="+tc.lazy, func(t *testing.T) {
			dir := t.TempDir()
			_, addr := startAOFServer(t, dir, nil, "--appendonly", "yes", "--appendfsync", "always",
				"--lazyfree-lazy-eviction", tc.lazy)
			c := dialRaw(t, addr)
			for i := 0; i < 20; i++ {
				c.do("SET", "ev:"+strconv.Itoa(i), "v")
			}
			c.do("CONFIG", "SET", "maxmemory-policy", "allkeys-random")
			c.do("CONFIG", "SET", "maxmemory", "1")
			waitFor(t, func() bool { return c.do("DBSIZE") == ":0\r\n" })
			c.do("CONFIG", "SET", "maxmemory", "0")
			c.do("SET", "after", "x") // hands on any removal still queued
			file := filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof")
			deleted := map[string]bool{}
			for _, cmd := range aofCommandsFrom(t, file, 0) {
				if k, ok := strings.CutPrefix(cmd, tc.want+" "); ok {
					deleted[k] = true
				}
			}
			for i := 0; i < 20; i++ {
				if k := "ev:" + strconv.Itoa(i); !deleted[k] {
					t.Errorf("%s was evicted but no %s of it is in the AOF (%v)", k, tc.want, deleted)
				}
			}
		})
	}
}

// rdbAux reads the AUX fields of the RDB file name.
func rdbAux(t *testing.T, name string) map[string]string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := rdb.NewReader(bufio.NewReader(f))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r.Aux()
}

// The RDB base of an AOF rewrite carries aof-base 1, as redis-server's
// does; a snapshot (SAVE) carries 0, in both. redis-check-rdb and
// redis-check-aof accept our base, and Redis loads the directory.
func TestAOFBaseAuxMatchesRedis(t *testing.T) {
	ref := redistest.Start(t, "appendonly", "yes")
	dir := t.TempDir()
	_, addr := startAOFServer(t, dir, nil, "--appendonly", "yes", "--aof-use-rdb-preamble", "yes")
	type side struct {
		c   *rawConn
		dir string
	}
	sides := map[string]side{"redis": {dialRaw(t, ref.Addr), ref.Dir}, "ours": {dialRaw(t, addr), dir}}
	for name, sd := range sides {
		sd.c.do("SET", "k", "v")
		sd.c.do("RPUSH", "l", "a", "b")
		if got := sd.c.do("BGREWRITEAOF"); !strings.HasPrefix(got, "+Background append only file rewriting") {
			t.Fatalf("%s: BGREWRITEAOF = %q", name, got)
		}
		waitRewriteDone(t, sd.c)
		sd.c.do("SET", "after", "rewrite")
		if got := sd.c.do("SAVE"); got != "+OK\r\n" {
			t.Fatalf("%s: SAVE = %q", name, got)
		}
		base := filepath.Join(sd.dir, "appendonlydir", "appendonly.aof.2.base.rdb")
		if got := rdbAux(t, base)["aof-base"]; got != "1" {
			t.Errorf("%s: the rewrite's base has aof-base %q, want 1", name, got)
		}
		if got := rdbAux(t, filepath.Join(sd.dir, "dump.rdb"))["aof-base"]; got != "0" {
			t.Errorf("%s: dump.rdb has aof-base %q, want 0", name, got)
		}
	}
	aofDir := filepath.Join(dir, "appendonlydir")
	checkAOF(t, aofDir)
	bin := redistest.Require(t, "redis-check-rdb")
	if out, err := exec.Command(bin, filepath.Join(aofDir, "appendonly.aof.2.base.rdb")).CombinedOutput(); err != nil ||
		!strings.Contains(string(out), "RDB looks OK") || !strings.Contains(string(out), "aof-base") {
		t.Errorf("redis-check-rdb (%v):\n%s", err, out)
	}
	// Redis loads our directory and holds the same keys.
	loaded := redistest.Start(t, "appendonly", "yes", "dir", copyToTemp(t, aofDir, "appendonlydir"))
	c := dialRaw(t, loaded.Addr)
	if got := c.do("LRANGE", "l", "0", "-1"); got != "*2\r\n$1\r\na\r\n$1\r\nb\r\n" {
		t.Errorf("Redis loaded l = %q", got)
	}
	if got := c.do("GET", "after"); got != "$7\r\nrewrite\r\n" {
		t.Errorf("Redis loaded after = %q", got)
	}
}

// With appendfsync always, a client's pipelined writes share one fsync,
// and none of their replies goes out before it ends.
func TestAOFAlwaysPipelineSharesOneFsync(t *testing.T) {
	var sink *probeSink
	var mu sync.Mutex
	_, addr := startAOFServer(t, t.TempDir(), probeOpener(&sink, &mu), "--appendonly", "yes", "--appendfsync", "always")
	c := dialRaw(t, addr)
	c.do("SET", "warm", "up")
	mu.Lock()
	p := sink
	mu.Unlock()
	hold, in := p.holdSyncs()
	syncsBefore := strings.Count(strings.Join(p.log(), "\n"), "sync")
	const n = 16
	var batch []byte
	for i := 0; i < n; i++ {
		batch = appendRequest(batch, []string{"SET", "k" + strconv.Itoa(i), "v"})
	}
	c.sendRaw(string(batch))
	select {
	case <-in:
	case <-time.After(5 * time.Second):
		t.Fatal("the pipeline did not fsync")
	}
	if got := c.readReplyWithin(300 * time.Millisecond); got != "(nothing)" {
		t.Fatalf("a reply %q came before the fsync ended", got)
	}
	log := p.log()
	if last := log[len(log)-1]; !strings.Contains(last, "$3\r\nk15\r\n") || !strings.Contains(last, "$2\r\nk0\r\n") {
		t.Fatalf("the pipeline's SETs were not written, in one write, before its fsync: %q", log)
	}
	p.releaseSyncs(hold)
	for i := 0; i < n; i++ {
		if got := c.readReply(); got != "+OK\r\n" {
			t.Fatalf("SET %d = %q", i, got)
		}
	}
	if got := strings.Count(strings.Join(p.log(), "\n"), "sync") - syncsBefore; got != 1 {
		t.Errorf("%d fsyncs for a pipeline of %d SETs, want 1: %q", got, n, p.log())
	}
}

// With appendfsync always, a client served after it blocked gets its
// reply only once the pop done for it is fsynced, as the pusher does.
func TestAOFAlwaysServedPopWaitsForFsync(t *testing.T) {
	var sink *probeSink
	var mu sync.Mutex
	_, addr := startAOFServer(t, t.TempDir(), probeOpener(&sink, &mu), "--appendonly", "yes", "--appendfsync", "always")
	pusher, waiter := dialRaw(t, addr), dialRaw(t, addr)
	pusher.do("SET", "warm", "up")
	mu.Lock()
	p := sink
	mu.Unlock()
	waiter.Send("BLPOP", "q", "0")
	waitFor(t, func() bool { return strings.Contains(pusher.do("INFO", "clients"), "blocked_clients:1") })
	hold, in := p.holdSyncs()
	var release sync.Once
	t.Cleanup(func() { release.Do(func() { close(hold) }) }) // a failure must not keep the fsync held
	pusher.Send("RPUSH", "q", "x")
	select {
	case <-in:
	case <-time.After(5 * time.Second):
		t.Fatal("the push did not fsync")
	}
	for name, c := range map[string]*rawConn{"pusher": pusher, "served client": waiter} {
		if got := c.readReplyWithin(300 * time.Millisecond); got != "(nothing)" {
			t.Fatalf("the %s's reply %q came before the fsync ended", name, got)
		}
	}
	if log := p.log(); !strings.Contains(log[len(log)-1], "$4\r\nLPOP\r\n$1\r\nq\r\n") {
		t.Fatalf("the LPOP was not written before the fsync: %q", log)
	}
	p.mu.Lock()
	p.holdSync = nil
	p.mu.Unlock()
	release.Do(func() { close(hold) })
	if got := pusher.readReply(); got != ":1\r\n" {
		t.Errorf("RPUSH = %q", got)
	}
	if got := waiter.readReply(); got != "*2\r\n$1\r\nq\r\n$1\r\nx\r\n" {
		t.Errorf("BLPOP = %q", got)
	}
}

// BenchmarkSETAlwaysPipeline16 is SET with appendfsync always, 16
// requests a batch (redis-benchmark -P 16): a batch shares one fsync.
func BenchmarkSETAlwaysPipeline16(b *testing.B) {
	const pipeline = 16
	_, addr := startAOFServer(b, b.TempDir(), nil, "--appendonly", "yes", "--appendfsync", "always")
	c := dialRaw(b, addr)
	var batch []byte
	for i := 0; i < pipeline; i++ {
		batch = appendRequest(batch, []string{"SET", "key:" + strconv.Itoa(i), "value"})
	}
	nc := c.NetConn()
	want := []byte(strings.Repeat("+OK\r\n", pipeline))
	got := make([]byte, len(want))
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += pipeline {
		if _, err := nc.Write(batch); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(nc, got); err != nil {
			b.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			b.Fatalf("replies %q", got)
		}
	}
}
