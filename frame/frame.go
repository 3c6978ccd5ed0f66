// Package frame implements the Redis serialization protocol, RESP2 and RESP3:
// the data model (Frame), a streaming parser that never consumes a partial
// frame, a request parser for the multibulk and inline forms clients send,
// and an encoder with the RESP2 downgrade rules Redis uses.
//
// Parsed frames alias the buffer they were parsed from; call Frame.Clone to
// keep one after the buffer is reused.
package frame

import (
	"math/big"
	"strconv"
)

// Type identifies the kind of a Frame. Its value is the RESP type byte.
type Type byte

// The RESP2 types.
const (
	SimpleString Type = '+'
	Error        Type = '-'
	Integer      Type = ':'
	BulkString   Type = '$'
	Array        Type = '*'
)

// The types RESP3 adds.
const (
	Null      Type = '_'
	Boolean   Type = '#'
	Double    Type = ','
	BigNumber Type = '('
	BulkError Type = '!'
	Verbatim  Type = '='
	Map       Type = '%'
	Set       Type = '~'
	Attribute Type = '|'
	Push      Type = '>'
)

// String returns the RESP3 specification's name of the type.
func (t Type) String() string {
	switch t {
	case SimpleString:
		return "simple string"
	case Error:
		return "simple error"
	case Integer:
		return "integer"
	case BulkString:
		return "bulk string"
	case Array:
		return "array"
	case Null:
		return "null"
	case Boolean:
		return "boolean"
	case Double:
		return "double"
	case BigNumber:
		return "big number"
	case BulkError:
		return "bulk error"
	case Verbatim:
		return "verbatim string"
	case Map:
		return "map"
	case Set:
		return "set"
	case Attribute:
		return "attribute"
	case Push:
		return "push"
	}
	return "type " + strconv.QuoteRune(rune(t))
}

// IsAggregate reports whether frames of type t hold other frames.
func (t Type) IsAggregate() bool {
	switch t {
	case Array, Map, Set, Attribute, Push:
		return true
	}
	return false
}

// Protocol is a RESP protocol version, as negotiated with HELLO.
type Protocol int

// The protocol versions.
const (
	RESP2 Protocol = 2
	RESP3 Protocol = 3
)

// A Frame is one RESP value.
//
// Which fields are meaningful depends on Type:
//
//	SimpleString, Error, BulkString,
//	BulkError, BigNumber               Str (BigNumber: the decimal digits)
//	Verbatim                           Format (e.g. "txt") and Str
//	Integer                            Int
//	Boolean                            Bool
//	Double                             Float
//	Array, Set, Push                   Elems
//	Map, Attribute                     Elems as key, value, key, value, ...
//	BulkString, Array                  Nil marks RESP2's $-1 and *-1
//	Null                               nothing
type Frame struct {
	Type   Type
	Nil    bool
	Bool   bool
	Format [3]byte
	Int    int64
	Float  float64
	Str    []byte
	Elems  []Frame
}

// NewSimple returns a simple string frame.
func NewSimple(s string) Frame { return Frame{Type: SimpleString, Str: []byte(s)} }

// NewError returns a simple error frame. By convention msg starts with an
// upper-case error code, as in "ERR syntax error".
func NewError(msg string) Frame { return Frame{Type: Error, Str: []byte(msg)} }

// NewInteger returns an integer frame.
func NewInteger(n int64) Frame { return Frame{Type: Integer, Int: n} }

// NewBulk returns a bulk string frame holding b (not copied).
func NewBulk(b []byte) Frame { return Frame{Type: BulkString, Str: b} }

// NewBulkString returns a bulk string frame holding s.
func NewBulkString(s string) Frame { return Frame{Type: BulkString, Str: []byte(s)} }

// NewNull returns the null frame: RESP3's "_", RESP2's "$-1".
func NewNull() Frame { return Frame{Type: Null} }

// NewNullBulk returns RESP2's null bulk string, "$-1".
func NewNullBulk() Frame { return Frame{Type: BulkString, Nil: true} }

// NewNullArray returns RESP2's null array, "*-1".
func NewNullArray() Frame { return Frame{Type: Array, Nil: true} }

// NewArray returns an array frame of elems (not copied).
func NewArray(elems ...Frame) Frame { return Frame{Type: Array, Elems: elems} }

// NewCommand returns the array of bulk strings a client sends for a command.
func NewCommand(args ...string) Frame {
	elems := make([]Frame, len(args))
	for i, a := range args {
		elems[i] = NewBulkString(a)
	}
	return NewArray(elems...)
}

