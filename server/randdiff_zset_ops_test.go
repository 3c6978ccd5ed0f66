package server

import "strconv"

// The sorted set pops and operations in TestRandomDifferential: ZPOPMIN,
// ZPOPMAX, ZMPOP, the blocking pops with timeouts of a few milliseconds
// (which time out on both servers when no key has members, and never
// block inside a transaction), ZUNION, ZINTER, ZDIFF, their *STORE forms
// and ZINTERCARD, over the shared keys, so that they meet sets (which
// they take as inputs), other types (WRONGTYPE), and the destinations
// the other commands read.

// rdOpsKeys are keys that only this file's commands write, mostly sorted
// sets (and sets), so that the operations often meet only inputs they
// take; the shared keys bring the other types.
var rdOpsKeys = []string{"za", "zb\x00", "zc"}

// opsKey returns a key for the operations: one of rdOpsKeys or a shared
// one.
func (g *rdGen) opsKey() string {
	if g.chance(60) {
		return g.pick(rdOpsKeys...)
	}
	return g.key()
}

// opsKeys returns between 1 and 3 keys of opsKey, repeats allowed.
func (g *rdGen) opsKeys() []string {
	out := make([]string, 1+g.r.IntN(3))
	for i := range out {
		out[i] = g.opsKey()
	}
	return out
}

// zsetOpsCommand returns one of these commands.
func (g *rdGen) zsetOpsCommand() rdStep {
	ex := func(args ...string) rdStep { return rdStep{args: args} }
	if g.chance(25) {
		// Fill the operations' own keys.
		k := g.pick(rdOpsKeys...)
		if g.chance(15) {
			return ex(append([]string{"SADD", k}, g.members(4)...)...)
		}
		return ex(append([]string{"ZADD", k}, g.zaddPairs(5, g.score)...)...)
	}
	switch n := g.r.IntN(100); {
	case n < 14:
		args := []string{g.pick("ZPOPMIN", "ZPOPMAX"), g.opsKey()}
		if g.chance(60) {
			args = append(args, g.popCount())
		}
		if g.chance(3) {
			args = append(args, "1")
		}
		return ex(args...)
	case n < 24:
		return ex(append([]string{"ZMPOP"}, g.zmpopArgs()...)...)
	case n < 30:
		args := append([]string{g.pick("BZPOPMIN", "BZPOPMAX")}, g.opsKeys()...)
		return ex(append(args, g.blockTimeout())...)
	case n < 34:
		return ex(append([]string{"BZMPOP", g.blockTimeout()}, g.zmpopArgs()...)...)
	case n < 52:
		cmd := g.pick("ZUNION", "ZINTER", "ZDIFF")
		return ex(append([]string{cmd}, g.zsetOpArgs(cmd != "ZDIFF", true, false)...)...)
	case n < 88:
		cmd := g.pick("ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE")
		return ex(append([]string{cmd, g.opsKey()}, g.zsetOpArgs(cmd != "ZDIFFSTORE", false, false)...)...)
	}
	return ex(append([]string{"ZINTERCARD"}, g.zsetOpArgs(false, false, true)...)...)
}

// popCount is the count of ZPOPMIN and ZPOPMAX, or ZMPOP's COUNT: mostly
// small, sometimes none of what parses.
func (g *rdGen) popCount() string {
	if g.chance(85) {
		return strconv.Itoa(g.r.IntN(6))
	}
	return g.pick(rdInts...)
}

// blockTimeout is a timeout of a few milliseconds, or a bad one.
func (g *rdGen) blockTimeout() string {
	if g.chance(90) {
		return g.pick("0.001", "0.002", "0.005")
	}
	return g.pick("-1", "x", "inf", "nan", "-0.5", "")
}

// numkeys returns the numkeys argument for keys: mostly right.
func (g *rdGen) numkeys(keys []string) string {
	if g.chance(92) {
		return strconv.Itoa(len(keys))
	}
	return g.pick("0", "-1", "x", strconv.Itoa(len(keys)+1), "99999999999999999999")
}

// zmpopArgs returns numkeys key... MIN|MAX [COUNT n], sometimes wrong.
func (g *rdGen) zmpopArgs() []string {
	keys := g.opsKeys()
	args := append([]string{g.numkeys(keys)}, keys...)
	args = append(args, g.caseOf(g.pick("MIN", "MAX", "MIN", "MAX", "LEFT")))
	if g.chance(50) {
		args = append(args, g.caseOf("COUNT"), g.popCount())
	}
	if g.chance(3) {
		args = append(args, g.pick("COUNT", "EXTRA"))
	}
	return args
}

// zsetOpArgs returns numkeys key... and options: WEIGHTS and AGGREGATE if
// weighted, WITHSCORES if reply, LIMIT if card; now and then an option
// the command does not take.
func (g *rdGen) zsetOpArgs(weighted, reply, card bool) []string {
	keys := g.opsKeys()
	args := append([]string{g.numkeys(keys)}, keys...)
	if weighted && g.chance(40) {
		args = append(args, g.caseOf("WEIGHTS"))
		for range keys {
			args = append(args, g.weight())
		}
	}
	if weighted && g.chance(40) {
		args = append(args, g.caseOf("AGGREGATE"), g.caseOf(g.pick("SUM", "MIN", "MAX", "SUM", "AVG")))
	}
	if reply && g.chance(60) {
		args = append(args, g.caseOf("WITHSCORES"))
	}
	if card && g.chance(50) {
		args = append(args, g.caseOf("LIMIT"), g.pick("0", "1", "2", "-1", "x"))
	}
	if g.chance(4) {
		args = append(args, g.pick("WEIGHTS", "AGGREGATE", "WITHSCORES", "LIMIT", "BOGUS"))
	}
	return args
}

// weight is a WEIGHTS value: mostly small, with the infinities and zero
// (whose products with infinite scores are NaN, taken as 0).
func (g *rdGen) weight() string {
	if g.chance(85) {
		return g.pick("1", "2", "-1", "0", "0.5", "inf", "-inf", "-0", "3", "1e300")
	}
	return g.floatArg()
}
