package db

import (
	"fmt"
	"strconv"
	"testing"
)

func TestParseStreamID(t *testing.T) {
	max := ^uint64(0)
	for _, tt := range []struct {
		in      string
		missing uint64
		want    StreamID
		ok      bool
	}{
		{"1-2", 0, StreamID{1, 2}, true},
		{"5", 0, StreamID{5, 0}, true},
		{"5", max, StreamID{5, max}, true},
		{"0-0", 0, StreamID{}, true},
		{"18446744073709551615-18446744073709551615", 0, MaxStreamID, true},
		{"18446744073709551616-0", 0, StreamID{}, false},
		{"1-18446744073709551616", 0, StreamID{}, false},
		{"-1", 0, StreamID{}, false},  // a canonical negative integer
		{"-05", 0, StreamID{}, false}, // the dash splits first
		{"+5-+5", 0, StreamID{5, 5}, true},
		{"+5", 0, StreamID{5, 0}, true},
		{" 5", 0, StreamID{5, 0}, true},
		{"5 ", 0, StreamID{}, false},
		{"007-01", 0, StreamID{7, 1}, true},
		{"", 0, StreamID{}, false},
		{"1-", 0, StreamID{}, false},
		{"-", 0, StreamID{}, false},
		{"1-2-3", 0, StreamID{}, false},
		{"1-*", 0, StreamID{}, false},
		{"x", 0, StreamID{}, false},
		{"5\x00junk", 0, StreamID{5, 0}, true},
		{"1e3", 0, StreamID{}, false},
	} {
		got, err := ParseStreamID([]byte(tt.in), tt.missing)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseStreamID(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	long := make([]byte, 128)
	for i := range long {
		long[i] = '0'
	}
	if _, err := ParseStreamID(long, 0); err == nil {
		t.Error("an ID of 128 bytes parsed")
	}
	if _, err := ParseStreamID(long[:127], 0); err != nil {
		t.Errorf("an ID of 127 bytes: %v", err)
	}
}

func FuzzParseStreamID(f *testing.F) {
	for _, s := range []string{"1-2", "5", "-5", "-05", " 1", "18446744073709551615-18446744073709551615", "1-", "+1-+1", "\x001"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		id, err := ParseStreamID(b, 7)
		if err != nil {
			return
		}
		if len(b) > 127 {
			t.Fatalf("%q: parsed past 127 bytes", b)
		}
		// The formatted ID reads back as itself.
		back, err := ParseStreamID([]byte(id.String()), 0)
		if err != nil || back != id {
			t.Fatalf("%q: %v formats as %q, which reads %v, %v", b, id, id.String(), back, err)
		}
	})
}

func TestStreamIDNextPrev(t *testing.T) {
	max := ^uint64(0)
	for _, tt := range []struct {
		id, next StreamID
		ok       bool
	}{
		{StreamID{1, 1}, StreamID{1, 2}, true},
		{StreamID{1, max}, StreamID{2, 0}, true},
		{MaxStreamID, StreamID{}, false},
	} {
		if got, ok := tt.id.Next(); got != tt.next || ok != tt.ok {
			t.Errorf("%v.Next() = %v, %v", tt.id, got, ok)
		}
		if tt.ok {
			if p, ok := tt.next.Prev(); !ok || p != tt.id {
				t.Errorf("%v.Prev() = %v, %v", tt.next, p, ok)
			}
		}
	}
	if _, ok := (StreamID{}).Prev(); ok {
		t.Error("0-0 has a predecessor")
	}
}

func kv(pairs ...string) [][]byte {
	out := make([][]byte, len(pairs))
	for i, p := range pairs {
		out[i] = []byte(p)
	}
	return out
}

func ids(s *Stream, start, end StreamID, rev bool) []string {
	var out []string
	s.Range(start, end, rev, func(id StreamID, _ [][]byte) bool {
		out = append(out, id.String())
		return true
	})
	return out
}

// recount returns what a stream's Size should be, computed from scratch.
func recount(s *Stream) int {
	n := streamHeaderSize
	for _, nd := range s.nodes {
		n += streamNodeOverhead + nd.lpSize() + len(nd.entries)*streamEntryOverhead
	}
	return n
}

func TestStreamAppendRangeDelete(t *testing.T) {
	lim := DefaultEncodingLimits()
	s := NewStream()
	for i := 1; i <= 250; i++ {
		if err := s.Append(StreamID{uint64(i), 0}, kv("f", strconv.Itoa(i)), lim); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Append(StreamID{250, 0}, kv("f", "x"), lim); err != ErrStreamIDTooSmall {
		t.Errorf("Append of the last ID: %v", err)
	}
	if s.Len() != 250 || s.NodeCount() != 3 || s.EntriesAdded() != 250 {
		t.Errorf("Len %d, nodes %d, added %d; want 250, 3 (100 entries a node), 250", s.Len(), s.NodeCount(), s.EntriesAdded())
	}
	if got := ids(s, StreamID{99, 0}, StreamID{101, 5}, false); fmt.Sprint(got) != "[99-0 100-0 101-0]" {
		t.Errorf("range across a node boundary: %v", got)
	}
	if got := ids(s, StreamID{99, 0}, StreamID{101, 5}, true); fmt.Sprint(got) != "[101-0 100-0 99-0]" {
		t.Errorf("reverse range: %v", got)
	}
	if !s.Delete(StreamID{1, 0}) || s.Delete(StreamID{1, 0}) || s.Delete(StreamID{1000, 0}) {
		t.Error("Delete reports wrongly")
	}
	if s.FirstID() != (StreamID{2, 0}) || s.MaxDeletedID() != (StreamID{1, 0}) {
		t.Errorf("after deleting the first: first %v, max deleted %v", s.FirstID(), s.MaxDeletedID())
	}
	for i := 2; i <= 100; i++ {
		s.Delete(StreamID{uint64(i), 0})
	}
	if s.NodeCount() != 2 {
		t.Errorf("a node with no live entries stays: %d nodes", s.NodeCount())
	}
	if got := s.Size(); got != recount(s) {
		t.Errorf("Size %d, recounted %d", got, recount(s))
	}
	if kvs, ok := s.Get(StreamID{150, 0}); !ok || string(kvs[1]) != "150" {
		t.Errorf("Get(150-0) = %q, %v", kvs, ok)
	}
	if s.LastValidID() != (StreamID{250, 0}) {
		t.Errorf("LastValidID %v", s.LastValidID())
	}
}

func TestStreamNodeCutByBytes(t *testing.T) {
	lim := DefaultEncodingLimits()
	lim.StreamNodeMaxBytes = 200
	lim.StreamNodeMaxEntries = 0
	s := NewStream()
	for i := 1; i <= 20; i++ {
		s.Append(StreamID{uint64(i), 0}, kv("field", "a value of some length"), lim)
	}
	for _, n := range s.nodes {
		if n.lpSize() >= 200+len("field")+len("a value of some length") {
			t.Errorf("a node of %d bytes", n.lpSize())
		}
	}
	if s.NodeCount() < 3 {
		t.Errorf("%d nodes for 20 entries of ~25 bytes in 200-byte nodes", s.NodeCount())
	}
	if s.Size() != recount(s) {
		t.Errorf("Size %d, recounted %d", s.Size(), recount(s))
	}
}

func TestListpackSizes(t *testing.T) {
	// A node of one entry with fields the master's: header 7, count 2,
	// deleted 2, master fields count 2, "f" 3, terminator 2, flags 2,
	// ms delta 2, seq delta 2, value "1" 2, lp-count 2 = 28 bytes, as
	// Redis's listpack (with stream-node-max-bytes 30 a second such
	// entry starts a node, 28+2 >= 30; with 31 it does not).
	s := NewStream()
	s.Append(StreamID{1, 0}, kv("f", "1"), DefaultEncodingLimits())
	if got := s.nodes[0].lpSize(); got != 28 {
		t.Errorf("lpSize %d, want 28", got)
	}
}

func TestStreamTrim(t *testing.T) {
	lim := DefaultEncodingLimits()
	lim.StreamNodeMaxEntries = 10
	fill := func() *Stream {
		s := NewStream()
		for i := 1; i <= 35; i++ {
			s.Append(StreamID{uint64(i), 0}, kv("f", "v"), lim)
		}
		return s
	}
	for _, tt := range []struct {
		name          string
		trim          func(*Stream) int64
		deleted       int64
		length, nodes int
		first         StreamID
	}{
		{"exact maxlen", func(s *Stream) int64 { return s.TrimMaxLen(12, false, 0) }, 23, 12, 2, StreamID{24, 0}},
		{"approx maxlen", func(s *Stream) int64 { return s.TrimMaxLen(12, true, 0) }, 20, 15, 2, StreamID{21, 0}},
		{"approx maxlen limit", func(s *Stream) int64 { return s.TrimMaxLen(0, true, 15) }, 10, 25, 3, StreamID{11, 0}},
		{"exact minid", func(s *Stream) int64 { return s.TrimMinID(StreamID{15, 0}, false, 0) }, 14, 21, 3, StreamID{15, 0}},
		{"approx minid", func(s *Stream) int64 { return s.TrimMinID(StreamID{15, 0}, true, 0) }, 10, 25, 3, StreamID{11, 0}},
		{"maxlen 0", func(s *Stream) int64 { return s.TrimMaxLen(0, false, 0) }, 35, 0, 0, StreamID{}},
	} {
		s := fill()
		if got := tt.trim(s); got != tt.deleted || s.Len() != tt.length || s.NodeCount() != tt.nodes || s.FirstID() != tt.first {
			t.Errorf("%s: deleted %d, len %d, nodes %d, first %v; want %d, %d, %d, %v",
				tt.name, got, s.Len(), s.NodeCount(), s.FirstID(), tt.deleted, tt.length, tt.nodes, tt.first)
		}
		if s.Size() != recount(s) {
			t.Errorf("%s: Size %d, recounted %d", tt.name, s.Size(), recount(s))
		}
		if s.LastID() != (StreamID{35, 0}) {
			t.Errorf("%s: last ID %v", tt.name, s.LastID())
		}
	}
}

func TestStreamKeptWhenEmpty(t *testing.T) {
	st, _ := newTestStore(t, Options{})
	d := st.DB(0)
	k := []byte("s")
	tx := d.Write(k)
	s, _ := tx.MutableStream(k, true)
	s.Append(StreamID{1, 0}, kv("f", "v"), tx.Limits())
	s.TrimMaxLen(0, false, 0)
	tx.Close()
	tx = d.Read(k)
	got, err := tx.ReadStream(k)
	tx.Close()
	if err != nil || got == nil || got.Len() != 0 || got.LastID() != (StreamID{1, 0}) {
		t.Errorf("emptied stream: %v, %v", got, err)
	}
	// The copy a snapshot forces keeps it too.
	sn := st.BeginSnapshot()
	tx = d.Write(k)
	tx.MutableStream(k, false)
	tx.Close()
	sn.Collect()
	tx = d.Read(k)
	if !tx.Exists(k) {
		t.Error("an emptied stream copied for a snapshot was deleted")
	}
	tx.Close()
	// A stream given a group that goes again stays, as in Redis.
	k3 := []byte("s3")
	tx = d.Write(k3)
	s3, _ := tx.MutableStream(k3, true)
	s3.CreateGroup("g", StreamID{}, 0)
	s3.DeleteGroup("g")
	tx.Close()
	tx = d.Read(k3)
	if !tx.Exists(k3) {
		t.Error("a stream whose only group went was deleted")
	}
	tx.Close()
	// A stream created and left untouched is not stored.
	k2 := []byte("s2")
	tx = d.Write(k2)
	tx.MutableStream(k2, true)
	tx.Close()
	tx = d.Read(k2)
	if tx.Exists(k2) {
		t.Error("an untouched new stream was kept")
	}
	tx.Close()
}

func TestStreamSnapshotAndClone(t *testing.T) {
	st, _ := newTestStore(t, Options{})
	d := st.DB(0)
	k := []byte("s")
	tx := d.Write(k)
	s, _ := tx.MutableStream(k, true)
	for i := 1; i <= 5; i++ {
		s.Append(StreamID{uint64(i), 0}, kv("f", "v"), tx.Limits())
	}
	g := s.CreateGroup("g", StreamID{2, 0}, 2)
	c := g.CreateConsumer("c", 100)
	g.AddPending(StreamID{1, 0}, c, 100)
	tx.Close()

	sn := st.BeginSnapshot()
	tx = d.Write(k)
	s, _ = tx.MutableStream(k, false)
	s.Delete(StreamID{3, 0})
	s.Append(StreamID{6, 0}, kv("f", "v"), tx.Limits())
	s.Group("g").Ack(StreamID{1, 0})
	tx.Close()
	entries := sn.Collect()
	var frozen *Stream
	for _, e := range entries[0] {
		if e.Key == "s" {
			frozen = e.Value.(*Stream)
		}
	}
	if frozen == nil {
		t.Fatal("no stream in the snapshot")
	}
	if got := fmt.Sprint(ids(frozen, StreamID{}, MaxStreamID, false)); got != "[1-0 2-0 3-0 4-0 5-0]" {
		t.Errorf("snapshot sees %s", got)
	}
	if fg := frozen.Group("g"); fg == nil || fg.PEL.Len() != 1 || fg.Consumer("c").PEL.Len() != 1 {
		t.Error("snapshot's group changed")
	}

	cl := frozen.Clone()
	cl.Delete(StreamID{1, 0})
	cl.Group("g").Ack(StreamID{1, 0})
	if frozen.Len() != 5 || frozen.Group("g").PEL.Len() != 1 {
		t.Error("a change to the clone shows in the original")
	}
}

func TestStreamGroups(t *testing.T) {
	s := NewStream()
	if s.CreateGroup("b", StreamID{}, 0) == nil || s.CreateGroup("a", StreamID{}, StreamInvalidEntriesRead) == nil {
		t.Fatal("CreateGroup failed")
	}
	if s.CreateGroup("a", StreamID{}, 0) != nil {
		t.Error("a second group a")
	}
	if gs := s.Groups(); len(gs) != 2 || gs[0].Name != "a" || gs[1].Name != "b" {
		t.Errorf("Groups %v", gs)
	}
	g := s.Group("a")
	c1, c2 := g.CreateConsumer("c1", 10), g.CreateConsumer("c2", 20)
	if g.CreateConsumer("c1", 30) != nil || g.Consumer("c1") != c1 || c1.ActiveTime != -1 {
		t.Error("consumers")
	}
	for i := uint64(5); i >= 1; i-- {
		g.AddPending(StreamID{i, 0}, c1, 100)
	}
	g.MovePending(g.PEL.Get(StreamID{3, 0}), c2)
	if c1.PEL.Len() != 4 || c2.PEL.Len() != 1 || g.PEL.Len() != 5 {
		t.Errorf("PELs: c1 %d, c2 %d, group %d", c1.PEL.Len(), c2.PEL.Len(), g.PEL.Len())
	}
	var got []string
	g.PEL.Range(StreamID{2, 0}, StreamID{4, 0}, true, func(p *StreamPending) bool {
		got = append(got, p.ID.String()+"/"+p.Consumer.Name)
		return true
	})
	if fmt.Sprint(got) != "[4-0/c1 3-0/c2 2-0/c1]" {
		t.Errorf("PEL range %v", got)
	}
	if !g.Ack(StreamID{3, 0}) || g.Ack(StreamID{3, 0}) || c2.PEL.Len() != 0 {
		t.Error("Ack")
	}
	if n := g.DeleteConsumer("c1"); n != 4 || g.PEL.Len() != 0 || g.DeleteConsumer("c1") != -1 {
		t.Errorf("DeleteConsumer = %d, PEL %d", n, g.PEL.Len())
	}
	if cs := g.Consumers(); len(cs) != 1 || cs[0].Name != "c2" {
		t.Errorf("Consumers %v", cs)
	}
	if !s.DeleteGroup("a") || s.DeleteGroup("a") {
		t.Error("DeleteGroup")
	}
}

func BenchmarkStreamAppend(b *testing.B) {
	b.ReportAllocs()
	lim := DefaultEncodingLimits()
	s := NewStream()
	pairs := kv("field", "value", "n", "12345")
	for i := 0; i < b.N; i++ {
		s.Append(StreamID{uint64(i + 1), 0}, pairs, lim)
	}
}

func BenchmarkStreamRange(b *testing.B) {
	lim := DefaultEncodingLimits()
	s := NewStream()
	const size = 100_000
	for i := 1; i <= size; i++ {
		s.Append(StreamID{uint64(i), 0}, kv("f", "v"), lim)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		s.Range(StreamID{uint64(i%size + 1), 0}, MaxStreamID, false, func(StreamID, [][]byte) bool {
			n++
			return n < 10
		})
	}
}
