package frame

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// The fuzz targets' seed corpora are the inputs below plus the files in
// testdata/fuzz/<FuzzName>, which hold every crasher found so far. Run one
// with, e.g.:
//
//	go test -run='^$' -fuzz=FuzzParse -fuzztime=10m ./frame

// allocated runs f and reports the heap allocations it made, in bytes and
// in objects. The counts are the runtime's, so a goroutine allocating at
// the same time would be counted too; callers measure again before
// concluding anything from a large figure.
func allocated(f func()) (bytes, objects uint64) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, after.Mallocs - before.Mallocs
}

// withinAllocBudget reports whether f stays within budget bytes, measuring
// up to three times so that an unrelated allocation cannot fail the check.
func withinAllocBudget(f func(), budget uint64) (uint64, bool) {
	var got uint64
	for try := 0; try < 3; try++ {
		if got, _ = allocated(f); got <= budget {
			return got, true
		}
	}
	return got, false
}

var frameSize = uint64(unsafe.Sizeof(Frame{}))

func fuzzParseSeeds(f *testing.F) {
	for _, tc := range golden {
		f.Add([]byte(tc.resp3), []byte{3})
		f.Add([]byte(tc.resp2), []byte{1, 5})
	}
	for _, tc := range debugProtocol {
		f.Add([]byte(tc.resp3), []byte{2, 200})
	}
	for _, s := range []string{
		"$-1\r\n", "*-1\r\n", "$2000000000\r\n", "*2147483647\r\n:1\r\n", "%1073741823\r\n",
		"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n",
		"*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n",
		",1.1000000000000001\r\n", ",-nan\r\n", ",INF\r\n", "(+12\r\n", "=4\r\nmkd:\r\n",
		"+a\rb\r\n", "+ab\n", ":01\r\n", "?\r\n", "",
	} {
		f.Add([]byte(s), []byte{})
	}
}

// FuzzParse checks that the general parser never panics, never allocates
// more than the elements it returns (so nothing for a declared length), that
// what it parses re-encodes to bytes that parse to the same frame (and
// re-encode to themselves: canonical bytes round-trip), that feeding the
// input in pieces gives the same result as parsing it whole, and that
// Limits are enforced.
func FuzzParse(f *testing.F) {
	fuzzParseSeeds(f)
	f.Fuzz(func(t *testing.T, data, splits []byte) {
		whole, n, err := Parse(data)
		if err != nil {
			whole = Frame{}
			var pe *ProtocolError
			if !errors.Is(err, ErrIncomplete) && !errors.As(err, &pe) {
				t.Fatalf("Parse(%q): error %v is neither ErrIncomplete nor a *ProtocolError", data, err)
			}
			if n != 0 {
				t.Fatalf("Parse(%q) consumed %d bytes with error %v", data, n, err)
			}
		} else if n <= 0 || n > len(data) {
			t.Fatalf("Parse(%q) consumed %d bytes", data, n)
		}
		st := stats(whole)

		// Allocations: on success one slice per non-empty aggregate, sized
		// to the elements actually present; an error value on error; and
		// whatever the input, the bookkeeping for nesting past 8 levels.
		// Nothing depends on a declared length.
		budget := uint64(16 * DefaultMaxDepth)
		switch {
		case err == nil:
			budget += 2 * frameSize * uint64(st.elems)
		case !errors.Is(err, ErrIncomplete):
			budget += 1024 // an error value, its message quoting at most 32 bytes
		}
		if got, ok := withinAllocBudget(func() { Parse(data) }, budget); !ok {
			t.Fatalf("Parse(%.64q) allocated %d bytes, budget %d (%d elements, err %v)", data, got, budget, st.elems, err)
		}

		// Fed in pieces to one Parser, with the buffer moving each time.
		var p Parser
		var buf []byte
		var got Frame
		var gotN int
		gotErr := ErrIncomplete
		for i, end := 0, 0; end < len(data) && errors.Is(gotErr, ErrIncomplete); i++ {
			step := 1
			if i < len(splits) {
				step += int(splits[i])
			} else {
				step = len(data)
			}
			end = min(end+step, len(data))
			buf = append(make([]byte, 0, end), data[:end]...)
			got, gotN, gotErr = p.Parse(buf)
		}
		if len(data) == 0 {
			got, gotN, gotErr = p.Parse(data)
		}
		if errString(gotErr) != errString(err) || gotN != n || (err == nil && !got.Equal(whole)) {
			t.Fatalf("Parse(%q) whole: %v, %d, %v; in pieces %v: %v, %d, %v", data, whole, n, err, splits, got, gotN, gotErr)
		}
		if err != nil {
			return
		}

		// RESP3 re-encoding parses back to the same frame, RESP2 nulls
		// becoming RESP3's null, and is a fixed point.
		enc := Append(nil, whole, RESP3)
		back, m, err := Parse(enc)
		if err != nil || m != len(enc) || !back.Equal(resp3Null(whole)) {
			t.Fatalf("Parse(Append(%q)) = Parse(%q) = %v, %d, %v; want %v", data[:n], enc, back, m, err, whole)
		}
		if again := Append(nil, back, RESP3); !bytes.Equal(again, enc) {
			t.Fatalf("canonical %q re-encoded as %q", enc, again)
		}
		// RESP2's downgrade is a fixed point too (attributes vanish).
		enc2 := Append(nil, whole, RESP2)
		if len(enc2) > 0 {
			back2, m, err := Parse(enc2)
			if err != nil || m != len(enc2) {
				t.Fatalf("RESP2 encoding %q of %q: %d, %v", enc2, data[:n], m, err)
			}
			if again := Append(nil, back2, RESP2); !bytes.Equal(again, enc2) {
				t.Fatalf("RESP2 %q re-encoded as %q", enc2, again)
			}
		}

		// Tight limits: what they accept is within them, and what is
		// within them they accept.
		lim := Limits{MaxBulkLen: 8, MaxMultibulkLen: 3, MaxDepth: 2}
		small := Parser{Limits: lim}
		sf, sn, serr := small.Parse(data)
		if serr == nil {
			if !sf.Equal(whole) || sn != n {
				t.Fatalf("with limits %+v: %v, %d; without: %v, %d", lim, sf, sn, whole, n)
			}
			if !st.within(lim) {
				t.Fatalf("limits %+v accepted %v (%+v)", lim, sf, st)
			}
		} else if st.within(lim) {
			t.Fatalf("limits %+v refused %v (%+v): %v", lim, whole, st, serr)
		}
	})
}

