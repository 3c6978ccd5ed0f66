package frame

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
)

// golden pairs a frame with its canonical RESP3 and RESP2 encodings.
var golden = []struct {
	name  string
	frame Frame
	resp3 string
	resp2 string // "" when the same as resp3
}{
	{"simple", NewSimple("OK"), "+OK\r\n", ""},
	{"error", NewError("ERR syntax error"), "-ERR syntax error\r\n", ""},
	{"integer", NewInteger(-42), ":-42\r\n", ""},
	{"integer min", NewInteger(math.MinInt64), ":-9223372036854775808\r\n", ""},
	{"bulk", NewBulkString("hello"), "$5\r\nhello\r\n", ""},
	{"bulk empty", NewBulkString(""), "$0\r\n\r\n", ""},
	{"bulk binary", NewBulk([]byte("a\r\nb\x00")), "$5\r\na\r\nb\x00\r\n", ""},
	{"null bulk", NewNullBulk(), "_\r\n", "$-1\r\n"},
	{"null array", NewNullArray(), "_\r\n", "*-1\r\n"},
	{"null", NewNull(), "_\r\n", "$-1\r\n"},
	{"array", NewCommand("GET", "k"), "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", ""},
	{"empty array", NewArray(), "*0\r\n", ""},
	{"nested", NewArray(NewInteger(1), NewArray(NewSimple("a"))), "*2\r\n:1\r\n*1\r\n+a\r\n", ""},
	{"true", NewBool(true), "#t\r\n", ":1\r\n"},
	{"false", NewBool(false), "#f\r\n", ":0\r\n"},
	{"double", NewDouble(1.5), ",1.5\r\n", "$3\r\n1.5\r\n"},
	{"double inf", NewDouble(math.Inf(1)), ",inf\r\n", "$3\r\ninf\r\n"},
	{"double -inf", NewDouble(math.Inf(-1)), ",-inf\r\n", "$4\r\n-inf\r\n"},
	{"double nan", NewDouble(math.NaN()), ",nan\r\n", "$3\r\nnan\r\n"},
	{"big number", NewBigNumber(big.NewInt(0).Lsh(big.NewInt(1), 70)), "(1180591620717411303424\r\n", "$22\r\n1180591620717411303424\r\n"},
	{"bulk error", NewBulkError("SYNTAX bad"), "!10\r\nSYNTAX bad\r\n", "-SYNTAX bad\r\n"},
	{"verbatim", NewVerbatim("txt", "Some"), "=8\r\ntxt:Some\r\n", "$4\r\nSome\r\n"},
	{"map", NewMap(NewSimple("k"), NewInteger(1)), "%1\r\n+k\r\n:1\r\n", "*2\r\n+k\r\n:1\r\n"},
	{"set", NewSet(NewInteger(1), NewInteger(2)), "~2\r\n:1\r\n:2\r\n", "*2\r\n:1\r\n:2\r\n"},
	{"push", NewPush(NewBulkString("message")), ">1\r\n$7\r\nmessage\r\n", "*1\r\n$7\r\nmessage\r\n"},
	{"attribute", NewAttribute(NewSimple("ttl"), NewInteger(3)), "|1\r\n+ttl\r\n:3\r\n", ""},
}

func TestAppendGolden(t *testing.T) {
	for _, tc := range golden {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(Append(nil, tc.frame, RESP3)); got != tc.resp3 {
				t.Errorf("RESP3: got %q, want %q", got, tc.resp3)
			}
			want2 := tc.resp2
			if want2 == "" {
				want2 = tc.resp3
			}
			if tc.frame.Type == Attribute {
				want2 = "" // RESP2 clients never see attributes
			}
			if got := string(Append(nil, tc.frame, RESP2)); got != want2 {
				t.Errorf("RESP2: got %q, want %q", got, want2)
			}
		})
	}
}

func TestAppendDoubleText(t *testing.T) {
	tests := []struct {
		text         string
		resp3, resp2 string
	}{
		{"13.36138933897018433", ",13.36138933897018433\r\n", "$20\r\n13.36138933897018433\r\n"},
		{"180", ",180\r\n", "$3\r\n180\r\n"},
		{"-0.5", ",-0.5\r\n", "$4\r\n-0.5\r\n"},
	}
	for _, tt := range tests {
		if got := string(AppendDoubleText(nil, []byte(tt.text), RESP3)); got != tt.resp3 {
			t.Errorf("AppendDoubleText(%q, RESP3) = %q, want %q", tt.text, got, tt.resp3)
		}
		if got := string(AppendDoubleText(nil, []byte(tt.text), RESP2)); got != tt.resp2 {
			t.Errorf("AppendDoubleText(%q, RESP2) = %q, want %q", tt.text, got, tt.resp2)
		}
	}
}

