package db

import (
	"hash/maphash"
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// DefaultDatabases is Redis's default number of logical databases.
const DefaultDatabases = 16

// Rand is a source of randomness (RANDOMKEY). Tests inject a fixed one.
type Rand interface {
	// Uint64N returns a uniform number in [0, n).
	Uint64N(n uint64) uint64
}

// Options configure a Store. The zero value gives Redis's defaults.
type Options struct {
	// Databases is the number of logical databases; 0 means 16.
	Databases int
	// Shards is the number of independently locked parts of each database,
	// rounded up to a power of two; 0 means DefaultShards.
	Shards int
	// Clock supplies the time for expiry; nil means the system clock.
	Clock Clock
	// Rand supplies randomness; nil means a generator seeded at random.
	Rand Rand
	// OnExpired, if set, is called after a key is removed because its
	// deadline passed, with the key's database. It runs without any of the
	// store's locks held, and may publish notifications.
	OnExpired func(db *DB, key string)
	// EncodingLimits, if set, are the collections' encoding thresholds;
	// nil means DefaultEncodingLimits. Store.SetEncodingLimits changes
	// them later.
	EncodingLimits *EncodingLimits
	// OnReady, if set, is called when key comes to hold a value that
	// clients may be blocked waiting for (a list, for BLPOP and its
	// kin), where it held none: a list created by MutableList, or one
	// stored by Set or SetValue over a missing key or a value of another
	// type (RENAME, MOVE, COPY, a restore). It is what Redis's dbAdd
	// reports to signalKeyAsReady. It runs with the key's shard locked,
	// in the middle of the command's KeyLock: it must be quick, and must
	// not begin a KeyLock or wait for anything that holds one. A list
	// created and left empty is removed by Close, so a call does not
	// promise that the key still has data afterwards.
	OnReady func(d *DB, key string)
	// OnSwap, if set, is called after Swap exchanged databases i and j,
	// with no lock held: keys that clients wait for in either may have
	// come to hold data (Redis's scanDatabaseForReadyKeys).
	OnSwap func(i, j int)
}

// A Store is the whole keyspace: a fixed number of logical databases.
type Store struct {
	clock     Clock
	milli     MilliClock // clock, if it is one; else nil
	rand      lockedRand
	seed      maphash.Seed
	nshards   int
	onExpired func(db *DB, key string)
	onReady   func(db *DB, key string)
	onSwap    func(i, j int)

	// dbs are swapped by SWAPDB, hence atomic pointers; index i is what
	// SELECT i names.
	dbs []atomic.Pointer[DB]

	expiredKeys atomic.Int64 // keys removed on expiry, for INFO

	limits atomic.Pointer[EncodingLimits]

	// used is the bytes of every database's entries (see shard.addBytes).
	used atomic.Int64
	// policy is how keys' access clocks are kept (evict.go).
	policy atomic.Pointer[AccessPolicy]

	snapshotState // the open snapshot, if any (snapshot.go)

	// keepExpired is set while the server is a replica: keys expire on
	// the master only (see SetKeepExpired).
	keepExpired atomic.Bool
}

// SetKeepExpired makes the store keep keys whose deadline has passed, as a
// Redis replica does: reads see such a key as missing, but neither they nor
// ExpireCycle remove it; it goes when the master's DEL comes. Writes see it
// as live, as Redis's master client does, so that the master's commands
// apply to the data the master has. Off, expired keys are removed again by
// the reads that meet them and by the active sweep.
func (s *Store) SetKeepExpired(keep bool) { s.keepExpired.Store(keep) }

// KeepsExpired reports whether SetKeepExpired is on.
func (s *Store) KeepsExpired() bool { return s.keepExpired.Load() }

// New returns an empty store.
func New(opts Options) *Store {
	n := opts.Databases
	if n <= 0 {
		n = DefaultDatabases
	}
	shards := nextPow2(max(1, opts.Shards))
	if opts.Shards == 0 {
		shards = DefaultShards
	}
	s := &Store{
		clock:     opts.Clock,
		seed:      maphash.MakeSeed(),
		nshards:   shards,
		onExpired: opts.OnExpired,
		onReady:   opts.OnReady,
		onSwap:    opts.OnSwap,
		dbs:       make([]atomic.Pointer[DB], n),
	}
	lim := DefaultEncodingLimits()
	if opts.EncodingLimits != nil {
		lim = *opts.EncodingLimits
	}
	s.limits.Store(&lim)
	s.policy.Store(&AccessPolicy{LogFactor: 10, DecayTime: 1})
	if s.clock == nil {
		s.clock = SystemClock{}
	}
	s.milli, _ = s.clock.(MilliClock)
	if opts.Rand != nil {
		s.rand.r = opts.Rand
	} else {
		s.rand.r = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	for i := range s.dbs {
		s.dbs[i].Store(s.newDB(i))
	}
	return s
}

func (s *Store) newDB(index int) *DB {
	d := newDB(s, s.nshards)
	d.index.Store(int32(index))
	return d
}

// lockedRand makes a Rand safe for concurrent use.
type lockedRand struct {
	mu sync.Mutex
	r  Rand
}

func (l *lockedRand) Uint64N(n uint64) uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Uint64N(n)
}

// Databases returns the number of logical databases.
func (s *Store) Databases() int { return len(s.dbs) }

// DB returns database i, or nil if i is out of range.
func (s *Store) DB(i int) *DB {
	if i < 0 || i >= len(s.dbs) {
		return nil
	}
	return s.dbs[i].Load()
}

// Clock returns the store's clock.
func (s *Store) Clock() Clock { return s.clock }

// UnixMilli returns Clock().Now().UnixMilli(), the cheaper way when the
// clock is a MilliClock.
func (s *Store) UnixMilli() int64 {
	if s.milli != nil {
		return s.milli.UnixMilli()
	}
	return s.clock.Now().UnixMilli()
}

// ExpiredKeys returns how many keys have been removed because their
// deadline passed.
func (s *Store) ExpiredKeys() int64 { return s.expiredKeys.Load() }

// Swap exchanges databases i and j (SWAPDB). Clients that selected i now
// see what was j. Watchers of keys in either database are told, as Redis
// does, since the keys they watch may now hold other values. Swapping a
// database with itself changes nothing and tells no watcher, as in Redis.
//
// Swap waits for the Txs open on either database. Callers that look a
// database up by number must not run beside it (the server pauses every
// command), or they would use the database the number named before.
func (s *Store) Swap(i, j int) {
	if i == j {
		return
	}
	s.swap(i, j)
	if s.onSwap != nil {
		s.onSwap(i, j)
	}
}

func (s *Store) swap(i, j int) {
	di, dj := s.DB(i), s.DB(j)
	// Even with every command paused, a background save reads shards
	// (Snapshot.Range) and a client that disconnects drops its watches:
	// lock both databases, in the order of their numbers, as lockPair does.
	first, second := di, dj
	if j < i {
		first, second = dj, di
	}
	first.lockAll()
	second.lockAll()
	defer first.unlockAll()
	defer second.unlockAll()
	// An open snapshot needs no copy: it holds the databases themselves,
	// by their numbers at its start, and their contents do not change.
	di.touchAllWatched(dj)
	dj.touchAllWatched(di)
	s.dbs[i].Store(dj)
	s.dbs[j].Store(di)
	dj.index.Store(int32(i))
	di.index.Store(int32(j))
	// Watches follow the database number, not the data: move them back.
	for k := range di.shards {
		a, b := &di.shards[k], &dj.shards[k]
		a.watched, b.watched = b.watched, a.watched
		a.rehome(di)
		b.rehome(dj)
	}
}

// FlushAll empties every database.
func (s *Store) FlushAll() {
	for i := range s.dbs {
		s.DB(i).Flush()
	}
}
