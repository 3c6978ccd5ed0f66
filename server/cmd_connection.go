package main

// The connection commands: talking to the server itself, not the keyspace.

func connectionCommands() []*command {
	return []*command{
		{name: "ping", arity: -1, flags: flagFast, run: cmdPing},
		{name: "echo", arity: 2, flags: flagFast, run: cmdEcho},
		{name: "quit", arity: -1, flags: flagFast, run: cmdQuit},
	}
}

// PING [message]
func cmdPing(c *client, args [][]byte) {
	switch len(args) {
	case 1:
		c.conn.WriteSimple("PONG")
	case 2:
		c.conn.WriteBulk(args[1])
	default:
		c.conn.WriteError(wrongArity("ping"))
	}
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
