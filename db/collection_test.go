package db

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// describe renders a value's contents, to compare values taken at
// different times.
func describe(v Value) string {
	switch v := v.(type) {
	case *String:
		return "string:" + string(v.Bytes())
	case *List:
		return "list:" + strings.Join(listElems(v), ",")
	case *Hash:
		p := hashPairs(v)
		slices.Sort(p)
		return "hash:" + strings.Join(p, ",")
	case *Set:
		m := setMembers(v)
		slices.Sort(m)
		return "set:" + strings.Join(m, ",")
	case *ZSet:
		return "zset:" + strings.Join(zsetDump(v), ",")
	case nil:
		return "none"
	}
	return fmt.Sprintf("%T", v)
}

func describeKey(d *DB, key string) string {
	tx := d.Read([]byte(key))
	defer tx.Close()
	return describe(tx.Peek([]byte(key)))
}

// checkBytes checks that every shard's byte count is what its entries add
// up to now, and Stats agrees.
func checkBytes(t *testing.T, d *DB) {
	t.Helper()
	var total int64
	for i := range d.shards {
		s := &d.shards[i]
		s.mu.RLock()
		var n int64
		for _, e := range s.table.buckets {
			for ; e != nil; e = e.next {
				n += int64(len(e.key) + e.value.Size() + entryOverhead)
			}
		}
		if n != s.bytes {
			t.Errorf("shard %d: bytes %d, entries add up to %d", i, s.bytes, n)
		}
		total += s.bytes
		s.mu.RUnlock()
	}
	if st := d.Stats(); st.Bytes != total {
		t.Errorf("Stats.Bytes = %d, shards add up to %d", st.Bytes, total)
	}
}

func TestMutableCreatesAndDeletesEmptyKeys(t *testing.T) {
	s, _ := newTestStore(t, Options{})
	d := s.DB(0)
	k := []byte("k")

	tx := d.Write(k)
	if l, err := tx.MutableList(k, false); l != nil || err != nil {
		t.Errorf("MutableList of a missing key without create = %v, %v", l, err)
	}
	l, err := tx.MutableList(k, true)
	if l == nil || err != nil || !tx.Exists(k) {
		t.Fatalf("MutableList with create = %v, %v", l, err)
	}
	tx.Close()
	if st := d.Stats(); st.Keys != 0 || st.Bytes != 0 {
		t.Errorf("a list created and left empty stayed: %+v", st)
	}

	tx = d.Write(k)
	l, _ = tx.MutableList(k, true)
	l.PushBack([]byte("a"))
	l.PushBack([]byte("b"))
	if again, _ := tx.MutableList(k, true); again != l {
		t.Error("a second MutableList in one KeyLock returned another list")
	}
	tx.Close()
	if got := describeKey(d, "k"); got != "list:a,b" {
		t.Errorf("k = %s", got)
	}
	checkBytes(t, d)

	tx = d.Write(k)
	l, _ = tx.MutableList(k, false)
	l.PopFront()
	l.PopFront()
	if !tx.Exists(k) {
		t.Error("the emptied key went before Close")
	}
	tx.Close()
	if st := d.Stats(); st.Keys != 0 || st.Bytes != 0 {
		t.Errorf("a list emptied stayed: %+v", st)
	}

	// Hashes and sets alike.
	tx = d.Write(k)
	h, _ := tx.MutableHash(k, true)
	h.Set([]byte("f"), []byte("v"), tx.Limits())
	h.Delete([]byte("f"))
	tx.Close()
	tx = d.Write(k)
	st, _ := tx.MutableSet(k, true)
	st.Add([]byte("1"), tx.Limits())
	st.Remove([]byte("1"))
	tx.Close()
	if n := d.Len(); n != 0 {
		t.Errorf("emptied hash or set stayed: %d keys", n)
	}
}

