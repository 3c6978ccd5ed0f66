package server

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc64"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/db/rdb"
	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
)

// DUMP and RESTORE against redis-server 7.0.15: the payloads of every
// type and encoding compared byte for byte (but for hashtables, whose
// order is each server's own), moved from each server to the other and
// compared as values, encodings and TTLs; RESTORE's options and errors in
// scripts (RESP2 and RESP3, lookups and dirty count compared); its
// events, WATCH and the wake-up of a blocked BLPOP.

// dumpKey is a key to make on both servers, and DUMP.
type dumpKey struct {
	key   string
	setup [][]string
	enc   string // its encoding, for the test to check the servers agree
}

// cmdOf builds a command from a name, a key and arguments.
func cmdOf(name, key string, args ...string) []string { return append([]string{name, key}, args...) }

// dumpKeys cover every string encoding Redis's DUMP writes (integers of
// each width, strings that are not canonical integers, LZF and not) and
// every collection encoding, at and around the limits.
func dumpKeys() []dumpKey {
	seqArgs := func(n int, f func(i int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	str := func(key, v, enc string) dumpKey { return dumpKey{key, [][]string{{"SET", key, v}}, enc} }
	keys := []dumpKey{
		str("s:hello", "hello", "embstr"),
		str("s:empty", "", "embstr"),
		str("s:0", "0", "int"),
		str("s:-128", "-128", "int"),
		str("s:300", "300", "int"),
		str("s:-70000", "-70000", "int"),
		str("s:2147483648", "2147483648", "int"),
		str("s:int64", "-9223372036854775808", "int"),
		str("s:007", "007", "embstr"),
		str("s:21x", strings.Repeat("x", 21), "embstr"),
		str("s:text", strings.Repeat("the quick brown fox jumps over the lazy dog ", 30), "raw"),
		str("s:digits", strings.Repeat("0123456789", 2000), "raw"),
		str("s:binary", "\x00\xff\r\n\x00 binary", "embstr"),
		{"s:appended", [][]string{{"SET", "s:appended", "12"}, {"APPEND", "s:appended", "3"}}, "raw"},
		{"s:float", [][]string{{"SET", "s:float", "1"}, {"INCRBYFLOAT", "s:float", "2.5"}}, "embstr"},
		{"s:expiring", [][]string{{"SET", "s:expiring", "v", "PX", "500000"}}, "embstr"},
		{"l:small", [][]string{cmdOf("RPUSH", "l:small", "a", "1", "-70000", "", "9223372036854775807", "007")}, "quicklist"},
		{"l:nodes", [][]string{cmdOf("RPUSH", "l:nodes", seqArgs(600, func(i int) string { return "element:" + strconv.Itoa(i) })...)}, "quicklist"},
		{"l:compressible", [][]string{cmdOf("RPUSH", "l:compressible", seqArgs(100, func(int) string { return strings.Repeat("ab", 20) })...)}, "quicklist"},
		{"l:big", [][]string{cmdOf("RPUSH", "l:big", "head", strings.Repeat("z", 9000), "tail")}, "quicklist"},
		{"l:expiring", [][]string{cmdOf("RPUSH", "l:expiring", "x"), {"PEXPIRE", "l:expiring", "600000"}}, "quicklist"},
		{"h:small", [][]string{cmdOf("HSET", "h:small", "f", "v", "n", "12", "", "empty")}, "listpack"},
		{"h:64", [][]string{cmdOf("HSET", "h:64", "f", strings.Repeat("v", 64))}, "listpack"},
		{"h:65", [][]string{cmdOf("HSET", "h:65", "f", strings.Repeat("v", 65), "g", "1")}, "hashtable"},
		{"h:600", [][]string{cmdOf("HSET", "h:600", seqArgs(1200, func(i int) string { return "x" + strconv.Itoa(i/2) + strings.Repeat("!", i%2) })...)}, "hashtable"},
		{"h:expiring", [][]string{cmdOf("HSET", "h:expiring", "f", "v"), {"PEXPIRE", "h:expiring", "700000"}}, "listpack"},
		{"set:ints", [][]string{cmdOf("SADD", "set:ints", "5", "-3", "100000", "9223372036854775807")}, "intset"},
		{"set:600", [][]string{cmdOf("SADD", "set:600", seqArgs(600, strconv.Itoa)...)}, "hashtable"},
		{"set:strings", [][]string{cmdOf("SADD", "set:strings", "a", "b", "1", "-0")}, "hashtable"},
		{"set:expiring", [][]string{cmdOf("SADD", "set:expiring", "1"), {"PEXPIRE", "set:expiring", "800000"}}, "intset"},
		{"z:scores", [][]string{cmdOf("ZADD", "z:scores", "1.1", "a", "3", "b", "0.1", "c", "1e300", "d", "inf", "e", "-inf", "f",
			"4611686018427387904", "g", "4611686018427389952", "h", "-2.5", "i", "0", "j", "5e-324", "k", "1", "12", "1", "-70000")}, "listpack"},
		{"z:128", [][]string{cmdOf("ZADD", "z:128", seqArgs(256, func(i int) string {
			if i%2 == 0 {
				return strconv.Itoa(i % 7)
			}
			return "m:" + strconv.Itoa(i)
		})...)}, "listpack"},
		{"z:129", [][]string{cmdOf("ZADD", "z:129", seqArgs(258, func(i int) string {
			if i%2 == 0 {
				return strconv.FormatFloat(float64(i)/8, 'g', -1, 64)
			}
			return "member:" + strconv.Itoa(i)
		})...)}, "skiplist"},
		{"z:65", [][]string{cmdOf("ZADD", "z:65", "1", strings.Repeat("m", 65), "-1", "x", "2.5", strings.Repeat("ab", 30))}, "skiplist"},
		{"z:expiring", [][]string{cmdOf("ZADD", "z:expiring", "1", "a"), {"PEXPIRE", "z:expiring", "900000"}}, "listpack"},
	}
	return keys
}

// describeKey describes key on c for comparison across servers: type,
// encoding, contents (sorted where the encoding has no order) and
// whether it expires.
func describeKey(c *rawConn, key string, withEncoding bool) string {
	typ := c.Do("TYPE", key).Text()
	enc := c.Do("OBJECT", "ENCODING", key).Text()
	refcount := c.Do("OBJECT", "REFCOUNT", key).Int
	if !withEncoding && enc != "hashtable" {
		enc, refcount = "", 0
	}
	var elems []string
	switch typ {
	case "string":
		elems = []string{c.Do("GET", key).Text()}
	case "list":
		elems = frameTexts(c.Do("LRANGE", key, "0", "-1"))
	case "hash":
		elems = frameTexts(c.Do("HGETALL", key))
	case "set":
		elems = frameTexts(c.Do("SMEMBERS", key))
	case "zset":
		// Without ZRANGE here (yet), the members come from the key's DUMP
		// payload, and each one's score from ZSCORE, which the payload's
		// must agree with; ZCARD counts them.
		e, err := rdb.ParseDump(c.Do("DUMP", key).Str)
		if err != nil {
			c.t.Fatalf("DUMP %s: %v", key, err)
		}
		for i, m := range e.Elems {
			r := c.Do("ZSCORE", key, string(m))
			f, err := r.Float, error(nil)
			if r.Type != frame.Double { // RESP2: a bulk string
				f, err = strconv.ParseFloat(r.Text(), 64)
			}
			if err != nil || f != e.Scores[i] {
				c.t.Fatalf("ZSCORE %s %q = %v, but its DUMP says %v", key, m, r, e.Scores[i])
			}
			elems = append(elems, fmt.Sprintf("%q=%s", m, strconv.FormatFloat(f, 'g', -1, 64)))
		}
		slices.Sort(elems)
		if n := c.Do("ZCARD", key).Int; n != int64(len(elems)) {
			c.t.Fatalf("ZCARD %s = %d, but its DUMP has %d members", key, n, len(elems))
		}
	}
	exp := c.Do("PTTL", key).Int
	return describeValue("", typ, enc, min(exp, 0), elems) + fmt.Sprintf(" refcount %d", refcount)
}

// frameTexts returns the texts of an aggregate's elements (a RESP3 map's
// keys and values in turn, as HGETALL's RESP2 array has them).
func frameTexts(f frame.Frame) []string {
	var out []string
	for _, e := range f.Elems {
		out = append(out, e.Text())
	}
	return out
}

func TestDumpAgainstRedis(t *testing.T) {
	for _, variant := range []struct {
		name   string
		config []string
	}{
		{"defaults", nil},
		{"rdbcompression no", []string{"rdbcompression", "no"}},
		{"list-max-listpack-size 5", []string{"list-max-listpack-size", "5"}},
	} {
		redis := redistest.Start(t, variant.config...)
		var args []string
		for i, a := range variant.config {
			if i%2 == 0 {
				a = "--" + a
			}
			args = append(args, a)
		}
		ours := startRealServer(t, args...)
		for _, proto := range []string{"2", "3"} {
			t.Run(variant.name+"/RESP"+proto, func(t *testing.T) {
				ref, got := dialPair(t, redis.Addr, ours, proto)
				for _, c := range []*rawConn{ref, got} {
					c.do("FLUSHALL")
				}
				for _, k := range dumpKeys() {
					for _, cmd := range k.setup {
						ref.Do(cmd...)
						got.Do(cmd...)
					}
					for _, c := range []*rawConn{ref, got} {
						if enc := c.Do("OBJECT", "ENCODING", k.key).Text(); enc != k.enc {
							t.Fatalf("%s is %s, want %s", k.key, enc, k.enc)
						}
					}
					want, have := ref.do("DUMP", k.key), got.do("DUMP", k.key)
					if k.enc != "hashtable" && want != have {
						t.Errorf("DUMP %s:\n redis: %q\n   ours: %q", k.key, want, have)
					}
					both := [2]*rawConn{ref, got}
					checkRestored(t, k.key, ref, both, ref.Do("DUMP", k.key).Str, "from redis")
					checkRestored(t, k.key, got, both, got.Do("DUMP", k.key).Str, "from ours")
				}
				if want, have := ref.do("DUMP", "missing"), got.do("DUMP", "missing"); want != have {
					t.Errorf("DUMP missing: redis %q, ours %q", want, have)
				}
			})
		}
	}
}

// checkRestored RESTOREs on both servers, under a new key, the payload
// of key on src, with key's TTL, and checks that both make the same
// value, in the same encoding (RESTORE, as Redis's, picks it afresh), as
// key's value on src, with the same TTL give or take the time the test
// takes.
func checkRestored(t *testing.T, key string, src *rawConn, both [2]*rawConn, payload []byte, how string) {
	t.Helper()
	pttl := src.Do("PTTL", key).Int
	ttl := strconv.FormatInt(max(pttl, 0), 10)
	restored := key + " " + how
	var desc [2]string
	for i, c := range both {
		if r := c.do("RESTORE", restored, ttl, string(payload)); r != "+OK\r\n" {
			t.Errorf("RESTORE %s on %s: %q", restored, [2]string{"redis", "ours"}[i], r)
			return
		}
		desc[i] = describeKey(c, restored, true)
		if after := c.Do("PTTL", restored).Int; pttl > 0 && (after > pttl || after < pttl-2000) || pttl < 0 && after != -1 {
			t.Errorf("%s restored %s with TTL %d: PTTL %d", key, how, pttl, after)
		}
	}
	if desc[0] != desc[1] {
		t.Errorf("%s restored %s:\n redis: %s\n  ours: %s", key, how, desc[0], desc[1])
	}
	if want, have := describeKey(src, key, false), describeKey(both[1], restored, false); want != have {
		t.Errorf("%s restored %s:\n source: %s\n    got: %s", key, how, want, have)
	}
}

// jonesTable is CRC-64-Jones for hash/crc64, which inverts the value on
// the way in and out (undone around each call).
var jonesTable = crc64.MakeTable(0x95ac9329ac4bc9b5)

// payloadOf frames body as a DUMP payload of RDB version v: what a
// corrupt or hand-made value needs to get past RESTORE's checksum.
func payloadOf(body []byte, v uint16) string {
	p := binary.LittleEndian.AppendUint16(slices.Clone(body), v)
	sum := ^crc64.Update(^uint64(0), jonesTable, p)
	return string(binary.LittleEndian.AppendUint64(p, sum))
}

// dumpOf is rdb.AppendDump's payload of e.
func dumpOf(t testing.TB, e rdb.Entry) string {
	p, err := rdb.AppendDump(nil, e, rdb.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return string(p)
}

func TestPayloadOfIsRedisChecksum(t *testing.T) {
	p := dumpOf(t, rdb.Entry{Value: []byte("hello")})
	if got := payloadOf([]byte(p[:len(p)-10]), 10); got != p {
		t.Fatalf("payloadOf = %q, want %q", got, p)
	}
}

// restoreScripts are RESTORE's and DUMP's options, errors and effects,
// run by runCollectionScripts.
func restoreScripts(t testing.TB) map[string][]step {
	hello := dumpOf(t, rdb.Entry{Value: []byte("hello")})
	num := dumpOf(t, rdb.Entry{Value: []byte("123")})
	lst := dumpOf(t, rdb.Entry{Type: rdb.TypeList, Elems: [][]byte{[]byte("a"), []byte("b")}})
	zlp := dumpOf(t, rdb.Entry{Type: rdb.TypeZSet, Encoding: rdb.EncodingListpack,
		Elems: [][]byte{[]byte("a"), []byte("b"), []byte("c")}, Scores: []float64{-1.5, 2, math.Inf(1)}})
	zsk := dumpOf(t, rdb.Entry{Type: rdb.TypeZSet, Encoding: rdb.EncodingSkiplist,
		Elems: [][]byte{[]byte("a"), []byte("b")}, Scores: []float64{1, 2}})
	badSum := hello[:len(hello)-1] + "\x00"
	zeroSum := hello[:len(hello)-8] + strings.Repeat("\x00", 8)
	v11 := payloadOf([]byte("\x00\x05hello"), 11)
	v9 := payloadOf([]byte("\x00\x05hello"), 9)
	r := func(args ...string) step { return q(append([]string{"RESTORE"}, args...)...) }
	return map[string][]step{
		"restore options": {
			r("k", "0", hello), s("GET k"), s("TTL k"), s("OBJECT ENCODING k"), s("TYPE k"),
			r("k", "0", hello), r("k", "x", hello), r("k", "-1", hello), r("k", "0", "bad"),
			r("k", "0", hello, "REPLACE"), r("k", "0", hello, "replace", "REPLACE"), r("k", "0", hello, "BOGUS"),
			r("n", "x", hello), r("n", "-1", hello), r("n", "1.5", hello), r("n", "9223372036854775808", hello),
			r("n", "0", hello, "IDLETIME"), r("n", "0", hello, "IDLETIME", "-1"), r("n", "0", hello, "IDLETIME", "x"),
			r("n", "0", hello, "FREQ"), r("n", "0", hello, "FREQ", "-1"), r("n", "0", hello, "FREQ", "256"),
			r("n", "0", hello, "FREQ", "x"), r("n", "0", hello, "IDLETIME", "1", "FREQ", "1"),
			r("n", "0", hello, "FREQ", "1", "IDLETIME", "1"), r("k", "0", hello, "IDLETIME", "-1"),
			r("k", "0", hello, "FREQ", "300"), r("k", "0", hello, "bogus"),
			r("i", "0", hello, "IDLETIME", "100"), near("OBJECT IDLETIME i"),
			r("i2", "0", hello, "IDLETIME", "5", "IDLETIME", "1000"), near("OBJECT IDLETIME i2"),
			r("i3", "0", hello, "IDLETIME", "100000000"), near("OBJECT IDLETIME i3"),
			r("i4", "0", hello, "IDLETIME", "9223372036854775807"), near("OBJECT IDLETIME i4"),
			r("i5", "0", hello, "IDLETIME", "0"), near("OBJECT IDLETIME i5"), s("GET i5"), near("OBJECT IDLETIME i5"),
			r("f", "0", hello, "FREQ", "5", "FREQ", "255"), s("OBJECT FREQ f"), s("GET f"),
			r("t", "100000", hello), near("PTTL t"), r("t2", "4102444800000", hello, "ABSTTL"), s("PEXPIRETIME t2"),
			r("t3", "0", hello, "ABSTTL"), s("TTL t3"),
			r("num", "0", num), s("OBJECT ENCODING num"), s("OBJECT REFCOUNT num"), s("GET num"),
			r("lst", "0", lst), s("LRANGE lst 0 -1"), s("OBJECT ENCODING lst"), s("TYPE lst"),
			s("SET str v"), r("str", "0", lst, "REPLACE"), s("LRANGE str 0 -1"),
			q("DUMP", "missing"), s("DUMP"), s("DUMP a b"), s("RESTORE k 0"), s("RESTORE"),
		},
		"restore sorted sets": {
			r("z", "0", zlp), s("OBJECT ENCODING z"), s("ZCARD z"), s("ZSCORE z a"), s("ZSCORE z c"), s("TYPE z"),
			r("zs", "0", zsk), s("OBJECT ENCODING zs"), s("ZSCORE zs b"), s("ZADD zs 3 c"), s("ZCARD zs"),
			s("CONFIG SET zset-max-listpack-entries 2"), r("z2", "0", zlp), s("OBJECT ENCODING z2"),
			r("z3", "0", zsk), s("OBJECT ENCODING z3"), s("CONFIG SET zset-max-listpack-value 0"), r("z4", "0", zsk),
			s("OBJECT ENCODING z4"), r("z5", "0", zlp, "REPLACE"), s("OBJECT ENCODING z5"),
			s("CONFIG SET zset-max-listpack-entries 128"), s("CONFIG SET zset-max-listpack-value 64"),
			r("zd", "0", payloadOf([]byte{5, 2, 1, 'a', 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 1, 'a', 0, 0, 0, 0, 0, 0, 0, 0x40}, 10)), // a member twice
			r("zd", "0", payloadOf([]byte{5, 1, 1, 'a', 0, 0, 0, 0, 0, 0, 0xf8, 0x7f}, 10)),                                    // a NaN score
			r("zd", "0", payloadOf([]byte{5, 0}, 10)),                                                                          // empty
			r("zd", "0", payloadOf([]byte{3, 1, 1, 'a', 3, '1', '.', '5'}, 10)), s("ZSCORE zd a"), s("OBJECT ENCODING zd"),
			r("zd2", "0", payloadOf([]byte{3, 1, 1, 'a', 254}, 10)), s("ZSCORE zd2 a"),
			s("SET str v"), r("str", "0", zlp, "REPLACE"), s("ZCARD str"),
		},
		"restore ttl in the past": {
			r("p", "1", hello, "ABSTTL"), s("EXISTS p"), r("p", "9223372036854775807", hello), s("EXISTS p"),
			s("SET p old"), r("p", "1", hello, "ABSTTL"), s("GET p"), r("p", "1", hello, "REPLACE", "ABSTTL"), s("EXISTS p"),
			r("p", "1", hello, "REPLACE", "ABSTTL"), s("SET p old"), r("p", "9223372036854775000", hello, "REPLACE"), s("EXISTS p"),
			s("SET p old"), r("p", "9223372036854775807", hello, "ABSTTL", "REPLACE"), s("EXISTS p"), near("PTTL p"),
		},
		"restore payloads": {
			r("a", "0", badSum), r("a", "0", zeroSum), r("a", "0", v11), r("a", "0", v9), s("GET a"), r("b", "0", ""),
			r("b", "0", hello[:9]), r("b", "0", hello[1:]), r("b", "0", payloadOf([]byte{8, 1, 'x'}, 10)),
			r("b", "0", payloadOf([]byte{2, 2, 1, 'a', 1, 'a'}, 10)),            // a member twice
			r("b", "0", payloadOf([]byte{2, 0}, 10)),                            // an empty set
			r("b", "0", payloadOf([]byte{1, 0}, 10)),                            // an empty list
			r("b", "0", payloadOf([]byte{20, 7, 7, 0, 0, 0, 0, 0, 0xff}, 10)),   // a set listpack (Redis 7.2)
			r("b", "0", payloadOf([]byte{0, 0x40, 100, 'a'}, 10)),               // cut short
			r("b", "0", payloadOf([]byte{0, 1, 'x', 'y', 'z'}, 10)), s("GET b"), // bytes after the value
			r("c", "0", payloadOf([]byte{2, 2, 1, 'a', 1, 'b'}, 10)), s("OBJECT ENCODING c"), s("SCARD c"),
			r("d", "0", payloadOf([]byte{2, 2, 1, '1', 1, '2'}, 10)), s("OBJECT ENCODING d"), s("SMEMBERS d"),
			r("e", "0", payloadOf([]byte{4, 1, 1, 'f', 1, 'v'}, 10)), s("OBJECT ENCODING e"), s("HGETALL e"),
			r("g", "0", payloadOf([]byte{1, 2, 1, 'a', 1, 'b'}, 10)), s("OBJECT ENCODING g"), s("LRANGE g 0 -1"),
			r("b", "0", badSum, "REPLACE"), r("a", "0", badSum), r("a", "x", badSum), s("EXISTS b"),
		},
		"dump and restore lookups": {
			s("SET k v"), q("DUMP", "k"), q("DUMP", "missing"), r("k", "0", hello), r("k", "0", hello, "REPLACE"),
			r("missing2", "0", badSum), s("RPUSH l a"), q("DUMP", "l"), s("HSET h f v"), q("DUMP", "h"),
			s("SADD s 1"), q("DUMP", "s"), s("SADD s2 a"), su("SMEMBERS s2"),
		},
	}
}

func TestRestoreDifferential(t *testing.T) {
	runCollectionScripts(t, restoreScripts(t))
}

// TestRestoreRefusesDuplicates: a payload of a hash with a field twice is
// refused, as Redis refuses it with sanitize-dump-payload yes. With the
// default, no, Redis checks only hashes too big for a listpack, and
// makes a small one a listpack that holds the field twice: a corrupt
// value this server does not make.
func TestRestoreRefusesDuplicates(t *testing.T) {
	redis := redistest.Start(t, "sanitize-dump-payload", "yes")
	ours := startRealServer(t)
	ref, got := dialRaw(t, redis.Addr), dialRaw(t, ours)
	for _, body := range [][]byte{
		{4, 2, 1, 'f', 1, 'v', 1, 'f', 1, 'w'}, // a hash, field by field
		{2, 2, 1, 'a', 1, 'a'},                 // a set
		{2, 2, 0xc0, 1, 1, '1'},                // a set of integers, one of them encoded
	} {
		args := []string{"RESTORE", "k", "0", payloadOf(body, 10)}
		want, have := ref.do(args...), got.do(args...)
		if want != "-"+errBadDataFormat+"\r\n" || have != want {
			t.Errorf("RESTORE of %q: redis %q, ours %q", body, want, have)
		}
	}
}

// TestRestoreEventsAgainstRedis compares the keyspace events of DUMP and
// RESTORE, in order, with redis-server's.
func TestRestoreEventsAgainstRedis(t *testing.T) {
	hello := dumpOf(t, rdb.Entry{Value: []byte("hello")})
	redis := redistest.Start(t)
	ours := startRealServer(t)
	var ref, got [2]*rawConn
	for i := range ref {
		ref[i], got[i] = dialRaw(t, redis.Addr), dialRaw(t, ours)
	}
	for _, c := range []*rawConn{ref[1], got[1]} {
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
	for _, args := range [][]string{
		{"RESTORE", "k", "0", hello}, {"RESTORE", "k", "0", hello}, {"RESTORE", "k", "0", hello, "REPLACE"},
		{"RESTORE", "k", "1", hello, "REPLACE", "ABSTTL"}, {"RESTORE", "k", "1", hello, "REPLACE", "ABSTTL"},
		{"RESTORE", "k", "100000", hello}, {"DUMP", "k"}, {"DUMP", "missing"}, {"RESTORE", "x", "0", "bad"},
		{"SET", "e", "v", "PX", "1"}, {"SLEEP"}, {"RESTORE", "e", "0", hello},
	} {
		if args[0] == "SLEEP" {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		want, have := ref[1].do(args...), got[1].do(args...)
		if want != have {
			t.Errorf("%q:\n redis: %q\n   ours: %q", args, want, have)
		}
		ref[0].Send("PING")
		got[0].Send("PING")
		if want, have := events(ref[0]), events(got[0]); !slices.Equal(want, have) {
			t.Errorf("events of %.40q:\n redis: %q\n   ours: %q", args, want, have)
		}
	}
}

// TestRestoreWatch checks that RESTORE touches a watched key when it
// changes it, and not when it fails: EXEC fails exactly when it fails on
// redis-server.
func TestRestoreWatch(t *testing.T) {
	hello := dumpOf(t, rdb.Entry{Value: []byte("hello")})
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for _, tc := range []struct {
		setup  string
		change []string
	}{
		{"", []string{"RESTORE", "k", "0", hello}},
		{"SET k v", []string{"RESTORE", "k", "0", hello}},
		{"SET k v", []string{"RESTORE", "k", "0", hello, "REPLACE"}},
		{"SET k v", []string{"RESTORE", "k", "1", hello, "REPLACE", "ABSTTL"}},
		{"", []string{"RESTORE", "k", "1", hello, "ABSTTL"}},
		{"", []string{"RESTORE", "k", "0", "bad"}},
		{"SET k v", []string{"DUMP", "k"}},
	} {
		results := [2]string{}
		for i, addr := range []string{redis.Addr, ours} {
			results[i] = execAfterChange(t, addr, tc.setup, []string{"k"}, tc.change)
		}
		if results[0] != results[1] {
			t.Errorf("WATCH k; %s; %.30q: EXEC on redis %q, ours %q", tc.setup, tc.change, results[0], results[1])
		}
	}
}

// TestRestoreWakesBLPOP checks that a list RESTOREd onto the key a BLPOP
// waits for serves it, on both servers alike, and that a string does not.
func TestRestoreWakesBLPOP(t *testing.T) {
	lst := dumpOf(t, rdb.Entry{Type: rdb.TypeList, Elems: [][]byte{[]byte("a"), []byte("b")}})
	hello := dumpOf(t, rdb.Entry{Value: []byte("hello")})
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for _, addr := range []string{redis.Addr, ours} {
		a, b := dialRaw(t, addr), dialRaw(t, addr)
		b.do("FLUSHALL")
		a.Send("BLPOP", "q", "5")
		waitBlocked(t, b, 1)
		if r := b.do("RESTORE", "s", "0", hello); r != "+OK\r\n" {
			t.Fatalf("RESTORE s: %q", r)
		}
		if r := a.readReplyWithin(100 * time.Millisecond); r != "(nothing)" {
			t.Fatalf("BLPOP q answered %q after a RESTORE of another key", r)
		}
		if r := b.do("RESTORE", "q", "0", lst); r != "+OK\r\n" {
			t.Fatalf("RESTORE q: %q", r)
		}
		if r, want := a.readReplyWithin(2*time.Second), "*2\r\n$1\r\nq\r\n$1\r\na\r\n"; r != want {
			t.Fatalf("%s: BLPOP after RESTORE replied %q, want %q", addr, r, want)
		}
		if r := b.do("LRANGE", "q", "0", "-1"); r != "*1\r\n$1\r\nb\r\n" {
			t.Fatalf("%s: the list after BLPOP: %q", addr, r)
		}
	}
}

// FuzzRestore gives RESTORE arbitrary values, framed with a correct
// footer, on a live server: it must reply OK or Redis's "Bad data format",
// never crash or stop answering, and a value it took must DUMP back to a
// payload it takes again as the same value.
func FuzzRestore(f *testing.F) {
	for _, e := range []rdb.Entry{
		{Value: []byte("hello")}, {Value: []byte("-70000")}, {Value: bytes.Repeat([]byte("ab"), 40)},
		{Type: rdb.TypeList, Elems: [][]byte{[]byte("a"), []byte("1")}},
		{Type: rdb.TypeHash, Encoding: rdb.EncodingListpack, Pairs: []rdb.HashPair{{Field: []byte("f"), Value: []byte("v")}}},
		{Type: rdb.TypeHash, Encoding: rdb.EncodingHashtable, Pairs: []rdb.HashPair{{Field: []byte("f"), Value: []byte("v")}}},
		{Type: rdb.TypeSet, Encoding: rdb.EncodingIntset, Elems: [][]byte{[]byte("1"), []byte("-5")}},
		{Type: rdb.TypeSet, Encoding: rdb.EncodingHashtable, Elems: [][]byte{[]byte("a")}},
	} {
		p := dumpOf(f, e)
		f.Add([]byte(p[:len(p)-10]))
	}
	f.Add([]byte{2, 2, 1, 'a', 1, 'a'})
	addr := startFuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		c := dialRaw(t, addr)
		reply := c.do("RESTORE", "k", "0", payloadOf(body, 10), "REPLACE")
		switch reply {
		case "+OK\r\n":
			p := c.Do("DUMP", "k").Str
			before := describeKey(c, "k", true)
			if r := c.do("RESTORE", "k", "0", string(p), "REPLACE"); r != "+OK\r\n" {
				t.Fatalf("RESTORE of our own DUMP: %q", r)
			}
			if after := describeKey(c, "k", true); after != before {
				t.Fatalf("DUMP and RESTORE changed the value:\n %s\n %s", before, after)
			}
		case "-" + errBadDataFormat + "\r\n":
		default:
			t.Fatalf("RESTORE replied %q", reply)
		}
		if r := c.do("PING"); r != "+PONG\r\n" {
			t.Fatalf("PING after RESTORE: %q", r)
		}
	})
}

// TestDumpCommandsAreCovered keeps the scripts honest: every command of
// the family appears in one.
func TestDumpCommandsAreCovered(t *testing.T) {
	checkScriptsCover(t, restoreScripts(t), stepWords, dumpCommands())
}
