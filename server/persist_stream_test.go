package server

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestSaveWithStreamFailsCleanly: the RDB writer has no stream type yet,
// so SAVE of a keyspace holding a stream must fail, and leave the dump
// that was there as it was, not a truncated or corrupt one.
func TestSaveWithStreamFailsCleanly(t *testing.T) {
	dir := t.TempDir()
	_, addr := startInDir(t, dir)
	c := dialRaw(t, addr)
	c.do("SET", "k", "v")
	if got := c.do("SAVE"); got != "+OK\r\n" {
		t.Fatalf("SAVE = %q", got)
	}
	path := filepath.Join(dir, "dump.rdb")
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c.do("XADD", "s", "1-1", "f", "v")
	if got := c.do("SAVE"); got != "-ERR\r\n" {
		t.Errorf("SAVE with a stream = %q, want -ERR", got)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("the failed SAVE changed the dump")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the failed SAVE left files behind: %v", entries)
	}
	if got := c.do("XLEN", "s"); got != ":1\r\n" {
		t.Errorf("XLEN after the failed SAVE = %q", got)
	}
}
