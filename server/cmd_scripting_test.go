package server

import (
	"github.com/mini-redis/mini-redis/frame"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestScriptCacheInfo checks INFO memory's script cache fields.
func TestScriptCacheInfo(t *testing.T) {
	srv := startServer(t)
	c := dialRaw(t, srv.addr)
	tests := []struct {
		cmd     []string
		scripts string
	}{
		{nil, "0"},
		{[]string{"SCRIPT", "LOAD", "return 1"}, "1"},
		{[]string{"EVAL", "return 2", "0"}, "2"},
		{[]string{"EVAL", "return 2", "0"}, "2"},
		{[]string{"SCRIPT", "FLUSH"}, "0"},
	}
	for _, tt := range tests {
		if tt.cmd != nil {
			c.do(tt.cmd...)
		}
		if got := infoField(t, c, "memory", "number_of_cached_scripts"); got != tt.scripts {
			t.Errorf("after %q: number_of_cached_scripts %s, want %s", tt.cmd, got, tt.scripts)
		}
		mem, err := strconv.Atoi(infoField(t, c, "memory", "used_memory_scripts"))
		if err != nil || (tt.scripts == "0") != (mem == 0) {
			t.Errorf("after %q: used_memory_scripts %d (%v) with %s scripts", tt.cmd, mem, err, tt.scripts)
		}
		if lua, _ := strconv.Atoi(infoField(t, c, "memory", "used_memory_lua")); lua <= 0 {
			t.Errorf("after %q: used_memory_lua %d", tt.cmd, lua)
		}
	}
}

// TestFunctionInfo checks INFO memory's function fields.
func TestFunctionInfo(t *testing.T) {
	srv := startServer(t)
	c := dialRaw(t, srv.addr)
	tests := []struct {
		cmd              []string
		libraries, funcs string
	}{
		{nil, "0", "0"},
		{[]string{"FUNCTION", "LOAD", "#!lua name=a\nredis.register_function('f', function() return 1 end) redis.register_function('g', function() return 2 end)"}, "1", "2"},
		{[]string{"FUNCTION", "LOAD", "#!lua name=b\nredis.register_function('h', function() return 1 end)"}, "2", "3"},
		{[]string{"FUNCTION", "DELETE", "a"}, "1", "1"},
		{[]string{"FUNCTION", "FLUSH"}, "0", "0"},
	}
	for _, tt := range tests {
		if tt.cmd != nil {
			c.do(tt.cmd...)
		}
		libs, funcs := infoField(t, c, "memory", "number_of_libraries"), infoField(t, c, "memory", "number_of_functions")
		if libs != tt.libraries || funcs != tt.funcs {
			t.Errorf("after %q: %s libraries, %s functions; want %s, %s", tt.cmd, libs, funcs, tt.libraries, tt.funcs)
		}
		mem, _ := strconv.Atoi(infoField(t, c, "memory", "used_memory_functions"))
		if (tt.libraries == "0") != (mem == 0) {
			t.Errorf("after %q: used_memory_functions %d", tt.cmd, mem)
		}
	}
}

// TestScriptCommandStats checks that the commands a script runs count in
// INFO commandstats, as in Redis.
func TestScriptCommandStats(t *testing.T) {
	srv := startServer(t)
	c := dialRaw(t, srv.addr)
	c.do("CONFIG", "RESETSTAT")
	c.do("EVAL", "redis.call('set', 'k', 'v') redis.call('set', 'k', 'w') return redis.pcall('lpush', 'k', 'x')", "0")
	stats := c.do("INFO", "commandstats")
	for _, want := range []string{"cmdstat_set:calls=2,", "cmdstat_lpush:calls=1,", "cmdstat_eval:calls=1,"} {
		if !strings.Contains(stats, want) {
			t.Errorf("INFO commandstats lacks %q:\n%s", want, stats)
		}
	}
	if !strings.Contains(stats, "cmdstat_lpush:calls=1,usec=") || !strings.Contains(stats, "failed_calls=1") {
		t.Errorf("the failed LPUSH is not counted as failed:\n%s", stats)
	}
}

// TestScriptAtomic runs scripts that read, spin and write a counter while
// other clients increment it: no increment may be lost, as none may run
// between a script's read and its write.
func TestScriptAtomic(t *testing.T) {
	srv := startServer(t)
	const body = "local n = tonumber(redis.call('get', KEYS[1]) or '0') for i = 1, 20000 do end redis.call('set', KEYS[1], n + 1) return n + 1"
	var wg sync.WaitGroup
	const clients, rounds = 4, 25
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(script bool) {
			defer wg.Done()
			c := dialRaw(t, srv.addr)
			for j := 0; j < rounds; j++ {
				if script {
					c.do("EVAL", body, "1", "counter")
				} else {
					c.do("INCR", "counter")
				}
			}
		}(i%2 == 0)
	}
	wg.Wait()
	c := dialRaw(t, srv.addr)
	if got, want := c.do("GET", "counter"), "$3\r\n100\r\n"; got != want {
		t.Errorf("counter %q, want %q", got, want)
	}
}

