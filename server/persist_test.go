package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/db/rdb"
	"github.com/mini-redis/mini-redis/internal/redistest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"
)

// startInDir starts a server with the wall clock whose dump lives in dir,
// loading it first as the binary does; extra args configure it further.
func startInDir(t *testing.T, dir string, args ...string) (*Server, string) {
	t.Helper()
	cfg, err := loadTestConfig(append([]string{"--save", "", "--dir", dir}, args...))
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(cfg, zap.NewNop())
	if err := srv.loadDump(); err != nil {
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

// fill writes a data set with every string encoding, deadlines and
// several databases, through a connection.
func fill(c *rawConn) {
	c.do("FLUSHALL")
	c.do("SET", "int:small", "7")
	c.do("SET", "int:neg", "-123456")
	c.do("SET", "int:big", "9223372036854775807")
	c.do("SET", "notint", "0123")
	c.do("SET", "empty", "")
	c.do("SET", "binary", "a\x00b\r\n\xff")
	c.do("SET", "long", strings.Repeat("compressible ", 100))
	c.do("SET", "random", string(bytes.Repeat([]byte{1, 200, 3, 77, 9, 254}, 50)))
	c.do("SET", "ttl", "soon", "EX", "1000")
	c.do("SET", "pttl", "later", "PXAT", "4102444800123")
	for i := 0; i < 300; i++ {
		c.do("SET", "many:"+strconv.Itoa(i), strconv.Itoa(i*i))
	}
	c.do("SELECT", "3")
	c.do("SET", "in:db3", "three")
	c.do("SELECT", "15")
	c.do("SET", "in:db15", "fifteen", "EX", "500")
	c.do("SELECT", "0")
}

// describe reads back what fill wrote, in a form both servers must agree
// on: deadlines as absolute times, which a dump keeps exactly.
func describe(c *rawConn) string {
	var b strings.Builder
	for _, dbi := range []string{"0", "3", "15"} {
		c.do("SELECT", dbi)
		fmt.Fprintf(&b, "db%s size=%q\n", dbi, c.do("DBSIZE"))
		for _, k := range []string{"int:small", "int:neg", "int:big", "notint", "empty", "binary", "long", "random",
			"ttl", "pttl", "many:0", "many:299", "in:db3", "in:db15"} {
			ttl := c.do("PEXPIRETIME", k)
			fmt.Fprintf(&b, "%s=%q ttl=%q enc=%q\n", k, c.do("GET", k), ttl, c.do("OBJECT", "ENCODING", k))
		}
	}
	c.do("SELECT", "0")
	return b.String()
}

func TestSaveAndLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	srv, addr := startInDir(t, dir)
	c := dialRaw(t, addr)
	fill(c)
	want := describe(c)
	before := c.do("LASTSAVE")
	time.Sleep(1100 * time.Millisecond) // LASTSAVE counts seconds
	if got := c.do("SAVE"); got != "+OK\r\n" {
		t.Fatalf("SAVE = %q", got)
	}
	if got := c.do("LASTSAVE"); got == before {
		t.Error("LASTSAVE did not move")
	}
	info := c.do("INFO", "persistence")
	for _, field := range []string{"rdb_changes_since_last_save:0", "rdb_last_bgsave_status:ok", "rdb_saves:1"} {
		if !strings.Contains(info, field) {
			t.Errorf("INFO persistence lacks %s:\n%s", field, info)
		}
	}
	srv.Shutdown(context.Background())

	_, addr2 := startInDir(t, dir)
	if got := describe(dialRaw(t, addr2)); got != want {
		t.Errorf("after reload:\n%s\nwant:\n%s", got, want)
	}
}

func TestBgsave(t *testing.T) {
	dir := t.TempDir()
	_, addr := startInDir(t, dir)
	c := dialRaw(t, addr)
	fill(c)
	if got := c.do("BGSAVE"); got != "+Background saving started\r\n" {
		t.Fatalf("BGSAVE = %q", got)
	}
	waitFor(t, func() bool { return strings.Contains(c.do("INFO", "persistence"), "rdb_bgsave_in_progress:0") })
	if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err != nil {
		t.Fatal(err)
	}
	if got := c.do("BGSAVE", "NOW"); got != "-ERR syntax error\r\n" {
		t.Errorf("BGSAVE NOW = %q", got)
	}
	// No temporary file is left behind.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "temp-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hangTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not reached in %v", hangTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A save into a directory that cannot be written fails, says so in INFO
// and the log, and refuses writes while save rules exist.
func TestFailedSaveStopsWrites(t *testing.T) {
	if os.Geteuid() == 0 {
		// root writes anywhere: make the dump's name a directory instead.
		t.Log("running as root: the dump path is made a directory to fail the rename")
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "dump.rdb"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "dump.rdb", "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadTestConfig([]string{"--save", "3600 1", "--dir", dir})
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(cfg, zap.NewNop())
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())
	c := dialRaw(t, ln.Addr().String())
	c.do("SET", "k", "v")
	if got := c.do("SAVE"); got != "-ERR\r\n" {
		t.Fatalf("SAVE into a blocked path = %q", got)
	}
	if !strings.Contains(c.do("INFO", "persistence"), "rdb_last_bgsave_status:err") {
		t.Error("INFO does not show the failed save")
	}
	if got := c.do("SET", "k", "w"); !strings.HasPrefix(got, "-MISCONF ") {
		t.Errorf("write after a failed save: %q, want MISCONF", got)
	}
	if got := c.do("GET", "k"); got != "$1\r\nv\r\n" {
		t.Errorf("reads must go on: %q", got)
	}
	// Without save rules, or with stop-writes-on-bgsave-error off, writes go on.
	c.do("CONFIG", "SET", "stop-writes-on-bgsave-error", "no")
	if got := c.do("SET", "k", "w"); got != "+OK\r\n" {
		t.Errorf("write with stop-writes-on-bgsave-error no: %q", got)
	}
	// Once the path is fixed, the next save succeeds and writes are allowed.
	c.do("CONFIG", "SET", "stop-writes-on-bgsave-error", "yes")
	os.RemoveAll(filepath.Join(dir, "dump.rdb"))
	if got := c.do("SAVE"); got != "+OK\r\n" {
		t.Fatalf("SAVE after the fix = %q", got)
	}
	if got := c.do("SET", "k", "x"); got != "+OK\r\n" {
		t.Errorf("write after a good save: %q", got)
	}
}

func TestSaveRulesTriggerBackgroundSave(t *testing.T) {
	dir := t.TempDir()
	_, addr := startInDir(t, dir)
	c := dialRaw(t, addr)
	c.do("CONFIG", "SET", "save", "1 2")
	c.do("SET", "a", "1")
	time.Sleep(1500 * time.Millisecond) // one change: below the rule
	if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err == nil {
		t.Fatal("saved after 1 change with a rule of 2")
	}
	c.do("SET", "b", "2")
	waitFor(t, func() bool {
		_, err := os.Stat(filepath.Join(dir, "dump.rdb"))
		return err == nil && strings.Contains(c.do("INFO", "persistence"), "rdb_changes_since_last_save:0")
	})
}

func TestShutdownSavesUnlessNosave(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		cmd   []string
		saved bool
	}{
		{args: []string{"--save", "3600 1"}, cmd: []string{"SHUTDOWN"}, saved: true},
		{args: []string{"--save", "3600 1"}, cmd: []string{"SHUTDOWN", "NOSAVE"}, saved: false},
		{args: []string{"--save", ""}, cmd: []string{"SHUTDOWN"}, saved: false},
		{args: []string{"--save", ""}, cmd: []string{"SHUTDOWN", "SAVE"}, saved: true},
	} {
		t.Run(strings.Join(append(tc.args, tc.cmd...), " "), func(t *testing.T) {
			dir := t.TempDir()
			cmd, addr, logs := serverProcess(t, append([]string{"--dir", dir}, tc.args...)...)
			c := dialRaw(t, addr)
			c.do("SET", "k", "v")
			c.Send(tc.cmd...)
			if got, _ := c.readUntilClose(); len(got) != 0 {
				t.Errorf("SHUTDOWN replied %q", got)
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("exit: %v\n%s", err, logs)
			}
			_, err := os.Stat(filepath.Join(dir, "dump.rdb"))
			if saved := err == nil; saved != tc.saved {
				t.Errorf("dump saved = %v, want %v\n%s", saved, tc.saved, logs)
			}
		})
	}
}

// SIGTERM saves when save rules are configured, and the next start loads.
func TestSIGTERMSavesAndRestartLoads(t *testing.T) {
	dir := t.TempDir()
	cmd, addr, logs := serverProcess(t, "--dir", dir, "--save", "3600 1")
	c := dialRaw(t, addr)
	fill(c)
	want := describe(c)
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, logs)
	}
	_, addr2, _ := serverProcess(t, "--dir", dir, "--save", "")
	if got := describe(dialRaw(t, addr2)); got != want {
		t.Errorf("after restart:\n%s\nwant:\n%s", got, want)
	}
}

