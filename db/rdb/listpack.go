package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/mini-redis/mini-redis/internal/listpack"
)

// Listpacks: Redis 7.0's compact encoding of small hashes and of quicklist
// nodes, stored in an RDB file as one string.
//
//	<total bytes: uint32 LE> <elements: uint16 LE, 65535 = count them> <entry>... 0xFF
//
// An entry is an encoding byte, maybe more header, the data, then the
// length of all that ("backlen") in 1 to 5 bytes, read from the right:
// 7 bits a byte, the high bit set on every byte but the leftmost.
//
//	0xxxxxxx                   an integer 0 to 127
//	10xxxxxx <data>            a string of up to 63 bytes
//	110xxxxx yyyyyyyy          a 13-bit signed integer, big-endian
//	1110xxxx yyyyyyyy <data>   a string of up to 4095 bytes
//	11110000 <len: 4 B LE> <data>  a longer string
//	11110001 <2 B LE>          a 16-bit signed integer
//	11110010 <3 B LE>          a 24-bit signed integer
//	11110011 <4 B LE>          a 32-bit signed integer
//	11110100 <8 B LE>          a 64-bit signed integer
//	11111111                   the end

const (
	lpHeaderSize  = 6
	lpEnd         = 0xff
	lpUnknownSize = 65535 // the element count is too large for its field

	lpEnc7BitUint  = 0x00
	lpEnc6BitStr   = 0x80
	lpEnc13BitInt  = 0xc0
	lpEnc12BitStr  = 0xe0
	lpEnc32BitStr  = 0xf0
	lpEnc16BitInt  = 0xf1
	lpEnc24BitInt  = 0xf2
	lpEnc32BitInt  = 0xf3
	lpEnc64BitInt  = 0xf4
	lpMaxSafeBytes = 1 << 30 // Redis's LISTPACK_MAX_SAFETY_SIZE
)

// parseListpack checks listpack lp as Redis's lpValidateIntegrity does,
// deeply, and appends its elements to b. It returns how many there are.
func parseListpack(lp []byte, b *elemBuf) (int, error) {
	if len(lp) < lpHeaderSize+1 {
		return 0, fmt.Errorf("%d bytes are too few for a listpack", len(lp))
	}
	if total := binary.LittleEndian.Uint32(lp); uint64(total) != uint64(len(lp)) {
		return 0, fmt.Errorf("listpack header says %d bytes, but it has %d", total, len(lp))
	}
	if lp[len(lp)-1] != lpEnd {
		return 0, errors.New("listpack does not end with 0xFF")
	}
	count := int(binary.LittleEndian.Uint16(lp[4:]))
	n := 0
	p := lpHeaderSize
	last := len(lp) - 1 // the end byte
	for p < last {
		size, err := lpEntry(lp[p:last], b)
		if err != nil {
			return n, fmt.Errorf("listpack entry %d at byte %d: %w", n, p, err)
		}
		p += size
		n++
	}
	if count != lpUnknownSize && count != n {
		return n, fmt.Errorf("listpack header says %d elements, but it has %d", count, n)
	}
	return n, nil
}

