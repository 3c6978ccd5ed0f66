package db

// Operations over a whole database, or across two.

// Keys returns the live keys for which match reports true (KEYS). It holds
// every shard's read lock while it looks, so the result is one instant's
// view, as in Redis.
func (d *DB) Keys(match func(key string) bool) []string {
	for i := range d.shards {
		d.shards[i].mu.RLock()
	}
	defer func() {
		for i := range d.shards {
			d.shards[i].mu.RUnlock()
		}
	}()
	now := d.now()
	var keys []string
	for i := range d.shards {
		s := &d.shards[i]
		for _, e := range s.table.buckets {
			for ; e != nil; e = e.next {
				if !s.expired(e, now) && (match == nil || match(e.key)) {
					keys = append(keys, e.key)
				}
			}
		}
	}
	return keys
}

// ScanFilter selects what Scan returns.
type ScanFilter struct {
	Match func(key string) bool // nil matches every key
	Type  Type                  // TypeNone matches every type
	// AnyType, when Type is TypeNone, says whether TypeNone means "no
	// filter" (true) or "a type no key has" (false, e.g. TYPE list).
	AnyType bool
	// Lookup, if not nil, is told of each key whose type the filter checks
	// (every key Match lets through, unless AnyType), with whether the key
	// is live: Redis's SCAN looks those keys up as reads, which count as
	// keyspace hits and misses. It is called with a shard lock held.
	Lookup func(live bool)
}

// Scan continues the walk over d's keys from cursor (0 to start) and
// returns the next cursor (0 when the walk is complete) and the keys found.
// It visits buckets until it has gathered about count keys, then applies
// the filter, as Redis's SCAN does, so a call may return fewer keys than
// count, or none, before the walk is over.
//
// The guarantee is Redis's: a key present in d from the start of a walk to
// its end is returned at least once, however the keyspace changes in
// between; a key may be returned more than once.
//
// The cursor holds the shard in its low bits and the position in that
// shard's table, in Redis's reverse-binary order, above them.
func (d *DB) Scan(cursor uint64, count int, filter ScanFilter) (uint64, []string) {
	if count < 1 {
		count = 1
	}
	bitsForShard := uint(log2(len(d.shards)))
	shardMask := uint64(len(d.shards) - 1)
	maxIterations := count * 10
	var found []*entry
	var keys, stale []string
	now := d.now()
	for {
		si := int(cursor & shardMask)
		tc := cursor >> bitsForShard
		s := &d.shards[si]
		s.mu.RLock()
		found = found[:0]
		for {
			tc = s.table.scan(tc, func(e *entry) { found = append(found, e) })
			maxIterations--
			if tc == 0 || maxIterations <= 0 || len(keys)+len(found) >= count {
				break
			}
		}
		for _, e := range found {
			if filter.Match != nil && !filter.Match(e.key) {
				continue
			}
			live := !s.expired(e, now)
			if !live {
				// Redis's SCAN removes the expired keys its pattern lets
				// through.
				stale = append(stale, e.key)
			}
			if !filter.AnyType && filter.Lookup != nil {
				filter.Lookup(live)
			}
			if !live || !filter.AnyType && e.value.Type() != filter.Type {
				continue
			}
			keys = append(keys, e.key)
		}
		s.mu.RUnlock()
		d.removeStale(stale)
		stale = stale[:0]
		if tc == 0 {
			// This shard is done; go on to the next, or finish.
			if si == len(d.shards)-1 {
				return 0, keys
			}
			cursor = uint64(si + 1)
		} else {
			cursor = tc<<bitsForShard | uint64(si)
		}
		if maxIterations <= 0 || len(keys) >= count {
			return cursor, keys
		}
	}
}

// RandomKey returns a random live key, or false if d has none. Expired keys
// it comes across are removed, as Redis does.
func (d *DB) RandomKey() (string, bool) {
	// On a replica expired keys stay: after this many of them in a row,
	// one is returned, as Redis's dbRandomKey does on a replica.
	tries := 100
	for {
		counts := make([]int, len(d.shards))
		total := 0
		for i := range d.shards {
			s := &d.shards[i]
			s.mu.RLock()
			counts[i] = s.table.count
			s.mu.RUnlock()
			total += counts[i]
		}
		if total == 0 {
			return "", false
		}
		r := int(d.store.rand.Uint64N(uint64(total)))
		si := 0
		for ; r >= counts[si]; si++ {
			r -= counts[si]
		}
		s := &d.shards[si]
		s.mu.RLock()
		e := s.randomEntry(&d.store.rand)
		var key string
		expired := false
		if e != nil {
			key = e.key
			expired = s.expired(e, d.now())
		}
		s.mu.RUnlock()
		if e == nil {
			continue // the shard emptied since we counted
		}
		if !expired {
			return key, true
		}
		if d.store.keepExpired.Load() {
			if tries--; tries == 0 {
				return key, true
			}
			continue
		}
		tx := d.Write([]byte(key))
		tx.Exists([]byte(key)) // removes it, since it has expired
		tx.Close()
	}
}

