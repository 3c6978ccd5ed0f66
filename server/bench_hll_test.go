package server

import (
	"strconv"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
)

// Benchmarks of PFADD and PFCOUNT through the whole server, on sparse and
// dense HyperLogLogs, in pipelined batches as the set benchmarks run:
//
//	go test ./server -run '^$' -bench 'PF' -benchmem

// benchHLLCommand runs setup's commands, then times b.N commands that
// args builds from the iteration number.
func benchHLLCommand(b *testing.B, setup [][]string, args func(i int) []string) {
	ts := startServerConfig(b, mustTestConfig(b), nil)
	c := ts.dial(b)
	for _, cmd := range setup {
		if f := c.do(cmd...); f[0] == '-' {
			b.Fatalf("%q: %s", cmd[:2], f)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	var out []byte
	for i := 0; i < b.N; {
		n := min(benchSetBatch, b.N-i)
		out = out[:0]
		for j := range n {
			a := args(i + j)
			bs := make([][]byte, len(a))
			for k := range a {
				bs[k] = []byte(a[k])
			}
			out = frame.AppendCommand(out, bs...)
		}
		c.SendRaw(out)
		for range n {
			if f := c.Read(); f.IsError() {
				b.Fatalf("%s", f.Str)
			}
		}
		i += n
	}
}

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
	benchHLLCommand(b, nil, func(i int) []string {
		return []string{"PFADD", "s" + strconv.Itoa(i/200), "e" + strconv.Itoa(i)}
	})
}

// BenchmarkPFAddDense adds new elements to a dense HyperLogLog.
func BenchmarkPFAddDense(b *testing.B) {
	benchHLLCommand(b, fillHLL("d", 20000, "x"), func(i int) []string {
		return []string{"PFADD", "d", "e" + strconv.Itoa(i)}
	})
}

// BenchmarkPFAddDenseKnown adds elements already counted: nothing changes.
func BenchmarkPFAddDenseKnown(b *testing.B) {
	benchHLLCommand(b, fillHLL("d", 20000, "x"), func(i int) []string {
		return []string{"PFADD", "d", "x" + strconv.Itoa(i%20000)}
	})
}

// BenchmarkPFCountCached counts a key whose cardinality is cached.
func BenchmarkPFCountCached(b *testing.B) {
	benchHLLCommand(b, fillHLL("d", 20000, "x"), func(int) []string {
		return []string{"PFCOUNT", "d"}
	})
}

// BenchmarkPFCountDense counts a dense key after each PFADD: every
// PFCOUNT recomputes the estimate and caches it.
func BenchmarkPFCountDense(b *testing.B) {
	benchHLLCommand(b, fillHLL("d", 20000, "x"), func(i int) []string {
		if i%2 == 0 {
			return []string{"PFADD", "d", "e" + strconv.Itoa(i)}
		}
		return []string{"PFCOUNT", "d"}
	})
}

// BenchmarkPFCountSeveral counts the union of a dense and two sparse keys.
func BenchmarkPFCountSeveral(b *testing.B) {
	setup := append(fillHLL("d", 20000, "x"), append(fillHLL("s1", 300, "y"), fillHLL("s2", 300, "z")...)...)
	benchHLLCommand(b, setup, func(int) []string {
		return []string{"PFCOUNT", "d", "s1", "s2"}
	})
}
