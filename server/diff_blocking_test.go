package server

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// Differential tests of the blocking list commands: scripts over several
// connections to a real redis-server and to this server, where one client
// blocks and others push, unblock, kill or look. Every reply, pushed
// message and compared INFO field must be the same on both.

// bkind is what a bstep does.
type bkind int

const (
	bDo      bkind = iota // send a command on conn, compare its reply
	bSend                 // send a command that blocks (or whose reply comes later)
	bRecv                 // compare the next reply or message on conn
	bNone                 // check that nothing more arrives on conn for a while, on either server
	bBlocked              // wait until both servers have n blocked clients
	bInfo                 // compare INFO fields (args) on both servers
	bDirty                // compare the changes counted since the last bDirty step
	bClient               // compare the flags and cmd fields of conn n's line of CLIENT LIST
)

// bstep is a step of a blocking script. In args, {idN} stands for the ID
// of connection N on the server the step runs on.
type bstep struct {
	kind bkind
	conn int
	n    int
	args []string
}

func bdo(conn int, line string) bstep {
	return bstep{kind: bDo, conn: conn, args: strings.Fields(line)}
}
func bsend(conn int, line string) bstep {
	return bstep{kind: bSend, conn: conn, args: strings.Fields(line)}
}
func brecv(conn int) bstep         { return bstep{kind: bRecv, conn: conn} }
func bnone(conn int) bstep         { return bstep{kind: bNone, conn: conn} }
func bblocked(n int) bstep         { return bstep{kind: bBlocked, n: n} }
func binfo(fields ...string) bstep { return bstep{kind: bInfo, args: fields} }
func bdirty() bstep                { return bstep{kind: bDirty} }
func bclient(of int) bstep         { return bstep{kind: bClient, n: of} }

var blockedInfo = binfo("blocked_clients", "clients_in_timeout_table")

// blockingConns is how many connections a script has on each server.
const blockingConns = 4

