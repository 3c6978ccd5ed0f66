package rdb

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/internal/listpack"
)

// Fuzz tests of the blob parsers: whatever the bytes, a parser returns an
// error or elements that the input holds (never more than 3 bytes of
// output for one of input: "-32768" from an intset's 2 bytes), without
// panicking. What a parser accepts encodes back to a blob that parses to
// the same elements.

// lpOf builds a listpack of elems with the Writer's encoder.
func lpOf(elems ...string) []byte {
	lp := lpStart(nil)
	for _, e := range elems {
		lp = lpAppendEntry(lp, []byte(e))
	}
	return lpFinish(lp, 0, len(elems))
}

func elemsOf(b *elemBuf) [][]byte {
	out := make([][]byte, b.n())
	for i := range out {
		out[i] = b.elem(i)
	}
	return out
}

// checkParsed checks what a parser returned for data.
func checkParsed(t *testing.T, data []byte, n int, b *elemBuf) {
	t.Helper()
	if n != b.n() && n*2 != b.n() {
		t.Fatalf("parser says %d elements, but appended %d", n, b.n())
	}
	if len(b.data) > 3*len(data) || b.n() > len(data) {
		t.Fatalf("%d bytes parsed to %d elements of %d bytes", len(data), b.n(), len(b.data))
	}
}

// relistpack encodes elements as a listpack and parses them back.
func relistpack(t *testing.T, elems [][]byte) {
	t.Helper()
	lp := lpStart(nil)
	for _, e := range elems {
		lp = lpAppendEntry(lp, e)
	}
	lp = lpFinish(lp, 0, len(elems))
	var b elemBuf
	if _, err := parseListpack(lp, &b); err != nil {
		t.Fatalf("the listpack of %q does not parse: %v", elems, err)
	}
	if d := elemsDiff(elemsOf(&b), elems, true); d != "" {
		t.Fatalf("listpack round trip: %s", d)
	}
}

func FuzzListpack(f *testing.F) {
	f.Add(lpOf())
	f.Add(lpOf(integerStrings...))
	f.Add(lpOf("a", strings.Repeat("b", 64), strings.Repeat("c", 200), "-0"))
	f.Add(lpOf(strings.Repeat("d", 5000)))
	big := lpOf(slices.Repeat([]string{"1"}, 70000)...)
	f.Add(big[:100])
	f.Add(slices.Concat(le32(6+2+1), []byte{0xff, 0xff, 0x01, 0x01, 0xff})) // count unknown
	f.Fuzz(func(t *testing.T, data []byte) {
		var b elemBuf
		n, err := parseListpack(data, &b)
		if err != nil {
			return
		}
		checkParsed(t, data, n, &b)
		relistpack(t, elemsOf(&b))
	})
}

func FuzzZiplist(f *testing.F) {
	f.Add(buildZiplist())
	f.Add(buildZiplist(zlString("a"), zlInt(3, "imm"), zlInt(-3, "8"), zlInt(300, "16"), zlInt(1<<20, "24"),
		zlInt(1<<30, "32"), zlInt(1<<40, "64"), zlString(strings.Repeat("x", 300)), zlString("z")))
	f.Add(buildZiplist(zlString(strings.Repeat("y", 17000))))
	f.Fuzz(func(t *testing.T, data []byte) {
		var b elemBuf
		n, err := parseZiplist(data, &b)
		if err != nil {
			return
		}
		checkParsed(t, data, n, &b)
		// Redis 7.0 turns a ziplist into a listpack as it loads it.
		relistpack(t, elemsOf(&b))
	})
}

func FuzzIntset(f *testing.F) {
	f.Add(appendIntset(nil, []int64{-5, 0, 7}))
	f.Add(appendIntset(nil, []int64{-1 << 20, 1 << 20}))
	f.Add(appendIntset(nil, []int64{-1 << 62, 1, 1 << 62}))
	f.Add(slices.Concat(le32(8), le32(2), le64(1), le64(2)))
	f.Fuzz(func(t *testing.T, data []byte) {
		var b elemBuf
		n, err := parseIntset(data, &b)
		if err != nil {
			return
		}
		checkParsed(t, data, n, &b)
		ints, err := intsetMembers(nil, elemsOf(&b))
		if err != nil {
			t.Fatalf("parsed members are no intset's: %v", err)
		}
		var b2 elemBuf
		if _, err := parseIntset(appendIntset(nil, ints), &b2); err != nil {
			t.Fatalf("re-encoded intset: %v", err)
		}
		if d := elemsDiff(elemsOf(&b2), elemsOf(&b), true); d != "" {
			t.Fatalf("intset round trip: %s", d)
		}
		// The narrowest width, unless the input was wider than needed.
		if w := binary.LittleEndian.Uint32(appendIntset(nil, ints)); w > binary.LittleEndian.Uint32(data) {
			t.Fatalf("re-encoded %d bytes wide, from %d", w, binary.LittleEndian.Uint32(data))
		}
	})
}

