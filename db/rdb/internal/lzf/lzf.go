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
// The format leaves the choice of matches to the compressor; Compress
// makes liblzf's, as Redis is built with it.
package lzf

import (
	"errors"
	"math"
)

const (
	maxLiteral = 1 << 5       // longest literal run
	maxOffset  = 1 << 13      // back references reach this far back
	maxMatch   = 7 + 0xff + 2 // longest back reference the format can encode
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

// A Compressor compresses data as liblzf 3.6 does, built as Redis builds
// it (HLOG 16, VERY_FAST, offsets in the hash table), so that its output
// is Redis's byte for byte. Its zero value is ready to use. It keeps its
// hash table between calls, so that compressing many strings does not
// allocate; it is not safe for concurrent use.
//
// liblzf leaves its table uninitialized (INIT_HTAB 0), on the stack: an
// entry left from an earlier call can only offer a match that is checked
// before it is used, so the output is valid whatever the table held, but
// which matches are found could depend on it. A fresh stack is zeroed, and
// the table here starts empty on every call: Redis's output for strings it
// compresses one after the other, as it does, was found to be the same.
type Compressor struct {
	table   []uint32 // input offset of the last position of each hash; 0 is none
	touched []uint16 // the entries the last call set, when few
}

// Compress compresses src into dst and returns the number of bytes
// written, or 0 when liblzf's lzf_compress would fail for an output buffer
// of len(dst) bytes: it gives up a little before the output is full (it
// wants room for a back reference and a control byte), so a dst as long as
// the result may not be enough. Redis passes an output buffer 4 bytes
// shorter than the input and stores the string as it is when
// compression fails. Empty input compresses to nothing.
func (c *Compressor) Compress(dst, src []byte) int {
	// Offsets are kept as uint32; Redis strings are at most 512 MB.
	if len(src) == 0 || len(dst) == 0 || len(src) >= math.MaxInt32 {
		return 0
	}
	if c.table == nil {
		c.table = make([]uint32, hashSize)
	}
	// Clear what the last call set: a short string touches few entries,
	// and clearing 256 KiB for it would cost more than compressing it.
	if c.touched == nil || len(c.touched) >= maxTouched {
		clear(c.table)
	} else {
		for _, h := range c.touched {
			c.table[h] = 0
		}
	}
	c.touched = c.touched[:0]
	table := c.table

	n, end := len(src), len(dst)
	ip, op := 0, 1 // op 0 is the control byte of the first literal run
	lit := 0
	var hval uint32
	if n >= 2 {
		hval = uint32(src[0])<<8 | uint32(src[1])
	}
	for ip < n-2 {
		hval = hval<<8 | uint32(src[ip+2])
		h := idx(hval)
		ref := int(table[h])
		c.set(h, ip)
		off := ip - ref - 1
		if ref > 0 && off >= 0 && off < maxOffset &&
			src[ref+2] == src[ip+2] && src[ref] == src[ip] && src[ref+1] == src[ip+1] {
			length := 2
			maxlen := min(n-ip-length, maxRef)
			if op+3+1 >= end {
				if lit0 := b2i(lit == 0); op-lit0+3+1 >= end {
					return 0
				}
			}
			dst[op-lit-1] = byte(lit - 1) // end the literal run
			op -= b2i(lit == 0)           // or drop it, if empty
			length = matchLen(src, ref, ip, length, maxlen)
			length -= 2 // the length minus 1
			ip++
			if length < 7 {
				dst[op] = byte(off>>8 + length<<5)
				op++
			} else {
				dst[op] = byte(off>>8 + 7<<5)
				dst[op+1] = byte(length - 7)
				op += 2
			}
			dst[op] = byte(off)
			op++
			lit = 0
			op++ // the control byte of the next literal run
			ip += length + 1
			if ip >= n-2 {
				break
			}
			// Index the two positions before the match's end (VERY_FAST).
			ip -= 2
			hval = uint32(src[ip])<<8 | uint32(src[ip+1])
			hval = hval<<8 | uint32(src[ip+2])
			c.set(idx(hval), ip)
			ip++
			hval = hval<<8 | uint32(src[ip+2])
			c.set(idx(hval), ip)
			ip++
			continue
		}
		if op >= end {
			return 0
		}
		lit++
		dst[op] = src[ip]
		op++
		ip++
		if lit == maxLiteral {
			dst[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	if op+3 > end { // at most 3 bytes are missing
		return 0
	}
	for ip < n {
		lit++
		dst[op] = src[ip]
		op++
		ip++
		if lit == maxLiteral {
			dst[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	dst[op-lit-1] = byte(lit - 1)
	op -= b2i(lit == 0)
	return op
}

// set records that the last position of hash h is ip, noting the entry
// for the next call to clear.
func (c *Compressor) set(h uint32, ip int) {
	if c.table[h] == 0 && len(c.touched) < maxTouched {
		c.touched = append(c.touched, uint16(h))
	}
	c.table[h] = uint32(ip)
}

// Redis's liblzf settings and limits.
const (
	hashLog    = 16 // HLOG
	hashSize   = 1 << hashLog
	maxRef     = 1<<8 + 1<<3 // MAX_REF: the longest back reference, 264 bytes
	maxTouched = hashSize / 16
)

// idx is liblzf's IDX with VERY_FAST: the table entry of hval, which holds
// the three bytes at the position and, above them, the byte before.
func idx(hval uint32) uint32 {
	return (hval>>(3*8-hashLog) - hval*5) & (hashSize - 1)
}

// matchLen extends a match of length bytes at ref and ip, as liblzf does:
// while maxlen is over 16, sixteen bytes one by one first, which may take
// it up to 19 bytes past maxlen, then byte by byte up to maxlen.
func matchLen(src []byte, ref, ip, length, maxlen int) int {
	if maxlen > 16 {
		for range 16 {
			length++
			if src[ref+length] != src[ip+length] {
				return length
			}
		}
	}
	for {
		length++
		if length >= maxlen || src[ref+length] != src[ip+length] {
			return length
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
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
