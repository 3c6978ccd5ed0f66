package server

import (
	"strconv"
	"testing"
)

// The randomized differential test of SORT: as TestRandomDifferential
// (randdiff_test.go), with SORT and SORT_RO over the lists the list
// commands make, strings, hashes and missing keys, with every option in
// random order and case, BY and GET patterns that name the generator's
// keys (its list elements "a" and "b" are key names too) and hash fields,
// and STORE into them. The same flags choose the seeds and the length:
//
//	go test ./server -run TestRandomDifferentialSort -randdiff.seed=42 -randdiff.n=20000
//
// Sets are left out: the order of a hashtable's members, which SORT keeps
// with BY nosort and for equal ALPHA BY values, is each server's own.
//
// Redis reads numbers with strtod without clearing errno, so an element
// that overflows would fail the numeric SORTs after it on redis-server
// only (see diff_sort_test.go): every unit begins with an INCRBYFLOAT,
// which clears errno, on a key of its own.

func TestRandomDifferentialSort(t *testing.T) { runRandDiffSeeds(t, (*rdGen).sortUnit) }

// sortUnit is a unit for TestRandomDifferentialSort: a SORT, a list
// command or another, sometimes a transaction of them.
func (g *rdGen) sortUnit() rdUnit {
	mixed := func() rdStep {
		switch n := g.r.IntN(100); {
		case n < 30:
			return g.sortCommand()
		case n < 88:
			return g.listCommand()
		case n < 95:
			// Strings for BY and GET to find, and to sort by mistake.
			return rdStep{args: []string{"SET", g.key(), g.pick(g.small(), g.value(), g.listElem())}}
		default:
			return rdStep{args: []string{"HSET", g.key(), "f", g.pick(g.small(), g.value())}}
		}
	}
	clearErrno := rdStep{args: []string{"INCRBYFLOAT", "sort:errno", "0"}}
	if g.chance(4) {
		return append(rdUnit{clearErrno}, g.transactionOf(mixed)...)
	}
	return rdUnit{clearErrno, g.mangle(mixed())}
}

// sortPattern is a BY or GET pattern: the element itself as a key, with
// a prefix, "#", constants (no sorting, nothing to get), a hash field,
// and NULs where Redis stops reading the pattern.
func (g *rdGen) sortPattern() string {
	return g.pick("*", "*", "#", "nosort", "x", "*\x00", "\x00*", "#\x00x", "*->f", "*->", "[a]*", "*b", "s p*", "")
}

// sortLimit is LIMIT's offset or count: mostly small, sometimes anything.
func (g *rdGen) sortLimit() string {
	if g.chance(85) {
		return strconv.Itoa(g.r.IntN(9) - 2)
	}
	return g.intArg()
}

// sortCommand returns a SORT or SORT_RO with random options.
func (g *rdGen) sortCommand() rdStep {
	name := g.pick("SORT", "SORT", "SORT_RO")
	args := []string{name, g.key()}
	if g.chance(40) {
		// Most list elements are not numbers.
		args = append(args, g.caseOf("ALPHA"))
	}
	for m := g.r.IntN(5); m > 0; m-- {
		switch g.r.IntN(12) {
		case 0, 1:
			args = append(args, g.caseOf(g.pick("ASC", "DESC")))
		case 2, 3:
			args = append(args, g.caseOf("ALPHA"))
		case 4, 5:
			args = append(args, g.caseOf("LIMIT"), g.sortLimit(), g.sortLimit())
		case 6:
			args = append(args, g.caseOf("BY"), g.sortPattern())
		case 7, 8:
			args = append(args, g.caseOf("GET"), g.sortPattern())
		case 9, 10:
			args = append(args, g.caseOf("STORE"), g.key())
		default:
			args = append(args, g.pick("BOGUS", "LIMIT", "BY", "GET", "STORE", "alpha\x00x", "1"))
		}
	}
	return rdStep{args: args}
}
