package server

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
)

// Differential tests of SLOWLOG: the same commands run on redis-server and
// on this server, with every command logged, and the logs compared. The
// time and the duration of an entry differ between the servers: they are
// checked for plausibility and left out of the comparison, as are the
// client ports; the ids, the arguments (truncated and redacted) and the
// client names are compared exactly.

// slowlogScript is what runs with slowlog-log-slower-than 0. Its replies
// are compared exactly as it goes.
var slowlogScript = []step{
	s("SET k v"),
	s("AUTH secret"),
	s("AUTH user secret"),
	like("HELLO 2 AUTH default pw SETNAME n1"), // the client ids differ
	s("HELLO 2 AUTH"),
	s("ACL SETUSER slowlogged on >secret +@all"), s("ACL DELUSER slowlogged"),
	s("CLIENT SETNAME named"),
	s("CONFIG SET requirepass"),
	q("CONFIG", "SET", "maxmemory", "0", "requirepass", ""),
	s("CONFIG SET nosuch 1 requirepass x"),
	q("SET", "long", strings.Repeat("x", 200)),
	q("SET", "edge", strings.Repeat("y", 128)),
	q(append([]string{"RPUSH", "l"}, strings.Fields(strings.Repeat("a ", 40))...)...),
	q(append([]string{"RPUSH", "l"}, strings.Fields(strings.Repeat("b ", 31))...)...),
	q(append([]string{"RPUSH", "l"}, strings.Fields(strings.Repeat("c ", 30))...)...),
	s("CLIENT SETNAME"),
	s("MULTI"), s("INCR n"), s("SLOWLOG LEN"), s("EXEC"),
	q("EVAL", "return redis.call('get', KEYS[1])", "1", "k"),
	s("SLOWLOG GET -2"), s("SLOWLOG GET x"), s("SLOWLOG GET 1 2"), s("SLOWLOG GET 0"),
	s("SLOWLOG"), s("SLOWLOG nosuch"), s("SLOWLOG LEN x"), s("SLOWLOG RESET x"), s("SLOWLOG HELP"),
	s("SLOWLOG GET 99999999999999999999"),
}

func TestSlowlogAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			ref, got := dialPair(t, redis.Addr, ours, proto)
			for _, c := range []*rawConn{ref, got} {
				c.do("FLUSHALL")
				c.do("CONFIG", "SET", "slowlog-max-len", "128")
				c.do("CONFIG", "SET", "slowlog-log-slower-than", "0")
				c.do("SLOWLOG", "RESET")
			}
			for _, st := range slowlogScript {
				compareStep(t, st, ref, got)
			}
			want, have := slowlogEntries(t, ref), slowlogEntries(t, got)
			if len(want) != len(have) {
				t.Fatalf("SLOWLOG GET -1: redis has %d entries, we have %d:\n redis: %q\n   ours: %q", len(want), len(have), want, have)
			}
			for i := range want {
				if want[i] != have[i] {
					t.Errorf("entry %d:\n redis: %s\n   ours: %s", i, want[i], have[i])
				}
			}

			// The settings: a maximum length trims the oldest entries at the
			// next one, a negative threshold logs nothing.
			for _, st := range []step{
				s("CONFIG SET slowlog-max-len -1"), s("CONFIG SET slowlog-log-slower-than -2"),
				s("CONFIG SET slowlog-max-len 3"), s("SLOWLOG LEN"), s("PING"), s("SLOWLOG LEN"),
				// One name each: a pattern's matches come in the order of
				// Redis's config dict, which its random hash seed decides.
				s("CONFIG GET slowlog-log-slower-than"),
				s("CONFIG GET slowlog-max-len"),
				s("CONFIG SET slowlog-log-slower-than -1"), s("SLOWLOG RESET"), s("PING"), s("SLOWLOG LEN"),
				s("CONFIG SET slowlog-log-slower-than 1000000"), s("PING"), s("SLOWLOG LEN"),
				s("CONFIG SET slowlog-log-slower-than 0"), s("CONFIG SET slowlog-max-len 0"), s("PING"), s("SLOWLOG LEN"),
				s("CONFIG SET slowlog-max-len 128"), s("SLOWLOG LEN"), s("SLOWLOG GET 0"),
			} {
				compareStep(t, st, ref, got)
			}
		})
	}
}

// portPattern finds a client address's port.
var portPattern = regexp.MustCompile(`^(127\.0\.0\.1|\[::1\]):[0-9]+$`)

