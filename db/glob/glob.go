// Package glob implements Redis's glob-style pattern matching, the matcher
// behind KEYS, SCAN MATCH, PSUBSCRIBE, PUBSUB CHANNELS and CONFIG GET.
//
// The rules are those of stringmatchlen in Redis 7.0's src/util.c, quirks
// included, because clients see them:
//
//   - '*' matches any run of bytes, '?' any single byte.
//   - "[abc]" matches one of the listed bytes, "[^abc]" one byte not listed,
//     "[a-z]" a range, which may also be written backwards ("[z-a]").
//     Inside brackets '\' quotes the next byte.
//   - '\' quotes the next byte; a trailing '\' matches itself.
//   - A '[' that is never closed runs to the end of the pattern, so "[ab"
//     behaves like "[ab]", and "[a-]" is the range from 'a' down to ']'.
//   - Bytes are compared as C's signed char on x86-64, so in ranges bytes
//     from 0x80 up order before 0x00 ("[a-\xff]" covers 0x00–0x61 and 0xff).
//   - Case folding (nocase) folds only ASCII letters.
//   - A pattern never matches the empty string unless it is itself empty:
//     "*" does not match "". (Redis's KEYS and SCAN special-case a pattern
//     of exactly "*" to mean "everything" before calling the matcher; that
//     shortcut is the caller's business.)
//
// Matching takes time proportional to len(pattern)×len(s) at worst: like
// Redis since the fix for CVE-2022-36021, the matcher stops trying longer
// expansions of earlier stars once a later star has failed at every
// position, and it gives up (reporting no match) beyond 1000 nested stars.
// Match never allocates.
package glob

// maxNesting is how many stars deep Redis's matcher recurses before it
// reports no match (the "nesting > 1000" guard of stringmatchlen_impl).
const maxNesting = 1000

// Match reports whether s matches pattern. With nocase, ASCII letters match
// regardless of case.
//
// Match and MatchString are kept out of line on purpose: inlined into another
// package, they would instantiate the generic matcher there, where the
// compiler loses track of the matcher state and moves it to the heap.
//
//go:noinline
func Match(pattern, s []byte, nocase bool) bool {
	m := matcher{nocase: nocase}
	return matchFrom(&m, pattern, s, 0)
}

// MatchString is Match for strings. It does not allocate.
//
//go:noinline
func MatchString(pattern, s string, nocase bool) bool {
	m := matcher{nocase: nocase}
	return matchFrom(&m, pattern, s, 0)
}

// matcher is the state one top-level match shares across its recursion.
type matcher struct {
	nocase bool
	// skipLonger records that some star failed to match the rest of the
	// pattern at every remaining position of the string. No expansion of an
	// earlier star can succeed then, since it would only hand the later
	// star a suffix of what it already rejected, so every caller gives up.
	skipLonger bool
	// steps counts units of work so that tests can bound the running time.
	steps int
}

// at returns b[i], or 0 past the end: Redis's pattern is NUL-terminated, and
// its matcher peeks one byte beyond the end in a few places, where it reads
// that terminator.
func at[T ~string | ~[]byte](b T, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}

// lower folds ASCII letters only, like tolower in the C locale Redis runs
// its matcher in.
func lower(c int) int {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// matchFrom is stringmatchlen_impl: it matches s against p, recursing once
// per star.
func matchFrom[T ~string | ~[]byte](m *matcher, p, s T, nesting int) bool {
	m.steps++
	if nesting > maxNesting {
		return false
	}
	for len(p) > 0 && len(s) > 0 {
		m.steps++
		switch p[0] {
		case '*':
			for at(p, 1) == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				m.steps++
				if matchFrom(m, p[1:], s, nesting+1) {
					return true
				}
				if m.skipLonger {
					return false
				}
				s = s[1:]
			}
			m.skipLonger = true
			return false
		case '?':
			p, s = p[1:], s[1:]
		case '[':
			var ok bool
			p, ok = matchClass(m, p[1:], s[0])
			if !ok {
				return false
			}
			s = s[1:]
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			fallthrough
		default:
			if !m.equal(p[0], s[0]) {
				return false
			}
			p, s = p[1:], s[1:]
		}
		if len(s) == 0 {
			// Trailing stars may match the empty rest of the string, but
			// only here, after at least one byte was matched: that is why
			// "*" does not match "".
			for at(p, 0) == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}

// matchClass matches c against the bracket expression that starts at p (just
// after its '['). It returns the pattern after the expression and whether c
// matched. An unterminated expression extends to the end of the pattern.
func matchClass[T ~string | ~[]byte](m *matcher, p T, c byte) (T, bool) {
	negate := at(p, 0) == '^'
	if negate {
		p = p[1:]
	}
	match := false
	for {
		m.steps++
		switch {
		case at(p, 0) == '\\' && len(p) >= 2:
			p = p[1:]
			if p[0] == c {
				match = true
			}
		case at(p, 0) == ']':
			return p[1:], match != negate
		case len(p) == 0:
			return p, match != negate
		case len(p) >= 3 && p[1] == '-':
			// Redis compares ranges as (signed) C chars, not bytes.
			start, end, x := int(int8(p[0])), int(int8(p[2])), int(int8(c))
			if start > end {
				start, end = end, start
			}
			if m.nocase {
				start, end, x = lower(start), lower(end), lower(x)
			}
			if start <= x && x <= end {
				match = true
			}
			p = p[2:]
		default:
			if m.equal(p[0], c) {
				match = true
			}
		}
		p = p[1:]
	}
}

func (m *matcher) equal(a, b byte) bool {
	if m.nocase {
		return lower(int(a)) == lower(int(b))
	}
	return a == b
}
