package server

import (
	"math"

	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/db/pubsub"
)

// The stream commands, as Redis 7.0.15's t_stream.c runs them: the same
// lookups, checks in the same order, notifications (class "t") and dirty
// counts. Entries are replied as streamReplyWithRange writes them, in
// either protocol: an array of [id, [field, value, ...]].

const evStream = pubsub.EventStream

func streamCommands() []*command {
	return []*command{
		{name: "xadd", flags: flagWrite, run: cmdXAdd},
		{name: "xrange", run: cmdXRange},
		{name: "xrevrange", run: cmdXRevRange},
		{name: "xlen", run: cmdXLen},
		{name: "xdel", flags: flagWrite, run: cmdXDel},
		{name: "xtrim", flags: flagWrite, run: cmdXTrim},
		{name: "xsetid", flags: flagWrite, run: cmdXSetID},
		{name: "xread", flags: flagBlocking, run: cmdXRead},
	}
}

// Error replies of the stream commands.
const (
	errStreamID        = "ERR Invalid stream ID specified as stream command argument"
	errXAddIDSmall     = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
	errXAddIDZero      = "ERR The ID specified in XADD must be greater than 0-0"
	errXAddExhausted   = "ERR The stream has exhausted the last possible ID, unable to add more items"
	errXAddTooLarge    = "ERR Elements are too large to be stored"
	errXStartInterval  = "ERR invalid start ID for the interval"
	errXEndInterval    = "ERR invalid end ID for the interval"
	errXMaxLenMinID    = "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"
	errXMaxLenNegative = "ERR The MAXLEN argument must be >= 0."
	errXLimitNegative  = "ERR The LIMIT argument must be >= 0."
	errXLimitNoTrim    = "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"
	errXTrimNoStrategy = "ERR syntax error, XTRIM must be called with a trimming strategy"
	errXLimitNoApprox  = "ERR syntax error, LIMIT cannot be used without the special ~ option"
	errXSetIDEntries   = "ERR entries_added must be positive"
	errXSetIDMaxDelArg = "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"
	errXSetIDTop       = "ERR The ID specified in XSETID is smaller than the target stream top item"
	errXSetIDLength    = "ERR The entries_added specified in XSETID is smaller than the target stream length"
	errXReadBalance    = "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."
	errXReadGroupOpt   = "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."
	errXReadNoAck      = "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."
	errXReadGT         = "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."
	errTimeoutNotInt   = "ERR timeout is not an integer or out of range"
)

// readStream is lookupKeyRead followed by checkType for a stream: it
// returns the stream at key in tx, or nil for a missing key, and counts
// the lookup. For a key of another type it replies WRONGTYPE and returns
// ok false.
func (c *client) readStream(tx *db.KeyLock, key []byte) (s *db.Stream, ok bool) {
	v := c.lookupRead(tx, key)
	if v == nil {
		return nil, true
	}
	if s, ok = v.(*db.Stream); !ok {
		c.conn.WriteError(errWrongType)
	}
	return s, ok
}

// parseStreamID parses an ID argument as Redis's
// streamGenericParseIDOrReply: "-" and "+" (unless strict), "<ms>" (with
// seq missingSeq) and "<ms>-<seq>". It replies the error for an invalid
// one.
func (c *client) parseStreamID(b []byte, strict bool, missingSeq uint64) (db.StreamID, bool) {
	if len(b) <= 127 {
		cs := cString(b, len(b))
		if len(cs) == 1 && (cs[0] == '-' || cs[0] == '+') {
			if strict {
				c.conn.WriteError(errStreamID)
				return db.StreamID{}, false
			}
			if cs[0] == '-' {
				return db.StreamID{}, true
			}
			return db.MaxStreamID, true
		}
	}
	id, err := db.ParseStreamID(b, missingSeq)
	if err != nil {
		c.conn.WriteError(errStreamID)
		return db.StreamID{}, false
	}
	return id, true
}