// Killing the process at any moment of a BGSAVE leaves the previous dump
// loadable.
func TestKillDuringBgsaveKeepsTheOldDump(t *testing.T) {
	dir := t.TempDir()
	cmd, addr, logs := serverProcess(t, "--dir", dir, "--save", "")
	c := dialRaw(t, addr)
	c.do("SET", "generation", "0")
	if got := c.do("SAVE"); got != "+OK\r\n" {
		t.Fatalf("SAVE = %q\n%s", got, logs)
	}
	cmd.Process.Kill()
	cmd.Wait()
	dump := filepath.Join(dir, "dump.rdb")
	generation, kept, replaced := 0, 0, 0
	for round := 1; round <= 12; round++ {
		cmd, addr, _ := serverProcess(t, "--dir", dir, "--save", "")
		c := dialRaw(t, addr)
		if got, want := c.do("GET", "generation"), fmt.Sprintf("$%d\r\n%d\r\n", len(strconv.Itoa(generation)), generation); got != want {
			t.Fatalf("round %d started with generation %q, want %q", round, got, want)
		}
		// A data set big enough that writing it takes a while.
		var pipe strings.Builder
		pipe.WriteString("CLIENT REPLY OFF\r\n")
		for i := 0; i < 20000; i++ {
			fmt.Fprintf(&pipe, "SET key:%d %s\r\n", i, strings.Repeat("v", 100))
		}
		fmt.Fprintf(&pipe, "SET generation %d\r\n", round)
		pipe.WriteString("CLIENT REPLY ON\r\n")
		c.sendRaw(pipe.String())
		if got := c.readReply(); got != "+OK\r\n" {
			t.Fatalf("round %d: CLIENT REPLY ON = %q", round, got)
		}
		c.Send("BGSAVE")
		// Kill at different moments: at once, mid-write, or once the save
		// is surely done, so that both outcomes happen on any machine.
		switch round % 4 {
		case 0:
			c.readReply()
			waitFor(t, func() bool { return strings.Contains(c.do("INFO", "persistence"), "rdb_bgsave_in_progress:0") })
		case 1:
		default:
			time.Sleep(time.Duration(round%4) * 5 * time.Millisecond)
		}
		cmd.Process.Kill()
		cmd.Wait()
		// Whatever happened, the dump is one whole generation.
		got := dumpGeneration(t, dump)
		switch got {
		case generation:
			kept++ // killed before the rename: the old dump stands
		case round:
			replaced++
		default:
			t.Fatalf("round %d: dump holds generation %d, want %d or %d", round, got, generation, round)
		}
		generation = got
	}
	// Both outcomes must have happened, or the kills missed the saves.
	t.Logf("old dump kept %d times, replaced %d times", kept, replaced)
	if kept == 0 || replaced == 0 {
		t.Errorf("kills never landed both before and after the rename (kept %d, replaced %d)", kept, replaced)
	}
}