// frameStats are what Limits bound in a frame.
type frameStats struct {
	elems    int // frames inside aggregates, at any depth
	maxLen   int // longest string payload or declared blob length
	maxCount int // largest declared count (pairs, for maps)
	depth    int // nesting of aggregates
}

func stats(f Frame) frameStats {
	var s frameStats
	l := len(f.Str)
	if f.Type == Verbatim {
		l += 4
	}
	s.maxLen = l
	if !f.Type.IsAggregate() || f.Nil {
		return s
	}
	s.depth = 1
	s.elems = len(f.Elems)
	s.maxCount = len(f.Elems)
	if f.Type == Map || f.Type == Attribute {
		s.maxCount /= 2
	}
	for _, e := range f.Elems {
		es := stats(e)
		s.elems += es.elems
		s.maxLen = max(s.maxLen, es.maxLen)
		s.maxCount = max(s.maxCount, es.maxCount)
		s.depth = max(s.depth, es.depth+1)
	}
	return s
}

func (s frameStats) within(l Limits) bool {
	return int64(s.maxLen) <= l.MaxBulkLen && int64(s.maxCount) <= l.MaxMultibulkLen && s.depth <= l.MaxDepth
}

// resp3Null returns f as it reads back after RESP3 encoding: RESP2's null
// bulk string and null array are both RESP3's null.
func resp3Null(f Frame) Frame {
	if f.Nil {
		return NewNull()
	}
	if f.Elems != nil {
		elems := make([]Frame, len(f.Elems))
		for i, e := range f.Elems {
			elems[i] = resp3Null(e)
		}
		f.Elems = elems
	}
	return f
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// reqResult is one outcome of RequestParser.Parse: a request (args), an
// empty request (args nil, err ""), or the error that stopped parsing.
type reqResult struct {
	args  []string
	err   error
	multi bool // the request was a multibulk one
}

func (r reqResult) String() string {
	if r.err != nil {
		return "error " + r.err.Error()
	}
	return fmt.Sprintf("%q", r.args)
}

// parseRequests parses every complete request at the start of buf and
// returns them, with the bytes consumed.
func parseRequests(p *RequestParser, buf []byte, args [][]byte) (out []reqResult, n int) {
	for {
		multi := len(buf) > n && buf[n] == '*'
		a, m, err := p.Parse(buf[n:], args)
		if errors.Is(err, ErrIncomplete) {
			if m != 0 {
				panic("ErrIncomplete with bytes consumed")
			}
			return out, n
		}
		if err != nil {
			return append(out, reqResult{err: err, multi: multi}), n
		}
		if m <= 0 {
			panic("request of " + strconv.Itoa(m) + " bytes")
		}
		n += m
		out = append(out, reqResult{args: strs(a), multi: multi})
	}
}

// tooBig reports whether err is one of the errors Redis gives when 64 KB
// arrive without a line end: when they come, depends on how the input
// was split into reads.
func tooBig(err error) bool {
	return err == ErrTooBigInline || err == ErrTooBigMbulkCount || err == ErrTooBigBulkCount
}

func fuzzRequestSeeds(f *testing.F) {
	for _, s := range []string{
		"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n",
		"PING\r\n*1\r\n$4\r\nPING\r\nECHO \"a b\\x41\\n\" 'c\\'d'\n\r\n*0\r\n*-1\r\n",
		"*1\rX$1\rXaXY*1\r\n$4\r\nQUIT\r\n",
		"*2147483647\r\n$2000000000\r\n",
		"*2\r\n$3\r\nSETx\r\n$1\r\nk\r\n",
		"*11\r\n", "*1\r\n$16385\r\n", "*1\x00\r\n", "\x00PING\r\n", "ECHO a\x00b\r\n",
		"SET \"a\"b\r\n", "SET 'a\r\n", "*x\r\n", "*1\r\n:1\r\n", "*1\r\n$-1\r\n",
		// Lengths at the edges of what the one-pass parse of a whole
		// request takes (plainLength): leading zeros, signs, 18 and 19
		// digits, an empty bulk, a line without the byte after its CR.
		"*02\r\n$1\r\na\r\n$1\r\nb\r\n", "*1\r\n$01\r\na\r\n", "*1\r\n$+1\r\na\r\n",
		"*+1\r\n$1\r\na\r\n", "*-0\r\n", "*1\r\n$0\r\n\r\n", "*1\r\n$\r\n\r\n", "*\r\n",
		"*1\r\n$999999999999999999\r\n", "*1\r\n$9999999999999999999\r\n",
		"*1\r\n$1\r", "*1\r", "*1\r\n$1\r\nab", "*1\r\n$1\rXaXY", "*2\r\n$1\r\na\r\n$1\x00\r\nb\r\n",
	} {
		f.Add([]byte(s), []byte{0, 3, 1, 250})
	}
	for _, tc := range requestErrors {
		if len(tc.in) < 1000 {
			f.Add([]byte(tc.in), []byte{2})
		}
	}
}

// FuzzRequestParser checks that the request parser never panics, that
// feeding the input in random pieces (with the buffer moving between calls)
// yields the same requests and error as parsing it whole, that the requests
// re-encode with AppendCommand into bytes that parse back to them, that the
// unauthenticated limits apply as Redis applies them, and that allocation
// stays proportional to the input, whatever lengths it declares.
func FuzzRequestParser(f *testing.F) {
	fuzzRequestSeeds(f)
	f.Fuzz(func(t *testing.T, data, splits []byte) {
		var p RequestParser
		whole, _ := parseRequests(&p, data, nil)

		// The parser's own allocations (argument slices, offsets, copies of
		// quoted arguments) grow with the bytes present, never with the
		// lengths declared.
		budget := uint64(1024 + 64*len(data))
		if got, ok := withinAllocBudget(func() {
			var p RequestParser
			var args [][]byte
			for buf := data; ; {
				a, n, err := p.Parse(buf, args)
				if err != nil {
					return
				}
				args, buf = a, buf[n:]
			}
		}, budget); !ok {
			t.Fatalf("parsing %.64q allocated %d bytes, budget %d", data, got, budget)
		}

		// In pieces.
		var q RequestParser
		var pieces []reqResult
		var pending []byte
		args := make([][]byte, 0, 2)
		for i, start := 0, 0; start < len(data); i++ {
			step := len(data)
			if i < len(splits) {
				step = 1 + int(splits[i])
			}
			end := min(start+step, len(data))
			pending = append(append(make([]byte, 0, len(pending)+end-start), pending...), data[start:end]...)
			start = end
			out, n := parseRequests(&q, pending, args)
			pieces = append(pieces, out...)
			pending = pending[n:]
			if len(out) > 0 && out[len(out)-1].err != nil {
				break
			}
		}
		if !sameRequests(whole, pieces) {
			t.Fatalf("input %q\nwhole:     %v\nin pieces %v: %v", data, whole, splits, pieces)
		}
		if len(whole) > 0 && whole[len(whole)-1].err != nil && q.Pending() {
			t.Fatalf("parser still pending after error %v", whole[len(whole)-1].err)
		}

		// Re-encoding.
		for _, r := range whole {
			if r.err != nil || len(r.args) == 0 {
				continue
			}
			bargs := make([][]byte, len(r.args))
			for i, a := range r.args {
				bargs[i] = []byte(a)
			}
			enc := AppendCommand(nil, bargs...)
			var rp RequestParser
			got, n, err := rp.Parse(enc, nil)
			if err != nil || n != len(enc) || !equalStrings(strs(got), r.args) {
				t.Fatalf("AppendCommand(%q) = %q parses as %q, %d, %v", r.args, enc, strs(got), n, err)
			}
		}

		// Unauthenticated: the same until the first multibulk request over
		// 10 elements or with a bulk over 16384 bytes, which is refused.
		u := RequestParser{Limits: Unauthenticated()}
		locked, _ := parseRequests(&u, data, nil)
		for i, r := range whole {
			if i >= len(locked) {
				t.Fatalf("unauthenticated: %d results, want at least %d: %v", len(locked), i+1, locked)
			}
			l := locked[i]
			if l.err == ErrUnauthenticatedMultibulkLength || l.err == ErrUnauthenticatedBulkLength {
				// Refused: it must be a multibulk request over the limits,
				// or one that fails later anyway.
				if !r.multi || (r.err == nil && !overUnauthLimits(r.args)) {
					t.Fatalf("unauthenticated: request %d refused with %v, authenticated: %v", i, l.err, r)
				}
				break
			}
			if r.multi && r.err == nil && overUnauthLimits(r.args) {
				t.Fatalf("unauthenticated: request %d %v accepted: %v", i, r, l)
			}
			if !sameResult(r, l) {
				t.Fatalf("unauthenticated: request %d is %v, authenticated %v", i, l, r)
			}
		}
	})
}

func overUnauthLimits(args []string) bool {
	if len(args) > UnauthenticatedMaxMultibulkLen {
		return true
	}
	for _, a := range args {
		if len(a) > UnauthenticatedMaxBulkLen {
			return true
		}
	}
	return false
}

// sameRequests compares the requests parsed from whole input with those
// parsed from pieces. When 64 KB arrive without a line end depends on the
// pieces, as it does for Redis, so after such an error only the requests
// before it are compared.
func sameRequests(a, b []reqResult) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if tooBig(a[i].err) || tooBig(b[i].err) {
			return true
		}
		if !sameResult(a[i], b[i]) {
			return false
		}
	}
	return len(a) == len(b)
}

