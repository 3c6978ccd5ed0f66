package server

import (
	"bytes"
	"math"

	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/db/pubsub"
)

// The list commands, as Redis 7.0.15's t_list.c runs them: the same checks
// in the same order (so the same error wins when several apply), the same
// keyspace events in the same order, the same dirty counts, and the same
// lookups counted as keyspace hits and misses (LLEN, LRANGE, LINDEX and
// LPOS look their key up with lookupKeyRead; the others with
// lookupKeyWrite, which counts nothing).
//
// The blocking variants (cmd_blocking.go) pop and move with the helpers
// below, which take an open KeyLock and write the reply: listForPush,
// popAndReply, moveElement and parseMPopArgs.

const evList = pubsub.EventList

func listCommands() []*command {
	return []*command{
		{name: "lpush", flags: flagWrite, run: cmdLPush},
		{name: "rpush", flags: flagWrite, run: cmdRPush},
		{name: "lpushx", flags: flagWrite, run: cmdLPushX},
		{name: "rpushx", flags: flagWrite, run: cmdRPushX},
		{name: "lpop", flags: flagWrite, run: cmdLPop},
		{name: "rpop", flags: flagWrite, run: cmdRPop},
		{name: "llen", run: cmdLLen},
		{name: "lrange", run: cmdLRange},
		{name: "lindex", run: cmdLIndex},
		{name: "lset", flags: flagWrite, run: cmdLSet},
		{name: "linsert", flags: flagWrite, run: cmdLInsert},
		{name: "lrem", flags: flagWrite, run: cmdLRem},
		{name: "ltrim", flags: flagWrite, run: cmdLTrim},
		{name: "lpos", run: cmdLPos},
		{name: "lmove", flags: flagWrite, run: cmdLMove},
		{name: "rpoplpush", flags: flagWrite, run: cmdRPopLPush},
		{name: "lmpop", flags: flagWrite, run: cmdLMPop},
	}
}

// Error replies of the list commands, in Redis 7.0.15's words.
const (
	errIndexRange     = "ERR index out of range"
	errMustBePositive = "ERR value is out of range, must be positive"
	errRankZero       = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... " +
		"or use negative to start from the end of the list"
	errCountNegative  = "ERR COUNT can't be negative"
	errMaxlenNegative = "ERR MAXLEN can't be negative"
	errNumkeys        = "ERR numkeys should be greater than 0"
	errCountPositive  = "ERR count should be greater than 0"
)

// listEnd is an end of a list: LEFT, the head, or RIGHT, the tail (Redis's
// LIST_HEAD and LIST_TAIL).
type listEnd uint8

const (
	listHead listEnd = iota // LEFT: LPUSH, LPOP
	listTail                // RIGHT: RPUSH, RPOP
)

// parseListEnd reads LEFT or RIGHT, in any case
// (getListPositionFromObjectOrReply); a caller that gets false replies
// errSyntax.
func parseListEnd(arg []byte) (listEnd, bool) {
	switch {
	case is(arg, "right"):
		return listTail, true
	case is(arg, "left"):
		return listHead, true
	}
	return 0, false
}

// pushEvent is the keyspace event of a push at e.
func (e listEnd) pushEvent() string {
	if e == listHead {
		return "lpush"
	}
	return "rpush"
}

// popEvent is the keyspace event of a pop at e.
func (e listEnd) popEvent() string {
	if e == listHead {
		return "lpop"
	}
	return "rpop"
}

// pushAt adds a copy of b at end e of l.
func pushAt(l *db.List, e listEnd, b []byte) {
	if e == listHead {
		l.PushFront(b)
	} else {
		l.PushBack(b)
	}
}

// popAt removes and returns the element at end e of l, which must not be
// empty. The element may be kept past Close but not modified.
func popAt(l *db.List, e listEnd) []byte {
	if e == listHead {
		b, _ := l.PopFront()
		return b
	}
	b, _ := l.PopBack()
	return b
}

