package rdb

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
)

// Streams: RDB type 15 (Redis 5 and 6) and 19 (Redis 7.0). A stream is
// its radix tree of listpacks, each keyed by its master entry's ID, then
// its metadata and its consumer groups:
//
//	<nodes> (<master ID: 16 bytes big-endian ms, seq> <listpack>)...
//	<length> <last ID ms> <last ID seq>
//	type 19: <first ID ms> <seq> <max deleted ID ms> <seq> <entries added>
//	<groups> (<name> <last delivered ms> <seq> [type 19: <entries read>]
//	          <PEL size> (<ID: 16 bytes> <delivery time: 8 bytes LE> <count>)...
//	          <consumers> (<name> <seen time: 8 bytes LE>
//	                       <PEL size> (<ID: 16 bytes>)...)...)...
//
// A node's listpack starts with its master entry: the count of live
// entries, the count of deleted ones, the number of master fields, the
// fields and a 0. Every entry follows as its flags, its ID's ms and seq
// less the master's, the values alone if its fields are the master's
// (flag 2), or its field count and its fields and values, then the
// number of listpack elements it took. Flag 1 marks a deleted entry.

const (
	typeStreamListpacks  = 15
	typeStreamListpacks2 = 19

	streamFlagDeleted    = 1
	streamFlagSameFields = 2
)

// A StreamID is a stream entry's ID.
type StreamID struct {
	Ms, Seq uint64
}

func (id StreamID) less(o StreamID) bool {
	return id.Ms < o.Ms || id.Ms == o.Ms && id.Seq < o.Seq
}

// A Stream is a stream's value, as an RDB file holds it.
type Stream struct {
	// Nodes are the stream's listpacks, in ID order.
	Nodes []StreamNode
	// Length is the number of live entries.
	Length uint64
	// LastID, FirstID and MaxDeletedID are the stream's last ID, first
	// live entry's ID and greatest deleted ID. Type 15 files have no
	// FirstID nor MaxDeletedID: Reader sets FirstID from the entries.
	LastID, FirstID, MaxDeletedID StreamID
	// EntriesAdded is the number of entries ever added (type 15 files:
	// Length).
	EntriesAdded uint64
	// Groups are the consumer groups.
	Groups []StreamGroup
}

// A StreamNode is one listpack of a stream's entries.
type StreamNode struct {
	// Master is the master entry's ID, the node's key.
	Master StreamID
	// Fields are the master entry's fields.
	Fields [][]byte
	// Entries are the node's entries, deleted ones included, in ID order.
	Entries []StreamEntry
}

// A StreamEntry is one entry of a stream node.
type StreamEntry struct {
	ID      StreamID
	Deleted bool
	// Pairs are the entry's fields and values.
	Pairs []HashPair
}

// A StreamGroup is a consumer group.
type StreamGroup struct {
	Name        []byte
	LastID      StreamID
	EntriesRead int64 // -1 when unknown (SCG_INVALID_ENTRIES_READ)
	// PEL is the group's pending entries, in ID order.
	PEL       []StreamPending
	Consumers []StreamConsumer
}

// A StreamPending is a pending entry of a group's PEL.
type StreamPending struct {
	ID            StreamID
	DeliveryTime  int64 // Unix milliseconds
	DeliveryCount uint64
}

// A StreamConsumer is a consumer of a group.
type StreamConsumer struct {
	Name     []byte
	SeenTime int64 // Unix milliseconds
	// PEL is the IDs of its pending entries, which are in its group's PEL.
	PEL []StreamID
}

