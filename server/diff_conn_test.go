package server

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// Differential tests for the connection, client, transaction and pub/sub
// commands. A script may use several connections per server: each step
// names the one it uses.

// mstep is a step on connection conn (0, 1 or 2).
type mstep struct {
	conn int
	kind mkind
	mode cmpMode
	args []string
}

type mkind int

const (
	sendRead mkind = iota // send a command, compare its reply
	sendOnly              // send a command that has no reply
	readOnly              // compare the next frame pushed to the connection
	pause                 // let the servers settle (no comparison)
)

// on returns an exact step on connection n.
func on(n int, line string) mstep { return mstep{conn: n, args: strings.Fields(line)} }

func onQ(n int, args ...string) mstep { return mstep{conn: n, args: args} }

func onShape(n int, line string) mstep {
	return mstep{conn: n, mode: shape, args: strings.Fields(line)}
}

func onSet(n int, line string) mstep { return mstep{conn: n, mode: asSet, args: strings.Fields(line)} }

func send(n int, line string) mstep {
	return mstep{conn: n, kind: sendOnly, args: strings.Fields(line)}
}

func recv(n int) mstep { return mstep{conn: n, kind: readOnly} }

var connScripts = map[string][]mstep{
	"ping echo hello": {
		on(0, "PING"), on(0, "PING hi"), on(0, "ECHO x"), on(0, "PING a b"), on(0, "ECHO"),
		on(0, "HELLO 4"), on(0, "HELLO x"), on(0, "HELLO 2 FOO"), on(0, "HELLO 2 AUTH"), onQ(0, "HELLO", "2", "a\x00b"),
		onShape(0, "HELLO 2 AUTH default anything"), onQ(0, "HELLO", "2", "SETNAME", "a b"),
		onShape(0, "HELLO 3 SETNAME named"), on(0, "CLIENT GETNAME"), on(0, "GET missing"),
		on(0, "SET k v"), on(0, "MGET k missing"), on(0, "INCRBYFLOAT f 1.5"), on(0, "LCS k k IDX"),
		onShape(0, "HELLO 2"), on(0, "GET missing"), on(0, "AUTH x"), on(0, "AUTH default x"), on(0, "AUTH a b c"),
		on(0, "RESET"), on(0, "CLIENT GETNAME"), on(0, "QUIT"),
	},
	"client names and replies": {
		on(0, "CLIENT SETNAME conn0"), on(0, "CLIENT GETNAME"), on(0, "CLIENT SETNAME"), onQ(0, "CLIENT", "SETNAME", ""),
		on(0, "CLIENT GETNAME"), onQ(0, "CLIENT", "SETNAME", "a\nb"), on(0, "CLIENT NO-EVICT on"),
		on(0, "CLIENT NO-EVICT maybe"), on(0, "CLIENT REPLY maybe"), on(0, "CLIENT"), on(0, "CLIENT BOGUS"),
		send(0, "CLIENT REPLY OFF"), send(0, "SET a 1"), send(0, "GET a"), on(0, "CLIENT REPLY ON"), on(0, "GET a"),
		send(0, "CLIENT REPLY SKIP"), send(0, "SET a 2"), on(0, "GET a"), on(0, "CLIENT KILL 1.2.3.4:5"),
		on(0, "CLIENT KILL ID 999999"), on(0, "CLIENT KILL ID x"), on(0, "CLIENT KILL FOO bar"),
		on(0, "CLIENT KILL TYPE bogus"), on(0, "CLIENT KILL SKIPME maybe"), on(0, "CLIENT KILL USER nobody"),
		onQ(0, "CLIENT", "KILL", "TYPE", "a\x00b"), onQ(0, "CLIENT", "KILL", "USER", "a\x00b"),
		onQ(0, "CLIENT", "KILL", "TYPE", "pubsub\x00x", "SKIPME\x00", "yes"), onQ(0, "CLIENT", "LIST", "TYPE", "a\x00b"),
		onQ(0, "CLIENT", "LIST", "TYPE", "pubsub\x00x"),
		on(0, "CLIENT KILL ADDR 1.2.3.4:5 SKIPME yes"), on(0, "CLIENT KILL TYPE pubsub"),
		on(0, "CLIENT PAUSE x"), on(0, "CLIENT PAUSE -1"), on(0, "CLIENT PAUSE 10 BOGUS"), on(0, "CLIENT PAUSE x WRITE extra"),
		on(0, "CLIENT pause 1 WRITE extra"), on(0, "CLIENT PAUSE 1 WRITE"),
		on(0, "CLIENT UNPAUSE"), on(0, "CLIENT LIST TYPE bogus"), on(0, "CLIENT LIST ID x"), on(0, "CLIENT LIST ID 0 -5"),
		on(0, "CLIENT LIST ID 99999 x"), on(0, "CLIENT LIST TYPE master ID 1"), on(0, "CLIENT LIST ID 99999 TYPE master"),
		on(0, "CLIENT LIST TYPE master TYPE master"), on(0, "CLIENT LIST TYPE"), on(0, "CLIENT LIST ID"),
		on(0, "CLIENT LIST ID 99999"), on(0, "CLIENT LIST FOO"), onShape(0, "CLIENT ID"), onShape(0, "CLIENT INFO"),
		onShape(0, "CLIENT LIST"), on(0, "CLIENT HELP extra"),
	},
	"transactions": {
		on(0, "MULTI"), on(0, "MULTI"), on(0, "WATCH x"), on(0, "SET a 1"), on(0, "BOGUS"), on(0, "GET a b"),
		on(0, "EXEC"), on(0, "EXEC"), on(0, "DISCARD"),
		on(0, "MULTI"), on(0, "SET a 1"), on(0, "INCR a"), on(0, "INCR a b"), on(0, "DISCARD"), on(0, "GET a"),
		on(0, "MULTI"), on(0, "SET s abc"), on(0, "INCR s"), on(0, "SET t 1"), on(0, "EXEC"), on(0, "GET t"),
		on(0, "WATCH w"), on(1, "SET w changed"), on(0, "MULTI"), on(0, "SET w mine"), on(0, "EXEC"), on(0, "GET w"),
		on(0, "WATCH w"), on(0, "MULTI"), on(0, "SET w mine"), on(0, "EXEC"), on(0, "GET w"),
		on(0, "WATCH w"), on(0, "UNWATCH"), on(1, "SET w other"), on(0, "MULTI"), on(0, "SET w again"), on(0, "EXEC"),
		on(0, "WATCH w"), on(0, "SET w self"), on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
		on(0, "WATCH nokey"), on(1, "DEL nokey"), on(0, "MULTI"), on(0, "PING"), on(0, "EXEC"),
		on(0, "WATCH gone"), on(1, "SET gone v"), on(1, "DEL gone"), on(0, "MULTI"), on(0, "EXEC"),
		on(0, "WATCH f"), on(1, "SET f v"), on(0, "MULTI"), on(0, "EXEC"),
		on(0, "SET f v"), on(0, "WATCH f"), on(1, "FLUSHALL"), on(0, "MULTI"), on(0, "EXEC"),
		on(0, "WATCH"), on(0, "UNWATCH x"), on(0, "MULTI x"), on(0, "EXEC x"),
		on(0, "MULTI"), on(0, "SELECT 1"), on(0, "SET indb1 v"), on(0, "EXEC"), on(0, "GET indb1"), on(0, "SELECT 0"),
		on(0, "MULTI"), on(0, "EXEC"), on(0, "MULTI"), on(0, "SHUTDOWN"), on(0, "DISCARD"),
		on(0, "MULTI"), on(0, "RESET"), on(0, "EXEC"),
	},
	"pubsub": {
		on(0, "SUBSCRIBE news weather"), recv(0), on(1, "PUBLISH news hello"), recv(0),
		on(1, "PUBLISH nobody x"), on(0, "PSUBSCRIBE w*"), on(1, "PUBLISH weather sun"), recv(0), recv(0),
		on(0, "GET x"), on(0, "PING"), on(0, "PING msg"), onSet(1, "PUBSUB CHANNELS"), on(1, "PUBSUB CHANNELS n*"),
		on(1, "PUBSUB NUMSUB news weather none"), on(1, "PUBSUB NUMPAT"), on(1, "PUBSUB NUMSUB"),
		on(0, "UNSUBSCRIBE news"), on(0, "PUNSUBSCRIBE"), on(0, "UNSUBSCRIBE"), on(0, "UNSUBSCRIBE"),
		on(0, "PUNSUBSCRIBE"), on(0, "SET x 1"), on(0, "SSUBSCRIBE shard1"), on(1, "SPUBLISH shard1 m"), recv(0),
		on(1, "PUBSUB SHARDCHANNELS"), on(1, "PUBSUB SHARDNUMSUB shard1"), on(0, "SUNSUBSCRIBE"),
		on(0, "SUNSUBSCRIBE"), on(0, "SUBSCRIBE"), on(1, "PUBLISH"), on(1, "PUBSUB"), on(1, "PUBSUB BOGUS"),
		on(1, "PUBSUB CHANNELS a b"), on(1, "PUBSUB HELP"),
		onShape(2, "HELLO 3"), on(2, "SUBSCRIBE r3"), on(2, "GET x"), on(1, "PUBLISH r3 hi"), recv(2), on(2, "PING"),
		on(0, "SUBSCRIBE c"), on(0, "RESET"), on(0, "GET x"), on(1, "PUBLISH c gone"),
	},
	"keymiss events": {
		on(1, "CONFIG SET notify-keyspace-events Em"), on(0, "SUBSCRIBE __keyevent@0__:keymiss"),
		on(1, "SET hit v"), on(1, "GET hit"), on(1, "GET g"), recv(0), on(1, "MGET m1 hit m2"), recv(0), recv(0),
		on(1, "EXISTS e1 hit e2"), recv(0), recv(0), on(1, "TOUCH t1"), recv(0), on(1, "TYPE ty"), recv(0),
		on(1, "TTL ttl"), recv(0), on(1, "PTTL pttl"), recv(0), on(1, "EXPIRETIME et"), recv(0),
		on(1, "PEXPIRETIME pet"), recv(0), on(1, "GETDEL gd"), recv(0), on(1, "GETEX ge PX 10"), recv(0),
		on(1, "SET sg v GET"), recv(0), on(1, "GETSET gs v"), recv(0), on(1, "LCS l1 l2"), recv(0), recv(0),
		on(1, "COPY cs cd"), recv(0), on(1, "STRLEN sl"), recv(0), on(1, "GETRANGE gr 0 1"), recv(0),
		on(1, "GETBIT gb 0"), recv(0), on(1, "BITCOUNT bc"), recv(0), on(1, "BITPOS bp 1"), recv(0),
		on(1, "APPEND ap x"), on(1, "INCR in"), on(1, "DEL nothing"), on(1, "RENAME nothing x"),
		on(1, "OBJECT ENCODING oe"), on(1, "OBJECT FREQ of"), on(1, "OBJECT IDLETIME oi"),
		on(1, "MULTI"), on(1, "GET inmulti"), on(1, "EXEC"), recv(0),
		on(1, "GET last"), recv(0),
		onQ(1, "CONFIG", "SET", "notify-keyspace-events", ""),
	},
	"keyspace events": {
		on(1, "CONFIG SET notify-keyspace-events KEA"), on(0, "PSUBSCRIBE __key*__:*"),
		on(1, "SET k v"), recv(0), recv(0), on(1, "EXPIRE k 100"), recv(0), recv(0),
		on(1, "DEL k"), recv(0), recv(0), on(1, "INCRBY n 5"), recv(0), recv(0),
		on(1, "RENAME n m"), recv(0), recv(0), recv(0), recv(0),
		on(1, "CONFIG SET notify-keyspace-events Ex"), on(1, "SET e v PX 10"), mstep{kind: pause}, recv(0),
		on(1, "CONFIG SET notify-keyspace-events \"\""),
	},
}

