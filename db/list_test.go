package db

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

func listOf(elems ...string) *List {
	l := NewList()
	for _, e := range elems {
		l.PushBack([]byte(e))
	}
	return l
}

func listElems(l *List) []string {
	var out []string
	l.Range(0, -1, func(b []byte) bool {
		out = append(out, string(b))
		return true
	})
	return out
}

// listSize is what a List's running size must equal, recomputed.
func listSize(l *List) int {
	n := listHeaderSize + len(l.buf)*listSlotSize
	l.Range(0, -1, func(b []byte) bool {
		n += len(b) + listElemOverhead
		return true
	})
	return n
}

func TestListOperations(t *testing.T) {
	tests := []struct {
		name string
		op   func(l *List) any
		want []string
		ret  any
	}{
		{"push front", func(l *List) any { l.PushFront([]byte("z")); return nil }, []string{"z", "a", "b", "c", "d", "e"}, nil},
		{"push back", func(l *List) any { l.PushBack([]byte("z")); return nil }, []string{"a", "b", "c", "d", "e", "z"}, nil},
		{"pop front", func(l *List) any { b, _ := l.PopFront(); return string(b) }, []string{"b", "c", "d", "e"}, "a"},
		{"pop back", func(l *List) any { b, _ := l.PopBack(); return string(b) }, []string{"a", "b", "c", "d"}, "e"},
		{"index 0", func(l *List) any { b, ok := l.Index(0); return string(b) + " " + strconv.FormatBool(ok) }, nil, "a true"},
		{"index -1", func(l *List) any { b, ok := l.Index(-1); return string(b) + " " + strconv.FormatBool(ok) }, nil, "e true"},
		{"index -5", func(l *List) any { b, ok := l.Index(-5); return string(b) + " " + strconv.FormatBool(ok) }, nil, "a true"},
		{"index 5", func(l *List) any { _, ok := l.Index(5); return ok }, nil, false},
		{"index -6", func(l *List) any { _, ok := l.Index(-6); return ok }, nil, false},
		{"set 1", func(l *List) any { return l.SetIndex(1, []byte("B")) }, []string{"a", "B", "c", "d", "e"}, true},
		{"set -1", func(l *List) any { return l.SetIndex(-1, []byte("E")) }, []string{"a", "b", "c", "d", "E"}, true},
		{"set 9", func(l *List) any { return l.SetIndex(9, []byte("x")) }, nil, false},
		{"insert 0", func(l *List) any { return l.Insert(0, []byte("x")) }, []string{"x", "a", "b", "c", "d", "e"}, true},
		{"insert 1", func(l *List) any { return l.Insert(1, []byte("x")) }, []string{"a", "x", "b", "c", "d", "e"}, true},
		{"insert 4", func(l *List) any { return l.Insert(4, []byte("x")) }, []string{"a", "b", "c", "d", "x", "e"}, true},
		{"insert 5", func(l *List) any { return l.Insert(5, []byte("x")) }, []string{"a", "b", "c", "d", "e", "x"}, true},
		{"insert 6", func(l *List) any { return l.Insert(6, []byte("x")) }, nil, false},
		{"remove at 0", func(l *List) any { return l.RemoveAt(0) }, []string{"b", "c", "d", "e"}, true},
		{"remove at 3", func(l *List) any { return l.RemoveAt(3) }, []string{"a", "b", "c", "e"}, true},
		{"remove at 5", func(l *List) any { return l.RemoveAt(5) }, nil, false},
		{"trim 1 3", func(l *List) any { l.Trim(1, 3); return nil }, []string{"b", "c", "d"}, nil},
		{"trim -2 -1", func(l *List) any { l.Trim(-2, -1); return nil }, []string{"d", "e"}, nil},
		{"trim 0 100", func(l *List) any { l.Trim(0, 100); return nil }, []string{"a", "b", "c", "d", "e"}, nil},
		{"trim -100 1", func(l *List) any { l.Trim(-100, 1); return nil }, []string{"a", "b"}, nil},
		{"trim 3 1", func(l *List) any { l.Trim(3, 1); return nil }, []string{}, nil},
		{"trim 5 10", func(l *List) any { l.Trim(5, 10); return nil }, []string{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := listOf("a", "b", "c", "d", "e")
			ret := tt.op(l)
			if fmt.Sprint(ret) != fmt.Sprint(tt.ret) {
				t.Errorf("returned %v, want %v", ret, tt.ret)
			}
			want := tt.want
			if want == nil {
				want = []string{"a", "b", "c", "d", "e"}
			}
			if got := listElems(l); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("list = %q, want %q", got, want)
			}
			if l.Len() != len(want) {
				t.Errorf("Len = %d, want %d", l.Len(), len(want))
			}
			if l.Size() != listSize(l) {
				t.Errorf("Size = %d, recomputed %d", l.Size(), listSize(l))
			}
		})
	}
}

