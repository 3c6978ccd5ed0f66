package glob

import (
	"bytes"
	"strings"
	"testing"
)

// Expectations follow Redis 7.0's stringmatchlen; TestTableAgreesWithRedis
// replays the case-sensitive ones against a real redis-server.
var matchTests = []struct {
	pattern, s string
	nocase     bool
	want       bool
}{
	// Literals and the empty cases.
	{"", "", false, true},
	{"", "a", false, false},
	{"a", "", false, false},
	{"hello", "hello", false, true},
	{"hello", "hell", false, false},
	{"hello", "helloo", false, false},
	{"hello", "HELLO", false, false},
	{"hello", "HeLLo", true, true},

	// '*' and '?'.
	{"*", "", false, false}, // Redis's matcher never lets a pattern match ""
	{"**", "", false, false},
	{"*", "anything", false, true},
	{"**", "x", false, true},
	{"h*llo", "hllo", false, true},
	{"h*llo", "heeeello", false, true},
	{"h*llo", "hellO", false, false},
	{"h?llo", "hello", false, true},
	{"h?llo", "hllo", false, false},
	{"?", "", false, false},
	{"?", "\x00", false, true},
	{"a*", "a", false, true},
	{"a**", "a", false, true},
	{"a*?", "a", false, false},
	{"*a", "a", false, true},
	{"*a*", "bab", false, true},
	{"*a*b", "aaab", false, true},
	{"*a*b", "aaaa", false, false},
	{"?*", "x", false, true},
	{"*?", "x", false, true},
	{"*??", "x", false, false},

	// Bracket expressions.
	{"h[ae]llo", "hallo", false, true},
	{"h[ae]llo", "hillo", false, false},
	{"h[^e]llo", "hallo", false, true},
	{"h[^e]llo", "hello", false, false},
	{"h[a-b]llo", "hbllo", false, true},
	{"h[a-b]llo", "hcllo", false, false},
	{"[z-a]", "m", false, true}, // reversed ranges are swapped
	{"[z-a]", "A", false, false},
	{"[Z-A]", "m", true, true},
	{"[a-c]", "B", true, true},
	{"[a-c]", "B", false, false},
	{"[A]", "a", true, true},
	{"[\\a]", "A", true, false}, // an escaped byte in brackets ignores nocase
	{"[a-c-e]", "-", false, true},
	{"[a-c-e]", "d", false, false},
	{"[a-c-e]", "e", false, true},
	{"[-a]", "-", false, true},
	{"[---]", "-", false, true},
	{"[]]", "]", false, false}, // "[]" is an empty class, then a literal ']'
	{"[]]", "]]", false, false},
	{"[]", "", false, false},
	{"[]a", "a", false, false},
	{"[\\]]", "]", false, true},
	{"[\\-]", "-", false, true},
	{"[a\\-z]", "b", false, false},
	{"[a\\-z]", "z", false, true},
	{"[^]", "x", false, true},
	{"[^]x", "yx", false, true},

	// Unterminated brackets run to the end of the pattern.
	{"[", "", false, false},
	{"[", "[", false, false},
	{"[a", "a", false, true},
	{"[ab", "b", false, true},
	{"[ab", "c", false, false},
	{"[^", "x", false, true},
	{"[^a", "a", false, false},
	{"[^a", "b", false, true},
	{"[a-", "a", false, true},
	{"[a-", "-", false, true},
	{"[a-]", "^", false, true}, // the range from 'a' down to ']'
	{"[a-]", "a", false, true},
	{"[a-]", "b", false, false},
	{"[a-]", "]", false, true},
	{"[\\", "\\", false, true},
	{"[\\", "x", false, false},
	{"x[", "x", false, false},

	// Backslash escapes.
	{"\\*", "*", false, true},
	{"\\*", "a", false, false},
	{"\\?", "?", false, true},
	{"\\[a]", "[a]", false, true},
	{"\\\\", "\\", false, true},
	{"\\a", "a", false, true},
	{"\\A", "a", true, true},
	{"\\", "\\", false, true}, // a trailing backslash matches itself
	{"a\\", "a\\", false, true},
	{"a\\", "a", false, false},
	{"*\\*", "ab*", false, true},
	{"*\\", "ab\\", false, true},

	// Bytes from 0x80 up compare as negative C chars in ranges.
	{"[a-\xff]", "\xff", false, true},
	{"[a-\xff]", "\x00", false, true},
	{"[a-\xff]", "a", false, true},
	{"[a-\xff]", "b", false, false},
	{"[a-\xff]", "\x80", false, false},
	{"[\x80-\xff]", "\x90", false, true},
	{"[\x80-\xff]", "a", false, false},
	{"[\x80-a]", "\x00", false, true},
	{"\xe9", "\xc9", true, false}, // only ASCII letters fold
	{"caf\xc3\xa9", "CAF\xc3\xa9", true, true},

	// Embedded NUL bytes are ordinary bytes.
	{"a\x00b", "a\x00b", false, true},
	{"a?b", "a\x00b", false, true},
	{"[\x00]", "\x00", false, true},
	{"*\x00", "abc\x00", false, true},

	// Pathological patterns for the backtracking of CVE-2022-36021.
	{strings.Repeat("a*", 30) + "b", strings.Repeat("a", 100), false, false},
	{strings.Repeat("*a", 30) + "*b", strings.Repeat("a", 100) + "b", false, true},
	{strings.Repeat("?*", 20), strings.Repeat("x", 19), false, false},
	{strings.Repeat("?*", 20), strings.Repeat("x", 20), false, true},

	// Redis gives up beyond 1000 nested stars, even when a match exists.
	{strings.Repeat("*a", 1000), strings.Repeat("a", 1000), false, true},
	{strings.Repeat("*a", 1001), strings.Repeat("a", 1001), false, false},
	{strings.Repeat("*", 5000) + "a", "a", false, true}, // consecutive stars nest once
}

