package server

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// protoCase is an input sent byte for byte, on a fresh connection, to a real
// redis-server and to mini-redis; the replies and whether the connection
// was closed must be the same.
type protoCase struct {
	name string
	in   string
	// knownDiff, if set, names a difference that is a known server bug:
	// the test logs it instead of failing, and fails once it is gone so
	// that the mark does not outlive the bug.
	knownDiff string
}

// protoCases are malformed and edge-case requests. Keys are distinct per
// case, since the cases run in parallel against one server each.
var protoCases = []protoCase{
	// Well-formed requests in both forms.
	{name: "multibulk PING", in: "*1\r\n$4\r\nPING\r\n"},
	{name: "inline PING", in: "PING\r\n"},
	{name: "inline LF only", in: "PING\n"},
	{name: "inline lower case", in: "ping\r\nPiNg\r\n"},
	{name: "inline CR CR LF", in: "PING\r\r\n"},
	{name: "inline CR inside the line separates", in: "PING\rPING\r\n"},
	{name: "inline tab separates", in: "ECHO\tx\r\n"},
	{name: "inline VT and FF only between words", in: "ECHO \t\v\fx\r\nECHO x\vy\r\n"},
	{name: "empty lines are skipped", in: "\r\n\r\n\n\nPING\r\n"},
	{name: "blank line is skipped", in: "   \t \r\nPING\r\n"},
	{name: "space before star is inline", in: " *1\r\n"},
	{name: "PING with argument", in: "PING hello\r\n"},
	{name: "ECHO without argument", in: "ECHO\r\n"},
	{name: "unknown inline command", in: "FOO bar 'baz qux'\r\n"},
	{name: "empty command name", in: "*1\r\n$0\r\n\r\n"},
	// Quotes and escapes.
	{name: "inline double quotes", in: "ECHO \"a b\"\r\n"},
	{name: "inline escapes", in: "ECHO \"\\x41\\n\\t\\\"\\\\\\r\\a\\b\\q\"\r\n"},
	{name: "inline hex escape upper and lower", in: "ECHO \"\\xAb\\xz1\\x1\"\r\n"},
	{name: "inline single quotes", in: "ECHO 'it\\'s \\n'\r\n"},
	{name: "inline empty quoted strings", in: "SET protodiff:empty \"\"\r\nGET protodiff:empty\r\nECHO ''\r\n"},
	{name: "inline quotes glued to a word", in: "ECHO ab\"c d\"\r\n"},
	{name: "inline SET GET with escaped quote", in: "SET protodiff:q \"v\\\"w\"\r\nGET protodiff:q\r\nEXISTS protodiff:q\r\nDEL protodiff:q\r\n"},
	{name: "inline unbalanced double quote", in: "ECHO \"abc\r\n"},
	{name: "inline unbalanced single quote", in: "ECHO 'abc\r\n"},
	{name: "inline closing quote then a letter", in: "ECHO \"a\"b\r\n"},
	{name: "inline backslash ends the quotes", in: "ECHO \"a\\\r\n"},
	{name: "inline unbalanced after good commands", in: "PING\r\nECHO ok\r\nECHO \"x\r\nPING\r\n"},
	// NUL bytes.
	{name: "inline NUL hides the newline", in: "ECHO a\x00b\r\n"},
	{name: "leading NUL", in: "\x00PING\r\n"},
	{name: "NUL in a bulk argument", in: "*2\r\n$4\r\nECHO\r\n$3\r\na\x00b\r\n"},
	{name: "NUL in a bulk command name", in: "*1\r\n$4\r\nPI\x00G\r\n"},
	{name: "NUL in the count line", in: "*1\x00\r\n$4\r\nPING\r\n"},
	// Multibulk counts.
	{name: "count not a number", in: "*x\r\n"},
	{name: "count with plus", in: "*+1\r\n$4\r\nPING\r\n"},
	{name: "count with leading zero", in: "*01\r\n$4\r\nPING\r\n"},
	{name: "count minus zero", in: "*-0\r\n"},
	{name: "count empty", in: "*\r\n"},
	{name: "count with trailing space", in: "*1 \r\n$4\r\nPING\r\n"},
	{name: "count over INT_MAX", in: "*2147483648\r\n"},
	{name: "count over int64", in: "*99999999999999999999\r\n"},
	{name: "count INT_MAX waits", in: "*2147483647\r\n$4\r\nPING\r\n"},
	{name: "count negative is an empty request", in: "*-1\r\nPING\r\n"},
	{name: "count very negative", in: "*-2147483649\r\nPING\r\n"},
	{name: "count zero is an empty request", in: "*0\r\nPING\r\n"},
	// Bulk lengths.
	{name: "bulk length not a number", in: "*1\r\n$x\r\n"},
	{name: "bulk length negative", in: "*1\r\n$-1\r\n"},
	{name: "bulk length empty", in: "*1\r\n$\r\n"},
	{name: "bulk length with plus", in: "*1\r\n$+4\r\nPING\r\n"},
	{name: "bulk length with leading zero", in: "*1\r\n$04\r\nPING\r\n"},
	{name: "bulk length with trailing space", in: "*1\r\n$4 \r\nPING\r\n"},
	{name: "bulk length over proto-max-bulk-len", in: "*1\r\n$536870913\r\n"},
	{name: "bulk length two billion", in: "*1\r\n$2000000000\r\n"},
	{name: "bulk length 100MB waits", in: "*2\r\n$4\r\nECHO\r\n$100000000\r\nabc"},
	{name: "integer instead of bulk", in: "*1\r\n:1\r\n"},
	{name: "simple string instead of bulk", in: "*1\r\n+PING\r\n"},
	{name: "array instead of bulk", in: "*1\r\n*1\r\n$4\r\nPING\r\n"},
	{name: "empty line instead of bulk", in: "*1\r\n\r\n"},
	{name: "bulk longer than declared", in: "*2\r\n$3\r\nSETx\r\n$1\r\nk\r\n"},
	{name: "two bytes after a bulk are not checked", in: "*1\r\n$4\r\nPINGXY*1\r\n$4\r\nPING\r\n"},
	{name: "byte after CR in a length line is not checked", in: "*1\rX$4\rXPING\r\n"},
	{name: "multibulk missing its last CRLF waits", in: "*1\r\n$4\r\nPING"},
	{name: "multibulk missing its last LF waits", in: "*1\r\n$4\r\nPING\r"},
	{name: "incomplete multibulk waits", in: "*2\r\n$4\r\nECHO\r\n$5\r\nhel"},
	{name: "incomplete inline waits", in: "PING"},
	// Pipelines.
	{name: "pipeline mixing inline and multibulk", in: "PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nECHO x\r\n*1\r\n$4\r\nPING\r\n"},
	{name: "pipeline of SET GET DEL EXISTS", in: "*3\r\n$3\r\nSET\r\n$10\r\nprotodiff:\r\n$5\r\na\r\nb\x00\r\nGET protodiff:\r\nEXISTS protodiff: protodiff: nokey\r\nDEL protodiff:\r\nGET protodiff:\r\n"},
	{name: "pipeline then protocol error", in: "PING\r\n*1\r\n$x\r\nPING\r\n"},
	{name: "QUIT ends an inline pipeline", in: "QUIT\r\nPING\r\n"},
	{name: "QUIT ends a multibulk pipeline", in: "*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n"},
	{name: "error after a complete command in the same bytes", in: "ECHO a\r\n*1\r\n:1\r\n"},
	// Length limits.
	{name: "count line over 64KB", in: "*" + strings.Repeat("1", 70000)},
	{name: "bulk length line over 64KB", in: "*1\r\n$" + strings.Repeat("1", 70000)},
	{name: "inline over 64KB", in: strings.Repeat("a", 100<<10)},
	{name: "inline over 64KB after a command", in: "PING\r\n" + strings.Repeat("a", 100<<10)},
	{name: "NUL then 64KB of inline", in: "\x00" + strings.Repeat("a", 100<<10) + "\r\n"},
	{name: "inline of exactly 64KB waits", in: strings.Repeat("a", 64<<10)},
	{name: "count line of 64KB less one waits", in: "*" + strings.Repeat("1", 64<<10-1)},
	{name: "big bulk argument", in: "*2\r\n$4\r\nECHO\r\n$100000\r\n" + strings.Repeat("x", 100000) + "\r\n"},
}

