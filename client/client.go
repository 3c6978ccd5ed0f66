// Package client is a Go client for Redis-protocol servers such as
// mini-redis.
//
// A Client is one connection; its calls are serialised, and Pipeline sends
// many commands in one write. A Pool shares a few connections among many
// goroutines, and a Buffered client shares one connection among many
// goroutines by pipelining their calls. Subscribe starts a pub/sub
// Subscription, over RESP2 or RESP3.
//
// The typed command methods are written once, in Commands, whose methods
// return a typed *Result: a Pipeline and a transaction (Tx.Queued) queue
// commands and fill in their Results when they are sent; Client, Pool,
// Buffered and a Tx's reads embed Immediate, whose methods of the same
// names return the value and the error at once.
//
//	p := c.Pipeline()
//	n := p.Incr(ctx, "hits")
//	err = p.Flush(ctx)
//	hits, err := n.Result()
//
//	c, err := client.Dial(ctx, "127.0.0.1:6379", client.WithProtocol(3))
//	...
//	err = c.Set(ctx, "greeting", "hello", nil)
//	v, err := c.Get(ctx, "greeting") // "hello"
//	_, err = c.Get(ctx, "missing")   // client.Nil
//
// Every call takes a context.Context: its cancellation or deadline ends
// the call, and, since a reply may then be half read, closes the
// connection (later calls return ErrClosed).
package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mini-redis/mini-redis/connection"
	"github.com/mini-redis/mini-redis/frame"
)

// Nil is the error of the typed methods when the server replies with a
// nil: a missing key, an empty list, a BLPOP that timed out.
var Nil = errors.New("client: nil reply")

// ErrNil is the former name of Nil.
//
// Deprecated: use Nil.
var ErrNil = Nil

// ErrClosed is returned after Close, or once a canceled or failed call has
// left the connection in an unknown state.
var ErrClosed = errors.New("client: connection closed")

// An Error is an error reply from the server, such as
// "ERR syntax error" or "WRONGTYPE Operation against a key holding the
// wrong kind of value".
type Error string

// Error returns the reply's text.
func (e Error) Error() string { return string(e) }

// Prefix returns the error code, the reply's first word, such as "ERR",
// "WRONGTYPE", "NOSCRIPT" or "MOVED".
func (e Error) Prefix() string {
	s := string(e)
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}

// A Client is a connection to a server. It is safe for concurrent use;
// calls are serialised, one waiting for another.
type Client struct {
	// Immediate has the typed methods: c.Get, c.Set, ...
	Immediate

	addr string
	opts options

	mu     sync.Mutex
	conn   *connection.Conn
	broken error
	out    []byte // the next write, kept to reuse its memory
}

// Dial connects to the server at addr ("host:port", or a path for a Unix
// socket) and sets the connection up as opts ask: protocol, password, user,
// client name, database.
func Dial(ctx context.Context, addr string, opts ...Option) (*Client, error) {
	return dial(ctx, addr, buildOptions(opts))
}

func dial(ctx context.Context, addr string, o options) (*Client, error) {
	if o.dialTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.dialTimeout)
		defer cancel()
	}
	network := "tcp"
	if strings.Contains(addr, "/") {
		network = "unix"
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, fmt.Errorf("client: dial %s: %w", addr, err)
	}
	c := newClient(addr, o, connection.New(nc, connection.Options{}))
	if err := c.handshake(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// newClient returns a Client on conn, not yet set up.
func newClient(addr string, o options, conn *connection.Conn) *Client {
	c := &Client{addr: addr, opts: o, conn: conn}
	c.Immediate = Immediate{cmds: Commands{c: c}}
	return c
}

// handshake sends the commands opts call for, pipelined, and checks their
// replies.
func (c *Client) handshake(ctx context.Context) error {
	o := c.opts
	var cmds [][]any
	switch o.protocol {
	case 2:
		if o.hasPassword {
			if o.user != "" {
				cmds = append(cmds, []any{"AUTH", o.user, o.password})
			} else {
				cmds = append(cmds, []any{"AUTH", o.password})
			}
		}
		if o.name != "" {
			cmds = append(cmds, []any{"CLIENT", "SETNAME", o.name})
		}
	case 3:
		hello := []any{"HELLO", 3}
		if o.hasPassword {
			user := o.user
			if user == "" {
				user = "default"
			}
			hello = append(hello, "AUTH", user, o.password)
		}
		if o.name != "" {
			hello = append(hello, "SETNAME", o.name)
		}
		cmds = append(cmds, hello)
	default:
		return fmt.Errorf("client: protocol version %d, want 2 or 3", o.protocol)
	}
	if o.db != 0 {
		cmds = append(cmds, []any{"SELECT", o.db})
	}
	if len(cmds) == 0 {
		return nil
	}
	replies, err := c.roundTrip(ctx, cmds, 0)
	if err != nil {
		return err
	}
	for i, r := range replies {
		if r.IsError() {
			return fmt.Errorf("client: %s: %w", cmds[i][0], Error(r.Str))
		}
	}
	if o.protocol == 3 {
		c.conn.SetProtocol(frame.RESP3)
	}
	return nil
}

// Addr returns the address the client was dialled with.
func (c *Client) Addr() string { return c.addr }

// Protocol returns the protocol version in use, 2 or 3.
func (c *Client) Protocol() int { return c.opts.protocol }

// Close closes the connection.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken == ErrClosed {
		return nil
	}
	c.broken = ErrClosed
	return c.conn.Close()
}

