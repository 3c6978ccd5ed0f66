package client

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/connection"
)

// fakeServer is a tiny in-test Redis: GET, SET, DEL, PING over a map. The
// real server is tested against this client in //server.
type fakeServer struct {
	mu   sync.Mutex
	data map[string][]byte
}

func startFake(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	f := &fakeServer{data: map[string][]byte{}}
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(connection.New(nc, connection.Options{}))
		}
	}()
	return ln.Addr().String()
}

// dialFake returns a Client of a new fakeServer, closed when the test ends.
func dialFake(t *testing.T) *Client {
	t.Helper()
	c, err := Dial(context.Background(), startFake(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (f *fakeServer) serve(c *connection.Conn) {
	defer c.Close()
	for {
		args, err := c.ReadRequest()
		if err != nil {
			return
		}
		f.mu.Lock()
		switch string(bytes.ToUpper(args[0])) {
		case "PING":
			c.WriteSimple("PONG")
		case "SET":
			f.data[string(args[1])] = append([]byte(nil), args[2]...)
			c.WriteOK()
		case "GET":
			if v, ok := f.data[string(args[1])]; ok {
				c.WriteBulk(v)
			} else {
				c.WriteNull()
			}
		case "DEL":
			n := 0
			for _, k := range args[1:] {
				if _, ok := f.data[string(k)]; ok {
					delete(f.data, string(k))
					n++
				}
			}
			c.WriteInt(int64(n))
		case "SLEEP":
			f.mu.Unlock()
			time.Sleep(time.Second)
			f.mu.Lock()
			c.WriteOK()
		default:
			c.WriteError("ERR unknown command")
		}
		f.mu.Unlock()
	}
}

func TestClient(t *testing.T) {
	ctx := context.Background()
	c := dialFake(t)
	if err := c.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "k"); !errors.Is(err, ErrNil) {
		t.Fatalf("Get of a missing key: %v, want ErrNil", err)
	}
	if err := c.Set(ctx, "k", "v", 0); err != nil {
		t.Fatal(err)
	}
	if v, err := c.Get(ctx, "k"); err != nil || string(v) != "v" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if n, err := c.Del(ctx, "k", "other"); err != nil || n != 1 {
		t.Fatalf("Del = %d, %v", n, err)
	}
	var serverErr Error
	if _, err := doCall(ctx, c, "NOPE"); !errors.As(err, &serverErr) || serverErr != "ERR unknown command" {
		t.Errorf("error reply: %v", err)
	}
}

func TestPipeline(t *testing.T) {
	ctx := context.Background()
	c := dialFake(t)
	p := c.Pipeline()
	p.Do("SET", "a", "1")
	p.Do("GET", "a")
	p.Do("DEL", "a")
	replies, err := p.Exec(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(replies) != 3 || replies[0].Text() != "OK" || replies[1].Text() != "1" || replies[2].Int != 1 {
		t.Errorf("replies = %v", replies)
	}
}

func TestCancellationBreaksTheConnection(t *testing.T) {
	c := dialFake(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Do(ctx, "SLEEP"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow call: %v, want DeadlineExceeded", err)
	}
	if err := c.Ping(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("call after a canceled one: %v, want ErrClosed", err)
	}
}

// Redis skips an empty command without a reply: the client refuses one
// rather than wait forever, and the connection stays usable.
func TestEmptyCommandIsRefused(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c := dialFake(t)
	if _, err := c.Do(ctx); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Do without arguments: %v, want an immediate error", err)
	}
	p := c.Pipeline()
	p.Do("PING")
	p.Do()
	if _, err := p.Exec(ctx); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Pipeline with an empty command: %v, want an immediate error", err)
	}
	if err := c.Ping(ctx); err != nil {
		t.Errorf("Ping after the refusals: %v", err)
	}
}

// A pipeline too long for the socket buffers is written while its replies
// are read: a server that stops reading until its replies are read, as
// mini-redis and this fake do, would otherwise wait for the client as the
// client waits for it.
func TestLongPipeline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := dialFake(t)
	// 32 MB each way, past what loopback sockets buffer.
	key, value := strings.Repeat("k", 2048), strings.Repeat("v", 2048)
	if err := c.Set(ctx, key, value, 0); err != nil {
		t.Fatal(err)
	}
	p := c.Pipeline()
	for range 16000 {
		p.Do("GET", key)
	}
	n := p.Len()
	replies, err := p.Exec(ctx)
	if err != nil {
		t.Fatalf("a pipeline of %d GETs: %v", n, err)
	}
	for i, r := range replies {
		if r.Text() != value {
			t.Fatalf("reply %d is %.40v, want the value", i, r)
		}
	}
}

// lateDeadlineConn holds back a deadline in the past, the one cancellation
// sets, until release is closed, as if the goroutine that sets it ran late;
// it reports on applied once that deadline is in place.
type lateDeadlineConn struct {
	net.Conn
	release, applied chan struct{}
}

func (c *lateDeadlineConn) SetDeadline(t time.Time) error {
	if t.IsZero() || t.After(time.Now()) {
		return c.Conn.SetDeadline(t)
	}
	<-c.release
	defer close(c.applied)
	return c.Conn.SetDeadline(t)
}

// A context that ends while a call completes does not leave the connection
// with the deadline in the past that interrupts a canceled call: the call
// succeeds, and so does the next one.
func TestCancellationAfterTheReplyLeavesNoDeadline(t *testing.T) {
	nc, err := net.Dial("tcp", startFake(t))
	if err != nil {
		t.Fatal(err)
	}
	late := &lateDeadlineConn{Conn: nc, release: make(chan struct{}), applied: make(chan struct{})}
	c := newClient("", options{}, connection.New(late, connection.Options{}))
	defer c.Close()

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel) // while the server sleeps
	// The reply comes after a second; the deadline only half a second later.
	time.AfterFunc(1500*time.Millisecond, func() { close(late.release) })
	if f, err := c.Do(ctx, "SLEEP"); err != nil || f.Text() != "OK" {
		t.Fatalf("SLEEP: %v, %v; want OK: the deadline was held back", f, err)
	}
	select {
	case <-late.applied:
	case <-time.After(5 * time.Second):
		t.Fatal("cancellation set no deadline")
	}
	if err := c.Ping(context.Background()); err != nil {
		t.Errorf("the call after the canceled one: %v", err)
	}
}
