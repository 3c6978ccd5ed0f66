package frame

import (
	"math"
	"strconv"
)

// The Append functions encode one value onto dst and return the extended
// slice, in the style of strconv.AppendInt. Where RESP2 has no such type they
// apply the downgrade Redis uses for a RESP2 client.

// AppendSimple appends a simple string. A simple string cannot hold CR or
// LF; any in s are replaced by spaces so that the reply cannot break the
// framing.
func AppendSimple(dst []byte, s string) []byte {
	return appendSimple(dst, s)
}

func appendSimple[T text](dst []byte, s T) []byte {
	dst = append(dst, '+')
	dst = appendLine(dst, s)
	return append(dst, '\r', '\n')
}

// AppendError appends a simple error. msg starts with the error code, as in
// "ERR syntax error". Like Redis's addReplyErrorFormat, it trims CR and LF
// from both ends of msg and replaces those inside with spaces, so that a
// message can never break the framing.
func AppendError(dst []byte, msg string) []byte {
	return appendError(dst, msg)
}

func appendError[T text](dst []byte, msg T) []byte {
	for len(msg) > 0 && isCRLF(msg[0]) {
		msg = msg[1:]
	}
	for len(msg) > 0 && isCRLF(msg[len(msg)-1]) {
		msg = msg[:len(msg)-1]
	}
	dst = append(dst, '-')
	dst = appendLine(dst, msg)
	return append(dst, '\r', '\n')
}

// text is what the internal encoders accept, so that a Frame's []byte
// payload is encoded without first being copied into a string.
type text interface{ ~string | ~[]byte }

func isCRLF(c byte) bool { return c == '\r' || c == '\n' }

// appendLine appends s with CR and LF replaced by spaces.
func appendLine[T text](dst []byte, s T) []byte {
	start := len(dst)
	dst = append(dst, s...)
	for i := start; i < len(dst); i++ {
		if isCRLF(dst[i]) {
			dst[i] = ' '
		}
	}
	return dst
}

// AppendInt appends an integer.
func AppendInt(dst []byte, n int64) []byte {
	dst = append(dst, ':')
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, '\r', '\n')
}

// AppendBulk appends a bulk string. It is appendBlob written out for
// []byte: through the generic function, escape analysis cannot see that b
// is only copied, and every caller's b went to the heap.
func AppendBulk(dst, b []byte) []byte {
	dst = appendHeader(dst, BulkString, len(b))
	dst = append(dst, b...)
	return append(dst, '\r', '\n')
}

// AppendBulkString appends a bulk string.
func AppendBulkString(dst []byte, s string) []byte { return appendBlob(dst, '$', s) }

// appendBlob appends a length-prefixed string of type t: bulk string or
// bulk error.
func appendBlob[T text](dst []byte, t Type, s T) []byte {
	dst = appendHeader(dst, t, len(s))
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

// AppendDouble appends a double: "," in RESP3, a bulk string in RESP2. Like
// Redis 7.0's addReplyDouble it prints 17 significant digits (C's "%.17g"),
// so 1.1 reads "1.1000000000000001", and infinities as "inf" and "-inf".
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

// AppendDoubleText appends a double already formatted, as text: "," in
// RESP3, a bulk string in RESP2. It serves the replies Redis prints in a
// format of its own, such as addReplyHumanLongDouble's coordinates.
func AppendDoubleText(dst []byte, text []byte, p Protocol) []byte {
	if p >= RESP3 {
		dst = append(dst, ',')
		dst = append(dst, text...)
		return append(dst, '\r', '\n')
	}
	return AppendBulk(dst, text)
}

// appendDouble appends f as C's printf("%.17g") does, which strconv's 'g'
// format with precision 17 matches digit for digit; glibc spells the
// non-finite values "inf", "-inf", "nan" and "-nan".
func appendDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		if math.Signbit(f) {
			return append(dst, "-nan"...)
		}
		return append(dst, "nan"...)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}

// AppendBigNumber appends a big number given by its decimal digits; a bulk
// string in RESP2.
func AppendBigNumber(dst []byte, digits string, p Protocol) []byte {
	return appendBigNumber(dst, digits, p)
}

