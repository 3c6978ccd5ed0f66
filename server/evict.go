package server

import (
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/db/pubsub"
	"github.com/mini-redis/mini-redis/server/scripting"
)

// maxmemory: before each command, when the used memory is over the limit,
// keys are evicted as the policy says, with Redis's approximated algorithm
// (evict.c): a sample of maxmemory-samples keys of each database feeds a
// pool of the 16 best candidates seen so far, and the best of the pool
// goes. With nothing to evict, commands that may grow memory (denyoom) are
// refused with -OOM.
//
// The used memory is the server's memory at startup plus the keyspace's
// own accounting of its keys and values (db.Store.UsedBytes), not the Go
// heap: the heap holds garbage until the collector runs, and evicting by
// it would evict far more than needed and oscillate with each collection.
// INFO's used_memory reports the same figure.

const (
	errOOM = "OOM command not allowed when used memory > 'maxmemory'."

	evictionPoolSize = 16 // EVPOOL_SIZE
	evEvicted        = pubsub.EventEvicted
)

// evictResult is performEvictions' outcome, as Redis's EVICT_*.
type evictResult uint8

const (
	evictOK      evictResult = iota // under the limit, or brought under it
	evictRunning                    // over, and still evicting in the background
	evictFail                       // over, with nothing left to evict
)

// evictState is the server's eviction machinery.
type evictState struct {
	// mu makes evictions one at a time, as in Redis, and guards pool and
	// nextDB.
	mu     sync.Mutex
	pool   []db.Candidate // ascending score: the best candidate last
	nextDB int            // where the random policies look first

	startup int64 // bytes in use when the server started

	evicted atomicCounter
	// exceededSince is the monotonic time at which used memory went over
	// maxmemory (+1, so that 0 means "not over"); exceededTotal the time
	// spent over it before, both for INFO.
	exceededSince atomic.Int64
	exceededTotal atomic.Int64
	// background is set while a goroutine goes on evicting after a
	// command's time limit ran out (Redis's evictionTimeProc).
	background atomic.Bool
	// oom records whether the last command found memory full with nothing
	// to evict (Redis's pre_command_oom_state), for scripts' redis.call.
	oom atomic.Bool
}

// initEviction records the memory in use at startup, the base that the
// keyspace's bytes are added to.
func (s *Server) initEviction() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s.evict.startup = int64(ms.HeapAlloc)
}

// usedMemory is the used_memory that maxmemory is compared with.
func (s *Server) usedMemory() int64 { return s.evict.startup + s.store.UsedBytes() }

// admitMemory is admit's maxmemory check (processCommand's): it evicts
// if need be, and returns -OOM for a command that may grow memory when
// nothing more can be evicted. Inside MULTI any command but EXEC, DISCARD,
// QUIT and RESET is refused then, since queuing takes memory too; EXEC is
// refused if a queued command would be.
func (s *Server) admitMemory(c *client, cmd *command) string {
	limit := int64(s.settings.maxMemory.Load())
	if limit == 0 || s.usedMemory() <= limit && s.evict.exceededSince.Load() == 0 {
		// Under the limit, and not just back under it (whose time INFO
		// must record): no lock.
		s.evict.oom.Store(false)
		return ""
	}
	// Not while a command holds the world exclusively (EXEC, a busy
	// script): evicting then would break its atomicity, and Redis does
	// not evict inside a long command either.
	if !s.world.TryRLock() {
		return ""
	}
	oom := s.performEvictions() == evictFail
	s.world.RUnlock()
	s.evict.oom.Store(oom)
	if !oom {
		return ""
	}
	deny := cmd.info.flags&flagDenyOOM != 0
	if cmd.flags&flagRunsQueue != 0 && c.multi != nil {
		for _, q := range c.multi.cmds {
			deny = deny || q.cmd.info.flags&flagDenyOOM != 0
		}
	}
	if c.multi != nil {
		switch cmd.root().name {
		case "exec", "discard", "quit", "reset":
		default:
			deny = true
		}
	}
	if deny {
		return errOOM
	}
	return ""
}

// scriptOOM reports whether a script that may write (declared flags, no
// no-writes) is refused because memory is full: unless it declares
// allow-oom, Redis gives it the denyoom flag (scriptFlagsToCmdFlags).
func (s *Server) scriptOOM(flags scripting.Flags) bool {
	return flags&scripting.AllowOOM == 0 && s.settings.maxMemory.Load() != 0 && s.evict.oom.Load()
}

