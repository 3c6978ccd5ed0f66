package server

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/db/rdb"
	"github.com/mini-redis/mini-redis/internal/redistest"
	"github.com/mini-redis/mini-redis/internal/redistest/redisconn"
)

// Sorted sets in dumps: saved and loaded here, written by Redis and
// loaded here, written here and loaded by Redis, in both encodings and at
// the limits between them. The sets are made through the db package (or
// by redis-server).

// zsetSpec is a sorted set to store: members and their scores.
type zsetSpec struct {
	db       int
	key      string
	members  []string
	scores   []float64
	expireAt int64
	enc      string // the encoding Redis 7.0 gives it
}

func zsetSpecs() []zsetSpec {
	far := int64(4102444800000)
	n := func(k int, f func(i int) float64) []float64 {
		out := make([]float64, k)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	scores := []float64{1.1, 3, 0.1, 1e300, math.Inf(1), math.Inf(-1), 1 << 62, 1<<62 + 2048, -2.5, 0, 5e-324}
	return []zsetSpec{
		{0, "z:scores", seqOf(len(scores), func(i int) string { return "m" + strconv.Itoa(i) }), scores, 0, "listpack"},
		{0, "z:ints", []string{"1", "-70000", "007", "9223372036854775807"}, []float64{1, 1, 1, 2}, 0, "listpack"},
		{0, "z:128", seqOf(128, func(i int) string { return "m:" + strconv.Itoa(i) }), n(128, func(i int) float64 { return float64(i % 7) }), 0, "listpack"},
		{0, "z:129", seqOf(129, func(i int) string { return "m:" + strconv.Itoa(i) }), n(129, func(i int) float64 { return float64(i) / 8 }), 0, "skiplist"},
		{0, "z:64", []string{strings.Repeat("m", 64)}, []float64{1}, 0, "listpack"},
		{0, "z:65", []string{strings.Repeat("m", 65), "x"}, []float64{1, -1}, 0, "skiplist"},
		{0, "z:expiring", []string{"a"}, []float64{1}, far, "listpack"},
		{3, "z:skiplist", append(seqOf(len(scores), func(i int) string { return "s" + strconv.Itoa(i) }), strings.Repeat("l", 100)),
			append(slices.Clone(scores), 7), far + 1, "skiplist"},
		{15, "z", []string{"in db 15"}, []float64{-0.5}, 0, "listpack"},
	}
}

var zsetDBs = []int{0, 3, 15}

// putZSets stores specs through the db package's API.
func putZSets(t *testing.T, store *db.Store, specs []zsetSpec) {
	t.Helper()
	for _, sp := range specs {
		key := []byte(sp.key)
		tx := store.DB(sp.db).Write(key)
		z, err := tx.MutableZSet(key, true)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range sp.members {
			z.Add([]byte(m), sp.scores[i], 0, tx.Limits())
		}
		if sp.expireAt != 0 {
			tx.SetExpire(key, sp.expireAt)
		}
		tx.Close()
	}
}

// fillRedisZSets stores specs in a running Redis.
func fillRedisZSets(c *redisconn.Conn, specs []zsetSpec) {
	for _, sp := range specs {
		c.Do("SELECT", strconv.Itoa(sp.db))
		args := []string{"ZADD", sp.key}
		for i, m := range sp.members {
			args = append(args, strconv.FormatFloat(sp.scores[i], 'g', -1, 64), m)
		}
		c.Do(args...)
		if sp.expireAt != 0 {
			c.Do("PEXPIREAT", sp.key, strconv.FormatInt(sp.expireAt, 10))
		}
	}
	c.Do("SELECT", "0")
}

// describeZSet is the text both describe functions produce for a sorted
// set: its encoding, deadline and members with their scores, in order.
func describeZSet(dbi int, key, enc string, expireAt int64, members []string, scores []float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "db %d %q zset %s expires %d:", dbi, key, enc, expireAt)
	for i, m := range members {
		fmt.Fprintf(&b, " %q=%s", m, strconv.FormatFloat(scores[i], 'g', -1, 64))
	}
	return b.String()
}

