package server

import (
	"testing"
)

// BenchmarkDispatchRows runs tools/bench-redis.sh's zpopmin, spop and xadd
// rows, and its collection rows on one key (sadd, hset, zadd, lpush, lpop,
// with set on one key to compare), as BenchmarkDispatchPipelined runs its string rows: 16 dispatches,
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
		// redis-benchmark's collection rows on one key, as it sends them
		// without -r: one member, already there after the first request.
		{"SET/onekey", []string{"SET", "key:__rand_int__", "xxx"}},
		{"SADD/onemember", []string{"SADD", "myset", "element:__rand_int__"}},
		{"HSET/onefield", []string{"HSET", "myhash", "element:__rand_int__", "xxx"}},
		{"ZADD/onemember", []string{"ZADD", "myzset", "0", "element:__rand_int__"}},
		{"LPUSH", []string{"LPUSH", "mylist", "xxx"}},
		{"LPOP/long", []string{"LPOP", "mylist"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c, _ := benchClient(b)
			args := benchArgs(tc.args...)
			// The request is parsed afresh each time in the server; a
			// command must not keep or change the arguments it is given.
			req := make([][]byte, len(args))
			if tc.name == "LPOP/long" {
				// A list LPOP never empties, as the script fills it.
				fillList(b, c, "mylist", b.N+16)
			}
			benchDispatch16(b, c, tc.args[0], func(int) [][]byte {
				copy(req, args)
				return req
			})
		})
	}
}
