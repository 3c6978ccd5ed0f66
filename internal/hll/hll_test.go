package hll

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/bits"
	"strconv"
	"testing"
)

// The expected values below come from Redis 7.0.15: PFDEBUG GETREG after
// one PFADD gives an element's register and value, PFCOUNT and PFDEBUG
// DECODE the rest.

func TestHash(t *testing.T) {
	tests := []struct {
		element string
		index   int
		count   uint8
	}{
		{"", 5938, 2},
		{"a", 12711, 2},
		{"foo", 7348, 5},
		{"hello world", 9399, 4},
		{"12345678", 10579, 3},         // one whole word
		{"123456789012345", 4659, 1},   // a word and a 7-byte tail
		{"1234567890123456", 12285, 2}, // two words
		{"\x00\xff\x80", 16255, 2},
		{"redis", 9467, 2},
		{"HyperLogLog", 2853, 2},
	}
	for _, tt := range tests {
		index, count := Hash([]byte(tt.element))
		if index != tt.index || count != tt.count {
			t.Errorf("Hash(%q) = %d, %d; want %d, %d", tt.element, index, count, tt.index, tt.count)
		}
	}
}

func TestTrailingCount(t *testing.T) {
	for _, rest := range []uint64{0, 1, 2, 4, 1 << 49, 1 << 50, 1<<50 - 1, 0xffffffffffff0000, 1 << 63} {
		// Redis's loop: count the zero bits from the bottom, stopping at
		// bit q, which it sets.
		want := uint8(1)
		for h := rest | 1<<q; h&1 == 0; h >>= 1 {
			want++
		}
		if got := trailingCount(rest); got != want {
			t.Errorf("trailingCount(%#x) = %d, want %d", rest, got, want)
		}
	}
	if got := trailingCount(0); got != q+1 {
		t.Errorf("trailingCount(0) = %d, want %d", got, q+1)
	}
}

func TestNew(t *testing.T) {
	want := []byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff")
	if got := New(); !bytes.Equal(got, want) {
		t.Errorf("New() = %q, want %q", got, want)
	}
	if n, ok := CachedCount(New()); !ok || n != 0 {
		t.Errorf("CachedCount(New()) = %d, %v", n, ok)
	}
}

