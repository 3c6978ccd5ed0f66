package server

// Command documentation for COMMAND DOCS, as Redis 7.0.15 reports it: a
// summary, the version that introduced the command, its group, its
// complexity, and where the command has them its doc flags, deprecation,
// history and arguments. The data is transcribed from the replies of a real
// redis-server 7.0.15 (COMMAND DOCS <name>), and TestCommandDocsMatchesRedis
// compares every entry with it byte for byte. The wording is 7.0's, which
// differs from the docs of later versions: clients that show it (redis-cli's
// hints and help) should see what the server we imitate says.

// A commandDoc is the documentation of one command or subcommand. A
// container's subcommands are not listed here: COMMAND DOCS reports the
// ones this server implements, from the command table.
type commandDoc struct {
	summary, since, group, complexity string
	flags                             docFlags
	deprecatedSince, replacedBy       string // set for deprecated commands
	history                           []docHistory
	args                              []docArg
}

// docFlags are the doc flags of a command.
type docFlags uint8

// The doc flags, in the order Redis lists them.
const (
	docDeprecated docFlags = 1 << iota // superseded; see replacedBy
	docSyscmd                          // a system command, not for applications (DEBUG)
)

// names returns the names of the flags, in Redis's order.
func (f docFlags) names() []string {
	var out []string
	for i, name := range []string{"deprecated", "syscmd"} {
		if f&(1<<i) != 0 {
			out = append(out, name)
		}
	}
	return out
}

// A docHistory entry is one change to a command: the version and what
// changed.
type docHistory struct {
	version, change string
}

// A docArg describes one argument of a command, or one member of a oneof
// or block argument (in args).
type docArg struct {
	name string
	typ  string // key, string, integer, double, pattern, unix-time, pure-token, oneof, block
	// keySpec is the index of the key spec (in COMMAND INFO) that finds
	// this argument; only key arguments have one, and only they report it.
	keySpec                       int
	token, since, deprecatedSince string
	flags                         argFlags
	args                          []docArg
}

// argFlags are the flags of an argument.
type argFlags uint8

// The argument flags, in the order Redis lists them.
const (
	argOptional      argFlags = 1 << iota
	argMultiple               // may be repeated
	argMultipleToken          // may be repeated, each time with its token
)

// names returns the names of the flags, in Redis's order.
func (f argFlags) names() []string {
	var out []string
	for i, name := range []string{"optional", "multiple", "multiple_token"} {
		if f&(1<<i) != 0 {
			out = append(out, name)
		}
	}
	return out
}

// doc returns the command's documentation. Every command has an entry
// (TestEveryCommandHasDocs); a missing one would show as empty strings.
func (cmd *command) doc() commandDoc { return commandDocs[cmd.name] }

// writeCommandDoc writes one command's COMMAND DOCS entry: a map of its
// fields in Redis's order, omitting the empty optional ones, with a
// container's subcommands (sorted: Redis's order is its hash table's,
// which is randomly seeded) as a nested map of name to entry.
func (c *client) writeCommandDoc(cmd *command) {
	d := cmd.doc()
	subs := cmd.sortedSubcommands()
	n := 4
	for _, present := range []bool{
		d.flags != 0, d.deprecatedSince != "", d.replacedBy != "",
		len(d.history) > 0, len(d.args) > 0, len(subs) > 0,
	} {
		if present {
			n++
		}
	}
	c.conn.WriteMapLen(n)
	c.writeField("summary", d.summary)
	c.writeField("since", d.since)
	c.writeField("group", d.group)
	c.writeField("complexity", d.complexity)
	if d.flags != 0 {
		c.conn.WriteBulkString("doc_flags")
		c.writeSimpleSet(d.flags.names())
	}
	c.writeOptionalField("deprecated_since", d.deprecatedSince)
	c.writeOptionalField("replaced_by", d.replacedBy)
	if len(d.history) > 0 {
		c.conn.WriteBulkString("history")
		c.conn.WriteSetLen(len(d.history))
		for _, h := range d.history {
			c.conn.WriteArrayLen(2)
			c.conn.WriteBulkString(h.version)
			c.conn.WriteBulkString(h.change)
		}
	}
	if len(d.args) > 0 {
		c.conn.WriteBulkString("arguments")
		c.writeDocArgs(d.args)
	}
	if len(subs) > 0 {
		c.conn.WriteBulkString("subcommands")
		c.conn.WriteMapLen(len(subs))
		for _, sub := range subs {
			c.conn.WriteBulkString(sub.name)
			c.writeCommandDoc(sub)
		}
	}
}

