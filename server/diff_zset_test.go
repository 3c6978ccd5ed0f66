package server

import (
	"strconv"
	"testing"
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
}

func TestZSetDifferential(t *testing.T) {
	runCollectionScripts(t, zsetDiffScripts)
}
