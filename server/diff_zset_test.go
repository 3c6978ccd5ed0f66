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

// Differential tests of the sorted set commands, run as the set
// commands' are (runCollectionScripts: RESP2 and RESP3, keyspace lookups
// and the dirty count compared after every step).

// zaddSeq returns ZADD key with the members prefix+from..to, each scored
// by its number, for sets too large to write out.
func zaddSeq(key string, from, to int, prefix string) step {
	args := []string{"ZADD", key}
	for i := from; i <= to; i++ {
		args = append(args, strconv.Itoa(i), prefix+strconv.Itoa(i))
	}
	return step{exact, args}
}

// lexSeq returns ZADD key with the members m1..mn, all scored 0: a set
// for lex ranges.
func lexSeq(key string, n int) step {
	args := []string{"ZADD", key}
	for i := 1; i <= n; i++ {
		args = append(args, "0", "m"+strconv.Itoa(i))
	}
	return step{exact, args}
}

var zsetDiffScripts = map[string][]step{
	"zadd zcard zscore": {
		s("ZADD z 1 a 2 b 3 c"), s("ZCARD z"), s("ZSCORE z a"), s("ZSCORE z nope"), s("ZSCORE missing a"),
		s("ZCARD missing"), s("ZADD z 1 a"), s("ZADD z 5 a"), s("ZSCORE z a"), s("ZADD z CH 6 a 1 d"),
		s("ZADD z NX 7 a 2 e"), s("ZSCORE z a"), s("ZADD z XX 8 a 2 f"), s("ZSCORE z f"), s("ZADD z XX CH 9 a"),
		s("ZADD z GT 1 a"), s("ZADD z GT CH 10 a"), s("ZADD z LT CH 11 a"), s("ZADD z LT CH 1 a"), s("ZADD z LT 5 new"),
		s("ZADD z GT XX 50 new2"), s("ZADD z NX XX 1 a"), s("ZADD z NX GT 1 a"), s("ZADD z NX LT 1 a"),
		s("ZADD z GT LT 1 a"), s("ZADD z INCR 1 a 2 b"), s("ZADD z INCR 1 a"), s("ZADD z INCR NX 1 a"),
		s("ZADD z INCR XX 1 nope"), s("ZADD z INCR GT -5 a"), s("ZADD z INCR LT -5 a"), s("ZADD z INCR -0 a"),
		s("ZADD z"), s("ZADD z 1"), s("ZADD z 1 a 2"), s("ZADD z NX"), s("ZADD z x a"), s("ZADD z 1 a x b"),
		s("ZADD z nan a"), s("ZADD z inf a"), s("ZSCORE z a"), s("ZADD z INCR -inf a"), s("ZSCORE z a"),
		s("ZADD z -inf b"), s("ZADD z INCR +inf b"), s("ZADD z 1e-400 c"), s("ZADD z 0e-400 c"), s("ZADD z 1e999 c"),
		s("ZADD z 0x10 hex"), s("ZSCORE z hex"), s("ZADD z 1e-310 tiny"), s("ZSCORE z tiny"), q("ZADD", "z", " 1", "sp"),
		q("ZADD", "z", "1 ", "sp"), q("ZADD", "z", "", "sp"), q("ZADD", "z", "1\x00", "sp"), s("ZADD z .5 dot"),
		s("ZSCORE z dot"), s("ZADD z 1.1 p"), s("ZSCORE z p"), s("ZADD z 3e20 big"), s("ZSCORE z big"),
		s("ZADD z -0 negzero"), s("ZSCORE z negzero"), s("ZADD z INCR -0 negzero2"), s("ZSCORE z negzero2"),
		s("ZINCRBY z 1 a"), s("ZINCRBY z 1.5 newm"), s("ZINCRBY z x a"), s("ZINCRBY z nx a"), s("ZINCRBY z inf a"),
		s("ZINCRBY z -inf a"), s("ZSCORE z a"), s("ZINCRBY z -inf p"), s("ZINCRBY z +inf p"), s("ZINCRBY z 1 a b"),
		s("ZINCRBY z 1"), s("zadd z ch nx 1 zz"), s("ZCARD z"), s("ZCARD z z"), s("ZSCORE z"), s("ZCARD"),
		s("SET str v"), s("ZADD str 1 a"), s("ZADD str XX 1 a"), s("ZINCRBY str 1 a"), s("ZCARD str"),
		s("ZSCORE str a"), s("ZADD str x a"), s("ZADD missing XX 1 a"), s("EXISTS missing"), s("ZADD missing XX INCR 1 a"),
		q("ZADD", "bin", "1", "\x00\xff", "2", ""), q("ZSCORE", "bin", ""), q("ZSCORE", "bin", "\x00\xff"),
		s("TYPE z"), s("OBJECT ENCODING z"), s("ZADD t 1 a"), s("EXPIRE t 100"), s("ZADD t 2 b"), s("TTL t"),
	},
	"zset encodings": {
		zaddSeq("lp", 1, 128, "m"), s("OBJECT ENCODING lp"), s("ZADD lp 0 m1"), s("OBJECT ENCODING lp"),
		s("ZADD lp 129 m129"), s("OBJECT ENCODING lp"), s("ZCARD lp"), s("ZSCORE lp m1"), s("ZSCORE lp m129"),
		zaddSeq("lp2", 1, 129, "m"), s("OBJECT ENCODING lp2"),
		q("ZADD", "long", "1", string(make([]byte, 64))), s("OBJECT ENCODING long"),
		q("ZADD", "long2", "1", string(make([]byte, 65))), s("OBJECT ENCODING long2"),
		q("ZADD", "long3", "1", "a", "2", string(make([]byte, 65))), s("OBJECT ENCODING long3"),
		s("ZADD nz -0 a"), s("ZSCORE nz a"), s("CONFIG SET zset-max-listpack-entries 0"), s("ZADD nz2 -0 a"),
		s("OBJECT ENCODING nz2"), s("ZSCORE nz2 a"), s("ZADD nz2 INCR -0 b"), s("ZSCORE nz2 b"),
		s("CONFIG GET zset-max-ziplist-entries"), s("CONFIG SET zset-max-ziplist-entries 2"), s("ZADD three 1 a 2 b"),
		s("OBJECT ENCODING three"), s("ZADD three 3 c"), s("OBJECT ENCODING three"),
		s("CONFIG SET zset-max-listpack-value 1"), s("ZADD v 1 ab"), s("OBJECT ENCODING v"), s("ZADD v2 1 a"),
		s("OBJECT ENCODING v2"), s("CONFIG SET zset-max-listpack-entries 128"), s("CONFIG SET zset-max-listpack-value 64"),
		su("CONFIG GET zset-max-*"), s("ZADD c 1 a 2 b"), s("COPY c c2"), s("OBJECT ENCODING c2"), s("ZADD c2 5 a"),
		s("ZSCORE c a"), s("ZSCORE c2 a"), s("COPY lp lpc"), s("OBJECT ENCODING lpc"), s("ZCARD lpc"),
		s("ZADD lpc 7 m1"), s("ZSCORE lp m1"), s("RENAME lpc lpr"), s("ZSCORE lpr m1"), s("TYPE lpr"),
		s("MOVE lpr 1"), s("SELECT 1"), s("ZCARD lpr"), s("SELECT 0"), scan("TYPE zset"), scan("TYPE zset MATCH l*"),
	},
	"zrem zmscore zrank zrevrank": {
		s("ZADD z 1 a 2 b 3 c 3 d -inf n inf p"), s("ZREM z a x"), s("ZREM z x"), s("ZREM missing a"), s("ZREM z"),
		s("ZMSCORE z a b n p x"), s("ZMSCORE missing a b"), s("ZMSCORE z"), s("ZRANK z b"), s("ZRANK z n"),
		s("ZRANK z p"), s("ZRANK z x"), s("ZRANK missing a"), s("ZREVRANK z b"), s("ZREVRANK z p"), s("ZREVRANK z x"),
		s("ZREVRANK missing x"), s("ZRANK z"), s("ZRANK z b c"), s("ZREVRANK z b c"), s("ZRANK z c"), s("ZRANK z d"),
		s("ZREM z b c d n p"), s("EXISTS z"), s("ZADD z 1 a 2 b"), s("ZREM z a b a"), s("EXISTS z"),
		s("SET str v"), s("ZREM str a"), s("ZMSCORE str a"), s("ZRANK str a"), s("ZREVRANK str a"),
		zaddSeq("sl", 1, 200, "m"), s("ZRANK sl m1"), s("ZRANK sl m200"), s("ZREVRANK sl m1"), s("ZRANK sl m100"),
		s("ZREM sl m100 m101 nope"), s("ZRANK sl m102"), s("ZMSCORE sl m1 m100 m102"), s("ZCARD sl"),
		s("OBJECT ENCODING sl"), s("ZADD t 1 a"), s("EXPIRE t 100"), s("ZREM t a"), s("TTL t"),
	},
	"zrange": {
		s("ZADD z 1 a 2 b 3 c 4 d 5 e -inf n inf p"), s("ZRANGE z 0 -1"), s("ZRANGE z 0 -1 WITHSCORES"),
		s("ZRANGE z 2 3"), s("ZRANGE z -2 -1"), s("ZRANGE z -100 100"), s("ZRANGE z 5 2"), s("ZRANGE z 0 -10"),
		s("ZRANGE z 7 10"), s("ZRANGE z -1 -1 withscores"), s("ZRANGE z 0 0 REV"), s("ZRANGE z 0 2 REV WITHSCORES"),
		s("ZRANGE z -9223372036854775808 9223372036854775807"), s("ZRANGE z 0 9223372036854775808"), s("ZRANGE z x 1"),
		s("ZRANGE z 1 x"), s("ZRANGE z 0 1 LIMIT 0 1"), s("ZRANGE z 0 1 LIMIT 0 -1"), s("ZRANGE z 0 1 LIMIT 0 -2"),
		s("ZRANGE z 0 1 BOGUS"), s("ZRANGE z 0 1 REV REV"), s("ZRANGE z 0 1 LIMIT 0"), s("ZRANGE z 0 1 LIMIT x 1"),
		s("ZRANGE z 0 1 LIMIT 1 x"), s("ZRANGE z (1 3 BYSCORE"), s("ZRANGE z 1 3 BYSCORE WITHSCORES"),
		s("ZRANGE z -inf +inf BYSCORE"), s("ZRANGE z 3 1 BYSCORE REV"), s("ZRANGE z (3 (1 BYSCORE REV WITHSCORES"),
		s("ZRANGE z 1 3 BYSCORE REV"), s("ZRANGE z -inf inf BYSCORE LIMIT 1 2"), s("ZRANGE z -inf inf BYSCORE LIMIT 1 -1"),
		s("ZRANGE z -inf inf BYSCORE LIMIT -1 2"), s("ZRANGE z -inf inf BYSCORE LIMIT 0 0"),
		s("ZRANGE z -inf inf BYSCORE LIMIT 7 1"), s("ZRANGE z -inf inf BYSCORE LIMIT 6 5"),
		s("ZRANGE z +inf -inf BYSCORE REV LIMIT 2 3 WITHSCORES"), s("ZRANGE z inf inf BYSCORE"),
		s("ZRANGE z -inf (-inf BYSCORE"), s("ZRANGE z 3 3 BYSCORE"), s("ZRANGE z (3 3 BYSCORE"), s("ZRANGE z 5 1 BYSCORE"),
		s("ZRANGE z a 1 BYSCORE"), s("ZRANGE z 1 nan BYSCORE"), s("ZRANGE z 1 3 BYSCORE BYSCORE"), s("ZRANGE z 1 3 BYSCORE BYLEX"),
		q("ZRANGE", "z", "", "3", "BYSCORE"), q("ZRANGE", "z", " 2", "3", "BYSCORE"), q("ZRANGE", "z", "(", "3", "BYSCORE"),
		q("ZRANGE", "z", "2\x00x", "3", "BYSCORE"), q("ZRANGE", "z", "2\x00x", "3", "BYSCORE"), q("ZRANGE", "z", "0x2", "3", "BYSCORE"),
		s("ZRANGE z 1e999 inf BYSCORE"), s("ZRANGE z 1e BYSCORE 3"), s("ZRANGE z - + BYLEX"), s("ZRANGE z - + BYLEX WITHSCORES"),
		s("ZRANGE z WITHSCORES 0 1"), s("ZRANGE missing 0 -1"), s("ZRANGE missing 0 -1 WITHSCORES"), s("ZRANGE missing a b BYSCORE"),
		s("ZRANGE missing 0 1 LIMIT 0 1"), s("SET str v"), s("ZRANGE str 0 -1"), s("ZRANGE str a b BYSCORE"), s("ZRANGE z 0"),
		s("ZREVRANGE z 0 -1"), s("ZREVRANGE z 0 2 WITHSCORES"), s("ZREVRANGE z 0 2 REV"), s("ZREVRANGE z 0 2 BYSCORE"),
		s("ZREVRANGE z 0 1 LIMIT 0 1"), s("ZREVRANGE z 6 100"), s("ZREVRANGE str 0 1"),
		s("ZRANGEBYSCORE z 1 3"), s("ZRANGEBYSCORE z (1 (3 WITHSCORES"), s("ZRANGEBYSCORE z -inf +inf LIMIT 2 2"),
		s("ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 2 2"), s("ZRANGEBYSCORE z -inf +inf LIMIT 2 2 WITHSCORES"),
		s("ZRANGEBYSCORE z 3 1"), s("ZRANGEBYSCORE z 1 3 REV"), s("ZRANGEBYSCORE z 1 3 BYSCORE"), s("ZRANGEBYSCORE z x 3"),
		s("ZRANGEBYSCORE z 1 3 LIMIT 1"), s("ZRANGEBYSCORE missing 1 3"), s("ZRANGEBYSCORE str 1 3"),
		s("ZREVRANGEBYSCORE z 3 1"), s("ZREVRANGEBYSCORE z 1 3"), s("ZREVRANGEBYSCORE z +inf -inf WITHSCORES LIMIT 1 3"),
		s("ZREVRANGEBYSCORE z (3 (1"), s("ZREVRANGEBYSCORE z inf -inf LIMIT 0 -5"), s("ZREVRANGEBYSCORE str 3 1"),
		s("ZADD l 0 a 0 b 0 c 0 d 0 e 0 ee 0 f"), s("ZRANGEBYLEX l - +"), s("ZRANGEBYLEX l [b [e"), s("ZRANGEBYLEX l (b (e"),
		s("ZRANGEBYLEX l [e +"), s("ZRANGEBYLEX l - (c"), s("ZRANGEBYLEX l + -"), s("ZRANGEBYLEX l - -"),
		s("ZRANGEBYLEX l + +"), s("ZRANGEBYLEX l [c [c"), s("ZRANGEBYLEX l (c [c"), s("ZRANGEBYLEX l [d [c"),
		s("ZRANGEBYLEX l - + LIMIT 2 3"), s("ZRANGEBYLEX l - + LIMIT -1 3"), s("ZRANGEBYLEX l - + LIMIT 0 0"),
		s("ZRANGEBYLEX l - + LIMIT 10 1"), s("ZRANGEBYLEX l - + WITHSCORES"), s("ZRANGEBYLEX l a b"), s("ZRANGEBYLEX l [a b"),
		q("ZRANGEBYLEX", "l", "", "+"), q("ZRANGEBYLEX", "l", "-x", "+"), q("ZRANGEBYLEX", "l", "-\x00x", "+\x00"),
		q("ZRANGEBYLEX", "l", "[", "(e"), q("ZRANGEBYLEX", "l", "(", "+"), s("ZRANGEBYLEX missing - +"), s("ZRANGEBYLEX str - +"),
		s("ZREVRANGEBYLEX l + -"), s("ZREVRANGEBYLEX l [e [b"), s("ZREVRANGEBYLEX l (e (b LIMIT 1 1"), s("ZREVRANGEBYLEX l - +"),
		s("ZREVRANGEBYLEX l + - LIMIT 0 2"), s("ZRANGE l [b [d BYLEX"), s("ZRANGE l [d [b BYLEX REV"),
		s("ZRANGE l + - BYLEX REV LIMIT 1 2"), s("ZRANGE l [b [d BYLEX LIMIT 1 1"), s("ZRANGE l 0 1 BYLEX"),
		s("ZADD mixed 1 b 2 a 3 d 4 c"), s("ZRANGEBYLEX mixed [b [c"), s("ZREVRANGEBYLEX mixed [c [b"),
		s("ZRANGEBYLEX mixed [a [b"), s("ZREVRANGEBYLEX mixed [d [a"), s("ZLEXCOUNT mixed [b [c"), s("ZRANGEBYLEX mixed - [a"),
		s("ZADD mixed2 1 b 2 d 3 a 4 c 5 e"), s("ZRANGEBYLEX mixed2 [b [c LIMIT 1 5"), s("ZRANGEBYLEX mixed2 [b [c LIMIT 2 5"),
		s("ZRANGEBYLEX mixed2 [b [c LIMIT 2 1"), s("ZRANGEBYLEX mixed2 [b [c LIMIT 4 5"), s("ZREVRANGEBYLEX mixed2 [c [a LIMIT 1 3"),
		s("ZREVRANGEBYLEX mixed2 [c [b LIMIT 1 3"), s("ZREVRANGEBYLEX mixed2 [c [b LIMIT 2 3"), s("ZRANGE mixed2 [a [c BYLEX LIMIT 3 2"),
		s("ZRANGE mixed2 [d [b BYLEX REV LIMIT 1 2"), s("ZLEXCOUNT mixed2 [b [c"), s("ZRANGESTORE d2 mixed2 [b [c BYLEX LIMIT 2 5"),
		s("ZRANGE d2 0 -1"),
		q("ZADD", "bin", "0", "a\x00b", "0", "a", "0", "a\x00"), q("ZRANGEBYLEX", "bin", "[a\x00", "+"),
		q("ZRANGEBYLEX", "bin", "(a", "[a\x00b"), zaddSeq("sl", 1, 200, "m"), s("ZRANGE sl 0 4"), s("ZRANGE sl -3 -1 WITHSCORES"),
		s("ZRANGE sl 100 102 REV"), s("ZRANGE sl (10 20 BYSCORE LIMIT 2 3"), s("ZRANGE sl 150 (140 BYSCORE REV LIMIT 1 2"),
		s("ZRANGEBYSCORE sl 199 +inf WITHSCORES"), s("ZRANGEBYSCORE sl -inf 3 LIMIT 0 -1"), s("ZREVRANGE sl 0 2"),
		s("ZRANGE sl 0 -1 BYSCORE LIMIT 195 10"), s("ZREVRANGEBYSCORE sl 5 -inf LIMIT 1 2"),
		s("zrange z 0 1 withscores rev"), s("ZRANGE"), s("ZRANGE z"),
	},
	"zrangestore": {
		s("ZADD z 1 a 2 b 3 c 4 d 5 e"), s("ZRANGESTORE d z 0 2"), s("ZRANGE d 0 -1 WITHSCORES"), s("OBJECT ENCODING d"),
		s("ZRANGESTORE d z 0 1 REV"), s("ZRANGE d 0 -1"), s("ZRANGESTORE d z (1 4 BYSCORE LIMIT 1 2"), s("ZRANGE d 0 -1"),
		s("ZRANGESTORE d z 4 1 BYSCORE REV"), s("ZRANGE d 0 -1"), s("ZRANGESTORE d z [b [d BYLEX"), s("ZRANGE d 0 -1"),
		s("ZRANGESTORE d z 10 20"), s("EXISTS d"), s("ZRANGESTORE d z 10 20"), s("ZRANGESTORE d missing 0 -1"),
		s("ZRANGESTORE d z 0 1 WITHSCORES"), s("ZRANGESTORE d z 0 1 LIMIT 0 1"), s("ZRANGESTORE d z a b BYSCORE"),
		s("ZRANGESTORE d z 0 1 BYLEX"), s("SET str v"), s("EXPIRE str 100"), s("ZRANGESTORE str z 0 0"), s("TYPE str"),
		s("TTL str"), s("SET str v"), s("ZRANGESTORE d str 0 1"), s("ZRANGESTORE str missing 0 1"), s("EXISTS str"),
		s("ZRANGESTORE z z 1 2"), s("ZRANGE z 0 -1 WITHSCORES"), zaddSeq("big", 1, 200, "m"), s("ZRANGESTORE d big 0 127"),
		s("OBJECT ENCODING d"), s("ZRANGESTORE d big 0 128"), s("OBJECT ENCODING d"), s("ZRANGESTORE d big 0 +inf BYSCORE LIMIT 0 5"),
		s("OBJECT ENCODING d"), s("ZRANGESTORE d big -inf +inf BYSCORE"), s("OBJECT ENCODING d"), s("ZCARD d"),
		s("ZADD neg 1 a"), s("ZADD neg INCR -1 a"), s("ZRANGESTORE d neg 0 -1"), s("ZSCORE d a"),
		s("ZRANGESTORE d z 0 -1 REV REV"), s("ZRANGESTORE"), s("ZRANGESTORE d z 0"),
	},
	"zcount zlexcount": {
		s("ZADD z 1 a 2 b 2 c 3 d -inf n inf p"), s("ZCOUNT z -inf +inf"), s("ZCOUNT z 2 2"), s("ZCOUNT z (2 3"),
		s("ZCOUNT z 2 (3"), s("ZCOUNT z (2 (2"), s("ZCOUNT z 3 1"), s("ZCOUNT z inf inf"), s("ZCOUNT z -inf -inf"),
		s("ZCOUNT z (inf +inf"), s("ZCOUNT z x 1"), s("ZCOUNT z 1 nan"), s("ZCOUNT z (nan 1"), q("ZCOUNT", "z", "", ""),
		q("ZCOUNT", "z", "(", "10"), q("ZCOUNT", "z", " 1", "\t10"), q("ZCOUNT", "z", "1 ", "10"), s("ZCOUNT missing 0 1"),
		s("ZCOUNT missing x 1"), s("SET str v"), s("ZCOUNT str 0 1"), s("ZCOUNT str x 1"), s("ZCOUNT z 1"),
		s("ZADD l 0 a 0 b 0 c 0 d"), s("ZLEXCOUNT l - +"), s("ZLEXCOUNT l [b [c"), s("ZLEXCOUNT l (b (c"), s("ZLEXCOUNT l (b (b"),
		s("ZLEXCOUNT l + -"), s("ZLEXCOUNT l [z +"), s("ZLEXCOUNT l a +"), s("ZLEXCOUNT missing - +"), s("ZLEXCOUNT missing a +"),
		s("ZLEXCOUNT str - +"), zaddSeq("sl", 1, 300, "m"), s("ZCOUNT sl 10 (20"), s("ZCOUNT sl (100 +inf"),
		s("ZCOUNT sl -inf 0"), s("ZLEXCOUNT sl - +"), lexSeq("eq", 300), s("ZLEXCOUNT eq [m1 [m2"), s("ZLEXCOUNT eq (m1 +"),
		s("ZRANGEBYLEX eq [m299 + LIMIT 1 3"), s("ZREVRANGEBYLEX eq (m2 - LIMIT 2 2"), s("ZREMRANGEBYLEX eq [m1 (m11"), s("ZCARD eq"),
	},
	"zremrange": {
		s("ZADD z 1 a 2 b 3 c 4 d 5 e"), s("ZREMRANGEBYRANK z 0 0"), s("ZRANGE z 0 -1"), s("ZREMRANGEBYRANK z -1 -1"),
		s("ZREMRANGEBYRANK z 5 10"), s("ZREMRANGEBYRANK z 2 1"), s("ZREMRANGEBYRANK z 0 -10"), s("ZREMRANGEBYRANK z x 1"),
		s("ZREMRANGEBYRANK z 0 1.5"), s("ZREMRANGEBYRANK missing 0 1"), s("ZREMRANGEBYRANK missing x 1"),
		s("ZREMRANGEBYRANK z -100 100"), s("EXISTS z"), s("ZADD z 1 a 2 b 3 c 4 d 5 e"), s("ZREMRANGEBYSCORE z (1 3"),
		s("ZRANGE z 0 -1"), s("ZREMRANGEBYSCORE z 9 10"), s("ZREMRANGEBYSCORE z 5 1"), s("ZREMRANGEBYSCORE z x 1"),
		s("ZREMRANGEBYSCORE missing 1 2"), s("ZREMRANGEBYSCORE missing x 2"), s("ZREMRANGEBYSCORE z -inf +inf"),
		s("EXISTS z"), s("ZADD l 0 a 0 b 0 c 0 d 0 e"), s("ZREMRANGEBYLEX l [b (d"), s("ZRANGE l 0 -1"),
		s("ZREMRANGEBYLEX l + -"), s("ZREMRANGEBYLEX l x y"), s("ZREMRANGEBYLEX missing - +"), s("ZREMRANGEBYLEX missing x y"),
		s("ZREMRANGEBYLEX l - +"), s("EXISTS l"), s("SET str v"), s("ZREMRANGEBYRANK str 0 1"), s("ZREMRANGEBYSCORE str 0 1"),
		s("ZREMRANGEBYLEX str - +"), s("ZREMRANGEBYLEX str x y"), zaddSeq("sl", 1, 300, "m"), s("ZREMRANGEBYRANK sl 10 19"),
		s("ZCARD sl"), s("ZRANGE sl 8 11"), s("ZREMRANGEBYSCORE sl (100 200"), s("ZCARD sl"), s("ZRANGE sl 85 95 WITHSCORES"),
		s("OBJECT ENCODING sl"), s("ZREMRANGEBYRANK sl 0 -101"), s("OBJECT ENCODING sl"), s("ZCARD sl"),
		s("ZADD mixed 1 b 2 a 3 d 4 c"), s("ZREMRANGEBYLEX mixed [b [c"), s("ZRANGE mixed 0 -1"),
		s("ZADD t 1 a 2 b"), s("EXPIRE t 100"), s("ZREMRANGEBYRANK t 0 0"), s("TTL t"), s("ZREMRANGEBYRANK z"),
	},
	"zrandmember": {
		s("ZRANDMEMBER missing"), s("ZRANDMEMBER missing 5"), s("ZRANDMEMBER missing -5 WITHSCORES"), s("ZRANDMEMBER missing 0"),
		s("ZRANDMEMBER missing x"), s("ZADD z 1 a 2 b 3 c"), s("ZRANDMEMBER z x"), s("ZRANDMEMBER z 1.5"),
		s("ZRANDMEMBER z -9223372036854775808"), s("ZRANDMEMBER z 9223372036854775808"), s("ZRANDMEMBER z 1 2"),
		s("ZRANDMEMBER z 1 WITHSCORE"), s("ZRANDMEMBER z 1 WITHSCORES x"), s("ZRANDMEMBER z 0"), s("ZRANDMEMBER z 0 WITHSCORES"),
		s("ZRANDMEMBER z 3"), s("ZRANDMEMBER z 3 WITHSCORES"), s("ZRANDMEMBER z 10 WITHSCORES"), s("ZRANDMEMBER z 9223372036854775807"),
		s("ZRANDMEMBER z 4611686018427387904 WITHSCORES"), s("ZRANDMEMBER z -4611686018427387904 WITHSCORES"),
		s("ZRANDMEMBER z 4611686018427387903 WITHSCORES"), s("SET str v"), s("ZRANDMEMBER str"), s("ZRANDMEMBER str 1"),
		s("ZRANDMEMBER str x"), s("ZADD one 5 x"), s("ZRANDMEMBER one"), s("ZRANDMEMBER one -3 WITHSCORES"),
		s("ZRANDMEMBER one 1 WITHSCORES"), zaddSeq("sl", 1, 200, "m"), s("ZRANDMEMBER sl 200"), s("ZRANDMEMBER sl 201 WITHSCORES"),
	},
	"zscan": {
		s("ZADD z 1 a 2 b 1.5 c -inf n inf p 0.1 t"), s("ZSCAN z 0"), s("ZSCAN z 0 MATCH a"), s("ZSCAN z 0 COUNT 1"),
		s("ZSCAN z 0 MATCH [ab] COUNT 1"), s("ZSCAN z 5"), s("ZSCAN z 18446744073709551615"), s("ZSCAN z -1"),
		s("ZSCAN missing 0"), s("ZSCAN missing x"), s("ZSCAN missing 0 COUNT x"), s("ZSCAN missing 0 BOGUS"),
		s("SET str v"), s("ZSCAN str 0"), s("ZSCAN str x"), s("ZSCAN str 0 COUNT x"), s("ZSCAN z x"), s("ZSCAN z 0 COUNT 0"),
		s("ZSCAN z 0 COUNT -1"), s("ZSCAN z 0 MATCH"), s("ZSCAN z 0 TYPE zset"), s("ZSCAN z 18446744073709551616"),
		s("ZSCAN z"), s("ZADD e 3e20 big 1e-310 tiny -0 nz"), s("ZSCAN e 0"),
	},
	"zset commands in transactions": {
		s("MULTI"), s("ZADD z 1 a 2 b"), s("ZRANGE z 0 -1 WITHSCORES"), s("ZREM z a b"), s("EXISTS z"), s("EXEC"),
		s("MULTI"), s("ZADD z 1 a"), s("ZRANGESTORE d z 0 -1"), s("ZCARD d"), s("ZADD z x a"), s("EXEC"),
		s("SET str v"), s("MULTI"), s("ZADD str 1 a"), s("ZCARD str"), s("GET str"), s("EXEC"),
	},
	"zset command keys": {
		s("COMMAND GETKEYS zrangestore d s 0 1"), s("COMMAND GETKEYSANDFLAGS zrangestore d s 0 1"),
		s("COMMAND GETKEYSANDFLAGS zadd k 1 a"), s("COMMAND GETKEYS zrange k 0 1"), s("COMMAND GETKEYSANDFLAGS zremrangebylex k - +"),
	},
	"zset keyspace lookups": {
		s("ZADD z 1 a 2 b"), s("SET str v"), s("ZRANGE z 0 -1"), s("ZRANGE nx 0 -1"), s("ZRANGE str 0 1"), s("ZCARD nx"),
		s("ZSCORE nx a"), s("ZMSCORE nx a"), s("ZRANK nx a"), s("ZREVRANK z a"), s("ZCOUNT nx 0 1"), s("ZLEXCOUNT nx - +"),
		s("ZRANGEBYSCORE nx 0 1"), s("ZRANGEBYLEX z - +"), s("ZRANDMEMBER nx"), s("ZRANDMEMBER nx 2"), s("ZRANDMEMBER z 5"),
		s("ZSCAN nx 0"), s("ZSCAN z 0"), s("ZRANGESTORE d z 0 -1"), s("ZRANGESTORE d nx 0 -1"), s("ZREM nx a"),
		s("ZREMRANGEBYRANK nx 0 1"), s("ZADD nx XX 1 a"), s("ZINCRBY z 1 a"), s("ZRANGE z a b BYSCORE"),
	},
}

