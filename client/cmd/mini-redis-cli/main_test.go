package main

import (
	"bytes"
	"context"
	"io"
	"math"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
	"github.com/mini-redis/mini-redis/server/servertest"
)

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		f    frame.Frame
		want string
	}{
		{frame.NewSimple("OK"), "OK\n"},
		{frame.NewError("ERR bad"), "(error) ERR bad\n"},
		{frame.NewInteger(3), "(integer) 3\n"},
		{frame.NewBulkString("a\"b\n\x01"), "\"a\\\"b\\n\\x01\"\n"},
		{frame.NewNullBulk(), "(nil)\n"},
		{frame.NewNull(), "(nil)\n"},
		{frame.NewBool(true), "(true)\n"},
		{frame.NewDouble(math.Inf(-1)), "(double) -inf\n"},
		{frame.NewVerbatim("txt", "hi\nthere"), "hi\nthere\n"},
		{frame.NewArray(), "(empty array)\n"},
		{frame.NewSet(), "(empty set)\n"},
		{frame.NewMap(), "(empty hash)\n"},
		{frame.NewArray(frame.NewBulkString("a"), frame.NewInteger(1)), "1) \"a\"\n2) (integer) 1\n"},
		{frame.NewArray(frame.NewArray(frame.NewBulkString("x"), frame.NewBulkString("y")), frame.NewBulkString("z")),
			"1) 1) \"x\"\n   2) \"y\"\n2) \"z\"\n"},
		{frame.NewSet(frame.NewBulkString("a")), "1~ \"a\"\n"},
		{frame.NewMap(frame.NewBulkString("k"), frame.NewInteger(1)), "1# \"k\" => (integer) 1\n"},
		// A value of more than one line starts on a line of its own, as
		// in redis-cli 7.0.15 (MEMORY STATS's "db.0"); one of a single
		// line does not.
		{frame.NewMap(frame.NewBulkString("b"), frame.NewArray(frame.NewInteger(1), frame.NewInteger(2))),
			"1# \"b\" => \n   1) (integer) 1\n   2) (integer) 2\n"},
		{frame.NewMap(frame.NewBulkString("b"), frame.NewArray(frame.NewInteger(1))),
			"1# \"b\" => 1) (integer) 1\n"},
		{frame.NewMap(frame.NewBulkString("c"), frame.NewMap(frame.NewBulkString("x"), frame.NewInteger(1))),
			"1# \"c\" => 1# \"x\" => (integer) 1\n"},
		{frame.NewMap(frame.NewBulkString("c"), frame.NewMap(frame.NewBulkString("x"), frame.NewInteger(1), frame.NewBulkString("y"), frame.NewInteger(2))),
			"1# \"c\" => \n   1# \"x\" => (integer) 1\n   2# \"y\" => (integer) 2\n"},
		{frame.NewMap(frame.NewBulkString("c"), frame.NewMap(frame.NewBulkString("x"), frame.NewArray(frame.NewInteger(1), frame.NewInteger(2)))),
			"1# \"c\" => \n   1# \"x\" => \n      1) (integer) 1\n      2) (integer) 2\n"},
		{frame.NewMap(frame.NewBulkString("d"), frame.NewMap()), "1# \"d\" => (empty hash)\n"},
	} {
		if got := format(tc.f, ""); got != tc.want {
			t.Errorf("format(%v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}

func TestFormatRaw(t *testing.T) {
	for _, tc := range []struct {
		f    frame.Frame
		want string
	}{
		{frame.NewNullBulk(), "\n"},
		{frame.NewError("ERR x"), "ERR x\n\n"},
		{frame.NewArray(frame.NewBulkString("a"), frame.NewInteger(2), frame.NewNullBulk()), "a\n2\n\n"},
		{frame.NewArray(frame.NewDouble(1.5), frame.NewDouble(math.Inf(1)), frame.NewBool(true), frame.NewBool(false)),
			"1.5\ninf\n(true)\n(false)\n"},
		{frame.NewMap(frame.NewBulkString("a"), frame.NewInteger(1), frame.NewBulkString("b"), frame.NewBulkString("v")), "a 1\nb v\n"},
	} {
		if got := formatRaw(tc.f); got != tc.want {
			t.Errorf("formatRaw(%v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}

// replyCases are commands whose replies cover every reply type redis-cli
// prints: EVAL's Lua conversions make the RESP3 types.
var replyCases = [][]string{
	{"get", "foo"},
	{"get", "nope"},
	{"get", "bin"},
	{"lrange", "l", "0", "-1"},
	{"lrange", "nope", "0", "-1"},
	{"lrange", "long", "0", "-1"},
	{"hgetall", "h"},
	{"smembers", "s"},
	{"zscore", "z", "m"},
	{"zrange", "z", "0", "-1", "withscores"},
	{"lpush", "foo", "x"},
	{"nosuchcommand"},
	{"ping"},
	{"echo", ""},
	{"config", "get", "maxmemory-policy"},
	{"eval", "return {1,{2,{3,{'x'}}},'y'}", "0"},
	{"eval", "redis.setresp(3); return {true,false,{double=3.5},{map={a=1,b={1,2},c={map={x=1}}}},{set={'q'}}}", "0"},
	{"eval", "return redis.error_reply('MY err')", "0"},
	{"eval", "return {map={}}", "0"},
	{"eval", "redis.setresp(3); return {map={a={1}, b={map={x=1,y=2}}, c={map={x={1,2}}}, d={map={x=1}}}}", "0"},
	{"eval", "return {verbatim_string={format='txt',string='hi\\nthere'}}", "0"},
}

// replySetup fills the server the read-only replyCases look at.
var replySetup = [][]string{
	{"set", "foo", "bar"},
	{"set", "bin", "a\"b\n\x01\xff"},
	{"rpush", "l", "a", "b", "c"},
	{"rpush", "long", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"},
	{"hset", "h", "f", "v", "g", "w"},
	{"sadd", "s", "m"},
	{"zadd", "z", "1.5", "m"},
}

// TestAgainstRedisCLI runs every case through the real redis-cli and
// through run, against the same redis-server, in both protocols and both
// output styles, and wants the same bytes.
func TestAgainstRedisCLI(t *testing.T) {
	cli := redistest.Require(t, "redis-cli")
	srv := redistest.Start(t)
	host, port, _ := net.SplitHostPort(srv.Addr)
	for _, c := range replySetup {
		if out, err := exec.Command(cli, append([]string{"-h", host, "-p", port}, c...)...).CombinedOutput(); err != nil {
			t.Fatalf("redis-cli %q: %v: %s", c, err, out)
		}
	}
	for _, proto := range [][]string{nil, {"-3"}} {
		for _, style := range []string{"--no-raw", "--raw"} {
			for _, c := range replyCases {
				args := append(append([]string{"-h", host, "-p", port, style}, proto...), c...)
				want, err := exec.Command(cli, args...).Output()
				if err != nil {
					t.Fatalf("redis-cli %q: %v", args, err)
				}
				var got, errOut bytes.Buffer
				if code := run(context.Background(), args, io.NopCloser(strings.NewReader("")), &got, &errOut); code != 0 {
					t.Errorf("run %q: exit %d: %s", args, code, errOut.String())
				}
				if got.String() != string(want) {
					t.Errorf("%q:\n got %q\nwant %q", args, got.String(), want)
				}
			}
		}
	}
}

func TestSplitLine(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []string
		ok   bool
	}{
		{"", []string{}, true},
		{"  set  foo bar ", []string{"set", "foo", "bar"}, true},
		{`set "a b" 'c d'`, []string{"set", "a b", "c d"}, true},
		{`set k "line\nnext\x41\t\"q\""`, []string{"set", "k", "line\nnextA\t\"q\""}, true},
		{`set k 'it\'s \n'`, []string{"set", "k", `it's \n`}, true},
		{`set "unbalanced`, nil, false},
		{`set 'unbalanced`, nil, false},
		{`set "a"b`, nil, false}, // a closing quote must end the argument
		{`get ""`, []string{"get", ""}, true},
	} {
		got, ok := splitLine(tc.line)
		if ok != tc.ok || (ok && strings.Join(got, "\x00") != strings.Join(tc.want, "\x00")) || (ok && len(got) != len(tc.want)) {
			t.Errorf("splitLine(%q) = %q, %v; want %q, %v", tc.line, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzSplitLine checks that splitting never fails on quoted arguments and
// gives them back: what redis-cli prints (AppendQuote) can be typed back.
func FuzzSplitLine(f *testing.F) {
	f.Add("set", "a b", `"x"`)
	f.Add("", "\n\x00\xff", `\`)
	f.Fuzz(func(t *testing.T, a, b, c string) {
		in := []string{a, b, c}
		var line []byte
		for _, s := range in {
			line = frame.AppendQuote(line, []byte(s))
			line = append(line, ' ')
		}
		got, ok := splitLine(string(line))
		if !ok {
			t.Fatalf("splitLine(%q) failed", line)
		}
		if len(got) != 3 || got[0] != a || got[1] != b || got[2] != c {
			t.Fatalf("splitLine(%q) = %q, want %q", line, got, in)
		}
		// And any line at all splits without a panic.
		splitLine(a + b + c)
	})
}

// cli runs the program with args and stdin and returns its output.
func cli(t *testing.T, ctx context.Context, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(ctx, args, io.NopCloser(strings.NewReader(stdin)), &out, &errOut)
	return out.String(), errOut.String(), code
}

func TestOneShotAgainstServertest(t *testing.T) {
	srv := servertest.Start(t, "--requirepass", "pw")
	host, port, _ := net.SplitHostPort(srv.Addr())
	base := []string{"-h", host, "-p", port, "-a", "pw"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"set", "foo", "bar"}, "OK\n"},
		{[]string{"get", "foo"}, "\"bar\"\n"},
		{[]string{"--raw", "get", "foo"}, "bar\n"},
		{[]string{"-n", "2", "get", "foo"}, "(nil)\n"},
		{[]string{"rpush", "l", "a", "b"}, "(integer) 2\n"},
		{[]string{"lrange", "l", "0", "-1"}, "1) \"a\"\n2) \"b\"\n"},
		{[]string{"-3", "hgetall", "nope"}, "(empty hash)\n"},
		{[]string{"incr", "foo"}, "(error) ERR value is not an integer or out of range\n"},
	} {
		out, _, code := cli(t, context.Background(), "", append(append([]string{}, base...), tc.args...)...)
		if code != 0 || out != tc.want {
			t.Errorf("%q: exit %d, output %q; want 0, %q", tc.args, code, out, tc.want)
		}
	}
	// Without the password the server refuses.
	out, _, _ := cli(t, context.Background(), "", "-h", host, "-p", port, "get", "foo")
	if !strings.HasPrefix(out, "(error) NOAUTH") {
		t.Errorf("without -a: %q", out)
	}
}

func TestConnectionRefused(t *testing.T) {
	port, err := redistest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	p := strconv.Itoa(port)
	_, errOut, code := cli(t, context.Background(), "", "-p", p, "ping")
	want := "Could not connect to Redis at 127.0.0.1:" + p + ": Connection refused\n"
	if code != 1 || errOut != want {
		t.Errorf("exit %d, stderr %q; want 1, %q", code, errOut, want)
	}
}

func TestInteractive(t *testing.T) {
	t.Setenv("REDISCLI_HISTFILE", t.TempDir()+"/history")
	srv := servertest.Start(t)
	host, port, _ := net.SplitHostPort(srv.Addr())
	in := "set k \"a\\x41\\n\"\nget k\nset 'bad\n\nselect 3\nget k\nquit\nget k\n"
	out, errOut, code := cli(t, context.Background(), in, "-h", host, "-p", port)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"OK\n", "\"aA\\n\"\n", "Invalid argument(s)\n", "(nil)\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output %q lacks %q", out, want)
		}
	}
	if strings.Count(out, "OK\n") != 2 { // SET and SELECT; nothing after quit
		t.Errorf("output %q: want 2 OKs", out)
	}
}

func TestSubscribe(t *testing.T) {
	srv := servertest.Start(t)
	host, port, _ := net.SplitHostPort(srv.Addr())
	for _, proto := range []string{"--no-raw", "-3"} {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan string)
		go func() {
			out, _, _ := cli(t, ctx, "", "-h", host, "-p", port, proto, "subscribe", "a", "b")
			done <- out
		}()
		// Publish until both subscriptions are in place and the message got through.
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			out, _, _ := cli(t, context.Background(), "", "-h", host, "-p", port, "publish", "b", "hi")
			if out == "(integer) 1\n" {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond)
		cancel()
		out := <-done
		want := "Reading messages... (press Ctrl-C to quit)\n" +
			"1) \"subscribe\"\n2) \"a\"\n3) (integer) 1\n" +
			"1) \"subscribe\"\n2) \"b\"\n3) (integer) 2\n" +
			"1) \"message\"\n2) \"b\"\n3) \"hi\"\n"
		if out != want {
			t.Errorf("%s: output %q, want %q", proto, out, want)
		}
	}
}
