package server

import (
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
)

// Differential tests: the same command scripts go to a real redis-server
// (started by the test on a spare port) and to this server, and the replies
// must match byte for byte. Where a reply legitimately differs in form
// (KEYS order, SCAN cursors, PTTL milliseconds) the step says how to compare.
// Each step must also make the same keyspace lookups, as INFO's
// keyspace_hits and keyspace_misses count them.

// cmpMode says how a step's two replies are compared.
type cmpMode int

const (
	exact   cmpMode = iota // byte for byte
	asSet                  // an array whose order does not matter
	approx                 // integers within a few units (time passes between the two)
	scanAll                // run SCAN to completion with these options; compare the key sets
	shape                  // same type and element count (random or hash-order replies)
)

type step struct {
	mode cmpMode
	args []string
}

// s builds an exactly compared step from a command line split on spaces;
// use q for arguments with spaces.
func s(line string) step { return step{exact, strings.Fields(line)} }

func q(args ...string) step { return step{exact, args} }

func set(line string) step { return step{asSet, strings.Fields(line)} }

func near(line string) step { return step{approx, strings.Fields(line)} }

func scan(opts string) step { return step{scanAll, strings.Fields(opts)} }

func like(line string) step { return step{shape, strings.Fields(line)} }

// diffScripts are grouped by family; each script starts from empty
// databases with database 0 selected.
var diffScripts = map[string][]step{
	"get set": {
		s("GET missing"), s("SET k v"), s("GET k"), s("SET k v2 XX"), s("GET k"),
		s("SET k v3 NX"), s("SET n v NX"), s("SET m v XX"), s("GET m"),
		s("SET k new GET"), s("SET fresh v GET"), s("SET k v NX GET"), s("SET absent v XX GET"),
		s("SET k v EX 100"), s("TTL k"), s("SET k v KEEPTTL"), s("TTL k"), s("SET k v"), s("TTL k"),
		s("SET k v PX 100000"), near("PTTL k"), s("SET k v EXAT 99999999999"), s("EXPIRETIME k"),
		s("SET k v PXAT 99999999999000"), s("PEXPIRETIME k"),
		s("SET k v EX 0"), s("SET k v EX -1"), s("SET k v EX abc"), s("SET k v EX 1.5"),
		s("SET k v PX 0"), s("SET k v EX 9223372036854775807"), s("SET k v EX 9223372036854776"),
		s("SET k v PX 9223372036854775807"), s("SET k v EXAT 9223372036854776"),
		s("SET k v EX 10 PX 10"), s("SET k v NX XX"), s("SET k v XX NX"), s("SET k v KEEPTTL EX 10"),
		s("SET k v EX 10 KEEPTTL"), s("SET k v EX"), s("SET k v BOGUS"), s("SET k v PERSIST"),
		s("SET k v ex 10 nx get"), s("SET k"), s("SET"), s("GET"), s("GET a b"),
		s("SET k v EX abc NX XX"), q("SET", "k", "v", "NX\x00junk"), q("SET", "k2", "v", "nx\x00", "EX\x00x", "100"), s("TTL k2"),
		q("SET", "bin\x00key", "val\r\nue"), q("GET", "bin\x00key"), q("SET", "", ""), q("GET", ""),
	},
	"setnx setex getset getdel getex": {
		s("SETNX k v"), s("SETNX k w"), s("GET k"), s("SETEX k 100 v"), s("TTL k"), s("SETEX k 0 v"),
		s("SETEX k -5 v"), s("SETEX k x v"), s("PSETEX k 100000 v"), near("PTTL k"), s("PSETEX k 0 v"),
		s("GETSET k new"), s("TTL k"), s("GETSET missing v"), s("GET missing"),
		s("GETDEL k"), s("GETDEL k"), s("EXISTS k"),
		s("SET g v"), s("GETEX g"), s("GETEX g EX 100"), s("TTL g"), s("GETEX g PERSIST"), s("TTL g"),
		s("GETEX g PX 100000"), near("PTTL g"), s("GETEX g EXAT 99999999999"), s("EXPIRETIME g"),
		s("GETEX g PXAT 1"), s("EXISTS g"), s("GETEX missing EX 10"), s("SET g v"),
		s("GETEX g EX 0"), s("GETEX g EX abc"), s("GETEX g NX"), s("GETEX g KEEPTTL"), s("GETEX g EX 1 PERSIST"),
		s("GETEX g PERSIST EX 1"), s("GETEX g EX"), s("GETEX"),
	},
	"mget mset msetnx": {
		s("MSET a 1 b 2 c 3"), s("MGET a b c d"), s("MSET a"), s("MSET a 1 b"), s("MSETNX a 1 x 2"),
		s("MGET x"), s("MSETNX x 1 y 2"), s("MGET x y"), s("MSETNX"), s("MGET"),
		s("MSET a 1 a 2"), s("GET a"),
	},
	"append strlen getrange setrange": {
		s("APPEND k hello"), s("APPEND k _world"), s("GET k"), s("STRLEN k"), s("STRLEN missing"),
		s("OBJECT ENCODING k"), s("SET i 123"), s("APPEND i 4"), s("GET i"), s("OBJECT ENCODING i"),
		s("GETRANGE k 0 4"), s("GETRANGE k -5 -1"), s("GETRANGE k 5 1"), s("GETRANGE k -1 -5"),
		s("GETRANGE k 0 100"), s("GETRANGE k -100 2"), s("GETRANGE k 100 200"), s("GETRANGE missing 0 1"),
		s("GETRANGE k a 1"), s("GETRANGE k 0 b"), s("SUBSTR k 0 2"), s("GETRANGE k -1 -1"),
		s("SETRANGE k 6 W"), s("GET k"), s("SETRANGE k 20 !"), q("GET", "k"), s("STRLEN k"),
		s("SETRANGE new 3 abc"), q("GET", "new"), s("SETRANGE none 0"), q("SETRANGE", "none", "0", ""),
		s("EXISTS none"), q("SETRANGE", "k", "0", ""), s("SETRANGE k -1 x"), s("SETRANGE k x x"),
		s("SETRANGE k 536870912 x"), s("SETRANGE k 536870911 xy"),
		s("SETRANGE k 9223372036854775807 x"), s("SETRANGE k 9223372036854775806 xy"), s("OBJECT ENCODING k"),
		q("SET", "e", ""), s("GETRANGE e 0 -1"), s("GETRANGE e 0 0"), s("STRLEN e"),
	},
	"incr decr": {
		s("INCR n"), s("INCR n"), s("DECR n"), s("INCRBY n 10"), s("DECRBY n 3"), s("GET n"),
		s("INCRBY n -20"), s("DECRBY n -5"), s("OBJECT ENCODING n"), s("SET s abc"), s("INCR s"),
		s("SET f 1.5"), s("INCR f"), s("SET big 9223372036854775807"), s("INCR big"), s("DECR big"),
		s("SET small -9223372036854775808"), s("DECR small"), s("INCRBY small -1"),
		s("DECRBY n -9223372036854775808"), s("INCRBY n 9223372036854775808"), s("INCRBY n abc"),
		s("SET lead 007"), s("INCR lead"), s("SET sp ' 1'"), q("SET", "sp", " 1"), s("INCR sp"),
		q("SET", "plus", "+1"), s("INCR plus"), s("INCRBY"), s("INCR a b"),
		s("SET ttl 5 EX 100"), s("INCR ttl"), s("TTL ttl"),
	},
	"incrbyfloat": {
		s("INCRBYFLOAT f 0.1"), s("INCRBYFLOAT f 0.2"), s("GET f"), s("INCRBYFLOAT f 10"),
		s("INCRBYFLOAT f -10.3"), s("INCRBYFLOAT f 1e3"), s("INCRBYFLOAT f 5.0e-3"), s("INCRBYFLOAT f -1000.005"),
		s("INCRBYFLOAT i 3"), s("SET i 10"), s("INCRBYFLOAT i 1.5"), s("INCRBYFLOAT i abc"),
		s("INCRBYFLOAT i inf"), s("INCRBYFLOAT i -inf"), s("INCRBYFLOAT i nan"), s("INCRBYFLOAT i 1e400"),
		s("INCRBYFLOAT i 0x10"), s("INCRBYFLOAT i 1e"), s("INCRBYFLOAT i .5"), s("INCRBYFLOAT i 5."),
		q("INCRBYFLOAT", "i", " 1"), q("INCRBYFLOAT", "i", "1 "), s("INCRBYFLOAT i +2"),
		s("SET s abc"), s("INCRBYFLOAT s 1"), s("INCRBYFLOAT n 1.23456789012345678"),
		s("INCRBYFLOAT big 1e20"), s("INCRBYFLOAT big 1e20"), s("INCRBYFLOAT tiny 1e-20"),
		s("INCRBYFLOAT neg -0.0"), s("INCRBYFLOAT x 3.0000000000000000001"), s("INCRBYFLOAT y 1e308"),
		s("INCRBYFLOAT y 1e308"), s("INCRBYFLOAT z 2.5e-17"), s("INCRBYFLOAT big2 123456789012345678901234567890"),
		s("INCRBYFLOAT e 20"), s("OBJECT ENCODING e"), s("OBJECT REFCOUNT e"), s("COPY e e2"), s("OBJECT ENCODING e2"),
		s("INCR e"), s("OBJECT ENCODING e"), s("OBJECT REFCOUNT e"), s("OBJECT ENCODING y"),
	},
	"lcs": {
		s("MSET a ohmytext b mynewtext"), s("LCS a b"), s("LCS a b LEN"), s("LCS a b IDX"),
		s("LCS a b IDX MINMATCHLEN 4"), s("LCS a b IDX WITHMATCHLEN"), s("LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN"),
		s("LCS a b LEN IDX"), s("LCS a missing"), s("LCS missing1 missing2 IDX"), s("LCS a b BOGUS"),
		s("LCS a b MINMATCHLEN x"), s("LCS a b MINMATCHLEN"), s("LCS a b MINMATCHLEN -5 IDX"),
		s("MSET x AGGTAB y GXTXAYB"), s("LCS x y"), s("LCS x y IDX WITHMATCHLEN"), s("LCS a"),
	},
	"bits": {
		s("SETBIT b 7 1"), s("GET b"), s("SETBIT b 7 0"), s("SETBIT b 100 1"), s("STRLEN b"),
		s("GETBIT b 100"), s("GETBIT b 99"), s("GETBIT b 100000"), s("GETBIT missing 3"),
		s("SETBIT b -1 1"), s("SETBIT b x 1"), s("SETBIT b 1 2"), s("SETBIT b 1 -1"), s("SETBIT b 1 x"),
		s("SETBIT b 4294967296 1"), s("GETBIT b 4294967296"), s("STRLEN b"),
		s("SET s foobar"), s("BITCOUNT s"), s("BITCOUNT s 0 0"), s("BITCOUNT s 1 1"), s("BITCOUNT s 1 -1"),
		s("BITCOUNT s -2 -1"), s("BITCOUNT s -1 -2"), s("BITCOUNT s 5 30 BIT"), s("BITCOUNT s 0 -1 BYTE"),
		s("BITCOUNT s 0 -1 bit"), s("BITCOUNT s 3 2"), s("BITCOUNT s 0"), s("BITCOUNT s 0 1 NOPE"),
		s("BITCOUNT s a 1"), s("BITCOUNT missing"), s("BITCOUNT missing 0"), s("BITCOUNT s 1 2 BIT x"),
		s("BITCOUNT s -100 -50"), s("BITCOUNT s -1 -100 BIT"),
		q("SET", "p", "\xff\xf0\x00"), s("BITPOS p 0"), s("BITPOS p 1"), s("BITPOS p 1 2"), s("BITPOS p 0 0 0"),
		s("BITPOS p 0 1"), s("BITPOS p 0 -1"), s("BITPOS p 1 0 -1 BIT"), s("BITPOS p 0 2 10 BIT"),
		s("BITPOS p 0 0 7 BIT"), s("BITPOS p 1 8 11 BIT"), s("BITPOS p 0 8 11 BIT"), s("BITPOS p 1 20 23 BIT"),
		q("SET", "ones", "\xff\xff"), s("BITPOS ones 0"), s("BITPOS ones 0 0 -1"), s("BITPOS ones 0 1"),
		s("BITPOS ones 0 0 1 BIT"), s("BITPOS missing 0"), s("BITPOS missing 1"), s("BITPOS p 2"),
		s("BITPOS p x"), s("BITPOS p 1 x"), s("BITPOS p 1 0 x"), s("BITPOS p 1 0 1 x"), s("BITPOS p 1 5 2"),
		q("SET", "empty", ""), s("BITPOS empty 0"), s("BITPOS empty 1"), s("BITCOUNT empty 0 -1"),
		s("BITPOS p 0 -1 -1 BIT"), s("BITPOS p 1 -3 -1 BIT"),
		s("SET u 11"), s("SETBIT u 15 1"), s("OBJECT ENCODING u"), s("OBJECT REFCOUNT u"),
		s("SET w abc"), s("SETBIT w 0 0"), s("OBJECT ENCODING w"), s("SETBIT w 100 0"), s("OBJECT ENCODING w"),
	},
	"keys": {
		s("MSET a 1 b 2 c 3"), s("DEL a b x"), s("EXISTS a c c x"), s("UNLINK c"), s("EXISTS c"),
		s("SET k v"), s("TYPE k"), s("TYPE missing"), s("TOUCH k missing k"),
		s("RENAME k k2"), s("GET k2"), s("RENAME k k3"), s("RENAME k2 k2"), s("RENAMENX k2 k2"),
		s("SET k3 v3"), s("RENAMENX k2 k3"), s("RENAMENX k2 k4"), s("RENAMENX missing k5"),
		s("SET t v EX 100"), s("RENAME t t2"), s("TTL t2"), s("RENAME k4 k3"), s("GET k3"),
		s("COPY k3 k5"), s("GET k5"), s("COPY k3 k5"), s("COPY k3 k5 REPLACE"), s("COPY k3 k3"),
		s("COPY missing k6"), s("COPY t2 t3"), s("TTL t3"), s("COPY k3 k3 DB 1"), s("COPY k3 k3 DB 16"),
		s("COPY k3 x DB x"), s("COPY k3 x DB 2147483648"), s("COPY k3 x BOGUS"), s("COPY k3 x DB"), s("COPY k3 k3 DB 0"),
		s("SET i 5"), s("COPY i i2"), s("OBJECT REFCOUNT i2"), s("OBJECT ENCODING i2"), s("RENAME i2 i3"), s("OBJECT REFCOUNT i3"),
		s("COPY i i4 DB 2"), s("INCR i3"), s("OBJECT REFCOUNT i3"), s("OBJECT REFCOUNT i"),
		s("SELECT 1"), s("GET k3"), s("SELECT 0"),
		s("MOVE k3 1"), s("MOVE k3 1"), s("MOVE k5 0"), s("MOVE k5 16"), s("MOVE k5 x"), s("MOVE k5 -2147483649"), s("MOVE missing 1"),
		s("SET k5x v"), s("SELECT 1"), s("SET k5x other"), s("SELECT 0"), s("MOVE k5x 1"),
		s("DEL"), s("TYPE"), s("RENAME a"),
	},
	"keys and scan": {
		s("MSET user:1 a user:2 b user:3 c item:1 d item:2 e"), q("SET", "h[a]llo", "x"), q("SET", "hello", "y"),
		set("KEYS *"), set("KEYS user:*"), set("KEYS *:1"), set("KEYS user:?"), set("KEYS h[ae]llo"),
		set("KEYS h\\[a\\]llo"), set("KEYS nomatch*"), s("KEYS"),
		scan(""), scan("MATCH user:*"), scan("COUNT 1"), scan("MATCH *:2 COUNT 2"), scan("TYPE string"),
		scan("TYPE list"), scan("TYPE STRING"), scan("TYPE nosuchtype"),
		s("SCAN x"), s("SCAN 0 COUNT 0"), s("SCAN 0 COUNT -1"), s("SCAN 0 COUNT x"), s("SCAN 0 MATCH"),
		s("SCAN 0 BOGUS x"), step{scanAll, []string{"COUNT\x00x", "100"}}, q("SCAN", "0", "COUNTx", "100"), s("SCAN 18446744073709551616"), like("SCAN -1"), s("SCAN 1.5"), s("SCAN"), s("SCAN -"), s("SCAN +"), like("SCAN -0"),
		like("SCAN +0"),
		s("DBSIZE"), like("RANDOMKEY"), s("FLUSHDB"), s("RANDOMKEY"), s("SET only v"), s("RANDOMKEY"),
		s("SCAN 0"), q("SCAN", "\x00"), q("SCAN", "0\x00junk"), q("SCAN", "-\x00"), q("SCAN", " \x00"),
	},
	"object": {
		s("SET i 12345"), s("SET s hello"), q("SET", "l", strings.Repeat("x", 45)), s("SET e 44444444444444444444444"),
		s("OBJECT ENCODING i"), s("OBJECT ENCODING s"), s("OBJECT ENCODING l"), s("OBJECT ENCODING e"),
		s("OBJECT ENCODING missing"), s("OBJECT REFCOUNT i"), s("OBJECT REFCOUNT s"), s("SET small 99"),
		s("OBJECT REFCOUNT small"), near("OBJECT IDLETIME s"), s("OBJECT FREQ s"), s("OBJECT FREQ missing"),
		s("OBJECT IDLETIME missing"), s("OBJECT HELP"), s("OBJECT"), s("OBJECT ENCODING"),
		s("OBJECT BOGUS x"), s("OBJECT ENCODING a b"), s("OBJECT help extra"),
	},
	"expire": {
		s("SET k v"), s("EXPIRE k 100"), s("TTL k"), near("PTTL k"), s("EXPIRE k 200 NX"), s("EXPIRE k 200 XX"),
		s("TTL k"), s("EXPIRE k 100 GT"), s("EXPIRE k 300 GT"), s("TTL k"), s("EXPIRE k 400 LT"),
		s("EXPIRE k 50 LT"), s("TTL k"), s("PERSIST k"), s("PERSIST k"), s("TTL k"),
		s("EXPIRE k 100 GT"), s("EXPIRE k 100 LT"), s("TTL k"), s("PERSIST k"), s("EXPIRE k 100 XX"),
		s("EXPIRE k 100 NX"), s("EXPIRE k 10 NX XX"), s("EXPIRE k 10 GT LT"), s("EXPIRE k 10 NX GT"),
		s("EXPIRE k 10 BOGUS"), q("EXPIRE", "k", "10", "a\x00b"), q("EXPIRE", "k", "10", "GT\x00x"), s("EXPIRE k abc"), s("EXPIRE missing 10"), s("TTL missing"), s("PTTL missing"),
		s("PEXPIRE k 100000"), near("PTTL k"), s("EXPIREAT k 99999999999"), s("EXPIRETIME k"), s("PEXPIRETIME k"),
		s("PEXPIREAT k 99999999999999"), s("PEXPIRETIME k"), s("EXPIRETIME missing"), s("SET n v"),
		s("EXPIRETIME n"), s("PEXPIRETIME n"), s("EXPIRE k -1"), s("EXISTS k"), s("SET k v"), s("EXPIREAT k 1"),
		s("EXISTS k"), s("SET k v"), s("PEXPIRE k 0"), s("EXISTS k"), s("SET k v"),
		s("EXPIRE k 9223372036854775807"), s("EXPIRE k 9223372036854775"), s("EXPIRE k -9223372036854775808"),
		s("PEXPIRE k 9223372036854775807"), s("PEXPIREAT k 9223372036854775807"), s("TTL k"), s("EXPIRETIME k"),
		s("PEXPIREAT k 9223372036854775308"), s("EXPIRETIME k"), s("PEXPIREAT k 9223372036854775307"), s("EXPIRETIME k"),
		s("EXPIRE k 1.5"), s("EXPIRE"), s("EXPIRE k"), s("TTL"), s("PERSIST"),
		s("SET g v EX 100"), s("GETSET g w"), s("TTL g"), s("SET a v EX 100"), s("APPEND a x"), s("TTL a"),
		// A key SET in the past stays until a lookup, SCAN or the active
		// expiry cycle removes it: a read's removal shows in DBSIZE.
		s("FLUSHDB"), s("SET p v PXAT 1000"), s("GET p"), s("DBSIZE"), s("SET p v PXAT 1000"), s("EXISTS p"), s("DBSIZE"),
		s("SET p v PXAT 1000"), s("TYPE p"), s("DBSIZE"), s("SET p v PXAT 1000"), s("SCAN 0"), s("DBSIZE"),
	},
	// Redis counts the lookups it makes with lookupKeyRead, whether the
	// command reads or writes, and not those of lookupKeyWrite; a command
	// that fails before its lookup counts none.
	"keyspace lookups": {
		s("MSET s foobar n 10"), s("SET t v EX 1000"),
		s("GET s"), s("GET nx"), s("MGET s nx s"), s("STRLEN nx"), s("GETRANGE s 0 1"), s("GETRANGE s a 1"),
		s("SUBSTR nx 0 1"), s("GETBIT s 1"), s("GETBIT s x"), s("BITCOUNT s 0"), s("BITCOUNT nx 0"),
		s("BITPOS s 2"), s("BITPOS s 1 x"), s("LCS s nx"), s("LCS s s BOGUS"), s("LCS nx ny LEN IDX"),
		s("GETEX s"), s("GETEX nx"), s("GETEX s EX abc"), s("GETEX nx EX abc"), s("GETEX s BOGUS"),
		s("GETEX s PERSIST"), s("GETDEL nx"), s("GETSET g v"), s("GETSET g w"), s("GETDEL g"),
		s("SET s x GET"), s("SET new x GET"), s("SET s y NX GET"), s("SET s x EX abc GET"), s("SET s x BOGUS GET"),
		s("SET s foobar"), s("SETNX s x"), s("SETEX s 10 foobar"), s("PSETEX s 10000 foobar"),
		s("MSETNX s 1 nx 2"), s("APPEND s x"), s("SETRANGE s 1 x"), s("INCR n"), s("INCRBYFLOAT n 1"),
		s("SETBIT s 1 1"), s("EXPIRE s 100"), s("PERSIST s"), s("PERSIST nx"),
		s("EXISTS s nx s"), s("TOUCH s nx s"), s("TYPE s"), s("TYPE nx"),
		s("TTL t"), s("TTL nx"), near("PTTL t"), s("EXPIRETIME s"), s("PEXPIRETIME nx"),
		s("OBJECT ENCODING s"), s("OBJECT REFCOUNT nx"), near("OBJECT IDLETIME s"), s("OBJECT IDLETIME nx"),
		s("OBJECT FREQ s"), s("OBJECT FREQ nx"), s("OBJECT HELP"),
		s("COPY s c"), s("COPY nx c"), s("COPY s c"), s("COPY s c REPLACE"), s("COPY s s"), s("COPY s c DB 1"),
		s("COPY s c DB 99"), s("COPY s c BOGUS"), s("RENAME c c2"), s("RENAME nx c3"), s("MOVE c2 1"), s("MOVE nx 1"),
		scan(""), scan("TYPE string"), scan("MATCH s* TYPE string"), scan("TYPE list"), scan("MATCH nomatch TYPE string"),
		s("MULTI"), s("GET s"), s("TYPE nx"), s("SET s v GET"), s("EXEC"),
		set("KEYS *"), s("DBSIZE"), like("RANDOMKEY"), s("DEL s nx"), s("UNLINK n nx"),
		s("SELECT 1"), s("GET c2"), s("SELECT 0"), s("FLUSHALL"), s("GET s"),
	},
	// COMMAND's replies that do not depend on the commands one server has
	// and the other lacks.
	"command": {
		s("COMMAND INFO nosuch"), s("COMMAND INFO get|x config|nosuch"), s("COMMAND DOCS nosuch"),
		s("COMMAND GETKEYS"), s("COMMAND GETKEYS get"), s("COMMAND GETKEYS nosuch a"), s("COMMAND GETKEYS get a b"),
		s("COMMAND GETKEYS ping a"), s("COMMAND GETKEYS dbsize x"), s("COMMAND GETKEYS GET k"),
		s("COMMAND GETKEYS mset a 1 b 2"), s("COMMAND GETKEYS object encoding k"), s("COMMAND GETKEYS object nosuch k"),
		s("COMMAND GETKEYS object encoding"), s("COMMAND GETKEYS object help"), s("COMMAND GETKEYS config get x"),
		s("COMMAND GETKEYS lcs a b"), s("COMMAND GETKEYS lcs a"), s("COMMAND GETKEYS ssubscribe a b"),
		s("COMMAND GETKEYS spublish a b"), s("COMMAND GETKEYS subscribe a b"), s("COMMAND GETKEYS copy a b DB 1"),
		s("COMMAND GETKEYS set k v EX 10"), s("COMMAND LIST FILTERBY bogus x"), s("COMMAND LIST x"),
		s("COMMAND LIST FILTERBY module x"), s("COMMAND LIST FILTERBY pattern nosuch*"), s("COMMAND COUNT x"),
		set("COMMAND LIST FILTERBY ACLCAT string"), step{asSet, []string{"COMMAND", "LIST", "FILTERBY", "ACLCAT", "STRING\x00x"}},
		s("COMMAND BOGUS"),
	},
	"databases": {
		s("SET k zero"), s("SELECT 1"), s("GET k"), s("SET k one"), s("DBSIZE"), s("SELECT 0"), s("GET k"),
		s("SWAPDB 0 1"), s("GET k"), s("SELECT 1"), s("GET k"), s("SELECT 16"), s("SELECT -1"), s("SELECT x"),
		s("SWAPDB 0 16"), s("SWAPDB x 0"), s("SWAPDB 0 x"), s("SWAPDB 0 0"), s("SELECT 0"),
		s("SELECT 2147483648"), s("SELECT -2147483649"), s("SELECT 99999999999999999999"), s("SWAPDB 2147483648 0"),
		s("FLUSHDB"), s("DBSIZE"), s("SELECT 1"), s("DBSIZE"), s("FLUSHALL"), s("DBSIZE"),
		s("FLUSHDB ASYNC"), s("FLUSHDB sync"), s("FLUSHDB bogus"), s("FLUSHALL ASYNC"), s("FLUSHALL x y"),
		s("SELECT 0"), s("DBSIZE x"),
	},
}

