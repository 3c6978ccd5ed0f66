package server

import (
	"bytes"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/mini-redis/mini-redis/db"
)

// Command propagation: every executed write command yields its effects as
// commands, in Redis's propagated form (relative expiries made absolute,
// INCRBYFLOAT as SET KEEPTTL, several effects of one call wrapped in
// MULTI/EXEC, as Redis 7.0's propagatePendingCommands does), for the
// append-only file and replication to subscribe to.
//
// Ordering: while anything subscribes, write commands run one at a time
// under propagation.mu, taken before the world lock, and their effects are
// handed to the subscribers before it is released. Two writes of the same
// key therefore reach the feed in the order they took effect. Read-only
// commands still run concurrently; with no subscriber nothing is taken.

// A Propagator receives the effects of executed write commands.
type Propagator interface {
	// Propagate receives the effects of one executed command, run in
	// database db: one command, or several wrapped in MULTI and EXEC.
	// The slices are valid only during the call (the server reuses
	// them): a receiver that keeps them must copy them. It runs with
	// writes held up, so it must be quick.
	Propagate(db int, cmds [][][]byte)
}

// propagation is the server's list of subscribers and the lock that
// orders writes while there are any.
type propagation struct {
	mu   sync.Mutex
	subs atomic.Pointer[[]Propagator]

	// deleted holds the DELs (or UNLINKs) of keys that expired or were
	// evicted, which Redis propagates as such, until whoever holds mu
	// hands them on: the keyspace reports a removal from any goroutine,
	// one holding mu among them. pendingDeleted counts them.
	deletedMu      sync.Mutex
	deleted        []dbCommand
	pendingDeleted atomic.Int64
}

// dbCommand is one propagated command and the database it runs in.
type dbCommand struct {
	db  int
	cmd [][]byte
}

// Subscribe adds p to the receivers of propagated commands; the returned
// function removes it.
func (s *Server) Subscribe(p Propagator) (cancel func()) {
	pr := &s.prop
	pr.mu.Lock() // no write is between running and propagating
	defer pr.mu.Unlock()
	old := pr.subs.Load()
	var list []Propagator
	if old != nil {
		list = append(list, *old...)
	}
	list = append(list, p)
	pr.subs.Store(&list)
	return func() {
		pr.mu.Lock()
		defer pr.mu.Unlock()
		cur := *pr.subs.Load()
		var next []Propagator
		for _, q := range cur {
			if q != p {
				next = append(next, q)
			}
		}
		pr.subs.Store(&next)
	}
}

// propagating reports whether anything subscribes.
func (s *Server) propagating() bool {
	l := s.prop.subs.Load()
	return l != nil && len(*l) > 0
}

// effects collects the propagated commands of one call.
type effects struct {
	db   int // where the first command ran
	cur  int // where the last one left the feed
	cmds [][][]byte

	// replaced tells that the running command chose its propagated form,
	// replacement, in place of its arguments (propagateAs).
	replaced    bool
	replacement [][][]byte

	// after are the pops done for clients blocked on keys the call made
	// ready, propagated after its own effects, each on its own, as Redis
	// propagates a served client's command.
	after []dbCommand
}

// propagateAs makes cmds the propagated form of c's running command, in
// place of its arguments, as Redis's rewriteClientCommandVector and
// alsoPropagate do, for a command whose replayed arguments would not
// repeat its effect (a random pop, a float sum, a blocking pop). No cmds
// propagates nothing. Without a subscriber it does nothing.
func (c *client) propagateAs(cmds ...[][]byte) {
	if e := c.effects; e != nil {
		e.replaced = true
		e.replacement = append(e.replacement, cmds...)
	}
}

// propagateServed records the pop done for a client blocked on a key the
// running call of into made ready. into is nil when nothing subscribes.
func (into *effects) propagateServed(db int, cmd [][]byte) {
	if into != nil && cmd != nil {
		into.after = append(into.after, dbCommand{db, cmd})
	}
}

// propagateDeleted propagates the removal of key from database db, which
// expired or was evicted: UNLINK if unlink (lazyfree-lazy-expire,
// lazyfree-lazy-eviction), else DEL, as Redis's
// deleteExpiredKeyAndPropagate and performEvictions do. The keyspace
// reports a removal after releasing the key's lock, from the goroutine
// that met the deadline: when that goroutine runs a write command (and so
// holds propagation.mu), the command's endEffects hands the removal on
// before the command's own effects; otherwise whoever takes the lock
// first does.
func (s *Server) propagateDeleted(db int, key string, unlink bool) {
	if !s.propagating() {
		return
	}
	name := "DEL"
	if unlink {
		name = "UNLINK"
	}
	pr := &s.prop
	pr.deletedMu.Lock()
	pr.deleted = append(pr.deleted, dbCommand{db, [][]byte{b(name), []byte(key)}})
	pr.pendingDeleted.Add(1)
	pr.deletedMu.Unlock()
	s.tryFlushDeleted()
}

