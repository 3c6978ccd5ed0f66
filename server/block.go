package server

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mini-redis/mini-redis/db"
)

// Blocked clients: how a client waits in BLPOP and its kin (cmd_blocking.go),
// or in BZPOPMIN and its kin (cmd_zset_blocking.go), until a key it names
// gets data. This is Redis's blocked.c, for lists and sorted sets, on a
// server that runs commands concurrently on per-client goroutines:
//
//   - A client blocks by registering a waiter for its keys while it holds
//     their shards locked, in the KeyLock in which it found them all empty.
//     Then its goroutine waits holding no lock at all, not even the world
//     lock (see call).
//   - The keyspace reports every key that comes to hold a list or a
//     sorted set (db.Options.OnReady), under that key's shard lock. If clients wait for
//     the key, it is queued as ready, as Redis's signalKeyAsReady does. A
//     push needs the shard lock the blocking client held while it looked
//     and registered, so it comes either before (and the client found the
//     data) or after the registration (and sees the waiter): no wake-up is
//     lost. SWAPDB queues every key waited for in the two databases.
//   - After every command (after EXEC, while the transaction still runs
//     alone), the client that ran it serves the ready keys
//     (serveBlocked), as Redis's handleClientsBlockedOnKeys: for each key,
//     the clients waiting for the type it holds, in the order they
//     blocked, each taking what it asked for, until it is empty. A client
//     waiting for the other type keeps its place: Redis serves a list's
//     waiters from a list and a sorted set's from a sorted set, skipping
//     the others. The serving goroutine
//     pops and pushes for them, so that by the time the pushing client
//     gets its reply the waiters have been served, as in Redis; each waiter
//     is handed its elements and writes its own reply, in its protocol.
//   - A waiter is settled exactly once, under blocking.mu: served, timed
//     out, unblocked by CLIENT UNBLOCK, or gone (its client disconnected,
//     was killed, or the server shuts down). Whoever settles it removes it
//     from every queue it is in, so nothing is left behind.
//
// One interleaving Redis's single thread cannot produce remains: between
// the moment a push releases its key and the moment its client serves the
// waiters, another client's non-blocking pop (LPOP, or a BLPOP that finds
// the data) may take the element first, and the waiters go on waiting on
// the empty key. Nothing is lost or duplicated; only the waiters'
// precedence over a pop that raced with the push is not kept. A
// transaction's pushes have no such window: EXEC serves before it lets
// the other clients run.
//
// Locks are taken in this order: blocking.serveMu, then shard locks, then
// blocking.mu. Serving also holds the world lock (shared, or exclusively
// at the end of EXEC), so it never runs beside an exclusive command.
//
// Timeouts are deadlines on the keyspace clock, in Unix milliseconds as
// Redis keeps them. A waiting client sleeps on a timer for the time left
// and, when the clock is a db.MovableClock (the server's own, which a step
// of the wall clock moves, the tests' ManualClock,
// servertest's FastForward), also on the clock's Moved channel, then reads
// the clock again: a test moves the clock past a deadline and the client
// times out, nothing sleeps.

// blockOp is what a blocked client waits to do.
type blockOp uint8

const (
	opPop   blockOp = iota // BLPOP, BRPOP: one element, replied with its key
	opMPop                 // BLMPOP: up to count elements, replied with their key
	opMove                 // BLMOVE, BRPOPLPUSH: one element, pushed onto dst
	opZPop                 // BZPOPMIN, BZPOPMAX: one member and its score, replied with the key
	opZMPop                // BZMPOP: up to count members and scores, replied with their key
	opXRead                // XREAD (and XREADGROUP through streamWait.serve): entries of a stream
)

