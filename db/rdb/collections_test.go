package rdb

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
	"github.com/mini-redis/mini-redis/internal/redistest/redisconn"
)

// Lists, hashes and sets, both ways: dumps redis-server 7.0.15 writes
// (testdata/collections*.rdb) must read here as the values that filled
// it, and dumps Writer writes must load into redis-server as the values
// written.

func strs(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func pairsOf(kv ...string) []HashPair {
	out := make([]HashPair, len(kv)/2)
	for i := range out {
		out[i] = HashPair{Field: []byte(kv[2*i]), Value: []byte(kv[2*i+1])}
	}
	return out
}

func list(db int, key string, expireAt int64, elems [][]byte) Entry {
	return Entry{DB: db, Key: []byte(key), Type: TypeList, Encoding: EncodingQuicklist, Elems: elems, ExpireAt: expireAt}
}

func hash(db int, key, enc string, expireAt int64, pairs []HashPair) Entry {
	return Entry{DB: db, Key: []byte(key), Type: TypeHash, Encoding: enc, Pairs: pairs, ExpireAt: expireAt}
}

func set(db int, key, enc string, expireAt int64, members [][]byte) Entry {
	return Entry{DB: db, Key: []byte(key), Type: TypeSet, Encoding: enc, Elems: members, ExpireAt: expireAt}
}

// integerStrings are elements at the edges of every integer encoding of
// listpacks, intsets and RDB strings, and strings that look like integers
// but are not canonical.
var integerStrings = []string{
	"0", "1", "-1", "12", "13", "127", "128", "-128", "-129", "4095", "4096", "-4096", "-4097",
	"32767", "32768", "-32768", "-32769", "8388607", "8388608", "-8388608", "-8388609",
	"2147483647", "2147483648", "-2147483648", "-2147483649",
	"9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
	"007", "-0", "+1", " 1", "1 ", "1e3", "0x10",
}

// seq returns n elements made by f.
func seq(n int, f func(i int) string) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = []byte(f(i))
	}
	return out
}

// goldenCollections are the keys of the collection golden files: lists
// of one node and of many (integers, strings of each listpack length
// encoding, elements bigger than a node), hashes in both encodings at the
// limits that decide between them, sets of each intset width and
// hashtables, expiring keys, several databases.
func goldenCollections() []Entry {
	lp := EncodingListpack
	ht := EncodingHashtable
	is := EncodingIntset
	edgeStrings := [][]byte{
		[]byte(""), []byte("a"), []byte("binary \x00\r\n\xff"),
		bytes.Repeat([]byte("6"), 63), bytes.Repeat([]byte("s"), 64),
		bytes.Repeat([]byte("t"), 4095), bytes.Repeat([]byte("u"), 4096),
	}
	small := append(strs(integerStrings...), edgeStrings...)

	var es []Entry
	es = append(es,
		list(0, "list:small", 0, small),
		list(0, "list:one", 0, strs("only")),
		list(0, "list:nodes", 0, seq(5000, func(i int) string { return "element:" + strconv.Itoa(i) })),
		list(0, "list:ints", 0, seq(4000, func(i int) string { return strconv.Itoa(i*7919 - 10000000) })),
		list(0, "list:big elements", 0, [][]byte{
			[]byte("head"), pseudoRandom("big 1", 10000), []byte("between"), bytes.Repeat([]byte("z"), 9000),
			pseudoRandom("big 3", 8170), []byte("tail"),
		}),
		list(0, "list:expiring", farFuture+100, strs("a", "b", "3")),
		list(0, "list:compressible", 0, seq(300, func(i int) string { return strings.Repeat("ab", 20) })),

		hash(0, "hash:small", lp, 0, pairsOf("f1", "v1", "f2", "2", "3", "three", "", "empty field", "empty value", "")),
		hash(0, "hash:ints", lp, 0, func() []HashPair {
			var ps []HashPair
			for i, s := range integerStrings {
				ps = append(ps, HashPair{Field: []byte(s), Value: []byte(integerStrings[len(integerStrings)-1-i])})
			}
			return ps
		}()),
		hash(0, "hash:64-byte value", lp, 0, pairsOf(strings.Repeat("f", 64), strings.Repeat("v", 64))),
		hash(0, "hash:65-byte value", ht, 0, pairsOf("f", strings.Repeat("v", 65), "g", "short")),
		hash(0, "hash:512 fields", lp, 0, func() []HashPair {
			var ps []HashPair
			for i := range 512 {
				ps = append(ps, HashPair{Field: []byte("field:" + strconv.Itoa(i)), Value: []byte(strconv.Itoa(i * i))})
			}
			return ps
		}()),
		hash(0, "hash:513 fields", ht, 0, func() []HashPair {
			var ps []HashPair
			for i := range 513 {
				ps = append(ps, HashPair{Field: []byte("field:" + strconv.Itoa(i)), Value: []byte("value " + strconv.Itoa(i))})
			}
			return ps
		}()),
		hash(0, "hash:expiring", lp, farFuture+200, pairsOf("f", "v")),

		set(0, "set:int16", is, 0, strs("-32768", "-5", "0", "7", "32767")),
		set(0, "set:int32", is, 0, strs("-2147483648", "1", "2147483647")),
		set(0, "set:int64", is, 0, strs("-9223372036854775808", "-1", "9223372036854775807")),
		set(0, "set:512 ints", is, 0, seq(512, func(i int) string { return strconv.Itoa(i*3 - 700) })),
		set(0, "set:513 ints", ht, 0, seq(513, func(i int) string { return strconv.Itoa(i * 3) })),
		set(0, "set:strings", ht, 0, strs("a", "b", "", "007", "binary\x00")),
		set(0, "set:mixed", ht, 0, strs("1", "2", "x", "-0")),
		set(0, "set:expiring", is, farFuture+300, strs("1", "2")),

		list(1, "list", 0, strs("in", "db", "1")),
		hash(1, "hash", ht, farFuture+400, pairsOf("long", strings.Repeat("x", 100))),
		set(1, "set", ht, 0, strs("in db 1")),
		set(15, "set", is, 0, strs("15")),
	)
	return es
}

