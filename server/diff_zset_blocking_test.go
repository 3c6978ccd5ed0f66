package server

import (
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// Differential tests of the blocking sorted set pops (BZPOPMIN, BZPOPMAX,
// BZMPOP), in the scripts of diff_blocking_test.go: several connections
// to a real redis-server and to this server, one blocking, the others
// adding, unblocking, killing or looking; every reply, message and
// compared INFO field the same on both.

// zsetDump is Redis 7.0.15's DUMP of a sorted set {a: 1, b: 2}, a
// listpack, for RESTORE onto a key clients wait for.
const zsetDump = "\x11\x11\x11\x00\x00\x00\x04\x00\x81a\x02\x01\x01\x81b\x02\x02\x01\xff\n\x00\xba\x07\xf2$\xa9\xd2\x8fU"

var zsetBlockingScripts = map[string][]bstep{
	"bzpopmin then zadd": {
		bsend(0, "BZPOPMIN k 0"), bblocked(1), blockedInfo, bclient(0),
		bdo(1, "ZADD k 1 a 2 b"), brecv(0), bblocked(0), blockedInfo, bclient(0), bdo(1, "ZRANGE k 0 -1 WITHSCORES"),
		bsend(0, "BZPOPMAX k1 k2 0"), bblocked(1), bdo(1, "ZADD k2 1 x 2 y 3 z"), brecv(0), bdo(1, "ZRANGE k2 0 -1"),
		bdo(1, "DEL k"), bsend(0, "BZPOPMIN k k 0"), bblocked(1), bnone(0), bdo(1, "ZADD k 5 m -inf n"), brecv(0),
		bdo(1, "ZRANGE k 0 -1 WITHSCORES"), bdirty(),
		bsend(0, "BZPOPMAX e 0"), bblocked(1), bdo(1, "ZADD e 1.5 only"), brecv(0), bdo(1, "EXISTS e"), bdirty(),
	},
	"waiters in order": {
		bsend(0, "BZPOPMIN k 0"), bblocked(1), bsend(1, "BZPOPMAX k 0"), bblocked(2), bsend(2, "BZMPOP 0 2 other k MIN COUNT 2"),
		bblocked(3), blockedInfo, bdo(3, "ZADD k 1 a 2 b 3 c 4 d 5 e"), brecv(0), brecv(1), brecv(2),
		bdo(3, "ZRANGE k 0 -1 WITHSCORES"), bdirty(),
		// One member for three waiters: the first gets it, the others go
		// on waiting, in their order.
		bdo(3, "DEL k"), bsend(0, "BZPOPMIN k 0"), bblocked(1), bsend(1, "BZPOPMAX k 0"), bblocked(2),
		bsend(2, "BZMPOP 0 1 k MAX"), bblocked(3), bdo(3, "ZADD k 1 x"), brecv(0), bnone(1), bnone(2), blockedInfo,
		bdo(3, "ZCARD k"), bdo(3, "ZADD k 2 y"), brecv(1), bnone(2), bdo(3, "ZADD k 3 z 4 w"), brecv(2),
		bdo(3, "ZRANGE k 0 -1"), blockedInfo,
		// An add in another database serves nobody.
		bdo(0, "SELECT 1"), bsend(0, "BZPOPMIN k 0"), bblocked(1), bdo(3, "ZADD k 1 v"), bnone(0),
		bdo(3, "SELECT 1"), bdo(3, "ZADD k 2 v1"), brecv(0), bdo(3, "EXISTS k"), bdo(3, "SELECT 0"), bdo(0, "SELECT 0"),
	},
	"lists and sorted sets on one key": {
		// Each type serves its own waiters, in their order, skipping the
		// others, who keep their places.
		bsend(0, "BLPOP k 0"), bblocked(1), bsend(1, "BZPOPMIN k 0"), bblocked(2), bsend(2, "BLPOP k 0"), bblocked(3),
		bdo(3, "ZADD k 1 a"), brecv(1), bnone(0), bnone(2), bdo(3, "EXISTS k"), bdo(3, "RPUSH k x"), brecv(0), bnone(2),
		bdo(3, "RPUSH k y"), brecv(2), bdirty(),
		bsend(0, "BZPOPMIN k 0"), bblocked(1), bsend(1, "BLMOVE k d LEFT LEFT 0"), bblocked(2), bsend(2, "BZMPOP 0 1 k MAX"),
		bblocked(3), bdo(3, "RPUSH k l1 l2"), brecv(1), bnone(0), bnone(2), bdo(3, "LRANGE k 0 -1"),
		bdo(3, "LRANGE d 0 -1"), bdo(3, "DEL k"), bdo(3, "ZADD k 1 a 2 b 3 c"), brecv(0), brecv(2),
		bdo(3, "ZRANGE k 0 -1"), blockedInfo,
		// A waiter for a sorted set on a key that becomes a list waits on.
		bdo(3, "DEL k"), bsend(0, "BZPOPMAX k 0"), bblocked(1), bdo(3, "RPUSH k v"), bnone(0), bdo(3, "LPOP k"),
		bdo(3, "SADD k m"), bnone(0), bdo(3, "DEL k"), bdo(3, "HSET k f v"), bnone(0), bdo(3, "DEL k"),
		bdo(3, "ZADD k 9 m"), brecv(0), bdirty(),
		// And the other way round.
		bsend(0, "BRPOP k 0"), bblocked(1), bdo(3, "ZADD k 1 a"), bnone(0), bdo(3, "ZPOPMIN k"), bdo(3, "RPUSH k z"),
		brecv(0), bdirty(),
	},
	"timeouts": {
		bdo(0, "BZPOPMIN k 0.05"), bdo(0, "BZPOPMAX k 0.01"), bdo(0, "BZMPOP 0.01 2 k k2 MIN"), bdo(0, "BZPOPMIN k 1e-5"),
		bdo(0, "BZMPOP 0.001 1 k MAX COUNT 3"), bdo(0, "BZPOPMAX k k2 0.0000000001"), bdo(0, "EXISTS k k2"),
		bsend(0, "BZPOPMIN k 100"), bsend(1, "BZPOPMAX k 0"), bsend(2, "BZMPOP 1e10 1 k MIN"), bblocked(3), blockedInfo,
		bclient(0), bclient(1), bclient(2),
		bdo(3, "CLIENT UNBLOCK {id0}"), brecv(0), bdo(3, "CLIENT UNBLOCK {id1}"), brecv(1),
		bdo(3, "CLIENT UNBLOCK {id2}"), brecv(2), blockedInfo,
		bsend(0, "BZPOPMIN k -0.0001"), bblocked(1), bsend(1, "BZPOPMAX k -0.001"), bblocked(2),
		bsend(2, "BZMPOP 9223372036854775 1 k MAX"), bblocked(3), blockedInfo, bdo(3, "ZADD k 1 a 2 b 3 c"),
		brecv(0), brecv(1), brecv(2),
	},
	"bzmpop count": {
		bsend(0, "BZMPOP 0 2 a b MIN COUNT 3"), bblocked(1), bsend(1, "BZMPOP 0 1 b MAX COUNT 2"), bblocked(2),
		bsend(2, "BZMPOP 0 1 b MIN"), bblocked(3), bdo(3, "ZADD b 1 m1 2 m2 3 m3 4 m4 5 m5"), brecv(0), brecv(1),
		bnone(2), bdo(3, "ZRANGE b 0 -1"), bdo(3, "ZADD b 0 x"), brecv(2), bdo(3, "EXISTS b"), bdirty(),
		bsend(0, "BZMPOP 0 1 c MAX COUNT 10"), bblocked(1), bdo(3, "ZADD c 1 a 2 b 3 c"), brecv(0), bdo(3, "EXISTS c"),
		bdo(3, "ZADD c 1 a 2 b 3 c"), bdo(0, "BZMPOP 0 2 x c MAX COUNT 2"), bdo(0, "BZMPOP 0 1 c MIN COUNT 5"),
		bdo(0, "EXISTS c"), bdirty(),
	},
	"stores": {
		// A store that creates the key serves the waiters; one over a key
		// that exists, of another type, does not (Redis's dbOverwrite
		// signals nothing), and they wait until the key is created anew.
		bdo(1, "ZADD src 1 a 2 b 3 c"), bdo(1, "SADD set x"), bsend(0, "BZPOPMIN d 0"), bblocked(1),
		bdo(1, "ZUNIONSTORE d 2 src set"), brecv(0), bdo(1, "ZRANGE d 0 -1"), bdo(1, "DEL d"),
		bsend(0, "BZPOPMAX d 0"), bblocked(1), bdo(1, "SET d str"), bdo(1, "ZINTERSTORE d 1 src"), bnone(0),
		bdo(1, "TYPE d"), bdo(1, "ZDIFFSTORE d 1 src"), bnone(0), bdo(1, "ZUNIONSTORE d 1 missing"), bnone(0),
		bdo(1, "EXISTS d"), bdo(1, "ZDIFFSTORE d 2 src set"), brecv(0), bdo(1, "ZRANGE d 0 -1"),
		bsend(0, "BZMPOP 0 1 d2 MIN COUNT 9"), bblocked(1), bdo(1, "RPUSH d2 l"), bdo(1, "ZUNIONSTORE d2 1 set"), bnone(0),
		bdo(1, "DEL d2"), bdo(1, "ZINTERSTORE d2 2 src src WEIGHTS 1 2"), brecv(0), bdirty(),
	},
	"multi exec": {
		// Adds inside a transaction serve the waiters after EXEC.
		bsend(0, "BZPOPMIN k 0"), bblocked(1), bdo(1, "MULTI"), bdo(1, "ZADD k 1 a"), bdo(1, "ZCARD k"),
		bdo(1, "ZADD k 0 b"), bdo(1, "ZCARD k"), bdo(1, "EXEC"), brecv(0), bdo(1, "ZRANGE k 0 -1"), bdo(1, "DEL k"),
		bsend(0, "BZMPOP 0 1 k MAX COUNT 2"), bblocked(1), bsend(2, "BZPOPMIN k 0"), bblocked(2), bdo(1, "MULTI"),
		bdo(1, "ZADD k 1 x 2 y 3 z"), bdo(1, "ZPOPMAX k"), bdo(1, "EXEC"), brecv(0), bnone(2), bdo(1, "EXISTS k"),
		bdo(1, "ZADD k 7 w"), brecv(2), bdirty(),
		// Inside MULTI a blocking command does not block.
		bdo(0, "MULTI"), bdo(0, "BZPOPMIN k 0"), bdo(0, "BZPOPMAX e 0"), bdo(0, "BZMPOP 0 1 e MIN"),
		bdo(0, "BZPOPMIN k 100"), bdo(0, "ZADD k 1 a"), bdo(0, "BZPOPMAX k 0"), bdo(0, "BZMPOP 0 2 e k MIN COUNT 9"),
		bdo(0, "EXEC"), bdirty(),
		bdo(0, "SET str x"), bdo(0, "MULTI"), bdo(0, "BZPOPMIN str 0"), bdo(0, "BZPOPMIN k x"), bdo(0, "EXEC"),
		// A store inside a transaction wakes them too.
		bdo(1, "ZADD src 1 a 2 b"), bsend(0, "BZPOPMIN dst 0"), bblocked(1), bdo(1, "MULTI"),
		bdo(1, "ZUNIONSTORE dst 1 src"), bdo(1, "ZCARD dst"), bdo(1, "EXEC"), brecv(0), bdo(1, "ZRANGE dst 0 -1"),
	},
	"client unblock": {
		bsend(0, "BZPOPMIN k 0"), bblocked(1), bdo(1, "CLIENT UNBLOCK {id0}"), brecv(0), blockedInfo,
		bsend(0, "BZPOPMAX k 0"), bblocked(1), bdo(1, "CLIENT UNBLOCK {id0} ERROR"), brecv(0),
		bsend(0, "BZMPOP 0 1 k MIN"), bblocked(1), bdo(1, "CLIENT UNBLOCK {id0} timeout"), brecv(0),
		bsend(0, "BZMPOP 0 1 k MAX COUNT 5"), bblocked(1), bdo(1, "CLIENT UNBLOCK {id0} error"), brecv(0),
		bsend(0, "BZPOPMIN k 0"), bsend(0, "PING"), bblocked(1), bnone(0), bdo(1, "CLIENT UNBLOCK {id0}"), brecv(0), brecv(0),
		bsend(0, "BZPOPMIN k 0"), bsend(0, "PING"), bblocked(1), bdo(1, "ZADD k 1 v"), brecv(0), brecv(0),
	},
	"blocked clients": {
		bsend(0, "BZPOPMIN k 0"), bblocked(1), bsend(1, "BZPOPMAX k 10"), bblocked(2), bsend(2, "BZMPOP 5 1 k MIN"),
		bblocked(3), blockedInfo, bclient(0), bclient(1), bclient(2), bdo(3, "ZADD k 1 a 2 b"), brecv(0), brecv(1),
		bblocked(1), blockedInfo, bclient(0), bclient(2), bdo(3, "CLIENT KILL ID {id2}"), bblocked(0), blockedInfo,
		bdo(3, "ZADD k 3 c"), bdo(3, "ZRANGE k 0 -1"),
	},
	"wrongtype and errors": {
		bdo(0, "SET s x"), bdo(0, "BZPOPMIN s 0"), bdo(0, "BZPOPMAX missing s 0"), bdo(0, "ZADD z 1 a 2 b 3 c 4 d 5 e"),
		bdo(0, "BZPOPMIN z s 0"), bdo(0, "BZPOPMIN missing z 0"), bdo(0, "BZPOPMAX z 0"), bdo(0, "BZMPOP 0 2 missing s MIN"),
		bdo(0, "BZMPOP 0 2 z s MAX COUNT 2"), bdo(0, "ZADD z 1 x 2 y"), bdo(0, "BZMPOP 0 1 z MIN COUNT 9"),
		bdo(0, "EXISTS z"), bdirty(),
		bdo(0, "RPUSH l a b c"), bdo(0, "BZPOPMIN l 0"), bdo(0, "BLPOP missing l 0"), bdo(0, "ZADD z 1 a"),
		bdo(0, "BLPOP z 0"), bdo(0, "BLMPOP 0 1 z LEFT"), bdo(0, "BZMPOP 0 1 l MIN"),
		bdo(0, "BZPOPMIN"), bdo(0, "BZPOPMIN k"), bdo(0, "BZPOPMIN k x"), bdo(0, "BZPOPMIN k -1"), bdo(0, "BZPOPMIN k inf"),
		bdo(0, "BZPOPMAX k -inf"), bdo(0, "BZPOPMIN k nan"), bdo(0, "BZPOPMIN k 1e20"), bdo(0, "BZPOPMIN k 9223372036854776"),
		bdo(0, "BZPOPMIN k 1e4000"), bdo(0, "BZPOPMAX k 0x"), bdo(0, "BZPOPMIN k -0.0011"), bdo(0, "BZPOPMIN s -1"),
		bdo(0, "BZPOPMIN z x"),
		bdo(0, "BZMPOP 0 0 k MIN"), bdo(0, "BZMPOP 0 x k MIN"), bdo(0, "BZMPOP 0 -1 k MIN"), bdo(0, "BZMPOP 0 2 k MIN"),
		bdo(0, "BZMPOP 0 1 k UP"), bdo(0, "BZMPOP 0 1 k LEFT"), bdo(0, "BZMPOP 0 1 k MIN COUNT 0"),
		bdo(0, "BZMPOP 0 1 k MIN COUNT x"), bdo(0, "BZMPOP 0 1 k MIN COUNT -3"), bdo(0, "BZMPOP 0 1 k MIN COUNT 1 COUNT 2"),
		bdo(0, "BZMPOP 0 1 k MIN COUNT"), bdo(0, "BZMPOP 0 1 k MIN EXTRA"), bdo(0, "BZMPOP x 1 k MIN"),
		bdo(0, "BZMPOP -1 1 k MIN"), bdo(0, "BZMPOP x 0 k MIN"), bdo(0, "BZMPOP -1 1 k UP"), bdo(0, "BZMPOP x 1 k MIN COUNT 0"),
		bdo(0, "BZMPOP 0 1 k"), bdo(0, "BZMPOP 0 1 s MIN"), bdo(0, "BZMPOP 0 99999999999 k MIN"), bdo(0, "BZMPOP 0"),
		bdo(0, "COMMAND GETKEYS BZPOPMIN a b 0"), bdo(0, "COMMAND GETKEYSANDFLAGS BZPOPMAX a 0"),
		bdo(0, "COMMAND GETKEYSANDFLAGS BZMPOP 0 2 a b MIN COUNT 2"), bdo(0, "COMMAND GETKEYS BZMPOP 0 3 a b MIN"),
		bdo(0, "COMMAND GETKEYS BZMPOP 0 5 a MIN"), bdo(0, "COMMAND GETKEYS BZMPOP 0 0 a MIN"),
	},
	"keyspace events": {
		bdo(2, "CONFIG SET notify-keyspace-events KEA"), bdo(3, "PSUBSCRIBE __keyevent@*__:*"),
		bsend(0, "BZPOPMIN k 0"), bblocked(1), bdo(1, "ZADD k 1 a 2 b"), brecv(0), brecv(3), brecv(3), bnone(3),
		bdo(1, "DEL k"), brecv(3), bsend(0, "BZPOPMAX k 0"), bblocked(1), bdo(1, "ZADD k 1 c"),
		brecv(0), brecv(3), brecv(3), brecv(3), bnone(3),
		bsend(0, "BZMPOP 0 1 m MIN COUNT 2"), bblocked(1), bdo(1, "ZADD m 1 x 2 y 3 z"), brecv(0), brecv(3), brecv(3),
		bnone(3), bdo(1, "ZADD x 1 a"), brecv(3), bdo(0, "BZPOPMIN x 0"), brecv(3), brecv(3), bnone(3),
		bdo(1, "ZADD src 1 a"), brecv(3), bsend(0, "BZPOPMAX u 0"), bblocked(1), bdo(1, "ZUNIONSTORE u 1 src"),
		brecv(0), brecv(3), brecv(3), brecv(3), bnone(3),
		{kind: bDo, conn: 2, args: []string{"CONFIG", "SET", "notify-keyspace-events", ""}}, bdirty(),
	},
	"renames moves copies swaps": {
		bsend(0, "BZPOPMIN k 0"), bblocked(1), bdo(1, "ZADD tmp 1 a"), bdo(1, "RENAME tmp k"), brecv(0), bdo(1, "EXISTS k"),
		// Over a key of another type the waiter is served too.
		bsend(0, "BZPOPMAX k2 0"), bblocked(1), bdo(1, "SET k2 str"), bnone(0), bdo(1, "ZADD tmp 2 b"),
		bdo(1, "RENAME tmp k2"), brecv(0), bdo(1, "DEL k k2"),
		bdo(0, "SELECT 1"), bsend(0, "BZPOPMIN mk 0"), bblocked(1), bdo(1, "ZADD mk 1 c"), bdo(1, "MOVE mk 1"), brecv(0),
		bsend(0, "BZMPOP 0 1 ck MAX COUNT 5"), bblocked(1), bdo(1, "ZADD src 1 d 2 e"), bdo(1, "COPY src ck DB 1"), brecv(0),
		bdo(1, "ZRANGE src 0 -1"), bdo(1, "SELECT 1"), bdo(1, "EXISTS ck"), bdo(1, "SELECT 0"), bdo(0, "SELECT 0"),
		bsend(0, "BZPOPMIN sk 0"), bblocked(1), bdo(1, "SELECT 2"), bdo(1, "ZADD sk 1 f"), bdo(1, "SELECT 0"),
		bdo(1, "SWAPDB 0 2"), brecv(0), bdo(1, "EXISTS sk"), bdo(1, "SELECT 2"), bdo(1, "EXISTS sk"), bdo(1, "SELECT 0"),
		bsend(0, "BZPOPMIN nk 0"), bblocked(1), bdo(1, "SELECT 3"), bdo(1, "RPUSH nk l"), bdo(1, "SWAPDB 3 0"), bnone(0),
		bdo(1, "SWAPDB 0 3"), bdo(1, "SELECT 0"), bdo(1, "ZADD nk 1 g"), brecv(0),
	},
	"restores": {
		bsend(0, "BZPOPMAX rk 0"), bblocked(1), {kind: bDo, conn: 1, args: []string{"RESTORE", "rk", "0", zsetDump}},
		brecv(0), bdo(1, "ZRANGE rk 0 -1 WITHSCORES"), bsend(0, "BZPOPMIN rk 0"), brecv(0), bsend(0, "BZPOPMIN rk 0"),
		bblocked(1), bdo(1, "SET rk x"), {kind: bDo, conn: 1, args: []string{"RESTORE", "rk", "0", zsetDump, "REPLACE"}},
		brecv(0), bdo(1, "ZCARD rk"),
	},
	"disconnects": {
		bsend(0, "BZPOPMIN k 0"), bblocked(1), bsend(1, "BZMPOP 0 1 k MAX COUNT 2"), bblocked(2),
		bdo(2, "CLIENT KILL ID {id0}"), bblocked(1), blockedInfo, bdo(2, "ZADD k 1 a 2 b 3 c"), brecv(1),
		bdo(2, "ZRANGE k 0 -1"),
	},
}

// TestZSetBlockingAgainstRedis runs every script on RESP2 and on RESP3
// connections.
func TestZSetBlockingAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ts := startListServer(t, true)
	ours := ts.addr
	for _, proto := range []string{"2", "3"} {
		for name, script := range zsetBlockingScripts {
			t.Run("RESP"+proto+"/"+name, func(t *testing.T) {
				if name == "restores" && strings.HasPrefix(ts.dial(t).do("RESTORE"), "-ERR unknown command") {
					// The DUMP and RESTORE commands are another branch's.
					t.Skip("this server has no RESTORE yet")
				}
				runBlockingScript(t, script, proto, redis.Addr, ours)
			})
		}
	}
}

// TestZSetBlockingScriptsCoverEveryCommand: every blocking sorted set
// command appears in the scripts.
func TestZSetBlockingScriptsCoverEveryCommand(t *testing.T) {
	checkScriptsCover(t, zsetBlockingScripts, bstepWords, zsetBlockingCommands())
}
