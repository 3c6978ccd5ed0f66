package glob

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// redisConn is a minimal RESP2 client for asking a real redis-server. It is
// written here rather than borrowed from //connection so that this package's
// tests depend on nothing but the reference server.
type redisConn struct {
	t  *testing.T
	nc net.Conn
	r  *bufio.Reader
}

// reply is a RESP2 reply: a string (simple, bulk or error), an integer, an
// array, or a null.
type reply struct {
	str   string
	err   bool
	int   int64
	elems []reply
	null  bool
}

func dialRedis(t *testing.T, addr string) *redisConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &redisConn{t: t, nc: nc, r: bufio.NewReader(nc)}
}

// pipeline sends every command, then returns the replies.
func (c *redisConn) pipeline(cmds [][][]byte) []reply {
	c.t.Helper()
	c.nc.SetDeadline(time.Now().Add(60 * time.Second))
	var out []byte
	for _, cmd := range cmds {
		out = fmt.Appendf(out, "*%d\r\n", len(cmd))
		for _, a := range cmd {
			out = fmt.Appendf(out, "$%d\r\n%s\r\n", len(a), a)
		}
	}
	go c.nc.Write(out) // the replies may fill the socket buffers before all is written
	replies := make([]reply, len(cmds))
	for i := range cmds {
		rep, err := readReply(c.r)
		if err != nil {
			c.t.Fatalf("reply to %q: %v", cmds[i], err)
		}
		if rep.err {
			c.t.Fatalf("%q: %s", cmds[i], rep.str)
		}
		replies[i] = rep
	}
	return replies
}

func readReply(r *bufio.Reader) (reply, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return reply{}, err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return reply{}, fmt.Errorf("bad reply line %q", line)
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+', '-':
		return reply{str: body, err: line[0] == '-'}, nil
	case ':':
		n, err := strconv.ParseInt(body, 10, 64)
		return reply{int: n}, err
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return reply{null: true}, err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return reply{}, err
		}
		return reply{str: string(buf[:n])}, nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return reply{null: true}, err
		}
		rep := reply{elems: make([]reply, n)}
		for i := range rep.elems {
			if rep.elems[i], err = readReply(r); err != nil {
				return reply{}, err
			}
		}
		return rep, nil
	}
	return reply{}, fmt.Errorf("unknown reply type in %q", line)
}

func sortedStrings(rep reply) []string {
	out := make([]string, len(rep.elems))
	for i, e := range rep.elems {
		out[i] = e.str
	}
	slices.Sort(out)
	return out
}

