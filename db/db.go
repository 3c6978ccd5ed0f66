// Package db is the keyspace of a Redis server: 16 logical databases, each
// split into shards behind their own locks, holding typed values that may
// expire at a millisecond instant.
//
// Commands work on keys through a KeyLock, which locks the shards of the
// keys one command names (in a fixed order, so that commands never
// deadlock) and sees them as of one instant. It is not a transaction:
// MULTI/EXEC is the server's. Expired keys are never seen: every access checks
// the deadline (lazy expiry), and a background sweep like Redis's removes
// expired keys nobody touches (active expiry).
package db

import (
	"hash/maphash"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"
)

// DefaultShards is the number of shards of each database when
// Options.Shards is 0.
const DefaultShards = 64

// entry is one key. Its fields change only under its shard's write lock.
//
// It is 48 bytes, and a key created with a string value is a stringEntry,
// which holds the String too, in 64, one of the allocator's size classes
// (see newEntry): with the array of its key's and value's bytes and the
// hash table's slot, a small string key costs about 64 + 24 + 8 bytes,
// where Redis's dictEntry, sds key and embstr object come to about 80.
type entry struct {
	key   string
	next  *entry // chain in the shard's table
	value Value
	// expIndex is the key's position in shard.expiring, which holds its
	// deadline, or -1 if it has none: most keys have none, and the
	// deadline kept there rather than here makes the entry, with a
	// String, fit the allocator's 64-byte class. For the same reason the
	// entry keeps no more of its key's hash than clockTag's 8 bits: the
	// table computes it again when it resizes.
	expIndex int32
	// clockTag holds, in its low 24 bits, the key's access clock, Redis's
	// 24-bit robj lru field (see evict.go): under an LRU (or no) policy
	// the Unix second of the last read or write, mod 2^24, for OBJECT
	// IDLETIME; under an LFU policy the minute of the last decrement and
	// a logarithmic counter. Readers update it under a read lock, hence
	// atomic. Its top 8 bits are a tag of the key's hash (hashTag), set
	// when the entry joins a table and never changed, so that a lookup
	// passes over most other keys of its bucket without reading their
	// bytes, which sit in another allocation.
	clockTag atomic.Uint32
}

// A stringEntry is an entry created with a string value, and that value,
// in one allocation: e.value points at str. Strings are immutable once
// stored and readers may keep one after the lock is released, so a later
// value never reuses str: it is stored on its own, and str stays as it was,
// unused, for as long as the entry or a reader keeps it.
type stringEntry struct {
	entry
	str String
}

// inlineStringMax is the longest key and value newEntry copies into one
// array; a longer value keeps its own array, which copying would not make
// smaller.
const inlineStringMax = 64

// newEntry returns a new entry for key holding v. A string value is
// copied into a stringEntry (newStringEntry).
func newEntry(key []byte, v Value) *entry {
	if s, ok := v.(*String); ok {
		return newStringEntry(key, s, s.Bytes())
	}
	return &entry{key: string(key), value: v, expIndex: -1}
}

// newStringEntry returns a new stringEntry for key holding a string value
// like s, or a plain one if s is nil, of bytes b.
// Short bytes are copied into one array with the key's (String.Append
// never writes into it: the value's capacity ends with its bytes). Longer
// ones are s's own, which it takes ownership of, or a copy of b if s is
// nil.
func newStringEntry(key []byte, s *String, b []byte) *entry {
	se := &stringEntry{}
	if s != nil {
		se.str = *s
	}
	if n := len(key) + len(b); n <= inlineStringMax {
		buf := make([]byte, n)
		copy(buf, key)
		copy(buf[len(key):], b)
		se.key = unsafe.String(unsafe.SliceData(buf), len(key))
		se.str.setBytes(buf[len(key):n:n])
	} else {
		se.key = string(key)
		if s == nil {
			se.str.setBytes(append([]byte(nil), b...))
		}
	}
	se.value, se.expIndex = &se.str, -1
	return &se.entry
}

