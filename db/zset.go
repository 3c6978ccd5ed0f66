package db

// Sorted sets: the ZSet value and its API.
//
// A ZSet holds distinct members, each with a float64 score, ordered by
// score and, among equal scores, by the members' bytes (memcmp, as Redis's
// sdscmp). Positions in that order are ranks, 0-based here (Redis's
// skiplist ranks are 1-based; its commands' ranks are 0-based, as these).
//
//   - Change: Add (with ZAddFlags, Redis's zsetAdd: NX XX GT LT INCR; it
//     returns ZAddResult and the new score), Remove, RemoveRangeByRank,
//     Pop (ZPOPMIN/ZPOPMAX's step), Compact (zsetConvertToListpackIfNeeded).
//   - Lookup: Len, Score, Rank (either direction), ByRank.
//   - Ranges: a range by score or lex is turned into the ranks of the
//     members in it, ScoreRanks(ScoreRange) and LexRanks(LexRange, rev),
//     which RangeByRank then walks either way, and RemoveRangeByRank
//     removes; counts are differences of ranks, O(log n).
//   - Whole set: Range (ascending), Scan (ZSCAN's cursor), At and Random
//     (uniform picks for ZRANDMEMBER), Clone (COPY).
//
// Get one with KeyLock.MutableZSet (to change it in place) or ReadZSet, as
// the other collections (collection.go): the same snapshot, size and WATCH
// bookkeeping applies, and a zset left empty is deleted by Close. NewZSet
// makes one to store with KeyLock.Set (ZRANGESTORE).
//
// Encodings, as Redis 7.0.15's: a small set is a "listpack", here a slice
// of (member, score) pairs in order, searched by bisection for scores and
// linearly for members, as Redis's listpack is (O(n) with n at most
// zset-max-listpack-entries, 128 by default). A set that would get more
// than EncodingLimits.ZSetMaxListpackEntries members, or a member longer
// than ZSetMaxListpackValue bytes, becomes a "skiplist", for good (only
// Compact converts back, as Redis's stores do): a skip list with spans, so
// that rank lookups and walks to a rank are O(log n), plus a map from
// member to node and a dense slice of the nodes, which give O(1) score
// lookups, uniform random picks and a ZSCAN cursor that survives changes
// (see Hash.Scan).

import (
	"math"
	"slices"
	"sort"
)

// A ZSet is a sorted set value, changed in place (see the top of zset.go).
type ZSet struct {
	colHeader
	lp    []zsetPair // in order, while listpack
	sl    *zskiplist // non-nil while skiplist
	bytes int        // total length of the members
}

type zsetPair struct {
	member string
	score  float64
}

// The parts of a ZSet's Size.
const (
	zsetHeaderSize    = 64
	zsetPairSize      = 24 // a zsetPair in the listpack slice
	zsetElemOverhead  = 16 // allocator rounding of a member
	zslNodeSize       = 72 // a node without its levels beyond the first
	zslLevelSize      = 16
	zsetIndexOverhead = 56 // a map entry and a slot in the dense slice
)

// NewZSet returns an empty sorted set, a listpack until its members say
// otherwise.
func NewZSet() *ZSet { return &ZSet{} }

// Type returns TypeZSet.
func (z *ZSet) Type() Type { return TypeZSet }

// Encoding returns "listpack" or "skiplist".
func (z *ZSet) Encoding() string {
	if z.sl == nil {
		return "listpack"
	}
	return "skiplist"
}

// Size returns the approximate number of bytes the set takes, in O(1).
func (z *ZSet) Size() int {
	if z.sl == nil {
		return zsetHeaderSize + cap(z.lp)*zsetPairSize + z.bytes + len(z.lp)*zsetElemOverhead
	}
	n := z.sl.length
	return zsetHeaderSize + z.bytes + n*(zsetElemOverhead+zslNodeSize+zsetIndexOverhead) +
		(z.sl.levels-n)*zslLevelSize + cap(z.sl.dense)*8
}