// fillCollections stores es in a running Redis. A set with a member
// removed again ("set:widened") is left alone: see widenedSet.
func fillCollections(c *redisconn.Conn, es []Entry) {
	for _, e := range es {
		c.Do("SELECT", strconv.Itoa(e.DB))
		key := string(e.Key)
		switch e.Type {
		case TypeString:
			c.Do("SET", key, string(e.Value))
		case TypeList, TypeSet:
			cmd := map[Type]string{TypeList: "RPUSH", TypeSet: "SADD"}[e.Type]
			for chunk := range slices.Chunk(e.Elems, 100) {
				args := []string{cmd, key}
				for _, el := range chunk {
					args = append(args, string(el))
				}
				c.Do(args...)
			}
		case TypeHash:
			for chunk := range slices.Chunk(e.Pairs, 100) {
				args := []string{"HSET", key}
				for _, p := range chunk {
					args = append(args, string(p.Field), string(p.Value))
				}
				c.Do(args...)
			}
		case TypeZSet:
			for i := 0; i < len(e.Elems); i += 100 {
				args := []string{"ZADD", key}
				for j := i; j < min(i+100, len(e.Elems)); j++ {
					args = append(args, scoreArg(e.Scores[j]), string(e.Elems[j]))
				}
				c.Do(args...)
			}
		}
		if e.ExpireAt != 0 {
			c.Do("PEXPIREAT", key, strconv.FormatInt(e.ExpireAt, 10))
		}
	}
	c.Do("SELECT", "0")
}

// widenedSet is a set whose intset Redis widened to 32 bits for a member
// since removed: small numbers in a wide intset.
var widenedSet = set(2, "set:widened", EncodingIntset, 0, strs("1", "2", "3"))

func fillWidenedSet(c *redisconn.Conn) {
	c.Do("SELECT", "2")
	c.Do("SADD", "set:widened", "1", "2", "3", "100000")
	c.Do("SREM", "set:widened", "100000")
	c.Do("SELECT", "0")
}

