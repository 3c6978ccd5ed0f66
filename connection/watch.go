package connection

import (
	"errors"
	"os"
	"sync/atomic"
	"time"
)

// WatchInput goes on reading the client's input in the background while
// the owner waits for something other than its client, as a server does
// for a client blocked in BLPOP: Redis reads from a blocked client too,
// so it learns at once that the client went away, and it keeps what the
// client sends meanwhile for later. The input read is kept for
// ReadRequest; none of it is parsed.
//
// The channel returned is closed when reading fails: the peer closed the
// connection, the input passed MaxQueryBuffer (ErrQueryBufferLimit), or
// Interrupt was called (ErrInterrupted). The idle timeout does not apply
// meanwhile, as Redis exempts blocked clients from it.
//
// The owner calls stop, once, before it uses the Conn again: stop ends the
// background read, waits for it, and returns the error that closed the
// channel, or nil. The arguments of the last ReadRequest are not valid
// once WatchInput is called: the input buffer may move.
func (c *Conn) WatchInput() (failed <-chan struct{}, stop func() error) {
	// Clear a deadline the idle timeout left, here, before the reader
	// starts: stop's past deadline must be the last one set. An Interrupt
	// that came first is not lost: fill checks its flag before reading.
	if c.readDeadlineSet {
		c.nc.SetReadDeadline(time.Time{})
		c.readDeadlineSet = false
	}
	fail := make(chan struct{})
	done := make(chan struct{})
	var stopping atomic.Bool
	var err error
	go func() {
		defer close(done)
		for !stopping.Load() {
			if e := c.fill(0, true); e != nil {
				if stopping.Load() && errors.Is(e, os.ErrDeadlineExceeded) {
					return // stop's deadline, not a failure
				}
				err = e
				close(fail)
				return
			}
		}
	}()
	stop = func() error {
		stopping.Store(true)
		c.nc.SetReadDeadline(time.Unix(1, 0)) // ends a Read in progress
		<-done
		c.readDeadlineSet = true // the next fill sets the deadline it needs
		return err
	}
	return fail, stop
}