func TestMutableWrongType(t *testing.T) {
	s, _ := newTestStore(t, Options{})
	d := s.DB(0)
	set(d, "str", "x", 0)
	tx := d.Write([]byte("str"), []byte("list"), []byte("missing"))
	defer tx.Close()
	l, _ := tx.MutableList([]byte("list"), true)
	l.PushBack([]byte("a"))
	for name, f := range map[string]func() error{
		"MutableList": func() error { _, err := tx.MutableList([]byte("str"), true); return err },
		"MutableHash": func() error { _, err := tx.MutableHash([]byte("list"), true); return err },
		"MutableSet":  func() error { _, err := tx.MutableSet([]byte("str"), false); return err },
		"ReadList":    func() error { _, err := tx.ReadList([]byte("str")); return err },
		"ReadHash":    func() error { _, err := tx.ReadHash([]byte("list")); return err },
		"ReadSet":     func() error { _, err := tx.ReadSet([]byte("list")); return err },
	} {
		if err := f(); !errors.Is(err, ErrWrongType) {
			t.Errorf("%s on the wrong type: %v", name, err)
		}
	}
	if got, err := tx.ReadList([]byte("list")); got != l || err != nil {
		t.Errorf("ReadList = %v, %v", got, err)
	}
	if got, err := tx.ReadSet([]byte("missing")); got != nil || err != nil {
		t.Errorf("ReadSet of a missing key = %v, %v", got, err)
	}
	if tx.Get([]byte("str")).(*String) == nil {
		t.Error("the string went")
	}
}

func TestTypesAndParseType(t *testing.T) {
	for _, tt := range []struct {
		v    Value
		name string
	}{{NewList(), "list"}, {NewHash(), "hash"}, {NewSet(), "set"}, {NewZSet(), "zset"}, {NewStream(), "stream"}, {str("x"), "string"}} {
		if got := tt.v.Type().String(); got != tt.name {
			t.Errorf("%T: Type %s", tt.v, got)
		}
		if typ, ok := ParseType(tt.name); !ok || typ != tt.v.Type() {
			t.Errorf("ParseType(%s) = %v, %v", tt.name, typ, ok)
		}
	}
	if typ, ok := ParseType("nosuchtype"); ok || typ != TypeNone {
		t.Errorf("ParseType(nosuchtype) = %v, %v", typ, ok)
	}
	s, _ := newTestStore(t, Options{})
	d := s.DB(0)
	set(d, "s", "x", 0)
	tx := d.Write([]byte("l"))
	l, _ := tx.MutableList([]byte("l"), true)
	l.PushBack([]byte("x"))
	tx.Close()
	_, keys := d.Scan(0, 100, ScanFilter{Type: TypeList})
	if !slices.Equal(keys, []string{"l"}) {
		t.Errorf("SCAN TYPE list = %q", keys)
	}
}