// Do sends one command and returns its reply. Each argument is a string, a
// []byte, an integer, a float or a bool. An error reply is returned as a
// frame, not as an error: see Frame.IsError, or use the typed methods,
// which return an Error.
func (c *Client) Do(ctx context.Context, args ...any) (frame.Frame, error) {
	replies, err := c.roundTrip(ctx, [][]any{args}, 0)
	if err != nil {
		return frame.Frame{}, err
	}
	return replies[0], nil
}

// errEmptyCommand refuses a command without arguments: the server skips
// it without a reply, so waiting for one would never end.
var errEmptyCommand = errors.New("client: empty command")

// roundTrip sends cmds in one write and reads their replies. extra
// extends the read timeout, for blocking commands; a negative extra (a
// command that blocks for ever) lifts it.
func (c *Client) roundTrip(ctx context.Context, cmds [][]any, extra time.Duration) ([]frame.Frame, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.roundTripLocked(ctx, cmds, extra)
}

// roundTripLocked is roundTrip with c.mu held.
func (c *Client) roundTripLocked(ctx context.Context, cmds [][]any, extra time.Duration) ([]frame.Frame, error) {
	out := c.out[:0]
	for _, cmd := range cmds {
		var err error
		if out, err = appendCommand(out, cmd); err != nil {
			return nil, err
		}
	}
	c.out = out
	if cap(c.out) > 64<<10 {
		c.out = nil // do not keep a huge pipeline's buffer
	}
	replies := make([]frame.Frame, 0, len(cmds))
	err := c.exchange(ctx, out, len(cmds), extra, func(_ int, f frame.Frame) {
		replies = append(replies, f.Clone())
	})
	if err != nil {
		return nil, err
	}
	return replies, nil
}

// send sends one command of Commands and hands its reply to r.
func (c *Client) send(ctx context.Context, r reply, block time.Duration, args []any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sendLocked(ctx, r, block, args)
}

// sendLocked is send with c.mu held.
func (c *Client) sendLocked(ctx context.Context, r reply, block time.Duration, args []any) {
	out, err := appendCommand(c.out[:0], args)
	if err != nil {
		r.setReply(frame.Frame{}, err)
		return
	}
	c.out = out
	if cap(c.out) > 64<<10 {
		c.out = nil
	}
	c.sendEncodedLocked(ctx, r, block, out)
}

// sendEncoded sends cmd, one encoded command, and hands its reply to r.
func (c *Client) sendEncoded(ctx context.Context, r reply, block time.Duration, cmd []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sendEncodedLocked(ctx, r, block, cmd)
}

// sendEncodedLocked is sendEncoded with c.mu held.
func (c *Client) sendEncodedLocked(ctx context.Context, r reply, block time.Duration, cmd []byte) {
	got := false
	err := c.exchange(ctx, cmd, 1, block, func(_ int, f frame.Frame) {
		got = true
		r.setReply(f, nil)
	})
	if !got {
		r.setReply(frame.Frame{}, err)
	}
}

