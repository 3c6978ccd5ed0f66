// Package redisconn is the RESP client of the tests: it talks to a real
// redis-server (started with redistest.Start) and to mini-redis alike.
//
// It offers replies both parsed, as frames, and as the bytes the server
// sent, for tests that compare two servers byte for byte; raw writes, for
// tests of malformed requests; pipelines; pushed messages, which Read
// returns like replies; RESP3, after Hello; and the end of a connection,
// which Receive and ReadUntilClose report.
//
// It lives apart from package redistest because it is built on package
// frame, whose own tests import redistest: redistest itself must not
// import it.
//
// The methods that return no error end the test with tb.Fatalf when the
// network fails, so they must be called from the test's goroutine.
package redisconn

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/frame"
)

// Timeout bounds each network operation of a Conn that takes no timeout
// of its own: dialing, writing a command or a pipeline, waiting for one
// reply, or for the server to close the connection. Servers on loopback
// answer in far less; the bound only turns a hang into a failure, and is
// generous because CI runs race-enabled tests of several packages at once
// on a small machine.
const Timeout = 30 * time.Second

// readSize is the least room a read from the network is given.
const readSize = 64 << 10

// A Conn is a connection to a Redis server, owned by one test.
type Conn struct {
	tb testing.TB
	nc net.Conn
	// in holds the bytes received and not yet returned. Frames and raw
	// replies returned alias the bytes before it, which nothing writes
	// again: reads go to the free capacity after in, or to a new buffer.
	in []byte
	p  frame.Parser
}

// Dial connects to the Redis server at addr. The connection is closed when
// the test ends.
func Dial(tb testing.TB, addr string) *Conn {
	tb.Helper()
	nc, err := net.DialTimeout("tcp", addr, Timeout)
	if err != nil {
		tb.Fatalf("dial redis at %s: %v", addr, err)
	}
	return New(tb, nc)
}

// New returns a Conn on nc, a connection already made: one end of
// net.Pipe, say, for a server served in-process. It closes nc when the
// test ends.
func New(tb testing.TB, nc net.Conn) *Conn {
	tb.Cleanup(func() { nc.Close() })
	return &Conn{tb: tb, nc: nc}
}

// NetConn returns the network connection, for tests that close it or
// write to it from another goroutine.
func (c *Conn) NetConn() net.Conn { return c.nc }

// Write writes p, raw, within Timeout. Unlike SendRaw it returns the
// error, for tests in which the server may have closed the connection.
func (c *Conn) Write(p []byte) (int, error) {
	c.nc.SetWriteDeadline(time.Now().Add(Timeout))
	return c.nc.Write(p)
}

// SendRaw writes b as it is, which need not be a well-formed request.
func (c *Conn) SendRaw(b []byte) {
	c.tb.Helper()
	if _, err := c.Write(b); err != nil {
		c.tb.Fatalf("send %q: %v", clip(b), err)
	}
}

// Send writes one command without waiting for its reply. Read returns the
// replies of sent commands in order.
func (c *Conn) Send(args ...string) {
	c.tb.Helper()
	if _, err := c.Write(appendCommand(nil, args)); err != nil {
		c.tb.Fatalf("send %q: %v", args, err)
	}
}

// Receive waits at most timeout for the next frame and returns it with its
// bytes exactly as the server sent them. The frame's payloads share memory
// with raw; neither is written to again.
//
// When no frame comes, it returns io.EOF if the server closed the
// connection before sending another, io.ErrUnexpectedEOF if it closed in
// the middle of one, the parser's error if the bytes are not RESP, and the
// network's error otherwise: errors.Is(err, os.ErrDeadlineExceeded) if
// the time ran out. Pending returns the bytes of a frame cut short, which
// a later call continues.
func (c *Conn) Receive(timeout time.Duration) (f frame.Frame, raw []byte, err error) {
	c.nc.SetReadDeadline(time.Now().Add(timeout))
	for {
		if len(c.in) > 0 {
			f, n, err := c.p.Parse(c.in)
			if err == nil {
				raw, c.in = c.in[:n:n], c.in[n:]
				return f, raw, nil
			}
			if !errors.Is(err, frame.ErrIncomplete) {
				return frame.Frame{}, nil, err
			}
		}
		if err := c.fill(); err != nil {
			if errors.Is(err, io.EOF) && len(c.in) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return frame.Frame{}, nil, err
		}
	}
}

// Pending returns the bytes received and not yet returned: the start of a
// frame that has not arrived whole.
func (c *Conn) Pending() []byte { return c.in }