// TestProtocolDifferential sends every protoCase to redis-server and to
// mini-redis and compares what comes back.
func TestProtocolDifferential(t *testing.T) {
	if len(protoCases) < 40 {
		t.Fatalf("only %d cases", len(protoCases))
	}
	ref := redistest.Start(t)
	ours := startServer(t)
	const quiet = 200 * time.Millisecond
	for _, tc := range protoCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want, wantClosed, err := redistest.Exchange(ref.Addr, []byte(tc.in), quiet)
			if err != nil {
				t.Fatalf("redis-server: %v", err)
			}
			got, gotClosed, err := redistest.Exchange(ours.addr, []byte(tc.in), quiet)
			if err != nil {
				t.Fatalf("mini-redis: %v", err)
			}
			same := bytes.Equal(got, want) && gotClosed == wantClosed
			switch {
			case same && tc.knownDiff != "":
				t.Errorf("known difference no longer seen (remove the knownDiff mark): %s", tc.knownDiff)
			case !same && tc.knownDiff != "":
				t.Logf("known difference (%s):\nredis-server: %s (closed %v)\nmini-redis:   %s (closed %v)",
					tc.knownDiff, clip(want), wantClosed, clip(got), gotClosed)
			case !same:
				t.Errorf("input %s\nredis-server: %s (closed %v)\nmini-redis:   %s (closed %v)",
					clip([]byte(tc.in)), clip(want), wantClosed, clip(got), gotClosed)
			}
		})
	}
}

// clip quotes b for a test log, shortening long runs of input.
func clip(b []byte) string {
	const max = 200
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "... (" + strconv.Itoa(len(b)) + " bytes)"
	}
	return strconv.Quote(string(b))
}
