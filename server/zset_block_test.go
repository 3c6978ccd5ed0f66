package server

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Tests of the blocking sorted set pops on the injected clock, with
// several clients: what diff_zset_blocking_test.go cannot do against a
// real redis-server (moving the clock, looking into the registry, racing).

func TestBlockedZPopIsServedByAnAdd(t *testing.T) {
	ts := startListServer(t, false)
	waiter, adder := ts.dial(t), ts.dial(t)
	for _, tc := range []struct {
		block []string
		add   [][]string
		want  string // the waiter's reply
		left  string // ZRANGE k 0 -1 WITHSCORES right after the add
	}{
		{[]string{"BZPOPMIN", "k", "0"}, [][]string{{"ZADD", "k", "2", "b", "1", "a"}},
			"*3\r\n$1\r\nk\r\n$1\r\na\r\n$1\r\n1\r\n", "*2\r\n$1\r\nb\r\n$1\r\n2\r\n"},
		{[]string{"BZPOPMAX", "x", "k", "0"}, [][]string{{"ZADD", "k", "2", "b", "1", "a"}},
			"*3\r\n$1\r\nk\r\n$1\r\nb\r\n$1\r\n2\r\n", "*2\r\n$1\r\na\r\n$1\r\n1\r\n"},
		{[]string{"BZMPOP", "0", "1", "k", "MAX", "COUNT", "5"}, [][]string{{"ZADD", "k", "2", "b", "1", "a"}},
			"*2\r\n$1\r\nk\r\n*2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n", "*0\r\n"},
		// A store creates the key, and so makes it ready.
		{[]string{"BZPOPMIN", "k", "0"}, [][]string{{"SADD", "s", "m"}, {"ZUNIONSTORE", "k", "1", "s"}},
			"*3\r\n$1\r\nk\r\n$1\r\nm\r\n$1\r\n1\r\n", "*0\r\n"},
		// So does a transaction, once it has run.
		{[]string{"BZPOPMIN", "k", "0"}, [][]string{{"MULTI"}, {"ZADD", "k", "1", "a"}, {"ZADD", "k", "0", "z"}, {"EXEC"}},
			"*3\r\n$1\r\nk\r\n$1\r\nz\r\n$1\r\n0\r\n", "*2\r\n$1\r\na\r\n$1\r\n1\r\n"},
	} {
		adder.do("DEL", "k")
		waiter.Send(tc.block...)
		waitBlocked(t, adder, 1)
		for _, cmd := range tc.add {
			adder.do(cmd...)
		}
		// Served before the adder's next command runs.
		if got := adder.do("ZRANGE", "k", "0", "-1", "WITHSCORES"); got != tc.left {
			t.Errorf("%q: ZRANGE after the add: %q, want %q", tc.block, got, tc.left)
		}
		if got := waiter.readReply(); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.block, got, tc.want)
		}
	}
}

func TestBlockedZPopTimesOutOnTheKeyspaceClock(t *testing.T) {
	ts := startListServer(t, false)
	long, short, forever, other := ts.dial(t), ts.dial(t), ts.dial(t), ts.dial(t)
	long.Send("BZPOPMIN", "k", "5")
	waitBlocked(t, other, 1)
	short.Send("BZMPOP", "0.2501", "2", "k", "k2", "MIN")
	waitBlocked(t, other, 2)
	forever.Send("BZPOPMAX", "k", "0")
	waitBlocked(t, other, 3)
	if got := other.do("INFO", "clients"); !strings.Contains(got, "clients_in_timeout_table:2\r\n") {
		t.Errorf("INFO clients with two timeouts: %q", got)
	}
	ts.clock.Advance(250 * time.Millisecond) // 250.1 ms rounds up to 251
	if got := short.readReplyWithin(100 * time.Millisecond); got != "(nothing)" {
		t.Fatalf("BZMPOP 0.2501 after 250 ms: %q", got)
	}
	ts.clock.Advance(time.Millisecond)
	if got := short.readReply(); got != "*-1\r\n" {
		t.Errorf("BZMPOP 0.2501 after 251 ms: %q", got)
	}
	ts.clock.Advance(4748 * time.Millisecond)
	if got := long.readReplyWithin(100 * time.Millisecond); got != "(nothing)" {
		t.Fatalf("BZPOPMIN 5 before its timeout: %q", got)
	}
	ts.clock.Advance(time.Millisecond)
	if got := long.readReply(); got != "*-1\r\n" {
		t.Errorf("BZPOPMIN 5 at its timeout: %q", got)
	}
	ts.clock.Advance(100 * 365 * 24 * time.Hour)
	if got := forever.readReplyWithin(100 * time.Millisecond); got != "(nothing)" {
		t.Fatalf("BZPOPMAX 0 after a century: %q", got)
	}
	other.do("ZADD", "k", "1", "v")
	if got := forever.readReply(); got != "*3\r\n$1\r\nk\r\n$1\r\nv\r\n$1\r\n1\r\n" {
		t.Errorf("BZPOPMAX 0 after the add: %q", got)
	}
}

