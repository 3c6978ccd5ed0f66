package server

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
)

// Fuzz targets for the argument parsers of the server package: the number
// parsers and formatters by their properties and against strconv, and the
// option parsers of the commands against a real redis-server.

// FuzzLongDouble checks INCRBYFLOAT's number handling: parseLongDouble
// never panics, accepts what strconv.ParseFloat accepts of the same syntax
// (to within the double rounding of a 64-bit mantissa), and what it
// accepts formats as a number it accepts again, to the same text.
func FuzzLongDouble(f *testing.F) {
	for _, s := range []string{"0", "-0", "1.5", ".5", "5.", "1e308", "1e4932", "1e4933", "-1e-4950",
		"0x1p16383", "0x1p16384", "0x1.8p1", "inf", "-Infinity", "nan", "1_0", "0x_1", "3.0000000000000000001",
		"0.1", "123456789012345678901234567890", "1e-20", " 1", "1 ", "+-1"} {
		f.Add(s, "0.2")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		x, ok := parseLongDouble([]byte(a))
		if strings.IndexFunc(a, func(r rune) bool { return !strings.ContainsRune("0123456789+-.eE", r) }) < 0 {
			// Plain decimal: strconv reads the same syntax, minus the long
			// double's wider range.
			want, err := strconv.ParseFloat(a, 64)
			// strconv reads a float64 underflow as 0; strtold's wider
			// range underflows later, and Redis refuses that as ERANGE.
			if err == nil && !ok && want != 0 {
				t.Fatalf("parseLongDouble(%q) refused; strconv reads %v", a, want)
			}
			if ok && err != nil && !errors.Is(err, strconv.ErrRange) {
				t.Fatalf("parseLongDouble(%q) accepted; strconv: %v", a, err)
			}
			if ok && err == nil && !x.IsInf() {
				if got, _ := x.Float64(); got != want && math.Nextafter(got, want) != want {
					t.Fatalf("parseLongDouble(%q) = %v, strconv reads %v", a, got, want)
				}
			}
		}
		if !ok {
			return
		}
		if x.IsInf() {
			return // INCRBYFLOAT refuses an infinite increment before printing
		}
		text := formatLongDouble(x)
		y, ok := parseLongDouble(text)
		if !ok {
			t.Fatalf("parseLongDouble(%q) refuses its own formatting %q", a, text)
		}
		if again := formatLongDouble(y); !bytes.Equal(again, text) {
			t.Fatalf("%q formats as %q, which formats as %q", a, text, again)
		}
		if y, ok := parseLongDouble([]byte(b)); ok {
			if sum, ok := addLongDouble(x, y); ok {
				if _, ok := parseLongDouble(formatLongDouble(sum)); !ok {
					t.Fatalf("%q + %q = %q, which does not parse", a, b, formatLongDouble(sum))
				}
			}
		}
	})
}

// FuzzStrtod checks DEBUG SLEEP's strtod against strconv: the value is
// that of the longest prefix strconv reads as a plain decimal.
func FuzzStrtod(f *testing.F) {
	for _, s := range []string{"1", " 1.5x", "-2e3e", ".e1", "1e", "1e+", "0x10", "inf", "1e400", "\t\n.5", "+", "--1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := strtod(s)
		trimmed := strings.TrimLeft(s, " \t\n\v\f\r")
		want := 0.0
		for i := len(trimmed); i > 0; i-- {
			prefix := trimmed[:i]
			if strings.IndexFunc(prefix, func(r rune) bool { return !strings.ContainsRune("0123456789+-.eE", r) }) >= 0 {
				continue
			}
			if v, err := strconv.ParseFloat(prefix, 64); err == nil || errors.Is(err, strconv.ErrRange) {
				want = v
				break
			}
		}
		if got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("strtod(%q) = %v, want %v", s, got, want)
		}
	})
}

