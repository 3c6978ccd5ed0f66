package server

import (
	"sync"
	"sync/atomic"
	"time"
)

// serverClock is the keyspace's clock in the server. Reading the clock
// costs tens of nanoseconds here, and every command needs the time at least
// for its latency, so, as Redis keeps a time snapshot per command, the
// server reads the monotonic clock once when it takes up a command and the
// keyspace uses that reading. Wall time is a wall reading plus monotonic
// time elapsed since; the active expiry loop takes a fresh wall reading
// hz times a second, so a step of the system clock shows within 100 ms at
// the default hz of 10.
type serverClock struct {
	start time.Time // the monotonic origin
	base  atomic.Pointer[clockBase]
	// latest is the most recent monotonic reading (nanoseconds since
	// start) taken by any goroutine of the server.
	latest atomic.Int64

	// moved is closed by the resync that finds the wall clock stepped, so
	// that blocked clients, which sleep on timers of monotonic time, look
	// at their deadlines again: Redis compares them with mstime(), and a
	// step forward times them out at once. nil until Moved asks.
	movedMu sync.Mutex
	moved   chan struct{}
}

// maxClockDrift is how far the wall clock may drift from the monotonic
// clock between two resyncs before resync counts it as a step.
const maxClockDrift = time.Millisecond

type clockBase struct {
	wall     time.Time     // a wall clock reading...
	mono     time.Duration // ...taken at this monotonic time
	wallNano int64         // wall.UnixNano(), for UnixMilli
}

func newServerClock(start time.Time) *serverClock {
	c := &serverClock{start: start}
	c.resync()
	return c
}

// monotonic reads the monotonic clock (one cheap read) and records it as
// the time commands see.
func (c *serverClock) monotonic() time.Duration {
	d := time.Since(c.start)
	c.observe(d)
	return d
}

// observe records a monotonic reading. Readings from different goroutines
// may arrive out of order by microseconds; the clock only moves forward,
// so a reading replaces the latest only if it is later, atomically.
func (c *serverClock) observe(d time.Duration) {
	for {
		latest := c.latest.Load()
		if int64(d) <= latest || c.latest.CompareAndSwap(latest, int64(d)) {
			return
		}
	}
}

// Now returns the wall time of the latest reading.
func (c *serverClock) Now() time.Time {
	b := c.base.Load()
	return b.wall.Add(time.Duration(c.latest.Load()) - b.mono)
}

// UnixMilli returns Now().UnixMilli() without making a time.Time, for the
// keyspace, which reads it at every KeyLock (db.MilliClock). Both round
// the same nanosecond count down to the millisecond.
func (c *serverClock) UnixMilli() int64 {
	b := c.base.Load()
	return (b.wallNano + c.latest.Load() - int64(b.mono)) / int64(time.Millisecond)
}

// resync takes a fresh wall clock reading.
func (c *serverClock) resync() {
	wall := time.Now()
	mono := wall.Sub(c.start)
	old := c.base.Swap(&clockBase{wall: wall, mono: mono, wallNano: wall.UnixNano()})
	c.observe(mono)
	if old == nil {
		return
	}
	// Round(0) drops the monotonic readings, which would hide the step.
	drift := wall.Round(0).Sub(old.wall.Round(0).Add(mono - old.mono))
	if drift > maxClockDrift || drift < -maxClockDrift {
		c.movedMu.Lock()
		if c.moved != nil {
			close(c.moved)
			c.moved = nil
		}
		c.movedMu.Unlock()
	}
}

// Moved returns a channel that is closed when a resync finds the wall
// clock stepped, making serverClock a db.MovableClock.
func (c *serverClock) Moved() <-chan struct{} {
	c.movedMu.Lock()
	defer c.movedMu.Unlock()
	if c.moved == nil {
		c.moved = make(chan struct{})
	}
	return c.moved
}
