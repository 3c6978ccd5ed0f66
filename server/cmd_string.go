package server

import (
	"math"
	"math/big"

	"github.com/mini-redis/mini-redis/db"
)

// The string commands.

func stringCommands() []*command {
	return []*command{
		{name: "get", run: cmdGet},
		{name: "set", flags: flagWrite, run: cmdSet, keyFlags: setKeyFlags},
		{name: "setnx", flags: flagWrite, run: cmdSetNX},
		{name: "setex", flags: flagWrite, run: cmdSetEX},
		{name: "psetex", flags: flagWrite, run: cmdPSetEX},
		{name: "getset", flags: flagWrite, run: cmdGetSet},
		{name: "getdel", flags: flagWrite, run: cmdGetDel},
		{name: "getex", flags: flagWrite, run: cmdGetEx},
		{name: "mget", run: cmdMGet},
		{name: "mset", flags: flagWrite, run: cmdMSet},
		{name: "msetnx", flags: flagWrite, run: cmdMSetNX},
		{name: "append", flags: flagWrite, run: cmdAppend},
		{name: "strlen", run: cmdStrlen},
		{name: "getrange", run: cmdGetRange},
		{name: "substr", run: cmdGetRange},
		{name: "setrange", flags: flagWrite, run: cmdSetRange},
		{name: "incr", flags: flagWrite, run: cmdIncr},
		{name: "decr", flags: flagWrite, run: cmdDecr},
		{name: "incrby", flags: flagWrite, run: cmdIncrBy},
		{name: "decrby", flags: flagWrite, run: cmdDecrBy},
		{name: "incrbyfloat", flags: flagWrite, run: cmdIncrByFloat},
		{name: "lcs", run: cmdLCS},
	}
}

// setKeyFlags returns the flags of SET's key: it reads and returns the old
// value only with GET (Redis's setGetKeys).
func setKeyFlags(argv [][]byte) keySpecFlags {
	for _, arg := range argv[3:] {
		if is(arg, "get") {
			return keyRW | keyAccess | keyUpdate
		}
	}
	return keyOW | keyUpdate
}

// asString returns v as a string value; ok is false when v holds another
// type (the caller replies WRONGTYPE). A nil v is a missing key: (nil, true).
func asString(v db.Value) (*db.String, bool) {
	if v == nil {
		return nil, true
	}
	s, ok := v.(*db.String)
	return s, ok
}

// checkString is asString for the commands that go on only with a string
// (checkType): for a key of another type it replies WRONGTYPE and returns
// ok false, and the command has nothing more to do.
func (c *client) checkString(v db.Value) (s *db.String, ok bool) {
	if s, ok = asString(v); !ok {
		c.conn.WriteError(errWrongType)
	}
	return s, ok
}

// lookupRead is Redis's lookupKeyRead: it returns the value of key in tx,
// nil for a missing key, and records the lookup (see keyLookup). Commands
// that write use it, on their write KeyLock, for the lookups Redis makes as
// reads (GETDEL, GETEX); the lookups Redis makes with lookupKeyWrite count
// nothing, and use tx.Get.
func (c *client) lookupRead(tx *db.KeyLock, key []byte) db.Value {
	v := tx.Get(key)
	c.keyLookup(key, v != nil)
	return v
}

// readAs is lookupRead followed by checkType for a collection of type T
// (*db.Set, *db.ZSet): it returns the value at key in tx, or nil for a
// missing key, and counts the lookup. For a key of another type it replies
// WRONGTYPE and returns ok false.
func readAs[T db.Value](c *client, tx *db.KeyLock, key []byte) (t T, ok bool) {
	v := c.lookupRead(tx, key)
	if v == nil {
		return t, true
	}
	if t, ok = v.(T); !ok {
		c.conn.WriteError(errWrongType)
	}
	return t, ok
}

// readValue looks key up alone, with lookupRead, for a read-only command.
func (c *client) readValue(key []byte) db.Value {
	tx := c.db().Read(key)
	defer tx.Close()
	return c.lookupRead(&tx, key)
}

// readString is readValue for a read-only string command: as checkString
// does, it replies WRONGTYPE for another type. A missing key is (nil, true).
func (c *client) readString(key []byte) (*db.String, bool) {
	return c.checkString(c.readValue(key))
}

// bytesOf returns the bytes of s, or nil for a missing key: for the
// commands that read a missing key as the empty string.
func bytesOf(s *db.String) []byte {
	if s == nil {
		return nil
	}
	return s.Bytes()
}

