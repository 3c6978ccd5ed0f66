package server

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/mini-redis/mini-redis/db"
)

// The sorted set pops and operations, as Redis 7.0.15's t_zset.c runs
// them: ZPOPMIN, ZPOPMAX and ZMPOP (genericZpopCommand, which the blocking
// pops of cmd_zset_blocking.go share), and ZUNION, ZINTER, ZDIFF, their
// *STORE forms and ZINTERCARD (zunionInterDiffGenericCommand), which take
// sets as well as sorted sets, a set's members scoring 1. The pops look
// their keys up as writes, which count as neither keyspace hits nor
// misses; the operations look up theirs as reads, even in the *STORE
// forms. Checked against redis-server 7.0.15 (diff_zset_ops_test.go).

func zsetOpsCommands() []*command {
	return []*command{
		{name: "zpopmin", flags: flagWrite, run: cmdZPopMin},
		{name: "zpopmax", flags: flagWrite, run: cmdZPopMax},
		{name: "zmpop", flags: flagWrite, run: cmdZMPop},
		{name: "zunion", run: cmdZUnion},
		{name: "zinter", run: cmdZInter},
		{name: "zdiff", run: cmdZDiff},
		{name: "zunionstore", flags: flagWrite, run: cmdZUnionStore},
		{name: "zinterstore", flags: flagWrite, run: cmdZInterStore},
		{name: "zdiffstore", flags: flagWrite, run: cmdZDiffStore},
		{name: "zintercard", run: cmdZInterCard},
	}
}

// errWeightNotFloat is the reply to a WEIGHTS value that is not a float.
const errWeightNotFloat = "ERR weight value is not a float"

// ZPOPMIN key [count]
func cmdZPopMin(c *client, args [][]byte) { c.zpopMinMax(args, false) }

// ZPOPMAX key [count]
func cmdZPopMax(c *client, args [][]byte) { c.zpopMinMax(args, true) }

// zpopMinMax is ZPOPMIN and ZPOPMAX (zpopMinMaxCommand): without a count
// one member and its score, in a flat array; with one, up to count
// members, in a flat array in RESP2 and an array of pairs in RESP3.
func (c *client) zpopMinMax(args [][]byte, highest bool) {
	if len(args) > 3 {
		c.conn.WriteError(errSyntax)
		return
	}
	count := int64(-1) // no count: one member, replied flat
	if len(args) == 3 {
		n, ok := parseInt(args[2])
		if !ok || n < 0 {
			c.conn.WriteError(errMustBePositive)
			return
		}
		count = n
	}
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	z, ok := c.mutableZSet(&tx, key, false)
	if !ok {
		return
	}
	if z == nil || count == 0 {
		c.conn.WriteArrayLen(0)
		return
	}
	n := count
	if n == -1 {
		n = 1
	}
	members, scores := c.server.zpop(c.dbIndex, key, z, highest, n)
	nested := count != -1 && c.resp3()
	if nested {
		c.conn.WriteArrayLen(len(members))
	} else {
		c.conn.WriteArrayLen(2 * len(members))
	}
	c.writeZPairs(members, scores, nested)
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]: from the first of the
// keys that exists, which must hold a sorted set.
func cmdZMPop(c *client, args [][]byte) {
	keys, lowest, count, errText := parseZMPopArgs(args, 1)
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	tx := c.db().Write(keys...)
	defer tx.Close()
	for _, k := range keys {
		z, ok := c.mutableZSet(&tx, k, false)
		if !ok {
			return
		}
		if z == nil {
			continue
		}
		members, scores := c.server.zpop(c.dbIndex, k, z, !lowest, count)
		c.writeZPopped(string(k), members, scores, true)
		return
	}
	c.conn.WriteNullArray()
}

