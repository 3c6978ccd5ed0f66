package server

import (
	"github.com/mini-redis/mini-redis/db"
)

// The blocking sorted set pops: BZPOPMIN, BZPOPMAX and BZMPOP. When one of
// their keys holds a sorted set, each does at once what its non-blocking
// twin (ZPOPMIN, ZPOPMAX, ZMPOP, in cmd_zset_ops.go) does, with the key in
// its reply. Otherwise the client waits on the list commands' machinery
// (block.go) until a key gets a sorted set, its timeout passes, CLIENT
// UNBLOCK lets it go, or it disconnects; inside MULTI it does not wait but
// replies as if the timeout had passed. Checked against redis-server
// 7.0.15 (diff_zset_blocking_test.go).

func zsetBlockingCommands() []*command {
	return []*command{
		{name: "bzpopmin", flags: flagWrite | flagBlocking, run: cmdBZPopMin},
		{name: "bzpopmax", flags: flagWrite | flagBlocking, run: cmdBZPopMax},
		{name: "bzmpop", flags: flagWrite | flagBlocking, run: cmdBZMPop},
	}
}

// BZPOPMIN key [key ...] timeout
func cmdBZPopMin(c *client, args [][]byte) { c.blockingZPop(args, true) }

// BZPOPMAX key [key ...] timeout
func cmdBZPopMax(c *client, args [][]byte) { c.blockingZPop(args, false) }

func (c *client) blockingZPop(args [][]byte, lowest bool) {
	deadline, errText := c.server.parseBlockTimeout(args[len(args)-1])
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	c.zpopOrBlock(blockReq{op: opZPop, fromLeft: lowest, count: 1}, args[1:len(args)-1], deadline)
}

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: the
// arguments are checked before the timeout, as Redis's
// zmpopGenericCommand does.
func cmdBZMPop(c *client, args [][]byte) {
	keys, lowest, count, errText := parseZMPopArgs(args, 2)
	if errText == "" {
		var deadline int64
		if deadline, errText = c.server.parseBlockTimeout(args[1]); errText == "" {
			c.zpopOrBlock(blockReq{op: opZMPop, fromLeft: lowest, count: count}, keys, deadline)
			return
		}
	}
	c.conn.WriteError(errText)
}

// zpopOrBlock pops as r asks from the first of keys that holds a sorted
// set, or blocks on all of them (blockingGenericZpopCommand). A key of
// another type before the first sorted set is an error.
func (c *client) zpopOrBlock(r blockReq, keys [][]byte, deadline int64) {
	tx := c.db().Write(keys...)
	defer tx.Close()
	for _, k := range keys {
		z, ok := c.mutableZSet(&tx, k, false)
		if !ok {
			return
		}
		if z == nil || z.Len() == 0 {
			continue
		}
		out := c.server.popZSet(&tx, c.dbIndex, &r, k, z)
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

// popZSet pops up to r.count members from z, the non-empty sorted set of
// key in database dbIndex, under tx, from its lowest scores if
// r.fromLeft, else from its highest, for a blocking pop, at once or served
// after it blocked: Redis's genericZpopCommand does both alike. The
// outcome is what writeBlockReply replies.
func (s *Server) popZSet(tx *db.KeyLock, dbIndex int, r *blockReq, key []byte, z *db.ZSet) blockOutcome {
	members, scores := s.zpop(dbIndex, key, z, !r.fromLeft, r.count)
	return blockOutcome{key: string(key), values: members, scores: scores}
}

// zpop pops up to count members (count >= 1) from z, the non-empty sorted
// set of key in database dbIndex, from its highest scores if highest, else
// from its lowest, as genericZpopCommand does: the zpopmin or zpopmax
// event, then del if z is now empty (KeyLock.Close deletes it), and one
// change in dirty a member. It returns the members and their scores, in
// the order popped.
func (s *Server) zpop(dbIndex int, key []byte, z *db.ZSet, highest bool, count int64) (members [][]byte, scores []float64) {
	n := int(min(count, int64(z.Len())))
	members, scores = make([][]byte, 0, n), make([]float64, 0, n)
	for range n {
		m, score, ok := z.Pop(highest)
		if !ok {
			break
		}
		members, scores = append(members, []byte(m)), append(scores, score)
	}
	event := "zpopmin"
	if highest {
		event = "zpopmax"
	}
	s.notify(dbIndex, evZSet, event, key)
	if z.Len() == 0 {
		s.notify(dbIndex, evGeneric, "del", key)
	}
	s.dirty.Add(int64(len(members)))
	return members, scores
}

// writeZPopped writes the reply of a pop from the sorted set at key with
// its key: BZPOPMIN's and BZPOPMAX's [key, member, score], or, nested,
// ZMPOP's and BZMPOP's [key, [[member, score], ...]].
func (c *client) writeZPopped(key string, members [][]byte, scores []float64, nested bool) {
	if !nested {
		c.conn.WriteArrayLen(1 + 2*len(members))
		c.conn.WriteBulkString(key)
		c.writeZPairs(members, scores, false)
		return
	}
	c.conn.WriteArrayLen(2)
	c.conn.WriteBulkString(key)
	c.conn.WriteArrayLen(len(members))
	c.writeZPairs(members, scores, true)
}

// writeZPairs writes members with their scores: each pair as an array of
// two if nested, else one after the other.
func (c *client) writeZPairs(members [][]byte, scores []float64, nested bool) {
	for i, m := range members {
		if nested {
			c.conn.WriteArrayLen(2)
		}
		c.conn.WriteBulk(m)
		c.writeScore(scores[i])
	}
}
