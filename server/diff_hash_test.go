package server

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
)

// Differential tests of the hash commands (cmd_hash.go) and the encoding
// parameters: the scripts run on a real redis-server and on this server,
// on RESP2 and RESP3 connections, and every step must give the same reply,
// make the same keyspace lookups (INFO's keyspace_hits and misses) and add
// the same to the dirty count (rdb_changes_since_last_save).
//
// A listpack hash has the same order in both servers, so most replies
// compare byte for byte. A hashtable's order is its own in each, and
// random choices cannot match, so the steps below compare those as sets of
// pairs, whole HSCANs, or by what any right answer must be.

// The hash tests' own ways of comparing two replies, beside diff_test.go's.
const (
	// asPairs: a flat array, a map, or an array of [field, value] arrays,
	// whose pairs may come in any order (HGETALL of a hashtable).
	asPairs cmpMode = 100 + iota
	// hscanAll: HSCAN key cursor... run to completion with the step's
	// options (args: key, then options); the pairs are compared as sets.
	hscanAll
	// hscanOnce: one HSCAN whose cursor must match and whose pairs may
	// come in any order.
	hscanOnce
	// randomPick: HRANDFIELD, checked on each server against its own hash
	// (HGETALL and OBJECT ENCODING, asked of both): the shape, the count,
	// fields of the hash with their values, distinct for a positive
	// count, and in the hash's order where Redis keeps it.
	randomPick
)

func pairs(line string) step { return step{asPairs, strings.Fields(line)} }

func hscan(keyAndOpts string) step { return step{hscanAll, strings.Fields(keyAndOpts)} }

func hscan1(line string) step { return step{hscanOnce, strings.Fields(line)} }

func pick(line string) step { return step{randomPick, strings.Fields(line)} }

// hsetN is HSET key with fields prefix0... prefix(n-1), each set to value.
func hsetN(key, prefix string, n int, value string) step {
	args := []string{"HSET", key}
	for i := range n {
		args = append(args, prefix+strconv.Itoa(i), value)
	}
	return step{exact, args}
}

// encodingDefaults puts the encoding parameters back to Redis's defaults.
var encodingDefaults = []string{"CONFIG", "SET", "hash-max-listpack-entries", "512", "hash-max-listpack-value", "64",
	"set-max-intset-entries", "512", "list-max-listpack-size", "-2", "list-compress-depth", "0"}

var long64, long65 = strings.Repeat("x", 64), strings.Repeat("y", 65)

