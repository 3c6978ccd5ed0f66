package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// probeSink wraps an incremental file: it records the order of writes and
// fsyncs, can hold an fsync until released, and can fail writes.
type probeSink struct {
	f aofSink

	mu        sync.Mutex
	events    []string // "write <bytes>" and "sync"
	holdSync  chan struct{}
	inSync    chan struct{} // receives when a held fsync starts
	failWrite error
	short     bool // a failing write writes half its bytes first
}

func (p *probeSink) Write(b []byte) (int, error) {
	p.mu.Lock()
	fail, short := p.failWrite, p.short
	p.mu.Unlock()
	if fail != nil {
		n := 0
		if short && len(b) > 1 {
			n, _ = p.f.Write(b[:len(b)/2])
		}
		return n, fail
	}
	n, err := p.f.Write(b)
	p.mu.Lock()
	p.events = append(p.events, "write "+string(b[:n]))
	p.mu.Unlock()
	return n, err
}

func (p *probeSink) Sync() error {
	p.mu.Lock()
	hold, in := p.holdSync, p.inSync
	p.mu.Unlock()
	if hold != nil {
		in <- struct{}{}
		<-hold
	}
	p.mu.Lock()
	p.events = append(p.events, "sync")
	p.mu.Unlock()
	return p.f.Sync()
}

func (p *probeSink) Truncate(size int64) error { return p.f.Truncate(size) }
func (p *probeSink) Close() error              { return p.f.Close() }

func (p *probeSink) setFail(err error, short bool) {
	p.mu.Lock()
	p.failWrite, p.short = err, short
	p.mu.Unlock()
}

func (p *probeSink) log() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.events...)
}

// wrote reports whether a write to the sink held key as a bulk string.
func (p *probeSink) wrote(key string) bool {
	want := fmt.Sprintf("$%d\r\n%s\r\n", len(key), key)
	for _, e := range p.log() {
		if strings.HasPrefix(e, "write ") && strings.Contains(e, want) {
			return true
		}
	}
	return false
}

// releaseSyncs lets the fsync held by hold (see holdSyncs) go on, and
// the next fsyncs through. Releasing hold again does nothing.
func (p *probeSink) releaseSyncs(hold chan struct{}) {
	p.mu.Lock()
	p.holdSync = nil
	p.mu.Unlock()
	select {
	case <-hold:
	default:
		close(hold)
	}
}

// probeOpener opens real files behind probe sinks, the last one opened in
// *last.
// holdSyncs makes the next fsyncs wait until hold is closed; in receives
// as each held fsync begins.
func (p *probeSink) holdSyncs() (hold chan struct{}, in chan struct{}) {
	hold, in = make(chan struct{}), make(chan struct{}, 1)
	p.mu.Lock()
	p.holdSync, p.inSync = hold, in
	p.mu.Unlock()
	return hold, in
}

func probeOpener(last **probeSink, mu *sync.Mutex) aofOpener {
	return func(path string) (aofSink, error) {
		f, err := openAppend(path)
		if err != nil {
			return nil, err
		}
		p := &probeSink{f: f}
		mu.Lock()
		*last = p
		mu.Unlock()
		return p, nil
	}
}

