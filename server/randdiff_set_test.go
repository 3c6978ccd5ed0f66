package server

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/mini-redis/mini-redis/frame"
)

// rdSetPercent is the share of the generated commands that are set
// commands.
const rdSetPercent = 25

// The set commands of TestRandomDifferential. They share the generator's
// few key names with the string commands, so each meets the other's keys
// (WRONGTYPE both ways, *STORE over strings, generic commands on sets).
//
// SPOP and SRANDMEMBER pick members at random, differently on each
// server: their replies are compared by shape and checked against the
// key's members (rdRandomPick, rdRandomPop). After an SPOP the two sets
// may hold different members, or, when SPOP rebuilt the set, the same
// ones in different encodings: the run puts on our server the members and
// the encoding redis-server has, and goes on. Inside a transaction, where
// that cannot be done, they are replaced with GET.
//
// Sets stay under 1000 members, so SSCAN with COUNT 1000 from cursor 0
// returns every member at once on both servers, with cursor 0; smaller
// counts and other cursors would depend on hash table layout.

// rdRandom says how a step's reply is random.
type rdRandom int

const (
	rdNotRandom  rdRandom = iota
	rdRandomPick          // SRANDMEMBER: the key is unchanged
	rdRandomPop           // SPOP: the key loses the members replied
)

// rdMembers are set members: integers at and past the intset's edges,
// strings that are almost integers, binary and empty strings.
var rdMembers = []string{
	"a", "b", "c", "x", "hello", "", "\x00\xff", "a b", "+1", "01", "-0", " 1", "1.5", "1e3",
	"9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
}

func (g *rdGen) member() string {
	if g.chance(55) {
		return strconv.Itoa(g.r.IntN(30) - 5)
	}
	return g.pick(rdMembers...)
}

// members returns between 1 and max members, repeats allowed.
func (g *rdGen) members(max int) []string {
	out := make([]string, 1+g.r.IntN(max))
	for i := range out {
		out[i] = g.member()
	}
	return out
}

// setCount is a count for SPOP or SRANDMEMBER: mostly small, sometimes
// malformed or huge. Never a large negative number: SRANDMEMBER would
// reply that many members.
func (g *rdGen) setCount() string {
	if g.chance(80) {
		return strconv.Itoa(g.r.IntN(26) - 5)
	}
	return g.pick("x", "", "1.5", "-9223372036854775808", "9223372036854775807", "9223372036854775808",
		"-0", "+3", " 1", "1000")
}

