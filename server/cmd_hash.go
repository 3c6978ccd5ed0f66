package server

import (
	"math"
	"strconv"

	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/db/pubsub"
)

// The hash commands, as Redis 7.0.15's t_hash.c runs them: the same
// lookups (a read's counts as a keyspace hit or miss, a write's does not),
// the same checks in the same order, the same dirty counts and keyspace
// events, and the same encodings (db.Hash converts a listpack hash to a
// hashtable at the thresholds the encoding parameters set).

// evHash is the class of the hash commands' keyspace events.
const evHash = pubsub.EventHash

// The hash commands' own error replies.
const (
	errHashNotInteger = "ERR hash value is not an integer"
	errHashNotFloat   = "ERR hash value is not a float"
	errValueNaNOrInf  = "ERR value is NaN or Infinity"
	errValueRange     = "ERR value is out of range"
	// errLongRange is getRangeLongFromObjectOrReply's, for -LONG_MAX..LONG_MAX.
	errLongRange = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
)

func hashCommands() []*command {
	return []*command{
		{name: "hset", flags: flagWrite, run: cmdHSet},
		{name: "hmset", flags: flagWrite, run: cmdHMSet},
		{name: "hsetnx", flags: flagWrite, run: cmdHSetNX},
		{name: "hget", run: cmdHGet},
		{name: "hmget", run: cmdHMGet},
		{name: "hdel", flags: flagWrite, run: cmdHDel},
		{name: "hlen", run: cmdHLen},
		{name: "hstrlen", run: cmdHStrlen},
		{name: "hexists", run: cmdHExists},
		{name: "hkeys", run: cmdHKeys},
		{name: "hvals", run: cmdHVals},
		{name: "hgetall", run: cmdHGetAll},
		{name: "hincrby", flags: flagWrite, run: cmdHIncrBy},
		{name: "hincrbyfloat", flags: flagWrite, run: cmdHIncrByFloat},
		{name: "hrandfield", run: cmdHRandField},
		{name: "hscan", run: cmdHScan},
	}
}

// readHash is lookupKeyRead for a hash command: it returns the hash at key
// in tx, nil for a missing key, and records the lookup. For a key of
// another type it replies WRONGTYPE and returns ok false. The hash is
// valid until tx closes.
func (c *client) readHash(tx *db.KeyLock, key []byte) (h *db.Hash, ok bool) {
	h, err := tx.ReadHash(key)
	if err != nil {
		c.keyLookup(key, true)
		c.conn.WriteError(errWrongType)
		return nil, false
	}
	c.keyLookup(key, h != nil)
	return h, true
}

// mutableHash is lookupKeyWrite for a hash command, counting nothing: the
// hash at key in tx for change in place, nil for a missing key unless
// create is set (hashTypeLookupWriteOrCreate), when it is a new empty hash
// that Close removes if it is left empty. For a key of another type it
// replies WRONGTYPE and returns ok false.
func (c *client) mutableHash(tx *db.KeyLock, key []byte, create bool) (h *db.Hash, ok bool) {
	h, err := tx.MutableHash(key, create)
	if err != nil {
		c.conn.WriteError(errWrongType)
		return nil, false
	}
	return h, true
}

// HSET key field value [field value ...]
func cmdHSet(c *client, args [][]byte) { c.hset("hset", args) }

// HMSET key field value [field value ...]: HSET that replies OK.
func cmdHMSet(c *client, args [][]byte) { c.hset("hmset", args) }

// hset is HSET and HMSET (hsetCommand).
func (c *client) hset(name string, args [][]byte) {
	if len(args)%2 == 1 {
		c.conn.WriteError(wrongArity(name))
		return
	}
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	h, ok := c.mutableHash(&tx, key, true)
	if !ok {
		return
	}
	lim := tx.Limits()
	created := 0
	for i := 2; i < len(args); i += 2 {
		if h.Set(args[i], args[i+1], lim) {
			created++
		}
	}
	if name == "hset" {
		c.conn.WriteInt(int64(created))
	} else {
		c.conn.WriteOK()
	}
	c.notify(evHash, "hset", key)
	// Every pair counts, changed or not.
	c.server.dirty.Add(int64(len(args)-2) / 2)
}

// HSETNX key field value
func cmdHSetNX(c *client, args [][]byte) {
	key, field := args[1], args[2]
	tx := c.db().Write(key)
	defer tx.Close()
	h, ok := c.mutableHash(&tx, key, true)
	if !ok {
		return
	}
	if h.Has(field) {
		c.conn.WriteInt(0)
		return
	}
	h.Set(field, args[3], tx.Limits())
	c.conn.WriteInt(1)
	c.notify(evHash, "hset", key)
	c.server.dirty.Add(1)
}

