package server

import (
	"strconv"
	"testing"
)

// Differential tests of SORT and SORT_RO against redis-server 7.0.15:
// replies on RESP2 and RESP3 connections, keyspace hits and misses (the
// sorted key, and every key a BY or GET pattern looks up) and the dirty
// count after every step (runCollectionScripts); keyspace events and
// WATCH through TestDifferentialConnections (sortConnScripts).
//
// A set's members come in an order of each server's own, but SORT puts
// them in order, so its replies are compared exactly; only BY nosort on a
// hashtable set, which keeps that order, is compared as a set (su), or by
// shape with a LIMIT.
//
// Redis reads numbers with strtod without clearing errno first, so once a
// number sets ERANGE every later numeric SORT of a string that is not an
// integer fails, until some other call clears errno; INCRBYFLOAT does
// (string2ld). The scripts run one after each ERANGE (see score).

func init() {
	for name, script := range sortConnScripts {
		connScripts[name] = script
	}
}

// score returns the steps that sort a list holding v and 0, and clear
// errno on redis-server after.
func score(v string) []step {
	return []step{q("DEL", "sc"), q("RPUSH", "sc", v, "0"), q("SORT", "sc"), q("SORT", "sc", "DESC"),
		q("INCRBYFLOAT", "errno", "0")}
}

// scoreSteps is score for every string in vs.
func scoreSteps(vs ...string) []step {
	var out []step
	for _, v := range vs {
		out = append(out, score(v)...)
	}
	return out
}

// sortPartialSetup makes l, a list of 0..99, and ties for its elements
// to sort by: w_<i> is one of three letters for every third i, missing
// for the others, and n_<i> is i/10.
func sortPartialSetup() []step {
	rpush := []string{"RPUSH", "l"}
	mset, nset := []string{"MSET"}, []string{"MSET"}
	for i := range 100 {
		rpush = append(rpush, strconv.Itoa(i))
		if i%3 == 0 {
			mset = append(mset, "w_"+strconv.Itoa(i), string("abc"[i*7%3]))
		}
		nset = append(nset, "n_"+strconv.Itoa(i), strconv.Itoa(i/10))
	}
	return []step{q(rpush...), q(mset...), q(nset...)}
}

