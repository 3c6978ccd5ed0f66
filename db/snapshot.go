package db

import (
	"sync"
	"sync/atomic"
)

// Point-in-time snapshots by copy-on-write per shard.
//
// A Snapshot records the keyspace as it was when BeginSnapshot ran,
// without stopping it for long: beginning takes no copy at all, and
// afterwards each shard is copied exactly once, either by the first write
// that would change it (which copies it just before changing it) or by
// Collect, whichever comes first. A writer pays at most one shard's copy,
// 1/Shards of the keyspace, once per snapshot.

// A Snapshot is the keyspace frozen at one instant, collected shard by
// shard. At most one is open at a time.
type Snapshot struct {
	id    uint64
	store *Store
	now   int64 // keys expired at this instant are left out

	mu sync.Mutex
	// shards[db][shard] holds the copies writers made.
	shards [][][]SnapshotEntry
	// dbs are the databases by index as they were at the start (SWAPDB
	// may move them while the snapshot is open).
	dbs []*DB
	// keys and expiring count each database's keys at the start.
	keys, expiring []int
}

// BeginSnapshot opens a snapshot of the keyspace as it is now. The caller
// must keep writers out while it runs (the server runs it with every
// command paused); it takes microseconds. It returns nil if a snapshot is
// already open.
func (s *Store) BeginSnapshot() *Snapshot {
	sn := &Snapshot{
		id:     s.snapshotIDs.Add(1),
		store:  s,
		now:    s.clock.Now().UnixMilli(),
		shards: make([][][]SnapshotEntry, len(s.dbs)),
		dbs:    make([]*DB, len(s.dbs)),
	}
	for i := range s.dbs {
		sn.dbs[i] = s.DB(i)
		sn.shards[i] = make([][]SnapshotEntry, s.nshards)
		st := sn.dbs[i].Stats()
		sn.keys = append(sn.keys, st.Keys)
		sn.expiring = append(sn.expiring, st.Expiring)
	}
	if !s.snapshot.CompareAndSwap(nil, sn) {
		return nil
	}
	return sn
}

// Collect copies every shard that no writer has copied yet, closes the
// snapshot, and returns the entries of each database by index. Lists,
// hashes and sets change in place once the snapshot is closed, so Collect
// returns copies of them (sharing their elements, which never change):
// it is for tests and small keyspaces; Range streams without copying.
func (sn *Snapshot) Collect() [][]SnapshotEntry {
	out := make([][]SnapshotEntry, len(sn.dbs))
	sn.Range(func(db int, entries []SnapshotEntry) error {
		for _, e := range entries {
			if c, ok := e.Value.(collection); ok {
				e.Value = c.cow()
			}
			out[db] = append(out[db], e)
		}
		return nil
	})
	return out
}

// DBSizes returns each database's number of keys and of keys with a
// deadline when the snapshot began (expired keys not yet removed
// included), as size hints for a dump.
func (sn *Snapshot) DBSizes() (keys, expiring []int) {
	return sn.keys, sn.expiring
}

// Range calls fn with the snapshot's entries, a shard at a time, database
// by database in index order, then closes the snapshot. entries is valid
// only during the call. Shards no writer has copied are read straight
// from the keyspace (under their lock, which fn does not hold), so a
// snapshot costs little memory beyond the shards writers changed. Range
// stops at fn's first error and returns it.
func (sn *Snapshot) Range(fn func(db int, entries []SnapshotEntry) error) error {
	defer sn.store.snapshot.CompareAndSwap(sn, nil)
	var buf []SnapshotEntry
	for dbi, d := range sn.dbs {
		for si := range d.shards {
			s := &d.shards[si]
			s.mu.Lock()
			var entries []SnapshotEntry
			if s.capturedBy == sn.id {
				sn.mu.Lock()
				entries = sn.shards[dbi][si]
				sn.shards[dbi][si] = nil // handed out: free it after
				sn.mu.Unlock()
			} else {
				// Nobody wrote here since the snapshot began: read it as it
				// is, and mark it so that a later write does not copy it.
				s.capturedBy = sn.id
				buf = sn.appendLive(buf[:0], s)
				entries = buf
			}
			s.mu.Unlock()
			if len(entries) == 0 {
				continue
			}
			if err := fn(dbi, entries); err != nil {
				return err
			}
		}
	}
	return nil
}

// Abort closes the snapshot without collecting it.
func (sn *Snapshot) Abort() { sn.store.snapshot.CompareAndSwap(sn, nil) }

// capture copies shard s of database d into the snapshot unless it has been
// copied already. The caller holds s's write lock.
func (sn *Snapshot) capture(d *DB, s *shard) {
	if s.capturedBy == sn.id {
		return
	}
	s.capturedBy = sn.id
	dbi := sn.indexOf(d)
	if dbi < 0 {
		return // a database the snapshot does not know: cannot happen
	}
	si := s.index
	entries := sn.appendLive(make([]SnapshotEntry, 0, s.table.count), s)
	sn.mu.Lock()
	sn.shards[dbi][si] = entries
	sn.mu.Unlock()
}

// appendLive appends the shard's keys that are live at the snapshot's
// instant.
func (sn *Snapshot) appendLive(dst []SnapshotEntry, s *shard) []SnapshotEntry {
	for _, e := range s.table.buckets {
		for ; e != nil; e = e.next {
			if !s.expired(e, sn.now) {
				dst = append(dst, SnapshotEntry{Key: e.key, Value: e.value, ExpireAt: s.expireAt(e)})
			}
		}
	}
	return dst
}

func (sn *Snapshot) indexOf(d *DB) int {
	for i, x := range sn.dbs {
		if x == d {
			return i
		}
	}
	return -1
}

// beforeWrite preserves shard s of d for an open snapshot before a write
// changes it. The caller holds s's write lock. Without a snapshot it costs
// one atomic load.
func (d *DB) beforeWrite(s *shard) {
	if sn := d.store.snapshot.Load(); sn != nil && s.capturedBy != sn.id {
		sn.capture(d, s)
	}
}

// beforeWriteAll is beforeWrite for every shard of d, for changes to the
// whole database (FLUSHDB). The caller holds every shard's lock.
func (d *DB) beforeWriteAll() {
	if sn := d.store.snapshot.Load(); sn != nil {
		for i := range d.shards {
			if d.shards[i].capturedBy != sn.id {
				sn.capture(d, &d.shards[i])
			}
		}
	}
}

// snapshotState is the Store's field for the open snapshot.
type snapshotState struct {
	snapshot    atomic.Pointer[Snapshot]
	snapshotIDs atomic.Uint64
}
