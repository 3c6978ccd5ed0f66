package rdb

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
	"github.com/mini-redis/mini-redis/internal/redistest/redisconn"
)

// startRedisWithDump starts redis-server on the RDB file data. Start
// passes --dir itself; a second "dir" directive overrides it (Redis
// applies its arguments in order), so the server loads our file at
// startup, as it would load its own dump.rdb.
func startRedisWithDump(t *testing.T, data []byte, directives ...string) *redistest.Server {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mini.rdb"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	srv := redistest.Start(t, append([]string{"dir", dir, "dbfilename", "mini.rdb"}, directives...)...)
	log, _ := os.ReadFile(filepath.Join(srv.Dir, "redis.log"))
	if !bytes.Contains(log, []byte("DB loaded from disk")) {
		t.Fatalf("redis-server did not load the file:\n%s", log)
	}
	return srv
}

// TestRedisLoadsWriter writes a file with Writer and checks, over the
// protocol, that redis-server 7 loaded every key, value and expiry.
func TestRedisLoadsWriter(t *testing.T) {
	live := roundTripEntries()
	expired := Entry{DB: 0, Key: []byte("expired"), Value: []byte("gone"), ExpireAt: 1000}
	var buf bytes.Buffer
	w := NewWriter(&buf, WriterOptions{Time: time.Unix(1700000000, 0), UsedMem: 1 << 20})
	// Hints for DB 0, none for the others (WriteEntry selects them).
	if err := w.SelectDB(0, 100, 10); err != nil {
		t.Fatal(err)
	}
	for _, e := range append([]Entry{expired}, live...) {
		if err := w.WriteEntry(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	checkWithRedisCheckRDB(t, buf.Bytes())
	srv := startRedisWithDump(t, buf.Bytes())
	c := redisconn.Dial(t, srv.Addr)
	perDB := make(map[int]int)
	for _, e := range live {
		perDB[e.DB]++
		c.Do("SELECT", strconv.Itoa(e.DB))
		if got := c.Do("GET", string(e.Key)); got.Nil || string(got.Str) != string(e.Value) {
			t.Errorf("%s: GET = %.40q (nil %v), want %.40q", entryID(e), got.Str, got.Nil, e.Value)
		}
		wantExp := int64(-1)
		if e.ExpireAt != 0 {
			wantExp = e.ExpireAt
		}
		if got := intReply(t, c, "PEXPIRETIME", string(e.Key)); got != wantExp {
			t.Errorf("%s: PEXPIRETIME = %d, want %d", entryID(e), got, wantExp)
		}
		pttl := intReply(t, c, "PTTL", string(e.Key))
		if (e.ExpireAt == 0) != (pttl == -1) || (e.ExpireAt != 0 && pttl <= 0) {
			t.Errorf("%s: PTTL = %d, want %s", entryID(e), pttl, map[bool]string{true: "-1", false: "> 0"}[e.ExpireAt == 0])
		}
	}
	for db, n := range perDB {
		c.Do("SELECT", strconv.Itoa(db))
		if got := intReply(t, c, "DBSIZE"); got != int64(n) {
			t.Errorf("DB %d: DBSIZE = %d, want %d", db, got, n)
		}
	}
	// Redis drops keys that expired before it loaded them.
	c.Do("SELECT", "0")
	if got := intReply(t, c, "EXISTS", "expired"); got != 0 {
		t.Errorf("EXISTS expired = %d, want 0", got)
	}
}

// intReply sends a command and returns its integer reply; any other reply
// fails the test.
func intReply(t *testing.T, c *redisconn.Conn, args ...string) int64 {
	t.Helper()
	f := c.Do(args...)
	if f.Type != frame.Integer {
		t.Fatalf("%q: reply %v, want an integer", args, f)
	}
	return f.Int
}

// checkWithRedisCheckRDB runs Redis's own RDB checker on data.
func checkWithRedisCheckRDB(t *testing.T, data []byte) {
	t.Helper()
	bin := redistest.Require(t, "redis-check-rdb")
	path := filepath.Join(t.TempDir(), "check.rdb")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "RDB looks OK") || !strings.Contains(string(out), "Checksum OK") {
		t.Fatalf("redis-check-rdb: %v\n%s", err, out)
	}
}

// TestWriterMatchesRedis has redis-server and Writer save the same keys
// and compares the files byte for byte. One key per database, as Redis
// orders the keys of a database by hash; no value that LZF shrinks, as
// our compressor is free to choose other matches than liblzf's.
func TestWriterMatchesRedis(t *testing.T) {
	es := []Entry{
		{DB: 0, Key: []byte("int8"), Value: []byte("-7")},
		{DB: 1, Key: []byte("int16"), Value: []byte("-300"), ExpireAt: farFuture},
		{DB: 2, Key: []byte("int32"), Value: []byte("100000")},
		{DB: 3, Key: []byte("beyond int32"), Value: []byte("2147483648")},
		{DB: 4, Key: []byte("not canonical"), Value: []byte("007")},
		{DB: 5, Key: []byte("empty"), Value: []byte("")},
		{DB: 6, Key: []byte("12345"), Value: []byte("integer key"), ExpireAt: farFuture + 1},
		{DB: 7, Key: []byte("random 100"), Value: pseudoRandom("100", 100)},
		{DB: 8, Key: []byte("random 20000"), Value: pseudoRandom("20000", 20000)},
		{DB: 9, Key: []byte("random 70000"), Value: pseudoRandom("70000", 70000)},
	}
	srv := redistest.Start(t)
	c := redisconn.Dial(t, srv.Addr)
	fillRedis(c, es)
	c.Do("SAVE")
	requireWriterMatches(t, srv, es, WriterOptions{})
}

// requireWriterMatches writes es with a Writer configured by opts and the
// aux fields (ctime, used-mem) of the dump srv has just saved, one entry
// per SELECTDB as the tests' dumps have them, and fails t unless the file
// is Redis's byte for byte.
func requireWriterMatches(t *testing.T, srv *redistest.Server, es []Entry, opts WriterOptions) {
	t.Helper()
	redis, err := os.ReadFile(filepath.Join(srv.Dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(bytes.NewReader(redis))
	if err != nil {
		t.Fatal(err)
	}
	ctime, _ := strconv.ParseInt(r.Aux()["ctime"], 10, 64)
	usedMem, _ := strconv.ParseInt(r.Aux()["used-mem"], 10, 64)
	opts.RedisVersion, opts.Time, opts.UsedMem = srv.Version(t), time.Unix(ctime, 0), usedMem

	var buf bytes.Buffer
	w := NewWriter(&buf, opts)
	for _, e := range es {
		expires := 0
		if e.ExpireAt != 0 {
			expires = 1
		}
		if err := w.SelectDB(e.DB, 1, expires); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteEntry(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if mine := buf.Bytes(); !bytes.Equal(mine, redis) {
		i := 0
		for i < min(len(mine), len(redis)) && mine[i] == redis[i] {
			i++
		}
		t.Fatalf("Writer's file (%d bytes) differs from Redis's (%d bytes) from offset %d:\n mine %x\nredis %x",
			len(mine), len(redis), i, mine[i:min(i+48, len(mine))], redis[i:min(i+48, len(redis))])
	}
}