func TestZSetDifferential(t *testing.T) {
	runCollectionScripts(t, zsetDiffScripts)
}

// TestZSetCommandsAreCovered keeps the scripts honest: every sorted set
// command appears in one.
func TestZSetCommandsAreCovered(t *testing.T) {
	checkScriptsCover(t, zsetDiffScripts, stepWords, zsetCommands())
}

// TestZSetEventsAgainstRedis compares the keyspace notifications of the
// sorted set commands, and their order, with redis-server's.
func TestZSetEventsAgainstRedis(t *testing.T) {
	checkEventsAgainstRedis(t, []string{
		"ZADD z 1 a 2 b", "ZADD z 1 a", "ZADD z CH 5 a", "ZADD z NX 9 a", "ZADD z XX 1 new", "ZADD z INCR 1 a",
		"ZADD z INCR 0 a", "ZADD z GT 1 a", "ZINCRBY z 2 b", "ZINCRBY z 0 b", "ZADD missing XX 1 a", "ZADD z x a",
		"ZADD z 1 a 2 b", "ZREM z nope", "ZREM z a", "ZREM z b", "ZADD z 1 a 2 b 3 c 4 d", "ZREMRANGEBYRANK z 5 6",
		"ZREMRANGEBYRANK z 0 0", "ZREMRANGEBYSCORE z 9 10", "ZREMRANGEBYSCORE z 2 2", "ZREMRANGEBYLEX z [c [c",
		"ZREMRANGEBYLEX z - +", "ZREMRANGEBYLEX z - +", "ZADD s 1 a 2 b 3 c", "ZRANGESTORE d s 0 1", "ZRANGESTORE d s 5 6",
		"ZRANGESTORE d s 5 6", "ZRANGESTORE d missing 0 1", "ZRANGE s 0 -1", "ZRANDMEMBER s", "ZSCORE s a",
		"ZADD e 1 a", "EXPIRE e 100", "RENAME e e2", "COPY e2 e3", "MOVE e3 1", "DEL e2", "ZADD q 1 a", "ZINCRBY q 1 b",
		"ZADD t 1 a", "ZREMRANGEBYSCORE t -inf +inf", "SET str v", "ZADD str 1 a",
	}, sameReplyOrShape) // ZRANDMEMBER's picks differ
}

