package server

import (
	"bytes"
	"math"
	"strconv"

	"github.com/mini-redis/mini-redis/frame"
)

// Argument parsing shared by the command families. Each follows the Redis
// function of the same purpose, so error cases line up.

// parseInt parses an integer argument as Redis's string2ll does.
func parseInt(b []byte) (int64, bool) { return frame.ParseInt(b) }

// parseInt32 parses an argument that must fit in a C int
// (getIntFromObjectOrReply).
func parseInt32(b []byte) (int, bool) {
	n, ok := frame.ParseInt(b)
	if !ok || n < math.MinInt32 || n > math.MaxInt32 {
		return 0, false
	}
	return int(n), true
}

// is reports whether arg equals the keyword kw, ignoring letter case, as
// Redis's strcasecmp compares them: the argument ends at a NUL, so
// "NX\x00junk" is NX.
func is(arg []byte, kw string) bool {
	// kw holds no NUL: arg up to its first NUL is kw when it starts with
	// kw and ends or has a NUL right after. Cheaper than cutting arg at its
	// NUL first, for a command that tries each of its options in turn.
	return len(arg) >= len(kw) && bytes.EqualFold(arg[:len(kw)], []byte(kw)) &&
		(len(arg) == len(kw) || arg[len(kw)] == 0)
}

// parseCursor parses a SCAN cursor the way Redis does, with strtoul: an
// optional sign, decimal digits, nothing else; "-1" wraps around, an empty
// string is 0, and a value past 2^64-1 is an error. The argument ends at
// a NUL, where Redis checks that strtoul stopped: "5\x00junk" is 5.
func parseCursor(b []byte) (uint64, bool) {
	if len(b) > 0 && isCSpace(b[0]) {
		return 0, false
	}
	b = cString(b, len(b))
	if len(b) == 0 {
		return 0, true // strtoul reads nothing and stops at the end
	}
	neg := false
	if b[0] == '+' || b[0] == '-' {
		neg = b[0] == '-'
		b = b[1:]
		if len(b) == 0 {
			return 0, false // a lone sign: strtoul reads nothing and stops at it
		}
	}
	v, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return 0, false // not all digits, or ERANGE
	}
	if neg {
		v = -v
	}
	return v, true
}

func isCSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

// rangeToBounds converts a Redis [start, end] range with negative indexes
// counting from the end over a sequence of length n into a clamped
// inclusive range; empty reports that nothing is selected.
func rangeToBounds(start, end, n int64) (lo, hi int64, empty bool) {
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if start < 0 {
		start = 0
	}
	if end < 0 {
		end = 0
	}
	if end >= n {
		end = n - 1
	}
	return start, end, start > end || n == 0
}
