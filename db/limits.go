package db

// EncodingLimits are the thresholds at which a collection leaves its
// compact encoding for the general one, Redis's *-max-listpack-* and
// set-max-intset-entries settings. The server sets them at runtime
// (CONFIG SET) with Store.SetEncodingLimits; mutators that may convert an
// encoding take them as an argument, read once per command from
// KeyLock.Limits.
//
// Conversions are one-way, as in Redis 7.0: lowering a limit converts no
// existing value, and a value that shrinks below a limit keeps its general
// encoding. A value is checked against the limits only when a command adds
// to it, or, for a hash, sets one of its fields (Hash.Set).
type EncodingLimits struct {
	// ListMaxListpackSize is list-max-listpack-size: a negative number
	// -1 to -5 bounds each quicklist node to 4, 8, 16, 32 or 64 KB, a
	// positive one to that many entries. Redis 7.0 reports every list as
	// "quicklist" whatever its size (the listpack list encoding is Redis
	// 7.2's; checked with redis-server 7.0.15 at sizes -2 and 1), so the
	// setting changes no reply, and List, which has no nodes, ignores it.
	// It is here for CONFIG GET and SET.
	ListMaxListpackSize int
	// HashMaxListpackEntries is hash-max-listpack-entries: a hash with
	// more fields is a "hashtable".
	HashMaxListpackEntries int
	// HashMaxListpackValue is hash-max-listpack-value: a hash given a
	// field or value longer than this is a "hashtable".
	HashMaxListpackValue int
	// SetMaxIntsetEntries is set-max-intset-entries: a set of integers
	// with more members is a "hashtable".
	SetMaxIntsetEntries int
	// ZSetMaxListpackEntries is zset-max-listpack-entries: a sorted set
	// with more members is a "skiplist".
	ZSetMaxListpackEntries int
	// ZSetMaxListpackValue is zset-max-listpack-value: a sorted set given
	// a member longer than this is a "skiplist".
	ZSetMaxListpackValue int
	// StreamNodeMaxBytes is stream-node-max-bytes: a stream starts a new
	// node when adding an entry would make its last node's listpack
	// reach this many bytes (0: no limit but Redis's 1 GB).
	StreamNodeMaxBytes int
	// StreamNodeMaxEntries is stream-node-max-entries: a stream starts a
	// new node when its last holds this many entries, deleted ones
	// included (0: no limit).
	StreamNodeMaxEntries int
}

// DefaultEncodingLimits returns the limits Redis 7.0.15 starts with when
// no configuration file sets them (its built-in defaults, checked with
// CONFIG GET; the sample redis.conf says 128 for hash-max-listpack-entries,
// but the server's own default is 512).
func DefaultEncodingLimits() EncodingLimits {
	return EncodingLimits{
		ListMaxListpackSize:    -2,
		HashMaxListpackEntries: 512,
		HashMaxListpackValue:   64,
		SetMaxIntsetEntries:    512,
		ZSetMaxListpackEntries: 128,
		ZSetMaxListpackValue:   64,
		StreamNodeMaxBytes:     4096,
		StreamNodeMaxEntries:   100,
	}
}

// EncodingLimits returns the limits in force.
func (s *Store) EncodingLimits() EncodingLimits { return *s.limits.Load() }

// SetEncodingLimits changes the limits for the commands that begin from
// now on.
func (s *Store) SetEncodingLimits(l EncodingLimits) { s.limits.Store(&l) }

// Limits returns the encoding limits for the KeyLock's command.
func (tx *KeyLock) Limits() EncodingLimits { return tx.db.store.EncodingLimits() }

// Rand returns the store's source of randomness, for commands that pick
// random elements (SPOP, SRANDMEMBER, HRANDFIELD).
func (tx *KeyLock) Rand() Rand { return &tx.db.store.rand }