// A list's waiters are served from a list and a sorted set's from a sorted
// set, each in the order they blocked; a waiter of the other type keeps
// its place in the queue.
func TestListAndZSetWaitersOnOneKey(t *testing.T) {
	ts := startListServer(t, false)
	other := ts.dial(t)
	cmds := [][]string{
		{"BLPOP", "k", "0"}, {"BZPOPMIN", "k", "0"}, {"BRPOP", "k", "0"}, {"BZMPOP", "0", "1", "k", "MAX", "COUNT", "2"},
	}
	var conns []*rawConn
	for i, cmd := range cmds {
		c := ts.dial(t)
		c.Send(cmd...)
		waitBlocked(t, other, i+1)
		conns = append(conns, c)
	}
	bk := blockKey{0, "k"}
	if w := ts.blocking.first(bk, true); w == nil || w.op != opZPop {
		t.Fatalf("first sorted set waiter: %+v", w)
	}
	if w := ts.blocking.first(bk, false); w == nil || w.op != opPop || !w.fromLeft {
		t.Fatalf("first list waiter: %+v", w)
	}
	other.do("ZADD", "k", "1", "a", "2", "b", "3", "c", "4", "d")
	for i, want := range map[int]string{
		1: "*3\r\n$1\r\nk\r\n$1\r\na\r\n$1\r\n1\r\n",
		3: "*2\r\n$1\r\nk\r\n*2\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n",
	} {
		if got := conns[i].readReply(); got != want {
			t.Errorf("%q: %q, want %q", cmds[i], got, want)
		}
	}
	waitBlocked(t, other, 2)
	if got := other.do("ZRANGE", "k", "0", "-1"); got != "*1\r\n$1\r\nb\r\n" {
		t.Errorf("ZRANGE after serving: %q", got)
	}
	other.do("DEL", "k")
	other.do("RPUSH", "k", "x")
	if got := conns[0].readReply(); got != "*2\r\n$1\r\nk\r\n$1\r\nx\r\n" {
		t.Errorf("BLPOP: %q", got)
	}
	if got := conns[2].readReplyWithin(50 * time.Millisecond); got != "(nothing)" {
		t.Errorf("BRPOP before the second push: %q", got)
	}
	other.do("RPUSH", "k", "y")
	if got := conns[2].readReply(); got != "*2\r\n$1\r\nk\r\n$1\r\ny\r\n" {
		t.Errorf("BRPOP: %q", got)
	}
	waitBlocked(t, other, 0)
	if !ts.registryEmpty() {
		t.Error("the registry of blocked clients is not empty")
	}
}

