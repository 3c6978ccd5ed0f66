package pubsub

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// recorder is a Subscriber that keeps what it receives.
type recorder struct {
	name string
	mu   sync.Mutex
	msgs []Message
}

func (r *recorder) Deliver(m Message) {
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
}

// take returns the messages received since the last call, formatted.
func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.msgs))
	for i, m := range r.msgs {
		out[i] = formatMessage(m)
	}
	r.msgs = nil
	return out
}

func formatMessage(m Message) string {
	if m.Kind == KindPMessage {
		return fmt.Sprintf("%s %s %s %s", m.Kind, m.Pattern, m.Channel, m.Payload)
	}
	return fmt.Sprintf("%s %s %s", m.Kind, m.Channel, m.Payload)
}

func bs(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func formatAcks(acks []Ack) string {
	parts := make([]string, len(acks))
	for i, a := range acks {
		if a.Null {
			parts[i] = fmt.Sprintf("(nil):%d", a.Count)
		} else {
			parts[i] = fmt.Sprintf("%s:%d", a.Name, a.Count)
		}
	}
	return strings.Join(parts, " ")
}

// call runs one (un)subscribe command on h by its Redis name.
func call(h *Hub, sub Subscriber, op string, args ...string) []Ack {
	f := map[string]func(Subscriber, ...[]byte) []Ack{
		"subscribe":    h.Subscribe,
		"unsubscribe":  h.Unsubscribe,
		"psubscribe":   h.PSubscribe,
		"punsubscribe": h.PUnsubscribe,
		"ssubscribe":   h.SSubscribe,
		"sunsubscribe": h.SUnsubscribe,
	}[op]
	return f(sub, bs(args...)...)
}

// The acks and their counts were checked against Redis 7.0.15;
// TestAcksAgreeWithRedis replays random sequences against a real server.
func TestAcks(t *testing.T) {
	type step struct {
		op   string
		args []string
		want string
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"subscribe counts channels and patterns", []step{
			{"subscribe", []string{"a", "b", "a"}, "a:1 b:2 a:2"},
			{"psubscribe", []string{"p*", "a"}, "p*:3 a:4"},
			{"ssubscribe", []string{"s1", "s2", "s1"}, "s1:1 s2:2 s1:2"},
			{"subscribe", []string{"c"}, "c:5"},
		}},
		{"unsubscribe acknowledges what was not subscribed", []step{
			{"subscribe", []string{"a", "b"}, "a:1 b:2"},
			{"psubscribe", []string{"p*"}, "p*:3"},
			{"unsubscribe", []string{"x", "a", "a"}, "x:3 a:2 a:2"},
			{"punsubscribe", []string{"a", "p*"}, "a:2 p*:1"},
			{"sunsubscribe", []string{"b"}, "b:0"},
		}},
		{"unsubscribe from all, in subscription order", []step{
			{"subscribe", []string{"c", "a", "b"}, "c:1 a:2 b:3"},
			{"psubscribe", []string{"z*", "a*"}, "z*:4 a*:5"},
			{"unsubscribe", nil, "c:4 a:3 b:2"},
			{"punsubscribe", nil, "z*:1 a*:0"},
		}},
		{"unsubscribe from all with nothing subscribed", []step{
			{"unsubscribe", nil, "(nil):0"},
			{"punsubscribe", nil, "(nil):0"},
			{"sunsubscribe", nil, "(nil):0"},
			{"psubscribe", []string{"p"}, "p:1"},
			{"unsubscribe", nil, "(nil):1"},
			{"ssubscribe", []string{"s"}, "s:1"},
			{"unsubscribe", nil, "(nil):1"},
			{"punsubscribe", nil, "p:0"},
			{"sunsubscribe", nil, "s:0"},
			{"sunsubscribe", nil, "(nil):0"},
		}},
		{"shard channels are their own namespace", []step{
			{"subscribe", []string{"x"}, "x:1"},
			{"ssubscribe", []string{"x"}, "x:1"},
			{"unsubscribe", []string{"x"}, "x:0"},
			{"sunsubscribe", []string{"x"}, "x:0"},
		}},
		{"empty and binary names", []step{
			{"subscribe", []string{"", "\x00", "\xff"}, ":1 \x00:2 \xff:3"},
			{"psubscribe", []string{""}, ":4"},
			{"unsubscribe", []string{""}, ":3"},
			{"punsubscribe", []string{""}, ":2"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := New()
			sub := &recorder{}
			for _, s := range tt.steps {
				if got := formatAcks(call(h, sub, s.op, s.args...)); got != s.want {
					t.Errorf("%s %q = %q, want %q", s.op, s.args, got, s.want)
				}
			}
		})
	}
}

func TestAckNamesAreTheArguments(t *testing.T) {
	h := New()
	sub := &recorder{}
	args := bs("a", "b")
	acks := h.Subscribe(sub, args...)
	if &acks[0].Name[0] != &args[0][0] || &acks[1].Name[0] != &args[1][0] {
		t.Error("explicit acks do not alias the arguments")
	}
	// The Hub keeps its own copies: the caller's buffers are free again.
	args[0][0], args[1][0] = 'x', 'y'
	if got := h.Channels(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("Channels = %q after the caller reused its buffers", got)
	}
	all := h.Unsubscribe(sub)
	if formatAcks(all) != "a:1 b:0" {
		t.Errorf("Unsubscribe() = %q", formatAcks(all))
	}
}

func TestPublish(t *testing.T) {
	// Subscriptions of subscribers s0, s1 and s2, as (op, name) pairs.
	type subscription struct {
		who  int
		op   string
		name string
	}
	setup := []subscription{
		{0, "subscribe", "news"},
		{0, "psubscribe", "n*"},
		{0, "psubscribe", "*s"},
		{1, "subscribe", "news"},
		{1, "psubscribe", "n*"},
		{2, "psubscribe", "[a-m]*"},
		{2, "ssubscribe", "news"},
		{2, "subscribe", ""},
		{2, "psubscribe", "x\\*"},
	}
	tests := []struct {
		channel, payload string
		shard            bool
		receivers        int
		want             [3][]string // messages of s0, s1, s2, in order
	}{
		{"news", "hi", false, 5, [3][]string{
			{"message news hi", "pmessage n* news hi", "pmessage *s news hi"},
			{"message news hi", "pmessage n* news hi"},
			nil,
		}},
		{"nope", "x", false, 2, [3][]string{{"pmessage n* nope x"}, {"pmessage n* nope x"}, nil}},
		{"bus", "", false, 2, [3][]string{{"pmessage *s bus "}, nil, {"pmessage [a-m]* bus "}}},
		{"zzz", "x", false, 0, [3][]string{}},
		{"", "empty", false, 1, [3][]string{nil, nil, {"message  empty"}}}, // no pattern matches ""
		{"x*", "lit", false, 1, [3][]string{nil, nil, {"pmessage x\\* x* lit"}}},
		{"xy", "lit", false, 0, [3][]string{}},
		{"NEWS", "case", false, 0, [3][]string{}},
		{"news", "sharded", true, 1, [3][]string{nil, nil, {"smessage news sharded"}}},
		{"nope", "sharded", true, 0, [3][]string{}}, // shard channels ignore patterns
	}
	h := New()
	subs := []*recorder{{name: "s0"}, {name: "s1"}, {name: "s2"}}
	for _, s := range setup {
		call(h, subs[s.who], s.op, s.name)
	}
	for _, tt := range tests {
		publish := h.Publish
		if tt.shard {
			publish = h.SPublish
		}
		if n := publish([]byte(tt.channel), []byte(tt.payload)); n != tt.receivers {
			t.Errorf("publish %q (shard %v) = %d receivers, want %d", tt.channel, tt.shard, n, tt.receivers)
		}
		for i, s := range subs {
			got := s.take()
			want := tt.want[i]
			if want == nil {
				want = []string{}
			}
			if !slices.Equal(got, want) {
				t.Errorf("publish %q (shard %v): %s got %q, want %q", tt.channel, tt.shard, s.name, got, want)
			}
		}
	}
}

func TestPublishCopiesForKeeping(t *testing.T) {
	h := New()
	a, b := &recorder{}, &recorder{}
	h.Subscribe(a, []byte("ch"))
	h.PSubscribe(b, []byte("c*"))
	channel, payload := []byte("ch"), []byte("payload")
	h.Publish(channel, payload)
	channel[0], payload[0] = 'X', 'X'
	for _, r := range []*recorder{a, b} {
		if got := r.take(); len(got) != 1 || !strings.HasSuffix(got[0], " ch payload") {
			t.Errorf("after the publisher reused its buffers the subscriber holds %q", got)
		}
	}
}

func TestIntrospection(t *testing.T) {
	h := New()
	a, b, c := &recorder{}, &recorder{}, &recorder{}
	h.Subscribe(a, bs("news.tech", "news.sport", "", "weather")...)
	h.Subscribe(b, bs("news.tech", "other")...)
	h.PSubscribe(a, bs("n*", "w*")...)
	h.PSubscribe(b, bs("n*")...)
	h.PSubscribe(c, bs("n*", "*")...)
	h.SSubscribe(c, bs("s1", "s2", "news.tech")...)
	h.SSubscribe(b, bs("s1")...)

	for _, tt := range []struct {
		name string
		got  []string
		want []string
	}{
		{"Channels()", h.Channels(), []string{"", "news.sport", "news.tech", "other", "weather"}},
		{"ChannelsMatching(*)", h.ChannelsMatching([]byte("*")), []string{"news.sport", "news.tech", "other", "weather"}},
		{"ChannelsMatching(news.*)", h.ChannelsMatching([]byte("news.*")), []string{"news.sport", "news.tech"}},
		{"ChannelsMatching(\"\")", h.ChannelsMatching([]byte("")), []string{""}},
		{"ChannelsMatching(x)", h.ChannelsMatching([]byte("x")), []string{}},
		{"ShardChannels()", h.ShardChannels(), []string{"news.tech", "s1", "s2"}},
		{"ShardChannelsMatching(s?)", h.ShardChannelsMatching([]byte("s?")), []string{"s1", "s2"}},
	} {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if got, want := h.NumSub(bs("news.tech", "weather", "n*", "s1", "")...), []int{2, 1, 0, 0, 1}; !slices.Equal(got, want) {
		t.Errorf("NumSub = %v, want %v", got, want)
	}
	if got, want := h.ShardNumSub(bs("s1", "s2", "news.tech", "other")...), []int{2, 1, 1, 0}; !slices.Equal(got, want) {
		t.Errorf("ShardNumSub = %v, want %v", got, want)
	}
	if got := h.NumSub(); len(got) != 0 {
		t.Errorf("NumSub() = %v", got)
	}
	if got := h.NumPat(); got != 3 { // n*, w*, *: distinct patterns
		t.Errorf("NumPat = %d, want 3", got)
	}
	for _, tt := range []struct {
		sub  Subscriber
		want Counts
	}{
		{a, Counts{Channels: 4, Patterns: 2}},
		{b, Counts{Channels: 2, Patterns: 1, ShardChannels: 1}},
		{c, Counts{Patterns: 2, ShardChannels: 3}},
		{&recorder{}, Counts{}},
	} {
		if got := h.Counts(tt.sub); got != tt.want {
			t.Errorf("Counts = %+v, want %+v", got, tt.want)
		}
	}
	if got, want := h.Counts(c).Total(), 5; got != want {
		t.Errorf("Total = %d, want %d", got, want)
	}
	if got, want := h.Stats(), (Stats{Channels: 5, Patterns: 3, ShardChannels: 3, Subscribers: 3}); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}

	h.RemoveAll(a)
	if got, want := h.Stats(), (Stats{Channels: 2, Patterns: 2, ShardChannels: 3, Subscribers: 2}); got != want {
		t.Errorf("after RemoveAll(a) Stats = %+v, want %+v", got, want)
	}
	if got, want := h.NumSub(bs("news.tech", "weather")...), []int{1, 0}; !slices.Equal(got, want) {
		t.Errorf("after RemoveAll(a) NumSub = %v, want %v", got, want)
	}
	// b's channel, then n* for b and c, then * for c.
	if n := h.Publish([]byte("news.tech"), []byte("x")); n != 4 {
		t.Errorf("after RemoveAll(a) Publish = %d, want 4", n)
	}
	if got := a.take(); len(got) != 0 {
		t.Errorf("a received %q after RemoveAll", got)
	}
}

// Every subscription path must leave nothing behind once undone.
func TestNothingIsKeptForIdleChannels(t *testing.T) {
	h := New()
	subs := make([]*recorder, 50)
	for i := range subs {
		subs[i] = &recorder{}
		for j := range 20 {
			name := []byte(fmt.Sprintf("ch%d", (i+j)%30))
			h.Subscribe(subs[i], name)
			h.PSubscribe(subs[i], append([]byte("p"), name...))
			h.SSubscribe(subs[i], name)
		}
	}
	for i, s := range subs {
		switch i % 4 {
		case 0:
			h.RemoveAll(s)
		case 1:
			h.Unsubscribe(s)
			h.PUnsubscribe(s)
			h.SUnsubscribe(s)
		case 2:
			for j := 19; j >= 0; j-- {
				name := []byte(fmt.Sprintf("ch%d", (i+j)%30))
				h.SUnsubscribe(s, name)
				h.Unsubscribe(s, name)
				h.PUnsubscribe(s, append([]byte("p"), name...))
			}
		case 3:
			h.PUnsubscribe(s)
			h.RemoveAll(s)
		}
	}
	if got := h.Stats(); got != (Stats{}) {
		t.Errorf("Stats = %+v after everyone left", got)
	}
	for sp, tab := range h.spaces {
		if len(tab.groups) != 0 {
			t.Errorf("space %d: %d groups left", sp, len(tab.groups))
		}
	}
	if len(h.patList)+len(h.subs) != 0 {
		t.Errorf("%d patterns and %d subscribers left", len(h.patList), len(h.subs))
	}
}

// checkInvariants verifies that the Hub's two views of the subscriptions,
// by group and by subscriber, agree.
func checkInvariants(t *testing.T, h *Hub) {
	t.Helper()
	h.mu.RLock()
	defer h.mu.RUnlock()
	for sp, tab := range h.spaces {
		for name, g := range tab.groups {
			if len(g.subs) == 0 {
				t.Errorf("space %d: empty group %q kept", sp, name)
			}
			if string(g.name) != name {
				t.Errorf("space %d: group %q named %q", sp, name, g.name)
			}
			for i, s := range g.subs {
				st := h.subs[s]
				if st == nil {
					t.Fatalf("space %d: member of %q has no state", sp, name)
				}
				if m, ok := st.members[sp][name]; !ok || m.idx != i {
					t.Errorf("space %d: %q member %d recorded as %+v, %v", sp, name, i, m, ok)
				}
			}
		}
	}
	patterns := h.spaces[spacePatterns].groups
	for i, g := range h.patList {
		if g.pos != i || patterns[string(g.name)] != g {
			t.Errorf("patList[%d] = %q at pos %d", i, g.name, g.pos)
		}
	}
	if len(h.patList) != len(patterns) {
		t.Errorf("patList has %d entries, patterns %d", len(h.patList), len(patterns))
	}
	for s, st := range h.subs {
		if st.empty() {
			t.Error("subscriber with no subscriptions kept")
		}
		for sp, tab := range h.spaces {
			for name, m := range st.members[sp] {
				g := tab.groups[name]
				if g == nil || m.idx >= len(g.subs) || g.subs[m.idx] != s {
					t.Errorf("space %d: subscription to %q not in its group", sp, name)
				}
			}
		}
	}
}

func TestInvariantsUnderChurn(t *testing.T) {
	h := New()
	subs := make([]*recorder, 8)
	for i := range subs {
		subs[i] = &recorder{}
	}
	ops := []string{"subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe"}
	// A fixed pseudo-random walk (a linear congruential sequence) is enough
	// to visit swaps, removals of last members and unsubscribes from all.
	x := uint32(7)
	next := func(n int) int {
		x = x*1664525 + 1013904223
		return int(x>>16) % n
	}
	for step := range 5000 {
		sub := subs[next(len(subs))]
		op := ops[next(len(ops))]
		var args []string
		for range next(4) {
			args = append(args, fmt.Sprintf("c%d", next(6)))
		}
		if next(10) == 0 {
			h.RemoveAll(sub)
		} else {
			call(h, sub, op, args...)
		}
		if step%50 == 0 {
			checkInvariants(t, h)
		}
	}
	checkInvariants(t, h)
}

// The ordering promise of Subscriber: once Unsubscribe or RemoveAll has
// returned, Deliver is not called for the subscription any more.
type strictSubscriber struct {
	t      *testing.T
	mu     sync.Mutex
	closed bool
	got    int
}

func (s *strictSubscriber) Deliver(Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		s.t.Error("Deliver called after RemoveAll returned")
	}
	s.got++
}

