package server

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
)

// Differential tests of the stream commands, run as the other
// collections' are (runCollectionScripts: RESP2 and RESP3, keyspace
// lookups and the dirty count compared after every step). Entries get
// explicit IDs, so the replies are the same on both servers; "*" IDs,
// which depend on each server's clock, are compared by shape.

var streamDiffScripts = map[string][]step{
	"xadd xlen xrange": {
		s("XADD s 1-1 a 1"), s("XADD s 1-2 b 2 c 3"), s("XLEN s"), s("XRANGE s - +"), s("XREVRANGE s + -"),
		s("XADD s 1-2 x y"), s("XADD s 1-1 x y"), s("XADD s 0-0 x y"), s("XADD s 0 x y"), s("XADD new 0-0 x y"),
		s("EXISTS new"), s("XADD s 1-* d 4"), s("XADD s 2-* e 5"), s("XADD s 2 f 6"), s("XADD s 3-5 g 7"),
		s("XRANGE s - + COUNT 2"), s("XRANGE s - + COUNT 0"), s("XRANGE s - + COUNT -1"), s("XRANGE s 1 1"),
		s("XRANGE s 1-2 2"), s("XRANGE s (1-2 (3-5"), s("XREVRANGE s (3-5 (1-2 COUNT 1"), s("XRANGE s 2 +"),
		s("XRANGE s ( +"), s("XRANGE s (- +"), s("XRANGE s - (+"), s("XRANGE s (0-0 +"), s("XRANGE s - (0-0"),
		s("XRANGE s (18446744073709551615-18446744073709551615 +"), s("XRANGE s 5 1"), s("XRANGE s - + COUNT"),
		s("XRANGE s - + COUNT x"), s("XRANGE s - + LIMIT 1"), s("XRANGE s x +"), s("XRANGE s - x"), s("XRANGE s 1-x +"),
		s("XRANGE s -1 +"), s("XRANGE s +1 +"), s("XRANGE s 01 +"), q("XRANGE", "s", " 1", "+"), s("XRANGE s 1- +"),
		s("XRANGE s -0 +"), s("XRANGE s 18446744073709551616 +"), s("XRANGE missing - +"), s("XLEN missing"),
		s("XRANGE missing - + COUNT 0"), s("XADD s"), s("XADD s 4-0"), s("XADD s 4-0 a"), s("XADD s 4-0 a b c"),
		s("XADD s 5-x a b"), s("XADD s -5 a b"), s("XADD s 5-5-5 a b"), q("XADD", "s", "6\x00zz", "a", "b"),
		s("XRANGE s 6 6"), s("SET str v"), s("XADD str 1-1 a b"), s("XLEN str"), s("XRANGE str - +"),
		s("XREVRANGE str + -"), s("TYPE s"), s("OBJECT ENCODING s"), scan("TYPE stream"),
		s("XADD big 18446744073709551615-18446744073709551614 a b"), s("XADD big 18446744073709551615-* a b"),
		s("XADD big 18446744073709551615-* a b"), s("XADD big 1-1 a b"), s("XADD big * a b"),
		s("XRANGE big - +"), s("XADD ov 5-18446744073709551615 a b"), s("XADD ov 5-* a b"), s("XADD ov 6-* a b"),
		like("XADD auto * a b"), like("XADD auto * a b"), s("XLEN auto"), s("XADD s NOMKSTREAM 7-0 a b"),
		s("XADD nom NOMKSTREAM 1-1 a b"), s("EXISTS nom"), s("XADD nom NOMKSTREAM * a b"), s("XLEN s"),
		s("XADD s 1e3 a b"), s("XADD s 8 x"),
	},
	"xdel xtrim xsetid": flat(
		xaddSeq("s", 1, 10), s("XDEL s 3-0 5-0 5-0 99-0"), s("XLEN s"), s("XRANGE s - +"), s("XDEL s 1-0"),
		s("XRANGE s - + COUNT 1"), s("XDEL s x"), s("XDEL s 2-0 x"), s("XLEN s"), s("XDEL missing x"),
		s("XDEL s"), s("SET str v"), s("XDEL str 1-0"), s("XDEL str x"), s("XDEL s 2"), s("XDEL s - +"),
		s("XTRIM s MAXLEN 5"), s("XLEN s"), s("XRANGE s - +"), s("XTRIM s MAXLEN = 4"), s("XTRIM s MINID 9"),
		s("XRANGE s - +"), s("XTRIM s MINID = 9-1"), s("XTRIM missing MAXLEN 1"), s("XTRIM str MAXLEN 1"),
		s("XTRIM s"), s("XTRIM s foo"), s("XTRIM s MAXLEN"), s("XTRIM s MAXLEN x"), s("XTRIM s MAXLEN -1"),
		s("XTRIM s MAXLEN 1 foo"), s("XTRIM s MAXLEN 1 LIMIT 2"), s("XTRIM s MAXLEN = 1 LIMIT 0"),
		s("XTRIM s MAXLEN ~ 1 LIMIT x"), s("XTRIM s MAXLEN ~ 1 LIMIT -1"), s("XTRIM s MAXLEN ~ 1 LIMIT"),
		s("XTRIM s MAXLEN ~ 1 LIMIT 99999999999"), s("XTRIM s MINID ~ 1 LIMIT 0"), s("XTRIM s MINID -"),
		s("XTRIM s MINID +"), s("XTRIM s MINID 1-*"), s("XTRIM s MAXLEN 1 MINID 1"), s("XTRIM s MINID 1 MAXLEN 1"),
		s("XTRIM s LIMIT 5"), s("XTRIM s LIMIT 0"), s("XTRIM s MAXLEN ~"), s("XTRIM s MAXLEN ~ 1 NOMKSTREAM"),
		s("XTRIM s MAXLEN = x"), s("XTRIM s maxlen ~ 0"), s("XLEN s"), s("XTRIM s maxlen 0"), s("XLEN s"),
		s("EXISTS s"), s("TYPE s"), s("XRANGE s - +"), s("XADD s 5-0 a b"), s("XADD s 11-0 a b"),
		s("XSETID s 10-0"), s("XSETID s 11-0"), s("XSETID s 12-0"), s("XADD s 12-0 a b"), s("XADD s 12-* a b"),
		s("XSETID s 100-0 ENTRIESADDED 1"), s("XSETID s 100-0 ENTRIESADDED 3"), s("XSETID s 100-0 ENTRIESADDED -1"),
		s("XSETID s 100-0 ENTRIESADDED x"), s("XSETID s 100-0 MAXDELETEDID 101-0"), s("XSETID s 100-0 MAXDELETEDID 50-0"),
		s("XSETID s 40-0"), s("XSETID s 100-0 MAXDELETEDID x"), s("XSETID s 100-0 FOO"), s("XSETID s 100-0 ENTRIESADDED"),
		s("XSETID s x"), s("XSETID s -"), s("XSETID missing 1-0"), s("XSETID str 1-0"), s("XSETID missing x"),
		s("XADD s 100-0 a b"), s("XADD s 100-1 a b"), s("XDEL s 100-1 12-1"), s("XSETID s 100-0"),
		s("XTRIM s MAXLEN 0"), s("XSETID s 99-0"), s("XSETID s 100-1"), s("XSETID s 0-1"),
		s("XADD e MAXLEN 0 1-1 a b"), s("XLEN e"), s("EXISTS e"), s("XADD e 1-1 a b"), s("XADD e 1-2 a b"),
		s("XDEL e 1-2"), s("EXISTS e"), s("XADD m MINID 5 1-0 a b"), s("EXISTS m"), s("XLEN m"),
		s("XADD x MAXLEN 2 1-0 a b"), s("XADD x MAXLEN 2 2-0 a b"), s("XADD x MAXLEN = 2 3-0 a b"),
		s("XRANGE x - +"), s("XADD x MINID 3 4-0 a b"), s("XRANGE x - +"), s("XADD x MAXLEN 1 LIMIT 1 5-0 a b"),
		s("XADD x MAXLEN ~ 1 LIMIT 1 5-0 a b"), s("XADD x LIMIT 1 6-0 a b"), s("XADD x LIMIT 0 6-0 a b"),
		s("XADD x MAXLEN 1 MINID 1 6-0 a b"), s("XADD x MAXLEN -1 6-0 a b"), s("XADD x MAXLEN x 6-0 a b"),
		s("XADD x MINID x 6-0 a b"), s("XADD x MAXLEN 6-0 a b"), s("XADD x MAXLEN ~ 6-0 a b"), s("XADD x maxlen ~ 5 limit 10 7-0 a b"),
		s("XADD x NOMKSTREAM MAXLEN 1 8-0 a b"), s("XLEN x"), s("XADD x MAXLEN 1 NOMKSTREAM 9-0 a b"),
	),
	"xread": {
		s("XADD a 1-1 f 1"), s("XADD a 2-1 f 2"), s("XADD b 1-5 g 1"), s("XREAD STREAMS a 0"), s("XREAD STREAMS a b 0 0"),
		s("XREAD COUNT 1 STREAMS a b 0 1-4"), s("XREAD STREAMS a b 2-1 1-5"), s("XREAD STREAMS a $"), s("XREAD STREAMS missing $"),
		s("XREAD STREAMS a missing 1-1 0"), s("XREAD STREAMS a a 0 1-1"), s("XREAD COUNT 0 STREAMS a 0"),
		s("XREAD COUNT -5 STREAMS a 0"), s("XREAD COUNT x STREAMS a 0"), s("XREAD STREAMS a"), s("XREAD STREAMS a b 0"),
		s("XREAD STREAMS"), s("XREAD COUNT 1"), s("XREAD FOO STREAMS a 0"), s("XREAD GROUP g c STREAMS a 0"),
		s("XREAD NOACK STREAMS a 0"), s("XREAD STREAMS a >"), s("XREAD STREAMS a x"), s("XREAD STREAMS a -"),
		s("XREAD STREAMS a +"), s("XREAD STREAMS a 1"), s("XREAD BLOCK x STREAMS a 0"), s("XREAD BLOCK -1 STREAMS a 0"),
		s("XREAD BLOCK 0 STREAMS a 0"), s("XREAD BLOCK 10 STREAMS a 0"), s("XREAD BLOCK 1.5 STREAMS a 0"),
		s("XREAD BLOCK 1 STREAMS a $"), s("SET str v"), s("XREAD STREAMS str 0"), s("XREAD STREAMS a str 0 0"),
		s("XREAD STREAMS missing str 0 0"), s("XREAD STREAMS str x"), s("XDEL a 2-1"), s("XREAD STREAMS a 1-1"),
		s("XREAD STREAMS a 1-1 a"), s("XREAD streams a 0 count 1"), s("XREAD COUNT 1 COUNT 2 STREAMS a 0"),
		s("MULTI"), s("XREAD BLOCK 0 STREAMS a $"), s("XREAD BLOCK 0 STREAMS a 0"), s("EXEC"),
		s("XREAD STREAMS a 18446744073709551615-18446744073709551615"),
	},
	"approximate trimming": flat(
		xaddSeq("s", 1, 350), s("XTRIM s MAXLEN ~ 120"), s("XLEN s"), s("XRANGE s - + COUNT 1"), s("XTRIM s MAXLEN ~ 0 LIMIT 100"),
		s("XLEN s"), s("XTRIM s MINID ~ 330"), s("XLEN s"), s("XTRIM s MAXLEN ~ 0"), s("XLEN s"),
		s("CONFIG SET stream-node-max-entries 7"), xaddSeq("t", 1, 50), s("XTRIM t MAXLEN ~ 20"), s("XLEN t"),
		s("XTRIM t MAXLEN ~ 10 LIMIT 5"), s("XLEN t"), s("XTRIM t MAXLEN ~ 10 LIMIT 7"), s("XLEN t"),
		s("XDEL t 30-0 31-0"), s("XTRIM t MAXLEN ~ 10"), s("XLEN t"), s("XRANGE t - + COUNT 2"),
		s("CONFIG SET stream-node-max-entries 0"), s("CONFIG SET stream-node-max-bytes 300"), xaddSeq("u", 1, 100),
		s("XTRIM u MAXLEN ~ 50"), s("XLEN u"), xaddBig("v", 40, 20), s("XTRIM v MAXLEN ~ 10"), s("XLEN v"),
		xaddMixed("w", 60), s("XTRIM w MAXLEN ~ 10"), s("XLEN w"), s("CONFIG SET stream-node-max-bytes 0"),
		xaddSeq("z", 1, 300), s("XTRIM z MAXLEN ~ 10"), s("XLEN z"), s("CONFIG SET stream-node-max-bytes 4096"),
		s("CONFIG SET stream-node-max-entries 100"), xaddBig("big", 60, 200), s("XTRIM big MAXLEN ~ 5"), s("XLEN big"),
		xaddMixed("mix", 300), s("XTRIM mix MAXLEN ~ 5"), s("XLEN mix"), s("XADD mix MAXLEN ~ 2 1000-0 a b"), s("XLEN mix"),
		xaddSeq("a", 1, 450), s("XADD a MAXLEN ~ 100 1000-0 f v"), s("XLEN a"), s("XTRIM a MINID ~ 400-0 LIMIT 100"),
		s("XLEN a"), su("CONFIG GET stream-node-*"),
		// The exact boundary: a node of one entry {f: 1} has 28 bytes;
		// the next entry (2 bytes) starts a node when 28+2 >= the limit.
		s("CONFIG SET stream-node-max-bytes 30"), s("XADD q 1-0 f 1"), s("XADD q 2-0 f 1"), s("XTRIM q MAXLEN ~ 1"),
		s("CONFIG SET stream-node-max-bytes 31"), s("XADD r 1-0 f 1"), s("XADD r 2-0 f 1"), s("XTRIM r MAXLEN ~ 1"),
		s("CONFIG SET stream-node-max-bytes 4096"),
	),
}