// TestMemoryStaysExact changes collections in every way, in many KeyLocks,
// and checks the shards' byte counts after each.
func TestMemoryStaysExact(t *testing.T) {
	s, _ := newTestStore(t, Options{Shards: 4})
	d := s.DB(0)
	r := rand.New(rand.NewPCG(9, 9))
	for round := range 400 {
		key := []byte("k" + strconv.Itoa(int(r.UintN(12))))
		tx := d.Write(key)
		elem := []byte(strings.Repeat("e", int(r.UintN(100))))
		lim := tx.Limits()
		switch v := tx.Peek(key).(type) {
		case nil:
			switch r.UintN(4) {
			case 0:
				l, _ := tx.MutableList(key, true)
				for range r.UintN(50) {
					l.PushBack(elem)
				}
			case 1:
				h, _ := tx.MutableHash(key, true)
				for i := range r.UintN(200) {
					h.Set([]byte(strconv.Itoa(int(i))), elem, lim)
				}
			case 2:
				st, _ := tx.MutableSet(key, true)
				for range r.UintN(600) {
					st.Add([]byte(strconv.Itoa(int(r.UintN(1000)))), lim)
				}
			case 3:
				tx.Set(key, NewString(elem), 0)
			}
		case *List:
			l, _ := tx.MutableList(key, false)
			for range r.UintN(60) {
				switch r.UintN(5) {
				case 0:
					l.PopFront()
				case 1:
					l.PushFront(elem)
				case 2:
					l.SetIndex(int(r.UintN(10)), elem)
				case 3:
					l.Trim(1, -2)
				case 4:
					l.Remove(elem, 0)
				}
			}
		case *Hash:
			h, _ := tx.MutableHash(key, false)
			for range r.UintN(100) {
				f := []byte(strconv.Itoa(int(r.UintN(300))))
				if r.UintN(2) == 0 {
					h.Delete(f)
				} else {
					h.Set(f, elem, lim)
				}
			}
		case *Set:
			st, _ := tx.MutableSet(key, false)
			for range r.UintN(100) {
				st.Pop(tx.Rand())
			}
		default:
			_ = v
			tx.Delete(key)
		}
		if r.UintN(10) == 0 {
			tx.Delete(key)
		}
		tx.Close()
		checkBytes(t, d)
		if t.Failed() {
			t.Fatalf("round %d", round)
		}
	}
	// Delete everything through the collections themselves.
	for i := range 12 {
		key := []byte("k" + strconv.Itoa(i))
		tx := d.Write(key)
		switch tx.Peek(key).(type) {
		case *List:
			l, _ := tx.MutableList(key, false)
			l.Trim(1, 0)
		case *Hash:
			h, _ := tx.MutableHash(key, false)
			for h.Len() > 0 {
				f, _ := h.At(0)
				h.Delete([]byte(f))
			}
		case *Set:
			st, _ := tx.MutableSet(key, false)
			for st.Len() > 0 {
				st.Pop(tx.Rand())
			}
		default:
			tx.Delete(key)
		}
		tx.Close()
	}
	if st := d.Stats(); st.Keys != 0 || st.Bytes != 0 {
		t.Errorf("after emptying everything: %+v", st)
	}
}

