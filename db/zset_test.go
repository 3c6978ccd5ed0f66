package db

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// zsetDump returns the set's pairs in order, as "member=score".
func zsetDump(z *ZSet) []string {
	var out []string
	z.Range(func(m string, s float64) bool {
		out = append(out, m+"="+strconv.FormatFloat(s, 'g', -1, 64))
		return true
	})
	return out
}

// zmodel is the obvious sorted set: a map, sorted when asked.
type zmodel map[string]float64

func (m zmodel) sorted() []zsetPair {
	out := make([]zsetPair, 0, len(m))
	for k, v := range m {
		out = append(out, zsetPair{member: k, score: v})
	}
	slices.SortFunc(out, func(a, b zsetPair) int {
		if c := cmp.Compare(a.score, b.score); c != 0 {
			return c
		}
		return cmp.Compare(a.member, b.member)
	})
	return out
}

// checkZSet checks every read of z against the model, and the skip
// list's structure: spans, backward links, index and dense slice.
func checkZSet(t *testing.T, z *ZSet, m zmodel) {
	t.Helper()
	want := m.sorted()
	if z.Len() != len(want) {
		t.Fatalf("Len %d, want %d", z.Len(), len(want))
	}
	var got []zsetPair
	z.Range(func(mb string, s float64) bool { got = append(got, zsetPair{mb, s}); return true })
	if !slices.Equal(got, want) {
		t.Fatalf("Range %v, want %v", got, want)
	}
	bytes := 0
	for i, p := range want {
		bytes += len(p.member)
		if r, s, ok := z.Rank([]byte(p.member), false); !ok || r != i || s != p.score {
			t.Fatalf("Rank(%q) = %d %v %v, want %d", p.member, r, s, ok, i)
		}
		if r, _, _ := z.Rank([]byte(p.member), true); r != len(want)-1-i {
			t.Fatalf("rev Rank(%q) = %d", p.member, r)
		}
		if mb, s := z.ByRank(i); mb != p.member || s != p.score {
			t.Fatalf("ByRank(%d) = %q %v, want %v", i, mb, s, p)
		}
	}
	if z.bytes != bytes {
		t.Fatalf("bytes %d, want %d", z.bytes, bytes)
	}
	if z.sl == nil {
		return
	}
	sl := z.sl
	if len(sl.index) != len(want) || len(sl.dense) != len(want) {
		t.Fatalf("index %d, dense %d, want %d", len(sl.index), len(sl.dense), len(want))
	}
	for i, x := range sl.dense {
		if x.pos != i || sl.index[x.member] != x {
			t.Fatalf("dense[%d] = %q at pos %d", i, x.member, x.pos)
		}
	}
	levels := 0
	var prev *zslNode
	for x := sl.head.level[0].forward; x != nil; x = x.level[0].forward {
		if x.backward != prev {
			t.Fatalf("backward of %q wrong", x.member)
		}
		prev = x
		levels += len(x.level)
	}
	if sl.tail != prev || levels != sl.levels {
		t.Fatalf("tail or levels wrong: %d, want %d", sl.levels, levels)
	}
	// Every link's span is the number of rank steps it crosses.
	rank := map[*zslNode]int{&sl.head: 0}
	i := 1
	for x := sl.head.level[0].forward; x != nil; x = x.level[0].forward {
		rank[x] = i
		i++
	}
	for x := &sl.head; x != nil; x = x.level[0].forward {
		for l := 0; l < len(x.level) && l < sl.level; l++ {
			if f := x.level[l].forward; f != nil && rank[f]-rank[x] != x.level[l].span {
				t.Fatalf("span at level %d from rank %d: %d, want %d", l, rank[x], x.level[l].span, rank[f]-rank[x])
			}
		}
	}
}

func zsetOf(lim EncodingLimits, pairs ...any) *ZSet {
	z := NewZSet()
	for i := 0; i < len(pairs); i += 2 {
		z.Add([]byte(pairs[i+1].(string)), pairs[i].(float64), 0, lim)
	}
	return z
}