// TestZSetWatch checks that the sorted set commands touch a watched key
// when Redis signals it, and only then.
func TestZSetWatch(t *testing.T) {
	checkWatchAgainstRedis(t, "", []string{"s"}, []watchCase{
		{"ZADD s 1 a", "ZADD s 2 b"}, {"ZADD s 1 a", "ZADD s 1 a"}, {"ZADD s 1 a", "ZADD s NX 5 a"},
		{"ZADD s 1 a", "ZADD s XX 1 b"}, {"ZADD s 1 a", "ZINCRBY s 0 a"}, {"ZADD s 1 a", "ZINCRBY s 1 a"},
		{"ZADD s 1 a", "ZREM s b"}, {"ZADD s 1 a 2 b", "ZREM s a"}, {"ZADD s 1 a", "ZREM s a"},
		{"ZADD s 1 a", "ZREMRANGEBYRANK s 1 2"}, {"ZADD s 1 a 2 b", "ZREMRANGEBYRANK s 0 0"},
		{"ZADD s 1 a", "ZREMRANGEBYSCORE s 5 6"}, {"ZADD s 1 a", "ZREMRANGEBYSCORE s 1 1"},
		{"ZADD s 0 a", "ZREMRANGEBYLEX s (a +"}, {"ZADD s 0 a", "ZREMRANGEBYLEX s - +"},
		{"ZADD x 1 a", "ZRANGESTORE s x 0 -1"}, {"ZADD x 1 a", "ZRANGESTORE s x 5 6"}, {"ZADD s 1 a", "ZRANGESTORE s x 0 1"},
		{"ZADD s 1 a", "ZRANGESTORE x s 0 1"}, {"ZADD s 1 a", "ZRANGE s 0 -1"}, {"ZADD s 1 a", "ZRANDMEMBER s"},
		{"ZADD s 1 a", "ZADD d 1 a"}, {"ZADD s 1 a", "COPY s x"}, {"ZADD s 1 a", "RENAME s x"}, {"ZADD s 1 a", "DEL s"},
		{"ZADD s 1 a", "EXPIRE s 100"}, {"ZADD s 1 a", "MOVE s 1"}, {"ZADD s 1 a", "OBJECT ENCODING s"},
	})
}