// parseXAddID parses XADD's explicit ID: "<ms>-<seq>", "<ms>" or
// "<ms>-*"; seqGiven is false for the last.
func (c *client) parseXAddID(b []byte) (id db.StreamID, seqGiven, ok bool) {
	if len(b) <= 127 {
		cs := cString(b, len(b))
		if n := len(cs); n >= 2 && cs[n-1] == '*' && cs[n-2] == '-' {
			id, err := db.ParseStreamID(cs[:n-2], 0)
			if err != nil {
				c.conn.WriteError(errStreamID)
				return db.StreamID{}, false, false
			}
			return id, false, true
		}
	}
	id, ok = c.parseStreamID(b, true, 0)
	return id, true, ok
}

// parseIntervalID parses an end of XRANGE's interval
// (streamParseIntervalIDOrReply): "(" before an ID excludes it.
func (c *client) parseIntervalID(b []byte, missingSeq uint64) (id db.StreamID, ex, ok bool) {
	if len(b) > 1 && b[0] == '(' {
		id, ok = c.parseStreamID(b[1:], true, missingSeq)
		return id, true, ok
	}
	id, ok = c.parseStreamID(b, false, missingSeq)
	return id, false, ok
}

// writeStreamEntry writes one entry as [id, [field, value, ...]].
func (c *client) writeStreamEntry(id db.StreamID, kv [][]byte) {
	c.conn.WriteArrayLen(2)
	var buf [48]byte
	c.conn.WriteBulk(id.Append(buf[:0]))
	c.conn.WriteArrayLen(len(kv))
	for _, b := range kv {
		c.conn.WriteBulk(b)
	}
}

// writeStreamRange writes the live entries of s in [start, end], at most
// count of them unless count is 0, ascending or, if rev, descending
// (streamReplyWithRange without a group).
func (c *client) writeStreamRange(s *db.Stream, start, end db.StreamID, count int64, rev bool) {
	type entry struct {
		id db.StreamID
		kv [][]byte
	}
	var entries []entry
	s.Range(start, end, rev, func(id db.StreamID, kv [][]byte) bool {
		entries = append(entries, entry{id, kv})
		return count == 0 || int64(len(entries)) < count
	})
	c.conn.WriteArrayLen(len(entries))
	for _, e := range entries {
		c.writeStreamEntry(e.id, e.kv)
	}
}

// trimStrategy is what XADD's and XTRIM's trimming options ask for.
type trimStrategy int

const (
	trimNone trimStrategy = iota
	trimMaxLen
	trimMinID
)

// streamAddTrimArgs is Redis's streamAddTrimArgs.
type streamAddTrimArgs struct {
	id         db.StreamID
	idGiven    bool
	seqGiven   bool
	noMkStream bool
	strategy   trimStrategy
	approx     bool
	maxLen     int64
	minID      db.StreamID
	limit      int64
}

