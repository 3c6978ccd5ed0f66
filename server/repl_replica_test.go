package server

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
	"go.uber.org/zap"
)

// replTimeout bounds the waits of the replication tests: a sync of a few
// keys takes milliseconds, Redis's retries a second.
const replTimeout = 15 * time.Second

// waitReplica polls cond until it holds, or fails the test with what.
func waitReplica(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(replTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// infoValue returns field of INFO section, or "" when it is missing.
func infoValue(c *rawConn, section, field string) string {
	for _, line := range strings.Split(c.do("INFO", section), "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	return ""
}

// hostPort splits a test server's address for REPLICAOF.
func hostPort(t *testing.T, addr string) (string, string) {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return host, port
}

// waitInSync waits until the replica's link is up and it has applied the
// whole of the master's stream.
func waitInSync(t *testing.T, master, replica *rawConn) {
	t.Helper()
	waitReplica(t, "the replica to catch up with the master", func() bool {
		return infoValue(replica, "replication", "master_link_status") == "up" &&
			infoValue(replica, "replication", "slave_repl_offset") == infoValue(master, "replication", "master_repl_offset")
	})
}

// fillEveryType writes keys of every type, some with deadlines, in
// databases 0 and 2 of c.
func fillEveryType(t *testing.T, c *rawConn) {
	t.Helper()
	for _, cmd := range [][]string{
		{"SELECT", "0"},
		{"SET", "str", "hello"},
		{"SET", "int", "12345"},
		{"SET", "big", strings.Repeat("x", 5000)},
		{"RPUSH", "list", "a", "b", "c", "1", "2"},
		{"HSET", "hash", "f1", "v1", "f2", "v2"},
		{"HSET", "bighash", "f", strings.Repeat("y", 100)},
		{"SADD", "set", "x", "y", "z"},
		{"SADD", "intset", "1", "2", "3"},
		{"ZADD", "zset", "1", "one", "2.5", "two", "-3", "three"},
		{"XADD", "stream", "1-1", "a", "1"},
		{"XADD", "stream", "2-1", "b", "2"},
		{"XGROUP", "CREATE", "stream", "g", "0"},
		{"PFADD", "hll", "a", "b", "c"},
		{"SET", "expiring", "v", "EX", "1000"},
		{"HSET", "expiringhash", "f", "v"},
		{"PEXPIRE", "expiringhash", "500000"},
		{"SELECT", "2"},
		{"SET", "indb2", "yes"},
		{"LPUSH", "list2", "q"},
		{"SELECT", "0"},
	} {
		if reply := c.do(cmd...); strings.HasPrefix(reply, "-") {
			t.Fatalf("%v: %s", cmd, reply)
		}
	}
}

// keyspaceOf describes every key of c's databases: its type, its value
// read by the type's commands, and whether it has a deadline, for
// comparing a master with its replica.
func keyspaceOf(t *testing.T, c *rawConn) map[string]string {
	t.Helper()
	out := map[string]string{}
	for db := range 16 {
		c.do("SELECT", strconv.Itoa(db))
		for _, key := range scanKeys(c, nil) {
			typ := strings.TrimSpace(strings.TrimPrefix(c.do("TYPE", key), "+"))
			var value string
			switch typ {
			case "string":
				value = c.do("GET", key)
			case "list":
				value = c.do("LRANGE", key, "0", "-1")
			case "hash":
				value = strings.Join(sortedElems(t, c.do("HGETALL", key)), ",")
			case "set":
				value = strings.Join(sortedElems(t, c.do("SMEMBERS", key)), ",")
			case "zset":
				value = c.do("ZRANGE", key, "0", "-1", "WITHSCORES")
			case "stream":
				value = c.do("XRANGE", key, "-", "+") + c.do("XINFO", "GROUPS", key)
			}
			ttl := c.do("PTTL", key) != ":-1\r\n"
			out[strconv.Itoa(db)+"/"+key] = typ + " " + value + " deadline=" + strconv.FormatBool(ttl)
		}
	}
	c.do("SELECT", "0")
	return out
}

// compareKeyspaces fails t where the replica's data differs from the
// master's.
func compareKeyspaces(t *testing.T, master, replica *rawConn) {
	t.Helper()
	want, got := keyspaceOf(t, master), keyspaceOf(t, replica)
	if len(want) == 0 {
		t.Fatal("the master has no keys")
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("key %s: replica has %q, master %q", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("key %s is on the replica only", k)
		}
	}
}

// startReplicaOfRedis starts redis-server with directives, fills it with
// keys of every type, and starts this server (with the wall clock) as its
// replica. It returns connections to both.
func startReplicaOfRedis(t *testing.T, directives ...string) (redis *redistest.Server, master, replica *rawConn) {
	t.Helper()
	redis = redistest.Start(t, directives...)
	master = dialRaw(t, redis.Addr)
	fillEveryType(t, master)
	replica = dialRaw(t, startRealServer(t))
	host, port := hostPort(t, redis.Addr)
	if got := replica.do("REPLICAOF", host, port); got != "+OK\r\n" {
		t.Fatalf("REPLICAOF: %q", got)
	}
	waitInSync(t, master, replica)
	return redis, master, replica
}

// TestReplicaOfRedis: a full sync from redis-server, with its RDB sent
// both ways Redis sends it (from a file, with its length first, and
// diskless, ended by a mark), then the live stream, in the same order.
func TestReplicaOfRedis(t *testing.T) {
	for _, tc := range []struct {
		name       string
		directives []string
		logged     string // what redis-server logs of the transfer
	}{
		{"disk", []string{"repl-diskless-sync", "no"}, "Starting BGSAVE for SYNC with target: disk"},
		{"diskless", []string{"repl-diskless-sync", "yes", "repl-diskless-sync-delay", "0"},
			"Starting BGSAVE for SYNC with target: replicas sockets"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			redis, master, replica := startReplicaOfRedis(t, tc.directives...)
			if log, err := os.ReadFile(filepath.Join(redis.Dir, "redis.log")); err != nil || !strings.Contains(string(log), tc.logged) {
				t.Errorf("redis-server's log does not say %q (%v):\n%s", tc.logged, err, log)
			}
			if n := infoValue(master, "stats", "sync_full"); n != "1" {
				t.Errorf("sync_full on the master is %s, want 1", n)
			}
			compareKeyspaces(t, master, replica)

			// The live stream: transactions, deadlines, deletions, other
			// databases, scripts (propagated as their effects).
			for _, cmd := range [][]string{
				{"SET", "live", "1"},
				{"MULTI"}, {"INCR", "counter"}, {"RPUSH", "list", "tx"}, {"HSET", "hash", "f3", "v3"}, {"EXEC"},
				{"EXPIRE", "str", "5000"},
				{"DEL", "set"},
				{"SELECT", "5"}, {"SET", "indb5", "five"}, {"SELECT", "0"},
				{"EVAL", "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('SADD', KEYS[2], ARGV[1])", "2", "fromscript", "scriptset", "v"},
				{"XADD", "stream", "3-1", "c", "3"},
				{"ZINCRBY", "zset", "10", "one"},
				{"SPOP", "intset"},
				{"FLUSHDB"}, {"SET", "afterflush", "1"},
			} {
				if reply := master.do(cmd...); strings.HasPrefix(reply, "-") {
					t.Fatalf("%v on the master: %s", cmd, reply)
				}
			}
			waitInSync(t, master, replica)
			compareKeyspaces(t, master, replica)
			// WAIT asks for an ACK with REPLCONF GETACK: ours answers.
			master.do("SET", "acked", "1")
			if got := master.do("WAIT", "1", "5000"); got != ":1\r\n" {
				t.Errorf("WAIT 1 on the master: %q, want 1 replica", got)
			}

			if got := replica.do("SET", "mine", "1"); got != "-READONLY You can't write against a read only replica.\r\n" {
				t.Errorf("SET on the replica: %q", got)
			}
			if got := replica.do("EVAL", "return redis.call('SET', 'k', 'v')", "0"); !strings.Contains(got, "READONLY") {
				t.Errorf("a script writing on the replica: %q", got)
			}
			if got := replica.do("GET", "afterflush"); got != "$1\r\n1\r\n" {
				t.Errorf("GET on the replica: %q", got)
			}
		})
	}
}

// TestReplicaInfoAndRoleLikeRedis compares INFO replication and ROLE of
// this server, replica of a redis-server, with those of a redis-server
// replica of the same master: the same fields in the same order, and the
// same values where they do not depend on the process.
func TestReplicaInfoAndRoleLikeRedis(t *testing.T) {
	redis, master, ours := startReplicaOfRedis(t, "repl-diskless-sync", "no")
	theirs := dialRaw(t, redistest.Start(t).Addr)
	host, port := hostPort(t, redis.Addr)
	theirs.do("REPLICAOF", host, port)
	waitInSync(t, master, theirs)
	waitInSync(t, master, ours)

	fields := func(c *rawConn) []string {
		var names []string
		for _, line := range strings.Split(c.do("INFO", "replication"), "\r\n") {
			if name, _, ok := strings.Cut(line, ":"); ok {
				names = append(names, name)
			}
		}
		return names
	}
	// Redis keeps a backlog on a replica too, for replicas of its own:
	// that is the master side's, and its fields are compared by name.
	if got, want := fields(ours), fields(theirs); !slices.Equal(got, want) {
		t.Errorf("INFO replication fields:\n got %v\nwant %v", got, want)
	}
	for _, f := range []string{"role", "master_host", "master_port", "master_link_status", "master_sync_in_progress",
		"slave_priority", "slave_read_only", "replica_announced", "connected_slaves", "master_replid", "master_replid2",
		"second_repl_offset"} {
		if got, want := infoValue(ours, "replication", f), infoValue(theirs, "replication", f); got != want {
			t.Errorf("INFO replication %s: ours %q, Redis %q", f, got, want)
		}
	}
	if got, want := ours.do("ROLE"), theirs.do("ROLE"); got != want {
		t.Errorf("ROLE: ours %q, Redis %q", got, want)
	}
	for _, cmd := range [][]string{
		{"REPLICAOF", host, port},
		{"SLAVEOF", host, port},
		{"REPLICAOF", host, "abc"},
		{"REPLICAOF", host, "70000"},
		{"REPLICAOF", "no", "two"},
		{"REPLICAOF", "no"},
		{"CONFIG", "GET", "replicaof"},
		{"CONFIG", "GET", "slave-read-only"},
		{"CONFIG", "SET", "replicaof", "localhost 1"},
	} {
		if got, want := ours.do(cmd...), theirs.do(cmd...); got != want {
			t.Errorf("%v: ours %q, Redis %q", cmd, got, want)
		}
	}
	for _, c := range []*rawConn{ours, theirs} {
		c.do("REPLICAOF", "NO", "ONE")
	}
	for _, cmd := range [][]string{{"REPLICAOF", "NO", "ONE"}, {"ROLE"}, {"CONFIG", "GET", "replicaof"}} {
		if got, want := ours.do(cmd...), theirs.do(cmd...); got != want {
			t.Errorf("%v as a master: ours %q, Redis %q", cmd, got, want)
		}
	}
}

// TestReplicaPartialResync cuts the link from either side: the replica
// reconnects and continues with +CONTINUE, without a full sync.
func TestReplicaPartialResync(t *testing.T) {
	_, master, replica := startReplicaOfRedis(t, "repl-diskless-sync", "no")
	for i, cut := range []struct {
		name string
		on   *rawConn
		args []string
	}{
		{"killed on the replica", replica, []string{"CLIENT", "KILL", "TYPE", "master"}},
		{"killed on the master", master, []string{"CLIENT", "KILL", "TYPE", "replica"}},
		// A transaction cut short is sent again whole.
		{"killed again on the replica", replica, []string{"CLIENT", "KILL", "TYPE", "master"}},
	} {
		t.Run(cut.name, func(t *testing.T) {
			full, partial := infoValue(master, "stats", "sync_full"), infoValue(master, "stats", "sync_partial_ok")
			if got := cut.on.do(cut.args...); got != ":1\r\n" {
				t.Fatalf("%v: %q", cut.args, got)
			}
			key := "during" + strconv.Itoa(i)
			master.do("MULTI")
			master.do("SET", key, "x")
			master.do("INCR", "resyncs")
			master.do("EXEC")
			waitReplica(t, "the partial resync", func() bool {
				return infoValue(master, "stats", "sync_partial_ok") != partial
			})
			waitInSync(t, master, replica)
			if got := infoValue(master, "stats", "sync_full"); got != full {
				t.Errorf("sync_full went from %s to %s: a full sync, not a partial one", full, got)
			}
			p, _ := strconv.Atoi(partial)
			if got := infoValue(master, "stats", "sync_partial_ok"); got != strconv.Itoa(p+1) {
				t.Errorf("sync_partial_ok went from %s to %s, want one more", partial, got)
			}
			if got := replica.do("GET", key); got != "$1\r\nx\r\n" {
				t.Errorf("GET %s after the resync: %q", key, got)
			}
			if got, want := replica.do("GET", "resyncs"), ":"+strconv.Itoa(i+1); got != "$1\r\n"+want[1:]+"\r\n" {
				t.Errorf("GET resyncs after the resync: %q", got)
			}
		})
	}
	compareKeyspaces(t, master, replica)

	// replica-ignore-maxmemory (yes): over maxmemory, a replica evicts
	// nothing, and keeps following its master.
	for _, cmd := range [][]string{{"CONFIG", "SET", "maxmemory-policy", "allkeys-random"}, {"CONFIG", "SET", "maxmemory", "1"}} {
		if got := replica.do(cmd...); got != "+OK\r\n" {
			t.Fatalf("%v: %q", cmd, got)
		}
	}
	t.Cleanup(func() { replica.do("CONFIG", "SET", "maxmemory", "0") })
	time.Sleep(300 * time.Millisecond) // active cycles pass (hz 10)
	master.do("SET", "overlimit", "1")
	waitInSync(t, master, replica)
	compareKeyspaces(t, master, replica)
}

// TestReplicaLeavesExpiryToMaster: a key whose deadline has passed is
// missing to the replica's clients, but stays until the master's DEL.
func TestReplicaLeavesExpiryToMaster(t *testing.T) {
	redis := redistest.Start(t, "enable-debug-command", "yes")
	master := dialRaw(t, redis.Addr)
	// The master's active expiry off: the key goes when a read meets it.
	if got := master.do("DEBUG", "SET-ACTIVE-EXPIRE", "0"); got != "+OK\r\n" {
		t.Fatalf("DEBUG SET-ACTIVE-EXPIRE: %q", got)
	}
	master.do("SET", "short", "v", "PX", "200")
	master.do("SET", "kept", "v")
	replica := dialRaw(t, startRealServer(t))
	host, port := hostPort(t, redis.Addr)
	replica.do("REPLICAOF", host, port)
	waitInSync(t, master, replica)
	time.Sleep(400 * time.Millisecond)
	// Several active expiry cycles pass (hz 10).
	for _, cmd := range [][]string{{"GET", "short"}, {"EXISTS", "short"}, {"TTL", "short"}, {"RANDOMKEY"}} {
		want := map[string]string{"GET": "$-1\r\n", "EXISTS": ":0\r\n", "TTL": ":-2\r\n", "RANDOMKEY": "$4\r\nkept\r\n"}[cmd[0]]
		if got := replica.do(cmd...); got != want {
			t.Errorf("%v on the replica after the deadline: %q, want %q", cmd, got, want)
		}
	}
	if got := replica.do("DBSIZE"); got != ":2\r\n" {
		t.Errorf("DBSIZE on the replica before the master's DEL: %q, want 2 (the expired key stays)", got)
	}
	if got := master.do("GET", "short"); got != "$-1\r\n" { // expires it on the master, which sends DEL
		t.Fatalf("GET on the master: %q", got)
	}
	waitReplica(t, "the master's DEL", func() bool { return replica.do("DBSIZE") == ":1\r\n" })
}

// TestReplicaOfNoOne promotes the replica: it keeps its data, becomes
// writable, and its replication ID becomes the second one.
func TestReplicaOfNoOne(t *testing.T) {
	_, master, replica := startReplicaOfRedis(t, "repl-diskless-sync", "no")
	id := infoValue(replica, "replication", "master_replid")
	offset, _ := strconv.ParseInt(infoValue(replica, "replication", "master_repl_offset"), 10, 64)
	if got := replica.do("REPLICAOF", "NO", "ONE"); got != "+OK\r\n" {
		t.Fatalf("REPLICAOF NO ONE: %q", got)
	}
	for field, want := range map[string]string{
		"role":               "master",
		"master_replid2":     id,
		"second_repl_offset": strconv.FormatInt(offset+1, 10),
	} {
		if got := infoValue(replica, "replication", field); got != want {
			t.Errorf("INFO replication %s after REPLICAOF NO ONE: %q, want %q", field, got, want)
		}
	}
	if got := infoValue(replica, "replication", "master_replid"); got == id || len(got) != 40 {
		t.Errorf("master_replid after REPLICAOF NO ONE: %q (was %q), want a new ID", got, id)
	}
	if got := replica.do("SET", "mine", "1"); got != "+OK\r\n" {
		t.Errorf("SET after REPLICAOF NO ONE: %q", got)
	}
	master.do("SET", "later", "1")
	time.Sleep(200 * time.Millisecond)
	if got := replica.do("EXISTS", "later"); got != ":0\r\n" {
		t.Errorf("a write on the old master reached the promoted replica: %q", got)
	}

	// Inside a transaction, which runs with every other command paused
	// (the link's included), REPLICAOF does not wait for the old link.
	port := infoValue(master, "server", "tcp_port")
	for _, target := range [][]string{{"127.0.0.1", port}, {"NO", "ONE"}, {"127.0.0.1", port}} {
		replica.do("MULTI")
		replica.do("REPLICAOF", target[0], target[1])
		if got := replica.do("EXEC"); got != "*1\r\n+OK\r\n" {
			t.Fatalf("MULTI REPLICAOF %v EXEC: %q", target, got)
		}
	}
	waitInSync(t, master, replica)
	if got := replica.do("GET", "later"); got != "$1\r\n1\r\n" {
		t.Errorf("GET after REPLICAOF in a transaction: %q", got)
	}
	if got := replica.do("GET", "str"); got != "$5\r\nhello\r\n" {
		t.Errorf("the synced data after REPLICAOF NO ONE: %q", got)
	}
}

// TestReplicaServeStaleDataLikeRedis: with the link down, replies as
// Redis's under replica-serve-stale-data no, and yes.
func TestReplicaServeStaleDataLikeRedis(t *testing.T) {
	redis := dialRaw(t, redistest.Start(t).Addr)
	ours := dialRaw(t, startRealServer(t))
	dead, err := redistest.FreePort() // nothing listens there
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*rawConn{redis, ours} {
		c.do("SET", "k", "v")
		c.do("REPLICAOF", "127.0.0.1", strconv.Itoa(dead))
	}
	for _, stale := range []string{"no", "yes"} {
		for _, c := range []*rawConn{redis, ours} {
			c.do("CONFIG", "SET", "replica-serve-stale-data", stale)
		}
		for _, cmd := range [][]string{{"GET", "k"}, {"SET", "k", "w"}, {"PING"}, {"DBSIZE"}, {"CONFIG", "GET", "replica-serve-stale-data"},
			{"MULTI"}, {"GET", "k"}, {"EXEC"}} {
			if got, want := ours.do(cmd...), redis.do(cmd...); got != want {
				t.Errorf("replica-serve-stale-data %s, %v: ours %q, Redis %q", stale, cmd, got, want)
			}
		}
	}
	// The link's state, and the fields of a link never up.
	for _, f := range []string{"master_link_status", "master_last_io_seconds_ago", "master_link_down_since_seconds", "slave_repl_offset"} {
		if got, want := infoValue(ours, "replication", f), infoValue(redis, "replication", f); got != want {
			t.Errorf("INFO replication %s with the master unreachable: ours %q, Redis %q", f, got, want)
		}
	}
	want := "*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:" + strconv.Itoa(dead) + "\r\n"
	if got := ours.do("ROLE"); !strings.HasPrefix(got, want) || !strings.Contains(got, "connect") || !strings.HasSuffix(got, ":-1\r\n") {
		t.Errorf("ROLE with the master unreachable: %q", got)
	}
}

// TestReplicaAuthenticatesToMaster: masterauth, and masteruser with it,
// log in to a master that requires a password; without them the link
// stays down.
func TestReplicaAuthenticatesToMaster(t *testing.T) {
	redis := redistest.Start(t, "requirepass", "secret")
	master := dialRaw(t, redis.Addr)
	master.do("AUTH", "secret")
	master.do("ACL", "SETUSER", "repl", "on", ">replpass", "+@all", "~*")
	master.do("SET", "k", "v")
	host, port := hostPort(t, redis.Addr)
	for _, tc := range []struct {
		name string
		conf []string
	}{
		{"masterauth", []string{"masterauth", "secret"}},
		{"masteruser", []string{"masteruser", "repl", "masterauth", "replpass"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			replica := dialRaw(t, startRealServer(t))
			replica.do("REPLICAOF", host, port)
			time.Sleep(300 * time.Millisecond)
			if got := infoValue(replica, "replication", "master_link_status"); got != "down" {
				t.Fatalf("master_link_status without the password: %q", got)
			}
			if got := replica.do(append([]string{"CONFIG", "SET"}, tc.conf...)...); got != "+OK\r\n" {
				t.Fatalf("CONFIG SET %v: %q", tc.conf, got)
			}
			waitInSync(t, master, replica)
			if got := replica.do("GET", "k"); got != "$1\r\nv\r\n" {
				t.Errorf("GET after the sync: %q", got)
			}
		})
	}
}

// TestReplicaOfDirective: replicaof in the configuration (here on the
// command line) makes the server a replica from the start; CONFIG GET
// follows REPLICAOF; and Shutdown stops the link's goroutines.
func TestReplicaOfDirective(t *testing.T) {
	before := serverGoroutineIDs() // other tests' servers may still be stopping
	redis := redistest.Start(t, "repl-diskless-sync", "no")
	master := dialRaw(t, redis.Addr)
	master.do("SET", "fromconfig", "1")
	host, port := hostPort(t, redis.Addr)
	cfg, _ := testConfig(t, "--port", "0", "--bind", "127.0.0.1", "--admin-port", "0", "--replicaof", host, port)
	cfg.Clock = nil
	srv := newServer(cfg, zap.NewNop())
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			srv.Shutdown(context.Background())
		}
	})
	replica := dialRaw(t, srv.Addr().String())
	waitInSync(t, master, replica)
	if got := replica.do("GET", "fromconfig"); got != "$1\r\n1\r\n" {
		t.Errorf("GET after the sync: %q", got)
	}
	if got, want := replica.do("CONFIG", "GET", "replicaof"), "*2\r\n$9\r\nreplicaof\r\n$"+strconv.Itoa(len(host+" "+port))+"\r\n"+host+" "+port+"\r\n"; got != want {
		t.Errorf("CONFIG GET replicaof: %q, want %q", got, want)
	}
	// The master's address as REPLCONF listening-port gave it.
	_, ourPort := hostPort(t, srv.Addr().String())
	waitReplica(t, "the replica in the master's INFO", func() bool {
		return strings.Contains(infoValue(master, "replication", "slave0"), "port="+ourPort+",state=online")
	})
	if got := replica.do("CLIENT", "LIST", "TYPE", "master"); !strings.Contains(got, "flags=M ") {
		t.Errorf("CLIENT LIST TYPE master: %q", got)
	}
	replica.do("REPLICAOF", "NO", "ONE")
	if got := replica.do("CONFIG", "GET", "replicaof"); got != "*2\r\n$9\r\nreplicaof\r\n$0\r\n\r\n" {
		t.Errorf("CONFIG GET replicaof after REPLICAOF NO ONE: %q", got)
	}
	replica.do("REPLICAOF", host, port)
	waitInSync(t, master, replica)
	replica.NetConn().Close()
	stopped = true
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Shutdown: %v", err)
	}
	waitNoServerGoroutines(t, "Shutdown of a replica", before)
}

