package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
	"go.uber.org/zap"
)

// aofCmd encodes one command as Redis writes it to an append-only file.
func aofCmd(args ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.String()
}

// readAllAOF reads every command of data with aofReader, and the error
// that ended it (io.EOF at a clean end).
func readAllAOF(data []byte) ([][]string, error) {
	r := newAOFReader(bufio.NewReader(bytes.NewReader(data)), 0, int64(len(data)))
	var cmds [][]string
	for {
		args, _, err := r.next()
		if err != nil {
			return cmds, err
		}
		var c []string
		for _, a := range args {
			c = append(c, string(a))
		}
		cmds = append(cmds, c)
	}
}

func TestAOFReader(t *testing.T) {
	set := aofCmd("SET", "k", "v")
	for _, tc := range []struct {
		name    string
		data    string
		want    [][]string
		wantErr string // "" for a clean end, "short" for a short read, else part of the format error
	}{
		{"empty", "", nil, ""},
		{"one", set, [][]string{{"SET", "k", "v"}}, ""},
		{"annotations", "#TS:1700000000\r\n" + set + "#x\n" + set, [][]string{{"SET", "k", "v"}, {"SET", "k", "v"}}, ""},
		{"binary argument", aofCmd("SET", "a\r\nb", ""), [][]string{{"SET", "a\r\nb", ""}}, ""},
		{"lenient numbers", "* 1x\r\n$ +4junk\r\nPING\r\n", [][]string{{"PING"}}, ""},
		{"separator not checked", "*1\r\n$4\r\nPINGxy", [][]string{{"PING"}}, ""},
		{"not a command", "hello\r\n", nil, "expected '*'"},
		{"zero args", "*0\r\n", nil, "bad argument count"},
		{"negative args", "*-1\r\n", nil, "bad argument count"},
		{"no dollar", "*1\r\n:4\r\nPING\r\n", nil, "expected '$'"},
		{"negative length", "*1\r\n$-1\r\n", nil, "bad argument length"},
		{"garbage after a command", set + "xyz\r\n" + set, [][]string{{"SET", "k", "v"}}, "expected '*'"},
		{"star alone at the end", set + "*", [][]string{{"SET", "k", "v"}}, "short"},
		{"count without newline", "*2", nil, "short"},
		{"length past the end", "*1\r\n$100\r\nPING\r\n", nil, "short"},
		{"huge length", "*1\r\n$99999999999999999999\r\n", nil, "short"},
		{"huge count", "*99999999999\r\n$1\r\na\r\n", nil, "short"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAllAOF([]byte(tc.data))
			if !slices.EqualFunc(got, tc.want, slices.Equal) {
				t.Errorf("commands = %q, want %q", got, tc.want)
			}
			var fe *aofFormatError
			switch {
			case tc.wantErr == "":
				if err != io.EOF {
					t.Errorf("err = %v, want a clean end", err)
				}
			case tc.wantErr == "short":
				if !errors.Is(err, errAOFShortRead) {
					t.Errorf("err = %v, want a short read", err)
				}
			case !errors.As(err, &fe) || !strings.Contains(fe.msg, tc.wantErr):
				t.Errorf("err = %v, want a format error %q", err, tc.wantErr)
			}
		})
	}
}

// Every proper prefix of a file of whole commands ends in a short read
// after the commands that fit, never in a format error.
func TestAOFReaderEveryPrefix(t *testing.T) {
	cmds := [][]string{{"SET", "key", "value"}, {"RPUSH", "l", "a", "bb", ""}, {"SELECT", "12"}, {"INCRBYFLOAT", "f", "1.5"}}
	var data string
	var ends []int
	for _, c := range cmds {
		data += aofCmd(c...)
		ends = append(ends, len(data))
	}
	for cut := 0; cut <= len(data); cut++ {
		got, err := readAllAOF([]byte(data[:cut]))
		whole := 0
		for _, e := range ends {
			if e <= cut {
				whole++
			}
		}
		if !slices.EqualFunc(got, cmds[:whole], slices.Equal) {
			t.Fatalf("cut at %d: commands %q, want %q", cut, got, cmds[:whole])
		}
		atEnd := cut == 0 || slices.Contains(ends, cut)
		if atEnd && err != io.EOF || !atEnd && !errors.Is(err, errAOFShortRead) {
			t.Fatalf("cut at %d: err = %v", cut, err)
		}
	}
}

