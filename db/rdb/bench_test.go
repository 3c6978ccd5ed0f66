package rdb

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"
)

// benchKeys is how many keys the benchmarks write and read: a snapshot
// of a million small strings.
const benchKeys = 1_000_000

// benchEntries returns benchKeys small string keys: 11-byte keys, values
// of 10 bytes, every fourth an integer, every tenth with an expiry.
func benchEntries() []Entry {
	es := make([]Entry, benchKeys)
	for i := range es {
		v := fmt.Sprintf("value:%04d", i%10000)
		if i%4 == 0 {
			v = strconv.Itoa(i)
		}
		es[i] = Entry{Key: fmt.Appendf(nil, "key:%07d", i), Value: []byte(v)}
		if i%10 == 0 {
			es[i].ExpireAt = farFuture + int64(i)
		}
	}
	return es
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

func BenchmarkWrite1M(b *testing.B) {
	es := benchEntries()
	var size int64
	b.ReportAllocs()
	for b.Loop() {
		var cw countingWriter
		w := NewWriter(&cw, WriterOptions{})
		for _, e := range es {
			if err := w.WriteEntry(e); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		size = cw.n
	}
	b.SetBytes(size)
	b.ReportMetric(float64(size), "file-bytes")
}

func BenchmarkRead1M(b *testing.B) {
	data := writeAll(b, WriterOptions{}, benchEntries())
	b.SetBytes(int64(len(data)))
	b.ReportMetric(float64(len(data)), "file-bytes")
	b.ReportAllocs()
	for b.Loop() {
		info, err := Load(bytes.NewReader(data), func(Entry) error { return nil })
		if err != nil || info.Keys != benchKeys {
			b.Fatalf("Load = %d keys, %v", info.Keys, err)
		}
	}
}

// benchCollections returns a list, a listpack hash and a hashtable set of
// a million elements altogether.
func benchCollections() []Entry {
	elems := func(n int, f string) [][]byte {
		out := make([][]byte, n)
		for i := range out {
			out[i] = fmt.Appendf(nil, f, i)
		}
		return out
	}
	var pairs []HashPair
	for i := range 500 {
		pairs = append(pairs, HashPair{Field: fmt.Appendf(nil, "field:%d", i), Value: []byte(strconv.Itoa(i))})
	}
	return []Entry{
		{Key: []byte("list"), Type: TypeList, Elems: elems(benchKeys/2, "element:%07d")},
		{Key: []byte("hash"), Type: TypeHash, Encoding: EncodingListpack, Pairs: pairs},
		{Key: []byte("set"), Type: TypeSet, Encoding: EncodingHashtable, Elems: elems(benchKeys/2, "member:%07d")},
	}
}

func BenchmarkWriteCollections1M(b *testing.B) {
	es := benchCollections()
	b.ReportAllocs()
	var size int64
	for b.Loop() {
		var cw countingWriter
		w := NewWriter(&cw, WriterOptions{})
		for _, e := range es {
			if err := w.WriteEntry(e); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		size = cw.n
	}
	b.SetBytes(size)
}

func BenchmarkReadCollections1M(b *testing.B) {
	data := writeAll(b, WriterOptions{}, benchCollections())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		info, err := Load(bytes.NewReader(data), func(Entry) error { return nil })
		if err != nil || info.Keys != 3 {
			b.Fatalf("Load = %d keys, %v", info.Keys, err)
		}
	}
}
