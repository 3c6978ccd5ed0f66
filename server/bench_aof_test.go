package server

import (
	"syscall"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/connection"
)

// processCPU returns the CPU time, user and system, the process has used:
// the client's goroutine and the AOF goroutine's work, writes included.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDispatchAOF runs the write rows of tools/bench-redis.sh -a
// everysec as a client pipelining 16 requests sees them, with the AOF off
// and on: 16 dispatches, then one flush (which runs the hook that waits
// for appendfsync always). Besides the wall time of the client's
// goroutine it reports cpu-ns/op, the process's CPU time per request,
// which counts the AOF goroutine's work too.
func BenchmarkDispatchAOF(b *testing.B) {
	for _, fsync := range []string{"off", "everysec"} {
		for _, cmd := range []string{"SET", "INCR", "LPUSH"} {
			b.Run(fsync+"/"+cmd, func(b *testing.B) {
				args := []string{"--appendonly", "no"}
				if fsync != "off" {
					args = []string{"--appendonly", "yes", "--appendfsync", fsync}
				}
				srv, _ := startAOFServer(b, b.TempDir(), nil, args...)
				c := &client{id: srv.nextClientID.Add(1), server: srv, created: time.Now(), authenticated: true}
				c.conn = connection.New(&discardConn{}, connection.Options{
					BeforeWrite: func() error { return srv.awaitAOF(c) },
					ErrorHook:   func(string) { c.errors++ },
				})
				c.multiShown.Store(-1)
				req := [][]byte{[]byte(cmd), []byte("key:000000012345"), []byte("xxx")}
				if cmd == "INCR" {
					req = req[:2]
				}
				cpu := processCPU(b)
				benchDispatch16(b, c, cmd, func(int) [][]byte { return req })
				b.ReportMetric(float64(processCPU(b)-cpu)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}
