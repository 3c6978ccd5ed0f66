package server

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/hll"
	"github.com/mini-redis/mini-redis/internal/redistest"
)

// Differential tests of the HyperLogLog commands against redis-server.
// The scripts run as the collection scripts do (RESP2 and RESP3, replies,
// keyspace lookups and dirty counts compared after every step); most of
// them GET the value after the commands that change it, so that the bytes
// of the representation are compared too, cached cardinality included.

// pfadd returns PFADD key with the elements prefix+from .. prefix+to.
func pfadd(key string, from, to int, prefix string) step {
	args := []string{"PFADD", key}
	for i := from; i <= to; i++ {
		args = append(args, prefix+strconv.Itoa(i))
	}
	return step{exact, args}
}

// hllValue returns a HyperLogLog string built by hand: the header with
// encoding enc (the cached cardinality valid and zero unless stale) and
// then body, for the values Redis accepts but that no command makes.
func hllValue(enc byte, stale bool, body ...byte) string {
	h := []byte("HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	h[4] = enc
	if stale {
		h[15] = 0x80
	}
	return string(append(h, body...))
}

// denseValue returns a dense HyperLogLog whose registers are all zero but
// those in regs, set to their values.
func denseValue(regs map[int]uint8) string {
	b := []byte(hllValue(0, true, make([]byte, hll.DenseSize-hll.HeaderSize)...))
	for i, v := range regs {
		bit := i * 6
		w := uint16(byteAtOr0(b, hll.HeaderSize+bit/8)) | uint16(byteAtOr0(b, hll.HeaderSize+bit/8+1))<<8
		w |= uint16(v) << (bit % 8)
		b[hll.HeaderSize+bit/8] = byte(w)
		if hll.HeaderSize+bit/8+1 < len(b) {
			b[hll.HeaderSize+bit/8+1] = byte(w >> 8)
		}
	}
	return string(b)
}

func byteAtOr0(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}

// elementWithHash returns the 8-byte element whose MurmurHash64A is h,
// by running the hash backwards: every step of it (multiplying by an odd
// constant, xoring a word with itself shifted right by 47) can be undone.
func elementWithHash(h uint64) string {
	m := uint64(0xc6a4a7935bd1e995)
	mInv := m // Newton's iteration for the inverse modulo 2^64
	for range 6 {
		mInv *= 2 - m*mInv
	}
	unshift := func(x uint64) uint64 { return x ^ x>>47 } // its own inverse, as 47 >= 32
	h = unshift(h) * mInv                                 // undo the finalizer's last two steps
	h = unshift(h) * mInv                                 // and its first, then the word's multiply
	h ^= hll.Seed ^ 8*m                                   // less the initial state: the mixed word
	k := unshift(h*mInv) * mInv                           // unmixed
	return string(binary.LittleEndian.AppendUint64(nil, k))
}

// Elements whose hashes offer their register more than a sparse VAL
// opcode holds: 33 to register 6447, and the most a hash can, q+1 = 51,
// to register 100. Adding one turns a sparse HyperLogLog dense.
var (
	bigRegisterElement = elementWithHash(6447 | 1<<(hll.P+32))
	maxRegisterElement = elementWithHash(100)
)

var hllDiffScripts = map[string][]step{
	"pfadd pfcount get": {
		s("PFADD h"), s("GET h"), s("PFADD h"), s("OBJECT ENCODING h"), s("PFCOUNT h"), s("GET h"),
		s("PFADD h a b c"), s("GET h"), s("PFCOUNT h"), s("GET h"), s("PFCOUNT h"), s("PFADD h a"), s("GET h"),
		s("PFADD h a b c d"), s("GET h"), s("PFDEBUG DECODE h"), s("PFDEBUG ENCODING h"), s("TYPE h"), s("STRLEN h"),
		s("OBJECT ENCODING h"), s("PFCOUNT missing"), s("EXISTS missing"), s("PFADD"), s("PFCOUNT"),
		q("PFADD", "bin", "\x00", "", "a b", "\r\n"), s("GET bin"), s("PFCOUNT bin"), s("GET bin"),
		q("PFADD", "bin", ""), s("PFADD new"), s("PFCOUNT new"), s("GET new"),
		s("SET str v"), s("PFADD str a"), s("PFCOUNT str"), s("PFCOUNT h str"), s("PFCOUNT str h"), s("PFADD str"),
		s("LPUSH l a"), s("PFADD l a"), s("PFADD l"), s("PFCOUNT l"), s("PFCOUNT h l"), s("PFCOUNT missing l"),
		s("SET num 12345"), s("PFADD num a"), s("SET hyll HYLL"), s("PFADD hyll a"), s("PFCOUNT hyll"),
		s("EXPIRE h 100"), s("PFADD h zz"), s("TTL h"), s("PFCOUNT h"), s("TTL h"), s("GET h"),
		s("pfadd lower x"), s("pfCount lower"), s("PFCOUNT h h"), s("PFCOUNT h missing bin"),
	},
	"sparse to dense at hll-sparse-max-bytes": {
		pfadd("p", 1, 200, "e"), s("PFDEBUG ENCODING p"), s("STRLEN p"), s("GET p"), s("PFCOUNT p"), s("GET p"),
		pfadd("p", 201, 600, "e"), s("PFDEBUG ENCODING p"), s("STRLEN p"), s("GET p"), s("PFDEBUG DECODE p"),
		pfadd("p", 601, 1000, "e"), s("PFDEBUG ENCODING p"), s("STRLEN p"), s("GET p"), s("PFCOUNT p"),
		pfadd("p", 1001, 1500, "e"), s("PFDEBUG ENCODING p"), s("STRLEN p"), s("GET p"), s("PFCOUNT p"),
		pfadd("p", 1501, 3000, "e"), s("PFDEBUG ENCODING p"), s("STRLEN p"), s("GET p"), s("PFCOUNT p"), s("GET p"),
		pfadd("p", 1, 3000, "e"), s("PFADD p e1"), s("GET p"), pfadd("p", 3001, 3100, "e"), s("PFCOUNT p"),
		s("GET p"), s("PFADD one x"), s("PFDEBUG GETREG one"), s("PFDEBUG ENCODING one"), s("GET one"),
	},
	"sparse to dense by a large register": {
		s("PFADD r a b c"), s("PFDEBUG ENCODING r"), q("PFADD", "r", bigRegisterElement), s("PFDEBUG ENCODING r"),
		s("GET r"), s("PFCOUNT r"), q("PFADD", "r", bigRegisterElement), s("PFDEBUG GETREG r"),
		q("PFADD", "r2", bigRegisterElement, "a"), s("PFDEBUG ENCODING r2"), s("GET r2"), s("PFCOUNT r2"),
		pfadd("r3", 1, 100, "e"), q("PFADD", "r3", "x", maxRegisterElement, "y"), s("PFDEBUG ENCODING r3"), s("GET r3"),
		s("PFCOUNT r3"), q("PFADD", "r4", maxRegisterElement), s("PFCOUNT r4"), s("GET r4"), s("PFDEBUG GETREG r4"),
		s("PFCOUNT r4 r3"), s("PFMERGE r5 r4 r2"), s("GET r5"), s("PFCOUNT r5"),
	},
	"hll-sparse-max-bytes": {
		s("CONFIG GET hll-sparse-max-bytes"), s("CONFIG SET hll-sparse-max-bytes 30"),
		s("CONFIG GET hll-sparse-max-bytes"), s("PFADD c a"), s("PFADD c b c"), s("STRLEN c"), s("PFADD c d e f"),
		s("PFDEBUG ENCODING c"), s("GET c"), s("CONFIG SET hll-sparse-max-bytes 0"), s("PFADD z"),
		s("PFADD z a"), s("PFDEBUG ENCODING z"), s("GET z"), s("PFADD z2"), s("PFMERGE z2 z"), s("PFDEBUG ENCODING z2"),
		s("CONFIG SET hll-sparse-max-bytes 1kb"), s("CONFIG GET hll-sparse-max-bytes"), pfadd("k", 1, 400, ""),
		s("PFDEBUG ENCODING k"), s("STRLEN k"), s("GET k"),
		s("CONFIG SET hll-sparse-max-bytes -1"), s("CONFIG SET hll-sparse-max-bytes abc"),
		s("CONFIG SET hll-sparse-max-bytes 1.5"), s("CONFIG SET hll-sparse-max-bytes 9223372036854775807"),
		s("CONFIG GET hll-sparse-max-bytes"), s("CONFIG SET hll-sparse-max-bytes 9223372036854775808"),
		q("CONFIG", "SET", "hll-sparse-max-bytes", ""), s("CONFIG GET hll-sparse-max-bytes"),
		pfadd("big", 1, 3000, "x"), s("PFDEBUG ENCODING big"), s("STRLEN big"), s("GET big"),
		s("CONFIG SET hll-sparse-max-bytes 3000"), s("CONFIG GET hll*"),
	},
	"pfmerge": {
		pfadd("a", 1, 50, "a"), pfadd("b", 30, 80, "a"), s("PFMERGE m a b"), s("GET m"), s("PFDEBUG ENCODING m"),
		s("PFCOUNT m"), s("GET m"), s("PFCOUNT a b"), s("PFCOUNT a b missing"), s("GET a"), s("GET b"),
		s("PFMERGE m"), s("GET m"), s("PFMERGE only"), s("GET only"), s("PFMERGE gone missing1 missing2"),
		s("GET gone"), s("PFMERGE a a"), s("GET a"),
		pfadd("d", 1, 3000, "d"), s("PFDEBUG ENCODING d"), s("PFMERGE md a d"), s("PFDEBUG ENCODING md"),
		s("GET md"), s("PFCOUNT md"), s("PFCOUNT a d"), s("PFCOUNT d a b"), s("PFMERGE b d"), s("PFDEBUG ENCODING b"),
		s("GET b"), s("PFMERGE a"), s("PFDEBUG ENCODING a"), pfadd("s2", 1, 300, "s"), s("PFMERGE s2 a"),
		s("PFDEBUG ENCODING s2"), s("GET s2"), s("PFCOUNT s2"),
		s("SET str v"), s("PFMERGE str a"), s("PFMERGE a str"), s("PFMERGE x a str"), s("EXISTS x"),
		s("LPUSH l v"), s("PFMERGE l a"), s("PFMERGE a missing l"), s("PFMERGE"),
		s("PFADD e a"), s("EXPIRE e 100"), s("PFMERGE e b"), s("TTL e"), s("PFCOUNT e"),
		pfadd("t1", 1, 120, "t"), s("CONFIG SET hll-sparse-max-bytes 200"), pfadd("t2", 100, 130, "t"),
		s("PFMERGE t2 t1"), s("PFDEBUG ENCODING t2"), s("GET t2"), s("CONFIG SET hll-sparse-max-bytes 3000"),
		q("PFADD", "big", bigRegisterElement), s("PFMERGE big2 a big"), s("PFDEBUG ENCODING big2"), s("GET big2"),
	},
	"pfdebug": {
		s("PFDEBUG GETREG missing"), s("PFDEBUG ENCODING missing"), s("PFDEBUG BOGUS missing"), s("SET str v"),
		s("PFDEBUG GETREG str"), s("PFDEBUG BOGUS str"), s("LPUSH l a"), s("PFDEBUG ENCODING l"),
		s("PFADD h a b"), s("PFDEBUG BOGUS h"), q("PFDEBUG", "a\r\nb", "h"), s("PFDEBUG ENCODING h"),
		s("PFDEBUG DECODE h"), s("PFDEBUG decode h"), s("PFDEBUG TODENSE h"), s("PFDEBUG ENCODING h"),
		s("PFDEBUG TODENSE h"), s("PFDEBUG DECODE h"), s("GET h"), s("PFCOUNT h"), s("GET h"),
		s("PFADD g x y z"), s("PFCOUNT g"), s("PFDEBUG GETREG g"), s("PFDEBUG encoding g"), s("GET g"),
		s("PFDEBUG GETREG g"), s("PFDEBUG"), s("PFDEBUG GETREG"), s("PFDEBUG GETREG g extra"),
		s("PFADD empty"), s("PFDEBUG DECODE empty"), q("SET", "nothing", hllValue(1, false)),
		s("PFDEBUG DECODE nothing"), s("PFCOUNT nothing"), s("PFDEBUG GETREG nothing"), s("PFDEBUG TODENSE nothing"),
		s("PFSELFTEST"), s("PFSELFTEST x"),
	},
	"not a hyperloglog": {
		q("SET", "short", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), s("PFADD short a"),
		q("SET", "magic", hllValue(1, false, 0x7f, 0xff)[1:]+"x"), s("PFCOUNT magic"),
		q("SET", "enc2", hllValue(2, false, 0x7f, 0xff)), s("PFCOUNT enc2"), s("PFDEBUG ENCODING enc2"),
		q("SET", "enc255", hllValue(255, false, 0x7f, 0xff)), s("PFMERGE enc255"),
		q("SET", "dense-short", hllValue(0, false, 0x7f, 0xff)), s("PFCOUNT dense-short"), s("PFADD dense-short a"),
		q("SET", "dense-long", denseValue(nil)+"x"), s("PFCOUNT dense-long"), s("PFCOUNT dense-long dense-short"),
		q("SET", "lower", "hyll"+hllValue(1, false, 0x7f, 0xff)[4:]), s("PFCOUNT lower"),
	},
	"corrupt hyperloglogs": {
		// Sparse values that cover too few registers, or too many.
		q("SET", "few", hllValue(1, true, 0x40, 0x63)), s("PFCOUNT few"), s("PFADD few a"), s("GET few"),
		s("PFCOUNT few h"), s("PFMERGE m few"), s("EXISTS m"), s("PFMERGE few"), s("PFDEBUG GETREG few"),
		s("PFDEBUG TODENSE few"), s("PFDEBUG DECODE few"), s("PFDEBUG ENCODING few"), s("GET few"),
		q("SET", "many", hllValue(1, true, 0x7f, 0xff, 0x00)), s("PFCOUNT many"), s("PFADD many a b c"),
		s("GET many"), s("PFCOUNT many"), s("PFMERGE many"), s("PFDEBUG DECODE many"),
		q("SET", "manyval", hllValue(1, true, 0x7f, 0xff, 0x80)), s("PFCOUNT manyval"), s("PFMERGE x manyval"),
		// A valid cached cardinality is returned without looking.
		q("SET", "cached", hllValue(1, false, 0x40, 0x00)), s("PFCOUNT cached"), s("PFCOUNT cached cached"),
		// An empty sparse body covers no register.
		q("SET", "none", hllValue(1, true)), s("PFCOUNT none"), s("PFADD none a"), s("PFADD none"), s("GET none"),
		// An XZERO cut short by the end reads the terminator, as in Redis.
		q("SET", "cut", hllValue(1, true, 0x40, 0xfe, 0x7f)), s("PFCOUNT cut"), s("GET cut"),
		s("PFDEBUG DECODE cut"), s("PFADD cut a b c"), s("GET cut"), s("PFCOUNT cut"), s("PFDEBUG DECODE cut"),
		// Some of the elements fit the registers the value covers: those
		// change it, then the command fails.
		q("SET", "part", hllValue(1, true, 0x7f, 0x00)), s("PFADD part a b c d e f g h"), s("GET part"),
		s("PFDEBUG DECODE part"),
		// Dense registers above what a hash offers.
		q("SET", "high", denseValue(map[int]uint8{0: 63, 1: 52, 2: 51, 16383: 60, 100: 33})), s("PFCOUNT high"),
		s("GET high"), s("PFCOUNT high high"), s("PFADD sp a"), s("PFMERGE sp high"), s("GET sp"), s("PFCOUNT sp"),
		s("PFDEBUG GETREG high"),
		// Opcodes a command would merge, and reserved header bytes.
		q("SET", "odd", "HYLL\x01abc\x00\x00\x00\x00\x00\x00\x00\x80\x80\x80\x7f\xfd"), s("PFCOUNT odd"),
		s("GET odd"), s("PFADD odd a b c"), s("GET odd"), s("PFDEBUG TODENSE odd"), s("GET odd"), s("PFADD odd d"),
		s("GET odd"),
	},
	"embstr and raw": {
		q("SET", "e", hllValue(1, false, 0x7f, 0xff)), s("OBJECT ENCODING e"), s("PFCOUNT e"), s("OBJECT ENCODING e"),
		q("SET", "e2", hllValue(1, false, 0x7f, 0xff)), s("PFADD e2"), s("OBJECT ENCODING e2"), s("GET e2"),
		q("SET", "e3", hllValue(1, false, 0x7f, 0xff)), s("PFCOUNT e3 e3"), s("OBJECT ENCODING e3"),
		q("SET", "e4", hllValue(1, false, 0x7f, 0xff)), s("PFMERGE x e4"), s("OBJECT ENCODING e4"),
		s("PFMERGE e4"), s("OBJECT ENCODING e4"),
		q("SET", "e5", hllValue(1, false, 0x7f, 0xff)), s("PFDEBUG ENCODING e5"), s("OBJECT ENCODING e5"),
		q("SET", "e6", hllValue(1, true, 0x7f, 0xff)), s("PFCOUNT e6"), s("OBJECT ENCODING e6"), s("GET e6"),
		q("SET", "e7", hllValue(1, false, 0x7f, 0xff)), s("PFADD e7 a"), s("OBJECT ENCODING e7"), s("GET e7"),
		q("SET", "res", hllValue(1, true, 0x7f, 0xff)), q("SETRANGE", "res", "5", "abc"), s("PFADD res a"),
		s("GET res"), s("PFDEBUG TODENSE res"), s("GET res"),
	},
	"hll in transactions": {
		s("MULTI"), s("PFADD t a b"), s("PFCOUNT t"), s("PFMERGE u t"), s("PFCOUNT t u"), s("PFDEBUG ENCODING u"),
		s("EXEC"), s("GET t"), s("GET u"), s("MULTI"), s("PFADD t"), s("PFADD"), s("EXEC"),
	},
}

func TestHLLDifferential(t *testing.T) {
	runCollectionScripts(t, hllDiffScripts)
}

// TestHLLBigRegisterElement checks the elements the scripts use to
// promote a sparse HyperLogLog by its register value.
func TestHLLBigRegisterElement(t *testing.T) {
	tests := []struct {
		element      string
		index, count int
	}{
		{bigRegisterElement, 6447, 33},
		{maxRegisterElement, 100, 51},
	}
	for _, tt := range tests {
		if index, count := hll.Hash([]byte(tt.element)); index != tt.index || int(count) != tt.count {
			t.Errorf("%q offers register %d %d, want register %d %d", tt.element, index, count, tt.index, tt.count)
		}
	}
}

// The HyperLogLog commands' keyspace events and WATCH signals, in
// TestDifferentialConnections: PFADD and PFMERGE publish "pfadd" in the
// string class; PFCOUNT publishes nothing but, when it caches a count,
// touches the key; PFDEBUG's conversions do neither.
func init() {
	connScripts["hll events"] = []mstep{
		on(1, "CONFIG SET notify-keyspace-events KEA"), on(0, "PSUBSCRIBE __key*__:*"),
		on(1, "PFADD h a"), recv(0), recv(0), on(1, "PFADD h a"), on(1, "PFADD h"), on(1, "PFADD n"), recv(0), recv(0),
		on(1, "PFCOUNT h"), on(1, "PFMERGE m h"), recv(0), recv(0), on(1, "PFMERGE h"), recv(0), recv(0),
		on(1, "PFDEBUG TODENSE h"), on(1, "PFDEBUG GETREG m"), on(1, "SET s v"), recv(0), recv(0),
		on(1, "PFADD s a"), on(1, "PFMERGE s h"), on(1, "DEL s"), recv(0), recv(0),
		on(1, "CONFIG SET notify-keyspace-events K$"), on(1, "PFADD h b"), recv(0), on(1, "PFMERGE m h"), recv(0),
		on(1, "CONFIG SET notify-keyspace-events Kl"), on(1, "PFADD h c"), on(1, "DEL h"), on(1, "PFADD h c"),
		onQ(1, "CONFIG", "SET", "notify-keyspace-events", ""),
	}
	connScripts["hll keymiss events"] = []mstep{
		on(1, "CONFIG SET notify-keyspace-events Em"), on(0, "SUBSCRIBE __keyevent@0__:keymiss"),
		on(1, "PFCOUNT m1"), recv(0), on(1, "PFCOUNT m2 m3"), recv(0), recv(0), on(1, "PFMERGE m4 m5"), recv(0),
		recv(0), on(1, "PFADD m6 a"), on(1, "PFDEBUG ENCODING m7"), on(1, "PFCOUNT last"), recv(0),
		onQ(1, "CONFIG", "SET", "notify-keyspace-events", ""),
	}
	// CLIENT PAUSE WRITE holds PFCOUNT too, of one key or several, which
	// may write the cached count (may-replicate), but not the other reads.
	blockingScripts["hll client pause write"] = []bstep{
		bdo(1, "PFADD h a"), bdo(1, "CLIENT PAUSE 100000 WRITE"), bsend(0, "PFCOUNT h"), bblocked(1),
		bdo(2, "GET h"), bdo(2, "STRLEN h"), bnone(0), bdo(1, "CLIENT UNPAUSE"), brecv(0), bblocked(0),
		bdo(1, "CLIENT PAUSE 100000 WRITE"), bsend(0, "PFADD h2 b"), bsend(2, "PFCOUNT h h"), bblocked(2), bnone(0),
		bnone(2), bdo(1, "CLIENT UNPAUSE"), brecv(0), brecv(2), bblocked(0),
	}
	connScripts["hll watch"] = []mstep{
		on(0, "PFADD w a"), on(0, "WATCH w"), on(1, "PFADD w a"), on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "PFADD w b"), on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "PFCOUNT w"), on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "PFCOUNT w"), on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "PFCOUNT w w"), on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "PFDEBUG TODENSE w"), on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
		on(0, "WATCH w"), on(1, "PFMERGE w"), on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
		on(0, "WATCH w2"), on(1, "PFMERGE w2 missing"), on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
		on(0, "WATCH w3"), on(1, "PFADD w3"), on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
	}
}