// randomEntry picks a random entry: a random non-empty bucket, then a
// random entry in its chain. The table is at least 10% full, so few
// buckets are tried.
func (s *shard) randomEntry(r Rand) *entry {
	t := &s.table
	if t.count == 0 {
		return nil
	}
	for {
		e := t.buckets[r.Uint64N(uint64(len(t.buckets)))]
		if e == nil {
			continue
		}
		n := 0
		for x := e; x != nil; x = x.next {
			n++
		}
		for i := r.Uint64N(uint64(n)); i > 0; i-- {
			e = e.next
		}
		return e
	}
}

// Flush removes every key of d (FLUSHDB). Watchers of keys that existed
// are told.
func (d *DB) Flush() {
	d.lockAll()
	defer d.unlockAll()
	d.beforeWriteAll()
	d.touchAllWatched(nil)
	for i := range d.shards {
		s := &d.shards[i]
		s.table.clear()
		clear(s.expiring)
		s.expiring = nil
		s.expireCursor = 0
		s.addBytes(-s.bytes)
	}
}

// lockAll write-locks every shard of d, in ascending order.
func (d *DB) lockAll() {
	for i := range d.shards {
		d.shards[i].mu.Lock()
	}
}

func (d *DB) unlockAll() {
	for i := range d.shards {
		d.shards[i].mu.Unlock()
	}
}

// lockPair begins write Txs on key a of da and key b of db, two different
// databases, locking in the order of their indexes so that two commands
// moving keys between the same databases in opposite directions cannot
// deadlock.
func lockPair(da *DB, a []byte, db *DB, b []byte) (ta, tb KeyLock) {
	if da.Index() < db.Index() {
		ta = da.Write(a)
		tb = db.Write(b)
	} else {
		tb = db.Write(b)
		ta = da.Write(a)
	}
	return ta, tb
}

// Move moves key from src to dst (MOVE), keeping its deadline. It reports
// false if key does not exist in src or already exists in dst. src and dst
// must be different databases: Redis refuses MOVE within one with an
// error, and Move would wait forever for the key's shard it holds.
func Move(src, dst *DB, key []byte) bool {
	ts, td := lockPair(src, key, dst, key)
	defer td.Close()
	defer ts.Close()
	s, _, e := ts.lookup(key)
	if e == nil || td.Exists(key) {
		return false
	}
	td.Set(key, e.value, s.expireAt(e))
	ts.Delete(key)
	return true
}

// Copy copies the value and deadline of key src in srcDB to key dst in
// dstDB (COPY). It reports whether src exists, found, and whether it was
// copied: unless replace is set, a src that exists is not copied onto a
// dst that exists too. The databases may be the same.
func Copy(srcDB *DB, src []byte, dstDB *DB, dst []byte, replace bool) (found, copied bool) {
	if srcDB == dstDB {
		tx := srcDB.Write(src, dst)
		defer tx.Close()
		return copyKey(&tx, src, &tx, dst, replace)
	}
	ts, td := lockPair(srcDB, src, dstDB, dst)
	defer td.Close()
	defer ts.Close()
	return copyKey(&ts, src, &td, dst, replace)
}

func copyKey(ts *KeyLock, src []byte, td *KeyLock, dst []byte, replace bool) (found, copied bool) {
	s, _, e := ts.lookup(src)
	if e == nil {
		return false, false
	}
	if !replace && td.Exists(dst) {
		return true, false
	}
	td.Set(dst, cloneValue(e.value), s.expireAt(e))
	return true, true
}

// cloneValue returns a copy of v that shares no memory with it: stored
// strings own their arrays (see String.Append). Like Redis's
// dupStringObject, it keeps the encoding, but a copy of a shared integer
// is an object of its own. A collection's copy keeps its encoding too, as
// Redis's COPY does.
func cloneValue(v Value) Value {
	switch v := v.(type) {
	case *String:
		c := &String{meta: v.meta&(flagRaw|flagNotInt) | flagUnshared}
		c.setBytes(append([]byte(nil), v.Bytes()...))
		return c
	case collection:
		return v.clone()
	}
	return v
}

// SnapshotEntry is one key of a database snapshot.
type SnapshotEntry struct {
	Key      string
	Value    Value // frozen while the snapshot is open (collection.go)
	ExpireAt int64 // Unix milliseconds; 0 means no expiry
}