// blockReq is what a blocking command asks of the first of its keys that
// has data.
type blockReq struct {
	op blockOp
	// fromLeft pops from the head: a list's LEFT, a sorted set's MIN
	// (its lowest scores). Else from the tail: RIGHT, MAX.
	fromLeft bool
	toLeft   bool   // opMove: push at the head, else at the tail
	dst      string // opMove: the destination list
	count    int64  // opMPop, opZMPop: at most this many elements
	legacy   bool   // opMove: BRPOPLPUSH, propagated as RPOPLPUSH
	stream   *streamWait
}

// wantsZSet reports whether r waits for a sorted set, else for a list.
func (r *blockReq) wantsZSet() bool { return r.op == opZPop || r.op == opZMPop }

// waiter is one blocked client.
type waiter struct {
	blockReq
	c *client
	// db is the database the client had selected: its number, which
	// SWAPDB does not change (Redis keeps blocked clients in their DB).
	db       int
	keys     []string // distinct, in the order the command named them
	deadline int64    // Unix milliseconds on the keyspace clock; 0 waits forever

	settled bool          // under blocking.mu
	done    chan struct{} // closed when another goroutine settled the waiter and set out
	out     blockOutcome
}

// blockOutcome is how a waiter was settled.
type blockOutcome struct {
	how    outcomeKind
	key    string    // served: the key popped from
	values [][]byte  // served: the elements (or members) popped
	scores []float64 // served from a sorted set: the members' scores
	err    string    // served with this error reply instead (BLMOVE onto a key of another type)
	// entries are an opXRead's entries of key.
	entries []streamReplyEntry
	// effects are the propagated form of an XREADGROUP's delivery.
	effects [][][]byte
}

type outcomeKind uint8

const (
	served           outcomeKind = iota
	timedOut                     // the timeout passed
	unblockedTimeout             // CLIENT UNBLOCK [TIMEOUT]
	unblockedErr                 // CLIENT UNBLOCK ERROR
	clientGone                   // disconnected, killed, or the server shuts down: no reply
)

const (
	// unblockedText is the error reply of CLIENT UNBLOCK ERROR.
	unblockedText = "UNBLOCKED client unblocked via CLIENT UNBLOCK"
	// maxTimerWait bounds one sleep of a blocked client, whose deadline
	// may be centuries away.
	maxTimerWait = 24 * time.Hour
)

// blockKey names a key of a database, by the database's number.
type blockKey struct {
	db  int
	key string
}

// blocking is the server's registry of blocked clients.
type blocking struct {
	mu sync.Mutex
	// queues holds, for every key some client waits for, those clients
	// in the order they blocked.
	queues map[blockKey][]*waiter
	// ready are the keys made ready and not yet taken for serving, in
	// order; readySet holds them too, so that a key is queued once.
	ready    []blockKey
	readySet map[blockKey]bool

	waiters  atomic.Int64 // clients blocked on keys: the hook's fast path, and INFO
	timeouts atomic.Int64 // those with a timeout (INFO clients_in_timeout_table)
	paused   atomic.Int64 // clients held by CLIENT PAUSE, which Redis counts as blocked
	pending  atomic.Int64 // ready keys not yet served

	// serveMu lets one goroutine serve at a time; a client that made a
	// key ready and finds it being served by another waits here, so that
	// it replies only once the waiters have been served.
	serveMu sync.Mutex
}

// add registers w in the queues of its keys. The caller holds the shard
// locks of those keys.
func (b *blocking) add(w *waiter) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.queues == nil {
		b.queues = make(map[blockKey][]*waiter)
		b.readySet = make(map[blockKey]bool)
	}
	for _, k := range w.keys {
		bk := blockKey{w.db, k}
		b.queues[bk] = append(b.queues[bk], w)
	}
	b.waiters.Add(1)
	if w.deadline != 0 {
		b.timeouts.Add(1)
	}
	w.c.blockedOn.Store(w)
}