func TestWatchSeesChangesInPlace(t *testing.T) {
	s, _ := newTestStore(t, Options{})
	d := s.DB(0)
	k := []byte("k")
	change := func(f func(tx *KeyLock)) {
		tx := d.Write(k)
		f(&tx)
		tx.Close()
	}
	change(func(tx *KeyLock) {
		st, _ := tx.MutableSet(k, true)
		st.Add([]byte("a"), tx.Limits())
	})
	tests := []struct {
		name  string
		f     func(tx *KeyLock)
		dirty bool
	}{
		{"SADD of a member already there", func(tx *KeyLock) {
			st, _ := tx.MutableSet(k, false)
			st.Add([]byte("a"), tx.Limits())
		}, false},
		{"SREM of no member", func(tx *KeyLock) {
			st, _ := tx.MutableSet(k, false)
			st.Remove([]byte("zz"))
		}, false},
		{"reading", func(tx *KeyLock) { tx.ReadSet(k) }, false},
		{"SADD", func(tx *KeyLock) {
			st, _ := tx.MutableSet(k, false)
			st.Add([]byte("b"), tx.Limits())
		}, true},
		{"SPOP", func(tx *KeyLock) {
			st, _ := tx.MutableSet(k, false)
			st.Pop(tx.Rand())
		}, true},
		{"MarkModified", func(tx *KeyLock) { tx.MarkModified(k) }, true},
		{"Set", func(tx *KeyLock) { tx.Set(k, setOf(defaultLimits, "a"), 0) }, true},
	}
	// The same for a sorted set, under a key of its own.
	zk := []byte("zk")
	zchange := func(f func(z *ZSet, lim EncodingLimits)) func(tx *KeyLock) {
		return func(tx *KeyLock) {
			z, _ := tx.MutableZSet(zk, false)
			f(z, tx.Limits())
		}
	}
	{
		tx := d.Write(zk)
		z, _ := tx.MutableZSet(zk, true)
		z.Add([]byte("a"), 1, 0, tx.Limits())
		z.Add([]byte("b"), 2, 0, tx.Limits())
		tx.Close()
	}
	ztests := []struct {
		name  string
		f     func(tx *KeyLock)
		dirty bool
	}{
		{"ZADD of the same score", zchange(func(z *ZSet, lim EncodingLimits) { z.Add([]byte("a"), 1, 0, lim) }), false},
		{"ZADD NX of a member", zchange(func(z *ZSet, lim EncodingLimits) { z.Add([]byte("a"), 5, ZAddNX, lim) }), false},
		{"ZREM of no member", zchange(func(z *ZSet, _ EncodingLimits) { z.Remove([]byte("zz")) }), false},
		{"reading", func(tx *KeyLock) { tx.ReadZSet(zk) }, false},
		{"ZADD", zchange(func(z *ZSet, lim EncodingLimits) { z.Add([]byte("c"), 3, 0, lim) }), true},
		{"ZINCRBY", zchange(func(z *ZSet, lim EncodingLimits) { z.Add([]byte("a"), 1, ZAddIncr, lim) }), true},
		{"ZREMRANGEBYRANK", zchange(func(z *ZSet, _ EncodingLimits) { z.RemoveRangeByRank(0, 0) }), true},
	}
	for _, tt := range ztests {
		w := &Watch{}
		d.Watch(w, zk)
		change := func(f func(tx *KeyLock)) {
			tx := d.Write(zk)
			f(&tx)
			tx.Close()
		}
		change(tt.f)
		if w.Valid() == tt.dirty {
			t.Errorf("%s: Valid = %v", tt.name, w.Valid())
		}
		w.Unwatch()
	}
	{
		tx := d.Write(zk)
		if v, _ := tx.ReadZSet(zk); v == nil || v.Len() != 2 {
			t.Fatalf("zset left with %v", v)
		}
		z, _ := tx.MutableZSet(zk, false)
		z.RemoveRangeByRank(0, 1)
		tx.Close()
		if tx := d.Read(zk); tx.Exists(zk) {
			t.Error("an emptied zset was not deleted")
			tx.Close()
		} else {
			tx.Close()
		}
	}
	for _, tt := range tests {
		w := &Watch{}
		d.Watch(w, k)
		change(tt.f)
		if w.Valid() == tt.dirty {
			t.Errorf("%s: Valid = %v", tt.name, w.Valid())
		}
		w.Unwatch()
	}

	// Emptying a key, and creating one left empty.
	w := &Watch{}
	d.Watch(w, k)
	change(func(tx *KeyLock) {
		st, _ := tx.MutableSet(k, false)
		for st.Len() > 0 {
			st.Pop(tx.Rand())
		}
	})
	if w.Valid() || d.Len() != 0 {
		t.Errorf("emptying the set: Valid = %v, %d keys", w.Valid(), d.Len())
	}
	w.Unwatch()
	d.Watch(w, k)
	change(func(tx *KeyLock) { tx.MutableList(k, true) })
	if !w.Valid() {
		t.Error("a list created and left empty dirtied the watch")
	}
	change(func(tx *KeyLock) {
		l, _ := tx.MutableList(k, true)
		l.PushBack([]byte("x"))
	})
	if w.Valid() {
		t.Error("LPUSH creating the key did not dirty the watch")
	}
}

// fillCollections stores n keys of each collection type, in several shards.
func fillCollections(d *DB, n int) {
	for i := range n {
		is := strconv.Itoa(i)
		tx := d.Write([]byte("l"+is), []byte("h"+is), []byte("s"+is), []byte("z"+is))
		l, _ := tx.MutableList([]byte("l"+is), true)
		h, _ := tx.MutableHash([]byte("h"+is), true)
		st, _ := tx.MutableSet([]byte("s"+is), true)
		z, _ := tx.MutableZSet([]byte("z"+is), true)
		for j := range 5 + i%7 {
			js := strconv.Itoa(j)
			l.PushBack([]byte("e" + js))
			h.Set([]byte("f"+js), []byte("v"+js), tx.Limits())
			st.Add([]byte(js), tx.Limits())
			z.Add([]byte("m"+js), float64(j%3), 0, tx.Limits())
		}
		tx.Close()
	}
}

