package server

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
)

// Differential tests of the stream consumer group commands (XGROUP,
// XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO), run on RESP2
// and RESP3 connections to redis-server and to this server, comparing
// the replies, the keyspace lookups and the dirty count after every step.
//
// Delivery times, idle times and consumers' seen times come from each
// server's wall clock, so replies holding them (tm steps) are compared
// exactly except for those integers, which must be close: an integer
// that follows the name "idle", "seen-time", "inactive" or "active-time",
// one that is a Unix time in milliseconds (XINFO STREAM FULL's delivery
// times), and the third element of XPENDING's extended entries.

// cmpTimed is the mode of tm steps.
const cmpTimed cmpMode = 200

// tm builds a step whose reply holds times.
func tm(line string) step { return step{cmpTimed, strings.Fields(line)} }

// timeTolerance is how far apart two time readings of a tm step may be,
// in milliseconds.
const timeTolerance = 1500

// xaddSeq returns XADD key with the explicit IDs from-1 .. to-1, each with
// one field.
func xgAddSeq(key string, from, to int) []step {
	var out []step
	for i := from; i <= to; i++ {
		out = append(out, s("XADD "+key+" "+strconv.Itoa(i)+"-1 f "+strconv.Itoa(i)))
	}
	return out
}

// script concatenates steps and step lists.
func script(parts ...any) []step {
	var out []step
	for _, p := range parts {
		switch p := p.(type) {
		case step:
			out = append(out, p)
		case []step:
			out = append(out, p...)
		}
	}
	return out
}

