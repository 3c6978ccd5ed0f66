package server

// Command documentation for COMMAND DOCS, as Redis 7.0.15 reports it: a
// summary, the version that introduced the command, its group, its
// complexity, and where the command has them its doc flags, deprecation,
// history and arguments. The data is generated (see commandMeta). The
// wording is 7.0's, which differs from the docs of later versions: clients
// that show it (redis-cli's hints and help) should see what the server we
// imitate says.

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
	// this argument, when hasKeySpec: key arguments have one, and SORT's
	// patterns, which name keys too.
	keySpec                       int
	hasKeySpec                    bool
	token, since, deprecatedSince string
	emptyToken                    bool // the token is "", which Redis reports (MIGRATE's empty_string)
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

// writeCommandDoc writes one command's COMMAND DOCS entry: a map of its
// fields in Redis's order, omitting the empty optional ones, with a
// container's subcommands (sorted: Redis's order is its hash table's,
// which is randomly seeded) as a nested map of name to entry.
func (c *client) writeCommandDoc(cmd *command) {
	d := &cmd.doc
	subs := cmd.sortedSubcommands()
	n := 1 // the group; Redis omits the other strings when unset
	for _, present := range []bool{
		d.summary != "", d.since != "", d.complexity != "", d.flags != 0, d.deprecatedSince != "", d.replacedBy != "",
		len(d.history) > 0, len(d.args) > 0, len(subs) > 0,
	} {
		if present {
			n++
		}
	}
	c.conn.WriteMapLen(n)
	c.writeOptionalField("summary", d.summary)
	c.writeOptionalField("since", d.since)
	c.writeField("group", d.group)
	c.writeOptionalField("complexity", d.complexity)
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
		n := 2
		for _, present := range []bool{
			a.hasKeySpec, a.token != "" || a.emptyToken, a.since != "", a.deprecatedSince != "", a.flags != 0, len(a.args) > 0,
		} {
			if present {
				n++
			}
		}
		c.conn.WriteMapLen(n)
		c.writeField("name", a.name)
		c.writeField("type", a.typ)
		if a.hasKeySpec {
			c.conn.WriteBulkString("key_spec_index")
			c.conn.WriteInt(int64(a.keySpec))
		}
		if a.token != "" || a.emptyToken {
			c.writeField("token", a.token)
		}
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
