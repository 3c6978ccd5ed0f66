package connection

import (
	"fmt"
	"net"
	"testing"
	"time"
)

// replayConn is a net.Conn whose peer sends the same batch of bytes over
// and over and swallows every reply, so benchmarks measure the Conn and
// not the kernel.
type replayConn struct {
	net.Conn // nil: calling a method not overridden here panics
	batch    []byte
	off      int
	written  int64
}

func (c *replayConn) Read(p []byte) (int, error) {
	n := copy(p, c.batch[c.off:])
	c.off = (c.off + n) % len(c.batch)
	return n, nil
}

func (c *replayConn) Write(p []byte) (int, error) {
	c.written += int64(len(p))
	return len(p), nil
}

func (c *replayConn) SetReadDeadline(time.Time) error  { return nil }
func (c *replayConn) SetWriteDeadline(time.Time) error { return nil }
func (c *replayConn) Close() error                     { return nil }

// pipelinedSets returns depth SET requests as one client would pipeline them.
func pipelinedSets(depth int) []byte {
	var b []byte
	for i := range depth {
		key := fmt.Sprintf("key:%06d", i)
		b = fmt.Appendf(b, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$3\r\nxyz\r\n", len(key), key)
	}
	return b
}

// BenchmarkServeLoop is a server's loop over one client: read a request,
// write a reply, flush when the client has nothing more buffered. One
// iteration is one command.
func BenchmarkServeLoop(b *testing.B) {
	for _, depth := range []int{1, 16} {
		b.Run(fmt.Sprintf("pipeline=%d", depth), func(b *testing.B) {
			nc := &replayConn{batch: pipelinedSets(depth)}
			c := New(nc, Options{})
			b.ReportAllocs()
			b.SetBytes(int64(len(nc.batch) / depth))
			b.ResetTimer()
			for range b.N {
				args, err := c.ReadRequest()
				if err != nil {
					b.Fatal(err)
				}
				if len(args) != 3 {
					b.Fatalf("read %d args, want 3", len(args))
				}
				c.WriteOK()
				if !c.Buffered() {
					if err := c.Flush(); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.StopTimer()
			if err := c.Flush(); err != nil {
				b.Fatal(err)
			}
			if want := int64(b.N) * int64(len("+OK\r\n")); nc.written != want {
				b.Fatalf("wrote %d reply bytes, want %d", nc.written, want)
			}
		})
	}
}

// BenchmarkWriteBulk measures encoding a 64-byte bulk reply into the
// output buffer, flushed every 16 replies.
func BenchmarkWriteBulk(b *testing.B) {
	nc := &replayConn{batch: []byte{0}}
	c := New(nc, Options{})
	value := make([]byte, 64)
	b.ReportAllocs()
	for i := range b.N {
		c.WriteBulk(value)
		if i%16 == 15 {
			if err := c.Flush(); err != nil {
				b.Fatal(err)
			}
		}
	}
}
