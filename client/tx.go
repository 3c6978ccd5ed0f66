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
// not the Client, which would wait for the Tx to finish. Its typed methods
// (those of Immediate: tx.Get, ...) and Do run at once, outside the
// transaction, as reads of watched keys; Queued's methods and Queue add
// commands to the transaction.
type Tx struct {
	// Immediate has the typed methods that run at once.
	Immediate

	c     *Client
	queue queue
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

// Queued returns the typed methods that add their command to the
// transaction; their Results are filled in when it has run (or failed):
//
//	n := tx.Queued().Incr(ctx, "counter")
//	...
//	// after Watch: n.Val()
func (tx *Tx) Queued() Commands { return Commands{q: &tx.queue} }

// Queue adds a command, given as arguments as to Client.Do, to the
// transaction, to run at EXEC. Its Result is the reply frame, an error
// reply being an Error.
func (tx *Tx) Queue(args ...any) *FrameResult {
	r := newResult("", frameReply, false)
	tx.queue.add(r, args)
	return r
}

var (
	multiCommand = []byte("*1\r\n$5\r\nMULTI\r\n")
	execCommand  = []byte("*1\r\n$4\r\nEXEC\r\n")
)

// Watch runs a transaction: it WATCHes keys (if any), calls fn, which
// reads with tx's immediate methods and queues commands with tx.Queue and
// tx.Queued, and then sends MULTI, the queued commands and EXEC in one
// write. It returns the replies of the queued commands (an error reply of
// one is a frame there, and an Error in its Result; the others still
// ran), ErrTxFailed if a watched key changed, an Error if the server
// refused the transaction (EXECABORT), or fn's error, after which nothing
// was queued and the keys are unwatched. When the transaction did not
// run, every queued command's Result has the error.
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
	tx := &Tx{c: c}
	tx.Immediate = Immediate{cmds: Commands{c: c, locked: true}}
	if err := fn(tx); err != nil {
		_, results, _ := tx.queue.take()
		failReplies(results, err)
		if len(keys) > 0 {
			c.roundTripLocked(ctx, [][]any{{"UNWATCH"}}, 0)
		}
		return nil, err
	}
	queued, results, err := tx.queue.take()
	if err != nil {
		failReplies(results, err)
		if len(keys) > 0 {
			c.roundTripLocked(ctx, [][]any{{"UNWATCH"}}, 0)
		}
		return nil, err
	}
	out := make([]byte, 0, len(multiCommand)+len(queued)+len(execCommand))
	out = append(append(append(out, multiCommand...), queued...), execCommand...)
	var (
		execErr  error
		replies  []frame.Frame
		queueErr = make([]error, len(results)) // a command refused when queued
	)
	last := len(results) + 1
	err = c.exchange(ctx, out, last+1, 0, func(i int, f frame.Frame) {
		switch {
		case i == 0:
			if f.IsError() {
				execErr = Error(f.Str) // MULTI inside MULTI, say
			}
		case i < last:
			if f.IsError() {
				queueErr[i-1] = Error(f.Str)
			}
		case execErr != nil:
		case f.IsError():
			execErr = Error(f.Str)
		case f.IsNull():
			execErr = ErrTxFailed
		case f.Type != frame.Array || len(f.Elems) != len(results):
			execErr = fmt.Errorf("client: unexpected EXEC reply %v", f)
		default:
			replies = make([]frame.Frame, len(f.Elems))
			for j, e := range f.Elems {
				results[j].setReply(e, nil)
				replies[j] = e.Clone()
			}
		}
	})
	if err == nil {
		err = execErr
	}
	if err != nil {
		for i, r := range results {
			if queueErr[i] != nil {
				r.setReply(frame.Frame{}, queueErr[i])
			} else {
				r.setReply(frame.Frame{}, err)
			}
		}
		return nil, err
	}
	return replies, nil
}

// Multi runs the queued commands of fn in a transaction without watching
// keys: Watch with no keys.
func (c *Client) Multi(ctx context.Context, fn func(tx *Tx) error) ([]frame.Frame, error) {
	return c.Watch(ctx, fn)
}