// listForPush returns the list at key for a push, creating an empty one if
// the key does not exist, or db.ErrWrongType (having written nothing) if
// the key holds another type. tx must be a write KeyLock over key.
//
// Every list comes into being here: LPUSH, RPUSH and the destination of
// LMOVE, RPOPLPUSH, BLMOVE and BRPOPLPUSH (LPUSHX, RPUSHX and LINSERT never
// create one). Creating a key is where Redis's dbAdd publishes the "new"
// event and signals the key as ready for the clients blocked on it, so
// this is the one place to wake them. The caller must push at least one
// element before Close, which deletes a list left empty.
func (c *client) listForPush(tx *db.KeyLock, key []byte) (*db.List, error) {
	l, err := tx.MutableList(key, false)
	if l != nil || err != nil {
		return l, err
	}
	l, err = tx.MutableList(key, true)
	if err != nil {
		return nil, err
	}
	c.notify(pubsub.EventNew, "new", key)
	// The blocking commands wake the clients blocked on key from here
	// (Redis's signalKeyAsReady in dbAdd).
	return l, nil
}

// listElementsRemoved does what Redis does after popping n elements from
// end e of the list l at key (listElementsRemoved): an lpop or rpop event,
// then, if the list is left empty, a del event (Close deletes the key),
// and n changes to the dirty count. WATCH is told by Close.
func (c *client) listElementsRemoved(key []byte, l *db.List, e listEnd, n int) {
	c.notify(evList, e.popEvent(), key)
	if l.Len() == 0 {
		c.notify(evGeneric, "del", key)
	}
	c.server.dirty.Add(int64(n))
}

// popForm is the shape of a pop's reply.
type popForm uint8

const (
	popOne     popForm = iota // LPOP key: the element
	popMany                   // LPOP key count: an array of the elements
	popKeyOne                 // BLPOP, BRPOP: [key, element]
	popKeyMany                // LMPOP, BLMPOP: [key, [elements]]
)

// popAndReply pops from end where of the list at key and writes the reply
// in form: one element for popOne and popKeyOne, up to count (at least 1)
// for popMany and popKeyMany, the first popped first (from the tail, the
// last element first). Then it does what Redis does after a pop: an lpop
// or rpop event, a del event if the list is left empty (Close deletes
// the key and tells WATCH), and one change to the dirty count per element.
//
// It writes nothing and returns false if the key does not exist, and
// returns db.ErrWrongType, writing nothing, if it holds another type: the
// caller decides (LPOP replies a null, LMPOP tries its next key, a
// blocked client goes on waiting). tx must be a write KeyLock over key;
// its lookup counts no keyspace hit or miss, as Redis's lookupKeyWrite.
//
// A blocked BLPOP, BRPOP or BLMPOP that a push has made ready can be
// served with it on the client's own KeyLock.
func (c *client) popAndReply(tx *db.KeyLock, key []byte, where listEnd, count int, form popForm) (bool, error) {
	l, err := tx.MutableList(key, false)
	if err != nil || l == nil || l.Len() == 0 {
		return false, err
	}
	n := 1
	if form == popMany || form == popKeyMany {
		n = min(max(count, 1), l.Len())
	}
	if form == popKeyOne || form == popKeyMany {
		c.conn.WriteArrayLen(2)
		c.conn.WriteBulk(key)
	}
	if form == popMany || form == popKeyMany {
		c.conn.WriteArrayLen(n)
	}
	for range n {
		c.conn.WriteBulk(popAt(l, where))
	}
	c.listElementsRemoved(key, l, where, n)
	return true, nil
}

