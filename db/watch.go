package db

import (
	"slices"
	"sync/atomic"
)

// A Watch is one client's WATCH: the keys it watches and whether any of
// them has been touched since. EXEC goes ahead only if the Watch is Valid.
// A Watch is used by one client goroutine; only the dirty flag is set by
// others.
type Watch struct {
	dirty atomic.Bool
	keys  []*watched
}

// watched is one key of a Watch, registered in its shard.
type watched struct {
	w *Watch
	// db is the database whose shard holds the registration: the one
	// watched, until SWAPDB moves the registration to the database that
	// takes its number. Swap changes it holding both databases' locks.
	db  atomic.Pointer[DB]
	key string
	// expiredAtWatch records that the key existed but had already expired
	// when WATCH ran. Removing such a key is no logical change, so it does
	// not dirty the Watch; Redis makes the same distinction.
	expiredAtWatch bool
}

// Watch adds keys of d to w (WATCH key [key ...]).
func (d *DB) Watch(w *Watch, keys ...[]byte) {
	for _, k := range keys {
		if slices.ContainsFunc(w.keys, func(x *watched) bool { return x.db.Load() == d && x.key == string(k) }) {
			continue
		}
		tx := d.Write(k)
		s, h := tx.shardFor(k)
		wk := &watched{w: w, key: string(k)}
		wk.db.Store(d)
		if e := s.table.find(k, h); e != nil && s.expired(e, tx.now) {
			wk.expiredAtWatch = true
		}
		if s.watched == nil {
			s.watched = make(map[string][]*watched)
		}
		s.watched[wk.key] = append(s.watched[wk.key], wk)
		w.keys = append(w.keys, wk)
		tx.Close()
	}
}

// Unwatch forgets all of w's keys (UNWATCH, EXEC, DISCARD) and clears it.
func (w *Watch) Unwatch() {
	for _, wk := range w.keys {
		key := []byte(wk.key)
		tx := wk.begin(true, key)
		s, _ := tx.shardFor(key)
		list := s.watched[wk.key]
		list = slices.DeleteFunc(list, func(x *watched) bool { return x.w == w })
		if len(list) == 0 {
			delete(s.watched, wk.key)
		} else {
			s.watched[wk.key] = list
		}
		tx.Close()
	}
	clear(w.keys)
	w.keys = w.keys[:0]
	w.dirty.Store(false)
}

// Watching reports whether w watches any key.
func (w *Watch) Watching() bool { return len(w.keys) > 0 }

// Valid reports whether no watched key has been touched or has expired
// since it was watched: the condition for EXEC to run the transaction.
func (w *Watch) Valid() bool {
	if w.dirty.Load() {
		return false
	}
	for _, wk := range w.keys {
		key := []byte(wk.key)
		tx := wk.begin(false, key)
		s, h := tx.shardFor(key)
		e := s.table.find(key, h)
		// expiredAtWatch changes under the shard lock: read it there.
		expired := !wk.expiredAtWatch && e != nil && s.expired(e, tx.now)
		tx.Close()
		if expired {
			return false
		}
	}
	return true
}

// begin begins a KeyLock on key, wk's key, in the database that holds wk. A
// client that disconnects drops its watches beside SWAPDB, which may move
// wk to another database until the KeyLock has the key's shard locked.
func (wk *watched) begin(write bool, key []byte) KeyLock {
	for {
		d := wk.db.Load()
		tx := d.begin(write, [][]byte{key}, false)
		if wk.db.Load() == d {
			return tx
		}
		tx.Close()
	}
}

// rehome records d, the database s belongs to, in the registrations that
// SWAPDB has just moved into s. The caller holds s's write lock.
func (s *shard) rehome(d *DB) {
	for _, list := range s.watched {
		for _, wk := range list {
			wk.db.Store(d)
		}
	}
}

// touch marks the watchers of key dirty: the key was written. The shard's
// write lock is held.
func (s *shard) touch(key string) {
	if len(s.watched) == 0 {
		return
	}
	for _, wk := range s.watched[key] {
		wk.w.dirty.Store(true)
	}
}

// touchExpired is touch for a key removed because its deadline passed:
// watchers that saw it already expired are not disturbed.
func (s *shard) touchExpired(key string) {
	if len(s.watched) == 0 {
		return
	}
	for _, wk := range s.watched[key] {
		if wk.expiredAtWatch {
			wk.expiredAtWatch = false // gone now; watched as a missing key
			continue
		}
		wk.w.dirty.Store(true)
	}
}

// touchAllWatched tells the watchers of d's keys that d is being emptied,
// or replaced with other (SWAPDB), following Redis's
// touchAllWatchedKeysInDb: a watch is dirtied if the key existed in d, or
// will exist once other takes d's place, unless it only goes from expired
// to absent. The caller holds the write lock of every shard of d and of
// other.
func (d *DB) touchAllWatched(other *DB) {
	for i := range d.shards {
		s := &d.shards[i]
		for key, list := range s.watched {
			kb := []byte(key)
			h := d.hash(kb)
			here := s.table.find(kb, h) != nil
			var there *entry
			var osh *shard // there's shard
			if other != nil {
				osh = &other.shards[i]
				there = osh.table.find(kb, h)
			}
			if !here && there == nil {
				continue
			}
			now := d.now()
			for _, wk := range list {
				switch {
				case wk.expiredAtWatch && there == nil:
					wk.expiredAtWatch = false
					continue
				case wk.expiredAtWatch && osh.expired(there, now):
					continue
				case !wk.expiredAtWatch && !here && osh.expired(there, now):
					wk.expiredAtWatch = true
					continue
				}
				wk.w.dirty.Store(true)
			}
		}
	}
}
