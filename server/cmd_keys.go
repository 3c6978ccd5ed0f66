package main

// The generic key commands.

func keyCommands() []*command {
	return []*command{
		{name: "del", arity: -2, flags: flagWrite, firstKey: 1, lastKey: -1, keyStep: 1, run: cmdDel},
		{name: "exists", arity: -2, flags: flagReadonly | flagFast, firstKey: 1, lastKey: -1, keyStep: 1, run: cmdExists},
	}
}

// DEL key [key ...]
func cmdDel(c *client, args [][]byte) {
	c.conn.WriteInt(int64(c.server.db.Delete(args[1:]...)))
}

// EXISTS key [key ...]
func cmdExists(c *client, args [][]byte) {
	c.conn.WriteInt(int64(c.server.db.Exists(args[1:]...)))
}