// FuzzParseCursor checks SCAN's cursor parser against strtoul's rules as
// strconv states them: optional sign, decimal digits, wrap-around negation.
func FuzzParseCursor(f *testing.F) {
	for _, s := range []string{"0", "-1", "+5", "", "-", " 1", "18446744073709551615", "18446744073709551616", "1x", "0x10",
		"\x00", "5\x00junk", "-\x00", " \x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseCursor([]byte(s))
		if !strings.HasPrefix(s, " ") { // strtoul's white space is refused; the argument ends at a NUL
			s, _, _ = strings.Cut(s, "\x00")
		}
		digits := strings.TrimPrefix(strings.TrimPrefix(s, "+"), "-")
		if len(digits) < len(s)-1 {
			digits = "x" // two signs
		}
		var want uint64
		wantOK := s == ""
		if v, err := strconv.ParseUint(digits, 10, 64); err == nil && strings.Trim(digits, "0123456789") == "" {
			want, wantOK = v, true
			if strings.HasPrefix(s, "-") {
				want = -v
			}
		}
		if got != want || ok != wantOK {
			t.Fatalf("parseCursor(%q) = %d, %v; want %d, %v", s, got, ok, want, wantOK)
		}
	})
}

// FuzzRangeToBounds checks the clamping of GETRANGE, BITCOUNT and BITPOS
// ranges: a non-empty result lies within the sequence.
func FuzzRangeToBounds(f *testing.F) {
	f.Add(int64(0), int64(-1), int64(10))
	f.Add(int64(math.MinInt64), int64(math.MaxInt64), int64(0))
	f.Add(int64(-100), int64(-50), int64(10))
	f.Fuzz(func(t *testing.T, start, end, n int64) {
		if n < 0 || n > math.MaxInt64/2 {
			return // lengths of strings
		}
		lo, hi, empty := rangeToBounds(start, end, n)
		if !empty && (lo < 0 || hi >= n || lo > hi) {
			t.Fatalf("rangeToBounds(%d, %d, %d) = [%d, %d]", start, end, n, lo, hi)
		}
	})
}

// fuzzOptionCommands are the commands whose options FuzzOptionsAgainstRedis
// gives fuzzed arguments: those with option parsers, on a keyspace that
// holds k (a string) and n (an integer). Nothing here blocks, closes the
// connection or writes a file.
var fuzzOptionCommands = []string{
	"SET k v", "SET n", "GETEX k", "GETEX", "EXPIRE k", "PEXPIRE k", "EXPIREAT k", "PEXPIREAT n",
	"SETEX k", "PSETEX k", "BITPOS k", "BITCOUNT k", "GETBIT k", "SETBIT k", "GETRANGE k", "SETRANGE k",
	"SCAN", "COPY k", "LCS k", "INCRBYFLOAT n", "INCRBY n", "DECRBY n", "SELECT", "SWAPDB", "MOVE k",
	"OBJECT", "OBJECT ENCODING", "CLIENT NO-EVICT", "CLIENT SETNAME",
	"COMMAND GETKEYS", "FLUSHALL", "FLUSHDB", "PING", "ECHO",
	"MSET", "MSETNX", "GETSET k", "APPEND k", "SUBSTR k", "RENAME k", "TTL", "TYPE", "EXISTS", "KEYS",
}

