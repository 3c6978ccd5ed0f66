package server

import (
	"math"
	"math/big"

	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/db/pubsub"
)

// The blocking list commands: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and BLMPOP.
// When one of its keys has data, each does at once what its non-blocking
// twin (LPOP, RPOP, LMOVE, RPOPLPUSH, LMPOP) does. Otherwise the client
// waits (block.go) until a key gets data, its timeout passes, CLIENT
// UNBLOCK lets it go, or it disconnects; inside MULTI it does not wait but
// replies as if the timeout had passed. Checked against redis-server 7.0.15
// (diff_blocking_test.go).

func blockingCommands() []*command {
	return []*command{
		{name: "blpop", flags: flagWrite | flagBlocking, run: cmdBLPop},
		{name: "brpop", flags: flagWrite | flagBlocking, run: cmdBRPop},
		{name: "blmove", flags: flagWrite | flagBlocking, run: cmdBLMove},
		{name: "brpoplpush", flags: flagWrite | flagBlocking, run: cmdBRPopLPush},
		{name: "blmpop", flags: flagWrite | flagBlocking, run: cmdBLMPop},
	}
}

const (
	errTimeoutNotFloat = "ERR timeout is not a float or out of range"
	errTimeoutNegative = "ERR timeout is negative"
	errMPopNumKeys     = "ERR numkeys should be greater than 0"
	errMPopCount       = "ERR count should be greater than 0"
)

// evBlockList is the class of the list commands' keyspace events (named
// apart from the list family's, which was written beside this file).
const evBlockList = pubsub.EventList

// BLPOP key [key ...] timeout
func cmdBLPop(c *client, args [][]byte) { c.blockingPop(args, true) }

// BRPOP key [key ...] timeout
func cmdBRPop(c *client, args [][]byte) { c.blockingPop(args, false) }

