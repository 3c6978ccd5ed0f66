package db

import (
	"strconv"
	"testing"
)

// TestListShrinksToItsData checks that a list left with a few elements of
// many, by any of the commands that remove several at once, gives back
// its ring at once: its Size follows the elements it keeps.
func TestListShrinksToItsData(t *testing.T) {
	const n = 1 << 16
	for _, tc := range []struct {
		name   string
		remove func(l *List)
		keep   int
	}{
		{"trim head", func(l *List) { l.Trim(0, 9) }, 10},
		{"trim tail", func(l *List) { l.Trim(-10, -1) }, 10},
		{"trim middle", func(l *List) { l.Trim(1000, 1009) }, 10},
		{"remove all but a few", func(l *List) { l.Remove([]byte("x"), 0) }, 30},
		{"remove from tail", func(l *List) { l.Remove([]byte("x"), -(n - 30)) }, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := NewList()
			for i := range n {
				// "x" everywhere but where each case keeps its elements.
				e := "x"
				if i < 10 || i >= 1000 && i < 1010 || i >= n-10 {
					e = strconv.Itoa(i)
				}
				l.PushBack([]byte(e))
			}
			tc.remove(l)
			if l.Len() != tc.keep {
				t.Fatalf("Len %d, want %d", l.Len(), tc.keep)
			}
			if max := listHeaderSize + 128*listSlotSize + 1000; l.Size() > max {
				t.Errorf("Size %d after keeping %d of %d, want at most %d", l.Size(), tc.keep, n, max)
			}
			l.PushBack([]byte("y")) // the ring still works
			if e, _ := l.Index(-1); string(e) != "y" {
				t.Errorf("last element %q", e)
			}
		})
	}
}

// BenchmarkListTrimOne is LTRIM l 0 -2 on a long list: a capped queue's
// trim, which must cost what it removes.
func BenchmarkListTrimOne(b *testing.B) {
	l := NewList()
	for range 1 << 20 {
		l.PushBack([]byte("e"))
	}
	for b.Loop() {
		l.PushBack([]byte("e"))
		l.Trim(1, -1)
	}
}