var blockingScripts = map[string][]bstep{
	"blpop then push": {
		bsend(0, "BLPOP k 0"), bblocked(1), blockedInfo, bclient(0),
		bdo(1, "RPUSH k a"), brecv(0), bblocked(0), blockedInfo, bclient(0), bdo(1, "EXISTS k"),
		bsend(0, "BRPOP k1 k2 0"), bblocked(1), bdo(1, "LPUSH k2 x y"), brecv(0), bdo(1, "LRANGE k2 0 -1"),
		bsend(0, "BLPOP k k 0"), bblocked(1), bdo(1, "RPUSH k a b"), brecv(0), bdo(1, "LRANGE k 0 -1"),
		bdo(1, "DEL k"), bdirty(),
	},
	"waiters in order": {
		bsend(0, "BLPOP k 0"), bblocked(1), bsend(1, "BRPOP k 0"), bblocked(2), bsend(2, "BLPOP other k 0"), bblocked(3),
		blockedInfo, bdo(3, "RPUSH k a b c d"), brecv(0), brecv(1), brecv(2), bdo(3, "LRANGE k 0 -1"), bdirty(),
		// One element for three waiters: the first gets it, the others
		// go on waiting, in their order.
		bdo(3, "DEL k"), bsend(0, "BLPOP k 0"), bblocked(1), bsend(1, "BRPOP k 0"), bblocked(2),
		bsend(2, "BLPOP k 0"), bblocked(3), bdo(3, "RPUSH k x"), brecv(0), bnone(1), bnone(2), blockedInfo,
		bdo(3, "LLEN k"), bdo(3, "RPUSH k y"), brecv(1), bnone(2), bdo(3, "LPUSH k z w"), brecv(2),
		bdo(3, "LRANGE k 0 -1"), blockedInfo,
		// A push to another database serves nobody.
		bdo(0, "SELECT 1"), bsend(0, "BLPOP k 0"), bblocked(1), bdo(3, "RPUSH k v"), bnone(0),
		bdo(3, "SELECT 1"), bdo(3, "RPUSH k v1"), brecv(0), bdo(3, "EXISTS k"), bdo(3, "SELECT 0"), bdo(0, "SELECT 0"),
	},
	"timeouts": {
		bdo(0, "BLPOP k 0.05"), bdo(0, "BRPOP k 0.01"), bdo(0, "BLMOVE k d LEFT RIGHT 0.01"),
		bdo(0, "BRPOPLPUSH k d 0.01"), bdo(0, "BLMPOP 0.01 2 k k2 LEFT"), bdo(0, "BLPOP k 1e-5"),
		bdo(0, "BLPOP k 0.0000000001"), bdo(0, "BLPOP k 1e-4000"), bdo(0, "EXISTS k d"),
		bsend(0, "BLPOP k 100"), bsend(1, "BLPOP k 0"), bsend(2, "BLMPOP 1e10 1 k LEFT"), bblocked(3), blockedInfo,
		bclient(0), bclient(2),
		bdo(3, "CLIENT UNBLOCK {id0}"), brecv(0), bdo(3, "CLIENT UNBLOCK {id1}"), brecv(1),
		bdo(3, "CLIENT UNBLOCK {id2}"), brecv(2), blockedInfo,
		// Rounded up to whole milliseconds: a tiny negative timeout is 0,
		// which waits forever.
		bsend(0, "BLPOP k -0.0001"), bblocked(1), bsend(1, "BLPOP k -0.001"), bblocked(2),
		bsend(2, "BLPOP k 9223372036854775"), bblocked(3),
		blockedInfo, bdo(3, "RPUSH k a b c"), brecv(0), brecv(1), brecv(2),
	},
	"blmove": {
		bsend(0, "BLMOVE src dst LEFT RIGHT 0"), bblocked(1), bclient(0), bdo(1, "RPUSH src a b"), brecv(0),
		bdo(1, "LRANGE src 0 -1"), bdo(1, "LRANGE dst 0 -1"), bdirty(),
		bsend(0, "BRPOPLPUSH src2 dst 0"), bblocked(1), bdo(1, "RPUSH src2 x y"), brecv(0), bdo(1, "LRANGE dst 0 -1"),
		// A chain: serving the first pushes onto the key the second waits for.
		bdo(1, "DEL src dst"), bsend(0, "BLMOVE b c RIGHT LEFT 0"), bblocked(1), bsend(2, "BLMOVE a b LEFT LEFT 0"), bblocked(2),
		bdo(1, "RPUSH a 1 2"), brecv(2), brecv(0), bdo(1, "LRANGE a 0 -1"), bdo(1, "LRANGE b 0 -1"), bdo(1, "LRANGE c 0 -1"),
		// Onto itself: a rotation.
		bsend(0, "BLMOVE r r LEFT RIGHT 0"), bblocked(1), bdo(1, "RPUSH r 1 2 3"), brecv(0), bdo(1, "LRANGE r 0 -1"),
		// Onto a key of another type: the waiter gets WRONGTYPE, the
		// element stays, the next waiter is served.
		bdo(1, "SET str x"), bsend(0, "BLMOVE w str LEFT LEFT 0"), bblocked(1), bsend(2, "BLPOP w 0"), bblocked(2),
		bdo(1, "RPUSH w e"), brecv(0), brecv(2), bdo(1, "EXISTS w"), blockedInfo, bdirty(),
		// At once, when the source has data.
		bdo(1, "RPUSH s 1 2 3"), bdo(0, "BLMOVE s d RIGHT LEFT 0"), bdo(0, "BRPOPLPUSH s d 0"), bdo(0, "BLMOVE s s LEFT RIGHT 0"),
		bdo(0, "LRANGE d 0 -1"), bdo(0, "BLMOVE s str LEFT LEFT 0"), bdo(0, "LRANGE s 0 -1"), bdo(0, "BLMOVE s d LEFT LEFT 0"),
		bdo(0, "EXISTS s"), bdirty(),
	},
	"blmpop count": {
		bsend(0, "BLMPOP 0 2 a b LEFT COUNT 3"), bblocked(1), bsend(1, "BLMPOP 0 1 b RIGHT COUNT 2"), bblocked(2),
		bsend(2, "BLMPOP 0 1 b LEFT"), bblocked(3), bdo(3, "RPUSH b 1 2 3 4 5"), brecv(0), brecv(1), bnone(2),
		bdo(3, "LRANGE b 0 -1"), bdo(3, "RPUSH b x"), brecv(2), bdo(3, "EXISTS b"), bdirty(),
		bsend(0, "BLMPOP 0 1 c RIGHT COUNT 10"), bblocked(1), bdo(3, "RPUSH c 1 2 3"), brecv(0), bdo(3, "EXISTS c"),
		bdo(3, "RPUSH c 1 2 3"), bdo(0, "BLMPOP 0 2 x c RIGHT COUNT 2"), bdo(0, "BLMPOP 0 1 c LEFT COUNT 5"),
		bdo(0, "EXISTS c"), bdirty(),
	},
	"multi exec": {
		// Pushes inside a transaction serve the waiters after EXEC.
		bsend(0, "BLPOP k 0"), bblocked(1), bdo(1, "MULTI"), bdo(1, "RPUSH k a"), bdo(1, "LLEN k"), bdo(1, "RPUSH k b"),
		bdo(1, "LLEN k"), bdo(1, "EXEC"), brecv(0), bdo(1, "LRANGE k 0 -1"), bdo(1, "DEL k"),
		bsend(0, "BLMOVE k d LEFT LEFT 0"), bblocked(1), bsend(2, "BLPOP d 0"), bblocked(2), bdo(1, "MULTI"),
		bdo(1, "RPUSH k 1 2"), bdo(1, "EXEC"), brecv(0), brecv(2), bdo(1, "LRANGE k 0 -1"), bdo(1, "EXISTS d"), bdirty(),
		// Inside MULTI a blocking command does not block.
		bdo(0, "MULTI"), bdo(0, "BLPOP k 0"), bdo(0, "BRPOP e 0"), bdo(0, "BLMOVE e d LEFT LEFT 0"), bdo(0, "BRPOPLPUSH e d 0"),
		bdo(0, "BLMPOP 0 1 e LEFT"), bdo(0, "BLPOP k 0"), bdo(0, "BLPOP k 100"), bdo(0, "EXEC"), bdirty(),
		bdo(0, "SET str x"), bdo(0, "MULTI"), bdo(0, "BLPOP str 0"), bdo(0, "BLPOP k x"), bdo(0, "EXEC"),
	},
	"client unblock": {
		bsend(0, "BLPOP k 0"), bblocked(1), bdo(1, "CLIENT UNBLOCK {id0}"), brecv(0), blockedInfo,
		bsend(0, "BLPOP k 0"), bblocked(1), bdo(1, "CLIENT UNBLOCK {id0} ERROR"), brecv(0),
		bsend(0, "BLMOVE k d LEFT LEFT 0"), bblocked(1), bdo(1, "CLIENT UNBLOCK {id0} timeout"), brecv(0),
		bsend(0, "BLMPOP 0 1 k LEFT"), bblocked(1), bdo(1, "CLIENT UNBLOCK {id0} error"), brecv(0),
		bdo(1, "CLIENT UNBLOCK {id0}"), bdo(1, "CLIENT UNBLOCK {id1}"), bdo(1, "CLIENT UNBLOCK 999999"),
		bdo(1, "CLIENT UNBLOCK -1"), bdo(1, "CLIENT UNBLOCK x"), bdo(1, "CLIENT UNBLOCK {id0} FOO"),
		bdo(1, "CLIENT UNBLOCK x FOO"), bdo(1, "CLIENT UNBLOCK"), bdo(1, "CLIENT UNBLOCK 1 2 3"),
		bdo(1, "CLIENT UNBLOCK 1 TIMEOUT x"),
		// The unblocked client goes on with what it sent meanwhile.
		bsend(0, "BLPOP k 0"), bsend(0, "PING"), bblocked(1), bnone(0), bdo(1, "CLIENT UNBLOCK {id0}"), brecv(0), brecv(0),
		bsend(0, "BLPOP k 0"), bsend(0, "PING"), bblocked(1), bdo(1, "RPUSH k v"), brecv(0), brecv(0),
	},
	"blocked clients": {
		bsend(0, "BLPOP k 0"), bblocked(1), bsend(1, "BLPOP k 10"), bblocked(2), bsend(2, "BLMPOP 5 1 k LEFT"), bblocked(3),
		blockedInfo,
		bclient(0), bclient(1), bclient(2), bdo(3, "RPUSH k a b"), brecv(0), brecv(1), bblocked(1), blockedInfo,
		bclient(0), bclient(2), bdo(3, "CLIENT KILL ID {id2}"), bblocked(0), blockedInfo, bdo(3, "RPUSH k c"),
		bdo(3, "LRANGE k 0 -1"),
		// CLIENT PAUSE holds clients as blocked too.
		bdo(3, "CLIENT PAUSE 100000 WRITE"), bsend(0, "RPUSH k d"), bblocked(1), blockedInfo, bclient(0),
		bdo(3, "CLIENT UNPAUSE"), brecv(0), bblocked(0), blockedInfo, bclient(0),
		bsend(1, "BLPOP q 0"), bblocked(1), bdo(3, "CLIENT PAUSE 100000 WRITE"), bsend(0, "RPUSH q e"), bblocked(2),
		blockedInfo, bnone(1), bdo(3, "CLIENT UNPAUSE"), brecv(0), brecv(1), bblocked(0),
	},
	"wrongtype and errors": {
		bdo(0, "SET s x"), bdo(0, "BLPOP s 0"), bdo(0, "BRPOP missing s 0"), bdo(0, "RPUSH l a b c d e f"),
		bdo(0, "BLPOP l s 0"), bdo(0, "BLPOP missing l 0"), bdo(0, "BRPOP l 0"), bdo(0, "BLMOVE s d LEFT LEFT 0"),
		bdo(0, "BLMOVE l s LEFT LEFT 0"), bdo(0, "BLMPOP 0 2 missing s LEFT"), bdo(0, "BLMPOP 0 2 l s RIGHT COUNT 9"),
		bdo(0, "BRPOPLPUSH s d 0"), bdo(0, "EXISTS l"), bdirty(),
		bdo(0, "BLPOP"), bdo(0, "BLPOP k"), bdo(0, "BLPOP k x"), bdo(0, "BLPOP k -1"), bdo(0, "BLPOP k inf"),
		bdo(0, "BLPOP k -inf"), bdo(0, "BLPOP k nan"), bdo(0, "BLPOP k 1e20"), bdo(0, "BLPOP k 9223372036854776"),
		bdo(0, "BLPOP k 1e4000"), bdo(0, "BLPOP k 1e99999"), bdo(0, "BLPOP k 0x"), bdo(0, "BLPOP k 1.5e"),
		bdo(0, "BLPOP k -0.002"), bdo(0, "BLPOP k -0.0011"), bdo(0, "BRPOP k s -1"), bdo(0, "BLPOP s 1e20"),
		bdo(0, "BLMOVE k d UP LEFT 0"), bdo(0, "BLMOVE k d LEFT DOWN 0"), bdo(0, "BLMOVE k d LEFT LEFT x"),
		bdo(0, "BLMOVE k d UP LEFT x"), bdo(0, "BLMOVE k d left right -1"), bdo(0, "BLMOVE k d LEFT LEFT"),
		bdo(0, "BRPOPLPUSH k d x"), bdo(0, "BRPOPLPUSH k d -5"), bdo(0, "BRPOPLPUSH k d"),
		bdo(0, "BLMPOP 0 0 k LEFT"), bdo(0, "BLMPOP 0 x k LEFT"), bdo(0, "BLMPOP 0 -1 k LEFT"), bdo(0, "BLMPOP 0 2 k LEFT"),
		bdo(0, "BLMPOP 0 1 k UP"), bdo(0, "BLMPOP 0 1 k LEFT COUNT 0"), bdo(0, "BLMPOP 0 1 k LEFT COUNT x"),
		bdo(0, "BLMPOP 0 1 k LEFT COUNT -3"), bdo(0, "BLMPOP 0 1 k LEFT COUNT 1 COUNT 2"), bdo(0, "BLMPOP 0 1 k LEFT COUNT"),
		bdo(0, "BLMPOP 0 1 k LEFT EXTRA"), bdo(0, "BLMPOP x 1 k LEFT"), bdo(0, "BLMPOP -1 1 k LEFT"),
		bdo(0, "BLMPOP x 0 k LEFT"), bdo(0, "BLMPOP -1 1 k UP"), bdo(0, "BLMPOP x 1 k LEFT COUNT 0"), bdo(0, "BLMPOP 0 1 k"),
		bdo(0, "BLMPOP 0 1 s LEFT"), bdo(0, "BLMPOP 0 99999999999 k LEFT"),
		bdo(0, "COMMAND GETKEYS BLPOP a b 0"), bdo(0, "COMMAND GETKEYSANDFLAGS BRPOP a 0"),
		bdo(0, "COMMAND GETKEYSANDFLAGS BLMOVE a b LEFT RIGHT 0"), bdo(0, "COMMAND GETKEYS BRPOPLPUSH a b 0"),
		bdo(0, "COMMAND GETKEYSANDFLAGS BLMPOP 0 2 a b LEFT COUNT 2"), bdo(0, "COMMAND GETKEYS BLMPOP 0 3 a b LEFT"),
		bdo(0, "COMMAND GETKEYSANDFLAGS CLIENT UNBLOCK 1"), bdo(0, "COMMAND GETKEYS BLMPOP 0 5 a LEFT"),
		bdo(0, "COMMAND GETKEYSANDFLAGS BLMPOP 0 x a LEFT"), bdo(0, "COMMAND GETKEYS BLMPOP 0 0 a LEFT"),
		bdo(0, "COMMAND GETKEYS BLMPOP 0 1 a"),
	},
	"keyspace events": {
		bdo(2, "CONFIG SET notify-keyspace-events KEA"), bdo(3, "PSUBSCRIBE __keyevent@*__:*"),
		bsend(0, "BLPOP k 0"), bblocked(1), bdo(1, "RPUSH k a b"), brecv(0), brecv(3), brecv(3), bnone(3),
		bdo(1, "DEL k"), brecv(3), bsend(0, "BLMOVE k d RIGHT LEFT 0"), bblocked(1), bdo(1, "LPUSH k c"),
		brecv(0), brecv(3), brecv(3), brecv(3), brecv(3), bnone(3),
		bsend(0, "BLMPOP 0 1 m LEFT COUNT 2"), bblocked(1), bdo(1, "RPUSH m 1 2 3"), brecv(0), brecv(3), brecv(3), bnone(3),
		bdo(1, "RPUSH x 1"), brecv(3), bdo(0, "BLPOP x 0"), brecv(3), brecv(3), bnone(3),
		{kind: bDo, conn: 2, args: []string{"CONFIG", "SET", "notify-keyspace-events", ""}}, bdirty(),
	},
	"renames moves copies swaps": {
		bsend(0, "BLPOP k 0"), bblocked(1), bdo(1, "RPUSH tmp a"), bdo(1, "RENAME tmp k"), brecv(0), bdo(1, "EXISTS k"),
		// Over a key of another type the waiter is served too.
		bdo(1, "SET k str"), bsend(0, "BLPOP k2 0"), bblocked(1), bdo(1, "SET k2 str"), bnone(0), bdo(1, "RPUSH tmp b"),
		bdo(1, "RENAME tmp k2"), brecv(0), bdo(1, "DEL k k2"),
		bdo(0, "SELECT 1"), bsend(0, "BLPOP mk 0"), bblocked(1), bdo(1, "RPUSH mk c"), bdo(1, "MOVE mk 1"), brecv(0),
		bsend(0, "BRPOP ck 0"), bblocked(1), bdo(1, "RPUSH src d e"), bdo(1, "COPY src ck DB 1"), brecv(0),
		bdo(1, "LRANGE src 0 -1"), bdo(1, "SELECT 1"), bdo(1, "LRANGE ck 0 -1"), bdo(1, "SELECT 0"), bdo(0, "SELECT 0"),
		bsend(0, "BLPOP sk 0"), bblocked(1), bdo(1, "SELECT 2"), bdo(1, "RPUSH sk f"), bdo(1, "SELECT 0"),
		bdo(1, "SWAPDB 0 2"), brecv(0), bdo(1, "EXISTS sk"), bdo(1, "SELECT 2"), bdo(1, "EXISTS sk"), bdo(1, "SELECT 0"),
		bsend(0, "BLPOP nk 0"), bblocked(1), bdo(1, "SELECT 3"), bdo(1, "SET nk str"), bdo(1, "SWAPDB 3 0"), bnone(0),
		bdo(1, "SWAPDB 0 3"), bdo(1, "SELECT 0"), bdo(1, "RPUSH nk g"), brecv(0),
	},
	"disconnects": {
		bsend(0, "BLPOP k 0"), bblocked(1), bsend(1, "BLMOVE k d LEFT LEFT 0"), bblocked(2), bdo(2, "CLIENT KILL ID {id0}"), bblocked(1),
		blockedInfo, bdo(2, "RPUSH k a"), brecv(1), bdo(2, "LRANGE d 0 -1"), bdo(2, "EXISTS k"),
	},
}

