package server

import (
	"crypto/subtle"
	"encoding/binary"
	"math"
)

// The arithmetic of BITFIELD and BITOP: integers of 1 to 64 bits stored at
// any bit offset of a string, most significant bit first, and bitwise
// operations over whole strings. These functions know nothing of keys or
// replies, so they can be tested against simple references.

// bitfieldType is the integer type of a BITFIELD subcommand: i1 to i64,
// u1 to u63 (a u64 could not be replied as a RESP integer).
type bitfieldType struct {
	signed bool
	bits   uint
}

// overflowMode is what BITFIELD's SET and INCRBY do with a result that
// does not fit the field.
type overflowMode uint8

const (
	overflowWrap overflowMode = iota // keep the low bits, as C's unsigned arithmetic does
	overflowSat                      // clamp to the type's minimum or maximum
	overflowFail                     // write nothing, reply nil
)

// parseBitfieldType parses a type argument such as "i16" or "u8"
// (getBitfieldTypeFromArgument). As in Redis the letter is lower case
// only, and the width is read as a C string, up to a NUL.
func parseBitfieldType(arg []byte) (bitfieldType, bool) {
	if len(arg) == 0 || (arg[0] != 'i' && arg[0] != 'u') {
		return bitfieldType{}, false
	}
	t := bitfieldType{signed: arg[0] == 'i'}
	width, ok := parseInt(cString(arg[1:], len(arg)-1))
	switch {
	case !ok, width < 1, t.signed && width > 64, !t.signed && width > 63:
		return bitfieldType{}, false
	}
	t.bits = uint(width)
	return t, true
}

// getUnsignedField returns the bits-bit unsigned integer (bits <= 64) that
// starts at bit offset of b. Bits past the end of b read as zero, as they
// do for a string Redis pads with zeros.
func getUnsignedField(b []byte, offset uint64, bits uint) uint64 {
	var v uint64
	i := offset >> 3
	skip := uint(offset & 7) // bits of the first byte before the field
	for left := bits; left > 0; i++ {
		var octet byte
		if i < uint64(len(b)) {
			octet = b[i]
		}
		avail := 8 - skip
		take := min(avail, left)
		v = v<<take | uint64(octet>>(avail-take))&(1<<take-1)
		left -= take
		skip = 0
	}
	return v
}

// getSignedField is getUnsignedField for a two's complement field: the
// field's top bit is the sign.
func getSignedField(b []byte, offset uint64, bits uint) int64 {
	return signExtend(getUnsignedField(b, offset, bits), bits)
}

// signExtend reads the low bits of v as a two's complement integer.
func signExtend(v uint64, bits uint) int64 {
	shift := 64 - bits
	return int64(v<<shift) >> shift
}

// setField stores the low bits of v (bits <= 64) at bit offset of b,
// which must be long enough to hold them.
func setField(b []byte, offset uint64, bits uint, v uint64) {
	i := offset >> 3
	skip := uint(offset & 7)
	for left := bits; left > 0; i++ {
		avail := 8 - skip
		take := min(avail, left)
		shift := avail - take
		mask := byte(1<<take-1) << shift
		chunk := byte(v>>(left-take)) << shift
		b[i] = b[i]&^mask | chunk&mask
		left -= take
		skip = 0
	}
}

// addSigned returns value+incr for a signed field of the given width, and
// whether the exact sum lies outside the field's range, in which case the
// result follows mode (with overflowFail it is not to be written). SET
// is addSigned(value, 0): a value that does not fit overflows too
// (checkSignedBitfieldOverflow).
func addSigned(value, incr int64, bits uint, mode overflowMode) (int64, bool) {
	fieldMax := int64(math.MaxInt64)
	if bits < 64 {
		fieldMax = 1<<(bits-1) - 1
	}
	fieldMin := -fieldMax - 1
	var high, low bool
	switch {
	case value > fieldMax:
		high = true
	case value < fieldMin:
		low = true
	case incr > 0:
		// The room above value, fieldMax-value, fits a uint64 even for
		// the widest field, where it does not fit an int64.
		high = uint64(incr) > uint64(fieldMax)-uint64(value)
	case incr < 0:
		low = -uint64(incr) > uint64(value)-uint64(fieldMin)
	}
	switch {
	case !high && !low:
		return value + incr, false
	case mode == overflowSat && high:
		return fieldMax, true
	case mode == overflowSat:
		return fieldMin, true
	}
	return signExtend(uint64(value)+uint64(incr), bits), true
}

