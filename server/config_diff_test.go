package server

// Differential tests of the server's parameter table (settings.go): the same
// configuration, CONFIG GET, CONFIG SET and CONFIG REWRITE given to a real
// redis-server and to the server's registry must give the same answers,
// but where this server deliberately differs (configDifferences).

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
	"github.com/mini-redis/mini-redis/server/config"
	"go.uber.org/zap"
)

// configExtensions are the parameters of this server that Redis lacks.
var configExtensions = []string{"admin-bind", "admin-port", "admin-token", "admin-tls-cert-file", "admin-tls-key-file", "admin-tls-ca-cert-file", "metrics-bind", "metrics-port"}

// configDifferences are CONFIG SETs this server answers unlike Redis 7.0.15,
// on purpose, with its answers.
var configDifferences = []struct {
	pairs []string
	want  string
}{
	// loglevel takes zap's names too, so its error lists them.
	{[]string{"loglevel", "foo"}, "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning, info, warn, error"},
	{[]string{"loglevel", "info"}, "OK"},
	// port and bind are set only at start.
	{[]string{"port", "0"}, "ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config"},
	{[]string{"bind", "127.0.0.1"}, "ERR CONFIG SET failed (possibly related to argument 'bind') - can't set immutable config"},
}

// newTestSettings returns the server's registry at its defaults.
func newTestSettings(tb testing.TB) *settings {
	tb.Helper()
	st, err := newSettings(zap.NewAtomicLevel())
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// confConn is a connection to redis-server for these tests.
type confConn struct {
	*redisconn.Conn
	tb testing.TB
}

// reply returns the text of a simple string or error reply.
func (c *confConn) reply(args ...string) string {
	c.tb.Helper()
	c.Send(args...)
	return c.Read().Text()
}

// get returns Redis's CONFIG GET reply, keeping only the names known to
// conf, sorted by name.
func (c *confConn) get(conf *config.Config, patterns ...string) []config.Pair {
	c.tb.Helper()
	f := c.Do(append([]string{"CONFIG", "GET"}, patterns...)...)
	if f.Type != frame.Array {
		c.tb.Fatalf("CONFIG GET %q: %v", patterns, f)
	}
	var out []config.Pair
	for i := 0; i+1 < len(f.Elems); i += 2 {
		name := f.Elems[i].Text()
		if _, ok := conf.Lookup(name); ok {
			out = append(out, config.Pair{Name: name, Value: f.Elems[i+1].Text()})
		}
	}
	slices.SortFunc(out, func(a, b config.Pair) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// dialConfWhenUp connects to a redis-server that is starting.
func dialConfWhenUp(tb testing.TB, addr string) *confConn {
	tb.Helper()
	if err := redistest.WaitForPing(addr, 10*time.Second); err != nil {
		tb.Fatalf("redis-server at %s did not come up: %v", addr, err)
	}
	return &confConn{Conn: redisconn.Dial(tb, addr), tb: tb}
}

// ourGet is conf.Get without this server's extensions, as Redis would
// answer.
func ourGet(conf *config.Config, patterns ...string) []config.Pair {
	return slices.DeleteFunc(conf.Get(patterns...), func(p config.Pair) bool {
		return slices.Contains(configExtensions, strings.ToLower(p.Name))
	})
}

func pairsText(ps []config.Pair) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.Name + "=" + strconv.Quote(p.Value) + " ")
	}
	return strings.TrimSpace(b.String())
}

// setReply is the reply the server sends to a CONFIG SET that ended in err.
func setReply(err error) string {
	if err != nil {
		return err.Error()
	}
	return "OK"
}

