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
	} {
		_, _, err := Parse([]byte(in))
		var pe *ProtocolError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q): err = %v, want a *ProtocolError", in, err)
		}
	}
}

func TestParseLimits(t *testing.T) {
	p := Parser{Limits: Limits{MaxBulkLen: 4, MaxMultibulkLen: 2, MaxDepth: 3}}
	for _, in := range []string{
		"$5\r\nabcde\r\n",
		"*3\r\n:1\r\n:1\r\n:1\r\n",
		"*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n",
	} {
		if _, _, err := p.Parse([]byte(in)); !errors.As(err, new(*ProtocolError)) {
			t.Errorf("Parse(%q) with limits: err = %v, want a protocol error", in, err)
		}
	}
	if _, _, err := p.Parse([]byte("*1\r\n*1\r\n:1\r\n")); err != nil {
		t.Errorf("depth 2 within limit 3: %v", err)
	}
}

// A declared length is never allocated before its bytes arrive.
func TestParseHugeDeclaredLengthsDoNotAllocate(t *testing.T) {
	for _, in := range []string{"$536870912\r\nab", "*2147483647\r\n:1\r\n", "%1073741823\r\n"} {
		allocs := testing.AllocsPerRun(10, func() {
			if _, _, err := Parse([]byte(in)); !errors.Is(err, ErrIncomplete) {
				t.Fatalf("Parse(%q): %v, want ErrIncomplete", in, err)
			}
		})
		if allocs > 1 {
			t.Errorf("Parse(%q) allocated %v times", in, allocs)
		}
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

func TestAppendErrorReplacesNewlines(t *testing.T) {
	if got := string(AppendError(nil, "ERR a\r\nb")); got != "-ERR a  b\r\n" {
		t.Errorf("got %q", got)
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
