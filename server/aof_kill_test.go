package server

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// SIGKILL during a write load with appendfsync everysec loses at most the
// writes of the last two seconds, Redis's promise for everysec: the
// directory the killed process left loads into Redis 7 with a counter no
// lower than what had been acknowledged two seconds before the kill (and
// no higher than the acknowledged count plus the one in flight). A kill
// also lands during a rewrite.
func TestKilledWithAppendfsyncEverysecLosesAtMostTwoSeconds(t *testing.T) {
	redistest.Require(t, "redis-server")
	const load = 2500 * time.Millisecond // longer than the window, so it is tested
	for round := 0; round < 2; round++ {
		rewrite := round == 1
		t.Run(fmt.Sprintf("rewrite=%v", rewrite), func(t *testing.T) {
			dir := t.TempDir()
			cmd, addr, logs := serverProcess(t, "--dir", dir, "--save", "", "--appendonly", "yes", "--appendfsync", "everysec")
			c := dialRaw(t, addr)
			for i := 0; i < 2000; i++ { // something for a rewrite to write
				c.do("HSET", "bulk", strconv.Itoa(i), strings.Repeat("v", 50))
			}
			// acks[i] is when INCR number i+1 was acknowledged.
			var acks []time.Time
			start := time.Now()
			for time.Since(start) < load {
				if rewrite && len(acks) == 100 {
					c.do("BGREWRITEAOF")
				}
				if got := c.do("INCR", "counter"); got != fmt.Sprintf(":%d\r\n", len(acks)+1) {
					t.Fatalf("INCR = %q after %d\n%s", got, len(acks), logs)
				}
				acks = append(acks, time.Now())
			}
			c.Send("INCR", "counter") // in flight when the process dies
			killed := time.Now()
			cmd.Process.Kill()
			cmd.Wait()
			// floor: the writes acknowledged two seconds before the kill.
			floor := 0
			for floor < len(acks) && acks[floor].Before(killed.Add(-2*time.Second)) {
				floor++
			}
			if floor == 0 {
				t.Fatalf("the load did not last two seconds (%d writes)", len(acks))
			}
			redis := redistest.Start(t, "dir", copyToTemp(t, filepath.Join(dir, "appendonlydir"), "appendonlydir"), "appendonly", "yes")
			rc := dialRaw(t, redis.Addr)
			got := rc.do("GET", "counter")
			v, err := strconv.Atoi(strings.TrimSpace(got[strings.Index(got, "\n")+1:]))
			if err != nil || !strings.HasPrefix(got, "$") {
				t.Fatalf("GET counter after SIGKILL = %q", got)
			}
			if v < floor || v > len(acks)+1 {
				t.Errorf("counter after SIGKILL = %d: acknowledged %d, %d of them over two seconds before the kill", v, len(acks), floor)
			}
			t.Logf("acknowledged %d, loaded %d (lost %d)", len(acks), v, len(acks)-v)
			if n := rc.do("HLEN", "bulk"); n != ":2000\r\n" {
				t.Errorf("HLEN bulk = %q", n)
			}
		})
	}
}
