package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// rdbFile builds RDB streams byte by byte for the cases Redis 7.0 does
// not write: other versions, old opcodes, corruption.
type rdbFile []byte

func newFile(version int) rdbFile { return rdbFile(fmt.Sprintf("REDIS%04d", version)) }

func (f rdbFile) raw(p ...byte) rdbFile { return append(f, p...) }

// str appends a string in the plain encoding.
func (f rdbFile) str(s string) rdbFile { return append(appendLen(f, uint64(len(s))), s...) }

// set appends a string key without expiry.
func (f rdbFile) set(k, v string) rdbFile { return f.raw(typeString).str(k).str(v) }

// end appends the EOF opcode and the checksum.
func (f rdbFile) end() []byte {
	f = append(f, opEOF)
	return binary.LittleEndian.AppendUint64(f, crcUpdate(0, f))
}

func le64(v int64) []byte { return binary.LittleEndian.AppendUint64(nil, uint64(v)) }
func le32(v int32) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }

func TestReaderVersions(t *testing.T) {
	for v := 0; v <= 13; v++ {
		data := newFile(v).raw(opSelectDB, 0).set("k", "v").end()
		r, err := NewReader(bytes.NewReader(data))
		if v < MinVersion || v > MaxVersion {
			want := fmt.Sprintf("rdb: can't handle RDB format version %d at offset 5", v)
			if err == nil || err.Error() != want || !errors.Is(err, ErrUnsupported) {
				t.Errorf("version %d: NewReader = %v, want %q", v, err, want)
			}
			continue
		}
		if err != nil {
			t.Fatalf("version %d: %v", v, err)
		}
		if r.Version() != v {
			t.Errorf("Version() = %d, want %d", r.Version(), v)
		}
		sameEntries(t, readAll(t, data), []Entry{{Key: []byte("k"), Value: []byte("v")}})
	}
}

// TestReaderOpcodes covers what Redis 7.0 reads but does not write by
// default: expiries in seconds, LRU and LFU hints, keys before any
// SELECTDB, AUX fields later in the file, 64-bit lengths, an expiry at
// or before the epoch.
func TestReaderOpcodes(t *testing.T) {
	data := newFile(9).
		raw(opAux).str("redis-ver").str("6.2.6").
		raw(opAux).str("aof-preamble").raw(0xc0, 0).
		set("before select", "db 0").
		raw(opSelectDB, 5, opResizeDB, 4, 2).
		raw(opExpireTime).raw(le32(2000000000)...).set("seconds", "v").
		raw(opIdle, 0x40, 0x80, opFreq, 7).set("lru", "v").
		raw(opExpireTimeMs).raw(le64(farFuture)...).raw(opFreq, 3).set("expire then lfu", "v").
		raw(opExpireTimeMs).raw(le64(0)...).set("expired at epoch", "v").
		raw(opExpireTime).raw(le32(-5)...).set("expired before epoch", "v").
		raw(opSelectDB, len64Bit).raw(binary.BigEndian.AppendUint64(nil, 1<<20)...).
		raw(typeString, len64Bit).raw(binary.BigEndian.AppendUint64(nil, 3)...).raw([]byte("key")...).
		raw(len32Bit, 0, 0, 0, 5).raw([]byte("value")...).
		raw(opAux).str("late").str("field").
		raw(opSelectDB, 0x40|0, 20). // 14-bit encoding of 20
		raw(typeString, 0xc0, 0x85, 0xc1, 0x39, 0x30).
		end()
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Aux(); got["redis-ver"] != "6.2.6" || got["aof-preamble"] != "0" || len(got) != 2 {
		t.Errorf("Aux() before the entries = %v", got)
	}
	sameEntries(t, readAll(t, data), []Entry{
		{DB: 0, Key: []byte("before select"), Value: []byte("db 0")},
		{DB: 5, Key: []byte("seconds"), Value: []byte("v"), ExpireAt: 2000000000000},
		{DB: 5, Key: []byte("lru"), Value: []byte("v")},
		{DB: 5, Key: []byte("expire then lfu"), Value: []byte("v"), ExpireAt: farFuture},
		{DB: 5, Key: []byte("expired at epoch"), Value: []byte("v"), ExpireAt: 1},
		{DB: 5, Key: []byte("expired before epoch"), Value: []byte("v"), ExpireAt: 1},
		{DB: 1 << 20, Key: []byte("key"), Value: []byte("value")},
		{DB: 20, Key: []byte("-123"), Value: []byte("12345")},
	})
	for {
		if _, err := r.Next(); err != nil {
			if err != io.EOF {
				t.Fatal(err)
			}
			break
		}
	}
	if got := r.Aux()["late"]; got != "field" {
		t.Errorf("AUX late = %q, want field", got)
	}
	// The end is sticky.
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("Next after the end = %v, want io.EOF", err)
	}
}

