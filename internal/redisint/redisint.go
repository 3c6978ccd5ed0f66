// Package redisint is Redis's string2ll, the one integer syntax Redis
// accepts everywhere: in commands' arguments, in the protocol's lengths,
// and for the strings it stores as integers (intsets, listpack entries).
// The packages that need it (frame, db, db/rdb) share this copy; it lives
// under internal so that it stays out of their APIs.
package redisint

import "math"

// Parse parses b as Redis parses integers everywhere (string2ll): an
// optional minus sign and decimal digits, no plus sign, no leading zeros,
// no spaces, within int64. It reports false for anything else.
func Parse(b []byte) (int64, bool) {
	// LONG_STR_SIZE: nothing of 21 bytes or more is a valid number.
	if len(b) == 0 || len(b) >= 21 {
		return 0, false
	}
	// One or two digits, the protocol's usual lengths and counts, without
	// the loop and its overflow checks.
	switch d0 := b[0] - '0'; {
	case len(b) == 1:
		if d0 <= 9 { // "0" is the one number that starts with 0
			return int64(d0), true
		}
		return 0, false
	case len(b) == 2 && d0 >= 1 && d0 <= 9:
		if d1 := b[1] - '0'; d1 <= 9 {
			return int64(d0)*10 + int64(d1), true
		}
		return 0, false
	}
	neg := false
	if b[0] == '-' {
		neg = true
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	if b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}