func TestMatch(t *testing.T) {
	for _, tt := range matchTests {
		if got := Match([]byte(tt.pattern), []byte(tt.s), tt.nocase); got != tt.want {
			t.Errorf("Match(%q, %q, %v) = %v, want %v", abbrev(tt.pattern), abbrev(tt.s), tt.nocase, got, tt.want)
		}
		if got := MatchString(tt.pattern, tt.s, tt.nocase); got != tt.want {
			t.Errorf("MatchString(%q, %q, %v) = %v, want %v", abbrev(tt.pattern), abbrev(tt.s), tt.nocase, got, tt.want)
		}
	}
}

// The table also checks the test oracle, so that the fuzz test's comparison
// with it means something.
func TestOracleAgreesWithTable(t *testing.T) {
	for _, tt := range matchTests {
		if strings.Count(tt.pattern, "*") > maxNesting {
			continue // the oracle does not model the nesting limit
		}
		if got := oracleMatch([]byte(tt.pattern), []byte(tt.s), tt.nocase); got != tt.want {
			t.Errorf("oracleMatch(%q, %q, %v) = %v, want %v", abbrev(tt.pattern), abbrev(tt.s), tt.nocase, got, tt.want)
		}
	}
}

func abbrev(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// matchSteps runs the matcher and reports how much work it did.
func matchSteps(pattern, s []byte, nocase bool) (bool, int) {
	m := matcher{nocase: nocase}
	ok := matchFrom(&m, pattern, s, 0)
	return ok, m.steps
}

// stepBound is the most work a match may take: the matcher enters each star's
// loop at most once, and each of its at most len(s) turns walks one segment
// of the pattern, so the work is O(len(pattern)·len(s)). The constant covers
// the per-call and per-star overheads.
func stepBound(patternLen, sLen int) int { return 4 * (patternLen + 2) * (sLen + 2) }

func TestPathologicalPatternsArePolynomial(t *testing.T) {
	for _, tc := range []struct{ pattern, s string }{
		{strings.Repeat("a*", 100) + "b", strings.Repeat("a", 5000)},
		{strings.Repeat("*a", 100) + "*b", strings.Repeat("a", 5000)},
		{strings.Repeat("*?", 200) + "x", strings.Repeat("y", 3000)},
		{strings.Repeat("*[a-z]", 50) + "!", strings.Repeat("q", 3000)},
		{strings.Repeat("*a", 1500), strings.Repeat("a", 2000)},
		{"*" + strings.Repeat("[abc", 300), strings.Repeat("a", 1000)},
	} {
		ok, steps := matchSteps([]byte(tc.pattern), []byte(tc.s), false)
		if bound := stepBound(len(tc.pattern), len(tc.s)); steps > bound {
			t.Errorf("pattern %q: %d steps (match=%v), bound %d", abbrev(tc.pattern), steps, ok, bound)
		}
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	p := []byte("*user:[0-9]*:sess?on:*[^x]")
	s := []byte("prefix:user:42:session:abcdefy")
	ps, ss := string(p), string(s)
	if n := testing.AllocsPerRun(100, func() {
		Match(p, s, false)
		Match(p, s, true)
		MatchString(ps, ss, false)
	}); n != 0 {
		t.Errorf("Match allocates %v times per run", n)
	}
}

// oracleMatch is an independent statement of Redis's matching rules, used as
// the fuzz test's reference: the pattern is first split into tokens by
// Redis's parsing rules, then matched by dynamic programming over (token,
// position). It does not model the 1000-star nesting limit.
func oracleMatch(pattern, s []byte, nocase bool) bool {
	toks := tokenize(pattern, nocase)
	if len(s) == 0 {
		return len(pattern) == 0 // Redis's main loop never runs on ""
	}
	if len(toks) == 0 {
		return false
	}
	// memo[i][j]: 0 unknown, 1 match, 2 no match, for toks[i:] against s[j:],
	// with s[j:] never empty.
	memo := make([][]uint8, len(toks))
	for i := range memo {
		memo[i] = make([]uint8, len(s))
	}
	var f func(i, j int) bool
	f = func(i, j int) bool {
		if memo[i][j] != 0 {
			return memo[i][j] == 1
		}
		var r bool
		tok := toks[i]
		switch {
		case tok.star && i == len(toks)-1:
			r = true
		case tok.star:
			for k := j; k < len(s) && !r; k++ {
				r = f(i+1, k)
			}
		case !tok.set[s[j]]:
			r = false
		case j+1 == len(s):
			// The string is used up: only stars may remain.
			k := i + 1
			for k < len(toks) && toks[k].star {
				k++
			}
			r = k == len(toks)
		case i+1 == len(toks):
			r = false
		default:
			r = f(i+1, j+1)
		}
		memo[i][j] = 2
		if r {
			memo[i][j] = 1
		}
		return r
	}
	return f(0, 0)
}

type token struct {
	star bool
	set  [256]bool // the bytes a non-star token matches
}

func tokenize(p []byte, nocase bool) []token {
	fold := func(c int) int {
		if c >= 'A' && c <= 'Z' {
			return c + 32
		}
		return c
	}
	same := func(a, b int) bool { return a == b || nocase && fold(a) == fold(b) }
	var toks []token
	for i := 0; i < len(p); {
		var t token
		switch p[i] {
		case '*':
			for i < len(p) && p[i] == '*' {
				i++
			}
			toks = append(toks, token{star: true})
			continue
		case '?':
			for c := range t.set {
				t.set[c] = true
			}
			i++
		case '[':
			i++
			neg := i < len(p) && p[i] == '^'
			if neg {
				i++
			}
			for i < len(p) {
				if p[i] == '\\' && i+1 < len(p) {
					t.set[p[i+1]] = true
					i += 2
					continue
				}
				if p[i] == ']' {
					i++
					break
				}
				if i+2 < len(p) && p[i+1] == '-' {
					lo, hi := int(int8(p[i])), int(int8(p[i+2]))
					if lo > hi {
						lo, hi = hi, lo
					}
					for c := range t.set {
						x := int(int8(c))
						if nocase {
							t.set[c] = t.set[c] || fold(lo) <= fold(x) && fold(x) <= fold(hi)
						} else {
							t.set[c] = t.set[c] || lo <= x && x <= hi
						}
					}
					i += 3
					continue
				}
				for c := range t.set {
					t.set[c] = t.set[c] || same(c, int(p[i]))
				}
				i++
			}
			if neg {
				for c := range t.set {
					t.set[c] = !t.set[c]
				}
			}
		default:
			lit := p[i]
			if lit == '\\' && i+1 < len(p) {
				i++
				lit = p[i]
			}
			for c := range t.set {
				t.set[c] = same(c, int(lit))
			}
			i++
		}
		toks = append(toks, t)
	}
	return toks
}

func FuzzMatch(f *testing.F) {
	for _, tt := range matchTests {
		if len(tt.pattern) < 100 && len(tt.s) < 100 {
			f.Add([]byte(tt.pattern), []byte(tt.s), tt.nocase)
		}
	}
	f.Fuzz(func(t *testing.T, pattern, s []byte, nocase bool) {
		got, steps := matchSteps(pattern, s, nocase)
		if bound := stepBound(len(pattern), len(s)); steps > bound {
			t.Fatalf("Match(%q, %q) took %d steps, bound %d", pattern, s, steps, bound)
		}
		if MatchString(string(pattern), string(s), nocase) != got {
			t.Fatalf("MatchString and Match disagree on %q, %q", pattern, s)
		}
		if bytes.Count(pattern, []byte("*")) <= maxNesting {
			if want := oracleMatch(pattern, s, nocase); got != want {
				t.Fatalf("Match(%q, %q, %v) = %v, oracle says %v", pattern, s, nocase, got, want)
			}
		}
		if !bytes.ContainsAny(pattern, "*?[\\") {
			want := bytes.Equal(pattern, s)
			if nocase {
				want = asciiEqualFold(pattern, s)
			}
			if got != want {
				t.Fatalf("plain pattern %q vs %q (nocase %v): Match = %v", pattern, s, nocase, got)
			}
		}
	})
}

func asciiEqualFold(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if lower(int(a[i])) != lower(int(b[i])) {
			return false
		}
	}
	return true
}

func BenchmarkMatch(b *testing.B) {
	for _, bc := range []struct{ name, pattern, s string }{
		{"literal", "user:1000:session", "user:1000:session"},
		{"prefix", "user:*", "user:1000:session"},
		{"class", "user:[0-9][0-9][0-9][0-9]:*", "user:1000:session"},
		{"nocase", "USER:*:SESSION", "user:1000:session"},
		{"pathological", strings.Repeat("a*", 20) + "b", strings.Repeat("a", 200)},
	} {
		p, s := []byte(bc.pattern), []byte(bc.s)
		nocase := bc.name == "nocase"
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Match(p, s, nocase)
			}
		})
	}
}