// exchange writes out and reads n replies, handing each to got with its
// payloads aliasing the read buffer, valid only during the call; c.mu is
// held. An error means that fewer than n replies were handed over.
func (c *Client) exchange(ctx context.Context, out []byte, n int, extra time.Duration, got func(i int, f frame.Frame)) error {
	if c.broken != nil {
		return c.broken
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	nc := c.conn.NetConn()
	dl, hasDeadline := ctx.Deadline()
	if t := c.opts.readTimeout; t > 0 && extra >= 0 {
		if own := time.Now().Add(t + extra); !hasDeadline || own.Before(dl) {
			dl, hasDeadline = own, true
		}
	}
	if hasDeadline {
		nc.SetReadDeadline(dl)
	}
	if t := c.opts.writeTimeout; t > 0 {
		nc.SetWriteDeadline(time.Now().Add(t))
	} else if hasDeadline {
		nc.SetWriteDeadline(dl)
	}
	// Cancellation interrupts the network I/O with a deadline in the past,
	// which the deadlines set above must not replace; the connection is
	// then in an unknown state (a reply may be half read) and is not used
	// again. If ctx ends only after the last reply, the call has
	// succeeded: the past deadline, set by another goroutine, is awaited
	// and then cleared, so that it cannot fail the next call.
	if ctx.Done() != nil { // a context that can never end needs no watch
		interrupted := make(chan struct{})
		stop := context.AfterFunc(ctx, func() {
			nc.SetDeadline(time.Unix(1, 0))
			close(interrupted)
		})
		defer func() {
			if !stop() {
				<-interrupted
				nc.SetDeadline(time.Time{})
			}
		}()
	}
	if hasDeadline || c.opts.writeTimeout > 0 {
		defer nc.SetDeadline(time.Time{})
	}

	var err error
	if len(out) <= smallWrite {
		// A short write fits the socket buffer: no need for a goroutine.
		if _, err = nc.Write(out); err == nil {
			err = c.readReplies(n, got)
		}
	} else {
		err = c.writeWhileReading(nc, out, n, got)
	}
	if err != nil {
		switch {
		case ctx.Err() != nil:
			err = ctx.Err()
		case errors.Is(err, os.ErrDeadlineExceeded) && hasDeadline && !time.Now().Before(dl) && ctxDeadlineIs(ctx, dl):
			// The connection's deadline, which is ctx's, fired before
			// ctx's own timer did.
			err = context.DeadlineExceeded
		}
		c.broken = ErrClosed
		c.conn.Close()
		return fmt.Errorf("client: %w", err)
	}
	return nil
}

// smallWrite is the size up to which a write is made before reading: the
// socket buffers hold it even if the server answers nothing until read.
const smallWrite = 64 << 10

// ctxDeadlineIs reports whether dl is ctx's own deadline, rather than one
// of WithReadTimeout.
func ctxDeadlineIs(ctx context.Context, dl time.Time) bool {
	d, ok := ctx.Deadline()
	return ok && d.Equal(dl)
}

// writeWhileReading writes out from another goroutine while this one reads
// the replies. Written first, a long pipeline fills the socket buffers both
// ways against a server that stops reading while its replies wait to be
// read, as mini-redis does: each side would wait for the other forever.
// The connection's own output buffer stays empty, so ReadFrame never
// writes: the goroutine is the only writer.
func (c *Client) writeWhileReading(nc net.Conn, out []byte, n int, got func(int, frame.Frame)) error {
	written := make(chan error, 1)
	go func() {
		_, err := nc.Write(out)
		if err != nil {
			nc.Close() // no reply comes for a command not sent: wake the reader
		}
		written <- err
	}()
	err := c.readReplies(n, got)
	if err != nil {
		nc.Close() // end a write still in progress
	}
	if werr := <-written; werr != nil && (err == nil || errors.Is(err, net.ErrClosed)) {
		err = werr // the write failed first, and closed the connection
	}
	return err
}

// readReplies reads n replies, handing each to got, skipping RESP3 push frames, which are not
// replies (a Client is not subscribed; CLIENT TRACKING's invalidations,
// for one, are dropped).
func (c *Client) readReplies(n int, got func(int, frame.Frame)) error {
	for i := 0; i < n; {
		f, err := c.conn.ReadFrame()
		if err != nil {
			return err
		}
		if f.Type == frame.Push {
			continue
		}
		got(i, f)
		i++
	}
	return nil
}

// formatMillis formats d as whole milliseconds, at least 1 when d is
// positive, so that a short TTL does not become "no expiry".
func formatMillis(d time.Duration) string {
	ms := d.Milliseconds()
	if ms == 0 && d > 0 {
		ms = 1
	}
	return strconv.FormatInt(ms, 10)
}