// BenchmarkEvalSHA measures EVALSHA of a tiny script that calls one
// command, through the whole server, in pipelined batches as the set
// benchmarks send theirs.
//
//	go test ./server -run '^$' -bench EvalSHA -benchmem
func BenchmarkEvalSHA(b *testing.B) {
	ts := startServerConfig(b, mustTestConfig(b), nil)
	c := ts.dial(b)
	sha := strings.Split(c.do("SCRIPT", "LOAD", "return redis.call('get', KEYS[1])"), "\r\n")[1]
	c.do("SET", "k", "v")
	cmd := frame.AppendCommand(nil, []byte("EVALSHA"), []byte(sha), []byte("1"), []byte("k"))
	b.ReportAllocs()
	b.ResetTimer()
	var out []byte
	for i := 0; i < b.N; {
		n := min(benchSetBatch, b.N-i)
		out = out[:0]
		for range n {
			out = append(out, cmd...)
		}
		c.SendRaw(out)
		for range n {
			if f := c.Read(); f.IsError() || string(f.Str) != "v" {
				b.Fatalf("EVALSHA: %v", f)
			}
		}
		i += n
	}
}

// TestFunctionStatsWhileBusy checks that FUNCTION STATS reports the
// function running, and runs while it holds the server.
func TestFunctionStatsWhileBusy(t *testing.T) {
	srv := startServer(t, "--busy-reply-threshold", "50")
	runner, other := dialRaw(t, srv.addr), dialRaw(t, srv.addr)
	runner.do("FUNCTION", "LOAD", "#!lua name=spin\nredis.register_function{function_name='spin', callback=function() while true do end end, flags={'no-writes'}}")
	runner.Send("FCALL", "spin", "0", "arg")
	time.Sleep(150 * time.Millisecond)
	stats := other.do("FUNCTION", "STATS")
	for _, want := range []string{"$4\r\nname\r\n$4\r\nspin\r\n", "$7\r\ncommand\r\n*4\r\n$5\r\nFCALL\r\n$4\r\nspin\r\n$1\r\n0\r\n$3\r\narg\r\n", "duration_ms", "libraries_count\r\n:1\r\n"} {
		if !strings.Contains(stats, want) {
			t.Errorf("FUNCTION STATS while spin runs lacks %q: %q", want, stats)
		}
	}
	if got := other.do("FUNCTION", "KILL"); got != "+OK\r\n" {
		t.Errorf("FUNCTION KILL: %q", got)
	}
	if got := runner.readReply(); !strings.HasPrefix(got, "-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.") {
		t.Errorf("killed function replied %q", got)
	}
	if got := other.do("FUNCTION", "STATS"); !strings.HasPrefix(got, "*4\r\n$14\r\nrunning_script\r\n$-1\r\n") {
		t.Errorf("FUNCTION STATS after: %q", got)
	}
}
