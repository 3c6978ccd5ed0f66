package lzf

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// worstCase is the most room Compress can need: one control byte per 32
// literal bytes, and the few bytes liblzf wants free at the end (room for
// a back reference and the next control byte) before it gives up.
func worstCase(n int) int { return n + (n+maxLiteral-1)/maxLiteral + slack }

// slack bounds what liblzf wants free beyond the output it writes.
const slack = 5

// corpus returns inputs that exercise literals, short and long back
// references, overlapping runs, the 13-bit offset limit and incompressible
// data. The generator is seeded, so every run tests the same bytes.
func corpus() map[string][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	// A block repeated at a distance just inside and just outside the
	// reach of a back reference.
	block := random(100)
	near := append(append(random(8192-100), block...), block...)
	far := append(append(block, random(8193)...), block...)
	return map[string][]byte{
		"one byte":            {'a'},
		"two bytes":           []byte("ab"),
		"three same":          []byte("aaa"),
		"four same":           []byte("aaaa"),
		"run of 100":          bytes.Repeat([]byte{'x'}, 100),
		"run of 264":          bytes.Repeat([]byte{'x'}, 265),
		"run of 10000":        bytes.Repeat([]byte{0}, 10000),
		"period 3":            []byte(strings.Repeat("abc", 200)),
		"text":                []byte(strings.Repeat("the quick brown fox jumps over the lazy dog. ", 40)),
		"random 31":           random(31),
		"random 33":           random(33),
		"random 70000":        random(70000),
		"near offset limit":   near,
		"beyond offset limit": far,
		"binary with zeros":   append(bytes.Repeat([]byte{0, 0xff, '\r', '\n'}, 50), 7),
	}
}

func TestRoundTrip(t *testing.T) {
	var c Compressor
	for name, src := range corpus() {
		t.Run(name, func(t *testing.T) {
			dst := make([]byte, worstCase(len(src)))
			n := c.Compress(dst, src)
			if n == 0 {
				t.Fatalf("Compress(%d bytes) into %d bytes = 0, want output", len(src), len(dst))
			}
			got := make([]byte, len(src))
			if err := Decompress(got, dst[:n]); err != nil {
				t.Fatalf("Decompress: %v", err)
			}
			if !bytes.Equal(got, src) {
				t.Fatalf("round trip changed the data (%d bytes compressed to %d)", len(src), n)
			}
		})
	}
}

// TestCompressRatio checks that repetitive data does shrink, and as much
// as liblzf makes it: Redis 7.0 stores 100 'x' in 9 bytes.
func TestCompressRatio(t *testing.T) {
	var c Compressor
	for _, tc := range []struct {
		src  []byte
		most int
	}{
		{bytes.Repeat([]byte{'x'}, 100), 9},
		{bytes.Repeat([]byte{'x'}, 10000), 120},
		{[]byte(strings.Repeat("abc", 200)), 17},
	} {
		dst := make([]byte, len(tc.src))
		n := c.Compress(dst, tc.src)
		if n == 0 || n > tc.most {
			t.Errorf("Compress(%.10q... %d bytes) = %d bytes, want 1..%d", tc.src, len(tc.src), n, tc.most)
		}
	}
}

// TestCompressShortDst gives Compress every destination size up to what
// it needs: it must report 0 or write a stream that decompresses, and
// never write past dst.
func TestCompressShortDst(t *testing.T) {
	var c Compressor
	for name, src := range corpus() {
		if len(src) > 2000 {
			continue
		}
		full := make([]byte, worstCase(len(src)))
		need := c.Compress(full, src)
		for size := 0; size <= len(full); size++ {
			buf := make([]byte, size+8)
			guard := buf[size:]
			for i := range guard {
				guard[i] = 0xA5
			}
			n := c.Compress(buf[:size], src)
			if !bytes.Equal(guard, bytes.Repeat([]byte{0xA5}, 8)) {
				t.Fatalf("%s: Compress wrote past dst of %d bytes", name, size)
			}
			if size < need && n != 0 {
				t.Fatalf("%s: Compress into %d bytes = %d, but it needs %d", name, size, n, need)
			}
			if n != 0 && n != need || size >= need+slack && n != need {
				t.Fatalf("%s: Compress into %d bytes = %d, want %d", name, size, n, need)
			}
		}
	}
}

