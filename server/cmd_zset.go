package server

import (
	"math"
	"strconv"

	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/db/pubsub"
)

// The sorted set commands, as Redis 7.0.15's t_zset.c runs them: the same
// lookups (read lookups count as keyspace hits and misses, write lookups
// do not), the same checks in the same order, the same notifications and
// dirty counts. Scores are replied as Redis's addReplyDouble writes them:
// "%.17g" in a bulk string in RESP2 ("inf" and "-inf" spelled so), a
// double in RESP3.

const evZSet = pubsub.EventZSet

func zsetCommands() []*command {
	return []*command{
		{name: "zadd", flags: flagWrite, run: cmdZAdd},
		{name: "zincrby", flags: flagWrite, run: cmdZIncrBy},
		{name: "zcard", run: cmdZCard},
		{name: "zscore", run: cmdZScore},
		{name: "zmscore", run: cmdZMScore},
		{name: "zrem", flags: flagWrite, run: cmdZRem},
		{name: "zrank", run: cmdZRank},
		{name: "zrevrank", run: cmdZRevRank},
		{name: "zrange", run: cmdZRange},
		{name: "zrevrange", run: cmdZRevRange},
		{name: "zrangebyscore", run: cmdZRangeByScore},
		{name: "zrevrangebyscore", run: cmdZRevRangeByScore},
		{name: "zrangebylex", run: cmdZRangeByLex},
		{name: "zrevrangebylex", run: cmdZRevRangeByLex},
		{name: "zrangestore", flags: flagWrite, run: cmdZRangeStore},
		{name: "zcount", run: cmdZCount},
		{name: "zlexcount", run: cmdZLexCount},
		{name: "zremrangebyrank", flags: flagWrite, run: cmdZRemRangeByRank},
		{name: "zremrangebyscore", flags: flagWrite, run: cmdZRemRangeByScore},
		{name: "zremrangebylex", flags: flagWrite, run: cmdZRemRangeByLex},
		{name: "zrandmember", run: cmdZRandMember},
		{name: "zscan", run: cmdZScan},
	}
}

// Error replies of the sorted set commands.
const (
	errZMinMaxNotFloat = "ERR min or max is not a float"
	errZLexRange       = "ERR min or max not valid string range item"
	errZNaN            = "ERR resulting score is not a number (NaN)"
	errZXXNX           = "ERR XX and NX options at the same time are not compatible"
	errZGTLTNX         = "ERR GT, LT, and/or NX options at the same time are not compatible"
	errZIncrOne        = "ERR INCR option supports a single increment-element pair"
	errZLimitRank      = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
	errZLexScores      = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
)

// readZSet is lookupKeyRead followed by checkType for a sorted set: it
// returns the set at key in tx, or nil for a missing key, and counts the
// lookup. For a key of another type it replies WRONGTYPE and returns ok
// false.
func (c *client) readZSet(tx *db.KeyLock, key []byte) (*db.ZSet, bool) {
	return readAs[*db.ZSet](c, tx, key)
}

// mutableZSet is lookupKeyWrite for a sorted set command, counting
// nothing: the set at key in tx for change in place, nil for a missing key
// unless create is set, when it is a new empty set that Close removes if
// it is left empty. For a key of another type it replies WRONGTYPE and
// returns ok false.
func (c *client) mutableZSet(tx *db.KeyLock, key []byte, create bool) (z *db.ZSet, ok bool) {
	z, err := tx.MutableZSet(key, create)
	if err != nil {
		c.conn.WriteError(errWrongType)
		return nil, false
	}
	return z, true
}

// writeScore writes a score as Redis's addReplyDouble does.
func (c *client) writeScore(f float64) { c.conn.WriteDouble(f) }

// formatScore formats a score as Redis's d2string does, for the replies
// that give scores as bulk strings in every protocol (ZSCAN): "%.17g",
// with "inf" and "-inf".
func formatScore(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', 17, 64)
}

// parseScore parses a score argument (getDoubleFromObjectOrReply), replying
// "ERR value is not a valid float" if it is not one.
func (c *client) parseScore(b []byte) (float64, bool) {
	f, ok := parseDouble(b)
	if !ok {
		c.conn.WriteError(errNotFloat)
	}
	return f, ok
}

