package server

import (
	"bytes"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// SLOWLOG and the slow log itself: the commands that ran for at least
// slowlog-log-slower-than microseconds, newest first, at most
// slowlog-max-len of them (Redis's slowlog.c).

func slowlogCommands() []*command {
	sub := func(name string, run func(*client, [][]byte)) *command { return &command{name: name, run: run} }
	return []*command{
		container("slowlog", 0,
			sub("get", cmdSlowlogGet),
			sub("len", cmdSlowlogLen),
			sub("reset", cmdSlowlogReset),
			sub("help", cmdSlowlogHelp),
		),
	}
}

// Redis's limits on what an entry keeps of a command: SLOWLOG_ENTRY_MAX_ARGC
// arguments and SLOWLOG_ENTRY_MAX_STRING bytes of each.
const (
	slowlogMaxArgc   = 32
	slowlogMaxString = 128
)

// slowlogEntry is one logged command.
type slowlogEntry struct {
	id       int64
	unixTime int64 // seconds
	micros   int64
	args     [][]byte // truncated and redacted copies
	addr     string
	name     string
}

// slowlog is the server's slow log. Every client appends to it, so it has
// a lock of its own.
type slowlog struct {
	mu      sync.Mutex
	nextID  int64
	entries []slowlogEntry // oldest first
	length  atomic.Int64   // len(entries), read without the lock
}

// slowlogPush logs the run of cmd with args by c, which took d, if the
// settings ask for it (slowlogPushCurrentCommand).
func (s *Server) slowlogPush(c *client, cmd *command, args [][]byte, d time.Duration) {
	threshold := s.settings.slowlogLogSlowerThan.Load()
	if threshold < 0 || cmd.info.flags&flagSkipSlowlog != 0 {
		return
	}
	maxLen := s.settings.slowlogMaxLen.Load()
	micros := d.Microseconds()
	logged := micros >= threshold
	sl := &s.slowlog
	if !logged && int64(sl.length.Load()) <= maxLen {
		return // the common case: nothing to add, nothing to trim
	}
	var e slowlogEntry
	if logged {
		e = slowlogEntry{unixTime: s.clock.Now().Unix(), micros: micros, args: slowlogArgs(cmd, args), addr: c.addr}
		if e.addr == "" {
			e.addr = "?:0" // a script's client, which has no connection
		}
		c.mu.Lock()
		e.name = c.name
		c.mu.Unlock()
	}
	sl.mu.Lock()
	defer sl.mu.Unlock()
	if logged {
		e.id = sl.nextID
		sl.nextID++
		sl.entries = append(sl.entries, e)
	}
	// As in Redis, a lowered slowlog-max-len trims at the next command,
	// logged or not.
	if over := int64(len(sl.entries)) - maxLen; over > 0 {
		sl.entries = append(sl.entries[:0], sl.entries[over:]...)
	}
	sl.length.Store(int64(len(sl.entries)))
}

// slowlogArgs returns what an entry keeps of args: the secrets redacted as
// Redis's redactClientCommandArgument does, at most slowlogMaxArgc
// arguments, the last saying how many more there were, and at most
// slowlogMaxString bytes of each, saying how many more there were.
func slowlogArgs(cmd *command, args [][]byte) [][]byte {
	redacted := redactedArgs(cmd, args)
	n := min(len(args), slowlogMaxArgc)
	out := make([][]byte, n)
	for i := range n {
		switch {
		case redacted[i]:
			out[i] = []byte("(redacted)")
		case n < len(args) && i == n-1:
			out[i] = []byte("... (" + strconv.Itoa(len(args)-n+1) + " more arguments)")
		case len(args[i]) > slowlogMaxString:
			out[i] = append(bytes.Clone(args[i][:slowlogMaxString]),
				"... ("+strconv.Itoa(len(args[i])-slowlogMaxString)+" more bytes)"...)
		default:
			out[i] = bytes.Clone(args[i])
		}
	}
	return out
}

// sensitiveConfig reports whether CONFIG SET hides the value of the
// parameter name from the slow log and MONITOR (Redis's SENSITIVE_CONFIG).
func sensitiveConfig(name []byte) bool {
	switch string(bytes.ToLower(name)) {
	case "requirepass", "masterauth", "tls-key-file-pass", "tls-client-key-file-pass":
		return true
	}
	return false
}

// redactedArgs reports which of args hold secrets that Redis keeps out of
// the slow log and MONITOR: AUTH's arguments, ACL SETUSER's, HELLO's AUTH user and
// password, and the values of sensitive parameters in CONFIG SET. It
// follows the handlers' parsing, which redacts as it goes and stops at the
// first bad argument.
func redactedArgs(cmd *command, args [][]byte) []bool {
	redacted := make([]bool, len(args))
	switch cmd.name {
	case "auth":
		for i := 1; i < len(args); i++ {
			redacted[i] = true
		}
	case "acl|setuser": // every rule: passwords and their hashes among them
		for i := 2; i < len(args); i++ {
			redacted[i] = true
		}
	case "hello":
		for i := 2; i < len(args); i++ {
			more := len(args) - 1 - i
			switch {
			case is(args[i], "auth") && more >= 2:
				redacted[i+1], redacted[i+2] = true, true
				i += 2
			case is(args[i], "setname") && more >= 1:
				i++
			default:
				return redacted
			}
		}
	case "config|set":
		if len(args)%2 != 0 {
			return redacted
		}
		for i := 2; i+1 < len(args); i += 2 {
			if sensitiveConfig(args[i]) {
				redacted[i+1] = true
			}
		}
	}
	return redacted
}

// SLOWLOG GET [count]
func cmdSlowlogGet(c *client, args [][]byte) {
	if len(args) > 3 {
		c.conn.WriteError("ERR unknown subcommand or wrong number of arguments for '" + string(args[1]) + "'. Try SLOWLOG HELP.")
		return
	}
	count := int64(10)
	if len(args) == 3 {
		n, ok := parseInt(args[2])
		if !ok || n < -1 {
			c.conn.WriteError("ERR count should be greater than or equal to -1")
			return
		}
		count = n
	}
	sl := &c.server.slowlog
	sl.mu.Lock()
	if count == -1 || count > int64(len(sl.entries)) {
		count = int64(len(sl.entries))
	}
	entries := make([]slowlogEntry, count)
	for i := range entries {
		entries[i] = sl.entries[len(sl.entries)-1-i] // newest first
	}
	sl.mu.Unlock()
	c.conn.WriteArrayLen(len(entries))
	for _, e := range entries {
		c.conn.WriteArrayLen(6)
		c.conn.WriteInt(e.id)
		c.conn.WriteInt(e.unixTime)
		c.conn.WriteInt(e.micros)
		c.conn.WriteArrayLen(len(e.args))
		for _, a := range e.args {
			c.conn.WriteBulk(a)
		}
		c.conn.WriteBulkString(e.addr)
		c.conn.WriteBulkString(e.name)
	}
}

// SLOWLOG LEN
func cmdSlowlogLen(c *client, args [][]byte) {
	sl := &c.server.slowlog
	sl.mu.Lock()
	n := len(sl.entries)
	sl.mu.Unlock()
	c.conn.WriteInt(int64(n))
}

// SLOWLOG RESET empties the log; the ids go on from where they were.
func cmdSlowlogReset(c *client, args [][]byte) {
	sl := &c.server.slowlog
	sl.mu.Lock()
	sl.entries = nil
	sl.length.Store(0)
	sl.mu.Unlock()
	c.conn.WriteOK()
}

// SLOWLOG HELP
func cmdSlowlogHelp(c *client, args [][]byte) {
	c.writeHelp("SLOWLOG",
		"GET [<count>]",
		"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
		"    Entries are made of:",
		"    id, timestamp, time in microseconds, arguments array, client IP and port,",
		"    client name",
		"LEN",
		"    Return the length of the slowlog.",
		"RESET",
		"    Reset the slowlog.",
	)
}
