package server

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/connection"
)

// Benchmarks of the list commands through the real dispatcher: a client of
// a running test server, with no socket (its replies go to a net.Conn that
// discards them), calls Server.dispatch itself, and flushes after each
// command as the serve loop would. So one iteration is one command's whole
// cost in the server: lookup, dispatch, locking, the list operation and
// its reply's encoding, without the kernel's.
//
//	go test ./server -run '^$' -bench 'LPUSH|LPOP|LRANGE' -benchmem

// discardConn is a net.Conn that swallows what is written to it.
type discardConn struct {
	net.Conn // nil: a method not overridden here panics
	written  int64
}

func (d *discardConn) Write(p []byte) (int, error)      { d.written += int64(len(p)); return len(p), nil }
func (d *discardConn) Read([]byte) (int, error)         { return 0, io.EOF }
func (d *discardConn) Close() error                     { return nil }
func (d *discardConn) SetWriteDeadline(time.Time) error { return nil }
func (d *discardConn) SetReadDeadline(time.Time) error  { return nil }

// benchClient returns a client of a new test server, for a benchmark to
// dispatch commands on, and the connection its replies go to.
func benchClient(b *testing.B) (*client, *discardConn) {
	b.Helper()
	cfg, clock := testConfig(b)
	ts := startServerConfig(b, cfg, clock)
	nc := &discardConn{}
	c := &client{id: ts.nextClientID.Add(1), server: ts.Server, created: time.Now(), authenticated: true}
	c.conn = connection.New(nc, connection.Options{ErrorHook: func(string) { c.errors++ }})
	c.multiShown.Store(-1)
	return c, nc
}

// benchDo dispatches one command and flushes its reply.
func (c *client) benchDo(b *testing.B, args [][]byte) {
	c.server.dispatch(c, args)
	if err := c.conn.Flush(); err != nil {
		b.Fatal(err)
	}
}

// benchReply times b.N runs of args on c, after one that sets the bytes
// an iteration processes to the size of its reply, as nc counts it, and
// fails if any of them replied with an error.
func benchReply(b *testing.B, c *client, nc *discardConn, args [][]byte) {
	b.Helper()
	before := nc.written
	c.benchDo(b, args)
	b.SetBytes(nc.written - before)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		c.benchDo(b, args)
	}
	b.StopTimer()
	if c.errors != 0 {
		b.Fatalf("%s failed", args[0])
	}
}

func benchArgs(args ...string) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = []byte(a)
	}
	return out
}

// fillList pushes n 16-byte elements onto the tail of key with one RPUSH.
func fillList(b *testing.B, c *client, key string, n int) {
	b.Helper()
	args := benchArgs("RPUSH", key)
	for i := range n {
		args = append(args, fmt.Appendf(nil, "%016d", i))
	}
	c.benchDo(b, args)
	if c.errors != 0 {
		b.Fatal("RPUSH failed")
	}
}

var benchListLens = []int{10, 100_000}

// BenchmarkLPUSH pushes one element at the head of a list of about len
// elements: every len/2 pushes an LTRIM (timed, one command more in len/2)
// cuts it back to len, so it stays between len and 1.5 len.
func BenchmarkLPUSH(b *testing.B) {
	for _, n := range benchListLens {
		b.Run("len="+strconv.Itoa(n), func(b *testing.B) {
			c, _ := benchClient(b)
			fillList(b, c, "l", n)
			push := benchArgs("LPUSH", "l", "0123456789abcdef")
			trim := benchArgs("LTRIM", "l", strconv.Itoa(-n), "-1")
			every := max(n/2, 1)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				c.benchDo(b, push)
				if i%every == every-1 {
					c.benchDo(b, trim)
				}
			}
			b.StopTimer()
			if c.errors != 0 {
				b.Fatal("a command failed")
			}
		})
	}
}

// BenchmarkLPOP pops one element from the head of a list of about len
// elements: every len/2 pops an RPUSH of len/2 elements (timed, one
// command more in len/2) refills it, so it stays between len/2 and len.
func BenchmarkLPOP(b *testing.B) {
	for _, n := range benchListLens {
		b.Run("len="+strconv.Itoa(n), func(b *testing.B) {
			c, _ := benchClient(b)
			fillList(b, c, "l", n)
			every := max(n/2, 1)
			refill := benchArgs("RPUSH", "l")
			for range every {
				refill = append(refill, []byte("0123456789abcdef"))
			}
			pop := benchArgs("LPOP", "l")
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				c.benchDo(b, pop)
				if i%every == every-1 {
					c.benchDo(b, refill)
				}
			}
			b.StopTimer()
			if c.errors != 0 {
				b.Fatal("a command failed")
			}
		})
	}
}

// BenchmarkLRANGE reads a list of len elements: all of them, and ten from
// its head and its middle. The bytes per operation are the reply's.
func BenchmarkLRANGE(b *testing.B) {
	for _, n := range benchListLens {
		mid := strconv.Itoa(n / 2)
		for _, r := range []struct{ name, start, stop string }{
			{"all", "0", "-1"},
			{"head10", "0", "9"},
			{"middle10", mid, strconv.Itoa(n/2 + 9)},
		} {
			if n == 10 && r.name != "all" {
				continue // the same as all
			}
			b.Run("len="+strconv.Itoa(n)+"/"+r.name, func(b *testing.B) {
				c, nc := benchClient(b)
				fillList(b, c, "l", n)
				args := benchArgs("LRANGE", "l", r.start, r.stop)
				benchReply(b, c, nc, args)
			})
		}
	}
}
