package db

import (
	"testing"
	"time"
)

// TestKeepExpired: while the store keeps expired keys (a replica), reads
// see a key past its deadline as missing but nothing removes it, writes
// see it, and the OnExpired hook is never told; once off, the next read
// removes it.
func TestKeepExpired(t *testing.T) {
	var expired []string
	s, clock := newTestStore(t, Options{OnExpired: func(_ *DB, key string) { expired = append(expired, key) }})
	d := s.DB(0)
	now := clock.Now().UnixMilli()
	set(d, "gone", "v", now+100)
	set(d, "live", "v", 0)
	s.SetKeepExpired(true)
	clock.Advance(time.Second)

	for _, tc := range []struct {
		name string
		got  func() bool
		want bool
	}{
		{"a read finds it", func() bool { _, ok := get(d, "gone"); return ok }, false},
		{"a read of Exists finds it", func() bool {
			tx := d.Read([]byte("gone"))
			defer tx.Close()
			return tx.Exists([]byte("gone"))
		}, false},
		{"a write finds it", func() bool {
			tx := d.Write([]byte("gone"))
			defer tx.Close()
			return tx.Exists([]byte("gone"))
		}, true},
		{"the active cycle removes it", func() bool { return s.ExpireCycle(ExpireLimits{}) > 0 }, false},
		{"it is still counted", func() bool { return d.Len() == 2 }, true},
		{"Keys skips it", func() bool { return len(d.Keys(nil)) == 1 }, true},
	} {
		if got := tc.got(); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	// RandomKey returns a key even when it meets only expired ones.
	for range 20 {
		if _, ok := d.RandomKey(); !ok {
			t.Fatal("RandomKey found no key")
		}
	}
	if len(expired) != 0 {
		t.Errorf("OnExpired was told of %v while expired keys are kept", expired)
	}

	s.SetKeepExpired(false)
	if _, ok := get(d, "gone"); ok {
		t.Error("the expired key is found once expired keys are no longer kept")
	}
	if d.Len() != 1 || len(expired) != 1 {
		t.Errorf("after a read with keys no longer kept: %d keys, OnExpired told of %v; want 1 key, [gone]", d.Len(), expired)
	}
}
