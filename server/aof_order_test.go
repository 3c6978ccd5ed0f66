package server

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// With appendfsync everysec or no, a write is in the file (written, if not
// fsynced) before its reply goes out, as Redis writes its AOF buffer in
// beforeSleep before it writes replies: a reply the client saw survives
// the server's crash. While an fsync runs the replies do not wait, and
// what they left buffered is written once it ends.
func TestAOFWritesBeforeReplying(t *testing.T) {
	for _, fsync := range []string{"everysec", "no"} {
		t.Run(fsync, func(t *testing.T) {
			var sink *probeSink
			var mu sync.Mutex
			_, addr := startAOFServer(t, t.TempDir(), probeOpener(&sink, &mu), "--appendonly", "yes", "--appendfsync", fsync)
			c := dialRaw(t, addr)
			mu.Lock()
			p := sink
			mu.Unlock()
			written := p.wrote
			for i := 0; i < 200; i++ {
				key := fmt.Sprintf("k%d", i)
				if got := c.do("SET", key, "v"); got != "+OK\r\n" {
					t.Fatalf("SET = %q", got)
				}
				if !written(key) {
					t.Fatalf("the reply to SET %s came before the SET was written: %q", key, p.log())
				}
			}
			// A pipeline: every reply comes after all its writes.
			c.sendRaw(strings.Repeat("*3\r\n$3\r\nSET\r\n$1\r\np\r\n$1\r\nv\r\n", 15) + "*3\r\n$3\r\nSET\r\n$4\r\nlast\r\n$1\r\nv\r\n")
			for i := 0; i < 16; i++ {
				if got := c.readReply(); got != "+OK\r\n" {
					t.Fatalf("SET = %q", got)
				}
			}
			if !written("last") {
				t.Fatalf("the pipeline's replies came before its writes: %q", p.log())
			}
			if fsync != "everysec" {
				return
			}
			// A slow fsync: replies go out without the write meanwhile.
			hold, in := p.holdSyncs()
			c.do("SET", "before-sync", "v")
			select {
			case <-in:
			case <-time.After(5 * time.Second):
				t.Fatal("everysec did not fsync within a second")
			}
			if got := c.do("SET", "during-sync", "v"); got != "+OK\r\n" {
				t.Fatalf("SET during a slow fsync = %q", got)
			}
			p.releaseSyncs(hold)
			deadline := time.Now().Add(5 * time.Second)
			for !written("during-sync") {
				if time.Now().After(deadline) {
					t.Fatalf("the SET answered during the fsync was never written: %q", p.log())
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

// A client whose replies are off (CLIENT REPLY OFF, SKIP) has no reply to
// write its effects before: they are written to the AOF all the same, and
// a reply it gets later comes after them.
func TestAOFWritesOfAClientWithRepliesOff(t *testing.T) {
	var sink *probeSink
	var mu sync.Mutex
	_, addr := startAOFServer(t, t.TempDir(), probeOpener(&sink, &mu), "--appendonly", "yes", "--appendfsync", "everysec")
	c := dialRaw(t, addr)
	c.do("PING")
	mu.Lock()
	p := sink
	mu.Unlock()
	written := p.wrote
	c.sendRaw("*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n*3\r\n$3\r\nSET\r\n$7\r\nsilent1\r\n$1\r\nv\r\n")
	waitFor(t, func() bool { return written("silent1") })

	c.sendRaw("*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$2\r\nON\r\n")
	if got := c.readReply(); got != "+OK\r\n" {
		t.Fatalf("CLIENT REPLY ON = %q", got)
	}
	c.sendRaw("*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n*3\r\n$3\r\nSET\r\n$7\r\nskipped\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$7\r\nskipped\r\n")
	if got := c.readReply(); got != "$1\r\nv\r\n" {
		t.Fatalf("GET after a skipped SET = %q", got)
	}
	if !written("skipped") {
		t.Fatalf("the GET's reply came before the skipped SET was written: %q", p.log())
	}
}