// Len returns the number of members (ZCARD).
func (z *ZSet) Len() int {
	if z.sl == nil {
		return len(z.lp)
	}
	return z.sl.length
}

// zless orders (s1, m1) before (s2, m2).
func zless(s1 float64, m1 string, s2 float64, m2 string) bool {
	return s1 < s2 || s1 == s2 && m1 < m2
}

// lpFind returns the position of member in the listpack, or -1.
func (z *ZSet) lpFind(member []byte) int {
	for i := range z.lp {
		if z.lp[i].member == string(member) {
			return i
		}
	}
	return -1
}

// lpSearch returns where (score, member) goes in the listpack.
func (z *ZSet) lpSearch(score float64, member string) int {
	return sort.Search(len(z.lp), func(i int) bool {
		return !zless(z.lp[i].score, z.lp[i].member, score, member)
	})
}

// Score returns the score of member, or false if it is not a member
// (ZSCORE).
func (z *ZSet) Score(member []byte) (float64, bool) {
	if z.sl != nil {
		if n, ok := z.sl.index[string(member)]; ok {
			return n.score, true
		}
		return 0, false
	}
	if i := z.lpFind(member); i >= 0 {
		return z.lp[i].score, true
	}
	return 0, false
}

// ZAddFlags are the options of an Add, Redis's ZADD_IN_* flags.
type ZAddFlags uint8

// The Add options.
const (
	// ZAddIncr adds the score to the member's score (ZINCRBY, ZADD INCR).
	ZAddIncr ZAddFlags = 1 << iota
	// ZAddNX only adds new members.
	ZAddNX
	// ZAddXX only updates existing members.
	ZAddXX
	// ZAddGT only updates a member to a greater score.
	ZAddGT
	// ZAddLT only updates a member to a lower score.
	ZAddLT
)

// ZAddResult is what an Add did, Redis's ZADD_OUT_* flags.
type ZAddResult uint8

// The Add results. An update to the member's current score is none of
// them: processed (it counts for ZADD INCR's reply), but neither added
// nor updated.
const (
	// ZAddUnchanged: the member kept its score, which was the one asked.
	ZAddUnchanged ZAddResult = iota
	// ZAddAdded: the member is new.
	ZAddAdded
	// ZAddUpdated: the member's score changed.
	ZAddUpdated
	// ZAddNop: the flags stopped the change (NX, XX, GT, LT).
	ZAddNop
	// ZAddNaN: the score, or the sum with INCR, is not a number; nothing
	// changed.
	ZAddNaN
)

// Add adds member with score, or updates its score, as the flags say
// (Redis's zsetAdd), and returns what it did and the member's score after
// it (meaningful unless the result is ZAddNop or ZAddNaN). lim decides
// whether the set must become a skiplist: a new member longer than
// ZSetMaxListpackValue, or one past ZSetMaxListpackEntries members,
// converts it first.
func (z *ZSet) Add(member []byte, score float64, flags ZAddFlags, lim EncodingLimits) (ZAddResult, float64) {
	if math.IsNaN(score) {
		return ZAddNaN, 0
	}
	cur, exists := z.Score(member)
	if exists {
		if flags&ZAddNX != 0 {
			return ZAddNop, cur
		}
		if flags&ZAddIncr != 0 {
			score += cur
			if math.IsNaN(score) {
				return ZAddNaN, 0
			}
		}
		if flags&ZAddLT != 0 && score >= cur || flags&ZAddGT != 0 && score <= cur {
			return ZAddNop, cur
		}
		// Redis compares with ==, so 0 and -0 are the same score and
		// the member keeps its old one.
		if score == cur {
			return ZAddUnchanged, score
		}
		z.mods++
		if z.sl != nil {
			z.sl.updateScore(z.sl.index[string(member)], score)
			return ZAddUpdated, score
		}
		i := z.lpFind(member)
		m := z.lp[i].member
		z.lp = slices.Delete(z.lp, i, i+1)
		z.lpInsert(m, score)
		return ZAddUpdated, score
	}
	if flags&ZAddXX != 0 {
		return ZAddNop, 0
	}
	if z.sl == nil && (len(z.lp)+1 > lim.ZSetMaxListpackEntries || len(member) > lim.ZSetMaxListpackValue) {
		z.convert()
	}
	z.mods++
	m := string(member)
	z.bytes += len(m)
	if z.sl != nil {
		z.sl.insert(score, m)
		return ZAddAdded, score
	}
	z.lpInsert(m, score)
	return ZAddAdded, score
}

