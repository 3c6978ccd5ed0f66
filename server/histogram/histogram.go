// Package histogram records durations in a fixed set of log-linear
// buckets with atomic counters: recording is lock-free and allocation-free,
// cheap enough for every command on a server's hot path, and percentiles
// come out within 1/SubBuckets (12.5%) of the true value.
package histogram

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// subBits is log2 of the sub-buckets per power of two: 8 sub-buckets keep
// the relative error of any reported value under 12.5%.
const subBits = 3

// SubBuckets is the number of buckets each power of two is split into.
const SubBuckets = 1 << subBits

// buckets covers 0 ns up to 2^41 ns (about 37 minutes): the powers of two
// from 2^subBits to 2^40 are split, and the last sub-bucket also takes every
// longer duration.
const buckets = (40-subBits+1)*SubBuckets + SubBuckets

// A Histogram counts durations. The zero value is empty and ready; it is
// safe for concurrent use and must not be copied after first use.
type Histogram struct {
	counts [buckets]atomic.Uint64
	sum    atomic.Uint64 // nanoseconds
}

// index maps a duration in nanoseconds to its bucket: values below
// SubBuckets get a bucket each; above, each power of two [2^k, 2^(k+1)) is
// split into SubBuckets equal parts.
func index(ns uint64) int {
	if ns < SubBuckets {
		return int(ns)
	}
	k := bits.Len64(ns) - 1 // 2^k <= ns < 2^(k+1), k >= subBits
	sub := (ns >> (uint(k) - subBits)) & (SubBuckets - 1)
	i := (k-subBits+1)*SubBuckets + int(sub)
	if i >= buckets {
		return buckets - 1
	}
	return i
}

// lowerBound returns the smallest duration, in nanoseconds, of bucket i.
func lowerBound(i int) uint64 {
	if i < SubBuckets {
		return uint64(i)
	}
	k := i/SubBuckets + subBits - 1
	sub := uint64(i % SubBuckets)
	return 1<<uint(k) + sub<<(uint(k)-subBits)
}

// upperBound returns the largest duration in bucket i.
func upperBound(i int) uint64 {
	if i == buckets-1 {
		return math.MaxUint64
	}
	return lowerBound(i+1) - 1
}

// Record counts one duration. Negative durations count as zero.
func (h *Histogram) Record(d time.Duration) {
	ns := uint64(max(d, 0))
	h.counts[index(ns)].Add(1)
	h.sum.Add(ns)
}

// A Snapshot is a histogram's counts at one moment, for computing
// percentiles without racing further records.
type Snapshot struct {
	counts [buckets]uint64
	total  uint64
	sum    uint64
}

// Snapshot copies the counts. Records that happen meanwhile may or may not
// be included.
func (h *Histogram) Snapshot() *Snapshot {
	s := &Snapshot{sum: h.sum.Load()}
	for i := range h.counts {
		n := h.counts[i].Load()
		s.counts[i] = n
		s.total += n
	}
	return s
}

// Count returns the number of recorded durations.
func (s *Snapshot) Count() uint64 { return s.total }

// Sum returns the total of the recorded durations.
func (s *Snapshot) Sum() time.Duration { return time.Duration(s.sum) }

// Quantile returns the duration below which a fraction q (0 to 1) of the
// recorded durations lie, reported as the upper bound of its bucket (so it
// never understates), or 0 when nothing was recorded.
func (s *Snapshot) Quantile(q float64) time.Duration {
	if s.total == 0 {
		return 0
	}
	q = min(max(q, 0), 1)
	rank := uint64(math.Ceil(q * float64(s.total)))
	rank = max(rank, 1)
	var seen uint64
	for i, n := range s.counts {
		seen += n
		if seen >= rank {
			ub := upperBound(i)
			if ub > math.MaxInt64 {
				return time.Duration(math.MaxInt64)
			}
			return time.Duration(ub)
		}
	}
	return time.Duration(math.MaxInt64)
}

// Reset sets every count to zero (CONFIG RESETSTAT). Records racing with it
// may survive.
func (h *Histogram) Reset() {
	for i := range h.counts {
		h.counts[i].Store(0)
	}
	h.sum.Store(0)
}

// Buckets calls yield with the lower bound and count of every bucket that
// counted something, shortest durations first, for reporting in other
// bucket layouts (Redis's LATENCY HISTOGRAM).
func (s *Snapshot) Buckets(yield func(lower time.Duration, count uint64)) {
	for i, n := range s.counts {
		if n == 0 {
			continue
		}
		lb := lowerBound(i)
		if lb > math.MaxInt64 {
			lb = math.MaxInt64
		}
		yield(time.Duration(lb), n)
	}
}