// waitForMessages is how long a readOnly step waits for a push.
const waitForMessages = 2 * time.Second

func TestDifferentialConnections(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for name, script := range connScripts {
		t.Run(name, func(t *testing.T) {
			var ref, got [3]*rawConn
			for i := range ref {
				ref[i], got[i] = dialRaw(t, redis.Addr), dialRaw(t, ours)
			}
			stats := dialStats(t, redis.Addr, ours)
			ref[0].do("FLUSHALL")
			got[0].do("FLUSHALL")
			stats.reset()
			for i, st := range script {
				r, g := ref[st.conn], got[st.conn]
				switch st.kind {
				case pause:
					time.Sleep(300 * time.Millisecond)
				case sendOnly:
					r.Send(st.args...)
					g.Send(st.args...)
				case readOnly:
					want, have := r.readReplyWithin(waitForMessages), g.readReplyWithin(waitForMessages)
					if want != have {
						t.Errorf("step %d, message on conn %d:\n redis: %q\n   ours: %q", i, st.conn, want, have)
					}
				default:
					asStep := step{mode: st.mode, args: st.args}
					compareStep(t, asStep, r, g)
					// The reply means the server is done with this step and
					// any sent before it on the connection.
					stats.compare(t, asStep)
				}
			}
		})
	}
}

