package server

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/mini-redis/mini-redis/server/acl"
)

// The ACL command: users, their permissions, and the ACL log (Redis's
// aclCommand). The users live in acl_users.go.

func aclCommands() []*command {
	sub := func(name string, run func(*client, [][]byte)) *command {
		return &command{name: name, run: run}
	}
	return []*command{
		container("acl", 0,
			sub("cat", cmdACLCat),
			sub("deluser", cmdACLDelUser),
			sub("dryrun", cmdACLDryRun),
			sub("genpass", cmdACLGenPass),
			sub("getuser", cmdACLGetUser),
			sub("list", cmdACLList),
			sub("load", cmdACLLoad),
			sub("log", cmdACLLog),
			sub("save", cmdACLSave),
			sub("setuser", cmdACLSetUser),
			sub("users", cmdACLUsers),
			sub("whoami", cmdACLWhoami),
			sub("help", cmdACLHelp),
		),
	}
}

// ACL CAT [category]
func cmdACLCat(c *client, args [][]byte) {
	if len(args) == 2 {
		names := acl.Categories()
		c.conn.WriteArrayLen(len(names))
		for _, n := range names {
			c.conn.WriteBulkString(n)
		}
		return
	}
	if len(args) > 3 {
		c.conn.WriteError(unknownSubcommandOrArity(args[1], "ACL"))
		return
	}
	names, ok := c.server.acl.catalog.InCategory(string(args[2]))
	if !ok {
		c.conn.WriteError("ERR Unknown category '" + string(cString(args[2], len(args[2]))) + "'")
		return
	}
	c.conn.WriteArrayLen(len(names))
	for _, n := range names {
		c.conn.WriteBulkString(n)
	}
}

// unknownSubcommandOrArity is Redis's error for a subcommand given the
// wrong number of arguments by its container's own check.
func unknownSubcommandOrArity(sub []byte, container string) string {
	return "ERR unknown subcommand or wrong number of arguments for '" + string(cString(sub, len(sub))) + "'. Try " + container + " HELP."
}

// ACL SETUSER username [rule ...]: the rules apply to a copy, which
// replaces the user only if all of them succeed.
func cmdACLSetUser(c *client, args [][]byte) {
	name := args[2]
	if !validUserName(name) {
		c.conn.WriteError("ERR Usernames can't contain spaces or null characters")
		return
	}
	words := make([]string, 0, len(args)-3)
	for _, a := range args[3:] {
		words = append(words, string(a))
	}
	rules, open := acl.MergeSelectorArgs(words)
	if open >= 0 {
		c.conn.WriteError("ERR Unmatched parenthesis in acl selector starting at '" + string(cString(args[3+open], len(args[3+open]))) + "'.")
		return
	}
	s := c.server
	r := s.acl
	r.mu.Lock()
	entry := r.users[string(name)]
	var u *acl.User
	if entry != nil {
		u = entry.get().Clone()
		c.server.settings.applyPubsubDefault(u)
	} else {
		u = c.server.settings.newACLUser(string(name))
	}
	for _, rule := range rules {
		if err := u.Apply(rule); err != nil {
			r.mu.Unlock()
			c.conn.WriteError("ERR Error in ACL SETUSER modifier '" + string(cString([]byte(rule), len(rule))) + "': " + err.Error())
			return
		}
	}
	existed := entry != nil
	disabled := existed && entry != r.def && entry.get().On && !u.On
	if !existed {
		entry = &aclUser{name: string(name)}
		r.users[entry.name] = entry
	}
	entry.rules.Store(u)
	r.mu.Unlock()
	switch {
	case disabled:
		// A user turned off loses its connections, the caller's own after
		// the reply. Redis 7.0.15 lets them go on serving; a user switched
		// off is one an operator wants out now. The default user is the
		// exception: turning it off is how an operator makes new clients
		// authenticate, and cutting off every session (the operator's own
		// included) would be the wrong surprise.
		s.killUserClients(c, entry)
	case existed:
		s.killPubsubClientsIfNeeded(c, entry, u)
	}
	c.conn.WriteOK()
}

// killPubsubClientsIfNeeded closes the connections of user entry that are
// subscribed to channels or patterns none of its new selectors u allow
// (Redis's ACLKillPubsubClientsIfNeeded); the caller's own after its reply.
func (s *Server) killPubsubClientsIfNeeded(self *client, entry *aclUser, u *acl.User) {
	if u.AnyAllChannels() {
		return
	}
	for _, sub := range s.pubsub.Subscribers() {
		ss, ok := sub.(*subscriber)
		if !ok {
			continue
		}
		other := ss.c
		if other.user.Load() != entry || other.killed.Load() {
			continue
		}
		channels, patterns, shard := s.pubsub.Subscriptions(sub)
		kill := false
		for _, ch := range append(channels, shard...) {
			kill = kill || !u.AnyChannelAllowed(ch, false)
		}
		for _, p := range patterns {
			kill = kill || !u.AnyChannelAllowed(p, true)
		}
		switch {
		case !kill:
		case other == self:
			self.closeAfterReply = true
		default:
			other.kill()
		}
	}
}