var hashDiffScripts = map[string][]step{
	"hset hget hmset hsetnx": {
		s("HSET h f v"), s("HGET h f"), s("HGET h nofield"), s("HGET nokey f"), s("HSET h f v2 g w"),
		s("HGETALL h"), s("HMSET h a 1 b 2"), s("HMGET h a b nofield f"), s("HMGET nokey a b"),
		s("HSET h f v f v3"), s("HGET h f"), s("HSET h"), s("HSET h f"), s("HSET h f v g"), s("HMSET h f v g"),
		s("HMSET h"), s("HMSET h f"), s("HGET h"), s("HGET h f x"), s("HMGET h"), s("HSETNX h f x"), s("HSETNX h new x"),
		s("HSETNX h"), s("HSETNX h f"), s("HSETNX h f x y"), s("HSETNX fresh f x"), s("HGETALL fresh"), s("HGETALL h"),
		q("HSET", "b", "", ""), q("HGET", "b", ""), q("HSET", "b", "a\x00b", "\r\n\x00"), q("HGET", "b", "a\x00b"),
		q("HMGET", "b", "", "a\x00b", "a"), s("HLEN b"), s("HGETALL b"), s("hset H F V"), s("HGETALL H"),
		s("HSET n 1 -1 2 9223372036854775807 3 -0 4 007 5 +1 6 0x10 7 1.0"), s("HGETALL n"), s("OBJECT ENCODING n"),
	},
	"hdel hlen hstrlen hexists": {
		s("HSET h a 1 b 22 c 333 d"), s("HSET h a 1 b 22 c 333"), s("HLEN h"), s("HSTRLEN h c"), s("HSTRLEN h x"),
		s("HSTRLEN nokey c"), s("HEXISTS h a"), s("HEXISTS h x"), s("HEXISTS nokey a"), s("HLEN nokey"),
		s("HDEL h a x a"), s("HLEN h"), s("HGETALL h"), s("HDEL h"), s("HDEL nokey a"), s("HDEL h x"), s("HDEL h b c b"),
		s("EXISTS h"), s("HLEN h"), s("HGETALL h"), s("HSTRLEN h"), s("HEXISTS h"), s("HLEN"), s("HLEN a b"),
		s("HSET n 1 -1 2 9223372036854775807 3 -0"), s("HSTRLEN n 1"), s("HSTRLEN n 2"), s("HSTRLEN n 3"),
		q("HSET", "e", "f", ""), s("HSTRLEN e f"), s("HEXISTS e f"), s("HGET e f"), s("HDEL e f"), s("EXISTS e"),
		s("HSET o a 1 b 2 c 3"), s("HDEL o a b c d"), s("EXISTS o"),
	},
	"hkeys hvals hgetall": {
		// Redis keeps a listpack hash in insertion order: a changed value
		// keeps its place, a deleted field's gap closes.
		s("HSET h z 1 a 2 m 3"), s("HSET h a 9"), s("HDEL h z"), s("HSET h z 0"), s("HGETALL h"), s("HKEYS h"),
		s("HVALS h"), s("HGETALL nokey"), s("HKEYS nokey"), s("HVALS nokey"), s("HGETALL"), s("HKEYS h x"),
		s("HVALS"), hsetN("big", "f", 40, "v"), s("HDEL big f3 f20"), s("HSET big f3 again"), s("HGETALL big"),
		s("HKEYS big"), s("OBJECT ENCODING big"), hsetN("ht", "k", 600, "v"), s("OBJECT ENCODING ht"),
		pairs("HGETALL ht"), set("HKEYS ht"), set("HVALS ht"), s("HLEN ht"),
	},
	"hincrby": {
		s("HINCRBY h f 1"), s("HINCRBY h f -5"), s("HGET h f"), s("HINCRBY h f x"), s("HINCRBY h f 1.5"),
		s("HINCRBY h f 9223372036854775808"), s("HINCRBY h f ''"), q("HINCRBY", "h", "f", ""), s("HSET h s abc"),
		s("HINCRBY h s 1"), s("HSET h big 9223372036854775807"), s("HINCRBY h big 1"), s("HINCRBY h big 0"),
		s("HINCRBY h big -1"), s("HSET h small -9223372036854775808"), s("HINCRBY h small -1"),
		s("HINCRBY h small 9223372036854775807"), q("HSET", "h", "sp", " 1"), s("HINCRBY h sp 1"), s("HSET h lead 007"),
		s("HINCRBY h lead 1"), s("HSET h fl 1.0"), s("HINCRBY h fl 1"), s("HSET h e ''"), q("HSET", "h", "empty", ""),
		s("HINCRBY h empty 1"), s("HINCRBY nk f abc"), s("EXISTS nk"), s("HINCRBY nk2 f 0"), s("HGETALL nk2"),
		s("HINCRBY"), s("HINCRBY h f"), s("HINCRBY h f 1 2"), s("OBJECT ENCODING h"), s("HGETALL h"),
	},
	"hincrbyfloat": {
		s("HINCRBYFLOAT h f 0.1"), s("HINCRBYFLOAT h f 0.2"), s("HGET h f"), s("HINCRBYFLOAT h f 1e3"),
		s("HINCRBYFLOAT h f -1000.3"), s("HINCRBYFLOAT h f inf"), s("HINCRBYFLOAT h f -inf"), s("HINCRBYFLOAT h f +inf"),
		s("HINCRBYFLOAT h f infinity"), s("HINCRBYFLOAT h f -Infinity"), s("HINCRBYFLOAT h f nan"),
		s("HINCRBYFLOAT h f abc"), s("HINCRBYFLOAT h f 1e400"), s("HINCRBYFLOAT h f 0x10"), s("HINCRBYFLOAT h f 1e"),
		q("HINCRBYFLOAT", "h", "f", " 1"), q("HINCRBYFLOAT", "h", "f", "1 "), q("HINCRBYFLOAT", "h", "f", ""),
		s("HINCRBYFLOAT nk f inf"), s("HINCRBYFLOAT nk f abc"), s("EXISTS nk"), s("HSET h i 10"),
		s("HINCRBYFLOAT h i 1.5"), s("HSET h s abc"), s("HINCRBYFLOAT h s 1"), s("HSET h inf inf"),
		s("HINCRBYFLOAT h inf 1"), s("HSET h nan nan"), s("HINCRBYFLOAT h nan 1"), q("HSET", "h", "sp", " 1"),
		s("HINCRBYFLOAT h sp 1"), s("HSET h max 1e4932"), s("HINCRBYFLOAT h max 1e4932"), s("HINCRBYFLOAT h max 0"),
		s("HINCRBYFLOAT h y 1e308"), s("HINCRBYFLOAT h y 1e308"), s("HINCRBYFLOAT h z 3.0000000000000000001"),
		s("HINCRBYFLOAT h big 123456789012345678901234567890"), s("HINCRBYFLOAT h neg -0.0"), s("HINCRBYFLOAT h e 5.0e3"),
		s("HINCRBYFLOAT h t 2.5e-17"), s("HINCRBYFLOAT h t .5"), s("HINCRBYFLOAT h t 5."), s("HINCRBYFLOAT h u 0x1p3"),
		s("HSET h int 9223372036854775807"), s("HINCRBYFLOAT h int 1"), s("HINCRBY h int 1"),
		pairs("HGETALL h"), s("HINCRBYFLOAT"), s("HINCRBYFLOAT h f"), s("HINCRBYFLOAT h f 1 2"), s("OBJECT ENCODING h"),
	},
	"hrandfield": {
		s("HRANDFIELD nokey"), s("HRANDFIELD nokey 5"), s("HRANDFIELD nokey -5 WITHVALUES"), s("HRANDFIELD nokey 0"),
		s("HSET h a 1 b 2 c 3"), s("HRANDFIELD h 0"), s("HRANDFIELD h 0 WITHVALUES"), s("HRANDFIELD h -0"),
		// A count at least the hash's size returns the whole hash, in its
		// order.
		s("HRANDFIELD h 3"), s("HRANDFIELD h 3 WITHVALUES"), s("HRANDFIELD h 100 withvalues"),
		s("HRANDFIELD h 9223372036854775807"), s("HRANDFIELD h 4611686018427387903 WITHVALUES"),
		s("HRANDFIELD h -9223372036854775808"), s("HRANDFIELD h -9223372036854775808 WITHVALUES"),
		s("HRANDFIELD h 9223372036854775808"), s("HRANDFIELD h 4611686018427387904 WITHVALUES"),
		s("HRANDFIELD h -4611686018427387904 WITHVALUES"), s("HRANDFIELD nokey 4611686018427387904 WITHVALUES"),
		s("HRANDFIELD h abc"), s("HRANDFIELD h 1.5"), s("HRANDFIELD h ''"), s("HRANDFIELD h 1 WITHVALUE"),
		s("HRANDFIELD h 1 WITHVALUES x"), s("HRANDFIELD nokey 1 bogus"), s("HRANDFIELD h abc bogus"),
		q("HRANDFIELD", "h", "3", "withvalues\x00x"), s("HRANDFIELD"),
		pick("HRANDFIELD h"), pick("HRANDFIELD h 1"), pick("HRANDFIELD h 2"), pick("HRANDFIELD h 2 WITHVALUES"),
		pick("HRANDFIELD h -1"), pick("HRANDFIELD h -5"), pick("HRANDFIELD h -5 WITHVALUES"),
		// More repeats than fields: past repeatedCopyPast, written as
		// it goes.
		pick("HRANDFIELD h -5000"), pick("HRANDFIELD h -3000 WITHVALUES"),
		hsetN("lp", "f", 100, "v"), s("OBJECT ENCODING lp"), pick("HRANDFIELD lp 5"), pick("HRANDFIELD lp 33 WITHVALUES"),
		pick("HRANDFIELD lp 34"), pick("HRANDFIELD lp 99 WITHVALUES"), pick("HRANDFIELD lp -200"), s("HRANDFIELD lp 100"),
		hsetN("ht", "f", 100, long65), s("OBJECT ENCODING ht"), pick("HRANDFIELD ht"), pick("HRANDFIELD ht 10"),
		pick("HRANDFIELD ht 50 WITHVALUES"), pick("HRANDFIELD ht 99"), pick("HRANDFIELD ht -300 WITHVALUES"),
		pick("HRANDFIELD ht -2000"), pairs("HRANDFIELD ht 100 WITHVALUES"), set("HRANDFIELD ht 200"),
		s("SET s x"), s("HRANDFIELD s"), s("HRANDFIELD s 0"), s("HRANDFIELD s -1 WITHVALUES"), s("HRANDFIELD s abc"),
		s("HRANDFIELD s 1 bogus"),
	},
	"hscan": {
		s("HSCAN nokey 0"), s("HSCAN nokey 0 COUNT 0"), s("HSCAN nokey 0 BOGUS"), s("HSCAN nokey x"),
		s("HSET h a 1 b 2 c 3 ab 4"), s("HSCAN h 0"), s("HSCAN h 0 COUNT 1"), s("HSCAN h 123"), s("HSCAN h 0 MATCH a*"),
		s("HSCAN h 0 MATCH *b COUNT 1"), s("HSCAN h 0 match [ab]"), s("HSCAN h 0 COUNT 0"), s("HSCAN h 0 COUNT -1"),
		s("HSCAN h 0 COUNT x"), s("HSCAN h 0 MATCH"), s("HSCAN h 0 TYPE string"), s("HSCAN h 0 NOVALUES"),
		s("HSCAN h 0 COUNT 1 MATCH"), s("HSCAN h 0 COUNT x MATCH"), s("HSCAN h x"), s("HSCAN h -1"), s("HSCAN h 1.5"),
		s("HSCAN h 18446744073709551616"), s("HSCAN h 18446744073709551615"), q("HSCAN", "h", "0", "COUNT\x00x", "1"),
		q("HSCAN", "h", "0\x00x"), q("HSCAN", "h", ""), s("HSCAN h"), s("SET s x"), s("HSCAN s 0"), s("HSCAN s x"),
		s("HSCAN s 0 COUNT 0"), hsetN("lp", "f", 100, "v"), s("HSCAN lp 0 COUNT 1"), s("HSCAN lp 0 MATCH f1?"),
		hsetN("ht", "f", 300, "v"), s("OBJECT ENCODING ht"), hscan("ht"), hscan("ht COUNT 1"), hscan("ht MATCH f1*"),
		hscan("ht MATCH f1* COUNT 3"), hscan("ht MATCH nomatch"), hscan1("HSCAN ht 0 COUNT 1000"),
		hscan1("HSCAN ht 0 COUNT 1000 MATCH *9"), s("HSCAN ht 0 MATCH x COUNT 0"), s("HSCAN ht 0 BOGUS x"),
	},
	// The listpack to hashtable conversions, at the default thresholds and
	// at thresholds CONFIG SET changes (under the names and the aliases).
	"encodings": {
		hsetN("e512", "f", 512, "v"), s("OBJECT ENCODING e512"), s("HSET e512 f0 changed"), s("OBJECT ENCODING e512"),
		s("HSET e512 f512 v"), s("OBJECT ENCODING e512"), s("HDEL e512 f512 f511 f510"), s("OBJECT ENCODING e512"),
		q("HSET", "v64", "f", long64), s("OBJECT ENCODING v64"), q("HSET", "v65", "f", long65), s("OBJECT ENCODING v65"),
		q("HSET", "f65", long65, "v"), s("OBJECT ENCODING f65"), q("HSET", "late", "a", "1", "b", long65, "c", "3"),
		s("OBJECT ENCODING late"), s("HDEL v65 f"), q("HSET", "v65", "f", "short"), s("OBJECT ENCODING v65"),
		// HSETNX checks the lengths only when it sets.
		s("HSET nx f v"), q("HSETNX", "nx", "f", long65), s("OBJECT ENCODING nx"), q("HSETNX", "nx", "g", long65),
		s("OBJECT ENCODING nx"), s("HSET ib f 1"), q("HINCRBY", "ib", long65, "1"), s("OBJECT ENCODING ib"),
		s("HSET ibf f 1"), q("HINCRBYFLOAT", "ibf", long65, "1.5"), s("OBJECT ENCODING ibf"),
		s("HSET old a 1 b 2 c 3"), s("CONFIG SET hash-max-listpack-entries 2"), s("OBJECT ENCODING old"),
		s("HDEL old c"), s("HSET old a 5"), s("OBJECT ENCODING old"), s("HSET old c 3"), s("OBJECT ENCODING old"),
		s("HSET two a 1 b 2"), s("OBJECT ENCODING two"), s("HSET two c 3"), s("OBJECT ENCODING two"),
		s("CONFIG SET hash-max-listpack-entries 512"), s("HSET over a 1 b 2 c 3"),
		s("CONFIG SET hash-max-ziplist-entries 1"), s("OBJECT ENCODING over"), s("HDEL over c"), s("OBJECT ENCODING over"),
		s("HSETNX over a x"), s("OBJECT ENCODING over"), s("HINCRBY over a 1"), s("OBJECT ENCODING over"),
		s("CONFIG SET hash-max-listpack-entries 0"), s("HSET zero f v"), s("OBJECT ENCODING zero"),
		s("CONFIG SET hash-max-listpack-entries 512 hash-max-listpack-value 0"), q("HSET", "empty", "", ""),
		s("OBJECT ENCODING empty"), s("HSET empty f v"), s("OBJECT ENCODING empty"),
		s("CONFIG SET hash-max-ziplist-value 1k"), q("HSET", "k", "f", strings.Repeat("z", 1000)), s("OBJECT ENCODING k"),
		q("HSET", "k2", "f", strings.Repeat("z", 1001)), s("OBJECT ENCODING k2"),
		pairs("CONFIG GET hash-max-*"), q(encodingDefaults...), pairs("CONFIG GET hash-max-listpack-*"),
		s("COPY e512 c1"), s("OBJECT ENCODING c1"), s("COPY v64 c2"), s("OBJECT ENCODING c2"), s("RENAME c2 c3"),
		s("OBJECT ENCODING c3"), s("MOVE c3 1"), s("SELECT 1"), s("OBJECT ENCODING c3"), s("SELECT 0"),
	},
	"keys types expiry": {
		s("HSET h a 1"), s("TYPE h"), s("EXISTS h"), scan("TYPE hash"), scan("TYPE HASH"), scan("TYPE string"),
		s("SET s v"), scan("TYPE hash"), set("KEYS *"),
		// String commands on a hash, and hash commands on a string.
		s("GET h"), s("GETSET h x"), s("GETDEL h"), s("GETEX h"), s("APPEND h x"), s("STRLEN h"), s("INCR h"),
		s("INCRBYFLOAT h 1"), s("GETRANGE h 0 1"), s("SETRANGE h 0 x"), s("SETBIT h 0 1"), s("GETBIT h 0"),
		s("BITCOUNT h"), s("BITPOS h 1"), s("LCS h s"), s("MGET h s"), s("SET h x NX"), s("HGET h a"),
		s("HSET s a 1"), s("HSETNX s a 1"), s("HMSET s a 1"), s("HGET s a"), s("HMGET s a"), s("HDEL s a"),
		s("HLEN s"), s("HSTRLEN s a"), s("HEXISTS s a"), s("HKEYS s"), s("HVALS s"), s("HGETALL s"),
		s("HINCRBY s a 1"), s("HINCRBYFLOAT s a 1"), s("HINCRBY s a x"), s("HINCRBYFLOAT s a inf"),
		s("EXPIRE h 100"), s("TTL h"), s("HSET h b 2"), s("TTL h"), s("HDEL h a"), s("TTL h"), s("HINCRBY h b 1"),
		s("TTL h"), s("PERSIST h"), s("TTL h"), s("EXPIRE h 100"), s("HDEL h b"), s("TTL h"), s("EXISTS h"),
		s("HSET h a 1"), s("TTL h"), s("PEXPIREAT h 1"), s("HGET h a"), s("EXISTS h"), s("HSET h a 1"),
		s("RENAME h h2"), s("HGETALL h2"), s("COPY h2 h3"), s("HSET h3 b 2"), s("HGETALL h2"), s("HGETALL h3"),
		s("COPY h3 h2 REPLACE"), s("HGETALL h2"), s("MOVE h2 1"), s("SELECT 1"), s("HGETALL h2"), s("SELECT 0"),
		s("SET h3 string"), s("TYPE h3"), s("DEL h3 s"), s("HSET h4 a 1"), s("UNLINK h4"), s("EXISTS h4"),
		s("HSET h5 a 1"), s("SELECT 1"), s("SWAPDB 0 1"), s("HGETALL h5"), s("SELECT 0"), s("FLUSHDB"), s("HLEN h5"),
	},
	"transactions": {
		s("MULTI"), s("HSET h a 1 b 2"), s("HINCRBY h a 10"), s("HGET h a"), s("HGETALL h"), s("HDEL h b"), s("EXEC"),
		s("SET s x"), s("MULTI"), s("HSET s a 1"), s("HSET h c 3"), s("HINCRBYFLOAT h c x"), s("HLEN h"), s("EXEC"),
		s("MULTI"), s("HSET h"), s("HGET h a"), s("EXEC"), s("HGETALL h"),
	},
	// Redis counts the lookups of lookupKeyRead, not those of
	// lookupKeyWrite; a command refused before its lookup counts none.
	"keyspace lookups": {
		s("HSET h a 1"), s("HSET nx"), s("HSETNX h a 2"), s("HMSET h b 2"), s("HGET h a"), s("HGET nx a"),
		s("HMGET h a b"), s("HMGET nx a b"), s("HDEL nx a"), s("HDEL h z"), s("HLEN h"), s("HLEN nx"),
		s("HSTRLEN h a"), s("HSTRLEN nx a"), s("HEXISTS h a"), s("HEXISTS nx a"), s("HKEYS h"), s("HVALS nx"),
		s("HGETALL h"), s("HGETALL nx"), s("HINCRBY h n 1"), s("HINCRBY h n x"), s("HINCRBY nx f x"),
		s("HINCRBYFLOAT h n 1"), s("HINCRBYFLOAT nx f inf"), s("HINCRBYFLOAT h a nan"), like("HRANDFIELD h"),
		s("HRANDFIELD nx"), s("HRANDFIELD h 0"), s("HRANDFIELD nx 0"), s("HRANDFIELD h abc"), s("HRANDFIELD h 1 x"),
		s("HRANDFIELD nx 4611686018427387904 WITHVALUES"), s("HSCAN h 0"), s("HSCAN nx 0"), s("HSCAN h x"),
		s("HSCAN h 0 COUNT 0"), s("SET s v"), s("HGET s a"), s("HSET s a 1"), s("HDEL s a"), s("HSCAN s 0"),
		s("HRANDFIELD s 1"), s("HINCRBY s a 1"), s("OBJECT ENCODING h"), s("TYPE h"),
	},
}

