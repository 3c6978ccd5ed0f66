package server

import (
	"fmt"
	"strconv"
	"testing"
)

// benchKeys are redis-benchmark's -r 100000 keys: key:000000012345.
func benchKeys(n int) [][]byte {
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "key:%012d", i)
	}
	return keys
}

// BenchmarkDispatchPipelined runs redis-benchmark's SET and GET rows as a
// client pipelining 16 requests sees them: 16 dispatches, then one flush,
// on one key and on 100,000 random keys. It is the server's own cost per
// request, without the network.
func BenchmarkDispatchPipelined(b *testing.B) {
	for _, cmd := range []string{"SET", "GET", "INCR"} {
		for _, nkeys := range []int{1, 100_000} {
			b.Run(cmd+"/keys="+strconv.Itoa(nkeys), func(b *testing.B) {
				c, _ := benchClient(b)
				keys := benchKeys(nkeys)
				value := []byte("xxx")
				for _, k := range keys {
					c.benchDo(b, [][]byte{[]byte("SET"), k, []byte("1")})
				}
				name := []byte(cmd)
				args := make([][]byte, 0, 3)
				// A fixed pseudo-random walk over the keys, as -r draws them.
				x := uint32(1)
				benchDispatch16(b, c, cmd, func(int) [][]byte {
					x ^= x << 13
					x ^= x >> 17
					x ^= x << 5
					args = append(args[:0], name, keys[int(x)%nkeys])
					if cmd == "SET" {
						args = append(args, value)
					}
					return args
				})
			})
		}
	}
}

// benchDispatch16 dispatches b.N requests as a client pipelining 16 at a
// time sees them: 16 dispatches, then one flush. next gives the i'th
// request; what names the requests when one of them fails.
func benchDispatch16(b *testing.B, c *client, what string, next func(i int) [][]byte) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		c.server.dispatch(c, next(i))
		if i%16 == 15 {
			if err := c.conn.Flush(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	if c.errors != 0 {
		b.Fatalf("%s failed", what)
	}
}