// bulkOf returns the bytes of a bulk string reply.
func bulkOf(t *testing.T, reply string) string {
	t.Helper()
	f, _, err := frame.Parse([]byte(reply))
	if err != nil || f.Type != frame.BulkString || f.Nil {
		t.Fatalf("not a bulk string: %q", reply)
	}
	return string(f.Str)
}

// TestHLLCopyBetweenServers copies HyperLogLogs built on one server to the
// other with GET and SET, both ways, sparse and dense: each must count
// the same there, and go on changing the same way.
func TestHLLCopyBetweenServers(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	ref, got := dialRaw(t, redis.Addr), dialRaw(t, ours)
	for _, c := range []*rawConn{ref, got} {
		c.do("FLUSHALL")
	}
	for _, n := range []int{0, 1, 10, 300, 2000, 20000} {
		for dir, pair := range [][2]*rawConn{{ref, got}, {got, ref}} {
			from, to := pair[0], pair[1]
			key := fmt.Sprintf("k%d-%d", n, dir)
			args := []string{"PFADD", key}
			for i := range n {
				args = append(args, "x"+strconv.Itoa(i))
			}
			from.do(args...)
			value := bulkOf(t, from.do("GET", key))
			if reply := to.do("SET", key, value); reply != "+OK\r\n" {
				t.Fatalf("SET: %q", reply)
			}
			for _, cmd := range [][]string{
				{"PFDEBUG", "ENCODING", key}, {"PFCOUNT", key}, {"GET", key}, {"PFADD", key, "y1", "y2", "y3"},
				{"GET", key}, {"PFCOUNT", key, "missing"}, {"PFCOUNT", key}, {"GET", key},
			} {
				if want, have := from.do(cmd...), to.do(cmd...); want != have {
					t.Errorf("%d elements, copied %d: %q: %q at the source, %q at the copy", n, dir, cmd, want, have)
				}
			}
		}
	}
}