// replyString writes v as GET does: nil for a missing key, WRONGTYPE for
// another type, else the bytes. It reports whether v was a string or
// missing, that is whether a command that goes on to write may do so.
func (c *client) replyString(v db.Value) bool {
	s, ok := asString(v)
	switch {
	case !ok:
		c.conn.WriteError(errWrongType)
		return false
	case s == nil:
		c.conn.WriteNull()
	default:
		c.conn.WriteBulk(s.Bytes())
	}
	return true
}

// newString copies an argument into a value the keyspace can own.
func newString(b []byte) *db.String { return db.NewString(append([]byte(nil), b...)) }

// GET key
func cmdGet(c *client, args [][]byte) { c.replyString(c.readValue(args[1])) }

// setFlags are SET's options (parseExtendedStringArgumentsOrReply).
type setFlags uint16

const (
	setNX setFlags = 1 << iota
	setXX
	setGet
	setKeepTTL
	setPersist // GETEX only
	setEX
	setPX
	setEXAT
	setPXAT
)

const setExpireFlags = setEX | setPX | setEXAT | setPXAT

// setRequest is a parsed SET, or the expiry part of a GETEX.
type setRequest struct {
	flags  setFlags
	expire []byte // the EX/PX/EXAT/PXAT argument, if any
}

// expireOption returns the flag of an EX, PX, EXAT or PXAT option, or 0
// for any other argument.
func expireOption(opt []byte) setFlags {
	switch {
	case is(opt, "ex"):
		return setEX
	case is(opt, "px"):
		return setPX
	case is(opt, "exat"):
		return setEXAT
	case is(opt, "pxat"):
		return setPXAT
	}
	return 0
}

// parseSetOptions reads the options of SET (forGetEx false) or GETEX
// (forGetEx true) from args, with Redis's rules for which combine.
func parseSetOptions(args [][]byte, forGetEx bool) (setRequest, string) {
	var req setRequest
	for i := 0; i < len(args); i++ {
		opt := args[i]
		hasNext := i+1 < len(args)
		f := req.flags
		switch expire := expireOption(opt); {
		case is(opt, "nx") && f&setXX == 0 && !forGetEx:
			req.flags |= setNX
		case is(opt, "xx") && f&setNX == 0 && !forGetEx:
			req.flags |= setXX
		case is(opt, "get") && !forGetEx:
			req.flags |= setGet
		case is(opt, "keepttl") && f&(setPersist|setExpireFlags) == 0 && !forGetEx:
			req.flags |= setKeepTTL
		case is(opt, "persist") && forGetEx && f&(setExpireFlags|setKeepTTL) == 0:
			req.flags |= setPersist
		case expire != 0 && f&(setKeepTTL|setPersist|setExpireFlags&^expire) == 0 && hasNext:
			// Each of EX, PX, EXAT and PXAT excludes the other three; the
			// same one again replaces its argument, as in Redis.
			req.flags |= expire
			req.expire = args[i+1]
			i++
		default:
			return req, errSyntax
		}
	}
	return req, ""
}

// expireMillis validates an expire argument (getExpireMillisecondsOrReply):
// it returns the amount in milliseconds, not yet made absolute. seconds
// tells whether the argument counts seconds (EX, EXAT) or milliseconds.
func expireMillis(arg []byte, seconds bool, cmdName string) (ms int64, errText string) {
	n, ok := parseInt(arg)
	if !ok {
		return 0, errNotInteger
	}
	if n <= 0 || (seconds && n > math.MaxInt64/1000) {
		return 0, invalidExpire(cmdName)
	}
	if seconds {
		n *= 1000
	}
	return n, ""
}

// absoluteExpire turns a validated expire amount into a Unix millisecond
// time, checking for overflow as Redis does.
func absoluteExpire(ms int64, relative bool, now int64, cmdName string) (int64, string) {
	if relative {
		if ms > math.MaxInt64-now {
			return 0, invalidExpire(cmdName)
		}
		ms += now
	}
	if ms <= 0 {
		return 0, invalidExpire(cmdName)
	}
	return ms, ""
}

// SET key value [NX | XX] [GET] [EX s | PX ms | EXAT ts | PXAT ts-ms | KEEPTTL]
func cmdSet(c *client, args [][]byte) {
	req, errText := parseSetOptions(args[3:], false)
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	c.setGeneric("set", args[1], args[2], req, nil, nil)
}