// addUnsigned is addSigned for an unsigned field (bits <= 63). As in
// Redis, a SET value is taken as the uint64 of the same bits, so a
// negative one overflows upwards: SET u8 with -1 saturates to 255.
func addUnsigned(value uint64, incr int64, bits uint, mode overflowMode) (uint64, bool) {
	fieldMax := uint64(1)<<bits - 1
	var high, low bool
	switch {
	case value > fieldMax:
		high = true
	case incr > 0:
		high = uint64(incr) > fieldMax-value
	case incr < 0:
		low = -uint64(incr) > value
	}
	switch {
	case !high && !low:
		return value + uint64(incr), false
	case mode == overflowSat && high:
		return fieldMax, true
	case mode == overflowSat:
		return 0, true
	}
	return (value + uint64(incr)) & fieldMax, true
}

// bitop is BITOP's operation.
type bitop uint8

const (
	bitopAnd bitop = iota
	bitopOr
	bitopXor
	bitopNot
)

// parseBitop parses BITOP's operation name.
func parseBitop(arg []byte) (bitop, bool) {
	switch {
	case is(arg, "and"):
		return bitopAnd, true
	case is(arg, "or"):
		return bitopOr, true
	case is(arg, "xor"):
		return bitopXor, true
	case is(arg, "not"):
		return bitopNot, true
	}
	return 0, false
}

// applyBitop returns op over srcs, each a string zero-padded to the
// longest one's length; NOT takes exactly one. The result is as long as
// the longest source, or nil when every source is empty.
func applyBitop(op bitop, srcs [][]byte) []byte {
	n := 0
	for _, s := range srcs {
		n = max(n, len(s))
	}
	if n == 0 {
		return nil
	}
	res := make([]byte, n)
	copy(res, srcs[0])
	if op == bitopNot {
		combineBytes(op, res, res)
		return res
	}
	for _, s := range srcs[1:] {
		combineBytes(op, res, s)
		if op == bitopAnd {
			// Past its end a source is zeros, which clear the result.
			clear(res[len(s):])
		}
	}
	return res
}

// combineBytes sets dst[i] to op of dst[i] and src[i] (NOT: of src[i]
// alone) for the bytes the two have in common, eight at a time: the
// operations work bit by bit, so the byte order the words are read in
// does not matter. Each operation has a loop of its own, to keep the
// choice out of the loop.
func combineBytes(op bitop, dst, src []byte) {
	n := min(len(dst), len(src))
	dst, src = dst[:n], src[:n]
	le := binary.LittleEndian
	words := n &^ 7
	switch op {
	case bitopXor:
		subtle.XORBytes(dst, dst, src)
		return
	case bitopAnd:
		for i := 0; i < words; i += 8 {
			le.PutUint64(dst[i:], le.Uint64(dst[i:])&le.Uint64(src[i:]))
		}
		for i := words; i < n; i++ {
			dst[i] &= src[i]
		}
	case bitopOr:
		for i := 0; i < words; i += 8 {
			le.PutUint64(dst[i:], le.Uint64(dst[i:])|le.Uint64(src[i:]))
		}
		for i := words; i < n; i++ {
			dst[i] |= src[i]
		}
	case bitopNot:
		for i := 0; i < words; i += 8 {
			le.PutUint64(dst[i:], ^le.Uint64(src[i:]))
		}
		for i := words; i < n; i++ {
			dst[i] = ^src[i]
		}
	}
}