// FuzzOptionsAgainstRedis sends a command of fuzzOptionCommands with fuzzed
// arguments to a real redis-server and to this server, and compares the
// replies byte for byte (SCAN's and KEYS' as sets, TTL's within a second:
// see sameOrderFree), then the state of k and n. It needs redis-server on
// PATH.
func FuzzOptionsAgainstRedis(f *testing.F) {
	for _, seed := range []struct {
		cmd  byte
		args string
	}{
		{0, "EX 10 NX GET"}, {0, "PXAT 1 KEEPTTL"}, {2, "EXAT 99999999999999999"}, {4, "10 GT LT"},
		{10, "1 0 -1 BYTE"}, {11, "0 -1 BIT"}, {16, "0 MATCH * TYPE string COUNT 0"}, {17, "k2 DB 20 REPLACE"},
		{18, "k IDX LEN"}, {19, "1e4933"}, {29, "set k v EX 1"},
	} {
		f.Add(seed.cmd, seed.args)
	}
	redis := redistest.Start(f, "proto-max-bulk-len", fuzzMaxBulkLen, "enable-debug-command", "yes")
	ours := startFuzzServer(f, "--proto-max-bulk-len", fuzzMaxBulkLen)
	f.Fuzz(func(t *testing.T, cmd byte, argText string) {
		args, ok := fuzzCommand(fuzzOptionCommands, cmd, argText)
		if !ok {
			return
		}
		setup := [][]string{{"FLUSHALL"}, {"SELECT", "0"}, {"SET", "k", "hello world"}, {"SET", "n", "10"}}
		after := [][]string{{"SELECT", "0"}, {"GET", "k"}, {"GET", "n"}, {"TTL", "k"}, {"TTL", "n"}, {"DBSIZE"}, {"OBJECT", "ENCODING", "n"}}
		// New connections for each input: one may close its own.
		ref, got := dialFuzzPair(t, redis.Addr, ours, setup)
		compare := func(args []string) bool {
			wantF, want, haveF, have, wantOK := exchangeBoth(t, ref, got, args)
			if !wantOK {
				return false
			}
			same := want == have
			if !same {
				same = sameOrderFree(args, wantF, haveF)
			}
			if !same {
				t.Fatalf("%q:\n redis: %q\n  ours: %q", args, want, have)
			}
			return true
		}
		if !compare(args) {
			return
		}
		for _, key := range []string{"k", "n"} {
			// A key about to expire may be gone on one server and not yet
			// on the other when the checks below reach it.
			pttl, _ := ref.exchange(t, []string{"PTTL", key})
			if ms, err := strconv.Atoi(strings.Trim(pttl, ":\r\n")); err == nil && ms >= 0 && ms < 2000 {
				return
			}
		}
		for _, a := range after {
			if !compare(a) {
				return
			}
		}
	})
}

// fuzzCollectionCommands are the collection commands whose arguments
// FuzzCollectionOptionsAgainstRedis fuzzes, on a keyspace that holds l (a
// list), h (a listpack hash), hm (a hashtable hash of numbers at the
// edges of their ranges), is (an intset), hs (a hashtable set) and k (a
// string, for WRONGTYPE); e is missing. Those naming no key leave it to
// the fuzzer.
var fuzzCollectionCommands = []string{
	"LPOS l", "LPOS l a", "LPOS", "LMPOP", "LMPOP 1 l", "LMPOP 2 e l", "BLMPOP", "BLMPOP 0.001 1 l",
	"BLMPOP 0.001 2 e l", "LPOP l", "RPOP l", "LPOP", "LRANGE l", "LTRIM l", "LINDEX l", "LSET l",
	"LINSERT l", "LREM l", "LMOVE l", "LMOVE l e", "BLMOVE l e", "BLMOVE e l", "BRPOPLPUSH l",
	"HRANDFIELD h", "HRANDFIELD", "HSCAN h", "HSCAN h 0", "SSCAN is", "SSCAN hs", "SSCAN is 0",
	"SSCAN hs 0", "HINCRBY h", "HINCRBY h f1", "HINCRBYFLOAT h", "HINCRBYFLOAT h f2", "SINTERCARD",
	"SINTERCARD 2 is hs", "SRANDMEMBER is", "SRANDMEMBER hs", "SRANDMEMBER", "SPOP is", "SPOP hs",
	"SPOP", "SMISMEMBER is", "SMISMEMBER hs", "SMISMEMBER", "BLPOP", "BLPOP e", "BRPOP", "BRPOP e",
	"LPUSHX l", "LLEN", "HGET h", "HMGET h", "HSTRLEN h", "HSETNX h", "HDEL h", "SMOVE is hs", "SINTER",
	"SINTERSTORE", "SREM is", "HINCRBY hm", "HINCRBYFLOAT hm", "HRANDFIELD hm", "HSCAN hm 0",
}

