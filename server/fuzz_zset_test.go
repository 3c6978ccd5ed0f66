package server

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// Fuzz targets of the sorted set argument parsers: by their properties,
// and against a real redis-server through the commands that use them.

// isPlainDecimal reports whether s is made of what a decimal float is.
func isPlainDecimal(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return !strings.ContainsRune("0123456789+-.eE", r) }) < 0
}

// FuzzZSetScoreParsers checks parseDouble, cStrtod and the range parsers:
// no panic; parseDouble's fast path for integers reads as cStrtod does; cStrtod reads at most its input; what parseDouble accepts of
// a plain decimal is strconv's value, and it accepts what strconv reads
// in range unless it is an underflow to zero; a range bound reads as
// parseDouble does whatever strtod would read, with "(" for exclusive;
// a lex bound is "-", "+" or a member after "[" or "(".
func FuzzZSetScoreParsers(f *testing.F) {
	for _, s := range []string{"0", "-0", "1.5", ".5", "5.", "1e308", "1e309", "1e-400", "0e-400", "1e-310", "inf",
		"-Infinity", "INFINITYx", "nan", "nan(12)", "0x10", "0x1p-1080", "0x", "0x.8p1", "1e", "1e+", " 1", "1 ",
		"", "(", "(1", "((1", "[a", "(a", "-", "+", "-\x00x", "+x", "1\x00x", "+-1", "0X1P3", "1_0",
		"999999999999999", "-999999999999999", "1000000000000000", "007", "-007", "--1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		v, n, over, under := cStrtod(b)
		if n < 0 || n > len(b) {
			t.Fatalf("cStrtod(%q) read %d bytes", s, n)
		}
		if n == 0 && (v != 0 || over || under) {
			t.Fatalf("cStrtod(%q) read nothing but returned %v %v %v", s, v, over, under)
		}
		if fast, ok := parseSmallInteger(b); ok {
			// The fast path gives strtod's value to the bit: -0 too.
			if slow, sn, _, _ := cStrtod(b); sn != len(b) || math.Float64bits(slow) != math.Float64bits(fast) {
				t.Fatalf("parseSmallInteger(%q) = %v; cStrtod reads %v of %d bytes", s, fast, slow, sn)
			}
		}
		d, ok := parseDouble(b)
		if ok && (math.IsNaN(d) || math.IsInf(d, 0) && !strings.Contains(strings.ToLower(s), "inf")) {
			t.Fatalf("parseDouble(%q) = %v", s, d)
		}
		if isPlainDecimal(s) {
			want, err := strconv.ParseFloat(s, 64)
			switch {
			case ok && err != nil:
				t.Fatalf("parseDouble(%q) = %v; strconv: %v", s, d, err)
			case ok && d != want:
				t.Fatalf("parseDouble(%q) = %v, strconv reads %v", s, d, want)
			case !ok && err == nil && !(want == 0 && under):
				t.Fatalf("parseDouble(%q) refused; strconv reads %v", s, want)
			case ok && under:
				t.Fatalf("parseDouble(%q) accepted an underflow to zero", s)
			case !ok && errors.Is(err, strconv.ErrRange) && !over:
				t.Fatalf("parseDouble(%q) refused; strconv: %v", s, err)
			}
		}
		if ok {
			if bv, ex, bok := parseScoreBound(b); !bok || ex || bv != d {
				t.Fatalf("score bound %q = %v %v %v, parseDouble %v", s, bv, ex, bok, d)
			}
			if bv, ex, bok := parseScoreBound(append([]byte("("), b...)); !bok || !ex || bv != d {
				t.Fatalf("score bound (%q = %v %v %v", s, bv, ex, bok)
			}
		}
		if bv, _, bok := parseScoreBound(b); bok && math.IsNaN(bv) {
			t.Fatalf("score bound %q is NaN", s)
		}
		lb, lok := parseLexBound(b)
		wantLex := len(s) > 0 && (s[0] == '[' || s[0] == '(' ||
			(s[0] == '-' || s[0] == '+') && (len(s) == 1 || s[1] == 0))
		if lok != wantLex {
			t.Fatalf("lex bound %q: ok %v", s, lok)
		}
		if lok && lb.Inf == 0 && lb.Value != s[1:] {
			t.Fatalf("lex bound %q: value %q", s, lb.Value)
		}
	})
}

