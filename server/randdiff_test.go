package server

import (
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
)

// A randomized differential test: random but reproducible sequences of
// string, hash, set, key, expiry, bit and database commands go to a real
// redis-server and to this server, and the raw replies must match byte for
// byte, except where a step says why they may not (KEYS order, TTLs read a
// few milliseconds apart). Lists have a run of their own
// (TestRandomDifferentialLists, randdiff_list_test.go).
//
// Each run is seeded; a failure names its seed, shrinks the sequence that
// led to it and prints the result ready to paste into diffScripts. To run
// other seeds, or longer sequences, locally:
//
//	go test ./server -run TestRandomDifferential -randdiff.seed=42 -randdiff.n=20000
//	RANDDIFF_SEED=0 go test ./server -run TestRandomDifferential  # a seed from the clock
//
// Left out on purpose, because the two servers may rightly differ:
//   - RANDOMKEY, and SCAN with a small COUNT: which key, and which cursor,
//     depend on hash table layout. SCAN with a COUNT larger than the
//     keyspace returns every key at once; the keys are compared as a set.
//   - KEYS order: compared as a set.
//   - OBJECT IDLETIME, INFO, MEMORY USAGE, DEBUG: clocks, sizes and
//     allocator details. OBJECT REFCOUNT inside a transaction: Redis
//     keeps a transaction's arguments until EXEC ends, and a value stored
//     from one of them shows a refcount of 2 until then.
//   - Expiry times that pass during the run: relative times are at least
//     ten thousand seconds, never two alike (an EXPIRE GT of the same
//     relative time would depend on whether a millisecond passed between
//     the two commands), and a whole 500 seconds apart; absolute times are
//     either in the past or after 2100, beyond every relative one; SET
//     gets no past times (Redis 7.0 stores such a key, and when a lookup
//     or the active expiry cycle removes it is a matter of timing, which
//     DBSIZE would show). TTL,
//     PTTL, EXPIRETIME and PEXPIRETIME of such keys are compared within a
//     tolerance.
//   - Offsets that would make either server allocate hundreds of
//     megabytes (SETBIT 4294967295, SETRANGE 536870911 x), and LCS of
//     strings whose product of lengths is large (Redis allocates a table
//     of that size).
//   - Commands this server does not implement: DUMP/RESTORE. SORT has a
//     run of its own (TestRandomDifferentialSort, randdiff_sort_test.go).
//   - Which fields HRANDFIELD picks, and the order of a hashtable's
//     fields (HGETALL, HSCAN): compared by shape, and as sets of pairs.
//   - Which members SPOP and SRANDMEMBER pick: see randdiff_set_test.go.
//   - WATCH, blocking commands, pub/sub, CLIENT, CONFIG SET: connection
//     and server state that other tests cover.

var (
	randdiffSeed = flag.Int64("randdiff.seed", envInt64("RANDDIFF_SEED", -1),
		"seed of TestRandomDifferential: -1 runs the fixed CI seeds, 0 picks one from the clock (env RANDDIFF_SEED)")
	randdiffN = flag.Int("randdiff.n", int(envInt64("RANDDIFF_N", 800)),
		"commands (or transactions) per seed of TestRandomDifferential (env RANDDIFF_N)")
)

// randdiffCISeeds are the seeds run by default: several short runs reach
// more varied states than one long one, whose keys tend to grow.
var randdiffCISeeds = []uint64{1, 2, 3, 4}

func envInt64(name string, def int64) int64 {
	if v, err := strconv.ParseInt(os.Getenv(name), 10, 64); err == nil {
		return v
	}
	return def
}

func TestRandomDifferential(t *testing.T) { runRandDiffSeeds(t, (*rdGen).unit) }

// runRandDiffSeeds runs the units next generates on a real redis-server
// and on this server, for each seed the flags choose (the CI seeds by
// default), randdiff.n units a seed.
func runRandDiffSeeds(t *testing.T, next func(*rdGen) rdUnit) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	seeds := randdiffCISeeds
	switch seed := *randdiffSeed; {
	case seed == 0:
		seeds = []uint64{uint64(time.Now().UnixNano())}
	case seed > 0:
		seeds = []uint64{uint64(seed)}
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			runRandDiff(t, seed, *randdiffN, redis.Addr, ours, next)
		})
	}
}

