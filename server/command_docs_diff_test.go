package server

import (
	"slices"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
)

// commandDocsExceptions are the entries whose COMMAND DOCS reply is allowed
// to differ from Redis 7.0.15's, and why.
var commandDocsExceptions = map[string]string{
	// CLIENT SETINFO came with Redis 7.2; we keep it because go-redis sends
	// it on connect. 7.0.15 replies an empty map for it. In CLIENT's own
	// entry only the subcommands both servers implement are compared (see
	// normalizeDocEntry).
	"client|setinfo": "added in 7.2, kept for go-redis",
}

// TestCommandDocsMatchesRedis compares, byte for byte, the COMMAND DOCS
// reply for every command and subcommand we implement with real Redis's,
// on RESP2 and on RESP3 connections (whose replies carry maps and sets),
// then a few lookups of several names, unknown names and malformed
// "parent|sub" names, and COMMAND DOCS alone, which lists every command.
// The documentation is transcribed, so this test is what keeps it honest.
func TestCommandDocsMatchesRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			ref, got := dialPair(t, redis.Addr, ours, proto)
			compare := func(args ...string) {
				t.Helper()
				args = append([]string{"COMMAND", "DOCS"}, args...)
				want, have := normalizeDocs(t, ref.do(args...)), normalizeDocs(t, got.do(args...))
				if want != have {
					t.Errorf("%q:\nredis: %q\nours:  %q", args, want, have)
				}
			}
			for _, name := range commandInfoNames() {
				if _, ok := commandDocsExceptions[name]; !ok {
					compare(name)
				}
			}
			compare("nosuchcommand")
			compare("GET", "nosuch", "Client|List", "get", "config|get")
			compare("get|x", "client|list|x", "client|", "|")

			want, have := docsByName(t, ref.do("COMMAND", "DOCS")), docsByName(t, got.do("COMMAND", "DOCS"))
			for _, cmd := range sortedByName(newCommandTable()) {
				_, excepted := commandDocsExceptions[cmd.name]
				if have[cmd.name] == "" {
					t.Errorf("COMMAND DOCS lists no %s", cmd.name)
				} else if want[cmd.name] != have[cmd.name] && !excepted {
					t.Errorf("COMMAND DOCS, entry of %s:\nredis: %q\nours:  %q", cmd.name, want[cmd.name], have[cmd.name])
				}
				delete(have, cmd.name)
			}
			for name := range have {
				t.Errorf("COMMAND DOCS lists %s, which is not in the command table", name)
			}
		})
	}
}

// normalizeDocs rewrites a COMMAND DOCS reply so that it can be compared
// (see normalizeDocEntry) and re-encodes it in RESP3 so that no type
// information is lost. A reply that is not a well-formed map of entries is
// returned as it is.
func normalizeDocs(t *testing.T, reply string) string {
	t.Helper()
	f, _, err := frame.Parse([]byte(reply))
	if err != nil || len(f.Elems)%2 != 0 {
		return reply
	}
	for i := 0; i < len(f.Elems); i += 2 {
		normalizeDocEntry(f.Elems[i].Text(), &f.Elems[i+1])
	}
	return string(frame.Append(nil, f, frame.RESP3))
}

// docsByName splits the reply of COMMAND DOCS alone into its entries,
// normalized and encoded in RESP3, by command name. Redis lists its
// commands in the order of its command table's hash table, and many more
// commands than we implement, so the entries are compared as a set.
func docsByName(t *testing.T, reply string) map[string]string {
	t.Helper()
	f, _, err := frame.Parse([]byte(reply))
	if err != nil || len(f.Elems)%2 != 0 {
		t.Fatalf("COMMAND DOCS: not a map: %q", reply)
	}
	entries := map[string]string{}
	for i := 0; i < len(f.Elems); i += 2 {
		name := f.Elems[i].Text()
		normalizeDocEntry(name, &f.Elems[i+1])
		entries[name] = string(frame.Append(nil, f.Elems[i+1], frame.RESP3))
	}
	return entries
}

// normalizeDocEntry rewrites one command's doc map (a RESP3 map, or its
// RESP2 flat array: either way a list of field, value pairs) in place.
// Redis lists a container's subcommands in the order of its hash table,
// whose seed is random per process, so the subcommand pairs are sorted by
// name. For CLIENT, only the subcommands that both servers implement are
// kept: Redis documents some we lack, and we implement SETINFO, which
// 7.0.15 lacks.
func normalizeDocEntry(name string, doc *frame.Frame) {
	for i := 0; i+1 < len(doc.Elems); i += 2 {
		if doc.Elems[i].Text() != "subcommands" {
			continue
		}
		subs := doc.Elems[i+1].Elems
		type pair struct{ name, doc frame.Frame }
		var pairs []pair
		for j := 0; j+1 < len(subs); j += 2 {
			pairs = append(pairs, pair{subs[j], subs[j+1]})
		}
		if name == "client" {
			table := newCommandTable()["client"].subcommands
			pairs = slices.DeleteFunc(pairs, func(p pair) bool {
				sub := strings.TrimPrefix(p.name.Text(), "client|")
				_, excepted := commandDocsExceptions[p.name.Text()]
				return table[sub] == nil || excepted
			})
		}
		slices.SortFunc(pairs, func(a, b pair) int { return strings.Compare(a.name.Text(), b.name.Text()) })
		subs = subs[:0]
		for _, p := range pairs {
			subs = append(subs, p.name, p.doc)
		}
		doc.Elems[i+1].Elems = subs
	}
}
