package server

import (
	"strings"
	"sync"
	"testing"
)

// feedRecorder is a Propagator that keeps what it receives, one string per
// call: "db:cmd args|cmd args".
type feedRecorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *feedRecorder) Propagate(dbi int, cmds [][][]byte) {
	var parts []string
	for _, cmd := range cmds {
		var words []string
		for _, a := range cmd {
			words = append(words, string(a))
		}
		parts = append(parts, strings.Join(words, " "))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, string(rune('0'+dbi))+":"+strings.Join(parts, "|"))
}

func (r *feedRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.calls
	r.calls = nil
	return out
}

// TestPropagatedForm checks that write commands reach a subscriber in
// Redis 7.0's propagated form, and that reads and no-op writes do not.
// The fake clock reads 1700000000000 ms.
func TestPropagatedForm(t *testing.T) {
	tests := []struct {
		name string
		cmds [][]string
		want []string
	}{
		{"plain set", [][]string{{"SET", "k", "v"}}, []string{"0:SET k v"}},
		{"set ex", [][]string{{"SET", "k", "v", "EX", "10"}}, []string{"0:SET k v PXAT 1700000010000"}},
		{"set px get", [][]string{{"SET", "k", "v", "PX", "5", "GET"}}, []string{"0:SET k v PXAT 1700000000005"}},
		{"set pxat kept", [][]string{{"SET", "k", "v", "PXAT", "1800000000000"}}, []string{"0:SET k v PXAT 1800000000000"}},
		{"setex", [][]string{{"SETEX", "k", "3", "v"}}, []string{"0:SET k v PXAT 1700000003000"}},
		{"psetex", [][]string{{"PSETEX", "k", "3", "v"}}, []string{"0:SET k v PXAT 1700000000003"}},
		{"expire", [][]string{{"SET", "k", "v"}, {"EXPIRE", "k", "100"}},
			[]string{"0:SET k v", "0:PEXPIREAT k 1700000100000"}},
		{"expire missing key", [][]string{{"EXPIRE", "nokey", "100"}}, nil},
		{"expireat past deletes", [][]string{{"SET", "k", "v"}, {"EXPIREAT", "k", "1"}},
			[]string{"0:SET k v", "0:DEL k"}},
		{"getex", [][]string{{"SET", "k", "v"}, {"GETEX", "k", "EX", "1"}, {"GETEX", "k", "PERSIST"}},
			[]string{"0:SET k v", "0:PEXPIREAT k 1700000001000", "0:PERSIST k"}},
		{"incrbyfloat", [][]string{{"INCRBYFLOAT", "f", "1.5"}}, []string{"0:SET f 1.5 KEEPTTL"}},
		{"reads are not propagated", [][]string{{"GET", "k"}, {"EXISTS", "k"}}, nil},
		{"no-op write is not propagated", [][]string{{"DEL", "nokey"}, {"SETNX", "k", "a"}, {"SETNX", "k", "b"}},
			[]string{"0:SETNX k a"}},
		{"failed write is not propagated", [][]string{{"SET", "k", "v"}, {"LPUSH", "k", "x"}}, []string{"0:SET k v"}},
		{"select changes db", [][]string{{"SELECT", "3"}, {"SET", "k", "v"}}, []string{"3:SET k v"}},
		{"multi exec", [][]string{{"MULTI"}, {"SET", "a", "1"}, {"GET", "a"}, {"INCR", "a"}, {"EXEC"}},
			[]string{"0:MULTI|SET a 1|INCR a|EXEC"}},
		{"multi with one write is not wrapped", [][]string{{"MULTI"}, {"SET", "a", "1"}, {"EXEC"}},
			[]string{"0:SET a 1"}},
		{"multi with select", [][]string{{"MULTI"}, {"SET", "a", "1"}, {"SELECT", "2"}, {"SET", "b", "2"}, {"EXEC"}},
			[]string{"0:MULTI|SET a 1|SELECT 2|SET b 2|EXEC"}},
		{"script effects", [][]string{{"EVAL", "redis.call('set','x','1') redis.call('incr','x') return redis.call('get','x')", "0"}},
			[]string{"0:MULTI|set x 1|incr x|EXEC"}},
		{"script with expiry", [][]string{{"EVAL", "redis.call('set',KEYS[1],'1','EX','5')", "1", "y"}},
			[]string{"0:SET y 1 PXAT 1700000005000"}},
		{"read-only script", [][]string{{"EVAL", "return redis.call('get','x')", "0"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t)
			rec := &feedRecorder{}
			cancel := ts.Subscribe(rec)
			c := ts.dial(t)
			for _, cmd := range tt.cmds {
				c.do(cmd...)
			}
			got := rec.take()
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("feed:\n%q\nwant:\n%q", got, tt.want)
			}
			cancel()
			c.do("SET", "after", "cancel")
			if got := rec.take(); len(got) != 0 {
				t.Errorf("after cancel: %q", got)
			}
		})
	}
}

// TestPropagationKeepsSameKeyOrder runs concurrent INCRs of one key and
// checks the feed replays to the final value in order.
func TestPropagationKeepsSameKeyOrder(t *testing.T) {
	ts := startServer(t)
	rec := &feedRecorder{}
	ts.Subscribe(rec)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		c := ts.dial(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				c.do("APPEND", "k", "x")
				c.do("SET", "k", "v")
			}
		}()
	}
	wg.Wait()
	got := rec.take()
	if len(got) != 400 {
		t.Fatalf("%d propagated, want 400", len(got))
	}
	// The last propagated command must be the one whose effect is final.
	val := ts.dial(t).do("GET", "k")
	last := got[len(got)-1]
	switch {
	case last == "0:SET k v" && val != "$1\r\nv\r\n":
		t.Errorf("feed ends with %q but k is %q", last, val)
	case last == "0:APPEND k x" && val != "$2\r\nvx\r\n":
		t.Errorf("feed ends with %q but k is %q", last, val)
	}
}

// nopPropagator discards the feed.
type nopPropagator struct{}

func (nopPropagator) Propagate(int, [][][]byte) {}

// BenchmarkSetPropagation measures SET with and without a subscriber:
// with none, propagation must cost nothing.
func BenchmarkSetPropagation(b *testing.B) {
	for _, sub := range []bool{false, true} {
		name := "unsubscribed"
		if sub {
			name = "subscribed"
		}
		b.Run(name, func(b *testing.B) {
			cfg, clock := testConfig(b)
			ts := startServerConfig(b, cfg, clock)
			if sub {
				ts.Subscribe(nopPropagator{})
			}
			c := ts.dialPipe(b)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.do("SET", "key", "value")
			}
		})
	}
}
