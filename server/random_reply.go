package server

import (
	"math"
	"slices"

	"github.com/mini-redis/mini-redis/db"
)

// The random picks of HRANDFIELD, ZRANDMEMBER and SRANDMEMBER (and their
// count strategies), shared: all sample a dense collection by position.

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

// parseRandCount parses the count and the optional option word (WITHVALUES
// for HRANDFIELD, WITHSCORES for ZRANDMEMBER) of a random-pair command
// called with a count, args being the whole command, replying with
// Redis's error and returning ok false if they are not valid.
func (c *client) parseRandCount(args [][]byte, option string) (n int64, withPairs, ok bool) {
	n, ok = parseInt(args[2])
	if !ok {
		c.conn.WriteError(errNotInteger)
		return 0, false, false
	}
	if n == math.MinInt64 {
		c.conn.WriteError(errLongRange)
		return 0, false, false
	}
	withPairs = len(args) == 4
	if len(args) > 4 || withPairs && !is(args[3], option) {
		c.conn.WriteError(errSyntax)
		return 0, false, false
	}
	// Twice the count must fit in a long: RESP2 replies a flat array.
	if withPairs && (n < -math.MaxInt64/2 || n > math.MaxInt64/2) {
		c.conn.WriteError(errValueRange)
		return 0, false, false
	}
	return n, withPairs, true
}

// randomPairs is a non-empty hash or sorted set as writeRandomPairs
// samples it: size pairs read by position with at, and the whole
// collection in the order Redis replies it with all.
type randomPairs[V any] struct {
	size     int
	at       func(i int) (string, V)
	all      func(yield func(string, V) bool)
	listpack bool
}

// writeRandomPairs writes the reply of HRANDFIELD or ZRANDMEMBER with a
// count n other than 0 (hrandfieldWithCountCommand,
// zrandmemberWithCountCommand): n > 0 distinct pairs, as many as the
// collection has at most (the whole collection, in its reply order, when n
// is at least its size; distinct picks from a listpack in its order, as
// Redis's lpRandomPairsUnique returns them), n < 0 asks for -n pairs that
// may repeat. With withPairs each name comes with its value, written by
// writeValue: flat in RESP2, as two-element arrays in RESP3. A reply
// streamed by writeRepeated first copies the pairs and calls release,
// which must close the caller's KeyLock.
func writeRandomPairs[V any](c *client, rnd db.Rand, n int64, withPairs bool, src randomPairs[V], writeValue func(V), release func()) {
	resp3 := c.resp3()
	replyLen := func(pairs int64) {
		if withPairs && !resp3 {
			pairs *= 2
		}
		c.conn.WriteArrayLen(int(pairs))
	}
	writePair := func(name string, v V) {
		if withPairs && resp3 {
			c.conn.WriteArrayLen(2)
		}
		c.conn.WriteBulkString(name)
		if withPairs {
			writeValue(v)
		}
	}
	size := src.size
	if n < 0 || n == 1 {
		count := n
		if n < 0 {
			count = -n
		}
		replyLen(count)
		if streamRepeated(count, size) {
			type pair struct {
				name  string
				value V
			}
			pairs := make([]pair, size)
			for i := range pairs {
				pairs[i].name, pairs[i].value = src.at(i)
			}
			release()
			c.writeRepeated(len(pairs), count, rnd, func(i int) { writePair(pairs[i].name, pairs[i].value) })
			return
		}
		for ; count > 0; count-- {
			writePair(src.at(int(rnd.Uint64N(uint64(size)))))
		}
		return
	}
	if n >= int64(size) {
		replyLen(int64(size))
		src.all(func(name string, v V) bool {
			writePair(name, v)
			return true
		})
		return
	}
	picked := sampleDistinct(rnd, size, int(n))
	if src.listpack {
		slices.Sort(picked)
	}
	replyLen(n)
	for _, i := range picked {
		writePair(src.at(i))
	}
}