func (g *rdGen) setCommand() rdStep {
	k := g.key()
	ex := func(args ...string) rdStep { return rdStep{args: args} }
	unordered := func(args ...string) rdStep { return rdStep{args: args, cmp: rdSet} }
	switch n := g.r.IntN(100); {
	case n < 1:
		// Past set-max-intset-entries: an intset turns into a hashtable.
		args := []string{"SADD", k}
		for i := g.r.IntN(100); i < 600; i++ {
			args = append(args, strconv.Itoa(i))
		}
		return ex(args...)
	case n < 18:
		return ex(append([]string{"SADD", k}, g.members(6)...)...)
	case n < 26:
		return ex(append([]string{"SREM", k}, g.members(4)...)...)
	case n < 31:
		return unordered("SMEMBERS", k)
	case n < 35:
		return ex("SISMEMBER", k, g.member())
	case n < 38:
		return ex(append([]string{"SMISMEMBER", k}, g.members(4)...)...)
	case n < 42:
		return ex("SCARD", k)
	case n < 48:
		args := []string{"SPOP", k}
		if g.chance(60) {
			args = append(args, g.setCount())
		}
		return rdStep{args: args, random: rdRandomPop}
	case n < 54:
		args := []string{"SRANDMEMBER", k}
		if g.chance(70) {
			args = append(args, g.setCount())
		}
		return rdStep{args: args, random: rdRandomPick}
	case n < 60:
		return ex("SMOVE", k, g.key(), g.member())
	case n < 67:
		return unordered(append([]string{g.pick("SINTER", "SUNION", "SDIFF")}, g.keys(3)...)...)
	case n < 74:
		return ex(append([]string{g.pick("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"), k}, g.keys(3)...)...)
	case n < 78:
		keys := g.keys(3)
		numkeys := strconv.Itoa(len(keys))
		if g.chance(10) {
			numkeys = g.pick("0", "-1", "x", "4", "99999999999999999999")
		}
		args := append([]string{"SINTERCARD", numkeys}, keys...)
		if g.chance(40) {
			args = append(args, g.caseOf("LIMIT"), g.pick("0", "1", "2", "5", "-1", "x", ""))
		}
		return ex(args...)
	case n < 84:
		args := []string{"SSCAN", k, "0", "COUNT", "1000"}
		if g.chance(40) {
			args = append(args, g.caseOf("MATCH"), g.keyPattern())
		}
		return rdStep{args: args, cmp: rdScan}
	case n < 86:
		// Malformed: errors, or, on a missing key, the empty reply that
		// hides them.
		// MATCH always parses: it comes with a cursor that does not, as
		// a partial scan of a hashtable set depends on its layout.
		cursor, opt := g.pick("0", "x", "-", "18446744073709551616"), g.pick("COUNT", "MATCH", "TYPE", "BOGUS")
		if opt == "MATCH" && cursor == "0" {
			cursor = "x"
		}
		return ex("SSCAN", k, cursor, opt, g.pick("0", "x", "string", "-1"))
	case n < 92:
		switch g.r.IntN(3) {
		case 0:
			return ex("OBJECT", "ENCODING", k)
		case 1:
			return ex("TYPE", k)
		}
		return ex("EXISTS", k)
	}
	return ex(g.pick("SCARD", "SISMEMBER", "TYPE"), k, g.member())
}

// randomStep runs a step whose reply is random on both servers and
// compares the replies as checkSetPick does; after an SPOP it makes our
// server's set what redis-server's is. It reads the key on both servers
// alike, so that the keyspace lookup counters stay comparable; the
// commands that put our set right count no lookups.
func (r *rdRun) randomStep(st rdStep) string {
	if len(st.args) < 2 {
		if want, have := r.ref.do(st.args...), r.got.do(st.args...); want != have {
			return fmt.Sprintf("%q:\n redis: %q\n   ours: %q", st.args, want, have)
		}
		return ""
	}
	key := st.args[1]
	before := [2][]string{smembersOf(r.ref, key), smembersOf(r.got, key)}
	want, have := r.ref.do(st.args...), r.got.do(st.args...)
	if msg := checkSetPick(st.args, want, have, before); msg != "" {
		return fmt.Sprintf("%q: %s\n redis: %q\n   ours: %q", st.args, msg, want, have)
	}
	if st.random != rdRandomPop {
		return ""
	}
	after := [2][]string{smembersOf(r.ref, key), smembersOf(r.got, key)}
	enc := [2]string{r.ref.do("OBJECT", "ENCODING", key), r.got.do("OBJECT", "ENCODING", key)}
	deadline := r.got.do("PEXPIRETIME", key)
	r.ref.do("PEXPIRETIME", key)
	if slices.Equal(after[0], after[1]) && enc[0] == enc[1] {
		return ""
	}
	// Rebuild our set: a non-integer added and removed makes it a
	// hashtable, as redis-server's may be.
	const marker = "\x00resync"
	r.got.do("DEL", key)
	args := []string{"SADD", key}
	if enc[0] == bulk("hashtable") {
		args = append(args, marker)
	}
	r.got.do(append(args, after[0]...)...)
	r.got.do("SREM", key, marker)
	if f, _, err := frame.Parse([]byte(deadline)); err == nil && f.Type == frame.Integer && f.Int > 0 {
		r.got.do("PEXPIREAT", key, strconv.FormatInt(f.Int, 10))
	}
	if e := r.got.do("OBJECT", "ENCODING", key); e != enc[0] {
		return fmt.Sprintf("after %q, could not give our set redis's encoding %q: %q", st.args, enc[0], e)
	}
	r.ref.do("OBJECT", "ENCODING", key)
	return ""
}
