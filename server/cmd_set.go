package server

import (
	"bytes"
	"math"
	"slices"
	"strconv"

	"github.com/mini-redis/mini-redis/db"
)

// The set commands, as Redis 7.0.15's t_set.c runs them: the same lookups
// (read lookups count as keyspace hits and misses, write lookups do not),
// the same checks in the same order, the same notifications and dirty
// counts. A set of integers is an intset, whose members every reply lists
// in ascending order, as Redis's do; the order of a hashtable's members
// is its own, as Redis's is its dict's.

func setCommands() []*command {
	return []*command{
		{name: "sadd", flags: flagWrite, run: cmdSAdd},
		{name: "srem", flags: flagWrite, run: cmdSRem},
		{name: "smembers", run: cmdSMembers},
		{name: "sismember", run: cmdSIsMember},
		{name: "smismember", run: cmdSMIsMember},
		{name: "scard", run: cmdSCard},
		{name: "spop", flags: flagWrite, run: cmdSPop},
		{name: "srandmember", run: cmdSRandMember},
		{name: "smove", flags: flagWrite, run: cmdSMove},
		{name: "sinter", run: cmdSInter},
		{name: "sintercard", run: cmdSInterCard},
		{name: "sinterstore", flags: flagWrite, run: cmdSInterStore},
		{name: "sunion", run: cmdSUnion},
		{name: "sunionstore", flags: flagWrite, run: cmdSUnionStore},
		{name: "sdiff", run: cmdSDiff},
		{name: "sdiffstore", flags: flagWrite, run: cmdSDiffStore},
		{name: "sscan", run: cmdSScan},
	}
}

// Error replies of the set commands; they share the list commands'
// errMustBePositive (SPOP's count) and errNumkeys (SINTERCARD's), and
// the hash commands' errLongRange (SRANDMEMBER's count).
const (
	errNumKeysTooMany = "ERR Number of keys can't be greater than number of args"
	errLimitNegative  = "ERR LIMIT can't be negative"
)

// readSet is lookupKeyRead followed by checkType for a set: it returns the
// set at key in tx, or nil for a missing key, and counts the lookup. For
// a key of another type it replies WRONGTYPE and returns ok false.
func (c *client) readSet(tx *db.KeyLock, key []byte) (*db.Set, bool) {
	return readAs[*db.Set](c, tx, key)
}

// writeMembers writes every member of s, in its order.
func (c *client) writeMembers(s *db.Set) {
	s.Range(func(m string) bool {
		c.conn.WriteBulkString(m)
		return true
	})
}

// SADD key member [member ...]
func cmdSAdd(c *client, args [][]byte) {
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	set, err := tx.MutableSet(key, true)
	if err != nil {
		c.conn.WriteError(errWrongType)
		return
	}
	lim := tx.Limits()
	added := 0
	for _, m := range args[2:] {
		if set.Add(m, lim) {
			added++
		}
	}
	if added > 0 {
		c.notify(evSet, "sadd", key)
	}
	c.server.dirty.Add(int64(added))
	c.conn.WriteInt(int64(added))
}

// SREM key member [member ...]
func cmdSRem(c *client, args [][]byte) {
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	set, err := tx.MutableSet(key, false)
	if err != nil {
		c.conn.WriteError(errWrongType)
		return
	}
	deleted, emptied := 0, false
	if set != nil {
		deleted, emptied = removeMembers(set, args[2:])
	}
	c.replyRemoved(evSet, "srem", key, deleted, emptied)
}

// removeMembers removes members from s, a set or a sorted set, as SREM and
// ZREM do: it stops once s is empty (Close then deletes the key), and
// returns how many it removed and whether s is left empty.
func removeMembers(s interface {
	Remove(member []byte) bool
	Len() int
}, members [][]byte) (removed int, emptied bool) {
	for _, m := range members {
		if s.Remove(m) {
			removed++
			if s.Len() == 0 {
				return removed, true
			}
		}
	}
	return removed, false
}

// SMEMBERS key
func cmdSMembers(c *client, args [][]byte) {
	tx := c.db().Read(args[1])
	defer tx.Close()
	set, ok := c.readSet(&tx, args[1])
	switch {
	case !ok:
	case set == nil:
		c.conn.WriteSetLen(0)
	default:
		c.conn.WriteSetLen(set.Len())
		c.writeMembers(set)
	}
}