// lpInsert puts member at its place in the listpack. A listpack stores a
// score as text, and Redis's stores -0 as "0": ZSCORE and the encoding
// conversion then give 0, though the command that set it replied -0.
func (z *ZSet) lpInsert(member string, score float64) {
	if score == 0 {
		score = 0
	}
	j := z.lpSearch(score, member)
	z.lp = slices.Insert(z.lp, j, zsetPair{member: member, score: score})
}

// convert makes the set a skiplist.
func (z *ZSet) convert() {
	sl := newSkiplist(len(z.lp))
	for _, p := range z.lp {
		sl.appendTail(p.score, p.member)
	}
	z.sl, z.lp = sl, nil
}

// Compact makes a skiplist set a listpack again if it fits lim: no more
// members than ZSetMaxListpackEntries, none longer than
// ZSetMaxListpackValue, as Redis's zsetConvertToListpackIfNeeded does for
// the sets its store commands build (ZRANGESTORE, ZUNIONSTORE...).
func (z *ZSet) Compact(lim EncodingLimits) {
	if z.sl == nil || z.sl.length > lim.ZSetMaxListpackEntries {
		return
	}
	lp := make([]zsetPair, 0, z.sl.length)
	for x := z.sl.head.level[0].forward; x != nil; x = x.level[0].forward {
		if len(x.member) > lim.ZSetMaxListpackValue {
			return
		}
		lp = append(lp, zsetPair{member: x.member, score: x.score})
	}
	z.lp, z.sl = lp, nil
}

// Remove removes member and reports whether it was one (ZREM).
func (z *ZSet) Remove(member []byte) bool {
	if z.sl != nil {
		x, ok := z.sl.index[string(member)]
		if !ok {
			return false
		}
		z.mods++
		z.bytes -= len(x.member)
		z.sl.remove(x)
		return true
	}
	i := z.lpFind(member)
	if i < 0 {
		return false
	}
	z.lpRemove(i, i+1)
	return true
}

// lpRemove removes the listpack's pairs [i, j).
func (z *ZSet) lpRemove(i, j int) {
	z.mods++
	for _, p := range z.lp[i:j] {
		z.bytes -= len(p.member)
	}
	z.lp = slices.Delete(z.lp, i, j)
	if cap(z.lp) > 16 && len(z.lp) < cap(z.lp)/4 {
		z.lp = slices.Clone(z.lp)
	}
}

// Rank returns the rank of member, counted from the lowest (or, if rev,
// the highest) score, and its score; false if it is not a member (ZRANK,
// ZREVRANK).
func (z *ZSet) Rank(member []byte, rev bool) (rank int, score float64, ok bool) {
	if z.sl != nil {
		x, found := z.sl.index[string(member)]
		if !found {
			return 0, 0, false
		}
		rank, score = z.sl.rank(x.score, x.member)-1, x.score
	} else {
		i := z.lpFind(member)
		if i < 0 {
			return 0, 0, false
		}
		rank, score = i, z.lp[i].score
	}
	if rev {
		rank = z.Len() - 1 - rank
	}
	return rank, score, true
}

// ByRank returns the member and score of rank r, 0 <= r < Len, counted
// from the lowest score.
func (z *ZSet) ByRank(r int) (member string, score float64) {
	if z.sl != nil {
		x := z.sl.byRank(r + 1)
		return x.member, x.score
	}
	return z.lp[r].member, z.lp[r].score
}