func TestConcurrentPublishAndSubscribe(t *testing.T) {
	h := New()
	const publishers, messages = 8, 2000
	// Stable subscribers are subscribed throughout and must see every
	// message, each publisher's in order.
	type stable struct {
		recorder
		last [publishers]int
	}
	stables := make([]*stable, 4)
	for i := range stables {
		stables[i] = &stable{}
		h.Subscribe(stables[i], []byte("events"))
	}
	pat := &recorder{}
	h.PSubscribe(pat, []byte("ev*"))

	var wg sync.WaitGroup
	stop := make(chan struct{})
	// Churning subscribers come and go the whole time.
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; ; j++ {
				select {
				case <-stop:
					return
				default:
				}
				s := &strictSubscriber{t: t}
				h.Subscribe(s, []byte("events"), []byte(fmt.Sprintf("own%d", i)))
				h.PSubscribe(s, []byte("e*"))
				h.SSubscribe(s, []byte("events"))
				if j%2 == 0 {
					h.Unsubscribe(s)
					h.PUnsubscribe(s)
				}
				h.RemoveAll(s)
				s.mu.Lock()
				s.closed = true
				s.mu.Unlock()
				_ = h.Stats()
				_ = h.ChannelsMatching([]byte("own*"))
			}
		}()
	}
	var pubs sync.WaitGroup
	for p := range publishers {
		pubs.Add(1)
		go func() {
			defer pubs.Done()
			for m := range messages {
				n := h.Publish([]byte("events"), []byte(fmt.Sprintf("%d:%d", p, m)))
				if n < len(stables)+1 {
					t.Errorf("Publish reached %d receivers, want at least %d", n, len(stables)+1)
					return
				}
				h.SPublish([]byte("events"), []byte("shard"))
			}
		}()
	}
	pubs.Wait()
	close(stop)
	wg.Wait()

	for i, s := range stables {
		if len(s.msgs) != publishers*messages {
			t.Errorf("stable subscriber %d got %d messages, want %d", i, len(s.msgs), publishers*messages)
		}
		for _, m := range s.msgs {
			var p, n int
			fmt.Sscanf(string(m.Payload), "%d:%d", &p, &n)
			if n != s.last[p] {
				t.Errorf("subscriber %d: publisher %d's message %d arrived after %d", i, p, n, s.last[p]-1)
				break
			}
			s.last[p]++
		}
	}
	if len(pat.msgs) != publishers*messages {
		t.Errorf("pattern subscriber got %d messages, want %d", len(pat.msgs), publishers*messages)
	}
	checkInvariants(t, h)
	if got, want := h.Stats(), (Stats{Channels: 1, Patterns: 1, Subscribers: len(stables) + 1}); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

