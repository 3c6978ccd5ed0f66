package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Ziplists: the compact encoding of small lists and hashes, and of
// quicklist nodes, before Redis 7.0. Redis 7.0 no longer writes them but
// loads them (as listpacks).
//
//	<total bytes: uint32 LE> <offset of the last entry: uint32 LE>
//	<entries: uint16 LE, 65535 = count them> <entry>... 0xFF
//
// An entry is the size of the entry before it (one byte below 254, else
// 0xFE and 4 bytes LE), an encoding, then the data:
//
//	00xxxxxx                   a string of up to 63 bytes
//	01xxxxxx yyyyyyyy          a string of up to 16383 bytes (14 bits, big-endian)
//	10______ <4 B big-endian>  a longer string
//	11000000 <2 B LE>          a 16-bit signed integer
//	11010000 <4 B LE>          a 32-bit signed integer
//	11100000 <8 B LE>          a 64-bit signed integer
//	11110000 <3 B LE>          a 24-bit signed integer
//	11111110 <1 B>             an 8-bit signed integer
//	1111xxxx                   xxxx from 0001 to 1101: the integer xxxx-1, 0 to 12
//	11111111                   the end

const (
	zlHeaderSize  = 10
	zlEnd         = 0xff
	zlBigPrevLen  = 254
	zlUnknownSize = 65535
)

// parseZiplist checks ziplist zl as Redis's ziplistValidateIntegrity does,
// deeply, and appends its elements to b. It returns how many there are.
func parseZiplist(zl []byte, b *elemBuf) (int, error) {
	if len(zl) < zlHeaderSize+1 {
		return 0, fmt.Errorf("%d bytes are too few for a ziplist", len(zl))
	}
	if total := binary.LittleEndian.Uint32(zl); uint64(total) != uint64(len(zl)) {
		return 0, fmt.Errorf("ziplist header says %d bytes, but it has %d", total, len(zl))
	}
	if zl[len(zl)-1] != zlEnd {
		return 0, errors.New("ziplist does not end with 0xFF")
	}
	tail := uint64(binary.LittleEndian.Uint32(zl[4:]))
	count := int(binary.LittleEndian.Uint16(zl[8:]))
	last := len(zl) - 1
	n, p, prev, prevSize := 0, zlHeaderSize, -1, 0
	for p < last {
		size, err := zlEntry(zl[p:last], prevSize, b)
		if err != nil {
			return n, fmt.Errorf("ziplist entry %d at byte %d: %w", n, p, err)
		}
		prev, prevSize = p, size
		p += size
		n++
	}
	if prev >= 0 && tail != uint64(prev) || prev < 0 && tail != zlHeaderSize {
		return n, fmt.Errorf("ziplist header puts the last entry at byte %d, but it is at %d", tail, max(prev, zlHeaderSize))
	}
	if count != zlUnknownSize && count != n {
		return n, fmt.Errorf("ziplist header says %d elements, but it has %d", count, n)
	}
	return n, nil
}

// zlEntry decodes the entry at the start of p, which holds the rest of
// the ziplist but its end byte and follows an entry of prevSize bytes,
// appends it to b and returns its size.
func zlEntry(p []byte, prevSize int, b *elemBuf) (int, error) {
	var prevLen uint64
	h := 1
	switch {
	case p[0] == zlEnd:
		return 0, errors.New("end byte before the end")
	case p[0] < zlBigPrevLen:
		prevLen = uint64(p[0])
	default:
		if len(p) < 5 {
			return 0, errShort
		}
		prevLen, h = uint64(binary.LittleEndian.Uint32(p[1:])), 5
	}
	if prevLen != uint64(prevSize) {
		return 0, fmt.Errorf("it says the entry before has %d bytes, but it has %d", prevLen, prevSize)
	}
	if len(p) <= h {
		return 0, errShort
	}
	c := p[h]
	var slen uint64
	switch c >> 6 {
	case 0:
		slen, h = uint64(c&0x3f), h+1
	case 1:
		if len(p) < h+2 {
			return 0, errShort
		}
		slen, h = uint64(c&0x3f)<<8|uint64(p[h+1]), h+2
	case 2:
		if len(p) < h+5 {
			return 0, errShort
		}
		slen, h = uint64(binary.BigEndian.Uint32(p[h+1:])), h+5
	default:
		var width int
		switch {
		case c == 0xc0:
			width = 2
		case c == 0xd0:
			width = 4
		case c == 0xe0:
			width = 8
		case c == 0xf0:
			width = 3
		case c == 0xfe:
			width = 1
		case c >= 0xf1 && c <= 0xfd:
			b.addInt(int64(c&0x0f) - 1)
			return h + 1, nil
		default:
			return 0, fmt.Errorf("unknown encoding %#x", c)
		}
		if len(p) < h+1+width {
			return 0, errShort
		}
		var u uint64
		for i := width; i >= 1; i-- {
			u = u<<8 | uint64(p[h+i])
		}
		b.addInt(signExtend(u, uint(8*width)))
		return h + 1 + width, nil
	}
	if slen > uint64(len(p)-h) {
		return 0, fmt.Errorf("string of %d bytes runs past the end", slen)
	}
	b.add(p[h : h+int(slen)])
	return h + int(slen), nil
}
