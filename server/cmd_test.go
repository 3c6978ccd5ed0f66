package server

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/db"
)

// Per-command tests against a server whose clock moves only when a step
// says so: expiry is exact and no test sleeps. They need no socket, and
// talk to the server over a pipe. (diff_test.go compares the same commands
// with a real redis-server.)

// scriptStep is a command and its expected reply, or a clock advance.
type scriptStep struct {
	cmd     string        // a command line (fields split on spaces), or ""
	want    string        // its reply, RESP-encoded
	advance time.Duration // when cmd is "", move the clock by this much
}

func runScript(t *testing.T, steps []scriptStep) {
	t.Helper()
	ts := startServer(t)
	c := ts.dialPipe(t)
	for i, st := range steps {
		if st.cmd == "" {
			ts.clock.Advance(st.advance)
			continue
		}
		if got := c.do(strings.Fields(st.cmd)...); got != st.want {
			t.Errorf("step %d %q: got %q, want %q", i, st.cmd, got, st.want)
		}
	}
}

func wait(d time.Duration) scriptStep { return scriptStep{advance: d} }

const (
	ok   = "+OK\r\n"
	null = "$-1\r\n"
	zero = ":0\r\n"
	one  = ":1\r\n"
)

func bulk(s string) string { return "$" + itoa(len(s)) + "\r\n" + s + "\r\n" }

func integer(n int) string { return ":" + itoa(n) + "\r\n" }

func itoa(n int) string {
	neg := n < 0
	if neg {
		n = -n
	}
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		b = append([]byte{'-'}, b...)
	}
	return string(b)
}

func TestSetExpiryOptions(t *testing.T) {
	now := int64(1_700_000_000_000) // the fake clock's start, in ms
	runScript(t, []scriptStep{
		{cmd: "SET a v EX 10", want: ok},
		{cmd: "SET b v PX 1500", want: ok},
		{cmd: "SET c v EXAT " + itoa(int(now/1000)+5), want: ok},
		{cmd: "SET d v PXAT " + itoa(int(now)+2500), want: ok},
		{cmd: "PTTL b", want: integer(1500)},
		{cmd: "TTL a", want: integer(10)},
		wait(1499 * time.Millisecond),
		{cmd: "GET b", want: bulk("v")},
		{cmd: "PTTL b", want: integer(1)},
		{cmd: "TTL b", want: integer(0)},
		wait(time.Millisecond),
		{cmd: "GET b", want: null},
		{cmd: "PTTL b", want: integer(-2)},
		wait(time.Second),
		{cmd: "GET d", want: null},
		{cmd: "TTL c", want: integer(3)}, // 2.5 s left rounds to 3, as (ttl+500)/1000
		wait(2500 * time.Millisecond),
		{cmd: "EXISTS c", want: zero},
		{cmd: "TTL a", want: integer(5)},
		{cmd: "SET a w KEEPTTL", want: ok},
		{cmd: "TTL a", want: integer(5)},
		{cmd: "SET a w", want: ok},
		{cmd: "TTL a", want: integer(-1)},
		// An absolute time in the past stores a key that is already gone.
		{cmd: "SET e v PXAT 1000", want: ok},
		{cmd: "GET e", want: null},
	})
}

func TestSetConditionsAndGet(t *testing.T) {
	runScript(t, []scriptStep{
		{cmd: "SET k v NX", want: ok},
		{cmd: "SET k w NX", want: null},
		{cmd: "SET k w XX GET", want: bulk("v")},
		{cmd: "SET k x NX GET", want: bulk("w")},
		{cmd: "GET k", want: bulk("w")},
		{cmd: "SET missing v XX GET", want: null},
		{cmd: "EXISTS missing", want: zero},
		{cmd: "SETNX k v", want: zero},
		{cmd: "SETNX n v", want: one},
		{cmd: "MSETNX n 1 fresh 2", want: zero},
		{cmd: "EXISTS fresh", want: zero},
		{cmd: "MSETNX fresh 1 fresh2 2", want: one},
		{cmd: "MGET fresh fresh2 none", want: "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n"},
	})
}

