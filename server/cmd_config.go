package server

import (
	"errors"

	"github.com/mini-redis/mini-redis/server/config"
)

// CONFIG: the configuration, read and changed while the server runs.

func configCommands() []*command {
	sub := func(name string, run func(*client, [][]byte)) *command { return &command{name: name, run: run} }
	return []*command{
		container("config", 0,
			sub("get", cmdConfigGet),
			sub("set", cmdConfigSet),
			sub("resetstat", cmdConfigResetStat),
			sub("rewrite", cmdConfigRewrite),
			sub("help", cmdConfigHelp),
		),
	}
}

// CONFIG GET parameter [parameter ...]: a map in RESP3.
func cmdConfigGet(c *client, args [][]byte) {
	patterns := make([]string, len(args)-2)
	for i, a := range args[2:] {
		patterns[i] = string(a)
	}
	pairs := c.server.settings.conf.Get(patterns...)
	c.conn.WriteMapLen(len(pairs))
	for _, p := range pairs {
		c.conn.WriteBulkString(p.Name)
		c.conn.WriteBulkString(p.Value)
	}
}

// CONFIG SET parameter value [parameter value ...]: all or nothing.
func cmdConfigSet(c *client, args [][]byte) {
	pairs := make([]string, len(args)-2)
	for i, a := range args[2:] {
		pairs[i] = string(a)
	}
	set := c.server.settings.conf.Set
	// dir and dbfilename only where enable-protected-configs allows.
	if c.allowedBy(c.server.settings.enableProtectedConfigs.Load()) {
		set = c.server.settings.conf.SetProtected
	}
	c.replyConfig(set(pairs...))
}

// replyConfig replies OK to a CONFIG SET or REWRITE that succeeded, or the
// error it failed with: a config.CommandError carries Redis's exact reply.
func (c *client) replyConfig(err error) {
	var ce *config.CommandError
	switch {
	case err == nil:
		c.conn.WriteOK()
	case errors.As(err, &ce):
		c.conn.WriteError(ce.Reply)
	default:
		c.conn.WriteError("ERR " + err.Error())
	}
}

// CONFIG RESETSTAT
func cmdConfigResetStat(c *client, args [][]byte) {
	c.server.resetStats()
	c.conn.WriteOK()
}

// CONFIG REWRITE
func cmdConfigRewrite(c *client, args [][]byte) {
	err := c.server.settings.conf.Rewrite()
	var ce *config.CommandError
	if errors.As(err, &ce) && ce.Err != nil {
		// As Redis, log the cause of a rewrite that was tried and failed.
		c.server.log.Sugar().Warnf("CONFIG REWRITE failed: %v", ce.Err)
	}
	c.replyConfig(err)
}

// CONFIG HELP
func cmdConfigHelp(c *client, args [][]byte) {
	c.writeHelp("CONFIG",
		"GET <pattern>",
		"    Return parameters matching the glob-like <pattern> and their values.",
		"SET <directive> <value>",
		"    Set the configuration <directive> to <value>.",
		"RESETSTAT",
		"    Reset statistics reported by the INFO command.",
		"REWRITE",
		"    Rewrite the configuration file.",
	)
}