// readStream reads a stream of RDB type t, after its key.
func (r *Reader) readStream(t byte, key []byte) (*Stream, error) {
	s := &Stream{}
	nodes, err := r.readCount()
	if err != nil {
		return nil, err
	}
	var prev StreamID
	for i := range nodes {
		off := r.offset()
		if r.blob, err = r.appendString(r.blob[:0]); err != nil {
			return nil, err
		}
		if len(r.blob) != 16 {
			return nil, r.corrupt(off, "Stream node key entry is not the size of a stream ID")
		}
		master := StreamID{binary.BigEndian.Uint64(r.blob), binary.BigEndian.Uint64(r.blob[8:])}
		if i > 0 && !prev.less(master) {
			return nil, r.corrupt(off, "Listpack re-added with existing key")
		}
		prev = master
		off = r.offset()
		if r.blob, err = r.appendString(r.blob[:0]); err != nil {
			return nil, err
		}
		if len(r.blob) >= lpHeaderSize && binary.LittleEndian.Uint16(r.blob[4:]) == 0 && len(r.blob) == lpHeaderSize+1 {
			return nil, r.corrupt(off, "Empty listpack inside stream")
		}
		n, err := parseStreamNode(master, r.blob)
		if err != nil {
			return nil, r.corrupt(off, "Stream integrity check failed for key %s: %v", quoteKey(key), err)
		}
		if len(s.Nodes) > 0 {
			pn := &s.Nodes[len(s.Nodes)-1]
			if last := pn.Entries[len(pn.Entries)-1].ID; !last.less(n.Entries[0].ID) {
				return nil, r.corrupt(off, "Stream integrity check failed for key %s: entry IDs out of order", quoteKey(key))
			}
		}
		s.Nodes = append(s.Nodes, n)
	}
	var ids [2]uint64
	readID := func() (StreamID, error) {
		for i := range ids {
			if ids[i], err = r.readCount(); err != nil {
				return StreamID{}, err
			}
		}
		return StreamID{ids[0], ids[1]}, nil
	}
	off := r.offset()
	if s.Length, err = r.readCount(); err != nil {
		return nil, err
	}
	if s.LastID, err = readID(); err != nil {
		return nil, err
	}
	if t == typeStreamListpacks2 {
		if s.FirstID, err = readID(); err != nil {
			return nil, err
		}
		if s.MaxDeletedID, err = readID(); err != nil {
			return nil, err
		}
		if s.EntriesAdded, err = r.readCount(); err != nil {
			return nil, err
		}
	} else {
		s.EntriesAdded = s.Length
		s.FirstID = s.firstLive()
	}
	var live uint64
	for _, n := range s.Nodes {
		for _, e := range n.Entries {
			if !e.Deleted {
				live++
			}
		}
	}
	if s.Length != 0 && len(s.Nodes) == 0 || live != s.Length {
		return nil, r.corrupt(off, "Stream length inconsistent with rax entries")
	}
	if len(s.Nodes) > 0 {
		pn := &s.Nodes[len(s.Nodes)-1]
		if s.LastID.less(pn.Entries[len(pn.Entries)-1].ID) {
			return nil, r.corrupt(off, "Stream integrity check failed for key %s: last ID %d-%d is below an entry's", quoteKey(key), s.LastID.Ms, s.LastID.Seq)
		}
	}
	groups, err := r.readCount()
	if err != nil {
		return nil, err
	}
	for range groups {
		g, err := r.readStreamGroup(t, readID, s)
		if err != nil {
			return nil, err
		}
		s.Groups = append(s.Groups, g)
	}
	return s, nil
}

// firstLive returns the first live entry's ID, or 0-0.
func (s *Stream) firstLive() StreamID {
	for _, n := range s.Nodes {
		for _, e := range n.Entries {
			if !e.Deleted {
				return e.ID
			}
		}
	}
	return StreamID{}
}

