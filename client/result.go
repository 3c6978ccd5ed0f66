package client

import (
	"context"
	"errors"
	"time"

	"github.com/mini-redis/mini-redis/frame"
)

// A Result is the typed result of one command of Commands: its value and
// error. A command sent at once (through a Pool or a Buffered client) has
// its Result ready on return; one queued in a Pipeline or a transaction
// has it filled in by Exec, and until then Err returns ErrPending.
type Result[T any] struct {
	cmd    string
	decode func(cmd string, f frame.Frame, err error) (T, error)
	// copies reports that decode copies what it keeps of f, so f may
	// alias the connection's read buffer.
	copies bool
	done   bool
	val    T
	err    error
}

// ErrPending is the error of a Result whose command is queued but not yet
// sent: see Pipeline.Exec.
var ErrPending = errors.New("client: result not ready: the command has not been sent")

// The Results of Commands, by the type of their value.
type (
	// StatusResult is the result of a command that replies +OK.
	StatusResult = Result[string]
	// StringResult is the result of a command that replies with a string,
	// or a nil (Nil).
	StringResult = Result[[]byte]
	// IntResult is the result of a command that replies with an integer.
	IntResult = Result[int64]
	// FloatResult is the result of a command that replies with a double.
	FloatResult = Result[float64]
	// BoolResult is the result of a command that replies 0 or 1.
	BoolResult = Result[bool]
	// StringsResult is the result of a command that replies with an array
	// of strings.
	StringsResult = Result[[]string]
	// FrameResult is the undecoded reply of a command given as arguments,
	// as Pipeline.Do queues it.
	FrameResult = Result[frame.Frame]
)

func newResult[T any](cmd string, decode func(string, frame.Frame, error) (T, error), copies bool) *Result[T] {
	return &Result[T]{cmd: cmd, decode: decode, copies: copies}
}

// Val returns the value, or its zero value if Err is not nil.
func (r *Result[T]) Val() T { return r.val }

// Err returns the command's error: an Error for an error reply, Nil for a
// nil reply where a value was wanted, ErrPending before the command was
// sent, or why sending it failed.
func (r *Result[T]) Err() error {
	if !r.done {
		return ErrPending
	}
	return r.err
}

// Result returns Val and Err.
func (r *Result[T]) Result() (T, error) { return r.val, r.Err() }

// setReply decodes the reply f, whose payloads may alias the connection's
// read buffer and are valid only during the call, or records err.
func (r *Result[T]) setReply(f frame.Frame, err error) {
	r.done = true
	if err == nil && f.IsError() {
		err = Error(f.Str) // the conversion copies
	}
	if err == nil && !r.copies {
		f = f.Clone()
	}
	r.val, r.err = r.decode(r.cmd, f, err)
}

// A reply receives the reply of one command: a *Result.
type reply interface {
	setReply(f frame.Frame, err error)
}

// A sender sends an encoded command for Commands (those of a Pool or a
// Buffered client), handing its reply to r before it returns. block is
// how long a blocking command may wait for its reply, as for
// callBlocking.
type sender interface {
	sendEncoded(ctx context.Context, r reply, block time.Duration, cmd []byte)
}

// Commands are the typed command methods, written once for every way of
// sending a command: a Pipeline and a transaction (Tx.Queued) queue the
// command and fill in its Result at Exec; Client, Pool and Buffered send
// it at once, and their methods of the same names (see Immediate) return
// the Result's value and error.
type Commands struct {
	// Exactly one way is set. The common ones are concrete, not a
	// sender, so that the arguments of a command need not escape to the
	// heap.
	q      *queue  // queue the command
	c      *Client // send it at once on c
	locked bool    // c.mu is already held (a Tx's reads)
	s      sender  // encode it and send it through s
}

// send sends args, a command whose reply goes to r.
func (c Commands) send(ctx context.Context, r reply, block time.Duration, args []any) {
	switch {
	case c.q != nil:
		c.q.add(r, args)
	case c.locked:
		c.c.sendLocked(ctx, r, block, args)
	case c.c != nil:
		c.c.send(ctx, r, block, args)
	default:
		cmd, err := appendCommand(nil, args)
		if err != nil {
			r.setReply(frame.Frame{}, err)
			return
		}
		c.s.sendEncoded(ctx, r, block, cmd)
	}
}

// fail gives r err, for a command that cannot be sent as its arguments
// stand: in a Pipeline or a transaction, as for one that cannot be
// encoded, the next Exec fails too and nothing is sent.
func fail[T any](c Commands, r *Result[T], err error) *Result[T] {
	if c.q != nil {
		c.q.fail(r, err)
	} else {
		r.setReply(frame.Frame{}, err)
	}
	return r
}

// run sends args for r and returns r.
func run[T any](ctx context.Context, c Commands, r *Result[T], args ...any) *Result[T] {
	c.send(ctx, r, 0, args)
	return r
}

// runBlocking is run for a blocking command, which may wait up to block
// for its reply.
func runBlocking[T any](ctx context.Context, c Commands, block time.Duration, r *Result[T], args ...any) *Result[T] {
	c.send(ctx, r, block, args)
	return r
}

// Immediate are the typed command methods of the connections that send a
// command at once (Client, Pool, Buffered, and Tx for reads before the
// transaction): each returns the value and error of the Result of the
// Commands method of the same name.
type Immediate struct {
	cmds Commands
}

// frameReply is the decoder of FrameResult: the reply itself.
func frameReply(_ string, f frame.Frame, err error) (frame.Frame, error) {
	if err != nil {
		return frame.Frame{}, err
	}
	return f, nil
}
