package db

import (
	"errors"
	"math"
	"strconv"
	"unsafe"

	"github.com/mini-redis/mini-redis/internal/redisint"
)

// Type is the type of a value, as the TYPE command names it.
type Type uint8

// The value types.
const (
	TypeNone Type = iota // no such key
	TypeString
	TypeList
	TypeHash
	TypeSet
	TypeZSet
	TypeStream
)

// String returns the name TYPE replies with.
func (t Type) String() string {
	switch t {
	case TypeString:
		return "string"
	case TypeList:
		return "list"
	case TypeHash:
		return "hash"
	case TypeSet:
		return "set"
	case TypeZSet:
		return "zset"
	case TypeStream:
		return "stream"
	}
	return "none"
}

// ErrWrongType is the error of a command that finds a key holding a value
// of another type than the one it works on. Its text is Redis's reply.
var ErrWrongType = errors.New("WRONGTYPE Operation against a key holding the wrong kind of value")

// ParseType returns the type named s (as in SCAN ... TYPE s), and whether
// it is a type Redis knows. A Redis type this server does not implement yet
// would be known but match no key.
func ParseType(s string) (Type, bool) {
	switch s {
	case "string":
		return TypeString, true
	case "list":
		return TypeList, true
	case "hash":
		return TypeHash, true
	case "set":
		return TypeSet, true
	case "zset":
		return TypeZSet, true
	case "stream":
		return TypeStream, true
	}
	return TypeNone, false
}

// A Value is what a key holds. Strings are immutable once stored: a
// command that changes one stores a new one (see String.Append for the one
// exception), so a reader may keep a String after the key's lock is
// released. Lists, hashes, sets, sorted sets and streams are changed in place, through
// KeyLock.MutableList and its siblings (collection.go): read them only
// while the KeyLock that returned them is open, or Clone them.
type Value interface {
	// Type returns the value's type.
	Type() Type
	// Encoding returns the name OBJECT ENCODING replies with.
	Encoding() string
	// Size returns the approximate number of bytes the value takes.
	Size() int
}

// String is a string value: bytes, which may hold an integer.
//
// It holds its bytes as a pointer and a 32-bit length rather than a slice,
// and its flags in the top bits of the word that records their spare
// capacity: 16 bytes, so that a key's entry and its String fit in 64 (see
// stringEntry). Bytes of 4 GB or more, which proto-max-bulk-len allows,
// are kept behind one more pointer (hugeBytes).
type String struct {
	// p is the first byte, nil for a nil slice; when n is hugeLen, it
	// points at a hugeBytes instead.
	p *byte
	n uint32 // the number of bytes, or hugeLen
	// meta holds, in its low bits, how many bytes past n the array has,
	// for Append, capped at spareMax (capacity not recorded is only left
	// unused), and in its top three bits the flags below.
	meta uint32
}

// The flags of String.meta.
const (
	// flagRaw records that the value was built by APPEND, SETRANGE or
	// SETBIT, which Redis always leaves in the "raw" encoding.
	flagRaw = 1 << (31 - iota)
	// flagNotInt records that the value was built by INCRBYFLOAT, which
	// Redis stores as the string it formatted, never as an integer, even
	// when it reads as one ("3").
	flagNotInt
	// flagUnshared records a copy (COPY) of an integer: Redis duplicates
	// the object, so the copy is not one of its shared integers, though it
	// holds the same digits.
	flagUnshared

	spareMax  = 1<<29 - 1
	flagsMask = ^uint32(spareMax)
)

// hugeLen is String.n for bytes too long for n: p is then a *hugeBytes.
const hugeLen = math.MaxUint32

// hugeBytes holds the bytes of a String of hugeLen bytes or more.
type hugeBytes struct{ b []byte }

// NewString returns a string value holding b, which it takes ownership of.
func NewString(b []byte) *String {
	s := &String{}
	s.setBytes(b)
	return s
}

// NewFloatString returns a string value holding b, the formatted result of
// INCRBYFLOAT, which it takes ownership of: "embstr", or "raw" past 44
// bytes, and never one of the shared integers, whatever its digits.
func NewFloatString(b []byte) *String {
	s := NewString(b)
	s.meta |= flagNotInt
	return s
}