func (c *client) blockingPop(args [][]byte, left bool) {
	deadline, errText := c.server.parseBlockTimeout(args[len(args)-1])
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	c.popOrBlock(blockReq{op: opPop, fromLeft: left}, args[1:len(args)-1], deadline)
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
func cmdBLMPop(c *client, args [][]byte) {
	r, keys, errText := parseBlockMPop(args, 2)
	if errText == "" {
		var deadline int64
		if deadline, errText = c.server.parseBlockTimeout(args[1]); errText == "" {
			c.popOrBlock(r, keys, deadline)
			return
		}
	}
	c.conn.WriteError(errText)
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
func cmdBLMove(c *client, args [][]byte) {
	from, ok := parseBlockEnd(args[3])
	if !ok {
		c.conn.WriteError(errSyntax)
		return
	}
	to, ok := parseBlockEnd(args[4])
	if !ok {
		c.conn.WriteError(errSyntax)
		return
	}
	deadline, errText := c.server.parseBlockTimeout(args[5])
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	c.moveOrBlock(blockReq{op: opMove, fromLeft: from, toLeft: to, dst: string(args[2])}, args[1], deadline)
}

// BRPOPLPUSH source destination timeout: BLMOVE source destination RIGHT
// LEFT timeout.
func cmdBRPopLPush(c *client, args [][]byte) {
	deadline, errText := c.server.parseBlockTimeout(args[3])
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	c.moveOrBlock(blockReq{op: opMove, fromLeft: false, toLeft: true, dst: string(args[2])}, args[1], deadline)
}

// popOrBlock pops as r asks from the first of keys that holds a list, or
// blocks on all of them (blockingPopGenericCommand). A key of another type
// before the first list is an error.
func (c *client) popOrBlock(r blockReq, keys [][]byte, deadline int64) {
	tx := c.db().Write(keys...)
	defer tx.Close()
	for _, k := range keys {
		l, err := tx.MutableList(k, false)
		if err != nil {
			c.conn.WriteError(errWrongType)
			return
		}
		if l == nil || l.Len() == 0 {
			continue
		}
		c.writeBlockReply(&r, c.server.popList(&tx, c.dbIndex, &r, k, l, false))
		return
	}
	if c.exclusiveHeld {
		// Inside EXEC, which holds every other client: it cannot wait,
		// so it replies as a timeout, even with a timeout of 0.
		c.conn.WriteNullArray()
		return
	}
	c.block(r, keys, deadline)
}

// moveOrBlock moves an element from src as r asks, or blocks on src
// (blmoveGenericCommand). The destination is looked at only when there is
// something to move.
func (c *client) moveOrBlock(r blockReq, src []byte, deadline int64) {
	tx := c.db().Write(src, []byte(r.dst))
	defer tx.Close()
	l, err := tx.MutableList(src, false)
	if err != nil {
		c.conn.WriteError(errWrongType)
		return
	}
	if l == nil || l.Len() == 0 {
		if c.exclusiveHeld {
			c.conn.WriteNull() // Redis's reply here is a null, not a null array
			return
		}
		c.block(r, [][]byte{src}, deadline)
		return
	}
	c.writeBlockReply(&r, c.server.popList(&tx, c.dbIndex, &r, src, l, false))
}

// parseBlockTimeout reads a blocking command's timeout, in seconds, as
// Redis's getTimeoutFromObjectOrReply does: a long double, times 1000 and
// rounded up to whole milliseconds (so 0.0001 waits 1 ms, and -0.0001 is 0),
// converted as C converts to long long (a value out of its range, inf
// included, becomes the most negative one, hence "negative"). It returns
// the deadline on the keyspace clock in Unix milliseconds, 0 to wait
// forever, or the error reply.
func (s *Server) parseBlockTimeout(arg []byte) (int64, string) {
	f, ok := parseLongDouble(arg)
	if !ok {
		return 0, errTimeoutNotFloat
	}
	ms := ceilToLongLong(newLongDouble().Mul(f, big.NewFloat(1000)))
	switch {
	case ms < 0:
		return 0, errTimeoutNegative
	case ms == 0:
		return 0, ""
	}
	now := s.keyspaceMillis()
	if ms > math.MaxInt64-now {
		// Redis's deadline overflows, and a client waits forever; it still
		// counts in clients_in_timeout_table.
		return math.MaxInt64, ""
	}
	return now + ms, ""
}

// ceilToLongLong is (long long) ceill(f) on x86-64: out of range, or
// infinite, it is LLONG_MIN.
func ceilToLongLong(f *big.Float) int64 {
	if f.IsInf() {
		return math.MinInt64
	}
	i, acc := f.Int(nil) // truncated towards zero
	if acc == big.Below {
		i.Add(i, big.NewInt(1)) // f was positive with a fraction
	}
	if !i.IsInt64() {
		return math.MinInt64
	}
	return i.Int64()
}

// parseBlockEnd reads LEFT or RIGHT: true for LEFT.
func parseBlockEnd(arg []byte) (left, ok bool) {
	switch {
	case is(arg, "left"):
		return true, true
	case is(arg, "right"):
		return false, true
	}
	return false, false
}

// parseBlockMPop reads the arguments of LMPOP and BLMPOP from the numkeys at
// args[numkeysIdx] on, in the order Redis's lmpopGenericCommand checks
// them, and returns the request and its keys, or the error reply.
func parseBlockMPop(args [][]byte, numkeysIdx int) (blockReq, [][]byte, string) {
	r := blockReq{op: opMPop}
	n, ok := parseInt(args[numkeysIdx])
	if !ok || n < 1 {
		return r, nil, errMPopNumKeys
	}
	if n >= int64(len(args)-numkeysIdx-1) {
		return r, nil, errSyntax // no LEFT|RIGHT after the keys
	}
	whereIdx := numkeysIdx + int(n) + 1
	if r.fromLeft, ok = parseBlockEnd(args[whereIdx]); !ok {
		return r, nil, errSyntax
	}
	r.count = -1
	for j := whereIdx + 1; j < len(args); j++ {
		if r.count != -1 || !is(args[j], "count") || j+1 == len(args) {
			return r, nil, errSyntax
		}
		j++
		if r.count, ok = parseInt(args[j]); !ok || r.count < 1 {
			return r, nil, errMPopCount
		}
	}
	if r.count == -1 {
		r.count = 1
	}
	return r, args[numkeysIdx+1 : whereIdx], ""
}

// --- Pop and move, as the non-blocking list commands do them ---------------
//
// Stand-ins for the list family's helpers (cmd_list.go), which were being
// written beside this file: popList and writeBlockReply pop, push, notify,
// count and reply exactly as LPOP/RPOP, LMPOP and LMOVE do. To be unified
// with the list family's once both are merged.

// popList does r on l, the non-empty list of key in database dbIndex,
// under tx, which holds key and, for a move, r.dst: the pops and push,
// their keyspace events and the changes counted in dirty. served tells a
// client served after it blocked (Redis's serveClientBlockedOnList),
// whose BLPOP, BRPOP or BLMOVE Redis 7.0 does not count in dirty; BLMPOP it
// does. The outcome is what writeBlockReply replies.
func (s *Server) popList(tx *db.KeyLock, dbIndex int, r *blockReq, key []byte, l *db.List, served bool) blockOutcome {
	switch r.op {
	case opMove:
		dst := []byte(r.dst)
		dl, err := tx.MutableList(dst, true)
		if err != nil {
			return blockOutcome{err: errWrongType}
		}
		v := blockPopEnd(l, r.fromLeft)
		blockPushEnd(dl, v, r.toLeft)
		s.notify(dbIndex, evBlockList, blockPushEvent(r.toLeft), dst)
		s.notifyPopped(dbIndex, key, l, r.fromLeft)
		if !served {
			s.dirty.Add(1)
		}
		return blockOutcome{key: string(key), values: [][]byte{v}}
	case opMPop:
		n := min(r.count, int64(l.Len()))
		values := make([][]byte, n)
		for i := range values {
			values[i] = blockPopEnd(l, r.fromLeft)
		}
		s.notifyPopped(dbIndex, key, l, r.fromLeft)
		s.dirty.Add(n)
		return blockOutcome{key: string(key), values: values}
	default:
		v := blockPopEnd(l, r.fromLeft)
		s.notifyPopped(dbIndex, key, l, r.fromLeft)
		if !served {
			s.dirty.Add(1)
		}
		return blockOutcome{key: string(key), values: [][]byte{v}}
	}
}

// notifyPopped publishes the events of elements popped from key's list l:
// lpop or rpop, then del if l is now empty (KeyLock.Close deletes it).
func (s *Server) notifyPopped(dbIndex int, key []byte, l *db.List, left bool) {
	event := "rpop"
	if left {
		event = "lpop"
	}
	s.notify(dbIndex, evBlockList, event, key)
	if l.Len() == 0 {
		s.notify(dbIndex, evGeneric, "del", key)
	}
}

func blockPushEvent(left bool) string {
	if left {
		return "lpush"
	}
	return "rpush"
}

func blockPopEnd(l *db.List, left bool) []byte {
	var v []byte
	if left {
		v, _ = l.PopFront()
	} else {
		v, _ = l.PopBack()
	}
	return v
}

func blockPushEnd(l *db.List, v []byte, left bool) {
	if left {
		l.PushFront(v)
	} else {
		l.PushBack(v)
	}
}

// writeBlockReply writes the reply of a pop or move done for r: for BLMOVE
// the element, as LMOVE; for BLMPOP the key and an array of the elements,
// as LMPOP; for BLPOP and BRPOP the key and the element.
func (c *client) writeBlockReply(r *blockReq, out blockOutcome) {
	if out.err != "" {
		c.conn.WriteError(out.err)
		return
	}
	switch r.op {
	case opMove:
		c.conn.WriteBulk(out.values[0])
	case opMPop:
		c.conn.WriteArrayLen(2)
		c.conn.WriteBulkString(out.key)
		c.conn.WriteArrayLen(len(out.values))
		for _, v := range out.values {
			c.conn.WriteBulk(v)
		}
	default:
		c.conn.WriteArrayLen(2)
		c.conn.WriteBulkString(out.key)
		c.conn.WriteBulk(out.values[0])
	}
}
