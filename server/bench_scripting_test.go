package server

import (
	"testing"

	"github.com/mini-redis/mini-redis/server/scripting"
)

// BenchmarkDispatchEvalSHA runs the bench-redis.sh evalsha row as a client
// pipelining 16 requests sees it: EVALSHA of return redis.call('INCR',
// KEYS[1]) on one key, 16 dispatches and then one flush. It is the
// server's own cost per script call, without the network; the INCR row of
// BenchmarkDispatchPipelined is the same work without the script.
func BenchmarkDispatchEvalSHA(b *testing.B) {
	for _, bc := range []struct{ name, body string }{
		{"incr", "return redis.call('INCR', KEYS[1])"},
		{"pcall", "return redis.pcall('INCR', KEYS[1])"},
		{"argv", "return ARGV[1]"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c, _ := benchClient(b)
			c.benchDo(b, benchArgs("SCRIPT", "LOAD", bc.body))
			args := benchArgs("EVALSHA", scripting.SHA1Hex([]byte(bc.body)), "1", "key", "arg")
			benchDispatch16(b, c, "EVALSHA", func(int) [][]byte { return args })
		})
	}
}