// moveElement pops an element from end from of the list at src, pushes it
// at end to of the list at dst, creating that (listForPush), and replies
// with the element, as LMOVE and RPOPLPUSH do. src and dst may be the
// same key: the list rotates. The events are Redis's, in its order: the
// push on dst ("new" first if it was created), then the pop on src, then
// del of src if it was left empty; the dirty count grows by one.
//
// It writes nothing and returns false if src does not exist. It returns
// db.ErrWrongType, writing nothing and popping nothing, if src or dst
// holds another type: Redis checks the destination before it pops.
// tx must be a write KeyLock over src and dst; its lookups count no
// keyspace hits or misses.
//
// A blocked BLMOVE or BRPOPLPUSH that a push has made ready can be served
// with it on the client's own KeyLock.
func (c *client) moveElement(tx *db.KeyLock, src, dst []byte, from, to listEnd) (bool, error) {
	sl, err := tx.MutableList(src, false)
	if err != nil || sl == nil || sl.Len() == 0 {
		return false, err
	}
	dl, err := tx.MutableList(dst, false)
	if err != nil {
		return false, err
	}
	elem := popAt(sl, from)
	if dl == nil {
		dl, _ = c.listForPush(tx, dst) // dst is missing: no error
	}
	pushAt(dl, to, elem)
	c.notify(evList, to.pushEvent(), dst)
	c.conn.WriteBulk(elem)
	c.notify(evList, from.popEvent(), src)
	if sl.Len() == 0 {
		c.notify(evGeneric, "del", src)
	}
	c.server.dirty.Add(1)
	return true, nil
}

// parseMPopArgs reads the arguments of LMPOP (numkeysIdx 1) and BLMPOP
// (numkeysIdx 2, after the timeout, which the caller parses after these):
// numkeys key [key ...] LEFT|RIGHT [COUNT count]. count is 1 without
// COUNT. errText is the error reply, in Redis's order of checks.
func parseMPopArgs(args [][]byte, numkeysIdx int) (keys [][]byte, where listEnd, count int, errText string) {
	numkeys, ok := parseInt(args[numkeysIdx])
	if !ok || numkeys < 1 {
		return nil, 0, 0, errNumkeys
	}
	// Redis's where_idx is numkeys_idx+numkeys+1, which must be < argc.
	if numkeys > int64(len(args)-numkeysIdx-2) {
		return nil, 0, 0, errSyntax
	}
	whereIdx := numkeysIdx + int(numkeys) + 1
	where, ok = parseListEnd(args[whereIdx])
	if !ok {
		return nil, 0, 0, errSyntax
	}
	count = -1
	for j := whereIdx + 1; j < len(args); j++ {
		if count == -1 && is(args[j], "count") && j+1 < len(args) {
			j++
			n, ok := parseInt(args[j])
			if !ok || n < 1 {
				return nil, 0, 0, errCountPositive
			}
			count = int(n)
			continue
		}
		return nil, 0, 0, errSyntax
	}
	if count == -1 {
		count = 1
	}
	return args[numkeysIdx+1 : whereIdx], where, count, ""
}

// lookupListRead is lookupKeyRead for the list commands that read: it
// returns the list at key, nil if the key does not exist, counting the
// lookup as a keyspace hit or miss. For a key of another type it replies
// WRONGTYPE and returns ok false.
func (c *client) lookupListRead(tx *db.KeyLock, key []byte) (l *db.List, ok bool) {
	l, err := tx.ReadList(key)
	c.keyLookup(key, l != nil || err != nil)
	if err != nil {
		c.conn.WriteError(errWrongType)
		return nil, false
	}
	return l, true
}

// LPUSH key element [element ...]
func cmdLPush(c *client, args [][]byte) { c.push(args, listHead, false) }

// RPUSH key element [element ...]
func cmdRPush(c *client, args [][]byte) { c.push(args, listTail, false) }

// LPUSHX key element [element ...]
func cmdLPushX(c *client, args [][]byte) { c.push(args, listHead, true) }

// RPUSHX key element [element ...]
func cmdRPushX(c *client, args [][]byte) { c.push(args, listTail, true) }