// tryFlushDeleted hands on the queued removals unless another goroutine
// holds propagation.mu (which then does it).
func (s *Server) tryFlushDeleted() {
	if s.prop.pendingDeleted.Load() == 0 || !s.prop.mu.TryLock() {
		return
	}
	s.flushDeleted()
	s.aof.writeUnclaimed()
	s.prop.mu.Unlock()
}

// flushDeleted hands the queued removals to the subscribers. The caller
// holds propagation.mu.
func (s *Server) flushDeleted() {
	pr := &s.prop
	if pr.pendingDeleted.Load() == 0 {
		return
	}
	pr.deletedMu.Lock()
	list := pr.deleted
	pr.deleted = nil
	pr.pendingDeleted.Store(0)
	pr.deletedMu.Unlock()
	subs := pr.subs.Load()
	if subs == nil {
		return
	}
	for _, d := range list {
		for _, p := range *subs {
			p.Propagate(d.db, [][][]byte{d.cmd})
		}
	}
}

// beginEffects starts collecting c's effects for the call of cmd, if it may
// write and anything subscribes; it returns whether it did, and then the
// caller must call endEffects.
func (s *Server) beginEffects(c *client, cmd *command, args [][]byte) bool {
	if !s.propagating() || !s.mayWrite(cmd, args) && cmd.flags&flagRunsQueue == 0 {
		return false
	}
	s.prop.mu.Lock()
	e := &c.ownEffects
	*e = effects{db: c.dbIndex, cmds: e.cmds[:0], after: e.after[:0]}
	c.effects = e
	return true
}

// endEffects hands the effects collected since beginEffects to the
// subscribers and lets other writes run.
func (s *Server) endEffects(c *client) {
	e := c.effects
	c.effects = nil
	s.flushDeleted() // removals met while it ran come first
	if e == nil || len(e.cmds) == 0 && len(e.after) == 0 {
		s.prop.mu.Unlock()
		s.tryFlushDeleted()
		return
	}
	subs := *s.prop.subs.Load()
	if len(e.cmds) > 0 {
		cmds := e.cmds
		if len(cmds) > 1 {
			cmds = make([][][]byte, 0, len(e.cmds)+2)
			cmds = append(cmds, [][]byte{[]byte("MULTI")})
			cmds = append(cmds, e.cmds...)
			cmds = append(cmds, [][]byte{[]byte("EXEC")})
		}
		for _, p := range subs {
			p.Propagate(e.db, cmds)
		}
	}
	for _, a := range e.after {
		for _, p := range subs {
			p.Propagate(a.db, [][][]byte{a.cmd})
		}
	}
	// appendfsync always: the reply waits for the fsync (awaitAOF, run
	// before c's output is written), so that the writes of a pipeline,
	// and those of other clients meanwhile, share one fsync.
	if target := s.aof.takeAlwaysTarget(); target != 0 {
		c.aofTarget.Store(target)
	}
	// everysec and no: the reply waits for the write (awaitAOFWrite), as
	// Redis writes the AOF before it writes replies. When no reply is to
	// go out (the master's client, CLIENT REPLY OFF or SKIP), the AOF
	// goroutine writes it; a later reply of c's still waits for it.
	if target := s.aof.takeWriteTarget(); target != 0 {
		if c.awaitsAOF {
			c.aofWriteTarget.Store(target)
		}
		if !c.awaitsAOF || c.conn.Discarding() {
			s.aof.kickLoop()
		}
	}
	s.noteWriteOffset(c) // for WAIT
	s.prop.mu.Unlock()
	s.tryFlushDeleted()
}

// awaitServedEffects runs for a client that waited blocked, once it is
// woken: if it was served, the pop done for it is propagated by the
// serving client, which holds propagation.mu until then, so taking the
// lock waits for it; its reply must then wait for the fsync (appendfsync
// always) or the write (everysec, no) that covers the pop, as the serving
// client's does.
func (s *Server) awaitServedEffects(c *client) {
	if !s.propagating() {
		return
	}
	s.prop.mu.Lock()
	target, always := s.aof.appendedSoFar()
	s.prop.mu.Unlock()
	into := &c.aofWriteTarget
	if always {
		into = &c.aofTarget
	}
	if target > into.Load() {
		into.Store(target)
	}
}