// With appendfsync always the reply to a write is sent only once the write
// is fsynced: an fsync held back holds the reply back. With everysec a
// held fsync holds back no reply.
func TestAOFAlwaysFsyncsBeforeReplying(t *testing.T) {
	var sink *probeSink
	var mu sync.Mutex
	_, addr := startAOFServer(t, t.TempDir(), probeOpener(&sink, &mu), "--appendonly", "yes", "--appendfsync", "always")
	c := dialRaw(t, addr)
	mu.Lock()
	p := sink
	mu.Unlock()
	hold, in := p.holdSyncs()

	c.sendRaw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n")
	select {
	case <-in:
	case <-time.After(5 * time.Second):
		t.Fatal("SET with appendfsync always did not fsync")
	}
	if got := c.readReplyWithin(300 * time.Millisecond); got != "(nothing)" {
		t.Fatalf("the reply %q came before the fsync ended", got)
	}
	log := p.log()
	if len(log) == 0 || !strings.Contains(log[len(log)-1], "$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n") {
		t.Fatalf("the SET was not written before its fsync: %q", log)
	}
	p.releaseSyncs(hold)
	if got := c.readReply(); got != "+OK\r\n" {
		t.Fatalf("SET = %q", got)
	}
	if log := p.log(); log[len(log)-1] != "sync" {
		t.Errorf("events %q: the fsync is not the last", log)
	}

	// everysec: the fsync runs in the AOF goroutine, and a slow one keeps
	// no reply waiting.
	if got := c.do("CONFIG", "SET", "appendfsync", "everysec"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	hold, in = make(chan struct{}), make(chan struct{}, 1)
	p.mu.Lock()
	p.holdSync, p.inSync = hold, in
	p.mu.Unlock()
	c.do("SET", "k2", "v")
	select {
	case <-in:
	case <-time.After(5 * time.Second):
		t.Fatal("everysec did not fsync within a second")
	}
	for i := 0; i < 10; i++ {
		if got := c.do("SET", "k3", "v"); got != "+OK\r\n" {
			t.Fatalf("SET during a slow everysec fsync = %q", got)
		}
	}
	if got := c.do("INFO", "persistence"); !strings.Contains(got, "aof_pending_bio_fsync:1") {
		t.Errorf("INFO during the fsync lacks aof_pending_bio_fsync:1:\n%s", got)
	}
	p.releaseSyncs(hold)
}

// With appendfsync always, writes of several clients that arrive while an
// fsync runs share the next one (a group commit), and none is answered
// before it.
func TestAOFAlwaysSharesFsyncs(t *testing.T) {
	var sink *probeSink
	var mu sync.Mutex
	_, addr := startAOFServer(t, t.TempDir(), probeOpener(&sink, &mu), "--appendonly", "yes", "--appendfsync", "always")
	first := dialRaw(t, addr)
	first.do("SET", "warm", "up")
	mu.Lock()
	p := sink
	mu.Unlock()
	hold, in := p.holdSyncs()
	first.sendRaw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n0\r\n")
	<-in
	p.mu.Lock()
	p.holdSync = nil // the next fsyncs go through
	p.mu.Unlock()
	const others = 4
	var conns []*rawConn
	for i := 0; i < others; i++ {
		c := dialRaw(t, addr)
		c.sendRaw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n1\r\n")
		conns = append(conns, c)
	}
	info := dialRaw(t, addr)
	one := len("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n1\r\n")
	waitFor(t, func() bool {
		return strings.Contains(info.do("INFO", "persistence"), "aof_buffer_length:"+strconv.Itoa(others*one))
	})
	for _, c := range conns {
		if got := c.readReplyWithin(100 * time.Millisecond); got != "(nothing)" {
			t.Fatalf("a reply %q came before its fsync", got)
		}
	}
	syncsBefore := strings.Count(strings.Join(p.log(), "\n"), "sync")
	close(hold)
	for _, c := range append(conns, first) {
		if got := c.readReply(); got != "+OK\r\n" {
			t.Fatalf("SET = %q", got)
		}
	}
	// The held fsync, then one for the four others.
	if n := strings.Count(strings.Join(p.log(), "\n"), "sync") - syncsBefore; n != 2 {
		t.Errorf("%d fsyncs for one held and %d waiting writes, want 2: %q", n, others, p.log())
	}
}

// A failed write turns aof_last_write_status to err and refuses writes
// with Redis's MISCONF error, reads still served; once the disk takes
// writes again the buffered commands are written, writes are accepted,
// and the file, cut back to its last whole command, is valid.
func TestAOFWriteErrorRefusesWritesUntilItRecovers(t *testing.T) {
	for _, short := range []bool{false, true} {
		name := map[bool]string{false: "nothing-written", true: "short-write"}[short]
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			var sink *probeSink
			var mu sync.Mutex
			srv, addr := startAOFServer(t, dir, probeOpener(&sink, &mu), "--appendonly", "yes")
			c := dialRaw(t, addr)
			c.do("SET", "before", "1")
			mu.Lock()
			p := sink
			mu.Unlock()
			p.setFail(syscall.ENOSPC, short)
			if got := c.do("SET", "a", "1"); got != "+OK\r\n" { // everysec: acknowledged before it is written
				t.Fatalf("SET = %q", got)
			}
			waitFor(t, func() bool { return strings.Contains(c.do("INFO", "persistence"), "aof_last_write_status:err") })
			const misconf = "-MISCONF Errors writing to the AOF file: No space left on device"
			for _, cmd := range [][]string{{"SET", "b", "2"}, {"INCR", "n"}} {
				if got := c.do(cmd...); got != misconf+"\r\n" {
					t.Errorf("%q while the AOF fails = %q, want %q", cmd, got, misconf)
				}
			}
			// A script's write fails inside it, with the script named.
			if got := c.do("EVAL", "return redis.call('SET', 'c', 1)", "0"); !strings.HasPrefix(got, misconf+" script: ") {
				t.Errorf("EVAL while the AOF fails = %q", got)
			}
			if got := c.do("GET", "a"); got != "$1\r\n1\r\n" {
				t.Errorf("GET while the AOF fails = %q", got)
			}
			p.setFail(nil, false)
			waitFor(t, func() bool { return strings.Contains(c.do("INFO", "persistence"), "aof_last_write_status:ok") })
			if got := c.do("SET", "b", "2"); got != "+OK\r\n" {
				t.Fatalf("SET after recovery = %q", got)
			}
			srv.Shutdown(context.Background())
			aofDir := filepath.Join(dir, "appendonlydir")
			checkAOF(t, aofDir)
			data, err := os.ReadFile(filepath.Join(aofDir, "appendonly.aof.1.incr.aof"))
			if err != nil {
				t.Fatal(err)
			}
			want := "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n" +
				"*3\r\n$3\r\nSET\r\n$6\r\nbefore\r\n$1\r\n1\r\n" +
				"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n" +
				"*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n"
			if string(data) != want {
				t.Errorf("incremental file:\n%q\nwant:\n%q", data, want)
			}
		})
	}
}