// TestHLLLargeRandomAgainstRedis adds 100,000 random elements to a
// HyperLogLog on both servers, in batches: every PFADD reply, and at
// checkpoints PFCOUNT and the bytes of the value, must be the same, which
// they are only if the hash, the registers and the estimator all are.
// Several HyperLogLogs of random sizes are then counted together and
// merged.
func TestHLLLargeRandomAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	ref, got := dialRaw(t, redis.Addr), dialRaw(t, ours)
	for _, c := range []*rawConn{ref, got} {
		c.do("FLUSHALL")
	}
	same := func(args ...string) {
		t.Helper()
		if want, have := ref.do(args...), got.do(args...); want != have {
			name := strings.Join(args[:min(len(args), 3)], " ")
			t.Fatalf("%s (%d arguments):\n redis: %.200q\n   ours: %.200q", name, len(args), want, have)
		}
	}
	rng := rand.New(rand.NewPCG(7, 11))
	element := func() string {
		var b [12]byte
		binary.LittleEndian.PutUint64(b[:], rng.Uint64())
		return string(b[:rng.IntN(12)+1])
	}
	const total, batch = 100000, 1000
	for done := 0; done < total; done += batch {
		args := []string{"PFADD", "big"}
		for range batch {
			args = append(args, element())
		}
		same(args...)
		if done%10000 == 0 || done+batch == total {
			same("PFCOUNT", "big")
			same("GET", "big")
		}
	}
	keys := []string{"big"}
	for i := range 8 {
		key := "r" + strconv.Itoa(i)
		keys = append(keys, key)
		n := []int{1, 5, 50, 200, 800, 1500, 5000, 30000}[i]
		for left := n; left > 0; left -= batch {
			args := []string{"PFADD", key}
			for range min(left, batch) {
				args = append(args, element())
			}
			same(args...)
		}
		same("GET", key)
		same(append([]string{"PFCOUNT"}, keys[1:]...)...)
		same(append([]string{"PFMERGE", "u" + key}, keys[1:]...)...)
		same("GET", "u"+key)
		same("PFCOUNT", "u"+key)
	}
	same(append([]string{"PFCOUNT"}, keys...)...)
	same(append([]string{"PFMERGE", "all"}, keys...)...)
	same("GET", "all")
	same("PFCOUNT", "all")
}

