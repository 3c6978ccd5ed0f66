package frame

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestRequestParser(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		args []string // nil with n > 0: an empty request
		n    int      // bytes consumed; 0 with err == "": incomplete
		err  string   // the ProtocolError text, or ""
	}{
		{"multibulk", "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", []string{"GET", "k"}, 20, ""},
		{"multibulk then more", "*1\r\n$4\r\nPING\r\n*1\r\n", []string{"PING"}, 14, ""},
		{"binary arg", "*1\r\n$3\r\na\x00b\r\n", []string{"a\x00b"}, 13, ""},
		{"empty bulk", "*1\r\n$0\r\n\r\n", []string{""}, 10, ""},
		{"zero count", "*0\r\n", nil, 4, ""},
		{"negative count", "*-1\r\n", nil, 5, ""},
		{"trailing bytes after bulk unchecked", "*1\r\n$1\r\naXY", []string{"a"}, 11, ""},
		{"byte after CR unchecked", "*1\rX$1\rXa\r\n", []string{"a"}, 11, ""},
		{"incomplete count", "*2", nil, 0, ""},
		{"incomplete count CR", "*2\r", nil, 0, ""},
		{"incomplete bulk", "*1\r\n$5\r\nab", nil, 0, ""},
		{"bad count", "*x\r\n", nil, 0, "invalid multibulk length"},
		{"count plus", "*+1\r\n", nil, 0, "invalid multibulk length"},
		{"count over INT_MAX", "*2147483648\r\n", nil, 0, "invalid multibulk length"},
		{"expected dollar", "*1\r\n:1\r\n", nil, 0, "expected '$', got ':'"},
		{"bad bulk length", "*1\r\n$x\r\n", nil, 0, "invalid bulk length"},
		{"negative bulk length", "*1\r\n$-1\r\n", nil, 0, "invalid bulk length"},
		{"bulk too long", "*1\r\n$536870913\r\n", nil, 0, "invalid bulk length"},
		{"bulk at limit waits", "*1\r\n$536870912\r\n", nil, 0, ""},
		{"too big count line", "*" + strings.Repeat("1", MaxInlineLen+1), nil, 0, "too big mbulk count string"},
		{"too big bulk line", "*1\r\n$" + strings.Repeat("1", MaxInlineLen+1), nil, 0, "too big bulk count string"},
		{"NUL hides CR", "*1\x00\r\n", nil, 0, ""},
		{"inline", "PING\r\n", []string{"PING"}, 6, ""},
		{"inline LF only", "SET a b\n", []string{"SET", "a", "b"}, 8, ""},
		{"inline spaces", "  SET \t a   b  \r\n", []string{"SET", "a", "b"}, 17, ""},
		{"inline quotes", `SET a "b c"` + "\r\n", []string{"SET", "a", "b c"}, 13, ""},
		{"inline escapes", `ECHO "\x41\n\"" 'it\'s'` + "\n", []string{"ECHO", "A\n\"", "it's"}, 24, ""},
		{"inline empty", "\r\n", nil, 2, ""},
		{"inline blank", "   \n", nil, 4, ""},
		{"inline unbalanced", `SET a "b` + "\r\n", nil, 0, "unbalanced quotes in request"},
		{"inline quote not followed by space", `SET "a"b` + "\r\n", nil, 0, "unbalanced quotes in request"},
		{"inline incomplete", "PING", nil, 0, ""},
		{"inline too big", strings.Repeat("a", MaxInlineLen+1), nil, 0, "too big inline request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p RequestParser
			args, n, err := p.Parse([]byte(tc.in), nil)
			switch {
			case tc.err != "":
				var pe *ProtocolError
				if !errors.As(err, &pe) || pe.Reason != tc.err {
					t.Fatalf("err = %v, want Protocol error: %s", err, tc.err)
				}
				return
			case tc.n == 0:
				if !errors.Is(err, ErrIncomplete) {
					t.Fatalf("err = %v, want ErrIncomplete", err)
				}
				return
			case err != nil:
				t.Fatalf("unexpected error %v", err)
			}
			if n != tc.n {
				t.Errorf("consumed %d bytes, want %d", n, tc.n)
			}
			if got := strs(args); !reflect.DeepEqual(got, tc.args) {
				t.Errorf("args = %q, want %q", got, tc.args)
			}
		})
	}
}

func strs(args [][]byte) []string {
	if len(args) == 0 {
		return nil
	}
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = string(a)
	}
	return out
}