func describeZSetStore(t *testing.T, store *db.Store, dbs ...int) string {
	t.Helper()
	var lines []string
	for _, dbi := range dbs {
		d := store.DB(dbi)
		for _, key := range d.Keys(nil) {
			tx := d.Read([]byte(key))
			z, err := tx.ReadZSet([]byte(key))
			if err != nil || z == nil {
				tx.Close()
				continue
			}
			exp, _ := tx.ExpireAt([]byte(key))
			var members []string
			var scores []float64
			z.Range(func(m string, s float64) bool {
				members, scores = append(members, m), append(scores, s)
				return true
			})
			lines = append(lines, describeZSet(dbi, key, z.Encoding(), exp, members, scores))
			tx.Close()
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

func describeZSetRedis(t *testing.T, c *redisconn.Conn, dbs ...int) string {
	t.Helper()
	var lines []string
	for _, dbi := range dbs {
		c.Do("SELECT", strconv.Itoa(dbi))
		for _, key := range redisconn.Strings(c.Do("KEYS", "*")) {
			if string(c.Do("TYPE", key).Str) != "zset" {
				continue
			}
			all := redisconn.Strings(c.Do("ZRANGE", key, "0", "-1", "WITHSCORES"))
			var members []string
			var scores []float64
			for i := 0; i+1 < len(all); i += 2 {
				f, err := strconv.ParseFloat(all[i+1], 64)
				if err != nil {
					t.Fatalf("%s: score %q", key, all[i+1])
				}
				members, scores = append(members, all[i]), append(scores, f)
			}
			exp := max(c.Do("PEXPIRETIME", key).Int, 0)
			lines = append(lines, describeZSet(dbi, key, string(c.Do("OBJECT", "ENCODING", key).Str), exp, members, scores))
		}
	}
	c.Do("SELECT", "0")
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// checkZSetsDescribed fails unless desc has a line for every spec, each
// in the spec's encoding.
func checkZSetsDescribed(t *testing.T, desc string) {
	t.Helper()
	lines := strings.Split(desc, "\n")
	if len(lines) != len(zsetSpecs()) {
		t.Fatalf("%d sorted sets described, want %d:\n%s", len(lines), len(zsetSpecs()), desc)
	}
	for _, sp := range zsetSpecs() {
		prefix := fmt.Sprintf("db %d %q zset %s ", sp.db, sp.key, sp.enc)
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, prefix) }) {
			t.Errorf("no line starts %s in:\n%s", prefix, desc)
		}
	}
}

// Sorted sets saved by BGSAVE load back the same.
func TestSaveAndLoadZSets(t *testing.T) {
	dir := t.TempDir()
	srv, addr := startInDir(t, dir)
	c := dialRaw(t, addr)
	putZSets(t, srv.store, zsetSpecs())
	want := describeZSetStore(t, srv.store, zsetDBs...)
	checkZSetsDescribed(t, want)
	bgsave(t, c)
	srv.Shutdown(context.Background())
	loaded, _ := startInDir(t, dir)
	if got := describeZSetStore(t, loaded.store, zsetDBs...); got != want {
		t.Errorf("after reload:\n%s\nwant:\n%s", got, want)
	}
}

// Redis writes sorted sets, this server loads them as Redis holds them.
func TestLoadZSetsWrittenByRedis(t *testing.T) {
	for _, compression := range []string{"yes", "no"} {
		t.Run("rdbcompression "+compression, func(t *testing.T) {
			redis := redistest.Start(t, "rdbcompression", compression)
			rc := redisconn.Dial(t, redis.Addr)
			fillRedisZSets(rc, zsetSpecs())
			want := describeZSetRedis(t, rc, zsetDBs...)
			checkZSetsDescribed(t, want)
			srv := startOnRedisDump(t, redis, rc)
			if got := describeZSetStore(t, srv.store, zsetDBs...); got != want {
				t.Errorf("this server after loading Redis's dump:\n%s\nredis:\n%s", got, want)
			}
		})
	}
}

// This server writes sorted sets, redis-check-rdb accepts the file and
// Redis loads them as this server holds them.
func TestRedisLoadsOurZSets(t *testing.T) {
	dir := t.TempDir()
	srv, _ := startInDir(t, dir)
	putZSets(t, srv.store, zsetSpecs())
	want := describeZSetStore(t, srv.store, zsetDBs...)
	checkZSetsDescribed(t, want)
	if err := srv.Save(); err != nil {
		t.Fatal(err)
	}
	if got := describeZSetRedis(t, redisOnOurDump(t, dir), zsetDBs...); got != want {
		t.Errorf("redis after loading our dump:\n%s\nours:\n%s", got, want)
	}
}

// Loading converts sorted sets as Redis 7.0 does (checked against
// redis-server in db/rdb's TestRedisLoadsZSets): a listpack stays one
// whatever the length of its members, unless it has too many; a skiplist
// small enough becomes a listpack.
func TestLoadConvertsZSetsAsRedis(t *testing.T) {
	zs := func(key, enc string, members []string, scores []float64) rdb.Entry {
		e := rdb.Entry{Key: []byte(key), Type: rdb.TypeZSet, Encoding: enc, Scores: scores}
		for _, m := range members {
			e.Elems = append(e.Elems, []byte(m))
		}
		return e
	}
	many := seqOf(200, strconv.Itoa)
	manyScores := make([]float64, 200)
	for i := range manyScores {
		manyScores[i] = float64(i)
	}
	long := strings.Repeat("v", 300)
	srv, err := loadEntries(t, []rdb.Entry{
		zs("listpack long member", rdb.EncodingListpack, []string{long}, []float64{1}),
		zs("skiplist long member", rdb.EncodingSkiplist, []string{long}, []float64{1}),
		zs("listpack 200", rdb.EncodingListpack, many, manyScores),
		zs("skiplist small", rdb.EncodingSkiplist, []string{"a", "b"}, []float64{1, 2}),
	})
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"listpack long member": "listpack",
		"skiplist long member": "skiplist",
		"listpack 200":         "skiplist",
		"skiplist small":       "listpack",
	} {
		tx := srv.store.DB(0).Read([]byte(key))
		if v := tx.Get([]byte(key)); v == nil || v.Encoding() != want {
			t.Errorf("%s: %v, want encoding %s", key, v, want)
		}
		tx.Close()
	}
	// A member twice, in either encoding, is refused.
	for _, enc := range []string{rdb.EncodingListpack, rdb.EncodingSkiplist} {
		e := zs("dup", enc, []string{"a", "b", "a"}, []float64{1, 2, 3})
		if _, err := loadEntries(t, []rdb.Entry{e}); err == nil || !strings.Contains(err.Error(), "twice") {
			t.Errorf("%s with a member twice: loadDump = %v, want a duplicate error", enc, err)
		}
	}
}
