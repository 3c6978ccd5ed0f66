package server

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/mini-redis/mini-redis/db"
)

// Server commands: INFO, TIME, LASTSAVE, DEBUG, SHUTDOWN (CONFIG is in
// cmd_config.go, persistence in cmd_persist.go).

func serverCommands() []*command {
	return []*command{
		{name: "info", run: cmdInfo},
		{name: "time", run: cmdTime},
		{name: "debug", flags: flagProtected | flagExclusive, run: cmdDebug},
		{name: "shutdown", flags: flagNoMulti, run: cmdShutdown},
	}
}

// Error replies shared by several families.
const (
	errNoAuth    = "NOAUTH Authentication required."
	errWrongPass = "WRONGPASS invalid username-password pair or user is disabled."
	errMisconf   = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. " +
		"Commands that may modify the data set are disabled, because this instance is configured to report errors " +
		"during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs " +
		"for details about the RDB error."
	errDebugNotAllowed = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", " +
		"you can run it from a local connection, otherwise you need to set this option in the configuration file, " +
		"and then restart the server."
)

// newRunID returns a random 40-hex-digit run id, as Redis's.
func newRunID() string {
	var b [20]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// INFO [section [section ...]]
func cmdInfo(c *client, args [][]byte) {
	c.writeText(c.server.info(infoSections(args[1:])))
}

// TIME
func cmdTime(c *client, args [][]byte) {
	now := time.Now()
	c.conn.WriteArrayLen(2)
	c.conn.WriteBulkInt(now.Unix())
	c.conn.WriteBulkInt(int64(now.Nanosecond() / 1000))
}

// debugAllowed applies enable-debug-command to this client.
func (c *client) debugAllowed() bool { return c.allowedBy(c.server.settings.enableDebugCommand.Load()) }

// allowedBy applies a setting that guards a dangerous action
// (enable-debug-command, enable-protected-configs) to this client, as
// Redis's allowProtectedAction does: "yes" allows it, "local" allows it to
// a client on the loopback interface, and "no" to nobody.
func (c *client) allowedBy(setting string) bool {
	switch setting {
	case "yes":
		return true
	case "local":
		return isLoopback(c.conn.NetConn().RemoteAddr())
	}
	return false
}

// DEBUG SLEEP seconds | DEBUG OBJECT key | DEBUG HELP
func cmdDebug(c *client, args [][]byte) {
	sub := args[1]
	switch {
	case is(sub, "help"):
		c.writeHelp("DEBUG",
			"OBJECT <key>",
			"    Show low level info about `key` and associated value.",
			"POPULATE <count> [<prefix>] [<size>]",
			"    Create <count> string keys named key:<num>. If <prefix> is specified then",
			"    it is used instead of the 'key' prefix. These are not propagated to",
			"    replicas. Cluster slots are not respected so keys not belonging to the",
			"    current node can be created in cluster mode.",
			"SLEEP <seconds>",
			"    Stop the server for <seconds>. Decimals allowed.",
		)
	case is(sub, "populate") && len(args) >= 3 && len(args) <= 5:
		debugPopulate(c, args)
	case is(sub, "sleep") && len(args) == 3:
		// Redis reads the time with strtod and casts its microseconds to a
		// long long: anything is accepted, and a time that is not a number,
		// negative or out of range makes nanosleep fail at once.
		if us := strtod(string(args[2])) * 1e6; us >= 1 && us < math.MaxInt64/1000 {
			// Redis's event loop stops for every client; here too: DEBUG
			// runs with every other command paused.
			time.Sleep(time.Duration(us) * time.Microsecond)
		}
		c.conn.WriteOK()
	case is(sub, "object") && len(args) == 3:
		key := args[2]
		tx := c.db().Read(key)
		v := tx.Peek(key)
		idle, _ := tx.IdleTime(key)
		tx.Close()
		if v == nil {
			c.conn.WriteError(errNoSuchKey)
			return
		}
		extra := ""
		if l, ok := v.(*db.List); ok {
			// What Redis tells of a quicklist: one node here, of the
			// configured size.
			extra = fmt.Sprintf(" ql_nodes:1 ql_avg_node:%.2f ql_listpack_max:%d ql_compressed:0 ql_uncompressed_size:%d",
				float64(l.Len()), c.server.store.EncodingLimits().ListMaxListpackSize, l.Size())
		}
		c.conn.WriteSimple(fmt.Sprintf("Value at:%p refcount:1 encoding:%s serializedlength:%d lru:%d lru_seconds_idle:%d%s",
			v, v.Encoding(), v.Size(), time.Now().Unix()&(1<<24-1), idle/1000, extra))
	default:
		c.conn.WriteError(subcommandSyntax(sub, "DEBUG"))
	}
}

// DEBUG POPULATE count [prefix] [size]: count string keys prefix:0 ...
// (prefix "key" by default) holding value:0 ..., or those bytes cut or
// zero-padded to size; keys that exist are left alone, as in Redis.
func debugPopulate(c *client, args [][]byte) {
	count, ok := parseInt(args[2])
	size := int64(0)
	if ok && len(args) == 5 {
		size, ok = parseInt(args[4])
	}
	if !ok || count < 0 || size < 0 {
		c.conn.WriteError(errMustBePositive)
		return
	}
	prefix := []byte("key")
	if len(args) >= 4 {
		prefix = args[3]
	}
	d := c.db()
	key := append(append([]byte(nil), prefix...), ':')
	n := len(key)
	// SetString copies the value, so one buffer serves every key.
	// The value is value:i, cut or zero-padded to size.
	val := append(make([]byte, 0, max(int(size), 32)), "value:"...)
	for i := range count {
		key = strconv.AppendInt(key[:n], i, 10)
		v := strconv.AppendInt(val, i, 10)
		if size > 0 {
			if len(v) < int(size) {
				clear(v[len(v):size])
			}
			v = v[:size]
		}
		tx := d.Write(key)
		if !tx.Exists(key) {
			tx.SetString(key, v, 0)
		}
		tx.Close()
	}
	c.conn.WriteOK()
}

// strtod is C's strtod(s, NULL) for the decimal numbers DEBUG SLEEP takes:
// the value of the longest prefix of s, after white space, that is a
// number, or 0 when there is none. It does not read C's hexadecimal, "inf"
// and "nan" forms: they are 0 here.
func strtod(s string) float64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && isDigit(s[i]); i++ {
			digits++
		}
	}
	if digits == 0 {
		return 0
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for i = j; i < len(s) && isDigit(s[i]); i++ {
			}
		}
	}
	f, _ := strconv.ParseFloat(s[:i], 64) // out of range: ±Inf or 0, as strtod
	return f
}

// shutdownRequest are SHUTDOWN's options.
type shutdownRequest struct {
	save, noSave, now, force bool
}

// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]
func cmdShutdown(c *client, args [][]byte) {
	var req shutdownRequest
	abort := false
	for _, a := range args[1:] {
		switch {
		case is(a, "nosave"):
			req.noSave = true
		case is(a, "save"):
			req.save = true
		case is(a, "now"):
			req.now = true
		case is(a, "force"):
			req.force = true
		case is(a, "abort"):
			abort = true
		default:
			c.conn.WriteError(errSyntax)
			return
		}
	}
	if req.save && req.noSave || abort && (req.save || req.noSave || req.now || req.force) {
		c.conn.WriteError(errSyntax)
		return
	}
	if abort {
		// Without replicas a shutdown never waits, so none is ever in
		// progress to abort.
		c.conn.WriteError("ERR No shutdown in progress.")
		return
	}
	if err := c.shutdown(req); err != nil {
		c.conn.WriteError("ERR Errors trying to SHUTDOWN. Check logs.")
		return
	}
	// On success Redis sends no reply: the connection just closes.
	c.closeAfterReply = true
}