// startRealServer starts this server with the wall clock, as redis-server
// uses, for comparisons that involve time.
func startRealServer(t *testing.T, args ...string) string {
	t.Helper()
	cfg, _ := testConfig(t, args...)
	cfg.Clock = nil // the wall clock, as redis-server's
	return startServerConfig(t, cfg, nil).addr
}

// TestDifferential runs every script twice: on RESP2 connections and on
// RESP3 ones (after HELLO 3), whose replies differ in type for many
// commands (doubles, maps, sets, verbatim strings, nulls).
func TestDifferential(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for _, proto := range []string{"2", "3"} {
		for name, script := range diffScripts {
			t.Run("RESP"+proto+"/"+name, func(t *testing.T) {
				ref, got := dialPair(t, redis.Addr, ours, proto)
				stats := dialStats(t, redis.Addr, ours)
				for _, c := range []*rawConn{ref, got} {
					c.do("FLUSHALL")
					c.do("SELECT", "0")
				}
				stats.reset()
				for _, st := range script {
					compareStep(t, st, ref, got)
					stats.compare(t, st)
				}
			})
		}
	}
}

// dialPair dials redis-server at refAddr and this server at gotAddr, and
// switches both connections to protocol proto ("2" or "3") with HELLO.
func dialPair(t *testing.T, refAddr, gotAddr, proto string) (ref, got *rawConn) {
	t.Helper()
	ref, got = dialRaw(t, refAddr), dialRaw(t, gotAddr)
	ref.do("HELLO", proto)
	got.do("HELLO", proto)
	return ref, got
}

