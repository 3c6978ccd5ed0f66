package server

import (
	"strconv"
	"strings"
)

// The sorted set commands of TestRandomDifferential. They use the same
// keys as the other commands, so that sorted sets meet strings, lists,
// hashes and sets (WRONGTYPE both ways, ZRANGESTORE over other types) and
// the generic commands act on them too.
//
// Scores are drawn from few values, so that ties (ordered by member) are
// common, with -inf and inf among them, and from the float arguments the
// string commands use, malformed ones included. A big ZADD now and then
// takes a set past zset-max-listpack-entries.
//
// Lex ranges are only asked of the keys rdLexKeys, which only this file's
// ZADD writes, always with score 0: on a skiplist whose members are not
// in lex order, Redis's answer depends on its nodes' random levels.
// Everything else about the lex parsers is in the differential scripts.
//
// ZRANDMEMBER's replies are random: compared by shape. ZSCAN is asked
// for COUNT 1000 from cursor 0, which returns a set of fewer members
// whole, in one call, with cursor 0, on both servers; a skiplist's pairs
// come in each server's own order (rdHScan).

// rdZSetPercent is the share of the generated commands that are sorted set
// commands.
const rdZSetPercent = 20

// rdLexKeys are the keys of the sets for lex ranges.
var rdLexKeys = []string{"lex", "lex\x00"}

// rdScores are scores: few, for ties, and the edges.
var rdScores = []string{"0", "1", "1", "2", "-1", "2.5", "-inf", "inf", "+inf", "-0", "1e300", "0.1"}

func (g *rdGen) score() string {
	switch n := g.r.IntN(20); {
	case n < 16:
		return g.pick(rdScores...)
	case n < 18:
		return strconv.Itoa(g.r.IntN(11) - 5)
	}
	return g.floatArg()
}

// scoreBound is a ZRANGEBYSCORE min or max: a score, maybe exclusive,
// sometimes malformed.
func (g *rdGen) scoreBound() string {
	b := g.pick(rdScores...)
	if g.chance(10) {
		b = g.floatArg()
	}
	if g.chance(30) {
		b = "(" + b
	}
	if g.chance(3) {
		b = g.pick("", "(", "x", "((1", "nan", "(nan", " 1", "1\x00x")
	}
	return b
}

// lexBound is a ZRANGEBYLEX min or max, sometimes malformed.
func (g *rdGen) lexBound() string {
	if g.chance(20) {
		return g.pick("-", "+", "-", "+", "", "x", "-x", "+\x00", "[", "(")
	}
	return g.pick("[", "(") + g.member()
}

// zsetLimit returns LIMIT offset count, or nothing.
func (g *rdGen) zsetLimit() []string {
	if !g.chance(30) {
		return nil
	}
	off := strconv.Itoa(g.r.IntN(8) - 1)
	cnt := strconv.Itoa(g.r.IntN(8) - 2)
	if g.chance(5) {
		off = g.pick("x", "9223372036854775807", "-9223372036854775808")
	}
	return []string{g.caseOf("LIMIT"), off, cnt}
}

// rankArg is a ZRANGE or ZREMRANGEBYRANK index.
func (g *rdGen) rankArg() string {
	if g.chance(90) {
		return strconv.Itoa(g.r.IntN(21) - 10)
	}
	return g.pick(rdInts...)
}

// zaddPairs returns between 1 and max score-member pairs.
func (g *rdGen) zaddPairs(max int, score func() string) []string {
	var out []string
	for n := 1 + g.r.IntN(max); n > 0; n-- {
		out = append(out, score(), g.member())
	}
	return out
}

// zaddFlags returns some ZADD options, compatible or not.
func (g *rdGen) zaddFlags() []string {
	var out []string
	for n := g.r.IntN(3); n > 0 && g.chance(50); n-- {
		out = append(out, g.caseOf(g.pick("NX", "XX", "GT", "LT", "CH", "INCR", "CH", "GT")))
	}
	return out
}

