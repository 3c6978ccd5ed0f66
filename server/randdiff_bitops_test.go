package server

import "strconv"

// BITOP, BITFIELD and BITFIELD_RO in TestRandomDifferential, drawn by
// rdGen.command in place of some BITPOS.

// bitopsCommand returns a BITOP, BITFIELD or BITFIELD_RO on key k and
// others. Writes stay within a few hundred bits, so no string grows
// large; reads may look far beyond the end.
func (g *rdGen) bitopsCommand(k string) rdStep {
	if g.chance(35) {
		op := g.caseOf(g.pick("AND", "OR", "XOR", "NOT", "NOT", "AND", "OR", "XOR", "BOGUS"))
		args := []string{"BITOP", op, k}
		if op == "NOT" && g.chance(80) {
			return rdStep{args: append(args, g.key())}
		}
		return rdStep{args: append(args, g.keys(4)...)}
	}
	name := "BITFIELD"
	if g.chance(25) {
		name = "BITFIELD_RO"
	}
	args := []string{name, k}
	for range g.r.IntN(5) {
		switch g.r.IntN(10) {
		case 0, 1, 2, 3:
			args = append(args, g.caseOf("GET"), g.bitfieldType(), g.bitfieldOffset(true))
		case 4, 5:
			args = append(args, g.caseOf("SET"), g.bitfieldType(), g.bitfieldOffset(false), g.intArg())
		case 6, 7:
			args = append(args, g.caseOf("INCRBY"), g.bitfieldType(), g.bitfieldOffset(false), g.intArg())
		case 8:
			args = append(args, g.caseOf("OVERFLOW"), g.caseOf(g.pick("WRAP", "SAT", "FAIL", "FAIL", "SAT", "BOGUS")))
		default:
			// A bad or short subcommand, maybe at the end of the command.
			args = append(args, g.pick("GET", "SET", "INCRBY", "OVERFLOW", "BOGUS", "u8", "0"))
		}
	}
	return rdStep{args: args}
}

// bitfieldType is a BITFIELD type, now and then a bad one.
func (g *rdGen) bitfieldType() string {
	if g.chance(5) {
		return g.pick("u64", "i65", "i0", "I8", "x8", "i", "", "u-1")
	}
	sign := g.pick("i", "u")
	switch g.r.IntN(3) {
	case 0:
		return sign + g.pick("8", "16", "32", "64", "63", "1")
	}
	return sign + strconv.Itoa(1+g.r.IntN(63))
}

// bitfieldOffset is a BITFIELD offset: a bit offset or a "#" field index
// near the start of the string, now and then a bad one; far is for
// GET, which may read far past the end without growing the string.
func (g *rdGen) bitfieldOffset(far bool) string {
	switch {
	case g.chance(5):
		return g.pick("-1", "x", "#-1", "#", "4294967296", "#536870912", "1.5", "")
	case far && g.chance(10):
		return g.pick("4294967295", "100000", "#9999999")
	case g.chance(30):
		return "#" + strconv.Itoa(g.r.IntN(8))
	}
	return strconv.Itoa(g.r.IntN(150))
}
