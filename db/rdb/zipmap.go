package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Zipmaps: the encoding of small hashes in Redis 2.4 and before, which
// Redis 7.0 still loads (as listpacks).
//
//	<pairs: 1 byte, 254 = count them> (<len> <field> <len> <free> <value> <free bytes>)... 0xFF
//
// A len is one byte below 254, or 254 and a uint32 LE. free is one byte:
// how many unused bytes follow the value.

const (
	zmBigLen = 254
	zmEnd    = 0xff
)

// parseZipmap checks zipmap zm as Redis's zipmapValidateIntegrity does,
// deeply, and appends its fields and values to b, alternately. It
// returns the number of pairs.
func parseZipmap(zm []byte, b *elemBuf) (int, error) {
	if len(zm) < 2 {
		return 0, fmt.Errorf("%d bytes are too few for a zipmap", len(zm))
	}
	if zm[len(zm)-1] != zmEnd {
		return 0, errors.New("zipmap does not end with 0xFF")
	}
	last := len(zm) - 1
	n, p := 0, 1
	for p < last && zm[p] != zmEnd {
		at := p
		var err error
		for i := range 2 { // the field, then the value
			var l uint64
			if l, p, err = zmLen(zm[:last], p); err != nil {
				return n, fmt.Errorf("zipmap pair %d at byte %d: %w", n, at, err)
			}
			free := uint64(0)
			if i == 1 {
				if p >= last {
					return n, fmt.Errorf("zipmap pair %d at byte %d: %w", n, at, errShort)
				}
				free = uint64(zm[p])
				p++
			}
			if l+free > uint64(last-p) {
				return n, fmt.Errorf("zipmap pair %d at byte %d: %d bytes run past the end", n, at, l+free)
			}
			b.add(zm[p : p+int(l)])
			p += int(l + free)
		}
		n++
	}
	if p != last {
		return n, errors.New("zipmap has bytes after its end")
	}
	if n == 0 {
		return 0, errors.New("empty zipmap")
	}
	if zm[0] != zmBigLen && int(zm[0]) != n {
		return n, fmt.Errorf("zipmap header says %d pairs, but it has %d", zm[0], n)
	}
	return n, nil
}

// zmLen reads the length at zm[p:] and returns it and the position after
// it.
func zmLen(zm []byte, p int) (uint64, int, error) {
	if p >= len(zm) {
		return 0, p, errShort
	}
	switch c := zm[p]; {
	case c < zmBigLen:
		return uint64(c), p + 1, nil
	case c == zmBigLen:
		if p+5 > len(zm) {
			return 0, p, errShort
		}
		return uint64(binary.LittleEndian.Uint32(zm[p+1:])), p + 5, nil
	}
	return 0, p, errors.New("end byte where a length belongs")
}