var streamGroupDiffScripts = map[string][]step{
	"xgroup create": script(
		s("XGROUP CREATE s g $"), s("XGROUP CREATE s g 0"), s("XGROUP CREATE s g $ MKSTREAM"), s("EXISTS s"),
		s("TYPE s"), s("XLEN s"), s("XGROUP CREATE s g $ MKSTREAM"), s("XGROUP CREATE s g 0"),
		s("XGROUP CREATE s g2 0-0"), s("XGROUP CREATE s g3 x"), s("XGROUP CREATE s g3 1-x"), s("XGROUP CREATE s g3 -1"),
		s("XGROUP CREATE s g3 18446744073709551615-18446744073709551615"), s("XGROUP CREATE s g4 18446744073709551616"),
		s("XGROUP CREATE s g5 5"), s("XGROUP CREATE s g6 5-"), s("XGROUP CREATE s g7 - "), s("XGROUP CREATE s g8 +"),
		s("XGROUP CREATE s g9 > "), s("XGROUP CREATE s g10 $ BOGUS"), s("XGROUP CREATE s g10 $ MKSTREAM MKSTREAM"),
		s("XGROUP CREATE s g11 $ ENTRIESREAD"), s("XGROUP CREATE s g11 $ ENTRIESREAD x"),
		s("XGROUP CREATE s g11 $ ENTRIESREAD -1"), s("XGROUP CREATE s g11 $ ENTRIESREAD -2"),
		s("XGROUP CREATE s g12 $ ENTRIESREAD 5"), s("XGROUP CREATE s g13 $ entriesread 0 mkstream"),
		s("XGROUP CREATE s g14 $ ENTRIESREAD 9223372036854775807"), s("XGROUP CREATE s g15 $ ENTRIESREAD 9223372036854775808"),
		s("XINFO GROUPS s"), s("XGROUP CREATE"), s("XGROUP CREATE s"), s("XGROUP CREATE s g"),
		s("SET str v"), s("XGROUP CREATE str g $"), s("XGROUP CREATE str g $ MKSTREAM"),
		s("XGROUP CREATE m g $ ENTRIESREAD 3 MKSTREAM"), s("XINFO GROUPS m"), s("XGROUP CREATE m2 g 7-7 MKSTREAM"),
		s("XINFO GROUPS m2"), s("XINFO STREAM m2"),
		s("xgroup create lower g $ mkstream"), s("XGROUP BOGUS s"), s("XGROUP"), s("XGROUP HELP"), s("xgroup help"),
		s("XGROUP HELP x"),
	),
	"xgroup setid destroy consumers": script(
		xgAddSeq("s", 1, 5),
		s("XGROUP SETID s g 0"), s("XGROUP SETID missing g 0"), s("XGROUP CREATE s g 0"), s("XGROUP SETID s g 3-1"),
		s("XINFO GROUPS s"), s("XGROUP SETID s g $"), s("XINFO GROUPS s"), s("XGROUP SETID s g 2-1 ENTRIESREAD 2"),
		s("XINFO GROUPS s"), s("XGROUP SETID s g 2-1 ENTRIESREAD x"), s("XGROUP SETID s g 2-1 ENTRIESREAD -5"),
		s("XGROUP SETID s g 2-1 ENTRIESREAD -1"), s("XINFO GROUPS s"), s("XGROUP SETID s g 2-1 ENTRIESREAD"),
		s("XGROUP SETID s g 2-1 BOGUS 1"), s("XGROUP SETID s g x"), s("XGROUP SETID s g 9-9"), s("XINFO GROUPS s"),
		s("XGROUP SETID s"), s("XGROUP SETID s g"), s("XGROUP SETID str g 0"),
		s("XGROUP CREATECONSUMER s g c1"), s("XGROUP CREATECONSUMER s g c1"), s("XGROUP CREATECONSUMER s g c2"),
		s("XGROUP CREATECONSUMER s nogroup c1"), s("XGROUP CREATECONSUMER missing g c1"),
		s("XGROUP CREATECONSUMER s g"), s("XGROUP CREATECONSUMER s g c3 extra"),
		tm("XINFO CONSUMERS s g"), s("XGROUP SETID s g 0"), s("XREADGROUP GROUP g c1 COUNT 2 STREAMS s >"),
		s("XGROUP DELCONSUMER s g c1"), s("XGROUP DELCONSUMER s g c1"), s("XGROUP DELCONSUMER s g c2"),
		s("XGROUP DELCONSUMER s nogroup c1"), s("XGROUP DELCONSUMER missing g c1"), s("XGROUP DELCONSUMER s g"),
		s("XPENDING s g"), tm("XINFO CONSUMERS s g"),
		s("XGROUP DESTROY s g"), s("XGROUP DESTROY s g"), s("XGROUP DESTROY missing g"), s("XGROUP DESTROY s"),
		s("XGROUP DESTROY s g extra"), s("SET str v"), s("XGROUP DESTROY str g"), s("XGROUP DELCONSUMER str g c"),
		s("XGROUP CREATECONSUMER str g c"), s("XINFO GROUPS s"), s("XGROUP CREATE s g $"), s("XGROUP DESTROY s g"),
		s("EXISTS s"),
	),
	"xreadgroup": script(
		xgAddSeq("s", 1, 4),
		s("XREADGROUP GROUP g c STREAMS s >"), s("XGROUP CREATE s g 0"), s("XREADGROUP GROUP g c COUNT 1 STREAMS s >"),
		s("XREADGROUP GROUP g c STREAMS s 0"), s("XREADGROUP GROUP g c COUNT 2 STREAMS s >"),
		s("XREADGROUP GROUP g c STREAMS s 0"), s("XREADGROUP GROUP g c STREAMS s 1-1"), s("XREADGROUP GROUP g c STREAMS s 1"),
		s("XREADGROUP GROUP g c COUNT 1 STREAMS s 0"), s("XREADGROUP GROUP g c2 STREAMS s 0"),
		s("XREADGROUP GROUP g c2 STREAMS s >"), s("XREADGROUP GROUP g c2 STREAMS s >"), s("XREADGROUP GROUP g c2 STREAMS s 0"),
		s("XPENDING s g"), s("XDEL s 2-1"), s("XREADGROUP GROUP g c STREAMS s 0"), s("XPENDING s g"),
		s("XREADGROUP GROUP g c STREAMS s $"), s("XREADGROUP GROUP g c STREAMS s + "), s("XREADGROUP GROUP g c STREAMS s x"),
		s("XREADGROUP GROUP g c STREAMS s 18446744073709551615-18446744073709551615"),
		s("XREADGROUP GROUP g c STREAMS s"), s("XREADGROUP GROUP g c STREAMS s s2 >"), s("XREADGROUP GROUP g c STREAMS"),
		s("XREADGROUP GROUP g STREAMS s >"), s("XREADGROUP g c STREAMS s >"), s("XREADGROUP COUNT 1 STREAMS s >"),
		s("XREADGROUP GROUP g c COUNT x STREAMS s >"), s("XREADGROUP GROUP g c COUNT -1 STREAMS s >"),
		s("XREADGROUP GROUP g c COUNT 0 STREAMS s 0"), s("XREADGROUP GROUP g c BLOCK x STREAMS s >"),
		s("XREADGROUP GROUP g c BLOCK -1 STREAMS s >"), s("XREADGROUP GROUP g c BOGUS STREAMS s >"),
		s("XREADGROUP GROUP g c NOACK NOACK STREAMS s 0"), s("XREADGROUP GROUP nog c STREAMS s >"),
		s("XREADGROUP GROUP g c STREAMS missing >"), s("XREADGROUP GROUP g c STREAMS s missing > >"),
		s("SET str v"), s("XREADGROUP GROUP g c STREAMS str >"), s("XREADGROUP GROUP g c STREAMS s str > >"),
		s("XADD s 5-1 f 5"), s("XADD s 6-1 f 6"), s("XREADGROUP GROUP g c3 NOACK COUNT 1 STREAMS s >"), s("XPENDING s g"),
		s("XREADGROUP GROUP g c3 STREAMS s 0"), s("XGROUP CREATE t g $ MKSTREAM"), s("XADD t 1-1 a b"),
		s("XREADGROUP GROUP g c STREAMS s t > >"), s("XREADGROUP GROUP g c STREAMS s t > >"),
		s("XREADGROUP GROUP g c STREAMS s t 0 0"), s("XREADGROUP GROUP g c COUNT 1 STREAMS t s 0 0"),
		s("XREADGROUP GROUP g c STREAMS s t 0 >"), s("XREADGROUP GROUP g c BLOCK 10 STREAMS s 0"),
		s("XREADGROUP GROUP g c BLOCK 0 STREAMS s 9-9"), tm("XINFO CONSUMERS s g"), s("XINFO GROUPS s"),
		s("xreadgroup group g C streams s >"), s("XREADGROUP GROUP g C STREAMS s >"), s("XINFO GROUPS t"),
		s("XGROUP CREATE big g 0 MKSTREAM"), xgAddSeq("big", 1, 30), s("XREADGROUP GROUP g c COUNT 10 STREAMS big >"),
		s("XREADGROUP GROUP g c STREAMS big 5-1"), s("XREADGROUP GROUP g c COUNT 3 STREAMS big 5-1"),
	),
	"xack": script(
		xgAddSeq("s", 1, 5), s("XGROUP CREATE s g 0"), s("XREADGROUP GROUP g c STREAMS s >"),
		s("XACK s g 1-1"), s("XACK s g 1-1"), s("XACK s g 2-1 3-1 3-1 9-9"), s("XACK s g 4"), s("XACK s g x"),
		s("XACK s g 4-1 x"), s("XPENDING s g"), s("XACK s nog 4-1"), s("XACK missing g 4-1"), s("XACK missing g x"),
		s("XACK s g"), s("XACK s"), s("SET str v"), s("XACK str g 1-1"), s("XACK s g 4-1 5-1"), s("XPENDING s g"),
		tm("XINFO CONSUMERS s g"), s("EXISTS s"), s("XACK s g 18446744073709551615-18446744073709551615"), s("XACK s g -"),
	),
	"xpending": script(
		xgAddSeq("s", 1, 6), s("XPENDING s g"), s("XPENDING missing g"), s("XGROUP CREATE s g 0"), s("XPENDING s g"),
		s("XPENDING s g - + 10"), s("XREADGROUP GROUP g a COUNT 2 STREAMS s >"), s("XREADGROUP GROUP g b COUNT 3 STREAMS s >"),
		s("XPENDING s g"), tm("XPENDING s g - + 10"), tm("XPENDING s g - + 2"), tm("XPENDING s g 2-1 4-1 10"),
		tm("XPENDING s g (2-1 (4-1 10"), tm("XPENDING s g - + 10 b"), s("XPENDING s g - + 10 nobody"),
		s("XPENDING s g - + 0"), s("XPENDING s g - + -1"), s("XPENDING s g - + x"), s("XPENDING s g + - 10"),
		s("XPENDING s g x + 10"), s("XPENDING s g - x 10"), s("XPENDING s g - +"), s("XPENDING s g -"),
		tm("XPENDING s g IDLE 0 - + 10"), s("XPENDING s g IDLE 100000 - + 10"), s("XPENDING s g IDLE x - + 10"),
		tm("XPENDING s g IDLE -1 - + 10"), s("XPENDING s g IDLE 0 - +"), s("XPENDING s g IDLE 0"), s("XPENDING s g IDLE"),
		tm("XPENDING s g idle 0 - + 10 a"), tm("XPENDING s g - + 10 a extra"), s("XPENDING s nog"), s("XPENDING s nog - + 1"),
		s("XPENDING missing g - + 1"), s("SET str v"), s("XPENDING str g"), s("XPENDING str g - + 1"),
		s("XPENDING s g (18446744073709551615-18446744073709551615 + 10"), s("XPENDING s g - (0-0 10"),
		s("XCLAIM s g a 0 1-1 IDLE 500000"), tm("XPENDING s g IDLE 100000 - + 10"), s("XPENDING s g IDLE 900000 - + 10"),
		tm("XPENDING s g - + 9223372036854775807"), s("XPENDING s g - + 9223372036854775808"), s("XPENDING"),
		s("XPENDING s"),
	),
	"xclaim": script(
		xgAddSeq("s", 1, 6), s("XGROUP CREATE s g 0"), s("XREADGROUP GROUP g a COUNT 4 STREAMS s >"),
		s("XCLAIM s g b 0 1-1"), tm("XPENDING s g - + 10"), s("XCLAIM s g b 100000 2-1"), s("XCLAIM s g b 0 2-1 JUSTID"),
		tm("XPENDING s g - + 10"), s("XCLAIM s g b 0 5-1"), s("XCLAIM s g b 0 5-1 FORCE"), tm("XPENDING s g - + 10"),
		s("XCLAIM s g b 0 9-9 FORCE"), s("XCLAIM s g b 0 3-1 IDLE 10000 RETRYCOUNT 7"), tm("XPENDING s g - + 10"),
		s("XCLAIM s g b 0 3-1 TIME 1000 JUSTID"), tm("XPENDING s g - + 10"), s("XCLAIM s g b 0 3-1 RETRYCOUNT -1"),
		s("XCLAIM s g b 0 3-1 RETRYCOUNT x"), s("XCLAIM s g b 0 3-1 IDLE x"), s("XCLAIM s g b 0 3-1 TIME x"),
		s("XCLAIM s g b 0 3-1 IDLE -5 JUSTID"), tm("XPENDING s g - + 10"), s("XCLAIM s g b 0 3-1 BOGUS"),
		s("XCLAIM s g b 0 3-1 LASTID 6-1"), s("XINFO GROUPS s"), s("XCLAIM s g b 0 3-1 LASTID 2-1 JUSTID"),
		s("XINFO GROUPS s"), s("XCLAIM s g b 0 3-1 LASTID x"), s("XCLAIM s g b 0 3-1 IDLE"), s("XCLAIM s g b 0 3-1 LASTID"),
		s("XCLAIM s g b x 3-1"), s("XCLAIM s g b -1 3-1"), s("XCLAIM s g b 0 x"), s("XCLAIM s g b 0 3-1 x"),
		s("XCLAIM s g b 0"), s("XCLAIM s g b"), s("XCLAIM s nog b 0 1-1"), s("XCLAIM missing g b 0 1-1"),
		s("SET str v"), s("XCLAIM str g b 0 1-1"), s("XDEL s 4-1"), s("XCLAIM s g c 0 4-1"), tm("XPENDING s g - + 10"),
		s("XCLAIM s g c 0 1-1 2-1 3-1 JUSTID"), tm("XINFO CONSUMERS s g"), s("XCLAIM s g c 0 1-1 IDLE 1000 TIME 1000"),
		s("XCLAIM s g d 0 6-1"), tm("XINFO CONSUMERS s g"), s("XCLAIM s g d 0 6-1 FORCE JUSTID"), tm("XPENDING s g - + 10"),
		s("XCLAIM s g e 0 1-1 FORCE RETRYCOUNT 3"), tm("XPENDING s g - + 10 e"), s("XCLAIM s g e 0 1-1 TIME -1"),
		s("XCLAIM s g e 0 1-1 TIME 99999999999999999"), tm("XPENDING s g - + 10 e"),
	),
	"xautoclaim": script(
		xgAddSeq("s", 1, 6), s("XGROUP CREATE s g 0"), s("XREADGROUP GROUP g a STREAMS s >"),
		s("XAUTOCLAIM s g b 0 0"), s("XAUTOCLAIM s g c 0 0 COUNT 2"), s("XAUTOCLAIM s g c 0 3-1 COUNT 2 JUSTID"),
		s("XAUTOCLAIM s g c 0 (3-1 COUNT 2"), tm("XPENDING s g - + 10"), s("XAUTOCLAIM s g d 100000 0"),
		s("XDEL s 2-1 5-1"), s("XAUTOCLAIM s g d 0 0 COUNT 3"), tm("XPENDING s g - + 10"), s("XAUTOCLAIM s g d 0 0"),
		s("XAUTOCLAIM s g d 0 0 JUSTID"), s("XAUTOCLAIM s g d 0 0 COUNT 0"), s("XAUTOCLAIM s g d 0 0 COUNT -1"),
		s("XAUTOCLAIM s g d 0 0 COUNT x"), s("XAUTOCLAIM s g d 0 0 COUNT 1073741824"),
		s("XAUTOCLAIM s g d 0 0 COUNT 1073741823"), s("XAUTOCLAIM s g d 0 0 BOGUS"), s("XAUTOCLAIM s g d 0 0 COUNT"),
		s("XAUTOCLAIM s g d x 0"), s("XAUTOCLAIM s g d -1 0"), s("XAUTOCLAIM s g d 0 x"), s("XAUTOCLAIM s g d 0 +"),
		s("XAUTOCLAIM s g d 0 -"), s("XAUTOCLAIM s g d 0"), s("XAUTOCLAIM s nog d 0 0"), s("XAUTOCLAIM missing g d 0 0"),
		s("SET str v"), s("XAUTOCLAIM str g d 0 0"), tm("XINFO CONSUMERS s g"), s("XAUTOCLAIM s g e 0 0 JUSTID COUNT 1"),
		s("XAUTOCLAIM s g e 0 9-9"), s("XAUTOCLAIM s g e 0 18446744073709551615-18446744073709551615"),
		s("XADD t 1-1 a 1"), s("XADD t 2-1 a 2"), s("XGROUP CREATE t g 0"), s("XREADGROUP GROUP g a STREAMS t >"),
		s("XDEL t 1-1 2-1"), s("XAUTOCLAIM t g b 0 0"), s("XPENDING t g"), s("EXISTS t"),
	),
	"xinfo": script(
		s("XINFO STREAM missing"), s("XINFO GROUPS missing"), s("XINFO CONSUMERS missing g"), s("XADD s 1-1 a 1 b 2"),
		s("XINFO STREAM s"), s("XINFO GROUPS s"), s("XINFO CONSUMERS s g"), s("XGROUP CREATE s g 0"),
		s("XINFO GROUPS s"), s("XINFO CONSUMERS s g"), s("XINFO CONSUMERS s nog"), xgAddSeq("s", 2, 5),
		s("XINFO GROUPS s"), s("XREADGROUP GROUP g c COUNT 2 STREAMS s >"), s("XINFO GROUPS s"), tm("XINFO CONSUMERS s g"),
		s("XGROUP CREATE s g2 $"), s("XGROUP CREATE s g3 2-1"), s("XINFO GROUPS s"), s("XDEL s 3-1"), s("XINFO GROUPS s"),
		s("XDEL s 1-1"), s("XINFO GROUPS s"), s("XINFO STREAM s"), tm("XINFO STREAM s FULL"), tm("XINFO STREAM s FULL COUNT 1"),
		tm("XINFO STREAM s FULL COUNT 0"), s("XINFO STREAM s FULL COUNT x"), tm("XINFO STREAM s FULL COUNT -1"),
		s("XINFO STREAM s FULL COUNT"), s("XINFO STREAM s BOGUS"), s("XINFO STREAM s FULL BOGUS 1"), s("XINFO STREAM s COUNT 1"),
		s("XINFO STREAM"), s("XINFO GROUPS"), s("XINFO CONSUMERS s"), s("XINFO GROUPS s extra"), s("XINFO"),
		s("XINFO BOGUS"), s("XINFO HELP"), s("xinfo help"), s("SET str v"), s("XINFO STREAM str"), s("XINFO GROUPS str"),
		s("XINFO CONSUMERS str g"), s("XGROUP SETID s g3 $"), s("XINFO GROUPS s"), s("XADD s 9-1 x y"), s("XINFO GROUPS s"),
		s("XGROUP SETID s g2 0"), s("XINFO GROUPS s"), s("XTRIM s MAXLEN 0"), s("XINFO GROUPS s"), s("XINFO STREAM s"),
		s("XADD s 10-1 x y"), s("XINFO GROUPS s"), s("XGROUP CREATE s g4 0 ENTRIESREAD 1"), s("XINFO GROUPS s"),
		s("XGROUP CREATE e g 0 MKSTREAM"), s("XINFO STREAM e"), tm("XINFO STREAM e FULL"), s("XINFO GROUPS e"),
		s("XGROUP CREATE e g5 0-1 MKSTREAM"), s("XINFO GROUPS e"),
		// The radix tree of a stream of several nodes.
		xgAddSeq("n", 1, 250), s("XINFO STREAM n"), xgAddSeq("n", 251, 1300), s("XINFO STREAM n"),
		s("XTRIM n MINID 450"), s("XINFO STREAM n"), s("XADD n 1099511627776-0 a b"), s("XADD n 1099511627777-0 a b"),
		s("XINFO STREAM n"),
	),
	"lag": script(
		// The lag rules of 7.0's streamReplyWithCGLag: valid only while no
		// deleted entry lies past the group's last ID.
		xgAddSeq("s", 1, 5), s("XGROUP CREATE s g 0"), s("XGROUP CREATE s h $"), s("XGROUP CREATE s i 3-1"),
		s("XINFO GROUPS s"), s("XDEL s 4-1"), s("XINFO GROUPS s"), s("XREADGROUP GROUP g c COUNT 1 STREAMS s >"),
		s("XINFO GROUPS s"), s("XREADGROUP GROUP g c STREAMS s >"), s("XINFO GROUPS s"), s("XREADGROUP GROUP i c STREAMS s >"),
		s("XINFO GROUPS s"), s("XDEL s 1-1"), s("XINFO GROUPS s"), s("XADD s 6-1 f 6"), s("XINFO GROUPS s"),
		s("XGROUP CREATE s j 0"), s("XINFO GROUPS s"), s("XDEL s 5-1"), s("XINFO GROUPS s"),
		s("XGROUP CREATE s k 1-1 ENTRIESREAD 1"), s("XINFO GROUPS s"), s("XGROUP SETID s k 2-1 ENTRIESREAD 9"),
		s("XINFO GROUPS s"), s("XGROUP SETID s k 6-1 ENTRIESREAD 2"), s("XINFO GROUPS s"),
	),
	"stream groups in transactions": {
		s("MULTI"), s("XGROUP CREATE s g $ MKSTREAM"), s("XADD s 1-1 a 1"), s("XREADGROUP GROUP g c STREAMS s >"),
		s("XACK s g 1-1"), s("XPENDING s g"), s("EXEC"),
		s("MULTI"), s("XREADGROUP GROUP g c BLOCK 0 STREAMS s >"), s("XREADGROUP GROUP g c BLOCK 100 STREAMS s 0"), s("EXEC"),
		s("MULTI"), s("XGROUP CREATE s g $"), s("XGROUP DESTROY s g"), s("XINFO GROUPS s"), s("EXEC"),
	},
	"stream group command keys": {
		s("COMMAND GETKEYS XREADGROUP GROUP g c STREAMS a b > >"), s("COMMAND GETKEYS XREADGROUP GROUP g c COUNT 1 STREAMS a >"),
		s("COMMAND GETKEYSANDFLAGS XGROUP CREATE s g $"), s("COMMAND GETKEYS XACK s g 1"), s("COMMAND GETKEYS XCLAIM s g c 0 1"),
		s("COMMAND GETKEYS XINFO STREAM s"), s("COMMAND GETKEYSANDFLAGS XAUTOCLAIM s g c 0 0"), s("COMMAND GETKEYS XPENDING s g"),
	},
}