// flat builds a script from steps and slices of steps.
func flat(parts ...any) []step {
	var out []step
	for _, p := range parts {
		switch p := p.(type) {
		case step:
			out = append(out, p)
		case []step:
			out = append(out, p...)
		default:
			panic(fmt.Sprintf("flat: %T", p))
		}
	}
	return out
}

// xaddSeq returns XADDs of the entries from-0 to to-0 to key, each with
// the one field f holding its number: same fields, integers, so most
// entries take Redis's compact form.
func xaddSeq(key string, from, to int) []step {
	var out []step
	for i := from; i <= to; i++ {
		out = append(out, s(fmt.Sprintf("XADD %s %d-0 f %d", key, i, i)))
	}
	return out
}

// xaddBig returns n XADDs to key of entries with a value of size bytes,
// which fill nodes by bytes.
func xaddBig(key string, n, size int) []step {
	var out []step
	for i := 1; i <= n; i++ {
		out = append(out, q("XADD", key, fmt.Sprintf("%d-%d", i/3, i), "field", strings.Repeat("x", size+i%7)))
	}
	return out
}

// xaddMixed returns n XADDs to key of entries whose fields vary (some the
// master entry's, some not), with string, small and large integer
// values, and IDs whose deltas from a node's first need every integer
// encoding of a listpack.
func xaddMixed(key string, n int) []step {
	var out []step
	ms := uint64(1)
	for i := 1; i <= n; i++ {
		ms += uint64(i*i*i) * 977
		args := []string{"XADD", key, fmt.Sprintf("%d-%d", ms, i%5)}
		switch i % 4 {
		case 0:
			args = append(args, "f", strconv.Itoa(i*1000003))
		case 1:
			args = append(args, "f", "v", "g", strconv.Itoa(-i))
		case 2:
			args = append(args, "h", strings.Repeat("y", i%70), "f", "012")
		default:
			args = append(args, "f", strconv.Itoa(1<<uint(i%63)))
		}
		out = append(out, q(args...))
	}
	return out
}

