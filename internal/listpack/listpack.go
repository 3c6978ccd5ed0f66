// Package listpack holds the sizes of Redis's listpack encoding, which
// both the keyspace (to account a stream node's bytes as Redis does) and
// the RDB writer (to lay listpacks out) need.
package listpack

import "github.com/mini-redis/mini-redis/internal/redisint"

// HeaderSize is a listpack's header (total bytes, element count) and its
// end byte.
const HeaderSize = 6 + 1

// IntEncodedSize returns the size of v's smallest integer encoding,
// without the backlen.
func IntEncodedSize(v int64) int {
	switch {
	case v >= 0 && v <= 127:
		return 1
	case v >= -4096 && v <= 4095:
		return 2
	case v >= -32768 && v <= 32767:
		return 3
	case v >= -8388608 && v <= 8388607:
		return 4
	case v >= -2147483648 && v <= 2147483647:
		return 5
	}
	return 9
}

// EncodedSize returns the size of s's encoding and data, without the
// backlen: as an integer if s is one written canonically (Redis's
// lpStringToInt64), else a string with a 1, 2 or 5 byte header.
func EncodedSize(s []byte) int {
	if v, ok := redisint.Parse(s); ok {
		return IntEncodedSize(v)
	}
	switch {
	case len(s) < 64:
		return 1 + len(s)
	case len(s) < 4096:
		return 2 + len(s)
	}
	return 5 + len(s)
}

// IntSize returns the bytes an element holding v takes, backlen included.
func IntSize(v int64) int { return IntEncodedSize(v) + 1 }

// EntrySize returns the bytes an element holding s takes, backlen
// included.
func EntrySize(s []byte) int {
	l := EncodedSize(s)
	return l + BacklenSize(uint64(l))
}

// BacklenSize returns how many bytes the backlen of an entry of l bytes
// takes (Redis's lpEncodeBacklen, whose bounds these are).
func BacklenSize(l uint64) int {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	}
	return 5
}
