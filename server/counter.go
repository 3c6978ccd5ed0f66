package server

import "sync/atomic"

// atomicCounter is a counter padded to its own cache line, so that counters
// bumped by every command on different cores do not slow each other down.
type atomicCounter struct {
	n atomic.Int64
	_ [56]byte
}

func (c *atomicCounter) add(d int64)   { c.n.Add(d) }
func (c *atomicCounter) load() int64   { return c.n.Load() }
func (c *atomicCounter) store(v int64) { c.n.Store(v) }
