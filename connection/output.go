package connection

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/mini-redis/mini-redis/frame"
)

// ErrOutputBufferLimit is the write error of a connection closed because
// its pending output passed its PushLimits, as Redis closes a subscriber
// that does not keep up.
var ErrOutputBufferLimit = errors.New("connection: output buffer limit reached")

// output is the reply side of a Conn. It has two modes:
//
//   - synchronous (the default): the owner appends replies to out and
//     writes them itself in Flush. No locks on the hot path.
//   - shared: out is guarded by mu, and a writer goroutine owned by the
//     Conn does all the writing. A Conn enters it for good when EnablePush
//     lets other goroutines Push messages (pub/sub), so that publishers never
//     wait for the network; or when the client stops taking its replies as
//     fast as they come, so that the owner goes on reading its requests.
type output struct {
	out     []byte
	werr    error // the first write error; every later write and flush returns it
	proto   frame.Protocol
	discard bool // CLIENT REPLY OFF/SKIP: the owner's replies are dropped

	shared bool
	mu     sync.Mutex // guards the fields below, and out, werr, proto, discard, opts.OutputLimits, in shared mode
	// holding and held keep pushed messages aside while the owner writes a
	// reply (HoldPushes), so that a message never lands inside a reply
	// and a client's own invalidations follow the reply, as in Redis.
	holding  bool
	held     []byte
	wake     chan struct{}
	closing  bool
	done     chan struct{} // closed when the writer goroutine exits
	inflight int           // bytes the writer has taken but not yet written
	overSoft time.Time     // when pending output went over the soft limit, or zero

	// base and writeDeadlineAt (an offset from base) let write refresh the
	// write deadline only when half of it has passed, instead of reading
	// the clock and resetting a timer on every flush. Only the goroutine
	// that writes (the owner, or the writer in push mode) uses them.
	base            time.Time
	writeDeadlineAt time.Duration
}

// PushLimits bound the output a connection in push mode may have pending,
// as Redis's client-output-buffer-limit does: past Hard bytes, or past
// Soft bytes for longer than SoftFor, the connection is closed.
type PushLimits struct {
	Hard    int
	Soft    int
	SoftFor time.Duration
	// Now tells the time for SoftFor; nil means time.Now.
	Now func() time.Time
}

// Protocol returns the protocol version replies are encoded for.
func (c *Conn) Protocol() frame.Protocol {
	if c.shared {
		c.mu.Lock()
		defer c.mu.Unlock()
	}
	return c.proto
}

// SetProtocol sets the protocol version replies are encoded for (HELLO).
func (c *Conn) SetProtocol(p frame.Protocol) {
	if c.shared {
		c.mu.Lock()
		defer c.mu.Unlock()
	}
	c.proto = p
}

// SetDiscard makes the owner's replies be dropped instead of written
// (CLIENT REPLY OFF and SKIP), or written again.
func (c *Conn) SetDiscard(discard bool) {
	if c.shared {
		c.mu.Lock()
		defer c.mu.Unlock()
	}
	c.discard = discard
}

// Discarding reports whether the owner's replies are being dropped
// (SetDiscard), for a command that would spend long building a reply.
func (c *Conn) Discarding() bool {
	if c.shared {
		c.mu.Lock()
		defer c.mu.Unlock()
	}
	return c.discard
}

// begin returns the output buffer for the owner to append a reply to, or
// false when replies are being discarded. end must follow a true begin.
func (c *Conn) begin() ([]byte, bool) {
	if c.shared {
		c.mu.Lock()
	}
	if c.discard {
		if c.shared {
			c.mu.Unlock()
		}
		return nil, false
	}
	return c.out, true
}

// end stores the buffer begin returned, grown with a reply. It never
// writes to the network: the owner may be replying while it holds locks
// other clients wait for, and a client that does not read must not make
// them wait. Output goes out in Flush, and in ReadRequest between requests.
func (c *Conn) end(b []byte) {
	c.out = b
	if c.shared {
		over := c.overLimit()
		c.mu.Unlock()
		if over {
			c.Abort() // the writer and the reader see the error
		}
	}
}

