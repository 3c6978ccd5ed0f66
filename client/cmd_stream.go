package client

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/mini-redis/mini-redis/frame"
)

// An XMessage is a stream entry.
type XMessage struct {
	// ID is the entry's ID, such as "1700000000000-0".
	ID string
	// Fields holds the entry's fields and values, alternately, in order.
	// It is nil for an entry that XREADGROUP reads from a consumer's
	// history after it was deleted.
	Fields []string
}

// XAdd appends an entry of fields and values, given alternately, to the
// stream at key, with the ID id ("*" for one the server chooses), and
// returns its ID.
func (c Commands) XAdd(ctx context.Context, key, id string, fieldValues ...any) *Result[string] {
	return c.XAddArgs(ctx, key, XAddOptions{ID: id}, fieldValues...)
}

// XAddOptions are XADD's options.
type XAddOptions struct {
	// ID is the new entry's ID; empty or "*" lets the server choose one.
	ID string
	// NoMkStream adds nothing, and makes XAddArgs return Nil, if the
	// stream does not exist (NOMKSTREAM).
	NoMkStream bool
	// Trim, if not nil, trims the stream as XTrim does, in the same call.
	Trim *XTrimOptions
}

// XAddArgs is XAdd with options: trimming and NOMKSTREAM.
func (c Commands) XAddArgs(ctx context.Context, key string, opts XAddOptions, fieldValues ...any) *Result[string] {
	args := make([]any, 0, 8+len(fieldValues))
	args = append(args, "XADD", key)
	if opts.NoMkStream {
		args = append(args, "NOMKSTREAM")
	}
	if opts.Trim != nil {
		args = opts.Trim.args(args)
	}
	id := opts.ID
	if id == "" {
		id = "*"
	}
	args = append(append(args, id), fieldValues...)
	return run(ctx, c, newResult("XADD", textReply, true), args...)
}

// XTrimOptions say how to trim a stream, by length or by ID.
type XTrimOptions struct {
	// MinID, if not empty, evicts the entries with smaller IDs (MINID);
	// otherwise the stream keeps at most MaxLen entries (MAXLEN), 0
	// emptying it.
	MinID  string
	MaxLen int64
	// Approx lets the server trim less, for speed, in whole nodes (~).
	Approx bool
	// Limit, if positive, caps how many entries an approximate trim
	// evicts (LIMIT).
	Limit int64
}

func (o *XTrimOptions) args(args []any) []any {
	if o.MinID != "" {
		args = append(args, "MINID")
	} else {
		args = append(args, "MAXLEN")
	}
	if o.Approx {
		args = append(args, "~")
	}
	if o.MinID != "" {
		args = append(args, o.MinID)
	} else {
		args = append(args, o.MaxLen)
	}
	if o.Limit > 0 {
		args = append(args, "LIMIT", o.Limit)
	}
	return args
}

// XTrim trims the stream at key as opts say and returns how many entries
// it evicted.
func (c Commands) XTrim(ctx context.Context, key string, opts XTrimOptions) *IntResult {
	return run(ctx, c, intResult("XTRIM"), opts.args([]any{"XTRIM", key})...)
}

// XDel deletes the entries with ids from the stream at key and returns
// how many existed.
func (c Commands) XDel(ctx context.Context, key string, ids ...string) *IntResult {
	return run(ctx, c, intResult("XDEL"), withKeys("XDEL", append([]string{key}, ids...))...)
}

// XLen returns the number of entries of the stream at key.
func (c Commands) XLen(ctx context.Context, key string) *IntResult {
	return run(ctx, c, intResult("XLEN"), "XLEN", key)
}

// XRange returns the entries of the stream at key with IDs from start to
// end, inclusive ("-" and "+" for the ends of the stream; "(" before an
// ID excludes it).
func (c Commands) XRange(ctx context.Context, key, start, end string) *Result[[]XMessage] {
	return run(ctx, c, newResult("XRANGE", xMessages, false), "XRANGE", key, start, end)
}

// XRangeN is XRange returning at most count entries.
func (c Commands) XRangeN(ctx context.Context, key, start, end string, count int64) *Result[[]XMessage] {
	return run(ctx, c, newResult("XRANGE", xMessages, false), "XRANGE", key, start, end, "COUNT", count)
}

// XRevRange is XRange in reverse order, from end down to start.
func (c Commands) XRevRange(ctx context.Context, key, end, start string) *Result[[]XMessage] {
	return run(ctx, c, newResult("XREVRANGE", xMessages, false), "XREVRANGE", key, end, start)
}