// evictionTimeLimit is how long one call of performEvictions may evict
// under maxmemory-eviction-tenacity (evictionTimeLimitUs): 50µs per step
// up to 10, then 15% more a step, and no limit at 100.
func evictionTimeLimit(tenacity int64) time.Duration {
	if tenacity <= 10 {
		return time.Duration(50*tenacity) * time.Microsecond
	}
	if tenacity < 100 {
		return time.Duration(500*math.Pow(1.15, float64(tenacity-10))) * time.Microsecond
	}
	return math.MaxInt64
}

// performEvictions evicts keys until the used memory is under maxmemory,
// the policy finds nothing to evict, or the time limit passes (and a
// goroutine goes on). The caller holds the world lock shared.
func (s *Server) performEvictions() evictResult {
	if s.isReplica() && s.settings.replicaIgnoreMaxmemory.Load() {
		return evictOK // the master evicts, and its DELs come (isSafeToPerformEvictions)
	}
	ev := &s.evict
	ev.mu.Lock()
	defer ev.mu.Unlock()
	r := s.evictLocked(true)
	now := int64(s.monotonic()) + 1
	switch r {
	case evictOK:
		if since := ev.exceededSince.Swap(0); since != 0 {
			ev.exceededTotal.Add(now - since)
		}
	default:
		ev.exceededSince.CompareAndSwap(0, now)
	}
	return r
}

func (s *Server) evictLocked(foreground bool) evictResult {
	limit := int64(s.settings.maxMemory.Load())
	if limit == 0 || s.usedMemory() <= limit {
		return evictOK
	}
	policy := s.settings.maxMemoryPolicy.Load()
	if policy == "noeviction" {
		return evictFail
	}
	start := s.monotonic()
	// The round's latency, as Redis's "eviction-cycle" measures it.
	defer func() { s.latencySample(latencyEvictionCycle, s.monotonic()-start) }()
	timeLimit := evictionTimeLimit(s.settings.evictionTenacity.Load())
	for n := 1; s.usedMemory() > limit; n++ {
		if !s.evictOne(policy) {
			return evictFail
		}
		// Every 16 keys, see whether the time is up (as Redis does),
		// and leave the rest to the background.
		if n%16 == 0 && s.monotonic()-start > timeLimit && s.usedMemory() > limit {
			if foreground {
				s.startBackgroundEviction()
			}
			return evictRunning
		}
	}
	return evictOK
}

// startBackgroundEviction goes on evicting off the command path, as
// Redis's evictionTimeProc does from its event loop, until memory is
// under the limit or there is nothing to evict.
func (s *Server) startBackgroundEviction() {
	ev := &s.evict
	if !ev.background.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer ev.background.Store(false)
		for {
			s.world.RLock()
			ev.mu.Lock()
			r := s.evictLocked(false)
			ev.mu.Unlock()
			s.world.RUnlock()
			if r != evictRunning {
				return
			}
		}
	}()
}

// evictOne evicts the key policy picks, and reports whether there was one.
func (s *Server) evictOne(policy string) bool {
	volatile := policy[:8] == "volatile"
	for range 2 * s.store.Databases() {
		var d *db.DB
		var key string
		switch policy {
		case "allkeys-random", "volatile-random":
			d, key = s.randomVictim(volatile)
		default:
			d, key = s.poolVictim(policy, volatile)
		}
		if d == nil {
			return false
		}
		if s.evictKey(d, key, volatile) {
			return true
		}
		// Gone (or no longer volatile) since it was sampled: try again.
	}
	return false
}

// randomVictim picks a random key of the first database, in round robin
// order, that has one.
func (s *Server) randomVictim(volatile bool) (*db.DB, string) {
	ev := &s.evict
	n := s.store.Databases()
	for i := range n {
		j := (ev.nextDB + i) % n
		d := s.store.DB(j)
		if key, ok := d.RandomEvictable(volatile); ok {
			ev.nextDB = j + 1
			return d, key
		}
	}
	return nil, ""
}