// differentialKeys returns a few hundred distinct keys rich in the bytes the
// matcher treats specially.
func differentialKeys() []string {
	alphabet := []string{"a", "b", "A", "z", "*", "?", "[", "]", "\\", "^", "-", " ", "\x00", "\x80", "\xff"}
	set := map[string]bool{"": true}
	for _, x := range alphabet {
		set[x] = true
		for _, y := range alphabet {
			set[x+y] = true
		}
	}
	small := []string{"a", "b", "[", "]", "-"}
	for _, x := range small {
		for _, y := range small {
			for _, z := range small {
				set[x+y+z] = true
			}
		}
	}
	for _, k := range []string{
		"hello", "hallo", "hxllo", "hllo", "heeeello", "Hello", "HELLO", "h\\llo", "h*llo", "h?llo",
		"user:1", "user:10", "user:100", "user:1000:session", "user:abc", "users", "User:1",
		"session:a1b2", "session:", ":", "::", "foo", "foobar", "foo\nbar", "foo bar", "caf\xc3\xa9",
		"[abc]", "[^abc]", "a*b", "a?b", "a[b", "a]b", "a\\b", "a\\", "\\", "\\\\", "**", "??",
		strings.Repeat("a", 40), strings.Repeat("a", 39) + "b", strings.Repeat("ab", 30),
	} {
		set[k] = true
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

var differentialPatterns = []string{
	// KEYS special-cases exactly "*" (it lists every key, even ""), so the
	// matcher is reached only through longer patterns.
	"**", "***", "?", "??", "???", "?*", "*?", "*??", "",
	"h?llo", "h*llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "h\\*llo", "h\\?llo", "h\\\\llo", "H*",
	"user:*", "user:?", "user:[0-9]*", "user:[^0-9]*", "*:*", "*::*", "session:*", "*session*",
	"[a-z]", "[z-a]", "[Z-A]", "[a-z]*", "[^a-z]", "[^a-z]*", "*[A-Z]*", "[a-]", "[a-", "[-]", "[---]", "[a-c-e]",
	"[", "[a", "[ab", "[^", "[^a", "[]", "[]]", "[]a]", "[^]", "[^]]", "[\\", "[\\]", "[\\]]", "[\\-]", "[\\^]",
	"\\", "\\\\", "\\*", "\\?", "\\[", "*\\", "*\\*", "*\\?*", "a\\", "a\\b", "\\a",
	"*[", "*[a", "*[^", "x[", "[*]", "[?]", "*]", "[]]*", "*[]]",
	"[\x80-\xff]", "[a-\xff]", "[\xff-a]", "[\x00-a]", "[\x00]", "?\x00", "*\x00*", "\xff*", "*\x80",
	"a*a*a*a*a*a*a*a*a*b", "*a*a*a*a*a*a*a*a*a*a*", "*b*", "*a*b*a*",
	strings.Repeat("a*", 20) + "b", strings.Repeat("*a", 20), strings.Repeat("?", 40), strings.Repeat("?", 40) + "*",
	"caf\xc3\xa9", "caf?", "caf??", "foo\nbar", "foo?bar",
}

// randomPatterns returns n patterns drawn from the bytes that matter, from a
// fixed seed so that a failure reproduces.
func randomPatterns(n int) []string {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"*", "?", "[", "]", "^", "-", "\\", "a", "b", "A", "z", "[a-b]", "[^a]", " ", "\x00", "\xff", "user:", "hello"}
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for range rng.IntN(6) + 1 {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		out[i] = b.String()
	}
	return out
}

// TestKeysAgreesWithRedis stores keys in a real redis-server and checks that
// KEYS selects exactly the keys Match selects, for every pattern.
func TestKeysAgreesWithRedis(t *testing.T) {
	srv := redistest.Start(t)
	r := dialRedis(t, srv.Addr)
	keys := differentialKeys()
	if len(keys) < 300 {
		t.Fatalf("only %d keys", len(keys))
	}
	var cmds [][][]byte
	for _, k := range keys {
		cmds = append(cmds, [][]byte{[]byte("SET"), []byte(k), []byte("v")})
	}
	r.pipeline(cmds)

	patterns := append(slices.Clone(differentialPatterns), randomPatterns(400)...)
	patterns = append(patterns, strings.Repeat("*a", 1000), strings.Repeat("*a", 1001)) // the nesting limit
	for _, tt := range matchTests {
		if !tt.nocase {
			patterns = append(patterns, tt.pattern)
		}
	}
	patterns = slices.DeleteFunc(patterns, func(p string) bool { return p == "*" })
	// Keys long enough for the nesting-limit patterns to matter.
	longKeys := []string{strings.Repeat("a", 1000), strings.Repeat("a", 1001)}
	cmds = cmds[:0]
	for _, k := range longKeys {
		cmds = append(cmds, [][]byte{[]byte("SET"), []byte(k), []byte("v")})
	}
	r.pipeline(cmds)
	keys = append(keys, longKeys...)

	cmds = cmds[:0]
	for _, p := range patterns {
		cmds = append(cmds, [][]byte{[]byte("KEYS"), []byte(p)})
	}
	replies := r.pipeline(cmds)
	nonEmpty := 0
	for i, p := range patterns {
		got := sortedStrings(replies[i])
		var want []string
		for _, k := range keys {
			if MatchString(p, k, false) {
				want = append(want, k)
			}
		}
		slices.Sort(want)
		if len(got) > 0 {
			nonEmpty++
		}
		if !slices.Equal(got, want) {
			t.Errorf("KEYS %q: redis has %d keys, Match %d\n only redis: %q\n only Match: %q",
				abbrev(p), len(got), len(want), abbrev(strings.Join(minus(got, want), " ")), abbrev(strings.Join(minus(want, got), " ")))
		}
	}
	// Guard against a vacuous comparison (say, keys that failed to store).
	if nonEmpty < len(patterns)/4 {
		t.Errorf("only %d of %d patterns selected any key", nonEmpty, len(patterns))
	}
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// TestConfigGetAgreesWithRedis checks case-insensitive matching the one way
// Redis exposes it: CONFIG GET matches parameter names with nocase.
func TestConfigGetAgreesWithRedis(t *testing.T) {
	srv := redistest.Start(t)
	r := dialRedis(t, srv.Addr)
	all := r.pipeline([][][]byte{{[]byte("CONFIG"), []byte("GET"), []byte("*")}})[0]
	var names []string
	for i := 0; i < len(all.elems); i += 2 {
		names = append(names, string(all.elems[i].str))
	}
	if len(names) < 100 {
		t.Fatalf("CONFIG GET * returned only %d names", len(names))
	}
	patterns := []string{
		"MAXMEMORY*", "*MEMORY*", "Max*", "?AX*", "[M-N]*", "[n-m]*", "[^A-R]*", "*-[A-C]*", "[l-m]a[X]*",
		"*LOG*", "T?Meout", "[Tt]*", "*[Z-a]*", "\\M*", "*Policy", "APPEND*", "*ZSET*", "*-MAX-*-VALUE",
	}
	var cmds [][][]byte
	for _, p := range patterns {
		cmds = append(cmds, [][]byte{[]byte("CONFIG"), []byte("GET"), []byte(p)})
	}
	replies := r.pipeline(cmds)
	nonEmpty := 0
	for i, p := range patterns {
		var got []string
		for j := 0; j < len(replies[i].elems); j += 2 {
			got = append(got, string(replies[i].elems[j].str))
		}
		slices.Sort(got)
		var want []string
		for _, n := range names {
			if Match([]byte(p), []byte(n), true) {
				want = append(want, n)
			}
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("CONFIG GET %q:\n redis %q\n Match %q", p, got, want)
		}
		if len(got) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < len(patterns)*3/4 {
		t.Errorf("only %d of %d patterns selected any parameter", nonEmpty, len(patterns))
	}
}
