package db

import (
	"hash/maphash"
	"math/bits"
)

// table is a chained hash table of entries, like Redis's dict. It exists
// instead of a Go map for one reason: SCAN. Walking the buckets in
// reverse-binary order, as Redis's dictScan does, gives a cursor that
// returns every key present for the whole scan even when the table grows
// or shrinks between calls. A Go map offers no stable iteration position.
//
// Resizing rehashes all entries at once. The table belongs to one shard,
// so that pause is 1/Shards of the keyspace and holds only that shard's lock.
type table struct {
	// seed is the seed of the keys' hashes, which the table computes
	// again to move or unlink an entry.
	seed    maphash.Seed
	buckets []*entry // of a length of 0 or a power of two
	count   int
}

const minTableSize = 4 // DICT_HT_INITIAL_SIZE

func (t *table) mask() uint64 { return uint64(len(t.buckets) - 1) }

// find returns the entry for key with hash h, or nil.
func (t *table) find(key []byte, h uint64) *entry {
	if t.count == 0 {
		return nil
	}
	tag := hashTag(h)
	for e := t.buckets[h&t.mask()]; e != nil; e = e.next {
		if e.clockTag.Load()&^clockMask == tag && e.key == string(key) {
			return e
		}
	}
	return nil
}

// hash returns the hash of key, as DB.hash does.
func (t *table) hash(key string) uint64 { return maphash.String(t.seed, key) }

// hashTag returns the tag entry.clockTag keeps of hash h, in its place:
// bits of h that neither the bucket (the low bits) nor the shard (the top
// ones) is chosen by.
func hashTag(h uint64) uint32 { return uint32(h>>48&0xff) << 24 }

// insert adds e, whose key must not be in the table and has hash h.
func (t *table) insert(e *entry, h uint64) {
	e.clockTag.Store(hashTag(h) | e.clock())
	if t.count >= len(t.buckets) {
		t.resize(max(minTableSize, 2*len(t.buckets)))
	}
	i := h & t.mask()
	e.next = t.buckets[i]
	t.buckets[i] = e
	t.count++
}

// remove unlinks e, which must be in the table.
func (t *table) remove(e *entry) {
	p := &t.buckets[t.hash(e.key)&t.mask()]
	for *p != e {
		p = &(*p).next
	}
	*p = e.next
	e.next = nil
	t.count--
	// Shrink below 10% fill, as Redis does, so a table emptied by deletes
	// gives its memory back.
	if len(t.buckets) > minTableSize && t.count*10 < len(t.buckets) {
		t.resize(max(minTableSize, nextPow2(t.count)))
	}
}

func (t *table) resize(size int) {
	old := t.buckets
	t.buckets = make([]*entry, size)
	m := t.mask()
	for _, e := range old {
		for e != nil {
			next := e.next
			i := t.hash(e.key) & m
			e.next = t.buckets[i]
			t.buckets[i] = e
			e = next
		}
	}
}

func (t *table) clear() {
	t.buckets = nil // the seed stays: it is the database's
	t.count = 0
}

// scan calls fn for every entry in the bucket cursor names, and returns the
// next cursor, 0 when the walk is complete. It is Redis's dictScan for a
// table that is never mid-rehash: the cursor's bits are incremented from
// the top, so buckets split or merged by a resize between two calls are
// neither skipped nor, when the table grew, visited twice.
func (t *table) scan(cursor uint64, fn func(*entry)) uint64 {
	if len(t.buckets) == 0 {
		return 0
	}
	m := t.mask()
	for e := t.buckets[cursor&m]; e != nil; e = e.next {
		fn(e)
	}
	cursor |= ^m
	cursor = bits.Reverse64(cursor)
	cursor++
	return bits.Reverse64(cursor)
}

func nextPow2(n int) int {
	if n <= 1 {
		return 1
	}
	return 1 << bits.Len(uint(n-1))
}
