package server

import (
	"sync"
	"sync/atomic"
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

// Goroutines recording readings at once never move the clock back: once
// observe returns, the clock is at least at the reading it was given.
func TestServerClockNeverMovesBackUnderConcurrency(t *testing.T) {
	c := newServerClock(time.Now())
	// The goroutines take their readings from one counter, so that every
	// one of them records readings at the front.
	var next atomic.Int64
	next.Store(c.latest.Load())
	const goroutines = 4
	deadline := time.Now().Add(500 * time.Millisecond)
	start := make(chan struct{})
	back := make(chan time.Duration, goroutines)
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := 0; i%1024 != 0 || time.Now().Before(deadline); i++ {
				d := time.Duration(next.Add(1))
				c.observe(d)
				if latest := time.Duration(c.latest.Load()); latest < d {
					back <- d - latest
					return
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	close(back)
	for d := range back {
		t.Errorf("the clock moved back by %v after a concurrent reading", d)
	}
}