// dumpGeneration loads the dump with the rdb package (which checks it whole,
// checksum included) and returns its "generation" key.
func dumpGeneration(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("dump unreadable: %v", err)
	}
	defer f.Close()
	gen := -1
	if _, err := rdb.Load(f, func(e rdb.Entry) error {
		if string(e.Key) == "generation" {
			gen, _ = strconv.Atoi(string(e.Value))
		}
		return nil
	}); err != nil {
		t.Fatalf("the dump does not load: %v", err)
	}
	if gen < 0 {
		t.Fatal("the dump has no generation key")
	}
	return gen
}

// A damaged dump loads nothing, and the server refuses to start.
func TestCorruptDumpRefusesToStart(t *testing.T) {
	dir := t.TempDir()
	srv, addr := startInDir(t, dir)
	fill(dialRaw(t, addr))
	if err := srv.Save(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "dump.rdb")
	data, _ := os.ReadFile(path)
	data[len(data)/2] ^= 0x55
	os.WriteFile(path, data, 0o644)
	cfg, _ := loadTestConfig([]string{"--save", "", "--dir", dir})
	damaged := newServer(cfg, zap.NewNop())
	defer damaged.Shutdown(context.Background())
	err := damaged.loadDump()
	if err == nil {
		t.Fatal("a damaged dump loaded")
	}
	var re *rdb.Error
	if !errors.As(err, &re) {
		t.Errorf("error %v does not say where the dump is damaged", err)
	}
}

