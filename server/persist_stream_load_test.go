package server

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// Streams in dumps: written by Redis and loaded here, written here and
// loaded by Redis, compared through XINFO STREAM FULL, XRANGE, XPENDING
// and XINFO GROUPS, whose replies hold no relative times.

// fillStreams makes streams of every shape through a connection: many
// nodes, deleted entries, entries whose fields differ from the master's,
// integer fields and values, trimmed streams, a stream left empty, one
// made empty by XGROUP CREATE MKSTREAM, groups with pending entries,
// claimed and acknowledged ones, consumers with nothing pending.
func fillStreams(c *rawConn) {
	c.do("FLUSHALL")
	for i := 1; i <= 250; i++ {
		args := []string{"XADD", "s:big", strconv.Itoa(1000+i) + "-" + strconv.Itoa(i%3), "f", "v" + strconv.Itoa(i), "n", strconv.Itoa(i * 7)}
		if i%17 == 0 {
			args = append(args, "extra", strings.Repeat("x", i))
		}
		c.do(args...)
	}
	for _, id := range []string{"1002-2", "1050-2", "1101-2", "1102-0", "1249-0"} {
		c.do("XDEL", "s:big", id)
	}
	c.do("XADD", "s:small", "1-1", "a", "1")
	c.do("XADD", "s:small", "2-0", "b", "-70000", "c", "12345678901")
	c.do("XADD", "s:small", "2-5", "a", "x")
	for i := range 10 {
		c.do("XADD", "s:trim", strconv.Itoa(5000+i)+"-0", "k", strconv.Itoa(i))
	}
	c.do("XTRIM", "s:trim", "MAXLEN", "4")
	c.do("XADD", "s:empty", "7-7", "a", "b")
	c.do("XDEL", "s:empty", "7-7")
	c.do("XSETID", "s:empty", "9-9", "ENTRIESADDED", "20", "MAXDELETEDID", "8-8")
	c.do("XGROUP", "CREATE", "s:mk", "g", "$", "MKSTREAM")
	c.do("XGROUP", "CREATE", "s:big", "g1", "0")
	c.do("XGROUP", "CREATE", "s:big", "g2", "1100-0", "ENTRIESREAD", "90")
	c.do("XGROUP", "CREATE", "s:big", "g3", "$")
	c.do("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "20", "STREAMS", "s:big", ">")
	c.do("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "5", "STREAMS", "s:big", ">")
	c.do("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "5", "STREAMS", "s:big", "0")
	c.do("XACK", "s:big", "g1", "1003-0", "1004-1", "1022-1")
	c.do("XCLAIM", "s:big", "g1", "carol", "0", "1005-2", "1006-0", "RETRYCOUNT", "7")
	c.do("XGROUP", "CREATECONSUMER", "s:big", "g1", "dave")
	c.do("XREADGROUP", "GROUP", "g2", "eve", "COUNT", "3", "NOACK", "STREAMS", "s:big", ">")
	c.do("XREADGROUP", "GROUP", "g2", "frank", "STREAMS", "s:big", ">")
	c.do("XGROUP", "CREATE", "s:small", "only", "0-0")
	c.do("XREADGROUP", "GROUP", "only", "z", "STREAMS", "s:small", ">")
	c.do("XDEL", "s:small", "2-0")
}

// describeStreams is what the streams fillStreams makes look like.
func describeStreams(c *rawConn) string {
	var b strings.Builder
	for _, key := range []string{"s:big", "s:small", "s:trim", "s:empty", "s:mk"} {
		b.WriteString(key + " " + c.do("TYPE", key))
		b.WriteString(c.do("XINFO", "STREAM", key, "FULL", "COUNT", "0"))
		b.WriteString(c.do("XRANGE", key, "-", "+"))
		b.WriteString(c.do("XREVRANGE", key, "+", "-", "COUNT", "3"))
		b.WriteString(c.do("XINFO", "GROUPS", key))
		for _, g := range []string{"g1", "g2", "g3", "only", "g"} {
			b.WriteString(c.do("XPENDING", key, g))
			// Not the extended form: its idle times are relative. XINFO
			// STREAM FULL has the delivery times themselves.
		}
	}
	return b.String()
}

// Redis writes streams, this server loads them as Redis holds them.
func TestLoadStreamsWrittenByRedis(t *testing.T) {
	for _, compression := range []string{"yes", "no"} {
		t.Run("rdbcompression "+compression, func(t *testing.T) {
			redis := redistest.Start(t, "rdbcompression", compression)
			rc := dialRaw(t, redis.Addr)
			fillStreams(rc)
			want := describeStreams(rc)
			if !strings.Contains(want, "carol") || !strings.Contains(want, "radix-tree-nodes") {
				t.Fatalf("the streams are not as meant:\n%s", want)
			}
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
			checkSameDescription(t, "this server after loading Redis's dump", describeStreams(dialRaw(t, addr)), want)
		})
	}
}

// checkSameDescription fails t if got is not want, showing where they
// part: the descriptions are too long to show whole.
func checkSameDescription(t *testing.T, what, got, want string) {
	t.Helper()
	if got == want {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(i-300, 0)
	t.Errorf("%s differs at byte %d:\n%q\nwant:\n%q", what, i, got[from:min(i+200, len(got))], want[from:min(i+200, len(want))])
}

var streamKeys = []string{"s:big", "s:small", "s:trim", "s:empty", "s:mk"}

// loadRedisStreams fills a Redis (under args) with fillStreams, and
// starts this server on Redis's dump. It returns both connections.
func loadRedisStreams(t *testing.T, args ...string) (redis, ours *rawConn, dir string) {
	t.Helper()
	r := redistest.Start(t, args...)
	rc := dialRaw(t, r.Addr)
	fillStreams(rc)
	if got := rc.do("SAVE"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	data, err := os.ReadFile(filepath.Join(r.Dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	os.WriteFile(filepath.Join(dir, "dump.rdb"), data, 0o644)
	var flags []string
	for i, a := range args {
		if i%2 == 0 {
			a = "--" + a
		}
		flags = append(flags, a)
	}
	_, addr := startInDir(t, dir, flags...)
	return rc, dialRaw(t, addr), dir
}

// DUMP gives a stream's payload byte for byte as Redis does, listpacks
// and all, compressed or not; each side RESTOREs the other's payload to
// the same stream.
func TestDumpStreamsAsRedis(t *testing.T) {
	for _, compression := range []string{"yes", "no"} {
		t.Run("rdbcompression "+compression, func(t *testing.T) {
			rc, oc, _ := loadRedisStreams(t, "rdbcompression", compression)
			want := describeStreams(rc)
			for _, key := range streamKeys {
				rd, od := rc.do("DUMP", key), oc.do("DUMP", key)
				if !strings.HasPrefix(rd, "$") || od != rd {
					t.Errorf("DUMP %s = %q\nredis: %q", key, od, rd)
				}
			}
			// Each side's payload, restored by the other.
			for _, key := range streamKeys {
				rp, op := bulkText(t, rc.do("DUMP", key)), bulkText(t, oc.do("DUMP", key))
				rc.do("DEL", key)
				oc.do("DEL", key)
				if got := rc.do("RESTORE", key, "0", op); got != "+OK\r\n" {
					t.Errorf("redis RESTORE %s of our payload = %q", key, got)
				}
				if got := oc.do("RESTORE", key, "0", rp); got != "+OK\r\n" {
					t.Errorf("our RESTORE %s of Redis's payload = %q", key, got)
				}
			}
			checkSameDescription(t, "this server after RESTORE", describeStreams(oc), want)
			checkSameDescription(t, "redis after RESTORE of our payloads", describeStreams(rc), want)
		})
	}
}

// bulkText returns the text of a RESP bulk string reply.
func bulkText(t *testing.T, reply string) string {
	t.Helper()
	i := strings.Index(reply, "\r\n")
	if !strings.HasPrefix(reply, "$") || i < 0 || !strings.HasSuffix(reply, "\r\n") {
		t.Fatalf("not a bulk string: %q", reply)
	}
	return reply[i+2 : len(reply)-2]
}

// This server saves the streams it loaded from Redis; redis-check-rdb
// accepts the file, Redis loads it to the same streams, and the streams'
// records are Redis's byte for byte.
func TestRedisLoadsOurStreams(t *testing.T) {
	for _, compression := range []string{"yes", "no"} {
		t.Run("rdbcompression "+compression, func(t *testing.T) {
			rc, oc, dir := loadRedisStreams(t, "rdbcompression", compression)
			want := describeStreams(rc)
			if got := oc.do("SAVE"); got != "+OK\r\n" {
				t.Fatalf("SAVE = %q", got)
			}
			path := filepath.Join(dir, "dump.rdb")
			checkRDB := redistest.Require(t, "redis-check-rdb")
			if out, err := exec.Command(checkRDB, path).CombinedOutput(); err != nil || !bytes.Contains(out, []byte("RDB looks OK")) {
				t.Fatalf("redis-check-rdb: %v\n%s", err, out)
			}
			redis := redistest.Start(t, "dir", dir, "dbfilename", "dump.rdb", "sanitize-dump-payload", "yes")
			checkSameDescription(t, "redis after loading our dump", describeStreams(dialRaw(t, redis.Addr)), want)
		})
	}
}
