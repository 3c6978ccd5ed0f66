package db

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLockAll checks that ReadAll and WriteAll reach every key, the empty
// one included, and that they hold every shard: a writer on any key waits
// for ReadAll, and a reader on any key waits for WriteAll.
func TestLockAll(t *testing.T) {
	s, _ := newTestStore(t, Options{})
	d := s.DB(0)
	keys := []string{""}
	for i := range 200 {
		keys = append(keys, "k"+strconv.Itoa(i))
	}
	tx := d.WriteAll()
	for _, k := range keys {
		tx.Set([]byte(k), str("v"+k), 0)
	}
	tx.Close()

	r := d.ReadAll()
	for _, k := range keys {
		v, ok := r.Get([]byte(k)).(*String)
		if !ok || string(v.Bytes()) != "v"+k {
			t.Errorf("ReadAll: Get(%q) = %v", k, v)
		}
	}
	other := make(chan struct{})
	go func() {
		set(d, "k7", "changed", 0)
		close(other)
	}()
	select {
	case <-other:
		t.Fatal("a write ran beside ReadAll")
	case <-time.After(20 * time.Millisecond):
	}
	if v := r.Get([]byte("k7")).(*String); string(v.Bytes()) != "vk7" {
		t.Errorf("k7 changed under ReadAll: %q", v.Bytes())
	}
	r.Close()
	<-other

	w := d.WriteAll()
	read := make(chan string)
	go func() {
		v, _ := get(d, "k150")
		read <- v
	}()
	w.Set([]byte("k150"), str("new"), 0)
	select {
	case v := <-read:
		t.Fatalf("a read ran beside WriteAll: %q", v)
	case <-time.After(20 * time.Millisecond):
	}
	w.Close()
	if v := <-read; v != "new" {
		t.Errorf("read after WriteAll = %q, want new", v)
	}
}

// TestZSetToSkiplist: the set keeps its members, in order, and becomes a
// skiplist; the key's watchers are not told.
func TestZSetToSkiplist(t *testing.T) {
	s, _ := newTestStore(t, Options{})
	d := s.DB(0)
	key := []byte("z")
	tx := d.Write(key)
	z, _ := tx.MutableZSet(key, true)
	for i, m := range []string{"c", "a", "b"} {
		z.Add([]byte(m), float64(i%2), 0, tx.Limits())
	}
	tx.Close()
	w := &Watch{}
	d.Watch(w, key)
	tx = d.Write(key)
	z, _ = tx.MutableZSet(key, false)
	if z.Encoding() != "listpack" {
		t.Fatalf("encoding %s before", z.Encoding())
	}
	z.ToSkiplist()
	z.ToSkiplist()
	tx.Close()
	tx = d.Read(key)
	defer tx.Close()
	z, _ = tx.ReadZSet(key)
	var got []string
	z.Range(func(m string, _ float64) bool {
		got = append(got, m)
		return true
	})
	if z.Encoding() != "skiplist" || strings.Join(got, " ") != "b c a" {
		t.Errorf("after: %s %q", z.Encoding(), got)
	}
	if !w.Valid() {
		t.Error("converting told the watchers")
	}
}