// Redis writes a dump, this server loads it and answers as Redis does.
func TestLoadDumpWrittenByRedis(t *testing.T) {
	redis := redistest.Start(t)
	rc := dialRaw(t, redis.Addr)
	fill(rc)
	want := describe(rc)
	if got := rc.do("SAVE"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	// redistest.Start's first --dir is where Redis writes (CONFIG GET dir).
	dirReply := rc.do("CONFIG", "GET", "dir")
	redisDir := strings.Split(dirReply, "\r\n")[4]
	data, err := os.ReadFile(filepath.Join(redisDir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "dump.rdb"), data, 0o644)
	_, addr := startInDir(t, dir)
	if got := describe(dialRaw(t, addr)); got != want {
		t.Errorf("this server after loading Redis's dump:\n%s\nredis:\n%s", got, want)
	}
}

// This server writes a dump, Redis loads it and answers as this server.
func TestRedisLoadsOurDump(t *testing.T) {
	dir := t.TempDir()
	srv, addr := startInDir(t, dir)
	c := dialRaw(t, addr)
	fill(c)
	want := describe(c)
	if err := srv.Save(); err != nil {
		t.Fatal(err)
	}
	redis := redistest.Start(t, "dir", dir, "dbfilename", "dump.rdb")
	if got := describe(dialRaw(t, redis.Addr)); got != want {
		t.Errorf("redis after loading our dump:\n%s\nours:\n%s", got, want)
	}
}

// A save that fails before writing anything (its directory is gone)
// closes its snapshot: the next save works.
func TestSaveFailingEarlyClosesItsSnapshot(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "data")
	os.Mkdir(dir, 0o755)
	srv, addr := startInDir(t, dir)
	c := dialRaw(t, addr)
	c.do("SET", "k", "v")
	os.RemoveAll(dir)
	if err := srv.Save(); err == nil {
		t.Fatal("a save into a missing directory succeeded")
	}
	os.Mkdir(dir, 0o755)
	if err := srv.Save(); err != nil {
		t.Fatalf("the save after the failure: %v", err)
	}
	if got := c.do("SET", "k", "w"); got != "+OK\r\n" {
		t.Errorf("write after recovery: %q", got)
	}
}

