package main

import (
	"strings"
)

// A command describes one Redis command: how many arguments it takes, what
// it does to the keyspace, where its keys are, and the function that runs it.
// The table of them drives dispatch, arity errors, COMMAND and key lookups.
type command struct {
	name  string // lower case, as Redis reports it
	arity int    // argument count including the name; -n means at least n
	flags cmdFlags

	// Positions of the keys in the arguments, as in COMMAND INFO: the
	// first, the last (negative counts from the end) and the step.
	firstKey, lastKey, keyStep int

	run func(c *client, args [][]byte)
}

// cmdFlags are the properties of a command that the dispatcher, MULTI and
// COMMAND INFO look at.
type cmdFlags uint32

const (
	flagWrite    cmdFlags = 1 << iota // may modify the keyspace
	flagReadonly                      // only reads the keyspace
	flagFast                          // O(1) or O(log N)
)

// commandTable maps lower-case command names to commands.
type commandTable map[string]*command

func newCommandTable() commandTable {
	t := commandTable{}
	for _, family := range [][]*command{
		connectionCommands(),
		stringCommands(),
		keyCommands(),
	} {
		for _, cmd := range family {
			t[cmd.name] = cmd
		}
	}
	return t
}

// lookup finds the command named name, in any letter case, without
// allocating.
func (t commandTable) lookup(name []byte) *command {
	var buf [32]byte
	if len(name) > len(buf) {
		return t[strings.ToLower(string(name))]
	}
	lower := buf[:len(name)]
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	return t[string(lower)]
}

// arityOK reports whether n arguments (the name included) suit cmd.
func (cmd *command) arityOK(n int) bool {
	if cmd.arity >= 0 {
		return n == cmd.arity
	}
	return n >= -cmd.arity
}

// dispatch runs one request and writes its reply.
func (s *Server) dispatch(c *client, args [][]byte) {
	cmd := s.commands.lookup(args[0])
	if cmd == nil {
		c.conn.WriteError(unknownCommand(args))
		return
	}
	if !cmd.arityOK(len(args)) {
		c.conn.WriteError(wrongArity(cmd.name))
		return
	}
	s.totalCommands.Add(1)
	cmd.run(c, args)
}