// RangeByRank calls fn with the members of ranks start to stop inclusive
// (0 <= start, stop < Len, counted from the lowest score) and their
// scores, from start up, or, if rev, from stop down, until fn returns
// false (ZRANGE).
func (z *ZSet) RangeByRank(start, stop int, rev bool, fn func(member string, score float64) bool) {
	if start > stop {
		return
	}
	if z.sl == nil {
		if !rev {
			for i := start; i <= stop; i++ {
				if !fn(z.lp[i].member, z.lp[i].score) {
					return
				}
			}
			return
		}
		for i := stop; i >= start; i-- {
			if !fn(z.lp[i].member, z.lp[i].score) {
				return
			}
		}
		return
	}
	if !rev {
		x := z.sl.byRank(start + 1)
		for n := stop - start + 1; n > 0 && x != nil; n-- {
			if !fn(x.member, x.score) {
				return
			}
			x = x.level[0].forward
		}
		return
	}
	x := z.sl.byRank(stop + 1)
	for n := stop - start + 1; n > 0 && x != nil; n-- {
		if !fn(x.member, x.score) {
			return
		}
		x = x.backward
	}
}

// Range calls fn with every member and its score, from the lowest score
// up, until fn returns false.
func (z *ZSet) Range(fn func(member string, score float64) bool) {
	if n := z.Len(); n > 0 {
		z.RangeByRank(0, n-1, false, fn)
	}
}

// RemoveRangeByRank removes the members of ranks start to stop inclusive
// (0 <= start, stop < Len, counted from the lowest score) and returns how
// many it removed (ZREMRANGEBYRANK, and the BYSCORE and BYLEX removals
// through ScoreRanks and LexRanks).
func (z *ZSet) RemoveRangeByRank(start, stop int) int {
	if start > stop {
		return 0
	}
	n := stop - start + 1
	if z.sl == nil {
		z.lpRemove(start, stop+1)
		return n
	}
	z.mods++
	z.bytes -= z.sl.removeRanks(start+1, stop+1)
	return n
}

// Pop removes and returns the member with the lowest score (or, if max,
// the highest), or false if the set is empty (ZPOPMIN, ZPOPMAX).
func (z *ZSet) Pop(max bool) (member string, score float64, ok bool) {
	n := z.Len()
	if n == 0 {
		return "", 0, false
	}
	r := 0
	if max {
		r = n - 1
	}
	member, score = z.ByRank(r)
	z.RemoveRangeByRank(r, r)
	return member, score, true
}

// At returns the member and score at position i, 0 <= i < Len, in an
// order of the set's own that changes with it (ascending for a listpack):
// with Len, what ZRANDMEMBER needs to sample.
func (z *ZSet) At(i int) (member string, score float64) {
	if z.sl != nil {
		x := z.sl.dense[i]
		return x.member, x.score
	}
	return z.lp[i].member, z.lp[i].score
}

// Random returns a uniformly chosen member and its score, or false if the
// set is empty (ZRANDMEMBER).
func (z *ZSet) Random(r Rand) (member string, score float64, ok bool) {
	n := z.Len()
	if n == 0 {
		return "", 0, false
	}
	member, score = z.At(int(r.Uint64N(uint64(n))))
	return member, score, true
}

// Scan continues a ZSCAN from cursor (0 to start), as Hash.Scan does: a
// listpack is returned whole, in order, in one call, as Redis does; a
// skiplist is walked through its dense slice of nodes.
func (z *ZSet) Scan(cursor uint64, count int, fn func(member string, score float64)) uint64 {
	if z.sl == nil {
		return scanDense(true, len(z.lp), cursor, count, func(i int) { fn(z.lp[i].member, z.lp[i].score) })
	}
	return scanDense(false, len(z.sl.dense), cursor, count, func(i int) {
		x := z.sl.dense[i]
		fn(x.member, x.score)
	})
}

// Clone returns a copy of the set in the same encoding that shares no
// memory with it but the members' strings, which are immutable (COPY).
func (z *ZSet) Clone() *ZSet {
	c := &ZSet{bytes: z.bytes}
	if z.sl == nil {
		c.lp = make([]zsetPair, len(z.lp), cap(z.lp))
		copy(c.lp, z.lp)
		return c
	}
	c.sl = newSkiplist(z.sl.length)
	for x := z.sl.head.level[0].forward; x != nil; x = x.level[0].forward {
		c.sl.appendTail(x.score, x.member)
	}
	return c
}

