package rdb

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
	"github.com/mini-redis/mini-redis/internal/redistest/redisconn"
)

// goldenLibrary is the library in testdata/function.rdb.
const goldenLibrary = "#!lua name=lib\nredis.register_function('f', function() return 1 end)"

// libraryCode returns a library's code with n functions: long enough to
// be compressed when n is large.
func libraryCode(name string, n int) string {
	var b strings.Builder
	b.WriteString("#!lua name=" + name + "\n")
	for i := range n {
		b.WriteString("redis.register_function('" + name + "_f" + string(rune('a'+i)) + "', function() return 1 end)\n")
	}
	return b.String()
}

func checkLibraries(t *testing.T, data []byte, wantKeys int, want ...string) {
	t.Helper()
	info, err := Load(bytes.NewReader(data), func(Entry) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range info.Libraries {
		got = append(got, string(l))
	}
	// Redis writes its libraries in its hash table's order.
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("libraries %q, want %q", got, want)
	}
	if info.Keys != wantKeys {
		t.Errorf("%d keys, want %d", info.Keys, wantKeys)
	}
}

// TestRedisFunctions has redis-server save libraries beside a key and
// reads them back; with -update it rewrites testdata/function.rdb.
func TestRedisFunctions(t *testing.T) {
	srv := redistest.Start(t)
	c := redisconn.Dial(t, srv.Addr)
	for _, tc := range []struct {
		name string
		libs []string
	}{
		{"one", []string{goldenLibrary}},
		{"several", []string{libraryCode("a", 1), libraryCode("b", 8), libraryCode("c", 2)}},
		{"none", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.Do("FLUSHALL")
			c.Do("FUNCTION", "FLUSH")
			c.Do("SET", "str", "a string")
			for _, l := range tc.libs {
				if f := c.Do("FUNCTION", "LOAD", l); f.Type == frame.Error {
					t.Fatalf("FUNCTION LOAD: %s", f.Str)
				}
			}
			c.Do("SAVE")
			data, err := os.ReadFile(filepath.Join(srv.Dir, "dump.rdb"))
			if err != nil {
				t.Fatal(err)
			}
			checkLibraries(t, data, 1, tc.libs...)
			if *update && tc.name == "one" {
				writeTestdata(t, "function.rdb", data)
			}
		})
	}
}

func TestGoldenFunctions(t *testing.T) {
	checkLibraries(t, readTestdata(t, "function.rdb"), 1, goldenLibrary)
}