// parseScoreBound parses one end of a score range as Redis's zslParseRange
// does: an optional "(" for an exclusive end, then what strtod reads, which
// may start with spaces, be empty (0) or stop at a NUL byte, but not be
// NaN.
func parseScoreBound(b []byte) (f float64, ex, ok bool) {
	if len(b) > 0 && b[0] == '(' {
		b, ex = b[1:], true
	}
	f, n, _, _ := cStrtod(b)
	if n < len(b) && b[n] != 0 || f != f {
		return 0, false, false
	}
	return f, ex, true
}

// parseScoreRange parses a score range's min and max (zslParseRange).
func parseScoreRange(min, max []byte) (r db.ScoreRange, ok bool) {
	var okMin, okMax bool
	r.Min, r.MinEx, okMin = parseScoreBound(min)
	r.Max, r.MaxEx, okMax = parseScoreBound(max)
	return r, okMin && okMax
}

// parseLexBound parses one end of a lex range as Redis's
// zslParseLexRangeItem does: "-" or "+" (the byte after, if any, must be a
// NUL, as a C string's end), or "(" or "[" before the member.
func parseLexBound(b []byte) (db.LexBound, bool) {
	if len(b) == 0 {
		return db.LexBound{}, false
	}
	switch b[0] {
	case '+', '-':
		if len(b) > 1 && b[1] != 0 {
			return db.LexBound{}, false
		}
		if b[0] == '+' {
			return db.LexBound{Inf: 1}, true
		}
		return db.LexBound{Inf: -1}, true
	case '(':
		return db.LexBound{Value: string(b[1:]), Exclusive: true}, true
	case '[':
		return db.LexBound{Value: string(b[1:])}, true
	}
	return db.LexBound{}, false
}

// parseLexRange parses a lex range's min and max (zslParseLexRange).
func parseLexRange(min, max []byte) (r db.LexRange, ok bool) {
	var okMin, okMax bool
	r.Min, okMin = parseLexBound(min)
	r.Max, okMax = parseLexBound(max)
	return r, okMin && okMax
}

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
func cmdZAdd(c *client, args [][]byte) { c.zadd(args, 0) }

// ZINCRBY key increment member
func cmdZIncrBy(c *client, args [][]byte) { c.zadd(args, db.ZAddIncr) }

// zadd is zaddGenericCommand: ZADD, and ZINCRBY with flags ZAddIncr. As in
// Redis, ZINCRBY parses ZADD's options too, so an option word in place of
// its increment is a syntax error.
func (c *client) zadd(args [][]byte, flags db.ZAddFlags) {
	key := args[1]
	ch := false
	i := 2
options:
	for ; i < len(args); i++ {
		switch {
		case is(args[i], "nx"):
			flags |= db.ZAddNX
		case is(args[i], "xx"):
			flags |= db.ZAddXX
		case is(args[i], "ch"):
			ch = true
		case is(args[i], "incr"):
			flags |= db.ZAddIncr
		case is(args[i], "gt"):
			flags |= db.ZAddGT
		case is(args[i], "lt"):
			flags |= db.ZAddLT
		default:
			break options
		}
	}
	pairs := args[i:]
	if len(pairs) == 0 || len(pairs)%2 != 0 {
		c.conn.WriteError(errSyntax)
		return
	}
	has := func(f db.ZAddFlags) bool { return flags&f != 0 }
	switch {
	case has(db.ZAddNX) && has(db.ZAddXX):
		c.conn.WriteError(errZXXNX)
		return
	case has(db.ZAddNX) && (has(db.ZAddGT) || has(db.ZAddLT)) || has(db.ZAddGT) && has(db.ZAddLT):
		c.conn.WriteError(errZGTLTNX)
		return
	case has(db.ZAddIncr) && len(pairs) > 2:
		c.conn.WriteError(errZIncrOne)
		return
	}
	scores := make([]float64, len(pairs)/2)
	for j := range scores {
		var ok bool
		if scores[j], ok = c.parseScore(pairs[2*j]); !ok {
			return
		}
	}
	incr := has(db.ZAddIncr)
	tx := c.db().Write(key)
	defer tx.Close()
	z, ok := c.mutableZSet(&tx, key, !has(db.ZAddXX))
	if !ok {
		return
	}
	var added, updated, processed int
	var score float64
	if z != nil {
		lim := tx.Limits()
		for j, s := range scores {
			res, newScore := z.Add(pairs[2*j+1], s, flags, lim)
			switch res {
			case db.ZAddNaN:
				c.conn.WriteError(errZNaN)
				return
			case db.ZAddAdded:
				added++
			case db.ZAddUpdated:
				updated++
			}
			if res != db.ZAddNop {
				processed++
			}
			score = newScore
		}
	}
	if added+updated > 0 {
		event := "zadd"
		if incr {
			event = "zincr"
		}
		c.notify(evZSet, event, key)
		c.server.dirty.Add(int64(added + updated))
	}
	switch {
	case !incr && ch:
		c.conn.WriteInt(int64(added + updated))
	case !incr:
		c.conn.WriteInt(int64(added))
	case processed > 0:
		c.writeScore(score)
	default:
		c.conn.WriteNull()
	}
}

