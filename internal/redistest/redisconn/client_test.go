package redisconn

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

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

// TestDoRaw checks that DoRaw returns replies exactly as the server sent
// them, in RESP2 and, after Hello, in RESP3.
func TestDoRaw(t *testing.T) {
	srv := redistest.Start(t)
	big := strings.Repeat("x", 1<<20) // more than one read of the network
	tests := []struct {
		proto int
		args  []string
		want  string
	}{
		{2, []string{"SET", "k", big}, "+OK\r\n"},
		{2, []string{"GET", "k"}, "$1048576\r\n" + big + "\r\n"},
		{2, []string{"GET", "missing"}, "$-1\r\n"},
		{2, []string{"HSET", "h", "f", "v"}, ":1\r\n"},
		{2, []string{"HGETALL", "h"}, "*2\r\n$1\r\nf\r\n$1\r\nv\r\n"},
		{2, []string{"INCR", "h"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{3, []string{"GET", "missing"}, "_\r\n"},
		{3, []string{"HGETALL", "h"}, "%1\r\n$1\r\nf\r\n$1\r\nv\r\n"},
		{3, []string{"GET", "k"}, "$1048576\r\n" + big + "\r\n"},
	}
	conns := map[int]*Conn{2: Dial(t, srv.Addr), 3: Dial(t, srv.Addr)}
	if got := conns[3].Hello(3); got.Type != frame.Map {
		t.Fatalf("HELLO 3 replied %s, want a map", got)
	}
	for _, tt := range tests {
		if got := string(conns[tt.proto].DoRaw(tt.args...)); got != tt.want {
			t.Errorf("RESP%d %.20q: %.60q, want %.60q", tt.proto, tt.args, got, tt.want)
		}
	}
}

// TestSendRaw sends an inline and a multibulk request in one write: each
// ReadRaw returns one reply, however the bytes arrive.
func TestSendRaw(t *testing.T) {
	c := Dial(t, redistest.Start(t).Addr)
	c.SendRaw([]byte("PING\r\nECHO \"a b\"\r\n*1\r\n$4\r\nPING\r\n"))
	for _, want := range []string{"+PONG\r\n", "$3\r\na b\r\n", "+PONG\r\n"} {
		if got := string(c.ReadRaw()); got != want {
			t.Errorf("ReadRaw() = %q, want %q", got, want)
		}
	}
}

// fakeServer accepts one connection, writes out to it and closes it, for
// replies no real server sends: cut short or malformed.
func fakeServer(t *testing.T, out string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		nc.Write([]byte(out))
		nc.Close()
	}()
	return ln.Addr().String()
}

// TestReceive checks what Receive returns when no whole frame comes.
func TestReceive(t *testing.T) {
	tests := []struct {
		name    string
		sent    string
		frames  []string // the raw frames received first
		err     error
		pending string
	}{
		{"a clean close", "+a\r\n:1\r\n", []string{"+a\r\n", ":1\r\n"}, io.EOF, ""},
		{"a close mid-frame", "+a\r\n$5\r\nab", []string{"+a\r\n"}, io.ErrUnexpectedEOF, "$5\r\nab"},
		{"a close mid-aggregate", "*2\r\n:1\r\n", nil, io.ErrUnexpectedEOF, "*2\r\n:1\r\n"},
		{"bytes that are not RESP", "+a\r\n?x\r\n", []string{"+a\r\n"}, nil, "?x\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Dial(t, fakeServer(t, tt.sent))
			for _, want := range tt.frames {
				if _, raw, err := c.Receive(Timeout); string(raw) != want || err != nil {
					t.Fatalf("Receive() = %q, %v; want %q", raw, err, want)
				}
			}
			_, raw, err := c.Receive(Timeout)
			switch {
			case raw != nil || err == nil:
				t.Errorf("Receive() = %q, %v; want an error", raw, err)
			case tt.err != nil && !errors.Is(err, tt.err):
				t.Errorf("Receive() error %v, want %v", err, tt.err)
			}
			if got := string(c.Pending()); got != tt.pending {
				t.Errorf("Pending() = %q, want %q", got, tt.pending)
			}
		})
	}
}

// TestReceivePush waits for a message that comes late, after a wait for
// one that does not come.
func TestReceivePush(t *testing.T) {
	srv := redistest.Start(t)
	sub, pub := Dial(t, srv.Addr), Dial(t, srv.Addr)
	sub.Hello(3)
	sub.Do("SUBSCRIBE", "ch")
	if _, raw, err := sub.Receive(50 * time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Receive with nothing published: %q, %v; want a timeout", raw, err)
	}
	pub.Do("PUBLISH", "ch", "hi")
	f, raw, err := sub.Receive(Timeout)
	if want := ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"; err != nil || string(raw) != want || f.Type != frame.Push {
		t.Errorf("Receive() = %s, %q, %v; want a push %q", f, raw, err, want)
	}
}

func TestReadUntilClose(t *testing.T) {
	c := Dial(t, redistest.Start(t).Addr)
	c.SendRaw([]byte("PING\r\nQUIT\r\nPING\r\n"))
	if got := string(c.ReadRaw()); got != "+PONG\r\n" {
		t.Errorf("ReadRaw() = %q, want +PONG", got)
	}
	if got, err := c.ReadUntilClose(); string(got) != "+OK\r\n" || err != nil {
		t.Errorf("ReadUntilClose() = %q, %v; want +OK and a clean close", got, err)
	}

	// Bytes received before the call count.
	c = Dial(t, fakeServer(t, "+a\r\n$5\r\nab"))
	if _, _, err := c.Receive(Timeout); err != nil {
		t.Fatal(err)
	}
	if got, err := c.ReadUntilClose(); string(got) != "$5\r\nab" || err != nil {
		t.Errorf("ReadUntilClose() = %q, %v; want the frame cut short and a clean close", got, err)
	}
}

// TestNew runs a Conn over net.Pipe, as tests of a server served
// in-process do.
func TestNew(t *testing.T) {
	ours, theirs := net.Pipe()
	c := New(t, ours)
	go func() {
		theirs.Write([]byte("+OK\r\n:1"))
		theirs.Write([]byte("2\r\n"))
		theirs.Close()
	}()
	for _, want := range []string{"+OK\r\n", ":12\r\n"} {
		if got := string(c.ReadRaw()); got != want {
			t.Errorf("ReadRaw() = %q, want %q", got, want)
		}
	}
	if got, err := c.ReadUntilClose(); len(got) != 0 || err != nil {
		t.Errorf("ReadUntilClose() = %q, %v; want a clean close", got, err)
	}
}