// A client blocked on a sorted set that disconnects, or is killed, leaves
// nothing behind, and the members added afterwards stay.
func TestBlockedZPopClientsThatLeaveLeaveNoTrace(t *testing.T) {
	ts := startListServer(t, false)
	observer := ts.dial(t)
	commands := [][]string{
		{"BZPOPMIN", "k", "0"}, {"BZPOPMAX", "k", "other", "10"}, {"BZMPOP", "0", "2", "k", "k", "MIN", "COUNT", "3"},
		{"BZPOPMIN", "k", "0.5"}, {"BZPOPMAX", "k", "0"}, {"BZMPOP", "5", "1", "k", "MAX"},
	}
	var conns []*rawConn
	for i, cmd := range commands {
		c := ts.dial(t)
		if i%2 == 1 {
			c.do("SELECT", "1")
		}
		c.Send(cmd...)
		if i == 0 {
			c.Send("SET", "ran", "1") // waits behind the BZPOPMIN
		}
		conns = append(conns, c)
		waitBlocked(t, observer, i+1)
	}
	for _, c := range conns[:3] {
		c.NetConn().Close()
	}
	waitBlocked(t, observer, len(commands)-3)
	for _, line := range strings.Split(observer.do("CLIENT", "LIST"), "\n") {
		if strings.Contains(line, "flags=b") {
			id := strings.TrimPrefix(strings.Fields(line)[0], "id=")
			if got := observer.do("CLIENT", "KILL", "ID", id); got != ":1\r\n" {
				t.Errorf("CLIENT KILL ID %s: %q", id, got)
			}
		}
	}
	waitBlocked(t, observer, 0)
	ts.waitNoBlockedGoroutines(t)
	if !ts.registryEmpty() {
		t.Error("the registry of blocked clients is not empty")
	}
	for _, db := range []string{"0", "1"} {
		observer.do("SELECT", db)
		if got := observer.do("ZADD", "k", "1", "v"); got != ":1\r\n" {
			t.Errorf("ZADD in db %s after the clients left: %q", db, got)
		}
		if got := observer.do("ZCARD", "k"); got != ":1\r\n" {
			t.Errorf("ZCARD in db %s after the clients left: %q", db, got)
		}
	}
	observer.do("SELECT", "0")
	if got := observer.do("EXISTS", "ran"); got != ":0\r\n" {
		t.Errorf("EXISTS ran: %q; a command sent behind BZPOPMIN ran after its client left", got)
	}
	for i, c := range conns[3:] {
		if got, _ := c.readUntilClose(); got != "" {
			t.Errorf("killed blocked client %d got %q", i, got)
		}
	}
}

