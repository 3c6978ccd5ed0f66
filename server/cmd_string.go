package main

import (
	"bytes"
	"math"
	"time"

	"github.com/mini-redis/mini-redis/frame"
)

// The string commands.

func stringCommands() []*command {
	return []*command{
		{name: "get", arity: 2, flags: flagReadonly | flagFast, firstKey: 1, lastKey: 1, keyStep: 1, run: cmdGet},
		{name: "set", arity: -3, flags: flagWrite, firstKey: 1, lastKey: 1, keyStep: 1, run: cmdSet},
	}
}

// GET key
func cmdGet(c *client, args [][]byte) {
	if v, ok := c.server.db.Get(args[1]); ok {
		c.conn.WriteBulk(v)
		return
	}
	c.conn.WriteNull()
}

// setRequest is a parsed SET command.
type setRequest struct {
	key, value []byte
	ttl        time.Duration // 0: no expiry
}

// parseSet parses SET key value [EX seconds | PX milliseconds]. It returns
// Redis's error text on failure.
func parseSet(args [][]byte) (setRequest, string) {
	req := setRequest{key: args[1], value: args[2]}
	seenExpire := false
	for i := 3; i < len(args); i++ {
		opt := args[i]
		var unit time.Duration
		switch {
		case bytes.EqualFold(opt, []byte("EX")):
			unit = time.Second
		case bytes.EqualFold(opt, []byte("PX")):
			unit = time.Millisecond
		default:
			return req, errSyntax
		}
		if seenExpire || i+1 >= len(args) {
			return req, errSyntax
		}
		seenExpire = true
		i++
		n, ok := frame.ParseInt(args[i])
		if !ok {
			return req, errNotInteger
		}
		if n <= 0 || n > math.MaxInt64/int64(unit) {
			return req, invalidExpire("set")
		}
		req.ttl = time.Duration(n) * unit
	}
	return req, ""
}

// SET key value [EX seconds | PX milliseconds]
func cmdSet(c *client, args [][]byte) {
	req, errText := parseSet(args)
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	c.server.db.Set(req.key, req.value, req.ttl)
	c.conn.WriteOK()
}
