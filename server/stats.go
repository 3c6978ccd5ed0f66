package server

import (
	"context"
	"sync"
	"time"

	"github.com/mini-redis/mini-redis/db/pubsub"
)

// Counters and samplers behind INFO stats and the admin API.

// serverStats holds the counters that are not per command.
type serverStats struct {
	hits, misses atomicCounter // keyspace_hits, keyspace_misses

	opsMu      sync.Mutex
	opsSamples [16]int64 // commands per second, one sample per 100 ms
	opsIndex   int
	lastTotal  int64
	lastSample time.Time
}

// keyLookup records a read command's lookup of key in the client's
// database, as Redis's lookupKeyRead does: a keyspace hit or miss, and on
// a miss the "keymiss" event. OBJECT, which Redis does not let notify,
// uses countLookup alone.
func (c *client) keyLookup(key []byte, found bool) {
	c.server.countLookup(found)
	if !found {
		c.notify(pubsub.EventKeyMiss, "keymiss", key)
	}
}

// countLookup records a read command's key lookup as a hit or a miss.
func (s *Server) countLookup(found bool) {
	if found {
		s.hits.add(1)
	} else {
		s.misses.add(1)
	}
}

// sampleOps records the command rate since the last sample, as Redis's
// trackInstantaneousMetric does every 100 ms.
func (s *Server) sampleOps(now time.Time) {
	st := &s.serverStats
	st.opsMu.Lock()
	defer st.opsMu.Unlock()
	total := s.totalCommands.load()
	if !st.lastSample.IsZero() {
		elapsed := now.Sub(st.lastSample).Seconds()
		if elapsed > 0 {
			st.opsSamples[st.opsIndex] = int64(float64(total-st.lastTotal) / elapsed)
			st.opsIndex = (st.opsIndex + 1) % len(st.opsSamples)
		}
	}
	st.lastTotal, st.lastSample = total, now
}

// opsPerSec is instantaneous_ops_per_sec: the mean of the last samples.
func (s *Server) opsPerSec() int64 {
	st := &s.serverStats
	st.opsMu.Lock()
	defer st.opsMu.Unlock()
	var sum int64
	for _, v := range st.opsSamples {
		sum += v
	}
	return sum / int64(len(st.opsSamples))
}

// sampler takes the instantaneous samples every 100 ms.
func (s *Server) sampler(ctx context.Context) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			s.sampleOps(now)
			s.checkSaveRules(now)
		}
	}
}

// resetStats zeroes the counters CONFIG RESETSTAT clears.
func (s *Server) resetStats() {
	for _, cmd := range s.allCommands() {
		cmd.stats.calls.store(0)
		cmd.stats.failed.store(0)
		cmd.stats.rejected.store(0)
		cmd.stats.latency.Reset()
	}
	s.errorStats.reset()
	s.hits.store(0)
	s.misses.store(0)
	s.received.Store(0)
	s.rejected.Store(0)
	s.persist.pauseMicros.Store(0)
	// The count and the samples of its rate restart together, as in
	// Redis, so that the next sample does not count down from the old
	// total.
	st := &s.serverStats
	st.opsMu.Lock()
	s.totalCommands.store(0)
	clear(st.opsSamples[:])
	st.opsIndex, st.lastTotal, st.lastSample = 0, 0, time.Now()
	st.opsMu.Unlock()
}
