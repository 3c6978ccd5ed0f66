package server

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/server/config"
)

// Client-side caching (CLIENT TRACKING), as Redis 7.0's tracking.c does
// it. In the default mode the keys a tracking client reads are remembered
// in one table for the whole server (a key, whatever its database, maps to
// the clients that read it); a change to the key sends each of them one
// invalidation and forgets the key. In BCAST mode clients register
// prefixes instead, and every change of a matching key is broadcast after
// the command that made it. Changes are learnt from the keyspace
// notifications' calls (notify.go), which every command that modifies a
// key makes, as Redis's signalModifiedKey accompanies them.
//
// With no tracking client the cost is one atomic load per change and per
// read command (trackingTable.clients).

// trackFlags are a client's tracking modes (Redis's CLIENT_TRACKING_*).
type trackFlags uint8

const (
	trackOn trackFlags = 1 << iota
	trackBcast
	trackOptin
	trackOptout
	trackNoloop
	trackBrokenRedir // the redirection client is gone
)

// clientTracking is one client's tracking state, guarded by
// trackingTable.mu: invalidating clients read it, and mark a broken
// redirection.
type clientTracking struct {
	flags    trackFlags
	redirect int64    // the client invalidations go to, or 0
	prefixes []string // BCAST prefixes, sorted
}

// trackingTable is the server's tracking state (Redis's TrackingTable and
// PrefixTable).
type trackingTable struct {
	// clients counts the clients with tracking on: the hot paths look at
	// nothing else while it is 0.
	clients atomic.Int32
	// live is set while any client tracks or the table holds keys: the
	// hot path of changes looks at nothing else.
	live atomic.Bool

	mu sync.Mutex
	// keys maps a key read by clients in the default mode to their ids. A
	// client that turned tracking off or left stays until the key changes,
	// as in Redis; on maps the ids of the clients with tracking on to them.
	keys  map[string]map[int64]struct{}
	items int // entries of keys' sets, INFO tracking_total_items
	on    map[int64]*client
	// prefixes maps the BCAST prefixes to their clients and the keys
	// changed since the last broadcast.
	prefixes map[string]*bcastPrefix
	// pendingBcast records that some prefix has keys to broadcast, and
	// nkeys is len(keys): what trackCommandEnd looks at without the lock.
	pendingBcast atomic.Bool
	nkeys        atomic.Int64
	// overLimitRuns counts the runs of limitKeys that could not bring the
	// table under tracking-table-max-keys, for its effort.
	overLimitRuns atomic.Int32
}

// bcastPrefix is one BCAST prefix.
type bcastPrefix struct {
	clients map[*client]struct{}
	// keys are the matching keys changed since the last broadcast, each
	// with the client that changed it first (nil: none), for NOLOOP.
	keys map[string]*client
}

// refresh updates live after a change; t.mu is held.
func (t *trackingTable) refresh() {
	t.live.Store(t.clients.Load() != 0 || len(t.keys) != 0)
	t.nkeys.Store(int64(len(t.keys)))
}

// trackingChannel is the channel a RESP2 redirection client receives
// invalidations on.
const trackingChannel = "__redis__:invalidate"

