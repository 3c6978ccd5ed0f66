package server

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/connection"
	"github.com/mini-redis/mini-redis/frame"
)

// waitBlocked waits until INFO on c reports n blocked clients.
func waitBlocked(t *testing.T, c *rawConn, n int) {
	t.Helper()
	want := "blocked_clients:" + itoa(n) + "\r\n"
	waitFor(t, func() bool { return strings.Contains(c.do("INFO", "clients"), want) })
}

func TestBlockedPopIsServedByAPush(t *testing.T) {
	ts := startListServer(t, false)
	waiter, pusher := ts.dial(t), ts.dial(t)
	waiter.Send("BLPOP", "k", "0")
	waitBlocked(t, pusher, 1)
	if got := pusher.do("RPUSH", "k", "a", "b"); got != ":2\r\n" {
		t.Fatalf("RPUSH: %q", got)
	}
	// Served before the pusher's next command runs.
	if got := pusher.do("LRANGE", "k", "0", "-1"); got != "*1\r\n$1\r\nb\r\n" {
		t.Errorf("LRANGE after the push: %q", got)
	}
	if got := waiter.readReply(); got != "*2\r\n$1\r\nk\r\n$1\r\na\r\n" {
		t.Errorf("BLPOP: %q", got)
	}
}

func TestBlockedPopTimesOutOnTheKeyspaceClock(t *testing.T) {
	ts := startListServer(t, false)
	waiter, other := ts.dial(t), ts.dial(t)
	waiter.Send("BLPOP", "k", "5")
	waitBlocked(t, other, 1)
	ts.clock.Advance(4999 * time.Millisecond)
	if got := waiter.readReplyWithin(100 * time.Millisecond); got != "(nothing)" {
		t.Fatalf("BLPOP before its timeout: %q", got)
	}
	ts.clock.Advance(time.Millisecond)
	if got := waiter.readReply(); got != "*-1\r\n" {
		t.Errorf("BLPOP at its timeout: %q", got)
	}
}

// A fractional timeout counts in milliseconds of the keyspace clock; a
// timeout of 0 waits however far the clock moves.
func TestBlockingTimeoutsAreMilliseconds(t *testing.T) {
	ts := startListServer(t, false)
	forever, short, other := ts.dial(t), ts.dial(t), ts.dial(t)
	forever.Send("BRPOP", "k", "0")
	waitBlocked(t, other, 1)
	short.Send("BLMOVE", "k", "d", "LEFT", "LEFT", "0.2501")
	waitBlocked(t, other, 2)
	if got := other.do("INFO", "clients"); !strings.Contains(got, "clients_in_timeout_table:1\r\n") {
		t.Errorf("INFO clients with one timeout: %q", got)
	}
	ts.clock.Advance(250 * time.Millisecond) // 250.1 ms rounds up to 251
	if got := short.readReplyWithin(100 * time.Millisecond); got != "(nothing)" {
		t.Fatalf("BLMOVE 0.2501 after 250 ms: %q", got)
	}
	ts.clock.Advance(time.Millisecond)
	if got := short.readReply(); got != "*-1\r\n" {
		t.Errorf("BLMOVE 0.2501 after 251 ms: %q", got)
	}
	ts.clock.Advance(100 * 365 * 24 * time.Hour)
	if got := forever.readReplyWithin(100 * time.Millisecond); got != "(nothing)" {
		t.Fatalf("BRPOP 0 after a century: %q", got)
	}
	other.do("RPUSH", "k", "v")
	if got := forever.readReply(); got != "*2\r\n$1\r\nk\r\n$1\r\nv\r\n" {
		t.Errorf("BRPOP 0 after the push: %q", got)
	}
}

