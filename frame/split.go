package frame

import "bytes"

// SplitArgs splits an inline command line into arguments the way Redis's
// sdssplitargs does (it is also how redis-cli reads its prompt):
//
//   - arguments are separated by spaces, tabs, CR, LF, VT and FF;
//   - "double quotes" allow the escapes \xHH, \n, \r, \t, \b, \a and \<any>;
//   - 'single quotes' allow only \';
//   - a closing quote must be followed by a space or the end of the line.
//
// It appends the arguments to args and reports false when quotes are
// unbalanced. Arguments alias line unless they contained an escape.
func SplitArgs(line []byte, args [][]byte) ([][]byte, bool) {
	// The C original sees a NUL as the end of the line.
	if nul := bytes.IndexByte(line, 0); nul >= 0 {
		line = line[:nul]
	}
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i >= len(line) {
			return args, true
		}
		arg, next, ok := splitArg(line, i)
		if !ok {
			return args, false
		}
		args = append(args, arg)
		i = next
	}
}

// AppendQuote appends s to dst quoted as Redis's sdscatrepr quotes it, and
// returns the extended buffer. The result is in double quotes; backslash and
// double quote are escaped with a backslash, newline, carriage return, tab,
// bell and backspace become \n, \r, \t, \a and \b, other bytes outside
// printable ASCII become \xHH, and the rest stand as they are.
//
// It is the inverse of SplitArgs: SplitArgs reads the result back as the
// single argument s. redis-cli prints bulk strings this way, and CONFIG
// REWRITE writes string values this way.
func AppendQuote(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for _, c := range s {
		switch c {
		case '\\', '"':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\a':
			dst = append(dst, '\\', 'a')
		case '\b':
			dst = append(dst, '\\', 'b')
		default:
			if 0x20 <= c && c <= 0x7e { // isprint in the "C" locale
				dst = append(dst, c)
			} else {
				dst = append(dst, '\\', 'x', hex[c>>4], hex[c&0xf])
			}
		}
	}
	return append(dst, '"')
}

// Quote returns s quoted as AppendQuote quotes it.
func Quote(s string) string {
	return string(AppendQuote(make([]byte, 0, len(s)+2), []byte(s)))
}

// splitArg reads the argument that starts at line[i]; it returns the
// argument and the index just past it.
func splitArg(line []byte, i int) (arg []byte, next int, ok bool) {
	start := i
	// Fast path: an unquoted word aliases line.
	for i < len(line) {
		switch line[i] {
		case ' ', '\n', '\r', '\t':
			return line[start:i:i], i + 1, true
		case '"', '\'':
			goto quoted
		}
		i++
	}
	return line[start:i:i], i, true

quoted:
	// A word with quotes in it: build a copy. Bytes before the quote belong
	// to the same argument ("abc"def" style words are one argument in Redis
	// until the quote closes).
	cur := append([]byte{}, line[start:i]...)
	inDouble, inSingle := false, false
	for {
		c := peek(line, i)
		switch {
		case inDouble:
			switch {
			case c == '\\' && peek(line, i+1) == 'x' && i+3 < len(line) && isHex(line[i+2]) && isHex(line[i+3]):
				cur = append(cur, unhex(line[i+2])<<4|unhex(line[i+3]))
				i += 3
			case c == '\\' && peek(line, i+1) != 0:
				i++
				cur = append(cur, unescape(line[i]))
			case c == '"':
				return closeQuote(line, i, cur)
			case i >= len(line):
				return nil, 0, false
			default:
				cur = append(cur, c)
			}
		case inSingle:
			switch {
			case c == '\\' && peek(line, i+1) == '\'':
				i++
				cur = append(cur, '\'')
			case c == '\'':
				return closeQuote(line, i, cur)
			case i >= len(line):
				return nil, 0, false
			default:
				cur = append(cur, c)
			}
		default:
			switch c {
			case ' ', '\n', '\r', '\t', 0:
				return cur, i + 1, true
			case '"':
				inDouble = true
			case '\'':
				inSingle = true
			default:
				cur = append(cur, c)
			}
		}
		i++
	}
}

// closeQuote ends the quoted argument arg at its closing quote, line[i],
// which must be followed by a space or the end of the line.
func closeQuote(line []byte, i int, arg []byte) ([]byte, int, bool) {
	if n := peek(line, i+1); n != 0 && !isSpace(n) {
		return nil, 0, false
	}
	return arg, i + 1, true
}

// peek returns line[i], or 0 past the end (the C string's terminator).
func peek(line []byte, i int) byte {
	if i < len(line) {
		return line[i]
	}
	return 0
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}

// isSpace is C's isspace in the "C" locale.
func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
