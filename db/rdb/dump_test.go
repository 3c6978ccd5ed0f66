package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/db/rdb/internal/lzf"
	"github.com/mini-redis/mini-redis/internal/redistest"
	"github.com/mini-redis/mini-redis/internal/redistest/redisconn"
)

// DUMP payloads, against redis-server 7.0.15's: every string encoding and
// every collection encoding of the golden files, with and without
// compression, and lists split into nodes by another
// list-max-listpack-size.

// dumpOf makes a payload of body with a correct footer of version v.
func dumpOf(body []byte, v uint16) []byte {
	p := binary.LittleEndian.AppendUint16(bytes.Clone(body), v)
	return binary.LittleEndian.AppendUint64(p, crcUpdate(0, p))
}

// bareValue is e as ParseDump returns it: no key, database or expiry.
func bareValue(e Entry) Entry {
	e.Key, e.DB, e.ExpireAt = nil, 0, 0
	return e
}

func TestDumpMatchesRedis(t *testing.T) {
	es := slices.Concat(goldenEntries(), goldenCollections(), goldenZSets())
	for _, tc := range []struct {
		name       string
		directives []string
		opts       WriterOptions
	}{
		{"defaults", nil, WriterOptions{}},
		{"rdbcompression no", []string{"rdbcompression", "no"}, WriterOptions{NoCompression: true}},
		{"list-max-listpack-size 5", []string{"list-max-listpack-size", "5"}, WriterOptions{ListMaxListpackSize: 5}},
		{"list-max-listpack-size -1", []string{"list-max-listpack-size", "-1"}, WriterOptions{ListMaxListpackSize: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := redistest.Start(t, tc.directives...)
			c := redisconn.Dial(t, srv.Addr)
			fillCollections(c, es)
			for _, e := range es {
				c.Do("SELECT", strconv.Itoa(e.DB))
				redis := c.Do("DUMP", string(e.Key)).Str
				got, err := ParseDump(redis)
				if err != nil {
					t.Fatalf("%s: ParseDump of Redis's payload: %v", entryID(e), err)
				}
				if d := valueDiff(got, bareValue(e)); d != "" {
					t.Errorf("%s: Redis's payload reads as %s", entryID(e), d)
					continue
				}
				// A hashtable's elements come in Redis's order of the
				// moment: the ones read from its payload are in that order.
				// A skiplist's come from the highest score down; Writer
				// takes them in ascending order.
				if got.Type == TypeZSet {
					got = zset(0, "", got.Encoding, 0, got.Elems, got.Scores)
				}
				mine, err := AppendDump(nil, got, tc.opts)
				if err != nil {
					t.Fatalf("%s: AppendDump: %v", entryID(e), err)
				}
				if !bytes.Equal(mine, redis) {
					i := 0
					for i < min(len(mine), len(redis)) && mine[i] == redis[i] {
						i++
					}
					t.Errorf("%s: our payload (%d bytes) differs from Redis's (%d bytes) from offset %d:\n mine %x\nredis %x",
						entryID(e), len(mine), len(redis), i, mine[i:min(i+32, len(mine))], redis[i:min(i+32, len(redis))])
				}
				// And the golden entry itself, in its own order.
				if e.Encoding != EncodingHashtable {
					if direct, _ := AppendDump(nil, e, tc.opts); !bytes.Equal(direct, redis) {
						t.Errorf("%s: AppendDump of the entry is not Redis's payload", entryID(e))
					}
				}
			}
			// Redis RESTOREs ours (it checks the checksum and the version).
			for _, e := range es {
				p, err := AppendDump(nil, e, tc.opts)
				if err != nil {
					t.Fatal(err)
				}
				key := "restored:" + string(e.Key)
				c.Do("SELECT", strconv.Itoa(e.DB))
				if r := c.Do("RESTORE", key, "0", string(p)); string(r.Str) != "OK" {
					t.Fatalf("%s: Redis's RESTORE: %q", entryID(e), r.Str)
				}
				back, err := ParseDump(c.Do("DUMP", key).Str)
				if err != nil {
					t.Fatal(err)
				}
				if d := valueDiff(back, bareValue(e)); d != "" {
					t.Errorf("%s restored into Redis: %s", entryID(e), d)
				}
			}
		})
	}
}

func TestAppendDumpAppends(t *testing.T) {
	prefix := []byte("prefix")
	p, err := AppendDump(bytes.Clone(prefix), Entry{Value: []byte("v")}, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(p, prefix) {
		t.Fatalf("AppendDump = %q, lost the prefix", p)
	}
	e, err := ParseDump(p[len(prefix):])
	if err != nil || string(e.Value) != "v" {
		t.Fatalf("ParseDump = %+v, %v", e, err)
	}
}

func TestAppendDumpErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		e    Entry
	}{
		{"empty list", list(0, "k", 0, nil)},
		{"empty hash", hash(0, "k", EncodingListpack, 0, nil)},
		{"empty set", set(0, "k", EncodingHashtable, 0, nil)},
		{"intset of a string", set(0, "k", EncodingIntset, 0, strs("1", "x"))},
		{"unknown type", Entry{Key: []byte("k"), Type: Type(99)}},
	} {
		if p, err := AppendDump([]byte("x"), tc.e, WriterOptions{}); err == nil || string(p) != "x" {
			t.Errorf("%s: AppendDump = %q, %v; want an error and dst as it was", tc.name, p, err)
		}
	}
}

