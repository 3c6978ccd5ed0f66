package server

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
)

// Differential tests of the generic key commands, and of the string
// commands, on lists, hashes and sets. Lists and hashes are made with
// RPUSH and HSET: on redis-server as they are, and on this server too once
// it has those commands; until then through the db package (see
// seedCollection), which makes the same values.

// stringCommandsOn returns the steps of every string and bit command on
// key, which holds a list, a hash or a set: WRONGTYPE for each (LCS has
// its own words), nil in MGET; the commands that write a whole string
// replace the key.
func stringCommandsOn(key string) []step {
	return []step{
		s("GET " + key), s("APPEND " + key + " x"), s("INCR " + key), s("DECR " + key), s("INCRBY " + key + " 1"),
		s("DECRBY " + key + " 1"), s("INCRBYFLOAT " + key + " 1.5"), s("SETRANGE " + key + " 0 x"),
		q("SETRANGE", key, "0", ""), s("SETRANGE " + key + " -1 x"), s("GETRANGE " + key + " 0 1"),
		s("GETRANGE " + key + " x 1"), s("SUBSTR " + key + " 0 1"), s("STRLEN " + key), s("BITCOUNT " + key),
		s("BITCOUNT " + key + " 0 1"), s("BITCOUNT " + key + " 0 1 BIT"), s("BITCOUNT " + key + " x 1"),
		s("SETBIT " + key + " 0 1"), s("SETBIT " + key + " x 1"), s("GETBIT " + key + " 0"), s("BITPOS " + key + " 1"),
		s("BITPOS " + key + " 0 0 1 BIT"), s("BITOP AND d " + key), s("BITOP OR d str " + key), s("BITOP NOT d " + key),
		s("BITOP NOT d " + key + " str"), s("BITFIELD " + key + " GET u8 0"), s("BITFIELD " + key + " SET u8 0 1"),
		s("BITFIELD " + key + " OVERFLOW FAIL INCRBY u8 0 300"), s("BITFIELD " + key + " GET u64 0"),
		s("BITFIELD " + key), s("BITFIELD_RO " + key + " GET u8 0"), s("BITFIELD_RO " + key + " SET u8 0 1"),
		s("LCS " + key + " str"), s("LCS str " + key), s("LCS " + key + " missing LEN"),
		s("GETDEL " + key), s("GETEX " + key), s("GETEX " + key + " PERSIST"), s("GETEX " + key + " EX 100"),
		s("GETSET " + key + " v"), s("SET " + key + " v GET"), s("SET " + key + " v NX GET"), s("SET " + key + " v NX"),
		s("SETNX " + key + " v"), s("MSETNX " + key + " v other v"), s("MGET " + key + " str missing " + key),
		s("EXISTS other"), s("TYPE " + key),
	}
}

// collectionsSeed makes one key of each kind.
var collectionsSeed = []step{
	s("RPUSH l a b c"), s("HSET h f1 v1 f2 v2"), s("SADD s 3 1 2"), s("SADD hs a b"), s("SET str v"),
}