// ZCARD key
func cmdZCard(c *client, args [][]byte) {
	tx := c.db().Read(args[1])
	defer tx.Close()
	if z, ok := c.readZSet(&tx, args[1]); ok {
		n := 0
		if z != nil {
			n = z.Len()
		}
		c.conn.WriteInt(int64(n))
	}
}

// ZSCORE key member
func cmdZScore(c *client, args [][]byte) {
	tx := c.db().Read(args[1])
	defer tx.Close()
	z, ok := c.readZSet(&tx, args[1])
	if !ok {
		return
	}
	if z == nil {
		c.conn.WriteNull()
		return
	}
	if s, found := z.Score(args[2]); found {
		c.writeScore(s)
	} else {
		c.conn.WriteNull()
	}
}

// ZMSCORE key member [member ...]
func cmdZMScore(c *client, args [][]byte) {
	tx := c.db().Read(args[1])
	defer tx.Close()
	z, ok := c.readZSet(&tx, args[1])
	if !ok {
		return
	}
	c.conn.WriteArrayLen(len(args) - 2)
	for _, m := range args[2:] {
		// A missing key reads as an empty set.
		if z == nil {
			c.conn.WriteNull()
		} else if s, found := z.Score(m); found {
			c.writeScore(s)
		} else {
			c.conn.WriteNull()
		}
	}
}

// ZREM key member [member ...]
func cmdZRem(c *client, args [][]byte) {
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	z, ok := c.mutableZSet(&tx, key, false)
	if !ok {
		return
	}
	deleted, emptied := 0, false
	if z != nil {
		deleted, emptied = removeMembers(z, args[2:])
	}
	c.replyRemoved(evZSet, "zrem", key, deleted, emptied)
}

// ZRANK key member
func cmdZRank(c *client, args [][]byte) { c.zrank(args, false) }

// ZREVRANK key member
func cmdZRevRank(c *client, args [][]byte) { c.zrank(args, true) }

func (c *client) zrank(args [][]byte, rev bool) {
	tx := c.db().Read(args[1])
	defer tx.Close()
	z, ok := c.readZSet(&tx, args[1])
	if !ok {
		return
	}
	if z != nil {
		if r, _, found := z.Rank(args[2], rev); found {
			c.conn.WriteInt(int64(r))
			return
		}
	}
	c.conn.WriteNull()
}

// The kinds of range of the ZRANGE family.
const (
	zrangeAuto = iota // ZRANGE and ZRANGESTORE: BYSCORE or BYLEX may say
	zrangeRank
	zrangeScore
	zrangeLex
)

// zrangeSpec is a parsed ZRANGE-family command.
type zrangeSpec struct {
	kind        int
	rev         bool
	withScores  bool
	offset      int64
	limit       int64 // -1 for none
	start, stop int64
	score       db.ScoreRange
	lex         db.LexRange
}