func TestParseGolden(t *testing.T) {
	for _, tc := range golden {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.resp3
			want := tc.frame
			if want.Nil { // "_" reads back as Null, whatever it stood for
				want = NewNull()
			}
			got, n, err := Parse([]byte(in))
			if err != nil {
				t.Fatalf("Parse(%q): %v", in, err)
			}
			if n != len(in) {
				t.Errorf("Parse(%q) consumed %d bytes, want %d", in, n, len(in))
			}
			if !got.Equal(want) {
				t.Errorf("Parse(%q) = %v, want %v", in, got, want)
			}
		})
	}
}

func TestParseRESP2Nulls(t *testing.T) {
	for in, want := range map[string]Frame{
		"$-1\r\n": NewNullBulk(),
		"*-1\r\n": NewNullArray(),
	} {
		got, n, err := Parse([]byte(in))
		if err != nil || n != len(in) || !got.Equal(want) {
			t.Errorf("Parse(%q) = %v, %d, %v; want %v", in, got, n, err, want)
		}
		if round := string(Append(nil, got, RESP2)); round != in {
			t.Errorf("round trip of %q gave %q", in, round)
		}
	}
}

// Every proper prefix of a valid frame is incomplete, never an error, and
// never consumes anything.
func TestParseIncompletePrefixes(t *testing.T) {
	for _, tc := range golden {
		in := tc.resp3
		for i := 0; i < len(in); i++ {
			_, n, err := Parse([]byte(in[:i]))
			if !errors.Is(err, ErrIncomplete) || n != 0 {
				t.Errorf("Parse(%q) = n %d, err %v; want ErrIncomplete", in[:i], n, err)
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{
		"?x\r\n",
		":12a\r\n",
		":+1\r\n",
		":01\r\n",
		"$-2\r\n",
		"$3\r\nabcd\r\n",
		"*-2\r\n",
		"#x\r\n",
		",1.5x\r\n",
		",0x10\r\n",
		"(12a\r\n",
		"=2\r\ntx\r\n",
		"=5\r\ntxt-a\r\n",
		"_x\r\n",
		"+a\rb\r\n",
		"+ab\n",
		"+a\nb\r\n",   // a line holds no LF of its own
		"-ERR\rx\r\n", // nor a CR
		",+inf\r\n",   // hiredis takes only inf, -inf, nan and -nan
		",1e400\r\n",  // overflows to an infinity
		",infinity\r\n",
		",\r\n",
		"(\r\n",
		"(-\r\n",
		"#\r\n",
		"#tt\r\n",
		"%-1\r\n", // only arrays and bulk strings have RESP2's -1
		"~-1\r\n",
		"!-1\r\n",
		"=3\r\ntxt\r\n",
		"$1\r\nab\r\n",
		"*1\r\n?\r\n",
		":" + strings.Repeat("1", 30),          // longer than any integer, CR or not
		"$" + strings.Repeat("1", 30),          // the same for a length
		"*" + strings.Repeat("1", 30) + "\r\n", // and for a count
	} {
		_, _, err := Parse([]byte(in))
		var pe *ProtocolError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q): err = %v, want a *ProtocolError", in, err)
		}
	}
}

func TestParseDoubles(t *testing.T) {
	for in, want := range map[string]float64{
		",1.5\r\n":                    1.5,
		",-0.25\r\n":                  -0.25,
		",1e3\r\n":                    1000,
		",1.5E-3\r\n":                 0.0015,
		",.5\r\n":                     0.5,
		",10\r\n":                     10,
		",inf\r\n":                    math.Inf(1),
		",INF\r\n":                    math.Inf(1),
		",-inf\r\n":                   math.Inf(-1),
		",-Inf\r\n":                   math.Inf(-1),
		",nan\r\n":                    math.NaN(),
		",-nan\r\n":                   math.NaN(),
		",NaN\r\n":                    math.NaN(),
		",1e-400\r\n":                 0, // underflow is not an error, as with strtod
		",5e-324\r\n":                 5e-324,
		",1.7976931348623157e308\r\n": math.MaxFloat64,
	} {
		f, n, err := Parse([]byte(in))
		if err != nil || n != len(in) || !f.Equal(NewDouble(want)) {
			t.Errorf("Parse(%q) = %v, %d, %v; want %v", in, f, n, err, want)
		}
	}
}

func TestParseLimits(t *testing.T) {
	p := Parser{Limits: Limits{MaxBulkLen: 4, MaxMultibulkLen: 2, MaxDepth: 3}}
	for _, in := range []string{
		"$5\r\nabcde\r\n",
		"+abcde\r\n", // lines are bounded by MaxBulkLen too
		"+abcde",     // even before their end arrives
		"*3\r\n:1\r\n:1\r\n:1\r\n",
		"%3\r\n",
		"*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n",
		"*1\r\n*1\r\n*1\r\n*0\r\n",
		"*1\r\n*1\r\n*1\r\n*1\r\n", // too deep before it is complete
	} {
		if _, _, err := p.Parse([]byte(in)); !errors.As(err, new(*ProtocolError)) {
			t.Errorf("Parse(%q) with limits: err = %v, want a protocol error", in, err)
		}
	}
	if _, _, err := p.Parse([]byte("*1\r\n*1\r\n:1\r\n")); err != nil {
		t.Errorf("depth 2 within limit 3: %v", err)
	}
}

// A declared length is never allocated before its bytes arrive, nor are a
// frame's elements before all of them have.
func TestParseHugeDeclaredLengthsDoNotAllocate(t *testing.T) {
	almost := "*100000\r\n" + strings.Repeat("$10\r\n0123456789\r\n", 99999)
	for _, in := range []string{
		"$536870912\r\nab",
		"*2147483647\r\n:1\r\n",
		"%1073741823\r\n",
		"*2\r\n*2000000000\r\n" + strings.Repeat(":1\r\n", 1000),
		almost,
	} {
		buf := []byte(in)
		allocs := testing.AllocsPerRun(10, func() {
			if _, _, err := Parse(buf); !errors.Is(err, ErrIncomplete) {
				t.Fatalf("Parse(%.40q): %v, want ErrIncomplete", in, err)
			}
		})
		if allocs != 0 {
			t.Errorf("Parse(%.40q) allocated %v times", in, allocs)
		}
	}
	// Once complete, the frame costs one allocation: its elements.
	buf := []byte(almost + "$1\r\nx\r\n")
	allocs := testing.AllocsPerRun(2, func() {
		if f, _, err := Parse(buf); err != nil || len(f.Elems) != 100000 {
			t.Fatalf("Parse of 100000 elements: %d elements, %v", len(f.Elems), err)
		}
	})
	if allocs != 1 {
		t.Errorf("Parse of a complete 100000-element array allocated %v times, want 1", allocs)
	}
}

// A Parser fed a frame a few bytes at a time, in a buffer that moves,
// scans each byte a bounded number of times and returns what Parse returns
// for the whole input.
func TestParserIncremental(t *testing.T) {
	var whole []byte
	for _, tc := range golden {
		whole = append(whole, tc.resp3...)
	}
	for _, tc := range debugProtocol {
		whole = append(whole, tc.resp3...)
	}
	nested := Append(nil, NewArray(NewMap(NewSimple("a"), NewSet(NewDouble(1.5), NewArray())), NewPush(NewBulkString(strings.Repeat("x", 300)))), RESP3)
	whole = append(whole, nested...)
	var want []Frame
	for rest := whole; len(rest) > 0; {
		f, n, err := Parse(rest)
		if err != nil {
			t.Fatalf("Parse(%q): %v", rest, err)
		}
		want = append(want, f.Clone())
		rest = rest[n:]
	}
	for _, step := range []int{1, 2, 3, 7, 64} {
		var p Parser
		var got []Frame
		var buf []byte
		for i := 0; i < len(whole); i += step {
			end := min(i+step, len(whole))
			buf = append(append(make([]byte, 0, len(buf)+step), buf...), whole[i:end]...)
			for {
				f, n, err := p.Parse(buf)
				if errors.Is(err, ErrIncomplete) {
					break
				}
				if err != nil {
					t.Fatalf("step %d, after %d bytes: %v", step, end, err)
				}
				got = append(got, f.Clone())
				buf = buf[n:]
			}
		}
		if len(got) != len(want) {
			t.Fatalf("step %d: %d frames, want %d", step, len(got), len(want))
		}
		for i := range want {
			if !got[i].Equal(want[i]) {
				t.Errorf("step %d, frame %d: got %v, want %v", step, i, got[i], want[i])
			}
		}
	}
}

// Resuming makes a frame that arrives in many pieces cost time linear in its
// size: feeding a 10,000-element array one element at a time must not take
// much longer than parsing it whole a few times over.
func TestParserResumeIsLinear(t *testing.T) {
	const elems = 10000
	whole := []byte("*10000\r\n" + strings.Repeat("$5\r\nhello\r\n", elems))
	const elemLen = len("$5\r\nhello\r\n")
	calls := 0
	var p Parser
	for end := len("*10000\r\n") + elemLen; end <= len(whole); end += elemLen {
		calls++
		f, _, err := p.Parse(whole[:end])
		if end < len(whole) {
			if !errors.Is(err, ErrIncomplete) {
				t.Fatalf("at %d: %v", end, err)
			}
			// Progress is remembered: scanning resumes at the next element.
			if p.pos != end {
				t.Fatalf("at %d: resumes at %d", end, p.pos)
			}
			continue
		}
		if err != nil || len(f.Elems) != elems {
			t.Fatalf("complete: %d elements, %v", len(f.Elems), err)
		}
	}
	if calls != elems {
		t.Fatalf("%d calls", calls)
	}
}

// Reset forgets a partial frame, so the Parser can be given other input.
func TestParserReset(t *testing.T) {
	var p Parser
	if _, _, err := p.Parse([]byte("*2\r\n:1\r\n")); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("partial: %v", err)
	}
	p.Reset()
	f, n, err := p.Parse([]byte(":7\r\n"))
	if err != nil || n != 4 || !f.Equal(NewInteger(7)) {
		t.Errorf("after Reset: %v, %d, %v", f, n, err)
	}
}