// TestDifferentialHashes runs hashDiffScripts on RESP2 and RESP3.
func TestDifferentialHashes(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for _, proto := range []string{"2", "3"} {
		for _, name := range slices.Sorted(maps.Keys(hashDiffScripts)) {
			t.Run("RESP"+proto+"/"+name, func(t *testing.T) {
				ref, got := dialPair(t, redis.Addr, ours, proto)
				stats := dialStats(t, redis.Addr, ours)
				for _, c := range []*rawConn{ref, got} {
					c.do("FLUSHALL")
					c.do("SELECT", "0")
					c.do(encodingDefaults...)
				}
				stats.reset()
				for _, st := range hashDiffScripts[name] {
					dirtyRef, dirtyGot := dirtyCount(stats.ref), dirtyCount(stats.got)
					compareHashStep(t, st, ref, got, proto == "3")
					if st.mode == hscanAll {
						// The servers' walks may take different numbers
						// of calls, each a lookup.
						stats.reset()
					} else {
						stats.compare(t, st)
					}
					if dr, dg := dirtyCount(stats.ref)-dirtyRef, dirtyCount(stats.got)-dirtyGot; dr != dg {
						t.Errorf("%q: dirty count grew by %d on redis, %d on ours", st.args, dr, dg)
					}
				}
				for _, c := range []*rawConn{ref, got} {
					c.do(encodingDefaults...)
				}
			})
		}
	}
}

