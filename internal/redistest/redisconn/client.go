// Package redisconn is a small Redis client for tests that ask a real
// redis-server (started with redistest.Start) what the reference answers.
//
// It lives apart from package redistest because it is built on packages
// frame and connection, whose own tests import redistest: redistest itself
// must not import them.
//
// Every method ends the test with tb.Fatalf when the network fails, so it
// must be called from the test's goroutine.
package redisconn

import (
	"net"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/connection"
	"github.com/mini-redis/mini-redis/frame"
)

// Timeout bounds each network operation of a Conn: dialing, writing a
// command or a pipeline, and waiting for one reply. A reference server on
// loopback answers in far less; the bound only turns a hang into a failure.
const Timeout = 10 * time.Second

// A Conn is a connection to a Redis server, owned by one test.
type Conn struct {
	tb   testing.TB
	conn *connection.Conn
}

// Dial connects to the Redis server at addr. The connection is closed when
// the test ends.
func Dial(tb testing.TB, addr string) *Conn {
	tb.Helper()
	nc, err := net.DialTimeout("tcp", addr, Timeout)
	if err != nil {
		tb.Fatalf("dial redis at %s: %v", addr, err)
	}
	c := &Conn{tb: tb, conn: connection.New(nc, connection.Options{})}
	tb.Cleanup(func() { c.conn.Close() })
	return c
}

// NetConn returns the network connection, for tests that read or close it
// directly.
func (c *Conn) NetConn() net.Conn { return c.conn.NetConn() }

// Send writes one command without waiting for its reply. Read returns the
// replies of sent commands in order.
func (c *Conn) Send(args ...string) {
	c.tb.Helper()
	c.conn.NetConn().SetWriteDeadline(time.Now().Add(Timeout))
	c.conn.WriteCommand(byteArgs(args)...)
	if err := c.conn.Flush(); err != nil {
		c.tb.Fatalf("send %q: %v", args, err)
	}
}

// Read returns the next frame from the server: the reply to the oldest
// command sent and not yet answered, or a message pushed to a subscriber.
// An error reply is returned like any other frame.
func (c *Conn) Read() frame.Frame {
	c.tb.Helper()
	f, err := c.read()
	if err != nil {
		c.tb.Fatalf("read from redis: %v", err)
	}
	return f
}

// Do sends one command and returns its reply. An error reply ends the test;
// use Send and Read to look at one.
func (c *Conn) Do(args ...string) frame.Frame {
	c.tb.Helper()
	c.Send(args...)
	f, err := c.read()
	if err != nil {
		c.tb.Fatalf("reply to %q: %v", args, err)
	}
	if f.Type == frame.Error {
		c.tb.Fatalf("%q: %s", args, f.Str)
	}
	return f
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
		out = frame.AppendCommand(out, byteArgs(cmd)...)
	}
	// Send flushes every command, so the connection's own output buffer is
	// empty and ReadFrame never writes: the goroutine is the only writer.
	nc := c.conn.NetConn()
	nc.SetWriteDeadline(time.Now().Add(Timeout))
	written := make(chan error, 1) // buffered: the writer never waits for us
	go func() {
		_, err := nc.Write(out)
		written <- err
	}()
	replies := make([]frame.Frame, len(cmds))
	for i, cmd := range cmds {
		// On failure the test's cleanup closes the connection, which
		// ends a write still in progress.
		f, err := c.read()
		if err != nil {
			c.tb.Fatalf("reply to %q (command %d of %d in a pipeline): %v", cmd, i+1, len(cmds), err)
		}
		if f.Type == frame.Error {
			c.tb.Fatalf("%q: %s", cmd, f.Str)
		}
		replies[i] = f
	}
	if err := <-written; err != nil {
		c.tb.Fatalf("write a pipeline of %d commands: %v", len(cmds), err)
	}
	return replies
}

// read waits at most Timeout for the next frame and returns a copy of it:
// ReadFrame's payloads alias the connection's buffer.
func (c *Conn) read() (frame.Frame, error) {
	c.conn.NetConn().SetReadDeadline(time.Now().Add(Timeout))
	f, err := c.conn.ReadFrame()
	if err != nil {
		return frame.Frame{}, err
	}
	return f.Clone(), nil
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

func byteArgs(args []string) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = []byte(a)
	}
	return out
}