// claim settles w, unless something else did first, and reports whether
// it did: the caller then owns the outcome. w leaves every queue.
func (b *blocking) claim(w *waiter) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if w.settled {
		return false
	}
	w.settled = true
	for _, k := range w.keys {
		bk := blockKey{w.db, k}
		q := b.queues[bk]
		if i := slices.Index(q, w); i >= 0 {
			q = slices.Delete(q, i, i+1)
		}
		if len(q) == 0 {
			delete(b.queues, bk)
		} else {
			b.queues[bk] = q
		}
	}
	b.waiters.Add(-1)
	if w.deadline != 0 {
		b.timeouts.Add(-1)
	}
	w.c.blockedOn.Store(nil)
	return true
}

// settle hands the outcome of a waiter claimed by another goroutine to its
// client.
func (w *waiter) settle(out blockOutcome) {
	w.out = out
	close(w.done)
}

// signal queues key of database dbIndex as ready if clients wait for it.
// It is the keyspace's OnReady hook, called under the key's shard lock.
func (b *blocking) signal(dbIndex int, key string) {
	if b.waiters.Load() == 0 {
		return
	}
	b.mu.Lock()
	b.markReady(blockKey{dbIndex, key})
	b.mu.Unlock()
}

// signalDBs queues every key waited for in databases i and j, which SWAPDB
// exchanged: any may hold a list or a sorted set now. Serving looks at what they hold.
func (b *blocking) signalDBs(i, j int) {
	if b.waiters.Load() == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	var keys []blockKey
	for bk := range b.queues {
		if bk.db == i || bk.db == j {
			keys = append(keys, bk)
		}
	}
	slices.SortFunc(keys, func(x, y blockKey) int {
		return cmp.Or(cmp.Compare(x.db, y.db), cmp.Compare(x.key, y.key))
	})
	for _, bk := range keys {
		b.markReady(bk)
	}
}

// signalAll queues every key waited for, in every database: FLUSHALL
// deleted them, and the clients blocked in XREADGROUP must be told.
func (b *blocking) signalAll() {
	if b.waiters.Load() == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	keys := make([]blockKey, 0, len(b.queues))
	for bk := range b.queues {
		keys = append(keys, bk)
	}
	slices.SortFunc(keys, func(x, y blockKey) int {
		return cmp.Or(cmp.Compare(x.db, y.db), cmp.Compare(x.key, y.key))
	})
	for _, bk := range keys {
		b.markReady(bk)
	}
}

// markReady queues bk unless nobody waits for it or it is queued already.
// b.mu is held.
func (b *blocking) markReady(bk blockKey) {
	if len(b.queues[bk]) == 0 || b.readySet[bk] {
		return
	}
	b.readySet[bk] = true
	b.ready = append(b.ready, bk)
	b.pending.Add(1)
}

// takeReady returns the keys queued so far, for serving; keys made ready
// while they are served queue anew.
func (b *blocking) takeReady() []blockKey {
	b.mu.Lock()
	defer b.mu.Unlock()
	batch := b.ready
	b.ready = nil
	return batch
}

// unmarkReady lets bk, about to be served, be queued again.
func (b *blocking) unmarkReady(bk blockKey) {
	b.mu.Lock()
	delete(b.readySet, bk)
	b.mu.Unlock()
}

// first returns the client that has waited longest for bk to hold a
// sorted set (zset) or a list, or nil.
func (b *blocking) first(bk blockKey, zset bool) *waiter {
	return b.firstFor(bk, func(w *waiter) bool { return w.op != opXRead && w.wantsZSet() == zset })
}

// firstFor returns the client that has waited longest for bk among those
// for which want reports true, or nil.
func (b *blocking) firstFor(bk blockKey, want func(*waiter) bool) *waiter {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, w := range b.queues[bk] {
		if want(w) {
			return w
		}
	}
	return nil
}

// waiting returns the clients waiting for bk, first blocked first.
func (b *blocking) waiting(bk blockKey) []*waiter {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.queues[bk])
}

