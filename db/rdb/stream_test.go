package rdb

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/internal/redistest"
	"github.com/mini-redis/mini-redis/internal/redistest/redisconn"
)

// streamCommands make streams of every shape in Redis: many nodes,
// deleted entries, fields that differ from the master's, integers,
// groups with pending, claimed and acknowledged entries, empty streams.
func streamCommands() [][]string {
	var cmds [][]string
	for i := 1; i <= 230; i++ {
		c := []string{"XADD", "big", strconv.Itoa(100+i) + "-" + strconv.Itoa(i%4), "f", "v" + strconv.Itoa(i), "n", strconv.Itoa(i * -300)}
		if i%13 == 0 {
			c = append(c, "long", strings.Repeat("y", 5*i))
		}
		cmds = append(cmds, c)
	}
	return append(cmds,
		[]string{"XDEL", "big", "102-2", "150-2", "201-1"},
		[]string{"XADD", "small", "1-1", "a", "1"},
		[]string{"XADD", "small", "2-0", "b", "12345678901"},
		[]string{"XADD", "gone", "5-5", "a", "b"},
		[]string{"XDEL", "gone", "5-5"},
		[]string{"XGROUP", "CREATE", "empty", "g", "$", "MKSTREAM"},
		[]string{"XGROUP", "CREATE", "big", "g1", "0"},
		[]string{"XGROUP", "CREATE", "big", "g0", "200-0", "ENTRIESREAD", "99"},
		[]string{"XREADGROUP", "GROUP", "g1", "c1", "COUNT", "10", "STREAMS", "big", ">"},
		[]string{"XREADGROUP", "GROUP", "g1", "c2", "COUNT", "3", "STREAMS", "big", ">"},
		[]string{"XACK", "big", "g1", "103-3"},
		[]string{"XCLAIM", "big", "g1", "c3", "0", "104-0", "RETRYCOUNT", "5"},
		[]string{"XGROUP", "CREATECONSUMER", "big", "g0", "idle"},
	)
}

// TestRedisStreams has redis-server save streams, reads them, and writes
// each back as the DUMP payload Redis gives it, byte for byte, with and
// without compression.
func TestRedisStreams(t *testing.T) {
	for _, compression := range []string{"yes", "no"} {
		t.Run("rdbcompression "+compression, func(t *testing.T) {
			srv := redistest.Start(t, "rdbcompression", compression)
			c := redisconn.Dial(t, srv.Addr)
			for _, cmd := range streamCommands() {
				if r := c.Do(cmd...); r.Type == '-' {
					t.Fatalf("%v: %s", cmd, r.Str)
				}
			}
			c.Do("SAVE")
			data, err := os.ReadFile(filepath.Join(srv.Dir, "dump.rdb"))
			if err != nil {
				t.Fatal(err)
			}
			es := checkStreams(t, data)
			for _, e := range es {
				got, err := AppendDump(nil, e, WriterOptions{NoCompression: compression == "no"})
				if err != nil {
					t.Fatal(err)
				}
				if want := c.Do("DUMP", string(e.Key)).Str; !bytes.Equal(got, want) {
					t.Errorf("dump of %s:\n%q\nredis:\n%q", e.Key, got, want)
				}
			}
			if *update && compression == "yes" {
				writeTestdata(t, "streams.rdb", data)
			}
		})
	}
}

