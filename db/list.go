package db

import "bytes"

// A List is a list value: a sequence of byte strings, changed in place.
//
// It is a ring buffer of element slices whose capacity doubles when it is
// full and halves when it is three-quarters empty: pushing and popping at
// either end cost amortised O(1), reading or replacing an element by index
// O(1), inserting or removing one O(min(i, Len-i)), and Remove and Trim
// O(Len). Redis's quicklist has O(Len) indexing; LINDEX and LSET are
// cheaper here, which no reply can tell.
//
// Redis 7.0 reports every list as "quicklist", however small (its small
// "listpack" list encoding arrived in 7.2; checked against redis-server
// 7.0.15, where a one-element list is a quicklist), so a List has one
// encoding.
//
// An element's array is never written once it is in a List (a change
// stores a new array), so snapshots share them and a command may keep the
// elements it read past Close, to reply after releasing the lock; it must
// not modify them, popped ones included. The List itself must be read only
// under the KeyLock that returned it.
// Indexes count from 0 at the head; where noted, negative ones count from
// -1 at the tail, as Redis's list commands take them.
type List struct {
	colHeader
	buf   [][]byte // len is 0 or a power of two
	head  int      // index in buf of element 0
	n     int
	bytes int // total length of the elements
}

// The parts of a List's Size.
const (
	listHeaderSize   = 64 // the List itself and its object
	listSlotSize     = 24 // a slice header in buf
	listElemOverhead = 16 // allocator rounding of each element's array
	minListCap       = 8
)

// NewList returns an empty list.
func NewList() *List { return &List{} }

// Type returns TypeList.
func (l *List) Type() Type { return TypeList }

// Encoding returns "quicklist", as Redis 7.0 says of every list.
func (l *List) Encoding() string { return "quicklist" }

// Size returns the approximate number of bytes the list takes, in O(1).
func (l *List) Size() int {
	return listHeaderSize + len(l.buf)*listSlotSize + l.bytes + l.n*listElemOverhead
}

// Len returns the number of elements.
func (l *List) Len() int { return l.n }

func (l *List) slot(i int) *[]byte { return &l.buf[(l.head+i)&(len(l.buf)-1)] }

// resize moves the elements into a ring of capacity size, element 0 first.
func (l *List) resize(size int) {
	nb := make([][]byte, size)
	for i := 0; i < l.n; i++ {
		nb[i] = *l.slot(i)
	}
	l.buf, l.head = nb, 0
}

func (l *List) growIfFull() {
	if l.n == len(l.buf) {
		l.resize(max(minListCap, 2*len(l.buf)))
	}
}

// shrinkIfSparse halves the ring, as many times as it takes, while it is
// three-quarters empty: LTRIM or LREM may leave a few elements of many,
// and the memory should follow the data at once, not one pop at a time.
func (l *List) shrinkIfSparse() {
	size := len(l.buf)
	for size > minListCap && l.n < size/4 {
		size /= 2
	}
	if size != len(l.buf) {
		l.resize(size)
	}
}

// changed records a change that added dbytes to the elements.
func (l *List) changed(dbytes int) {
	l.bytes += dbytes
	l.mods++
}

// PushFront adds a copy of b at the head (LPUSH).
func (l *List) PushFront(b []byte) {
	l.growIfFull()
	l.head = (l.head - 1) & (len(l.buf) - 1)
	l.n++
	*l.slot(0) = bytes.Clone(b)
	l.changed(len(b))
}

// PushBack adds a copy of b at the tail (RPUSH).
func (l *List) PushBack(b []byte) {
	l.growIfFull()
	l.n++
	*l.slot(l.n - 1) = bytes.Clone(b)
	l.changed(len(b))
}

// PopFront removes and returns the head element (LPOP), or false if the
// list is empty. A snapshot may share the element: do not modify it.
func (l *List) PopFront() ([]byte, bool) {
	if l.n == 0 {
		return nil, false
	}
	s := l.slot(0)
	b := *s
	*s = nil
	l.head = (l.head + 1) & (len(l.buf) - 1)
	l.n--
	l.changed(-len(b))
	l.shrinkIfSparse()
	return b, true
}

// PopBack removes and returns the tail element (RPOP), or false if the
// list is empty. A snapshot may share the element: do not modify it.
func (l *List) PopBack() ([]byte, bool) {
	if l.n == 0 {
		return nil, false
	}
	s := l.slot(l.n - 1)
	b := *s
	*s = nil
	l.n--
	l.changed(-len(b))
	l.shrinkIfSparse()
	return b, true
}

// index turns a Redis index, negative from the tail, into a position, and
// reports whether it is in range.
func (l *List) index(i int) (int, bool) {
	if i < 0 {
		i += l.n
	}
	return i, i >= 0 && i < l.n
}

// Index returns element i, negative from the tail (LINDEX), or false if
// there is none.
func (l *List) Index(i int) ([]byte, bool) {
	i, ok := l.index(i)
	if !ok {
		return nil, false
	}
	return *l.slot(i), true
}

// SetIndex replaces element i, negative from the tail, with a copy of b
// (LSET) and reports whether there was such an element.
func (l *List) SetIndex(i int, b []byte) bool {
	i, ok := l.index(i)
	if !ok {
		return false
	}
	s := l.slot(i)
	l.changed(len(b) - len(*s))
	*s = bytes.Clone(b)
	return true
}