func TestIsHLL(t *testing.T) {
	dense := make([]byte, DenseSize)
	copy(dense, "HYLL")
	tests := []struct {
		name string
		b    []byte
		want bool
	}{
		{"new", New(), true},
		{"header only", New()[:HeaderSize], true},
		{"short", New()[:HeaderSize-1], false},
		{"magic", append([]byte("HYLl"), New()[4:]...), false},
		{"encoding 2", append([]byte("HYLL\x02"), New()[5:]...), false},
		{"dense", dense, true},
		{"dense short", dense[:DenseSize-1], false},
		{"dense long", append(bytes.Clone(dense), 0), false},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		if got := IsHLL(tt.b); got != tt.want {
			t.Errorf("%s: IsHLL = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// sparseOf returns a sparse HyperLogLog with body as its opcodes.
func sparseOf(body ...byte) []byte { return append(New()[:HeaderSize], body...) }

func TestSparseSet(t *testing.T) {
	type set struct {
		index int
		count uint8
	}
	tests := []struct {
		name string
		sets []set
		want string // Decode of the result
	}{
		{"first register", []set{{0, 1}}, "v:1,1 Z:16383"},
		{"last register", []set{{16383, 7}}, "Z:16383 v:7,1"},
		{"neighbours merge", []set{{0, 1}, {1, 1}}, "v:1,2 Z:16382"},
		{"different values stay apart", []set{{0, 1}, {1, 1}, {2, 3}}, "v:1,2 v:3,1 Z:16381"},
		{"a VAL splits, then merges right", []set{{0, 1}, {1, 1}, {2, 3}, {1, 3}}, "v:1,1 v:3,2 Z:16381"},
		{"middle of an XZERO", []set{{100, 2}}, "Z:100 v:2,1 Z:16283"},
		{"short zero runs are ZERO", []set{{10, 2}, {20, 2}}, "z:10 v:2,1 z:9 v:2,1 Z:16363"},
		{"a ZERO of one", []set{{10, 2}, {12, 2}, {11, 2}}, "z:10 v:2,3 Z:16371"},
		{"lower value changes nothing", []set{{5, 4}, {5, 3}}, "z:5 v:4,1 Z:16378"},
		{"at most four in a VAL", []set{{0, 1}, {1, 1}, {2, 1}, {3, 1}, {4, 1}}, "v:1,4 v:1,1 Z:16379"},
		{"redis's a b c", []set{{8436, 1}, {12711, 2}, {16255 + 125, 1}}, "Z:8436 v:1,1 Z:4274 v:2,1 Z:3668 v:1,1 z:3"},
	}
	for _, tt := range tests {
		sk := Edit(New(), DefaultSparseMaxBytes)
		for _, st := range tt.sets {
			if _, err := sk.Set(st.index, st.count); err != nil {
				t.Fatalf("%s: Set(%d, %d): %v", tt.name, st.index, st.count, err)
			}
		}
		if got, _ := Decode(sk.Bytes()); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
		for _, st := range tt.sets {
			if r, err := Register(sk.Bytes(), st.index); err != nil || r < st.count {
				t.Errorf("%s: register %d is %d (%v), want at least %d", tt.name, st.index, r, err, st.count)
			}
		}
	}
}

func TestAddMatchesRedis(t *testing.T) {
	sk := Edit(New(), DefaultSparseMaxBytes)
	for _, e := range []string{"a", "b", "c"} {
		if changed, err := sk.Add([]byte(e)); !changed || err != nil {
			t.Fatalf("Add(%q) = %v, %v", e, changed, err)
		}
	}
	want := "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80`\xf3\x80P\xb1\x84K\xfb\x80BZ"
	if got := string(sk.Bytes()); got != want {
		t.Errorf("after PFADD a b c: %q, want %q", got, want)
	}
	if d, _ := Decode(sk.Bytes()); d != "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603" {
		t.Errorf("Decode = %s", d)
	}
}

func TestCountMatchesRedis(t *testing.T) {
	tests := []struct {
		n        int
		want     uint64
		dense    bool
		wantSize int
	}{
		{1, 1, false, 21},
		{10, 10, false, 48},
		{100, 100, false, 285},
		{1000, 1008, false, 1906},
		{10000, 9973, true, DenseSize},
		{50000, 49978, true, DenseSize},
	}
	for _, tt := range tests {
		sk := Edit(New(), DefaultSparseMaxBytes)
		for i := range tt.n {
			if _, err := sk.Add([]byte("e" + strconv.Itoa(i))); err != nil {
				t.Fatal(err)
			}
		}
		b := sk.Bytes()
		got, err := Count(b)
		if err != nil || got != tt.want || IsDense(b) != tt.dense || len(b) != tt.wantSize {
			t.Errorf("%d elements: count %d (%v), dense %v, %d bytes; want %d, %v, %d",
				tt.n, got, err, IsDense(b), len(b), tt.want, tt.dense, tt.wantSize)
		}
		var r RegisterSet
		if err := r.Merge(b); err != nil || r.Count() != tt.want {
			t.Errorf("%d elements: merged count %d (%v)", tt.n, r.Count(), err)
		}
	}
}

func TestCorrupt(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
	}{
		{"no opcodes", sparseOf()},
		{"too few", sparseOf(0x40, 0x63)},
		{"too many", sparseOf(0x7f, 0xff, 0x00)},
		{"VAL past the end", sparseOf(0x7f, 0xfe, 0x83)},
		{"XZERO cut short", sparseOf(0x7f)},
	}
	for _, tt := range tests {
		if _, err := Count(tt.b); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: Count: %v", tt.name, err)
		}
		var r RegisterSet
		if err := r.Merge(tt.b); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: Merge: %v", tt.name, err)
		}
		sk := Edit(tt.b, DefaultSparseMaxBytes)
		if _, err := sk.ToDense(); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: ToDense: %v", tt.name, err)
		}
	}
	// A cut-short XZERO reads a zero second byte, so this one is whole:
	// 255 + 0x3f00+1 registers.
	if n, err := Count(sparseOf(0x40, 0xfe, 0x7f)); err != nil || n != 0 {
		t.Errorf("cut-short XZERO: %d, %v", n, err)
	}
}

