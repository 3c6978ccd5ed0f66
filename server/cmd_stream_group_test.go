package server

import (
	"strconv"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/frame"
)

// Tests of the consumer group bookkeeping on the injected clock: delivery
// and idle times are exact here, where the differential tests compare
// them within a tolerance.

// TestStreamGroupPELOnClock follows entries through deliveries, claims,
// automatic claims and acknowledgements, checking the pending entries
// lists (the group's and each consumer's), the delivery counts and the
// idle times at every step.
func TestStreamGroupPELOnClock(t *testing.T) {
	ts := startServer(t)
	c := ts.dial(t)
	const t0 = 1_700_000_000_000
	for _, st := range []struct {
		advance time.Duration
		args    []string
		want    string
	}{
		{0, []string{"XADD", "s", "1-1", "f", "1"}, "$3\r\n1-1\r\n"},
		{0, []string{"XADD", "s", "2-1", "f", "2"}, "$3\r\n2-1\r\n"},
		{0, []string{"XADD", "s", "3-1", "f", "3"}, "$3\r\n3-1\r\n"},
		{0, []string{"XGROUP", "CREATE", "s", "g", "0"}, "+OK\r\n"},
		{0, []string{"XREADGROUP", "GROUP", "g", "a", "COUNT", "2", "STREAMS", "s", ">"},
			"*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nf\r\n$1\r\n2\r\n"},
		{100 * time.Millisecond, []string{"XREADGROUP", "GROUP", "g", "b", "STREAMS", "s", ">"},
			"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nf\r\n$1\r\n3\r\n"},
		{50 * time.Millisecond, []string{"XPENDING", "s", "g", "-", "+", "10"},
			"*3\r\n*4\r\n$3\r\n1-1\r\n$1\r\na\r\n:150\r\n:1\r\n*4\r\n$3\r\n2-1\r\n$1\r\na\r\n:150\r\n:1\r\n" +
				"*4\r\n$3\r\n3-1\r\n$1\r\nb\r\n:50\r\n:1\r\n"},
		{0, []string{"XPENDING", "s", "g", "IDLE", "100", "-", "+", "10"},
			"*2\r\n*4\r\n$3\r\n1-1\r\n$1\r\na\r\n:150\r\n:1\r\n*4\r\n$3\r\n2-1\r\n$1\r\na\r\n:150\r\n:1\r\n"},
		{0, []string{"XPENDING", "s", "g"},
			"*4\r\n:3\r\n$3\r\n1-1\r\n$3\r\n3-1\r\n*2\r\n*2\r\n$1\r\na\r\n$1\r\n2\r\n*2\r\n$1\r\nb\r\n$1\r\n1\r\n"},
		// Only the entries idle for 120 ms are claimed; the claim is a
		// delivery, which counts and restarts the idle time.
		{0, []string{"XCLAIM", "s", "g", "b", "120", "1-1", "3-1", "JUSTID"}, "*1\r\n$3\r\n1-1\r\n"},
		{10 * time.Millisecond, []string{"XPENDING", "s", "g", "-", "+", "10", "b"},
			"*2\r\n*4\r\n$3\r\n1-1\r\n$1\r\nb\r\n:10\r\n:1\r\n*4\r\n$3\r\n3-1\r\n$1\r\nb\r\n:60\r\n:1\r\n"},
		{0, []string{"XCLAIM", "s", "g", "c", "0", "1-1", "IDLE", "500", "RETRYCOUNT", "9"},
			"*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n"},
		{0, []string{"XPENDING", "s", "g", "-", "+", "1"}, "*1\r\n*4\r\n$3\r\n1-1\r\n$1\r\nc\r\n:500\r\n:9\r\n"},
		// A consumer's history read delivers again.
		{5 * time.Millisecond, []string{"XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", "0"},
			"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nf\r\n$1\r\n2\r\n"},
		{0, []string{"XPENDING", "s", "g", "-", "+", "10", "a"}, "*1\r\n*4\r\n$3\r\n2-1\r\n$1\r\na\r\n:0\r\n:2\r\n"},
		// XAUTOCLAIM takes what is idle long enough, and drops the
		// pending entries of deleted entries.
		{0, []string{"XDEL", "s", "3-1"}, ":1\r\n"},
		{0, []string{"XAUTOCLAIM", "s", "g", "d", "60", "0"},
			"*3\r\n$3\r\n0-0\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n*1\r\n$3\r\n3-1\r\n"},
		{0, []string{"XPENDING", "s", "g"},
			"*4\r\n:2\r\n$3\r\n1-1\r\n$3\r\n2-1\r\n*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nd\r\n$1\r\n1\r\n"},
		{0, []string{"XPENDING", "s", "g", "-", "+", "1"}, "*1\r\n*4\r\n$3\r\n1-1\r\n$1\r\nd\r\n:0\r\n:10\r\n"},
		{0, []string{"XACK", "s", "g", "1-1", "2-1", "3-1"}, ":2\r\n"},
		{0, []string{"XPENDING", "s", "g"}, "*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n"},
		// Each consumer was last seen when a command named it.
		{7 * time.Millisecond, []string{"XINFO", "CONSUMERS", "s", "g"},
			"*4\r\n" +
				"*6\r\n$4\r\nname\r\n$1\r\na\r\n$7\r\npending\r\n:0\r\n$4\r\nidle\r\n:7\r\n" +
				"*6\r\n$4\r\nname\r\n$1\r\nb\r\n$7\r\npending\r\n:0\r\n$4\r\nidle\r\n:22\r\n" +
				"*6\r\n$4\r\nname\r\n$1\r\nc\r\n$7\r\npending\r\n:0\r\n$4\r\nidle\r\n:12\r\n" +
				"*6\r\n$4\r\nname\r\n$1\r\nd\r\n$7\r\npending\r\n:0\r\n$4\r\nidle\r\n:7\r\n"},
		{0, []string{"XGROUP", "DELCONSUMER", "s", "g", "a"}, ":0\r\n"},
		{0, []string{"XINFO", "GROUPS", "s"},
			"*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:3\r\n$7\r\npending\r\n:0\r\n" +
				"$17\r\nlast-delivered-id\r\n$3\r\n3-1\r\n$12\r\nentries-read\r\n:3\r\n$3\r\nlag\r\n:0\r\n"},
	} {
		ts.clock.Advance(st.advance)
		if got := c.do(st.args...); got != st.want {
			t.Errorf("%q at +%d ms:\n got %q\nwant %q", st.args, ts.clock.Now().UnixMilli()-t0, got, st.want)
		}
	}
}