// zsetCommand returns one sorted set command.
func (g *rdGen) zsetCommand() rdStep {
	k := g.key()
	ex := func(args ...string) rdStep { return rdStep{args: args} }
	withScores := func(args []string) []string {
		if g.chance(40) {
			args = append(args, g.caseOf("WITHSCORES"))
		}
		return args
	}
	if g.chance(20) {
		return g.zsetLexCommand()
	}
	if g.chance(25) {
		return g.zsetOpsCommand() // randdiff_zset_ops_test.go
	}
	switch n := g.r.IntN(100); {
	case n < 1:
		// Past zset-max-listpack-entries: a listpack turns into a skiplist.
		args := []string{"ZADD", k}
		for i := g.r.IntN(60); i < 200; i++ {
			args = append(args, strconv.Itoa(i%7), "m"+strconv.Itoa(i))
		}
		return ex(args...)
	case n < 18:
		args := append([]string{"ZADD", k}, g.zaddFlags()...)
		return ex(append(args, g.zaddPairs(4, g.score)...)...)
	case n < 22:
		return ex("ZINCRBY", k, g.score(), g.member())
	case n < 28:
		return ex(append([]string{"ZREM", k}, g.members(4)...)...)
	case n < 31:
		return ex("ZCARD", k)
	case n < 34:
		return ex("ZSCORE", k, g.member())
	case n < 36:
		return ex(append([]string{"ZMSCORE", k}, g.members(4)...)...)
	case n < 40:
		return ex(g.pick("ZRANK", "ZREVRANK"), k, g.member())
	case n < 48:
		args := []string{"ZRANGE", k, g.rankArg(), g.rankArg()}
		if g.chance(30) {
			args = append(args, g.caseOf("REV"))
		}
		return ex(withScores(args)...)
	case n < 56:
		args := []string{"ZRANGE", k, g.scoreBound(), g.scoreBound(), g.caseOf("BYSCORE")}
		if g.chance(30) {
			args = append(args, g.caseOf("REV"))
		}
		return ex(withScores(append(args, g.zsetLimit()...))...)
	case n < 62:
		cmd := g.pick("ZRANGEBYSCORE", "ZREVRANGEBYSCORE")
		args := withScores([]string{cmd, k, g.scoreBound(), g.scoreBound()})
		return ex(append(args, g.zsetLimit()...)...)
	case n < 65:
		return ex(withScores([]string{"ZREVRANGE", k, g.rankArg(), g.rankArg()})...)
	case n < 70:
		args := []string{"ZRANGESTORE", g.key(), k, g.scoreBound(), g.scoreBound(), g.caseOf("BYSCORE")}
		if g.chance(50) {
			args = []string{"ZRANGESTORE", g.key(), k, g.rankArg(), g.rankArg()}
		}
		if g.chance(30) {
			args = append(args, g.caseOf("REV"))
		}
		return ex(args...)
	case n < 74:
		return ex("ZCOUNT", k, g.scoreBound(), g.scoreBound())
	case n < 77:
		return ex("ZREMRANGEBYRANK", k, g.rankArg(), g.rankArg())
	case n < 80:
		return ex("ZREMRANGEBYSCORE", k, g.scoreBound(), g.scoreBound())
	case n < 85:
		args := []string{"ZRANDMEMBER", k}
		if g.chance(70) {
			args = append(args, g.randCount())
			if g.chance(50) {
				args = append(args, g.caseOf("WITHSCORES"))
			}
		}
		return rdStep{args: args, cmp: rdShape}
	case n < 90:
		args := []string{"ZSCAN", k, "0", "COUNT", "1000"}
		if g.chance(40) {
			args = append(args, g.caseOf("MATCH"), g.keyPattern())
		}
		return rdStep{args: args, cmp: rdHScan}
	case n < 95:
		// A ZRANGE with options in any order, repeated or clashing.
		args := []string{"ZRANGE", k, g.scoreBound(), g.scoreBound()}
		for n := g.r.IntN(4); n > 0; n-- {
			args = append(args, g.caseOf(g.pick("BYSCORE", "BYLEX", "REV", "WITHSCORES", "LIMIT", "BOGUS")))
			if strings.EqualFold(args[len(args)-1], "limit") && g.chance(70) {
				args = append(args, g.rankArg(), g.rankArg())
			}
		}
		return ex(args...)
	}
	switch g.r.IntN(3) {
	case 0:
		return ex("OBJECT", "ENCODING", k)
	case 1:
		return ex("TYPE", k)
	}
	return ex("EXISTS", k)
}

// zsetLexCommand returns a command with a lex range, on one of rdLexKeys.
func (g *rdGen) zsetLexCommand() rdStep {
	k := g.pick(rdLexKeys...)
	ex := func(args ...string) rdStep { return rdStep{args: args} }
	zero := func() string { return "0" }
	switch n := g.r.IntN(100); {
	case n < 2:
		args := []string{"ZADD", k}
		for i := g.r.IntN(60); i < 200; i++ {
			args = append(args, "0", "m"+strconv.Itoa(i))
		}
		return ex(args...)
	case n < 30:
		return ex(append([]string{"ZADD", k}, g.zaddPairs(5, zero)...)...)
	case n < 36:
		return ex(append([]string{"ZREM", k}, g.members(3)...)...)
	case n < 50:
		cmd := g.pick("ZRANGEBYLEX", "ZREVRANGEBYLEX")
		return ex(append([]string{cmd, k, g.lexBound(), g.lexBound()}, g.zsetLimit()...)...)
	case n < 62:
		args := []string{"ZRANGE", k, g.lexBound(), g.lexBound(), g.caseOf("BYLEX")}
		if g.chance(40) {
			args = append(args, g.caseOf("REV"))
		}
		return ex(append(args, g.zsetLimit()...)...)
	case n < 72:
		return ex("ZLEXCOUNT", k, g.lexBound(), g.lexBound())
	case n < 80:
		return ex("ZREMRANGEBYLEX", k, g.lexBound(), g.lexBound())
	case n < 86:
		return ex("ZRANGESTORE", g.key(), k, g.lexBound(), g.lexBound(), g.caseOf("BYLEX"))
	case n < 92:
		return ex("ZRANGE", k, "0", "-1", "WITHSCORES")
	}
	return ex("OBJECT", "ENCODING", k)
}
