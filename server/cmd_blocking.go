package server

import (
	"bytes"
	"math"
	"math/big"
	"strconv"

	"github.com/mini-redis/mini-redis/db"
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
)

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
	c.moveOrBlock(blockReq{op: opMove, fromLeft: false, toLeft: true, dst: string(args[2]), legacy: true}, args[1], deadline)
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
		out := c.server.popList(&tx, c.dbIndex, &r, k, l, false)
		c.propagateAs(r.propagatedPop(k, out, false))
		c.writeBlockReply(&r, out)
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
	out := c.server.popList(&tx, c.dbIndex, &r, src, l, false)
	c.propagateAs(r.propagatedPop(src, out, false))
	c.writeBlockReply(&r, out)
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
	where, ok := parseListEnd(arg)
	return where == listHead, ok
}

// endOf returns the list end a request's left flag names.
func endOf(left bool) listEnd {
	if left {
		return listHead
	}
	return listTail
}

// parseBlockMPop reads the arguments of BLMPOP from the numkeys at
// args[numkeysIdx] on, as LMPOP's parseMPopArgs does, and returns the
// request and its keys, or the error reply.
func parseBlockMPop(args [][]byte, numkeysIdx int) (blockReq, [][]byte, string) {
	keys, where, count, errText := parseMPopArgs(args, numkeysIdx)
	return blockReq{op: opMPop, fromLeft: where == listHead, count: int64(count)}, keys, errText
}

// --- Pop and move, as the non-blocking list commands do them ---------------
//
// A client served after it blocked gets its reply from its own goroutine,
// after the pusher's command has done the pop: popList does the pop, push,
// events and dirty count as LPOP/RPOP, LMPOP and LMOVE do, on the server
// (the pusher's goroutine), and writeBlockReply writes the outcome on the
// served client's connection. The list family's popAndReply and
// moveElement write to the caller's own connection, so they cannot serve.

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
		v := popAt(l, endOf(r.fromLeft))
		pushAt(dl, endOf(r.toLeft), v)
		s.notify(dbIndex, evList, endOf(r.toLeft).pushEvent(), dst)
		s.notifyPopped(dbIndex, key, l, r.fromLeft)
		if !served {
			s.dirty.Add(1)
		}
		return blockOutcome{key: string(key), values: [][]byte{v}}
	case opMPop:
		n := min(r.count, int64(l.Len()))
		values := make([][]byte, n)
		for i := range values {
			values[i] = popAt(l, endOf(r.fromLeft))
		}
		s.notifyPopped(dbIndex, key, l, r.fromLeft)
		s.dirty.Add(n)
		return blockOutcome{key: string(key), values: values}
	default:
		v := popAt(l, endOf(r.fromLeft))
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
	s.notify(dbIndex, evList, endOf(left).popEvent(), key)
	if l.Len() == 0 {
		s.notify(dbIndex, evGeneric, "del", key)
	}
}

// writeBlockReply writes the reply of a pop or move done for r: for BLMOVE
// the element, as LMOVE; for BLMPOP the key and an array of the elements,
// as LMPOP; for BLPOP and BRPOP the key and the element; for the sorted
// set pops what writeZPopped writes.
func (c *client) writeBlockReply(r *blockReq, out blockOutcome) {
	if out.err != "" {
		c.conn.WriteError(out.err)
		return
	}
	switch r.op {
	case opZPop, opZMPop:
		c.writeZPopped(out.key, out.values, out.scores, r.op == opZMPop)
	case opXRead:
		c.writeXReadBlocked(out)
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

// propagatedPop returns the non-blocking command that replays the pop
// done for r from key, with outcome out, as Redis 7.0 propagates a
// blocking pop: BLPOP as LPOP, BLMPOP as LPOP or RPOP with the count
// popped, BZPOPMIN as ZPOPMIN, BZMPOP as ZPOPMIN or ZPOPMAX with the
// count popped, BLMOVE as LMOVE (its ends in lower case when the client
// was served after it blocked, as serveClientBlockedOnList writes them),
// BRPOPLPUSH as RPOPLPUSH.
func (r *blockReq) propagatedPop(key []byte, out blockOutcome, served bool) [][]byte {
	if out.err != "" {
		return nil
	}
	key = clone(key)
	n := func() []byte { return strconv.AppendInt(nil, int64(len(out.values)), 10) }
	pick := func(left bool, l, rt string) []byte {
		if left {
			return b(l)
		}
		return b(rt)
	}
	switch r.op {
	case opMove:
		if r.legacy {
			return [][]byte{b("RPOPLPUSH"), key, b(r.dst)}
		}
		from, to := pick(r.fromLeft, "LEFT", "RIGHT"), pick(r.toLeft, "LEFT", "RIGHT")
		if served {
			from, to = bytes.ToLower(from), bytes.ToLower(to)
		}
		return [][]byte{b("LMOVE"), key, b(r.dst), from, to}
	case opMPop:
		return [][]byte{pick(r.fromLeft, "LPOP", "RPOP"), key, n()}
	case opZPop:
		return [][]byte{pick(r.fromLeft, "ZPOPMIN", "ZPOPMAX"), key}
	case opZMPop:
		return [][]byte{pick(r.fromLeft, "ZPOPMIN", "ZPOPMAX"), key, n()}
	default:
		return [][]byte{pick(r.fromLeft, "LPOP", "RPOP"), key}
	}
}