// setGeneric is SET and its relatives (setGenericCommand). okReply and
// abortReply, when not nil, replace the OK and null replies (SETNX replies
// 1 and 0).
func (c *client) setGeneric(cmdName string, key, value []byte, req setRequest, okReply, abortReply func()) {
	var ms int64
	if req.flags&setExpireFlags != 0 {
		var errText string
		ms, errText = expireMillis(req.expire, req.flags&(setEX|setEXAT) != 0, cmdName)
		if errText != "" {
			c.conn.WriteError(errText)
			return
		}
	}
	tx := c.db().Write(key)
	defer tx.Close()
	var expireAt int64
	if req.flags&setExpireFlags != 0 {
		var errText string
		expireAt, errText = absoluteExpire(ms, req.flags&(setEX|setPX) != 0, tx.Now(), cmdName)
		if errText != "" {
			c.conn.WriteError(errText)
			return
		}
	}
	old := tx.Get(key)
	if req.flags&setGet != 0 {
		// GET's lookup counts, as a read; SET's own does not.
		c.keyLookup(key, old != nil)
		if !c.replyString(old) {
			return
		}
	}
	found := old != nil
	if req.flags&setNX != 0 && found || req.flags&setXX != 0 && !found {
		if req.flags&setGet == 0 {
			if abortReply != nil {
				abortReply()
			} else {
				c.conn.WriteNull()
			}
		}
		return
	}
	if req.flags&setKeepTTL != 0 {
		tx.SetStringValue(key, value)
	} else {
		tx.SetString(key, value, expireAt)
	}
	c.server.dirty.Add(1)
	c.notify(evString, "set", key)
	if expireAt != 0 {
		c.notify(evGeneric, "expire", key)
	}
	if req.flags&setGet == 0 {
		if okReply != nil {
			okReply()
		} else {
			c.conn.WriteOK()
		}
	}
}

// SETNX key value
func cmdSetNX(c *client, args [][]byte) {
	c.setGeneric("setnx", args[1], args[2], setRequest{flags: setNX},
		func() { c.conn.WriteInt(1) }, func() { c.conn.WriteInt(0) })
}

// SETEX key seconds value
func cmdSetEX(c *client, args [][]byte) {
	c.setGeneric("setex", args[1], args[3], setRequest{flags: setEX, expire: args[2]}, nil, nil)
}

// PSETEX key milliseconds value
func cmdPSetEX(c *client, args [][]byte) {
	c.setGeneric("psetex", args[1], args[3], setRequest{flags: setPX, expire: args[2]}, nil, nil)
}

// GETSET key value: SET key value GET.
func cmdGetSet(c *client, args [][]byte) {
	c.setGeneric("getset", args[1], args[2], setRequest{flags: setGet}, nil, nil)
}

// GETDEL key
func cmdGetDel(c *client, args [][]byte) {
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	// Reply as GET does, then delete the string found, if any.
	if v := c.lookupRead(&tx, key); c.replyString(v) && v != nil {
		tx.Delete(key)
		c.server.dirty.Add(1)
		c.propagateAs([][]byte{b("DEL"), clone(key)}) // as Redis
		c.notify(evGeneric, "del", key)
	}
}

// GETEX key [EX s | PX ms | EXAT ts | PXAT ts-ms | PERSIST]
func cmdGetEx(c *client, args [][]byte) {
	key := args[1]
	req, errText := parseSetOptions(args[2:], true)
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	tx := c.db().Write(key)
	defer tx.Close()
	s, ok := c.checkString(c.lookupRead(&tx, key))
	switch {
	case !ok:
		return
	case s == nil:
		c.conn.WriteNull()
		return
	}
	var expireAt int64
	if req.flags&setExpireFlags != 0 {
		ms, errText := expireMillis(req.expire, req.flags&(setEX|setEXAT) != 0, "getex")
		if errText == "" {
			expireAt, errText = absoluteExpire(ms, req.flags&(setEX|setPX) != 0, tx.Now(), "getex")
		}
		if errText != "" {
			c.conn.WriteError(errText)
			return
		}
	}
	c.conn.WriteBulk(s.Bytes())
	switch {
	case req.flags&(setEXAT|setPXAT) != 0 && expireAt <= tx.Now():
		// An absolute time already past deletes the key, as Redis does.
		tx.Delete(key)
		c.server.dirty.Add(1)
		c.notify(evGeneric, "del", key)
	case expireAt != 0:
		tx.SetExpire(key, expireAt)
		c.server.dirty.Add(1)
		c.notify(evGeneric, "expire", key)
	case req.flags&setPersist != 0:
		if at, _ := tx.ExpireAt(key); at != 0 {
			tx.SetExpire(key, 0)
			c.server.dirty.Add(1)
			c.notify(evGeneric, "persist", key)
		}
	}
}

