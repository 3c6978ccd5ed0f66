package db

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"
)

func newTestStore(t testing.TB, opts Options) (*Store, *ManualClock) {
	t.Helper()
	clock := NewManualClock(time.UnixMilli(1_700_000_000_000))
	if opts.Clock == nil {
		opts.Clock = clock
	}
	if opts.Rand == nil {
		opts.Rand = rand.New(rand.NewPCG(1, 2))
	}
	return New(opts), clock
}

func str(s string) *String { return NewString([]byte(s)) }

// set and get are one-key KeyLock shortcuts for tests.
func set(d *DB, key, value string, expireAt int64) {
	tx := d.Write([]byte(key))
	tx.Set([]byte(key), str(value), expireAt)
	tx.Close()
}

func get(d *DB, key string) (string, bool) {
	tx := d.Read([]byte(key))
	defer tx.Close()
	v := tx.Get([]byte(key))
	if v == nil {
		return "", false
	}
	return string(v.(*String).Bytes()), true
}

func TestTxSetGetDelete(t *testing.T) {
	s, _ := newTestStore(t, Options{})
	d := s.DB(0)
	if _, ok := get(d, "k"); ok {
		t.Fatal("empty DB has k")
	}
	set(d, "k", "v", 0)
	if v, ok := get(d, "k"); !ok || v != "v" {
		t.Fatalf("get = %q, %v", v, ok)
	}
	tx := d.Write([]byte("k"), []byte("x"))
	if !tx.Delete([]byte("k")) || tx.Delete([]byte("x")) {
		t.Error("Delete reported wrong existence")
	}
	tx.Close()
	if n := d.Len(); n != 0 {
		t.Errorf("Len = %d after delete", n)
	}
}

func TestDatabasesAreSeparate(t *testing.T) {
	s, _ := newTestStore(t, Options{})
	if s.Databases() != 16 || s.DB(16) != nil || s.DB(-1) != nil {
		t.Fatalf("want 16 databases, got %d", s.Databases())
	}
	set(s.DB(0), "k", "zero", 0)
	set(s.DB(1), "k", "one", 0)
	if v, _ := get(s.DB(0), "k"); v != "zero" {
		t.Errorf("db 0: %q", v)
	}
	if v, _ := get(s.DB(1), "k"); v != "one" {
		t.Errorf("db 1: %q", v)
	}
}

func TestLazyExpiry(t *testing.T) {
	s, clock := newTestStore(t, Options{})
	d := s.DB(0)
	deadline := clock.Now().Add(100 * time.Millisecond).UnixMilli()
	set(d, "k", "v", deadline)
	clock.Advance(99 * time.Millisecond)
	if _, ok := get(d, "k"); !ok {
		t.Fatal("k expired early")
	}
	clock.Advance(time.Millisecond)
	if _, ok := get(d, "k"); ok {
		t.Fatal("k outlived its deadline")
	}
	// The read removed the expired entry when it ended, as Redis's
	// lookups do: DBSIZE no longer counts it.
	if n := d.Len(); n != 0 {
		t.Errorf("Len = %d after a read met the expired key", n)
	}
	if n := s.ExpiredKeys(); n != 1 {
		t.Errorf("ExpiredKeys = %d, want 1", n)
	}
	set(d, "k", "v", clock.Now().UnixMilli())
	tx := d.Write([]byte("k"))
	if tx.Exists([]byte("k")) {
		t.Error("write KeyLock sees an expired key")
	}
	tx.Close()
	if n := d.Len(); n != 0 {
		t.Errorf("Len = %d after a write KeyLock met the expired key", n)
	}
	if n := s.ExpiredKeys(); n != 2 {
		t.Errorf("ExpiredKeys = %d, want 2", n)
	}
}

func TestSetValueKeepsDeadlineAndSetReplacesIt(t *testing.T) {
	s, clock := newTestStore(t, Options{})
	d := s.DB(0)
	at := clock.Now().Add(time.Minute).UnixMilli()
	set(d, "k", "v", at)
	tx := d.Write([]byte("k"))
	tx.SetValue([]byte("k"), str("w"))
	got, _ := tx.ExpireAt([]byte("k"))
	tx.Set([]byte("k"), str("x"), 0)
	after, _ := tx.ExpireAt([]byte("k"))
	tx.Close()
	if got != at || after != 0 {
		t.Errorf("SetValue kept %d (want %d); Set left %d (want 0)", got, at, after)
	}
	if st := d.Stats(); st.Expiring != 0 {
		t.Errorf("Expiring = %d after the deadline was removed", st.Expiring)
	}
}