// parseZMPopArgs reads the arguments of ZMPOP and BZMPOP from the numkeys
// at args[numkeysIdx] on, as zmpopGenericCommand does, and returns the
// keys, whether to pop the lowest scores (MIN), and how many members at
// most, or the error reply.
func parseZMPopArgs(args [][]byte, numkeysIdx int) (keys [][]byte, lowest bool, count int64, errText string) {
	numkeys, ok := parseInt(args[numkeysIdx])
	if !ok || numkeys < 1 {
		return nil, false, 0, errNumkeys
	}
	// Redis's where_idx is numkeys_idx+numkeys+1, which must be < argc.
	if numkeys > int64(len(args)-numkeysIdx-2) {
		return nil, false, 0, errSyntax
	}
	whereIdx := numkeysIdx + int(numkeys) + 1
	switch {
	case is(args[whereIdx], "min"):
		lowest = true
	case is(args[whereIdx], "max"):
	default:
		return nil, false, 0, errSyntax
	}
	count = -1
	for j := whereIdx + 1; j < len(args); j++ {
		if count == -1 && is(args[j], "count") && j+1 < len(args) {
			j++
			n, ok := parseInt(args[j])
			if !ok || n < 1 {
				return nil, false, 0, errCountPositive
			}
			count = n
			continue
		}
		return nil, false, 0, errSyntax
	}
	if count == -1 {
		count = 1
	}
	return args[numkeysIdx+1 : whereIdx], lowest, count, ""
}

// --- ZUNION, ZINTER, ZDIFF and their kin --------------------------------------

// zsetOpKind is the operation of zunionInterDiffGenericCommand.
type zsetOpKind uint8

const (
	zsetUnion zsetOpKind = iota
	zsetInter
	zsetDiff
)

// zsetAggregate is how ZUNION and ZINTER combine the scores of a member
// found in several inputs (AGGREGATE).
type zsetAggregate uint8

const (
	aggregateSum zsetAggregate = iota
	aggregateMin
	aggregateMax
)

// combine folds val into target as zunionInterAggregate does: a sum of
// +inf and -inf, NaN, is 0.
func (a zsetAggregate) combine(target *float64, val float64) {
	switch a {
	case aggregateSum:
		*target += val
		if math.IsNaN(*target) {
			*target = 0
		}
	case aggregateMin:
		if val < *target {
			*target = val
		}
	case aggregateMax:
		if val > *target {
			*target = val
		}
	}
}

// zsetSource is an input of a sorted set operation: a sorted set, a set
// (whose members score 1), or neither for a missing key; and its weight.
type zsetSource struct {
	z      *db.ZSet
	s      *db.Set
	weight float64
}

func (src *zsetSource) len() int {
	switch {
	case src.z != nil:
		return src.z.Len()
	case src.s != nil:
		return src.s.Len()
	}
	return 0
}

// each calls fn with every member and its score, unweighted, until fn
// returns false.
func (src *zsetSource) each(fn func(member string, score float64) bool) {
	switch {
	case src.z != nil:
		src.z.Range(fn)
	case src.s != nil:
		src.s.Range(func(m string) bool { return fn(m, 1) })
	}
}

// score returns member's unweighted score, and whether it is a member.
func (src *zsetSource) score(member string) (float64, bool) {
	switch {
	case src.z != nil:
		return src.z.Score([]byte(member))
	case src.s != nil:
		return 1, src.s.Contains([]byte(member))
	}
	return 0, false
}

// zpair is a member and its score in a result.
type zpair struct {
	member string
	score  float64
}

// cmpZPairs orders members as a sorted set does: by score, then by their
// bytes.
func cmpZPairs(a, b zpair) int {
	return cmp.Or(cmp.Compare(a.score, b.score), cmp.Compare(a.member, b.member))
}

// ZUNION numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
func cmdZUnion(c *client, args [][]byte) { c.zsetOp(args, 1, false, zsetUnion, false) }

// ZINTER numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
func cmdZInter(c *client, args [][]byte) { c.zsetOp(args, 1, false, zsetInter, false) }

// ZDIFF numkeys key [key ...] [WITHSCORES]
func cmdZDiff(c *client, args [][]byte) { c.zsetOp(args, 1, false, zsetDiff, false) }

// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]
func cmdZUnionStore(c *client, args [][]byte) { c.zsetOp(args, 2, true, zsetUnion, false) }

// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]
func cmdZInterStore(c *client, args [][]byte) { c.zsetOp(args, 2, true, zsetInter, false) }

// ZDIFFSTORE destination numkeys key [key ...]
func cmdZDiffStore(c *client, args [][]byte) { c.zsetOp(args, 2, true, zsetDiff, false) }

// ZINTERCARD numkeys key [key ...] [LIMIT limit]
func cmdZInterCard(c *client, args [][]byte) { c.zsetOp(args, 1, false, zsetInter, true) }

