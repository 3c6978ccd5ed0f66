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
