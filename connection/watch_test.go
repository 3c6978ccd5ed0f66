package connection

import (
	"errors"
	"io"
	"testing"
	"time"
)

// While watched, what the client sends is kept for ReadRequest, and stop
// returns at once.
func TestWatchInputKeepsWhatArrives(t *testing.T) {
	server, client := pair(t)
	c := New(server, Options{IdleTimeout: time.Hour})
	client.Write([]byte("*1\r\n$4\r\nPING\r\n"))
	if args, err := c.ReadRequest(); err != nil || string(args[0]) != "PING" {
		t.Fatalf("first request: %q, %v", args, err)
	}
	failed, stop := c.WatchInput()
	client.Write([]byte("*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n*1\r\n$4"))
	time.Sleep(20 * time.Millisecond) // let the watcher read it
	client.Write([]byte("\r\nQUIT\r\n"))
	select {
	case <-failed:
		t.Fatal("failed closed while the client is there")
	case <-time.After(20 * time.Millisecond):
	}
	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	for _, want := range []string{"ECHO", "QUIT"} {
		args, err := c.ReadRequest()
		if err != nil || string(args[0]) != want {
			t.Fatalf("after watching: %q, %v; want %s", args, err, want)
		}
	}
	// The idle timeout applies again.
	c.SetIdleTimeout(10 * time.Millisecond)
	if _, err := c.ReadRequest(); !IsTimeout(err) {
		t.Errorf("idle read after watching: %v, want a timeout", err)
	}
}

// A client that goes away while watched is noticed at once.
func TestWatchInputSeesTheClientLeave(t *testing.T) {
	server, client := pair(t)
	c := New(server, Options{})
	failed, stop := c.WatchInput()
	client.Close()
	select {
	case <-failed:
	case <-time.After(10 * time.Second):
		t.Fatal("the client's close went unnoticed")
	}
	if err := stop(); !errors.Is(err, io.EOF) {
		t.Errorf("stop after the client left: %v, want EOF", err)
	}
}

// Interrupt, before or during the watch, closes the channel.
func TestWatchInputSeesInterrupt(t *testing.T) {
	for _, before := range []bool{true, false} {
		server, _ := pair(t)
		c := New(server, Options{IdleTimeout: time.Hour})
		if before {
			c.Interrupt()
		}
		failed, stop := c.WatchInput()
		if !before {
			c.Interrupt()
		}
		select {
		case <-failed:
		case <-time.After(10 * time.Second):
			t.Fatalf("Interrupt (before the watch: %v) went unnoticed", before)
		}
		if err := stop(); !errors.Is(err, ErrInterrupted) {
			t.Errorf("stop after Interrupt: %v, want ErrInterrupted", err)
		}
	}
}

// A client that sends more than the query buffer limit while watched fails
// the watch.
func TestWatchInputQueryBufferLimit(t *testing.T) {
	server, client := pair(t)
	c := New(server, Options{MaxQueryBuffer: 1 << 16})
	failed, stop := c.WatchInput()
	go client.Write(make([]byte, 1<<20)) // never a whole request
	select {
	case <-failed:
	case <-time.After(10 * time.Second):
		t.Fatal("the watch read past the query buffer limit")
	}
	if err := stop(); !errors.Is(err, ErrQueryBufferLimit) {
		t.Errorf("stop: %v, want ErrQueryBufferLimit", err)
	}
}

// The peer's close arrives with its last request, before the server reads
// either: the read that returns the request leaves the end of input
// pending, with no readiness edge to come for it. Watching must still see
// the client go, as a blocked client's server does.
func TestWatchInputSeesACloseThatCameWithTheRequest(t *testing.T) {
	server, client := pair(t)
	c := New(server, Options{})
	if _, err := client.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		t.Fatal(err)
	}
	client.Close()
	time.Sleep(50 * time.Millisecond) // both are in the socket before the first read
	if args, err := c.ReadRequest(); err != nil || len(args) != 1 {
		t.Fatalf("ReadRequest: %q, %v", args, err)
	}
	failed, stop := c.WatchInput()
	select {
	case <-failed:
	case <-time.After(10 * time.Second):
		t.Fatal("the client's close went unnoticed")
	}
	if err := stop(); !errors.Is(err, io.EOF) {
		t.Errorf("stop after the client left: %v, want EOF", err)
	}
}