func compareStep(t *testing.T, st step, ref, got *rawConn) {
	t.Helper()
	if st.mode == scanAll {
		want, have := scanKeys(ref, st.args), scanKeys(got, st.args)
		if !slices.Equal(want, have) {
			t.Errorf("SCAN %s: redis returned %q, we returned %q", strings.Join(st.args, " "), want, have)
		}
		return
	}
	want, have := ref.do(st.args...), got.do(st.args...)
	ok := false
	switch st.mode {
	case exact:
		ok = want == have
	case asSet:
		ok = slices.Equal(sortedElems(t, want), sortedElems(t, have))
	case approx:
		ok = closeIntegers(want, have, approxTolerance(st.args))
	case shape:
		ok = sameShape(want, have)
	}
	if !ok {
		t.Errorf("%q:\n redis: %q\n   ours: %q", st.args, want, have)
	}
}

// lookupStats reads the keyspace lookup counters of both servers, each on a
// connection of its own, so that reading them changes nothing a script sees
// (its transaction, its database).
type lookupStats struct{ ref, got *rawConn }

func dialStats(t *testing.T, refAddr, gotAddr string) lookupStats {
	t.Helper()
	return lookupStats{dialRaw(t, refAddr), dialRaw(t, gotAddr)}
}

// takeLookups returns the keyspace_hits and keyspace_misses lines of INFO
// stats on c, then zeroes them with CONFIG RESETSTAT: each call returns the
// lookups made since the one before.
func takeLookups(c *rawConn) string {
	var counts []string
	for _, line := range strings.Split(c.do("INFO", "stats"), "\r\n") {
		if strings.HasPrefix(line, "keyspace_hits:") || strings.HasPrefix(line, "keyspace_misses:") {
			counts = append(counts, line)
		}
	}
	if len(counts) != 2 {
		c.t.Fatalf("INFO stats lacks keyspace_hits or keyspace_misses: %q", counts)
	}
	c.do("CONFIG", "RESETSTAT")
	return strings.Join(counts, " ")
}