// MGET key [key ...]
func cmdMGet(c *client, args [][]byte) {
	keys := args[1:]
	tx := c.db().Read(keys...)
	values := make([]db.Value, len(keys))
	for i, k := range keys {
		values[i] = c.lookupRead(&tx, k)
	}
	tx.Close()
	c.conn.WriteArrayLen(len(keys))
	for _, v := range values {
		if s, ok := v.(*db.String); ok {
			c.conn.WriteBulk(s.Bytes())
		} else {
			c.conn.WriteNull() // missing, or not a string
		}
	}
}

// keysOf returns every step-th argument from the first, the keys of MSET.
func keysOf(args [][]byte, step int) [][]byte {
	keys := make([][]byte, 0, (len(args)+step-1)/step)
	for i := 0; i < len(args); i += step {
		keys = append(keys, args[i])
	}
	return keys
}

// MSET key value [key value ...]
func cmdMSet(c *client, args [][]byte) {
	if len(args)%2 == 0 {
		c.conn.WriteError(wrongArity("mset"))
		return
	}
	c.msetGeneric(args, false)
	c.conn.WriteOK()
}

// MSETNX key value [key value ...]
func cmdMSetNX(c *client, args [][]byte) {
	if len(args)%2 == 0 {
		c.conn.WriteError(wrongArity("msetnx"))
		return
	}
	if c.msetGeneric(args, true) {
		c.conn.WriteInt(1)
	} else {
		c.conn.WriteInt(0)
	}
}

// msetGeneric sets all the pairs, atomically; with nx, only if none of the
// keys exists. It reports whether it set them.
func (c *client) msetGeneric(args [][]byte, nx bool) bool {
	pairs := args[1:]
	tx := c.db().Write(keysOf(pairs, 2)...)
	defer tx.Close()
	if nx {
		for i := 0; i < len(pairs); i += 2 {
			if tx.Exists(pairs[i]) {
				return false
			}
		}
	}
	for i := 0; i < len(pairs); i += 2 {
		tx.SetString(pairs[i], pairs[i+1], 0)
		c.notify(evString, "set", pairs[i])
	}
	c.server.dirty.Add(int64(len(pairs) / 2))
	return true
}

// APPEND key value
func cmdAppend(c *client, args [][]byte) {
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	s, ok := c.checkString(tx.Get(key))
	switch {
	case !ok:
		return
	case s == nil:
		s = newString(args[2])
		tx.Set(key, s, 0)
	default:
		if int64(len(s.Bytes()))+int64(len(args[2])) > c.server.maxBulkLen() {
			c.conn.WriteError(errStringTooLong)
			return
		}
		s = s.Append(args[2])
		tx.SetValue(key, s)
	}
	c.server.dirty.Add(1)
	c.notify(evString, "append", key)
	c.conn.WriteInt(int64(len(s.Bytes())))
}

// STRLEN key
func cmdStrlen(c *client, args [][]byte) {
	if s, ok := c.readString(args[1]); ok {
		c.conn.WriteInt(int64(len(bytesOf(s))))
	}
}

// GETRANGE key start end (and its old name SUBSTR)
func cmdGetRange(c *client, args [][]byte) {
	start, ok1 := parseInt(args[2])
	end, ok2 := parseInt(args[3])
	if !ok1 || !ok2 {
		c.conn.WriteError(errNotInteger)
		return
	}
	s, ok := c.readString(args[1])
	if !ok {
		return
	}
	// A missing key reads as "", whose every range is empty.
	b := bytesOf(s)
	if start < 0 && end < 0 && start > end {
		c.conn.WriteBulk(nil)
		return
	}
	lo, hi, empty := rangeToBounds(start, end, int64(len(b)))
	if empty {
		c.conn.WriteBulk(nil)
		return
	}
	c.conn.WriteBulk(b[lo : hi+1])
}