// TestGoldenStreams reads the streams redis-server wrote, without it,
// and writes and reads them again.
func TestGoldenStreams(t *testing.T) {
	es := checkStreams(t, readTestdata(t, "streams.rdb"))
	again := writeAll(t, WriterOptions{}, es)
	var back []Entry
	if _, err := Load(bytes.NewReader(again), func(e Entry) error { back = append(back, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, es) {
		t.Errorf("written and read again:\n%+v\nwant:\n%+v", back, es)
	}
	var simple []Entry
	if _, err := Load(bytes.NewReader(readTestdata(t, "stream-simple.rdb")), func(e Entry) error { simple = append(simple, e); return nil }); err != nil {
		t.Fatal(err)
	}
	want := &Stream{Length: 1, LastID: StreamID{1, 1}, FirstID: StreamID{1, 1}, EntriesAdded: 1, Nodes: []StreamNode{{
		Master: StreamID{1, 1}, Fields: [][]byte{[]byte("f")},
		Entries: []StreamEntry{{ID: StreamID{1, 1}, Pairs: []HashPair{{[]byte("f"), []byte("v")}}}},
	}}}
	if len(simple) != 2 || simple[0].Type != TypeStream || !reflect.DeepEqual(simple[0].Stream, want) {
		t.Errorf("stream-simple.rdb: %+v", simple)
	}
}

// checkStreams loads the streams streamCommands made and checks what
// they hold.
func checkStreams(t *testing.T, data []byte) []Entry {
	t.Helper()
	byKey := map[string]*Stream{}
	var es []Entry
	if _, err := Load(bytes.NewReader(data), func(e Entry) error {
		if e.Type != TypeStream || e.Stream == nil {
			t.Errorf("%s: type %v", e.Key, e.Type)
		}
		byKey[string(e.Key)] = e.Stream
		es = append(es, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	big, small, gone, empty := byKey["big"], byKey["small"], byKey["gone"], byKey["empty"]
	if big == nil || small == nil || gone == nil || empty == nil {
		t.Fatalf("streams: %v", byKey)
	}
	if big.Length != 227 || big.EntriesAdded != 230 || len(big.Nodes) != 5 || big.MaxDeletedID != (StreamID{201, 1}) || big.LastID != (StreamID{330, 2}) {
		t.Errorf("big: length %d, added %d, %d nodes, max deleted %v, last %v", big.Length, big.EntriesAdded, len(big.Nodes), big.MaxDeletedID, big.LastID)
	}
	if n := big.Nodes[0]; len(n.Entries) != 100 || !n.Entries[1].Deleted || n.Entries[0].Deleted || len(n.Entries[12].Pairs) != 3 {
		t.Errorf("big's first node: %d entries", len(n.Entries))
	}
	if len(big.Groups) != 2 || string(big.Groups[0].Name) != "g0" || big.Groups[0].EntriesRead != 99 || string(big.Groups[1].Name) != "g1" {
		t.Fatalf("big's groups: %+v", big.Groups)
	}
	g1 := big.Groups[1]
	if len(g1.PEL) != 12 || len(g1.Consumers) != 3 || len(g1.Consumers[2].PEL) != 1 || g1.PEL[1].DeliveryCount != 5 {
		t.Errorf("g1: %+v", g1)
	}
	if gone.Length != 0 || len(gone.Nodes) != 0 || gone.LastID != (StreamID{5, 5}) {
		t.Errorf("gone: %+v", gone)
	}
	if len(empty.Groups) != 1 || empty.Groups[0].EntriesRead != -1 {
		t.Errorf("empty: %+v", empty)
	}
	return es
}

// TestCorruptStreams: damaged stream records are Redis's errors, never a
// crash.
func TestCorruptStreams(t *testing.T) {
	key := func(ms, seq uint64) []byte {
		var b [16]byte
		for i := range 8 {
			b[7-i], b[15-i] = byte(ms>>(8*i)), byte(seq>>(8*i))
		}
		return b[:]
	}
	node := lpOf("1", "0", "1", "f", "0", "2", "0", "0", "v", "4")
	meta := []byte{1, 1, 1, 1, 1, 0, 0, 1, 0}
	for _, tc := range []struct {
		name string
		body []byte
		msg  string
	}{
		{"valid", append(append(append([]byte{1}, rdbBlob(key(1, 1))...), rdbBlob(node)...), meta...), ""},
		{"short node key", append(append([]byte{1}, rdbBlob([]byte("abc"))...), rdbBlob(node)...), "Stream node key entry is not the size of a stream ID"},
		{"bad listpack", append(append([]byte{1}, rdbBlob(key(1, 1))...), rdbBlob([]byte{1, 2, 3})...), "Stream integrity check failed"},
		{"bad lp-count", append(append(append([]byte{1}, rdbBlob(key(1, 1))...), rdbBlob(lpOf("1", "0", "1", "f", "0", "2", "0", "0", "v", "9"))...), meta...), "lp-count"},
		{"wrong counts", append(append(append([]byte{1}, rdbBlob(key(1, 1))...), rdbBlob(lpOf("2", "0", "1", "f", "0", "2", "0", "0", "v", "4"))...), meta...), "master entry counts"},
		{"wrong length", append(append(append([]byte{1}, rdbBlob(key(1, 1))...), rdbBlob(node)...), 2, 1, 1, 1, 1, 0, 0, 1, 0), "Stream length inconsistent with rax entries"},
		{"consumer without PEL entry", append(append(append([]byte{1}, rdbBlob(key(1, 1))...), rdbBlob(node)...),
			append([]byte{1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 'g', 1, 1, 1, 0, 1, 1, 'c'}, append(append(make([]byte, 8), 1), key(9, 9)...)...)...), "Consumer entry not found in group global PEL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := newFile(10).raw(typeStreamListpacks2).str("s").raw(tc.body...).end()
			_, err := Load(bytes.NewReader(data), func(Entry) error { return nil })
			if tc.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Load = %v, want an *Error saying %q", err, tc.msg)
			}
		})
	}
}

// TestStreamType15: Redis 5 and 6's streams (RDB type 15) have no first
// ID, max deleted ID, entries added nor entries read: the first ID is the
// first live entry's, entries added the length, entries read unknown.
func TestStreamType15(t *testing.T) {
	master := []byte{0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}
	node := lpOf("1", "1", "1", "f", "0", "3", "0", "0", "a", "4", "2", "0", "1", "b", "4")
	body := append(append([]byte{1}, rdbBlob(master)...), rdbBlob(node)...)
	// length 1, last ID 1-2; a group "g" at 0-0 with no PEL nor consumers.
	body = append(body, 1, 1, 2, 1, 1, 'g', 0, 0, 0, 0)
	data := newFile(9).raw(typeStreamListpacks).str("s").raw(body...).end()
	var got []Entry
	if _, err := Load(bytes.NewReader(data), func(e Entry) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	want := &Stream{Length: 1, LastID: StreamID{1, 2}, FirstID: StreamID{1, 2}, EntriesAdded: 1,
		Nodes: []StreamNode{{Master: StreamID{1, 1}, Fields: [][]byte{[]byte("f")}, Entries: []StreamEntry{
			{ID: StreamID{1, 1}, Deleted: true, Pairs: []HashPair{{[]byte("f"), []byte("a")}}},
			{ID: StreamID{1, 2}, Pairs: []HashPair{{[]byte("f"), []byte("b")}}},
		}}},
		Groups: []StreamGroup{{Name: []byte("g"), EntriesRead: -1}},
	}
	if len(got) != 1 || !reflect.DeepEqual(got[0].Stream, want) {
		t.Fatalf("Load = %+v, want %+v", got[0].Stream, want)
	}
}

// benchStream is a stream of 100,000 entries in nodes of 100, with one
// group whose PEL holds every tenth entry.
func benchStream() Entry {
	s := &Stream{}
	g := StreamGroup{Name: []byte("g"), EntriesRead: -1}
	c := StreamConsumer{Name: []byte("c")}
	for n := range 1000 {
		node := StreamNode{Master: StreamID{uint64(n * 100), 0}, Fields: [][]byte{[]byte("field"), []byte("n")}}
		for i := range 100 {
			id := StreamID{uint64(n*100 + i), 0}
			node.Entries = append(node.Entries, StreamEntry{ID: id, Pairs: []HashPair{
				{[]byte("field"), []byte("value " + strconv.Itoa(i))}, {[]byte("n"), []byte(strconv.Itoa(n * i))}}})
			if i%10 == 0 {
				g.PEL = append(g.PEL, StreamPending{ID: id, DeliveryTime: 1 << 40, DeliveryCount: 1})
				c.PEL = append(c.PEL, id)
			}
			s.LastID = id
		}
		s.Nodes = append(s.Nodes, node)
	}
	g.Consumers = []StreamConsumer{c}
	s.Groups = []StreamGroup{g}
	s.Length, s.EntriesAdded = 100_000, 100_000
	return Entry{Key: []byte("stream"), Type: TypeStream, Stream: s}
}

func BenchmarkWriteStream(b *testing.B) {
	e := benchStream()
	var size int64
	b.ReportAllocs()
	for b.Loop() {
		var cw countingWriter
		w := NewWriter(&cw, WriterOptions{})
		if err := w.WriteEntry(e); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		size = cw.n
	}
	b.SetBytes(size)
}

func BenchmarkReadStream(b *testing.B) {
	data := writeAll(b, WriterOptions{}, []Entry{benchStream()})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(bytes.NewReader(data), func(Entry) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