var collectionKeyScripts = map[string][]step{
	"type object exists scan": slices.Concat(collectionsSeed, []step{
		s("TYPE l"), s("TYPE h"), s("TYPE s"), s("TYPE hs"), s("OBJECT ENCODING l"), s("OBJECT ENCODING h"),
		s("OBJECT ENCODING s"), s("OBJECT ENCODING hs"), s("OBJECT REFCOUNT l"), s("OBJECT REFCOUNT h"),
		s("OBJECT REFCOUNT s"), s("OBJECT FREQ h"), near("OBJECT IDLETIME s"), s("EXISTS l h s hs missing l"),
		s("TOUCH l h s missing"), scan("TYPE list"), scan("TYPE hash"), scan("TYPE set"), scan("TYPE string"),
		scan("TYPE zset"), scan("TYPE stream"), scan("TYPE SET"), scan("MATCH h* TYPE set"), scan("MATCH h*"),
		scan("COUNT 1 TYPE list"), set("KEYS *"), set("KEYS h*"), s("DBSIZE"),
		s("HSET big x " + strings.Repeat("v", 65)), s("OBJECT ENCODING big"), s("RPUSH l2 " + strings.Repeat("x ", 300)),
		s("OBJECT ENCODING l2"), like("MEMORY USAGE l"), like("MEMORY USAGE h"), like("MEMORY USAGE s"),
		like("MEMORY USAGE hs"), like("MEMORY USAGE big"), like("MEMORY USAGE l2 SAMPLES 0"), like("MEMORY USAGE str"),
		s("MEMORY USAGE missing"), s("MEMORY USAGE s SAMPLES x"), s("MEMORY USAGE s SAMPLES -1"),
		s("MEMORY USAGE s SAMPLES"), s("MEMORY USAGE s BOGUS 1"), s("MEMORY USAGE"), s("MEMORY BOGUS"),
		s("MEMORY"), s("MEMORY HELP"), s("MEMORY PURGE"), s("MEMORY STATS x"), s("MEMORY DOCTOR x"),
		s("MEMORY PURGE x"), s("MEMORY MALLOC-STATS x"), like("MEMORY USAGE s SAMPLES 5 SAMPLES 0"),
	}),
	"copy rename move del": slices.Concat(collectionsSeed, []step{
		s("COPY l l2"), s("TYPE l2"), s("OBJECT ENCODING l2"), s("COPY h h2"), s("OBJECT ENCODING h2"),
		s("COPY s s2"), s("OBJECT ENCODING s2"), s("SADD s2 4"), s("SCARD s"), s("SCARD s2"), s("SMEMBERS s"),
		s("SMEMBERS s2"), s("SADD s2 x"), s("OBJECT ENCODING s2"), s("OBJECT ENCODING s"),
		s("COPY s s2"), s("COPY s s2 REPLACE"), s("SMEMBERS s2"), s("COPY str s2 REPLACE"), s("TYPE s2"),
		s("COPY s str REPLACE"), s("TYPE str"), s("SMEMBERS str"), s("COPY hs hs2 DB 1"), s("COPY l l DB 1"),
		s("SELECT 1"), s("TYPE hs2"), su("SMEMBERS hs2"), s("TYPE l"), s("SADD hs2 c"), s("SELECT 0"), su("SMEMBERS hs"),
		s("RENAME s s3"), s("TYPE s3"), s("EXISTS s"), s("RENAMENX s3 h"), s("RENAMENX s3 s4"), s("RENAME s4 l"),
		s("TYPE l"), s("SMEMBERS l"), s("RENAME h h"), s("RENAME hs str"), s("TYPE str"),
		s("MOVE h 1"), s("EXISTS h"), s("SELECT 1"), s("TYPE h"), s("OBJECT ENCODING h"), s("MOVE h 0"), s("SELECT 0"),
		s("MOVE l 1"), s("MOVE l 1"), s("SELECT 1"), s("SMEMBERS l"), s("MOVE hs2 0"), s("SELECT 0"), su("SMEMBERS hs2"),
		s("DEL l2 h2 missing"), s("UNLINK str hs2"), s("EXISTS l2 h2 str hs2"), s("DBSIZE"),
		s("SWAPDB 0 1"), s("TYPE l"), s("SMEMBERS l"), s("SWAPDB 0 1"), s("FLUSHDB"), s("DBSIZE"),
		s("SELECT 1"), s("DBSIZE"), s("FLUSHALL"), s("DBSIZE"), s("SELECT 0"),
	}),
	"expiry": slices.Concat(collectionsSeed, []step{
		s("EXPIRE l 100"), s("TTL l"), s("EXPIRE h 100 NX"), s("EXPIRE h 200 NX"), s("TTL h"), s("PERSIST l"),
		s("TTL l"), s("PERSIST l"), s("PEXPIRE s 100000"), near("PTTL s"), s("EXPIREAT hs 99999999999"),
		s("EXPIRETIME hs"), s("PEXPIRETIME hs"), s("COPY s s3"), near("PTTL s3"), s("RENAME s s4"), near("PTTL s4"),
		s("SADD s4 9"), near("PTTL s4"), s("SREM s4 9"), near("PTTL s4"), s("SPOP s4 0"), near("PTTL s4"),
		s("SINTERSTORE s4 s4"), s("TTL s4"), s("EXPIRE s4 100"), s("SUNIONSTORE s5 s4"), s("TTL s5"),
		s("EXPIRE l -1"), s("EXISTS l"), s("PEXPIREAT h 1"), s("EXISTS h"), s("EXPIRE s4 0"), s("EXISTS s4"),
		s("DBSIZE"), s("TTL missing"),
	}),
	"string commands on collections": slices.Concat(collectionsSeed,
		stringCommandsOn("l"), stringCommandsOn("h"), stringCommandsOn("s"),
		[]step{
			s("SET l v"), s("TYPE l"), s("MSET h v"), s("TYPE h"), s("SETEX s 100 v"), s("TYPE s"), s("TTL s"),
			s("SADD s1 a"), s("PSETEX s1 100000 v"), s("TYPE s1"), s("SADD s2 a"), s("SET s2 v XX"), s("TYPE s2"),
			s("SADD s3 a"), s("EXPIRE s3 100"), s("SET s3 v KEEPTTL"), s("TTL s3"), s("SADD s4 a"), s("SET s4 v GET"),
			s("TYPE s4"), s("SADD s5 a"), s("MSET s5 1 other 2"), s("INCR s5"),
			s("SADD s6 a"), s("BITOP OR s6 str"), s("TYPE s6"), s("GET s6"), s("HSET h6 f v"), s("BITOP AND h6 missing"),
			s("EXISTS h6"),
		}),
	"set commands and lists and hashes": slices.Concat(collectionsSeed, []step{
		s("SADD l x"), s("SREM h f1"), s("SMEMBERS l"), s("SCARD h"), s("SISMEMBER l a"), s("SMISMEMBER h f1"),
		s("SPOP l"), s("SPOP h 1"), s("SRANDMEMBER l"), s("SRANDMEMBER h 1"), s("SMOVE l s a"), s("SMOVE s l 1"),
		s("SMOVE s h 9"), s("SINTER s l"), s("SINTER missing l"), s("SINTERCARD 2 s h"), s("SUNION s h"),
		s("SDIFF l s"), s("SSCAN h 0"), s("SINTERSTORE l s"), s("TYPE l"), s("SMEMBERS l"), s("SUNIONSTORE h s"),
		s("TYPE h"), s("SDIFFSTORE dst h l"), s("EXISTS dst"),
	}),
}

