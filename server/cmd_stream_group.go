package server

import (
	"math"
	"strconv"

	"github.com/mini-redis/mini-redis/db"
)

// The stream consumer group commands, as Redis 7.0.15's t_stream.c runs
// them: XGROUP, XREADGROUP (blocking on the blocking machinery through
// streamWait.serve), XACK, XPENDING, XCLAIM, XAUTOCLAIM and XINFO, with
// the same lookups, checks in the same order, notifications and dirty
// counts. Delivery and seen times are read from the keyspace clock. As in
// Redis, no change to a stream's groups, consumers or pending entries is
// signalled to WATCH: only XGROUP CREATE's MKSTREAM, which adds the key.
// Checked against redis-server 7.0.15 (diff_stream_group_test.go).

func streamGroupCommands() []*command {
	return []*command{
		container("xgroup", 0,
			&command{name: "create", flags: flagWrite, run: cmdXGroupCreate},
			&command{name: "setid", flags: flagWrite, run: cmdXGroupSetID},
			&command{name: "destroy", flags: flagWrite, run: cmdXGroupDestroy},
			&command{name: "createconsumer", flags: flagWrite, run: cmdXGroupCreateConsumer},
			&command{name: "delconsumer", flags: flagWrite, run: cmdXGroupDelConsumer},
			&command{name: "help", run: cmdXGroupHelp},
		),
		{name: "xreadgroup", flags: flagWrite | flagBlocking, run: cmdXReadGroup},
		{name: "xack", flags: flagWrite, run: cmdXAck},
		{name: "xpending", run: cmdXPending},
		{name: "xclaim", flags: flagWrite, run: cmdXClaim},
		{name: "xautoclaim", flags: flagWrite, run: cmdXAutoClaim},
		container("xinfo", 0,
			&command{name: "stream", run: cmdXInfoStream},
			&command{name: "groups", run: cmdXInfoGroups},
			&command{name: "consumers", run: cmdXInfoConsumers},
			&command{name: "help", run: cmdXInfoHelp},
		),
	}
}

// Error replies of the consumer group commands.
const (
	errXGroupNoKey = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to " +
		"use the MKSTREAM option to create an empty stream automatically."
	errBusyGroup        = "BUSYGROUP Consumer Group name already exists"
	errEntriesRead      = "ERR value for ENTRIESREAD must be positive or -1"
	errXReadGroupDollar = "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set."
	errXReadGroupGone   = "NOGROUP the consumer group this client was blocked on no longer exists"
	errXAutoClaimCount  = "ERR COUNT must be > 0"
)

// noGroup is the NOGROUP reply of XGROUP's and XINFO's subcommands.
func noGroup(group, key []byte) string {
	return "NOGROUP No such consumer group '" + string(cString(group, len(group))) + "' for key name '" +
		string(cString(key, len(key))) + "'"
}

// noKeyOrGroup is the NOGROUP reply of XPENDING, XCLAIM and XAUTOCLAIM.
func noKeyOrGroup(key, group []byte) string {
	return "NOGROUP No such key '" + string(cString(key, len(key))) + "' or consumer group '" +
		string(cString(group, len(group))) + "'"
}

// nowMillis is the keyspace clock in Unix milliseconds: Redis's mstime()
// for delivery and seen times.
func (c *client) nowMillis() int64 {
	return c.server.store.UnixMilli()
}

// lookupConsumer returns the consumer name of g, refreshing its seen time
// (streamLookupConsumer with SLC_DEFAULT), or creates it
// (streamCreateConsumer with SCC_DEFAULT: counted in dirty, notified).
func (s *Server) lookupConsumer(dbIndex int, key []byte, g *db.StreamGroup, name []byte, now int64) *db.StreamConsumer {
	if cons := g.Consumer(string(name)); cons != nil {
		cons.SeenTime = now
		return cons
	}
	cons := g.CreateConsumer(string(name), now)
	s.dirty.Add(1)
	s.notify(dbIndex, evStream, "xgroup-createconsumer", key)
	return cons
}

// --- XGROUP -----------------------------------------------------------------

// xgroupStream looks up the stream of an XGROUP subcommand and, but for
// CREATE, its group, replying the error if there is none. create tells
// CREATE with MKSTREAM may make the stream.
func (c *client) xgroupStream(tx *db.KeyLock, key, group []byte, mkstream, needGroup bool) (*db.Stream, *db.StreamGroup, bool) {
	v := tx.Get(key)
	var st *db.Stream
	if v != nil {
		var ok bool
		if st, ok = v.(*db.Stream); !ok {
			c.conn.WriteError(errWrongType)
			return nil, nil, false
		}
	}
	if st == nil && !mkstream {
		c.conn.WriteError(errXGroupNoKey)
		return nil, nil, false
	}
	var g *db.StreamGroup
	if st != nil {
		g = st.Group(string(group))
	}
	if g == nil && needGroup {
		c.conn.WriteError(noGroup(group, key))
		return nil, nil, false
	}
	return st, g, true
}

// parseEntriesRead reads ENTRIESREAD's value.
func (c *client) parseEntriesRead(arg []byte) (int64, bool) {
	n, ok := parseInt(arg)
	if !ok {
		c.conn.WriteError(errNotInteger)
		return 0, false
	}
	if n < 0 && n != db.StreamInvalidEntriesRead {
		c.conn.WriteError(errEntriesRead)
		return 0, false
	}
	return n, true
}

// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD entries_read]
func cmdXGroupCreate(c *client, args [][]byte) {
	mkstream := false
	entriesRead := int64(db.StreamInvalidEntriesRead)
	for i := 5; i < len(args); i++ {
		switch {
		case is(args[i], "mkstream"):
			mkstream = true
		case is(args[i], "entriesread") && i+1 < len(args):
			n, ok := c.parseEntriesRead(args[i+1])
			if !ok {
				return
			}
			entriesRead = n
			i++
		default:
			c.conn.WriteError(subcommandSyntax(args[1], "XGROUP"))
			return
		}
	}
	key, group := args[2], args[3]
	tx := c.db().Write(key)
	defer tx.Close()
	st, _, ok := c.xgroupStream(&tx, key, group, mkstream, false)
	if !ok {
		return
	}
	var id db.StreamID
	if string(args[4]) == "$" {
		if st != nil {
			id = st.LastID()
		}
	} else if id, ok = c.parseStreamID(args[4], true, 0); !ok {
		return
	}
	if st == nil {
		if st, _ = tx.MutableStream(key, true); st == nil {
			return
		}
		st.Touch() // MKSTREAM's new key is a change its watchers see
	} else {
		st, _ = tx.MutableStream(key, false)
	}
	if st.CreateGroupQuietly(string(group), id, entriesRead) == nil {
		c.conn.WriteError(errBusyGroup)
		return
	}
	c.conn.WriteOK()
	c.server.dirty.Add(1)
	c.notify(evStream, "xgroup-create", key)
}

// XGROUP SETID key group id|$ [ENTRIESREAD entries_read]
func cmdXGroupSetID(c *client, args [][]byte) {
	entriesRead := int64(db.StreamInvalidEntriesRead)
	switch {
	case len(args) == 7 && is(args[5], "entriesread"):
		n, ok := c.parseEntriesRead(args[6])
		if !ok {
			return
		}
		entriesRead = n
	case len(args) != 5:
		c.conn.WriteError(subcommandSyntax(args[1], "XGROUP"))
		return
	}
	key := args[2]
	tx := c.db().Write(key)
	defer tx.Close()
	st, _, ok := c.xgroupStream(&tx, key, args[3], false, true)
	if !ok {
		return
	}
	var id db.StreamID
	if string(args[4]) == "$" {
		id = st.LastID()
	} else if id, ok = c.parseStreamID(args[4], false, 0); !ok {
		return
	}
	st, _ = tx.MutableStream(key, false)
	g := st.Group(string(args[3]))
	g.LastID, g.EntriesRead = id, entriesRead
	c.conn.WriteOK()
	c.server.dirty.Add(1)
	c.notify(evStream, "xgroup-setid", key)
}

// XGROUP DESTROY key group
func cmdXGroupDestroy(c *client, args [][]byte) {
	key := args[2]
	tx := c.db().Write(key)
	defer tx.Close()
	st, g, ok := c.xgroupStream(&tx, key, args[3], false, false)
	if !ok {
		return
	}
	if g == nil {
		c.conn.WriteInt(0)
		return
	}
	st, _ = tx.MutableStream(key, false)
	st.DeleteGroupQuietly(string(args[3]))
	c.conn.WriteInt(1)
	c.server.dirty.Add(1)
	c.notify(evStream, "xgroup-destroy", key)
	// The group's blocked readers get NOGROUP.
	c.server.signalStreamReady(c, key)
}

// XGROUP CREATECONSUMER key group consumer
func cmdXGroupCreateConsumer(c *client, args [][]byte) {
	key := args[2]
	tx := c.db().Write(key)
	defer tx.Close()
	st, g, ok := c.xgroupStream(&tx, key, args[3], false, true)
	if !ok {
		return
	}
	if g.Consumer(string(args[4])) != nil {
		c.conn.WriteInt(0)
		return
	}
	st, _ = tx.MutableStream(key, false)
	st.Group(string(args[3])).CreateConsumer(string(args[4]), c.nowMillis())
	c.conn.WriteInt(1)
	c.server.dirty.Add(1)
	c.notify(evStream, "xgroup-createconsumer", key)
}

// XGROUP DELCONSUMER key group consumer
func cmdXGroupDelConsumer(c *client, args [][]byte) {
	key := args[2]
	tx := c.db().Write(key)
	defer tx.Close()
	st, _, ok := c.xgroupStream(&tx, key, args[3], false, true)
	if !ok {
		return
	}
	st, _ = tx.MutableStream(key, false)
	n := st.Group(string(args[3])).DeleteConsumer(string(args[4]))
	if n < 0 {
		c.conn.WriteInt(0) // no such consumer: nothing changed
		return
	}
	c.conn.WriteInt(int64(n))
	c.server.dirty.Add(1)
	c.notify(evStream, "xgroup-delconsumer", key)
}

// XGROUP HELP
func cmdXGroupHelp(c *client, args [][]byte) {
	c.writeHelp("XGROUP",
		"CREATE <key> <groupname> <id|$> [option]",
		"    Create a new consumer group. Options are:",
		"    * MKSTREAM",
		"      Create the empty stream if it does not exist.",
		"    * ENTRIESREAD entries_read",
		"      Set the group's entries_read counter (internal use).",
		"CREATECONSUMER <key> <groupname> <consumer>",
		"    Create a new consumer in the specified group.",
		"DELCONSUMER <key> <groupname> <consumer>",
		"    Remove the specified consumer.",
		"DESTROY <key> <groupname>",
		"    Remove the specified group.",
		"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
		"    Set the current group ID and entries_read counter.",
	)
}

// --- XREADGROUP -------------------------------------------------------------

