package db

// Active expiry: keys nobody reads would stay in memory after their
// deadline, so a background sweep removes them, like Redis's
// activeExpireCycle.

// ExpireLimits bound one active expiry cycle.
type ExpireLimits struct {
	// SamplePerShard is how many keys with a deadline a pass looks at in
	// one shard (Redis: 20 per loop).
	SamplePerShard int
	// MaxExamined bounds the keys looked at in the whole cycle, so one
	// cycle's cost is bounded however many keys have expired.
	MaxExamined int
	// Stop, if set, is asked between passes whether the cycle's time is up.
	Stop func() bool
}

// The limits of an ExpireCycle whose ExpireLimits fields are zero.
const (
	DefaultSamplePerShard = 20
	DefaultMaxExamined    = 200_000
)

// ExpireCycle runs one active expiry cycle over every database and returns
// how many keys it removed. In each shard it looks at SamplePerShard keys
// with a deadline, resuming where the last cycle stopped, and goes on in
// that shard while more than a quarter of those it looked at had expired,
// as Redis does. Each pass holds one shard's lock for a few dozen keys.
//
// While the store keeps expired keys (SetKeepExpired) it removes none.
func (s *Store) ExpireCycle(lim ExpireLimits) int {
	if s.keepExpired.Load() {
		return 0
	}
	if lim.SamplePerShard <= 0 {
		lim.SamplePerShard = DefaultSamplePerShard
	}
	if lim.MaxExamined <= 0 {
		lim.MaxExamined = DefaultMaxExamined
	}
	removed, examined := 0, 0
	for i := range s.dbs {
		d := s.DB(i)
		for si := range d.shards {
			for examined < lim.MaxExamined {
				if lim.Stop != nil && lim.Stop() {
					return removed
				}
				seen, gone := d.expirePass(&d.shards[si], lim.SamplePerShard)
				examined += seen
				removed += gone
				if seen == 0 || gone*4 <= seen {
					break
				}
			}
		}
	}
	return removed
}

// expirePass looks at up to n keys with a deadline in shard sh, removes
// those that have expired, and reports how many it looked at and removed.
func (d *DB) expirePass(sh *shard, n int) (seen, gone int) {
	var expired []string
	sh.mu.Lock()
	now := d.now()
	for seen < n && len(sh.expiring) > 0 {
		if sh.expireCursor >= len(sh.expiring) {
			sh.expireCursor = 0
		}
		e := sh.expiring[sh.expireCursor].e
		seen++
		if sh.expired(e, now) {
			// Copy the shard for an open snapshot only now that it changes:
			// copying it for every pass would copy each shard that holds a
			// deadline, though most passes remove nothing.
			d.beforeWrite(sh)
			// Removing e moves the last entry into this slot: look at the
			// slot again rather than advancing.
			d.removeExpired(sh, e)
			expired = append(expired, e.key)
			continue
		}
		sh.expireCursor++
	}
	sh.mu.Unlock()
	d.reportExpired(expired)
	return seen, len(expired)
}

// removeExpired removes e, whose deadline has passed, from shard s, as a
// write KeyLock that meets it and the active sweep both do: watchers that saw it
// live are told, and it counts in ExpiredKeys. The caller holds s's write
// lock, and passes e.key to reportExpired once it has released it.
func (d *DB) removeExpired(s *shard, e *entry) {
	d.unlink(s, e)
	s.touchExpired(e.key)
	d.store.expiredKeys.Add(1)
}

// reportExpired calls the store's OnExpired hook for keys removed by
// removeExpired, with no lock held.
func (d *DB) reportExpired(keys []string) {
	if hook := d.store.onExpired; hook != nil {
		for _, k := range keys {
			hook(d, k)
		}
	}
}
