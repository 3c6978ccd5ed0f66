package server

import (
	"math"
	"strconv"
)

// cStrtod reads a number at the start of b as glibc's strtod does: leading
// C spaces, an optional sign, then "inf" or "infinity", "nan" optionally
// followed by "(chars)", a hexadecimal float ("0x", hex digits with an
// optional point, an optional "p" exponent) or a decimal one (digits with
// an optional point, an optional "e" exponent), any letters in either
// case. It returns the value and the number of bytes read, 0 if there is
// no number (strtod's endptr left at the start); overflow reports an
// out-of-range result (±Inf), underflow a result that rounded to zero
// although the number is not zero: the two ERANGE cases Redis refuses.
func cStrtod(b []byte) (f float64, n int, overflow, underflow bool) {
	i := 0
	for i < len(b) && isCSpace(b[i]) {
		i++
	}
	start := i
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	if hasPrefixFold(b[i:], "inf") {
		i += 3
		if hasPrefixFold(b[i:], "inity") {
			i += 5
		}
		return math.Inf(signOf(neg)), i, false, false
	}
	if hasPrefixFold(b[i:], "nan") {
		i += 3
		if i < len(b) && b[i] == '(' {
			j := i + 1
			for j < len(b) && (isDigit(b[j]) || b[j] >= 'a' && b[j] <= 'z' || b[j] >= 'A' && b[j] <= 'Z' || b[j] == '_') {
				j++
			}
			if j < len(b) && b[j] == ')' {
				i = j + 1
			}
		}
		return math.NaN(), i, false, false
	}
	numStart := i
	hex := i+1 < len(b) && b[i] == '0' && (b[i+1] == 'x' || b[i+1] == 'X')
	if hex {
		j, digits, nonzero := scanMantissa(b, i+2, isHexDigit)
		if digits > 0 {
			mantEnd := j
			j = scanExponent(b, j, 'p')
			s := string(b[start:j])
			if j == mantEnd {
				s += "p0" // strconv needs the exponent strtod does not
			}
			return finishFloat(s, j, nonzero)
		}
		// "0x" not followed by hex digits: strtod reads the "0".
	}
	j, digits, nonzero := scanMantissa(b, numStart, isDigit)
	if digits == 0 {
		return 0, 0, false, false
	}
	j = scanExponent(b, j, 'e')
	return finishFloat(string(b[start:j]), j, nonzero)
}

// finishFloat converts s, which cStrtod checked, read up to n.
func finishFloat(s string, n int, nonzero bool) (float64, int, bool, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, 0, false, false // cannot happen for what cStrtod checked
	}
	return f, n, math.IsInf(f, 0), f == 0 && nonzero
}

// scanMantissa reads digits with an optional point from b[i:] and returns
// where they end, how many digits there were and whether one was not 0.
func scanMantissa(b []byte, i int, isMantDigit func(byte) bool) (end, digits int, nonzero bool) {
	for i < len(b) && isMantDigit(b[i]) {
		nonzero = nonzero || b[i] != '0'
		i++
		digits++
	}
	if i < len(b) && b[i] == '.' {
		j := i + 1
		frac := 0
		for j < len(b) && isMantDigit(b[j]) {
			nonzero = nonzero || b[j] != '0'
			j++
			frac++
		}
		if digits > 0 || frac > 0 {
			i = j
			digits += frac
		}
	}
	return i, digits, nonzero
}

// scanExponent reads an exponent (the letter exp in either case, an
// optional sign, decimal digits) at b[i:] if there is a whole one, and
// returns where the number ends.
func scanExponent(b []byte, i int, exp byte) int {
	if i >= len(b) || b[i] != exp && b[i] != exp-'a'+'A' {
		return i
	}
	j := i + 1
	if j < len(b) && (b[j] == '+' || b[j] == '-') {
		j++
	}
	if j >= len(b) || !isDigit(b[j]) {
		return i
	}
	for j < len(b) && isDigit(b[j]) {
		j++
	}
	return j
}

func hasPrefixFold(b []byte, prefix string) bool {
	if len(b) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if b[i]|0x20 != prefix[i] {
			return false
		}
	}
	return true
}

func signOf(neg bool) int {
	if neg {
		return -1
	}
	return 1
}

// parseSmallInteger parses the common score, an integer of at most 15
// decimal digits with an optional minus sign, which a float64 holds
// exactly, so that the result is strtod's; ok is false for anything else,
// left to cStrtod.
func parseSmallInteger(b []byte) (float64, bool) {
	digits := b
	if len(b) > 0 && b[0] == '-' {
		digits = b[1:]
	}
	if len(digits) == 0 || len(digits) > 15 {
		return 0, false
	}
	var n int64
	for _, d := range digits {
		if d < '0' || d > '9' {
			return 0, false
		}
		n = n*10 + int64(d-'0')
	}
	f := float64(n)
	if len(digits) < len(b) {
		f = -f // and "-0" is -0, as strtod reads it
	}
	return f, true
}

// parseDouble parses b as Redis's string2d (getDoubleFromObject) does:
// all of b a number for strtod, no leading space, no NaN, no overflow and
// no underflow to zero.
func parseDouble(b []byte) (float64, bool) {
	if f, ok := parseSmallInteger(b); ok {
		return f, true
	}
	if len(b) == 0 || isCSpace(b[0]) {
		return 0, false
	}
	f, n, over, under := cStrtod(b)
	if n != len(b) || over || under || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}