// enableTracking turns tracking on for c with the given modes and BCAST
// prefixes (Redis's enableTracking): modes and the redirection replace the
// old ones, prefixes add to them.
func (s *Server) enableTracking(c *client, redirect int64, flags trackFlags, prefixes []string) {
	t := &s.tracking
	if !c.trackOn {
		// Invalidations are pushed from other goroutines.
		class := config.ClassNormal
		if c.sub != nil && c.sub.active() {
			class = config.ClassPubSub
		}
		c.conn.EnablePush(s.settings.outputLimits(class))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	defer t.refresh()
	tr := &c.track
	if tr.flags&trackOn == 0 {
		t.clients.Add(1)
		if t.on == nil {
			t.on = make(map[int64]*client)
		}
		t.on[c.id] = c
	}
	tr.flags = trackOn | flags&(trackOptin|trackOptout|trackNoloop)
	tr.redirect = redirect
	c.trackOn = true
	if flags&trackBcast != 0 {
		tr.flags |= trackBcast
		if len(prefixes) == 0 {
			prefixes = []string{""}
		}
		for _, p := range prefixes {
			if slices.Contains(tr.prefixes, p) {
				continue
			}
			if t.prefixes == nil {
				t.prefixes = make(map[string]*bcastPrefix)
			}
			bp := t.prefixes[p]
			if bp == nil {
				bp = &bcastPrefix{clients: make(map[*client]struct{}), keys: make(map[string]*client)}
				t.prefixes[p] = bp
			}
			bp.clients[c] = struct{}{}
			tr.prefixes = append(tr.prefixes, p)
		}
		slices.Sort(tr.prefixes)
	}
}

// disableTracking turns c's tracking off (CLIENT TRACKING off, and when c
// leaves).
func (s *Server) disableTracking(c *client) {
	if !c.trackOn {
		return
	}
	t := &s.tracking
	t.mu.Lock()
	defer t.mu.Unlock()
	defer t.refresh()
	tr := &c.track
	for _, p := range tr.prefixes {
		if bp := t.prefixes[p]; bp != nil {
			delete(bp.clients, c)
			if len(bp.clients) == 0 {
				delete(t.prefixes, p)
			}
		}
	}
	tr.prefixes = nil
	tr.flags = 0
	delete(t.on, c.id)
	c.trackOn, c.trackCaching = false, false
	t.clients.Add(-1)
}

// trackingState returns a copy of c's tracking state.
func (s *Server) trackingState(c *client) clientTracking {
	t := &s.tracking
	t.mu.Lock()
	defer t.mu.Unlock()
	tr := c.track
	tr.prefixes = slices.Clone(tr.prefixes)
	return tr
}

// prefixCollision checks new BCAST prefixes against c's and each other,
// as Redis's checkPrefixCollisionsOrReply does. It returns the error and
// whether to stop: Redis goes on to enable tracking after a collision
// between two new prefixes other than the first (it replies the error,
// then OK), and so does this.
func (s *Server) prefixCollision(c *client, prefixes []string) (errText string, stop bool) {
	old := s.trackingState(c).prefixes
	overlap := func(a, b string) bool { return strings.HasPrefix(a, b) || strings.HasPrefix(b, a) }
	for i, p := range prefixes {
		for _, o := range old {
			if overlap(o, p) {
				return "ERR Prefix '" + p + "' overlaps with an existing prefix '" + o + "'. Prefixes for a single client must not overlap.", true
			}
		}
		for _, q := range prefixes[i+1:] {
			if overlap(p, q) {
				return "ERR Prefix '" + p + "' overlaps with another provided prefix '" + q + "'. Prefixes for a single client must not overlap.", i == 0
			}
		}
	}
	return "", false
}

// trackRead remembers the keys that cmd, a read-only command, read for c
// (Redis's trackingRememberKeys, from call()). A script's read-only
// command makes its caller track the keys the script declared, not those
// the command read: Redis 7.0 takes the keys from the caller's command.
func (s *Server) trackRead(c *client, cmd *command, args [][]byte) {
	if cmd.info.flags&flagReadonly == 0 || cmd.info.flags&flagPubSub != 0 {
		return
	}
	var keys [][]byte
	if c.scriptCaller != nil {
		keys, c = c.scriptKeys, c.scriptCaller
	} else {
		switch cmd.name {
		case "eval_ro", "evalsha_ro", "fcall_ro":
			return // their commands are tracked, not their declared keys
		}
		keys = cmd.keys(args)
	}
	if !c.trackOn {
		return
	}
	if len(keys) == 0 {
		return
	}
	t := &s.tracking
	t.mu.Lock()
	defer t.mu.Unlock()
	defer t.refresh()
	f := c.track.flags
	if f&trackBcast != 0 || f&trackOptin != 0 && !c.trackCaching || f&trackOptout != 0 && c.trackCaching {
		return
	}
	if t.keys == nil {
		t.keys = make(map[string]map[int64]struct{})
	}
	for _, k := range keys {
		ids := t.keys[string(k)]
		if ids == nil {
			ids = make(map[int64]struct{}, 1)
			t.keys[string(k)] = ids
		}
		if _, ok := ids[c.id]; !ok {
			ids[c.id] = struct{}{}
			t.items++
		}
	}
}

// trackChanged tells the clients tracking key that it changed (Redis's
// trackingInvalidateKey); actor is the client whose command changed it, or
// nil (expiry, eviction). The caller has checked clients.
func (s *Server) trackChanged(actor *client, key []byte) {
	if actor != nil && actor.scriptCaller != nil {
		actor = actor.scriptCaller
	}
	t := &s.tracking
	t.mu.Lock()
	defer t.mu.Unlock()
	defer t.refresh()
	for p, bp := range t.prefixes {
		if strings.HasPrefix(string(key), p) {
			if _, ok := bp.keys[string(key)]; !ok {
				bp.keys[string(key)] = actor
				t.pendingBcast.Store(true)
			}
		}
	}
	s.invalidateLocked(actor, string(key))
}

// invalidateLocked sends the invalidation of key to the default-mode
// clients that read it, and forgets it. t.mu is held.
func (s *Server) invalidateLocked(actor *client, key string) {
	t := &s.tracking
	ids, ok := t.keys[key]
	if !ok {
		return
	}
	delete(t.keys, key)
	t.items -= len(ids)
	for id := range ids {
		target := t.on[id]
		if target == nil {
			continue // tracking off, or gone
		}
		f := target.track.flags
		if f&trackBcast != 0 || f&trackNoloop != 0 && target == actor {
			continue
		}
		s.sendTracking(target, func(dst []byte, _ frame.Protocol) []byte {
			dst = frame.AppendArrayLen(dst, 1)
			return frame.AppendBulkString(dst, key)
		})
	}
}

// trackFlush tells every tracking client that all keys changed (FLUSHDB,
// FLUSHALL) and empties the table (Redis's trackingInvalidateKeysOnFlush).
func (s *Server) trackFlush() {
	t := &s.tracking
	if !t.live.Load() {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	defer t.refresh()
	for _, c := range t.on {
		// The null is encoded for the tracking client, as Redis does, even
		// when it goes to a redirection client.
		null := frame.AppendNull(nil, frame.Protocol(c.respShown.Load()))
		s.sendTracking(c, func(dst []byte, _ frame.Protocol) []byte { return append(dst, null...) })
	}
	t.keys = nil
	t.items = 0
}

// sendTracking sends an invalidation, whose value appendValue encodes, to
// c or its redirection client (Redis's sendTrackingMessage). t.mu is held.
func (s *Server) sendTracking(c *client, appendValue func(dst []byte, p frame.Protocol) []byte) {
	tr := &c.track
	dest, redirected := c, false
	if tr.redirect != 0 {
		dest = s.clientWithID(tr.redirect)
		if dest == nil {
			tr.flags |= trackBrokenRedir
			id := tr.redirect
			if frame.Protocol(c.respShown.Load()) >= frame.RESP3 && c.conn.CanPush() {
				c.conn.Push(func(dst []byte, p frame.Protocol) []byte {
					dst = frame.AppendPushLen(dst, 2, p)
					dst = frame.AppendBulkString(dst, "tracking-redir-broken")
					return frame.AppendInt(dst, id)
				})
			}
			return
		}
		redirected = true
	}
	if !dest.conn.CanPush() {
		// A redirection client that neither subscribes nor tracks has no
		// way to take messages from other goroutines.
		return
	}
	subscribed := redirected && dest.subscriptions().Total() > 0
	dest.conn.Push(func(dst []byte, p frame.Protocol) []byte {
		switch {
		case p >= frame.RESP3:
			dst = frame.AppendPushLen(dst, 2, p)
			dst = frame.AppendBulkString(dst, "invalidate")
		case subscribed:
			dst = frame.AppendPushLen(dst, 3, p)
			dst = frame.AppendBulkString(dst, "message")
			dst = frame.AppendBulkString(dst, trackingChannel)
		default:
			return dst // RESP2 has no pushes
		}
		return appendValue(dst, p)
	})
}

// clientWithID returns the connected client with the given id, or nil.
func (s *Server) clientWithID(id int64) *client {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.clients {
		if c.id == id {
			return c
		}
	}
	return nil
}

// trackCommandEnd ends a command of c (cmd, or nil if there was none)
// while tracking is live. Like Redis's resetClient it forgets CLIENT
// CACHING after any command but CLIENT's, outside MULTI; like its
// beforeSleep it broadcasts the changes of BCAST prefixes.
func (s *Server) trackCommandEnd(c *client, cmd *command) {
	t := &s.tracking
	if c.trackCaching && c.multi == nil && (cmd == nil || cmd.root().name != "client") {
		c.trackCaching = false
	}
	if !t.pendingBcast.Load() {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.pendingBcast.Load() {
		t.pendingBcast.Store(false)
		s.broadcastLocked()
	}
}

// trackLimit brings the table back under tracking-table-max-keys, as
// Redis does before each command it admits and in its cron.
func (s *Server) trackLimit() {
	t := &s.tracking
	max := s.settings.trackingTableMaxKeys.Load()
	if max == 0 || t.nkeys.Load() <= max {
		t.overLimitRuns.Store(0)
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	defer t.refresh()
	s.limitKeysLocked()
}

// broadcastLocked sends each BCAST client the keys of its prefixes changed
// since the last broadcast, a message per prefix in the prefixes' order,
// the keys sorted (Redis's trackingBroadcastInvalidationMessages). t.mu is
// held.
func (s *Server) broadcastLocked() {
	t := &s.tracking
	for _, p := range slices.Sorted(maps.Keys(t.prefixes)) {
		bp := t.prefixes[p]
		if len(bp.keys) == 0 {
			continue
		}
		keys := slices.Sorted(maps.Keys(bp.keys))
		for c := range bp.clients {
			send := keys
			if c.track.flags&trackNoloop != 0 {
				send = slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return bp.keys[k] == c })
				if len(send) == 0 {
					continue
				}
			}
			s.sendTracking(c, func(dst []byte, _ frame.Protocol) []byte {
				dst = frame.AppendArrayLen(dst, len(send))
				for _, k := range send {
					dst = frame.AppendBulkString(dst, k)
				}
				return dst
			})
		}
		clear(bp.keys)
	}
}

// limitKeysLocked invalidates keys while the table holds more than
// tracking-table-max-keys, with an effort that grows while it does not
// get there (Redis's trackingLimitUsedSlots). Go's map order stands in
// for Redis's random walk. t.mu is held.
func (s *Server) limitKeysLocked() {
	t := &s.tracking
	max := int(s.settings.trackingTableMaxKeys.Load())
	if max == 0 || len(t.keys) <= max {
		t.overLimitRuns.Store(0)
		return
	}
	effort := 100 * (int(t.overLimitRuns.Load()) + 1)
	for key := range t.keys {
		if effort == 0 {
			break
		}
		effort--
		s.invalidateLocked(nil, key)
		if len(t.keys) <= max {
			t.overLimitRuns.Store(0)
			return
		}
	}
	t.overLimitRuns.Add(1)
}

// trackingStats returns INFO's tracking_total_keys, tracking_total_items
// and tracking_total_prefixes.
func (s *Server) trackingStats() (keys, items, prefixes int) {
	t := &s.tracking
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.keys), t.items, len(t.prefixes)
}
