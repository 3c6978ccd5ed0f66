package server

import (
	"testing"

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