// groupRead is one key's part of an XREADGROUP: what to read and how.
type groupRead struct {
	group, consumer []byte
	noack           bool
	count           int64
}

// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]
func cmdXReadGroup(c *client, args [][]byte) {
	xr, ok := c.parseXReadArgs(args, true)
	if !ok {
		return
	}
	// Not its arguments: what the reads do to the groups is propagated
	// below (Redis's preventCommandPropagation).
	c.propagateAs()
	timeout, keys, idArgs := xr.timeout, xr.keys, xr.ids
	r := groupRead{group: xr.group, consumer: xr.consumer, noack: xr.noack, count: xr.count}
	n := len(keys)
	tx := c.db().Write(keys...)
	defer tx.Close()
	ids := make([]db.StreamID, n)
	for i, arg := range idArgs {
		s, ok := c.readStream(&tx, keys[i])
		if !ok {
			return
		}
		if s == nil || s.Group(string(r.group)) == nil {
			c.conn.WriteError("NOGROUP No such key '" + string(cString(keys[i], len(keys[i]))) +
				"' or consumer group '" + string(cString(r.group, len(r.group))) + "' in XREADGROUP with GROUP option")
			return
		}
		switch string(arg) {
		case "$":
			c.conn.WriteError(errXReadGroupDollar)
			return
		case ">":
			ids[i] = db.MaxStreamID
			continue
		}
		if ids[i], ok = c.parseStreamID(arg, true, 0); !ok {
			return
		}
	}
	now := c.nowMillis()
	type served struct {
		key     []byte
		entries []streamReplyEntry
	}
	var out []served
	for i, k := range keys {
		v := c.lookupRead(&tx, k)
		if v == nil {
			continue
		}
		st, _ := tx.MutableStream(k, false)
		g := st.Group(string(r.group))
		gt := ids[i]
		history, serve := gt != db.MaxStreamID, gt != db.MaxStreamID
		if !history && st.Len() > 0 && g.LastID.Less(st.LastValidID()) {
			serve, gt = true, g.LastID
		}
		if !serve {
			continue
		}
		// The consumer is looked up, and made, only for a read that is
		// served, as Redis 7.0 does.
		created := g.Consumer(string(r.consumer)) == nil
		cons := c.server.lookupConsumer(c.dbIndex, k, g, r.consumer, now)
		if created && r.noack {
			// No XCLAIM will make it on the replica (streamPropagateConsumerCreation).
			c.propagateAs([][]byte{b("XGROUP"), b("CREATECONSUMER"), clone(k), clone(r.group), clone(r.consumer)})
		}
		start, _ := gt.Next()
		var entries []streamReplyEntry
		if history {
			entries = readHistory(st, cons, start, r.count, now)
		} else {
			entries = deliverNew(st, g, cons, start, r.count, r.noack, now)
			c.propagateAs(deliveryEffects(k, r.group, g, entries, r.noack)...)
		}
		out = append(out, served{k, entries})
		c.server.dirty.Add(1)
	}
	if len(out) > 0 {
		if c.resp3() {
			c.conn.WriteMapLen(len(out))
		} else {
			c.conn.WriteArrayLen(len(out))
		}
		for _, o := range out {
			if !c.resp3() {
				c.conn.WriteArrayLen(2)
			}
			c.conn.WriteBulk(o.key)
			c.writeGroupEntries(o.entries)
		}
		return
	}
	if timeout == -1 || c.exclusiveHeld {
		c.conn.WriteNullArray()
		return
	}
	c.xreadGroupBlock(keys, r, timeout)
}

// xclaimEffect is the command Redis propagates for a pending entry
// delivered or claimed (streamPropagateXCLAIM): an XCLAIM that forces the
// entry, as pe now is, into the replica's PEL, moving the group's last ID
// to lastID.
func xclaimEffect(key, group []byte, pe *db.StreamPending, lastID db.StreamID) [][]byte {
	return [][]byte{b("XCLAIM"), clone(key), clone(group), []byte(pe.Consumer.Name), b("0"), pe.ID.Append(nil),
		b("TIME"), strconv.AppendInt(nil, pe.DeliveryTime, 10), b("RETRYCOUNT"), strconv.AppendUint(nil, pe.DeliveryCount, 10),
		b("FORCE"), b("JUSTID"), b("LASTID"), lastID.Append(nil)}
}

// setIDEffect is the command Redis propagates for a group's last ID and
// read counter moved with no entry claimed (streamPropagateGroupID).
func setIDEffect(key, group []byte, g *db.StreamGroup) [][]byte {
	return [][]byte{b("XGROUP"), b("SETID"), clone(key), clone(group), g.LastID.Append(nil),
		b("ENTRIESREAD"), strconv.AppendInt(nil, g.EntriesRead, 10)}
}

// deliveryEffects are the commands Redis propagates for entries just
// delivered to a group by deliverNew: an XCLAIM each, or, under NOACK,
// the group's new last ID.
func deliveryEffects(key, group []byte, g *db.StreamGroup, entries []streamReplyEntry, noack bool) [][][]byte {
	if len(entries) == 0 {
		return nil
	}
	if noack {
		return [][][]byte{setIDEffect(key, group, g)}
	}
	out := make([][][]byte, 0, len(entries))
	for _, e := range entries {
		if pe := g.PEL.Get(e.id); pe != nil {
			out = append(out, xclaimEffect(key, group, pe, e.id))
		}
	}
	return out
}

