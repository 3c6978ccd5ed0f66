package rdb

import (
	"strconv"

	"github.com/mini-redis/mini-redis/internal/redisint"
)

// elemBuf collects the elements of a collection as they are read: their
// bytes one after the other, and where each one ends. A collection of
// many small elements costs two allocations, not one per element.
type elemBuf struct {
	data []byte
	ends []int
}

func (b *elemBuf) reset() {
	b.data = b.data[:0]
	b.ends = b.ends[:0]
}

// n returns the number of elements.
func (b *elemBuf) n() int { return len(b.ends) }

// add appends an element.
func (b *elemBuf) add(s []byte) {
	b.data = append(b.data, s...)
	b.ends = append(b.ends, len(b.data))
}

// addInt appends an element that a blob holds as an integer: its decimal
// digits, as Redis returns it.
func (b *elemBuf) addInt(v int64) {
	b.data = strconv.AppendInt(b.data, v, 10)
	b.ends = append(b.ends, len(b.data))
}

// end marks the bytes appended to data since the last element as one.
func (b *elemBuf) end() { b.ends = append(b.ends, len(b.data)) }

// elem returns element i.
func (b *elemBuf) elem(i int) []byte {
	start := 0
	if i > 0 {
		start = b.ends[i-1]
	}
	return b.data[start:b.ends[i]]
}

// parseInt64 reports whether Redis stores s as an integer in a listpack
// or an intset (its string2ll): the canonical decimal form of an int64,
// with no sign but a minus, no leading zero, not "-0".
func parseInt64(s []byte) (int64, bool) { return redisint.Parse(s) }
