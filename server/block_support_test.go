package server

import (
	"strconv"
	"testing"
)

// startListServer starts a test server, as startServer does. With
// wallClock its keyspace runs on the wall clock, as redis-server's, for
// comparisons that involve time; otherwise on the fake clock ts.clock.
func startListServer(t *testing.T, wallClock bool, args ...string) *testServer {
	t.Helper()
	cfg, clock := testConfig(t, args...)
	if wallClock {
		cfg.Clock, clock = nil, nil
	}
	return startServerConfig(t, cfg, clock)
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
