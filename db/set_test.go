package db

import (
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

func setMembers(s *Set) []string {
	var out []string
	s.Range(func(m string) bool { out = append(out, m); return true })
	return out
}

func setOf(lim EncodingLimits, members ...string) *Set {
	s := NewSet()
	for _, m := range members {
		s.Add([]byte(m), lim)
	}
	return s
}

func setSize(s *Set) int {
	if s.index == nil {
		return setHeaderSize + cap(s.ints)*intsetEntrySize
	}
	n := setHeaderSize + cap(s.members)*setMemberSize
	s.Range(func(m string) bool { n += len(m) + setElemOverhead + setIndexOverhead; return true })
	return n
}

// TestSetIntsetMembers follows redis-server 7.0.15: which members keep a
// one-member set an intset.
func TestSetIntsetMembers(t *testing.T) {
	tests := []struct {
		member string
		intset bool
	}{
		{"0", true}, {"5", true}, {"-3", true},
		{"9223372036854775807", true}, {"-9223372036854775808", true},
		{"9223372036854775808", false}, {"-9223372036854775809", false},
		{"01", false}, {"+1", false}, {"-0", false}, {" 1", false}, {"1 ", false},
		{"1.0", false}, {"0x10", false}, {"", false}, {"-", false}, {"a", false},
		{"99999999999999999999", false}, {"123456789012345678901", false},
	}
	for _, tt := range tests {
		s := setOf(defaultLimits, tt.member)
		if got := s.Encoding() == "intset"; got != tt.intset {
			t.Errorf("SADD %q: encoding %s", tt.member, s.Encoding())
		}
		if !s.Contains([]byte(tt.member)) || s.Len() != 1 || setMembers(s)[0] != tt.member {
			t.Errorf("SADD %q: set holds %q", tt.member, setMembers(s))
		}
		n, ok := parseIntsetMember([]byte(tt.member))
		if ok != tt.intset || ok && strconv.FormatInt(n, 10) != tt.member {
			t.Errorf("parseIntsetMember(%q) = %d, %v", tt.member, n, ok)
		}
	}
	if n, _ := parseIntsetMember([]byte("-9223372036854775808")); n != math.MinInt64 {
		t.Errorf("MinInt64 parsed as %d", n)
	}
}

func TestSetEncoding(t *testing.T) {
	ints := func(n int) []string {
		var out []string
		for i := 1; i <= n; i++ {
			out = append(out, strconv.Itoa(i))
		}
		return out
	}
	low := EncodingLimits{SetMaxIntsetEntries: 2}
	tests := []struct {
		name string
		do   func() *Set
		want string
	}{
		{"512 integers", func() *Set { return setOf(defaultLimits, ints(512)...) }, "intset"},
		{"513 integers", func() *Set { return setOf(defaultLimits, ints(513)...) }, "hashtable"},
		{"a string", func() *Set { return setOf(defaultLimits, "1", "2", "a") }, "hashtable"},
		{"removing the string does not convert back", func() *Set {
			s := setOf(defaultLimits, "1", "2", "a")
			s.Remove([]byte("a"))
			return s
		}, "hashtable"},
		{"shrinking does not convert back", func() *Set {
			s := setOf(defaultLimits, ints(513)...)
			for range 100 {
				s.Pop(rand.New(rand.NewPCG(1, 2)))
			}
			return s
		}, "hashtable"},
		// CONFIG SET set-max-intset-entries 2 on {1,2,3}: SADD 2 keeps the
		// intset, SADD 4 converts it.
		{"lowered limit, existing member", func() *Set {
			s := setOf(defaultLimits, "1", "2", "3")
			s.Add([]byte("2"), low)
			return s
		}, "intset"},
		{"lowered limit, new member", func() *Set {
			s := setOf(defaultLimits, "1", "2", "3")
			s.Add([]byte("4"), low)
			return s
		}, "hashtable"},
		{"limit 0", func() *Set { return setOf(EncodingLimits{}, "1") }, "hashtable"},
	}
	for _, tt := range tests {
		s := tt.do()
		if s.Encoding() != tt.want {
			t.Errorf("%s: encoding %s, want %s", tt.name, s.Encoding(), tt.want)
		}
		if s.Size() != setSize(s) {
			t.Errorf("%s: Size %d, recomputed %d", tt.name, s.Size(), setSize(s))
		}
	}
}

// TestIntsetIsSorted: SADD s 5 -3 100 0; SMEMBERS s => -3 0 5 100 in Redis,
// and SSCAN of an intset returns everything at once.
func TestIntsetIsSorted(t *testing.T) {
	s := setOf(defaultLimits, "5", "-3", "100", "0", "5")
	if got := setMembers(s); !slices.Equal(got, []string{"-3", "0", "5", "100"}) {
		t.Errorf("SMEMBERS = %q", got)
	}
	var scanned []string
	if c := s.Scan(0, 1, func(m string) { scanned = append(scanned, m) }); c != 0 || len(scanned) != 4 {
		t.Errorf("Scan = %d, %q", c, scanned)
	}
	if s.Add([]byte("5"), defaultLimits) || !s.Remove([]byte("0")) || s.Remove([]byte("0")) || s.Remove([]byte("x")) {
		t.Error("Add or Remove wrong about presence")
	}
	if s.Contains([]byte("x")) || s.Contains([]byte("0")) || !s.Contains([]byte("100")) {
		t.Error("Contains wrong")
	}
}

func TestSetPopAndClone(t *testing.T) {
	for _, members := range [][]string{{"1", "2", "3"}, {"a", "b", "c", "d"}} {
		s := setOf(defaultLimits, members...)
		c := s.Clone()
		if c.Encoding() != s.Encoding() || c.Size() != s.Size() || !slices.Equal(setMembers(c), setMembers(s)) {
			t.Fatalf("clone of %q differs", members)
		}
		r := rand.New(rand.NewPCG(7, 8))
		popped := map[string]bool{}
		for range members {
			m, ok := c.Pop(r)
			if !ok || popped[m] || !slices.Contains(members, m) {
				t.Fatalf("Pop = %q, %v", m, ok)
			}
			popped[m] = true
		}
		if _, ok := c.Pop(r); ok || c.Len() != 0 {
			t.Error("Pop of an empty set")
		}
		if s.Len() != len(members) {
			t.Error("popping a clone changed the original")
		}
		if _, ok := c.Random(r); ok {
			t.Error("Random of an empty set")
		}
	}
}

func FuzzSet(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 1, 1, 2, 3, 0, 200, 3, 7, 4, 0}, uint8(4))
	f.Fuzz(func(t *testing.T, ops []byte, maxInts uint8) {
		lim := EncodingLimits{SetMaxIntsetEntries: int(maxInts % 16)}
		s := NewSet()
		m := map[string]bool{}
		r := rand.New(rand.NewPCG(1, 2))
		for i := 0; i+1 < len(ops); i += 2 {
			member := strconv.Itoa(int(ops[i+1]%32) - 8)
			if ops[i+1] >= 224 {
				member = "m" + member
			}
			switch ops[i] % 5 {
			case 0:
				if s.Add([]byte(member), lim) == m[member] {
					t.Fatalf("Add(%s) wrong", member)
				}
				m[member] = true
			case 1:
				if s.Remove([]byte(member)) != m[member] {
					t.Fatalf("Remove(%s) wrong", member)
				}
				delete(m, member)
			case 2:
				if s.Contains([]byte(member)) != m[member] {
					t.Fatalf("Contains(%s) wrong", member)
				}
			case 3:
				got := map[string]bool{}
				c := uint64(0)
				for {
					c = s.Scan(c, 3, func(x string) { got[x] = true })
					if c == 0 {
						break
					}
				}
				if !maps.Equal(got, m) {
					t.Fatalf("Scan = %v, model %v", got, m)
				}
			case 4:
				x, ok := s.Pop(r)
				if ok != (len(m) > 0) || ok && !m[x] {
					t.Fatalf("Pop = %q %v, model %v", x, ok, m)
				}
				delete(m, x)
			}
			if s.Len() != len(m) || s.Size() != setSize(s) {
				t.Fatalf("Len %d (model %d), Size %d (recomputed %d)", s.Len(), len(m), s.Size(), setSize(s))
			}
			if s.Encoding() == "intset" && !slices.IsSortedFunc(setMembers(s), func(a, b string) int {
				x, _ := strconv.Atoi(a)
				y, _ := strconv.Atoi(b)
				return x - y
			}) {
				t.Fatalf("intset not sorted: %q", setMembers(s))
			}
		}
	})
}

func benchmarkSet(b *testing.B, n int, prefix string) {
	s := NewSet()
	lim := DefaultEncodingLimits()
	lim.SetMaxIntsetEntries = 1 << 30 // keep the intset encoding when prefix is ""
	members := make([][]byte, n)
	for i := range n {
		members[i] = []byte(prefix + strconv.Itoa(i))
		s.Add(members[i], lim)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		m := members[i%n]
		s.Remove(m)
		s.Add(m, lim)
		s.Contains(m)
	}
}

func BenchmarkSetAddContains10(b *testing.B)        { benchmarkSet(b, 10, "m") }
func BenchmarkSetAddContains100000(b *testing.B)    { benchmarkSet(b, 100_000, "m") }
func BenchmarkIntsetAddContains10(b *testing.B)     { benchmarkSet(b, 10, "") }
func BenchmarkIntsetAddContains100000(b *testing.B) { benchmarkSet(b, 100_000, "") }
