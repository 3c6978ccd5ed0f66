package db

// Collections (lists, hashes, sets and sorted sets) are changed in place: LPUSH on a
// list of a million elements must not copy it. Three things that the
// immutability of strings gave for free are kept by hand here.
//
// Snapshots. A Snapshot holds pointers to the values of each shard as they
// were when it began (snapshot.go), so a collection it may hold must not
// change under it. Every collection records in its header an epoch: one
// more than the id of the newest snapshot begun when the collection was
// stored or last cloned. A snapshot with id n can hold the collection only
// if epoch <= n: a collection stored while snapshot n is open went into a
// shard that snapshot had already copied (every write KeyLock captures its
// shards when it begins), and snapshots begin only while no command runs.
// So KeyLock.MutableList and its siblings, when a snapshot is open and the
// collection's epoch is not past it, clone the collection, store the clone
// under the key and hand out the clone: the snapshot keeps the original,
// which nothing changes any more. That costs one copy per collection
// changed per snapshot, like the pages a forked Redis copies, and nothing
// when no snapshot is open. The copy shares the elements' arrays, which no
// change writes to (a change replaces an element with a new array), so it
// costs the collection's skeleton: for a list, a slice header an element.
// Readers never see a half-made change: a collection is changed only under
// its shard's write lock, and the snapshot's copy is never changed.
//
// Memory. Each collection keeps a running Size, O(1) to read. The shard
// counts the Size a collection had when the KeyLock handed it out for
// change (change.size); Close adds the difference, and so does a delete or
// a new value of the key before it takes the key's Size off the count.
//
// Emptiness and WATCH. Each collection counts its changes (colHeader.mods).
// Close tells the key's watchers if the count moved, as Redis's
// signalModifiedKey after a change, and deletes a collection left empty,
// as Redis deletes a list, hash or set when its last element goes. A
// collection created by Mutable* and left empty is removed without
// telling anyone: nothing changed. A collection stored with Set or
// SetValue is settled the same way, so storing an empty one stores
// nothing.
//
// A collection belongs to one key: a command that stores one under a
// second key must Clone it (COPY does), or changes through either key
// would show in both. Moving one (MOVE, RENAME) keeps its epoch, so a
// snapshot that holds it under the old key is still protected.

// collection is a Value changed in place.
type collection interface {
	Value
	// Len returns the number of elements; a collection of none is deleted.
	Len() int
	hdr() *colHeader
	// clone returns a deep copy in the same encoding, with a zero header
	// (COPY).
	clone() collection
	// cow returns a copy in the same encoding and of the same Size, with
	// a zero header, that may share the element arrays, which are never
	// written once stored: the copy a snapshot forces.
	cow() collection
}

// colHeader is the bookkeeping every collection carries.
type colHeader struct {
	// epoch is 1 + the id of the newest snapshot when the collection was
	// stored or cloned; 0 until it is stored.
	epoch uint64
	// mods counts changes, so Close can tell the key's watchers.
	mods uint64
}

func (h *colHeader) hdr() *colHeader { return h }

// change is a collection a KeyLock handed out for change in place.
type change struct {
	s    *shard
	e    *entry // nil once the key was deleted or given another value
	c    collection
	mods uint64 // c's mods when handed out
	size int    // c's Size as the shard counts it
}

// adopt sets the epoch of a collection being stored for the first time.
func (tx *KeyLock) adopt(v Value) {
	if c, ok := v.(collection); ok && c.hdr().epoch == 0 {
		c.hdr().epoch = tx.db.store.snapshotIDs.Load() + 1
	}
}

