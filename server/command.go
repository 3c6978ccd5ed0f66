package main

import (
	"strings"
)

// A command describes one Redis command: how many arguments it takes, what
// it does to the keyspace, where its keys are, and the function that runs
// it. The table of them drives dispatch, arity errors, COMMAND and key
// extraction.
type command struct {
	name  string // lower case, as Redis reports it ("object|encoding" for subcommands)
	arity int    // argument count including the name; -n means at least n
	flags cmdFlags

	// Positions of the keys in the arguments, as in COMMAND INFO: the
	// first, the last (negative counts from the end) and the step. 0, 0, 0
	// when the command takes no keys.
	firstKey, lastKey, keyStep int

	run func(c *client, args [][]byte)

	// subcommands of a container command such as OBJECT, keyed by lower
	// case name. A container has no run function of its own.
	subcommands map[string]*command
}

// cmdFlags are the properties of a command that the dispatcher, MULTI and
// COMMAND INFO look at.
type cmdFlags uint32

const (
	flagWrite     cmdFlags = 1 << iota // may modify the keyspace
	flagReadonly                       // only reads the keyspace
	flagFast                           // O(1) or O(log N)
	flagExclusive                      // runs with every other command paused (FLUSHALL, SWAPDB, ...)
)

// commandTable maps lower-case command names to commands.
type commandTable map[string]*command

func newCommandTable() commandTable {
	t := commandTable{}
	for _, family := range [][]*command{
		connectionCommands(),
		stringCommands(),
		bitCommands(),
		keyCommands(),
		expireCommands(),
		databaseCommands(),
	} {
		for _, cmd := range family {
			t[cmd.name] = cmd
		}
	}
	return t
}

// container returns a command that dispatches to subcommands; each
// subcommand's name becomes "parent|sub".
func container(name string, flags cmdFlags, subs ...*command) *command {
	cmd := &command{name: name, arity: -2, flags: flags, subcommands: map[string]*command{}}
	for _, sub := range subs {
		sub.name = name + "|" + sub.name
		cmd.subcommands[strings.TrimPrefix(sub.name, name+"|")] = sub
	}
	return cmd
}

// lookup finds the command named name, in any letter case, without
// allocating.
func (t commandTable) lookup(name []byte) *command {
	return lookupLower(t, name)
}

// lookupLower finds name in m after lowering its case, without allocating
// for names of up to 32 bytes.
func lookupLower(m map[string]*command, name []byte) *command {
	var buf [32]byte
	if len(name) > len(buf) {
		return m[strings.ToLower(string(name))]
	}
	lower := buf[:len(name)]
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	return m[string(lower)]
}

// arityOK reports whether n arguments (the name included) suit cmd.
func (cmd *command) arityOK(n int) bool {
	if cmd.arity >= 0 {
		return n == cmd.arity
	}
	return n >= -cmd.arity
}

// resolve finds the command args names, descending into subcommands. It
// returns the error reply when there is none or the arity is wrong.
func (t commandTable) resolve(args [][]byte) (*command, string) {
	cmd := t.lookup(args[0])
	if cmd == nil {
		return nil, unknownCommand(args)
	}
	if cmd.subcommands != nil {
		if len(args) < 2 {
			return nil, wrongArity(cmd.name)
		}
		sub := lookupLower(cmd.subcommands, args[1])
		if sub == nil {
			return nil, unknownSubcommand(args[1], cmd.name)
		}
		cmd = sub
	}
	if !cmd.arityOK(len(args)) {
		return nil, wrongArity(cmd.name)
	}
	return cmd, ""
}

// dispatch runs one request and writes its reply.
func (s *Server) dispatch(c *client, args [][]byte) {
	cmd, errText := s.commands.resolve(args)
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	s.totalCommands.Add(1)
	// Most commands lock only the keys they touch. The few that act on
	// whole databases at once run with all other commands paused, so they
	// are atomic as in Redis.
	if cmd.flags&flagExclusive != 0 {
		s.world.Lock()
		defer s.world.Unlock()
	} else {
		s.world.RLock()
		defer s.world.RUnlock()
	}
	cmd.run(c, args)
}