// ACL GETUSER username
func cmdACLGetUser(c *client, args [][]byte) {
	entry := c.server.acl.lookup(string(args[2]))
	if entry == nil {
		c.conn.WriteNull()
		return
	}
	u := entry.get()
	c.conn.WriteMapLen(6)
	c.conn.WriteBulkString("flags")
	flags := u.Flags()
	c.conn.WriteSetLen(len(flags))
	for _, f := range flags {
		c.conn.WriteBulkString(f)
	}
	c.conn.WriteBulkString("passwords")
	c.conn.WriteArrayLen(len(u.Passwords))
	for _, p := range u.Passwords {
		c.conn.WriteBulkString(p)
	}
	c.conn.WriteBulkString("commands")
	c.conn.WriteBulkString(u.CommandRules())
	c.conn.WriteBulkString("keys")
	c.conn.WriteBulkString(u.KeyRules())
	c.conn.WriteBulkString("channels")
	c.conn.WriteBulkString(u.ChannelRules())
	c.conn.WriteBulkString("selectors")
	c.conn.WriteArrayLen(len(u.Selectors))
	for i := range u.Selectors {
		sel := &u.Selectors[i]
		c.conn.WriteMapLen(3)
		c.conn.WriteBulkString("commands")
		c.conn.WriteBulkString(sel.CommandRules())
		c.conn.WriteBulkString("keys")
		c.conn.WriteBulkString(sel.KeyRules())
		c.conn.WriteBulkString("channels")
		c.conn.WriteBulkString(sel.ChannelRules())
	}
}

// ACL DELUSER username [username ...]: the connections of a deleted user
// are closed.
func cmdACLDelUser(c *client, args [][]byte) {
	for _, name := range args[2:] {
		if string(name) == "default" {
			c.conn.WriteError("ERR The 'default' user cannot be removed")
			return
		}
	}
	s := c.server
	r := s.acl
	var deleted []*aclUser
	r.mu.Lock()
	for _, name := range args[2:] {
		if u := r.users[string(name)]; u != nil {
			delete(r.users, string(name))
			u.deleted.Store(true)
			deleted = append(deleted, u)
		}
	}
	r.mu.Unlock()
	for _, u := range deleted {
		s.killUserClients(c, u)
	}
	c.conn.WriteInt(int64(len(deleted)))
}

// ACL LIST
func cmdACLList(c *client, args [][]byte) {
	r := c.server.acl
	names := r.names()
	lines := make([]string, 0, len(names))
	for _, n := range names {
		if u := r.lookup(n); u != nil {
			lines = append(lines, describeUser(u.get()))
		}
	}
	c.conn.WriteArrayLen(len(lines))
	for _, l := range lines {
		c.conn.WriteBulkString(l)
	}
}

// ACL USERS
func cmdACLUsers(c *client, args [][]byte) {
	names := c.server.acl.names()
	c.conn.WriteArrayLen(len(names))
	for _, n := range names {
		c.conn.WriteBulkString(n)
	}
}

// ACL WHOAMI
func cmdACLWhoami(c *client, args [][]byte) {
	c.conn.WriteBulkString(c.userName())
}

// ACL GENPASS [bits]: a random password of bits bits, in hex.
func cmdACLGenPass(c *client, args [][]byte) {
	bits := int64(256)
	if len(args) > 3 {
		c.conn.WriteError(unknownSubcommandOrArity(args[1], "ACL"))
		return
	}
	if len(args) == 3 {
		n, ok := parseInt(args[2])
		if !ok {
			c.conn.WriteError(errNotInteger)
			return
		}
		if n <= 0 || n > 4096 {
			c.conn.WriteError("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096")
			return
		}
		bits = n
	}
	chars := int((bits + 3) / 4)
	buf := make([]byte, (chars+1)/2)
	if _, err := rand.Read(buf); err != nil {
		c.conn.WriteError("ERR failed to generate a password: " + err.Error())
		return
	}
	c.conn.WriteBulkString(hex.EncodeToString(buf)[:chars])
}

// ACL DRYRUN username command [arg ...]: whether the user could run the
// command, without running it.
func cmdACLDryRun(c *client, args [][]byte) {
	s := c.server
	entry := s.acl.lookup(string(args[2]))
	if entry == nil {
		c.conn.WriteError("ERR User '" + string(cString(args[2], len(args[2]))) + "' not found")
		return
	}
	argv := args[3:]
	cmd := s.commands.lookup(argv[0])
	if cmd != nil && cmd.subcommands != nil && len(argv) >= 2 {
		cmd = lookupLower(cmd.subcommands, argv[1])
	}
	if cmd == nil {
		c.conn.WriteError("ERR Command '" + string(cString(argv[0], len(argv[0]))) + "' not found")
		return
	}
	if !cmd.arityOK(len(argv)) {
		c.conn.WriteError("ERR wrong number of arguments for '" + cmd.name + "' command")
		return
	}
	d, pos := s.aclCheck(entry.get(), cmd, argv)
	switch d {
	case aclOK:
		c.conn.WriteOK()
	case aclDeniedCmd:
		c.conn.WriteBulkString("This user has no permissions to run the '" + cmd.name + "' command")
	case aclDeniedKey:
		c.conn.WriteBulkString("This user has no permissions to access the '" + string(argv[pos]) + "' key")
	default:
		c.conn.WriteBulkString("This user has no permissions to access the '" + string(argv[pos]) + "' channel")
	}
}