// expiry is a key with a deadline.
type expiry struct {
	e  *entry
	at int64 // Unix milliseconds, not 0
}

// expireAt returns e's deadline, 0 if it has none.
func (s *shard) expireAt(e *entry) int64 {
	if e.expIndex < 0 {
		return 0
	}
	return s.expiring[e.expIndex].at
}

// expired reports whether e, of shard s, has a deadline not after now.
func (s *shard) expired(e *entry, now int64) bool {
	return e.expIndex >= 0 && s.expiring[e.expIndex].at <= now
}

// entryOverhead approximates the bytes an entry costs beyond its key and
// value (whose Size counts a String's header): the 48-byte struct, the
// bucket slot, and the allocator's rounding up of the key's array.
const entryOverhead = 64

// size is what the shard counts for e. A collection changed in place
// counts its new size only once settled (collection.go), which is done
// before the entry is removed or given another value.
func (e *entry) size() int { return len(e.key) + e.value.Size() + entryOverhead }

type shard struct {
	mu    sync.RWMutex
	table table
	// expiring lists the entries that have a deadline, so the active
	// expiry sweep visits only those.
	expiring []expiry
	// expireCursor is where the next active expiry sweep resumes.
	expireCursor int
	bytes        int64 // approximate memory of the entries
	// watched maps keys to the transactions that WATCH them.
	watched map[string][]*watched
	// index is the shard's position in its database.
	index int
	// capturedBy is the id of the last snapshot that copied the shard.
	capturedBy uint64
	// total is the store's count of every shard's bytes (Store.used),
	// which maxmemory reads at each command without visiting the shards.
	total *atomic.Int64
}

// addBytes changes the shard's bytes, and the store's total, by n.
func (s *shard) addBytes(n int64) {
	s.bytes += n
	s.total.Add(n)
}

// A DB is one logical database: a concurrency-safe map from keys to values.
type DB struct {
	index  atomic.Int32 // the number SELECT uses for it; changes with SWAPDB
	store  *Store
	seed   maphash.Seed
	shift  uint // hash >> shift selects the shard
	shards []shard
}

func newDB(store *Store, nshards int) *DB {
	d := &DB{store: store, seed: store.seed, shards: make([]shard, nshards)}
	for i := range d.shards {
		d.shards[i].index = i
		d.shards[i].table.seed = store.seed
		d.shards[i].total = &store.used
	}
	d.shift = 64 - uint(log2(nshards))
	return d
}

func log2(n int) int {
	l := 0
	for n > 1 {
		n >>= 1
		l++
	}
	return l
}

// Index returns the database's number, as SELECT names it.
func (d *DB) Index() int { return int(d.index.Load()) }

func (d *DB) hash(key []byte) uint64 { return maphash.Bytes(d.seed, key) }

// shardIndex uses the hash's top bits; the tables use its bottom bits, so
// the two choices are independent.
func (d *DB) shardIndex(h uint64) int {
	if d.shift >= 64 {
		return 0
	}
	return int(h >> d.shift)
}

func (d *DB) now() int64 { return d.store.UnixMilli() }

// Len returns the number of keys, counting keys that have expired but not
// yet been removed, as Redis's DBSIZE does.
func (d *DB) Len() int { return d.Stats().Keys }

// Stats are the counts INFO keyspace and the admin API report for a DB.
type Stats struct {
	Keys     int   // keys, including expired ones not yet removed
	Expiring int   // keys with a deadline
	Bytes    int64 // approximate memory taken by keys and values
}

// Stats returns the database's counts.
func (d *DB) Stats() Stats {
	var st Stats
	for i := range d.shards {
		s := &d.shards[i]
		s.mu.RLock()
		st.Keys += s.table.count
		st.Expiring += len(s.expiring)
		st.Bytes += s.bytes
		s.mu.RUnlock()
	}
	return st
}

