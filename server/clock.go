package server

import (
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
}

type clockBase struct {
	wall time.Time     // a wall clock reading...
	mono time.Duration // ...taken at this monotonic time
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

// resync takes a fresh wall clock reading.
func (c *serverClock) resync() {
	wall := time.Now()
	mono := wall.Sub(c.start)
	c.base.Store(&clockBase{wall: wall, mono: mono})
	c.observe(mono)
}
