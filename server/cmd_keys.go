package server

import (
	"bytes"
	"strconv"

	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/db/glob"
)

// The generic key commands.

func keyCommands() []*command {
	return []*command{
		{name: "del", flags: flagWrite, run: cmdDel},
		{name: "unlink", flags: flagWrite, run: cmdDel},
		{name: "exists", run: cmdExists},
		{name: "touch", run: cmdTouch},
		{name: "type", run: cmdType},
		{name: "rename", flags: flagWrite, run: cmdRename},
		{name: "renamenx", flags: flagWrite, run: cmdRenameNX},
		{name: "copy", flags: flagWrite, run: cmdCopy},
		{name: "move", flags: flagWrite, run: cmdMove},
		{name: "keys", run: cmdKeys},
		{name: "scan", run: cmdScan},
		{name: "randomkey", run: cmdRandomKey},
		container("object", 0,
			&command{name: "encoding", run: cmdObjectEncoding},
			&command{name: "refcount", run: cmdObjectRefcount},
			&command{name: "idletime", run: cmdObjectIdletime},
			&command{name: "freq", run: cmdObjectFreq},
			&command{name: "help", run: cmdObjectHelp},
		),
	}
}

// DEL key [key ...] and UNLINK key [key ...]
func cmdDel(c *client, args [][]byte) {
	keys := args[1:]
	tx := c.db().Write(keys...)
	n := 0
	for _, k := range keys {
		if tx.Delete(k) {
			n++
			c.notify(evGeneric, "del", k)
		}
	}
	tx.Close()
	c.server.dirty.Add(int64(n))
	c.conn.WriteInt(int64(n))
}

// EXISTS key [key ...]: a key named twice counts twice.
func cmdExists(c *client, args [][]byte) { c.countFound(args[1:], (*db.KeyLock).Exists) }

// TOUCH key [key ...]
func cmdTouch(c *client, args [][]byte) { c.countFound(args[1:], (*db.KeyLock).Touch) }

// countFound looks each key up with lookup, a read counted as a keyspace hit
// or miss, and replies how many it found.
func (c *client) countFound(keys [][]byte, lookup func(*db.KeyLock, []byte) bool) {
	tx := c.db().Read(keys...)
	n := 0
	for _, k := range keys {
		found := lookup(&tx, k)
		c.keyLookup(k, found)
		if found {
			n++
		}
	}
	tx.Close()
	c.conn.WriteInt(int64(n))
}

// TYPE key
func cmdType(c *client, args [][]byte) {
	tx := c.db().Read(args[1])
	v := tx.Peek(args[1])
	tx.Close()
	c.keyLookup(args[1], v != nil)
	if v == nil {
		c.conn.WriteSimple("none")
		return
	}
	c.conn.WriteSimple(v.Type().String())
}

// RENAME key newkey
func cmdRename(c *client, args [][]byte) { c.rename(args[1], args[2], false) }

// RENAMENX key newkey
func cmdRenameNX(c *client, args [][]byte) { c.rename(args[1], args[2], true) }

// rename moves src to dst keeping its deadline (renameGenericCommand).
func (c *client) rename(src, dst []byte, nx bool) {
	tx := c.db().Write(src, dst)
	defer tx.Close()
	v := tx.Get(src)
	if v == nil {
		c.conn.WriteError(errNoSuchKey)
		return
	}
	reply := func(done bool) {
		switch {
		case !nx:
			c.conn.WriteOK()
		case done:
			c.conn.WriteInt(1)
		default:
			c.conn.WriteInt(0)
		}
	}
	if bytes.Equal(src, dst) {
		reply(false)
		return
	}
	if nx && tx.Exists(dst) {
		reply(false)
		return
	}
	at, _ := tx.ExpireAt(src)
	tx.Delete(src)
	tx.Set(dst, v, at)
	c.server.dirty.Add(1)
	c.notify(evGeneric, "rename_from", src)
	c.notify(evGeneric, "rename_to", dst)
	reply(true)
}