func FuzzZipmap(f *testing.F) {
	f.Add(buildZipmap(nil, "f", "v"))
	f.Add(buildZipmap(map[int]int{0: 4}, "field", "value", strings.Repeat("k", 300), "", "", strings.Repeat("v", 260)))
	var pairs []string
	for i := range 260 {
		pairs = append(pairs, strconv.Itoa(i), "v")
	}
	f.Add(buildZipmap(nil, pairs...))
	f.Fuzz(func(t *testing.T, data []byte) {
		var b elemBuf
		n, err := parseZipmap(data, &b)
		if err != nil {
			return
		}
		checkParsed(t, data, n, &b)
		if b.n() != 2*n || n == 0 {
			t.Fatalf("%d pairs, %d elements", n, b.n())
		}
		relistpack(t, elemsOf(&b))
	})
}

// TestListpackEntries checks the encoder at the edges of each encoding
// against the format: header bytes, data, backlen.
func TestListpackEntries(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want []byte
	}{
		{"0", []byte{0x00, 1}},
		{"127", []byte{0x7f, 1}},
		{"128", []byte{0xc0, 0x80, 2}},
		{"-1", []byte{0xdf, 0xff, 2}},
		{"-4096", []byte{0xd0, 0x00, 2}},
		{"4095", []byte{0xcf, 0xff, 2}},
		{"4096", []byte{0xf1, 0x00, 0x10, 3}},
		{"-32768", []byte{0xf1, 0x00, 0x80, 3}},
		{"32768", []byte{0xf2, 0x00, 0x80, 0x00, 4}},
		{"-8388608", []byte{0xf2, 0x00, 0x00, 0x80, 4}},
		{"8388608", []byte{0xf3, 0x00, 0x00, 0x80, 0x00, 5}},
		{"2147483648", []byte{0xf4, 0, 0, 0, 0x80, 0, 0, 0, 0, 9}},
		{"-0", []byte{0x82, '-', '0', 3}},
		{"", []byte{0x80, 1}},
		{strings.Repeat("a", 63), append(append([]byte{0xbf}, strings.Repeat("a", 63)...), 64)},
		{strings.Repeat("b", 64), append(append([]byte{0xe0, 0x40}, strings.Repeat("b", 64)...), 66)},
		// 202 bytes: a backlen of 2 bytes, 7 bits each, the high bit on the right one.
		{strings.Repeat("b", 200), append(append([]byte{0xe0, 200}, strings.Repeat("b", 200)...), 1, 0x80|202&127)},
		{strings.Repeat("c", 4096), append(append([]byte{0xf0, 0x00, 0x10, 0x00, 0x00}, strings.Repeat("c", 4096)...), 4101>>7, 0x80|4101&127)},
	} {
		got := lpAppendEntry(nil, []byte(tc.s))
		if !bytes.Equal(got, tc.want) {
			t.Errorf("%.10q: %x, want %x", tc.s, got, tc.want)
		}
		if n := listpack.EntrySize([]byte(tc.s)); n != len(got) {
			t.Errorf("%.10q: lpEntrySize %d, want %d", tc.s, n, len(got))
		}
	}
	// The count field says 65535, "count them", from 65535 elements on.
	lp := lpOf(slices.Repeat([]string{"1"}, 70000)...)
	if n := binary.LittleEndian.Uint16(lp[4:]); n != 65535 {
		t.Errorf("count field of 70000 elements: %d", n)
	}
	var b elemBuf
	if n, err := parseListpack(lp, &b); n != 70000 || err != nil {
		t.Errorf("parse 70000 elements: %d, %v", n, err)
	}
}
