package server

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
)

// Differential tests of the set commands, run as TestDifferential runs
// its scripts (RESP2 and RESP3, keyspace hits and misses compared after
// every step), and comparing the dirty count too (INFO's
// rdb_changes_since_last_save), which Redis's set commands move in ways
// of their own (SPOP with a count, SMOVE, the *STORE commands).
//
// A hashtable's members come in an order of its own on each server, so
// replies that list them are compared as sets (su); an intset's come in
// ascending order on both, and are compared exactly (s). Random replies
// (SPOP, SRANDMEMBER) are compared by shape and checked against the
// members the key had (srnd): where Redis's reply is not random (the
// whole set, an empty key) they are compared exactly.

// The comparisons these scripts add to diff_test.go's.
const (
	// cmpUnorderedAgg: an array or RESP3 set whose order does not matter:
	// the same aggregate type and the same elements.
	cmpUnorderedAgg cmpMode = 100 + iota
	// cmpSetPick: SPOP or SRANDMEMBER: the same type and size on both
	// servers, elements that were members of the key just before, and
	// distinct ones unless the count is negative. SMEMBERS reads the key
	// on both servers before the command.
	cmpSetPick
	// cmpSScanAll: SSCAN key [options] run to completion on each server,
	// the members found compared as sets. The number of calls, and so of
	// lookups, may differ: the lookup counters are not compared.
	cmpSScanAll
)

func su(line string) step { return step{cmpUnorderedAgg, strings.Fields(line)} }

func srnd(line string) step { return step{cmpSetPick, strings.Fields(line)} }

func sscanTo(line string) step { return step{cmpSScanAll, strings.Fields(line)} }

// sadd returns SADD key with the members from..to, for sets too large to
// write out.
func sadd(key string, from, to int, prefix string) step {
	args := []string{"SADD", key}
	for i := from; i <= to; i++ {
		args = append(args, prefix+strconv.Itoa(i))
	}
	return step{exact, args}
}