func FuzzAOFReader(f *testing.F) {
	f.Add([]byte(aofCmd("SET", "k", "v") + aofCmd("MULTI") + aofCmd("INCR", "n") + aofCmd("EXEC")))
	f.Add([]byte("#TS:1\r\n*1\r\n$4\r\nPING\r\n"))
	f.Add([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$9999999999\r\n"))
	f.Add([]byte("REDIS0010\xff"))
	f.Add([]byte("*-5\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := newAOFReader(bufio.NewReader(bytes.NewReader(data)), 0, int64(len(data)))
		for i := 0; ; i++ {
			before := r.off
			args, at, err := r.next()
			if r.off > int64(len(data)) || r.off < before || at < before {
				t.Fatalf("offset went from %d to %d (command at %d) in %d bytes", before, r.off, at, len(data))
			}
			if err != nil {
				return
			}
			if len(args) == 0 || r.off == before {
				t.Fatalf("a command of %d arguments from %d bytes", len(args), r.off-before)
			}
		}
	})
}

// aofServer is a server that loaded the append-only file in dir.
type aofServer struct {
	srv  *Server
	addr string
	res  aofLoadResult
}

// loadAOFInDir makes a server in dir, with the wall clock, loads its
// append-only file (appenddirname appendonlydir, appendfilename
// appendonly.aof) and, if that worked, serves it until the test ends.
func loadAOFInDir(t *testing.T, dir string, args ...string) (*aofServer, error) {
	t.Helper()
	cfg, err := loadTestConfig(append([]string{"--save", "", "--dir", dir}, args...))
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(cfg, zap.NewNop())
	res, err := srv.loadAppendOnly(dir, "appendonlydir", "appendonly.aof")
	ln, lerr := net.Listen("tcp", "127.0.0.1:0")
	if lerr != nil {
		t.Fatal(lerr)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Shutdown(context.Background())
		<-done
	})
	return &aofServer{srv: srv, addr: ln.Addr().String(), res: res}, err
}

// describeAll describes every key of every database on c, as two servers
// holding the same data describe it: type, value (sorted where order is
// not the type's), absolute deadline, and a stream's metadata, groups,
// consumers and pending entries (without idle times); and the function
// libraries.
func describeAll(t *testing.T, c *rawConn) string {
	t.Helper()
	var b strings.Builder
	for dbi := 0; dbi < 16; dbi++ {
		c.Do("SELECT", strconv.Itoa(dbi))
		var keys []string
		cursor := "0"
		for {
			r := c.Do("SCAN", cursor, "COUNT", "1000")
			cursor = r.Elems[0].Text()
			keys = append(keys, frameTexts(r.Elems[1])...)
			if cursor == "0" {
				break
			}
		}
		slices.Sort(keys)
		fmt.Fprintf(&b, "db%d: %d keys\n", dbi, len(keys))
		for _, k := range keys {
			typ := c.Do("TYPE", k).Text()
			fmt.Fprintf(&b, "  %q %s expires=%d:", k, typ, c.Do("PEXPIRETIME", k).Int)
			var elems []string
			switch typ {
			case "string":
				elems = []string{c.Do("GET", k).Text()}
			case "list":
				elems = frameTexts(c.Do("LRANGE", k, "0", "-1"))
			case "hash":
				kv := frameTexts(c.Do("HGETALL", k))
				for i := 0; i+1 < len(kv); i += 2 {
					elems = append(elems, kv[i]+"="+kv[i+1])
				}
				slices.Sort(elems)
			case "set":
				elems = frameTexts(c.Do("SMEMBERS", k))
				slices.Sort(elems)
			case "zset":
				elems = frameTexts(c.Do("ZRANGE", k, "0", "-1", "WITHSCORES"))
			case "stream":
				elems = []string{
					c.do("XRANGE", k, "-", "+"),
					fieldsOf(c.Do("XINFO", "STREAM", k), "length", "last-generated-id", "max-deleted-entry-id",
						"entries-added", "recorded-first-entry-id"),
				}
				for _, g := range c.Do("XINFO", "GROUPS", k).Elems {
					name := fieldOf(g, "name")
					elems = append(elems, fieldsOf(g, "name", "consumers", "pending", "last-delivered-id", "entries-read", "lag"))
					for _, cons := range c.Do("XINFO", "CONSUMERS", k, name).Elems {
						elems = append(elems, fieldsOf(cons, "name", "pending"))
					}
					for _, p := range c.Do("XPENDING", k, name, "-", "+", "1000").Elems {
						elems = append(elems, fmt.Sprintf("pending %s %s deliveries=%d",
							p.Elems[0].Text(), p.Elems[1].Text(), p.Elems[3].Int))
					}
				}
			default:
				t.Fatalf("key %q has type %q", k, typ)
			}
			fmt.Fprintf(&b, " %q\n", elems)
		}
	}
	c.Do("SELECT", "0")
	fmt.Fprintf(&b, "functions: %q\n", c.do("FUNCTION", "LIST", "WITHCODE"))
	return b.String()
}

// fieldOf returns the value of name in a RESP2 array of names and values.
func fieldOf(f frame.Frame, name string) string {
	for i := 0; i+1 < len(f.Elems); i += 2 {
		if f.Elems[i].Text() == name {
			v := f.Elems[i+1]
			if v.Type == frame.Integer {
				return strconv.FormatInt(v.Int, 10)
			}
			if v.Type == frame.Null {
				return "nil"
			}
			return v.Text()
		}
	}
	return "?"
}

func fieldsOf(f frame.Frame, names ...string) string {
	var parts []string
	for _, n := range names {
		parts = append(parts, n+"="+fieldOf(f, n))
	}
	return strings.Join(parts, " ")
}

// writeMix writes a mix of every type, deadlines, transactions and
// databases to c; rewrite, if set, is called midway.
func writeMix(t *testing.T, c *rawConn, rewrite func()) {
	t.Helper()
	do := func(want string, args ...string) {
		t.Helper()
		if got := c.do(args...); want != "" && got != want {
			t.Fatalf("%q = %q, want %q", args, got, want)
		}
	}
	do("+OK\r\n", "SET", "s", "plain")
	do("+OK\r\n", "SET", "s:ex", "v", "EX", "1000")
	do("+OK\r\n", "SET", "s:gone", "v", "PX", "1")
	do("", "SETEX", "s:setex", "500", "x")
	do("", "INCRBYFLOAT", "f", "1.1")
	do("", "INCRBYFLOAT", "f", "2.25e3")
	do("", "INCR", "n")
	do("", "APPEND", "s", "+more")
	do("", "RPUSH", "l", "a", "b", "c", "d", "e")
	do("", "LPOP", "l")
	do("", "HSET", "h", "f1", "v1", "f2", "v2", "f3", "v3")
	do("", "HDEL", "h", "f2")
	do("", "SADD", "set", "1", "2", "3", "4", "5", "6", "7")
	do("", "SPOP", "set")
	do("", "SPOP", "set", "2")
	do("", "SADD", "set:s", "alpha", "beta", "gamma")
	do("", "ZADD", "z", "1", "one", "2.5", "two", "-3", "three")
	do("", "ZINCRBY", "z", "10", "one")
	do("", "EXPIRE", "h", "800")
	do("", "PEXPIRE", "l", "900000")
	do("", "XADD", "st", "1-1", "a", "1")
	do("", "XADD", "st", "2-1", "b", "2")
	do("", "XADD", "st", "*", "c", "3")
	do("", "XGROUP", "CREATE", "st", "g1", "0")
	do("", "XGROUP", "CREATE", "st", "g2", "$")
	do("", "XREADGROUP", "GROUP", "g1", "alice", "COUNT", "2", "STREAMS", "st", ">")
	do("", "XACK", "st", "g1", "1-1")
	do("", "XREADGROUP", "GROUP", "g1", "bob", "STREAMS", "st", ">")
	do("", "XDEL", "st", "2-1")
	do("", "FUNCTION", "LOAD", "#!lua name=aoflib\nredis.register_function('f1', function() return 1 end)")
	if rewrite != nil {
		rewrite()
	}
	do("+OK\r\n", "MULTI")
	do("+QUEUED\r\n", "SET", "tx:a", "1")
	do("+QUEUED\r\n", "INCRBY", "tx:a", "41")
	do("+QUEUED\r\n", "RPUSH", "l", "tail")
	do("", "EXEC")
	do("+OK\r\n", "SELECT", "3")
	do("", "SET", "in3", "three", "PX", "600000")
	do("", "HSET", "h3", "x", "y")
	do("+OK\r\n", "SELECT", "9")
	do("", "ZADD", "z9", "5", "five")
	do("", "SET", "in9", "nine")
	do("", "RENAME", "in9", "in9:renamed")
	do("+OK\r\n", "MULTI")
	do("+QUEUED\r\n", "SELECT", "4")
	do("+QUEUED\r\n", "SET", "in4", "via-multi")
	do("+QUEUED\r\n", "SELECT", "9")
	do("", "EXEC")
	do("+OK\r\n", "SELECT", "0")
	do("", "SPOP", "set:s")
	do("", "INCRBYFLOAT", "f", "-0.35")
	do("", "EXPIRE", "s", "100000")
	do("", "PERSIST", "s:ex")
	do("", "DEL", "n")
	do("", "XADD", "st", "MAXLEN", "2", "9-9", "d", "4")
	do("", "XCLAIM", "st", "g1", "carol", "0", "3-0")
	do("", "LMOVE", "l", "l2", "LEFT", "RIGHT")
	do("", "GETDEL", "s:setex")
	time.Sleep(5 * time.Millisecond) // s:gone has expired
	do("", "GET", "s:gone")
}

// TestLoadAOFWrittenByRedis: a directory written by redis-server 7 loads
// here into the data the Redis that wrote it holds.
func TestLoadAOFWrittenByRedis(t *testing.T) {
	for _, tc := range []struct {
		name     string
		preamble string
		rewrite  bool
	}{
		{"rdb preamble, rewritten midway", "yes", true},
		{"commands, rewritten midway", "no", true},
		{"commands, no rewrite", "no", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			redis := redistest.Start(t, "appendonly", "yes", "aof-use-rdb-preamble", tc.preamble, "appendfsync", "always")
			rc := dialRaw(t, redis.Addr)
			var rewrite func()
			if tc.rewrite {
				rewrite = func() { bgrewriteaof(t, rc) }
			}
			writeMix(t, rc, rewrite)
			want := describeAll(t, rc)
			dir := t.TempDir()
			copyDir(t, filepath.Join(redis.Dir, "appendonlydir"), filepath.Join(dir, "appendonlydir"))
			redis.Stop()
			redisCopy := t.TempDir()
			copyDir(t, filepath.Join(dir, "appendonlydir"), filepath.Join(redisCopy, "appendonlydir"))
			base := "appendonly.aof.1.base.aof"
			if tc.rewrite {
				base = "appendonly.aof.2.base.aof"
			}
			if tc.preamble == "yes" {
				base = strings.TrimSuffix(base, "aof") + "rdb"
			}
			if _, err := os.Stat(filepath.Join(dir, "appendonlydir", base)); err != nil {
				t.Fatalf("Redis did not write the base file expected: %v", err)
			}
			s, err := loadAOFInDir(t, dir)
			if err != nil {
				t.Fatal(err)
			}
			if s.res.commands == 0 || s.res.truncated != 0 || s.res.manifest == nil {
				t.Errorf("load result %+v", s.res)
			}
			got := describeAll(t, dialRaw(t, s.addr))
			// With an RDB base, what the Redis that wrote the directory
			// holds. Redis's commands do not carry everything a stream
			// holds: a group's entries-read (XREADGROUP propagates as
			// XCLAIM ... LASTID), the pending entry of a deleted message
			// (a rewrite's XCLAIM of it claims nothing). Redis loses those
			// too when it loads its own commands.
			mask := entriesRead.ReplaceAllString
			if tc.preamble == "yes" && got != want || tc.preamble == "no" && !tc.rewrite && mask(got, "") != mask(want, "") {
				t.Errorf("loaded here:\n%s\nredis:\n%s", got, want)
			}
			// Always exactly what redis-server loads from the same directory.
			again := redistest.Start(t, "appendonly", "yes", "dir", redisCopy)
			if reloaded := describeAll(t, dialRaw(t, again.Addr)); got != reloaded {
				t.Errorf("loaded here:\n%s\nredis loading the same directory:\n%s", got, reloaded)
			}
		})
	}
}

