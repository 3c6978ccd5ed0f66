package rdb

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/db/rdb/internal/lzf"
)

// FuzzReader feeds arbitrary bytes to Load. It must never panic, only
// fail with an *Error naming an offset inside the input, and produce no
// more than the input can encode. Whatever it loads, Writer must write
// back to a stream that loads the same.
//
// Seeds: the files in testdata and the corpus in testdata/fuzz/FuzzReader
// (rewritten by TestWriteFuzzCorpus with -update).
func FuzzReader(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var es []Entry
		out := 0
		_, err := Load(bytes.NewReader(data), func(e Entry) error {
			es = append(es, e)
			out += len(e.Key) + len(e.Value)
			for _, el := range e.Elems {
				out += len(el)
			}
			for _, p := range e.Pairs {
				out += len(p.Field) + len(p.Value)
			}
			return nil
		})
		// The densest encodings: LZF (see lzf.MaxDecompressedLen) of an
		// intset of 16-bit integers, 6 digits for 2 bytes.
		if max := 3 * lzf.MaxDecompressedLen(len(data)); out > max {
			t.Fatalf("%d input bytes loaded as %d bytes of keys and values", len(data), out)
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Load = %v (%T), want an *Error", err, err)
			}
			if e.Offset < 0 || e.Offset > int64(len(data)) {
				t.Fatalf("error offset %d outside a %d-byte input: %v", e.Offset, len(data), err)
			}
			return
		}
		sameEntries(t, readAll(t, writeAll(t, WriterOptions{}, es)), rewritten(es))
	})
}

// rewritten is what Writer makes of entries that Reader read: lists are
// quicklists, hashes listpacks unless they were hashtables, sets
// hashtables unless they were intsets.
func rewritten(es []Entry) []Entry {
	out := slices.Clone(es)
	for i, e := range out {
		switch {
		case e.Type == TypeList:
			out[i].Encoding = EncodingQuicklist
		case e.Type == TypeHash && e.Encoding != EncodingHashtable:
			out[i].Encoding = EncodingListpack
		case e.Type == TypeSet && e.Encoding != EncodingIntset:
			out[i].Encoding = EncodingHashtable
		case e.Type == TypeZSet && e.Encoding != EncodingSkiplist:
			out[i].Encoding = EncodingListpack
		}
	}
	return out
}

// fuzzSeeds are small valid and invalid files: the golden files from
// Redis (but the big ones), a Writer's, and hand-made ones with the
// opcodes Redis 7.0 does not write.
func fuzzSeeds(tb testing.TB) [][]byte {
	seeds := [][]byte{
		smallDump(tb),
		writeAll(tb, WriterOptions{NoChecksum: true, NoCompression: true}, []Entry{
			{DB: 2, Key: []byte("12"), Value: []byte("a long value that would compress: aaaaaaaaaaaaaaaa"), ExpireAt: 1},
		}),
		newFile(9).raw(opAux).str("aof-preamble").raw(0xc0, 0).
			raw(opSelectDB, 5, opResizeDB, 4, 2).
			raw(opExpireTime).raw(le32(2000000000)...).set("seconds", "v").
			raw(opIdle, 0x40, 0x80, opFreq, 7).set("lru", "v").
			raw(typeString, len64Bit).raw(0, 0, 0, 0, 0, 0, 0, 3).raw([]byte("key")...).
			raw(len32Bit, 0, 0, 0, 5).raw([]byte("value")...).end(),
		newFile(11).raw(typeString, 0xc0, 0x85, 0xc1, 0x39, 0x30, typeString, 0xc2, 1, 2, 3, 4, 0xc3, 3, 8, 0x00, 'x', 0xc0).end(),
		newFile(10).raw(20).str("k").end(),
		newFile(10).set("k", "v").raw(opEOF).raw(make([]byte, 8)...),
	}
	seeds = append(seeds, readTestdata(tb, "stream-simple.rdb"), readTestdata(tb, "streams.rdb"))
	// Collections in every encoding, small enough for the fuzzer.
	seeds = append(seeds, oldEncodingsFile(true), writeAll(tb, WriterOptions{}, []Entry{
		list(0, "l", 0, strs("a", "1", "-70000", strings.Repeat("x", 70))),
		hash(0, "h", EncodingListpack, farFuture, pairsOf("f", "v", "n", "12")),
		hash(1, "h", EncodingHashtable, 0, pairsOf("f", "v", "n", "12")),
		set(1, "s", EncodingIntset, 0, strs("-1", "5", "100000")),
		set(1, "t", EncodingHashtable, 0, strs("a", "5")),
	}), newFile(11).raw(typeSetListpack).str("s").blob(lpOf("a", "1")).end(),
		writeAll(tb, WriterOptions{}, []Entry{
			zset(0, "z", EncodingListpack, 0, strs("a", "b", "c"), []float64{1.5, 3, math.Inf(-1)}),
			zset(0, "y", EncodingSkiplist, farFuture, strs("a", "12"), []float64{-0.25, 1e300}),
		}), oldZSetsFile())
	return seeds
}

// TestWriteFuzzCorpus rewrites testdata/fuzz/FuzzReader from fuzzSeeds
// when run with -update, and otherwise checks that it is there.
func TestWriteFuzzCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzReader")
	if !*update {
		files, err := os.ReadDir(dir)
		if err != nil || len(files) < len(fuzzSeeds(t)) {
			t.Fatalf("seed corpus %s has %d files (%v); run with -update", dir, len(files), err)
		}
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, seed := range fuzzSeeds(t) {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", seed)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