func TestGetExAndPersist(t *testing.T) {
	runScript(t, []scriptStep{
		{cmd: "SET k v", want: ok},
		{cmd: "GETEX k PX 100", want: bulk("v")},
		{cmd: "PTTL k", want: integer(100)},
		{cmd: "GETEX k PERSIST", want: bulk("v")},
		{cmd: "PTTL k", want: integer(-1)},
		{cmd: "GETEX k EX 1", want: bulk("v")},
		wait(time.Second),
		{cmd: "GETEX k", want: null},
		{cmd: "SET k v EX 100", want: ok},
		{cmd: "PERSIST k", want: one},
		{cmd: "PERSIST k", want: zero},
		{cmd: "GETDEL k", want: bulk("v")},
		{cmd: "GETDEL k", want: null},
	})
}

func TestExpireCommands(t *testing.T) {
	runScript(t, []scriptStep{
		{cmd: "SET k v", want: ok},
		{cmd: "EXPIRE k 10 XX", want: zero},
		{cmd: "EXPIRE k 10 NX", want: one},
		{cmd: "EXPIRE k 20 NX", want: zero},
		{cmd: "EXPIRE k 5 GT", want: zero},
		{cmd: "EXPIRE k 20 GT", want: one},
		{cmd: "EXPIRE k 30 LT", want: zero},
		{cmd: "PEXPIRE k 15000 LT", want: one},
		{cmd: "PTTL k", want: integer(15000)},
		{cmd: "EXPIRETIME k", want: integer(1_700_000_015)},
		{cmd: "PEXPIRETIME k", want: integer(1_700_000_015_000)},
		wait(14 * time.Second),
		{cmd: "TTL k", want: integer(1)},
		{cmd: "PEXPIREAT k 1700000013500", want: one}, // already past: deletes
		{cmd: "EXISTS k", want: zero},
		{cmd: "SET k v", want: ok},
		{cmd: "EXPIREAT k 1700000100", want: one},
		{cmd: "TTL k", want: integer(86)},
		{cmd: "EXPIRE k -1", want: one},
		{cmd: "EXISTS k", want: zero},
		{cmd: "EXPIRE k 10", want: zero},
	})
}

func TestIncrementsKeepTTL(t *testing.T) {
	runScript(t, []scriptStep{
		{cmd: "SET n 10 EX 100", want: ok},
		{cmd: "INCRBY n 5", want: integer(15)},
		{cmd: "INCRBYFLOAT n 0.5", want: bulk("15.5")},
		{cmd: "APPEND n 0", want: integer(5)},
		{cmd: "GET n", want: bulk("15.50")},
		{cmd: "TTL n", want: integer(100)},
		{cmd: "SETRANGE n 0 9", want: integer(5)},
		{cmd: "SETBIT n 0 1", want: zero},
		{cmd: "TTL n", want: integer(100)},
		wait(100 * time.Second),
		{cmd: "INCR n", want: one}, // the old value expired: INCR starts from 0
		{cmd: "TTL n", want: integer(-1)},
	})
}

func TestRenameCopyMoveKeepDeadlines(t *testing.T) {
	runScript(t, []scriptStep{
		{cmd: "SET k v PX 5000", want: ok},
		{cmd: "RENAME k r", want: ok},
		{cmd: "PTTL r", want: integer(5000)},
		{cmd: "COPY r c", want: one},
		{cmd: "PTTL c", want: integer(5000)},
		{cmd: "MOVE c 3", want: one},
		{cmd: "SELECT 3", want: ok},
		{cmd: "PTTL c", want: integer(5000)},
		wait(5 * time.Second),
		{cmd: "EXISTS c", want: zero},
		{cmd: "SELECT 0", want: ok},
		{cmd: "RENAME r x", want: "-ERR no such key\r\n"},
	})
}

