package db

import (
	"slices"
	"testing"
)

// OnReady reports a key that comes to hold a sorted set as it reports one
// that comes to hold a list; Overwrite, the *STORE commands' Set, reports
// only a key it creates, as Redis's setKey signals only from dbAdd.
func TestOnReadyReportsKeysThatGetASortedSet(t *testing.T) {
	var log readyLog
	s, _ := newTestStore(t, Options{OnReady: log.hook})
	d := s.DB(0)
	lim := DefaultEncodingLimits()
	for _, tc := range []struct {
		what string
		do   func(tx *KeyLock)
		want []string
	}{
		{"an add that creates the sorted set", func(tx *KeyLock) {
			z, _ := tx.MutableZSet([]byte("z"), true)
			z.Add([]byte("a"), 1, 0, lim)
		}, []string{"0:z"}},
		{"an add to the sorted set", func(tx *KeyLock) {
			z, _ := tx.MutableZSet([]byte("z"), true)
			z.Add([]byte("b"), 2, 0, lim)
		}, nil},
		{"a sorted set set over a string", func(tx *KeyLock) {
			tx.Set([]byte("s"), NewString([]byte("x")), 0)
			tx.Set([]byte("s"), readyZSet(lim, "m"), 0)
		}, []string{"0:s"}},
		{"a sorted set overwriting a new key", func(tx *KeyLock) {
			tx.Overwrite([]byte("n"), readyZSet(lim, "m"))
		}, []string{"0:n"}},
		{"a sorted set overwriting a string", func(tx *KeyLock) {
			tx.Set([]byte("o"), NewString([]byte("x")), 0)
			tx.Overwrite([]byte("o"), readyZSet(lim, "m"))
		}, nil},
		{"a sorted set overwriting a list", func(tx *KeyLock) {
			l, _ := tx.MutableList([]byte("l"), true)
			l.PushBack([]byte("e"))
			log.take() // the list's own readiness
			tx.Overwrite([]byte("l"), readyZSet(lim, "m"))
		}, nil},
	} {
		keys := [][]byte{[]byte("z"), []byte("s"), []byte("n"), []byte("o"), []byte("l")}
		tx := d.Write(keys...)
		tc.do(&tx)
		tx.Close()
		if got := log.take(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: OnReady reported %q, want %q", tc.what, got, tc.want)
		}
	}
	tx := d.Read([]byte("o"))
	if v := tx.Get([]byte("o")); v == nil || v.Type() != TypeZSet {
		t.Errorf("Overwrite left %v at o, want a sorted set", v)
	}
	tx.Close()
}

// readyZSet returns a sorted set of members, scored by their positions.
func readyZSet(lim EncodingLimits, members ...string) *ZSet {
	z := NewZSet()
	for i, m := range members {
		z.Add([]byte(m), float64(i), 0, lim)
	}
	return z
}
