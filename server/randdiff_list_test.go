package server

import (
	"strconv"
	"testing"
)

// The randomized differential test of the list commands: as
// TestRandomDifferential (randdiff_test.go), with mostly list commands,
// mixed with the string, key, expiry and database commands of
// rdGen.command, which put strings where lists were (WRONGTYPE) and
// rename, copy, move, expire and flush lists. The same flags choose the
// seeds and the length:
//
//	go test ./server -run TestRandomDifferentialLists -randdiff.seed=42 -randdiff.n=20000

func TestRandomDifferentialLists(t *testing.T) { runRandDiffSeeds(t, (*rdGen).listUnit) }

// listUnit is a unit for TestRandomDifferentialLists: mostly a list
// command, sometimes another, sometimes a transaction of both.
func (g *rdGen) listUnit() rdUnit {
	mixed := func() rdStep {
		// Strings outlive lists, which go when emptied: few other
		// commands, or most keys end up strings.
		if g.chance(88) {
			return g.listCommand()
		}
		return g.command()
	}
	if g.chance(4) {
		return g.transactionOf(mixed)
	}
	return rdUnit{g.mangle(mixed())}
}

// listElem is an element to push, insert or look for: mostly one of a few,
// so that LREM, LPOS and LINSERT find some.
func (g *rdGen) listElem() string {
	if g.chance(80) {
		return g.pick("a", "b", "c", "a", "b", "1", "-1", "", "x y", "\x00\xff", "007", "9223372036854775808")
	}
	return g.value()
}

func (g *rdGen) listElems(max int) []string {
	out := make([]string, 1+g.r.IntN(max))
	for i := range out {
		out[i] = g.listElem()
	}
	return out
}

// listEndArg is LEFT or RIGHT, sometimes in another case or neither.
func (g *rdGen) listEndArg() string {
	if g.chance(95) {
		return g.caseOf(g.pick("LEFT", "RIGHT"))
	}
	return g.pick("MIDDLE", "", "left\x00", "LEFTX", "0")
}

// listIndex is an index into a list: mostly within a few elements of
// either end, sometimes anything.
func (g *rdGen) listIndex() string {
	if g.chance(85) {
		return strconv.Itoa(g.r.IntN(9) - 4)
	}
	return g.intArg()
}

// listCount is a pop or match count: mostly small, sometimes anything.
func (g *rdGen) listCount() string {
	if g.chance(85) {
		return strconv.Itoa(g.r.IntN(7))
	}
	return g.intArg()
}

// listCommand returns one list command, with its arguments' edge cases.
func (g *rdGen) listCommand() rdStep {
	k := g.key()
	ex := func(args ...string) rdStep { return rdStep{args: args} }
	switch n := g.r.IntN(100); {
	case n < 12:
		return ex(append([]string{g.pick("LPUSH", "RPUSH"), k}, g.listElems(5)...)...)
	case n < 15:
		return ex(append([]string{g.pick("LPUSHX", "RPUSHX"), k}, g.listElems(3)...)...)
	case n < 23:
		args := []string{g.pick("LPOP", "RPOP"), k}
		if g.chance(50) {
			args = append(args, g.listCount())
		}
		return ex(args...)
	case n < 27:
		return ex("LLEN", k)
	case n < 35:
		return ex("LRANGE", k, g.small(), g.small())
	case n < 39:
		return ex("LINDEX", k, g.listIndex())
	case n < 43:
		return ex("LSET", k, g.listIndex(), g.listElem())
	case n < 48:
		where := g.caseOf(g.pick("BEFORE", "AFTER"))
		if g.chance(5) {
			where = g.pick("MIDDLE", "before\x00x", "")
		}
		return ex("LINSERT", k, where, g.listElem(), g.listElem())
	case n < 53:
		count := strconv.Itoa(g.r.IntN(7) - 3)
		if g.chance(15) {
			count = g.intArg()
		}
		return ex("LREM", k, count, g.listElem())
	case n < 57:
		return ex("LTRIM", k, g.small(), g.small())
	case n < 66:
		args := []string{"LPOS", k, g.listElem()}
		for m := g.r.IntN(4); m > 0; m-- {
			switch g.r.IntN(9) {
			case 0, 1, 2:
				rank := g.pick("1", "2", "3", "-1", "-2", "-3")
				if g.chance(15) {
					rank = g.intArg()
				}
				args = append(args, g.caseOf("RANK"), rank)
			case 3, 4, 5:
				args = append(args, g.caseOf("COUNT"), g.listCount())
			case 6, 7:
				args = append(args, g.caseOf("MAXLEN"), g.listCount())
			default:
				args = append(args, g.pick("RANK", "COUNT", "MAXLEN", "BOGUS"))
			}
		}
		return ex(args...)
	case n < 74:
		return ex("LMOVE", k, g.key(), g.listEndArg(), g.listEndArg())
	case n < 78:
		return ex("RPOPLPUSH", k, g.key())
	case n < 86:
		keys := g.keys(1 + g.r.IntN(3)) // one key most often, up to three
		numkeys := strconv.Itoa(len(keys))
		switch g.r.IntN(16) {
		case 0:
			numkeys = strconv.Itoa(len(keys) + 1 + g.r.IntN(2))
		case 1:
			numkeys = g.intArg()
		case 2:
			if len(keys) > 1 {
				numkeys = strconv.Itoa(len(keys) - 1) // a key is read as the end
			}
		}
		args := append([]string{"LMPOP", numkeys}, keys...)
		args = append(args, g.listEndArg())
		switch g.r.IntN(12) {
		case 0, 1, 2, 3, 4:
			args = append(args, g.caseOf("COUNT"), g.listCount())
		case 5:
			args = append(args, g.pick("COUNT", "BOGUS"))
		case 6:
			args = append(args, "COUNT", g.listCount(), g.pick("COUNT", "1"))
		}
		return ex(args...)
	case n < 92:
		// Often enough that strings, which nothing else empties, do not
		// take every key.
		return ex("DEL", k)
	case n < 94:
		if g.chance(30) {
			return ex("OBJECT", "ENCODING", k)
		}
		return ex(g.pick("TYPE", "EXISTS"), k)
	}
	return ex("LRANGE", k, "0", "-1")
}