// XRevRangeN is XRevRange returning at most count entries.
func (c Commands) XRevRangeN(ctx context.Context, key, end, start string, count int64) *Result[[]XMessage] {
	return run(ctx, c, newResult("XREVRANGE", xMessages, false), "XREVRANGE", key, end, start, "COUNT", count)
}

func xMessages(cmd string, f frame.Frame, err error) ([]XMessage, error) {
	if err != nil {
		return nil, err
	}
	if f.Type != frame.Array {
		return nil, unexpected(cmd, f)
	}
	out := make([]XMessage, len(f.Elems))
	for i, e := range f.Elems {
		m, err := xMessage(cmd, e)
		if err != nil {
			return nil, err
		}
		out[i] = m
	}
	return out, nil
}

// xMessage converts an entry, [id, [field, value, ...]]; the fields are
// nil for a deleted entry still pending in a group.
func xMessage(cmd string, e frame.Frame) (XMessage, error) {
	if e.Type != frame.Array || len(e.Elems) != 2 {
		return XMessage{}, unexpected(cmd, e)
	}
	m := XMessage{ID: e.Elems[0].Text()}
	if e.Elems[1].IsNull() {
		return m, nil
	}
	fields, err := stringsReply(cmd, e.Elems[1], nil)
	if err != nil {
		return XMessage{}, err
	}
	m.Fields = fields
	return m, nil
}

// An XStream is a stream's entries, as XREAD and XREADGROUP return them.
type XStream struct {
	Stream   string
	Messages []XMessage
}

// BlockForever, as XReadOptions.Block, waits for entries until ctx ends
// (BLOCK 0).
const BlockForever time.Duration = -1

// XReadOptions are XREAD's and XREADGROUP's options.
type XReadOptions struct {
	// Count, if positive, caps the entries returned per stream (COUNT).
	Count int64
	// Block, if positive, waits up to this long for an entry when there
	// is none (BLOCK), with millisecond precision; BlockForever waits
	// until ctx ends; 0 does not wait. The read timeout (WithReadTimeout)
	// is extended by Block, and does not apply to BlockForever. As for
	// BLPop, ctx's end interrupts the wait and closes the connection.
	Block time.Duration
	// NoAck, for XReadGroup only, does not add the entries to the
	// group's pending entries (NOACK).
	NoAck bool
}

// errXReadStreams refuses an odd number of XREAD stream arguments.
var errXReadStreams = errors.New("client: XREAD streams must be keys followed by as many IDs")

// XRead reads entries from streams, given as after STREAMS: the keys,
// then an ID for each, the entries after which are returned ("0" for all,
// "$" for those added from now on, when blocking). It returns Nil if no
// stream has entries, after waiting as opts.Block says.
func (c Commands) XRead(ctx context.Context, opts XReadOptions, streams ...string) *Result[[]XStream] {
	return c.xread(ctx, []any{"XREAD"}, "XREAD", opts, streams)
}

// XReadGroup reads entries from streams as consumer of group; streams are
// as for XRead, with ">" for the entries never delivered to the group and
// an ID for the consumer's pending entries after it.
func (c Commands) XReadGroup(ctx context.Context, group, consumer string, opts XReadOptions, streams ...string) *Result[[]XStream] {
	args := []any{"XREADGROUP", "GROUP", group, consumer}
	if opts.NoAck {
		args = append(args, "NOACK")
	}
	return c.xread(ctx, args, "XREADGROUP", opts, streams)
}

func (c Commands) xread(ctx context.Context, args []any, cmd string, opts XReadOptions, streams []string) *Result[[]XStream] {
	r := newResult(cmd, xStreams, true)
	if len(streams) == 0 || len(streams)%2 != 0 {
		return fail(c, r, errXReadStreams)
	}
	if opts.Count > 0 {
		args = append(args, "COUNT", opts.Count)
	}
	var block time.Duration
	switch {
	case opts.Block == BlockForever:
		args = append(args, "BLOCK", 0)
		block = -1 // only ctx ends the wait
	case opts.Block > 0:
		args = append(args, "BLOCK", formatMillis(opts.Block))
		block = opts.Block
	}
	args = append(args, "STREAMS")
	for _, s := range streams {
		args = append(args, s)
	}
	return runBlocking(ctx, c, block, r, args...)
}