// fuzzCollectionSetup fills the keyspace fuzzCollectionCommands run on.
var fuzzCollectionSetup = [][]string{
	{"FLUSHALL"}, {"SELECT", "0"},
	{"RPUSH", "l", "a", "b", "c", "a", "b", "c", "1", "-2", "a"},
	{"HSET", "h", "f1", "1", "f2", "2.5", "f3", "x", "f4", "-3"},
	{"HSET", "hm", "max", "9223372036854775807", "min", "-9223372036854775808", "big", "1e308", "sp", " 1",
		"long", strings.Repeat("9", 65)},
	{"SADD", "is", "1", "2", "3", "5"},
	{"SADD", "hs", "a", "b", "c", "d", "e"},
	{"SET", "k", "hello world"},
}

// fuzzMaxRandomCount bounds the counts of HRANDFIELD, SRANDMEMBER and
// SPOP: a negative one is a reply of that many picks, whatever the size.
const fuzzMaxRandomCount = 1000

// FuzzCollectionOptionsAgainstRedis is FuzzOptionsAgainstRedis for the
// lists, hashes and sets: a command of fuzzCollectionCommands with fuzzed
// arguments goes to a real redis-server and to this server, and the
// replies, then the keys' values, must be the same. A blocking command
// waits a millisecond at most, so its timeout reply is compared too. The
// random picks (HRANDFIELD, SRANDMEMBER, SPOP) are compared byte for byte
// only where Redis's answer is not random: errors, a count of 0, a count
// covering the whole collection; otherwise by shape.
func FuzzCollectionOptionsAgainstRedis(f *testing.F) {
	for _, seed := range []struct {
		cmd  byte
		args string
	}{
		{0, "a RANK -2 COUNT 0 MAXLEN 3"}, {1, "RANK 0"}, {3, "2 l e RIGHT COUNT 2"}, {7, "LEFT COUNT 0"},
		{6, "0 2 e l RIGHT"}, {9, "-1"}, {12, "-100 9223372036854775807"}, {16, "BEFORE a x"},
		{17, "-2 a"}, {18, "e LEFT UP"}, {20, "RIGHT LEFT 0"}, {23, "-5 WITHVALUES"}, {23, "4 WITHVALUES"},
		{25, "0 MATCH f* COUNT 0"}, {28, "0 COUNT 1"}, {31, "f3 1"}, {34, "1e4933"}, {35, "2 is hs LIMIT -1"},
		{37, "10"}, {38, "-3"}, {40, "0"}, {41, "5"}, {43, "1 9 x"}, {46, "e -0.0001"}, {48, "e inf"}, {49, "0x10"},
	} {
		f.Add(seed.cmd, seed.args)
	}
	redis := redistest.Start(f, "proto-max-bulk-len", fuzzMaxBulkLen)
	ours := startFuzzServer(f, "--proto-max-bulk-len", fuzzMaxBulkLen)
	f.Fuzz(func(t *testing.T, cmd byte, argText string) {
		args, ok := fuzzCommand(fuzzCollectionCommands, cmd, argText)
		if !ok {
			return
		}
		name := strings.ToLower(args[0])
		if i := blockingTimeoutArg(name, len(args)); i > 0 && validTimeout(args[i]) {
			args[i] = "0.001"
		}
		random := name == "hrandfield" || name == "srandmember" || name == "spop"
		if random && len(args) > 2 {
			if n, ok := parseInt([]byte(args[2])); ok && (n > fuzzMaxRandomCount || n < -fuzzMaxRandomCount) {
				return
			}
		}
		ref, got := dialFuzzPair(t, redis.Addr, ours, fuzzCollectionSetup)
		size := -1 // of the random command's key, before it runs
		if random && len(args) > 1 {
			card := "SCARD"
			if name == "hrandfield" {
				card = "HLEN"
			}
			if r, ok := ref.exchange(t, []string{card, args[1]}); ok && r[0] == ':' {
				size, _ = strconv.Atoi(strings.Trim(r, ":\r\n"))
			}
		}
		// unordered is set when the command left a set's members in an
		// order, or a choice, that is Redis's dict's or its random picks.
		unordered := false
		compare := func(args []string) bool {
			wantF, want, haveF, have, wantOK := exchangeBoth(t, ref, got, args)
			if !wantOK || want == have {
				return wantOK
			}
			if !isErrorFrame(wantF) && !isErrorFrame(haveF) && similarCollectionReplies(args, size, unordered, wantF, haveF) {
				return true
			}
			t.Fatalf("%q:\n redis: %q\n  ours: %q", args, want, have)
			return false
		}
		if !compare(args) {
			return
		}
		if name == "spop" && len(args) > 1 && args[1] != "is" {
			unordered = true
		}
		if name == "spop" && (len(args) == 2 || len(args) > 2 && args[2] != "0") && size > 1 {
			unordered = true // what is left is random
		}
		after := [][]string{{"SELECT", "0"}, {"DBSIZE"}, {"GET", "k"}}
		for _, key := range []string{"l", "e", "h", "hm", "is", "hs"} {
			after = append(after, []string{"TYPE", key}, []string{"OBJECT", "ENCODING", key})
		}
		after = append(after, []string{"LRANGE", "l", "0", "-1"}, []string{"LRANGE", "e", "0", "-1"},
			[]string{"HGETALL", "h"}, []string{"HGETALL", "hm"}, []string{"SCARD", "is"}, []string{"SCARD", "hs"},
			[]string{"SMEMBERS", "is"}, []string{"SMEMBERS", "hs"}, []string{"SMEMBERS", "e"})
		for _, a := range after {
			if !compare(a) {
				return
			}
		}
	})
}

