package db

import "time"

// A Clock tells the time. The keyspace reads the time only through its
// Clock, so tests can move time by hand and never sleep.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }
