package server

import "github.com/mini-redis/mini-redis/db"

// The random picks of HRANDFIELD and SRANDMEMBER (and their count
// strategies), shared: both sample a dense collection by position.

// repeatedCopyPast is the count of picks past which a reply of picks with
// repetition (a negative count) larger than the collection copies the
// collection and releases its lock before it replies, flushing as it goes
// (see writeRepeated): such a count is bounded only by -LONG_MAX.
const repeatedCopyPast = 1024

// repeatedFlushEvery is how many picks such a reply writes between two
// flushes.
const repeatedFlushEvery = 4096

// streamRepeated reports whether a reply of count picks with repetition
// from a collection of size items must be streamed by writeRepeated
// rather than written under the lock: only then can the reply outgrow
// what the data itself bounds.
func streamRepeated(count int64, size int) bool {
	return count > int64(size) && count > repeatedCopyPast
}

// writeRepeated writes count picks at random, with repetitions, among n
// items, calling write with the position of each, for a count larger than
// the collection. Redis builds such a reply whole in memory, however large
// the count, and does nothing else until it is done; this writes it out as
// it goes, holding no lock: the caller must have copied the items and
// closed its KeyLock, and the shared world lock is released here too
// (unless the command runs inside an exclusive one such as EXEC), so that
// memory stays bounded for a client that reads and other clients go on.
// It stops when the client goes away or the server shuts down, and does
// nothing for a client whose replies are discarded (CLIENT REPLY OFF).
func (c *client) writeRepeated(n int, count int64, rnd db.Rand, write func(i int)) {
	if c.conn.Discarding() {
		return
	}
	if !c.exclusiveHeld {
		c.server.world.RUnlock()
		defer c.server.world.RLock()
	}
	for i := int64(1); i <= count; i++ {
		write(int(rnd.Uint64N(uint64(n))))
		if i%repeatedFlushEvery == 0 && (c.conn.Flush() != nil || c.server.isClosing()) {
			return
		}
	}
}

// sampleDistinct returns k distinct positions in [0, n), k < n, in random
// order.
func sampleDistinct(r db.Rand, n, k int) []int {
	if k*3 > n {
		// Most of them: a partial shuffle (Redis too changes strategy
		// there: HRANDFIELD_SUB_STRATEGY_MUL, SRANDMEMBER_SUB_STRATEGY_MUL).
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		for i := range k {
			j := i + int(r.Uint64N(uint64(n-i)))
			idx[i], idx[j] = idx[j], idx[i]
		}
		return idx[:k]
	}
	seen := make(map[int]struct{}, k)
	out := make([]int, 0, k)
	for len(out) < k {
		i := int(r.Uint64N(uint64(n)))
		if _, dup := seen[i]; !dup {
			seen[i] = struct{}{}
			out = append(out, i)
		}
	}
	return out
}
