package server

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mini-redis/mini-redis/server/acl"
)

// TestACLCategoriesMatchCommandInfo: the acl package's categories are the
// bits of COMMAND INFO's, in the same order.
func TestACLCategoriesMatchCommandInfo(t *testing.T) {
	if got := acl.Categories(); !slices.Equal(got, aclCategoryNames) {
		t.Errorf("acl.Categories() = %q, COMMAND INFO's are %q", got, aclCategoryNames)
	}
}

// TestACLEveryCommandHasID: every command of the table is in the ACL
// catalog, so that rules can name it.
func TestACLEveryCommandHasID(t *testing.T) {
	ts := startServer(t)
	for _, cmd := range ts.commands {
		for _, c := range append([]*command{cmd}, cmd.sortedSubcommands()...) {
			if c.aclID < 0 {
				t.Errorf("%s has no ACL id", c.name)
			}
		}
	}
}

// TestACLDescriptionsRoundTrip: for every category and command, the
// description of a user's rules, applied to a new user, gives the same
// description (Redis checks its descriptions against the bitmap the same
// way).
func TestACLDescriptionsRoundTrip(t *testing.T) {
	cat := newACLCatalog()
	var ruleSets [][]string
	for _, c := range acl.Categories() {
		ruleSets = append(ruleSets, []string{"+@" + c}, []string{"+@all", "-@" + c}, []string{"+@" + c, "-get", "+config|get"})
	}
	for name := range redisCommands {
		ruleSets = append(ruleSets, []string{"+" + name}, []string{"+@all", "-" + name})
	}
	for _, rules := range ruleSets {
		u := acl.New("u", cat)
		for _, r := range rules {
			if err := u.Apply(r); err != nil {
				t.Fatalf("%q: %v", rules, err)
			}
		}
		desc := u.CommandRules()
		v := acl.New("v", cat)
		for _, r := range strings.Fields(desc) {
			if err := v.Apply(r); err != nil {
				t.Fatalf("%q described as %q: %v", rules, desc, err)
			}
		}
		if got := v.CommandRules(); got != desc {
			t.Errorf("%q described as %q, which describes as %q", rules, desc, got)
		}
	}
}

// TestACLConcurrentChanges changes users while their clients run
// commands: run with -race.
func TestACLConcurrentChanges(t *testing.T) {
	ts := startServer(t)
	admin := ts.dial(t)
	admin.do("ACL", "SETUSER", "w", "on", "nopass", "+@all", "~*")
	var wg sync.WaitGroup
	for i := range 4 {
		c := ts.dial(t)
		c.do("AUTH", "w", "x")
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				r := c.do("SET", "k"+strconv.Itoa(i), strconv.Itoa(j))
				if r != "+OK\r\n" && !strings.HasPrefix(r, "-NOPERM") {
					t.Errorf("SET: %q", r)
					return
				}
			}
		}()
	}
	for j := range 100 {
		if j%2 == 0 {
			admin.do("ACL", "SETUSER", "w", "-set")
		} else {
			admin.do("ACL", "SETUSER", "w", "+set")
		}
		admin.do("ACL", "LOG")
		admin.do("ACL", "LIST")
	}
	wg.Wait()
}

// BenchmarkACLCheck is the permission check of dispatch: for the default
// user (every permission) it must cost next to nothing and allocate
// nothing; a restricted user pays for its rules.
func BenchmarkACLCheck(b *testing.B) {
	ts := startServerConfig(b, mustTestConfig(b), nil)
	s := ts.Server
	get := s.commands["get"]
	args := [][]byte{[]byte("GET"), []byte("user:1")}
	c := &client{server: s}
	b.Run("default", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if u := c.aclUserOf().get(); !u.Unrestricted() {
				b.Fatal("the default user is restricted")
			}
		}
	})
	b.Run("restricted", func(b *testing.B) {
		u := acl.New("r", s.acl.catalog)
		for _, r := range []string{"on", "+@read", "~user:*"} {
			if err := u.Apply(r); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		for range b.N {
			if d, _ := s.aclCheck(u, get, args); d != aclOK {
				b.Fatal("denied")
			}
		}
	})
}

// BenchmarkGetAsDefaultUser is GET through the whole server, whose
// dispatch includes the ACL check, for comparison with the benchmarks of
// other commands.
func BenchmarkGetAsDefaultUser(b *testing.B) {
	benchCommands(b, [][]string{{"SET", "k", "v"}}, func(int) []string { return []string{"GET", "k"} })
}

// ACL SETUSER off closes the user's connections (the caller's own after
// its reply), and only when it turns the user off: a password change or a
// SETUSER of a user already off closes nothing.
func TestACLSetUserOffClosesConnections(t *testing.T) {
	ts := startServer(t)
	admin, victim, bystander := ts.dial(t), ts.dial(t), ts.dial(t)
	admin.do("ACL", "SETUSER", "v", "on", ">pw", "+@all", "~*")
	victim.do("AUTH", "v", "pw")
	if got := admin.do("ACL", "SETUSER", "v", ">other"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	if got := victim.do("PING"); got != "+PONG\r\n" {
		t.Fatalf("after a password change the user's connection says %q", got)
	}
	if got := admin.do("ACL", "SETUSER", "v", "off"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	if rest, err := victim.readUntilClose(); rest != "" || err != nil {
		t.Errorf("the disabled user's connection got %q, %v; want it closed", rest, err)
	}
	if got := bystander.do("PING"); got != "+PONG\r\n" {
		t.Errorf("another user's connection: %q", got)
	}
	if got := dialRawAuth(t, ts.addr, "v", "pw"); !strings.HasPrefix(got, "-WRONGPASS") {
		t.Errorf("AUTH as the disabled user: %q", got)
	}

	self := ts.dial(t)
	admin.do("ACL", "SETUSER", "me", "on", "nopass", "+@all", "~*")
	self.do("AUTH", "me", "x")
	self.Send("ACL", "SETUSER", "me", "off")
	if rest, err := self.readUntilClose(); rest != "+OK\r\n" || err != nil {
		t.Errorf("turning one's own user off: %q, %v; want +OK, then the close", rest, err)
	}
}

// dialRawAuth runs AUTH user password on a new connection and returns the
// reply.
func dialRawAuth(t *testing.T, addr, user, password string) string {
	t.Helper()
	return dialRaw(t, addr).do("AUTH", user, password)
}

// Turning the default user off closes nothing: new connections must
// authenticate, the open ones go on.
func TestACLSetUserDefaultOffKeepsConnections(t *testing.T) {
	ts := startServer(t)
	c, other := ts.dial(t), ts.dial(t)
	c.do("ACL", "SETUSER", "admin", "on", ">pw", "+@all", "~*")
	if got := c.do("ACL", "SETUSER", "default", "off"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	for _, conn := range []*rawConn{c, other} {
		if got := conn.do("PING"); got != "+PONG\r\n" {
			t.Errorf("a default connection after default off: %q", got)
		}
	}
	if got := dialRaw(t, ts.addr).do("PING"); !strings.HasPrefix(got, "-NOAUTH") {
		t.Errorf("a new connection after default off: %q", got)
	}
}