func TestActiveExpiry(t *testing.T) {
	var expired []string
	var mu sync.Mutex
	s, clock := newTestStore(t, Options{Shards: 4, OnExpired: func(d *DB, key string) {
		mu.Lock()
		expired = append(expired, fmt.Sprintf("%d:%s", d.Index(), key))
		mu.Unlock()
	}})
	d := s.DB(0)
	soon := clock.Now().Add(time.Second).UnixMilli()
	later := clock.Now().Add(time.Hour).UnixMilli()
	for i := 0; i < 1000; i++ {
		at := soon
		if i%10 == 0 {
			at = later
		}
		set(d, "k"+strconv.Itoa(i), "v", at)
	}
	set(d, "forever", "v", 0)
	set(s.DB(3), "other", "v", soon)
	if n := s.ExpireCycle(ExpireLimits{}); n != 0 {
		t.Fatalf("removed %d keys before any deadline", n)
	}
	clock.Advance(2 * time.Second)
	total := 0
	for i := 0; i < 100 && (d.Len() > 101 || s.DB(3).Len() > 0); i++ {
		total += s.ExpireCycle(ExpireLimits{SamplePerShard: 20, MaxExamined: 400})
	}
	if d.Len() != 101 || s.DB(3).Len() != 0 {
		t.Fatalf("after the sweep: db0 has %d keys (want 101), db3 %d (want 0)", d.Len(), s.DB(3).Len())
	}
	if total != 901 || len(expired) != 901 || s.ExpiredKeys() != 901 {
		t.Errorf("removed %d, hook saw %d, ExpiredKeys %d; want 901", total, len(expired), s.ExpiredKeys())
	}
	if !slices.Contains(expired, "3:other") {
		t.Error("the hook did not name db 3's key")
	}
}

func TestExpireCycleIsBounded(t *testing.T) {
	s, clock := newTestStore(t, Options{Shards: 1})
	d := s.DB(0)
	for i := 0; i < 1000; i++ {
		set(d, strconv.Itoa(i), "v", clock.Now().Add(time.Second).UnixMilli())
	}
	clock.Advance(time.Minute)
	if n := s.ExpireCycle(ExpireLimits{SamplePerShard: 20, MaxExamined: 100}); n != 100 {
		t.Errorf("a cycle limited to 100 keys removed %d", n)
	}
	stops := 0
	n := s.ExpireCycle(ExpireLimits{SamplePerShard: 20, Stop: func() bool { stops++; return stops > 2 }})
	if n != 40 {
		t.Errorf("a cycle stopped after two passes removed %d, want 40", n)
	}
}

// The table grows and shrinks and keeps every key.
func TestTableResize(t *testing.T) {
	seed := New(Options{}).seed
	tb := table{seed: seed}
	d := &DB{seed: seed}
	var es []*entry
	for i := 0; i < 10000; i++ {
		k := []byte(strconv.Itoa(i))
		e := &entry{key: string(k), expIndex: -1}
		tb.insert(e, d.hash(k))
		es = append(es, e)
	}
	if len(tb.buckets) < 10000/1 || tb.count != 10000 {
		t.Fatalf("table of %d buckets for %d keys", len(tb.buckets), tb.count)
	}
	for i, e := range es {
		if i%100 != 0 {
			tb.remove(e)
		}
	}
	if tb.count != 100 || len(tb.buckets) > 1024 {
		t.Errorf("after removals: %d keys in %d buckets; want 100 keys, table shrunk", tb.count, len(tb.buckets))
	}
	for i := 0; i < 10000; i += 100 {
		k := []byte(strconv.Itoa(i))
		if tb.find(k, d.hash(k)) == nil {
			t.Fatalf("lost key %s", k)
		}
	}
}

func scanAll(d *DB, count int, between func(step int)) map[string]int {
	seen := map[string]int{}
	cursor := uint64(0)
	for step := 0; ; step++ {
		next, keys := d.Scan(cursor, count, ScanFilter{AnyType: true})
		for _, k := range keys {
			seen[k]++
		}
		if next == 0 {
			return seen
		}
		cursor = next
		if between != nil {
			between(step)
		}
	}
}

func TestScanReturnsEveryKeyOnce(t *testing.T) {
	s, _ := newTestStore(t, Options{Shards: 8})
	d := s.DB(0)
	for i := 0; i < 5000; i++ {
		set(d, "key:"+strconv.Itoa(i), "v", 0)
	}
	seen := scanAll(d, 10, nil)
	if len(seen) != 5000 {
		t.Fatalf("scan returned %d distinct keys, want 5000", len(seen))
	}
	for k, n := range seen {
		if n != 1 {
			t.Fatalf("key %s returned %d times without concurrent changes", k, n)
		}
	}
}

