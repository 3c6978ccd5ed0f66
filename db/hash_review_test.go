package db

import (
	"slices"
	"strconv"
	"testing"
)

// TestHashDeleteFields checks DeleteFields against deleting the fields
// one by one, in both encodings, with fields missing, repeated, and
// every field.
func TestHashDeleteFields(t *testing.T) {
	lp := EncodingLimits{HashMaxListpackEntries: 1000, HashMaxListpackValue: 64}
	ht := EncodingLimits{HashMaxListpackEntries: 10, HashMaxListpackValue: 64}
	for _, tc := range []struct {
		name   string
		n      int
		lim    EncodingLimits
		delete []string
	}{
		{"small listpack", 5, lp, []string{"f1", "f3", "nope"}},
		{"indexed listpack", 100, lp, []string{"f0", "f50", "f50", "f99", "f2", "x"}},
		{"indexed listpack, every field", 30, lp, fieldNames(30)},
		{"hashtable", 100, ht, []string{"f10", "f99", "f10", "zz", "f0"}},
		{"hashtable, every field", 30, ht, fieldNames(30)},
		{"none", 30, lp, []string{"a", "b"}},
		{"no fields named", 30, lp, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, want := NewHash(), NewHash()
			for i := range tc.n {
				f, v := []byte("f"+strconv.Itoa(i)), []byte("v"+strconv.Itoa(i))
				h.Set(f, v, tc.lim)
				want.Set(f, v, tc.lim)
			}
			args := make([][]byte, len(tc.delete))
			wantN := 0
			for i, f := range tc.delete {
				args[i] = []byte(f)
				if want.Delete(args[i]) {
					wantN++
				}
			}
			mods := h.mods
			if got := h.DeleteFields(args); got != wantN {
				t.Errorf("DeleteFields returned %d, want %d", got, wantN)
			}
			if (h.mods != mods) != (wantN > 0) {
				t.Errorf("mods moved from %d to %d for %d deleted", mods, h.mods, wantN)
			}
			if got, w := hashFields(h), hashFields(want); !slices.Equal(got, w) && !(h.table && slices.Equal(sorted(got), sorted(w))) {
				t.Errorf("fields %q, want %q", got, w)
			}
			// Size also counts the slice's capacity, which shrinks at
			// other points when the fields go one at a time.
			if h.bytes != want.bytes || h.Encoding() != want.Encoding() {
				t.Errorf("%d bytes, %s, want %d, %s", h.bytes, h.Encoding(), want.bytes, want.Encoding())
			}
			for i := range h.Len() {
				f, _ := h.At(i)
				if j := h.find([]byte(f)); j != i {
					t.Errorf("%s at %d, found at %d", f, i, j)
				}
			}
		})
	}
}

func fieldNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "f" + strconv.Itoa(i)
	}
	return out
}

func hashFields(h *Hash) []string {
	var out []string
	h.Range(func(f string, _ []byte) bool {
		out = append(out, f)
		return true
	})
	return out
}

func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }

// BenchmarkHashDeleteFieldsListpack is HDEL of many fields from the front
// of a large listpack hash (hash-max-listpack-entries raised).
func BenchmarkHashDeleteFieldsListpack(b *testing.B) {
	const n, k = 50000, 500
	lim := EncodingLimits{HashMaxListpackEntries: 1 << 30, HashMaxListpackValue: 64}
	fields := make([][]byte, k)
	for i := range fields {
		fields[i] = []byte("f" + strconv.Itoa(i))
	}
	for b.Loop() {
		b.StopTimer()
		h := NewHash()
		for i := range n {
			h.Set([]byte("f"+strconv.Itoa(i)), []byte("v"), lim)
		}
		b.StartTimer()
		h.DeleteFields(fields)
	}
}
