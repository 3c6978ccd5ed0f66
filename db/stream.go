package db

// Streams: the Stream value and its API.
//
// A Stream holds entries, each a StreamID (milliseconds and a sequence
// number) and a list of field-value pairs, in ID order; IDs only grow.
// Besides its entries a stream remembers its last ID (which may be past
// the last entry's, after XDEL or XSETID), the number of entries ever
// added, the greatest ID ever deleted and the first entry's ID, as Redis
// 7.0's stream struct does, and its consumer groups.
//
// The entries are cut into nodes as Redis cuts its listpacks: a node holds
// the entries added while it is the last one, until adding the next would
// make its listpack reach EncodingLimits.StreamNodeMaxBytes or it holds
// StreamNodeMaxEntries entries (live and deleted). A node records the
// size Redis's listpack would have (streamNode.lpBytes), byte for byte,
// because that decides where nodes are cut, and approximate trimming
// (MAXLEN ~, MINID ~) removes whole nodes only: XLEN after it matches
// Redis's only if the nodes do. As in Redis, XDEL and exact trimming mark
// entries deleted inside their node, which keeps their bytes, and a node
// whose live entries are all gone is removed.
//
// The nodes are a slice sorted by their first (master) ID, searched by
// bisection, where Redis uses a radix tree keyed by the same IDs.
//
// Unlike the other collections, a stream is not deleted when it has no
// entries: its last ID and groups remain (XADD ... MAXLEN 0 leaves an
// empty stream, as XGROUP CREATE ... MKSTREAM makes one). Close deletes
// only a stream that was created and never changed.

import (
	"errors"
	"maps"
	"slices"
	"sort"
	"strconv"

	"github.com/mini-redis/mini-redis/internal/listpack"
)

// A StreamID is the ID of a stream entry: Redis's streamID.
type StreamID struct {
	Ms, Seq uint64
}

// MaxStreamID is the greatest ID, "+" in a range.
var MaxStreamID = StreamID{Ms: ^uint64(0), Seq: ^uint64(0)}

// Compare returns -1, 0 or +1 as id is before, equal to or after o.
func (id StreamID) Compare(o StreamID) int {
	switch {
	case id.Ms < o.Ms:
		return -1
	case id.Ms > o.Ms:
		return 1
	case id.Seq < o.Seq:
		return -1
	case id.Seq > o.Seq:
		return 1
	}
	return 0
}

// Less reports whether id is before o.
func (id StreamID) Less(o StreamID) bool { return id.Compare(o) < 0 }

// IsZero reports whether id is 0-0.
func (id StreamID) IsZero() bool { return id.Ms == 0 && id.Seq == 0 }

// Next returns the ID after id (streamIncrID), or false if id is the
// greatest.
func (id StreamID) Next() (StreamID, bool) {
	switch {
	case id.Seq != ^uint64(0):
		return StreamID{id.Ms, id.Seq + 1}, true
	case id.Ms != ^uint64(0):
		return StreamID{id.Ms + 1, 0}, true
	}
	return StreamID{}, false
}

// Prev returns the ID before id (streamDecrID), or false if id is 0-0.
func (id StreamID) Prev() (StreamID, bool) {
	switch {
	case id.Seq != 0:
		return StreamID{id.Ms, id.Seq - 1}, true
	case id.Ms != 0:
		return StreamID{id.Ms - 1, ^uint64(0)}, true
	}
	return StreamID{}, false
}

// String formats id as Redis replies it: "<ms>-<seq>".
func (id StreamID) String() string { return string(id.Append(nil)) }

// Append appends id's text to b.
func (id StreamID) Append(b []byte) []byte {
	b = strconv.AppendUint(b, id.Ms, 10)
	b = append(b, '-')
	return strconv.AppendUint(b, id.Seq, 10)
}

// ErrStreamID is the error of ParseStreamID.
var ErrStreamID = errors.New("invalid stream ID")