// serveBlocked serves the clients blocked on the keys that commands made
// ready, as Redis's handleClientsBlockedOnKeys does after every command.
// It runs in the goroutine of a client whose command just ended, with the
// world lock held, and returns once every key queued when it was called
// has been served, by it or by another goroutine.
func (s *Server) serveBlocked(into *effects) {
	b := &s.blocking
	if b.pending.Load() == 0 {
		return
	}
	b.serveMu.Lock()
	defer b.serveMu.Unlock()
	for {
		batch := b.takeReady()
		if len(batch) == 0 {
			return
		}
		for _, bk := range batch {
			b.unmarkReady(bk)
			s.serveKey(bk, into)
			b.pending.Add(-1)
		}
	}
}

// serveKey serves the clients waiting for bk, first blocked first: while
// the key holds a non-empty list or sorted set, a list's waiters from a
// list (serveClientsBlockedOnListKey), a sorted set's from a sorted set
// (serveClientsBlockedOnSortedSetKey); the readers of a stream from a
// stream (serveStreamKey).
func (s *Server) serveKey(bk blockKey, into *effects) {
	d := s.store.DB(bk.db)
	key := []byte(bk.key)
	if s.serveStreamKey(bk, into) {
		return
	}
	for {
		zset, ok := readyKind(d, key)
		if !ok {
			return // nothing to pop (any more): the waiters go on waiting
		}
		w := s.blocking.first(bk, zset)
		if w == nil {
			return
		}
		keys := [][]byte{key}
		if w.op == opMove {
			keys = append(keys, []byte(w.dst))
		}
		// The key was looked at under another lock: what it holds may
		// have changed since, and is looked at again under this one.
		tx := d.Write(keys...)
		var (
			out     blockOutcome
			emptied bool
		)
		if zset {
			z, err := tx.MutableZSet(key, false)
			if err != nil || z == nil || z.Len() == 0 {
				tx.Close()
				continue
			}
			if !s.blocking.claim(w) {
				tx.Close() // it left meanwhile: on to the next
				continue
			}
			out = s.popZSet(&tx, bk.db, &w.blockReq, key, z)
			emptied = z.Len() == 0
		} else {
			l, err := tx.MutableList(key, false)
			if err != nil || l == nil || l.Len() == 0 {
				tx.Close()
				continue
			}
			if !s.blocking.claim(w) {
				tx.Close()
				continue
			}
			out = s.popList(&tx, bk.db, &w.blockReq, key, l, true)
			emptied = l.Len() == 0
		}
		tx.Close()
		into.propagateServed(bk.db, w.blockReq.propagatedPop(key, out, true))
		w.settle(out)
		if emptied {
			return
		}
	}
}

// readyKind reports whether key of d holds a non-empty sorted set (zset)
// or list (ok), what serveKey serves from.
func readyKind(d *db.DB, key []byte) (zset, ok bool) {
	tx := d.Read(key)
	defer tx.Close()
	switch v := tx.Peek(key).(type) {
	case *db.List:
		return false, v.Len() > 0
	case *db.ZSet:
		return true, v.Len() > 0
	}
	return false, false
}

// block registers c as waiting for keys, which it found empty in the
// KeyLock it still holds, to do r. The command's run function returns
// without a reply; call then waits (awaitUnblock).
func (c *client) block(r blockReq, keys [][]byte, deadline int64) {
	w := &waiter{blockReq: r, c: c, db: c.dbIndex, deadline: deadline, done: make(chan struct{})}
	for _, k := range keys {
		if !slices.Contains(w.keys, string(k)) {
			w.keys = append(w.keys, string(k))
		}
	}
	c.server.blocking.add(w)
	c.blocked = w
}