func TestStreamGroupDifferential(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServerHandle(t)
	for _, proto := range []string{"2", "3"} {
		for name, script := range streamGroupDiffScripts {
			t.Run("RESP"+proto+"/"+name, func(t *testing.T) {
				ref, got := dialPair(t, redis.Addr, ours.addr, proto)
				stats := dialStats(t, redis.Addr, ours.addr)
				for _, c := range []*rawConn{ref, got} {
					c.do("FLUSHALL")
					c.do("SELECT", "0")
				}
				stats.reset()
				dirty := [2]int64{readDirty(stats.ref), readDirty(stats.got)}
				for _, st := range script {
					compareStreamGroupStep(t, st, ref, got)
					stats.compare(t, st)
					now := [2]int64{readDirty(stats.ref), readDirty(stats.got)}
					if want, have := now[0]-dirty[0], now[1]-dirty[1]; want != have {
						t.Errorf("%q: dirty count moved by %d on redis, %d on ours", st.args, want, have)
					}
					dirty = now
				}
			})
		}
	}
}

// compareStreamGroupStep is compareStep with tm steps.
func compareStreamGroupStep(t *testing.T, st step, ref, got *rawConn) {
	t.Helper()
	if st.mode != cmpTimed {
		compareStep(t, st, ref, got)
		return
	}
	want, have := ref.do(st.args...), got.do(st.args...)
	fw, _, err1 := frame.Parse([]byte(want))
	fh, _, err2 := frame.Parse([]byte(have))
	if err1 != nil || err2 != nil || !sameTimed(fw, fh, false) {
		t.Errorf("%q (times within %d ms):\n redis: %q\n   ours: %q", st.args, timeTolerance, want, have)
	}
}

