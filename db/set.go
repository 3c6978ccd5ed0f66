package db

import (
	"maps"
	"slices"
	"strconv"

	"github.com/mini-redis/mini-redis/internal/redisint"
)

// A Set is a set value: distinct byte strings, changed in place.
//
// A set of integers is an "intset", as in Redis: a sorted slice of int64,
// searched by bisection, so SMEMBERS of an intset replies in ascending
// order, as Redis's does. A member counts as an integer only if Redis
// would store it as one: an int64 written canonically ("-3", not "+3",
// "03", "-0" or " 3"). Any other set is a "hashtable": a dense slice of
// members with an index from member to position, deleting by moving the
// last member into the hole, so that adds, removes, lookups and random
// picks are O(1).
//
// A set becomes a hashtable, for good, when a command adds a member that
// is not an integer, or leaves it with more than
// EncodingLimits.SetMaxIntsetEntries members (Redis 7.0.15: 512 integers
// stay an intset, the 513th converts, and removing members never converts
// back; Redis 7.0 has no listpack sets; checked against redis-server).
type Set struct {
	colHeader
	ints    []int64          // sorted, while intset
	members []string         // while hashtable
	index   map[string]int32 // nil while intset
	bytes   int              // total length of the members, while hashtable
}

// The parts of a Set's Size.
const (
	setHeaderSize    = 64
	intsetEntrySize  = 8
	setMemberSize    = 16 // a string header in the dense slice
	setElemOverhead  = 16 // allocator rounding of a member
	setIndexOverhead = 48 // a map entry
)

// NewSet returns an empty set, an intset until a member says otherwise.
func NewSet() *Set { return &Set{} }

// Type returns TypeSet.
func (s *Set) Type() Type { return TypeSet }

// Encoding returns "intset" or "hashtable".
func (s *Set) Encoding() string {
	if s.index == nil {
		return "intset"
	}
	return "hashtable"
}

// Size returns the approximate number of bytes the set takes, in O(1).
func (s *Set) Size() int {
	if s.index == nil {
		return setHeaderSize + cap(s.ints)*intsetEntrySize
	}
	return setHeaderSize + cap(s.members)*setMemberSize + s.bytes +
		len(s.members)*(setElemOverhead+setIndexOverhead)
}

// Len returns the number of members (SCARD).
func (s *Set) Len() int {
	if s.index == nil {
		return len(s.ints)
	}
	return len(s.members)
}

// Contains reports whether m is a member (SISMEMBER).
func (s *Set) Contains(m []byte) bool {
	if s.index != nil {
		_, ok := s.index[string(m)]
		return ok
	}
	n, ok := parseIntsetMember(m)
	if !ok {
		return false
	}
	_, found := slices.BinarySearch(s.ints, n)
	return found
}

// Add adds m and reports whether it was not a member yet (SADD). lim
// decides whether the set must become a hashtable.
func (s *Set) Add(m []byte, lim EncodingLimits) bool {
	if s.index == nil {
		n, ok := parseIntsetMember(m)
		if ok {
			i, found := slices.BinarySearch(s.ints, n)
			if found {
				return false
			}
			s.ints = slices.Insert(s.ints, i, n)
			s.mods++
			if len(s.ints) > lim.SetMaxIntsetEntries {
				s.convert()
			}
			return true
		}
		s.convert()
	}
	if _, ok := s.index[string(m)]; ok {
		return false
	}
	s.appendMember(string(m))
	s.mods++
	return true
}

func (s *Set) appendMember(m string) {
	s.index[m] = int32(len(s.members))
	s.members = append(s.members, m)
	s.bytes += len(m)
}

// convert makes the set a hashtable.
func (s *Set) convert() {
	s.index = make(map[string]int32, len(s.ints))
	s.members = make([]string, 0, len(s.ints))
	for _, n := range s.ints {
		s.appendMember(strconv.FormatInt(n, 10))
	}
	s.ints = nil
}

// Remove removes m and reports whether it was a member (SREM).
func (s *Set) Remove(m []byte) bool {
	if s.index == nil {
		n, ok := parseIntsetMember(m)
		if !ok {
			return false
		}
		i, found := slices.BinarySearch(s.ints, n)
		if !found {
			return false
		}
		s.removeAt(i)
		return true
	}
	i, ok := s.index[string(m)]
	if !ok {
		return false
	}
	s.removeAt(int(i))
	return true
}

// removeAt removes the member at position i.
func (s *Set) removeAt(i int) {
	s.mods++
	if s.index == nil {
		s.ints = slices.Delete(s.ints, i, i+1)
		if cap(s.ints) > 16 && len(s.ints) < cap(s.ints)/4 {
			s.ints = slices.Clone(s.ints)
		}
		return
	}
	m := s.members[i]
	delete(s.index, m)
	s.bytes -= len(m)
	last := len(s.members) - 1
	if i != last {
		s.members[i] = s.members[last]
		s.index[s.members[i]] = int32(i)
	}
	s.members[last] = ""
	s.members = s.members[:last]
	if cap(s.members) > 16 && len(s.members) < cap(s.members)/4 {
		s.members = slices.Clone(s.members)
	}
}

// At returns the member at position i, 0 <= i < Len: with Len, what
// SRANDMEMBER needs to sample. An intset's members are in ascending order.
func (s *Set) At(i int) string {
	if s.index == nil {
		return strconv.FormatInt(s.ints[i], 10)
	}
	return s.members[i]
}

// Random returns a uniformly chosen member, or false if the set is empty
// (SRANDMEMBER).
func (s *Set) Random(r Rand) (string, bool) {
	n := s.Len()
	if n == 0 {
		return "", false
	}
	return s.At(int(r.Uint64N(uint64(n)))), true
}

// Pop removes and returns a uniformly chosen member, or false if the set
// is empty (SPOP).
func (s *Set) Pop(r Rand) (string, bool) {
	n := s.Len()
	if n == 0 {
		return "", false
	}
	i := int(r.Uint64N(uint64(n)))
	m := s.At(i)
	s.removeAt(i)
	return m, true
}

// Range calls fn with every member, ascending for an intset, until fn
// returns false (SMEMBERS).
func (s *Set) Range(fn func(m string) bool) {
	for i := range s.Len() {
		if !fn(s.At(i)) {
			return
		}
	}
}

// Scan continues an SSCAN from cursor (0 to start), as Hash.Scan does: an
// intset is returned whole in one call, as Redis does.
func (s *Set) Scan(cursor uint64, count int, fn func(m string)) uint64 {
	return scanDense(s.index == nil, s.Len(), cursor, count, func(i int) { fn(s.At(i)) })
}

// Clone returns a copy of the set in the same encoding that shares no
// memory with it (COPY). Members are strings, which are immutable, so
// they are shared.
func (s *Set) Clone() *Set {
	c := &Set{bytes: s.bytes}
	if s.index == nil {
		c.ints = make([]int64, len(s.ints), cap(s.ints))
		copy(c.ints, s.ints)
		return c
	}
	c.members = make([]string, len(s.members), cap(s.members))
	copy(c.members, s.members)
	c.index = maps.Clone(s.index)
	return c
}

func (s *Set) clone() collection { return s.Clone() }

// cow is clone: members are strings, shared either way.
func (s *Set) cow() collection { return s.Clone() }

// parseIntsetMember parses m if Redis would store it in an intset: an
// int64 in canonical form, as its string2ll accepts. It allocates nothing.
func parseIntsetMember(m []byte) (int64, bool) { return redisint.Parse(m) }