// mutateAll changes every collection fillCollections made, in every way.
func mutateAll(t *testing.T, d *DB, n int, round int) {
	for i := range n {
		is := strconv.Itoa(i)
		tx := d.Write([]byte("l"+is), []byte("h"+is), []byte("s"+is), []byte("z"+is))
		lim := tx.Limits()
		lim.SetMaxIntsetEntries = 3 // converts some sets on the way
		lim.ZSetMaxListpackEntries = 8
		if l, _ := tx.MutableList([]byte("l"+is), false); l != nil {
			l.PushFront([]byte("new"))
			l.PopBack()
			l.SetIndex(1, []byte("set"+strconv.Itoa(round)))
			l.Insert(2, []byte("ins"))
			l.Remove([]byte("e2"), 0)
		}
		if h, _ := tx.MutableHash([]byte("h"+is), false); h != nil {
			h.Set([]byte("f0"), []byte("changed"), lim)
			h.Delete([]byte("f1"))
			h.Set([]byte("new"+strconv.Itoa(round)), []byte(strings.Repeat("x", 70)), lim)
		}
		if st, _ := tx.MutableSet([]byte("s"+is), false); st != nil {
			st.Remove([]byte("0"))
			st.Add([]byte(strconv.Itoa(100+round)), lim)
			if round%3 == 0 {
				st.Add([]byte("word"), lim)
			}
		}
		if z, _ := tx.MutableZSet([]byte("z"+is), false); z != nil {
			z.Remove([]byte("m0"))
			z.Add([]byte("m1"), float64(round), 0, lim)
			z.Add([]byte("r"+strconv.Itoa(round)), -float64(round), 0, lim)
			z.RemoveRangeByRank(2, 2)
		}
		tx.Close()
	}
}

func describeAll(d *DB) map[string]string {
	out := map[string]string{}
	for _, k := range d.Keys(nil) {
		out[k] = describeKey(d, k)
	}
	return out
}

func describeSnapshot(entries [][]SnapshotEntry) map[string]string {
	out := map[string]string{}
	for _, e := range entries[0] {
		out[e.Key] = describe(e.Value)
	}
	return out
}

