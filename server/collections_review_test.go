package server

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// Tests from a review of the list, hash and set commands: replies and
// side effects compared with redis-server where it can answer, and the
// bounds (memory, lock hold times) that it cannot show.

// TestSRandMemberHugeCount asks, as TestHRandFieldHugeCount does of
// HRANDFIELD, for more repeated members than any machine could hold: the
// reply streams out with the set's lock released, whatever the set's
// encoding, and stops when the client goes away.
func TestSRandMemberHugeCount(t *testing.T) {
	for _, tc := range []struct {
		name    string
		members []string
	}{
		{"intset", []string{"1", "2"}},
		{"hashtable", []string{"a", "b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, clock := testConfig(t)
			ts := startServerConfig(t, cfg, clock)
			c := ts.dial(t)
			c.do(append([]string{"SADD", "s"}, tc.members...)...)
			nc := ts.dial(t).NetConn()
			if _, err := nc.Write(appendRequest(nil, []string{"SRANDMEMBER", "s", "-9223372036854775807"})); err != nil {
				t.Fatal(err)
			}
			nc.SetReadDeadline(time.Now().Add(hangTimeout))
			buf := make([]byte, 8<<20)
			if _, err := io.ReadFull(nc, buf); err != nil {
				t.Fatal(err)
			}
			head := "*9223372036854775807\r\n"
			if !strings.HasPrefix(string(buf), head) {
				t.Fatalf("reply begins %q", buf[:64])
			}
			// Each member is "$1\r\nX\r\n".
			for i := len(head); i+7 <= len(buf); i += 7 {
				e := string(buf[i : i+7])
				if e != bulk(tc.members[0]) && e != bulk(tc.members[1]) {
					t.Fatalf("at byte %d: %q", i, e)
				}
			}
			if got := c.do("SADD", "s", "c"); got != ":1\r\n" {
				t.Errorf("SADD while the reply streams: %q", got)
			}
			if got := c.do("FLUSHALL"); got != "+OK\r\n" {
				t.Errorf("FLUSHALL while the reply streams: %q", got)
			}
			nc.Close()
			waitFor(t, func() bool { return strings.Count(c.do("CLIENT", "LIST"), "id=") == 1 })
		})
	}
}

// TestSRandMemberHugeCountNoReply: with CLIENT REPLY OFF, such a reply is
// not built at all.
func TestSRandMemberHugeCountNoReply(t *testing.T) {
	cfg, clock := testConfig(t)
	c := startServerConfig(t, cfg, clock).dial(t)
	c.do("SADD", "s", "a")
	c.Send("CLIENT", "REPLY", "OFF")
	c.Send("SRANDMEMBER", "s", "-9223372036854775807")
	if got := c.do("CLIENT", "REPLY", "ON"); got != "+OK\r\n" {
		t.Fatalf("CLIENT REPLY ON: %q", got)
	}
}

// TestCollectionWatchAgainstRedis checks that a transaction watching only
// the key named by watch fails exactly when it fails on redis-server,
// after setup then change from another connection.
func TestCollectionWatchAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for _, tc := range []struct{ setup, watch, change string }{
		// SMOVE signals its destination only when the member is new there
		// (smoveCommand's signalModifiedKey on dst follows setTypeAdd).
		{"SADD s a b;SADD d a", "d", "SMOVE s d a"},
		{"SADD s a b;SADD d x", "d", "SMOVE s d a"},
		{"SADD s a b", "d", "SMOVE s d a"},
		{"SADD s a b;SADD d a", "s", "SMOVE s d a"},
		{"SADD s a;SADD d a", "s", "SMOVE s d a"},
		{"SADD s a b;SADD d a", "d", "SMOVE s d zz"},
	} {
		results := [2]string{}
		for i, addr := range []string{redis.Addr, ours} {
			a, b := dialRaw(t, addr), dialRaw(t, addr)
			a.do("FLUSHALL")
			for _, cmd := range strings.Split(tc.setup, ";") {
				a.do(strings.Fields(cmd)...)
			}
			a.do("WATCH", tc.watch)
			b.do(strings.Fields(tc.change)...)
			a.do("MULTI")
			a.do("PING")
			results[i] = a.do("EXEC")
		}
		if results[0] != results[1] {
			t.Errorf("%s; WATCH %s; %s: EXEC on redis %q, ours %q", tc.setup, tc.watch, tc.change, results[0], results[1])
		}
	}
}