// TestZRandMemberAgainstRedis checks the random replies of ZRANDMEMBER,
// which cannot match Redis's: the same shape on both servers, members of
// the set with their own scores, distinct unless the count is negative,
// for both encodings and protocols.
func TestZRandMemberAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for _, proto := range []string{"2", "3"} {
		ref, got := dialPair(t, redis.Addr, ours, proto)
		for _, c := range []*rawConn{ref, got} {
			c.do("FLUSHALL")
			c.do(zaddSeq("lp", 1, 20, "m").args...)
			c.do(zaddSeq("sl", 1, 300, "m").args...)
		}
		for _, args := range [][]string{
			{"lp"}, {"lp", "1"}, {"lp", "5"}, {"lp", "5", "WITHSCORES"}, {"lp", "19", "WITHSCORES"}, {"lp", "-5"},
			{"lp", "-50", "WITHSCORES"}, {"lp", "1", "WITHSCORES"}, {"lp", "-1", "WITHSCORES"}, {"sl"}, {"sl", "3"},
			{"sl", "150", "WITHSCORES"}, {"sl", "299"}, {"sl", "-400", "WITHSCORES"}, {"sl", "-2000"},
		} {
			cmd := append([]string{"ZRANDMEMBER"}, args...)
			want, have := ref.do(cmd...), got.do(cmd...)
			if msg := checkZRandPick(args, want, have); msg != "" {
				t.Errorf("RESP%s %q: %s\n redis: %.300q\n   ours: %.300q", proto, cmd, msg, want, have)
			}
		}
	}
}

