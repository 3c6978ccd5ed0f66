package server

import (
	"strconv"
	"testing"
)

// Benchmarks of ZADD, ZRANGE and ZRANK through the whole server, on sorted
// sets of 10 members (a listpack) and of 1,000,000 (a skiplist): the cost
// of a command must grow no faster than log n. Commands go in pipelined
// batches, as benchSetCommand sends them.
//
//	go test ./server -run '^$' -bench 'ZAdd|ZRange|ZRank' -benchmem

// benchZSetCommand fills the sorted set "z" with size members ("m0",
// "m1", ... scored by their number) and then times b.N commands that args
// builds from the iteration number.
func benchZSetCommand(b *testing.B, size int, args func(i int) []string) {
	ts := startServerConfig(b, mustTestConfig(b), nil)
	c := ts.dial(b)
	for i := 0; i < size; i += 1000 {
		cmd := []string{"ZADD", "z"}
		for j := i; j < min(i+1000, size); j++ {
			cmd = append(cmd, strconv.Itoa(j), "m"+strconv.Itoa(j))
		}
		c.do(cmd...)
	}
	if got := c.do("ZCARD", "z"); got != ":"+strconv.Itoa(size)+"\r\n" {
		b.Fatalf("ZCARD z = %q", got)
	}
	benchPipelined(b, c, args, nil)
}

func BenchmarkZAdd(b *testing.B) {
	for _, size := range []int{10, 1_000_000} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			benchZSetCommand(b, size, func(i int) []string {
				// A new score for an existing member: it moves.
				return []string{"ZADD", "z", strconv.Itoa(i % 1000), "m" + strconv.Itoa(i%size)}
			})
		})
	}
}

func BenchmarkZRange(b *testing.B) {
	for _, size := range []int{10, 1_000_000} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			benchZSetCommand(b, size, func(i int) []string {
				start := i % max(1, size-10)
				return []string{"ZRANGE", "z", strconv.Itoa(start), strconv.Itoa(start + 9), "WITHSCORES"}
			})
		})
	}
}

func BenchmarkZRank(b *testing.B) {
	for _, size := range []int{10, 1_000_000} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			benchZSetCommand(b, size, func(i int) []string {
				return []string{"ZRANK", "z", "m" + strconv.Itoa(i*7919%size)}
			})
		})
	}
}
