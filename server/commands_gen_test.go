package server

import (
	"encoding/json"
	"io"
	"net"
	"os"
	"reflect"
	"testing"

	"github.com/mini-redis/mini-redis/connection"
	"github.com/mini-redis/mini-redis/frame"
)

// TestGeneratedMetadataReproducesCapture checks, without Redis, that for
// every command Redis 7.0.15 has, implemented here or not, the generated
// metadata written by COMMAND INFO's and COMMAND DOCS's writers gives back
// the captured replies: the fields, their values and their order. The
// differential tests compare the implemented commands' replies byte for
// byte with a real redis-server; this covers the rest (keyword and keynum
// key specs, flags no implemented command has), so that adding a command
// needs only its handler. The RESP types are not compared: the capture
// does not keep them (see tools/gencommands).
func TestGeneratedMetadataReproducesCapture(t *testing.T) {
	data, err := os.ReadFile("commanddata/redis-7.0.15.json")
	if err != nil {
		t.Fatal(err)
	}
	var captured struct {
		Commands map[string]struct {
			Info map[string]any `json:"info"`
			Docs map[string]any `json:"docs"`
		} `json:"commands"`
	}
	if err := json.Unmarshal(data, &captured); err != nil {
		t.Fatal(err)
	}
	if len(captured.Commands) != len(redisCommands) {
		t.Errorf("%d commands captured, %d generated", len(captured.Commands), len(redisCommands))
	}
	for name, want := range captured.Commands {
		meta, ok := redisCommands[name]
		if !ok {
			t.Errorf("%s: captured, not generated", name)
			continue
		}
		cmd := &command{name: name, commandMeta: meta}
		info := writeToFrame(t, func(c *client) { c.writeCommandInfo(cmd) })
		got := map[string]any{}
		for i, key := range []string{"", "arity", "flags", "first_key", "last_key", "step", "acl_categories", "tips", "key_specs"} {
			if key != "" {
				got[key] = plainJSON(t, info.Elems[i])
			}
		}
		if !reflect.DeepEqual(got, want.Info) {
			t.Errorf("COMMAND INFO %s:\ngot  %v\nwant %v", name, got, want.Info)
		}
		docs := plainJSON(t, writeToFrame(t, func(c *client) { c.writeCommandDoc(cmd) }))
		if !reflect.DeepEqual(docs, any(want.Docs)) {
			t.Errorf("COMMAND DOCS %s:\ngot  %v\nwant %v", name, docs, want.Docs)
		}
	}
}

// writeToFrame returns the RESP3 reply write writes.
func writeToFrame(t *testing.T, write func(c *client)) frame.Frame {
	t.Helper()
	ours, theirs := net.Pipe()
	conn := connection.New(ours, connection.Options{})
	conn.SetProtocol(frame.RESP3)
	go func() {
		write(&client{conn: conn})
		conn.Flush()
		ours.Close()
	}()
	reply, err := io.ReadAll(theirs)
	if err != nil {
		t.Fatal(err)
	}
	f, n, err := frame.Parse(reply)
	if err != nil || n != len(reply) {
		t.Fatalf("parse %q: %d bytes of %d, %v", reply, n, len(reply), err)
	}
	return f
}

// plainJSON converts a reply as tools/gencommands does for the capture,
// then through JSON, so that it compares with the decoded capture.
func plainJSON(t *testing.T, f frame.Frame) any {
	t.Helper()
	var plain func(f frame.Frame) any
	plain = func(f frame.Frame) any {
		switch f.Type {
		case frame.Map:
			m := map[string]any{}
			for i := 0; i+1 < len(f.Elems); i += 2 {
				m[f.Elems[i].Text()] = plain(f.Elems[i+1])
			}
			return m
		case frame.Array, frame.Set:
			l := []any{}
			for _, e := range f.Elems {
				l = append(l, plain(e))
			}
			return l
		case frame.Integer:
			return f.Int
		default:
			return f.Text()
		}
	}
	b, err := json.Marshal(plain(f))
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestFlagNamesCoverDeclaredFlags checks that COMMAND INFO can name every
// flag some command declares: a flag missing from flagNames would be
// dropped from the reply.
func TestFlagNamesCoverDeclaredFlags(t *testing.T) {
	var named cmdFlags
	for _, f := range flagNames {
		named |= f.flag
	}
	for name, m := range redisCommands {
		if extra := m.info.flags &^ named; extra != 0 {
			t.Errorf("%s declares flags %#x that flagNames lacks", name, extra)
		}
	}
}
