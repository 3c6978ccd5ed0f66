package server

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/db/rdb"
	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
)

// Differential tests of FUNCTION DUMP and FUNCTION RESTORE, on RESP2 and
// RESP3 connections: the payloads themselves (byte for byte, for one
// library: Redis lists several in its hash table's order, which a random
// seed decides), payloads moved from each server to the other, and
// hand-made payloads that Redis refuses, after each of which both
// servers must still hold the same libraries (a failed restore changes
// nothing).

// libCode returns the code of a library called name whose functions are
// fns, each returning its own name.
func libCode(name string, fns ...string) string {
	var b strings.Builder
	b.WriteString("#!lua name=" + name + "\n")
	for _, f := range fns {
		b.WriteString("redis.register_function('" + f + "', function() return '" + f + "' end)\n")
	}
	return b.String()
}

// libRecord is one RDB_OPCODE_FUNCTION2 record: opcode 245 and the code
// as an RDB string (uncompressed: shorter than 64 bytes, or compression
// off).
func libRecord(code string) []byte {
	return append([]byte{0xf5}, rdbStringOf(code)...)
}

// rdbStringOf encodes s as an uncompressed RDB string of a 6- or 14-bit
// length.
func rdbStringOf(s string) []byte {
	if len(s) < 64 {
		return append([]byte{byte(len(s))}, s...)
	}
	return append([]byte{0x40 | byte(len(s)>>8), byte(len(s))}, s...)
}

// functionState is what the servers are compared by after each step:
// FUNCTION LIST WITHCODE, with its libraries and each library's functions
// in a canonical order (Redis lists both in its hash tables' orders), and
// FUNCTION STATS.
func functionState(t *testing.T, c *rawConn) string {
	t.Helper()
	f, _, err := frame.Parse([]byte(c.do("FUNCTION", "LIST", "WITHCODE")))
	if err != nil {
		t.Fatalf("FUNCTION LIST: %v", err)
	}
	return canonicalFrame(f) + c.do("FUNCTION", "STATS")
}

// canonicalFrame renders f with the elements of every aggregate whose
// elements are all aggregates sorted: the libraries of FUNCTION LIST, and
// each library's functions.
func canonicalFrame(f frame.Frame) string {
	if len(f.Elems) == 0 {
		return fmt.Sprintf("%c%t%q", f.Type, f.Nil, f.Str)
	}
	parts := make([]string, len(f.Elems))
	nested := true
	for i, e := range f.Elems {
		parts[i] = canonicalFrame(e)
		nested = nested && len(e.Elems) > 0
	}
	if nested {
		slices.Sort(parts)
	}
	return fmt.Sprintf("%c[%s]", f.Type, strings.Join(parts, ","))
}

// isLibraryClash reports whether reply is FUNCTION RESTORE's error for a
// library already there.
func isLibraryClash(reply string) bool {
	return strings.HasPrefix(reply, "-ERR Library ") && strings.HasSuffix(reply, " already exists\r\n") &&
		!strings.Contains(reply, "'")
}

