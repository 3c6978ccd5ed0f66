// Package db is the keyspace of a Redis server: keys in shards, each behind
// its own lock, with values that may expire at a millisecond instant.
//
// Expired keys are removed lazily: every access checks the deadline first,
// so an expired key is never seen.
package db

import (
	"hash/maphash"
	"sync"
	"time"
)

// DefaultShards is the number of shards of a DB when Options.Shards is 0.
const DefaultShards = 64

// Options configure a DB. The zero value is usable.
type Options struct {
	// Shards is the number of independently locked parts of the keyspace,
	// rounded up to a power of two. 0 means DefaultShards.
	Shards int
	// Clock supplies the time for expiry. nil means the system clock.
	Clock Clock
}

// A DB is a concurrency-safe keyspace of byte-string values.
type DB struct {
	clock  Clock
	seed   maphash.Seed
	mask   uint64
	shards []shard
}

type shard struct {
	mu   sync.RWMutex
	keys map[string]*entry
}

// entry is one key's value. value is never modified once stored: writers
// replace the entry, so readers may keep a value after unlocking.
type entry struct {
	value    []byte
	expireAt int64 // Unix milliseconds; 0 means no expiry
}

// New returns an empty DB.
func New(opts Options) *DB {
	n := 1
	for n < opts.Shards || (opts.Shards == 0 && n < DefaultShards) {
		n <<= 1
	}
	clock := opts.Clock
	if clock == nil {
		clock = SystemClock{}
	}
	d := &DB{clock: clock, seed: maphash.MakeSeed(), mask: uint64(n - 1), shards: make([]shard, n)}
	for i := range d.shards {
		d.shards[i].keys = make(map[string]*entry)
	}
	return d
}

func (d *DB) shard(key []byte) *shard {
	return &d.shards[maphash.Bytes(d.seed, key)&d.mask]
}

func (d *DB) nowMs() int64 { return d.clock.Now().UnixMilli() }

func (e *entry) expired(now int64) bool { return e.expireAt != 0 && e.expireAt <= now }

// Get returns the value of key, and whether it exists. The value must not be
// modified.
func (d *DB) Get(key []byte) ([]byte, bool) {
	s := d.shard(key)
	now := d.nowMs()
	s.mu.RLock()
	e, ok := s.keys[string(key)]
	s.mu.RUnlock()
	if !ok {
		return nil, false
	}
	if e.expired(now) {
		d.removeExpired(s, key, now)
		return nil, false
	}
	return e.value, true
}

// removeExpired deletes key if it is (still) expired at now.
func (d *DB) removeExpired(s *shard, key []byte, now int64) {
	s.mu.Lock()
	if e, ok := s.keys[string(key)]; ok && e.expired(now) {
		delete(s.keys, string(key))
	}
	s.mu.Unlock()
}

// Set stores value under key, copying both. A positive ttl makes the key
// expire after it; otherwise the key does not expire.
func (d *DB) Set(key, value []byte, ttl time.Duration) {
	e := &entry{value: append([]byte(nil), value...)}
	if ttl > 0 {
		e.expireAt = d.clock.Now().Add(ttl).UnixMilli()
	}
	s := d.shard(key)
	s.mu.Lock()
	s.keys[string(key)] = e
	s.mu.Unlock()
}

// Delete removes the keys and returns how many existed.
func (d *DB) Delete(keys ...[]byte) int {
	now := d.nowMs()
	n := 0
	for _, key := range keys {
		s := d.shard(key)
		s.mu.Lock()
		if e, ok := s.keys[string(key)]; ok {
			delete(s.keys, string(key))
			if !e.expired(now) {
				n++
			}
		}
		s.mu.Unlock()
	}
	return n
}

// Exists returns how many of keys exist; a key named twice counts twice.
func (d *DB) Exists(keys ...[]byte) int {
	n := 0
	for _, key := range keys {
		if _, ok := d.Get(key); ok {
			n++
		}
	}
	return n
}

// Len returns the number of keys, counting expired keys not yet removed.
func (d *DB) Len() int {
	n := 0
	for i := range d.shards {
		s := &d.shards[i]
		s.mu.RLock()
		n += len(s.keys)
		s.mu.RUnlock()
	}
	return n
}
