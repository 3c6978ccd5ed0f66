package server

import (
	"strconv"
	"testing"
)

// Benchmarks of PFADD and PFCOUNT through the whole server, on sparse and
// dense HyperLogLogs, in pipelined batches as the set benchmarks run:
//
//	go test ./server -run '^$' -bench 'PF' -benchmem

// fillHLL returns the PFADDs that give key n elements, prefix+0 onwards.
func fillHLL(key string, n int, prefix string) [][]string {
	var cmds [][]string
	for i := 0; i < n; i += 1000 {
		cmd := []string{"PFADD", key}
		for j := i; j < min(i+1000, n); j++ {
			cmd = append(cmd, prefix+strconv.Itoa(j))
		}
		cmds = append(cmds, cmd)
	}
	return cmds
}

// BenchmarkPFAddSparse adds new elements to sparse HyperLogLogs: each key
// gets 200, and stays sparse.
func BenchmarkPFAddSparse(b *testing.B) {
	benchCommands(b, nil, func(i int) []string {
		return []string{"PFADD", "s" + strconv.Itoa(i/200), "e" + strconv.Itoa(i)}
	})
}

// BenchmarkPFAddDense adds new elements to a dense HyperLogLog.
func BenchmarkPFAddDense(b *testing.B) {
	benchCommands(b, fillHLL("d", 20000, "x"), func(i int) []string {
		return []string{"PFADD", "d", "e" + strconv.Itoa(i)}
	})
}

// BenchmarkPFAddDenseKnown adds elements already counted: nothing changes.
func BenchmarkPFAddDenseKnown(b *testing.B) {
	benchCommands(b, fillHLL("d", 20000, "x"), func(i int) []string {
		return []string{"PFADD", "d", "x" + strconv.Itoa(i%20000)}
	})
}

// BenchmarkPFCountCached counts a key whose cardinality is cached.
func BenchmarkPFCountCached(b *testing.B) {
	benchCommands(b, fillHLL("d", 20000, "x"), func(int) []string {
		return []string{"PFCOUNT", "d"}
	})
}

// BenchmarkPFCountDense counts a dense key after each PFADD: every
// PFCOUNT recomputes the estimate and caches it.
func BenchmarkPFCountDense(b *testing.B) {
	benchCommands(b, fillHLL("d", 20000, "x"), func(i int) []string {
		if i%2 == 0 {
			return []string{"PFADD", "d", "e" + strconv.Itoa(i)}
		}
		return []string{"PFCOUNT", "d"}
	})
}

// BenchmarkPFCountSeveral counts the union of a dense and two sparse keys.
func BenchmarkPFCountSeveral(b *testing.B) {
	setup := append(fillHLL("d", 20000, "x"), append(fillHLL("s1", 300, "y"), fillHLL("s2", 300, "z")...)...)
	benchCommands(b, setup, func(int) []string {
		return []string{"PFCOUNT", "d", "s1", "s2"}
	})
}
