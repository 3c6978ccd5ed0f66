package db

import (
	"math"
)

// Access clocks and eviction sampling, for maxmemory (Redis's evict.c).
//
// Each entry's access clock is Redis's 24-bit robj lru field: under an LRU
// policy (or no eviction policy) it is the Unix second of the last access
// mod 2^24 (lruClock), Redis's LRU clock, which wraps every 194 days; under
// an LFU policy its low 8 bits are a logarithmic
// access counter and the bits above them the minute (mod 65536) at which
// the counter was last decremented. As in Redis, switching between the two
// kinds of policy does not convert the clocks: they adjust as keys are
// accessed.

// AccessPolicy says how keys' access clocks are kept.
type AccessPolicy struct {
	// LFU keeps a frequency counter rather than a time of last access.
	LFU bool
	// LogFactor is lfu-log-factor: how many accesses it takes to raise
	// the counter, the higher the slower.
	LogFactor int64
	// DecayTime is lfu-decay-time: every this many minutes without an
	// access take one off the counter (0: it never decays).
	DecayTime int64
}

// lfuInitVal is the counter of a new key (LFU_INIT_VAL), so that a key
// just created is not evicted before it had a chance to be accessed.
const lfuInitVal = 5

// SetAccessPolicy changes how access clocks are kept from now on.
func (s *Store) SetAccessPolicy(p AccessPolicy) { s.policy.Store(&p) }

// AccessPolicy returns how access clocks are kept.
func (s *Store) AccessPolicy() AccessPolicy { return *s.policy.Load() }

// UsedBytes returns the approximate bytes of every database's keys and
// values, kept as they change, so reading it is one atomic load.
func (s *Store) UsedBytes() int64 { return s.used.Load() }

func lfuMinutes(now int64) int64 { return (now / 60000) & 65535 }

// clockMask selects the access clock of entry.clockTag.
const clockMask = 1<<24 - 1

// clock returns e's access clock.
func (e *entry) clock() uint32 { return e.clockTag.Load() & clockMask }

// setClock changes e's access clock, keeping its hash tag. Two readers
// setting it at once each keep the same tag, so neither loses it.
func (e *entry) setClock(c uint32) { e.clockTag.Store(e.clockTag.Load()&^clockMask | c&clockMask) }

// lruClock is the LRU clock of an access at now, Unix milliseconds.
func lruClock(now int64) uint32 { return uint32(max(0, now/1000)) & clockMask }

// idleMillis returns how long before now the LRU clock clock was, in
// whole seconds, with the wrap-around of Redis's estimateObjectIdleTime.
func idleMillis(clock uint32, now int64) int64 {
	c := lruClock(now)
	if c >= clock {
		return int64(c-clock) * 1000
	}
	return int64(c+(clockMask-clock)) * 1000
}

// lfuDecr returns the counter of clock lru as of now, decayed by the
// periods of lfu-decay-time elapsed since it was last decremented
// (LFUDecrAndReturn).
func lfuDecr(lru uint32, now int64, p *AccessPolicy) int64 {
	ldt := int64(lru>>8) & 65535
	counter := int64(lru & 255)
	m := lfuMinutes(now)
	elapsed := m - ldt
	if m < ldt {
		elapsed = 65535 - ldt + m
	}
	if p.DecayTime > 0 {
		periods := elapsed / p.DecayTime
		counter = max(0, counter-periods)
	}
	return counter
}

// lfuIncr raises counter with probability 1/((counter-5)*LogFactor+1)
// (LFULogIncr).
func (s *Store) lfuIncr(counter int64, p *AccessPolicy) int64 {
	if counter == 255 {
		return 255
	}
	const one = 1 << 53
	r := float64(s.rand.Uint64N(one)) / one
	base := float64(max(0, counter-lfuInitVal))
	if r < 1/(base*float64(p.LogFactor)+1) {
		counter++
	}
	return counter
}

// initAccess sets the clock of e, a new key, as Redis's createObject
// does.
func (s *Store) initAccess(e *entry, now int64) {
	if p := s.policy.Load(); p.LFU {
		e.setClock(uint32(lfuMinutes(now)<<8 | lfuInitVal))
		return
	}
	e.setClock(lruClock(now))
}

// access updates the clock of e for an access at now (updateLFU, or the
// LRU clock), as Redis's lookupKey does unless told LOOKUP_NOTOUCH.
func (s *Store) access(e *entry, now int64) {
	p := s.policy.Load()
	if !p.LFU {
		// Most accesses fall in the second of the one before: not
		// storing then keeps readers on other cores from bouncing the
		// entry's cache line between them.
		if c := lruClock(now); e.clock() != c {
			e.setClock(c)
		}
		return
	}
	c := s.lfuIncr(lfuDecr(e.clock(), now, p), p)
	e.setClock(uint32(lfuMinutes(now)<<8 | c))
}

// IdleTime returns milliseconds since key was last read or written, by
// its LRU clock (whole seconds, as Redis's), and whether the key exists.
func (tx *KeyLock) IdleTime(key []byte) (int64, bool) {
	_, _, e := tx.lookup(key)
	if e == nil {
		return 0, false
	}
	return idleMillis(e.clock(), tx.now), true
}

// Freq returns key's LFU counter as of now, decayed but not incremented
// (OBJECT FREQ), and whether the key exists.
func (tx *KeyLock) Freq(key []byte) (int64, bool) {
	_, _, e := tx.lookup(key)
	if e == nil {
		return 0, false
	}
	return lfuDecr(e.clock(), tx.now, tx.db.store.policy.Load()), true
}