// maxInlineShards is how many keys a KeyLock handles without allocating;
// commands naming more keys allocate once.
const maxInlineShards = 4

// A KeyLock is a view of some keys of a DB with their shards locked, for
// one command: a read KeyLock shares the locks with other readers, a write
// KeyLock excludes everyone. All keys it touches must be named when it
// begins. Close releases the locks. A KeyLock is a value, kept on the
// caller's stack; do not copy one that has begun.
//
// A KeyLock sees the keyspace at the instant it began: a key whose deadline
// passes during the KeyLock stays visible until Close.
type KeyLock struct {
	db      *DB
	now     int64
	write   bool
	nInline int
	inline  [maxInlineShards]int
	more    []int // all the shard indexes, when there are too many for inline
	all     bool  // every shard is locked (ReadAll, WriteAll)
	// key0 and hash0 remember the first key's hash, so the usual one-key
	// command hashes its key once.
	key0  []byte
	hash0 uint64
	// expired collects keys found past their deadline: in a write KeyLock,
	// deleted, to be reported to the store's expiry hook after the locks
	// are released; in a read KeyLock, to be deleted then.
	expired []string
	// changed are the collections handed out for change in place, settled
	// by Close (collection.go); changed0 keeps the usual one without an
	// allocation.
	changed0 change
	changed  []change
}

// Read begins a read-only KeyLock over keys.
func (d *DB) Read(keys ...[]byte) (tx KeyLock) {
	d.beginInto(&tx, false, keys, false)
	return tx
}

// Write begins a read-write KeyLock over keys.
func (d *DB) Write(keys ...[]byte) (tx KeyLock) {
	d.beginInto(&tx, true, keys, false)
	return tx
}

// ReadAll begins a read-only KeyLock over every key of d, for a command
// that learns which keys it reads only as it runs: SORT, whose BY and GET
// patterns name keys made from the elements it sorts. It shares the locks
// with other readers, but waits for every writer.
func (d *DB) ReadAll() KeyLock { return d.begin(false, nil, true) }

// WriteAll is ReadAll for a command that also writes (SORT ... STORE): it
// excludes every other command on d while it lasts.
func (d *DB) WriteAll() KeyLock { return d.begin(true, nil, true) }

func (d *DB) begin(write bool, keys [][]byte, all bool) (tx KeyLock) {
	d.beginInto(&tx, write, keys, all)
	return tx
}

// beginInto is begin filling in tx, which is zero: Read and Write, inlined
// in their callers, have it fill the caller's KeyLock rather than build
// one and copy it out.
func (d *DB) beginInto(tx *KeyLock, write bool, keys [][]byte, all bool) {
	tx.db, tx.write, tx.all = d, write, all
	if len(keys) > 0 {
		tx.key0, tx.hash0 = keys[0], d.hash(keys[0])
	} else {
		// shardFor takes hash0 for a key equal to key0, nil here: the
		// empty key's hash.
		tx.hash0 = d.hash(nil)
	}
	switch {
	case all:
		tx.more = make([]int, len(d.shards))
		for i := range tx.more {
			tx.more[i] = i
		}
	case len(keys) <= maxInlineShards:
		for n, k := range keys {
			h := tx.hash0
			if n > 0 {
				h = d.hash(k)
			}
			i := d.shardIndex(h)
			if !slices.Contains(tx.inline[:tx.nInline], i) {
				tx.inline[tx.nInline] = i
				tx.nInline++
			}
		}
		if tx.nInline > 1 {
			slices.Sort(tx.inline[:tx.nInline])
		}
	default:
		more := make([]int, 0, len(keys))
		for _, k := range keys {
			if i := d.shardIndex(d.hash(k)); !slices.Contains(more, i) {
				more = append(more, i)
			}
		}
		slices.Sort(more)
		tx.more = more
	}
	// Shards are always locked in ascending order, so two Txs over the same
	// shards can never each hold one the other waits for.
	for _, i := range tx.locked() {
		if write {
			d.shards[i].mu.Lock()
			d.beforeWrite(&d.shards[i])
		} else {
			d.shards[i].mu.RLock()
		}
	}
	tx.now = d.now()
}

