package server

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
)

// Differential tests of the ACLs: users, their command, key and channel
// permissions, AUTH and HELLO AUTH, the checks inside MULTI and scripts,
// and ACL LOG. The scripts use several connections: a step "@ n" makes
// connection n (0 first, dialled on first use) the one the next steps go
// to. A step marked rulesStep is compared with the words of each line
// sorted: Redis lists the single commands of a user's rules in the order
// of its command table's hash, which its random seed decides.

const rulesStep cmpMode = 100

func rules(line string) step { return step{rulesStep, strings.Fields(line)} }

func use(n string) step { return step{exact, []string{"@", n}} }

var aclScripts = map[string][]step{
	"default user": {
		s("ACL WHOAMI"), s("ACL USERS"), s("ACL LIST"), s("ACL GETUSER default"), s("ACL GETUSER nobody"),
		s("AUTH x"), s("AUTH default x"), s("AUTH nobody x"), s("AUTH a b c"),
		s("CONFIG SET requirepass secret"), s("ACL LIST"), s("ACL GETUSER default"),
		s("AUTH wrong"), s("AUTH secret"), s("AUTH default secret"), s("AUTH default wrong"),
		use("1"), s("GET k"), s("PING"), s("ACL WHOAMI"), s("HELLO 2"), s("AUTH secret"), s("GET k"),
		use("2"), like("HELLO 2 AUTH default secret"), s("ACL WHOAMI"),
		use("0"), s("CONFIG SET requirepass"), s("ACL LIST"),
		use("3"), s("GET k"), s("RESET"), s("ACL WHOAMI"),
		use("0"), s("ACL SETUSER default off"), use("4"), s("PING"), s("AUTH x"), s("AUTH default x"), s("HELLO 2"),
		use("0"), s("ACL SETUSER default on"), use("4"), s("PING"),
		s("MULTI"), s("AUTH default wrong"), s("EXEC"), s("MULTI"), s("AUTH nobody x y"), s("EXEC"),
		s("HELLO 2 AUTH nobody x"), s("HELLO 2 AUTH default"), s("HELLO 2 SETNAME a AUTH default x"),
		s("CLIENT GETNAME"), s("HELLO 2 SETNAME b AUTH nobody x"), s("CLIENT GETNAME"), s("HELLO 9 SETNAME c"),
		s("CLIENT GETNAME"), s("HELLO 2 SETNAME d BOGUS"), s("CLIENT GETNAME"),
		use("0"), s("CONFIG SET requirepass pw"), use("5"), s("HELLO 2 SETNAME e"), s("CLIENT GETNAME"),
		s("AUTH pw"), s("CLIENT GETNAME"), use("0"), s("CONFIG SET requirepass"),
	},
	"setuser rules": {
		s("ACL SETUSER u1"), s("ACL LIST"), s("ACL GETUSER u1"),
		s("ACL SETUSER u2 on >p ~k* +get -@all +@read -get +select|0 +config|get -config +debug|x"),
		rules("ACL LIST"), rules("ACL GETUSER u2"),
		s("ACL SETUSER u3 reset on -@all +get +set +hset +config|get +select|0 +xadd"), rules("ACL GETUSER u3"),
		s("ACL SETUSER t reset +@all -@hash +hget"), s("ACL GETUSER t"),
		s("ACL SETUSER t reset -@all +@read +@write"), s("ACL GETUSER t"),
		s("ACL SETUSER t reset +@all -@dangerous"), s("ACL GETUSER t"),
		s("ACL SETUSER t reset -@all +@string +@list -lpush"), s("ACL GETUSER t"),
		s("ACL SETUSER t reset +@all -@all +get"), s("ACL GETUSER t"),
		s("ACL SETUSER t reset +get -@all"), s("ACL GETUSER t"),
		s("ACL SETUSER t reset -@all +@connection"), s("ACL GETUSER t"),
		s("ACL SETUSER t reset nocommands +@admin -@dangerous"), s("ACL GETUSER t"),
		s("ACL SETUSER t reset +@all -config|get"), s("ACL GETUSER t"),
		s("ACL SETUSER t reset -@all +acl -acl|setuser"), s("ACL GETUSER t"),
		s("ACL SETUSER t reset -@all +@slow"), s("ACL GETUSER t"),
		s("ACL SETUSER t reset +@all -@slow +@fast"), s("ACL GETUSER t"),
		s("ACL SETUSER t reset -@all +@keyspace +@read -@write"), s("ACL GETUSER t"),
		s("ACL SETUSER t reset allcommands -@geo +geoadd"), s("ACL GETUSER t"),
		s("ACL SETUSER t reset -@all +select|0 +select|1 +select|0 +SELECT|2"), rules("ACL GETUSER t"),
		s("ACL SETUSER t reset -@all +select|0 -select"), s("ACL GETUSER t"),
		s("ACL SETUSER t reset +@all -select +select|0"), s("ACL GETUSER t"),
		s("ACL SETUSER t reset -@all +CONFIG|GET +Get"), rules("ACL GETUSER t"),
		s("ACL SETUSER t reset -@all +@READ -@Read"), s("ACL GETUSER t"),
		s("ACL SETUSER t on nopass sanitize-payload"), s("ACL GETUSER t"),
		s("ACL SETUSER t skip-sanitize-payload"), s("ACL GETUSER t"),
		s("ACL SETUSER t %R~r* %W~w* ~rw* &ch* &x"), s("ACL GETUSER t"), rules("ACL LIST"),
		s("ACL SETUSER t allkeys allchannels"), s("ACL GETUSER t"),
		s("ACL SETUSER t bogus"), s("ACL SETUSER t +nosuch"), s("ACL SETUSER t -nosuch"), s("ACL SETUSER t +@nosuch"),
		s("ACL SETUSER t +"), s("ACL SETUSER t -"), s("ACL SETUSER t +@"), s("ACL SETUSER t +get|"),
		s("ACL SETUSER t +config|get|x"), s("ACL SETUSER t +config|nosuch"), s("ACL SETUSER t -select|0"),
		s("ACL SETUSER t +select|0|1"), s("ACL SETUSER t +|x"), s("ACL SETUSER t ~x"), s("ACL SETUSER t &x"),
		s("ACL SETUSER t <nope"), s("ACL SETUSER t #abc"), q("ACL", "SETUSER", "a b"), q("ACL", "SETUSER", "a\tb"),
		s("ACL SETUSER t on +get bogus"), s("ACL GETUSER t"), s("ACL SETUSER t ("), s("ACL SETUSER t on (+get"),
		s("ACL SETUSER"), s("ACL GETUSER"), s("ACL GETUSER a b"),
		s("ACL USERS"), s("ACL DELUSER default"), s("ACL DELUSER u1 nobody default"), s("ACL DELUSER u1 nobody u3"),
		s("ACL USERS"), s("ACL DELUSER"),
		s("CONFIG SET acl-pubsub-default allchannels"), s("ACL SETUSER p1"), s("ACL SETUSER u2 reset"),
		s("ACL GETUSER p1"), s("ACL GETUSER u2"), s("CONFIG GET acl-pubsub-default"),
		s("CONFIG SET acl-pubsub-default resetchannels"), s("ACL SETUSER p1 reset"), s("ACL GETUSER p1"),
		s("CONFIG SET acl-pubsub-default bogus"), s("CONFIG SET acllog-max-len -1"), s("CONFIG GET acllog-max-len"),
		s("CONFIG SET aclfile x"), s("CONFIG GET aclfile"),
	},
	"permission checks": {
		s("SET k1 v"), s("SET other v"),
		s("ACL SETUSER s on >pw ~k* &ch -@all +get +set +multi +exec +eval +publish +subscribe +psubscribe +acl +select|0 +client|id +object|encoding"),
		use("1"), s("AUTH s wrong"), s("AUTH s pw"), s("ACL WHOAMI"),
		s("GET k1"), s("GET other"), s("SET k2 x"), s("DEL k1"), s("HGET k1 f"), s("CLIENT ID x"), s("CLIENT INFO"),
		s("SELECT 0"), s("select 1"), s("OBJECT ENCODING k1"), s("OBJECT ENCODING other"), s("OBJECT FREQ k1"),
		s("PUBLISH ch x"), s("PUBLISH other x"), s("SUBSCRIBE ch other"), s("PSUBSCRIBE ch"),
		s("PSUBSCRIBE ch*"), s("PING"), s("ECHO x"),
		s("MULTI"), s("GET k1"), s("DEL k1"), s("GET other"), s("EXEC"),
		s("MULTI"), s("GET k1"), s("SET k1 v2"), s("EXEC"), s("GET k1"),
		use("0"), s("ACL SETUSER s -set"), use("1"),
		s("MULTI"), s("SET k1 v3"), s("GET k1"),
		use("0"), s("ACL SETUSER s -get ~z*"), use("1"), s("EXEC"),
		use("0"), s("ACL SETUSER s +get"), use("1"),
		q("EVAL", "return redis.call('del','k1')", "0"), q("EVAL", "return redis.pcall('del','k1')", "0"),
		q("EVAL", "return redis.call('get','zz')", "0"), q("EVAL", "return redis.pcall('get','other')", "0"),
		q("EVAL", "return redis.pcall('publish','zz', 'x')", "0"), q("EVAL", "return redis.call('publish','zz','x')", "0"),
		q("EVAL", "return redis.call('get','k1')", "0"),
		s("ACL DRYRUN s get"), s("ACL DRYRUN s get k1"), s("ACL DRYRUN s get other"), s("ACL DRYRUN s hget k f"),
		s("ACL DRYRUN s publish x m"), s("ACL DRYRUN s nosuch"), s("ACL DRYRUN nobody get k"), s("ACL DRYRUN s client id"),
		s("ACL DRYRUN s client nosuch"), s("ACL DRYRUN default set x y"), s("ACL DRYRUN s select 0"), s("ACL DRYRUN s select 2"),
		s("ACL DRYRUN s"), s("AUTH default x"), s("ACL WHOAMI"),
	},
	"read write keys": {
		s("ACL SETUSER rw on nopass %R~r* %W~w* ~b* +@all"),
		use("1"), s("AUTH rw x"), s("SET r1 v"), s("GET r1"), s("SET w1 v"), s("GET w1"), s("SET b1 v"), s("GET b1"),
		s("COPY b1 w2"), s("COPY b1 r2"), s("COPY w1 b2"), s("EXISTS r1 w1"), s("APPEND w1 x"), s("LPUSH r2 a"),
		s("SORT b1 STORE w3"), s("SORT b1 STORE r3"), s("LMOVE b1 w1 LEFT RIGHT"), s("MSET b1 x w5 y"), s("MSET b1 x r5 y"),
		s("MGET b1 r1 w1"), s("MGET b1 r1"), s("DEL r1"), s("DEL w1"),
	},
	"kill on deluser": {
		s("ACL SETUSER k on nopass +@all ~*"),
		use("1"), s("AUTH k x"), s("ACL WHOAMI"),
		use("0"), s("ACL SETUSER k on resetpass >new"), use("1"), s("ACL WHOAMI"), s("PING"),
		use("0"), s("ACL DELUSER k"), use("2"), s("ACL USERS"),
	},
	"pubsub kill on setuser": {
		s("ACL SETUSER p on nopass +@all ~* &ch*"),
		use("1"), s("AUTH p x"), s("SUBSCRIBE ch1"),
		use("2"), s("AUTH p x"), s("PSUBSCRIBE ch*"),
		use("3"), s("AUTH p x"),
		use("0"), s("ACL SETUSER p resetchannels &ch1"),
		use("1"), s("PING"), use("3"), s("PING"),
		use("0"), s("ACL SETUSER p allchannels"), s("ACL SETUSER p resetchannels &ch1"), use("1"), s("PING"),
	},
	"acl misc": {
		s("ACL"), s("ACL nosuch"), s("ACL HELP"), s("ACL HELP x"), s("ACL CAT nosuch"), s("ACL CAT x y"), s("ACL CAT"),
		set("ACL CAT read"), set("ACL CAT keyspace"), set("ACL CAT ADMIN"), set("ACL CAT scripting"), set("ACL CAT slow"),
		s("ACL GENPASS 0"), s("ACL GENPASS -1"), s("ACL GENPASS 4097"), s("ACL GENPASS abc"), s("ACL GENPASS 1 2"),
		like("ACL GENPASS"), like("ACL GENPASS 1"), like("ACL GENPASS 4096"),
		s("ACL LOG -1"), s("ACL LOG abc"), s("ACL LOG 0"), s("ACL LOG RESET"), s("ACL LOG 1 2"), s("ACL LOG"),
		s("ACL SAVE"), s("ACL LOAD"), s("ACL SAVE x"), s("ACL WHOAMI x"), s("ACL USERS x"), s("ACL LIST x"),
		s("CLIENT KILL USER nobody"),
	},
}

func TestACLAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for _, proto := range []string{"2", "3"} {
		for name, script := range aclScripts {
			t.Run("RESP"+proto+"/"+name, func(t *testing.T) {
				runACLScript(t, redis.Addr, ours, proto, script)
			})
		}
	}
}

// runACLScript runs script on fresh connections to both servers, starting
// from the default user alone, and compares the ACL logs at the end.
func runACLScript(t *testing.T, refAddr, gotAddr, proto string, script []step) {
	conns := map[string][2]*rawConn{}
	dial := func(n string) [2]*rawConn {
		if p, ok := conns[n]; ok {
			return p
		}
		ref, got := dialPair(t, refAddr, gotAddr, proto)
		conns[n] = [2]*rawConn{ref, got}
		return conns[n]
	}
	admin := dial("admin")
	for _, c := range admin {
		c.do("CONFIG", "SET", "requirepass", "", "acl-pubsub-default", "resetchannels")
		for _, u := range aclUserNames(t, c) {
			if u != "default" {
				c.do("ACL", "DELUSER", u)
			}
		}
		c.do("ACL", "SETUSER", "default", "reset", "on", "nopass", "~*", "&*", "+@all")
		c.do("ACL", "LOG", "RESET")
		c.do("FLUSHALL")
	}
	cur := dial("0")
	for _, st := range script {
		if len(st.args) == 2 && st.args[0] == "@" {
			cur = dial(st.args[1])
			continue
		}
		if st.mode == rulesStep {
			want, have := cur[0].do(st.args...), cur[1].do(st.args...)
			if sortWords(want) != sortWords(have) {
				t.Errorf("%q:\n redis: %q\n   ours: %q", st.args, want, have)
			}
			continue
		}
		compareStep(t, st, cur[0], cur[1])
	}
	want, have := aclLogEntries(t, admin[0]), aclLogEntries(t, admin[1])
	if !slices.Equal(want, have) {
		t.Errorf("ACL LOG:\n redis: %q\n   ours: %q", want, have)
	}
	for _, c := range admin {
		c.do("CONFIG", "SET", "requirepass", "")
	}
}