// TestSnapshotSeesCollectionsAsTheyWere changes collections in place while
// a snapshot is open: in shards a string write copied first, in shards the
// change itself copies, and then with the snapshot closed.
func TestSnapshotSeesCollectionsAsTheyWere(t *testing.T) {
	s, _ := newTestStore(t, Options{Shards: 8})
	d := s.DB(0)
	const n = 40
	fillCollections(d, n)
	want := describeAll(d)

	sn := s.BeginSnapshot()
	// Copy half the shards with string writes before any collection
	// changes; the changes copy the rest.
	for i := range 4 {
		for j := 0; ; j++ {
			k := []byte("str" + strconv.Itoa(j))
			if d.shardIndex(d.hash(k)) == i {
				set(d, string(k), "x", 0)
				break
			}
		}
	}
	// Remember which value each key had, to see the clone is made once.
	before := map[string]Value{}
	for _, k := range d.Keys(nil) {
		tx := d.Read([]byte(k))
		before[k] = tx.Peek([]byte(k))
		tx.Close()
	}
	for round := range 10 {
		mutateAll(t, d, n, round)
	}
	for _, k := range d.Keys(nil) {
		tx := d.Read([]byte(k))
		v := tx.Peek([]byte(k))
		tx.Close()
		if _, ok := v.(collection); ok && v == before[k] {
			t.Errorf("key %s was changed in place under the open snapshot", k)
		}
	}
	after := describeAll(d)
	got := describeSnapshot(sn.Collect())
	for k, w := range want {
		if got[k] != w {
			t.Errorf("snapshot key %s = %s, want %s", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("snapshot has %d keys, want %d", len(got), len(want))
	}
	if a := describeAll(d); !mapsEqual(a, after) {
		t.Error("collecting changed the keyspace")
	}
	checkBytes(t, d)

	// With no snapshot open, changes are made in place.
	tx := d.Write([]byte("l0"))
	l1, _ := tx.MutableList([]byte("l0"), false)
	tx.Close()
	mutateAll(t, d, n, 99)
	tx = d.Write([]byte("l0"))
	l2, _ := tx.MutableList([]byte("l0"), false)
	tx.Close()
	if l1 != l2 {
		t.Error("a list was copied with no snapshot open")
	}

	// A second snapshot clones again, once.
	want = describeAll(d)
	sn = s.BeginSnapshot()
	mutateAll(t, d, n, 100)
	tx = d.Write([]byte("l0"))
	l3, _ := tx.MutableList([]byte("l0"), false)
	tx.Close()
	mutateAll(t, d, n, 101)
	tx = d.Write([]byte("l0"))
	l4, _ := tx.MutableList([]byte("l0"), false)
	tx.Close()
	if l3 == l2 || l3 != l4 {
		t.Error("the second snapshot's clone was not made exactly once")
	}
	if got := describeSnapshot(sn.Collect()); !mapsEqual(got, want) {
		t.Error("the second snapshot differs from the keyspace at its start")
	}
	checkBytes(t, d)
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestSnapshotRangeReadsLiveShardsSafely changes, from Range's callback,
// the very collections the callback was handed from a shard no writer had
// copied: the callback must keep seeing them as they were.
func TestSnapshotRangeReadsLiveShardsSafely(t *testing.T) {
	s, _ := newTestStore(t, Options{Shards: 4})
	d := s.DB(0)
	fillCollections(d, 20)
	want := describeAll(d)
	sn := s.BeginSnapshot()
	seen := 0
	err := sn.Range(func(_ int, entries []SnapshotEntry) error {
		for _, e := range entries {
			tx := d.Write([]byte(e.Key))
			switch e.Value.(type) {
			case *List:
				l, _ := tx.MutableList([]byte(e.Key), false)
				l.Trim(0, 0)
				l.PushBack([]byte("changed"))
			case *Hash:
				h, _ := tx.MutableHash([]byte(e.Key), false)
				h.Delete([]byte("f0"))
			case *Set:
				st, _ := tx.MutableSet([]byte(e.Key), false)
				st.Pop(tx.Rand())
			}
			tx.Close()
		}
		for _, e := range entries {
			if got := describe(e.Value); got != want[e.Key] {
				t.Errorf("key %s in Range = %s, want %s", e.Key, got, want[e.Key])
			}
			seen++
		}
		return nil
	})
	if err != nil || seen != len(want) {
		t.Errorf("Range: %v, %d keys of %d", err, seen, len(want))
	}
	if describeKey(d, "l0") != "list:e0,changed" {
		t.Errorf("l0 = %s", describeKey(d, "l0"))
	}
	checkBytes(t, d)
}

// TestSnapshotOfCollectionsUnderConcurrentWrites is for -race: writers
// change collections while a snapshot is read.
func TestSnapshotOfCollectionsUnderConcurrentWrites(t *testing.T) {
	s, _ := newTestStore(t, Options{Shards: 4})
	d := s.DB(0)
	const n = 30
	fillCollections(d, n)
	want := describeAll(d)
	sn := s.BeginSnapshot()
	var wg sync.WaitGroup
	done := make(chan struct{})
	started := make(chan struct{}, 2)
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; ; round++ {
				mutateAll(t, d, n, w*1000+round%1000)
				if round == 0 {
					started <- struct{}{}
				}
				select {
				case <-done:
					return
				default:
				}
			}
		}()
	}
	// Range while the writers are at it, after each has changed every key
	// once, so both copied shards and live ones are read beside them.
	<-started
	<-started
	got := map[string]string{}
	sn.Range(func(_ int, entries []SnapshotEntry) error {
		for _, e := range entries {
			got[e.Key] = describe(e.Value)
			runtime.Gosched()
		}
		return nil
	})
	close(done)
	wg.Wait()
	if !mapsEqual(got, want) {
		t.Error("the snapshot differs from the keyspace at its start")
	}
	checkBytes(t, d)
}

func TestCopyAndMoveCollections(t *testing.T) {
	s, _ := newTestStore(t, Options{})
	d0, d1 := s.DB(0), s.DB(1)
	fillCollections(d0, 1)
	for _, k := range []string{"l0", "h0", "s0"} {
		if found, copied := Copy(d0, []byte(k), d1, []byte(k), false); !found || !copied {
			t.Fatalf("Copy %s: %v %v", k, found, copied)
		}
	}
	want := describeAll(d0)
	mutateAll(t, d1, 1, 3)
	if got := describeAll(d0); !mapsEqual(got, want) {
		t.Error("changing copies changed the originals")
	}
	tx := d1.Read([]byte("h0"))
	if enc := tx.Peek([]byte("h0")).Encoding(); enc != "hashtable" {
		t.Errorf("h0 copy's encoding %s after a long value", enc)
	}
	tx.Close()
	checkBytes(t, d0)
	checkBytes(t, d1)
	if !Move(d0, s.DB(2), []byte("l0")) || describeKey(s.DB(2), "l0") != want["l0"] {
		t.Error("Move of a list")
	}
	checkBytes(t, d0)
	checkBytes(t, s.DB(2))
}

func TestEncodingLimitsAreSettable(t *testing.T) {
	lim := EncodingLimits{HashMaxListpackEntries: 1, HashMaxListpackValue: 64, SetMaxIntsetEntries: 1, ListMaxListpackSize: -2}
	s, _ := newTestStore(t, Options{EncodingLimits: &lim})
	d := s.DB(0)
	tx := d.Write([]byte("h"))
	if tx.Limits() != lim {
		t.Errorf("Limits = %+v, want %+v", tx.Limits(), lim)
	}
	h, _ := tx.MutableHash([]byte("h"), true)
	h.Set([]byte("a"), nil, tx.Limits())
	h.Set([]byte("b"), nil, tx.Limits())
	tx.Close()
	if h.Encoding() != "hashtable" {
		t.Errorf("two fields over a limit of one: %s", h.Encoding())
	}
	s.SetEncodingLimits(DefaultEncodingLimits())
	tx = d.Write([]byte("s"))
	st, _ := tx.MutableSet([]byte("s"), true)
	st.Add([]byte("1"), tx.Limits())
	st.Add([]byte("2"), tx.Limits())
	tx.Close()
	if st.Encoding() != "intset" || s.EncodingLimits() != DefaultEncodingLimits() {
		t.Errorf("after SetEncodingLimits: %s", st.Encoding())
	}
	if s2 := New(Options{}); s2.EncodingLimits() != DefaultEncodingLimits() {
		t.Errorf("default limits %+v", s2.EncodingLimits())
	}
}

// TestCowCopiesKeepSizeAndContents: the copy a snapshot forces must count
// the same bytes as the original, or Close would miscount the key.
func TestCowCopiesKeepSizeAndContents(t *testing.T) {
	l := listOf("a", "b", "c")
	l.PopFront()
	h := NewHash()
	fill(h, 3, defaultLimits)
	big := NewHash()
	fill(big, 600, defaultLimits)
	for _, c := range []collection{l, h, big, setOf(defaultLimits, "1", "2"), setOf(defaultLimits, "a")} {
		cp := c.cow()
		if cp.Size() != c.Size() || describe(cp) != describe(c) || cp.Encoding() != c.Encoding() {
			t.Errorf("%s: copy %s of size %d, original size %d", describe(c), describe(cp), cp.Size(), c.Size())
		}
	}
}

func benchmarkKeyLockPush(b *testing.B, n int, snapshot bool) {
	s, _ := newTestStore(b, Options{})
	d := s.DB(0)
	k := []byte("list")
	tx := d.Write(k)
	l, _ := tx.MutableList(k, true)
	for range n {
		l.PushBack([]byte("element"))
	}
	tx.Close()
	elem := []byte("x")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		var sn *Snapshot
		if snapshot {
			sn = s.BeginSnapshot()
		}
		tx := d.Write(k)
		l, _ := tx.MutableList(k, false)
		l.PushFront(elem)
		l.PopFront()
		tx.Close()
		if sn != nil {
			sn.Abort()
		}
	}
}