// push is the push commands (pushGenericCommand): with onlyExisting
// (LPUSHX, RPUSHX) a missing key stays missing and the reply is 0.
func (c *client) push(args [][]byte, where listEnd, onlyExisting bool) {
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	var l *db.List
	var err error
	if onlyExisting {
		l, err = tx.MutableList(key, false)
	} else {
		l, err = c.listForPush(&tx, key)
	}
	switch {
	case err != nil:
		c.conn.WriteError(errWrongType)
		return
	case l == nil:
		c.conn.WriteInt(0)
		return
	}
	for _, elem := range args[2:] {
		pushAt(l, where, elem)
	}
	c.server.dirty.Add(int64(len(args) - 2))
	c.conn.WriteInt(int64(l.Len()))
	c.notify(evList, where.pushEvent(), key)
}

// LPOP key [count]
func cmdLPop(c *client, args [][]byte) { c.pop(args, listHead) }

// RPOP key [count]
func cmdRPop(c *client, args [][]byte) { c.pop(args, listTail) }

// pop is LPOP and RPOP (popGenericCommand): without a count the reply is
// the element, or a null; with one, an array, or a null array.
func (c *client) pop(args [][]byte, where listEnd) {
	if len(args) > 3 {
		c.conn.WriteError(wrongArity(where.popEvent())) // the event is the name
		return
	}
	key := args[1]
	hasCount := len(args) == 3
	count := int64(1)
	if hasCount {
		var ok bool
		if count, ok = parseInt(args[2]); !ok || count < 0 {
			c.conn.WriteError(errMustBePositive)
			return
		}
	}
	tx := c.db().Write(key)
	defer tx.Close()
	form := popOne
	if hasCount {
		form = popMany
		if count == 0 {
			// Only the type is checked: a list of any length, or none,
			// gives an empty array (a missing key, a null array).
			switch l, err := tx.MutableList(key, false); {
			case err != nil:
				c.conn.WriteError(errWrongType)
			case l == nil:
				c.conn.WriteNullArray()
			default:
				c.conn.WriteArrayLen(0)
			}
			return
		}
	}
	switch ok, err := c.popAndReply(&tx, key, where, int(count), form); {
	case err != nil:
		c.conn.WriteError(errWrongType)
	case !ok && hasCount:
		c.conn.WriteNullArray()
	case !ok:
		c.conn.WriteNull()
	}
}

// LLEN key
func cmdLLen(c *client, args [][]byte) {
	tx := c.db().Read(args[1])
	l, ok := c.lookupListRead(&tx, args[1])
	n := 0
	if l != nil {
		n = l.Len()
	}
	tx.Close()
	if ok {
		c.conn.WriteInt(int64(n))
	}
}

// LINDEX key index: the key is looked up before the index is parsed.
func cmdLIndex(c *client, args [][]byte) {
	tx := c.db().Read(args[1])
	l, ok := c.lookupListRead(&tx, args[1])
	var elem []byte
	found := false
	if l != nil {
		i, isInt := parseInt(args[2])
		if !isInt {
			tx.Close()
			c.conn.WriteError(errNotInteger)
			return
		}
		elem, found = l.Index(int(i))
	}
	tx.Close()
	switch {
	case !ok:
	case found:
		c.conn.WriteBulk(elem)
	default:
		c.conn.WriteNull()
	}
}

// LRANGE key start stop
func cmdLRange(c *client, args [][]byte) {
	start, ok1 := parseInt(args[2])
	stop, ok2 := parseInt(args[3])
	if !ok1 || !ok2 {
		c.conn.WriteError(errNotInteger)
		return
	}
	tx := c.db().Read(args[1])
	defer tx.Close()
	l, ok := c.lookupListRead(&tx, args[1])
	switch {
	case !ok:
		return
	case l == nil:
		c.conn.WriteArrayLen(0)
		return
	}
	// Written under the lock, without copying the elements aside: a reply
	// is only buffered here, the network write comes after Close.
	from, to := listSpan(l, start, stop)
	c.conn.WriteArrayLen(to - from)
	if from == to {
		return // Range(0, -1) would be the whole list
	}
	l.Range(from, to-1, func(elem []byte) bool {
		c.conn.WriteBulk(elem)
		return true
	})
}

