package server

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/db/rdb"
)

// The values of the keyspace as RDB entries, and back. Package rdb knows
// nothing of package db: it reads and writes typed records (a list's
// elements, a hash's pairs, a set's members, with the encoding's name),
// which these functions convert.

// rdbValueOptions returns how values are encoded, in dumps as in DUMP's
// payloads: compressed unless rdbcompression is off, lists split into
// nodes by list-max-listpack-size.
func (s *Server) rdbValueOptions() rdb.WriterOptions {
	fill := s.store.EncodingLimits().ListMaxListpackSize
	if fill == 0 {
		fill = 1 // Redis's 0 packs one element a node, as 1 does; rdb's 0 is the default
	}
	return rdb.WriterOptions{NoCompression: !s.settings.rdbCompression.Load(), ListMaxListpackSize: fill}
}

// rdbScratch holds the slices a dump's entries are built in, reused from
// one entry to the next.
type rdbScratch struct {
	elems  [][]byte
	pairs  []rdb.HashPair
	scores []float64
}

// entry returns the RDB entry of key in database dbi holding v, which
// must not change until the entry is written (a snapshot's values do
// not). Its slices are valid until the next call.
func (sc *rdbScratch) entry(dbi int, key string, v db.Value, expireAt int64) (rdb.Entry, error) {
	e := rdb.Entry{DB: dbi, Key: stringBytes(key), ExpireAt: expireAt}
	switch v := v.(type) {
	case *db.String:
		e.Value = v.Bytes()
	case *db.List:
		e.Type, e.Encoding = rdb.TypeList, rdb.EncodingQuicklist
		sc.elems = sc.elems[:0]
		v.Range(0, -1, func(elem []byte) bool {
			sc.elems = append(sc.elems, elem)
			return true
		})
		e.Elems = sc.elems
	case *db.Hash:
		// "listpack" or "hashtable", which Writer writes as Redis 7.0 does
		// (RDB types 16 and 4).
		e.Type, e.Encoding = rdb.TypeHash, v.Encoding()
		sc.pairs = sc.pairs[:0]
		v.Range(func(field string, value []byte) bool {
			sc.pairs = append(sc.pairs, rdb.HashPair{Field: stringBytes(field), Value: value})
			return true
		})
		e.Pairs = sc.pairs
	case *db.Set:
		// "intset" or "hashtable" (RDB types 11 and 2).
		e.Type, e.Encoding = rdb.TypeSet, v.Encoding()
		sc.elems = sc.elems[:0]
		v.Range(func(m string) bool {
			sc.elems = append(sc.elems, stringBytes(m))
			return true
		})
		e.Elems = sc.elems
	case *db.ZSet:
		// "listpack" or "skiplist" (RDB types 17 and 5), in ascending
		// order, which Writer writes as Redis 7.0 does.
		e.Type, e.Encoding = rdb.TypeZSet, v.Encoding()
		sc.elems, sc.scores = sc.elems[:0], sc.scores[:0]
		v.Range(func(m string, score float64) bool {
			sc.elems = append(sc.elems, stringBytes(m))
			sc.scores = append(sc.scores, score)
			return true
		})
		e.Elems, e.Scores = sc.elems, sc.scores
	case *db.Stream:
		streamEntry(&e, v)
	default:
		return e, fmt.Errorf("key %q has a type RDB writing does not know (%v)", key, v.Type())
	}
	// Let go of the arrays of a big collection.
	if cap(sc.elems) > 1<<16 {
		defer func() { sc.elems = nil }()
	}
	if cap(sc.pairs) > 1<<16 {
		defer func() { sc.pairs = nil }()
	}
	if cap(sc.scores) > 1<<16 {
		defer func() { sc.scores = nil }()
	}
	return e, nil
}

// stringBytes returns the bytes of s without copying them, for the
// Writer, which only reads them.
func stringBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// valueOf returns the value of a dump's entry, in the encoding Redis 7.0
// gives it when it loads the dump under lim (rdbLoadObject): a list is a
// quicklist whatever the file held; a set is an intset if its members are
// integers and not too many, whether the file held an intset or a
// hashtable; a hash that the file held field by field is a listpack if
// few and short enough, but one that it held as a listpack (or ziplist) is
// kept a listpack unless it has too many fields, however long its values
// (Redis checks only the count, to avoid a scan), and a zipmap, which
// Redis converts anyway, is checked for both. Distinct members and fields
// are checked, as Redis does: a file with duplicates is corrupt. A sorted
// set is a listpack if it has few enough members, none too long, when the
// file holds it member by member (Redis loads it as a skiplist, then
// converts it); one the file holds as a listpack (or ziplist) stays a
// listpack unless it has too many members, however long they are.
// Duplicate members, in any encoding, are refused, as Redis refuses them
// with sanitize-dump-payload yes (see TestRestoreRefusesDuplicates).
func valueOf(e rdb.Entry, lim db.EncodingLimits) (db.Value, error) {
	switch e.Type {
	case rdb.TypeString:
		return db.NewString(e.Value), nil
	case rdb.TypeList:
		l := db.NewList()
		for _, elem := range e.Elems {
			l.PushBack(elem)
		}
		return l, nil
	case rdb.TypeHash:
		if e.Encoding == rdb.EncodingListpack || e.Encoding == rdb.EncodingZiplist {
			lim.HashMaxListpackValue = math.MaxInt
		}
		h := db.NewHash()
		for _, p := range e.Pairs {
			if !h.Set(p.Field, p.Value, lim) {
				return nil, fmt.Errorf("hash %q has the field %q twice (Duplicate hash fields detected)", e.Key, p.Field)
			}
		}
		return h, nil
	case rdb.TypeSet:
		s := db.NewSet()
		for _, m := range e.Elems {
			if !s.Add(m, lim) {
				return nil, fmt.Errorf("set %q has the member %q twice (Duplicate set members detected)", e.Key, m)
			}
		}
		return s, nil
	case rdb.TypeZSet:
		if e.Encoding == rdb.EncodingListpack || e.Encoding == rdb.EncodingZiplist {
			lim.ZSetMaxListpackValue = math.MaxInt
		}
		z := db.NewZSet()
		for i, m := range e.Elems {
			if r, _ := z.Add(m, e.Scores[i], 0, lim); r != db.ZAddAdded {
				return nil, fmt.Errorf("sorted set %q has the member %q twice (Duplicate zset fields detected)", e.Key, m)
			}
		}
		return z, nil
	case rdb.TypeStream:
		return streamOf(e)
	}
	return nil, fmt.Errorf("key %q has a type this server does not know (%v)", e.Key, e.Type)
}
