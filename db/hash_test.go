package db

import (
	"bytes"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var defaultLimits = DefaultEncodingLimits()

func hashPairs(h *Hash) []string {
	var out []string
	h.Range(func(f string, v []byte) bool {
		out = append(out, f+"="+string(v))
		return true
	})
	return out
}

func hashSize(h *Hash) int {
	n := hashHeaderSize + cap(h.pairs)*hashPairSize
	h.Range(func(f string, v []byte) bool {
		n += len(f) + len(v) + hashElemOverhead
		if h.index != nil {
			n += hashIndexOverhead
		}
		return true
	})
	return n
}

// TestHashListpackOrder follows Redis 7.0.15: HSET h z 1 a 2 m 3; HSET h a
// 9; HDEL h z; HSET h z 0; HGETALL h => a 9 m 3 z 0.
func TestHashListpackOrder(t *testing.T) {
	h := NewHash()
	h.Set([]byte("z"), []byte("1"), defaultLimits)
	h.Set([]byte("a"), []byte("2"), defaultLimits)
	h.Set([]byte("m"), []byte("3"), defaultLimits)
	if added := h.Set([]byte("a"), []byte("9"), defaultLimits); added {
		t.Error("Set of an existing field reported it new")
	}
	if got := hashPairs(h); !slices.Equal(got, []string{"z=1", "a=9", "m=3"}) {
		t.Errorf("after HSET a 9: %q", got)
	}
	if !h.Delete([]byte("z")) || h.Delete([]byte("z")) {
		t.Error("Delete did not report the field's presence")
	}
	if !h.Set([]byte("z"), []byte("0"), defaultLimits) {
		t.Error("Set of a new field reported it old")
	}
	if got := hashPairs(h); !slices.Equal(got, []string{"a=9", "m=3", "z=0"}) {
		t.Errorf("HGETALL = %q, want Redis's a=9 m=3 z=0", got)
	}
	// HSCAN h 0 COUNT 1 on a listpack returns everything with cursor 0.
	var scanned []string
	if c := h.Scan(0, 1, func(f string, _ []byte) { scanned = append(scanned, f) }); c != 0 || len(scanned) != 3 {
		t.Errorf("Scan of a listpack = cursor %d, %q", c, scanned)
	}
	if v, ok := h.Get([]byte("m")); !ok || string(v) != "3" {
		t.Errorf("Get(m) = %q, %v", v, ok)
	}
	if _, ok := h.Get([]byte("nope")); ok || h.Has([]byte("nope")) || !h.Has([]byte("a")) {
		t.Error("Get or Has wrong about presence")
	}
}

// TestHashEncoding checks the conversions against what redis-server 7.0.15
// does with the same limits.
func TestHashEncoding(t *testing.T) {
	long := func(n int) []byte { return []byte(strings.Repeat("a", n)) }
	tests := []struct {
		name string
		lim  EncodingLimits
		do   func(h *Hash, lim EncodingLimits)
		want string
	}{
		{"512 fields", defaultLimits, func(h *Hash, lim EncodingLimits) { fill(h, 512, lim) }, "listpack"},
		{"513 fields", defaultLimits, func(h *Hash, lim EncodingLimits) { fill(h, 513, lim) }, "hashtable"},
		{"value of 64", defaultLimits, func(h *Hash, lim EncodingLimits) { h.Set([]byte("a"), long(64), lim) }, "listpack"},
		{"value of 65", defaultLimits, func(h *Hash, lim EncodingLimits) { h.Set([]byte("a"), long(65), lim) }, "hashtable"},
		{"field of 65", defaultLimits, func(h *Hash, lim EncodingLimits) { h.Set(long(65), []byte("1"), lim) }, "hashtable"},
		{"deleting does not convert back", defaultLimits, func(h *Hash, lim EncodingLimits) {
			fill(h, 513, lim)
			for i := range 513 {
				h.Delete([]byte("f" + strconv.Itoa(i)))
			}
			h.Set([]byte("a"), []byte("1"), lim)
		}, "hashtable"},
		// CONFIG SET hash-max-listpack-entries 2 on a 3-field listpack
		// hash: it stays listpack, after HDEL (2 left) and after HSET of
		// an existing field; HSET of a new field (3) converts it.
		{"lowered limit, existing field", EncodingLimits{HashMaxListpackEntries: 2, HashMaxListpackValue: 64}, func(h *Hash, lim EncodingLimits) {
			fill(h, 3, defaultLimits)
			h.Delete([]byte("f2"))
			h.Set([]byte("f0"), []byte("5"), lim)
		}, "listpack"},
		// Redis 7.0.15: HSET h a 1 b 2; CONFIG SET
		// hash-max-listpack-entries 1; HSET h a 5 converts h (hashTypeSet
		// checks the length after an update too); HINCRBY does the same.
		{"lowered limit, existing field, over it", EncodingLimits{HashMaxListpackEntries: 1, HashMaxListpackValue: 64}, func(h *Hash, lim EncodingLimits) {
			fill(h, 2, defaultLimits)
			if h.Set([]byte("f0"), []byte("5"), lim) {
				t.Error("Set of an existing field reported it new")
			}
		}, "hashtable"},
		{"lowered limit, new field", EncodingLimits{HashMaxListpackEntries: 2, HashMaxListpackValue: 64}, func(h *Hash, lim EncodingLimits) {
			fill(h, 2, defaultLimits)
			h.Set([]byte("new"), []byte("5"), lim)
		}, "hashtable"},
		// hash-max-listpack-value 0: HSET of an existing field with "2".
		{"value limit 0", EncodingLimits{HashMaxListpackEntries: 512}, func(h *Hash, lim EncodingLimits) {
			h.Set([]byte("a"), []byte("1"), defaultLimits)
			h.Set([]byte("a"), []byte("2"), lim)
		}, "hashtable"},
		{"entries limit 0", EncodingLimits{HashMaxListpackValue: 64}, func(h *Hash, lim EncodingLimits) { h.Set([]byte("a"), []byte("1"), lim) }, "hashtable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHash()
			tt.do(h, tt.lim)
			if h.Encoding() != tt.want {
				t.Errorf("Encoding = %q, want %q", h.Encoding(), tt.want)
			}
			if h.Size() != hashSize(h) {
				t.Errorf("Size = %d, recomputed %d", h.Size(), hashSize(h))
			}
		})
	}
}