func TestStreamDifferential(t *testing.T) {
	runCollectionScripts(t, streamDiffScripts)
}

// TestStreamCommandsAreCovered keeps the scripts honest: every stream
// command appears in one.
func TestStreamCommandsAreCovered(t *testing.T) {
	used := map[string]bool{}
	for _, script := range streamDiffScripts {
		for _, st := range script {
			used[strings.ToLower(st.args[0])] = true
		}
	}
	for _, cmd := range streamCommands() {
		if !used[cmd.name] {
			t.Errorf("command %s has no differential test", cmd.name)
		}
	}
}

// TestStreamEventsAgainstRedis compares the keyspace notifications of the
// stream commands, and their order, with redis-server's.
func TestStreamEventsAgainstRedis(t *testing.T) {
	var script []mstep
	// The "new" events (n) of XADD are compared too; the key holding a
	// string is made before, as the string commands publish no "new".
	script = append(script, on(1, "SET str v"), on(1, "CONFIG SET notify-keyspace-events KEAn"),
		on(0, "PSUBSCRIBE __keyevent@0__:*"))
	for _, line := range []string{
		"XADD s 1-0 a b", "XADD s 1-0 a b", "XADD s 2-0 a b", "XADD s MAXLEN 1 3-0 a b", "XADD s MAXLEN 5 4-0 a b",
		"XADD s MAXLEN ~ 1 5-0 a b", "XADD n NOMKSTREAM 1-0 a b", "XADD z MAXLEN 0 1-0 a b", "XDEL s 1-0", "XDEL s 4-0 5-0",
		"XDEL missing 1-0", "XTRIM s MAXLEN 0", "XTRIM s MAXLEN 0", "XADD s 9-0 a b", "XTRIM s MINID 10",
		"XTRIM s MAXLEN ~ 0", "XSETID s 20-0", "XSETID s 1-0", "XSETID missing 1-0", "XLEN s", "XRANGE s - +",
		"XREAD STREAMS s 0", "XADD str 1-0 a b", "XADD big 18446744073709551615-18446744073709551615 a b",
		"XADD big * a b", "DEL s", "XADD e 1-0 a b", "EXPIRE e 100",
	} {
		script = append(script, on(1, line), on(0, "PING"))
	}
	redis := redistest.Start(t)
	ours := startRealServer(t)
	var ref, got [2]*rawConn
	for i := range ref {
		ref[i], got[i] = dialRaw(t, redis.Addr), dialRaw(t, ours)
	}
	events := func(c *rawConn) []string {
		var out []string
		for {
			f, _, err := frame.Parse([]byte(c.readReply()))
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Elems) == 2 && f.Elems[0].Text() == "pong" {
				return out
			}
			out = append(out, f.Elems[2].Text()+" "+f.Elems[3].Text())
		}
	}
	for _, st := range script {
		if st.conn == 1 {
			want, have := ref[1].do(st.args...), got[1].do(st.args...)
			if want != have {
				t.Errorf("%q:\n redis: %q\n   ours: %q", st.args, want, have)
			}
			continue
		}
		if st.args[0] == "PSUBSCRIBE" {
			ref[0].do(st.args...)
			got[0].do(st.args...)
			continue
		}
		ref[0].Send(st.args...)
		got[0].Send(st.args...)
		if want, have := events(ref[0]), events(got[0]); !slices.Equal(want, have) {
			t.Errorf("events before the PING:\n redis: %q\n   ours: %q", want, have)
		}
	}
}

