package server

import "strings"

// The stream commands of TestRandomDifferential. They use the same keys as
// the other commands, so that streams meet the other types (WRONGTYPE both
// ways) and the generic commands act on them too.
//
// IDs are drawn from few milliseconds and sequence numbers, the edges
// among them, so that XADD's "equal or smaller" and overflow errors, and
// ranges that meet entries exactly, are common; "<ms>-*" is used, but
// not "*", whose ID comes from each server's clock. XREAD never BLOCKs
// outside MULTI (it would wait forever).

// rdStreamPercent is the share of the generated commands that are stream
// commands.
const rdStreamPercent = 10

var (
	rdStreamMs  = []string{"0", "1", "2", "3", "5", "18446744073709551615"}
	rdStreamSeq = []string{"0", "1", "2", "18446744073709551615"}
)

// streamID returns an ID argument, sometimes malformed.
func (g *rdGen) streamID() string {
	switch n := g.r.IntN(20); {
	case n < 2:
		return g.pick(rdStreamMs...)
	case n < 3:
		return g.pick("x", "-1", "1-x", "1-2-3", "", "-", "+", "1-", "01-1", " 1", "1\x00-5", "18446744073709551616")
	}
	return g.pick(rdStreamMs...) + "-" + g.pick(rdStreamSeq...)
}

// rangeBound is an XRANGE end: an ID, "-", "+", maybe exclusive.
func (g *rdGen) rangeBound() string {
	b := g.streamID()
	if g.chance(25) {
		b = g.pick("-", "+")
	}
	if g.chance(20) {
		b = "(" + b
	}
	return b
}

// trimArgs returns XADD's or XTRIM's trimming options.
func (g *rdGen) trimArgs() []string {
	var args []string
	if g.chance(50) {
		args = append(args, g.caseOf("MAXLEN"))
	} else {
		args = append(args, g.caseOf("MINID"))
	}
	if g.chance(60) {
		args = append(args, g.pick("=", "~", "~"))
	}
	if strings.EqualFold(args[0], "maxlen") != g.chance(10) {
		args = append(args, g.pick("0", "1", "2", "5", "-1", "x"))
	} else {
		args = append(args, g.streamID())
	}
	if g.chance(20) {
		args = append(args, "LIMIT", g.pick("0", "1", "5", "-1", "x"))
	}
	return args
}

// streamCommand returns one stream command.
func (g *rdGen) streamCommand() rdStep {
	k := g.key()
	ex := func(args ...string) rdStep { return rdStep{args: args} }
	count := func(args []string) []string {
		if g.chance(30) {
			args = append(args, g.caseOf("COUNT"), g.pick("0", "1", "2", "-1", "x"))
		}
		return args
	}
	switch n := g.r.IntN(100); {
	case n < 35:
		args := []string{"XADD", k}
		if g.chance(10) {
			args = append(args, "NOMKSTREAM")
		}
		if g.chance(25) {
			args = append(args, g.trimArgs()...)
		}
		id := g.streamID()
		if g.chance(20) {
			id = g.pick(rdStreamMs...) + "-*"
		}
		args = append(args, id)
		for i := g.r.IntN(3) + 1; i > 0; i-- {
			args = append(args, g.field(), g.value())
		}
		if g.chance(3) {
			args = args[:len(args)-1]
		}
		return ex(args...)
	case n < 50:
		return ex(count([]string{"XRANGE", k, g.rangeBound(), g.rangeBound()})...)
	case n < 58:
		return ex(count([]string{"XREVRANGE", k, g.rangeBound(), g.rangeBound()})...)
	case n < 65:
		return ex("XLEN", k)
	case n < 73:
		args := []string{"XDEL", k}
		for i := g.r.IntN(3) + 1; i > 0; i-- {
			args = append(args, g.streamID())
		}
		return ex(args...)
	case n < 81:
		return ex(append([]string{"XTRIM", k}, g.trimArgs()...)...)
	case n < 87:
		args := []string{"XSETID", k, g.streamID()}
		if g.chance(30) {
			args = append(args, "ENTRIESADDED", g.pick("0", "1", "3", "100", "-1"))
		}
		if g.chance(30) {
			args = append(args, "MAXDELETEDID", g.streamID())
		}
		return ex(args...)
	}
	keys := []string{k}
	if g.chance(30) {
		keys = append(keys, g.key())
	}
	args := count([]string{"XREAD"})
	args = append(args, "STREAMS")
	args = append(args, keys...)
	for range keys {
		if g.chance(20) {
			args = append(args, "$")
		} else {
			args = append(args, g.streamID())
		}
	}

	return ex(args...)
}