func sameResult(a, b reqResult) bool {
	return errString(a.err) == errString(b.err) && equalStrings(a.args, b.args)
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// refSplitArgs is a line-by-line transliteration of Redis's sdssplitargs
// (sds.c), over a NUL-terminated copy of line, kept deliberately naive as
// the oracle for SplitArgs.
func refSplitArgs(line []byte) ([]string, bool) {
	s := append(append([]byte{}, line...), 0)
	at := func(i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	isspace := func(c byte) bool { return strings.IndexByte(" \t\n\v\f\r", c) >= 0 && c != 0 }
	ishex := func(c byte) bool { return c != 0 && strings.IndexByte("0123456789abcdefABCDEF", c) >= 0 }
	hexval := func(c byte) byte {
		v, _ := strconv.ParseUint(string(c), 16, 8)
		return byte(v)
	}
	var vector []string
	p := 0
	for {
		for at(p) != 0 && isspace(at(p)) {
			p++
		}
		if at(p) == 0 {
			return vector, true
		}
		inq, insq, done := false, false, false
		current := []byte{}
		for !done {
			switch {
			case inq:
				if at(p) == '\\' && at(p+1) == 'x' && ishex(at(p+2)) && ishex(at(p+3)) {
					current = append(current, hexval(at(p+2))*16+hexval(at(p+3)))
					p += 3
				} else if at(p) == '\\' && at(p+1) != 0 {
					p++
					c := at(p)
					switch c {
					case 'n':
						c = '\n'
					case 'r':
						c = '\r'
					case 't':
						c = '\t'
					case 'b':
						c = '\b'
					case 'a':
						c = '\a'
					}
					current = append(current, c)
				} else if at(p) == '"' {
					if at(p+1) != 0 && !isspace(at(p+1)) {
						return nil, false
					}
					done = true
				} else if at(p) == 0 {
					return nil, false
				} else {
					current = append(current, at(p))
				}
			case insq:
				if at(p) == '\\' && at(p+1) == '\'' {
					p++
					current = append(current, '\'')
				} else if at(p) == '\'' {
					if at(p+1) != 0 && !isspace(at(p+1)) {
						return nil, false
					}
					done = true
				} else if at(p) == 0 {
					return nil, false
				} else {
					current = append(current, at(p))
				}
			default:
				switch at(p) {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inq = true
				case '\'':
					insq = true
				default:
					current = append(current, at(p))
				}
			}
			if at(p) != 0 {
				p++
			}
		}
		vector = append(vector, string(current))
	}
}

// FuzzSplitArgs checks SplitArgs against a transliteration of Redis's
// sdssplitargs, and that arguments quoted as Redis quotes them split back
// into the same arguments.
func FuzzSplitArgs(f *testing.F) {
	for _, s := range []string{
		"", "a b", "a\vb", "\va", `"a b"`, `'a b'`, `"\x4a\x4B"`, `"\x4g"`, `"\q"`, `'\n'`,
		`ab"c d"`, `"a"b`, `"a`, `'a`, `"a\`, "a\x00b c", `SET k "v\"w"`, `'it\'s'`,
		"\t\v\fx\r\n", `"\xAb\xz1\x1"`, `""`, `''`, `a"b"`, `"a"'b'`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		got, ok := SplitArgs(line, nil)
		want, wantOK := refSplitArgs(line)
		if ok != wantOK || (ok && !equalStrings(strs(got), want)) {
			t.Fatalf("SplitArgs(%q) = %q, %v; sdssplitargs gives %q, %v", line, strs(got), ok, want, wantOK)
		}
		if !ok {
			return
		}
		var quoted []byte
		for i, a := range got {
			if i > 0 {
				quoted = append(quoted, ' ')
			}
			quoted = AppendQuote(quoted, a)
		}
		back, ok := SplitArgs(quoted, nil)
		if !ok || !equalStrings(strs(back), strs(got)) {
			t.Fatalf("SplitArgs(%q) = %q, %v; want %q", quoted, strs(back), ok, strs(got))
		}
	})
}

// FuzzQuote checks that SplitArgs reads whatever AppendQuote writes back as
// the one argument quoted, and that Quote agrees with AppendQuote.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "a", "a b", `"`, `\`, `\x41`, "\x00", "\n\r\t\a\b\v\f", "\x7f\x80\xff", "'", "é"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		quoted := AppendQuote([]byte("x "), s)
		body, ok := bytes.CutPrefix(quoted, []byte("x "))
		if !ok {
			t.Fatalf("AppendQuote(%q, %q) = %q: lost the prefix", "x ", s, quoted)
		}
		if q := Quote(string(s)); q != string(body) {
			t.Fatalf("Quote(%q) = %s; AppendQuote gives %s", s, q, body)
		}
		for _, c := range body {
			if c < 0x20 || c > 0x7e {
				t.Fatalf("AppendQuote(nil, %q) = %q: not printable ASCII", s, body)
			}
		}
		args, ok := SplitArgs(quoted, nil)
		if !ok || len(args) != 2 || string(args[0]) != "x" || !bytes.Equal(args[1], s) {
			t.Fatalf("SplitArgs(%q) = %q, %v; want [\"x\" %q]", quoted, strs(args), ok, s)
		}
	})
}

// FuzzParseInt checks ParseInt against its definition: Redis's string2ll
// accepts exactly the canonical decimal form of an int64.
func FuzzParseInt(f *testing.F) {
	for _, s := range []string{"0", "-0", "01", "+1", "-1", "9223372036854775807", "9223372036854775808",
		"-9223372036854775808", "-9223372036854775809", "18446744073709551616", " 1", "1 ", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, ok := ParseInt(b)
		ref, err := strconv.ParseInt(string(b), 10, 64)
		wantOK := err == nil && strconv.FormatInt(ref, 10) == string(b)
		if ok != wantOK || (ok && v != ref) {
			t.Fatalf("ParseInt(%q) = %d, %v; want %d, %v", b, v, ok, ref, wantOK)
		}
	})
}
