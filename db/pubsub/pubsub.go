// Package pubsub is the publish/subscribe registry of a Redis server: who
// listens to which channels, patterns and shard channels, and the delivery of
// published messages to them, with the semantics of Redis 7.0's
// src/pubsub.c.
//
// A Hub knows subscribers only through the Subscriber interface; the server
// implements it for its client connections, turning each Message into the
// RESP push Redis sends. The Hub's methods return what the server needs to
// reply exactly as Redis does: the subscription counts of (un)subscribe
// confirmations, the number of receivers of a PUBLISH, and the answers to
// PUBSUB CHANNELS, NUMSUB, NUMPAT, SHARDCHANNELS and SHARDNUMSUB.
//
// Channels, patterns and shard channels are three separate namespaces, as in
// Redis: SUBSCRIBE "a" and SSUBSCRIBE "a" are unrelated, and patterns match
// only channels published with Publish, never shard channels. A channel,
// pattern or subscriber with no subscriptions left takes no memory.
//
// The package also parses notify-keyspace-events (EventFlags) and builds the
// channel names of keyspace notifications.
package pubsub

import (
	"cmp"
	"slices"
	"sync"

	"github.com/mini-redis/mini-redis/db/glob"
)

// Kind is the type of a pushed message, spelled as Redis sends it.
type Kind string

// The kinds of pushed messages.
const (
	KindMessage  Kind = "message"  // to a channel subscriber
	KindPMessage Kind = "pmessage" // to a pattern subscriber
	KindSMessage Kind = "smessage" // to a shard channel subscriber
)

// A Message is one published message on its way to one subscription.
//
// Its byte slices belong to the Hub, which never modifies them after
// handing them out: a subscriber may keep them (queue them, say) without
// copying, but must not modify them, because every receiver of one
// publication shares the same slices.
type Message struct {
	Kind    Kind
	Pattern []byte // the pattern that matched, for KindPMessage only
	Channel []byte
	Payload []byte
}

// A Subscriber receives the messages of its subscriptions. The server
// implements it for each client connection. Subscribers are compared with ==
// to tell them apart, so the dynamic type must be comparable; a pointer is
// the usual choice.
//
// Deliver must not block, must be safe to call from several goroutines at
// once (concurrent publishers call it), and must not call any method of the
// Hub. A subscriber that cannot keep up should queue the message or, past a
// limit, drop it and have its connection closed (as Redis does when
// client-output-buffer-limit pubsub is exceeded) by another goroutine, which
// then calls RemoveAll. The Hub never waits for a subscriber, so a slow one
// cannot stall publishers or other subscribers.
//
// The Hub calls Deliver with its lock held for reading. That costs writers
// (subscribe and unsubscribe) a wait for the publications in progress, and
// buys two promises. Once Unsubscribe, PUnsubscribe, SUnsubscribe or
// RemoveAll has returned, Deliver is not called for the subscriptions it
// ended, so a server can send the unsubscribe confirmation after the last
// message and then free the client's queue. And publications made one after
// the other (by one goroutine, or ordered by other synchronization) reach
// every subscriber in that order. Publications that overlap in time are
// delivered concurrently and may reach two subscribers in different orders,
// whereas Redis, being single-threaded, puts all publications in one order.
type Subscriber interface {
	Deliver(m Message)
}

// An Ack is one entry of the confirmation Redis sends for a subscribe or
// unsubscribe command, such as ["subscribe", Name, Count]. A command gets one
// Ack per argument, in order, whether or not it changed anything.
type Ack struct {
	// Name is the channel or pattern. For an argument of the call it is
	// that argument; for an unsubscribe from everything it is a new slice.
	Name []byte
	// Null marks the one Ack of an unsubscribe from everything when there
	// was nothing to unsubscribe from: Redis then sends a null name.
	Null bool
	// Count is the subscriber's number of subscriptions right after this
	// step, as Redis reports it: channels plus patterns for SUBSCRIBE,
	// UNSUBSCRIBE, PSUBSCRIBE and PUNSUBSCRIBE; shard channels for
	// SSUBSCRIBE and SUNSUBSCRIBE.
	Count int
}