// setBytes makes s hold b, and b's spare capacity, keeping s's flags.
func (s *String) setBytes(b []byte) {
	flags := s.meta & flagsMask
	if uint64(len(b)) >= hugeLen {
		s.p, s.n, s.meta = (*byte)(unsafe.Pointer(&hugeBytes{b})), hugeLen, flags
		return
	}
	spare := uint32(min(cap(b)-len(b), spareMax))
	s.p, s.n, s.meta = unsafe.SliceData(b), uint32(len(b)), flags|spare
}

func (s *String) has(flag uint32) bool { return s.meta&flag != 0 }

// spare returns how many bytes past the value's the array has.
func (s *String) spare() int { return int(s.meta &^ flagsMask) }

// Len returns the number of bytes of the value.
func (s *String) Len() int {
	if s.n == hugeLen {
		return len((*hugeBytes)(unsafe.Pointer(s.p)).b)
	}
	return int(s.n)
}

// smallInt is a string value and the bytes of an integer in one
// allocation: INCR and friends make one per call.
type smallInt struct {
	String
	digits [20]byte
}

// NewInt returns a string value holding the decimal digits of n.
func NewInt(n int64) *String {
	si := &smallInt{}
	si.setBytes(strconv.AppendInt(si.digits[:0], n, 10))
	return &si.String
}

// Bytes returns the value's bytes. They must not be modified. Their
// capacity is their length: appending to them copies them.
func (s *String) Bytes() []byte {
	switch {
	case s.p == nil:
		return nil
	case s.n == hugeLen:
		b := (*hugeBytes)(unsafe.Pointer(s.p)).b
		return b[:len(b):len(b)]
	}
	return unsafe.Slice(s.p, s.n)
}

// Type returns TypeString.
func (s *String) Type() Type { return TypeString }

// Size returns the length of the string plus its header.
func (s *String) Size() int { return s.Len() + 16 }

// Encoding returns the encoding Redis would use: "int" for a canonical
// integer, "embstr" for up to 44 bytes, "raw" for longer strings and for
// strings modified in place.
func (s *String) Encoding() string {
	switch {
	case s.has(flagRaw):
		return "raw"
	case !s.has(flagNotInt) && s.n <= 20 && isInteger(s.Bytes()):
		return "int"
	case s.n <= 44:
		return "embstr"
	}
	return "raw"
}

// IsSharedInteger reports whether Redis would hold the value as one of its
// shared integer objects (0 to 9999), which OBJECT REFCOUNT shows as
// INT_MAX.
func (s *String) IsSharedInteger() bool {
	if s.has(flagRaw|flagNotInt|flagUnshared) || s.n > 4 {
		return false
	}
	n, ok := parseCanonicalInt(s.Bytes())
	return ok && n >= 0 && n < 10000
}

func isInteger(b []byte) bool {
	_, ok := parseCanonicalInt(b)
	return ok
}

// parseCanonicalInt parses b if it is an int64 written the one way Redis
// writes integers: no sign but "-", no leading zeros, no spaces.
// That is string2ll's syntax, without strconv's error allocation for the
// many strings that are not numbers.
func parseCanonicalInt(b []byte) (int64, bool) { return redisint.Parse(b) }

// Append returns a string value holding s's bytes followed by more. It
// writes into spare capacity of s's array when there is some: readers of s
// see only its own length, so they are not disturbed, and each stored
// string owns its array (copies never share one), so no other value sees
// the bytes either.
func (s *String) Append(more []byte) *String {
	var b []byte
	switch {
	case s.n == hugeLen:
		b = s.Bytes() // no spare capacity is recorded
	case s.p != nil:
		b = unsafe.Slice(s.p, int(s.n)+s.spare())[:s.n]
	}
	if cap(b)-len(b) < len(more) {
		// Grow geometrically so repeated APPENDs cost amortised O(1).
		nb := make([]byte, len(b), max(2*cap(b), len(b)+len(more)))
		copy(nb, b)
		b = nb
	}
	return WithBytes(append(b, more...))
}

// WithBytes returns a raw-encoded string value holding b (SETRANGE, SETBIT).
func WithBytes(b []byte) *String {
	s := NewString(b)
	s.meta |= flagRaw
	return s
}