func TestConfigGetSetAgainstRedis(t *testing.T) {
	srv := redistest.Start(t)
	_, port, _ := net.SplitHostPort(srv.Addr)
	conf := newTestSettings(t).conf
	// The configuration redistest gives redis-server, that we know of.
	if err := conf.Load([]string{"--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", srv.Dir}, nil); err != nil {
		t.Fatal(err)
	}
	rc := dialConfWhenUp(t, srv.Addr)
	if v := srv.Version(t); v != config.RedisVersion {
		t.Logf("comparing with Redis %s, not %s", v, config.RedisVersion)
	}

	var names []string
	for _, p := range ourGet(conf, "*") {
		names = append(names, p.Name)
	}
	compareAll := func(context string) {
		t.Helper()
		for _, name := range names {
			want := rc.get(conf, name)
			if got := ourGet(conf, name); pairsText(got) != pairsText(want) {
				t.Errorf("%s: CONFIG GET %s: redis %s, ours %s", context, name, pairsText(want), pairsText(got))
			}
		}
	}
	compareAll("at start")

	// A name with a NUL and no glob character before it ("maxmemory\x00*")
	// is not asked: Redis hashes the whole name but compares it as a C
	// string, so whether it finds "maxmemory" depends on its random hash
	// seed (usually not; once in a while it does).
	for _, patterns := range [][]string{
		{"*"}, {"maxmemory*"}, {"MAXMEM*"}, {"MAXMEMORY"}, {"MAXMEMORY", "maxmemory", "maxmem*"},
		{"maxmemory", "MAXMEMORY"}, {"hz", "HZ", "h?"}, {"hash-max-*"}, {"nosuch"}, {"["},
		{"re[q]uirepass", "port"}, {"*buffer*"}, {"[a-d]*"}, {"*e?", "save"}, {"\\*"}, {"*ZIP*"},
		{"maxmem*\x00x"}, {"admin-*"},
		{"*ziplist*"}, {"*listpack*"}, {"list-*"}, {"set-max-intset-entries"}, {"HASH-MAX-ZIPLIST-VALUE"},
		{"hash-max-ziplist-entries", "hash-max-listpack-entries"}, {"hash-max-ziplist-entries", "HASH-MAX-ZIPLIST-ENTRIES"},
		{"list-compress-depth"},
	} {
		want := rc.get(conf, patterns...)
		if got := ourGet(conf, patterns...); pairsText(got) != pairsText(want) {
			t.Errorf("CONFIG GET %q:\nredis %s\nours  %s", patterns, pairsText(want), pairsText(got))
		}
	}

	// CONFIG SETs whose effects on redis-server would not cut this test's
	// connection (no small timeout, maxclients or normal buffer limit, no
	// requirepass).
	for _, pairs := range [][]string{
		{"maxmemory"},
		{"a", "b", "c"},
		{"nosuch", "1"}, {"a\x00b", "1"}, // not "maxmemory\x00": see the CONFIG GET patterns above
		{"databases", "4"},
		{"DATABASES", "4"},
		{"enable-debug-command", "yes"},
		{"enable-protected-configs", "yes"},
		{"io-threads", "2"},
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
		{"maxmemory-policy", "noeviction"}, {"maxmemory-policy", "NOEVICTION"},
		{"proto-max-bulk-len", "1000"}, {"proto-max-bulk-len", "1mb"}, {"proto-max-bulk-len", "18446744073709551615"},
		{"proto-max-bulk-len", "9223372036854775808"}, {"proto-max-bulk-len", "512mb"},
		{"client-query-buffer-limit", "1"}, {"client-query-buffer-limit", "2gb"},
		{"loglevel", "DEBUG"}, {"loglevel", "notice"},
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
		// The encoding thresholds, under their names and their 6.2 aliases.
		{"hash-max-listpack-entries", "1k"}, {"hash-max-listpack-entries", "-1"}, {"hash-max-listpack-entries", ""},
		{"hash-max-listpack-entries", "9223372036854775807"}, {"hash-max-listpack-entries", "9223372036854775808"},
		{"hash-max-ziplist-entries", "100"}, {"hash-max-listpack-entries", "1", "hash-max-ziplist-entries", "2"},
		{"hash-max-ziplist-entries", "3", "hash-max-listpack-entries", "4"},
		{"hash-max-listpack-entries", "1", "hash-max-listpack-entries", "2"}, {"HASH-MAX-ZIPLIST-ENTRIES", "5"},
		{"hash-max-listpack-value", "1k"}, {"hash-max-listpack-value", "1kb"}, {"hash-max-ziplist-value", "-1"},
		{"hash-max-listpack-value", "9223372036854775807"}, {"hash-max-listpack-value", "9223372036854775808"},
		{"hash-max-listpack-value", "1.5"}, {"hash-max-listpack-value", ""}, {"hash-max-ziplist-value", "2gb"},
		{"set-max-intset-entries", "-1"}, {"set-max-intset-entries", "1k"}, {"set-max-intset-entries", "0"},
		{"set-max-intset-entries", "9223372036854775807"}, {"set-max-ziplist-entries", "1"},
		{"list-max-listpack-size", "-2147483649"}, {"list-max-ziplist-size", "-2147483648"},
		{"list-max-listpack-size", "2147483648"}, {"list-max-listpack-size", "2147483647"}, {"list-max-listpack-size", "-5"},
		{"list-max-ziplist-size", "x"}, {"list-compress-depth", "-1"}, {"list-compress-depth", "2147483648"},
		{"list-compress-depth", "3"},
		{"hash-max-listpack-entries", "512", "hash-max-listpack-value", "64", "set-max-intset-entries", "512",
			"list-max-listpack-size", "-2", "list-compress-depth", "0"},
		{"admin-port", "1"}, {"admin-token", "x"}, {"metrics-port", "1"}, {"metrics-bind", "0.0.0.0"},
		{"timeout", "0", "hz", "10", "maxmemory", "0", "save", "60 1"},
	} {
		want := rc.reply(append([]string{"CONFIG", "SET"}, pairs...)...)
		if slices.Contains(configExtensions, pairs[0]) {
			// Redis knows nothing of them; the server refuses them as
			// immutable.
			want = "ERR CONFIG SET failed (possibly related to argument '" + pairs[0] + "') - can't set immutable config"
		}
		if got := setReply(conf.Set(pairs...)); got != want {
			t.Errorf("CONFIG SET %q:\nredis %s\nours  %s", pairs, want, got)
		}
		compareAll("after CONFIG SET " + strings.Join(pairs, " "))
	}

	for _, d := range configDifferences {
		if got := setReply(conf.Set(d.pairs...)); got != d.want {
			t.Errorf("CONFIG SET %q:\ngot  %s\nwant %s", d.pairs, got, d.want)
		}
	}
}