func TestZSetAddFlags(t *testing.T) {
	tests := []struct {
		name      string
		flags     ZAddFlags
		member    string
		score     float64
		want      ZAddResult
		wantScore float64
		after     float64 // the score of b after, NaN if b is absent
	}{
		{"new", 0, "b", 5, ZAddAdded, 5, 5},
		{"update", 0, "a", 5, ZAddUpdated, 5, math.NaN()},
		{"same", 0, "a", 1, ZAddUnchanged, 1, math.NaN()},
		{"zero is minus zero", 0, "z", math.Copysign(0, -1), ZAddUnchanged, 0, math.NaN()},
		{"nx existing", ZAddNX, "a", 5, ZAddNop, 1, math.NaN()},
		{"nx new", ZAddNX, "b", 5, ZAddAdded, 5, 5},
		{"xx new", ZAddXX, "b", 5, ZAddNop, 0, math.NaN()},
		{"xx existing", ZAddXX, "a", 5, ZAddUpdated, 5, math.NaN()},
		{"gt lower", ZAddGT, "a", 0, ZAddNop, 1, math.NaN()},
		{"gt equal", ZAddGT, "a", 1, ZAddNop, 1, math.NaN()},
		{"gt higher", ZAddGT, "a", 2, ZAddUpdated, 2, math.NaN()},
		{"gt new", ZAddGT, "b", -1, ZAddAdded, -1, -1},
		{"lt higher", ZAddLT, "a", 2, ZAddNop, 1, math.NaN()},
		{"lt lower", ZAddLT, "a", 0, ZAddUpdated, 0, math.NaN()},
		{"incr", ZAddIncr, "a", 2.5, ZAddUpdated, 3.5, math.NaN()},
		{"incr zero", ZAddIncr, "a", 0, ZAddUnchanged, 1, math.NaN()},
		{"incr new", ZAddIncr, "b", 2.5, ZAddAdded, 2.5, 2.5},
		{"incr gt down", ZAddIncr | ZAddGT, "a", -1, ZAddNop, 1, math.NaN()},
		{"incr to nan", ZAddIncr, "inf", math.Inf(-1), ZAddNaN, 0, math.NaN()},
		{"nan", 0, "b", math.NaN(), ZAddNaN, 0, math.NaN()},
	}
	for _, enc := range []int{128, 0} {
		lim := defaultLimits
		lim.ZSetMaxListpackEntries = enc
		for _, tt := range tests {
			z := zsetOf(lim, 1.0, "a", 0.0, "z", math.Inf(1), "inf")
			res, s := z.Add([]byte(tt.member), tt.score, tt.flags, lim)
			if res != tt.want || res != ZAddNop && res != ZAddNaN && s != tt.wantScore {
				t.Errorf("%s (%s): %v %v, want %v %v", tt.name, z.Encoding(), res, s, tt.want, tt.wantScore)
			}
			b, ok := z.Score([]byte("b"))
			if ok != !math.IsNaN(tt.after) || ok && b != tt.after {
				t.Errorf("%s (%s): b = %v %v afterwards", tt.name, z.Encoding(), b, ok)
			}
		}
	}
}

// TestZSetListpackDropsMinusZero follows redis-server 7.0.15: a listpack
// stores -0 as 0, a skiplist keeps it.
func TestZSetListpackDropsMinusZero(t *testing.T) {
	negZero := math.Copysign(0, -1)
	for _, tt := range []struct {
		entries int
		neg     bool
	}{{128, false}, {0, true}} {
		lim := defaultLimits
		lim.ZSetMaxListpackEntries = tt.entries
		z := NewZSet()
		if _, s := z.Add([]byte("a"), negZero, 0, lim); !math.Signbit(s) {
			t.Errorf("%s: Add returned %v, want -0", z.Encoding(), s)
		}
		if s, _ := z.Score([]byte("a")); math.Signbit(s) != tt.neg {
			t.Errorf("%s: stored %v", z.Encoding(), s)
		}
	}
}

