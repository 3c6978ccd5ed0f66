package server

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"go.uber.org/zap"
)

// The blocking commands' tests need pushes, and the list family
// (cmd_list.go) was written beside them. withListStandIns gives a test
// server minimal LPUSH, RPUSH, LLEN and LRANGE, as Redis 7.0.15 replies
// them for the simple calls the tests make, but only while the command
// table has no LPUSH of its own: once the list family is merged, the tests
// run against the real commands and these are unused.
func withListStandIns(s *Server) {
	if s.commands["lpush"] != nil {
		return
	}
	for _, cmd := range []*command{
		{name: "lpush", flags: flagWrite, run: func(c *client, args [][]byte) { standInPush(c, args, true) }},
		{name: "rpush", flags: flagWrite, run: func(c *client, args [][]byte) { standInPush(c, args, false) }},
		{name: "llen", run: standInLLen},
		{name: "lrange", run: standInLRange},
	} {
		cmd.commandMeta, _ = lookupMeta(cmd.name)
		s.commands[cmd.name] = cmd
	}
}

func standInPush(c *client, args [][]byte, left bool) {
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	l, err := tx.MutableList(key, true)
	if err != nil {
		c.conn.WriteError(errWrongType)
		return
	}
	for _, v := range args[2:] {
		blockPushEnd(l, v, left)
	}
	c.notify(evBlockList, blockPushEvent(left), key)
	c.server.dirty.Add(int64(len(args) - 2))
	c.conn.WriteInt(int64(l.Len()))
}

func standInLLen(c *client, args [][]byte) {
	tx := c.db().Read(args[1])
	defer tx.Close()
	l, err := tx.ReadList(args[1])
	c.keyLookup(args[1], l != nil || err != nil)
	switch {
	case err != nil:
		c.conn.WriteError(errWrongType)
	case l == nil:
		c.conn.WriteInt(0)
	default:
		c.conn.WriteInt(int64(l.Len()))
	}
}

func standInLRange(c *client, args [][]byte) {
	start, ok1 := parseInt(args[2])
	stop, ok2 := parseInt(args[3])
	if !ok1 || !ok2 {
		c.conn.WriteError(errNotInteger)
		return
	}
	tx := c.db().Read(args[1])
	defer tx.Close()
	l, err := tx.ReadList(args[1])
	c.keyLookup(args[1], l != nil || err != nil)
	switch {
	case err != nil:
		c.conn.WriteError(errWrongType)
		return
	case l == nil:
		c.conn.WriteArrayLen(0)
		return
	}
	var elems [][]byte
	l.Range(int(start), int(stop), func(e []byte) bool {
		elems = append(elems, e)
		return true
	})
	c.conn.WriteArrayLen(len(elems))
	for _, e := range elems {
		c.conn.WriteBulk(e)
	}
}

// startListServer starts a test server, as startServer does, with the
// list stand-ins if it needs them. With wallClock its keyspace runs on the
// wall clock, as redis-server's, for comparisons that involve time;
// otherwise on the fake clock ts.clock.
func startListServer(t *testing.T, wallClock bool, args ...string) *testServer {
	t.Helper()
	cfg, clock := testConfig(t, args...)
	if wallClock {
		cfg.Clock, clock = nil, nil
	}
	srv := newServer(cfg, zap.NewNop())
	withListStandIns(srv) // before any client can look a command up
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{Server: srv, addr: ln.Addr().String(), clock: clock, done: make(chan error, 1)}
	go func() { ts.done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-ts.done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v", err)
		}
	})
	return ts
}

// clientID returns the ID of the client on c.
func clientID(t testing.TB, c *rawConn) string {
	t.Helper()
	reply := c.do("CLIENT", "ID")
	if _, err := strconv.Atoi(reply[1 : len(reply)-2]); reply[0] != ':' || err != nil {
		t.Fatalf("CLIENT ID: %q", reply)
	}
	return reply[1 : len(reply)-2]
}
