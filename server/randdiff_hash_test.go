package server

import (
	"strconv"
	"strings"

	"github.com/mini-redis/mini-redis/frame"
)

// The hash commands of TestRandomDifferential. They use the same keys as
// the other commands, so that strings meet hashes (WRONGTYPE both ways) and
// RENAME, COPY, MOVE, EXPIRE and the rest act on hashes too.

// rdHashPercent is the share of the generated commands that are hash
// commands.
const rdHashPercent = 30

// rdFields are field names: few, so that commands meet each other's
// fields, and some awkward; one is long enough to make a hashtable.
var rdFields = []string{"f", "g", "h", "1", "-1", "007", "", " ", "a b", "\x00\xff", "[f]*", strings.Repeat("L", 65)}

func (g *rdGen) field() string {
	if g.chance(90) {
		return rdFields[g.r.IntN(len(rdFields)-1)] // not the long one
	}
	return g.pick(rdFields...)
}

// fields returns between 1 and max fields, repeats allowed.
func (g *rdGen) fields(max int) []string {
	out := make([]string, 1+g.r.IntN(max))
	for i := range out {
		out[i] = g.field()
	}
	return out
}

// hashValue is a value to store in a hash: HINCRBY's and HINCRBYFLOAT's
// numbers more often than value gives them, sometimes longer than a
// listpack holds.
func (g *rdGen) hashValue() string {
	switch g.r.IntN(10) {
	case 0, 1:
		return strconv.Itoa(g.r.IntN(201) - 100)
	case 2:
		return g.floatArg()
	case 3:
		if g.chance(30) {
			return strings.Repeat("v", 60+g.r.IntN(10)) // around hash-max-listpack-value
		}
	}
	return g.value()
}

// randCount is an HRANDFIELD count: mostly small, and the edges of what
// parses. Never a large negative one that parses, even one WITHVALUES
// refuses (mangle may drop the WITHVALUES): Redis would build a reply of
// that many fields (see writeRepeated).
func (g *rdGen) randCount() string {
	if g.chance(75) {
		return strconv.Itoa(g.r.IntN(21) - 8)
	}
	return g.pick("0", "-0", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
		"4611686018427387903", "4611686018427387904", "abc", "1.5", "", "+1", "007", "1\x00")
}

// fieldPattern is a glob for HSCAN MATCH.
func (g *rdGen) fieldPattern() string {
	return g.pick("*", "f*", "?", "[fg]", "*\x00*", "\\[f\\]\\*", "[^f]*", "*[", "", "-*", "a?b", "0*7")
}

// hashCommand returns one hash command.
func (g *rdGen) hashCommand() rdStep {
	k := g.key()
	ex := func(args ...string) rdStep { return rdStep{args: args} }
	switch n := g.r.IntN(100); {
	case n < 16:
		args := []string{g.pick("HSET", "HSET", "HSET", "HMSET"), k}
		for _, f := range g.fields(4) {
			args = append(args, f, g.hashValue())
		}
		return ex(args...)
	case n < 20:
		return ex("HSETNX", k, g.field(), g.hashValue())
	case n < 28:
		return ex("HGET", k, g.field())
	case n < 32:
		return ex(append([]string{"HMGET", k}, g.fields(4)...)...)
	case n < 40:
		return ex(append([]string{"HDEL", k}, g.fields(3)...)...)
	case n < 43:
		return ex("HLEN", k)
	case n < 46:
		return ex("HSTRLEN", k, g.field())
	case n < 49:
		return ex("HEXISTS", k, g.field())
	case n < 52:
		return rdStep{args: []string{g.pick("HKEYS", "HVALS"), k}, cmp: rdSet}
	case n < 57:
		return rdStep{args: []string{"HGETALL", k}, cmp: rdPairs}
	case n < 65:
		return ex("HINCRBY", k, g.field(), g.intArg())
	case n < 71:
		return ex("HINCRBYFLOAT", k, g.field(), g.floatArg())
	case n < 82:
		args := []string{"HRANDFIELD", k}
		if g.chance(80) {
			args = append(args, g.randCount())
			if g.chance(50) {
				args = append(args, g.caseOf(g.pick("WITHVALUES", "WITHVALUES", "WITHVALUES", "WITHVALUE", "x")))
			}
		}
		return rdStep{args: args, cmp: rdShape}
	case n < 90:
		// From cursor 0 with a COUNT larger than any hash here, both
		// servers return the whole hash in one call, cursor 0, whatever
		// its encoding; other cursors and counts walk a hashtable in each
		// server's own order, and are left to TestDifferentialHashes.
		args := []string{"HSCAN", k, g.pick("0", "0", "0", "0", "x", "18446744073709551616")}
		opts := [][]string{{g.caseOf("COUNT"), g.pick("1000", "1000", "1000", "0", "-1", "x")}}
		if g.chance(50) {
			opts = append(opts, []string{g.caseOf("MATCH"), g.fieldPattern()})
		}
		g.r.Shuffle(len(opts), func(i, j int) { opts[i], opts[j] = opts[j], opts[i] })
		for _, o := range opts {
			args = append(args, o...)
		}
		if g.chance(5) {
			args = append(args, g.pick("TYPE", "NOVALUES", "COUNT", "BOGUS"))
		}
		return rdStep{args: args, cmp: rdHScan}
	case n < 95:
		return ex("OBJECT", "ENCODING", k)
	}
	return ex("TYPE", k)
}

// sameFrameShape reports whether two replies have the same type, nil-ness
// and number of elements, level by level: what random choices of the same
// count share.
func sameFrameShape(a, b frame.Frame) bool {
	if a.Type != b.Type || a.IsNull() != b.IsNull() || len(a.Elems) != len(b.Elems) || a.IsError() || b.IsError() {
		return false
	}
	for i := range a.Elems {
		if !sameFrameShape(a.Elems[i], b.Elems[i]) {
			return false
		}
	}
	return true
}