func (r *Reader) readStreamGroup(t byte, readID func() (StreamID, error), s *Stream) (StreamGroup, error) {
	var g StreamGroup
	off := r.offset()
	name, err := r.appendString(nil)
	if err != nil {
		return g, err
	}
	for _, o := range s.Groups {
		if bytes.Equal(o.Name, name) {
			return g, r.corrupt(off, "Duplicated consumer group name %s", quoteKey(name))
		}
	}
	g.Name = name
	if g.LastID, err = readID(); err != nil {
		return g, err
	}
	g.EntriesRead = -1
	if t == typeStreamListpacks2 {
		n, err := r.readCount()
		if err != nil {
			return g, err
		}
		g.EntriesRead = int64(n)
	}
	pel, err := r.readCount()
	if err != nil {
		return g, err
	}
	for range pel {
		off := r.offset()
		p, err := r.take(16 + 8)
		if err != nil {
			return g, err
		}
		pe := StreamPending{
			ID:           StreamID{binary.BigEndian.Uint64(p), binary.BigEndian.Uint64(p[8:])},
			DeliveryTime: int64(binary.LittleEndian.Uint64(p[16:])),
		}
		if len(g.PEL) > 0 && !g.PEL[len(g.PEL)-1].ID.less(pe.ID) {
			return g, r.corrupt(off, "Duplicated global PEL entry loading stream consumer group")
		}
		if pe.DeliveryCount, err = r.readCount(); err != nil {
			return g, err
		}
		g.PEL = append(g.PEL, pe)
	}
	owned := make([]bool, len(g.PEL))
	consumers, err := r.readCount()
	if err != nil {
		return g, err
	}
	for range consumers {
		var c StreamConsumer
		off := r.offset()
		if c.Name, err = r.appendString(nil); err != nil {
			return g, err
		}
		for _, o := range g.Consumers {
			if bytes.Equal(o.Name, c.Name) {
				return g, r.corrupt(off, "Duplicated consumer name %s", quoteKey(c.Name))
			}
		}
		p, err := r.take(8)
		if err != nil {
			return g, err
		}
		c.SeenTime = int64(binary.LittleEndian.Uint64(p))
		n, err := r.readCount()
		if err != nil {
			return g, err
		}
		for range n {
			off := r.offset()
			p, err := r.take(16)
			if err != nil {
				return g, err
			}
			id := StreamID{binary.BigEndian.Uint64(p), binary.BigEndian.Uint64(p[8:])}
			i := searchPending(g.PEL, id)
			if i < 0 {
				return g, r.corrupt(off, "Consumer entry not found in group global PEL")
			}
			if owned[i] {
				return g, r.corrupt(off, "Duplicated consumer PEL entry loading a stream consumer group")
			}
			owned[i] = true
			c.PEL = append(c.PEL, id)
		}
		g.Consumers = append(g.Consumers, c)
	}
	for _, o := range owned {
		if !o {
			return g, r.corrupt(off, "Stream CG PEL entry without consumer")
		}
	}
	return g, nil
}

