package db

import "encoding/binary"

// The consumer group arithmetic of Redis 7.0's t_stream.c that the group
// commands share: the logical read counters behind XINFO's entries-read
// and lag, and the shape of the radix tree XINFO STREAM reports.

// RangeHasTombstones reports whether an entry deleted from the stream may
// lie in [start, MaxStreamID] (streamRangeHasTombstones with no end).
func (s *Stream) RangeHasTombstones(start StreamID) bool {
	if s.length == 0 || s.maxDeletedID.IsZero() {
		return false
	}
	if s.maxDeletedID.Less(s.firstID) {
		return false // the latest deletion is before the first entry
	}
	return !s.maxDeletedID.Less(start)
}

// EstimateEntriesRead returns the logical read counter of id: how many
// entries were added up to it, or StreamInvalidEntriesRead when that
// cannot be told (streamEstimateDistanceFromFirstEverEntry).
func (s *Stream) EstimateEntriesRead(id StreamID) int64 {
	if s.entriesAdded == 0 {
		return 0
	}
	if s.length == 0 && id.Compare(s.lastID) < 1 {
		return s.entriesAdded
	}
	switch c := id.Compare(s.lastID); {
	case c == 0:
		return s.entriesAdded
	case c > 0:
		return StreamInvalidEntriesRead
	}
	if s.maxDeletedID.IsZero() || s.maxDeletedID.Less(s.firstID) {
		switch c := id.Compare(s.firstID); {
		case c < 0:
			return s.entriesAdded - int64(s.length)
		case c == 0:
			return s.entriesAdded - int64(s.length) + 1
		}
	}
	return StreamInvalidEntriesRead
}

// Lag returns the number of entries the group has yet to read, and false
// when that cannot be told (streamReplyWithCGLag).
func (s *Stream) Lag(g *StreamGroup) (int64, bool) {
	if s.entriesAdded == 0 {
		return 0, true
	}
	if g.EntriesRead != StreamInvalidEntriesRead && !s.RangeHasTombstones(g.LastID) {
		return s.entriesAdded - g.EntriesRead, true
	}
	if n := s.EstimateEntriesRead(g.LastID); n != StreamInvalidEntriesRead {
		return s.entriesAdded - n, true
	}
	return 0, false
}

// Deliver moves g's last ID to id, an entry just delivered past it, and
// its read counter along (the bookkeeping of streamReplyWithRange).
func (s *Stream) Deliver(g *StreamGroup, id StreamID) {
	if !g.LastID.Less(id) {
		return
	}
	if g.EntriesRead != StreamInvalidEntriesRead && !s.RangeHasTombstones(id) {
		g.EntriesRead++
	} else if s.entriesAdded != 0 {
		g.EntriesRead = s.EstimateEntriesRead(id)
	}
	g.LastID = id
}

// RaxNodes returns the number of nodes of the radix tree in which Redis
// keeps the stream's nodes, keyed by their master IDs in big-endian order
// (XINFO STREAM's radix-tree-nodes).
func (s *Stream) RaxNodes() int {
	keys := make([][16]byte, len(s.nodes))
	for i, n := range s.nodes {
		binary.BigEndian.PutUint64(keys[i][:8], n.master.Ms)
		binary.BigEndian.PutUint64(keys[i][8:], n.master.Seq)
	}
	if len(keys) == 0 {
		return 1 // the empty root
	}
	return raxCount(keys, 0)
}

// raxCount counts the nodes of the subtree at depth of the sorted keys,
// which share their first depth bytes, as a rax lays them out: a node
// where every key has ended; a compressed node holding the bytes all keys
// share next, over one child; or a branching node over one child per
// distinct next byte.
func raxCount(keys [][16]byte, depth int) int {
	if depth == 16 {
		return 1
	}
	end := depth
	for end < 16 && keys[0][end] == keys[len(keys)-1][end] {
		end++ // sorted keys share a byte if the first and last do
	}
	if end > depth {
		return 1 + raxCount(keys, end)
	}
	n := 1
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j][depth] == keys[i][depth] {
			j++
		}
		n += raxCount(keys[i:j], depth+1)
		i = j
	}
	return n
}

// CreateGroupQuietly is CreateGroup without counting a change to the
// stream, so that Close does not tell the key's watchers: Redis signals
// no change of a stream's groups, consumers or pending entries to WATCH.
func (s *Stream) CreateGroupQuietly(name string, lastID StreamID, entriesRead int64) *StreamGroup {
	mods := s.mods
	g := s.CreateGroup(name, lastID, entriesRead)
	s.mods = mods
	return g
}

// DeleteGroupQuietly is DeleteGroup without counting a change to the
// stream (see CreateGroupQuietly).
func (s *Stream) DeleteGroupQuietly(name string) bool {
	mods := s.mods
	ok := s.DeleteGroup(name)
	s.mods = mods
	return ok
}