// writeDocArgs writes a list of arguments, each a map of its fields in
// Redis's order.
func (c *client) writeDocArgs(args []docArg) {
	c.conn.WriteArrayLen(len(args))
	for _, a := range args {
		isKey := a.typ == "key"
		n := 2
		for _, present := range []bool{
			isKey, a.token != "", a.since != "", a.deprecatedSince != "", a.flags != 0, len(a.args) > 0,
		} {
			if present {
				n++
			}
		}
		c.conn.WriteMapLen(n)
		c.writeField("name", a.name)
		c.writeField("type", a.typ)
		if isKey {
			c.conn.WriteBulkString("key_spec_index")
			c.conn.WriteInt(int64(a.keySpec))
		}
		c.writeOptionalField("token", a.token)
		c.writeOptionalField("since", a.since)
		c.writeOptionalField("deprecated_since", a.deprecatedSince)
		if a.flags != 0 {
			c.conn.WriteBulkString("flags")
			c.writeSimpleSet(a.flags.names())
		}
		if len(a.args) > 0 {
			c.conn.WriteBulkString("arguments")
			c.writeDocArgs(a.args)
		}
	}
}

// writeField writes a map field whose value is a bulk string.
func (c *client) writeField(name, value string) {
	c.conn.WriteBulkString(name)
	c.conn.WriteBulkString(value)
}

// writeOptionalField writes a string field unless it is empty, as Redis
// omits unset fields.
func (c *client) writeOptionalField(name, value string) {
	if value != "" {
		c.writeField(name, value)
	}
}