// NewBool returns a boolean frame.
func NewBool(b bool) Frame { return Frame{Type: Boolean, Bool: b} }

// NewDouble returns a double frame.
func NewDouble(f float64) Frame { return Frame{Type: Double, Float: f} }

// NewBigNumber returns a big number frame.
func NewBigNumber(n *big.Int) Frame { return Frame{Type: BigNumber, Str: n.Append(nil, 10)} }

// NewBulkError returns a bulk error frame.
func NewBulkError(msg string) Frame { return Frame{Type: BulkError, Str: []byte(msg)} }

// NewVerbatim returns a verbatim string frame. format must be three bytes,
// such as "txt" or "mkd".
func NewVerbatim(format, s string) Frame {
	f := Frame{Type: Verbatim, Str: []byte(s)}
	copy(f.Format[:], format)
	return f
}

// NewMap returns a map frame; kv holds keys and values alternately.
func NewMap(kv ...Frame) Frame { return Frame{Type: Map, Elems: kv} }

// NewSet returns a set frame.
func NewSet(elems ...Frame) Frame { return Frame{Type: Set, Elems: elems} }

// NewPush returns a push frame, the out-of-band message of RESP3.
func NewPush(elems ...Frame) Frame { return Frame{Type: Push, Elems: elems} }

// NewAttribute returns an attribute frame; kv holds keys and values alternately.
func NewAttribute(kv ...Frame) Frame { return Frame{Type: Attribute, Elems: kv} }

// IsNull reports whether f is a null of any protocol version.
func (f Frame) IsNull() bool { return f.Type == Null || f.Nil }

// IsError reports whether f is a simple or bulk error.
func (f Frame) IsError() bool { return f.Type == Error || f.Type == BulkError }

// Text returns the payload of a string-like frame as a string.
func (f Frame) Text() string { return string(f.Str) }

// BigInt returns the value of a BigNumber frame, or nil if it is not one or
// its digits are malformed.
func (f Frame) BigInt() *big.Int {
	if f.Type != BigNumber {
		return nil
	}
	n, ok := new(big.Int).SetString(string(f.Str), 10)
	if !ok {
		return nil
	}
	return n
}

// Clone returns a deep copy of f that shares no memory with any buffer.
func (f Frame) Clone() Frame {
	if f.Str != nil {
		f.Str = append([]byte{}, f.Str...)
	}
	if f.Elems != nil {
		elems := make([]Frame, len(f.Elems))
		for i, e := range f.Elems {
			elems[i] = e.Clone()
		}
		f.Elems = elems
	}
	return f
}

// Equal reports whether f and g are the same value (aliasing aside). Doubles
// compare by bits, so NaN equals NaN.
func (f Frame) Equal(g Frame) bool {
	if f.Type != g.Type || f.Nil != g.Nil || f.Bool != g.Bool || f.Format != g.Format ||
		f.Int != g.Int || !sameFloat(f.Float, g.Float) || string(f.Str) != string(g.Str) ||
		len(f.Elems) != len(g.Elems) {
		return false
	}
	for i := range f.Elems {
		if !f.Elems[i].Equal(g.Elems[i]) {
			return false
		}
	}
	return true
}

func sameFloat(a, b float64) bool {
	return a == b || (a != a && b != b)
}

// String returns f in a readable form, the way redis-cli prints replies; it
// is meant for logs and test failures.
func (f Frame) String() string {
	return string(f.appendReadable(nil))
}

func (f Frame) appendReadable(dst []byte) []byte {
	if f.IsNull() {
		return append(dst, "(nil)"...)
	}
	switch f.Type {
	case SimpleString, BigNumber:
		return append(dst, f.Str...)
	case Error, BulkError:
		return append(append(dst, "(error) "...), f.Str...)
	case Integer:
		return strconv.AppendInt(append(dst, "(integer) "...), f.Int, 10)
	case Boolean:
		if f.Bool {
			return append(dst, "(true)"...)
		}
		return append(dst, "(false)"...)
	case Double:
		return appendDouble(append(dst, "(double) "...), f.Float)
	case BulkString, Verbatim:
		return strconv.AppendQuote(dst, string(f.Str))
	}
	dst = append(dst, '[')
	for i, e := range f.Elems {
		if i > 0 {
			if (f.Type == Map || f.Type == Attribute) && i%2 == 1 {
				dst = append(dst, " => "...)
			} else {
				dst = append(dst, ", "...)
			}
		}
		dst = e.appendReadable(dst)
	}
	return append(dst, ']')
}