// checkZRandPick checks a ZRANDMEMBER reply against redis-server's, for a
// set of the members m<i> scored i.
func checkZRandPick(args []string, want, have string) string {
	fw, _, err1 := frame.Parse([]byte(want))
	fh, _, err2 := frame.Parse([]byte(have))
	if err1 != nil || err2 != nil {
		return "unparsable reply"
	}
	if fw.Type != fh.Type || len(fw.Elems) != len(fh.Elems) {
		return "replies of different shapes"
	}
	withScores := len(args) == 3
	distinct := len(args) >= 2 && !strings.HasPrefix(args[1], "-")
	seen := map[string]bool{}
	check := func(m frame.Frame, score string) string {
		name := m.Text()
		n, err := strconv.Atoi(strings.TrimPrefix(name, "m"))
		if err != nil || !strings.HasPrefix(name, "m") {
			return fmt.Sprintf("%q is not a member", name)
		}
		if withScores && score != strconv.Itoa(n) {
			return fmt.Sprintf("%q given score %q", name, score)
		}
		if distinct && seen[name] {
			return fmt.Sprintf("%q given twice", name)
		}
		seen[name] = true
		return ""
	}
	if fh.Type == frame.BulkString {
		return check(fh, "")
	}
	for i := 0; i < len(fh.Elems); i++ {
		e := fh.Elems[i]
		var msg string
		switch {
		case withScores && e.Type == frame.Array:
			if len(e.Elems) != 2 || e.Elems[1].Type != fw.Elems[i].Elems[1].Type {
				return "a pair of another shape"
			}
			msg = check(e.Elems[0], scoreText(e.Elems[1]))
		case withScores:
			if fh.Elems[i+1].Type != fw.Elems[i+1].Type {
				return "a score of another type"
			}
			msg = check(e, scoreText(fh.Elems[i+1]))
			i++
		default:
			msg = check(e, "")
		}
		if msg != "" {
			return msg
		}
	}
	return ""
}