// mutable returns the collection of key for change in place, cloned first
// if an open snapshot may hold it; if the key does not exist, it stores
// and returns newValue() unless newValue is nil. It returns ErrWrongType
// if the key holds another type than t.
func (tx *KeyLock) mutable(key []byte, t Type, newValue func() collection) (collection, error) {
	tx.mustWrite()
	s, h, e := tx.lookup(key)
	if e == nil {
		if newValue == nil {
			return nil, nil
		}
		c := newValue()
		tx.adopt(c)
		e = newEntry(key, c)
		tx.db.store.initAccess(e, tx.now)
		s.table.insert(e, h)
		s.addBytes(int64(e.size()))
		tx.track(s, e, c)
		if blockable(t) {
			tx.signalReady(e.key)
		}
		return c, nil
	}
	if e.value.Type() != t {
		return nil, ErrWrongType
	}
	tx.db.store.access(e, tx.now)
	c := e.value.(collection)
	if ch := tx.tracked(e); ch != nil {
		return c, nil // handed out before, and cloned then if need be
	}
	counted := c.Size()
	if sn := tx.db.store.snapshot.Load(); sn != nil && c.hdr().epoch <= sn.id {
		c = c.cow()
		c.hdr().epoch = sn.id + 1
		// Same contents; the copy's Size, if it differs, is counted by
		// Close, as a change's would be.
		e.value = c
	}
	tx.trackSized(s, e, c, counted)
	return c, nil
}

func (tx *KeyLock) tracked(e *entry) *change {
	if tx.changed0.e == e {
		return &tx.changed0
	}
	for i := range tx.changed {
		if tx.changed[i].e == e {
			return &tx.changed[i]
		}
	}
	return nil
}

// track hands out c, the value of e, just counted in full, for change.
func (tx *KeyLock) track(s *shard, e *entry, c collection) { tx.trackSized(s, e, c, c.Size()) }

// trackSized is track for a collection of which the shard counted size.
func (tx *KeyLock) trackSized(s *shard, e *entry, c collection, size int) {
	ch := change{s: s, e: e, c: c, mods: c.hdr().mods, size: size}
	if tx.changed0.c == nil {
		tx.changed0 = ch
	} else {
		tx.changed = append(tx.changed, ch)
	}
}

// forget stops tracking e, which is being deleted or given a new value:
// whoever does that tells the watchers, and takes e's Size, now counted,
// off its shard's bytes.
func (tx *KeyLock) forget(e *entry) {
	if ch := tx.tracked(e); ch != nil {
		ch.settleBytes()
		ch.e = nil
	}
}

// settleBytes makes the shard count the collection's Size as it is now.
func (ch *change) settleBytes() {
	if n := ch.c.Size(); n != ch.size {
		ch.s.addBytes(int64(n - ch.size))
		ch.size = n
	}
}

// settle accounts for the changes made in place, tells the watchers and
// deletes the collections left empty. The locks are still held.
func (tx *KeyLock) settle() {
	if tx.changed0.c == nil {
		return
	}
	tx.settleOne(&tx.changed0)
	for i := range tx.changed {
		tx.settleOne(&tx.changed[i])
	}
	tx.changed0 = change{}
	clear(tx.changed)
	tx.changed = tx.changed[:0]
}

func (tx *KeyLock) settleOne(ch *change) {
	e, s := ch.e, ch.s
	if e == nil {
		return
	}
	ch.settleBytes()
	if ch.c.hdr().mods != ch.mods {
		s.touch(e.key)
	}
	if ch.c.Len() == 0 && !keptEmpty(ch.c) {
		tx.db.unlink(s, e)
	}
}

// keptEmpty reports whether c stays stored though it has no elements:
// a stream does, unlike Redis's other collections (see stream.go).
func keptEmpty(c collection) bool {
	st, ok := c.(*Stream)
	return ok && st.keepWhenEmpty()
}

// ReadList returns the list of key, nil if the key does not exist, or
// ErrWrongType if it holds another type. The list must only be read, and
// only until Close.
func (tx *KeyLock) ReadList(key []byte) (*List, error) {
	v, err := tx.read(key, TypeList)
	l, _ := v.(*List)
	return l, err
}

