package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Both kinds of sync flush an open append file, and fail, naming the file,
// on a closed one; appendfsync always takes the inline one.
func TestAppendFileSyncs(t *testing.T) {
	for _, inline := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "appendonly.aof.1.incr.aof")
		sink, err := openAppend(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sink.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
			t.Fatal(err)
		}
		if err := syncSink(sink, inline); err != nil {
			t.Errorf("inline %v: sync of an open file: %v", inline, err)
		}
		if got, err := os.ReadFile(path); err != nil || string(got) != "*1\r\n$4\r\nPING\r\n" {
			t.Errorf("inline %v: file holds %q, %v", inline, got, err)
		}
		sink.Close()
		err = syncSink(sink, inline)
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("inline %v: sync of a closed file: %v, want an error naming %s", inline, err, path)
		}
	}
	if _, ok := aofSink(appendFile{}).(interface{ syncInline() error }); !ok {
		t.Error("appendFile has no inline sync: appendfsync always would hand its P around every fsync")
	}
}
