package db

import (
	"slices"
	"strconv"
	"testing"
)

// A stream rebuilt node by node from NodeEntries, as a dump loads it, is
// the stream it was: the same nodes, entries, deleted flags, IDs and
// size accounting (MEMORY USAGE).
func TestStreamLoadNodeRoundTrip(t *testing.T) {
	lim := DefaultEncodingLimits()
	lim.StreamNodeMaxEntries = 7
	s := NewStream()
	for i := 1; i <= 40; i++ {
		kv := [][]byte{[]byte("f"), []byte(strconv.Itoa(i))}
		if i%5 == 0 {
			kv = append(kv, []byte("other"), []byte("x"))
		}
		if err := s.Append(StreamID{Ms: uint64(i), Seq: 1}, kv, lim); err != nil {
			t.Fatal(err)
		}
	}
	for _, ms := range []uint64{2, 3, 9, 40} {
		if !s.Delete(StreamID{Ms: ms, Seq: 1}) {
			t.Fatalf("Delete %d-1", ms)
		}
	}
	c := NewStream()
	s.NodeEntries(func(master StreamID, fields []string, es []StreamLoadEntry) {
		fs := make([][]byte, len(fields))
		for i, f := range fields {
			fs[i] = []byte(f)
		}
		c.LoadNode(master, fs, es)
	})
	c.LoadMeta(s.LastID(), s.FirstID(), s.MaxDeletedID(), s.EntriesAdded())
	if c.Size() != s.Size() || c.Len() != s.Len() || c.NodeCount() != s.NodeCount() ||
		c.LastID() != s.LastID() || c.FirstID() != s.FirstID() || c.MaxDeletedID() != s.MaxDeletedID() || c.EntriesAdded() != s.EntriesAdded() {
		t.Errorf("loaded: size %d len %d nodes %d; want %d %d %d", c.Size(), c.Len(), c.NodeCount(), s.Size(), s.Len(), s.NodeCount())
	}
	var got, want []string
	all := func(out *[]string) func(StreamID, [][]byte) bool {
		return func(id StreamID, kv [][]byte) bool {
			*out = append(*out, id.String()+":"+string(slices.Concat(kv...)))
			return true
		}
	}
	c.Range(StreamID{}, StreamID{Ms: ^uint64(0), Seq: ^uint64(0)}, false, all(&got))
	s.Range(StreamID{}, StreamID{Ms: ^uint64(0), Seq: ^uint64(0)}, false, all(&want))
	if !slices.Equal(got, want) || len(want) != 36 {
		t.Errorf("entries %v, want %v", got, want)
	}
	// Appending after the load cuts nodes as appending to the original.
	for _, st := range []*Stream{s, c} {
		st.Append(StreamID{Ms: 50}, [][]byte{[]byte("f"), []byte("v")}, lim)
	}
	if c.NodeCount() != s.NodeCount() || c.Size() != s.Size() {
		t.Errorf("after XADD: %d nodes, size %d; want %d, %d", c.NodeCount(), c.Size(), s.NodeCount(), s.Size())
	}
}