// similarCollectionReplies reports whether two replies of args that differ
// byte for byte are still the same as far as Redis's answer is not its
// dict's order or its random picks: size is that of the random command's
// key before it ran; unordered tells that the sets' contents are random.
func similarCollectionReplies(args []string, size int, unordered bool, want, have frame.Frame) bool {
	name := strings.ToLower(args[0])
	switch name {
	case "smembers", "sinter", "sintercard":
		if unordered && name == "smembers" {
			return want.Type == have.Type
		}
		// A hashtable set lists its members in its dict's order.
		return sameElements(want.Elems, have.Elems)
	case "hgetall":
		// A hash converted to a hashtable lists its pairs in its dict's
		// order, which Redis's random hash seed makes its own.
		return samePairs(want.Elems, have.Elems)
	case "sscan", "hscan":
		if args[1] == "is" || args[1] == "h" {
			return false // an intset, a listpack: one reply, in their order
		}
		if len(args) < 3 || len(want.Elems) != 2 || len(have.Elems) != 2 {
			return false
		}
		// A hashtable's cursor walks its dict: only a whole scan, from 0
		// back to 0, lists what Redis lists.
		if start, ok := parseCursor([]byte(args[2])); !ok || start != 0 ||
			string(want.Elems[0].Str) != "0" || string(have.Elems[0].Str) != "0" {
			return true
		}
		if name == "hscan" {
			return samePairs(want.Elems[1].Elems, have.Elems[1].Elems)
		}
		return sameElements(want.Elems[1].Elems, have.Elems[1].Elems)
	case "hrandfield", "srandmember", "spop":
		if want.Type != have.Type || len(want.Elems) != len(have.Elems) {
			return false
		}
		n, ok := int64(1), true
		if len(args) > 2 {
			n, ok = parseInt([]byte(args[2]))
		}
		switch {
		case !ok:
			return false
		case len(args) > 2 && n >= int64(size) && size >= 0:
			switch {
			case name == "hrandfield" && args[1] == "h":
				return false // the whole of a listpack hash is in its order
			case name == "hrandfield" && len(args) > 3:
				return samePairs(want.Elems, have.Elems)
			}
			return sameElements(want.Elems, have.Elems)
		}
		return true // random picks, as many
	}
	return false
}

