//go:build unix

package connection

import "syscall"

// A sockWriter makes the non-waiting writes of writeNow. The callback it
// passes to syscall.RawConn.Write is made once per connection, with the
// write's input and results in its fields: a closure made per write would
// capture them, and the closure and both results escape (RawConn is an
// interface), three allocations per reply.
type sockWriter struct {
	raw syscall.RawConn
	fn  func(fd uintptr) bool // w.write, bound once

	// buf is what the write is given, n how much of it went out, err the
	// error that stopped it other than EAGAIN.
	buf []byte
	n   int
	err error
}

// write writes as much of w.buf as the socket takes without waiting.
func (w *sockWriter) write(fd uintptr) bool {
	b := w.buf
	for w.n < len(b) {
		m, err := writeNoWait(int(fd), b[w.n:])
		if m > 0 {
			w.n += m
		}
		if err == syscall.EINTR { // a bare Errno: no wrapping to look through
			continue
		}
		if err != nil && err != syscall.EAGAIN {
			w.err = err
		}
		if err != nil || m <= 0 {
			break
		}
	}
	return true // done: never wait for the socket to drain
}

// writeNow writes as much of b as the socket takes without waiting, and
// reports how much that was. A connection that is not a socket (net.Pipe,
// a test double) is written to in full, waiting as long as it takes.
func (c *Conn) writeNow(b []byte) (int, error) {
	w := &c.sw
	if sr := c.sr; sr != nil && sr.fd >= 0 {
		// The suspended long-lived read holds the descriptor, and only the
		// owner, this goroutine, writes in this mode: write to it without
		// RawConn.Write's lock and poller bookkeeping (about 220 of 4490
		// instructions per unpipelined request, callgrind). The deadline
		// RawConn.Write checks does not matter to a write that never
		// waits; a write to a socket shut down (Abort) fails with EPIPE and
		// is reported by the ordinary write, as below.
		w.buf, w.n, w.err = b, 0, nil
		w.write(uintptr(sr.fd))
		n, werr := w.n, w.err
		w.buf, w.err = nil, nil
		c.countOut(n)
		if werr != nil {
			return n, c.write(b[n:])
		}
		return n, nil
	}
	if w.raw == nil {
		sc, ok := c.nc.(syscall.Conn)
		if !ok {
			return len(b), c.write(b)
		}
		raw, err := sc.SyscallConn()
		if err != nil {
			return 0, c.write(b) // let the ordinary write report the error
		}
		w.raw, w.fn = raw, w.write
	}
	w.buf, w.n, w.err = b, 0, nil
	err := w.raw.Write(w.fn)
	n, werr := w.n, w.err
	w.buf, w.err = nil, nil
	c.countOut(n)
	if err != nil || werr != nil {
		// The ordinary write reports the error as the net package words it
		// (net.ErrClosed, a *net.OpError), which callers know.
		return n, c.write(b[n:])
	}
	return n, nil
}