// Insert puts a copy of b before position i, 0 <= i <= Len (LINSERT: i is
// the pivot's position, or the one after it), and reports whether i was in
// range.
func (l *List) Insert(i int, b []byte) bool {
	if i < 0 || i > l.n {
		return false
	}
	l.growIfFull()
	if i < l.n/2 {
		// Shift the elements before i towards the head.
		l.head = (l.head - 1) & (len(l.buf) - 1)
		l.n++
		for j := 0; j < i; j++ {
			*l.slot(j) = *l.slot(j + 1)
		}
	} else {
		l.n++
		for j := l.n - 1; j > i; j-- {
			*l.slot(j) = *l.slot(j - 1)
		}
	}
	*l.slot(i) = bytes.Clone(b)
	l.changed(len(b))
	return true
}

// RemoveAt removes element i, 0 <= i < Len, and reports whether i was in
// range.
func (l *List) RemoveAt(i int) bool {
	if i < 0 || i >= l.n {
		return false
	}
	gone := len(*l.slot(i))
	if i < l.n/2 {
		for j := i; j > 0; j-- {
			*l.slot(j) = *l.slot(j - 1)
		}
		*l.slot(0) = nil
		l.head = (l.head + 1) & (len(l.buf) - 1)
	} else {
		for j := i; j < l.n-1; j++ {
			*l.slot(j) = *l.slot(j + 1)
		}
		*l.slot(l.n - 1) = nil
	}
	l.n--
	l.changed(-gone)
	l.shrinkIfSparse()
	return true
}

// Remove removes elements equal to elem and returns how many (LREM): the
// first count from the head if count > 0, the last -count from the tail if
// count < 0, all of them if count is 0.
func (l *List) Remove(elem []byte, count int) int {
	limit := count
	if count <= 0 {
		limit = -count
	}
	if count == 0 {
		limit = l.n
	}
	removed, gone := 0, 0
	if count >= 0 {
		// Compact towards the head, keeping the order.
		w := 0
		for r := 0; r < l.n; r++ {
			b := *l.slot(r)
			if removed < limit && bytes.Equal(b, elem) {
				removed++
				gone += len(b)
				continue
			}
			*l.slot(w) = b
			w++
		}
		for j := w; j < l.n; j++ {
			*l.slot(j) = nil
		}
	} else {
		// Compact towards the tail.
		w := l.n - 1
		for r := l.n - 1; r >= 0; r-- {
			b := *l.slot(r)
			if removed < limit && bytes.Equal(b, elem) {
				removed++
				gone += len(b)
				continue
			}
			*l.slot(w) = b
			w--
		}
		for j := 0; j < removed; j++ {
			*l.slot(j) = nil
		}
		l.head = (l.head + removed) & (len(l.buf) - 1)
	}
	if removed == 0 {
		return 0
	}
	l.n -= removed
	l.changed(-gone)
	l.shrinkIfSparse()
	return removed
}

// span turns Redis's start and stop indexes (inclusive, negative from the
// tail, clamped) into the positions [from, to), as LRANGE and LTRIM do.
func (l *List) span(start, stop int) (from, to int) {
	if start < 0 {
		start += l.n
	}
	if stop < 0 {
		stop += l.n
	}
	start = max(start, 0)
	if start > stop || start >= l.n {
		return 0, 0
	}
	return start, min(stop, l.n-1) + 1
}

// Trim keeps only the elements from start to stop, inclusive, negative
// from the tail (LTRIM). A range that selects nothing empties the list.
func (l *List) Trim(start, stop int) {
	from, to := l.span(start, stop)
	if from == 0 && to == l.n {
		return
	}
	// Only the elements removed are visited, as Redis's quicklistDelRange
	// visits them: trimming one element off a long list costs O(1).
	gone := 0
	clearSlot := func(j int) {
		s := l.slot(j)
		gone += len(*s)
		*s = nil
	}
	for j := 0; j < from; j++ {
		clearSlot(j)
	}
	for j := to; j < l.n; j++ {
		clearSlot(j)
	}
	if len(l.buf) > 0 {
		l.head = (l.head + from) & (len(l.buf) - 1)
	}
	l.n = to - from
	l.changed(-gone)
	l.shrinkIfSparse()
}

// Range calls fn with the elements from start to stop, inclusive,
// negative from the tail (LRANGE), until fn returns false.
func (l *List) Range(start, stop int, fn func(elem []byte) bool) {
	from, to := l.span(start, stop)
	for i := from; i < to; i++ {
		if !fn(*l.slot(i)) {
			return
		}
	}
}

// Clone returns a copy of the list that shares no memory with it (COPY).
func (l *List) Clone() *List {
	c := &List{buf: make([][]byte, len(l.buf)), n: l.n, bytes: l.bytes}
	for i := 0; i < l.n; i++ {
		c.buf[i] = bytes.Clone(*l.slot(i))
	}
	return c
}

func (l *List) clone() collection { return l.Clone() }

func (l *List) cow() collection {
	c := &List{buf: make([][]byte, len(l.buf)), n: l.n, bytes: l.bytes}
	for i := 0; i < l.n; i++ {
		c.buf[i] = *l.slot(i)
	}
	return c
}