// sameElements reports whether a and b hold the same elements, in any order.
func sameElements(a, b []frame.Frame) bool {
	text := func(fs []frame.Frame) []string {
		s := make([]string, len(fs))
		for i, f := range fs {
			s[i] = string(frame.Append(nil, f, frame.RESP3))
		}
		slices.Sort(s)
		return s
	}
	return slices.Equal(text(a), text(b))
}

// samePairs reports whether a and b hold the same field-value pairs, in
// any order.
func samePairs(a, b []frame.Frame) bool {
	pairs := func(fs []frame.Frame) []string {
		var s []string
		for i := 0; i+1 < len(fs); i += 2 {
			s = append(s, string(frame.Append(frame.Append(nil, fs[i], frame.RESP3), fs[i+1], frame.RESP3)))
		}
		slices.Sort(s)
		return s
	}
	return len(a) == len(b) && slices.Equal(pairs(a), pairs(b))
}

// sameOrderFree reports whether replies to args that differ byte for byte
// are still the same answer: KEYS with the same keys in another order (the
// hash table's), SCAN with the same shape and, for a whole scan from
// cursor 0, the same keys, and TTL a second apart (a step crosses both
// servers). An error matches only the same error, byte for byte.
func sameOrderFree(args []string, want, have frame.Frame) bool {
	if want.IsError() || have.IsError() {
		return false
	}
	switch strings.ToLower(args[0]) {
	case "keys":
		return want.Type == frame.Array && have.Type == frame.Array &&
			slices.Equal(sortedBulks(want.Elems), sortedBulks(have.Elems))
	case "scan":
		wantKeys, wantCursor, ok1 := scanReply(want)
		haveKeys, haveCursor, ok2 := scanReply(have)
		if !ok1 || !ok2 {
			return false
		}
		if len(args) > 1 && args[1] == "0" && wantCursor == "0" && haveCursor == "0" {
			return slices.Equal(wantKeys, haveKeys)
		}
		// A partial scan: the cursors are each table's own, and each
		// side returns some of the keys, never one twice.
		return !hasRepeat(wantKeys) && !hasRepeat(haveKeys)
	case "ttl":
		if want.Type != frame.Integer || have.Type != frame.Integer || want.Int < 0 || have.Int < 0 {
			return false // -1 and -2 are exact
		}
		d := want.Int - have.Int
		return -1 <= d && d <= 1
	}
	return false
}

// scanReply splits a SCAN reply into its sorted keys and its cursor,
// reporting false unless it has SCAN's shape.
func scanReply(f frame.Frame) (keys []string, cursor string, ok bool) {
	if f.Type != frame.Array || len(f.Elems) != 2 || f.Elems[0].Type != frame.BulkString ||
		f.Elems[1].Type != frame.Array {
		return nil, "", false
	}
	cursor = string(f.Elems[0].Str)
	if _, err := strconv.ParseUint(cursor, 10, 64); err != nil {
		return nil, "", false
	}
	for _, e := range f.Elems[1].Elems {
		if e.Type != frame.BulkString {
			return nil, "", false
		}
	}
	return sortedBulks(f.Elems[1].Elems), cursor, true
}

// sortedBulks returns the bulk strings of elems, sorted.
func sortedBulks(elems []frame.Frame) []string {
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		out = append(out, string(e.Str))
	}
	slices.Sort(out)
	return out
}

// hasRepeat reports whether sorted holds a string twice.
func hasRepeat(sorted []string) bool {
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] {
			return true
		}
	}
	return false
}
