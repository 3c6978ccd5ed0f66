package server

import (
	"slices"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
)

// commandInfoExceptions are the entries whose COMMAND INFO reply is allowed
// to differ from Redis 7.0.15's, and why. Each must stay short and
// deliberate.
var commandInfoExceptions = map[string]string{
	// CLIENT SETINFO came with Redis 7.2; we keep it because go-redis sends
	// it on connect. 7.0.15 replies a null for it, and CLIENT's list of
	// subcommands (element 10 of its entry) has one more entry than
	// Redis's. CLIENT's other elements and other subcommands are compared
	// one by one instead.
	"client|setinfo": "added in 7.2, kept for go-redis",
}

// commandInfoNames returns every name COMMAND INFO answers for: each
// command in our table and, for containers, each "parent|sub".
func commandInfoNames() []string {
	var names []string
	for _, cmd := range sortedByName(newCommandTable()) {
		names = append(names, cmd.name)
		for _, sub := range cmd.sortedSubcommands() {
			names = append(names, sub.name)
		}
	}
	return names
}

// TestCommandInfoMatchesRedis compares, byte for byte, the COMMAND INFO
// entry of every command we implement with real Redis's, on RESP2 and on
// RESP3 connections (whose replies carry sets and maps). The metadata is
// transcribed, so this test is what keeps it honest.
func TestCommandInfoMatchesRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			ref, got := dialPair(t, redis.Addr, ours, proto)
			for _, name := range commandInfoNames() {
				if _, ok := commandInfoExceptions[name]; ok {
					continue
				}
				want, have := ref.do("COMMAND", "INFO", name), got.do("COMMAND", "INFO", name)
				want, have = normalizeSubcommands(t, name, want), normalizeSubcommands(t, name, have)
				if want != have {
					t.Errorf("COMMAND INFO %s:\nredis: %q\nours:  %q", name, want, have)
				}
			}
		})
	}
}

// normalizeSubcommands rewrites a one-entry COMMAND INFO reply so that it
// can be compared: Redis lists a container's subcommands in the order of
// its hash table, whose seed is random per process, so the subcommand
// entries (element 10) are sorted; for CLIENT, whose list differs because
// of SETINFO, they are dropped (each is compared on its own). The result is
// re-encoded in RESP3 so that no type information is lost.
func normalizeSubcommands(t *testing.T, name, reply string) string {
	t.Helper()
	f, _, err := frame.Parse([]byte(reply))
	if err != nil || len(f.Elems) != 1 || f.Elems[0].IsNull() {
		return reply
	}
	entry := f.Elems[0]
	if len(entry.Elems) != 10 {
		t.Fatalf("COMMAND INFO %s: entry of %d elements: %q", name, len(entry.Elems), reply)
	}
	if name == "client" {
		entry.Elems = entry.Elems[:9]
	} else {
		subs := entry.Elems[9].Elems
		slices.SortFunc(subs, func(a, b frame.Frame) int {
			return strings.Compare(a.Elems[0].Text(), b.Elems[0].Text())
		})
	}
	return string(frame.Append(nil, entry, frame.RESP3))
}

// TestCommandGetKeysMatchesRedis compares COMMAND GETKEYS and
// GETKEYSANDFLAGS, which read the key positions and key specs, with Redis
// for a sample of commands: one key, a range, a step, two specs, a
// subcommand, variable flags, no keys and bad arguments.
func TestCommandGetKeysMatchesRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	calls := [][]string{
		{"get", "k"}, {"set", "k", "v"}, {"set", "k", "v", "GET"}, {"set", "k", "v", "EX", "10", "get"},
		{"getex", "k", "persist"}, {"mset", "a", "1", "b", "2"}, {"mget", "a", "b", "c"},
		{"del", "a", "b"}, {"rename", "a", "b"}, {"copy", "a", "b", "REPLACE"},
		{"object", "encoding", "k"}, {"lcs", "a", "b"}, {"incr", "k"}, {"getdel", "k"},
		{"ping"}, {"get"}, {"spublish", "ch", "m"}, {"nosuch", "k"}, {"object", "nosuch", "k"},
	}
	for _, proto := range []string{"2", "3"} {
		ref, got := dialPair(t, redis.Addr, ours, proto)
		for _, sub := range []string{"GETKEYS", "GETKEYSANDFLAGS"} {
			for _, call := range calls {
				args := append([]string{"COMMAND", sub}, call...)
				if want, have := ref.do(args...), got.do(args...); want != have {
					t.Errorf("RESP%s %q:\nredis: %q\nours:  %q", proto, args, want, have)
				}
			}
		}
	}
}

// TestEveryCommandHasMetadata checks, without Redis, that every command in
// the table has declared metadata, generated or in laterCommands: without
// it a command would have arity 0, no key positions and empty COMMAND INFO
// and DOCS entries.
func TestEveryCommandHasMetadata(t *testing.T) {
	for _, cmd := range sortedByName(newCommandTable()) {
		for _, x := range append([]*command{cmd}, cmd.sortedSubcommands()...) {
			if _, ok := lookupMeta(x.name); !ok {
				t.Errorf("%s has no metadata: not a Redis 7.0.15 command, and not in laterCommands", x.name)
			}
			if x.arity == 0 || x.info.acl == 0 || x.doc.group == "" {
				t.Errorf("%s: incomplete metadata %+v", x.name, x.commandMeta)
			}
		}
	}
	for name := range laterCommands {
		if _, ok := redisCommands[name]; ok {
			t.Errorf("%s is in laterCommands, but Redis 7.0.15 has it too", name)
		}
		if _, ok := commandInfoExceptions[name]; !ok {
			t.Errorf("%s is in laterCommands but not in commandInfoExceptions", name)
		}
	}
}

// TestCommandCount checks that COMMAND COUNT, like COMMAND, reports only
// the commands this server implements, not every command it has metadata
// for.
func TestCommandCount(t *testing.T) {
	table := newCommandTable()
	// Every command in the table runs: a leaf has a run function, a
	// container at least one subcommand, each of which runs.
	var runs func(cmd *command) bool
	runs = func(cmd *command) bool {
		if cmd.subcommands == nil {
			return cmd.run != nil
		}
		for _, sub := range cmd.subcommands {
			if !runs(sub) {
				return false
			}
		}
		return len(cmd.subcommands) > 0
	}
	for name, cmd := range table {
		if !runs(cmd) {
			t.Errorf("%s is in the table but does not run: an unimplemented command would be counted", name)
		}
	}
	c := startServer(t).dial(t)
	if got, want := c.do("COMMAND", "COUNT"), integer(len(table)); got != want {
		t.Errorf("COMMAND COUNT = %q, want %q", got, want)
	}
}
