package db

import (
	"bytes"
	"maps"
	"slices"
)

// A Hash is a hash value: fields mapped to values, changed in place.
//
// Its fields are a dense slice of pairs. In a small hash ("listpack", as
// Redis calls its compact encoding) the slice is in insertion order:
// HGETALL of a small hash replies in insertion order in Redis, a changed
// value keeps its field's place and a deleted field closes the gap
// (O(Len), like a listpack's). Past a few fields an index from field to
// position makes lookups O(1) in either encoding, where Redis's listpack
// searches linearly. A large hash ("hashtable") deletes by moving the last
// pair into the hole, so every operation is O(1) and its order is
// unspecified, as a Redis dict's is. The dense slice gives both encodings
// O(1) random access for HRANDFIELD, and a cursor for HSCAN (see Scan).
//
// A hash becomes a hashtable, for good, when a command gives it a field or
// value longer than EncodingLimits.HashMaxListpackValue, or leaves it with
// more than HashMaxListpackEntries fields (Redis 7.0.15: 512 fields stay
// listpack, the 513th converts; a 64-byte value stays, 65 bytes converts;
// HDEL never converts back; a Set that changes a value converts a hash
// over a lowered limit; checked against redis-server).
//
// As with a List's elements, a value's array is never written once it is
// in a Hash: a command may keep the values it read past Close, and must
// not modify them.
type Hash struct {
	colHeader
	pairs []hashPair
	index map[string]int32 // field to position; nil while small
	table bool             // the "hashtable" encoding
	bytes int              // total length of fields and values
}

// hashIndexMin is the number of fields past which a listpack hash is
// indexed: below it, a linear search is as fast as a map's.
const hashIndexMin = 16

type hashPair struct {
	field string
	value []byte
}

// The parts of a Hash's Size.
const (
	hashHeaderSize    = 64
	hashPairSize      = 40 // a hashPair in the slice
	hashElemOverhead  = 32 // allocator rounding of a field and a value
	hashIndexOverhead = 48 // a map entry: key header, position, bucket share
)

// NewHash returns an empty hash.
func NewHash() *Hash { return &Hash{} }

// Type returns TypeHash.
func (h *Hash) Type() Type { return TypeHash }

// Encoding returns "listpack" or "hashtable".
func (h *Hash) Encoding() string {
	if !h.table {
		return "listpack"
	}
	return "hashtable"
}

// Size returns the approximate number of bytes the hash takes, in O(1).
func (h *Hash) Size() int {
	n := hashHeaderSize + cap(h.pairs)*hashPairSize + h.bytes + len(h.pairs)*hashElemOverhead
	if h.index != nil {
		n += len(h.pairs) * hashIndexOverhead
	}
	return n
}

// Len returns the number of fields.
func (h *Hash) Len() int { return len(h.pairs) }

func (h *Hash) find(field []byte) int {
	if h.index != nil {
		if i, ok := h.index[string(field)]; ok {
			return int(i)
		}
		return -1
	}
	for i := range h.pairs {
		if h.pairs[i].field == string(field) {
			return i
		}
	}
	return -1
}

// Get returns the value of field, or false if the hash has no such field.
func (h *Hash) Get(field []byte) ([]byte, bool) {
	if i := h.find(field); i >= 0 {
		return h.pairs[i].value, true
	}
	return nil, false
}

// Has reports whether the hash has field.
func (h *Hash) Has(field []byte) bool { return h.find(field) >= 0 }

// Set gives field a copy of value and reports whether the field is new
// (HSET). lim decides whether the hash must become a hashtable: as Redis's
// hashTypeSet, it checks the number of fields after every Set, a change of
// an existing field's value included, so a listpack hash left over its
// limit by a lowered hash-max-listpack-entries converts at its next Set.
func (h *Hash) Set(field, value []byte, lim EncodingLimits) (added bool) {
	if !h.table && (len(field) > lim.HashMaxListpackValue || len(value) > lim.HashMaxListpackValue) {
		h.convert()
	}
	h.mods++
	if i := h.find(field); i >= 0 {
		p := &h.pairs[i]
		h.bytes += len(value) - len(p.value)
		p.value = bytes.Clone(value)
	} else {
		added = true
		h.pairs = append(h.pairs, hashPair{field: string(field), value: bytes.Clone(value)})
		h.bytes += len(field) + len(value)
		if h.index != nil {
			h.index[h.pairs[len(h.pairs)-1].field] = int32(len(h.pairs) - 1)
		} else if len(h.pairs) > hashIndexMin {
			h.buildIndex()
		}
	}
	if !h.table && len(h.pairs) > lim.HashMaxListpackEntries {
		h.convert()
	}
	return added
}

// convert makes the hash a hashtable.
func (h *Hash) convert() {
	h.table = true
	if h.index == nil {
		h.buildIndex()
	}
}

func (h *Hash) buildIndex() {
	h.index = make(map[string]int32, len(h.pairs))
	for i, p := range h.pairs {
		h.index[p.field] = int32(i)
	}
}