// fuzzZSetCommands are the sorted set commands FuzzZSetCommandsAgainstRedis
// fuzzes, on a keyspace that holds z (a listpack with ties and infinite
// scores), zl (a listpack of equal scores), zs (a skiplist of equal
// scores), zb (a skiplist of distinct scores, never given a lex range) and
// k (a string); e is missing.
var fuzzZSetCommands = []string{
	"ZADD z", "ZADD e", "ZADD zs", "ZINCRBY z", "ZRANGE z", "ZRANGE zs", "ZRANGE zb", "ZRANGE zl", "ZRANGEBYSCORE z",
	"ZREVRANGEBYSCORE zb", "ZRANGEBYLEX zl", "ZREVRANGEBYLEX zs", "ZRANGESTORE d z", "ZRANGESTORE d zs",
	"ZCOUNT z", "ZCOUNT zb", "ZLEXCOUNT zl", "ZLEXCOUNT zs", "ZREMRANGEBYRANK zb", "ZREMRANGEBYSCORE z",
	"ZREMRANGEBYLEX zl", "ZREMRANGEBYLEX zs", "ZRANDMEMBER z", "ZSCAN z", "ZREVRANGE zb", "ZRANK z", "ZMSCORE z",
	"ZADD k", "ZRANGE", "ZREM zl",
}

// fuzzZSetSetup fills the keyspace fuzzZSetCommands run on.
var fuzzZSetSetup = func() [][]string {
	zs := []string{"ZADD", "zs"}
	zb := []string{"ZADD", "zb"}
	for i := range 150 {
		zs = append(zs, "0", "m"+strconv.Itoa(i))
		zb = append(zb, strconv.Itoa(i), "m"+strconv.Itoa(i))
	}
	return [][]string{
		{"FLUSHALL"}, {"SELECT", "0"},
		{"ZADD", "z", "1", "a", "1", "b", "2.5", "c", "-inf", "n", "inf", "p", "0", "z", "-3", "x"},
		{"ZADD", "zl", "0", "a", "0", "b", "0", "bb", "0", "c", "0", "", "0", "a\x00"},
		zs, zb, {"SET", "k", "hello world"},
	}
}()

// FuzzZSetCommandsAgainstRedis sends a command of fuzzZSetCommands with
// fuzzed arguments to a real redis-server and to this server, and compares
// the replies byte for byte, then the keys' contents and encodings.
// ZRANDMEMBER is compared by shape unless its count covers the set.
func FuzzZSetCommandsAgainstRedis(f *testing.F) {
	for _, seed := range []struct {
		cmd  byte
		args string
	}{
		{0, "NX CH 1 a 2 q"}, {0, "GT LT 1 a"}, {0, "INCR -inf p"}, {3, "1e-400 a"}, {4, "(1 +inf BYSCORE LIMIT 1 2"},
		{4, "0 -1 REV WITHSCORES"}, {5, "[m1 (m2 BYLEX REV LIMIT 0 3"}, {7, "- + BYLEX"}, {8, "( 1 10 WITHSCORES"},
		{9, "(100 -inf LIMIT 5 5"}, {10, "[a\x00 +"}, {11, "+ [m9 LIMIT 1 -1"}, {12, "0 -1 REV"}, {13, "[m1 [m3 BYLEX"},
		{14, " 1 \t2"}, {16, "[b +"}, {18, "-5 -1"}, {19, "(1 inf"}, {20, "(a [c"}, {22, "-5 WITHSCORES"},
		{22, "7 WITHSCORES"}, {23, "0 MATCH * COUNT 1"}, {26, "a n x"}, {28, "z 0 1"},
	} {
		f.Add(seed.cmd, seed.args)
	}
	redis := redistest.Start(f, "proto-max-bulk-len", fuzzMaxBulkLen)
	ours := startFuzzServer(f, "--proto-max-bulk-len", fuzzMaxBulkLen)
	f.Fuzz(func(t *testing.T, cmd byte, argText string) {
		args, ok := fuzzCommand(fuzzZSetCommands, cmd, argText)
		if !ok {
			return
		}
		name := strings.ToLower(args[0])
		if len(args) > 1 && args[1] == "zb" && slices.ContainsFunc(args, func(a string) bool { return strings.EqualFold(a, "bylex") }) {
			// A lex range over members not in lex order, in a skiplist:
			// Redis's answer depends on its nodes' random levels.
			return
		}
		random := name == "zrandmember" && len(args) > 1
		size := 7 // z's
		if random && len(args) > 2 {
			n, ok := parseInt([]byte(args[2]))
			if ok && (n > fuzzMaxRandomCount || n < -fuzzMaxRandomCount) {
				return
			}
			random = ok && n != 0 && n < int64(size)
		}
		ref, got := dialFuzzPair(t, redis.Addr, ours, fuzzZSetSetup)
		compare := func(args []string) bool {
			wantF, want, haveF, have, wantOK := exchangeBoth(t, ref, got, args)
			if !wantOK || want == have {
				return wantOK
			}
			if random && !isErrorFrame(wantF) && wantF.Type == haveF.Type && len(wantF.Elems) == len(haveF.Elems) {
				return true
			}
			t.Fatalf("%q:\n redis: %q\n  ours: %q", args, want, have)
			return false
		}
		if !compare(args) {
			return
		}
		random = false
		after := [][]string{{"SELECT", "0"}, {"DBSIZE"}, {"GET", "k"}}
		for _, key := range []string{"z", "zl", "zs", "zb", "e", "d"} {
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