// With appendfsync always a write the AOF could not take is never
// acknowledged: its client is disconnected without a reply, and the
// others get MISCONF until the disk takes writes again.
func TestAOFAlwaysWriteErrorIsNeverAcknowledged(t *testing.T) {
	dir := t.TempDir()
	var sink *probeSink
	var mu sync.Mutex
	srv, addr := startAOFServer(t, dir, probeOpener(&sink, &mu), "--appendonly", "yes", "--appendfsync", "always")
	c, other := dialRaw(t, addr), dialRaw(t, addr)
	c.do("SET", "before", "1")
	mu.Lock()
	p := sink
	mu.Unlock()
	p.setFail(syscall.EIO, false)
	c.sendRaw("*3\r\n$3\r\nSET\r\n$4\r\nlost\r\n$1\r\n1\r\n")
	if got, err := c.readUntilClose(); got != "" {
		t.Fatalf("the failed write was answered %q (%v)", got, err)
	}
	if got := other.do("SET", "b", "2"); got != "-MISCONF Errors writing to the AOF file: Input/output error\r\n" {
		t.Errorf("SET while the AOF fails = %q", got)
	}
	p.setFail(nil, false)
	waitFor(t, func() bool { return strings.Contains(other.do("INFO", "persistence"), "aof_last_write_status:ok") })
	if got := other.do("SET", "b", "2"); got != "+OK\r\n" {
		t.Fatalf("SET after recovery = %q", got)
	}
	srv.Shutdown(context.Background())
	checkAOF(t, filepath.Join(dir, "appendonlydir"))
}

