package db

import "github.com/mini-redis/mini-redis/internal/listpack"

// A StreamLoadEntry is one entry of a stream node being loaded (from an
// RDB file or a DUMP payload), deleted ones included.
type StreamLoadEntry struct {
	ID      StreamID
	Deleted bool
	KV      [][]byte // field, value, field, value...
}

// LoadNode appends a node with master ID master, master fields fields and
// entries es, as a dump holds it: Redis keeps its listpacks as they were
// cut, deleted entries included, so the node is not cut again. The
// entries must be in ID order, after the stream's, and include a live
// one. The caller sets the stream's IDs with LoadMeta afterwards.
func (s *Stream) LoadNode(master StreamID, fields [][]byte, es []StreamLoadEntry) {
	n := &streamNode{master: master, fields: make([]string, len(fields))}
	n.lpBytes = listpack.HeaderSize + listpack.IntSize(int64(len(fields))) + listpack.IntSize(0)
	for i, f := range fields {
		n.fields[i] = string(f)
		n.lpBytes += listpack.EntrySize(f)
	}
	for _, le := range es {
		e := streamEntry{id: le.ID, kv: cloneFields(le.KV), deleted: le.Deleted}
		n.lpBytes += n.entryBytes(&e)
		n.entries = append(n.entries, e)
		if le.Deleted {
			n.deleted++
		} else {
			n.live++
			s.length++
		}
	}
	s.nodes = append(s.nodes, n)
	s.bytes += streamNodeOverhead + n.lpSize() + len(n.entries)*streamEntryOverhead
	s.used = true
}

// LoadMeta sets the IDs and the entries-added counter of a stream being
// loaded, as the dump holds them.
func (s *Stream) LoadMeta(lastID, firstID, maxDeleted StreamID, entriesAdded int64) {
	s.used = true
	s.lastID, s.firstID, s.maxDeletedID, s.entriesAdded = lastID, firstID, maxDeleted, entriesAdded
}

// NodeEntries calls fn with every node of the stream, in order: its
// master ID and fields and its entries, deleted ones included, as an RDB
// file holds them. The slices are the stream's: fn must not change them.
func (s *Stream) NodeEntries(fn func(master StreamID, fields []string, es []StreamLoadEntry)) {
	var es []StreamLoadEntry
	for _, n := range s.nodes {
		es = es[:0]
		for _, e := range n.entries {
			es = append(es, StreamLoadEntry{ID: e.id, Deleted: e.deleted, KV: e.kv})
		}
		fn(n.master, n.fields, es)
	}
}