func TestParseDump(t *testing.T) {
	valid := dumpOf([]byte{typeString, 2, 'h', 'i'}, Version)
	badSum := bytes.Clone(valid)
	badSum[len(badSum)-1] ^= 1
	zeroSum := append(bytes.Clone(valid[:len(valid)-8]), make([]byte, 8)...)
	for _, tc := range []struct {
		name    string
		payload []byte
		want    Entry // when err is nil
		err     error
	}{
		{"string", valid, Entry{Value: []byte("hi")}, nil},
		{"integer", dumpOf([]byte{typeString, 0xc1, 0x39, 0x30}, Version), Entry{Value: []byte("12345")}, nil},
		{"version 9", dumpOf([]byte{typeString, 1, 'x'}, 9), Entry{Value: []byte("x")}, nil},
		{"version 0", dumpOf([]byte{typeString, 1, 'x'}, 0), Entry{Value: []byte("x")}, nil},
		{"bytes after the value", dumpOf([]byte{typeString, 1, 'x', 'y', 'z'}, Version), Entry{Value: []byte("x")}, nil},
		{"value that runs into the footer", dumpOf([]byte{typeString, 10}, Version), Entry{}, nil},
		{"list", dumpOf(append([]byte{typeListQuicklist2, 1, containerPacked}, rdbBlob(lpOf("a", "1"))...), Version),
			list(0, "", 0, strs("a", "1")), nil},
		{"old list", dumpOf([]byte{typeList, 2, 1, 'a', 0xc0, 1}, Version), Entry{Type: TypeList, Encoding: EncodingLinkedList, Elems: strs("a", "1")}, nil},
		{"set", dumpOf([]byte{typeSet, 1, 1, 'a'}, Version), set(0, "", EncodingHashtable, 0, strs("a")), nil},
		{"hash", dumpOf([]byte{typeHash, 1, 1, 'f', 1, 'v'}, Version), hash(0, "", EncodingHashtable, 0, pairsOf("f", "v")), nil},

		{"empty", nil, Entry{}, ErrChecksum},
		{"shorter than a footer", valid[:9], Entry{}, ErrChecksum},
		// The version's first byte, 10, reads as a list ziplist's type.
		{"only a footer", dumpOf(nil, Version), Entry{}, ErrCorrupt},
		{"version 11", dumpOf([]byte{typeString, 1, 'x'}, 11), Entry{}, ErrChecksum},
		{"version 65535", dumpOf([]byte{typeString, 1, 'x'}, 65535), Entry{}, ErrChecksum},
		{"wrong checksum", badSum, Entry{}, ErrChecksum},
		{"zero checksum", zeroSum, Entry{}, ErrChecksum},
		{"type 8", dumpOf([]byte{8, 1, 'x'}, Version), Entry{}, ErrCorrupt},
		{"set listpack, unknown to Redis 7.0", dumpOf(append([]byte{typeSetListpack}, rdbBlob(lpOf("a"))...), Version), Entry{}, ErrCorrupt},
		{"type 200", dumpOf([]byte{200, 1, 'x'}, Version), Entry{}, ErrCorrupt},
		// No nodes, then the footer's bytes as the length and IDs.
		{"stream cut short", dumpOf([]byte{typeStreamListpacks2, 0}, Version), Entry{}, ErrCorrupt},
		{"module", dumpOf([]byte{7, 0}, Version), Entry{}, ErrUnsupported},
		{"empty list", dumpOf([]byte{typeList, 0}, Version), Entry{}, ErrCorrupt},
		{"empty quicklist", dumpOf([]byte{typeListQuicklist2, 0}, Version), Entry{}, ErrCorrupt},
		{"empty intset", dumpOf(append([]byte{typeSetIntset}, rdbBlob(appendIntset(nil, nil))...), Version), Entry{}, ErrCorrupt},
		{"cut short", dumpOf([]byte{typeString, 0x40, 100, 'a'}, Version)[:13], Entry{}, ErrChecksum},
		{"string longer than the payload", dumpOf([]byte{typeString, 0x40, 100, 'a'}, Version), Entry{}, io.ErrUnexpectedEOF},
		{"bad listpack", dumpOf([]byte{typeHashListpack, 3, 1, 2, 3}, Version), Entry{}, ErrCorrupt},
		{"bad LZF", dumpOf([]byte{typeString, 0xc3, 2, 30, 0xff, 0xff}, Version), Entry{}, ErrCorrupt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseDump(tc.payload)
			if tc.err != nil {
				var e *Error
				if !errors.Is(err, tc.err) || !errors.As(err, &e) {
					t.Fatalf("ParseDump = %+v, %v; want an *Error wrapping %v", got, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDump: %v", err)
			}
			want := tc.want
			if tc.name == "value that runs into the footer" {
				want.Value = tc.payload[2:]
			}
			if d := valueDiff(got, want); d != "" {
				t.Fatal(d)
			}
		})
	}
}

// rdbBlob encodes b as an RDB string, as a listpack or intset is stored.
func rdbBlob(b []byte) []byte { return append(appendLen(nil, uint64(len(b))), b...) }

// FuzzParseDump feeds ParseDump arbitrary values, with a correct footer
// so that the fuzzer reaches the decoder, and as they are. It must never
// panic, fail only with an *Error, and produce no more than the input
// can encode; what it reads, AppendDump must write back to a payload
// that reads the same.
func FuzzParseDump(f *testing.F) {
	for _, e := range []Entry{
		{Value: []byte("hello")}, {Value: []byte("-70000")}, {Value: bytes.Repeat([]byte("ab"), 40)},
		list(0, "", 0, strs("a", "1", "-70000", strings.Repeat("x", 70))),
		hash(0, "", EncodingListpack, 0, pairsOf("f", "v", "n", "12")),
		hash(0, "", EncodingHashtable, 0, pairsOf("f", "v", "n", "12")),
		set(0, "", EncodingIntset, 0, strs("-1", "5", "100000")),
		set(0, "", EncodingHashtable, 0, strs("a", "5")),
		zset(0, "", EncodingListpack, 0, strs("a", "b"), []float64{1.5, -3}),
		zset(0, "", EncodingSkiplist, 0, strs("a", "b"), []float64{math.Inf(1), 7}),
	} {
		p, err := AppendDump(nil, e, WriterOptions{})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(p[:len(p)-dumpFooterLen])
	}
	if _, err := Load(bytes.NewReader(readTestdata(f, "streams.rdb")), func(e Entry) error {
		p, err := AppendDump(nil, e, WriterOptions{})
		if err == nil && len(p) < 2000 {
			f.Add(p[:len(p)-dumpFooterLen])
		}
		return err
	}); err != nil {
		f.Fatal(err)
	}
	f.Add([]byte{typeList, 2, 1, 'a', 0xc0, 1})
	f.Add([]byte{typeSetListpack, 0})
	f.Add([]byte{typeHashZiplist, 0})
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, payload := range [][]byte{dumpOf(body, Version), body} {
			e, err := ParseDump(payload)
			if err != nil {
				var re *Error
				if !errors.As(err, &re) {
					t.Fatalf("ParseDump = %v (%T), want an *Error", err, err)
				}
				continue
			}
			out := len(e.Value)
			for _, el := range e.Elems {
				out += len(el)
			}
			for _, p := range e.Pairs {
				out += len(p.Field) + len(p.Value)
			}
			if max := 3 * lzf.MaxDecompressedLen(len(payload)); out > max {
				t.Fatalf("%d payload bytes read as %d bytes of value", len(payload), out)
			}
			again, err := AppendDump(nil, e, WriterOptions{})
			if err != nil {
				t.Fatalf("AppendDump of %+v: %v", e, err)
			}
			back, err := ParseDump(again)
			if err != nil {
				t.Fatalf("ParseDump of AppendDump's payload: %v", err)
			}
			if d := valueDiff(back, rewritten([]Entry{e})[0]); d != "" {
				t.Fatalf("written again and read back: %s", d)
			}
			if !reflect.DeepEqual(back.Stream, e.Stream) {
				t.Fatalf("stream written again and read back: %+v, want %+v", back.Stream, e.Stream)
			}
		}
	})
}

func benchmarkDumpEntry() Entry {
	return list(0, "", 0, seq(1000, func(i int) string { return "element:" + strconv.Itoa(i) }))
}

func BenchmarkAppendDump(b *testing.B) {
	e := benchmarkDumpEntry()
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		var err error
		if buf, err = AppendDump(buf[:0], e, WriterOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkParseDump(b *testing.B) {
	p, err := AppendDump(nil, benchmarkDumpEntry(), WriterOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		if _, err := ParseDump(p); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDumperReuse checks that a Dumper's payloads do not depend on what
// it made before, errors included: each is AppendDump's.
func TestDumperReuse(t *testing.T) {
	var d Dumper
	for _, e := range append(goldenEntries(), goldenCollections()...) {
		if _, err := d.AppendDump(nil, set(0, "bad", EncodingIntset, 0, strs("x")), WriterOptions{}); err == nil {
			t.Fatal("an intset of a string was dumped")
		}
		got, err := d.AppendDump(nil, e, WriterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := AppendDump(nil, e, WriterOptions{})
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: a used Dumper's payload differs from a fresh one's", entryID(e))
		}
	}
}
