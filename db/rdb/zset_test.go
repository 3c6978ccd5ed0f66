package rdb

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
	"github.com/mini-redis/mini-redis/internal/redistest/redisconn"
)

// Sorted sets, both ways: dumps redis-server 7.0.15 writes
// (testdata/zsets*.rdb) read here as the sets that filled it; Writer's
// files are Redis's byte for byte and load into Redis; the encodings of
// older versions (type 3, scores as text, and 12, ziplists) read here as
// Redis 7.0 reads them.

// zsetPair is a member and its score.
type zsetPair struct {
	member []byte
	score  float64
}

func comparePairs(a, b zsetPair) int {
	if c := cmp.Compare(a.score, b.score); c != 0 {
		return c
	}
	return bytes.Compare(a.member, b.member)
}

// zset returns a sorted set entry of members and scores, put in ascending
// order, as Writer takes them.
func zset(db int, key, enc string, expireAt int64, members [][]byte, scores []float64) Entry {
	ps := make([]zsetPair, len(members))
	for i := range ps {
		ps[i] = zsetPair{members[i], scores[i]}
	}
	slices.SortFunc(ps, comparePairs)
	e := Entry{DB: db, Key: []byte(key), Type: TypeZSet, Encoding: enc, ExpireAt: expireAt}
	for _, p := range ps {
		e.Elems = append(e.Elems, p.member)
		e.Scores = append(e.Scores, p.score)
	}
	return e
}

// zsetDiff compares two sorted sets as sets of pairs: Reader gives a
// skiplist's members in the file's order, from the highest score down.
func zsetDiff(got, want Entry) string {
	if len(got.Elems) != len(got.Scores) {
		return fmt.Sprintf("%d members but %d scores", len(got.Elems), len(got.Scores))
	}
	pairsOf := func(e Entry) []zsetPair {
		ps := make([]zsetPair, len(e.Elems))
		for i := range ps {
			ps[i] = zsetPair{e.Elems[i], e.Scores[i]}
		}
		return slices.SortedFunc(slices.Values(ps), comparePairs)
	}
	g, w := pairsOf(got), pairsOf(want)
	if len(g) != len(w) {
		return fmt.Sprintf("%d members, want %d", len(g), len(w))
	}
	for i := range w {
		if !bytes.Equal(g[i].member, w[i].member) || g[i].score != w[i].score {
			return fmt.Sprintf("member %d is %.40q (%v), want %.40q (%v)", i, g[i].member, g[i].score, w[i].member, w[i].score)
		}
	}
	return ""
}