var entriesRead = regexp.MustCompile(`entries-read=\S*`)

// bgrewriteaof rewrites the append-only file and waits for the rewrite to
// end.
func bgrewriteaof(t *testing.T, c *rawConn) {
	t.Helper()
	c.do("BGREWRITEAOF")
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		info := c.do("INFO", "persistence")
		if strings.Contains(info, "aof_rewrite_in_progress:0") && strings.Contains(info, "aof_rewrite_scheduled:0") &&
			strings.Contains(info, "aof_rewrites:1") {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("BGREWRITEAOF did not finish")
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// writeAOFDir writes an append-only directory under dir: a manifest naming
// the files in order (the first one the base when base is set), and
// their contents.
func writeAOFDir(t *testing.T, dir string, base bool, files ...string) []string {
	t.Helper()
	aofDir := filepath.Join(dir, "appendonlydir")
	if err := os.MkdirAll(aofDir, 0o755); err != nil {
		t.Fatal(err)
	}
	var manifest strings.Builder
	var names []string
	seq := 0
	for i, content := range files {
		name, typ := "appendonly.aof.1.base.aof", "b"
		if !base || i > 0 {
			seq++
			name, typ = fmt.Sprintf("appendonly.aof.%d.incr.aof", seq), "i"
		}
		names = append(names, name)
		fmt.Fprintf(&manifest, "file %s seq %d type %s\n", name, max(seq, 1), typ)
		if err := os.WriteFile(filepath.Join(aofDir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(aofDir, "appendonly.aof.manifest"), []byte(manifest.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return names
}

// Nothing expires while loading, as in Redis: a key whose deadline has
// passed still takes the commands after it, and expires after the load.
// The same directory loads into redis-server to the same data.
func TestLoadAOFNothingExpiresWhileLoading(t *testing.T) {
	past := strconv.FormatInt(time.Now().Add(-time.Hour).UnixMilli(), 10)
	future := strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)
	file := aofCmd("SELECT", "0") +
		aofCmd("SET", "gone", "v", "PXAT", past) + aofCmd("APPEND", "gone", "x") +
		aofCmd("INCR", "counter") + aofCmd("PEXPIREAT", "counter", past) + aofCmd("INCR", "counter") +
		aofCmd("SET", "kept", "v", "PXAT", past) + aofCmd("PERSIST", "kept") +
		aofCmd("RPUSH", "later", "a") + aofCmd("PEXPIREAT", "later", future)
	dir := t.TempDir()
	writeAOFDir(t, dir, false, file)
	s, err := loadAOFInDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	got := describeAll(t, dialRaw(t, s.addr))
	if !strings.Contains(got, "db0: 2 keys") || strings.Contains(got, "counter") || strings.Contains(got, "gone") {
		t.Errorf("loaded:\n%s", got)
	}
	redis := redistest.Start(t, "appendonly", "yes", "dir", dir)
	if want := describeAll(t, dialRaw(t, redis.Addr)); got != want {
		t.Errorf("loaded here:\n%s\nredis:\n%s", got, want)
	}
}

// truncationFile is an incremental file whose commands make a transaction
// and a few keys, and the offsets where each command ends.
func truncationFile() (string, []int) {
	cmds := [][]string{
		{"SELECT", "0"}, {"SET", "a", "1"}, {"RPUSH", "l", "x", "y"},
		{"MULTI"}, {"INCR", "a"}, {"HSET", "h", "f", "v"}, {"EXEC"},
		{"SELECT", "2"}, {"SADD", "s", "m1", "m2"}, {"INCRBYFLOAT", "a", "0.5"},
	}
	var data string
	var ends []int
	for _, c := range cmds {
		data += aofCmd(c...)
		ends = append(ends, len(data))
	}
	return data, ends
}

// validPrefix is where a load of file cut at cut truncates it: the end of
// the last whole command, or the start of a transaction cut short.
func validPrefix(data string, ends []int, cut int) int {
	valid, multiAt, inMulti := 0, 0, false
	start := 0
	for _, e := range ends {
		if e > cut {
			break
		}
		cmd := data[start:e]
		if strings.Contains(cmd, "MULTI") {
			inMulti, multiAt = true, start
		}
		if strings.Contains(cmd, "EXEC") {
			inMulti = false
		}
		valid, start = e, e
	}
	if inMulti {
		return multiAt
	}
	return valid
}

// Cutting the last file anywhere: with aof-load-truncated yes the load
// drops the partial command (or transaction), cuts the file there and
// holds what the whole commands wrote; with no it refuses and leaves the
// file alone.
func TestLoadAOFTruncatedTail(t *testing.T) {
	data, ends := truncationFile()
	base := aofCmd("SET", "base", "b")
	wants := map[int]string{} // by valid prefix
	for cut := 0; cut <= len(data); cut++ {
		t.Run(strconv.Itoa(cut), func(t *testing.T) { checkTruncatedAt(t, base, data, ends, cut, wants) })
	}
}

func checkTruncatedAt(t *testing.T, base, data string, ends []int, cut int, wants map[int]string) {
	valid := validPrefix(data, ends, cut)
	want, ok := wants[valid]
	if !ok {
		// The data the whole commands make, loaded from an uncut file.
		wantDir := t.TempDir()
		writeAOFDir(t, wantDir, true, base, data[:valid])
		ws, err := loadAOFInDir(t, wantDir)
		if err != nil {
			t.Fatalf("cut %d: the whole-command prefix: %v", cut, err)
		}
		want = describeAll(t, dialRaw(t, ws.addr))
		wants[valid] = want
	}

	dir := t.TempDir()
	names := writeAOFDir(t, dir, true, base, data[:cut])
	s, err := loadAOFInDir(t, dir)
	if err != nil {
		t.Fatalf("cut %d: %v", cut, err)
	}
	if s.res.truncated != int64(cut-valid) {
		t.Errorf("cut %d: dropped %d bytes, want %d", cut, s.res.truncated, cut-valid)
	}
	if got := describeAll(t, dialRaw(t, s.addr)); got != want {
		t.Errorf("cut %d:\n%s\nwant:\n%s", cut, got, want)
	}
	st, err := os.Stat(filepath.Join(dir, "appendonlydir", names[1]))
	if err != nil || st.Size() != int64(valid) {
		t.Errorf("cut %d: the file is %v bytes (%v), want %d", cut, st.Size(), err, valid)
	}

	if cut == valid {
		return
	}
	noDir := t.TempDir()
	names = writeAOFDir(t, noDir, true, base, data[:cut])
	_, err = loadAOFInDir(t, noDir, "--aof-load-truncated", "no")
	if err == nil || !strings.Contains(err.Error(), "Unexpected end of file reading the append only file "+names[1]) {
		t.Errorf("cut %d with aof-load-truncated no: %v", cut, err)
	}
	if st, _ := os.Stat(filepath.Join(noDir, "appendonlydir", names[1])); st.Size() != int64(cut) {
		t.Errorf("cut %d with aof-load-truncated no: the file was changed to %d bytes", cut, st.Size())
	}
}

// Redis agrees on what a truncated directory loads to, at a few cuts.
func TestLoadAOFTruncatedTailAgainstRedis(t *testing.T) {
	data, ends := truncationFile()
	for _, cut := range []int{ends[1] + 3, ends[3] + 1, ends[4] + 5, ends[5], ends[6] - 2, ends[8] + 10, len(data) - 1} {
		dir := t.TempDir()
		writeAOFDir(t, dir, true, aofCmd("SET", "base", "b"), data[:cut])
		redisDir := t.TempDir()
		copyDir(t, filepath.Join(dir, "appendonlydir"), filepath.Join(redisDir, "appendonlydir"))
		s, err := loadAOFInDir(t, dir)
		if err != nil {
			t.Fatal(err)
		}
		got := describeAll(t, dialRaw(t, s.addr))
		redis := redistest.Start(t, "appendonly", "yes", "dir", redisDir)
		if want := describeAll(t, dialRaw(t, redis.Addr)); got != want {
			t.Errorf("cut %d, loaded here:\n%s\nredis:\n%s", cut, got, want)
		}
		redis.Stop()
	}
}

// Damage that is not a cut tail refuses the load, naming the file and
// where; and the keyspace stays as it was.
func TestLoadAOFErrors(t *testing.T) {
	set := aofCmd("SET", "k", "v")
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"garbage in the middle", func(t *testing.T, dir string) {
			writeAOFDir(t, dir, true, set, set+"xyz\r\n"+set)
		}, "Bad file format reading the append only file appendonly.aof.1.incr.aof (at offset 27: expected '*')"},
		{"garbage in the base", func(t *testing.T, dir string) {
			writeAOFDir(t, dir, true, "*1\r\nPING\r\n", set)
		}, "Bad file format reading the append only file appendonly.aof.1.base.aof (at offset 4: expected '$')"},
		{"unknown command", func(t *testing.T, dir string) {
			writeAOFDir(t, dir, false, set+aofCmd("FOOBAR", "x"))
		}, "Unknown command 'FOOBAR' reading the append only file appendonly.aof.1.incr.aof (at offset 27)"},
		{"wrong arity", func(t *testing.T, dir string) {
			writeAOFDir(t, dir, false, aofCmd("GET"))
		}, "wrong number of arguments for 'get' command"},
		{"truncated file not the last", func(t *testing.T, dir string) {
			writeAOFDir(t, dir, true, set+"*3\r\n$3\r\nSET", set)
		}, "Fatal error: the truncated file is not the last file (appendonly.aof.1.base.aof: 11 bytes after offset 27)"},
		{"missing incr file", func(t *testing.T, dir string) {
			names := writeAOFDir(t, dir, true, set, set)
			os.Remove(filepath.Join(dir, "appendonlydir", names[1]))
		}, "Unable to obtain the AOF file appendonly.aof.1.incr.aof length. stat:"},
		{"bad manifest", func(t *testing.T, dir string) {
			writeAOFDir(t, dir, false, set)
			os.WriteFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"), []byte("file x seq 1\n"), 0o644)
		}, "Invalid AOF manifest file format"},
		{"corrupt rdb base", func(t *testing.T, dir string) {
			writeAOFDir(t, dir, true, "REDIS0010garbage", set)
		}, "Error reading the RDB base file appendonly.aof.1.base.aof, AOF loading aborted"},
		{"corrupt rdb preamble of an old-style file", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "appendonly.aof"), []byte("REDIS0010\xfe\x00\x00"), 0o644)
		}, "Error reading the RDB preamble of the AOF file appendonly.aof, AOF loading aborted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			s, err := loadAOFInDir(t, dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if n := dialRaw(t, s.addr).do("DBSIZE"); n != ":0\r\n" {
				t.Errorf("after the failed load DBSIZE = %q", n)
			}
		})
	}
}