// runRandDiff generates n units from seed with next and runs them on both
// servers, stopping at the first mismatch, which it shrinks and reports.
func runRandDiff(t *testing.T, seed uint64, n int, refAddr, gotAddr string, next func(*rdGen) rdUnit) {
	g := newRDGen(seed)
	resp3 := seed%2 == 0 // half the seeds speak RESP3
	run := newRDRun(t, refAddr, gotAddr, resp3)
	run.statsEvery = 10 // the shrinker's replays compare after every unit
	if testing.Verbose() {
		run.replies = map[string]*[2]int{}
		defer func() {
			var b strings.Builder
			for _, name := range slices.Sorted(maps.Keys(run.replies)) {
				fmt.Fprintf(&b, " %s %d/%d", name, run.replies[name][1], run.replies[name][0])
			}
			t.Logf("replies, ok/error:%s", b.String())
		}()
	}
	var units []rdUnit
	for i := 0; i < n; i++ {
		u := next(g)
		units = append(units, u)
		if diff := run.unit(u); diff != "" {
			t.Errorf("seed %d, unit %d of %d (rerun: -randdiff.seed=%d -randdiff.n=%d):\n%s\nafter:\n%s",
				seed, i, n, seed, i+1, diff, formatUnits(units[max(0, i-20):i]))
			small, smallDiff := shrinkRandDiff(t, units, refAddr, gotAddr, resp3)
			t.Errorf("shrunk to %d commands, from an empty keyspace (RESP3: %v):\n%s\n%s",
				countSteps(small), resp3, formatUnits(small), smallDiff)
			return
		}
	}
}

// rdCmp says how a step's replies are compared when they are not equal.
type rdCmp int

const (
	rdExact  rdCmp = iota
	rdSet          // an array whose order does not matter (KEYS)
	rdScan         // a whole SCAN in one call: the cursor exactly, the keys as a set
	rdSecs         // a time in seconds, read at slightly different moments
	rdMillis       // a time in milliseconds, read at slightly different moments
	rdExec         // EXEC: each element compared as its queued command says
	rdPairs        // field-value pairs in any order: a flat array, a map, or [field, value] arrays (HGETALL)
	rdHScan        // a whole HSCAN in one call: the cursor exactly, the pairs in any order
	rdShape        // random choices (HRANDFIELD): the same type and number of elements
)

// rdStep is one command.
type rdStep struct {
	args  []string
	cmp   rdCmp
	queue []rdCmp // for EXEC, how the queued commands' replies compare
	lcs   bool    // LCS: skipped when the strings are too long
	// random marks SPOP and SRANDMEMBER, whose replies randomStep
	// compares (randdiff_set_test.go).
	random rdRandom
}

// rdUnit is a command, or a transaction from MULTI to EXEC or DISCARD.
type rdUnit []rdStep

func countSteps(units []rdUnit) int {
	n := 0
	for _, u := range units {
		n += len(u)
	}
	return n
}