// zsetOptions are the options after the keys of a sorted set operation.
type zsetOptions struct {
	aggregate  zsetAggregate
	withScores bool
	limit      int64 // ZINTERCARD: stop counting there; 0 counts all
}

// zsetOp is zunionInterDiffGenericCommand: op over the keys from
// args[numkeysIdx+1], replied, or stored at args[1] (store), or counted
// (cardOnly, ZINTERCARD). As in Redis, the keys are looked up
// before the options are parsed, so that a key of another type is
// reported before a bad option.
func (c *client) zsetOp(args [][]byte, numkeysIdx int, store bool, op zsetOpKind, cardOnly bool) {
	numkeys, ok := parseInt(args[numkeysIdx])
	if !ok {
		c.conn.WriteError(errNotInteger)
		return
	}
	if numkeys < 1 {
		c.conn.WriteError("ERR at least 1 input key is needed for '" + strings.ToLower(string(args[0])) + "' command")
		return
	}
	if numkeys > int64(len(args)-numkeysIdx-1) {
		c.conn.WriteError(errSyntax)
		return
	}
	keys := args[numkeysIdx+1 : numkeysIdx+1+int(numkeys)]
	var (
		tx  db.KeyLock
		dst []byte
	)
	if store {
		dst = args[1]
		tx = c.db().Write(append([][]byte{dst}, keys...)...)
	} else {
		tx = c.db().Read(keys...)
	}
	defer tx.Close()
	srcs := make([]zsetSource, len(keys))
	for i, k := range keys {
		srcs[i].weight = 1
		switch v := c.lookupRead(&tx, k).(type) {
		case nil:
		case *db.ZSet:
			srcs[i].z = v
		case *db.Set:
			srcs[i].s = v
		default:
			c.conn.WriteError(errWrongType)
			return
		}
	}
	opts, errText := parseZSetOptions(args[numkeysIdx+1+int(numkeys):], srcs, op, store, cardOnly)
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	if op != zsetDiff {
		// Smallest first, as Redis sorts them (glibc's qsort is a merge
		// sort: inputs of equal size keep their order), which fixes the
		// order in which scores are summed.
		slices.SortStableFunc(srcs, func(a, b zsetSource) int { return cmp.Compare(a.len(), b.len()) })
	}
	if cardOnly {
		c.conn.WriteInt(zinterCard(srcs, opts.limit))
		return
	}
	var result []zpair
	switch op {
	case zsetUnion:
		result = zunion(srcs, opts.aggregate)
	case zsetInter:
		result = zinter(srcs, opts.aggregate)
	case zsetDiff:
		result = zdiff(srcs)
	}
	slices.SortFunc(result, cmpZPairs)
	if store {
		c.storeZSetResult(&tx, dst, result, op)
		return
	}
	resp3 := c.resp3()
	if opts.withScores && !resp3 {
		c.conn.WriteArrayLen(2 * len(result))
	} else {
		c.conn.WriteArrayLen(len(result))
	}
	for _, p := range result {
		if opts.withScores && resp3 {
			c.conn.WriteArrayLen(2)
		}
		c.conn.WriteBulkString(p.member)
		if opts.withScores {
			c.writeScore(p.score)
		}
	}
}

// parseZSetOptions parses the options after the keys, setting the
// sources' weights, as zunionInterDiffGenericCommand does: WEIGHTS and
// AGGREGATE but for ZDIFF and ZINTERCARD, WITHSCORES but for the *STORE
// forms (store) and ZINTERCARD, LIMIT for ZINTERCARD (cardOnly) alone, each
// as often as it comes; anything else, or an option without all its
// arguments, is a syntax error.
func parseZSetOptions(args [][]byte, srcs []zsetSource, op zsetOpKind, store, cardOnly bool) (zsetOptions, string) {
	var opts zsetOptions
	for j := 0; j < len(args); {
		remaining := len(args) - j
		switch {
		case op != zsetDiff && !cardOnly && remaining >= len(srcs)+1 && is(args[j], "weights"):
			j++
			for i := range srcs {
				w, ok := parseDouble(args[j])
				if !ok {
					return opts, errWeightNotFloat
				}
				srcs[i].weight = w
				j++
			}
		case op != zsetDiff && !cardOnly && remaining >= 2 && is(args[j], "aggregate"):
			switch {
			case is(args[j+1], "sum"):
				opts.aggregate = aggregateSum
			case is(args[j+1], "min"):
				opts.aggregate = aggregateMin
			case is(args[j+1], "max"):
				opts.aggregate = aggregateMax
			default:
				return opts, errSyntax
			}
			j += 2
		case !store && !cardOnly && is(args[j], "withscores"):
			opts.withScores = true
			j++
		case cardOnly && remaining >= 2 && is(args[j], "limit"):
			n, ok := parseInt(args[j+1])
			if !ok || n < 0 {
				return opts, errLimitNegative
			}
			opts.limit = n
			j += 2
		default:
			return opts, errSyntax
		}
	}
	return opts, ""
}