// locked returns the indexes of the shards the KeyLock holds, ascending.
func (tx *KeyLock) locked() []int {
	if tx.more != nil {
		return tx.more
	}
	return tx.inline[:tx.nInline]
}

// Now returns the instant, in Unix milliseconds, at which the KeyLock sees the
// keyspace.
func (tx *KeyLock) Now() int64 { return tx.now }

// Close releases the KeyLock's locks and reports keys it found expired.
func (tx *KeyLock) Close() {
	d := tx.db
	tx.settle()
	for _, i := range tx.locked() {
		if tx.write {
			d.shards[i].mu.Unlock()
		} else {
			d.shards[i].mu.RUnlock()
		}
	}
	tx.nInline, tx.more, tx.all = 0, nil, false
	if tx.write {
		d.reportExpired(tx.expired)
	} else {
		d.removeStale(tx.expired)
	}
}

// removeStale removes those of keys that are still expired, keys that a
// read found expired but could not remove, holding only read locks.
func (d *DB) removeStale(keys []string) {
	if len(keys) == 0 {
		return
	}
	var gone []string
	for _, key := range keys {
		h := d.hash([]byte(key))
		s := &d.shards[d.shardIndex(h)]
		s.mu.Lock()
		// Looked up again: another client may have set the key anew.
		if e := s.table.find([]byte(key), h); e != nil && s.expired(e, d.now()) {
			d.beforeWrite(s)
			d.removeExpired(s, e)
			gone = append(gone, key)
		}
		s.mu.Unlock()
	}
	d.reportExpired(gone)
}

// shardFor returns the shard of key, which the KeyLock must have locked.
func (tx *KeyLock) shardFor(key []byte) (*shard, uint64) {
	var h uint64
	if string(key) == string(tx.key0) {
		h = tx.hash0
	} else {
		h = tx.db.hash(key)
	}
	i := tx.db.shardIndex(h)
	if !tx.all && !slices.Contains(tx.locked(), i) {
		// A bug in the caller, not a runtime condition: the key was not
		// named when the KeyLock began.
		panic("db: KeyLock used with a key it was not opened for: " + string(key))
	}
	return &tx.db.shards[i], h
}

// lookup returns the live entry of key. An entry that has expired is
// removed, as Redis's lookups remove it: at once in a write KeyLock, by Close
// in a read KeyLock, which holds only read locks.
func (tx *KeyLock) lookup(key []byte) (*shard, uint64, *entry) {
	s, h := tx.shardFor(key)
	e := s.table.find(key, h)
	if e == nil {
		return s, h, nil
	}
	if s.expired(e, tx.now) {
		if tx.db.store.keepExpired.Load() {
			// A replica: the master decides when the key goes.
			if tx.write {
				return s, h, e
			}
			return s, h, nil
		}
		if tx.write {
			tx.db.removeExpired(s, e)
		}
		tx.expired = append(tx.expired, e.key)
		return s, h, nil
	}
	return s, h, e
}

// Get returns the value of key, or nil if it does not exist.
func (tx *KeyLock) Get(key []byte) Value {
	_, _, e := tx.lookup(key)
	if e == nil {
		return nil
	}
	tx.db.store.access(e, tx.now)
	return e.value
}

// Peek is Get without counting as an access (OBJECT, TYPE and friends must
// not reset the idle time).
func (tx *KeyLock) Peek(key []byte) Value {
	_, _, e := tx.lookup(key)
	if e == nil {
		return nil
	}
	return e.value
}

// Exists reports whether key exists.
func (tx *KeyLock) Exists(key []byte) bool {
	_, _, e := tx.lookup(key)
	return e != nil
}