func TestExpiredKeysAreInvisibleEverywhere(t *testing.T) {
	runScript(t, []scriptStep{
		{cmd: "SET a 1 PX 10", want: ok},
		{cmd: "SET b 2", want: ok},
		wait(10 * time.Millisecond),
		{cmd: "KEYS *", want: "*1\r\n$1\r\nb\r\n"},
		{cmd: "SCAN 0 COUNT 100", want: "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nb\r\n"},
		{cmd: "RANDOMKEY", want: bulk("b")},
		{cmd: "MGET a b", want: "*2\r\n$-1\r\n$1\r\n2\r\n"},
		{cmd: "EXISTS a", want: zero},
		{cmd: "TYPE a", want: "+none\r\n"},
		{cmd: "OBJECT ENCODING a", want: null},
		{cmd: "COPY a c", want: zero},
		{cmd: "SETNX a new", want: one},
		{cmd: "GET a", want: bulk("new")},
	})
}

func TestObjectIdletimeFollowsTheClock(t *testing.T) {
	runScript(t, []scriptStep{
		{cmd: "SET k v", want: ok},
		wait(90 * time.Second),
		{cmd: "OBJECT IDLETIME k", want: integer(90)},
		{cmd: "TYPE k", want: "+string\r\n"}, // TYPE does not count as an access
		{cmd: "OBJECT IDLETIME k", want: integer(90)},
		{cmd: "GET k", want: bulk("v")},
		{cmd: "OBJECT IDLETIME k", want: zero},
		wait(5 * time.Second),
		{cmd: "TOUCH k", want: one},
		{cmd: "OBJECT IDLETIME k", want: zero},
	})
}

func TestActiveExpiryNotifiesAndCounts(t *testing.T) {
	ts := startServer(t)
	c := ts.dialPipe(t)
	for i := 0; i < 50; i++ {
		c.do("SET", "k"+itoa(i), "v", "PX", "100")
	}
	ts.clock.Advance(time.Second)
	for ts.store.DB(0).Len() > 0 {
		ts.store.ExpireCycle(db.ExpireLimits{})
	}
	if got := c.do("DBSIZE"); got != zero {
		t.Errorf("DBSIZE after the sweep: %q", got)
	}
	if n := ts.store.ExpiredKeys(); n != 50 {
		t.Errorf("ExpiredKeys = %d, want 50", n)
	}
}

// TestBitRangeErrorOrder checks which error a BITCOUNT or BITPOS range with
// two faults gets, as redis-server 7.0 replies: BITCOUNT reads its end
// before its unit, BITPOS its unit before its end.
func TestBitRangeErrorOrder(t *testing.T) {
	const (
		notInteger = "-ERR value is not an integer or out of range\r\n"
		syntax     = "-ERR syntax error\r\n"
	)
	runScript(t, []scriptStep{
		{cmd: "SET s foobar", want: ok},
		{cmd: "BITCOUNT s 0 x NOPE", want: notInteger},
		{cmd: "BITCOUNT s 0 BIT BIT", want: notInteger},
		{cmd: "BITCOUNT s -1 -2 NOPE", want: zero},
		{cmd: "BITCOUNT s 0", want: syntax},
		{cmd: "BITCOUNT s 1 2 BIT", want: integer(2)},
		{cmd: "BITPOS s 1 0 x NOPE", want: syntax},
		{cmd: "BITPOS s 1 x 1 NOPE", want: notInteger},
		{cmd: "BITPOS s 1 0 x", want: notInteger},
		{cmd: "BITPOS s 1 2 -1 BIT", want: integer(2)},
	})
}

// TestClientListIDsInRequestOrder checks that CLIENT LIST ID lists the
// clients in the order the request names them, once per mention, as Redis
// 7.0 does (the differential scripts cannot show it: the two servers
// number their clients differently).
func TestClientListIDsInRequestOrder(t *testing.T) {
	ts := startServer(t)
	a, b := ts.dial(t), ts.dial(t)
	idOf := func(c *rawConn) string { return strings.Trim(c.do("CLIENT", "ID"), ":\r\n") }
	ia, ib := idOf(a), idOf(b)
	var got []string
	for _, line := range strings.Split(a.do("CLIENT", "LIST", "ID", ib, "999999", ia, ib), "\n") {
		if rest, ok := strings.CutPrefix(line, "id="); ok {
			got = append(got, strings.Fields(rest)[0])
		}
	}
	if want := []string{ib, ia, ib}; !slices.Equal(got, want) {
		t.Errorf("CLIENT LIST ID %s 999999 %s %s listed IDs %q, want %q", ib, ia, ib, got, want)
	}
}
