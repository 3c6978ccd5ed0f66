package server

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// FuzzSortScore checks SORT's strtod by its properties: it never panics,
// never reads past its input, and on a plain decimal (what strconv reads
// the same way) it accepts what strconv accepts, to the same value, and
// refuses what overflows.
func FuzzSortScore(f *testing.F) {
	for _, s := range []string{"", " ", "1", " 1", "1 ", "1e400", "1e-400", "1e-310", "0x1p-1074", "0x1.8",
		"inf", "-Infinity", "nan(1)", "1\x00x", "0x", ".", "5.", "1e", "-0", "00012", "9223372036854775808"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		v, n, _, _ := cStrtod(cString(b, len(b)))
		if n < 0 || n > len(b) {
			t.Fatalf("cStrtod(%q) consumed %d bytes", s, n)
		}
		got, ok := parseSortScore(b)
		if ok && got != v {
			t.Fatalf("parseSortScore(%q) = %v, cStrtod %v", s, got, v)
		}
		if s == "" || strings.IndexFunc(s, func(r rune) bool { return !strings.ContainsRune("0123456789+-.eE", r) }) >= 0 {
			return
		}
		want, err := strconv.ParseFloat(s, 64)
		switch {
		case err != nil && !errors.Is(err, strconv.ErrRange):
			if ok {
				t.Fatalf("parseSortScore(%q) = %v; strconv: %v", s, got, err)
			}
		case errors.Is(err, strconv.ErrRange):
			if ok {
				t.Fatalf("parseSortScore(%q) = %v, which overflows", s, got)
			}
		case math.Abs(want) < 0x1p-1022:
			// An underflow: ERANGE unless exact, which strconv cannot say.
			if ok && got != want {
				t.Fatalf("parseSortScore(%q) = %v, strconv %v", s, got, want)
			}
		case !ok || got != want:
			t.Fatalf("parseSortScore(%q) = %v, %v; strconv %v", s, got, ok, want)
		}
	})
}

// fuzzSortCommands are the SORT commands FuzzSortAgainstRedis adds fuzzed
// options to, on fuzzSortSetup's keyspace: l (a list of numbers, with
// ties and a NUL), w (a list of words), is (an intset), hs (a hashtable
// set), z (a sorted set of words, with equal scores), zn (one of numbers),
// k (a string, for WRONGTYPE); e is missing. The weights are w_*
// (strings, some missing, some not numbers), the hashes h_* (field f a
// number, g a word).
var fuzzSortCommands = []string{
	"SORT l", "SORT w", "SORT is", "SORT hs", "SORT k", "SORT e", "SORT_RO l", "SORT_RO w", "SORT_RO hs",
	"SORT l BY w_*", "SORT w BY h_*->f", "SORT w BY h_*->g ALPHA", "SORT l GET # GET w_*", "SORT w STORE d",
	"SORT l BY nosort", "SORT hs ALPHA", "SORT", "SORT_RO", "SORT z", "SORT_RO z", "SORT z BY nosort",
	"SORT z ALPHA", "SORT_RO zn",
}

var fuzzSortSetup = [][]string{
	{"FLUSHALL"}, {"SELECT", "0"}, {"INCRBYFLOAT", "errno", "0"},
	{"RPUSH", "l", "3", "1", "2", "10", "-5", "1.5", "1", "01", "1e2", "2\x00x", "-0", "0", "7"},
	{"RPUSH", "w", "b", "a", "c", "aa", "B", "a\x00z", "a\x00b", "", "10", "9", "a"},
	{"SADD", "is", "5", "3", "-1", "10", "0"},
	{"SADD", "hs", "b", "c", "a", "3", "10", "aa", "x y"},
	{"SET", "k", "hello"},
	{"ZADD", "z", "1", "b", "1", "a", "0", "c", "2", "aa", "-1", "x y", "1", "3"},
	{"ZADD", "zn", "1", "10", "2", "-5", "2", "3", "0", "1.5"},
	{"MSET", "w_3", "c", "w_1", "a", "w_2", "b", "w_10", "1", "w_-5", "2", "w_b", "5", "w_a", "x", "w_c", "3"},
	{"HSET", "h_a", "f", "30", "g", "x"}, {"HSET", "h_b", "f", "10", "g", "z"}, {"HSET", "h_c", "f", "20"},
	{"HSET", "h_aa", "f", "1e400", "g", "y"}, {"HSET", "h_", "f", "0", "g", "y"},
}