func TestZSetEncodingConversion(t *testing.T) {
	lim := defaultLimits
	z := NewZSet()
	for i := range 128 {
		z.Add([]byte("m"+strconv.Itoa(i)), float64(i), 0, lim)
	}
	if z.Encoding() != "listpack" {
		t.Fatalf("128 members: %s", z.Encoding())
	}
	z.Add([]byte("m0"), 99, 0, lim) // an update converts nothing
	if z.Encoding() != "listpack" {
		t.Fatalf("after an update: %s", z.Encoding())
	}
	z.Add([]byte("new"), 1, 0, lim)
	if z.Encoding() != "skiplist" || z.Len() != 129 {
		t.Fatalf("129 members: %s, %d", z.Encoding(), z.Len())
	}
	z.RemoveRangeByRank(0, 100)
	if z.Encoding() != "skiplist" {
		t.Fatal("a removal converted back")
	}
	z.Compact(lim)
	if z.Encoding() != "listpack" || z.Len() != 28 {
		t.Fatalf("Compact: %s, %d", z.Encoding(), z.Len())
	}
	long := make([]byte, 65)
	z.Add(long[:64], 1, 0, lim)
	if z.Encoding() != "listpack" {
		t.Fatal("a 64-byte member converted")
	}
	z.Add(long, 1, 0, lim)
	if z.Encoding() != "skiplist" {
		t.Fatal("a 65-byte member did not convert")
	}
	z.Compact(lim)
	if z.Encoding() != "skiplist" {
		t.Fatal("Compact of a set with a long member")
	}
	lim.ZSetMaxListpackEntries = 0
	if z := zsetOf(lim, 1.0, "a"); z.Encoding() != "skiplist" {
		t.Fatal("zset-max-listpack-entries 0 made a listpack")
	}
}

func TestZSetRanges(t *testing.T) {
	inf := math.Inf(1)
	for _, entries := range []int{128, 0} {
		lim := defaultLimits
		lim.ZSetMaxListpackEntries = entries
		z := zsetOf(lim, -inf, "n", 1.0, "a", 1.0, "b", 2.0, "c", 3.0, "d", inf, "p")
		for _, tt := range []struct {
			r          ScoreRange
			first, end int
		}{
			{ScoreRange{Min: -inf, Max: inf}, 0, 6},
			{ScoreRange{Min: 1, Max: 2}, 1, 4},
			{ScoreRange{Min: 1, Max: 2, MinEx: true}, 3, 4},
			{ScoreRange{Min: 1, Max: 2, MaxEx: true}, 1, 3},
			{ScoreRange{Min: 2, Max: 1}, 0, 0},
			{ScoreRange{Min: 2, Max: 2, MinEx: true}, 0, 0},
			{ScoreRange{Min: inf, Max: inf}, 5, 6},
			{ScoreRange{Min: -inf, Max: -inf, MaxEx: true}, 0, 0},
			{ScoreRange{Min: 1.5, Max: 1.7}, 0, 0},
			{ScoreRange{Min: 4, Max: 5}, 0, 0},
		} {
			first, end := z.ScoreRanks(tt.r)
			if max(0, end-first) != tt.end-tt.first || end > first && first != tt.first {
				t.Errorf("%s: ScoreRanks(%+v) = %d, %d, want %d, %d", z.Encoding(), tt.r, first, end, tt.first, tt.end)
			}
		}
		lex := zsetOf(lim, 0.0, "a", 0.0, "b", 0.0, "bb", 0.0, "c")
		for _, tt := range []struct {
			r          LexRange
			first, end int
		}{
			{LexRange{LexBound{Inf: -1}, LexBound{Inf: 1}}, 0, 4},
			{LexRange{LexBound{Value: "b"}, LexBound{Value: "c"}}, 1, 4},
			{LexRange{LexBound{Value: "b", Exclusive: true}, LexBound{Value: "c", Exclusive: true}}, 2, 3},
			{LexRange{LexBound{Value: "b"}, LexBound{Value: "b"}}, 1, 2},
			{LexRange{LexBound{Value: "b"}, LexBound{Value: "b", Exclusive: true}}, 0, 0},
			{LexRange{LexBound{Inf: 1}, LexBound{Inf: -1}}, 0, 0},
			{LexRange{LexBound{Inf: -1}, LexBound{Inf: -1}}, 0, 0},
			{LexRange{LexBound{Value: "a"}, LexBound{Inf: -1}}, 0, 0},
			{LexRange{LexBound{Value: ""}, LexBound{Value: "a"}}, 0, 1},
			{LexRange{LexBound{Value: "d"}, LexBound{Inf: 1}}, 0, 0},
		} {
			for _, rev := range []bool{false, true} {
				first, end := lex.LexRanks(tt.r, rev)
				if max(0, end-first) != tt.end-tt.first || end > first && first != tt.first {
					t.Errorf("%s: LexRanks(%+v, %v) = %d, %d, want %d, %d", lex.Encoding(), tt.r, rev, first, end, tt.first, tt.end)
				}
			}
		}
	}
}

