package server_test

import (
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/mini-redis/mini-redis/server"
)

func TestGoMemoryLimit(t *testing.T) {
	for _, tc := range []struct {
		maxmemory uint64
		want      int64
	}{
		{0, math.MaxInt64},
		{1 << 20, 1<<20 + 1<<19 + 64<<20},
		{100 << 20, 150<<20 + 64<<20},
		{4 << 30, 6<<30 + 64<<20},
		{math.MaxUint64, math.MaxInt64},
		{math.MaxInt64, math.MaxInt64},
	} {
		if got := server.GoMemoryLimit(tc.maxmemory); got != tc.want {
			t.Errorf("GoMemoryLimit(%d) = %d, want %d", tc.maxmemory, got, tc.want)
		}
	}
}

// The binary sets the Go runtime's memory limit through MaxMemoryChanged:
// it must hear the configured value at start and every CONFIG SET, and
// nothing for a refused one.
func TestMaxMemoryChanged(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []uint64
	)
	c := startPublic(t, server.Options{MaxMemoryChanged: func(n uint64) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, n)
	}}, "--maxmemory", "1mb")
	for _, step := range []struct{ value, reply string }{
		{"100mb", "+OK\r\n"},
		{"lots", "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value\r\n"},
		{"0", "+OK\r\n"},
	} {
		if got := string(c.DoRaw("CONFIG", "SET", "maxmemory", step.value)); got != step.reply {
			t.Errorf("CONFIG SET maxmemory %s: %q, want %q", step.value, got, step.reply)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []uint64{1 << 20, 100 << 20, 0}; !slices.Equal(seen, want) {
		t.Errorf("MaxMemoryChanged heard %v, want %v", seen, want)
	}
}