// ParseStreamID parses "<ms>-<seq>" or "<ms>" (with seq missingSeq), the
// forms every stream command reads: Redis's streamGenericParseIDOrReply
// without its special cases ("-", "+", "<ms>-*"), which the commands
// handle. As Redis, it reads the argument as a C string (up to a NUL
// byte), refuses arguments over 127 bytes, and reads each number as
// Redis's string2ull: a canonical integer, else what strtoull accepts.
func ParseStreamID(b []byte, missingSeq uint64) (StreamID, error) {
	if len(b) > 127 {
		return StreamID{}, ErrStreamID
	}
	if i := indexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	ms, seq := b, []byte(nil)
	dash := indexByte(b, '-')
	if dash >= 0 {
		ms, seq = b[:dash], b[dash+1:]
	}
	var id StreamID
	var ok bool
	if id.Ms, ok = string2ull(ms); !ok {
		return StreamID{}, ErrStreamID
	}
	if dash < 0 {
		id.Seq = missingSeq
	} else if id.Seq, ok = string2ull(seq); !ok {
		return StreamID{}, ErrStreamID
	}
	return id, nil
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// string2ull is Redis's: a canonical int64 that is not negative, or else
// what strtoull reads in full, which allows leading white space, a sign
// (a "-" negates modulo 2^64) and leading zeros.
func string2ull(b []byte) (uint64, bool) {
	if n, ok := parseCanonicalInt(b); ok {
		return uint64(n), n >= 0
	}
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] >= '\t' && b[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	if i == len(b) {
		return 0, false
	}
	var n uint64
	for ; i < len(b); i++ {
		d := b[i] - '0'
		if d > 9 {
			return 0, false
		}
		if n > (^uint64(0)-uint64(d))/10 {
			return 0, false // ERANGE
		}
		n = n*10 + uint64(d)
	}
	if neg {
		n = -n
	}
	return n, true
}

// A Stream is a stream value, changed in place (see the top of stream.go).
type Stream struct {
	colHeader
	nodes        []*streamNode
	length       int
	lastID       StreamID
	firstID      StreamID
	maxDeletedID StreamID
	entriesAdded int64
	groups       map[string]*StreamGroup
	bytes        int // the nodes' listpack bytes plus the entries' overhead
	// used records that the stream was ever given an entry or a last ID:
	// Close keeps it when empty (see keepWhenEmpty). Unlike the header's
	// mods, it survives the copies a snapshot forces.
	used bool
}

// streamNode is one of Redis's listpacks of entries.
type streamNode struct {
	master  StreamID // the first entry's ID when the node was made
	fields  []string // the master entry's fields
	entries []streamEntry
	live    int
	deleted int
	// lpBytes is the listpack's size without its count and deleted
	// counters, whose encoding grows with them (lpSize adds them).
	lpBytes int
	// freeBytes and freeSlots are the unused ends of the chunks the
	// node's entries are copied into (see storeFields): one allocation
	// for many entries, not two an entry. Only this node writes to them,
	// past what any entry holds; a copy of the node starts without.
	freeBytes []byte
	freeSlots [][]byte
	// bytesChunk and slotsChunk are the sizes of the last chunks made.
	bytesChunk, slotsChunk int32
}

type streamEntry struct {
	id      StreamID
	kv      [][]byte // field, value, field, value...
	deleted bool
}

// The parts of a Stream's Size beyond its listpacks' bytes.
const (
	streamHeaderSize    = 128
	streamNodeOverhead  = 96
	streamEntryOverhead = 48
)

// NewStream returns an empty stream.
func NewStream() *Stream { return &Stream{} }

// Type returns TypeStream.
func (s *Stream) Type() Type { return TypeStream }

// Encoding returns "stream".
func (s *Stream) Encoding() string { return "stream" }

// Size returns the approximate number of bytes the stream takes, in O(1).
func (s *Stream) Size() int { return streamHeaderSize + s.bytes }

// Len returns the number of entries (XLEN).
func (s *Stream) Len() int { return s.length }

// keepWhenEmpty reports whether Close must keep the stream though it has
// no entries: any but one never changed, which a command created and
// left alone.
func (s *Stream) keepWhenEmpty() bool { return s.used || len(s.groups) > 0 }

// LastID returns the stream's last ID: the greatest ever added or set by
// XSETID, 0-0 for a new stream.
func (s *Stream) LastID() StreamID { return s.lastID }

// FirstID returns the first entry's ID, 0-0 if the stream is empty.
func (s *Stream) FirstID() StreamID { return s.firstID }

// MaxDeletedID returns the greatest ID deleted from the stream
// (max_deleted_entry_id).
func (s *Stream) MaxDeletedID() StreamID { return s.maxDeletedID }

// EntriesAdded returns the number of entries ever added (entries_added).
func (s *Stream) EntriesAdded() int64 { return s.entriesAdded }

// NodeCount returns the number of nodes (XINFO STREAM's radix-tree-keys).
func (s *Stream) NodeCount() int { return len(s.nodes) }

// SetLastID sets the stream's last ID, entries added (if entriesAdded >=
// 0) and max deleted ID (if not 0-0): XSETID, which checks them first.
// It is no change for WATCH: Redis 7.0.15's XSETID does not signal the
// key (checked with redis-server); a command that must, calls Touch.
func (s *Stream) SetLastID(id StreamID, entriesAdded int64, maxDeleted StreamID) {
	s.used = true
	s.lastID = id
	if entriesAdded >= 0 {
		s.entriesAdded = entriesAdded
	}
	if !maxDeleted.IsZero() {
		s.maxDeletedID = maxDeleted
	}
}

// LastValidID returns the last live entry's ID (streamLastValidID), or
// 0-0 if the stream is empty.
func (s *Stream) LastValidID() StreamID {
	id, _ := s.edge(true)
	return id
}

// edge returns the first or last live entry's ID.
func (s *Stream) edge(last bool) (StreamID, bool) {
	if last {
		for i := len(s.nodes) - 1; i >= 0; i-- {
			n := s.nodes[i]
			for j := len(n.entries) - 1; j >= 0; j-- {
				if !n.entries[j].deleted {
					return n.entries[j].id, true
				}
			}
		}
		return StreamID{}, false
	}
	for _, n := range s.nodes {
		for j := range n.entries {
			if !n.entries[j].deleted {
				return n.entries[j].id, true
			}
		}
	}
	return StreamID{}, false
}

// ErrStreamIDTooSmall is Append's error for an ID not greater than the
// stream's last ID.
var ErrStreamIDTooSmall = errors.New("stream ID equal or smaller than the top item")

// ErrStreamEntryTooLarge is Append's error for fields and values longer
// than a listpack can hold.
var ErrStreamEntryTooLarge = errors.New("stream elements are too large")

// streamListpackMaxSize is STREAM_LISTPACK_MAX_SIZE.
const streamListpackMaxSize = 1 << 30

// Append adds an entry with ID id and the field-value pairs kv (copied)
// at the end of the stream (streamAppendItem), cutting a new node where
// Redis would by lim's StreamNodeMaxBytes and StreamNodeMaxEntries. id
// must be greater than LastID.
func (s *Stream) Append(id StreamID, kv [][]byte, lim EncodingLimits) error {
	total := 0
	for _, b := range kv {
		total += len(b)
	}
	if total > streamListpackMaxSize {
		return ErrStreamEntryTooLarge
	}
	if !s.lastID.Less(id) {
		return ErrStreamIDTooSmall
	}
	var n *streamNode
	if len(s.nodes) > 0 {
		n = s.nodes[len(s.nodes)-1]
		maxBytes := lim.StreamNodeMaxBytes
		if maxBytes == 0 || maxBytes > streamListpackMaxSize {
			maxBytes = streamListpackMaxSize
		}
		if n.lpSize()+total >= maxBytes ||
			lim.StreamNodeMaxEntries > 0 && n.live+n.deleted >= lim.StreamNodeMaxEntries {
			n = nil
		}
	}
	if n == nil {
		n = &streamNode{master: id, fields: make([]string, len(kv)/2)}
		// Master entry: count, deleted, number of fields, the fields and
		// the 0 that ends it.
		n.lpBytes = listpack.HeaderSize + listpack.IntSize(int64(len(n.fields))) + listpack.IntSize(0)
		for i := range n.fields {
			n.fields[i] = string(kv[2*i])
			n.lpBytes += listpack.EntrySize(kv[2*i])
		}
		s.nodes = append(s.nodes, n)
		s.bytes += streamNodeOverhead + n.lpSize()
	}
	e := streamEntry{id: id, kv: n.storeFields(kv)}
	before := n.lpSize()
	n.lpBytes += n.entryBytes(&e)
	n.entries = append(n.entries, e)
	n.live++
	s.bytes += n.lpSize() - before + streamEntryOverhead
	s.mods++
	s.used = true
	s.length++
	s.entriesAdded++
	s.lastID = id
	if s.length == 1 {
		s.firstID = id
	}
	return nil
}

// cloneFields copies an entry's fields and values into one allocation
// for the bytes and one for the slice headers, instead of one per string:
// XADD's cost is mostly allocation. Each copy is capped at its length, so
// an append to one cannot run into the next.
func cloneFields(kv [][]byte) [][]byte {
	total := 0
	for _, b := range kv {
		total += len(b)
	}
	buf := make([]byte, total)
	out := make([][]byte, len(kv))
	off := 0
	for i, b := range kv {
		end := off + copy(buf[off:], b)
		out[i] = buf[off:end:end]
		off = end
	}
	return out
}

// Chunk sizes of storeFields: a node's first chunk holds a few entries,
// each next one twice as many, up to the maximum; an entry larger than
// the small one gets an allocation of its own, which leaves the chunk
// as it was.
const (
	streamChunkMinBytes = 64
	streamChunkMaxBytes = 4096
	streamChunkBigEntry = 512
	streamChunkMinSlots = 8
	streamChunkMaxSlots = 256
)

// storeFields copies an entry's fields and values (kv) into the node's
// chunks, as cloneFields copies them into allocations of their own: XADD
// on a growing stream spends most of its time allocating, and collecting
// what it allocated. Each copy is capped at its length, so that an append
// to one cannot run into the next.
func (n *streamNode) storeFields(kv [][]byte) [][]byte {
	total := 0
	for _, b := range kv {
		total += len(b)
	}
	if total > streamChunkBigEntry || len(kv) > streamChunkMaxSlots {
		return cloneFields(kv)
	}
	if len(n.freeBytes) < total {
		size := max(streamChunkMinBytes, min(2*int(n.bytesChunk), streamChunkMaxBytes), total)
		n.freeBytes, n.bytesChunk = make([]byte, size), int32(size)
	}
	if len(n.freeSlots) < len(kv) {
		size := max(streamChunkMinSlots, min(2*int(n.slotsChunk), streamChunkMaxSlots), len(kv))
		n.freeSlots, n.slotsChunk = make([][]byte, size), int32(size)
	}
	out := n.freeSlots[:len(kv):len(kv)]
	n.freeSlots = n.freeSlots[len(kv):]
	for i, b := range kv {
		l := copy(n.freeBytes, b)
		out[i] = n.freeBytes[:l:l]
		n.freeBytes = n.freeBytes[l:]
	}
	return out
}

// sameFields reports whether an entry's fields are the node's master
// fields, which the entry then leaves out of the listpack.
func (n *streamNode) sameFields(kv [][]byte) bool {
	if len(kv)/2 != len(n.fields) {
		return false
	}
	for i, f := range n.fields {
		if string(kv[2*i]) != f {
			return false
		}
	}
	return true
}

// entryBytes returns the bytes Redis's listpack gives the entry: flags,
// ms and seq deltas from the master ID, the fields (with their number)
// unless they are the master's, the values, and lp-count.
func (n *streamNode) entryBytes(e *streamEntry) int {
	nf := int64(len(e.kv) / 2)
	size := listpack.IntSize(0) + listpack.IntSize(int64(e.id.Ms-n.master.Ms)) + listpack.IntSize(int64(e.id.Seq-n.master.Seq))
	lpCount := nf + 3
	if n.sameFields(e.kv) {
		for i := 1; i < len(e.kv); i += 2 {
			size += listpack.EntrySize(e.kv[i])
		}
	} else {
		lpCount += nf + 1
		size += listpack.IntSize(nf)
		for _, b := range e.kv {
			size += listpack.EntrySize(b)
		}
	}
	return size + listpack.IntSize(lpCount)
}

// lpSize returns the node's listpack size (lpBytes) with its counters.
func (n *streamNode) lpSize() int {
	return n.lpBytes + listpack.IntSize(int64(n.live)) + listpack.IntSize(int64(n.deleted))
}

// seek returns the index of the node that would hold id: the last whose
// master ID is <= id, or 0.
func (s *Stream) seek(id StreamID) int {
	i := sort.Search(len(s.nodes), func(i int) bool { return id.Less(s.nodes[i].master) })
	return max(0, i-1)
}

// Range calls fn with the live entries whose IDs are in [start, end], in
// order, or in reverse order if rev is set, until fn returns false. The
// pairs must not be modified; they may be kept past Close, since no
// change writes to an entry's arrays once it is stored (a blocked XREAD
// is replied with them after the serving KeyLock is closed).
func (s *Stream) Range(start, end StreamID, rev bool, fn func(id StreamID, kv [][]byte) bool) {
	if end.Less(start) || len(s.nodes) == 0 {
		return
	}
	if !rev {
		for i := s.seek(start); i < len(s.nodes); i++ {
			n := s.nodes[i]
			if end.Less(n.master) {
				return
			}
			j := sort.Search(len(n.entries), func(j int) bool { return !n.entries[j].id.Less(start) })
			for ; j < len(n.entries); j++ {
				e := &n.entries[j]
				if end.Less(e.id) {
					return
				}
				if !e.deleted && !fn(e.id, e.kv) {
					return
				}
			}
		}
		return
	}
	for i := s.seek(end); i >= 0; i-- {
		n := s.nodes[i]
		j := sort.Search(len(n.entries), func(j int) bool { return end.Less(n.entries[j].id) }) - 1
		for ; j >= 0; j-- {
			e := &n.entries[j]
			if e.id.Less(start) {
				return
			}
			if !e.deleted && !fn(e.id, e.kv) {
				return
			}
		}
	}
}

// Get returns the pairs of the live entry id, or false.
func (s *Stream) Get(id StreamID) ([][]byte, bool) {
	var kv [][]byte
	found := false
	s.Range(id, id, false, func(_ StreamID, p [][]byte) bool {
		kv, found = p, true
		return false
	})
	return kv, found
}

// Delete marks the live entry id deleted, and removes its node if it was
// the node's last live entry (streamDeleteItem); it reports whether the
// entry was there. As XDEL, it raises the max deleted ID and moves the
// first ID on.
func (s *Stream) Delete(id StreamID) bool {
	if len(s.nodes) == 0 {
		return false
	}
	i := s.seek(id)
	n := s.nodes[i]
	j := sort.Search(len(n.entries), func(j int) bool { return !n.entries[j].id.Less(id) })
	if j == len(n.entries) || n.entries[j].id != id || n.entries[j].deleted {
		return false
	}
	s.mods++
	if n.live == 1 {
		s.removeNode(i)
	} else {
		before := n.lpSize()
		n.entries[j].deleted = true
		n.live--
		n.deleted++
		s.bytes += n.lpSize() - before
	}
	s.length--
	if s.maxDeletedID.Less(id) {
		s.maxDeletedID = id
	}
	if s.length == 0 {
		s.firstID = StreamID{}
	} else if id == s.firstID {
		s.firstID, _ = s.edge(false)
	}
	return true
}

func (s *Stream) removeNode(i int) {
	n := s.nodes[i]
	s.bytes -= streamNodeOverhead + n.lpSize() + len(n.entries)*streamEntryOverhead
	s.nodes = slices.Delete(s.nodes, i, i+1)
}

// TrimMaxLen trims the stream to maxlen entries (streamTrim with
// MAXLEN): exactly, or, if approx, removing whole nodes only, and no more
// than limit entries if limit > 0. It returns the number of entries
// removed.
func (s *Stream) TrimMaxLen(maxlen int64, approx bool, limit int64) int64 {
	return s.trim(false, maxlen, StreamID{}, approx, limit)
}

// TrimMinID removes the entries with IDs below minID (streamTrim with
// MINID), as TrimMaxLen.
func (s *Stream) TrimMinID(minID StreamID, approx bool, limit int64) int64 {
	return s.trim(true, 0, minID, approx, limit)
}

func (s *Stream) trim(byID bool, maxlen int64, minID StreamID, approx bool, limit int64) int64 {
	var deleted int64
	for len(s.nodes) > 0 {
		if limit > 0 && deleted >= limit {
			break
		}
		if !byID && int64(s.length) <= maxlen {
			break
		}
		n := s.nodes[0]
		var remove bool
		if byID {
			remove = n.entries[len(n.entries)-1].id.Less(minID)
		} else {
			remove = int64(s.length)-int64(n.live) >= maxlen
		}
		if remove {
			if limit > 0 && deleted+int64(n.live) > limit {
				break // Redis removes no node that would take it past the limit
			}
			s.length -= n.live
			deleted += int64(n.live)
			s.removeNode(0)
			continue
		}
		if approx {
			break
		}
		before := n.lpSize()
		for j := range n.entries {
			e := &n.entries[j]
			if byID && !e.id.Less(minID) || !byID && int64(s.length) <= maxlen {
				break
			}
			if !e.deleted {
				e.deleted = true
				n.live--
				n.deleted++
				s.length--
				deleted++
			}
		}
		s.bytes += n.lpSize() - before
		break
	}
	if deleted > 0 {
		s.mods++
	}
	if s.length == 0 {
		s.firstID = StreamID{}
	} else {
		s.firstID, _ = s.edge(false)
	}
	return deleted
}

// Clone returns a copy of the stream, its groups included, that shares no
// memory with it (COPY).
func (s *Stream) Clone() *Stream {
	c := s.copyNodes()
	for _, n := range c.nodes {
		for j := range n.entries {
			e := &n.entries[j]
			e.kv = cloneFields(e.kv)
		}
	}
	return c
}

// copyNodes copies everything that changes in place: the nodes, their
// entry slices (deleted flags) and the groups; the entries' bytes, never
// written once stored, are shared.
func (s *Stream) copyNodes() *Stream {
	c := &Stream{
		nodes: make([]*streamNode, len(s.nodes)), length: s.length, lastID: s.lastID,
		firstID: s.firstID, maxDeletedID: s.maxDeletedID, entriesAdded: s.entriesAdded, bytes: s.bytes,
		used: s.used,
	}
	for i, n := range s.nodes {
		cn := *n
		cn.entries = slices.Clone(n.entries)
		// The chunks' free ends stay the original's: were both to append
		// to them, they would write over each other's entries.
		cn.freeBytes, cn.freeSlots, cn.bytesChunk, cn.slotsChunk = nil, nil, 0, 0
		c.nodes[i] = &cn
	}
	if s.groups != nil {
		c.groups = make(map[string]*StreamGroup, len(s.groups))
		for name, g := range s.groups {
			c.groups[name] = g.clone()
		}
	}
	return c
}

func (s *Stream) clone() collection { return s.Clone() }

func (s *Stream) cow() collection { return s.copyNodes() }

// Consumer groups. The commands built on them (XGROUP, XREADGROUP, XACK,
// XPENDING, XCLAIM, XAUTOCLAIM, XINFO) use these types and operations.

// StreamInvalidEntriesRead is a group's EntriesRead when it is not known
// (SCG_INVALID_ENTRIES_READ).
const StreamInvalidEntriesRead = -1

// A StreamGroup is a consumer group: Redis's streamCG.
type StreamGroup struct {
	// Name is the group's name.
	Name string
	// LastID is the last ID delivered to the group's consumers.
	LastID StreamID
	// EntriesRead is the number of entries the group has read, or
	// StreamInvalidEntriesRead.
	EntriesRead int64
	// PEL is the group's pending entries: delivered, not acknowledged.
	PEL       PendingList
	consumers map[string]*StreamConsumer
}

// A StreamConsumer is a consumer of a group: Redis's streamConsumer.
type StreamConsumer struct {
	// Name is the consumer's name.
	Name string
	// SeenTime is the last time, in Unix milliseconds, the consumer was
	// seen by a command.
	SeenTime int64
	// ActiveTime is the last time, in Unix milliseconds, it read or
	// claimed entries; -1 if never.
	ActiveTime int64
	// PEL is the consumer's share of its group's PEL: the same
	// *StreamPending values.
	PEL PendingList
}

// A StreamPending is an entry delivered and not acknowledged: Redis's
// streamNACK.
type StreamPending struct {
	// ID is the entry's ID.
	ID StreamID
	// Consumer is the consumer it was last delivered to.
	Consumer *StreamConsumer
	// DeliveryTime is the last delivery time, in Unix milliseconds.
	DeliveryTime int64
	// DeliveryCount is the number of deliveries.
	DeliveryCount uint64
}

// A PendingList is a set of pending entries ordered by ID, as Redis's PEL
// radix trees are.
type PendingList struct {
	items []*StreamPending
}

// Len returns the number of pending entries.
func (p *PendingList) Len() int { return len(p.items) }

func (p *PendingList) search(id StreamID) int {
	return sort.Search(len(p.items), func(i int) bool { return !p.items[i].ID.Less(id) })
}

// Get returns the pending entry id, or nil.
func (p *PendingList) Get(id StreamID) *StreamPending {
	if i := p.search(id); i < len(p.items) && p.items[i].ID == id {
		return p.items[i]
	}
	return nil
}

// Put adds pe, replacing the entry with the same ID if there is one.
func (p *PendingList) Put(pe *StreamPending) {
	i := p.search(pe.ID)
	if i < len(p.items) && p.items[i].ID == pe.ID {
		p.items[i] = pe
		return
	}
	p.items = slices.Insert(p.items, i, pe)
}

// Remove removes the pending entry id and returns it, or nil.
func (p *PendingList) Remove(id StreamID) *StreamPending {
	i := p.search(id)
	if i == len(p.items) || p.items[i].ID != id {
		return nil
	}
	pe := p.items[i]
	p.items = slices.Delete(p.items, i, i+1)
	return pe
}

// Range calls fn with the pending entries with IDs in [start, end], in
// order, or in reverse order if rev is set, until fn returns false.
func (p *PendingList) Range(start, end StreamID, rev bool, fn func(*StreamPending) bool) {
	lo := p.search(start)
	hi := sort.Search(len(p.items), func(i int) bool { return end.Less(p.items[i].ID) })
	if !rev {
		for i := lo; i < hi; i++ {
			if !fn(p.items[i]) {
				return
			}
		}
		return
	}
	for i := hi - 1; i >= lo; i-- {
		if !fn(p.items[i]) {
			return
		}
	}
}

// Group returns the group named name, or nil.
func (s *Stream) Group(name string) *StreamGroup { return s.groups[name] }

// Groups returns the stream's groups in name order, as Redis's radix tree
// lists them.
func (s *Stream) Groups() []*StreamGroup { return valuesByName(s.groups) }

// valuesByName returns m's values in the order of their names.
func valuesByName[V any](m map[string]V) []V {
	vs := make([]V, 0, len(m))
	for _, name := range slices.Sorted(maps.Keys(m)) {
		vs = append(vs, m[name])
	}
	return vs
}

// CreateGroup adds a group named name with last ID lastID and entries
// read entriesRead (streamCreateCG), or returns nil if the stream has a
// group of that name.
func (s *Stream) CreateGroup(name string, lastID StreamID, entriesRead int64) *StreamGroup {
	if _, ok := s.groups[name]; ok {
		return nil
	}
	if s.groups == nil {
		s.groups = make(map[string]*StreamGroup)
	}
	g := &StreamGroup{Name: name, LastID: lastID, EntriesRead: entriesRead}
	s.groups[name] = g
	s.mods++
	s.used = true // XGROUP CREATE ... MKSTREAM then DESTROY leaves the stream
	return g
}

// DeleteGroup removes the group named name and reports whether it was
// there.
func (s *Stream) DeleteGroup(name string) bool {
	if _, ok := s.groups[name]; !ok {
		return false
	}
	delete(s.groups, name)
	s.mods++
	return true
}

// Touch counts a change to the stream made through its groups, consumers
// or pending entries, which the Stream cannot see, so that Close tells
// the key's watchers.
func (s *Stream) Touch() { s.mods++ }

// Consumer returns the consumer named name, or nil.
func (g *StreamGroup) Consumer(name string) *StreamConsumer { return g.consumers[name] }

// Consumers returns the group's consumers in name order.
func (g *StreamGroup) Consumers() []*StreamConsumer { return valuesByName(g.consumers) }

// CreateConsumer adds a consumer named name, seen at now (Unix
// milliseconds) and never active (streamCreateConsumer), or returns nil
// if the group has one of that name.
func (g *StreamGroup) CreateConsumer(name string, now int64) *StreamConsumer {
	if _, ok := g.consumers[name]; ok {
		return nil
	}
	if g.consumers == nil {
		g.consumers = make(map[string]*StreamConsumer)
	}
	c := &StreamConsumer{Name: name, SeenTime: now, ActiveTime: -1}
	g.consumers[name] = c
	return c
}

// DeleteConsumer removes the consumer named name and its pending entries
// from the group's PEL (streamDelConsumer), and returns how many pending
// entries it had, or -1 if there is no such consumer.
func (g *StreamGroup) DeleteConsumer(name string) int {
	c, ok := g.consumers[name]
	if !ok {
		return -1
	}
	n := c.PEL.Len()
	for _, pe := range c.PEL.items {
		g.PEL.Remove(pe.ID)
	}
	delete(g.consumers, name)
	return n
}

// AddPending records that entry id was delivered to c at now, a new
// pending entry in the group's and c's PELs with one delivery, replacing
// any pending entry of that ID (and removing it from its consumer's PEL).
func (g *StreamGroup) AddPending(id StreamID, c *StreamConsumer, now int64) *StreamPending {
	if old := g.PEL.Get(id); old != nil && old.Consumer != nil {
		old.Consumer.PEL.Remove(id)
	}
	pe := &StreamPending{ID: id, Consumer: c, DeliveryTime: now, DeliveryCount: 1}
	g.PEL.Put(pe)
	c.PEL.Put(pe)
	return pe
}

// MovePending gives the pending entry pe to consumer c (XCLAIM).
func (g *StreamGroup) MovePending(pe *StreamPending, c *StreamConsumer) {
	if pe.Consumer == c {
		return
	}
	if pe.Consumer != nil {
		pe.Consumer.PEL.Remove(pe.ID)
	}
	pe.Consumer = c
	c.PEL.Put(pe)
}

// Ack removes the pending entry id from the group's PEL and its
// consumer's (XACK), and reports whether it was pending.
func (g *StreamGroup) Ack(id StreamID) bool {
	pe := g.PEL.Remove(id)
	if pe == nil {
		return false
	}
	if pe.Consumer != nil {
		pe.Consumer.PEL.Remove(id)
	}
	return true
}

// clone deep-copies the group, its consumers and PELs.
func (g *StreamGroup) clone() *StreamGroup {
	c := &StreamGroup{Name: g.Name, LastID: g.LastID, EntriesRead: g.EntriesRead}
	cons := make(map[*StreamConsumer]*StreamConsumer, len(g.consumers))
	if g.consumers != nil {
		c.consumers = make(map[string]*StreamConsumer, len(g.consumers))
		for name, sc := range g.consumers {
			nc := &StreamConsumer{Name: sc.Name, SeenTime: sc.SeenTime, ActiveTime: sc.ActiveTime}
			c.consumers[name] = nc
			cons[sc] = nc
		}
	}
	c.PEL.items = make([]*StreamPending, len(g.PEL.items))
	for i, pe := range g.PEL.items {
		npe := *pe
		npe.Consumer = cons[pe.Consumer]
		c.PEL.items[i] = &npe
		if npe.Consumer != nil {
			npe.Consumer.PEL.items = append(npe.Consumer.PEL.items, &npe)
		}
	}
	return c
}
