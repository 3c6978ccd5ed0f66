package db

import (
	"testing"
	"time"
)

// fixedRand returns n-1, the largest draw: with it LFU increments happen
// only when their probability is 1.
type fixedRand struct{}

func (fixedRand) Uint64N(n uint64) uint64 { return n - 1 }

func TestLFUDecr(t *testing.T) {
	p := &AccessPolicy{LFU: true, LogFactor: 10, DecayTime: 2}
	const minute = 60000
	now := int64(100 * minute)
	tests := []struct {
		ldt, counter, now, want int64
	}{
		{100, 20, now, 20},
		{99, 20, now, 20},                // under a period
		{96, 20, now, 18},                // two periods
		{0, 20, now, 0},                  // decayed out
		{65530, 20, 3 * minute, 16},      // the minute clock wrapped: 8 elapsed
		{100, 255, now + 10*minute, 250}, // from the top
		{100, 3, now + 1000*minute, 0},   // never below 0
	}
	for i, tt := range tests {
		if got := lfuDecr(uint32(tt.ldt<<8|tt.counter), tt.now, p); got != tt.want {
			t.Errorf("%d: lfuDecr(ldt %d, %d) at minute %d = %d, want %d", i, tt.ldt, tt.counter, tt.now/minute, got, tt.want)
		}
	}
	if got := lfuDecr(100<<8|7, now+100000*minute, &AccessPolicy{LFU: true}); got != 7 {
		t.Errorf("lfu-decay-time 0 decayed to %d", got)
	}
}

func TestLFUIncr(t *testing.T) {
	s := New(Options{Rand: fixedRand{}})
	p := &AccessPolicy{LFU: true, LogFactor: 10}
	// At or under the initial value the probability is 1; above it, with
	// the largest draw, nothing counts.
	for _, tt := range []struct{ in, want int64 }{{0, 1}, {4, 5}, {5, 6}, {6, 6}, {255, 255}} {
		if got := s.lfuIncr(tt.in, p); got != tt.want {
			t.Errorf("lfuIncr(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
	// lfu-log-factor 0: every access counts, up to 255.
	p.LogFactor = 0
	for _, tt := range []struct{ in, want int64 }{{6, 7}, {100, 101}, {254, 255}, {255, 255}} {
		if got := s.lfuIncr(tt.in, p); got != tt.want {
			t.Errorf("log factor 0: lfuIncr(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestAccessClocksFollowThePolicy(t *testing.T) {
	clock := NewManualClock(time.UnixMilli(1_700_000_000_000))
	s := New(Options{Clock: clock, Rand: fixedRand{}})
	d := s.DB(0)
	k := []byte("k")
	tx := d.Write(k)
	tx.Set(k, NewString([]byte("v")), 0)
	tx.Close()
	clock.Advance(5 * time.Second)
	tx = d.Read(k)
	if idle, _ := tx.IdleTime(k); idle != 5000 {
		t.Errorf("idle %d ms", idle)
	}
	tx.Close()

	s.SetAccessPolicy(AccessPolicy{LFU: true, LogFactor: 10, DecayTime: 1})
	n := []byte("n")
	tx = d.Write(n)
	tx.Set(n, NewString([]byte("v")), 0)
	freq, _ := tx.Freq(n)
	tx.Close()
	if freq != lfuInitVal {
		t.Errorf("a new key's counter is %d", freq)
	}
	tx = d.Read(n)
	tx.Get(n)
	tx.Peek(n) // no access
	freq, _ = tx.Freq(n)
	tx.Close()
	if freq != lfuInitVal+1 {
		t.Errorf("after one read the counter is %d", freq)
	}
	tx = d.Write(n)
	tx.SetFreq(n, 200)
	tx.SetIdleTime(n, 1000) // ignored under LFU
	freq, _ = tx.Freq(n)
	tx.Close()
	if freq != 200 {
		t.Errorf("after SetFreq the counter is %d", freq)
	}
}

func TestSampleAndUsedBytes(t *testing.T) {
	s := New(Options{})
	d := s.DB(0)
	if got := d.Sample(5, false, ScoreLRU, nil); len(got) != 0 {
		t.Fatalf("sampled %v from an empty db", got)
	}
	for i := range 100 {
		k := []byte{'k', byte(i)}
		tx := d.Write(k)
		var at int64
		if i%2 == 0 {
			at = int64(1e15 + i)
		}
		tx.Set(k, NewString([]byte("value")), at)
		tx.Close()
	}
	if got, want := s.UsedBytes(), d.Stats().Bytes; got != want || got == 0 {
		t.Errorf("UsedBytes %d, the shards hold %d", got, want)
	}
	for _, c := range d.Sample(50, true, ScoreTTL, nil) {
		if c.Key[1]%2 != 0 {
			t.Errorf("volatile sample gave %q, which has no deadline", c.Key)
		}
		if c.Score != ^uint64(0)-uint64(1e15+int(c.Key[1])) {
			t.Errorf("TTL score of %q: %d", c.Key, c.Score)
		}
	}
	if got := d.Sample(20, false, ScoreLRU, nil); len(got) != 20 {
		t.Errorf("sampled %d of 20", len(got))
	}
	d.Flush()
	if s.UsedBytes() != 0 {
		t.Errorf("UsedBytes %d after Flush", s.UsedBytes())
	}
	if _, ok := d.RandomEvictable(false); ok {
		t.Error("a random key from an empty db")
	}
}

func BenchmarkAccessLFU(b *testing.B) {
	s := New(Options{})
	s.SetAccessPolicy(AccessPolicy{LFU: true, LogFactor: 10, DecayTime: 1})
	d := s.DB(0)
	k := []byte("k")
	tx := d.Write(k)
	tx.Set(k, NewString([]byte("v")), 0)
	tx.Close()
	b.ReportAllocs()
	for b.Loop() {
		tx := d.Read(k)
		tx.Get(k)
		tx.Close()
	}
}

// The LRU clock wraps as Redis's does, and setting it keeps the hash tag
// a lookup relies on.
func TestAccessClockWrapsAndKeepsTag(t *testing.T) {
	const second = 1000
	wrap := int64(clockMask+1) * second
	for _, tt := range []struct {
		name          string
		accessed, now int64
		want          int64
	}{
		{"same second", 5 * second, 5*second + 999, 0},
		{"later", 5 * second, 65 * second, 60 * second},
		{"across the wrap", wrap - 10*second, wrap + 5*second, 14 * second},
	} {
		if got := idleMillis(lruClock(tt.accessed), tt.now); got != tt.want {
			t.Errorf("%s: idle %d ms, want %d", tt.name, got, tt.want)
		}
	}
	var e entry
	h := uint64(0xab) << 48
	var tb table
	tb.seed = New(Options{}).seed
	tb.insert(&e, h)
	e.setClock(lruClock(wrap - 1))
	if e.clockTag.Load()&^clockMask != hashTag(h) || e.clock() != clockMask {
		t.Errorf("clockTag %#x after setClock", e.clockTag.Load())
	}
}