// parseAddTrimArgs is streamParseAddOrTrimArgsOrReply: it parses XADD's
// (xadd set) or XTRIM's options from args[2:], and returns the position
// of XADD's ID (or of the end), or -1 after replying an error.
func (c *client) parseAddTrimArgs(args [][]byte, xadd bool) (streamAddTrimArgs, int) {
	a := streamAddTrimArgs{maxLen: -1, limit: -1}
	limitGiven := false
	i := 2
	for ; i < len(args); i++ {
		moreArgs := len(args) - 1 - i
		opt := cString(args[i], len(args[i]))
		switch {
		case xadd && len(opt) == 1 && opt[0] == '*':
			goto done
		case (is(opt, "maxlen") || is(opt, "minid")) && moreArgs > 0:
			if a.strategy != trimNone {
				c.conn.WriteError(errXMaxLenMinID)
				return a, -1
			}
			a.approx = false
			next := cString(args[i+1], len(args[i+1]))
			if moreArgs >= 2 && len(next) == 1 && (next[0] == '~' || next[0] == '=') {
				a.approx = next[0] == '~'
				i++
			}
			if is(opt, "maxlen") {
				n, ok := parseInt(args[i+1])
				if !ok {
					c.conn.WriteError(errNotInteger)
					return a, -1
				}
				if n < 0 {
					c.conn.WriteError(errXMaxLenNegative)
					return a, -1
				}
				a.maxLen, a.strategy = n, trimMaxLen
			} else {
				id, ok := c.parseStreamID(args[i+1], true, 0)
				if !ok {
					return a, -1
				}
				a.minID, a.strategy = id, trimMinID
			}
			i++
		case is(opt, "limit") && moreArgs > 0:
			n, ok := parseInt(args[i+1])
			if !ok {
				c.conn.WriteError(errNotInteger)
				return a, -1
			}
			if n < 0 {
				c.conn.WriteError(errXLimitNegative)
				return a, -1
			}
			a.limit, limitGiven = n, true
			i++
		case xadd && is(opt, "nomkstream"):
			a.noMkStream = true
		case xadd:
			id, seqGiven, ok := c.parseXAddID(args[i])
			if !ok {
				return a, -1
			}
			a.id, a.seqGiven, a.idGiven = id, seqGiven, true
			goto done
		default:
			c.conn.WriteError(errSyntax)
			return a, -1
		}
	}
done:
	if limitGiven && a.limit != 0 && a.strategy == trimNone {
		c.conn.WriteError(errXLimitNoTrim)
		return a, -1
	}
	if !xadd && a.strategy == trimNone {
		c.conn.WriteError(errXTrimNoStrategy)
		return a, -1
	}
	switch {
	case limitGiven && !a.approx:
		c.conn.WriteError(errXLimitNoApprox)
		return a, -1
	case limitGiven:
	case a.approx:
		lim := c.server.store.EncodingLimits()
		a.limit = 100 * int64(lim.StreamNodeMaxEntries)
		if a.limit <= 0 || a.limit > 10000 {
			a.limit = 10000
		}
	default:
		a.limit = 0
	}
	return a, i
}

// trim applies a's trimming to s (streamTrim) and returns the number of
// entries removed.
func (a *streamAddTrimArgs) trim(s *db.Stream) int64 {
	switch a.strategy {
	case trimMaxLen:
		return s.TrimMaxLen(a.maxLen, a.approx, a.limit)
	case trimMinID:
		return s.TrimMinID(a.minID, a.approx, a.limit)
	}
	return 0
}

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]
func cmdXAdd(c *client, args [][]byte) {
	a, idPos := c.parseAddTrimArgs(args, true)
	if idPos < 0 {
		return
	}
	kv := args[min(idPos+1, len(args)):]
	if len(kv) < 2 || len(kv)%2 == 1 {
		c.conn.WriteError(wrongArity("xadd"))
		return
	}
	if a.idGiven && a.seqGiven && a.id.IsZero() {
		c.conn.WriteError(errXAddIDZero)
		return
	}
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	s, err := tx.MutableStream(key, false)
	if err != nil {
		c.conn.WriteError(errWrongType)
		return
	}
	if s == nil {
		if a.noMkStream {
			c.conn.WriteNull()
			return
		}
		// Redis's dbAdd publishes the "new" event.
		s, _ = tx.MutableStream(key, true)
		c.notify(pubsub.EventNew, "new", key)
	}
	last := s.LastID()
	if last == db.MaxStreamID {
		c.conn.WriteError(errXAddExhausted)
		return
	}
	var id db.StreamID
	switch {
	case !a.idGiven:
		ms := uint64(c.server.store.UnixMilli())
		if ms > last.Ms {
			id = db.StreamID{Ms: ms}
		} else {
			id, _ = last.Next()
		}
	case a.seqGiven:
		id = a.id
	case a.id.Ms == last.Ms:
		if last.Seq == ^uint64(0) {
			// Redis's streamAppendItem sets ERANGE here, hence the reply.
			c.conn.WriteError(errXAddTooLarge)
			return
		}
		id = db.StreamID{Ms: last.Ms, Seq: last.Seq + 1}
	default:
		id = a.id
	}
	switch s.Append(id, kv, tx.Limits()) {
	case nil:
	case db.ErrStreamIDTooSmall:
		c.conn.WriteError(errXAddIDSmall)
		return
	default:
		c.conn.WriteError(errXAddTooLarge)
		return
	}
	var buf [48]byte
	idText := id.Append(buf[:0])
	c.conn.WriteBulk(idText)
	if (!a.idGiven || !a.seqGiven) && c.effects != nil {
		// Propagated with the ID it got, as Redis rewrites the argument:
		// a replica or the AOF would make another. Without a feed
		// (c.effects nil) propagateAs would drop it: not built at all.
		c.propagateAs(cloneArgsReplacing(args, idPos, idText))
	}
	c.notify(evStream, "xadd", key)
	c.server.dirty.Add(1)
	if a.strategy != trimNone && a.trim(s) > 0 {
		c.notify(evStream, "xtrim", key)
	}
	c.server.signalStreamReady(c, key)
}

