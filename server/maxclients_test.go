package server

import (
	"net"
	"sync"
	"testing"
	"time"
)

// TestMaxClientsStorm connects many clients at once through two listeners
// of one server: exactly maxclients of them are served, the others get
// the error.
func TestMaxClientsStorm(t *testing.T) {
	const limit, storm = 10, 120
	ts := startServer(t, "--maxclients", "10")
	ln2, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go ts.Serve(ln2)
	addrs := []string{ts.addr, ln2.Addr().String()}

	var (
		mu      sync.Mutex
		served  int
		refused int
		conns   []net.Conn
		wg      sync.WaitGroup
		start   = make(chan struct{})
	)
	for i := range storm {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			nc, err := net.Dial("tcp", addrs[i%2])
			if err != nil {
				t.Error(err)
				return
			}
			nc.SetDeadline(time.Now().Add(10 * time.Second))
			nc.Write([]byte("PING\r\n"))
			buf := make([]byte, 64)
			n, _ := nc.Read(buf)
			mu.Lock()
			defer mu.Unlock()
			conns = append(conns, nc) // held open, so served clients stay counted
			switch string(buf[:n]) {
			case "+PONG\r\n":
				served++
			case "-ERR max number of clients reached\r\n":
				refused++
			default:
				t.Errorf("reply %q", buf[:n])
			}
		}()
	}
	close(start)
	wg.Wait()
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	if served != limit || refused != storm-limit {
		t.Fatalf("served %d, refused %d of %d clients; want exactly %d served", served, refused, storm, limit)
	}
	if n := ts.Stats().ConnectedClients; n != limit {
		t.Errorf("ConnectedClients = %d, want %d", n, limit)
	}
}
