package config

// Differential tests: the same configuration, CONFIG GET, CONFIG SET and
// CONFIG REWRITE given to a real redis-server and to a Config of the test
// registry must give the same answers.

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
	"github.com/mini-redis/mini-redis/internal/redistest/redisconn"
)

// respConn is a connection to redis-server for the differential tests.
type respConn struct {
	*redisconn.Conn
	tb testing.TB
}

func dialRedis(tb testing.TB, addr string) *respConn {
	tb.Helper()
	return &respConn{Conn: redisconn.Dial(tb, addr), tb: tb}
}

// reply returns the text of a simple string or error reply.
func (c *respConn) reply(args ...string) string {
	c.tb.Helper()
	c.Send(args...)
	return c.Read().Text()
}

// get returns Redis's CONFIG GET reply, keeping only the names known to
// cfg, sorted by name.
func (c *respConn) get(cfg *Config, patterns ...string) []Pair {
	c.tb.Helper()
	f := c.Do(append([]string{"CONFIG", "GET"}, patterns...)...)
	if f.Type != frame.Array {
		c.tb.Fatalf("CONFIG GET %q: %v", patterns, f)
	}
	var out []Pair
	for i := 0; i+1 < len(f.Elems); i += 2 {
		name := f.Elems[i].Text()
		if _, ok := cfg.Lookup(name); ok {
			out = append(out, Pair{Name: name, Value: f.Elems[i+1].Text()})
		}
	}
	slices.SortFunc(out, func(a, b Pair) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// ourReply is the reply a server built on c sends to CONFIG SET.
func ourReply(err error) string {
	if err != nil {
		return err.Error()
	}
	return "OK"
}

func TestRedisGetSet(t *testing.T) {
	srv := redistest.Start(t)
	_, port, _ := net.SplitHostPort(srv.Addr)
	c, _ := newTestConfig(t)
	// The configuration redistest gives redis-server, that we know of.
	if err := c.Load([]string{"--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", srv.Dir}, nil); err != nil {
		t.Fatal(err)
	}
	rc := dialRedis(t, srv.Addr)
	if v := srv.Version(t); v != RedisVersion {
		t.Logf("comparing with Redis %s, not %s", v, RedisVersion)
	}

	compareAll := func(context string) {
		t.Helper()
		for _, e := range c.entries {
			want := rc.get(c, e.name)
			if got := c.Get(e.name); pairsString(got) != pairsString(want) {
				t.Errorf("%s: CONFIG GET %s: redis %s, ours %s", context, e.name, pairsString(want), pairsString(got))
			}
		}
	}
	compareAll("at start")

	for _, patterns := range [][]string{
		{"*"}, {"maxmemory*"}, {"MAXMEM*"}, {"MAXMEMORY"}, {"MAXMEMORY", "maxmemory", "maxmem*"},
		{"maxmemory", "MAXMEMORY"}, {"hz", "HZ", "h?"}, {"hash-max-*"}, {"hash-max-ziplist-entries"},
		{"hash-max-ziplist-entries", "hash-max-listpack-entries"}, {"*-entries"}, {"nosuch"}, {"["},
		{"re[q]uirepass", "port"}, {"*buffer*"}, {"[a-d]*"}, {"*e?", "save"}, {"\\*"}, {"*ZIP*"},
		{"maxmem*\x00x"}, {"maxmemory\x00*"}, {"maxmemory\x00"},
	} {
		want := rc.get(c, patterns...)
		if got := c.Get(patterns...); pairsString(got) != pairsString(want) {
			t.Errorf("CONFIG GET %q:\nredis %s\nours  %s", patterns, pairsString(want), pairsString(got))
		}
	}

	// CONFIG SETs whose effects on redis-server would not cut this test's
	// connection (no small timeout, maxclients or normal buffer limit, no
	// requirepass). port, bind and appendonly yes are left out: the
	// registry deliberately differs there (immutable; no AOF).
	for _, pairs := range [][]string{
		{"maxmemory"},
		{"a", "b", "c"},
		{"nosuch", "1"}, {"a\x00b", "1"}, {"maxmemory\x00", "1"},
		{"databases", "4"},
		{"DATABASES", "4"},
		{"enable-debug-command", "yes"},
		{"rdbchecksum", "no"},
		{"dir", srv.Dir},
		{"dir", "/nonexistent"},
		{"dbfilename", "x.rdb"},
		{"maxmemory", "1", "maxmemory", "2"},
		{"maxmemory", "1", "MAXMEMORY", "2"},
		{"maxmemory", "1", "nosuch", "2", "timeout", "1"},
		{"databases", "4", "nosuch", "2"},
		{"nosuch", "2", "databases", "4"},
		{"timeout", "abc", "nosuch", "1"},
		{"timeout", "abc", "hz", "abc"},
		{"timeout", "5000", "hz", "abc"},
		{"timeout", "-1"}, {"timeout", "1.5"}, {"timeout", "007"}, {"timeout", "+5"}, {"timeout", "-0"},
		{"timeout", " 5"}, {"timeout", ""}, {"timeout", "2147483648"}, {"timeout", "9223372036854775808"},
		{"timeout", "5000"},
		{"tcp-keepalive", "60"}, {"tcp-keepalive", "-1"},
		{"maxclients", "5000"}, {"maxclients", "0"}, {"maxclients", "-1"}, {"maxclients", "4294967296"},
		{"protected-mode", "maybe"}, {"protected-mode", "NO"}, {"protected-mode", ""}, {"protected-mode", "yes"},
		{"rdbcompression", "no"}, {"stop-writes-on-bgsave-error", "no"}, {"appendonly", "no"}, {"appendonly", "maybe"},
		{"hz", "0"}, {"hz", "1000"}, {"hz", "-1"}, {"hz", "7"},
		{"maxmemory", "1gb"}, {"maxmemory", "1GB"}, {"maxmemory", "100k"}, {"maxmemory", "1.5gb"}, {"maxmemory", "-1"},
		{"maxmemory", "abc"}, {"maxmemory", ""}, {"maxmemory", "k"}, {"maxmemory", "007"}, {"maxmemory", "1t"},
		{"maxmemory", "18446744073709551615"}, {"maxmemory", "99999999999999999999"}, {"maxmemory", "17179869184gb"},
		{"maxmemory", "17179869183gb"}, {"maxmemory", strings.Repeat("1", 127)}, {"maxmemory", strings.Repeat("1", 128)},
		{"maxmemory", "1 k"}, {"maxmemory", "0"},
		{"maxmemory-policy", "foo"}, {"maxmemory-policy", "ALLKEYS-LRU"},
		{"proto-max-bulk-len", "1000"}, {"proto-max-bulk-len", "1mb"}, {"proto-max-bulk-len", "18446744073709551615"},
		{"proto-max-bulk-len", "9223372036854775808"}, {"proto-max-bulk-len", "512mb"},
		{"client-query-buffer-limit", "1"}, {"client-query-buffer-limit", "2gb"},
		{"loglevel", "foo"}, {"loglevel", "DEBUG"}, {"loglevel", "debug verbose"}, {"loglevel", "notice"},
		{"save", "100 a"}, {"save", "100"}, {"save", "0 1"}, {"save", "1 -1"}, {"save", "3600 1 300 100"},
		{"save", "100 "}, {"save", "100 1  "}, {"save", " 100 1"}, {"save", "100  1"}, {"save", "100 +1"},
		{"save", "1 4294967297"}, {"save", "1 2147483648"}, {"save", "9999999999999999999999 1"}, {"save", ""},
		{"notify-keyspace-events", "KEA"}, {"notify-keyspace-events", "Kq"}, {"notify-keyspace-events", "gxE$"},
		{"notify-keyspace-events", ""},
		{"client-output-buffer-limit", "normal 1gb 2gb 3"}, {"client-output-buffer-limit", "master 1 1 1"},
		{"client-output-buffer-limit", "normal 1 1"}, {"client-output-buffer-limit", "normal 1gb 1gb -1"},
		{"client-output-buffer-limit", "replica 1 1 1"}, {"client-output-buffer-limit", "SLAVE 1kb 1k 1 pubsub 3 3 3"},
		{"client-output-buffer-limit", ""}, {"client-output-buffer-limit", "pubsub 1 2 +3"},
		{"client-output-buffer-limit", "pubsub 1 2 4294967297"}, {"client-output-buffer-limit", "pubsub 1 2 2147483648"},
		{"client-output-buffer-limit", "pubsub 1 2 "}, {"client-output-buffer-limit", "pubsub 1 2 ''"},
		{"client-output-buffer-limit", "pubsub  1 2 3"},
		{"hash-max-ziplist-entries", "1", "hash-max-listpack-entries", "2"},
		{"HASH-MAX-ZIPLIST-ENTRIES", "abc"}, {"hash-max-ziplist-entries", "-1"},
		{"timeout", "0", "hz", "10", "maxmemory", "0", "save", "60 1"},
	} {
		want := rc.reply(append([]string{"CONFIG", "SET"}, pairs...)...)
		if got := ourReply(c.Set(pairs...)); got != want {
			t.Errorf("CONFIG SET %q:\nredis %s\nours  %s", pairs, want, got)
		}
		compareAll("after CONFIG SET " + strings.Join(pairs, " "))
	}
}

// TestRedisLoadErrors runs the refused configurations of loadErrorCases
// through redis-server, and compares what it prints with LoadError's text.
func TestRedisLoadErrors(t *testing.T) {
	bin := redistest.Require(t, "redis-server")
	for _, tt := range loadErrorCases {
		t.Run(tt.name, func(t *testing.T) {
			args := loadArgs(t, tt.file, tt.options...)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, args...)
			cmd.Dir = t.TempDir()
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Run(); err == nil || ctx.Err() != nil {
				t.Fatalf("redis-server %q did not refuse the configuration: %v", args, err)
			}
			c, _ := newTestConfig(t)
			err := c.Load(args, nil)
			if err == nil {
				t.Fatalf("Load(%q) accepted the configuration", args)
			}
			if got, want := "\n"+err.Error()+"\n", stderr.String(); got != want {
				t.Errorf("redis-server %q printed:\n%s\nLoad's error:\n%s", args, want, got)
			}
		})
	}
}

// TestRedisRewrite has redis-server and a Config load the same file, take
// the same CONFIG SETs and rewrite their copies of it: the files must be the
// same, but for lines of parameters the registry lacks and for the order of
// the lines appended after the signature (Redis's is that of a hash table).
func TestRedisRewrite(t *testing.T) {
	bin := redistest.Require(t, "redis-server")
	port, err := redistest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	original := strings.Replace(rewriteOriginal, "port 17950", "port "+strconv.Itoa(port), 1)
	theirs, ours := filepath.Join(dir, "redis.conf"), filepath.Join(dir, "ours.conf")
	for _, path := range []string{theirs, ours} {
		if err := os.WriteFile(path, []byte(original), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, theirs, "--dir", dir, "--daemonize", "no", "--logfile", filepath.Join(dir, "redis.log"))
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	rc := dialWhenUp(t, "127.0.0.1:"+strconv.Itoa(port))

	c, _ := newTestConfig(t)
	if err := c.Load([]string{ours, "--dir", dir}, nil); err != nil {
		t.Fatal(err)
	}
	for _, pairs := range rewriteSets {
		want := rc.reply(append([]string{"CONFIG", "SET"}, pairs...)...)
		if got := ourReply(c.Set(pairs...)); got != want {
			t.Fatalf("CONFIG SET %q: redis %s, ours %s", pairs, want, got)
		}
		if pairs[0] == "maxmemory" {
			// The rest of the test needs no password.
			if got := rc.reply("AUTH", `a b"c`); got != "OK" {
				t.Fatalf("AUTH: %s", got)
			}
		}
	}
	for round := 1; round <= 3; round++ {
		if got := rc.reply("CONFIG", "REWRITE"); got != "OK" {
			t.Fatalf("CONFIG REWRITE: %s", got)
		}
		if err := c.Rewrite(); err != nil {
			t.Fatal(err)
		}
		theirText, _ := os.ReadFile(theirs)
		ourText, _ := os.ReadFile(ours)
		tHead, tTail := splitRewritten(c, string(theirText))
		oHead, oTail := splitRewritten(c, string(ourText))
		if tHead != oHead || !slices.Equal(tTail, oTail) {
			t.Errorf("rewrite %d: redis-server wrote\n%s\nours\n%s", round, theirText, ourText)
		}
	}
}

// splitRewritten splits a rewritten file into the part before the
// signature and the sorted lines after it, leaving out the lines of
// directives that c does not know.
func splitRewritten(c *Config, text string) (head string, tail []string) {
	var b strings.Builder
	inTail := false
	for _, line := range strings.SplitAfter(text, "\n") {
		if strings.TrimSpace(line) == rewriteSignature {
			inTail = true
			continue
		}
		if line != "" && line[0] != '#' && strings.TrimSpace(line) != "" {
			if _, ok := c.lookup(strings.Fields(line)[0]); !ok {
				continue
			}
		}
		if inTail {
			tail = append(tail, line)
		} else {
			b.WriteString(line)
		}
	}
	slices.Sort(tail)
	return b.String(), tail
}

// dialWhenUp connects to a redis-server that is starting.
func dialWhenUp(tb testing.TB, addr string) *respConn {
	tb.Helper()
	if err := redistest.WaitForPing(addr, 10*time.Second); err != nil {
		tb.Fatalf("redis-server at %s did not come up: %v", addr, err)
	}
	return dialRedis(tb, addr)
}