// xStreams converts the reply of XREAD and XREADGROUP: RESP3 maps each
// key to its entries, RESP2 has [key, entries] pairs. A nil is Nil.
func xStreams(cmd string, f frame.Frame, err error) ([]XStream, error) {
	if err != nil {
		return nil, err
	}
	if f.IsNull() {
		return nil, Nil
	}
	var out []XStream
	add := func(key, entries frame.Frame) error {
		ms, err := xMessages(cmd, entries, nil)
		if err != nil {
			return err
		}
		out = append(out, XStream{Stream: key.Text(), Messages: ms})
		return nil
	}
	switch f.Type {
	case frame.Map:
		for i := 0; i+1 < len(f.Elems); i += 2 {
			if err := add(f.Elems[i], f.Elems[i+1]); err != nil {
				return nil, err
			}
		}
	case frame.Array:
		for _, p := range f.Elems {
			if p.Type != frame.Array || len(p.Elems) != 2 {
				return nil, unexpected(cmd, f)
			}
			if err := add(p.Elems[0], p.Elems[1]); err != nil {
				return nil, err
			}
		}
	default:
		return nil, unexpected(cmd, f)
	}
	return out, nil
}

// XAck removes ids from the pending entries of group on the stream at key
// and returns how many were pending.
func (c Commands) XAck(ctx context.Context, key, group string, ids ...string) *IntResult {
	return run(ctx, c, intResult("XACK"), withKeys("XACK", append([]string{key, group}, ids...))...)
}

// XGroupCreate creates group on the stream at key, delivering the entries
// after id ("$" for those added from now on, "0" for all). mkStream
// creates an empty stream if there is none (MKSTREAM); without it a
// missing stream is an Error. A group that exists is a BUSYGROUP Error.
func (c Commands) XGroupCreate(ctx context.Context, key, group, id string, mkStream bool) *StatusResult {
	return c.XGroupCreateArgs(ctx, key, group, id, XGroupCreateOptions{MkStream: mkStream})
}

// XGroupCreateOptions are the options of XGROUP CREATE.
type XGroupCreateOptions struct {
	// MkStream creates an empty stream if there is none (MKSTREAM).
	MkStream bool
	// EntriesRead, if not nil, sets the group's entries-read counter
	// (ENTRIESREAD), from which XINFO GROUPS computes its lag; -1 means
	// unknown. Redis 7 or later.
	EntriesRead *int64
}

// XGroupCreateArgs is XGroupCreate with all of XGROUP CREATE's options.
func (c Commands) XGroupCreateArgs(ctx context.Context, key, group, id string, opts XGroupCreateOptions) *StatusResult {
	args := []any{"XGROUP", "CREATE", key, group, id}
	if opts.MkStream {
		args = append(args, "MKSTREAM")
	}
	if opts.EntriesRead != nil {
		args = append(args, "ENTRIESREAD", *opts.EntriesRead)
	}
	return run(ctx, c, statusResult("XGROUP CREATE"), args...)
}

// XGroupDestroy deletes group from the stream at key, with its consumers
// and pending entries, and reports whether it existed.
func (c Commands) XGroupDestroy(ctx context.Context, key, group string) *BoolResult {
	return run(ctx, c, boolResult("XGROUP DESTROY"), "XGROUP", "DESTROY", key, group)
}

// XGroupSetID sets the last delivered ID of group on the stream at key
// ("$" for the stream's last entry).
func (c Commands) XGroupSetID(ctx context.Context, key, group, id string) *StatusResult {
	return run(ctx, c, statusResult("XGROUP SETID"), "XGROUP", "SETID", key, group, id)
}

// XGroupSetIDEntriesRead is XGroupSetID also setting the group's
// entries-read counter (ENTRIESREAD; -1 for unknown). Redis 7 or later.
func (c Commands) XGroupSetIDEntriesRead(ctx context.Context, key, group, id string, entriesRead int64) *StatusResult {
	return run(ctx, c, statusResult("XGROUP SETID"), "XGROUP", "SETID", key, group, id, "ENTRIESREAD", entriesRead)
}

// XGroupCreateConsumer adds consumer to group on the stream at key and
// reports whether it is new.
func (c Commands) XGroupCreateConsumer(ctx context.Context, key, group, consumer string) *BoolResult {
	return run(ctx, c, boolResult("XGROUP CREATECONSUMER"), "XGROUP", "CREATECONSUMER", key, group, consumer)
}

// XGroupDelConsumer removes consumer from group on the stream at key and
// returns how many entries it had pending, which are no longer pending.
func (c Commands) XGroupDelConsumer(ctx context.Context, key, group, consumer string) *IntResult {
	return run(ctx, c, intResult("XGROUP DELCONSUMER"), "XGROUP", "DELCONSUMER", key, group, consumer)
}

