//go:build unix

package connection

import (
	"errors"
	"io"
	"iter"
	"net"
	"os"
	"syscall"
)

// A sockReader is one long-lived read of the socket, run as a coroutine
// (iter.Pull) inside syscall.RawConn.Read, so that a server reading
// unpipelined requests makes one read per request instead of two.
//
// A net.Conn Read always tries read() first and waits for readiness only
// when it fails with EAGAIN; after each reply the client has not had time
// to send its next request, so every request cost a read() that found
// nothing. The runtime only knows the socket is ready from the readiness
// flag epoll sets, and every Read or RawConn.Read starts by clearing it.
// Staying inside one RawConn.Read keeps the flag: after a read that
// drained the socket, the callback can wait for the next readiness edge,
// set meanwhile if the client already wrote, without a read() that would
// only fail. Only the kernel can say that a read drained the socket: a
// short read may leave the peer's close behind it, with no edge to come
// (see inputHint). Where it cannot say, the callback reads until EAGAIN.
//
// While it is suspended between reads, the read holds the descriptor: a
// Close waits for it. That is why the Conn closes the socket from other
// goroutines with abort, a shutdown, and only the owner closes it.
type sockReader struct {
	// buf is where the next read goes; the owner sets it before next.
	buf  []byte
	next func() (int, error, bool)
	stop func()
	// fd is the descriptor the read holds, once it has begun (-1 before):
	// while the read is suspended it stays open and the socket's, so the
	// owner may write to it without taking it again (see writeNow).
	fd int
	// hint is the state of the reads that tell whether more waits.
	hint inputHint
}

// read reads into b, as c.nc.Read does.
func (c *Conn) read(b []byte) (int, error) {
	if c.sr == nil && !c.startReader() {
		return c.nc.Read(b)
	}
	sr := c.sr
	sr.buf = b
	n, err, ok := sr.next()
	sr.buf = nil
	if !ok {
		err = io.ErrNoProgress // not reached: the reader ends with an error
	}
	if err != nil {
		// The read is over: the next one starts afresh, with a read()
		// first, as the readiness flag is cleared again.
		c.stopReader()
	}
	return n, err
}

// startReader starts the long-lived read, and reports whether the
// connection is a socket it can run on.
func (c *Conn) startReader() bool {
	sc, ok := c.nc.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	sr := &sockReader{fd: -1}
	hinted := false
	raw.Control(func(fd uintptr) { hinted = sr.hint.enable(int(fd)) })
	sr.next, sr.stop = iter.Pull2(func(yield func(int, error) bool) {
		err := raw.Read(func(fd uintptr) bool {
			sr.fd = int(fd)
			for {
				b := sr.buf
				var n int
				var err error
				more := true // without a hint, only a read that finds nothing proves the socket drained
				if hinted {
					n, more, err = sr.hint.read(int(fd), b)
				} else {
					n, err = readNoWait(int(fd), b)
				}
				switch {
				case err == nil && n > 0:
				case err == syscall.EINTR: // a bare Errno: no wrapping to look through
					continue
				case err == syscall.EAGAIN:
					return false // wait for readiness
				case err != nil:
					yield(0, c.readError(os.NewSyscallError("read", err)))
					return true
				case n == 0:
					yield(0, io.EOF)
					return true
				}
				if !yield(n, nil) {
					return true // stopped
				}
				if !more {
					// The socket was drained, its end not reached: what
					// comes next sets the readiness flag, which this read
					// keeps.
					return false
				}
			}
		})
		if err != nil {
			var oe *net.OpError
			if errors.As(err, &oe) {
				err = oe.Err // as a net.Conn Read words it
			}
			yield(0, c.readError(err))
		}
	})
	c.sr = sr
	return true
}

// readError wraps err as a net.Conn Read does.
func (c *Conn) readError(err error) error {
	return &net.OpError{Op: "read", Net: c.nc.LocalAddr().Network(), Source: c.nc.LocalAddr(), Addr: c.nc.RemoteAddr(), Err: err}
}

// stopReader ends the long-lived read, if one runs, so that the
// descriptor can be closed.
func (c *Conn) stopReader() {
	if c.sr != nil {
		c.sr.stop()
		c.sr = nil
	}
}

// Abort shuts the connection down from any goroutine: the peer, and a
// read or write in progress, see it at once, and the owner's next read or
// write fails. Unlike Close it never waits for the owner's read to end (see
// sockReader): the owner's Close closes the descriptor.
func (c *Conn) Abort() {
	sc, ok := c.nc.(syscall.Conn)
	if !ok {
		c.nc.Close()
		return
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return // closed already
	}
	raw.Control(func(fd uintptr) {
		syscall.Shutdown(int(fd), syscall.SHUT_RDWR)
	})
}