// ReadHash is ReadList for hashes.
func (tx *KeyLock) ReadHash(key []byte) (*Hash, error) {
	v, err := tx.read(key, TypeHash)
	h, _ := v.(*Hash)
	return h, err
}

// ReadSet is ReadList for sets.
func (tx *KeyLock) ReadSet(key []byte) (*Set, error) {
	v, err := tx.read(key, TypeSet)
	s, _ := v.(*Set)
	return s, err
}

// ReadZSet is ReadList for sorted sets.
func (tx *KeyLock) ReadZSet(key []byte) (*ZSet, error) {
	v, err := tx.read(key, TypeZSet)
	z, _ := v.(*ZSet)
	return z, err
}

func (tx *KeyLock) read(key []byte, t Type) (Value, error) {
	v := tx.Get(key)
	if v == nil {
		return nil, nil
	}
	if v.Type() != t {
		return nil, ErrWrongType
	}
	return v, nil
}

// MutableList returns the list of key for the command to change in place,
// until Close. If the key does not exist, it returns nil, or, if create is
// set, a new empty list stored under key with no deadline. It returns
// ErrWrongType if the key holds another type.
//
// Close accounts for the list's new size, tells the key's watchers if it
// changed, and deletes the key if the list is empty, as Redis does when a
// list loses its last element (or never got one). A command may call
// MutableList for the same key more than once; it gets the same list.
func (tx *KeyLock) MutableList(key []byte, create bool) (*List, error) {
	var newValue func() collection
	if create {
		newValue = func() collection { return NewList() }
	}
	c, err := tx.mutable(key, TypeList, newValue)
	l, _ := c.(*List)
	return l, err
}

// MutableHash is MutableList for hashes.
func (tx *KeyLock) MutableHash(key []byte, create bool) (*Hash, error) {
	var newValue func() collection
	if create {
		newValue = func() collection { return NewHash() }
	}
	c, err := tx.mutable(key, TypeHash, newValue)
	h, _ := c.(*Hash)
	return h, err
}

// MutableSet is MutableList for sets. A new set is an empty intset: the
// first member added chooses its encoding.
func (tx *KeyLock) MutableSet(key []byte, create bool) (*Set, error) {
	var newValue func() collection
	if create {
		newValue = func() collection { return NewSet() }
	}
	c, err := tx.mutable(key, TypeSet, newValue)
	s, _ := c.(*Set)
	return s, err
}

// MutableZSet is MutableList for sorted sets. A new sorted set is an
// empty listpack: the first member added chooses its encoding, as the
// length of the first member does in Redis 7.0's ZADD.
func (tx *KeyLock) MutableZSet(key []byte, create bool) (*ZSet, error) {
	var newValue func() collection
	if create {
		newValue = func() collection { return NewZSet() }
	}
	c, err := tx.mutable(key, TypeZSet, newValue)
	z, _ := c.(*ZSet)
	return z, err
}

// ReadStream is ReadList for streams.
func (tx *KeyLock) ReadStream(key []byte) (*Stream, error) {
	v, err := tx.read(key, TypeStream)
	st, _ := v.(*Stream)
	return st, err
}

// MutableStream is MutableList for streams, but Close keeps a stream left
// with no entries (XADD ... MAXLEN 0, XDEL of the last entry), as Redis
// does; it deletes only a stream it created that nothing changed.
func (tx *KeyLock) MutableStream(key []byte, create bool) (*Stream, error) {
	var newValue func() collection
	if create {
		newValue = func() collection { return NewStream() }
	}
	c, err := tx.mutable(key, TypeStream, newValue)
	st, _ := c.(*Stream)
	return st, err
}

// MarkModified tells the watchers of key that it changed, for the commands
// Redis signals even when they change nothing (LTRIM and LSET do); a change
// made through Mutable* is signalled by Close without it.
func (tx *KeyLock) MarkModified(key []byte) {
	tx.mustWrite()
	s, _ := tx.shardFor(key)
	if len(s.watched) > 0 {
		s.touch(string(key))
	}
}
