package server

import (
	"bytes"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
)

func TestGetField(t *testing.T) {
	data := []byte{0x80, 0x01, 0xff, 0x7f, 0x00, 0xaa}
	for _, tc := range []struct {
		offset   uint64
		bits     uint
		unsigned uint64
		signed   int64
	}{
		{0, 1, 1, -1},
		{1, 1, 0, 0},
		{0, 8, 0x80, -128},
		{1, 7, 0, 0},
		{7, 2, 0, 0},
		{15, 2, 3, -1},
		{4, 8, 0x00, 0},
		{12, 8, 0x1f, 31},
		{16, 8, 0xff, -1},
		{16, 16, 0xff7f, -129},
		{24, 4, 7, 7},
		{0, 16, 0x8001, -32767},
		{0, 63, 0x8001ff7f00aa0000 >> 1, -0x3fff00407fab0000},
		{0, 64, 0x8001ff7f00aa0000, -0x7ffe0080ff560000},
		{1, 64, 0x0003fefe01540000, 0x0003fefe01540000},
		{40, 8, 0xaa, -86},
		{44, 8, 0xa0, -96}, // half past the end: zeros
		{47, 3, 0, 0},
		{48, 64, 0, 0},
		{1 << 40, 64, 0, 0},
	} {
		if got := getUnsignedField(data, tc.offset, tc.bits); tc.bits < 64 && got != tc.unsigned || tc.bits == 64 && got != tc.unsigned {
			t.Errorf("getUnsignedField(%d, %d) = %#x, want %#x", tc.offset, tc.bits, got, tc.unsigned)
		}
		if got := getSignedField(data, tc.offset, tc.bits); got != tc.signed {
			t.Errorf("getSignedField(%d, %d) = %d, want %d", tc.offset, tc.bits, got, tc.signed)
		}
	}
}

func TestSetField(t *testing.T) {
	for _, tc := range []struct {
		start  []byte
		offset uint64
		bits   uint
		v      uint64
		want   []byte
	}{
		{[]byte{0}, 0, 8, 0xab, []byte{0xab}},
		{[]byte{0xff}, 0, 8, 0, []byte{0}},
		{[]byte{0}, 0, 1, 1, []byte{0x80}},
		{[]byte{0}, 7, 1, 1, []byte{0x01}},
		{[]byte{0xff}, 3, 2, 0, []byte{0xe7}},
		{[]byte{0, 0}, 4, 8, 0xff, []byte{0x0f, 0xf0}},
		{[]byte{0xff, 0xff}, 4, 8, 0x5a, []byte{0xf5, 0xaf}},
		{[]byte{0, 0}, 0, 4, 0x1f, []byte{0xf0, 0}}, // only the low bits
		{make([]byte, 9), 3, 64, math.MaxUint64, []byte{0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xe0}},
		{make([]byte, 8), 0, 64, 0x0123456789abcdef, []byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}},
		{bytes.Repeat([]byte{0xff}, 3), 5, 13, 0, []byte{0xf8, 0, 0x3f}},
	} {
		b := bytes.Clone(tc.start)
		setField(b, tc.offset, tc.bits, tc.v)
		if !bytes.Equal(b, tc.want) {
			t.Errorf("setField(% x, %d, %d, %#x) = % x, want % x", tc.start, tc.offset, tc.bits, tc.v, b, tc.want)
		}
	}
}