// lpEntry decodes the entry at the start of p, which holds the rest of
// the listpack but its end byte, appends it to b and returns its size,
// backlen included.
func lpEntry(p []byte, b *elemBuf) (int, error) {
	c := p[0]
	var hdr, dlen int // header bytes, then data bytes
	var v int64
	isInt := true
	switch {
	case c&0x80 == lpEnc7BitUint:
		hdr, v = 1, int64(c&0x7f)
	case c&0xc0 == lpEnc6BitStr:
		hdr, dlen, isInt = 1, int(c&0x3f), false
	case c&0xe0 == lpEnc13BitInt:
		if len(p) < 2 {
			return 0, errShort
		}
		u := uint64(c&0x1f)<<8 | uint64(p[1])
		hdr, v = 2, signExtend(u, 13)
	case c&0xf0 == lpEnc12BitStr:
		if len(p) < 2 {
			return 0, errShort
		}
		hdr, dlen, isInt = 2, int(c&0x0f)<<8|int(p[1]), false
	case c == lpEnc32BitStr:
		if len(p) < 5 {
			return 0, errShort
		}
		l := binary.LittleEndian.Uint32(p[1:])
		if uint64(l) > uint64(len(p)) {
			return 0, fmt.Errorf("string of %d bytes runs past the end", l)
		}
		hdr, dlen, isInt = 5, int(l), false
	case c >= lpEnc16BitInt && c <= lpEnc64BitInt:
		width := [...]int{2, 3, 4, 8}[c-lpEnc16BitInt]
		if len(p) < 1+width {
			return 0, errShort
		}
		var u uint64
		for i := width; i >= 1; i-- {
			u = u<<8 | uint64(p[i])
		}
		hdr, v = 1+width, signExtend(u, uint(8*width))
	case c == lpEnd:
		return 0, errors.New("end byte before the end")
	default:
		return 0, fmt.Errorf("unknown encoding %#x", c)
	}
	l := hdr + dlen
	bl := listpack.BacklenSize(uint64(l))
	if l+bl > len(p) {
		return 0, errShort
	}
	var want [5]byte
	lpPutBacklen(want[:bl], uint64(l))
	if string(p[l:l+bl]) != string(want[:bl]) {
		return 0, fmt.Errorf("backlen %x does not say %d", p[l:l+bl], l)
	}
	if isInt {
		b.addInt(v)
	} else {
		b.add(p[hdr:l])
	}
	return l + bl, nil
}

var errShort = errors.New("entry runs past the end")

// signExtend reads the low bits of u as a two's complement number.
func signExtend(u uint64, bits uint) int64 {
	shift := 64 - bits
	return int64(u<<shift) >> shift
}

// lpPutBacklen writes the backlen of l into dst, which is
// listpack.BacklenSize(l) bytes long: the most significant 7 bits first, every
// byte but the first with its high bit set.
func lpPutBacklen(dst []byte, l uint64) {
	n := len(dst)
	for i := n - 1; i >= 0; i-- {
		dst[i] = byte(l & 127)
		if i != 0 {
			dst[i] |= 128
		}
		l >>= 7
	}
}

// lpAppendEntry appends s to a listpack being built in dst, as Redis's
// lpAppend does: as an integer when it is the canonical form of one.
func lpAppendEntry(dst, s []byte) []byte {
	start := len(dst)
	if v, ok := parseInt64(s); ok {
		switch {
		case v >= 0 && v <= 127:
			dst = append(dst, byte(v))
		case v >= -4096 && v <= 4095:
			u := uint64(v) & (1<<13 - 1)
			dst = append(dst, lpEnc13BitInt|byte(u>>8), byte(u))
		case v >= -32768 && v <= 32767:
			dst = binary.LittleEndian.AppendUint16(append(dst, lpEnc16BitInt), uint16(v))
		case v >= -8388608 && v <= 8388607:
			u := uint32(v)
			dst = append(dst, lpEnc24BitInt, byte(u), byte(u>>8), byte(u>>16))
		case v >= -2147483648 && v <= 2147483647:
			dst = binary.LittleEndian.AppendUint32(append(dst, lpEnc32BitInt), uint32(v))
		default:
			dst = binary.LittleEndian.AppendUint64(append(dst, lpEnc64BitInt), uint64(v))
		}
	} else {
		switch {
		case len(s) < 64:
			dst = append(dst, lpEnc6BitStr|byte(len(s)))
		case len(s) < 4096:
			dst = append(dst, lpEnc12BitStr|byte(len(s)>>8), byte(len(s)))
		default:
			dst = binary.LittleEndian.AppendUint32(append(dst, lpEnc32BitStr), uint32(len(s)))
		}
		dst = append(dst, s...)
	}
	l := uint64(len(dst) - start)
	n := listpack.BacklenSize(l)
	dst = append(dst, make([]byte, n)...)
	lpPutBacklen(dst[len(dst)-n:], l)
	return dst
}

// lpStart begins a listpack at the end of dst: room for the header.
func lpStart(dst []byte) []byte {
	return append(dst, make([]byte, lpHeaderSize)...)
}

// lpFinish ends the listpack that starts at dst[start:] and holds count
// entries: the end byte, then the header.
func lpFinish(dst []byte, start, count int) []byte {
	dst = append(dst, lpEnd)
	binary.LittleEndian.PutUint32(dst[start:], uint32(len(dst)-start))
	binary.LittleEndian.PutUint16(dst[start+4:], uint16(min(count, lpUnknownSize)))
	return dst
}