// SETRANGE key offset value
func cmdSetRange(c *client, args [][]byte) {
	key, value := args[1], args[3]
	offset, ok := parseInt(args[2])
	if !ok {
		c.conn.WriteError(errNotInteger)
		return
	}
	if offset < 0 {
		c.conn.WriteError(errOffsetRange)
		return
	}
	tx := c.db().Write(key)
	defer tx.Close()
	s, ok := c.checkString(tx.Get(key))
	if !ok {
		return
	}
	old := bytesOf(s)
	if len(value) == 0 {
		// Setting nothing changes nothing, and creates no key.
		c.conn.WriteInt(int64(len(old)))
		return
	}
	// Subtracting rather than adding: offset+len(value) may overflow.
	if offset > c.server.maxBulkLen()-int64(len(value)) {
		c.conn.WriteError(errStringTooLong)
		return
	}
	b := grownCopy(old, int(offset)+len(value))
	copy(b[offset:], value)
	tx.SetValue(key, db.WithBytes(b))
	c.server.dirty.Add(1)
	c.notify(evString, "setrange", key)
	c.conn.WriteInt(int64(len(b)))
}

// grownCopy returns a copy of old, zero-padded to at least n bytes, for
// SETRANGE and SETBIT to change: values are immutable once stored, so the
// new bytes are built aside.
func grownCopy(old []byte, n int) []byte {
	b := make([]byte, max(len(old), n))
	copy(b, old)
	return b
}

// INCR key
func cmdIncr(c *client, args [][]byte) { c.incrBy(args[1], 1) }

// DECR key
func cmdDecr(c *client, args [][]byte) { c.incrBy(args[1], -1) }

// INCRBY key increment
func cmdIncrBy(c *client, args [][]byte) {
	n, ok := parseInt(args[2])
	if !ok {
		c.conn.WriteError(errNotInteger)
		return
	}
	c.incrBy(args[1], n)
}

// DECRBY key decrement
func cmdDecrBy(c *client, args [][]byte) {
	n, ok := parseInt(args[2])
	if !ok {
		c.conn.WriteError(errNotInteger)
		return
	}
	if n == math.MinInt64 {
		c.conn.WriteError(errDecrOverflow)
		return
	}
	c.incrBy(args[1], -n)
}

// incrBy adds delta to the integer at key (incrDecrCommand).
func (c *client) incrBy(key []byte, delta int64) {
	tx := c.db().Write(key)
	defer tx.Close()
	s, ok := c.checkString(tx.Get(key))
	if !ok {
		return
	}
	var cur int64
	if s != nil {
		if cur, ok = parseInt(s.Bytes()); !ok {
			c.conn.WriteError(errNotInteger)
			return
		}
	}
	if delta < 0 && cur < 0 && delta < math.MinInt64-cur || delta > 0 && cur > 0 && delta > math.MaxInt64-cur {
		c.conn.WriteError(errOverflow)
		return
	}
	cur += delta
	tx.SetValue(key, db.NewInt(cur))
	c.server.dirty.Add(1)
	c.notify(evString, "incrby", key)
	c.conn.WriteInt(cur)
}

// INCRBYFLOAT key increment
func cmdIncrByFloat(c *client, args [][]byte) {
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	s, ok := c.checkString(tx.Get(key))
	if !ok {
		return
	}
	incr, ok := parseLongDouble(args[2])
	if !ok {
		c.conn.WriteError(errNotFloat)
		return
	}
	var cur []byte
	if s != nil {
		cur = s.Bytes()
	}
	out, errText := addFloat(cur, s != nil, incr, errNotFloat)
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	tx.SetValue(key, db.NewFloatString(out))
	c.server.dirty.Add(1)
	c.notify(evString, "incrbyfloat", key)
	c.conn.WriteBulk(out)
}

// addFloat is the arithmetic of INCRBYFLOAT and HINCRBYFLOAT, in Redis's
// long double: current (0 when it does not exist) plus incr, formatted as
// Redis stores the result. errText is notFloat when current is not a
// number, or the error for a sum that is not finite.
func addFloat(current []byte, exists bool, incr *big.Float, notFloat string) (out []byte, errText string) {
	cur := newLongDouble()
	if exists {
		var ok bool
		if cur, ok = parseLongDouble(current); !ok {
			return nil, notFloat
		}
	}
	sum, ok := addLongDouble(cur, incr)
	if !ok {
		return nil, errNaNOrInfinity
	}
	return formatLongDouble(sum), ""
}