// SISMEMBER key member
func cmdSIsMember(c *client, args [][]byte) {
	tx := c.db().Read(args[1])
	defer tx.Close()
	if set, ok := c.readSet(&tx, args[1]); ok {
		c.conn.WriteInt(boolInt(set != nil && set.Contains(args[2])))
	}
}

// SMISMEMBER key member [member ...]
func cmdSMIsMember(c *client, args [][]byte) {
	tx := c.db().Read(args[1])
	defer tx.Close()
	set, ok := c.readSet(&tx, args[1])
	if !ok {
		return
	}
	c.conn.WriteArrayLen(len(args) - 2)
	for _, m := range args[2:] {
		c.conn.WriteInt(boolInt(set != nil && set.Contains(m)))
	}
}

// SCARD key
func cmdSCard(c *client, args [][]byte) {
	tx := c.db().Read(args[1])
	defer tx.Close()
	if set, ok := c.readSet(&tx, args[1]); ok {
		n := 0
		if set != nil {
			n = set.Len()
		}
		c.conn.WriteInt(int64(n))
	}
}

// spopMoveStrategyMul is Redis's SPOP_MOVE_STRATEGY_MUL: when SPOP with a
// count would leave fewer than 1/5 of count members, the members that stay
// are moved to a new set instead, whose encoding is chosen afresh.
const spopMoveStrategyMul = 5

// SPOP key [count]
func cmdSPop(c *client, args [][]byte) {
	if len(args) > 3 {
		c.conn.WriteError(errSyntax)
		return
	}
	key := args[1]
	if len(args) == 3 {
		n, ok := parseInt(args[2])
		if !ok || n < 0 {
			c.conn.WriteError(errMustBePositive)
			return
		}
		c.spopCount(key, uint64(n))
		return
	}
	tx := c.db().Write(key)
	defer tx.Close()
	set, err := tx.MutableSet(key, false)
	switch {
	case err != nil:
		c.conn.WriteError(errWrongType)
		return
	case set == nil:
		c.conn.WriteNull()
		return
	}
	m, _ := set.Pop(tx.Rand())
	c.propagateAs([][]byte{b("SREM"), clone(key), []byte(m)}) // the member chosen, not another
	c.notify(evSet, "spop", key)
	c.conn.WriteBulkString(m)
	if set.Len() == 0 {
		c.notify(evGeneric, "del", key) // Close deletes it
	}
	c.server.dirty.Add(1)
}

// spopCount is SPOP key count (spopWithCountCommand).
func (c *client) spopCount(key []byte, count uint64) {
	tx := c.db().Write(key)
	defer tx.Close()
	set, err := tx.MutableSet(key, false)
	switch {
	case err != nil:
		c.conn.WriteError(errWrongType)
		return
	case set == nil || count == 0:
		c.conn.WriteSetLen(0)
		return
	}
	size := uint64(set.Len())
	c.notify(evSet, "spop", key)
	if count >= size {
		// The whole set. Redis replies with SUNION's code, whose lookup
		// of the key counts as a read.
		c.server.countLookup(true)
		c.server.dirty.Add(int64(size))
		c.conn.WriteSetLen(int(size))
		c.writeMembers(set)
		tx.Delete(key)
		c.propagateAs([][]byte{b("DEL"), clone(key)})
		c.notify(evGeneric, "del", key)
		return
	}
	c.server.dirty.Add(int64(count))
	c.conn.WriteSetLen(int(count))
	r := tx.Rand()
	remaining := size - count
	if remaining*spopMoveStrategyMul > count {
		for range count {
			m, _ := set.Pop(r)
			c.conn.WriteBulkString(m)
			c.propagateAs([][]byte{b("SREM"), clone(key), []byte(m)}) // one a member, as Redis 7.0
		}
		return
	}
	// Few members stay: move them to a new set, and reply with what is
	// left of the old one. The key keeps its deadline.
	lim := tx.Limits()
	kept := db.NewSet()
	for range remaining {
		m, _ := set.Pop(r)
		kept.Add([]byte(m), lim)
	}
	c.writeMembers(set)
	if c.effects != nil {
		set.Range(func(m string) bool {
			c.propagateAs([][]byte{b("SREM"), clone(key), []byte(m)})
			return true
		})
	}
	tx.SetValue(key, kept)
}