// reset zeroes both servers' counters.
func (ls lookupStats) reset() {
	takeLookups(ls.ref)
	takeLookups(ls.got)
}

// compare checks that st, just run on both servers, counted the same
// keyspace hits and misses on both.
func (ls lookupStats) compare(t *testing.T, st step) {
	t.Helper()
	if want, have := takeLookups(ls.ref), takeLookups(ls.got); want != have {
		name := strings.Join(st.args, " ")
		if st.mode == scanAll {
			name = "a whole SCAN " + name
		}
		t.Errorf("%s: lookups\n redis: %s\n   ours: %s", name, want, have)
	}
}

// sortedElems returns the encoded elements of an array reply, sorted.
func sortedElems(t *testing.T, reply string) []string {
	f, _, err := frame.Parse([]byte(reply))
	if err != nil || f.Type != frame.Array {
		return []string{reply}
	}
	var out []string
	for _, e := range f.Elems {
		out = append(out, string(frame.Append(nil, e, frame.RESP2)))
	}
	slices.Sort(out)
	return out
}

// sameShape reports whether two replies have the same type and, for
// aggregates, the same number of elements.
func sameShape(a, b string) bool {
	fa, _, err1 := frame.Parse([]byte(a))
	fb, _, err2 := frame.Parse([]byte(b))
	return err1 == nil && err2 == nil && fa.Type == fb.Type && fa.IsNull() == fb.IsNull() &&
		len(fa.Elems) == len(fb.Elems) && !fa.IsError()
}