// writeGroupEntries writes entries as XREADGROUP replies them: a deleted
// entry of a consumer's history (nil pairs) as its ID and a null array.
func (c *client) writeGroupEntries(entries []streamReplyEntry) {
	c.conn.WriteArrayLen(len(entries))
	for _, e := range entries {
		if e.kv == nil {
			c.conn.WriteArrayLen(2)
			var buf [48]byte
			c.conn.WriteBulk(e.id.Append(buf[:0]))
			c.conn.WriteNullArray()
			continue
		}
		c.writeStreamEntry(e.id, e.kv)
	}
}

// readHistory returns the entries of cons's PEL from start on, at most
// count unless count is 0 (streamReplyWithRangeFromConsumerPEL): those
// still in the stream are delivered again, now; those deleted come with
// nil pairs.
func readHistory(st *db.Stream, cons *db.StreamConsumer, start db.StreamID, count, now int64) []streamReplyEntry {
	var entries []streamReplyEntry
	cons.PEL.Range(start, db.MaxStreamID, false, func(pe *db.StreamPending) bool {
		if count != 0 && int64(len(entries)) >= count {
			return false
		}
		kv, ok := st.Get(pe.ID)
		if ok {
			pe.DeliveryTime = now
			pe.DeliveryCount++
			if kv == nil {
				kv = [][]byte{}
			}
		}
		entries = append(entries, streamReplyEntry{pe.ID, kv})
		return true
	})
	return entries
}

// deliverNew delivers to cons the entries of st from start on, at most
// count unless count is 0, moving g's last ID and read counter and, unless
// noack, recording them as pending (streamReplyWithRange with a group).
func deliverNew(st *db.Stream, g *db.StreamGroup, cons *db.StreamConsumer, start db.StreamID, count int64, noack bool, now int64) []streamReplyEntry {
	var entries []streamReplyEntry
	st.Range(start, db.MaxStreamID, false, func(id db.StreamID, kv [][]byte) bool {
		entries = append(entries, streamReplyEntry{id, kv})
		return count == 0 || int64(len(entries)) < count
	})
	for _, e := range entries {
		st.Deliver(g, e.id)
		if !noack {
			g.AddPending(e.id, cons, now)
		}
	}
	return entries
}

// xreadGroupBlock blocks c on keys, waiting for entries new to its group
// (XREADGROUP with > and BLOCK). The waiter is served by serveStreamKey
// through streamWait.serve.
func (c *client) xreadGroupBlock(keys [][]byte, r groupRead, timeout int64) {
	var deadline int64
	if timeout > 0 {
		now := c.server.keyspaceMillis()
		deadline = math.MaxInt64
		if timeout <= math.MaxInt64-now {
			deadline = now + timeout
		}
	}
	count := r.count
	if count == 0 {
		count = xreadDefaultCount
	}
	w := &streamWait{ids: make(map[string]db.StreamID, len(keys)), count: count}
	for _, k := range keys {
		w.ids[string(k)] = db.MaxStreamID
	}
	group, consumer := string(r.group), string(r.consumer)
	srv := c.server
	w.serve = func(tx *db.KeyLock, key []byte, st *db.Stream, wt *waiter) (blockOutcome, bool) {
		g := st.Group(group)
		if g == nil {
			return blockOutcome{err: errXReadGroupGone}, true
		}
		if !g.LastID.Less(st.LastID()) {
			return blockOutcome{}, false
		}
		now := srv.store.Clock().Now().UnixMilli()
		created := g.Consumer(consumer) == nil
		cons := srv.lookupConsumer(wt.db, key, g, []byte(consumer), now)
		start, _ := g.LastID.Next()
		entries := deliverNew(st, g, cons, start, count, r.noack, now)
		var effects [][][]byte
		if created && r.noack {
			effects = append(effects, [][]byte{b("XGROUP"), b("CREATECONSUMER"), clone(key), b(group), b(consumer)})
		}
		effects = append(effects, deliveryEffects(key, []byte(group), g, entries, r.noack)...)
		return blockOutcome{key: string(key), entries: entries, effects: effects}, true
	}
	c.block(blockReq{op: opXRead, stream: w}, keys, deadline)
}

// --- XACK -------------------------------------------------------------------

// XACK key group id [id ...]
func cmdXAck(c *client, args [][]byte) {
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	st, ok := c.readStream(&tx, key)
	if !ok {
		return
	}
	var g *db.StreamGroup
	if st != nil {
		g = st.Group(string(args[2]))
	}
	if g == nil {
		c.conn.WriteInt(0)
		return
	}
	ids := make([]db.StreamID, len(args)-3)
	for i, arg := range args[3:] {
		if ids[i], ok = c.parseStreamID(arg, true, 0); !ok {
			return
		}
	}
	st, _ = tx.MutableStream(key, false)
	g = st.Group(string(args[2]))
	n := 0
	for _, id := range ids {
		if g.Ack(id) {
			n++
		}
	}
	if n > 0 {
		c.server.dirty.Add(int64(n))
	}
	c.conn.WriteInt(int64(n))
}

