package server

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/connection"
)

// TestMonitorConcurrentClients feeds two monitors from concurrent
// clients while a third monitor comes and goes: each line is whole, and
// the monitor that stays sees every command, each client's in its order.
func TestMonitorConcurrentClients(t *testing.T) {
	ts := startServer(t)
	mon := ts.dial(t)
	if r := mon.do("MONITOR"); r != "+OK\r\n" {
		t.Fatal(r)
	}
	const clients, each = 6, 100
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := ts.dial(t)
			for j := range each {
				c.do("SET", fmt.Sprintf("k%d", i), fmt.Sprint(j))
			}
		}()
	}
	wg.Add(1)
	go func() { // a monitor that leaves while commands run
		defer wg.Done()
		for range 5 {
			m := ts.dial(t)
			m.do("MONITOR")
			m.do("RESET")
		}
	}()
	wg.Wait()
	next := map[string]int{}
	for n := 0; n < clients*each; n++ {
		line := mon.readReplyWithin(5 * time.Second)
		if line == "(nothing)" {
			t.Fatalf("%d lines of %d", n, clients*each)
		}
		if strings.HasSuffix(line, `] "RESET"`+"\r\n") {
			n-- // the leaving monitors' RESET, shown as any command
			continue
		}
		var key string
		var val int
		i := strings.Index(line, `] "SET" "`)
		if !monitorTime.MatchString(line) || i < 0 {
			t.Fatalf("line %q", line)
		}
		if _, err := fmt.Sscanf(strings.ReplaceAll(line[i+len(`] "SET" `):], `"`, ""), "%s %d", &key, &val); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if val != next[key] {
			t.Fatalf("line %q: want value %d for %s", line, next[key], key)
		}
		next[key]++
	}
	if got := mon.readReplyWithin(100 * time.Millisecond); got != "(nothing)" {
		t.Errorf("more lines than commands: %q", got)
	}
	if n := ts.monitors.n.Load(); n != 1 {
		t.Errorf("%d monitors registered, want 1", n)
	}
}

// TestMonitorLine checks the quoting of arguments, Redis's sdscatrepr.
func TestMonitorLine(t *testing.T) {
	tests := []struct {
		args     []string
		redacted []bool
		want     string
	}{
		{[]string{"SET", "k", "v"}, nil, `+1700000000.000042 [3 1.2.3.4:5] "SET" "k" "v"` + "\r\n"},
		{[]string{"x", "\"\\\n\r\t\a\b\x00\x7f\xff ~"}, nil, `+1700000000.000042 [3 1.2.3.4:5] "x" "\"\\\n\r\t\a\b\x00\x7f\xff ~"` + "\r\n"},
		{[]string{"AUTH", "pw"}, []bool{false, true}, `+1700000000.000042 [3 1.2.3.4:5] "AUTH" "(redacted)"` + "\r\n"},
		{[]string{}, nil, "+1700000000.000042 [3 1.2.3.4:5] \r\n"},
	}
	for _, tt := range tests {
		args := make([][]byte, len(tt.args))
		for i, a := range tt.args {
			args[i] = []byte(a)
		}
		if got := string(monitorLine(nil, 1_700_000_000_000_042, 3, "1.2.3.4:5", args, tt.redacted)); got != tt.want {
			t.Errorf("%q:\n got %q\nwant %q", tt.args, got, tt.want)
		}
	}
}

// BenchmarkDispatchMonitor measures a command's dispatch with nobody
// monitoring (the feed is one atomic load: compare with the other
// benchmarks of GET) and with one monitor.
//
//	go test ./server -run '^$' -bench DispatchMonitor -benchmem
func BenchmarkDispatchMonitor(b *testing.B) {
	b.Run("none", func(b *testing.B) {
		c, nc := benchClient(b)
		c.benchDo(b, benchArgs("SET", "k", "v"))
		benchReply(b, c, nc, benchArgs("GET", "k"))
	})
	b.Run("latency-threshold", func(b *testing.B) {
		c, nc := benchClient(b)
		c.benchDo(b, benchArgs("CONFIG", "SET", "latency-monitor-threshold", "100"))
		c.benchDo(b, benchArgs("SET", "k", "v"))
		benchReply(b, c, nc, benchArgs("GET", "k"))
	})
	b.Run("one-monitor", func(b *testing.B) {
		c, nc := benchClient(b)
		// A monitor on the same server, whose lines go to a connection
		// that takes them all.
		m := &client{id: c.server.nextClientID.Add(1), server: c.server, created: time.Now(), authenticated: true}
		m.conn = connection.New(&discardConn{}, connection.Options{})
		m.multiShown.Store(-1)
		defer m.cleanup()
		m.benchDo(b, benchArgs("MONITOR"))
		c.benchDo(b, benchArgs("SET", "k", "v"))
		benchReply(b, c, nc, benchArgs("GET", "k"))
	})
}
