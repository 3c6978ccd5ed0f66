package server

import (
	"bytes"
	"math"
	"math/big"
	"slices"
	"strings"

	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/db/pubsub"
	"github.com/mini-redis/mini-redis/internal/redisint"
)

// SORT and SORT_RO, as Redis 7.0.15's sort.c runs them, over lists, sets
// and sorted sets: the same option parsing, the same lookups (the sorted
// key and every key a BY or GET pattern names are read lookups, counted
// as hits and misses), the same order of elements, the same
// notifications and dirty counts, and the same conversion of a listpack
// sorted set to a skiplist, which OBJECT ENCODING shows.
//
// The order is Redis's. Numbers compare as doubles, equal ones as byte
// strings, so the order is total. ALPHA compares byte strings with
// strcoll, which in the C and C.UTF-8 locales redis-server runs in is
// strcmp: bytes up to the first NUL. With STORE, Redis compares whole byte
// strings (memcmp) instead. Elements that compare equal keep the order
// they had, as glibc's qsort, a merge sort, keeps them; but with BY and a
// LIMIT that leaves elements out Redis sorts with its partial quicksort
// (pqsort.c), which is not stable, so pqsort here is the same algorithm,
// to leave equal elements where Redis leaves them.
//
// The keys the BY and GET patterns name are known only once the elements
// are, so a SORT with such patterns locks the whole database
// (db.ReadAll, or db.WriteAll with STORE), as Redis, which runs one
// command at a time, in effect does.

func sortCommands() []*command {
	return []*command{
		{name: "sort", flags: flagWrite, run: cmdSort, getKeys: sortKeys},
		{name: "sort_ro", run: cmdSortRO, getKeys: sortROKeys},
	}
}

// sortKeys finds SORT's keys as Redis's sortGetKeys does: the sorted key,
// and the last STORE's destination. It skips LIMIT's two arguments and
// BY's and GET's one, but does not check the options otherwise.
func sortKeys(argv [][]byte) []keyRef {
	keys := []keyRef{{pos: 1, flags: keyRO | keyAccess}}
	for i := 2; i < len(argv); i++ {
		switch {
		case is(argv[i], "limit"):
			i += 2
		case is(argv[i], "get"), is(argv[i], "by"):
			i++
		case is(argv[i], "store") && i+1 < len(argv):
			keys = append(keys[:1], keyRef{pos: i + 1, flags: keyOW | keyUpdate})
		}
	}
	return keys
}

// sortROKeys finds SORT_RO's one key (Redis's sortROGetKeys).
func sortROKeys(argv [][]byte) []keyRef {
	return []keyRef{{pos: 1, flags: keyRO | keyAccess}}
}

// errSortScore is SORT's reply when an element or a BY value is not a
// number and ALPHA was not given.
const errSortScore = "ERR One or more scores can't be converted into double"

// SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]]
// [ASC|DESC] [ALPHA] [STORE destination]
func cmdSort(c *client, args [][]byte) { c.sort(args, false) }

// SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC]
// [ALPHA]
func cmdSortRO(c *client, args [][]byte) { c.sort(args, true) }

// sortOptions are SORT's options, as sortCommandGeneric parses them.
type sortOptions struct {
	desc, alpha bool
	// dontSort is set by a BY pattern without '*': the elements keep the
	// order of the key. A later BY does not clear it.
	dontSort bool
	by       []byte   // the last BY pattern, nil for none
	gets     [][]byte // the GET patterns, in order
	// limitStart and limitCount are LIMIT's; -1 counts every element.
	limitStart, limitCount int64
	store                  bool
	dst                    []byte // STORE's key, the last one given
}

// parseSortOptions parses args[2:]; readonly refuses STORE (SORT_RO). It
// returns the error reply for bad options, "" if they are good.
func parseSortOptions(args [][]byte, readonly bool) (sortOptions, string) {
	o := sortOptions{limitCount: -1}
	for j := 2; j < len(args); j++ {
		left := len(args) - j - 1
		a := args[j]
		switch {
		case is(a, "asc"):
			o.desc = false
		case is(a, "desc"):
			o.desc = true
		case is(a, "alpha"):
			o.alpha = true
		case is(a, "limit") && left >= 2:
			var ok1, ok2 bool
			o.limitStart, ok1 = parseInt(args[j+1])
			if ok1 {
				o.limitCount, ok2 = parseInt(args[j+2])
			}
			if !ok1 || !ok2 {
				return o, errNotInteger
			}
			j += 2
		case !readonly && is(a, "store") && left >= 1:
			o.store, o.dst = true, args[j+1]
			j++
		case is(a, "by") && left >= 1:
			o.by = args[j+1]
			if !bytes.Contains(cString(o.by, len(o.by)), []byte("*")) {
				o.dontSort = true
			}
			j++
		case is(a, "get") && left >= 1:
			o.gets = append(o.gets, args[j+1])
			j++
		default:
			return o, errSyntax
		}
	}
	return o, ""
}

