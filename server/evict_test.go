package server

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/db"
)

// infoInt returns the integer field name of INFO's reply on c.
func infoInt(t *testing.T, c *rawConn, name string) int64 {
	t.Helper()
	for _, line := range strings.Split(c.do("INFO", "everything"), "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("INFO %s: %q", name, v)
			}
			return n
		}
	}
	t.Fatalf("INFO has no %s", name)
	return 0
}

// exists reports which of keys exist on c.
func existing(c *rawConn, keys []string) map[string]bool {
	m := map[string]bool{}
	for _, k := range keys {
		m[k] = c.do("EXISTS", k) == ":1\r\n"
	}
	return m
}

func keyNames(prefix string, n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = prefix + strconv.Itoa(i)
	}
	return keys
}

// squeeze sets maxmemory to what is used now less room, so that the
// next write evicts about room bytes' worth of keys.
func squeeze(t *testing.T, c *rawConn, room int64) {
	t.Helper()
	used := infoInt(t, c, "used_memory")
	if r := c.do("CONFIG", "SET", "maxmemory", strconv.FormatInt(used-room, 10)); r != ok {
		t.Fatalf("CONFIG SET maxmemory: %q", r)
	}
}

var value100 = strings.Repeat("v", 100)

// TestEvictionPolicies checks that each policy evicts what Redis's
// would: with maxmemory-samples 64 over a small keyspace the
// approximation finds the best candidates.
func TestEvictionPolicies(t *testing.T) {
	tests := []struct {
		policy string
		setup  func(t *testing.T, ts *testServer, c *rawConn) // fills the keyspace
		check  func(t *testing.T, c *rawConn)                 // after the squeeze and one write
	}{
		{"allkeys-lru", func(t *testing.T, ts *testServer, c *rawConn) {
			for _, k := range keyNames("old", 80) {
				c.do("SET", k, value100)
			}
			for _, k := range keyNames("hot", 20) {
				c.do("SET", k, value100)
			}
			ts.clock.Advance(1000 * time.Second)
			for _, k := range keyNames("hot", 20) {
				c.do("GET", k) // recently used
			}
		}, func(t *testing.T, c *rawConn) {
			for k, ok := range existing(c, keyNames("hot", 20)) {
				if !ok {
					t.Errorf("recently used %s was evicted", k)
				}
			}
			gone := 0
			for _, ok := range existing(c, keyNames("old", 80)) {
				if !ok {
					gone++
				}
			}
			if gone < 10 {
				t.Errorf("only %d idle keys evicted", gone)
			}
		}},
		{"allkeys-lfu", func(t *testing.T, ts *testServer, c *rawConn) {
			c.do("CONFIG", "SET", "lfu-log-factor", "0") // every access counts
			for _, k := range keyNames("cold", 80) {
				c.do("SET", k, value100)
			}
			for _, k := range keyNames("hot", 20) {
				c.do("SET", k, value100)
				for range 10 {
					c.do("GET", k)
				}
			}
			if r := c.do("OBJECT", "FREQ", "hot0"); r != integer(15) {
				t.Errorf("OBJECT FREQ hot0 = %q, want 15", r)
			}
			if r := c.do("OBJECT", "FREQ", "cold0"); r != integer(5) {
				t.Errorf("OBJECT FREQ cold0 = %q, want 5", r)
			}
		}, func(t *testing.T, c *rawConn) {
			for k, ok := range existing(c, keyNames("hot", 20)) {
				if !ok {
					t.Errorf("frequently used %s was evicted", k)
				}
			}
		}},
		{"volatile-lru", fillVolatile, checkVolatile},
		{"volatile-lfu", fillVolatile, checkVolatile},
		{"volatile-random", fillVolatile, checkVolatile},
		{"volatile-ttl", func(t *testing.T, ts *testServer, c *rawConn) {
			for i := range 40 {
				c.do("SET", "ttl"+strconv.Itoa(i), value100, "EX", strconv.Itoa(1000+i*100))
			}
			for _, k := range keyNames("keep", 40) {
				c.do("SET", k, value100)
			}
		}, func(t *testing.T, c *rawConn) {
			// The nearest deadlines go first: what remains is a suffix.
			present := existing(c, keyNames("ttl", 40))
			if present["ttl0"] {
				t.Error("ttl0, the nearest deadline, survived")
			}
			if !present["ttl39"] {
				t.Error("ttl39, the farthest deadline, was evicted")
			}
			for k, ok := range existing(c, keyNames("keep", 40)) {
				if !ok {
					t.Errorf("%s, with no TTL, was evicted", k)
				}
			}
		}},
		{"allkeys-random", func(t *testing.T, ts *testServer, c *rawConn) {
			for _, k := range keyNames("k", 100) {
				c.do("SET", k, value100)
			}
		}, func(t *testing.T, c *rawConn) {
			n := 0
			for _, ok := range existing(c, keyNames("k", 100)) {
				if ok {
					n++
				}
			}
			if n == 100 || n < 50 {
				t.Errorf("%d of 100 keys left", n)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			// Tenacity 100: each command evicts all it must, so that the
			// outcome does not depend on the machine's speed.
			ts := startServer(t, "--maxmemory-policy", tt.policy, "--maxmemory-samples", "64", "--maxmemory-eviction-tenacity", "100")
			c := ts.dial(t)
			tt.setup(t, ts, c)
			squeeze(t, c, 3000)
			if r := c.do("SET", "new", "x"); r != ok {
				t.Fatalf("SET after squeeze: %q", r)
			}
			if n := infoInt(t, c, "evicted_keys"); n == 0 {
				t.Error("evicted_keys is 0")
			}
			if used, limit := infoInt(t, c, "used_memory"), infoInt(t, c, "maxmemory"); used > limit {
				t.Errorf("used_memory %d over maxmemory %d", used, limit)
			}
			tt.check(t, c)
		})
	}
}

func fillVolatile(t *testing.T, ts *testServer, c *rawConn) {
	for _, k := range keyNames("vol", 40) {
		c.do("SET", k, value100, "EX", "10000")
	}
	for _, k := range keyNames("keep", 40) {
		c.do("SET", k, value100)
	}
}

func checkVolatile(t *testing.T, c *rawConn) {
	for k, ok := range existing(c, keyNames("keep", 40)) {
		if !ok {
			t.Errorf("%s, with no TTL, was evicted", k)
		}
	}
	// Squeezed past what the volatile keys hold, writes are refused.
	squeeze(t, c, 40*200)
	if r := c.do("SET", "more", "x"); r != "-"+errOOM+"\r\n" {
		t.Errorf("SET with only persistent keys left: %q (evicted %d, dbsize %q)", r, infoInt(t, c, "evicted_keys"), c.do("DBSIZE"))
	}
	for k, ok := range existing(c, keyNames("keep", 40)) {
		if !ok {
			t.Errorf("%s, with no TTL, was evicted", k)
		}
	}
	if n := len(existing(c, keyNames("vol", 40))); n != 40 {
		t.Fatal(n)
	}
	for k, ok := range existing(c, keyNames("vol", 40)) {
		if ok {
			t.Errorf("volatile %s survived", k)
		}
	}
}

// TestEvictionKeepsMemoryNearTheLimit writes far more than maxmemory
// holds: used_memory stays within 2% of the limit, below it after each
// command.
func TestEvictionKeepsMemoryNearTheLimit(t *testing.T) {
	ts := startServer(t, "--maxmemory-policy", "allkeys-lru")
	c := ts.dial(t)
	base := infoInt(t, c, "used_memory")
	limit := base + 500_000
	c.do("CONFIG", "SET", "maxmemory", strconv.FormatInt(limit, 10))
	for i := range 20000 {
		if r := c.do("SET", "key:"+strconv.Itoa(i), value100); r != ok {
			t.Fatalf("SET: %q", r)
		}
		if i%1000 == 999 && infoInt(t, c, "evicted_keys") > 0 {
			used := infoInt(t, c, "used_memory")
			if used > limit+limit/50 || used < limit-limit/50 {
				t.Fatalf("after %d writes used_memory %d, limit %d", i+1, used, limit)
			}
		}
	}
	if n := infoInt(t, c, "evicted_keys"); n < 10000 {
		t.Errorf("evicted_keys %d", n)
	}
	if infoInt(t, c, "current_eviction_exceeded_time") != 0 {
		t.Error("current_eviction_exceeded_time not 0 after eviction succeeded")
	}
}

// TestNoevictionRefusesWritesServesReads: over the limit, denyoom
// commands get -OOM, reads and DEL work, and once DEL brought memory
// under the limit, writes work again.
func TestNoevictionRefusesWritesServesReads(t *testing.T) {
	ts := startServer(t)
	c := ts.dial(t)
	for _, k := range keyNames("k", 50) {
		c.do("SET", k, value100)
	}
	squeeze(t, c, 1000)
	oom := "-" + errOOM + "\r\n"
	runOn(t, c, []struct{ cmd, want string }{
		{"SET x y", oom},
		{"LPUSH l a", oom},
		{"GET k1", bulk(value100)},
		{"EXISTS k2", one},
		{"DEL k1 k2 k3 k4 k5 k6 k7 k8 k9 k10", integer(10)},
		{"SET x y", ok},
	})
	if infoInt(t, c, "evicted_keys") != 0 {
		t.Error("noeviction evicted keys")
	}
	if infoInt(t, c, "total_eviction_exceeded_time") < 0 {
		t.Error("negative exceeded time")
	}
}

// TestEvictionNotifiesAndTouchesWatchers: an evicted key publishes the
// evicted event and fails the EXEC of a client that watched it.
func TestEvictionNotifiesAndTouchesWatchers(t *testing.T) {
	ts := startServer(t, "--maxmemory-policy", "allkeys-lru", "--notify-keyspace-events", "Ke")
	c, w, sub := ts.dial(t), ts.dial(t), ts.dial(t)
	sub.do("SUBSCRIBE", "__keyspace@0__:victim")
	c.do("SET", "victim", value100)
	ts.clock.Advance(time.Hour)
	c.do("SET", "fresh", value100)
	w.do("WATCH", "victim")
	w.do("MULTI")
	w.do("GET", "fresh")
	squeeze(t, c, 50)
	c.do("SET", "x", "y")
	if r := c.do("EXISTS", "victim"); r != zero {
		t.Fatalf("victim not evicted: %q", r)
	}
	if r := sub.readReply(); !strings.Contains(r, "evicted") {
		t.Errorf("event: %q", r)
	}
	c.do("CONFIG", "SET", "maxmemory", "0")
	if r := w.do("EXEC"); r != "*-1\r\n" {
		t.Errorf("EXEC after the watched key was evicted: %q", r)
	}
}

// TestObjectFreqAndIdletimeUnderPolicies: each is an error under the other
// kind of policy, and the LFU counter decays with lfu-decay-time.
func TestObjectFreqAndIdletimeUnderPolicies(t *testing.T) {
	ts := startServer(t)
	c := ts.dial(t)
	c.do("SET", "k", "v")
	runOn(t, c, []struct{ cmd, want string }{
		{"OBJECT FREQ k", "-" + errLFUNotSelected + "\r\n"},
		{"OBJECT FREQ missing", "$-1\r\n"},
		{"CONFIG SET maxmemory-policy allkeys-lfu", ok},
		{"OBJECT IDLETIME k", "-" + errLFUSelected + "\r\n"},
		{"OBJECT IDLETIME missing", "$-1\r\n"},
		{"SET n v", ok},
		{"OBJECT FREQ n", integer(5)},
		{"GET n", bulk("v")},
		{"OBJECT FREQ n", integer(6)}, // from 5 the first access always counts
		{"TYPE n", "+string\r\n"},
		{"OBJECT FREQ n", integer(6)}, // TYPE is no access
	})
	ts.clock.Advance(3 * time.Minute)
	runOn(t, c, []struct{ cmd, want string }{
		{"OBJECT FREQ n", integer(3)}, // lfu-decay-time 1: one a minute
		{"CONFIG SET lfu-decay-time 0", ok},
		{"OBJECT FREQ n", integer(6)},
	})
}

func runOn(t *testing.T, c *rawConn, steps []struct{ cmd, want string }) {
	t.Helper()
	for _, st := range steps {
		if got := c.do(strings.Fields(st.cmd)...); got != st.want {
			t.Errorf("%s: got %q, want %q", st.cmd, got, st.want)
		}
	}
}

func TestPoolInsert(t *testing.T) {
	var pool []db.Candidate
	for i := range 40 {
		pool = poolInsert(pool, db.Candidate{Key: strconv.Itoa(i), Score: uint64(i * 7 % 40)})
	}
	if len(pool) != evictionPoolSize {
		t.Fatalf("pool of %d", len(pool))
	}
	for i, c := range pool {
		if c.Score != uint64(40-evictionPoolSize+i) {
			t.Fatalf("pool[%d] score %d: %v", i, c.Score, pool)
		}
	}
	pool = poolInsert(pool, db.Candidate{Key: pool[0].Key, Score: 100}) // rescored
	if len(pool) != evictionPoolSize || pool[len(pool)-1].Score != 100 || pool[0].Score != 25 {
		t.Fatalf("after rescoring: %v", pool)
	}
}

func TestEvictionTimeLimit(t *testing.T) {
	for _, tt := range []struct {
		tenacity int64
		want     time.Duration
	}{{0, 0}, {10, 500 * time.Microsecond}, {1, 50 * time.Microsecond}, {11, 575 * time.Microsecond}} {
		if got := evictionTimeLimit(tt.tenacity); got != tt.want {
			t.Errorf("tenacity %d: %v, want %v", tt.tenacity, got, tt.want)
		}
	}
	if evictionTimeLimit(100) < time.Hour {
		t.Error("tenacity 100 is limited")
	}
}

// TestEvictionCycleWithoutCommands: lowering maxmemory evicts in the
// background loop, at hz, with no command arriving to do it.
func TestEvictionCycleWithoutCommands(t *testing.T) {
	ts := startServer(t, "--maxmemory-policy", "allkeys-random", "--hz", "100")
	c := ts.dial(t)
	for _, k := range keyNames("k", 200) {
		c.do("SET", k, value100)
	}
	limit := ts.usedMemory() - 10_000
	c.do("CONFIG", "SET", "maxmemory", strconv.FormatInt(limit, 10))
	deadline := time.Now().Add(5 * time.Second)
	for ts.usedMemory() > limit {
		if time.Now().After(deadline) {
			t.Fatalf("used memory %d still over %d", ts.usedMemory(), limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if ts.evict.evicted.load() == 0 {
		t.Error("nothing counted as evicted")
	}
}

func TestDynamicHz(t *testing.T) {
	ts := startServer(t, "--hz", "7")
	c := ts.dial(t)
	if n := infoInt(t, c, "hz"); n != 7 {
		t.Errorf("hz %d with one client", n)
	}
	if n := infoInt(t, c, "configured_hz"); n != 7 {
		t.Errorf("configured_hz %d", n)
	}
	for _, tt := range []struct{ hz, clients, want int64 }{
		{7, 1, 7}, {7, 1400, 7}, {7, 1407, 14}, {10, 2000, 10}, {10, 2010, 20}, {10, 100000, 500}, {500, 1 << 20, 500}, {1, 1000, 8},
	} {
		if got := dynamicHz(tt.hz, tt.clients); got != tt.want {
			t.Errorf("dynamicHz(%d, %d clients) = %d, want %d", tt.hz, tt.clients, got, tt.want)
		}
	}
	c.do("CONFIG", "SET", "dynamic-hz", "no")
	if hz := ts.effectiveHz(); hz != 7 {
		t.Errorf("effective hz %d without dynamic-hz", hz)
	}
}
