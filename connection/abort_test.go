package connection

import (
	"io"
	"testing"
	"time"
)

// TestAbortBetweenRequests checks that Abort, unlike closing the net.Conn,
// does not wait for the owner's long-lived read, which holds the socket
// while the owner handles a request, and that both ends then see the
// connection end.
func TestAbortBetweenRequests(t *testing.T) {
	tests := []struct {
		name      string
		interrupt bool
	}{
		{"abort", false},
		{"interrupt then abort", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, cl := pair(t)
			conn := New(s, Options{})
			defer conn.Close()
			cl.Write([]byte("PING\r\n"))
			if _, err := conn.ReadRequest(); err != nil {
				t.Fatal(err)
			}
			// The owner is handling its request: another goroutine aborts.
			aborted := make(chan struct{})
			go func() {
				if tt.interrupt {
					conn.Interrupt()
				}
				conn.Abort()
				close(aborted)
			}()
			select {
			case <-aborted:
			case <-time.After(10 * time.Second):
				t.Fatal("Abort waited for the owner")
			}
			if _, err := conn.ReadRequest(); err == nil {
				t.Fatal("ReadRequest after Abort succeeded")
			}
			cl.SetReadDeadline(time.Now().Add(10 * time.Second))
			if n, err := cl.Read(make([]byte, 16)); err != io.EOF {
				t.Fatalf("peer read %d bytes, %v; want EOF", n, err)
			}
		})
	}
}