var setDiffScripts = map[string][]step{
	"sadd srem scard sismember smismember smembers": {
		s("SADD s 3 1 2"), s("SADD s 3 4"), s("SADD s"), s("SCARD s"), s("SCARD missing"), s("SMEMBERS s"),
		s("OBJECT ENCODING s"), s("TYPE s"), s("SISMEMBER s 1"), s("SISMEMBER s 9"), s("SISMEMBER s a"),
		s("SISMEMBER s 01"), s("SISMEMBER missing 1"), s("SMISMEMBER s 1 9 2 a 1"), s("SMISMEMBER missing 1 2"),
		s("SMISMEMBER s"), s("SISMEMBER s"), s("SCARD"), s("SMEMBERS"), s("SMEMBERS missing"), s("SMEMBERS s s"),
		s("SREM s 1 9"), s("SREM s 9"), s("SMEMBERS s"), s("SREM s 2 3 4 5"), s("EXISTS s"), s("SREM missing a"),
		s("SREM s"), s("SADD s a b c"), s("OBJECT ENCODING s"), su("SMEMBERS s"), s("SREM s a a b"), s("SCARD s"),
		s("SISMEMBER s c"), s("SMISMEMBER s c a"), s("SREM s c"), s("EXISTS s"),
		s("SET str v"), s("SADD str a"), s("SREM str a"), s("SCARD str"), s("SISMEMBER str a"), s("SMISMEMBER str a"),
		s("SMEMBERS str"), s("GET str"),
		q("SADD", "bin", "\x00\xff", "a b", "", "\r\n"), q("SISMEMBER", "bin", ""), q("SISMEMBER", "bin", "a b"),
		su("SMEMBERS bin"), q("SREM", "bin", ""), s("SCARD bin"),
		s("SADD t 1"), s("EXPIRE t 100"), s("SADD t 2"), s("TTL t"), s("SREM t 1"), s("TTL t"), s("SADD t 1 2"), s("TTL t"),
		s("sadd lower 1"), s("sRem lower 1"), s("EXISTS lower"),
	},
	"intset": {
		s("SADD i 9223372036854775807 -9223372036854775808 0 -1 10 -10"), s("OBJECT ENCODING i"), s("SMEMBERS i"),
		s("SISMEMBER i -9223372036854775808"), s("SISMEMBER i 9223372036854775808"), s("SISMEMBER i -0"),
		s("SISMEMBER i +1"), s("SADD i 9223372036854775808"), s("OBJECT ENCODING i"), su("SMEMBERS i"),
		s("SREM i 9223372036854775808"), s("OBJECT ENCODING i"),
		s("SADD z -0"), s("OBJECT ENCODING z"), s("SADD p +1"), s("OBJECT ENCODING p"), s("SADD l 01"),
		s("OBJECT ENCODING l"), q("SADD", "sp", " 1"), s("OBJECT ENCODING sp"), q("SADD", "e", ""), s("OBJECT ENCODING e"),
		s("SADD f 1.0"), s("OBJECT ENCODING f"), s("SADD m 5 x"), s("OBJECT ENCODING m"), s("SADD n x 5"),
		s("OBJECT ENCODING n"), s("SREM n x"), s("OBJECT ENCODING n"), s("SMEMBERS n"),
		sadd("big", 1, 512, ""), s("OBJECT ENCODING big"), s("SCARD big"), s("SADD big 512"), s("OBJECT ENCODING big"),
		s("SADD big 513"), s("OBJECT ENCODING big"), s("SREM big 513 512"), s("OBJECT ENCODING big"), s("SCARD big"),
		sadd("big2", 1, 513, ""), s("OBJECT ENCODING big2"), sadd("big3", 1, 600, "-"), s("OBJECT ENCODING big3"),
		s("SADD c 3 2 1"), s("COPY c c2"), s("OBJECT ENCODING c2"), s("SMEMBERS c2"), s("SADD c2 x"), s("SMEMBERS c"),
		s("OBJECT ENCODING c"),
	},
	"spop": {
		s("SPOP missing"), s("SPOP missing 3"), s("SPOP missing 0"), s("SPOP missing -1"), s("SADD s 1 2 3"),
		s("SPOP s -1"), s("SPOP s x"), s("SPOP s 1.5"), s("SPOP s 9223372036854775808"), s("SPOP s 1 2"), s("SPOP s 0"),
		s("SPOP s 3"), s("EXISTS s"), s("SADD s 5 7 6"), s("SPOP s 9223372036854775807"), s("EXISTS s"),
		s("SADD one x"), s("SPOP one"), s("EXISTS one"), s("SADD one 7"), s("SPOP one 1"), s("EXISTS one"),
		s("SET str v"), s("SPOP str"), s("SPOP str 0"), s("SPOP str 1"), s("SPOP str -1"),
		s("SADD r 1 2 3 4 5 6 7 8 9 10"), srnd("SPOP r"), s("SCARD r"), srnd("SPOP r 2"), s("SCARD r"),
		srnd("SPOP r 6"), s("SCARD r"), s("OBJECT ENCODING r"), s("SPOP r 5"), s("EXISTS r"),
		s("SADD h a b c d e f"), srnd("SPOP h 5"), s("OBJECT ENCODING h"), s("SCARD h"), s("DEL h"),
		s("SADD h a b c d e f g h i j"), srnd("SPOP h 3"), s("SCARD h"), srnd("SPOP h"), s("SCARD h"), s("DEL h"),
		s("SADD m 1 2 3 4 5 6 a"), su("SPOP m 7"), s("EXISTS m"), s("SADD m a b"), su("SPOP m 2"),
		sadd("tt", 1, 20, ""), s("EXPIRE tt 100"), srnd("SPOP tt 19"), s("TTL tt"), s("SCARD tt"), s("OBJECT ENCODING tt"),
		srnd("SPOP tt"), s("EXISTS tt"), sadd("tt", 1, 20, ""), s("EXPIRE tt 100"), srnd("SPOP tt 3"), s("TTL tt"),
		s("SPOP"), s("spop tt 100"), s("EXISTS tt"),
	},
	"srandmember": {
		s("SRANDMEMBER missing"), s("SRANDMEMBER missing 5"), s("SRANDMEMBER missing -5"), s("SRANDMEMBER missing 0"),
		s("SRANDMEMBER missing x"), s("SADD s 3 1 2"), s("SRANDMEMBER s x"), s("SRANDMEMBER s 1.5"),
		s("SRANDMEMBER s -9223372036854775808"), s("SRANDMEMBER s 9223372036854775808"), s("SRANDMEMBER s 1 2"),
		s("SRANDMEMBER s 0"), s("SRANDMEMBER s 3"), s("SRANDMEMBER s 10"), s("SRANDMEMBER s 9223372036854775807"),
		srnd("SRANDMEMBER s"), srnd("SRANDMEMBER s 2"), srnd("SRANDMEMBER s 1"), srnd("SRANDMEMBER s -1"),
		srnd("SRANDMEMBER s -10"), s("SCARD s"),
		s("SET str v"), s("SRANDMEMBER str"), s("SRANDMEMBER str 0"), s("SRANDMEMBER str 2"), s("SRANDMEMBER str x"),
		s("SADD h a b c"), su("SRANDMEMBER h 3"), su("SRANDMEMBER h 4"), srnd("SRANDMEMBER h -7"), srnd("SRANDMEMBER h 2"),
		sadd("big", 1, 100, "m"), srnd("SRANDMEMBER big 5"), srnd("SRANDMEMBER big 40"), srnd("SRANDMEMBER big 99"),
		srnd("SRANDMEMBER big -200"), s("SCARD big"), sadd("ints", 1, 100, ""), srnd("SRANDMEMBER ints 10"),
		srnd("SRANDMEMBER ints 50"), s("SRANDMEMBER ints 100"), s("SRANDMEMBER"),
	},
	"smove": {
		s("SADD a 1 2"), s("SADD b x"), s("SMOVE a b 1"), s("SMEMBERS a"), su("SMEMBERS b"), s("OBJECT ENCODING b"),
		s("SMOVE a c 2"), s("EXISTS a"), s("OBJECT ENCODING c"), s("SMEMBERS c"), s("SMOVE missing b x"),
		s("SET str v"), s("SMOVE missing str x"), s("SMOVE str b x"), s("SMOVE b str x"), s("SMOVE b str nope"),
		s("SMOVE b b x"), s("SMOVE b b nope"), s("SMOVE b c nope"), s("SADD c x"), s("SMOVE b c x"), s("EXISTS b"),
		su("SMEMBERS c"), s("SADD d 2"), s("SMOVE c d 2"), s("SMEMBERS d"), s("OBJECT ENCODING c"),
		s("SADD e y"), s("SMOVE c e x"), s("OBJECT ENCODING e"), s("EXISTS c"),
		s("SADD f 1"), s("EXPIRE f 100"), s("SADD g 1 2"), s("EXPIRE g 200"), s("SMOVE g f 2"), s("TTL f"), s("TTL g"),
		s("SMOVE g f 1"), s("TTL f"), s("EXISTS g"), s("SMOVE f new 1"), s("TTL new"), s("SMOVE"), s("SMOVE a b"),
		q("SADD", "bin", "\x00"), q("SMOVE", "bin", "bin2", "\x00"), q("SISMEMBER", "bin2", "\x00"),
	},
	"sinter sunion sdiff": {
		s("SADD a 1 2 3 4"), s("SADD b 5 3 4"), s("SADD c 4 5 6 x"), s("SET str v"),
		s("SINTER a b"), s("SINTER a b c"), s("SINTER b a"), su("SINTER c a"), s("SINTER a missing"), s("SINTER missing a"),
		s("SINTER a str"), s("SINTER missing str"), s("SINTER str missing"), s("SINTER a missing str"), s("SINTER a"),
		s("SINTER a a"), s("SINTER missing"), s("SINTER"), su("SINTER c"), su("SINTER c c"),
		s("SUNION a b"), su("SUNION a c"), s("SUNION missing"), s("SUNION a missing"), s("SUNION a str"),
		s("SUNION missing str"), s("SUNION a a b"), s("SUNION"),
		s("SDIFF a b"), s("SDIFF a b c"), s("SDIFF b a"), su("SDIFF c a"), s("SDIFF missing a"), s("SDIFF a missing"),
		s("SDIFF a a"), s("SDIFF a b a"), s("SDIFF str"), s("SDIFF missing str"), s("SDIFF a str"), s("SDIFF"),
		sadd("big", 1, 50, ""), s("SDIFF a big"), s("SDIFF big a b c"), s("SINTER big a"), s("SINTER a big c"),
		s("SUNION big a"),
		sadd("words", 1, 30, "w"), s("SADD mix w1 w2 1 2"), su("SDIFF words mix"), s("SDIFF mix words"), su("SINTER words mix"),
		su("SINTER mix a"),
	},
	"sintercard": {
		s("SADD a 1 2 3 4"), s("SADD b 5 3 4"), s("SADD c 4 5 6 x"), s("SET str v"),
		s("SINTERCARD 2 a b"), s("SINTERCARD 3 a b c"), s("SINTERCARD 1 a"), s("SINTERCARD 1 c"), s("SINTERCARD 2 a a"),
		s("SINTERCARD 2 a b LIMIT 1"), s("SINTERCARD 2 a b LIMIT 0"), s("SINTERCARD 2 a b LIMIT 100"),
		s("SINTERCARD 2 a b limit 1 LIMIT 5"), s("SINTERCARD 2 a b LIMIT -1"), s("SINTERCARD 2 a b LIMIT x"),
		s("SINTERCARD 2 a b LIMIT"), s("SINTERCARD 2 a b BOGUS"), s("SINTERCARD 2 a b BOGUS 1"),
		s("SINTERCARD 2 a missing"), s("SINTERCARD 2 missing a"), s("SINTERCARD 2 a str"), s("SINTERCARD 2 str a"),
		s("SINTERCARD 3 a missing str"), s("SINTERCARD 0 a"), s("SINTERCARD -1 a"), s("SINTERCARD x a"),
		s("SINTERCARD 3 a b"), s("SINTERCARD 1 a b"), s("SINTERCARD 99999999999999999999 a"),
		s("SINTERCARD 9223372036854775807 a"), s("SINTERCARD 1"), s("SINTERCARD"), s("SINTERCARD 1 missing LIMIT x"),
		s("SINTERCARD 1 a LIMIT 9223372036854775807"), s("SINTERCARD 1 a LIMIT 9223372036854775808"),
		q("SINTERCARD", "2", "a", "b", "LIMIT\x00x", "1"),
	},
	"store": {
		s("SADD a 1 2 3 4"), s("SADD b 5 3 4"), s("SADD c 4 5 6 x"),
		s("SINTERSTORE d a b"), s("SMEMBERS d"), s("OBJECT ENCODING d"), s("SINTERSTORE d a c"), s("OBJECT ENCODING d"),
		s("SMEMBERS d"), s("SINTERSTORE d c"), su("SMEMBERS d"), s("OBJECT ENCODING d"),
		s("SET d v"), s("EXPIRE d 100"), s("SINTERSTORE d a b"), s("TTL d"), s("TYPE d"),
		s("SINTERSTORE d a missing"), s("EXISTS d"), s("SINTERSTORE d missing"), s("SINTERSTORE d a b"),
		s("SINTERSTORE d a str"), s("SET str v"), s("SINTERSTORE d a str"), s("SMEMBERS d"), s("SINTERSTORE d str missing"),
		s("SINTERSTORE str a b"), s("TYPE str"), s("SET str v"),
		s("SUNIONSTORE d a c"), su("SMEMBERS d"), s("OBJECT ENCODING d"), s("SUNIONSTORE d a b"), s("SMEMBERS d"),
		s("OBJECT ENCODING d"), s("SUNIONSTORE d m1 m2"), s("EXISTS d"), s("SUNIONSTORE d m1 m2"), s("SUNIONSTORE d a str"),
		s("SUNIONSTORE str a"), s("TYPE str"), s("SET str v"),
		s("SDIFFSTORE d a b"), s("SMEMBERS d"), s("SDIFFSTORE d a a"), s("EXISTS d"), s("SDIFFSTORE d missing a"),
		s("SDIFFSTORE d c a"), su("SMEMBERS d"), s("SDIFFSTORE d a missing"), s("SMEMBERS d"), s("SDIFFSTORE d str"),
		s("SDIFFSTORE a a b"), s("SMEMBERS a"), s("SINTERSTORE b b c"), s("SMEMBERS b"), s("SUNIONSTORE c c a b"),
		su("SMEMBERS c"), s("SET str v"), s("EXPIRE str 100"), s("SDIFFSTORE str a"), s("TTL str"),
		sadd("i1", 1, 300, ""), sadd("i2", 301, 600, ""), s("SUNIONSTORE u i1 i2"), s("OBJECT ENCODING u"), s("SCARD u"),
		s("SDIFFSTORE u u i2"), s("OBJECT ENCODING u"), s("SINTERSTORE u i1 i1"), s("OBJECT ENCODING u"),
		s("SINTERSTORE"), s("SINTERSTORE d"), s("SUNIONSTORE d"), s("SDIFFSTORE d"),
	},
	"sscan": {
		s("SADD i 3 1 2"), s("SSCAN i 0"), s("SSCAN i 0 MATCH 1"), s("SSCAN i 0 COUNT 1"), s("SSCAN i 0 MATCH * COUNT 1"),
		s("SSCAN i 0 match [12]"), s("SSCAN i 5"), s("SSCAN i 18446744073709551615"), s("SSCAN i -1"),
		s("SSCAN missing 0"), s("SSCAN missing x"), s("SSCAN missing 0 COUNT x"), s("SSCAN missing 0 BOGUS"),
		s("SET str v"), s("SSCAN str 0"), s("SSCAN str 0 COUNT x"), s("SSCAN str x"),
		s("SSCAN i x"), s("SSCAN i 0 COUNT 0"), s("SSCAN i 0 COUNT -1"), s("SSCAN i 0 COUNT x"), s("SSCAN i 0 MATCH"),
		s("SSCAN i 0 TYPE string"), s("SSCAN i 0 BOGUS x"), s("SSCAN i 18446744073709551616"), s("SSCAN i 1.5"),
		q("SSCAN", "i", "0", "COUNT\x00x", "1"), s("SSCAN i"), s("SSCAN"),
		s("SADD h a b c"), sscanTo("SSCAN h COUNT 1000"), sscanTo("SSCAN h"), sscanTo("SSCAN h MATCH a"),
		sadd("big", 1, 100, "m"), sscanTo("SSCAN big"), sscanTo("SSCAN big COUNT 3"), sscanTo("SSCAN big MATCH m1*"),
		sscanTo("SSCAN big MATCH m1* COUNT 1"), sadd("ints", 1, 100, ""), s("SSCAN ints 0"), s("SSCAN ints 0 MATCH 1*"),
		q("SADD", "bin", "a\x00b", "*"), su("SSCAN bin 0 MATCH a*"), q("SSCAN", "bin", "0", "MATCH", "\\*"),
	},
	"set commands in transactions": {
		s("MULTI"), s("SADD s 1 2"), s("SMEMBERS s"), s("SPOP s 2"), s("EXISTS s"), s("EXEC"),
		s("MULTI"), s("SADD h a"), s("SINTERSTORE d h"), su("SUNION h d"), s("SCARD d"), s("EXEC"),
		s("SET str v"), s("MULTI"), s("SADD str a"), s("SCARD str"), s("GET str"), s("EXEC"),
		s("MULTI"), s("SINTERCARD 0 a"), s("EXEC"), s("MULTI"), s("SADD x"), s("EXEC"),
	},
	"set command keys": {
		s("COMMAND GETKEYS sintercard 2 a b"), s("COMMAND GETKEYS sintercard 2 a b LIMIT 1"),
		s("COMMAND GETKEYSANDFLAGS sintercard 2 a b"), s("COMMAND GETKEYS sintercard 3 a b"),
		s("COMMAND GETKEYS sintercard x a b"), s("COMMAND GETKEYS sintercard 0 a"), s("COMMAND GETKEYS sinterstore d a b"),
		s("COMMAND GETKEYSANDFLAGS sinterstore d a"), s("COMMAND GETKEYSANDFLAGS smove a b m"), s("COMMAND GETKEYS sadd k"),
		s("COMMAND GETKEYS sscan k 0"), s("COMMAND GETKEYSANDFLAGS spop k 1"), s("COMMAND GETKEYSANDFLAGS sdiffstore d a b"),
	},
	"set keyspace lookups": {
		s("SADD s 1 2"), s("SET str v"), s("SMEMBERS s"), s("SMEMBERS nx"), s("SMEMBERS str"), s("SCARD nx"),
		s("SISMEMBER nx 1"), s("SMISMEMBER nx 1 2"), s("SMISMEMBER str 1"), s("SRANDMEMBER nx"), s("SRANDMEMBER nx 3"),
		s("SRANDMEMBER nx x"), s("SRANDMEMBER s 2"), s("SPOP nx"), s("SPOP nx 2"), s("SPOP s 5"), s("SADD s 1 2"),
		s("SPOP s 0"), s("SREM nx 1"), s("SMOVE nx s 1"), s("SMOVE s nx 1"), s("SINTER s nx"), s("SINTERCARD 2 s nx"),
		s("SINTERSTORE d s nx"), s("SUNIONSTORE d s nx"), s("SDIFFSTORE d nx s"), s("SSCAN nx 0"), s("SSCAN s 0"),
		s("SSCAN s x"), s("SADD str 1"),
	},
}

