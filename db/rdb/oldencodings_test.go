package rdb

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/db/rdb/internal/lzf"
	"github.com/mini-redis/mini-redis/internal/redistest/redisconn"
)

// The encodings Redis 7.0 loads but no longer writes: ziplists (lists,
// hashes, quicklist nodes), zipmaps, linked lists. The blobs are built
// here from the format descriptions, by code that shares nothing with the
// parsers; redis-server 7.0 loading the files built from them is the
// check that the builders (and so the parsers' tests) have the formats
// right.

// zlString is a ziplist entry's encoding and data for a string.
func zlString(s string) []byte {
	var hdr []byte
	switch n := len(s); {
	case n <= 63:
		hdr = []byte{byte(n)} // 00pppppp
	case n <= 16383:
		hdr = []byte{0x40 | byte(n>>8), byte(n)} // 01pppppp qqqqqqqq, big-endian
	default:
		hdr = binary.BigEndian.AppendUint32([]byte{0x80}, uint32(n)) // 10000000 + 4 bytes big-endian
	}
	return append(hdr, s...)
}

// zlInt is a ziplist entry's encoding and data for an integer, in the
// encoding named: "imm" (0 to 12 in the encoding byte), "8", "16", "24",
// "32" or "64" bits.
func zlInt(v int64, enc string) []byte {
	le := func(n int) []byte { return binary.LittleEndian.AppendUint64(nil, uint64(v))[:n] }
	switch enc {
	case "imm":
		return []byte{0xf1 + byte(v)}
	case "8":
		return append([]byte{0xfe}, le(1)...)
	case "16":
		return append([]byte{0xc0}, le(2)...)
	case "24":
		return append([]byte{0xf0}, le(3)...)
	case "32":
		return append([]byte{0xd0}, le(4)...)
	case "64":
		return append([]byte{0xe0}, le(8)...)
	}
	panic(enc)
}

// buildZiplist lays out entries (encoding and data each) as a ziplist:
// the header, each entry after the size of the one before it, the end.
func buildZiplist(entries ...[]byte) []byte {
	var body []byte
	prev, tail := 0, 10
	for _, e := range entries {
		tail = 10 + len(body)
		start := len(body)
		if prev < 254 {
			body = append(body, byte(prev))
		} else {
			body = binary.LittleEndian.AppendUint32(append(body, 0xfe), uint32(prev))
		}
		body = append(body, e...)
		prev = len(body) - start
	}
	zl := binary.LittleEndian.AppendUint32(nil, uint32(10+len(body)+1))
	zl = binary.LittleEndian.AppendUint32(zl, uint32(tail))
	zl = binary.LittleEndian.AppendUint16(zl, uint16(min(len(entries), 65535)))
	return append(append(zl, body...), 0xff)
}

// buildZipmap lays out pairs as a zipmap, with free bytes after the
// values where free says.
func buildZipmap(free map[int]int, pairs ...string) []byte {
	zmLen := func(dst []byte, n int) []byte {
		if n < 254 {
			return append(dst, byte(n))
		}
		return binary.LittleEndian.AppendUint32(append(dst, 254), uint32(n))
	}
	zm := []byte{byte(min(len(pairs)/2, 254))}
	for i := 0; i < len(pairs); i += 2 {
		zm = append(zmLen(zm, len(pairs[i])), pairs[i]...)
		zm = zmLen(zm, len(pairs[i+1]))
		zm = append(zm, byte(free[i/2]))
		zm = append(zm, pairs[i+1]...)
		zm = append(zm, bytes.Repeat([]byte{'#'}, free[i/2])...)
	}
	return append(zm, 0xff)
}

// lzfStr appends b as an LZF-compressed RDB string.
func (f rdbFile) lzfStr(b []byte) rdbFile {
	var c lzf.Compressor
	out := make([]byte, len(b))
	n := c.Compress(out, b)
	if n == 0 {
		panic("incompressible")
	}
	f = appendLen(append(f, 0xc3), uint64(n))
	return append(appendLen(f, uint64(len(b))), out[:n]...)
}

