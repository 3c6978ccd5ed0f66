package server

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CLIENT and its subcommands: the connections themselves.

func clientCommands() []*command {
	sub := func(name string, run func(*client, [][]byte)) *command { return &command{name: name, run: run} }
	return []*command{
		container("client", 0,
			sub("id", func(c *client, _ [][]byte) { c.conn.WriteInt(c.id) }),
			sub("getname", cmdClientGetName),
			sub("setname", cmdClientSetName),
			sub("setinfo", cmdClientSetInfo),
			sub("list", cmdClientList),
			sub("info", cmdClientInfo),
			sub("kill", cmdClientKill),
			sub("no-evict", cmdClientNoEvict),
			sub("reply", cmdClientReply),
			sub("pause", cmdClientPause),
			sub("unpause", cmdClientUnpause),
			sub("unblock", cmdClientUnblock),
			sub("help", cmdClientHelp),
			sub("tracking", cmdClientTracking),
			sub("caching", cmdClientCaching),
			sub("getredir", cmdClientGetRedir),
			sub("trackinginfo", cmdClientTrackingInfo),
		),
	}
}

// validateClientName checks a name for CLIENT SETNAME and HELLO.
func validateClientName(name []byte) string {
	if !printableWord(name) {
		return "ERR Client names cannot contain spaces, newlines or special characters."
	}
	return ""
}

// printableWord reports whether b is printable ASCII without spaces, as
// Redis requires of client names and library names and versions.
func printableWord(b []byte) bool {
	for _, c := range b {
		if c < '!' || c > '~' {
			return false
		}
	}
	return true
}

// CLIENT GETNAME
func cmdClientGetName(c *client, args [][]byte) {
	if name := c.Name(); name != "" {
		c.conn.WriteBulkString(name)
		return
	}
	c.conn.WriteNull()
}

// CLIENT SETNAME name: an empty name removes it.
func cmdClientSetName(c *client, args [][]byte) {
	if errText := validateClientName(args[2]); errText != "" {
		c.conn.WriteError(errText)
		return
	}
	c.setName(string(args[2]))
	c.conn.WriteOK()
}

// CLIENT SETINFO LIB-NAME name | LIB-VER version, as Redis 7.2 added it:
// clients such as go-redis and Lettuce send it when they connect.
func cmdClientSetInfo(c *client, args [][]byte) {
	attr, value := args[2], args[3]
	if !printableWord(value) {
		c.conn.WriteError("ERR " + strings.ToLower(string(cString(attr, len(attr)))) +
			" cannot contain spaces, newlines or special characters.")
		return
	}
	c.mu.Lock()
	switch {
	case is(attr, "lib-name"):
		c.libName = string(value)
	case is(attr, "lib-ver"):
		c.libVer = string(value)
	default:
		c.mu.Unlock()
		c.conn.WriteError("ERR Unrecognized option '" + string(cString(attr, len(attr))) + "'")
		return
	}
	c.mu.Unlock()
	c.conn.WriteOK()
}