// awaitUnblock waits until w, the waiter of the command c just ran, is
// settled, and writes the command's reply. c's goroutine holds no lock.
func (c *client) awaitUnblock(w *waiter) {
	// The replies of the commands before this one in a pipeline go out
	// now, as Redis writes to a blocked client: the client may wait for
	// them before it makes another push the data this one waits for.
	flushErr := c.conn.Flush()
	failed, stopWatching := c.conn.WatchInput()
	if flushErr != nil {
		broken := make(chan struct{})
		close(broken)
		failed = broken
	}
	c.waitSettled(w, failed)
	if err := stopWatching(); err != nil || flushErr != nil || w.out.how == clientGone {
		// The connection is over: run nothing more of what it sent, as
		// Redis frees a client whose connection breaks while it is blocked.
		c.closeAfterReply = true
	}
	switch w.out.how {
	case served:
		c.writeBlockReply(&w.blockReq, w.out)
	case timedOut:
		c.conn.WriteNullArray()
	case unblockedTimeout:
		c.conn.WriteNullArray()
		c.errors++ // Redis counts a command CLIENT UNBLOCK ends as failed, whatever its reply
	case unblockedErr:
		c.conn.WriteError(unblockedText)
	}
}

// waitSettled returns once w is settled: by another goroutine (served,
// CLIENT UNBLOCK), or by c itself when its deadline passes or failed is
// closed (the connection broke).
func (c *client) waitSettled(w *waiter, failed <-chan struct{}) {
	s := c.server
	b := &s.blocking
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		// Moved before the clock is read: a move after the reading closes
		// the channel waited on.
		var moved <-chan struct{}
		if mc, ok := s.store.Clock().(db.MovableClock); ok {
			moved = mc.Moved()
		}
		var timeUp <-chan time.Time
		if w.deadline != 0 {
			ms := w.deadline - s.keyspaceMillis()
			if ms <= 0 {
				if b.claim(w) {
					w.out = blockOutcome{how: timedOut}
				} else {
					<-w.done
				}
				return
			}
			left := maxTimerWait
			if ms < int64(maxTimerWait/time.Millisecond) {
				left = time.Duration(ms) * time.Millisecond
			}
			if timer == nil {
				timer = time.NewTimer(left)
			} else {
				timer.Reset(left)
			}
			timeUp = timer.C
		}
		select {
		case <-w.done:
			return
		case <-failed:
			if b.claim(w) {
				w.out = blockOutcome{how: clientGone}
			} else {
				<-w.done
			}
			return
		case <-timeUp:
		case <-moved:
		}
	}
}

// keyspaceMillis reads the keyspace clock now, in Unix milliseconds. The
// server's own clock is the reading the last command took (serverClock),
// so it takes a fresh one.
func (s *Server) keyspaceMillis() int64 {
	clock := s.store.Clock()
	if clock == db.Clock(s.clock) {
		s.clock.monotonic()
	}
	return clock.Now().UnixMilli()
}

// unblock settles the waiter of the client whose ID is id, if it is
// blocked on keys, as a timeout or with an error (CLIENT UNBLOCK), and
// reports whether it did. A client held by CLIENT PAUSE is not unblocked:
// Redis 7.0.15 crashes on that (replyToBlockedClientTimedOut has no reply
// for it), and later Redis versions leave such a client alone.
func (s *Server) unblock(id int64, withError bool) bool {
	var target *client
	s.mu.Lock()
	for c := range s.clients {
		if c.id == id {
			target = c
			break
		}
	}
	s.mu.Unlock()
	if target == nil {
		return false
	}
	w := target.blockedOn.Load()
	if w == nil || !s.blocking.claim(w) {
		return false
	}
	out := blockOutcome{how: unblockedTimeout}
	if withError {
		out.how = unblockedErr
	}
	w.settle(out)
	return true
}

// blockedClients is INFO's blocked_clients: clients blocked on keys, and
// clients held by CLIENT PAUSE, which Redis blocks too.
func (s *Server) blockedClients() int64 {
	return s.blocking.waiters.Load() + s.blocking.paused.Load()
}