// scoreArg formats a score for ZADD.
func scoreArg(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func floats(n int, f func(i int) float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

// edgeScores are scores of every form a listpack holds them in: small
// and large integers (up to 2^62, past which Redis writes text), "%.17g"
// text with and without an exponent, the infinities.
var edgeScores = []float64{
	1.1, 3, 0.1, 1e300, 1.5e-7, math.Inf(1), math.Inf(-1), 1 << 62, 1<<62 + 2048, -(1 << 62), -2.5,
	123456789.125, 0, -7, 1e17, 5e-324, 0.5, -1e-300, 1e21, 4095, 4096, -32769, 8388608, 2147483648,
}

// goldenZSets are the keys of the sorted set golden files: listpacks of
// every kind of score, integer members, sets at the limits between the
// encodings (128 members, 64-byte members), skiplists of compressible and
// incompressible members, equal scores, expiries, two databases.
func goldenZSets() []Entry {
	lp, sk := EncodingListpack, EncodingSkiplist
	letters := seq(len(edgeScores), func(i int) string { return "m" + strconv.Itoa(i) })
	return []Entry{
		zset(0, "zset:scores", lp, 0, letters, edgeScores),
		zset(0, "zset:integer members", lp, 0, strs(integerStrings...), floats(len(integerStrings), func(i int) float64 { return float64(i % 5) })),
		zset(0, "zset:equal scores", lp, 0, strs("b", "a", "c", "", "ab"), []float64{1, 1, 1, 1, 1}),
		zset(0, "zset:128", lp, 0, seq(128, func(i int) string { return "member:" + strconv.Itoa(i) }), floats(128, func(i int) float64 { return float64(i) / 3 })),
		zset(0, "zset:129", sk, 0, seq(129, func(i int) string { return "member:" + strconv.Itoa(i) }), floats(129, func(i int) float64 { return float64(i*7%13) / 4 })),
		zset(0, "zset:64-byte member", lp, 0, [][]byte{bytes.Repeat([]byte("m"), 64), []byte("x")}, []float64{2, 1}),
		zset(0, "zset:65-byte member", sk, 0, [][]byte{bytes.Repeat([]byte("m"), 65), []byte("x"), []byte("12")}, []float64{2, 1, math.Inf(-1)}),
		zset(0, "zset:skiplist scores", sk, 0, append(letters, bytes.Repeat([]byte("l"), 100)), append(slices.Clone(edgeScores), -0.25)),
		zset(0, "zset:expiring", lp, farFuture+500, strs("a", "b"), []float64{1, 2}),
		zset(1, "zset:compressible", sk, 0, seq(200, func(i int) string { return strings.Repeat("ab", 20) + strconv.Itoa(i) }), floats(200, func(i int) float64 { return float64(i) })),
		zset(1, "zset:random", sk, farFuture+501, [][]byte{pseudoRandom("zset", 100), pseudoRandom("zset 2", 5000), []byte("s")}, []float64{0.5, -0.5, 1e10}),
	}
}

var zsetVariants = []struct {
	file       string
	directives []string
}{
	{"zsets.rdb", nil},
	{"zsets-nocompression.rdb", []string{"rdbcompression", "no"}},
}

// TestRedisZSetsDump has redis-server 7 save the golden sorted sets and
// reads its dump, after checking that Redis holds them in the encodings
// the test expects.
func TestRedisZSetsDump(t *testing.T) {
	for _, v := range zsetVariants {
		t.Run(v.file, func(t *testing.T) {
			srv := redistest.Start(t, v.directives...)
			c := redisconn.Dial(t, srv.Addr)
			want := goldenZSets()
			fillCollections(c, want)
			sameKeys(t, redisEntries(t, c, 0, 1), want)
			data := saveRedisDump(t, srv, c)
			got, _ := loadAll(t, data)
			sameKeys(t, got, want)
			if *update {
				writeTestdata(t, v.file, data)
			}
		})
	}
}

// TestGoldenZSets reads the dumps redis-server wrote, without it.
func TestGoldenZSets(t *testing.T) {
	for _, v := range zsetVariants {
		t.Run(v.file, func(t *testing.T) {
			got, info := loadAll(t, readTestdata(t, v.file))
			sameKeys(t, got, goldenZSets())
			if info.Aux["redis-ver"] != "7.0.15" || info.Version != 10 {
				t.Errorf("redis-ver %q, version %d; want 7.0.15, 10", info.Aux["redis-ver"], info.Version)
			}
		})
	}
}

// TestWriterMatchesRedisZSets has redis-server and Writer save the same
// sorted sets, one a database, and compares the files byte for byte, with
// compression and without: listpacks, skiplists from the highest score
// down, binary scores, LZF.
func TestWriterMatchesRedisZSets(t *testing.T) {
	es := goldenZSets()
	for i := range es {
		es[i].DB = i
	}
	for _, opts := range []WriterOptions{{}, {NoCompression: true}} {
		t.Run(fmt.Sprintf("NoCompression=%v", opts.NoCompression), func(t *testing.T) {
			directives := []string{"databases", "64"}
			if opts.NoCompression {
				directives = append(directives, "rdbcompression", "no")
			}
			srv := redistest.Start(t, directives...)
			c := redisconn.Dial(t, srv.Addr)
			fillCollections(c, es)
			c.Do("SAVE")
			requireWriterMatches(t, srv, es, opts)
		})
	}
}

// TestRedisLoadsZSets writes sorted sets with Writer, has redis-check-rdb
// check the file and redis-server load it, sanitizing every payload, and
// compares what it holds: what Redis makes of them, a listpack with a
// long member kept a listpack (Redis checks only the count), a short
// skiplist made a listpack.
func TestRedisLoadsZSets(t *testing.T) {
	es := append(goldenZSets(),
		zset(2, "listpack with a long member", EncodingListpack, 0, [][]byte{bytes.Repeat([]byte("v"), 300)}, []float64{1}),
		zset(2, "short skiplist", EncodingSkiplist, 0, strs("a", "b"), []float64{2, 1}),
		zset(2, "big", EncodingSkiplist, 0, seq(20000, strconv.Itoa), floats(20000, func(i int) float64 { return float64(i%100) - 0.5 })),
	)
	loaded := slices.Clone(es)
	for i, e := range loaded {
		if string(e.Key) == "short skiplist" {
			loaded[i].Encoding = EncodingListpack
		}
	}
	for _, opts := range []WriterOptions{{}, {NoCompression: true}} {
		t.Run(fmt.Sprintf("NoCompression=%v", opts.NoCompression), func(t *testing.T) {
			opts.Time = time.Unix(1700000000, 0)
			data := writeAll(t, opts, es)
			checkWithRedisCheckRDB(t, data)
			srv := startRedisWithDump(t, data, "sanitize-dump-payload", "yes")
			sameKeys(t, redisEntries(t, redisconn.Dial(t, srv.Addr), 0, 1, 2), loaded)
			got, _ := loadAll(t, data)
			sameKeys(t, got, es)
		})
	}
}

// oldZSetRecords are sorted sets in the encodings Redis 7.0 reads but no
// longer writes, with what they hold and the encoding Redis 7.0 gives
// them.
func oldZSetRecords() []struct {
	record   rdbFile
	want     Entry
	redisEnc string
} {
	// Type 3: a score is a length byte and its text, or 253 (NaN), 254
	// (+inf) or 255 (-inf).
	v1 := func(key string, members []string, scores []string) rdbFile {
		f := rdbFile(nil).raw(typeZSet).str(key).raw(byte(len(members)))
		for i, m := range members {
			f = f.str(m)
			switch scores[i] {
			case "inf":
				f = f.raw(254)
			case "-inf":
				f = f.raw(255)
			default:
				f = f.raw(byte(len(scores[i]))).raw([]byte(scores[i])...)
			}
		}
		return f
	}
	var zl129 [][]byte
	for i := range 129 {
		zl129 = append(zl129, zlString("m"+strconv.Itoa(i)), zlInt(int64(i%10), "imm"))
	}
	return []struct {
		record   rdbFile
		want     Entry
		redisEnc string
	}{
		{v1("v1 small", []string{"a", "b", "c", "d"}, []string{"1.5", "inf", "-inf", "-3"}),
			zset(0, "v1 small", EncodingSkiplist, 0, strs("a", "b", "c", "d"), []float64{1.5, math.Inf(1), math.Inf(-1), -3}), EncodingListpack},
		{v1("v1 long member", []string{strings.Repeat("x", 65), "y"}, []string{"0.10000000000000001", "2"}),
			zset(0, "v1 long member", EncodingSkiplist, 0, strs(strings.Repeat("x", 65), "y"), []float64{0.1, 2}), EncodingSkiplist},
		{rdbFile(nil).raw(typeZSetZiplist).str("ziplist").blob(buildZiplist(
			zlString("a"), zlString("2.5"), zlString("b"), zlInt(-100, "8"), zlString("c"), zlInt(70000, "24"))),
			zset(0, "ziplist", EncodingZiplist, 0, strs("b", "a", "c"), []float64{-100, 2.5, 70000}), EncodingListpack},
		{rdbFile(nil).raw(typeZSetZiplist).str("ziplist 129").blob(buildZiplist(zl129...)),
			zset(0, "ziplist 129", EncodingZiplist, 0, seq(129, func(i int) string { return "m" + strconv.Itoa(i) }),
				floats(129, func(i int) float64 { return float64(i % 10) })), EncodingSkiplist},
	}
}

func oldZSetsFile() []byte {
	f := newFile(9).raw(opSelectDB, 0)
	for _, c := range oldZSetRecords() {
		f = append(f, c.record...)
	}
	return f.end()
}

// TestOldZSetEncodings reads the hand-built records, and has redis-server
// 7.0 load them (sanitizing every payload) into the same sets, in the
// encodings the records say.
func TestOldZSetEncodings(t *testing.T) {
	var want, redis []Entry
	for _, c := range oldZSetRecords() {
		want = append(want, c.want)
		w := c.want
		w.Encoding = c.redisEnc
		redis = append(redis, w)
	}
	got, _ := loadAll(t, oldZSetsFile())
	sameKeys(t, got, want)
	checkWithRedisCheckRDB(t, oldZSetsFile())
	srv := startRedisWithDump(t, oldZSetsFile(), "sanitize-dump-payload", "yes")
	sameKeys(t, redisEntries(t, redisconn.Dial(t, srv.Addr), 0), redis)
}

// TestZSetErrors: what Redis refuses, or no Redis writes, is corrupt.
func TestZSetErrors(t *testing.T) {
	nan := binary.LittleEndian.AppendUint64(nil, math.Float64bits(math.NaN()))
	for _, tc := range []struct {
		name   string
		record rdbFile
	}{
		{"NaN binary score", rdbFile(nil).raw(typeZSet2).str("z").raw(1).str("a").raw(nan...)},
		{"NaN text score", rdbFile(nil).raw(typeZSet).str("z").raw(1).str("a").raw(253)},
		{"text score not a number", rdbFile(nil).raw(typeZSet).str("z").raw(1).str("a").raw(3).raw([]byte("abc")...)},
		{"listpack score not a number", rdbFile(nil).raw(typeZSetListpack).str("z").blob(lpOf("a", "1x"))},
		{"listpack NaN score", rdbFile(nil).raw(typeZSetListpack).str("z").blob(lpOf("a", "nan"))},
		{"listpack without a last score", rdbFile(nil).raw(typeZSetListpack).str("z").blob(lpOf("a", "1", "b"))},
		{"ziplist score not a number", rdbFile(nil).raw(typeZSetZiplist).str("z").blob(buildZiplist(zlString("a"), zlString("")))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(bytes.NewReader(append(newFile(10), tc.record...).end()), func(Entry) error { return nil })
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Load = %v, want an error wrapping ErrCorrupt", err)
			}
		})
	}
	// Empty sets are skipped, as Redis skips them.
	_, info := loadAll(t, newFile(10).raw(typeZSet2).str("z").raw(0).raw(typeZSetListpack).str("y").blob(lpOf()).end())
	if info.EmptyKeys != 2 || info.Keys != 0 {
		t.Errorf("Info = %+v, want 2 empty keys skipped", info)
	}
}

func TestWriterZSetErrors(t *testing.T) {
	for _, e := range []Entry{
		{Key: []byte("k"), Type: TypeZSet, Elems: strs("a"), Scores: nil},
		{Key: []byte("k"), Type: TypeZSet, Elems: strs("a"), Scores: []float64{math.NaN()}},
	} {
		if err := NewWriter(&bytes.Buffer{}, WriterOptions{}).WriteEntry(e); err == nil {
			t.Errorf("WriteEntry(%+v) succeeded", e)
		}
	}
}

func TestAppendScore(t *testing.T) {
	for _, tc := range []struct {
		f    float64
		want string
	}{
		{3, "3"}, {-7, "-7"}, {math.Copysign(0, -1), "0"}, {1 << 62, "4611686018427387904"},
		{-(1 << 62), "-4611686018427387904"}, {1<<62 + 2048, "4.61168601842739e+18"}, {1.1, "1.1000000000000001"},
		{0.5, "0.5"}, {1.5e-7, "1.4999999999999999e-07"}, {1e21, "1e+21"}, {math.Inf(1), "inf"}, {math.Inf(-1), "-inf"},
	} {
		if got := string(appendScore(nil, tc.f)); got != tc.want {
			t.Errorf("appendScore(%v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}
