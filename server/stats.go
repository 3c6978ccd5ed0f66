package server

import (
	"context"
	"sync"
	"time"

	"github.com/mini-redis/mini-redis/connection"
	"github.com/mini-redis/mini-redis/db/pubsub"
)

// Counters and samplers behind INFO stats and the admin API.

// serverStats holds the counters that are not per command.
type serverStats struct {
	hits, misses atomicCounter // keyspace_hits, keyspace_misses

	// traffic counts every client connection's bytes (total_net_*_bytes).
	traffic connection.Traffic

	opsMu              sync.Mutex // guards the samples
	ops, netIn, netOut instantMetric
	lastSample         time.Time
}

// instantMetric is one of Redis's instantaneous metrics: the rate of a
// growing total, sampled every 100 ms, reported as the mean of the last 16
// samples (trackInstantaneousMetric, getInstantaneousMetric).
type instantMetric struct {
	samples   [16]float64 // per second
	index     int
	lastTotal int64
}

// sample records the rate at which the total grew over elapsed seconds.
func (m *instantMetric) sample(total int64, elapsed float64) {
	m.samples[m.index] = float64(total-m.lastTotal) / elapsed
	m.index = (m.index + 1) % len(m.samples)
	m.lastTotal = total
}

// mean returns the mean of the samples.
func (m *instantMetric) mean() float64 {
	var sum float64
	for _, v := range m.samples {
		sum += v
	}
	return sum / float64(len(m.samples))
}

// reset forgets the samples; the total restarts from total.
func (m *instantMetric) reset(total int64) {
	*m = instantMetric{lastTotal: total}
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
	ops, in, out := s.totalCommands.load(), st.traffic.Input(), st.traffic.Output()
	if st.lastSample.IsZero() {
		st.ops.lastTotal, st.netIn.lastTotal, st.netOut.lastTotal = ops, in, out
		st.lastSample = now
		return
	}
	elapsed := now.Sub(st.lastSample).Seconds()
	if elapsed <= 0 {
		return
	}
	st.ops.sample(ops, elapsed)
	st.netIn.sample(in, elapsed)
	st.netOut.sample(out, elapsed)
	st.lastSample = now
}

// opsPerSec is instantaneous_ops_per_sec: the mean of the last samples.
func (s *Server) opsPerSec() int64 {
	st := &s.serverStats
	st.opsMu.Lock()
	defer st.opsMu.Unlock()
	return int64(st.ops.mean())
}

// netKbps returns instantaneous_input_kbps and instantaneous_output_kbps.
func (s *Server) netKbps() (in, out float64) {
	st := &s.serverStats
	st.opsMu.Lock()
	defer st.opsMu.Unlock()
	return st.netIn.mean() / 1024, st.netOut.mean() / 1024
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
	st.traffic.Reset()
	st.ops.reset(0)
	st.netIn.reset(0)
	st.netOut.reset(0)
	st.lastSample = time.Now()
	st.opsMu.Unlock()
}