// TestZSetAgainstModel runs random changes on sets of both encodings and
// checks every read, and the skip list's structure, after each.
func TestZSetAgainstModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, entries := range []int{128, 16, 0} {
		lim := defaultLimits
		lim.ZSetMaxListpackEntries = entries
		z, m := NewZSet(), zmodel{}
		scores := []float64{math.Inf(-1), -1, 0, 0.5, 1, 2, math.Inf(1)}
		for step := range 3000 {
			member := "m" + strconv.Itoa(r.IntN(60))
			switch op := r.IntN(10); {
			case op < 5:
				s := scores[r.IntN(len(scores))]
				flags := []ZAddFlags{0, ZAddIncr, ZAddGT, ZAddLT, ZAddNX, ZAddXX}[r.IntN(6)]
				cur, had := m[member]
				res, got := z.Add([]byte(member), s, flags, lim)
				want := s
				if flags == ZAddIncr && had {
					want = cur + s
				}
				switch {
				case math.IsNaN(want):
					if res != ZAddNaN {
						t.Fatalf("step %d: NaN sum gave %v", step, res)
					}
				case flags == ZAddNX && had, flags == ZAddXX && !had,
					flags == ZAddGT && had && want <= cur, flags == ZAddLT && had && want >= cur:
					if res != ZAddNop {
						t.Fatalf("step %d: %v, want nop", step, res)
					}
				default:
					if got != want {
						t.Fatalf("step %d: score %v, want %v", step, got, want)
					}
					if want == 0 {
						want = 0 // -0 keeps the member's 0, or becomes 0 in a listpack
						if had && cur == 0 {
							want = cur
						}
					}
					m[member] = want
				}
			case op < 7:
				_, had := m[member]
				if z.Remove([]byte(member)) != had {
					t.Fatalf("step %d: Remove(%q) wrong", step, member)
				}
				delete(m, member)
			case op < 8 && len(m) > 0:
				a, b := r.IntN(len(m)), r.IntN(len(m))
				a, b = min(a, b), max(a, b)
				for _, p := range m.sorted()[a : b+1] {
					delete(m, p.member)
				}
				if n := z.RemoveRangeByRank(a, b); n != b-a+1 {
					t.Fatalf("step %d: removed %d", step, n)
				}
			case op < 9 && len(m) > 0:
				mx := r.IntN(2) == 0
				mb, s, _ := z.Pop(mx)
				srt := m.sorted()
				want := srt[0]
				if mx {
					want = srt[len(srt)-1]
				}
				if mb != want.member || s != want.score {
					t.Fatalf("step %d: Pop(%v) = %q %v, want %v", step, mx, mb, s, want)
				}
				delete(m, mb)
			default:
				c := z.Clone()
				checkZSet(t, c, m)
				c.Add([]byte("clone only"), 1, 0, lim)
				if _, ok := z.Score([]byte("clone only")); ok {
					t.Fatal("a clone shares the set")
				}
			}
			checkZSet(t, z, m)
			if z.Size() <= 0 {
				t.Fatal("no size")
			}
		}
	}
}