// dirtyCount is rdb_changes_since_last_save, the changes since the last
// save (server.dirty).
func dirtyCount(c *rawConn) int64 {
	for _, line := range strings.Split(c.do("INFO", "persistence"), "\r\n") {
		if v, ok := strings.CutPrefix(line, "rdb_changes_since_last_save:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				c.t.Fatalf("rdb_changes_since_last_save: %q", v)
			}
			return n
		}
	}
	c.t.Fatal("INFO persistence lacks rdb_changes_since_last_save")
	return 0
}

// TestHashDifferentialCoversEveryCommand: every hash command appears in
// hashDiffScripts.
func TestHashDifferentialCoversEveryCommand(t *testing.T) {
	checkScriptsCover(t, hashDiffScripts, func(st step) []string {
		if st.mode == hscanAll {
			return []string{"hscan"}
		}
		return st.args
	}, hashCommands())
}

// compareHashStep compares the replies to st, in any of the modes.
func compareHashStep(t *testing.T, st step, ref, got *rawConn, resp3 bool) {
	t.Helper()
	switch st.mode {
	case asPairs, hscanOnce:
		want, have := ref.do(st.args...), got.do(st.args...)
		if w, h := pairsOf(want, st.mode == hscanOnce), pairsOf(have, st.mode == hscanOnce); !slices.Equal(w, h) {
			t.Errorf("%q, as pairs:\n redis: %q\n   ours: %q", st.args, w, h)
		}
	case hscanAll:
		want, have := scanPairs(ref, "HSCAN", st.args), scanPairs(got, "HSCAN", st.args)
		if !slices.Equal(want, have) {
			t.Errorf("whole HSCAN %q:\n redis: %q\n   ours: %q", st.args, want, have)
		}
	case randomPick:
		want, have := ref.do(st.args...), got.do(st.args...)
		fw, _, err1 := frame.Parse([]byte(want))
		fh, _, err2 := frame.Parse([]byte(have))
		if err1 != nil || err2 != nil || fw.IsError() || fh.IsError() || fw.IsNull() || fh.IsNull() {
			if want != have {
				t.Errorf("%q:\n redis: %q\n   ours: %q", st.args, want, have)
			}
			return
		}
		if !sameShape(want, have) {
			t.Errorf("%q: replies of different shapes:\n redis: %q\n   ours: %q", st.args, want, have)
		}
		// Ask both, so that both count the same lookups.
		refHash, gotHash := hashContent(ref, st.args[1]), hashContent(got, st.args[1])
		if !slices.Equal(refHash.fields, gotHash.fields) && refHash.encoding == "listpack" ||
			!maps.Equal(refHash.values, gotHash.values) || refHash.encoding != gotHash.encoding {
			t.Errorf("%q: the servers' hashes differ:\n redis: %v\n   ours: %v", st.args, refHash, gotHash)
		}
		if problem := checkRandomPick(st.args, fw, refHash, resp3); problem != "" {
			t.Errorf("%q: redis's reply %s (the test's expectations are wrong): %q", st.args, problem, want)
		}
		if problem := checkRandomPick(st.args, fh, gotHash, resp3); problem != "" {
			t.Errorf("%q: our reply %s: %q", st.args, problem, have)
		}
	default:
		compareStep(t, st, ref, got)
	}
}

