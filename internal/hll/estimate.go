package hll

import "math"

// The cardinality estimator of Redis 7, from Otmar Ertl's "New cardinality
// estimation algorithms for HyperLogLog sketches" (arXiv:1702.01284): it
// works from the histogram of the register values, and needs neither the
// bias tables nor the linear-counting switch of the original HyperLogLog.

// alphaInf is the estimator's constant for an infinite number of
// registers, 1/(2 ln 2).
const alphaInf = 0.721347520444481703680

// histogram counts the registers of each value. Its 64 cells hold every
// value 6 bits allow, so that corrupt dense registers above q+1 cannot
// overflow it; the estimate reads only the cells up to q+1, as Redis's.
type histogram [64]int

// RegisterSet is a HyperLogLog's registers, one byte each: the union of
// several HyperLogLogs (PFCOUNT of several keys, PFMERGE).
type RegisterSet [NumRegisters]uint8

// Merge raises each register of r to the matching one of b, a HyperLogLog
// (IsHLL), and returns ErrCorrupt for a sparse b that does not cover
// exactly NumRegisters registers (r is then partly merged).
func (r *RegisterSet) Merge(b []byte) error {
	if IsDense(b) {
		regs := b[HeaderSize:]
		for g := range denseGroups {
			r0, r1, r2, r3 := unpack(regs, g)
			p := r[4*g : 4*g+4 : 4*g+4]
			p[0], p[1], p[2], p[3] = max(p[0], r0), max(p[1], r1), max(p[2], r2), max(p[3], r3)
		}
		return nil
	}
	return forEachRun(b, func(first, n int, v uint8) {
		for i := first; i < first+n; i++ {
			r[i] = max(r[i], v)
		}
	})
}

// denseGroups is how many groups of four registers (three bytes) the
// dense encoding packs.
const denseGroups = NumRegisters / 4

// unpack returns the four registers packed in group g of the dense
// registers regs.
func unpack(regs []byte, g int) (r0, r1, r2, r3 uint8) {
	p := regs[3*g : 3*g+3 : 3*g+3]
	w := uint32(p[0]) | uint32(p[1])<<8 | uint32(p[2])<<16
	return uint8(w & registerMax), uint8(w >> 6 & registerMax), uint8(w >> 12 & registerMax), uint8(w >> 18)
}

// Count returns the estimated cardinality of the union r holds.
func (r *RegisterSet) Count() uint64 {
	var h histogram
	for _, v := range r {
		h[v&63]++
	}
	return h.estimate()
}

// Count returns the estimated cardinality of the HyperLogLog b (IsHLL),
// computed from its registers, whatever its cached cardinality, or
// ErrCorrupt for a sparse b that does not cover exactly NumRegisters
// registers.
func Count(b []byte) (uint64, error) {
	var h histogram
	if IsDense(b) {
		regs := b[HeaderSize:]
		for g := range denseGroups {
			r0, r1, r2, r3 := unpack(regs, g)
			h[r0]++
			h[r1]++
			h[r2]++
			h[r3]++
		}
		return h.estimate(), nil
	}
	zeros := NumRegisters
	err := forEachRun(b, func(_, n int, v uint8) {
		h[v] += n
		zeros -= n
	})
	if err != nil {
		return 0, err
	}
	h[0] = zeros
	return h.estimate(), nil
}

// estimate is Ertl's improved raw estimator, rounded half away from zero
// as Redis's llroundl. The explicit float64 conversions keep the compiler
// from fusing a multiply and an add, which would change the last bits and
// so, now and then, the integer.
func (h *histogram) estimate() uint64 {
	const m = float64(NumRegisters)
	z := m * tau((m-float64(h[q+1]))/m)
	for j := q; j >= 1; j-- {
		z += float64(h[j])
		z *= 0.5
	}
	z += float64(m * sigma(float64(h[0])/m))
	return uint64(math.Round(float64(float64(alphaInf*m)*m) / z))
}

// sigma is Ertl's σ(x) = x + Σ_{k≥1} x^(2^k) 2^(k-1), summed until the
// terms no longer change the double; σ(1) is infinite (every register
// zero: the estimate is 0).
func sigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x *= x
		prev := z
		z += float64(x * y)
		y += y
		if z == prev {
			return z
		}
	}
}

// tau is Ertl's τ(x) = (1 - x - Σ_{k≥1} (1 - x^(2^-k))^2 2^-k) / 3,
// summed until the terms no longer change the double.
func tau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		prev := z
		y *= 0.5
		d := 1 - x
		z -= float64(float64(d*d) * y)
		if z == prev {
			return z / 3
		}
	}
}
