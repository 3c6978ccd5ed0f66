package hll

// A Sketch is a HyperLogLog being changed by one command. It starts from
// the bytes of a stored value and copies them on the first change only, so
// a command that changes nothing allocates nothing and the stored value,
// which readers may hold, is never written to.
type Sketch struct {
	b         []byte
	owned     bool  // b is a copy of this Sketch's own
	sparseMax int64 // hll-sparse-max-bytes
}

// Edit returns a Sketch of b, a HyperLogLog (IsHLL) that it does not
// modify. A sparse Sketch turns dense when it would grow past
// sparseMaxBytes.
func Edit(b []byte, sparseMaxBytes int64) Sketch {
	return Sketch{b: b, sparseMax: sparseMaxBytes}
}

// Bytes returns the Sketch's current value.
func (s *Sketch) Bytes() []byte { return s.b }

// Modified reports whether the Sketch's bytes differ from (are a copy of)
// the ones it was made from.
func (s *Sketch) Modified() bool { return s.owned }

// own makes s.b a copy of its own, with room for extra more bytes.
func (s *Sketch) own(extra int) {
	if !s.owned {
		b := make([]byte, len(s.b), len(s.b)+extra)
		copy(b, s.b)
		s.b, s.owned = b, true
	}
}

// Add adds element, and reports whether a register changed. ErrCorrupt
// reports a sparse value no opcode of which covers the element's register
// (or that cannot be made dense); the registers changed by earlier calls
// stay changed, as in Redis.
func (s *Sketch) Add(element []byte) (bool, error) {
	index, count := Hash(element)
	return s.Set(index, count)
}

// Set raises register index to count, if it is lower, and reports whether
// it changed. It is Redis's hllDenseSet or hllSparseSet: a sparse value
// gets its cached cardinality marked stale when it changes; a dense one's
// is left to the caller.
func (s *Sketch) Set(index int, count uint8) (bool, error) {
	if IsDense(s.b) {
		return s.denseSet(index, count), nil
	}
	return s.sparseSet(index, count)
}

// denseSet is Set for a dense Sketch.
func (s *Sketch) denseSet(index int, count uint8) bool {
	if count <= denseRegister(s.b[HeaderSize:], index) {
		return false
	}
	s.own(0)
	setDenseRegister(s.b[HeaderSize:], index, count)
	return true
}

// ToDense turns a sparse Sketch dense, keeping its header, cached
// cardinality included, and reports whether it was sparse.
func (s *Sketch) ToDense() (bool, error) {
	if IsDense(s.b) {
		return false, nil
	}
	dense, err := toDense(s.b)
	if err != nil {
		return false, err
	}
	s.b, s.owned = dense, true
	return true, nil
}

// InvalidateCache marks the cached cardinality stale, as every command
// that changes the registers does.
func (s *Sketch) InvalidateCache() {
	if s.b[cacheByte]&staleCardBit == 0 {
		s.own(0)
		s.b[cacheByte] |= staleCardBit
	}
}

// Register returns register i (0 <= i < NumRegisters) of a HyperLogLog,
// or ErrCorrupt for a sparse one that does not cover it.
func Register(b []byte, i int) (uint8, error) {
	if IsDense(b) {
		return denseRegister(b[HeaderSize:], i), nil
	}
	first := 0
	for p := HeaderSize; p < len(b); {
		_, span, size, v := sparseOp(b, p)
		if i < first+span {
			return v, nil
		}
		first += span
		p += size
	}
	return 0, ErrCorrupt
}
