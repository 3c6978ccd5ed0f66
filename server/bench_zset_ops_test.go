package server

import (
	"runtime"
	"strconv"
	"testing"
)

// Benchmarks of the sorted set pops and operations through the whole
// server, pipelined as bench_set_test.go's: ZPOPMIN (with the ZADD that
// puts the member back) on sets of 10 and of 100,000 members, whose cost
// must not grow with the set; a blocking pop served by an add; ZUNION,
// ZINTERSTORE and ZINTERCARD of two sets of 100.
//
//	go test ./server -run '^$' -bench 'ZPop|ZSetOp|BZPop' -benchmem

// zsetFill returns ZADD commands that fill key with size members mI
// scored I.
func zsetFill(key string, size int) [][]string {
	var cmds [][]string
	for i := 0; i < size; i += 1000 {
		cmd := []string{"ZADD", key}
		for j := i; j < min(i+1000, size); j++ {
			cmd = append(cmd, strconv.Itoa(j), "m"+strconv.Itoa(j))
		}
		cmds = append(cmds, cmd)
	}
	return cmds
}

func benchZPop(b *testing.B, size int, bzpop bool) {
	// Every other command pops the lowest member, and the one after puts
	// it back, so the set keeps its size (and a listpack stays one).
	benchCommands(b, zsetFill("z", size), func(i int) []string {
		if i%2 == 1 {
			return []string{"ZADD", "z", "-1", "low"}
		}
		if bzpop {
			return []string{"BZPOPMIN", "z", "0"}
		}
		return []string{"ZPOPMIN", "z"}
	})
}

func BenchmarkZPopMin10(b *testing.B)      { benchZPop(b, 10, false) }
func BenchmarkZPopMin100000(b *testing.B)  { benchZPop(b, 100000, false) }
func BenchmarkBZPopMin10(b *testing.B)     { benchZPop(b, 10, true) }
func BenchmarkBZPopMin100000(b *testing.B) { benchZPop(b, 100000, true) }

// BenchmarkBZPopServed times a BZPOPMIN that blocks and the ZADD that
// serves it, on two connections.
func BenchmarkBZPopServed(b *testing.B) {
	ts := startServerConfig(b, mustTestConfig(b), nil)
	waiter, adder := ts.dial(b), ts.dial(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		waiter.Send("BZPOPMIN", "k", "0")
		for ts.blocking.waiters.Load() != 1 {
			runtime.Gosched()
		}
		adder.Send("ZADD", "k", "1", "m")
		if f := adder.Read(); f.IsError() {
			b.Fatalf("ZADD: %s", f.Str)
		}
		if f := waiter.Read(); len(f.Elems) != 3 {
			b.Fatalf("BZPOPMIN: %v", f)
		}
	}
}

// benchZSetOp times args on two sorted sets of 100 members, half of them
// shared.
func benchZSetOp(b *testing.B, args ...string) {
	setup := append(zsetFill("a", 100), zsetFill("b", 150)...)
	setup = append(setup, []string{"ZREMRANGEBYRANK", "b", "0", "49"})
	benchCommands(b, setup, func(int) []string { return args })
}

func BenchmarkZSetOpUnion(b *testing.B) { benchZSetOp(b, "ZUNION", "2", "a", "b", "WITHSCORES") }
func BenchmarkZSetOpInterStore(b *testing.B) {
	benchZSetOp(b, "ZINTERSTORE", "d", "2", "a", "b", "WEIGHTS", "2", "3")
}
func BenchmarkZSetOpInterCard(b *testing.B) { benchZSetOp(b, "ZINTERCARD", "2", "a", "b") }