// randomSparse returns a sparse HyperLogLog of random opcodes, in no
// canonical form (short XZEROs, ZEROs side by side, VALs that could
// merge), with random reserved bytes and cached cardinality. Most cover
// exactly the 16384 registers; some cover a few more or fewer, or end in
// an XZERO cut short, which Redis reads with its terminator.
func randomSparse(rng *rand.Rand) string {
	b := []byte("HYLL\x01")
	for range 11 {
		b = append(b, byte(rng.IntN(256)))
	}
	if rng.IntN(4) > 0 {
		b[15] |= 0x80 // mostly stale, so that PFCOUNT computes
	}
	total := hll.NumRegisters
	if rng.IntN(5) == 0 {
		total += rng.IntN(11) - 5
	}
	for left := total; left > 0; {
		var n int
		switch k := rng.IntN(10); {
		case k < 4 || left <= 4:
			n = min(left, rng.IntN(4)+1)
			b = append(b, 0x80|byte(rng.IntN(32))<<2|byte(n-1))
		case k < 6:
			n = min(left, rng.IntN(64)+1)
			b = append(b, byte(n-1))
		default:
			n = min(left, rng.IntN(1+left/(rng.IntN(8)+1))+1)
			b = append(b, 0x40|byte((n-1)>>8), byte(n-1))
		}
		left -= n
	}
	if rng.IntN(20) == 0 && b[len(b)-2]&0xc0 == 0x40 {
		b = b[:len(b)-1] // an XZERO cut short
	}
	return string(b)
}