func TestDenseRegisters(t *testing.T) {
	regs := make([]byte, DenseSize-HeaderSize)
	for i := range NumRegisters {
		setDenseRegister(regs, i, uint8(i*7%64))
	}
	for i := range NumRegisters {
		if got := denseRegister(regs, i); got != uint8(i*7%64) {
			t.Fatalf("register %d = %d, want %d", i, got, i*7%64)
		}
	}
}

func TestSparseMaxBytes(t *testing.T) {
	for _, limit := range []int64{0, 18, 30, 100, 3000} {
		sk := Edit(New(), limit)
		for i := range 200 {
			sk.Add([]byte(strconv.Itoa(i)))
			if !IsDense(sk.Bytes()) && int64(len(sk.Bytes())) > max(limit, 18) {
				t.Fatalf("limit %d: sparse of %d bytes", limit, len(sk.Bytes()))
			}
		}
	}
}

func TestLargeRegisterPromotes(t *testing.T) {
	for _, count := range []uint8{33, 51, 63} {
		sk := Edit(New(), DefaultSparseMaxBytes)
		sk.Set(1, 32)
		if IsDense(sk.Bytes()) {
			t.Fatal("32 made the value dense")
		}
		if changed, err := sk.Set(5, count); !changed || err != nil || !IsDense(sk.Bytes()) {
			t.Errorf("Set(5, %d) = %v, %v; dense %v", count, changed, err, IsDense(sk.Bytes()))
		}
		for i, want := range map[int]uint8{0: 0, 1: 32, 5: count, 6: 0} {
			if r, _ := Register(sk.Bytes(), i); r != want {
				t.Errorf("register %d = %d, want %d", i, r, want)
			}
		}
	}
}

func TestEstimateEdges(t *testing.T) {
	var h histogram
	h[0] = NumRegisters
	if got := h.estimate(); got != 0 {
		t.Errorf("empty: %d", got)
	}
	// Every register at its largest: the estimate is finite.
	h = histogram{}
	h[q+1] = NumRegisters
	if got := h.estimate(); got == 0 {
		t.Errorf("full: %d", got)
	}
}

func TestSelfTest(t *testing.T) {
	if err := SelfTest(); err != nil {
		t.Fatal(err)
	}
}

func TestCopyOnWrite(t *testing.T) {
	orig := New()
	keep := bytes.Clone(orig)
	sk := Edit(orig, DefaultSparseMaxBytes)
	sk.Add([]byte("a"))
	sk.InvalidateCache()
	if !bytes.Equal(orig, keep) || !sk.Modified() {
		t.Errorf("Edit changed its input: %q", orig)
	}
	same := Edit(sk.Bytes(), DefaultSparseMaxBytes)
	if changed, _ := same.Add([]byte("a")); changed || same.Modified() {
		t.Error("adding an element again changed the value")
	}
}