// sameTimed reports whether two replies are equal but for their times,
// which must be close. timed says a and b are times.
func sameTimed(a, b frame.Frame, timed bool) bool {
	if a.Type != b.Type || a.Nil != b.Nil || len(a.Elems) != len(b.Elems) {
		return false
	}
	if a.Type == frame.Integer {
		if timed || (a.Int > 1e12 && b.Int > 1e12) {
			d := a.Int - b.Int
			return -timeTolerance <= d && d <= timeTolerance
		}
		return a.Int == b.Int
	}
	if len(a.Elems) == 0 {
		return string(frame.Append(nil, a, frame.RESP3)) == string(frame.Append(nil, b, frame.RESP3))
	}
	// An XPENDING extended entry: ID, consumer, idle time, deliveries.
	pendingEntry := len(a.Elems) == 4 && a.Elems[0].Type == frame.BulkString && a.Elems[1].Type == frame.BulkString &&
		a.Elems[2].Type == frame.Integer && a.Elems[3].Type == frame.Integer
	for i := range a.Elems {
		elemTimed := pendingEntry && i == 2
		if i > 0 && slices.Contains([]string{"idle", "seen-time", "inactive", "active-time"}, a.Elems[i-1].Text()) {
			elemTimed = true
		}
		if !sameTimed(a.Elems[i], b.Elems[i], elemTimed) {
			return false
		}
	}
	return true
}

