package client

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/mini-redis/mini-redis/frame"
)

// A Buffered client serves many goroutines through one connection, the
// alternative to a Pool when connections are scarce: calls are queued to
// one goroutine that writes every command waiting in one write, and
// another reads the replies in order and hands each to its caller. A
// canceled call stops waiting, but its reply is still read, so the
// connection stays usable. A blocking command (BLPOP) holds up every call
// behind it, and transactions and subscriptions need a Client of their
// own.
type Buffered struct {
	// Immediate has the typed methods, each queued as Do queues a
	// command. A blocking command's timeout is not added to the read
	// timeout.
	Immediate

	c       *Client
	reqs    chan *request
	pending chan []*request // written batches, awaiting replies
	done    chan struct{}   // closed by Close

	mu  sync.Mutex
	err error // why the connection failed
}

// A request is one queued call.
type request struct {
	cmd   []byte      // the encoded command
	reply chan result // buffered: the reader never waits for the caller
}

type result struct {
	f   frame.Frame
	err error
}

// maxBatch bounds how many commands one write carries.
const maxBatch = 1024

// NewBuffered connects to addr, as Dial does, for a Buffered client.
func NewBuffered(ctx context.Context, addr string, opts ...Option) (*Buffered, error) {
	c, err := Dial(ctx, addr, opts...)
	if err != nil {
		return nil, err
	}
	b := &Buffered{
		c:       c,
		reqs:    make(chan *request, maxBatch),
		pending: make(chan []*request, 64),
		done:    make(chan struct{}),
	}
	b.Immediate = Immediate{cmds: Commands{s: b}}
	go b.write()
	go b.read()
	return b, nil
}

// sendEncoded runs a command of Commands as Do does.
func (b *Buffered) sendEncoded(ctx context.Context, r reply, _ time.Duration, cmd []byte) {
	f, err := b.do(ctx, cmd)
	r.setReply(f, err)
}

// Do queues a command and waits for its reply, as Client.Do does.
func (b *Buffered) Do(ctx context.Context, args ...any) (frame.Frame, error) {
	cmd, err := appendCommand(nil, args)
	if err != nil {
		return frame.Frame{}, err
	}
	return b.do(ctx, cmd)
}

// do queues cmd, an encoded command, and waits for its reply.
func (b *Buffered) do(ctx context.Context, cmd []byte) (frame.Frame, error) {
	r := &request{cmd: cmd, reply: make(chan result, 1)}
	select {
	case b.reqs <- r:
	case <-b.done:
		return frame.Frame{}, b.failure()
	case <-ctx.Done():
		return frame.Frame{}, ctx.Err()
	}
	select {
	case res := <-r.reply:
		return res.f, res.err
	case <-b.done:
		// A batch handed to the reader as it stopped gets no reply.
		return frame.Frame{}, b.failure()
	case <-ctx.Done():
		return frame.Frame{}, ctx.Err()
	}
}

// Close closes the connection; waiting calls fail with ErrClosed.
func (b *Buffered) Close() error {
	b.fail(ErrClosed)
	return nil
}

func (b *Buffered) failure() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// fail records the first failure and ends both goroutines.
func (b *Buffered) fail(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return
	}
	b.err = err
	close(b.done)
	b.c.conn.Close()
}

// write takes the queued requests, writes each batch, and passes it on to
// read.
func (b *Buffered) write() {
	nc := b.c.conn.NetConn()
	var out []byte
	for {
		var batch []*request
		select {
		case r := <-b.reqs:
			batch = append(batch, r)
		case <-b.done:
			return
		}
	drain:
		for len(batch) < maxBatch {
			select {
			case r := <-b.reqs:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		out = out[:0]
		for _, r := range batch {
			out = append(out, r.cmd...)
		}
		// Handed over before the write, so that the replies are read
		// while a long batch is written.
		select {
		case b.pending <- batch:
		case <-b.done:
			failAll(batch, b.failure())
			return
		}
		if _, err := nc.Write(out); err != nil {
			b.fail(fmt.Errorf("client: %w", err))
			return
		}
		if cap(out) > 1<<20 {
			out = nil
		}
	}
}

// read reads the replies of each written batch.
func (b *Buffered) read() {
	for {
		var batch []*request
		select {
		case batch = <-b.pending:
		case <-b.done:
			b.drainPending()
			return
		}
		for i, r := range batch {
			f, err := b.readReply()
			if err != nil {
				b.fail(fmt.Errorf("client: %w", err))
				failAll(batch[i:], b.failure())
				b.drainPending()
				return
			}
			r.reply <- result{f: f.Clone()}
		}
	}
}

// readReply reads the next reply, skipping push frames, which are not
// replies.
func (b *Buffered) readReply() (frame.Frame, error) {
	for {
		f, err := b.c.conn.ReadFrame()
		if err != nil || f.Type != frame.Push {
			return f, err
		}
	}
}

// drainPending fails the batches written but not answered.
func (b *Buffered) drainPending() {
	for {
		select {
		case batch := <-b.pending:
			failAll(batch, b.failure())
		default:
			return
		}
	}
}

func failAll(batch []*request, err error) {
	for _, r := range batch {
		r.reply <- result{err: err}
	}
}
