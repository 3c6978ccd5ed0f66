package frame

import (
	"math"
	"strconv"
	"strings"
)

// The Append functions encode one value onto dst and return the extended
// slice, in the style of strconv.AppendInt. Where RESP2 has no such type they
// apply the downgrade Redis uses for a RESP2 client.

// AppendSimple appends a simple string. s must not contain CR or LF.
func AppendSimple(dst []byte, s string) []byte {
	dst = append(dst, '+')
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

// AppendError appends a simple error. Redis replaces CR and LF in error
// messages with spaces so that a message can never break the framing; so
// does AppendError.
func AppendError(dst []byte, msg string) []byte {
	dst = append(dst, '-')
	dst = appendLine(dst, msg)
	return append(dst, '\r', '\n')
}

// appendLine appends s with CR and LF replaced by spaces.
func appendLine(dst []byte, s string) []byte {
	if !strings.ContainsAny(s, "\r\n") {
		return append(dst, s...)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		dst = append(dst, c)
	}
	return dst
}

// AppendInt appends an integer.
func AppendInt(dst []byte, n int64) []byte {
	dst = append(dst, ':')
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, '\r', '\n')
}

// AppendBulk appends a bulk string.
func AppendBulk(dst, b []byte) []byte {
	dst = appendHeader(dst, '$', len(b))
	dst = append(dst, b...)
	return append(dst, '\r', '\n')
}

// AppendBulkString appends a bulk string.
func AppendBulkString(dst []byte, s string) []byte {
	dst = appendHeader(dst, '$', len(s))
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

// AppendBulkInt appends n as a bulk string of its decimal digits.
func AppendBulkInt(dst []byte, n int64) []byte {
	var buf [20]byte
	return AppendBulk(dst, strconv.AppendInt(buf[:0], n, 10))
}

// AppendNull appends a null: "_" in RESP3, the null bulk string "$-1" in RESP2.
func AppendNull(dst []byte, p Protocol) []byte {
	if p >= RESP3 {
		return append(dst, '_', '\r', '\n')
	}
	return append(dst, '$', '-', '1', '\r', '\n')
}

// AppendNullArray appends a null where an array was expected: "_" in RESP3,
// "*-1" in RESP2.
func AppendNullArray(dst []byte, p Protocol) []byte {
	if p >= RESP3 {
		return append(dst, '_', '\r', '\n')
	}
	return append(dst, '*', '-', '1', '\r', '\n')
}

// AppendArrayLen appends the header of an array of n elements.
func AppendArrayLen(dst []byte, n int) []byte {
	return appendHeader(dst, '*', n)
}

// AppendMapLen appends the header of a map of n key-value pairs; in RESP2,
// the header of the flat array of 2n elements.
func AppendMapLen(dst []byte, n int, p Protocol) []byte {
	if p >= RESP3 {
		return appendHeader(dst, '%', n)
	}
	return appendHeader(dst, '*', 2*n)
}

// AppendSetLen appends the header of a set of n elements; an array in RESP2.
func AppendSetLen(dst []byte, n int, p Protocol) []byte {
	if p >= RESP3 {
		return appendHeader(dst, '~', n)
	}
	return appendHeader(dst, '*', n)
}

// AppendPushLen appends the header of a push of n elements; an array in RESP2.
func AppendPushLen(dst []byte, n int, p Protocol) []byte {
	if p >= RESP3 {
		return appendHeader(dst, '>', n)
	}
	return appendHeader(dst, '*', n)
}

// AppendAttributeLen appends the header of an attribute of n key-value pairs.
// RESP2 has no attributes; callers must not send them to RESP2 clients.
func AppendAttributeLen(dst []byte, n int) []byte {
	return appendHeader(dst, '|', n)
}

// AppendBool appends a boolean: "#t"/"#f" in RESP3, the integer 1 or 0 in RESP2.
func AppendBool(dst []byte, b bool, p Protocol) []byte {
	if p >= RESP3 {
		if b {
			return append(dst, '#', 't', '\r', '\n')
		}
		return append(dst, '#', 'f', '\r', '\n')
	}
	if b {
		return append(dst, ':', '1', '\r', '\n')
	}
	return append(dst, ':', '0', '\r', '\n')
}

// AppendDouble appends a double: "," in RESP3, a bulk string in RESP2.
func AppendDouble(dst []byte, f float64, p Protocol) []byte {
	var buf [32]byte
	s := appendDouble(buf[:0], f)
	if p >= RESP3 {
		dst = append(dst, ',')
		dst = append(dst, s...)
		return append(dst, '\r', '\n')
	}
	return AppendBulk(dst, s)
}

// formatDouble formats f the way Redis does in replies: the shortest
// representation that reads back the same, and "inf", "-inf", "nan".
func formatDouble(f float64) string {
	var buf [32]byte
	return string(appendDouble(buf[:0], f))
}

func appendDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		return append(dst, "nan"...)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}