func TestListRemove(t *testing.T) {
	tests := []struct {
		count int
		want  []string
		n     int
	}{
		{0, []string{"b", "c", "d"}, 4},
		{1, []string{"b", "x", "c", "x", "d", "x"}, 1},
		{2, []string{"b", "c", "x", "d", "x"}, 2},
		{-1, []string{"x", "b", "x", "c", "x", "d"}, 1},
		{-2, []string{"x", "b", "x", "c", "d"}, 2},
		{-10, []string{"b", "c", "d"}, 4},
		{10, []string{"b", "c", "d"}, 4},
	}
	for _, tt := range tests {
		l := listOf("x", "b", "x", "c", "x", "d", "x")
		if n := l.Remove([]byte("x"), tt.count); n != tt.n {
			t.Errorf("Remove(x, %d) = %d, want %d", tt.count, n, tt.n)
		}
		if got := listElems(l); !slices.Equal(got, tt.want) {
			t.Errorf("Remove(x, %d) left %q, want %q", tt.count, got, tt.want)
		}
		if l.Size() != listSize(l) {
			t.Errorf("Remove(x, %d): Size = %d, recomputed %d", tt.count, l.Size(), listSize(l))
		}
	}
	l := listOf("a")
	if n := l.Remove([]byte("zz"), 0); n != 0 || l.mods != 1 {
		t.Errorf("Remove of nothing = %d with %d changes, want 0 and no change beyond the push", n, l.mods)
	}
}

func TestListRange(t *testing.T) {
	l := listOf("a", "b", "c", "d", "e")
	tests := []struct {
		start, stop int
		want        string
	}{
		{0, -1, "abcde"}, {0, 0, "a"}, {-1, -1, "e"}, {1, 3, "bcd"}, {-3, -2, "cd"},
		{-100, 100, "abcde"}, {3, 1, ""}, {5, 6, ""}, {-100, -6, ""}, {4, 100, "e"},
	}
	for _, tt := range tests {
		var got []byte
		l.Range(tt.start, tt.stop, func(b []byte) bool { got = append(got, b...); return true })
		if string(got) != tt.want {
			t.Errorf("Range(%d, %d) = %q, want %q", tt.start, tt.stop, got, tt.want)
		}
	}
	n := 0
	l.Range(0, -1, func([]byte) bool { n++; return n < 2 })
	if n != 2 {
		t.Errorf("Range went on after fn returned false: %d calls", n)
	}
}

// TestListGrowsAndShrinks wraps the ring around in both directions.
func TestListGrowsAndShrinks(t *testing.T) {
	l := NewList()
	var model []string
	for i := range 1000 {
		s := strconv.Itoa(i)
		if i%3 == 0 {
			l.PushFront([]byte(s))
			model = slices.Insert(model, 0, s)
		} else {
			l.PushBack([]byte(s))
			model = append(model, s)
		}
	}
	if !slices.Equal(listElems(l), model) {
		t.Fatal("list differs from the model after pushes")
	}
	for l.Len() > 3 {
		l.PopFront()
		l.PopBack()
		model = model[1 : len(model)-1]
	}
	if !slices.Equal(listElems(l), model) {
		t.Fatalf("list = %q, want %q", listElems(l), model)
	}
	if len(l.buf) > 16 {
		t.Errorf("ring of %d slots for %d elements: it did not shrink", len(l.buf), l.Len())
	}
	if l.Size() != listSize(l) {
		t.Errorf("Size = %d, recomputed %d", l.Size(), listSize(l))
	}
}

func TestListOwnsItsElements(t *testing.T) {
	b := []byte("abc")
	l := NewList()
	l.PushBack(b)
	l.PushFront(b)
	l.Insert(1, b)
	l.SetIndex(0, b)
	b[0] = 'X'
	if got := listElems(l); !slices.Equal(got, []string{"abc", "abc", "abc"}) {
		t.Errorf("list = %q after the caller changed its buffer", got)
	}
	c := l.Clone()
	c.SetIndex(0, []byte("changed"))
	if e, _ := l.Index(0); string(e) != "abc" {
		t.Errorf("changing a clone changed the original: %q", e)
	}
	if c.Size() != l.Size()+len("changed")-len("abc") {
		t.Errorf("clone Size = %d, original %d", c.Size(), l.Size())
	}
}

func TestListEncodingIsAlwaysQuicklist(t *testing.T) {
	// Redis 7.0.15: RPUSH l a; OBJECT ENCODING l => quicklist.
	l := listOf("a")
	if l.Encoding() != "quicklist" || l.Type() != TypeList {
		t.Errorf("Encoding = %q, Type = %v", l.Encoding(), l.Type())
	}
}