// TestHLLRandomSparseAgainstRedis sets random sparse values, valid and
// corrupt, on both servers, and changes, counts, merges and converts them
// there: every reply, and the bytes left after each command, must match.
func TestHLLRandomSparseAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	ref, got := dialRaw(t, redis.Addr), dialRaw(t, ours)
	for _, c := range []*rawConn{ref, got} {
		c.do("FLUSHALL")
	}
	rng := rand.New(rand.NewPCG(3, 5))
	for i := range 300 {
		limit := []string{"3000", "3000", "200", "60"}[rng.IntN(4)]
		value, other := randomSparse(rng), randomSparse(rng)
		var elements []string
		for range rng.IntN(30) {
			elements = append(elements, strconv.Itoa(rng.IntN(1000000)))
		}
		if rng.IntN(10) == 0 {
			elements = append(elements, bigRegisterElement)
		}
		for _, cmd := range [][]string{
			{"CONFIG", "SET", "hll-sparse-max-bytes", limit}, {"SET", "k", value}, {"SET", "o", other},
			{"PFCOUNT", "k"}, {"GET", "k"}, append([]string{"PFADD", "k"}, elements...), {"GET", "k"},
			{"PFCOUNT", "k"}, {"GET", "k"}, {"PFCOUNT", "k", "o"}, {"PFMERGE", "o", "k"}, {"GET", "o"},
			{"PFDEBUG", "DECODE", "k"}, {"PFDEBUG", "TODENSE", "k"}, {"GET", "k"}, {"PFCOUNT", "k"},
		} {
			if want, have := ref.do(cmd...), got.do(cmd...); want != have {
				t.Fatalf("case %d, value %q, other %q: %.40q:\n redis: %q\n   ours: %q", i, value, other, cmd, want, have)
			}
		}
	}
	for _, c := range []*rawConn{ref, got} {
		c.do("CONFIG", "SET", "hll-sparse-max-bytes", "3000")
	}
}