// TestDebugAgainstRedis compares DEBUG's replies with the command enabled
// on both servers. The sleeps are short; times whose conversion C leaves
// undefined (inf, nan, 1e400) are not asked.
func TestDebugAgainstRedis(t *testing.T) {
	ref := dialRaw(t, redistest.Start(t, "enable-debug-command", "yes").Addr)
	got := dialRaw(t, startRealServer(t, "--enable-debug-command", "yes"))
	for _, st := range []step{
		s("DEBUG foo"), q("DEBUG", "a\x00b"), s("DEBUG sleep"), s("DEBUG OBJECT"), s("DEBUG OBJECT missing"),
		s("DEBUG SLEEP 0 extra"), s("DEBUG SLEEP 0"), s("DEBUG SLEEP abc"), s("DEBUG SLEEP -1"), s("DEBUG SLEEP 0.01s"),
		s("DEBUG SLEEP .001"), s("DEBUG SLEEP 1e-3"), q("DEBUG", "SLEEP", " +0.001"), s("DEBUG SLEEP 1e"),
	} {
		compareStep(t, st, ref, got)
	}
}

// TestRefusedWritesAgainstRedis has a background save fail on both servers
// while they have save rules, so that they refuse writes
// (stop-writes-on-bgsave-error): a transaction that queued a write before
// then is refused at EXEC, as the write would be.
func TestRefusedWritesAgainstRedis(t *testing.T) {
	redis := redistest.Start(t, "enable-protected-configs", "yes")
	ours := startRealServer(t, "--enable-protected-configs", "yes")
	var ref, got [2]*rawConn
	for i := range ref {
		ref[i], got[i] = dialRaw(t, redis.Addr), dialRaw(t, ours)
	}
	do := func(conn int, args ...string) {
		t.Helper()
		compareStep(t, step{exact, args}, ref[conn], got[conn])
	}
	// Each server saves into a directory that is then removed.
	refDir, ourDir := t.TempDir(), t.TempDir()
	ref[1].do("CONFIG", "SET", "dir", refDir)
	got[1].do("CONFIG", "SET", "dir", ourDir)
	t.Cleanup(func() {
		ref[1].do("CONFIG", "SET", "save", "")
		got[1].do("CONFIG", "SET", "save", "")
	})
	do(1, "CONFIG", "SET", "save", "3600 1")
	do(1, "CONFIG", "RESETSTAT")
	do(0, "MULTI")
	do(0, "SET", "k", "v")
	for _, dir := range []string{refDir, ourDir} {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	do(1, "BGSAVE")
	for _, c := range []*rawConn{ref[1], got[1]} {
		waitFor(t, func() bool { return strings.Contains(c.do("INFO", "persistence"), "rdb_last_bgsave_status:err") })
	}
	do(1, "SET", "k", "v")
	do(0, "EXEC")
	do(0, "EXISTS", "k")
	// EXEC was refused, not run: Redis counts it as a rejected call.
	execStats := func(c *rawConn) string {
		for _, line := range strings.Split(c.do("INFO", "commandstats"), "\r\n") {
			if rest, ok := strings.CutPrefix(line, "cmdstat_exec:"); ok {
				var kept []string
				for _, f := range strings.Split(rest, ",") {
					if !strings.HasPrefix(f, "usec") {
						kept = append(kept, f)
					}
				}
				return strings.Join(kept, ",")
			}
		}
		return "no EXEC"
	}
	if want, have := execStats(ref[1]), execStats(got[1]); want != have {
		t.Errorf("INFO commandstats of EXEC: redis %s, ours %s", want, have)
	}
}

// TestSaveInProgressAgainstRedis asks for saves while one is in progress:
// redis-server's is slowed down by rdb-key-save-delay, ours holds the save
// claim the test took.
func TestSaveInProgressAgainstRedis(t *testing.T) {
	ref := dialRaw(t, redistest.Start(t).Addr)
	ts := startServer(t)
	got := ts.dial(t)
	ref.do("SET", "k", "v")
	ref.do("CONFIG", "SET", "rdb-key-save-delay", "10000000") // 10 s for the key
	if reply := ref.do("BGSAVE"); reply != "+Background saving started\r\n" {
		t.Fatalf("redis-server BGSAVE: %q", reply)
	}
	t.Cleanup(func() { ref.do("FLUSHALL") }) // which ends Redis's save
	snap, err := ts.startSave()
	if err != nil {
		t.Fatal(err)
	}
	defer ts.finishSave(snap)
	for _, st := range []step{s("BGSAVE"), s("BGSAVE SCHEDULE"), s("SAVE"), s("BGSAVE NOW")} {
		compareStep(t, st, ref, got)
	}
}

// TestClientFlagsAgainstRedis compares the flags field of CLIENT INFO and
// CLIENT LIST, whose other fields differ between the servers: a letter per
// flag, N for none.
func TestClientFlagsAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	flagsOf := func(reply string) string {
		for _, field := range strings.Fields(reply) {
			if v, ok := strings.CutPrefix(field, "flags="); ok {
				return v
			}
		}
		return "none in " + reply
	}
	var ref, got [2]*rawConn
	for i := range ref {
		ref[i], got[i] = dialRaw(t, redis.Addr), dialRaw(t, ours)
	}
	check := func(context string, args ...string) {
		t.Helper()
		if want, have := flagsOf(ref[0].do(args...)), flagsOf(got[0].do(args...)); want != have {
			t.Errorf("%s: flags redis %s, ours %s", context, want, have)
		}
	}
	check("a new client", "CLIENT", "INFO")
	for _, c := range []*rawConn{ref[0], got[0]} {
		c.do("CLIENT", "NO-EVICT", "on")
	}
	check("NO-EVICT on", "CLIENT", "INFO")
	// The other connection subscribes and opens a transaction; the first
	// sees it in CLIENT LIST, where it is the last line.
	last := func(c *rawConn) string {
		lines := strings.Split(strings.TrimSpace(c.do("CLIENT", "LIST")), "\n")
		return lines[len(lines)-1]
	}
	for _, c := range []*rawConn{ref[1], got[1]} {
		c.do("HELLO", "3")
		c.do("SUBSCRIBE", "ch")
		c.do("CLIENT", "NO-EVICT", "on")
		c.do("MULTI")
	}
	if want, have := flagsOf(last(ref[0])), flagsOf(last(got[0])); want != have {
		t.Errorf("subscribed, in MULTI, NO-EVICT on: flags redis %s, ours %s", want, have)
	}
}
