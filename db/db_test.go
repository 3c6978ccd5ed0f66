package db

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock that moves only when told to.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.UnixMilli(1_700_000_000_000)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestSetGetDelete(t *testing.T) {
	d := New(Options{})
	if _, ok := d.Get([]byte("k")); ok {
		t.Fatal("empty DB has k")
	}
	d.Set([]byte("k"), []byte("v"), 0)
	if v, ok := d.Get([]byte("k")); !ok || string(v) != "v" {
		t.Fatalf("Get = %q, %v", v, ok)
	}
	if n := d.Exists([]byte("k"), []byte("k"), []byte("x")); n != 2 {
		t.Errorf("Exists(k, k, x) = %d, want 2", n)
	}
	if n := d.Delete([]byte("k"), []byte("x")); n != 1 {
		t.Errorf("Delete = %d, want 1", n)
	}
	if _, ok := d.Get([]byte("k")); ok {
		t.Error("k survived Delete")
	}
}

func TestSetCopiesItsArguments(t *testing.T) {
	d := New(Options{})
	key, val := []byte("k"), []byte("v")
	d.Set(key, val, 0)
	key[0], val[0] = 'x', 'x'
	if v, ok := d.Get([]byte("k")); !ok || string(v) != "v" {
		t.Errorf("Get = %q, %v after the caller reused its buffers", v, ok)
	}
}

func TestExpiry(t *testing.T) {
	clock := newFakeClock()
	d := New(Options{Clock: clock})
	d.Set([]byte("k"), []byte("v"), 100*time.Millisecond)
	clock.Advance(99 * time.Millisecond)
	if _, ok := d.Get([]byte("k")); !ok {
		t.Fatal("k expired early")
	}
	clock.Advance(time.Millisecond)
	if _, ok := d.Get([]byte("k")); ok {
		t.Fatal("k outlived its TTL")
	}
	if n := d.Len(); n != 0 {
		t.Errorf("expired key still stored: Len = %d", n)
	}
	d.Set([]byte("k"), []byte("v"), time.Second)
	clock.Advance(2 * time.Second)
	if n := d.Delete([]byte("k")); n != 0 {
		t.Errorf("Delete counted an expired key: %d", n)
	}
}

func TestShardsRoundUp(t *testing.T) {
	for _, tc := range []struct{ in, want int }{{0, DefaultShards}, {1, 1}, {3, 4}, {64, 64}, {65, 128}} {
		if got := len(New(Options{Shards: tc.in}).shards); got != tc.want {
			t.Errorf("Shards %d: got %d shards, want %d", tc.in, got, tc.want)
		}
	}
}

func TestConcurrentAccess(t *testing.T) {
	d := New(Options{Shards: 4})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				k := []byte(fmt.Sprintf("k%d", i%50))
				d.Set(k, []byte(fmt.Sprint(g)), 0)
				d.Get(k)
				if i%7 == 0 {
					d.Delete(k)
				}
			}
		}(g)
	}
	wg.Wait()
	if n := d.Len(); n > 50 {
		t.Errorf("Len = %d, want at most 50", n)
	}
}

func BenchmarkGet(b *testing.B) {
	d := New(Options{})
	key := []byte("key:000001")
	d.Set(key, []byte("value"), 0)
	b.ReportAllocs()
	for b.Loop() {
		d.Get(key)
	}
}