// Feeding a pipeline one byte at a time, with the buffer reallocated between
// calls, yields the same requests as parsing it whole.
func TestRequestParserByteAtATime(t *testing.T) {
	in := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\nPING\r\n*0\r\n*1\r\n$4\r\nQUIT\r\n"
	want := [][]string{{"SET", "k", "hello"}, {"PING"}, nil, {"QUIT"}}
	var p RequestParser
	var got [][]string
	var buf []byte
	for i := 0; i < len(in); i++ {
		buf = append(append([]byte{}, buf...), in[i]) // a fresh array each time
		for {
			args, n, err := p.Parse(buf, nil)
			if errors.Is(err, ErrIncomplete) {
				break
			}
			if err != nil {
				t.Fatalf("after %d bytes: %v", i+1, err)
			}
			got = append(got, strs(args))
			buf = buf[n:]
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// An inline request that arrives a byte at a time is searched once: each
// call resumes the search where the last one stopped, at the end of the
// line so far or at a NUL, which the line can never get past.
func TestRequestParserResumesInlineLines(t *testing.T) {
	for _, in := range []string{"GET k", "GET \x00k"} {
		var p RequestParser
		buf := []byte(in)
		for range 100 {
			if _, _, err := p.Parse(buf, nil); !errors.Is(err, ErrIncomplete) {
				t.Fatalf("Parse(%q) = %v, want ErrIncomplete", buf, err)
			}
			want := strings.IndexByte(string(buf), 0)
			if want < 0 {
				want = len(buf)
			}
			if p.scanned != want {
				t.Fatalf("after %q, the search resumes at %d, want %d", buf, p.scanned, want)
			}
			buf = append(buf, '1')
		}
	}
}

// Redis checks its general limits first, then the tighter ones for a client
// that has not authenticated, each with its own text; inline requests are
// not limited.
func TestRequestParserUnauthenticatedLimits(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want error // nil: incomplete
	}{
		{"*11\r\n", ErrUnauthenticatedMultibulkLength},
		{"*2147483648\r\n", ErrInvalidMultibulkLength},
		{"*1\r\n$16385\r\n", ErrUnauthenticatedBulkLength},
		{"*1\r\n$536870913\r\n", ErrInvalidBulkLength},
		{"*1\r\n$-1\r\n", ErrInvalidBulkLength},
		{"*10\r\n$16384\r\n", nil},
		{"*-5\r\n", nil}, // an empty request, not an error
	} {
		p := RequestParser{Limits: Unauthenticated()}
		_, n, err := p.Parse([]byte(tc.in), nil)
		switch {
		case tc.want != nil && err != tc.want:
			t.Errorf("Parse(%q) unauthenticated: err = %v, want %v", tc.in, err, tc.want)
		case tc.want == nil && err != nil && !errors.Is(err, ErrIncomplete):
			t.Errorf("Parse(%q) unauthenticated: unexpected %v (n %d)", tc.in, err, n)
		}
	}
	p := RequestParser{Limits: Unauthenticated()}
	line := "SET k " + strings.Repeat("v", 20000) + " " + strings.Repeat("a ", 20) + "\r\n"
	args, n, err := p.Parse([]byte(line), nil)
	if err != nil || n != len(line) || len(args) != 23 {
		t.Errorf("inline request unauthenticated: %d args, n %d, err %v; want 23 args", len(args), n, err)
	}
}

func TestSplitArgs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		ok   bool
	}{
		{"", nil, true},
		{"a b", []string{"a", "b"}, true},
		{"a\vb", []string{"a\vb"}, true}, // VT separates only between words
		{"\va", []string{"a"}, true},
		{`"a b"`, []string{"a b"}, true},
		{`'a b'`, []string{"a b"}, true},
		{`"\x4a\x4B"`, []string{"JK"}, true},
		{`"\x4g"`, []string{"x4g"}, true},
		{`"\q"`, []string{"q"}, true},
		{`'\n'`, []string{`\n`}, true},
		{`ab"c d"`, []string{"abc d"}, true},
		{`"a"b`, nil, false},
		{`"a`, nil, false},
		{`'a`, nil, false},
		{`"a\`, nil, false},
		{"a\x00b c", []string{"a"}, true},
	} {
		got, ok := SplitArgs([]byte(tc.in), nil)
		if ok != tc.ok || (ok && !reflect.DeepEqual(strs(got), tc.want)) {
			t.Errorf("SplitArgs(%q) = %q, %v; want %q, %v", tc.in, strs(got), ok, tc.want, tc.ok)
		}
	}
}