// fill reads what the network has, at least one byte, after the bytes in
// c.in, which it moves to a new buffer when the one they are in is full:
// the bytes before them may be in use by the caller.
func (c *Conn) fill() error {
	if cap(c.in)-len(c.in) < readSize {
		grown := make([]byte, len(c.in), max(2*len(c.in), readSize))
		copy(grown, c.in)
		c.in = grown
	}
	n, err := c.nc.Read(c.in[len(c.in):cap(c.in)])
	c.in = c.in[:len(c.in)+n]
	if n > 0 {
		return nil // the error, if any, comes again with the next read
	}
	return err
}

// Read returns the next frame from the server: the reply to the oldest
// command sent and not yet answered, or a message pushed to a subscriber.
// An error reply is returned like any other frame.
func (c *Conn) Read() frame.Frame {
	c.tb.Helper()
	f, _ := c.read("read from redis")
	return f
}

// ReadRaw is Read returning the frame's bytes exactly as the server sent
// them, for comparison byte for byte.
func (c *Conn) ReadRaw() []byte {
	c.tb.Helper()
	_, raw := c.read("read from redis")
	return raw
}

// read waits at most Timeout for the next frame; what says what was read
// if it fails.
func (c *Conn) read(what string) (frame.Frame, []byte) {
	c.tb.Helper()
	f, raw, err := c.Receive(Timeout)
	if err != nil {
		c.tb.Fatalf("%s: %v (received of the next frame: %q)", what, err, clip(c.in))
	}
	return f, raw
}

// ReadUntilClose returns everything the server sends until it closes the
// connection, waiting at most Timeout in all, from the bytes received and
// not yet returned on. The error is nil if the server closed the
// connection cleanly; otherwise it is the one that ended the reading, such
// as a reset or the time running out.
func (c *Conn) ReadUntilClose() ([]byte, error) {
	c.nc.SetReadDeadline(time.Now().Add(Timeout))
	for {
		if err := c.fill(); err != nil {
			out := c.in
			c.in = nil
			c.p.Reset()
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return out, err
		}
	}
}

// Do sends one command and returns its reply. An error reply ends the test;
// use DoRaw, or Send and Read, to look at one.
func (c *Conn) Do(args ...string) frame.Frame {
	c.tb.Helper()
	c.Send(args...)
	f, _ := c.read(fmt.Sprintf("reply to %q", args))
	if f.IsError() {
		c.tb.Fatalf("%q: %s", args, f.Str)
	}
	return f
}

// DoRaw sends one command and returns its reply, whatever it is, exactly
// as the server sent it.
func (c *Conn) DoRaw(args ...string) []byte {
	c.tb.Helper()
	c.Send(args...)
	_, raw := c.read(fmt.Sprintf("reply to %q", args))
	return raw
}

// Hello switches the connection to protocol version proto (2 or 3) with
// HELLO and returns the server's reply, which describes it.
func (c *Conn) Hello(proto int) frame.Frame {
	c.tb.Helper()
	return c.Do("HELLO", strconv.Itoa(proto))
}

// Pipeline sends every command at once and returns their replies in order.
// An error reply ends the test, as in Do.
//
// The commands are written by another goroutine while this one reads the
// replies: written first, a long pipeline could fill the socket buffers
// both ways and leave client and server each waiting for the other.
func (c *Conn) Pipeline(cmds [][]string) []frame.Frame {
	c.tb.Helper()
	var out []byte
	for _, cmd := range cmds {
		out = appendCommand(out, cmd)
	}
	written := make(chan error, 1) // buffered: the writer never waits for us
	go func() {
		_, err := c.Write(out)
		written <- err
	}()
	replies := make([]frame.Frame, len(cmds))
	for i, cmd := range cmds {
		// On failure the test's cleanup closes the connection, which
		// ends a write still in progress.
		f, _ := c.read(fmt.Sprintf("reply to %q (command %d of %d in a pipeline)", cmd, i+1, len(cmds)))
		if f.IsError() {
			c.tb.Fatalf("%q: %s", cmd, f.Str)
		}
		replies[i] = f
	}
	if err := <-written; err != nil {
		c.tb.Fatalf("write a pipeline of %d commands: %v", len(cmds), err)
	}
	return replies
}

// Strings returns the string payload of each element of an aggregate
// reply, such as the keys KEYS lists: "" for elements that have none
// (integers, nulls). It returns an empty slice for other replies.
func Strings(f frame.Frame) []string {
	out := make([]string, len(f.Elems))
	for i, e := range f.Elems {
		out[i] = string(e.Str)
	}
	return out
}

// appendCommand appends args encoded as a RESP request.
func appendCommand(dst []byte, args []string) []byte {
	dst = frame.AppendArrayLen(dst, len(args))
	for _, a := range args {
		dst = frame.AppendBulkString(dst, a)
	}
	return dst
}

// clip shortens b for a failure message: requests and replies may be
// megabytes long.
func clip(b []byte) []byte {
	const max = 200
	if len(b) > max {
		return b[:max]
	}
	return b
}
