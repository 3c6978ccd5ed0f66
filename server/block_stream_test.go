package server

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Blocked XREAD on the keyspace clock, and many readers and writers at
// once (the differential scripts in diff_blocking_test.go compare the
// replies with redis-server's).

func TestBlockedXReadTimesOutOnTheKeyspaceClock(t *testing.T) {
	ts := startListServer(t, false)
	waiter, forever, other := ts.dial(t), ts.dial(t), ts.dial(t)
	waiter.Send("XREAD", "BLOCK", "5000", "STREAMS", "s", "$")
	waitBlocked(t, other, 1)
	forever.Send("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
	waitBlocked(t, other, 2)
	if got := other.do("INFO", "clients"); !strings.Contains(got, "clients_in_timeout_table:1\r\n") {
		t.Errorf("INFO clients with one timeout: %q", got)
	}
	ts.clock.Advance(4999 * time.Millisecond)
	if got := waiter.readReplyWithin(100 * time.Millisecond); got != "(nothing)" {
		t.Fatalf("XREAD before its timeout: %q", got)
	}
	ts.clock.Advance(time.Millisecond)
	if got := waiter.readReply(); got != "*-1\r\n" {
		t.Errorf("XREAD at its timeout: %q", got)
	}
	ts.clock.Advance(100 * 365 * 24 * time.Hour)
	if got := forever.readReplyWithin(100 * time.Millisecond); got != "(nothing)" {
		t.Fatalf("XREAD BLOCK 0 after a century: %q", got)
	}
	other.do("XADD", "s", "1-1", "f", "v")
	if got := forever.readReply(); got != "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n" {
		t.Errorf("XREAD BLOCK 0 after the XADD: %q", got)
	}
	waitBlocked(t, other, 0)
	if !ts.registryEmpty() {
		t.Error("the registry of blocked clients is not empty")
	}
}

// Many readers blocked on a few streams while writers add to them: every
// reader gets exactly the entries after the ID it gave, no more than
// COUNT, and every entry added is seen by the readers that waited for it.
func TestBlockedXReadManyClients(t *testing.T) {
	ts := startListServer(t, false)
	observer := ts.dial(t)
	const readers, rounds = 12, 5
	keys := []string{"a", "b", "c"}
	for round := 1; round <= rounds; round++ {
		var wg sync.WaitGroup
		replies := make([]string, readers)
		conns := make([]*rawConn, readers)
		for i := range conns {
			conns[i] = ts.dial(t)
			k := keys[i%len(keys)]
			conns[i].Send("XREAD", "COUNT", "2", "BLOCK", "0", "STREAMS", k, "other", "$", "$")
		}
		waitBlocked(t, observer, readers)
		for i := range conns {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				replies[i] = conns[i].readReply()
			}(i)
		}
		writers := make([]*rawConn, len(keys))
		var wwg sync.WaitGroup
		for j, k := range keys {
			writers[j] = ts.dial(t)
			wwg.Add(1)
			go func(c *rawConn, k string) {
				defer wwg.Done()
				for n := 0; n < 3; n++ {
					id := strconv.Itoa(round) + "-" + strconv.Itoa(n)
					if got := c.do("XADD", k, id, "n", id); got != "$"+strconv.Itoa(len(id))+"\r\n"+id+"\r\n" {
						t.Errorf("XADD %s %s: %q", k, id, got)
					}
				}
			}(writers[j], k)
		}
		wwg.Wait()
		wg.Wait()
		for i, r := range replies {
			k := keys[i%len(keys)]
			first := strconv.Itoa(round) + "-0"
			if !strings.HasPrefix(r, "*1\r\n*2\r\n$1\r\n"+k+"\r\n*") || !strings.Contains(r, first) {
				t.Errorf("round %d reader %d on %s: %q", round, i, k, r)
			}
			if strings.Contains(r, strconv.Itoa(round)+"-2") {
				t.Errorf("round %d reader %d got more than COUNT 2: %q", round, i, r)
			}
		}
		waitBlocked(t, observer, 0)
	}
	if !ts.registryEmpty() {
		t.Error("the registry of blocked clients is not empty")
	}
}
