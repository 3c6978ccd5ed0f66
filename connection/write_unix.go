//go:build unix

package connection

import (
	"errors"
	"syscall"
)

// writeNow writes as much of b as the socket takes without waiting, and
// reports how much that was. A connection that is not a socket (net.Pipe,
// a test double) is written to in full, waiting as long as it takes.
func (c *Conn) writeNow(b []byte) (int, error) {
	sc, ok := c.nc.(syscall.Conn)
	if !ok {
		return len(b), c.write(b)
	}
	if c.raw == nil {
		raw, err := sc.SyscallConn()
		if err != nil {
			return 0, c.write(b) // let the ordinary write report the error
		}
		c.raw = raw
	}
	n := 0
	var werr error
	err := c.raw.Write(func(fd uintptr) bool {
		for n < len(b) {
			m, err := syscall.Write(int(fd), b[n:])
			if m > 0 {
				n += m
			}
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			if err != nil && !errors.Is(err, syscall.EAGAIN) {
				werr = err
			}
			if err != nil || m <= 0 {
				break
			}
		}
		return true // done: never wait for the socket to drain
	})
	c.countOut(n)
	if err != nil || werr != nil {
		// The ordinary write reports the error as the net package words it
		// (net.ErrClosed, a *net.OpError), which callers know.
		return n, c.write(b[n:])
	}
	return n, nil
}