// FuzzSortAgainstRedis sends a SORT of fuzzSortCommands with fuzzed
// options to a real redis-server and to this server and compares the
// replies byte for byte, then d (STORE's destination) and the keys SORT
// may have replaced. A hashtable set's members are in an order of each
// server's own, which SORT keeps with BY nosort and no STORE, and for
// members whose ALPHA BY values tie: those replies are compared as sets
// (and by size only with a LIMIT), and STORE's list is not compared. Every input starts with INCRBYFLOAT,
// which clears the errno Redis's strtod leaves set (see diff_sort_test.go).
func FuzzSortAgainstRedis(f *testing.F) {
	for _, seed := range []struct {
		cmd  byte
		args string
	}{
		{0, "LIMIT 1 3 DESC"}, {1, "ALPHA LIMIT 0 5 STORE d"}, {2, "BY nosort DESC"}, {3, "BY nosort STORE d"},
		{9, "ALPHA LIMIT 1 4"}, {12, "BY w_* ALPHA GET h_*->g"}, {6, "STORE d"}, {1, "BY nx_* ALPHA LIMIT 2 3"},
		{4, "LIMIT x 1"}, {0, "GET h_*->f BY nosort LIMIT -1 -1"}, {3, "BY w_* GET # DESC ALPHA"},
		{18, "BY nosort DESC LIMIT 1 3"}, {20, "DESC LIMIT 2 2 STORE d"}, {21, "ALPHA"}, {19, "BY nosort"},
	} {
		f.Add(seed.cmd, seed.args)
	}
	redis := redistest.Start(f, "proto-max-bulk-len", fuzzMaxBulkLen)
	ours := startFuzzServer(f, "--proto-max-bulk-len", fuzzMaxBulkLen)
	f.Fuzz(func(t *testing.T, cmd byte, argText string) {
		args, ok := fuzzCommand(fuzzSortCommands, cmd, argText)
		if !ok {
			return
		}
		ref, got := dialFuzzPair(t, redis.Addr, ours, fuzzSortSetup)
		unordered := len(args) > 1 && (args[1] == "hs" && sortUsesSetOrder(args) ||
			strings.HasPrefix(args[1], "z") && sortTiesInDictOrder(args))
		compare := func(args []string, unordered bool) bool {
			wantF, want, haveF, have, wantOK := exchangeBoth(t, ref, got, args)
			if !wantOK || want == have {
				return wantOK
			}
			if unordered && !isErrorFrame(wantF) && !isErrorFrame(haveF) && wantF.Type == haveF.Type {
				if sortLimited(args) || sameElements(wantF.Elems, haveF.Elems) {
					// A LIMIT takes a part of an order that is each
					// server's own: only the sizes compare.
					if len(wantF.Elems) == len(haveF.Elems) {
						return true
					}
				}
			}
			t.Fatalf("%q:\n redis: %q\n  ours: %q", args, want, have)
			return false
		}
		if !compare(args, unordered) {
			return
		}
		for _, a := range [][]string{{"SELECT", "0"}, {"DBSIZE"}, {"TYPE", "d"}, {"LLEN", "d"}, {"LRANGE", "d", "0", "-1"}} {
			if a[0] == "LRANGE" && unordered {
				break
			}
			if !compare(a, false) {
				return
			}
		}
		for _, key := range []string{"l", "w", "is", "hs", "k", "e", "z", "zn"} {
			if !compare([]string{"TYPE", key}, false) || !compare([]string{"OBJECT", "ENCODING", key}, false) {
				return
			}
		}
	})
}

// sortUsesSetOrder reports whether the SORT args, if they succeed, may
// list some elements of a set in the set's own order: with BY nosort (a
// BY without '*') and no STORE, or with ALPHA and a BY that looks keys up,
// whose values may tie.
func sortUsesSetOrder(args []string) bool {
	o, errText := parseSortOptions(fuzzArgBytes(args), strings.EqualFold(args[0], "sort_ro"))
	return errText == "" && (o.dontSort && !o.store || !o.dontSort && o.alpha && o.by != nil)
}

// sortTiesInDictOrder reports whether the SORT args, if they succeed, may
// list some members of a sorted set in its dict's order, which is each
// server's own: those whose ALPHA BY values tie.
func sortTiesInDictOrder(args []string) bool {
	o, errText := parseSortOptions(fuzzArgBytes(args), strings.EqualFold(args[0], "sort_ro"))
	return errText == "" && !o.dontSort && o.alpha && o.by != nil
}

// sortLimited reports whether the SORT args have a LIMIT.
func sortLimited(args []string) bool {
	for _, a := range args {
		if is([]byte(a), "limit") {
			return true
		}
	}
	return false
}

func fuzzArgBytes(args []string) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = []byte(a)
	}
	return out
}
