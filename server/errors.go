package main

import (
	"strings"
)

// Error replies, in Redis 7's words.
const (
	errSyntax        = "ERR syntax error"
	errNotInteger    = "ERR value is not an integer or out of range"
	errWrongType     = "WRONGTYPE Operation against a key holding the wrong kind of value"
	errInvalidExpire = "ERR invalid expire time in '%s' command"
)

// wrongArity is the reply to a command called with the wrong number of
// arguments.
func wrongArity(name string) string {
	return "ERR wrong number of arguments for '" + name + "' command"
}

// unknownCommand is Redis's reply to a command it does not have: the name
// and the first arguments, each cut to fit in 128 bytes.
func unknownCommand(args [][]byte) string {
	var b strings.Builder
	b.WriteString("ERR unknown command '")
	b.Write(args[0][:min(len(args[0]), 128)])
	b.WriteString("', with args beginning with: ")
	shown := 0
	for _, a := range args[1:] {
		if shown >= 128 {
			break
		}
		a = a[:min(len(a), 128-shown)]
		b.WriteByte('\'')
		b.Write(a)
		b.WriteString("' ")
		shown += len(a) + 3
	}
	return b.String()
}

// invalidExpire is the reply to a non-positive or overflowing expire time.
func invalidExpire(cmd string) string {
	return strings.Replace(errInvalidExpire, "%s", cmd, 1)
}