func TestZeroChecksum(t *testing.T) {
	data := newFile(10).set("k", "v").raw(opEOF).raw(make([]byte, 8)...)
	sameEntries(t, readAll(t, data), []Entry{{Key: []byte("k"), Value: []byte("v")}})
}

// TestReaderSources reads the golden file through readers that return a
// byte at a time, half of what is asked, or data with io.EOF.
func TestReaderSources(t *testing.T) {
	data := readTestdata(t, "strings.rdb")
	want := readAll(t, data)
	for name, src := range map[string]io.Reader{
		"one byte":   iotest.OneByteReader(bytes.NewReader(data)),
		"half":       iotest.HalfReader(bytes.NewReader(data)),
		"data + EOF": iotest.DataErrReader(bytes.NewReader(data)),
	} {
		t.Run(name, func(t *testing.T) {
			var got []Entry
			if _, err := Load(src, func(e Entry) error { got = append(got, e); return nil }); err != nil {
				t.Fatal(err)
			}
			sameEntries(t, got, want)
		})
	}
}

func TestReaderSourceError(t *testing.T) {
	data := readTestdata(t, "strings.rdb")
	boom := errors.New("connection reset")
	src := io.MultiReader(bytes.NewReader(data[:1000]), iotest.ErrReader(boom))
	_, err := Load(src, func(Entry) error { return nil })
	var e *Error
	if !errors.Is(err, boom) || !errors.As(err, &e) || e.Offset != 1000 {
		t.Fatalf("Load = %v, want %v at offset 1000", err, boom)
	}
	if want := "rdb: read: connection reset at offset 1000"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestLoadStopsOnCallbackError(t *testing.T) {
	stop := errors.New("keyspace full")
	n := 0
	info, err := Load(bytes.NewReader(readTestdata(t, "strings.rdb")), func(Entry) error {
		if n++; n == 3 {
			return stop
		}
		return nil
	})
	if err != stop || info.Keys != 2 || info.Version != 10 {
		t.Fatalf("Load = %+v, %v; want 2 keys and %v", info, err, stop)
	}
}

// TestReaderErrors: every bad input is an *Error with Redis's wording and
// the offset of the item at fault, or of the end of a truncated file.
func TestReaderErrors(t *testing.T) {
	hdr := newFile(10)
	lzfHuge := hdr.raw(typeString).str("k").raw(0xc3, 3, len32Bit, 0xff, 0xff, 0xff, 0xff, 0x00, 'x', 0xe0).end()
	for _, tc := range []struct {
		name string
		data []byte
		kind error
		want string
	}{
		{"empty", nil, io.ErrUnexpectedEOF, "rdb: short read loading DB: unexpected end of file at offset 0"},
		{"short header", []byte("REDIS00"), io.ErrUnexpectedEOF, "rdb: short read loading DB: unexpected end of file at offset 7"},
		{"signature", []byte("REDIZ0010\xff"), ErrCorrupt, "rdb: wrong signature trying to load DB from file at offset 0"},
		{"version digits", []byte("REDIS00x0\xff"), ErrCorrupt, "rdb: wrong signature trying to load DB from file at offset 0"},
		{"no EOF", hdr.set("k", "v"), io.ErrUnexpectedEOF, "rdb: short read loading DB: unexpected end of file at offset 14"},
		{"short checksum", hdr.raw(opEOF, 1, 2, 3), io.ErrUnexpectedEOF, "rdb: short read loading DB: unexpected end of file at offset 13"},
		{"checksum", append(hdr.set("k", "v").raw(opEOF), 1, 0, 0, 0, 0, 0, 0, 0), ErrChecksum,
			fmt.Sprintf("rdb: wrong RDB checksum expected: (%x) got (1) at offset 15", crcUpdate(0, hdr.set("k", "v").raw(opEOF)))},
		{"unknown type", hdr.raw(8).str("k").end(), ErrCorrupt, "rdb: unknown RDB encoding type 8 at offset 9"},
		{"type of a newer version", hdr.raw(22).end(), ErrCorrupt, "rdb: unknown RDB encoding type 22 at offset 9"},
		{"unknown opcode", hdr.set("k", "v").raw(0xf4).end(), ErrCorrupt, "rdb: unknown RDB encoding type 244 at offset 14"},
		{"module value", hdr.raw(7).end(), ErrUnsupported, "rdb: unsupported value type 7 (module value) at offset 9"},
		{"module aux", hdr.raw(opModuleAux).end(), ErrUnsupported, "rdb: unsupported module auxiliary data (opcode 247) at offset 9"},
		{"function pre-GA", hdr.raw(opFunctionPre).end(), ErrCorrupt, "rdb: Failed loading library name at offset 10"},
		{"function", hdr.raw(opFunction2, 0x7f, 0xff, 'a').end(), io.ErrUnexpectedEOF, "rdb: Failed loading library payload at offset 22"},
		{"string encoding", hdr.raw(typeString, 0xc4).end(), ErrCorrupt, "rdb: unknown RDB string encoding type 4 at offset 10"},
		{"length encoding", hdr.raw(typeString).str("k").raw(0x82).end(), ErrCorrupt, "rdb: unknown length encoding 130 in rdbLoadLen() at offset 12"},
		{"encoded DB number", hdr.raw(opSelectDB, 0xc0, 1).end(), ErrCorrupt, "rdb: unexpected string encoding 0 where a length belongs at offset 10"},
		{"DB out of range", hdr.raw(opSelectDB, len32Bit, 0x80, 0, 0, 0).end(), ErrCorrupt, "rdb: DB index 2147483648 is out of range at offset 9"},
		{"LZF length beyond its data", lzfHuge, ErrCorrupt,
			"rdb: invalid LZF compressed string (3 bytes cannot decompress to 4294967295) at offset 12"},
		{"LZF data", hdr.raw(typeString).str("k").raw(0xc3, 2, 5, 0x00, 'x').end(), ErrCorrupt, "rdb: invalid LZF compressed string at offset 12"},
		{"huge string", hdr.raw(typeString).str("k").raw(len32Bit, 0xff, 0xff, 0xff, 0xff).raw([]byte("only this")...), io.ErrUnexpectedEOF,
			"rdb: short read loading DB: unexpected end of file at offset 26"},
		{"huge 64-bit string", hdr.raw(typeString, len64Bit, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff).raw([]byte("abc")...), io.ErrUnexpectedEOF,
			"rdb: short read loading DB: unexpected end of file at offset 22"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			_, err := Load(bytes.NewReader(tc.data), func(Entry) error { n++; return nil })
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, tc.kind) {
				t.Fatalf("Load = %v (%T), want an *Error wrapping %v", err, err, tc.kind)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got %q\nwant %q", err, tc.want)
			}
		})
	}
}