// XPendingSummary is the summary form of XPENDING: a group's pending
// entries.
type XPendingSummary struct {
	// Count is the number of pending entries; Lower and Higher are the
	// smallest and greatest of their IDs, empty when there are none.
	Count         int64
	Lower, Higher string
	// Consumers maps each consumer with pending entries to their number.
	Consumers map[string]int64
}

// XPending returns the summary of group's pending entries on the stream
// at key.
func (c Commands) XPending(ctx context.Context, key, group string) *Result[*XPendingSummary] {
	return run(ctx, c, newResult("XPENDING", xPendingSummary, true), "XPENDING", key, group)
}

// xPendingSummary converts the summary form of XPENDING's reply: [count,
// lower, higher, [[consumer, count], ...]].
func xPendingSummary(cmd string, f frame.Frame, err error) (*XPendingSummary, error) {
	if err != nil {
		return nil, err
	}
	if f.Type != frame.Array || len(f.Elems) != 4 || f.Elems[0].Type != frame.Integer {
		return nil, unexpected(cmd, f)
	}
	s := &XPendingSummary{
		Count:     f.Elems[0].Int,
		Lower:     f.Elems[1].Text(),
		Higher:    f.Elems[2].Text(),
		Consumers: map[string]int64{},
	}
	for _, p := range f.Elems[3].Elems {
		if p.Type != frame.Array || len(p.Elems) != 2 {
			return nil, unexpected(cmd, f)
		}
		n, err := intOf(cmd, p.Elems[1])
		if err != nil {
			return nil, err
		}
		s.Consumers[p.Elems[0].Text()] = n
	}
	return s, nil
}

// XPendingOptions select the pending entries XPendingExt returns.
type XPendingOptions struct {
	// Start and End bound the IDs, inclusive ("-" and "+" for all).
	Start, End string
	// Count caps the entries returned.
	Count int64
	// Consumer, if not empty, keeps only that consumer's entries.
	Consumer string
	// Idle, if positive, keeps only the entries not delivered for at
	// least this long (IDLE).
	Idle time.Duration
}

// An XPendingEntry is a pending entry, as the extended XPENDING reports it.
type XPendingEntry struct {
	ID       string
	Consumer string
	// Idle is the time since the entry was last delivered.
	Idle time.Duration
	// Deliveries is how many times it was delivered.
	Deliveries int64
}

// XPendingExt returns the pending entries of group on the stream at key
// that opts select, the extended form of XPENDING.
func (c Commands) XPendingExt(ctx context.Context, key, group string, opts XPendingOptions) *Result[[]XPendingEntry] {
	args := []any{"XPENDING", key, group}
	if opts.Idle > 0 {
		args = append(args, "IDLE", formatMillis(opts.Idle))
	}
	args = append(args, opts.Start, opts.End, opts.Count)
	if opts.Consumer != "" {
		args = append(args, opts.Consumer)
	}
	return run(ctx, c, newResult("XPENDING", xPendingEntries, true), args...)
}

// xPendingEntries converts the extended form of XPENDING's reply: [id,
// consumer, idle, deliveries] for each entry.
func xPendingEntries(cmd string, f frame.Frame, err error) ([]XPendingEntry, error) {
	if err != nil {
		return nil, err
	}
	if f.Type != frame.Array {
		return nil, unexpected(cmd, f)
	}
	out := make([]XPendingEntry, len(f.Elems))
	for i, e := range f.Elems {
		if e.Type != frame.Array || len(e.Elems) != 4 || e.Elems[2].Type != frame.Integer || e.Elems[3].Type != frame.Integer {
			return nil, unexpected(cmd, f)
		}
		out[i] = XPendingEntry{
			ID:         e.Elems[0].Text(),
			Consumer:   e.Elems[1].Text(),
			Idle:       time.Duration(e.Elems[2].Int) * time.Millisecond,
			Deliveries: e.Elems[3].Int,
		}
	}
	return out, nil
}

// XClaim gives consumer of group the pending entries ids of the stream at
// key that have been idle for at least minIdle, and returns them; a
// deleted entry is dropped from the pending entries and not returned.
func (c Commands) XClaim(ctx context.Context, key, group, consumer string, minIdle time.Duration, ids ...string) *Result[[]XMessage] {
	return run(ctx, c, newResult("XCLAIM", xMessages, false), xclaimArgs(key, group, consumer, minIdle, ids)...)
}

// XClaimJustID is XClaim returning only the claimed IDs (JUSTID), which
// does not count as a delivery.
func (c Commands) XClaimJustID(ctx context.Context, key, group, consumer string, minIdle time.Duration, ids ...string) *StringsResult {
	return run(ctx, c, stringsResult("XCLAIM"), append(xclaimArgs(key, group, consumer, minIdle, ids), "JUSTID")...)
}