func fill(h *Hash, n int, lim EncodingLimits) {
	for i := range n {
		h.Set([]byte("f"+strconv.Itoa(i)), []byte("v"), lim)
	}
}

// TestHashScanGuarantee changes a hashtable between the calls of a scan:
// every field there throughout must come back.
func TestHashScanGuarantee(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	h := NewHash()
	fill(h, 2000, defaultLimits)
	stable := map[string]bool{}
	for i := range 1000 {
		stable["f"+strconv.Itoa(i)] = true
	}
	seen := map[string]bool{}
	cursor, calls := uint64(0), 0
	for {
		cursor = h.Scan(cursor, 10, func(f string, _ []byte) { seen[f] = true })
		calls++
		// Delete some of the unstable fields, add new ones.
		for range 3 {
			h.Delete([]byte("f" + strconv.Itoa(1000+int(r.UintN(1000)))))
			h.Set([]byte("n"+strconv.Itoa(int(r.UintN(5000)))), []byte("x"), defaultLimits)
		}
		if cursor == 0 {
			break
		}
	}
	for f := range stable {
		if !seen[f] {
			t.Fatalf("field %s was there throughout but the scan missed it (%d calls)", f, calls)
		}
	}
}

func TestHashCloneAndRandom(t *testing.T) {
	for _, n := range []int{3, 600} {
		h := NewHash()
		fill(h, n, defaultLimits)
		c := h.Clone()
		if c.Encoding() != h.Encoding() || c.Size() != h.Size() || !slices.Equal(hashPairs(c), hashPairs(h)) {
			t.Fatalf("clone of %d fields differs", n)
		}
		c.Set([]byte("f0"), []byte("changed"), defaultLimits)
		c.Delete([]byte("f1"))
		if v, _ := h.Get([]byte("f0")); string(v) != "v" || !h.Has([]byte("f1")) {
			t.Fatal("changing a clone changed the original")
		}
		r := rand.New(rand.NewPCG(1, 1))
		seen := map[string]bool{}
		for range 20 * n {
			f, v, ok := h.Random(r)
			if !ok || string(v) != "v" {
				t.Fatalf("Random = %q %q %v", f, v, ok)
			}
			seen[f] = true
		}
		if len(seen) != n {
			t.Errorf("Random picked %d of %d fields", len(seen), n)
		}
	}
	if _, _, ok := NewHash().Random(rand.New(rand.NewPCG(1, 1))); ok {
		t.Error("Random of an empty hash")
	}
}