// commandDocs holds every command's documentation, keyed by the name
// COMMAND DOCS reports ("object|encoding" for subcommands). CLIENT SETINFO
// is ours alone (Redis 7.2 added it; go-redis sends it): its entry is
// written in 7.0's style, from 7.2's documentation of the command.
var commandDocs = map[string]commandDoc{
	"append": {summary: "Append a value to a key", since: "2.0.0", group: "string", complexity: "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "value", typ: "string"},
		}},
	"auth": {summary: "Authenticate to the server", since: "1.0.0", group: "connection", complexity: "O(N) where N is the number of passwords defined for the user",
		history: []docHistory{{"6.0.0", "Added ACL style (username and password)."}},
		args: []docArg{
			{name: "username", typ: "string", since: "6.0.0", flags: argOptional},
			{name: "password", typ: "string"},
		}},
	"bgsave": {summary: "Asynchronously save the dataset to disk", since: "1.0.0", group: "server", complexity: "O(1)",
		history: []docHistory{{"3.2.2", "Added the `SCHEDULE` option."}},
		args: []docArg{
			{name: "schedule", typ: "pure-token", token: "SCHEDULE", since: "3.2.2", flags: argOptional},
		}},
	"bitcount": {summary: "Count set bits in a string", since: "2.6.0", group: "bitmap", complexity: "O(N)",
		history: []docHistory{{"7.0.0", "Added the `BYTE|BIT` option."}},
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "index", typ: "block", flags: argOptional, args: []docArg{
				{name: "start", typ: "integer"},
				{name: "end", typ: "integer"},
				{name: "index_unit", typ: "oneof", since: "7.0.0", flags: argOptional, args: []docArg{
					{name: "byte", typ: "pure-token", token: "BYTE"},
					{name: "bit", typ: "pure-token", token: "BIT"},
				}},
			}},
		}},
	"bitpos": {summary: "Find first bit set or clear in a string", since: "2.8.7", group: "bitmap", complexity: "O(N)",
		history: []docHistory{{"7.0.0", "Added the `BYTE|BIT` option."}},
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "bit", typ: "integer"},
			{name: "index", typ: "block", flags: argOptional, args: []docArg{
				{name: "start", typ: "integer"},
				{name: "end_index", typ: "block", flags: argOptional, args: []docArg{
					{name: "end", typ: "integer"},
					{name: "index_unit", typ: "oneof", since: "7.0.0", flags: argOptional, args: []docArg{
						{name: "byte", typ: "pure-token", token: "BYTE"},
						{name: "bit", typ: "pure-token", token: "BIT"},
					}},
				}},
			}},
		}},
	"client":         {summary: "A container for client connection commands", since: "2.4.0", group: "connection", complexity: "Depends on subcommand."},
	"client|getname": {summary: "Get the current connection name", since: "2.6.9", group: "connection", complexity: "O(1)"},
	"client|help":    {summary: "Show helpful text about the different subcommands", since: "5.0.0", group: "connection", complexity: "O(1)"},
	"client|id":      {summary: "Returns the client ID for the current connection", since: "5.0.0", group: "connection", complexity: "O(1)"},
	"client|info":    {summary: "Returns information about the current client connection.", since: "6.2.0", group: "connection", complexity: "O(1)"},
	"client|kill": {summary: "Kill the connection of a client", since: "2.4.0", group: "connection", complexity: "O(N) where N is the number of client connections",
		history: []docHistory{{"2.8.12", "Added new filter format."}, {"2.8.12", "`ID` option."}, {"3.2.0", "Added `master` type in for `TYPE` option."}, {"5.0.0", "Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility."}, {"6.2.0", "`LADDR` option."}},
		args: []docArg{
			{name: "filter", typ: "oneof", args: []docArg{
				{name: "ip:port", typ: "string", deprecatedSince: "2.8.12"},
				{name: "new-format", typ: "oneof", flags: argMultiple, args: []docArg{
					{name: "client-id", typ: "integer", token: "ID", since: "2.8.12", flags: argOptional},
					{name: "normal_master_slave_pubsub", typ: "oneof", token: "TYPE", since: "2.8.12", flags: argOptional, args: []docArg{
						{name: "normal", typ: "pure-token", token: "NORMAL"},
						{name: "master", typ: "pure-token", token: "MASTER", since: "3.2.0"},
						{name: "slave", typ: "pure-token", token: "SLAVE"},
						{name: "replica", typ: "pure-token", token: "REPLICA", since: "5.0.0"},
						{name: "pubsub", typ: "pure-token", token: "PUBSUB"},
					}},
					{name: "username", typ: "string", token: "USER", flags: argOptional},
					{name: "ip:port", typ: "string", token: "ADDR", flags: argOptional},
					{name: "ip:port", typ: "string", token: "LADDR", since: "6.2.0", flags: argOptional},
					{name: "yes/no", typ: "string", token: "SKIPME", flags: argOptional},
				}},
			}},
		}},
	"client|list": {summary: "Get the list of client connections", since: "2.4.0", group: "connection", complexity: "O(N) where N is the number of client connections",
		history: []docHistory{{"2.8.12", "Added unique client `id` field."}, {"5.0.0", "Added optional `TYPE` filter."}, {"6.0.0", "Added `user` field."}, {"6.2.0", "Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter."}, {"7.0.0", "Added `resp`, `multi-mem`, `rbs` and `rbp` fields."}, {"7.0.3", "Added `ssub` field."}},
		args: []docArg{
			{name: "normal_master_replica_pubsub", typ: "oneof", token: "TYPE", since: "5.0.0", flags: argOptional, args: []docArg{
				{name: "normal", typ: "pure-token", token: "NORMAL"},
				{name: "master", typ: "pure-token", token: "MASTER"},
				{name: "replica", typ: "pure-token", token: "REPLICA"},
				{name: "pubsub", typ: "pure-token", token: "PUBSUB"},
			}},
			{name: "id", typ: "block", token: "ID", since: "6.2.0", flags: argOptional, args: []docArg{
				{name: "client-id", typ: "integer", flags: argMultiple},
			}},
		}},
	"client|no-evict": {summary: "Set client eviction mode for the current connection", since: "7.0.0", group: "connection", complexity: "O(1)",
		args: []docArg{
			{name: "enabled", typ: "oneof", args: []docArg{
				{name: "on", typ: "pure-token", token: "ON"},
				{name: "off", typ: "pure-token", token: "OFF"},
			}},
		}},
	"client|pause": {summary: "Stop processing commands from clients for some time", since: "2.9.50", group: "connection", complexity: "O(1)",
		history: []docHistory{{"6.2.0", "`CLIENT PAUSE WRITE` mode added along with the `mode` option."}},
		args: []docArg{
			{name: "timeout", typ: "integer"},
			{name: "mode", typ: "oneof", since: "6.2.0", flags: argOptional, args: []docArg{
				{name: "write", typ: "pure-token", token: "WRITE"},
				{name: "all", typ: "pure-token", token: "ALL"},
			}},
		}},
	"client|reply": {summary: "Instruct the server whether to reply to commands", since: "3.2.0", group: "connection", complexity: "O(1)",
		args: []docArg{
			{name: "on_off_skip", typ: "oneof", args: []docArg{
				{name: "on", typ: "pure-token", token: "ON"},
				{name: "off", typ: "pure-token", token: "OFF"},
				{name: "skip", typ: "pure-token", token: "SKIP"},
			}},
		}},
	"client|setinfo": {summary: "Set information specific to the client or connection", since: "7.2.0", group: "connection", complexity: "O(1)",
		args: []docArg{
			{name: "attr", typ: "oneof", args: []docArg{
				{name: "libname", typ: "string", token: "LIB-NAME"},
				{name: "libver", typ: "string", token: "LIB-VER"},
			}},
		}},
	"client|setname": {summary: "Set the current connection name", since: "2.6.9", group: "connection", complexity: "O(1)",
		args: []docArg{
			{name: "connection-name", typ: "string"},
		}},
	"client|unpause": {summary: "Resume processing of clients that were paused", since: "6.2.0", group: "connection", complexity: "O(N) Where N is the number of paused clients"},
	"command":        {summary: "Get array of Redis command details", since: "2.8.13", group: "server", complexity: "O(N) where N is the total number of Redis commands"},
	"command|count":  {summary: "Get total number of Redis commands", since: "2.8.13", group: "server", complexity: "O(1)"},
	"command|docs": {summary: "Get array of specific Redis command documentation", since: "7.0.0", group: "server", complexity: "O(N) where N is the number of commands to look up",
		args: []docArg{
			{name: "command-name", typ: "string", flags: argOptional | argMultiple},
		}},
	"command|getkeys":         {summary: "Extract keys given a full Redis command", since: "2.8.13", group: "server", complexity: "O(N) where N is the number of arguments to the command"},
	"command|getkeysandflags": {summary: "Extract keys and access flags given a full Redis command", since: "7.0.0", group: "server", complexity: "O(N) where N is the number of arguments to the command"},
	"command|help":            {summary: "Show helpful text about the different subcommands", since: "5.0.0", group: "server", complexity: "O(1)"},
	"command|info": {summary: "Get array of specific Redis command details, or all when no argument is given.", since: "2.8.13", group: "server", complexity: "O(N) where N is the number of commands to look up",
		history: []docHistory{{"7.0.0", "Allowed to be called with no argument to get info on all commands."}},
		args: []docArg{
			{name: "command-name", typ: "string", flags: argOptional | argMultiple},
		}},
	"command|list": {summary: "Get an array of Redis command names", since: "7.0.0", group: "server", complexity: "O(N) where N is the total number of Redis commands",
		args: []docArg{
			{name: "filterby", typ: "oneof", token: "FILTERBY", flags: argOptional, args: []docArg{
				{name: "module-name", typ: "string", token: "MODULE"},
				{name: "category", typ: "string", token: "ACLCAT"},
				{name: "pattern", typ: "pattern", token: "PATTERN"},
			}},
		}},
	"config": {summary: "A container for server configuration commands", since: "2.0.0", group: "server", complexity: "Depends on subcommand."},
	"config|get": {summary: "Get the values of configuration parameters", since: "2.0.0", group: "server", complexity: "O(N) when N is the number of configuration parameters provided",
		history: []docHistory{{"7.0.0", "Added the ability to pass multiple pattern parameters in one call"}},
		args: []docArg{
			{name: "parameter", typ: "block", flags: argMultiple, args: []docArg{
				{name: "parameter", typ: "string"},
			}},
		}},
	"config|help":      {summary: "Show helpful text about the different subcommands", since: "5.0.0", group: "server", complexity: "O(1)"},
	"config|resetstat": {summary: "Reset the stats returned by INFO", since: "2.0.0", group: "server", complexity: "O(1)"},
	"config|rewrite":   {summary: "Rewrite the configuration file with the in memory configuration", since: "2.8.0", group: "server", complexity: "O(1)"},
	"config|set": {summary: "Set configuration parameters to the given values", since: "2.0.0", group: "server", complexity: "O(N) when N is the number of configuration parameters provided",
		history: []docHistory{{"7.0.0", "Added the ability to set multiple parameters in one call."}},
		args: []docArg{
			{name: "parameter_value", typ: "block", flags: argMultiple, args: []docArg{
				{name: "parameter", typ: "string"},
				{name: "value", typ: "string"},
			}},
		}},
	"copy": {summary: "Copy a key", since: "6.2.0", group: "generic", complexity: "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
		args: []docArg{
			{name: "source", typ: "key", keySpec: 0},
			{name: "destination", typ: "key", keySpec: 1},
			{name: "destination-db", typ: "integer", token: "DB", flags: argOptional},
			{name: "replace", typ: "pure-token", token: "REPLACE", flags: argOptional},
		}},
	"dbsize": {summary: "Return the number of keys in the selected database", since: "1.0.0", group: "server", complexity: "O(1)"},
	"debug":  {summary: "A container for debugging commands", since: "1.0.0", group: "server", complexity: "Depends on subcommand.", flags: docSyscmd},
	"decr": {summary: "Decrement the integer value of a key by one", since: "1.0.0", group: "string", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
		}},
	"decrby": {summary: "Decrement the integer value of a key by the given number", since: "1.0.0", group: "string", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "decrement", typ: "integer"},
		}},
	"del": {summary: "Delete a key", since: "1.0.0", group: "generic", complexity: "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0, flags: argMultiple},
		}},
	"discard": {summary: "Discard all commands issued after MULTI", since: "2.0.0", group: "transactions", complexity: "O(N), when N is the number of queued commands"},
	"echo": {summary: "Echo the given string", since: "1.0.0", group: "connection", complexity: "O(1)",
		args: []docArg{
			{name: "message", typ: "string"},
		}},
	"exec": {summary: "Execute all commands issued after MULTI", since: "1.2.0", group: "transactions", complexity: "Depends on commands in the transaction"},
	"exists": {summary: "Determine if a key exists", since: "1.0.0", group: "generic", complexity: "O(N) where N is the number of keys to check.",
		history: []docHistory{{"3.0.3", "Accepts multiple `key` arguments."}},
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0, flags: argMultiple},
		}},
	"expire": {summary: "Set a key's time to live in seconds", since: "1.0.0", group: "generic", complexity: "O(1)",
		history: []docHistory{{"7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."}},
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "seconds", typ: "integer"},
			{name: "condition", typ: "oneof", since: "7.0.0", flags: argOptional, args: []docArg{
				{name: "nx", typ: "pure-token", token: "NX"},
				{name: "xx", typ: "pure-token", token: "XX"},
				{name: "gt", typ: "pure-token", token: "GT"},
				{name: "lt", typ: "pure-token", token: "LT"},
			}},
		}},
	"expireat": {summary: "Set the expiration for a key as a UNIX timestamp", since: "1.2.0", group: "generic", complexity: "O(1)",
		history: []docHistory{{"7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."}},
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "unix-time-seconds", typ: "unix-time"},
			{name: "condition", typ: "oneof", since: "7.0.0", flags: argOptional, args: []docArg{
				{name: "nx", typ: "pure-token", token: "NX"},
				{name: "xx", typ: "pure-token", token: "XX"},
				{name: "gt", typ: "pure-token", token: "GT"},
				{name: "lt", typ: "pure-token", token: "LT"},
			}},
		}},
	"expiretime": {summary: "Get the expiration Unix timestamp for a key", since: "7.0.0", group: "generic", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
		}},
	"flushall": {summary: "Remove all keys from all databases", since: "1.0.0", group: "server", complexity: "O(N) where N is the total number of keys in all databases",
		history: []docHistory{{"4.0.0", "Added the `ASYNC` flushing mode modifier."}, {"6.2.0", "Added the `SYNC` flushing mode modifier."}},
		args: []docArg{
			{name: "async", typ: "oneof", flags: argOptional, args: []docArg{
				{name: "async", typ: "pure-token", token: "ASYNC", since: "4.0.0"},
				{name: "sync", typ: "pure-token", token: "SYNC", since: "6.2.0"},
			}},
		}},
	"flushdb": {summary: "Remove all keys from the current database", since: "1.0.0", group: "server", complexity: "O(N) where N is the number of keys in the selected database",
		history: []docHistory{{"4.0.0", "Added the `ASYNC` flushing mode modifier."}, {"6.2.0", "Added the `SYNC` flushing mode modifier."}},
		args: []docArg{
			{name: "async", typ: "oneof", flags: argOptional, args: []docArg{
				{name: "async", typ: "pure-token", token: "ASYNC", since: "4.0.0"},
				{name: "sync", typ: "pure-token", token: "SYNC", since: "6.2.0"},
			}},
		}},
	"get": {summary: "Get the value of a key", since: "1.0.0", group: "string", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
		}},
	"getbit": {summary: "Returns the bit value at offset in the string value stored at key", since: "2.2.0", group: "bitmap", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "offset", typ: "integer"},
		}},
	"getdel": {summary: "Get the value of a key and delete the key", since: "6.2.0", group: "string", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
		}},
	"getex": {summary: "Get the value of a key and optionally set its expiration", since: "6.2.0", group: "string", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "expiration", typ: "oneof", flags: argOptional, args: []docArg{
				{name: "seconds", typ: "integer", token: "EX"},
				{name: "milliseconds", typ: "integer", token: "PX"},
				{name: "unix-time-seconds", typ: "unix-time", token: "EXAT"},
				{name: "unix-time-milliseconds", typ: "unix-time", token: "PXAT"},
				{name: "persist", typ: "pure-token", token: "PERSIST"},
			}},
		}},
	"getrange": {summary: "Get a substring of the string stored at a key", since: "2.4.0", group: "string", complexity: "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "start", typ: "integer"},
			{name: "end", typ: "integer"},
		}},
	"getset": {summary: "Set the string value of a key and return its old value", since: "1.0.0", group: "string", complexity: "O(1)", flags: docDeprecated, deprecatedSince: "6.2.0", replacedBy: "`SET` with the `!GET` argument",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "value", typ: "string"},
		}},
	"hello": {summary: "Handshake with Redis", since: "6.0.0", group: "connection", complexity: "O(1)",
		history: []docHistory{{"6.2.0", "`protover` made optional; when called without arguments the command reports the current connection's context."}},
		args: []docArg{
			{name: "arguments", typ: "block", flags: argOptional, args: []docArg{
				{name: "protover", typ: "integer"},
				{name: "username_password", typ: "block", token: "AUTH", flags: argOptional, args: []docArg{
					{name: "username", typ: "string"},
					{name: "password", typ: "string"},
				}},
				{name: "clientname", typ: "string", token: "SETNAME", flags: argOptional},
			}},
		}},
	"incr": {summary: "Increment the integer value of a key by one", since: "1.0.0", group: "string", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
		}},
	"incrby": {summary: "Increment the integer value of a key by the given amount", since: "1.0.0", group: "string", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "increment", typ: "integer"},
		}},
	"incrbyfloat": {summary: "Increment the float value of a key by the given amount", since: "2.6.0", group: "string", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "increment", typ: "double"},
		}},
	"info": {summary: "Get information and statistics about the server", since: "1.0.0", group: "server", complexity: "O(1)",
		history: []docHistory{{"7.0.0", "Added support for taking multiple section arguments."}},
		args: []docArg{
			{name: "section", typ: "string", flags: argOptional | argMultiple},
		}},
	"keys": {summary: "Find all keys matching the given pattern", since: "1.0.0", group: "generic", complexity: "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
		args: []docArg{
			{name: "pattern", typ: "pattern"},
		}},
	"lastsave": {summary: "Get the UNIX time stamp of the last successful save to disk", since: "1.0.0", group: "server", complexity: "O(1)"},
	"lcs": {summary: "Find longest common substring", since: "7.0.0", group: "string", complexity: "O(N*M) where N and M are the lengths of s1 and s2, respectively",
		args: []docArg{
			{name: "key1", typ: "key", keySpec: 0},
			{name: "key2", typ: "key", keySpec: 0},
			{name: "len", typ: "pure-token", token: "LEN", flags: argOptional},
			{name: "idx", typ: "pure-token", token: "IDX", flags: argOptional},
			{name: "len", typ: "integer", token: "MINMATCHLEN", flags: argOptional},
			{name: "withmatchlen", typ: "pure-token", token: "WITHMATCHLEN", flags: argOptional},
		}},
	"mget": {summary: "Get the values of all the given keys", since: "1.0.0", group: "string", complexity: "O(N) where N is the number of keys to retrieve.",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0, flags: argMultiple},
		}},
	"move": {summary: "Move a key to another database", since: "1.0.0", group: "generic", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "db", typ: "integer"},
		}},
	"mset": {summary: "Set multiple keys to multiple values", since: "1.0.1", group: "string", complexity: "O(N) where N is the number of keys to set.",
		args: []docArg{
			{name: "key_value", typ: "block", flags: argMultiple, args: []docArg{
				{name: "key", typ: "key", keySpec: 0},
				{name: "value", typ: "string"},
			}},
		}},
	"msetnx": {summary: "Set multiple keys to multiple values, only if none of the keys exist", since: "1.0.1", group: "string", complexity: "O(N) where N is the number of keys to set.",
		args: []docArg{
			{name: "key_value", typ: "block", flags: argMultiple, args: []docArg{
				{name: "key", typ: "key", keySpec: 0},
				{name: "value", typ: "string"},
			}},
		}},
	"multi":  {summary: "Mark the start of a transaction block", since: "1.2.0", group: "transactions", complexity: "O(1)"},
	"object": {summary: "A container for object introspection commands", since: "2.2.3", group: "generic", complexity: "Depends on subcommand."},
	"object|encoding": {summary: "Inspect the internal encoding of a Redis object", since: "2.2.3", group: "generic", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
		}},
	"object|freq": {summary: "Get the logarithmic access frequency counter of a Redis object", since: "4.0.0", group: "generic", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
		}},
	"object|help": {summary: "Show helpful text about the different subcommands", since: "6.2.0", group: "generic", complexity: "O(1)"},
	"object|idletime": {summary: "Get the time since a Redis object was last accessed", since: "2.2.3", group: "generic", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
		}},
	"object|refcount": {summary: "Get the number of references to the value of the key", since: "2.2.3", group: "generic", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
		}},
	"persist": {summary: "Remove the expiration from a key", since: "2.2.0", group: "generic", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
		}},
	"pexpire": {summary: "Set a key's time to live in milliseconds", since: "2.6.0", group: "generic", complexity: "O(1)",
		history: []docHistory{{"7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."}},
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "milliseconds", typ: "integer"},
			{name: "condition", typ: "oneof", since: "7.0.0", flags: argOptional, args: []docArg{
				{name: "nx", typ: "pure-token", token: "NX"},
				{name: "xx", typ: "pure-token", token: "XX"},
				{name: "gt", typ: "pure-token", token: "GT"},
				{name: "lt", typ: "pure-token", token: "LT"},
			}},
		}},
	"pexpireat": {summary: "Set the expiration for a key as a UNIX timestamp specified in milliseconds", since: "2.6.0", group: "generic", complexity: "O(1)",
		history: []docHistory{{"7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."}},
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "unix-time-milliseconds", typ: "unix-time"},
			{name: "condition", typ: "oneof", since: "7.0.0", flags: argOptional, args: []docArg{
				{name: "nx", typ: "pure-token", token: "NX"},
				{name: "xx", typ: "pure-token", token: "XX"},
				{name: "gt", typ: "pure-token", token: "GT"},
				{name: "lt", typ: "pure-token", token: "LT"},
			}},
		}},
	"pexpiretime": {summary: "Get the expiration Unix timestamp for a key in milliseconds", since: "7.0.0", group: "generic", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
		}},
	"ping": {summary: "Ping the server", since: "1.0.0", group: "connection", complexity: "O(1)",
		args: []docArg{
			{name: "message", typ: "string", flags: argOptional},
		}},
	"psetex": {summary: "Set the value and expiration in milliseconds of a key", since: "2.6.0", group: "string", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "milliseconds", typ: "integer"},
			{name: "value", typ: "string"},
		}},
	"psubscribe": {summary: "Listen for messages published to channels matching the given patterns", since: "2.0.0", group: "pubsub", complexity: "O(N) where N is the number of patterns the client is already subscribed to.",
		args: []docArg{
			{name: "pattern", typ: "block", flags: argMultiple, args: []docArg{
				{name: "pattern", typ: "pattern"},
			}},
		}},
	"pttl": {summary: "Get the time to live for a key in milliseconds", since: "2.6.0", group: "generic", complexity: "O(1)",
		history: []docHistory{{"2.8.0", "Added the -2 reply."}},
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
		}},
	"publish": {summary: "Post a message to a channel", since: "2.0.0", group: "pubsub", complexity: "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
		args: []docArg{
			{name: "channel", typ: "string"},
			{name: "message", typ: "string"},
		}},
	"pubsub": {summary: "A container for Pub/Sub commands", since: "2.8.0", group: "pubsub", complexity: "Depends on subcommand."},
	"pubsub|channels": {summary: "List active channels", since: "2.8.0", group: "pubsub", complexity: "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
		args: []docArg{
			{name: "pattern", typ: "pattern", flags: argOptional},
		}},
	"pubsub|help":   {summary: "Show helpful text about the different subcommands", since: "6.2.0", group: "pubsub", complexity: "O(1)"},
	"pubsub|numpat": {summary: "Get the count of unique patterns pattern subscriptions", since: "2.8.0", group: "pubsub", complexity: "O(1)"},
	"pubsub|numsub": {summary: "Get the count of subscribers for channels", since: "2.8.0", group: "pubsub", complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
		args: []docArg{
			{name: "channel", typ: "string", flags: argOptional | argMultiple},
		}},
	"pubsub|shardchannels": {summary: "List active shard channels", since: "7.0.0", group: "pubsub", complexity: "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).",
		args: []docArg{
			{name: "pattern", typ: "pattern", flags: argOptional},
		}},
	"pubsub|shardnumsub": {summary: "Get the count of subscribers for shard channels", since: "7.0.0", group: "pubsub", complexity: "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels",
		args: []docArg{
			{name: "shardchannel", typ: "string", flags: argOptional | argMultiple},
		}},
	"punsubscribe": {summary: "Stop listening for messages posted to channels matching the given patterns", since: "2.0.0", group: "pubsub", complexity: "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
		args: []docArg{
			{name: "pattern", typ: "pattern", flags: argOptional | argMultiple},
		}},
	"quit":      {summary: "Close the connection", since: "1.0.0", group: "connection", complexity: "O(1)"},
	"randomkey": {summary: "Return a random key from the keyspace", since: "1.0.0", group: "generic", complexity: "O(1)"},
	"rename": {summary: "Rename a key", since: "1.0.0", group: "generic", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "newkey", typ: "key", keySpec: 1},
		}},
	"renamenx": {summary: "Rename a key, only if the new key does not exist", since: "1.0.0", group: "generic", complexity: "O(1)",
		history: []docHistory{{"3.2.0", "The command no longer returns an error when source and destination names are the same."}},
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "newkey", typ: "key", keySpec: 1},
		}},
	"reset": {summary: "Reset the connection", since: "6.2.0", group: "connection", complexity: "O(1)"},
	"save":  {summary: "Synchronously save the dataset to disk", since: "1.0.0", group: "server", complexity: "O(N) where N is the total number of keys in all databases"},
	"scan": {summary: "Incrementally iterate the keys space", since: "2.8.0", group: "generic", complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
		history: []docHistory{{"6.0.0", "Added the `TYPE` subcommand."}},
		args: []docArg{
			{name: "cursor", typ: "integer"},
			{name: "pattern", typ: "pattern", token: "MATCH", flags: argOptional},
			{name: "count", typ: "integer", token: "COUNT", flags: argOptional},
			{name: "type", typ: "string", token: "TYPE", since: "6.0.0", flags: argOptional},
		}},
	"select": {summary: "Change the selected database for the current connection", since: "1.0.0", group: "connection", complexity: "O(1)",
		args: []docArg{
			{name: "index", typ: "integer"},
		}},
	"set": {summary: "Set the string value of a key", since: "1.0.0", group: "string", complexity: "O(1)",
		history: []docHistory{{"2.6.12", "Added the `EX`, `PX`, `NX` and `XX` options."}, {"6.0.0", "Added the `KEEPTTL` option."}, {"6.2.0", "Added the `GET`, `EXAT` and `PXAT` option."}, {"7.0.0", "Allowed the `NX` and `GET` options to be used together."}},
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "value", typ: "string"},
			{name: "condition", typ: "oneof", since: "2.6.12", flags: argOptional, args: []docArg{
				{name: "nx", typ: "pure-token", token: "NX"},
				{name: "xx", typ: "pure-token", token: "XX"},
			}},
			{name: "get", typ: "pure-token", token: "GET", since: "6.2.0", flags: argOptional},
			{name: "expiration", typ: "oneof", flags: argOptional, args: []docArg{
				{name: "seconds", typ: "integer", token: "EX", since: "2.6.12"},
				{name: "milliseconds", typ: "integer", token: "PX", since: "2.6.12"},
				{name: "unix-time-seconds", typ: "unix-time", token: "EXAT", since: "6.2.0"},
				{name: "unix-time-milliseconds", typ: "unix-time", token: "PXAT", since: "6.2.0"},
				{name: "keepttl", typ: "pure-token", token: "KEEPTTL", since: "6.0.0"},
			}},
		}},
	"setbit": {summary: "Sets or clears the bit at offset in the string value stored at key", since: "2.2.0", group: "bitmap", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "offset", typ: "integer"},
			{name: "value", typ: "integer"},
		}},
	"setex": {summary: "Set the value and expiration of a key", since: "2.0.0", group: "string", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "seconds", typ: "integer"},
			{name: "value", typ: "string"},
		}},
	"setnx": {summary: "Set the value of a key, only if the key does not exist", since: "1.0.0", group: "string", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "value", typ: "string"},
		}},
	"setrange": {summary: "Overwrite part of a string at key starting at the specified offset", since: "2.2.0", group: "string", complexity: "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "offset", typ: "integer"},
			{name: "value", typ: "string"},
		}},
	"shutdown": {summary: "Synchronously save the dataset to disk and then shut down the server", since: "1.0.0", group: "server", complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
		history: []docHistory{{"7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers."}},
		args: []docArg{
			{name: "nosave_save", typ: "oneof", flags: argOptional, args: []docArg{
				{name: "nosave", typ: "pure-token", token: "NOSAVE"},
				{name: "save", typ: "pure-token", token: "SAVE"},
			}},
			{name: "now", typ: "pure-token", token: "NOW", since: "7.0.0", flags: argOptional},
			{name: "force", typ: "pure-token", token: "FORCE", since: "7.0.0", flags: argOptional},
			{name: "abort", typ: "pure-token", token: "ABORT", since: "7.0.0", flags: argOptional},
		}},
	"spublish": {summary: "Post a message to a shard channel", since: "7.0.0", group: "pubsub", complexity: "O(N) where N is the number of clients subscribed to the receiving shard channel.",
		args: []docArg{
			{name: "shardchannel", typ: "string"},
			{name: "message", typ: "string"},
		}},
	"ssubscribe": {summary: "Listen for messages published to the given shard channels", since: "7.0.0", group: "pubsub", complexity: "O(N) where N is the number of shard channels to subscribe to.",
		args: []docArg{
			{name: "shardchannel", typ: "string", flags: argMultiple},
		}},
	"strlen": {summary: "Get the length of the value stored in a key", since: "2.2.0", group: "string", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
		}},
	"subscribe": {summary: "Listen for messages published to the given channels", since: "2.0.0", group: "pubsub", complexity: "O(N) where N is the number of channels to subscribe to.",
		args: []docArg{
			{name: "channel", typ: "string", flags: argMultiple},
		}},
	"substr": {summary: "Get a substring of the string stored at a key", since: "1.0.0", group: "string", complexity: "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.", flags: docDeprecated, deprecatedSince: "2.0.0", replacedBy: "`GETRANGE`",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
			{name: "start", typ: "integer"},
			{name: "end", typ: "integer"},
		}},
	"sunsubscribe": {summary: "Stop listening for messages posted to the given shard channels", since: "7.0.0", group: "pubsub", complexity: "O(N) where N is the number of clients already subscribed to a shard channel.",
		args: []docArg{
			{name: "shardchannel", typ: "string", flags: argOptional | argMultiple},
		}},
	"swapdb": {summary: "Swaps two Redis databases", since: "4.0.0", group: "server", complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases.",
		args: []docArg{
			{name: "index1", typ: "integer"},
			{name: "index2", typ: "integer"},
		}},
	"time": {summary: "Return the current server time", since: "2.6.0", group: "server", complexity: "O(1)"},
	"touch": {summary: "Alters the last access time of a key(s). Returns the number of existing keys specified.", since: "3.2.1", group: "generic", complexity: "O(N) where N is the number of keys that will be touched.",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0, flags: argMultiple},
		}},
	"ttl": {summary: "Get the time to live for a key in seconds", since: "1.0.0", group: "generic", complexity: "O(1)",
		history: []docHistory{{"2.8.0", "Added the -2 reply."}},
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
		}},
	"type": {summary: "Determine the type stored at key", since: "1.0.0", group: "generic", complexity: "O(1)",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0},
		}},
	"unlink": {summary: "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.", since: "4.0.0", group: "generic", complexity: "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0, flags: argMultiple},
		}},
	"unsubscribe": {summary: "Stop listening for messages posted to the given channels", since: "2.0.0", group: "pubsub", complexity: "O(N) where N is the number of clients already subscribed to a channel.",
		args: []docArg{
			{name: "channel", typ: "string", flags: argOptional | argMultiple},
		}},
	"unwatch": {summary: "Forget about all watched keys", since: "2.2.0", group: "transactions", complexity: "O(1)"},
	"watch": {summary: "Watch the given keys to determine execution of the MULTI/EXEC block", since: "2.2.0", group: "transactions", complexity: "O(1) for every key.",
		args: []docArg{
			{name: "key", typ: "key", keySpec: 0, flags: argMultiple},
		}},
}
