package main

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/server/servertest"
)

// A small soak against an in-process server passes every check, and its
// report has the figures.
func TestSoakPasses(t *testing.T) {
	srv := servertest.Start(t, "--client-output-buffer-limit", "pubsub 256kb 0 0")
	rep, err := run(context.Background(), config{
		addr: srv.Addr(), idle: 300, writers: 2, slow: 3, duration: 500 * time.Millisecond,
		goroutines: func() (int, error) { return runtime.NumGoroutine(), nil },
	})
	if err != nil {
		t.Fatalf("soak failed: %v\n%v", err, rep)
	}
	if rep.idleAnswered != 300 || rep.slowCut != 3 || rep.writes == 0 || rep.errors != 0 {
		t.Errorf("report: %+v", rep)
	}
	if rep.peak.clients < 300+3 || rep.after.clients > rep.before.clients {
		t.Errorf("clients before %d, loaded %d, after %d", rep.before.clients, rep.peak.clients, rep.after.clients)
	}
	for _, want := range []string{"before: connected_clients=", "slow subscribers cut off: 3"} {
		if !strings.Contains(rep.String(), want) {
			t.Errorf("report lacks %q:\n%v", want, rep)
		}
	}
}

// With no pubsub output limit the slow subscribers are never cut off, and
// the soak says so instead of passing.
func TestSoakFailsWhenSlowReadersStay(t *testing.T) {
	srv := servertest.Start(t, "--client-output-buffer-limit", "pubsub 0 0 0")
	_, err := run(context.Background(), config{addr: srv.Addr(), idle: 10, writers: 1, slow: 1, duration: 200 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "were not disconnected") {
		t.Errorf("soak with unlimited subscribers: %v, want the slow subscriber reported", err)
	}
}
