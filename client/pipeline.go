package client

import (
	"context"

	"github.com/mini-redis/mini-redis/frame"
)

// A Pipeline collects commands to send in one write. Its typed methods
// (those of Commands: p.Set, p.Get, ...) and Do queue a command and return
// its Result, which Exec or Flush fill in. It is not safe for concurrent
// use; the Client it runs on is.
//
//	p := c.Pipeline()
//	incr := p.Incr(ctx, "hits")
//	get := p.Get(ctx, "greeting")
//	if err := p.Flush(ctx); err != nil { ... }
//	n, err := incr.Result()
type Pipeline struct {
	// Commands has the typed methods, which queue their command.
	Commands

	c     *Client
	queue queue
}

// A queue is encoded commands awaiting a write, and where each one's reply
// goes.
type queue struct {
	out     []byte
	results []reply
	err     error // the first command that could not be queued
}

// add encodes args and queues r for its reply. A command that cannot be
// encoded fails r at once, and the next Exec.
func (q *queue) add(r reply, args []any) {
	out, err := appendCommand(q.out, args)
	if err != nil {
		q.fail(r, err)
		return
	}
	q.out = out
	q.results = append(q.results, r)
}

// fail gives r err, for a command that cannot be queued, and fails the
// next Exec.
func (q *queue) fail(r reply, err error) {
	r.setReply(frame.Frame{}, err)
	if q.err == nil {
		q.err = err
	}
}

// take returns the queue's contents and empties it, keeping its buffers
// for reuse unless they have grown large.
func (q *queue) take() (out []byte, results []reply, err error) {
	out, results, err = q.out, q.results, q.err
	q.out, q.results, q.err = out[:0], results[:0], nil
	if cap(out) > 1<<20 {
		q.out = nil
	}
	if cap(results) > 1<<14 {
		q.results = nil
	}
	return out, results, err
}

// failReplies gives each of results err.
func failReplies(results []reply, err error) {
	for _, r := range results {
		r.setReply(frame.Frame{}, err)
	}
}

// Pipeline returns an empty pipeline of commands for c.
func (c *Client) Pipeline() *Pipeline {
	p := &Pipeline{c: c}
	p.Commands = Commands{q: &p.queue}
	return p
}

// Do queues a command given as arguments, as those of Client.Do; they are
// encoded at once. Its Result is the reply frame, an error reply being an
// Error.
func (p *Pipeline) Do(args ...any) *FrameResult {
	r := newResult("", frameReply, false)
	p.queue.add(r, args)
	return r
}

// Len returns the number of commands in the pipeline.
func (p *Pipeline) Len() int { return len(p.queue.results) }

// Exec sends the commands in one write, fills in their Results, and
// returns their replies, one for each command; an error reply is a frame,
// as with Client.Do. The pipeline is empty afterwards, ready for more
// commands. An error means that no reply was read (a command could not be
// encoded, and none was sent), or that the connection failed partway (and
// is closed); the Results of the commands without a reply have the error.
func (p *Pipeline) Exec(ctx context.Context) ([]frame.Frame, error) {
	var replies []frame.Frame
	err := p.exec(ctx, func(f frame.Frame) { replies = append(replies, f.Clone()) })
	if err != nil {
		return nil, err
	}
	return replies, nil
}

// Flush is Exec without returning the replies as frames, which saves
// copying them: the Results have them.
func (p *Pipeline) Flush(ctx context.Context) error {
	return p.exec(ctx, nil)
}

// exec sends the queued commands, handing each reply to its Result and,
// unless keep is nil, to keep.
func (p *Pipeline) exec(ctx context.Context, keep func(frame.Frame)) error {
	out, results, err := p.queue.take()
	if err != nil {
		failReplies(results, err)
		return err
	}
	if len(results) == 0 {
		return nil
	}
	c := p.c
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	err = c.exchange(ctx, out, len(results), 0, func(i int, f frame.Frame) {
		n++
		results[i].setReply(f, nil)
		if keep != nil {
			keep(f)
		}
	})
	if err != nil {
		failReplies(results[n:], err)
	}
	clear(results) // do not keep the Results alive
	return err
}