// parseZRange parses the arguments of a ZRANGE-family command from the
// source key at args[0] on, as Redis's zrangeGenericCommand does; kind and
// rev are the command's own (zrangeAuto and false let the options say). It
// replies the error and returns false if they are wrong.
func (c *client) parseZRange(args [][]byte, store bool, kind int, rev bool) (sp zrangeSpec, ok bool) {
	sp.kind, sp.rev, sp.limit = kind, rev, -1
	// ZRANGE and ZRANGESTORE take the direction and the kind from their
	// options, once each.
	autoDir := kind == zrangeAuto
	for j := 3; j < len(args); j++ {
		left := len(args) - j - 1
		switch {
		case !store && is(args[j], "withscores"):
			sp.withScores = true
		case is(args[j], "limit") && left >= 2:
			var ok1, ok2 bool
			sp.offset, ok1 = parseInt(args[j+1])
			if ok1 {
				sp.limit, ok2 = parseInt(args[j+2])
			}
			if !ok1 || !ok2 {
				c.conn.WriteError(errNotInteger)
				return sp, false
			}
			j += 2
		case autoDir && is(args[j], "rev"):
			sp.rev, autoDir = true, false
		case sp.kind == zrangeAuto && is(args[j], "bylex"):
			sp.kind = zrangeLex
		case sp.kind == zrangeAuto && is(args[j], "byscore"):
			sp.kind = zrangeScore
		default:
			c.conn.WriteError(errSyntax)
			return sp, false
		}
	}
	if sp.kind == zrangeAuto {
		sp.kind = zrangeRank
	}
	if sp.limit != -1 && sp.kind == zrangeRank {
		c.conn.WriteError(errZLimitRank)
		return sp, false
	}
	if sp.withScores && sp.kind == zrangeLex {
		c.conn.WriteError(errZLexScores)
		return sp, false
	}
	min, max := args[1], args[2]
	if sp.rev && sp.kind != zrangeRank {
		min, max = max, min // given as max, min
	}
	switch sp.kind {
	case zrangeRank:
		var ok1, ok2 bool
		sp.start, ok1 = parseInt(min)
		if ok1 {
			sp.stop, ok2 = parseInt(max)
		}
		if !ok1 || !ok2 {
			c.conn.WriteError(errNotInteger)
			return sp, false
		}
	case zrangeScore:
		if sp.score, ok = parseScoreRange(min, max); !ok {
			c.conn.WriteError(errZMinMaxNotFloat)
			return sp, false
		}
	case zrangeLex:
		if sp.lex, ok = parseLexRange(min, max); !ok {
			c.conn.WriteError(errZLexRange)
			return sp, false
		}
	}
	return sp, true
}

// zsetRankBounds turns a ZRANGE or ZREMRANGEBYRANK start and stop, which
// count from the end when negative, into ranks in a set of n members, as
// Redis sanitizes them; ok is false when the range is empty.
func zsetRankBounds(start, stop, n int64) (lo, hi int64, ok bool) {
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	start = max(start, 0)
	if start > stop || start >= n {
		return 0, 0, false
	}
	return start, min(stop, n-1), true
}

// ranks returns the ranks, counted from the lowest score, of the members
// the range selects in z: [from, to], visited downwards if sp.rev; none
// if from > to.
func (sp *zrangeSpec) ranks(z *db.ZSet) (from, to int) {
	n := int64(z.Len())
	if sp.kind == zrangeRank {
		lo, hi, ok := zsetRankBounds(sp.start, sp.stop, n)
		if !ok {
			return 0, -1
		}
		if sp.rev {
			return int(n - 1 - hi), int(n - 1 - lo)
		}
		return int(lo), int(hi)
	}
	// Redis skips offset members of the range, one by one: a negative
	// offset skips them all.
	if sp.offset < 0 || sp.offset > 0 && sp.offset >= n {
		return 0, -1
	}
	var first, end int
	if sp.kind == zrangeScore {
		first, end = z.ScoreRanks(sp.score)
		// Scores are in order: the offset skips the first ones in range.
		if sp.rev {
			end = int(max(int64(first), int64(end)-sp.offset))
		} else {
			first = int(min(int64(end), int64(first)+sp.offset))
		}
	} else {
		// The offset is less than the set's size here, the limit need
		// not be: a negative one, or one past the size, is no limit.
		limit := -1
		if sp.limit >= 0 && sp.limit < n {
			limit = int(sp.limit)
		}
		first, end = z.LexWindow(sp.lex, sp.rev, int(sp.offset), limit)
	}
	count := int64(end - first)
	if count <= 0 {
		return 0, -1
	}
	if sp.limit >= 0 && sp.limit < count {
		count = sp.limit
	}
	if sp.rev {
		return int(int64(end) - count), end - 1
	}
	return first, int(int64(first) + count - 1)
}

// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
func cmdZRange(c *client, args [][]byte) { c.zrange(args, zrangeAuto, false) }

