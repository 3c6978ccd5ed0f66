package server

// Transactions: MULTI queues commands, EXEC runs them as one atomic step
// (every other client waits), DISCARD drops them. WATCH makes EXEC fail if
// a watched key changed or expired in between. As in Redis there is no
// rollback: a command that fails inside EXEC just has an error reply.

func transactionCommands() []*command {
	return []*command{
		{name: "multi", flags: flagRunsInMulti | flagLockFree, run: cmdMulti},
		{name: "exec", flags: flagRunsInMulti | flagRunsQueue, run: cmdExec},
		{name: "discard", flags: flagRunsInMulti | flagLockFree, run: cmdDiscard},
		{name: "watch", flags: flagRunsInMulti, run: cmdWatch},
		{name: "unwatch", flags: flagLockFree, run: cmdUnwatch},
	}
}

// multiState is a client's open transaction.
type multiState struct {
	cmds  []queued
	dirty bool // a command was refused while queuing: EXEC must abort
}

type queued struct {
	cmd  *command
	args [][]byte // copies: the request buffer is reused
}

func (m *multiState) queue(cmd *command, args [][]byte) {
	m.cmds = append(m.cmds, queued{cmd: cmd, args: cloneArgs(args)})
}

// MULTI
func cmdMulti(c *client, args [][]byte) {
	if c.multi != nil {
		c.conn.WriteError("ERR MULTI calls can not be nested")
		return
	}
	c.multi = &multiState{}
	c.multiShown.Store(0)
	c.conn.WriteOK()
}

// discardTransaction ends a transaction and releases its watches.
func (c *client) discardTransaction() {
	c.multi = nil
	c.multiShown.Store(-1)
	c.watch.Unwatch()
}

// DISCARD
func cmdDiscard(c *client, args [][]byte) {
	if c.multi == nil {
		c.conn.WriteError("ERR DISCARD without MULTI")
		return
	}
	c.discardTransaction()
	c.conn.WriteOK()
}

// EXEC
func cmdExec(c *client, args [][]byte) {
	m := c.multi
	if m == nil {
		c.conn.WriteError("ERR EXEC without MULTI")
		return
	}
	if m.dirty {
		c.discardTransaction()
		c.conn.WriteError("EXECABORT Transaction discarded because of previous errors.")
		return
	}
	// The queued commands run with every other client paused, so no other
	// command interleaves with them.
	c.exclusive(func() { c.execQueued(m) })
}

// execQueued runs a transaction's commands, with every other client paused.
func (c *client) execQueued(m *multiState) {
	s := c.server
	// Whatever happens, EXEC ends the transaction and its watches.
	watchesHeld := c.watch.Valid()
	c.discardTransaction()
	if !watchesHeld {
		c.conn.WriteNullArray()
		return
	}
	c.conn.WriteArrayLen(len(m.cmds))
	for _, q := range m.cmds {
		// The ACLs may have changed since the command was queued.
		if u := c.aclUserOf().get(); !u.Unrestricted() {
			if d, pos := s.aclCheck(u, q.cmd, q.args); d != aclOK {
				s.logDenial(c, d, aclCtxMulti, u.Name, q.cmd, q.args, pos)
				c.conn.WriteError("NOPERM ACLs rules changed between the moment the transaction was accumulated " +
					"and the EXEC call. This command is no longer allowed for the following reason: " + aclExecReason(d))
				continue
			}
		}
		started, errsBefore := s.monotonic(), c.errors
		s.feedMonitorsBefore(c, q.cmd, q.args)
		s.runRecorded(c, q.cmd, q.args, c.effects) // a blocking command does not block here
		s.recordCall(c, q.cmd, q.args, started, errsBefore)
	}
	// Clients blocked on keys the transaction filled are served after it,
	// before any other client runs, as Redis does after EXEC.
	s.serveBlocked(c.effects)
}

// writes reports whether cmd may change the keyspace, as Redis's
// processCommand judges it to refuse writes: a write command, or an EXEC
// whose transaction queued one.
func (c *client) writes(cmd *command) bool {
	return cmd.flags&flagWrite != 0 || cmd.flags&flagRunsQueue != 0 && c.multi != nil && c.multi.hasWrites()
}

func (m *multiState) hasWrites() bool {
	for _, q := range m.cmds {
		if q.cmd.flags&flagWrite != 0 {
			return true
		}
	}
	return false
}

// WATCH key [key ...]
func cmdWatch(c *client, args [][]byte) {
	if c.multi != nil {
		c.conn.WriteError("ERR WATCH inside MULTI is not allowed")
		return
	}
	c.db().Watch(&c.watch, args[1:]...)
	c.conn.WriteOK()
}

// UNWATCH
func cmdUnwatch(c *client, args [][]byte) {
	c.watch.Unwatch()
	c.conn.WriteOK()
}