// formatUnits renders units as diffScripts steps.
func formatUnits(units []rdUnit) string {
	var b strings.Builder
	for _, u := range units {
		for _, st := range u {
			args, start, end := st.args, "q(", "), "
			switch st.cmp {
			case rdSet:
				start, end = "step{asSet, []string{", "}}, "
			case rdScan:
				args, start, end = args[2:], "step{scanAll, []string{", "}}, " // SCAN's options
			case rdSecs, rdMillis:
				start, end = "step{approx, []string{", "}}, "
			case rdPairs:
				start, end = "step{asPairs, []string{", "}}, "
			case rdHScan:
				start, end = "step{hscanOnce, []string{", "}}, "
			case rdShape:
				start, end = "step{shape, []string{", "}}, "
			}
			b.WriteString(start)
			for i, a := range args {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(strconv.Quote(a))
			}
			b.WriteString(end)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// rdRun is a connection to each server, and one to each for the keyspace
// lookup counters, which must also match.
type rdRun struct {
	ref, got *rawConn
	stats    lookupStats
	// statsEvery is how many units run between two comparisons of the
	// lookup counters (reading them costs more than most units).
	statsEvery, sinceStats int
	// replies counts, by command name, the replies redis-server gave,
	// [0] the errors and [1] the others: -v logs them, to show what the
	// generator reaches.
	replies map[string]*[2]int
}

// newRDRun empties both servers and connects to them, speaking RESP3 if
// resp3 is set.
func newRDRun(t *testing.T, refAddr, gotAddr string, resp3 bool) *rdRun {
	r := &rdRun{ref: dialRaw(t, refAddr), got: dialRaw(t, gotAddr), stats: dialStats(t, refAddr, gotAddr), statsEvery: 1}
	for _, c := range []*rawConn{r.ref, r.got} {
		if reply := c.do("FLUSHALL"); reply != "+OK\r\n" {
			t.Fatalf("FLUSHALL: %q", reply)
		}
		if resp3 {
			c.do("HELLO", "3") // the replies name each server: not compared
		}
	}
	r.stats.reset()
	return r
}

func (r *rdRun) close() {
	for _, c := range []*rawConn{r.ref, r.got, r.stats.ref, r.stats.got} {
		c.NetConn().Close()
	}
}

// unit runs u on both servers and describes the first difference, or
// returns "".
func (r *rdRun) unit(u rdUnit) string {
	for _, st := range u {
		if st.lcs && r.tooLongForLCS(st.args[1], st.args[2]) {
			continue
		}
		if st.random != rdNotRandom {
			if diff := r.randomStep(st); diff != "" {
				return diff
			}
			continue
		}
		want, have := r.ref.do(st.args...), r.got.do(st.args...)
		if r.replies != nil {
			name := strings.ToUpper(st.args[0])
			if r.replies[name] == nil {
				r.replies[name] = new([2]int)
			}
			ok := 1
			if want[0] == '-' || strings.HasPrefix(want, "*") && strings.Contains(want, "\r\n-") {
				ok = 0 // an error, or an EXEC that holds one
			}
			r.replies[name][ok]++
		}
		if !rdSame(st, want, have) {
			return fmt.Sprintf("%q:\n redis: %q\n   ours: %q", st.args, want, have)
		}
	}
	if r.sinceStats++; r.sinceStats < r.statsEvery {
		return ""
	}
	r.sinceStats = 0
	if want, have := takeLookups(r.stats.ref), takeLookups(r.stats.got); want != have {
		return fmt.Sprintf("keyspace lookups of the last %d units:\n redis: %s\n   ours: %s", r.statsEvery, want, have)
	}
	return ""
}

// tooLongForLCS reports whether LCS of the two keys would need a large
// table; it asks redis-server, whose keyspace is the reference. The
// generator keeps LCS out of transactions, where STRLEN would be queued.
func (r *rdRun) tooLongForLCS(a, b string) bool {
	strlen := func(key string) int64 {
		f, _, err := frame.Parse([]byte(r.ref.do("STRLEN", key)))
		if err != nil || f.Type != frame.Integer {
			return 0
		}
		return f.Int
	}
	n := strlen(a) * strlen(b)
	r.stats.reset() // the two STRLENs, on redis-server only
	return n > 200_000
}

// rdSame reports whether two replies to st match.
func rdSame(st rdStep, want, have string) bool {
	if want == have {
		return true
	}
	fw, _, err1 := frame.Parse([]byte(want))
	fh, _, err2 := frame.Parse([]byte(have))
	if err1 != nil || err2 != nil {
		return false
	}
	return rdSameFrame(st.cmp, st.queue, fw, fh)
}

func rdSameFrame(cmp rdCmp, queue []rdCmp, a, b frame.Frame) bool {
	enc := func(f frame.Frame) string { return string(frame.Append(nil, f, frame.RESP2)) }
	if enc(a) == enc(b) {
		return true
	}
	aggregates := a.Type == b.Type && (a.Type == frame.Array || a.Type == frame.Set) && !a.Nil && !b.Nil
	switch cmp {
	case rdSet:
		return aggregates && slices.Equal(sortedFrames(a.Elems), sortedFrames(b.Elems))
	case rdScan:
		return aggregates && len(a.Elems) == 2 && len(b.Elems) == 2 &&
			enc(a.Elems[0]) == enc(b.Elems[0]) && rdSameFrame(rdSet, nil, a.Elems[1], b.Elems[1])
	case rdSecs, rdMillis:
		// Negative replies (no key, no expiry) must match exactly; the
		// generator's times are far from zero, so a tolerance cannot
		// confuse the two.
		tolerance := int64(2)
		if cmp == rdMillis {
			tolerance = 2000
		}
		d := a.Int - b.Int
		return a.Type == frame.Integer && b.Type == frame.Integer && a.Int >= 0 && b.Int >= 0 &&
			-tolerance <= d && d <= tolerance
	case rdPairs, rdHScan:
		ra, rb := string(frame.Append(nil, a, frame.RESP3)), string(frame.Append(nil, b, frame.RESP3))
		return slices.Equal(pairsOf(ra, cmp == rdHScan), pairsOf(rb, cmp == rdHScan))
	case rdShape:
		return sameFrameShape(a, b)
	case rdExec:
		if !aggregates || len(a.Elems) != len(b.Elems) || len(a.Elems) != len(queue) {
			return false
		}
		for i := range a.Elems {
			if !rdSameFrame(queue[i], nil, a.Elems[i], b.Elems[i]) {
				return false
			}
		}
		return true
	}
	return false
}

func sortedFrames(elems []frame.Frame) []string {
	out := make([]string, len(elems))
	for i, e := range elems {
		out[i] = string(frame.Append(nil, e, frame.RESP2))
	}
	slices.Sort(out)
	return out
}

// shrinkRandDiff looks for a short sequence of units that still makes the
// servers differ, replaying candidates from an empty keyspace: first the
// shortest suffix, then without each chunk in turn. It stops at a time
// budget and returns the best found, with its difference.
func shrinkRandDiff(t *testing.T, units []rdUnit, refAddr, gotAddr string, resp3 bool) ([]rdUnit, string) {
	deadline := time.Now().Add(30 * time.Second)
	replay := func(cand []rdUnit) string {
		r := newRDRun(t, refAddr, gotAddr, resp3)
		defer r.close()
		for _, u := range cand {
			if diff := r.unit(u); diff != "" {
				return diff
			}
		}
		return ""
	}
	best, bestDiff := units, replay(units)
	if bestDiff == "" {
		return units, "(the whole sequence no longer differs on replay)"
	}
	for k := 1; k < len(best); k *= 2 {
		if diff := replay(best[len(best)-k:]); diff != "" {
			best, bestDiff = best[len(best)-k:], diff
			break
		}
	}
	for size := len(best) / 2; size >= 1 && time.Now().Before(deadline); size /= 2 {
		for i := 0; i+size <= len(best) && time.Now().Before(deadline); {
			cand := slices.Concat(best[:i], best[i+size:])
			if diff := replay(cand); diff != "" {
				best, bestDiff = cand, diff
			} else {
				i += size
			}
		}
	}
	return best, bestDiff
}

// rdGen generates units.
type rdGen struct {
	r *rand.Rand
	// usedRel are the relative expiry times handed out so far, in
	// thousands of seconds: none is given twice.
	usedRel map[int]bool
}

func newRDGen(seed uint64) *rdGen {
	return &rdGen{r: rand.New(rand.NewPCG(seed, 0x5eed)), usedRel: map[int]bool{}}
}

// rdKeys is the keyspace: few names, so that commands meet each other's
// keys, some of them awkward.
var rdKeys = []string{"a", "b", "n", "s p", "\x00\xff\r\n", "", "[a]*\\?"}

// rdInts are integer arguments at and past the edges of what parses.
var rdInts = []string{
	"0", "1", "-1", "2", "7", "10", "-10", "100", "9223372036854775807", "-9223372036854775808",
	"9223372036854775808", "-9223372036854775809", "4294967296", "2147483647", "2147483648",
	"-2147483649", "99999999999999999999", "abc", "", "1.5", "1e3", "-0", "+1", " 1", "1 ", "007",
	"0x10", "inf", "1\x00", "-",
}

// rdFloats are INCRBYFLOAT increments.
var rdFloats = []string{
	"0.1", "-0.5", "1e3", "1.5e-3", "inf", "-inf", "+inf", "nan", "1e308", "-1e308", "1e400",
	"3.0000000000000000001", "-0", "0", ".5", "5.", "abc", "1e", "", "1,5", " 1", "1 ", "0x10",
	"1e-320", "17", "-3", "123456789012345678901234567890", "2.5e-17", "+.5e+2",
}

func (g *rdGen) pick(from ...string) string { return from[g.r.IntN(len(from))] }
func (g *rdGen) chance(percent int) bool    { return g.r.IntN(100) < percent }
func (g *rdGen) key() string                { return rdKeys[g.r.IntN(len(rdKeys))] }

// keys returns between 1 and max keys, repeats allowed.
func (g *rdGen) keys(max int) []string {
	out := make([]string, 1+g.r.IntN(max))
	for i := range out {
		out[i] = g.key()
	}
	return out
}

func (g *rdGen) intArg() string {
	if g.chance(40) {
		return strconv.Itoa(g.r.IntN(41) - 20)
	}
	return g.pick(rdInts...)
}

func (g *rdGen) floatArg() string {
	switch g.r.IntN(4) {
	case 0:
		return strconv.FormatFloat((g.r.Float64()-0.5)*1000, 'f', g.r.IntN(6), 64)
	case 1:
		return g.intArg()
	}
	return g.pick(rdFloats...)
}

// value is a string to store: numbers, floats, long, binary, empty.
func (g *rdGen) value() string {
	switch g.r.IntN(12) {
	case 0, 1:
		return g.intArg()
	case 2:
		return g.floatArg()
	case 3:
		return strings.Repeat(g.pick("x", "ab", "\x00\xff", "0"), 10+g.r.IntN(40))
	case 4:
		return g.pick("", " ", "hello world", "\x00\xff\r\n", "a\x00b", "\xff\xf0\x00", "foobar")
	}
	const alphabet = "ab01 \x00\xff\x80"
	b := make([]byte, 1+g.r.IntN(8))
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

// small is a range bound or offset, mostly near zero.
func (g *rdGen) small() string {
	if g.chance(85) {
		return strconv.Itoa(g.r.IntN(41) - 15)
	}
	return g.intArg()
}

func (g *rdGen) db() string {
	if g.chance(90) {
		return strconv.Itoa(g.r.IntN(3))
	}
	return g.pick("16", "-1", "x", "2147483648", "15", "1.0", "")
}

// badTime is an expiry time that parses badly or overflows, whatever the
// clock says.
func (g *rdGen) badTime() string {
	return g.pick("abc", "", "1.5", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"9223372036854776", "9223372036854775", "0x10", "1e3", " 1", "-9223372036854775")
}

// relTime is a relative expiry in seconds or milliseconds: never the same
// one twice and always at least 500 seconds from any other, so that GT and
// LT compare the same way whatever time passes during the run.
func (g *rdGen) relTime(millis bool) string {
	for {
		k := 10 + g.r.IntN(10000)
		if g.usedRel[k] {
			continue
		}
		g.usedRel[k] = true
		if millis {
			return strconv.Itoa((k*1000 + 500) * 1000)
		}
		return strconv.Itoa(k * 1000)
	}
}

// absTime is a Unix time after 2100, after every relative time; repeats
// are fine, they compare the same on both servers.
func (g *rdGen) absTime(millis bool) string {
	const y2100 = 4102444800
	k := g.r.IntN(1000)
	if millis {
		return strconv.Itoa((y2100 + k*1000 + 500) * 1000)
	}
	return strconv.Itoa(y2100 + k*1000)
}

// expiry is the argument of EX, PX, EXAT, PXAT, EXPIRE and the like. past
// allows absolute times in the past.
func (g *rdGen) expiry(millis, abs, past bool) string {
	switch n := g.r.IntN(14); {
	case n == 0:
		return g.badTime()
	case n == 1:
		return g.pick("0", "-1", "-100")
	case n == 2 && abs && past:
		return g.pick("1", "1000000000", "1000000000000") // in the past
	case abs:
		return g.absTime(millis)
	}
	return g.relTime(millis)
}

// expiryOption is one of EX, PX, EXAT, PXAT with its time. past allows
// absolute times in the past.
func (g *rdGen) expiryOption(past bool) []string {
	opt := g.pick("EX", "PX", "EXAT", "PXAT")
	millis, abs := opt[0] == 'P', strings.HasSuffix(opt, "AT")
	return []string{g.caseOf(opt), g.expiry(millis, abs, past)}
}

// caseOf sometimes changes a keyword's letter case.
func (g *rdGen) caseOf(word string) string {
	switch g.r.IntN(8) {
	case 0:
		return strings.ToLower(word)
	case 1:
		if len(word) > 1 {
			return strings.ToLower(word[:1]) + word[1:]
		}
	}
	return word
}

func (g *rdGen) setOptions() []string {
	var opts []string
	for n := g.r.IntN(4); n > 0; n-- {
		switch g.r.IntN(10) {
		case 0, 1, 2:
			// Not in the past: Redis 7.0 stores such a key, and removes
			// it at its next lookup, or when its active expiry cycle
			// comes across it, and DBSIZE would depend on when that is.
			opts = append(opts, g.expiryOption(false)...)
		case 3:
			opts = append(opts, g.caseOf("NX"))
		case 4:
			opts = append(opts, g.caseOf("XX"))
		case 5:
			opts = append(opts, g.caseOf("KEEPTTL"))
		case 6, 7:
			opts = append(opts, g.caseOf("GET"))
		case 8:
			opts = append(opts, g.pick("EX", "PX", "BOGUS", "PERSIST", "NX\x00"))
		case 9:
			opts = append(opts, g.caseOf(g.pick("EX", "PX")), g.relTime(false))
		}
	}
	return opts
}

func (g *rdGen) getexOptions() []string {
	switch g.r.IntN(8) {
	case 0, 1:
		return nil
	case 2:
		return []string{g.caseOf("PERSIST")}
	case 3:
		return append(g.expiryOption(true), g.pick("PERSIST", "EX", "KEEPTTL", "NX"))
	}
	return g.expiryOption(true)
}

func (g *rdGen) expireFlags() []string {
	var flags []string
	for n := g.r.IntN(3); n > 0 && g.chance(60); n-- {
		flags = append(flags, g.caseOf(g.pick("NX", "XX", "GT", "LT", "NX", "XX", "GT", "LT", "BOGUS")))
	}
	return flags
}

// keyPattern is a glob for KEYS and SCAN MATCH: a known awkward one, or
// random characters, often malformed.
func (g *rdGen) keyPattern() string {
	if g.chance(50) {
		const alphabet = "ab*?[]^!-\\ p\x00"
		b := make([]byte, g.r.IntN(7))
		for i := range b {
			b[i] = alphabet[g.r.IntN(len(alphabet))]
		}
		return string(b)
	}
	return g.pick("*", "a*", "?", "*\x00*", "[ab]*", "s\\ p", "[^a]*", "\\*", "*[", "[a-", "*\\",
		"[!a]", "[a-c]", "s?p", "", "*p", "[\\x]", "**", "[]", "[b-a]")
}

// rdCommand returns one command. Weights favour the commands with the most
// argument handling.
func (g *rdGen) command() rdStep {
	switch n := g.r.IntN(100); {
	case n < rdSetPercent:
		return g.setCommand()
	case n < rdSetPercent+rdHashPercent:
		return g.hashCommand()
	case n < rdSetPercent+rdHashPercent+rdZSetPercent:
		return g.zsetCommand()
	case n < rdSetPercent+rdHashPercent+rdZSetPercent+rdStreamPercent:
		return g.streamCommand()
	}
	k := g.key()
	ex := func(args ...string) rdStep { return rdStep{args: args} }
	switch n := g.r.IntN(100); {
	case n < 6:
		return ex("GET", k)
	case n < 14:
		return ex(append([]string{"SET", k, g.value()}, g.setOptions()...)...)
	case n < 15:
		return ex("SETNX", k, g.value())
	case n < 16:
		return ex("SETEX", k, g.expiry(false, false, false), g.value())
	case n < 17:
		return ex("PSETEX", k, g.expiry(true, false, false), g.value())
	case n < 18:
		return ex("GETSET", k, g.value())
	case n < 19:
		return ex("GETDEL", k)
	case n < 21:
		return ex(append([]string{"GETEX", k}, g.getexOptions()...)...)
	case n < 23:
		return ex(append([]string{"MGET"}, g.keys(4)...)...)
	case n < 26:
		name := g.pick("MSET", "MSETNX")
		args := []string{name}
		for _, key := range g.keys(3) {
			args = append(args, key, g.value())
		}
		return ex(args...)
	case n < 29:
		return ex("APPEND", k, g.value())
	case n < 30:
		return ex("STRLEN", k)
	case n < 33:
		return ex(g.pick("GETRANGE", "GETRANGE", "SUBSTR"), k, g.small(), g.small())
	case n < 35:
		off := strconv.Itoa(g.r.IntN(60))
		if g.chance(15) {
			off = g.pick("-1", "x", "536870912", "1000", "4000", "", "9223372036854775807")
		}
		return ex("SETRANGE", k, off, g.value())
	case n < 39:
		return ex(g.pick("INCR", "DECR"), k)
	case n < 42:
		return ex(g.pick("INCRBY", "DECRBY"), k, g.intArg())
	case n < 45:
		return ex("INCRBYFLOAT", k, g.floatArg())
	case n < 47:
		args := []string{"LCS", k, g.key()}
		switch g.r.IntN(5) {
		case 1:
			args = append(args, g.caseOf("LEN"))
		case 2:
			args = append(args, g.caseOf("IDX"))
			if g.chance(50) {
				args = append(args, g.caseOf("MINMATCHLEN"), g.small())
			}
			if g.chance(50) {
				args = append(args, g.caseOf("WITHMATCHLEN"))
			}
		case 3:
			args = append(args, g.pick("LEN", "IDX", "MINMATCHLEN", "WITHMATCHLEN", "BOGUS"),
				g.pick("IDX", "LEN", "1", "x"))
		}
		return rdStep{args: args, lcs: true}
	case n < 50:
		off := strconv.Itoa(g.r.IntN(120))
		if g.chance(10) {
			off = g.pick("-1", "x", "4294967296", "40000", "", "1.0")
		}
		bit := g.pick("0", "1", "1", "0", "1", "2", "-1", "x", "")
		return ex("SETBIT", k, off, bit)
	case n < 52:
		off := strconv.Itoa(g.r.IntN(120))
		if g.chance(10) {
			off = g.pick("-1", "x", "4294967295", "4294967296", "")
		}
		return ex("GETBIT", k, off)
	case n < 55:
		args := []string{"BITCOUNT", k}
		if g.chance(75) {
			args = append(args, g.small(), g.small())
			if g.chance(50) {
				args = append(args, g.caseOf(g.pick("BIT", "BYTE", "BIT", "BYTE", "x")))
			}
		} else if g.chance(30) {
			args = append(args, g.small())
		}
		return ex(args...)
	case n < 58:
		if g.chance(50) {
			return g.bitopsCommand(k)
		}
		args := []string{"BITPOS", k, g.pick("0", "1", "0", "1", "2", "x")}
		if g.chance(70) {
			args = append(args, g.small())
			if g.chance(70) {
				args = append(args, g.small())
				if g.chance(50) {
					args = append(args, g.caseOf(g.pick("BIT", "BYTE", "BIT", "BYTE", "x")))
				}
			}
		}
		return ex(args...)
	case n < 62:
		return ex(append([]string{g.pick("DEL", "UNLINK", "EXISTS", "TOUCH")}, g.keys(3)...)...)
	case n < 63:
		return ex("TYPE", k)
	case n < 66:
		return ex(g.pick("RENAME", "RENAMENX"), k, g.key())
	case n < 68:
		args := []string{"COPY", k, g.key()}
		if g.chance(40) {
			args = append(args, g.caseOf("DB"), g.db())
		}
		if g.chance(40) {
			args = append(args, g.caseOf("REPLACE"))
		}
		if g.chance(5) {
			args = append(args, g.pick("DB", "BOGUS"))
		}
		return ex(args...)
	case n < 75:
		name := g.pick("EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT")
		millis, abs := name[0] == 'P', strings.HasSuffix(name, "AT")
		return ex(append([]string{name, k, g.expiry(millis, abs, true)}, g.expireFlags()...)...)
	case n < 77:
		return ex("PERSIST", k)
	case n < 82:
		name := g.pick("TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME")
		cmp := rdSecs
		if name[0] == 'P' {
			cmp = rdMillis
		}
		return rdStep{args: []string{name, k}, cmp: cmp}
	case n < 85:
		return ex("SELECT", g.db())
	case n < 87:
		return ex("MOVE", k, g.db())
	case n < 88:
		return ex("SWAPDB", g.db(), g.db())
	case n < 89:
		return ex("DBSIZE")
	case n < 90:
		if g.chance(80) {
			return ex("FLUSHDB")
		}
		return ex("FLUSHALL")
	case n < 92:
		return rdStep{args: []string{"KEYS", g.keyPattern()}, cmp: rdSet}
	case n < 93:
		args := []string{"SCAN", "0", "COUNT", "1000"}
		if g.chance(50) {
			args = append(args, "MATCH", g.keyPattern())
		}
		if g.chance(30) {
			args = append(args, "TYPE", g.pick("string", "list", "STRING"))
		}
		return rdStep{args: args, cmp: rdScan}
	case n < 95:
		return ex("OBJECT", g.pick("ENCODING", "REFCOUNT", "encoding", "FREQ"), k)
	case n < 96:
		// Never a lone MULTI: what follows would be queued, and the
		// LCS guard's STRLEN with it.
		return ex(g.pick("EXEC", "DISCARD"))
	}
	return ex(g.pick("GET", "STRLEN", "INCR", "TTL", "EXISTS", "TYPE"), k)
}

// unit returns a command, sometimes with its arity broken, or a
// transaction of a few.
func (g *rdGen) unit() rdUnit {
	if g.chance(4) {
		return g.transaction()
	}
	return rdUnit{g.mangle(g.command())}
}

// mangle sometimes drops or adds an argument, and lowers a command name.
func (g *rdGen) mangle(st rdStep) rdStep {
	switch g.r.IntN(40) {
	case 0:
		if len(st.args) > 1 {
			st.args = st.args[:len(st.args)-1]
		}
	case 1:
		// Never a small positive number: after PX it would be an expiry
		// that passes during the run.
		extra := g.pick("extra", "0", "EX")
		if extra == "0" && (strings.EqualFold(st.args[0], "bzpopmin") || strings.EqualFold(st.args[0], "bzpopmax")) {
			extra = "extra" // a timeout of 0, which would wait forever
		}
		st.args = append(slices.Clip(st.args), extra)
	case 2, 3, 4:
		st.args = append([]string{strings.ToLower(st.args[0])}, st.args[1:]...)
	}
	if st.lcs && len(st.args) < 3 {
		st.lcs = false
	}
	return st
}

func (g *rdGen) transaction() rdUnit { return g.transactionOf(g.command) }

// transactionOf is a transaction of a few commands from command.
func (g *rdGen) transactionOf(command func() rdStep) rdUnit {
	u := rdUnit{{args: []string{"MULTI"}}}
	var queue []rdCmp
	for n := 1 + g.r.IntN(5); n > 0; n-- {
		if g.chance(3) {
			u = append(u, rdStep{args: []string{"MULTI"}}) // nested: an error, not queued
			continue
		}
		st := g.mangle(command())
		if len(st.args) < 2 {
			st.random = rdNotRandom // an arity error, nothing random
		}
		if st.lcs || st.cmp == rdScan || st.random != rdNotRandom {
			st = rdStep{args: []string{"GET", st.args[1]}} // SCAN's args[1] is a cursor: fine as a key
		}
		if strings.EqualFold(st.args[0], "OBJECT") && len(st.args) > 1 {
			st.args[1] = "ENCODING" // no REFCOUNT: see the top of the file
		}
		if name := strings.ToUpper(st.args[0]); name == "EXEC" || name == "DISCARD" {
			continue
		}
		u = append(u, st)
		queue = append(queue, st.cmp)
	}
	if g.chance(15) {
		return append(u, rdStep{args: []string{"DISCARD"}})
	}
	return append(u, rdStep{args: []string{"EXEC"}, cmp: rdExec, queue: queue})
}