func TestKeyCommandsOnCollections(t *testing.T) {
	runCollectionScripts(t, collectionKeyScripts)
}

// debugObjectFields turns a DEBUG OBJECT reply into its field names and
// encoding, with the numbers and address left out: they are the
// allocator's.
var debugObjectNumbers = regexp.MustCompile(`at:0x[0-9a-f]+|:-?[0-9.]+`)

// TestDebugObjectOnCollections compares DEBUG OBJECT's fields for each
// type: the same names, and the same encoding.
func TestDebugObjectOnCollections(t *testing.T) {
	redis := redistest.Start(t, "enable-debug-command", "yes")
	ours := startRealServerHandle(t, "--enable-debug-command", "yes")
	ref, got := dialRaw(t, redis.Addr), dialRaw(t, ours.addr)
	for _, st := range collectionsSeed {
		if !seedCollection(t, ours, 0, st, ref, got) {
			ref.do(st.args...)
			got.do(st.args...)
		}
	}
	for _, key := range []string{"l", "h", "s", "hs", "str", "missing"} {
		want, have := ref.do("DEBUG", "OBJECT", key), got.do("DEBUG", "OBJECT", key)
		if debugObjectNumbers.ReplaceAllString(want, ":#") != debugObjectNumbers.ReplaceAllString(have, ":#") {
			t.Errorf("DEBUG OBJECT %s:\n redis: %q\n   ours: %q", key, want, have)
		}
	}
}

// TestMemoryCommandsAgainstRedis compares the replies of MEMORY that depend
// on no allocator: their form, and the errors.
func TestMemoryCommandsAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for _, proto := range []string{"2", "3"} {
		ref, got := dialPair(t, redis.Addr, ours, proto)
		for _, c := range []*rawConn{ref, got} {
			c.do("FLUSHALL")
			c.do("SADD", "s", "1")
			c.do("SELECT", "3")
			c.do("SET", "k", "v")
		}
		for _, st := range []step{like("MEMORY STATS"), like("MEMORY DOCTOR"), s("MEMORY PURGE")} {
			compareStep(t, st, ref, got)
		}
		if proto == "2" { // without jemalloc, a bulk string in RESP3 too
			compareStep(t, like("MEMORY MALLOC-STATS"), ref, got)
		}
		// MEMORY STATS lists the non-empty databases.
		f, _, err := frame.Parse([]byte(got.do("MEMORY", "STATS")))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for i := 0; i < len(f.Elems); i += 2 {
			if n := f.Elems[i].Text(); strings.HasPrefix(n, "db.") {
				names = append(names, n)
			}
		}
		if !slices.Equal(names, []string{"db.0", "db.3"}) {
			t.Errorf("MEMORY STATS names databases %q", names)
		}
		n, _ := strconv.Atoi(strings.Trim(got.do("MEMORY", "USAGE", "k"), ":\r\n"))
		if n <= 0 {
			t.Errorf("MEMORY USAGE k: %d", n)
		}
	}
}

// TestStringCommandsOnCollectionsCovered keeps the WRONGTYPE script
// honest: every string and bit command is run on a collection there.
func TestStringCommandsOnCollectionsCovered(t *testing.T) {
	used := map[string]bool{}
	for _, st := range collectionKeyScripts["string commands on collections"] {
		used[strings.ToLower(st.args[0])] = true
	}
	for _, cmd := range slices.Concat(stringCommands(), bitCommands()) {
		if !used[cmd.name] {
			t.Errorf("string command %s is not run on a collection", cmd.name)
		}
	}
}
