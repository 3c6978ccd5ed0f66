package connection

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/frame"
)

// countingConn counts the Write calls that reach the network.
type countingConn struct {
	net.Conn
	mu     sync.Mutex
	writes int
}

func (c *countingConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	c.writes++
	c.mu.Unlock()
	return c.Conn.Write(b)
}

// pair returns the two ends of a loopback TCP connection.
func pair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	return pairOn(t, "tcp")
}

// pairOn returns the two ends of a connection over network, "tcp" on
// the loopback or "unix" in the test's directory.
func pairOn(t *testing.T, network string) (server, client net.Conn) {
	t.Helper()
	addr := "127.0.0.1:0"
	if network == "unix" {
		addr = filepath.Join(t.TempDir(), "sock")
		if len(addr) > 100 { // a socket's path has room for 107 bytes
			dir, err := os.MkdirTemp("/tmp", "conn")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			addr = filepath.Join(dir, "sock")
		}
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			accepted <- nil
			return
		}
		accepted <- c
	}()
	client, err = net.Dial(network, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() {
		client.Close()
		// A test that stops after a request leaves its Conn's long-lived
		// read suspended, holding the descriptor (see sockReader), and a
		// Close would wait for it: nothing needs this one to return.
		go server.Close()
	})
	return server, client
}

// echoServer answers every request with its arguments joined by spaces,
// until the client goes away or breaks the protocol.
func echoServer(c *Conn) error {
	for {
		args, err := c.ReadRequest()
		if err != nil {
			var pe *frame.ProtocolError
			if errors.As(err, &pe) {
				c.WriteError("ERR " + pe.Error())
				c.Close()
			}
			return err
		}
		c.WriteBulk(bytes.Join(args, []byte(" ")))
	}
}

// The replies to a pipelined batch go out in a single write.
func TestPipelinedBatchIsOneWrite(t *testing.T) {
	s, cl := pair(t)
	counted := &countingConn{Conn: s}
	conn := New(counted, Options{})
	done := make(chan error, 1)
	go func() { done <- echoServer(conn) }()

	const n = 10000
	var req []byte
	for i := 0; i < n; i++ {
		req = frame.AppendCommand(req, []byte("ECHO"), []byte(fmt.Sprint(i)))
	}
	var want []byte
	for i := 0; i < n; i++ {
		want = frame.AppendBulkString(want, fmt.Sprintf("ECHO %d", i))
	}
	if _, err := cl.Write(req); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(want))
	if _, err := io.ReadFull(cl, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("replies differ from the expected %d replies", n)
	}
	cl.Close()
	<-done
	// The replies total ~150 KB: with the default 64 KB threshold they leave
	// in a few writes, not one per command. The input arrives in several
	// reads, each ending a batch, so allow one write per 16 KB read too.
	maxWrites := len(want)/DefaultFlushThreshold + len(req)/readBufferSize + 2
	if counted.writes > maxWrites {
		t.Errorf("%d commands took %d writes, want at most %d", n, counted.writes, maxWrites)
	}
}