// Counts are one subscriber's numbers of subscriptions (the sub, psub and
// ssub fields of CLIENT LIST).
type Counts struct {
	Channels, Patterns, ShardChannels int
}

// Total is the number of subscriptions of all kinds: a client whose Total is
// not 0 is in Redis's subscribed state.
func (c Counts) Total() int { return c.Channels + c.Patterns + c.ShardChannels }

// Stats are the Hub's totals, for INFO and admin tools.
type Stats struct {
	Channels      int // channels with at least one subscriber (INFO pubsub_channels)
	Patterns      int // distinct patterns subscribed to (INFO pubsub_patterns)
	ShardChannels int // shard channels with at least one subscriber (INFO pubsubshard_channels)
	Subscribers   int // subscribers with at least one subscription
}

// A Hub is a concurrency-safe registry of subscriptions. The zero value is
// an empty Hub ready to use. A Hub must not be copied after first use.
type Hub struct {
	mu     sync.RWMutex
	spaces [numSpaces]table // channels, patterns and shard channels
	// patList holds the pattern groups, for publishing without the cost and
	// random order of a map iteration. group.pos indexes it.
	patList  []*group
	subs     map[Subscriber]*subState
	subsPeak int // see shrink
}

// A table holds the groups of one namespace.
type table struct {
	groups map[string]*group
	peak   int // see shrink
}

// A group is the subscribers of one channel, shard channel or pattern.
type group struct {
	name []byte // a copy owned by the Hub, handed out in Messages
	subs []Subscriber
	pos  int // index in Hub.patList, for patterns
}

// subState is what one subscriber is subscribed to, by namespace. Each map
// is nil while empty.
type subState struct {
	members [numSpaces]map[string]membership
	seq     uint64 // numbers subscriptions in the order they were made
}

// membership locates a subscriber in a group and remembers when it joined,
// so that an unsubscribe from everything reports in subscription order.
type membership struct {
	idx int // index of the subscriber in group.subs
	seq uint64
}

// space selects one of the three namespaces.
type space int

const (
	spaceChannels space = iota
	spacePatterns
	spaceShard
	numSpaces
)

// New returns an empty Hub. It is the same as new(Hub).
func New() *Hub { return new(Hub) }

// count is the number Redis reports in acks of namespace sp.
func (st *subState) count(sp space) int {
	if st == nil {
		return 0
	}
	if sp == spaceShard {
		return len(st.members[spaceShard])
	}
	return len(st.members[spaceChannels]) + len(st.members[spacePatterns])
}

func (st *subState) empty() bool {
	for _, m := range st.members {
		if len(m) > 0 {
			return false
		}
	}
	return true
}

// minShrink is the size below which shrink leaves maps alone.
const minShrink = 256

// shrink returns m, or, once m holds less than a quarter of the most it has
// held (*peak), a copy sized to its contents. Go maps never give back the
// space of deleted entries, and a burst of short-lived channels must not
// leave its memory behind.
func shrink[K comparable, V any](m map[K]V, peak *int) map[K]V {
	if *peak < minShrink || len(m) >= *peak/4 {
		return m
	}
	n := make(map[K]V, len(m))
	for k, v := range m {
		n[k] = v
	}
	*peak = len(n)
	return n
}

// shrinkSlice is shrink for slices: it returns s, or, once s fills less
// than a quarter of a capacity above 16, a copy sized to its contents.
func shrinkSlice[E any](s []E) []E {
	if cap(s) <= 16 || len(s) >= cap(s)/4 {
		return s
	}
	return slices.Clip(slices.Clone(s))
}

// Subscribe subscribes sub to channels (SUBSCRIBE). Subscribing again to a
// channel changes nothing but is still acknowledged.
func (h *Hub) Subscribe(sub Subscriber, channels ...[]byte) []Ack {
	return h.subscribe(sub, spaceChannels, channels)
}