// listSpan turns a range from start to stop, inclusive, negative from the
// tail, into positions [from, to) in l, as addListRangeReply clamps it.
// Redis's indexes are longs; converting them to int first would be the
// same on a 64-bit machine, but the arithmetic is kept in int64.
func listSpan(l *db.List, start, stop int64) (from, to int) {
	n := int64(l.Len())
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	start = max(start, 0)
	if start > stop || start >= n {
		return 0, 0
	}
	return int(start), int(min(stop, n-1)) + 1
}

// LSET key index element
func cmdLSet(c *client, args [][]byte) {
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	l, err := tx.MutableList(key, false)
	switch {
	case err != nil:
		c.conn.WriteError(errWrongType)
		return
	case l == nil:
		c.conn.WriteError(errNoSuchKey)
		return
	}
	i, ok := parseInt(args[2])
	if !ok {
		c.conn.WriteError(errNotInteger)
		return
	}
	if !l.SetIndex(int(i), args[3]) {
		c.conn.WriteError(errIndexRange)
		return
	}
	c.conn.WriteOK()
	c.notify(evList, "lset", key)
	c.server.dirty.Add(1)
}

// LINSERT key BEFORE|AFTER pivot element
func cmdLInsert(c *client, args [][]byte) {
	key, pivot, elem := args[1], args[3], args[4]
	var after bool
	switch {
	case is(args[2], "after"):
		after = true
	case is(args[2], "before"):
	default:
		c.conn.WriteError(errSyntax)
		return
	}
	tx := c.db().Write(key)
	defer tx.Close()
	l, err := tx.MutableList(key, false)
	switch {
	case err != nil:
		c.conn.WriteError(errWrongType)
		return
	case l == nil:
		c.conn.WriteInt(0)
		return
	}
	at := -1
	i := 0
	l.Range(0, -1, func(e []byte) bool {
		if bytes.Equal(e, pivot) {
			at = i
			return false
		}
		i++
		return true
	})
	if at < 0 {
		c.conn.WriteInt(-1)
		return
	}
	if after {
		at++
	}
	l.Insert(at, elem)
	c.notify(evList, "linsert", key)
	c.server.dirty.Add(1)
	c.conn.WriteInt(int64(l.Len()))
}

// LREM key count element
func cmdLRem(c *client, args [][]byte) {
	key := args[1]
	count, ok := parseInt(args[2])
	if !ok {
		c.conn.WriteError(errNotInteger)
		return
	}
	if count == math.MinInt64 {
		// Redis negates it, gets it back, and so removes every match
		// (from the tail, which removes the same ones).
		count = 0
	}
	tx := c.db().Write(key)
	defer tx.Close()
	l, err := tx.MutableList(key, false)
	switch {
	case err != nil:
		c.conn.WriteError(errWrongType)
		return
	case l == nil:
		c.conn.WriteInt(0)
		return
	}
	removed := l.Remove(args[3], int(count))
	c.replyRemoved(evList, "lrem", key, removed, l.Len() == 0)
}