// TestStreamGroupCommandsAreCovered keeps the scripts honest: every
// consumer group command appears in one.
func TestStreamGroupCommandsAreCovered(t *testing.T) {
	used := map[string]bool{}
	for _, script := range streamGroupDiffScripts {
		for _, st := range script {
			used[strings.ToLower(st.args[0])] = true
		}
	}
	for _, cmd := range streamGroupCommands() {
		if !used[cmd.name] {
			t.Errorf("command %s has no differential test", cmd.name)
		}
	}
}

// TestStreamGroupEventsAgainstRedis compares the keyspace notifications
// of the consumer group commands, and their order, with redis-server's.
func TestStreamGroupEventsAgainstRedis(t *testing.T) {
	lines := []string{
		"XGROUP CREATE s g $", "XGROUP CREATE s g $ MKSTREAM", "XGROUP CREATE s g $ MKSTREAM", "XADD s 1-1 a 1",
		"XADD s 2-1 b 2", "XGROUP CREATECONSUMER s g c1", "XGROUP CREATECONSUMER s g c1", "XREADGROUP GROUP g c2 STREAMS s >",
		"XREADGROUP GROUP g c2 STREAMS s 0", "XREADGROUP GROUP g c5 STREAMS s 0", "XACK s g 1-1", "XCLAIM s g c3 0 2-1",
		"XCLAIM s g c3 0 2-1", "XCLAIM s g c6 0 9-9", "XAUTOCLAIM s g c4 0 0", "XAUTOCLAIM s g c7 0 0", "XGROUP SETID s g 0",
		"XGROUP SETID s g 0 ENTRIESREAD 0", "XGROUP DELCONSUMER s g c4", "XGROUP DELCONSUMER s g nobody", "XGROUP DESTROY s g",
		"XGROUP DESTROY s g", "XINFO STREAM s", "XPENDING s g", "XGROUP CREATE s g 0", "XREADGROUP GROUP g c NOACK STREAMS s >",
		"XDEL s 1-1", "XAUTOCLAIM s g c 0 0", "XGROUP CREATE s2 g 0 MKSTREAM ENTRIESREAD 0",
	}
	redis := redistest.Start(t)
	ours := startRealServer(t)
	var ref, got [2]*rawConn
	for i := range ref {
		ref[i], got[i] = dialRaw(t, redis.Addr), dialRaw(t, ours)
	}
	for _, c := range []*rawConn{ref[1], got[1]} {
		c.do("FLUSHALL")
		c.do("CONFIG", "SET", "notify-keyspace-events", "KEA")
	}
	ref[0].do("PSUBSCRIBE", "__keyevent@0__:*")
	got[0].do("PSUBSCRIBE", "__keyevent@0__:*")
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
	for _, line := range lines {
		args := strings.Fields(line)
		want, have := ref[1].do(args...), got[1].do(args...)
		if want != have && !sameShape(want, have) {
			t.Errorf("%q:\n redis: %q\n   ours: %q", args, want, have)
		}
		// A PING on the subscribed connection replies after every event
		// the command published.
		ref[0].Send("PING")
		got[0].Send("PING")
		if want, have := events(ref[0]), events(got[0]); !slices.Equal(want, have) {
			t.Errorf("%q: events\n redis: %q\n   ours: %q", args, want, have)
		}
	}
	for _, c := range []*rawConn{ref[1], got[1]} {
		c.do("CONFIG", "SET", "notify-keyspace-events", "")
	}
}

