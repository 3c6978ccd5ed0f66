package server

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// CLIENT REPLY OFF and SKIP silence a client's replies but not its pushes:
// (un)subscribe confirmations and published messages still arrive, in
// RESP2 as in RESP3, as redis-server 7.0.15 does (a subscriber that turned
// replies off would otherwise wait forever). Each scenario's lines are
// sent in order on connection 0 (the subscriber) or 1 (the publisher),
// and everything each connection receives is compared byte for byte.
func TestClientReplyOffKeepsPushesAgainstRedis(t *testing.T) {
	type line struct {
		conn int
		cmd  string
	}
	scenarios := map[string][]line{}
	for _, proto := range []string{"2", "3"} {
		hello := line{0, "HELLO " + proto}
		scenarios["resp"+proto+" off subscribe"] = []line{hello, {0, "CLIENT REPLY OFF"}, {0, "SUBSCRIBE ch other"},
			{1, "PUBLISH ch hi"}, {0, "PING"}, {0, "UNSUBSCRIBE other"}, {1, "PUBLISH ch again"}}
		scenarios["resp"+proto+" off psubscribe then on"] = []line{hello, {0, "CLIENT REPLY OFF"}, {0, "PSUBSCRIBE c*"},
			{1, "PUBLISH ch hi"}, {0, "CLIENT REPLY ON"}, {0, "PING"}, {1, "PUBLISH ch there"}, {0, "PUNSUBSCRIBE"}}
		scenarios["resp"+proto+" skip subscribe"] = []line{hello, {0, "CLIENT REPLY SKIP"}, {0, "SUBSCRIBE ch"},
			{0, "PING"}, {1, "PUBLISH ch hi"}}
		scenarios["resp"+proto+" off ssubscribe"] = []line{hello, {0, "CLIENT REPLY OFF"}, {0, "SSUBSCRIBE sh"},
			{1, "SPUBLISH sh hi"}, {0, "SUNSUBSCRIBE sh"}}
	}
	ref := redistest.Start(t)
	ours := startServer(t)
	run := func(addr string, steps []line) [2]string {
		var conns [2]net.Conn
		for i := range conns {
			nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			conns[i] = nc
		}
		var out [2]strings.Builder
		for _, st := range steps {
			if _, err := conns[st.conn].Write([]byte(st.cmd + "\r\n")); err != nil {
				t.Fatal(err)
			}
			// Each line's effects arrive before the next is sent, so the
			// order across connections is the same on both servers.
			for i, nc := range conns {
				out[i].WriteString(readQuiet(nc, 50*time.Millisecond))
			}
		}
		return [2]string{out[0].String(), out[1].String()}
	}
	for name, steps := range scenarios {
		t.Run(name, func(t *testing.T) {
			want, got := run(ref.Addr, steps), run(ours.addr, steps)
			// HELLO's reply holds the server's version and client id.
			want[0], got[0] = dropHello(want[0]), dropHello(got[0])
			if got != want {
				t.Errorf("redis:\n%q\n%q\nours:\n%q\n%q", want[0], want[1], got[0], got[1])
			}
			if !strings.Contains(got[0], "subscribe") {
				t.Errorf("no confirmation reached the subscriber: %q", got[0])
			}
		})
	}
}

// readQuiet returns what nc receives until it has been silent for quiet.
func readQuiet(nc net.Conn, quiet time.Duration) string {
	var out []byte
	buf := make([]byte, 4096)
	for {
		nc.SetReadDeadline(time.Now().Add(quiet))
		n, err := nc.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			return string(out)
		}
	}
}

// dropHello removes the HELLO reply at the start of a connection's output:
// a map (RESP3) or an array (RESP2) of 7 pairs whose last value, modules,
// is an empty array.
func dropHello(s string) string {
	const end = "$7\r\nmodules\r\n*0\r\n"
	if i := strings.Index(s, end); i >= 0 {
		return s[i+len(end):]
	}
	return s
}