func TestPublishWithoutSubscribersDoesNotAllocate(t *testing.T) {
	h := New()
	channel, payload := []byte("nobody"), []byte("hello")
	if n := testing.AllocsPerRun(1000, func() { h.Publish(channel, payload) }); n != 0 {
		t.Errorf("Publish to an idle hub: %v allocations", n)
	}
	if n := testing.AllocsPerRun(1000, func() { h.SPublish(channel, payload) }); n != 0 {
		t.Errorf("SPublish to an idle hub: %v allocations", n)
	}
	// Subscriptions elsewhere and patterns that do not match change nothing.
	s := &recorder{}
	h.Subscribe(s, []byte("other"))
	h.SSubscribe(s, []byte("nobody2"))
	h.PSubscribe(s, bs("a*", "news.*", "[xyz]?*")...)
	if n := testing.AllocsPerRun(1000, func() { h.Publish(channel, payload) }); n != 0 {
		t.Errorf("Publish to an unsubscribed channel: %v allocations", n)
	}
	if got := s.take(); len(got) != 0 {
		t.Fatalf("unexpected deliveries %q", got)
	}
}

// nopSubscriber drops everything, to measure the Hub alone.
type nopSubscriber struct{ n int }

func (s *nopSubscriber) Deliver(Message) { s.n++ }