// HGET key field
func cmdHGet(c *client, args [][]byte) {
	tx := c.db().Read(args[1])
	defer tx.Close()
	if h, ok := c.readHash(&tx, args[1]); ok {
		c.writeHashField(h, args[2])
	}
}

// writeHashField replies the value of field in h, or null if h is nil or
// lacks it (addHashFieldToReply).
func (c *client) writeHashField(h *db.Hash, field []byte) {
	if h != nil {
		if v, ok := h.Get(field); ok {
			c.conn.WriteBulk(v)
			return
		}
	}
	c.conn.WriteNull()
}

// HMGET key field [field ...]: a missing key is an empty hash, whose every
// field is null.
func cmdHMGet(c *client, args [][]byte) {
	tx := c.db().Read(args[1])
	defer tx.Close()
	h, ok := c.readHash(&tx, args[1])
	if !ok {
		return
	}
	c.conn.WriteArrayLen(len(args) - 2)
	for _, f := range args[2:] {
		c.writeHashField(h, f)
	}
}

// HDEL key field [field ...]
func cmdHDel(c *client, args [][]byte) {
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	h, ok := c.mutableHash(&tx, key, false)
	if !ok {
		return
	}
	deleted := 0
	if h != nil {
		deleted = h.DeleteFields(args[2:]) // Close deletes a hash left empty
	}
	c.replyRemoved(evHash, "hdel", key, deleted, h != nil && h.Len() == 0)
}

// readHashInt runs a read-only command that replies an integer computed
// from the hash at key, 0 for a missing key.
func (c *client) readHashInt(key []byte, f func(h *db.Hash) int) {
	tx := c.db().Read(key)
	defer tx.Close()
	h, ok := c.readHash(&tx, key)
	switch {
	case !ok:
	case h == nil:
		c.conn.WriteInt(0)
	default:
		c.conn.WriteInt(int64(f(h)))
	}
}

// HLEN key
func cmdHLen(c *client, args [][]byte) { c.readHashInt(args[1], (*db.Hash).Len) }

// HSTRLEN key field
func cmdHStrlen(c *client, args [][]byte) {
	c.readHashInt(args[1], func(h *db.Hash) int {
		v, _ := h.Get(args[2])
		return len(v)
	})
}

// HEXISTS key field
func cmdHExists(c *client, args [][]byte) {
	c.readHashInt(args[1], func(h *db.Hash) int {
		if h.Has(args[2]) {
			return 1
		}
		return 0
	})
}

// HKEYS key
func cmdHKeys(c *client, args [][]byte) { c.hgetall(args[1], true, false) }

// HVALS key
func cmdHVals(c *client, args [][]byte) { c.hgetall(args[1], false, true) }

// HGETALL key: a map in RESP3.
func cmdHGetAll(c *client, args [][]byte) { c.hgetall(args[1], true, true) }

// hgetall replies the fields, the values or both of the hash at key, in
// its order: a listpack hash's is the order the fields were added in
// (genericHgetallCommand).
func (c *client) hgetall(key []byte, fields, values bool) {
	tx := c.db().Read(key)
	defer tx.Close()
	h, ok := c.readHash(&tx, key)
	if !ok {
		return
	}
	n := 0
	if h != nil {
		n = h.Len()
	}
	if fields && values {
		c.conn.WriteMapLen(n)
	} else {
		c.conn.WriteArrayLen(n)
	}
	if h == nil {
		return
	}
	h.Range(func(f string, v []byte) bool {
		if fields {
			c.conn.WriteBulkString(f)
		}
		if values {
			c.conn.WriteBulk(v)
		}
		return true
	})
}

// HINCRBY key field increment
func cmdHIncrBy(c *client, args [][]byte) {
	key, field := args[1], args[2]
	incr, ok := parseInt(args[3])
	if !ok {
		c.conn.WriteError(errNotInteger)
		return
	}
	tx := c.db().Write(key)
	defer tx.Close()
	h, ok := c.mutableHash(&tx, key, true)
	if !ok {
		return
	}
	var cur int64
	if v, found := h.Get(field); found {
		if cur, ok = parseInt(v); !ok {
			c.conn.WriteError(errHashNotInteger)
			return
		}
	}
	if incr < 0 && cur < 0 && incr < math.MinInt64-cur || incr > 0 && cur > 0 && incr > math.MaxInt64-cur {
		c.conn.WriteError(errOverflow)
		return
	}
	cur += incr
	h.Set(field, strconv.AppendInt(nil, cur, 10), tx.Limits())
	c.conn.WriteInt(cur)
	c.notify(evHash, "hincrby", key)
	c.server.dirty.Add(1)
}