// signalStreamReady queues key, a stream that got entries, for the
// clients blocked on it (Redis's signalKeyAsReady at the end of XADD): a
// stream that already existed is not reported by the keyspace's OnReady,
// which tells only of keys that come to hold a stream. tx holds the key.
func (s *Server) signalStreamReady(c *client, key []byte) {
	if s.blocking.waiters.Load() == 0 {
		return // signal's own check, before the key is copied into a string
	}
	s.blocking.signal(c.dbIndex, string(key))
}

// XRANGE key start end [COUNT count]
func cmdXRange(c *client, args [][]byte) { c.xrange(args, false) }

// XREVRANGE key end start [COUNT count]
func cmdXRevRange(c *client, args [][]byte) { c.xrange(args, true) }

// xrange is xrangeGenericCommand.
func (c *client) xrange(args [][]byte, rev bool) {
	startArg, endArg := args[2], args[3]
	if rev {
		startArg, endArg = endArg, startArg
	}
	start, startEx, ok := c.parseIntervalID(startArg, 0)
	if !ok {
		return
	}
	if startEx {
		if start, ok = start.Next(); !ok {
			c.conn.WriteError(errXStartInterval)
			return
		}
	}
	end, endEx, ok := c.parseIntervalID(endArg, ^uint64(0))
	if !ok {
		return
	}
	if endEx {
		if end, ok = end.Prev(); !ok {
			c.conn.WriteError(errXEndInterval)
			return
		}
	}
	count := int64(-1)
	for j := 4; j < len(args); j++ {
		if is(args[j], "count") && j+1 < len(args) {
			n, ok := parseInt(args[j+1])
			if !ok {
				c.conn.WriteError(errNotInteger)
				return
			}
			count = max(n, 0)
			j++
		} else {
			c.conn.WriteError(errSyntax)
			return
		}
	}
	tx := c.db().Read(args[1])
	defer tx.Close()
	s, ok := c.readStream(&tx, args[1])
	switch {
	case !ok:
	case s == nil:
		c.conn.WriteArrayLen(0)
	case count == 0:
		c.conn.WriteNullArray()
	default:
		c.writeStreamRange(s, start, end, max(count, 0), rev)
	}
}

// XLEN key
func cmdXLen(c *client, args [][]byte) {
	tx := c.db().Read(args[1])
	defer tx.Close()
	if s, ok := c.readStream(&tx, args[1]); ok {
		n := 0
		if s != nil {
			n = s.Len()
		}
		c.conn.WriteInt(int64(n))
	}
}