// poolVictim samples every database into the eviction pool and takes the
// best candidate out of it (evictionPoolPopulate, then the pool's walk
// from its best end).
func (s *Server) poolVictim(policy string, volatile bool) (*db.DB, string) {
	kind := db.ScoreLRU
	switch policy {
	case "allkeys-lfu", "volatile-lfu":
		kind = db.ScoreLFU
	case "volatile-ttl":
		kind = db.ScoreTTL
	}
	ev := &s.evict
	samples := int(s.settings.maxMemorySamples.Load())
	var buf []db.Candidate
	for i := range s.store.Databases() {
		buf = s.store.DB(i).Sample(samples, volatile, kind, buf[:0])
		for _, c := range buf {
			ev.pool = poolInsert(ev.pool, c)
		}
	}
	if len(ev.pool) == 0 {
		return nil, ""
	}
	best := ev.pool[len(ev.pool)-1]
	ev.pool = ev.pool[:len(ev.pool)-1]
	return s.store.DB(best.DB), best.Key
}

// poolInsert adds c to pool, kept in ascending order of score and at most
// evictionPoolSize long: a candidate worse than all of a full pool is
// dropped, else the worst one makes room. A key already in the pool is
// rescored.
func poolInsert(pool []db.Candidate, c db.Candidate) []db.Candidate {
	if i := slices.IndexFunc(pool, func(p db.Candidate) bool { return p.DB == c.DB && p.Key == c.Key }); i >= 0 {
		pool = slices.Delete(pool, i, i+1)
	}
	k, _ := slices.BinarySearchFunc(pool, c.Score, func(p db.Candidate, score uint64) int {
		switch {
		case p.Score < score:
			return -1
		case p.Score > score:
			return 1
		}
		return 0
	})
	if len(pool) == evictionPoolSize {
		if k == 0 {
			return pool
		}
		pool = slices.Delete(pool, 0, 1)
		k--
	}
	return slices.Insert(pool, k, c)
}

// evictKey deletes key from d, if it still exists (with a deadline, for a
// volatile policy), touching its watchers and publishing the evicted
// event; it reports whether it did.
func (s *Server) evictKey(d *db.DB, key string, volatile bool) bool {
	k := []byte(key)
	tx := d.Write(k)
	at, ok := tx.ExpireAt(k)
	delStart := s.monotonic()
	ok = ok && (!volatile || at != 0) && tx.Delete(k)
	tx.Close()
	if ok {
		s.latencySample(latencyEvictionDel, s.monotonic()-delStart)
	}
	if !ok {
		return false
	}
	s.evict.evicted.add(1)
	s.propagateDeleted(d.Index(), key, s.settings.lazyEviction.Load())
	s.notify(d.Index(), evEvicted, "evicted", k)
	return true
}

// evictionExceeded returns the time spent over maxmemory in all, and in
// the current spell (0 if under it), for INFO stats.
func (s *Server) evictionExceeded() (total, current time.Duration) {
	if since := s.evict.exceededSince.Load(); since != 0 {
		current = max(0, s.monotonic()-time.Duration(since-1))
	}
	return time.Duration(s.evict.exceededTotal.Load()) + current, current
}

// maxClientsPerTick is how many clients one cycle of the background loops
// should serve at most before dynamic-hz raises the rate
// (MAX_CLIENTS_PER_CLOCK_TICK).
const maxClientsPerTick = 200

// effectiveHz is the rate of the background cycles: hz, doubled under
// dynamic-hz as long as there are more than 200 clients a cycle, up to
// 500, as Redis's serverCron computes it.
func (s *Server) effectiveHz() int64 {
	hz := s.settings.hz.Load()
	if !s.settings.dynamicHz.Load() {
		return hz
	}
	s.mu.Lock()
	clients := int64(len(s.clients))
	s.mu.Unlock()
	return dynamicHz(hz, clients)
}

// dynamicHz is the rate for hz cycles a second serving clients clients.
func dynamicHz(hz, clients int64) int64 {
	for clients/hz > maxClientsPerTick {
		hz *= 2
		if hz >= 500 {
			return 500
		}
	}
	return hz
}

// evictionCycle, run by the background loop at each tick, evicts when the
// used memory is over maxmemory with no command coming to do it: after
// CONFIG SET maxmemory lowered the limit (Redis starts its eviction time
// proc then) or after keys grew without a command that checks.
func (s *Server) evictionCycle() {
	limit := int64(s.settings.maxMemory.Load())
	if limit == 0 || s.usedMemory() <= limit || s.settings.maxMemoryPolicy.Load() == "noeviction" {
		return
	}
	s.performEvictions()
}