// collectionEdges are replies at the edges of what the arguments allow:
// indexes and counts at the int64 limits, empty and binary arguments.
var collectionEdges = []step{
	s("RPUSH l a b c d e"),
	s("LINDEX l 9223372036854775807"), s("LINDEX l -9223372036854775808"), s("LINDEX l -1"), s("LINDEX l -5"), s("LINDEX l -6"),
	s("LRANGE l -9223372036854775808 9223372036854775807"), s("LRANGE l 9223372036854775807 -9223372036854775808"),
	s("LRANGE l -3 9223372036854775807"), s("LRANGE l 4 4"), s("LRANGE l 5 9223372036854775807"),
	s("LSET l 9223372036854775807 x"), s("LSET l -9223372036854775808 x"), s("LSET l -5 x"), s("LRANGE l 0 -1"),
	s("LPOP l 0"), s("LPOP nol 0"), s("LPOP nol 9223372036854775807"), s("RPOP l 9223372036854775807"),
	s("RPUSH l a b c d e"),
	s("LREM l 9223372036854775807 a"), s("LREM l -9223372036854775808 b"), s("LRANGE l 0 -1"),
	s("LINSERT l BEFORE zz x"), q("LINSERT", "l", "AFTER", "e", ""), q("LINSERT", "l", "BEFORE", "", "y"),
	s("LTRIM l -9223372036854775808 9223372036854775807"), s("LRANGE l 0 -1"),
	s("LTRIM l 1 -2"), s("LRANGE l 0 -1"), s("LTRIM l 9223372036854775807 -9223372036854775808"), s("EXISTS l"),
	q("RPUSH", "bl", "", "\x00\r\n"), q("LPOS", "bl", ""), q("LPOS", "bl", "\x00\r\n"), q("LRANGE", "bl", "0", "-1"),
	s("LMPOP 1 nol LEFT COUNT 9223372036854775807"), s("RPUSH m a b"), s("LMPOP 1 m RIGHT COUNT 9223372036854775807"),
	s("SADD s 1 2 3"), s("SPOP s 9223372036854775807"), s("SPOP nos 9223372036854775807"), s("SPOP s -1"),
	s("SADD s 1 2 3"), s("SRANDMEMBER s 9223372036854775807"), s("SRANDMEMBER s -9223372036854775808"),
	s("SRANDMEMBER nos -9223372036854775807"), s("SRANDMEMBER nos"), s("SPOP nos"),
	s("SINTERCARD 1 s LIMIT 9223372036854775807"), s("SINTERCARD 1 s LIMIT 0"), s("SINTERCARD 2 s nos"),
	q("SADD", "bs", "", "\x00"), q("SISMEMBER", "bs", ""), q("SMISMEMBER", "bs", "", "x"), s("SCARD bs"),
	s("SMOVE s s 1"), s("SMOVE s nos2 9"), s("SMEMBERS nos"), s("SINTER nos s"), s("SUNION nos"), s("SDIFF nos s"),
	s("HSET h f v"), s("HRANDFIELD h 9223372036854775807"), s("HRANDFIELD h 4611686018427387903 WITHVALUES"),
	s("HRANDFIELD noh -9223372036854775807"), s("HRANDFIELD noh"), s("HGETALL noh"), s("HGETALL h"),
	s("HRANDFIELD h 1 WITHVALUES"), s("HRANDFIELD h -1 WITHVALUES"), s("HRANDFIELD h -2 WITHVALUES"),
	q("HSET", "h", "", ""), q("HGET", "h", ""), q("HSTRLEN", "h", ""), q("HEXISTS", "h", ""), q("HDEL", "h", "", "f"),
	s("HINCRBY h n 9223372036854775807"), s("HINCRBY h n 1"), s("HINCRBY h n -9223372036854775808"),
	s("HINCRBYFLOAT h x 1.5e308"), s("HINCRBYFLOAT h x 1.5e308"), s("HMGET noh a b"),
	s("MEMORY USAGE nokey"), s("MEMORY USAGE h SAMPLES -1"), s("MEMORY USAGE h SAMPLES x"), s("MEMORY USAGE h SAMPLES"),
}

// TestCollectionEdgesAgainstRedis compares collectionEdges with
// redis-server, in RESP2 and RESP3.
func TestCollectionEdgesAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			ref, got := dialPair(t, redis.Addr, ours, proto)
			ref.do("FLUSHALL")
			got.do("FLUSHALL")
			for _, st := range collectionEdges {
				compareStep(t, st, ref, got)
			}
		})
	}
}
