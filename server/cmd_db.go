package server

import "math"

// The commands that act on whole databases.

func databaseCommands() []*command {
	return []*command{
		{name: "select", run: cmdSelect},
		{name: "dbsize", run: cmdDBSize},
		{name: "flushdb", flags: flagWrite | flagExclusive, run: cmdFlushDB},
		{name: "flushall", flags: flagWrite | flagExclusive, run: cmdFlushAll},
		{name: "swapdb", flags: flagWrite | flagExclusive, run: cmdSwapDB},
	}
}

// parseDBIndex parses the database index argument of SELECT, MOVE and
// COPY, with the errors Redis replies (getIntFromObjectOrReply, then
// selectDb) for one that is not a number, does not fit in a C int, or
// names no database.
func (s *Server) parseDBIndex(arg []byte) (int, string) {
	n, ok := parseInt(arg)
	switch {
	case !ok:
		return 0, errNotInteger
	case n < math.MinInt32 || n > math.MaxInt32:
		return 0, "ERR value is out of range, value must between -2147483648 and 2147483647"
	case s.store.DB(int(n)) == nil:
		return 0, errDBIndexRange
	}
	return int(n), ""
}

// SELECT index
func cmdSelect(c *client, args [][]byte) {
	n, errText := c.server.parseDBIndex(args[1])
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	c.selectDB(n) // CLIENT LIST and INFO show the database too
	c.conn.WriteOK()
}

// DBSIZE
func cmdDBSize(c *client, args [][]byte) {
	c.conn.WriteInt(int64(c.db().Len()))
}

// parseFlushMode checks the optional ASYNC | SYNC argument of FLUSHDB and
// FLUSHALL. Both modes flush at once here: freeing memory is the garbage
// collector's job either way.
func parseFlushMode(args [][]byte) bool {
	switch {
	case len(args) == 1:
		return true
	case len(args) == 2:
		return is(args[1], "sync") || is(args[1], "async")
	}
	return false
}

// FLUSHDB [ASYNC | SYNC]
func cmdFlushDB(c *client, args [][]byte) {
	if !parseFlushMode(args) {
		c.conn.WriteError(errSyntax)
		return
	}
	d := c.db()
	c.server.dirty.Add(int64(d.Len()))
	d.Flush()
	c.server.trackFlush()
	c.server.blocking.signalDBs(c.dbIndex, c.dbIndex) // XREADGROUP's streams are gone
	c.conn.WriteOK()
}

// FLUSHALL [ASYNC | SYNC]
func cmdFlushAll(c *client, args [][]byte) {
	if !parseFlushMode(args) {
		c.conn.WriteError(errSyntax)
		return
	}
	c.server.flushAll()
	c.conn.WriteOK()
}

// SWAPDB index1 index2
func cmdSwapDB(c *client, args [][]byte) {
	i, ok := parseInt32(args[1])
	if !ok {
		c.conn.WriteError("ERR invalid first DB index")
		return
	}
	j, ok := parseInt32(args[2])
	if !ok {
		c.conn.WriteError("ERR invalid second DB index")
		return
	}
	st := c.server.store
	if st.DB(i) == nil || st.DB(j) == nil {
		c.conn.WriteError(errDBIndexRange)
		return
	}
	st.Swap(i, j)
	c.server.dirty.Add(1)
	c.conn.WriteOK()
}