// A rewrite that cannot create its incremental file (a directory is in
// the way) fails as Redis reports it, leaves the manifest as it was and
// writes going to the old file; the next one, with the way clear,
// succeeds and removes the old files.
func TestAOFRewriteFailureLeavesTheAOFAsItWas(t *testing.T) {
	dir := t.TempDir()
	_, addr := startAOFServer(t, dir, nil, "--appendonly", "yes")
	c := dialRaw(t, addr)
	aofDir := filepath.Join(dir, "appendonlydir")
	manifest := filepath.Join(aofDir, "appendonly.aof.manifest")
	before, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	blocker := filepath.Join(aofDir, "appendonly.aof.2.incr.aof")
	if err := os.Mkdir(blocker, 0o755); err != nil {
		t.Fatal(err)
	}
	c.do("SET", "k", "1")
	if got := c.do("BGREWRITEAOF"); got != "+Background append only file rewriting started\r\n" {
		t.Fatalf("BGREWRITEAOF = %q", got)
	}
	waitFor(t, func() bool { return strings.Contains(c.do("INFO", "persistence"), "aof_last_bgrewrite_status:err") })
	info := c.do("INFO", "persistence")
	for _, f := range []string{"aof_rewrite_in_progress:0", "aof_rewrites_consecutive_failures:1", "aof_last_write_status:ok"} {
		if !strings.Contains(info, f) {
			t.Errorf("INFO after a failed rewrite lacks %s:\n%s", f, info)
		}
	}
	if after, _ := os.ReadFile(manifest); string(after) != string(before) {
		t.Errorf("manifest changed by a failed rewrite:\n%s\nwas:\n%s", after, before)
	}
	if got := c.do("SET", "k", "2"); got != "+OK\r\n" {
		t.Fatalf("SET after a failed rewrite = %q", got)
	}
	os.Remove(blocker)
	if got := c.do("BGREWRITEAOF"); got != "+Background append only file rewriting started\r\n" {
		t.Fatalf("BGREWRITEAOF = %q", got)
	}
	waitFor(t, func() bool {
		info := c.do("INFO", "persistence")
		return strings.Contains(info, "aof_last_bgrewrite_status:ok") && strings.Contains(info, "aof_rewrite_in_progress:0")
	})
	after, _ := os.ReadFile(manifest)
	if want := "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"; string(after) != want {
		t.Errorf("manifest after the rewrite:\n%s\nwant:\n%s", after, want)
	}
	names, _ := filepath.Glob(filepath.Join(aofDir, "*"))
	if len(names) != 3 {
		t.Errorf("files after the rewrite: %q", names)
	}
	checkAOF(t, aofDir)
}

// The AOF's growth past auto-aof-rewrite-percentage of its size after the
// last rewrite, once over auto-aof-rewrite-min-size, starts a rewrite.
func TestAOFAutomaticRewrite(t *testing.T) {
	dir := t.TempDir()
	_, addr := startAOFServer(t, dir, nil, "--appendonly", "yes",
		"--auto-aof-rewrite-percentage", "100", "--auto-aof-rewrite-min-size", "4kb")
	c := dialRaw(t, addr)
	for i := 0; i < 50; i++ {
		c.do("SET", "k", strings.Repeat("x", 50))
	}
	time.Sleep(3 * aofTick)
	if info := c.do("INFO", "persistence"); !strings.Contains(info, "aof_rewrites:0") {
		t.Fatalf("rewrite under the minimum size:\n%s", info)
	}
	for i := 0; i < 100; i++ {
		c.do("SET", "k", strings.Repeat("x", 50))
	}
	waitFor(t, func() bool {
		info := c.do("INFO", "persistence")
		return strings.Contains(info, "aof_rewrites:1") && strings.Contains(info, "aof_rewrite_in_progress:0")
	})
	info := c.do("INFO", "persistence")
	if !strings.Contains(info, "aof_last_bgrewrite_status:ok") {
		t.Errorf("after the automatic rewrite:\n%s", info)
	}
	checkAOF(t, filepath.Join(dir, "appendonlydir"))
}