// TestZSetBlockingStress has adders and poppers race on a few keys, with
// list poppers waiting on the same keys, clients unblocked under them and
// the clock moving past their timeouts: every member added is popped
// once, or is still in a sorted set, never lost nor duplicated; and no
// list waiter ever gets one.
func TestZSetBlockingStress(t *testing.T) {
	ts := startListServer(t, false)
	const (
		adders   = 4
		perAdder = 300
		poppers  = 4
	)
	keys := []string{"k0", "k1", "k2"}
	var mu sync.Mutex
	popped := map[string]int{}
	errs := make(chan error, 100)
	fail := func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	var ids []string
	var popWG, wg sync.WaitGroup
	done := make(chan struct{})
	for p := range poppers {
		conn, err := dialStress(ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.close()
		id, err := conn.do("CLIENT", "ID")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, strconv.FormatInt(id.Int, 10))
		popWG.Add(1)
		go func() {
			defer popWG.Done()
			rng := rand.New(rand.NewPCG(uint64(p), 3))
			for {
				select {
				case <-done:
					return
				default:
				}
				timeout := "0.005"
				if rng.IntN(3) == 0 {
					timeout = "0.02"
				}
				var args []string
				switch rng.IntN(3) {
				case 0:
					args = append([]string{"BZPOPMIN"}, append(shuffled(rng, keys), timeout)...)
				case 1:
					args = append([]string{"BZPOPMAX"}, append(shuffled(rng, keys), timeout)...)
				default:
					args = append([]string{"BZMPOP", timeout, strconv.Itoa(len(keys))}, shuffled(rng, keys)...)
					args = append(args, "MIN", "COUNT", strconv.Itoa(1+rng.IntN(4)))
				}
				f, err := conn.do(args...)
				if err != nil {
					fail(fmt.Errorf("%q: %v", args, err))
					return
				}
				var got []string
				switch {
				case f.IsError() && strings.HasPrefix(f.Text(), "UNBLOCKED"), f.IsNull():
					continue
				case f.IsError():
					fail(fmt.Errorf("%q: %s", args, f.Text()))
					return
				case args[0] == "BZMPOP":
					for _, pair := range f.Elems[1].Elems {
						got = append(got, pair.Elems[0].Text())
					}
				default:
					got = []string{f.Elems[1].Text()}
				}
				mu.Lock()
				for _, m := range got {
					popped[m]++
				}
				mu.Unlock()
			}
		}()
	}
	// List waiters on the same keys, blocked while they are empty, which
	// never get a member.
	listConn, err := dialStress(ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer listConn.close()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			f, err := listConn.do(append(append([]string{"BLPOP"}, keys...), "0.003")...)
			if err == nil && f.IsError() && strings.HasPrefix(f.Text(), "WRONGTYPE") {
				continue // it found a sorted set
			}
			if err != nil || !f.IsNull() {
				fail(fmt.Errorf("BLPOP on sorted sets: %v %q", err, f.Text()))
				return
			}
		}
	}()
	// The unblocker and the clock move under the poppers.
	wg.Add(1)
	go func() {
		defer wg.Done()
		conn, err := dialStress(ts.addr)
		if err != nil {
			fail(err)
			return
		}
		defer conn.close()
		rng := rand.New(rand.NewPCG(8, 3))
		for {
			select {
			case <-done:
				return
			case <-time.After(300 * time.Microsecond):
			}
			mode := "TIMEOUT"
			if rng.IntN(2) == 0 {
				mode = "ERROR"
			}
			if _, err := conn.do("CLIENT", "UNBLOCK", ids[rng.IntN(len(ids))], mode); err != nil {
				fail(err)
				return
			}
		}
	}()
	// The clock moves until every popper has stopped: they stop when
	// their timeouts pass.
	clockDone := make(chan struct{})
	defer close(clockDone)
	go func() {
		for {
			select {
			case <-clockDone:
				return
			case <-time.After(100 * time.Microsecond):
				ts.clock.Advance(time.Millisecond)
			}
		}
	}()
	var addWG sync.WaitGroup
	for a := range adders {
		conn, err := dialStress(ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.close()
		addWG.Add(1)
		go func() {
			defer addWG.Done()
			rng := rand.New(rand.NewPCG(uint64(a), 13))
			for i := 0; i < perAdder; {
				n := min(1+rng.IntN(3), perAdder-i)
				args := []string{"ZADD", keys[rng.IntN(len(keys))]}
				for j := range n {
					args = append(args, strconv.Itoa(rng.IntN(5)), fmt.Sprintf("a%d-%d", a, i+j))
				}
				i += n
				inMulti := rng.IntN(4) == 0
				for _, cmd := range [][]string{{"MULTI"}, args, {"EXEC"}} {
					if (cmd[0] == "MULTI" || cmd[0] == "EXEC") && !inMulti {
						continue
					}
					if _, err := conn.do(cmd...); err != nil {
						fail(err)
						return
					}
				}
			}
		}()
	}
	addWG.Wait()
	close(done)
	finished := make(chan struct{})
	go func() { popWG.Wait(); wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(hangTimeout):
		t.Fatal("poppers still blocked after the adders stopped")
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// What is left in the sets counts as not popped yet.
	for _, k := range keys {
		f, err := listConn.do("ZRANGE", k, "0", "-1")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range f.Elems {
			popped[e.Text()]++
		}
	}
	for a := range adders {
		for i := range perAdder {
			m := fmt.Sprintf("a%d-%d", a, i)
			if n := popped[m]; n != 1 {
				t.Errorf("member %s seen %d times", m, n)
			}
			delete(popped, m)
		}
	}
	for m, n := range popped {
		t.Errorf("member %q, never added, seen %d times", m, n)
	}
	ts.waitNoBlockedGoroutines(t)
	if !ts.registryEmpty() {
		t.Error("the registry of blocked clients is not empty after the stress")
	}
}
