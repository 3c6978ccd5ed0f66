package server

import (
	"strings"
	"syscall"
	"testing"
)

// The whole round trip on this server alone: a server with appendonly yes
// takes writes (a rewrite in the middle), is killed, and a new one on the
// same directory loads the AOF, goes on appending to it, and after a
// second kill a third loads everything, as a Redis user restarting after
// a crash expects.
func TestAOFSurvivesRestarts(t *testing.T) {
	for _, preamble := range []string{"yes", "no"} {
		t.Run("aof-use-rdb-preamble "+preamble, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"--dir", dir, "--save", "", "--appendonly", "yes", "--appendfsync", "always",
				"--aof-use-rdb-preamble", preamble}
			start := func() (kill func(), c *rawConn) {
				t.Helper()
				cmd, addr, logs := serverProcess(t, args...)
				return func() {
					cmd.Process.Signal(syscall.SIGKILL)
					cmd.Wait()
					if strings.Contains(logs.String(), `"level":"error"`) {
						t.Errorf("the server logged errors:\n%s", logs)
					}
				}, dialRaw(t, addr)
			}

			kill, c := start()
			aofWorkload(c, "1")
			c.do("BGREWRITEAOF")
			waitFor(t, func() bool { return strings.Contains(c.do("INFO", "persistence"), "aof_rewrite_in_progress:0") })
			aofWorkload(c, "2")
			want := describeAll(t, c)
			kill()

			kill, c = start()
			if got := describeAll(t, c); got != want {
				t.Fatalf("after the first restart:\n%s\nwant:\n%s", got, want)
			}
			if info := c.do("INFO", "persistence"); !strings.Contains(info, "aof_enabled:1") ||
				!strings.Contains(info, "aof_last_write_status:ok") {
				t.Errorf("INFO persistence after loading:\n%s", info)
			}
			aofWorkload(c, "3")
			want = describeAll(t, c)
			kill()

			_, c = start()
			if got := describeAll(t, c); got != want {
				t.Fatalf("after the second restart:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
