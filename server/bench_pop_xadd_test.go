package server

import (
	"testing"
)

// BenchmarkDispatchRows runs tools/bench-redis.sh's zpopmin, spop and xadd
// rows as BenchmarkDispatchPipelined runs its string rows: 16 dispatches,
// then one flush, without the network. ZPOPMIN and SPOP pop from keys that
// do not exist, as in the script, where the zadd and sadd rows leave one
// member for the first pop to take; XADD appends to one stream that grows
// by an entry a request.
//
//	go test ./server -run '^$' -bench 'DispatchRows' -benchmem
func BenchmarkDispatchRows(b *testing.B) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"ZPOPMIN/missing", []string{"ZPOPMIN", "myzset"}},
		{"SPOP/missing", []string{"SPOP", "myset"}},
		{"PING", []string{"PING"}},
		{"XADD/star", []string{"XADD", "bench:stream", "*", "field", "value"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c, _ := benchClient(b)
			args := benchArgs(tc.args...)
			// The request is parsed afresh each time in the server; a
			// command must not keep or change the arguments it is given.
			req := make([][]byte, len(args))
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				copy(req, args)
				c.server.dispatch(c, req)
				if i%16 == 15 {
					if err := c.conn.Flush(); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.StopTimer()
			if c.errors != 0 {
				b.Fatalf("%s failed", tc.args[0])
			}
		})
	}
}