// ZREVRANGE key start stop [WITHSCORES]
func cmdZRevRange(c *client, args [][]byte) { c.zrange(args, zrangeRank, true) }

// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
func cmdZRangeByScore(c *client, args [][]byte) { c.zrange(args, zrangeScore, false) }

// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
func cmdZRevRangeByScore(c *client, args [][]byte) { c.zrange(args, zrangeScore, true) }

// ZRANGEBYLEX key min max [LIMIT offset count]
func cmdZRangeByLex(c *client, args [][]byte) { c.zrange(args, zrangeLex, false) }

// ZREVRANGEBYLEX key max min [LIMIT offset count]
func cmdZRevRangeByLex(c *client, args [][]byte) { c.zrange(args, zrangeLex, true) }

// zrange replies the members a ZRANGE-family command selects: an array of
// members, with their scores after them if asked (RESP2), or an array of
// [member, score] pairs (RESP3), as Redis's zrangeResultEmitCBufferToClient.
func (c *client) zrange(args [][]byte, kind int, rev bool) {
	sp, ok := c.parseZRange(args[1:], false, kind, rev)
	if !ok {
		return
	}
	key := args[1]
	tx := c.db().Read(key)
	defer tx.Close()
	z, ok := c.readZSet(&tx, key)
	if !ok {
		return
	}
	if z == nil {
		c.conn.WriteArrayLen(0)
		return
	}
	from, to := sp.ranks(z)
	n := max(0, to-from+1)
	resp3 := c.resp3()
	if sp.withScores && !resp3 {
		c.conn.WriteArrayLen(2 * n)
	} else {
		c.conn.WriteArrayLen(n)
	}
	z.RangeByRank(from, to, sp.rev, func(m string, s float64) bool {
		if sp.withScores && resp3 {
			c.conn.WriteArrayLen(2)
		}
		c.conn.WriteBulkString(m)
		if sp.withScores {
			c.writeScore(s)
		}
		return true
	})
}

// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
func cmdZRangeStore(c *client, args [][]byte) {
	sp, ok := c.parseZRange(args[2:], true, zrangeAuto, false)
	if !ok {
		return
	}
	dst, src := args[1], args[2]
	tx := c.db().Write(dst, src)
	defer tx.Close()
	v := c.lookupRead(&tx, src)
	z, isZSet := v.(*db.ZSet)
	if v != nil && !isZSet {
		c.conn.WriteError(errWrongType)
		return
	}
	var result *db.ZSet
	if z != nil {
		if from, to := sp.ranks(z); from <= to {
			lim := tx.Limits()
			result = db.NewZSet()
			z.RangeByRank(from, to, sp.rev, func(m string, s float64) bool {
				result.Add([]byte(m), s, 0, lim)
				return true
			})
		}
	}
	if result != nil {
		tx.Set(dst, result, 0)
		c.conn.WriteInt(int64(result.Len()))
		c.notify(evZSet, "zrangestore", dst)
		c.server.dirty.Add(1)
		return
	}
	c.conn.WriteInt(0)
	if tx.Delete(dst) {
		c.notify(evGeneric, "del", dst)
		c.server.dirty.Add(1)
	}
}

// ZCOUNT key min max
func cmdZCount(c *client, args [][]byte) {
	r, ok := parseScoreRange(args[2], args[3])
	if !ok {
		c.conn.WriteError(errZMinMaxNotFloat)
		return
	}
	c.zcount(args[1], func(z *db.ZSet) (int, int) { return z.ScoreRanks(r) })
}

// ZLEXCOUNT key min max
func cmdZLexCount(c *client, args [][]byte) {
	r, ok := parseLexRange(args[2], args[3])
	if !ok {
		c.conn.WriteError(errZLexRange)
		return
	}
	c.zcount(args[1], func(z *db.ZSet) (int, int) { return 0, z.LexCount(r) })
}

// zcount replies how many members of the set at key ranks selects: end -
// first, which may be negative, as ZLEXCOUNT of a skiplist's unsorted
// members may be in Redis.
func (c *client) zcount(key []byte, ranks func(*db.ZSet) (first, end int)) {
	tx := c.db().Read(key)
	defer tx.Close()
	z, ok := c.readZSet(&tx, key)
	if !ok {
		return
	}
	n := 0
	if z != nil {
		first, end := ranks(z)
		n = end - first
	}
	c.conn.WriteInt(int64(n))
}

