package server

import (
	"bytes"
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
	// The slices belong to the receiver; it runs with writes held up, so
	// it must be quick.
	Propagate(db int, cmds [][][]byte)
}

// propagation is the server's list of subscribers and the lock that
// orders writes while there are any.
type propagation struct {
	mu   sync.Mutex
	subs atomic.Pointer[[]Propagator]
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
}

// beginEffects starts collecting c's effects for the call of cmd, if it may
// write and anything subscribes; it returns whether it did, and then the
// caller must call endEffects.
func (s *Server) beginEffects(c *client, cmd *command, args [][]byte) bool {
	if !s.propagating() || !s.mayWrite(cmd, args) && cmd.flags&flagRunsQueue == 0 {
		return false
	}
	s.prop.mu.Lock()
	c.effects = &effects{db: c.dbIndex}
	return true
}

// endEffects hands the effects collected since beginEffects to the
// subscribers and lets other writes run.
func (s *Server) endEffects(c *client) {
	e := c.effects
	c.effects = nil
	if e == nil || len(e.cmds) == 0 {
		s.prop.mu.Unlock()
		return
	}
	cmds := e.cmds
	if len(cmds) > 1 {
		cmds = make([][][]byte, 0, len(e.cmds)+2)
		cmds = append(cmds, [][]byte{[]byte("MULTI")})
		cmds = append(cmds, e.cmds...)
		cmds = append(cmds, [][]byte{[]byte("EXEC")})
	}
	for _, p := range *s.prop.subs.Load() {
		p.Propagate(e.db, cmds)
	}
	// appendfsync always: the reply waits for the fsync (aof.go), with
	// the lock released so that concurrent writes share one fsync.
	target := s.aof.takeAlwaysTarget()
	s.prop.mu.Unlock()
	if target != 0 {
		s.awaitAOF(c, target)
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
	s.runRecovering(c, cmd, args)
	if s.dirty.Load() == before {
		return // changed nothing: not propagated, as in Redis
	}
	if len(into.cmds) == 0 {
		into.db, into.cur = dbBefore, dbBefore
	} else if dbBefore != into.cur {
		// A SELECT inside a transaction or script: the feed must follow.
		into.cmds = append(into.cmds, [][]byte{[]byte("SELECT"), strconv.AppendInt(nil, int64(dbBefore), 10)})
		into.cur = dbBefore
	}
	into.cmds = append(into.cmds, s.propagatedForm(c, cmd, args)...)
}

// propagatedForm returns the commands that replay cmd's effect, args
// having just run in c's database, as Redis 7.0 rewrites them
// (rewriteClientCommandVector in t_string.c, expire.c, t_set.c).
func (s *Server) propagatedForm(c *client, cmd *command, args [][]byte) [][][]byte {
	name := cmd.name
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
		case "set":
			if !hasExpiryOption(args[3:]) {
				break
			}
			fallthrough
		case "setex", "psetex":
			if exists && at != 0 {
				return [][][]byte{{b("SET"), clone(key), val, b("PXAT"), strconv.AppendInt(nil, at, 10)}}
			}
		case "getex":
			if !exists {
				break
			}
			if at != 0 {
				return [][][]byte{{b("PEXPIREAT"), clone(key), strconv.AppendInt(nil, at, 10)}}
			}
			return [][][]byte{{b("PERSIST"), clone(key)}}
		default: // the EXPIRE family
			if !exists {
				return [][][]byte{{b("DEL"), clone(key)}} // a time in the past deleted it
			}
			return [][][]byte{{b("PEXPIREAT"), clone(key), strconv.AppendInt(nil, at, 10)}}
		}
	case "incrbyfloat":
		key := args[1]
		tx := c.db().Read(key)
		var val []byte
		if sv, ok := tx.Peek(key).(*db.String); ok {
			val = bytes.Clone(sv.Bytes())
		}
		tx.Close()
		if val != nil {
			return [][][]byte{{b("SET"), clone(key), val, b("KEEPTTL")}}
		}
	}
	return [][][]byte{cloneArgs(args)}
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