// XDEL key id [id ...]
func cmdXDel(c *client, args [][]byte) {
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	s, err := tx.MutableStream(key, false)
	if err != nil {
		c.conn.WriteError(errWrongType)
		return
	}
	if s == nil {
		c.conn.WriteInt(0)
		return
	}
	// Every ID is checked before any entry goes, as Redis does.
	ids := make([]db.StreamID, len(args)-2)
	for j, arg := range args[2:] {
		var ok bool
		if ids[j], ok = c.parseStreamID(arg, true, 0); !ok {
			return
		}
	}
	deleted := 0
	for _, id := range ids {
		if s.Delete(id) {
			deleted++
		}
	}
	if deleted > 0 {
		c.notify(evStream, "xdel", key)
		c.server.dirty.Add(int64(deleted))
	}
	c.conn.WriteInt(int64(deleted))
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
func cmdXTrim(c *client, args [][]byte) {
	a, i := c.parseAddTrimArgs(args, false)
	if i < 0 {
		return
	}
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	s, err := tx.MutableStream(key, false)
	if err != nil {
		c.conn.WriteError(errWrongType)
		return
	}
	if s == nil {
		c.conn.WriteInt(0)
		return
	}
	deleted := a.trim(s)
	if deleted > 0 {
		c.notify(evStream, "xtrim", key)
		c.server.dirty.Add(deleted)
	}
	c.conn.WriteInt(deleted)
}

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
func cmdXSetID(c *client, args [][]byte) {
	id, ok := c.parseStreamID(args[2], true, 0)
	if !ok {
		return
	}
	entriesAdded := int64(-1)
	var maxDel db.StreamID
	for i := 3; i < len(args); i += 2 {
		moreArgs := len(args) - 1 - i
		switch {
		case is(args[i], "entriesadded") && moreArgs > 0:
			n, ok := parseInt(args[i+1])
			if !ok {
				c.conn.WriteError(errNotInteger)
				return
			}
			if n < 0 {
				c.conn.WriteError(errXSetIDEntries)
				return
			}
			entriesAdded = n
		case is(args[i], "maxdeletedid") && moreArgs > 0:
			if maxDel, ok = c.parseStreamID(args[i+1], true, 0); !ok {
				return
			}
			if id.Less(maxDel) {
				c.conn.WriteError(errXSetIDMaxDelArg)
				return
			}
		default:
			c.conn.WriteError(errSyntax)
			return
		}
	}
	key := args[1]
	tx := c.db().Write(key)
	defer tx.Close()
	s, err := tx.MutableStream(key, false)
	switch {
	case err != nil:
		c.conn.WriteError(errWrongType)
		return
	case s == nil:
		c.conn.WriteError(errNoSuchKey)
		return
	}
	if s.Len() > 0 {
		if id.Less(s.LastValidID()) {
			c.conn.WriteError(errXSetIDTop)
			return
		}
		if entriesAdded != -1 && int64(s.Len()) > entriesAdded {
			c.conn.WriteError(errXSetIDLength)
			return
		}
	}
	s.SetLastID(id, entriesAdded, maxDel)
	c.conn.WriteOK()
	c.notify(evStream, "xsetid", key)
	c.server.dirty.Add(1)
}

// xreadDefaultCount is the COUNT a blocked XREAD without one is served
// with (XREAD_BLOCKED_DEFAULT_COUNT).
const xreadDefaultCount = 1000

// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
func cmdXRead(c *client, args [][]byte) {
	r, ok := c.parseXReadArgs(args, false)
	if !ok {
		return
	}
	timeout, count, keys, idArgs := r.timeout, r.count, r.keys, r.ids
	n := len(keys)
	// A read that may block looks under a write KeyLock, in which it
	// registers (see block.go).
	var tx db.KeyLock
	if timeout == -1 || c.exclusiveHeld {
		tx = c.db().Read(keys...)
	} else {
		tx = c.db().Write(keys...)
	}
	defer tx.Close()
	ids := make([]db.StreamID, n)
	for i, arg := range idArgs {
		s, ok := c.readStream(&tx, keys[i])
		if !ok {
			return
		}
		switch string(arg) {
		case "$":
			if s != nil {
				ids[i] = s.LastID()
			}
			continue
		case ">":
			c.conn.WriteError(errXReadGT)
			return
		}
		if ids[i], ok = c.parseStreamID(arg, true, 0); !ok {
			return
		}
	}
	if c.xreadServe(&tx, keys, ids, count) {
		return
	}
	if timeout == -1 || c.exclusiveHeld {
		// No BLOCK, or inside EXEC, which cannot wait: a null, as on a
		// timeout, even with BLOCK 0.
		c.conn.WriteNullArray()
		return
	}
	c.xreadBlock(keys, ids, count, timeout)
}

// xreadArgs are the arguments XREAD and XREADGROUP share, parsed.
type xreadArgs struct {
	timeout         int64 // BLOCK milliseconds; -1 without BLOCK
	count           int64 // COUNT; 0 for no limit
	keys, ids       [][]byte
	group, consumer []byte // XREADGROUP's GROUP
	noack           bool
}

// parseXReadArgs parses the options of XREAD, or of XREADGROUP if group,
// as Redis's xreadCommand does for both, and writes the error reply if they
// are wrong.
func (c *client) parseXReadArgs(args [][]byte, group bool) (r xreadArgs, ok bool) {
	r.timeout = -1
	streamsArg := 0
	for i := 1; i < len(args); i++ {
		moreArgs := len(args) - i - 1
		switch {
		case is(args[i], "block") && moreArgs > 0:
			i++
			n, ok := parseInt(args[i])
			if !ok {
				c.conn.WriteError(errTimeoutNotInt)
				return r, false
			}
			if n < 0 {
				c.conn.WriteError(errTimeoutNegative)
				return r, false
			}
			r.timeout = n
		case is(args[i], "count") && moreArgs > 0:
			i++
			n, ok := parseInt(args[i])
			if !ok {
				c.conn.WriteError(errNotInteger)
				return r, false
			}
			r.count = max(n, 0)
		case is(args[i], "streams") && moreArgs > 0:
			streamsArg = i + 1
			if (len(args)-streamsArg)%2 != 0 {
				c.conn.WriteError(errXReadBalance)
				return r, false
			}
			i = len(args)
		case is(args[i], "group") && moreArgs >= 2:
			if !group {
				c.conn.WriteError(errXReadGroupOpt)
				return r, false
			}
			r.group, r.consumer = args[i+1], args[i+2]
			i += 2
		case is(args[i], "noack"):
			if !group {
				c.conn.WriteError(errXReadNoAck)
				return r, false
			}
			r.noack = true
		default:
			c.conn.WriteError(errSyntax)
			return r, false
		}
	}
	if streamsArg == 0 {
		c.conn.WriteError(errSyntax)
		return r, false
	}
	if group && r.group == nil {
		c.conn.WriteError("ERR Missing GROUP option for XREADGROUP")
		return r, false
	}
	n := (len(args) - streamsArg) / 2
	r.keys, r.ids = args[streamsArg:streamsArg+n], args[streamsArg+n:]
	return r, true
}

// xreadServe writes the reply of an XREAD that finds entries after ids[i]
// in some keys[i], and reports whether it did; it writes nothing if none
// has. As Redis, it looks every key up again.
func (c *client) xreadServe(tx *db.KeyLock, keys [][]byte, ids []db.StreamID, count int64) bool {
	ready := make([]*db.Stream, len(keys))
	n := 0
	for i, k := range keys {
		v := c.lookupRead(tx, k)
		s, _ := v.(*db.Stream)
		if s == nil || s.Len() == 0 || !ids[i].Less(s.LastValidID()) {
			continue
		}
		ready[i] = s
		n++
	}
	if n == 0 {
		return false
	}
	if c.resp3() {
		c.conn.WriteMapLen(n)
	} else {
		c.conn.WriteArrayLen(n)
	}
	for i, s := range ready {
		if s == nil {
			continue
		}
		if !c.resp3() {
			c.conn.WriteArrayLen(2)
		}
		c.conn.WriteBulk(keys[i])
		start, _ := ids[i].Next()
		c.writeStreamRange(s, start, db.MaxStreamID, count, false)
	}
	return true
}

// Blocked XREAD. A client that finds no entries after its IDs and asked
// to BLOCK waits (block.go) with a streamWait; an XADD (or any command
// making the key hold a stream: RENAME, RESTORE...) queues the key as
// ready, and serveStreamKey then serves, in the order they blocked, every
// client whose ID for the key is below the stream's last ID, as Redis's
// serveClientsBlockedOnStreamKey does.

// streamWait is what a client blocked on streams waits for.
type streamWait struct {
	// ids holds, for each key, the ID after which entries are wanted.
	ids map[string]db.StreamID
	// count bounds the entries replied, xreadDefaultCount if not given.
	count int64
	// serve, if set, serves the waiter in place of XREAD's serving, under
	// tx (a write KeyLock over key, a stream): the hook for XREADGROUP,
	// whose serving resolves its group, moves the group's last ID and
	// records pending entries. It returns the outcome to hand the waiter,
	// and false to leave it waiting (nothing new for it). It must not
	// claim or settle the waiter.
	serve func(tx *db.KeyLock, key []byte, st *db.Stream, w *waiter) (blockOutcome, bool)
}

// streamReplyEntry is one entry of a blocked XREAD's reply. Its pairs are
// the stream's own arrays, which no change writes to.
type streamReplyEntry struct {
	id db.StreamID
	kv [][]byte
}

// xreadBlock blocks c on keys for timeout milliseconds (0: forever),
// waiting for entries after ids. It is called under the write KeyLock
// over keys in which XREAD found nothing, so an XADD comes either before
// (and XREAD found its entry) or after the registration (and serves it).
func (c *client) xreadBlock(keys [][]byte, ids []db.StreamID, count, timeout int64) {
	var deadline int64
	if timeout > 0 {
		now := c.server.keyspaceMillis()
		deadline = math.MaxInt64
		if timeout <= math.MaxInt64-now {
			deadline = now + timeout
		}
	}
	w := &streamWait{ids: make(map[string]db.StreamID, len(keys)), count: count}
	if w.count == 0 {
		w.count = xreadDefaultCount
	}
	for i, k := range keys {
		// A key named twice waits for the ID given first, as Redis's
		// blockForKeys keeps the first.
		if _, dup := w.ids[string(k)]; !dup {
			w.ids[string(k)] = ids[i]
		}
	}
	c.block(blockReq{op: opXRead, stream: w}, keys, deadline)
}

// serveStreamKey serves the clients blocked on bk, if it holds a stream,
// and reports whether it does (serveClientsBlockedOnStreamKey): each, in
// the order they blocked, whose ID for the key is below the stream's last
// ID gets the entries after it (or what its streamWait.serve gives).
func (s *Server) serveStreamKey(bk blockKey, into *effects) bool {
	key := []byte(bk.key)
	tx := s.store.DB(bk.db).Write(key)
	st, err := tx.MutableStream(key, false)
	if err != nil || st == nil {
		tx.Close()
		s.unblockGroupReaders(bk)
		return err == nil // a missing key holds no list either
	}
	type settled struct {
		w   *waiter
		out blockOutcome
	}
	var done []settled
	for _, w := range s.blocking.waiting(bk) {
		if w.op != opXRead {
			continue
		}
		var out blockOutcome
		if w.stream.serve != nil {
			var ok bool
			if out, ok = w.stream.serve(&tx, key, st, w); !ok {
				continue
			}
		} else {
			gt := w.stream.ids[bk.key]
			if !gt.Less(st.LastID()) {
				continue
			}
			out = blockOutcome{key: bk.key}
			start, _ := gt.Next()
			st.Range(start, db.MaxStreamID, false, func(id db.StreamID, kv [][]byte) bool {
				out.entries = append(out.entries, streamReplyEntry{id, kv})
				return int64(len(out.entries)) < w.stream.count
			})
		}
		if s.blocking.claim(w) {
			done = append(done, settled{w, out})
			for _, e := range out.effects {
				into.propagateServed(bk.db, e)
			}
		}
	}
	tx.Close()
	for _, d := range done {
		d.w.settle(d.out)
	}
	return true
}

// writeXReadBlocked writes the reply of a served XREAD: the one key with
// its entries, in a map in RESP3.
func (c *client) writeXReadBlocked(out blockOutcome) {
	if c.resp3() {
		c.conn.WriteMapLen(1)
	} else {
		c.conn.WriteArrayLen(1)
		c.conn.WriteArrayLen(2)
	}
	c.conn.WriteBulkString(out.key)
	c.conn.WriteArrayLen(len(out.entries))
	for _, e := range out.entries {
		c.writeStreamEntry(e.id, e.kv)
	}
}
