package pubsub

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// redisConn is a minimal RESP2 client for asking a real redis-server. It is
// written here rather than borrowed from //connection so that this package's
// tests depend on nothing but the reference server.
type redisConn struct {
	t  *testing.T
	nc net.Conn
	r  *bufio.Reader
}

// reply is a RESP2 reply: a string (simple, bulk or error), an integer, an
// array, or a null.
type reply struct {
	str   string
	err   bool
	int   int64
	elems []reply
	null  bool
}

func dialRedis(t *testing.T, addr string) *redisConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &redisConn{t: t, nc: nc, r: bufio.NewReader(nc)}
}

func (c *redisConn) send(args ...string) {
	c.t.Helper()
	out := fmt.Appendf(nil, "*%d\r\n", len(args))
	for _, a := range args {
		out = fmt.Appendf(out, "$%d\r\n%s\r\n", len(a), a)
	}
	c.nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.nc.Write(out); err != nil {
		c.t.Fatal(err)
	}
}

func (c *redisConn) read() reply {
	c.t.Helper()
	rep, err := readReply(c.r)
	if err != nil {
		c.t.Fatal(err)
	}
	return rep
}

// do sends a command and returns its reply, which must not be an error.
func (c *redisConn) do(args ...string) reply {
	c.t.Helper()
	c.send(args...)
	rep := c.read()
	if rep.err {
		c.t.Fatalf("%q: %s", args, rep.str)
	}
	return rep
}

func readReply(r *bufio.Reader) (reply, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return reply{}, err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return reply{}, fmt.Errorf("bad reply line %q", line)
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+', '-':
		return reply{str: body, err: line[0] == '-'}, nil
	case ':':
		n, err := strconv.ParseInt(body, 10, 64)
		return reply{int: n}, err
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return reply{null: true}, err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return reply{}, err
		}
		return reply{str: string(buf[:n])}, nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return reply{null: true}, err
		}
		rep := reply{elems: make([]reply, n)}
		for i := range rep.elems {
			if rep.elems[i], err = readReply(r); err != nil {
				return reply{}, err
			}
		}
		return rep, nil
	}
	return reply{}, fmt.Errorf("unknown reply type in %q", line)
}

func (r reply) strings() []string {
	out := make([]string, len(r.elems))
	for i, e := range r.elems {
		out[i] = e.str
	}
	return out
}

// subscriberConn is a redis-server client in subscribed mode: it files the
// messages pushed to it apart from the acks of its own commands.
type subscriberConn struct {
	*redisConn
	msgs []string
}

func isPong(r reply) bool {
	return r.str == "PONG" || len(r.elems) == 2 && r.elems[0].str == "pong"
}

// command sends a (un)subscribe command followed by a PING and returns the
// acks, formatted like formatAcks, collecting pushed messages on the way.
func (s *subscriberConn) command(args ...string) []string {
	s.t.Helper()
	s.send(args...)
	s.send("PING")
	var acks []string
	for {
		rep := s.read()
		switch {
		case rep.err:
			s.t.Fatalf("%q: %s", args, rep.str)
		case isPong(rep):
			return acks
		case len(rep.elems) == 0:
			s.t.Fatalf("%q: unexpected reply %+v", args, rep)
		case strings.HasSuffix(rep.elems[0].str, "message"):
			s.msgs = append(s.msgs, strings.Join(rep.strings(), " "))
		default:
			name := rep.elems[1].str
			if rep.elems[1].null {
				name = "(nil)"
			}
			acks = append(acks, fmt.Sprintf("%s:%d", name, rep.elems[2].int))
		}
	}
}