// TestZSetScanSeesEveryMember checks ZSCAN's guarantee on a skiplist
// changed between calls: a member there from the first call to the last
// is returned.
func TestZSetScanSeesEveryMember(t *testing.T) {
	lim := defaultLimits
	lim.ZSetMaxListpackEntries = 0
	z := NewZSet()
	for i := range 500 {
		z.Add([]byte("m"+strconv.Itoa(i)), float64(i%7), 0, lim)
	}
	seen := map[string]bool{}
	cursor, calls := uint64(0), 0
	for {
		cursor = z.Scan(cursor, 10, func(m string, _ float64) { seen[m] = true })
		calls++
		z.Add([]byte("new"+strconv.Itoa(calls)), 1, 0, lim)
		z.Remove([]byte("m" + strconv.Itoa(400+calls)))
		if cursor == 0 {
			break
		}
	}
	for i := range 400 {
		if !seen["m"+strconv.Itoa(i)] {
			t.Errorf("m%d never returned", i)
		}
	}
	lp := zsetOf(defaultLimits, 2.0, "b", 1.0, "a")
	var got []string
	if c := lp.Scan(0, 1, func(m string, _ float64) { got = append(got, m) }); c != 0 || !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("listpack Scan: %d %q", c, got)
	}
}

func TestZSetRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, entries := range []int{128, 0} {
		lim := defaultLimits
		lim.ZSetMaxListpackEntries = entries
		z := zsetOf(lim, 1.0, "a", 2.0, "b", 3.0, "c")
		counts := map[string]int{}
		for range 3000 {
			m, s, ok := z.Random(r)
			if want, _ := z.Score([]byte(m)); !ok || want != s {
				t.Fatalf("Random: %q %v %v", m, s, ok)
			}
			counts[m]++
		}
		for m, n := range counts {
			if n < 800 {
				t.Errorf("%s: %q picked %d times in 3000", z.Encoding(), m, n)
			}
		}
		if _, _, ok := NewZSet().Random(r); ok {
			t.Error("Random of an empty set")
		}
	}
}

func benchZSet(n int) (*ZSet, [][]byte) {
	lim := defaultLimits
	z := NewZSet()
	members := make([][]byte, n)
	for i := range members {
		members[i] = []byte("member:" + strconv.Itoa(i))
		z.Add(members[i], float64(i*7%n), 0, lim)
	}
	return z, members
}

func BenchmarkZSetAdd(b *testing.B) {
	for _, n := range []int{10, 1_000_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			z, members := benchZSet(n)
			lim := defaultLimits
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				// An update that moves the member: remove and reinsert.
				z.Add(members[i%n], float64(i), 0, lim)
			}
		})
	}
}

func BenchmarkZSetRank(b *testing.B) {
	for _, n := range []int{10, 1_000_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			z, members := benchZSet(n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				z.Rank(members[i%n], false)
			}
		})
	}
}

func BenchmarkZSetRange(b *testing.B) {
	for _, n := range []int{10, 1_000_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			z, _ := benchZSet(n)
			b.ReportAllocs()
			b.ResetTimer()
			sum := 0.0
			for i := range b.N {
				start := i % max(1, n-10)
				z.RangeByRank(start, min(start+9, n-1), false, func(_ string, s float64) bool { sum += s; return true })
			}
			_ = sum
		})
	}
}
