package server

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// A trackStep is one command of a tracking script, sent on the named
// connection; "$X" in an argument stands for connection X's client id.
type trackStep struct {
	conn string
	args []string
}

// ts builds a trackStep from a command line split on spaces.
func tstep(conn, line string) trackStep { return trackStep{conn, strings.Fields(line)} }

// trackingScripts drive several connections at once (A tracks, B and C
// write or take redirected invalidations); everything each connection
// receives after each step, replies and pushes in their order, is
// compared with redis-server's.
var trackingScripts = map[string][]trackStep{
	"resp3 default mode": {
		tstep("A", "HELLO 3"), tstep("A", "CLIENT TRACKING on"), tstep("A", "GET a"), tstep("B", "SET a 1"),
		tstep("A", "GET a"), tstep("A", "SET a 2"), tstep("A", "GET a"), tstep("B", "SET a 3"), tstep("B", "SET a 4"),
		tstep("A", "MGET a b c"), tstep("B", "MSET a 1 b 2"), tstep("B", "DEL c"), tstep("B", "SET c 1"),
		tstep("A", "MULTI"), tstep("A", "SET a 2"), tstep("A", "GET a"), tstep("A", "SET a 3"), tstep("A", "EXEC"),
		tstep("A", "GET a"), tstep("B", "SELECT 1"), tstep("B", "SET a x"), // one table for all databases
		tstep("A", "HGET h f"), tstep("B", "HSET h f v"), tstep("A", "HGETALL h"), tstep("B", "HDEL h f"),
		tstep("A", "LRANGE l 0 -1"), tstep("B", "RPUSH l x"), tstep("A", "SMEMBERS s"), tstep("B", "SADD s x"),
		tstep("A", "EXISTS e1 e2"), tstep("B", "SET e2 v"), tstep("B", "SET e1 v"),
		tstep("A", "GET x"), tstep("B", "EXPIRE x 100"), tstep("B", "SET x 1"), tstep("B", "EXPIRE x 100"),
		tstep("A", "GET x"), tstep("B", "PERSIST x"), tstep("A", "GET x"), tstep("B", "RENAME x y"),
		tstep("A", "EVAL return{redis.call('get',KEYS[1]),redis.call('get','undeclared')} 1 sk"),
		tstep("B", "SET sk 1"), tstep("B", "SET undeclared 1"), tstep("A", "SET sk 2"),
		tstep("A", "GET a"), tstep("A", "GET b"), tstep("A", "CLIENT TRACKINGINFO"), tstep("A", "CLIENT GETREDIR"),
		tstep("B", "FLUSHALL"), tstep("A", "GET a"), tstep("A", "FLUSHDB"), tstep("A", "GET a"),
		tstep("A", "CLIENT TRACKING off"), tstep("B", "SET a 5"), tstep("A", "CLIENT TRACKINGINFO"),
		tstep("A", "CLIENT GETREDIR"),
	},
	"resp3 noloop optin optout": {
		tstep("A", "HELLO 3"), tstep("A", "CLIENT TRACKING on NOLOOP"), tstep("A", "GET a"), tstep("A", "SET a 1"),
		tstep("A", "GET a"), tstep("B", "SET a 2"), tstep("A", "CLIENT TRACKINGINFO"),
		tstep("A", "CLIENT TRACKING on OPTIN"), tstep("A", "CLIENT TRACKING on OPTOUT"), tstep("A", "CLIENT TRACKING off"),
		tstep("A", "CLIENT TRACKING on OPTIN"), tstep("A", "CLIENT CACHING no"), tstep("A", "CLIENT CACHING maybe"),
		tstep("A", "GET o"), tstep("B", "SET o 1"), tstep("A", "CLIENT CACHING yes"), tstep("A", "CLIENT TRACKINGINFO"),
		tstep("A", "GET o"), tstep("A", "CLIENT TRACKINGINFO"), tstep("B", "SET o 2"),
		tstep("A", "CLIENT CACHING yes"), tstep("A", "CLIENT ID"), tstep("A", "GET o"), tstep("B", "SET o 3"),
		tstep("A", "CLIENT CACHING yes"), tstep("A", "PING"), tstep("A", "GET o"), tstep("B", "SET o 4"),
		tstep("A", "CLIENT CACHING yes"), tstep("A", "MULTI"), tstep("A", "GET o"), tstep("A", "GET p"), tstep("A", "EXEC"),
		tstep("B", "MSET o 5 p 6"),
		tstep("A", "CLIENT TRACKING off"), tstep("A", "CLIENT TRACKING on OPTOUT"), tstep("A", "CLIENT CACHING yes"),
		tstep("A", "GET o"), tstep("B", "SET o 1"), tstep("A", "CLIENT CACHING no"), tstep("A", "CLIENT TRACKINGINFO"),
		tstep("A", "GET o"), tstep("B", "SET o 2"), tstep("A", "CLIENT TRACKING off"), tstep("A", "CLIENT CACHING yes"),
	},
	"resp3 bcast": {
		tstep("A", "HELLO 3"), tstep("A", "CLIENT TRACKING on PREFIX a"),
		tstep("A", "CLIENT TRACKING on BCAST PREFIX a PREFIX ab"),
		tstep("A", "CLIENT TRACKING on BCAST PREFIX a PREFIX b PREFIX bc"), tstep("A", "CLIENT TRACKINGINFO"),
		tstep("A", "CLIENT TRACKING on BCAST PREFIX bcd"), tstep("A", "CLIENT TRACKING on BCAST PREFIX x PREFIX y"),
		tstep("A", "CLIENT TRACKINGINFO"), tstep("A", "CLIENT TRACKING on"), tstep("A", "CLIENT TRACKING on BCAST OPTIN"),
		tstep("B", "MSET a1 1 bb 2 zz 3 a0 4"), tstep("B", "SET xa 1"), tstep("A", "SET yy 1"),
		tstep("A", "GET zz"), tstep("B", "SET zz 4"),
		tstep("A", "CLIENT TRACKING on BCAST NOLOOP"), tstep("A", "SET yy 1"), tstep("B", "SET yy 1"),
		tstep("A", "MSET q 1 a9 2"), tstep("B", "MSET q 1 a9 2"), tstep("B", "FLUSHDB"),
		tstep("A", "CLIENT TRACKINGINFO"), tstep("A", "CLIENT TRACKING off"), tstep("B", "SET a1 1"),
		tstep("A", "CLIENT TRACKINGINFO"),
	},
	"resp2 redirect": {
		tstep("B", "SUBSCRIBE __redis__:invalidate"), tstep("A", "CLIENT TRACKING on REDIRECT $B"),
		tstep("A", "GET a"), tstep("C", "SET a 1"), tstep("A", "GET a"), tstep("A", "SET a 2"),
		tstep("A", "CLIENT GETREDIR"), tstep("A", "CLIENT TRACKINGINFO"), tstep("A", "GET a"), tstep("C", "FLUSHDB"),
		tstep("A", "CLIENT TRACKING on REDIRECT $C"), tstep("A", "GET a"), tstep("B", "PING"), tstep("A", "SET a 3"),
		tstep("A", "CLIENT TRACKING on REDIRECT $B BCAST PREFIX a"),
		tstep("A", "CLIENT TRACKING off"), tstep("A", "CLIENT TRACKING on REDIRECT $B BCAST PREFIX a"),
		tstep("C", "SET ab 1"), tstep("C", "SET b 1"), tstep("A", "CLIENT TRACKING off"),
		tstep("A", "CLIENT TRACKING on REDIRECT $B"), tstep("A", "GET k"), tstep("B", "QUIT"), tstep("C", "SET k 1"),
		tstep("A", "CLIENT TRACKINGINFO"), tstep("A", "GET k"), tstep("A", "SET k 2"),
	},
	"redirect across protocols": {
		tstep("B", "HELLO 3"), tstep("B", "SUBSCRIBE x"), tstep("A", "CLIENT TRACKING on REDIRECT $B"), tstep("A", "GET a"),
		tstep("C", "SET a 1"), tstep("A", "GET a"), tstep("C", "FLUSHALL"), tstep("A", "CLIENT TRACKING off"),
		tstep("A", "HELLO 3"), tstep("A", "CLIENT TRACKING on REDIRECT $B"), tstep("C", "FLUSHALL"), tstep("B", "HELLO 2"),
		tstep("C", "FLUSHALL"), tstep("A", "GET a"), tstep("C", "SET a 2"), tstep("A", "CLIENT TRACKING off"),
	},
	"resp3 broken redirect": {
		tstep("A", "HELLO 3"), tstep("B", "PING"), tstep("A", "CLIENT TRACKING on REDIRECT $B"), tstep("A", "GET a"),
		tstep("B", "QUIT"), tstep("C", "SET a 5"), tstep("A", "CLIENT TRACKINGINFO"), tstep("A", "GET a"),
		tstep("A", "SET a 7"), tstep("A", "CLIENT GETREDIR"),
	},
	"resp3 expiry eviction and other writes": {
		tstep("A", "HELLO 3"), tstep("A", "CLIENT TRACKING on"), tstep("C", "SET e v PX 1000"), tstep("C", "SET f v"), // one key: expiry order is random
		tstep("A", "MGET e f"), tstep("", "sleep 1500ms"), tstep("A", "GET e"), // active expiry, then nothing
		tstep("C", "SET g v PX 1"), tstep("", "sleep 20ms"), tstep("A", "GET g"), tstep("A", "GET g"), // lazy expiry
		tstep("A", "GET big"), tstep("C", "SET big xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), tstep("A", "GET big"),
		tstep("C", "CONFIG SET maxmemory-policy allkeys-lru"), tstep("C", "CONFIG SET maxmemory 1"), tstep("C", "SET other 1"),
		tstep("C", "CONFIG SET maxmemory 0"), tstep("C", "CONFIG SET maxmemory-policy noeviction"),
		tstep("C", "SET a 1"), tstep("C", "SET b 1"), tstep("A", "MGET a b c d"), tstep("C", "SWAPDB 0 1"),
		tstep("C", "SELECT 1"), tstep("C", "RENAME a c"), tstep("C", "COPY b d"), tstep("C", "MOVE c 0"),
		tstep("A", "MGET a b c d e f"), tstep("C", "SELECT 0"), tstep("C", "RPUSH l 3 1 2"), tstep("C", "SORT l STORE e"),
		tstep("C", "SET f 1"), tstep("C", "GETDEL f"), tstep("A", "GET n"), tstep("C", "INCRBY n 0"), tstep("C", "INCRBY n 0"),
		tstep("C", "LPUSH q x"), tstep("A", "LLEN q"), tstep("C", "LPOP q"), tstep("A", "LLEN q"), tstep("C", "DEL q"),
		tstep("A", "ZSCORE z m"), tstep("C", "ZADD z 1 m"), tstep("A", "XLEN st"), tstep("C", "XADD st 1-1 f v"),
		tstep("A", "PFCOUNT hl"), tstep("C", "PFADD hl a"), tstep("A", "GETBIT bits 3"), tstep("C", "SETBIT bits 3 1"),
		tstep("A", "CLIENT TRACKING off"),
	},
	"resp3 reply off": {
		tstep("A", "HELLO 3"), tstep("A", "CLIENT TRACKING on"), tstep("A", "GET a"), tstep("A", "CLIENT REPLY OFF"),
		tstep("C", "SET a 1"), tstep("A", "GET a"), tstep("A", "SET a 2"), tstep("A", "CLIENT REPLY ON"), tstep("A", "GET a"),
		tstep("A", "CLIENT REPLY SKIP"), tstep("C", "SET a 3"), tstep("A", "GET a"), tstep("A", "SET a 4"),
		tstep("A", "CLIENT TRACKING on BCAST"), tstep("A", "RESET"), tstep("A", "CLIENT TRACKINGINFO"), tstep("C", "SET a 5"),
		tstep("A", "HELLO 3"), tstep("A", "CLIENT TRACKINGINFO"), tstep("A", "CLIENT TRACKING off"),
	},
	"errors": {
		tstep("A", "CLIENT TRACKING"), tstep("A", "CLIENT TRACKING foo"), tstep("A", "CLIENT TRACKING on foo"),
		tstep("A", "CLIENT TRACKING on PREFIX"), tstep("A", "CLIENT TRACKING on REDIRECT"),
		tstep("A", "CLIENT TRACKING on REDIRECT abc"), tstep("A", "CLIENT TRACKING on REDIRECT 99999999"),
		tstep("A", "CLIENT TRACKING on REDIRECT $B REDIRECT $B"), tstep("A", "CLIENT TRACKING on OPTIN OPTOUT"),
		tstep("A", "CLIENT TRACKING on BCAST OPTOUT"), tstep("A", "CLIENT TRACKING on BCAST PREFIX a PREFIX a"),
		tstep("A", "CLIENT TRACKING on BCAST PREFIX ab PREFIX a"), tstep("A", "CLIENT TRACKING on BCAST PREFIX a PREFIX"),
		tstep("A", "CLIENT TRACKING off PREFIX a"), tstep("A", "CLIENT TRACKING maybe"),
		tstep("A", "CLIENT CACHING yes"), tstep("A", "CLIENT CACHING"), tstep("A", "CLIENT CACHING yes no"),
		tstep("A", "CLIENT GETREDIR x"), tstep("A", "CLIENT TRACKINGINFO x"), tstep("A", "CLIENT TRACKINGINFO"),
		tstep("A", "CLIENT GETREDIR"), tstep("A", "CLIENT TRACKING ON"), tstep("A", "CLIENT CACHING yes"),
		tstep("A", "CLIENT CACHING no"), tstep("A", "CLIENT TRACKING OFF"),
	},
}

// TestTrackingAgainstRedis runs trackingScripts on redis-server and on this
// server, three connections to each, and compares what every connection
// receives after every step, and INFO's tracking fields after each script.
func TestTrackingAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for name, script := range trackingScripts {
		t.Run(name, func(t *testing.T) {
			sides := [2]*trackSide{newTrackSide(t, redis.Addr), newTrackSide(t, ours)}
			for _, sd := range sides {
				sd.conn("admin").do("FLUSHALL")
			}
			for _, sd := range sides {
				for _, n := range []string{"A", "B", "C"} {
					sd.conn(n)
				}
			}
			for i, st := range script {
				var got [2]map[string]string
				for j, sd := range sides {
					got[j] = sd.run(st)
				}
				for _, n := range []string{"A", "B", "C"} {
					if got[0][n] != got[1][n] {
						t.Errorf("step %d (%s: %q), connection %s received:\n redis: %q\n   ours: %q",
							i, st.conn, st.args, n, got[0][n], got[1][n])
					}
				}
			}
			// The table outlives the script's clients, on both sides.
			want, have := trackingInfo(sides[0].conn("admin")), trackingInfo(sides[1].conn("admin"))
			if want != have {
				t.Errorf("INFO after the script:\n redis: %q\n   ours: %q", want, have)
			}
		})
	}
}