// Error messages quote at most the start of a malformed line.
func TestParseErrorMessagesAreShort(t *testing.T) {
	_, _, err := Parse([]byte("," + strings.Repeat("1x", 5000) + "\r\n"))
	if err == nil || len(err.Error()) > 100 {
		t.Errorf("error for a 10000-byte double: %.200v (%d bytes)", err, len(err.Error()))
	}
}

func TestCloneDoesNotAlias(t *testing.T) {
	buf := []byte("*1\r\n$3\r\nabc\r\n")
	f, _, err := Parse(buf)
	if err != nil {
		t.Fatal(err)
	}
	c := f.Clone()
	copy(buf, strings.Repeat("x", len(buf)))
	if got := c.Elems[0].Text(); got != "abc" {
		t.Errorf("clone changed with the buffer: %q", got)
	}
}

// Like addReplyErrorFormat, AppendError trims CR and LF at both ends and
// replaces the others with spaces; strings that cannot hold them get the
// same treatment, so no reply can break the framing.
func TestAppendSanitizesLines(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{string(AppendError(nil, "ERR a\r\nb")), "-ERR a  b\r\n"},
		{string(AppendError(nil, "\r\nERR a\n")), "-ERR a\r\n"},
		{string(AppendError(nil, "\r\n")), "-\r\n"},
		{string(Append(nil, NewError("ERR x\ny\r\n"), RESP2)), "-ERR x y\r\n"},
		{string(AppendSimple(nil, "a\r\nb")), "+a  b\r\n"},
		{string(Append(nil, NewSimple("a\nb"), RESP3)), "+a b\r\n"},
		{string(AppendBulkError(nil, "ERR a\nb", RESP2)), "-ERR a b\r\n"},
		{string(AppendBulkError(nil, "ERR a\nb", RESP3)), "!7\r\nERR a\nb\r\n"},
		{string(AppendVerbatim(nil, "markdown", "x", RESP3)), "=5\r\ntxt:x\r\n"},
		{string(Append(nil, Frame{Type: 'Q'}, RESP3)), "-ERR cannot encode frame of type 'Q'\r\n"},
		// Frames that would break the framing if encoded as they are.
		{string(Append(nil, NewMap(NewInteger(1), NewInteger(2), NewInteger(3)), RESP3)), "%1\r\n:1\r\n:2\r\n"},
		{string(Append(nil, NewMap(NewInteger(1), NewInteger(2), NewInteger(3)), RESP2)), "*2\r\n:1\r\n:2\r\n"},
		{string(Append(nil, NewMap(NewInteger(1), NewAttribute(NewInteger(2), NewInteger(3))), RESP2)), "*2\r\n:1\r\n*2\r\n:2\r\n:3\r\n"},
		{string(Append(nil, NewAttribute(NewInteger(2), NewInteger(3)), RESP2)), ""},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestParseInt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"-1", -1, true},
		{"123", 123, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false},
		{"18446744073709551616", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"-0", 0, false},
		{"01", 0, false},
		{"+1", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"1.0", 0, false},
		{"000000000000000000001", 0, false},
	} {
		got, ok := ParseInt([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseInt(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
