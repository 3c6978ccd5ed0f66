package db

import (
	"strconv"
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