// trackingInfo returns the tracking lines of INFO.
func trackingInfo(c *rawConn) string {
	var lines []string
	for _, l := range strings.Split(c.do("INFO", "everything"), "\r\n") {
		if strings.HasPrefix(l, "tracking") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, " ")
}

// idField finds the client ids in replies (see trackSide.run).
var idField = regexp.MustCompile(`(^|id\r\n|redirect\r\n|redir-broken\r\n):(\d+)\r\n`)

// trackSide is one server's connections of a tracking script.
type trackSide struct {
	t     *testing.T
	addr  string
	conns map[string]*rawConn
	ids   map[string]string
	gone  map[string]bool
	// subscribed and inMulti tell how to sync with a connection (pushes).
	subscribed, inMulti map[string]bool
	// replyOff and skipNext follow CLIENT REPLY.
	replyOff, skipNext map[string]bool
	resp3              map[string]bool
}

// pushes returns what connection n has been sent since its last reply. A
// command sent after everything else shows where that ends: the server
// has queued the pushes of the steps before ahead of its reply. CLIENT ID
// is that command, for it does not end a CLIENT CACHING (any other
// command does); PING in RESP2 subscribe mode, which allows little else.
// Inside MULTI, where either would be queued, and while replies are off,
// it waits for a quiet spell.
func (sd *trackSide) pushes(n string) string {
	c := sd.conn(n)
	var got string
	if sd.inMulti[n] || sd.replyOff[n] || sd.skipNext[n] {
		for {
			f := c.readReplyWithin(50 * time.Millisecond)
			if f == "(nothing)" {
				return got
			}
			got += f
		}
	}
	sync, want := []string{"CLIENT", "ID"}, ":"+sd.ids[n]+"\r\n"
	if sd.subscribed[n] {
		sync, want = []string{"PING"}, "*2\r\n$4\r\npong\r\n$0\r\n\r\n"
		if sd.resp3[n] {
			want = "+PONG\r\n"
		}
	}
	c.Send(sync...)
	for {
		f := c.readReplyWithin(5 * time.Second)
		if f == want || f == "(nothing)" {
			return got
		}
		got += f
	}
}