// Delete removes field and reports whether it was there (HDEL).
func (h *Hash) Delete(field []byte) bool {
	i := h.find(field)
	if i < 0 {
		return false
	}
	h.mods++
	p := h.pairs[i]
	h.bytes -= len(p.field) + len(p.value)
	last := len(h.pairs) - 1
	if h.index != nil {
		delete(h.index, p.field)
	}
	if h.table {
		if i != last {
			h.pairs[i] = h.pairs[last]
			h.index[h.pairs[i].field] = int32(i)
		}
		h.pairs[last] = hashPair{}
		h.pairs = h.pairs[:last]
	} else {
		h.pairs = slices.Delete(h.pairs, i, i+1)
		if h.index != nil {
			for j := i; j < len(h.pairs); j++ {
				h.index[h.pairs[j].field] = int32(j)
			}
		}
	}
	h.shrink()
	return true
}

// shrink gives back the array of a hash that lost most of its fields.
func (h *Hash) shrink() {
	if cap(h.pairs) > 16 && len(h.pairs) < cap(h.pairs)/4 {
		h.pairs = slices.Clone(h.pairs)
	}
}

// At returns the field and value at position i, 0 <= i < Len: with Len,
// what HRANDFIELD needs to sample.
func (h *Hash) At(i int) (field string, value []byte) {
	p := h.pairs[i]
	return p.field, p.value
}

// Random returns a uniformly chosen field and its value, or false if the
// hash is empty.
func (h *Hash) Random(r Rand) (field string, value []byte, ok bool) {
	if len(h.pairs) == 0 {
		return "", nil, false
	}
	field, value = h.At(int(r.Uint64N(uint64(len(h.pairs)))))
	return field, value, true
}

// Range calls fn with every field and value, in insertion order for a
// listpack hash, until fn returns false (HGETALL, HKEYS, HVALS).
func (h *Hash) Range(fn func(field string, value []byte) bool) {
	for _, p := range h.pairs {
		if !fn(p.field, p.value) {
			return
		}
	}
}

// Scan continues an HSCAN from cursor (0 to start) over about count
// fields, calling fn for each, and returns the next cursor, 0 when done.
// A listpack hash is returned whole in one call, as Redis does. A
// hashtable is walked from the end of its dense slice towards the start:
// the cursor is how many positions remain. New fields are appended behind
// the cursor and deletes move the last pair, which the walk has already
// passed, into the hole, so a field present from the first call to the
// last is returned at least once, Redis's SCAN guarantee; a field may come
// twice.
func (h *Hash) Scan(cursor uint64, count int, fn func(field string, value []byte)) uint64 {
	return scanDense(!h.table, len(h.pairs), cursor, count, func(i int) {
		fn(h.pairs[i].field, h.pairs[i].value)
	})
}

// scanDense is Scan over n positions of a dense slice that deletes by
// moving its last element (see Hash.Scan); all returns everything at once.
func scanDense(all bool, n int, cursor uint64, count int, visit func(i int)) uint64 {
	if all {
		for i := 0; i < n; i++ {
			visit(i)
		}
		return 0
	}
	c := n
	if cursor != 0 && cursor < uint64(n) {
		c = int(cursor)
	}
	stop := max(0, c-max(1, count))
	for i := c - 1; i >= stop; i-- {
		visit(i)
	}
	return uint64(stop)
}

// Clone returns a copy of the hash in the same encoding that shares no
// memory with it (COPY).
func (h *Hash) Clone() *Hash {
	c := &Hash{pairs: make([]hashPair, len(h.pairs), cap(h.pairs)), table: h.table, bytes: h.bytes}
	for i, p := range h.pairs {
		c.pairs[i] = hashPair{field: p.field, value: bytes.Clone(p.value)}
	}
	if h.index != nil {
		c.index = maps.Clone(h.index)
	}
	return c
}

func (h *Hash) clone() collection { return h.Clone() }

func (h *Hash) cow() collection {
	return &Hash{pairs: append(make([]hashPair, 0, cap(h.pairs)), h.pairs...), index: maps.Clone(h.index), table: h.table, bytes: h.bytes}
}

// DeleteFields removes the fields named and returns how many were there
// (HDEL). An indexed listpack hash closes its gaps and renumbers its index
// once, however many fields go: one Delete at a time would renumber every
// field after each, O(Len) map writes a field, where Redis's listpack only
// moves bytes.
func (h *Hash) DeleteFields(fields [][]byte) int {
	if h.table || h.index == nil || len(fields) < 2 {
		n := 0
		for _, f := range fields {
			if h.Delete(f) {
				n++
			}
		}
		return n
	}
	var at []int
	for _, f := range fields {
		if i := h.find(f); i >= 0 {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return 0
	}
	slices.Sort(at)
	at = slices.Compact(at) // a field named twice goes once
	h.mods++
	w, next := at[0], 0
	for r := at[0]; r < len(h.pairs); r++ {
		p := h.pairs[r]
		if next < len(at) && at[next] == r {
			next++
			h.bytes -= len(p.field) + len(p.value)
			delete(h.index, p.field)
			continue
		}
		h.pairs[w] = p
		h.index[p.field] = int32(w)
		w++
	}
	clear(h.pairs[w:])
	h.pairs = h.pairs[:w]
	h.shrink()
	return len(at)
}
