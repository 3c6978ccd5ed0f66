package server

import (
	"errors"

	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/db/rdb"
)

// DUMP and RESTORE: a key's value serialized as Redis 7.0 serializes it
// (package rdb's DUMP payloads: the value's RDB record, the format version
// and a checksum), so that a value moves between this server and Redis
// both ways.

func dumpCommands() []*command {
	return []*command{
		{name: "dump", run: cmdDump},
		{name: "restore", flags: flagWrite, run: cmdRestore},
	}
}

// RESTORE's errors, in Redis's words.
const (
	errBusyKey         = "BUSYKEY Target key name already exists."
	errDumpPayload     = "ERR DUMP payload version or checksum are wrong"
	errBadDataFormat   = "ERR Bad data format"
	errRestoreTTL      = "ERR Invalid TTL value, must be >= 0"
	errRestoreIdletime = "ERR Invalid IDLETIME value, must be >= 0"
	errRestoreFreq     = "ERR Invalid FREQ value, must be >= 0 and <= 255"
)

// DUMP key: the payload, or null for a missing key. The lookup is a
// read, and an access.
func cmdDump(c *client, args [][]byte) {
	key := args[1]
	tx := c.db().Read(key)
	v := tx.Get(key)
	var payload []byte
	var err error
	if v != nil {
		// The value is encoded under the key's lock: a collection must
		// not change while it is read.
		var sc rdbScratch
		var e rdb.Entry
		if e, err = sc.entry(c.dbIndex, string(key), v, 0); err == nil {
			d, _ := c.server.dumpers.Get().(*rdb.Dumper)
			if d == nil {
				d = new(rdb.Dumper)
			}
			payload, err = d.AppendDump(nil, e, c.server.rdbValueOptions())
			c.server.dumpers.Put(d)
		}
	}
	tx.Close()
	c.keyLookup(key, v != nil)
	switch {
	case v == nil:
		c.conn.WriteNull()
	case err != nil:
		// A value this server holds always has a payload; this is a bug.
		c.conn.WriteError("ERR " + err.Error())
	default:
		c.conn.WriteBulk(payload)
	}
}

// restoreOptions are RESTORE's options after the payload.
type restoreOptions struct {
	replace, absTTL bool
	idle            int64 // IDLETIME in seconds, or -1
	freq            int64 // FREQ, or -1
}

// parseRestoreOptions reads [REPLACE] [ABSTTL] [IDLETIME seconds]
// [FREQ frequency] in any order, as Redis's restoreCommand does: each may
// come again (the last one counts), but IDLETIME and FREQ exclude each
// other, the second of them being a syntax error.
func parseRestoreOptions(opts [][]byte) (restoreOptions, string) {
	o := restoreOptions{idle: -1, freq: -1}
	for i := 0; i < len(opts); i++ {
		more := i+1 < len(opts)
		switch opt := opts[i]; {
		case is(opt, "replace"):
			o.replace = true
		case is(opt, "absttl"):
			o.absTTL = true
		case is(opt, "idletime") && more && o.freq == -1:
			n, ok := parseInt(opts[i+1])
			if !ok {
				return o, errNotInteger
			}
			if n < 0 {
				return o, errRestoreIdletime
			}
			o.idle = n
			i++
		case is(opt, "freq") && more && o.idle == -1:
			n, ok := parseInt(opts[i+1])
			if !ok {
				return o, errNotInteger
			}
			if n < 0 || n > 255 {
				return o, errRestoreFreq
			}
			o.freq = n
			i++
		default:
			return o, errSyntax
		}
	}
	return o, ""
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds]
// [FREQ frequency]
//
// The errors come in Redis's order: the options, an existing key (unless
// REPLACE), the TTL, the payload's footer, then its value. FREQ is
// checked and then ignored, as Redis ignores it under a maxmemory policy
// other than LFU, which this server does not offer.
func cmdRestore(c *client, args [][]byte) {
	key := args[1]
	opts, errText := parseRestoreOptions(args[4:])
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	// The payload is decoded before the key is locked: a big one should
	// not hold up the key's shard. Its errors are reported in their turn.
	var v db.Value
	e, perr := rdb.ParseDump(args[3])
	if perr == nil {
		// Duplicate members or fields make the payload bad, as in Redis.
		v, perr = valueOf(e, c.server.store.EncodingLimits())
	}
	errText, event := c.restore(key, args[2], opts, v, perr)
	// The events come after the key's lock is released, as the lookup's
	// "expired" event does: in Redis's order.
	if event != "" {
		c.server.dirty.Add(1)
		c.notify(evGeneric, event, key)
	}
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	c.conn.WriteOK()
}

// restore is RESTORE under the key's lock, once the options are read and
// the payload decoded (v, or the error perr): it returns the error reply,
// if any, and the event of the change made, if any.
func (c *client) restore(key, ttlArg []byte, opts restoreOptions, v db.Value, perr error) (errText, event string) {
	tx := c.db().Write(key)
	defer tx.Close()
	if !opts.replace && tx.Exists(key) {
		return errBusyKey, ""
	}
	ttl, ok := parseInt(ttlArg)
	switch {
	case !ok:
		return errNotInteger, ""
	case ttl < 0:
		return errRestoreTTL, ""
	case errors.Is(perr, rdb.ErrChecksum):
		return errDumpPayload, ""
	case perr != nil:
		return errBadDataFormat, ""
	}
	deleted := opts.replace && tx.Delete(key)
	now := tx.Now()
	if ttl != 0 && !opts.absTTL {
		// Wraps around for a huge TTL, into the past, as Redis's sum does.
		ttl += now
	}
	if ttl != 0 && ttl <= now {
		// Already expired: nothing is stored, but REPLACE deleted the key.
		if deleted {
			return "", "del"
		}
		return "", ""
	}
	tx.Set(key, v, ttl)
	if opts.idle >= 0 {
		tx.SetIdleTime(key, restoredIdle(now, opts.idle)*1000)
	}
	if opts.freq >= 0 {
		tx.SetFreq(key, opts.freq)
	}
	return "", "restore"
}

// lruClockMax is Redis's LRU_CLOCK_MAX: its access clock counts seconds
// in 24 bits, wrapping every 194 days.
const lruClockMax = 1<<24 - 1

// restoredIdle returns the idle time, in seconds, that Redis's OBJECT
// IDLETIME shows at nowMs for a key RESTOREd then with IDLETIME idle
// (objectSetLRUOrLFU, then estimateObjectIdleTime): idle itself, unless it
// reaches past what the 24-bit clock holds, where Redis's arithmetic
// wraps, and so does this.
func restoredIdle(nowMs, idle int64) int64 {
	clock := (nowMs / 1000) & lruClockMax
	// Redis scales the idle time by 1000/1000 (its clock's resolution),
	// overflowing as int64 arithmetic does for the largest values.
	idle = idle * 1000 / 1000
	abs := clock - idle
	if abs < 0 {
		abs += lruClockMax
	}
	lru := abs & lruClockMax // the object's 24-bit field
	if clock >= lru {
		return clock - lru
	}
	return clock + (lruClockMax - lru)
}
