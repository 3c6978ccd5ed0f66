package server

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// invalidation is the RESP3 push of one key's invalidation.
func invalidation(key string) string {
	return fmt.Sprintf(">2\r\n$10\r\ninvalidate\r\n*1\r\n$%d\r\n%s\r\n", len(key), key)
}

// TestTrackingTableMaxKeys checks, on redis-server and on this server,
// that a table over tracking-table-max-keys loses keys, each with an
// invalidation, until it is under the limit again. Which keys go is
// random in both, so the test counts them.
func TestTrackingTableMaxKeys(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for _, addr := range []string{redis.Addr, ours} {
		admin, c := dialRaw(t, addr), dialRaw(t, addr)
		c.do("HELLO", "3")
		c.do("CLIENT", "TRACKING", "on")
		c.do("MGET", "a", "b", "c")
		if got := trackingInfo(admin); got != "tracking_clients:1 tracking_total_keys:3 tracking_total_items:3 tracking_total_prefixes:0" {
			t.Errorf("%s: INFO after MGET: %q", addr, got)
		}
		admin.do("CONFIG", "SET", "tracking-table-max-keys", "1")
		t.Cleanup(func() { admin.do("CONFIG", "SET", "tracking-table-max-keys", "1000000") })
		// Before its next command, or in its cron, the server drops two.
		c.sendRaw("PING\r\n")
		var pushes []string
		pong := false
		for {
			f := c.readReplyWithin(200 * time.Millisecond)
			if f == "(nothing)" {
				break
			}
			if f == "+PONG\r\n" {
				pong = true
				continue
			}
			pushes = append(pushes, f)
		}
		if !pong {
			t.Errorf("%s: no reply to PING", addr)
		}
		if len(pushes) != 2 {
			t.Errorf("%s: invalidations %q, want two of a, b and c", addr, pushes)
		}
		for _, p := range pushes {
			if p != invalidation("a") && p != invalidation("b") && p != invalidation("c") {
				t.Errorf("%s: unexpected push %q", addr, p)
			}
		}
		if got := trackingInfo(admin); got != "tracking_clients:1 tracking_total_keys:1 tracking_total_items:1 tracking_total_prefixes:0" {
			t.Errorf("%s: INFO after the limit: %q", addr, got)
		}
		admin.do("CONFIG", "SET", "tracking-table-max-keys", "1000000")
		c.do("CLIENT", "TRACKING", "off")
		admin.do("FLUSHALL")
	}
}

// TestTrackingConcurrent runs tracking readers (default mode, BCAST, and
// RESP2 with a redirection) beside writers, for -race, and then checks that
// every reader is still told of a change to a key it read.
func TestTrackingConcurrent(t *testing.T) {
	ts := startServer(t)
	const readers, writers, rounds, keys = 4, 2, 200, 16
	type reader struct {
		c      *rawConn
		bcast  bool
		listen *rawConn // the redirection client of a RESP2 reader
	}
	var rs []reader
	for i := 0; i < readers; i++ {
		c := ts.dial(t)
		r := reader{c: c}
		switch i % 3 {
		case 0:
			c.do("HELLO", "3")
			c.do("CLIENT", "TRACKING", "on")
		case 1:
			c.do("HELLO", "3")
			c.do("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "k")
			r.bcast = true
		case 2:
			r.listen = ts.dial(t)
			id := strings.Trim(r.listen.do("CLIENT", "ID"), ":\r\n")
			r.listen.do("SUBSCRIBE", trackingChannel)
			if got := c.do("CLIENT", "TRACKING", "on", "REDIRECT", id); got != "+OK\r\n" {
				t.Fatalf("CLIENT TRACKING on REDIRECT: %q", got)
			}
		}
		rs = append(rs, r)
	}
	var wg sync.WaitGroup
	// Readers send their reads in one batch and read the replies and
	// pushes back after; the pushes are drained as they come.
	for _, r := range rs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var batch strings.Builder
			for i := 0; i < rounds; i++ {
				fmt.Fprintf(&batch, "GET k%d\r\n", i%keys)
			}
			r.c.sendRaw(batch.String())
			for got := 0; got < rounds; {
				if f := r.c.readReply(); f[0] != '>' {
					got++
				}
			}
		}()
	}
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := ts.dial(t)
			for i := 0; i < rounds; i++ {
				c.do("SET", fmt.Sprintf("k%d", i%keys), "v")
				if i%50 == 0 {
					c.do("FLUSHDB")
				}
			}
		}()
	}
	wg.Wait()
	// Everyone now reads k0 afresh; one more write must reach them all.
	for _, r := range rs {
		drain(r.c)
		if r.listen != nil {
			drain(r.listen)
		}
		r.c.do("GET", "k0")
	}
	ts.dial(t).do("SET", "k0", "last")
	for i, r := range rs {
		want := invalidation("k0")
		from := r.c
		if r.listen != nil {
			from = r.listen
			want = "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$2\r\nk0\r\n"
		}
		if got := from.readReplyWithin(time.Second); got != want {
			t.Errorf("reader %d (bcast %v): got %q, want %q", i, r.bcast, got, want)
		}
	}
}

// drain reads what c has been sent until nothing more comes for a while.
func drain(c *rawConn) {
	for c.readReplyWithin(50*time.Millisecond) != "(nothing)" {
	}
}

// BenchmarkGetTracking measures GET without tracking, and from a client
// tracking the key it reads: tracking must cost nothing to those who do
// not use it.
//
//	go test ./server -run '^$' -bench 'GetTracking' -benchmem
func BenchmarkGetTracking(b *testing.B) {
	for _, mode := range []string{"off", "on", "other client on"} {
		b.Run("tracking "+mode, func(b *testing.B) {
			ts := startServerConfig(b, mustTestConfig(b), nil)
			c := ts.dial(b)
			c.do("HELLO", "3")
			c.do("SET", "k", "v")
			switch mode {
			case "on":
				c.do("CLIENT", "TRACKING", "on")
			case "other client on":
				other := ts.dial(b)
				other.do("HELLO", "3")
				other.do("CLIENT", "TRACKING", "on")
				other.do("GET", "k")
			}
			benchPipelined(b, c, func(int) []string { return []string{"GET", "k"} }, nil)
		})
	}
}