// readsKeys reports whether the patterns may name keys to look up: a BY
// pattern with '*', or a GET pattern other than "#" with one. Redis reads
// a pattern as a C string, up to its first NUL.
func (o *sortOptions) readsKeys() bool {
	if o.by != nil && !o.dontSort {
		return true
	}
	for _, g := range o.gets {
		if p := cString(g, len(g)); !isHashPattern(p) && bytes.IndexByte(p, '*') >= 0 {
			return true
		}
	}
	return false
}

// isHashPattern reports whether the pattern p, cut at its first NUL, is
// "#": the element itself.
func isHashPattern(p []byte) bool { return len(p) == 1 && p[0] == '#' }

// sortItem is one element to sort, with what it is sorted by.
type sortItem struct {
	elem  []byte
	by    []byte  // ALPHA with BY: the BY value, if hasBy
	score float64 // numeric sorts
	pos   int     // the element's place before sorting, which breaks ties
	hasBy bool
}

// sorter runs one SORT under its KeyLock.
type sorter struct {
	c   *client
	tx  *db.KeyLock
	key []byte // scratch for the keys patterns make
}

// lookup is Redis's lookupKeyByPattern: the value that pattern names for
// the element subst, and whether there is one. "#" is the element itself.
// Otherwise the first '*' is replaced with the element, and the key so
// made is looked up (a read lookup, counted); with "->field" after the
// '*', the value is that field of the hash at the key, else the string at
// the key. A pattern without '*', a missing key, a key of another type
// and a missing field give nothing. Redis finds '#', '*' and "->" in the
// pattern as a C string, up to its first NUL, but takes the key's suffix
// and the field from the whole pattern.
func (s *sorter) lookup(pattern, subst []byte) ([]byte, bool) {
	cp := cString(pattern, len(pattern))
	if isHashPattern(cp) {
		return subst, true
	}
	star := bytes.IndexByte(cp, '*')
	if star < 0 {
		return nil, false
	}
	var field []byte
	suffixEnd := len(pattern)
	if f := bytes.Index(cp[star+1:], []byte("->")); f >= 0 {
		if at := star + 1 + f; at+2 < len(cp) {
			field = pattern[at+2:]
			suffixEnd = at
		}
	}
	k := append(s.key[:0], pattern[:star]...)
	k = append(k, subst...)
	k = append(k, pattern[star+1:suffixEnd]...)
	s.key = k
	v := s.c.lookupRead(s.tx, k)
	if field != nil {
		h, ok := v.(*db.Hash)
		if !ok {
			return nil, false
		}
		return h.Get(field)
	}
	str, ok := v.(*db.String)
	if !ok {
		return nil, false
	}
	return str.Bytes(), true
}