// SRANDMEMBER key [count]
func cmdSRandMember(c *client, args [][]byte) {
	if len(args) > 3 {
		c.conn.WriteError(errSyntax)
		return
	}
	key := args[1]
	if len(args) == 2 {
		tx := c.db().Read(key)
		defer tx.Close()
		set, ok := c.readSet(&tx, key)
		switch {
		case !ok:
		case set == nil:
			c.conn.WriteNull()
		default:
			m, _ := set.Random(tx.Rand())
			c.conn.WriteBulkString(m)
		}
		return
	}
	n, ok := parseInt(args[2])
	if !ok {
		c.conn.WriteError(errNotInteger)
		return
	}
	if n == math.MinInt64 {
		c.conn.WriteError(errLongRange)
		return
	}
	c.srandmemberWithCount(key, n)
}

// srandmemberWithCount is SRANDMEMBER key n (srandmemberWithCountCommand):
// n >= 0 distinct members, as many as the set has at most; n < 0 asks for
// -n members that may repeat, a reply that may be far larger than the set
// (see writeRepeated).
func (c *client) srandmemberWithCount(key []byte, n int64) {
	tx := c.db().Read(key)
	closed := false
	defer func() {
		if !closed {
			tx.Close()
		}
	}()
	set, ok := c.readSet(&tx, key)
	switch {
	case !ok:
		return
	case set == nil || n == 0:
		c.conn.WriteArrayLen(0)
		return
	}
	r := tx.Rand()
	size := set.Len()
	if n < 0 {
		count := -n
		c.conn.WriteArrayLen(int(count))
		if streamRepeated(count, size) {
			members := make([]string, 0, size)
			set.Range(func(m string) bool {
				members = append(members, m)
				return true
			})
			tx.Close()
			closed = true
			c.writeRepeated(len(members), count, r, func(i int) { c.conn.WriteBulkString(members[i]) })
			return
		}
		for range count {
			m, _ := set.Random(r)
			c.conn.WriteBulkString(m)
		}
		return
	}
	if n >= int64(size) {
		c.conn.WriteArrayLen(size)
		c.writeMembers(set)
		return
	}
	picked := sampleDistinct(r, size, int(n))
	c.conn.WriteArrayLen(len(picked))
	for _, i := range picked {
		c.conn.WriteBulkString(set.At(i))
	}
}

// SMOVE source destination member
func cmdSMove(c *client, args [][]byte) {
	src, dst, member := args[1], args[2], args[3]
	tx := c.db().Write(src, dst)
	defer tx.Close()
	sv := tx.Get(src)
	dv := tx.Get(dst)
	if sv == nil {
		c.conn.WriteInt(0)
		return
	}
	if sv.Type() != db.TypeSet || dv != nil && dv.Type() != db.TypeSet {
		c.conn.WriteError(errWrongType)
		return
	}
	if bytes.Equal(src, dst) {
		c.conn.WriteInt(boolInt(sv.(*db.Set).Contains(member)))
		return
	}
	from, _ := tx.MutableSet(src, false)
	if !from.Remove(member) {
		c.conn.WriteInt(0)
		return
	}
	c.notify(evSet, "srem", src)
	if from.Len() == 0 {
		tx.Delete(src)
		c.notify(evGeneric, "del", src)
	}
	to, _ := tx.MutableSet(dst, true)
	c.server.dirty.Add(1)
	// Close signals dst only if the member is new there, as Redis does:
	// a destination that had it already is not modified.
	if to.Add(member, tx.Limits()) {
		c.server.dirty.Add(1)
		c.notify(evSet, "sadd", dst)
	}
	c.conn.WriteInt(1)
}

// readSets looks up keys in order as reads, for SINTER, SUNION, SDIFF and
// their relatives; a missing key is a nil set. At the first key of another
// type it replies WRONGTYPE, looks up no further and returns ok false.
func (c *client) readSets(tx *db.KeyLock, keys [][]byte) (sets []*db.Set, ok bool) {
	sets = make([]*db.Set, len(keys))
	for i, k := range keys {
		if sets[i], ok = c.readSet(tx, k); !ok {
			return nil, false
		}
	}
	return sets, true
}

// SINTER key [key ...]
func cmdSInter(c *client, args [][]byte) { c.sinter(args[1:], nil, false, false, 0) }