// TestBoundedAllocation: lengths announcing gigabytes that the stream
// does not hold allocate no more than a buffer or two.
func TestBoundedAllocation(t *testing.T) {
	hdr := newFile(10)
	for name, data := range map[string][]byte{
		"32-bit string": hdr.raw(typeString).str("k").raw(len32Bit, 0xff, 0xff, 0xff, 0xff).raw(make([]byte, 100)...),
		"64-bit string": hdr.raw(typeString).str("k").raw(len64Bit, 0x10, 0, 0, 0, 0, 0, 0, 0).raw(make([]byte, 100)...),
		"LZF lengths":   hdr.raw(typeString).str("k").raw(0xc3, len32Bit, 0x7f, 0xff, 0xff, 0xff, len32Bit, 0xff, 0xff, 0xff, 0xff, 0, 'x').end(),
		"LZF output":    hdr.raw(typeString).str("k").raw(0xc3, 3, len32Bit, 0xff, 0xff, 0xff, 0xff, 0x00, 'x', 0xe0).end(),
		"AUX":           hdr.raw(opAux, len32Bit, 0x7f, 0xff, 0xff, 0xff).raw(make([]byte, 100)...),
		"list count":    hdr.raw(typeList).str("k").raw(len64Bit, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff).raw(make([]byte, 100)...),
		"hash count":    hdr.raw(typeHash).str("k").raw(len32Bit, 0xff, 0xff, 0xff, 0xff).str("f"),
		"quicklist nodes": hdr.raw(typeListQuicklist2).str("k").raw(len64Bit, 0x10, 0, 0, 0, 0, 0, 0, 0).
			raw(containerPacked).blob(lpOf("a", "b")),
		"listpack blob": hdr.raw(typeHashListpack).str("k").raw(len32Bit, 0x7f, 0xff, 0xff, 0xff).raw(make([]byte, 100)...),
		"intset count":  hdr.raw(typeSetIntset).str("k").blob(slices.Concat(le32(8), le32(-1), le64(1))).end(),
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Load(bytes.NewReader(data), func(Entry) error { return nil })
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Errorf("%s: Load succeeded", name)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4*bufSize {
			t.Errorf("%s: Load allocated %d bytes for a %d-byte stream", name, alloc, len(data))
		}
	}
}