// Redis's guarantee: keys present for the whole scan are returned, however
// the tables grow and shrink in between.
func TestScanSurvivesResizes(t *testing.T) {
	s, _ := newTestStore(t, Options{Shards: 4})
	d := s.DB(0)
	for i := 0; i < 2000; i++ {
		set(d, "stable:"+strconv.Itoa(i), "v", 0)
	}
	seen := scanAll(d, 7, func(step int) {
		switch {
		case step%3 == 0: // grow: add a burst of keys
			for j := 0; j < 200; j++ {
				set(d, fmt.Sprintf("churn:%d:%d", step, j), "v", 0)
			}
		case step%3 == 1: // shrink: delete them again
			tx := d.Write()
			tx.Close()
			for j := 0; j < 200; j++ {
				k := []byte(fmt.Sprintf("churn:%d:%d", step-1, j))
				tx := d.Write(k)
				tx.Delete(k)
				tx.Close()
			}
		}
	})
	for i := 0; i < 2000; i++ {
		if seen["stable:"+strconv.Itoa(i)] == 0 {
			t.Fatalf("stable key %d was never returned", i)
		}
	}
}

func TestScanFilters(t *testing.T) {
	s, clock := newTestStore(t, Options{Shards: 2})
	d := s.DB(0)
	set(d, "user:1", "a", 0)
	set(d, "user:2", "b", 0)
	set(d, "item:1", "c", 0)
	set(d, "user:3", "gone", clock.Now().UnixMilli()+1)
	clock.Advance(time.Second)
	var got []string
	var live, expired int
	lookup := func(isLive bool) {
		if isLive {
			live++
		} else {
			expired++
		}
	}
	cursor := uint64(0)
	for {
		next, keys := d.Scan(cursor, 100, ScanFilter{
			Match: func(k string) bool { return k[:5] == "user:" }, Type: TypeString, Lookup: lookup,
		})
		got = append(got, keys...)
		if cursor = next; cursor == 0 {
			break
		}
	}
	sort.Strings(got)
	if !slices.Equal(got, []string{"user:1", "user:2"}) {
		t.Errorf("filtered scan = %q", got)
	}
	// The type filter looks up every key the pattern lets through.
	if live != 2 || expired != 1 {
		t.Errorf("type filter looked up %d live and %d expired keys; want 2 and 1", live, expired)
	}
	if _, keys := d.Scan(0, 100, ScanFilter{Type: TypeNone}); len(keys) != 0 {
		t.Errorf("scan for a type no key has returned %q", keys)
	}
}

func TestKeys(t *testing.T) {
	s, clock := newTestStore(t, Options{})
	d := s.DB(0)
	set(d, "a1", "v", 0)
	set(d, "a2", "v", 0)
	set(d, "b1", "v", 0)
	set(d, "a3", "v", clock.Now().UnixMilli()+10)
	clock.Advance(time.Second)
	got := d.Keys(func(k string) bool { return k[0] == 'a' })
	sort.Strings(got)
	if !slices.Equal(got, []string{"a1", "a2"}) {
		t.Errorf("Keys = %q", got)
	}
}

func TestRandomKey(t *testing.T) {
	s, clock := newTestStore(t, Options{})
	d := s.DB(0)
	if _, ok := d.RandomKey(); ok {
		t.Fatal("RandomKey on an empty DB")
	}
	for i := 0; i < 50; i++ {
		set(d, "dead"+strconv.Itoa(i), "v", clock.Now().UnixMilli()+1)
	}
	set(d, "alive", "v", 0)
	clock.Advance(time.Second)
	for i := 0; i < 10; i++ {
		if k, ok := d.RandomKey(); !ok || k != "alive" {
			t.Fatalf("RandomKey = %q, %v; want the only live key", k, ok)
		}
	}
	seen := map[string]bool{}
	for i := 0; i < 20; i++ {
		set(d, "k"+strconv.Itoa(i), "v", 0)
	}
	for i := 0; i < 2000; i++ {
		k, _ := d.RandomKey()
		seen[k] = true
	}
	if len(seen) != 21 {
		t.Errorf("2000 draws saw %d of 21 keys", len(seen))
	}
}

