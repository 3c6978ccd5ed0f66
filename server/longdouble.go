package server

import (
	"math/big"
	"strings"
)

// INCRBYFLOAT computes in C's long double, which on x86-64 is the 80-bit
// extended format: a 64-bit mantissa. float64 would print 0.1 + 0.2 as
// "0.30000000000000004" where Redis prints "0.3". So the arithmetic here is
// big.Float with 64 bits of mantissa and round-to-nearest-even, which is
// what the x87 unit does, and the exponent range of long double.

const (
	longDoublePrec = 64
	// Exponents (as big.Float.MantExp reports them) beyond which a long
	// double overflows to infinity or underflows to zero.
	longDoubleMaxExp = 16384
	longDoubleMinExp = -16444
	// maxLongDoubleChars is MAX_LONG_DOUBLE_CHARS: longer input is refused.
	maxLongDoubleChars = 5 * 1024
)

func newLongDouble() *big.Float {
	return new(big.Float).SetPrec(longDoublePrec).SetMode(big.ToNearestEven)
}

// parseLongDouble parses b as Redis's string2ld does with strtold: decimal
// or hexadecimal floating point, or "inf"/"infinity", with an optional
// sign; no spaces, nothing after the number, no NaN, no overflow.
func parseLongDouble(b []byte) (*big.Float, bool) {
	if len(b) == 0 || len(b) >= maxLongDoubleChars || isCSpace(b[0]) {
		return nil, false
	}
	s := string(b)
	body := strings.TrimLeft(s, "+-")
	if len(s)-len(body) > 1 {
		return nil, false
	}
	switch strings.ToLower(body) {
	case "inf", "infinity":
		return newLongDouble().SetInf(s[0] == '-'), true
	}
	base := 10
	if len(body) > 1 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X') {
		base = 0 // big.Float.Parse reads the 0x prefix and a p exponent
		if !validFloat(body[2:], isHexDigit, 'p') {
			return nil, false
		}
	} else if !validFloat(body, isDigit, 'e') {
		return nil, false
	}
	f, _, err := newLongDouble().Parse(s, base)
	if err != nil {
		return nil, false
	}
	if !inLongDoubleRange(f) {
		return nil, false // strtold reports ERANGE
	}
	return f, true
}

// validFloat reports whether s, a number without its sign and "0x" prefix,
// is wholly what strtold reads: digits (those isMantDigit accepts) with an
// optional point, at least one digit in all, then optionally an exponent:
// the letter exp ('e' for decimal, 'p' for hexadecimal) in either case, an
// optional sign and decimal digits.
func validFloat(s string, isMantDigit func(byte) bool, exp byte) bool {
	i, digits := 0, 0
	for i < len(s) && isMantDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isMantDigit(s[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == exp || s[i] == exp-'a'+'A') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i == len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return i == len(s)
}

func isDigit(c byte) bool    { return '0' <= c && c <= '9' }
func isHexDigit(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func inLongDoubleRange(f *big.Float) bool {
	if f.IsInf() || f.Sign() == 0 {
		return true
	}
	exp := f.MantExp(nil)
	return exp <= longDoubleMaxExp && exp >= longDoubleMinExp
}

// addLongDouble returns a+b, or false if the sum is infinite or NaN.
func addLongDouble(a, b *big.Float) (*big.Float, bool) {
	if a.IsInf() || b.IsInf() {
		return nil, false // inf, or NaN for inf-inf
	}
	sum := newLongDouble().Add(a, b)
	if sum.Sign() != 0 && sum.MantExp(nil) > longDoubleMaxExp {
		return nil, false
	}
	return sum, true
}

// formatLongDouble prints f as Redis's ld2string in its human-friendly
// mode: "%.17Lf", then without trailing zeros after the point, and "-0"
// as "0".
func formatLongDouble(f *big.Float) []byte {
	s := f.Text('f', 17)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return []byte(s)
}