// SINTERSTORE destination key [key ...]
func cmdSInterStore(c *client, args [][]byte) { c.sinter(args[2:], args[1], true, false, 0) }

// SINTERCARD numkeys key [key ...] [LIMIT limit]
func cmdSInterCard(c *client, args [][]byte) {
	numkeys, ok := parseInt(args[1])
	if !ok || numkeys < 1 {
		c.conn.WriteError(errNumkeys)
		return
	}
	if numkeys > int64(len(args)-2) {
		c.conn.WriteError(errNumKeysTooMany)
		return
	}
	var limit int64
	for i := 2 + int(numkeys); i < len(args); i++ {
		if is(args[i], "limit") && i+1 < len(args) {
			i++
			if limit, ok = parseInt(args[i]); !ok || limit < 0 {
				c.conn.WriteError(errLimitNegative)
				return
			}
			continue
		}
		c.conn.WriteError(errSyntax)
		return
	}
	c.sinter(args[2:2+numkeys], nil, false, true, uint64(limit))
}

// sinter is SINTER, SINTERSTORE (store, into dst) and SINTERCARD
// (cardOnly, with limit 0 for none): sinterGenericCommand.
func (c *client) sinter(keys [][]byte, dst []byte, store, cardOnly bool, limit uint64) {
	tx := c.lockSetOp(store, dst, keys)
	defer tx.Close()
	sets, ok := c.readSets(&tx, keys)
	if !ok {
		return
	}
	if slices.Contains(sets, nil) {
		// An intersection with an empty set is empty.
		switch {
		case store:
			c.storeSetResult(&tx, dst, nil, "sinterstore")
		case cardOnly:
			c.conn.WriteInt(0)
		default:
			c.conn.WriteSetLen(0)
		}
		return
	}
	// Smallest first, as Redis sorts them (glibc's qsort is a merge sort:
	// sets of equal size keep their order).
	slices.SortStableFunc(sets, func(a, b *db.Set) int { return a.Len() - b.Len() })
	first, rest := sets[0], sets[1:]
	inAll := func(m string) bool {
		for _, s := range rest {
			if s != first && !s.Contains([]byte(m)) {
				return false
			}
		}
		return true
	}
	switch {
	case cardOnly:
		var n uint64
		first.Range(func(m string) bool {
			if inAll(m) {
				n++
			}
			return limit == 0 || n < limit
		})
		c.conn.WriteInt(int64(n))
	case store:
		lim := tx.Limits()
		result := db.NewSet()
		first.Range(func(m string) bool {
			if inAll(m) {
				result.Add([]byte(m), lim)
			}
			return true
		})
		c.storeSetResult(&tx, dst, result, "sinterstore")
	default:
		var members []string
		first.Range(func(m string) bool {
			if inAll(m) {
				members = append(members, m)
			}
			return true
		})
		c.conn.WriteSetLen(len(members))
		for _, m := range members {
			c.conn.WriteBulkString(m)
		}
	}
}

// lockSetOp begins the KeyLock of a set operation: a write one over dst
// and keys for the *STORE commands (store), a read one over keys
// otherwise.
func (c *client) lockSetOp(store bool, dst []byte, keys [][]byte) db.KeyLock {
	if !store {
		return c.db().Read(keys...)
	}
	return c.db().Write(append([][]byte{dst}, keys...)...)
}

// storeSetResult stores result, a new set, at dst for SINTERSTORE,
// SUNIONSTORE and SDIFFSTORE, over whatever dst held and without its
// deadline, and replies with its size; an empty (or nil) result deletes
// dst instead.
func (c *client) storeSetResult(tx *db.KeyLock, dst []byte, result *db.Set, event string) {
	if result != nil && result.Len() > 0 {
		tx.Set(dst, result, 0)
		c.conn.WriteInt(int64(result.Len()))
		c.notify(evSet, event, dst)
		c.server.dirty.Add(1)
		return
	}
	c.conn.WriteInt(0)
	if tx.Delete(dst) {
		c.server.dirty.Add(1)
		c.notify(evGeneric, "del", dst)
	}
}

// SUNION key [key ...]
func cmdSUnion(c *client, args [][]byte) { c.sunionDiff(args[1:], nil, false, false) }

// SUNIONSTORE destination key [key ...]
func cmdSUnionStore(c *client, args [][]byte) { c.sunionDiff(args[2:], args[1], true, false) }