// smallDump is a file with one of each thing the Writer writes.
func smallDump(t testing.TB) []byte {
	return writeAll(t, WriterOptions{}, []Entry{
		{DB: 0, Key: []byte("int"), Value: []byte("-300")},
		{DB: 0, Key: []byte("lzf"), Value: []byte(strings.Repeat("ab", 30))},
		{DB: 0, Key: []byte("expiring"), Value: []byte("v"), ExpireAt: farFuture},
		{DB: 1, Key: []byte("k"), Value: []byte("in db 1")},
	})
}

// TestTruncated cuts files at every offset: each prefix must fail with
// an unexpected EOF at its own length, never succeed or panic.
func TestTruncated(t *testing.T) {
	for name, data := range map[string][]byte{
		"writer":             smallDump(t),
		"redis":              readTestdata(t, "strings.rdb"),
		"redis, collections": readTestdata(t, "collections.rdb"),
		"redis, zsets":       readTestdata(t, "zsets.rdb"),
		"redis, noCRC":       readTestdata(t, "strings-nochecksum-nocompression.rdb"),
	} {
		step := 1
		if len(data) > 5000 {
			step = 37 // the big files: enough offsets to land in every kind of item
		}
		for n := 0; n < len(data); n += step {
			_, err := Load(bytes.NewReader(data[:n]), func(Entry) error { return nil })
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, io.ErrUnexpectedEOF) || e.Offset != int64(n) {
				t.Fatalf("%s cut to %d bytes: %v, want unexpected EOF at offset %d", name, n, err, n)
			}
		}
	}
}

// TestFlipped changes every byte of a file in two ways: Load must fail
// (mostly on the checksum), never succeed or panic.
func TestFlipped(t *testing.T) {
	data := smallDump(t)
	kinds := make(map[string]int)
	for i := range data {
		for _, mask := range []byte{0x01, 0xff} {
			bad := bytes.Clone(data)
			bad[i] ^= mask
			_, err := Load(bytes.NewReader(bad), func(Entry) error { return nil })
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("byte %d ^ %#x: Load = %v, want an *Error", i, mask, err)
			}
			kinds[fmt.Sprint(e.Err)]++
		}
	}
	t.Logf("errors by kind: %v", kinds)
	if kinds[ErrChecksum.Error()] == 0 {
		t.Error("no flip was caught by the checksum")
	}
}
