package server

import (
	"math"
)

// The expiry commands.

func expireCommands() []*command {
	return []*command{
		{name: "expire", flags: flagWrite, run: expireCmd("expire", unitSeconds, false)},
		{name: "pexpire", flags: flagWrite, run: expireCmd("pexpire", unitMillis, false)},
		{name: "expireat", flags: flagWrite, run: expireCmd("expireat", unitSeconds, true)},
		{name: "pexpireat", flags: flagWrite, run: expireCmd("pexpireat", unitMillis, true)},
		{name: "ttl", run: ttlCmd(false, false)},
		{name: "pttl", run: ttlCmd(true, false)},
		{name: "expiretime", run: ttlCmd(false, true)},
		{name: "pexpiretime", run: ttlCmd(true, true)},
		{name: "persist", flags: flagWrite, run: cmdPersist},
	}
}

type timeUnit bool

const (
	unitSeconds timeUnit = true
	unitMillis  timeUnit = false
)

// expireOptions are the NX, XX, GT and LT flags of EXPIRE and friends.
type expireOptions struct{ nx, xx, gt, lt bool }

func parseExpireOptions(args [][]byte) (expireOptions, string) {
	var o expireOptions
	for _, a := range args {
		switch {
		case is(a, "nx"):
			o.nx = true
		case is(a, "xx"):
			o.xx = true
		case is(a, "gt"):
			o.gt = true
		case is(a, "lt"):
			o.lt = true
		default:
			return o, "ERR Unsupported option " + string(cString(a, len(a)))
		}
	}
	if o.nx && (o.xx || o.gt || o.lt) {
		return o, errExpireNXOptions
	}
	if o.gt && o.lt {
		return o, errExpireGTLT
	}
	return o, ""
}

// expireCmd returns EXPIRE, PEXPIRE, EXPIREAT or PEXPIREAT
// (expireGenericCommand): key time [NX | XX | GT | LT].
func expireCmd(name string, unit timeUnit, absolute bool) func(*client, [][]byte) {
	return func(c *client, args [][]byte) {
		key := args[1]
		opts, errText := parseExpireOptions(args[3:])
		if errText != "" {
			c.conn.WriteError(errText)
			return
		}
		when, ok := parseInt(args[2])
		if !ok {
			c.conn.WriteError(errNotInteger)
			return
		}
		if unit == unitSeconds {
			if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
				c.conn.WriteError(invalidExpire(name))
				return
			}
			when *= 1000
		}
		tx := c.db().Write(key)
		defer tx.Close()
		var base int64
		if !absolute {
			base = tx.Now()
		}
		if when > math.MaxInt64-base {
			c.conn.WriteError(invalidExpire(name))
			return
		}
		when += base
		current, exists := tx.ExpireAt(key)
		if !exists {
			c.conn.WriteInt(0)
			return
		}
		// A key without a deadline has an infinite TTL: GT never beats
		// it, and LT always does.
		hasTTL := current != 0
		if opts.nx && hasTTL || opts.xx && !hasTTL ||
			opts.gt && (!hasTTL || when <= current) ||
			opts.lt && hasTTL && when >= current {
			c.conn.WriteInt(0)
			return
		}
		if when <= tx.Now() {
			// A deadline already past deletes the key at once.
			tx.Delete(key)
			c.server.dirty.Add(1)
			c.notify(evGeneric, "del", key)
			c.conn.WriteInt(1)
			return
		}
		tx.SetExpire(key, when)
		c.server.dirty.Add(1)
		c.notify(evGeneric, "expire", key)
		c.conn.WriteInt(1)
	}
}

// ttlCmd returns TTL, PTTL, EXPIRETIME or PEXPIRETIME (ttlGenericCommand):
// -2 for a missing key, -1 for one without a deadline.
func ttlCmd(millis, absolute bool) func(*client, [][]byte) {
	return func(c *client, args [][]byte) {
		tx := c.db().Read(args[1])
		at, exists := tx.ExpireAt(args[1])
		now := tx.Now()
		tx.Close()
		c.keyLookup(args[1], exists)
		switch {
		case !exists:
			c.conn.WriteInt(-2)
			return
		case at == 0:
			c.conn.WriteInt(-1)
			return
		}
		ttl := at
		if !absolute {
			ttl = max(0, at-now)
		}
		if !millis {
			// Unsigned, as Redis's arithmetic turns out: a deadline near
			// the int64 limit rounds up past it rather than wrapping
			// negative (PEXPIREAT k 9223372036854775807, EXPIRETIME k).
			ttl = int64((uint64(ttl) + 500) / 1000)
		}
		c.conn.WriteInt(ttl)
	}
}

// PERSIST key
func cmdPersist(c *client, args [][]byte) {
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	if at, exists := tx.ExpireAt(key); !exists || at == 0 {
		c.conn.WriteInt(0)
		return
	}
	tx.SetExpire(key, 0)
	c.server.dirty.Add(1)
	c.notify(evGeneric, "persist", key)
	c.conn.WriteInt(1)
}