func appendBigNumber[T text](dst []byte, digits T, p Protocol) []byte {
	if p < RESP3 {
		return appendBlob(dst, BulkString, digits)
	}
	dst = append(dst, '(')
	dst = appendLine(dst, digits)
	return append(dst, '\r', '\n')
}

// AppendVerbatim appends a verbatim string; a plain bulk string in RESP2.
// format is three bytes such as "txt" or "mkd"; any other length is
// replaced by "txt", since the peer reads exactly three.
func AppendVerbatim(dst []byte, format, s string, p Protocol) []byte {
	return appendVerbatim(dst, format, s, p)
}

func appendVerbatim[F, T text](dst []byte, format F, s T, p Protocol) []byte {
	if p < RESP3 {
		return appendBlob(dst, BulkString, s)
	}
	dst = appendHeader(dst, Verbatim, len(s)+4)
	if len(format) == 3 {
		dst = append(dst, format...)
	} else {
		dst = append(dst, "txt"...)
	}
	dst = append(dst, ':')
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

// AppendBulkError appends a bulk error; in RESP2, a simple error, with CR
// and LF handled as AppendError does.
func AppendBulkError(dst []byte, msg string, p Protocol) []byte {
	return appendBulkError(dst, msg, p)
}

func appendBulkError[T text](dst []byte, msg T, p Protocol) []byte {
	if p < RESP3 {
		return appendError(dst, msg)
	}
	return appendBlob(dst, BulkError, msg)
}

func appendHeader(dst []byte, t Type, n int) []byte {
	if uint(n) < 10 {
		// The usual lengths, of short replies and arguments, without
		// strconv.
		return append(dst, byte(t), '0'+byte(n), '\r', '\n')
	}
	dst = append(dst, byte(t))
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, '\r', '\n')
}

// Append appends the encoding of f for a client speaking protocol p. For
// RESP2 it applies Redis's downgrades: maps become flat arrays, sets and
// pushes arrays, nulls "$-1" (or "*-1" for a Nil array), booleans the
// integers 1 and 0, doubles, big numbers and verbatim strings bulk strings,
// bulk errors simple errors, and attributes are left out. (An attribute
// inside an aggregate, which counts as one of its elements in this
// package's model, becomes a flat array instead, so that the aggregate keeps
// its length.)
//
// Encoding never fails: strings that cannot hold CR or LF have them
// replaced by spaces, and a frame of an unknown type is encoded as an error
// reply rather than as bytes that would desynchronise the peer.
func Append(dst []byte, f Frame, p Protocol) []byte {
	if f.Type == Attribute && p < RESP3 {
		return dst
	}
	return appendFrame(dst, f, p)
}

func appendFrame(dst []byte, f Frame, p Protocol) []byte {
	switch f.Type {
	case SimpleString:
		return appendSimple(dst, f.Str)
	case Error:
		return appendError(dst, f.Str)
	case Integer:
		return AppendInt(dst, f.Int)
	case BulkString:
		if f.Nil {
			return AppendNull(dst, p)
		}
		return appendBlob(dst, BulkString, f.Str)
	case Null:
		return AppendNull(dst, p)
	case Boolean:
		return AppendBool(dst, f.Bool, p)
	case Double:
		return AppendDouble(dst, f.Float, p)
	case BigNumber:
		return appendBigNumber(dst, f.Str, p)
	case BulkError:
		return appendBulkError(dst, f.Str, p)
	case Verbatim:
		return appendVerbatim(dst, f.Format[:], f.Str, p)
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
			dst = AppendArrayLen(dst, len(f.Elems)/2*2)
		} else {
			dst = AppendAttributeLen(dst, len(f.Elems)/2)
		}
	default:
		return AppendError(dst, "ERR cannot encode frame of "+f.Type.String())
	}
	elems := f.Elems
	if f.Type == Map || f.Type == Attribute {
		elems = elems[:len(elems)/2*2] // a key without a value cannot be sent
	}
	for _, e := range elems {
		dst = appendFrame(dst, e, p)
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