// runRecorded runs cmd for c (which may be the scripts' client, whose
// effects go to into): the command's effects are added to into when it
// changed the keyspace. into is nil when nothing subscribes.
func (s *Server) runRecorded(c *client, cmd *command, args [][]byte, into *effects) {
	if c.trackOn || c.scriptCaller != nil {
		defer s.trackRead(c, cmd, args)
	}
	if into == nil {
		s.runRecovering(c, cmd, args)
		return
	}
	before := s.dirty.Load()
	dbBefore := c.dbIndex
	into.replaced, into.replacement = false, nil
	s.runRecovering(c, cmd, args)
	var cmds [][][]byte
	var one [][]byte // the propagated form when it is one command, as it mostly is
	switch {
	case into.replaced:
		cmds = into.replacement
		into.replaced, into.replacement = false, nil
		if len(cmds) == 0 {
			return
		}
	case s.dirty.Load() == before:
		return // changed nothing: not propagated, as in Redis
	default:
		// A call's own arguments (the request's, or a queued command's in
		// EXEC) stay as they are until endEffects hands them on; a
		// script's are remade for each call it makes, so they are copied.
		one = s.propagatedForm(c, cmd, args, into == c.effects)
	}
	if len(into.cmds) == 0 {
		into.db, into.cur = dbBefore, dbBefore
	} else if dbBefore != into.cur {
		// A SELECT inside a transaction or script: the feed must follow.
		into.cmds = append(into.cmds, [][]byte{[]byte("SELECT"), strconv.AppendInt(nil, int64(dbBefore), 10)})
		into.cur = dbBefore
	}
	if one != nil {
		into.cmds = append(into.cmds, one)
	} else {
		into.cmds = append(into.cmds, cmds...)
	}
}

// propagatedForm returns the command that replays cmd's effect, args
// having just run in c's database, as Redis 7.0 rewrites them
// (rewriteClientCommandVector in t_string.c, expire.c, t_set.c). With
// stable, args outlive the call's effects and are used as they are;
// otherwise they are copied.
func (s *Server) propagatedForm(c *client, cmd *command, args [][]byte, stable bool) [][]byte {
	own := func(args [][]byte) [][]byte {
		if stable {
			return args
		}
		return cloneArgs(args)
	}
	name := cmd.name
	if name == "set" && !hasExpiryOption(args[3:]) {
		return own(withoutGet(args)) // the common case: no lookup
	}
	switch name {
	case "set", "setex", "psetex", "getex", "expire", "pexpire", "expireat", "pexpireat":
		key := args[1]
		tx := c.db().Read(key)
		at, _ := tx.ExpireAt(key)
		exists := tx.Exists(key)
		var val []byte
		if sv, ok := tx.Peek(key).(*db.String); ok {
			val = bytes.Clone(sv.Bytes())
		}
		tx.Close()
		switch name {
		case "set", "setex", "psetex": // SET with an expiry option
			if exists && at != 0 {
				return [][]byte{b("SET"), clone(key), val, b("PXAT"), strconv.AppendInt(nil, at, 10)}
			}
		case "getex":
			if !exists {
				break
			}
			if at != 0 {
				return [][]byte{b("PEXPIREAT"), clone(key), strconv.AppendInt(nil, at, 10)}
			}
			return [][]byte{b("PERSIST"), clone(key)}
		default: // the EXPIRE family
			if !exists {
				return [][]byte{b("DEL"), clone(key)} // a time in the past deleted it
			}
			return [][]byte{b("PEXPIREAT"), clone(key), strconv.AppendInt(nil, at, 10)}
		}
	case "restore":
		return s.absoluteRestore(c, args)
	case "incrbyfloat":
		key := args[1]
		tx := c.db().Read(key)
		var val []byte
		if sv, ok := tx.Peek(key).(*db.String); ok {
			val = bytes.Clone(sv.Bytes())
		}
		tx.Close()
		if val != nil {
			return [][]byte{b("SET"), clone(key), val, b("KEEPTTL")}
		}
	}
	return own(args)
}

// withoutGet returns SET's arguments without its GET option, which Redis
// drops from the propagated form: args itself when there is none.
func withoutGet(args [][]byte) [][]byte {
	for i, o := range args[3:] {
		if len(o) == 3 && equalFoldASCII(o, "get") {
			kept := append(slices.Clip(args[:3+i]), args[4+i:]...)
			return withoutGet(kept) // GET may be given more than once
		}
	}
	return args
}

// absoluteRestore returns RESTORE's arguments with a relative TTL made
// the key's deadline and ABSTTL added, as Redis's restoreCommand
// propagates it.
func (s *Server) absoluteRestore(c *client, args [][]byte) [][]byte {
	out := cloneArgs(args)
	if ttl, _ := parseInt(args[2]); ttl == 0 {
		return out
	}
	for _, o := range args[4:] {
		if len(o) == 6 && equalFoldASCII(o, "absttl") {
			return out
		}
	}
	tx := c.db().Read(args[1])
	at, _ := tx.ExpireAt(args[1])
	tx.Close()
	out[2] = strconv.AppendInt(nil, at, 10)
	return append(out, b("ABSTTL"))
}

// hasExpiryOption reports whether SET's options give a relative or second
// expiry (EX, PX, EXAT), which Redis propagates as PXAT.
func hasExpiryOption(opts [][]byte) bool {
	for _, o := range opts {
		if len(o) == 2 && (equalFoldASCII(o, "ex") || equalFoldASCII(o, "px")) || len(o) == 4 && equalFoldASCII(o, "exat") {
			return true
		}
	}
	return false
}

func b(s string) []byte { return []byte(s) }

func clone(p []byte) []byte { return append([]byte(nil), p...) }