// LTRIM key start stop: the ltrim event, and WATCH's signal, come even when
// nothing is removed.
func cmdLTrim(c *client, args [][]byte) {
	key := args[1]
	start, ok1 := parseInt(args[2])
	stop, ok2 := parseInt(args[3])
	if !ok1 || !ok2 {
		c.conn.WriteError(errNotInteger)
		return
	}
	tx := c.db().Write(key)
	defer tx.Close()
	l, err := tx.MutableList(key, false)
	switch {
	case err != nil:
		c.conn.WriteError(errWrongType)
		return
	case l == nil:
		c.conn.WriteOK()
		return
	}
	before := l.Len()
	// db.List.Trim takes ints, which are 64 bits here, as Redis's longs.
	l.Trim(int(start), int(stop))
	c.notify(evList, "ltrim", key)
	if l.Len() == 0 {
		c.notify(evGeneric, "del", key)
	}
	tx.MarkModified(key)
	c.server.dirty.Add(int64(before - l.Len()))
	c.conn.WriteOK()
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
func cmdLPos(c *client, args [][]byte) {
	key, elem := args[1], args[2]
	rank, count, maxlen := int64(1), int64(-1), int64(0) // count -1: no COUNT
	for j := 3; j < len(args); j++ {
		opt, more := args[j], j+1 < len(args)
		var ok bool
		switch {
		case is(opt, "rank") && more:
			j++
			if rank, ok = parseInt(args[j]); !ok {
				c.conn.WriteError(errNotInteger)
				return
			}
			if rank == 0 {
				c.conn.WriteError(errRankZero)
				return
			}
		case is(opt, "count") && more:
			j++
			if count, ok = parseInt(args[j]); !ok || count < 0 {
				c.conn.WriteError(errCountNegative)
				return
			}
		case is(opt, "maxlen") && more:
			j++
			if maxlen, ok = parseInt(args[j]); !ok || maxlen < 0 {
				c.conn.WriteError(errMaxlenNegative)
				return
			}
		default:
			c.conn.WriteError(errSyntax)
			return
		}
	}
	// A negative rank searches from the tail. Go's int64 wraps as Redis's
	// long does in practice: RANK -9223372036854775808 stays negative,
	// so every match qualifies, and with COUNT the count never runs out.
	fromTail := rank < 0
	if fromTail {
		rank = -rank
	}
	tx := c.db().Read(key)
	l, ok := c.lookupListRead(&tx, key)
	if !ok {
		tx.Close()
		return
	}
	if l == nil {
		tx.Close()
		if count != -1 {
			c.conn.WriteArrayLen(0)
		} else {
			c.conn.WriteNull()
		}
		return
	}
	var found []int64
	llen := int64(l.Len())
	matches := int64(0)
	for index := int64(0); index < llen && (maxlen == 0 || index < maxlen); index++ {
		pos := index
		if fromTail {
			pos = llen - index - 1
		}
		if e, _ := l.Index(int(pos)); !bytes.Equal(e, elem) {
			continue
		}
		matches++
		if matches < rank {
			continue
		}
		found = append(found, pos)
		if count == -1 || count != 0 && matches-rank+1 >= count {
			break
		}
	}
	tx.Close()
	switch {
	case count != -1:
		c.conn.WriteArrayLen(len(found))
		for _, pos := range found {
			c.conn.WriteInt(pos)
		}
	case len(found) > 0:
		c.conn.WriteInt(found[0])
	default:
		c.conn.WriteNull()
	}
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
func cmdLMove(c *client, args [][]byte) {
	from, ok1 := parseListEnd(args[3])
	to, ok2 := parseListEnd(args[4])
	if !ok1 || !ok2 {
		c.conn.WriteError(errSyntax)
		return
	}
	c.lmove(args[1], args[2], from, to)
}

// RPOPLPUSH source destination: LMOVE source destination RIGHT LEFT.
func cmdRPopLPush(c *client, args [][]byte) { c.lmove(args[1], args[2], listTail, listHead) }

// lmove is lmoveGenericCommand: a null for a missing source.
func (c *client) lmove(src, dst []byte, from, to listEnd) {
	tx := c.db().Write(src, dst)
	defer tx.Close()
	switch ok, err := c.moveElement(&tx, src, dst, from, to); {
	case err != nil:
		c.conn.WriteError(errWrongType)
	case !ok:
		c.conn.WriteNull()
	}
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]: pops from the
// first key that holds a list; a key of another type before that is
// WRONGTYPE; none, a null array.
func cmdLMPop(c *client, args [][]byte) {
	keys, where, count, errText := parseMPopArgs(args, 1)
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	tx := c.db().Write(keys...)
	defer tx.Close()
	for _, key := range keys {
		ok, err := c.popAndReply(&tx, key, where, count, popKeyMany)
		if err != nil {
			c.conn.WriteError(errWrongType)
			return
		}
		if ok {
			return
		}
	}
	c.conn.WriteNullArray()
}
