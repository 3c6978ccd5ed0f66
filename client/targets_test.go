package client

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
	"github.com/mini-redis/mini-redis/server/servertest"
)

// A target is a server the tests run against: this server in-process, and
// a real redis-server, speaking RESP2 or RESP3.
type target struct {
	name     string
	addr     string
	protocol int
}

// targets starts both servers, with extra config directives (name, value),
// and returns them with each protocol. redis-server is required under
// CI=true; otherwise its absence skips only its targets.
func targets(t *testing.T, directives ...string) []target {
	t.Helper()
	var args []string
	for i := 0; i+1 < len(directives); i += 2 {
		args = append(args, "--"+directives[i], directives[i+1])
	}
	ours := servertest.Start(t, args...)
	ts := []target{
		{"mini-redis/RESP2", ours.Addr(), 2},
		{"mini-redis/RESP3", ours.Addr(), 3},
	}
	if !testing.Short() {
		redistest.Require(t, "redis-server")
		real := redistest.Start(t, directives...)
		ts = append(ts,
			target{"redis-server/RESP2", real.Addr, 2},
			target{"redis-server/RESP3", real.Addr, 3},
		)
	}
	return ts
}

// dial connects to tg, closing the client when the test ends.
func (tg target) dial(t testing.TB, opts ...Option) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := Dial(ctx, tg.addr, append([]Option{WithProtocol(tg.protocol)}, opts...)...)
	if err != nil {
		t.Fatalf("%s: %v", tg.name, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// eachTarget runs f as a subtest on every target, with a fresh database.
func eachTarget(t *testing.T, ts []target, f func(t *testing.T, tg target, c *Client)) {
	for _, tg := range ts {
		t.Run(tg.name, func(t *testing.T) {
			c := tg.dial(t)
			if err := c.FlushDB(context.Background()); err != nil {
				t.Fatal(err)
			}
			f(t, tg, c)
		})
	}
}

// must returns a function that returns v, or fails the test on err:
// must(c.Get(ctx, "k"))(t).
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// noErr fails the test on err.
func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// eq fails the test unless got and want print the same.
func eq(t *testing.T, what string, got, want any) {
	t.Helper()
	if g, w := fmt.Sprintf("%#v", got), fmt.Sprintf("%#v", want); g != w {
		t.Errorf("%s = %s, want %s", what, g, w)
	}
}