// info returns the client's line of CLIENT LIST, with the fields tools
// parse, in Redis's order.
func (c *client) info() string {
	c.mu.Lock()
	name, libName, libVer := c.name, c.libName, c.libVer
	c.mu.Unlock()
	now := time.Now()
	counts := c.subscriptions()
	sub, psub, ssub := counts.Channels, counts.Patterns, counts.ShardChannels
	// A letter per flag set, in Redis's order; N when there is none.
	var flags string
	if c.isMaster {
		flags += "M"
	}
	if c.monitoring.Load() {
		flags += "O"
	} else if c.replica.Load() != nil {
		flags += "S"
	}
	if counts.Total() > 0 {
		flags += "P"
	}
	if c.multiShown.Load() >= 0 {
		flags += "x"
	}
	if c.blockedOn.Load() != nil || c.pausedShown.Load() {
		flags += "b"
	}
	tr := c.server.trackingState(c)
	if tr.flags&trackOn != 0 {
		flags += "t"
	}
	if tr.flags&trackBrokenRedir != 0 {
		flags += "R"
	}
	if tr.flags&trackBcast != 0 {
		flags += "B"
	}
	if c.noEvict.Load() {
		flags += "e"
	}
	if flags == "" {
		flags = "N"
	}
	cmdName := "NULL"
	if cmd := c.lastCmd.Load(); cmd != nil {
		cmdName = cmd.name
	}
	idle := (c.server.monotonic() - time.Duration(c.lastActive.Load())).Milliseconds()
	pending := c.outShown.Load()
	var b strings.Builder
	b.Grow(300)
	field := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
	}
	num := func(k string, n int64) { field(k, strconv.FormatInt(n, 10)) }
	num("id", c.id)
	field("addr", c.addr)
	field("laddr", c.laddr)
	num("fd", c.fd())
	field("name", name)
	num("age", int64(now.Sub(c.created)/time.Second))
	num("idle", idle/1000)
	field("flags", flags)
	num("db", int64(c.dbShown.Load()))
	num("sub", int64(sub))
	num("psub", int64(psub))
	num("ssub", int64(ssub))
	num("multi", int64(c.multiShown.Load()))
	num("qbuf", 0)
	num("qbuf-free", 0)
	num("argv-mem", 0)
	num("multi-mem", 0)
	num("rbs", 16384)
	num("rbp", 0)
	num("obl", int64(pending))
	num("oll", 0)
	num("omem", int64(pending))
	num("tot-mem", int64(pending))
	field("events", "r")
	field("cmd", cmdName)
	field("user", c.userName())
	redir := int64(-1)
	if tr.flags&trackOn != 0 {
		redir = tr.redirect
	}
	num("redir", redir)
	num("resp", int64(c.respShown.Load()))
	field("lib-name", libName)
	field("lib-ver", libVer)
	return b.String()
}

// CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB | ID id [id ...]]: one
// filter or none, as in Redis 7.0.
func cmdClientList(c *client, args [][]byte) {
	all := c.server.clientsByID()
	var list []*client
	switch {
	case len(args) == 2:
		list = all
	case len(args) == 4 && is(args[2], "type"):
		typ, errText := parseClientType(args[3])
		if errText != "" {
			c.conn.WriteError(errText)
			return
		}
		for _, other := range all {
			if other.kind() == typ {
				list = append(list, other)
			}
		}
	case len(args) > 3 && is(args[2], "id"):
		// The clients in the order of their IDs in the request, an ID given
		// twice listed twice, as Redis looks each one up.
		for _, arg := range args[3:] {
			id, ok := parseInt(arg)
			if !ok {
				c.conn.WriteError("ERR Invalid client ID")
				return
			}
			if i, found := slices.BinarySearchFunc(all, id, func(o *client, id int64) int { return cmp.Compare(o.id, id) }); found {
				list = append(list, all[i])
			}
		}
	default:
		c.conn.WriteError(errSyntax)
		return
	}
	var b strings.Builder
	for _, other := range list {
		b.WriteString(other.info())
		b.WriteByte('\n')
	}
	c.writeText(b.String())
}

// writeText writes a human-readable reply: a verbatim string in RESP3, a
// bulk string in RESP2.
func (c *client) writeText(s string) {
	c.conn.WriteVerbatim("txt", s)
}

// parseClientType reads the client type of CLIENT LIST and KILL: its name
// in lower case, or the error reply.
func parseClientType(arg []byte) (string, string) {
	for _, t := range []string{"normal", "master", "replica", "slave", "pubsub"} {
		if is(arg, t) {
			if t == "slave" {
				t = "replica" // one type, two names
			}
			return t, ""
		}
	}
	return "", "ERR Unknown client type '" + string(cString(arg, len(arg))) + "'"
}

// kind returns the client's type for CLIENT LIST/KILL TYPE.
func (c *client) kind() string {
	if c.isMaster {
		return "master"
	}
	if c.replica.Load() != nil {
		return "replica"
	}
	if c.subscriptions().Total() > 0 {
		return "pubsub"
	}
	return "normal"
}

// CLIENT INFO
func cmdClientInfo(c *client, args [][]byte) {
	c.writeText(c.info() + "\n")
}

// killFilter selects the clients CLIENT KILL closes.
type killFilter struct {
	id          int64
	addr, laddr string
	typ, user   string
	skipMe      bool
}