func (z *ZSet) clone() collection { return z.Clone() }

// cow is clone: a skip list's nodes are changed in place, so a snapshot's
// copy cannot share them; members are strings, shared either way.
func (z *ZSet) cow() collection { return z.Clone() }

// ScoreRange is a range of scores, ZRANGEBYSCORE's min and max, each
// inclusive unless its Ex is set; they may be infinite.
type ScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool
}

// Empty reports whether no score can be in the range (Redis's test at the
// top of zslIsInRange).
func (r ScoreRange) Empty() bool {
	return r.Min > r.Max || r.Min == r.Max && (r.MinEx || r.MaxEx)
}

func (r ScoreRange) gteMin(s float64) bool {
	if r.MinEx {
		return s > r.Min
	}
	return s >= r.Min
}

func (r ScoreRange) lteMax(s float64) bool {
	if r.MaxEx {
		return s < r.Max
	}
	return s <= r.Max
}

// LexBound is one end of a range of members (ZRANGEBYLEX's min or max):
// "-" (Inf -1) is below every member, "+" (Inf 1) above every member;
// otherwise Value, inclusive ("[") unless Exclusive ("(").
type LexBound struct {
	Value     string
	Exclusive bool
	Inf       int
}

// cmp compares member with the bound, as Redis's sdscmplex does with its
// shared minstring and maxstring.
func (b LexBound) cmp(member string) int {
	switch {
	case b.Inf < 0:
		return 1
	case b.Inf > 0:
		return -1
	case member < b.Value:
		return -1
	case member > b.Value:
		return 1
	}
	return 0
}

// LexRange is a range of members, ZRANGEBYLEX's min and max.
type LexRange struct {
	Min, Max LexBound
}