func TestFlushAndSwap(t *testing.T) {
	s, _ := newTestStore(t, Options{})
	set(s.DB(0), "a", "zero", 0)
	set(s.DB(1), "b", "one", 0)
	s.Swap(0, 1)
	if _, ok := get(s.DB(0), "b"); !ok {
		t.Error("after SWAPDB db 0 lacks db 1's key")
	}
	if s.DB(0).Index() != 0 || s.DB(1).Index() != 1 {
		t.Errorf("indexes after swap: %d, %d", s.DB(0).Index(), s.DB(1).Index())
	}
	s.DB(0).Flush()
	if s.DB(0).Len() != 0 || s.DB(1).Len() != 1 {
		t.Error("FLUSHDB emptied the wrong database")
	}
	s.FlushAll()
	if s.DB(1).Len() != 0 || s.DB(1).Stats().Bytes != 0 {
		t.Error("FLUSHALL left keys or bytes")
	}
}

func TestMoveAndCopy(t *testing.T) {
	s, clock := newTestStore(t, Options{})
	src, dst := s.DB(0), s.DB(5)
	at := clock.Now().Add(time.Hour).UnixMilli()
	set(src, "k", "v", at)
	if found, copied := Copy(src, []byte("k"), src, []byte("k2"), false); !found || !copied {
		t.Fatalf("Copy within a DB: found %v, copied %v", found, copied)
	}
	if found, copied := Copy(src, []byte("k"), src, []byte("k2"), false); !found || copied {
		t.Errorf("Copy onto an existing key without REPLACE: found %v, copied %v", found, copied)
	}
	if found, copied := Copy(src, []byte("k"), dst, []byte("k"), false); !found || !copied {
		t.Errorf("Copy across DBs: found %v, copied %v", found, copied)
	}
	if found, copied := Copy(src, []byte("missing"), dst, []byte("k3"), true); found || copied {
		t.Errorf("Copy of a missing key: found %v, copied %v", found, copied)
	}
	tx := dst.Read([]byte("k"))
	gotAt, _ := tx.ExpireAt([]byte("k"))
	tx.Close()
	if gotAt != at {
		t.Errorf("copy deadline %d, want %d", gotAt, at)
	}
	if Move(src, dst, []byte("k")) {
		t.Error("Move onto an existing key succeeded")
	}
	if !Move(src, dst, []byte("k2")) || src.Len() != 1 || dst.Len() != 2 {
		t.Errorf("Move: src %d keys, dst %d keys", src.Len(), dst.Len())
	}
	// Copies do not share bytes: appending to one leaves the other alone.
	tx = src.Write([]byte("k"))
	tx.SetValue([]byte("k"), tx.Get([]byte("k")).(*String).Append([]byte("!")))
	tx.Close()
	if v, _ := get(dst, "k"); v != "v" {
		t.Errorf("the copy changed with the original: %q", v)
	}
}

func TestAddQuietly(t *testing.T) {
	s, _ := newTestStore(t, Options{})
	d := s.DB(0)
	set(d, "x", "1", 0)
	var w Watch
	d.Watch(&w, []byte("x"), []byte("new"))
	tx := d.Write([]byte("x"), []byte("new"))
	added := tx.AddQuietly([]byte("new"), NewString([]byte("v")))
	replaced := tx.AddQuietly([]byte("x"), NewString([]byte("2")))
	tx.Close()
	if !added || replaced {
		t.Errorf("AddQuietly reported %v for a new key, %v for an existing one", added, replaced)
	}
	if v, ok := get(d, "new"); !ok || v != "v" {
		t.Errorf("new = %q, %v after AddQuietly", v, ok)
	}
	if v, _ := get(d, "x"); v != "1" {
		t.Errorf("AddQuietly replaced an existing key: %q", v)
	}
	if !w.Valid() {
		t.Error("AddQuietly dirtied a watch")
	}
}

func TestWatch(t *testing.T) {
	s, clock := newTestStore(t, Options{})
	d := s.DB(0)
	set(d, "x", "1", 0)

	var w Watch
	d.Watch(&w, []byte("x"), []byte("missing"))
	if !w.Valid() {
		t.Fatal("fresh watch invalid")
	}
	set(d, "other", "v", 0)
	if !w.Valid() {
		t.Error("writing an unwatched key dirtied the watch")
	}
	set(d, "x", "2", 0)
	if w.Valid() {
		t.Error("writing a watched key left the watch valid")
	}
	w.Unwatch()
	if w.Watching() || !w.Valid() {
		t.Error("Unwatch did not reset the watch")
	}
	set(d, "x", "3", 0) // no longer watched: must not panic or dirty
	if !w.Valid() {
		t.Error("a write after UNWATCH dirtied the watch")
	}

	// A watched key that expires invalidates the watch, even before anyone
	// removes it.
	set(d, "t", "v", clock.Now().UnixMilli()+100)
	d.Watch(&w, []byte("t"))
	clock.Advance(time.Second)
	if w.Valid() {
		t.Error("an expired watched key left the watch valid")
	}
	w.Unwatch()

	// A key already expired when watched: its removal changes nothing.
	d.Watch(&w, []byte("t"))
	s.ExpireCycle(ExpireLimits{})
	if !w.Valid() {
		t.Error("removing a key that was already expired at WATCH dirtied the watch")
	}
	w.Unwatch()

	// FLUSHDB dirties watches of keys that existed, not of missing ones.
	var w2 Watch
	d.Watch(&w, []byte("x"))
	d.Watch(&w2, []byte("never"))
	d.Flush()
	if w.Valid() || !w2.Valid() {
		t.Errorf("after FLUSHDB: watch of existing key valid=%v, of missing key valid=%v", w.Valid(), w2.Valid())
	}
}