// CONFIG SET appendonly no stops the AOF: INFO shows it, writes no longer
// reach the file, and a write error no longer refuses writes.
func TestAOFTurnedOff(t *testing.T) {
	dir := t.TempDir()
	_, addr := startAOFServer(t, dir, nil, "--appendonly", "yes")
	c := dialRaw(t, addr)
	c.do("SET", "a", "1")
	if got := c.do("CONFIG", "SET", "appendonly", "no"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	incr := filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof")
	waitFor(t, func() bool {
		data, _ := os.ReadFile(incr)
		return strings.Contains(string(data), "$1\r\na\r\n")
	})
	info := c.do("INFO", "persistence")
	if !strings.Contains(info, "aof_enabled:0") || strings.Contains(info, "aof_current_size") {
		t.Errorf("INFO with the AOF off:\n%s", info)
	}
	before, _ := os.ReadFile(incr)
	c.do("SET", "b", "2")
	time.Sleep(3 * aofTick)
	if after, _ := os.ReadFile(incr); string(after) != string(before) {
		t.Errorf("a write reached the AOF after it was turned off: %q", after)
	}
}

// appendfilename and appenddirname are names in the directory, refused as
// paths with Redis's wording.
func TestAOFNamesMustNotBePaths(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"appendfilename", "appendfilename can't be a path, just a filename"},
		{"appenddirname", "appenddirname can't be a path, just a dirname"},
	} {
		_, err := loadTestConfig([]string{"--" + tc.name, "a/b"})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("--%s a/b: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// BenchmarkSETAppendFsync measures SET through the whole server with the
// AOF off, appendfsync everysec and always, pipelined as
// redis-benchmark -P 64 does. Compare with redis-server:
//
//	redis-server --port 7200 --save '' --appendonly yes --appendfsync everysec
//	redis-benchmark -p 7200 -P 64 -n 1000000 -r 100000 set key:__rand_int__ value
func BenchmarkSETAppendFsync(b *testing.B) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"off", []string{"--appendonly", "no"}},
		{"everysec", []string{"--appendonly", "yes", "--appendfsync", "everysec"}},
		{"always", []string{"--appendonly", "yes", "--appendfsync", "always"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			_, addr := startAOFServer(b, b.TempDir(), nil, tc.args...)
			c := dialRaw(b, addr)
			r := rand.New(rand.NewPCG(1, 2))
			batches := make([][]byte, 16)
			for i := range batches {
				for range benchPipeline {
					batches[i] = appendRequest(batches[i], []string{"SET", "key:" + strconv.Itoa(r.IntN(100_000)), "value"})
				}
			}
			nc := c.NetConn()
			wantBatch := []byte(strings.Repeat("+OK\r\n", benchPipeline))
			got := make([]byte, len(wantBatch))
			b.ReportAllocs()
			b.ResetTimer()
			for done := 0; done < b.N; done += benchPipeline {
				if _, err := nc.Write(batches[(done/benchPipeline)%len(batches)]); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(nc, got); err != nil {
					b.Fatal(err)
				}
				if !bytes.Equal(got, wantBatch) {
					b.Fatalf("replies %q", got)
				}
			}
		})
	}
}

// While a rewrite runs: writes go on (to the new incremental file), a
// second BGREWRITEAOF and a BGSAVE are refused as Redis refuses them,
// BGSAVE SCHEDULE saves once the rewrite is done.
func TestAOFWhileRewriting(t *testing.T) {
	dir := t.TempDir()
	var sink *probeSink
	var mu sync.Mutex
	// appendfsync no: the only fsync of the first file is the rewrite's,
	// after its snapshot, which the test holds to keep the rewrite going.
	_, addr := startAOFServer(t, dir, probeOpener(&sink, &mu), "--appendonly", "yes", "--appendfsync", "no")
	c := dialRaw(t, addr)
	c.do("SET", "a", "1")
	mu.Lock()
	p := sink
	mu.Unlock()
	hold, in := p.holdSyncs()
	if got := c.do("BGREWRITEAOF"); got != "+Background append only file rewriting started\r\n" {
		t.Fatalf("BGREWRITEAOF = %q", got)
	}
	select {
	case <-in:
	case <-time.After(5 * time.Second):
		t.Fatal("the rewrite did not start")
	}
	for _, tc := range []struct{ cmd, want string }{
		{"BGREWRITEAOF", "-ERR Background append only file rewriting already in progress\r\n"},
		{"BGSAVE", "-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.\r\n"},
		{"BGSAVE SCHEDULE", "+Background saving scheduled\r\n"},
		{"SET b 2", "+OK\r\n"},
	} {
		if got := c.do(strings.Fields(tc.cmd)...); got != tc.want {
			t.Errorf("%s during a rewrite = %q, want %q", tc.cmd, got, tc.want)
		}
	}
	if info := c.do("INFO", "persistence"); !strings.Contains(info, "aof_rewrite_in_progress:1") {
		t.Errorf("INFO during a rewrite:\n%s", info)
	}
	p.releaseSyncs(hold)
	waitFor(t, func() bool {
		info := c.do("INFO", "persistence")
		return strings.Contains(info, "aof_rewrite_in_progress:0") && strings.Contains(info, "rdb_saves:1")
	})
	if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err != nil {
		t.Errorf("the scheduled save wrote no dump: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.2.incr.aof"))
	if err != nil || !strings.Contains(string(data), "$1\r\nb\r\n$1\r\n2\r\n") {
		t.Errorf("the write during the rewrite is not in the new incremental file: %q %v", data, err)
	}
}

