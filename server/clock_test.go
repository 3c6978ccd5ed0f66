package main

import (
	"testing"
	"time"
)

func TestServerClockFollowsReadings(t *testing.T) {
	start := time.Now()
	c := newServerClock(start)
	before := c.Now()
	// The keyspace sees the time of the latest reading, not a fresh one.
	c.observe(time.Since(start) + time.Hour)
	if got := c.Now().Sub(before); got < time.Hour || got > time.Hour+time.Second {
		t.Errorf("after a reading an hour ahead, Now moved by %v", got)
	}
	// Readings never move it back.
	c.observe(time.Second)
	if got := c.Now().Sub(before); got < time.Hour {
		t.Errorf("an older reading moved the clock back: %v", got)
	}
	// monotonic reads the clock and records it.
	c2 := newServerClock(time.Now())
	d := c2.monotonic()
	if int64(d) != c2.latest.Load() {
		t.Error("monotonic did not record its reading")
	}
	if diff := c2.Now().Sub(time.Now()); diff > time.Second || diff < -time.Second {
		t.Errorf("Now is %v away from the wall clock", diff)
	}
}
