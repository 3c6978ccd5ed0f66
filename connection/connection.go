// Package connection carries RESP frames over a net.Conn, for both ends of a
// Redis connection: a server reads requests and writes replies, a client
// writes commands and reads replies.
//
// Reads and writes are buffered. ReadRequest returns the requests already in
// the input buffer one by one, and flushes the replies written so far only
// when it has to wait for the network: a pipelined batch of commands is
// answered with one write.
package connection

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/mini-redis/mini-redis/frame"
)

// Defaults for Options.
const (
	// DefaultMaxQueryBuffer is Redis's client-query-buffer-limit: 1 GB.
	DefaultMaxQueryBuffer = 1 << 30
	// DefaultFlushThreshold is how many reply bytes may wait in memory
	// before they are written out in the middle of a batch.
	DefaultFlushThreshold = 64 << 10

	readBufferSize = 16 << 10 // PROTO_IOBUF_LEN
	// idleReadSize is the input buffer a connection starts with, and goes
	// back to when a big request is done: most clients send small
	// commands, and ten thousand idle ones should not hold 16 KB each.
	// A read that fills it grows it to readBufferSize.
	idleReadSize = 1 << 10
	// idleWriteSize is the output buffer's starting capacity.
	idleWriteSize = 512
)

// ErrQueryBufferLimit is returned by ReadRequest when a client has sent more
// unprocessed bytes than Options.MaxQueryBuffer. Redis closes such a client
// without a reply.
var ErrQueryBufferLimit = errors.New("connection: query buffer limit reached")

// ErrInterrupted is returned by ReadRequest and ReadFrame after Interrupt.
var ErrInterrupted = errors.New("connection: interrupted")

// Options configure a Conn. The zero value gives Redis's defaults.
type Options struct {
	// Limits bound what ReadRequest and ReadFrame accept.
	Limits frame.Limits
	// MaxQueryBuffer bounds the unprocessed input kept for one client.
	MaxQueryBuffer int
	// FlushThreshold is the size at which buffered replies are written out
	// before the batch of requests ends (by ReadRequest, between requests),
	// bounding the memory a client's replies take.
	FlushThreshold int
	// IdleTimeout, if positive, is how long ReadRequest waits for a client
	// that has sent nothing (Redis's "timeout"); then it returns an error
	// for which IsTimeout reports true.
	IdleTimeout time.Duration
	// WriteTimeout, if positive, bounds each write to the network, so a
	// client that stops reading cannot hold the connection forever.
	WriteTimeout time.Duration
	// OutputLimits bound the replies a client that does not keep up may
	// have waiting (Redis's client-output-buffer-limit for normal clients);
	// past them the connection is closed. The zero value, Redis's default,
	// sets no bound.
	OutputLimits PushLimits
	// BeforeWrite, if set, runs before buffered output goes to the
	// network (in Flush, Close, or the writer goroutine of shared mode, on
	// whichever goroutine writes), so that a server can hold replies back
	// until what they acknowledge is durable, once for a whole batch. If
	// it fails, the output is dropped and the connection fails with its
	// error, as after a write error.
	BeforeWrite func() error
	// ErrorHook, if set, is called with every error reply written (for
	// Redis's errorstats), in the owner's goroutine.
	ErrorHook func(msg string)
	// Traffic, if set, counts the bytes the connection reads and writes;
	// many connections may share one (Redis's total_net_input_bytes and
	// total_net_output_bytes).
	Traffic *Traffic
}

// Traffic counts bytes read from and written to the network. It is safe
// for concurrent use.
type Traffic struct {
	in, out atomic.Int64
}

// Input returns the bytes read so far.
func (t *Traffic) Input() int64 { return t.in.Load() }

// Output returns the bytes written so far.
func (t *Traffic) Output() int64 { return t.out.Load() }

// Reset starts both counts again from zero (CONFIG RESETSTAT).
func (t *Traffic) Reset() {
	t.in.Store(0)
	t.out.Store(0)
}

// countIn and countOut add n bytes, if the connection counts its traffic.
func (c *Conn) countIn(n int) {
	if t := c.opts.Traffic; t != nil && n > 0 {
		t.in.Add(int64(n))
	}
}

func (c *Conn) countOut(n int) {
	if t := c.opts.Traffic; t != nil && n > 0 {
		t.out.Add(int64(n))
	}
}

// A Conn is a buffered RESP connection. Its methods are not safe for
// concurrent use: one goroutine, the owner, reads requests and writes
// replies. The exceptions, safe from any goroutine, are Interrupt and,
// after EnablePush, Push.
type Conn struct {
	nc   net.Conn
	opts Options

	// Input: in[r:w] is received and not yet consumed.
	in   []byte
	r, w int
	req  frame.RequestParser
	args [][]byte
	resp frame.Parser

	// sw makes the writes that must not wait (Unix).
	sw sockWriter

	interrupted atomic.Bool
	// readDeadlineSet records that fill left a read deadline in place.
	readDeadlineSet bool
	// reads counts the reads from the network.
	reads int64
	// taken counts the requests ReadRequest returned since it last read.
	taken int
	// sr is the long-lived read of ReadRequest, if one runs (Unix).
	sr *sockReader

	output // replies: see output.go
}

// New returns a Conn reading from and writing to nc.
func New(nc net.Conn, opts Options) *Conn {
	if opts.MaxQueryBuffer <= 0 {
		opts.MaxQueryBuffer = DefaultMaxQueryBuffer
	}
	if opts.FlushThreshold <= 0 {
		opts.FlushThreshold = DefaultFlushThreshold
	}
	if opts.OutputLimits.Now == nil {
		opts.OutputLimits.Now = time.Now
	}
	c := &Conn{
		nc:   nc,
		opts: opts,
		in:   make([]byte, idleReadSize),
	}
	c.base = time.Now()
	c.out = make([]byte, 0, idleWriteSize)
	c.proto = frame.RESP2
	c.req.Limits = opts.Limits
	c.req.Reset()
	c.resp.Limits = opts.Limits
	return c
}

// NetConn returns the underlying network connection. Close it with Close,
// or from another goroutine with Abort: between the owner's reads the
// Conn's long-lived read holds the socket (see sockReader), and closing the
// net.Conn itself waits for the owner to read again.
func (c *Conn) NetConn() net.Conn { return c.nc }

// SetLimits changes the request limits, e.g. when a client authenticates.
func (c *Conn) SetLimits(l frame.Limits) {
	c.opts.Limits = l
	c.req.Limits = l
	c.resp.Limits = l
}

// SetIdleTimeout changes how long ReadRequest waits for a silent client.
func (c *Conn) SetIdleTimeout(d time.Duration) { c.opts.IdleTimeout = d }

// ReadRequest returns the arguments of the next request. They alias the
// input buffer and are valid until the next call. Empty requests are
// skipped, as Redis does.
//
// Before waiting for more input it flushes the replies written so far, and
// before taking a request it writes them out once FlushThreshold bytes
// wait; replies are never written while a request is handled. A
// *frame.ProtocolError means the client broke the protocol: reply with
// "ERR " and its text, then close, as Redis does.
func (c *Conn) ReadRequest() ([][]byte, error) {
	args, err := c.readRequest()
	if err != nil {
		// The connection is done with: let whoever holds it close it
		// (see sockReader).
		c.stopReader()
	}
	return args, err
}

func (c *Conn) readRequest() ([][]byte, error) {
	c.flushIfFull()
	for {
		args, n, err := c.req.Parse(c.in[c.r:c.w], c.args)
		if err == nil {
			c.args = args
			c.r += n
			if len(args) == 0 {
				continue
			}
			c.taken++
			return args, nil
		}
		// The request parser returns the sentinel itself: one comparison,
		// rather than errors.Is, on every request's way to the network.
		if err != frame.ErrIncomplete && !errors.Is(err, frame.ErrIncomplete) {
			return nil, err
		}
		if err := c.Flush(); err != nil {
			return nil, err
		}
		// Every request read is answered: let the other clients run before
		// this one reads on, as an event loop serves each ready client once
		// per turn. Otherwise, when its next pipeline has already arrived,
		// a client keeps the thread until the scheduler preempts it (10 ms),
		// and the others wait: under load, half of the replies came in
		// 0.05 ms and the slowest 1% after 20 ms (redis-benchmark -P 16 -r
		// 100000 SET; with the yield 2.1 ms and 6.3 ms, as Redis's).
		//
		// Not after a lone request, the unpipelined client's turn: its
		// client cannot have sent the next one before it got this reply,
		// so the read waits for the network, and waiting lets the others
		// run anyway; the yield only cost a second pass of the scheduler
		// per request (620 of 5600 instructions, callgrind, redis-benchmark
		// -P 1 -c 50 LPOP). A client whose lone requests do keep arriving
		// is served one more before its input holds more than one, or its
		// read waits; a request that came in pieces (none taken) yields.
		if c.taken != 1 {
			runtime.Gosched()
		}
		c.taken = 0
		if err := c.fill(c.opts.IdleTimeout, true); err != nil {
			return nil, err
		}
	}
}