// approxTolerance is how far apart two time readings may be: PTTL
// milliseconds drift while a step crosses both servers; Redis's LRU clock,
// behind OBJECT IDLETIME, ticks in whole seconds.
func approxTolerance(args []string) int64 {
	if len(args) > 1 && strings.EqualFold(args[0], "object") {
		return 1
	}
	return 50
}

func closeIntegers(a, b string, tolerance int64) bool {
	fa, _, err1 := frame.Parse([]byte(a))
	fb, _, err2 := frame.Parse([]byte(b))
	if err1 != nil || err2 != nil || fa.Type != frame.Integer || fb.Type != frame.Integer {
		return a == b
	}
	d := fa.Int - fb.Int
	return -tolerance <= d && d <= tolerance
}

// scanKeys runs a full SCAN with opts and returns the sorted distinct keys.
func scanKeys(c *rawConn, opts []string) []string {
	seen := map[string]bool{}
	cursor := "0"
	for i := 0; i < 10000; i++ {
		reply := c.do(append([]string{"SCAN", cursor}, opts...)...)
		f, _, err := frame.Parse([]byte(reply))
		if err != nil || f.Type != frame.Array || len(f.Elems) != 2 {
			return []string{"error: " + reply}
		}
		for _, k := range f.Elems[1].Elems {
			seen[k.Text()] = true
		}
		cursor = f.Elems[0].Text()
		if cursor == "0" {
			break
		}
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestDifferentialCoversEveryCommand keeps the scripts honest: every
// keyspace command in the table appears in at least one script.
func TestDifferentialCoversEveryCommand(t *testing.T) {
	used := bitDiffCommands()
	for _, script := range diffScripts {
		for _, st := range script {
			if len(st.args) > 0 {
				used[strings.ToLower(st.args[0])] = true
			}
			if st.mode == scanAll {
				used["scan"] = true
			}
		}
	}
	for _, family := range [][]*command{stringCommands(), bitCommands(), keyCommands(), expireCommands(), databaseCommands()} {
		for _, cmd := range family {
			if !used[cmd.name] {
				t.Errorf("command %s has no differential test", cmd.name)
			}
		}
	}
}

// TestExpiryAgainstRedis lets keys expire for real on both servers.
func TestExpiryAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for _, addr := range []string{redis.Addr, ours} {
		c := dialRaw(t, addr)
		c.do("FLUSHALL")
		c.do("SET", "short", "v", "PX", "50")
		c.do("SET", "long", "v", "EX", "100")
		for i := 0; i < 100; i++ {
			c.do("SET", "many:"+strconv.Itoa(i), "v", "PX", "30")
		}
	}
	time.Sleep(300 * time.Millisecond) // real servers, real time: the one sleep this needs
	for _, key := range []string{"short", "long", "many:7"} {
		want := dialRaw(t, redis.Addr).do("EXISTS", key)
		got := dialRaw(t, ours).do("EXISTS", key)
		if want != got {
			t.Errorf("EXISTS %s: redis %q, ours %q", key, want, got)
		}
	}
	// Active expiry has removed the keys nobody asked about (Redis runs it
	// ten times a second too).
	deadline := time.Now().Add(hangTimeout)
	for {
		want := dialRaw(t, redis.Addr).do("DBSIZE")
		got := dialRaw(t, ours).do("DBSIZE")
		if want == got && got == ":1\r\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("DBSIZE: redis %q, ours %q; want both to reach 1", want, got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestConfigRewriteErrorsAgainstRedis has redis-server and this server
// rewrite configuration files that can no longer be written: the error
// replies must be the same.
func TestConfigRewriteErrorsAgainstRedis(t *testing.T) {
	bin := redistest.Require(t, "redis-server")
	port, err := redistest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	confDir := filepath.Join(dir, "conf")
	theirs, ours := filepath.Join(confDir, "redis.conf"), filepath.Join(confDir, "ours.conf")
	if err := os.Mkdir(confDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{theirs, ours} {
		if err := os.WriteFile(path, []byte("save \"\"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	refAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	cmd := exec.Command(bin, theirs, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--daemonize", "no", "--logfile", filepath.Join(dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if err := redistest.WaitForPing(refAddr, hangTimeout); err != nil {
		t.Fatalf("redis-server did not come up: %v", err)
	}
	cfg, err := loadTestConfig([]string{ours, "--dir", dir})
	if err != nil {
		t.Fatal(err)
	}
	ref, got := dialRaw(t, refAddr), dialRaw(t, startServerConfig(t, cfg, nil).addr)
	rewrite := func(context string) {
		t.Helper()
		if want, have := ref.do("CONFIG", "REWRITE"), got.do("CONFIG", "REWRITE"); want != have {
			t.Errorf("CONFIG REWRITE %s:\n redis: %q\n   ours: %q", context, want, have)
		}
	}
	rewrite("of a file that can be written")
	if err := os.RemoveAll(confDir); err != nil {
		t.Fatal(err)
	}
	rewrite("in a directory that is gone")
	for _, path := range []string{theirs, ours} {
		if err := os.MkdirAll(path, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	rewrite("over a directory")
}

func TestLongDoubleFormatting(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"0", "0.1", "0.1"},
		{"0.1", "0.2", "0.3"},
		{"10.5", "0.1", "10.6"},
		{"5.0e3", "2.0e2", "5200"},
		{"-0.0", "0", "0"},
		{"1", "-1", "0"},
		{"3", "1e-20", "3"},
	} {
		a, ok1 := parseLongDouble([]byte(tc.a))
		b, ok2 := parseLongDouble([]byte(tc.b))
		if !ok1 || !ok2 {
			t.Fatalf("parse %q or %q failed", tc.a, tc.b)
		}
		sum, ok := addLongDouble(a, b)
		if !ok {
			t.Fatalf("%s + %s overflowed", tc.a, tc.b)
		}
		if got := string(formatLongDouble(sum)); got != tc.want {
			t.Errorf("%s + %s = %s, want %s", tc.a, tc.b, got, tc.want)
		}
	}
	for _, bad := range []string{"", " 1", "1 ", "nan", "1e", "e5", "--1", "0x", "1e99999", "abc", "1_000"} {
		if _, ok := parseLongDouble([]byte(bad)); ok {
			t.Errorf("parseLongDouble(%q) accepted", bad)
		}
	}
}

// checkScriptsCover keeps a family's differential scripts honest: it
// fails t for each command of cmds that no step of scripts runs. words
// gives a step's command (empty for a step that runs none).
func checkScriptsCover[S any](t *testing.T, scripts map[string][]S, words func(S) []string, cmds []*command) {
	t.Helper()
	used := map[string]bool{}
	for _, script := range scripts {
		for _, st := range script {
			if args := words(st); len(args) > 0 {
				used[strings.ToLower(args[0])] = true
			}
		}
	}
	for _, cmd := range cmds {
		if !used[cmd.name] {
			t.Errorf("command %s has no differential test", cmd.name)
		}
	}
}

// stepWords is a step's command, for checkScriptsCover.
func stepWords(st step) []string { return st.args }

// bstepWords is a blocking step's command, for checkScriptsCover.
func bstepWords(st bstep) []string { return st.args }