// PSubscribe subscribes sub to glob-style patterns (PSUBSCRIBE), matched
// case-sensitively against the channels of Publish.
func (h *Hub) PSubscribe(sub Subscriber, patterns ...[]byte) []Ack {
	return h.subscribe(sub, spacePatterns, patterns)
}

// SSubscribe subscribes sub to shard channels (SSUBSCRIBE).
func (h *Hub) SSubscribe(sub Subscriber, channels ...[]byte) []Ack {
	return h.subscribe(sub, spaceShard, channels)
}

// Unsubscribe unsubscribes sub from channels (UNSUBSCRIBE), or from all its
// channels when none are given. Channels it was not subscribed to are
// acknowledged too. With no channels given and none subscribed, the single
// Ack has Null set.
func (h *Hub) Unsubscribe(sub Subscriber, channels ...[]byte) []Ack {
	return h.unsubscribe(sub, spaceChannels, channels)
}

// PUnsubscribe is Unsubscribe for patterns (PUNSUBSCRIBE).
func (h *Hub) PUnsubscribe(sub Subscriber, patterns ...[]byte) []Ack {
	return h.unsubscribe(sub, spacePatterns, patterns)
}

// SUnsubscribe is Unsubscribe for shard channels (SUNSUBSCRIBE).
func (h *Hub) SUnsubscribe(sub Subscriber, channels ...[]byte) []Ack {
	return h.unsubscribe(sub, spaceShard, channels)
}

func (h *Hub) subscribe(sub Subscriber, sp space, names [][]byte) []Ack {
	acks := make([]Ack, len(names))
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.subs[sub]
	if st == nil && len(names) > 0 {
		st = &subState{}
		if h.subs == nil {
			h.subs = make(map[Subscriber]*subState)
		}
		h.subs[sub] = st
		h.subsPeak = max(h.subsPeak, len(h.subs))
	}
	for i, name := range names {
		h.add(sub, st, sp, name)
		acks[i] = Ack{Name: name, Count: st.count(sp)}
	}
	return acks
}

func (h *Hub) add(sub Subscriber, st *subState, sp space, name []byte) {
	if _, ok := st.members[sp][string(name)]; ok {
		return
	}
	t := &h.spaces[sp]
	g := t.groups[string(name)]
	if g == nil {
		g = &group{name: clone(name)}
		if t.groups == nil {
			t.groups = make(map[string]*group)
		}
		t.groups[string(name)] = g
		t.peak = max(t.peak, len(t.groups))
		if sp == spacePatterns {
			g.pos = len(h.patList)
			h.patList = append(h.patList, g)
		}
	}
	if st.members[sp] == nil {
		st.members[sp] = make(map[string]membership)
	}
	st.seq++
	st.members[sp][string(name)] = membership{idx: len(g.subs), seq: st.seq}
	g.subs = append(g.subs, sub)
}

// remove drops sub's subscription to name, which must exist, and the group
// if sub was its last member.
func (h *Hub) remove(sub Subscriber, st *subState, sp space, name string) {
	m := st.members[sp][name]
	delete(st.members[sp], name)
	if len(st.members[sp]) == 0 {
		st.members[sp] = nil
	}
	t := &h.spaces[sp]
	g := t.groups[name]
	last := len(g.subs) - 1
	if m.idx != last {
		// Move the last member into the hole and tell it where it went.
		moved := g.subs[last]
		g.subs[m.idx] = moved
		theirs := h.subs[moved].members[sp]
		mm := theirs[name]
		mm.idx = m.idx
		theirs[name] = mm
	}
	g.subs[last] = nil
	g.subs = g.subs[:last]
	if len(g.subs) > 0 {
		g.subs = shrinkSlice(g.subs)
		return
	}
	delete(t.groups, name)
	t.groups = shrink(t.groups, &t.peak)
	if sp == spacePatterns {
		end := len(h.patList) - 1
		h.patList[g.pos] = h.patList[end]
		h.patList[g.pos].pos = g.pos
		h.patList[end] = nil
		h.patList = shrinkSlice(h.patList[:end])
	}
}