var sortDiffScripts = map[string][]step{
	// With BY and a LIMIT that leaves elements out, Redis's partial
	// quicksort leaves equal elements in an order of its own.
	"sort partial": append(sortPartialSetup(),
		s("SORT l BY nx_* ALPHA LIMIT 0 5"), s("SORT l BY nx_* LIMIT 0 5"), s("SORT l BY w_* ALPHA LIMIT 3 50"),
		s("SORT l BY w_* ALPHA DESC LIMIT 90 5"), s("SORT l BY w_* ALPHA LIMIT 0 99"), s("SORT l BY w_* ALPHA LIMIT 1 99"),
		s("SORT l BY w_* ALPHA LIMIT 99 1"), s("SORT l BY w_* ALPHA LIMIT 0 0"), s("SORT l BY w_* ALPHA LIMIT 40 1"),
		s("SORT l BY w_* ALPHA"), s("SORT l BY w_* ALPHA DESC"), s("SORT l BY n_* LIMIT 5 20"),
		s("SORT l BY w_* ALPHA LIMIT 3 50 STORE d"), s("LRANGE d 0 -1"), s("SORT l BY w_* ALPHA LIMIT 0 7 GET w_* GET #"),
		s("LTRIM l 0 6"), s("SORT l BY nx_* ALPHA LIMIT 1 3"), s("LTRIM l 0 5"), s("SORT l BY nx_* ALPHA LIMIT 1 3"),
		s("DEL l"), s("SADD l 3 1 2 0 9 8 7 6 5 4 10 11 12"), s("SORT l BY nx_* ALPHA LIMIT 2 5"),
		s("SORT l BY w_* ALPHA LIMIT 2 5"), s("SORT l BY w_* ALPHA DESC LIMIT 2 5")),
	"sort list numeric": {
		s("RPUSH l 3 1 2 10 -5 1.5 1e2 0x10 inf -inf 007"), s("SORT l"), s("SORT l DESC"), s("SORT l ASC"),
		s("SORT l DESC ASC"), s("SORT l ASC DESC"), s("sort l desc"), s("SORT_RO l"), s("SORT_RO l DESC"),
		s("SORT l LIMIT 0 3"), s("SORT l LIMIT 2 3"), s("SORT l LIMIT -1 2"), s("SORT l LIMIT 0 -1"),
		s("SORT l LIMIT 0 0"), s("SORT l LIMIT 5 100"), s("SORT l LIMIT 100 1"), s("SORT l LIMIT 10 1"),
		s("SORT l LIMIT 11 1"), s("SORT l LIMIT 10 0"), s("SORT l LIMIT 1 -5"), s("SORT l DESC LIMIT 1 2"),
		s("SORT l LIMIT 9223372036854775807 9223372036854775807"), s("SORT l LIMIT -9223372036854775808 5"),
		s("SORT l LIMIT 3 -9223372036854775808"), s("SORT l LIMIT 0 1 LIMIT 4 2"), s("SORT_RO l LIMIT 1 3 DESC"),
		s("RPUSH t 1 01 1.0 +1 1 1e0 0.1e1"), q("RPUSH", "t", " 1", "\t1"), s("SORT t"), s("SORT t DESC"),
		s("SORT t LIMIT 2 3"), s("RPUSH z 0 -0 0.0 -0.0 +0 0e5"), s("SORT z"), s("SORT z DESC"),
		s("SORT missing"), s("SORT missing DESC LIMIT 0 1"), s("SORT_RO missing"), s("SORT missing LIMIT 1 1"),
		s("RPUSH bad 1 a 2"), s("SORT bad"), s("SORT bad ALPHA"), s("SORT bad LIMIT 0 1"), s("SORT bad BY nosort"),
		s("SORT bad DESC"), s("SORT_RO bad"),
		s("RPUSH big 9223372036854775807 9223372036854775806 -9223372036854775808 9223372036854775808"),
		s("SORT big"), s("SORT big DESC"),
	},
	"sort list alpha": {
		q("RPUSH", "l", "b", "B", "a", "A", "\xc3\xa9", "e", "\xff", "\x7f", "a\x00z", "a\x00b", "a", "", "10", "9", "a\x00a"),
		s("SORT l ALPHA"), s("SORT l ALPHA DESC"), s("SORT l alpha LIMIT 2 5"), s("SORT l ALPHA DESC LIMIT 0 6"),
		s("SORT_RO l ALPHA"), s("SORT l ALPHA STORE d"), s("LRANGE d 0 -1"), s("SORT l ALPHA DESC STORE d"),
		s("LRANGE d 0 -1"), s("SORT l ALPHA LIMIT 3 4 STORE d"), s("LRANGE d 0 -1"), q("SORT", "l", "ALPHA\x00junk"),
		s("SORT l"), s("RPUSH w ab abc a b aa"), s("SORT w ALPHA"), s("SORT w ALPHA DESC"),
	},
	"sort by get": {
		s("RPUSH l a b c d e"), s("MSET w_a 3 w_b 1 w_c 2 w_e 1.5"), s("RPUSH w_d 9"),
		s("HSET h_a f 30 g x"), s("HSET h_b f 10 g z"), s("HSET h_c f 20 g y"), s("HSET h_d f 5"), s("SET h_e 1"),
		s("SORT l BY w_*"), s("SORT l BY w_* DESC"), s("SORT l BY w_* ALPHA"), s("SORT l BY w_* ALPHA DESC"),
		s("SORT l BY w_* LIMIT 1 2"), s("SORT l BY w_* DESC LIMIT 0 2"), s("SORT l BY h_*->f"),
		s("SORT l BY h_*->f DESC"), s("SORT l BY h_*->g ALPHA"), s("SORT l BY h_*->g ALPHA DESC"),
		s("SORT l BY h_*->missing"), s("SORT l BY nosuch_*"), s("SORT l BY nosuch_* DESC"),
		s("SORT l BY nosort"), s("SORT l BY nosort DESC"), s("SORT l BY nosort LIMIT 1 2"),
		s("SORT l BY nosort DESC LIMIT 1 2"), s("SORT l BY nosort LIMIT 4 10"), s("SORT l BY nosort DESC LIMIT 4 10"),
		s("SORT l BY nosort LIMIT 5 1"), s("SORT l BY nosort DESC LIMIT -3 2"), s("SORT l BY nosort LIMIT 0 0"),
		s("SORT l BY nosort ALPHA"), s("SORT l BY # DESC"), s("SORT l BY nosort BY w_*"), s("SORT l BY w_* BY nosort"),
		s("SORT l GET #"), s("SORT l GET w_*"), s("SORT l GET h_*->f"), s("SORT l GET # GET w_* GET h_*->g"),
		s("SORT l GET nostar"), s("SORT l GET w_*->"), s("SORT l GET *"), s("SORT l GET *->f"), s("SORT l GET h_*->"),
		s("SET a A"), s("SET c C"), s("HSET b f bf"), s("SORT l GET * ALPHA"), s("SORT l GET *->f ALPHA"),
		s("SET w_a_* star"), s("SORT l GET w_*_* ALPHA"), s("SORT l BY w_* GET # GET w_*"),
		s("SORT l BY w_* LIMIT 1 3 GET h_*->f GET #"), s("SORT l BY nosort GET w_* LIMIT 1 2"),
		s("SORT l BY h_*->f GET h_*->g ALPHA DESC"), s("SORT_RO l BY w_* GET #"),
		q("SORT", "l", "GET", "#\x00x", "ALPHA"), q("SORT", "l", "GET", "w_\x00*", "ALPHA"),
		q("SORT", "l", "BY", "w_\x00*"), q("SORT", "l", "GET", "h_*->f\x00z", "ALPHA"),
		q("SORT", "l", "GET", "h_*\x00->f", "ALPHA"), q("SORT", "l", "GET", "h_*->\x00f", "ALPHA"),
		q("HSET", "h_a", "f\x00z", "nul field"), q("SORT", "l", "GET", "h_*->f\x00z", "ALPHA"),
		q("SET", "w_a\x00", "nul key"), q("SORT", "l", "GET", "w_*\x00", "ALPHA"),
		s("MSET w_a x"), s("SORT l BY w_*"), s("SORT l BY w_* ALPHA"), s("SORT l BY w_* LIMIT 0 1"),
		s("SORT l BY h_*->g"), s("SET w_a 3"),
		s("RPUSH n 3 1 2"), s("MSET k_1 c k_2 b k_3 a"), s("SORT n BY k_* ALPHA"), s("SORT n BY k_* ALPHA DESC"),
		s("SORT n BY k_*"), s("SORT n GET k_*"), s("SORT n BY k_* ALPHA GET k_* GET #"),
	},
	"sort store": {
		s("RPUSH l 3 1 2"), s("SORT l STORE d"), s("LRANGE d 0 -1"), s("TYPE d"), s("OBJECT ENCODING d"),
		s("SET d v"), s("EXPIRE d 100"), s("SORT l DESC STORE d"), s("TTL d"), s("LRANGE d 0 -1"),
		s("SORT missing STORE d"), s("EXISTS d"), s("SORT missing STORE d"), s("SORT l STORE d"),
		s("SORT l LIMIT 0 0 STORE d"), s("EXISTS d"), s("SORT l GET nosuch_* STORE d"), s("LRANGE d 0 -1"),
		s("SORT l GET # GET nosuch_* STORE d"), s("LRANGE d 0 -1"), s("SORT l STORE l DESC"), s("LRANGE l 0 -1"),
		s("SORT l STORE d STORE e"), s("EXISTS d"), s("LRANGE e 0 -1"), s("MSET w_1 c w_2 a w_3 b"),
		s("SORT l BY w_* GET # GET w_* STORE d"), s("LRANGE d 0 -1"), s("SORT l BY w_* ALPHA STORE d"),
		s("LRANGE d 0 -1"), s("SORT l BY nosort STORE d"), s("LRANGE d 0 -1"), s("SORT l BY nosort DESC LIMIT 1 5 STORE d"),
		s("LRANGE d 0 -1"), s("RPUSH bad x 1"), s("SORT bad STORE d"), s("LRANGE d 0 -1"), s("SADD st m"),
		s("SORT l STORE st"), s("TYPE st"), s("SORT_RO l STORE d"), s("SORT l STORE"), s("SET str v"),
		s("SORT str STORE d"), s("LRANGE d 0 -1"), s("SORT l STORE str"), s("LRANGE str 0 -1"),
		s("RPUSH big 5 4 3 2 1 0 -1 -2 -3 -4 -5 -6 -7 -8 -9 -10"), s("SORT big LIMIT 2 10 STORE d"), s("LLEN d"),
		s("SORT big LIMIT 2 10 GET # GET # STORE d"), s("LRANGE d 0 -1"), s("SELECT 1"), s("SORT l STORE d"),
		s("RPUSH l 2 1"), s("SORT l STORE d"), s("LRANGE d 0 -1"), s("SELECT 0"), s("LRANGE d 0 -1"),
	},
	"sort sets": {
		s("SADD i 5 3 -1 10 0"), s("OBJECT ENCODING i"), s("SORT i"), s("SORT i DESC"), s("SORT i ALPHA"),
		s("SORT i LIMIT 1 2"), s("SORT i BY nosort"), s("SORT i BY nosort DESC"), s("SORT i BY nosort LIMIT 1 2"),
		s("SORT i BY nosort STORE d"), s("LRANGE d 0 -1"), s("SORT i BY nosort DESC STORE d"), s("LRANGE d 0 -1"),
		s("SORT i BY nosort LIMIT 1 3 STORE d"), s("LRANGE d 0 -1"), s("SORT i STORE d"), s("LRANGE d 0 -1"),
		s("SADD s b c a 3 10 aa"), s("OBJECT ENCODING s"), s("SORT s ALPHA"), s("SORT s ALPHA DESC"), s("SORT s"),
		s("SORT s ALPHA LIMIT 1 3"), su("SORT s BY nosort"), su("SORT_RO s BY nosort"), like("SORT s BY nosort LIMIT 0 2"),
		s("SORT s BY nosort STORE d"), s("LRANGE d 0 -1"), s("SORT s BY nosort DESC STORE d"), s("LRANGE d 0 -1"),
		s("SORT s BY nosort LIMIT 2 2 STORE d"), s("LRANGE d 0 -1"), s("SORT s BY nosort ALPHA STORE d"),
		s("LRANGE d 0 -1"), s("MSET w_a 5 w_b 4 w_c 3 w_3 2 w_10 1 w_aa 0"), s("SORT s BY w_*"),
		s("SORT s BY w_* GET # GET w_*"), s("SORT s BY w_* DESC LIMIT 1 2"), s("SORT s BY w_* STORE d"),
		s("LRANGE d 0 -1"), s("SADD n 1.5 2 0.5 -3e1"), s("SORT n"), s("SORT n DESC"), s("SORT n ALPHA"),
		q("SADD", "bin", "a\x00b", "a\x00a", "a", "\xff", ""), s("SORT bin ALPHA STORE d"), s("LRANGE d 0 -1"),
		s("SORT bin BY nosort STORE d"), s("LRANGE d 0 -1"), s("SORT missing BY nosort STORE d"), s("EXISTS d"),
	},
	// A sorted set keeps its order with BY nosort, reversed by DESC, and
	// LIMIT takes ranks; otherwise its members are sorted as a set's are.
	// Redis makes a listpack sorted set a skiplist to sort it, SORT_RO
	// too, and it stays one.
	"sort sorted sets": {
		s("ZADD z 3 c 1 a 2 b 2 bb 10 x -1 neg"), s("OBJECT ENCODING z"), s("SORT z BY nosort"),
		s("OBJECT ENCODING z"), s("SORT z BY nosort DESC"), s("SORT z BY nosort LIMIT 1 3"),
		s("SORT z BY nosort DESC LIMIT 1 3"), s("SORT z BY nosort LIMIT 5 10"), s("SORT z BY nosort DESC LIMIT 5 10"),
		s("SORT z BY nosort LIMIT 6 1"), s("SORT z BY nosort LIMIT 0 0"), s("SORT z BY nosort DESC LIMIT -2 -1"),
		s("SORT z ALPHA"), s("SORT z ALPHA DESC LIMIT 1 2"), s("SORT z"), s("SORT_RO z BY nosort GET #"),
		s("ZADD zs 1 a"), s("SORT_RO zs"), s("SORT_RO zs ALPHA"), s("OBJECT ENCODING zs"), s("ZADD zs 2 b"),
		s("OBJECT ENCODING zs"), s("SORT zs ALPHA STORE d"),
		s("LRANGE d 0 -1"), s("ZADD n 5 3 4 1 3 2 2 10"), s("SORT n"), s("SORT n DESC"), s("SORT n LIMIT 1 2"),
		s("SORT n BY nosort"), s("SORT n BY nosort STORE d"), s("LRANGE d 0 -1"), s("SORT n BY nosort DESC STORE d"),
		s("LRANGE d 0 -1"), s("SORT n BY nosort LIMIT 1 2 STORE d"), s("LRANGE d 0 -1"),
		s("MSET w_a 5 w_b 4 w_c 3 w_bb 2 w_x 1 w_neg 0"), s("SORT z BY w_*"), s("SORT z BY w_* DESC GET # GET w_*"),
		s("SORT z BY w_* LIMIT 1 2"), s("SORT z BY w_* ALPHA LIMIT 1 3"), s("SORT z BY nosort GET w_* LIMIT 2 2"),
		s("SORT z BY w_* STORE d"), s("LRANGE d 0 -1"), s("ZADD ties 1 a 1 b 1 c 0 d"), s("SORT ties BY nosort"),
		s("SORT ties BY nosort DESC"), q("ZADD", "bin", "1", "a\x00b", "1", "a\x00a", "2", "", "0", "\xff"),
		s("SORT bin BY nosort"), s("SORT bin ALPHA STORE d"), s("LRANGE d 0 -1"),
		s("CONFIG SET zset-max-listpack-entries 2"), s("ZADD big 1 a 2 b 3 c 4 d"), s("OBJECT ENCODING big"),
		s("SORT big BY nosort DESC LIMIT 1 2"), s("SORT big ALPHA"), s("CONFIG SET zset-max-listpack-entries 128"),
		s("SORT z BY nosort LIMIT x 1"), s("SORT_RO z STORE d"), s("SORT z BY nosort BY w_*"),
	},
	"sort errors": {
		s("RPUSH l 2 1"), s("SET str v"), s("HSET h f v"), s("SORT"), s("SORT_RO"), s("SORT l BY"), s("SORT l LIMIT"),
		s("SORT l LIMIT 1"), s("SORT l LIMIT x 1"), s("SORT l LIMIT 1 x"), s("SORT l LIMIT 1.5 2"), s("SORT l LIMIT 1 2.0"),
		s("SORT l LIMIT 9223372036854775808 1"), s("SORT l LIMIT x"), s("SORT l GET"), s("SORT l STORE"),
		s("SORT l FOO"), s("SORT l ALPHA FOO"), s("SORT l ASC DESC BOGUS LIMIT x y"), s("SORT l LIMIT x y BOGUS"),
		s("SORT str"), s("SORT h"), s("SORT_RO str"), s("SORT str FOO"), s("SORT str LIMIT x 1"), s("SORT str BY nosort"),
		s("SORT str STORE d"), s("SORT h GET #"), s("SORT_RO l STORE d"), s("SORT_RO l store"), s("SORT l limit 0 1 x"),
		s("SORT l by nosort get # limit 0 1 desc alpha"), s("SORT l STORE d LIMIT"), s("EXISTS d"),
		q("SORT", "l", "LIMIT", "1\x00", "2"), q("SORT", "l", "LIMIT\x00", "0", "1"), q("SORT", "l", "by\x00x", "w_*"),
	},
	"sort scores": scoreSteps("", " ", "1", " 1", "1 ", "\t-2", "+3", "1e3", "1e", "1e+", ".5", "5.", ".", "0x10",
		"0x", "0X1p4", "0x1.8", "0xA.8P1", "inf", "-INF", "infinity", "+Infinity", "infin", "nan", "-nan", "nan(123)",
		"nan(", "1e400", "-1e400", "1e-400", "1e-310", "0x1p-1074", "0x1p-1075", "0x1p-1022", "0x1.8p-1030",
		"4.9406564584124654e-324", "2.4703282292062328e-324", "2.2250738585072014e-308", "2.225073858507201e-308",
		"0.0", "0e-500", "0x0p-2000", "1e-308", "1.7976931348623157e308", "1.7976931348623158e308",
		"1.7976931348623159e308", "0x1.fffffffffffffp1023", "0x1.fffffffffffff8p1023", "infinityx",
		"   \n\r\v\f7", "1\x00abc", "\x00", "\x00x", "-0", "0x.8", "0x.p1", "1.e5", "1e0x", "0xg", "+-1", "1.5e+",
		"0x1p", "0x1p+", "1e308", "1E-324", "00012", "-0x", "0x1P-3x", "1_0", "0b1", "1e+05", "1e-05",
		"9223372036854775808", "-9223372036854775809", "123456789012345678901234567890"),
	"sort in transactions": {
		s("MULTI"), s("RPUSH m 2 1 3"), s("SORT m"), s("SORT m STORE d"), s("SORT m LIMIT x y"), s("SORT m BOGUS"),
		s("LRANGE d 0 -1"), s("SORT_RO d DESC"), s("EXEC"),
		s("SET str v"), s("MULTI"), s("SORT str"), s("SORT m BY w_* GET # STORE e"), s("EXEC"), s("LRANGE e 0 -1"),
	},
	"sort command keys": {
		s("COMMAND GETKEYS sort k"), s("COMMAND GETKEYS sort k STORE d"), s("COMMAND GETKEYS sort k store d store e"),
		s("COMMAND GETKEYS sort k LIMIT 0 1 STORE d"), s("COMMAND GETKEYS sort k GET store STORE d"),
		s("COMMAND GETKEYS sort k BY store"), s("COMMAND GETKEYS sort k STORE"), s("COMMAND GETKEYS sort k LIMIT store d"),
		s("COMMAND GETKEYSANDFLAGS sort k STORE d"), s("COMMAND GETKEYSANDFLAGS sort k"), s("COMMAND GETKEYS sort_ro k"),
		s("COMMAND GETKEYS sort_ro k BY x"), s("COMMAND GETKEYSANDFLAGS sort_ro k GET #"), s("COMMAND GETKEYS sort"),
		q("COMMAND", "GETKEYS", "sort", "k", "STORE\x00x", "d"),
	},
	"sort keyspace lookups": {
		s("RPUSH l a b"), s("SET w_a 1"), s("SET str v"), s("SORT l BY w_*"), s("SORT l BY w_* GET w_* GET #"),
		s("SORT l GET w_* LIMIT 0 1"), s("SORT l BY w_* LIMIT 5 1 GET w_*"), s("SORT l BY nosort GET w_*"),
		s("SORT l BY w_* STORE d"), s("SORT l GET w_* STORE d"), s("SORT missing BY w_* GET w_*"), s("SORT str BY w_*"),
		s("SORT l BY w_*->f GET w_*->f"), s("SORT_RO l BY nosort"), s("SORT missing STORE d"), s("SET w_b x"),
		s("SORT l BY w_*"), s("SORT l GET nostar GET #"),
	},
}

