package connection

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/frame"
)

func pushMessage(i int) func([]byte, frame.Protocol) []byte {
	return func(dst []byte, p frame.Protocol) []byte {
		dst = frame.AppendPushLen(dst, 2, p)
		dst = frame.AppendBulkString(dst, "message")
		return frame.AppendBulkString(dst, fmt.Sprint(i))
	}
}

// Pushes from many goroutines and the owner's replies all arrive, each
// whole, and the owner's replies keep their order.
func TestPushFromManyGoroutines(t *testing.T) {
	s, cl := pair(t)
	conn := New(s, Options{})
	conn.EnablePush(PushLimits{})
	const pushers, each = 8, 200
	var wg sync.WaitGroup
	for g := 0; g < pushers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if !conn.Push(pushMessage(g*each + i)) {
					t.Error("Push refused on a healthy connection")
					return
				}
			}
		}(g)
	}
	for i := 0; i < 100; i++ {
		conn.WriteInt(int64(i))
		conn.Flush()
	}
	wg.Wait()
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(cl)
	if err != nil {
		t.Fatal(err)
	}
	seen, ints := map[string]bool{}, []int64{}
	for len(data) > 0 {
		f, n, err := frame.Parse(data)
		if err != nil {
			t.Fatalf("torn output: %v at %q", err, data[:min(40, len(data))])
		}
		data = data[n:]
		switch f.Type {
		case frame.Array:
			seen[f.Elems[1].Text()] = true
		case frame.Integer:
			ints = append(ints, f.Int)
		}
	}
	if len(seen) != pushers*each {
		t.Errorf("got %d distinct pushes, want %d", len(seen), pushers*each)
	}
	for i, n := range ints {
		if n != int64(i) {
			t.Fatalf("owner replies out of order: %v", ints[:i+1])
		}
	}
}

// A subscriber that does not read is closed once its pending output passes
// the hard limit; the publisher is never blocked.
func TestPushHardLimit(t *testing.T) {
	s, cl := pair(t)
	_ = cl // never read
	conn := New(s, Options{})
	conn.EnablePush(PushLimits{Hard: 64 << 10})
	payload := bytes.Repeat([]byte("x"), 1024)
	done := make(chan int)
	go func() {
		pushed := 0
		for i := 0; i < 100_000; i++ {
			if !conn.Push(func(dst []byte, p frame.Protocol) []byte { return frame.AppendBulk(dst, payload) }) {
				break
			}
			pushed++
		}
		done <- pushed
	}()
	select {
	case pushed := <-done:
		if pushed == 100_000 {
			t.Fatal("100 MB pushed to a client that reads nothing: no limit")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the publisher was blocked by a slow subscriber")
	}
	if err := conn.Err(); !errors.Is(err, ErrOutputBufferLimit) {
		t.Errorf("Err = %v, want ErrOutputBufferLimit", err)
	}
	if _, err := conn.ReadRequest(); err == nil {
		t.Error("the reader was not woken by the overflow")
	}
}

// The soft limit closes the connection only when output stays over it for
// longer than SoftFor.
func TestPushSoftLimit(t *testing.T) {
	// A pipe nobody reads: the writer blocks on its first chunk, so output
	// stays pending and the test decides how long.
	s, peer := net.Pipe()
	defer peer.Close()
	conn := New(s, Options{})
	now := time.Unix(1000, 0)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	conn.EnablePush(PushLimits{Soft: 1, SoftFor: time.Minute, Now: clock})
	defer conn.NetConn().Close()
	if !conn.Push(pushMessage(1)) {
		t.Fatal("first push over the soft limit refused")
	}
	advance(59 * time.Second)
	if !conn.Push(pushMessage(2)) {
		t.Fatal("push refused before the soft period ended")
	}
	advance(2 * time.Second)
	if conn.Push(pushMessage(3)) {
		t.Fatal("push accepted after 61 s over the soft limit")
	}
	if !errors.Is(conn.Err(), ErrOutputBufferLimit) {
		t.Errorf("Err = %v", conn.Err())
	}
}

func TestDiscard(t *testing.T) {
	s, cl := pair(t)
	conn := New(s, Options{})
	conn.WriteSimple("before")
	conn.SetDiscard(true)
	conn.WriteSimple("dropped")
	conn.WriteArrayLen(3)
	conn.SetDiscard(false)
	conn.WriteSimple("after")
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(cl)
	if string(got) != "+before\r\n+after\r\n" {
		t.Errorf("got %q", got)
	}
}

func TestErrorHook(t *testing.T) {
	s, _ := pair(t)
	var seen []string
	conn := New(s, Options{ErrorHook: func(msg string) { seen = append(seen, msg) }})
	conn.WriteError("ERR one")
	conn.WriteSimple("OK")
	conn.WriteError("WRONGTYPE two")
	if len(seen) != 2 || seen[1] != "WRONGTYPE two" {
		t.Errorf("hook saw %q", seen)
	}
}

// RESP3 pushes keep their type; RESP2 ones are arrays.
func TestPushFollowsProtocol(t *testing.T) {
	s, cl := pair(t)
	conn := New(s, Options{})
	conn.EnablePush(PushLimits{})
	conn.Push(pushMessage(1))
	conn.SetProtocol(frame.RESP3)
	conn.Push(pushMessage(2))
	conn.Close()
	got, _ := io.ReadAll(cl)
	want := "*2\r\n$7\r\nmessage\r\n$1\r\n1\r\n>2\r\n$7\r\nmessage\r\n$1\r\n2\r\n"
	if string(got) != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// TestHoldPushes checks that messages pushed while the owner writes a
// reply (between HoldPushes and ReleasePushes) follow the whole reply,
// and that pushes go straight out again after ReleasePushes.
func TestHoldPushes(t *testing.T) {
	s, cl := pair(t)
	conn := New(s, Options{})
	conn.HoldPushes() // no push mode yet: nothing to hold
	conn.ReleasePushes()
	conn.EnablePush(PushLimits{})
	conn.HoldPushes()
	conn.WriteArrayLen(2)
	if !conn.Push(pushMessage(1)) {
		t.Fatal("Push refused while holding")
	}
	conn.WriteInt(10)
	conn.WriteInt(20)
	conn.ReleasePushes()
	conn.Push(pushMessage(2))
	conn.WriteInt(30)
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(cl)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for len(data) > 0 {
		_, n, err := frame.Parse(data)
		if err != nil {
			t.Fatalf("torn output: %v at %q", err, data)
		}
		got = append(got, string(data[:n]))
		data = data[n:]
	}
	push := func(i int) string { return string(pushMessage(i)(nil, frame.RESP2)) }
	want := []string{"*2\r\n:10\r\n:20\r\n", push(1), push(2), ":30\r\n"}
	if !slices.Equal(got, want) {
		t.Errorf("frames = %q, want %q", got, want)
	}
}
