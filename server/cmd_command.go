package main

import (
	"maps"
	"slices"
	"strings"

	"github.com/mini-redis/mini-redis/db/glob"
)

// COMMAND: the command table, as clients (redis-cli, cluster-aware
// libraries) read it.

func introspectionCommands() []*command {
	sub := func(name string, arity int, run func(*client, [][]byte)) *command {
		return &command{name: name, arity: arity, flags: flagLoading | flagStale, run: run}
	}
	cmd := container("command", flagLoading|flagStale,
		sub("count", 2, cmdCommandCount),
		sub("info", -2, cmdCommandInfo),
		sub("docs", -2, cmdCommandDocs),
		sub("list", -2, cmdCommandList),
		sub("getkeys", -4, cmdCommandGetKeys),
		sub("help", 2, cmdCommandHelp),
	)
	cmd.arity = -1
	cmd.run = cmdCommand // COMMAND alone lists everything
	return []*command{cmd}
}

// flagNames are the COMMAND INFO names of the flags, in Redis's order.
var flagNames = []struct {
	flag cmdFlags
	name string
}{
	{flagWrite, "write"}, {flagReadonly, "readonly"}, {flagDenyOOM, "denyoom"}, {flagAdmin, "admin"},
	{flagPubSub, "pubsub"}, {flagNoScript, "noscript"}, {flagLoading, "loading"}, {flagStale, "stale"},
	{flagSkipSlowlog, "skip_slowlog"}, {flagFast, "fast"}, {flagNoAuth, "no_auth"},
	{flagMayReplicate, "may_replicate"}, {flagNoMulti, "no_multi"}, {flagProtected, "protected"},
}

// groupCategories are the ACL categories of the documentation groups that
// have one.
var groupCategories = map[string]string{
	"string":       "@string",
	"bitmap":       "@bitmap",
	"generic":      "@keyspace",
	"connection":   "@connection",
	"pubsub":       "@pubsub",
	"transactions": "@transaction",
}

// aclCategories derives a command's ACL categories, as COMMAND INFO shows
// them, from its flags and group.
func (cmd *command) aclCategories() []string {
	var cats []string
	if cmd.flags&flagWrite != 0 {
		cats = append(cats, "@write")
	}
	if cmd.flags&flagReadonly != 0 {
		cats = append(cats, "@read")
	}
	if cat, ok := groupCategories[cmd.doc().group]; ok {
		cats = append(cats, cat)
	}
	if cmd.flags&flagAdmin != 0 {
		cats = append(cats, "@admin", "@dangerous")
	}
	if cmd.flags&flagFast != 0 {
		cats = append(cats, "@fast")
	} else {
		cats = append(cats, "@slow")
	}
	return cats
}

// writeCommandInfo writes one command's COMMAND INFO entry: name, arity, flags,
// first key, last key, step, ACL categories, tips, key specs, subcommands.
func (c *client) writeCommandInfo(cmd *command) {
	c.conn.WriteArrayLen(10)
	c.conn.WriteBulkString(cmd.name)
	c.conn.WriteInt(int64(cmd.arity))
	var flags []string
	for _, f := range flagNames {
		if cmd.flags&f.flag != 0 {
			flags = append(flags, f.name)
		}
	}
	c.conn.WriteSetLen(len(flags))
	for _, f := range flags {
		c.conn.WriteSimple(f)
	}
	c.conn.WriteInt(int64(cmd.firstKey))
	c.conn.WriteInt(int64(cmd.lastKey))
	c.conn.WriteInt(int64(cmd.keyStep))
	cats := cmd.aclCategories()
	c.conn.WriteSetLen(len(cats))
	for _, cat := range cats {
		c.conn.WriteSimple(cat)
	}
	c.conn.WriteSetLen(0) // tips
	if cmd.firstKey > 0 {
		c.writeKeySpec(cmd)
	} else {
		c.conn.WriteArrayLen(0)
	}
	subs := cmd.sortedSubcommands()
	c.conn.WriteArrayLen(len(subs))
	for _, sub := range subs {
		c.writeCommandInfo(sub)
	}
}

