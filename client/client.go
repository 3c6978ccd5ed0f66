// Package client is a small Go client for Redis-protocol servers such as
// mini-redis: one connection, commands sent one at a time or pipelined.
//
//	c, err := client.Dial(ctx, "127.0.0.1:6379")
//	...
//	err = c.Set(ctx, "greeting", "hello", 0) // no expiry
//	v, err := c.Get(ctx, "greeting") // []byte("hello")
package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/mini-redis/mini-redis/connection"
	"github.com/mini-redis/mini-redis/frame"
)

// ErrNil is returned by Get and friends when the key does not exist.
var ErrNil = errors.New("client: nil reply")

// ErrClosed is returned after Close, or once a canceled call has left the
// connection in an unknown state.
var ErrClosed = errors.New("client: connection closed")

// An Error is an error reply from the server, such as
// "ERR syntax error" or "WRONGTYPE Operation against ...".
type Error string

func (e Error) Error() string { return string(e) }

// A Client is a connection to a server. It is safe for concurrent use;
// calls are serialised.
type Client struct {
	mu     sync.Mutex
	conn   *connection.Conn
	broken error
}

// Dial connects to the server at addr ("host:port").
func Dial(ctx context.Context, addr string) (*Client, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("client: dial %s: %w", addr, err)
	}
	return &Client{conn: connection.New(nc, connection.Options{})}, nil
}

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

// Do sends one command and returns its reply. An error reply is returned as
// a frame, not as an error; use Frame.IsError, or the typed methods.
func (c *Client) Do(ctx context.Context, args ...string) (frame.Frame, error) {
	replies, err := c.Pipeline(ctx, [][]string{args})
	if err != nil {
		return frame.Frame{}, err
	}
	return replies[0], nil
}

// errEmptyCommand refuses a command without arguments: the server skips
// it without a reply, so waiting for one would never end.
var errEmptyCommand = errors.New("client: empty command")

// Pipeline sends all commands in one write and returns their replies in
// order. If a command is empty, nothing is sent.
func (c *Client) Pipeline(ctx context.Context, cmds [][]string) ([]frame.Frame, error) {
	var out []byte
	for _, cmd := range cmds {
		if len(cmd) == 0 {
			return nil, errEmptyCommand
		}
		out = frame.AppendArrayLen(out, len(cmd))
		for _, a := range cmd {
			out = frame.AppendBulkString(out, a)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken != nil {
		return nil, c.broken
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	nc := c.conn.NetConn()
	dl, hasDeadline := ctx.Deadline()
	if hasDeadline {
		nc.SetDeadline(dl)
	}
	// Cancellation interrupts the network I/O with a deadline in the past,
	// which ctx's own deadline, set above, must not replace; the connection
	// is then in an unknown state (a reply may be half read) and is not
	// used again. If ctx ends only after the last reply, the call has
	// succeeded: the past deadline, set by another goroutine, is awaited
	// and then cleared, so that it cannot fail the next call.
	interrupted := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		nc.SetDeadline(time.Unix(1, 0))
		close(interrupted)
	})
	defer func() {
		canceled := !stop()
		if canceled {
			<-interrupted
		}
		if hasDeadline || canceled {
			nc.SetDeadline(time.Time{})
		}
	}()

	// Another goroutine writes the commands while this one reads the
	// replies. Written first, a long pipeline fills the socket buffers both
	// ways against a server that stops reading while its replies wait to be
	// read, as mini-redis does: each side would wait for the other forever.
	// The connection's own output buffer stays empty, so ReadFrame never
	// writes: the goroutine is the only writer.
	written := make(chan error, 1)
	go func() {
		_, err := nc.Write(out)
		if err != nil {
			nc.Close() // no reply comes for a command not sent: wake the reader
		}
		written <- err
	}()
	replies := make([]frame.Frame, 0, len(cmds))
	var err error
	for range cmds {
		var f frame.Frame
		if f, err = c.conn.ReadFrame(); err != nil {
			nc.Close() // end a write still in progress
			break
		}
		replies = append(replies, f.Clone())
	}
	if werr := <-written; werr != nil && errors.Is(err, net.ErrClosed) {
		err = werr // the write failed first, and closed the connection
	}
	if err != nil {
		switch {
		case ctx.Err() != nil:
			err = ctx.Err()
		case hasDeadline && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(dl):
			// The connection's deadline, which is ctx's, fired before
			// ctx's own timer did.
			err = context.DeadlineExceeded
		}
		c.broken = ErrClosed
		c.conn.Close()
		return nil, fmt.Errorf("client: %w", err)
	}
	return replies, nil
}

// do runs a command and turns an error reply into an Error.
func (c *Client) do(ctx context.Context, args ...string) (frame.Frame, error) {
	f, err := c.Do(ctx, args...)
	if err != nil {
		return f, err
	}
	if f.IsError() {
		return f, Error(f.Str)
	}
	return f, nil
}

// Ping checks that the server answers.
func (c *Client) Ping(ctx context.Context) error {
	f, err := c.do(ctx, "PING")
	if err != nil {
		return err
	}
	if f.Type != frame.SimpleString || f.Text() != "PONG" {
		return fmt.Errorf("client: unexpected PING reply %v", f)
	}
	return nil
}

// Get returns the value of key, or ErrNil if it does not exist.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	f, err := c.do(ctx, "GET", key)
	if err != nil {
		return nil, err
	}
	if f.IsNull() {
		return nil, ErrNil
	}
	if f.Type != frame.BulkString {
		return nil, fmt.Errorf("client: unexpected GET reply %v", f)
	}
	return f.Str, nil
}

// Set stores value under key. A positive ttl makes the key expire after it,
// with millisecond precision.
func (c *Client) Set(ctx context.Context, key, value string, ttl time.Duration) error {
	args := []string{"SET", key, value}
	if ttl > 0 {
		args = append(args, "PX", strconv.FormatInt(ttl.Milliseconds(), 10))
	}
	_, err := c.do(ctx, args...)
	return err
}

// Del deletes keys and returns how many existed.
func (c *Client) Del(ctx context.Context, keys ...string) (int64, error) {
	f, err := c.do(ctx, append([]string{"DEL"}, keys...)...)
	if err != nil {
		return 0, err
	}
	if f.Type != frame.Integer {
		return 0, fmt.Errorf("client: unexpected DEL reply %v", f)
	}
	return f.Int, nil
}
