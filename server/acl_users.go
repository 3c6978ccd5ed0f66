package server

import (
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mini-redis/mini-redis/server/acl"
)

// The ACL users (Redis's acl.c): the registry of users, which clients
// authenticate as, the permission check every command passes, and the
// ACL log. The rules themselves are package acl's.

// aclUsers is the server's registry of users. Its lock guards the map and
// every change of a user; readers of one user (the command check) need no
// lock: each user's rules are an immutable *acl.User swapped atomically.
type aclUsers struct {
	catalog *acl.Catalog

	mu    sync.Mutex
	users map[string]*aclUser
	def   *aclUser // "default", which cannot be deleted
	log   aclLog
}

// aclUser is one user of the registry: clients hold it, and see its rules
// change as ACL SETUSER changes them.
type aclUser struct {
	name    string
	rules   atomic.Pointer[acl.User]
	deleted atomic.Bool
}

// get returns the user's rules now.
func (u *aclUser) get() *acl.User { return u.rules.Load() }

// newACLUsers returns a registry holding only the default user, whose
// password is requirepass if set.
func newACLUsers(cat *acl.Catalog, requirepass string) *aclUsers {
	r := &aclUsers{catalog: cat, users: map[string]*aclUser{}}
	r.def = &aclUser{name: "default"}
	r.def.rules.Store(acl.NewDefault(cat))
	r.users["default"] = r.def
	r.setDefaultPassword(requirepass)
	return r
}

// setDefaultPassword gives the default user requirepass's password, or
// nopass for "", as Redis's ACLUpdateDefaultUserPassword.
func (r *aclUsers) setDefaultPassword(password string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	u := r.def.get().Clone()
	u.Apply("resetpass")
	if password == "" {
		u.Apply("nopass")
	} else {
		u.Apply(">" + password)
	}
	r.def.rules.Store(u)
}

// lookup returns the user named name, or nil.
func (r *aclUsers) lookup(name string) *aclUser {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.users[name]
}

// authRequired reports whether a client that has not authenticated must
// (Redis's authRequired): unless the default user is on and nopass.
func (r *aclUsers) authRequired() bool {
	d := r.def.get()
	return !d.NoPass || !d.On
}