// --- XPENDING ---------------------------------------------------------------

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
func cmdXPending(c *client, args [][]byte) {
	justInfo := len(args) == 3
	if !justInfo && (len(args) < 6 || len(args) > 9) {
		c.conn.WriteError(errSyntax)
		return
	}
	var start, end db.StreamID
	var count, minIdle int64
	var consumer []byte
	if !justInfo {
		startIdx := 3
		if is(args[3], "idle") {
			n, ok := parseInt(args[4])
			if !ok {
				c.conn.WriteError(errNotInteger)
				return
			}
			minIdle = n
			if len(args) < 8 {
				c.conn.WriteError(errSyntax)
				return
			}
			startIdx += 2
		}
		n, ok := parseInt(args[startIdx+2])
		if !ok {
			c.conn.WriteError(errNotInteger)
			return
		}
		count = max(n, 0)
		var ex bool
		if start, ex, ok = c.parseIntervalID(args[startIdx], 0); !ok {
			return
		}
		if ex {
			if start, ok = start.Next(); !ok {
				c.conn.WriteError(errXStartInterval)
				return
			}
		}
		if end, ex, ok = c.parseIntervalID(args[startIdx+1], math.MaxUint64); !ok {
			return
		}
		if ex {
			if end, ok = end.Prev(); !ok {
				c.conn.WriteError(errXEndInterval)
				return
			}
		}
		if startIdx+3 < len(args) {
			consumer = args[startIdx+3]
		}
	}
	key, group := args[1], args[2]
	tx := c.db().Read(key)
	defer tx.Close()
	st, ok := c.readStream(&tx, key)
	if !ok {
		return
	}
	var g *db.StreamGroup
	if st != nil {
		g = st.Group(string(group))
	}
	if g == nil {
		c.conn.WriteError(noKeyOrGroup(key, group))
		return
	}
	if justInfo {
		c.conn.WriteArrayLen(4)
		c.conn.WriteInt(int64(g.PEL.Len()))
		if g.PEL.Len() == 0 {
			c.conn.WriteNull()
			c.conn.WriteNull()
			c.conn.WriteNullArray()
			return
		}
		var first, last db.StreamID
		g.PEL.Range(db.StreamID{}, db.MaxStreamID, false, func(pe *db.StreamPending) bool { first = pe.ID; return false })
		g.PEL.Range(db.StreamID{}, db.MaxStreamID, true, func(pe *db.StreamPending) bool { last = pe.ID; return false })
		var buf [48]byte
		c.conn.WriteBulk(first.Append(buf[:0]))
		c.conn.WriteBulk(last.Append(buf[:0]))
		var withPending []*db.StreamConsumer
		for _, cons := range g.Consumers() {
			if cons.PEL.Len() > 0 {
				withPending = append(withPending, cons)
			}
		}
		c.conn.WriteArrayLen(len(withPending))
		for _, cons := range withPending {
			c.conn.WriteArrayLen(2)
			c.conn.WriteBulkString(cons.Name)
			c.conn.WriteBulkInt(int64(cons.PEL.Len()))
		}
		return
	}
	pel := &g.PEL
	if consumer != nil {
		cons := g.Consumer(string(consumer))
		if cons == nil {
			c.conn.WriteArrayLen(0)
			return
		}
		pel = &cons.PEL
	}
	now := c.nowMillis()
	var picked []*db.StreamPending
	if count > 0 {
		pel.Range(start, end, false, func(pe *db.StreamPending) bool {
			if minIdle != 0 && now-pe.DeliveryTime < minIdle {
				return true
			}
			picked = append(picked, pe)
			return int64(len(picked)) < count
		})
	}
	c.conn.WriteArrayLen(len(picked))
	var buf [48]byte
	for _, pe := range picked {
		c.conn.WriteArrayLen(4)
		c.conn.WriteBulk(pe.ID.Append(buf[:0]))
		c.conn.WriteBulkString(pe.Consumer.Name)
		c.conn.WriteInt(max(now-pe.DeliveryTime, 0))
		c.conn.WriteInt(int64(pe.DeliveryCount))
	}
}

// --- XCLAIM and XAUTOCLAIM --------------------------------------------------

// claimStream looks up the stream and group of XCLAIM and XAUTOCLAIM,
// replying the error if there is none.
func (c *client) claimStream(tx *db.KeyLock, key, group []byte) (*db.Stream, *db.StreamGroup, bool) {
	return c.claimStreamOf(tx, key, group, c.lookupRead(tx, key))
}

// claimStreamOf is claimStream with the key's value v already looked up.
func (c *client) claimStreamOf(tx *db.KeyLock, key, group []byte, v db.Value) (*db.Stream, *db.StreamGroup, bool) {
	var st *db.Stream
	if v != nil {
		var ok bool
		if st, ok = v.(*db.Stream); !ok {
			c.conn.WriteError(errWrongType)
			return nil, nil, false
		}
	}
	var g *db.StreamGroup
	if st != nil {
		g = st.Group(string(group))
	}
	if g == nil {
		c.conn.WriteError(noKeyOrGroup(key, group))
		return nil, nil, false
	}
	st, _ = tx.MutableStream(key, false)
	return st, st.Group(string(group)), true
}