func (f rdbFile) blob(b []byte) rdbFile { return f.str(string(b)) }

// oldCase is a key in an old encoding: the record, what Reader makes of
// it, and what Redis 7.0 makes of it.
type oldCase struct {
	record   rdbFile
	want     Entry
	redisEnc string // OBJECT ENCODING after Redis 7.0 loads it
}

func oldEncodingCases() []oldCase {
	var cases []oldCase
	add := func(record rdbFile, want Entry, redisEnc string) {
		cases = append(cases, oldCase{record, want, redisEnc})
	}
	key := func(t byte, k string) rdbFile { return rdbFile(nil).raw(t).str(k) }

	// Every ziplist encoding, 5-byte prevlens after an entry of 254 bytes
	// or more, strings of each length encoding.
	long300 := strings.Repeat("L", 300)
	long20000 := strings.Repeat("M", 20000)
	zlEntries := [][]byte{
		zlString(""), zlString("abc"), zlString(strings.Repeat("x", 63)), zlString(strings.Repeat("y", 64)),
		zlString(long300), zlInt(0, "imm"), zlInt(12, "imm"), zlInt(-128, "8"), zlInt(127, "8"),
		zlInt(-32768, "16"), zlInt(32767, "16"), zlInt(-8388608, "24"), zlInt(8388607, "24"),
		zlInt(math.MinInt32, "32"), zlInt(math.MaxInt32, "32"), zlInt(math.MinInt64, "64"), zlInt(math.MaxInt64, "64"),
		zlString(long20000), zlString("after the long one"),
	}
	zlElems := strs("", "abc", strings.Repeat("x", 63), strings.Repeat("y", 64), long300, "0", "12", "-128", "127",
		"-32768", "32767", "-8388608", "8388607", "-2147483648", "2147483647",
		"-9223372036854775808", "9223372036854775807", long20000, "after the long one")
	zl := buildZiplist(zlEntries...)
	add(key(typeListZiplist, "list ziplist").blob(zl), list(0, "list ziplist", 0, zlElems), "quicklist")
	add(key(typeListZiplist, "list ziplist lzf").lzfStr(zl), list(0, "list ziplist lzf", 0, zlElems), "quicklist")

	// Quicklist of ziplists (Redis 3.2 to 6.2), with an empty node, which
	// Redis skips, and one compressed.
	add(key(typeListQuicklist, "quicklist").raw(4).
		blob(buildZiplist(zlString("a"), zlInt(1, "imm"))).
		blob(buildZiplist()).
		lzfStr(buildZiplist(zlString(strings.Repeat("ab", 50)), zlString(strings.Repeat("ab", 50)))).
		blob(buildZiplist(zlInt(100000, "32"))),
		list(0, "quicklist", 0, strs("a", "1", strings.Repeat("ab", 50), strings.Repeat("ab", 50), "100000")), "quicklist")

	// A linked list: element by element, strings in any RDB encoding.
	add(key(typeList, "linked list").raw(3).str("x").raw(0xc0, 0x85).raw(0xc2).raw(le32(-100000)...),
		list(0, "linked list", 0, strs("x", "-123", "-100000")), "quicklist")

	// Hash ziplists: fields and values alternate; Redis converts on load
	// only by the number of fields.
	add(key(typeHashZiplist, "hash ziplist").blob(buildZiplist(
		zlString("f1"), zlString("v1"), zlInt(7, "imm"), zlString(strings.Repeat("v", 100)), zlString("n"), zlInt(-5, "8"))),
		hash(0, "hash ziplist", "", 0, pairsOf("f1", "v1", "7", strings.Repeat("v", 100), "n", "-5")), "listpack")
	var many [][]byte
	var manyPairs []string
	for i := range 600 {
		f, v := "field"+strconv.Itoa(i), strconv.Itoa(i*1000)
		many = append(many, zlString(f), zlInt(int64(i*1000), "32"))
		manyPairs = append(manyPairs, f, v)
	}
	add(key(typeHashZiplist, "hash ziplist 600").lzfStr(buildZiplist(many...)),
		hash(0, "hash ziplist 600", "", 0, pairsOf(manyPairs...)), "hashtable")

	// Zipmaps (Redis 2.4): lengths of 5 bytes, free bytes after values, a
	// count of 254 ("count them"). Redis converts on load by the number
	// of fields and their lengths.
	add(key(typeHashZipmap, "zipmap").blob(buildZipmap(map[int]int{1: 3}, "a", "1", "b", "two", "", "empty")),
		hash(0, "zipmap", "", 0, pairsOf("a", "1", "b", "two", "", "empty")), "listpack")
	add(key(typeHashZipmap, "zipmap long").blob(buildZipmap(nil, "f", long300, long300, "v")),
		hash(0, "zipmap long", "", 0, pairsOf("f", long300, long300, "v")), "hashtable")
	var zmPairs []string
	for i := range 300 {
		zmPairs = append(zmPairs, "k"+strconv.Itoa(i), "v"+strconv.Itoa(i))
	}
	add(key(typeHashZipmap, "zipmap 300").lzfStr(buildZipmap(nil, zmPairs...)),
		hash(0, "zipmap 300", "", 0, pairsOf(zmPairs...)), "listpack")

	// The encodings Redis 7.0 writes, by hand, in a version 9 file.
	add(key(typeSetIntset, "intset").blob(slices.Concat(le32(8), le32(2), le64(-1), le64(1<<40))),
		set(0, "intset", EncodingIntset, 0, strs("-1", "1099511627776")), "intset")
	add(key(typeSet, "set of ints").raw(2).str("5").raw(0xc0, 3),
		set(0, "set of ints", EncodingHashtable, 0, strs("5", "3")), "intset")
	add(key(typeHash, "hash").raw(1).str("f").str("v"),
		hash(0, "hash", EncodingHashtable, 0, pairsOf("f", "v")), "listpack")

	for i := range cases {
		w := &cases[i].want
		if w.Encoding == "" || w.Encoding == EncodingQuicklist {
			w.Encoding = map[byte]string{typeListZiplist: EncodingZiplist, typeListQuicklist: EncodingQuicklist,
				typeList: EncodingLinkedList, typeHashZiplist: EncodingZiplist, typeHashZipmap: EncodingZipmap}[cases[i].record[0]]
		}
	}
	return cases
}