// SetIdleTime makes key's last access idle milliseconds before now, as
// RESTORE's IDLETIME does, and reports whether the key exists. Under an
// LFU policy it changes nothing, as Redis's objectSetLRUOrLFU ignores an
// idle time then.
func (tx *KeyLock) SetIdleTime(key []byte, idle int64) bool {
	tx.mustWrite()
	_, _, e := tx.lookup(key)
	if e == nil {
		return false
	}
	if !tx.db.store.policy.Load().LFU {
		e.setClock(lruClock(tx.now - idle))
	}
	return true
}

// SetFreq sets key's LFU counter to freq (0 to 255), as RESTORE's FREQ
// does, and reports whether the key exists. Under an LRU policy it
// changes nothing, as in Redis.
func (tx *KeyLock) SetFreq(key []byte, freq int64) bool {
	tx.mustWrite()
	_, _, e := tx.lookup(key)
	if e == nil {
		return false
	}
	if tx.db.store.policy.Load().LFU {
		e.setClock(uint32(lfuMinutes(tx.now)<<8 | min(max(freq, 0), 255)))
	}
	return true
}

// ScoreKind is how Sample ranks keys for eviction.
type ScoreKind uint8

// The rankings of the approximated policies.
const (
	ScoreLRU ScoreKind = iota // idle time: the longest idle first
	ScoreLFU                  // 255 - frequency: the least used first
	ScoreTTL                  // the nearest deadline first
)

// A Candidate is a key Sample found, with its score: the higher, the
// better a key to evict.
type Candidate struct {
	DB    int
	Key   string
	Score uint64
}

// Sample appends to out up to n keys of d chosen at random, from every key
// or only those with a deadline (volatile), scored by kind, and returns
// out: Redis's dictGetSomeKeys for evictionPoolPopulate. The same key may
// come twice. It read-locks one shard at a time.
func (d *DB) Sample(n int, volatile bool, kind ScoreKind, out []Candidate) []Candidate {
	now := d.now()
	p := d.store.policy.Load()
	score := func(s *shard, e *entry) Candidate {
		c := Candidate{DB: d.Index(), Key: e.key}
		switch kind {
		case ScoreLRU:
			c.Score = uint64(idleMillis(e.clock(), now))
		case ScoreLFU:
			c.Score = uint64(255 - lfuDecr(e.clock(), now, p))
		case ScoreTTL:
			c.Score = math.MaxUint64 - uint64(s.expireAt(e))
		}
		return c
	}
	start := len(out)
	for range n {
		e, ok := d.randomEntry(volatile, score)
		if !ok {
			break // d is empty
		}
		out = append(out, e)
	}
	if hasDuplicateKey(out[start:]) {
		// Draws repeat for certain when d has fewer keys than the sample,
		// and could then miss the best. As dictGetSomeKeys, such a small
		// database gives all its keys. Counting them takes every shard's
		// lock, so it is done only when a draw repeated.
		st := d.Stats()
		avail := st.Keys
		if volatile {
			avail = st.Expiring
		}
		if avail <= n {
			return d.appendAll(volatile, score, out[:start])
		}
	}
	return out
}

// hasDuplicateKey reports whether two candidates name the same key; the
// samples are a handful, so a quadratic scan is cheapest.
func hasDuplicateKey(cs []Candidate) bool {
	for i := range cs {
		for j := i + 1; j < len(cs); j++ {
			if cs[i].Key == cs[j].Key {
				return true
			}
		}
	}
	return false
}

// appendAll appends f of every key of d, or of every key with a deadline,
// to out.
func (d *DB) appendAll(volatile bool, f func(*shard, *entry) Candidate, out []Candidate) []Candidate {
	for i := range d.shards {
		s := &d.shards[i]
		s.mu.RLock()
		if volatile {
			for _, x := range s.expiring {
				out = append(out, f(s, x.e))
			}
		} else {
			for _, e := range s.table.buckets {
				for ; e != nil; e = e.next {
					out = append(out, f(s, e))
				}
			}
		}
		s.mu.RUnlock()
	}
	return out
}

// RandomEvictable returns a key of d chosen at random, from every key or only
// those with a deadline, for the random eviction policies; false if there
// is none.
func (d *DB) RandomEvictable(volatile bool) (string, bool) {
	c, ok := d.randomEntry(volatile, func(_ *shard, e *entry) Candidate { return Candidate{Key: e.key} })
	return c.Key, ok
}

// randomEntry applies f to an entry chosen at random, under its shard's
// read lock: a random shard, then a random key in it (a random
// deadline-bearing key, or a random key of a random non-empty bucket's
// chain).
func (d *DB) randomEntry(volatile bool, f func(*shard, *entry) Candidate) (Candidate, bool) {
	r := &d.store.rand
	start := int(r.Uint64N(uint64(len(d.shards))))
	for k := range d.shards {
		s := &d.shards[(start+k)%len(d.shards)]
		s.mu.RLock()
		if volatile && len(s.expiring) > 0 {
			c := f(s, s.expiring[r.Uint64N(uint64(len(s.expiring)))].e)
			s.mu.RUnlock()
			return c, true
		}
		if !volatile && s.table.count > 0 {
			// Tables shrink below 10% fill, so a non-empty bucket is
			// found in a few draws.
			for {
				e := s.table.buckets[r.Uint64N(uint64(len(s.table.buckets)))]
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
				c := f(s, e)
				s.mu.RUnlock()
				return c, true
			}
		}
		s.mu.RUnlock()
	}
	return Candidate{}, false
}