// COPY source destination [DB destination-db] [REPLACE]
func cmdCopy(c *client, args [][]byte) {
	src, dst := args[1], args[2]
	dstIndex, replace := c.dbIndex, false
	for i := 3; i < len(args); i++ {
		switch {
		case is(args[i], "replace"):
			replace = true
		case is(args[i], "db") && i+1 < len(args):
			n, errText := c.server.parseDBIndex(args[i+1])
			if errText != "" {
				c.conn.WriteError(errText)
				return
			}
			dstIndex = n
			i++
		default:
			c.conn.WriteError(errSyntax)
			return
		}
	}
	if dstIndex == c.dbIndex && bytes.Equal(src, dst) {
		c.conn.WriteError(errSameObject)
		return
	}
	found, copied := db.Copy(c.db(), src, c.server.store.DB(dstIndex), dst, replace)
	c.keyLookup(src, found) // the source's lookup, a read
	if !copied {
		c.conn.WriteInt(0)
		return
	}
	c.server.dirty.Add(1)
	c.server.notify(dstIndex, evGeneric, "copy_to", dst)
	c.conn.WriteInt(1)
}

// MOVE key db
func cmdMove(c *client, args [][]byte) {
	n, errText := c.server.parseDBIndex(args[2])
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	if n == c.dbIndex {
		c.conn.WriteError(errSameObject)
		return
	}
	if !db.Move(c.db(), c.server.store.DB(n), args[1]) {
		c.conn.WriteInt(0)
		return
	}
	c.server.dirty.Add(1)
	c.notify(evGeneric, "move_from", args[1])
	c.server.notify(n, evGeneric, "move_to", args[1])
	c.conn.WriteInt(1)
}

// matcher returns a key filter for a glob pattern; nil (match all) for "*".
func matcher(pattern []byte) func(string) bool {
	if len(pattern) == 1 && pattern[0] == '*' {
		return nil
	}
	p := string(pattern)
	return func(key string) bool { return glob.MatchString(p, key, false) }
}

// KEYS pattern
func cmdKeys(c *client, args [][]byte) {
	keys := c.db().Keys(matcher(args[1]))
	c.conn.WriteArrayLen(len(keys))
	for _, k := range keys {
		c.conn.WriteBulkString(k)
	}
}

// scanOptions are the options of SCAN, HSCAN and SSCAN.
type scanOptions struct {
	count int64             // COUNT, 10 by default
	match func(string) bool // MATCH's pattern; nil matches everything
	typ   []byte            // SCAN's TYPE, nil when not given
}

