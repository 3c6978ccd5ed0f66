package server

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/db/rdb"
	"github.com/mini-redis/mini-redis/internal/redistest"
	"github.com/mini-redis/mini-redis/internal/redistest/redisconn"
	"go.uber.org/zap"
)

// Lists, hashes and sets in dumps: saved and loaded here, written by Redis
// and loaded here, written here and loaded by Redis. The collections are
// made through the db package (or by redis-server), not by this server's
// collection commands.

// collectionSpec is a list, hash or set to store.
type collectionSpec struct {
	db       int
	key      string
	typ      db.Type
	elems    []string // a list's elements, a set's members, a hash's fields and values
	expireAt int64
	enc      string // the encoding Redis 7.0 gives it
}

func seqOf(n int, f func(i int) string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

// collectionSpecs cover each encoding and the limits between them, lists
// of many nodes and with elements larger than a node, expiries, several
// databases.
func collectionSpecs() []collectionSpec {
	far := int64(4102444800000) // 2100-01-01
	big := strings.Repeat("0123456789abcdef", 700)
	return []collectionSpec{
		{0, "list:small", db.TypeList, []string{"a", "1", "-70000", "", "9223372036854775807", "007"}, 0, "quicklist"},
		{0, "list:many", db.TypeList, seqOf(5000, func(i int) string { return "element:" + strconv.Itoa(i) }), 0, "quicklist"},
		{0, "list:big", db.TypeList, []string{"head", big, big + "x", "tail"}, 0, "quicklist"},
		{0, "list:expiring", db.TypeList, []string{"x", "y"}, far, "quicklist"},
		{0, "hash:small", db.TypeHash, []string{"f", "v", "n", "12", "", "empty"}, 0, "listpack"},
		{0, "hash:64", db.TypeHash, []string{"f", strings.Repeat("v", 64)}, 0, "listpack"},
		{0, "hash:65", db.TypeHash, []string{"f", strings.Repeat("v", 65), "g", "1"}, 0, "hashtable"},
		{0, "hash:600", db.TypeHash, seqOf(1200, func(i int) string { return "x" + strconv.Itoa(i/2) + strings.Repeat("!", i%2) }), 0, "hashtable"},
		{0, "hash:expiring", db.TypeHash, []string{"f", "v"}, far + 1, "listpack"},
		{0, "set:ints", db.TypeSet, []string{"5", "-3", "100000", "9223372036854775807"}, 0, "intset"},
		{0, "set:600 ints", db.TypeSet, seqOf(600, strconv.Itoa), 0, "hashtable"},
		{0, "set:strings", db.TypeSet, []string{"a", "b", "1", "-0"}, 0, "hashtable"},
		{0, "set:expiring", db.TypeSet, []string{"1"}, far + 2, "intset"},
		{3, "list", db.TypeList, []string{"in db 3"}, 0, "quicklist"},
		{15, "hash", db.TypeHash, []string{"in", "db 15"}, far + 3, "listpack"},
		{15, "set", db.TypeSet, []string{"db 15"}, 0, "hashtable"},
	}
}

// putCollections stores specs through the db package's API.
func putCollections(t *testing.T, store *db.Store, specs []collectionSpec) {
	t.Helper()
	for _, sp := range specs {
		key := []byte(sp.key)
		tx := store.DB(sp.db).Write(key)
		lim := tx.Limits()
		switch sp.typ {
		case db.TypeList:
			l, _ := tx.MutableList(key, true)
			for _, e := range sp.elems {
				l.PushBack([]byte(e))
			}
		case db.TypeHash:
			h, _ := tx.MutableHash(key, true)
			for i := 0; i < len(sp.elems); i += 2 {
				h.Set([]byte(sp.elems[i]), []byte(sp.elems[i+1]), lim)
			}
		case db.TypeSet:
			s, _ := tx.MutableSet(key, true)
			for _, m := range sp.elems {
				s.Add([]byte(m), lim)
			}
		}
		tx.Close()
		if sp.expireAt != 0 {
			tx := store.DB(sp.db).Write(key)
			tx.SetExpire(key, sp.expireAt)
			tx.Close()
		}
	}
}

// fillRedisCollections stores specs in a running Redis.
func fillRedisCollections(c *redisconn.Conn, specs []collectionSpec) {
	for _, sp := range specs {
		c.Do("SELECT", strconv.Itoa(sp.db))
		cmd := map[db.Type]string{db.TypeList: "RPUSH", db.TypeHash: "HSET", db.TypeSet: "SADD"}[sp.typ]
		for chunk := range slices.Chunk(sp.elems, 200) {
			c.Do(append([]string{cmd, sp.key}, chunk...)...)
		}
		if sp.expireAt != 0 {
			c.Do("PEXPIREAT", sp.key, strconv.FormatInt(sp.expireAt, 10))
		}
	}
	c.Do("SELECT", "0")
}

// describeValue is the text both describe functions produce for a key:
// its type, encoding, deadline and contents, in order where the encoding
// has one (lists, listpack hashes, intsets), sorted where it does not.
func describeValue(key, typ, enc string, expireAt int64, elems []string) string {
	switch {
	case typ == "hash" && enc == "hashtable":
		pairs := make([]string, 0, len(elems)/2)
		for i := 0; i+1 < len(elems); i += 2 {
			pairs = append(pairs, elems[i]+"="+elems[i+1])
		}
		slices.Sort(pairs)
		elems = pairs
	case typ == "set" && enc == "hashtable":
		elems = slices.Sorted(slices.Values(elems))
	}
	return fmt.Sprintf("%q %s %s expires %d: %q", key, typ, enc, expireAt, elems)
}

// describeStore describes every key of the databases dbs of a store.
func describeStore(t *testing.T, store *db.Store, dbs ...int) string {
	t.Helper()
	var lines []string
	for _, dbi := range dbs {
		d := store.DB(dbi)
		for _, key := range d.Keys(func(string) bool { return true }) {
			tx := d.Read([]byte(key))
			v := tx.Get([]byte(key))
			exp, _ := tx.ExpireAt([]byte(key))
			var elems []string
			switch v := v.(type) {
			case *db.String:
				elems = []string{string(v.Bytes())}
			case *db.List:
				v.Range(0, -1, func(e []byte) bool { elems = append(elems, string(e)); return true })
			case *db.Hash:
				v.Range(func(f string, val []byte) bool { elems = append(elems, f, string(val)); return true })
			case *db.Set:
				v.Range(func(m string) bool { elems = append(elems, m); return true })
			}
			lines = append(lines, fmt.Sprintf("db %d ", dbi)+describeValue(key, v.Type().String(), v.Encoding(), exp, elems))
			tx.Close()
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// describeRedis describes every key of the databases dbs of a running
// Redis, as describeStore does.
func describeRedis(c *redisconn.Conn, dbs ...int) string {
	var lines []string
	for _, dbi := range dbs {
		c.Do("SELECT", strconv.Itoa(dbi))
		for _, key := range redisconn.Strings(c.Do("KEYS", "*")) {
			typ := string(c.Do("TYPE", key).Str)
			enc := string(c.Do("OBJECT", "ENCODING", key).Str)
			var reply []string
			switch typ {
			case "string":
				reply = []string{string(c.Do("GET", key).Str)}
			case "list":
				reply = redisconn.Strings(c.Do("LRANGE", key, "0", "-1"))
			case "hash":
				reply = redisconn.Strings(c.Do("HGETALL", key))
			case "set":
				reply = redisconn.Strings(c.Do("SMEMBERS", key))
			}
			exp := max(c.Do("PEXPIRETIME", key).Int, 0)
			lines = append(lines, fmt.Sprintf("db %d ", dbi)+describeValue(key, typ, enc, exp, reply))
		}
	}
	c.Do("SELECT", "0")
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

var collectionDBs = []int{0, 3, 15}

// checkDescribed fails the test unless a description has a line for each
// spec and the string beside them: describing nothing matches nothing.
func checkDescribed(t *testing.T, desc string) {
	t.Helper()
	if n, want := strings.Count(desc, "\n")+1, len(collectionSpecs())+1; n != want {
		t.Fatalf("%d keys described, want %d:\n%s", n, want, desc)
	}
}

// The specs, through the db package, have the encodings Redis gives them.
func TestCollectionSpecsEncodings(t *testing.T) {
	store := db.New(db.Options{})
	specs := collectionSpecs()
	putCollections(t, store, specs)
	for _, sp := range specs {
		tx := store.DB(sp.db).Read([]byte(sp.key))
		if v := tx.Get([]byte(sp.key)); v == nil || v.Encoding() != sp.enc {
			t.Errorf("%s: %v, want encoding %s", sp.key, v, sp.enc)
		}
		tx.Close()
	}
}

// Collections saved by BGSAVE load back the same: contents, encodings,
// deadlines, databases.
func TestSaveAndLoadCollections(t *testing.T) {
	dir := t.TempDir()
	srv, addr := startInDir(t, dir)
	c := dialRaw(t, addr)
	c.do("SET", "a string", "beside them")
	putCollections(t, srv.store, collectionSpecs())
	want := describeStore(t, srv.store, collectionDBs...)
	checkDescribed(t, want)
	bgsave(t, c)
	srv.Shutdown(context.Background())

	loaded, _ := startInDir(t, dir)
	if got := describeStore(t, loaded.store, collectionDBs...); got != want {
		t.Errorf("after reload:\n%s\nwant:\n%s", got, want)
	}
}

// A save taken while collections change writes them as they were when it
// began.
func TestSaveWhileCollectionsChange(t *testing.T) {
	dir := t.TempDir()
	srv, _ := startInDir(t, dir)
	putCollections(t, srv.store, collectionSpecs())
	want := describeStore(t, srv.store, collectionDBs...)
	snap, err := srv.startSave()
	if err != nil {
		t.Fatal(err)
	}
	// Change every collection after the snapshot, before the file is
	// written.
	for _, sp := range collectionSpecs() {
		key := []byte(sp.key)
		tx := srv.store.DB(sp.db).Write(key)
		switch sp.typ {
		case db.TypeList:
			l, _ := tx.MutableList(key, false)
			l.PushFront([]byte("new"))
			l.PopBack()
		case db.TypeHash:
			h, _ := tx.MutableHash(key, false)
			h.Set([]byte(sp.elems[0]), []byte("changed"), tx.Limits())
		case db.TypeSet:
			s, _ := tx.MutableSet(key, false)
			s.Add([]byte("new member"), tx.Limits())
		}
		tx.Close()
	}
	if err := srv.finishSave(snap); err != nil {
		t.Fatal(err)
	}
	srv.Shutdown(context.Background())
	loaded, _ := startInDir(t, dir)
	if got := describeStore(t, loaded.store, collectionDBs...); got != want {
		t.Errorf("the dump holds:\n%s\nwant what was there when the save began:\n%s", got, want)
	}
}

// Redis writes collections, this server loads them as Redis holds them.
func TestLoadCollectionsWrittenByRedis(t *testing.T) {
	redis := redistest.Start(t)
	rc := redisconn.Dial(t, redis.Addr)
	fillRedisCollections(rc, collectionSpecs())
	rc.Do("SET", "a string", "beside them")
	want := describeRedis(rc, collectionDBs...)
	checkDescribed(t, want)
	srv := startOnRedisDump(t, redis, rc)
	if got := describeStore(t, srv.store, collectionDBs...); got != want {
		t.Errorf("this server after loading Redis's dump:\n%s\nredis:\n%s", got, want)
	}
}

// This server writes collections, Redis loads them as this server holds
// them, and redis-check-rdb accepts the file.
func TestRedisLoadsOurCollections(t *testing.T) {
	dir := t.TempDir()
	srv, addr := startInDir(t, dir)
	dialRaw(t, addr).do("SET", "a string", "beside them")
	putCollections(t, srv.store, collectionSpecs())
	want := describeStore(t, srv.store, collectionDBs...)
	checkDescribed(t, want)
	if err := srv.Save(); err != nil {
		t.Fatal(err)
	}
	if got := describeRedis(redisOnOurDump(t, dir), collectionDBs...); got != want {
		t.Errorf("redis after loading our dump:\n%s\nours:\n%s", got, want)
	}
}

// bgsave has the server c is connected to run BGSAVE, waits for it to
// end, and fails t unless it succeeded.
func bgsave(t *testing.T, c *rawConn) {
	t.Helper()
	if got := c.do("BGSAVE"); got != "+Background saving started\r\n" {
		t.Fatalf("BGSAVE = %q", got)
	}
	waitFor(t, func() bool { return strings.Contains(c.do("INFO", "persistence"), "rdb_bgsave_in_progress:0") })
	if info := c.do("INFO", "persistence"); !strings.Contains(info, "rdb_last_bgsave_status:ok") {
		t.Fatalf("BGSAVE failed:\n%s", info)
	}
}

// startOnRedisDump has the redis-server redis, to which rc is connected,
// save its dump, and starts this server on a copy of it in a new
// directory.
func startOnRedisDump(t *testing.T, redis *redistest.Server, rc *redisconn.Conn) *Server {
	t.Helper()
	rc.Do("SAVE")
	data, err := os.ReadFile(filepath.Join(redis.Dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "dump.rdb"), data, 0o644)
	srv, _ := startInDir(t, dir)
	return srv
}

// redisOnOurDump checks the dump this server saved in dir with
// redis-check-rdb, then starts a redis-server that loads it, with
// sanitize-dump-payload on, and returns a connection to it.
func redisOnOurDump(t *testing.T, dir string) *redisconn.Conn {
	t.Helper()
	checkRDB := redistest.Require(t, "redis-check-rdb")
	if out, err := exec.Command(checkRDB, filepath.Join(dir, "dump.rdb")).CombinedOutput(); err != nil || !bytes.Contains(out, []byte("RDB looks OK")) {
		t.Fatalf("redis-check-rdb: %v\n%s", err, out)
	}
	redis := redistest.Start(t, "dir", dir, "dbfilename", "dump.rdb", "sanitize-dump-payload", "yes")
	return redisconn.Dial(t, redis.Addr)
}

// loadEntries writes es as a dump in a new directory and loads it as the
// server does at start.
func loadEntries(t *testing.T, es []rdb.Entry) (*Server, error) {
	t.Helper()
	dir := t.TempDir()
	var buf bytes.Buffer
	w := rdb.NewWriter(&buf, rdb.WriterOptions{Time: time.Now()})
	for _, e := range es {
		if err := w.WriteEntry(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "dump.rdb"), buf.Bytes(), 0o644)
	cfg, err := loadTestConfig([]string{"--save", "", "--dir", dir})
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(cfg, zap.NewNop())
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	return srv, srv.loadDump()
}

// Loading converts as Redis 7.0 does (checked against redis-server in
// db/rdb's TestRedisLoadsCollections): a listpack hash stays one whatever
// the length of its values, unless it has too many fields; a hashtable
// hash or set small enough becomes a listpack or an intset.
func TestLoadConvertsAsRedis(t *testing.T) {
	var many []rdb.HashPair
	for i := range 600 {
		many = append(many, rdb.HashPair{Field: []byte(strconv.Itoa(i)), Value: []byte("v")})
	}
	long := []rdb.HashPair{{Field: []byte("f"), Value: bytes.Repeat([]byte("v"), 300)}}
	srv, err := loadEntries(t, []rdb.Entry{
		{Key: []byte("listpack long value"), Type: rdb.TypeHash, Encoding: rdb.EncodingListpack, Pairs: long},
		{Key: []byte("hashtable long value"), Type: rdb.TypeHash, Encoding: rdb.EncodingHashtable, Pairs: long},
		{Key: []byte("listpack 600"), Type: rdb.TypeHash, Encoding: rdb.EncodingListpack, Pairs: many},
		{Key: []byte("hashtable small"), Type: rdb.TypeHash, Encoding: rdb.EncodingHashtable, Pairs: long[:0:0]},
		{Key: []byte("hashtable 1"), Type: rdb.TypeHash, Encoding: rdb.EncodingHashtable, Pairs: []rdb.HashPair{{Field: []byte("f"), Value: []byte("v")}}},
		{Key: []byte("hashtable of ints"), Type: rdb.TypeSet, Encoding: rdb.EncodingHashtable, Elems: [][]byte{[]byte("2"), []byte("1")}},
		{Key: []byte("intset"), Type: rdb.TypeSet, Encoding: rdb.EncodingIntset, Elems: [][]byte{[]byte("2"), []byte("1")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"listpack long value":  "listpack",
		"hashtable long value": "hashtable",
		"listpack 600":         "hashtable",
		"hashtable 1":          "listpack",
		"hashtable of ints":    "intset",
		"intset":               "intset",
	} {
		tx := srv.store.DB(0).Read([]byte(key))
		if v := tx.Get([]byte(key)); v == nil || v.Encoding() != want {
			t.Errorf("%s: %v, want encoding %s", key, v, want)
		}
		tx.Close()
	}
	// The empty hash is not written at all.
	if n := srv.store.DB(0).Len(); n != 6 {
		t.Errorf("%d keys loaded, want 6", n)
	}
}

// A dump with a set member or hash field twice is refused, as Redis
// refuses it.
func TestLoadRefusesDuplicates(t *testing.T) {
	for _, e := range []rdb.Entry{
		{Key: []byte("s"), Type: rdb.TypeSet, Elems: [][]byte{[]byte("a"), []byte("b"), []byte("a")}},
		{Key: []byte("s"), Type: rdb.TypeSet, Elems: [][]byte{[]byte("1"), []byte("1")}},
		{Key: []byte("h"), Type: rdb.TypeHash, Encoding: rdb.EncodingListpack, Pairs: []rdb.HashPair{
			{Field: []byte("f"), Value: []byte("1")}, {Field: []byte("f"), Value: []byte("2")}}},
	} {
		if _, err := loadEntries(t, []rdb.Entry{e}); err == nil || !strings.Contains(err.Error(), "twice") {
			t.Errorf("%s %q: loadDump = %v, want a duplicate error", e.Type, e.Key, err)
		}
	}
}
