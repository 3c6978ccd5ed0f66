package glob

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
	"github.com/mini-redis/mini-redis/internal/redistest/redisconn"
)

// sortedStrings returns the elements of an array reply, sorted.
func sortedStrings(rep frame.Frame) []string {
	out := redisconn.Strings(rep)
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
	r := redisconn.Dial(t, srv.Addr)
	keys := differentialKeys()
	if len(keys) < 300 {
		t.Fatalf("only %d keys", len(keys))
	}
	var cmds [][]string
	for _, k := range keys {
		cmds = append(cmds, []string{"SET", k, "v"})
	}
	r.Pipeline(cmds)

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
		cmds = append(cmds, []string{"SET", k, "v"})
	}
	r.Pipeline(cmds)
	keys = append(keys, longKeys...)

	cmds = cmds[:0]
	for _, p := range patterns {
		cmds = append(cmds, []string{"KEYS", p})
	}
	replies := r.Pipeline(cmds)
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
	r := redisconn.Dial(t, srv.Addr)
	all := r.Do("CONFIG", "GET", "*")
	var names []string
	for i := 0; i < len(all.Elems); i += 2 {
		names = append(names, string(all.Elems[i].Str))
	}
	if len(names) < 100 {
		t.Fatalf("CONFIG GET * returned only %d names", len(names))
	}
	patterns := []string{
		"MAXMEMORY*", "*MEMORY*", "Max*", "?AX*", "[M-N]*", "[n-m]*", "[^A-R]*", "*-[A-C]*", "[l-m]a[X]*",
		"*LOG*", "T?Meout", "[Tt]*", "*[Z-a]*", "\\M*", "*Policy", "APPEND*", "*ZSET*", "*-MAX-*-VALUE",
	}
	var cmds [][]string
	for _, p := range patterns {
		cmds = append(cmds, []string{"CONFIG", "GET", p})
	}
	replies := r.Pipeline(cmds)
	nonEmpty := 0
	for i, p := range patterns {
		var got []string
		for j := 0; j < len(replies[i].Elems); j += 2 {
			got = append(got, string(replies[i].Elems[j].Str))
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