// TestReplicaAppendOnly: a replica with the AOF on rewrites it after a
// full sync, so that restarted from its files alone it has the master's
// data and what the stream brought since.
func TestReplicaAppendOnly(t *testing.T) {
	redis := redistest.Start(t, "repl-diskless-sync", "no")
	master := dialRaw(t, redis.Addr)
	master.do("SET", "synced", "1")
	dir := t.TempDir()
	cfg, _ := testConfig(t, "--dir", dir, "--appendonly", "yes", "--port", "0", "--bind", "127.0.0.1", "--admin-port", "0")
	cfg.Clock = nil
	first := newServer(cfg, zap.NewNop())
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	replica := dialRaw(t, first.Addr().String())
	replica.do("SET", "before", "gone after the sync")
	host, port := hostPort(t, redis.Addr)
	replica.do("REPLICAOF", host, port)
	waitInSync(t, master, replica)
	waitReplica(t, "the AOF rewrite after the sync", func() bool {
		return infoValue(replica, "persistence", "aof_rewrite_in_progress") == "0" &&
			infoValue(replica, "persistence", "aof_rewrites") != "0"
	})
	master.do("SET", "streamed", "1")
	waitInSync(t, master, replica)
	replica.NetConn().Close()
	if err := first.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	cfg, _ = testConfig(t, "--dir", dir, "--appendonly", "yes", "--port", "0", "--bind", "127.0.0.1", "--admin-port", "0")
	cfg.Clock = nil
	second := newServer(cfg, zap.NewNop())
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { second.Shutdown(context.Background()) })
	restarted := dialRaw(t, second.Addr().String())
	for key, want := range map[string]string{"synced": "$1\r\n1\r\n", "streamed": "$1\r\n1\r\n", "before": "$-1\r\n"} {
		if got := restarted.do("GET", key); got != want {
			t.Errorf("GET %s after a restart from the replica's AOF: %q, want %q", key, got, want)
		}
	}
}