// CLIENT KILL ip:port | CLIENT KILL <filter> <value> [...]
func cmdClientKill(c *client, args [][]byte) {
	if len(args) == 3 {
		// The old form: one address; an error when nobody has it.
		f := killFilter{addr: string(args[2])}
		if n := c.server.kill(c, f); n == 0 {
			c.conn.WriteError("ERR No such client")
			return
		}
		c.conn.WriteOK()
		return
	}
	f := killFilter{skipMe: true}
	for i := 2; i < len(args); i += 2 {
		if i+1 >= len(args) {
			c.conn.WriteError(errSyntax)
			return
		}
		opt, val := args[i], args[i+1]
		switch {
		case is(opt, "id"):
			id, ok := parseInt(val)
			if !ok || id <= 0 {
				c.conn.WriteError("ERR client-id should be greater than 0")
				return
			}
			f.id = id
		case is(opt, "type"):
			var errText string
			if f.typ, errText = parseClientType(val); errText != "" {
				c.conn.WriteError(errText)
				return
			}
		case is(opt, "addr"):
			f.addr = string(val)
		case is(opt, "laddr"):
			f.laddr = string(val)
		case is(opt, "user"):
			if c.server.acl.lookup(string(val)) == nil {
				c.conn.WriteError("ERR No such user '" + string(cString(val, len(val))) + "'")
				return
			}
			f.user = string(val)
		case is(opt, "skipme"):
			switch {
			case is(val, "yes"):
				f.skipMe = true
			case is(val, "no"):
				f.skipMe = false
			default:
				c.conn.WriteError(errSyntax)
				return
			}
		default:
			c.conn.WriteError(errSyntax)
			return
		}
	}
	c.conn.WriteInt(int64(c.server.kill(c, f)))
}

// kill closes the clients f selects and returns how many. The caller
// (self) is closed after its reply, if selected.
func (s *Server) kill(self *client, f killFilter) int {
	n := 0
	for _, other := range s.clientsByID() {
		switch {
		case f.id != 0 && other.id != f.id,
			f.addr != "" && other.addr != f.addr,
			f.laddr != "" && other.laddr != f.laddr,
			f.typ != "" && other.kind() != f.typ,
			f.user != "" && other.userName() != f.user,
			f.skipMe && other == self,
			other.killed.Load(): // already on its way out
			continue
		}
		n++
		if other == self {
			self.closeAfterReply = true
			continue
		}
		other.kill()
	}
	return n
}

// kill closes the client from another goroutine: it stops between
// commands, and its connection is closed under it if it is blocked.
func (c *client) kill() {
	c.killed.Store(true)
	c.conn.Interrupt()
	c.conn.Abort()
}

// CLIENT NO-EVICT ON|OFF: accepted, and shown in CLIENT LIST; this server
// never evicts clients.
func cmdClientNoEvict(c *client, args [][]byte) {
	switch {
	case is(args[2], "on"):
		c.noEvict.Store(true)
	case is(args[2], "off"):
		c.noEvict.Store(false)
	default:
		c.conn.WriteError(errSyntax)
		return
	}
	c.conn.WriteOK()
}

// CLIENT REPLY ON|OFF|SKIP
func cmdClientReply(c *client, args [][]byte) {
	switch {
	case is(args[2], "on"):
		c.replyOff, c.skipNext = false, false
		c.conn.SetDiscard(false)
		c.conn.WriteOK()
	case is(args[2], "off"):
		c.replyOff = true
	case is(args[2], "skip"):
		// This command has no reply; client.reply drops the next one's.
		if !c.replyOff {
			c.skipNextArmed = true
		}
	default:
		c.conn.WriteError(errSyntax)
	}
}

// CLIENT PAUSE timeout [WRITE|ALL]
func cmdClientPause(c *client, args [][]byte) {
	if len(args) > 4 {
		// Redis's CLIENT dispatch takes PAUSE with 3 or 4 arguments only.
		c.conn.WriteError(subcommandSyntax(args[1], "CLIENT"))
		return
	}
	ms, ok := parseInt(args[2])
	if !ok {
		c.conn.WriteError("ERR timeout is not an integer or out of range")
		return
	}
	if ms < 0 {
		c.conn.WriteError("ERR timeout is negative")
		return
	}
	writesOnly := false
	if len(args) == 4 {
		switch {
		case is(args[3], "write"):
			writesOnly = true
		case is(args[3], "all"):
		default:
			c.conn.WriteError("ERR CLIENT PAUSE mode must be WRITE or ALL")
			return
		}
	}
	c.server.pause(time.Duration(ms)*time.Millisecond, writesOnly)
	c.conn.WriteOK()
}