// XClaimOptions are XCLAIM's options beyond the entries and min-idle.
type XClaimOptions struct {
	// Idle, if positive, sets the claimed entries' idle time (IDLE);
	// Time, if not zero, sets their last delivery time instead (TIME).
	Idle time.Duration
	Time time.Time
	// RetryCount, if positive, sets their delivery counts (RETRYCOUNT).
	RetryCount int64
	// Force claims IDs not pending in the group, if the stream has them
	// (FORCE).
	Force bool
	// LastID, if not empty, advances the group's last delivered ID to it
	// (LASTID).
	LastID string
	// JustID returns the IDs only, with the fields left nil, and does not
	// count as a delivery (JUSTID).
	JustID bool
}

// XClaimArgs is XClaim with options.
func (c Commands) XClaimArgs(ctx context.Context, key, group, consumer string, minIdle time.Duration, opts XClaimOptions, ids ...string) *Result[[]XMessage] {
	args := xclaimArgs(key, group, consumer, minIdle, ids)
	if opts.Idle > 0 {
		args = append(args, "IDLE", formatMillis(opts.Idle))
	}
	if !opts.Time.IsZero() {
		args = append(args, "TIME", opts.Time.UnixMilli())
	}
	if opts.RetryCount > 0 {
		args = append(args, "RETRYCOUNT", opts.RetryCount)
	}
	if opts.Force {
		args = append(args, "FORCE")
	}
	if opts.JustID {
		args = append(args, "JUSTID")
	}
	if opts.LastID != "" {
		args = append(args, "LASTID", opts.LastID)
	}
	if opts.JustID {
		return run(ctx, c, newResult("XCLAIM", idMessages, true), args...)
	}
	return run(ctx, c, newResult("XCLAIM", xMessages, true), args...)
}

// idMessages converts an array of IDs to entries without their fields.
func idMessages(cmd string, f frame.Frame, err error) ([]XMessage, error) {
	claimed, err := stringsReply(cmd, f, err)
	if err != nil {
		return nil, err
	}
	out := make([]XMessage, len(claimed))
	for i, id := range claimed {
		out[i].ID = id
	}
	return out, nil
}

func xclaimArgs(key, group, consumer string, minIdle time.Duration, ids []string) []any {
	args := make([]any, 0, 6+len(ids))
	args = append(args, "XCLAIM", key, group, consumer, minIdle.Milliseconds())
	for _, id := range ids {
		args = append(args, id)
	}
	return args
}

// XAutoClaimed is what XAUTOCLAIM returns: the ID to scan from next
// ("0-0" once the scan is complete), the claimed entries, and the IDs of
// deleted entries it dropped from the pending entries.
type XAutoClaimed struct {
	Next     string
	Messages []XMessage
	Deleted  []string
}

// XAutoClaimedIDs is what XAUTOCLAIM JUSTID returns: XAutoClaimed with
// the claimed IDs only.
type XAutoClaimedIDs struct {
	Next    string
	IDs     []string
	Deleted []string
}

// XAutoClaim claims for consumer of group up to count (0: the server's
// default, 100) pending entries of the stream at key idle for at least
// minIdle, scanning from the ID start. It returns the ID to scan from
// next ("0-0" once the scan is complete), the claimed entries, and the
// IDs of deleted entries it dropped from the pending entries.
func (c Commands) XAutoClaim(ctx context.Context, key, group, consumer string, minIdle time.Duration, start string, count int64) *Result[XAutoClaimed] {
	return run(ctx, c, newResult("XAUTOCLAIM", xAutoClaimed, true), xautoclaimArgs(key, group, consumer, minIdle, start, count)...)
}

// XAutoClaimJustID is XAutoClaim returning only the claimed IDs (JUSTID).
func (c Commands) XAutoClaimJustID(ctx context.Context, key, group, consumer string, minIdle time.Duration, start string, count int64) *Result[XAutoClaimedIDs] {
	return run(ctx, c, newResult("XAUTOCLAIM", xAutoClaimedIDs, true), append(xautoclaimArgs(key, group, consumer, minIdle, start, count), "JUSTID")...)
}

// xAutoClaimed converts XAUTOCLAIM's reply: [next, entries, deleted].
func xAutoClaimed(cmd string, f frame.Frame, err error) (XAutoClaimed, error) {
	next, claimed, deleted, err := xAutoClaimParts(cmd, f, err)
	if err != nil {
		return XAutoClaimed{}, err
	}
	msgs, err := xMessages(cmd, claimed, nil)
	if err != nil {
		return XAutoClaimed{}, err
	}
	return XAutoClaimed{Next: next, Messages: msgs, Deleted: deleted}, nil
}

