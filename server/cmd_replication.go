package server

import (
	"strconv"
	"time"

	"go.uber.org/zap"
)

// The replication commands: REPLICAOF (and its old name SLAVEOF), which
// makes the server a replica (the link is in repl_replica.go); what
// replicas send a master (REPLCONF, PSYNC, SYNC; repl_master.go); WAIT and
// ROLE.

// replicationCommands returns the replication family.
func replicationCommands() []*command {
	return []*command{
		// Lock-free: stopping a link waits for its goroutine, which may be
		// waiting for the world lock to apply the master's command.
		{name: "replicaof", flags: flagLockFree, run: cmdReplicaOf},
		{name: "slaveof", flags: flagLockFree, run: cmdReplicaOf},
		{name: "replconf", flags: flagLockFree, run: cmdReplconf},
		{name: "psync", flags: flagLockFree, run: cmdPsync},
		{name: "sync", flags: flagLockFree, run: cmdSync},
		{name: "wait", flags: flagLockFree, run: cmdWait},
		{name: "role", flags: flagLockFree, run: cmdRole},
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

// REPLCONF <option> <value> [<option> <value> ...]: listening-port,
// ip-address, capa, ack, getack, rdb-only, as Redis's replconfCommand.
func cmdReplconf(c *client, args [][]byte) {
	if len(args)%2 == 0 {
		c.conn.WriteError(errSyntax)
		return
	}
	if c.replAnnounce == nil {
		c.replAnnounce = &replAnnounce{}
	}
	a := c.replAnnounce
	for j := 1; j < len(args); j += 2 {
		opt, val := args[j], args[j+1]
		switch {
		case is(opt, "listening-port"):
			port, ok := parseInt(val)
			if !ok {
				c.conn.WriteError(errNotInteger)
				return
			}
			a.port = port
			if rep := c.replica.Load(); rep != nil {
				rep.port.Store(port)
			}
		case is(opt, "ip-address"):
			if len(val) >= 256 { // NET_HOST_STR_LEN
				c.conn.WriteError("ERR REPLCONF ip-address provided by replica instance is too long: " +
					strconv.Itoa(len(val)) + " bytes")
				return
			}
			a.ip = string(val)
		case is(opt, "capa"):
			// Capabilities this master does not know are ignored.
			switch {
			case is(val, "eof"):
				a.capaEOF = true
			case is(val, "psync2"):
				a.capaPSYNC2 = true
			}
		case is(opt, "ack"):
			// A replica's offset: no reply.
			rep := c.replica.Load()
			if rep == nil {
				return
			}
			if off, ok := parseInt(val); ok {
				c.server.repl.noteAck(rep, off)
			}
			return
		case is(opt, "getack"):
			// Asked of replicas by their master: a master ignores it.
			return
		case is(opt, "rdb-only"):
			n, ok := parseInt(val)
			if !ok {
				c.conn.WriteError(errNotInteger)
				return
			}
			if n < 0 || n > 1 {
				c.conn.WriteError("ERR value is out of range, value must between 0 and 1")
				return
			}
		default:
			c.conn.WriteError("ERR Unrecognized REPLCONF option: " + string(cString(opt, len(opt))))
			return
		}
	}
	c.conn.WriteOK()
}

// PSYNC replid offset
func cmdPsync(c *client, args [][]byte) {
	off, ok := parseInt(args[2])
	if !ok {
		c.conn.WriteError(errNotInteger)
		return
	}
	c.server.syncReplica(c, string(args[1]), off, true)
}

// SYNC
func cmdSync(c *client, args [][]byte) {
	c.server.syncReplica(c, "", 0, false)
}

// syncReplica makes c a replica, served from the backlog (PSYNC with a
// known history) or with a full sync (Redis's syncCommand).
func (s *Server) syncReplica(c *client, replid string, off int64, psync bool) {
	if c.replica.Load() != nil || c.monitoring.Load() {
		return // already a replica (or a monitor): ignored
	}
	if s.isReplica() {
		// Redis would relay its master's stream (chained replication);
		// this server does not, so the replica is told to go to the master.
		c.conn.WriteError("ERR this server is a replica and does not serve replicas of its own: replicate from its master")
		return
	}
	c.conn.Flush()
	if c.conn.Pending() > 0 {
		c.conn.WriteError("ERR SYNC and PSYNC are invalid with pending output")
		return
	}
	// From now on the replica is written the stream, by this server's
	// goroutines, straight to its socket: its replies are dropped.
	c.replyOff = true
	c.conn.SetDiscard(true)
	c.conn.SetIdleTimeout(0)
	rep := newReplica(c)
	r := &s.repl
	if psync {
		if s.tryPartialSync(c, rep, replid, off) {
			r.syncPartialOK.Add(1)
			return
		}
		if replid != "?" {
			r.syncPartialErr.Add(1)
		}
	} else {
		rep.prePSYNC = true
	}
	s.log.Info("Replica asks for synchronization", zap.String("replica", c.addr))
	s.fullSync(c, rep, psync)
}

// WAIT numreplicas timeout
func cmdWait(c *client, args [][]byte) {
	n, ok := parseInt(args[1])
	if !ok {
		c.conn.WriteError(errNotInteger)
		return
	}
	ms, ok := parseInt(args[2])
	if !ok {
		c.conn.WriteError("ERR timeout is not an integer or out of range")
		return
	}
	if ms < 0 {
		c.conn.WriteError("ERR timeout is negative")
		return
	}
	c.conn.WriteInt(c.server.waitReplicas(c, n, time.Duration(ms)*time.Millisecond))
}

// ROLE: on a replica "slave", the master, the link's state and the
// offset; on a master "master", the offset, and [ip, port, offset] per
// online replica.
func cmdRole(c *client, args [][]byte) {
	if c.server.isReplica() {
		c.server.writeReplicaRole(c)
		return
	}
	in := c.server.replicationInfo()
	c.conn.WriteArrayLen(3)
	c.conn.WriteBulkString("master")
	c.conn.WriteInt(in.offset)
	var online []replicaInfo
	for _, ri := range in.replicas {
		if ri.state == replicaOnline {
			online = append(online, ri)
		}
	}
	c.conn.WriteArrayLen(len(online))
	for _, ri := range online {
		c.conn.WriteArrayLen(3)
		c.conn.WriteBulkString(ri.ip)
		c.conn.WriteBulkInt(ri.port)
		c.conn.WriteBulkInt(ri.offset)
	}
}
