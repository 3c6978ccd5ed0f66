package server

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// Differential tests of ACL selectors, "(...)" in a user's rules: their
// parsing and errors, ACL LIST and GETUSER, and the permission checks,
// where a command runs if the root permissions or any selector allow it
// whole, and a denial reports the most relevant selector's reason.

var aclSelectorScripts = map[string][]step{
	"selector rules": {
		q("ACL", "SETUSER", "a", "on", "nopass", "(+get ~k*)", "(", "+set", "~x", ")", "(+@read", "&ch", "%R~r*)"),
		rules("ACL LIST"), rules("ACL GETUSER a"),
		q("ACL", "SETUSER", "b", "(+get", "~k*"), q("ACL", "SETUSER", "b", "x", "(+get", "~k*"),
		q("ACL", "SETUSER", "b", "on", "(+get", "(+set)"), q("ACL", "SETUSER", "b", "(on)"),
		q("ACL", "SETUSER", "b", "(+get \"~a b\")"), q("ACL", "SETUSER", "b", "(+get \"~a b)"),
		q("ACL", "SETUSER", "b", "(+nosuch)"), q("ACL", "SETUSER", "b", "()"), q("ACL", "SETUSER", "b", "(+get) )"),
		q("ACL", "SETUSER", "b", "(&a b)"), q("ACL", "SETUSER", "b", "(~a\tb)"), q("ACL", "SETUSER", "b", `(~a\tb)`),
		q("ACL", "SETUSER", "b", "(%x~a)"), q("ACL", "SETUSER", "b", "(~* ~a)"), q("ACL", "SETUSER", "b", "(&* &a)"),
		q("ACL", "SETUSER", "b", "(+select|0|1)"), q("ACL", "SETUSER", "b", "(+get|)"), q("ACL", "SETUSER", "b", "(#abc)"),
		q("ACL", "SETUSER", "b", "(reset)"), q("ACL", "SETUSER", "b", "(clearselectors)"), q("ACL", "SETUSER", "b", ")"),
		q("ACL", "SETUSER", "b", "~a b"), q("ACL", "SETUSER", "b", "&a b"), q("ACL", "SETUSER", "b", "%R~a b"),
		s("ACL GETUSER b"), rules("ACL LIST"),
		q("ACL", "SETUSER", "d", "(%R~a %W~a ~b)", "('+get' \"~q\")"), s("ACL GETUSER d"),
		q("ACL", "SETUSER", "d", "clearselectors", "(~x +@all)", "(allkeys allchannels allcommands)", "(resetkeys resetchannels nocommands ~y)"),
		s("ACL GETUSER d"), s("ACL LIST"),
		q("ACL", "SETUSER", "d", "(+client|id +select|0)", "(+@all -@dangerous ~*)"), rules("ACL GETUSER d"),
		q("ACL", "SETUSER", "d", "reset"), s("ACL GETUSER d"),
		q("ACL", "SETUSER", "d", "(+get)", "CLEARSELECTORS", "(+set)"), s("ACL GETUSER d"),
		q("ACL", "SETUSER", "d", "(+get)", "bogus"), s("ACL GETUSER d"),
		s("CONFIG SET acl-pubsub-default allchannels"), q("ACL", "SETUSER", "e", "(+get)", "(resetchannels &x)"),
		s("ACL GETUSER e"), s("CONFIG SET acl-pubsub-default resetchannels"), q("ACL", "SETUSER", "e", "(+set)"), s("ACL LIST"),
	},
	"selector checks": {
		s("SET a1 v"), s("SET b1 v"),
		q("ACL", "SETUSER", "f", "on", ">pw", "-@all", "+acl", "(+get ~a*)", "(+set ~b* &c +publish +subscribe)", "(+@read %R~r*)"),
		s("ACL DRYRUN f get a1"), s("ACL DRYRUN f get b1"), s("ACL DRYRUN f set b1 x"), s("ACL DRYRUN f set a1 x"),
		s("ACL DRYRUN f mget a1 b1"), s("ACL DRYRUN f mget r1 b1"), s("ACL DRYRUN f mget r1 r2"), s("ACL DRYRUN f publish c x"),
		s("ACL DRYRUN f publish d x"), s("ACL DRYRUN f hget a f"), s("ACL DRYRUN f hget r f"), s("ACL DRYRUN f set r1 x"),
		s("ACL DRYRUN f subscribe c d"), s("ACL DRYRUN f get zz"),
		q("ACL", "SETUSER", "g1", "(+mget ~b* ~c*)", "(+mget ~a* ~b*)"), s("ACL DRYRUN g1 mget a1 b1 c1"),
		q("ACL", "SETUSER", "g2", "(+mget ~c*)", "(+mget ~a*)"), s("ACL DRYRUN g2 mget a1 b1 c1"),
		q("ACL", "SETUSER", "g3", "(+publish &x)", "(+publish ~a*)"), s("ACL DRYRUN g3 publish y m"),
		use("1"), s("AUTH f pw"),
		s("GET a1"), s("GET b1"), s("SET b1 x"), s("SET a1 x"), s("MGET a1 b1"), s("MGET r1 r2"), s("MGET r1 b1"),
		s("PUBLISH c x"), s("PUBLISH d x"), s("HGET a f"), s("SET r1 x"), s("GET zz"), s("ACL WHOAMI"),
		s("MULTI"), s("GET a1"), s("SET b1 y"), s("SET a1 y"), s("EXEC"),
		q("EVAL", "return redis.call('get','a1')", "0"),
		use("0"), q("ACL", "SETUSER", "f", "+eval"), use("1"),
		q("EVAL", "return redis.call('get','a1')", "0"), q("EVAL", "return redis.pcall('set','a1','x')", "0"),
		q("EVAL", "return redis.pcall('publish','d','x')", "0"),
		use("0"), q("ACL", "SETUSER", "f", "clearselectors"), use("1"), s("GET a1"), s("ACL WHOAMI"),
	},
	"selector pubsub kill": {
		q("ACL", "SETUSER", "p", "on", "nopass", "+@all", "~*", "resetchannels", "(&ch* +@all)"),
		use("1"), s("AUTH p x"), s("SUBSCRIBE ch1"),
		use("2"), s("AUTH p x"), s("PSUBSCRIBE ch*"),
		use("0"), q("ACL", "SETUSER", "p", "clearselectors", "&ch1", "(&zz)"),
		use("1"), s("PING"), use("3"), s("AUTH p x"), s("ACL WHOAMI"),
	},
}

func TestACLSelectorsAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for _, proto := range []string{"2", "3"} {
		for name, script := range aclSelectorScripts {
			t.Run("RESP"+proto+"/"+name, func(t *testing.T) {
				runACLScript(t, redis.Addr, ours, proto, script)
			})
		}
	}
}

// TestACLSelectorConfigErrorsAgainstRedis: user directives whose
// selectors are bad or never closed fail the configuration with
// redis-server's words (the index Redis names counts merged rules). For a
// selector never closed, Redis's words are a leftover errno's, which
// differ between machines ("Wrong format" on one, "Unknown command or
// category name in ACL" on another): there both must only refuse.
func TestACLSelectorConfigErrorsAgainstRedis(t *testing.T) {
	bin := redistest.Require(t, "redis-server")
	for _, tc := range []struct {
		args     []string
		unclosed bool
	}{
		{[]string{"--user", "bob", "on", "(+get"}, true},
		{[]string{"--user", "bob", "on", "(+get", "~x)", "bogus"}, false},
		{[]string{"--user", "bob", "(+get", "~x)", "(bogus)"}, false},
		{[]string{"--user", "bob", "on", "(+get", "~x)", "(+set"}, true},
		{[]string{"--user", "bob", "on", "(~* ~x)"}, false},
	} {
		args := tc.args
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
			if got, want := "\n"+err.Error()+"\n", stderr.String(); got != want && !tc.unclosed {
				t.Errorf("redis-server %q printed:\n%s\nLoad's error:\n%s", args, want, got)
			}
		})
	}
}

// TestACLSelectorStartupAgainstRedis: selectors in user directives, split
// over several arguments, give the same users as in Redis.
func TestACLSelectorStartupAgainstRedis(t *testing.T) {
	const conf = "port 0\nuser bob on nopass (+get ~k*) ( +set &c ) (%W~w* +@hash)\n"
	path := filepath.Join(t.TempDir(), "redis.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := redistest.Require(t, "redis-server")
	port, err := redistest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	refAddr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin, path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if err := redistest.WaitForPing(refAddr, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadTestConfig([]string{path, "--port", "0", "--save", "", "--dir", t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ours := startServerConfig(t, cfg, nil)
	ref, got := dialRaw(t, refAddr), dialRaw(t, ours.addr)
	for _, st := range []step{s("ACL LIST"), s("ACL GETUSER bob"), s("ACL DRYRUN bob get k1"), s("ACL DRYRUN bob set w1 x"),
		s("ACL DRYRUN bob set k1 x"), s("ACL DRYRUN bob publish c x")} {
		compareStep(t, st, ref, got)
	}
}

// TestACLSelectorFileAgainstRedis: an aclfile's selectors load, ACL SAVE
// writes them as Redis does, and ACL LOAD refuses bad ones with Redis's
// errors. (An unclosed selector in an aclfile crashes Redis 7.0.15, so
// that case is a unit test of readACLFile's.)
func TestACLSelectorFileAgainstRedis(t *testing.T) {
	const start = "user default on nopass ~* &* +@all\nuser c on (+get ~x) (%R~r* +@hash &ch)\n"
	refFile := filepath.Join(t.TempDir(), "users.acl")
	gotFile := filepath.Join(t.TempDir(), "users.acl")
	files := [2]string{refFile, gotFile}
	writeBoth := func(content string) {
		for _, f := range files {
			if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	writeBoth(start)
	redis := redistest.Start(t, "aclfile", refFile)
	ours := startRealServer(t, "--aclfile", gotFile)
	ref, got := dialPair(t, redis.Addr, ours, "2")
	both := func(args ...string) {
		t.Helper()
		want := strings.ReplaceAll(ref.do(args...), refFile, "FILE")
		have := strings.ReplaceAll(got.do(args...), gotFile, "FILE")
		if want != have {
			t.Errorf("%q:\n redis: %q\n   ours: %q", args, want, have)
		}
	}
	both("ACL", "LIST")
	both("ACL", "SETUSER", "d", "(~y +get)", "clearselectors", "(&z", "+set)", "(allkeys", "+@read)")
	both("ACL", "SAVE")
	want, _ := os.ReadFile(refFile)
	have, _ := os.ReadFile(gotFile)
	if string(want) != string(have) {
		t.Errorf("ACL SAVE wrote:\n redis: %q\n   ours: %q", want, have)
	}
	both("ACL", "LOAD")
	both("ACL", "LIST")
	writeBoth("user default on nopass ~* &* +@all\nuser b on (+get ~x) (bogus) bogus2\nuser c on (+nosuch) (+get|) +nosuch2\n")
	both("ACL", "LOAD")
	both("ACL", "LIST")
}