// claim gives pe to the consumer named name of g, delivered at
// deliveryTime, counting the delivery unless justID (or setting the count
// to retryCount if it is not negative).
func claim(g *db.StreamGroup, pe *db.StreamPending, cons *db.StreamConsumer, deliveryTime, retryCount int64, justID bool) {
	if pe.Consumer != cons {
		if pe.Consumer == nil {
			pe.Consumer = cons
			cons.PEL.Put(pe)
		} else {
			g.MovePending(pe, cons)
		}
	}
	pe.DeliveryTime = deliveryTime
	switch {
	case retryCount >= 0:
		pe.DeliveryCount = uint64(retryCount)
	case !justID:
		pe.DeliveryCount++
	}
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
func cmdXClaim(c *client, args [][]byte) {
	c.propagateAs() // not its arguments: what it claims, below
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	st, g, ok := c.claimStream(&tx, key, args[2])
	if !ok {
		return
	}
	minIdle, ok := parseInt(args[4])
	if !ok {
		c.conn.WriteError("ERR Invalid min-idle-time argument for XCLAIM")
		return
	}
	minIdle = max(minIdle, 0)
	var ids []db.StreamID
	j := 5
	for ; j < len(args); j++ {
		id, err := db.ParseStreamID(args[j], 0)
		if err != nil {
			break
		}
		ids = append(ids, id)
	}
	now := c.nowMillis()
	retryCount, deliveryTime := int64(-1), int64(-1)
	var force, justID bool
	var lastID db.StreamID
	for ; j < len(args); j++ {
		moreArgs := len(args) - 1 - j
		switch {
		case is(args[j], "force"):
			force = true
		case is(args[j], "justid"):
			justID = true
		case is(args[j], "idle") && moreArgs > 0:
			j++
			n, ok := parseInt(args[j])
			if !ok {
				c.conn.WriteError("ERR Invalid IDLE option argument for XCLAIM")
				return
			}
			deliveryTime = now - n
		case is(args[j], "time") && moreArgs > 0:
			j++
			n, ok := parseInt(args[j])
			if !ok {
				c.conn.WriteError("ERR Invalid TIME option argument for XCLAIM")
				return
			}
			deliveryTime = n
		case is(args[j], "retrycount") && moreArgs > 0:
			j++
			n, ok := parseInt(args[j])
			if !ok {
				c.conn.WriteError("ERR Invalid RETRYCOUNT option argument for XCLAIM")
				return
			}
			retryCount = n
		case is(args[j], "lastid") && moreArgs > 0:
			j++
			if lastID, ok = c.parseStreamID(args[j], true, 0); !ok {
				return
			}
		default:
			c.conn.WriteError("ERR Unrecognized XCLAIM option '" + string(cString(args[j], len(args[j]))) + "'")
			return
		}
	}
	propagateLastID := false
	if g.LastID.Less(lastID) {
		g.LastID = lastID
		propagateLastID = true
	}
	if deliveryTime < 0 || deliveryTime > now {
		deliveryTime = now
	}
	var cons *db.StreamConsumer
	type claimed struct {
		id db.StreamID
		kv [][]byte
	}
	var out []claimed
	for _, id := range ids {
		pe := g.PEL.Get(id)
		kv, exists := st.Get(id)
		if !exists {
			if pe != nil {
				c.propagateAs(xclaimEffect(key, args[2], pe, g.LastID))
				g.Ack(id)
				propagateLastID = false
				c.server.dirty.Add(1)
			}
			continue
		}
		if force && pe == nil {
			pe = &db.StreamPending{ID: id, DeliveryTime: now, DeliveryCount: 1}
			g.PEL.Put(pe)
		}
		if pe == nil {
			continue
		}
		if pe.Consumer != nil && minIdle != 0 && now-pe.DeliveryTime < minIdle {
			continue
		}
		if cons == nil {
			cons = c.server.lookupConsumer(c.dbIndex, key, g, args[3], now)
		}
		claim(g, pe, cons, deliveryTime, retryCount, justID)
		c.propagateAs(xclaimEffect(key, args[2], pe, g.LastID))
		out = append(out, claimed{id, kv})
		propagateLastID = false
		c.server.dirty.Add(1)
	}
	if propagateLastID {
		c.propagateAs(setIDEffect(key, args[2], g))
		c.server.dirty.Add(1)
	}
	c.conn.WriteArrayLen(len(out))
	var buf [48]byte
	for _, e := range out {
		if justID {
			c.conn.WriteBulk(e.id.Append(buf[:0]))
		} else {
			c.writeStreamEntry(e.id, e.kv)
		}
	}
}

// xautoclaimMaxCount bounds XAUTOCLAIM's COUNT: LONG_MAX divided by the
// larger of an ID's size and the attempts factor.
const (
	xautoclaimAttempts = 10
	xautoclaimMaxCount = math.MaxInt64 / 16
)

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
func cmdXAutoClaim(c *client, args [][]byte) {
	c.propagateAs() // not its arguments: what it claims, below
	// Redis looks the key up before it parses the arguments, and checks
	// its type after.
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	v := c.lookupRead(&tx, key)
	minIdle, ok := parseInt(args[4])
	if !ok {
		c.conn.WriteError("ERR Invalid min-idle-time argument for XAUTOCLAIM")
		return
	}
	minIdle = max(minIdle, 0)
	start, ex, ok := c.parseIntervalID(args[5], 0)
	if !ok {
		return
	}
	if ex {
		if start, ok = start.Next(); !ok {
			c.conn.WriteError(errXStartInterval)
			return
		}
	}
	count := int64(100)
	justID := false
	for j := 6; j < len(args); j++ {
		moreArgs := len(args) - 1 - j
		switch {
		case is(args[j], "count") && moreArgs > 0:
			n, ok := parseInt(args[j+1])
			if !ok || n < 1 || n > xautoclaimMaxCount {
				c.conn.WriteError(errXAutoClaimCount)
				return
			}
			count = n
			j++
		case is(args[j], "justid"):
			justID = true
		default:
			c.conn.WriteError(errSyntax)
			return
		}
	}
	st, g, ok := c.claimStreamOf(&tx, key, args[2], v)
	if !ok {
		return
	}
	attempts := count * xautoclaimAttempts
	now := c.nowMillis()
	var cons *db.StreamConsumer
	type claimed struct {
		id db.StreamID
		kv [][]byte
	}
	var out []claimed
	var deleted []db.StreamID
	cursor := db.StreamID{}
	var pending []*db.StreamPending
	g.PEL.Range(start, db.MaxStreamID, false, func(pe *db.StreamPending) bool {
		pending = append(pending, pe)
		return true
	})
	i := 0
	for ; attempts > 0 && count > 0 && i < len(pending); i++ {
		attempts--
		pe := pending[i]
		kv, exists := st.Get(pe.ID)
		if !exists {
			c.propagateAs(xclaimEffect(key, args[2], pe, g.LastID)) // the replica drops it too
			g.Ack(pe.ID)
			c.server.dirty.Add(1)
			deleted = append(deleted, pe.ID)
			count--
			continue
		}
		if minIdle != 0 && now-pe.DeliveryTime < minIdle {
			continue
		}
		if cons == nil {
			cons = c.server.lookupConsumer(c.dbIndex, key, g, args[3], now)
		}
		claim(g, pe, cons, now, -1, justID)
		c.propagateAs(xclaimEffect(key, args[2], pe, g.LastID))
		out = append(out, claimed{pe.ID, kv})
		count--
		c.server.dirty.Add(1)
	}
	if i < len(pending) {
		cursor = pending[i].ID
	}
	var buf [48]byte
	c.conn.WriteArrayLen(3)
	c.conn.WriteBulk(cursor.Append(buf[:0]))
	c.conn.WriteArrayLen(len(out))
	for _, e := range out {
		if justID {
			c.conn.WriteBulk(e.id.Append(buf[:0]))
		} else {
			c.writeStreamEntry(e.id, e.kv)
		}
	}
	c.conn.WriteArrayLen(len(deleted))
	for _, id := range deleted {
		c.conn.WriteBulk(id.Append(buf[:0]))
	}
}

// --- XINFO ------------------------------------------------------------------

// xinfoStream looks up XINFO's stream: "no such key" for a missing one.
func (c *client) xinfoStream(tx *db.KeyLock, key []byte) (*db.Stream, bool) {
	st, ok := c.readStream(tx, key)
	if ok && st == nil {
		c.conn.WriteError(errNoSuchKey)
		return nil, false
	}
	return st, ok
}

// writeID writes a stream ID as a bulk string.
func (c *client) writeID(id db.StreamID) {
	var buf [48]byte
	c.conn.WriteBulk(id.Append(buf[:0]))
}

// writeLag writes a group's lag, a null when it cannot be told.
func (c *client) writeLag(st *db.Stream, g *db.StreamGroup) {
	if lag, ok := st.Lag(g); ok {
		c.conn.WriteInt(lag)
	} else {
		c.conn.WriteNull()
	}
}

// writeEntriesRead writes a group's read counter, a null when invalid.
func (c *client) writeEntriesRead(g *db.StreamGroup) {
	if g.EntriesRead == db.StreamInvalidEntriesRead {
		c.conn.WriteNull()
	} else {
		c.conn.WriteInt(g.EntriesRead)
	}
}

// XINFO STREAM key [FULL [COUNT count]]
func cmdXInfoStream(c *client, args [][]byte) {
	key := args[2]
	tx := c.db().Read(key)
	defer tx.Close()
	st, ok := c.xinfoStream(&tx, key)
	if !ok {
		return
	}
	opts := args[3:]
	full, count := true, int64(10)
	switch len(opts) {
	case 0:
		full = false
	case 1, 3:
		if !is(opts[0], "full") || (len(opts) == 3 && !is(opts[1], "count")) {
			c.conn.WriteError(subcommandSyntax(args[1], "XINFO"))
			return
		}
		if len(opts) == 3 {
			n, ok := parseInt(opts[2])
			if !ok {
				c.conn.WriteError(errNotInteger)
				return
			}
			count = max(n, 0)
		}
	default:
		c.conn.WriteError(subcommandSyntax(args[1], "XINFO"))
		return
	}
	if full {
		c.conn.WriteMapLen(9)
	} else {
		c.conn.WriteMapLen(10)
	}
	c.conn.WriteBulkString("length")
	c.conn.WriteInt(int64(st.Len()))
	c.conn.WriteBulkString("radix-tree-keys")
	c.conn.WriteInt(int64(st.NodeCount()))
	c.conn.WriteBulkString("radix-tree-nodes")
	c.conn.WriteInt(int64(st.RaxNodes()))
	c.conn.WriteBulkString("last-generated-id")
	c.writeID(st.LastID())
	c.conn.WriteBulkString("max-deleted-entry-id")
	c.writeID(st.MaxDeletedID())
	c.conn.WriteBulkString("entries-added")
	c.conn.WriteInt(st.EntriesAdded())
	c.conn.WriteBulkString("recorded-first-entry-id")
	c.writeID(st.FirstID())
	if !full {
		c.conn.WriteBulkString("groups")
		c.conn.WriteInt(int64(len(st.Groups())))
		for _, last := range []bool{false, true} {
			if last {
				c.conn.WriteBulkString("last-entry")
			} else {
				c.conn.WriteBulkString("first-entry")
			}
			found := false
			st.Range(db.StreamID{}, db.MaxStreamID, last, func(id db.StreamID, kv [][]byte) bool {
				c.writeStreamEntry(id, kv)
				found = true
				return false
			})
			if !found {
				c.conn.WriteNull()
			}
		}
		return
	}
	c.conn.WriteBulkString("entries")
	var entries []streamReplyEntry
	st.Range(db.StreamID{}, db.MaxStreamID, false, func(id db.StreamID, kv [][]byte) bool {
		entries = append(entries, streamReplyEntry{id, kv})
		return count == 0 || int64(len(entries)) < count
	})
	c.conn.WriteArrayLen(len(entries))
	for _, e := range entries {
		c.writeStreamEntry(e.id, e.kv)
	}
	c.conn.WriteBulkString("groups")
	groups := st.Groups()
	c.conn.WriteArrayLen(len(groups))
	for _, g := range groups {
		c.conn.WriteMapLen(7)
		c.conn.WriteBulkString("name")
		c.conn.WriteBulkString(g.Name)
		c.conn.WriteBulkString("last-delivered-id")
		c.writeID(g.LastID)
		c.conn.WriteBulkString("entries-read")
		c.writeEntriesRead(g)
		c.conn.WriteBulkString("lag")
		c.writeLag(st, g)
		c.conn.WriteBulkString("pel-count")
		c.conn.WriteInt(int64(g.PEL.Len()))
		c.conn.WriteBulkString("pending")
		pending := pendingUpTo(&g.PEL, count)
		c.conn.WriteArrayLen(len(pending))
		for _, pe := range pending {
			c.conn.WriteArrayLen(4)
			c.writeID(pe.ID)
			c.conn.WriteBulkString(pe.Consumer.Name)
			c.conn.WriteInt(pe.DeliveryTime)
			c.conn.WriteInt(int64(pe.DeliveryCount))
		}
		c.conn.WriteBulkString("consumers")
		consumers := g.Consumers()
		c.conn.WriteArrayLen(len(consumers))
		for _, cons := range consumers {
			c.conn.WriteMapLen(4)
			c.conn.WriteBulkString("name")
			c.conn.WriteBulkString(cons.Name)
			c.conn.WriteBulkString("seen-time")
			c.conn.WriteInt(cons.SeenTime)
			c.conn.WriteBulkString("pel-count")
			c.conn.WriteInt(int64(cons.PEL.Len()))
			c.conn.WriteBulkString("pending")
			pending := pendingUpTo(&cons.PEL, count)
			c.conn.WriteArrayLen(len(pending))
			for _, pe := range pending {
				c.conn.WriteArrayLen(3)
				c.writeID(pe.ID)
				c.conn.WriteInt(pe.DeliveryTime)
				c.conn.WriteInt(int64(pe.DeliveryCount))
			}
		}
	}
}

// pendingUpTo returns the first count pending entries of pel, all of them
// if count is 0.
func pendingUpTo(pel *db.PendingList, count int64) []*db.StreamPending {
	var out []*db.StreamPending
	pel.Range(db.StreamID{}, db.MaxStreamID, false, func(pe *db.StreamPending) bool {
		out = append(out, pe)
		return count == 0 || int64(len(out)) < count
	})
	return out
}

// XINFO GROUPS key
func cmdXInfoGroups(c *client, args [][]byte) {
	key := args[2]
	tx := c.db().Read(key)
	defer tx.Close()
	st, ok := c.xinfoStream(&tx, key)
	if !ok {
		return
	}
	groups := st.Groups()
	c.conn.WriteArrayLen(len(groups))
	for _, g := range groups {
		c.conn.WriteMapLen(6)
		c.conn.WriteBulkString("name")
		c.conn.WriteBulkString(g.Name)
		c.conn.WriteBulkString("consumers")
		c.conn.WriteInt(int64(len(g.Consumers())))
		c.conn.WriteBulkString("pending")
		c.conn.WriteInt(int64(g.PEL.Len()))
		c.conn.WriteBulkString("last-delivered-id")
		c.writeID(g.LastID)
		c.conn.WriteBulkString("entries-read")
		c.writeEntriesRead(g)
		c.conn.WriteBulkString("lag")
		c.writeLag(st, g)
	}
}

// XINFO CONSUMERS key group
func cmdXInfoConsumers(c *client, args [][]byte) {
	key := args[2]
	tx := c.db().Read(key)
	defer tx.Close()
	st, ok := c.xinfoStream(&tx, key)
	if !ok {
		return
	}
	g := st.Group(string(args[3]))
	if g == nil {
		c.conn.WriteError(noGroup(args[3], key))
		return
	}
	now := c.nowMillis()
	consumers := g.Consumers()
	c.conn.WriteArrayLen(len(consumers))
	for _, cons := range consumers {
		c.conn.WriteMapLen(3)
		c.conn.WriteBulkString("name")
		c.conn.WriteBulkString(cons.Name)
		c.conn.WriteBulkString("pending")
		c.conn.WriteInt(int64(cons.PEL.Len()))
		c.conn.WriteBulkString("idle")
		c.conn.WriteInt(max(now-cons.SeenTime, 0))
	}
}

// XINFO HELP
func cmdXInfoHelp(c *client, args [][]byte) {
	c.writeHelp("XINFO",
		"CONSUMERS <key> <groupname>",
		"    Show consumers of <groupname>.",
		"GROUPS <key>",
		"    Show the stream consumer groups.",
		"STREAM <key> [FULL [COUNT <count>]",
		"    Show information about the stream.",
	)
}

// errXReadGroupNoKey is the reply of a blocked XREADGROUP whose stream was
// deleted or given another type.
const errXReadGroupNoKey = "UNBLOCKED the stream key no longer exists"

// unblockGroupReaders settles the clients blocked in XREADGROUP on bk,
// which holds no stream any more, with an error, as Redis 7.0's
// serveClientsBlockedOnKey does for a deleted stream; XREAD's clients go
// on waiting.
func (s *Server) unblockGroupReaders(bk blockKey) {
	for _, w := range s.blocking.waiting(bk) {
		if w.op != opXRead || w.stream.serve == nil {
			continue
		}
		if s.blocking.claim(w) {
			w.settle(blockOutcome{err: errXReadGroupNoKey})
		}
	}
}