// streamBlockingScripts are the blocking XREAD scripts, run as the
// lists' are.
var streamBlockingScripts = map[string][]bstep{
	"xread block": {
		bsend(0, "XREAD BLOCK 0 STREAMS s $"), bblocked(1), blockedInfo, bclient(0), bdo(1, "XADD s 1-1 a 1"), brecv(0),
		bblocked(0), bdo(1, "XADD s 2-1 a 2"), bsend(0, "XREAD BLOCK 0 STREAMS s 1-1"), brecv(0),
		bsend(0, "XREAD BLOCK 0 STREAMS s 2-1"), bsend(1, "XREAD BLOCK 0 COUNT 1 STREAMS s 0-1"), brecv(1),
		bsend(1, "XREAD BLOCK 0 STREAMS other s $ 2-1"), bblocked(2), bsend(2, "XREAD BLOCK 0 STREAMS s 5-0"), bblocked(3),
		blockedInfo, bdo(3, "XADD s 3-1 b 3"), brecv(0), brecv(1), bnone(2), bdo(3, "XADD s 4-0 c 4"), bnone(2),
		bdo(3, "XADD s 5-1 c 5"), brecv(2), bblocked(0), bdirty(),
		// A key named twice waits for the first ID; a stream created by
		// XADD serves; XADD to another key or database does not.
		bsend(0, "XREAD BLOCK 0 STREAMS n n $ 0"), bblocked(1), bdo(1, "XADD m 1-0 a b"), bnone(0),
		bdo(1, "SELECT 1"), bdo(1, "XADD n 1-0 a b"), bnone(0), bdo(1, "SELECT 0"), bdo(1, "XADD n 1-0 x y"), brecv(0),
		// Entries deleted before serving: the waiter gets an empty list.
		bsend(0, "XREAD BLOCK 0 STREAMS d $"), bblocked(1), bdo(1, "MULTI"), bdo(1, "XADD d 1-0 a b"), bdo(1, "XDEL d 1-0"),
		bdo(1, "EXEC"), brecv(0),
		// Inside MULTI, XREAD does not block; an XADD in a transaction
		// serves after EXEC.
		bsend(0, "XREAD BLOCK 0 STREAMS t $"), bblocked(1), bdo(1, "MULTI"), bdo(1, "XADD t 1-0 a b"),
		bdo(1, "XREAD BLOCK 0 STREAMS t $"), bdo(1, "XADD t 2-0 a b"), bdo(1, "EXEC"), brecv(0), bdirty(),
		// A list pushed to the key a stream reader waits for serves nobody;
		// a BLPOP waiter is served by the push though a stream reader is first.
		bsend(0, "XREAD BLOCK 0 STREAMS l 0"), bblocked(1), bsend(1, "BLPOP l 0"), bblocked(2), bdo(2, "RPUSH l x"),
		brecv(1), bnone(0), bdo(2, "CLIENT UNBLOCK {id0}"), brecv(0), blockedInfo,
		// XADD with trimming that leaves nothing to read still serves.
		bsend(0, "XREAD BLOCK 0 STREAMS z $"), bblocked(1), bdo(1, "XADD z MAXLEN 0 1-0 a b"), brecv(0), bdirty(),
	},
	"xread timeouts": {
		bdo(0, "XREAD BLOCK 10 STREAMS s $"), bdo(0, "XREAD BLOCK 1 STREAMS s 0"), bsend(0, "XREAD BLOCK 100000 STREAMS s $"),
		bsend(1, "XREAD BLOCK 0 STREAMS s $"), bsend(2, "XREAD BLOCK 9223372036854775807 STREAMS s $"), bblocked(3), blockedInfo,
		bdo(3, "CLIENT UNBLOCK {id0}"), brecv(0), bdo(3, "CLIENT UNBLOCK {id1} ERROR"), brecv(1), blockedInfo,
		bdo(3, "XADD s 1-0 a b"), brecv(2), blockedInfo, bdirty(),
	},
}