// TestAgreesWithRedis runs one random sequence of pub/sub commands against
// a real redis-server and against a Hub, and compares every reply: the acks
// with their counts, PUBLISH's receiver counts, the PUBSUB introspection
// answers, and the messages each subscriber receives.
func TestAgreesWithRedis(t *testing.T) {
	srv := redistest.Start(t)
	pub := dialRedis(t, srv.Addr)
	h := New()
	const clients = 3
	conns := make([]*subscriberConn, clients)
	recs := make([]*recorder, clients)
	for i := range conns {
		conns[i] = &subscriberConn{redisConn: dialRedis(t, srv.Addr)}
		recs[i] = &recorder{}
	}

	channels := []string{"", "a", "b", "A", "news.tech", "news.sport", "x*", "\x00\xff"}
	patterns := []string{"", "*", "**", "?", "[ab]", "[^a]*", "news.*", "n*s.?ech", "x\\*", "A*", "\\"}
	ops := []string{"subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe"}
	rng := rand.New(rand.NewPCG(7, 11))
	pick := func(pool []string) string { return pool[rng.IntN(len(pool))] }
	published, delivered := 0, 0

	for step := range 600 {
		switch k := rng.IntN(10); {
		case k < 5: // a subscription command
			who := rng.IntN(clients)
			op := ops[rng.IntN(len(ops))]
			pool := channels
			if strings.HasPrefix(op, "p") {
				pool = patterns
			}
			n := rng.IntN(4)
			if !strings.Contains(op, "unsub") && n == 0 {
				n = 1 // Redis requires at least one
			}
			args := make([]string, n)
			for i := range args {
				args[i] = pick(pool)
			}
			want := conns[who].command(append([]string{op}, args...)...)
			got := strings.Fields(formatAcks(call(h, recs[who], op, args...)))
			if len(want) == 0 {
				want = []string{}
			}
			if n == 0 {
				// Unsubscribing from everything goes in Redis's hash order and
				// in the Hub's subscription order: compare names as a set and
				// counts in sequence.
				want, got = sortedNamesThenCounts(want), sortedNamesThenCounts(got)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("step %d: client %d %s %q: Hub acks %q, redis %q", step, who, op, args, got, want)
			}
		case k < 8: // a publication
			ch, payload := pick(channels), fmt.Sprintf("m%04d", step)
			cmd, publish := "PUBLISH", h.Publish
			if rng.IntN(3) == 0 {
				cmd, publish = "SPUBLISH", h.SPublish
			}
			want := pub.do(cmd, ch, payload).int
			got := publish([]byte(ch), []byte(payload))
			if int64(got) != want {
				t.Fatalf("step %d: %s %q: Hub %d receivers, redis %d", step, cmd, ch, got, want)
			}
			published++
			delivered += got
		default: // introspection
			switch rng.IntN(5) {
			case 0:
				want := pub.do("PUBSUB", "NUMPAT").int
				if got := h.NumPat(); int64(got) != want {
					t.Fatalf("step %d: NUMPAT: Hub %d, redis %d", step, got, want)
				}
			case 1, 2:
				sub, list, match := "CHANNELS", h.Channels, h.ChannelsMatching
				if rng.IntN(2) == 0 {
					sub, list, match = "SHARDCHANNELS", h.ShardChannels, h.ShardChannelsMatching
				}
				var want reply
				var got []string
				if rng.IntN(3) == 0 {
					want, got = pub.do("PUBSUB", sub), list()
				} else {
					p := pick(patterns)
					want, got = pub.do("PUBSUB", sub, p), match([]byte(p))
				}
				w := want.strings()
				slices.Sort(w)
				if !slices.Equal(got, w) {
					t.Fatalf("step %d: PUBSUB %s: Hub %q, redis %q", step, sub, got, w)
				}
			default:
				sub, numsub := "NUMSUB", h.NumSub
				if rng.IntN(2) == 0 {
					sub, numsub = "SHARDNUMSUB", h.ShardNumSub
				}
				args := []string{pick(channels), pick(channels)}
				want := pub.do("PUBSUB", sub, args[0], args[1])
				got := numsub(bs(args...)...)
				for i := range args {
					if want.elems[2*i].str != args[i] || int64(got[i]) != want.elems[2*i+1].int {
						t.Fatalf("step %d: PUBSUB %s %q: Hub %v, redis %+v", step, sub, args, got, want.strings())
					}
				}
			}
		}
	}

	received := 0
	for i, c := range conns {
		c.command("PING") // collects the messages still on their way
		want := byPublication(c.msgs)
		got := byPublication(recs[i].take())
		if !slices.Equal(got, want) {
			t.Errorf("client %d: Hub delivered %d messages, redis %d\n Hub:   %q\n redis: %q", i, len(got), len(want), got, want)
		}
		received += len(got)
	}
	if published < 100 || delivered < 100 || received != delivered {
		t.Errorf("weak run: %d publications, %d deliveries counted, %d received", published, delivered, received)
	}
}