// forget drops the state of sub once it has no subscriptions left.
func (h *Hub) forget(sub Subscriber) {
	delete(h.subs, sub)
	h.subs = shrink(h.subs, &h.subsPeak)
}

func (h *Hub) unsubscribe(sub Subscriber, sp space, names [][]byte) []Ack {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.subs[sub]
	if len(names) == 0 {
		names = st.names(sp)
		if len(names) == 0 {
			return []Ack{{Null: true, Count: st.count(sp)}}
		}
	}
	acks := make([]Ack, len(names))
	for i, name := range names {
		if st != nil {
			if _, ok := st.members[sp][string(name)]; ok {
				h.remove(sub, st, sp, string(name))
			}
		}
		acks[i] = Ack{Name: name, Count: st.count(sp)}
	}
	if st != nil && st.empty() {
		h.forget(sub)
	}
	return acks
}

// names returns copies of the names st is subscribed to in namespace sp, in
// subscription order.
func (st *subState) names(sp space) [][]byte {
	if st == nil {
		return nil
	}
	mine := st.members[sp]
	type entry struct {
		name string
		seq  uint64
	}
	entries := make([]entry, 0, len(mine))
	for name, m := range mine {
		entries = append(entries, entry{name, m.seq})
	}
	slices.SortFunc(entries, func(a, b entry) int { return cmp.Compare(a.seq, b.seq) })
	names := make([][]byte, len(entries))
	for i, e := range entries {
		names[i] = []byte(e.name)
	}
	return names
}

// RemoveAll drops every subscription of sub, as Redis does for a client that
// disconnects. Once it returns, sub receives no more messages.
func (h *Hub) RemoveAll(sub Subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.subs[sub]
	if st == nil {
		return
	}
	for sp := range numSpaces {
		for name := range st.members[sp] {
			h.remove(sub, st, sp, name)
		}
	}
	h.forget(sub)
}

// Publish delivers payload to the subscribers of channel and to every
// subscription of a pattern that matches it (PUBLISH). It returns the number
// of deliveries: a subscriber of the channel and of two matching patterns
// counts three times, as in Redis.
//
// The caller may reuse channel and payload once Publish returns: when there
// is any receiver, the Hub copies payload (and channel, for pattern
// subscribers) once, and all receivers share the copies. A channel with no
// subscribers and no patterns costs a map lookup and no allocation.
func (h *Hub) Publish(channel, payload []byte) int {
	return h.publish(spaceChannels, KindMessage, channel, payload)
}

// SPublish delivers payload to the subscribers of shard channel (SPUBLISH).
// Patterns never match shard channels.
func (h *Hub) SPublish(channel, payload []byte) int {
	return h.publish(spaceShard, KindSMessage, channel, payload)
}

func (h *Hub) publish(sp space, kind Kind, channel, payload []byte) int {
	patterns := sp == spaceChannels
	h.mu.RLock()
	defer h.mu.RUnlock()
	g := h.spaces[sp].groups[string(channel)]
	if g == nil && (!patterns || len(h.patList) == 0) {
		return 0
	}
	receivers := 0
	var data, name []byte // copies of payload and channel, made when first needed
	if g != nil {
		data = clone(payload)
		name = g.name
		m := Message{Kind: kind, Channel: name, Payload: data}
		for _, s := range g.subs {
			s.Deliver(m)
		}
		receivers += len(g.subs)
	}
	if !patterns {
		return receivers
	}
	for _, p := range h.patList {
		if !glob.Match(p.name, channel, false) {
			continue
		}
		if name == nil {
			name = clone(channel)
		}
		if data == nil {
			data = clone(payload)
		}
		m := Message{Kind: KindPMessage, Pattern: p.name, Channel: name, Payload: data}
		for _, s := range p.subs {
			s.Deliver(m)
		}
		receivers += len(p.subs)
	}
	return receivers
}