// scoreText returns a score's digits, from a bulk string (RESP2) or a
// double (RESP3).
func scoreText(f frame.Frame) string {
	if f.Type == frame.Double {
		return strconv.FormatFloat(f.Float, 'g', -1, 64)
	}
	return f.Text()
}

// TestZScanAgainstRedis runs ZSCAN to completion on skiplist sets, whose
// order is each server's own, and compares the pairs found.
func TestZScanAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	ref, got := dialPair(t, redis.Addr, ours, "2")
	for _, c := range []*rawConn{ref, got} {
		c.do("FLUSHALL")
		c.do(zaddSeq("sl", 1, 300, "m").args...)
		c.do("ZADD", "sl", "0.1", "frac", "-inf", "ninf", "inf", "pinf", "3e20", "big")
	}
	for _, opts := range [][]string{nil, {"COUNT", "7"}, {"MATCH", "m1*"}, {"MATCH", "*f", "COUNT", "1"}, {"COUNT", "1000"}} {
		args := append([]string{"sl"}, opts...)
		want, have := scanPairs(ref, "ZSCAN", args), scanPairs(got, "ZSCAN", args)
		if !slices.Equal(want, have) {
			t.Errorf("ZSCAN sl %q to completion:\n redis: %.300q\n   ours: %.300q", opts, want, have)
		}
	}
}