// TestStreamBlockingAgainstRedis runs the blocking XREAD scripts on RESP2
// and on RESP3 connections.
func TestStreamBlockingAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startListServer(t, true).addr
	for _, proto := range []string{"2", "3"} {
		for name, script := range streamBlockingScripts {
			t.Run("RESP"+proto+"/"+name, func(t *testing.T) {
				runBlockingScript(t, script, proto, redis.Addr, ours)
			})
		}
	}
}

// TestBlockingAgainstRedis runs every blocking script on RESP2 and on RESP3
// connections.
func TestBlockingAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startListServer(t, true).addr
	for _, proto := range []string{"2", "3"} {
		for name, script := range blockingScripts {
			t.Run("RESP"+proto+"/"+name, func(t *testing.T) {
				runBlockingScript(t, script, proto, redis.Addr, ours)
			})
		}
	}
}

// blockingSide is one server's connections in a blocking script.
type blockingSide struct {
	conns [blockingConns]*rawConn
	ids   [blockingConns]string
	stats *rawConn // for INFO, outside the script
	dirty int64
}

func dialBlockingSide(t *testing.T, addr, proto string) *blockingSide {
	side := &blockingSide{stats: dialRaw(t, addr)}
	for i := range side.conns {
		c := dialRaw(t, addr)
		c.do("HELLO", proto)
		side.conns[i], side.ids[i] = c, clientID(t, c)
	}
	side.stats.do("CLIENT", "UNPAUSE") // in case a failed script left a pause
	side.stats.do("FLUSHALL")
	side.stats.do("CONFIG", "SET", "notify-keyspace-events", "")
	side.dirty = side.infoInt(t, "rdb_changes_since_last_save")
	side.stats.do("CONFIG", "RESETSTAT")
	return side
}