func newTrackSide(t *testing.T, addr string) *trackSide {
	return &trackSide{t: t, addr: addr, conns: map[string]*rawConn{}, ids: map[string]string{}, gone: map[string]bool{},
		subscribed: map[string]bool{}, inMulti: map[string]bool{}, replyOff: map[string]bool{}, skipNext: map[string]bool{},
		resp3: map[string]bool{}}
}

// conn returns the connection named name, dialling it the first time.
func (sd *trackSide) conn(name string) *rawConn {
	c, ok := sd.conns[name]
	if !ok {
		c = dialRaw(sd.t, sd.addr)
		sd.conns[name] = c
		sd.ids[name] = strings.Trim(c.do("CLIENT", "ID"), ":\r\n")
	}
	return c
}

// run sends st and returns what each connection received: the reply, and
// any pushes, with client ids replaced by connection names.
func (sd *trackSide) run(st trackStep) map[string]string {
	args := make([]string, len(st.args))
	for i, a := range st.args {
		for n, id := range sd.ids {
			a = strings.ReplaceAll(a, "$"+n, id)
		}
		args[i] = a
	}
	out := map[string]string{}
	if st.conn == "" { // a pause: "sleep <duration>"
		d, err := time.ParseDuration(args[1])
		if err != nil {
			sd.t.Fatal(err)
		}
		time.Sleep(d)
		return out
	}
	line := strings.ToUpper(strings.Join(args, " "))
	// CLIENT REPLY OFF and SKIP leave commands without replies.
	silent := sd.replyOff[st.conn] || sd.skipNext[st.conn]
	sd.skipNext[st.conn] = false
	switch line {
	case "CLIENT REPLY OFF":
		sd.replyOff[st.conn], silent = true, true
	case "CLIENT REPLY SKIP":
		sd.skipNext[st.conn], silent = !sd.replyOff[st.conn], true
	case "CLIENT REPLY ON":
		sd.replyOff[st.conn] = false
	}
	if silent {
		sd.conn(st.conn).Send(args...)
	} else {
		out[st.conn] = sd.conn(st.conn).do(args...)
	}
	if strings.EqualFold(args[0], "QUIT") {
		sd.gone[st.conn] = true
		// The server drops the client after the reply: wait until it has,
		// so that the next step finds the redirection broken on both
		// servers, however loaded the machine.
		probe := dialRaw(sd.t, sd.addr)
		deadline := time.Now().Add(5 * time.Second)
		for probe.do("CLIENT", "LIST", "ID", sd.ids[st.conn]) != "$0\r\n\r\n" && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		probe.NetConn().Close()
	}
	switch strings.ToUpper(args[0]) {
	case "HELLO":
		sd.resp3[st.conn] = len(args) > 1 && args[1] == "3"
	case "RESET":
		sd.resp3[st.conn] = false
	case "SUBSCRIBE":
		sd.subscribed[st.conn] = true
	case "MULTI":
		sd.inMulti[st.conn] = true
	case "EXEC", "DISCARD":
		sd.inMulti[st.conn] = false
	}
	for _, n := range []string{"A", "B", "C"} {
		if !sd.gone[n] {
			out[n] += sd.pushes(n)
		}
	}
	// Ids differ between the servers: those that HELLO, CLIENT ID and
	// GETREDIR reply, and those TRACKINGINFO and the broken redirection
	// push name, are shown as connection names.
	for n, s := range out {
		out[n] = idField.ReplaceAllStringFunc(s, func(m string) string {
			sub := idField.FindStringSubmatch(m)
			if sub[1] == "" && (n != st.conn || line != "CLIENT ID" && line != "CLIENT GETREDIR") {
				return m
			}
			for name, id := range sd.ids {
				if id == sub[2] {
					return sub[1] + ":<" + name + ">\r\n"
				}
			}
			return m
		})
	}
	return out
}
