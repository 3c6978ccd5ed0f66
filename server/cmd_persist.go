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
	snap, err := c.startSave()
	if err == nil {
		err = c.server.finishSave(snap)
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

// BGSAVE [SCHEDULE]: start a save in the background.
func cmdBgsave(c *client, args [][]byte) {
	schedule := false
	if len(args) == 2 && is(args[1], "schedule") {
		schedule = true
	} else if len(args) > 1 {
		c.conn.WriteError(errSyntax)
		return
	}
	snap, err := c.startSave()
	if err != nil {
		if schedule {
			// The rules start another save once this one is done.
			c.conn.WriteSimple("Background saving scheduled")
			return
		}
		c.conn.WriteError("ERR " + err.Error())
		return
	}
	go c.server.finishSave(snap)
	c.conn.WriteSimple("Background saving started")
}

// LASTSAVE: Unix time of the last successful save.
func cmdLastSave(c *client, args [][]byte) {
	c.conn.WriteInt(c.server.persist.lastSave.Load())
}