// statsOf returns the statistics a script's commands leave: for each of
// the commands named, its calls, rejected and failed calls (not its
// time); the error replies by kind; the keyspace hits and misses.
func (side *blockingSide) statsOf(names map[string]bool) []string {
	var out []string
	for _, line := range strings.Split(side.stats.do("INFO", "everything"), "\r\n") {
		switch {
		case strings.HasPrefix(line, "cmdstat_"):
			name, fields, _ := strings.Cut(strings.TrimPrefix(line, "cmdstat_"), ":")
			if !names[name] {
				continue
			}
			var kept []string
			for _, f := range strings.Split(fields, ",") {
				if !strings.HasPrefix(f, "usec") {
					kept = append(kept, f)
				}
			}
			out = append(out, name+":"+strings.Join(kept, ","))
		case strings.HasPrefix(line, "errorstat_"), strings.HasPrefix(line, "keyspace_hits:"),
			strings.HasPrefix(line, "keyspace_misses:"):
			out = append(out, line)
		}
	}
	slices.Sort(out)
	return out
}

// commandNames returns the names, as INFO commandstats gives them, of the
// commands a script runs.
func commandNames(script []bstep) map[string]bool {
	names := map[string]bool{}
	for _, st := range script {
		if (st.kind != bDo && st.kind != bSend) || len(st.args) == 0 {
			continue
		}
		name := strings.ToLower(st.args[0])
		if name == "client" && len(st.args) > 1 {
			name += "|" + strings.ToLower(st.args[1])
		}
		names[name] = true
	}
	return names
}