// TestStreamWatch checks that the stream commands touch a watched key
// when Redis signals it, and only then.
func TestStreamWatch(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for _, tc := range []struct{ setup, change string }{
		{"XADD s 1-0 a b", "XADD s 2-0 a b"}, {"XADD s 1-0 a b", "XADD s 1-0 a b"}, {"", "XADD s 1-0 a b"},
		{"", "XADD s NOMKSTREAM 1-0 a b"}, {"", "XADD s MAXLEN 0 1-0 a b"}, {"XADD s 1-0 a b", "XDEL s 1-0"},
		{"XADD s 1-0 a b", "XDEL s 2-0"}, {"XADD s 1-0 a b", "XTRIM s MAXLEN 0"}, {"XADD s 1-0 a b", "XTRIM s MAXLEN 5"},
		{"XADD s 1-0 a b", "XSETID s 5-0"}, {"XADD s 1-0 a b", "XSETID s 0-5"}, {"XADD s 1-0 a b", "XLEN s"},
		{"XADD s 1-0 a b", "XRANGE s - +"}, {"XADD s 1-0 a b", "XREAD STREAMS s 0"}, {"XADD s 1-0 a b", "XADD s 0-0 a b"},
		{"XADD s 1-0 a b;XDEL s 1-0", "XTRIM s MAXLEN 0"},
	} {
		results := [2]string{}
		for i, addr := range []string{redis.Addr, ours} {
			a, b := dialRaw(t, addr), dialRaw(t, addr)
			a.do("FLUSHALL")
			for _, cmd := range strings.Split(tc.setup, ";") {
				if cmd != "" {
					a.do(strings.Fields(cmd)...)
				}
			}
			a.do("WATCH", "s")
			b.do(strings.Fields(tc.change)...)
			a.do("MULTI")
			a.do("PING")
			results[i] = a.do("EXEC")
		}
		if results[0] != results[1] {
			t.Errorf("WATCH s; %s; %s: EXEC on redis %q, ours %q", tc.setup, tc.change, results[0], results[1])
		}
	}
}
