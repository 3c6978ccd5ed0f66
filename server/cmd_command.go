package server

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
		sub("getkeysandflags", -4, cmdCommandGetKeysAndFlags),
		sub("help", 2, cmdCommandHelp),
	)
	cmd.arity = -1
	cmd.run = cmdCommand // COMMAND alone lists everything
	return []*command{cmd}
}

// flagNames are the COMMAND INFO names of the flags, in Redis's order.
// flagProtected is missing: Redis 7.0 does not report it.
var flagNames = []struct {
	flag cmdFlags
	name string
}{
	{flagWrite, "write"}, {flagReadonly, "readonly"}, {flagDenyOOM, "denyoom"}, {flagAdmin, "admin"},
	{flagPubSub, "pubsub"}, {flagNoScript, "noscript"}, {flagLoading, "loading"}, {flagStale, "stale"},
	{flagSkipSlowlog, "skip_slowlog"}, {flagFast, "fast"}, {flagNoAuth, "no_auth"},
	{flagMayReplicate, "may_replicate"}, {flagNoAsyncLoading, "no_async_loading"},
	{flagNoMulti, "no_multi"}, {flagAllowBusy, "allow_busy"},
}

// aclCategories returns a command's ACL categories as COMMAND INFO shows
// them.
func (cmd *command) aclCategories() []string { return cmd.info.acl.names() }

// writeCommandInfo writes one command's COMMAND INFO entry: name, arity, flags,
// first key, last key, step, ACL categories, tips, key specs, subcommands.
// Redis 7.0 replies the tips, the key specs and an empty subcommand list as
// sets in RESP3, and a non-empty subcommand list as an array.
func (c *client) writeCommandInfo(cmd *command) {
	c.conn.WriteArrayLen(10)
	c.conn.WriteBulkString(cmd.name)
	c.conn.WriteInt(int64(cmd.arity))
	var flags []string
	for _, f := range flagNames {
		if cmd.info.flags&f.flag != 0 {
			flags = append(flags, f.name)
		}
	}
	c.writeSimpleSet(flags)
	c.conn.WriteInt(int64(cmd.firstKey))
	c.conn.WriteInt(int64(cmd.lastKey))
	c.conn.WriteInt(int64(cmd.keyStep))
	c.writeSimpleSet(cmd.aclCategories())
	c.conn.WriteSetLen(len(cmd.info.tips))
	for _, tip := range cmd.info.tips {
		c.conn.WriteBulkString(tip)
	}
	c.conn.WriteSetLen(len(cmd.info.keySpecs))
	for _, ks := range cmd.info.keySpecs {
		c.writeKeySpec(ks)
	}
	subs := cmd.sortedSubcommands() // Redis's order is its hash table's: random
	if len(subs) == 0 {
		c.conn.WriteSetLen(0)
		return
	}
	c.conn.WriteArrayLen(len(subs))
	for _, sub := range subs {
		c.writeCommandInfo(sub)
	}
}

// writeSimpleSet writes a set of simple strings.
func (c *client) writeSimpleSet(items []string) {
	c.conn.WriteSetLen(len(items))
	for _, s := range items {
		c.conn.WriteSimple(s)
	}
}

// writeKeySpec writes one key spec: notes if any, flags, then the
// begin_search and find_keys steps.
func (c *client) writeKeySpec(ks keySpec) {
	n := 3
	if ks.notes != "" {
		n++
	}
	c.conn.WriteMapLen(n)
	if ks.notes != "" {
		c.conn.WriteBulkString("notes")
		c.conn.WriteBulkString(ks.notes)
	}
	c.conn.WriteBulkString("flags")
	c.writeSimpleSet(ks.flags.names())
	c.conn.WriteBulkString("begin_search")
	c.writeKeySearch("index", keySpecField{"index", int64(ks.index)})
	c.conn.WriteBulkString("find_keys")
	c.writeKeySearch("range",
		keySpecField{"lastkey", int64(ks.lastKey)},
		keySpecField{"keystep", int64(ks.keyStep)},
		keySpecField{"limit", int64(ks.limit)})
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

// getKeysTarget finds the command that COMMAND GETKEYS and
// GETKEYSANDFLAGS are asked about and checks its arguments as Redis's
// getKeysSubcommandImpl does, in its order: that there is such a command
// (a container named alone is one), that it takes keys, then its arity.
// It writes the error and returns nil when a check fails.
func getKeysTarget(c *client, argv [][]byte) *command {
	target := c.server.commands.lookup(argv[0])
	if target != nil && target.subcommands != nil {
		target = lookupLower(target.subcommands, argv[1])
	}
	switch {
	case target == nil:
		c.conn.WriteError("ERR Invalid command specified")
		return nil
	case target.firstKey <= 0 || target.flags&flagPubSub != 0:
		// The pub/sub commands' positions name shard channels, which
		// Redis's key specs mark not_key.
		c.conn.WriteError("ERR The command has no key arguments")
		return nil
	case !target.arityOK(len(argv)):
		c.conn.WriteError("ERR Invalid number of arguments specified for command")
		return nil
	}
	if len(target.keys(argv)) == 0 {
		c.conn.WriteError("ERR Invalid arguments specified for command")
		return nil
	}
	return target
}

// COMMAND GETKEYS command arg [arg ...]
func cmdCommandGetKeys(c *client, args [][]byte) {
	argv := args[2:]
	target := getKeysTarget(c, argv)
	if target == nil {
		return
	}
	keys := target.keys(argv)
	c.conn.WriteArrayLen(len(keys))
	for _, k := range keys {
		c.conn.WriteBulk(k)
	}
}

// COMMAND GETKEYSANDFLAGS command arg [arg ...]: each key with the flags of
// the key spec that finds it.
func cmdCommandGetKeysAndFlags(c *client, args [][]byte) {
	argv := args[2:]
	target := getKeysTarget(c, argv)
	if target == nil {
		return
	}
	type keyFlags struct {
		key   []byte
		flags keySpecFlags
	}
	var found []keyFlags
	for _, ks := range target.info.keySpecs {
		flags := ks.flags
		if flags&keyVariableFlags != 0 {
			flags = variableKeyFlags(target, argv, flags)
		}
		for _, i := range ks.positions(len(argv)) {
			found = append(found, keyFlags{argv[i], flags})
		}
	}
	c.conn.WriteArrayLen(len(found))
	for _, kf := range found {
		c.conn.WriteArrayLen(2)
		c.conn.WriteBulk(kf.key)
		c.writeSimpleSet(kf.flags.names())
	}
}

// positions returns the argument indexes of the keys the spec finds in a
// command of argc arguments (the name included).
func (ks keySpec) positions(argc int) []int {
	last := ks.index + ks.lastKey
	if ks.lastKey < 0 {
		last = argc + ks.lastKey
	}
	last = min(last, argc-1)
	step := max(ks.keyStep, 1)
	var out []int
	for i := ks.index; i <= last; i += step {
		if ks.limit > 0 && len(out) == ks.limit {
			break
		}
		out = append(out, i)
	}
	return out
}

// variableKeyFlags returns the flags a spec marked variable_flags has for
// these arguments. SET is the only such command we implement: it reads
// and returns the old value only with GET (Redis's setGetKeys).
func variableKeyFlags(cmd *command, argv [][]byte, declared keySpecFlags) keySpecFlags {
	if cmd.name != "set" {
		return declared &^ keyVariableFlags
	}
	for _, arg := range argv[3:] {
		if is(arg, "get") {
			return keyRW | keyAccess | keyUpdate
		}
	}
	return keyOW | keyUpdate
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