// AppendBigNumber appends a big number given by its decimal digits; a bulk
// string in RESP2.
func AppendBigNumber(dst []byte, digits string, p Protocol) []byte {
	if p >= RESP3 {
		dst = append(dst, '(')
		dst = append(dst, digits...)
		return append(dst, '\r', '\n')
	}
	return AppendBulkString(dst, digits)
}

// AppendVerbatim appends a verbatim string with a three-byte format such as
// "txt"; a plain bulk string in RESP2.
func AppendVerbatim(dst []byte, format, s string, p Protocol) []byte {
	if p < RESP3 {
		return AppendBulkString(dst, s)
	}
	dst = appendHeader(dst, '=', len(s)+4)
	dst = append(dst, format...)
	dst = append(dst, ':')
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

// AppendBulkError appends a bulk error; a simple error in RESP2.
func AppendBulkError(dst []byte, msg string, p Protocol) []byte {
	if p < RESP3 {
		return AppendError(dst, msg)
	}
	dst = appendHeader(dst, '!', len(msg))
	dst = append(dst, msg...)
	return append(dst, '\r', '\n')
}

func appendHeader(dst []byte, t Type, n int) []byte {
	dst = append(dst, byte(t))
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, '\r', '\n')
}

// Append appends the encoding of f for a client speaking protocol p. For
// RESP2 it applies Redis's downgrades: maps become flat arrays, sets and
// pushes arrays, booleans integers, doubles, big numbers and verbatim strings
// bulk strings, and attributes are left out.
func Append(dst []byte, f Frame, p Protocol) []byte {
	switch f.Type {
	case SimpleString:
		dst = append(dst, '+')
		dst = append(dst, f.Str...)
		return append(dst, '\r', '\n')
	case Error:
		dst = append(dst, '-')
		dst = appendLine(dst, string(f.Str))
		return append(dst, '\r', '\n')
	case Integer:
		return AppendInt(dst, f.Int)
	case BulkString:
		if f.Nil {
			return AppendNull(dst, p)
		}
		return AppendBulk(dst, f.Str)
	case Null:
		return AppendNull(dst, p)
	case Boolean:
		return AppendBool(dst, f.Bool, p)
	case Double:
		return AppendDouble(dst, f.Float, p)
	case BigNumber:
		return AppendBigNumber(dst, string(f.Str), p)
	case BulkError:
		return AppendBulkError(dst, string(f.Str), p)
	case Verbatim:
		return AppendVerbatim(dst, string(f.Format[:]), string(f.Str), p)
	case Array:
		if f.Nil {
			return AppendNullArray(dst, p)
		}
		dst = AppendArrayLen(dst, len(f.Elems))
	case Set:
		dst = AppendSetLen(dst, len(f.Elems), p)
	case Push:
		dst = AppendPushLen(dst, len(f.Elems), p)
	case Map:
		dst = AppendMapLen(dst, len(f.Elems)/2, p)
	case Attribute:
		if p < RESP3 {
			return dst
		}
		dst = AppendAttributeLen(dst, len(f.Elems)/2)
	default:
		// A Frame built with an unknown Type: encode it as an error rather
		// than emit bytes that would desynchronise the peer.
		return AppendError(dst, "ERR cannot encode frame of "+f.Type.String())
	}
	for _, e := range f.Elems {
		dst = Append(dst, e, p)
	}
	return dst
}

// AppendCommand appends a command as the array of bulk strings clients send.
func AppendCommand(dst []byte, args ...[]byte) []byte {
	dst = AppendArrayLen(dst, len(args))
	for _, a := range args {
		dst = AppendBulk(dst, a)
	}
	return dst
}
