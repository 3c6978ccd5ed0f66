package server

import (
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// Differential tests of the list commands against redis-server 7.0.15:
// replies (RESP2 and RESP3, through TestDifferential), keyspace hits and
// misses (every step), keyspace events and WATCH (through
// TestDifferentialConnections), and dirty counts (TestListDirtyAgainstRedis).

func init() {
	for name, script := range listDiffScripts {
		diffScripts[name] = script
	}
	for name, script := range listConnScripts {
		connScripts[name] = script
	}
}

var listDiffScripts = map[string][]step{
	"list push pop": {
		s("LPUSH l a b c"), s("RPUSH l d e"), s("LRANGE l 0 -1"), s("LLEN l"), s("TYPE l"), s("OBJECT ENCODING l"),
		s("LPUSHX l x"), s("RPUSHX l y z"), s("LPUSHX nx a"), s("RPUSHX nx a"), s("EXISTS nx"), s("LRANGE l 0 -1"),
		s("LPOP l"), s("RPOP l"), s("LPOP l 2"), s("RPOP l 2"), s("LPOP l 0"), s("RPOP l 0"), s("LRANGE l 0 -1"),
		s("LPOP l 100"), s("EXISTS l"), s("LPOP l"), s("RPOP l"), s("LPOP l 1"), s("RPOP l 0"), s("LPOP l 5"),
		s("LPOP l -1"), s("LPOP l abc"), s("LPOP l 1.5"), s("RPOP l -9223372036854775808"), s("LPOP l 1 2"),
		s("RPOP l 1 2 3"), s("RPUSH l 1 2 3"), s("LPOP l -1"), s("LPOP l x"), s("RPOP l 9223372036854775807"),
		s("RPUSH n 1"), s("LPOP n 9223372036854775808"), s("LPOP n 00"), s("LPOP n +1"), s("LPOP n"),
		s("SET s v"), s("LPUSH s a"), s("RPUSH s a"), s("LPUSHX s a"), s("RPUSHX s a"), s("LPOP s"), s("RPOP s 0"),
		s("RPOP s 2"), s("LPOP s -1"), s("LLEN s"), s("LLEN nx"), s("GET s"),
		s("LPUSH"), s("LPUSH k"), s("RPUSH k"), s("LPUSHX k"), s("LPOP"), s("LLEN"), s("LLEN a b"),
		q("RPUSH", "bin", "", "\x00\xff", "a\r\nb", "12345", "-1", "9223372036854775808"), q("LRANGE", "bin", "0", "-1"),
		q("LPOP", "bin", "3"), q("RPOP", "bin"), s("lpush lower x"), s("LpOp lower"),
		s("RPUSH ttl a b"), s("EXPIRE ttl 1000"), s("RPUSH ttl c"), s("TTL ttl"), s("LPOP ttl 3"), s("TTL ttl"),
		s("RPUSH o 1"), s("OBJECT REFCOUNT o"), s("OBJECT FREQ o"), s("OBJECT ENCODING o"),
	},
	"list read": {
		s("RPUSH l a b c d e"),
		s("LRANGE l 0 0"), s("LRANGE l 0 -1"), s("LRANGE l -2 -1"), s("LRANGE l -100 100"), s("LRANGE l 3 1"),
		s("LRANGE l 5 10"), s("LRANGE l -1 -5"), s("LRANGE l 2 -3"), s("LRANGE l 1 2"), s("LRANGE l -3 -3"),
		s("LRANGE l -9223372036854775808 9223372036854775807"), s("LRANGE l 9223372036854775807 -9223372036854775808"),
		s("LRANGE l x 1"), s("LRANGE l 0 y"), s("LRANGE l 1.0 2"), s("LRANGE l 9223372036854775808 1"),
		s("LRANGE nx 0 -1"), s("LRANGE nx x 1"), s("SET s v"), s("LRANGE s 0 -1"), s("LRANGE s x 0"),
		s("LINDEX l 0"), s("LINDEX l -1"), s("LINDEX l 4"), s("LINDEX l 5"), s("LINDEX l -5"), s("LINDEX l -6"),
		s("LINDEX l x"), s("LINDEX l 9223372036854775807"), s("LINDEX l -9223372036854775808"), s("LINDEX nx 0"),
		s("LINDEX nx x"), s("LINDEX s 0"), s("LINDEX s x"), s("LINDEX l 1e2"), s("LINDEX l"), s("LRANGE l 0"),
		s("LINDEX l 0 1"),
	},
	"list set insert": {
		s("RPUSH l a b c a b"), s("LSET l 0 x"), s("LSET l -1 y"), s("LSET l 5 z"), s("LSET l -6 z"),
		s("LSET l x z"), s("LSET nx 0 z"), s("LSET nx x z"), s("SET s v"), s("LSET s 0 z"), s("LSET s x z"),
		s("LSET l 9223372036854775807 z"), s("LSET l -9223372036854775808 z"), s("LRANGE l 0 -1"),
		s("LINSERT l BEFORE b new"), s("LINSERT l after b new2"), s("LINSERT l AFTER y last"), s("LINSERT l BEFORE x first"),
		s("LRANGE l 0 -1"), s("LINSERT l BEFORE missing v"), s("LINSERT l MIDDLE b v"), s("LINSERT nx BEFORE a v"),
		s("LINSERT nx MIDDLE a v"), s("LINSERT s BEFORE a v"), s("LINSERT s MIDDLE a v"), s("EXISTS nx"),
		q("LINSERT", "l", "BEFORE\x00junk", "b", "nul"), q("LINSERT", "l", "after", "", "empty"), q("RPUSH", "l", ""),
		q("LINSERT", "l", "after", "", "afterempty"), s("LRANGE l 0 -1"), s("LLEN l"),
		s("LSET l 0"), s("LINSERT l BEFORE a"), s("LINSERT l BEFORE a b c"),
	},
	"list rem trim": {
		s("RPUSH l a b a c a b a"), s("LREM l 1 a"), s("LRANGE l 0 -1"), s("LREM l -1 a"), s("LRANGE l 0 -1"),
		s("LREM l 0 b"), s("LRANGE l 0 -1"), s("LREM l 0 nothere"), s("LREM l x a"), s("LREM nx 0 a"),
		s("LREM nx x a"), s("SET s v"), s("LREM s 0 a"), s("LREM s x a"), s("RPUSH m a b a b a"),
		s("LREM m -9223372036854775808 a"), s("LRANGE m 0 -1"), s("RPUSH m a b a"), s("LREM m 9223372036854775807 a"),
		s("LRANGE m 0 -1"), s("LREM m -2 b"), s("EXISTS m"), s("LREM l 0 a"), s("LREM l 0 c"), s("EXISTS l"),
		s("RPUSH t 0 1 2 3 4 5 6 7 8 9"), s("LTRIM t 1 -2"), s("LRANGE t 0 -1"), s("LTRIM t 0 -1"), s("LRANGE t 0 -1"),
		s("LTRIM t -3 100"), s("LRANGE t 0 -1"), s("LTRIM t -100 -2"), s("LRANGE t 0 -1"), s("LTRIM t x 1"),
		s("LTRIM t 0 y"), s("LTRIM nx 0 1"), s("LTRIM nx x 1"), s("LTRIM s 0 1"), s("LTRIM s x 1"),
		s("LTRIM t 2 1"), s("EXISTS t"), s("RPUSH t a b"), s("LTRIM t 5 10"), s("EXISTS t"),
		s("RPUSH t a b"), s("LTRIM t -9223372036854775808 9223372036854775807"), s("LRANGE t 0 -1"),
		s("LTRIM t 9223372036854775807 0"), s("EXISTS t"), s("LREM l 0"), s("LTRIM t 0"),
	},
	"list lpos": {
		s("RPUSH l a b c 1 2 3 c c"), s("LPOS l c"), s("LPOS l c RANK 1"), s("LPOS l c RANK 2"), s("LPOS l c RANK -1"),
		s("LPOS l c RANK -3"), s("LPOS l c RANK 4"), s("LPOS l c RANK -4"), s("LPOS l c COUNT 0"), s("LPOS l c COUNT 2"),
		s("LPOS l c COUNT 10"), s("LPOS l c RANK 2 COUNT 0"), s("LPOS l c RANK -1 COUNT 2"), s("LPOS l c MAXLEN 3"),
		s("LPOS l c MAXLEN 3 COUNT 0"), s("LPOS l c MAXLEN 7 COUNT 0"), s("LPOS l c RANK -1 MAXLEN 1"),
		s("LPOS l c RANK -2 MAXLEN 2 COUNT 0"), s("LPOS l x"), s("LPOS l x COUNT 1"), s("LPOS l x COUNT 0"),
		s("LPOS l 1"), s("LPOS l c rank 1 count 1 maxlen 0"), s("LPOS l c RANK 1 RANK 2"), s("LPOS l c COUNT 1 COUNT 3"),
		s("LPOS l c RANK 0"), s("LPOS l c RANK x"), s("LPOS l c RANK -0"), s("LPOS l c COUNT -1"), s("LPOS l c COUNT x"),
		s("LPOS l c MAXLEN -1"), s("LPOS l c MAXLEN x"), s("LPOS l c RANK"), s("LPOS l c COUNT"), s("LPOS l c MAXLEN"),
		s("LPOS l c BOGUS 1"), s("LPOS l c RANK 1 BOGUS"), s("LPOS l c RANK 0 COUNT -1"), s("LPOS l c COUNT -1 RANK 0"),
		s("LPOS l c RANK -9223372036854775808"), s("LPOS l c RANK -9223372036854775808 COUNT 0"),
		s("LPOS l c RANK -9223372036854775808 COUNT 1"), s("LPOS l c RANK 9223372036854775807"),
		s("LPOS l c RANK 9223372036854775807 COUNT 0"), s("LPOS l c RANK 9223372036854775808"),
		s("LPOS l c COUNT 9223372036854775807"), s("LPOS l c MAXLEN 9223372036854775807"),
		s("LPOS nx c"), s("LPOS nx c COUNT 0"), s("LPOS nx c RANK 0"), s("LPOS nx c BOGUS"), s("SET s v"),
		s("LPOS s c"), s("LPOS s c COUNT 1"), s("LPOS s c RANK 0"), s("LPOS l"), q("LPOS", "l", "c", "RANK\x00x", "1"),
		q("RPUSH", "e", ""), q("LPOS", "e", ""), q("LPOS", "e", "", "COUNT", "0"),
	},
	"list move": {
		s("RPUSH a 1 2 3"), s("RPOPLPUSH a b"), s("LRANGE a 0 -1"), s("LRANGE b 0 -1"), s("RPOPLPUSH a a"),
		s("LRANGE a 0 -1"), s("LMOVE a a LEFT RIGHT"), s("LRANGE a 0 -1"), s("LMOVE a a RIGHT LEFT"), s("LRANGE a 0 -1"),
		s("LMOVE a a left left"), s("LMOVE a a right right"), s("LRANGE a 0 -1"), s("LMOVE a b LEFT LEFT"),
		s("LMOVE a b RIGHT RIGHT"), s("LRANGE b 0 -1"), s("EXISTS a"), s("LMOVE a b LEFT LEFT"), s("RPOPLPUSH a b"),
		s("LMOVE b c RIGHT LEFT"), s("LMOVE b c LEFT RIGHT"), s("LRANGE c 0 -1"), s("LMOVE b c MIDDLE LEFT"),
		s("LMOVE b c LEFT MIDDLE"), s("LMOVE nx c MIDDLE LEFT"), s("LMOVE nx c LEFT LEFT"), s("RPOPLPUSH nx c"),
		s("SET s v"), s("LMOVE c s LEFT LEFT"), s("RPOPLPUSH c s"), s("LRANGE c 0 -1"), s("LMOVE s c LEFT LEFT"),
		s("RPOPLPUSH s c"), s("LMOVE nx s LEFT LEFT"), s("RPOPLPUSH nx s"), s("LMOVE s s LEFT LEFT"),
		s("RPUSH one x"), s("RPOPLPUSH one one"), s("LRANGE one 0 -1"), s("LMOVE one one LEFT LEFT"), s("LLEN one"),
		s("LMOVE one two LEFT LEFT"), s("EXISTS one"), s("LRANGE two 0 -1"),
		q("LMOVE", "two", "three", "left\x00x", "RIGHT"), s("LRANGE three 0 -1"), s("LMOVE two three LEFT"),
		s("RPOPLPUSH two"), s("RPOPLPUSH a b c"), s("RPUSH ttl a"), s("EXPIRE ttl 1000"), s("LMOVE ttl ttl LEFT RIGHT"),
		s("TTL ttl"), s("RPUSH d x"), s("EXPIRE d 1000"), s("LMOVE ttl d LEFT LEFT"), s("TTL d"), s("EXISTS ttl"),
	},
	"list lmpop": {
		s("RPUSH a 1 2 3 4 5"), s("RPUSH b x y"), s("LMPOP 1 a LEFT"), s("LMPOP 1 a RIGHT"), s("LMPOP 2 nx a LEFT COUNT 2"),
		s("LMPOP 2 a b RIGHT COUNT 10"), s("LMPOP 2 a b RIGHT COUNT 10"), s("LMPOP 2 a b left"), s("LMPOP 3 a b nx LEFT"),
		s("EXISTS a b"), s("LMPOP 0 a LEFT"), s("LMPOP -1 a LEFT"), s("LMPOP x a LEFT"), s("LMPOP 1.5 a LEFT"),
		s("LMPOP 2 a LEFT"), s("LMPOP 3 a LEFT COUNT"), s("LMPOP 1 a MIDDLE"), s("LMPOP 1 a LEFT COUNT 0"),
		s("LMPOP 1 a LEFT COUNT -1"), s("LMPOP 1 a LEFT COUNT x"), s("LMPOP 1 a LEFT COUNT 1 COUNT 1"),
		s("LMPOP 1 a LEFT EXTRA"), s("LMPOP 1 a LEFT COUNT"), s("LMPOP 1 a"), s("LMPOP 9223372036854775807 a LEFT"),
		s("LMPOP 9223372036854775806 a LEFT"), s("LMPOP 4611686018427387904 a LEFT"), s("LMPOP 9223372036854775808 a LEFT"),
		s("LMPOP 1 a left count 9223372036854775807"), s("LMPOP 1 a LEFT COUNT 9223372036854775808"),
		s("SET s v"), s("RPUSH l p q"), s("LMPOP 2 s l LEFT"), s("LMPOP 2 l s LEFT"), s("LMPOP 2 nx s LEFT"),
		s("LMPOP 3 nx l s RIGHT COUNT 5"), s("LMPOP 1 s LEFT COUNT 0"), s("LMPOP 0 s LEFT"), s("LMPOP 1 s BOGUS"),
		q("LMPOP", "1", "s", "right\x00", "COUNT\x00x", "2"), s("RPUSH l p"), q("LMPOP", "1", "l", "right\x00", "COUNT\x00x", "2"),
		s("LMPOP 2 l l LEFT COUNT 3"), s("LMPOP"), s("LMPOP 1"),
	},
	// LLEN, LRANGE, LINDEX and LPOS count their lookup; the others look
	// up with lookupKeyWrite, which counts none. A failed parse before the
	// lookup counts none either (compared after every step).
	"list keyspace lookups": {
		s("RPUSH l a b"), s("SET s v"), s("LLEN l"), s("LLEN nx"), s("LLEN s"), s("LRANGE l 0 -1"), s("LRANGE nx 0 -1"),
		s("LRANGE l x 0"), s("LRANGE s 0 1"), s("LINDEX l 0"), s("LINDEX nx 0"), s("LINDEX nx x"), s("LINDEX l x"),
		s("LINDEX s 0"), s("LPOS l a"), s("LPOS nx a"), s("LPOS l a RANK 0"), s("LPOS s a"), s("LPOS nx a COUNT 0"),
		s("LPUSH l x"), s("LPUSHX nx x"), s("LPOP nx"), s("LPOP l x"), s("RPOP l 0"), s("LSET nx 0 x"), s("LSET l 0 y"),
		s("LINSERT l BEFORE y z"), s("LREM l 0 z"), s("LTRIM nx 0 1"), s("LTRIM l 0 -1"), s("LMOVE l l LEFT RIGHT"),
		s("RPOPLPUSH nx l"), s("LMPOP 2 nx l LEFT"), s("LMPOP 1 nx LEFT"), s("LMOVE s l LEFT LEFT"),
		s("MULTI"), s("LLEN l"), s("LINDEX nx 0"), s("LPOP l"), s("EXEC"), s("TYPE l"), s("EXISTS l nx"),
	},
	"list transactions and keys": {
		s("MULTI"), s("RPUSH l a b c"), s("LPOP l"), s("LRANGE l 0 -1"), s("LPOS l c"), s("EXEC"),
		s("MULTI"), s("LPOP l 1 2"), s("LPUSH"), s("EXEC"), s("MULTI"), s("SET s v"), s("LPUSH s x"), s("LLEN l"), s("EXEC"),
		s("RENAME l m"), s("LRANGE m 0 -1"), s("COPY m n"), s("RPUSH n z"), s("LRANGE m 0 -1"), s("LRANGE n 0 -1"),
		s("MOVE n 1"), s("SELECT 1"), s("LRANGE n 0 -1"), s("LPOP n 5"), s("EXISTS n"), s("SELECT 0"),
		s("DEL m"), s("EXISTS m"), s("RPUSH m 1"), s("TYPE m"), s("SET m v"), s("TYPE m"), s("RPUSH m 2"),
		scan("TYPE list"), s("RPUSH q 1"), scan("TYPE list"), s("OBJECT ENCODING q"), s("DBSIZE"), s("FLUSHDB"), s("LLEN q"),
	},
}

var listConnScripts = map[string][]mstep{
	"list keyspace events": {
		on(1, "CONFIG SET notify-keyspace-events KEA"), on(0, "PSUBSCRIBE __key*__:*"),
		on(1, "LPUSH a 1 2"), recv(0), recv(0), on(1, "RPUSH a 3"), recv(0), recv(0),
		on(1, "LPUSHX nx 1"), on(1, "RPUSHX a 4 5"), recv(0), recv(0),
		on(1, "RPOPLPUSH a b"), recv(0), recv(0), recv(0), recv(0),
		on(1, "LMOVE a a LEFT RIGHT"), recv(0), recv(0), recv(0), recv(0),
		on(1, "LMOVE b a LEFT LEFT"), recv(0), recv(0), recv(0), recv(0), recv(0), recv(0),
		on(1, "LSET a 0 x"), recv(0), recv(0), on(1, "LSET a 99 x"), on(1, "LINSERT a BEFORE x y"), recv(0), recv(0),
		on(1, "LINSERT a BEFORE nothere y"), on(1, "LREM a 0 nothere"), on(1, "LREM a 1 y"), recv(0), recv(0),
		on(1, "LTRIM a 0 -1"), recv(0), recv(0), on(1, "LPOP a"), recv(0), recv(0), on(1, "RPOP a 2"), recv(0), recv(0),
		on(1, "LPOP a 0"), on(1, "LMPOP 2 nx a RIGHT COUNT 10"), recv(0), recv(0), recv(0), recv(0),
		on(1, "RPUSH t 1 2"), recv(0), recv(0), on(1, "LTRIM t 5 10"), recv(0), recv(0), recv(0), recv(0),
		on(1, "RPUSH r 1"), recv(0), recv(0), on(1, "LREM r 0 1"), recv(0), recv(0), recv(0), recv(0),
		on(1, "RPUSH p 1"), recv(0), recv(0), on(1, "LPOP p 5"), recv(0), recv(0), recv(0), recv(0),
		on(1, "LLEN nx"), on(1, "SET s v"), recv(0), recv(0), on(1, "LPUSH s x"), on(1, "LMOVE p s LEFT LEFT"),
		on(1, "CONFIG SET notify-keyspace-events Eln"), on(1, "CONFIG GET notify-keyspace-events"), on(1, "RPUSH n 1"), recv(0), recv(0), on(1, "RPOPLPUSH n m"),
		recv(0), recv(0), recv(0), on(1, "LPUSH m x"), recv(0), on(1, "CONFIG SET notify-keyspace-events Em"),
		on(1, "LLEN miss"), recv(0), on(1, "LRANGE miss 0 1"), recv(0), on(1, "LINDEX miss 0"), recv(0),
		on(1, "LPOS miss x"), recv(0), on(1, "LPOP miss"), on(1, "LLEN m"), on(1, "GET last"), recv(0),
		on(1, "CONFIG SET notify-keyspace-events \"\""),
	},
	// Which list commands touch a watched key: those that change it, and
	// LTRIM always (Redis signals it whatever it removes).
	"list watch": {
		on(0, "RPUSH w a b c"),
		on(0, "WATCH w"), on(1, "LTRIM w 0 -1"), on(0, "MULTI"), on(0, "LLEN w"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "LREM w 0 nothere"), on(1, "LPOP w 0"), on(1, "LINSERT w BEFORE nothere x"),
		on(1, "LSET w 99 x"), on(1, "LPUSHX nx a"), on(1, "LRANGE w 0 -1"), on(1, "LMOVE nx w LEFT LEFT"),
		on(1, "LMPOP 1 nx LEFT"), on(0, "MULTI"), on(0, "LLEN w"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "LSET w 0 a"), on(0, "MULTI"), on(0, "LLEN w"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "LMOVE w w LEFT RIGHT"), on(0, "MULTI"), on(0, "LLEN w"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "LREM w 1 a"), on(0, "MULTI"), on(0, "LLEN w"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "LINSERT w AFTER b x"), on(0, "MULTI"), on(0, "LLEN w"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "RPUSHX w y"), on(0, "MULTI"), on(0, "LLEN w"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "LMPOP 1 w RIGHT"), on(0, "MULTI"), on(0, "LLEN w"), on(0, "EXEC"),
		on(0, "WATCH dst"), on(1, "RPOPLPUSH w dst"), on(0, "MULTI"), on(0, "LLEN dst"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "LPOP w 10"), on(0, "MULTI"), on(0, "EXISTS w"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "LPUSH w again"), on(0, "MULTI"), on(0, "LLEN w"), on(0, "EXEC"),
	},
}

// TestListCommandsHaveDifferentialTests: every list command appears in a
// script above.
func TestListCommandsHaveDifferentialTests(t *testing.T) {
	checkScriptsCover(t, listDiffScripts, stepWords, listCommands())
}

// TestListDirtyAgainstRedis compares the changes each list command adds to
// rdb_changes_since_last_save (Redis's server.dirty): per element pushed
// or popped, per element LTRIM or LREM removes, one for LSET, LINSERT and
// a move, none for what fails or finds nothing.
func TestListDirtyAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	ref, got := dialRaw(t, redis.Addr), dialRaw(t, ours)
	dirty := func(c *rawConn) int64 {
		for _, line := range strings.Split(c.do("INFO", "persistence"), "\r\n") {
			if v, ok := strings.CutPrefix(line, "rdb_changes_since_last_save:"); ok {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					t.Fatalf("rdb_changes_since_last_save: %q", v)
				}
				return n
			}
		}
		t.Fatal("INFO persistence lacks rdb_changes_since_last_save")
		return 0
	}
	ref.do("FLUSHALL")
	got.do("FLUSHALL")
	for _, line := range []string{
		"RPUSH l a b c d e f", "LPUSH l x y", "LPUSHX l z", "RPUSHX nx a", "LPUSHX l a b c", "LPUSH l",
		"LPOP l", "RPOP l 3", "LPOP l 0", "LPOP nx 2", "LPOP l x", "RPOP l", "LSET l 0 q", "LSET l 99 q",
		"LSET nx 0 q", "LINSERT l BEFORE q r", "LINSERT l BEFORE nothere r", "LINSERT nx BEFORE q r",
		"RPUSH m a b a b a", "LREM m 0 a", "LREM m 0 zz", "LREM m -1 b", "LREM m 5 b",
		"RPUSH t 1 2 3 4 5 6", "LTRIM t 1 -2", "LTRIM t 0 -1", "LTRIM t 1 0", "LTRIM nx 0 1",
		"RPUSH r 1 2 3", "RPOPLPUSH r r", "LMOVE r r LEFT LEFT", "LMOVE r s RIGHT LEFT", "RPOPLPUSH nx s",
		"SET str v", "LMOVE r str LEFT LEFT", "LPUSH str x", "LMPOP 2 nx r LEFT COUNT 10", "LMPOP 1 s RIGHT",
		"LMPOP 1 nx LEFT", "LMPOP 1 str LEFT", "RPUSH p 1 2 3", "LPOP p 10",
	} {
		args := strings.Fields(line)
		before0, before1 := dirty(ref), dirty(got)
		want, have := ref.do(args...), got.do(args...)
		if want != have {
			t.Errorf("%s:\n redis: %q\n   ours: %q", line, want, have)
		}
		if d0, d1 := dirty(ref)-before0, dirty(got)-before1; d0 != d1 {
			t.Errorf("%s: dirty +%d on redis, +%d here", line, d0, d1)
		}
	}
}