func TestAddSigned(t *testing.T) {
	const minI, maxI = math.MinInt64, math.MaxInt64
	for _, tc := range []struct {
		value, incr int64
		bits        uint
		mode        overflowMode
		want        int64
		overflow    bool
	}{
		{1, 2, 8, overflowWrap, 3, false},
		{127, 0, 8, overflowWrap, 127, false},
		{127, 1, 8, overflowWrap, -128, true},
		{127, 1, 8, overflowSat, 127, true},
		{127, 1, 8, overflowFail, -128, true},
		{-128, -1, 8, overflowWrap, 127, true},
		{-128, -1, 8, overflowSat, -128, true},
		{-128, 255, 8, overflowWrap, 127, false},
		{-128, 256, 8, overflowWrap, -128, true},
		{0, maxI, 8, overflowSat, 127, true},
		{0, maxI, 8, overflowWrap, -1, true},
		{-1, minI, 8, overflowSat, -128, true},
		{-1, minI, 8, overflowWrap, -1, true},
		{5, minI, 4, overflowWrap, 5, true},
		// SET: the value alone, which may not fit.
		{128, 0, 8, overflowWrap, -128, true},
		{128, 0, 8, overflowSat, 127, true},
		{-129, 0, 8, overflowWrap, 127, true},
		{-129, 0, 8, overflowSat, -128, true},
		{maxI, 0, 8, overflowWrap, -1, true},
		{minI, 0, 8, overflowSat, -128, true},
		{0, 0, 1, overflowWrap, 0, false},
		{-1, 0, 1, overflowWrap, -1, false},
		{1, 0, 1, overflowWrap, -1, true},
		{1, 0, 1, overflowSat, 0, true},
		{-1, -1, 1, overflowSat, -1, true},
		// The widest field, where the room left does not fit an int64.
		{maxI, 1, 64, overflowWrap, minI, true},
		{maxI, 1, 64, overflowSat, maxI, true},
		{minI, -1, 64, overflowWrap, maxI, true},
		{minI, -1, 64, overflowSat, minI, true},
		{minI, maxI, 64, overflowSat, -1, false},
		{maxI, minI, 64, overflowSat, -1, false},
		{-1, minI, 64, overflowSat, minI, true},
		{0, minI, 64, overflowSat, minI, false},
		{1 << 62, 1 << 62, 64, overflowWrap, minI, true},
		{maxI, 0, 64, overflowFail, maxI, false},
		{minI, 0, 63, overflowWrap, 0, true},
		{1 << 62, 0, 63, overflowSat, 1<<62 - 1, true},
	} {
		got, overflow := addSigned(tc.value, tc.incr, tc.bits, tc.mode)
		if overflow != tc.overflow || (tc.mode != overflowFail || !overflow) && got != tc.want {
			t.Errorf("addSigned(%d, %d, %d, %d) = %d, %v; want %d, %v",
				tc.value, tc.incr, tc.bits, tc.mode, got, overflow, tc.want, tc.overflow)
		}
	}
}

func TestAddUnsigned(t *testing.T) {
	const minI, maxI = math.MinInt64, math.MaxInt64
	for _, tc := range []struct {
		value    uint64
		incr     int64
		bits     uint
		mode     overflowMode
		want     uint64
		overflow bool
	}{
		{1, 2, 8, overflowWrap, 3, false},
		{255, 1, 8, overflowWrap, 0, true},
		{255, 1, 8, overflowSat, 255, true},
		{0, -1, 8, overflowWrap, 255, true},
		{0, -1, 8, overflowSat, 0, true},
		{200, -200, 8, overflowSat, 0, false},
		{200, -201, 8, overflowSat, 0, true},
		{0, maxI, 8, overflowWrap, 255, true},
		{1, minI, 8, overflowWrap, 1, true},
		{1, minI, 8, overflowSat, 0, true},
		{0, 1, 1, overflowWrap, 1, false},
		{1, 1, 1, overflowWrap, 0, true},
		{maxI, 1, 63, overflowWrap, 0, true},
		{maxI, 1, 63, overflowSat, maxI, true},
		{0, maxI, 63, overflowSat, maxI, false},
		{maxI, minI, 63, overflowSat, 0, true},
		{maxI, minI + 1, 63, overflowSat, 0, false},
		// SET takes a negative value as the uint64 of its bits: too big,
		// so it saturates to the maximum, and wraps to its low bits.
		{math.MaxUint64, 0, 8, overflowSat, 255, true},
		{math.MaxUint64, 0, 8, overflowWrap, 255, true},
		{1 << 63, 0, 63, overflowWrap, 0, true},
		{1 << 63, 0, 63, overflowSat, maxI, true},
		{300, 0, 8, overflowWrap, 44, true},
		{255, 0, 8, overflowFail, 255, false},
	} {
		got, overflow := addUnsigned(tc.value, tc.incr, tc.bits, tc.mode)
		if overflow != tc.overflow || (tc.mode != overflowFail || !overflow) && got != tc.want {
			t.Errorf("addUnsigned(%d, %d, %d, %d) = %d, %v; want %d, %v",
				tc.value, tc.incr, tc.bits, tc.mode, got, overflow, tc.want, tc.overflow)
		}
	}
}