// What loads nothing without an error, as in Redis: no directory, a
// directory without a manifest, and files that are all empty. An empty
// incremental file after others is no error either.
func TestLoadAOFNothingToLoad(t *testing.T) {
	t.Run("no directory", func(t *testing.T) {
		s, err := loadAOFInDir(t, t.TempDir())
		if err != nil || s.res.manifest != nil {
			t.Fatalf("%+v, %v", s.res, err)
		}
	})
	t.Run("no manifest", func(t *testing.T) {
		dir := t.TempDir()
		os.Mkdir(filepath.Join(dir, "appendonlydir"), 0o755)
		if s, err := loadAOFInDir(t, dir); err != nil || s.res.manifest != nil {
			t.Fatalf("%+v, %v", s.res, err)
		}
	})
	t.Run("empty files", func(t *testing.T) {
		dir := t.TempDir()
		writeAOFDir(t, dir, true, "", "")
		s, err := loadAOFInDir(t, dir)
		if err != nil || s.res.manifest == nil || s.res.commands != 0 {
			t.Fatalf("%+v, %v", s.res, err)
		}
	})
	t.Run("empty last incr", func(t *testing.T) {
		dir := t.TempDir()
		writeAOFDir(t, dir, true, aofCmd("SET", "k", "v"), aofCmd("SET", "j", "w"), "")
		s, err := loadAOFInDir(t, dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := dialRaw(t, s.addr).do("DBSIZE"); got != ":2\r\n" {
			t.Errorf("DBSIZE = %q", got)
		}
	})
}

// An old-style single file (Redis before 7.0) in dir, RDB preamble and
// command tail, moves into the directory with a manifest, as Redis 7
// migrates it, and loads.
func TestLoadAOFOldStyle(t *testing.T) {
	// An RDB that Redis wrote, then commands after it.
	redis := redistest.Start(t)
	rc := dialRaw(t, redis.Addr)
	rc.do("SET", "from-rdb", "r", "EX", "1000")
	rc.do("RPUSH", "list", "a", "b")
	rc.do("SAVE")
	rdbData, err := os.ReadFile(filepath.Join(redis.Dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	rc.do("RPUSH", "list", "c")
	rc.do("SELECT", "5")
	rc.do("SET", "tail", "t")
	want := describeAll(t, rc)

	dir := t.TempDir()
	tail := aofCmd("RPUSH", "list", "c") + aofCmd("SELECT", "5") + aofCmd("SET", "tail", "t")
	os.WriteFile(filepath.Join(dir, "appendonly.aof"), append(rdbData, tail...), 0o644)
	s, err := loadAOFInDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := describeAll(t, dialRaw(t, s.addr)); got != want {
		t.Errorf("loaded here:\n%s\nredis:\n%s", got, want)
	}
	if s.res.rdbKeys != 2 || s.res.commands != 3 {
		t.Errorf("result %+v", s.res)
	}
	if _, err := os.Stat(filepath.Join(dir, "appendonly.aof")); err == nil {
		t.Error("the old file is still in dir")
	}
	manifest, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"))
	if err != nil || string(manifest) != "file appendonly.aof seq 1 type b\n" {
		t.Errorf("manifest %q, %v", manifest, err)
	}
	// Loading again finds the migrated directory.
	again, err := loadAOFInDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := describeAll(t, dialRaw(t, again.addr)); got != want {
		t.Errorf("loaded again:\n%s\nredis:\n%s", got, want)
	}
}

// After a load the keyspace's clock is the server's again: a key whose
// deadline passed before the load is gone once it ends.
func TestLoadAOFClockResumes(t *testing.T) {
	past := strconv.FormatInt(time.Now().Add(-time.Minute).UnixMilli(), 10)
	dir := t.TempDir()
	writeAOFDir(t, dir, false, aofCmd("SET", "old", "v", "PXAT", past)+aofCmd("SET", "live", "v"))
	s, err := loadAOFInDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	c := dialRaw(t, s.addr)
	if got := c.do("EXISTS", "old", "live"); got != ":1\r\n" {
		t.Errorf("EXISTS old live = %q", got)
	}
	if got := c.do("SET", "soon", "v", "PX", "50"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	if ttl := c.Do("PTTL", "soon").Int; ttl <= 0 || ttl > 50 {
		t.Errorf("PTTL soon = %d", ttl)
	}
}

// Commands Redis never writes to a file, but a file made by hand may hold,
// load as redis-server loads them: whole-keyspace commands, scripts, a
// blocking command (which does not block), errors inside and outside a
// transaction (ignored), a nested MULTI, a SELECT out of range.
func TestLoadAOFOddCommandsAgainstRedis(t *testing.T) {
	lib := "#!lua name=odd\nredis.register_function('setx', function(keys) return redis.call('set', keys[1], 'fx') end)"
	file := aofCmd("SET", "gone", "1") + aofCmd("FLUSHALL") +
		aofCmd("SET", "a", "1") + aofCmd("SELECT", "1") + aofCmd("SET", "b", "2") + aofCmd("SWAPDB", "0", "1") +
		aofCmd("SELECT", "0") + aofCmd("EVAL", "return redis.call('incrby', KEYS[1], ARGV[1])", "1", "cnt", "5") +
		aofCmd("BLPOP", "nolist", "0") + aofCmd("INCR", "b") + aofCmd("LPUSH", "b", "x") +
		aofCmd("MULTI") + aofCmd("INCR", "cnt") + aofCmd("HSET", "cnt", "f", "v") + aofCmd("MULTI") + aofCmd("SET", "t", "1") + aofCmd("EXEC") +
		aofCmd("SELECT", "99") + aofCmd("SET", "still0", "y") +
		aofCmd("FUNCTION", "LOAD", lib) + aofCmd("FCALL", "setx", "1", "viaf") +
		aofCmd("RPUSH", "src", "3", "1", "2") + aofCmd("SORT", "src", "STORE", "sorted") +
		aofCmd("ZADD", "z", "1", "a", "2", "b") + aofCmd("ZPOPMIN", "z") + aofCmd("COPY", "sorted", "copied") +
		aofCmd("RENAME", "missing", "x") + aofCmd("SET", "s", "v", "NX", "GET") + aofCmd("SETRANGE", "s", "3", "zz") +
		aofCmd("MSET", "m1", "1", "m2", "2") + aofCmd("UNLINK", "m1")
	dir := t.TempDir()
	writeAOFDir(t, dir, true, aofCmd("SET", "base", "x"), file)
	redisDir := t.TempDir()
	copyDir(t, filepath.Join(dir, "appendonlydir"), filepath.Join(redisDir, "appendonlydir"))
	s, err := loadAOFInDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.res.failed == 0 {
		t.Errorf("no command failed: %+v", s.res)
	}
	got := describeAll(t, dialRaw(t, s.addr))
	redis := redistest.Start(t, "appendonly", "yes", "dir", redisDir)
	if want := describeAll(t, dialRaw(t, redis.Addr)); got != want {
		t.Errorf("loaded here:\n%s\nredis:\n%s", got, want)
	}
}

// Relative expiry times, which only a file made by hand holds, count from
// the time of the load, as in Redis (the keyspace's clock is stopped at
// the epoch meanwhile).
func TestLoadAOFRelativeTimes(t *testing.T) {
	file := aofCmd("SET", "ex", "v", "EX", "1000") + aofCmd("SET", "px", "v", "NX", "px", "2000000") +
		aofCmd("SETEX", "setex", "3000", "v") + aofCmd("PSETEX", "psetex", "4000000", "v") +
		aofCmd("SET", "expire", "v") + aofCmd("EXPIRE", "expire", "5000") +
		aofCmd("SET", "pexpire", "v") + aofCmd("PEXPIRE", "pexpire", "6000000", "NX") +
		aofCmd("SET", "getex", "v") + aofCmd("GETEX", "getex", "EX", "7000") +
		aofCmd("SET", "bad", "v") + aofCmd("SETEX", "bad", "-1", "w") + aofCmd("EXPIRE", "bad", "x")
	dir := t.TempDir()
	writeAOFDir(t, dir, false, file)
	s, err := loadAOFInDir(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	c := dialRaw(t, s.addr)
	for i, k := range []string{"ex", "px", "setex", "psetex", "expire", "pexpire", "getex"} {
		want := int64(i+1) * 1000
		if ttl := c.Do("TTL", k).Int; ttl < want-5 || ttl > want {
			t.Errorf("TTL %s = %d, want about %d", k, ttl, want)
		}
	}
	if got := c.do("GET", "bad"); got != "$1\r\nv\r\n" {
		t.Errorf("GET bad = %q", got)
	}
	if ttl := c.Do("TTL", "bad").Int; ttl != -1 {
		t.Errorf("TTL bad = %d", ttl)
	}
}

// The loader, commands and all, never panics on any file: it loads it or
// refuses it.
func FuzzAOFLoad(f *testing.F) {
	f.Add([]byte(aofCmd("SET", "k", "v", "EX", "10") + aofCmd("MULTI") + aofCmd("INCR", "n") + aofCmd("EXEC")))
	f.Add([]byte(aofCmd("SELECT", "3") + aofCmd("SETEX", "k", "5", "v") + aofCmd("EXPIRE", "k", "1", "GT") + "*2\r\n$3"))
	f.Add([]byte(aofCmd("GETEX", "k", "PX", "1") + aofCmd("PSETEX", "k", "x", "v") + aofCmd("MULTI") + aofCmd("MULTI")))
	f.Add([]byte(aofCmd("XADD", "s", "1-1", "a", "b") + aofCmd("XGROUP", "CREATE", "s", "g", "$") + "#TS:1\r\n"))
	cfg, err := loadTestConfig([]string{"--save", "", "--dir", f.TempDir()})
	if err != nil {
		f.Fatal(err)
	}
	srv := newServer(cfg, zap.NewNop())
	f.Cleanup(func() { srv.Shutdown(context.Background()) })
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<12 {
			return
		}
		dir := t.TempDir()
		writeAOFDir(t, dir, false, string(data))
		srv.loadAppendOnlyDir(filepath.Join(dir, "appendonlydir"), "appendonly.aof")
	})
}

// BenchmarkAOFLoad loads a file of 100,000 SETs and RPUSHes.
func BenchmarkAOFLoad(b *testing.B) {
	var file strings.Builder
	for i := range 50_000 {
		k := strconv.Itoa(i)
		file.WriteString(aofCmd("SET", "key:"+k, "value:"+k))
		file.WriteString(aofCmd("RPUSH", "list:"+strconv.Itoa(i%100), k))
	}
	dir := b.TempDir()
	aofDir := filepath.Join(dir, "appendonlydir")
	os.MkdirAll(aofDir, 0o755)
	os.WriteFile(filepath.Join(aofDir, "appendonly.aof.manifest"), []byte("file appendonly.aof.1.incr.aof seq 1 type i\n"), 0o644)
	os.WriteFile(filepath.Join(aofDir, "appendonly.aof.1.incr.aof"), []byte(file.String()), 0o644)
	cfg, err := loadTestConfig([]string{"--save", "", "--dir", dir})
	if err != nil {
		b.Fatal(err)
	}
	srv := newServer(cfg, zap.NewNop())
	b.Cleanup(func() { srv.Shutdown(context.Background()) })
	b.SetBytes(int64(file.Len()))
	for b.Loop() {
		if _, err := srv.loadAppendOnlyDir(aofDir, "appendonly.aof"); err != nil {
			b.Fatal(err)
		}
	}
}