// configLoadErrors are configurations that redis-server 7.0.15 and the
// server refuse with the same message.
var configLoadErrors = []struct {
	name    string
	file    string // "" for none
	options []string
}{
	{"unknown directive", "port 0\nfoo bar\n", nil},
	{"too many arguments", "# c\n\nport 1 2\n", nil},
	{"no argument", "port\n", nil},
	{"comment after value", "port 6379 # comment\n", nil},
	{"not an integer", "port abc\n", nil},
	{"out of range", "port 70000\n", nil},
	{"line trimmed", "   port 99999   \n", nil},
	{"directive in capitals", "PORT abc\n", nil},
	{"databases", "databases 0\n", nil},
	{"bool", "protected-mode maybe\n", nil},
	{"io-threads", "io-threads 129\n", nil},
	{"enum", "enable-debug-command maybe\n", nil},
	{"memory", "maxmemory 1x\n", nil},
	{"save", "save 100\n", nil},
	{"buffer limits", "client-output-buffer-limit normal 1 1\n", nil},
	{"notify", "notify-keyspace-events Kq\n", nil},
	{"listpack entries", "hash-max-listpack-entries -1\n", nil},
	{"ziplist value", "hash-max-ziplist-value 1x\n", nil},
	{"list size", "list-max-ziplist-size 2147483648\n", nil},
	{"compress depth", "list-compress-depth -1\n", nil},
	{"deprecated directive with no argument", "list-max-ziplist-entries\n", nil},
	{"deprecated directive with two", "lua-replicate-commands yes\nLIST-MAX-ZIPLIST-VALUE 5 6\n", nil},
	{"deprecated directive, then an error", "list-max-ziplist-value 5\nport x\n", nil},
	{"deprecated directive as an option", "", []string{"--list-max-ziplist-entries", "1", "2"}},
	{"dir", "dir /nonexistent\n", nil},
	{"dbfilename", "dbfilename a/b\n", nil},
	{"unbalanced quotes", "save \"100 1\n", nil},
	{"quote not followed by space", "port \"1\"x\n", nil},
	{"CRLF", "timeout 5\r\nport x\r\n", nil},
	{"option after file", "timeout 5\nport 0\n", []string{"--port", "abc"}},
	{"option alone", "", []string{"--port", "abc"}},
	{"bare save", "", []string{"--save", "--port", "abc"}},
	{"two values", "", []string{"--port", "1", "2"}},
	{"odd save", "", []string{"--save", "60", "1", "70"}},
	{"unknown option", "", []string{"--nosuch", "1"}},
}