func TestCompressEmpty(t *testing.T) {
	var c Compressor
	if n := c.Compress(make([]byte, 10), nil); n != 0 {
		t.Errorf("Compress(nil) = %d, want 0", n)
	}
	if err := Decompress(nil, nil); err != nil {
		t.Errorf("Decompress(nil, nil) = %v, want nil", err)
	}
}

// TestDecompressRedis decodes what Redis 7.0.15 wrote for SET big <100 x>.
func TestDecompressRedis(t *testing.T) {
	src := []byte{0x01, 'x', 'x', 0xe0, 0x57, 0x00, 0x01, 'x', 'x'}
	got := make([]byte, 100)
	if err := Decompress(got, src); err != nil {
		t.Fatal(err)
	}
	if want := bytes.Repeat([]byte{'x'}, 100); !bytes.Equal(got, want) {
		t.Fatalf("got %q, want 100 x", got)
	}
}

func TestDecompressCorrupt(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  []byte
		n    int
	}{
		{"literal past end of input", []byte{0x03, 'a', 'b'}, 4},
		{"literal past end of output", []byte{0x03, 'a', 'b', 'c', 'd'}, 3},
		{"back reference before start", []byte{0x00, 'a', 0x20, 0x01}, 4},
		{"back reference without offset", []byte{0x00, 'a', 0x20}, 4},
		{"long back reference without length", []byte{0x00, 'a', 0xe0}, 20},
		{"long back reference without offset", []byte{0x00, 'a', 0xe0, 0x00}, 20},
		{"back reference past end of output", []byte{0x00, 'a', 0x20, 0x00}, 3},
		{"output too short", []byte{0x01, 'a', 'b'}, 3},
		{"output too long", []byte{0x01, 'a', 'b'}, 1},
		{"no input for output", nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Decompress(make([]byte, tc.n), tc.src)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Decompress(%x, %d) = %v, want ErrCorrupt", tc.src, tc.n, err)
			}
		})
	}
}

func TestMaxDecompressedLen(t *testing.T) {
	// The densest stream: a literal byte, then 3-byte references of 264.
	src := []byte{0x00, 'x'}
	for range 10 {
		src = append(src, 0xe0, 0xff, 0x00)
	}
	n := 1 + 10*maxMatch
	if err := Decompress(make([]byte, n), src); err != nil {
		t.Fatal(err)
	}
	if max := MaxDecompressedLen(len(src)); n > max {
		t.Fatalf("%d bytes decompressed to %d, more than MaxDecompressedLen = %d", len(src), n, max)
	}
}

func FuzzDecompress(f *testing.F) {
	f.Add([]byte{0x01, 'x', 'x', 0xe0, 0x57, 0x00, 0x01, 'x', 'x'}, uint16(100))
	f.Add([]byte{0x00, 'a', 0x20, 0x00}, uint16(4))
	f.Fuzz(func(t *testing.T, src []byte, n uint16) {
		dst := make([]byte, n)
		if err := Decompress(dst, src); err != nil {
			return
		}
		if int(n) > MaxDecompressedLen(len(src)) {
			t.Fatalf("%d bytes decompressed to %d, more than MaxDecompressedLen", len(src), n)
		}
	})
}

func FuzzRoundTrip(f *testing.F) {
	for _, src := range corpus() {
		if len(src) < 1000 {
			f.Add(src)
		}
	}
	var c Compressor
	f.Fuzz(func(t *testing.T, src []byte) {
		dst := make([]byte, worstCase(len(src)))
		n := c.Compress(dst, src)
		if n == 0 && len(src) > 0 {
			t.Fatalf("Compress(%d bytes) into %d = 0", len(src), len(dst))
		}
		got := make([]byte, len(src))
		if err := Decompress(got, dst[:n]); err != nil {
			t.Fatalf("Decompress: %v", err)
		}
		if !bytes.Equal(got, src) {
			t.Fatal("round trip changed the data")
		}
	})
}

func BenchmarkCompress(b *testing.B) {
	src := []byte(strings.Repeat("the quick brown fox jumps over the lazy dog. ", 1000))
	dst := make([]byte, len(src))
	var c Compressor
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if c.Compress(dst, src) == 0 {
			b.Fatal("did not compress")
		}
	}
}

func BenchmarkDecompress(b *testing.B) {
	src := []byte(strings.Repeat("the quick brown fox jumps over the lazy dog. ", 1000))
	comp := make([]byte, len(src))
	var c Compressor
	comp = comp[:c.Compress(comp, src)]
	dst := make([]byte, len(src))
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if err := Decompress(dst, comp); err != nil {
			b.Fatal(err)
		}
	}
}