// writeKeySpec writes the one key spec that first/last/step describe.
func (c *client) writeKeySpec(cmd *command) {
	access := "RO"
	if cmd.flags&flagWrite != 0 {
		access = "RW"
	}
	last := cmd.lastKey
	if last > 0 {
		last -= cmd.firstKey
	}
	c.conn.WriteArrayLen(1)
	c.conn.WriteMapLen(3)
	c.conn.WriteBulkString("flags")
	c.conn.WriteSetLen(1)
	c.conn.WriteSimple(access)
	c.conn.WriteBulkString("begin_search")
	c.writeKeySearch("index", keySpecField{"index", int64(cmd.firstKey)})
	c.conn.WriteBulkString("find_keys")
	c.writeKeySearch("range",
		keySpecField{"lastkey", int64(last)},
		keySpecField{"keystep", int64(cmd.keyStep)},
		keySpecField{"limit", 0})
}

// keySpecField is one field of the spec of a key spec's search step.
type keySpecField struct {
	name  string
	value int64
}

// writeKeySearch writes a key spec's begin_search or find_keys step: its
// type, and the spec, a map of the fields that type has.
func (c *client) writeKeySearch(typ string, spec ...keySpecField) {
	c.conn.WriteMapLen(2)
	c.conn.WriteBulkString("type")
	c.conn.WriteBulkString(typ)
	c.conn.WriteBulkString("spec")
	c.conn.WriteMapLen(len(spec))
	for _, f := range spec {
		c.conn.WriteBulkString(f.name)
		c.conn.WriteInt(f.value)
	}
}

// sortedByName returns the commands of a table sorted by name, as COMMAND
// lists them.
func sortedByName(table map[string]*command) []*command {
	return slices.SortedFunc(maps.Values(table), func(a, b *command) int { return strings.Compare(a.name, b.name) })
}

func (cmd *command) sortedSubcommands() []*command { return sortedByName(cmd.subcommands) }

func (s *Server) sortedCommands() []*command { return sortedByName(s.commands) }

// COMMAND
func cmdCommand(c *client, args [][]byte) {
	list := c.server.sortedCommands()
	c.conn.WriteArrayLen(len(list))
	for _, cmd := range list {
		c.writeCommandInfo(cmd)
	}
}

// COMMAND COUNT
func cmdCommandCount(c *client, args [][]byte) {
	c.conn.WriteInt(int64(len(c.server.commands)))
}

// lookupFull finds "name" or "parent|sub".
func (s *Server) lookupFull(name []byte) *command {
	parent, sub, ok := strings.Cut(strings.ToLower(string(name)), "|")
	cmd := s.commands[parent]
	if cmd == nil || !ok {
		return cmd
	}
	return cmd.subcommands[sub]
}

// COMMAND INFO [command-name ...]
func cmdCommandInfo(c *client, args [][]byte) {
	if len(args) == 2 {
		cmdCommand(c, args)
		return
	}
	c.conn.WriteArrayLen(len(args) - 2)
	for _, name := range args[2:] {
		if cmd := c.server.lookupFull(name); cmd != nil {
			c.writeCommandInfo(cmd)
		} else {
			c.conn.WriteNull() // addReplyNull: $-1 in RESP2
		}
	}
}

// COMMAND DOCS [command-name ...]
func cmdCommandDocs(c *client, args [][]byte) {
	var list []*command
	if len(args) == 2 {
		list = c.server.sortedCommands()
	} else {
		for _, name := range args[2:] {
			if cmd := c.server.lookupFull(name); cmd != nil {
				list = append(list, cmd)
			}
		}
	}
	c.conn.WriteMapLen(len(list))
	for _, cmd := range list {
		c.conn.WriteBulkString(cmd.name)
		c.writeCommandDoc(cmd)
	}
}