// byPublication sorts messages by their payload (the publishing step), and
// messages of one publication by text, since a subscriber with several
// matching patterns gets them in Redis's hash order.
func byPublication(msgs []string) []string {
	out := slices.Clone(msgs)
	if out == nil {
		out = []string{}
	}
	payload := func(m string) string { return m[strings.LastIndexByte(m, ' ')+1:] }
	slices.SortStableFunc(out, func(a, b string) int {
		if c := strings.Compare(payload(a), payload(b)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return out
}

// sortedNamesThenCounts splits acks "name:count" into the sorted names, then
// the counts in their original order.
func sortedNamesThenCounts(acks []string) []string {
	var names, counts []string
	for _, a := range acks {
		i := strings.LastIndexByte(a, ':')
		names = append(names, a[:i])
		counts = append(counts, a[i+1:])
	}
	slices.Sort(names)
	return append(names, counts...)
}

// TestEventFlagsAgreeWithRedis sets notify-keyspace-events on a real server
// and compares what CONFIG GET answers with EventFlags.String, and the
// errors with ParseEventFlags's.
func TestEventFlagsAgreeWithRedis(t *testing.T) {
	srv := redistest.Start(t)
	c := dialRedis(t, srv.Addr)
	inputs := []string{"", "KEA", "AKE", "Kx", "AnK", "Ag", "A", "g$lshzxetd", "$lshzxetdnm", "KEAmn", "mn", "Q", "K E", "a", "KEA!", "k"}
	rng := rand.New(rand.NewPCG(3, 5))
	letters := "Ag$lshzxeKEtmdn"
	for range 200 {
		var b strings.Builder
		for range rng.IntN(8) {
			if rng.IntN(40) == 0 {
				b.WriteByte("?B1 "[rng.IntN(4)])
			} else {
				b.WriteByte(letters[rng.IntN(len(letters))])
			}
		}
		inputs = append(inputs, b.String())
	}
	errors := 0
	for _, in := range inputs {
		c.send("CONFIG", "SET", "notify-keyspace-events", in)
		set := c.read()
		f, err := ParseEventFlags(in)
		if set.err {
			errors++
			if err == nil || !strings.HasSuffix(set.str, " - "+err.Error()) {
				t.Errorf("CONFIG SET %q: redis says %q, ParseEventFlags %v", in, set.str, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("CONFIG SET %q: redis accepts it, ParseEventFlags says %v", in, err)
			continue
		}
		got := c.do("CONFIG", "GET", "notify-keyspace-events")
		if want := got.elems[1].str; f.String() != want {
			t.Errorf("after CONFIG SET %q: redis shows %q, String %q", in, want, f.String())
		}
	}
	if errors < 5 {
		t.Errorf("only %d invalid inputs tried", errors)
	}
}

// TestNotificationsAgreeWithRedis compares the keyspace notifications of a
// real server with NotifyKeyspaceEvent's for the same writes.
func TestNotificationsAgreeWithRedis(t *testing.T) {
	srv := redistest.Start(t)
	c := dialRedis(t, srv.Addr)
	sub := &subscriberConn{redisConn: dialRedis(t, srv.Addr)}
	h := New()
	rec := &recorder{}
	for _, flags := range []string{"KEA", "K$", "E$", "Kg", "KEn"} {
		c.do("CONFIG", "SET", "notify-keyspace-events", flags)
		f, err := ParseEventFlags(flags)
		if err != nil {
			t.Fatal(err)
		}
		sub.command("PSUBSCRIBE", "__key*__:*")
		h.PSubscribe(rec, []byte("__key*__:*"))
		for _, db := range []int{0, 5} {
			c.do("SELECT", strconv.Itoa(db))
			for _, key := range []string{"foo", "a:b c", ""} {
				c.do("SET", key, "v")
				h.NotifyKeyspaceEvent(f, EventNew, "new", []byte(key), db)
				h.NotifyKeyspaceEvent(f, EventString, "set", []byte(key), db)
				c.do("DEL", key)
				h.NotifyKeyspaceEvent(f, EventGeneric, "del", []byte(key), db)
			}
		}
		sub.command("PUNSUBSCRIBE")
		h.PUnsubscribe(rec)
		want, got := sub.msgs, rec.take()
		sub.msgs = nil
		if len(want) == 0 {
			t.Errorf("flags %q: redis sent no notifications", flags)
		}
		if !slices.Equal(got, append([]string{}, want...)) {
			t.Errorf("flags %q:\n Hub   %q\n redis %q", flags, got, want)
		}
	}
}
