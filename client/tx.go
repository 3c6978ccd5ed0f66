package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/mini-redis/mini-redis/frame"
)

// ErrTxFailed is Watch's error when EXEC did not run the transaction
// because a watched key changed.
var ErrTxFailed = errors.New("client: transaction failed: a watched key changed")

// A Tx is a MULTI/EXEC transaction being built by the function given to
// Watch. It holds the Client's connection: the function must use the Tx,
// not the Client, which would wait for the Tx to finish.
type Tx struct {
	c      *Client
	ctx    context.Context
	queued [][]any
}

// Do runs a command at once, outside the transaction, such as a GET of a
// watched key whose value decides what to queue.
func (tx *Tx) Do(ctx context.Context, args ...any) (frame.Frame, error) {
	replies, err := tx.c.roundTripLocked(ctx, [][]any{args}, 0)
	if err != nil {
		return frame.Frame{}, err
	}
	return replies[0], nil
}

// Get is Client.Get inside a Tx.
func (tx *Tx) Get(ctx context.Context, key string) ([]byte, error) {
	f, err := tx.Do(ctx, "GET", key)
	if err == nil && f.IsError() {
		err = Error(f.Str)
	}
	return bytesReply("GET", f, err)
}

// Queue adds a command to the transaction, to run at EXEC.
func (tx *Tx) Queue(args ...any) { tx.queued = append(tx.queued, args) }

// Watch runs a transaction: it WATCHes keys (if any), calls fn, which
// reads with tx.Do and queues commands with tx.Queue, and then sends
// MULTI, the queued commands and EXEC in one write. It returns the
// replies of the queued commands (an error reply of one is a frame there;
// the others still ran), ErrTxFailed if a watched key changed, an Error if
// the server refused the transaction (EXECABORT), or fn's error, after
// which nothing was queued and the keys are unwatched.
func (c *Client) Watch(ctx context.Context, fn func(tx *Tx) error, keys ...string) ([]frame.Frame, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(keys) > 0 {
		replies, err := c.roundTripLocked(ctx, [][]any{withKeys("WATCH", keys)}, 0)
		if err != nil {
			return nil, err
		}
		if replies[0].IsError() {
			return nil, Error(replies[0].Str)
		}
	}
	tx := &Tx{c: c, ctx: ctx}
	if err := fn(tx); err != nil {
		if len(keys) > 0 {
			c.roundTripLocked(ctx, [][]any{{"UNWATCH"}}, 0)
		}
		return nil, err
	}
	cmds := make([][]any, 0, len(tx.queued)+2)
	cmds = append(cmds, []any{"MULTI"})
	cmds = append(cmds, tx.queued...)
	cmds = append(cmds, []any{"EXEC"})
	replies, err := c.roundTripLocked(ctx, cmds, 0)
	if err != nil {
		return nil, err
	}
	if r := replies[0]; r.IsError() {
		return nil, Error(r.Str) // MULTI inside MULTI, say
	}
	exec := replies[len(replies)-1]
	switch {
	case exec.IsError():
		return nil, Error(exec.Str)
	case exec.IsNull():
		return nil, ErrTxFailed
	case exec.Type != frame.Array || len(exec.Elems) != len(tx.queued):
		return nil, fmt.Errorf("client: unexpected EXEC reply %v", exec)
	}
	return exec.Elems, nil
}

// Multi runs the queued commands of fn in a transaction without watching
// keys: Watch with no keys.
func (c *Client) Multi(ctx context.Context, fn func(tx *Tx) error) ([]frame.Frame, error) {
	return c.Watch(ctx, fn)
}