func TestWatchFollowsSwapDB(t *testing.T) {
	s, _ := newTestStore(t, Options{})
	set(s.DB(1), "k", "v", 0)
	var w Watch
	s.DB(0).Watch(&w, []byte("k")) // k does not exist in db 0 yet
	s.Swap(0, 1)
	if w.Valid() {
		t.Error("SWAPDB brought a watched key into existence without dirtying the watch")
	}
	w.Unwatch()
	if n := registrations(s); n != 0 {
		t.Fatalf("Unwatch left %d registrations behind after SWAPDB", n)
	}
}

// A watch that SWAPDB moved is still the client's watch of that key in
// that database number: a write there dirties it, Unwatch drops it, and
// after that writes to the key dirty nothing.
func TestUnwatchAfterSwapDB(t *testing.T) {
	s, _ := newTestStore(t, Options{})
	var w Watch
	s.DB(0).Watch(&w, []byte("k")) // k exists nowhere, so SWAPDB leaves the watch valid
	s.Swap(0, 1)
	s.DB(0).Watch(&w, []byte("k")) // watched already
	if n := registrations(s); n != 1 {
		t.Errorf("%d registrations of one watched key", n)
	}
	set(s.DB(1), "k", "v", 0)
	if !w.Valid() {
		t.Error("a write to k in db 1 dirtied the watch of k in db 0")
	}
	w.Unwatch()
	if n := registrations(s); n != 0 {
		t.Fatalf("Unwatch left %d registrations behind after SWAPDB", n)
	}
	s.DB(0).Watch(&w, []byte("other"))
	set(s.DB(0), "k", "v", 0)
	if !w.Valid() {
		t.Error("a write to a key unwatched after SWAPDB dirtied the next watch")
	}
	w.Unwatch()

	s.DB(0).Watch(&w, []byte("k2"))
	s.Swap(0, 1)
	set(s.DB(0), "k2", "v", 0)
	if w.Valid() {
		t.Error("a write to k2 in db 0 left the watch of k2 in db 0 valid after SWAPDB")
	}
}

// registrations counts the watch registrations in every shard of s.
func registrations(s *Store) int {
	n := 0
	for i := 0; i < s.Databases(); i++ {
		d := s.DB(i)
		for j := range d.shards {
			for _, list := range d.shards[j].watched {
				n += len(list)
			}
		}
	}
	return n
}

// SWAPDB of a database with itself is a no-op in Redis: it does not even
// dirty the watches of keys that exist.
func TestSwapWithItselfTouchesNoWatch(t *testing.T) {
	s, _ := newTestStore(t, Options{})
	set(s.DB(0), "k", "v", 0)
	var w Watch
	s.DB(0).Watch(&w, []byte("k"))
	s.Swap(0, 0)
	if !w.Valid() {
		t.Error("SWAPDB 0 0 dirtied the watch of an existing key")
	}
	if v, ok := get(s.DB(0), "k"); !ok || v != "v" || s.DB(0).Index() != 0 {
		t.Errorf("after SWAPDB 0 0: k = %q, %v; index %d", v, ok, s.DB(0).Index())
	}
}

// SWAPDB runs with commands paused, but a background save goes on
// writing its snapshot (Range) and clients that disconnect drop their
// watches (Unwatch) beside it: neither may race with Swap.
func TestSwapBesideSnapshotAndUnwatch(t *testing.T) {
	s, want := swapFixture(t, 4000)
	watches := make([]Watch, 20)
	for i := range watches {
		s.DB(i%2).Watch(&watches[i], []byte("k"+strconv.Itoa(i)), []byte("missing"+strconv.Itoa(i)))
	}
	sn := s.BeginSnapshot()
	var got map[int]map[string]string
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		got = collectMap(sn.Collect())
	}()
	go func() {
		defer wg.Done()
		for i := range watches {
			watches[i].Unwatch()
		}
	}()
	for range 20 {
		s.Swap(0, 1)
	}
	wg.Wait()
	sameSnapshot(t, got, want)
}