// searchPending returns the index of id in pel, sorted by ID, or -1.
func searchPending(pel []StreamPending, id StreamID) int {
	lo, hi := 0, len(pel)
	for lo < hi {
		m := (lo + hi) / 2
		if pel[m].ID.less(id) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(pel) && pel[lo].ID == id {
		return lo
	}
	return -1
}

// parseStreamNode checks a stream node's listpack as Redis's
// streamValidateListpackIntegrity does, deeply, and returns its entries.
func parseStreamNode(master StreamID, lp []byte) (StreamNode, error) {
	var b elemBuf
	if _, err := parseListpack(lp, &b); err != nil {
		return StreamNode{}, err
	}
	n := StreamNode{Master: master}
	i := 0
	next := func() ([]byte, bool) {
		if i >= b.n() {
			return nil, false
		}
		i++
		return b.elem(i - 1), true
	}
	nextInt := func() (int64, error) {
		e, ok := next()
		if !ok {
			return 0, fmt.Errorf("listpack ends in the middle of an entry")
		}
		v, err := strconv.ParseInt(string(e), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not an integer", e)
		}
		return v, nil
	}
	count, err := nextInt()
	if err != nil {
		return n, err
	}
	deleted, err := nextInt()
	if err != nil {
		return n, err
	}
	nf, err := nextInt()
	if err != nil {
		return n, err
	}
	if nf < 0 || nf > int64(b.n()) {
		return n, fmt.Errorf("master entry has %d fields", nf)
	}
	for range nf {
		f, ok := next()
		if !ok {
			return n, fmt.Errorf("listpack ends in the master entry")
		}
		n.Fields = append(n.Fields, f)
	}
	if z, err := nextInt(); err != nil || z != 0 {
		return n, fmt.Errorf("master entry does not end with 0")
	}
	var live, dead int64
	for i < b.n() {
		start := i
		flags, err := nextInt()
		if err != nil {
			return n, err
		}
		dms, err := nextInt()
		if err != nil {
			return n, err
		}
		dseq, err := nextInt()
		if err != nil {
			return n, err
		}
		e := StreamEntry{
			ID:      StreamID{master.Ms + uint64(dms), master.Seq + uint64(dseq)},
			Deleted: flags&streamFlagDeleted != 0,
		}
		if e.ID.less(master) || len(n.Entries) > 0 && !n.Entries[len(n.Entries)-1].ID.less(e.ID) {
			return n, fmt.Errorf("entry ID %d-%d out of order", e.ID.Ms, e.ID.Seq)
		}
		if flags&streamFlagSameFields != 0 {
			for _, f := range n.Fields {
				v, ok := next()
				if !ok {
					return n, fmt.Errorf("listpack ends in an entry")
				}
				e.Pairs = append(e.Pairs, HashPair{Field: f, Value: v})
			}
		} else {
			k, err := nextInt()
			if err != nil {
				return n, err
			}
			if k < 0 || k > int64(b.n()) {
				return n, fmt.Errorf("entry has %d fields", k)
			}
			for range k {
				f, ok1 := next()
				v, ok2 := next()
				if !ok1 || !ok2 {
					return n, fmt.Errorf("listpack ends in an entry")
				}
				e.Pairs = append(e.Pairs, HashPair{Field: f, Value: v})
			}
		}
		lpCount, err := nextInt()
		if err != nil {
			return n, err
		}
		if lpCount != int64(i-start-1) {
			return n, fmt.Errorf("entry's lp-count %d is not %d", lpCount, i-start-1)
		}
		if e.Deleted {
			dead++
		} else {
			live++
		}
		n.Entries = append(n.Entries, e)
	}
	if live != count || dead != deleted {
		return n, fmt.Errorf("master entry counts %d live and %d deleted entries, but there are %d and %d", count, deleted, live, dead)
	}
	if len(n.Entries) == 0 {
		return n, fmt.Errorf("no entries")
	}
	return n, nil
}

// readStreamEntry reads the key and value of a stream of RDB type t,
// after its type byte.
func (r *Reader) readStreamEntry(t byte, expireAt int64) (Entry, error) {
	var key []byte
	if !r.bare {
		var err error
		if key, err = r.appendString(nil); err != nil {
			return Entry{}, err
		}
	}
	s, err := r.readStream(t, key)
	if cap(r.blob) > keepScratch {
		r.blob = nil
	}
	if err != nil {
		return Entry{}, err
	}
	return Entry{DB: r.db, Key: key, Type: TypeStream, Encoding: "stream", Stream: s, ExpireAt: expireAt}, nil
}

// writeStream writes a stream as Redis 7.0 does (RDB type 19): every
// node's listpack rebuilt as Redis holds it, its master entry and its
// entries delta-encoded, then the metadata, then the groups in the order
// given, which for Redis's is by name.
func (w *Writer) writeStream(e Entry) error {
	s := e.Stream
	if err := w.writeKey(typeStreamListpacks2, e.Key); err != nil {
		return err
	}
	w.buf = appendLen(w.buf, uint64(len(s.Nodes)))
	var key [16]byte
	for _, n := range s.Nodes {
		binary.BigEndian.PutUint64(key[:], n.Master.Ms)
		binary.BigEndian.PutUint64(key[8:], n.Master.Seq)
		if err := w.writeString(key[:]); err != nil {
			return err
		}
		w.blob = appendStreamNode(w.blob[:0], n)
		if err := w.writeString(w.blob); err != nil {
			return err
		}
		if err := w.maybeFlush(); err != nil {
			return err
		}
	}
	w.dropBlob()
	w.buf = appendLen(w.buf, s.Length)
	for _, id := range []StreamID{s.LastID, s.FirstID, s.MaxDeletedID} {
		w.buf = appendLen(appendLen(w.buf, id.Ms), id.Seq)
	}
	w.buf = appendLen(w.buf, s.EntriesAdded)
	w.buf = appendLen(w.buf, uint64(len(s.Groups)))
	for _, g := range s.Groups {
		if err := w.writeString(g.Name); err != nil {
			return err
		}
		w.buf = appendLen(appendLen(w.buf, g.LastID.Ms), g.LastID.Seq)
		w.buf = appendLen(w.buf, uint64(g.EntriesRead))
		w.buf = appendLen(w.buf, uint64(len(g.PEL)))
		for _, pe := range g.PEL {
			w.buf = binary.BigEndian.AppendUint64(w.buf, pe.ID.Ms)
			w.buf = binary.BigEndian.AppendUint64(w.buf, pe.ID.Seq)
			w.buf = binary.LittleEndian.AppendUint64(w.buf, uint64(pe.DeliveryTime))
			w.buf = appendLen(w.buf, pe.DeliveryCount)
			if err := w.maybeFlush(); err != nil {
				return err
			}
		}
		w.buf = appendLen(w.buf, uint64(len(g.Consumers)))
		for _, c := range g.Consumers {
			if err := w.writeString(c.Name); err != nil {
				return err
			}
			w.buf = binary.LittleEndian.AppendUint64(w.buf, uint64(c.SeenTime))
			w.buf = appendLen(w.buf, uint64(len(c.PEL)))
			for _, id := range c.PEL {
				w.buf = binary.BigEndian.AppendUint64(w.buf, id.Ms)
				w.buf = binary.BigEndian.AppendUint64(w.buf, id.Seq)
				if err := w.maybeFlush(); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// appendStreamNode appends the listpack of node n, as Redis builds it
// (streamAppendItem): the master entry with the live and deleted counts,
// then each entry.
func appendStreamNode(dst []byte, n StreamNode) []byte {
	var num [20]byte
	itoa := func(v int64) []byte { return strconv.AppendInt(num[:0], v, 10) }
	live, dead := 0, 0
	for _, e := range n.Entries {
		if e.Deleted {
			dead++
		} else {
			live++
		}
	}
	start := len(dst)
	dst = lpStart(dst)
	dst = lpAppendEntry(dst, itoa(int64(live)))
	dst = lpAppendEntry(dst, itoa(int64(dead)))
	dst = lpAppendEntry(dst, itoa(int64(len(n.Fields))))
	for _, f := range n.Fields {
		dst = lpAppendEntry(dst, f)
	}
	dst = lpAppendEntry(dst, itoa(0))
	count := 4 + len(n.Fields)
	for _, e := range n.Entries {
		same := len(e.Pairs) == len(n.Fields)
		for i := 0; same && i < len(e.Pairs); i++ {
			same = bytes.Equal(e.Pairs[i].Field, n.Fields[i])
		}
		flags := int64(0)
		if e.Deleted {
			flags |= streamFlagDeleted
		}
		if same {
			flags |= streamFlagSameFields
		}
		dst = lpAppendEntry(dst, itoa(flags))
		dst = lpAppendEntry(dst, itoa(int64(e.ID.Ms-n.Master.Ms)))
		dst = lpAppendEntry(dst, itoa(int64(e.ID.Seq-n.Master.Seq)))
		elems := 3
		if same {
			for _, p := range e.Pairs {
				dst = lpAppendEntry(dst, p.Value)
			}
			elems += len(e.Pairs)
		} else {
			dst = lpAppendEntry(dst, itoa(int64(len(e.Pairs))))
			for _, p := range e.Pairs {
				dst = lpAppendEntry(dst, p.Field)
				dst = lpAppendEntry(dst, p.Value)
			}
			elems += 1 + 2*len(e.Pairs)
		}
		// lp-count: the entry's elements before it, flags included.
		dst = lpAppendEntry(dst, itoa(int64(elems)))
		count += elems + 1
	}
	return lpFinish(dst, start, count)
}