func (c *client) writeCommandDoc(cmd *command) {
	d := cmd.doc()
	subs := cmd.sortedSubcommands()
	n := 4
	if len(subs) > 0 {
		n++
	}
	c.conn.WriteMapLen(n)
	c.conn.WriteBulkString("summary")
	c.conn.WriteBulkString(d.summary)
	c.conn.WriteBulkString("since")
	c.conn.WriteBulkString(d.since)
	c.conn.WriteBulkString("group")
	c.conn.WriteBulkString(d.group)
	c.conn.WriteBulkString("complexity")
	c.conn.WriteBulkString(d.complexity)
	if len(subs) > 0 {
		c.conn.WriteBulkString("subcommands")
		c.conn.WriteMapLen(len(subs))
		for _, sub := range subs {
			c.conn.WriteBulkString(sub.name)
			c.writeCommandDoc(sub)
		}
	}
}

// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]
func cmdCommandList(c *client, args [][]byte) {
	var keep func(*command) bool
	switch {
	case len(args) == 2:
	case len(args) == 5 && is(args[2], "filterby") && is(args[3], "pattern"):
		p := string(args[4])
		keep = func(cmd *command) bool { return glob.MatchString(p, cmd.name, true) }
	case len(args) == 5 && is(args[2], "filterby") && is(args[3], "aclcat"):
		// The category ends at a NUL: Redis compares it with strcasecmp.
		cat := "@" + strings.ToLower(string(cString(args[4], len(args[4]))))
		keep = func(cmd *command) bool { return slices.Contains(cmd.aclCategories(), cat) }
	case len(args) == 5 && is(args[2], "filterby") && is(args[3], "module"):
		keep = func(*command) bool { return false } // no modules
	default:
		c.conn.WriteError(errSyntax)
		return
	}
	var names []string
	for _, cmd := range c.server.sortedCommands() {
		for _, x := range append([]*command{cmd}, cmd.sortedSubcommands()...) {
			if keep == nil || keep(x) {
				names = append(names, x.name)
			}
		}
	}
	c.writeStrings(names)
}

// COMMAND GETKEYS command arg [arg ...], checked as Redis's
// getKeysSubcommandImpl does, in its order: that there is such a command
// (a container named alone is one), that it takes keys, then its arity.
func cmdCommandGetKeys(c *client, args [][]byte) {
	argv := args[2:]
	target := c.server.commands.lookup(argv[0])
	if target != nil && target.subcommands != nil {
		target = lookupLower(target.subcommands, argv[1])
	}
	var keys [][]byte
	switch {
	case target == nil:
		c.conn.WriteError("ERR Invalid command specified")
		return
	case target.firstKey <= 0 || target.flags&flagPubSub != 0:
		// The pub/sub commands' positions name shard channels, which
		// Redis's key specs mark not_key.
		c.conn.WriteError("ERR The command has no key arguments")
		return
	case !target.arityOK(len(argv)):
		c.conn.WriteError("ERR Invalid number of arguments specified for command")
		return
	}
	if keys = target.keys(argv); len(keys) == 0 {
		c.conn.WriteError("ERR Invalid arguments specified for command")
		return
	}
	c.conn.WriteArrayLen(len(keys))
	for _, k := range keys {
		c.conn.WriteBulk(k)
	}
}

// COMMAND HELP
func cmdCommandHelp(c *client, args [][]byte) {
	c.writeHelp("COMMAND",
		"(no subcommand)",
		"    Return details about all Redis commands.",
		"COUNT",
		"    Return the total number of commands in this Redis server.",
		"LIST",
		"    Return a list of all commands in this Redis server.",
		"INFO [<command-name> ...]",
		"    Return details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"DOCS [<command-name> ...]",
		"    Return documentation details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"GETKEYS <full-command>",
		"    Return the keys from a full Redis command.",
		"GETKEYSANDFLAGS <full-command>",
		"    Return the keys and the access flags from a full Redis command.",
	)
}