// flushIfFull writes the buffered output once it reaches the flush
// threshold, so a long batch of requests does not keep all its replies.
// The error is kept and returned by the next Flush.
func (c *Conn) flushIfFull() {
	if c.shared {
		c.mu.Lock()
		full := len(c.out) >= c.opts.FlushThreshold
		c.mu.Unlock()
		if full {
			c.signal()
		}
		return
	}
	if len(c.out) >= c.opts.FlushThreshold {
		c.Flush()
	}
}

// Flush writes the buffered output to the network; in push mode it hands
// it to the writer goroutine and returns at once.
func (c *Conn) Flush() error {
	if c.shared {
		c.mu.Lock()
		err := c.werr
		c.mu.Unlock()
		c.signal()
		return err
	}
	if c.werr != nil {
		return c.werr
	}
	if len(c.out) == 0 {
		return nil
	}
	if hook := c.opts.BeforeWrite; hook != nil {
		if err := hook(); err != nil {
			c.werr = err
			c.out = c.out[:0]
			c.Abort()
			return err
		}
	}
	n, err := c.writeNow(c.out)
	if err != nil {
		c.werr = err
		return err
	}
	if n < len(c.out) {
		// The client's socket is full: it is not reading, or not yet. Redis
		// goes on reading a client's requests while its replies wait (a
		// client may send its whole pipeline before it reads any reply), so
		// the rest is written in the background from now on.
		c.out = c.out[:copy(c.out, c.out[n:])]
		c.share()
		c.signal()
		return nil
	}
	if cap(c.out) > 4*c.opts.FlushThreshold {
		// A huge reply grew the buffer; do not keep it for the idle client.
		c.out = make([]byte, 0, idleWriteSize)
	} else {
		c.out = c.out[:0]
	}
	return nil
}

// write writes b to the network. A write never gets less than half of
// WriteTimeout, nor more than all of it.
func (c *Conn) write(b []byte) error {
	if t := c.opts.WriteTimeout; t > 0 {
		now := time.Since(c.base) // monotonic: one cheap clock read
		if c.writeDeadlineAt-now < t/2 {
			c.writeDeadlineAt = now + t
			if err := c.nc.SetWriteDeadline(c.base.Add(c.writeDeadlineAt)); err != nil {
				return fmt.Errorf("connection: set write deadline: %w", err)
			}
		}
	}
	n, err := c.nc.Write(b)
	c.countOut(n)
	return err
}

// Close flushes pending output and closes the network connection.
func (c *Conn) Close() error {
	var ferr error
	if c.shared {
		c.mu.Lock()
		c.closing = true
		c.mu.Unlock()
		c.signal()
		<-c.done // the writer has written everything, or failed
		c.mu.Lock()
		ferr = c.werr
		c.mu.Unlock()
	} else {
		ferr = c.Flush()
	}
	c.stopReader()
	cerr := c.nc.Close()
	if cerr != nil && !errors.Is(cerr, net.ErrClosed) {
		return cerr
	}
	if errors.Is(ferr, net.ErrClosed) || errors.Is(ferr, ErrOutputBufferLimit) {
		return nil
	}
	return ferr
}

// Err returns the first error a write ran into, if any.
func (c *Conn) Err() error {
	if c.shared {
		c.mu.Lock()
		defer c.mu.Unlock()
	}
	return c.werr
}

// EnablePush switches the connection to push mode, for a client that may
// receive messages from other goroutines (a pub/sub subscriber), and sets
// the limits on its pending output (see SetOutputLimits). It is called by
// the owner; the connection stays in push mode.
func (c *Conn) EnablePush(limits PushLimits) {
	c.SetOutputLimits(limits)
	c.share()
}

// SetOutputLimits changes the limits on output waiting to be written
// (Options.OutputLimits); they apply from the next reply. It is called by
// the owner.
func (c *Conn) SetOutputLimits(limits PushLimits) {
	if limits.Now == nil {
		limits.Now = time.Now
	}
	if c.shared {
		c.mu.Lock()
		defer c.mu.Unlock()
	}
	c.opts.OutputLimits = limits
}

// share switches the connection to shared mode, with the writer goroutine,
// unless it is in shared mode already. It is called by the owner.
func (c *Conn) share() {
	if c.shared {
		return
	}
	c.mu.Lock()
	c.wake = make(chan struct{}, 1)
	c.done = make(chan struct{})
	c.shared = true
	c.mu.Unlock()
	go c.writer()
}

