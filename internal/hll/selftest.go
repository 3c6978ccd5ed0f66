package hll

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
)

// SelfTest checks the implementation against itself, for PFSELFTEST: the
// packed registers read back what was written, and a sparse and a dense
// HyperLogLog fed the same elements keep the same registers and an
// estimate within five standard errors of the true count. It is
// deterministic: its pseudo-random numbers come from a fixed seed. The
// error describes the first failure.
func SelfTest() error {
	rng := rand.New(rand.NewPCG(1, 2))
	regs := make([]byte, DenseSize-HeaderSize)
	var want RegisterSet
	for round := range 16 {
		for i := range want {
			want[i] = uint8(rng.IntN(registerMax + 1))
			setDenseRegister(regs, i, want[i])
		}
		for i, w := range want {
			if got := denseRegister(regs, i); got != w {
				return fmt.Errorf("register %d is %d, want %d (round %d)", i, got, w, round)
			}
		}
	}

	sparse := Edit(New(), DefaultSparseMaxBytes)
	dense := Edit(New(), DefaultSparseMaxBytes)
	if _, err := dense.ToDense(); err != nil {
		return err
	}
	relErr := 1.04 / math.Sqrt(NumRegisters)
	var ele [8]byte
	next := 1
	for n := 1; n <= 100000; n++ {
		binary.LittleEndian.PutUint64(ele[:], rng.Uint64())
		if _, err := sparse.Add(ele[:]); err != nil {
			return fmt.Errorf("adding element %d to the sparse HyperLogLog: %w", n, err)
		}
		dense.Add(ele[:])
		if n != next {
			continue
		}
		next = n*2 + n/3
		a, errA := Count(sparse.Bytes())
		b, errB := Count(dense.Bytes())
		switch {
		case errA != nil || errB != nil:
			return fmt.Errorf("counting %d elements: %v, %v", n, errA, errB)
		case a != b:
			return fmt.Errorf("after %d elements the sparse HyperLogLog counts %d, the dense one %d", n, a, b)
		case math.Abs(float64(a)-float64(n)) > max(5*relErr*float64(n), 1):
			return fmt.Errorf("after %d elements the estimate is %d", n, a)
		}
	}
	for i := range NumRegisters {
		a, errA := Register(sparse.Bytes(), i)
		b, errB := Register(dense.Bytes(), i)
		if errA != nil || errB != nil || a != b {
			return fmt.Errorf("register %d: sparse %d (%v), dense %d (%v)", i, a, errA, b, errB)
		}
	}
	return nil
}
