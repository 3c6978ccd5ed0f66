package server

import (
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
)

// fuzzStreamGroupCommands are the consumer group commands whose arguments
// FuzzStreamGroupOptionsAgainstRedis fuzzes, on a keyspace that holds s (a
// stream with a group g whose consumer a has entries pending, one of them
// deleted since), k (a string); e is missing.
var fuzzStreamGroupCommands = []string{
	"XREADGROUP", "XREADGROUP GROUP g a", "XREADGROUP GROUP g b STREAMS", "XREADGROUP GROUP g a COUNT 1 STREAMS s",
	"XPENDING s g", "XPENDING s g IDLE", "XPENDING e g", "XPENDING k g", "XCLAIM s g b", "XCLAIM s g b 0", "XCLAIM e g b 0",
	"XAUTOCLAIM s g b", "XAUTOCLAIM s g b 0", "XAUTOCLAIM s g b 0 0", "XACK s g", "XACK k g", "XGROUP CREATE s",
	"XGROUP CREATE e x", "XGROUP SETID s g", "XGROUP CREATECONSUMER s g", "XGROUP DELCONSUMER s g", "XGROUP DESTROY s",
	"XINFO STREAM s", "XINFO STREAM s FULL", "XINFO GROUPS", "XINFO CONSUMERS s", "XGROUP", "XINFO",
}

// fuzzStreamGroupSetup fills the keyspace fuzzStreamGroupCommands run on.
var fuzzStreamGroupSetup = [][]string{
	{"FLUSHALL"}, {"SELECT", "0"}, {"XADD", "s", "1-1", "f", "1"}, {"XADD", "s", "2-1", "f", "2"},
	{"XADD", "s", "3-1", "f", "3", "g", "x"}, {"XADD", "s", "4-1", "f", "4"}, {"XGROUP", "CREATE", "s", "g", "0"},
	{"XREADGROUP", "GROUP", "g", "a", "COUNT", "3", "STREAMS", "s", ">"}, {"XDEL", "s", "2-1"}, {"SET", "k", "v"},
}

// FuzzStreamGroupOptionsAgainstRedis sends a command of
// fuzzStreamGroupCommands with fuzzed arguments to a real redis-server
// and to this server: the replies (their times within a tolerance, as
// the differential tests compare them), then the stream's state, must be
// the same. Arguments that would block are left out.
func FuzzStreamGroupOptionsAgainstRedis(f *testing.F) {
	for _, seed := range []struct {
		cmd  byte
		args string
	}{
		{0, "GROUP g a STREAMS s 0"}, {1, "NOACK COUNT 2 STREAMS s >"}, {2, "s e > >"}, {3, "0"}, {4, "- + 10 a"},
		{5, "10 (1-1 + 5"}, {8, "0 1-1 2-1 IDLE 5 RETRYCOUNT 3 JUSTID"}, {9, "3-1 FORCE LASTID 9-9"},
		{12, "(0 COUNT 1 JUSTID"}, {14, "1-1 3-1 x"}, {16, "h $ MKSTREAM ENTRIESREAD 2"}, {18, "0 ENTRIESREAD 1"},
		{19, "c"}, {20, "a"}, {21, "g"}, {23, "COUNT 1"}, {24, "s"}, {25, "g"},
	} {
		f.Add(seed.cmd, seed.args)
	}
	redis := redistest.Start(f, "proto-max-bulk-len", fuzzMaxBulkLen).Addr
	ours := startFuzzServer(f, "--proto-max-bulk-len", fuzzMaxBulkLen)
	f.Fuzz(func(t *testing.T, cmd byte, argText string) {
		args := strings.Fields(fuzzStreamGroupCommands[int(cmd)%len(fuzzStreamGroupCommands)])
		if argText != "" {
			args = append(args, strings.Split(argText, " ")...)
		}
		if len(args) > 2*fuzzMaxArgs {
			return
		}
		for _, a := range args {
			if strings.EqualFold(a, "block") {
				return
			}
		}
		ref, got := dialFuzz(t, redis), dialFuzz(t, ours)
		for _, c := range []*fuzzConn{ref, got} {
			for _, s := range fuzzStreamGroupSetup {
				c.trySend(s)
				c.readFrame(t)
			}
		}
		for _, step := range [][]string{args, {"XINFO", "STREAM", "s", "FULL"}, {"XINFO", "GROUPS", "s"}} {
			want, wantOK := ref.exchange(t, step)
			have, haveOK := got.exchange(t, step)
			if wantOK != haveOK {
				t.Fatalf("%q: redis closed the connection: %v, we did: %v", step, !wantOK, !haveOK)
			}
			if !wantOK {
				return
			}
			fw, _, err1 := frame.Parse([]byte(want))
			fh, _, err2 := frame.Parse([]byte(have))
			if want != have && (err1 != nil || err2 != nil || !sameTimed(fw, fh, false)) {
				t.Fatalf("%q (after %q):\n redis: %q\n  ours: %q", step, args, want, have)
			}
		}
	})
}