// sort is SORT and SORT_RO (readonly): sortCommandGeneric.
func (c *client) sort(args [][]byte, readonly bool) {
	o, errText := parseSortOptions(args, readonly)
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	key := args[1]
	// Redis makes a listpack sorted set a skiplist before sorting it,
	// which needs the key locked for writing; a KeyLock that finds one
	// with a read lock is traded for a write one.
	write := o.store
	var tx db.KeyLock
	for {
		tx = c.lockSort(key, &o, write)
		if z, ok := tx.Peek(key).(*db.ZSet); write || !ok || z.Encoding() != "listpack" {
			break
		}
		tx.Close()
		write = true
	}
	defer tx.Close()
	s := sorter{c: c, tx: &tx}

	val := c.lookupRead(&tx, key)
	n := 0
	switch v := val.(type) {
	case nil:
	case *db.List:
		n = v.Len()
	case *db.Set:
		n = v.Len()
		if o.dontSort && o.store {
			// A set has no order of its own to keep: Redis sorts it
			// ALPHA, so that what it stores is the same everywhere.
			o.dontSort, o.alpha, o.by = false, true, nil
		}
	case *db.ZSet:
		n = v.Len()
		if v.Encoding() == "listpack" {
			z, _ := tx.MutableZSet(key, false) // a copy, if a snapshot holds v
			z.ToSkiplist()
			val = z
		}
	default:
		c.conn.WriteError(errWrongType)
		return
	}

	// LIMIT, bounded by the number of elements as Redis bounds it.
	start := min(max(o.limitStart, 0), int64(n))
	count := min(max(o.limitCount, -1), int64(n))
	end := int64(n) - 1
	if count >= 0 {
		end = start + count - 1
	}
	if start >= int64(n) {
		start, end = int64(n)-1, int64(n)-2
	}
	end = min(end, int64(n)-1)

	var items []sortItem
	switch v := val.(type) {
	case *db.List:
		if !o.dontSort {
			items = make([]sortItem, 0, n)
			v.Range(0, -1, func(e []byte) bool {
				items = append(items, sortItem{elem: e})
				return true
			})
			break
		}
		// The list's own order, reversed by DESC, and only the range
		// LIMIT asks for.
		if end >= start {
			items = make([]sortItem, 0, end-start+1)
			from, to := int(start), int(end)
			if o.desc {
				from, to = n-1-int(end), n-1-int(start)
			}
			v.Range(from, to, func(e []byte) bool {
				items = append(items, sortItem{elem: e})
				return true
			})
			if o.desc {
				slices.Reverse(items)
			}
			end -= start
			start = 0
		}
	case *db.Set:
		items = make([]sortItem, 0, n)
		v.Range(func(m string) bool {
			items = append(items, sortItem{elem: []byte(m)})
			return true
		})
	case *db.ZSet:
		if !o.dontSort {
			// Redis takes the members from its dict, in its order.
			items = make([]sortItem, 0, n)
			for i := range n {
				m, _ := v.At(i)
				items = append(items, sortItem{elem: []byte(m)})
			}
			break
		}
		// The set's order, reversed by DESC, and only the ranks LIMIT
		// asks for.
		if end >= start {
			items = make([]sortItem, 0, end-start+1)
			from, to := int(start), int(end)
			if o.desc {
				from, to = n-1-int(end), n-1-int(start)
			}
			v.RangeByRank(from, to, o.desc, func(m string, _ float64) bool {
				items = append(items, sortItem{elem: []byte(m)})
				return true
			})
		}
		end -= start
		start = 0
	}

	badScore := false
	if !o.dontSort {
		for i := range items {
			it := &items[i]
			val := it.elem
			if o.by != nil {
				var ok bool
				if val, ok = s.lookup(o.by, it.elem); !ok {
					continue
				}
			}
			if o.alpha {
				if o.by != nil {
					it.by, it.hasBy = val, true
				}
				continue
			}
			var ok bool
			if it.score, ok = parseSortScore(val); !ok {
				badScore = true
			}
		}
		if o.by != nil && (start != 0 || end != int64(len(items))-1) {
			pqsort(items, o.compare, int(start), int(end))
		} else {
			for i := range items {
				items[i].pos = i
			}
			// Stable, as glibc's qsort is: ties keep their order.
			slices.SortFunc(items, func(a, b sortItem) int {
				if r := o.compare(&a, &b); r != 0 {
					return r
				}
				return a.pos - b.pos
			})
		}
	}

	if badScore {
		c.conn.WriteError(errSortScore)
		return
	}
	var picked []sortItem
	if end >= start {
		picked = items[start : end+1]
	}
	if !o.store {
		c.conn.WriteArrayLen(len(picked) * max(len(o.gets), 1))
		for _, it := range picked {
			if len(o.gets) == 0 {
				c.conn.WriteBulk(it.elem)
			}
			for _, g := range o.gets {
				if val, ok := s.lookup(g, it.elem); ok {
					c.conn.WriteBulk(val)
				} else {
					c.conn.WriteNull()
				}
			}
		}
		return
	}
	result := db.NewList()
	for _, it := range picked {
		if len(o.gets) == 0 {
			result.PushBack(it.elem)
		}
		for _, g := range o.gets {
			val, _ := s.lookup(g, it.elem) // nothing is the empty string
			result.PushBack(val)
		}
	}
	c.storeSortResult(&tx, o.dst, result)
}