func TestParseBlockTimeout(t *testing.T) {
	ts := startListServer(t, false)
	now := ts.clock.Now().UnixMilli()
	for _, tc := range []struct {
		arg      string
		deadline int64 // from now; -1 for an error
	}{
		{"0", 0}, {"1", 1000}, {"0.5", 500}, {"0.0001", 1}, {"0.001", 1}, {"0.0015", 2}, {"1e-300", 1},
		{"-0", 0}, {"-0.0001", 0}, {"-0.001", 0}, {"-0.0011", -1}, {"-1", -1}, {".5", 500}, {"+2", 2000},
		{"0x10", 16000}, {"inf", -1}, {"1e20", -1}, {"9223372036854775.807", math.MaxInt64 - now},
		{"x", -1}, {"", -1}, {" 1", -1}, {"nan", -1},
	} {
		deadline, errText := ts.parseBlockTimeout([]byte(tc.arg))
		switch {
		case tc.deadline < 0 && errText == "":
			t.Errorf("timeout %q: deadline %d, want an error", tc.arg, deadline)
		case tc.deadline >= 0 && errText != "":
			t.Errorf("timeout %q: %s", tc.arg, errText)
		case tc.deadline == 0 && deadline != 0:
			t.Errorf("timeout %q: deadline %d, want none", tc.arg, deadline)
		case tc.deadline > 0 && deadline-now != tc.deadline:
			t.Errorf("timeout %q: in %d ms, want %d", tc.arg, deadline-now, tc.deadline)
		}
	}
}

// blockedGoroutines returns the stacks of goroutines that wait for a
// blocked client.
func blockedGoroutines() []string {
	var found []string
	for _, g := range serverGoroutines(nil) {
		if strings.Contains(g, "awaitUnblock") || strings.Contains(g, "WatchInput") {
			found = append(found, g)
		}
	}
	return found
}