// SHUTDOWN SAVE during a rewrite lets the rewrite end and saves, as Redis
// saves on shutdown whatever its AOF child does.
func TestAOFShutdownSavesDuringARewrite(t *testing.T) {
	dir := t.TempDir()
	var sink *probeSink
	var mu sync.Mutex
	_, addr := startAOFServer(t, dir, probeOpener(&sink, &mu), "--appendonly", "yes", "--appendfsync", "no")
	c := dialRaw(t, addr)
	c.do("SET", "a", "1")
	mu.Lock()
	p := sink
	mu.Unlock()
	hold, in := p.holdSyncs()
	c.do("BGREWRITEAOF")
	<-in
	c.Send("SHUTDOWN", "SAVE")
	time.Sleep(50 * time.Millisecond)
	p.releaseSyncs(hold)
	if got, _ := c.readUntilClose(); got != "" {
		t.Fatalf("SHUTDOWN SAVE during a rewrite = %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err != nil {
		t.Errorf("SHUTDOWN SAVE wrote no dump: %v", err)
	}
	checkAOF(t, filepath.Join(dir, "appendonlydir"))
}

// Under appendfsync always, a client whose write an fsync in progress
// covers is answered once that fsync ends, even while the fsync of a
// write that came in meanwhile is still running: covered clients do not
// queue behind the next group's fsync.
func TestAOFAlwaysCoveredClientsDoNotWaitForTheNextFsync(t *testing.T) {
	var sink *probeSink
	var mu sync.Mutex
	srv, addr := startAOFServer(t, t.TempDir(), probeOpener(&sink, &mu), "--appendonly", "yes", "--appendfsync", "always")
	dialRaw(t, addr).do("SET", "warm", "up")
	mu.Lock()
	p := sink
	mu.Unlock()
	w := &srv.aof
	appendSET := func(key string) int64 {
		srv.prop.mu.Lock()
		defer srv.prop.mu.Unlock()
		w.Propagate(0, [][][]byte{{[]byte("SET"), []byte(key), []byte("v")}})
		end, _ := w.appendedSoFar()
		return end
	}
	synced := func(target int64) chan bool {
		ok := make(chan bool, 1)
		go func() { ok <- w.syncUpTo(target) }()
		return ok
	}
	within := func(ok chan bool, what string) {
		t.Helper()
		select {
		case got := <-ok:
			if !got {
				t.Fatalf("%s: not durable", what)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: still waiting", what)
		}
	}

	// A failing check must not leave an fsync held: Shutdown waits for it.
	var holds []chan struct{}
	t.Cleanup(func() {
		for _, hold := range holds {
			p.releaseSyncs(hold)
		}
	})
	hold1, in1 := p.holdSyncs()
	holds = append(holds, hold1)
	first := appendSET("a")
	leader := synced(first)
	<-in1 // the leader's fsync, covering a, is running
	covered := synced(first)
	next := synced(appendSET("b"))
	// Let both reach their wait on the running fsync. (One that comes
	// late finds a durable, or leads b's fsync itself: the checks below
	// hold either way.)
	time.Sleep(50 * time.Millisecond)

	hold2, in2 := p.holdSyncs()
	holds = append(holds, hold2)
	close(hold1)
	within(leader, "the leader")
	select {
	case <-in2: // b's fsync runs, and is held
	case <-time.After(5 * time.Second):
		t.Fatal("the write appended during the first fsync got no fsync of its own")
	}
	within(covered, "a client covered by the first fsync, while the next one runs")
	select {
	case <-next:
		t.Fatal("the write of b was reported durable before its fsync ended")
	default:
	}
	p.releaseSyncs(hold2)
	within(next, "the write appended during the first fsync")
}
