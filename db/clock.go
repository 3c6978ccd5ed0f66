package db

import (
	"sync"
	"time"
)

// A Clock tells the time. The keyspace reads the time only through its
// Clock, so tests can move time by hand and never sleep.
type Clock interface {
	Now() time.Time
}

// A MilliClock is a Clock that also tells its time in Unix milliseconds
// without making a time.Time: the keyspace reads the time at every
// KeyLock, in milliseconds, and takes that from UnixMilli when its Clock
// has it. UnixMilli must equal Now().UnixMilli().
type MilliClock interface {
	Clock
	UnixMilli() int64
}

// SystemClock is the real wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// A MovableClock is a Clock that can be moved by hand rather than by the
// passing of time (ManualClock, servertest's FastForward). Whoever waits
// for an instant of such a clock, as a client blocked with a timeout does,
// waits on Moved as well as on a timer, and looks at the clock again when
// it is moved.
type MovableClock interface {
	Clock
	// Moved returns a channel that is closed the next time the clock is
	// moved.
	Moved() <-chan struct{}
}

// A ManualClock is a Clock that moves only when told to. Tests of expiry
// use it to step over deadlines deterministically. It is safe for
// concurrent use.
type ManualClock struct {
	mu    sync.Mutex
	now   time.Time
	moved chan struct{} // closed by the next Advance; nil until Moved asks
}

// NewManualClock returns a ManualClock that reads start until moved.
func NewManualClock(start time.Time) *ManualClock {
	return &ManualClock{now: start}
}

// Now returns the clock's current reading.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (backward if d is negative), and
// wakes whoever waits on Moved.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	if c.moved != nil {
		close(c.moved)
		c.moved = nil
	}
	c.mu.Unlock()
}

// Moved returns a channel that the next Advance closes.
func (c *ManualClock) Moved() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.moved == nil {
		c.moved = make(chan struct{})
	}
	return c.moved
}
