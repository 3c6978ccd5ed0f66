// Package hll is Redis 7.0's HyperLogLog, in Redis's own representation:
// a string value that starts with a 16-byte header ("HYLL", the encoding,
// three reserved bytes, the cached cardinality) followed by 16384 6-bit
// registers, either packed (dense) or run-length coded (sparse). Values
// built here are byte for byte the ones redis-server builds after the same
// commands, so a HyperLogLog copied between the two counts the same.
//
// The package works on plain byte slices and never reads past their end:
// a corrupt value gives ErrCorrupt, never a panic. Where Redis reads one
// byte past a string's end (the NUL every sds string carries), this
// package reads a zero, as Redis then does.
package hll

import (
	"encoding/binary"
	"errors"
)

// Layout constants of the representation (HLL_P and friends in Redis).
const (
	// P is the number of hash bits that choose a register.
	P = 14
	// NumRegisters is the number of registers, 2^P.
	NumRegisters = 1 << P
	// HeaderSize is the size of the header before the registers.
	HeaderSize = 16
	// DenseSize is the exact length of a dense HyperLogLog.
	DenseSize = HeaderSize + (NumRegisters*registerBits+7)/8

	q            = 64 - P // hash bits left to count leading zeros in
	registerBits = 6
	registerMax  = 1<<registerBits - 1

	encodingDense  = 0
	encodingSparse = 1
	maxEncoding    = encodingSparse

	// cacheByte holds, in its top bit, the flag that marks the cached
	// cardinality stale.
	cacheByte    = 15
	staleCardBit = 0x80
)

// Limits of the sparse opcodes.
const (
	sparseValMaxValue = 32    // the largest register a VAL opcode holds
	sparseValMaxLen   = 4     // registers a VAL opcode covers at most
	sparseZeroMaxLen  = 64    // registers a ZERO opcode covers at most
	sparseXZeroMaxLen = 16384 // registers an XZERO opcode covers at most
)

// DefaultSparseMaxBytes is hll-sparse-max-bytes's default: a sparse
// HyperLogLog that would grow past it becomes dense.
const DefaultSparseMaxBytes = 3000

// ErrCorrupt reports a HyperLogLog whose header is valid but whose
// registers are not: a sparse encoding that does not cover exactly
// NumRegisters registers. The server replies Redis's INVALIDOBJ error.
var ErrCorrupt = errors.New("hll: corrupted HyperLogLog")

// IsHLL reports whether b passes the checks Redis makes before it treats a
// string as a HyperLogLog (isHLLObjectOrReply): the magic, a known
// encoding, and for a dense one its exact length. A sparse one's registers
// are checked only when they are read.
func IsHLL(b []byte) bool {
	if len(b) < HeaderSize || string(b[:4]) != "HYLL" || b[4] > maxEncoding {
		return false
	}
	return b[4] != encodingDense || len(b) == DenseSize
}

// IsDense reports whether b, a HyperLogLog (IsHLL), is dense.
func IsDense(b []byte) bool { return b[4] == encodingDense }

// New returns an empty HyperLogLog, as PFADD creates one: sparse, every
// register zero (one XZERO opcode), a valid cached cardinality of 0.
func New() []byte {
	b := make([]byte, HeaderSize, HeaderSize+2)
	copy(b, "HYLL")
	b[4] = encodingSparse
	return appendXZero(b, NumRegisters)
}

// CachedCount returns the cardinality cached in b's header, and whether it
// is valid (not marked stale since the registers last changed).
func CachedCount(b []byte) (n uint64, ok bool) {
	if b[cacheByte]&staleCardBit != 0 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(b[8:16]), true
}

// WithCachedCount returns a copy of b whose header caches n as valid.
func WithCachedCount(b []byte, n uint64) []byte {
	out := append([]byte(nil), b...)
	binary.LittleEndian.PutUint64(out[8:16], n)
	return out
}

// Hash returns the register an element goes to and the value it offers
// that register: one more than the number of trailing zero bits in the
// rest of its 64-bit MurmurHash64A, so between 1 and q+1.
func Hash(element []byte) (index int, count uint8) {
	h := MurmurHash64A(element, Seed)
	return int(h & (NumRegisters - 1)), trailingCount(h >> P)
}

// byteAt returns b[i], or 0 past the end: the NUL terminator Redis reads
// there.
func byteAt(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}

// denseRegister returns register i of the dense registers regs (the bytes
// after the header).
func denseRegister(regs []byte, i int) uint8 {
	bit := i * registerBits
	byteIdx, shift := bit/8, uint(bit%8)
	v := uint(byteAt(regs, byteIdx))>>shift | uint(byteAt(regs, byteIdx+1))<<(8-shift)
	return uint8(v & registerMax)
}

// setDenseRegister sets register i of regs to v (at most registerMax).
func setDenseRegister(regs []byte, i int, v uint8) {
	bit := i * registerBits
	byteIdx, shift := bit/8, uint(bit%8)
	regs[byteIdx] = regs[byteIdx]&^byte(registerMax<<shift) | byte(uint(v)<<shift)
	if byteIdx+1 < len(regs) {
		// The last register fits in its byte; Redis's write of the next
		// one goes to the terminator and changes nothing visible.
		regs[byteIdx+1] = regs[byteIdx+1]&^byte(registerMax>>(8-shift)) | byte(uint(v)>>(8-shift))
	}
}
