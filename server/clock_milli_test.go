package server

import (
	"testing"
	"time"
)

// UnixMilli is Now().UnixMilli() made without a time.Time, at readings on
// either side of millisecond boundaries and before the base's own.
func TestServerClockUnixMilliMatchesNow(t *testing.T) {
	c := newServerClock(time.Now())
	base := c.base.Load().mono
	for _, d := range []time.Duration{
		0, 1, 999_999, time.Millisecond, time.Millisecond + 1,
		1500 * time.Microsecond, time.Second - 1, time.Hour + 123_456_789,
	} {
		c.observe(base + d)
		if got, want := c.UnixMilli(), c.Now().UnixMilli(); got != want {
			t.Errorf("reading base+%v: UnixMilli = %d, Now().UnixMilli() = %d", d, got, want)
		}
	}
	// A reading older than the base, as a resync racing a reader may see.
	c.latest.Store(int64(base - 1500*time.Microsecond))
	if got, want := c.UnixMilli(), c.Now().UnixMilli(); got != want {
		t.Errorf("reading before the base: UnixMilli = %d, Now().UnixMilli() = %d", got, want)
	}
}