// LPUSH and LPOP through the KeyLock, with no snapshot open: O(1).
func BenchmarkKeyLockListPushPop100000(b *testing.B) { benchmarkKeyLockPush(b, 100_000, false) }

// The same, each time under a new snapshot: the copy of the list's
// skeleton the first change after a snapshot pays.
func BenchmarkKeyLockListPushPopUnderSnapshot100000(b *testing.B) {
	benchmarkKeyLockPush(b, 100_000, true)
}

func TestSetOfCollectionIsSettled(t *testing.T) {
	s, _ := newTestStore(t, Options{})
	d := s.DB(0)
	k := []byte("k")
	tx := d.Write(k)
	tx.Set(k, NewList(), 0)
	tx.Close()
	if d.Len() != 0 {
		t.Error("an empty list stored with Set stayed")
	}
	tx = d.Write(k)
	l := listOf("a")
	tx.Set(k, l, 0)
	l.PushBack([]byte(strings.Repeat("b", 1000)))
	tx.Close()
	checkBytes(t, d)
	if describeKey(d, "k") != "list:a,"+strings.Repeat("b", 1000) {
		t.Errorf("k = %s", describeKey(d, "k"))
	}
}

// BenchmarkKeyLockRows is the keyspace's share of redis-benchmark's rows on
// one key, as the server's commands run them: SET of a key that exists,
// and SADD, HSET and ZADD of the one member (or field) already there, each
// through a write KeyLock of its own, and SPOP of a key that does not
// exist. SET and HSET allocate their new value, as Redis does; the others
// allocate nothing.
func BenchmarkKeyLockRows(b *testing.B) {
	for _, row := range []string{"SET", "SADD", "HSET", "ZADD", "SPOP/missing"} {
		b.Run(row, func(b *testing.B) {
			s, _ := newTestStore(b, Options{})
			d := s.DB(0)
			a := keyLockRowArgs{key: []byte("k:" + row), member: []byte("element:__rand_int__"), value: []byte("xxx")}
			keyLockRow(b, d, row, &a) // the key and its member now exist
			b.ReportAllocs()
			for b.Loop() {
				keyLockRow(b, d, row, &a)
			}
		})
	}
}