// ReadFrame returns the next frame of any type, as a client reads replies.
// String payloads alias the input buffer and are valid until the next call;
// use Frame.Clone to keep them. It flushes pending output before waiting.
func (c *Conn) ReadFrame() (frame.Frame, error) {
	for {
		f, n, err := c.resp.Parse(c.in[c.r:c.w])
		if err == nil {
			c.r += n
			return f, nil
		}
		if !errors.Is(err, frame.ErrIncomplete) {
			return frame.Frame{}, err
		}
		if err := c.Flush(); err != nil {
			return frame.Frame{}, err
		}
		if err := c.fill(0, false); err != nil {
			return frame.Frame{}, err
		}
	}
}

// Reads returns how many times the connection has read from the network:
// a server can tell whether a request came from the buffer or made it
// wait.
func (c *Conn) Reads() int64 { return c.reads }

// Buffered reports whether unconsumed input is waiting in the buffer.
func (c *Conn) Buffered() bool { return c.r < c.w }

// fill reads more input, first making room: it moves the unconsumed bytes
// to the front of the buffer, or grows it. The request parser keeps offsets
// from the start of the request, so moving is safe. A server reading
// requests reads with long keeps the socket's long-lived read (see
// sockReader); a client reading replies uses plain reads.
func (c *Conn) fill(timeout time.Duration, long bool) error {
	if c.r == c.w {
		c.r, c.w = 0, 0
		if len(c.in) > readBufferSize {
			// A big request is done: do not keep its buffer for the
			// small ones after it (Redis's querybuf resizing).
			c.in = make([]byte, idleReadSize)
		}
	}
	if c.w == len(c.in) {
		pending := c.w - c.r
		if pending >= c.opts.MaxQueryBuffer {
			return ErrQueryBufferLimit
		}
		if c.r > 0 && pending <= len(c.in)/2 {
			copy(c.in, c.in[c.r:c.w])
		} else {
			size := 2 * len(c.in)
			if size > c.opts.MaxQueryBuffer+readBufferSize {
				size = c.opts.MaxQueryBuffer + readBufferSize
			}
			in := make([]byte, size)
			copy(in, c.in[c.r:c.w])
			c.in = in
		}
		c.r, c.w = 0, pending
	}
	// Setting a deadline costs a clock read and timer work: with no idle
	// timeout, only clear it when one was set.
	if timeout > 0 || c.readDeadlineSet {
		var deadline time.Time
		if timeout > 0 {
			deadline = time.Now().Add(timeout)
		}
		if err := c.nc.SetReadDeadline(deadline); err != nil {
			return fmt.Errorf("connection: set read deadline: %w", err)
		}
		c.readDeadlineSet = timeout > 0
	}
	// Checked after setting our deadline: an Interrupt racing with us has
	// either set its flag before this load, or its past deadline after ours.
	if c.interrupted.Load() {
		return ErrInterrupted
	}
	var n int
	var err error
	if long {
		n, err = c.read(c.in[c.w:])
	} else {
		c.stopReader() // it would hold the descriptor
		n, err = c.nc.Read(c.in[c.w:])
	}
	c.w += n
	c.reads++
	c.countIn(n)
	if n > 0 {
		if c.w == len(c.in) && len(c.in) < readBufferSize {
			// The read filled the small buffer: more is likely waiting
			// (a pipeline, a big value), so read in full-size chunks.
			in := make([]byte, readBufferSize)
			copy(in, c.in[c.r:c.w])
			c.in, c.r, c.w = in, 0, c.w-c.r
		}
		return nil
	}
	if c.interrupted.Load() {
		return ErrInterrupted
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// Interrupt makes ReadRequest and ReadFrame return ErrInterrupted as soon
// as they have to wait for input; requests already buffered are returned
// first. It is how a server stops a client between commands (shutdown,
// CLIENT KILL). Unlike the other methods it may be called from any goroutine.
func (c *Conn) Interrupt() {
	c.interrupted.Store(true)
	c.nc.SetReadDeadline(time.Unix(1, 0)) // an error means the conn is closed: nothing waits
}

// IsTimeout reports whether err is a timeout, such as the idle timeout.
func IsTimeout(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded)
}
