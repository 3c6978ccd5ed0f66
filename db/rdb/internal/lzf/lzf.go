// Package lzf implements the LZF compression format of Marc Lehmann's
// liblzf, which Redis uses for strings in RDB files.
//
// An LZF stream is a sequence of items, each starting with a control byte:
//
//	000LLLLL                      a literal run of L+1 bytes (1..32) follows
//	LLLooooo oooooooo             a back reference of L+2 bytes (3..8)
//	111ooooo LLLLLLLL oooooooo    a back reference of L+9 bytes (9..264)
//
// A back reference copies bytes starting o+1 bytes before the current
// output position; it may overlap the bytes it produces.
//
// Output of Compress is valid liblzf output but not byte-for-byte what
// liblzf produces: the format leaves the choice of matches to the
// compressor.
package lzf

import (
	"errors"
	"math"
)

const (
	maxLiteral = 1 << 5       // longest literal run
	maxOffset  = 1 << 13      // back references reach this far back
	minMatch   = 3            // shortest back reference
	maxMatch   = 7 + 0xff + 2 // longest back reference
	maxHashLog = 14           // liblzf's default table size (HLOG)
	minHashLog = 6            // keeps the table worth having for tiny inputs
	hashMul    = 2654435761   // Knuth's multiplicative hash constant
	maxRatio   = maxMatch / 3 // most output per input byte (a 3-byte back reference of 264 bytes)
)

// ErrCorrupt reports a malformed LZF stream, in Redis's words.
var ErrCorrupt = errors.New("invalid LZF compressed string")

// MaxDecompressedLen returns the most bytes that n bytes of LZF data can
// decompress to. A declared length above it means the data is corrupt,
// which lets a reader refuse to allocate for it.
func MaxDecompressedLen(n int) int {
	return n * maxRatio
}

// A Compressor compresses data. Its zero value is ready to use. It keeps
// its hash table between calls, so that compressing many small strings
// does not allocate; it is not safe for concurrent use.
type Compressor struct {
	table []int32
}

// Compress compresses src into dst and returns the number of bytes
// written. It returns 0 if the result would not fit in dst, so a caller
// that wants compression only when it saves space passes a dst shorter
// than src. Empty input compresses to nothing.
func (c *Compressor) Compress(dst, src []byte) int {
	// Positions are kept as int32; Redis strings are at most 512 MB.
	if len(src) == 0 || len(src) >= math.MaxInt32 {
		return 0
	}
	// Size the table to the input: clearing 64 KiB for a 30-byte string
	// would cost more than compressing it.
	hashLog := minHashLog
	for hashLog < maxHashLog && 1<<hashLog < len(src) {
		hashLog++
	}
	if cap(c.table) < 1<<hashLog {
		c.table = make([]int32, 1<<maxHashLog)
	}
	table := c.table[:1<<hashLog]
	clear(table)
	shift := 32 - hashLog

	op := 0
	lit := 0 // start of the pending literal run
	ip := 0
	for ip+minMatch <= len(src) {
		h := hashAt(src, ip, shift)
		ref := int(table[h]) - 1 // table holds position+1 so that 0 means empty
		table[h] = int32(ip + 1)
		if ref < 0 || ip-ref > maxOffset ||
			src[ref] != src[ip] || src[ref+1] != src[ip+1] || src[ref+2] != src[ip+2] {
			ip++
			continue
		}
		n := minMatch
		limit := min(len(src)-ip, maxMatch)
		for n < limit && src[ref+n] == src[ip+n] {
			n++
		}
		if op = appendLiterals(dst, op, src[lit:ip]); op < 0 {
			return 0
		}
		if op = appendBackref(dst, op, ip-ref-1, n); op < 0 {
			return 0
		}
		ip += n
		lit = ip
		// Index the last position of the match so that runs keep finding
		// themselves; liblzf does the same.
		if ip+minMatch <= len(src) && ip >= 1 {
			table[hashAt(src, ip-1, shift)] = int32(ip)
		}
	}
	if op = appendLiterals(dst, op, src[lit:]); op < 0 {
		return 0
	}
	return op
}

// hashAt hashes the three bytes at src[p:] to an index of a table of
// 1<<(32-shift) entries.
func hashAt(src []byte, p int, shift int) uint32 {
	seq := uint32(src[p])<<16 | uint32(src[p+1])<<8 | uint32(src[p+2])
	return (seq * hashMul) >> shift
}

// appendLiterals writes lits to dst at op as literal runs and returns the
// new position, or -1 if dst is too short.
func appendLiterals(dst []byte, op int, lits []byte) int {
	for len(lits) > 0 {
		n := min(len(lits), maxLiteral)
		if op+1+n > len(dst) {
			return -1
		}
		dst[op] = byte(n - 1)
		copy(dst[op+1:], lits[:n])
		op += 1 + n
		lits = lits[n:]
	}
	return op
}

// appendBackref writes a back reference of n bytes starting off+1 bytes
// back, and returns the new position, or -1 if dst is too short.
func appendBackref(dst []byte, op, off, n int) int {
	l := n - 2
	if l < 7 {
		if op+2 > len(dst) {
			return -1
		}
		dst[op] = byte(l<<5 | off>>8)
		dst[op+1] = byte(off)
		return op + 2
	}
	if op+3 > len(dst) {
		return -1
	}
	dst[op] = byte(7<<5 | off>>8)
	dst[op+1] = byte(l - 7)
	dst[op+2] = byte(off)
	return op + 3
}

// Decompress decompresses src into dst, which must be exactly as long as
// the decompressed data: Redis stores that length beside the data, and a
// stream that makes more or fewer bytes, reads past its end or refers
// back before the start of dst is corrupt (ErrCorrupt).
func Decompress(dst, src []byte) error {
	ip, op := 0, 0
	for ip < len(src) {
		ctrl := int(src[ip])
		ip++
		if ctrl < maxLiteral {
			n := ctrl + 1
			if ip+n > len(src) || op+n > len(dst) {
				return ErrCorrupt
			}
			copy(dst[op:], src[ip:ip+n])
			ip += n
			op += n
			continue
		}
		n := ctrl >> 5
		if n == 7 {
			if ip >= len(src) {
				return ErrCorrupt
			}
			n += int(src[ip])
			ip++
		}
		n += 2
		if ip >= len(src) {
			return ErrCorrupt
		}
		ref := op - (ctrl&0x1f)<<8 - int(src[ip]) - 1
		ip++
		if ref < 0 || op+n > len(dst) {
			return ErrCorrupt
		}
		if ref+n <= op {
			copy(dst[op:op+n], dst[ref:ref+n])
			op += n
			continue
		}
		// The reference overlaps what it produces (a run): copy forwards
		// byte by byte so each byte sees the ones just written.
		for i := range n {
			dst[op+i] = dst[ref+i]
		}
		op += n
	}
	if op != len(dst) {
		return ErrCorrupt
	}
	return nil
}