// The dump's keyspace replaces the empty one while the server's background
// loops already run on it (a race the race detector finds otherwise).
func TestLoadDumpWhileBackgroundLoopsRun(t *testing.T) {
	dir := t.TempDir()
	srv, addr := startInDir(t, dir)
	dialRaw(t, addr).do("SET", "k", "v")
	if err := srv.Save(); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadTestConfig([]string{"--save", "", "--dir", dir})
	if err != nil {
		t.Fatal(err)
	}
	loaded := newServer(cfg, zap.NewNop())
	defer loaded.Shutdown(context.Background())
	if err := loaded.loadDump(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(250 * time.Millisecond) // active expiry runs every 100 ms
	if n := loaded.keyCount(); n != 1 {
		t.Errorf("%d keys loaded, want 1", n)
	}
}

// SHUTDOWN saves holding the world lock. A save that starts meanwhile (the
// save rules', the admin API's) waits for the lock before it claims the
// right to save, so SHUTDOWN's own save does not fail as already in
// progress.
func TestShutdownSavesWhileAnotherSaveStarts(t *testing.T) {
	dir := t.TempDir()
	srv, addr := startInDir(t, dir)
	dialRaw(t, addr).do("SET", "k", "v")
	srv.world.Lock() // as SHUTDOWN holds it (client.exclusive)
	started := make(chan error, 1)
	go func() { started <- srv.BackgroundSave() }()
	time.Sleep(50 * time.Millisecond) // the save has gone as far as it can
	err := srv.shutdownLocked(shutdownRequest{save: true})
	srv.world.Unlock()
	if err != nil {
		t.Errorf("SHUTDOWN while a background save starts: %v", err)
	}
	<-started
	if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err != nil {
		t.Errorf("no dump after SHUTDOWN: %v", err)
	}
}

// Shutdown whose final save fails is aborted: it says so, nothing is
// closed and the data stays; clients go on being served, and once the dump
// can be written the next Shutdown saves and stops.
func TestShutdownAbortedByFailedSave(t *testing.T) {
	dir := t.TempDir()
	srv, addr := startInDir(t, dir, "--save", "3600 1")
	c := dialRaw(t, addr)
	c.do("SET", "k", "v")
	blocker := filepath.Join(dir, "dump.rdb")
	if err := os.MkdirAll(filepath.Join(blocker, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	requested := srv.ShutdownRequested()
	srv.RequestShutdown()
	<-requested
	if !srv.ShutdownPending() {
		t.Error("no shutdown pending after RequestShutdown")
	}
	err := srv.Shutdown(context.Background())
	if !errors.Is(err, ErrShutdownAborted) {
		t.Fatalf("Shutdown with a failing save: %v, want ErrShutdownAborted", err)
	}
	if srv.ShutdownPending() {
		t.Error("the aborted shutdown is still pending: the next request would be lost")
	}
	select {
	case <-srv.ShutdownRequested():
		t.Error("the request channel was not re-armed")
	default:
	}
	if got := c.do("GET", "k"); got != "$1\r\nv\r\n" {
		t.Errorf("GET after the aborted shutdown: %q", got)
	}
	if got := dialRaw(t, addr).do("PING"); got != "+PONG\r\n" {
		t.Errorf("a new client after the aborted shutdown: %q", got)
	}

	os.RemoveAll(blocker)
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown once the dump can be written: %v", err)
	}
	if got, _ := c.readUntilClose(); len(got) != 0 {
		t.Errorf("client got %q at the close", got)
	}
	_, again := startInDir(t, dir)
	if got := dialRaw(t, again).do("GET", "k"); got != "$1\r\nv\r\n" {
		t.Errorf("GET k after a restart from the final dump: %q", got)
	}
}

// fullDisk is a file system that takes room bytes and then fails every
// write with ENOSPC, as a full disk does; the file it writes is real.
type fullDisk struct{ room int }

func (d *fullDisk) create(name string) (dumpFile, error) {
	f, err := os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	return &fullFile{File: f, left: d.room}, nil
}

type fullFile struct {
	*os.File
	left int
}

func (f *fullFile) Write(p []byte) (int, error) {
	if len(p) > f.left {
		n, _ := f.File.Write(p[:f.left])
		f.left = 0
		return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	f.left -= len(p)
	return f.File.Write(p)
}

// A save that fills the disk fails cleanly, for SAVE and BGSAVE: an error
// reply or the log, INFO's status, the previous dump intact, no temporary
// file left, and writes refused (stop-writes-on-bgsave-error) until a save
// succeeds.
func TestSaveOnFullDisk(t *testing.T) {
	dir := t.TempDir()
	core, logs := observer.New(zap.InfoLevel)
	cfg, err := loadTestConfig([]string{"--save", "3600 1", "--dir", dir})
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(cfg, zap.New(core))
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())
	c := dialRaw(t, ln.Addr().String())
	c.do("SET", "k", "v")
	if got := c.do("SAVE"); got != "+OK\r\n" {
		t.Fatalf("first SAVE: %q", got)
	}
	dump := filepath.Join(dir, "dump.rdb")
	before, err := os.ReadFile(dump)
	if err != nil {
		t.Fatal(err)
	}
	c.do("SET", "big", strings.Repeat("x", 1<<16))
	// Under the world lock, which every command takes, so that the race
	// detector sees the commands' saves happen after.
	srv.world.Lock()
	srv.persist.createTemp = (&fullDisk{room: 100}).create
	srv.world.Unlock()

	if got := c.do("SAVE"); got != "-ERR\r\n" {
		t.Errorf("SAVE on a full disk: %q, want -ERR as Redis", got)
	}
	if got := c.do("BGSAVE"); got != "+Background saving started\r\n" {
		t.Errorf("BGSAVE on a full disk: %q", got)
	}
	waitFor(t, func() bool { return strings.Contains(c.do("INFO", "persistence"), "rdb_bgsave_in_progress:0") })
	info := c.do("INFO", "persistence")
	for _, want := range []string{"rdb_last_bgsave_status:err", "rdb_changes_since_last_save:1"} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO persistence lacks %q:\n%s", want, info)
		}
	}
	if n := logs.FilterMessage("saving the dump failed").FilterFieldKey("error").Len(); n != 2 {
		t.Errorf("%d save failures logged, want 2", n)
	}
	for _, e := range logs.FilterMessage("saving the dump failed").All() {
		if err, _ := e.ContextMap()["error"].(string); !strings.Contains(err, "no space left on device") {
			t.Errorf("logged error %q does not name the full disk", err)
		}
	}
	after, err := os.ReadFile(dump)
	if err != nil || !bytes.Equal(after, before) {
		t.Errorf("the previous dump changed after failed saves (err %v)", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "dump.rdb" {
			t.Errorf("left behind in the dump's directory: %s", e.Name())
		}
	}
	if got := c.do("SET", "k", "w"); !strings.HasPrefix(got, "-MISCONF ") {
		t.Errorf("write after a failed save: %q, want MISCONF", got)
	}

	srv.world.Lock()
	srv.persist.createTemp = nil // room again
	srv.world.Unlock()
	if got := c.do("SAVE"); got != "+OK\r\n" {
		t.Fatalf("SAVE with room: %q", got)
	}
	if got := c.do("SET", "k", "w"); got != "+OK\r\n" {
		t.Errorf("write after a good save: %q", got)
	}
}

// stalledDisk's files block their first write until release is closed,
// after telling started.
type stalledDisk struct {
	started, release chan struct{}
	once             sync.Once
}

type stalledFile struct {
	*os.File
	d *stalledDisk
}

func (d *stalledDisk) create(name string) (dumpFile, error) {
	f, err := os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	return stalledFile{f, d}, err
}

func (f stalledFile) Write(p []byte) (int, error) {
	f.d.once.Do(func() {
		close(f.d.started)
		<-f.d.release
	})
	return f.File.Write(p)
}

// A shutdown abandons a background save in progress, as Redis kills its
// saving child: with no save rules no dump is written, the previous one
// (none here) stays, and no temporary file is left.
func TestShutdownAbandonsABackgroundSave(t *testing.T) {
	dir := t.TempDir()
	cfg, err := loadTestConfig([]string{"--save", "", "--dir", dir, "--rdbcompression", "no"})
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(cfg, zaptest.NewLogger(t))
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(ln)
	c := dialRaw(t, ln.Addr().String())
	// More than the save's 1 MB buffer, over many shards, uncompressed.
	value := strings.Repeat("v", 1000)
	for i := 0; i < 3000; i++ {
		c.do("SET", fmt.Sprint("key:", i), value)
	}
	disk := &stalledDisk{started: make(chan struct{}), release: make(chan struct{})}
	srv.world.Lock()
	srv.persist.createTemp = disk.create
	srv.world.Unlock()
	if got := c.do("BGSAVE"); got != "+Background saving started\r\n" {
		t.Fatalf("BGSAVE: %q", got)
	}
	<-disk.started
	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(context.Background()) }()
	waitFor(t, srv.persist.abandon.Load)
	close(disk.release)
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("left in the dump's directory after the abandoned save: %s", e.Name())
	}
}
