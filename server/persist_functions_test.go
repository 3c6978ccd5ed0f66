package server

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/db/rdb"
	"github.com/mini-redis/mini-redis/internal/redistest"
	"go.uber.org/zap"
)

// Function libraries in dumps: saved and loaded here, written by Redis and
// loaded here, written here and loaded by Redis (and redis-check-rdb). A
// library that does not load fails the load, as in Redis.

// persistLibraries are loaded in each test: one long enough to be
// compressed, one with flags and a description.
func persistLibraries() []string {
	return []string{
		libCode("alpha", "fa1", "fa2", "fa3", "fa4", "fa5", "fa6"),
		"#!lua name=beta\nredis.register_function{function_name='fb', callback=function(keys, args) return redis.call('GET', keys[1]) end, flags={'no-writes'}, description='reads'}",
	}
}

// fillFunctions loads persistLibraries and a key through c.
func fillFunctions(t *testing.T, c *rawConn) {
	t.Helper()
	c.do("FUNCTION", "FLUSH")
	c.do("FLUSHALL")
	for _, l := range persistLibraries() {
		if r := c.do("FUNCTION", "LOAD", l); strings.HasPrefix(r, "-") {
			t.Fatalf("FUNCTION LOAD: %q", r)
		}
	}
	c.do("SET", "k", "the value")
}

// describeFunctions is what a server with fillFunctions' data answers.
func describeFunctions(t *testing.T, c *rawConn) string {
	t.Helper()
	return functionState(t, c) + c.do("FCALL", "fb", "1", "k") + c.do("FCALL", "fa6", "0") + c.do("GET", "k")
}

func TestSaveAndLoadFunctions(t *testing.T) {
	dir := t.TempDir()
	srv, addr := startInDir(t, dir)
	c := dialRaw(t, addr)
	fillFunctions(t, c)
	want := describeFunctions(t, c)
	if err := srv.Save(); err != nil {
		t.Fatal(err)
	}
	_, addr2 := startInDir(t, dir)
	if got := describeFunctions(t, dialRaw(t, addr2)); got != want {
		t.Errorf("after a restart:\n%q\nbefore:\n%q", got, want)
	}
	data, err := os.ReadFile(filepath.Join(dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	bin := redistest.Require(t, "redis-check-rdb")
	out, err := exec.Command(bin, filepath.Join(dir, "dump.rdb")).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("RDB looks OK")) {
		t.Errorf("redis-check-rdb: %v\n%s", err, out)
	}
	// The libraries come before the first SELECTDB, as Redis writes them.
	if i, j := bytes.IndexByte(data, 0xf5), bytes.IndexByte(data, 0xfe); i < 0 || i > j {
		t.Errorf("no library record (at %d) before SELECTDB (at %d)", i, j)
	}
}

func TestLoadFunctionsWrittenByRedis(t *testing.T) {
	redis := redistest.Start(t)
	rc := dialRaw(t, redis.Addr)
	fillFunctions(t, rc)
	want := describeFunctions(t, rc)
	if got := rc.do("SAVE"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	data, err := os.ReadFile(filepath.Join(redis.Dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "dump.rdb"), data, 0o644)
	_, addr := startInDir(t, dir)
	if got := describeFunctions(t, dialRaw(t, addr)); got != want {
		t.Errorf("this server after loading Redis's dump:\n%q\nredis:\n%q", got, want)
	}
}

func TestRedisLoadsOurFunctions(t *testing.T) {
	dir := t.TempDir()
	srv, addr := startInDir(t, dir)
	c := dialRaw(t, addr)
	fillFunctions(t, c)
	want := describeFunctions(t, c)
	if err := srv.Save(); err != nil {
		t.Fatal(err)
	}
	redis := redistest.Start(t, "dir", dir, "dbfilename", "dump.rdb")
	if got := describeFunctions(t, dialRaw(t, redis.Addr)); got != want {
		t.Errorf("redis after loading our dump:\n%q\nours:\n%q", got, want)
	}
}

// loadLibraries writes a dump of the given library code and a key, and
// loads it into a new server.
func loadLibraries(t *testing.T, codes ...string) (*Server, error) {
	t.Helper()
	dir := t.TempDir()
	var buf bytes.Buffer
	w := rdb.NewWriter(&buf, rdb.WriterOptions{Time: time.Now()})
	for _, code := range codes {
		if err := w.WriteLibrary([]byte(code)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.WriteEntry(rdb.Entry{Key: []byte("k"), Value: []byte("v")}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "dump.rdb"), buf.Bytes(), 0o644)
	cfg, err := loadTestConfig([]string{"--save", "", "--dir", dir})
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(cfg, zap.NewNop())
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	return srv, srv.loadDump()
}

// A library that does not load fails the whole load, as Redis's
// "Failed loading library, ..." does (checked by hand against
// redis-server 7.0.15, which then refuses to start).
func TestLoadRefusesBadLibraries(t *testing.T) {
	good := libCode("g", "fg")
	for _, tc := range []struct {
		name  string
		codes []string
		msg   string
	}{
		{"no metadata", []string{"return 1"}, "Failed loading library, Missing library metadata"},
		{"engine", []string{"#!js name=x\nreturn 1"}, "Failed loading library, Engine 'js' not found"},
		{"no functions", []string{good, "#!lua name=x\nreturn 1"}, "Failed loading library, No functions registered"},
		{"same library twice", []string{good, good}, "Failed loading library, Library 'g' already exists"},
		{"same function twice", []string{good, libCode("h", "fg")}, "Failed loading library, Function fg already exists"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := loadLibraries(t, tc.codes...)
			if err == nil || !strings.HasSuffix(err.Error(), tc.msg) {
				t.Fatalf("loadDump = %v, want an error ending %q", err, tc.msg)
			}
			if libs, _ := srv.scripts.engine.Counts(); libs != 0 {
				t.Errorf("%d libraries loaded from a dump that failed", libs)
			}
		})
	}
	srv, err := loadLibraries(t, good, libCode("h", "fh"))
	if err != nil {
		t.Fatal(err)
	}
	if libs, funcs := srv.scripts.engine.Counts(); libs != 2 || funcs != 2 {
		t.Errorf("%d libraries and %d functions loaded, want 2 and 2", libs, funcs)
	}
}