// TestConfigLoadErrorsAgainstRedis gives redis-server and the server's
// registry the same refused configurations: the server's error must print
// as redis-server's.
func TestConfigLoadErrorsAgainstRedis(t *testing.T) {
	bin := redistest.Require(t, "redis-server")
	for _, tt := range configLoadErrors {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.options
			if tt.file != "" {
				path := filepath.Join(t.TempDir(), "redis.conf")
				if err := os.WriteFile(path, []byte(tt.file), 0o644); err != nil {
					t.Fatal(err)
				}
				args = append([]string{path}, args...)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, args...)
			cmd.Dir = t.TempDir()
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Run(); err == nil || ctx.Err() != nil {
				t.Fatalf("redis-server %q did not refuse the configuration: %v", args, err)
			}
			err := newTestSettings(t).conf.Load(args, nil)
			if err == nil {
				t.Fatalf("Load(%q) accepted the configuration", args)
			}
			if got, want := "\n"+err.Error()+"\n", stderr.String(); got != want {
				t.Errorf("redis-server %q printed:\n%s\nLoad's error:\n%s", args, want, got)
			}
		})
	}
}

// configRewriteOriginal is the file of TestConfigRewriteAgainstRedis.
const configRewriteOriginal = `# top comment
port 17950

# timeout section
timeout 10
TIMEOUT 20
save 100 1
save 200 2
maxmemory 1mb
	loglevel notice   
client-output-buffer-limit pubsub 1mb 1mb 1
bind 127.0.0.1
hash-max-ziplist-entries 100
list-max-ziplist-size -3
hash-max-listpack-entries 200
LIST-MAX-ZIPLIST-ENTRIES 100
lua-replicate-commands yes
# trailing comment


dbfilename "dump.rdb"
`

// TestConfigRewriteAgainstRedis has redis-server and the server's registry
// load the same file, take the same CONFIG SETs and rewrite their copies of
// it: the files must be the same, but for lines of parameters the server
// lacks and for the order of the lines appended after the signature
// (Redis's is that of a hash table).
func TestConfigRewriteAgainstRedis(t *testing.T) {
	bin := redistest.Require(t, "redis-server")
	port, err := redistest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	original := strings.Replace(configRewriteOriginal, "port 17950", "port "+strconv.Itoa(port), 1)
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
	rc := dialConfWhenUp(t, "127.0.0.1:"+strconv.Itoa(port))

	conf := newTestSettings(t).conf
	if err := conf.Load([]string{ours, "--dir", dir}, nil); err != nil {
		t.Fatal(err)
	}
	for _, pairs := range [][]string{
		{"maxmemory", "2gb", "hz", "20", "requirepass", `a b"c`, "notify-keyspace-events", "KEA", "appendonly", "no"},
		{"client-output-buffer-limit", "normal 1 2 3"},
		{"save", "50 5", "tcp-keepalive", "60", "stop-writes-on-bgsave-error", "no"},
		{"hash-max-listpack-value", "1kb", "set-max-intset-entries", "1000", "list-compress-depth", "2"},
	} {
		want := rc.reply(append([]string{"CONFIG", "SET"}, pairs...)...)
		if got := setReply(conf.Set(pairs...)); got != want {
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
		if err := conf.Rewrite(); err != nil {
			t.Fatal(err)
		}
		theirText, _ := os.ReadFile(theirs)
		ourText, _ := os.ReadFile(ours)
		tHead, tTail := splitRewritten(conf, string(theirText))
		oHead, oTail := splitRewritten(conf, string(ourText))
		if tHead != oHead || !slices.Equal(tTail, oTail) {
			t.Errorf("rewrite %d: redis-server wrote\n%s\nours\n%s", round, theirText, ourText)
		}
	}
}

// rewriteSignature is the comment after which CONFIG REWRITE appends the
// lines of parameters the file had none for.
const rewriteSignature = "# Generated by CONFIG REWRITE"

// splitRewritten splits a rewritten file into the part before the
// signature and the sorted lines after it, leaving out the lines of
// directives that conf does not know.
func splitRewritten(conf *config.Config, text string) (head string, tail []string) {
	var b strings.Builder
	inTail := false
	for _, line := range strings.SplitAfter(text, "\n") {
		if strings.TrimSpace(line) == rewriteSignature {
			inTail = true
			continue
		}
		if line != "" && line[0] != '#' && strings.TrimSpace(line) != "" {
			if _, ok := conf.Lookup(strings.Fields(line)[0]); !ok {
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