// weighted returns score times the source's weight; NaN (0 times an
// infinity) is 0, as in Redis.
func (src *zsetSource) weighted(score float64) float64 {
	w := src.weight * score
	if math.IsNaN(w) {
		return 0
	}
	return w
}

// zunion returns the members of any of srcs, sorted smallest first, with
// their weighted scores combined by agg in the sources' order.
func zunion(srcs []zsetSource, agg zsetAggregate) []zpair {
	index := map[string]int{}
	var result []zpair
	for i := range srcs {
		src := &srcs[i]
		src.each(func(m string, score float64) bool {
			w := src.weighted(score)
			if at, ok := index[m]; ok {
				agg.combine(&result[at].score, w)
			} else {
				index[m] = len(result)
				result = append(result, zpair{m, w})
			}
			return true
		})
	}
	return result
}

// zinter returns the members of all of srcs, sorted smallest first, with
// their weighted scores combined by agg, the first source's first.
func zinter(srcs []zsetSource, agg zsetAggregate) []zpair {
	var result []zpair
	zinterEach(srcs, agg, func(m string, score float64) bool {
		result = append(result, zpair{m, score})
		return true
	})
	return result
}

// zinterCard counts the members of all of srcs, stopping at limit if it
// is not 0.
func zinterCard(srcs []zsetSource, limit int64) int64 {
	var n int64
	zinterEach(srcs, aggregateSum, func(string, float64) bool {
		n++
		return limit == 0 || n < limit
	})
	return n
}

// zinterEach calls fn with every member of all of srcs, sorted smallest
// first, and its combined score, until fn returns false.
func zinterEach(srcs []zsetSource, agg zsetAggregate, fn func(member string, score float64) bool) {
	first := &srcs[0]
	if first.len() == 0 {
		return
	}
	first.each(func(m string, score float64) bool {
		total := first.weighted(score)
		for j := 1; j < len(srcs); j++ {
			v, ok := srcs[j].score(m)
			if !ok {
				return true
			}
			agg.combine(&total, v*srcs[j].weight)
		}
		return fn(m, total)
	})
}

// zdiff returns the members of srcs[0] that none of the others has, with
// their scores in srcs[0].
func zdiff(srcs []zsetSource) []zpair {
	var result []zpair
	srcs[0].each(func(m string, score float64) bool {
		for j := 1; j < len(srcs); j++ {
			if _, ok := srcs[j].score(m); ok {
				return true
			}
		}
		result = append(result, zpair{m, score})
		return true
	})
	return result
}

// storeZSetResult stores result, sorted, at dst as a new sorted set for
// ZUNIONSTORE, ZINTERSTORE and ZDIFFSTORE, over whatever dst held and
// without its deadline (db.KeyLock.Overwrite: as Redis's setKey, it
// serves blocked clients only if dst is new), and replies with its size; an empty result
// deletes dst instead. The set is a listpack if its size and its members
// fit the limits, as zsetConvertToListpackIfNeeded decides.
func (c *client) storeZSetResult(tx *db.KeyLock, dst []byte, result []zpair, op zsetOpKind) {
	if len(result) == 0 {
		c.conn.WriteInt(0)
		if tx.Delete(dst) {
			c.server.dirty.Add(1)
			c.notify(evGeneric, "del", dst)
		}
		return
	}
	lim := tx.Limits()
	z := db.NewZSet()
	for _, p := range result {
		z.Add([]byte(p.member), p.score, 0, lim)
	}
	tx.Overwrite(dst, z)
	c.conn.WriteInt(int64(len(result)))
	event := [...]string{zsetUnion: "zunionstore", zsetInter: "zinterstore", zsetDiff: "zdiffstore"}[op]
	c.notify(evZSet, event, dst)
	c.server.dirty.Add(1)
}
