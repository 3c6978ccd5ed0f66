package rdb

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// Intsets: the encoding of small sets of integers.
//
//	<width: uint32 LE, 2, 4 or 8> <count: uint32 LE> <count integers of width bytes, LE, ascending>
//
// Redis widens an intset when a member needs it and never narrows it, so
// a file may hold small numbers in a wide intset.

const intsetHeaderSize = 8

// parseIntset checks intset is as Redis's intsetValidateIntegrity does,
// deeply (the members strictly ascending), and appends its members to b.
// It returns how many there are.
func parseIntset(is []byte, b *elemBuf) (int, error) {
	if len(is) < intsetHeaderSize {
		return 0, fmt.Errorf("%d bytes are too few for an intset", len(is))
	}
	width := binary.LittleEndian.Uint32(is)
	if width != 2 && width != 4 && width != 8 {
		return 0, fmt.Errorf("intset of %d-byte integers", width)
	}
	count := uint64(binary.LittleEndian.Uint32(is[4:]))
	if intsetHeaderSize+count*uint64(width) != uint64(len(is)) {
		return 0, fmt.Errorf("intset of %d %d-byte integers in %d bytes", count, width, len(is))
	}
	if count == 0 {
		return 0, fmt.Errorf("empty intset")
	}
	var prev int64
	for i := range int(count) {
		p := is[intsetHeaderSize+i*int(width):]
		var v int64
		switch width {
		case 2:
			v = int64(int16(binary.LittleEndian.Uint16(p)))
		case 4:
			v = int64(int32(binary.LittleEndian.Uint32(p)))
		default:
			v = int64(binary.LittleEndian.Uint64(p))
		}
		if i > 0 && v <= prev {
			return i, fmt.Errorf("intset member %d (%d) is not above the one before (%d)", i, v, prev)
		}
		b.addInt(v)
		prev = v
	}
	return int(count), nil
}

// appendIntset appends the intset of members to dst, in the narrowest
// width that holds them all. members are sorted and distinct.
func appendIntset(dst []byte, members []int64) []byte {
	width := 2
	for _, v := range members {
		switch {
		case v < -1<<31 || v > 1<<31-1:
			width = 8
		case (v < -1<<15 || v > 1<<15-1) && width < 4:
			width = 4
		}
	}
	dst = binary.LittleEndian.AppendUint32(dst, uint32(width))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(members)))
	for _, v := range members {
		switch width {
		case 2:
			dst = binary.LittleEndian.AppendUint16(dst, uint16(v))
		case 4:
			dst = binary.LittleEndian.AppendUint32(dst, uint32(v))
		default:
			dst = binary.LittleEndian.AppendUint64(dst, uint64(v))
		}
	}
	return dst
}

// intsetMembers parses the members of a set to write as an intset, and
// sorts them. It fails if one is not an integer, or two are the same.
func intsetMembers(dst []int64, members [][]byte) ([]int64, error) {
	for _, m := range members {
		v, ok := parseInt64(m)
		if !ok {
			return dst, fmt.Errorf("member %.40q is not an integer", m)
		}
		dst = append(dst, v)
	}
	slices.Sort(dst)
	for i := 1; i < len(dst); i++ {
		if dst[i] == dst[i-1] {
			return dst, fmt.Errorf("member %d is there twice", dst[i])
		}
	}
	return dst, nil
}