// clone copies b, returning a non-nil slice even when b is empty, so that
// "copied yet?" can be told from nil.
func clone(b []byte) []byte {
	c := make([]byte, len(b))
	copy(c, b)
	return c
}

// Channels returns the channels that have subscribers (PUBSUB CHANNELS with
// no pattern), sorted.
func (h *Hub) Channels() []string {
	return h.list(spaceChannels, nil, false)
}

// ChannelsMatching returns the channels that have subscribers and match the
// glob-style pattern (PUBSUB CHANNELS pattern), sorted. Note that, as in
// Redis, no pattern matches the empty channel name except the empty pattern,
// so "*" is not the same as no pattern.
func (h *Hub) ChannelsMatching(pattern []byte) []string {
	return h.list(spaceChannels, pattern, true)
}

// ShardChannels is Channels for shard channels (PUBSUB SHARDCHANNELS).
func (h *Hub) ShardChannels() []string {
	return h.list(spaceShard, nil, false)
}

// ShardChannelsMatching is ChannelsMatching for shard channels (PUBSUB
// SHARDCHANNELS pattern).
func (h *Hub) ShardChannelsMatching(pattern []byte) []string {
	return h.list(spaceShard, pattern, true)
}

func (h *Hub) list(sp space, pattern []byte, filter bool) []string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := []string{}
	pat := string(pattern)
	for name := range h.spaces[sp].groups {
		if !filter || glob.MatchString(pat, name, false) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// NumSub returns the number of subscribers of each channel, not counting
// pattern subscriptions (PUBSUB NUMSUB).
func (h *Hub) NumSub(channels ...[]byte) []int {
	return h.numSub(spaceChannels, channels)
}

// ShardNumSub returns the number of subscribers of each shard channel
// (PUBSUB SHARDNUMSUB).
func (h *Hub) ShardNumSub(channels ...[]byte) []int {
	return h.numSub(spaceShard, channels)
}

func (h *Hub) numSub(sp space, channels [][]byte) []int {
	counts := make([]int, len(channels))
	h.mu.RLock()
	defer h.mu.RUnlock()
	for i, c := range channels {
		if g := h.spaces[sp].groups[string(c)]; g != nil {
			counts[i] = len(g.subs)
		}
	}
	return counts
}

// NumPat returns the number of distinct patterns subscribed to (PUBSUB
// NUMPAT): since Redis 7.0 two clients subscribed to one pattern count once.
func (h *Hub) NumPat() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.spaces[spacePatterns].groups)
}

// Counts returns sub's numbers of subscriptions.
func (h *Hub) Counts(sub Subscriber) Counts {
	h.mu.RLock()
	defer h.mu.RUnlock()
	st := h.subs[sub]
	if st == nil {
		return Counts{}
	}
	return Counts{
		Channels:      len(st.members[spaceChannels]),
		Patterns:      len(st.members[spacePatterns]),
		ShardChannels: len(st.members[spaceShard]),
	}
}

// Stats returns the Hub's totals.
func (h *Hub) Stats() Stats {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return Stats{
		Channels:      len(h.spaces[spaceChannels].groups),
		Patterns:      len(h.spaces[spacePatterns].groups),
		ShardChannels: len(h.spaces[spaceShard].groups),
		Subscribers:   len(h.subs),
	}
}

// Subscriptions returns what sub is subscribed to: its channels, its
// patterns and its shard channels, in no particular order.
func (h *Hub) Subscriptions(sub Subscriber) (channels, patterns, shard []string) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	st := h.subs[sub]
	if st == nil {
		return nil, nil, nil
	}
	names := func(sp space) []string {
		out := make([]string, 0, len(st.members[sp]))
		for name := range st.members[sp] {
			out = append(out, name)
		}
		return out
	}
	return names(spaceChannels), names(spacePatterns), names(spaceShard)
}

// Subscribers returns every subscriber with at least one subscription.
func (h *Hub) Subscribers() []Subscriber {
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := make([]Subscriber, 0, len(h.subs))
	for sub := range h.subs {
		out = append(out, sub)
	}
	return out
}
