package server

import (
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// fuzzZSetOpsCommands are the sorted set pops and operations whose
// arguments FuzzZSetOpsAgainstRedis fuzzes (the parsers of ZMPOP's and
// ZUNION's kin's arguments, and what they do), on a keyspace that holds p
// and m (listpacks with ties and infinite scores), zb (a skiplist), is (an
// intset), hs (a hashtable set) and k (a string); e is missing. Those
// naming no key leave it to the fuzzer.
var fuzzZSetOpsCommands = []string{
	"ZPOPMIN p", "ZPOPMAX zb", "ZPOPMIN", "ZMPOP", "ZMPOP 1 p", "ZMPOP 2 e zb", "BZMPOP 0.001", "BZMPOP 0.001 2 e p",
	"BZPOPMIN", "BZPOPMAX e", "ZUNION", "ZUNION 2 p m", "ZUNION 3 p m hs", "ZINTER", "ZINTER 2 p m", "ZINTER 2 zb is",
	"ZDIFF", "ZDIFF 2 zb p", "ZUNIONSTORE d", "ZUNIONSTORE d 2 p m", "ZINTERSTORE d", "ZINTERSTORE d 3 p m is",
	"ZDIFFSTORE d", "ZDIFFSTORE d 2 zb is", "ZINTERCARD", "ZINTERCARD 2 p m", "ZINTERCARD 2 zb hs", "ZUNION 1 k",
}

// fuzzZSetOpsSetup fills the keyspace fuzzZSetOpsCommands run on.
var fuzzZSetOpsSetup = func() [][]string {
	zb := []string{"ZADD", "zb"}
	for i := range 150 {
		zb = append(zb, strconv.Itoa(i%9), strconv.Itoa(i))
	}
	return [][]string{
		{"FLUSHALL"}, {"SELECT", "0"},
		{"ZADD", "p", "1", "a", "1", "b", "2.5", "c", "inf", "x", "-inf", "y", "0", "1", "-3", "2"},
		{"ZADD", "m", "-inf", "x", "inf", "y", "1e308", "a", "-0", "c", "7", "q"},
		zb, {"SADD", "is", "1", "2", "3", "5"}, {"SADD", "hs", "a", "b", "x", "q", "1"}, {"SET", "k", "hello world"},
	}
}()

// FuzzZSetOpsAgainstRedis sends a command of fuzzZSetOpsCommands with
// fuzzed arguments to a real redis-server and to this server, and compares
// the replies byte for byte, then the keys' contents and encodings. A
// blocking pop waits a millisecond at most, so its timeout reply is
// compared too.
func FuzzZSetOpsAgainstRedis(f *testing.F) {
	for _, seed := range []struct {
		cmd  byte
		args string
	}{
		{0, "3"}, {1, "-1"}, {3, "2 p zb MIN COUNT 2"}, {4, "MAX COUNT 0"}, {5, "MIN COUNT 1 COUNT 2"},
		{6, "1 e MAX"}, {7, "MIN COUNT 9"}, {8, "e p 0.001"}, {9, "1e4933"}, {10, "2 p m WEIGHTS 1 x"},
		{11, "WEIGHTS inf -inf AGGREGATE MIN WITHSCORES"}, {12, "AGGREGATE SUM WEIGHTS 0 1 2 WITHSCORES"},
		{14, "WEIGHTS 0 0 WITHSCORES"}, {16, "0 p"}, {17, "WITHSCORES"}, {19, "WEIGHTS 1e-400 1"},
		{21, "AGGREGATE MAX"}, {23, ""}, {24, "2 p m LIMIT -1"}, {25, "LIMIT 1"}, {26, "LIMIT 0 LIMIT 2"},
	} {
		f.Add(seed.cmd, seed.args)
	}
	redis := redistest.Start(f, "proto-max-bulk-len", fuzzMaxBulkLen)
	ours := startFuzzServer(f, "--proto-max-bulk-len", fuzzMaxBulkLen)
	f.Fuzz(func(t *testing.T, cmd byte, argText string) {
		args, ok := fuzzCommand(fuzzZSetOpsCommands, cmd, argText)
		if !ok {
			return
		}
		switch name := strings.ToLower(args[0]); {
		case (name == "bzpopmin" || name == "bzpopmax") && len(args) >= 3 && validTimeout(args[len(args)-1]):
			args[len(args)-1] = "0.001"
		case name == "bzmpop" && len(args) >= 5 && validTimeout(args[1]):
			args[1] = "0.001"
		}
		ref, got := dialFuzzPair(t, redis.Addr, ours, fuzzZSetOpsSetup)
		compare := func(args []string) bool {
			_, want, _, have, wantOK := exchangeBoth(t, ref, got, args)
			if wantOK && want != have {
				t.Fatalf("%q:\n redis: %q\n  ours: %q", args, want, have)
			}
			return wantOK
		}
		if !compare(args) {
			return
		}
		after := [][]string{{"SELECT", "0"}, {"DBSIZE"}, {"GET", "k"}, {"SCARD", "is"}, {"SCARD", "hs"}}
		for _, key := range []string{"p", "m", "zb", "e", "d"} {
			after = append(after, []string{"TYPE", key}, []string{"OBJECT", "ENCODING", key},
				[]string{"ZRANGE", key, "0", "-1", "WITHSCORES"})
		}
		for _, a := range after {
			if !compare(a) {
				return
			}
		}
	})
}