func TestSortDifferential(t *testing.T) {
	runCollectionScripts(t, sortDiffScripts)
}

// TestSortCommandsHaveDifferentialTests: both commands appear in a script
// above.
func TestSortCommandsHaveDifferentialTests(t *testing.T) {
	checkScriptsCover(t, sortDiffScripts, stepWords, sortCommands())
}

var sortConnScripts = map[string][]mstep{
	// SORT ... STORE publishes "new" when it creates the destination, then
	// "sortstore"; "del" when an empty result deletes it; nothing when
	// there was nothing to delete. Its lookups of a missing key, the
	// sorted one or one a pattern names, publish keymiss.
	"sort keyspace events": {
		on(1, "CONFIG SET notify-keyspace-events KEAn"), on(0, "PSUBSCRIBE __key*__:*"),
		on(1, "RPUSH l 2 1"), recv(0), recv(0), recv(0), recv(0),
		on(1, "SORT l STORE d"), recv(0), recv(0), recv(0), recv(0),
		on(1, "SORT l DESC STORE d"), recv(0), recv(0),
		on(1, "SORT l"), on(1, "SORT missing STORE d"), recv(0), recv(0),
		on(1, "SORT missing STORE d"), on(1, "SORT l LIMIT 0 0 STORE l"), recv(0), recv(0),
		on(1, "RPUSH l 2 1"), recv(0), recv(0), recv(0), recv(0),
		on(1, "CONFIG SET notify-keyspace-events Elm"), on(1, "SORT l BY w_* GET h_*->f STORE d"),
		recv(0), recv(0), recv(0), recv(0), recv(0),
		on(1, "SORT nothere"), recv(0), on(1, "ZADD z 1 a"), on(1, "SORT z"), on(1, "GET last"), recv(0),
		on(1, "CONFIG SET notify-keyspace-events \"\""),
	},
	// SORT ... STORE touches its destination when it stores a list there,
	// or deletes one; a SORT that reads only, or deletes nothing, does not.
	"sort watch": {
		on(0, "RPUSH l 2 1"), on(0, "RPUSH w x"),
		on(0, "WATCH w"), on(1, "SORT l STORE w"), on(0, "MULTI"), on(0, "LLEN w"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "SORT w ALPHA"), on(1, "SORT_RO w BY nosort"), on(1, "SORT l STORE other"),
		on(1, "SORT missing STORE nothere"), on(0, "MULTI"), on(0, "LLEN w"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "SORT missing STORE w"), on(0, "MULTI"), on(0, "EXISTS w"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "SORT missing STORE w"), on(0, "MULTI"), on(0, "EXISTS w"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "SORT l BY w_* GET # STORE w"), on(0, "MULTI"), on(0, "LRANGE w 0 -1"), on(0, "EXEC"),
		// Making a listpack sorted set a skiplist changes no member.
		on(0, "ZADD z 1 a 2 b"), on(0, "WATCH z"), on(1, "SORT_RO z BY nosort"), on(1, "OBJECT ENCODING z"),
		on(1, "SORT z ALPHA STORE z2"), on(0, "MULTI"), on(0, "ZCARD z"), on(0, "EXEC"),
	},
}