// lockSort begins SORT's KeyLock, for writing if write is set (STORE, or
// a sorted set to convert): over key, and STORE's destination, or over
// the whole database when the patterns name keys.
func (c *client) lockSort(key []byte, o *sortOptions, write bool) db.KeyLock {
	d := c.db()
	switch {
	case o.readsKeys() && write:
		return d.WriteAll()
	case o.readsKeys():
		return d.ReadAll()
	case o.store:
		return d.Write(key, o.dst)
	case write:
		return d.Write(key)
	default:
		return d.Read(key)
	}
}

// storeSortResult stores result at dst for SORT ... STORE, over whatever
// dst held and without its deadline, and replies with its length; an
// empty result deletes dst instead.
func (c *client) storeSortResult(tx *db.KeyLock, dst []byte, result *db.List) {
	n := result.Len()
	if n == 0 {
		if tx.Delete(dst) {
			c.notify(evGeneric, "del", dst)
			c.server.dirty.Add(1)
		}
		c.conn.WriteInt(0)
		return
	}
	if !tx.Exists(dst) {
		c.notify(pubsub.EventNew, "new", dst) // Redis's dbAdd
	}
	tx.Set(dst, result, 0)
	c.notify(evList, "sortstore", dst)
	c.server.dirty.Add(int64(n))
	c.conn.WriteInt(int64(n))
}

// compare is Redis's sortCompare for these options.
func (o *sortOptions) compare(a, b *sortItem) int {
	var r int
	switch {
	case !o.alpha:
		switch {
		case a.score > b.score:
			r = 1
		case a.score < b.score:
			r = -1
		default:
			r = bytes.Compare(a.elem, b.elem)
		}
	case o.by != nil:
		switch {
		case !a.hasBy || !b.hasBy:
			// A missing BY value comes first.
			r = boolCmp(a.hasBy, b.hasBy)
		case o.store:
			r = bytes.Compare(a.by, b.by)
		default:
			r = strcmp(a.by, b.by)
		}
	case o.store:
		r = bytes.Compare(a.elem, b.elem)
	default:
		r = strcmp(a.elem, b.elem)
	}
	if o.desc {
		r = -r
	}
	return r
}

// boolCmp orders false before true.
func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	default:
		return -1
	}
}

// strcmp is C's strcmp of a and b, which end at their first NUL: what
// strcoll is in the C locale.
func strcmp(a, b []byte) int {
	return bytes.Compare(cString(a, len(a)), cString(b, len(b)))
}

// parseSortScore reads b as SORT reads a number: with strtod (cStrtod),
// over b as a C string (up to its first NUL), which must be consumed whole
// (an empty string is 0), without ERANGE and not NaN. Unlike Redis's
// string2d, SORT refuses every ERANGE: an overflow, and an underflow to
// zero or to an inexact subnormal.
//
// Redis does not clear errno before its strtod, so an ERANGE left by an
// earlier call fails a SORT that ought to succeed until some other call
// clears it; here each number stands on its own.
func parseSortScore(b []byte) (float64, bool) {
	if n, ok := redisint.Parse(b); ok {
		// What most sorts meet: Redis's integer encoding, which it casts
		// to a double, as strtod would round it.
		return float64(n), true
	}
	b = cString(b, len(b))
	f, n, over, under := cStrtod(b)
	if n != len(b) || over || under || math.IsNaN(f) {
		return f, false
	}
	if f != 0 && math.Abs(f) < 0x1p-1022 && !exactTiny(b, f) {
		return f, false
	}
	return f, true
}

// exactTiny reports whether the number b, which cStrtod read wholly as f,
// a subnormal, is exactly f: glibc's strtod sets ERANGE for a subnormal
// result only when it is inexact. Numbers too long or with too large an
// exponent to compare cheaply count as inexact, as any but a contrived
// one is.
func exactTiny(b []byte, f float64) bool {
	text := strings.TrimLeft(string(b), " \t\n\v\f\r")
	if len(text) > 1<<16 {
		return false
	}
	body := strings.TrimLeft(text, "+-")
	hex := len(body) > 1 && body[0] == '0' && body[1]|0x20 == 'x'
	exp := strings.LastIndexAny(text, "eE")
	if hex {
		exp = strings.LastIndexAny(text, "pP")
		if exp < 0 {
			text += "p0" // big.Rat, as strconv, needs the exponent C may leave out
		}
	}
	if exp >= 0 && len(text)-exp > 7 {
		return false
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return false
	}
	return r.Cmp(new(big.Rat).SetFloat64(f)) == 0
}

