package hll

import (
	"encoding/binary"
	"math/bits"
)

// Seed is the seed Redis hashes HyperLogLog elements with.
const Seed = 0xadc83b19

// MurmurHash64A is Austin Appleby's 64-bit MurmurHash2 variant, reading
// the input as little-endian words on every platform, as Redis does so
// that its HyperLogLogs are portable.
func MurmurHash64A(data []byte, seed uint64) uint64 {
	const (
		m = 0xc6a4a7935bd1e995
		r = 47
	)
	h := seed ^ uint64(len(data))*m
	for ; len(data) >= 8; data = data[8:] {
		k := binary.LittleEndian.Uint64(data)
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
	}
	if len(data) > 0 {
		// The 1 to 7 bytes left, as a little-endian word.
		var tail uint64
		for i, c := range data {
			tail |= uint64(c) << (8 * i)
		}
		h ^= tail
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// trailingCount is Hash's count for the hash bits left after the register
// index, by the bit trick rather than a loop; the tests check the two agree.
func trailingCount(rest uint64) uint8 {
	return uint8(bits.TrailingZeros64(rest|1<<q)) + 1
}