// CLIENT UNPAUSE
func cmdClientUnpause(c *client, args [][]byte) {
	c.server.unpause()
	c.conn.WriteOK()
}

// CLIENT UNBLOCK client-id [TIMEOUT|ERROR]: a client blocked on keys
// replies as if its timeout had passed, or with an error.
func cmdClientUnblock(c *client, args [][]byte) {
	if len(args) > 4 {
		c.conn.WriteError(subcommandSyntax(args[1], "CLIENT"))
		return
	}
	withError := false
	if len(args) == 4 {
		switch {
		case is(args[3], "timeout"):
		case is(args[3], "error"):
			withError = true
		default:
			c.conn.WriteError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
			return
		}
	}
	id, ok := parseInt(args[2])
	if !ok {
		c.conn.WriteError(errNotInteger)
		return
	}
	if c.server.unblock(id, withError) {
		if withError {
			// Redis counts the error reply it gives the blocked client
			// against the command running, this one: it fails.
			c.errors++
		}
		c.conn.WriteInt(1)
		return
	}
	c.conn.WriteInt(0)
}

// CLIENT HELP
func cmdClientHelp(c *client, args [][]byte) {
	c.writeHelp("CLIENT",
		"CACHING (YES|NO)",
		"    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
		"GETREDIR",
		"    Return the client ID we are redirecting to when tracking is enabled.",
		"GETNAME",
		"    Return the name of the current connection.",
		"ID",
		"    Return the ID of the current connection.",
		"INFO",
		"    Return information about the current client connection.",
		"KILL <ip:port>",
		"    Kill connection made from <ip:port>.",
		"KILL <option> <value> [<option> <value> [...]]",
		"    Kill connections. Options are:",
		"    * ADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made from the specified address",
		"    * LADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made to specified local address",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Kill connections by type.",
		"    * USER <username>",
		"      Kill connections authenticated by <username>.",
		"    * SKIPME (YES|NO)",
		"      Skip killing current connection (default: yes).",
		"LIST [options ...]",
		"    Return information about client connections. Options:",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Return clients of specified type.",
		"UNPAUSE",
		"    Stop the current client pause, resuming traffic.",
		"PAUSE <timeout> [WRITE|ALL]",
		"    Suspend all, or just write, clients for <timeout> milliseconds.",
		"REPLY (ON|OFF|SKIP)",
		"    Control the replies sent to the current connection.",
		"SETNAME <name>",
		"    Assign the name <name> to the current connection.",
		"SETINFO <option> <value>",
		"    Set client meta attr. Options are:",
		"    * LIB-NAME: the client lib name.",
		"    * LIB-VER: the client lib version.",
		"UNBLOCK <clientid> [TIMEOUT|ERROR]",
		"    Unblock the specified blocked client.",
		"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
		"         [OPTIN] [OPTOUT] [NOLOOP]",
		"    Control server assisted client side caching.",
		"TRACKINGINFO",
		"    Report tracking status for the current connection.",
		"NO-EVICT (ON|OFF)",
		"    Protect current client connection from eviction.",
	)
}

// CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX prefix ...] [BCAST] [OPTIN]
// [OPTOUT] [NOLOOP], with Redis's checks in Redis's order.
func cmdClientTracking(c *client, args [][]byte) {
	var redirect int64
	var flags trackFlags
	var prefixes []string
	for j := 3; j < len(args); j++ {
		more := j < len(args)-1
		switch opt := strings.ToLower(string(args[j])); {
		case opt == "redirect" && more:
			j++
			if redirect != 0 {
				c.conn.WriteError("ERR A client can only redirect to a single other client")
				return
			}
			id, ok := parseInt(args[j])
			if !ok {
				c.conn.WriteError(errNotInteger)
				return
			}
			if c.server.clientWithID(id) == nil {
				c.conn.WriteError("ERR The client ID you want redirect to does not exist")
				return
			}
			redirect = id
		case opt == "bcast":
			flags |= trackBcast
		case opt == "optin":
			flags |= trackOptin
		case opt == "optout":
			flags |= trackOptout
		case opt == "noloop":
			flags |= trackNoloop
		case opt == "prefix" && more:
			j++
			prefixes = append(prefixes, string(args[j]))
		default:
			c.conn.WriteError(errSyntax)
			return
		}
	}
	switch strings.ToLower(string(args[2])) {
	case "on":
		if errText := c.trackingOptionsError(flags, prefixes); errText != "" {
			c.conn.WriteError(errText)
			return
		}
		if flags&trackBcast != 0 {
			errText, stop := c.server.prefixCollision(c, prefixes)
			if errText != "" {
				c.conn.WriteError(errText)
			}
			if stop {
				return
			}
		}
		c.server.enableTracking(c, redirect, flags, prefixes)
	case "off":
		c.server.disableTracking(c)
	default:
		c.conn.WriteError(errSyntax)
		return
	}
	c.conn.WriteOK()
}