// pqsort sorts v as Redis's pqsort does, far enough that v[lrange] to
// v[rrange] are the elements a full sort would put there: Bentley and
// McIlroy's quicksort ("Engineering a Sort Function", as NetBSD's qsort
// implements it), which does not recurse into the parts that lie wholly
// outside the range. Its moves are the C code's, element for element, so
// elements that compare equal end where Redis leaves them.
func pqsort(v []sortItem, cmp func(a, b *sortItem) int, lrange, rrange int) {
	q := partialSort{v: v, cmp: cmp, lrange: lrange, rrange: rrange}
	q.sort(0, len(v))
}

// partialSort is one pqsort: its elements, comparison and range.
type partialSort struct {
	v              []sortItem
	cmp            func(a, b *sortItem) int
	lrange, rrange int
}

func (q *partialSort) less(i, j int) int { return q.cmp(&q.v[i], &q.v[j]) }

func (q *partialSort) swap(i, j int) { q.v[i], q.v[j] = q.v[j], q.v[i] }

// vecswap swaps the n elements from i with the n from j.
func (q *partialSort) vecswap(i, j, n int) {
	for k := range n {
		q.swap(i+k, j+k)
	}
}

// med3 returns the index of the median of v[a], v[b] and v[c].
func (q *partialSort) med3(a, b, c int) int {
	if q.less(a, b) < 0 {
		switch {
		case q.less(b, c) < 0:
			return b
		case q.less(a, c) < 0:
			return c
		default:
			return a
		}
	}
	switch {
	case q.less(b, c) > 0:
		return b
	case q.less(a, c) < 0:
		return a
	default:
		return c
	}
}

// insertion sorts the n elements from a by insertion.
func (q *partialSort) insertion(a, n int) {
	for m := a + 1; m < a+n; m++ {
		for l := m; l > a && q.less(l-1, l) > 0; l-- {
			q.swap(l, l-1)
		}
	}
}

// overlaps reports whether the n elements from a meet the range.
func (q *partialSort) overlaps(a, n int) bool {
	return !(q.lrange < a && q.rrange < a || q.lrange >= a+n && q.rrange >= a+n)
}

// sort sorts the n elements from a (_pqsort).
func (q *partialSort) sort(a, n int) {
	for {
		if n < 7 {
			q.insertion(a, n)
			return
		}
		pm := a + n/2
		if n > 7 {
			pl, pn := a, a+n-1
			if n > 40 {
				d := n / 8
				pl = q.med3(pl, pl+d, pl+2*d)
				pm = q.med3(pm-d, pm, pm+d)
				pn = q.med3(pn-2*d, pn-d, pn)
			}
			pm = q.med3(pl, pm, pn)
		}
		q.swap(a, pm)
		// Elements equal to the pivot v[a] gather at both ends, [a, pa)
		// and (pd, a+n), and move to the middle once the rest is split.
		pa, pb := a+1, a+1
		pc, pd := a+n-1, a+n-1
		swapped := false
		for {
			for pb <= pc {
				r := q.less(pb, a)
				if r > 0 {
					break
				}
				if r == 0 {
					swapped = true
					q.swap(pa, pb)
					pa++
				}
				pb++
			}
			for pb <= pc {
				r := q.less(pc, a)
				if r < 0 {
					break
				}
				if r == 0 {
					swapped = true
					q.swap(pc, pd)
					pd--
				}
				pc--
			}
			if pb > pc {
				break
			}
			q.swap(pb, pc)
			swapped = true
			pb++
			pc--
		}
		if !swapped {
			q.insertion(a, n)
			return
		}
		pn := a + n
		r := min(pa-a, pb-pa)
		q.vecswap(a, pb-r, r)
		r = min(pd-pc, pn-pd-1)
		q.vecswap(pb, pn-r, r)
		if r = pb - pa; r > 1 && q.overlaps(a, r) {
			q.sort(a, r)
		}
		r = pd - pc
		if r <= 1 {
			return
		}
		a, n = pn-r, r
		if !q.overlaps(a, n) {
			return
		}
	}
}
