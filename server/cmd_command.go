package server

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/mini-redis/mini-redis/db/glob"
)

// COMMAND: the command table, as clients (redis-cli, cluster-aware
// libraries) read it.

func introspectionCommands() []*command {
	sub := func(name string, run func(*client, [][]byte)) *command { return &command{name: name, run: run} }
	cmd := container("command", 0,
		sub("count", cmdCommandCount),
		sub("info", cmdCommandInfo),
		sub("docs", cmdCommandDocs),
		sub("list", cmdCommandList),
		sub("getkeys", cmdCommandGetKeys),
		sub("getkeysandflags", cmdCommandGetKeysAndFlags),
		sub("help", cmdCommandHelp),
	)
	cmd.run = cmdCommand // COMMAND alone lists everything
	return []*command{cmd}
}

// flagNames are the COMMAND INFO names of the declared flags, in Redis's
// order. Redis 7.0 does not report may_replicate and protected.
var flagNames = []struct {
	flag cmdFlags
	name string
}{
	{flagWrite, "write"}, {flagReadonly, "readonly"}, {flagDenyOOM, "denyoom"}, {flagAdmin, "admin"},
	{flagPubSub, "pubsub"}, {flagNoScript, "noscript"}, {flagBlocking, "blocking"},
	{flagLoading, "loading"}, {flagStale, "stale"}, {flagSkipMonitor, "skip_monitor"},
	{flagSkipSlowlog, "skip_slowlog"}, {flagAsking, "asking"}, {flagFast, "fast"},
	{flagNoAuth, "no_auth"}, {flagNoMandatoryKeys, "no_mandatory_keys"},
	{flagNoAsyncLoading, "no_async_loading"}, {flagNoMulti, "no_multi"},
	{flagMovableKeys, "movablekeys"}, {flagAllowBusy, "allow_busy"},
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
// begin_search and find_keys steps, each a type and a map of the fields
// that type has.
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
	c.conn.WriteMapLen(2)
	c.conn.WriteBulkString("type")
	switch b := ks.begin; b.kind {
	case beginIndex:
		c.conn.WriteBulkString("index")
		c.writeSearchSpec("index", b.index)
	case beginKeyword:
		c.conn.WriteBulkString("keyword")
		c.conn.WriteBulkString("spec")
		c.conn.WriteMapLen(2)
		c.writeField("keyword", b.keyword)
		c.conn.WriteBulkString("startfrom")
		c.conn.WriteInt(int64(b.startFrom))
	default:
		c.conn.WriteBulkString("unknown")
		c.writeSearchSpec()
	}

	c.conn.WriteBulkString("find_keys")
	c.conn.WriteMapLen(2)
	c.conn.WriteBulkString("type")
	switch f := ks.find; f.kind {
	case findRange:
		c.conn.WriteBulkString("range")
		c.writeSearchSpec("lastkey", f.lastKey, "keystep", f.keyStep, "limit", f.limit)
	case findKeynum:
		c.conn.WriteBulkString("keynum")
		c.writeSearchSpec("keynumidx", f.keyNumIdx, "firstkey", f.firstKey, "keystep", f.keyStep)
	default:
		c.conn.WriteBulkString("unknown")
		c.writeSearchSpec()
	}
}

// writeSearchSpec writes the "spec" field of a key spec's search step whose
// fields are all integers: fields holds their names and values in turn.
func (c *client) writeSearchSpec(fields ...any) {
	c.conn.WriteBulkString("spec")
	c.conn.WriteMapLen(len(fields) / 2)
	for i := 0; i+1 < len(fields); i += 2 {
		c.conn.WriteBulkString(fields[i].(string))
		c.conn.WriteInt(int64(fields[i+1].(int)))
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
	case target.firstKey <= 0 && target.info.flags&flagMovableKeys == 0 || target.info.flags&flagPubSub != 0:
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
	found, ok := target.keysWithFlags(argv)
	if !ok {
		c.conn.WriteError("ERR Invalid arguments specified for command")
		return
	}
	c.conn.WriteArrayLen(len(found))
	for _, kf := range found {
		c.conn.WriteArrayLen(2)
		c.conn.WriteBulk(argv[kf.pos])
		c.writeSimpleSet(kf.flags.names())
	}
}

// keysWithFlags returns the keys in argv (the command's name first) with
// the flags of the key spec that finds each, as Redis's
// getKeysFromCommandWithSpecs; ok is false when the arguments do not fit
// the specs.
func (cmd *command) keysWithFlags(argv [][]byte) (found []keyRef, ok bool) {
	if cmd.getKeys != nil {
		return cmd.getKeys(argv), true
	}
	for _, ks := range cmd.info.keySpecs {
		if ks.flags&keyNotKey != 0 {
			continue // a shard channel
		}
		positions, ok := ks.positions(argv)
		if !ok {
			return nil, false
		}
		flags := ks.flags
		if flags&keyVariableFlags != 0 {
			flags = variableKeyFlags(cmd, argv, flags)
		}
		for _, i := range positions {
			found = append(found, keyRef{i, flags})
		}
	}
	return found, true
}

// positions returns the argument indexes of the keys the spec finds in
// argv (the command's name first), as Redis's getKeysUsingKeySpecs does.
// ok is false when the arguments do not fit the spec (Redis's
// invalid_spec); a spec whose keyword is missing finds no keys.
func (ks keySpec) positions(argv [][]byte) (out []int, ok bool) {
	argc := len(argv)
	var first int
	switch b := ks.begin; b.kind {
	case beginIndex:
		first = b.index
	case beginKeyword:
		// Forwards from startFrom, or backwards from the end, up to but
		// not including end: the keyword must be followed by a key.
		start, end := b.startFrom, argc-1
		if b.startFrom <= 0 {
			start, end = argc+b.startFrom, 1
		}
		dir := 1
		if start > end {
			dir = -1
		}
		for i := start; i != end && i >= 1 && i < argc; i += dir {
			if is(argv[i], b.keyword) {
				first = i + 1
				break
			}
		}
		if first == 0 {
			return nil, true
		}
	default:
		return nil, false
	}
	var last, step int
	switch f := ks.find; f.kind {
	case findRange:
		step = f.keyStep
		switch {
		case f.lastKey >= 0:
			last = first + f.lastKey
		case f.limit == 0:
			last = argc + f.lastKey
		default:
			last = first + (argc-first)/f.limit + f.lastKey
		}
	case findKeynum:
		step = f.keyStep
		i := first + f.keyNumIdx
		if i >= argc {
			return nil, false
		}
		n, err := strconv.Atoi(string(argv[i]))
		if err != nil || n < 0 {
			return nil, false
		}
		first += f.firstKey
		last = first + n - 1
	default:
		return nil, false
	}
	if last >= argc || last < first || first >= argc {
		return nil, false
	}
	for i := first; i <= last; i += max(step, 1) {
		out = append(out, i)
	}
	return out, true
}

// variableKeyFlags returns the flags a spec marked variable_flags has for
// these arguments: the command's keyFlags says, or without one, the
// declared flags stand.
func variableKeyFlags(cmd *command, argv [][]byte, declared keySpecFlags) keySpecFlags {
	if cmd.keyFlags == nil {
		return declared &^ keyVariableFlags
	}
	return cmd.keyFlags(argv)
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