// keyLockRowArgs are a request's arguments, made once.
type keyLockRowArgs struct{ key, member, value []byte }

// keyLockRow runs one request of BenchmarkKeyLockRows's row. The KeyLock
// stays a local of one function, as in the server's commands, so that it
// stays on the stack.
func keyLockRow(b *testing.B, d *DB, row string, a *keyLockRowArgs) {
	key, member, value := a.key, a.member, a.value
	switch row {
	case "SET":
		tx := d.Write(key)
		defer tx.Close()
		tx.SetString(key, value, 0)
	case "SADD":
		tx := d.Write(key)
		defer tx.Close()
		s, _ := tx.MutableSet(key, true)
		s.Add(member, tx.Limits())
	case "HSET":
		tx := d.Write(key)
		defer tx.Close()
		h, _ := tx.MutableHash(key, true)
		h.Set(member, value, tx.Limits())
	case "ZADD":
		tx := d.Write(key)
		defer tx.Close()
		z, _ := tx.MutableZSet(key, true)
		z.Add(member, 0, 0, tx.Limits())
	case "SPOP/missing":
		tx := d.Write(key)
		// SPOP's key never exists; the first call made no set.
		defer tx.Close()
		if s, _ := tx.MutableSet(key, false); s != nil {
			b.Fatal("a set where none should be")
		}
	}
}