func BenchmarkPublish(b *testing.B) {
	payload := []byte("a message of moderate length")
	for _, n := range []int{0, 1, 100} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			h := New()
			for range n {
				h.Subscribe(&nopSubscriber{}, []byte("channel"))
			}
			channel := []byte("channel")
			b.ReportAllocs()
			for b.Loop() {
				h.Publish(channel, payload)
			}
		})
	}
	b.Run("patterns=10", func(b *testing.B) {
		h := New()
		for i := range 10 {
			h.PSubscribe(&nopSubscriber{}, []byte(fmt.Sprintf("news.%d.*", i)))
		}
		channel := []byte("news.7.sport")
		b.ReportAllocs()
		for b.Loop() {
			h.Publish(channel, payload)
		}
	})
	b.Run("patterns=10,nomatch", func(b *testing.B) {
		h := New()
		for i := range 10 {
			h.PSubscribe(&nopSubscriber{}, []byte(fmt.Sprintf("news.%d.*", i)))
		}
		channel := []byte("weather.today")
		b.ReportAllocs()
		for b.Loop() {
			h.Publish(channel, payload)
		}
	})
}

func BenchmarkSubscribeUnsubscribe(b *testing.B) {
	h := New()
	for i := range 1000 {
		h.Subscribe(&nopSubscriber{}, []byte(fmt.Sprintf("ch%d", i%100)))
	}
	s := &nopSubscriber{}
	names := bs("ch1", "ch2", "fresh")
	b.ReportAllocs()
	for b.Loop() {
		h.Subscribe(s, names...)
		h.Unsubscribe(s, names...)
	}
}

