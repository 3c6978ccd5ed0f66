package frame

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// debugProtocol holds what redis-server 7.0.15 answers to DEBUG PROTOCOL
// <type> over RESP2 and RESP3, byte for byte, with the frames that produce
// those bytes. It pins the RESP3 encodings and Redis's RESP2 downgrades;
// TestDebugProtocolMatchesRedis asks a live server again.
var debugProtocol = []struct {
	name   string
	frames []Frame // what Redis sends, in order
	resp2  string  // "" when Redis refuses the type over RESP2
	resp3  string
}{
	{"string", []Frame{NewBulkString("Hello World")},
		"$11\r\nHello World\r\n", "$11\r\nHello World\r\n"},
	{"integer", []Frame{NewInteger(12345)},
		":12345\r\n", ":12345\r\n"},
	{"double", []Frame{NewDouble(3.141)},
		"$5\r\n3.141\r\n", ",3.141\r\n"},
	{"bignum", []Frame{{Type: BigNumber, Str: []byte("1234567999999999999999999999999999999")}},
		"$37\r\n1234567999999999999999999999999999999\r\n", "(1234567999999999999999999999999999999\r\n"},
	{"verbatim", []Frame{NewVerbatim("txt", "This is a verbatim\nstring")},
		"$25\r\nThis is a verbatim\nstring\r\n", "=29\r\ntxt:This is a verbatim\nstring\r\n"},
	{"true", []Frame{NewBool(true)}, ":1\r\n", "#t\r\n"},
	{"false", []Frame{NewBool(false)}, ":0\r\n", "#f\r\n"},
	{"null", []Frame{NewNull()}, "$-1\r\n", "_\r\n"},
	{"attrib", []Frame{
		NewAttribute(NewBulkString("key-popularity"), NewArray(NewBulkString("key:123"), NewInteger(90))),
		NewBulkString("Some real reply following the attribute"),
	},
		"$39\r\nSome real reply following the attribute\r\n",
		"|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n"},
	{"map", []Frame{NewMap(NewInteger(0), NewBool(false), NewInteger(1), NewBool(true), NewInteger(2), NewBool(false))},
		"*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n", "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n"},
	{"set", []Frame{NewSet(NewInteger(0), NewInteger(1), NewInteger(2))},
		"*3\r\n:0\r\n:1\r\n:2\r\n", "~3\r\n:0\r\n:1\r\n:2\r\n"},
	{"push", []Frame{
		NewPush(NewBulkString("server-cpu-usage"), NewInteger(42)),
		NewBulkString("Some real reply following the push reply"),
	},
		"", ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n$40\r\nSome real reply following the push reply\r\n"},
}

func TestDebugProtocolGolden(t *testing.T) {
	for _, tc := range debugProtocol {
		t.Run(tc.name, func(t *testing.T) {
			var got2, got3 []byte
			for _, f := range tc.frames {
				got2 = Append(got2, f, RESP2)
				got3 = Append(got3, f, RESP3)
			}
			if tc.resp2 != "" && string(got2) != tc.resp2 {
				t.Errorf("RESP2: got %q, want %q", got2, tc.resp2)
			}
			if string(got3) != tc.resp3 {
				t.Errorf("RESP3: got %q, want %q", got3, tc.resp3)
			}
			// Redis's bytes parse back into the same frames.
			buf := []byte(tc.resp3)
			for i, want := range tc.frames {
				f, n, err := Parse(buf)
				if err != nil {
					t.Fatalf("parsing frame %d of %q: %v", i, tc.resp3, err)
				}
				if !f.Equal(want) {
					t.Errorf("frame %d parsed as %v, want %v", i, f, want)
				}
				buf = buf[n:]
			}
			if len(buf) != 0 {
				t.Errorf("%q left over", buf)
			}
		})
	}
}

// TestDebugProtocolMatchesRedis asks a live redis-server for the replies in
// debugProtocol, so that the golden bytes cannot drift from the reference.
func TestDebugProtocolMatchesRedis(t *testing.T) {
	srv := redistest.Start(t, "enable-debug-command", "yes")
	for _, proto := range []Protocol{RESP2, RESP3} {
		var in bytes.Buffer
		fmt.Fprintf(&in, "HELLO %d\r\n", proto)
		for _, tc := range debugProtocol {
			fmt.Fprintf(&in, "DEBUG PROTOCOL %s\r\n", tc.name)
		}
		out, _, err := redistest.Exchange(srv.Addr, in.Bytes(), 300*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		// Skip the HELLO reply with our own parser.
		var p Parser
		_, n, err := p.Parse(out)
		if err != nil {
			t.Fatalf("HELLO %d reply %q: %v", proto, out, err)
		}
		out = out[n:]
		for _, tc := range debugProtocol {
			want := tc.resp3
			if proto == RESP2 {
				want = tc.resp2
			}
			if want == "" {
				const refused = "-ERR RESP2 is not supported by this command\r\n"
				if !bytes.HasPrefix(out, []byte(refused)) {
					t.Fatalf("RESP2 DEBUG PROTOCOL %s: got %q, want the refusal", tc.name, out)
				}
				out = out[len(refused):]
				continue
			}
			if !bytes.HasPrefix(out, []byte(want)) {
				t.Fatalf("RESP%d DEBUG PROTOCOL %s: redis sent %q, golden bytes are %q", proto, tc.name, out, want)
			}
			out = out[len(want):]
		}
		if len(out) != 0 {
			t.Errorf("RESP%d: %q left over", proto, out)
		}
	}
}

// goldenDoubles are scores as redis-server 7.0.15 prints them (ZSCORE):
// C's "%.17g".
var goldenDoubles = []struct {
	f    float64
	want string
}{
	{1.1, "1.1000000000000001"},
	{0.1, "0.10000000000000001"},
	{3.141, "3.141"},
	{1e30, "1e+30"},
	{1e-7, "9.9999999999999995e-08"},
	{123456789012345678, "1.2345678901234568e+17"},
	{1e15, "1000000000000000"},
	{1e16, "10000000000000000"},
	{1e17, "1e+17"},
	{5e-324, "4.9406564584124654e-324"},
	{0, "0"},
	{-2.5, "-2.5"},
	{math.Inf(1), "inf"},
	{math.Inf(-1), "-inf"},
}

func TestAppendDoubleGolden(t *testing.T) {
	for _, tc := range goldenDoubles {
		want2 := "$" + strconv.Itoa(len(tc.want)) + "\r\n" + tc.want + "\r\n"
		if got := string(AppendDouble(nil, tc.f, RESP2)); got != want2 {
			t.Errorf("AppendDouble(%v, RESP2) = %q, want %q", tc.f, got, want2)
		}
		want3 := "," + tc.want + "\r\n"
		if got := string(AppendDouble(nil, tc.f, RESP3)); got != want3 {
			t.Errorf("AppendDouble(%v, RESP3) = %q, want %q", tc.f, got, want3)
		}
		// Seventeen digits always read back as the same double.
		f, _, err := Parse([]byte(want3))
		if err != nil || !f.Equal(NewDouble(tc.f)) {
			t.Errorf("Parse(%q) = %v, %v; want %v", want3, f, err, tc.f)
		}
	}
}

// TestAppendDoubleMatchesRedis stores random scores in a live redis-server
// and compares its ZSCORE replies, RESP2 and RESP3, with AppendDouble.
func TestAppendDoubleMatchesRedis(t *testing.T) {
	srv := redistest.Start(t)
	rng := rand.New(rand.NewSource(7))
	vals := make([]float64, 0, 300)
	for _, tc := range goldenDoubles {
		vals = append(vals, tc.f)
	}
	for len(vals) < cap(vals) {
		switch len(vals) % 3 {
		case 0:
			if f := math.Float64frombits(rng.Uint64()); !math.IsNaN(f) {
				vals = append(vals, f)
			}
		case 1:
			vals = append(vals, rng.NormFloat64()*math.Pow(10, float64(rng.Intn(40)-20)))
		default:
			vals = append(vals, float64(rng.Int63n(1e18))/math.Pow(10, float64(rng.Intn(20))))
		}
	}
	var in, want []byte
	for i, f := range vals {
		member := strconv.Itoa(i)
		score := strconv.FormatFloat(f, 'g', -1, 64)
		in = AppendCommand(in, []byte("ZADD"), []byte("z"), []byte(score), []byte(member))
		want = AppendInt(want, 1)
		in = AppendCommand(in, []byte("ZSCORE"), []byte("z"), []byte(member))
		want = AppendDouble(want, f, RESP2)
	}
	in = AppendCommand(in, []byte("HELLO"), []byte("3"))
	for i, f := range vals {
		in = AppendCommand(in, []byte("ZSCORE"), []byte("z"), []byte(strconv.Itoa(i)))
		want = AppendDouble(want, f, RESP3)
	}
	out, _, err := redistest.Exchange(srv.Addr, in, 500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	// Cut the HELLO reply out of redis's answer before comparing.
	hello := bytes.Index(out, []byte("%7\r\n"))
	if hello < 0 {
		t.Fatalf("no HELLO reply in %q", out)
	}
	_, n, err := Parse(out[hello:])
	if err != nil {
		t.Fatalf("HELLO reply: %v", err)
	}
	out = append(out[:hello:hello], out[hello+n:]...)
	if !bytes.Equal(out, want) {
		for len(out) > 0 && len(want) > 0 {
			f1, n1, err1 := Parse(out)
			f2, n2, _ := Parse(want)
			if err1 != nil || !bytes.Equal(out[:n1], want[:n2]) {
				t.Fatalf("first difference: redis %q (%v), AppendDouble %q (%v)", out[:n1], f1, want[:n2], f2)
			}
			out, want = out[n1:], want[n2:]
		}
		t.Fatalf("lengths differ: %d bytes left from redis, %d from us", len(out), len(want))
	}
}

// requestErrors are inputs that break the protocol, with the error the
// RequestParser gives; TestRequestErrorsMatchRedis checks that redis-server
// replies "-ERR " and exactly that text, and closes the connection.
var requestErrors = []struct {
	name   string
	in     string
	auth   bool // sent to a server with requirepass, unauthenticated
	reason string
}{
	{"count not a number", "*x\r\n", false, "invalid multibulk length"},
	{"count with plus", "*+1\r\n", false, "invalid multibulk length"},
	{"count with leading zero", "*01\r\n", false, "invalid multibulk length"},
	{"count minus zero", "*-0\r\n", false, "invalid multibulk length"},
	{"count empty", "*\r\n", false, "invalid multibulk length"},
	{"count with space", "*1 \r\n", false, "invalid multibulk length"},
	{"count over INT_MAX", "*2147483648\r\n", false, "invalid multibulk length"},
	{"count over int64", "*99999999999999999999\r\n", false, "invalid multibulk length"},
	{"bulk length not a number", "*1\r\n$x\r\n", false, "invalid bulk length"},
	{"bulk length negative", "*1\r\n$-1\r\n", false, "invalid bulk length"},
	{"bulk length empty", "*1\r\n$\r\n", false, "invalid bulk length"},
	{"bulk length leading zero", "*1\r\n$04\r\nPING\r\n", false, "invalid bulk length"},
	{"bulk length over proto-max-bulk-len", "*1\r\n$536870913\r\n", false, "invalid bulk length"},
	{"bulk length two billion", "*1\r\n$2000000000\r\n", false, "invalid bulk length"},
	{"integer instead of bulk", "*1\r\n:1\r\n", false, "expected '$', got ':'"},
	{"simple string instead of bulk", "*1\r\n+PING\r\n", false, "expected '$', got '+'"},
	{"empty line instead of bulk", "*1\r\n\r\n", false, "expected '$', got '\r'"},
	{"bulk longer than declared", "*2\r\n$3\r\nSETx\r\n$1\r\nk\r\n", false, "expected '$', got '\n'"},
	{"count line over 64KB", "*" + strings.Repeat("1", MaxInlineLen+10), false, "too big mbulk count string"},
	{"bulk length line over 64KB", "*1\r\n$" + strings.Repeat("1", MaxInlineLen+10), false, "too big bulk count string"},
	{"inline over 64KB", strings.Repeat("a", 100<<10), false, "too big inline request"},
	{"inline NUL then 64KB", "\x00" + strings.Repeat("a", 100<<10) + "\r\n", false, "too big inline request"},
	{"unbalanced double quote", "ECHO \"abc\r\n", false, "unbalanced quotes in request"},
	{"unbalanced single quote", "ECHO 'abc\r\n", false, "unbalanced quotes in request"},
	{"closing quote then a letter", "ECHO \"a\"b\r\n", false, "unbalanced quotes in request"},
	{"backslash at end of quotes", "ECHO \"a\\\r\n", false, "unbalanced quotes in request"},
	{"unauthenticated count", "*11\r\n", true, "unauthenticated multibulk length"},
	{"unauthenticated bulk", "*1\r\n$16385\r\n", true, "unauthenticated bulk length"},
	{"unauthenticated but over the general limit", "*1\r\n$536870913\r\n", true, "invalid bulk length"},
}

func TestRequestErrorsParse(t *testing.T) {
	for _, tc := range requestErrors {
		p := RequestParser{}
		if tc.auth {
			p.Limits = Unauthenticated()
		}
		var err error
		buf := []byte(tc.in)
		for err == nil {
			var n int
			_, n, err = p.Parse(buf, nil)
			buf = buf[n:]
		}
		var pe *ProtocolError
		if !errors.As(err, &pe) || pe.Reason != tc.reason {
			t.Errorf("%s: Parse(%.40q) = %v, want Protocol error: %s", tc.name, tc.in, err, tc.reason)
		}
	}
}

func TestRequestErrorsMatchRedis(t *testing.T) {
	open := redistest.Start(t)
	// redistest.Start waits for a PING that a requirepass server refuses,
	// so the password is set once the server is up.
	locked := redistest.Start(t)
	if out, _, err := redistest.Exchange(locked.Addr, []byte("CONFIG SET requirepass secret\r\n"), 200*time.Millisecond); err != nil || string(out) != "+OK\r\n" {
		t.Fatalf("CONFIG SET requirepass: %q, %v", out, err)
	}
	for _, tc := range requestErrors {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr := open.Addr
			if tc.auth {
				addr = locked.Addr
			}
			out, closed, err := redistest.Exchange(addr, []byte(tc.in), 200*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			// The reply is what a server sends for the ProtocolError.
			want := string(AppendError(nil, "ERR "+(&ProtocolError{Reason: tc.reason}).Error()))
			if string(out) != want || !closed {
				t.Errorf("redis replied %q (closed %v), want %q and a closed connection", out, closed, want)
			}
		})
	}
}
