package server

import (
	"bytes"
	"context"
	"encoding/binary"
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
	// The libraries come after the AUX fields and before the first
	// SELECTDB, as Redis writes them.
	if got, want := leadingOpcodes(t, data), []byte{0xf5, 0xf5, 0xfe}; !bytes.Equal(got, want) {
		t.Errorf("records after the AUX fields: % x, want % x", got, want)
	}
}

// leadingOpcodes walks an RDB file's AUX (0xfa) and function (0xf5)
// records and returns the opcodes after the AUX fields, up to and
// including the first other one.
func leadingOpcodes(t *testing.T, data []byte) []byte {
	t.Helper()
	p := data[9:] // "REDIS0010"
	// length reads an RDB length; special reports the 11xxxxxx forms,
	// whose low six bits say what follows.
	length := func() (n int, special bool) {
		if len(p) < 9 {
			t.Fatal("RDB ends inside a length")
		}
		b := p[0]
		switch {
		case b>>6 == 0:
			n, p = int(b&0x3f), p[1:]
		case b>>6 == 1:
			n, p = int(b&0x3f)<<8|int(p[1]), p[2:]
		case b == 0x80:
			n, p = int(binary.BigEndian.Uint32(p[1:])), p[5:]
		case b>>6 == 3:
			return int(b & 0x3f), true
		default:
			t.Fatalf("RDB length encoding %#x", b)
		}
		return n, false
	}
	skipString := func() {
		n, special := length()
		if special {
			p = p[1:]
			switch n {
			case 0, 1, 2: // an 8, 16 or 32-bit integer
				n = 1 << n
			case 3: // LZF: compressed length, plain length, data
				n, _ = length()
				length()
			default:
				t.Fatalf("RDB string encoding %d", n)
			}
		}
		p = p[n:]
	}
	var ops []byte
	for len(p) > 0 {
		op := p[0]
		p = p[1:]
		switch op {
		case 0xfa:
			skipString()
			skipString()
		case 0xf5:
			ops = append(ops, op)
			skipString()
		default:
			return append(ops, op)
		}
	}
	return ops
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
