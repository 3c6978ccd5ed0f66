package server

import (
	"os"
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