func TestZeroHubIsUsable(t *testing.T) {
	var h Hub
	s := &recorder{}
	if n := h.Publish([]byte("c"), []byte("x")); n != 0 {
		t.Errorf("Publish on a zero Hub = %d", n)
	}
	if got := formatAcks(h.Unsubscribe(s)); got != "(nil):0" {
		t.Errorf("Unsubscribe on a zero Hub = %q", got)
	}
	if got := formatAcks(h.PSubscribe(s, []byte("c*"))); got != "c*:1" {
		t.Errorf("PSubscribe on a zero Hub = %q", got)
	}
	if n := h.Publish([]byte("c"), []byte("x")); n != 1 {
		t.Errorf("Publish = %d, want 1", n)
	}
	if got := h.NumSub([]byte("c")); !slices.Equal(got, []int{0}) {
		t.Errorf("NumSub = %v", got)
	}
}

// A burst of channels that come and go must not leave memory behind, even
// though Go maps never shrink by themselves.
func TestIdleChannelsGiveBackMemory(t *testing.T) {
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	h := New()
	keep := &recorder{}
	h.Subscribe(keep, []byte("stays"))
	before := heap()
	const n = 40_000
	subs := make([]*recorder, n)
	for i := range subs {
		subs[i] = &recorder{}
		name := []byte(fmt.Sprintf("channel:%d", i))
		h.Subscribe(subs[i], name)
		h.PSubscribe(subs[i], name)
		h.SSubscribe(subs[i], name)
	}
	peak := heap()
	for _, s := range subs {
		h.RemoveAll(s)
	}
	subs = nil
	after := heap()
	if grown := peak - before; grown < 10<<20 {
		t.Fatalf("%d subscriptions took only %d bytes: the measurement is meaningless", 3*n, grown)
	}
	if kept := int64(after) - int64(before); kept > 1<<20 {
		t.Errorf("after everyone left, the heap is %d bytes larger than before (peak +%d)", kept, peak-before)
	}
	if got := h.Stats(); got != (Stats{Channels: 1, Subscribers: 1}) {
		t.Errorf("Stats = %+v", got)
	}
}