// ZREMRANGEBYRANK key start stop
func cmdZRemRangeByRank(c *client, args [][]byte) {
	start, ok1 := parseInt(args[2])
	stop, ok2 := parseInt(args[3])
	if !ok1 || !ok2 {
		c.conn.WriteError(errNotInteger)
		return
	}
	c.zremrange(args[1], "zremrangebyrank", func(z *db.ZSet) (int, int) {
		n := int64(z.Len())
		lo, hi, ok := zsetRankBounds(start, stop, n)
		if !ok {
			return 0, 0
		}
		return int(lo), int(hi) + 1
	})
}

// ZREMRANGEBYSCORE key min max
func cmdZRemRangeByScore(c *client, args [][]byte) {
	r, ok := parseScoreRange(args[2], args[3])
	if !ok {
		c.conn.WriteError(errZMinMaxNotFloat)
		return
	}
	c.zremrange(args[1], "zremrangebyscore", func(z *db.ZSet) (int, int) { return z.ScoreRanks(r) })
}

// ZREMRANGEBYLEX key min max
func cmdZRemRangeByLex(c *client, args [][]byte) {
	r, ok := parseLexRange(args[2], args[3])
	if !ok {
		c.conn.WriteError(errZLexRange)
		return
	}
	c.zremrange(args[1], "zremrangebylex", func(z *db.ZSet) (int, int) { return z.LexRanks(r, false) })
}

// zremrange removes the members ranks selects from the set at key
// (zremrangeGenericCommand).
func (c *client) zremrange(key []byte, event string, ranks func(*db.ZSet) (first, end int)) {
	tx := c.db().Write(key)
	defer tx.Close()
	z, ok := c.mutableZSet(&tx, key, false)
	if !ok {
		return
	}
	deleted := 0
	if z != nil {
		if first, end := ranks(z); first < end {
			deleted = z.RemoveRangeByRank(first, end-1)
		}
	}
	c.replyRemoved(evZSet, event, key, deleted, z != nil && z.Len() == 0)
}

// ZRANDMEMBER key [count [WITHSCORES]]
func cmdZRandMember(c *client, args [][]byte) {
	key := args[1]
	if len(args) >= 3 {
		n, withScores, ok := c.parseRandCount(args, "withscores")
		if ok {
			c.zrandmemberWithCount(key, n, withScores)
		}
		return
	}
	tx := c.db().Read(key)
	defer tx.Close()
	z, ok := c.readZSet(&tx, key)
	switch {
	case !ok:
	case z == nil:
		c.conn.WriteNull()
	default:
		m, _, _ := z.Random(tx.Rand())
		c.conn.WriteBulkString(m)
	}
}

// zrandmemberWithCount is ZRANDMEMBER with a count n
// (zrandmemberWithCountCommand, see writeRandomPairs), as
// hrandfieldWithCount is HRANDFIELD's: n >= 0 distinct members, as many as
// the set has at most (the whole set from the highest score down when n is
// at least its size, as Redis's zui iterator walks it; a listpack's picks
// in its ascending order), n < 0 asks for -n members that may repeat.
func (c *client) zrandmemberWithCount(key []byte, n int64, withScores bool) {
	tx := c.db().Read(key)
	closed := false
	defer func() {
		if !closed {
			tx.Close()
		}
	}()
	z, ok := c.readZSet(&tx, key)
	if !ok {
		return
	}
	if z == nil || n == 0 {
		c.conn.WriteArrayLen(0)
		return
	}
	size := z.Len()
	src := randomPairs[float64]{
		size: size,
		at:   z.At,
		all: func(yield func(string, float64) bool) {
			z.RangeByRank(0, size-1, true, yield)
		},
		listpack: z.Encoding() == "listpack",
	}
	writeRandomPairs(c, tx.Rand(), n, withScores, src, c.writeScore, func() {
		tx.Close()
		closed = true
	})
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]: the members with their
// scores, as bulk strings in every protocol.
func cmdZScan(c *client, args [][]byte) {
	scanCollection(c, args, func(z *db.ZSet, cursor uint64, count int, match func(string) bool) (uint64, []string) {
		var found []string
		next := z.Scan(cursor, count, func(m string, s float64) {
			if match == nil || match(m) {
				found = append(found, m, formatScore(s))
			}
		})
		return next, found
	})
}