// parseScanOptions reads [MATCH pattern] [COUNT count] (and, when
// withType, [TYPE type]) from opts, in any order, as Redis's scanGenericCommand
// does; it returns the error reply of the first bad option.
func parseScanOptions(opts [][]byte, withType bool) (scanOptions, string) {
	o := scanOptions{count: 10}
	for i := 0; i < len(opts); i += 2 {
		if i+1 >= len(opts) {
			return o, errSyntax
		}
		switch opt, val := opts[i], opts[i+1]; {
		case is(opt, "count"):
			n, ok := parseInt(val)
			if !ok {
				return o, errNotInteger
			}
			if n < 1 {
				return o, errSyntax
			}
			o.count = n
		case is(opt, "match"):
			o.match = matcher(val)
		case withType && is(opt, "type"):
			o.typ = val
		default:
			return o, errSyntax
		}
	}
	return o, ""
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
func cmdScan(c *client, args [][]byte) {
	cursor, ok := parseCursor(args[1])
	if !ok {
		c.conn.WriteError(errInvalidCursor)
		return
	}
	opts, errText := parseScanOptions(args[2:], true)
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	filter := db.ScanFilter{AnyType: true, Match: opts.match}
	if opts.typ != nil {
		t, _ := db.ParseType(string(bytes.ToLower(opts.typ)))
		filter.Type, filter.AnyType = t, false
		// Redis checks each key's type with a read lookup.
		filter.Lookup = c.server.countLookup
	}
	count := opts.count
	next, keys := c.db().Scan(cursor, int(min(count, 1<<30)), filter)
	c.conn.WriteArrayLen(2)
	c.conn.WriteBulk(strconv.AppendUint(nil, next, 10))
	c.conn.WriteArrayLen(len(keys))
	for _, k := range keys {
		c.conn.WriteBulkString(k)
	}
}

// RANDOMKEY
func cmdRandomKey(c *client, args [][]byte) {
	key, ok := c.db().RandomKey()
	if !ok {
		c.conn.WriteNull()
		return
	}
	c.conn.WriteBulkString(key)
}

// objectLookup returns the value at key for OBJECT, without counting as an
// access (though as a keyspace hit or miss), or replies null when there is
// none.
func (c *client) objectLookup(key []byte) db.Value {
	tx := c.db().Read(key)
	v := tx.Peek(key)
	tx.Close()
	c.server.countLookup(v != nil)
	if v == nil {
		c.conn.WriteNull()
	}
	return v
}

// OBJECT ENCODING key
func cmdObjectEncoding(c *client, args [][]byte) {
	if v := c.objectLookup(args[2]); v != nil {
		c.conn.WriteBulkString(v.Encoding())
	}
}

// sharedRefcount is OBJ_SHARED_REFCOUNT, what OBJECT REFCOUNT shows for the
// integers 0..9999 that Redis shares.
const sharedRefcount = 2147483647

// OBJECT REFCOUNT key
func cmdObjectRefcount(c *client, args [][]byte) {
	v := c.objectLookup(args[2])
	if v == nil {
		return
	}
	if s, ok := v.(*db.String); ok && s.IsSharedInteger() {
		c.conn.WriteInt(sharedRefcount)
		return
	}
	c.conn.WriteInt(1)
}

// OBJECT IDLETIME key: seconds since the key was last read or written;
// an error under an LFU policy, which keeps no access time.
func cmdObjectIdletime(c *client, args [][]byte) {
	key := args[2]
	tx := c.db().Read(key)
	ms, ok := tx.IdleTime(key)
	tx.Close()
	c.server.countLookup(ok)
	switch {
	case !ok:
		c.conn.WriteNull()
	case c.server.store.AccessPolicy().LFU:
		c.conn.WriteError(errLFUSelected)
	default:
		c.conn.WriteInt(ms / 1000)
	}
}

// OBJECT FREQ key: the key's logarithmic access counter, only tracked
// under an LFU maxmemory policy.
func cmdObjectFreq(c *client, args [][]byte) {
	key := args[2]
	tx := c.db().Read(key)
	freq, ok := tx.Freq(key)
	tx.Close()
	c.server.countLookup(ok)
	switch {
	case !ok:
		c.conn.WriteNull()
	case !c.server.store.AccessPolicy().LFU:
		c.conn.WriteError(errLFUNotSelected)
	default:
		c.conn.WriteInt(freq)
	}
}

// OBJECT HELP
func cmdObjectHelp(c *client, args [][]byte) {
	c.writeHelp("OBJECT",
		"ENCODING <key>",
		"    Return the kind of internal representation used in order to store the value",
		"    associated with a <key>.",
		"FREQ <key>",
		"    Return the access frequency index of the <key>. The returned integer is",
		"    proportional to the logarithm of the recent access frequency of the key.",
		"IDLETIME <key>",
		"    Return the idle time of the <key>, that is the approximated number of",
		"    seconds elapsed since the last access to the key.",
		"REFCOUNT <key>",
		"    Return the number of references of the value associated with the specified",
		"    <key>.",
	)
}

// writeHelp writes a HELP reply in Redis's layout (addReplyHelp): a title,
// the lines, and the HELP line itself.
func (c *client) writeHelp(name string, lines ...string) {
	c.conn.WriteArrayLen(len(lines) + 3)
	c.conn.WriteSimple(name + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		c.conn.WriteSimple(l)
	}
	c.conn.WriteSimple("HELP")
	c.conn.WriteSimple("    Prints this help.")
}
