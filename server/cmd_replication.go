package server

// The replication commands a client sends: REPLICAOF (and its old name
// SLAVEOF) and ROLE. The link itself is in repl_replica.go.

// replicationCommands returns the replication family.
func replicationCommands() []*command {
	return []*command{
		// Lock-free: stopping a link waits for its goroutine, which may be
		// waiting for the world lock to apply the master's command.
		{name: "replicaof", flags: flagLockFree, run: cmdReplicaOf},
		{name: "slaveof", flags: flagLockFree, run: cmdReplicaOf},
		{name: "role", run: cmdRole},
	}
}

// REPLICAOF host port | REPLICAOF NO ONE (and SLAVEOF)
func cmdReplicaOf(c *client, args [][]byte) {
	t, ok := parseReplicaTarget(string(args[1]), string(args[2]))
	if !ok {
		c.conn.WriteError("ERR " + errMasterPort)
		return
	}
	reply, errText := c.server.replicaOf(t, c.exclusiveHeld)
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	c.conn.WriteSimple(reply)
}

// ROLE
func cmdRole(c *client, args [][]byte) {
	s := c.server
	if s.isReplica() {
		s.writeReplicaRole(c)
		return
	}
	_, _, offset, _ := s.replIDs()
	c.conn.WriteArrayLen(3)
	c.conn.WriteBulkString("master")
	c.conn.WriteInt(offset)
	c.conn.WriteArrayLen(0) // the replicas: the master side fills them in
}
