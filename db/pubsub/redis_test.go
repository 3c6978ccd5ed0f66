package pubsub

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
	"github.com/mini-redis/mini-redis/internal/redistest/redisconn"
)

// subscriberConn is a redis-server client in subscribed mode: it files the
// messages pushed to it apart from the acks of its own commands.
type subscriberConn struct {
	*redisconn.Conn
	t    *testing.T
	msgs []string
}

func dialSubscriber(t *testing.T, addr string) *subscriberConn {
	t.Helper()
	return &subscriberConn{Conn: redisconn.Dial(t, addr), t: t}
}

func isPong(r frame.Frame) bool {
	return string(r.Str) == "PONG" || len(r.Elems) == 2 && string(r.Elems[0].Str) == "pong"
}

// command sends a (un)subscribe command followed by a PING and returns the
// acks, formatted like formatAcks, collecting pushed messages on the way.
func (s *subscriberConn) command(args ...string) []string {
	s.t.Helper()
	s.Send(args...)
	s.Send("PING")
	var acks []string
	for {
		rep := s.Read()
		switch {
		case rep.Type == frame.Error:
			s.t.Fatalf("%q: %s", args, rep.Str)
		case isPong(rep):
			return acks
		case len(rep.Elems) == 0:
			s.t.Fatalf("%q: unexpected reply %s", args, rep)
		case strings.HasSuffix(string(rep.Elems[0].Str), "message"):
			s.msgs = append(s.msgs, strings.Join(redisconn.Strings(rep), " "))
		default:
			name := string(rep.Elems[1].Str)
			if rep.Elems[1].Nil {
				name = "(nil)"
			}
			acks = append(acks, fmt.Sprintf("%s:%d", name, rep.Elems[2].Int))
		}
	}
}

// TestAgreesWithRedis runs one random sequence of pub/sub commands against
// a real redis-server and against a Hub, and compares every reply: the acks
// with their counts, PUBLISH's receiver counts, the PUBSUB introspection
// answers, and the messages each subscriber receives.
func TestAgreesWithRedis(t *testing.T) {
	srv := redistest.Start(t)
	pub := redisconn.Dial(t, srv.Addr)
	h := New()
	const clients = 3
	conns := make([]*subscriberConn, clients)
	recs := make([]*recorder, clients)
	for i := range conns {
		conns[i] = dialSubscriber(t, srv.Addr)
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
			want := pub.Do(cmd, ch, payload).Int
			got := publish([]byte(ch), []byte(payload))
			if int64(got) != want {
				t.Fatalf("step %d: %s %q: Hub %d receivers, redis %d", step, cmd, ch, got, want)
			}
			published++
			delivered += got
		default: // introspection
			switch rng.IntN(5) {
			case 0:
				want := pub.Do("PUBSUB", "NUMPAT").Int
				if got := h.NumPat(); int64(got) != want {
					t.Fatalf("step %d: NUMPAT: Hub %d, redis %d", step, got, want)
				}
			case 1, 2:
				sub, list, match := "CHANNELS", h.Channels, h.ChannelsMatching
				if rng.IntN(2) == 0 {
					sub, list, match = "SHARDCHANNELS", h.ShardChannels, h.ShardChannelsMatching
				}
				var want frame.Frame
				var got []string
				if rng.IntN(3) == 0 {
					want, got = pub.Do("PUBSUB", sub), list()
				} else {
					p := pick(patterns)
					want, got = pub.Do("PUBSUB", sub, p), match([]byte(p))
				}
				w := redisconn.Strings(want)
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
				want := pub.Do("PUBSUB", sub, args[0], args[1])
				got := numsub(bs(args...)...)
				for i := range args {
					if string(want.Elems[2*i].Str) != args[i] || int64(got[i]) != want.Elems[2*i+1].Int {
						t.Fatalf("step %d: PUBSUB %s %q: Hub %v, redis %+v", step, sub, args, got, redisconn.Strings(want))
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
	c := redisconn.Dial(t, srv.Addr)
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
		c.Send("CONFIG", "SET", "notify-keyspace-events", in)
		set := c.Read()
		f, err := ParseEventFlags(in)
		if set.Type == frame.Error {
			errors++
			if err == nil || !strings.HasSuffix(string(set.Str), " - "+err.Error()) {
				t.Errorf("CONFIG SET %q: redis says %q, ParseEventFlags %v", in, set.Str, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("CONFIG SET %q: redis accepts it, ParseEventFlags says %v", in, err)
			continue
		}
		got := c.Do("CONFIG", "GET", "notify-keyspace-events")
		if want := string(got.Elems[1].Str); f.String() != want {
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
	c := redisconn.Dial(t, srv.Addr)
	sub := dialSubscriber(t, srv.Addr)
	h := New()
	rec := &recorder{}
	for _, flags := range []string{"KEA", "K$", "E$", "Kg", "KEn"} {
		c.Do("CONFIG", "SET", "notify-keyspace-events", flags)
		f, err := ParseEventFlags(flags)
		if err != nil {
			t.Fatal(err)
		}
		sub.command("PSUBSCRIBE", "__key*__:*")
		h.PSubscribe(rec, []byte("__key*__:*"))
		for _, db := range []int{0, 5} {
			c.Do("SELECT", strconv.Itoa(db))
			for _, key := range []string{"foo", "a:b c", ""} {
				c.Do("SET", key, "v")
				h.NotifyKeyspaceEvent(f, EventNew, "new", []byte(key), db)
				h.NotifyKeyspaceEvent(f, EventString, "set", []byte(key), db)
				c.Do("DEL", key)
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