// Push appends a message built by appendMsg, which encodes it for the
// given protocol, to the output, from any goroutine, even while replies
// are discarded (SetDiscard); it never waits for the network. It reports
// false if the message was not queued: the connection is closed or over
// its limits (and then being closed). Push panics if EnablePush was not
// called: that is a programming error.
func (c *Conn) Push(appendMsg func(dst []byte, p frame.Protocol) []byte) bool {
	if !c.shared {
		panic("connection: Push before EnablePush")
	}
	c.mu.Lock()
	if c.closing || c.werr != nil {
		c.mu.Unlock()
		return false
	}
	// Pushed messages go out even while the owner's replies are discarded
	// (CLIENT REPLY OFF), as Redis's CLIENT_PUSHING lets them.
	if c.holding {
		c.held = appendMsg(c.held, c.proto)
		c.mu.Unlock()
		return true
	}
	c.out = appendMsg(c.out, c.proto)
	over := c.overLimit()
	c.mu.Unlock()
	if over {
		c.Abort()
		return false
	}
	c.signal()
	return true
}

// CanPush reports whether Push may be called: EnablePush was. It is safe
// from any goroutine.
func (c *Conn) CanPush() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.shared
}

// HoldPushes makes messages pushed from now on wait until ReleasePushes,
// so that none lands in the middle of the reply the owner is about to
// write. It does nothing outside push mode, where nothing is pushed. It is
// called by the owner.
func (c *Conn) HoldPushes() {
	if !c.shared {
		return
	}
	c.mu.Lock()
	c.holding = true
	c.mu.Unlock()
}

// ReleasePushes appends the messages held since HoldPushes after the
// output written meanwhile. It is called by the owner.
func (c *Conn) ReleasePushes() {
	if !c.shared {
		return
	}
	c.mu.Lock()
	if !c.holding {
		c.mu.Unlock()
		return
	}
	c.holding = false
	if len(c.held) == 0 {
		c.mu.Unlock()
		return
	}
	c.out = append(c.out, c.held...)
	c.held = c.held[:0]
	over := c.overLimit()
	c.mu.Unlock()
	if over {
		c.Abort()
		return
	}
	c.signal()
}

// Pending returns the bytes of output not yet written to the network.
func (c *Conn) Pending() int {
	if c.shared {
		c.mu.Lock()
		defer c.mu.Unlock()
		return len(c.out) + c.inflight
	}
	return len(c.out)
}

// overLimit checks the limits of shared mode after output grew; mu is
// held. It sets werr when they are passed.
func (c *Conn) overLimit() bool {
	if c.werr != nil {
		return false
	}
	pending := len(c.out) + c.inflight
	l := c.opts.OutputLimits
	switch {
	case l.Hard > 0 && pending > l.Hard:
	case l.Soft > 0 && pending > l.Soft:
		now := l.Now()
		if c.overSoft.IsZero() {
			c.overSoft = now
			return false
		}
		if now.Sub(c.overSoft) <= l.SoftFor {
			return false
		}
	default:
		c.overSoft = time.Time{}
		return false
	}
	c.werr = ErrOutputBufferLimit
	return true
}

func (c *Conn) signal() {
	select {
	case c.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// writer writes the output in push mode until the connection closes or a
// write fails.
func (c *Conn) writer() {
	defer close(c.done)
	var buf []byte
	for {
		c.mu.Lock()
		for len(c.out) == 0 && !c.closing && c.werr == nil {
			c.mu.Unlock()
			<-c.wake
			c.mu.Lock()
		}
		if c.werr != nil || len(c.out) == 0 { // failed, or closing with nothing left
			c.mu.Unlock()
			return
		}
		// Swap buffers: the owner and publishers go on appending to the
		// other one while this one is written.
		buf, c.out = c.out, buf[:0]
		c.inflight = len(buf)
		c.mu.Unlock()

		var err error
		if hook := c.opts.BeforeWrite; hook != nil {
			err = hook()
		}
		if err == nil {
			err = c.write(buf)
		}

		c.mu.Lock()
		c.inflight = 0
		if err != nil && c.werr == nil {
			c.werr = err
		}
		failed := c.werr != nil
		c.mu.Unlock()
		if failed {
			c.Abort() // wake the reader: the client is gone
			return
		}
		if cap(buf) > 4*c.opts.FlushThreshold {
			buf = nil
		}
	}
}