// listOp applies op (from the fuzzer's bytes) to l and to the model m.
func listOp(t *testing.T, l *List, m []string, op byte, arg int, elem []byte) []string {
	t.Helper()
	e := string(elem)
	n := len(m)
	switch op % 10 {
	case 0:
		l.PushFront(elem)
		m = slices.Insert(m, 0, e)
	case 1:
		l.PushBack(elem)
		m = append(m, e)
	case 2:
		b, ok := l.PopFront()
		if ok != (n > 0) || ok && string(b) != m[0] {
			t.Fatalf("PopFront = %q, %v; model %q", b, ok, m)
		}
		if ok {
			m = m[1:]
		}
	case 3:
		b, ok := l.PopBack()
		if ok != (n > 0) || ok && string(b) != m[n-1] {
			t.Fatalf("PopBack = %q, %v; model %q", b, ok, m)
		}
		if ok {
			m = m[:n-1]
		}
	case 4:
		i := arg%(2*n+1) - n
		b, ok := l.Index(i)
		j := i
		if j < 0 {
			j += n
		}
		if ok != (j >= 0 && j < n) || ok && string(b) != m[j] {
			t.Fatalf("Index(%d) = %q, %v; model %q", i, b, ok, m)
		}
		if ok && l.SetIndex(i, elem) {
			m[j] = e
		}
	case 5:
		i := arg % (n + 1)
		l.Insert(i, elem)
		m = slices.Insert(m, i, e)
	case 6:
		if n > 0 {
			i := arg % n
			l.RemoveAt(i)
			m = slices.Delete(m, i, i+1)
		}
	case 7:
		count := arg%5 - 2
		got := l.Remove(elem, count)
		m2, want := modelRemove(m, e, count)
		if got != want {
			t.Fatalf("Remove(%q, %d) = %d, want %d", e, count, got, want)
		}
		m = m2
	case 8:
		start, stop := arg%7-3, (arg/7)%7-3
		l.Trim(start, stop)
		s, e := start, stop
		if s < 0 {
			s += n
		}
		if e < 0 {
			e += n
		}
		s = max(s, 0)
		if s > e || s >= n {
			m = nil
		} else {
			m = slices.Clone(m[s : min(e, n-1)+1])
		}
	case 9:
		start, stop := arg%9-4, (arg/9)%9-4
		var got []string
		l.Range(start, stop, func(b []byte) bool { got = append(got, string(b)); return true })
		fl, tl := l.span(start, stop)
		if want := m[fl:tl]; !slices.Equal(got, want) && len(got)+len(want) > 0 {
			t.Fatalf("Range(%d, %d) = %q, want %q", start, stop, got, want)
		}
	}
	return m
}

func modelRemove(m []string, e string, count int) ([]string, int) {
	var idx []int
	for i, x := range m {
		if x == e {
			idx = append(idx, i)
		}
	}
	switch {
	case count > 0 && len(idx) > count:
		idx = idx[:count]
	case count < 0 && len(idx) > -count:
		idx = idx[len(idx)+count:]
	}
	out := m[:0:0]
	for i, x := range m {
		if !slices.Contains(idx, i) {
			out = append(out, x)
		}
	}
	return out, len(idx)
}

func FuzzList(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 1, 1, 5, 5, 7, 2})
	f.Add(bytes.Repeat([]byte{1, 0, 5, 3}, 50))
	f.Fuzz(func(t *testing.T, ops []byte) {
		l := NewList()
		var m []string
		for i := 0; i+1 < len(ops); i += 2 {
			elem := []byte{'a' + ops[i+1]%3}
			m = listOp(t, l, m, ops[i], int(ops[i+1]), elem)
			if got := listElems(l); !slices.Equal(got, m) && len(got)+len(m) > 0 {
				t.Fatalf("after op %d: list %q, model %q", ops[i]%10, got, m)
			}
			if l.Size() != listSize(l) {
				t.Fatalf("Size = %d, recomputed %d", l.Size(), listSize(l))
			}
		}
	})
}

func TestListRandomOps(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	ops := make([]byte, 20000)
	for i := range ops {
		ops[i] = byte(r.UintN(256))
	}
	l := NewList()
	var m []string
	for i := 0; i+1 < len(ops); i += 2 {
		m = listOp(t, l, m, ops[i], int(ops[i+1]), []byte{'a' + ops[i+1]%3})
	}
	if !slices.Equal(listElems(l), m) && l.Len()+len(m) > 0 {
		t.Fatalf("list %q, model %q", listElems(l), m)
	}
}

func benchmarkList(b *testing.B, n int) {
	l := NewList()
	elem := []byte("element")
	for range n {
		l.PushBack(elem)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%2 == 0 {
			l.PushFront(elem)
			l.PopBack()
		} else {
			l.PushBack(elem)
			l.PopFront()
		}
	}
}

func BenchmarkListPushPop10(b *testing.B)     { benchmarkList(b, 10) }
func BenchmarkListPushPop100000(b *testing.B) { benchmarkList(b, 100_000) }

func benchmarkListIndex(b *testing.B, n int) {
	l := NewList()
	for i := range n {
		l.PushBack([]byte(strconv.Itoa(i)))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		l.Index(i % n)
	}
}

func BenchmarkListIndex100000(b *testing.B) { benchmarkListIndex(b, 100_000) }
