package client

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/mini-redis/mini-redis/frame"
)

// A Pool is a set of connections to one server, safe for concurrent use:
// each call takes an idle connection, or dials one while there are fewer
// than the pool's size (WithPoolSize), or waits for one.
type Pool struct {
	// Immediate has the typed methods, each run on a connection of the
	// pool.
	Immediate

	addr  string
	opts  options
	slots chan struct{} // one token per connection, idle or in use
	idle  chan *Client

	mu     sync.Mutex
	closed bool
}

// NewPool returns a pool of connections to addr, set up as opts ask. It
// dials nothing until the first call.
func NewPool(addr string, opts ...Option) *Pool {
	o := buildOptions(opts)
	size := max(o.poolSize, 1)
	p := &Pool{
		addr:  addr,
		opts:  o,
		slots: make(chan struct{}, size),
		idle:  make(chan *Client, size),
	}
	p.Immediate = Immediate{cmds: Commands{s: p}}
	return p
}

// sendEncoded runs a command of Commands on a connection of the pool.
func (p *Pool) sendEncoded(ctx context.Context, r reply, block time.Duration, cmd []byte) {
	c, err := p.Get(ctx)
	if err != nil {
		r.setReply(frame.Frame{}, err)
		return
	}
	defer p.Put(c)
	c.sendEncoded(ctx, r, block, cmd)
}

// errPoolClosed is returned by a Pool after Close.
var errPoolClosed = errors.New("client: pool closed")

// Get returns a connection for the caller's use alone, which it must give
// back with Put.
func (p *Pool) Get(ctx context.Context) (*Client, error) {
	for {
		if p.isClosed() {
			return nil, errPoolClosed
		}
		select {
		case c := <-p.idle:
			if c.usable() {
				return c, nil
			}
			c.Close()
			<-p.slots // its slot is free again
			continue
		default:
		}
		select {
		case c := <-p.idle:
			if c.usable() {
				return c, nil
			}
			c.Close()
			<-p.slots
		case p.slots <- struct{}{}:
			c, err := dial(ctx, p.addr, p.opts)
			if err != nil {
				<-p.slots
				return nil, err
			}
			return c, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Put gives back a connection from Get. A broken one (after a canceled
// call) is closed, and a new one will be dialled in its place.
func (p *Pool) Put(c *Client) {
	if !c.usable() || p.isClosed() {
		c.Close()
		<-p.slots
		return
	}
	p.idle <- c // never blocks: idle has room for every slot
}

// Do runs one command on a connection of the pool, as Client.Do does.
func (p *Pool) Do(ctx context.Context, args ...any) (frame.Frame, error) {
	c, err := p.Get(ctx)
	if err != nil {
		return frame.Frame{}, err
	}
	defer p.Put(c)
	return c.Do(ctx, args...)
}

// With runs fn with a connection of the pool, for typed methods,
// pipelines and transactions.
func (p *Pool) With(ctx context.Context, fn func(c *Client) error) error {
	c, err := p.Get(ctx)
	if err != nil {
		return err
	}
	defer p.Put(c)
	return fn(c)
}

// Close closes the idle connections, and those in use as they are put
// back.
func (p *Pool) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	for {
		select {
		case c := <-p.idle:
			c.Close()
			<-p.slots
		default:
			return nil
		}
	}
}

func (p *Pool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// usable reports whether no call has broken the connection.
func (c *Client) usable() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.broken == nil
}
