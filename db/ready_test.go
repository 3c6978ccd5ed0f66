package db

import (
	"slices"
	"testing"
	"time"
)

// readyLog records what Options.OnReady reports, as "db:key".
type readyLog struct{ got []string }

func (r *readyLog) hook(d *DB, key string) {
	r.got = append(r.got, string(rune('0'+d.Index()))+":"+key)
}

func (r *readyLog) take() []string {
	got := r.got
	r.got = nil
	return got
}

func pushList(d *DB, key, elem string) {
	tx := d.Write([]byte(key))
	l, err := tx.MutableList([]byte(key), true)
	if err != nil {
		panic(err)
	}
	l.PushBack([]byte(elem))
	tx.Close()
}

// OnReady reports a key that comes to hold a list, however it comes to:
// created by a push, or stored over nothing or a value of another type by
// a rename, a copy or a move; and not a push onto a list that exists.
func TestOnReadyReportsKeysThatGetAList(t *testing.T) {
	var log readyLog
	s, _ := newTestStore(t, Options{OnReady: log.hook})
	d0, d1 := s.DB(0), s.DB(1)
	check := func(what string, want ...string) {
		t.Helper()
		if got := log.take(); !slices.Equal(got, want) {
			t.Errorf("%s: OnReady reported %q, want %q", what, got, want)
		}
	}
	pushList(d0, "l", "a")
	check("a push that creates the list", "0:l")
	pushList(d0, "l", "b")
	check("a push onto the list")
	set(d0, "s", "string", 0)
	check("a string")

	tx := d0.Write([]byte("l"), []byte("r"))
	v := tx.Get([]byte("l"))
	tx.Delete([]byte("l"))
	tx.Set([]byte("r"), v, 0) // RENAME l r
	tx.Close()
	check("a list renamed onto a missing key", "0:r")
	tx = d0.Write([]byte("r"), []byte("s"))
	v = tx.Get([]byte("r"))
	tx.Delete([]byte("r"))
	tx.Set([]byte("s"), v, 0) // RENAME r s
	tx.Close()
	check("a list renamed over a string", "0:s")

	if found, copied := Copy(d0, []byte("s"), d0, []byte("c"), false); !found || !copied {
		t.Fatal("COPY failed")
	}
	check("a list copied", "0:c")
	if found, copied := Copy(d0, []byte("s"), d0, []byte("c"), true); !found || !copied {
		t.Fatal("COPY REPLACE failed")
	}
	check("a list copied over a list")
	if !Move(d0, d1, []byte("c")) {
		t.Fatal("MOVE failed")
	}
	check("a list moved", "1:c")

	// A list created and left empty is reported, and gone after Close.
	tx = d0.Write([]byte("e"))
	tx.MutableList([]byte("e"), true)
	tx.Close()
	check("an empty list created", "0:e")
	if _, ok := get(d0, "e"); ok {
		t.Error("the empty list stayed")
	}
}

func TestOnSwapReportsTheDatabases(t *testing.T) {
	var swaps [][2]int
	s, _ := newTestStore(t, Options{OnSwap: func(i, j int) { swaps = append(swaps, [2]int{i, j}) }})
	s.Swap(0, 3)
	s.Swap(2, 2) // changes nothing: not reported
	if want := [][2]int{{0, 3}}; !slices.Equal(swaps, want) {
		t.Errorf("OnSwap got %v, want %v", swaps, want)
	}
}

func TestManualClockMovedWakes(t *testing.T) {
	c := NewManualClock(time.Unix(0, 0))
	var _ MovableClock = c
	moved := c.Moved()
	select {
	case <-moved:
		t.Fatal("Moved closed before the clock moved")
	default:
	}
	if c.Moved() != moved {
		t.Error("Moved returned another channel before the clock moved")
	}
	c.Advance(time.Second)
	select {
	case <-moved:
	default:
		t.Fatal("Advance did not close Moved's channel")
	}
	if next := c.Moved(); next == moved {
		t.Error("Moved after Advance returned the closed channel")
	}
}