func TestStatsTrackMemory(t *testing.T) {
	s, clock := newTestStore(t, Options{})
	d := s.DB(0)
	set(d, "k", string(make([]byte, 1000)), clock.Now().UnixMilli()+1000)
	st := d.Stats()
	if st.Keys != 1 || st.Expiring != 1 || st.Bytes < 1000 || st.Bytes > 1200 {
		t.Errorf("Stats = %+v", st)
	}
	set(d, "k", "small", 0)
	if st := d.Stats(); st.Bytes > 200 || st.Expiring != 0 {
		t.Errorf("Stats after shrinking the value = %+v", st)
	}
	tx := d.Write([]byte("k"))
	tx.Delete([]byte("k"))
	tx.Close()
	if st := d.Stats(); st.Bytes != 0 {
		t.Errorf("Bytes = %d after deleting everything", st.Bytes)
	}
}

func TestTxLocksInOrderWithoutDeadlock(t *testing.T) {
	s, _ := newTestStore(t, Options{Shards: 8})
	d := s.DB(0)
	keys := make([][]byte, 40)
	for i := range keys {
		keys[i] = []byte("k" + strconv.Itoa(i))
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 0))
			for i := 0; i < 2000; i++ {
				a, b := keys[r.IntN(len(keys))], keys[r.IntN(len(keys))]
				tx := d.Write(b, a)
				tx.Set(a, str("x"), 0)
				tx.Delete(b)
				tx.Close()
				rt := d.Read(a, b)
				rt.Get(a)
				rt.Close()
			}
		}(g)
	}
	wg.Wait()
}

func TestStringEncoding(t *testing.T) {
	for _, tc := range []struct {
		v    *String
		want string
	}{
		{str("12345"), "int"},
		{str("-9223372036854775808"), "int"},
		{str("9223372036854775808"), "embstr"},
		{str("012"), "embstr"},
		{str(string(make([]byte, 44))), "embstr"},
		{str(string(make([]byte, 45))), "raw"},
		{str("1").Append([]byte("2")), "raw"},
	} {
		if got := tc.v.Encoding(); got != tc.want {
			t.Errorf("Encoding(%q) = %s, want %s", tc.v.Bytes(), got, tc.want)
		}
	}
	if !str("9999").IsSharedInteger() || str("10000").IsSharedInteger() || str("-1").IsSharedInteger() {
		t.Error("IsSharedInteger disagrees with Redis's 0..9999")
	}
}

func BenchmarkGet(b *testing.B) {
	s, _ := newTestStore(b, Options{Clock: SystemClock{}})
	d := s.DB(0)
	key := []byte("key:000001")
	set(d, string(key), "value", 0)
	b.ReportAllocs()
	for b.Loop() {
		tx := d.Read(key)
		tx.Get(key)
		tx.Close()
	}
}

func BenchmarkSetExisting(b *testing.B) {
	s, _ := newTestStore(b, Options{Clock: SystemClock{}})
	d := s.DB(0)
	key := []byte("key:000001")
	val := str("value")
	b.ReportAllocs()
	for b.Loop() {
		tx := d.Write(key)
		tx.Set(key, val, 0)
		tx.Close()
	}
}

// benchmarkParallel runs GET (and a SET every tenth op) over 100k keys
// from 8 goroutines.
func benchmarkParallel(b *testing.B, procs int) {
	s, _ := newTestStore(b, Options{Clock: SystemClock{}})
	d := s.DB(0)
	keys := make([][]byte, 100_000)
	for i := range keys {
		keys[i] = []byte("key:" + strconv.Itoa(i))
		set(d, string(keys[i]), "value", 0)
	}
	val := str("value")
	b.SetParallelism(procs)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := rand.IntN(len(keys))
		for pb.Next() {
			k := keys[i%len(keys)]
			if i%10 == 0 {
				tx := d.Write(k)
				tx.Set(k, val, 0)
				tx.Close()
			} else {
				tx := d.Read(k)
				tx.Get(k)
				tx.Close()
			}
			i++
		}
	})
}

func BenchmarkGetSetParallel1(b *testing.B) { benchmarkParallel(b, 1) }
func BenchmarkGetSetParallel8(b *testing.B) { benchmarkParallel(b, 8) }