// pairsOf returns the pairs of a reply of field-value pairs, sorted: a
// flat array, a map, or an array of two-element arrays. withCursor reads
// an HSCAN reply, whose cursor comes first. Another reply is returned as
// it is.
func pairsOf(reply string, withCursor bool) []string {
	f, _, err := frame.Parse([]byte(reply))
	if err != nil || f.IsError() || f.IsNull() {
		return []string{reply}
	}
	var prefix []string
	if withCursor {
		if f.Type != frame.Array || len(f.Elems) != 2 {
			return []string{reply}
		}
		prefix = []string{"cursor " + f.Elems[0].Text()}
		f = f.Elems[1]
	}
	out := slices.Clone(prefix)
	elems := f.Elems
	if len(elems) > 0 && elems[0].Type == frame.Array {
		for _, e := range elems {
			if len(e.Elems) != 2 {
				return []string{reply}
			}
			out = append(out, e.Elems[0].Text()+"="+e.Elems[1].Text())
		}
	} else {
		if len(elems)%2 != 0 {
			return []string{reply}
		}
		for i := 0; i < len(elems); i += 2 {
			out = append(out, elems[i].Text()+"="+elems[i+1].Text())
		}
	}
	slices.Sort(out[len(prefix):])
	return append([]string{f.Type.String()}, out...)
}