// names returns the users' names, sorted (Redis's rax order).
func (r *aclUsers) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.users))
	for n := range r.users {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// newACLCatalog returns the commands ACL rules can name: every command
// of Redis 7.0.15 (implemented here or not, so that rules and ACL CAT are
// Redis's), and the later ones this server has.
func newACLCatalog() *acl.Catalog {
	cmds := make([]acl.Command, 0, len(redisCommands)+len(laterCommands))
	for name, m := range redisCommands {
		cmds = append(cmds, acl.Command{Name: name, Categories: uint64(m.info.acl)})
	}
	for name, m := range laterCommands {
		if _, dup := redisCommands[name]; !dup {
			cmds = append(cmds, acl.Command{Name: name, Categories: uint64(m.info.acl), Extra: true})
		}
	}
	return acl.NewCatalog(cmds)
}

// aclDenial is why the ACLs refuse a command.
type aclDenial int

// The denials of a command rank as Redis's ACL_DENIED_* values:
// aclCheck reports the highest of its selectors'.
const (
	aclOK aclDenial = iota
	aclDeniedCmd
	aclDeniedKey
	aclDeniedAuth
	aclDeniedChannel
)

// aclUserOf returns the user the client runs as.
func (c *client) aclUserOf() *aclUser {
	if u := c.user.Load(); u != nil {
		return u
	}
	return c.server.acl.def
}

// aclCheck applies the user's permissions to cmd with args, as Redis's
// ACLCheckAllUserCommandPerm: the command runs if its root selector or
// any other allows it, the command, its keys and its channels together.
// Else the denial is the most relevant one (channel over key over
// command, then the last argument), and pos the argument refused, for
// the ACL log.
func (s *Server) aclCheck(u *acl.User, cmd *command, args [][]byte) (denial aclDenial, pos int) {
	if u.Unrestricted() {
		return aclOK, 0
	}
	var keys []keyRef
	keysDone := false
	denial, pos = selectorCheck(&u.Selector, cmd, args, &keys, &keysDone)
	for i := 0; denial != aclOK && i < len(u.Selectors); i++ {
		d, p := selectorCheck(&u.Selectors[i], cmd, args, &keys, &keysDone)
		if d == aclOK {
			return aclOK, 0
		}
		if d > denial || d == denial && p > pos {
			denial, pos = d, p
		}
	}
	return denial, pos
}

// selectorCheck is Redis's ACLSelectorCheckCmd: the command, then its
// keys, then its channels. The keys, found once for all the selectors,
// are cached in *keys.
func selectorCheck(sel *acl.Selector, cmd *command, args [][]byte, keys *[]keyRef, keysDone *bool) (aclDenial, int) {
	if cmd.info.flags&flagNoAuth == 0 && (cmd.aclID < 0 || !sel.CommandAllowed(cmd.aclID, args)) {
		return aclDeniedCmd, 0
	}
	if !sel.AllKeys {
		if !*keysDone {
			*keys, _ = cmd.keysWithFlags(args)
			*keysDone = true
		}
		for _, k := range *keys {
			if !sel.KeyAllowed(string(args[k.pos]), aclKeyPerm(k.flags)) {
				return aclDeniedKey, k.pos
			}
		}
	}
	if !sel.AllChannels {
		for _, ch := range channelArgs(cmd, args) {
			if !sel.ChannelAllowed(string(args[ch.pos]), ch.pattern) {
				return aclDeniedChannel, ch.pos
			}
		}
	}
	return aclOK, 0
}

// aclKeyPerm returns the key permissions a key spec's flags need, as
// Redis's ACLSelectorCheckKey.
func aclKeyPerm(f keySpecFlags) int {
	perm := 0
	if f&keyAccess != 0 {
		perm |= acl.Read
	}
	if f&(keyInsert|keyDelete|keyUpdate) != 0 {
		perm |= acl.Write
	}
	return perm
}

// channelRef is a channel argument a command publishes or subscribes to.
type channelRef struct {
	pos     int
	pattern bool
}

// channelArgs returns the channels cmd publishes or subscribes to, as
// Redis's getChannelsFromCommand (the unsubscribe commands are never
// refused).
func channelArgs(cmd *command, args [][]byte) []channelRef {
	var refs []channelRef
	switch cmd.name {
	case "publish", "spublish":
		refs = append(refs, channelRef{pos: 1})
	case "subscribe", "ssubscribe", "psubscribe":
		for i := 1; i < len(args); i++ {
			refs = append(refs, channelRef{pos: i, pattern: cmd.name == "psubscribe"})
		}
	}
	return refs
}

// aclRefusal returns the error reply processCommand gives for a denial.
func aclRefusal(d aclDenial, cmd *command) string {
	switch d {
	case aclDeniedCmd:
		return "NOPERM this user has no permissions to run the '" + cmd.name + "' command"
	case aclDeniedKey:
		return "NOPERM this user has no permissions to access one of the keys used as arguments"
	default:
		return "NOPERM this user has no permissions to access one of the channels used as arguments"
	}
}

// ACL log contexts.
const (
	aclCtxTop   = "toplevel"
	aclCtxMulti = "multi"
	aclCtxLua   = "lua"
)

// aclLog is the ACL LOG: the latest denials and failed authentications,
// newest first, similar ones within a minute merged. Guarded by
// aclUsers.mu.
type aclLog struct {
	entries []*aclLogEntry
}

type aclLogEntry struct {
	count    int64
	reason   string
	context  string
	object   string
	username string
	ctime    time.Time
	cinfo    string
}

// logDenial records a refusal in the ACL log, as Redis's addACLLogEntry.
// object is the command's name, key, channel or, for auth, the command.
func (s *Server) logDenial(c *client, d aclDenial, context, username string, cmd *command, args [][]byte, pos int) {
	e := &aclLogEntry{count: 1, context: context, username: username, ctime: time.Now(), cinfo: c.info()}
	switch d {
	case aclDeniedCmd:
		e.reason, e.object = "command", cmd.name
	case aclDeniedKey:
		e.reason, e.object = "key", string(args[pos])
	case aclDeniedChannel:
		e.reason, e.object = "channel", string(args[pos])
	case aclDeniedAuth:
		e.reason, e.object = "auth", string(args[0])
	}
	r := s.acl
	r.mu.Lock()
	defer r.mu.Unlock()
	l := &r.log
	for i := 0; i < len(l.entries) && i < 10; i++ {
		old := l.entries[i]
		if old.reason == e.reason && old.context == e.context && old.object == e.object &&
			old.username == e.username && e.ctime.Sub(old.ctime) <= time.Minute {
			old.count++
			old.ctime, old.cinfo = e.ctime, e.cinfo
			copy(l.entries[1:i+1], l.entries[:i])
			l.entries[0] = old
			return
		}
	}
	l.entries = append([]*aclLogEntry{e}, l.entries...)
	if maxLen := s.settings.aclLogMaxLen.Load(); int64(len(l.entries)) > maxLen {
		l.entries = l.entries[:maxLen]
	}
}

// authenticate checks username and password, and on success makes the
// client that user's (Redis's ACLAuthenticateUser); a failure goes to
// the ACL log.
func (c *client) authenticate(username, password []byte, args [][]byte) bool {
	s := c.server
	u := s.acl.lookup(string(username))
	if u == nil || !u.get().CheckPassword(string(password)) {
		ctx := aclCtxTop
		if c.multi != nil {
			ctx = aclCtxMulti
		}
		s.logDenial(c, aclDeniedAuth, ctx, string(username), nil, args, 0)
		return false
	}
	c.user.Store(u)
	c.authenticated = true
	c.applyAuthLimits()
	return true
}

// userName returns the name of the user the client runs as.
func (c *client) userName() string { return c.aclUserOf().name }

// killUserClients closes the connections authenticated as u, the caller
// after its reply (Redis's ACLFreeUserAndKillClients).
func (s *Server) killUserClients(self *client, u *aclUser) {
	for _, other := range s.clientsByID() {
		if other.user.Load() != u || other.killed.Load() {
			continue
		}
		if other == self {
			self.closeAfterReply = true
			continue
		}
		other.kill()
	}
}

// describeUser returns the user's ACL LIST line.
func describeUser(u *acl.User) string {
	return "user " + u.Name + " " + u.Describe()
}

// validUserName reports whether name may name a user.
func validUserName(name []byte) bool {
	return !strings.ContainsAny(string(name), " \t\n\v\f\r\x00")
}

// initACL builds the ACL catalog and users, gives each command its id,
// and keeps the default user's password requirepass's.
func (s *Server) initACL() {
	cat := s.settings.acl.catalog
	for _, cmd := range s.commands {
		cmd.aclID = aclIDOf(cat, cmd.name)
		for _, sub := range cmd.subcommands {
			sub.aclID = aclIDOf(cat, sub.name)
		}
	}
	s.acl = newACLUsers(cat, s.password())
	if s.settings.aclFile.Load() != "" {
		s.acl.install(s.settings.acl.startUsers)
	} else {
		s.acl.addStartupUsers(s.settings.acl.startUsers)
	}
	onPass := func(p string) { s.acl.setDefaultPassword(p) }
	s.settings.onRequirePass.Store(&onPass)
	describe := func() []string {
		var lines []string
		for _, name := range s.acl.names() {
			if u := s.acl.lookup(name); u != nil {
				lines = append(lines, name+" "+u.get().Describe())
			}
		}
		return lines
	}
	s.settings.acl.describeAll.Store(&describe)
}

func aclIDOf(cat *acl.Catalog, name string) int {
	if id, ok := cat.ID(name); ok {
		return id
	}
	return -1
}

// aclExecReason is EXEC's wording of a denial found when it runs a queued
// command.
func aclExecReason(d aclDenial) string {
	switch d {
	case aclDeniedCmd:
		return "no permission to execute the command or subcommand"
	case aclDeniedKey:
		return "no permission to touch the specified keys"
	default:
		return "no permission to access one of the channels used as arguments"
	}
}

// aclScriptError is the error a script's redis.call gets for a denial
// (Redis's scriptVerifyACL).
func aclScriptError(d aclDenial) string {
	switch d {
	case aclDeniedCmd:
		return "The user executing the script can't run this command or subcommand"
	case aclDeniedKey:
		return "The user executing the script can't access at least one of the keys mentioned in the command arguments"
	default:
		return "The user executing the script can't publish to the channel mentioned in the command"
	}
}