// expand replaces {idN} in args with the ID of connection N.
func (side *blockingSide) expand(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		for n, id := range side.ids {
			a = strings.ReplaceAll(a, "{id"+strconv.Itoa(n)+"}", id)
		}
		out[i] = a
	}
	return out
}

// info returns the value of INFO field name.
func (side *blockingSide) info(name string) string {
	for _, line := range strings.Split(side.stats.do("INFO", "everything"), "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v
		}
	}
	return "(no " + name + ")"
}

func (side *blockingSide) infoInt(t *testing.T, name string) int64 {
	n, err := strconv.ParseInt(side.info(name), 10, 64)
	if err != nil {
		t.Fatalf("INFO %s: %v", name, err)
	}
	return n
}

// clientFields returns the flags and cmd fields of connection n's line in
// CLIENT LIST, the fields that do not differ between the servers by
// nature.
func (side *blockingSide) clientFields(n int) string {
	line := side.stats.do("CLIENT", "LIST", "ID", side.ids[n])
	var kept []string
	for _, f := range strings.Fields(line) {
		if strings.HasPrefix(f, "flags=") || strings.HasPrefix(f, "cmd=") {
			kept = append(kept, f)
		}
	}
	return strings.Join(kept, " ")
}

func runBlockingScript(t *testing.T, script []bstep, proto, refAddr, ourAddr string) {
	ref, got := dialBlockingSide(t, refAddr, proto), dialBlockingSide(t, ourAddr, proto)
	for i, st := range script {
		r, g := ref.conns[st.conn], got.conns[st.conn]
		switch st.kind {
		case bDo:
			want, have := r.do(ref.expand(st.args)...), g.do(got.expand(st.args)...)
			if want != have {
				t.Errorf("step %d, %q on conn %d:\n redis: %q\n   ours: %q", i, st.args, st.conn, want, have)
			}
		case bSend:
			r.Send(ref.expand(st.args)...)
			g.Send(got.expand(st.args)...)
		case bRecv:
			want, have := r.readReplyWithin(waitForMessages), g.readReplyWithin(waitForMessages)
			if want != have {
				t.Errorf("step %d, reply on conn %d:\n redis: %q\n   ours: %q", i, st.conn, want, have)
			}
		case bNone:
			want, have := r.readReplyWithin(50*time.Millisecond), g.readReplyWithin(50*time.Millisecond)
			if want != "(nothing)" || have != "(nothing)" {
				t.Errorf("step %d, conn %d should have no reply yet:\n redis: %q\n   ours: %q", i, st.conn, want, have)
			}
		case bBlocked:
			for _, side := range []*blockingSide{ref, got} {
				want := strconv.Itoa(st.n)
				waitFor(t, func() bool { return side.info("blocked_clients") == want })
			}
		case bInfo:
			for _, name := range st.args {
				if want, have := ref.info(name), got.info(name); want != have {
					t.Errorf("step %d, INFO %s: redis %s, ours %s", i, name, want, have)
				}
			}
		case bDirty:
			var delta [2]int64
			for j, side := range []*blockingSide{ref, got} {
				n := side.infoInt(t, "rdb_changes_since_last_save")
				delta[j], side.dirty = n-side.dirty, n
			}
			if delta[0] != delta[1] {
				t.Errorf("step %d, changes since the last check: redis %d, ours %d", i, delta[0], delta[1])
			}
		case bClient:
			if want, have := ref.clientFields(st.n), got.clientFields(st.n); want != have {
				t.Errorf("step %d, CLIENT LIST of conn %d: redis %q, ours %q", i, st.n, want, have)
			}
		}
		if t.Failed() && st.kind == bBlocked {
			return
		}
	}
	names := commandNames(script)
	if want, have := ref.statsOf(names), got.statsOf(names); !slices.Equal(want, have) {
		t.Errorf("statistics after the script:\n redis: %q\n   ours: %q", want, have)
	}
}

// TestBlockingScriptsCoverEveryCommand keeps the scripts honest: every
// blocking command appears in them.
func TestBlockingScriptsCoverEveryCommand(t *testing.T) {
	used := map[string]bool{}
	for _, script := range blockingScripts {
		for _, st := range script {
			if len(st.args) > 0 {
				used[strings.ToLower(st.args[0])] = true
			}
		}
	}
	for _, cmd := range blockingCommands() {
		if !used[cmd.name] {
			t.Errorf("command %s has no differential test", cmd.name)
		}
	}
}