// TestWriteLibrary writes libraries before keys, as Redis does; the file
// passes redis-check-rdb and reads back the same. A library after the keys
// is refused.
func TestWriteLibrary(t *testing.T) {
	libs := []string{libraryCode("a", 1), libraryCode("b", 20), ""}
	for _, opts := range []WriterOptions{{}, {NoCompression: true}} {
		var buf bytes.Buffer
		w := NewWriter(&buf, opts)
		for _, l := range libs {
			if err := w.WriteLibrary([]byte(l)); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.WriteEntry(Entry{Key: []byte("k"), Value: []byte("v")}); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteLibrary([]byte(libs[0])); err == nil || !strings.Contains(err.Error(), "after the keys") {
			t.Errorf("WriteLibrary after a key = %v, want an error", err)
		}
		buf.Reset()
		w = NewWriter(&buf, opts)
		for _, l := range libs {
			w.WriteLibrary([]byte(l))
		}
		w.WriteEntry(Entry{Key: []byte("k"), Value: []byte("v")})
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		checkLibraries(t, buf.Bytes(), 1, libs...)
		if i := bytes.IndexByte(buf.Bytes(), opFunction2); i < 0 || i > bytes.IndexByte(buf.Bytes(), opSelectDB) {
			t.Errorf("no library record before SELECTDB in %q", buf.Bytes())
		}
		checkWithRedisCheckRDB(t, buf.Bytes())
	}
}

// TestFunctionDumpMatchesRedis compares AppendFunctionDump with Redis's
// FUNCTION DUMP of one library (several come in Redis's hash table's
// order), compressed and not, and parses Redis's payload of several.
func TestFunctionDumpMatchesRedis(t *testing.T) {
	srv := redistest.Start(t)
	c := redisconn.Dial(t, srv.Addr)
	for _, code := range []string{goldenLibrary, libraryCode("big", 12)} {
		for _, comp := range []string{"yes", "no"} {
			c.Do("FUNCTION", "FLUSH")
			c.Do("CONFIG", "SET", "rdbcompression", comp)
			c.Do("FUNCTION", "LOAD", code)
			want := c.Do("FUNCTION", "DUMP").Str
			got := AppendFunctionDump([]byte("prefix"), [][]byte{[]byte(code)}, WriterOptions{NoCompression: comp == "no"})
			if !bytes.Equal(got[6:], want) || string(got[:6]) != "prefix" {
				t.Errorf("rdbcompression %s: payload\n %q, Redis's\n %q", comp, got[6:], want)
			}
		}
	}
	c.Do("FUNCTION", "FLUSH")
	c.Do("CONFIG", "SET", "rdbcompression", "yes")
	libs := []string{libraryCode("a", 1), libraryCode("b", 8), libraryCode("c", 2)}
	for _, l := range libs {
		c.Do("FUNCTION", "LOAD", l)
	}
	codes, err := ParseFunctionDump(c.Do("FUNCTION", "DUMP").Str)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, code := range codes {
		got = append(got, string(code))
	}
	slices.Sort(got)
	if !slices.Equal(got, libs) {
		t.Errorf("ParseFunctionDump of Redis's payload = %q, want %q", got, libs)
	}
	// Ours restores in Redis.
	p := AppendFunctionDump(nil, [][]byte{[]byte(libraryCode("d", 3))}, WriterOptions{})
	if f := c.Do("FUNCTION", "RESTORE", string(p)); f.Type != frame.SimpleString {
		t.Errorf("FUNCTION RESTORE in Redis: %v", f)
	}
}

// functionPayload frames records as a FUNCTION DUMP payload of version v.
func functionPayload(v uint16, records ...[]byte) []byte {
	body := bytes.Join(records, nil)
	body = append(body, byte(v), byte(v>>8))
	sum := crcUpdate(0, body)
	return append(body, le64(int64(sum))...)
}

func TestParseFunctionDump(t *testing.T) {
	str := func(s string) []byte { return append(appendLen(nil, uint64(len(s))), s...) }
	rec := func(op byte, parts ...[]byte) []byte { return append([]byte{op}, bytes.Join(parts, nil)...) }
	good := functionPayload(10, rec(opFunction2, str("#!lua name=a\n")))
	for _, tc := range []struct {
		name    string
		payload []byte
		want    []string
		err     error
		msg     string
	}{
		{"empty", functionPayload(10), nil, nil, ""},
		{"one", good, []string{"#!lua name=a\n"}, nil, ""},
		{"two", functionPayload(9, rec(opFunction2, str("x")), rec(opFunction2, str("y"))), []string{"x", "y"}, nil, ""},
		{"pre-GA", functionPayload(10, rec(opFunctionPre, str("n"), str("LUA"), []byte{0}, str("code"))),
			[]string{"#!LUA name=n\ncode"}, nil, ""},
		{"pre-GA with description", functionPayload(10, rec(opFunctionPre, str("n"), str("lua"), []byte{1}, str("d"), str("c"))),
			[]string{"#!lua name=n\nc"}, nil, ""},
		{"pre-GA encoded indicator", functionPayload(10, rec(opFunctionPre, str("n"), str("lua"), []byte{0xc0}, str("c"))),
			[]string{"#!lua name=n\nc"}, nil, ""},
		{"into the footer", functionPayload(10, rec(opFunction2, []byte{3, 'a'})), []string{"a\n\x00"}, nil, ""},
		{"short", []byte("\x0a\x00\x00"), nil, ErrChecksum, ""},
		{"newer", functionPayload(11), nil, ErrChecksum, ""},
		{"checksum", append(good[:len(good)-1:len(good)-1], good[len(good)-1]^1), nil, ErrChecksum, ""},
		{"not a function", functionPayload(10, rec(typeString, str("v"))), nil, ErrCorrupt, "given type is not a function"},
		{"truncated", functionPayload(10, rec(opFunction2, []byte{0x7f, 0xff})), nil, io.ErrUnexpectedEOF, "Failed loading library payload"},
		{"pre-GA name", functionPayload(10, rec(opFunctionPre, []byte{0x7f, 0xff})), nil, io.ErrUnexpectedEOF, "Failed loading library name"},
		{"pre-GA engine", functionPayload(10, rec(opFunctionPre, str("n"), []byte{0xc4})), nil, ErrCorrupt, "Failed loading engine name"},
		{"pre-GA blob", functionPayload(10, rec(opFunctionPre, str("n"), str("e"), []byte{0}, []byte{0x7f, 0xff})), nil,
			io.ErrUnexpectedEOF, "Failed loading library blob"},
		{"pre-GA description", functionPayload(10, rec(opFunctionPre, str("n"), str("e"), []byte{1}, []byte{0x7f, 0xff})), nil,
			io.ErrUnexpectedEOF, "Failed loading library description"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			codes, err := ParseFunctionDump(tc.payload)
			if tc.err != nil {
				var e *Error
				if !errors.Is(err, tc.err) || !errors.As(err, &e) || tc.msg != "" && e.Msg != tc.msg {
					t.Fatalf("ParseFunctionDump = %v, want an *Error wrapping %v saying %q", err, tc.err, tc.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range codes {
				got = append(got, string(c))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("codes %q, want %q", got, tc.want)
			}
		})
	}
}

// FuzzParseFunctionDump feeds arbitrary payloads, with their checksum
// made right (or not), to ParseFunctionDump: it must never panic, fail
// only with an *Error, and what it reads must dump and parse back the
// same.
func FuzzParseFunctionDump(f *testing.F) {
	f.Add([]byte{}, true)
	f.Add([]byte{opFunction2, 3, 'a', 'b', 'c'}, true)
	f.Add([]byte{opFunctionPre, 1, 'n', 3, 'l', 'u', 'a', 0, 1, 'c'}, true)
	f.Add([]byte{opFunction2, 0xc3, 2, 5, 0, 'x'}, false)
	f.Add(AppendFunctionDump(nil, [][]byte{[]byte(libraryCode("z", 9))}, WriterOptions{}), false)
	f.Fuzz(func(t *testing.T, data []byte, frameIt bool) {
		payload := data
		if frameIt {
			payload = functionPayload(10, data)
		}
		codes, err := ParseFunctionDump(payload)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseFunctionDump = %v (%T), want an *Error", err, err)
			}
			return
		}
		again, err := ParseFunctionDump(AppendFunctionDump(nil, codes, WriterOptions{}))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(codes, again, bytes.Equal) {
			t.Fatalf("read back %q, want %q", again, codes)
		}
	})
}

// BenchmarkAppendFunctionDump measures FUNCTION DUMP's payload of a few
// libraries.
func BenchmarkAppendFunctionDump(b *testing.B) {
	codes := [][]byte{[]byte(libraryCode("a", 3)), []byte(libraryCode("b", 12))}
	var buf []byte
	var d Dumper
	b.ReportAllocs()
	for b.Loop() {
		buf = d.AppendFunctionDump(buf[:0], codes, WriterOptions{})
	}
}
