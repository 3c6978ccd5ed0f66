package server

import "github.com/mini-redis/mini-redis/frame"

// The connection commands: talking to the server itself, not the keyspace.

func connectionCommands() []*command {
	return []*command{
		{name: "ping", flags: flagSubscribeContext, run: cmdPing},
		{name: "echo", run: cmdEcho},
		{name: "quit", flags: flagNoAuth | flagRunsInMulti | flagSubscribeContext | flagLockFree, run: cmdQuit},
		{name: "reset", flags: flagNoAuth | flagRunsInMulti | flagSubscribeContext | flagLockFree, run: cmdReset},
		{name: "hello", flags: flagNoAuth | flagLockFree, run: cmdHello},
		{name: "auth", flags: flagNoAuth | flagLockFree, run: cmdAuth},
	}
}

// PING [message]: in subscribe mode under RESP2 the reply is an array,
// ("pong", message), as Redis sends it there.
func cmdPing(c *client, args [][]byte) {
	if len(args) > 2 {
		c.conn.WriteError(wrongArity("ping"))
		return
	}
	if c.sub != nil && c.sub.active() && !c.resp3() {
		c.conn.WriteArrayLen(2)
		c.conn.WriteBulkString("pong")
		if len(args) == 2 {
			c.conn.WriteBulk(args[1])
		} else {
			c.conn.WriteBulk(nil)
		}
		return
	}
	if len(args) == 2 {
		c.conn.WriteBulk(args[1])
		return
	}
	c.conn.WriteSimple("PONG")
}

// ECHO message
func cmdEcho(c *client, args [][]byte) {
	c.conn.WriteBulk(args[1])
}

// QUIT: reply OK, then close the connection.
func cmdQuit(c *client, args [][]byte) {
	c.conn.WriteOK()
	c.closeAfterReply = true
}

// RESET: back to a fresh connection's state, as Redis's
// clearClientConnectionState.
func cmdReset(c *client, args [][]byte) {
	c.selectDB(0)
	c.setProtocol(frame.RESP2)
	c.user.Store(nil) // back to "default"
	c.authenticated = !c.server.acl.authRequired()
	c.applyAuthLimits()
	c.discardTransaction()
	c.server.disableTracking(c)
	if c.sub != nil {
		c.server.pubsub.RemoveAll(c.sub)
		c.sub.chanPat, c.sub.shard = 0, 0
		c.showSubscriptions()
		c.applyIdleTimeout()
		c.applyOutputLimits()
	}
	c.setName("")
	c.stopMonitoring()
	c.replyOff, c.skipNext = false, false
	c.conn.SetDiscard(false)
	c.conn.WriteSimple("RESET")
}

// applyAuthLimits sets the request limits for the client's state: Redis
// accepts only small requests from a client that has not authenticated.
func (c *client) applyAuthLimits() {
	if c.authenticated {
		c.conn.SetLimits(frame.Limits{MaxBulkLen: c.server.maxBulkLen()})
	} else {
		c.conn.SetLimits(frame.Unauthenticated())
	}
}

// AUTH [username] password
func cmdAuth(c *client, args [][]byte) {
	if len(args) > 3 {
		c.conn.WriteError(errSyntax)
		return
	}
	user, password := []byte("default"), args[len(args)-1]
	if len(args) == 2 {
		if c.server.acl.def.get().NoPass {
			c.conn.WriteError("ERR AUTH <password> called without any password configured for the default user. " +
				"Are you sure your configuration is correct?")
			return
		}
	} else {
		user = args[1]
	}
	if !c.authenticate(user, password, args) {
		c.conn.WriteError(errWrongPass)
		return
	}
	c.conn.WriteOK()
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
func cmdHello(c *client, args [][]byte) {
	var proto int64
	if len(args) >= 2 {
		v, ok := parseInt(args[1])
		if !ok {
			c.conn.WriteError("ERR Protocol version is not an integer or out of range")
			return
		}
		if v < 2 || v > 3 {
			c.conn.WriteError("NOPROTO unsupported protocol version")
			return
		}
		proto = v
	}
	var user, password []byte
	for i := 2; i < len(args); i++ {
		more := len(args) - 1 - i
		switch opt := args[i]; {
		case is(opt, "auth") && more >= 2:
			user, password = args[i+1], args[i+2]
			i += 2
		case is(opt, "setname") && more >= 1:
			name := args[i+1]
			if errText := validateClientName(name); errText != "" {
				c.conn.WriteError(errText)
				return
			}
			// Redis 7.0 names the client as it parses, before AUTH and
			// whatever follows can fail.
			c.setName(string(name))
			i++
		default:
			c.conn.WriteError("ERR Syntax error in HELLO option '" + string(cString(opt, len(opt))) + "'")
			return
		}
	}
	if user != nil && !c.authenticate(user, password, args) {
		c.conn.WriteError(errWrongPass)
		return
	}
	if !c.authenticated {
		c.conn.WriteError("NOAUTH HELLO must be called with the client already authenticated, otherwise the " +
			"HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP " +
			"protocol version at the same time")
		return
	}
	if proto != 0 {
		c.setProtocol(frame.Protocol(proto))
	}
	c.conn.WriteMapLen(7)
	c.conn.WriteBulkString("server")
	c.conn.WriteBulkString("redis")
	c.conn.WriteBulkString("version")
	c.conn.WriteBulkString(RedisVersion)
	c.conn.WriteBulkString("proto")
	c.conn.WriteInt(int64(c.conn.Protocol()))
	c.conn.WriteBulkString("id")
	c.conn.WriteInt(c.id)
	c.conn.WriteBulkString("mode")
	c.conn.WriteBulkString("standalone")
	c.conn.WriteBulkString("role")
	c.conn.WriteBulkString("master")
	c.conn.WriteBulkString("modules")
	c.conn.WriteArrayLen(0)
}