// collectMap turns a snapshot into db -> key -> value (+"@"+deadline).
func collectMap(dbs [][]SnapshotEntry) map[int]map[string]string {
	out := map[int]map[string]string{}
	for i, entries := range dbs {
		for _, e := range entries {
			if out[i] == nil {
				out[i] = map[string]string{}
			}
			out[i][e.Key] = string(e.Value.(*String).Bytes()) + "@" + strconv.FormatInt(e.ExpireAt, 10)
		}
	}
	return out
}

func TestSnapshotLeavesOutExpiredKeys(t *testing.T) {
	s, clock := newTestStore(t, Options{Shards: 4})
	d := s.DB(2)
	for i := 0; i < 100; i++ {
		set(d, "k"+strconv.Itoa(i), "v"+strconv.Itoa(i), 0)
	}
	set(d, "ttl", "x", clock.Now().UnixMilli()+5000)
	set(d, "gone", "x", clock.Now().UnixMilli()+1)
	clock.Advance(time.Second)
	got := collectMap(s.BeginSnapshot().Collect())
	if len(got[2]) != 101 || got[2]["ttl"] == "" || got[2]["gone"] != "" {
		t.Errorf("snapshot of db 2 has %d keys (want 101, with ttl, without gone)", len(got[2]))
	}
	if s.BeginSnapshot() == nil {
		t.Error("a new snapshot cannot begin after Collect closed the last")
	}
}

// Whatever happens after BeginSnapshot, Collect returns the keyspace as it
// was at BeginSnapshot: writes copy a shard before changing it.
func TestSnapshotIsPointInTime(t *testing.T) {
	s, clock := newTestStore(t, Options{Shards: 8})
	for db := 0; db < 3; db++ {
		for i := 0; i < 300; i++ {
			set(s.DB(db), fmt.Sprintf("d%d:k%d", db, i), "v"+strconv.Itoa(i), 0)
		}
	}
	set(s.DB(0), "expiring", "x", clock.Now().UnixMilli()+100)
	want := collectMap(s.BeginSnapshot().Collect())

	sn := s.BeginSnapshot()
	if s.BeginSnapshot() != nil {
		t.Fatal("two snapshots open at once")
	}
	// Change everything in every way.
	for i := 0; i < 300; i += 2 {
		set(s.DB(0), fmt.Sprintf("d0:k%d", i), "changed", 0)
		tx := s.DB(0).Write([]byte(fmt.Sprintf("d0:k%d", i+1)))
		tx.Delete([]byte(fmt.Sprintf("d0:k%d", i+1)))
		tx.Close()
	}
	for i := 0; i < 50; i++ {
		set(s.DB(0), "new"+strconv.Itoa(i), "n", 0)
		k := []byte(fmt.Sprintf("d1:k%d", i))
		tx := s.DB(1).Write(k)
		tx.SetValue(k, tx.Get(k).(*String).Append([]byte("+more")))
		tx.Close()
	}
	s.DB(2).Flush()
	s.Swap(1, 3)
	clock.Advance(time.Second)
	s.ExpireCycle(ExpireLimits{})
	sameSnapshot(t, collectMap(sn.Collect()), want)
}

// sameSnapshot checks that got holds exactly the keys and values of want,
// both from collectMap.
func sameSnapshot(t *testing.T, got, want map[int]map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("snapshot has %d databases with keys, want %d", len(got), len(want))
	}
	for db, keys := range want {
		if len(got[db]) != len(keys) {
			t.Errorf("db %d: %d keys, want %d", db, len(got[db]), len(keys))
		}
		for k, v := range keys {
			if got[db][k] != v {
				t.Fatalf("db %d key %s = %q, want %q", db, k, got[db][k], v)
			}
		}
	}
}

// SWAPDB moves databases, not their contents: an open snapshot, which
// holds the databases by their numbers at its start, copies nothing.
func TestSwapCopiesNothingForASnapshot(t *testing.T) {
	s, want := swapFixture(t, 100)
	sn := s.BeginSnapshot()
	s.Swap(0, 1)
	for _, d := range []*DB{s.DB(0), s.DB(1)} {
		for i := range d.shards {
			if d.shards[i].capturedBy == sn.id {
				t.Fatalf("SWAPDB copied shard %d of what is now db %d", i, d.Index())
			}
		}
	}
	set(s.DB(0), "k1", "changed", 0)
	set(s.DB(1), "k1", "changed", 0)
	sameSnapshot(t, collectMap(sn.Collect()), want)
}

