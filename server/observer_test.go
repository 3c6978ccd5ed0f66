package server_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest/redisconn"
	"github.com/mini-redis/mini-redis/server"
)

// recorder is an Observer that keeps what it is told.
type recorder struct {
	mu       sync.Mutex
	commands []server.CommandEvent
	saves    []server.SaveEvent
}

func (r *recorder) CommandDone(e server.CommandEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.commands = append(r.commands, e)
}

func (r *recorder) SaveDone(e server.SaveEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.saves = append(r.saves, e)
}

func TestObserver(t *testing.T) {
	rec := &recorder{}
	c := startPublic(t, server.Options{Observer: server.Observers{rec}})
	before := time.Now()
	for _, cmd := range [][]string{
		{"SELECT", "1"},
		{"SET", "k", "v"},
		{"LPUSH", "k", "x"},      // WRONGTYPE: runs, fails
		{"GET", "k", "extra"},    // wrong arity: never runs
		{"NOSUCHCOMMAND"},        // unknown: never runs
		{"CONFIG", "GET", "hz"},  // a subcommand
		{"BLPOP", "list", "0.2"}, // blocks, times out
		{"SAVE"},
	} {
		c.Send(cmd...)
		c.Read()
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	want := []struct {
		name   string
		db     int
		failed bool
	}{
		{"select", 1, false}, {"set", 1, false}, {"lpush", 1, true}, {"config|get", 1, false},
		{"blpop", 1, false}, {"save", 1, false},
	}
	if len(rec.commands) != len(want) {
		t.Fatalf("observed %d commands, want %d: %+v", len(rec.commands), len(want), rec.commands)
	}
	local := c.NetConn().LocalAddr().String()
	for i, w := range want {
		e := rec.commands[i]
		if e.Name != w.name || e.DB != w.db || e.Failed != w.failed || e.Addr != local {
			t.Errorf("event %d = %+v, want name %s db %d failed %v addr %s", i, e, w.name, w.db, w.failed, local)
		}
		if e.Start.Before(before.Add(-time.Second)) || e.Start.After(time.Now()) || e.Duration < 0 {
			t.Errorf("event %d: start %v, duration %v", i, e.Start, e.Duration)
		}
	}
	// BLPOP's time leaves out its wait, as INFO commandstats does.
	if d := rec.commands[4].Duration; d >= 200*time.Millisecond {
		t.Errorf("blpop duration %v includes the wait", d)
	}
	if len(rec.saves) != 1 || rec.saves[0].Err != nil || rec.saves[0].Path == "" {
		t.Errorf("saves = %+v, want one successful", rec.saves)
	}
}

// startPublic starts a server through the package's public API, built
// with opts and args after the defaults (any port on 127.0.0.1, no admin
// API, no saves, a temporary dir), stopped when the test ends, and
// returns a connection to it.
func startPublic(t *testing.T, opts server.Options, args ...string) *redisconn.Conn {
	t.Helper()
	srv, err := server.New(append([]string{"--bind", "127.0.0.1", "--port", "0", "--admin-port", "0", "--save", "",
		"--dir", t.TempDir()}, args...), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	return redisconn.Dial(t, srv.Addr().String())
}