func aclUserNames(t *testing.T, c *rawConn) []string {
	f, _, err := frame.Parse([]byte(c.do("ACL", "USERS")))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range f.Elems {
		names = append(names, e.Text())
	}
	return names
}

// sortWords sorts the words of each line of a reply: the same words in
// another order give the same result, and RESP lengths are unchanged.
func sortWords(reply string) string {
	lines := strings.Split(reply, "\r\n")
	for i, l := range lines {
		w := strings.Split(l, " ")
		slices.Sort(w)
		lines[i] = strings.Join(w, " ")
	}
	return strings.Join(lines, "\r\n")
}

// clientInfoKept are the CLIENT LIST fields of an ACL LOG entry's
// client-info that both servers must agree on.
var clientInfoKept = regexp.MustCompile(`(?:^| )(name|db|multi|cmd|user|resp|flags)=\S*`)

// aclLogEntries returns ACL LOG's entries, each with the fields that must
// match: all but age-seconds, and of client-info the fields in
// clientInfoKept.
func aclLogEntries(t *testing.T, c *rawConn) []string {
	t.Helper()
	f, _, err := frame.Parse([]byte(c.do("ACL", "LOG", "128")))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range f.Elems {
		var parts []string
		for i := 0; i+1 < len(e.Elems); i += 2 {
			k, v := e.Elems[i].Text(), e.Elems[i+1]
			switch k {
			case "age-seconds":
				continue
			case "client-info":
				parts = append(parts, strings.Join(clientInfoKept.FindAllString(v.Text(), -1), " "))
			case "count":
				parts = append(parts, k+"="+v.String())
			default:
				parts = append(parts, k+"="+v.Text())
			}
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out
}

// TestACLDelUserClosesConnections: ACL DELUSER closes the connections of
// the users it deletes, the caller's own after its reply; changing its
// passwords closes nothing (the script "kill on deluser" shows those
// connections still serve).
func TestACLDelUserClosesConnections(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for _, addr := range []string{redis.Addr, ours} {
		admin, victim, self := dialRaw(t, addr), dialRaw(t, addr), dialRaw(t, addr)
		for _, u := range []string{"victim", "self"} {
			if r := admin.do("ACL", "SETUSER", u, "on", "nopass", "+@all", "~*"); r != "+OK\r\n" {
				t.Fatalf("%s: SETUSER %s: %q", addr, u, r)
			}
		}
		victim.do("AUTH", "victim", "x")
		self.do("AUTH", "self", "x")
		if r := admin.do("ACL", "DELUSER", "victim"); r != ":1\r\n" {
			t.Fatalf("%s: DELUSER victim: %q", addr, r)
		}
		if rest, err := victim.readUntilClose(); rest != "" || err != nil {
			t.Errorf("%s: the deleted user's connection got %q, %v; want it closed", addr, rest, err)
		}
		self.sendRaw("ACL DELUSER self\r\n")
		if rest, err := self.readUntilClose(); rest != ":1\r\n" || err != nil {
			t.Errorf("%s: deleting one's own user: got %q, %v; want :1 and the connection closed", addr, rest, err)
		}
		if r := admin.do("PING"); r != "+PONG\r\n" {
			t.Errorf("%s: the admin connection: %q", addr, r)
		}
	}
}

// TestACLConfigLoadErrorsAgainstRedis: a bad user directive fails the
// configuration with redis-server's words, which name the argument two
// before the bad rule (Redis counts it from the rules, then indexes the
// whole line).
func TestACLConfigLoadErrorsAgainstRedis(t *testing.T) {
	bin := redistest.Require(t, "redis-server")
	for _, args := range [][]string{
		{"--user", "bob", "on", "bogus"},
		{"--user", "bob", "on", ">p", "+get", "nosuch"},
		{"--user", "bob", "on", "--user", "bob", "off"},
		{"--user", "bob", "on", "~a", "allkeys", "~b"},
		{"--user", "bob", "#abc"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
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

// TestACLStartupErrorsAgainstRedis: configurations whose users fail once
// loaded (a rule naming no command, users in both the file and an
// aclfile, a bad aclfile) stop redis-server with a log message, which is
// the error loadConfig returns.
func TestACLStartupErrorsAgainstRedis(t *testing.T) {
	bin := redistest.Require(t, "redis-server")
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.acl")
	dup := filepath.Join(dir, "dup.acl")
	os.WriteFile(bad, []byte("user default on nopass ~* +@all\nuser  alice on\nbogus\nuser bob on >x badrule\nuser a\tb on\n"), 0o644)
	os.WriteFile(dup, []byte("user alice on\nuser alice off\n"), 0o644)
	for _, args := range [][]string{
		{"--user", "bob", "on", "+nosuch"},
		{"--user", "bob", "on", "--aclfile", dup},
		{"--aclfile", bad},
		{"--aclfile", dup},
		{"--aclfile", filepath.Join(dir, "missing.acl")},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			port, err := redistest.FreePort()
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.CommandContext(ctx, bin, append([]string{"--port", strconv.Itoa(port), "--save", ""}, args...)...)
			cmd.Dir = t.TempDir()
			out, err := cmd.CombinedOutput()
			if err == nil || ctx.Err() != nil {
				t.Fatalf("redis-server %q did not refuse the configuration: %v", args, err)
			}
			_, err = loadTestConfig(args)
			if err == nil {
				t.Fatalf("loadConfig(%q) accepted the configuration", args)
			}
			if !strings.Contains(string(out), "# "+err.Error()) {
				t.Errorf("redis-server %q logged:\n%s\nloadConfig's error:\n%s", args, out, err)
			}
		})
	}
}

// TestACLFileAgainstRedis: both servers start from the same aclfile, then
// ACL SAVE writes the same file, ACL LOAD reads it back, refuses broken
// files with the same errors, and closes the connections of the users it
// replaces.
func TestACLFileAgainstRedis(t *testing.T) {
	const start = "user default on nopass ~* &* +@all\nuser alice on >x ~k* +get\n"
	refFile := filepath.Join(t.TempDir(), "users.acl")
	gotFile := filepath.Join(t.TempDir(), "users.acl")
	for _, f := range []string{refFile, gotFile} {
		if err := os.WriteFile(f, []byte(start), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	redis := redistest.Start(t, "aclfile", refFile)
	ours := startRealServer(t, "--aclfile", gotFile)
	ref, got := dialPair(t, redis.Addr, ours, "2")
	alice := [2]*rawConn{dialRaw(t, redis.Addr), dialRaw(t, ours)}
	files := [2]string{refFile, gotFile}
	norm := func(i int, reply string) string { return strings.ReplaceAll(reply, files[i], "FILE") }
	both := func(args ...string) {
		t.Helper()
		want, have := norm(0, ref.do(args...)), norm(1, got.do(args...))
		if want != have {
			t.Errorf("%q:\n redis: %q\n   ours: %q", args, want, have)
		}
	}
	writeBoth := func(content string) {
		for _, f := range files {
			if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	both("ACL", "LIST")
	both("CONFIG", "GET", "aclfile")
	both("CONFIG", "SET", "aclfile", "x")
	both("ACL", "SETUSER", "bob", "on", "nopass", "-@all", "+@hash", "%R~r*", "&ch")
	both("ACL", "SAVE")
	want, _ := os.ReadFile(refFile)
	have, _ := os.ReadFile(gotFile)
	if sortWords(string(want)) != sortWords(string(have)) {
		t.Errorf("ACL SAVE wrote:\n redis: %q\n   ours: %q", want, have)
	}
	for i, c := range alice {
		if r := c.do("AUTH", "alice", "x"); r != "+OK\r\n" {
			t.Fatalf("server %d: AUTH alice: %q", i, r)
		}
	}
	writeBoth("user default on nopass ~* +@all\nuser  alice on\nbogus\nuser bob on >x badrule\n")
	both("ACL", "LOAD")
	both("ACL", "LIST")
	for _, c := range alice {
		c.do("PING") // still served: a failed LOAD changes nothing
	}
	writeBoth("user carol on\nuser alice on nopass\n")
	both("ACL", "LOAD")
	both("ACL", "LIST")
	for i, c := range alice {
		if rest, err := c.readUntilClose(); rest != "" || err != nil {
			t.Errorf("server %d: alice's connection after ACL LOAD got %q, %v; want it closed", i, rest, err)
		}
	}
	for _, f := range files {
		os.Remove(f)
	}
	both("ACL", "LOAD")
	both("ACL", "SAVE")
	want, _ = os.ReadFile(refFile)
	have, _ = os.ReadFile(gotFile)
	if string(want) != string(have) {
		t.Errorf("ACL SAVE wrote:\n redis: %q\n   ours: %q", want, have)
	}
}

// TestACLConfigRewriteAgainstRedis: CONFIG REWRITE writes every user as a
// user directive, where the old ones were.
func TestACLConfigRewriteAgainstRedis(t *testing.T) {
	const conf = "port 0\nuser bob on >p ~k* +get\nuser default on nopass ~* &* +@all\n"
	write := func() string {
		path := filepath.Join(t.TempDir(), "redis.conf")
		if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	refConf, gotConf := write(), write()
	bin := redistest.Require(t, "redis-server")
	port, err := redistest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	refAddr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin, refConf, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if err := redistest.WaitForPing(refAddr, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadTestConfig([]string{gotConf, "--port", "0", "--save", "", "--dir", t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ours := startServerConfig(t, cfg, nil)
	ref, got := dialRaw(t, refAddr), dialRaw(t, ours.addr)
	for _, st := range []step{
		rules("ACL LIST"), s("ACL SETUSER carol on nopass +@hash"), s("CONFIG REWRITE"),
	} {
		if st.mode == rulesStep {
			if want, have := ref.do(st.args...), got.do(st.args...); sortWords(want) != sortWords(have) {
				t.Errorf("%q:\n redis: %q\n   ours: %q", st.args, want, have)
			}
			continue
		}
		compareStep(t, st, ref, got)
	}
	userLines := func(path string) []string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, "user ") {
				lines = append(lines, l)
			}
		}
		return lines
	}
	if want, have := userLines(refConf), userLines(gotConf); !slices.Equal(want, have) {
		t.Errorf("CONFIG REWRITE's users:\n redis: %q\n   ours: %q", want, have)
	}
}

// TestACLSetUserClosesRevokedSubscribers: ACL SETUSER closes the user's
// connections subscribed to channels or patterns it no longer allows, and
// only those.
func TestACLSetUserClosesRevokedSubscribers(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for _, addr := range []string{redis.Addr, ours} {
		admin, keep, lose := dialRaw(t, addr), dialRaw(t, addr), dialRaw(t, addr)
		admin.do("ACL", "SETUSER", "p", "on", "nopass", "+@all", "~*", "&ch*")
		keep.do("AUTH", "p", "x")
		lose.do("AUTH", "p", "x")
		keep.do("SUBSCRIBE", "ch1")
		lose.do("PSUBSCRIBE", "ch*")
		if r := admin.do("ACL", "SETUSER", "p", "resetchannels", "&ch1"); r != "+OK\r\n" {
			t.Fatalf("%s: SETUSER: %q", addr, r)
		}
		if rest, err := lose.readUntilClose(); rest != "" || err != nil {
			t.Errorf("%s: the revoked pattern's subscriber got %q, %v; want it closed", addr, rest, err)
		}
		if r := keep.do("PING"); r != "*2\r\n$4\r\npong\r\n$0\r\n\r\n" {
			t.Errorf("%s: the allowed channel's subscriber: PING = %q", addr, r)
		}
	}
}
