package server

import (
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// FuzzStreamCommandsAgainstRedis runs a stream command with fuzzed
// arguments (IDs, bounds, trimming options) on redis-server and on this
// server, from the same stream, and compares the replies and the stream
// left behind.
func FuzzStreamCommandsAgainstRedis(f *testing.F) {
	for _, seed := range []struct {
		cmd  byte
		args string
	}{
		{0, "1-* a b"}, {0, "MAXLEN ~ 5 LIMIT 2 * a b"}, {0, "NOMKSTREAM MINID = 3-0 0-5 a b"}, {1, "(1-0 + COUNT 3"},
		{1, "- (18446744073709551615-18446744073709551615"}, {2, "+ - COUNT 0"}, {3, "1-0 x"}, {4, "MAXLEN ~ 10"},
		{4, "MINID 50 LIMIT 0"}, {5, "500-0 ENTRIESADDED 200 MAXDELETEDID 3-0"}, {6, "0"}, {6, "$"}, {0, " 1-1 a b"},
		{1, "-05 +5"}, {0, "18446744073709551615-* a b"},
	} {
		f.Add(seed.cmd, seed.args)
	}
	redis := redistest.Start(f, "proto-max-bulk-len", fuzzMaxBulkLen)
	ours := startFuzzServer(f, "--proto-max-bulk-len", fuzzMaxBulkLen)
	commands := []string{"XADD s", "XRANGE s", "XREVRANGE s", "XDEL s", "XTRIM s", "XSETID s", "XREAD STREAMS s", "XADD e"}
	setup := [][]string{{"FLUSHALL"}}
	for i := 1; i <= 250; i++ {
		setup = append(setup, []string{"XADD", "s", strconv.Itoa(i) + "-" + strconv.Itoa(i%3), "f", strconv.Itoa(i)})
	}
	setup = append(setup, []string{"XDEL", "s", "7-1", "100-1"})
	f.Fuzz(func(t *testing.T, cmd byte, argText string) {
		args := strings.Fields(commands[int(cmd)%len(commands)])
		if argText != "" {
			args = append(args, strings.Split(argText, " ")...)
		}
		if len(args) > 2*fuzzMaxArgs {
			return
		}
		for _, a := range args {
			if a == "*" || strings.EqualFold(a, "block") {
				return // "*" takes each server's clock; BLOCK may wait
			}
		}
		ref, got := dialFuzz(t, redis.Addr), dialFuzz(t, ours)
		for _, c := range []*fuzzConn{ref, got} {
			for _, s := range setup {
				c.trySend(s)
				c.readFrame(t)
			}
		}
		compare := func(args []string) bool {
			_, want, wantOK := ref.exchangeFrame(t, args)
			_, have, haveOK := got.exchangeFrame(t, args)
			if wantOK != haveOK {
				t.Fatalf("%q: redis closed the connection: %v, we did: %v", args, !wantOK, !haveOK)
			}
			if wantOK && want != have {
				t.Fatalf("%q:\n redis: %q\n  ours: %q", args, want, have)
			}
			return wantOK
		}
		if !compare(args) {
			return
		}
		for _, a := range [][]string{{"XLEN", "s"}, {"XRANGE", "s", "-", "+"}, {"XTRIM", "s", "MAXLEN", "~", "0"}, {"XLEN", "s"},
			{"TYPE", "e"}, {"XRANGE", "e", "-", "+"}} {
			if !compare(a) {
				return
			}
		}
	})
}