// TestZSetCommandsOnOtherTypes checks the sorted set commands on lists,
// hashes and sets: WRONGTYPE, as Redis replies.
func TestZSetCommandsOnOtherTypes(t *testing.T) {
	ts := startServer(t)
	c := ts.dial(t)
	c.do("RPUSH", "l", "1")
	c.do("HSET", "h", "f", "v")
	c.do("SADD", "s", "1")
	c.do("ZADD", "z", "1", "a")
	const wrongType = "-" + errWrongType + "\r\n"
	for _, key := range []string{"l", "h", "s"} {
		for _, args := range [][]string{
			{"ZADD", key, "1", "a"}, {"ZINCRBY", key, "1", "a"}, {"ZREM", key, "a"}, {"ZCARD", key}, {"ZSCORE", key, "a"},
			{"ZMSCORE", key, "a"}, {"ZRANK", key, "a"}, {"ZREVRANK", key, "a"}, {"ZRANGE", key, "0", "1"},
			{"ZREVRANGE", key, "0", "1"}, {"ZRANGEBYSCORE", key, "0", "1"}, {"ZREVRANGEBYSCORE", key, "1", "0"},
			{"ZRANGEBYLEX", key, "-", "+"}, {"ZREVRANGEBYLEX", key, "+", "-"}, {"ZRANGESTORE", "d", key, "0", "1"},
			{"ZCOUNT", key, "0", "1"}, {"ZLEXCOUNT", key, "-", "+"}, {"ZREMRANGEBYRANK", key, "0", "1"},
			{"ZREMRANGEBYSCORE", key, "0", "1"}, {"ZREMRANGEBYLEX", key, "-", "+"}, {"ZRANDMEMBER", key},
			{"ZRANDMEMBER", key, "2"}, {"ZSCAN", key, "0"},
		} {
			if got := c.do(args...); got != wrongType {
				t.Errorf("%q: %q, want WRONGTYPE", args, got)
			}
		}
	}
	for _, args := range [][]string{{"SADD", "z", "x"}, {"LPUSH", "z", "x"}, {"HSET", "z", "f", "v"}, {"GET", "z"}} {
		if got := c.do(args...); got != wrongType {
			t.Errorf("%q on a zset: %q, want WRONGTYPE", args, got)
		}
	}
	if got := c.do("TYPE", "z"); got != "+zset\r\n" {
		t.Errorf("TYPE of a zset: %q", got)
	}
	if got := c.do("MEMORY", "USAGE", "z"); !strings.HasPrefix(got, ":") || got == ":0\r\n" {
		t.Errorf("MEMORY USAGE of a zset: %q", got)
	}
}