// Empty reports whether no member can be in the range (the test at the
// top of Redis's zslIsInLexRange).
func (r LexRange) Empty() bool {
	var c int
	switch {
	case r.Min.Inf == r.Max.Inf && r.Min.Inf != 0:
		c = 0 // the same shared string
	case r.Min.Inf < 0 || r.Max.Inf > 0:
		c = -1
	case r.Min.Inf > 0 || r.Max.Inf < 0:
		c = 1
	default:
		c = compareStrings(r.Min.Value, r.Max.Value)
	}
	excl := r.Min.Exclusive || r.Min.Inf != 0 || r.Max.Exclusive || r.Max.Inf != 0
	return c > 0 || c == 0 && excl
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (r LexRange) gteMin(m string) bool {
	c := r.Min.cmp(m)
	if r.Min.Exclusive || r.Min.Inf != 0 {
		return c > 0
	}
	return c >= 0
}

func (r LexRange) lteMax(m string) bool {
	c := r.Max.cmp(m)
	if r.Max.Exclusive || r.Max.Inf != 0 {
		return c < 0
	}
	return c <= 0
}

// ScoreRanks returns the ranks [first, end) of the members whose scores
// are in r, counted from the lowest score; first >= end when there are
// none. O(log n).
func (z *ZSet) ScoreRanks(r ScoreRange) (first, end int) {
	if r.Empty() {
		return 0, 0
	}
	gte := func(_ string, s float64) bool { return r.gteMin(s) }
	lte := func(_ string, s float64) bool { return r.lteMax(s) }
	return z.block(gte, lte, false)
}

// LexRanks returns the ranks [first, end) of the members in r, counted
// from the lowest score; first >= end when there are none. The members
// are in lex order when their scores are equal, which a lex range
// assumes; when they are not, the range is found as Redis finds it: from
// the lowest rank up, the first member at or past the minimum and those
// after it up to the maximum (or, if rev, from the highest rank down,
// the first member at or below the maximum and those below it down to the
// minimum), searched linearly in a listpack and by the skip list's levels
// in a skiplist.
func (z *ZSet) LexRanks(r LexRange, rev bool) (first, end int) {
	if r.Empty() {
		return 0, 0
	}
	gte := func(m string, _ float64) bool { return r.gteMin(m) }
	lte := func(m string, _ float64) bool { return r.lteMax(m) }
	return z.block(gte, lte, rev)
}

// block finds a range's ranks as Redis's zslFirstInRange or
// zslLastInRange and the walks after them do, gte and lte being the two
// halves of the range test.
func (z *ZSet) block(gte, lte func(m string, s float64) bool, rev bool) (first, end int) {
	n := z.Len()
	if n == 0 {
		return 0, 0
	}
	// Redis's early return: the highest member below the minimum, or the
	// lowest above the maximum.
	if m, s := z.ByRank(n - 1); !gte(m, s) {
		return 0, 0
	}
	if m, s := z.ByRank(0); !lte(m, s) {
		return 0, 0
	}
	if z.sl != nil {
		if !rev {
			first = z.sl.countWhile(func(x *zslNode) bool { return !gte(x.member, x.score) })
			if first == n {
				return 0, 0
			}
			if m, s := z.ByRank(first); !lte(m, s) {
				return 0, 0
			}
			end = z.sl.countWhile(func(x *zslNode) bool { return lte(x.member, x.score) })
			return first, end
		}
		end = z.sl.countWhile(func(x *zslNode) bool { return lte(x.member, x.score) })
		if end == 0 {
			return 0, 0
		}
		if m, s := z.ByRank(end - 1); !gte(m, s) {
			return 0, 0
		}
		first = z.sl.countWhile(func(x *zslNode) bool { return !gte(x.member, x.score) })
		return first, end
	}
	lp := z.lp
	if !rev {
		first = 0
		for first < n && !gte(lp[first].member, lp[first].score) {
			first++
		}
		if first == n || !lte(lp[first].member, lp[first].score) {
			return 0, 0
		}
		end = first + 1
		for end < n && lte(lp[end].member, lp[end].score) {
			end++
		}
		return first, end
	}
	end = n
	for end > 0 && !lte(lp[end-1].member, lp[end-1].score) {
		end--
	}
	if end == 0 || !gte(lp[end-1].member, lp[end-1].score) {
		return 0, 0
	}
	first = end - 1
	for first > 0 && gte(lp[first-1].member, lp[first-1].score) {
		first--
	}
	return first, end
}

// The skip list of a "skiplist" ZSet: Pugh's skip list with, as Redis's
// zskiplist, duplicate scores ordered by member, a backward pointer on
// level 0 and, on every level, the span of each link (how many nodes it
// skips), which makes ranks O(log n).

// zslMaxLevel is ZSKIPLIST_MAXLEVEL; each level is kept with probability
// 1/4, ZSKIPLIST_P.
const zslMaxLevel = 32

type zslLevel struct {
	forward *zslNode
	span    int
}

type zslNode struct {
	member   string
	score    float64
	pos      int // in zskiplist.dense
	backward *zslNode
	level    []zslLevel
	one      [1]zslLevel // level's array for a node of one level, 3 in 4 nodes
}

type zskiplist struct {
	head   zslNode
	tail   *zslNode
	length int
	level  int
	levels int // levels of all nodes, for Size
	index  map[string]*zslNode
	dense  []*zslNode
	// seed is the state of the generator of node levels. Levels are
	// drawn by the set itself, not the store's Rand, so that adds do not
	// disturb the sequence the random commands draw from; a client
	// cannot choose a node's level, since levels depend only on the
	// order of insertions.
	seed uint64
}

func newSkiplist(hint int) *zskiplist {
	sl := &zskiplist{level: 1, index: make(map[string]*zslNode, hint), dense: make([]*zslNode, 0, hint)}
	sl.head.level = make([]zslLevel, zslMaxLevel)
	return sl
}

// randomLevel returns a level from 1 to zslMaxLevel, each one more with
// probability 1/4 (splitmix64 gives two bits a level).
func (sl *zskiplist) randomLevel() int {
	sl.seed += 0x9e3779b97f4a7c15
	r := sl.seed
	r = (r ^ r>>30) * 0xbf58476d1ce4e5b9
	r = (r ^ r>>27) * 0x94d049bb133111eb
	r ^= r >> 31
	level := 1
	for level < zslMaxLevel && r&3 == 0 {
		level++
		r >>= 2
	}
	return level
}

func (sl *zskiplist) newNode(score float64, member string) *zslNode {
	lv := sl.randomLevel()
	x := &zslNode{member: member, score: score}
	if lv == 1 {
		x.level = x.one[:]
	} else {
		x.level = make([]zslLevel, lv)
	}
	return x
}

// insert adds a new node for member, which must not be in the list.
func (sl *zskiplist) insert(score float64, member string) {
	x := sl.newNode(score, member)
	sl.link(x)
	sl.index[member] = x
	x.pos = len(sl.dense)
	sl.dense = append(sl.dense, x)
	sl.levels += len(x.level)
}

// link puts x, not in the list, at its place (zslInsert).
func (sl *zskiplist) link(x *zslNode) {
	var update [zslMaxLevel]*zslNode
	var rank [zslMaxLevel]int
	p := &sl.head
	for i := sl.level - 1; i >= 0; i-- {
		if i < sl.level-1 {
			rank[i] = rank[i+1]
		}
		for f := p.level[i].forward; f != nil && zless(f.score, f.member, x.score, x.member); f = p.level[i].forward {
			rank[i] += p.level[i].span
			p = f
		}
		update[i] = p
	}
	lv := len(x.level)
	if lv > sl.level {
		for i := sl.level; i < lv; i++ {
			rank[i] = 0
			update[i] = &sl.head
			update[i].level[i].span = sl.length
		}
		sl.level = lv
	}
	for i := 0; i < lv; i++ {
		x.level[i].forward = update[i].level[i].forward
		update[i].level[i].forward = x
		x.level[i].span = update[i].level[i].span - (rank[0] - rank[i])
		update[i].level[i].span = rank[0] - rank[i] + 1
	}
	for i := lv; i < sl.level; i++ {
		update[i].level[i].span++
	}
	if update[0] == &sl.head {
		x.backward = nil
	} else {
		x.backward = update[0]
	}
	if x.level[0].forward != nil {
		x.level[0].forward.backward = x
	} else {
		sl.tail = x
	}
	sl.length++
}

// unlink takes x out of the list (zslDelete and zslDeleteNode).
func (sl *zskiplist) unlink(x *zslNode) {
	var update [zslMaxLevel]*zslNode
	p := &sl.head
	for i := sl.level - 1; i >= 0; i-- {
		for f := p.level[i].forward; f != nil && f != x && zless(f.score, f.member, x.score, x.member); f = p.level[i].forward {
			p = f
		}
		update[i] = p
	}
	sl.unlinkWith(x, &update)
}

func (sl *zskiplist) unlinkWith(x *zslNode, update *[zslMaxLevel]*zslNode) {
	for i := 0; i < sl.level; i++ {
		if update[i].level[i].forward == x {
			update[i].level[i].span += x.level[i].span - 1
			update[i].level[i].forward = x.level[i].forward
		} else {
			update[i].level[i].span--
		}
	}
	if x.level[0].forward != nil {
		x.level[0].forward.backward = x.backward
	} else {
		sl.tail = x.backward
	}
	for sl.level > 1 && sl.head.level[sl.level-1].forward == nil {
		sl.level--
	}
	sl.length--
}

// forget removes x from the index and the dense slice.
func (sl *zskiplist) forget(x *zslNode) {
	delete(sl.index, x.member)
	last := len(sl.dense) - 1
	if x.pos != last {
		y := sl.dense[last]
		sl.dense[x.pos] = y
		y.pos = x.pos
	}
	sl.dense[last] = nil
	sl.dense = sl.dense[:last]
	if cap(sl.dense) > 16 && len(sl.dense) < cap(sl.dense)/4 {
		sl.dense = slices.Clone(sl.dense)
	}
	sl.levels -= len(x.level)
}

func (sl *zskiplist) remove(x *zslNode) {
	sl.unlink(x)
	sl.forget(x)
}

// updateScore gives x a new score, moving it if its place changes
// (zslUpdateScore).
func (sl *zskiplist) updateScore(x *zslNode, score float64) {
	if (x.backward == nil || x.backward.score < score) &&
		(x.level[0].forward == nil || x.level[0].forward.score > score) {
		x.score = score
		return
	}
	sl.unlink(x)
	x.score = score
	for i := range x.level {
		x.level[i] = zslLevel{}
	}
	sl.link(x)
}

// appendTail adds member after every node, which it must follow in
// order: building a list from one in order costs O(n) in all.
func (sl *zskiplist) appendTail(score float64, member string) {
	x := sl.newNode(score, member)
	lv := len(x.level)
	if lv > sl.level {
		for i := sl.level; i < lv; i++ {
			sl.head.level[i].span = sl.length
		}
		sl.level = lv
	}
	// The last node of each level is found from the top: walk to the end
	// of each level, keeping how many nodes were passed.
	p, rank := &sl.head, 0
	for i := sl.level - 1; i >= 0; i-- {
		for p.level[i].forward != nil {
			rank += p.level[i].span
			p = p.level[i].forward
		}
		if i < lv {
			x.level[i].forward = nil
			x.level[i].span = 0
			p.level[i].forward = x
			p.level[i].span = sl.length - rank + 1
		} else {
			p.level[i].span++
		}
	}
	x.backward = sl.tail
	sl.tail = x
	sl.length++
	sl.index[member] = x
	x.pos = len(sl.dense)
	sl.dense = append(sl.dense, x)
	sl.levels += lv
}

// rank returns the 1-based rank of (score, member), which is in the list
// (zslGetRank).
func (sl *zskiplist) rank(score float64, member string) int {
	p, rank := &sl.head, 0
	for i := sl.level - 1; i >= 0; i-- {
		for f := p.level[i].forward; f != nil && (f.score < score || f.score == score && f.member <= member); f = p.level[i].forward {
			rank += p.level[i].span
			p = f
		}
		if p != &sl.head && p.member == member {
			return rank
		}
	}
	return 0
}

// byRank returns the node of 1-based rank r, 1 <= r <= length
// (zslGetElementByRank).
func (sl *zskiplist) byRank(r int) *zslNode {
	p, traversed := &sl.head, 0
	for i := sl.level - 1; i >= 0; i-- {
		for p.level[i].forward != nil && traversed+p.level[i].span <= r {
			traversed += p.level[i].span
			p = p.level[i].forward
		}
		if traversed == r {
			return p
		}
	}
	return nil
}

// countWhile walks forward from the head, on every level from the top,
// while the next node satisfies pred, and returns how many nodes it
// passed: for a pred true of a prefix of the list, the prefix's length.
func (sl *zskiplist) countWhile(pred func(*zslNode) bool) int {
	p, rank := &sl.head, 0
	for i := sl.level - 1; i >= 0; i-- {
		for f := p.level[i].forward; f != nil && pred(f); f = p.level[i].forward {
			rank += p.level[i].span
			p = f
		}
	}
	return rank
}

// removeRanks removes the nodes of 1-based ranks start to end inclusive
// and returns the total length of their members (zslDeleteRangeByRank).
func (sl *zskiplist) removeRanks(start, end int) int {
	var update [zslMaxLevel]*zslNode
	p, traversed := &sl.head, 0
	for i := sl.level - 1; i >= 0; i-- {
		for p.level[i].forward != nil && traversed+p.level[i].span < start {
			traversed += p.level[i].span
			p = p.level[i].forward
		}
		update[i] = p
	}
	traversed++
	bytes := 0
	x := p.level[0].forward
	for x != nil && traversed <= end {
		next := x.level[0].forward
		sl.unlinkWith(x, &update)
		sl.forget(x)
		bytes += len(x.member)
		traversed++
		x = next
	}
	return bytes
}
