package main

import "errors"

// Persistence commands: SAVE, BGSAVE, LASTSAVE (the machinery is in
// persist.go).

func persistenceCommands() []*command {
	return []*command{
		{name: "save", arity: 1, flags: flagAdmin | flagNoScript | flagNoMulti, run: cmdSave},
		{name: "bgsave", arity: -1, flags: flagAdmin | flagNoScript, run: cmdBgsave},
		{name: "lastsave", arity: 1, flags: flagFast | flagLoading | flagStale, run: cmdLastSave},
	}
}

// SAVE: write the dump now and reply when it is on disk.
func cmdSave(c *client, args [][]byte) {
	s := c.server
	err := s.beginSave()
	if err == nil {
		err = s.finishSave(c.snapshotFor())
	}
	if err != nil {
		if errors.Is(err, errSaveInProgress) {
			c.conn.WriteError("ERR " + err.Error())
			return
		}
		c.conn.WriteError("ERR")
		return
	}
	c.conn.WriteOK()
}

// snapshotFor takes a snapshot from inside a command.
func (c *client) snapshotFor() snapshot {
	var snap snapshot
	c.exclusive(func() { snap = c.server.takeSnapshotLocked() })
	return snap
}

// BGSAVE [SCHEDULE]: start a save in the background.
func cmdBgsave(c *client, args [][]byte) {
	schedule := false
	if len(args) == 2 && is(args[1], "schedule") {
		schedule = true
	} else if len(args) > 1 {
		c.conn.WriteError(errSyntax)
		return
	}
	s := c.server
	if err := s.beginSave(); err != nil {
		if schedule {
			// The rules start another save once this one is done.
			c.conn.WriteSimple("Background saving scheduled")
			return
		}
		c.conn.WriteError("ERR " + err.Error())
		return
	}
	snap := c.snapshotFor()
	s.persist.wg.Add(1)
	go func() {
		defer s.persist.wg.Done()
		s.finishSave(snap)
	}()
	c.conn.WriteSimple("Background saving started")
}

// LASTSAVE: Unix time of the last successful save.
func cmdLastSave(c *client, args [][]byte) {
	c.conn.WriteInt(c.server.persist.lastSave.Load())
}