// slowlogEntries reads c's whole slow log and returns its entries as text,
// the ids counted from the oldest, and the time, duration and client port
// left out once checked.
func slowlogEntries(t *testing.T, c *rawConn) []string {
	t.Helper()
	raw := c.do("SLOWLOG", "GET", "-1")
	f, _, err := frame.Parse([]byte(raw))
	if err != nil || f.Type != frame.Array {
		t.Fatalf("SLOWLOG GET -1: %q (%v)", raw, err)
	}
	var out []string
	var oldest int64
	if n := len(f.Elems); n > 0 && len(f.Elems[n-1].Elems) > 0 {
		oldest = f.Elems[n-1].Elems[0].Int
	}
	now := time.Now().Unix()
	for _, e := range f.Elems {
		if len(e.Elems) != 6 {
			t.Fatalf("entry %s: want 6 fields", e)
		}
		id, when, micros, args, addr, name := e.Elems[0], e.Elems[1], e.Elems[2], e.Elems[3], e.Elems[4], e.Elems[5]
		if id.Type != frame.Integer || when.Type != frame.Integer || micros.Type != frame.Integer ||
			args.Type != frame.Array || addr.Type != frame.BulkString || name.Type != frame.BulkString {
			t.Fatalf("entry %s: wrong field types", e)
		}
		if when.Int < now-60 || when.Int > now+1 {
			t.Errorf("entry %s: time %d, now is %d", e, when.Int, now)
		}
		if micros.Int < 0 || micros.Int > 10_000_000 {
			t.Errorf("entry %s: duration %d µs", e, micros.Int)
		}
		a := addr.Text()
		if portPattern.MatchString(a) {
			a = a[:strings.LastIndexByte(a, ':')] + ":port"
		}
		var words []string
		for _, w := range args.Elems {
			words = append(words, strconv.Quote(w.Text()))
		}
		out = append(out, fmt.Sprintf("id+%d [%s] %s %q", id.Int-oldest, strings.Join(words, " "), a, name.Text()))
	}
	return out
}

func TestSlowlogArgs(t *testing.T) {
	table := newCommandTable()
	many := func(n int) []string { return strings.Fields(strings.Repeat("x ", n)) }
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"get", "k"}, []string{"get", "k"}},
		{[]string{"set", "k", strings.Repeat("v", 129)}, []string{"set", "k", strings.Repeat("v", 128) + "... (1 more bytes)"}},
		{[]string{"set", "k", strings.Repeat("v", 128)}, []string{"set", "k", strings.Repeat("v", 128)}},
		{append([]string{"rpush", "l"}, many(30)...), append([]string{"rpush", "l"}, many(30)...)},
		{append([]string{"rpush", "l"}, many(31)...), append(append([]string{"rpush", "l"}, many(29)...), "... (2 more arguments)")},
		{[]string{"auth", "a", "b"}, []string{"auth", "(redacted)", "(redacted)"}},
		{[]string{"hello", "3", "AUTH", "u", "p"}, []string{"hello", "3", "AUTH", "(redacted)", "(redacted)"}},
		{[]string{"hello", "3", "AUTH", "u"}, []string{"hello", "3", "AUTH", "u"}},
		{[]string{"config", "set", "RequirePass", "p", "masterauth", "q"}, []string{"config", "set", "RequirePass", "(redacted)", "masterauth", "(redacted)"}},
		{[]string{"config", "set", "requirepass"}, []string{"config", "set", "requirepass"}},
	}
	for _, tt := range tests {
		args := make([][]byte, len(tt.args))
		for i, a := range tt.args {
			args[i] = []byte(a)
		}
		cmd, errText := table.resolve(args)
		if cmd == nil {
			t.Fatalf("%q: %s", tt.args, errText)
		}
		var got []string
		for _, a := range slowlogArgs(cmd, args) {
			got = append(got, string(a))
		}
		if strings.Join(got, "\x00") != strings.Join(tt.want, "\x00") {
			t.Errorf("%q:\n got %q\nwant %q", tt.args, got, tt.want)
		}
	}
}

// FuzzSlowlogArgs checks that any command line gives an entry within
// Redis's limits, without panicking.
func FuzzSlowlogArgs(f *testing.F) {
	f.Add("hello\x003\x00auth\x00u\x00p")
	f.Add("config\x00set\x00requirepass\x00x\x00masterauth")
	f.Add("auth")
	table := newCommandTable()
	f.Fuzz(func(t *testing.T, line string) {
		var args [][]byte
		for _, a := range strings.Split(line, "\x00") {
			args = append(args, []byte(a))
		}
		cmd := table.lookup(args[0])
		if cmd == nil {
			return
		}
		if len(args) > 1 && cmd.subcommands != nil {
			if sub := lookupLower(cmd.subcommands, args[1]); sub != nil {
				cmd = sub
			}
		}
		out := slowlogArgs(cmd, args)
		if len(out) != min(len(args), slowlogMaxArgc) {
			t.Fatalf("%d args give %d", len(args), len(out))
		}
		for _, a := range out {
			if len(a) > slowlogMaxString+40 {
				t.Fatalf("argument of %d bytes kept", len(a))
			}
		}
	})
}