// xAutoClaimedIDs converts XAUTOCLAIM JUSTID's reply: [next, ids,
// deleted].
func xAutoClaimedIDs(cmd string, f frame.Frame, err error) (XAutoClaimedIDs, error) {
	next, claimed, deleted, err := xAutoClaimParts(cmd, f, err)
	if err != nil {
		return XAutoClaimedIDs{}, err
	}
	ids, err := stringsReply(cmd, claimed, nil)
	if err != nil {
		return XAutoClaimedIDs{}, err
	}
	return XAutoClaimedIDs{Next: next, IDs: ids, Deleted: deleted}, nil
}

// xAutoClaimParts splits XAUTOCLAIM's reply into the next ID, the claimed
// part, undecoded, and the deleted IDs.
func xAutoClaimParts(cmd string, f frame.Frame, err error) (next string, claimed frame.Frame, deleted []string, _ error) {
	if err != nil {
		return "", frame.Frame{}, nil, err
	}
	if f.Type != frame.Array || len(f.Elems) != 3 {
		return "", frame.Frame{}, nil, unexpected(cmd, f)
	}
	if deleted, err = stringsReply(cmd, f.Elems[2], nil); err != nil {
		return "", frame.Frame{}, nil, err
	}
	return f.Elems[0].Text(), f.Elems[1], deleted, nil
}

func xautoclaimArgs(key, group, consumer string, minIdle time.Duration, start string, count int64) []any {
	args := []any{"XAUTOCLAIM", key, group, consumer, minIdle.Milliseconds(), start}
	if count > 0 {
		args = append(args, "COUNT", count)
	}
	return args
}

// XInfoStream is what XINFO STREAM reports of a stream.
type XInfoStream struct {
	XStreamState
	Groups int64
	// FirstEntry and LastEntry are nil for an empty stream.
	FirstEntry, LastEntry *XMessage
}

// XStreamState is what XINFO STREAM reports of a stream, with or without
// FULL.
type XStreamState struct {
	Length               int64
	RadixTreeKeys        int64
	RadixTreeNodes       int64
	LastGeneratedID      string
	MaxDeletedEntryID    string
	EntriesAdded         int64
	RecordedFirstEntryID string
}

// setField sets the field XINFO STREAM calls name, if it is one of s's,
// and reports whether it was.
func (s *XStreamState) setField(cmd, name string, v frame.Frame) (bool, error) {
	var err error
	switch name {
	case "length":
		s.Length, err = intOf(cmd, v)
	case "radix-tree-keys":
		s.RadixTreeKeys, err = intOf(cmd, v)
	case "radix-tree-nodes":
		s.RadixTreeNodes, err = intOf(cmd, v)
	case "entries-added":
		s.EntriesAdded, err = intOf(cmd, v)
	case "last-generated-id":
		s.LastGeneratedID = v.Text()
	case "max-deleted-entry-id":
		s.MaxDeletedEntryID = v.Text()
	case "recorded-first-entry-id":
		s.RecordedFirstEntryID = v.Text()
	default:
		return false, nil
	}
	return true, err
}

// XInfoStream describes the stream at key.
func (c Commands) XInfoStream(ctx context.Context, key string) *Result[*XInfoStream] {
	return run(ctx, c, newResult("XINFO STREAM", xInfoStream, true), "XINFO", "STREAM", key)
}