// TestXReadGroupBlockOnClock checks that a blocked XREADGROUP times out on
// the injected clock, and that readers blocked on one group are served in
// the order they blocked, each with entries no other got.
func TestXReadGroupBlockOnClock(t *testing.T) {
	ts := startServer(t)
	ctl := ts.dial(t)
	ctl.do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
	r := ts.dial(t)
	r.Send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "5000", "STREAMS", "s", ">")
	waitFor(t, func() bool { return ts.blockedClients() == 1 })
	ts.clock.Advance(4999 * time.Millisecond)
	if got := r.readReplyWithin(50 * time.Millisecond); got != "(nothing)" {
		t.Fatalf("XREADGROUP replied %q before its timeout", got)
	}
	ts.clock.Advance(time.Millisecond)
	if got := r.readReplyWithin(waitForMessages); got != "*-1\r\n" {
		t.Fatalf("XREADGROUP at its timeout: %q", got)
	}
	readers := make([]*rawConn, 3)
	for i := range readers {
		readers[i] = ts.dial(t)
		readers[i].Send("XREADGROUP", "GROUP", "g", "c"+strconv.Itoa(i), "COUNT", "1", "BLOCK", "0", "STREAMS", "s", ">")
		waitFor(t, func() bool { return ts.blockedClients() == int64(i+1) })
	}
	for i := range readers {
		id := strconv.Itoa(i+1) + "-1"
		ctl.do("XADD", "s", id, "f", "v")
		want := "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n" + id + "\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
		if got := readers[i].readReplyWithin(waitForMessages); got != want {
			t.Errorf("reader %d: %q, want %q", i, got, want)
		}
	}
	if got := ctl.do("XPENDING", "s", "g"); got != "*4\r\n:3\r\n$3\r\n1-1\r\n$3\r\n3-1\r\n*3\r\n"+
		"*2\r\n$2\r\nc0\r\n$1\r\n1\r\n*2\r\n$2\r\nc1\r\n$1\r\n1\r\n*2\r\n$2\r\nc2\r\n$1\r\n1\r\n" {
		t.Errorf("XPENDING after the blocked reads: %q", got)
	}
}

// BenchmarkXReadGroupAck times a consumer's cycle through the whole
// server: XADD of an entry, XREADGROUP of it, XACK of it, pipelined.
//
//	go test ./server -run '^$' -bench XReadGroupAck -benchmem
func BenchmarkXReadGroupAck(b *testing.B) {
	ts := startServerConfig(b, mustTestConfig(b), nil)
	c := ts.dial(b)
	c.do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
	b.ReportAllocs()
	b.ResetTimer()
	var out []byte
	const batch = 32
	for i := 0; i < b.N; {
		n := min(batch, b.N-i)
		out = out[:0]
		for j := range n {
			id := []byte(strconv.Itoa(i+j+1) + "-1")
			out = frame.AppendCommand(out, []byte("XADD"), []byte("s"), id, []byte("f"), []byte("v"))
			out = frame.AppendCommand(out, []byte("XREADGROUP"), []byte("GROUP"), []byte("g"), []byte("c"),
				[]byte("COUNT"), []byte("1"), []byte("STREAMS"), []byte("s"), []byte(">"))
			out = frame.AppendCommand(out, []byte("XACK"), []byte("s"), []byte("g"), id)
		}
		c.SendRaw(out)
		for range 3 * n {
			if f := c.Read(); f.IsError() {
				b.Fatalf("%s", f.Str)
			}
		}
		i += n
	}
}

// TestXReadGroupBlockedStreamExpires checks that a blocked XREADGROUP
// whose stream expires gets Redis's UNBLOCKED error, as for a DEL.
func TestXReadGroupBlockedStreamExpires(t *testing.T) {
	ts := startServer(t)
	ctl := ts.dial(t)
	ctl.do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
	ctl.do("PEXPIRE", "s", "100")
	r := ts.dial(t)
	r.Send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
	waitFor(t, func() bool { return ts.blockedClients() == 1 })
	ts.clock.Advance(200 * time.Millisecond)
	if got := ctl.do("EXISTS", "s"); got != ":0\r\n" {
		t.Fatalf("EXISTS s after its deadline: %q", got)
	}
	if got := r.readReplyWithin(waitForMessages); got != "-"+errXReadGroupNoKey+"\r\n" {
		t.Errorf("blocked XREADGROUP when its stream expired: %q", got)
	}
}