// oldEncodingsFile is a version 9 file of oldEncodingCases, and if
// withEmpty some empty collections.
func oldEncodingsFile(withEmpty bool) []byte {
	f := newFile(9).raw(opAux).str("redis-ver").str("6.2.0").raw(opSelectDB, 0)
	for _, c := range oldEncodingCases() {
		f = append(f, c.record...)
	}
	if !withEmpty {
		return f.set("last", "string").end()
	}
	// Empty collections, which Redis skips: a ziplist list, a quicklist of
	// empty nodes, a hash ziplist, an expiring linked list.
	f = f.raw(typeListZiplist).str("empty ziplist").blob(buildZiplist())
	f = f.raw(typeListQuicklist).str("empty quicklist").raw(2).blob(buildZiplist()).blob(buildZiplist())
	f = f.raw(typeHashZiplist).str("empty hash").blob(buildZiplist())
	f = f.raw(opExpireTimeMs).raw(le64(farFuture)...).raw(typeList).str("empty list").raw(0)
	return f.set("last", "string").end()
}

func TestOldEncodings(t *testing.T) {
	var want []Entry
	for _, c := range oldEncodingCases() {
		want = append(want, c.want)
	}
	want = append(want, Entry{Key: []byte("last"), Value: []byte("string")})
	got, info := loadAll(t, oldEncodingsFile(true))
	sameKeys(t, got, want)
	if info.EmptyKeys != 4 {
		t.Errorf("Info.EmptyKeys = %d, want 4", info.EmptyKeys)
	}
}