// FuzzHLL feeds arbitrary HyperLogLog bodies to every reader and writer:
// none may panic, and they must agree on whether a value is corrupt and,
// when it is not, on its count, sparse or dense.
func FuzzHLL(f *testing.F) {
	f.Add(byte(1), []byte{0x7f, 0xff}, []byte("a"))
	f.Add(byte(1), []byte{0x40, 0xfe, 0x7f}, []byte("b"))
	f.Add(byte(1), []byte{0x80, 0x80, 0x7f, 0xfd}, []byte("c"))
	f.Add(byte(1), []byte{}, []byte(""))
	f.Add(byte(0), make([]byte, DenseSize-HeaderSize), []byte("d"))
	f.Add(byte(1), []byte{0x7f, 0xff, 0x00}, []byte("e"))
	f.Fuzz(func(t *testing.T, enc byte, body, element []byte) {
		b := append([]byte("HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"), body...)
		b[4] = enc
		if !IsHLL(b) {
			return
		}
		orig := bytes.Clone(b)
		n, errCount := Count(b)
		var r RegisterSet
		errMerge := r.Merge(b)
		_, _ = Decode(b)
		_, _ = Register(b, int(binary.LittleEndian.Uint16(append(bytes.Clone(element), 0, 0))%NumRegisters))
		dense := Edit(b, 64)
		_, errDense := dense.ToDense()
		if (errCount == nil) != (errMerge == nil) || (errCount == nil) != (errDense == nil) {
			t.Fatalf("Count: %v, Merge: %v, ToDense: %v", errCount, errMerge, errDense)
		}
		if errCount == nil {
			if m, err := Count(dense.Bytes()); err != nil || m != n || r.Count() != n {
				t.Fatalf("count %d, dense %d (%v), merged %d", n, m, err, r.Count())
			}
		}
		for _, limit := range []int64{0, 64, 3000} {
			sk := Edit(b, limit)
			_, err := sk.Add(element)
			if err == nil {
				_, err = sk.Set(NumRegisters-1-bits.OnesCount(uint(len(element))), 33)
			}
			if err == nil && !IsHLL(sk.Bytes()) {
				t.Fatalf("Add made an invalid value %q", sk.Bytes())
			}
			if err == nil && errCount == nil {
				if _, err := Count(sk.Bytes()); err != nil {
					t.Fatalf("Add made a valid value corrupt: %v", err)
				}
			}
		}
		if !bytes.Equal(b, orig) {
			t.Fatal("a reader or an Edit changed its input")
		}
	})
}

func BenchmarkAddSparse(b *testing.B) {
	b.ReportAllocs()
	var ele [8]byte
	sk := Edit(New(), DefaultSparseMaxBytes)
	for i := 0; b.Loop(); i++ {
		if i%500 == 0 {
			sk = Edit(New(), DefaultSparseMaxBytes) // stay sparse
		}
		binary.LittleEndian.PutUint64(ele[:], uint64(i))
		sk.Add(ele[:])
	}
}

func BenchmarkAddDense(b *testing.B) {
	b.ReportAllocs()
	var ele [8]byte
	sk := Edit(New(), DefaultSparseMaxBytes)
	sk.ToDense()
	for i := 0; b.Loop(); i++ {
		binary.LittleEndian.PutUint64(ele[:], uint64(i))
		sk.Add(ele[:])
	}
}

func BenchmarkCountDense(b *testing.B) {
	b.ReportAllocs()
	sk := Edit(New(), DefaultSparseMaxBytes)
	for i := range 100000 {
		sk.Add([]byte(strconv.Itoa(i)))
	}
	for b.Loop() {
		Count(sk.Bytes())
	}
}

func TestUnpack(t *testing.T) {
	regs := make([]byte, DenseSize-HeaderSize)
	for i := range NumRegisters {
		setDenseRegister(regs, i, uint8((i*13+5)%64))
	}
	for g := range denseGroups {
		r0, r1, r2, r3 := unpack(regs, g)
		for k, v := range []uint8{r0, r1, r2, r3} {
			if want := denseRegister(regs, 4*g+k); v != want {
				t.Fatalf("group %d register %d = %d, want %d", g, k, v, want)
			}
		}
	}
}
