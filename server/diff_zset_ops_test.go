package server

import (
	"strconv"
	"strings"
	"testing"
)

// Differential tests of the sorted set pops (ZPOPMIN, ZPOPMAX, ZMPOP) and
// operations (ZUNION, ZINTER, ZDIFF, their *STORE forms, ZINTERCARD), run
// as the set family's scripts are (runCollectionScripts): RESP2 and RESP3,
// replies byte for byte (a sorted set's order is the same on both
// servers), keyspace hits and misses and the dirty count after every
// step.

// zaddRange returns ZADD key with the members prefix+i, scored i, for i
// from..to: sets too large to write out.
func zaddRange(key string, from, to int, prefix string) step {
	args := []string{"ZADD", key}
	for i := from; i <= to; i++ {
		args = append(args, strconv.Itoa(i), prefix+strconv.Itoa(i))
	}
	return step{exact, args}
}

var zsetOpsDiffScripts = map[string][]step{
	"zpopmin zpopmax": {
		s("ZADD z 1 a 2 b 3 c 4 d 5 e 6 f"), s("ZPOPMIN z"), s("ZPOPMAX z"), s("ZPOPMIN z 2"), s("ZPOPMAX z 1"),
		s("ZPOPMIN z 0"), s("ZPOPMAX z 0"), s("ZPOPMIN z -1"), s("ZPOPMAX z x"), s("ZPOPMIN z 1.5"), s("ZPOPMIN z 1 2"),
		s("ZPOPMIN z 9223372036854775808"), s("ZPOPMIN z -9223372036854775808"), s("ZRANGE z 0 -1 WITHSCORES"),
		s("ZPOPMAX z 9223372036854775807"), s("EXISTS z"), s("ZPOPMIN z"), s("ZPOPMIN z 3"),
		s("ZPOPMIN missing"), s("ZPOPMAX missing 0"), s("ZPOPMIN missing 3"), s("ZPOPMIN missing -1"),
		s("ZPOPMIN missing x"), s("SET str v"), s("ZPOPMIN str"), s("ZPOPMAX str 0"), s("ZPOPMIN str 2"),
		s("ZPOPMIN str -1"), s("ZPOPMIN"), s("zpopmax"), s("ZADD one 7 x"), s("ZPOPMAX one 1"), s("EXISTS one"),
		s("ZADD inf -inf lo +inf hi 0 zero -0 nz 1.5 f 1e300 big 0.1 tenth 3.0000000000000004 odd"),
		s("ZPOPMIN inf 2"), s("ZPOPMAX inf 3"), s("ZPOPMIN inf 100"), s("EXISTS inf"),
		q("ZADD", "bin", "1", "\x00\xff", "2", "a b", "3", "", "4", "\r\n"), q("ZPOPMAX", "bin", "2"),
		q("ZPOPMIN", "bin"), s("ZRANGE bin 0 -1"),
		zaddRange("big", 1, 200, "m"), s("OBJECT ENCODING big"), s("ZPOPMAX big 3"), s("ZPOPMIN big 150"),
		s("OBJECT ENCODING big"), s("ZCARD big"), s("ZPOPMIN big"), s("ZPOPMAX big 10"), s("ZRANGE big 0 2"),
		s("ZADD t 1 a 2 b 3 c"), s("EXPIRE t 100"), s("ZPOPMIN t"), s("TTL t"), s("ZPOPMIN t 5"), s("EXISTS t"),
		s("ZADD lex 0 c 0 a 0 b 0 aa"), s("ZPOPMIN lex"), s("ZPOPMAX lex"), s("ZPOPMIN lex 5"),
	},
	"zmpop": {
		s("ZADD z 1 a 2 b 3 c 4 d"), s("ZADD y 10 x 20 y"), s("SET str v"),
		s("ZMPOP 1 z MIN"), s("ZMPOP 1 z MAX"), s("ZMPOP 2 missing z min COUNT 1"), s("ZMPOP 2 z y max count 10"),
		s("EXISTS z"), s("ZMPOP 2 z y MIN"), s("ZMPOP 3 z missing y MAX COUNT 5"), s("ZMPOP 1 missing MIN"),
		s("ZMPOP 2 missing nothing MAX COUNT 2"), s("ZADD z 1 a 2 b"),
		s("ZMPOP 1 str MIN"), s("ZMPOP 2 missing str MIN"), s("ZMPOP 2 z str MAX"), s("ZMPOP 2 str z MAX"),
		s("ZMPOP 0 z MIN"), s("ZMPOP -1 z MIN"), s("ZMPOP x z MIN"), s("ZMPOP 2 z MIN"), s("ZMPOP 1 z"),
		s("ZMPOP 1 z UP"), s("ZMPOP 1 z LEFT"), s("ZMPOP 1 z MIN COUNT 0"), s("ZMPOP 1 z MIN COUNT -1"),
		s("ZMPOP 1 z MIN COUNT x"), s("ZMPOP 1 z MIN COUNT 1 COUNT 2"), s("ZMPOP 1 z MIN COUNT"),
		s("ZMPOP 1 z MIN EXTRA"), s("ZMPOP 1 z MIN COUNT 9223372036854775808"), s("ZMPOP 1 z UP COUNT 0"),
		s("ZMPOP 0 z UP"), s("ZMPOP 99999999999999999999 z MIN"), s("ZMPOP 9223372036854775807 z MIN"),
		s("ZMPOP 1 str MIN COUNT 0"), s("ZMPOP 1 missing MIN COUNT x"), s("ZMPOP 1 z MIN COUNT 9223372036854775807"),
		s("EXISTS z"), s("ZMPOP"), s("ZMPOP 1"),
		s("COMMAND GETKEYS ZMPOP 2 a b MIN"), s("COMMAND GETKEYSANDFLAGS ZMPOP 1 a MAX COUNT 2"),
		s("COMMAND GETKEYS ZMPOP 0 a MIN"), s("COMMAND GETKEYS ZMPOP 5 a MIN"), s("COMMAND GETKEYSANDFLAGS ZPOPMIN a 2"),
	},
	"zunion zinter zdiff": {
		s("ZADD a 1 x 2 y 3 z"), s("ZADD b 10 y 20 z 30 w"), s("ZADD c 100 z 200 v"), s("SADD s z w q"), s("SADD i 1 2 3"),
		s("ZADD n 1 1 2 2 5 5"), s("SET str v"),
		s("ZUNION 2 a b"), s("ZUNION 2 a b WITHSCORES"), s("ZUNION 3 a b c WITHSCORES"), s("ZUNION 1 a withscores"),
		s("ZUNION 2 a b WEIGHTS 2 3 WITHSCORES"), s("ZUNION 2 a b WEIGHTS 1 -1 WITHSCORES"),
		s("ZUNION 2 a b AGGREGATE MIN WITHSCORES"), s("ZUNION 2 a b AGGREGATE max WITHSCORES"),
		s("ZUNION 2 a b aggregate sum weights 0.5 0.25 withscores"), s("ZUNION 2 a b WEIGHTS 1 2 WEIGHTS 3 4 WITHSCORES"),
		s("ZUNION 2 a b AGGREGATE MIN AGGREGATE MAX WITHSCORES"), s("ZUNION 2 a b WITHSCORES WITHSCORES"),
		s("ZUNION 2 a missing WITHSCORES"), s("ZUNION 2 missing1 missing2"), s("ZUNION 2 missing1 missing2 WITHSCORES"),
		s("ZUNION 2 a s WITHSCORES"), s("ZUNION 3 a s i WITHSCORES"), s("ZUNION 2 s s WITHSCORES"), s("ZUNION 2 a a WITHSCORES"),
		s("ZUNION 2 i n WITHSCORES"), s("ZUNION 2 a str"), s("ZUNION 2 str a"), s("ZUNION 2 missing str"),
		s("ZINTER 2 a b"), s("ZINTER 2 a b WITHSCORES"), s("ZINTER 3 a b c WITHSCORES"), s("ZINTER 2 b a WITHSCORES"),
		s("ZINTER 2 a b WEIGHTS 2 3 WITHSCORES"), s("ZINTER 2 a b AGGREGATE MIN WITHSCORES"),
		s("ZINTER 2 a b AGGREGATE MAX WEIGHTS 1 -1 WITHSCORES"), s("ZINTER 2 a missing WITHSCORES"),
		s("ZINTER 2 missing a"), s("ZINTER 2 a s WITHSCORES"), s("ZINTER 2 s a WEIGHTS 5 1 WITHSCORES"),
		s("ZINTER 2 i n WITHSCORES"), s("ZINTER 2 a a WITHSCORES"), s("ZINTER 2 a a WEIGHTS 1 2 AGGREGATE MAX WITHSCORES"),
		s("ZINTER 1 c WITHSCORES"), s("ZINTER 2 a str"), s("ZINTER 2 missing str"), s("ZINTER 2 str missing"),
		s("ZDIFF 2 a b"), s("ZDIFF 2 a b WITHSCORES"), s("ZDIFF 2 b a WITHSCORES"), s("ZDIFF 3 b a c WITHSCORES"),
		s("ZDIFF 1 b WITHSCORES"), s("ZDIFF 2 a a"), s("ZDIFF 2 a missing WITHSCORES"), s("ZDIFF 2 missing a"),
		s("ZDIFF 2 b s WITHSCORES"), s("ZDIFF 2 s a WITHSCORES"), s("ZDIFF 2 i n WITHSCORES"), s("ZDIFF 2 a str"),
		s("ZDIFF 2 str a"), s("ZDIFF 2 missing str"),
		zaddRange("big", 1, 60, "m"), s("ZDIFF 2 big a"), s("ZDIFF 2 a big WITHSCORES"), s("ZDIFF 3 big a b"),
		s("ZDIFF 4 big m1 a b WITHSCORES"), zaddRange("few", 1, 3, "m"), s("ZDIFF 2 big few"), s("ZDIFF 2 few big"),
		s("ZINTER 2 big few WITHSCORES"), s("ZUNION 2 few big"),
	},
	"set operation errors": {
		s("ZADD a 1 x 2 y"), s("ZADD b 3 y"), s("SET str v"),
		s("ZUNION 0 a"), s("ZINTER 0 a"), s("ZDIFF 0 a"), s("ZINTERCARD 0 a"), s("ZUNIONSTORE d 0 a"),
		s("ZINTERSTORE d 0 a"), s("ZDIFFSTORE d 0 a"), s("ZUNION -1 a"), s("ZUNION x a"), s("ZUNION 1.5 a"),
		s("ZUNION 99999999999999999999 a"), s("ZUNION 9223372036854775807 a"), s("ZUNION 3 a b"),
		s("ZUNIONSTORE d 3 a b"), s("ZINTERCARD 3 a b"), s("ZINTERCARD -1 a"), s("ZINTERCARD x a"),
		s("ZUNION 2 a b WEIGHTS 1"), s("ZUNION 2 a b WEIGHTS 1 x"), s("ZUNION 2 a b WEIGHTS x 1"),
		s("ZUNION 2 a b WEIGHTS 1 nan"), s("ZUNION 2 a b WEIGHTS 1 2 3"), s("ZUNION 2 a b WEIGHTS"),
		s("ZUNION 2 a b WEIGHTS 1e400 1"), s("ZUNION 2 a b WEIGHTS 1e-400 1"), q("ZUNION", "2", "a", "b", "WEIGHTS", " 1", "1"),
		q("ZUNION", "2", "a", "b", "WEIGHTS", "1 ", "1"), q("ZUNION", "2", "a", "b", "WEIGHTS", "", "1"),
		s("ZUNION 2 a b WEIGHTS 0x10 +1 WITHSCORES"), s("ZUNION 2 a b WEIGHTS .5 5. WITHSCORES"),
		s("ZUNION 2 a b WEIGHTS 4e-320 1 WITHSCORES"),
		s("ZUNION 2 a b AGGREGATE"), s("ZUNION 2 a b AGGREGATE AVG"), s("ZUNION 2 a b AGGREGATE sum extra"),
		s("ZUNION 2 a b LIMIT 1"), s("ZUNION 2 a b BOGUS"), s("ZINTER 2 a b LIMIT 1"),
		s("ZDIFF 2 a b WEIGHTS 1 1"), s("ZDIFF 2 a b AGGREGATE MIN"), s("ZDIFF 2 a b WITHSCORES x"),
		s("ZUNIONSTORE d 2 a b WITHSCORES"), s("ZINTERSTORE d 2 a b WITHSCORES"), s("ZDIFFSTORE d 2 a b WITHSCORES"),
		s("ZDIFFSTORE d 2 a b WEIGHTS 1 2"), s("ZUNION 2 a str WEIGHTS x"), s("ZUNION 2 a b WEIGHTS x AGGREGATE y"),
		s("ZUNION 2 str missing WEIGHTS 1"), s("ZUNIONSTORE d 2 str a"), s("ZUNIONSTORE str 2 a b WEIGHTS x"),
		s("ZUNION"), s("ZUNION 1"), s("ZUNIONSTORE d"), s("ZUNIONSTORE d 1"), s("ZINTERCARD"), s("ZINTERCARD 1"),
		s("ZDIFF 1"), s("EXISTS d"), s("GET str"),
		s("COMMAND GETKEYS ZUNION 2 a b WEIGHTS 1 2"), s("COMMAND GETKEYSANDFLAGS ZUNIONSTORE d 2 a b"),
		s("COMMAND GETKEYS ZINTERSTORE d 1 a"), s("COMMAND GETKEYS ZDIFFSTORE d 3 a b c"),
		s("COMMAND GETKEYSANDFLAGS ZINTERCARD 2 a b LIMIT 1"), s("COMMAND GETKEYS ZINTER 0 a"),
		s("COMMAND GETKEYS ZDIFF 5 a"),
	},
	"inf and nan scores": {
		s("ZADD p 1 x +inf y -inf z 0 w"), s("ZADD m -inf x -inf y +inf z 5 w"),
		s("ZUNION 2 p m WITHSCORES"), s("ZINTER 2 p m WITHSCORES"), s("ZUNION 2 p m AGGREGATE MIN WITHSCORES"),
		s("ZUNION 2 p m AGGREGATE MAX WITHSCORES"), s("ZUNION 2 p m WEIGHTS 0 1 WITHSCORES"),
		s("ZINTER 2 p m WEIGHTS 0 0 WITHSCORES"), s("ZUNION 2 p m WEIGHTS inf -inf WITHSCORES"),
		s("ZUNION 2 p m WEIGHTS -inf 1 AGGREGATE MIN WITHSCORES"), s("ZINTER 2 p p WEIGHTS 1 -1 WITHSCORES"),
		s("ZUNION 1 p WEIGHTS 0 WITHSCORES"), s("ZUNION 1 p WEIGHTS -0 WITHSCORES"), s("ZINTER 1 p WEIGHTS -1 WITHSCORES"),
		s("ZADD big 1e308 a 1.7976931348623157e308 b"), s("ZUNION 2 big big WITHSCORES"),
		s("ZUNION 1 big WEIGHTS 10 WITHSCORES"), s("ZINTER 2 big big WEIGHTS -1 -1 WITHSCORES"),
		s("ZADD f 0.1 a 0.2 b 0.3 c"), s("ZADD g 0.2 a 0.1 b 1e-17 c"), s("ZADD h 0.3 a 0.7 b 1 c"),
		s("ZUNION 3 f g h WITHSCORES"), s("ZUNION 3 h g f WITHSCORES"), s("ZINTER 3 g f h WITHSCORES"),
		s("ZUNION 3 f g h WEIGHTS 3 0.1 7 WITHSCORES"), s("ZUNIONSTORE u 3 f g h"), s("ZRANGE u 0 -1 WITHSCORES"),
		s("ZINTERSTORE u 2 p m"), s("ZRANGE u 0 -1 WITHSCORES"), s("ZSCORE u x"),
	},
	"zintercard": {
		s("ZADD a 1 x 2 y 3 z 4 w"), s("ZADD b 10 y 20 z 30 w"), s("SADD s z w q"), s("SET str v"),
		s("ZINTERCARD 2 a b"), s("ZINTERCARD 1 a"), s("ZINTERCARD 2 a a"), s("ZINTERCARD 3 a b s"),
		s("ZINTERCARD 2 a s LIMIT 1"), s("ZINTERCARD 2 a b LIMIT 0"), s("ZINTERCARD 2 a b LIMIT 2"),
		s("ZINTERCARD 2 a b LIMIT 100"), s("ZINTERCARD 2 a b limit 1 LIMIT 5"), s("ZINTERCARD 2 a b LIMIT -1"),
		s("ZINTERCARD 2 a b LIMIT x"), s("ZINTERCARD 2 a b LIMIT"), s("ZINTERCARD 2 a b WITHSCORES"),
		s("ZINTERCARD 2 a b WEIGHTS 1 2"), s("ZINTERCARD 2 a b AGGREGATE MIN"), s("ZINTERCARD 2 a b BOGUS 1"),
		s("ZINTERCARD 2 a missing"), s("ZINTERCARD 2 missing a"), s("ZINTERCARD 2 a str"), s("ZINTERCARD 2 str a"),
		s("ZINTERCARD 3 a missing str"), s("ZINTERCARD 2 a b LIMIT 9223372036854775807"),
		s("ZINTERCARD 2 a b LIMIT 9223372036854775808"), s("ZINTERCARD 1 s"), s("ZINTERCARD 2 str a LIMIT x"),
	},
	"store": {
		s("ZADD a 1 x 2 y 3 z"), s("ZADD b 10 y 20 z 30 w"), s("SADD s z w q"), s("SADD i 1 2 3"), s("SET str v"),
		s("ZUNIONSTORE d 2 a b"), s("ZRANGE d 0 -1 WITHSCORES"), s("OBJECT ENCODING d"), s("TYPE d"),
		s("ZINTERSTORE d 2 a b WEIGHTS 2 1 AGGREGATE MAX"), s("ZRANGE d 0 -1 WITHSCORES"),
		s("ZDIFFSTORE d 2 b a"), s("ZRANGE d 0 -1 WITHSCORES"), s("ZUNIONSTORE d 2 a s"), s("ZRANGE d 0 -1 WITHSCORES"),
		s("ZINTERSTORE d 2 s i"), s("EXISTS d"), s("ZUNIONSTORE d 2 s i"), s("ZRANGE d 0 -1 WITHSCORES"),
		s("ZDIFFSTORE d 2 i s"), s("OBJECT ENCODING d"),
		s("SET d v"), s("EXPIRE d 100"), s("ZUNIONSTORE d 1 a"), s("TTL d"), s("TYPE d"), s("EXPIRE d 100"),
		s("ZINTERSTORE d 2 a missing"), s("EXISTS d"), s("ZINTERSTORE d 2 a missing"), s("ZDIFFSTORE d 2 a a"),
		s("ZUNIONSTORE d 2 m1 m2"), s("ZUNIONSTORE d 2 a str"), s("ZUNIONSTORE str 1 a"), s("TYPE str"), s("SET str v"),
		s("ZUNIONSTORE a 2 a b"), s("ZRANGE a 0 -1 WITHSCORES"), s("ZINTERSTORE b 2 b a"), s("ZRANGE b 0 -1 WITHSCORES"),
		s("ZDIFFSTORE a 2 a b"), s("ZRANGE a 0 -1 WITHSCORES"), s("ZDIFFSTORE a 1 a"), s("ZRANGE a 0 -1 WITHSCORES"),
		zaddRange("big", 1, 200, "m"), s("ZUNIONSTORE u 1 big"), s("OBJECT ENCODING u"), s("ZCARD u"),
		zaddRange("half", 1, 100, "m"), s("ZDIFFSTORE u 2 big half"), s("OBJECT ENCODING u"), s("ZCARD u"),
		s("ZINTERSTORE u 2 big half"), s("OBJECT ENCODING u"), zaddRange("edge", 1, 128, "m"),
		s("ZUNIONSTORE u 1 edge"), s("OBJECT ENCODING u"), s("ZADD edge 0 extra"), s("ZUNIONSTORE u 1 edge"),
		s("OBJECT ENCODING u"), s("ZINTERSTORE u 2 edge big"), s("OBJECT ENCODING u"),
		q("ZADD", "long", "1", strings.Repeat("x", 64), "2", "short"), s("ZUNIONSTORE u 1 long"), s("OBJECT ENCODING u"),
		q("ZADD", "longer", "1", strings.Repeat("y", 65), "2", "short"), s("ZUNIONSTORE u 1 longer"),
		s("OBJECT ENCODING u"), s("ZINTERSTORE u 2 longer long"), s("OBJECT ENCODING u"), s("ZRANGE u 0 -1"),
		s("ZDIFFSTORE u 2 longer long"), s("OBJECT ENCODING u"), zaddRange("bigkeys", 1, 130, "k"),
		s("ZDIFFSTORE u 2 bigkeys big"), s("OBJECT ENCODING u"), s("ZDIFFSTORE u 3 bigkeys big half"),
		sadd("bigset", 1, 200, "m"), s("ZUNIONSTORE u 1 bigset"), s("OBJECT ENCODING u"), s("ZINTERSTORE u 2 bigset edge"),
		s("OBJECT ENCODING u"), s("ZRANGE u 0 3 WITHSCORES"),
		q("ZUNIONSTORE", "", "1", "a"), q("ZRANGE", "", "0", "-1", "WITHSCORES"), q("ZDIFFSTORE", "", "2", "a", ""),
		q("ZINTERSTORE", "", "2", "", "a"), q("EXISTS", ""),
		s("ZUNIONSTORE"), s("ZINTERSTORE d"), s("ZDIFFSTORE d 1"),
	},
	"zset operations in transactions": {
		s("MULTI"), s("ZADD z 1 a 2 b"), s("ZPOPMIN z"), s("ZMPOP 1 z MAX"), s("EXISTS z"), s("EXEC"),
		s("ZADD a 1 x"), s("MULTI"), s("ZUNIONSTORE d 1 a"), s("ZINTER 2 a d WITHSCORES"), s("ZINTERCARD 2 a d"),
		s("ZDIFFSTORE e 2 a d"), s("EXEC"), s("MULTI"), s("ZUNION 0 a"), s("ZPOPMIN a x"), s("EXEC"),
		s("SET str v"), s("MULTI"), s("ZPOPMIN str"), s("ZUNION 1 str"), s("EXEC"),
	},
	"zset operation lookups": {
		s("ZADD z 1 a 2 b"), s("SET str v"), s("ZPOPMIN nx"), s("ZPOPMAX nx 2"), s("ZPOPMIN str"), s("ZMPOP 2 nx z MIN"),
		s("ZMPOP 3 nx1 nx2 nx3 MAX"), s("ZUNION 2 z nx"), s("ZINTER 2 nx z"), s("ZDIFF 2 nx z"), s("ZINTERCARD 2 z nx"),
		s("ZUNIONSTORE d 2 z nx"), s("ZINTERSTORE d 2 nx z"), s("ZDIFFSTORE d 2 z nx"), s("ZUNION 3 z str nx"),
		s("ZUNION 2 z nx BOGUS"), s("ZUNIONSTORE d 2 z nx BOGUS"), s("ZINTER 2 z z WEIGHTS x"), s("ZPOPMIN z 0"),
	},
}

func TestZSetOpsDifferential(t *testing.T) {
	runCollectionScripts(t, zsetOpsDiffScripts)
}

// TestZSetOpsScriptsCoverEveryCommand keeps the scripts honest: every
// command of this file's family appears in them.
func TestZSetOpsScriptsCoverEveryCommand(t *testing.T) {
	checkScriptsCover(t, zsetOpsDiffScripts, stepWords, zsetOpsCommands())
}