// A request that arrives one byte per read still parses.
func TestOneByteReads(t *testing.T) {
	s, cl := pair(t)
	conn := New(s, Options{})
	done := make(chan error, 1)
	go func() { done <- echoServer(conn) }()
	req := "*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\nPING x\r\n"
	for i := 0; i < len(req); i++ {
		if _, err := cl.Write([]byte{req[i]}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond) // let each byte be its own read
	}
	want := "$10\r\nECHO hello\r\n$6\r\nPING x\r\n"
	got := make([]byte, len(want))
	if _, err := io.ReadFull(cl, got); err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// Commands before a protocol error are answered, then the error, then the
// connection closes.
func TestProtocolErrorRepliesThenCloses(t *testing.T) {
	s, cl := pair(t)
	conn := New(s, Options{})
	done := make(chan error, 1)
	go func() { done <- echoServer(conn) }()
	if _, err := cl.Write([]byte("PING\r\n*1\r\n$x\r\nPING\r\n")); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(cl)
	if err != nil {
		t.Fatal(err)
	}
	want := "$4\r\nPING\r\n-ERR Protocol error: invalid bulk length\r\n"
	if string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
	var pe *frame.ProtocolError
	if err := <-done; !errors.As(err, &pe) {
		t.Errorf("server loop ended with %v, want a protocol error", err)
	}
}

func TestQueryBufferLimit(t *testing.T) {
	s, cl := pair(t)
	conn := New(s, Options{MaxQueryBuffer: 64 << 10})
	done := make(chan error, 1)
	go func() { done <- echoServer(conn) }()
	// A bulk string that never ends: the server must give up, not grow.
	go cl.Write([]byte("*1\r\n$100000000\r\n" + strings.Repeat("x", 200<<10)))
	select {
	case err := <-done:
		if !errors.Is(err, ErrQueryBufferLimit) {
			t.Errorf("got %v, want ErrQueryBufferLimit", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server kept reading past the query buffer limit")
	}
	if len(conn.in) > 2*(64<<10)+readBufferSize {
		t.Errorf("input buffer grew to %d bytes", len(conn.in))
	}
}

func TestIdleTimeout(t *testing.T) {
	s, _ := pair(t)
	conn := New(s, Options{IdleTimeout: 20 * time.Millisecond})
	_, err := conn.ReadRequest()
	if !IsTimeout(err) {
		t.Errorf("got %v, want a timeout", err)
	}
}

func TestRESP3Replies(t *testing.T) {
	s, cl := pair(t)
	conn := New(s, Options{})
	conn.SetProtocol(frame.RESP3)
	conn.WriteMapLen(1)
	conn.WriteBulkString("k")
	conn.WriteBool(true)
	conn.WriteNull()
	if err := conn.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "%1\r\n$1\r\nk\r\n#t\r\n_\r\n"
	got := make([]byte, len(want))
	if _, err := io.ReadFull(cl, got); err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// A client writes commands and reads replies through the same type.
func TestClientSide(t *testing.T) {
	s, cl := pair(t)
	server := New(s, Options{})
	go echoServer(server)
	client := New(cl, Options{})
	client.WriteCommand([]byte("ECHO"), []byte("a"))
	client.WriteCommand([]byte("ECHO"), []byte("b"))
	for _, want := range []string{"ECHO a", "ECHO b"} {
		f, err := client.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		if f.Type != frame.BulkString || f.Text() != want {
			t.Errorf("got %v, want %q", f, want)
		}
	}
}

// Interrupt wakes a reader blocked on a silent client, from another goroutine.
func TestInterrupt(t *testing.T) {
	s, _ := pair(t)
	conn := New(s, Options{})
	done := make(chan error, 1)
	go func() {
		_, err := conn.ReadRequest()
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	conn.Interrupt()
	select {
	case err := <-done:
		if !errors.Is(err, ErrInterrupted) {
			t.Errorf("got %v, want ErrInterrupted", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Interrupt did not wake the reader")
	}
}

// Requests already buffered are still served after an Interrupt.
func TestInterruptServesBufferedRequests(t *testing.T) {
	s, cl := pair(t)
	conn := New(s, Options{})
	if _, err := cl.Write([]byte("PING\r\nPING\r\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ReadRequest(); err != nil {
		t.Fatal(err)
	}
	conn.Interrupt()
	if args, err := conn.ReadRequest(); err != nil || string(args[0]) != "PING" {
		t.Fatalf("buffered request after Interrupt: %q, %v", args, err)
	}
	if _, err := conn.ReadRequest(); !errors.Is(err, ErrInterrupted) {
		t.Errorf("got %v, want ErrInterrupted", err)
	}
}

// Replies are written between requests, never while one is handled: a
// server may hold locks then, and a client that does not read must not
// keep others waiting on them.
func TestRepliesLeaveBetweenRequests(t *testing.T) {
	s, cl := pair(t)
	counted := &countingConn{Conn: s}
	conn := New(counted, Options{})
	received := make(chan int64, 1)
	go func() {
		n, _ := io.Copy(io.Discard, cl)
		received <- n
	}()

	value := make([]byte, DefaultFlushThreshold)
	for range 8 { // replies to one request, far past the threshold
		conn.WriteBulk(value)
	}
	if counted.writes != 0 {
		t.Fatalf("%d writes while the request was handled, want none", counted.writes)
	}
	if _, err := cl.Write([]byte("PING\r\n")); err != nil {
		t.Fatal(err)
	}
	if args, err := conn.ReadRequest(); err != nil || string(args[0]) != "PING" {
		t.Fatalf("ReadRequest: %q, %v", args, err)
	}
	if counted.writes == 0 {
		t.Fatal("the replies were still buffered when the next request was taken")
	}
	conn.Close()
	want := int64(8 * len(frame.AppendBulk(nil, value)))
	if n := <-received; n != want {
		t.Errorf("client received %d bytes, want %d", n, want)
	}
}

// A client may send its whole pipeline before it reads any reply, as Redis
// allows: the replies wait in memory, and the requests go on being read.
func TestPipelineSentBeforeAnyReplyIsRead(t *testing.T) {
	s, cl := pair(t)
	conn := New(s, Options{})
	done := make(chan error, 1)
	go func() { done <- echoServer(conn) }()

	// 32 MB of replies: far more than the sockets hold, so the server
	// cannot write them all before the client starts reading.
	const n = 32 << 10
	arg := bytes.Repeat([]byte("x"), 1<<10)
	var req []byte
	for range n {
		req = frame.AppendCommand(req, arg)
	}
	cl.SetWriteDeadline(time.Now().Add(30 * time.Second))
	if _, err := cl.Write(req); err != nil {
		t.Fatalf("writing the pipeline: %v (the server stopped reading)", err)
	}
	want := frame.AppendBulk(nil, arg)
	r := bufio.NewReader(cl)
	got := make([]byte, len(want))
	for i := range n {
		cl.SetReadDeadline(time.Now().Add(30 * time.Second))
		if _, err := io.ReadFull(r, got); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("reply %d: %q, %v", i, got[:min(len(got), 20)], err)
		}
	}
	cl.Close()
	<-done
}

// A client whose replies wait past Options.OutputLimits is disconnected, as
// Redis applies client-output-buffer-limit to normal clients.
func TestOutputLimitsCloseAClientThatDoesNotRead(t *testing.T) {
	s, cl := pair(t)
	conn := New(s, Options{OutputLimits: PushLimits{Hard: 1 << 20}})
	done := make(chan error, 1)
	go func() { done <- echoServer(conn) }()

	arg := bytes.Repeat([]byte("x"), 1<<10)
	var req []byte
	for range 32 << 10 { // 32 MB of replies, never read
		req = frame.AppendCommand(req, arg)
	}
	go cl.Write(req) // fails once the server closes the connection
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the server is still serving a client 32 MB behind")
	}
	if err := conn.Err(); !errors.Is(err, ErrOutputBufferLimit) {
		t.Errorf("Err() = %v, want %v", err, ErrOutputBufferLimit)
	}
}

// An idle connection holds a small input buffer; a read that fills it
// grows it to full size, and a big request's buffer is let go once it is
// done, so that many idle clients cost little.
func TestInputBufferSizes(t *testing.T) {
	s, cl := pair(t)
	conn := New(s, Options{})
	if len(conn.in) != idleReadSize || cap(conn.out) != idleWriteSize {
		t.Fatalf("a new connection holds %d bytes of input, %d of output", len(conn.in), cap(conn.out))
	}
	read := func(want string) {
		t.Helper()
		args, err := conn.ReadRequest()
		if err != nil {
			t.Fatal(err)
		}
		if got := string(bytes.Join(args, []byte(" "))); got != want {
			t.Fatalf("request %.40q..., want %.40q...", got, want)
		}
	}
	cl.Write([]byte("PING\r\n"))
	read("PING")
	if len(conn.in) != idleReadSize {
		t.Errorf("a small request grew the buffer to %d", len(conn.in))
	}
	// A pipeline larger than the small buffer: every request arrives whole.
	var pipeline strings.Builder
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&pipeline, "*2\r\n$3\r\nGET\r\n$8\r\nkey:%04d\r\n", i)
	}
	go cl.Write([]byte(pipeline.String()))
	for i := 0; i < 200; i++ {
		read(fmt.Sprintf("GET key:%04d", i))
	}
	if len(conn.in) != readBufferSize {
		t.Errorf("after a pipeline the buffer is %d bytes, want %d", len(conn.in), readBufferSize)
	}
	big := strings.Repeat("v", 100<<10)
	go cl.Write([]byte(fmt.Sprintf("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n%s\r\n", len(big), big)))
	read("SET k " + big)
	if len(conn.in) <= readBufferSize {
		t.Fatalf("a 100 KB request fit in %d bytes", len(conn.in))
	}
	cl.Write([]byte("PING\r\n"))
	read("PING")
	if len(conn.in) != idleReadSize {
		t.Errorf("after the big request the buffer is still %d bytes", len(conn.in))
	}
}

// TestSocketRoundTripDoesNotAllocate checks that serving an unpipelined
// request over a socket, its read and its reply's write, allocates
// nothing: a per-request allocation is paid for again in GC work by every
// command.
func TestSocketRoundTripDoesNotAllocate(t *testing.T) {
	server, client := pair(t)
	c := New(server, Options{})
	req := []byte("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
	reply := make([]byte, len("+OK\r\n"))
	var failed error
	roundTrip := func() {
		if _, err := client.Write(req); err != nil {
			failed = err
			return
		}
		if _, err := c.ReadRequest(); err != nil {
			failed = err
			return
		}
		c.WriteOK()
		if err := c.Flush(); err != nil {
			failed = err
			return
		}
		if _, err := io.ReadFull(client, reply); err != nil {
			failed = err
		}
	}
	allocs := testing.AllocsPerRun(200, roundTrip)
	if failed != nil {
		t.Fatal(failed)
	}
	if allocs != 0 {
		t.Errorf("a request and its reply allocated %v times, want 0", allocs)
	}
}

// A client that sends its last request and closes its sending side at
// once (a script piping into nc), both arriving before the server reads,
// is seen to leave after that request, on TCP, where the kernel says
// whether a read left more behind, and on a Unix socket, where it does not.
func TestReadRequestSeesACloseThatCameWithTheRequest(t *testing.T) {
	for _, tc := range []struct {
		name, network string
		input         string
		args          int // requests before the end
	}{
		{"complete", "tcp", "*1\r\n$4\r\nPING\r\n", 1},
		{"partial", "tcp", "*1\r\n$4\r\nPI", 0},
		{"complete", "unix", "*1\r\n$4\r\nPING\r\n", 1},
		{"partial", "unix", "*1\r\n$4\r\nPI", 0},
	} {
		t.Run(tc.network+"/"+tc.name, func(t *testing.T) {
			server, client := pairOn(t, tc.network)
			c := New(server, Options{})
			if _, err := client.Write([]byte(tc.input)); err != nil {
				t.Fatal(err)
			}
			client.(interface{ CloseWrite() error }).CloseWrite()
			time.Sleep(50 * time.Millisecond) // both are in the socket before the first read
			got := make(chan error, 1)
			go func() {
				for i := 0; ; i++ {
					_, err := c.ReadRequest()
					if err != nil {
						if i != tc.args {
							err = fmt.Errorf("after %d requests: %w", i, err)
						}
						got <- err
						return
					}
				}
			}()
			select {
			case err := <-got:
				if tc.args > 0 && !errors.Is(err, io.EOF) {
					t.Errorf("ReadRequest: %v, want EOF", err)
				}
				if tc.args == 0 && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
					t.Errorf("ReadRequest: %v, want an end of input", err)
				}
			case <-time.After(10 * time.Second):
				c.Abort()
				t.Fatal("the client's close went unnoticed")
			}
		})
	}
}