// waitNoBlockedGoroutines waits until INFO counts no blocked client and
// no server goroutine waits in a blocking command, and fails with the
// client list and the stacks of those still there.
func (ts *testServer) waitNoBlockedGoroutines(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(hangTimeout)
	for {
		info := ts.info([]string{"clients"})
		found := blockedGoroutines()
		if len(found) == 0 && strings.Contains(info, "blocked_clients:0\r\n") {
			return
		}
		if time.Now().After(deadline) {
			clients := ts.dial(t).do("CLIENT", "LIST")
			t.Fatalf("still blocked after %v:\n%s\n%s\n%d goroutines:\n%s", hangTimeout, info,
				clients, len(found), strings.Join(found, "\n\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// registryEmpty reports whether the server's registry of blocked clients
// holds nothing.
func (ts *testServer) registryEmpty() bool {
	b := &ts.blocking
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.queues) == 0 && len(b.ready) == 0 && len(b.readySet) == 0 &&
		b.waiters.Load() == 0 && b.timeouts.Load() == 0 && b.pending.Load() == 0
}

// A blocked client that disconnects, or is killed, leaves nothing behind:
// no goroutine, no place in any queue, and the elements pushed afterwards
// stay for others. What it had sent after the blocking command never runs.
func TestBlockedClientsThatLeaveLeaveNoTrace(t *testing.T) {
	ts := startListServer(t, false)
	observer := ts.dial(t)
	commands := [][]string{
		{"BLPOP", "k", "0"}, {"BRPOP", "k", "other", "10"}, {"BLMOVE", "k", "d", "LEFT", "RIGHT", "0"},
		{"BRPOPLPUSH", "k", "d", "5"}, {"BLMPOP", "0", "2", "k", "k", "LEFT", "COUNT", "3"},
		{"BLPOP", "k", "0.5"}, {"BLPOP", "k", "0"}, {"BLPOP", "k", "0"},
	}
	var conns []*rawConn
	for i, cmd := range commands {
		c := ts.dial(t)
		if i%2 == 1 {
			c.do("SELECT", "1")
		}
		c.Send(cmd...)
		if i == 0 {
			c.Send("SET", "ran", "1") // waits behind the BLPOP
		}
		conns = append(conns, c)
		waitBlocked(t, observer, i+1)
	}
	if got := len(blockedGoroutines()); got < len(commands) {
		t.Errorf("%d goroutines wait for %d blocked clients", got, len(commands))
	}
	for _, c := range conns[:4] {
		c.NetConn().Close()
	}
	waitBlocked(t, observer, len(commands)-4)
	// The others are killed.
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
		if got := observer.do("RPUSH", "k", "v"); got != ":1\r\n" {
			t.Errorf("RPUSH in db %s after the clients left: %q", db, got)
		}
		if got := observer.do("LLEN", "k"); got != ":1\r\n" {
			t.Errorf("LLEN in db %s after the clients left: %q", db, got)
		}
	}
	observer.do("SELECT", "0")
	if got := observer.do("EXISTS", "ran", "d"); got != ":0\r\n" {
		t.Errorf("EXISTS ran d: %q; a command sent behind BLPOP ran after its client left", got)
	}
	for i, c := range conns[4:] {
		if got, _ := c.readUntilClose(); got != "" {
			t.Errorf("killed blocked client %d got %q", i, got)
		}
	}
}

// Shutdown does not wait for blocked clients: they are closed, without a
// reply, as Redis closes them, and no goroutine is left.
func TestShutdownUnblocksBlockedClients(t *testing.T) {
	before := serverGoroutineIDs() // other tests' servers may still be stopping
	ts := startListServer(t, false)
	observer := ts.dial(t)
	var blocked []*rawConn
	for i := range 3 {
		c := ts.dial(t)
		c.Send("BLPOP", "k", "0")
		blocked = append(blocked, c)
		waitBlocked(t, observer, i+1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), hangTimeout)
	defer cancel()
	if err := ts.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown with blocked clients: %v", err)
	}
	for i, c := range blocked {
		if got, err := c.readUntilClose(); got != "" || err != nil {
			t.Errorf("blocked client %d at shutdown: %q, %v", i, got, err)
		}
	}
	waitNoServerGoroutines(t, "Shutdown", before)
}

// TestBlockingStress has pushers and poppers race on a few keys, with
// clients unblocked under them and the clock moving past their timeouts:
// every element pushed is popped once, or is still in a list, never lost
// nor duplicated.
func TestBlockingStress(t *testing.T) {
	ts := startListServer(t, false)
	const (
		pushers  = 6
		perPush  = 500
		poppers  = 6
		stopMark = "stop"
	)
	keys := []string{"k0", "k1", "k2", "k3"}
	var wg sync.WaitGroup
	var mu sync.Mutex
	popped := map[string]int{}
	var ids []string
	var idsMu sync.Mutex
	errs := make(chan error, 100)
	fail := func(err error) {
		select {
		case errs <- err:
		default:
		}
	}

	var popWG sync.WaitGroup
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
			rng := rand.New(rand.NewPCG(uint64(p), 7))
			for {
				k := keys[rng.IntN(len(keys))]
				timeout := "0"
				if rng.IntN(3) == 0 {
					timeout = "0.005"
				}
				var args []string
				switch rng.IntN(4) {
				case 0:
					args = append([]string{"BLPOP"}, append(shuffled(rng, keys), timeout)...)
				case 1:
					args = append([]string{"BRPOP"}, append(shuffled(rng, keys), timeout)...)
				case 2:
					args = append([]string{"BLMPOP", timeout, strconv.Itoa(len(keys))}, shuffled(rng, keys)...)
					args = append(args, "RIGHT", "COUNT", strconv.Itoa(1+rng.IntN(4)))
				default:
					args = []string{"BLMOVE", k, "sink", "LEFT", "RIGHT", timeout}
				}
				f, err := conn.do(args...)
				if err != nil {
					fail(fmt.Errorf("%q: %v", args, err))
					return
				}
				var got []string
				switch {
				case f.IsError() && strings.HasPrefix(f.Text(), "UNBLOCKED"), f.IsNull():
					continue // unblocked, or timed out
				case f.IsError():
					fail(fmt.Errorf("%q: %s", args, f.Text()))
					return
				case args[0] == "BLMOVE":
					if f.Text() == stopMark {
						return
					}
					continue // it is in sink now
				case args[0] == "BLMPOP":
					for _, e := range f.Elems[1].Elems {
						got = append(got, e.Text())
					}
				default:
					got = []string{f.Elems[1].Text()}
				}
				stop := false
				mu.Lock()
				for _, e := range got {
					if e == stopMark {
						stop = true
						continue
					}
					popped[e]++
				}
				mu.Unlock()
				if stop {
					return
				}
			}
		}()
	}

	done := make(chan struct{})
	// Ghosts block on keys of their own, which a pusher fills, and hang up
	// at once or a little later: they race with the serving and leave no
	// trace.
	wg.Add(2)
	go func() {
		defer wg.Done()
		rng := rand.New(rand.NewPCG(5, 7))
		for {
			select {
			case <-done:
				return
			default:
			}
			conn, err := dialStress(ts.addr)
			if err != nil {
				fail(err)
				return
			}
			conn.c.WriteCommand([]byte("BLPOP"), []byte("g"+strconv.Itoa(rng.IntN(3))), []byte("0"))
			conn.c.Flush()
			time.Sleep(time.Duration(rng.IntN(300)) * time.Microsecond)
			conn.close()
		}
	}()
	go func() {
		defer wg.Done()
		conn, err := dialStress(ts.addr)
		if err != nil {
			fail(err)
			return
		}
		defer conn.close()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			if _, err := conn.do("RPUSH", "g"+strconv.Itoa(i%3), "ghostly"); err != nil {
				fail(err)
				return
			}
			time.Sleep(100 * time.Microsecond)
		}
	}()
	// The unblocker and the clock move under the poppers.
	wg.Add(2)
	go func() {
		defer wg.Done()
		conn, err := dialStress(ts.addr)
		if err != nil {
			fail(err)
			return
		}
		defer conn.close()
		rng := rand.New(rand.NewPCG(99, 7))
		for {
			select {
			case <-done:
				return
			default:
			}
			idsMu.Lock()
			id := ids[rng.IntN(len(ids))]
			idsMu.Unlock()
			mode := "TIMEOUT"
			if rng.IntN(2) == 0 {
				mode = "ERROR"
			}
			if _, err := conn.do("CLIENT", "UNBLOCK", id, mode); err != nil {
				fail(err)
				return
			}
			time.Sleep(200 * time.Microsecond)
		}
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			case <-time.After(100 * time.Microsecond):
				ts.clock.Advance(time.Millisecond)
			}
		}
	}()

	var pushWG sync.WaitGroup
	for p := range pushers {
		conn, err := dialStress(ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.close()
		pushWG.Add(1)
		go func() {
			defer pushWG.Done()
			rng := rand.New(rand.NewPCG(uint64(p), 11))
			for i := 0; i < perPush; {
				k := keys[rng.IntN(len(keys))]
				n := min(1+rng.IntN(3), perPush-i)
				args := []string{"RPUSH", k}
				if rng.IntN(2) == 0 {
					args[0] = "LPUSH"
				}
				for j := range n {
					args = append(args, fmt.Sprintf("p%d-%d", p, i+j))
				}
				i += n
				inMulti := rng.IntN(4) == 0
				if inMulti {
					if _, err := conn.do("MULTI"); err != nil {
						fail(err)
						return
					}
				}
				if _, err := conn.do(args...); err != nil {
					fail(err)
					return
				}
				if inMulti {
					if _, err := conn.do("EXEC"); err != nil {
						fail(err)
						return
					}
				}
			}
		}()
	}
	pushWG.Wait()
	close(done)
	wg.Wait()
	// Stop marks on every key, enough for each popper to get one on the
	// key it waits on, though a BLMPOP may take four at once.
	marker, err := dialStress(ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer marker.close()
	for _, k := range keys {
		args := []string{"RPUSH", k}
		for range 4 * poppers {
			args = append(args, stopMark)
		}
		if _, err := marker.do(args...); err != nil {
			t.Fatal(err)
		}
	}
	finished := make(chan struct{})
	go func() { popWG.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(hangTimeout):
		t.Fatal("poppers still blocked after the stop marks")
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// What is left in the lists counts as not popped yet.
	for _, k := range append(keys, "sink") {
		f, err := marker.do("LRANGE", k, "0", "-1")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range f.Elems {
			if e.Text() != stopMark {
				popped[e.Text()]++
			}
		}
	}
	for p := range pushers {
		for i := range perPush {
			e := fmt.Sprintf("p%d-%d", p, i)
			if n := popped[e]; n != 1 {
				t.Errorf("element %s seen %d times", e, n)
			}
			delete(popped, e)
		}
	}
	for e, n := range popped {
		t.Errorf("element %q, never pushed, seen %d times", e, n)
	}
	ts.waitNoBlockedGoroutines(t)
	if !ts.registryEmpty() {
		t.Error("the registry of blocked clients is not empty after the stress")
	}
}

func shuffled(rng *rand.Rand, keys []string) []string {
	out := slices.Clone(keys)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// stressConn is a client connection for goroutines other than the test's:
// its errors are returned, not reported with t.
type stressConn struct {
	nc net.Conn
	c  *connection.Conn
}

func dialStress(addr string) (*stressConn, error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &stressConn{nc: nc, c: connection.New(nc, connection.Options{})}, nil
}

func (s *stressConn) do(args ...string) (frame.Frame, error) {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	s.c.WriteCommand(b...)
	s.nc.SetReadDeadline(time.Now().Add(hangTimeout))
	f, err := s.c.ReadFrame()
	if err != nil {
		return frame.Frame{}, err
	}
	return f.Clone(), nil
}

func (s *stressConn) close() { s.nc.Close() }

// The replies of commands pipelined before a blocking command go out while
// it waits, as Redis writes them to a blocked client.
func TestRepliesBeforeABlockedCommandGoOut(t *testing.T) {
	ts := startListServer(t, false)
	c, other := ts.dial(t), ts.dial(t)
	c.sendRaw("*3\r\n$5\r\nRPUSH\r\n$1\r\nx\r\n$1\r\n1\r\n*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n")
	if got := c.readReplyWithin(hangTimeout); got != ":1\r\n" {
		t.Fatalf("RPUSH before BLPOP: %q", got)
	}
	waitBlocked(t, other, 1)
	if got := c.readReplyWithin(50 * time.Millisecond); got != "(nothing)" {
		t.Fatalf("while BLPOP waits: %q", got)
	}
	other.do("RPUSH", "k", "v")
	for _, want := range []string{"*2\r\n$1\r\nk\r\n$1\r\nv\r\n", "+PONG\r\n"} {
		if got := c.readReply(); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

// A client held by CLIENT PAUSE counts as blocked, but CLIENT UNBLOCK
// leaves it alone (Redis 7.0.15 crashes there; later versions reply 0).
func TestClientUnblockLeavesPausedClients(t *testing.T) {
	ts := startListServer(t, false)
	admin, paused := ts.dial(t), ts.dial(t)
	id := clientID(t, paused)
	admin.do("CLIENT", "PAUSE", "100000", "WRITE")
	paused.Send("RPUSH", "k", "v")
	waitBlocked(t, admin, 1)
	if got := admin.do("CLIENT", "LIST", "ID", id); !strings.Contains(got, " flags=b ") || !strings.Contains(got, " cmd=rpush ") {
		t.Errorf("CLIENT LIST of a paused client: %q", got)
	}
	for _, mode := range []string{"TIMEOUT", "ERROR"} {
		if got := admin.do("CLIENT", "UNBLOCK", id, mode); got != ":0\r\n" {
			t.Errorf("CLIENT UNBLOCK %s of a paused client: %q", mode, got)
		}
	}
	if got := paused.readReplyWithin(50 * time.Millisecond); got != "(nothing)" {
		t.Fatalf("paused client after CLIENT UNBLOCK: %q", got)
	}
	admin.do("CLIENT", "UNPAUSE")
	if got := paused.readReply(); got != ":1\r\n" {
		t.Errorf("RPUSH after the pause: %q", got)
	}
	waitBlocked(t, admin, 0)
}

// A client blocked with a timeout on the server's own clock times out as
// soon as the server sees the wall clock step past its deadline, as Redis,
// which compares deadlines with mstime(), does: it does not sleep out the
// timeout in monotonic time.
func TestBlockedPopTimesOutWhenTheWallClockSteps(t *testing.T) {
	ts := startListServer(t, true, "--hz", "1")
	waiter, other := ts.dial(t), ts.dial(t)
	c := ts.Server.clock
	for attempt := 0; ; attempt++ {
		// The keyspace clock an hour behind the wall: the resync that
		// puts it right is a step forward of an hour.
		c.base.Store(&clockBase{wall: time.Now().Add(-time.Hour), mono: time.Since(c.start)})
		waiter.Send("BLPOP", "k", "100")
		waitBlocked(t, other, 1)
		if w := ts.blocking.first(blockKey{0, "k"}, false); w != nil && w.deadline < time.Now().UnixMilli() {
			break
		}
		// The cron resynced before BLPOP read the clock: try again.
		if attempt == 5 {
			t.Skip("the cron resyncs the clock too often to set up the step")
		}
		other.do("CLIENT", "UNBLOCK", clientID(t, waiter))
		waiter.readReply()
		waitBlocked(t, other, 0)
	}
	c.resync()
	if got := waiter.readReplyWithin(2 * time.Second); got != "*-1\r\n" {
		t.Errorf("BLPOP after the wall clock stepped past its deadline: %q", got)
	}
}