func FuzzHash(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 1, 1, 2, 3, 0, 200, 3, 7}, uint8(4))
	f.Add(bytes.Repeat([]byte{0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8, 0, 9, 0, 10, 0, 11, 0, 12, 0, 13, 0, 14, 0, 15, 0, 16, 0, 17, 0, 18, 0, 19, 1, 3, 3, 0, 1, 9}, 2), uint8(30))
	f.Fuzz(func(t *testing.T, ops []byte, maxEntries uint8) {
		lim := EncodingLimits{HashMaxListpackEntries: int(maxEntries % 40), HashMaxListpackValue: 3}
		h := NewHash()
		m := map[string]string{}
		var order []string // insertion order, while listpack
		for i := 0; i+1 < len(ops); i += 2 {
			field := "f" + strconv.Itoa(int(ops[i+1]%32))
			value := strings.Repeat("v", int(ops[i+1]/32%6))
			switch ops[i] % 4 {
			case 0:
				_, had := m[field]
				if added := h.Set([]byte(field), []byte(value), lim); added == had {
					t.Fatalf("Set(%s) added = %v, but had = %v", field, added, had)
				}
				if !had {
					order = append(order, field)
				}
				m[field] = value
			case 1:
				_, had := m[field]
				if h.Delete([]byte(field)) != had {
					t.Fatalf("Delete(%s) wrong", field)
				}
				delete(m, field)
				order = slices.DeleteFunc(order, func(s string) bool { return s == field })
			case 2:
				v, ok := h.Get([]byte(field))
				if w, had := m[field]; ok != had || string(v) != w {
					t.Fatalf("Get(%s) = %q %v, model %q %v", field, v, ok, w, had)
				}
			case 3:
				got := map[string]string{}
				c := uint64(0)
				for {
					c = h.Scan(c, 2, func(f string, v []byte) { got[f] = string(v) })
					if c == 0 {
						break
					}
				}
				if !maps.Equal(got, m) {
					t.Fatalf("Scan = %v, model %v", got, m)
				}
			}
			if h.Len() != len(m) || h.Size() != hashSize(h) {
				t.Fatalf("Len %d (model %d), Size %d (recomputed %d)", h.Len(), len(m), h.Size(), hashSize(h))
			}
			if h.Encoding() == "listpack" {
				var fields []string
				h.Range(func(f string, _ []byte) bool { fields = append(fields, f); return true })
				if !slices.Equal(fields, order) {
					t.Fatalf("listpack order %q, inserted %q", fields, order)
				}
			}
		}
	})
}

func benchmarkHash(b *testing.B, n int) {
	h := NewHash()
	fields := make([][]byte, n)
	for i := range n {
		fields[i] = []byte("field:" + strconv.Itoa(i))
		h.Set(fields[i], []byte("value"), defaultLimits)
	}
	value := []byte("value2")
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		f := fields[i%n]
		h.Set(f, value, defaultLimits)
		h.Get(f)
	}
}

func BenchmarkHashSetGet10(b *testing.B)     { benchmarkHash(b, 10) }
func BenchmarkHashSetGet100000(b *testing.B) { benchmarkHash(b, 100_000) }

// The largest listpack hash at the default limits: lookups are linear, as
// in Redis.
func BenchmarkHashSetGet512(b *testing.B) { benchmarkHash(b, 512) }

// TestHashIndexedListpack: a listpack hash big enough to be indexed keeps
// its insertion order, and the index stays right, through deletes.
func TestHashIndexedListpack(t *testing.T) {
	h := NewHash()
	var order []string
	for i := range 100 {
		f := "f" + strconv.Itoa(i)
		h.Set([]byte(f), []byte(f), defaultLimits)
		order = append(order, f)
	}
	if h.index == nil || h.Encoding() != "listpack" {
		t.Fatalf("100 fields: index %v, encoding %s", h.index != nil, h.Encoding())
	}
	for _, i := range []int{0, 50, 97, 10, 10} {
		f := order[i]
		h.Delete([]byte(f))
		order = slices.Delete(order, i, i+1)
	}
	var got []string
	h.Range(func(f string, _ []byte) bool { got = append(got, f); return true })
	if !slices.Equal(got, order) {
		t.Fatalf("order after deletes = %q, want %q", got, order)
	}
	for _, f := range order {
		if v, ok := h.Get([]byte(f)); !ok || string(v) != f {
			t.Fatalf("Get(%s) = %q, %v", f, v, ok)
		}
	}
	if h.Size() != hashSize(h) {
		t.Errorf("Size = %d, recomputed %d", h.Size(), hashSize(h))
	}
}
