package server

import "errors"

// Persistence commands: SAVE, BGSAVE, LASTSAVE (the machinery is in
// persist.go).

func persistenceCommands() []*command {
	return []*command{
		{name: "save", flags: flagNoMulti, run: cmdSave},
		{name: "bgsave", run: cmdBgsave},
		{name: "lastsave", run: cmdLastSave},
		{name: "bgrewriteaof", run: cmdBgrewriteaof},
	}
}

// SAVE: write the dump now and reply when it is on disk.
func cmdSave(c *client, args [][]byte) {
	snap, err := c.startSave()
	if err == nil {
		err = c.server.finishSave(snap)
	}
	if err != nil {
		if errors.Is(err, errSaveInProgress) || errors.Is(err, errAOFRewriteActive) {
			c.conn.WriteError("ERR " + err.Error())
			return
		}
		c.conn.WriteError("ERR")
		return
	}
	c.conn.WriteOK()
}

// BGSAVE [SCHEDULE]: start a save in the background. SCHEDULE defers the
// save while an AOF rewrite runs, as Redis defers it while another kind
// of child process runs; with a save in progress BGSAVE fails either way.
func cmdBgsave(c *client, args [][]byte) {
	if len(args) > 2 || len(args) == 2 && !is(args[1], "schedule") {
		c.conn.WriteError(errSyntax)
		return
	}
	snap, err := c.startSave()
	if errors.Is(err, errAOFRewriteActive) && len(args) == 2 && c.server.scheduleBgsave() {
		c.conn.WriteSimple("Background saving scheduled")
		return
	}
	if err != nil {
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

// BGREWRITEAOF: rewrite the append-only file in the background (aof.go).
func cmdBgrewriteaof(c *client, args [][]byte) {
	status, err := c.server.requestRewrite()
	if err != nil {
		c.conn.WriteError(err.Error())
		return
	}
	c.conn.WriteSimple(status)
}
