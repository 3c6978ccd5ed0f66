package server

import (
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
)

// readZSet is lookupKeyRead followed by checkType for a sorted set: it
// returns the set at key in tx, or nil for a missing key, and counts the
// lookup. For a key of another type it replies WRONGTYPE and returns ok
// false.
func (c *client) readZSet(tx *db.KeyLock, key []byte) (z *db.ZSet, ok bool) {
	v := c.lookupRead(tx, key)
	if v == nil {
		return nil, true
	}
	if z, ok = v.(*db.ZSet); !ok {
		c.conn.WriteError(errWrongType)
	}
	return z, ok
}

// writeScore writes a score as Redis's addReplyDouble does.
func (c *client) writeScore(f float64) { c.conn.WriteDouble(f) }

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
	z, err := tx.MutableZSet(key, !has(db.ZAddXX))
	if err != nil {
		c.conn.WriteError(errWrongType)
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