// scanPairs runs cmd (HSCAN, ZSCAN) on the key args[0] from cursor 0 to
// the end with the options args[1:], and returns the distinct pairs found
// ("field=value", "member=score"), sorted, or the first reply that is not
// a scan's.
func scanPairs(c *rawConn, cmd string, args []string) []string {
	seen := map[string]bool{}
	cursor := "0"
	for range 100000 {
		reply := c.do(append([]string{cmd, args[0], cursor}, args[1:]...)...)
		f, _, err := frame.Parse([]byte(reply))
		if err != nil || f.Type != frame.Array || len(f.Elems) != 2 || len(f.Elems[1].Elems)%2 != 0 {
			return []string{"error: " + reply}
		}
		elems := f.Elems[1].Elems
		for i := 0; i < len(elems); i += 2 {
			seen[elems[i].Text()+"="+elems[i+1].Text()] = true
		}
		if cursor = f.Elems[0].Text(); cursor == "0" {
			break
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// hashState is a server's hash as HGETALL and OBJECT ENCODING show it.
type hashState struct {
	fields   []string // in HGETALL's order
	values   map[string]string
	encoding string
}

func hashContent(c *rawConn, key string) hashState {
	st := hashState{values: map[string]string{}}
	f, _, err := frame.Parse([]byte(c.do("HGETALL", key)))
	if err == nil && (f.Type == frame.Array || f.Type == frame.Map) {
		for i := 0; i+1 < len(f.Elems); i += 2 {
			st.fields = append(st.fields, f.Elems[i].Text())
			st.values[f.Elems[i].Text()] = f.Elems[i+1].Text()
		}
	}
	if e, _, err := frame.Parse([]byte(c.do("OBJECT", "ENCODING", key))); err == nil {
		st.encoding = e.Text()
	}
	return st
}

// checkRandomPick describes what is wrong with an HRANDFIELD reply r,
// given the hash h it was drawn from, or returns "".
func checkRandomPick(args []string, r frame.Frame, h hashState, resp3 bool) string {
	size := int64(len(h.fields))
	if len(args) == 2 {
		if r.Type != frame.BulkString {
			return "is not a bulk string"
		}
		if _, ok := h.values[r.Text()]; !ok {
			return "is not a field of the hash"
		}
		return ""
	}
	n, _ := strconv.ParseInt(args[2], 10, 64)
	withValues := len(args) == 4
	if r.Type != frame.Array {
		return "is not an array"
	}
	var fields, values []string
	for i := 0; i < len(r.Elems); i++ {
		switch {
		case !withValues:
			fields = append(fields, r.Elems[i].Text())
		case resp3:
			e := r.Elems[i]
			if e.Type != frame.Array || len(e.Elems) != 2 {
				return "has an element that is not a [field, value] array"
			}
			fields, values = append(fields, e.Elems[0].Text()), append(values, e.Elems[1].Text())
		default:
			if i+1 >= len(r.Elems) {
				return "has a field without its value"
			}
			fields, values = append(fields, r.Elems[i].Text()), append(values, r.Elems[i+1].Text())
			i++
		}
	}
	want := -n
	if n > 0 {
		want = min(n, size)
	}
	if int64(len(fields)) != want {
		return "has " + strconv.Itoa(len(fields)) + " fields, not " + strconv.FormatInt(want, 10)
	}
	seen := map[string]bool{}
	for i, f := range fields {
		v, ok := h.values[f]
		switch {
		case !ok:
			return "has " + strconv.Quote(f) + ", not a field of the hash"
		case withValues && values[i] != v:
			return "gives " + strconv.Quote(f) + " the value " + strconv.Quote(values[i])
		case n > 0 && seen[f]:
			return "repeats " + strconv.Quote(f)
		}
		seen[f] = true
	}
	// Distinct fields few enough for Redis's lpRandomPairsUnique come in
	// the listpack's order.
	if n > 1 && n*3 <= size && h.encoding == "listpack" {
		pos := map[string]int{}
		for i, f := range h.fields {
			pos[f] = i
		}
		if !slices.IsSortedFunc(fields, func(a, b string) int { return pos[a] - pos[b] }) {
			return "is not in the hash's order"
		}
	}
	return ""
}

// The hash commands' keyspace events and their effect on WATCH, in
// TestDifferentialConnections.
func init() {
	connScripts["hash events"] = []mstep{
		on(1, "CONFIG SET notify-keyspace-events KEA"), on(0, "PSUBSCRIBE __key*__:*"),
		on(1, "HSET h a 1 b 2"), recv(0), recv(0), on(1, "HSET h a 1"), recv(0), recv(0),
		on(1, "HSETNX h a 2"), on(1, "HSETNX h c 3"), recv(0), recv(0), on(1, "HMSET h d 4"), recv(0), recv(0),
		on(1, "HINCRBY h a x"), on(1, "HINCRBY h a 5"), recv(0), recv(0), on(1, "HINCRBYFLOAT h n inf"),
		on(1, "HINCRBYFLOAT h a 1.5"), recv(0), recv(0), on(1, "HDEL h nosuch"), on(1, "HDEL nokey a"),
		on(1, "HDEL h a b"), recv(0), recv(0), on(1, "HDEL h c d x"), recv(0), recv(0), recv(0), recv(0),
		on(1, "HGET h a"), on(1, "HSET s f v"), recv(0), recv(0), on(1, "EXPIRE s 100"), recv(0), recv(0),
		on(1, "HINCRBY s f 1"), on(1, "DEL s"), recv(0), recv(0),
		on(1, "CONFIG SET notify-keyspace-events Kh"), on(1, "HSET t f 1"), recv(0), on(1, "DEL t"),
		on(1, "HSET t f 1"), recv(0),
		onQ(1, "CONFIG", "SET", "notify-keyspace-events", ""),
	}
	connScripts["hash keymiss events"] = []mstep{
		on(1, "CONFIG SET notify-keyspace-events Em"), on(0, "SUBSCRIBE __keyevent@0__:keymiss"),
		on(1, "HGET m1 f"), recv(0), on(1, "HMGET m2 f g"), recv(0), on(1, "HLEN m3"), recv(0),
		on(1, "HSTRLEN m4 f"), recv(0), on(1, "HEXISTS m5 f"), recv(0), on(1, "HKEYS m6"), recv(0),
		on(1, "HVALS m7"), recv(0), on(1, "HGETALL m8"), recv(0), on(1, "HRANDFIELD m9"), recv(0),
		on(1, "HRANDFIELD m10 5"), recv(0), on(1, "HSCAN m11 0"), recv(0), on(1, "HRANDFIELD m12 x"),
		on(1, "HSCAN m13 x"), on(1, "HSET w f v"), on(1, "HSETNX w2 f v"), on(1, "HDEL w3 f"), on(1, "HINCRBY w4 f 1"),
		on(1, "HINCRBYFLOAT w5 f 1"), on(1, "HGET last f"), recv(0),
		onQ(1, "CONFIG", "SET", "notify-keyspace-events", ""),
	}
	connScripts["hash watch"] = []mstep{
		on(0, "HSET w f v"), on(0, "WATCH w"), on(1, "HSET w f v"), on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "HSETNX w f x"), on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "HDEL w nosuch"), on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "HINCRBY w f 1"), on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "HGETALL w"), on(1, "HRANDFIELD w -3"), on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "HSETNX w g x"), on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "HINCRBYFLOAT w n 1"), on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "HDEL w f g n"), on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
		on(0, "WATCH nk"), on(1, "HINCRBYFLOAT nk f inf"), on(1, "HINCRBY nk f x"), on(1, "HDEL nk f"),
		on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
		on(0, "WATCH nk"), on(1, "HSETNX nk f v"), on(0, "MULTI"), on(0, "HGETALL nk"), on(0, "EXEC"),
	}
}
