package rdb

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/internal/redistest"
	"github.com/mini-redis/mini-redis/internal/redistest/redisconn"
)

// The files in testdata were written by redis-server 7.0.15. To write
// them again:
//
//	go test ./db/rdb -run 'TestRedis' -update
var update = flag.Bool("update", false, "rewrite testdata/*.rdb with redis-server")

// farFuture is 2100-01-01 in unix milliseconds: expiries in the golden
// files stay in the future as long as the files are used.
const farFuture = 4102444800000

// pseudoRandom returns n bytes that do not compress, the same on every
// run and every Go version.
func pseudoRandom(seed string, n int) []byte {
	var out []byte
	for block := sha256.Sum256([]byte(seed)); len(out) < n; block = sha256.Sum256(block[:]) {
		out = append(out, block[:]...)
	}
	return out[:n]
}

// goldenEntries are the keys of the golden files: every string encoding
// Redis writes (integers of each width and the strings that look like
// integers but are not, short and long raw strings, LZF), with and
// without expiry, in several databases.
func goldenEntries() []Entry {
	var es []Entry
	add := func(db int, key, value string, expireAt int64) {
		es = append(es, Entry{DB: db, Key: []byte(key), Value: []byte(value), ExpireAt: expireAt})
	}
	for i, v := range []string{
		"0", "1", "-1", "127", "-128", "128", "-129", "32767", "-32768", "32768", "-32769",
		"2147483647", "-2147483648", "2147483648", "-2147483649", "12345678901",
		"9223372036854775807", "-9223372036854775808", "18446744073709551616",
		"007", "+5", "-0", " 1", "1 ", "1e3", "0x10", "1.5", "-", "",
	} {
		add(0, "num:"+strconv.Itoa(i), v, 0)
	}
	add(0, "short", "hello world", 0)
	add(0, "binary", "\x00\x01\xff\r\n\x00", 0)
	add(0, "20 x", strings.Repeat("x", 20), 0) // too short for Redis to try LZF
	add(0, "21 x", strings.Repeat("x", 21), 0)
	add(0, "abc*100", strings.Repeat("abc", 100), 0)
	add(0, "text", strings.Repeat("the quick brown fox jumps over the lazy dog ", 30), 0)
	add(0, "random 21", string(pseudoRandom("21", 21)), 0)
	add(0, "random 100", string(pseudoRandom("100", 100)), 0)
	add(0, "random 20000", string(pseudoRandom("20000", 20000)), 0) // 32-bit length
	add(0, "digits*2000", strings.Repeat("0123456789", 2000), 0)
	add(0, "12345", "integer key", 0)
	add(0, "-7", "negative integer key", 0)
	add(0, strings.Repeat("k", 40), "compressed key", 0)
	add(0, "\x00key\xff", "binary key", 0)
	add(0, "expiring", "soon", farFuture)
	add(0, "expiring int", "42", farFuture+1)
	add(0, "expiring long", strings.Repeat("long ", 20), farFuture+2)
	add(1, "a", "in db 1", 0)
	add(1, "b", "expiring in db 1", farFuture+3)
	add(1, "12345", "same key as in db 0", 0)
	add(15, "last", "in the last default db", farFuture+4)
	return es
}

// fillRedis stores es in a running Redis.
func fillRedis(c *redisconn.Conn, es []Entry) {
	for _, e := range es {
		c.Do("SELECT", strconv.Itoa(e.DB))
		c.Do("SET", string(e.Key), string(e.Value))
		if e.ExpireAt != 0 {
			c.Do("PEXPIREAT", string(e.Key), strconv.FormatInt(e.ExpireAt, 10))
		}
	}
	c.Do("SELECT", "0")
}

func entryID(e Entry) string { return fmt.Sprintf("db %d key %q", e.DB, e.Key) }