// ExpireAt returns key's deadline in Unix milliseconds, 0 if it has none,
// and whether the key exists.
func (tx *KeyLock) ExpireAt(key []byte) (int64, bool) {
	s, _, e := tx.lookup(key)
	if e == nil {
		return 0, false
	}
	return s.expireAt(e), true
}

// Touch marks key as accessed now, and reports whether it exists.
func (tx *KeyLock) Touch(key []byte) bool {
	_, _, e := tx.lookup(key)
	if e == nil {
		return false
	}
	tx.db.store.access(e, tx.now)
	return true
}

func (tx *KeyLock) mustWrite() {
	if !tx.write {
		panic("db: write through a read-only KeyLock")
	}
}

// Set stores v under key with the deadline expireAt (Unix milliseconds, 0
// for none), replacing any value and deadline the key had.
func (tx *KeyLock) Set(key []byte, v Value, expireAt int64) {
	tx.put(key, v, nil, expireAt, false, false)
}

// SetValue stores v under key keeping the key's deadline, if it has one
// (SET KEEPTTL, APPEND, INCR and the other commands that change a value).
func (tx *KeyLock) SetValue(key []byte, v Value) {
	tx.put(key, v, nil, 0, true, false)
}

// Overwrite stores v under key with no deadline, as Set does, for the
// commands that store a result (ZUNIONSTORE and its kin), as Redis's
// setKey does: over a key that exists, whatever it held, it tells no
// blocked client that the key is ready (Redis's dbOverwrite does not), so
// a client waiting for a sorted set on a key that held a string is served
// only once the key is created anew. A new key is signalled as Set's is.
func (tx *KeyLock) Overwrite(key []byte, v Value) {
	tx.put(key, v, nil, 0, false, true)
}

// SetString stores under key a string value holding a copy of b, as Set
// does with NewString of a copy, but a new key takes one allocation fewer
// and leaves no garbage (SET, MSET, DEBUG POPULATE, loading a dump).
func (tx *KeyLock) SetString(key, b []byte, expireAt int64) {
	tx.put(key, nil, b, expireAt, false, false)
}

// SetStringValue is SetString keeping the key's deadline (SET KEEPTTL).
func (tx *KeyLock) SetStringValue(key, b []byte) {
	tx.put(key, nil, b, 0, true, false)
}

// put is Set, or SetValue when keepTTL is set, with one table lookup;
// overwrite signals readiness only for a new key (Overwrite). A nil v
// stores a string value holding a copy of b.
func (tx *KeyLock) put(key []byte, v Value, b []byte, expireAt int64, keepTTL, overwrite bool) {
	tx.mustWrite()
	s, h, e := tx.lookup(key)
	var ready bool
	if e == nil {
		if v == nil {
			e = newStringEntry(key, nil, b)
		} else {
			e = newEntry(key, v)
		}
		v = e.value
		tx.adopt(v)
		ready = blockable(v.Type())
		tx.db.store.initAccess(e, tx.now)
		s.table.insert(e, h)
		s.addBytes(int64(e.size()))
	} else {
		if v == nil {
			v = NewString(append([]byte(nil), b...))
		}
		tx.adopt(v)
		tx.db.store.access(e, tx.now)
		ready = blockable(v.Type()) && !overwrite && e.value.Type() != v.Type()
		tx.db.signalStreamGone(e)
		tx.forget(e)
		s.addBytes(int64(v.Size() - e.value.Size()))
		e.value = v
		if keepTTL {
			expireAt = s.expireAt(e)
		}
	}
	s.setExpire(e, expireAt)
	s.touch(e.key)
	if c, ok := v.(collection); ok {
		tx.track(s, e, c)
	}
	if ready {
		tx.signalReady(e.key)
	}
}

// blockable reports whether clients may block waiting for a key to hold a
// value of type t: BLPOP and its kin wait for lists, BZPOPMIN and its kin
// for sorted sets, XREAD for streams.
func blockable(t Type) bool { return t == TypeList || t == TypeZSet || t == TypeStream }