// ACL LOG [count | RESET]
func cmdACLLog(c *client, args [][]byte) {
	if len(args) > 3 {
		c.conn.WriteError(unknownSubcommandOrArity(args[1], "ACL"))
		return
	}
	r := c.server.acl
	count := int64(10)
	if len(args) == 3 {
		if is(args[2], "reset") {
			r.mu.Lock()
			r.log.entries = nil
			r.mu.Unlock()
			c.conn.WriteOK()
			return
		}
		n, ok := parseInt(args[2])
		if !ok {
			c.conn.WriteError(errNotInteger)
			return
		}
		count = max(0, n)
	}
	r.mu.Lock()
	shown := r.log.entries[:min(count, int64(len(r.log.entries)))]
	entries := make([]aclLogEntry, 0, len(shown))
	for _, e := range shown {
		entries = append(entries, *e)
	}
	r.mu.Unlock()
	now := time.Now()
	c.conn.WriteArrayLen(len(entries))
	for _, e := range entries {
		c.conn.WriteMapLen(7)
		c.conn.WriteBulkString("count")
		c.conn.WriteInt(e.count)
		c.conn.WriteBulkString("reason")
		c.conn.WriteBulkString(e.reason)
		c.conn.WriteBulkString("context")
		c.conn.WriteBulkString(e.context)
		c.conn.WriteBulkString("object")
		c.conn.WriteBulkString(e.object)
		c.conn.WriteBulkString("username")
		c.conn.WriteBulkString(e.username)
		c.conn.WriteBulkString("age-seconds")
		c.conn.WriteDouble(float64(now.Sub(e.ctime).Milliseconds()) / 1000)
		c.conn.WriteBulkString("client-info")
		c.conn.WriteBulkString(e.cinfo)
	}
}

// errNoACLFile is ACL SAVE's and LOAD's error without an aclfile.
const errNoACLFile = "ERR This Redis instance is not configured to use an ACL file. You may want to specify users " +
	"via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) " +
	"in order to store users in the Redis configuration."

// ACL LOAD: the aclfile's users replace all users; the connections of
// the old ones (default's aside) are closed, as Redis frees them.
func cmdACLLoad(c *client, args [][]byte) {
	s := c.server
	file := s.settings.aclFile.Load()
	if file == "" {
		c.conn.WriteError(errNoACLFile)
		return
	}
	users, errText := readACLFile(file, s.settings.newACLUser)
	if errText != "" {
		c.conn.WriteError("ERR " + errText)
		return
	}
	for _, u := range s.acl.install(users) {
		s.killUserClients(c, u)
	}
	c.conn.WriteOK()
}

// ACL SAVE: every user's ACL LIST line to the aclfile, through a
// temporary file renamed over it.
func cmdACLSave(c *client, args [][]byte) {
	s := c.server
	file := s.settings.aclFile.Load()
	if file == "" {
		c.conn.WriteError(errNoACLFile)
		return
	}
	r := s.acl
	var b strings.Builder
	for _, name := range r.names() {
		if u := r.lookup(name); u != nil {
			b.WriteString(describeUser(u.get()) + "\n")
		}
	}
	if err := writeFileAtomic(file, b.String()); err != nil {
		s.log.Warn("ACL SAVE failed: " + err.Error())
		c.conn.WriteError("ERR There was an error trying to save the ACLs. Please check the server logs for more information")
		return
	}
	c.conn.WriteOK()
}

// ACL HELP
func cmdACLHelp(c *client, args [][]byte) {
	c.writeHelp("ACL",
		"CAT [<category>]",
		"    List all commands that belong to <category>, or all command categories",
		"    when no category is specified.",
		"DELUSER <username> [<username> ...]",
		"    Delete a list of users.",
		"DRYRUN <username> <command> [<arg> ...]",
		"    Returns whether the user can execute the given command without executing the command.",
		"GETUSER <username>",
		"    Get the user's details.",
		"GENPASS [<bits>]",
		"    Generate a secure 256-bit user password. The optional `bits` argument can",
		"    be used to specify a different size.",
		"LIST",
		"    Show users details in config file format.",
		"LOAD",
		"    Reload users from the ACL file.",
		"LOG [<count> | RESET]",
		"    Show the ACL log entries.",
		"SAVE",
		"    Save the current config to the ACL file.",
		"SETUSER <username> <attribute> [<attribute> ...]",
		"    Create or modify a user with the specified attributes.",
		"USERS",
		"    List all the registered usernames.",
		"WHOAMI",
		"    Return the current connection username.",
	)
}
