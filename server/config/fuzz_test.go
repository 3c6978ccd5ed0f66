package config

import (
	"math/big"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary configuration text (as stdin) and options to
// Load. It must never panic, and a configuration it accepts must survive
// CONFIG REWRITE: the rewritten text loads to the same values.
func FuzzLoad(f *testing.F) {
	f.Add("port 7000\nsave 60 1\nsave 70 2\n", "--maxmemory", "1gb")
	f.Add("# comment\n\n  bind 127.0.0.1 -::1  \r\nrequirepass \"a\\x00b\\\"\"\n", "--save", "")
	f.Add("client-output-buffer-limit normal 1mb 2mb 3 replica 1k 2k 3\nnotify-keyspace-events KEA\n", "--hz", "1000")
	f.Add("save \"\"\nsave\nhash-max-ziplist-entries 7\nDIR /\n", "--", "port")
	f.Add("port \"1\"x\nfoo bar\n", "--save", "60 1 70")
	f.Add("maxmemory 17179869184gb\nmaxmemory-policy ALLKEYS-LRU\n", "--bind", "")
	f.Fuzz(func(t *testing.T, text, opt, val string) {
		c, _ := newTestConfig(t)
		if err := c.Load([]string{"-", opt, val}, strings.NewReader(text)); err != nil {
			return
		}
		content := c.rewriteContent("", c.vals)
		c2, _ := newTestConfig(t)
		if err := c2.load(content, nil); err != nil {
			t.Fatalf("the rewritten configuration does not load: %v\n%s", err, content)
		}
		if a, b := pairsString(c.Get("*")), pairsString(c2.Get("*")); a != b {
			t.Fatalf("values after a rewrite:\n%s\nbefore:\n%s\nrewritten:\n%s", b, a, content)
		}
	})
}

// FuzzSet sets arbitrary values. It must never panic, a failed Set must
// change nothing, and a value CONFIG GET prints must set back to itself.
func FuzzSet(f *testing.F) {
	f.Add("maxmemory", "1gb", "save", "100 1 200 2")
	f.Add("client-output-buffer-limit", "normal 1 2 3", "CLIENT-OUTPUT-BUFFER-LIMIT", "pubsub 1 1 1")
	f.Add("hash-max-ziplist-entries", "1", "hash-max-listpack-entries", "2")
	f.Add("notify-keyspace-events", "KEA$", "hz", "0")
	f.Add("save", "100  1", "loglevel", "Debug")
	f.Add("dir", "/", "dbfilename", "a\\b")
	f.Fuzz(func(t *testing.T, n1, v1, n2, v2 string) {
		c, _ := newTestConfig(t)
		before := pairsString(c.Get("*"))
		if err := c.SetProtected(n1, v1, n2, v2); err != nil {
			if after := pairsString(c.Get("*")); after != before {
				t.Fatalf("failed Set(%q %q %q %q) changed values: %v", n1, v1, n2, v2, err)
			}
			return
		}
		for _, name := range []string{n1, n2} {
			v, _ := c.Lookup(name)
			printed := v.String()
			if err := c.SetProtected(name, printed); err != nil {
				t.Fatalf("Set(%q, %q), the value CONFIG GET printed: %v", name, printed, err)
			}
			if again, _ := c.Lookup(name); again.String() != printed {
				t.Fatalf("Set(%q, %q) gave %q", name, printed, again.String())
			}
		}
	})
}

// FuzzParseMemory checks ParseMemory against memtoull's arithmetic done
// with big integers.
func FuzzParseMemory(f *testing.F) {
	for _, s := range []string{"", "0", "1k", "1KB", "1mb", "3g", "5GB", "b", "-1", "+1", "1 k", "99999999999999999999gb", "1t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseMemory(s)
		want, wantOK := referenceMemtoull(s)
		if ok != wantOK || (ok && got != want) {
			t.Fatalf("ParseMemory(%q) = %d, %v; want %d, %v", s, got, ok, want, wantOK)
		}
		if ok {
			if back, ok := ParseMemory(FormatMemory(got)); !ok || back != got {
				t.Fatalf("ParseMemory(FormatMemory(%d)) = %d, %v", got, back, ok)
			}
		}
	})
}

func referenceMemtoull(s string) (uint64, bool) {
	digits := strings.TrimRight(s, "bBkKmMgG")
	unit := strings.ToLower(s[len(digits):])
	muls := map[string]int64{"": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1e6, "mb": 1 << 20, "g": 1e9, "gb": 1 << 30}
	mul, ok := muls[unit]
	if !ok || len(digits) >= 128 || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n := new(big.Int)
	if digits != "" {
		n.SetString(digits, 10)
	}
	max := new(big.Int).SetUint64(^uint64(0))
	if n.Cmp(max) > 0 {
		n.Set(max)
	}
	n.Mul(n, big.NewInt(mul))
	n.And(n, max) // the product wraps at 64 bits
	return n.Uint64(), true
}