func TestFunctionDumpDifferential(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	a := libCode("alpha", "fa1", "fa2")
	b := libCode("beta", "fb")
	bOther := libCode("beta", "fb2")
	g := libCode("gamma", "fg")
	clash := libCode("gamma", "fa1")
	big := libCode("alpha", "fa1", "fa2", "fa3", "fa4", "fa5") // long enough to be compressed
	pre := func(name, engine, blob string, desc ...string) []byte {
		rec := []byte{0xf6}
		rec = append(rec, rdbStringOf(name)...)
		rec = append(rec, rdbStringOf(engine)...)
		if len(desc) > 0 {
			rec = append(rec, 1)
			rec = append(rec, rdbStringOf(desc[0])...)
		} else {
			rec = append(rec, 0)
		}
		return append(rec, rdbStringOf(blob)...)
	}
	cat := func(recs ...[]byte) []byte {
		var out []byte
		for _, r := range recs {
			out = append(out, r...)
		}
		return out
	}
	crafted := map[string]string{
		"empty":              payloadOf(nil, 10),
		"two":                payloadOf(cat(libRecord(a), libRecord(b)), 10),
		"version 9":          payloadOf(libRecord(g), 9),
		"version 11":         payloadOf(libRecord(g), 11),
		"bad checksum":       payloadOf(libRecord(g), 10)[:len(payloadOf(libRecord(g), 10))-1] + "x",
		"short":              "\x0a\x00\x00\x00",
		"not a function":     payloadOf(append([]byte{0}, rdbStringOf("k")...), 10),
		"opcode EOF":         payloadOf([]byte{0xff, 0, 0, 0}, 10),
		"truncated string":   payloadOf([]byte{0xf5, 0x40, 0xff, '#', '!'}, 10),
		"string into footer": payloadOf([]byte{0xf5, 0x05, 'a', 'b', 'c'}, 10),
		"bad LZF":            payloadOf([]byte{0xf5, 0xc3, 0x02, 0x10, 0x00, 'x'}, 10),
		"duplicate library":  payloadOf(cat(libRecord(g), libRecord(g)), 10),
		"duplicate function": payloadOf(cat(libRecord(b), libRecord(libCode("x", "fb"))), 10),
		"no metadata":        payloadOf(libRecord("return 1"), 10),
		"bad engine":         payloadOf(libRecord("#!js name=x\nreturn 1"), 10),
		"compile error":      payloadOf(libRecord("#!lua name=x\nreturn +"), 10),
		"no functions":       payloadOf(libRecord("#!lua name=x\nreturn 1"), 10),
		"runtime error":      payloadOf(libRecord("#!lua name=x\nerror('boom')"), 10),
		"good then bad":      payloadOf(cat(libRecord(g), libRecord("#!lua name=x\n")), 10),
		"clash":              payloadOf(libRecord(clash), 10),
		"replace beta":       payloadOf(libRecord(bOther), 10),
		"pre-GA":             payloadOf(pre("x", "LUA", "redis.register_function('fx', function() return 'x' end)"), 10),
		"pre-GA described":   payloadOf(pre("x", "lua", "redis.register_function('fx', function() return 'x' end)", "a description"), 10),
		"pre-GA bad engine":  payloadOf(pre("x", "js", "return 1"), 10),
		"pre-GA truncated":   payloadOf([]byte{0xf6, 0x01, 'x'}, 10),
		// Redis takes an encoding byte for a length here: 0xc1 is 1.
		"pre-GA encoded indicator": payloadOf(cat([]byte{0xf6}, rdbStringOf("x"), rdbStringOf("lua"), []byte{0xc1},
			rdbStringOf("desc"), rdbStringOf("redis.register_function('fx', function() return 'x' end)")), 10),
	}
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) {
			ref, got := dialPair(t, redis.Addr, ours, proto)
			both := []*rawConn{ref, got}
			reset := func(libs ...string) {
				for _, c := range both {
					c.do("FUNCTION", "FLUSH")
					for _, l := range libs {
						c.do("FUNCTION", "LOAD", l)
					}
				}
			}
			check := func(what string, args ...string) {
				t.Helper()
				// When several libraries of a payload are there already,
				// Redis names the first in its hash table's order, which
				// its random seed decides: any of them will do.
				want, have := ref.do(args...), got.do(args...)
				if want != have && !(isLibraryClash(want) && isLibraryClash(have)) {
					t.Errorf("%.60q:\n redis: %q\n   ours: %q", args, want, have)
				}
				if want, have := functionState(t, ref), functionState(t, got); want != have {
					t.Errorf("%s: libraries differ after %.40q:\n redis: %q\n  ours: %q", what, args, want, have)
				}
			}
			// Arguments.
			reset(g)
			for _, args := range [][]string{
				{"FUNCTION", "DUMP", "x"}, {"FUNCTION", "RESTORE"}, {"FUNCTION", "RESTORE", "abc"},
				{"FUNCTION", "RESTORE", ""}, {"FUNCTION", "RESTORE", crafted["empty"], "bogus"},
				{"FUNCTION", "RESTORE", crafted["empty"], "FLUSH", "x"}, {"FUNCTION", "RESTORE", "abc", "bogus"},
				{"FUNCTION", "RESTORE", "abc", "a", "b"}, {"function", "dump"},
			} {
				check("arguments", args...)
			}
			// One library's payload, byte for byte, compressed or not.
			for _, code := range []string{g, big} {
				for _, comp := range []string{"yes", "no"} {
					reset(code)
					for _, c := range both {
						c.do("CONFIG", "SET", "rdbcompression", comp)
					}
					check("dump", "FUNCTION", "DUMP")
				}
			}
			for _, c := range both {
				c.do("CONFIG", "SET", "rdbcompression", "yes")
			}
			reset()
			check("empty dump", "FUNCTION", "DUMP")
			// Several libraries: each server's payload restores on both.
			for i, src := range both {
				reset(a, b, g)
				payload := bulkOf(t, src.do("FUNCTION", "DUMP"))
				who := [...]string{"redis's", "our"}[i] + " payload"
				check(who, "FUNCTION", "RESTORE", payload)
				check(who, "FUNCTION", "RESTORE", payload, "append")
				check(who, "FUNCTION", "RESTORE", payload, "REPLACE")
				check(who, "FUNCTION", "DELETE", "beta")
				check(who, "FUNCTION", "RESTORE", payload)
				reset()
				check(who, "FUNCTION", "RESTORE", payload)
				check(who, "FCALL", "fa2", "0")
				reset(libCode("x", "fx"))
				check(who, "FUNCTION", "RESTORE", payload, "FLUSH")
				check(who, "FCALL", "fx", "0")
				check(who, "FCALL", "fb", "0")
			}
			// Hand-made payloads, with libraries there and without.
			for name, p := range crafted {
				for _, policy := range []string{"", "FLUSH", "APPEND", "REPLACE"} {
					for _, there := range [][]string{nil, {a, b}} {
						reset(there...)
						args := []string{"FUNCTION", "RESTORE", p}
						if policy != "" {
							args = append(args, policy)
						}
						check(name+" "+policy, args...)
					}
				}
			}
			// Our payloads are what AppendFunctionDump makes.
			reset(a)
			want := string(rdb.AppendFunctionDump(nil, [][]byte{[]byte(a)}, rdb.WriterOptions{}))
			if have := bulkOf(t, got.do("FUNCTION", "DUMP")); have != want {
				t.Errorf("FUNCTION DUMP = %q, want %q", have, want)
			}
		})
	}
}
