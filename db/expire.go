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
func (s *Store) ExpireCycle(lim ExpireLimits) int {
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
		e := sh.expiring[sh.expireCursor]
		seen++
		if e.expired(now) {
			// Copy the shard for an open snapshot only now that it changes:
			// copying it for every pass would copy each shard that holds a
			// deadline, though most passes remove nothing.
			d.beforeWrite(sh)
			// unlink moves the last entry into this slot: look at the slot
			// again rather than advancing.
			d.unlink(sh, e)
			sh.touchExpired(e.key)
			expired = append(expired, e.key)
			gone++
			continue
		}
		sh.expireCursor++
	}
	sh.mu.Unlock()
	d.store.expiredKeys.Add(int64(gone))
	if hook := d.store.onExpired; hook != nil {
		for _, k := range expired {
			hook(d, k)
		}
	}
	return seen, gone
}