// trackingOptionsError checks the modes of CLIENT TRACKING ON against each
// other and against the client's current ones.
func (c *client) trackingOptionsError(flags trackFlags, prefixes []string) string {
	cur := c.server.trackingState(c).flags
	switch {
	case flags&trackBcast == 0 && len(prefixes) > 0:
		return "ERR PREFIX option requires BCAST mode to be enabled"
	case cur&trackOn != 0 && cur&trackBcast != flags&trackBcast:
		return "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode."
	case flags&trackBcast != 0 && flags&(trackOptin|trackOptout) != 0:
		return "ERR OPTIN and OPTOUT are not compatible with BCAST"
	case flags&trackOptin != 0 && flags&trackOptout != 0:
		return "ERR You can't specify both OPTIN mode and OPTOUT mode"
	case flags&trackOptin != 0 && cur&trackOptout != 0, flags&trackOptout != 0 && cur&trackOptin != 0:
		return "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode."
	}
	return ""
}

// CLIENT CACHING YES|NO
func cmdClientCaching(c *client, args [][]byte) {
	flags := c.server.trackingState(c).flags
	if flags&trackOn == 0 {
		c.conn.WriteError("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")
		return
	}
	switch strings.ToLower(string(args[2])) {
	case "yes":
		if flags&trackOptin == 0 {
			c.conn.WriteError("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
			return
		}
	case "no":
		if flags&trackOptout == 0 {
			c.conn.WriteError("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
			return
		}
	default:
		c.conn.WriteError(errSyntax)
		return
	}
	c.trackCaching = true
	c.conn.WriteOK()
}

// CLIENT GETREDIR
func cmdClientGetRedir(c *client, args [][]byte) {
	c.conn.WriteInt(c.trackingRedirect())
}

// trackingRedirect is the redirection CLIENT GETREDIR, TRACKINGINFO and
// LIST report: -1 with tracking off, 0 without redirection.
func (c *client) trackingRedirect() int64 {
	tr := c.server.trackingState(c)
	if tr.flags&trackOn == 0 {
		return -1
	}
	return tr.redirect
}

// CLIENT TRACKINGINFO
func cmdClientTrackingInfo(c *client, args [][]byte) {
	tr := c.server.trackingState(c)
	flags := []string{"off"}
	if tr.flags&trackOn != 0 {
		flags[0] = "on"
	}
	if tr.flags&trackBcast != 0 {
		flags = append(flags, "bcast")
	}
	if tr.flags&trackOptin != 0 {
		flags = append(flags, "optin")
		if c.trackCaching {
			flags = append(flags, "caching-yes")
		}
	}
	if tr.flags&trackOptout != 0 {
		flags = append(flags, "optout")
		if c.trackCaching {
			flags = append(flags, "caching-no")
		}
	}
	if tr.flags&trackNoloop != 0 {
		flags = append(flags, "noloop")
	}
	if tr.flags&trackBrokenRedir != 0 {
		flags = append(flags, "broken_redirect")
	}
	c.conn.WriteMapLen(3)
	c.conn.WriteBulkString("flags")
	c.conn.WriteSetLen(len(flags))
	for _, f := range flags {
		c.conn.WriteBulkString(f)
	}
	c.conn.WriteBulkString("redirect")
	c.conn.WriteInt(c.trackingRedirect())
	c.conn.WriteBulkString("prefixes")
	c.conn.WriteArrayLen(len(tr.prefixes))
	for _, p := range tr.prefixes {
		c.conn.WriteBulkString(p)
	}
}