// TestRedisLoadsOldEncodings has redis-check-rdb and redis-server 7.0
// load the hand-built file, sanitizing every payload: Redis agrees with
// the builders, and so with what the Reader read, and skips the empty
// keys as the Reader does.
func TestRedisLoadsOldEncodings(t *testing.T) {
	// redis-check-rdb, unlike redis-server, fails on empty keys.
	checkWithRedisCheckRDB(t, oldEncodingsFile(false))
	srv := startRedisWithDump(t, oldEncodingsFile(true), "sanitize-dump-payload", "yes")
	var want []Entry
	for _, c := range oldEncodingCases() {
		w := c.want
		w.Encoding = c.redisEnc
		if w.Encoding == EncodingIntset {
			slices.SortFunc(w.Elems, func(a, b []byte) int {
				x, _ := strconv.ParseInt(string(a), 10, 64)
				y, _ := strconv.ParseInt(string(b), 10, 64)
				return int(x - y)
			})
		}
		want = append(want, w)
	}
	want = append(want, Entry{Key: []byte("last"), Value: []byte("string")})
	sameKeys(t, redisEntries(t, redisconn.Dial(t, srv.Addr), 0), want)
}

// TestBlobErrors: a damaged blob is an *Error at the blob's offset that
// names the kind of blob, the key and what is wrong.
func TestBlobErrors(t *testing.T) {
	zl := buildZiplist(zlString("a"), zlString("b"))
	lp := func(entries ...byte) []byte {
		b := binary.LittleEndian.AppendUint32(nil, uint32(6+len(entries)+1))
		b = binary.LittleEndian.AppendUint16(b, 1)
		return append(append(b, entries...), 0xff)
	}
	for _, tc := range []struct {
		name   string
		record rdbFile
		want   string
	}{
		{"ziplist total", rdbFile(nil).raw(typeListZiplist).str("k").blob(zl[:len(zl)-1]),
			`List ziplist integrity check failed for key "k": ziplist header says 17 bytes, but it has 16`},
		{"ziplist prevlen", rdbFile(nil).raw(typeListZiplist).str("k").blob(slices.Concat(zl[:13], []byte{4}, zl[14:])),
			`List ziplist integrity check failed for key "k": ziplist entry 1 at byte 13: it says the entry before has 4 bytes, but it has 3`},
		{"ziplist tail", rdbFile(nil).raw(typeListZiplist).str("k").blob(slices.Concat(zl[:4], le32(10), zl[8:])),
			`List ziplist integrity check failed for key "k": ziplist header puts the last entry at byte 10, but it is at 13`},
		{"ziplist count", rdbFile(nil).raw(typeListZiplist).str("k").blob(slices.Concat(zl[:8], []byte{3, 0}, zl[10:])),
			`List ziplist integrity check failed for key "k": ziplist header says 3 elements, but it has 2`},
		{"ziplist encoding", rdbFile(nil).raw(typeListZiplist).str("k").blob(buildZiplist([]byte{0xc1})),
			`List ziplist integrity check failed for key "k": ziplist entry 0 at byte 10: unknown encoding 0xc1`},
		{"ziplist string", rdbFile(nil).raw(typeListZiplist).str("k").blob(buildZiplist([]byte{5, 'a'})),
			`List ziplist integrity check failed for key "k": ziplist entry 0 at byte 10: string of 5 bytes runs past the end`},
		{"hash ziplist odd", rdbFile(nil).raw(typeHashZiplist).str("h").blob(buildZiplist(zlString("f"))),
			`Hash ziplist integrity check failed for key "h": 1 elements: the last field has no value`},
		{"listpack backlen", rdbFile(nil).raw(typeHashListpack).str("h").blob(lp(0x81, 'a', 3)),
			`Hash listpack integrity check failed for key "h": listpack entry 0 at byte 6: backlen 03 does not say 2`},
		{"listpack count", rdbFile(nil).raw(typeSetListpack).str("s").blob(lp(0x81, 'a', 2, 0x82, 'b', 'c', 3)),
			`Set listpack integrity check failed for key "s": listpack header says 1 elements, but it has 2`},
		{"listpack encoding", rdbFile(nil).raw(typeListQuicklist2).str("l").raw(1, 2).blob(lp(0xf5, 1)),
			`Quicklist integrity check failed for key "l": listpack entry 0 at byte 6: unknown encoding 0xf5`},
		{"listpack end early", rdbFile(nil).raw(typeListQuicklist2).str("l").raw(1, 2).blob(lp(0xff, 1)),
			`Quicklist integrity check failed for key "l": listpack entry 0 at byte 6: end byte before the end`},
		{"listpack 32-bit string", rdbFile(nil).raw(typeListQuicklist2).str("l").raw(1, 2).blob(lp(0xf0, 0xff, 0xff, 0xff, 0x7f, 1)),
			`Quicklist integrity check failed for key "l": listpack entry 0 at byte 6: string of 2147483647 bytes runs past the end`},
		{"quicklist container", rdbFile(nil).raw(typeListQuicklist2).str("l").raw(1, 3).blob(lp(1, 1)),
			`Quicklist integrity check failed for key "l": unknown node container 3`},
		{"quicklist empty node", rdbFile(nil).raw(typeListQuicklist2).str("l").raw(1, 1).str(""),
			`Quicklist integrity check failed for key "l": empty node`},
		{"intset width", rdbFile(nil).raw(typeSetIntset).str("s").blob(slices.Concat(le32(3), le32(1), []byte{1, 2, 3})),
			`Intset integrity check failed for key "s": intset of 3-byte integers`},
		{"intset size", rdbFile(nil).raw(typeSetIntset).str("s").blob(slices.Concat(le32(2), le32(2), []byte{1, 0})),
			`Intset integrity check failed for key "s": intset of 2 2-byte integers in 10 bytes`},
		{"intset order", rdbFile(nil).raw(typeSetIntset).str("s").blob(slices.Concat(le32(2), le32(2), []byte{2, 0, 1, 0})),
			`Intset integrity check failed for key "s": intset member 1 (1) is not above the one before (2)`},
		{"intset empty", rdbFile(nil).raw(typeSetIntset).str("s").blob(slices.Concat(le32(2), le32(0))),
			`Intset integrity check failed for key "s": empty intset`},
		{"zipmap count", rdbFile(nil).raw(typeHashZipmap).str("h").blob(slices.Concat([]byte{2}, buildZipmap(nil, "f", "v")[1:])),
			`Zipmap integrity check failed for key "h": zipmap header says 2 pairs, but it has 1`},
		{"zipmap empty", rdbFile(nil).raw(typeHashZipmap).str("h").blob([]byte{0, 0xff}),
			`Zipmap integrity check failed for key "h": empty zipmap`},
		{"zipmap free", rdbFile(nil).raw(typeHashZipmap).str("h").blob([]byte{1, 1, 'f', 1, 9, 'v', 0xff}),
			`Zipmap integrity check failed for key "h": zipmap pair 0 at byte 1: 10 bytes run past the end`},
		{"long key", rdbFile(nil).raw(typeSetIntset).str(strings.Repeat("k", 100)).blob(le32(2)),
			`Intset integrity check failed for key "` + strings.Repeat("k", 64) + `"...: 4 bytes are too few for an intset`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := newFile(10)
			data := append(hdr, tc.record...).end()
			_, err := Load(bytes.NewReader(data), func(Entry) error { return nil })
			// The blob starts after the type byte and the key.
			keyLen := int(tc.record[1])
			if keyLen >= 64 {
				keyLen = int(tc.record[1]&0x3f)<<8 | int(tc.record[2]) + 1
			}
			off := len(hdr) + 2 + keyLen
			if tc.record[0] == typeListQuicklist2 {
				off += 2 // the node count and the container
				if strings.Contains(tc.name, "container") {
					off--
				}
			}
			want := fmt.Sprintf("rdb: %s at offset %d", tc.want, off)
			if err == nil || err.Error() != want {
				t.Errorf("error\n got %v\nwant %s", err, want)
			}
		})
	}
}