// xInfoStream converts XINFO STREAM's reply.
func xInfoStream(cmd string, f frame.Frame, err error) (*XInfoStream, error) {
	if err != nil {
		return nil, err
	}
	var s XInfoStream
	err = eachField(cmd, f, func(name string, v frame.Frame) error {
		if ok, err := s.XStreamState.setField(cmd, name, v); ok {
			return err
		}
		var err error
		switch name {
		case "groups":
			s.Groups, err = intOf(cmd, v)
		case "first-entry":
			s.FirstEntry, err = xMessageOrNil(cmd, v)
		case "last-entry":
			s.LastEntry, err = xMessageOrNil(cmd, v)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// xMessageOrNil converts an entry that may be nil.
func xMessageOrNil(cmd string, f frame.Frame) (*XMessage, error) {
	if f.IsNull() {
		return nil, nil
	}
	m, err := xMessage(cmd, f)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// XInfoGroup is what XINFO GROUPS reports of a consumer group.
type XInfoGroup struct {
	Name            string
	Consumers       int64
	Pending         int64
	LastDeliveredID string
	// EntriesRead is the logical read counter of the group, and Lag the
	// number of entries not yet delivered; each is -1 when the server
	// cannot tell (a nil reply).
	EntriesRead int64
	Lag         int64
}

// XInfoGroups describes the consumer groups of the stream at key.
func (c Commands) XInfoGroups(ctx context.Context, key string) *Result[[]XInfoGroup] {
	return run(ctx, c, newResult("XINFO GROUPS", xInfoGroups, true), "XINFO", "GROUPS", key)
}

// xInfoGroups converts XINFO GROUPS's reply.
func xInfoGroups(cmd string, f frame.Frame, err error) ([]XInfoGroup, error) {
	if err != nil {
		return nil, err
	}
	if f.Type != frame.Array {
		return nil, unexpected(cmd, f)
	}
	out := make([]XInfoGroup, len(f.Elems))
	for i, e := range f.Elems {
		g := XInfoGroup{EntriesRead: -1, Lag: -1}
		err := eachField(cmd, e, func(name string, v frame.Frame) error {
			var err error
			switch name {
			case "name":
				g.Name = v.Text()
			case "consumers":
				g.Consumers, err = intOf(cmd, v)
			case "pending":
				g.Pending, err = intOf(cmd, v)
			case "last-delivered-id":
				g.LastDeliveredID = v.Text()
			case "entries-read":
				if !v.IsNull() {
					g.EntriesRead, err = intOf(cmd, v)
				}
			case "lag":
				if !v.IsNull() {
					g.Lag, err = intOf(cmd, v)
				}
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		out[i] = g
	}
	return out, nil
}

// XInfoConsumer is what XINFO CONSUMERS reports of a consumer.
type XInfoConsumer struct {
	Name    string
	Pending int64
	// Idle is the time since the consumer last read or claimed.
	Idle time.Duration
}

// XInfoConsumers describes the consumers of group on the stream at key.
func (c Commands) XInfoConsumers(ctx context.Context, key, group string) *Result[[]XInfoConsumer] {
	return run(ctx, c, newResult("XINFO CONSUMERS", xInfoConsumers, true), "XINFO", "CONSUMERS", key, group)
}

// xInfoConsumers converts XINFO CONSUMERS's reply.
func xInfoConsumers(cmd string, f frame.Frame, err error) ([]XInfoConsumer, error) {
	if err != nil {
		return nil, err
	}
	if f.Type != frame.Array {
		return nil, unexpected(cmd, f)
	}
	out := make([]XInfoConsumer, len(f.Elems))
	for i, e := range f.Elems {
		var cs XInfoConsumer
		err := eachField(cmd, e, func(name string, v frame.Frame) error {
			var err error
			switch name {
			case "name":
				cs.Name = v.Text()
			case "pending":
				cs.Pending, err = intOf(cmd, v)
			case "idle":
				var ms int64
				ms, err = intOf(cmd, v)
				cs.Idle = time.Duration(ms) * time.Millisecond
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		out[i] = cs
	}
	return out, nil
}

// intOf converts an integer, or a bulk string holding one, as some
// replies nest.
func intOf(cmd string, f frame.Frame) (int64, error) {
	switch f.Type {
	case frame.Integer:
		return f.Int, nil
	case frame.BulkString, frame.SimpleString:
		n, err := strconv.ParseInt(f.Text(), 10, 64)
		if err != nil {
			return 0, unexpected(cmd, f)
		}
		return n, nil
	}
	return 0, unexpected(cmd, f)
}

// XInfoStreamFull is what XINFO STREAM FULL reports of a stream.
type XInfoStreamFull struct {
	XStreamState
	Entries []XMessage
	Groups  []XInfoStreamGroup
}

// XInfoStreamGroup is a consumer group as XINFO STREAM FULL reports it.
type XInfoStreamGroup struct {
	Name            string
	LastDeliveredID string
	// EntriesRead and Lag are as in XInfoGroup: -1 when unknown.
	EntriesRead int64
	Lag         int64
	// PELCount is the number of pending entries; Pending lists them, up to
	// the call's count.
	PELCount  int64
	Pending   []XInfoPending
	Consumers []XInfoStreamConsumer
}

// XInfoStreamConsumer is a consumer as XINFO STREAM FULL reports it.
type XInfoStreamConsumer struct {
	Name string
	// SeenTime is when the consumer last read or claimed.
	SeenTime time.Time
	PELCount int64
	// Pending lists its pending entries, with Consumer empty.
	Pending []XInfoPending
}

// XInfoPending is a pending entry as XINFO STREAM FULL reports it.
type XInfoPending struct {
	ID            string
	Consumer      string
	DeliveryTime  time.Time
	DeliveryCount int64
}

// XInfoStreamFull describes the stream at key in full: up to count (0 for
// all) entries, and for each group up to count pending entries and its
// consumers.
func (c Commands) XInfoStreamFull(ctx context.Context, key string, count int64) *Result[*XInfoStreamFull] {
	return run(ctx, c, newResult("XINFO STREAM FULL", xInfoStreamFull, true), "XINFO", "STREAM", key, "FULL", "COUNT", count)
}

// xInfoStreamFull converts XINFO STREAM FULL's reply.
func xInfoStreamFull(cmd string, f frame.Frame, err error) (*XInfoStreamFull, error) {
	if err != nil {
		return nil, err
	}
	var s XInfoStreamFull
	err = eachField(cmd, f, func(name string, v frame.Frame) error {
		if ok, err := s.XStreamState.setField(cmd, name, v); ok {
			return err
		}
		var err error
		switch name {
		case "entries":
			s.Entries, err = xMessages(cmd, v, nil)
		case "groups":
			if v.Type != frame.Array {
				return unexpected(cmd, v)
			}
			for _, g := range v.Elems {
				grp, err := xinfoFullGroup(g)
				if err != nil {
					return err
				}
				s.Groups = append(s.Groups, grp)
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

func xinfoFullGroup(f frame.Frame) (XInfoStreamGroup, error) {
	const cmd = "XINFO STREAM FULL"
	g := XInfoStreamGroup{EntriesRead: -1, Lag: -1}
	err := eachField(cmd, f, func(name string, v frame.Frame) error {
		var err error
		switch name {
		case "name":
			g.Name = v.Text()
		case "last-delivered-id":
			g.LastDeliveredID = v.Text()
		case "entries-read":
			if !v.IsNull() {
				g.EntriesRead, err = intOf(cmd, v)
			}
		case "lag":
			if !v.IsNull() {
				g.Lag, err = intOf(cmd, v)
			}
		case "pel-count":
			g.PELCount, err = intOf(cmd, v)
		case "pending":
			g.Pending, err = xinfoPending(v, true)
		case "consumers":
			if v.Type != frame.Array {
				return unexpected(cmd, v)
			}
			for _, e := range v.Elems {
				var cs XInfoStreamConsumer
				err := eachField(cmd, e, func(name string, v frame.Frame) error {
					var err error
					switch name {
					case "name":
						cs.Name = v.Text()
					case "seen-time":
						var ms int64
						ms, err = intOf(cmd, v)
						cs.SeenTime = time.UnixMilli(ms)
					case "pel-count":
						cs.PELCount, err = intOf(cmd, v)
					case "pending":
						cs.Pending, err = xinfoPending(v, false)
					}
					return err
				})
				if err != nil {
					return err
				}
				g.Consumers = append(g.Consumers, cs)
			}
		}
		return err
	})
	return g, err
}

// xinfoPending converts XINFO STREAM FULL's pending entries: [id,
// consumer, delivery time, delivery count] for a group, without the
// consumer for a consumer.
func xinfoPending(f frame.Frame, withConsumer bool) ([]XInfoPending, error) {
	const cmd = "XINFO STREAM FULL"
	n := 3
	if withConsumer {
		n = 4
	}
	if f.Type != frame.Array {
		return nil, unexpected(cmd, f)
	}
	out := make([]XInfoPending, len(f.Elems))
	for i, e := range f.Elems {
		if e.Type != frame.Array || len(e.Elems) != n || e.Elems[n-2].Type != frame.Integer || e.Elems[n-1].Type != frame.Integer {
			return nil, unexpected(cmd, f)
		}
		p := XInfoPending{
			ID:            e.Elems[0].Text(),
			DeliveryTime:  time.UnixMilli(e.Elems[n-2].Int),
			DeliveryCount: e.Elems[n-1].Int,
		}
		if withConsumer {
			p.Consumer = e.Elems[1].Text()
		}
		out[i] = p
	}
	return out, nil
}

// eachField calls fn with each name and value of a RESP3 map or a RESP2
// array of alternating names and values, stopping at fn's first error.
func eachField(cmd string, f frame.Frame, fn func(name string, v frame.Frame) error) error {
	kv, err := pairs(cmd, f)
	if err != nil {
		return err
	}
	for i := 0; i < len(kv); i += 2 {
		if err := fn(kv[i].Text(), kv[i+1]); err != nil {
			return err
		}
	}
	return nil
}