// swapFixture returns a store of 4 shards per database whose dbs 0 and 1
// hold the keys k0 to k<n-1>, valued "zero" and "one", with collectMap's
// view of it.
func swapFixture(t *testing.T, n int) (*Store, map[int]map[string]string) {
	s, _ := newTestStore(t, Options{Shards: 4})
	for i := range n {
		set(s.DB(0), "k"+strconv.Itoa(i), "zero", 0)
		set(s.DB(1), "k"+strconv.Itoa(i), "one", 0)
	}
	return s, collectMap(s.BeginSnapshot().Collect())
}

// The active expiry cycle copies for an open snapshot the shards it
// removes keys from, and no other.
func TestExpireCycleCopiesOnlyShardsItChanges(t *testing.T) {
	s, clock := newTestStore(t, Options{Shards: 1})
	set(s.DB(0), "later", "v", clock.Now().Add(time.Hour).UnixMilli())
	set(s.DB(1), "soon", "v", clock.Now().Add(time.Millisecond).UnixMilli())
	set(s.DB(1), "forever", "v", 0)
	clock.Advance(time.Second)
	want := collectMap(s.BeginSnapshot().Collect())
	sn := s.BeginSnapshot()
	if n := s.ExpireCycle(ExpireLimits{}); n != 1 {
		t.Fatalf("the cycle removed %d keys, want 1", n)
	}
	if s.DB(0).shards[0].capturedBy == sn.id {
		t.Error("the cycle copied a shard it removed nothing from")
	}
	if s.DB(1).shards[0].capturedBy != sn.id {
		t.Error("the cycle removed a key without copying its shard")
	}
	sameSnapshot(t, collectMap(sn.Collect()), want)
}

// A writer racing with Collect never tears the snapshot.
func TestSnapshotUnderConcurrentWrites(t *testing.T) {
	s, _ := newTestStore(t, Options{Shards: 16})
	d := s.DB(0)
	for i := 0; i < 2000; i++ {
		set(d, "k"+strconv.Itoa(i), "0", 0)
	}
	sn := s.BeginSnapshot()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := 1; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			set(d, "k"+strconv.Itoa(n%2000), strconv.Itoa(n), 0)
		}
	}()
	got := collectMap(sn.Collect())
	close(stop)
	wg.Wait()
	for i := 0; i < 2000; i++ {
		if v := got[0]["k"+strconv.Itoa(i)]; v != "0@0" {
			t.Fatalf("k%d = %q in the snapshot, want the value at its start", i, v)
		}
	}
}

func BenchmarkBeginAndCollect100k(b *testing.B) {
	s, _ := newTestStore(b, Options{Clock: SystemClock{}})
	d := s.DB(0)
	for i := 0; i < 100_000; i++ {
		set(d, "key:"+strconv.Itoa(i), "value", 0)
	}
	b.ReportAllocs()
	for b.Loop() {
		s.BeginSnapshot().Collect()
	}
}

// TestSetIdleTime: RESTORE ... IDLETIME backdates a key's last access,
// which the idle time then counts from, until the next access.
func TestSetIdleTime(t *testing.T) {
	s, clock := newTestStore(t, Options{})
	d := s.DB(0)
	set(d, "k", "v", 0)
	tx := d.Write([]byte("k"), []byte("missing"))
	if !tx.SetIdleTime([]byte("k"), 5000) || tx.SetIdleTime([]byte("missing"), 1) {
		t.Fatal("SetIdleTime reports the wrong keys as existing")
	}
	tx.Close()
	clock.Advance(time.Second)
	idle := func() int64 {
		tx := d.Read([]byte("k"))
		defer tx.Close()
		ms, _ := tx.IdleTime([]byte("k"))
		return ms
	}
	if got := idle(); got != 6000 {
		t.Fatalf("idle %d ms, want 6000", got)
	}
	get(d, "k")
	if got := idle(); got != 0 {
		t.Fatalf("idle %d ms after a read, want 0", got)
	}
}

// BenchmarkGetRandom1M reads 1M small string keys (DEBUG POPULATE's) in a
// random order, so that most lookups miss the CPU caches, as GET does on
// redis-benchmark -r 1000000.
func BenchmarkGetRandom1M(b *testing.B) {
	s, _ := newTestStore(b, Options{Clock: SystemClock{}})
	d := s.DB(0)
	const n = 1_000_000
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = []byte("key:" + strconv.Itoa(i))
		tx := d.Write(keys[i])
		tx.SetString(keys[i], []byte("value:"+strconv.Itoa(i)), 0)
		tx.Close()
	}
	rand.Shuffle(n, func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		k := keys[i%n]
		tx := d.Read(k)
		if tx.Get(k) == nil {
			b.Fatalf("%s missing", k)
		}
		tx.Close()
		i++
	}
}
