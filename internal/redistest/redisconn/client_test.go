package redisconn

import (
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mini-redis/mini-redis/frame"
	"github.com/mini-redis/mini-redis/internal/redistest"
)

func TestDo(t *testing.T) {
	srv := redistest.Start(t)
	c := Dial(t, srv.Addr)
	value := "a\r\nb\x00\xff$3\r\n" // bytes a line-based reader would trip on
	tests := []struct {
		args []string
		want frame.Frame
	}{
		{[]string{"SET", "k", value}, frame.NewSimple("OK")},
		{[]string{"GET", "k"}, frame.NewBulkString(value)},
		{[]string{"GET", "missing"}, frame.NewNullBulk()},
		{[]string{"INCRBY", "n", "-42"}, frame.NewInteger(-42)},
		{[]string{"RPUSH", "l", "x", "", "y"}, frame.NewInteger(3)},
		{[]string{"LRANGE", "l", "0", "-1"}, frame.NewArray(frame.NewBulkString("x"), frame.NewBulkString(""), frame.NewBulkString("y"))},
		{[]string{"LRANGE", "missing", "0", "-1"}, frame.NewArray()},
	}
	for _, tt := range tests {
		if got := c.Do(tt.args...); got.String() != tt.want.String() || got.Type != tt.want.Type || got.Nil != tt.want.Nil {
			t.Errorf("Do(%q) = %s (type %c, nil %v), want %s (type %c, nil %v)",
				tt.args, got, got.Type, got.Nil, tt.want, tt.want.Type, tt.want.Nil)
		}
	}
}

// TestSendRead checks that Read returns error replies and pushed messages.
func TestSendRead(t *testing.T) {
	srv := redistest.Start(t)
	sub, pub := Dial(t, srv.Addr), Dial(t, srv.Addr)

	sub.Send("NOSUCHCOMMAND", "x")
	sub.Send("PING")
	if got := sub.Read(); got.Type != frame.Error || !strings.HasPrefix(string(got.Str), "ERR unknown command 'NOSUCHCOMMAND'") {
		t.Errorf("reply to an unknown command: %s (type %c)", got, got.Type)
	}
	if got := sub.Read(); got.Type != frame.SimpleString || string(got.Str) != "PONG" {
		t.Errorf("reply to PING: %s", got)
	}

	sub.Send("SUBSCRIBE", "ch")
	if got := Strings(sub.Read()); !slices.Equal(got, []string{"subscribe", "ch", ""}) {
		t.Errorf("SUBSCRIBE ack: %q", got)
	}
	if n := pub.Do("PUBLISH", "ch", "hello").Int; n != 1 {
		t.Fatalf("PUBLISH reached %d subscribers, want 1", n)
	}
	if got := Strings(sub.Read()); !slices.Equal(got, []string{"message", "ch", "hello"}) {
		t.Errorf("pushed message: %q", got)
	}
}

// TestPipeline sends more than the socket buffers hold each way, with
// distinct values, so replies that still aliased the read buffer would
// come back overwritten.
func TestPipeline(t *testing.T) {
	srv := redistest.Start(t)
	c := Dial(t, srv.Addr)
	const n = 5000
	value := func(i int) string { return strings.Repeat(strconv.Itoa(i)+".", 100) }
	var sets, gets [][]string
	for i := range n {
		key := fmt.Sprintf("key:%d", i)
		sets = append(sets, []string{"SET", key, value(i)})
		gets = append(gets, []string{"GET", key})
	}
	for i, r := range c.Pipeline(sets) {
		if string(r.Str) != "OK" {
			t.Fatalf("%q: %s", sets[i][:2], r)
		}
	}
	replies := c.Pipeline(gets)
	if len(replies) != n {
		t.Fatalf("%d replies to %d commands", len(replies), n)
	}
	for i, r := range replies {
		if r.Type != frame.BulkString || string(r.Str) != value(i) {
			t.Fatalf("GET key:%d = %.40s..., want %.40s...", i, r.Str, value(i))
		}
	}
	if got := c.Pipeline(nil); len(got) != 0 {
		t.Errorf("empty pipeline: %d replies", len(got))
	}
}

// fatalTB records a call to Fatalf and ends its goroutine, as testing.T
// does, so that a test can check that a helper fails.
type fatalTB struct {
	testing.TB // the real test, for Helper and Cleanup
	mu         sync.Mutex
	msg        string
}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.msg = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

// fails runs fn with tb and returns what it passed to Fatalf, or "" if it
// returned normally.
func fails(tb *fatalTB, fn func()) string {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return tb.msg
}

func TestErrorRepliesFail(t *testing.T) {
	srv := redistest.Start(t)
	const notInteger = `["INCR" "s"]: ERR value is not an integer or out of range`
	tests := []struct {
		name string
		run  func(c *Conn)
	}{
		{"Do", func(c *Conn) { c.Do("INCR", "s") }},
		{"Pipeline", func(c *Conn) { c.Pipeline([][]string{{"PING"}, {"INCR", "s"}, {"PING"}}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := &fatalTB{TB: t}
			c := Dial(tb, srv.Addr)
			c.Do("SET", "s", "not a number")
			if got := fails(tb, func() { tt.run(c) }); got != notInteger {
				t.Errorf("Fatalf(%q), want %q", got, notInteger)
			}
		})
	}
}

func TestDialFails(t *testing.T) {
	port, err := redistest.FreePort() // nothing listens there
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	tb := &fatalTB{TB: t}
	want := "dial redis at " + addr + ": "
	if got := fails(tb, func() { Dial(tb, addr) }); !strings.HasPrefix(got, want) {
		t.Errorf("Fatalf(%q), want it to start with %q", got, want)
	}
}