// HINCRBYFLOAT key field increment, in long double as INCRBYFLOAT
// (longdouble.go). Unlike INCRBYFLOAT, it refuses an infinite increment
// before it looks the key up.
func cmdHIncrByFloat(c *client, args [][]byte) {
	key, field := args[1], args[2]
	incr, ok := parseLongDouble(args[3])
	if !ok {
		c.conn.WriteError(errNotFloat)
		return
	}
	if incr.IsInf() {
		c.conn.WriteError(errValueNaNOrInf)
		return
	}
	tx := c.db().Write(key)
	defer tx.Close()
	h, ok := c.mutableHash(&tx, key, true)
	if !ok {
		return
	}
	v, found := h.Get(field)
	out, errText := addFloat(v, found, incr, errHashNotFloat)
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	h.Set(field, out, tx.Limits())
	c.conn.WriteBulk(out)
	// Replayed, the sum could round differently: Redis propagates it.
	c.propagateAs([][]byte{b("HSET"), clone(key), clone(field), clone(out)})
	c.notify(evHash, "hincrbyfloat", key)
	c.server.dirty.Add(1)
}

// HRANDFIELD key [count [WITHVALUES]]
func cmdHRandField(c *client, args [][]byte) {
	key := args[1]
	if len(args) >= 3 {
		n, withValues, ok := c.parseRandCount(args, "withvalues")
		if ok {
			c.hrandfieldWithCount(key, n, withValues)
		}
		return
	}
	tx := c.db().Read(key)
	defer tx.Close()
	h, ok := c.readHash(&tx, key)
	switch {
	case !ok:
	case h == nil:
		c.conn.WriteNull()
	default:
		f, _, _ := h.Random(tx.Rand())
		c.conn.WriteBulkString(f)
	}
}

// hrandfieldWithCount is HRANDFIELD with a count n (hrandfieldWithCountCommand,
// see writeRandomPairs): n >= 0 distinct fields, as many as the hash has
// at most; n < 0 asks for -n fields that may repeat.
//
// Which fields are chosen cannot match Redis's, whose random choices
// depend on its allocator and dict layout; the reply's shape, the fields'
// membership and their uniqueness do, and so does the reply when it is the
// whole hash (n at least its size), which is in the hash's order. Distinct
// fields chosen from a listpack hash come in the hash's order, as Redis's
// lpRandomPairsUnique returns them.
func (c *client) hrandfieldWithCount(key []byte, n int64, withValues bool) {
	tx := c.db().Read(key)
	closed := false
	defer func() {
		if !closed {
			tx.Close()
		}
	}()
	h, ok := c.readHash(&tx, key)
	if !ok {
		return
	}
	if h == nil || n == 0 {
		c.conn.WriteArrayLen(0)
		return
	}
	src := randomPairs[[]byte]{size: h.Len(), at: h.At, all: h.Range, listpack: h.Encoding() == "listpack"}
	writeRandomPairs(c, tx.Rand(), n, withValues, src, c.conn.WriteBulk, func() {
		tx.Close()
		closed = true
	})
}

// hashPair is a field and its value, read from a hash.
type hashPair struct {
	field string
	value []byte
}

// HSCAN key cursor [MATCH pattern] [COUNT count]
//
// A listpack hash is returned whole, with cursor 0, whatever the cursor
// and COUNT, as Redis does; a hashtable is walked about COUNT fields at a
// time (see db.Hash.Scan), with cursors of this server's own. Redis checks
// the cursor before it looks the key up, and the options after.
func cmdHScan(c *client, args [][]byte) {
	key := args[1]
	cursor, ok := parseCursor(args[2])
	if !ok {
		c.conn.WriteError(errInvalidCursor)
		return
	}
	tx := c.db().Read(key)
	defer tx.Close()
	h, ok := c.readHash(&tx, key)
	if !ok {
		return
	}
	if h == nil {
		c.conn.WriteArrayLen(2)
		c.conn.WriteBulkString("0")
		c.conn.WriteArrayLen(0)
		return
	}
	opts, errText := parseScanOptions(args[3:], false)
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	count, match := opts.count, opts.match
	var found []hashPair
	next := h.Scan(cursor, int(count), func(f string, v []byte) {
		if match == nil || match(f) {
			found = append(found, hashPair{f, v})
		}
	})
	c.conn.WriteArrayLen(2)
	c.conn.WriteBulk(strconv.AppendUint(nil, next, 10))
	c.conn.WriteArrayLen(2 * len(found))
	for _, p := range found {
		c.conn.WriteBulkString(p.field)
		c.conn.WriteBulk(p.value)
	}
}