// redisEntries reads back every key of databases dbs from a running Redis,
// as Entries whose Encoding is what OBJECT ENCODING says.
func redisEntries(t *testing.T, c *redisconn.Conn, dbs ...int) []Entry {
	t.Helper()
	var es []Entry
	for _, db := range dbs {
		c.Do("SELECT", strconv.Itoa(db))
		for _, key := range redisconn.Strings(c.Do("KEYS", "*")) {
			e := Entry{DB: db, Key: []byte(key)}
			typ := string(c.Do("TYPE", key).Str)
			enc := string(c.Do("OBJECT", "ENCODING", key).Str)
			switch typ {
			case "string":
				e.Value = c.Do("GET", key).Str
			case "list":
				e.Type, e.Encoding = TypeList, enc
				for _, f := range c.Do("LRANGE", key, "0", "-1").Elems {
					e.Elems = append(e.Elems, f.Str)
				}
			case "hash":
				e.Type, e.Encoding = TypeHash, enc
				all := c.Do("HGETALL", key).Elems
				for i := 0; i+1 < len(all); i += 2 {
					e.Pairs = append(e.Pairs, HashPair{Field: all[i].Str, Value: all[i+1].Str})
				}
			case "set":
				e.Type, e.Encoding = TypeSet, enc
				for _, f := range c.Do("SMEMBERS", key).Elems {
					e.Elems = append(e.Elems, f.Str)
				}
			case "zset":
				e.Type, e.Encoding = TypeZSet, enc
				all := c.Do("ZRANGE", key, "0", "-1", "WITHSCORES").Elems
				for i := 0; i+1 < len(all); i += 2 {
					f, err := strconv.ParseFloat(string(all[i+1].Str), 64)
					if err != nil {
						t.Fatalf("%s: score %q: %v", key, all[i+1].Str, err)
					}
					e.Elems = append(e.Elems, all[i].Str)
					e.Scores = append(e.Scores, f)
				}
			default:
				t.Fatalf("db %d key %q has type %s", db, key, typ)
			}
			if exp := intReply(t, c, "PEXPIRETIME", key); exp > 0 {
				e.ExpireAt = exp
			}
			es = append(es, e)
		}
	}
	c.Do("SELECT", "0")
	return es
}

// valueDiff describes how got differs from want, or returns "". The order
// of a list, of a listpack hash (insertion order) and of an intset
// (ascending) counts; that of a hashtable does not.
func valueDiff(got, want Entry) string {
	switch {
	case got.Type != want.Type:
		return fmt.Sprintf("type %v, want %v", got.Type, want.Type)
	case got.ExpireAt != want.ExpireAt:
		return fmt.Sprintf("expires at %d, want %d", got.ExpireAt, want.ExpireAt)
	case got.Encoding != want.Encoding:
		return fmt.Sprintf("encoding %q, want %q", got.Encoding, want.Encoding)
	}
	ordered := want.Encoding != EncodingHashtable
	switch want.Type {
	case TypeString:
		if !bytes.Equal(got.Value, want.Value) {
			return fmt.Sprintf("value %.40q, want %.40q", got.Value, want.Value)
		}
	case TypeList, TypeSet:
		return elemsDiff(got.Elems, want.Elems, ordered)
	case TypeZSet:
		return zsetDiff(got, want)
	case TypeHash:
		flat := func(ps []HashPair) [][]byte {
			var out [][]byte
			for _, p := range ps {
				out = append(out, slices.Concat(p.Field, []byte{0}, p.Value))
			}
			return out
		}
		return elemsDiff(flat(got.Pairs), flat(want.Pairs), ordered)
	}
	return ""
}

func elemsDiff(got, want [][]byte, ordered bool) string {
	if !ordered {
		got = slices.SortedFunc(slices.Values(got), bytes.Compare)
		want = slices.SortedFunc(slices.Values(want), bytes.Compare)
	}
	if len(got) != len(want) {
		return fmt.Sprintf("%d elements, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			return fmt.Sprintf("element %d is %.40q, want %.40q", i, got[i], want[i])
		}
	}
	return ""
}

// sameKeys checks that got holds exactly the keys of want, with the same
// values, in any order.
func sameKeys(t *testing.T, got, want []Entry) {
	t.Helper()
	byID := make(map[string]Entry)
	for _, e := range got {
		if _, dup := byID[entryID(e)]; dup {
			t.Errorf("%s twice", entryID(e))
		}
		byID[entryID(e)] = e
	}
	for _, w := range want {
		g, ok := byID[entryID(w)]
		if !ok {
			t.Errorf("%s missing", entryID(w))
			continue
		}
		delete(byID, entryID(w))
		if d := valueDiff(g, w); d != "" {
			t.Errorf("%s: %s", entryID(w), d)
		}
	}
	for id := range byID {
		t.Errorf("%s is there but should not be", id)
	}
}