// startRealServerHandle is startRealServer returning the server itself,
// for tests that reach into its keyspace.
func startRealServerHandle(t *testing.T, args ...string) *testServer {
	t.Helper()
	cfg, _ := testConfig(t, args...)
	cfg.Clock = nil
	return startServerConfig(t, cfg, nil)
}

func TestSetDifferential(t *testing.T) {
	runCollectionScripts(t, setDiffScripts)
}

// runCollectionScripts runs scripts on RESP2 and RESP3 connections to
// redis-server and to this server, comparing the replies, the keyspace
// lookups and the dirty count after every step.
func runCollectionScripts(t *testing.T, scripts map[string][]step) {
	redis := redistest.Start(t)
	ours := startRealServerHandle(t)
	for _, proto := range []string{"2", "3"} {
		for name, script := range scripts {
			t.Run("RESP"+proto+"/"+name, func(t *testing.T) {
				ref, got := dialPair(t, redis.Addr, ours.addr, proto)
				stats := dialStats(t, redis.Addr, ours.addr)
				for _, c := range []*rawConn{ref, got} {
					c.do("FLUSHALL")
					c.do("SELECT", "0")
				}
				stats.reset()
				dirty := [2]int64{readDirty(stats.ref), readDirty(stats.got)}
				dbIndex := 0
				for _, st := range script {
					switch {
					case seedCollection(t, ours, dbIndex, st, ref, got):
					case st.mode == cmpSScanAll:
						compareCollectionStep(t, st, ref, got)
						stats.reset()
						continue
					default:
						compareCollectionStep(t, st, ref, got)
						if st.mode == cmpSetPick && strings.EqualFold(st.args[0], "spop") {
							resyncSet(t, ours, dbIndex, st.args[1], ref, got)
						}
					}
					stats.compare(t, st)
					if len(st.args) == 2 && strings.EqualFold(st.args[0], "select") {
						if n, err := strconv.Atoi(st.args[1]); err == nil && n >= 0 && n < 16 {
							dbIndex = n
						}
					}
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

// resyncSet makes the set at key on our server, which a random SPOP left
// with other members than redis-server's, hold the same members in the
// same encoding, through the db package: the script goes on from the
// same state on both. It reads the key on both servers alike, so that
// the lookup counters stay comparable.
func resyncSet(t *testing.T, ts *testServer, dbIndex int, key string, ref, got *rawConn) {
	t.Helper()
	want, have := smembersOf(ref, key), smembersOf(got, key)
	encWant, encHave := ref.do("OBJECT", "ENCODING", key), got.do("OBJECT", "ENCODING", key)
	if slices.Equal(want, have) && encWant == encHave {
		return
	}
	if len(want) != len(have) {
		t.Fatalf("SPOP left %d members on redis, %d on ours", len(want), len(have))
	}
	k := []byte(key)
	tx := ts.store.DB(dbIndex).Write(k)
	defer tx.Close()
	set, err := tx.MutableSet(k, false)
	if err != nil || set == nil {
		t.Fatalf("resync %s: %v", key, err)
	}
	lim := tx.Limits()
	fresh := db.NewSet()
	if encWant == "$9\r\nhashtable\r\n" {
		fresh.Add([]byte("\x00not an integer"), lim)
	}
	for _, m := range want {
		fresh.Add([]byte(m), lim)
	}
	fresh.Remove([]byte("\x00not an integer"))
	tx.SetValue(k, fresh)
}

// readDirty returns rdb_changes_since_last_save.
func readDirty(c *rawConn) int64 {
	for _, line := range strings.Split(c.do("INFO", "persistence"), "\r\n") {
		if v, ok := strings.CutPrefix(line, "rdb_changes_since_last_save:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	c.t.Fatal("INFO persistence lacks rdb_changes_since_last_save")
	return 0
}

// compareCollectionStep is compareStep with the comparisons of this file.
func compareCollectionStep(t *testing.T, st step, ref, got *rawConn) {
	t.Helper()
	switch st.mode {
	case cmpUnorderedAgg:
		want, have := ref.do(st.args...), got.do(st.args...)
		if !sameUnordered(want, have) {
			t.Errorf("%q (in any order):\n redis: %q\n   ours: %q", st.args, want, have)
		}
	case cmpSetPick:
		key := st.args[1]
		before := [2][]string{smembersOf(ref, key), smembersOf(got, key)}
		want, have := ref.do(st.args...), got.do(st.args...)
		if msg := checkSetPick(st.args, want, have, before); msg != "" {
			t.Errorf("%q: %s\n redis: %q\n   ours: %q", st.args, msg, want, have)
		}
	case cmpSScanAll:
		want, have := sscanMembers(ref, st.args[1], st.args[2:]), sscanMembers(got, st.args[1], st.args[2:])
		if !slices.Equal(want, have) {
			t.Errorf("%q to completion:\n redis: %q\n   ours: %q", st.args, want, have)
		}
	default:
		compareStep(t, st, ref, got)
	}
}

// sameUnordered reports whether two replies are equal, or are aggregates
// of the same type and size with the same elements in any order.
func sameUnordered(a, b string) bool {
	if a == b {
		return true
	}
	fa, _, err1 := frame.Parse([]byte(a))
	fb, _, err2 := frame.Parse([]byte(b))
	if err1 != nil || err2 != nil || fa.Type != fb.Type || fa.Nil != fb.Nil {
		return false
	}
	return slices.Equal(sortedFrames(fa.Elems), sortedFrames(fb.Elems))
}

// smembersOf returns the members of the set at key, sorted, or nil if
// there is no set there.
func smembersOf(c *rawConn, key string) []string {
	f, _, err := frame.Parse([]byte(c.do("SMEMBERS", key)))
	if err != nil || f.IsError() {
		return nil
	}
	var out []string
	for _, e := range f.Elems {
		out = append(out, e.Text())
	}
	slices.Sort(out)
	return out
}

// checkSetPick checks the replies of SPOP or SRANDMEMBER (args), whose
// key held the members before[0] on redis-server and before[1] on ours.
// It returns what is wrong, or "".
func checkSetPick(args []string, want, have string, before [2][]string) string {
	if !slices.Equal(before[0], before[1]) {
		return fmt.Sprintf("the key differed before: redis %q, ours %q", before[0], before[1])
	}
	fw, _, err1 := frame.Parse([]byte(want))
	fh, _, err2 := frame.Parse([]byte(have))
	if err1 != nil || err2 != nil {
		return "unparsable reply"
	}
	if fw.Type != fh.Type || fw.Nil || fh.Nil || fw.IsError() || fh.IsError() ||
		fw.Type == frame.Integer || fh.Type == frame.Integer {
		if want != have {
			return "different replies"
		}
		return ""
	}
	elems := func(f frame.Frame) []string {
		if f.Type == frame.BulkString {
			return []string{f.Text()}
		}
		var out []string
		for _, e := range f.Elems {
			out = append(out, e.Text())
		}
		return out
	}
	ew, eh := elems(fw), elems(fh)
	if len(ew) != len(eh) {
		return "replies of different sizes"
	}
	distinct := len(args) < 3 || !strings.HasPrefix(args[2], "-")
	for i, es := range [][]string{ew, eh} {
		seen := map[string]bool{}
		for _, e := range es {
			if _, found := slices.BinarySearch(before[i], e); !found {
				return fmt.Sprintf("%q was not a member", e)
			}
			if distinct && seen[e] {
				return fmt.Sprintf("%q given twice", e)
			}
			seen[e] = true
		}
	}
	return ""
}

// sscanMembers runs SSCAN key to completion with opts and returns the
// sorted distinct members, or the error reply.
func sscanMembers(c *rawConn, key string, opts []string) []string {
	seen := map[string]bool{}
	cursor := "0"
	for range 10000 {
		reply := c.do(append([]string{"SSCAN", key, cursor}, opts...)...)
		f, _, err := frame.Parse([]byte(reply))
		if err != nil || f.Type != frame.Array || len(f.Elems) != 2 {
			return []string{"error: " + reply}
		}
		for _, m := range f.Elems[1].Elems {
			seen[m.Text()] = true
		}
		if cursor = f.Elems[0].Text(); cursor == "0" {
			break
		}
	}
	out := make([]string, 0, len(seen))
	for m := range seen {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

// seedCollection runs st, an RPUSH or HSET that makes a list or a hash
// for a script about another type, when this server does not have the
// command yet: on redis-server as it is, on ours through the db package,
// which makes the same value (and counts the same dirty changes, and no
// keyspace lookups). It reports whether it did; the replies are not
// compared.
func seedCollection(t *testing.T, ts *testServer, dbIndex int, st step, ref, got *rawConn) bool {
	t.Helper()
	if len(st.args) < 3 || ts.commands.lookup([]byte(st.args[0])) != nil {
		return false
	}
	name := strings.ToLower(st.args[0])
	if name != "rpush" && name != "hset" {
		return false
	}
	if reply := ref.do(st.args...); reply[0] != ':' {
		t.Fatalf("%q on redis: %q", st.args, reply)
	}
	key := []byte(st.args[1])
	tx := ts.store.DB(dbIndex).Write(key)
	defer tx.Close()
	changes := 0
	switch name {
	case "rpush":
		l, err := tx.MutableList(key, true)
		if err != nil {
			t.Fatalf("%q: %v", st.args, err)
		}
		for _, e := range st.args[2:] {
			l.PushBack([]byte(e))
			changes++
		}
	case "hset":
		h, err := tx.MutableHash(key, true)
		if err != nil {
			t.Fatalf("%q: %v", st.args, err)
		}
		for i := 2; i+1 < len(st.args); i += 2 {
			h.Set([]byte(st.args[i]), []byte(st.args[i+1]), tx.Limits())
			changes++
		}
	}
	ts.dirty.Add(int64(changes))
	return true
}

// TestSetCommandsAreCovered keeps the scripts honest: every set command
// appears in one.
func TestSetCommandsAreCovered(t *testing.T) {
	checkScriptsCover(t, setDiffScripts, stepWords, setCommands())
}

// TestSetEventsAgainstRedis compares the keyspace notifications of the set
// commands, and their order, with redis-server's.
func TestSetEventsAgainstRedis(t *testing.T) {
	checkEventsAgainstRedis(t, []string{
		"SADD s 1 2", "SADD s 1", "SREM s 9", "SREM s 1 2 3", "SADD s 1 2 3", "SPOP s", "SPOP s 0", "SPOP s 1",
		"SPOP s 5", "SADD s a b c d e f", "SPOP s 3", "SPOP s 5", "SPOP missing", "SPOP missing 2",
		"SADD a 1 2", "SMOVE a b 1", "SMOVE a b 9", "SMOVE a b 2", "SADD a 1", "SMOVE a b 1", "SMOVE b b 1",
		"SMOVE missing b 1", "SADD x 1", "SINTERSTORE d x b", "SINTERSTORE d x missing", "SINTERSTORE d x missing",
		"SUNIONSTORE d x b", "SUNIONSTORE d m1 m2", "SET d v", "SDIFFSTORE d x b", "SDIFFSTORE d b x", "SADD d 5",
		"SDIFFSTORE d x x", "SRANDMEMBER b", "SMEMBERS b", "SINTER b x", "EXPIRE b 100", "PERSIST b", "DEL b",
		"SADD e 1", "EXPIRE e 0", "SADD r 1", "RENAME r r2", "COPY r2 r3", "MOVE r3 1", "SADD q 1", "SPOP q",
		"SADD big 1 2 3 4 5 6 7 8 9 10", "SPOP big 9", "SPOP big 1", "SET str v", "SADD str x",
	}, sameReplyOrShape) // SPOP's picks differ; its events do not name them
}

// sameReplyOrShape reports whether two replies are the same, or of the
// same shape (sameShape): for the replies of random picks.
func sameReplyOrShape(want, have string) bool { return want == have || sameShape(want, have) }

// checkEventsAgainstRedis runs each of lines on a connection to a real
// redis-server and on one to this server, with notify-keyspace-events
// KEA, and compares the replies (with same; nil compares them byte for
// byte) and the keyspace events of database 0 each command publishes,
// their keys and order: a second connection subscribed to them PINGs
// after each command, and its PONG comes after every event the command
// published. It returns how many events Redis published in all.
func checkEventsAgainstRedis(t *testing.T, lines []string, same func(want, have string) bool) int {
	t.Helper()
	script := []mstep{on(1, "CONFIG SET notify-keyspace-events KEA"), on(0, "PSUBSCRIBE __keyevent@0__:*")}
	for _, line := range lines {
		script = append(script, on(1, line), on(0, "PING"))
	}
	if same == nil {
		same = func(want, have string) bool { return want == have }
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
	seen := 0
	for _, st := range script {
		if st.conn == 1 {
			if want, have := ref[1].do(st.args...), got[1].do(st.args...); !same(want, have) {
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
		want, have := events(ref[0]), events(got[0])
		if !slices.Equal(want, have) {
			t.Errorf("events before the PING:\n redis: %q\n   ours: %q", want, have)
		}
		seen += len(want)
	}
	return seen
}

// TestSetWatch checks that the set commands touch a watched key when Redis
// signals it, and only then: a transaction watching the key fails exactly
// when it fails on redis-server.
func TestSetWatch(t *testing.T) {
	checkWatchAgainstRedis(t, "SADD d 0", []string{"s", "d"}, []watchCase{
		{"SADD s 1", "SADD s 2"}, {"SADD s 1", "SADD s 1"}, {"SADD s 1", "SREM s 9"}, {"SADD s 1 2", "SREM s 1"},
		{"SADD s 1", "SREM s 1"}, {"SADD s 1 2", "SPOP s"}, {"SADD s 1 2", "SPOP s 0"}, {"SADD s 1 2", "SPOP s 5"},
		{"SADD s 1 2 3 4 5 6", "SPOP s 5"}, {"SADD s 1", "SPOP missing"}, {"SADD s 1", "SRANDMEMBER s"},
		{"SADD s 1", "SMOVE s d 1"}, {"SADD s 1", "SMOVE d s 1"}, {"SADD s 1 2", "SMOVE s s 1"},
		{"SADD d 1", "SMOVE s d 1"}, {"SADD d 1", "SMOVE d s 9"},
		{"SADD s 1", "SINTERSTORE s s"}, {"SADD s 1", "SINTERSTORE s missing"}, {"SET x 1", "SINTERSTORE s missing"},
		{"SADD d 1", "SUNIONSTORE s d"}, {"SADD d 1", "SDIFFSTORE s d d"}, {"SADD s 1", "SDIFFSTORE x s s"},
		{"SADD d 1 2", "SMOVE d s 1"},
		// The generic commands on a set.
		{"SADD s 1", "EXPIRE s 100"}, {"SADD s 1", "PERSIST s"}, {"SADD s 1;EXPIRE s 100", "PERSIST s"},
		{"SADD s 1", "DEL s"}, {"SADD s 1", "RENAME s x"}, {"SADD x 1", "RENAME x s"}, {"SADD s 1", "COPY s x"},
		{"SADD x 1", "COPY x s"}, {"SADD s 1;SADD x 2", "COPY x s REPLACE"}, {"SADD s 1", "MOVE s 1"},
		{"SADD s 1", "TYPE s"}, {"SADD s 1", "OBJECT ENCODING s"}, {"SADD s 1", "SET s v"}, {"SADD s 1", "GET s"},
		{"SADD s 1", "APPEND s x"}, {"SADD s 1", "PEXPIRE s 1"}, {"SADD s 1", "EXPIRE s 0"}, {"SADD s 1", "FLUSHDB"},
		{"SADD s 1", "SWAPDB 0 1"}, {"SADD s 1", "MEMORY USAGE s"},
	})
}

// watchCase is a case of checkWatchAgainstRedis: the setup commands, then
// the change another client makes, each command separated from the next
// by ";".
type watchCase struct{ setup, change string }

// checkWatchAgainstRedis checks that the changes touch a watched key when
// Redis signals it, and only then: for each case, on a real redis-server
// and on this server, prelude and the case's setup run, a client watches
// keys, another makes the change, and the first one's transaction must
// fail on both or on neither.
func checkWatchAgainstRedis(t *testing.T, prelude string, keys []string, cases []watchCase) {
	t.Helper()
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for _, tc := range cases {
		results := [2]string{}
		for i, addr := range []string{redis.Addr, ours} {
			results[i] = execAfterChange(t, addr, prelude+";"+tc.setup, keys, strings.Fields(tc.change))
		}
		if results[0] != results[1] {
			t.Errorf("WATCH %s; %s; %s: EXEC on redis %q, ours %q", strings.Join(keys, " "), tc.setup, tc.change, results[0], results[1])
		}
	}
}

// execAfterChange runs, on the server at addr: FLUSHALL and the setup
// commands (separated by ";"), WATCH keys, change on another connection,
// then MULTI, PING and EXEC, and returns EXEC's reply, which is nil if
// change touched a watched key.
func execAfterChange(t *testing.T, addr, setup string, keys, change []string) string {
	t.Helper()
	a, b := dialRaw(t, addr), dialRaw(t, addr)
	a.do("FLUSHALL")
	for _, cmd := range strings.Split(setup, ";") {
		if args := strings.Fields(cmd); len(args) > 0 {
			a.do(args...)
		}
	}
	a.do(append([]string{"WATCH"}, keys...)...)
	b.do(change...)
	a.do("MULTI")
	a.do("PING")
	return a.do("EXEC")
}

// TestSetCommandsOnOtherTypes checks the set commands on
// lists and hashes, made through the db package: WRONGTYPE, as Redis
// replies.
func TestSetCommandsOnOtherTypes(t *testing.T) {
	ts := startServer(t)
	c := ts.dial(t)
	tx := ts.store.DB(0).Write([]byte("l"), []byte("h"))
	l, _ := tx.MutableList([]byte("l"), true)
	l.PushBack([]byte("1"))
	h, _ := tx.MutableHash([]byte("h"), true)
	h.Set([]byte("f"), []byte("v"), db.DefaultEncodingLimits())
	tx.Close()
	c.do("SADD", "s", "1")
	const wrongType = "-" + errWrongType + "\r\n"
	for _, key := range []string{"l", "h"} {
		for _, args := range [][]string{
			{"SADD", key, "x"}, {"SREM", key, "x"}, {"SMEMBERS", key}, {"SISMEMBER", key, "x"},
			{"SMISMEMBER", key, "x"}, {"SCARD", key}, {"SPOP", key}, {"SPOP", key, "1"}, {"SRANDMEMBER", key},
			{"SRANDMEMBER", key, "2"}, {"SMOVE", key, "s", "1"}, {"SMOVE", "s", key, "1"}, {"SINTER", "s", key},
			{"SINTERCARD", "2", "s", key}, {"SINTERSTORE", "d", "s", key}, {"SUNION", key}, {"SUNIONSTORE", "d", key},
			{"SDIFF", "s", key}, {"SDIFFSTORE", "d", key}, {"SSCAN", key, "0"},
		} {
			if got := c.do(args...); got != wrongType {
				t.Errorf("%q: %q, want WRONGTYPE", args, got)
			}
		}
	}
	if got := c.do("SINTERSTORE", "l", "s"); got != ":1\r\n" {
		t.Errorf("SINTERSTORE over a list: %q", got)
	}
	if got := c.do("TYPE", "l"); got != "+set\r\n" {
		t.Errorf("TYPE after SINTERSTORE over a list: %q", got)
	}
}

// TestSPopRebuildsTheSet checks what the differential scripts cannot see
// for the randomness: SPOP with a count that leaves few members (at most a
// fifth of count) moves them to a new set, whose encoding is chosen
// afresh, as Redis's setTypeCreate does, and keeps the key's deadline;
// one that leaves more keeps the set, and its encoding.
func TestSPopRebuildsTheSet(t *testing.T) {
	ts := startServer(t)
	c := ts.dial(t)
	fill := func(key string, n int, extra ...string) {
		args := []string{"SADD", key}
		for i := 1; i <= n; i++ {
			args = append(args, strconv.Itoa(i))
		}
		c.do(append(args, extra...)...)
	}
	for _, tc := range []struct {
		name    string
		size    int
		extra   []string
		count   string
		wantEnc string
	}{
		{"hashtable of 600 integers, 10 stay", 600, nil, "590", "intset"},
		{"hashtable of 600 integers, 200 stay", 600, nil, "400", "hashtable"},
		{"intset, 1 stays", 100, nil, "99", "intset"},
		{"hashtable of integers and a, a removed first", 20, []string{"a"}, "20", ""},
	} {
		c.do("DEL", "s")
		fill("s", tc.size, tc.extra...)
		c.do("EXPIRE", "s", "1000")
		reply := c.do("SPOP", "s", tc.count)
		if !strings.HasPrefix(reply, "*"+tc.count+"\r\n") {
			t.Errorf("%s: SPOP replied %.40q", tc.name, reply)
		}
		if got := c.do("TTL", "s"); got != ":1000\r\n" {
			t.Errorf("%s: TTL %q after SPOP", tc.name, got)
		}
		enc := c.do("OBJECT", "ENCODING", "s")
		want := tc.wantEnc
		if want == "" { // the one member left decides
			want = "intset"
			if c.do("SMEMBERS", "s") == "*1\r\n$1\r\na\r\n" {
				want = "hashtable"
			}
		}
		if enc != bulk(want) {
			t.Errorf("%s: encoding %q, want %s", tc.name, enc, want)
		}
	}
}