func TestParseBitfieldType(t *testing.T) {
	for _, tc := range []struct {
		arg  string
		want bitfieldType
		ok   bool
	}{
		{"i1", bitfieldType{true, 1}, true},
		{"i64", bitfieldType{true, 64}, true},
		{"u1", bitfieldType{false, 1}, true},
		{"u63", bitfieldType{false, 63}, true},
		{"u8\x00junk", bitfieldType{false, 8}, true},
		{"u64", bitfieldType{}, false},
		{"i65", bitfieldType{}, false},
		{"i0", bitfieldType{}, false},
		{"I8", bitfieldType{}, false},
		{"i", bitfieldType{}, false},
		{"", bitfieldType{}, false},
		{"i08", bitfieldType{}, false},
		{"i+8", bitfieldType{}, false},
		{"i-8", bitfieldType{}, false},
		{"i\x008", bitfieldType{}, false},
		{"x8", bitfieldType{}, false},
	} {
		got, ok := parseBitfieldType([]byte(tc.arg))
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseBitfieldType(%q) = %v, %v; want %v, %v", tc.arg, got, ok, tc.want, tc.ok)
		}
	}
}

func TestBitOffset(t *testing.T) {
	const limit = 512 << 20
	for _, tc := range []struct {
		arg  string
		bits uint
		want int64
		ok   bool
	}{
		{"0", 0, 0, true},
		{"4294967295", 0, 4294967295, true},
		{"4294967296", 0, 0, false},
		{"-1", 0, 0, false},
		{"#1", 0, 0, false}, // SETBIT and GETBIT take no "#"
		{"#1", 8, 8, true},
		{"#3", 5, 15, true},
		{"#0", 64, 0, true},
		{"#536870911", 8, 4294967288, true},
		{"#536870912", 8, 0, false},
		{"#-1", 8, 0, false},
		{"#", 8, 0, false},
		{"##1", 8, 0, false},
		{"#1152921504606846976", 8, 0, false}, // 2^63: negative once wrapped
		{"#2305843009213693953", 8, 8, true},  // 2^64+8 wraps to 8, as in Redis
		{"#9223372036854775807", 8, 0, false}, // -8 once wrapped
		{"#144115188075855873", 64, 0, false}, // (2^57+1)*64 wraps to -2^63+64
		{"#288230376151711745", 64, 64, true}, // (2^58+1)*64 wraps to 64
		{"x", 8, 0, false},
	} {
		got, ok := bitOffset([]byte(tc.arg), tc.bits, limit)
		if got != tc.want || ok != tc.ok {
			t.Errorf("bitOffset(%q, %d) = %d, %v; want %d, %v", tc.arg, tc.bits, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseBitfield(t *testing.T) {
	u8, i64 := bitfieldType{false, 8}, bitfieldType{true, 64}
	for _, tc := range []struct {
		args string
		want bitfieldRequest
		err  string
	}{
		{"", bitfieldRequest{}, ""},
		{"GET u8 0", bitfieldRequest{ops: []bitfieldOp{{kind: bitfieldGet, typ: u8}}}, ""},
		{"OVERFLOW SAT GET u8 #2", bitfieldRequest{ops: []bitfieldOp{{kind: bitfieldGet, typ: u8, offset: 16, overflow: overflowSat}}}, ""},
		{"SET u8 100 -3 overflow fail INCRBY i64 #1 7 GET u8 0", bitfieldRequest{
			ops: []bitfieldOp{
				{kind: bitfieldSet, typ: u8, offset: 100, value: -3},
				{kind: bitfieldIncrBy, typ: i64, offset: 64, value: 7, overflow: overflowFail},
				{kind: bitfieldGet, typ: u8, overflow: overflowFail},
			},
			writes: true, size: 16,
		}, ""},
		{"GET u8 4294967295", bitfieldRequest{ops: []bitfieldOp{{kind: bitfieldGet, typ: u8, offset: 4294967295}}}, ""},
		{"SET u1 7 1", bitfieldRequest{ops: []bitfieldOp{{kind: bitfieldSet, typ: bitfieldType{false, 1}, offset: 7, value: 1}}, writes: true, size: 1}, ""},
		{"OVERFLOW WRAP", bitfieldRequest{}, ""},
		{"BOGUS", bitfieldRequest{}, errSyntax},
		{"GET u8", bitfieldRequest{}, errSyntax},
		{"SET u8 0", bitfieldRequest{}, errSyntax},
		{"OVERFLOW", bitfieldRequest{}, errSyntax},
		{"OVERFLOW NOPE", bitfieldRequest{}, errOverflowType},
		{"GET u64 0", bitfieldRequest{}, errBitfieldType},
		{"GET u8 -8", bitfieldRequest{}, errBitOffset},
		{"GET u8 4294967296", bitfieldRequest{}, errBitOffset},
		{"SET u8 0 x", bitfieldRequest{}, errNotInteger},
		{"SET u8 x x", bitfieldRequest{}, errBitOffset},
		{"GET u8 0 OVERFLOW NOPE GET u64 0", bitfieldRequest{}, errOverflowType},
	} {
		var args [][]byte
		for _, f := range strings.Fields(tc.args) {
			args = append(args, []byte(f))
		}
		got, err := parseBitfield(args, 512<<20)
		if err != tc.err || err == "" && !equalRequests(got, tc.want) {
			t.Errorf("parseBitfield(%q) = %+v, %q; want %+v, %q", tc.args, got, err, tc.want, tc.err)
		}
	}
}

func equalRequests(a, b bitfieldRequest) bool {
	return a.writes == b.writes && a.size == b.size && slices.Equal(a.ops, b.ops)
}

func TestApplyBitop(t *testing.T) {
	for _, tc := range []struct {
		op   bitop
		srcs []string
		want string
	}{
		{bitopAnd, []string{"abc"}, "abc"},
		{bitopAnd, []string{"abc", ""}, "\x00\x00\x00"},
		{bitopAnd, []string{"", "abc"}, "\x00\x00\x00"},
		{bitopAnd, []string{"\xff\x0f\xf0", "\x3c\xff"}, "\x3c\x0f\x00"},
		{bitopOr, []string{"\x01", "\x02\x04", "\x80"}, "\x83\x04"},
		{bitopXor, []string{"abc", "abc"}, "\x00\x00\x00"},
		{bitopXor, []string{"\x0f", "\xff\xff", "\x01"}, "\xf1\xff"},
		{bitopNot, []string{"\x00\xff\x5a"}, "\xff\x00\xa5"},
		{bitopNot, []string{""}, ""},
		{bitopOr, []string{"", ""}, ""},
		{bitopNot, []string{"0123456789abcdefXYZ"}, string(notBytes("0123456789abcdefXYZ"))},
		{bitopAnd, []string{"0123456789abcdefXYZ", "\xf0\xf0\xf0\xf0\xf0\xf0\xf0\xf0\xf0\xf0"}, "0000000000\x00\x00\x00\x00\x00\x00\x00\x00\x00"},
	} {
		srcs := make([][]byte, len(tc.srcs))
		for i, s := range tc.srcs {
			srcs[i] = []byte(s)
		}
		if got := applyBitop(tc.op, srcs); string(got) != tc.want {
			t.Errorf("applyBitop(%d, %q) = %q, want %q", tc.op, tc.srcs, got, tc.want)
		}
	}
}

func notBytes(s string) []byte {
	b := []byte(s)
	for i := range b {
		b[i] = ^b[i]
	}
	return b
}

// refField reads a field from b, zero-padded, as a big integer: the bits
// of the whole string as one number, shifted and masked.
func refField(b []byte, offset uint64, bits uint) uint64 {
	end := offset + uint64(bits)
	padded := make([]byte, max(uint64(len(b)), (end+7)/8))
	copy(padded, b)
	n := new(big.Int).SetBytes(padded)
	n.Rsh(n, uint(uint64(len(padded))*8-end))
	mask := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), bits), big.NewInt(1))
	return n.And(n, mask).Uint64()
}

func FuzzBitfieldField(f *testing.F) {
	f.Add([]byte{0x80, 0x01, 0xff}, uint16(3), uint8(13), uint64(0x1234))
	f.Add([]byte{}, uint16(0), uint8(64), uint64(math.MaxUint64))
	f.Add(bytes.Repeat([]byte{0xa5}, 12), uint16(7), uint8(64), uint64(1))
	f.Fuzz(func(t *testing.T, b []byte, offset16 uint16, bits8 uint8, v uint64) {
		offset, bits := uint64(offset16%200), uint(bits8%64)+1
		want := refField(b, offset, bits)
		if got := getUnsignedField(b, offset, bits); got != want {
			t.Fatalf("getUnsignedField(% x, %d, %d) = %#x, want %#x", b, offset, bits, got, want)
		}
		signed := new(big.Int).SetUint64(want)
		if want>>(bits-1)&1 == 1 {
			signed.Sub(signed, new(big.Int).Lsh(big.NewInt(1), bits))
		}
		if got := getSignedField(b, offset, bits); got != signed.Int64() {
			t.Fatalf("getSignedField(% x, %d, %d) = %d, want %d", b, offset, bits, got, signed)
		}
		// Writing changes the field's bits only.
		w := grownCopy(b, int((offset+uint64(bits)+7)/8))
		setField(w, offset, bits, v)
		low := v
		if bits < 64 {
			low &= 1<<bits - 1
		}
		if got := refField(w, offset, bits); got != low {
			t.Fatalf("after setField(%d, %d, %#x): field %#x", offset, bits, v, got)
		}
		for i := uint64(0); i < uint64(len(w))*8; i++ {
			if i >= offset && i < offset+uint64(bits) {
				continue
			}
			if refField(w, i, 1) != refField(b, i, 1) {
				t.Fatalf("setField(% x, %d, %d, %#x) changed bit %d", b, offset, bits, v, i)
			}
		}
	})
}

// refAdd is BITFIELD's arithmetic on big integers: value+incr in a field
// of the given width and sign, wrapped modulo 2^bits or clamped.
func refAdd(value, incr *big.Int, bits uint, signed bool, mode overflowMode) (*big.Int, bool) {
	lo, hi := new(big.Int), new(big.Int).Lsh(big.NewInt(1), bits)
	if signed {
		lo.Neg(new(big.Int).Lsh(big.NewInt(1), bits-1))
		hi.Lsh(big.NewInt(1), bits-1)
	}
	hi.Sub(hi, big.NewInt(1))
	sum := new(big.Int).Add(value, incr)
	switch {
	case sum.Cmp(lo) >= 0 && sum.Cmp(hi) <= 0:
		return sum, false
	case mode == overflowSat && sum.Cmp(hi) > 0:
		return hi, true
	case mode == overflowSat:
		return lo, true
	}
	mod := new(big.Int).Lsh(big.NewInt(1), bits)
	sum.Mod(sum.Sub(sum, lo), mod)
	return sum.Add(sum, lo), true
}

func FuzzBitfieldAdd(f *testing.F) {
	f.Add(int64(127), int64(1), uint8(8), uint8(0), false)
	f.Add(int64(math.MaxInt64), int64(1), uint8(64), uint8(1), false)
	f.Add(int64(-1), int64(0), uint8(8), uint8(1), true)
	f.Add(int64(math.MinInt64), int64(math.MinInt64), uint8(63), uint8(0), false)
	f.Fuzz(func(t *testing.T, value, incr int64, bits8, mode8 uint8, set bool) {
		bits, mode := uint(bits8%64)+1, overflowMode(mode8%3)
		// INCRBY adds to a field's value, which fits its type; SET stores
		// a value that may not, alone.
		if set {
			incr = 0
		} else {
			value = signExtend(uint64(value), bits)
		}
		want, wantOver := refAdd(big.NewInt(value), big.NewInt(incr), bits, true, mode)
		got, over := addSigned(value, incr, bits, mode)
		if over != wantOver || (mode != overflowFail || !over) && got != want.Int64() {
			t.Fatalf("addSigned(%d, %d, %d, %d) = %d, %v; want %d, %v", value, incr, bits, mode, got, over, want, wantOver)
		}
		if bits == 64 {
			return
		}
		// Unsigned, SET's value is the uint64 of its bits.
		uvalue := uint64(value)
		if !set {
			uvalue &= 1<<bits - 1
		}
		wantU, wantOver := refAdd(new(big.Int).SetUint64(uvalue), big.NewInt(incr), bits, false, mode)
		gotU, over := addUnsigned(uvalue, incr, bits, mode)
		if over != wantOver || (mode != overflowFail || !over) && gotU != wantU.Uint64() {
			t.Fatalf("addUnsigned(%d, %d, %d, %d) = %d, %v; want %d, %v", uvalue, incr, bits, mode, gotU, over, wantU, wantOver)
		}
	})
}

func FuzzParseBitfield(f *testing.F) {
	for _, line := range []string{
		"GET u8 0", "SET i64 #3 -1 OVERFLOW SAT INCRBY u63 99 5", "OVERFLOW FAIL", "GET u64 0", "GET u8 #-1",
		"INCRBY i1 4294967295 1", "SET u8 0", "overflow wrap get i8 ##1",
	} {
		f.Add(line)
	}
	const limit = 1 << 20
	f.Fuzz(func(t *testing.T, line string) {
		var args [][]byte
		for _, a := range strings.Split(line, " ") {
			args = append(args, []byte(a))
		}
		req, err := parseBitfield(args, limit)
		switch err {
		case "":
		case errSyntax, errOverflowType, errBitfieldType, errBitOffset, errNotInteger:
			return
		default:
			t.Fatalf("parseBitfield(%q): error %q", line, err)
		}
		var size uint64
		writes := false
		for _, op := range req.ops {
			if op.typ.bits < 1 || op.typ.bits > 64 || !op.typ.signed && op.typ.bits > 63 {
				t.Fatalf("parseBitfield(%q): type %+v", line, op.typ)
			}
			if op.offset>>3 >= limit {
				t.Fatalf("parseBitfield(%q): offset %d", line, op.offset)
			}
			if op.kind != bitfieldGet {
				writes = true
				size = max(size, (op.offset+uint64(op.typ.bits)+7)/8)
			}
		}
		if req.writes != writes || req.size != size {
			t.Fatalf("parseBitfield(%q) = writes %v size %d, want %v %d", line, req.writes, req.size, writes, size)
		}
	})
}

func FuzzApplyBitop(f *testing.F) {
	f.Add(uint8(0), []byte("abc"), []byte("0123456789abcdef!"), []byte{})
	f.Add(uint8(3), []byte("\x00\xff"), []byte{}, []byte{})
	f.Fuzz(func(t *testing.T, op8 uint8, a, b, c []byte) {
		op := bitop(op8 % 4)
		srcs := [][]byte{a, b, c}
		if op == bitopNot {
			srcs = srcs[:1]
		}
		n := 0
		for _, s := range srcs {
			n = max(n, len(s))
		}
		at := func(s []byte, i int) byte {
			if i < len(s) {
				return s[i]
			}
			return 0
		}
		want := make([]byte, n)
		for i := range want {
			want[i] = at(srcs[0], i)
			for _, s := range srcs[1:] {
				switch op {
				case bitopAnd:
					want[i] &= at(s, i)
				case bitopOr:
					want[i] |= at(s, i)
				case bitopXor:
					want[i] ^= at(s, i)
				}
			}
			if op == bitopNot {
				want[i] = ^want[i]
			}
		}
		if got := applyBitop(op, srcs); !bytes.Equal(got, want) || n == 0 && got != nil {
			t.Fatalf("applyBitop(%d, %q) = %q, want %q", op, srcs, got, want)
		}
		if !bytes.Equal(srcs[0], a) {
			t.Fatalf("applyBitop changed its first source")
		}
	})
}

// Benchmarks of BITFIELD INCRBY and BITOP on a 1 MB string through the
// whole server, as the set benchmarks run (benchSetCommand's pipelined
// batches): strings are immutable once stored, so each write copies the
// megabyte, which the allocations show.
//
//	go test ./server -run '^$' -bench 'BitfieldIncrBy|Bitop' -benchmem

// benchBitsCommand stores 1 MB strings at "a" and "b" and times b.N
// commands that args builds from the iteration number.
func benchBitsCommand(b *testing.B, args func(i int) []string) {
	ts := startServerConfig(b, mustTestConfig(b), nil)
	c := ts.dial(b)
	const size = 1 << 20
	for _, k := range []string{"a", "b"} {
		if got := c.do("SETRANGE", k, strconv.Itoa(size-1), k); got != ":"+strconv.Itoa(size)+"\r\n" {
			b.Fatalf("SETRANGE %s = %q", k, got)
		}
	}
	benchPipelined(b, c, args, func(f frame.Frame) bool {
		return f.Type == frame.Array || f.Type == frame.Integer
	})
}

func BenchmarkBitfieldIncrBy(b *testing.B) {
	benchBitsCommand(b, func(i int) []string {
		return []string{"BITFIELD", "a", "INCRBY", "u16", "#" + strconv.Itoa(i%(1<<19)), "1"}
	})
}

func BenchmarkBitfieldGet(b *testing.B) {
	benchBitsCommand(b, func(i int) []string {
		return []string{"BITFIELD", "a", "GET", "i64", strconv.Itoa(i % (1 << 20))}
	})
}

func BenchmarkBitop(b *testing.B) {
	ops := []string{"AND", "OR", "XOR"}
	benchBitsCommand(b, func(i int) []string {
		return []string{"BITOP", ops[i%3], "d", "a", "b"}
	})
}

func BenchmarkBitopNot(b *testing.B) {
	benchBitsCommand(b, func(i int) []string { return []string{"BITOP", "NOT", "d", "a"} })
}