// SDIFF key [key ...]
func cmdSDiff(c *client, args [][]byte) { c.sunionDiff(args[1:], nil, false, true) }

// SDIFFSTORE destination key [key ...]
func cmdSDiffStore(c *client, args [][]byte) { c.sunionDiff(args[2:], args[1], true, true) }

// sunionDiff is SUNION and SDIFF (diff), and their *STORE forms (store,
// into dst): sunionDiffGenericCommand. The result is built as a new set,
// an intset while its members allow, so that an intset result is listed
// in ascending order as Redis lists it.
func (c *client) sunionDiff(keys [][]byte, dst []byte, store, diff bool) {
	tx := c.lockSetOp(store, dst, keys)
	defer tx.Close()
	sets, ok := c.readSets(&tx, keys)
	if !ok {
		return
	}
	lim := tx.Limits()
	result := db.NewSet()
	switch {
	case !diff:
		for _, s := range sets {
			if s != nil {
				s.Range(func(m string) bool {
					result.Add([]byte(m), lim)
					return true
				})
			}
		}
	case sets[0] != nil:
		diffSets(result, sets, lim)
	}
	if store {
		event := "sunionstore"
		if diff {
			event = "sdiffstore"
		}
		c.storeSetResult(&tx, dst, result, event)
		return
	}
	c.conn.WriteSetLen(result.Len())
	c.writeMembers(result)
}

// diffSets adds to result the members of sets[0] that no other set has,
// with whichever of Redis's two algorithms it would choose: testing each
// member of the first set against the others, or adding the first set and
// removing the others.
func diffSets(result *db.Set, sets []*db.Set, lim db.EncodingLimits) {
	first := sets[0]
	var one, two int
	for _, s := range sets {
		if s != nil {
			one += first.Len()
			two += s.Len()
		}
	}
	if one/2 <= two {
		first.Range(func(m string) bool {
			for _, s := range sets[1:] {
				if s == first || s != nil && s.Contains([]byte(m)) {
					return true // not in the difference
				}
			}
			result.Add([]byte(m), lim)
			return true
		})
		return
	}
	first.Range(func(m string) bool {
		result.Add([]byte(m), lim)
		return true
	})
	for _, s := range sets[1:] {
		if s == nil {
			continue
		}
		s.Range(func(m string) bool {
			result.Remove([]byte(m))
			return result.Len() > 0
		})
		if result.Len() == 0 {
			return
		}
	}
}

// SSCAN key cursor [MATCH pattern] [COUNT count]
func cmdSScan(c *client, args [][]byte) {
	scanCollection(c, args, func(set *db.Set, cursor uint64, count int, match func(string) bool) (uint64, []string) {
		var found []string
		next := set.Scan(cursor, count, func(m string) {
			if match == nil || match(m) {
				found = append(found, m)
			}
		})
		return next, found
	})
}

// scanCollection runs SSCAN or ZSCAN on the collection of type T at
// args[1] (scanGenericCommand): it parses the cursor, looks the key up,
// then parses the options, as Redis does, so that a missing key or one
// of another type hides their errors, and replies with the next cursor
// and the items scan returns for about count of them that match (match
// nil matches everything).
func scanCollection[T interface {
	db.Value
	comparable
}](c *client, args [][]byte, scan func(v T, cursor uint64, count int, match func(string) bool) (uint64, []string)) {
	key := args[1]
	cursor, ok := parseCursor(args[2])
	if !ok {
		c.conn.WriteError(errInvalidCursor)
		return
	}
	tx := c.db().Read(key)
	defer tx.Close()
	v, ok := readAs[T](c, &tx, key)
	var missing T
	switch {
	case !ok:
		return
	case v == missing:
		c.sscanReply(0, nil)
		return
	}
	opts, errText := parseScanOptions(args[3:], false)
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	next, found := scan(v, cursor, int(min(opts.count, 1<<30)), opts.match)
	c.sscanReply(next, found)
}

// sscanReply writes a SCAN-family reply: the cursor, then the items.
func (c *client) sscanReply(cursor uint64, items []string) {
	c.conn.WriteArrayLen(2)
	c.conn.WriteBulk(strconv.AppendUint(nil, cursor, 10))
	c.conn.WriteArrayLen(len(items))
	for _, it := range items {
		c.conn.WriteBulkString(it)
	}
}