// checkEntries reads an RDB file with Load and checks that it holds
// exactly the entries want, in any order.
func checkEntries(t *testing.T, data []byte, want []Entry) Info {
	t.Helper()
	got := make(map[string]Entry)
	info, err := Load(bytes.NewReader(data), func(e Entry) error {
		if _, dup := got[entryID(e)]; dup {
			t.Errorf("%s read twice", entryID(e))
		}
		got[entryID(e)] = e
		return nil
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if info.Keys != len(got) {
		t.Errorf("Info.Keys = %d, but the callback saw %d", info.Keys, len(got))
	}
	for _, w := range want {
		g, ok := got[entryID(w)]
		if !ok {
			t.Errorf("%s missing", entryID(w))
			continue
		}
		delete(got, entryID(w))
		if !bytes.Equal(g.Value, w.Value) || g.ExpireAt != w.ExpireAt {
			t.Errorf("%s = %.40q (expires %d), want %.40q (expires %d)", entryID(w), g.Value, g.ExpireAt, w.Value, w.ExpireAt)
		}
	}
	for id := range got {
		t.Errorf("%s read but not written", id)
	}
	return info
}

// goldenVariants are the golden files of strings, with the Redis settings
// that wrote them.
var goldenVariants = []struct {
	file       string
	directives []string
	checksum   bool
}{
	{"strings.rdb", nil, true},
	{"strings-nochecksum-nocompression.rdb", []string{"rdbchecksum", "no", "rdbcompression", "no"}, false},
}

// TestRedisDump has redis-server 7 save the golden entries and reads its
// dump.
func TestRedisDump(t *testing.T) {
	for _, v := range goldenVariants {
		t.Run(v.file, func(t *testing.T) {
			srv := redistest.Start(t, v.directives...)
			c := redisconn.Dial(t, srv.Addr)
			fillRedis(c, goldenEntries())
			data := saveRedisDump(t, srv, c)
			info := checkGolden(t, data, v.checksum)
			if got, want := info.Aux["redis-ver"], srv.Version(t); got != want {
				t.Errorf("redis-ver = %q, want %q", got, want)
			}
			if *update {
				writeTestdata(t, v.file, data)
			}
		})
	}
}

// TestGoldenFiles reads the dumps redis-server wrote, without it.
func TestGoldenFiles(t *testing.T) {
	for _, v := range goldenVariants {
		t.Run(v.file, func(t *testing.T) {
			data := readTestdata(t, v.file)
			info := checkGolden(t, data, v.checksum)
			if got := info.Aux["redis-ver"]; got != "7.0.15" {
				t.Errorf("redis-ver = %q, want 7.0.15", got)
			}
		})
	}
}

func checkGolden(t *testing.T, data []byte, checksum bool) Info {
	t.Helper()
	info := checkEntries(t, data, goldenEntries())
	if info.Version != 10 {
		t.Errorf("Version = %d, want 10", info.Version)
	}
	for _, k := range []string{"redis-bits", "ctime", "used-mem", "aof-base"} {
		if _, err := strconv.ParseInt(info.Aux[k], 10, 64); err != nil {
			t.Errorf("AUX %s = %q, want a number", k, info.Aux[k])
		}
	}
	// The variant without a checksum must really have none, or the test
	// of that path would pass for the wrong reason.
	if sum := data[len(data)-8:]; checksum == bytes.Equal(sum, make([]byte, 8)) {
		t.Errorf("checksum bytes %x; the file should have a checksum: %v", sum, checksum)
	}
	return info
}

// TestModuleUnsupported: a module value (RDB type 7, which Redis
// writes only with the module loaded) stops the Reader with an error
// pointing at its type byte.
func TestModuleUnsupported(t *testing.T) {
	checkUnsupported(t, newFile(10).set("str", "v").raw(7).str("m").raw(0, 0).end(), 7, "unsupported value type 7 (module")
}

func checkUnsupported(t *testing.T, data []byte, code byte, msg string) {
	t.Helper()
	_, err := Load(bytes.NewReader(data), func(Entry) error { return nil })
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrUnsupported) {
		t.Fatalf("Load = %v, want an *Error wrapping ErrUnsupported", err)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("error %q does not say %q", err, msg)
	}
	if e.Offset < 0 || e.Offset >= int64(len(data)) || data[e.Offset] != code {
		t.Errorf("error offset %d does not point at byte %d", e.Offset, code)
	}
	if want := fmt.Sprintf("at offset %d", e.Offset); !strings.HasSuffix(err.Error(), want) {
		t.Errorf("error %q does not end with %q", err, want)
	}
}

// saveRedisDump has the redis-server srv, to which c is connected, SAVE,
// and returns its dump.
func saveRedisDump(t *testing.T, srv *redistest.Server, c *redisconn.Conn) []byte {
	t.Helper()
	c.Do("SAVE")
	data, err := os.ReadFile(filepath.Join(srv.Dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("%v (regenerate with: go test ./db/rdb -run TestRedis -update)", err)
	}
	return data
}

func writeTestdata(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join("testdata", name), data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote testdata/%s (%d bytes)", name, len(data))
}