// signalReady reports to Options.OnReady that key, which the KeyLock holds,
// came to hold a value clients may wait for.
func (tx *KeyLock) signalReady(key string) {
	if f := tx.db.store.onReady; f != nil {
		f(tx.db, key)
	}
}

// Unshare replaces the value of key, if it exists, with v, which holds the
// same bytes in another encoding, as Redis's dbUnshareStringValue does
// before a command edits a string in place: it is no change to the key,
// so its watchers are not told, and its deadline stays.
func (tx *KeyLock) Unshare(key []byte, v Value) {
	tx.mustWrite()
	s, _, e := tx.lookup(key)
	if e == nil {
		return
	}
	s.addBytes(int64(v.Size() - e.value.Size()))
	e.value = v
}

// AddQuietly stores v under key, with no deadline, if the key does not
// exist, without telling the key's watchers: a key Redis adds (dbAdd)
// without signalling a change, as BITFIELD does for a string it made for
// writes that all failed under OVERFLOW FAIL. It reports whether it
// stored v.
func (tx *KeyLock) AddQuietly(key []byte, v Value) bool {
	tx.mustWrite()
	s, h, e := tx.lookup(key)
	if e != nil {
		return false
	}
	tx.adopt(v)
	e = newEntry(key, v)
	v = e.value
	tx.db.store.initAccess(e, tx.now)
	s.table.insert(e, h)
	s.addBytes(int64(e.size()))
	if c, ok := v.(collection); ok {
		tx.track(s, e, c)
	}
	if blockable(v.Type()) {
		tx.signalReady(e.key)
	}
	return true
}

// SetExpire changes the deadline of key (0 removes it) and reports whether
// the key exists. To expire a key at once, Delete it: Redis does the same
// for EXPIRE with a time in the past.
func (tx *KeyLock) SetExpire(key []byte, expireAt int64) bool {
	tx.mustWrite()
	s, _, e := tx.lookup(key)
	if e == nil {
		return false
	}
	s.setExpire(e, expireAt)
	s.touch(e.key)
	return true
}

// Delete removes key and reports whether it existed.
func (tx *KeyLock) Delete(key []byte) bool {
	tx.mustWrite()
	s, _, e := tx.lookup(key)
	if e == nil {
		return false
	}
	tx.forget(e)
	tx.db.unlink(s, e)
	s.touch(e.key)
	return true
}

// unlink removes e from its shard.
func (d *DB) unlink(s *shard, e *entry) {
	s.table.remove(e)
	s.removeExpiring(e)
	s.addBytes(-int64(e.size()))
	d.signalStreamGone(e)
}

// signalStreamGone reports to Options.OnReady that e, about to be removed
// or given another value, held a stream: clients blocked in XREADGROUP on
// it must be told, as Redis's signalDeletedKeyAsReady does.
func (d *DB) signalStreamGone(e *entry) {
	if _, ok := e.value.(*Stream); ok && d.store.onReady != nil {
		d.store.onReady(d, e.key)
	}
}

// setExpire sets e's deadline, at (0 for none), in the expiring list.
func (s *shard) setExpire(e *entry, at int64) {
	switch {
	case at != 0 && e.expIndex < 0:
		e.expIndex = int32(len(s.expiring))
		s.expiring = append(s.expiring, expiry{e: e, at: at})
	case at != 0:
		s.expiring[e.expIndex].at = at
	default:
		s.removeExpiring(e)
	}
}

func (s *shard) removeExpiring(e *entry) {
	i := e.expIndex
	if i < 0 {
		return
	}
	last := len(s.expiring) - 1
	s.expiring[i] = s.expiring[last]
	s.expiring[i].e.expIndex = i
	s.expiring[last] = expiry{}
	s.expiring = s.expiring[:last]
	e.expIndex = -1
	// Give back the array of a list that deadlines came off in bulk.
	if cap(s.expiring) > 64 && len(s.expiring) < cap(s.expiring)/4 {
		s.expiring = slices.Clone(s.expiring)
	}
}
