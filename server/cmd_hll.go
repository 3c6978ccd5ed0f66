package server

import (
	"bytes"

	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/internal/hll"
)

// The HyperLogLog commands, as Redis 7.0.15's hyperloglog.c runs them. A
// HyperLogLog is a string value in Redis's representation (package hll),
// so GET, SET, COPY and RDB snapshots carry it as any string.
// Lookups, notifications ("pfadd", class $, for PFMERGE too), WATCH
// signals and dirty counts are Redis's: PFCOUNT, a read-only command,
// still stores the cardinality it computes in the value's header, which
// counts as a change of the key.

func hllCommands() []*command {
	return []*command{
		{name: "pfadd", flags: flagWrite, run: cmdPFAdd},
		// PFCOUNT may store the count it computes: CLIENT PAUSE WRITE
		// holds it, as Redis's may-replicate flag does.
		{name: "pfcount", flags: flagMayReplicate, run: cmdPFCount},
		{name: "pfmerge", flags: flagWrite, run: cmdPFMerge},
		{name: "pfselftest", run: cmdPFSelfTest},
		{name: "pfdebug", flags: flagWrite, run: cmdPFDebug},
	}
}

// Error replies of the HyperLogLog commands.
const (
	errNotHLL     = "WRONGTYPE Key is not a valid HyperLogLog string value."
	errCorruptHLL = "INVALIDOBJ Corrupted HLL object detected"
	errNoHLLKey   = "ERR The specified key does not exist"
)

// checkHLL is isHLLObjectOrReply for the value v of an existing key: it
// returns v as a string holding a HyperLogLog, or replies WRONGTYPE (the
// usual text for another type, a text of its own for a string that is not
// a HyperLogLog) and returns ok false.
func (c *client) checkHLL(v db.Value) (s *db.String, ok bool) {
	s, ok = v.(*db.String)
	switch {
	case !ok:
		c.conn.WriteError(errWrongType)
	case !hll.IsHLL(s.Bytes()):
		c.conn.WriteError(errNotHLL)
		ok = false
	}
	return s, ok
}

// unshareHLL is Redis's dbUnshareStringValue before a HyperLogLog command
// may edit a value in place: the value becomes a raw string, which OBJECT
// ENCODING shows, even when nothing changes.
func unshareHLL(tx *db.KeyLock, key []byte, s *db.String) {
	if s.Encoding() != "raw" {
		tx.Unshare(key, db.WithBytes(bytes.Clone(s.Bytes())))
	}
}

// sparseMaxBytes is hll-sparse-max-bytes.
func (c *client) sparseMaxBytes() int64 {
	return int64(c.server.settings.hllSparseMaxBytes.Load())
}

// PFADD key [element ...]
func cmdPFAdd(c *client, args [][]byte) {
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	v := tx.Get(key)
	updated := 0
	var sk hll.Sketch
	if v == nil {
		// A new key counts as a change even with no elements.
		sk = hll.Edit(hll.New(), c.sparseMaxBytes())
		updated++
	} else {
		s, ok := c.checkHLL(v)
		if !ok {
			return
		}
		unshareHLL(&tx, key, s)
		sk = hll.Edit(s.Bytes(), c.sparseMaxBytes())
	}
	for _, e := range args[2:] {
		changed, err := sk.Add(e)
		if err != nil {
			// Redis edits the value in place: what the elements before
			// changed stays, though the command fails and tells no one.
			if sk.Modified() {
				tx.Unshare(key, db.WithBytes(sk.Bytes()))
			}
			c.conn.WriteError(errCorruptHLL)
			return
		}
		if changed {
			updated++
		}
	}
	if updated == 0 {
		c.conn.WriteInt(0)
		return
	}
	sk.InvalidateCache()
	if v == nil {
		tx.Set(key, db.WithBytes(sk.Bytes()), 0)
	} else {
		tx.SetValue(key, db.WithBytes(sk.Bytes()))
	}
	c.notify(evString, "pfadd", key)
	c.server.dirty.Add(int64(updated))
	c.conn.WriteInt(1)
}

// PFCOUNT key [key ...]
func cmdPFCount(c *client, args [][]byte) {
	if len(args) > 2 {
		c.pfcountUnion(args[1:])
		return
	}
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	v := c.lookupRead(&tx, key)
	if v == nil {
		c.conn.WriteInt(0)
		return
	}
	s, ok := c.checkHLL(v)
	if !ok {
		return
	}
	unshareHLL(&tx, key, s)
	b := s.Bytes()
	if n, ok := hll.CachedCount(b); ok {
		c.conn.WriteInt(int64(n))
		return
	}
	n, err := hll.Count(b)
	if err != nil {
		c.conn.WriteError(errCorruptHLL)
		return
	}
	// The count is cached in the value: a change of the key, for WATCH
	// and persistence, though no event is published.
	tx.SetValue(key, db.WithBytes(hll.WithCachedCount(b, n)))
	c.server.dirty.Add(1)
	c.conn.WriteInt(int64(n))
}

