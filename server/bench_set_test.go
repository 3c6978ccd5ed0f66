package server

import (
	"strconv"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
)

// Benchmarks of SADD (with SREM) and SISMEMBER through the whole server (a TCP
// connection, parsing, dispatch, the KeyLock, the reply), on sets of 10
// and of 100,000 members: the cost of a command must not grow with the
// set. Commands go in pipelined batches, so the round trip does not hide
// the server's work.
//
//	go test ./server -run '^$' -bench 'SAdd|SIsMember' -benchmem

// benchSetBatch is how many commands one write carries.
const benchSetBatch = 64

// benchSetCommand fills the set "s" with size members ("m0", "m1", ... or,
// with an empty prefix, the integers from 0) and then times b.N commands
// that args builds from the iteration number.
func benchSetCommand(b *testing.B, size int, prefix string, args func(i int) []string) {
	ts := startServerConfig(b, mustTestConfig(b), nil)
	c := ts.dial(b)
	for i := 0; i < size; i += 1000 {
		cmd := []string{"SADD", "s"}
		for j := i; j < min(i+1000, size); j++ {
			cmd = append(cmd, prefix+strconv.Itoa(j))
		}
		c.do(cmd...)
	}
	if got := c.do("SCARD", "s"); got != ":"+strconv.Itoa(size)+"\r\n" {
		b.Fatalf("SCARD s = %q", got)
	}
	benchPipelined(b, c, args, nil)
}

// benchCommands runs setup's commands, each of which must succeed, then
// times b.N commands that args builds from the iteration number, in
// pipelined batches (benchPipelined).
func benchCommands(b *testing.B, setup [][]string, args func(i int) []string) {
	ts := startServerConfig(b, mustTestConfig(b), nil)
	c := ts.dial(b)
	for _, cmd := range setup {
		if got := c.do(cmd...); got[0] == '-' {
			b.Fatalf("%q: %q", cmd, got)
		}
	}
	benchPipelined(b, c, args, nil)
}

// benchPipelined times b.N commands that args builds from the iteration
// number, sent on c in batches of benchSetBatch, one write a batch. Each
// reply must not be an error and, if check is not nil, must satisfy it.
func benchPipelined(b *testing.B, c *rawConn, args func(i int) []string, check func(f frame.Frame) bool) {
	b.Helper()
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
			if f := c.Read(); f.IsError() || check != nil && !check(f) {
				b.Fatalf("%v", f)
			}
		}
		i += n
	}
}

// mustTestConfig is testConfig with the wall clock, for a testing.TB.
func mustTestConfig(tb testing.TB) serverConfig {
	cfg, _ := testConfig(tb)
	cfg.Clock = nil
	return cfg
}

func benchSAdd(b *testing.B, size int, prefix string) {
	// Every other command adds a member that is not in the set, and the
	// one after takes it out again, so the set keeps its size (and an
	// intset stays one).
	benchSetCommand(b, size, prefix, func(i int) []string {
		m := prefix + strconv.Itoa(size+i/2%size)
		if i%2 == 1 {
			return []string{"SREM", "s", m}
		}
		return []string{"SADD", "s", m}
	})
}

func benchSIsMember(b *testing.B, size int, prefix string) {
	// Half the members asked about are in the set.
	benchSetCommand(b, size, prefix, func(i int) []string {
		return []string{"SISMEMBER", "s", prefix + strconv.Itoa(i%(2*size))}
	})
}

func BenchmarkSAdd10(b *testing.B)            { benchSAdd(b, 10, "m") }
func BenchmarkSAdd100000(b *testing.B)        { benchSAdd(b, 100_000, "m") }
func BenchmarkSAddIntset10(b *testing.B)      { benchSAdd(b, 10, "") }
func BenchmarkSIsMember10(b *testing.B)       { benchSIsMember(b, 10, "m") }
func BenchmarkSIsMember100000(b *testing.B)   { benchSIsMember(b, 100_000, "m") }
func BenchmarkSIsMemberIntset10(b *testing.B) { benchSIsMember(b, 10, "") }
