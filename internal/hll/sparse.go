package hll

import (
	"fmt"
	"strings"
)

// The sparse encoding is a sequence of opcodes, each covering a run of
// consecutive registers:
//
//	ZERO  00xxxxxx           xxxxxx+1 registers (1 to 64) at zero
//	XZERO 01xxxxxx yyyyyyyy  xxxxxxyyyyyyyy+1 registers (1 to 16384) at zero
//	VAL   1vvvvvxx           xx+1 registers (1 to 4) at vvvvv+1 (1 to 32)
//
// A valid one covers exactly NumRegisters registers.

// opKind is the kind of a sparse opcode.
type opKind uint8

const (
	opZero opKind = iota
	opXZero
	opVal
)

// sparseOp decodes the opcode at b[p]: its kind, how many registers it
// covers, its length in bytes and, for a VAL, its value. An XZERO cut
// short by the end of b reads a zero second byte, as Redis does.
func sparseOp(b []byte, p int) (kind opKind, span, size int, val uint8) {
	c := b[p]
	switch {
	case c&0xc0 == 0:
		return opZero, int(c&0x3f) + 1, 1, 0
	case c&0xc0 == 0x40:
		return opXZero, (int(c&0x3f)<<8 | int(byteAt(b, p+1))) + 1, 2, 0
	}
	return opVal, int(c&3) + 1, 1, (c>>2)&0x1f + 1
}

func zeroOp(n int) byte { return byte(n - 1) }

func valOp(v uint8, n int) byte { return 0x80 | (v-1)<<2 | byte(n-1) }

func appendXZero(b []byte, n int) []byte { return append(b, 0x40|byte((n-1)>>8), byte(n-1)) }

// appendZeros appends one opcode for n zero registers: ZERO when it fits.
func appendZeros(b []byte, n int) []byte {
	if n > sparseZeroMaxLen {
		return appendXZero(b, n)
	}
	return append(b, zeroOp(n))
}

// forEachRun calls fn for each run of registers the sparse registers in
// b[HeaderSize:] encode, in order, and returns ErrCorrupt unless they
// cover exactly NumRegisters registers. fn is never called for registers
// past the last one, so it may index an array of NumRegisters.
func forEachRun(b []byte, fn func(first, n int, v uint8)) error {
	idx := 0
	for p := HeaderSize; p < len(b); {
		_, span, size, v := sparseOp(b, p)
		if idx+span > NumRegisters {
			return ErrCorrupt
		}
		if v != 0 {
			fn(idx, span, v)
		}
		idx += span
		p += size
	}
	if idx != NumRegisters {
		return ErrCorrupt
	}
	return nil
}

// Decode returns the opcodes of a sparse HyperLogLog as PFDEBUG DECODE
// lists them ("Z:16384", "z:3 v:2,1 ..."), and false for a dense one.
func Decode(b []byte) (string, bool) {
	if IsDense(b) {
		return "", false
	}
	var sb strings.Builder
	for p := HeaderSize; p < len(b); {
		kind, span, size, v := sparseOp(b, p)
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		switch kind {
		case opZero:
			fmt.Fprintf(&sb, "z:%d", span)
		case opXZero:
			fmt.Fprintf(&sb, "Z:%d", span)
		default:
			fmt.Fprintf(&sb, "v:%d,%d", v, span)
		}
		p += size
	}
	return sb.String(), true
}

// toDense returns the dense form of the sparse HyperLogLog b, with b's
// header (magic, reserved bytes, cached cardinality) but the dense
// encoding, or ErrCorrupt.
func toDense(b []byte) ([]byte, error) {
	dense := make([]byte, DenseSize)
	copy(dense, b[:HeaderSize])
	dense[4] = encodingDense
	regs := dense[HeaderSize:]
	err := forEachRun(b, func(first, n int, v uint8) {
		for i := first; i < first+n; i++ {
			setDenseRegister(regs, i, v)
		}
	})
	if err != nil {
		return nil, err
	}
	return dense, nil
}

// sparseSet raises register index of the sparse HyperLogLog in s to
// count, splitting the opcode that covers it, then merging equal VAL
// neighbours, as Redis's hllSparseSet does, so that the bytes come out the
// same as Redis's. It turns s dense when count does not fit a VAL opcode or
// when the value would grow past s.sparseMax bytes.
func (s *Sketch) sparseSet(index int, count uint8) (bool, error) {
	if count > sparseValMaxValue {
		return s.promote(index, count)
	}
	b := s.b
	// Find the opcode at p covering index, which covers the registers
	// from first; prev is the opcode before it, or -1.
	p, first, prev := HeaderSize, 0, -1
	var (
		kind       opKind
		span, size int
		cur        uint8
	)
	for ; p < len(b); p += size {
		kind, span, size, cur = sparseOp(b, p)
		if index < first+span {
			break
		}
		prev = p
		first += span
	}
	if p >= len(b) {
		return false, ErrCorrupt // no opcode covers index
	}
	switch {
	case kind == opVal && cur >= count:
		return false, nil
	case span == 1 && kind != opXZero:
		// A run of one register: the opcode becomes a VAL in place.
		s.own(0)
		s.b[p] = valOp(count, 1)
	default:
		// Split the run around index: up to XZERO VAL XZERO.
		var seqBuf [5]byte
		seq := seqBuf[:0]
		before, after := index-first, first+span-1-index
		if kind == opVal {
			if before > 0 {
				seq = append(seq, valOp(cur, before))
			}
			seq = append(seq, valOp(count, 1))
			if after > 0 {
				seq = append(seq, valOp(cur, after))
			}
		} else {
			if before > 0 {
				seq = appendZeros(seq, before)
			}
			seq = append(seq, valOp(count, 1))
			if after > 0 {
				seq = appendZeros(seq, after)
			}
		}
		grow := len(seq) - size
		if grow > 0 && int64(len(b)+grow) > s.sparseMax {
			return s.promote(index, count)
		}
		// The new length counts the old opcode as size bytes even when it
		// was an XZERO cut short, as Redis's does.
		n := len(b) + grow
		out := make([]byte, 0, n+8)
		out = append(out, b[:p]...)
		out = append(out, seq...)
		out = append(out, b[min(p+size, len(b)):]...)
		s.b, s.owned = out[:n], true
	}
	s.mergeVals(max(prev, HeaderSize))
	s.b[cacheByte] |= staleCardBit
	return true, nil
}

// mergeVals joins adjacent VAL opcodes of equal value whose runs fit one
// opcode, looking at up to five opcodes from p, as Redis does after each
// change.
func (s *Sketch) mergeVals(p int) {
	b := s.b
	for steps := 5; p < len(b) && steps > 0; steps-- {
		kind, _, size, v1 := sparseOp(b, p)
		if kind != opVal {
			p += size
			continue
		}
		if p+1 < len(b) {
			if k2, n2, _, v2 := sparseOp(b, p+1); k2 == opVal && v1 == v2 {
				if n := int(b[p]&3) + 1 + n2; n <= sparseValMaxLen {
					b[p+1] = valOp(v1, n)
					b = append(b[:p], b[p+1:]...)
					continue // try the merged opcode with the next one
				}
			}
		}
		p++
	}
	s.b = b
}

// promote turns s dense, then sets register index to count.
func (s *Sketch) promote(index int, count uint8) (bool, error) {
	if _, err := s.ToDense(); err != nil {
		return false, err
	}
	return s.denseSet(index, count), nil
}