// pfcountUnion is PFCOUNT of several keys: the cardinality of their union,
// computed aside and cached nowhere. Missing keys count as empty.
func (c *client) pfcountUnion(keys [][]byte) {
	tx := c.db().Read(keys...)
	defer tx.Close()
	var regs hll.RegisterSet
	for _, k := range keys {
		v := c.lookupRead(&tx, k)
		if v == nil {
			continue
		}
		s, ok := c.checkHLL(v)
		if !ok {
			return
		}
		if regs.Merge(s.Bytes()) != nil {
			c.conn.WriteError(errCorruptHLL)
			return
		}
	}
	c.conn.WriteInt(int64(regs.Count()))
}

// PFMERGE destkey [sourcekey ...]: the union of all the keys, destkey
// included, stored at destkey. The result is dense when any input is; a
// sparse one gets the registers one by one, as PFADD would give them,
// and may turn dense on the way.
func cmdPFMerge(c *client, args [][]byte) {
	keys := args[1:]
	tx := c.db().Write(keys...)
	defer tx.Close()
	var regs hll.RegisterSet
	useDense := false
	for _, k := range keys {
		v := c.lookupRead(&tx, k)
		if v == nil {
			continue
		}
		s, ok := c.checkHLL(v)
		if !ok {
			return
		}
		useDense = useDense || hll.IsDense(s.Bytes())
		if regs.Merge(s.Bytes()) != nil {
			c.conn.WriteError(errCorruptHLL)
			return
		}
	}
	dst := keys[0]
	v := tx.Get(dst)
	var sk hll.Sketch
	if v == nil {
		sk = hll.Edit(hll.New(), c.sparseMaxBytes())
	} else {
		s, ok := v.(*db.String) // checked above, dst being a source too
		if !ok {
			c.conn.WriteError(errWrongType)
			return
		}
		unshareHLL(&tx, dst, s)
		sk = hll.Edit(s.Bytes(), c.sparseMaxBytes())
	}
	if useDense {
		if _, err := sk.ToDense(); err != nil {
			c.conn.WriteError(errCorruptHLL) // unreachable: dst was merged
			return
		}
	}
	for i, r := range regs {
		if r != 0 {
			if _, err := sk.Set(i, r); err != nil {
				c.conn.WriteError(errCorruptHLL) // unreachable: dst was merged
				return
			}
		}
	}
	sk.InvalidateCache()
	b := sk.Bytes()
	if !sk.Modified() {
		// Nothing changed, but the key is stored again all the same (a
		// change for WATCH), and stored values never share their bytes.
		b = bytes.Clone(b)
	}
	if v == nil {
		tx.Set(dst, db.WithBytes(b), 0)
	} else {
		tx.SetValue(dst, db.WithBytes(b))
	}
	c.notify(evString, "pfadd", dst) // Redis's event for PFMERGE too
	c.server.dirty.Add(1)
	c.conn.WriteOK()
}

// PFSELFTEST runs the HyperLogLog implementation's self test.
func cmdPFSelfTest(c *client, args [][]byte) {
	if err := hll.SelfTest(); err != nil {
		c.conn.WriteError("TESTFAILED " + err.Error())
		return
	}
	c.conn.WriteOK()
}

// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key
func cmdPFDebug(c *client, args [][]byte) {
	sub, key := args[1], args[2]
	tx := c.db().Write(key)
	defer tx.Close()
	v := tx.Get(key)
	if v == nil {
		c.conn.WriteError(errNoHLLKey)
		return
	}
	s, ok := c.checkHLL(v)
	if !ok {
		return
	}
	unshareHLL(&tx, key, s)
	b := s.Bytes()
	switch {
	case is(sub, "getreg"), is(sub, "todense"):
		sk := hll.Edit(b, c.sparseMaxBytes())
		converted, err := sk.ToDense()
		if err != nil {
			c.conn.WriteError(errCorruptHLL)
			return
		}
		if converted {
			// Redis converts the value in place: no event, no WATCH
			// signal, but a change to persist.
			tx.Unshare(key, db.WithBytes(sk.Bytes()))
			c.server.dirty.Add(1)
		}
		if is(sub, "todense") {
			c.conn.WriteInt(boolInt(converted))
			return
		}
		c.conn.WriteArrayLen(hll.NumRegisters)
		for i := range hll.NumRegisters {
			r, _ := hll.Register(sk.Bytes(), i) // dense: never fails
			c.conn.WriteInt(int64(r))
		}
	case is(sub, "decode"):
		text, ok := hll.Decode(b)
		if !ok {
			c.conn.WriteError("ERR HLL encoding is not sparse")
			return
		}
		c.conn.WriteBulkString(text)
	case is(sub, "encoding"):
		if hll.IsDense(b) {
			c.conn.WriteSimple("dense")
		} else {
			c.conn.WriteSimple("sparse")
		}
	default:
		c.conn.WriteError("ERR Unknown PFDEBUG subcommand '" + string(sub) + "'")
	}
}