func loadAll(t *testing.T, data []byte) ([]Entry, Info) {
	t.Helper()
	var es []Entry
	info, err := Load(bytes.NewReader(data), func(e Entry) error {
		es = append(es, e)
		return nil
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return es, info
}

// collectionVariants are the golden files of collections, with the Redis
// settings that wrote them: compressed, the listpacks and intsets are LZF
// strings.
var collectionVariants = []struct {
	file       string
	directives []string
}{
	{"collections.rdb", nil},
	{"collections-nocompression.rdb", []string{"rdbcompression", "no"}},
}

func allGoldenCollections() []Entry {
	return append(goldenCollections(), widenedSet, Entry{DB: 0, Key: []byte("a string"), Value: []byte("among them")})
}

// TestRedisCollectionsDump has redis-server 7 save the golden collections
// and reads its dump, after checking that Redis holds them in the
// encodings the test expects.
func TestRedisCollectionsDump(t *testing.T) {
	for _, v := range collectionVariants {
		t.Run(v.file, func(t *testing.T) {
			srv := redistest.Start(t, v.directives...)
			c := redisconn.Dial(t, srv.Addr)
			want := allGoldenCollections()
			fillCollections(c, want)
			fillWidenedSet(c)
			sameKeys(t, redisEntries(t, c, 0, 1, 2, 15), want)
			data := saveRedisDump(t, srv, c)
			got, _ := loadAll(t, data)
			sameKeys(t, got, want)
			if *update {
				writeTestdata(t, v.file, data)
			}
		})
	}
}

// TestGoldenCollections reads the dumps redis-server wrote, without it.
func TestGoldenCollections(t *testing.T) {
	for _, v := range collectionVariants {
		t.Run(v.file, func(t *testing.T) {
			data := readTestdata(t, v.file)
			got, info := loadAll(t, data)
			sameKeys(t, got, allGoldenCollections())
			if info.Aux["redis-ver"] != "7.0.15" || info.Version != 10 {
				t.Errorf("redis-ver %q, version %d; want 7.0.15, 10", info.Aux["redis-ver"], info.Version)
			}
		})
	}
	// The variants differ in what they hold: LZF strings or not.
	if c, n := len(readTestdata(t, "collections.rdb")), len(readTestdata(t, "collections-nocompression.rdb")); c > n*3/4 {
		t.Errorf("the compressed dump has %d bytes, the other %d", c, n)
	}
}

// TestRedisPlainNodes has Redis 7.0 write list elements in plain quicklist
// nodes, which it does from 1 GB (DEBUG QUICKLIST-PACKED-THRESHOLD lowers
// that), and reads them.
func TestRedisPlainNodes(t *testing.T) {
	srv := redistest.Start(t, "enable-debug-command", "yes")
	c := redisconn.Dial(t, srv.Addr)
	c.Do("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100")
	want := []Entry{
		list(0, "plain", 0, [][]byte{
			[]byte("small"), bytes.Repeat([]byte("p"), 100), []byte("12"), pseudoRandom("plain", 5000), []byte("last"),
		}),
		list(0, "only plain", farFuture, [][]byte{pseudoRandom("only", 300)}),
	}
	fillCollections(c, want)
	data := saveRedisDump(t, srv, c)
	if *update {
		writeTestdata(t, "list-plain-nodes.rdb", data)
	}
	for _, d := range [][]byte{data, readTestdata(t, "list-plain-nodes.rdb")} {
		got, _ := loadAll(t, d)
		sameKeys(t, got, want)
		// Type 18, then the key, 3 nodes, and the first one is packed.
		if !bytes.Contains(d, []byte("\x12\x05plain\x05\x02")) || !bytes.Contains(d, []byte("\x0aonly plain\x01\x01")) {
			t.Errorf("no plain nodes where expected in the dump")
		}
	}
}

// collectionsToWrite are the golden collections and more that Redis does
// not write the same way: a list with plain nodes, a hash written as a
// listpack past Redis's limits, hashtables Redis loads as listpacks or
// intsets.
func collectionsToWrite() []Entry {
	return append(goldenCollections(),
		hash(3, "listpack with long value", EncodingListpack, 0, pairsOf("f", strings.Repeat("v", 300))),
		hash(3, "hashtable of 1", EncodingHashtable, 0, pairsOf("f", "v")),
		set(3, "hashtable of ints", EncodingHashtable, 0, strs("3", "1", "2")),
		list(3, "ints", farFuture, seq(100000, strconv.Itoa)),
	)
}

// loadedByRedis is what Redis 7.0 makes of collectionsToWrite: a listpack
// hash is loaded as one, whatever its values (only its length is checked),
// but a hashtable small enough becomes a listpack, and a hashtable set of
// integers an intset.
func loadedByRedis(es []Entry) []Entry {
	out := slices.Clone(es)
	for i, e := range out {
		switch string(e.Key) {
		case "hashtable of 1":
			out[i].Encoding = EncodingListpack
		case "hashtable of ints":
			out[i].Encoding = EncodingIntset
			out[i].Elems = strs("1", "2", "3")
		}
	}
	return out
}

// TestRedisLoadsCollections writes collections with Writer, has
// redis-check-rdb check the file and redis-server load it, sanitizing
// every payload, and compares what it holds.
func TestRedisLoadsCollections(t *testing.T) {
	es := collectionsToWrite()
	for _, opts := range []WriterOptions{{}, {NoCompression: true}} {
		t.Run(fmt.Sprintf("NoCompression=%v", opts.NoCompression), func(t *testing.T) {
			opts.Time = time.Unix(1700000000, 0)
			data := writeAll(t, opts, es)
			checkWithRedisCheckRDB(t, data)
			srv := startRedisWithDump(t, data, "sanitize-dump-payload", "yes")
			sameKeys(t, redisEntries(t, redisconn.Dial(t, srv.Addr), 0, 1, 3, 15), loadedByRedis(es))
			// And back: what Writer wrote reads as it was written.
			got, _ := loadAll(t, data)
			sameKeys(t, got, es)
		})
	}
}

// TestRedisLoadsPlainNodes: Writer puts elements from plainThreshold bytes
// (1 GB; lowered here) in plain nodes, which Redis loads.
func TestRedisLoadsPlainNodes(t *testing.T) {
	defer func(n int) { plainThreshold = n }(plainThreshold)
	plainThreshold = 100
	es := []Entry{
		list(0, "plain", 0, [][]byte{
			[]byte("small"), bytes.Repeat([]byte("p"), 100), []byte("12"), pseudoRandom("plain", 5000), []byte("last"),
		}),
		list(0, "only plain", farFuture, [][]byte{pseudoRandom("only", 300)}),
	}
	data := writeAll(t, WriterOptions{}, es)
	if !bytes.Contains(data, []byte("\x12\x05plain\x05\x02")) {
		t.Fatalf("no plain nodes in %q", data)
	}
	checkWithRedisCheckRDB(t, data)
	srv := startRedisWithDump(t, data, "sanitize-dump-payload", "yes")
	sameKeys(t, redisEntries(t, redisconn.Dial(t, srv.Addr), 0), es)
}

// TestWriterMatchesRedisCollections has redis-server and Writer save the
// same collections, without compression, and compares the files byte for
// byte: the listpacks, the intsets and the split of lists into nodes are
// Redis's. One key per database, as Redis orders keys by hash, and no
// hashtable of more than one element, whose order is Redis's dict's.
func TestWriterMatchesRedisCollections(t *testing.T) {
	var es []Entry
	for _, e := range goldenCollections() {
		if e.DB != 0 || e.ExpireAt != 0 || e.Encoding == EncodingHashtable && len(e.Elems)+len(e.Pairs) > 1 {
			continue
		}
		e.DB = len(es)
		es = append(es, e)
	}
	es = append(es,
		hash(len(es), "one long", EncodingHashtable, farFuture, pairsOf("f", strings.Repeat("v", 65))),
		set(len(es)+1, "one string", EncodingHashtable, 0, strs("member")),
	)
	for _, fill := range []int{0, -1, -5, 1, 100} {
		t.Run(fmt.Sprintf("list-max-listpack-size %d", fill), func(t *testing.T) {
			directives := []string{"rdbcompression", "no", "databases", "64"}
			if fill != 0 {
				directives = append(directives, "list-max-listpack-size", strconv.Itoa(fill))
			}
			srv := redistest.Start(t, directives...)
			c := redisconn.Dial(t, srv.Addr)
			fillCollections(c, es)
			c.Do("SAVE")
			requireWriterMatches(t, srv, es, WriterOptions{NoCompression: true, ListMaxListpackSize: fill})
		})
	}
}
