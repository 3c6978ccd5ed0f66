package server

import (
	"context"
	"strings"
	"testing"
)

// Streams saved by SAVE load back the same, groups, consumers and
// pending entries included.
func TestSaveAndLoadStreams(t *testing.T) {
	dir := t.TempDir()
	srv, addr := startInDir(t, dir)
	c := dialRaw(t, addr)
	fillStreams(c)
	want := describeStreams(c)
	if !strings.Contains(want, "carol") {
		t.Fatalf("the streams are not as meant:\n%s", want)
	}
	if got := c.do("SAVE"); got != "+OK\r\n" {
		t.Fatalf("SAVE = %q", got)
	}
	srv.Shutdown(context.Background())
	_, addr = startInDir(t, dir)
	checkSameDescription(t, "after reload", describeStreams(dialRaw(t, addr)), want)
}

// A save writes the streams as they were when it began, though commands
// change their entries, groups, consumers and PELs before it writes them.
func TestSaveWhileStreamsChange(t *testing.T) {
	dir := t.TempDir()
	srv, addr := startInDir(t, dir)
	c := dialRaw(t, addr)
	fillStreams(c)
	want := describeStreams(c)
	snap, err := srv.startSave()
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range [][]string{
		{"XADD", "s:big", "*", "f", "new"},
		{"XDEL", "s:big", "1001-1", "1200-2"},
		{"XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3", "STREAMS", "s:big", ">"},
		{"XACK", "s:big", "g1", "1007-1"},
		{"XCLAIM", "s:big", "g1", "zed", "0", "1008-2"},
		{"XGROUP", "DESTROY", "s:big", "g3"},
		{"XGROUP", "SETID", "s:small", "only", "0"},
		{"XTRIM", "s:small", "MAXLEN", "0"},
		{"XADD", "s:mk", "1-1", "a", "b"},
	} {
		if r := c.do(cmd...); strings.HasPrefix(r, "-") {
			t.Fatalf("%v: %s", cmd, r)
		}
	}
	if err := srv.finishSave(snap); err != nil {
		t.Fatal(err)
	}
	srv.Shutdown(context.Background())
	_, addr = startInDir(t, dir)
	checkSameDescription(t, "the dump", describeStreams(dialRaw(t, addr)), want)
}