// streamGroupBlockingScripts are blocking scripts (diff_blocking_test.go)
// of XREADGROUP BLOCK.
var streamGroupBlockingScripts = map[string][]bstep{
	"xreadgroup block then xadd": {
		bdo(1, "XGROUP CREATE s g $ MKSTREAM"), bsend(0, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >"), bblocked(1),
		blockedInfo, bclient(0), bdo(1, "XADD s 1-1 a 1"), brecv(0), blockedInfo, bdo(1, "XPENDING s g"), bdirty(),
		// Two readers of one group: the first blocked is served first, and
		// the second gets nothing of that entry.
		bsend(0, "XREADGROUP GROUP g c1 BLOCK 0 STREAMS s >"), bblocked(1), bsend(2, "XREADGROUP GROUP g c2 BLOCK 0 STREAMS s >"),
		bblocked(2), bdo(1, "XADD s 2-1 b 2"), brecv(0), bnone(2), bblocked(1), bdo(1, "XADD s 3-1 c 3"), brecv(2),
		bblocked(0), bdo(1, "XPENDING s g"), bdirty(),
		// Readers of two groups both get the entry.
		bdo(1, "XGROUP CREATE s h $"), bsend(0, "XREADGROUP GROUP g c1 COUNT 5 BLOCK 0 STREAMS s >"),
		bsend(2, "XREADGROUP GROUP h c1 NOACK BLOCK 0 STREAMS s >"), bblocked(2), bdo(1, "XADD s 4-1 d 4"), brecv(0), brecv(2),
		bdo(1, "XPENDING s h"), bdo(1, "XINFO GROUPS s"), bdirty(),
		// Several keys, and a key of the reader's that gets nothing.
		bdo(1, "XGROUP CREATE t g $ MKSTREAM"), bsend(0, "XREADGROUP GROUP g c BLOCK 0 STREAMS s t > >"), bblocked(1),
		bdo(1, "XADD t 1-1 e 5"), brecv(0), bdirty(),
		// An XADD inside MULTI serves at EXEC.
		bsend(0, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >"), bblocked(1), bdo(1, "MULTI"), bdo(1, "XADD s 5-1 f 6"),
		bdo(1, "XADD s 6-1 g 7"), bdo(1, "EXEC"), brecv(0), bdo(1, "XPENDING s g"), bdirty(),
		// An ID other than > does not block.
		bdo(0, "XREADGROUP GROUP g nobody BLOCK 0 STREAMS s 0"),
	},
	"xreadgroup block timeouts and unblock": {
		bdo(1, "XGROUP CREATE s g $ MKSTREAM"), bsend(0, "XREADGROUP GROUP g c BLOCK 100 STREAMS s >"), bblocked(1),
		blockedInfo, brecv(0), blockedInfo, bsend(0, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >"), bblocked(1),
		bdo(1, "CLIENT UNBLOCK {id0}"), brecv(0), bsend(0, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >"), bblocked(1),
		bdo(1, "CLIENT UNBLOCK {id0} ERROR"), brecv(0), bdo(1, "XINFO CONSUMERS s g"), bdirty(),
	},
	"xreadgroup block and the group or key goes": {
		bdo(1, "XGROUP CREATE s g $ MKSTREAM"), bsend(0, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >"), bblocked(1),
		bdo(1, "XGROUP DESTROY s g"), brecv(0), bblocked(0), bdo(1, "XGROUP CREATE s g $"),
		bsend(0, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >"), bblocked(1), bdo(1, "DEL s"), brecv(0), bblocked(0),
		bdo(1, "XGROUP CREATE s g $ MKSTREAM"), bsend(0, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >"), bblocked(1),
		bdo(1, "SET x 1"), bdo(1, "RENAME x s"), brecv(0), bblocked(0), bdo(1, "DEL s"),
		bdo(1, "XGROUP CREATE s g $ MKSTREAM"), bsend(0, "XREADGROUP GROUP g c BLOCK 0 STREAMS s >"), bblocked(1),
		bdo(1, "XGROUP SETID s g 0"), bnone(0), bdo(1, "XGROUP CREATECONSUMER s g other"), bnone(0), bdo(1, "FLUSHALL"),
		brecv(0), bblocked(0), bdirty(),
	},
}

// TestStreamGroupBlockingAgainstRedis runs the XREADGROUP BLOCK scripts on
// RESP2 and on RESP3 connections.
func TestStreamGroupBlockingAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startListServer(t, true).addr
	for _, proto := range []string{"2", "3"} {
		for name, script := range streamGroupBlockingScripts {
			t.Run("RESP"+proto+"/"+name, func(t *testing.T) {
				runBlockingScript(t, script, proto, redis.Addr, ours)
			})
		}
	}
}

// TestStreamGroupWatchAgainstRedis checks that the consumer group
// commands touch a watched key when Redis signals it (XGROUP CREATE
// MKSTREAM), and only then.
func TestStreamGroupWatchAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	ref, got := dialRaw(t, redis.Addr), dialRaw(t, ours)
	for _, c := range []*rawConn{ref, got} {
		c.do("FLUSHALL")
		c.do("XADD", "s", "1-1", "a", "1")
		c.do("XADD", "s", "2-1", "a", "2")
		c.do("XGROUP", "CREATE", "s", "g", "0")
	}
	for _, line := range []string{
		"XREADGROUP GROUP g c COUNT 1 STREAMS s >", "XREADGROUP GROUP g c STREAMS s 0", "XACK s g 1-1",
		"XCLAIM s g d 0 2-1", "XAUTOCLAIM s g e 0 0", "XGROUP CREATECONSUMER s g z", "XGROUP SETID s g 0",
		"XREADGROUP GROUP g c STREAMS s 9-9", "XPENDING s g", "XGROUP CREATE s g2 0", "XGROUP DELCONSUMER s g c",
		"XGROUP DESTROY s g", "XINFO STREAM s FULL", "XGROUP CREATE new g 0 MKSTREAM", "XGROUP DESTROY new g",
		"XGROUP CREATE new g2 0", "XGROUP CREATE e g 0 MKSTREAM", "XGROUP DESTROY e g",
	} {
		args := strings.Fields(line)
		var replies [2]string
		for i, c := range []*rawConn{ref, got} {
			c.do("WATCH", "s", "new", "e")
			c.do(args...)
			c.do("MULTI")
			c.do("PING")
			replies[i] = c.do("EXEC")
		}
		if replies[0] != replies[1] {
			t.Errorf("EXEC after WATCH and %q:\n redis: %q\n   ours: %q", args, replies[0], replies[1])
		}
	}
	for _, c := range [2]*rawConn{ref, got} {
		if r := c.do("EXISTS", "new", "e"); r != ":2\r\n" {
			t.Errorf("EXISTS new e = %q", r)
		}
	}
}
