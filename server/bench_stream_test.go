package server

import (
	"strconv"
	"testing"
)

// Benchmarks of XADD and XRANGE through the whole server, on a stream of
// 100,000 entries: an append is O(1), a range O(log n + count).
//
//	go test ./server -run '^$' -bench 'XAdd|XRange' -benchmem

// benchStreamCommand fills the stream "s" with size entries (IDs 1-0,
// 2-0, ...) and then times b.N commands that args builds from the
// iteration number.
func benchStreamCommand(b *testing.B, size int, args func(i int) []string) {
	ts := startServerConfig(b, mustTestConfig(b), nil)
	c := ts.dial(b)
	for i := 1; i <= size; i++ {
		c.do("XADD", "s", strconv.Itoa(i)+"-0", "f", strconv.Itoa(i))
	}
	if got := c.do("XLEN", "s"); got != ":"+strconv.Itoa(size)+"\r\n" {
		b.Fatalf("XLEN s = %q", got)
	}
	benchPipelined(b, c, args)
}

func BenchmarkXAdd(b *testing.B) {
	benchStreamCommand(b, 1000, func(i int) []string {
		return []string{"XADD", "s", "*", "field", "value", "n", strconv.Itoa(i)}
	})
}

func BenchmarkXRange(b *testing.B) {
	const size = 100_000
	benchStreamCommand(b, size, func(i int) []string {
		start := strconv.Itoa(i%size + 1)
		return []string{"XRANGE", "s", start, "+", "COUNT", "10"}
	})
}