// TestHLLSurvivesSaveAndLoad saves sparse and dense HyperLogLogs, cached
// counts and stale ones, to an RDB file and loads them in a new server:
// the bytes, and so the counts, are the same.
func TestHLLSurvivesSaveAndLoad(t *testing.T) {
	dir := t.TempDir()
	srv, addr := startInDir(t, dir)
	c := dialRaw(t, addr)
	c.do("PFADD", "sparse", "a", "b", "c")
	c.do("PFCOUNT", "sparse")
	c.do("PFADD", "stale", "x")
	args := []string{"PFADD", "dense"}
	for i := range 5000 {
		args = append(args, strconv.Itoa(i))
	}
	c.do(args...)
	keys := []string{"sparse", "stale", "dense"}
	want := map[string]string{}
	for _, k := range keys {
		want[k] = c.do("GET", k)
	}
	if got := c.do("SAVE"); got != "+OK\r\n" {
		t.Fatalf("SAVE = %q", got)
	}
	counts := map[string]string{}
	for _, k := range keys {
		counts[k] = c.do("PFCOUNT", k) // after SAVE: the file keeps the stale one stale
	}
	srv.Shutdown(context.Background())

	_, addr2 := startInDir(t, dir)
	c2 := dialRaw(t, addr2)
	for _, k := range keys {
		if got := c2.do("GET", k); got != want[k] {
			t.Errorf("%s after reload: %.60q, want %.60q", k, got, want[k])
		}
		if got := c2.do("PFCOUNT", k); got != counts[k] || got[0] != ':' {
			t.Errorf("PFCOUNT %s after reload = %q, want %q", k, got, counts[k])
		}
	}
}
